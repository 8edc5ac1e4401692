#!/usr/bin/env bash
# bench/rollup.sh: how fast the regional roll-up is (sql/0007_status_reports.sql).
#   A region with 60 municipalities and 1,000 schools, a 320-item regional plan (20 items for
#   regional bodies only) cascaded to every municipality (320 items, 20 read-only references)
#   and every school (300 items): 318,320 items; statuses for 95 % of the executing pairs
#   (~302,000), a third of them with an earlier version in the history; 20 regional and
#   300 municipal report requests with ~5,700 submissions. All generated with
#   generate_series (triggers off while loading, history written directly), then VACUUM
#   ANALYZE. Then karta_rollup / karta_overdue are timed RUNS times each in one session,
#   and the plans of the main calls are printed (auto_explain: the statement the function
#   executes, with ANALYZE and BUFFERS).
# Usage: bench/rollup.sh [RUNS=5]. Needs PostgreSQL 15 (deploy/pgcluster.sh) and karta-admin
# ($KT_BIN/server, it applies sql/ and sql/functions/); the
# cluster is $KT_PG_DIR (default $KT_BIN/bench-pg), stopped at the end unless it was
# already running. Prints Markdown for docs/reports.md.
set -euo pipefail
RUNS=${1:-5}
KT_SRC=$(cd "$(dirname "$0")/.." && pwd)
KT_BIN=${KT_BIN:-$KT_SRC/build}
KT_PG_DIR=${KT_PG_DIR:-$KT_BIN/bench-pg}
PGC=$KT_SRC/deploy/pgcluster.sh
started=0
if ! "$PGC" status "$KT_PG_DIR"; then
	"$PGC" start "$KT_PG_DIR" >/dev/null
	started=1
fi
cleanup() { [ "$started" = 0 ] || "$PGC" stop "$KT_PG_DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$PGC" createdb "$KT_PG_DIR" bench_rollup >/dev/null
DB=$("$PGC" conninfo "$KT_PG_DIR" bench_rollup)
q() { psql -XAtq -v ON_ERROR_STOP=1 "$DB" "$@"; }

t0=$(date +%s)
"$KT_BIN/server/karta-admin" --db "$DB" migrate >/dev/null

q -v gen="$KT_SRC/bench/rollup_gen.sql" -v history=1 >/dev/null <<'SQL'
SET session_replication_role = replica; -- no feed or history triggers, no FK checks: bulk load
SELECT setseed(0.42);
INSERT INTO organization(code, name, level) VALUES ('reg', 'Область', 'region');
INSERT INTO organization(code, name, level, parent_id)
SELECT 'mun' || m, 'Муниципалитет ' || m, 'municipality', (SELECT id FROM organization WHERE code = 'reg')
FROM generate_series(1, 60) m;
INSERT INTO organization(code, name, level, parent_id)
SELECT 'sch' || s, 'Школа ' || s, 'school',
	(SELECT id FROM organization WHERE code = 'mun' || (1 + (s - 1) % 60))
FROM generate_series(1, 1000) s;
INSERT INTO feed(org_id) SELECT id FROM organization ON CONFLICT DO NOTHING;
INSERT INTO device(fingerprint, org_id, role)
SELECT encode(sha256(convert_to(code, 'UTF8')), 'hex'), id,
	CASE level WHEN 'region' THEN 'coordinator' ELSE 'operator' END
FROM organization WHERE code IN ('reg', 'mun1', 'sch1');

\i :gen

SQL
q -c "VACUUM (ANALYZE)" >/dev/null
t1=$(date +%s)

echo "## data (generated in $((t1 - t0)) s)"
echo
echo '```'
q -F ' ' -c "SELECT 'organizations', count(*) FROM organization
	UNION ALL SELECT 'plans', count(*) FROM plan
	UNION ALL SELECT 'plan items', count(*) FROM plan_item
	UNION ALL SELECT 'item statuses', count(*) FROM item_status
	UNION ALL SELECT 'status history rows', count(*) FROM item_status_history
	UNION ALL SELECT 'report requests', count(*) FROM report_request
	UNION ALL SELECT 'report submissions', count(*) FROM report_submission
	UNION ALL SELECT 'report transitions', count(*) FROM report_transition"
q -F ' ' -c "SELECT 'database size', pg_size_pretty(pg_database_size(current_database()))"
echo '```'

REG=$(q -c "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")
MUN=$(q -c "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'mun1'")
SCH=$(q -c "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'sch1'")
PAST=$(q -c "SELECT current_date - 60")
CALLS=(
	"region by municipality, today|SELECT count(*) FROM karta_rollup($REG, current_date, 'municipality')"
	"region by municipality, as of $PAST|SELECT count(*) FROM karta_rollup($REG, '$PAST', 'municipality')"
	"region by item (320 rows)|SELECT count(*) FROM karta_rollup($REG, current_date, 'item')"
	"region by school (1,000 rows)|SELECT count(*) FROM karta_rollup($REG, current_date, 'school')"
	"region drill-down: mun1 by school|SELECT count(*) FROM karta_rollup($REG, current_date, 'school', 'mun1')"
	"municipality mun1 by item|SELECT count(*) FROM karta_rollup($MUN, current_date, 'item')"
	"school sch1 by item|SELECT count(*) FROM karta_rollup($SCH, current_date, 'item')"
	"region overdue list|SELECT count(*) FROM karta_overdue($REG, current_date)"
	"region overdue list, as of $PAST|SELECT count(*) FROM karta_overdue($REG, '$PAST')"
)
echo
echo "## timings ($RUNS runs each, one session, ms)"
echo
echo "| call | rows | min | median | max |"
echo "|---|---|---|---|---|"
for c in "${CALLS[@]}"; do
	name=${c%%|*} sql=${c#*|}
	rows=$(q -c "$sql")
	times=$( { printf '%s\n' '\timing on'; for ((i = 0; i < RUNS; i++)); do echo "$sql;"; done; } |
		psql -XAq "$DB" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n)
	n=$(wc -l <<<"$times")
	echo "| $name | $rows | $(head -n1 <<<"$times") | $(sed -n "$(((n + 1) / 2))p" <<<"$times") | $(tail -n1 <<<"$times") |"
done

# Side by side with a floor, alternating in one session (the machine's load drifts):
# the roll-up against one grouped pass over the same 318,320 item_rollup rows (the least a
# count over every pair can read), the overdue list against its pairs read and sorted by
# due date without names, organizations or requests.
FLOOR_ROLLUP="SELECT sum(n + d + k + l) FROM (SELECT plan_id, count(*) AS n,\
 count(*) FILTER (WHERE dated_last <= current_date) AS d, count(*) FILTER (WHERE st = 'done') AS k,\
 count(*) FILTER (WHERE dated_last < current_date AND st IS DISTINCT FROM 'done') AS l\
 FROM item_rollup WHERE deleted_at IS NULL GROUP BY plan_id) x"
# Since sql/0028 the roll-up as of today reads per-plan counters: its floor is reading them
# (1,061 rows summed per organization); the grouped pass stays as the reference it was. The
# overdue list's floor reads its pairs from item_rollup_open (the same rows as the filter
# before: dated, not deleted, not done, not not-applicable).
FLOOR_COUNTERS="SELECT sum(n + d + k + l) FROM (SELECT p.owner_org_id, sum(c.items) AS n, sum(c.due) AS d,\
 sum(c.done) AS k, sum(c.overdue) AS l FROM rollup_count c JOIN plan p ON p.id = c.plan_id\
 WHERE p.status <> 'archived' GROUP BY p.owner_org_id) x"
FLOOR_OVERDUE="SELECT max(r) FROM (SELECT row_number() OVER (ORDER BY dated_last, item_id) AS r\
 FROM item_rollup WHERE deleted_at IS NULL AND dated_last IS NOT NULL AND dated_last < current_date\
 AND (st IS NULL OR st NOT IN ('done', 'not_applicable'))) x"
PAIRS=(
	"region by municipality, today|SELECT count(*) FROM karta_rollup($REG, current_date, 'municipality')|$FLOOR_COUNTERS"
	"region by municipality, today|SELECT count(*) FROM karta_rollup($REG, current_date, 'municipality')|$FLOOR_ROLLUP"
	"region overdue list|SELECT count(*) FROM karta_overdue($REG, current_date)|$FLOOR_OVERDUE"
)
echo
echo "## against a floor ($RUNS alternating runs each, one session, ms: median (min–max))"
echo
echo "| call | median (min–max) | floor | median (min–max) | call / floor |"
echo "|---|---|---|---|---|"
for c in "${PAIRS[@]}"; do
	IFS='|' read -r name sql fsql <<<"$c"
	out=$( { printf '%s\n' '\timing on'; for ((i = 0; i < RUNS; i++)); do
		echo '\echo @call'; echo "$sql;"; echo '\echo @floor'; echo "$fsql;"; done; } | psql -XAq "$DB")
	st() { awk -v l="@$1" '/^@/ { k = $0; next } k == l && /^Time: / { print $2 }' <<<"$out" | sort -n; }
	med() { sed -n "$((($(wc -l <<<"$1") + 1) / 2))p" <<<"$1"; }
	a=$(st call) b=$(st floor)
	echo "| $name | $(med "$a") ($(head -n1 <<<"$a")–$(tail -n1 <<<"$a")) | $(head -c 40 <<<"${fsql//$'\n'/ }")… |" \
		"$(med "$b") ($(head -n1 <<<"$b")–$(tail -n1 <<<"$b")) | $(awk -v x="$(med "$a")" -v y="$(med "$b")" 'BEGIN { printf "%.1f", x / y }') |"
done

explain() { # TITLE SQL: the plan of the statement the function runs
	echo
	echo "## EXPLAIN ANALYZE: $1"
	echo
	echo '```'
	# the log of the executed statement: its text, then its plan (printed from the plan on)
	psql -XAq "$DB" 2>&1 <<-SQL | awk '/Query Text: *$/ { on = 1; next } /duration:/ { on = 0 } on' | sed -n '/^[A-Z]/,$p' | { grep -v '^CONTEXT:' || true; } # a call under 20 ms logs no plan
		LOAD 'auto_explain';
		SET auto_explain.log_min_duration = 20;
		SET auto_explain.log_analyze = on;
		SET auto_explain.log_buffers = on;
		SET auto_explain.log_nested_statements = on;
		SET auto_explain.log_timing = on;
		SET client_min_messages = log;
		\o /dev/null
		$2;
	SQL
	echo '```'
}
explain "region by municipality, today" "SELECT count(*) FROM karta_rollup($REG, current_date, 'municipality')"
explain "region by item" "SELECT count(*) FROM karta_rollup($REG, current_date, 'item')"
explain "region drill-down: mun1 by school" "SELECT count(*) FROM karta_rollup($REG, current_date, 'school', 'mun1')"
explain "region overdue list" "SELECT count(*) FROM karta_overdue($REG, current_date)"
