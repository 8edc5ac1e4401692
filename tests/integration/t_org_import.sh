#!/usr/bin/env bash
# t_org_import: `karta-admin org import PACKAGE` (issue 22) with real PostgreSQL, kartad and
# a client. A generated federal package (tests/tools/gds_gen.py: a region, 2 municipalities,
# 4 schools, 2 territories, rows deleted in the package, an unknown column):
#  - --dry-run prints the plan and writes nothing; the import builds the tree with GUIDs,
#    federal codes, territories and codes reg50 / mun50-N / oo50-NNNN; rows deleted in the
#    package and absent from karta are skipped and said;
#  - the same package again (as a .zip) changes nothing; a renamed, moved and a deleted school
#    are one update each, said as such, and keep their codes;
#  - a school of the import gets a device certificate and says hello to kartad;
#  - refused, naming file and row, with nothing written: a duplicate GUID, a GovernmentID and
#    an AreaFK the package and karta lack, a code already taken, a value over maxLength, a
#    wrong namespace, a DTD (billion laughs), a truncated file, a missing table file.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/gds_lib.sh
. "$(dirname "$0")/gds_lib.sh"

gds_setup t_org_import
"$GEN" orgs "$D/p1" --deleted --unknown
"$GEN" orgs "$D/p1.zip" --deleted --unknown --zip
# the generator writes what the schemas allow (without the unknown column: that is the point)
"$GEN" orgs "$D/valid" --deleted
for f in "$D"/valid/*.xml; do
	xmllint --noout --schema "$KT_SRC/tests/fixtures/giadbset/xsd/$(basename "$f" .xml).xsd" "$f" 2>"$KT_WORK/xmllint.out" ||
		kt_fail "$f is not valid against its schema: $(cat "$KT_WORK/xmllint.out")"
done
snap() { kt_psql "SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) || md5(coalesce((SELECT
	string_agg(t::text, ',' ORDER BY t.guid) FROM territory t), '')) FROM organization o"; }
fresh() { rm -rf "$D/$1" && cp -r "$D/p1" "$D/$1"; }

# --- the dry run writes nothing ----------------------------------------------------------
before=$(snap)
kt_run kt_admin org import "$D/p1" --dry-run
kt_assert_rc 0 "org import --dry-run"
kt_assert_contains "$KT_OUT" "+ region reg50 «Тестовая область»" "dry run: the region"
kt_assert_contains "$KT_OUT" "+ municipality mun50-2 «Управление образования № 2» in reg50" \
	"dry run: a municipality under the region"
kt_assert_contains "$KT_OUT" "+ school oo50-1002 «Средняя школа № 2 (район 1)» in mun50-1" \
	"dry run: a school under its municipality"
kt_assert_contains "$KT_OUT" "+ territory 1 «Район 1»" "dry run: a territory"
kt_assert_contains "$KT_OUT" "skipped rbd_Schools.xml row 6: deleted in the package (DeleteType 2)" \
	"dry run: a deleted school not in karta"
kt_assert_contains "$KT_OUT" "dry run: 7 added, 0 updated, 0 marked deleted, 0 live again, 3 skipped" \
	"dry run: the counts"
kt_assert_contains "$KT_OUT" "nothing written" "dry run: says it"
kt_assert_eq "$before" "$(snap)" "the dry run wrote nothing"

# --- the import ------------------------------------------------------------------------------
kt_run kt_admin org import "$D/p1"
kt_assert_rc 0 "org import"
kt_assert_contains "$KT_OUT" "org import: 7 added, 0 updated" "import: counts"
kt_assert_eq "$(kt_psql "SELECT string_agg(o.code || ' ' || o.level || ' ' || coalesce(p.code, '-')
		|| ' ' || o.federal_code || ' ' || coalesce(t.code::text, '-'), ', ' ORDER BY o.code)
	FROM organization o LEFT JOIN organization p ON p.id = o.parent_id
	LEFT JOIN territory t ON t.guid = o.territory_guid WHERE o.guid IS NOT NULL")" \
	"mun50-1 municipality reg50 1 -, mun50-2 municipality reg50 2 -, oo50-1001 school mun50-1 1001 1, oo50-1002 school mun50-1 1002 1, oo50-2001 school mun50-2 2001 2, oo50-2002 school mun50-2 2002 2, reg50 region - 50 -" \
	"the tree, federal codes and territories"
g=$(python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('6b0e3c2a-3d7c-4f0e-9a51-2b7c1d0e9f10'), 'school:50:2:1'))")
kt_assert_eq "$(kt_psql "SELECT code FROM organization WHERE guid = '$g'")" "oo50-2001" "the GUID is kept"
kt_assert_eq "$(kt_psql "SELECT count(*) FROM organization WHERE name LIKE '%удал%' OR name LIKE 'Закрыт%'
	OR name LIKE 'Упразд%'")" "0" "rows deleted in the package and new to karta are not created"
kt_assert_eq "$(kt_psql "SELECT count(*) FROM feed f JOIN organization o ON o.id = f.org_id
	WHERE o.guid IS NOT NULL")" "7" "every new organization has its feed"

# --- idempotent --------------------------------------------------------------------------------
after=$(snap)
kt_run kt_admin org import "$D/p1.zip"
kt_assert_rc 0 "org import again (zip)"
kt_assert_contains "$KT_OUT" "org import: 0 added, 0 updated, 0 marked deleted, 0 live again, 3 skipped (deleted in the package), 7 unchanged" \
	"a second import changes nothing"
kt_assert_not_contains "$KT_OUT" "+ " "a second import adds nothing"
kt_assert_eq "$after" "$(snap)" "a second import wrote nothing"

# --- changes: a rename, a move, a deletion ---------------------------------------------------
fresh p2
edit "$D/p2/rbd_Schools.xml" 1 SchoolName "Гимназия № 1"
edit "$D/p2/rbd_Schools.xml" 2 GovernmentID "$(python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('6b0e3c2a-3d7c-4f0e-9a51-2b7c1d0e9f10'), 'gov:50:2'))")"
edit "$D/p2/rbd_Schools.xml" 3 DeleteType 3
kt_run kt_admin org import "$D/p2"
kt_assert_rc 0 "org import of a changed package"
kt_assert_contains "$KT_OUT" "~ school oo50-1001 «Гимназия № 1»: name was «Средняя школа № 1 (район 1)»;" "a rename"
kt_assert_contains "$KT_OUT" "~ school oo50-1002 «Средняя школа № 2 (район 1)»: moves from mun50-1 to mun50-2;" "a move"
kt_assert_contains "$KT_OUT" "- school oo50-2001 «Средняя школа № 1 (район 2)»: deleted in the package (DeleteType 3): marked deleted" "a deletion"
kt_assert_contains "$KT_OUT" "0 added, 2 updated, 1 marked deleted" "the counts"
kt_assert_eq "$(kt_psql "SELECT string_agg(o.code || ' ' || p.code || ' ' || o.federal_delete, ', '
	ORDER BY o.code) FROM organization o JOIN organization p ON p.id = o.parent_id
	WHERE o.code IN ('oo50-1001', 'oo50-1002', 'oo50-2001')")" \
	"oo50-1001 mun50-1 0, oo50-1002 mun50-2 0, oo50-2001 mun50-2 3" "stored: codes kept, moved, marked"
kt_run kt_admin org import "$D/p1"
kt_assert_contains "$KT_OUT" "~ school oo50-2001 «Средняя школа № 1 (район 2)»: live again in the package;" \
	"live again"

# --- a school of the import connects --------------------------------------------------------
"$KT_CERTSH" "$KT_CERTS" oo50-1001 >/dev/null
kt_run kt_admin device add --org oo50-1001 --cert "$KT_CERTS/oo50-1001.pem"
kt_assert_rc 0 "device add for an imported school"
kt_write_client_conf "$KT_WORK/oo50-1001.conf" "$KT_CERTS/oo50-1001.pem" "$KT_CERTS/oo50-1001.key"
kt_ok oo50-1001 hello
kt_assert_contains "$KT_OUT" "oo50-1001" "hello as the imported school"
kt_run kt_admin org list
kt_assert_rc 0 "org list"
kt_assert_match "$KT_OUT" $'^oo50-1002\t[^\t]+\tmun50-1\t' "org list: a school, its level and parent"
kt_assert_match "$KT_OUT" $'^reg50\t[^\t]+\t-\t' "org list: the region without a parent"
kt_run kt_admin device list
kt_assert_rc 0 "device list"
kt_assert_match "$KT_OUT" $'\too50-1001\t' "device list: the imported school's device"

# --- refusals: file and row named, nothing written ------------------------------------------
# refused DIR PATTERN WHAT: org import must exit 1 with PATTERN and leave the database alone
refused() {
	local s
	s=$(snap)
	kt_run kt_admin org import "$1"
	kt_assert_rc 1 "org import of $3"
	KT_ICASE=1 kt_assert_match "$KT_ERR" "$2" "the refusal of $3"
	kt_assert_contains "$KT_ERR" "nothing imported" "$3: nothing imported"
	kt_assert_eq "$s" "$(snap)" "$3: nothing written"
}
fresh dupg; dup "$D/dupg/rbd_Schools.xml" 2
refused "$D/dupg" "rbd_Schools.xml: row 3: duplicate GUID: the same as rbd_Schools.xml row 2" "a duplicate GUID"
fresh dangling; edit "$D/dangling/rbd_Schools.xml" 4 GovernmentID 11111111-2222-3333-4444-555555555555
refused "$D/dangling" "rbd_Schools.xml: row 4: GovernmentID: no municipality with this GUID" "a dangling GovernmentID"
fresh area; edit "$D/area/rbd_Schools.xml" 1 AreaFK 11111111-2222-3333-4444-555555555555
refused "$D/area" "rbd_Schools.xml: row 1: AreaFK: no territory with this GUID" "a dangling AreaFK"
kt_run kt_admin org add --code mun50-7 --name "Добавлен вручную" --level municipality --parent reg50
kt_assert_rc 0 "org add by hand"
fresh taken; edit "$D/taken/rbd_Governments.xml" 1 GovernmentID 11111111-2222-3333-4444-555555555555
edit "$D/taken/rbd_Governments.xml" 1 GovernmentCode 7
refused "$D/taken" "rbd_Governments.xml: row 1: the code karta gives a new municipality, mun50-7, is taken by organization Добавлен вручную \(added by hand, without a GUID\)" "a taken code"
fresh long; edit "$D/long/rbd_Governments.xml" 2 GovernmentName "$(printf 'Ы%.0s' {1..256})"
refused "$D/long" "rbd_Governments.xml: row 2: .*GovernmentName" "a value over maxLength"
fresh ns; other_ns "$D/ns/rbd_Areas.xml"
refused "$D/ns" "rbd_Areas.xml: .*namespace" "a wrong namespace"
fresh bomb
cat >"$D/bomb/rbd_Areas.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<GIADBSet xmlns="http://www.rustest.ru/giadbset"><rbd_Areas><AreaName>&lol2;</AreaName></rbd_Areas></GIADBSet>
EOF
refused "$D/bomb" "rbd_Areas.xml: .*DTD" "a billion-laughs DTD"
fresh trunc; head -c 900 "$D/p1/rbd_Schools.xml" >"$D/trunc/rbd_Schools.xml"
refused "$D/trunc" "rbd_Schools.xml: " "a truncated file"
climb_zip "$D/p1" "$D/climb.zip" rbd_Areas.xml
refused "$D/climb.zip" "climb.zip.: entry 1 has a name that leaves the archive" "a ZIP entry climbing out with ../"
fresh nofile; rm "$D/nofile/rbd_Schools.xml"
refused "$D/nofile" "the package has no rbd_Schools.xml" "a package without schools"

kt_run kt_admin org import
kt_assert_rc 2 "org import without a package"

# --- --partial: the refused rows and the schools that hang on them stay out ---------------------
"$GEN" orgs "$D/r52" --region 52
edit "$D/r52/rbd_Governments.xml" 2 GovernmentCode -5
edit "$D/r52/rbd_Schools.xml" 1 AreaFK 11111111-2222-3333-4444-555555555555
refused "$D/r52" "rbd_Governments.xml: row 2: the federal code must be a whole number" "a bad row without --partial"
kt_run kt_admin org import "$D/r52" --partial
kt_assert_rc 1 "org import --partial with refused rows"
kt_assert_contains "$KT_ERR" "rbd_Schools.xml: row 1: AreaFK: no territory" "--partial: the refused school"
kt_assert_contains "$KT_ERR" "rbd_Schools.xml: row 3: not imported: its municipality is refused (rbd_Governments.xml row 2)" \
	"--partial: a school of the refused municipality"
kt_assert_contains "$KT_ERR" "rbd_Schools.xml: row 4: not imported: its municipality is refused" "--partial: the other one"
kt_assert_contains "$KT_ERR" "not imported (--partial: the others were)" "--partial: says so"
kt_assert_contains "$KT_OUT" "org import: 3 added, 0 updated" "--partial: the counts"
kt_assert_contains "$KT_OUT" "rows refused (--partial): 4" "--partial: the refused count"
kt_assert_eq "$(kt_psql "SELECT string_agg(code, ' ' ORDER BY code) FROM organization WHERE federal_code IS NOT NULL
	AND (code LIKE '%52%')")" "mun52-1 oo52-1002 reg52" "--partial: what was imported"
fresh wide; dup "$D/wide/rbd_CurrentRegion.xml" 1
refused "$D/wide" "rbd_CurrentRegion.xml: must hold exactly one region" "two regions"
s=$(snap)
kt_run kt_admin org import "$D/wide" --partial
kt_assert_rc 1 "two regions with --partial"
kt_assert_eq "$s" "$(snap)" "two regions with --partial: nothing written"
kt_assert_contains "$KT_ERR" "which --partial cannot leave out; nothing imported" "--partial: an error of the package as a whole"

# --- --codes: the tree added by hand (kt_setup: reg, mun1, mun2, sch11 …) adopts the GUIDs ------
"$GEN" orgs "$D/r51" --region 51
u() { python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('6b0e3c2a-3d7c-4f0e-9a51-2b7c1d0e9f10'), '$1'))"; }
printf 'GUID;Код\n%s;reg\n%s;mun1\n{%s};mun2\n%s;sch11\n%s;sch12\n%s;sch21\n' "$(u region:51)" \
	"$(u gov:51:1)" "$(u gov:51:2 | tr a-f A-F)" "$(u school:51:1:1)" "$(u school:51:1:2)" \
	"$(u school:51:2:1)" >"$D/codes.csv"
kt_run kt_admin org import "$D/r51" --codes "$D/codes.csv"
kt_assert_rc 0 "org import --codes"
kt_assert_contains "$KT_OUT" "~ region reg «Тестовая область»: added by hand before: the package's GUID attached; federal code — → 51;" \
	"the hand-made region adopted"
kt_assert_contains "$KT_OUT" "~ school sch21 «Средняя школа № 1 (район 2)»: added by hand before: the package's GUID attached; name was «Школа № 21»;" \
	"a hand-made school adopted and renamed"
kt_assert_contains "$KT_OUT" "+ school oo51-2002 «Средняя школа № 2 (район 2)» in mun2" "a new school under an adopted municipality"
kt_assert_contains "$KT_OUT" "org import: 1 added, 6 updated" "the counts"
kt_assert_eq "$(kt_psql "SELECT count(*) FROM organization WHERE code IN ('reg', 'mun1', 'mun2', 'sch11', 'sch12',
	'sch21') AND guid IS NOT NULL AND federal_code IS NOT NULL")" "6" "the hand-made tree has its GUIDs"
kt_ok sch21 hello
kt_run kt_admin org import "$D/r51"
kt_assert_contains "$KT_OUT" "org import: 0 added, 0 updated, 0 marked deleted, 0 live again, 0 skipped (deleted in the package), 7 unchanged" \
	"then matched by GUID without --codes"
printf 'GUID;Код\n%s;reg\n11111111-2222-3333-4444-555555555555;x\n%s;bad code\n' "$(u region:51)" "$(u gov:51:1)" >"$D/badcodes.csv"
s=$(snap)
kt_run kt_admin org import "$D/r51" --codes "$D/badcodes.csv"
kt_assert_rc 1 "org import with bad --codes"
kt_assert_contains "$KT_ERR" "badcodes.csv:3: 11111111-2222-3333-4444-555555555555: no organization of the package has this GUID" "a GUID not in the package"
kt_assert_contains "$KT_ERR" "badcodes.csv:4: bad code: not a karta organization code" "a bad code"
kt_assert_contains "$KT_ERR" "--codes gives it bad code, but it is mun1 in karta" "a code against karta's"
kt_assert_eq "$s" "$(snap)" "bad --codes: nothing written"
kt_pass
