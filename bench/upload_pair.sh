#!/usr/bin/env bash
# bench/upload_pair.sh: two item Uploads on one feed at once, against the same Uploads one after
# the other — what two backends applying a connection's Uploads (kartad's pooled connections)
# can gain, and where the second one waits.
#   bench/sync.sh's region (bench_sync_region); two streams A and B of N fresh 500-op batches of
#   item adds each (bench_item_op: the shape kartad sends to karta_upload_seq, each op after an
#   RS), all on the region's plan (one feed, one plan's roll-up counters), from the region's
#   device, each karta_upload_seq committed (autocommit, as kartad runs it). Each round:
#     seq  — one session applies A's N batches, then B's;
#     pair — two sessions, one applying A's, the other B's, started together;
#   each after two unmeasured batches of its own (plans cached, as in a kartad session) and a
#   VACUUM ANALYZE. Printed: ops/s (all the 2·N·500 ops over the wall time from the first
#   start to the last end), each backend's CPU and run-queue wait (/proc/PID/schedstat: ms on a
#   CPU, ms runnable but not running), and, for the pair, what the two backends were doing
#   (their activity rows of this database, datname, sampled every SAMPLE_MS ms by a third
#   session: active on a CPU, waiting for a lock — which one: the lock waited for and the row
#   locks held —, idle between batches).
# Usage: bench/upload_pair.sh [N=20] [ROUNDS=2]; SAMPLE_MS (default 10). Prints Markdown.
set -euo pipefail
N=${1:-20}
ROUNDS=${2:-2}
SAMPLE_MS=${SAMPLE_MS:-10}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_pair
kt_start_kartad
bench_sync_region
REG_DEV=$(kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")
PLAN=$(kt_psql "SELECT p.id FROM plan p JOIN organization o ON o.id = p.owner_org_id
	WHERE o.code = 'reg' LIMIT 1")
W=2 # unmeasured batches a session
kt_psql "CREATE TABLE bench_pair_ops (run int, s text, k int, t text);
ALTER TABLE bench_pair_ops ALTER t SET STORAGE EXTERNAL; -- read back without decompressing
CREATE TABLE bench_pair_wait (run int, app text, what text)" >/dev/null

# batches RUN: streams a and b of W + N fresh batches for run RUN (500 ops a batch: the plan's
# 300 items twice over, cut at 500)
batches() {
	kt_psql "INSERT INTO bench_pair_ops
	SELECT $1, s, k, string_agg(chr(30) || $(bench_item_op i)::text, '' ORDER BY i.ordinal, i.section_id)
	FROM (VALUES ('a'), ('b')) v(s), generate_series(1, $((W + N))) k,
		LATERAL (SELECT x.* FROM plan_item x, generate_series(1, 2) g
		         WHERE x.plan_id = '$PLAN' AND k > 0 AND x.created_at < '$T_GEN'
		         ORDER BY g, x.ordinal, x.id LIMIT 500) i
	GROUP BY s, k" >/dev/null
}
T_GEN=$(kt_psql "SELECT now() + interval '1 second'")
sleep 1

# session FILE APP RUN STREAMS…: a psql script applying the batches of STREAMS (W unmeasured
# of the first, then N of each), printing "cpu0|cpu1 <ms on a CPU> <ms runnable>" and
# "t0|t1 <ns>" around the measured ones; waits for $KT_WORK/go after the unmeasured ones
# (touching $KT_WORK/ready-APP)
# shellcheck disable=SC2016 # $PID, $(date …) and $1 are psql's shell's and awk's
session() {
	local file=$1 app=$2 run=$3 s k
	shift 3
	{
		echo "SET application_name = '$app';"
		echo 'SELECT pg_backend_pid() AS pid \gset'
		echo '\setenv PID :pid'
		for k in $(seq "$W"); do
			echo "SELECT count(*) FROM karta_upload_seq($REG_DEV, (SELECT t FROM bench_pair_ops WHERE run = $run AND s = '$1' AND k = $k));"
		done
		echo "\\! touch $KT_WORK/ready-$app; while [ ! -e $KT_WORK/go ]; do sleep 0.005; done"
		echo '\! echo t0 $(date +%s%N)'
		echo '\! awk '"'"'{print "cpu0", $1 / 1e6, $2 / 1e6}'"'"' /proc/$PID/schedstat'
		for s in "$@"; do
			for k in $(seq $((W + 1)) $((W + N))); do
				echo "SELECT count(*) FROM karta_upload_seq($REG_DEV, (SELECT t FROM bench_pair_ops WHERE run = $run AND s = '$s' AND k = $k));"
			done
		done
		echo '\! awk '"'"'{print "cpu1", $1 / 1e6, $2 / 1e6}'"'"' /proc/$PID/schedstat'
		echo '\! echo t1 $(date +%s%N)'
		echo "SET application_name = '$app-done';"
	} >"$file"
}
# the sampler of run RUN: the activity of the pair's two backends (this database's: datname)
# every SAMPLE_MS ms until both are done (or 10 minutes), into bench_pair_wait
sampler() {
	kt_psql "DO \$\$
	DECLARE
		t0 timestamptz := clock_timestamp();
	BEGIN
		LOOP
			PERFORM pg_stat_clear_snapshot();
			EXIT WHEN clock_timestamp() > t0 + interval '10 minutes'
				OR NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
					AND application_name IN ('pair-a', 'pair-b'))
				AND clock_timestamp() > t0 + interval '2 seconds';
			INSERT INTO bench_pair_wait
			SELECT $1, a.application_name, CASE
				WHEN a.state <> 'active' THEN 'between batches (' || a.state || ')'
				WHEN a.wait_event_type IS NULL THEN 'on a CPU (or runnable)'
				WHEN a.wait_event_type = 'Lock' THEN 'lock: ' || coalesce((SELECT string_agg(DISTINCT
					CASE l.locktype WHEN 'transactionid' THEN 'a transaction''s end'
					WHEN 'advisory' THEN 'advisory ' || l.objid ELSE l.locktype || ' ' ||
					coalesce(l.relation::regclass::text, l.classid::text) END || ' ' || l.mode, ', ')
					FROM pg_locks l WHERE l.pid = a.pid AND a.datname = current_database() AND NOT l.granted), '?')
					|| coalesce(' (holding the row lock of a tuple of ' || (SELECT string_agg(DISTINCT
					l.relation::regclass::text, ', ') FROM pg_locks l WHERE l.pid = a.pid AND l.granted
					AND a.datname = current_database() AND l.locktype = 'tuple') || ')', '')
				ELSE a.wait_event_type || ': ' || a.wait_event END
			FROM pg_stat_activity a WHERE a.datname = current_database()
				AND a.application_name IN ('pair-a', 'pair-b');
			PERFORM pg_sleep($SAMPLE_MS / 1000.0);
		END LOOP;
	END \$\$" >/dev/null
}
# ms_of A B: milliseconds from ns A to ns B
ms_of() { echo $((($2 - $1) / 1000000)); }
cpu_of() { awk '/^cpu0/ {a = $2; r = $3} /^cpu1/ {printf "%d (+%d runnable)", $2 - a, $3 - r}' "$1"; }
t_of() { sed -n "s/^$2 //p" "$1"; }
applied() { kt_psql "SELECT count(*) FROM op_log WHERE outcome = 'applied'"; }

echo
echo "## two 500-op item Uploads on one feed at once, against one after the other ($N batches a stream, $((2 * N * 500)) ops a run)"
echo
echo "| round | load | how | ops/s | wall ms | backend A: CPU ms (+ runnable) | backend B: CPU ms (+ runnable) | CPU ms a batch |"
echo "|---|---|---|---|---|---|---|---|"
run=0
for round in $(seq "$ROUNDS"); do
	order="seq pair"
	[ $((round % 2)) = 1 ] || order="pair seq"
	for how in $order; do
		run=$((run + 1))
		batches "$run"
		kt_psql "VACUUM ANALYZE plan_item, item_history, change_log, op_log, item_rollup, rollup_count, feed" >/dev/null
		rm -f "$KT_WORK"/go "$KT_WORK"/ready-*
		a0=$(applied)
		load=$(cut -d' ' -f1 /proc/loadavg)
		if [ "$how" = seq ]; then
			session "$KT_WORK/s-a.sql" seq-a "$run" a b
			psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -f "$KT_WORK/s-a.sql" >"$KT_WORK/out-a" &
			pa=$!
			while [ ! -e "$KT_WORK/ready-seq-a" ]; do sleep 0.01; done
			touch "$KT_WORK/go"
			wait "$pa"
			t0=$(t_of "$KT_WORK/out-a" t0)
			t1=$(t_of "$KT_WORK/out-a" t1)
			cb="—"
			cpu_sum=$(awk '/^cpu0/ {a = $2} /^cpu1/ {print $2 - a}' "$KT_WORK/out-a")
		else
			session "$KT_WORK/s-a.sql" pair-a "$run" a
			session "$KT_WORK/s-b.sql" pair-b "$run" b
			psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -f "$KT_WORK/s-a.sql" >"$KT_WORK/out-a" &
			pa=$!
			psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -f "$KT_WORK/s-b.sql" >"$KT_WORK/out-b" &
			pb=$!
			while [ ! -e "$KT_WORK/ready-pair-a" ] || [ ! -e "$KT_WORK/ready-pair-b" ]; do sleep 0.01; done
			sampler "$run" &
			ps=$!
			touch "$KT_WORK/go"
			wait "$pa" "$pb" "$ps"
			t0=$(printf '%s\n' "$(t_of "$KT_WORK/out-a" t0)" "$(t_of "$KT_WORK/out-b" t0)" | sort -n | head -1)
			t1=$(printf '%s\n' "$(t_of "$KT_WORK/out-a" t1)" "$(t_of "$KT_WORK/out-b" t1)" | sort -n | tail -1)
			cb=$(cpu_of "$KT_WORK/out-b")
			cpu_sum=$(cat "$KT_WORK/out-a" "$KT_WORK/out-b" | awk '/^cpu0/ {s -= $2} /^cpu1/ {s += $2} END {print s}')
		fi
		got=$(($(applied) - a0))
		want=$((2 * (W + N) * 500))
		[ "$how" = pair ] || want=$((want - W * 500)) # (B's unmeasured batches not applied)
		[ "$got" = "$want" ] || { echo "$how: $got ops applied, not $want" >&2; exit 1; }
		wall=$(ms_of "$t0" "$t1")
		echo "| $round | $load | $how | $(per_s $((2 * N * 500)) "$wall") | $wall |" \
			"$(cpu_of "$KT_WORK/out-a") | $cb | $(awk "BEGIN { printf \"%.1f\", $cpu_sum / (2 * $N) }") |"
	done
done
echo
echo "What the pair's backends were doing (their activity sampled every $SAMPLE_MS ms, all pair runs; % of each backend's samples):"
echo
echo "| backend | state | samples | % |"
echo "|---|---|---|---|"
kt_psql "SELECT '| ' || app || ' | ' || what || ' | ' || n || ' | ' || round(100.0 * n / sum(n) OVER (PARTITION BY app), 1) || ' |'
	FROM (SELECT app, what, count(*) AS n FROM bench_pair_wait GROUP BY 1, 2) x ORDER BY app, n DESC"
kt_stop_kartad
