#!/usr/bin/env bash
# t_plan_import: `karta plan import` writes a published roadmap as a plan in one
# transaction — every golden item lands with its number, title and raw deadline, metadata
# and abbreviations are kept; a re-import of the same document changes nothing; a corrected
# document updates items in place (diff shown, no duplicates); bad files write nothing.
# Word files: the .docx of a seed lands like its text; a file with two plans creates two
# (or the one --plan picks); a .doc goes through LibreOffice (a stand-in here: converting
# is LibreOffice's job, finding it and reading its output ours) or is refused naming the
# package; hostile .docx files (zip bombs, ../ entries, entities, 100 MB) write nothing.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_plan_import
kt_start_kartad
SEEDS=${KT_SEEDS:-$KT_SRC/tests/fixtures/seeds}
S003=$SEEDS/003_042b6b193d2b342e.txt
S000=$SEEDS/000_0321eb817b06a241.txt
S001=$SEEDS/001_ab757c1570964dd4.txt

plans() { kt_psql "SELECT count(*) FROM plan"; }
# golden_missing PLAN GOLDEN: golden items (number + whitespace-normalized title + raw
# deadline) not found among the plan's live items. Word bookmarks, kept in the golden
# text, are dropped by the importer (docs/import.md).
golden_missing() {
	# \set reads the file through psql, not argv (a golden file is larger than ARG_MAX).
	psql -XAtq -v ON_ERROR_STOP=1 -v file="$2" "$KT_CONNINFO" <<-SQL
		\set g \`cat :'file'\`
		WITH g AS (
			SELECT coalesce(i->>'number', '') AS number,
				karta_norm(regexp_replace(i->>'title', '\[bookmark:[^]]*\]', '', 'g')) AS title,
				karta_norm(i->>'deadline_text') AS deadline
			FROM jsonb_array_elements(coalesce(:'g'::jsonb->'sections',
				:'g'::jsonb->'documents'->0->'sections')) s,
			     jsonb_array_elements(s->'items') i)
		SELECT count(*) FROM g WHERE NOT EXISTS (
			SELECT 1 FROM plan_item x WHERE x.plan_id = '$1' AND x.deleted_at IS NULL
			AND rtrim(x.number, '.') = rtrim(g.number, '.') AND karta_norm(x.title) = g.title
			AND karta_norm(x.deadline_text) = g.deadline)
	SQL
}

# --- a new plan from seed 003 (one row per line, approved act 01-08/530) ------------------
kt_run kt_karta mun1 plan import "$S003"
kt_assert_rc 0 "import 003"
kt_assert_match "$KT_OUT" '^plan [0-9a-f-]{36} imported: 83 items in 12 sections$' "import 003"
P3=$(kt_id_of "$KT_OUT" plan)
kt_assert_eq "83|12" "$(kt_psql "SELECT (SELECT count(*) FROM plan_item WHERE plan_id = '$P3'),
	(SELECT count(*) FROM plan_section WHERE plan_id = '$P3')")" "rows of 003"
kt_assert_eq "0" "$(golden_missing "$P3" "$SEEDS/golden/003.json")" "golden items of 003 missing"
kt_assert_eq "2023|01-08/530|2023-10-12|mun1" "$(kt_psql "SELECT p.academic_year, p.act_number,
	p.act_date, o.code FROM plan p JOIN organization o ON o.id = p.owner_org_id
	WHERE p.id = '$P3'")" "metadata of 003"
kt_assert_eq "83" "$(kt_psql "SELECT count(*) FROM item_history h JOIN plan_item i ON i.id = h.item_id
	WHERE i.plan_id = '$P3' AND h.op = 'create'")" "history of the import"
# Deadlines are normalized on the way in, with the plan's academic year.
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$P3'
	AND deadline_text <> '' AND deadline_kind IN ('empty', 'unknown')")" "unparsed deadlines"

# --- seed 001 (one cell per line, 334 items) as the region, seed 000 needs --allow-truncated
kt_run kt_karta reg plan import "$S001"
kt_assert_rc 0 "import 001"
P1=$(kt_id_of "$KT_OUT" plan)
kt_assert_eq "0" "$(golden_missing "$P1" "$SEEDS/golden/001.json")" "golden items of 001 missing"
kt_assert_eq "334" "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$P1'")" "items of 001"
# Responsible cells resolve through the document's own abbreviation table.
kt_assert_eq "all_schools|Общеобразовательные организации" "$(kt_psql "SELECT p->>'party',
	p->>'meaning' FROM plan_item i, jsonb_array_elements(i.responsible->'parties') p
	WHERE i.plan_id = '$P1' AND i.responsible_text = 'УО, ОО' AND p->>'text' = 'оо' LIMIT 1")" \
	"«ОО» resolved with the document's abbreviation table"
abbrevs=$(kt_psql "SELECT count(*) FROM abbreviation WHERE plan_id = '$P1'")
[ "$abbrevs" -gt 5 ] || kt_fail "the abbreviation table of 001 was not stored ($abbrevs rows)"

before=$(plans)
kt_run kt_karta mun2 plan import "$S000"        # the seed ends mid-row
kt_assert_rc 1 "import of a truncated table"
kt_assert_contains "$KT_ERR" "truncated" "import of a truncated table"
kt_assert_eq "$before" "$(plans)" "a refused import writes nothing"
kt_run kt_karta mun2 plan import "$S000" --allow-truncated
kt_assert_rc 0 "import 000 --allow-truncated"
P0=$(kt_id_of "$KT_OUT" plan)
kt_assert_eq "0" "$(golden_missing "$P0" "$SEEDS/golden/000.json")" "golden items of 000 missing"
kt_assert_eq "2019" "$(kt_psql "SELECT academic_year FROM plan WHERE id = '$P0'")" "year of 000"

# --- re-import: the same document changes nothing ------------------------------------------
kt_run kt_karta mun1 plan import "$S003" --into "$P3"
kt_assert_rc 0 "re-import 003"
kt_assert_match "$KT_OUT" "plan $P3 re-imported: 0 added, 0 updated, 0 removed, 83 unchanged" "re-import"
kt_assert_eq "83" "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$P3'")" \
	"a re-import duplicates nothing"

# --- a corrected document: one title changed, one row gone ---------------------------------
fixed=$KT_WORK/003-fixed.txt
sed -e 's/^1\.2\.\tПроведение статистического анализа результатов ГИА\t/1.2.\tПроведение статистического анализа результатов ГИА-2023\t/' \
	-e '/^1\.3\.\t/d' "$S003" >"$fixed"
cmp -s "$fixed" "$S003" && kt_fail "the corrected copy is identical: the sed did not match"
v_before=$(kt_psql "SELECT row_version FROM plan_item WHERE plan_id = '$P3' AND number = '1.2.'")
kt_run kt_karta mun1 plan import "$fixed" --into "$P3" --dry-run
kt_assert_rc 0 "re-import --dry-run"
kt_assert_match "$KT_OUT" '^~ 1\.2\. Проведение статистического анализа результатов ГИА-2023 \[title\]$' "diff"
kt_assert_match "$KT_OUT" '^- 1\.3\. ' "diff"
kt_assert_match "$KT_OUT" "would change: 0 added, 1 updated, 1 removed, 81 unchanged" "dry-run summary"
kt_assert_eq "$v_before" "$(kt_psql "SELECT row_version FROM plan_item WHERE plan_id = '$P3'
	AND number = '1.2.'")" "a dry run writes nothing"
id12=$(kt_psql "SELECT id FROM plan_item WHERE plan_id = '$P3' AND number = '1.2.'")
kt_run kt_karta mun1 plan import "$fixed" --into "$P3"
kt_assert_rc 0 "re-import corrected"
kt_assert_match "$KT_OUT" "re-imported: 0 added, 1 updated, 1 removed, 81 unchanged" "re-import"
kt_assert_eq "$id12|$((v_before + 1))|Проведение статистического анализа результатов ГИА-2023" \
	"$(kt_psql "SELECT id, row_version, title FROM plan_item WHERE plan_id = '$P3'
	AND number = '1.2.'")" "the changed item is updated in place"
kt_assert_eq "82|1" "$(kt_psql "SELECT count(*) FILTER (WHERE deleted_at IS NULL),
	count(*) FILTER (WHERE deleted_at IS NOT NULL) FROM plan_item WHERE plan_id = '$P3'")" \
	"live and removed items after the re-import"

# --- encodings, access, bad files ------------------------------------------------------------
cp1251=$KT_WORK/003-cp1251.txt
iconv -f UTF-8 -t WINDOWS-1251 "$S003" >"$cp1251"
kt_run kt_karta sch11 plan import "$cp1251"
kt_assert_rc 0 "import of a Windows-1251 document"
P3w=$(kt_id_of "$KT_OUT" plan)
kt_assert_eq "0" "$(golden_missing "$P3w" "$SEEDS/golden/003.json")" "golden items of 003 (cp1251)"

before=$(plans)
kt_run kt_karta mun2 plan import "$S003" --into "$P3"          # another municipality's plan
kt_assert_rc 1 "re-import into another organization's plan"
KT_ICASE=1 kt_assert_match "$KT_ERR" 'permission denied' "re-import into another org's plan"
: >"$KT_WORK/empty.txt"
head -c 4096 /dev/urandom >"$KT_WORK/binary.bin"
printf 'Протокол совещания\n\nПрисутствовали: 5 человек.\nРешили: принять к сведению.\n' \
	>"$KT_WORK/notable.txt"
for f in empty.txt binary.bin notable.txt missing.txt; do
	kt_run kt_karta mun1 plan import "$KT_WORK/$f"
	kt_assert_rc 1 "import of $f"
	kt_assert_match "$KT_ERR" "^karta: cannot import '.*$f': " "message for $f"
done
truncate -s 50M "$KT_WORK/big.txt"
kt_run kt_karta mun1 plan import "$KT_WORK/big.txt"
kt_assert_rc 1 "import of a 50 MB file"
kt_assert_eq "$before" "$(plans)" "refused imports write nothing"
kt_assert_eq "82" "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$P3'
	AND deleted_at IS NULL")" "refused imports leave the target plan alone"

# --- Word files --------------------------------------------------------------------------
DOCX=$KT_SRC/tests/fixtures/docx
kt_run kt_karta reg plan import "$DOCX/001.docx"
kt_assert_rc 0 "import 001.docx"
kt_assert_match "$KT_OUT" '^plan [0-9a-f-]{36} imported: 334 items in 8 sections$' "import 001.docx"
P1d=$(kt_id_of "$KT_OUT" plan)
kt_assert_eq "0" "$(golden_missing "$P1d" "$SEEDS/golden/001.json")" "golden items of 001.docx missing"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM plan_item a JOIN plan_item b
	ON b.plan_id = '$P1d' AND b.ordinal = a.ordinal AND b.number = a.number
	JOIN plan_section sa ON sa.id = a.section_id JOIN plan_section sb ON sb.id = b.section_id
	AND sb.ordinal = sa.ordinal WHERE a.plan_id = '$P1' AND (a.title, a.deadline_text,
	a.responsible_text) IS DISTINCT FROM (b.title, b.deadline_text, b.responsible_text)")" \
	"items of 001.docx that differ from 001.txt"

before=$(plans)
kt_run kt_karta mun1 plan import "$DOCX/two_plans.docx" --dry-run
kt_assert_rc 0 "dry run of two plans"
kt_assert_contains "$KT_OUT" '"format": 2' "two plans in the dry run"
kt_assert_eq "2" "$(grep -c '^      "document": {' <<<"$KT_OUT")" "plans listed by the dry run"
kt_assert_contains "$KT_ERR" "plan 2 of 2: 8 sections, 94 items" "dry run summary"
kt_run kt_karta mun1 plan import "$DOCX/two_plans.docx" --plan 3
kt_assert_rc 1 "--plan 3 of 2"
kt_assert_contains "$KT_ERR" "holds 2 plans" "--plan 3 of 2"
kt_assert_eq "$before" "$(plans)" "dry runs and a wrong --plan write nothing"
kt_run kt_karta mun1 plan import "$DOCX/two_plans.docx"
kt_assert_rc 0 "import of two plans"
kt_assert_match "$KT_OUT" '^plan [0-9a-f-]{36} imported: 83 items in 12 sections$' "first plan"
kt_assert_match "$KT_OUT" '^plan [0-9a-f-]{36} imported: 94 items in 8 sections$' "second plan"
kt_assert_eq "$((before + 2))" "$(plans)" "two plans created"
kt_run kt_karta mun1 plan import "$DOCX/two_plans.docx" --plan 2
kt_assert_rc 0 "import of plan 2 only"
kt_assert_eq "1" "$(grep -c imported <<<"$KT_OUT")" "--plan 2 imports one plan"
P0d=$(kt_id_of "$KT_OUT" plan)
kt_assert_eq "0" "$(golden_missing "$P0d" "$SEEDS/golden/000.json")" "golden items of plan 2"

# .doc: converted by LibreOffice (a Word 97 file made here from the .docx of seed 003,
# through ODT: LibreOffice's direct .docx -> .doc drops these tables), or refused naming it
lo() { soffice -env:UserInstallation="file://$KT_WORK/lo-profile" --headless "$@" >/dev/null 2>&1; }
lo --convert-to odt --outdir "$KT_WORK" "$DOCX/003.docx" &&
	lo --convert-to 'doc:MS Word 97' --outdir "$KT_WORK" "$KT_WORK/003.odt" ||
	kt_fail "LibreOffice cannot make a .doc (deploy/install-deps.sh installs libreoffice-writer-nogui)"
mkdir -p "$KT_WORK/nolo"
ln -sf "$(command -v timeout)" "$KT_WORK/nolo/timeout"
before=$(plans)
kt_run env PATH="$KT_WORK/nolo" timeout 30 "$KT_KARTA" --config "$KT_WORK/mun1.conf" \
	plan import "$KT_WORK/003.doc"
kt_assert_rc 1 "a .doc without LibreOffice"
kt_assert_contains "$KT_ERR" "libreoffice-writer" "a .doc without LibreOffice names the package"
kt_assert_eq "$before" "$(plans)" "a refused .doc writes nothing"
mkdir -p "$KT_WORK/tmp" # the conversion's scratch folder goes under TMPDIR, and away after
kt_run env TMPDIR="$KT_WORK/tmp" "$KT_KARTA" --config "$KT_WORK/mun1.conf" plan import "$KT_WORK/003.doc"
kt_assert_rc 0 "a .doc through LibreOffice"
kt_assert_match "$KT_OUT" 'imported: 83 items in 12 sections$' "a .doc through LibreOffice"
P3doc=$(kt_id_of "$KT_OUT" plan)
kt_assert_eq "0" "$(golden_missing "$P3doc" "$SEEDS/golden/003.json")" "golden items of 003.doc"
ls -d "$KT_WORK"/tmp/karta-doc-* >/dev/null 2>&1 && kt_fail "the conversion left its temporary directory"

# hostile Word files
"$KT_BIN/tests/kt_docx_hostile" "$KT_WORK" "$DOCX/003.docx" || kt_fail "kt_docx_hostile"
printf 'PK\003\004' >"$KT_WORK/huge.docx"
truncate -s 100M "$KT_WORK/huge.docx"
before=$(plans)
declare -A why=([bomb_lie]="more than its declared" [bomb_ratio]="zip bomb"
	[big_xml]="too large" [huge]="too large" [dotdot]="outside the archive"
	[laughs]="not well-formed XML" [xxe]="DTD or entities" [nodoc]="not a Word document"
	[cut]="not a readable Word file" [badxml]="not well-formed XML" [wide]="more than 64 cells")
for f in "${!why[@]}"; do
	kt_run kt_karta mun1 plan import "$KT_WORK/$f.docx"
	kt_assert_rc 1 "import of $f.docx"
	kt_assert_match "$KT_ERR" "^karta: cannot import '.*$f.docx': " "message for $f.docx"
	kt_assert_contains "$KT_ERR" "${why[$f]}" "reason for $f.docx"
done
kt_assert_eq "$before" "$(plans)" "hostile Word files write nothing"

kt_stop_kartad
kt_pass
