# bench/lib.sh: what every bench script shares — the test library (tests/integration/lib.sh)
# on a PostgreSQL cluster of the bench's own ($KT_BIN/bench-pg, not the tests'), stopped with
# kartad and the background jobs when the script exits, ms START (milliseconds since a
# `date +%s%N` reading), per_s N MS (a rate) and copy_ms SQL FILE (a COPY's time). Source
# it after `set -euo pipefail`:
#     . "$(dirname "$0")/lib.sh"
# KT_BIN (default build/) picks the build; PGCLUSTER_SHARED_BUFFERS, PGCLUSTER_MAX_WAL_SIZE the
# cluster's memory and WAL (below).
export KT_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export KT_BIN=${KT_BIN:-$KT_SRC/build}
export KT_PG_DIR=${KT_PG_DIR:-$KT_BIN/bench-pg}
# the bench cluster's memory is a region server's class (deploy/ha/patroni-node1.yml has 2GB on
# its machine; 1GB here on the 24 GiB bench machine), not the tests' 64MB: the federal package
# writes ~1.5 GB of tables, indexes and feed, and a 64MB buffer pool made its apply re-read them
export PGCLUSTER_SHARED_BUFFERS=${PGCLUSTER_SHARED_BUFFERS:-1GB}
export PGCLUSTER_MAX_WAL_SIZE=${PGCLUSTER_MAX_WAL_SIZE:-4GB}
# shellcheck source=tests/integration/lib.sh
. "$KT_SRC/tests/integration/lib.sh"
# lib.sh's exit trap stops kartad and background jobs; then the bench's own cluster goes
trap 'rc=$?; ( (exit $rc); kt__on_exit ); exec {KT_PG_LOCK_FD}>&- {KT_WORK_LOCK_FD}>&-
	"$KT_PGCLUSTER" stop "$KT_PG_DIR" >/dev/null 2>&1; exit $rc' EXIT
ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
# per_s N MS: N things in MS milliseconds, per second (MS 0 counts as 1).
per_s() { echo $(($1 * 1000 / ($2 > 0 ? $2 : 1))); }
# copy_ms SQL FILE: the milliseconds psql takes to run SQL (a COPY … FROM STDIN) on FILE — the
# floor a bench compares with.
copy_ms() {
	local t0
	t0=$(date +%s%N)
	kt_psql "$1" <"$2" >&2
	ms "$t0"
}

# bench_region_args [MUN=60] [SCH=1000] [RUNS=5]: the arguments of the benches on
# region_rollup's region (bench/dashboard.sh, bench/rollup_path.sh), and region_lib.sh.
bench_region_args() {
	MUN=${1:-60}
	SCH=${2:-1000}
	RUNS=${3:-5}
	# shellcheck source=tests/integration/region_lib.sh
	. "$KT_SRC/tests/integration/region_lib.sh"
}

# median: the median of the numbers on stdin, one a line.
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# bench_region NAME: a fresh kartad (kt_setup NAME) and the region kt_gen_region makes at
# scale $SCALE in $G (fixed seed), with its organizations registered (region_lib.sh).
bench_region() {
	# shellcheck source=tests/integration/region_lib.sh
	. "$KT_SRC/tests/integration/region_lib.sh"
	kt_setup "$1"
	kt_start_kartad
	G=$KT_WORK/gen
	"$KT_BIN/tests/kt_gen_region" "$G" --scale "$SCALE" >&2
	region_orgs "$G"
}

# bench_school_mun: SCHOOL, the first school with a numeric code, and MUN, its municipality.
bench_school_mun() {
	SCHOOL=$(kt_psql "SELECT min(code) FROM organization WHERE level = 'school' AND code ~ '^[0-9]+$'")
	MUN=$(kt_psql "SELECT m.code FROM organization s JOIN organization m ON m.id = s.parent_id
		WHERE s.code = '$SCHOOL'")
}

# bench_run NAME ARGS…: karta as the region under /usr/bin/time -v (output in
# $KT_WORK/NAME.out, .err); prints "ms kib" — wall time and peak RSS.
bench_run() {
	local name=$1
	shift
	/usr/bin/time -v -o "$KT_WORK/$name.time" "$KT_KARTA" --config "$KT_WORK/reg.conf" "$@" \
		>"$KT_WORK/$name.out" 2>"$KT_WORK/$name.err" || kt_fail "$name: $(cat "$KT_WORK/$name.err")"
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
			for (i = 1; i <= n; i++) s = s * 60 + t[i]; ms = int(s * 1000 + 0.5) }
		/Maximum resident set size/ { kib = $2 }
		END { print ms, kib }' "$KT_WORK/$name.time"
}

# bench_triggers_sql TABLE…: the ALTER TABLE statements that put the triggers of the TABLEs
# back as they are now (enabled, always, replica or disabled) — run after a bench switched some.
bench_triggers_sql() {
	local t list=""
	for t in "$@"; do list="$list${list:+, }'$t'::regclass"; done
	kt_psql "SELECT string_agg(format('ALTER TABLE %I %s TRIGGER %I;', tgrelid::regclass,
		CASE tgenabled WHEN 'O' THEN 'ENABLE' WHEN 'A' THEN 'ENABLE ALWAYS' WHEN 'R' THEN 'ENABLE REPLICA'
		ELSE 'DISABLE' END, tgname), ' ') FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN ($list)"
}

# bench_db_cpu RUNS SQL [SETUP] [AFTER]: the CPU ms one backend spends on a run of SQL, each run
# in a rolled-back transaction, averaged over RUNS runs after two unmeasured ones — its time on
# a CPU from /proc/PID/schedstat (nanoseconds; /proc/PID/stat's utime + stime are sampled at the
# clock tick); SETUP (e.g. triggers switched off) committed before them, AFTER run after them,
# so the runs keep their plans as a server's session does.
# shellcheck disable=SC2016 # $PID and $1 are psql's shell's and awk's
bench_db_cpu() {
	local runs=$1 run="BEGIN; $2; ROLLBACK;" i
	{
		echo "${3:-}"
		echo 'SELECT pg_backend_pid() AS pid \gset'
		echo '\setenv PID :pid'
		echo "$run"
		echo "$run"
		echo '\! awk '"'"'{print "cpu0", $1 / 1e6}'"'"' /proc/$PID/schedstat'
		for i in $(seq "$runs"); do echo "$run"; done
		echo '\! awk '"'"'{print "cpu1", $1 / 1e6}'"'"' /proc/$PID/schedstat'
		echo "${4:-}"
	} | psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" |
		awk -v n="$runs" '/^cpu0/ {a = $2} /^cpu1/ {b = $2} END {printf "%.2f\n", (b - a) / n}'
}
