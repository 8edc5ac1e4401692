#!/usr/bin/env bash
# bench/forms.sh: `karta print notice` for the largest school of a generated region
# (kt_gen_region, fixed seed, SCALE 1 = 30,000 participants, every participant registered
# for two exams) and `karta print plan` of a 334-item roadmap, beside their floors: the CSV
# export of the same school's participants (`registry export`, the same replica read, no
# layout) and `plan show --format csv` of the same plan. Wall time, peak RSS and pages
# (the forms lay out every page twice: once to count the pages for «стр. N из M»).
# Usage: bench/forms.sh [SCALE=1]. Needs a build in build/. Prints Markdown.
set -euo pipefail
SCALE=${1:-1}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
export KT_SEEDS=${KT_SEEDS:-$KT_SRC/tests/fixtures/seeds}

bench_region bench_forms
t_imp=$(region_import "$G")
echo "bench: imported in $t_imp ms" >&2
kt_psql "INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date)
	SELECT gen_random_uuid(), o.id, s.code, s.name, 1, 11, s.day FROM organization o,
	(VALUES (1, 'Русский язык', date '2026-05-28'), (2, 'Математика (профильный уровень)',
	 date '2026-06-01')) s(code, name, day) WHERE o.code = 'reg';
	INSERT INTO exam_registration(id, org_id, participant_id, exam_id)
	SELECT gen_random_uuid(), p.org_id, p.id, e.id FROM participant p CROSS JOIN exam e
	WHERE karta_registration_ok(p.form, p.class, e.form, e.gia)" >/dev/null
SCHOOL=$(kt_psql "SELECT o.code FROM exam_registration r JOIN organization o ON o.id = r.org_id
	GROUP BY o.code ORDER BY count(DISTINCT r.participant_id) DESC, o.code LIMIT 1")
kt_ok reg plan import "$KT_SEEDS/001_ab757c1570964dd4.txt"
PLAN=$(kt_psql "SELECT id FROM plan ORDER BY created_at DESC LIMIT 1")
kt_karta reg sync >/dev/null

echo "## Print forms, scale $SCALE"
echo
echo "| document | pages | ms | peak RSS KiB | ms / page | floor | floor ms | floor peak RSS KiB | time / floor |"
echo "|---|---|---|---|---|---|---|---|---|"
row() { # name pages ms kib floor-name floor-ms floor-kib
	echo "| $1 | $2 | $3 | $4 | $(awk "BEGIN { printf \"%.1f\", $3 / $2 }") | $5 | $6 | $7 |" \
		"$(awk "BEGIN { printf \"%.1f×\", $3 / ($6 > 0 ? $6 : 1) }") |"
}
for rep in 1 2; do # the first run warms the page cache; the second is reported
	read -r f_ms f_kib < <(bench_run floor-school registry export participants --org "$SCHOOL" -o "$KT_WORK/s.csv")
	read -r n_ms n_kib < <(bench_run notice print notice --school "$SCHOOL" -o "$KT_WORK/notice.pdf")
	read -r p_f_ms p_f_kib < <(bench_run floor-plan plan show "$PLAN" --format csv)
	read -r p_ms p_kib < <(bench_run plan print plan "$PLAN" -o "$KT_WORK/plan.pdf")
done
n_pages=$(pdfinfo "$KT_WORK/notice.pdf" | sed -n 's/^Pages: *//p')
p_pages=$(pdfinfo "$KT_WORK/plan.pdf" | sed -n 's/^Pages: *//p')
row "notices of school $SCHOOL ($(($(wc -l <"$KT_WORK/s.csv") - 1)) participants)" "$n_pages" "$n_ms" \
	"$n_kib" "registry export (CSV)" "$f_ms" "$f_kib"
row "roadmap, 334 items (landscape)" "$p_pages" "$p_ms" "$p_kib" "plan show --format csv" \
	"$p_f_ms" "$p_f_kib"
echo
echo "notice.pdf $(($(stat -c %s "$KT_WORK/notice.pdf") / 1024)) KiB, plan.pdf $(($(stat -c %s "$KT_WORK/plan.pdf") / 1024)) KiB"
kt_stop_kartad
