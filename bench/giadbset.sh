#!/usr/bin/env bash
# bench/giadbset.sh: the federal exchange package, end to end. First the organization tree
# (`karta-admin org import`) of a generated region (tests/tools/gds_gen.py orgs: M
# municipalities × S schools, one territory per municipality) — a dry run, the import, the
# same package again (nothing to change) — with karta-admin's peak RSS beside the package
# size. Side by side, the floor: psql COPY of the same rows (GUID, parent GUID, code, name)
# into an untriggered table of the organization's shape.
# Then the registries (`karta registry import --layout giadbset`, as a region's device, in a
# region of its own: 78): PARTICIPANTS participants (gds_gen.py registries: ~3.8
# registrations each, POINTS points with 12 auditoriums, STAFF staff, the points' and
# auditoriums' assignments), end to end — read, map, check, queue in the outbox, upload,
# pull back — with the client's peak RSS beside the package size, the same package again
# (nothing to send), the floor: psql COPY of the same rows (every column as text) into
# untriggered tables, and where kartad's database time went. KT_GDS_IMPORT=0 leaves it out.
# Then the export (below). KT_GDS_EXPORT=0 leaves it out.
# KT_GDS_EXPLAIN_MS=N logs the import's statements over N ms with their plans (below).
# Usage: bench/giadbset.sh [MUNICIPALITIES=60] [SCHOOLS_PER_MUNICIPALITY=25]
# [PARTICIPANTS=100000] [POINTS=500] [STAFF=20000]. Needs a build in build/. Prints Markdown.
set -euo pipefail
M=${1:-60}
S=${2:-25}
NP=${3:-100000}
NPOINTS=${4:-500}
NSTAFF=${5:-20000}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_giadbset
P=$KT_WORK/region.zip
"$KT_SRC/tests/tools/gds_gen.py" orgs "$P" --region 77 --municipalities "$M" --schools "$S" --zip
BYTES=$(wc -c <"$P")
XBYTES=$(cat "$P.d"/*.xml | wc -c)
N=$((1 + M + M * S))

# timed NAME CMD…: CMD under /usr/bin/time, output in NAME.out/.err; sets T (ms) and RSS (KiB)
timed() {
	local t0
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$KT_WORK/$1.rss" "${@:2}" >"$KT_WORK/$1.out" 2>"$KT_WORK/$1.err" ||
		kt_fail "$1: $(tail -n 5 "$KT_WORK/$1.err")"
	T=$(ms "$t0")
	RSS=$(tail -n 1 "$KT_WORK/$1.rss" | cut -d' ' -f3)
}
# cpu_of NAME: the CPU seconds (user + system) of the run timed as NAME
cpu_of() { tail -n 1 "$KT_WORK/$1.rss" | awk '{ printf "%.2f", $1 + $2 }'; }
# run NAME ARGS…: karta-admin; krun NAME ARGS…: the region's karta (the registries below)
run() { timed "$1" "$KT_ADMIN" --db "$KT_CONNINFO" "${@:2}"; }
krun() { timed "$1" "$KT_KARTA" --config "$KT_WORK/reg.conf" "${@:2}"; }
run dry org import "$P" --dry-run
t_dry=$T rss_dry=$RSS
run import org import "$P"
t_imp=$T rss_imp=$RSS
run again org import "$P"
t_again=$T rss_again=$RSS
grep -q "org import: 0 added, 0 updated" "$KT_WORK/again.out" || kt_fail "the second import changed something"
got=$(kt_psql "SELECT count(*) FROM organization WHERE guid IS NOT NULL")
[ "$got" = "$N" ] || kt_fail "expected $N organizations with a GUID, got $got"

# the floor: the same rows, COPY into an untriggered table
python3 - "$P.d" >"$KT_WORK/rows.tsv" <<'EOF'
import re, sys
for t, g, p, c, n in (('rbd_Governments', 'GovernmentID', 'RegionID', 'GovernmentCode', 'GovernmentName'),
                      ('rbd_Schools', 'SchoolID', 'GovernmentID', 'SchoolCode', 'SchoolName')):
    for row in re.findall(r'<%s>(.*?)</%s>' % (t, t), open('%s/%s.xml' % (sys.argv[1], t)).read(), re.S):
        v = lambda k: re.search(r'<%s>([^<]*)</%s>' % (k, k), row).group(1)
        print('\t'.join((v(g), v(p), v(c), v(n))))
EOF
kt_psql "CREATE TABLE floor_org (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, guid uuid UNIQUE,
	parent uuid, code text UNIQUE, name text)"
t0=$(date +%s%N)
kt_psql "COPY floor_org(guid, parent, code, name) FROM STDIN" <"$KT_WORK/rows.tsv"
t_copy=$(ms "$t0")

echo "## giadbset: organization tree, $N organizations ($M municipalities × $S schools)"
echo
echo "Package: $((BYTES / 1024)) KiB zipped, $((XBYTES / 1024)) KiB of XML."
echo
echo "| step | ms | rows/s | peak RSS KiB | ratio to COPY |"
echo "|---|---|---|---|---|"
r() { echo "$(( $1 * 10 / (t_copy > 0 ? t_copy : 1) ))" | sed 's/\(.\)$/.\1/; s/^\./0./'; }
echo "| karta-admin org import --dry-run | $t_dry | $((N * 1000 / (t_dry > 0 ? t_dry : 1))) | $rss_dry | $(r "$t_dry") |"
echo "| karta-admin org import | $t_imp | $((N * 1000 / (t_imp > 0 ? t_imp : 1))) | $rss_imp | $(r "$t_imp") |"
echo "| the same package again (nothing to change) | $t_again | $((N * 1000 / (t_again > 0 ? t_again : 1))) | $rss_again | $(r "$t_again") |"
echo "| floor: psql COPY of the same rows | $t_copy | $((N * 1000 / (t_copy > 0 ? t_copy : 1))) | | 1.0 |"

import_bench() {
# ---- the registries ------------------------------------------------------------------------
R=$KT_WORK/registries
# a region of its own (78), adopted by the test tree's region 'reg', whose device imports
bench_gds_region78 "$R" "$M" "$S"
t0=$(date +%s%N)
"$KT_SRC/tests/tools/gds_gen.py" registries "$R" --participants "$NP" --points "$NPOINTS" \
	--auditoriums 12 --staff "$NSTAFF" --schedule "$KT_WORK/schedule.csv"
rm "$R"/rbd_{Governments,Schools}.xml
t_gen=$(ms "$t0")
bench_zip_dir "$R" "$KT_WORK/registries.zip"
RBYTES=$(wc -c <"$KT_WORK/registries.zip")
RXBYTES=$(cat "$R"/*.xml | wc -c)
declare -A ROWS
for f in "$R"/*.xml; do ROWS[$(basename "$f" .xml)]=$(grep -c '^  <rbd_' "$f"); done
NROWS=0
for t in "${!ROWS[@]}"; do NROWS=$((NROWS + ROWS[$t])); done

# where the server's time goes: PL/pgSQL and SQL functions timed (pg_stat_user_functions)
kt_psql "ALTER DATABASE $KT_DB SET track_functions = 'all'" >/dev/null
# KT_GDS_EXPLAIN_MS=N: every statement of the import over N ms logged with its measured plan
# (auto_explain, nested statements too), the log kept as $KT_WORK/explain.log — how a slow
# pull-back page was found (docs/performance.md, "The federal package end to end …")
if [ -n "${KT_GDS_EXPLAIN_MS:-}" ]; then
	kt_psql "ALTER DATABASE $KT_DB SET session_preload_libraries = 'auto_explain';
		ALTER DATABASE $KT_DB SET auto_explain.log_min_duration = ${KT_GDS_EXPLAIN_MS//[^0-9]/};
		ALTER DATABASE $KT_DB SET auto_explain.log_nested_statements = on;
		ALTER DATABASE $KT_DB SET auto_explain.log_analyze = on" >/dev/null
fi
kt_start_kartad
kt_karta reg sync >/dev/null
kt_karta reg exam schedule import "$KT_WORK/schedule.csv" >/dev/null
krun gdry registry import --layout giadbset "$KT_WORK/registries.zip" --dry-run
t_gdry=$T rss_gdry=$RSS cpu_gdry=$(cpu_of gdry)
# the client's part alone: the import with kartad stopped (read, map, check, queue in the
# outbox; nothing sent), the replica put back as it was after; KT_KARTA_BEFORE=path: the same
# with another build's karta, side by side
kt_stop_kartad
cp -a "$KT_WORK/reg.state" "$KT_WORK/reg.state.pre"
offline() {
	timed "$1" "$2" --config "$KT_WORK/reg.conf" registry import --layout giadbset "$KT_WORK/registries.zip"
	grep -q "offline: $NROWS changes queued" "$KT_WORK/$1.out" || kt_fail "$1: $(cat "$KT_WORK/$1.out")"
	rm -rf "$KT_WORK/reg.state"
	cp -a "$KT_WORK/reg.state.pre" "$KT_WORK/reg.state"
}
offline goff "$KT_KARTA"
t_goff=$T rss_goff=$RSS cpu_goff=$(cpu_of goff)
if [ -n "${KT_KARTA_BEFORE:-}" ]; then
	offline gbefore "$KT_KARTA_BEFORE"
	t_gbefore=$T rss_gbefore=$RSS cpu_gbefore=$(cpu_of gbefore)
fi
# KT_GDS_TIMELINE=1: the import's Uploads lined up, client and kartad (bench/upload_timeline.py)
if [ "${KT_GDS_TIMELINE:-0}" = 1 ]; then
	kt_start_kartad --log-level debug
	export KARTA_UPLOAD_TIMING=1
else
	kt_start_kartad
fi
kt_psql "SELECT pg_stat_reset()" >/dev/null
# kartad's CPU (user + system clock ticks) across the import
kcpu() { awk '{ print $14 + $15 }' "/proc/$KT_KARTAD_PID/stat"; }
kcpu0=$(kcpu)
t_start=$(date +%s%3N)
krun gimp registry import --layout giadbset "$KT_WORK/registries.zip"
unset KARTA_UPLOAD_TIMING
kcpu_gimp=$(awk -v t="$(($(kcpu) - kcpu0))" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }')
t_gimp=$T rss_gimp=$RSS cpu_gimp=$(cpu_of gimp)
t_end=$(date +%s%3N)
# its phases, from kartad's log: up to the first Upload's answer, the Uploads, the pull back
at() { date -d "$(sed -n "s/^ts=\([^ ]*\) .*event=upload .*/\1/p" "$KT_LOG" | sed -n "$1")" +%s%3N; }
t_first=$(($(at 1p) - t_start)) t_uploads=$(($(at '$p') - $(at 1p))) t_pull=$((t_end - $(at '$p')))
sleep 1 # the backends report their function times when idle
kt_psql "SELECT '| ' || funcname || ' | ' || calls || ' | ' || round(total_time) || ' | ' || round(self_time)
	|| ' |' FROM pg_stat_user_functions ORDER BY self_time DESC LIMIT 10" >"$KT_WORK/functions.md"
# the Uploads' database time, outer to inner: the whole call (karta_upload_seq: with the ops'
# parse into jsonb, which karta_upload($2::jsonb) had outside the function), its rows ops, their apply
upload_db=$(kt_psql "SELECT string_agg(funcname || ' ' || round(total_time) || ' ms', ', '
	ORDER BY total_time DESC) FROM pg_stat_user_functions
	WHERE funcname IN ('karta_upload_seq', 'karta_upload', 'karta_upload_ops', 'karta_upload_rows', 'karta_rows_apply')")
krun gagain registry import --layout giadbset "$KT_WORK/registries.zip"
t_gagain=$T rss_gagain=$RSS cpu_gagain=$(cpu_of gagain)
grep -q "rbd_Participants.xml: $NP rows: 0 added, 0 updated, $NP unchanged" "$KT_WORK/gagain.out" ||
	kt_fail "the second registry import changed something: $(cat "$KT_WORK/gagain.out")"
got=$(kt_psql "SELECT (SELECT count(*) FROM participant) + (SELECT count(*) FROM exam_registration)
	+ (SELECT count(*) FROM exam_point) + (SELECT count(*) FROM auditorium) + (SELECT count(*) FROM staff)
	+ (SELECT count(*) FROM exam_point_assignment) + (SELECT count(*) FROM exam_auditorium)")
[ "$got" = "$NROWS" ] || kt_fail "expected $NROWS registry rows, got $got"
uploads=$(cat "$KT_WORK"/kartad.*.log | grep -c 'event=upload ' || true)

# the floor: every row's columns as text, COPY into untriggered tables
python3 - "$R" "$KT_WORK/floor" <<'EOF'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for f in sorted(os.listdir(src)):
    t, cols = f[:-4], None
    with open(os.path.join(out, t + '.tsv'), 'w') as w:
        for row in re.finditer(r'<%s>(.*?)</%s>' % (t, t), open(os.path.join(src, f)).read(), re.S):
            kv = re.findall(r'<(\w+)>([^<]*)</\1>', row.group(1))
            if cols is None:
                cols = [k for k, _ in kv]
                open(os.path.join(out, t + '.cols'), 'w').write(','.join(cols))
            d = dict(kv)
            w.write('\t'.join(d.get(c, '\\N') for c in cols) + '\n')
EOF
for f in "$KT_WORK"/floor/*.cols; do
	t=$(basename "$f" .cols)
	kt_psql "CREATE TABLE floor_$t ($(tr ',' '\n' <"$f" | sed 's/$/ text/' | paste -sd,))" >/dev/null
done
t0=$(date +%s%N)
for f in "$KT_WORK"/floor/*.tsv; do
	kt_psql "COPY floor_$(basename "$f" .tsv) FROM STDIN" <"$f" >/dev/null
done
t_gcopy=$(ms "$t0")

echo
echo "## giadbset: registries, $NP participants"
echo
echo "Package: $((RBYTES / 1048576)) MiB zipped, $((RXBYTES / 1048576)) MiB of XML; $NROWS rows:"
for t in rbd_Stations rbd_Auditoriums rbd_StationWorkers rbd_Participants rbd_ParticipantsExams \
	rbd_StationsExams rbd_StationExamAuditory; do
	echo "$t ${ROWS[$t]},"
done | paste -sd' ' | sed 's/,$/./'
echo "(generated in $t_gen ms; kartad answered in $uploads Uploads)"
echo
echo "| step | ms | rows/s | client CPU s | client peak RSS KiB | ratio to COPY |"
echo "|---|---|---|---|---|---|"
g() { echo "$(( $1 * 10 / (t_gcopy > 0 ? t_gcopy : 1) ))" | sed 's/\(.\)$/.\1/; s/^\./0./'; }
grow() { echo "| $1 | $2 | $(per_s "$NROWS" "$2") | $3 | $4 | $(g "$2") |"; }
grow "karta registry import --layout giadbset --dry-run" "$t_gdry" "$cpu_gdry" "$rss_gdry"
grow "the client's part alone: the import offline (read, map, check, queue)" "$t_goff" "$cpu_goff" "$rss_goff"
[ -z "${KT_KARTA_BEFORE:-}" ] ||
	grow "the same with KT_KARTA_BEFORE ($KT_KARTA_BEFORE)" "$t_gbefore" "$cpu_gbefore" "$rss_gbefore"
grow "karta registry import --layout giadbset (end to end)" "$t_gimp" "$cpu_gimp" "$rss_gimp"
grow "the same package again (nothing to send)" "$t_gagain" "$cpu_gagain" "$rss_gagain"
echo "| floor: psql COPY of the same rows (text columns) | $t_gcopy | $((NROWS * 1000 / (t_gcopy > 0 ? t_gcopy : 1))) | | | 1.0 |"
echo
echo "The end-to-end import, from kartad's log: up to the first Upload's answer $t_first ms, the"
echo "Uploads $t_uploads ms, after the last Upload (the pull back) $t_pull ms; kartad's CPU $kcpu_gimp s."
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores)."
if [ "${KT_GDS_TIMELINE:-0}" = 1 ]; then
	echo
	"$KT_SRC/bench/upload_timeline.py" "$KT_WORK/gimp.err" "$KT_LOG"
fi
echo
echo "Where kartad's database time went during the import (pg_stat_user_functions, ms; self"
echo "excludes the functions it called):"
echo
echo "| function | calls | total ms | self ms |"
echo "|---|---|---|---|"
cat "$KT_WORK/functions.md"
echo
echo "The Uploads' database time, outer to inner: $upload_db."
kt_stop_kartad
kt_psql "ALTER DATABASE $KT_DB RESET track_functions" >/dev/null
if [ -n "${KT_GDS_EXPLAIN_MS:-}" ]; then
	kt_psql "ALTER DATABASE $KT_DB RESET session_preload_libraries;
		ALTER DATABASE $KT_DB RESET auto_explain.log_min_duration;
		ALTER DATABASE $KT_DB RESET auto_explain.log_nested_statements;
		ALTER DATABASE $KT_DB RESET auto_explain.log_analyze" >/dev/null
	cp "$(cat "$KT_PG_DIR/pgroot")/log" "$KT_WORK/explain.log"
	echo
	echo "Statements over ${KT_GDS_EXPLAIN_MS} ms, with their plans: $KT_WORK/explain.log"
fi
}
[ "${KT_GDS_IMPORT:-1}" = 0 ] || import_bench

# ---- the export (karta registry export --layout giadbset) ----------------------------------------
# The region above (reg77) gets, in SQL (not timed), the registries of the issue's scale:
# 100,000 participants spread over its schools, 4 exams with their ExamGlobalID and 380,000
# registrations, 500 exam points of 12 auditoriums (6,000), 20,000 staff; planned: every
# point and room assigned to every exam (2,000 + 24,000 rows), the first exam's 100,000
# participants distributed and seated. The region's device syncs them (timed, not part of
# the export), then exports the package: time, CPU, peak RSS beside the package size. The
# floor: psql COPY … TO STDOUT of the same tables' rows (the organizations included).
# KT_GDS_PERF=1 (and perf installed): one more offline export under `perf record`, its
# CPU by library and the top functions. KT_GDS_EXPORT_PARTICIPANTS=N (default 100000, at
# most 180000) scales the region for iterating: N/200 points, N/5 staff, the rest as above.
export_bench() {
	local R t0 rows
	local NE=${KT_GDS_EXPORT_PARTICIPANTS:-100000}
	local NT=$((NE / 200)) NW=$((NE / 5))
	local NROWS=$((NE + 4 + 4 * NE - NE / 5 + NT + 12 * NT + NW + 4 * NT + 48 * NT + NE + NE))
	R=$(kt_psql "SELECT id FROM organization WHERE code = 'reg77'")
	# shellcheck source=tests/integration/region_lib.sh
	. "$KT_SRC/tests/integration/region_lib.sh"
	region_device reg77
	[ -n "$KT_KARTAD_PID" ] || kt_start_kartad
	echo "generating the region's registries and planning in SQL…" >&2
	# triggers off for the load: no change_log rows; a feed the device never named is filled
	# with its current rows at its first pull (sql/0015) once last_seq has moved, and a new
	# epoch (karta_feed_rebuild) makes a device that named it take it again as a snapshot
	kt_psql "
	SET session_replication_role = replica;
	CREATE TEMP TABLE sch AS SELECT id, parent_id, row_number() OVER (ORDER BY id) - 1 AS k
		FROM organization WHERE level = 'school' AND karta_org_region(id) = $R;
	CREATE TEMP TABLE mun AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS mk
		FROM organization WHERE level = 'municipality' AND parent_id = $R;
	INSERT INTO participant(id, org_id, guid, surname, name, patronymic, sex, birth_date, doc_type,
		doc_series, doc_number, class, category, form, citizenship)
	SELECT md5('p' || g)::uuid, s.id, md5('p' || g)::uuid, 'Иванова', 'Мария', 'Петровна', 1 + g % 2,
		date '2007-01-01' + g % 365, 1, lpad((g % 10000)::text, 4, '0'), lpad(g::text, 6, '0'),
		'11А', 1, 1, '643'
	FROM generate_series(0, $((NE - 1))) g JOIN sch s ON s.k = g % (SELECT count(*) FROM sch);
	INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date, global_id)
	SELECT md5('e' || k)::uuid, $R, k, 'Предмет ' || k, 1, 11, date '2026-06-01' + k, 1000 + k
	FROM generate_series(1, 4) k;
	INSERT INTO exam_registration(id, org_id, participant_id, exam_id)
	SELECT md5('r' || g || ':' || k)::uuid, p.org_id, p.id, md5('e' || k)::uuid
	FROM generate_series(0, $((NE - 1))) g JOIN participant p ON p.id = md5('p' || g)::uuid
	CROSS JOIN generate_series(1, 4) k WHERE NOT (g % 5 = 0 AND k = 4);
	INSERT INTO exam_point(id, org_id, region_id, guid, code, name, address, capacity, forms)
	SELECT md5('t' || k)::uuid, m.id, $R, md5('t' || k)::uuid, lpad(k::text, 4, '0'), 'ППЭ № ' || k,
		'ул. Школьная, ' || k, 360, 1
	FROM generate_series(0, $((NT - 1))) k JOIN mun m ON m.mk = k % (SELECT count(*) FROM mun);
	INSERT INTO auditorium(id, org_id, point_id, code, name, rows, seats_per_row)
	SELECT md5('a' || k || ':' || j)::uuid, t.org_id, t.id, lpad(j::text, 4, '0'), 'Кабинет ' || j, 5, 6
	FROM generate_series(0, $((NT - 1))) k JOIN exam_point t ON t.id = md5('t' || k)::uuid
	CROSS JOIN generate_series(0, 11) j;
	INSERT INTO staff(id, org_id, region_id, code, surname, name, patronymic, sex, birth_date,
		doc_type, doc_series, doc_number, roles)
	SELECT md5('w' || g)::uuid, m.id, $R, lpad(g::text, 6, '0'), 'Петрова', 'Анна', 'Ивановна', 2,
		date '1980-01-01' + g % 3000, 1, lpad((g % 10000)::text, 4, '0'), lpad(g::text, 6, '0'),
		'{organizer_in}'
	FROM generate_series(0, $((NW - 1))) g JOIN mun m ON m.mk = g % (SELECT count(*) FROM mun);
	INSERT INTO exam_point_assignment(id, org_id, exam_id, point_id)
	SELECT md5('pa' || k || ':' || e)::uuid, t.org_id, md5('e' || e)::uuid, t.id
	FROM generate_series(0, $((NT - 1))) k JOIN exam_point t ON t.id = md5('t' || k)::uuid
	CROSS JOIN generate_series(1, 4) e;
	INSERT INTO exam_auditorium(id, org_id, exam_id, point_id, auditorium_id)
	SELECT md5('ea' || a.id || e)::uuid, a.org_id, md5('e' || e)::uuid, a.point_id, a.id
	FROM generate_series(0, $((NT - 1))) k JOIN auditorium a ON a.point_id = md5('t' || k)::uuid
	CROSS JOIN generate_series(1, 4) e;
	INSERT INTO distribution(id, org_id, exam_id, participant_id, point_id)
	SELECT md5('d' || g)::uuid, t.org_id, md5('e1')::uuid, md5('p' || g)::uuid, t.id
	FROM generate_series(0, $((NE - 1))) g JOIN exam_point t ON t.id = md5('t' || (g % $NT))::uuid;
	INSERT INTO seating(id, org_id, exam_id, participant_id, point_id, auditorium_id, seat_row, seat)
	SELECT md5('s' || g)::uuid, t.org_id, md5('e1')::uuid, md5('p' || g)::uuid, t.id,
		md5('a' || (g % $NT) || ':' || (g / $NT / 30))::uuid, (g / $NT % 30) / 6 + 1, g / $NT % 6 + 1
	FROM generate_series(0, $((NE - 1))) g JOIN exam_point t ON t.id = md5('t' || (g % $NT))::uuid;
	SET session_replication_role = origin;
	UPDATE feed SET last_seq = last_seq + 1 WHERE karta_org_region(org_id) = $R;
	SELECT karta_feed_rebuild(code) FROM organization WHERE karta_org_region(id) = $R;
	ANALYZE" >/dev/null
	t0=$(date +%s%N)
	timeout 3600 "$KT_KARTA" --config "$KT_WORK/reg77.conf" sync >"$KT_WORK/sync.out" 2>&1 ||
		kt_fail "sync: $(tail -n 5 "$KT_WORK/sync.out")"
	local t_sync
	t_sync=$(ms "$t0")
	rows=$(sqlite3 -batch "$KT_WORK/reg77.state/replica.db" "SELECT count(*) FROM row")
	[ "$rows" -ge "$NROWS" ] || kt_fail "the region's replica holds $rows rows, not the $NROWS made"
	local out=$KT_WORK/export.zip
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$KT_WORK/export.rss" "$KT_KARTA" --config "$KT_WORK/reg77.conf" \
		registry export --layout giadbset -o "$out" >"$KT_WORK/export.out" 2>"$KT_WORK/export.err" ||
		kt_fail "export: $(cat "$KT_WORK/export.err")"
	local t_exp rss_exp
	t_exp=$(ms "$t0")
	rss_exp=$(tail -n 1 "$KT_WORK/export.rss" | cut -d' ' -f3)
	# offline: the same export without the server's tree call
	kt_stop_kartad
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$KT_WORK/export2.rss" "$KT_KARTA" --config "$KT_WORK/reg77.conf" \
		registry export --layout giadbset -o "$KT_WORK/export2.zip" >"$KT_WORK/export2.out" 2>"$KT_WORK/export2.err" ||
		kt_fail "offline export: $(cat "$KT_WORK/export2.err")"
	local t_off
	t_off=$(ms "$t0")
	local xml pkg
	xml=$(unzip -l "$out" | tail -n 1 | awk '{print $1}')
	pkg="$(($(wc -c <"$out") / 1024 / 1024)) MiB zip, $((xml / 1024 / 1024)) MiB XML"
	t0=$(date +%s%N)
	for t in organization territory participant exam exam_registration exam_point auditorium staff \
		exam_point_assignment exam_auditorium distribution seating; do
		kt_psql "COPY $t TO STDOUT" >/dev/null
	done
	local t_copy
	t_copy=$(ms "$t0")
	echo
	echo "## giadbset: the export of a region of $NE participants"
	echo
	echo "$((4 * NE - NE / 5)) registrations, $NT exam points, $((12 * NT)) auditoriums, $NW staff, 4 exams planned"
	echo "($((4 * NT)) point and $((48 * NT)) room assignments), $NE seats: $rows rows in the replica"
	echo "(the region's sync of them took $t_sync ms)."
	echo "Package: $(($(wc -c <"$out") / 1024 / 1024)) MiB zipped, $((xml / 1024 / 1024)) MiB of XML."
	echo
	cpu() { awk '{ printf "%.1f", $1 + $2 }' "$1"; }
	echo "| step | ms | CPU s (user + sys) | peak RSS KiB | package | ratio to COPY |"
	echo "|---|---|---|---|---|---|"
	echo "| karta registry export --layout giadbset | $t_exp | $(cpu "$KT_WORK/export.rss") | $rss_exp | $pkg | $(r2 "$t_exp" "$t_copy") |"
	echo "| the same offline (the remembered tree) | $t_off | $(cpu "$KT_WORK/export2.rss") | $(tail -n 1 "$KT_WORK/export2.rss" | cut -d' ' -f3) | $pkg | $(r2 "$t_off" "$t_copy") |"
	echo "| floor: psql COPY … TO STDOUT of the same tables | $t_copy | | | | 1.0 |"
	echo
	echo "Load average while it ran: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores). Each step, as the export printed it:"
	echo
	echo '```'
	sed -n '2,$p' "$KT_WORK/export.out" | grep -v '^written'
	echo '```'
	[ "${KT_GDS_PERF:-0}" = 1 ] && command -v perf >/dev/null || return 0
	perf record -q -o "$KT_WORK/export.perf" -F 499 "$KT_KARTA" --config "$KT_WORK/reg77.conf" \
		registry export --layout giadbset -o "$KT_WORK/export3.zip" >/dev/null 2>&1 ||
		kt_fail "the export under perf failed"
	echo
	echo "Where the CPU went (perf record of the offline export: by library, then the top functions):"
	echo
	echo '```'
	perf report -i "$KT_WORK/export.perf" --sort dso --stdio 2>/dev/null | grep '%' | awk 'n++ < 10'
	perf report -i "$KT_WORK/export.perf" --sort dso,sym --stdio 2>/dev/null | grep '%' | awk 'n++ < 15'
	echo '```'
}
r2() { echo "$(( $1 * 10 / ($2 > 0 ? $2 : 1) ))" | sed 's/\(.\)$/.\1/; s/^\./0./'; }
[ "${KT_GDS_EXPORT:-1}" = 0 ] || export_bench
