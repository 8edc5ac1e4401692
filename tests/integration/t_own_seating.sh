#!/usr/bin/env bash
# t_own_seating: a school sees where its own students sit — `karta exam seating` as a school
# lists exactly the seats of the participants it owns (sql/0023 karta_seating_view over
# karta_own_seats, 0017), read-only, and never another organization's personal data: no
# other school's participant, name or code comes back, though they sit in the same rooms.
# Real kartad, PostgreSQL and TLS on a small generated region; an exam planned, distributed
# and seated by its municipality through `karta exam …`.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/region_lib.sh
. "$(dirname "$0")/region_lib.sh"

region_planned t_own_seating --municipalities 2 --schools 6 --participants 160 --exam-points 4 \
	--auditoriums 12 --staff 4
E=11111111-2222-4333-8444-555555555555
kt_psql "INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date)
	SELECT '$E', id, 2, 'Математика (профильный уровень)', 1, 11, '2025-06-01' FROM organization WHERE code = 'reg';
	INSERT INTO exam_registration(id, org_id, participant_id, exam_id)
	SELECT gen_random_uuid(), p.org_id, p.id, e.id FROM participant p
	JOIN exam e ON e.id = '$E' WHERE karta_registration_ok(p.form, p.class, e.form, e.gia)" >/dev/null
X=2025-06-01:2
region_device "$MUN"
kt_ok "$MUN" sync
for p in $(kt_psql "SELECT string_agg(p.code, ' ') FROM exam_point p JOIN organization o ON o.id = p.org_id
	WHERE o.code = '$MUN'"); do
	rooms=$(kt_psql "SELECT string_agg('--room ' || a.code, ' ' ORDER BY a.code) FROM auditorium a
		JOIN exam_point p ON p.id = a.point_id WHERE p.code = '$p'")
	# shellcheck disable=SC2086
	kt_ok "$MUN" exam plan --exam "$X" --point "$p" $rooms
done
kt_ok "$MUN" exam distribute --exam "$X"
kt_ok "$MUN" exam seat --exam "$X"

# the school of MUN with the most seated participants, and a neighbour seated beside it
seated_of() { # SCHOOL: participant ids with seats, sorted
	kt_psql "SELECT s.participant_id FROM seating s JOIN participant p ON p.id = s.participant_id
		JOIN organization o ON o.id = p.org_id WHERE o.code = '$1' AND s.exam_id = '$E'
		AND s.deleted_at IS NULL ORDER BY 1"
}
SCHOOL=$(kt_psql "SELECT o.code FROM seating s JOIN participant p ON p.id = s.participant_id
	JOIN organization o ON o.id = p.org_id WHERE s.exam_id = '$E' GROUP BY o.code
	ORDER BY count(*) DESC, o.code LIMIT 1")
NEIGHBOUR=$(kt_psql "SELECT min(o.code) FROM seating s JOIN participant p ON p.id = s.participant_id
	JOIN organization o ON o.id = p.org_id WHERE s.exam_id = '$E' AND o.code <> '$SCHOOL'")
[ -n "$SCHOOL" ] && [ -n "$NEIGHBOUR" ] || kt_fail "the seating lacks two schools"
region_device "$SCHOOL"
kt_ok "$SCHOOL" sync

# the school's list: exactly its own seated participants, with their seats
kt_ok "$SCHOOL" exam seating --exam "$X" --format csv
CSV=$KT_OUT
kt_assert_eq "$(seated_of "$SCHOOL")" "$(tail -n +2 <<<"$CSV" | tr -d '\r' |
	awk -F, '{print $8}' | sort)" "the school's list: its own seated participants"
kt_assert_eq "$(kt_psql "SELECT string_agg(pt.code || ',' || a.code || ',' || s.seat_row || ',' || s.seat
	|| ',' || s.participant_id, '|' ORDER BY s.participant_id) FROM seating s
	JOIN exam_point pt ON pt.id = s.point_id JOIN auditorium a ON a.id = s.auditorium_id
	JOIN participant p ON p.id = s.participant_id JOIN organization o ON o.id = p.org_id
	WHERE o.code = '$SCHOOL' AND s.exam_id = '$E'")" \
	"$(tail -n +2 <<<"$CSV" | tr -d '\r' | awk -F, '{print $1 "," $2 "," $3 "," $4 "," $8}' |
		sort -t, -k5 | paste -sd'|')" "point, room, row and seat as in the database"
kt_assert_eq "$SCHOOL" "$(tail -n +2 <<<"$CSV" | tr -d '\r' | awk -F, '{print $5}' | sort -u)" \
	"every row is the school's own"
# nothing personal of anybody else: no other participant's id or surname
others=$(kt_psql "SELECT s.participant_id || '|' || p.surname || ' ' || p.name FROM seating s
	JOIN participant p ON p.id = s.participant_id JOIN organization o ON o.id = p.org_id
	WHERE s.exam_id = '$E' AND o.code <> '$SCHOOL'")
[ -n "$others" ] || kt_fail "nobody else is seated: the test would prove nothing"
kt_ok "$SCHOOL" exam seating --exam "$X"
TEXT=$KT_OUT
while IFS='|' read -r id name; do
	kt_assert_not_contains "$CSV$TEXT" "$id" "the school's list (another school's participant)"
	grep -qF "$name" <<<"$(kt_psql "SELECT string_agg(p.surname || ' ' || p.name, '|') FROM participant p
		JOIN organization o ON o.id = p.org_id WHERE o.code = '$SCHOOL'")" && continue # a namesake
	kt_assert_not_contains "$TEXT" "$name" "the school's list (another school's name)"
done <<<"$others"
kt_assert_not_contains "$CSV$TEXT" "$NEIGHBOUR" "the school's list (another school's code)"
kt_assert_contains "$TEXT" "exam point" "the text list's blocks"
# one point only
P1=$(tail -n +2 <<<"$CSV" | tr -d '\r' | awk -F, '{print $1}' | sort -u | head -n 1)
kt_ok "$SCHOOL" exam seating --exam "$X" --point "$P1" --format csv
kt_assert_eq "$P1" "$(tail -n +2 <<<"$KT_OUT" | tr -d '\r' | awk -F, '{print $1}' | sort -u)" "--point"

# read-only: a school cannot seat, distribute or plan; nothing changed
before=$(kt_psql "SELECT md5(string_agg(s::text, '' ORDER BY s.id)) FROM seating s")
kt_refused "$SCHOOL" "school does not plan exams|denied" exam seat --exam "$X"
kt_refused "$SCHOOL" "school does not plan exams|denied" exam distribute --exam "$X"
kt_assert_eq "$before" "$(kt_psql "SELECT md5(string_agg(s::text, '' ORDER BY s.id)) FROM seating s")" \
	"the seating after the school's refused writes"
# a school of the other municipality with nobody seated
OSCHOOL=$(kt_psql "SELECT min(s.code) FROM organization s JOIN organization m ON m.id = s.parent_id
	WHERE m.code = '$OTHER'")
region_device "$OSCHOOL"
kt_ok "$OSCHOOL" exam seating --exam "$X"
kt_assert_contains "$KT_OUT" "nobody seated" "a school without seats"
# the planners' list is unchanged: the municipality still sees its whole points
kt_ok "$MUN" exam seating --exam "$X" --format csv
kt_assert_contains "$KT_OUT" "$NEIGHBOUR" "the municipality's list names all its schools"

kt_stop_kartad
kt_pass
