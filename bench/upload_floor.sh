#!/usr/bin/env bash
# bench/upload_floor.sh: a 500-op Upload of item adds inside the database, as bench/sync.sh's
# part 4 times it (karta_upload_seq of the batch as kartad sends it, each run rolled back, the
# backend's CPU from /proc/PID/schedstat), without kartad or a sync before it — for comparing
# two versions of the upload's functions in one session and for profiling the backend.
#   bench/sync.sh's region (bench_sync_region); one batch of 500 item adds on the region's plan
#   (bench_item_op, each op after an RS).
#   UPFLOOR_BASE=DIR: DIR holds another version of sql/functions/ (e.g. main's: `git archive
#   main sql/functions | tar -x -C DIR --strip-components=2`); every CREATE OR REPLACE FUNCTION of
#   its 20_plans, 30_feeds, 34_upload, 42_rollup and 00_schema is loaded, then this tree's,
#   ROUNDS times in turn (base, this, base, this, …), a series of RUNS Uploads each. Only the
#   functions switch: a change of a trigger's definition or of a table is not compared.
#   UPFLOOR_PERF=FILE: after the series, `perf record -g` of the backend during RUNS × 5 more
#   Uploads (this tree's functions), the report's top lines into FILE.
# Usage: bench/upload_floor.sh [RUNS=20] [ROUNDS=3]. Prints Markdown.
set -euo pipefail
RUNS=${1:-20}
ROUNDS=${2:-3}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_upfloor
bench_sync_region
REG_DEV=$(kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")
PLAN=$(kt_psql "SELECT p.id FROM plan p JOIN organization o ON o.id = p.owner_org_id
	WHERE o.code = 'reg' ORDER BY p.id LIMIT 1")
kt_psql "CREATE TABLE bench_batch_seq (t text);
ALTER TABLE bench_batch_seq ALTER t SET STORAGE EXTERNAL;
INSERT INTO bench_batch_seq SELECT string_agg(chr(30) || y.op::text, '' ORDER BY y.k)
FROM (SELECT $(bench_item_op i) AS op, row_number() OVER () AS k
      FROM (SELECT x.* FROM plan_item x, generate_series(1, 2) g WHERE x.plan_id = '$PLAN'
            ORDER BY g, x.ordinal, x.id LIMIT 500) i) y" >/dev/null
N=$(kt_psql "SELECT array_length(string_to_array(t, chr(30)), 1) - 1 FROM bench_batch_seq")
[ "$N" = 500 ] || kt_fail "the batch has $N ops, not 500"
kt_psql "VACUUM ANALYZE"
UP="SELECT count(*) FROM karta_upload_seq($REG_DEV, (SELECT t FROM bench_batch_seq))"

# cpu_runs RUNS SQL: the backend's CPU ms of each of RUNS runs of SQL (each in a rolled-back
# transaction, after two unmeasured ones; /proc/PID/schedstat read between runs), one a line
# shellcheck disable=SC2016 # $PID is psql's shell's
cpu_runs() {
	local run="BEGIN; $2; ROLLBACK;"
	{
		echo 'SELECT pg_backend_pid() AS pid \gset'
		echo '\setenv PID :pid'
		echo "$run"
		echo "$run"
		echo '\! sed "s/^/cpu /" /proc/$PID/schedstat'
		for _ in $(seq "$1"); do
			echo "$run"
			echo '\! sed "s/^/cpu /" /proc/$PID/schedstat'
		done
	} | psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" | awk '$1 == "cpu" { if (n++) printf "%.2f\n", ($2 - p) / 1e6; p = $2 }'
}
series() { # LABEL: a table row — the median, the lowest and the mean CPU ms of RUNS Uploads
	local load
	load=$(cut -d' ' -f1 /proc/loadavg)
	kt_psql "VACUUM plan_item, item_history, change_log, op_log, item_rollup" >/dev/null
	cpu_runs "$RUNS" "$UP" >"$KT_WORK/runs.txt"
	printf '| %s | %s | %s | %s | %s |\n' "$1" "$load" "$(median <"$KT_WORK/runs.txt")" \
		"$(sort -n "$KT_WORK/runs.txt" | head -n 1)" "$(awk '{ t += $1 } END { printf "%.1f", t / NR }' "$KT_WORK/runs.txt")"
}

echo "## a 500-op Upload of item adds (karta_upload_seq, rolled back, $RUNS runs a series)"
echo
echo "| functions | load | backend CPU ms a run: median | lowest | mean |"
echo "|---|---|---|---|---|"
if [ -n "${UPFLOOR_BASE:-}" ]; then
	bench_funcs "$UPFLOOR_BASE" >"$KT_WORK/base.sql"
	bench_funcs "$KT_SRC/sql/functions" >"$KT_WORK/this.sql"
	for _ in $(seq "$ROUNDS"); do
		kt_psql "$(cat "$KT_WORK/base.sql")" >/dev/null
		series base
		kt_psql "$(cat "$KT_WORK/this.sql")" >/dev/null
		series this
	done
else
	for _ in $(seq "$ROUNDS"); do series this; done
fi

if [ -n "${UPFLOOR_PERF:-}" ]; then
	# shellcheck disable=SC2016 # $PID is psql's shell's
	{
		echo 'SELECT pg_backend_pid() AS pid \gset'
		echo '\setenv PID :pid'
		echo "BEGIN; $UP; ROLLBACK;"
		echo "\\! (perf record -F 1999 -g -p \$PID -o $KT_WORK/perf.data >/dev/null 2>&1 & echo \$! >$KT_WORK/perf.pid)"
		echo '\! sleep 1'
		for _ in $(seq $((RUNS * 5))); do echo "BEGIN; $UP; ROLLBACK;"; done
		echo "\\! kill -INT \$(cat $KT_WORK/perf.pid); sleep 2"
	} | psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" >/dev/null
	perf report -i "$KT_WORK/perf.data" --no-children --percent-limit 0.7 --stdio 2>/dev/null |
		grep -v '^$' >"$UPFLOOR_PERF" || true
	perf report -i "$KT_WORK/perf.data" --children --percent-limit 1.5 --stdio -g none 2>/dev/null |
		grep -v '^$' >"$UPFLOOR_PERF.children" || true
fi

if [ -n "${UPFLOOR_STMTS:-}" ]; then
	{
		echo "BEGIN; $UP; ROLLBACK;"
		echo "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;
		SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = notice;
		SET auto_explain.log_analyze = ${UPFLOOR_ANALYZE:-off};"
		for _ in $(seq "$RUNS"); do echo "BEGIN; $UP; ROLLBACK;"; done
	} | psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" 2>"$KT_WORK/stmts.txt" >/dev/null
	python3 - "$KT_WORK/stmts.txt" "$RUNS" >"$UPFLOOR_STMTS" <<'PY'
import re, sys, collections
t = collections.Counter(); n = collections.Counter()
lines = open(sys.argv[1]).read().split('\n')
for i, l in enumerate(lines):
    m = re.search(r'duration: ([0-9.]+) ms', l)
    if not m:
        continue
    q = ''
    for k in range(i + 1, min(i + 4, len(lines))):
        if 'Query Text:' in lines[k]:
            q = lines[k].split('Query Text:', 1)[1].strip()
            j = k + 1
            while len(q) < 110 and j < len(lines) and j < k + 8 and not re.match(r'\s*(NOTICE|->|Result|Insert|Update|Function|Aggregate|Nested|Hash|Seq|Index|Sort|Subquery|CTE|WindowAgg|ProjectSet|Limit|Unique|Append|Merge)', lines[j]):
                q += ' ' + lines[j].strip(); j += 1
            break
    q = re.sub(r'\s+', ' ', q)[:110]
    t[q] += float(m.group(1)); n[q] += 1
runs = int(sys.argv[2])
for q, d in t.most_common():
    print('%8.2f ms a run  %4d calls  %s' % (d / runs, n[q], q))
PY
fi

# UPFLOOR_SQL=FILE: FILE run by psql last, in the bench's database (:dev the region's device,
# :plan its plan); its output printed
if [ -n "${UPFLOOR_SQL:-}" ]; then
	psql -XAq -v ON_ERROR_STOP=1 -v dev="$REG_DEV" -v plan="'$PLAN'" "$KT_CONNINFO" -f "$UPFLOOR_SQL"
fi

# UPFLOOR_MICRO=1 (with UPFLOOR_BASE): the functions this tree changed, timed alone — the base's
# and this tree's version of each under names of their own (schema bench_fn), called
# alternately in one session: 8 rounds of 50 calls each (wall ms a call: lowest round, median)
if [ -n "${UPFLOOR_MICRO:-}" ] && [ -n "${UPFLOOR_BASE:-}" ]; then
	python3 - "$UPFLOOR_BASE" "$KT_SRC/sql/functions" >"$KT_WORK/micro.sql" <<'PY'
import re, sys, os
print('DROP SCHEMA IF EXISTS bench_fn CASCADE; CREATE SCHEMA bench_fn;')
for tag, d in (('base', sys.argv[1]), ('this', sys.argv[2])):
    for f, fn in (('20_plans.sql', 'karta_resolve_parties_set'),):
        s = open(os.path.join(d, f)).read()
        m = re.search(r'^CREATE OR REPLACE FUNCTION ' + fn + r'\(.*?(?:\$\$|\$f\$);[ \t]*$', s, re.S | re.M)
        print(m.group(0).replace('FUNCTION ' + fn + '(', 'FUNCTION bench_fn.%s_%s(' % (fn, tag), 1))
PY
	cat >>"$KT_WORK/micro.sql" <<'SQL'
CREATE TABLE bench_fn.input AS SELECT array_agg(coalesce(e->'a'->'item'->>'responsible_text', '')) AS texts,
	array_agg((e->'a'->'item'->>'plan_id')::uuid) AS plans
FROM (SELECT x.t::jsonb AS e FROM unnest(string_to_array((SELECT t FROM bench_batch_seq), chr(30))) x(t)
      WHERE x.t <> '') y;
CREATE TABLE bench_fn.res (f text, v text, r int, ms float8);
-- one cell at a time, as karta_resolve_parties (plan import, the one-by-one path) calls it
CREATE FUNCTION bench_fn.one_base(p_text text, p_plan uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT r.parties FROM bench_fn.karta_resolve_parties_set_base(ARRAY[p_text], ARRAY[p_plan]) r
$$;
CREATE FUNCTION bench_fn.one_this(p_text text, p_plan uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT r.parties FROM bench_fn.karta_resolve_parties_set_this(ARRAY[p_text], ARRAY[p_plan]) r
$$;
DO $$
DECLARE
	t0 timestamptz; r int; k int; tx text[]; pl uuid[];
BEGIN
	SELECT texts, plans INTO tx, pl FROM bench_fn.input;
	FOR r IN 1..8 LOOP
		t0 := clock_timestamp();
		FOR k IN 1..50 LOOP -- as karta_upload_items calls it: sub-selects for arguments
			PERFORM count(*) FROM bench_fn.karta_resolve_parties_set_base(ARRAY(SELECT u FROM unnest(tx) u),
				ARRAY(SELECT u FROM unnest(pl) u));
		END LOOP;
		INSERT INTO bench_fn.res VALUES ('karta_resolve_parties_set (500 cells, one text)', 'base', r,
			extract(epoch FROM clock_timestamp() - t0) * 1000 / 50);
		t0 := clock_timestamp();
		FOR k IN 1..50 LOOP
			PERFORM count(*) FROM bench_fn.karta_resolve_parties_set_this(ARRAY(SELECT u FROM unnest(tx) u),
				ARRAY(SELECT u FROM unnest(pl) u));
		END LOOP;
		INSERT INTO bench_fn.res VALUES ('karta_resolve_parties_set (500 cells, one text)', 'this', r,
			extract(epoch FROM clock_timestamp() - t0) * 1000 / 50);
		t0 := clock_timestamp();
		FOR k IN 1..50 LOOP
			PERFORM bench_fn.one_base(tx[k], pl[k]);
		END LOOP;
		INSERT INTO bench_fn.res VALUES ('one cell (karta_resolve_parties)', 'base', r,
			extract(epoch FROM clock_timestamp() - t0) * 1000 / 50);
		t0 := clock_timestamp();
		FOR k IN 1..50 LOOP
			PERFORM bench_fn.one_this(tx[k], pl[k]);
		END LOOP;
		INSERT INTO bench_fn.res VALUES ('one cell (karta_resolve_parties)', 'this', r,
			extract(epoch FROM clock_timestamp() - t0) * 1000 / 50);
	END LOOP;
END $$;
SELECT format('| %s | %s | %s ms (median %s) |', f, v, round(min(ms)::numeric, 3),
	round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 3))
FROM bench_fn.res GROUP BY f, v ORDER BY f, v;
SQL
	echo
	echo "| function, called alone | version | wall a call: lowest of 8 rounds of 50 |"
	echo "|---|---|---|"
	psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -f "$KT_WORK/micro.sql" | grep '^|'
fi
