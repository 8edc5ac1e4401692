#!/usr/bin/env bash
# bench/import.sh: how fast a roadmap document becomes a plan.
#   1. parse only: tests/tools/import_accuracy (in-process, per seed, best of its runs);
#   2. end to end: `karta plan import` of each seed against a real kartad + PostgreSQL
#      (TLS handshake, PlanImport, one transaction, reply), N runs each, median wall time.
# Usage: bench/import.sh [RUNS=10]. Needs a build in build/ (tests/run.sh or cmake).
# Prints a Markdown table for docs/performance.md.
set -euo pipefail
RUNS=${1:-10}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

echo "## parse only (import_accuracy)"
(cd "$KT_SRC" && KT_SEEDS=tests/fixtures/seeds "$KT_BIN/tests/import_accuracy")

kt_setup bench_import
kt_start_kartad
echo
echo "## end to end: karta plan import (median of $RUNS runs, ms)"
echo
echo "| seed | lines | items | import ms (median) | min | max |"
echo "|---|---|---|---|---|---|"
for seed in "$KT_SRC"/tests/fixtures/seeds/*.txt; do
	name=$(basename "$seed" | cut -c1-3)
	times=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		kt_karta reg plan import "$seed" --allow-truncated >/dev/null
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000000)))
	done
	sorted=$(printf '%s\n' "${times[@]}" | sort -n)
	items=$(kt_psql "SELECT count(*) FROM plan_item i JOIN plan p ON p.id = i.plan_id
		WHERE p.id = (SELECT id FROM plan ORDER BY created_at DESC LIMIT 1)")
	echo "| $name | $(wc -l <"$seed") | $items | $(sed -n "$(((RUNS + 1) / 2))p" <<<"$sorted") |" \
		"$(head -n1 <<<"$sorted") | $(tail -n1 <<<"$sorted") |"
done
kt_stop_kartad
