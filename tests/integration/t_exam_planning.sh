#!/usr/bin/env bash
# t_exam_planning: exam planning end to end through `karta exam …` and `karta control …`
# (docs/exam-planning.md) on a generated region (tests/tools/kt_gen_region, fixed seed: 3
# municipalities, 900 participants, 9 exam points, 90 auditoriums), real kartad, TLS and
# PostgreSQL. The registries go in through `karta registry import`; the exam, its
# registrations and a few unusable seats are set up in SQL (no client command makes them).
# Asserted: a school cannot plan; a municipality plans only its own points and people;
# dry runs write nothing; after distribution and seating every registered participant is
# seated exactly once, no room over capacity, no unusable seat used, ОВЗ only in adapted
# rooms, nobody in a preparation room; a manual seat survives re-seating in two orders; the
# control reports equal figures computed here independently from the tables; the seating
# list names only people the reader may read; a locked exam refuses every step.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/region_lib.sh
. "$(dirname "$0")/region_lib.sh"

region_planned t_exam_planning --municipalities 3 --schools 30 --participants 900 --exam-points 9 \
	--auditoriums 90 --staff 300

# MUN: the municipality of point 0001; OTHER: another one with points; SCHOOL: one of MUN's
SCHOOL=$(kt_psql "SELECT min(s.code) FROM organization s JOIN organization m ON m.id = s.parent_id
	WHERE m.code = '$MUN' AND EXISTS (SELECT 1 FROM participant p WHERE p.org_id = s.id)")
[ -n "$SCHOOL" ] || kt_fail "the generated region lacks a school of $MUN with participants"
for o in "$MUN" "$OTHER" "$SCHOOL"; do region_device "$o"; done
region_staff_of "$MUN" "$G"

# the exam (ЕГЭ), every participant who may take it registered, two unusable seats in every room
E=11111111-2222-4333-8444-555555555555
region_exam "$E"
kt_psql "UPDATE auditorium SET unusable_seats = '{1,3}'" >/dev/null
N=$(kt_psql "SELECT count(*) FROM exam_registration WHERE exam_id = '$E'")
for o in reg "$MUN" "$OTHER" "$SCHOOL"; do kt_ok "$o" sync; done
X=2025-06-01:2

# every point and all its rooms to the exam: the region those of OTHER, MUN its own
points_of() {
	kt_psql "SELECT p.code FROM exam_point p JOIN organization o ON o.id = p.org_id
		WHERE ($1) ORDER BY p.code"
}
rooms_of() {
	kt_psql "SELECT string_agg('--room ' || a.code, ' ' ORDER BY a.code) FROM auditorium a
		JOIN exam_point p ON p.id = a.point_id WHERE p.code = '$1'"
}
for p in $(points_of "o.code = '$MUN'"); do
	# shellcheck disable=SC2046
	kt_ok "$MUN" exam plan --exam "$X" --point "$p" $(rooms_of "$p")
done
kt_assert_contains "$KT_OUT" "rooms:" "exam plan answers what it assigned"
for p in $(points_of "o.code <> '$MUN'"); do
	# shellcheck disable=SC2046
	kt_ok reg exam plan --exam "$X" --point "$p" $(rooms_of "$p")
done
kt_assert_eq "$(kt_psql "SELECT count(*) FROM auditorium")" \
	"$(kt_psql "SELECT count(*) FROM exam_auditorium WHERE exam_id = '$E' AND deleted_at IS NULL")" \
	"every auditorium assigned to the exam"

# --- refusals -------------------------------------------------------------------------------
snap() {
	kt_psql "SELECT md5(coalesce(string_agg(t, '|' ORDER BY t), '')) FROM (
		SELECT x::text AS t FROM exam_point_assignment x UNION ALL SELECT x::text FROM exam_auditorium x
		UNION ALL SELECT x::text FROM distribution x UNION ALL SELECT x::text FROM seating x
		UNION ALL SELECT x::text FROM staff_assignment x UNION ALL SELECT x::text FROM exam_lock x) y"
}
S0=$(snap)
kt_refused "$SCHOOL" "a school does not plan exams" exam distribute --exam "$X"
kt_refused "$SCHOOL" "a school does not plan exams" exam seat --exam "$X"
kt_refused "$SCHOOL" "denied|school" control K-02 --exam "$X"
OP=$(points_of "o.code = '$OTHER'" | head -n 1)
kt_refused "$MUN" "no exam point $OP" exam plan --exam "$X" --point "$OP"
kt_refused "$MUN" "only the region" exam lock --exam "$X"
kt_refused "$MUN" "only the region" exam settings --exam "$X" --organizers 1
kt_refused reg "no exam 2025-06-02:2" exam distribute --exam 2025-06-02:2
kt_refused reg "names no exam" exam distribute --exam tomorrow
kt_run kt_karta reg control K-99 --exam "$X"
kt_assert_rc 2 "an unknown control report is a usage error"
kt_assert_contains "$KT_ERR" "not a control report" "its message"
kt_run kt_karta reg exam seat --exam "$X" --participant "$E"
kt_assert_rc 2 "a manual seat without its place"
kt_assert_eq "$S0" "$(snap)" "nothing written by the refused commands"

# --- distribution ---------------------------------------------------------------------------
kt_ok reg exam distribute --exam "$X" --dry-run
kt_assert_match "$KT_OUT" "^dry run: distributed [0-9]+" "the dry run's summary"
kt_assert_contains "$KT_OUT" "nothing written" "the dry run says so"
kt_assert_eq "$S0" "$(snap)" "the dry run wrote nothing"
kt_ok reg exam distribute --exam "$X" --dry-run --changes
kt_assert_eq "$(sed -n 's/^dry run: .*added \([0-9]*\),.*/\1/p' <<<"$KT_OUT")" "$(grep -c '^  add ' <<<"$KT_OUT")" \
	"--changes lists every participant the summary counts as added"
kt_run kt_karta reg exam distribute --exam "$X" --changes
kt_assert_rc 2 "--changes without --dry-run is a usage error"
kt_ok "$MUN" exam distribute --exam "$X"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM distribution d JOIN exam_point p ON p.id = d.point_id
	JOIN organization o ON o.id = p.org_id WHERE o.code <> '$MUN'")" "MUN distributed only to its points"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM distribution d JOIN participant x ON x.id = d.participant_id
	JOIN organization s ON s.id = x.org_id JOIN organization m ON m.id = s.parent_id WHERE m.code <> '$MUN'")" \
	"MUN distributed only its own participants"
kt_ok reg exam distribute --exam "$X" --cross-municipal
kt_assert_eq "$N" "$(kt_psql "SELECT count(*) FROM distribution WHERE exam_id = '$E' AND deleted_at IS NULL")" \
	"every registered participant distributed (cross-municipal allowed)"

# a manual seat before the automatic seating: the first seat of 0001's first room
MP=$(kt_psql "SELECT d.participant_id FROM distribution d JOIN exam_point p ON p.id = d.point_id
	JOIN participant x ON x.id = d.participant_id WHERE p.code = '0001' AND NOT x.ovz ORDER BY x.id LIMIT 1")
MR=$(kt_psql "SELECT min(a.code) FROM auditorium a JOIN exam_point p ON p.id = a.point_id
	WHERE p.code = '0001' AND NOT a.ovz_adapted")
kt_refused "$MUN" "not a usable seat" exam seat --exam "$X" --participant "$MP" --point 0001 --room "$MR" --row 1 --seat 1
kt_ok "$MUN" exam seat --exam "$X" --participant "$MP" --point 0001 --room "$MR" --row 1 --seat 2
manual_seat() {
	kt_psql "SELECT a.code || ':' || s.seat_row || ':' || s.seat || ':' || s.manual FROM seating s
		JOIN auditorium a ON a.id = s.auditorium_id WHERE s.participant_id = '$MP' AND s.deleted_at IS NULL"
}
kt_assert_eq "$MR:1:2:true" "$(manual_seat)" "the manual seat"

# --- seating --------------------------------------------------------------------------------
invariants() { # one line per broken rule; empty when all hold
	kt_psql "
	SELECT 'registered but not seated: ' || count(*) FROM exam_registration r WHERE r.exam_id = '$E'
		AND NOT EXISTS (SELECT 1 FROM seating s WHERE s.exam_id = r.exam_id AND s.participant_id = r.participant_id
		AND s.deleted_at IS NULL) HAVING count(*) > 0
	UNION ALL SELECT 'seated twice: ' || participant_id FROM seating WHERE exam_id = '$E' AND deleted_at IS NULL
		GROUP BY participant_id HAVING count(*) > 1
	UNION ALL SELECT 'over capacity: ' || a.code FROM seating s JOIN auditorium a ON a.id = s.auditorium_id
		WHERE s.exam_id = '$E' AND s.deleted_at IS NULL
		GROUP BY a.id, a.code, a.rows, a.seats_per_row, a.unusable_seats
		HAVING count(*) > a.rows * a.seats_per_row - cardinality(a.unusable_seats)
	UNION ALL SELECT 'unusable seat: ' || a.code FROM seating s JOIN auditorium a ON a.id = s.auditorium_id
		WHERE s.exam_id = '$E' AND s.deleted_at IS NULL
		  AND ((s.seat_row - 1) * a.seats_per_row + s.seat) = ANY (a.unusable_seats)
	UNION ALL SELECT 'off the room: ' || a.code FROM seating s JOIN auditorium a ON a.id = s.auditorium_id
		WHERE s.exam_id = '$E' AND s.deleted_at IS NULL AND (s.seat_row > a.rows OR s.seat > a.seats_per_row)
	UNION ALL SELECT 'ОВЗ not adapted: ' || a.code FROM seating s JOIN auditorium a ON a.id = s.auditorium_id
		JOIN participant p ON p.id = s.participant_id WHERE s.exam_id = '$E' AND s.deleted_at IS NULL
		  AND p.ovz AND NOT a.ovz_adapted
	UNION ALL SELECT 'not at its point: ' || s.participant_id FROM seating s JOIN distribution d
		ON d.exam_id = s.exam_id AND d.participant_id = s.participant_id AND d.deleted_at IS NULL
		WHERE s.exam_id = '$E' AND s.deleted_at IS NULL AND d.point_id <> s.point_id"
}
kt_ok reg exam seat --exam "$X" --dry-run
kt_assert_match "$KT_OUT" "^dry run: order even: seated [0-9]+" "the seating dry run's summary"
kt_assert_eq "1" "$(kt_psql "SELECT count(*) FROM seating WHERE deleted_at IS NULL")" "the dry run seated nobody"
kt_ok reg exam seat --exam "$X" --order even
kt_assert_eq "" "$(invariants)" "after seating (even)"
kt_assert_eq "$MR:1:2:true" "$(manual_seat)" "the manual seat survives seating (even)"
kt_ok reg exam seat --exam "$X" --order capacity-desc
kt_assert_eq "" "$(invariants)" "after seating (capacity-desc)"
kt_assert_eq "$MR:1:2:true" "$(manual_seat)" "the manual seat survives re-seating (capacity-desc)"
kt_ok reg exam seat --exam "$X" --order capacity-desc
kt_assert_match "$KT_OUT" "added 0, removed 0" "re-seating in the same order changes nothing"

# --- staff ----------------------------------------------------------------------------------
HEAD=$(kt_psql "SELECT s.code FROM staff s JOIN staff_point sp ON sp.staff_id = s.id JOIN exam_point p
	ON p.id = sp.point_id WHERE p.code = '0001' AND 'head' = ANY (s.roles) ORDER BY s.code LIMIT 1")
ORG=$(kt_psql "SELECT s.code FROM staff s JOIN staff_point sp ON sp.staff_id = s.id JOIN exam_point p
	ON p.id = sp.point_id WHERE p.code = '0001' AND 'organizer_in' = ANY (s.roles) AND s.subject NOT ILIKE 'матем%'
	ORDER BY s.code LIMIT 1")
TEACH=$(kt_psql "SELECT s.code FROM staff s JOIN staff_point sp ON sp.staff_id = s.id JOIN exam_point p
	ON p.id = sp.point_id WHERE p.code = '0001' AND 'organizer_in' = ANY (s.roles) AND s.code <> '$ORG'
	ORDER BY s.code LIMIT 1")
[ -n "$ORG" ] && [ -n "$TEACH" ] || kt_fail "fewer than two organizers attached to 0001 in the generated region"
kt_psql "UPDATE staff SET subject = 'Математика (профильная)' WHERE code = '$TEACH'" >/dev/null
kt_ok "$MUN" sync
if [ -n "$HEAD" ]; then kt_ok "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$HEAD" --role head; fi
kt_ok "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$ORG" --role organizer_in --room "$MR"
kt_refused "$MUN" "needs|required" exam assign-staff --exam "$X" --point 0001 --staff "$ORG" --role organizer_in
kt_refused "$MUN" "teacher of the subject" exam assign-staff --exam "$X" --point 0001 --staff "$TEACH" \
	--role organizer_in --room "$MR"

# --- control reports against figures computed here -------------------------------------------
csv() { kt_ok "$1" control "$2" --exam "$X" --format csv; tail -n +2 <<<"$KT_OUT" | tr -d '\r'; }
kt_assert_eq "$(kt_psql "SELECT string_agg(concat_ws(',', m, n, d, n - d, pts), E'\n' ORDER BY m COLLATE \"C\") FROM (
	SELECT coalesce(m.code, 'total') AS m, count(*) AS n, count(d.id) AS d, count(DISTINCT d.point_id) AS pts
	FROM exam_registration r JOIN participant p ON p.id = r.participant_id JOIN organization s ON s.id = p.org_id
	JOIN organization m ON m.id = s.parent_id LEFT JOIN distribution d ON d.participant_id = r.participant_id
	AND d.exam_id = r.exam_id AND d.deleted_at IS NULL WHERE r.exam_id = '$E' GROUP BY ROLLUP (m.code)) x")" \
	"$(csv reg K-02)" "К-02 (region)"
cap_sql="SELECT sum(a.rows * a.seats_per_row - cardinality(a.unusable_seats)) FROM auditorium a
	WHERE a.point_id = p.id"
kt_assert_eq "$(kt_psql "SELECT string_agg(concat_ws(',', p.code, d.n, c.cap, '', greatest(d.n - c.cap, 0),
	greatest(c.cap - d.n, 0)), E'\n' ORDER BY p.code) FROM exam_point p JOIN organization o ON o.id = p.org_id
	CROSS JOIN LATERAL (SELECT count(*) AS n FROM distribution x WHERE x.point_id = p.id AND x.deleted_at IS NULL) d
	CROSS JOIN LATERAL ($cap_sql) c(cap) WHERE o.code = '$MUN'")" "$(csv "$MUN" K-03)" "К-03 (MUN: its points)"
kt_assert_eq "$(kt_psql "SELECT string_agg(concat_ws(',', p.code || '/' || a.code,
	a.rows * a.seats_per_row - cardinality(a.unusable_seats), n.n,
	round(100.0 * n.n / (a.rows * a.seats_per_row - cardinality(a.unusable_seats)), 1)), E'\n'
	ORDER BY p.code, a.code) FROM auditorium a JOIN exam_point p ON p.id = a.point_id
	CROSS JOIN LATERAL (SELECT count(*) AS n FROM seating s WHERE s.auditorium_id = a.id AND s.deleted_at IS NULL) n")" \
	"$(csv reg K-09)" "К-09 (region)"
K06=$(csv "$MUN" K-06 | grep '^0001,')
ROOMS1=$(kt_psql "SELECT count(*) FROM auditorium a JOIN exam_point p ON p.id = a.point_id WHERE p.code = '0001'")
HEADS=$([ -n "$HEAD" ] && echo 1 || echo 0)
kt_assert_eq "0001,0,,0,$((ROOMS1 * 2)),1,$((ROOMS1 * 2 - 1)),$HEADS,$((1 - HEADS))" "$K06" \
	"К-06 of 0001: no shortage, all seated, organizers 2 per room with one assigned, heads"
kt_ok reg control duplicates --exam "$X"
kt_ok reg control same-day --exam "$X"
kt_assert_contains "$KT_OUT" "nothing to report" "nobody registered for two exams that day"

# --- seating lists --------------------------------------------------------------------------
kt_ok "$MUN" exam seating --exam "$X" --point 0001
kt_assert_contains "$KT_OUT" "exam point 0001, auditorium $MR" "the printable list has a block per room"
kt_ok "$MUN" exam seating --exam "$X" --format csv
kt_assert_eq "$(kt_psql "SELECT count(*) FROM seating s JOIN exam_point p ON p.id = s.point_id
	JOIN organization o ON o.id = p.org_id WHERE o.code = '$MUN' AND s.deleted_at IS NULL")" \
	"$(tail -n +2 <<<"$KT_OUT" | grep -c .)" "MUN's list: every seat at its points"
FOREIGN=$(kt_psql "SELECT count(*) FROM seating s JOIN exam_point p ON p.id = s.point_id
	JOIN organization o ON o.id = p.org_id JOIN participant x ON x.id = s.participant_id
	JOIN organization sc ON sc.id = x.org_id WHERE o.code = '$MUN' AND sc.parent_id <> o.id AND s.deleted_at IS NULL")
kt_assert_eq "$FOREIGN" "$(tail -n +2 <<<"$KT_OUT" | awk -F, '$6 == ""' | grep -c . || true)" \
	"participants of other municipalities at MUN's points are listed without names"

# --- lock -----------------------------------------------------------------------------------
kt_ok reg exam lock --exam "$X" --reason "выгружено в ППЭ"
S1=$(snap)
kt_refused "$MUN" "locked.*выгружено" exam seat --exam "$X" --order sequential
kt_refused reg "locked" exam distribute --exam "$X"
kt_refused "$MUN" "locked" exam assign-staff --exam "$X" --point 0001 --staff "$ORG" --remove
kt_refused "$MUN" "locked" exam plan --exam "$X" --point 0001 --remove
kt_assert_eq "$S1" "$(snap)" "the locked exam is unchanged"
kt_ok reg exam unlock --exam "$X"
kt_ok "$MUN" exam seat --exam "$X" --order sequential --point 0001
kt_assert_eq "" "$(invariants)" "after re-seating one point (sequential)"
kt_assert_eq "$MR:1:2:true" "$(manual_seat)" "the manual seat survives that too"

# replicas: MUN holds its points' planning rows, the school none; no names in kartad's log
kt_ok "$MUN" sync
kt_ok "$SCHOOL" sync
db() { sqlite3 -batch "$KT_WORK/$1.state/replica.db" "$2"; }
kt_assert_eq "$(kt_psql "SELECT count(*) FROM seating s JOIN organization o ON o.id = s.org_id WHERE o.code = '$MUN'")" \
	"$(db "$MUN" "SELECT count(*) FROM row WHERE entity_type = 'seating'")" "MUN's replica: its seating rows"
kt_assert_eq "0" "$(db "$SCHOOL" "SELECT count(*) FROM row WHERE entity_type IN ('seating', 'distribution',
	'staff_assignment')")" "a school's replica: no seating, distribution or staff rows"
while read -r surname; do
	kt_assert_not_contains "$(cat "$KT_LOG")" "$surname" "kartad's log"
done < <(kt_psql "SELECT DISTINCT surname FROM participant ORDER BY 1 LIMIT 20")

kt_pass
