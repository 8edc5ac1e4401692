#!/usr/bin/env bash
# bench/xlsx.sh: `karta registry export participants --format xlsx` of a whole region's
# registry (kt_gen_region, fixed seed, SCALE 1 = 30,000 participants) beside the CSV export
# of the same rows — its floor: the same replica read, the same sort and field mapping,
# only the writer differs. Wall time and peak RSS (/usr/bin/time -v) for a school, a
# municipality and the region: the workbook is streamed (libxlsxwriter constant-memory
# mode), so the RSS it adds over the CSV export must not grow with the rows. The region's
# workbook is read back (openpyxl, read-only) to check it holds every row.
# Usage: bench/xlsx.sh [SCALE=1]. Needs a build in build/. Prints Markdown.
set -euo pipefail
SCALE=${1:-1}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/region_lib.sh
. "$KT_SRC/tests/integration/region_lib.sh"

kt_setup bench_xlsx
kt_start_kartad
G=$KT_WORK/gen
"$KT_BIN/tests/kt_gen_region" "$G" --scale "$SCALE" >&2
region_orgs "$G"
SCHOOL=$(kt_psql "SELECT min(code) FROM organization WHERE level = 'school' AND code ~ '^[0-9]+$'")
MUN=$(kt_psql "SELECT m.code FROM organization s JOIN organization m ON m.id = s.parent_id
	WHERE s.code = '$SCHOOL'")
t_imp=$(region_import "$G")
echo "bench: imported in $t_imp ms" >&2
kt_karta reg sync >/dev/null

# run NAME ARGS…: karta as the region under /usr/bin/time -v; prints "ms kib"
run() {
	local name=$1
	shift
	/usr/bin/time -v -o "$KT_WORK/$name.time" "$KT_KARTA" --config "$KT_WORK/reg.conf" "$@" \
		>"$KT_WORK/$name.out" 2>"$KT_WORK/$name.err" || kt_fail "$name: $(cat "$KT_WORK/$name.err")"
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
			for (i = 1; i <= n; i++) s = s * 60 + t[i]; ms = int(s * 1000 + 0.5) }
		/Maximum resident set size/ { kib = $2 }
		END { print ms, kib }' "$KT_WORK/$name.time"
}
echo "## XLSX export of the participants registry, scale $SCALE"
echo
echo "| scope | rows | CSV ms | CSV peak RSS KiB | XLSX ms | XLSX peak RSS KiB | XLSX − CSV RSS KiB | XLSX / CSV time | XLSX KiB | CSV KiB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for scope in "$SCHOOL" "$MUN" region; do
	org=()
	[ "$scope" = region ] || org=(--org "$scope")
	for rep in 1 2; do # the first run warms the page cache; the second is reported
		read -r c_ms c_kib < <(run "csv-$scope" registry export participants "${org[@]}" -o "$KT_WORK/p-$scope.csv")
		read -r x_ms x_kib < <(run "xlsx-$scope" registry export participants "${org[@]}" --format xlsx \
			-o "$KT_WORK/p-$scope.xlsx")
	done
	rows=$(($(wc -l <"$KT_WORK/p-$scope.csv") - 1))
	echo "| $scope | $rows | $c_ms | $c_kib | $x_ms | $x_kib | $((x_kib - c_kib)) |" \
		"$(awk "BEGIN { printf \"%.1f×\", $x_ms / ($c_ms > 0 ? $c_ms : 1) }") |" \
		"$(($(stat -c %s "$KT_WORK/p-$scope.xlsx") / 1024)) | $(($(stat -c %s "$KT_WORK/p-$scope.csv") / 1024)) |"
done
n=$(/usr/bin/python3 -c 'import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(sum(1 for _ in wb["Участники"].iter_rows(min_row=2)))' "$KT_WORK/p-region.xlsx")
echo
echo "the region's workbook read back: $n rows (openpyxl)"
kt_stop_kartad
