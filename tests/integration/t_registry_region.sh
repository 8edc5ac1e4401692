#!/usr/bin/env bash
# t_registry_region: a generated region (tests/tools/kt_gen_region, fixed seed, scaled down
# to 3 municipalities and 50 schools: bench/registry.sh runs the full 60 × 1,000 × 30,000)
# is registered, the region imports every participant, and a school, its municipality and
# the region sync: each replica holds exactly the participants the server has for what that
# organization may read — same count, same checksum of the rows — and nothing more.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/region_lib.sh
. "$(dirname "$0")/region_lib.sh"

kt_setup t_registry_region
kt_start_kartad
G=$KT_WORK/gen
"$KT_BIN/tests/kt_gen_region" "$G" --scale 0.05 >/dev/null
region_orgs "$G"
SCHOOL=$(kt_psql "SELECT min(code) FROM organization WHERE level = 'school' AND code ~ '^[0-9]+$'")
MUN=$(kt_psql "SELECT m.code FROM organization s JOIN organization m ON m.id = s.parent_id
	WHERE s.code = '$SCHOOL'")
OTHER=$(kt_psql "SELECT min(code) FROM organization WHERE level = 'municipality'
	AND code ~ '^[0-9]+$' AND code <> '$MUN'")
for o in "$SCHOOL" "$MUN" "$OTHER"; do region_device "$o"; done

ms=$(region_import "$G")
N=$(($(wc -l <"$G/participants.csv") - 1))
kt_assert_eq "$(kt_psql "SELECT count(*) FROM participant")" "$N" "every generated participant imported"
kt_log "imported $N participants in $ms ms"
for o in "$SCHOOL" "$MUN" "$OTHER"; do kt_ok "$o" sync; done

id_of() { kt_psql "SELECT id FROM organization WHERE code = '$1'"; }
region_check reg "true"
region_check "$MUN" "p.org_id IN (SELECT id FROM organization WHERE parent_id = $(id_of "$MUN"))"
region_check "$OTHER" "p.org_id IN (SELECT id FROM organization WHERE parent_id = $(id_of "$OTHER"))"
region_check "$SCHOOL" "p.org_id = $(id_of "$SCHOOL")"
# nothing of another municipality's people in a municipality's or a school's file
kt_assert_eq "$(sqlite3 -batch "$KT_WORK/$OTHER.state/replica.db" "SELECT count(*) FROM row
	WHERE entity_type = 'participant' AND feed IN (SELECT code FROM feed WHERE parent = '$MUN')")" 0 \
	"$OTHER holds none of $MUN's participants"
# the same person entered by a second school of $MUN: a duplicate for $MUN and the region,
# nothing for $OTHER (which may not read either school)
dups() { kt_karta "$1" registry duplicates --format csv | tail -n +2 | grep -c . || true; }
D_MUN=$(dups "$MUN") D_REG=$(dups reg) D_OTHER=$(dups "$OTHER")
SCHOOL2=$(kt_psql "SELECT min(code) FROM organization WHERE parent_id = $(id_of "$MUN")
	AND code <> '$SCHOOL'")
col() { head -n 1 "$1" | tr -d '\r\357\273\277' | tr ';' '\n' | grep -nx "$2" | cut -d: -f1; }
C=$(col "$G/participants.csv" "Код ОО")
awk -F';' -v OFS=';' -v c="$C" -v s="$SCHOOL" -v t="$SCHOOL2" \
	'NR == 1 { print; next } $c == s && !done { $c = t; print; done = 1 }' \
	"$G/participants.csv" >"$KT_WORK/dup.csv"
kt_ok reg registry import participants "$KT_WORK/dup.csv"
kt_assert_eq "$(dups "$MUN")" "$((D_MUN + 1))" "$MUN sees the person entered by $SCHOOL and $SCHOOL2"
kt_assert_eq "$(dups reg)" "$((D_REG + 1))" "the region sees it too"
kt_assert_eq "$(dups "$OTHER")" "$D_OTHER" "$OTHER does not"
kt_ok "$MUN" registry duplicates
kt_assert_contains "$KT_OUT" "document" "the duplicate matches on the document"

kt_pass
