#!/usr/bin/env bash
# t_rollup_sql: status reports and the roll-up at the SQL level (sql/0007_status_reports.sql,
# docs/reports.md). Needs only PostgreSQL: the migrations are applied with psql, the
# organizations and devices inserted directly, everything else goes through the SQL API
# (karta_plan_save, karta_item_put, karta_plan_derive, karta_status_set, karta_report_*).
#
# A region with 3 municipalities × 4 schools and a derived plan cascade. Two phases: the
# first is moved 10 days into the past afterwards (every timestamp it wrote), so "as of"
# dates see history. Schools and municipalities set statuses; mun1 submits, the region
# returns, mun1 resubmits, the region accepts; schools report to mun1. The roll-up (per
# municipality, per school, per regional item) and the overdue lists are asserted exactly
# against hand-computed figures, as of three dates. Refusals: a school accepting its own
# report, a municipality touching another's submission, a change after acceptance (a new
# submission), statuses on others' items. Feeds: rows reach the right change feed and are
# seen by the organization and those above it only.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup_sql t_rollup_sql

# --- organizations and devices ----------------------------------------------------------
ORGS=(reg mun1 mun2 mun3)
kt_psql "INSERT INTO organization(code, name, level) VALUES ('reg', 'Область', 'region')"
for m in 1 2 3; do
	kt_psql "INSERT INTO organization(code, name, level, parent_id)
		SELECT 'mun$m', 'Округ $m', 'municipality', id FROM organization WHERE code = 'reg'"
	for s in 1 2 3 4; do
		ORGS+=("s$m$s")
		kt_psql "INSERT INTO organization(code, name, level, parent_id)
			SELECT 's$m$s', 'Школа $m$s', 'school', id FROM organization WHERE code = 'mun$m'"
	done
done
kt_psql "INSERT INTO device(fingerprint, org_id, role, label)
	SELECT encode(sha256(convert_to(code, 'UTF8')), 'hex'), id,
		CASE level WHEN 'region' THEN 'coordinator' ELSE 'operator' END, 'device ' || code
	FROM organization;
	INSERT INTO device(fingerprint, org_id, role, label)
	SELECT encode(sha256(convert_to('viewer', 'UTF8')), 'hex'), id, 'viewer', 'viewer'
	FROM organization WHERE code = 'mun1'"
declare -A DEV ORG
while IFS='|' read -r code org dev; do
	ORG[$code]=$org DEV[$code]=$dev
done < <(kt_psql "SELECT o.code, o.id, d.id FROM organization o JOIN device d ON d.org_id = o.id
	WHERE d.role <> 'viewer'")
VIEWER=$(kt_psql "SELECT id FROM device WHERE role = 'viewer'")

# uuid NAME: a fixed uuid for NAME.
uuid() {
	local h
	h=$(printf '%s' "$1" | md5sum)
	echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"
}
# day OFFSET: today + OFFSET days (YYYY-MM-DD), today as PostgreSQL sees it.
TODAY=$(kt_psql "SELECT current_date")
day() { date -d "$TODAY $1 days" +%F; }
# call FUNCTION ORG JSON: "status|message|id|version" of a write function as ORG's device.
call() {
	kt_psql "SELECT concat_ws('|', r.status, r.message, r.id, r.version)
		FROM $1(${DEV[$2]}, \$j\$$3\$j\$::jsonb) r"
}
# ok FUNCTION ORG JSON: the call must succeed; prints its id.
ok() {
	local out
	out=$(call "$@")
	[[ $out == ok\|* ]] || kt_fail "$1 as $2 ($3): $out"
	cut -d'|' -f3 <<<"$out"
}
# refused FUNCTION ORG JSON STATUS [MESSAGE-ERE]: the call must answer STATUS and change nothing.
refused() { kt_sql_refused "$@"; } # FN ORG JSON STATUS [ERE]
snapshot() {
	kt_psql "SELECT md5(coalesce(string_agg(t, '|' ORDER BY t), '')) FROM (
		SELECT s::text AS t FROM item_status s UNION ALL SELECT h::text FROM item_status_history h
		UNION ALL SELECT r::text FROM report_request r UNION ALL SELECT s::text FROM report_submission s
		UNION ALL SELECT t::text FROM report_transition t
		UNION ALL SELECT f::text FROM feed f) x"
}
# item ORG NUMBER: the id of item NUMBER in ORG's plan.
item() {
	kt_psql "SELECT i.id FROM plan_item i JOIN plan p ON p.id = i.plan_id
		WHERE p.owner_org_id = ${ORG[$1]} AND i.number = '$2'"
}
# status ORG NUMBER STATUS [EVIDENCE]: ORG sets its status on its item NUMBER.
status() {
	ok karta_status_set "$1" "{\"item_id\": \"$(item "$1" "$2")\", \"status\": \"$3\",
		\"comment\": \"$1 $2 $3\", \"evidence\": ${4:-{\}}}" >/dev/null
}

# --- the plan cascade -------------------------------------------------------------------
# Regional items (number: deadline; who acts):
#   1: by_date today-7   municipal + institutional  → every municipal and school plan
#   2: by_date today+10  municipal + institutional
#   3: month, ends today+60, municipal + institutional
#   4: continuous (no date)  municipal + institutional
#   5: external schedule, deadline_last today-30 written by hand: never overdue by date
#      (municipal only: not in school plans)
#   6: by_date today-7, regional bodies only → a read-only reference in municipal plans
RPLAN=$(uuid plan:reg)
SEC=$(uuid section:reg)
kt_assert_eq "ok" "$(kt_psql "SELECT status FROM karta_plan_save(${DEV[reg]}, 0,
	'{\"id\": \"$RPLAN\", \"title\": \"Дорожная карта ГИА\", \"academic_year\": 2024}',
	'[{\"id\": \"$SEC\", \"ordinal\": 1, \"number\": \"1\", \"title\": \"Организация\"}]')")" \
	"the regional plan"
put_item() { # NUMBER KIND LAST MUNICIPAL INSTITUTIONAL
	local last=null
	[ -z "$3" ] || last="\"$3\""
	kt_assert_eq "ok" "$(kt_psql "SELECT status FROM karta_item_put(${DEV[reg]}, 0,
		\$j\${\"id\": \"$(uuid "item:reg:$1")\", \"plan_id\": \"$RPLAN\", \"section_id\": \"$SEC\",
		\"ordinal\": $1, \"number\": \"$1\", \"title\": \"Мероприятие $1\",
		\"deadline_text\": \"$2\", \"deadline_kind\": \"$2\", \"deadline_last\": $last,
		\"municipal_action\": \"$4\", \"institutional_action\": \"$5\",
		\"responsible\": {\"levels\": []}}\$j\$)")" "regional item $1"
}
put_item 1 by_date "$(day -7)" "собрать" "представить"
put_item 2 by_date "$(day +10)" "собрать" "представить"
put_item 3 month "$(day +60)" "провести" "участвовать"
put_item 4 continuous "" "сопровождать" "обеспечить"
put_item 5 external "$(day -30)" "по графику" ""
put_item 6 by_date "$(day -7)" "" ""
derive() { # ORG PARENT_PLAN: prints the new plan's id
	local id
	id=$(uuid "plan:$1")
	kt_assert_eq "ok" "$(kt_psql "SELECT status FROM karta_plan_derive(${DEV[$1]}, '$2', '$id', '')")" \
		"derive of $1's plan"
	echo "$id"
}
for m in 1 2 3; do
	mp=$(derive "mun$m" "$RPLAN")
	for s in 1 2 3 4; do
		derive "s$m$s" "$mp" >/dev/null
	done
done
kt_assert_eq "mun1|6|1
mun2|6|1
mun3|6|1
reg|6|0
s11|4|0
s12|4|0" "$(kt_psql "SELECT o.code, count(*), count(*) FILTER (WHERE i.reference_only)
	FROM plan_item i JOIN plan p ON p.id = i.plan_id JOIN organization o ON o.id = p.owner_org_id
	WHERE o.code IN ('reg', 'mun1', 'mun2', 'mun3', 's11', 's12') GROUP BY o.id, o.code ORDER BY o.code")" \
	"items per plan (municipal: 5 own + 1 reference; school: 1-4)"

Q1=$(uuid req:Q1) Q2=$(uuid req:Q2) Q3=$(uuid req:Q3) Q4=$(uuid req:Q4)
S1=$(uuid sub:mun1:Q1) S2=$(uuid sub:mun2:Q1) S11=$(uuid sub:s11:Q2) S12=$(uuid sub:s12:Q2)
S21=$(uuid sub:s21:Q4)

# --- phase 1 (moved 10 days back below) -------------------------------------------------
status s11 1 "done" '{"document": {"kind": "справка", "number": "12", "date": "2024-10-01", "title": "Справка"}, "count": 3}'
status s11 2 in_progress
status s12 1 in_progress
status s21 1 "done" '{"records": ["p-1", "p-2"], "attachment": {"ref": "att:1", "name": "list.xlsx"}}'
status mun1 1 in_progress
# Q1: the region asks every municipality about item 1, due today-6 (Q3 later: same series).
ok karta_report_request_put reg "{\"id\": \"$Q1\", \"item_id\": \"$(item reg 1)\",
	\"title\": \"Отчёт по п. 1\", \"due_date\": \"$(day -6)\",
	\"submitters\": {\"level\": \"municipality\"}}" >/dev/null
# Q2: mun1 asks its schools about its item 1, due today+5.
ok karta_report_request_put mun1 "{\"id\": \"$Q2\", \"item_id\": \"$(item mun1 1)\",
	\"title\": \"Списки участников\", \"period_from\": \"$(day -30)\", \"period_to\": \"$(day +5)\",
	\"submitters\": {\"level\": \"school\"}}" >/dev/null
ok karta_report_draft mun1 "{\"id\": \"$S1\", \"request_id\": \"$Q1\", \"comment\": \"черновик\"}" >/dev/null
kt_assert_eq "ok|submitted" "$(call karta_report_submit mun1 "{\"id\": \"$S1\"}" | cut -d'|' -f1,2)" \
	"mun1 submits"
ok karta_report_draft mun2 "{\"id\": \"$S2\", \"request_id\": \"$Q1\"}" >/dev/null
# A school submits in one op (create + submit).
kt_assert_eq "ok|submitted" "$(call karta_report_submit s11 "{\"id\": \"$S11\", \"request_id\": \"$Q2\",
	\"evidence\": {\"count\": 41}}" | cut -d'|' -f1,2)" "s11 creates and submits"
refused karta_report_return reg "{\"id\": \"$S1\"}" bad 'reason'
kt_assert_eq "ok|returned" "$(call karta_report_return reg "{\"id\": \"$S1\",
	\"reason\": \"нет подписи\"}" | cut -d'|' -f1,2)" "the region returns mun1's report"

kt_psql "SET session_replication_role = replica;
	UPDATE plan SET created_at = created_at - interval '10 days', updated_at = updated_at - interval '10 days';
	UPDATE plan_item SET created_at = created_at - interval '10 days', updated_at = updated_at - interval '10 days';
	UPDATE item_status SET created_at = created_at - interval '10 days', updated_at = updated_at - interval '10 days';
	UPDATE item_status_history SET valid_from = valid_from - interval '10 days',
		valid_to = valid_to - interval '10 days';
	UPDATE report_request SET created_at = created_at - interval '10 days', updated_at = updated_at - interval '10 days';
	UPDATE report_submission SET created_at = created_at - interval '10 days',
		updated_at = updated_at - interval '10 days', submitted_at = submitted_at - interval '10 days',
		decided_at = decided_at - interval '10 days';
	UPDATE report_transition SET at = at - interval '10 days';
	UPDATE change_log SET committed_at = committed_at - interval '10 days'"

# --- phase 2 (today) --------------------------------------------------------------------
status s11 2 "done"
status s12 1 "done"
status s12 2 blocked
status s12 3 not_applicable
status s13 1 "done"
status s21 2 in_progress
status s31 1 not_started
status mun1 1 "done"
status mun1 2 "done"
status mun2 1 in_progress
status mun3 4 in_progress
status reg 6 "done"
kt_assert_eq "ok|resubmitted" "$(call karta_report_submit mun1 "{\"id\": \"$S1\",
	\"comment\": \"с подписью\"}" | cut -d'|' -f1,2)" "mun1 resubmits with a change"
refused karta_report_accept mun1 "{\"id\": \"$S1\"}" denied 'own report'
refused karta_report_accept mun2 "{\"id\": \"$S1\"}" not_found
kt_assert_eq "ok|accepted" "$(call karta_report_accept reg "{\"id\": \"$S1\"}" | cut -d'|' -f1,2)" \
	"the region accepts"
refused karta_report_return reg "{\"id\": \"$S1\", \"reason\": \"поздно\"}" precondition 'accepted'
kt_assert_eq "draft|submitted|returned|resubmitted|accepted" "$(kt_psql "SELECT string_agg(to_state,
	'|' ORDER BY id) FROM report_transition WHERE submission_id = '$S1'")" "S1's transitions"
kt_assert_eq "mun1|mun1|reg|mun1|reg" "$(kt_psql "SELECT string_agg(o.code, '|' ORDER BY t.id)
	FROM report_transition t JOIN organization o ON o.id = t.org_id WHERE t.submission_id = '$S1'")" \
	"who made each transition"
kt_assert_eq "нет подписи" "$(kt_psql "SELECT reason FROM report_transition
	WHERE submission_id = '$S1' AND to_state = 'returned'")" "the return's reason"
# A change after acceptance: a new submission (version 2, supersedes S1); S1 stays as it was.
s1_before=$(kt_psql "SELECT r::text FROM report_submission r WHERE id = '$S1'")
out=$(call karta_report_draft mun1 "{\"id\": \"$S1\", \"comment\": \"уточнение\"}")
kt_assert_match "$out" '^ok\|.*new submission' "a change to an accepted submission"
S1B=$(cut -d'|' -f3 <<<"$out")
[ "$S1B" != "$S1" ] || kt_fail "the change after acceptance kept id $S1"
kt_assert_eq "2|$S1|draft|уточнение" "$(kt_psql "SELECT version_no, supersedes, state, comment
	FROM report_submission WHERE id = '$S1B'")" "the new submission"
kt_assert_eq "$s1_before" "$(kt_psql "SELECT r::text FROM report_submission r WHERE id = '$S1'")" \
	"the accepted submission is unchanged"
refused karta_report_draft mun1 "{\"id\": \"$(uuid other)\", \"request_id\": \"$Q1\"}" conflict 'still open'
kt_run psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -c \
	"UPDATE report_submission SET comment = 'x' WHERE id = '$S1'"
[ "$KT_RC" != 0 ] || kt_fail "an UPDATE of an accepted submission went through"
kt_assert_contains "$KT_ERR" "accepted" "the refused UPDATE"
kt_assert_eq "ok|submitted" "$(call karta_report_submit mun2 "{\"id\": \"$S2\"}" | cut -d'|' -f1,2)" \
	"mun2 submits its draft"
# Schools to mun1: s12 submits, mun1 returns it; s11's is accepted.
kt_assert_eq "ok|submitted" "$(call karta_report_submit s12 "{\"id\": \"$S12\", \"request_id\": \"$Q2\"}" |
	cut -d'|' -f1,2)" "s12 submits"
refused karta_report_accept s11 "{\"id\": \"$S11\"}" denied 'own report'
refused karta_report_accept s12 "{\"id\": \"$S11\"}" not_found
refused karta_report_accept mun2 "{\"id\": \"$S11\"}" not_found
refused karta_report_return mun2 "{\"id\": \"$S12\", \"reason\": \"x\"}" not_found
refused karta_report_draft mun2 "{\"id\": \"$S1B\", \"comment\": \"x\"}" not_found
refused karta_report_accept reg "{\"id\": \"$S1B\"}" precondition 'draft'
kt_assert_eq "ok|returned" "$(call karta_report_return mun1 "{\"id\": \"$S12\", \"reason\": \"не те списки\"}" |
	cut -d'|' -f1,2)" "mun1 returns s12's report"
kt_assert_eq "ok|accepted" "$(call karta_report_accept mun1 "{\"id\": \"$S11\"}" | cut -d'|' -f1,2)" \
	"mun1 accepts s11's report"
# Q3: the next request of Q1's series (due today+20); Q4: mun2 asks two named schools.
ok karta_report_request_put reg "{\"id\": \"$Q3\", \"series_id\": \"$Q1\", \"item_id\": \"$(item reg 1)\",
	\"title\": \"Отчёт по п. 1 (второй срок)\", \"due_date\": \"$(day +20)\",
	\"submitters\": {\"level\": \"municipality\"}}" >/dev/null
ok karta_report_request_put mun2 "{\"id\": \"$Q4\", \"item_id\": \"$(item mun2 2)\",
	\"title\": \"Справка\", \"due_date\": \"$(day -3)\", \"submitters\": {\"orgs\": [\"s21\", \"s22\"]}}" >/dev/null
kt_assert_eq "ok|submitted" "$(call karta_report_submit s21 "{\"id\": \"$S21\", \"request_id\": \"$Q4\"}" |
	cut -d'|' -f1,2)" "s21 submits to mun2"
refused karta_report_draft s23 "{\"id\": \"$(uuid x23)\", \"request_id\": \"$Q4\"}" denied 'not asked'
refused karta_report_draft s13 "{\"id\": \"$(uuid x13)\", \"request_id\": \"$Q4\"}" not_found
refused karta_report_draft s21 "{\"id\": \"$(uuid x21)\", \"request_id\": \"$Q2\"}" not_found
refused karta_report_submit s21 "{\"id\": \"$S21\"}" precondition 'submitted'
refused karta_report_request_put mun2 "{\"id\": \"$(uuid qx)\", \"item_id\": \"$(item mun2 1)\",
	\"title\": \"x\", \"due_date\": \"$(day 1)\", \"submitters\": {\"orgs\": [\"s11\"]}}" bad 'below mun2'
refused karta_report_request_put mun2 "{\"id\": \"$(uuid qy)\", \"item_id\": \"$(item mun1 1)\",
	\"title\": \"x\", \"due_date\": \"$(day 1)\", \"submitters\": {\"level\": \"school\"}}" not_found
refused karta_report_request_put s11 "{\"id\": \"$(uuid qz)\", \"item_id\": \"$(item s11 1)\",
	\"title\": \"x\", \"due_date\": \"$(day 1)\", \"submitters\": {\"level\": \"school\"}}" bad 'school receives'
refused karta_report_request_put mun1 "{\"id\": \"$Q1\", \"base\": 1, \"item_id\": \"$(item reg 1)\",
	\"title\": \"x\", \"due_date\": \"$(day 1)\", \"submitters\": {\"level\": \"school\"}}" denied 'receiver'

# Status refusals: only the executor, on its own live items.
refused karta_status_set s11 "{\"item_id\": \"$(item mun1 1)\", \"status\": \"done\"}" denied 'own plans'
refused karta_status_set s11 "{\"item_id\": \"$(item s12 1)\", \"status\": \"done\"}" not_found
refused karta_status_set mun1 "{\"item_id\": \"$(item s11 2)\", \"status\": \"done\"}" denied 'own plans'
refused karta_status_set reg "{\"item_id\": \"$(item s11 2)\", \"status\": \"done\"}" denied 'own plans'
refused karta_status_set mun1 "{\"item_id\": \"$(item mun1 6)\", \"status\": \"done\"}" precondition 'reference'
refused karta_status_set s11 "{\"item_id\": \"$(item s11 3)\", \"status\": \"finished\"}" bad 'status must'
refused karta_status_set s11 "{\"item_id\": \"$(item s11 3)\", \"status\": \"done\",
	\"evidence\": {\"document\": {\"date\": \"2024-02-30\"}}}" bad 'not a day'
refused karta_status_set s11 "{\"item_id\": \"$(item s11 3)\", \"status\": \"done\",
	\"evidence\": {\"count\": -1}}" bad 'count'
refused karta_status_set s11 "{\"item_id\": \"$(item s11 2)\", \"status\": \"blocked\", \"base\": 1}" \
	conflict 'since version 1'
kt_assert_eq "denied" "$(kt_psql "SELECT status FROM karta_status_set($VIEWER,
	'{\"item_id\": \"$(item mun1 3)\", \"status\": \"done\"}')")" "a viewer device sets a status"
kt_assert_eq "ok|unchanged|2" "$(call karta_status_set s11 "{\"item_id\": \"$(item s11 2)\",
	\"status\": \"done\", \"comment\": \"s11 2 done\", \"base\": 2}" | cut -d'|' -f1,2,4)" \
	"the same status again: no new version"

# --- history ----------------------------------------------------------------------------
kt_assert_eq "in_progress|1
done|2" "$(kt_psql "SELECT h.status, h.row_version FROM item_status_history h
	WHERE h.item_id = '$(item s12 1)' ORDER BY h.valid_from")" "s12's versions of item 1"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM (SELECT status_id FROM item_status_history
	WHERE valid_to IS NULL GROUP BY status_id HAVING count(*) <> 1) x")" "one open version per status"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM item_status s JOIN item_status_history h
	ON h.status_id = s.id AND h.valid_to IS NULL WHERE (h.status, h.row_version) <> (s.status, s.row_version)")" \
	"the open version is the current row"

# --- roll-up ----------------------------------------------------------------------------
D0=$(day -20) D1=$(day -5) D2=$(day +30)
# rollup ORG DATE BY [SCOPE]: per group "code|items|due|done|overdue|not_reported|in_progress|
# blocked|not_applicable|returned|requests_due|requests_missing|last?|sub_orgs|sub_items|sub_due|
# sub_done|sub_overdue|sub_not_reported|sub_orgs_overdue"
rollup() {
	local scope=NULL
	[ -z "${4:-}" ] || scope="'$4'"
	kt_psql "SELECT concat_ws('|', status, grp, items, due, done, overdue, not_reported, in_progress,
		blocked, not_applicable, returned, requests_due, requests_missing,
		CASE WHEN last_submission IS NULL THEN '-' ELSE 'L' END, coalesce(sub_orgs, -1),
		coalesce(sub_items, -1), coalesce(sub_due, -1), coalesce(sub_done, -1),
		coalesce(sub_overdue, -1), coalesce(sub_not_reported, -1), coalesce(sub_orgs_overdue, -1))
		FROM karta_rollup(${DEV[$1]}, '$2', '$3', $scope)"
}
#                                       own: items due done over nrep inpr blk na | ret rdue rmiss last | schools: n items due done over nrep n_over
kt_assert_eq "ok|mun1|0|0|0|0|0|0|0|0|0|0|0|-|4|0|0|0|0|0|0
ok|mun2|0|0|0|0|0|0|0|0|0|0|0|-|4|0|0|0|0|0|0
ok|mun3|0|0|0|0|0|0|0|0|0|0|0|-|4|0|0|0|0|0|0" "$(rollup reg "$D0" municipality)" \
	"region per municipality as of $D0: the plans (moved back 10 days) did not exist yet"
kt_psql "SET session_replication_role = replica; UPDATE plan_item SET created_at = created_at - interval '30 days'
	WHERE plan_id IN (SELECT id FROM plan WHERE owner_org_id = ${ORG[mun3]})" >/dev/null
kt_assert_eq "ok|mun3|5|0|0|0|0|0|0|0|0|0|0|-|4|0|0|0|0|0|0" \
	"$(rollup reg "$D0" municipality | tail -n 1)" "items that existed then count"
kt_psql "SET session_replication_role = replica; UPDATE plan_item SET created_at = created_at + interval '30 days'
	WHERE plan_id IN (SELECT id FROM plan WHERE owner_org_id = ${ORG[mun3]})" >/dev/null

# As of today-5 (phase 1): item 1 (due today-7) is due and late; Q1 (due today-6) is due.
kt_assert_eq "ok|mun1|5|1|0|1|0|1|0|0|1|1|0|L|4|16|4|1|3|2|3
ok|mun2|5|1|0|1|1|0|0|0|0|1|1|-|4|16|4|1|3|3|3
ok|mun3|5|1|0|1|1|0|0|0|0|1|1|-|4|16|4|0|4|4|4" "$(rollup reg "$D1" municipality)" \
	"region per municipality as of $D1"
# As of today+30 (now): items 1 and 2 are due and late; Q1 and Q3 are due.
kt_assert_eq "ok|mun1|5|2|2|0|0|0|0|0|0|2|1|L|4|16|8|4|4|3|3
ok|mun2|5|2|0|2|1|1|0|0|0|2|1|L|4|16|8|1|7|6|4
ok|mun3|5|2|0|2|2|1|0|0|0|2|2|-|4|16|8|0|8|7|4" "$(rollup reg "$D2" municipality)" \
	"region per municipality as of $D2"
kt_assert_eq "$(rollup reg "$D2" municipality | head -n 1)" "$(rollup mun1 "$D2" municipality)" \
	"mun1's own roll-up is the region's line for mun1"
# Drill-down: mun1's schools, seen by mun1 and by the region.
kt_assert_eq "ok|s11|4|2|2|0|0|0|0|0|0|1|0|L|-1|-1|-1|-1|-1|-1|-1
ok|s12|4|2|1|1|0|0|1|1|1|1|0|L|-1|-1|-1|-1|-1|-1|-1
ok|s13|4|2|1|1|1|0|0|0|0|1|1|-|-1|-1|-1|-1|-1|-1|-1
ok|s14|4|2|0|2|2|0|0|0|0|1|1|-|-1|-1|-1|-1|-1|-1|-1" "$(rollup mun1 "$D2" school)" \
	"mun1 per school as of $D2"
kt_assert_eq "$(rollup mun1 "$D2" school)" "$(rollup reg "$D2" school mun1)" \
	"the region's drill-down into mun1"
kt_assert_eq "ok|s11|4|1|1|0|0|1|0|0|0|0|0|L|-1|-1|-1|-1|-1|-1|-1
ok|s12|4|1|0|1|0|1|0|0|0|0|0|-|-1|-1|-1|-1|-1|-1|-1
ok|s13|4|1|0|1|1|0|0|0|0|0|0|-|-1|-1|-1|-1|-1|-1|-1
ok|s14|4|1|0|1|1|0|0|0|0|0|0|-|-1|-1|-1|-1|-1|-1|-1" "$(rollup mun1 "$D1" school)" \
	"mun1 per school as of $D1 (s11 done; s12 in progress then)"
kt_assert_eq "ok|s21|4|2|1|1|0|1|0|0|0|1|0|L|-1|-1|-1|-1|-1|-1|-1
ok|s22|4|2|0|2|2|0|0|0|0|1|1|-|-1|-1|-1|-1|-1|-1|-1
ok|s23|4|2|0|2|2|0|0|0|0|0|0|-|-1|-1|-1|-1|-1|-1|-1
ok|s24|4|2|0|2|2|0|0|0|0|0|0|-|-1|-1|-1|-1|-1|-1|-1" "$(rollup reg "$D2" school mun2)" \
	"the region's drill-down into mun2 (Q4 asks s21 and s22 only)"
kt_assert_eq 12 "$(rollup reg "$D2" school | wc -l)" "the region per school: every school"
kt_assert_eq "ok|s12|4|2|1|1|0|0|1|1|1|1|0|L|-1|-1|-1|-1|-1|-1|-1" "$(rollup s12 "$D2" school)" \
	"a school's own roll-up"

# Per regional item: municipalities (items..) and their schools (sub_..) that did it.
# rollup_items ORG DATE [SCOPE]: "grp_name|deadline?|own_status|own_overdue|" + rollup columns
rollup_items() {
	local scope=NULL
	[ -z "${3:-}" ] || scope="'$3'"
	kt_psql "SELECT concat_ws('|', grp_name, coalesce(own_status, '-'), own_overdue, items, due, done,
		overdue, not_reported, in_progress, blocked, not_applicable, returned, requests_due,
		requests_missing, CASE WHEN last_submission IS NULL THEN '-' ELSE 'L' END, sub_orgs,
		sub_items, sub_due, sub_done, sub_overdue, sub_not_reported, sub_orgs_overdue)
		FROM karta_rollup(${DEV[$1]}, '$2', 'item', $scope)"
}
kt_assert_eq "1 Мероприятие 1|-|t|3|3|1|2|1|1|0|0|0|6|4|L|12|12|12|4|8|7|8
2 Мероприятие 2|-|t|3|3|1|2|2|0|0|0|0|0|0|-|12|12|12|1|11|9|11
3 Мероприятие 3|-|f|3|0|0|0|0|0|0|0|0|0|0|-|12|12|0|0|0|0|0
4 Мероприятие 4|-|f|3|0|0|0|0|1|0|0|0|0|0|-|12|12|0|0|0|0|0
5 Мероприятие 5|-|f|3|0|0|0|0|0|0|0|0|0|0|-|0|0|0|0|0|0|0
6 Мероприятие 6|done|f|0|0|0|0|0|0|0|0|0|0|0|-|0|0|0|0|0|0|0" "$(rollup_items reg "$D2")" \
	"the region per item as of $D2"
kt_assert_eq "1 Мероприятие 1|-|t|3|3|0|3|2|1|0|0|1|3|2|L|12|12|12|2|10|9|10
2 Мероприятие 2|-|f|3|0|0|0|0|0|0|0|0|0|0|-|12|12|0|0|0|0|0
3 Мероприятие 3|-|f|3|0|0|0|0|0|0|0|0|0|0|-|12|12|0|0|0|0|0
4 Мероприятие 4|-|f|3|0|0|0|0|0|0|0|0|0|0|-|12|12|0|0|0|0|0
5 Мероприятие 5|-|f|3|0|0|0|0|0|0|0|0|0|0|-|0|0|0|0|0|0|0
6 Мероприятие 6|-|t|0|0|0|0|0|0|0|0|0|0|0|-|0|0|0|0|0|0|0" "$(rollup_items reg "$D1")" \
	"the region per item as of $D1"
kt_assert_eq "1 Мероприятие 1|done|f|4|4|3|1|1|0|0|0|1|4|2|L|0|0|0|0|0|0|0
2 Мероприятие 2|done|f|4|4|1|3|2|0|1|0|0|0|0|-|0|0|0|0|0|0|0
3 Мероприятие 3|-|f|4|0|0|0|0|0|0|1|0|0|0|-|0|0|0|0|0|0|0
4 Мероприятие 4|-|f|4|0|0|0|0|0|0|0|0|0|0|-|0|0|0|0|0|0|0
5 Мероприятие 5|-|f|0|0|0|0|0|0|0|0|0|0|0|-|0|0|0|0|0|0|0" "$(rollup_items mun1 "$D2")" \
	"mun1 per item as of $D2 (its schools)"
kt_assert_eq "1 Мероприятие 1|done|f|0|0|0|0|0|0|0|0|0|0|0|-|0|0|0|0|0|0|0
2 Мероприятие 2|blocked|t|0|0|0|0|0|0|0|0|0|0|0|-|0|0|0|0|0|0|0
3 Мероприятие 3|not_applicable|f|0|0|0|0|0|0|0|0|0|0|0|-|0|0|0|0|0|0|0
4 Мероприятие 4|-|f|0|0|0|0|0|0|0|0|0|0|0|-|0|0|0|0|0|0|0" "$(rollup_items reg "$D2" s12)" \
	"drill-down to a school's items"
kt_assert_eq "$(rollup_items reg "$D2")" "$(kt_psql "SELECT concat_ws('|', grp_name,
	coalesce(own_status, '-'), own_overdue, items, due, done, overdue, not_reported, in_progress,
	blocked, not_applicable, returned, requests_due, requests_missing,
	CASE WHEN last_submission IS NULL THEN '-' ELSE 'L' END, sub_orgs, sub_items, sub_due, sub_done,
	sub_overdue, sub_not_reported, sub_orgs_overdue)
	FROM karta_rollup(${DEV[reg]}, '$D2', 'item', NULL, '$RPLAN')")" "restricted to the regional plan's cascade"
kt_assert_eq "$(kt_psql "SELECT max(at) FROM report_transition t JOIN report_submission s
	ON s.id = t.submission_id WHERE s.org_id = ${ORG[mun1]} AND t.to_state IN ('submitted', 'resubmitted')
	AND t.at < '$D1'::date + 1")" "$(kt_psql "SELECT last_submission FROM karta_rollup(${DEV[reg]}, '$D1',
	'municipality') WHERE grp = 'mun1'")" "mun1's last submission as of $D1 (the first submit)"
kt_assert_eq "$(kt_psql "SELECT submitted_at FROM report_submission WHERE id = '$S1'")" \
	"$(kt_psql "SELECT last_submission FROM karta_rollup(${DEV[reg]}, '$D2', 'municipality')
	WHERE grp = 'mun1'")" "mun1's last submission as of $D2 (the resubmit)"

# Refusals: another municipality, a school looking up, bad arguments.
kt_assert_eq "not_found|1" "$(kt_psql "SELECT status, count(*) OVER () FROM karta_rollup(${DEV[mun2]},
	'$D2', 'school', 'mun1')")" "mun2 rolls up mun1"
kt_assert_eq "not_found" "$(kt_psql "SELECT status FROM karta_rollup(${DEV[s11]}, '$D2', 'school', 'mun1')")" \
	"a school rolls up its municipality"
kt_assert_eq "not_found" "$(kt_psql "SELECT status FROM karta_rollup(${DEV[s11]}, '$D2', 'item', 's12')")" \
	"a school rolls up another school"
kt_assert_eq "not_found" "$(kt_psql "SELECT status FROM karta_overdue(${DEV[mun2]}, '$D2', 'mun1')")" \
	"mun2 lists mun1's overdue"
kt_assert_eq "bad" "$(kt_psql "SELECT status FROM karta_rollup(${DEV[reg]}, '$D2', 'region')")" "by region"
kt_assert_eq "ok|mun2" "$(kt_psql "SELECT status, grp FROM karta_rollup(${DEV[mun2]}, '$D2', 'municipality')")" \
	"mun2's municipality roll-up has only itself"

# --- overdue lists ----------------------------------------------------------------------
overdue() { # ORG DATE [SCOPE]: "due|kind|org|number-or-title|state"
	local scope=NULL
	[ -z "${3:-}" ] || scope="'$3'"
	kt_psql "SELECT concat_ws('|', due - '$TODAY'::date, kind, org,
		CASE kind WHEN 'item' THEN number ELSE title END, state)
		FROM karta_overdue(${DEV[$1]}, '$2', $scope)"
}
kt_assert_eq "-7|item|s12|1|in_progress
-7|item|s13|1|not_reported
-7|item|s14|1|not_reported
-7|item|mun1|1|in_progress
-6|request|mun1|Отчёт по п. 1|returned" "$(overdue mun1 "$D1")" "mun1's overdue as of $D1"
kt_assert_eq "-7|item|s14|1|not_reported
5|request|s12|Списки участников|returned
5|request|s13|Списки участников|missing
5|request|s14|Списки участников|missing
10|item|s12|2|blocked
10|item|s13|2|not_reported
10|item|s14|2|not_reported
20|request|mun1|Отчёт по п. 1 (второй срок)|missing" "$(overdue mun1 "$D2")" "mun1's overdue as of $D2"
kt_assert_eq "item|25
request|8" "$(kt_psql "SELECT kind, count(*) FROM karta_overdue(${DEV[reg]}, '$D2') GROUP BY kind
	ORDER BY kind")" "the region's overdue as of $D2"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM karta_overdue(${DEV[reg]}, '$D2')
	WHERE kind = 'item' AND number IN ('3', '4', '5')")" \
	"continuous, external and not-yet-due items are never overdue"
kt_assert_eq "" "$(overdue s11 "$D2")" "s11 has nothing overdue"

# --- feeds ------------------------------------------------------------------------------
kt_assert_eq "item_status|2|3
report_submission|1|3" "$(kt_psql "SELECT entity_type, count(DISTINCT entity_id), count(*) FROM change_log
	WHERE feed_id = ${ORG[s11]} AND entity_type NOT LIKE 'plan%' GROUP BY 1 ORDER BY 1")" \
	"s11's feed: its statuses (2 items, 3 writes) and its submission (created, submitted, accepted)"
kt_assert_eq "report_request|2" "$(kt_psql "SELECT entity_type, count(*) FROM change_log
	WHERE feed_id = ${ORG[reg]} AND entity_type LIKE 'report%' GROUP BY 1")" "the region's feed: Q1, Q3"
kt_assert_eq "0" "$(kt_psql "WITH cur AS (
		SELECT 'item_status' AS t, s.id, s.org_id AS org, to_jsonb(s) AS j FROM item_status s
		UNION ALL SELECT 'report_request', r.id, r.receiver_org_id, to_jsonb(r) FROM report_request r
		UNION ALL SELECT 'report_submission', s.id, s.org_id, to_jsonb(s) FROM report_submission s),
	newest AS (SELECT DISTINCT ON (entity_type, entity_id) entity_type, entity_id, feed_id, payload
		FROM change_log ORDER BY entity_type, entity_id, seq DESC)
	SELECT count(*) FROM cur LEFT JOIN newest n ON n.entity_type = cur.t AND n.entity_id = cur.id
	WHERE n.payload::jsonb - '{created_at,updated_at,submitted_at,decided_at}'::text[]
	      IS DISTINCT FROM cur.j - '{created_at,updated_at,submitted_at,decided_at}'::text[]
	   OR n.feed_id IS DISTINCT FROM cur.org")" \
	"rows whose newest change is not the row itself (but for phase 1's moved times), or in another feed"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM feed f LEFT JOIN (SELECT feed_id, count(*) n, max(seq) mx
	FROM change_log GROUP BY feed_id) c ON c.feed_id = f.org_id
	WHERE coalesce(c.n, 0) <> f.last_seq OR coalesce(c.mx, 0) <> f.last_seq")" "feeds gap-free"
# pulled DEVICE_ORG: "feed|entity_type|count" of the report changes a pull from seq 0 of every
# visible feed gives (the log replayed: each version). A first pull without cursors fills
# the feeds from their current rows instead (sql/0015): filled DEVICE_ORG, one row an entity.
pulled() {
	kt_psql "SELECT feed, entity_type, count(*) FROM karta_pull(${DEV[$1]},
		(SELECT jsonb_agg(jsonb_build_object('feed', code, 'epoch', epoch, 'seq', 0))
		 FROM karta_feed_visible(${DEV[$1]})), 100000000)
		WHERE kind = 'change' AND entity_type IN ('item_status', 'report_request', 'report_submission')
		GROUP BY 1, 2 ORDER BY 1, 2"
}
filled() {
	kt_psql "SELECT feed, entity_type, count(*) FROM karta_pull(${DEV[$1]}, '[]', 100000000)
		WHERE kind = 'change' AND entity_type IN ('item_status', 'report_request', 'report_submission')
		GROUP BY 1, 2 ORDER BY 1, 2"
}
kt_assert_eq "mun1|report_request|1
reg|report_request|2
s12|item_status|4
s12|report_submission|3" "$(pulled s12)" \
	"s12 pulls the requests from above and its own rows; nothing of s11 or of mun1's reports"
kt_assert_eq "mun1|report_request|1
reg|report_request|2
s12|item_status|3
s12|report_submission|1" "$(filled s12)" \
	"s12's first pull fills the requests from above and its own current rows; nothing of s11 or of mun1's reports"
got=$(pulled mun2)
kt_assert_not_contains "$got" "mun1|" "mun2's pull"
kt_assert_not_contains "$got" "s1" "mun2's pull"
kt_assert_contains "$got" "s21|item_status|2" "mun2's pull"
kt_assert_contains "$got" "s21|report_submission|2" "mun2's pull"
kt_assert_contains "$got" "mun2|report_submission|2" "mun2's pull"
got=$(pulled reg)
kt_assert_contains "$got" "mun1|report_submission|" "the region's pull"
kt_assert_contains "$got" "s11|report_submission|3" "the region's pull"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM karta_snapshot(${DEV[s12]}, 'mun1', NULL, NULL, 100000000)
	WHERE entity_type IN ('item_status', 'report_submission')")" "s12's snapshot of mun1's feed"
kt_assert_eq "1" "$(kt_psql "SELECT count(*) FROM karta_snapshot(${DEV[s12]}, 'mun1', NULL, NULL, 100000000)
	WHERE entity_type = 'report_request'")" "s12's snapshot of mun1's feed: Q2"
kt_assert_eq "2" "$(kt_psql "SELECT count(*) FROM karta_snapshot(${DEV[reg]}, 'mun1', NULL, NULL, 100000000)
	WHERE entity_type = 'report_submission'")" "the region's snapshot of mun1's feed: S1 and S1B"

kt_pass
