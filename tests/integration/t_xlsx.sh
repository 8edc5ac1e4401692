#!/usr/bin/env bash
# t_xlsx: `--format xlsx -o FILE.xlsx` of the table commands against real kartad, TLS and
# PostgreSQL, on a small generated region with an exam planned and seated and a plan
# cascade with statuses. Each workbook is read back with openpyxl (xlsx_compare.py) and
# compared cell by cell with the --format json of the same command: the values, their types
# (numbers are numbers, dates real dates shown дд.мм.гггг, percentages 0.0 %), the frozen
# bold header, widths in characters, the Russian sheet names and headers (the workbooks are
# written in a Russian locale: headers follow the language, LANG=ru_RU.UTF-8). The registry export is
# compared with the CSV export of the same rows. Refusals: xlsx on a terminal without -o,
# -o with the text table, csv-only options; a failed command leaves an existing file as it
# was and no temporary file; a workbook on a pipe is whole.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/region_lib.sh
. "$(dirname "$0")/region_lib.sh"

kt_setup t_xlsx
kt_start_kartad
CMP=$KT_SRC/tests/integration/xlsx_compare.py
W=$KT_WORK/out
mkdir -p "$W"
cmp_xlsx() { # FILE SHEET JSON SPEC…
	local out
	out=$(/usr/bin/python3 "$CMP" "$@" 2>&1) || kt_fail "$out"
	kt_log "$out"
}
# json ORG FILE ARGS…: the command's --format json into FILE
json() {
	local org=$1 f=$2
	shift 2
	kt_ok "$org" "$@" --format json
	printf '%s\n' "$KT_OUT" >"$f"
}

# --- data: a generated region, an exam seated, a plan cascade with statuses -----------------
G=$KT_WORK/gen
"$KT_BIN/tests/kt_gen_region" "$G" --municipalities 2 --schools 6 --participants 120 \
	--exam-points 3 --auditoriums 12 --staff 20 >/dev/null
region_orgs "$G"
for f in participants exam-points auditoriums; do
	kt_ok reg registry import "$f" "$G/$f.csv"
done
region_exam 11111111-2222-4333-8444-555555555555
X=2025-06-01:2
kt_ok reg sync
for p in $(kt_psql "SELECT code FROM exam_point ORDER BY code"); do
	rooms=$(kt_psql "SELECT string_agg('--room ' || a.code, ' ' ORDER BY a.code) FROM auditorium a
		JOIN exam_point p ON p.id = a.point_id WHERE p.code = '$p'")
	# shellcheck disable=SC2086
	kt_ok reg exam plan --exam "$X" --point "$p" $rooms
done
kt_ok reg exam distribute --exam "$X" --cross-municipal
kt_ok reg exam seat --exam "$X"

TODAY=$(kt_psql "SELECT current_date")
ru_day() { date -d "$TODAY $1 days" +%d.%m.%Y; }
kt_ok reg plan create --title "Дорожная карта ГИА" --year 2026 --section "1|Организационные мероприятия"
PLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Собрания с родителями выпускников" \
	--deadline "до $(ru_day -5)" --responsible "УО, ОО"
kt_ok reg item add "$PLAN" --section 1 --number 1.2 --title "Информирование участников" \
	--deadline "до $(ru_day +10)" --responsible "ОО"
kt_ok reg item add "$PLAN" --section 1 --number 1.3 --title "Мониторинг сайтов" --deadline постоянно
kt_ok reg plan approve "$PLAN" --number "01-08/1" --date "$TODAY"
for m in mun1 mun2; do
	kt_ok "$m" plan derive "$PLAN"
	MP=$(kt_id_of "$KT_OUT" plan)
	kt_ok "$m" plan approve "$MP" --number "м-1" --date "$TODAY"
	[ "$m" = mun1 ] && MPLAN1=$MP
done
kt_ok sch11 plan derive "$MPLAN1"
ITEM=$(kt_psql "SELECT i.id FROM plan_item i JOIN plan p ON p.id = i.plan_id
	JOIN organization o ON o.id = p.owner_org_id WHERE o.code = 'mun1' AND i.number = '1.1'")
kt_ok mun1 status set "$ITEM" done --comment "проведены"

# --- the roll-up ----------------------------------------------------------------------------
json reg "$W/rollup.json" rollup
LANG=ru_RU.UTF-8 kt_ok reg rollup --format xlsx -o "$W/rollup.xlsx"
kt_assert_match "$KT_OUT" "^(written to|записано в) $W/rollup.xlsx$" "rollup -o says where (in Russian here)"
cmp_xlsx "$W/rollup.xlsx" "Свод по муниципалитетам" "$W/rollup.json" Код=grp:s Наименование=grp_name:s \
	Мероприятий=items:n "Срок наступил=due:n" Выполнено=done:n "Выполнено, %=done/items:p" \
	Просрочено=overdue:n "Нет отчёта=not_reported:n" "Последний отчёт=last_submission:d" \
	ОО=sub_orgs:n "Выполнено ОО, %=sub_done/sub_items:p"
json reg "$W/rollup-sch.json" rollup --by school --as-of "$TODAY"
LANG=ru_RU.UTF-8 kt_ok reg rollup --by school --as-of "$TODAY" --format xlsx -o "$W/rollup-sch.xlsx"
cmp_xlsx "$W/rollup-sch.xlsx" "Свод по ОО" "$W/rollup-sch.json" Код=grp:s Наименование=grp_name:s \
	Муниципалитет=parent:s Мероприятий=items:n "Выполнено, %=done/items:p"
json reg "$W/overdue.json" overdue
LANG=ru_RU.UTF-8 kt_ok reg overdue --format xlsx -o "$W/overdue.xlsx"
cmp_xlsx "$W/overdue.xlsx" "Просрочено" "$W/overdue.json" Срок=due:d Код=org:s Содержание=title:s Состояние=state:s
[ "$(jq length "$W/overdue.json")" -gt 0 ] || kt_fail "the overdue list is empty: nothing compared"

# --- control reports and the seating list ----------------------------------------------------
json reg "$W/k09.json" control K-09 --exam "$X"
LANG=ru_RU.UTF-8 kt_ok reg control K-09 --exam "$X" --format xlsx -o "$W/k09.xlsx"
cmp_xlsx "$W/k09.xlsx" "К-09 Заполнение аудиторий" "$W/k09.json" Аудитория=auditorium:s \
	Мест=capacity:n Рассажено=seated:n "Заполнение, %=fill_pct:p"
json reg "$W/k02.json" control K-02 --exam "$X"
LANG=ru_RU.UTF-8 kt_ok reg control K-02 --exam "$X" --format xlsx -o "$W/k02.xlsx"
cmp_xlsx "$W/k02.xlsx" "К-02 Распределение" "$W/k02.json" Зарегистрировано=registered:n \
	Распределено=distributed:n "Не распределено=not_distributed:n"
json reg "$W/seating.json" exam seating --exam "$X"
LANG=ru_RU.UTF-8 kt_ok reg exam seating --exam "$X" --format xlsx -o "$W/seating.xlsx"
cmp_xlsx "$W/seating.xlsx" "Рассадка" "$W/seating.json" ППЭ=point:s Аудитория=auditorium:s \
	Ряд=seat_row:n Место=seat:n Участник=person:s "Дата рождения=birth_date:d" Вручную=manual:b

# --- a plan -----------------------------------------------------------------------------------
kt_ok mun1 plan show "$MPLAN1" --format json
jq '[.sections[] as $s | $s.items[] | . + {section: $s.number}]' <<<"$KT_OUT" >"$W/plan.json"
LANG=ru_RU.UTF-8 kt_ok mun1 plan show "$MPLAN1" --format xlsx -o "$W/plan.xlsx"
cmp_xlsx "$W/plan.xlsx" "Мероприятия" "$W/plan.json" Раздел=section:s Номер=number:s \
	Мероприятие=title:s Срок=deadline_text:s Версия=row_version:n Идентификатор=id:s
/usr/bin/python3 - "$W/plan.xlsx" <<'PY' || kt_fail "the plan's header sheet"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["План", "Мероприятия"], wb.sheetnames
head = {r[0].value: r[1].value for r in wb["План"].iter_rows(min_row=2)}
assert head["наименование"] == "Дорожная карта ГИА" and head["организация"] == "mun1", head
import re  # the act's date as people write it
assert re.search(r" от \d\d\.\d\d\.\d{4}$", head["утверждающий документ"]), head
PY
kt_ok reg plan list --format json
printf '%s\n' "$KT_OUT" >"$W/plans.json"
LANG=ru_RU.UTF-8 kt_ok reg plan list --format xlsx -o "$W/plans.xlsx"
cmp_xlsx "$W/plans.xlsx" "Планы" "$W/plans.json" Владелец=owner:s Мероприятий=items:n \
	"Можно изменять=writable:b" Наименование=title:s

# --- registries -------------------------------------------------------------------------------
json reg "$W/participants.json" registry list participants
LANG=ru_RU.UTF-8 kt_ok reg registry list participants --format xlsx -o "$W/list.xlsx"
cmp_xlsx "$W/list.xlsx" "Участники" "$W/participants.json" ОО=school:s Класс=class:s \
	Фамилия=surname:s Имя=name:s "Дата рождения=birth_date:d" Идентификатор=id:s
kt_ok reg registry export participants -o "$W/participants.csv"
kt_ok reg registry export participants --format xlsx -o "$W/participants.xlsx"
kt_assert_eq "120 participants written to $W/participants.xlsx" "$KT_OUT" "export says where"
/usr/bin/python3 -c 'import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""), delimiter=";"))
json.dump(rows, open(sys.argv[2], "w"), ensure_ascii=False)' "$W/participants.csv" "$W/export.json"
cmp_xlsx "$W/participants.xlsx" "Участники" "$W/export.json" Фамилия=Фамилия:s Имя=Имя:s \
	"Номер документа=Номер документа:s" "Дата рождения=Дата рождения:d" "Код ОО=Код ОО:s" \
	Класс=Класс:s СНИЛС=СНИЛС:s
kt_assert_eq 600 "$(stat -c %a "$W/participants.xlsx")" "the registry workbook is private (0600)"
kt_ok reg registry export auditoriums --format xlsx -o "$W/aud.xlsx"
kt_ok reg registry export auditoriums -o "$W/aud.csv"
/usr/bin/python3 -c 'import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""), delimiter=";"))
json.dump(rows, open(sys.argv[2], "w"), ensure_ascii=False)' "$W/aud.csv" "$W/aud.json"
cmp_xlsx "$W/aud.xlsx" "Аудитории" "$W/aud.json" "Код ППЭ=Код ППЭ:s" "Количество рядов=Количество рядов:n" \
	"Количество мест в ряду=Количество мест в ряду:n"

# --- a workbook on a pipe is whole ------------------------------------------------------------
LANG=ru_RU.UTF-8 kt_karta reg rollup --format xlsx >"$W/piped.xlsx" 2>"$W/piped.err" || kt_fail "rollup | file: $(cat "$W/piped.err")"
cmp_xlsx "$W/piped.xlsx" "Свод по муниципалитетам" "$W/rollup.json" Код=grp:s Мероприятий=items:n

# --- refusals; nothing half-written -----------------------------------------------------------
tty_out=$(script -qec "$KT_KARTA --config $KT_WORK/reg.conf rollup --format xlsx; echo rc=\$?" /dev/null)
kt_assert_contains "$tty_out" "give -o FILE.xlsx" "xlsx on a terminal without -o"
kt_assert_contains "$tty_out" "rc=2" "xlsx on a terminal is a usage error"
kt_run kt_karta reg rollup -o "$W/x.txt"
kt_assert_rc 2 "-o with the text table"
kt_assert_contains "$KT_ERR" "-o FILE is for --format csv, json or xlsx" "its message"
kt_run kt_karta reg registry export participants --format xlsx --encoding cp1251 -o "$W/x.xlsx"
kt_assert_rc 2 "--encoding with xlsx"
kt_run kt_karta reg rollup --format xlsx -o
kt_assert_rc 2 "-o without a file name"
echo "the old workbook" >"$W/old.xlsx"
kt_refused reg "names no exam|no exam" control K-09 --exam 2030-01-01:2 --format xlsx -o "$W/old.xlsx"
kt_refused reg "scope|unknown|no organization|denied" rollup --scope nosuch --format xlsx -o "$W/old.xlsx"
kt_assert_eq "the old workbook" "$(cat "$W/old.xlsx")" "a failed command leaves the old file"
kt_refused reg "cannot create '$W/no-dir/r.xlsx.tmp-[0-9]+': No such file" rollup --format xlsx -o "$W/no-dir/r.xlsx"
kt_assert_eq "" "$(find "$W" -name '*.tmp-*')" "no temporary file is left"
kt_pass
