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

bench_region bench_xlsx
bench_school_mun
t_imp=$(region_import "$G")
echo "bench: imported in $t_imp ms" >&2
kt_karta reg sync >/dev/null

echo "## XLSX export of the participants registry, scale $SCALE"
echo
echo "| scope | rows | CSV ms | CSV peak RSS KiB | XLSX ms | XLSX peak RSS KiB | XLSX − CSV RSS KiB | XLSX / CSV time | XLSX KiB | CSV KiB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for scope in "$SCHOOL" "$MUN" region; do
	org=()
	[ "$scope" = region ] || org=(--org "$scope")
	for rep in 1 2; do # the first run warms the page cache; the second is reported
		read -r c_ms c_kib < <(bench_run "csv-$scope" registry export participants "${org[@]}" -o "$KT_WORK/p-$scope.csv")
		read -r x_ms x_kib < <(bench_run "xlsx-$scope" registry export participants "${org[@]}" --format xlsx \
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
