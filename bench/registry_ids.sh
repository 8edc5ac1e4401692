#!/usr/bin/env bash
# bench/registry_ids.sh: an interop (РИС) participants file of N rows (default 5,000) with a
# bad row every 37th line — the wrong field count, a broken GUID, a GUID used twice, a
# flagged-deleted row naming nothing, an impossible date, a wrong СНИЛС, a line of another
# encoding — imported by one school with --partial: every bad line must be reported with
# FILE:LINE and nothing of it stored, every good row stored once; then export → import is
# nothing to change and a second export is the same file. Timed side by side with psql COPY
# of the same file into a text staging table (the floor). Usage: bench/registry_ids.sh [N].
# Needs a build in build/. Prints Markdown.
set -euo pipefail
N=${1:-5000}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_registry_ids
kt_start_kartad
F=$KT_WORK/ris.csv
RH='Guid;Признак удаленной строки;Фамилия;Имя;Отчество;Серия документа;Номер документа;Код типа документа, удостоверяющего личность;Пол;Класс;Дата рождения;Признак специализированной рассадки;Код категории участника;Код субъекта Российской Федерации, в котором участник закончил ОО;Guid ОО, основная ОО участника;Guid ОО, выпускная ОО;Дата-время создания;Дата-время изменения;Форма ГИА;Действующие результаты ГИА;Код формы обучения;Код гражданства;Снилс'
BAD1251=$(printf 'Ивановa' | iconv -f UTF-8 -t CP1251)
{
	echo "$RH"
	awk -v n="$N" -v b1251="$BAD1251" 'BEGIN {
		split("Иванова Петрова Сидорова Кузнецова Смирнова Попова Волкова Зайцева", sur, " ")
		split("Анна Мария Ольга Дарья Ирина Елена Вера Нина", nm, " ")
		for (i = 1; i <= n; i++) {
			g = sprintf("f%07d-0000-4000-8000-%012d", i, i)
			doc = sprintf("%06d", 100000 + i)
			row = sprintf("%s;0;%s;%s;;%04d;%s;1;1;11А;%02d.%02d.2008;0;1;50;;;01.09.2025 10:00:00;01.09.2025 10:00:00;1;0;1;643;",
				g, sur[i % 8 + 1], nm[i % 7 + 1], 4500 + i % 90, doc, i % 28 + 1, i % 12 + 1)
			if (i % 37 == 0) {
				k = (i / 37) % 7
				if (k == 0) row = g ";0;Обрезанная;Строка"
				else if (k == 1) sub(/^f/, "x", row)
				else if (k == 2) row = sprintf("f%07d-0000-4000-8000-%012d", i - 1, i - 1) substr(row, 37)
				else if (k == 3) sub(/;0;/, ";2;", row)
				else if (k == 4) sub(/;11А;[0-9][0-9]\./, ";11А;31.", row) && sub(/;11А;31\.[0-9][0-9]\./, ";11А;31.02.", row)
				else if (k == 5) sub(/643;$/, "643;11223344596", row)
				else sub(/;0;[^;]*;/, ";0;" b1251 ";", row)
			}
			print row
		}
	}'
} >"$F"
BAD=$((N / 37))
SCHOOL=sch12
kt_ok "$SCHOOL" sync
t0=$(date +%s%N)
kt_run timeout 600 "$KT_KARTA" --config "$KT_WORK/$SCHOOL.conf" registry import participants "$F" --partial
t_imp=$(ms "$t0")
kt_log "import: $t_imp ms"
[ "$KT_RC" = 1 ] || kt_fail "import with bad rows: exit $KT_RC, expected 1"
got_bad=$(printf '%s\n' "$KT_ERR" | grep -Ec "^$F:[0-9]+: " || true)
lines_bad=$(printf '%s\n' "$KT_ERR" | grep -Eo "^$F:[0-9]+:" | sort -u | wc -l)
[ "$lines_bad" = "$BAD" ] || kt_fail "bad lines reported: $lines_bad, expected $BAD"
STORED=$(kt_psql "SELECT count(*) FROM participant WHERE deleted_at IS NULL")
[ "$STORED" = $((N - BAD)) ] || kt_fail "stored $STORED rows, expected $((N - BAD))"
kt_assert_eq "$STORED" "$(kt_psql "SELECT count(DISTINCT doc_number) FROM participant")" "each good row once"
kt_ok "$SCHOOL" sync
t0=$(date +%s%N)
kt_ok "$SCHOOL" registry export participants --layout ris --all -o "$KT_WORK/out1.csv"
t_exp=$(ms "$t0")
t0=$(date +%s%N)
kt_ok "$SCHOOL" registry import participants "$KT_WORK/out1.csv"
t_re=$(ms "$t0")
kt_assert_contains "$KT_OUT" "0 added, 0 updated, $STORED unchanged, 0 rejected by the server"
kt_ok "$SCHOOL" registry export participants --layout ris --all -o "$KT_WORK/out2.csv"
cmp "$KT_WORK/out1.csv" "$KT_WORK/out2.csv" || kt_fail "a second export differs"

cols=$(head -n 1 "$F" | awk -F';' '{ for (i = 1; i <= NF; i++) printf "%sc%d text", (i > 1 ? ", " : ""), i }')
kt_psql "CREATE TABLE copy_stage ($cols)"
grep -v "$BAD1251" "$F" | awk -F';' 'NR == 1 || NF == 23' >"$KT_WORK/copyable.csv"
t_copy=$(copy_ms "COPY copy_stage FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)" \
	"$KT_WORK/copyable.csv")

echo "## registry identity: $N interop rows, $BAD bad ($got_bad messages), one school"
echo
echo "| step | ms | rows/s |"
echo "|---|---|---|"
echo "| import --partial (validate, resolve ids, queue, upload, pull back) | $t_imp | $(per_s "$N" "$t_imp") |"
echo "| export --layout ris --all | $t_exp | $(per_s "$STORED" "$t_exp") |"
echo "| import of the export (nothing to change) | $t_re | $(per_s "$STORED" "$t_re") |"
echo "| psql COPY of the well-formed lines into a text staging table | $t_copy | $(per_s "$N" "$t_copy") |"
echo
echo "import / COPY: $(awk "BEGIN { printf \"%.0f\", $t_imp / ($t_copy > 0 ? $t_copy : 1) }")×; every bad line reported, every good row stored once, export → import empty, second export identical"
kt_stop_kartad
