#!/usr/bin/env bash
# bench/dashboard.sh: how fast the region's dashboard page draws, end to end. A generated
# region (tests/tools/kt_gen_region: MUN municipalities, SCH schools, registered through
# region_lib.sh) gets bench/rollup_gen.sql's cascade (a 320-item regional plan into every
# municipal and school plan, statuses for 95 % of the pairs, a third with an earlier
# version, report requests and submissions; triggers off while loading, as bench/rollup.sh),
# a real kartad serves it, the region's `karta dashboard` serves the page, and a headless
# Chromium driven over the DevTools protocol (bench/dash_timing.py) loads it RUNS times,
# fresh navigations with the cache off: Chromium's Performance API gives the time from
# the navigation's start to the page's 'karta-ready' mark (roll-up and devices fetched,
# the table and the chart drawn). Side by side in the same run: the floor — the roll-up's
# SQL call alone (psql, one session) — and `karta rollup --format json` (TLS, call, JSON).
# Usage: bench/dashboard.sh [MUN=60] [SCH=1000] [RUNS=5]. Needs a build in build/. The
# page's region has not synced its replica (the page reads the server's tables; names come
# with them). Prints Markdown for docs/dashboard.md.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_region_args "$@"
# shellcheck source=tests/integration/dash_lib.sh
. "$KT_SRC/tests/integration/dash_lib.sh"

KT_ORGS=(reg)
kt_setup bench_dashboard
kt_start_kartad >&2
t0=$(date +%s%N)
region_rollup "$MUN" "$SCH"
t_gen=$(ms "$t0")
counts=$(kt_psql "SELECT (SELECT count(*) FROM organization WHERE level = 'municipality') || ' municipalities, '
	|| (SELECT count(*) FROM organization WHERE level = 'school') || ' schools, '
	|| (SELECT count(*) FROM plan_item) || ' items, ' || (SELECT count(*) FROM item_status) || ' statuses'")
DEV=$(kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")

# the floor: the roll-up's SQL, RUNS times in one session
sql_ms=$(for ((i = 0; i < RUNS; i++)); do
	echo "SELECT count(*) FROM karta_rollup($DEV, NULL, 'municipality');"
done | psql -Xq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -c '\timing on' -f - |
	sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | median)
# the CLI
cli_ms=$(for ((i = 0; i < RUNS; i++)); do
	t=$(date +%s%N)
	kt_karta reg rollup --format json >/dev/null
	ms "$t"
done | median)

# the page
dash_start reg --no-sync
CP=$(kt_free_port)
prof=$(mktemp -d "$KT_WORK/chromium.XXXXXX")
kt_bg chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--disable-dev-shm-usage --remote-debugging-port="$CP" --user-data-dir="$prof" \
	--window-size=1700,1150 about:blank 2>>"$KT_WORK/chromium.err"
for ((i = 0; i < 100; i++)); do
	curl -s "http://127.0.0.1:$CP/json/version" >/dev/null && break
	sleep 0.1
done
CHROMIUM_PORT=$CP "$KT_SRC/bench/dash_timing.py" "$DASH_URL" "$RUNS" >"$KT_WORK/page.txt"
cat "$KT_WORK/page.txt" >&2
rows=$(awk 'NR == 2 { print $7 }' "$KT_WORK/page.txt")
[ "$rows" = "$MUN" ] || kt_fail "the page drew $rows rows, not $MUN"
col() { awk -v c="$1" 'NR > 1 { print $c }' "$KT_WORK/page.txt" | median; }
ready=$(col 5)
dash_stop >&2

cat <<EOF
## dashboard: the region's page ($(date -u +%F), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))

Data: $counts (generated and loaded in $((t_gen / 1000)) s).
Medians of $RUNS runs, ms:

| what | ms | × floor |
|---|---|---|
| floor: \`karta_rollup(region, today, 'municipality')\` in psql | $sql_ms | 1 |
| \`karta rollup --format json\` (TLS connect, call, JSON) | $cli_ms | $(awk -v a="$cli_ms" -v b="$sql_ms" 'BEGIN { printf "%.1f", a / b }') |
| page: document received (responseEnd) | $(col 2) | |
| page: DOMContentLoaded | $(col 3) | |
| page: longest /api/ fetch (roll-up) | $(col 6) | $(awk -v a="$(col 6)" -v b="$sql_ms" 'BEGIN { printf "%.1f", a / b }') |
| **page drawn** (navigation start → 'karta-ready': table and chart) | **$ready** | $(awk -v a="$ready" -v b="$sql_ms" 'BEGIN { printf "%.1f", a / b }') |
EOF
