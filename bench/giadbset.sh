#!/usr/bin/env bash
# bench/giadbset.sh: the federal exchange package, end to end. Today: the organization tree
# (`karta-admin org import`) of a generated region (tests/tools/gds_gen.py orgs: M
# municipalities × S schools, one territory per municipality) — a dry run, the import, the
# same package again (nothing to change) — with karta-admin's peak RSS beside the package
# size. Side by side, the floor: psql COPY of the same rows (GUID, parent GUID, code, name)
# into an untriggered table of the organization's shape. The registries of the package
# (participants, registrations, points, staff) are not imported yet (issue 22, part 3).
# Usage: bench/giadbset.sh [MUNICIPALITIES=60] [SCHOOLS_PER_MUNICIPALITY=25]. Needs a build
# in build/. Prints Markdown.
set -euo pipefail
M=${1:-60}
S=${2:-25}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_giadbset
P=$KT_WORK/region.zip
"$KT_SRC/tests/tools/gds_gen.py" orgs "$P" --region 77 --municipalities "$M" --schools "$S" --zip
BYTES=$(wc -c <"$P")
XBYTES=$(cat "$P.d"/*.xml | wc -c)
N=$((1 + M + M * S))

# run NAME ARGS…: karta-admin ARGS under /usr/bin/time; sets T (ms) and RSS (KiB)
run() {
	local t0
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$KT_WORK/$1.rss" "$KT_ADMIN" --db "$KT_CONNINFO" "${@:2}" \
		>"$KT_WORK/$1.out" 2>"$KT_WORK/$1.err" || kt_fail "$1: $(cat "$KT_WORK/$1.err")"
	T=$(ms "$t0")
	RSS=$(tail -n 1 "$KT_WORK/$1.rss")
}
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

# ---- the export (karta registry export --layout giadbset) ----------------------------------------
# The region above (reg77) gets, in SQL (not timed), the registries of the issue's scale:
# 100,000 participants spread over its schools, 4 exams with their ExamGlobalID and 380,000
# registrations, 500 exam points of 12 auditoriums (6,000), 20,000 staff; planned: every
# point and room assigned to every exam (2,000 + 24,000 rows), the first exam's 100,000
# participants distributed and seated. The region's device syncs them (timed, not part of
# the export), then exports the package: time, peak RSS, package size. The floor: psql COPY
# … TO STDOUT of the same tables' rows (the organizations included).
export_bench() {
	local R t0 rows
	R=$(kt_psql "SELECT id FROM organization WHERE code = 'reg77'")
	# shellcheck source=tests/integration/region_lib.sh
	. "$KT_SRC/tests/integration/region_lib.sh"
	region_device reg77
	kt_start_kartad
	echo "generating the region's registries and planning in SQL…" >&2
	kt_psql "
	CREATE TEMP TABLE sch AS SELECT id, parent_id, row_number() OVER (ORDER BY id) - 1 AS k
		FROM organization WHERE level = 'school' AND karta_org_region(id) = $R;
	CREATE TEMP TABLE mun AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS k
		FROM organization WHERE level = 'municipality' AND parent_id = $R;
	INSERT INTO participant(id, org_id, guid, surname, name, patronymic, sex, birth_date, doc_type,
		doc_series, doc_number, class, category, form, citizenship)
	SELECT md5('p' || g)::uuid, s.id, md5('p' || g)::uuid, 'Иванова', 'Мария', 'Петровна', 1 + g % 2,
		date '2007-01-01' + g % 365, 1, lpad((g % 10000)::text, 4, '0'), lpad(g::text, 6, '0'),
		'11А', 1, 1, '643'
	FROM generate_series(0, 99999) g JOIN sch s ON s.k = g % (SELECT count(*) FROM sch);
	INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date, global_id)
	SELECT md5('e' || k)::uuid, $R, k, 'Предмет ' || k, 1, 11, date '2026-06-01' + k, 1000 + k
	FROM generate_series(1, 4) k;
	INSERT INTO exam_registration(id, org_id, participant_id, exam_id)
	SELECT md5('r' || g || ':' || k)::uuid, p.org_id, p.id, md5('e' || k)::uuid
	FROM generate_series(0, 99999) g JOIN participant p ON p.id = md5('p' || g)::uuid
	CROSS JOIN generate_series(1, 4) k WHERE NOT (g % 5 = 0 AND k = 4);
	INSERT INTO exam_point(id, org_id, region_id, guid, code, name, address, capacity, forms)
	SELECT md5('t' || k)::uuid, m.id, $R, md5('t' || k)::uuid, lpad(k::text, 4, '0'), 'ППЭ № ' || k,
		'ул. Школьная, ' || k, 360, 1
	FROM generate_series(0, 499) k JOIN mun m ON m.k = k % (SELECT count(*) FROM mun);
	INSERT INTO auditorium(id, org_id, point_id, code, name, rows, seats_per_row)
	SELECT md5('a' || k || ':' || j)::uuid, t.org_id, t.id, lpad(j::text, 4, '0'), 'Кабинет ' || j, 5, 6
	FROM generate_series(0, 499) k JOIN exam_point t ON t.id = md5('t' || k)::uuid
	CROSS JOIN generate_series(0, 11) j;
	INSERT INTO staff(id, org_id, region_id, code, surname, name, patronymic, sex, birth_date,
		doc_type, doc_series, doc_number, roles)
	SELECT md5('w' || g)::uuid, m.id, $R, lpad(g::text, 6, '0'), 'Петрова', 'Анна', 'Ивановна', 2,
		date '1980-01-01' + g % 3000, 1, lpad((g % 10000)::text, 4, '0'), lpad(g::text, 6, '0'),
		'{organizer_in}'
	FROM generate_series(0, 19999) g JOIN mun m ON m.k = g % (SELECT count(*) FROM mun);
	INSERT INTO exam_point_assignment(id, org_id, exam_id, point_id)
	SELECT md5('pa' || k || ':' || e)::uuid, t.org_id, md5('e' || e)::uuid, t.id
	FROM generate_series(0, 499) k JOIN exam_point t ON t.id = md5('t' || k)::uuid
	CROSS JOIN generate_series(1, 4) e;
	INSERT INTO exam_auditorium(id, org_id, exam_id, point_id, auditorium_id)
	SELECT md5('ea' || a.id || e)::uuid, a.org_id, md5('e' || e)::uuid, a.point_id, a.id
	FROM auditorium a CROSS JOIN generate_series(1, 4) e;
	INSERT INTO distribution(id, org_id, exam_id, participant_id, point_id)
	SELECT md5('d' || g)::uuid, t.org_id, md5('e1')::uuid, md5('p' || g)::uuid, t.id
	FROM generate_series(0, 99999) g JOIN exam_point t ON t.id = md5('t' || (g % 500))::uuid;
	INSERT INTO seating(id, org_id, exam_id, participant_id, point_id, auditorium_id, seat_row, seat)
	SELECT md5('s' || g)::uuid, t.org_id, md5('e1')::uuid, md5('p' || g)::uuid, t.id,
		md5('a' || (g % 500) || ':' || (g / 500 / 30))::uuid, (g / 500 % 30) / 6 + 1, g / 500 % 6 + 1
	FROM generate_series(0, 99999) g JOIN exam_point t ON t.id = md5('t' || (g % 500))::uuid;
	ANALYZE" >/dev/null
	t0=$(date +%s%N)
	timeout 3600 "$KT_KARTA" --config "$KT_WORK/reg77.conf" sync >"$KT_WORK/sync.out" 2>&1 ||
		kt_fail "sync: $(tail -n 5 "$KT_WORK/sync.out")"
	local t_sync
	t_sync=$(ms "$t0")
	rows=$(sqlite3 -batch "$KT_WORK/reg77.state/replica.db" "SELECT count(*) FROM row")
	local out=$KT_WORK/export.zip
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$KT_WORK/export.rss" "$KT_KARTA" --config "$KT_WORK/reg77.conf" \
		registry export --layout giadbset -o "$out" >"$KT_WORK/export.out" 2>"$KT_WORK/export.err" ||
		kt_fail "export: $(cat "$KT_WORK/export.err")"
	local t_exp rss_exp
	t_exp=$(ms "$t0")
	rss_exp=$(tail -n 1 "$KT_WORK/export.rss")
	# offline: the same export without the server's tree call
	kt_stop_kartad
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$KT_WORK/export2.rss" "$KT_KARTA" --config "$KT_WORK/reg77.conf" \
		registry export --layout giadbset -o "$KT_WORK/export2.zip" >/dev/null 2>"$KT_WORK/export2.err" ||
		kt_fail "offline export: $(cat "$KT_WORK/export2.err")"
	local t_off
	t_off=$(ms "$t0")
	local xml
	xml=$(unzip -l "$out" | tail -n 1 | awk '{print $1}')
	t0=$(date +%s%N)
	for t in organization territory participant exam exam_registration exam_point auditorium staff \
		exam_point_assignment exam_auditorium distribution seating; do
		kt_psql "COPY $t TO STDOUT" >/dev/null
	done
	local t_copy
	t_copy=$(ms "$t0")
	echo
	echo "## giadbset: the export of a region of 100,000 participants"
	echo
	echo "380,000 registrations, 500 exam points, 6,000 auditoriums, 20,000 staff, 4 exams planned"
	echo "(2,000 point and 24,000 room assignments), 100,000 seats: $rows rows in the replica"
	echo "(the region's sync of them took $t_sync ms)."
	echo "Package: $(($(wc -c <"$out") / 1024 / 1024)) MiB zipped, $((xml / 1024 / 1024)) MiB of XML."
	echo
	echo "| step | ms | peak RSS KiB | ratio to COPY |"
	echo "|---|---|---|---|"
	echo "| karta registry export --layout giadbset | $t_exp | $rss_exp | $(r2 "$t_exp" "$t_copy") |"
	echo "| the same offline (the remembered tree) | $t_off | $(tail -n 1 "$KT_WORK/export2.rss") | $(r2 "$t_off" "$t_copy") |"
	echo "| floor: psql COPY … TO STDOUT of the same tables | $t_copy | | 1.0 |"
	echo
	echo "Per table (rows):"
	echo
	sed -n 's/^  \(rbd_[A-Za-z]*\) *\([0-9]*\) rows$/- \1: \2/p' "$KT_WORK/export.out"
}
r2() { echo "$(( $1 * 10 / ($2 > 0 ? $2 : 1) ))" | sed 's/\(.\)$/.\1/; s/^\./0./'; }
[ "${KT_GDS_EXPORT:-1}" = 0 ] || export_bench
