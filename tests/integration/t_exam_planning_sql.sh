#!/usr/bin/env bash
# t_exam_planning_sql: exam planning at the SQL level (sql/0009_exam_planning.sql).
# Applies sql/0001..0009 with psql, builds a small
# hand-made case and asserts distribution, the four fill orders' exact layouts, the
# invariants, manual seats surviving re-seating, lock refusals, scope refusals and the
# control reports К-02, К-03, К-06, К-09 exactly.
#
# Case: region reg; mun1 (schools s11, s12), mun2 (school s21). Exam E (ЕГЭ, 'Математика').
#   P1 (mun1, 0001), reserved 14 seats: A101 2×3 unusable {2} → 5; A102 2×2 adapted → 4;
#      A103 3×3 unusable {1,5,9} → 6            (15 usable, 14 reserved)
#   P2 (mun2, 0002): A201 2×4 unusable {8} adapted → 7; A202 3×3 preparation room
#   participants (surname = label): s11 Pa..Pj (Pc, Pf ОВЗ), s12 Pk..Pr, s21 Ps..Px (Pu ОВЗ);
#   Pa is also registered for another exam the same day; Px has Pw's document (duplicate).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup_sql t_exam_planning_sql

kt_psql "INSERT INTO organization(code, name, level) VALUES ('reg', 'Область', 'region');
	INSERT INTO organization(code, name, level, parent_id) SELECT 'mun1', 'Округ 1', 'municipality', id FROM organization WHERE code = 'reg';
	INSERT INTO organization(code, name, level, parent_id) SELECT 'mun2', 'Округ 2', 'municipality', id FROM organization WHERE code = 'reg';
	INSERT INTO organization(code, name, level, parent_id) SELECT 's11', 'Школа 11', 'school', id FROM organization WHERE code = 'mun1';
	INSERT INTO organization(code, name, level, parent_id) SELECT 's12', 'Школа 12', 'school', id FROM organization WHERE code = 'mun1';
	INSERT INTO organization(code, name, level, parent_id) SELECT 's21', 'Школа 21', 'school', id FROM organization WHERE code = 'mun2';
	INSERT INTO device(fingerprint, org_id, role, label)
	SELECT encode(sha256(convert_to(code, 'UTF8')), 'hex'), id,
		CASE level WHEN 'region' THEN 'coordinator' ELSE 'operator' END, 'device ' || code FROM organization" >/dev/null
declare -A DEV ORG
while IFS='|' read -r code org dev; do
	ORG[$code]=$org DEV[$code]=$dev
done < <(kt_psql "SELECT o.code, o.id, d.id FROM organization o JOIN device d ON d.org_id = o.id")

uuid() {
	local h
	h=$(printf '%s' "$1" | md5sum)
	echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"
}
E=$(uuid exam:E) E2=$(uuid exam:E2)
P1=$(uuid point:P1) P2=$(uuid point:P2)
A101=$(uuid aud:A101) A102=$(uuid aud:A102) A103=$(uuid aud:A103) A201=$(uuid aud:A201) A202=$(uuid aud:A202)

kt_psql "INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date)
	VALUES ('$E', ${ORG[reg]}, 2, 'Математика', 1, 11, '2025-06-01'),
	       ('$E2', ${ORG[reg]}, 3, 'Физика', 1, 11, '2025-06-01');
	INSERT INTO exam_point(id, org_id, region_id, code, name, address) VALUES
		('$P1', ${ORG[mun1]}, ${ORG[reg]}, '0001', 'ППЭ 1', 'адрес 1'),
		('$P2', ${ORG[mun2]}, ${ORG[reg]}, '0002', 'ППЭ 2', 'адрес 2');
	INSERT INTO auditorium(id, org_id, point_id, code, rows, seats_per_row, unusable_seats, ovz_adapted) VALUES
		('$A101', ${ORG[mun1]}, '$P1', '0101', 2, 3, '{2}', false),
		('$A102', ${ORG[mun1]}, '$P1', '0102', 2, 2, '{}', true),
		('$A103', ${ORG[mun1]}, '$P1', '0103', 3, 3, '{1,5,9}', false),
		('$A201', ${ORG[mun2]}, '$P2', '0201', 2, 4, '{8}', true),
		('$A202', ${ORG[mun2]}, '$P2', '0202', 3, 3, '{}', false)" >/dev/null
# participants Pa..Px
i=0
for l in a b c d e f g h i j k l m n o p q r s t u v w x; do
	i=$((i + 1))
	case $l in [a-j]) sch=s11 ;; [k-r]) sch=s12 ;; *) sch=s21 ;; esac
	ovz=false
	case $l in c | f | u) ovz=true ;; esac
	doc="N$l"
	[ "$l" != x ] || doc="Nw"
	kt_psql "INSERT INTO participant(id, org_id, surname, name, sex, birth_date, doc_type, doc_number,
		class, category, form, ovz) VALUES ('$(uuid "p:$l")', ${ORG[$sch]}, 'P$l', 'Name', 1,
		'2007-01-$(printf %02d "$i")', 9, '$doc', '11', 1, 1, $ovz);
		INSERT INTO exam_registration(id, org_id, participant_id, exam_id)
		VALUES ('$(uuid "r:$l")', ${ORG[$sch]}, '$(uuid "p:$l")', '$E')" >/dev/null
done
kt_psql "INSERT INTO exam_registration(id, org_id, participant_id, exam_id)
	VALUES ('$(uuid r2:a)', ${ORG[s11]}, '$(uuid p:a)', '$E2')" >/dev/null

# call FN ORG JSON: "status|message" of the first row.
call() {
	kt_psql "SELECT concat_ws('|', r.status, r.message) FROM $1(${DEV[$2]}, \$j\$$3\$j\$::jsonb) r LIMIT 1"
}
ok() {
	local out
	out=$(call "$@")
	[[ $out == ok\|* ]] || kt_fail "$1 as $2 ($3): $out"
	echo "$out"
}
snapshot() {
	kt_psql "SELECT md5(coalesce(string_agg(t, '|' ORDER BY t), '')) FROM (
		SELECT x::text AS t FROM exam_point_assignment x UNION ALL SELECT x::text FROM exam_auditorium x
		UNION ALL SELECT x::text FROM distribution x UNION ALL SELECT x::text FROM seating x
		UNION ALL SELECT x::text FROM staff_assignment x UNION ALL SELECT x::text FROM change_log x) y"
}
refused() { kt_sql_refused "$@"; } # FN ORG JSON STATUS [ERE]
# layout [POINT-CODE]: "label:room:row:seat[m]" of the live seats, by label.
layout() {
	kt_psql "SELECT string_agg(substr(p.surname, 2) || ':' || au.code || ':' || s.seat_row || ':' || s.seat
		|| CASE WHEN s.manual THEN 'm' ELSE '' END, ' ' ORDER BY p.surname)
		FROM seating s JOIN participant p ON p.id = s.participant_id JOIN auditorium au ON au.id = s.auditorium_id
		JOIN exam_point x ON x.id = s.point_id
		WHERE s.exam_id = '$E' AND s.deleted_at IS NULL AND x.code LIKE '${1:-%}'"
}
dist() { # "label:point" of live distributions
	kt_psql "SELECT string_agg(substr(p.surname, 2) || ':' || x.code, ' ' ORDER BY p.surname)
		FROM distribution d JOIN participant p ON p.id = d.participant_id JOIN exam_point x ON x.id = d.point_id
		WHERE d.exam_id = '$E' AND d.deleted_at IS NULL"
}
invariants() { # WHAT
	kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM (SELECT participant_id FROM seating WHERE exam_id = '$E'
		AND deleted_at IS NULL GROUP BY 1 HAVING count(*) > 1) x")" "$1: seated at most once"
	kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM distribution d WHERE d.exam_id = '$E' AND d.deleted_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM seating s WHERE s.exam_id = d.exam_id AND s.participant_id = d.participant_id
		AND s.deleted_at IS NULL AND s.point_id = d.point_id)")" "$1: every distributed participant seated at their point"
	kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM seating s JOIN auditorium a ON a.id = s.auditorium_id
		WHERE s.exam_id = '$E' AND s.deleted_at IS NULL
		AND ((s.seat_row - 1) * a.seats_per_row + s.seat = ANY (a.unusable_seats) OR s.seat_row > a.rows
		     OR s.seat > a.seats_per_row)")" "$1: no unusable seat used"
	kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM seating s JOIN auditorium a ON a.id = s.auditorium_id
		JOIN participant p ON p.id = s.participant_id WHERE s.exam_id = '$E' AND s.deleted_at IS NULL
		AND p.ovz AND NOT a.ovz_adapted")" "$1: ОВЗ only in adapted rooms"
	kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM (SELECT a.id FROM seating s JOIN auditorium a ON a.id = s.auditorium_id
		WHERE s.exam_id = '$E' AND s.deleted_at IS NULL GROUP BY a.id, a.rows, a.seats_per_row, a.unusable_seats
		HAVING count(*) > a.rows * a.seats_per_row - cardinality(a.unusable_seats)) x")" "$1: no room over capacity"
	kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM seating s JOIN exam_auditorium ea ON ea.exam_id = s.exam_id
		AND ea.auditorium_id = s.auditorium_id AND ea.deleted_at IS NULL
		WHERE s.exam_id = '$E' AND s.deleted_at IS NULL AND ea.role <> 'exam'")" "$1: nobody in a preparation room"
}

# --- scope refusals -------------------------------------------------------------------------
refused karta_exam_point_assign s11 "{\"exam_id\": \"$E\", \"point_id\": \"$P1\"}" denied 'school'
refused karta_exam_point_assign mun1 "{\"exam_id\": \"$E\", \"point_id\": \"$P2\"}" not_found
refused karta_exam_distribute s11 "{\"exam_id\": \"$E\"}" denied
refused karta_exam_settings mun1 "{\"exam_id\": \"$E\", \"cross_municipal\": true}" denied 'region'

# --- points and auditoriums -----------------------------------------------------------------
ok karta_exam_point_assign mun1 "{\"exam_id\": \"$E\", \"point_id\": \"$P1\", \"seats\": 14}" >/dev/null
ok karta_exam_point_assign reg "{\"exam_id\": \"$E\", \"point_id\": \"$P2\"}" >/dev/null
for au in $A101 $A102 $A103; do
	ok karta_exam_auditorium_assign mun1 "{\"exam_id\": \"$E\", \"auditorium_id\": \"$au\"}" >/dev/null
done
refused karta_exam_auditorium_assign mun1 "{\"exam_id\": \"$E\", \"auditorium_id\": \"$A201\"}" not_found
ok karta_exam_auditorium_assign mun2 "{\"exam_id\": \"$E\", \"auditorium_id\": \"$A201\"}" >/dev/null
ok karta_exam_auditorium_assign mun2 "{\"exam_id\": \"$E\", \"auditorium_id\": \"$A202\", \"role\": \"preparation\"}" >/dev/null
ok karta_exam_settings reg "{\"exam_id\": \"$E\", \"organizers_per_auditorium\": 1}" >/dev/null

# --- distribution ---------------------------------------------------------------------------
out=$(ok karta_exam_distribute reg "{\"exam_id\": \"$E\", \"dry_run\": true}")
kt_assert_contains "$out" "dry run: distributed 20, not distributed 4 (ОВЗ 0), same-day 1, added 20" "dry run"
kt_assert_eq "" "$(dist)" "a dry run writes nothing"
kt_assert_eq "21" "$(kt_psql "SELECT count(*) FROM karta_exam_distribute(${DEV[reg]}, '{\"exam_id\": \"$E\", \"dry_run\": true}')")" \
	"a dry run lists its changes"
out=$(ok karta_exam_distribute reg "{\"exam_id\": \"$E\"}")
kt_assert_contains "$out" "distributed 20, not distributed 4 (ОВЗ 0), same-day 1" "distribution"
kt_assert_eq "a:0001 b:0001 c:0001 d:0001 e:0001 f:0001 g:0001 h:0001 i:0001 j:0001 k:0001 l:0001 m:0001 n:0001 s:0002 t:0002 u:0002 v:0002 w:0002 x:0002" \
	"$(dist)" "within municipalities, reserved seats honoured"
out=$(ok karta_exam_distribute reg "{\"exam_id\": \"$E\"}")
kt_assert_contains "$out" "added 0, removed 0" "a re-run changes nothing"
ok karta_exam_settings reg "{\"exam_id\": \"$E\", \"cross_municipal\": true}" >/dev/null
out=$(ok karta_exam_distribute reg "{\"exam_id\": \"$E\"}")
kt_assert_contains "$out" "distributed 21, not distributed 3 (ОВЗ 0), same-day 1, added 1, removed 0" "cross-municipal"
kt_assert_eq "o:0002" "$(dist | tr ' ' '\n' | grep '^o:')" "Po to mun2's point (1 seat left there)"
kt_assert_eq "$(kt_psql "SELECT id FROM organization WHERE code = 'mun2'")" "$(kt_psql "SELECT org_id FROM distribution
	WHERE participant_id = '$(uuid p:o)' AND deleted_at IS NULL")" "the row is in the point's municipality's feed"
kt_assert_eq "1" "$(kt_psql "SELECT count(*) FROM karta_control(${DEV[reg]}, 'same_day', '$E')")" "same-day report"
kt_assert_eq "$(uuid p:a)" "$(kt_psql "SELECT id_a FROM karta_control(${DEV[reg]}, 'same_day', '$E')")" "same-day: Pa"
# A municipality redistributing its own points leaves the region's cross-municipal row alone.
out=$(ok karta_exam_distribute mun2 "{\"exam_id\": \"$E\"}")
kt_assert_contains "$out" "added 0, removed 0" "mun2's run keeps Po"
out=$(ok karta_exam_distribute mun1 "{\"exam_id\": \"$E\"}")
kt_assert_contains "$out" "distributed 14, not distributed 3" "mun1's run (Po is placed outside its scope)"

# --- seating: the four fill orders ----------------------------------------------------------
seat() { # ORDER EXPECTED-P1
	ok karta_exam_seat reg "{\"exam_id\": \"$E\", \"order\": \"$1\"}" >/dev/null
	kt_assert_eq "$2" "$(layout 0001)" "P1 layout, order $1"
	kt_assert_eq "o:0201:1:2 s:0201:1:3 t:0201:1:4 u:0201:1:1 v:0201:2:1 w:0201:2:2 x:0201:2:3" \
		"$(layout 0002)" "P2 layout, order $1"
	invariants "order $1"
}
SEQ="a:0101:1:1 b:0101:1:3 c:0102:1:1 d:0101:2:1 e:0101:2:2 f:0102:1:2 g:0101:2:3 h:0102:2:1 i:0102:2:2 j:0103:1:2 k:0103:1:3 l:0103:2:1 m:0103:2:3 n:0103:3:1"
seat sequential "$SEQ"
seat capacity_desc "a:0103:1:2 b:0103:1:3 c:0102:1:1 d:0103:2:1 e:0103:2:3 f:0102:1:2 g:0103:3:1 h:0103:3:2 i:0101:1:1 j:0101:1:3 k:0101:2:1 l:0101:2:2 m:0101:2:3 n:0102:2:1"
seat capacity_asc "a:0102:2:1 b:0102:2:2 c:0102:1:1 d:0101:1:1 e:0101:1:3 f:0102:1:2 g:0101:2:1 h:0101:2:2 i:0101:2:3 j:0103:1:2 k:0103:1:3 l:0103:2:1 m:0103:2:3 n:0103:3:1"
seat even "a:0101:1:1 b:0103:1:2 c:0102:1:1 d:0101:1:3 e:0103:1:3 f:0102:1:2 g:0101:2:1 h:0102:2:1 i:0103:2:1 j:0101:2:2 k:0102:2:2 l:0103:2:3 m:0101:2:3 n:0103:3:1"
# dry run of a change of order: nothing written, changes listed
before=$(layout)
out=$(ok karta_exam_seat reg "{\"exam_id\": \"$E\", \"order\": \"sequential\", \"dry_run\": true}")
kt_assert_contains "$out" "dry run: order sequential: seated 21" "seat dry run"
kt_assert_eq "$before" "$(layout)" "a seat dry run writes nothing"
refused karta_exam_seat reg "{\"exam_id\": \"$E\", \"order\": \"random\"}" bad 'order'
refused karta_exam_seat s11 "{\"exam_id\": \"$E\", \"order\": \"even\"}" denied
refused karta_exam_seat mun1 "{\"exam_id\": \"$E\", \"order\": \"even\", \"point_id\": \"$P2\"}" not_found

# --- manual seats ---------------------------------------------------------------------------
ok karta_exam_seat mun1 "{\"exam_id\": \"$E\", \"order\": \"sequential\"}" >/dev/null
kt_assert_eq "$SEQ" "$(layout 0001)" "mun1 seats its point"
refused karta_exam_seat_manual mun1 "{\"exam_id\": \"$E\", \"participant_id\": \"$(uuid p:a)\",
	\"auditorium_id\": \"$A101\", \"row\": 1, \"seat\": 2}" bad 'usable'
refused karta_exam_seat_manual mun1 "{\"exam_id\": \"$E\", \"participant_id\": \"$(uuid p:c)\",
	\"auditorium_id\": \"$A101\", \"row\": 2, \"seat\": 1}" precondition 'adapted'
refused karta_exam_seat_manual mun1 "{\"exam_id\": \"$E\", \"participant_id\": \"$(uuid p:a)\",
	\"auditorium_id\": \"$A101\", \"row\": 1, \"seat\": 3}" conflict 'taken'
refused karta_exam_seat_manual mun2 "{\"exam_id\": \"$E\", \"participant_id\": \"$(uuid p:a)\",
	\"auditorium_id\": \"$A103\", \"row\": 3, \"seat\": 2}" not_found
ok karta_exam_seat_manual mun1 "{\"exam_id\": \"$E\", \"participant_id\": \"$(uuid p:a)\",
	\"auditorium_id\": \"$A103\", \"row\": 3, \"seat\": 2}" >/dev/null
ok karta_exam_seat reg "{\"exam_id\": \"$E\", \"order\": \"sequential\"}" >/dev/null
kt_assert_eq "a:0103:3:2m b:0101:1:1 c:0102:1:1 d:0101:1:3 e:0101:2:1 f:0102:1:2 g:0101:2:2 h:0101:2:3 i:0102:2:1 j:0102:2:2 k:0103:1:2 l:0103:1:3 m:0103:2:1 n:0103:2:3" \
	"$(layout 0001)" "the manual seat survives re-seating"
ok karta_exam_seat reg "{\"exam_id\": \"$E\", \"order\": \"even\"}" >/dev/null
kt_assert_contains "$(layout 0001)" "a:0103:3:2m" "the manual seat survives another order"
invariants "with a manual seat"

# --- staff ----------------------------------------------------------------------------------
H1=$(uuid staff:H1) O1=$(uuid staff:O1) O2=$(uuid staff:O2) T1=$(uuid staff:T1)
kt_psql "INSERT INTO staff(id, org_id, region_id, code, surname, name, doc_type, doc_number, roles, subject) VALUES
	('$H1', ${ORG[mun1]}, ${ORG[reg]}, '000001', 'Head', 'One', 9, 'S1', '{head}', ''),
	('$O1', ${ORG[mun1]}, ${ORG[reg]}, '000002', 'Org', 'One', 9, 'S2', '{organizer_in}', 'Физика'),
	('$O2', ${ORG[mun1]}, ${ORG[reg]}, '000003', 'Org', 'Two', 9, 'S3', '{organizer_in}', ''),
	('$T1', ${ORG[mun1]}, ${ORG[reg]}, '000004', 'Teacher', 'Math', 9, 'S4', '{organizer_in}', 'математика');
	INSERT INTO staff_point(id, org_id, staff_id, point_id)
	SELECT gen_random_uuid(), ${ORG[mun1]}, s, '$P1' FROM unnest(ARRAY['$H1', '$O1', '$O2', '$T1']::uuid[]) s" >/dev/null
st() { echo "{\"exam_id\": \"$E\", \"point_id\": \"$P1\", \"staff_id\": \"$1\", \"role\": \"$2\"${3:+, \"auditorium_id\": \"$3\"}}"; }
ok karta_exam_assign_staff mun1 "$(st "$H1" head)" >/dev/null
ok karta_exam_assign_staff mun1 "$(st "$O1" organizer_in "$A101")" >/dev/null
ok karta_exam_assign_staff mun1 "$(st "$O2" organizer_in "$A102")" >/dev/null
refused karta_exam_assign_staff mun1 "$(st "$T1" organizer_in "$A103")" precondition 'teacher of the subject'
refused karta_exam_assign_staff mun1 "$(st "$O2" head)" precondition 'role'
refused karta_exam_assign_staff mun1 "$(st "$O2" organizer_in)" bad 'auditorium_id'
refused karta_exam_assign_staff mun2 "$(st "$H1" head)" not_found

# --- control reports ------------------------------------------------------------------------
ctl() { # ORG REPORT COLUMNS
	kt_psql "SELECT concat_ws('|', status, grp, $3) FROM karta_control(${DEV[$1]}, '$2', '$E')"
}
kt_assert_eq "ok|mun1|18|15|3|2
ok|mun2|6|6|0|1
ok|total|24|21|3|2" "$(ctl reg k02 "registered, distributed, not_distributed, points")" "К-02 (region)"
kt_assert_eq "ok|mun1|18|15|3|2
ok|total|18|15|3|2" "$(ctl mun1 k02 "registered, distributed, not_distributed, points")" "К-02 (mun1: its participants)"
kt_assert_eq "ok|0001|14|15|14|0|1
ok|0002|7|7||0|0" "$(ctl reg k03 "distributed, capacity, coalesce(reserved::text, ''), shortage, free_seats")" "К-03"
kt_assert_eq "ok|0001|0|0|3|2|1|1|0
ok|0002|0|0|1|0|1|0|1
ok|total|0|0|4|2|2|1|1" "$(ctl reg k06 "shortage, unseated, organizers_needed, organizers, organizers_missing, heads, heads_missing")" \
	"К-06"
kt_assert_eq "3" "$(kt_psql "SELECT not_distributed FROM karta_control(${DEV[reg]}, 'k06', '$E') WHERE grp = 'total'")" \
	"К-06: undistributed"
kt_assert_eq "ok|0001/0101|5|5|100.0
ok|0001/0102|4|4|100.0
ok|0001/0103|6|5|83.3
ok|0002/0201|7|7|100.0" "$(ctl reg k09 "capacity, seated, fill_pct")" "К-09"
kt_assert_eq "ok|0001/0101|5|5|100.0
ok|0001/0102|4|4|100.0
ok|0001/0103|6|5|83.3" "$(ctl mun1 k09 "capacity, seated, fill_pct")" "К-09 (mun1: its points)"
kt_assert_eq "ok|document|$(printf '%s\n' "$(uuid p:w)" "$(uuid p:x)" | sort | paste -sd'|')" \
	"$(ctl reg duplicates "id_a, id_b")" "duplicates: Pw and Px (same document)"
kt_assert_eq "denied" "$(kt_psql "SELECT status FROM karta_control(${DEV[s11]}, 'k02', '$E')")" "a school's control report"
kt_assert_eq "bad" "$(kt_psql "SELECT status FROM karta_control(${DEV[reg]}, 'k99', '$E')")" "an unknown report"

# --- lock -----------------------------------------------------------------------------------
refused karta_exam_lock mun1 "{\"exam_id\": \"$E\"}" denied 'region'
ok karta_exam_lock reg "{\"exam_id\": \"$E\", \"reason\": \"выгружено в ППЭ\"}" >/dev/null
refused karta_exam_seat mun1 "{\"exam_id\": \"$E\", \"order\": \"even\"}" precondition 'locked.*выгружено'
refused karta_exam_distribute reg "{\"exam_id\": \"$E\"}" precondition 'locked'
refused karta_exam_seat_manual mun1 "{\"exam_id\": \"$E\", \"participant_id\": \"$(uuid p:a)\", \"clear\": true}" precondition 'locked'
refused karta_exam_assign_staff mun1 "$(st "$O2" organizer_in "$A103")" precondition 'locked'
refused karta_exam_point_assign mun1 "{\"exam_id\": \"$E\", \"point_id\": \"$P1\", \"delete\": true}" precondition 'locked'
refused karta_exam_unlock mun1 "{\"exam_id\": \"$E\"}" denied
kt_assert_eq "ok|0001|14|15|14|0|1
ok|0002|7|7||0|0" "$(ctl reg k03 "distributed, capacity, coalesce(reserved::text, ''), shortage, free_seats")" "reports while locked"
ok karta_exam_unlock reg "{\"exam_id\": \"$E\"}" >/dev/null
ok karta_exam_assign_staff mun1 "$(st "$O2" organizer_in "$A103")" >/dev/null

# --- op kinds, audit, feeds -----------------------------------------------------------------
kt_assert_eq "ok" "$(kt_psql "SELECT status FROM karta_op_apply(${DEV[reg]}, 'exam_seat',
	'{\"exam_id\": \"$E\", \"order\": \"even\"}')")" "seating through karta_op_apply"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM karta_pull(${DEV[s11]}, '[]', 100000000)
	WHERE kind = 'change' AND entity_type IN ('distribution', 'seating', 'staff_assignment')")" \
	"a school pulls no distribution, seating or staff rows"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM karta_pull(${DEV[mun2]}, '[]', 100000000)
	WHERE kind = 'change' AND feed = 'mun1'")" "mun2 pulls nothing of mun1"
kt_assert_contains "$(kt_psql "SELECT DISTINCT entity_type FROM karta_pull(${DEV[s11]}, '[]', 100000000)
	WHERE kind = 'change' ORDER BY 1")" "exam_auditorium" "a school sees where its participants sit"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM feed f LEFT JOIN (SELECT feed_id, count(*) n, max(seq) mx
	FROM change_log GROUP BY feed_id) c ON c.feed_id = f.org_id
	WHERE coalesce(c.n, 0) <> f.last_seq OR coalesce(c.mx, 0) <> f.last_seq")" "feeds gap-free"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM seating s WHERE NOT EXISTS (SELECT 1 FROM change_log c
	WHERE c.entity_id = s.id AND c.row_version = s.row_version AND c.origin_device = s.updated_by)")" \
	"every seating version is in the feed with its device"
kt_assert_contains "$(kt_psql "SELECT string_agg(DISTINCT step, ',' ORDER BY step) FROM planning_audit")" \
	"auditorium_assign,distribute,lock,point_assign,seat,seat_manual,settings,staff_assign,unlock" "planning audit"

# --- a point and its rooms in one op: all or nothing -------------------------------------------
refused karta_exam_plan_point mun1 "{\"exam_id\": \"$E\", \"point_id\": \"$P1\", \"rooms\": [
	{\"auditorium_id\": \"$A101\", \"role\": \"preparation\"}, {\"auditorium_id\": \"$A201\"}]}" \
	not_found 'auditorium_id' # the first room's change (its seats go) is undone with the refusal
kt_assert_match "$(ok karta_exam_plan_point mun1 "{\"exam_id\": \"$E\", \"point_id\": \"$P1\",
	\"rooms\": [{\"auditorium_id\": \"$A101\"}]}")" 'rooms: 1 assigned, 0 unassigned' "a point with its rooms"
kt_assert_eq "14" "$(kt_psql "SELECT seats FROM exam_point_assignment WHERE point_id = '$P1' AND deleted_at IS NULL")" \
	"a point planned again without seats keeps its reserved seats"

# --- previews (--dry-run) and seating lists --------------------------------------------------
before=$(snapshot)
kt_assert_eq "ok|would|assigned" "$(kt_psql "SELECT concat_ws('|', status, change, place)
	FROM karta_plan_preview(${DEV[mun1]}, 'exam_point_assign', '{\"exam_id\": \"$E\", \"point_id\": \"$P1\", \"seats\": 10}')")" \
	"preview of a simple step: its answer"
kt_assert_eq "14" "$(kt_psql "SELECT seats FROM exam_point_assignment WHERE point_id = '$P1' AND deleted_at IS NULL")" \
	"the previewed step wrote nothing"
kt_assert_match "$(kt_psql "SELECT concat_ws('|', status, change, place) FROM karta_plan_preview(${DEV[reg]},
	'exam_seat', '{\"exam_id\": \"$E\", \"order\": \"sequential\"}') LIMIT 1")" '^ok\|summary\|order sequential: seated [0-9]+' \
	"preview of seating: its summary first"
kt_assert_eq "denied" "$(kt_psql "SELECT status FROM karta_plan_preview(${DEV[s11]}, 'exam_distribute',
	'{\"exam_id\": \"$E\"}')")" "a school's preview is refused like the step"
kt_assert_eq "bad" "$(kt_psql "SELECT status FROM karta_plan_preview(${DEV[reg]}, 'status_set', '{}')")" \
	"a preview of a non-planning op"
kt_assert_eq "$before" "$(snapshot)" "previews wrote nothing"
kt_assert_eq "$(layout 0001 | wc -w)" "$(kt_psql "SELECT count(*) FROM karta_seating_list(${DEV[mun1]}, '$E', '0001')")" \
	"the seating list of 0001 has every seat taken there"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM karta_seating_list(${DEV[mun1]}, '$E', NULL)
	WHERE point <> '0001'")" "mun1's seating list: its point only"
kt_assert_eq "not_found" "$(kt_psql "SELECT status FROM karta_seating_list(${DEV[mun1]}, '$E', '0002')")" \
	"mun1 asks for the list of mun2's point"
kt_assert_eq "1" "$(kt_psql "SELECT count(*) FROM karta_seating_list(${DEV[mun2]}, '$E', NULL) l
	JOIN participant p ON p.id = l.participant JOIN organization o ON o.id = p.org_id
	JOIN organization m ON m.id = o.parent_id WHERE m.code <> 'mun2' AND l.person = ''")" \
	"mun2's point seats one participant of mun1 (cross-municipal): listed without a name"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM karta_seating_list(${DEV[mun2]}, '$E', NULL) l
	JOIN participant p ON p.id = l.participant JOIN organization o ON o.id = p.org_id
	JOIN organization m ON m.id = o.parent_id WHERE m.code <> 'mun2' AND l.person <> ''")" \
	"mun2's list names nobody of another municipality"
kt_assert_eq "denied" "$(kt_psql "SELECT status FROM karta_seating_list(${DEV[s11]}, '$E', NULL)")" \
	"a school's seating list"

kt_pass
