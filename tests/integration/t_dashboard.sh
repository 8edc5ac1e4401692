#!/usr/bin/env bash
# t_dashboard: `karta dashboard` in a real headless Chromium against a real kartad. A
# generated region (tests/tools/kt_gen_region scaled down to 3 municipalities and 9 schools,
# plus the fixture's own; plans, statuses and requests from bench/rollup_gen.sql) — the
# region's page shows, per municipality, exactly the figures of `karta rollup --format json`;
# the drill-down shows a municipality's schools with the figures of `rollup --scope`; a
# school's page names no other school; a municipality's page no other municipality. The
# gate: no token, a wrong token, a wrong Host, a non-loopback address, an oversized or
# malformed URL, bad parameters — all refused, and the process keeps serving. Offline: the
# banner, the tables as last seen, and what needs the server says so.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/region_lib.sh
. "$(dirname "$0")/region_lib.sh"
# shellcheck source=tests/integration/dash_lib.sh
. "$(dirname "$0")/dash_lib.sh"
command -v chromium >/dev/null || kt_fail "chromium is not installed (deploy/install-deps.sh)"

kt_setup t_dashboard
kt_start_kartad
dash_small_region 3 9 "code ~ '^[0-9]+$'"
# an exam planned: points and rooms assigned, participants distributed (К-02, К-06)
for f in participants exam-points auditoriums; do
	kt_ok reg registry import "$f" "$G/$f.csv"
done
region_exam 11111111-2222-4333-8444-555555555555
kt_ok reg sync
for p in $(kt_psql "SELECT code FROM exam_point ORDER BY code LIMIT 2"); do
	kt_ok reg exam plan --exam 2025-06-01:2 --point "$p" --room \
		"$(kt_psql "SELECT min(a.code) FROM auditorium a JOIN exam_point p ON p.id = a.point_id WHERE p.code = '$p'")"
done
kt_ok reg exam distribute --exam 2025-06-01:2 --cross-municipal
for o in reg "$MUN" "$SCHOOL"; do kt_ok "$o" sync; done
kt_assert_eq "$(kt_psql "SELECT count(*) > 0 FROM item_status")" t "statuses generated"

# --- the region's page = karta rollup --format json ------------------------------------------
# rollup JSON → "org key value" lines for the figures the page shows
json_cells() {
	local keys="'items','due','done','overdue','not_reported','requests_due','requests_missing','returned'"
	[ "$2" = municipality ] && keys="$keys,'sub_orgs','sub_overdue','sub_not_reported','sub_orgs_overdue'"
	sqlite3 -batch :memory: "SELECT json_extract(r.value, '$.grp') || ' ' || k.key || ' ' || k.value
		FROM json_each(readfile('$1')) r, json_each(r.value) k WHERE k.key IN ($keys)" | sort
}
dom_cells() { # the same keys from the page
	dash_cells "$1" | grep -E " (items|due|done|overdue|not_reported|requests_due|requests_missing|returned$2) "
}

dash_start reg --no-sync
kt_assert_match "$DASH_URL" '^http://127\.0\.0\.1:[0-9]+/[0-9a-f]{32}/$' "the printed address"
kt_ok reg rollup --format json
printf '%s\n' "$KT_OUT" >"$KT_WORK/rollup.json"
dash_dom "$DASH_URL" "$KT_WORK/region.html"
kt_assert_match "$(cat "$KT_WORK/region.html")" 'Сводка по муниципалитетам' "the region's page title"
n=$(kt_psql "SELECT count(*) FROM organization WHERE level = 'municipality'")
kt_assert_eq "$(dash_cells "$KT_WORK/region.html" | cut -d' ' -f1 | sort -u | wc -l)" "$n" \
	"a row per municipality"
json_cells "$KT_WORK/rollup.json" municipality >"$KT_WORK/cli.cells"
dom_cells "$KT_WORK/region.html" '|sub_orgs|sub_overdue|sub_not_reported|sub_orgs_overdue' >"$KT_WORK/dom.cells"
[ "$(wc -l <"$KT_WORK/cli.cells")" -ge $((n * 12)) ] || kt_fail "too few figures from karta rollup"
diff "$KT_WORK/cli.cells" "$KT_WORK/dom.cells" >&2 || kt_fail "the page's figures differ from karta rollup's"
kt_assert_match "$(cat "$KT_WORK/region.html")" '<canvas id="chart"' "the chart of done %"
kt_assert_eq "$(grep -o 'data-k="overdue" data-v="[1-9]' "$KT_WORK/region.html" | wc -l | tr -d ' ')" \
	"$(grep -o 'class="n hot" data-k="overdue" data-v="[1-9]' "$KT_WORK/region.html" | wc -l | tr -d ' ')" \
	"every overdue figure above 0 is red"

# as of a past day: the page = karta rollup --as-of
PAST=$(date -d '-60 days' +%F)
kt_ok reg rollup --as-of "$PAST" --format json
printf '%s\n' "$KT_OUT" >"$KT_WORK/rollup-past.json"
dash_dom "${DASH_URL}?as_of=$PAST" "$KT_WORK/region-past.html"
json_cells "$KT_WORK/rollup-past.json" municipality >"$KT_WORK/cli.cells"
dom_cells "$KT_WORK/region-past.html" '|sub_orgs|sub_overdue|sub_not_reported|sub_orgs_overdue' >"$KT_WORK/dom.cells"
diff "$KT_WORK/cli.cells" "$KT_WORK/dom.cells" >&2 || kt_fail "as of $PAST: the page differs from karta rollup --as-of"

# drill-down: a municipality's schools = karta rollup --scope MUN
kt_ok reg rollup --scope "$MUN" --format json
printf '%s\n' "$KT_OUT" >"$KT_WORK/rollup-mun.json"
dash_dom "${DASH_URL}#/rollup?scope=$MUN" "$KT_WORK/mun.html"
json_cells "$KT_WORK/rollup-mun.json" school >"$KT_WORK/cli.cells"
dom_cells "$KT_WORK/mun.html" '' >"$KT_WORK/dom.cells"
[ -s "$KT_WORK/cli.cells" ] || kt_fail "karta rollup --scope $MUN gave no figures"
diff "$KT_WORK/cli.cells" "$KT_WORK/dom.cells" >&2 || kt_fail "$MUN's schools differ from karta rollup --scope"

# the overdue list: as many rows as karta overdue
kt_ok reg overdue --format json
printf '%s\n' "$KT_OUT" >"$KT_WORK/overdue.json"
n_over=$(sqlite3 -batch :memory: "SELECT json_array_length(readfile('$KT_WORK/overdue.json'))")
dash_dom "${DASH_URL}#/overdue" "$KT_WORK/overdue.html"
kt_assert_contains "$(cat "$KT_WORK/overdue.html")" "строк: $n_over<" "the overdue list has karta overdue's $n_over rows"
# exam planning: К-06 per point as karta control K-06, shortages in red
kt_ok reg control K-06 --exam 2025-06-01:2 --format json
printf '%s\n' "$KT_OUT" >"$KT_WORK/k06.json"
dash_dom "${DASH_URL}#/exams" "$KT_WORK/exams.html"
sqlite3 -batch :memory: "SELECT json_extract(r.value, '$.point') || ' ' || k.key || ' ' || k.value
	FROM json_each(readfile('$KT_WORK/k06.json')) r, json_each(r.value) k
	WHERE k.key IN ('shortage', 'unseated', 'organizers_missing', 'heads_missing')
	AND json_extract(r.value, '$.point') <> 'total'" | sort >"$KT_WORK/cli.cells"
tr -d '\n' <"$KT_WORK/exams.html" | sed 's/<tr /\n<tr /g' | grep '^<tr data-point="' |
	while IFS= read -r row; do
		pt=${row#<tr data-point=\"}
		pt=${pt%%\"*}
		grep -o 'data-k="[a-z_]*" data-v="[^"]*"' <<<"$row" | sed "s/^data-k=\"\([a-z_]*\)\" data-v=\"\([^\"]*\)\"/$pt \1 \2/"
	done | grep -E ' (shortage|unseated|organizers_missing|heads_missing) ' | sort >"$KT_WORK/dom.cells"
[ -s "$KT_WORK/cli.cells" ] || kt_fail "karta control K-06 gave no points"
diff "$KT_WORK/cli.cells" "$KT_WORK/dom.cells" >&2 || kt_fail "К-06 on the page differs from karta control K-06"
hot=$(grep -o 'class="n hot" data-k="\(shortage\|organizers_missing\|heads_missing\)" data-v="[1-9]' "$KT_WORK/exams.html" | wc -l)
all=$(grep -o 'data-k="\(shortage\|organizers_missing\|heads_missing\)" data-v="[1-9]' "$KT_WORK/exams.html" | wc -l)
[ "$all" -gt 0 ] || kt_fail "no shortage on the exam page to check the red on"
kt_assert_eq "$hot" "$all" "every shortage on the exam page is red"
kt_assert_contains "$(cat "$KT_WORK/exams.html")" 'К-02' "the exam page has К-02"

# CSV buttons on every table
kt_assert_contains "$(cat "$KT_WORK/region.html")" 'Скачать CSV' "the roll-up has a CSV button"
# XLSX: the page's link gives the workbook `karta rollup --format xlsx` writes, cell for cell
link=$(grep -o 'class="xlsx" href="[^"]*"' "$KT_WORK/region.html" | head -n 1 | sed 's/.*href="//; s/"$//; s/&amp;/\&/g')
kt_assert_match "$link" '^api/xlsx\?' "the roll-up has an XLSX link"
curl -sf -o "$KT_WORK/page.xlsx" "$DASH_URL$link" || kt_fail "the XLSX link did not download"
kt_ok reg rollup --format xlsx -o "$KT_WORK/cli.xlsx"
cells() { /usr/bin/python3 -c 'import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb.worksheets:
    print(ws.title)
    for row in ws.iter_rows(values_only=True): print(repr(row))' "$1"; }
diff <(cells "$KT_WORK/cli.xlsx") <(cells "$KT_WORK/page.xlsx") >&2 || kt_fail "the page's XLSX differs from karta rollup --format xlsx"
kt_assert_match "$(cells "$KT_WORK/page.xlsx" | head -n 1)" 'Свод по муниципалитетам' "the workbook's sheet"
# CSV: the file the page's button makes (in a real browser: the page's script writes it)
# carries the CLI's figures and done % (C's rounding), UTF-8 with a BOM, ';' for Excel
CP=$(kt_free_port)
mkdir -p "$KT_WORK/dl"
kt_bg chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
	--remote-debugging-port="$CP" --user-data-dir="$(mktemp -d "$KT_WORK/cdp.XXXXXX")" about:blank \
	2>>"$KT_WORK/chromium.err"
CDP_PID=$KT_BG_PID
for ((i = 0; i < 100; i++)); do curl -sf "http://127.0.0.1:$CP/json/version" >/dev/null && break; sleep 0.1; done
csvf=$(CHROMIUM_PORT=$CP /usr/bin/python3 "$KT_SRC/tests/integration/dash_download.py" "$DASH_URL" \
	button.csv "$KT_WORK/dl") || kt_fail "the CSV button gave no file"
kt_bg_kill "$CDP_PID"
kt_assert_eq "$(head -c 3 "$csvf" | od -An -tx1 | tr -d ' \n')" efbbbf "the CSV starts with a BOM"
kt_ok reg rollup --format csv
# name|done %|items|due|done|overdue|not reported|schools|sch. done % from both
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ print $c["name"] "|" $c["done %"] "|" $c["items"] "|" $c["due"] "|" $c["done"] "|" $c["overdue"] "|" \
		$c["not reported"] "|" $c["schools"] "|" $c["sch. done %"] }' <<<"$KT_OUT" | sort >"$KT_WORK/cli.csvcells"
tail -n +2 "$csvf" | tr -d '\r' | awk -F';' '{ gsub(",", ".", $2); gsub(",", ".", $9);
	print $1 "|" $2 "|" $3 "|" $4 "|" $5 "|" $6 "|" $7 "|" $8 "|" $9 }' | sort >"$KT_WORK/page.csvcells"
[ "$(wc -l <"$KT_WORK/cli.csvcells")" -ge 3 ] || kt_fail "karta rollup --format csv: too few rows"
diff "$KT_WORK/cli.csvcells" "$KT_WORK/page.csvcells" >&2 || kt_fail "the page's CSV differs from karta rollup --format csv"

# --- the gate --------------------------------------------------------------------------------
BASE=${DASH_URL%/*/}
TOKEN=${DASH_URL%/}
TOKEN=${TOKEN##*/}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
kt_assert_eq "$(code "$BASE/")" 403 "no token: refused"
kt_assert_eq "$(code "$BASE/index.html")" 403 "a file without the token: refused"
WRONG=${TOKEN%?}0
[ "$WRONG" != "$TOKEN" ] || WRONG=${TOKEN%?}1
kt_assert_eq "$(code "$BASE/$WRONG/")" 403 "a wrong token: refused"
kt_assert_eq "$(code "$BASE/${TOKEN}x/")" 403 "a longer token: refused"
kt_assert_eq "$(code "$BASE/${TOKEN}/api/state?x=$(head -c 3000 /dev/zero | tr '\0' a)")" 414 "an oversized URL: refused"
kt_assert_eq "$(code "$BASE/${TOKEN}/api/table?name=rollup&as_of=2026-13-45")" 400 "a bad date: refused"
kt_assert_eq "$(code "$BASE/${TOKEN}/api/table?name=seating")" 400 "a table the page does not read: refused"
kt_assert_eq "$(code "$BASE/${TOKEN}/api/rows?type=participant")" 400 "personal rows: refused"
kt_assert_eq "$(code "$BASE/${TOKEN}/api/table?name=rollup&scope=a%27b")" 400 "a bad scope: refused"
kt_assert_eq "$(code "$BASE/${TOKEN}/../etc/passwd" --path-as-is)" 400 "a path with ..: refused"
kt_assert_eq "$(code -H 'Host: evil.example:80' "$BASE/${TOKEN}/")" 403 "a foreign Host: refused"
kt_assert_eq "$(code -X POST "$BASE/${TOKEN}/")" 501 "POST: refused (evhttp: not implemented)"
kt_assert_eq "$(code --request-target "/$TOKEN/%zz" "$BASE/")" 400 "a malformed escape: refused"
kt_assert_eq "$(code --request-target '*' "$BASE/")" 400 "a target that is no path: refused"
kt_assert_eq "$(code --request-target "/$TOKEN/a b" "$BASE/")" 400 "a target with a space: refused"
big=$(code -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' x)" "$BASE/$TOKEN/")
[ "$big" != 200 ] || kt_fail "20 kB of headers: answered 200"
# a non-loopback address of this machine: nothing listens there
IP=$(hostname -I 2>/dev/null | awk '{print $1}')
if [ -n "$IP" ]; then
	kt_assert_eq "$(code --max-time 5 "http://$IP:$DASH_PORT/${TOKEN}/")" 000 "from $IP: no connection"
fi
kt_assert_contains "$(ss -Hltn "sport = :$DASH_PORT")" "127.0.0.1:$DASH_PORT" "bound to 127.0.0.1 only"
kt_assert_eq "$(code "$BASE/${TOKEN}/")" 200 "still serving after the refusals"
kt_assert_eq "$(code "$BASE/${TOKEN}/chart.js")" 200 "Chart.js served from the binary"
kt_assert_not_contains "$(cat "$DASH_ERR")" "$TOKEN" "the token is never logged"
kt_assert_match "$(cat "$DASH_ERR")" 'event=dashboard_refused status=403 reason=token' "refusals are logged"

# --- offline: the banner, the tables as last seen ------------------------------------------------
kt_stop_kartad
dash_dom "$DASH_URL" "$KT_WORK/offline.html"
kt_assert_contains "$(cat "$KT_WORK/offline.html")" 'Нет связи с сервером' "offline banner"
json_cells "$KT_WORK/rollup.json" municipality >"$KT_WORK/cli.cells"
dom_cells "$KT_WORK/offline.html" '|sub_orgs|sub_overdue|sub_not_reported|sub_orgs_overdue' >"$KT_WORK/dom.cells"
diff "$KT_WORK/cli.cells" "$KT_WORK/dom.cells" >&2 || kt_fail "offline: the roll-up as last seen differs"
kt_assert_contains "$(cat "$KT_WORK/offline.html")" 'сохранённая копия' "offline: says the table is a saved copy"
kt_assert_eq "$(code "${DASH_URL}api/xlsx?name=rollup")" 503 "offline: no XLSX (the CSV is there)"
dash_dom "${DASH_URL}?as_of=2020-01-01" "$KT_WORK/offline-never.html"
kt_assert_contains "$(cat "$KT_WORK/offline-never.html")" 'Эту таблицу вычисляет сервер' \
	"offline: a table never seen says it needs the server"
dash_stop
# a school that never opened its page: its items and statuses from the replica
dash_start "$SCHOOL" --no-sync
dash_dom "$DASH_URL" "$KT_WORK/school-offline.html"
kt_assert_contains "$(cat "$KT_WORK/school-offline.html")" 'из локальной копии' "offline school: says the items are the replica's"
n_items=$(sqlite3 -batch "$KT_WORK/$SCHOOL.state/replica.db" "SELECT count(*) FROM row WHERE entity_type = 'plan_item' AND feed = '$SCHOOL'
	AND json_extract(payload, '$.deleted_at') IS NULL AND NOT json_extract(payload, '$.reference_only')")
kt_assert_eq "$(grep -o 'data-item="' "$KT_WORK/school-offline.html" | wc -l | tr -d ' ')" "$n_items" \
	"offline school: every item of its replica"
kt_assert_contains "$(cat "$KT_WORK/school-offline.html")" 'выполнено' "offline school: statuses shown"
dash_stop
kt_start_kartad

# --- scoped pages: a school sees its own, a municipality its own ------------------------------------
others() { # names of the other organizations of LEVEL than CODE (not the names they share)
	kt_psql "SELECT DISTINCT name FROM organization WHERE level = '$1'
		AND name <> (SELECT name FROM organization WHERE code = '$2')"
}
dash_start "$SCHOOL" --no-sync
dash_dom "$DASH_URL" "$KT_WORK/school.html"
kt_assert_contains "$(cat "$KT_WORK/school.html")" "$(kt_psql "SELECT name FROM organization WHERE code = '$SCHOOL'")" "the school's page names it"
kt_assert_match "$(cat "$KT_WORK/school.html")" 'data-item="' "the school's page lists its items"
while IFS= read -r name; do
	kt_assert_not_contains "$(cat "$KT_WORK/school.html")" "$name" "the school's page names no other school"
done < <(others school "$SCHOOL")
for t in overdue reports; do
	dash_dom "${DASH_URL}#/$t" "$KT_WORK/school-$t.html"
	while IFS= read -r name; do
		kt_assert_not_contains "$(cat "$KT_WORK/school-$t.html")" "$name" "the school's $t page names no other school"
	done < <(others school "$SCHOOL")
done
kt_assert_eq "$(code "${DASH_URL}api/table?name=rollup&scope=$MUN")" 200 "the API answers"
kt_assert_contains "$(curl -s "${DASH_URL}api/table?name=rollup&by=school&scope=$MUN")" '"ok":false' \
	"a school asking for its municipality's roll-up is refused by the server"
dash_stop
dash_start "$MUN" --no-sync
dash_dom "$DASH_URL" "$KT_WORK/munpage.html"
kt_assert_contains "$(cat "$KT_WORK/munpage.html")" 'Сводка по образовательным организациям' "a municipality's page: its schools"
while IFS= read -r name; do
	kt_assert_not_contains "$(cat "$KT_WORK/munpage.html")" "$name" "a municipality's page names no other municipality"
done < <(others municipality "$MUN")
dash_stop
kt_pass
