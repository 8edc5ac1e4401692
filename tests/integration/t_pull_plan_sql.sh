#!/usr/bin/env bash
# t_pull_plan_sql: karta_pull's generic plan stays on change_log's index after the log grows
# (sql/functions/32_pull.sql, `SET enable_seqscan = off`; docs/performance.md, "The spread,
# found"). karta_pull runs with force_generic_plan: its plan is made once per backend, with
# the statistics of that moment. Made while change_log held a few dozen rows (a region's first
# sync), it read the log by sequential scans, and kept doing so after an import filled the log
# (two pages of the federal package's pull back took 8.4 and 10.9 s) until autovacuum's ANALYZE
# replaced it.
#
# The situation reproduced on one backend: the pull planned while the log holds a few dozen
# rows (analyzed so), then 30,000 items written by one statement (the log filled, no ANALYZE:
# autovacuum is off for the tables of this database), then a pull from the feeds' start on the
# same backend, its plan written by auto_explain (log_nested_statements, as notices). Asserted:
# every read of change_log in that plan is an index scan. The same scenario run at the same
# time with a copy of karta_pull without the SET (in the test's own schema) must read the log
# by a sequential scan — so the test shows that it reproduces what it guards against. In the
# shared cluster other tests' DDL can reset the backend's caches while the bulk write runs
# (both plans are then made again, on the filled log): the scenario is tried again in a fresh
# database, up to three times. Never asserts on time.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup_sql t_pull_plan_sql

# scenario: the whole situation in the current database; 2 when the copy without the SET was
# planned again after the fill (its plans made anew: a reset of the backend's caches, which the
# shared cluster's other tests' DDL can cause while the bulk write runs) — not reproduced
scenario() {
	# no autovacuum in this database: an ANALYZE of any table the pull reads (plan_item after the
	# bulk write) invalidates the cached plan, and the next call plans again with the log's size
	kt_psql "DO \$\$
	DECLARE t regclass;
	BEGIN
		FOR t IN SELECT c.oid FROM pg_class c WHERE c.relkind = 'r'
			AND c.relnamespace = current_schema()::regnamespace LOOP
			EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = off)', t);
		END LOOP;
	END \$\$"
	kt_psql "
	INSERT INTO organization(code, name, level) VALUES ('reg', 'Область', 'region');
	INSERT INTO organization(code, name, level, parent_id)
	SELECT format('m%s', g), format('Округ %s', g), 'municipality',
		(SELECT id FROM organization WHERE code = 'reg') FROM generate_series(1, 5) g;
	INSERT INTO device(fingerprint, org_id, role, label)
	SELECT encode(sha256(convert_to(code, 'UTF8')), 'hex'), id, 'coordinator', 'device ' || code
	FROM organization WHERE code = 'reg';
	INSERT INTO plan(id, owner_org_id, level, title, academic_year)
	SELECT gen_random_uuid(), id, level, 'План ' || code, 2026 FROM organization;
	INSERT INTO plan_section(id, plan_id, ordinal, number, title)
	SELECT gen_random_uuid(), id, 1, '1', 'Раздел' FROM plan;
	INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title)
	SELECT gen_random_uuid(), s.plan_id, s.id, i, '1.' || i, 'Мероприятие ' || i
	FROM plan_section s, generate_series(1, 3) i;
	ANALYZE change_log;" >/dev/null
	DEV=$(kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")
	SMALL=$(kt_psql "SELECT count(*) FROM change_log")
	if [ "$SMALL" -eq 0 ] || [ "$SMALL" -ge 100 ]; then
		kt_fail "the log should start with a few dozen rows: $SMALL"
	fi

	# karta_pull as it was before the SET: the same definition, in the test's own schema
	kt_psql "CREATE SCHEMA t_stale;
	DO \$\$
	DECLARE d text := pg_get_functiondef('karta_pull(bigint, jsonb, int)'::regprocedure);
	BEGIN
		d := regexp_replace(d, '\n\s*SET enable_seqscan TO [^\n]*', '');
		d := regexp_replace(d, 'FUNCTION [a-z_]+\.karta_pull\(', 'FUNCTION t_stale.karta_pull(');
		EXECUTE d;
	END \$\$;"
	kt_psql "SELECT p.proconfig::text FROM pg_proc p WHERE p.proname = 'karta_pull'
		AND p.pronamespace = 't_stale'::regnamespace" | grep -q enable_seqscan &&
		kt_fail "the copy kept enable_seqscan"

	# the device's cursors at every feed's start: each pull reads the feeds' logs from seq 1
	CUR="(SELECT jsonb_agg(jsonb_build_object('feed', code, 'epoch', epoch, 'seq', 0) ORDER BY code)
		FROM karta_feed_visible($DEV))"
	cat >"$KT_WORK/pull.sql" <<-EOF
	\set ON_ERROR_STOP 1
	-- both plans made while the log holds $SMALL rows
	SELECT count(*) FROM karta_pull($DEV, $CUR, 3145728);
	SELECT count(*) FROM t_stale.karta_pull($DEV, $CUR, 3145728);
	-- the log filled by one statement (the per-statement feed), no ANALYZE
	INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title)
	SELECT gen_random_uuid(), s.plan_id, s.id, 100 + i, '2.' || i, 'Мероприятие 2.' || i
	FROM plan_section s, generate_series(1, 5000) i;
	LOAD 'auto_explain';
	SET auto_explain.log_min_duration = 0;
	SET auto_explain.log_nested_statements = on;
	SET auto_explain.log_level = notice;
	SET client_min_messages = notice;
	DO \$\$ BEGIN RAISE NOTICE 'mark: karta_pull'; END \$\$;
	SELECT count(*) FROM karta_pull($DEV, $CUR, 3145728);
	DO \$\$ BEGIN RAISE NOTICE 'mark: without the SET'; END \$\$;
	SELECT count(*) FROM t_stale.karta_pull($DEV, $CUR, 3145728);
	DO \$\$ BEGIN RAISE NOTICE 'mark: end'; END \$\$;
	EOF
	psql -XAtq "$KT_CONNINFO" -f "$KT_WORK/pull.sql" >"$KT_WORK/pull.out" 2>"$KT_WORK/plans.txt" ||
		kt_fail "the pulls failed: $(cat "$KT_WORK/pull.out" "$KT_WORK/plans.txt")"
	BIG=$(kt_psql "SELECT count(*) FROM change_log")
	[ "$BIG" -ge 30000 ] || kt_fail "the log was not filled: $BIG rows"
	kt_assert_eq "$SMALL" "$(kt_psql "SELECT reltuples::bigint FROM pg_class WHERE oid = 'change_log'::regclass")" \
		"change_log's statistics are still those of the small log"
	kt_log "log: $SMALL rows when planned, $BIG when pulled"

	# plan_of MARK: the plans auto_explain wrote between 'mark: MARK' and the next mark, the
	# lines naming change_log only
	plan_of() {
		awk -v m="mark: $1" 'index($0, "NOTICE:  mark: ") { on = index($0, m) > 0; next }
			on && / on change_log/' "$KT_WORK/plans.txt"
	}
	ours=$(plan_of 'karta_pull')
	stale=$(plan_of 'without the SET')
	[ -n "$stale" ] || kt_fail "no plan written for the copy: $(head -c 2000 "$KT_WORK/plans.txt")"
	grep -q 'Seq Scan on change_log' <<<"$stale" || return 2
}

# up to three tries, each in a fresh database of its own
for try in 1 2 3; do
	if [ "$try" -gt 1 ]; then
		KT_CONNINFO=$(kt_createdb "${KT_DB}_$try")
		timeout 120 "$KT_ADMIN" --db "$KT_CONNINFO" migrate >"$KT_WORK/migrate$try.out" 2>&1 ||
			kt_fail "migrations failed: $(cat "$KT_WORK/migrate$try.out")"
	fi
	rc=0
	scenario || rc=$?
	[ "$rc" = 0 ] && break
	kt_log "try $try: the copy without the SET was planned again after the fill (its plan: $stale)"
done
[ -n "$ours" ] || kt_fail "no plan written for karta_pull: $(head -c 2000 "$KT_WORK/plans.txt")"
if grep -q 'Seq Scan on change_log' <<<"$ours"; then
	kt_fail "karta_pull's plan made on a small log reads the filled log by a sequential scan:
$ours"
fi
grep -Eq 'Index (Only )?Scan .*on change_log' <<<"$ours" ||
	kt_fail "karta_pull reads change_log by no index: $ours"
# and each of them a probe of its key: the line after the scan is its Index Cond on feed_id (a
# full scan of the primary key with the join as a filter is an index scan too: seen in a
# registry import's pull back, 52 million rows filtered over 3,701 loops)
unkeyed=$(awk -v m="mark: karta_pull" 'index($0, "NOTICE:  mark: ") { on = index($0, m) > 0; next }
	on && wait { if ($0 !~ /Index Cond: \(\(feed_id = /) print scan; wait = 0 }
	on && / on change_log/ { scan = $0; wait = 1 }' "$KT_WORK/plans.txt")
[ -z "$unkeyed" ] || kt_fail "karta_pull reads change_log without its key:
$unkeyed"
kt_log "karta_pull: $(grep -c 'on change_log' <<<"$ours") reads of change_log, all by its key"
# karta_pull's plan is checked either way; whether it was the stale one is told here
[ "$rc" = 0 ] || kt_skip "karta_pull reads change_log by its key, but the stale plan was not reproduced in three tries (the backend's plans made again each time)"
kt_pass
