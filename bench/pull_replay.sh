#!/usr/bin/env bash
# bench/pull_replay.sh: the federal package's pull back, replayed in the database. The
# registries of bench/giadbset.sh (PARTICIPANTS participants, gds_gen.py) imported end to end
# by the region's device; then the pages that device's puller reads, from its cursors before
# the import to caught up, asked again one after another in one psql session (SELECT * FROM
# karta_pull(…), the cursors a literal as kartad sends them, the rows printed to /dev/null),
# ROUNDS times — each round with this tree's sql/functions/32_pull.sql (karta_pull and
# karta_feed_visible) and, when PULL_BASE names another tree's, with that one, alternately (each
# file loaded before its round, outside the measure; the same tables, the same pages). Prints
# each round's backend CPU (/proc/self/stat of the backend) and the page count.
# Usage: bench/pull_replay.sh [PARTICIPANTS=20000] [ROUNDS=3]; needs a build in build/ (KT_BIN).
set -euo pipefail
NP=${1:-20000}
ROUNDS=${2:-3}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_pull_replay
R=$KT_WORK/registries
bench_gds_region78 "$R" 60 25
"$KT_SRC/tests/tools/gds_gen.py" registries "$R" --participants "$NP" --points $((NP / 200)) \
	--auditoriums 12 --staff $((NP / 5)) --schedule "$KT_WORK/schedule.csv"
rm "$R"/rbd_{Governments,Schools}.xml
bench_zip_dir "$R" "$KT_WORK/registries.zip"
kt_start_kartad
kt_karta reg sync >/dev/null
kt_karta reg exam schedule import "$KT_WORK/schedule.csv" >/dev/null
kt_karta reg sync >/dev/null
DEV=$(kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")
START=$(kt_psql "SELECT jsonb_agg(jsonb_build_object('feed', code, 'epoch', epoch, 'seq', last_seq)
	ORDER BY code) FROM karta_feed_visible($DEV)")
cp -a "$KT_WORK/reg.state" "$KT_WORK/reg.state.pre" # (PULL_KEEP: the client's pull back again)
kt_karta reg registry import --layout giadbset "$KT_WORK/registries.zip" >"$KT_WORK/import.out" 2>&1 ||
	kt_fail "import: $(tail -n 3 "$KT_WORK/import.out")"
kt_stop_kartad
kt_psql "VACUUM ANALYZE" >/dev/null
BUDGET=3145728

# the cursors of each page, from START to caught up (the client's cursors_move: a feed state
# sets its feed's epoch and seq, a new feed is added)
kt_psql "CREATE TABLE replay_page (n int PRIMARY KEY, cursors jsonb)" >/dev/null
kt_psql "DO \$\$
DECLARE cur jsonb := '$START'; n int := 0; done boolean;
BEGIN
LOOP
	n := n + 1;
	INSERT INTO replay_page VALUES (n, cur);
	CREATE TEMP TABLE pagerows AS SELECT * FROM karta_pull($DEV, cur, $BUDGET);
	SELECT bool_or(caught_up) INTO done FROM pagerows WHERE kind = 'end';
	SELECT jsonb_agg(x ORDER BY x->>'feed') INTO cur FROM (
		SELECT coalesce(m.v, c.v) AS x FROM jsonb_array_elements(cur) c(v)
		FULL JOIN (SELECT feed, jsonb_build_object('feed', feed, 'epoch', epoch, 'seq', seq) AS v
			FROM pagerows WHERE kind = 'feed' AND action = 'ok') m ON m.feed = c.v->>'feed') y;
	DROP TABLE pagerows;
	EXIT WHEN done OR n > 10000;
END LOOP;
END \$\$" >/dev/null
PAGES=$(kt_psql "SELECT count(*) FROM replay_page")
ROWS=$(kt_psql "SELECT sum(last_seq) FROM feed") # for scale only
# one session: each page asked as kartad asks it, the backend's CPU around them
kt_psql "SELECT format('SELECT * FROM karta_pull(%s, %L::jsonb, %s::int);', $DEV, cursors::text, $BUDGET)
	FROM replay_page ORDER BY n" >"$KT_WORK/pages.sql"
cpu_sql="SELECT (split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint) * 10
	FROM pg_read_file('/proc/self/stat') s"
round() { # round FUNCTIONS_SQL: the backend CPU ms of all pages, with that file's functions
	psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -f "$1" >/dev/null
	{
		echo "\\o /dev/null"
		echo "SELECT 1;" # warm: connection set-up is not the pull's
		echo "\\o $KT_WORK/cpu0"
		echo "$cpu_sql;"
		echo "\\o /dev/null"
		cat "$KT_WORK/pages.sql"
		echo "\\o $KT_WORK/cpu1"
		echo "$cpu_sql;"
	} | psql -X -q -A -t "$KT_CONNINFO" >/dev/null
	echo $(($(tr -d ' \n' <"$KT_WORK/cpu1") - $(tr -d ' \n' <"$KT_WORK/cpu0")))
}
echo "| round | load | this: backend CPU ms | base: backend CPU ms |"
echo "|---|---|---|---|"
for ((i = 1; i <= ROUNDS; i++)); do
	a=$(round "$KT_SRC/sql/functions/32_pull.sql")
	b=
	[ -z "${PULL_BASE:-}" ] || b=$(round "$PULL_BASE")
	echo "| $i | $(cut -d' ' -f1 /proc/loadavg) | $a | $b |"
done
echo
echo "$PAGES pages (the last caught up) over $ROWS rows in the feeds, budget $BUDGET bytes."
# PULL_KEEP=SECONDS: the cluster and a kartad kept that long after (the conninfo on stderr), to
# look further; the region's replica before the import is reg.state.pre in the work folder
if [ -n "${PULL_KEEP:-}" ]; then
	kt_start_kartad
	echo "$KT_CONNINFO" >&2
	sleep "$PULL_KEEP"
fi
