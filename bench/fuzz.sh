#!/usr/bin/env bash
# bench/fuzz.sh: every libFuzzer target of a fuzz build — tests/fuzz/fuzz_*.c, found by glob,
# so targets other work adds are run too — for a set time each, one after the other (the
# machine is shared: one core at a time), and a Markdown table for docs/performance.md:
# executions, execs/s, edges covered (cov), features (ft), corpus units, peak RSS, findings.
#
# Usage: bench/fuzz.sh [SECONDS_PER_TARGET=60] [NAME_GLOB=fuzz_*]
#   KT_FUZZ_BIN  the fuzz build (default build-asan: clang, ASan/UBSan, -DKT_FUZZ=ON, as
#                tests/run.sh makes it; any -DKT_FUZZ=ON build works)
# Each target starts from its seeds (tests/fuzz/corpus/NAME, read-only) plus a scratch
# corpus $KT_FUZZ_BIN/bench-fuzz/NAME that keeps what earlier runs found (delete it to start
# over). A crash, leak, timeout (25 s per input) or out-of-memory (2 GiB) stops that target
# and is listed with its reproducer in $KT_FUZZ_BIN/bench-fuzz/findings/; the script exits 1
# when there was any.
set -euo pipefail
SECS=${1:-60}
GLOB=${2:-fuzz_*}
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${KT_FUZZ_BIN:-$SRC/build-asan}
if ! [[ $SECS =~ ^[0-9]+$ ]] || [ "$SECS" -lt 1 ]; then
	echo "usage: bench/fuzz.sh [SECONDS_PER_TARGET] [NAME_GLOB]" >&2
	exit 2
fi
shopt -s nullglob
targets=()
for src in "$SRC"/tests/fuzz/$GLOB.c; do
	name=$(basename "$src" .c)
	[ -x "$BIN/tests/$name" ] || { echo "bench/fuzz.sh: $BIN/tests/$name is not built (cmake -DKT_FUZZ=ON)" >&2; exit 2; }
	targets+=("$name")
done
[ ${#targets[@]} -gt 0 ] || { echo "bench/fuzz.sh: no target matches $GLOB" >&2; exit 2; }
WORK=$BIN/bench-fuzz
mkdir -p "$WORK/findings" "$WORK/logs"

echo "## fuzz targets, $SECS s each ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, build $(basename "$BIN"))"
echo
echo "| target | seconds | executions | execs/s | cov (edges) | ft (features) | corpus | peak RSS MB | finding |"
echo "|---|---|---|---|---|---|---|---|---|"
found=0
for name in "${targets[@]}"; do
	mkdir -p "$WORK/$name" "$WORK/findings/$name"
	log=$WORK/logs/$name.log
	t0=$(date +%s)
	rc=0
	(cd "$WORK" && timeout $((SECS + 120)) "$BIN/tests/$name" -max_total_time="$SECS" \
		-print_final_stats=1 -rss_limit_mb=2048 -timeout=25 \
		-artifact_prefix="$WORK/findings/$name/" "$WORK/$name" "$SRC/tests/fuzz/corpus/$name" \
		>"$log" 2>&1) || rc=$?
	t1=$(date +%s)
	stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
	finding=none
	if [ "$rc" -eq 72 ]; then # libFuzzer's exit on SIGINT/SIGTERM from outside: cut short
		finding="none (interrupted by a signal after $((t1 - t0)) s)"
	elif [ "$rc" -ne 0 ]; then
		found=1
		art=$(find "$WORK/findings/$name" -type f -printf '%f\n' | head -n 1)
		finding="exit $rc: $(grep -m1 -oE 'ERROR: [A-Za-z]+: [a-z-]+|deadly signal|out-of-memory|timeout' "$log" || echo see log) ${art:+($art)}"
	fi
	echo "| $name | $((t1 - t0)) | $(stat number_of_executed_units) | $(stat average_exec_per_sec) | ${cov:-?} | ${ft:-?} | ${corp:-?} | $(stat peak_rss_mb) | $finding |"
done
echo
echo "Logs: $WORK/logs/. cov: edges of the whole binary reached; corpus: units/bytes kept."
exit $found
