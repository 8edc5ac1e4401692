#!/usr/bin/env bash
# t_feeds: per-organization change feeds (sql/0005_change_feeds.sql, docs/sync.md).
# Writes through the real client append change_log rows, in the writing transaction, to
# the feed of the organization owning the plan — seqs 1..N gap-free per feed, right entity
# types and ops, changed fields, origin device, payload = the row as it now is. Two
# transactions on one feed that commit in the opposite order of their start: a reader
# between the commits sees the first committer's seq and no later one, and its cursor never
# skips. A rolled-back write leaves no row and no gap. LISTEN karta_feed gets "feed:seq"
# after a commit, nothing for a rollback. A re-import racing an item edit on the same feed
# does not deadlock. A database that already has plans gets them into its feeds on upgrade.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

trap '' PIPE # a psql session that died makes a write to its fifo fail, not kill the test

kt_setup t_feeds
kt_start_kartad
SEEDS=${KT_SEEDS:-$KT_SRC/tests/fixtures/seeds}

org_id() { kt_psql "SELECT id FROM organization WHERE code = '$1'"; }
dev_id() {
	kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = '$1'"
}
last_seq() { kt_psql "SELECT last_seq FROM feed WHERE org_id = $1"; }
# changes FEED SINCE: "seq|entity_type|entity_id|op|row_version|changed_fields|origin_device"
changes() {
	kt_psql "SELECT seq, entity_type, entity_id, op, row_version, changed_fields, origin_device
		FROM change_log WHERE feed_id = $1 AND seq > $2 ORDER BY seq"
}
# gap_free: every feed's log is exactly 1..last_seq (prints the feeds that are not).
gap_free() {
	kt_psql "SELECT string_agg(format('%s: last_seq %s, %s rows, max %s', f.org_id, f.last_seq,
			c.n, c.mx), '; ')
		FROM feed f LEFT JOIN (SELECT feed_id, count(*) AS n, min(seq) AS mn, max(seq) AS mx
			FROM change_log GROUP BY feed_id) c ON c.feed_id = f.org_id
		WHERE coalesce(c.n, 0) <> f.last_seq OR coalesce(c.mx, 0) <> f.last_seq
		   OR coalesce(c.mn, 1) <> 1"
}
# replay_mismatches: synced rows whose newest change (highest seq) is not the row as it is
# now, or that sit in another feed than their plan owner's, or that have no change at all.
replay_mismatches() {
	kt_psql "WITH cur AS (
			SELECT 'plan' AS t, p.id, p.owner_org_id AS org, to_jsonb(p) AS j FROM plan p
			UNION ALL SELECT 'plan_section', s.id, p.owner_org_id, to_jsonb(s)
			FROM plan_section s JOIN plan p ON p.id = s.plan_id
			UNION ALL SELECT 'plan_item', i.id, p.owner_org_id, to_jsonb(i)
			FROM plan_item i JOIN plan p ON p.id = i.plan_id
			UNION ALL SELECT 'abbreviation', karta_abbreviation_id(a.plan_id, a.short),
				p.owner_org_id, to_jsonb(a)
			FROM abbreviation a JOIN plan p ON p.id = a.plan_id),
		newest AS (
			SELECT DISTINCT ON (entity_type, entity_id) entity_type, entity_id, feed_id, payload
			FROM change_log ORDER BY entity_type, entity_id, seq DESC)
		SELECT count(*) FROM cur
		LEFT JOIN newest n ON n.entity_type = cur.t AND n.entity_id = cur.id
		WHERE n.payload::jsonb IS DISTINCT FROM cur.j OR n.feed_id IS DISTINCT FROM cur.org"
}

REG=$(org_id reg) MUN1=$(org_id mun1) MUN2=$(org_id mun2)
D_REG=$(dev_id reg) D_MUN1=$(dev_id mun1)

# --- every organization has a feed, new ones included ------------------------------------
kt_assert_eq "6|0" "$(kt_psql "SELECT count(*), sum(last_seq) FROM feed")" "feeds after setup"
kt_run kt_admin org add --code mun3 --name "Третий округ" --level municipality --parent reg
kt_assert_rc 0 "karta-admin org add mun3"
kt_assert_eq "1|0|0" "$(kt_psql "SELECT count(*), min(epoch) - 1, min(last_seq) FROM feed
	WHERE org_id = (SELECT id FROM organization WHERE code = 'mun3')")" "feed of a new organization"

# --- the region's writes go to the region's feed -----------------------------------------
kt_ok reg plan create --title "Дорожная карта ГИА 2024/2025" --year 2024 \
	--section "1|Анализ" --section "2|Организация"
PLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Анализ результатов" \
	--deadline "сентябрь" --responsible "РЦОИ"
I_REF=$(kt_id_of "$KT_OUT" item)
kt_ok reg item add "$PLAN" --section 1 --number 1.2 --title "Сбор сведений" \
	--deadline "до 1 ноября" --responsible "УО, руководители ОО" --municipal "Сбор от ОО"
I_ALL=$(kt_id_of "$KT_OUT" item)
kt_ok reg item edit "$I_ALL" --title "Сбор сведений об участниках"
got=$(changes "$REG" 0 | cut -d'|' -f1,2,4,5,6,7)
kt_assert_eq "1|plan|insert|1||$D_REG
2|plan_section|insert|1||1
3|plan_section|insert|1||1
4|plan_item|insert|1||$D_REG
5|plan_item|insert|1||$D_REG
6|plan_item|update|2|{title}|$D_REG" "$got" "the region's feed"
kt_assert_eq "$PLAN|$I_REF|$I_ALL|$I_ALL" "$(kt_psql "SELECT string_agg(entity_id::text, '|'
	ORDER BY seq) FROM change_log WHERE feed_id = $REG AND entity_type IN ('plan', 'plan_item')")" \
	"entity ids"
kt_assert_eq "Сбор сведений об участниках|2" "$(kt_psql "SELECT payload->>'title',
	payload->>'row_version' FROM change_log WHERE feed_id = $REG AND seq = 6")" \
	"payload of the edit"
kt_assert_eq "6" "$(last_seq "$REG")" "the region's last_seq"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM change_log WHERE feed_id <> $REG")" \
	"other feeds after the region's writes"

# --- mun1's derive goes to mun1's feed, in the same transaction ----------------------------
kt_ok mun1 plan derive "$PLAN"
MPLAN=$(kt_id_of "$KT_OUT" plan)
n_items=$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$MPLAN'")
kt_assert_eq "2" "$n_items" "items derived"
kt_assert_eq "plan:insert:1:$D_MUN1 plan_section:insert:2:$D_MUN1 plan_item:insert:2:$D_MUN1" \
	"$(kt_psql "SELECT string_agg(format('%s:%s:%s:%s', entity_type, op, n, dev), ' '
		ORDER BY min_seq) FROM (SELECT entity_type, op, count(*) AS n, min(seq) AS min_seq,
		string_agg(DISTINCT origin_device::text, ',') AS dev FROM change_log
		WHERE feed_id = $MUN1 GROUP BY 1, 2) x")" "mun1's feed after derive"
kt_assert_eq "5|1|5" "$(kt_psql "SELECT count(*), min(seq), max(seq) FROM change_log
	WHERE feed_id = $MUN1")" "mun1's seqs"
kt_assert_eq "6" "$(last_seq "$REG")" "derive reads the region's plan: nothing in its feed"
kt_assert_eq "1" "$(kt_psql "SELECT count(DISTINCT xmin::text) FROM change_log
	WHERE feed_id = $MUN1")" "derive appends in one transaction"

# Item writes: update with changed fields; the region writing mun1's plan appends to
# mun1's feed (the owner's), recording the region's device; move; soft delete.
M_ALL=$(kt_psql "SELECT id FROM plan_item WHERE plan_id = '$MPLAN' AND derived_from = '$I_ALL'")
kt_ok mun1 item edit "$M_ALL" --municipal "Сбор сведений через РИС"
kt_ok reg item edit "$M_ALL" --institutional "Представление сведений"
kt_ok mun1 item add "$MPLAN" --section 2 --title "Муниципальное совещание" --deadline "Октябрь"
M_OWN=$(kt_id_of "$KT_OUT" item)
kt_ok mun1 item move "$M_OWN" --section 1 --ordinal 9
kt_ok mun1 item delete "$M_OWN" --reason "дублирует 1.2"
got=$(changes "$MUN1" 5 | cut -d'|' -f1-7)
kt_assert_eq "6|plan_item|$M_ALL|update|2|{municipal_action}|$D_MUN1
7|plan_item|$M_ALL|update|3|{institutional_action}|$D_REG
8|plan_item|$M_OWN|insert|1||$D_MUN1
9|plan_item|$M_OWN|update|2|{ordinal,section_id}|$D_MUN1
10|plan_item|$M_OWN|delete|3|{delete_reason,deleted_at}|$D_MUN1" "$got" "mun1's item changes"
kt_assert_eq "6" "$(last_seq "$REG")" \
	"the region's write to mun1's plan is not in the region's feed"

# A plan edit and approval are plan updates with their changed fields.
kt_ok mun1 plan edit "$MPLAN" --title "План первого округа"
kt_assert_match "$(changes "$MUN1" 10 | cut -d'|' -f2,4,6)" '^plan\|update\|\{title\}' "plan edit"

# --- plan import: every row in one transaction, on the importer's feed; a re-import of the
# same document appends only the plan's version bump -----------------------------------
before=$(last_seq "$MUN2")
kt_ok mun2 plan import "$SEEDS/003_042b6b193d2b342e.txt"
P3=$(kt_id_of "$KT_OUT" plan)
kt_assert_eq "1|12|83" "$(kt_psql "SELECT count(*) FILTER (WHERE entity_type = 'plan'),
	count(*) FILTER (WHERE entity_type = 'plan_section'),
	count(*) FILTER (WHERE entity_type = 'plan_item') FROM change_log WHERE feed_id = $MUN2")" \
	"mun2's feed after the import"
kt_assert_eq "$((before + $(kt_psql "SELECT count(*) FROM change_log WHERE feed_id = $MUN2")))" \
	"$(last_seq "$MUN2")" "mun2's last_seq"
after=$(last_seq "$MUN2")
kt_ok mun2 plan import "$SEEDS/003_042b6b193d2b342e.txt" --into "$P3"
kt_assert_contains "$KT_OUT" "0 added, 0 updated, 0 removed" "re-import"
kt_assert_eq "$((after + 1))|plan|update|{}" "$(changes "$MUN2" "$after" | cut -d'|' -f1,2,4,6)" \
	"a re-import of the same document appends only the plan's version bump"
kt_ok reg plan import "$SEEDS/001_ab757c1570964dd4.txt" # has an abbreviation table
P1=$(kt_id_of "$KT_OUT" plan)
abbrevs=$(kt_psql "SELECT count(*) FROM change_log WHERE feed_id = $REG
	AND entity_type = 'abbreviation'")
kt_assert_eq "$(kt_psql "SELECT count(*) FROM abbreviation WHERE plan_id = '$P1'")" "$abbrevs" \
	"abbreviations in the region's feed"
[ "$abbrevs" -gt 0 ] || kt_fail "seed 001 gave no abbreviations"

kt_assert_eq "" "$(gap_free)" "feeds that are not gap-free 1..last_seq"
kt_assert_eq "0" "$(replay_mismatches)" "synced rows whose newest change is not the row itself"

# --- out-of-order commits ------------------------------------------------------------------
# Sessions are psql processes reading SQL from a fifo (fd in SESS_FD[NAME]), output in
# $KT_WORK/NAME.out, application_name t_feeds_NAME; "SELECT 'mark:K'" lines show progress.
declare -A SESS_FD SESS_PID
sess_open() {
	local name=$1 fifo=$KT_WORK/$1.in fd
	mkfifo "$fifo"
	kt_bg psql -XAtq "$KT_CONNINFO application_name=t_feeds_$name" -f "$fifo" \
		>"$KT_WORK/$name.out" 2>&1
	SESS_PID[$name]=$KT_BG_PID
	exec {fd}>"$fifo"
	SESS_FD[$name]=$fd
	sess_send "$name" "SET lock_timeout = '30s'; SET statement_timeout = '60s';"
}
sess_send() { printf '%s\n' "$2" >&"${SESS_FD[$1]}" || kt_fail "session $1 is gone"; }
MARK=0
# sess_mark NAME [TIMEOUT=10]: sends a mark and waits until the session printed it (so all
# it was sent before has run); fails on an error in the session.
sess_mark() {
	local name=$1 limit=${2:-10}
	MARK=$((MARK + 1))
	sess_send "$name" "SELECT 'mark:$MARK';"
	sess_wait "$name" "^mark:$MARK\$" "$limit"
}
sess_wait() { # sess_wait NAME ERE TIMEOUT
	local i
	for ((i = 0; i <= $3 * 10; i++)); do
		grep -q 'ERROR' "$KT_WORK/$1.out" && kt_fail "session $1: $(cat "$KT_WORK/$1.out")"
		grep -Eq -- "$2" "$KT_WORK/$1.out" && return 0
		sleep 0.1
	done
	kt_fail "session $1 printed no /$2/ within $3 s; it printed: $(cat "$KT_WORK/$1.out")"
}
sess_close() {
	local name=$1 i
	sess_send "$name" '\q'
	local fd=${SESS_FD[$name]}
	exec {fd}>&-
	for ((i = 0; i < 100; i++)); do
		kt__exited "${SESS_PID[$name]}" && break
		sleep 0.1
	done
	kt_bg_kill "${SESS_PID[$name]}"
	bg_forget "${SESS_PID[$name]}"
}
# bg_forget PID: a kt_bg process that is gone (else lib.sh's exit trap kills its group
# again, and the failing kill trips the ERR trap after PASS).
bg_forget() {
	local keep=() g
	for g in "${KT_BG_PIDS[@]}"; do
		[ "$g" = "$1" ] || keep+=("$g")
	done
	KT_BG_PIDS=("${keep[@]}")
}
# put_item SESSION ITEM FIELD VALUE: karta_item_put as mun1's device, one field changed.
put_item() {
	sess_send "$1" "SELECT 'put:' || r.status FROM plan_item x,
		karta_item_put($D_MUN1, x.row_version, to_jsonb(x) || jsonb_build_object('$3', '$4')) r
		WHERE x.id = '$2';"
}
# visible FEED: what a reader sees now: "count|max(seq)".
visible() { kt_psql "SELECT count(*), coalesce(max(seq), 0) FROM change_log WHERE feed_id = $1"; }

kt_ok mun1 item add "$MPLAN" --section 2 --title "Второй пункт для гонки"
M_B=$(kt_id_of "$KT_OUT" item)
N0=$(last_seq "$MUN1")
kt_assert_eq "$N0|$N0" "$(visible "$MUN1")" "reader before the race"

sess_open A
sess_open B
sess_send B "BEGIN; SELECT 'xid:' || txid_current();" # B starts first
sess_mark B
sess_send A "BEGIN; SELECT 'xid:' || txid_current();"
put_item A "$M_ALL" municipal_action "правка A"        # A takes the feed: seq N0+1
sess_mark A
sess_wait A '^put:ok$' 1
put_item B "$M_B" municipal_action "правка B"          # B must wait for A's feed lock
blocked=''
for ((i = 0; i < 100; i++)); do
	blocked=$(kt_psql "SELECT b.wait_event_type, a.pid = ANY (pg_blocking_pids(b.pid)),
		(SELECT count(*) FROM pg_locks l WHERE l.pid = b.pid AND l.locktype = 'tuple'
		 AND l.relation = 'feed'::regclass)
		FROM pg_stat_activity b, pg_stat_activity a
		WHERE b.application_name = 't_feeds_B' AND a.application_name = 't_feeds_A'
		AND b.datname = current_database() AND a.datname = b.datname")
	[ "$blocked" = "Lock|t|1" ] && break
	sleep 0.1
done
kt_assert_eq "Lock|t|1" "$blocked" "session B waits for A's lock on the feed row"
kt_assert_eq "$N0|$N0" "$(visible "$MUN1")" "reader while A and B are open"

sess_send A "COMMIT;"
sess_mark A
sess_wait B '^put:ok$' 10                              # B got the lock: seq N0+2, uncommitted
kt_assert_eq "$((N0 + 1))|$((N0 + 1))" "$(visible "$MUN1")" \
	"reader between A's and B's commits: A's seq and nothing after it (count = max)"
kt_assert_eq "$M_ALL|$D_MUN1" "$(kt_psql "SELECT entity_id, origin_device FROM change_log
	WHERE feed_id = $MUN1 AND seq = $((N0 + 1))")" "seq $((N0 + 1)) is A's write"
cursor=$((N0 + 1)) # a puller that has now taken everything up to A's seq

sess_send B "COMMIT;"
sess_mark B
kt_assert_eq "$((N0 + 2))|$((N0 + 2))" "$(visible "$MUN1")" "reader after B's commit"
kt_assert_eq "$((N0 + 2))|$M_B" "$(kt_psql "SELECT seq, entity_id FROM change_log
	WHERE feed_id = $MUN1 AND seq > $cursor")" "the cursor at A's seq still gets B's write"
xa=$(sed -n 's/^xid://p' "$KT_WORK/A.out") xb=$(sed -n 's/^xid://p' "$KT_WORK/B.out")
if [ -z "$xa" ] || [ -z "$xb" ] || [ "$xb" -ge "$xa" ]; then
	kt_fail "B should have started first (txids: A '$xa', B '$xb')"
fi
sess_close A
sess_close B

# --- LISTEN: a notification after a commit, none for a rollback; no row, no gap -------------
sess_open L
sess_send L "LISTEN karta_feed;"
sess_mark L
N1=$(last_seq "$MUN1")
rb=$(psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" <<-SQL
	BEGIN;
	SELECT r.status FROM plan_item x, karta_item_put($D_MUN1, x.row_version,
		to_jsonb(x) || '{"municipal_action": "откатится"}') r WHERE x.id = '$M_ALL';
	SELECT max(seq) FROM change_log WHERE feed_id = $MUN1;
	ROLLBACK;
SQL
)
kt_assert_eq "ok
$((N1 + 1))" "$rb" "the write inside the rolled-back transaction took seq $((N1 + 1))"
kt_assert_eq "$N1|$N1|$N1" "$(kt_psql "SELECT last_seq, (SELECT count(*) FROM change_log
	WHERE feed_id = $MUN1), (SELECT max(seq) FROM change_log WHERE feed_id = $MUN1)
	FROM feed WHERE org_id = $MUN1")" "after the rollback: no row, last_seq back"
kt_ok reg item edit "$I_REF" --responsible "РЦОИ, ГЭК" # a commit on another feed, after the rollback
R1=$(last_seq "$REG")
for ((i = 0; i < 50; i++)); do
	sess_mark L
	grep -q "payload \"$REG:$R1\"" "$KT_WORK/L.out" && break
	sleep 0.1
done
kt_assert_contains "$(cat "$KT_WORK/L.out")" \
	"Asynchronous notification \"karta_feed\" with payload \"$REG:$R1\" received" \
	"listener after a commit on the region's feed"
kt_assert_not_contains "$(cat "$KT_WORK/L.out")" "payload \"$MUN1:" \
	"listener after the rolled-back write (notifications arrive in commit order)"
kt_ok mun1 item edit "$M_ALL" --municipal "после отката"
kt_assert_eq "$((N1 + 1))|$M_ALL|update" "$(changes "$MUN1" "$N1" | cut -d'|' -f1,3,4)" \
	"the next write gets the rolled-back seq"
for ((i = 0; i < 50; i++)); do
	sess_mark L
	grep -q "payload \"$MUN1:$((N1 + 1))\"" "$KT_WORK/L.out" && break
	sleep 0.1
done
kt_assert_eq "1" "$(grep -c "payload \"$MUN1:" "$KT_WORK/L.out")" \
	"notifications for mun1's feed (one commit, one rollback): $(cat "$KT_WORK/L.out")"
sess_close L

# --- lock order: a re-import racing an item edit of the same plan does not deadlock -------
# item edit locks its item, then the feed; the import locks the plan, then its items, then
# appends — both take item rows before the feed. Session E holds an item of P3 as an edit
# does before its append; the import must wait for that item, not take the feed and then
# wait (which would deadlock once E appends).
fixed=$KT_WORK/003-fixed.txt
sed -e 's/^1\.3\.\t/1.3.9.\t/' -e 's/^1\.4\.\tАнализ /1.4.\tИсправленный анализ /' \
	"$SEEDS/003_042b6b193d2b342e.txt" >"$fixed" # 1.3. renumbered: added + removed; 1.4. edited
[ "$(diff "$fixed" "$SEEDS/003_042b6b193d2b342e.txt" | grep -c '^<')" = 2 ] ||
	kt_fail "the sed did not match"
E_ITEM=$(kt_psql "SELECT id FROM plan_item WHERE plan_id = '$P3' AND number = '1.4.'")
sess_open E
sess_send E "BEGIN; SELECT 'locked:' || id FROM plan_item WHERE id = '$E_ITEM' FOR UPDATE;"
sess_wait E '^locked:' 10
D_MUN2=$(dev_id mun2)
kt_bg timeout 60 "$KT_KARTA" --config "$KT_WORK/mun2.conf" plan import "$fixed" --into "$P3" \
	>"$KT_WORK/import.out" 2>&1
IMP=$KT_BG_PID
for ((i = 0; i < 100; i++)); do
	[ "$(kt_backends "wait_event_type = 'Lock'
		AND (query LIKE '%karta_plan_import%' OR query LIKE '%karta_upload%')")" = 1 ] && break
	sleep 0.1
done
kt_assert_eq "1" "$(kt_backends "wait_event_type = 'Lock'
	AND (query LIKE '%karta_plan_import%' OR query LIKE '%karta_upload%')")" "the import waits for the item E holds"
sess_send E "SELECT 'put:' || r.status FROM plan_item x, karta_item_put($D_MUN2, x.row_version,
	to_jsonb(x) || '{\"result_text\": \"E\"}') r WHERE x.id = '$E_ITEM'; COMMIT;"
sess_wait E '^put:ok$' 10
sess_mark E
rc=0
wait "$IMP" || rc=$?
bg_forget "$IMP"
kt_assert_eq "0" "$rc" "the import after E's commit: $(cat "$KT_WORK/import.out")"
sess_close E
kt_assert_eq "1" "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$P3'
	AND number = '1.3.' AND deleted_at IS NOT NULL")" "the re-import removed 1.3."
kt_assert_eq "$D_MUN2|{result_text}|E
$D_MUN2|{result_text,title}|" "$(kt_psql "SELECT origin_device, changed_fields,
	payload->>'result_text' FROM change_log WHERE entity_id = '$E_ITEM' ORDER BY seq DESC
	LIMIT 2" | tac)" \
	"E's edit of 1.4., then the import's (the document's title and result text)"

# A plan write racing an item insert into the same plan: X locks the plan as plan edit and
# approve do; Y's insert must wait for the plan row (its foreign key) before it takes the
# feed, or X's append would deadlock with it.
sess_open X
sess_open Y
sess_send X "BEGIN; SELECT 'locked:' || id FROM plan WHERE id = '$MPLAN' FOR UPDATE;"
sess_wait X '^locked:' 10
sess_send Y "SELECT 'put:' || r.status FROM karta_item_put($D_MUN1, 0, jsonb_build_object(
	'id', '44444444-4444-4444-8444-444444444444', 'plan_id', '$MPLAN', 'ordinal', 50,
	'title', 'Y', 'section_id', (SELECT id FROM plan_section WHERE plan_id = '$MPLAN'
	ORDER BY ordinal LIMIT 1))) r;"
y_waits() {
	kt_psql "SELECT count(*) FROM pg_stat_activity y, pg_stat_activity x
		WHERE y.application_name = 't_feeds_Y' AND x.application_name = 't_feeds_X'
		AND y.datname = current_database() AND x.datname = y.datname AND y.wait_event_type = 'Lock' AND x.pid = ANY (pg_blocking_pids(y.pid))"
}
for ((i = 0; i < 100; i++)); do
	[ "$(y_waits)" = 1 ] && break
	sleep 0.1
done
kt_assert_eq "1" "$(y_waits)" "Y's item insert waits for X's plan row"
sess_send X "SELECT 'plan:' || r.status FROM plan p, karta_plan_put($D_MUN1, p.row_version,
	to_jsonb(p) || '{\"title\": \"X\"}') r WHERE p.id = '$MPLAN'; COMMIT;"
sess_wait X '^plan:ok$' 10
sess_wait Y '^put:ok$' 10
kt_assert_eq "plan|$MPLAN
plan_item|44444444-4444-4444-8444-444444444444" "$(kt_psql "SELECT entity_type, entity_id
	FROM change_log WHERE feed_id = $MUN1 ORDER BY seq DESC LIMIT 2" | tac)" \
	"X's plan update, then Y's item"
sess_close X
sess_close Y

kt_assert_eq "" "$(gap_free)" "feeds that are not gap-free after the races"
kt_assert_eq "0" "$(replay_mismatches)" "rows whose newest change is not the row itself"

kt_stop_kartad

# --- upgrade: a database with plans from before 0005 gets them into its feeds ----------------
# (0001-0004 as they were written then: the plan functions defined in 0003)
up=$(kt_createdb t_feeds_upgrade)
kt_old_sql "$KT_WORK/old"
kt_psql_migrations "$up" "$KT_WORK"/old/sql/000[1-4]_*.sql
psql -XAtq -v ON_ERROR_STOP=1 "$up" >/dev/null <<-'SQL'
	INSERT INTO organization(code, name, level) VALUES ('r', 'R', 'region');
	INSERT INTO organization(code, name, level, parent_id) SELECT 'm', 'M', 'municipality', id
	FROM organization WHERE code = 'r';
	INSERT INTO device(fingerprint, org_id, role) SELECT repeat('a', 64), id, 'coordinator'
	FROM organization WHERE code = 'r';
	SELECT karta_plan_save(1, 0, '{"id": "11111111-1111-4111-8111-111111111111", "title": "P",
		"academic_year": 2024}', '[{"id": "22222222-2222-4222-8222-222222222222", "ordinal": 1,
		"title": "S"}]');
	SELECT karta_item_put(1, 0, '{"id": "33333333-3333-4333-8333-333333333333",
		"plan_id": "11111111-1111-4111-8111-111111111111",
		"section_id": "22222222-2222-4222-8222-222222222222", "ordinal": 2, "title": "child",
		"parent_item_id": null}');
	SELECT karta_item_put(1, 0, '{"id": "00000000-3333-4333-8333-333333333333",
		"plan_id": "11111111-1111-4111-8111-111111111111",
		"section_id": "22222222-2222-4222-8222-222222222222", "ordinal": 1, "title": "parent"}');
	UPDATE plan_item SET parent_item_id = '00000000-3333-4333-8333-333333333333'
	WHERE id = '33333333-3333-4333-8333-333333333333';
	INSERT INTO abbreviation VALUES ('11111111-1111-4111-8111-111111111111', 'УО', 'Управление');
SQL
kt_run timeout 60 "$KT_ADMIN" --db "$up" migrate
kt_assert_rc 0 "karta-admin migrate from 0004"
kt_assert_eq "r|5|5|plan,plan_section,plan_item:parent,plan_item:child,abbreviation
m|0|0|" "$(psql -XAtq "$up" -c "SELECT o.code, f.last_seq, count(c.seq),
	coalesce(string_agg(c.entity_type || CASE WHEN c.entity_type = 'plan_item'
		THEN ':' || (c.payload->>'title') ELSE '' END, ',' ORDER BY c.seq), '')
	FROM organization o JOIN feed f ON f.org_id = o.id LEFT JOIN change_log c ON c.feed_id = o.id
	GROUP BY o.id, o.code, f.last_seq ORDER BY o.id")" \
	"feeds and log after the upgrade (a parent item before its sub-item)"
kt_assert_eq "0" "$(psql -XAtq "$up" -c "SELECT count(*) FROM change_log c JOIN plan_item i
	ON i.id = c.entity_id WHERE c.payload::jsonb IS DISTINCT FROM to_jsonb(i)")" "backfilled payloads"

kt_pass
