#!/usr/bin/env bash
# bench/rollup_path.sh: where the time of the region's roll-up and overdue list goes, from the
# SQL call to the user's screen. The region of bench/rollup.sh (MUN municipalities, SCH
# schools from kt_gen_region; bench/rollup_gen.sql's 320-item cascade, statuses, requests;
# triggers off while loading but item_rollup's and the counters', ENABLE ALWAYS) behind a
# real kartad. RUNS times each, alternating, medians in ms:
#   sql         SELECT count(*) FROM karta_…(…) in one psql session: the function alone
#   sql rows    SELECT * FROM karta_…(…) with its rows sent to psql (unaligned, to /dev/null)
#   ping        `karta ping`: a process, its mutual-TLS handshake, one round trip — the floor
#               of any `karta` command
#   json        `karta rollup|overdue --format json >/dev/null`: TLS, the call through kartad
#               (the Table reply), the client's JSON
#   table       the same with the default table the user reads (>/dev/null)
# kartad runs with max_frame_bytes 32 MB: the region's overdue list (~14 MB as a Table) is
# refused under the default 4 MB (FAILED_PRECONDITION: narrow it).
# Usage: [PERF=1] bench/rollup_path.sh [MUN=60] [SCH=1000] [RUNS=5]. Needs a build in build/.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_region_args "$@"

KT_ORGS=(reg)
kt_setup bench_rollup_path
# the region's overdue list is ~14 MB: larger than the default frame (4 MB), which refuses it
kt_start_kartad --max-frame 33554432 >&2
region_rollup "$MUN" "$SCH"
DEV=$(kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")

# sql_ms SQL: RUNS runs in one session, the median of psql's \timing
sql_ms() {
	for ((i = 0; i < RUNS; i++)); do echo "$1;"; done |
		psql -XAq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -c '\timing on' -f - |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | median
}
sql_rows_ms() { # the same, rows sent (psql's \timing includes receiving them)
	for ((i = 0; i < RUNS; i++)); do echo "$1;"; done |
		{ psql -XAq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -c '\timing on' -f - | grep '^Time: ' || true; } |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | median
}
# cmd_ms ARGS…: RUNS runs of `karta ARGS` as the region, output to /dev/null: the median
# wall ms; the CPU ms per run of the client (user + system) and of kartad go to
# $KT_WORK/cpu.<ARGS> as "client kartad"
kd_cpu() { awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / t }' "/proc/$KT_KARTAD_PID/stat"; }
cmd_ms() {
	local k0 k1 f="$KT_WORK/cpu.$*" TIMEFORMAT='%U %S'
	k0=$(kd_cpu)
	for ((i = 0; i < RUNS; i++)); do
		t=$(date +%s%N)
		{ time kt_karta reg "$@" >/dev/null 2>>"$KT_WORK/karta.err" || kt_fail "karta $*"; } 2>>"$f.times"
		ms "$t"
	done | median
	k1=$(kd_cpu)
	awk -v n="$RUNS" -v k="$(awk -v a="$k0" -v b="$k1" 'BEGIN { print b - a }')" \
		'{ c += ($1 + $2) * 1000 } END { printf "%.0f %.0f\n", c / n, k / n }' "$f.times" >"$f"
}
cpu() { cat "$KT_WORK/cpu.$*"; }
rows() { kt_psql "SELECT count(*) FROM $1"; }

R="karta_rollup($DEV, NULL, 'municipality')"
O="karta_overdue($DEV, NULL)"
ping=$(cmd_ms ping)
cat <<EOF
## the roll-up and the overdue list end to end ($(date -u +%F), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))

Region: $MUN municipalities, $SCH schools, $(kt_psql "SELECT count(*) FROM plan_item") items.
Medians of $RUNS runs, ms.

| step | roll-up by municipality ($(rows "$R") rows) | overdue list ($(rows "$O") rows) |
|---|---|---|
| SQL: the function, \`count(*)\` (psql) | $(sql_ms "SELECT count(*) FROM $R") | $(sql_ms "SELECT count(*) FROM $O") |
| SQL: its rows to psql | $(sql_rows_ms "SELECT * FROM $R") | $(sql_rows_ms "SELECT * FROM $O") |
| \`karta ping\` (process, TLS handshake, one round trip) | $ping | $ping |
| \`karta … --format json\` (kartad, TLS, JSON) | $(cmd_ms rollup --format json) | $(cmd_ms overdue --format json) |
| \`karta …\` (the table a user reads) | $(cmd_ms rollup) | $(cmd_ms overdue) |
| CPU per call, json: client / kartad | $(cpu rollup --format json | tr ' ' /) | $(cpu overdue --format json | tr ' ' /) |
| CPU per call, table: client / kartad | $(cpu rollup | tr ' ' /) | $(cpu overdue | tr ' ' /) |
EOF
# PERF=1: where the client's CPU goes in one `karta overdue` (perf, to stderr)
if [ -n "${PERF:-}" ]; then
	perf record -q -g -o "$KT_WORK/perf.data" -- "$KT_KARTA" --config "$KT_WORK/reg.conf" overdue \
		>/dev/null 2>&1 || kt_fail "perf record of karta overdue"
	perf report -q -i "$KT_WORK/perf.data" --stdio --no-children --percent-limit 2 2>/dev/null |
		grep -v '^$' | head -n 80 >&2
fi
