#!/usr/bin/env bash
# t_formats: what people see of karta's output, against real kartad, TLS and PostgreSQL.
#  - ids: any unique prefix of a UUID names the row (plan show, item show, rollup --plan,
#    upper case too); an ambiguous prefix lists the candidates; unknown, too short and
#    non-hex prefixes are refused clearly;
#  - dates: options take дд.мм.гггг as well as ISO (the server stores the same day), a day
#    that does not exist is a usage error; JSON keeps ISO, a Russian table shows дд.мм.гггг;
#  - a closed pipe (the reader gone before karta writes, and `| head -n 1`) ends with status
#    0 and not a word on stderr;
#  - tables in a terminal (a pty by `script`) fit COLUMNS=120 and 80 and the terminal's own
#    width (stty cols), in Russian; left-out columns are named, --wide shows them; a pipe is
#    never cut (whole titles and ids);
#  - CSV as a Russian spreadsheet reads it: LibreOffice (soffice --headless) converts the
#    CSVs of rollup, report list and plan show with a Russian-locale CSV filter to xlsx,
#    openpyxl reads them back: numbers with a decimal comma are numbers, dates are dates,
#    ';' and newlines inside cells survive; the same in Windows-1251 (--encoding cp1251);
#    --csv-dialect rfc4180 and --keys give the machine's CSV; registry export shares the style.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

unset COLUMNS
kt_setup t_formats
kt_start_kartad
W=$KT_WORK/out
mkdir -p "$W"
PY=/usr/bin/python3 # Debian's, with python3-openpyxl
RU=ru_RU.UTF-8

TODAY=$(kt_psql "SELECT current_date")
day() { date -d "$TODAY $1 days" +%F; }
ru_day() { date -d "$TODAY $1 days" +%d.%m.%Y; }
item() {
	kt_psql "SELECT i.id FROM plan_item i JOIN plan p ON p.id = i.plan_id
		JOIN organization o ON o.id = p.owner_org_id WHERE o.code = '$1' AND i.number = '$2'"
}

# --- a plan with awkward cells, derived and reported on ---------------------------------
LONG="Дорожная карта подготовки к государственной итоговой аттестации по образовательным программам основного общего образования в 2026/2027 учебном году"
kt_ok reg plan create --title "$LONG" --year 2026 --section "1|Мероприятия"
PLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Сбор; анализ
итогов" --deadline "до $(ru_day -5)" --responsible "УО, ОО"
kt_ok reg item add "$PLAN" --section 1 --number 1.2 --title "Информирование участников" \
	--deadline "до $(ru_day +10)" --responsible "УО"
kt_ok reg item add "$PLAN" --section 1 --number 1.3 --title "Пробный экзамен" \
	--deadline "до $(ru_day +40)" --responsible "УО"
# dates: the Russian spelling in an option is the same day as ISO
kt_ok reg plan approve "$PLAN" --number "01-08/1" --date "$(ru_day -30)"
kt_assert_eq "$(day -30)" "$(kt_psql "SELECT act_date FROM plan WHERE id = '$PLAN'")" \
	"--date дд.мм.гггг stored as that day"
kt_ok mun1 plan derive "$PLAN"
MPLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok mun1 plan approve "$MPLAN" --number "м-1" --date "$(day -20)"
kt_assert_eq "$(day -20)" "$(kt_psql "SELECT act_date FROM plan WHERE id = '$MPLAN'")" "--date ISO"
kt_ok mun1 item status "$(item mun1 1.1)" done
kt_ok reg report request "$(item reg 1.1)" --title "Отчёт; сводный" --due "$(ru_day +3)"
REQ=$(sed -n 's/^report request \([0-9a-f-]\{36\}\) created.*/\1/p' <<<"$KT_OUT")
kt_assert_eq "$(day +3)" "$(kt_psql "SELECT due_date FROM report_request WHERE id = '$REQ'")" \
	"--due дд.мм.гггг"
kt_ok reg sync
kt_ok mun1 sync

# --- dates ---------------------------------------------------------------------------------
kt_ok reg rollup --as-of "$(ru_day 0)" --format json
iso_json=$KT_OUT
kt_ok reg rollup --as-of "$TODAY" --format json
kt_assert_eq "$KT_OUT" "$iso_json" "rollup --as-of дд.мм.гггг = --as-of YYYY-MM-DD"
for bad in 31.02.2026 2026-02-30 20.05.26 завтра; do
	kt_run kt_karta reg rollup --as-of "$bad"
	kt_assert_rc 2 "rollup --as-of $bad"
	kt_assert_contains "$KT_ERR" "--as-of needs a date, YYYY-MM-DD or DD.MM.YYYY, not '$bad'" "bad date $bad"
done
kt_ok reg report list --format json
kt_assert_contains "$KT_OUT" "\"due\": \"$(day +3)\"" "JSON keeps ISO dates"
LANG=$RU kt_ok reg report list
kt_assert_contains "$KT_OUT" "$(ru_day +3)" "a Russian table shows дд.мм.гггг"
kt_assert_not_contains "$KT_OUT" "$(day +3)" "and no ISO date"

# --- ids by prefix ------------------------------------------------------------------------
kt_ok reg plan show "${PLAN:0:8}"
kt_assert_contains "$KT_OUT" "Информирование участников" "plan show by an 8-character prefix"
kt_ok reg plan show "$(tr 'a-f' 'A-F' <<<"${PLAN:0:6}")"
kt_assert_contains "$KT_OUT" "Пробный экзамен" "an upper-case prefix"
MI=$(item mun1 1.2)
kt_ok mun1 item show "${MI:0:5}"
kt_assert_contains "$KT_OUT" "$MI" "item show by a 5-character prefix shows the whole id"
kt_ok reg rollup --plan "${PLAN:0:7}" --format json
kt_assert_contains "$KT_OUT" "mun1" "rollup --plan PREFIX"
kt_refused reg "no plan id starts with 'ffffffff-0'" plan show ffffffff-0
kt_refused reg "'abc' is too short for a plan id: give at least 4" plan show abc
kt_refused reg "'zz-top' is not a valid plan id" plan show zz-top
# two ids with the same first characters (rows put into the replica by hand)
kt_sq reg "INSERT INTO row(entity_type, entity_id, feed, seq, row_version, op, payload)
	VALUES ('plan', 'abcd0000-0000-4000-8000-000000000001', 'reg', 0, 1, 'put', '{}'),
	       ('plan', 'abcd1111-0000-4000-8000-000000000002', 'reg', 0, 1, 'put', '{}')"
kt_refused reg "'abcd' is ambiguous: 2 plan ids start with it" plan show abcd
kt_assert_contains "$KT_ERR" "  abcd0000-0000-4000-8000-000000000001" "the first candidate listed"
kt_assert_contains "$KT_ERR" "  abcd1111-0000-4000-8000-000000000002" "the second candidate listed"
kt_refused reg "not found|no such|unknown" plan show abcd1 # one match: asked for, not ours
kt_assert_not_contains "$KT_ERR" "ambiguous" "a longer prefix is unique"
kt_sq reg "DELETE FROM row WHERE entity_id LIKE 'abcd%'"

# --- a closed pipe --------------------------------------------------------------------------
# closed ORG ARGS…: karta writing into a pipe whose reader is gone before it starts.
closed() {
	local org=$1
	shift
	"$PY" -c 'import os, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
print(p.returncode); sys.stdout.write(p.stderr.decode())' \
		"$KT_KARTA" --config "$KT_WORK/$org.conf" "$@"
}
for cmd in "plan show $PLAN" "plan show $PLAN --format json" "plan list" "rollup" \
	"rollup --format csv" "report list" "item history $(item reg 1.1)"; do
	# shellcheck disable=SC2086
	kt_assert_eq 0 "$(closed reg $cmd)" "karta $cmd into a closed pipe: status 0, nothing said"
done
rc=0
kt_karta reg plan show "$PLAN" 2>"$W/head.err" | head -n 1 >"$W/head.out" || rc=$?
kt_assert_eq 0 "$rc" "plan show | head -n 1"
kt_assert_eq "" "$(cat "$W/head.err")" "plan show | head -n 1: no message"

# --- tables that fit the terminal --------------------------------------------------------
# widest FILE: the widest line of a terminal transcript in display columns (ANSI removed).
widest() {
	"$PY" -c 'import re, sys, unicodedata
w = 0
for line in open(sys.argv[1], encoding="utf-8").read().replace("\r", "").split("\n"):
    line = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line)
    n = sum(0 if unicodedata.combining(c) or c in "\u2063\u2064" else
            2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
    w = max(w, n)
print(w)' "$1"
}
# tty ORG COLUMNS ARGS…: karta in a pty (script), in Russian, COLUMNS set (or "" for the
# terminal's own width, stty cols 70); the transcript in $W/tty.out.
tty() {
	local org=$1 cols=$2
	shift 2
	local cmd="$KT_KARTA --config $KT_WORK/$org.conf $*"
	if [ -n "$cols" ]; then
		LANG=$RU COLUMNS=$cols script -qec "$cmd" /dev/null >"$W/tty.out"
	else
		env -u COLUMNS LANG=$RU script -qec "stty cols 70; $cmd" /dev/null >"$W/tty.out"
	fi
}
for cols in 120 80; do
	for cmd in "plan list" "plan show $PLAN" "rollup" "rollup --by school" "overdue" \
		"report list" "item history $(item reg 1.1)" "item show $(item reg 1.1)"; do
		tty reg "$cols" "$cmd"
		w=$(widest "$W/tty.out")
		[ "$w" -le "$cols" ] || kt_fail "karta $cmd is $w columns wide in a $cols-column terminal:
$(cat "$W/tty.out")"
	done
done
tty reg "" plan list
w=$(widest "$W/tty.out")
[ "$w" -le 70 ] || kt_fail "plan list is $w columns wide in a 70-column terminal (stty): $(cat "$W/tty.out")"
kt_assert_contains "$(cat "$W/tty.out")" "${PLAN:0:8}" "a short id on the terminal"
kt_assert_not_contains "$(cat "$W/tty.out")" "$PLAN" "no whole id on the terminal"
tty reg 80 rollup
kt_assert_contains "$(cat "$W/tty.out")" "не показаны столбцы:" "columns left out at 80 are named"
kt_assert_contains "$(cat "$W/tty.out")" "Последний" "the last of them named"
tty reg 80 rollup --wide
kt_assert_not_contains "$(cat "$W/tty.out")" "не показаны" "--wide leaves nothing out"
kt_assert_contains "$(cat "$W/tty.out")" "Последний" "--wide shows the last column"
kt_ok reg plan list # piped: never cut
kt_assert_contains "$KT_OUT" "$LONG" "a pipe gets the whole title"
kt_assert_contains "$KT_OUT" "$PLAN" "a pipe gets the whole id"

# --- CSV as a Russian spreadsheet reads it ---------------------------------------------------
LANG=$RU kt_ok reg rollup --format csv -o "$W/rollup.csv"
LANG=$RU kt_ok reg report list --format csv -o "$W/reports.csv"
LANG=$RU kt_ok reg plan show "$PLAN" --format csv -o "$W/plan.csv"
LANG=$RU kt_ok reg plan show "$PLAN" --format csv --encoding cp1251 -o "$W/plan1251.csv"
kt_ok reg rollup --format json
printf '%s\n' "$KT_OUT" >"$W/rollup.json"
for f in rollup reports plan; do
	kt_assert_eq "efbbbf" "$(head -c 3 "$W/$f.csv" | od -An -tx1 | tr -d ' ')" "$f.csv starts with a BOM"
done
kt_assert_match "$(head -n 1 "$W/rollup.csv")" "^.Код;Наименование;" "';' and Russian headers"
kt_assert_not_contains "$(head -c 3 "$W/plan1251.csv" | od -An -tx1)" "ef bb bf" "no BOM in cp1251"
# LibreOffice as a Russian Excel: ';' separated, '"' quoted, UTF-8 (76) or Windows-1251 (34),
# Russian (1049) numbers and dates, special numbers (dates) detected.
so() { # CHARSET FILE…
	local cs=$1
	shift
	timeout 180 soffice --headless "-env:UserInstallation=file://$KT_WORK/lo-profile" \
		--infilter="CSV:59,34,$cs,1,,1049,false,true" --convert-to xlsx --outdir "$W" "$@" \
		>"$W/soffice.log" 2>&1 || kt_fail "soffice: $(cat "$W/soffice.log")"
}
so 76 "$W/rollup.csv" "$W/reports.csv" "$W/plan.csv"
so 34 "$W/plan1251.csv"
"$PY" - "$W" "$(day +3)" <<'EOF' || kt_fail "the spreadsheet did not read karta's CSV as numbers, dates and whole cells"
import datetime, json, sys
import openpyxl
w, due = sys.argv[1], datetime.datetime.fromisoformat(sys.argv[2])
def sheet(name):
    ws = openpyxl.load_workbook(f"{w}/{name}.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]
def check(ok, what):
    if not ok:
        print("t_formats spreadsheet:", what, file=sys.stderr)
        sys.exit(1)
roll = {r["grp"]: r for r in json.load(open(f"{w}/rollup.json"))}
for r in sheet("rollup"):
    j = roll[r["Код"]]
    check(isinstance(r["Мероприятий"], int) and r["Мероприятий"] == j["items"], f"items {r}")
    pct = r["Выполнено, %"]
    if j["items"]:
        check(isinstance(pct, float) or isinstance(pct, int), f"done % is not a number: {pct!r}")
        check(abs(pct - round(100 * j["done"] / j["items"], 1)) < 1e-9, f"done % {pct} vs {j}")
check(any(isinstance(r["Выполнено, %"], float) and r["Выполнено, %"] % 1 for r in sheet("rollup")),
      "no fractional percentage (a decimal comma read as a number) in the roll-up")
reps = sheet("reports")
check(reps and all(r["Срок"] == due for r in reps), f"due dates are not dates: {[r['Срок'] for r in reps]}")
check(any(r["Наименование"] == "Отчёт; сводный" for r in reps), "';' inside a cell")
for name in ("plan", "plan1251"):
    items = sheet(name)
    titles = [r["Мероприятие"] for r in items]
    check("Сбор; анализ\nитогов" in titles, f"{name}: ';' and a newline inside a cell: {titles}")
    check(all(isinstance(r["Порядок"], int) for r in items), f"{name}: ordinals are numbers")
print("spreadsheet ok:", len(reps), "reports,", len(items), "items")
EOF
# the machine's CSV: ',' ISO, keys; --keys alone keeps the people's ';'
LANG=$RU kt_ok reg report list --format csv --csv-dialect rfc4180
kt_assert_match "$(head -n 1 <<<"$KT_OUT")" "^request,title,due," "rfc4180: key headers, ','"
kt_assert_contains "$KT_OUT" ",$(day +3)," "rfc4180: ISO dates"
kt_assert_not_contains "$(head -c 3 <<<"$KT_OUT" | od -An -tx1)" "ef bb bf" "rfc4180: no BOM"
LANG=$RU kt_ok reg report list --format csv --keys
kt_assert_match "$(head -n 1 <<<"$KT_OUT")" "request;title;due;" "--keys: key headers, ';'"
kt_assert_contains "$KT_OUT" ";$(ru_day +3);" "--keys: the people's dates"
kt_ok reg report list --format csv # English locale: the machine's
kt_assert_match "$(head -n 1 <<<"$KT_OUT")" "^request,title,due," "C locale: the machine's CSV"
# registry export writes CSV alike: a BOM in Russian, ',' for rfc4180
LANG=$RU kt_ok reg registry export exam-points -o "$W/points.csv"
kt_assert_eq "efbbbf" "$(head -c 3 "$W/points.csv" | od -An -tx1 | tr -d ' ')" "registry export: a BOM in Russian"
LANG=$RU kt_ok reg registry export exam-points --csv-dialect rfc4180 -o "$W/points-rfc.csv"
kt_assert_match "$(head -n 1 "$W/points-rfc.csv")" "^[^;]+,[^;]+," "registry export --csv-dialect rfc4180: ','"
# a character Windows-1251 has not is refused, and nothing is written
kt_ok reg plan create --title "Итоги ✓" --year 2026
LANG=$RU kt_run kt_karta reg plan list --format csv --encoding cp1251 -o "$W/bad1251.csv"
kt_assert_rc 1 "plan list in Windows-1251 with a ✓"
kt_assert_contains "$KT_ERR" "Windows-1251" "the reason names Windows-1251"
[ ! -e "$W/bad1251.csv" ] || kt_fail "a refused cp1251 CSV was written"
kt_pass
