#!/usr/bin/env bash
# t_plan_import: `karta plan import` writes a published roadmap as a plan in one
# transaction — every golden item lands with its number, title and raw deadline, metadata
# and abbreviations are kept; a re-import of the same document changes nothing; a corrected
# document updates items in place (diff shown, no duplicates); bad files write nothing.
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

kt_stop_kartad
kt_pass
