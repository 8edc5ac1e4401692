#!/usr/bin/env bash
# t_reports: item statuses, report requests and submissions, the roll-up and the overdue
# list through the client (karta item status, karta report …, karta rollup, karta overdue;
# docs/reports.md) against real kartad, PostgreSQL and TLS.
#  - a plan cascade: the region's plan with dated deadlines, approved; mun1 and mun2 derive
#    and approve theirs; the schools derive from their municipality's;
#  - the schools set their statuses OFFLINE (queued), then sync; evidence text parsed into
#    the evidence object;
#  - the region asks the municipalities for a report; mun1 drafts and submits, the region
#    returns it with a reason, mun1 edits and resubmits, the region accepts; a change after
#    acceptance is a new submission (version 2, supersedes the accepted one); mun2 submits
#    and is returned; report list / show read the replicas;
#  - karta rollup --as-of two days, by municipality and by school, CSV compared exactly with
#    hand-computed figures; the text table (TOTAL row, no colors when piped); JSON;
#    by item for the region; karta overdue;
#  - refusals: a school accepting its own report, mun2 accepting or seeing mun1's submission,
#    a school setting the status of its municipality's item, bad input (usage errors, exit 2).
# Dates are relative to today (the server's current_date): statuses written now are seen by
# an as-of day on or after today only.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_reports
kt_start_kartad

offline() { sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/$1.conf" >"$KT_WORK/$1-off.conf"; }
for o in sch11 sch12 sch21 mun1; do offline "$o"; done

TODAY=$(kt_psql "SELECT current_date")
day() { date -d "$TODAY $1 days" +%F; }          # YYYY-MM-DD
ru_day() { date -d "$TODAY $1 days" +%d.%m.%Y; } # DD.MM.YYYY, as a deadline is written
D1=$(day +1) D2=$(day +20)
# item ORG NUMBER: the id of item NUMBER in ORG's plan.
item() {
	kt_psql "SELECT i.id FROM plan_item i JOIN plan p ON p.id = i.plan_id
		JOIN organization o ON o.id = p.owner_org_id WHERE o.code = '$1' AND i.number = '$2'"
}
# sub_of OUTPUT: the submission id in "submission <id>: …" (or the new one after acceptance).
sub_of() { grep -oE 'submission [0-9a-f-]{36}' <<<"$1" | tail -n 1 | cut -d' ' -f2; }
# ts: CSV (CRLF) as lines, timestamps (to the minute) replaced by TS, for exact comparisons.
ts() { tr -d '\r' | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/TS/g'; }

# --- the plan cascade -------------------------------------------------------------------
# 1.1 due 5 days ago, 1.2 in 10 days, 1.3 in 40 days, 1.4 continuous (never due).
kt_ok reg plan create --title "Дорожная карта ГИА" --year 2026 --section "1|Мероприятия"
PLAN=$(kt_id_of "$KT_OUT" plan)
add() { # NUMBER DEADLINE TITLE
	kt_ok reg item add "$PLAN" --section 1 --number "$1" --title "$3" --deadline "$2" \
		--responsible "УО, ОО" --municipal "муниципальное $1" --institutional "школьное $1"
}
add 1.1 "до $(ru_day -5)" "Собрания с родителями"
add 1.2 "до $(ru_day +10)" "Информирование участников"
add 1.3 "до $(ru_day +40)" "Пробный экзамен"
add 1.4 "постоянно" "Мониторинг сайтов"
kt_assert_eq "date $(day -5)|by_date $(day +10)|by_date $(day +40)|continuous " \
	"$(kt_psql "SELECT string_agg(deadline_kind || ' ' || coalesce(deadline_last::text, ''), '|'
		ORDER BY number) FROM plan_item WHERE plan_id = '$PLAN'" |
		sed -E 's/^(by_)?date /date /')" "deadlines as the server read them"
kt_ok reg plan approve "$PLAN" --number "01-08/1" --date "$(day -30)"
kt_ok mun1 plan derive "$PLAN"
MPLAN1=$(kt_id_of "$KT_OUT" plan)
kt_ok mun1 plan approve "$MPLAN1" --number "м-1" --date "$(day -20)"
kt_ok mun2 plan derive "$PLAN"
MPLAN2=$(kt_id_of "$KT_OUT" plan)
kt_ok mun2 plan approve "$MPLAN2" --number "м-2" --date "$(day -20)"
kt_ok sch11 plan derive "$MPLAN1"
kt_ok sch12 plan derive "$MPLAN1"
kt_ok sch21 plan derive "$MPLAN2"
kt_assert_eq 4 "$(kt_psql "SELECT count(*) FROM plan_item i JOIN plan p ON p.id = i.plan_id
	JOIN organization o ON o.id = p.owner_org_id WHERE o.code = 'sch21' AND NOT i.reference_only")" \
	"items of sch21's plan"

# --- statuses: the schools offline, then sync --------------------------------------------
kt_ok sch11-off item status "$(item sch11 1.1)" done --comment "проведены" \
	--evidence "Приказ №12 от 01.10.2026" --count 25 --attachment "docs/prikaz-12.pdf"
kt_assert_contains "$KT_OUT" "status of item $(item sch11 1.1): done (queued)" "offline item status"
kt_assert_contains "$KT_ERR" "queued" "offline item status says so"
kt_ok sch11-off item status "$(item sch11 1.2)" "в работе"
kt_ok sch11-off item status "$(item sch11 1.3)" выполнено
kt_ok sch12-off item status "$(item sch12 1.1)" in_progress
kt_ok sch21-off item status "$(item sch21 1.1)" not_applicable --comment "нет выпускников"
kt_ok sch21-off item status "$(item sch21 1.2)" done
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM item_status")" "nothing reached the server offline"
kt_ok sch11-off status
kt_assert_match "$KT_OUT" "queued: +3 changes" "sch11's outbox"
kt_ok sch11 sync
kt_assert_contains "$KT_OUT" "sent 3 changes: 3 applied" "sch11 sync"
kt_ok sch12 sync
kt_assert_contains "$KT_OUT" "sent 1 change: 1 applied" "sch12 sync"
kt_ok sch21 sync
kt_assert_contains "$KT_OUT" "sent 2 changes: 2 applied" "sch21 sync"
kt_assert_eq 'in_progress' "$(kt_psql "SELECT s.status FROM item_status s WHERE s.item_id = '$(item sch11 1.2)'")" \
	"Russian status word"
kt_assert_eq '{"count": 25, "document": {"date": "2026-10-01", "kind": "приказ", "title": "Приказ №12 от 01.10.2026", "number": "12"}, "attachment": {"ref": "docs/prikaz-12.pdf", "name": "prikaz-12.pdf"}}|проведены' \
	"$(kt_psql "SELECT evidence::text || '|' || comment FROM item_status WHERE item_id = '$(item sch11 1.1)'")" \
	"evidence parsed from the text"
# the municipalities, online: mun1 1.1 done, 1.2 blocked; mun2 nothing
kt_ok mun1 item status "$(item mun1 1.1)" done
kt_assert_match "$KT_OUT" "^status of item $(item mun1 1.1): done \\(version 1\\)$" "online item status"
kt_ok mun1 item status "$(item mun1 1.2)" blocked --comment "ждём списки"
kt_ok mun1 status set "$(item mun1 1.2)" blocked --comment "ждём списки"
kt_assert_contains "$KT_OUT" "(version 1, unchanged)" "the same status again (the old spelling)"
kt_assert_contains "$KT_ERR" "'karta status set' is deprecated: use 'karta item status'" \
	"the old spelling says what replaces it"
# refusals: another organization's item; a stale base; not a status; a date that is no day
kt_refused sch11 "own plans" item status "$(item mun1 1.3)" done
kt_refused mun1 "conflict|changed since" item status "$(item mun1 1.1)" in_progress --base 0
kt_run kt_karta mun1 item status "$(item mun1 1.3)" finished
kt_assert_rc 2 "item status with an unknown status"
kt_assert_contains "$KT_ERR" "'finished' is not a status" "unknown status"
kt_run kt_karta mun1 item status "$(item mun1 1.3)" done --evidence "Приказ №3 от 31.11.2026"
kt_assert_rc 2 "item status with a bad evidence date"
kt_assert_contains "$KT_ERR" "'31.11.2026' is not a day" "bad evidence date"
kt_ok mun1 status
kt_assert_match "$KT_OUT" "rejected: +1" "the refused stale write is listed"

# --- a report request, returned, resubmitted, accepted -----------------------------------
kt_ok reg report request "$(item reg 1.1)" --title "Отчёт о собраниях" --due "$TODAY"
REQ=$(sed -n 's/^report request \([0-9a-f-]\{36\}\) created (version 1)$/\1/p' <<<"$KT_OUT")
[ -n "$REQ" ] || kt_fail "report request printed: $KT_OUT"
kt_assert_eq "municipality|$TODAY" "$(kt_psql "SELECT submitter_level || '|' || due_date
	FROM report_request WHERE id = '$REQ'")" "submitters default to the level below"
kt_ok mun1 report draft "$REQ" --comment "проведено 12 собраний" --evidence "Протокол № 5 от 10.11.2026"
SUB=$(sub_of "$KT_OUT")
kt_assert_match "$KT_OUT" "^submission $SUB: draft created \\(version 1\\)$" "draft"
kt_ok mun1 report submit "$SUB"
kt_assert_contains "$KT_OUT" "submission $SUB: submitted (version 2)" "submit"
kt_ok reg report return "$SUB" --reason "Нет списка школ"
kt_assert_contains "$KT_OUT" "submission $SUB: returned (version 3)" "return"
kt_ok mun1 sync
kt_ok mun1 report show "$SUB"
kt_assert_match "$KT_OUT" "state +returned" "mun1 sees the return"
kt_assert_match "$KT_OUT" "return reason +Нет списка школ" "with the reason"
kt_assert_match "$KT_OUT" "evidence +Протокол № 5 от 10.11.2026 \\[2026-11-10\\]" "and its evidence"
kt_ok mun1 report draft "$SUB" --comment "проведено 12 собраний, список приложен"
kt_assert_contains "$KT_OUT" "submission $SUB: draft saved (version 4)" "edit a returned submission"
kt_ok mun1 report submit "$SUB"
kt_assert_contains "$KT_OUT" "submission $SUB: resubmitted (version 5)" "resubmit"
# refusals: a sibling cannot decide nor see it; the author cannot accept its own
kt_refused mun2 "not_found|no submission" report accept "$SUB"
kt_refused mun1 "own report" report accept "$SUB"
kt_ok mun2 sync
kt_run kt_karta mun2 report show "$SUB"
kt_assert_rc 1 "mun2 report show of mun1's submission"
kt_assert_contains "$KT_ERR" "no report request or submission $SUB" "mun2 does not see it"
kt_assert_eq 0 "$(sqlite3 "$KT_WORK/mun2.state/replica.db" \
	"SELECT count(*) FROM row WHERE entity_id = '$SUB'")" "mun1's submission in mun2's replica"
kt_ok reg report accept "$SUB"
kt_assert_contains "$KT_OUT" "submission $SUB: accepted (version 6)" "accept"
kt_assert_eq "NULL>draft|draft>submitted|submitted>returned|returned>resubmitted|resubmitted>accepted" \
	"$(kt_psql "SELECT string_agg(coalesce(from_state, 'NULL') || '>' || to_state, '|' ORDER BY id)
		FROM report_transition WHERE submission_id = '$SUB'")" "transitions"
# a change after acceptance is a new submission; the accepted one stays
kt_ok mun1 sync
kt_ok mun1 report draft "$SUB" --comment "уточнение: 13 собраний"
SUB2=$(sub_of "$KT_OUT")
kt_assert_match "$KT_OUT" "^submission $SUB is accepted: the change is new submission $SUB2 \\(version 1\\)$" \
	"editing an accepted submission"
kt_assert_eq "2|$SUB|draft|accepted" "$(kt_psql "SELECT n.version_no || '|' || n.supersedes || '|' ||
	n.state || '|' || o.state FROM report_submission n, report_submission o
	WHERE n.id = '$SUB2' AND o.id = '$SUB'")" "the new submission"
# mun2: create and submit in one step (the request is in its replica), then returned
kt_ok mun2 report submit "$REQ" --comment "собрания проведены"
MSUB=$(sub_of "$KT_OUT")
kt_assert_contains "$KT_OUT" "submission $MSUB: submitted" "mun2 create-and-submit"
kt_ok reg report return "$MSUB" --reason "Нет протоколов"
kt_ok reg sync
kt_ok reg report list --format csv
kt_assert_eq 3 "$(grep -c "^$REQ,Отчёт о собраниях,$TODAY,reg,every municipality," <<<"$KT_OUT")" \
	"reg report list rows"
kt_assert_contains "$KT_OUT" ",$SUB,mun1,1,accepted," "accepted submission listed"
kt_assert_contains "$KT_OUT" ",$SUB2,mun1,2,draft," "the new draft listed"
kt_assert_contains "$KT_OUT" ",$MSUB,mun2,1,returned," "mun2's returned one listed"
kt_ok reg report show "$REQ"
kt_assert_match "$KT_OUT" "from +every municipality" "report show of a request"

# a school-level request of mun1: a school cannot accept its own report
kt_ok mun1 report request "$(item mun1 1.3)" --title "Отчёт о пробном экзамене" --due "$(day +30)"
SREQ=$(sed -n 's/^report request \([0-9a-f-]\{36\}\) created.*/\1/p' <<<"$KT_OUT")
kt_assert_eq "school" "$(kt_psql "SELECT submitter_level FROM report_request WHERE id = '$SREQ'")" \
	"a municipality asks its schools by default"
kt_ok sch11 sync
kt_ok sch11 report submit "$SREQ" --evidence "Справка о проведении"
SSUB=$(sub_of "$KT_OUT")
kt_refused sch11 "own report" report accept "$SSUB"
kt_refused sch12 "own report|not_found|no submission|receiver" report accept "$SSUB"
kt_refused sch11 "a school receives no reports" report request "$(item sch11 1.1)" --title "x" \
	--due "$TODAY" --submitters school
kt_run kt_karta mun1 report request "$(item mun1 1.3)" --title "x"
kt_assert_rc 2 "report request without a deadline"
kt_assert_contains "$KT_ERR" "give --due DATE" "no deadline"
kt_run kt_karta mun1 report return "$SSUB" --reason "  "
kt_assert_rc 2 "return with an empty reason"

# --- the roll-up -------------------------------------------------------------------------
MUN_HEAD="org,name,items,due,done,done %,overdue,not reported,in progress,blocked,reports due,reports missing,returned,last submission,schools,sch. items,sch. done,sch. done %,sch. overdue,sch. not reported,schools late"
kt_ok reg rollup --as-of "$D1" --by municipality --format csv
kt_assert_eq "$MUN_HEAD
mun1,Первый муниципальный округ,4,1,1,25.0,0,0,0,1,1,0,0,TS,2,8,2,25.0,1,0,1
mun2,Второй муниципальный округ,4,1,0,0.0,1,1,0,0,1,0,1,TS,1,4,1,25.0,0,0,0" "$(ts <<<"$KT_OUT")" \
	"rollup by municipality as of D+1"
kt_ok reg rollup --as-of "$D2" --format csv # default: by municipality for the region
kt_assert_eq "$MUN_HEAD
mun1,Первый муниципальный округ,4,2,1,25.0,1,0,0,1,1,0,0,TS,2,8,2,25.0,3,1,2
mun2,Второй муниципальный округ,4,2,0,0.0,2,2,0,0,1,0,1,TS,1,4,1,25.0,0,0,0" "$(ts <<<"$KT_OUT")" \
	"rollup by municipality as of D+20"
SCH_HEAD="org,name,municipality,items,due,done,done %,overdue,not reported,in progress,blocked,reports due,reports missing,returned,last submission"
kt_ok reg rollup --as-of "$D1" --by school --format csv
kt_assert_eq "$SCH_HEAD
sch11,Школа № 11,mun1,4,1,2,50.0,0,0,1,0,0,0,0,TS
sch12,Школа № 12,mun1,4,1,0,0.0,1,0,1,0,0,0,0,
sch21,Школа № 21,mun2,4,1,1,25.0,0,0,0,0,0,0,0," "$(ts <<<"$KT_OUT")" "rollup by school as of D+1"
kt_ok reg rollup --as-of "$D2" --by school --format csv
kt_assert_eq "$SCH_HEAD
sch11,Школа № 11,mun1,4,2,2,50.0,1,0,1,0,0,0,0,TS
sch12,Школа № 12,mun1,4,2,0,0.0,2,1,1,0,0,0,0,
sch21,Школа № 21,mun2,4,2,1,25.0,0,0,0,0,0,0,0," "$(ts <<<"$KT_OUT")" "rollup by school as of D+20"
# a municipality's default view: its schools (no municipality column)
kt_ok mun1 rollup --as-of "$D2" --format csv
kt_assert_eq "org,name,items,due,done,done %,overdue,not reported,in progress,blocked,reports due,reports missing,returned,last submission
sch11,Школа № 11,4,2,2,50.0,1,0,1,0,0,0,0,TS
sch12,Школа № 12,4,2,0,0.0,2,1,1,0,0,0,0," "$(ts <<<"$KT_OUT")" "mun1's rollup"
# the region's drill-down to mun1 (by school) equals mun1's own view
kt_ok reg rollup --as-of "$D2" --scope mun1 --format csv
kt_assert_contains "$(ts <<<"$KT_OUT")" "sch12,Школа № 12,4,2,0,0.0,2,1,1,0,0,0,0," "region's drill-down"
# by item, as of D+20: item 1.1 — the region's own (not reported, overdue), 2 municipalities
# (1 done, 1 overdue and not reported), 3 schools (1 done, 1 overdue), the request: 2 due,
# none missing, 1 returned.
kt_ok reg rollup --as-of "$D2" --by item --format csv
kt_assert_eq "item,deadline,status,overdue,municipalities,mun. done,mun. done %,mun. overdue,mun. not reported,schools,sch. done,sch. done %,sch. overdue,sch. not reported,reports due,reports missing,returned,last submission" \
	"$(head -n 1 <<<"$KT_OUT" | ts)" "by item header"
kt_assert_eq "1.1 Собрания с родителями,$(day -5),,yes,2,1,50.0,1,1,3,1,33.3,1,0,2,0,1,TS" \
	"$(sed -n 2p <<<"$KT_OUT" | ts)" "by item: 1.1"
kt_assert_eq "1.2 Информирование участников,$(day +10),,yes,2,0,0.0,2,1,3,1,33.3,2,1,0,0,0," \
	"$(sed -n 3p <<<"$KT_OUT" | ts)" "by item: 1.2"
# the school's view: its own items
kt_ok sch12 rollup --as-of "$D2" --format csv
kt_assert_eq "item,deadline,status,overdue
1.1 Собрания с родителями,$(day -5),in_progress,yes
1.2 Информирование участников,$(day +10),,yes
1.3 Пробный экзамен,$(day +40),,
1.4 Мониторинг сайтов,,," "$(ts <<<"$KT_OUT")" "sch12 by item"
# the text table: labels, TOTAL row, no ANSI codes when piped
kt_ok reg rollup --as-of "$D2"
kt_assert_contains "$KT_OUT" "roll-up by municipality as of $D2" "text heading"
kt_assert_match "$KT_OUT" "^TOTAL +8 +4 +1 +12\\.5 +3 +2 " "TOTAL row"
kt_assert_not_contains "$KT_OUT" $'\e[' "no colors when piped"
# on a terminal: overdue figures in bold red
if command -v script >/dev/null; then
	out=$(script -qec "$KT_KARTA --config $KT_WORK/reg.conf rollup --as-of $D2" /dev/null)
	kt_assert_contains "$out" $'\e[1;31m3\e[0m' "overdue figures highlighted on a terminal"
fi
kt_ok reg rollup --as-of "$D1" --format json
kt_assert_eq "mun2|1|1|1|false" "$(jq -r '.[1] | [.grp, .overdue, .not_reported, .returned,
	(.last_submission == null)] | map(tostring) | join("|")' <<<"$KT_OUT")" "rollup json"
kt_ok reg rollup --as-of "$D1" --format csv --bom
kt_assert_eq "efbbbf" "$(head -c 3 <<<"$KT_OUT" | od -An -tx1 | tr -d ' ')" "--bom"
kt_refused mun2 "not_found|no organization" rollup --scope mun1
kt_run kt_karta reg rollup --as-of 2026-02-30
kt_assert_rc 2 "rollup with a day that does not exist"
kt_assert_contains "$KT_ERR" "--as-of needs a date" "bad --as-of"

# --- overdue -----------------------------------------------------------------------------
kt_ok reg overdue --as-of "$D1" --format csv # by due date, then parent code, organization
kt_assert_eq "due,org,name,municipality,kind,number,title,state
$(day -5),reg,Тестовая область,,item,1.1,Собрания с родителями,not_reported
$(day -5),sch12,Школа № 12,mun1,item,1.1,Собрания с родителями,in_progress
$(day -5),mun2,Второй муниципальный округ,reg,item,1.1,Собрания с родителями,not_reported
$TODAY,mun2,Второй муниципальный округ,reg,request,,Отчёт о собраниях,returned" "$(ts <<<"$KT_OUT")" \
	"overdue as of D+1"
kt_ok mun1 overdue --as-of "$D2"
kt_assert_contains "$KT_OUT" "4 overdue: 4 items, 0 reports" "mun1's overdue summary"
kt_ok sch21 overdue --as-of "$D1"
kt_assert_contains "$KT_OUT" "nothing overdue" "sch21 has nothing overdue"

kt_stop_kartad

# a table larger than a reply may be is refused with the reason, at once (it was dropped:
# the client waited for an answer that never came)
kt_psql "INSERT INTO organization(code, name, level, parent_id) SELECT 'x' || k, 'Школа ' || k, 'school',
	(SELECT id FROM organization WHERE code = 'mun1') FROM generate_series(1, 40) k"
kt_start_kartad --max-frame 1024
kt_refused reg "larger than a reply may be.*max_frame_bytes 1024" rollup --by school --as-of "$D2"
kt_ok reg rollup --as-of "$D2" --format csv # a small one still arrives
kt_stop_kartad
kt_pass
