#!/usr/bin/env bash
# t_registry_gds_export: `karta registry export --layout giadbset -o PACKAGE.zip` (issue 22)
# with real PostgreSQL, kartad and TLS. The region's tree comes from a generated federal
# package (tests/tools/gds_gen.py, `karta-admin org import --codes`: the region adopts its
# GUID), a generated region's registries through `karta registry import`, an exam with its
# ExamGlobalID, and karta's planning (points, rooms, distribution, seats) through `karta
# exam`. Asserted:
#  - every file of the package validates with `xmllint --schema` against the vendored XSD;
#    every table holds the rows the server has (deleted ones with their flags);
#  - the org tables come back as the package gave them: every row of the generated
#    rbd_CurrentRegion, rbd_Areas, rbd_Governments, rbd_Schools, compared element by element
#    after `xmllint --c14n`, the columns karta does not model and an unknown column included;
#  - the registries round trip: a generated package of participants, registrations, exam
#    points, auditoriums, staff and their assignments (deleted rows, unknown columns) →
#    `karta registry import --layout giadbset` → export: every row of every table of the
#    package comes back, element by element after `xmllint --c14n`;
#  - refused, nothing written: not the region, a replica never synced, -o into a missing
#    folder, a value the schema cannot carry (an existing package is left as it was);
#  - offline, the export uses the remembered tree and says so.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/region_lib.sh
. "$(dirname "$0")/region_lib.sh"

kt_setup t_registry_gds_export
kt_start_kartad
D=$KT_WORK/pkg
mkdir -p "$D"
GEN=$KT_SRC/tests/tools/gds_gen.py
XSD=$KT_SRC/tests/fixtures/giadbset/xsd
u() { python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('6b0e3c2a-3d7c-4f0e-9a51-2b7c1d0e9f10'), '$1'))"; }

# --- the region: its tree from a package, its registries, an exam, its planning ---------------
"$GEN" orgs "$D/orgs" --region 51 --unknown
printf 'GUID;Код\n%s;reg\n' "$(u region:51)" >"$D/codes.csv"
kt_run kt_admin org import "$D/orgs" --codes "$D/codes.csv"
kt_assert_rc 0 "org import of the region's tree"
G=$KT_WORK/gen
region_planning "$G" --municipalities 2 --schools 6 --participants 60 --exam-points 3 \
	--auditoriums 9 --staff 40
region_staff_of "$MUN" "$G"
E=11111111-2222-4333-8444-555555555555
region_exam "$E"
kt_psql "UPDATE exam SET global_id = 4242, row_version = row_version + 1 WHERE id = '$E'" >/dev/null
X=2025-06-01:2
rooms_of() {
	kt_psql "SELECT string_agg('--room ' || a.code, ' ' ORDER BY a.code) FROM auditorium a
		JOIN exam_point p ON p.id = a.point_id WHERE p.code = '$1'"
}
kt_ok reg sync
for p in $(kt_psql "SELECT code FROM exam_point ORDER BY code"); do
	# shellcheck disable=SC2046
	kt_ok reg exam plan --exam "$X" --point "$p" $(rooms_of "$p")
done
kt_ok reg exam distribute --exam "$X" --cross-municipal
kt_ok reg exam seat --exam "$X"
# a participant and a registration deleted, with their flags in the package
DP=$(kt_psql "SELECT id FROM participant ORDER BY id LIMIT 1")
kt_ok reg registry delete participants "$DP" --reason "выбыл"
kt_ok reg sync
for t in exam_point_assignment exam_auditorium seating; do
	[ "$(kt_psql "SELECT count(*) FROM $t")" -gt 0 ] || kt_fail "the planning made no $t rows"
done

# --- the export ---------------------------------------------------------------------------------
kt_ok reg registry export --layout giadbset -o "$D/out.zip"
kt_assert_contains "$KT_OUT" "written to $D/out.zip" "the export says where"
kt_assert_contains "$KT_OUT" "rbd_ParticipantsExamPStation" "the export lists its tables"
kt_assert_eq "$(stat -c %a "$D/out.zip")" "600" "the package is 0600 (personal data)"
kt_assert_eq "$(find "$D" -maxdepth 1 -name '.out.zip.tmp-*' | wc -l)" "0" "no temporary folder left"
rm -rf "$D/x" && mkdir "$D/x" && unzip -q "$D/out.zip" -d "$D/x"
kt_assert_eq "$(find "$D/x" -name 'rbd_*.xml' | wc -l)" "12" "twelve tables in the package"
valid() { # FILE: valid against its table's schema, or the test fails with xmllint's words
	xmllint --noout --schema "$XSD/$(basename "$1" .xml).xsd" "$1" 2>"$KT_WORK/xmllint.out" ||
		kt_fail "$1 is not valid against its schema: $(head -c 2000 "$KT_WORK/xmllint.out")"
}
# rbd_Governments.xml carries the package's unknown column (FutureColumn, kept verbatim): it is
# valid once that column is taken out, and the column is there as it came
for f in "$D"/x/*.xml; do
	[ "$(basename "$f")" = rbd_Governments.xml ] || valid "$f"
done
kt_assert_contains "$(cat "$D/x/rbd_Governments.xml")" \
	"<FutureColumn>значение &amp; &lt;текст&gt;</FutureColumn>" "the unknown column, verbatim"
python3 - "$D/x/rbd_Governments.xml" "$D/gov-stripped.xml" <<-'EOF'
	import re, sys
	s = open(sys.argv[1], encoding='utf-8').read()
	open(sys.argv[2], 'w', encoding='utf-8').write(re.sub(r'\s*<FutureColumn>[^<]*</FutureColumn>', '', s))
	EOF
mkdir -p "$D/strip" && mv "$D/gov-stripped.xml" "$D/strip/rbd_Governments.xml" && valid "$D/strip/rbd_Governments.xml"

# rows: every table holds what the server has (deleted rows too)
rows() { grep -c "^  <$1>" "$D/x/$1.xml" || true; }
kt_assert_eq "$(rows rbd_Participants)" "$(kt_psql "SELECT count(*) FROM participant")" "participants"
kt_assert_eq "$(rows rbd_ParticipantsExams)" "$(kt_psql "SELECT count(*) FROM exam_registration")" "registrations"
kt_assert_eq "$(rows rbd_Stations)" "$(kt_psql "SELECT count(*) FROM exam_point")" "exam points"
kt_assert_eq "$(rows rbd_Auditoriums)" "$(kt_psql "SELECT count(*) FROM auditorium")" "auditoriums"
kt_assert_eq "$(rows rbd_StationWorkers)" "$(kt_psql "SELECT count(*) FROM staff")" "staff"
kt_assert_eq "$(rows rbd_StationsExams)" "$(kt_psql "SELECT count(*) FROM exam_point_assignment")" "point assignments"
kt_assert_eq "$(rows rbd_StationExamAuditory)" "$(kt_psql "SELECT count(*) FROM exam_auditorium")" "room assignments"
kt_assert_eq "$(rows rbd_ParticipantsExamPStation)" "$(kt_psql "SELECT count(*) FROM seating")" "seats"
kt_assert_eq "$(rows rbd_Schools)" "$(kt_psql "SELECT count(*) FROM organization WHERE level = 'school'")" "schools"
kt_assert_eq "$(rows rbd_Governments)" "$(kt_psql "SELECT count(*) FROM organization WHERE level = 'municipality'")" "municipalities"
kt_assert_contains "$KT_ERR" "added by hand have no federal GUID" "organizations without a GUID are said"
# the deleted participant: its GUID, DeleteType 2 (deleted by the school); its registrations
# deleted with it (IsDeleted); a live one's values as the server has them
python3 - "$D/x" "$DP" "$(kt_psql "SELECT id || '|' || surname || '|' || name || '|' || doc_number || '|'
	|| to_char(birth_date, 'YYYY-MM-DD') || '|' || (SELECT global_id FROM exam WHERE id = '$E')
	FROM participant p WHERE deleted_at IS NULL AND EXISTS (SELECT 1 FROM exam_registration r
	WHERE r.participant_id = p.id) ORDER BY id LIMIT 1")" >"$KT_WORK/check.out" 2>&1 <<-'EOF' ||
	import sys, xml.etree.ElementTree as ET
	NS = '{http://www.rustest.ru/giadbset}'
	d, deleted, live = sys.argv[1], sys.argv[2], sys.argv[3].split('|')
	def rows(t):
	    return [{c.tag[len(NS):]: c.text or '' for c in r} for r in ET.parse('%s/%s.xml' % (d, t)).getroot()]
	p = {r['ParticipantID']: r for r in rows('rbd_Participants')}
	assert p[deleted]['DeleteType'] == '2', p[deleted]
	r = p[live[0]]
	assert (r['Surname'], r['Name'], r['DocumentNumber'], r['BirthDay']) == \
	    (live[1], live[2], live[3], live[4] + 'T00:00:00.000'), r
	regs = [x for x in rows('rbd_ParticipantsExams') if x['ParticipantID'] == live[0]]
	assert regs and all(x['ExamGlobalID'] == live[5] for x in regs), regs
	seats = rows('rbd_ParticipantsExamPStation')
	rooms = {x['StationExamAuditoryID'] for x in rows('rbd_StationExamAuditory')}
	assert seats and all(s['StationExamAuditoryID'] in rooms for s in seats), 'a seat names a room not exported'
	EOF
	kt_fail "the exported rows: $(cat "$KT_WORK/check.out")"

# --- the org tables round trip: generated package → org import → export, row by row ------------
c14n_rows() { # DIR TABLE: one line per row, its elements as name=text, after canonical XML
	xmllint --c14n "$1/$2.xml" | python3 -c "
import sys, xml.etree.ElementTree as ET
NS = '{http://www.rustest.ru/giadbset}'
for r in ET.fromstring(sys.stdin.read()):
    print('\t'.join('%s=%s' % (c.tag[len(NS):], c.text or '') for c in r))" | sort
}
for t in rbd_CurrentRegion rbd_Areas rbd_Governments rbd_Schools; do
	c14n_rows "$D/orgs" "$t" >"$KT_WORK/in-$t"
	c14n_rows "$D/x" "$t" >"$KT_WORK/out-$t"
	missing=$(comm -23 "$KT_WORK/in-$t" "$KT_WORK/out-$t")
	[ -z "$missing" ] || kt_fail "$t: rows of the package not exported as they came:
$missing
exported: $(grep -F "$(head -c 60 <<<"$missing" | cut -f1)" "$KT_WORK/out-$t")"
done
kt_log "org tables: every row of the package came back element by element"

# --- the registries round trip: package → registry import --layout giadbset → export ---------
# the same package folder gets the registries of its organizations (deleted rows, unknown
# columns, the points' and auditoriums' assignments); after the import, every row of every
# table of the package comes back in the export element by element
"$GEN" registries "$D/orgs" --participants 30 --points 2 --auditoriums 3 --staff 6 --deleted \
	--unknown --schedule "$D/schedule.csv" --code-base 7000
kt_ok reg exam schedule import "$D/schedule.csv"
kt_ok reg registry import --layout giadbset "$D/orgs"
kt_ok reg sync
kt_ok reg registry export --layout giadbset -o "$D/round.zip"
kt_assert_contains "$KT_ERR" "carry columns the published schema does not know, kept as they came" \
	"the kept unknown columns are said"
rm -rf "$D/z" && mkdir "$D/z" && unzip -q "$D/round.zip" -d "$D/z"
n=0
for f in "$D"/orgs/rbd_*.xml; do
	t=$(basename "$f" .xml)
	c14n_rows "$D/orgs" "$t" >"$KT_WORK/in-$t"
	c14n_rows "$D/z" "$t" >"$KT_WORK/out-$t"
	missing=$(comm -23 "$KT_WORK/in-$t" "$KT_WORK/out-$t")
	[ -z "$missing" ] || kt_fail "$t: rows of the package not exported as they came:
$(head -c 3000 <<<"$missing")
exported: $(grep -F "$(head -n 1 <<<"$missing" | cut -f1)" "$KT_WORK/out-$t" | head -c 3000)"
	n=$((n + $(wc -l <"$KT_WORK/in-$t")))
done
kt_assert_eq "$(find "$D/orgs" -name 'rbd_*.xml' | wc -l)" "11" "the package had eleven tables"
kt_log "round trip: $n rows of 11 tables came back element by element"
# every file valid once the unknown columns (kept verbatim) are taken out
valid_kept() { # FILE: valid without the package's unknown column
	mkdir -p "$D/stripped" && sed 's|<FutureColumn>[^<]*</FutureColumn>||' "$1" >"$D/stripped/$(basename "$1")"
	valid "$D/stripped/$(basename "$1")"
}
for f in "$D"/z/*.xml; do valid_kept "$f"; done

# --- refusals, nothing written ---------------------------------------------------------------
kt_ok mun1 sync
kt_refused mun1 "region's" registry export --layout giadbset -o "$D/mun.zip"
[ ! -e "$D/mun.zip" ] || kt_fail "a refused export left a file"
kt_refused sch11 "never synced" registry export --layout giadbset -o "$D/sch.zip"
[ ! -e "$D/sch.zip" ] || kt_fail "an export without a replica left a file"
kt_refused reg "cannot create '$D/missing/.*': No such file or directory" \
	registry export --layout giadbset -o "$D/missing/out.zip"
[ ! -e "$D/missing" ] || kt_fail "-o into a missing folder made it"
kt_run kt_karta reg registry export --layout giadbset
kt_assert_rc 2 "no -o is a usage error"
# a surname over the schema's 80 characters (karta allows 100): refused, the old package stays
cp "$D/out.zip" "$D/keep.zip"
sum=$(md5sum <"$D/keep.zip")
LONG=$(printf 'Ы%.0s' {1..90})
kt_psql "UPDATE participant SET surname = '$LONG', row_version = row_version + 1
	WHERE id = (SELECT id FROM participant WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 1)" >/dev/null
kt_ok reg sync
kt_refused reg "rbd_Participants.xml: row [0-9]+: «Surname» is longer than the schema allows; nothing written" \
	registry export --layout giadbset -o "$D/keep.zip"
kt_assert_eq "$(md5sum <"$D/keep.zip")" "$sum" "the existing package is untouched"
kt_assert_eq "$(find "$D" -maxdepth 1 -name '.keep.zip.tmp-*' | wc -l)" "0" "no temporary folder left"
kt_assert_not_contains "$KT_ERR" "ЫЫЫ" "the refusal does not carry the value"

# --- offline: the remembered tree ---------------------------------------------------------------
kt_psql "UPDATE participant SET surname = 'Длинная', row_version = row_version + 1 WHERE surname = '$LONG'" >/dev/null
kt_ok reg sync
kt_stop_kartad
kt_ok reg registry export --layout giadbset -o "$D/offline.zip"
kt_assert_contains "$KT_ERR" "the organization tree is the copy of" "offline: says whose tree"
rm -rf "$D/y" && mkdir "$D/y" && unzip -q "$D/offline.zip" -d "$D/y"
valid_kept "$D/y/rbd_Schools.xml"
valid_kept "$D/y/rbd_Participants.xml"
kt_pass
