#!/usr/bin/env bash
# t_upload_pair_sql: two item Uploads on one feed applied at once (issue 18: two backends applying a
# connection's Uploads), each in its own transaction. Needs only PostgreSQL.
#
# Upload A (200 item adds on the region's plan) is applied and its transaction held open;
# Upload B (200 more on the same plan, one of them naming a section of no plan) starts
# meanwhile and waits for A. While it waits it has written its op_log rows, its items, their
# history and roll-up rows (it holds its lock on each of those tables) and not yet touched
# change_log: the feed append is its last write (karta_upload_items, karta_feed_stmt). Then A
# commits, then B. Checked: B's per-op results (199 applied, the one refused with its words),
# each op logged once, each item, history row and change once; the region's feed gap-free, A's
# changes before B's (commit order), feed.last_seq its last change; the roll-up counters equal
# a count from scratch.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup_sql t_upload_pair_sql

kt_psql "INSERT INTO organization(code, name, level) VALUES ('reg', 'Область', 'region');
	INSERT INTO device(fingerprint, org_id, role)
	SELECT encode(sha256(convert_to(code, 'UTF8')), 'hex'), id, 'coordinator' FROM organization
	WHERE code = 'reg';
	INSERT INTO plan(id, owner_org_id, level, title, academic_year)
	SELECT gen_random_uuid(), id, 'region', 'План', 2026 FROM organization WHERE code = 'reg';
	INSERT INTO plan_section(id, plan_id, ordinal, number, title)
	SELECT gen_random_uuid(), p.id, 1, '1', 'Раздел 1' FROM plan p" >/dev/null
DEV=$(kt_psql "SELECT id FROM device")
ORG=$(kt_psql "SELECT id FROM organization WHERE code = 'reg'")
PLAN=$(kt_psql "SELECT id FROM plan")
SEC=$(kt_psql "SELECT id FROM plan_section")
SEQ0=$(kt_psql "SELECT last_seq FROM feed WHERE org_id = $ORG")

# batch S N [BAD]: N item adds as kartad sends them (each op after an RS) into table up_S, the
# op numbered BAD naming a section of no plan
batch() {
	kt_psql "CREATE TABLE up_$1 AS SELECT string_agg(chr(30) || jsonb_build_object(
		'op_id', md5('$1 op ' || g)::uuid, 'digest', md5('$1 ' || g), 'kind', 'item_put',
		'a', jsonb_build_object('base', 0, 'fields', '[]'::jsonb, 'item', jsonb_build_object(
			'id', md5('$1 item ' || g)::uuid, 'plan_id', '$PLAN',
			'section_id', CASE WHEN g = ${3:-0} THEN gen_random_uuid() ELSE '$SEC' END,
			'ordinal', g, 'number', '1.' || g, 'parent_item_id', '', 'title', 'Пункт $1' || g,
			'deadline_text', 'до 1 мая', 'deadline_last', CASE WHEN g % 3 = 0 THEN '2027-05-01' ELSE '' END,
			'responsible_text', 'УО, ОО', 'municipal_action', '', 'institutional_action', '',
			'result_text', '', 'target_text', '')))::text, '' ORDER BY g) AS t
	FROM generate_series(1, $2) g" >/dev/null
}
batch a 200
batch b 200 77

# A applied and held open behind a gate (an advisory lock this session holds)
kt_bg psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO application_name=up_gate" -c "SELECT pg_advisory_lock(1800);
	SELECT pg_sleep(600)"
GATE=$KT_BG_PID
kt_poll() { # kt_poll COND WHAT: waits until a backend of this test's database matches COND
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(kt_backends "$1")" -ge 1 ] && return 0
		sleep 0.1
	done
	kt_fail "timed out waiting for $2"
}
for ((i = 0; i < 300; i++)); do
	[ "$(kt_psql "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		AND d.datname = current_database() WHERE l.locktype = 'advisory' AND l.objid = 1800
		AND l.granted")" = 1 ] && break
	sleep 0.1
done
[ "$i" -lt 300 ] || kt_fail "the gate's lock not taken"
psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO application_name=up_a" >"$KT_WORK/a.out" 2>&1 <<SQL &
BEGIN;
SELECT outcome, count(*) FROM karta_upload_seq($DEV, (SELECT t FROM up_a)) GROUP BY 1;
SELECT pg_advisory_lock_shared(1800);
COMMIT;
SQL
A=$!
kt_poll "application_name = 'up_a' AND wait_event_type = 'Lock'
	AND query LIKE '%pg_advisory_lock_shared%'" "A behind the gate"
psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO application_name=up_b" >"$KT_WORK/b.out" 2>&1 <<SQL &
SELECT outcome, status, message, count(*) FROM karta_upload_seq($DEV, (SELECT t FROM up_b))
GROUP BY 1, 2, 3 ORDER BY 1;
SQL
B=$!
kt_poll "application_name = 'up_b' AND wait_event_type = 'Lock'" "B waiting for A"
held=$(kt_psql "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_locks l
	JOIN pg_class c ON c.oid = l.relation JOIN pg_stat_activity a ON a.pid = l.pid
	WHERE a.datname = current_database() AND a.application_name = 'up_b' AND l.mode = 'RowExclusiveLock' AND l.granted
	AND c.relname IN ('op_log', 'plan_item', 'item_history', 'item_rollup', 'change_log')")
kt_assert_eq "item_history,item_rollup,op_log,plan_item" "$held" \
	"B waits for A having written op_log, items, history, roll-up rows, and not the feed"
kill "$GATE"
kt_terminate "application_name = 'up_gate'" >/dev/null
wait "$A" || kt_fail "A: $(cat "$KT_WORK/a.out")"
wait "$B" || kt_fail "B: $(cat "$KT_WORK/b.out")"
kt_assert_eq "applied|200" "$(cat "$KT_WORK/a.out")" "A's results"
kt_assert_eq "applied|ok|created|199
rejected|bad|the section is not in this plan|1" "$(cat "$KT_WORK/b.out")" "B's results"

kt_assert_eq 400 "$(kt_psql "SELECT count(*) FROM op_log WHERE device_id = $DEV")" "each op logged once"
kt_assert_eq 399 "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$PLAN'")" "each item once"
kt_assert_eq 399 "$(kt_psql "SELECT count(*) FROM item_history WHERE op = 'create'")" "each history row once"
kt_assert_eq "399|399|$((SEQ0 + 1))|$((SEQ0 + 399))|$((SEQ0 + 399))" "$(kt_psql "SELECT count(*),
	count(DISTINCT c.entity_id), min(c.seq), max(c.seq), (SELECT last_seq FROM feed WHERE org_id = $ORG)
	FROM change_log c WHERE c.feed_id = $ORG AND c.seq > $SEQ0")" \
	"the feed: one change an item, gap-free, its last seq the feed's"
kt_assert_eq "t|t" "$(kt_psql "SELECT max(c.seq) FILTER (WHERE i.title LIKE 'Пункт a%')
		< min(c.seq) FILTER (WHERE i.title LIKE 'Пункт b%'),
	bool_and(c.origin_op_id = l.op_id)
	FROM change_log c JOIN plan_item i ON i.id = c.entity_id
	JOIN op_log l ON l.device_id = $DEV AND l.entity_id = c.entity_id
	WHERE c.feed_id = $ORG AND c.seq > $SEQ0")" "A's changes before B's (commit order), each with its op"
kt_assert_eq "399|0" "$(kt_psql "SELECT c.items, c.items - (SELECT count(*) FROM item_rollup r
	WHERE r.plan_id = c.plan_id AND r.deleted_at IS NULL) FROM rollup_count c WHERE c.plan_id = '$PLAN'")" \
	"the roll-up's counters equal a count from scratch"
kt_pass
