#!/usr/bin/env bash
# bench/feed.sh: what the per-statement feed append (karta_feed_stmt, sql/functions/30_feeds.sql)
# and the roll-up triggers (42_rollup.sql) cost per 1,000 rows, beside the floor of the same
# run: an untriggered INSERT … SELECT (UPDATE) of the same rows into a copy of plan_item with
# its indexes. Every case runs RUNS times in one session, each in a rolled-back transaction,
# and prints the CPU of that backend per run (/proc/PID/stat, user + system). A case switches
# plan_item's triggers off except the ones it measures (before its runs, then puts them back),
# so the differences are the triggers' own cost:
#   floor                 the 1,000 rows into item_floor (plan_item's columns and indexes)
#   no trigger            the same rows into plan_item, every trigger off
#   feed                  … only plan_item_feed_insert on (one feed: one plan of one owner)
#   feed, 100 feeds       … rows of 100 plans of 100 owners (karta_feed_take with 100 feeds)
#   roll-up               … only the roll-up triggers (item_rollup and its counters)
#   update: floor / none / feed   an UPDATE of 1,000 existing items (title and row_version)
# Usage: bench/feed.sh [RUNS=30] [ROWS=1000]. Needs a build in build/. Prints Markdown.
set -euo pipefail
RUNS=${1:-30}
ROWS=${2:-1000}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_feed
echo "generating 100 organizations with a plan each, $ROWS items in the first…" >&2
kt_psql "
INSERT INTO organization(code, name, level, parent_id)
SELECT format('m%s', g), format('Муниципалитет %s', g), 'municipality',
	(SELECT id FROM organization WHERE code = 'reg') FROM generate_series(1, 100) g;
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
	local from="bench_one b, generate_series(1, $ROWS) i" on=true
	[ "$2" = many ] && from="generate_series(1, $ROWS) i JOIN bench_many b ON b.n = 1 + i % 100"
	echo "INSERT INTO $1(id, plan_id, section_id, ordinal, number, title, deadline_text,
		responsible_text, municipal_action, institutional_action, updated_by)
	SELECT gen_random_uuid(), b.plan_id, b.section_id, 1000 + i, format('2.%s', i),
		format('Новое мероприятие 2.%s: контроль готовности пунктов проведения экзаменов', i),
		'до 1 мая', 'УО, руководители ОО', 'Проверка готовности ППЭ', 'Отчёт в УО', $DEV
	FROM $from WHERE $on"
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
ROLLUP="plan_item_rollup_insert plan_item_rollup_update"
# plan_item's triggers as migrate left them: RESTORE puts them back after a case
RESTORE=$(kt_psql "SELECT string_agg(format('ALTER TABLE plan_item %s TRIGGER %I;', CASE tgenabled
	WHEN 'O' THEN 'ENABLE' WHEN 'A' THEN 'ENABLE ALWAYS' WHEN 'R' THEN 'ENABLE REPLICA'
	ELSE 'DISABLE' END, tgname), ' ') FROM pg_trigger
	WHERE tgrelid = 'plan_item'::regclass AND NOT tgisinternal")
# db_cpu SQL [SETUP]: CPU ms per 1,000 rows of SQL, each run rolled back; SETUP (the triggers
# switched) committed before the runs, so the runs' plans stay cached as in production
# shellcheck disable=SC2016 # $PID and $14 are psql's shell's and awk's
db_cpu() {
	local run="BEGIN; $1; ROLLBACK;" i
	kt_psql "VACUUM plan_item, item_floor, change_log, item_rollup, rollup_count"
	{
		echo "SET karta.device = '$DEV';"
		echo "${2:-}"
		echo 'SELECT pg_backend_pid() AS pid \gset'
		echo '\setenv PID :pid'
		echo "$run"
		echo "$run"
		echo '\! awk '"'"'{print "cpu0", ($14 + $15) * 10}'"'"' /proc/$PID/stat'
		for i in $(seq "$RUNS"); do echo "$run"; done
		echo '\! awk '"'"'{print "cpu1", ($14 + $15) * 10}'"'"' /proc/$PID/stat'
		echo "$RESTORE"
	} | psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" |
		awk -v n="$RUNS" -v r="$ROWS" '/^cpu0/ {a = $2} /^cpu1/ {b = $2}
			END {printf "%.2f\n", (b - a) / n * 1000 / r}'
}
row() { # row LABEL SQL [SETUP]: a table row; FLOOR, when set, for the ratio
	local v
	v=$(db_cpu "$2" "${3:-}")
	echo "| $1 | $v | $(awk "BEGIN { printf \"%.1f\", $v / ${FLOOR:-$v} }") |"
	LAST=$v
}
echo
echo "## the feed append and the roll-up, CPU ms per 1,000 rows ($RUNS runs, $ROWS rows, load $(cut -d' ' -f1 /proc/loadavg))"
echo
echo "| work | backend CPU ms / 1,000 rows | / floor |"
echo "|---|---|---|"
FLOOR=
row "floor: INSERT … SELECT into item_floor (plan_item's indexes, no trigger)" "$(ins item_floor one)"
FLOOR=$LAST
row "INSERT into plan_item, no trigger" "$(ins plan_item one)" "$(only)"
NONE=$LAST
row "… only the feed append, one feed" "$(ins plan_item one)" "$(only plan_item_feed_insert)"
F1=$LAST
row "… only the feed append, 100 feeds" "$(ins plan_item many)" "$(only plan_item_feed_insert)"
row "… only the roll-up (item_rollup and its counters)" "$(ins plan_item one)" "$(only $ROLLUP)"
R1=$LAST
FLOOR=
row "floor: UPDATE of $ROWS rows of item_floor" "$(upd item_floor)"
FLOOR=$LAST
row "UPDATE of plan_item, no trigger" "$(upd plan_item)" "$(only)"
UNONE=$LAST
row "… only the feed append" "$(upd plan_item)" "$(only plan_item_feed_update)"
UF=$LAST
row "… only the roll-up" "$(upd plan_item)" "$(only $ROLLUP)"
UR=$LAST
echo
awk -v n="$NONE" -v f="$F1" -v r="$R1" -v un="$UNONE" -v uf="$UF" -v ur="$UR" 'BEGIN {
	printf "feed append: insert %.2f ms / 1,000 rows, update %.2f; roll-up: insert %.2f, update %.2f\n",
		f - n, uf - un, r - n, ur - un }'
