#!/usr/bin/env bash
# bench/feed.sh: what the per-statement feed append (karta_feed_stmt, sql/functions/30_feeds.sql)
# and the roll-up triggers (42_rollup.sql) cost per 1,000 rows, beside the floor of the same
# run: an untriggered INSERT … SELECT (UPDATE) of the same rows into a copy of plan_item with
# its indexes. Every case runs RUNS times in one session, each in a rolled-back transaction,
# and prints the CPU of that backend per run (/proc/PID/schedstat). A case switches
# plan_item's triggers off except the ones it measures (before its runs, then puts them back),
# so the differences are the triggers' own cost:
#   floor                 the 1,000 rows into item_floor (plan_item's columns and indexes)
#   no trigger            the same rows into plan_item, every trigger off
#   feed                  … only plan_item_feed_insert on (one feed: one plan of one owner)
#   feed, 100 feeds       … rows of 100 plans of 100 owners (karta_feed_take with 100 feeds)
#   feed, 1,000 feeds     … rows of 1,000 plans of 1,000 owners, one a feed (a federal op of
#                         participants names ~1,000 schools)
#   roll-up               … only the roll-up triggers (item_rollup and its counters)
#   the same for an UPDATE of the 1,000 items (title and row_version)
# Then the feeds' numbers alone: karta_feed_take_n with 1, 100, 263 and 1,000 feeds (one change
# each) beside building its arrays alone; and committed, with kartad listening: the CPU of the
# writing backend, of kartad's listening backend and of kartad itself per statement of 1,000
# feeds (the notifications: delivered at commit, parsed by server/listen.c).
# Usage: bench/feed.sh [RUNS=30] [ROWS=1000]. Needs a build in build/ (KT_BIN: another build
# against this script, e.g. main's, side by side). Prints Markdown.
set -euo pipefail
RUNS=${1:-30}
ROWS=${2:-1000}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_feed
echo "generating 1,000 organizations with a plan each, $ROWS items in the first…" >&2
kt_psql "
INSERT INTO organization(code, name, level, parent_id)
SELECT format('m%s', g), format('Муниципалитет %s', g), 'municipality',
	(SELECT id FROM organization WHERE code = 'reg') FROM generate_series(1, 1000) g;
INSERT INTO plan(id, owner_org_id, level, title, academic_year)
SELECT gen_random_uuid(), id, level, format('План %s', code), 2026 FROM organization
WHERE code ~ '^m[0-9]+$';
INSERT INTO plan_section(id, plan_id, ordinal, number, title)
SELECT gen_random_uuid(), p.id, 1, '1', 'Раздел 1' FROM plan p;
CREATE TABLE bench_one AS SELECT s.plan_id, s.id AS section_id FROM plan_section s
	JOIN plan p ON p.id = s.plan_id JOIN organization o ON o.id = p.owner_org_id WHERE o.code = 'm1';
CREATE TABLE bench_many AS SELECT s.plan_id, s.id AS section_id,
	row_number() OVER (ORDER BY s.plan_id) AS n FROM plan_section s;
INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text,
	responsible_text, municipal_action, institutional_action, updated_by)
SELECT gen_random_uuid(), b.plan_id, b.section_id, i, format('1.%s', i),
	format('Мероприятие 1.%s: подготовка и проведение совещания с ответственными', i),
	'до 1 декабря', 'УО, руководители ОО', 'Организация работы муниципальной рабочей группы',
	'Участие в мероприятиях, отчёт в УО', (SELECT min(id) FROM device)
FROM bench_one b, generate_series(1, $ROWS) i;
CREATE TABLE item_floor (LIKE plan_item INCLUDING ALL);
INSERT INTO item_floor SELECT * FROM plan_item"
kt_psql "VACUUM ANALYZE"
DEV=$(kt_psql "SELECT min(id) FROM device")
# the rows a case inserts: ROWS fresh items (of bench_one's plan, or spread over bench_many's)
ins() {
	local from="bench_one b, generate_series(1, $ROWS) i"
	[ "$2" = many ] && from="generate_series(1, $ROWS) i JOIN bench_many b ON b.n = 1 + i % 100"
	[ "$2" = all ] && from="generate_series(1, $ROWS) i JOIN bench_many b ON b.n = 1 + i % 1000"
	echo "INSERT INTO $1(id, plan_id, section_id, ordinal, number, title, deadline_text,
		responsible_text, municipal_action, institutional_action, updated_by)
	SELECT gen_random_uuid(), b.plan_id, b.section_id, 1000 + i, format('2.%s', i),
		format('Новое мероприятие 2.%s: контроль готовности пунктов проведения экзаменов', i),
		'до 1 мая', 'УО, руководители ОО', 'Проверка готовности ППЭ', 'Отчёт в УО', $DEV
	FROM $from"
}
upd() {
	echo "UPDATE $1 SET title = title || ' (изм.)', row_version = row_version + 1,
		updated_at = now(), updated_by = $DEV"
}
only() { # only TRIGGER…: every user trigger of plan_item off but these
	local t s="ALTER TABLE plan_item DISABLE TRIGGER USER;"
	for t in "$@"; do s="$s ALTER TABLE plan_item ENABLE ALWAYS TRIGGER $t;"; done
	echo "$s"
}
ROLLUP=(plan_item_derived_rollup_insert plan_item_derived_rollup_update)
RESTORE=$(bench_triggers_sql plan_item)
# row LABEL SQL [SETUP]: a table row, CPU ms per 1,000 rows of SQL (bench_db_cpu: SETUP, the
# triggers switched, for the runs), with its ratio to FLOOR when set; LAST: the figure
row() {
	kt_psql "VACUUM plan_item, item_floor, change_log, item_rollup, rollup_count"
	LAST=$(awk "BEGIN { printf \"%.2f\", $(bench_db_cpu "$RUNS" "$2" "SET karta.device = '$DEV'; ${3:-}" \
		"$RESTORE") * 1000 / $ROWS }")
	echo "| $1 | $LAST | $(awk "BEGIN { printf \"%.1f\", $LAST / ${FLOOR:-$LAST} }") |"
}
# part STATEMENT-MAKER TRIGGER: floor, no trigger, only the feed (TRIGGER), only the roll-up;
# sets NONE, FEED, ROLL
part() {
	FLOOR=
	row "floor: the same into item_floor (plan_item's indexes, no trigger)" "$($1 item_floor one)"
	FLOOR=$LAST
	row "plan_item, no trigger" "$($1 plan_item one)" "$(only)"
	NONE=$LAST
	row "… only the feed append, one feed" "$($1 plan_item one)" "$(only "$2")"
	FEED=$LAST
	[ "$1" = ins ] && row "… only the feed append, 100 feeds" "$($1 plan_item many)" "$(only "$2")"
	[ "$1" = ins ] && row "… only the feed append, 1,000 feeds" "$($1 plan_item all)" "$(only "$2")"
	row "… only the roll-up (item_rollup and its counters)" "$($1 plan_item one)" "$(only "${ROLLUP[@]}")"
	ROLL=$LAST
}
echo
echo "## the feed append and the roll-up, CPU ms per 1,000 rows ($RUNS runs, $ROWS rows, load $(cut -d' ' -f1 /proc/loadavg))"
echo
echo "| work | backend CPU ms / 1,000 rows | / floor |"
echo "|---|---|---|"
echo "| **INSERT of $ROWS new items** | | |"
part ins plan_item_feed_insert
I_FEED=$(awk "BEGIN { print $FEED - $NONE }")
I_ROLL=$(awk "BEGIN { print $ROLL - $NONE }")
echo "| **UPDATE of $ROWS items** (title, row_version) | | |"
part upd plan_item_feed_update
echo
echo "feed append: insert $I_FEED ms / 1,000 rows, update $(awk "BEGIN { print $FEED - $NONE }");" \
	"roll-up: insert $I_ROLL, update $(awk "BEGIN { print $ROLL - $NONE }")"

# the feeds' numbers alone: FEEDS feeds of one change each, in org_id order
take() {
	echo "SELECT count(*) FROM karta_feed_take_n(ARRAY(SELECT org_id FROM feed ORDER BY org_id
		LIMIT $1), array_fill(1::bigint, ARRAY[$1]))"
}
echo
echo "## karta_feed_take_n alone, backend CPU ms a call ($RUNS runs, load $(cut -d' ' -f1 /proc/loadavg))"
echo
echo "| feeds | karta_feed_take_n | its arrays alone | the call's own |"
echo "|---|---|---|---|"
for n in 1 100 263 1000; do
	a=$(bench_db_cpu "$RUNS" "$(take "$n")")
	b=$(bench_db_cpu "$RUNS" "SELECT cardinality(ARRAY(SELECT org_id FROM feed ORDER BY org_id
		LIMIT $n)), cardinality(array_fill(1::bigint, ARRAY[$n]))")
	echo "| $n | $a | $b | $(awk "BEGIN { printf \"%.2f\", $a - $b }") |"
done

# committed, kartad listening: CPU ms per statement of the writer, kartad's LISTEN backend, kartad
kt_start_kartad
cpu_of() { awk '{ printf "%.3f\n", $1 / 1e6 }' "/proc/$1/schedstat"; }
LPID=$(kt_psql "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
	AND application_name = 'kartad-listen'")
[ -n "$LPID" ] || kt_fail "kartad's listening backend not found"
l0=$(cpu_of "$LPID") k0=$(cpu_of "$KT_KARTAD_PID")
w=$({
	echo 'SELECT pg_backend_pid() AS pid \gset'
	echo '\setenv PID :pid'
	echo '\! awk '"'"'{print "cpu0", $1 / 1e6}'"'"' /proc/$PID/schedstat'
	for ((i = 0; i < RUNS; i++)); do echo "$(take 1000);"; done
	echo '\! awk '"'"'{print "cpu1", $1 / 1e6}'"'"' /proc/$PID/schedstat'
} | psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" |
	awk -v n="$RUNS" '/^cpu0/ {a = $2} /^cpu1/ {b = $2} END {printf "%.2f\n", (b - a) / n}')
sleep 2 # the listener drains its queue
l1=$(cpu_of "$LPID") k1=$(cpu_of "$KT_KARTAD_PID")
echo
echo "## committed, with kartad listening: CPU ms per statement of 1,000 feeds ($RUNS statements)"
echo
echo "| writer (karta_feed_take_n, its commit) | kartad's LISTEN backend | kartad |"
echo "|---|---|---|"
echo "| $w | $(awk "BEGIN { printf \"%.2f\", ($l1 - $l0) / $RUNS }") | $(awk "BEGIN { printf \"%.2f\", ($k1 - $k0) / $RUNS }") |"
