#!/usr/bin/env bash
# t_print_forms: `karta print …` (docs/print-forms.md) on a generated region (kt_gen_region,
# fixed seed), real kartad, TLS and PostgreSQL: an exam planned, distributed and seated
# through `karta exam …`, staff assigned, a roadmap imported and approved. Every form is
# read back with pdftotext (poppler-utils) and checked against the database: names, seats
# and counts; a table over several pages repeats its header and every page says
# «стр. N из M»; fonts are embedded. Refused: a municipality printing another
# municipality's point (ППЭ-05-01, ППЭ-06, ППЭ-07) or school (notice), a school printing a
# point's forms, an unwritable output — and a refusal leaves no file and an existing file
# untouched. With KT_FORMS_KEEP=DIR the PDFs are copied there (deploy/forms-png.sh).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/region_lib.sh
. "$(dirname "$0")/region_lib.sh"

for t in pdftotext pdfinfo pdffonts; do
	command -v "$t" >/dev/null || kt_fail "$t is missing (poppler-utils: deploy/install-deps.sh)"
done
region_planned t_print_forms --municipalities 2 --schools 8 --participants 700 --exam-points 4 \
	--auditoriums 16 --staff 80
SCHOOL=$(kt_psql "SELECT s.code FROM organization s JOIN organization m ON m.id = s.parent_id
	WHERE m.code = '$MUN' AND EXISTS (SELECT 1 FROM participant p WHERE p.org_id = s.id AND p.class LIKE '11%')
	ORDER BY s.code LIMIT 1")
OSCHOOL=$(kt_psql "SELECT min(s.code) FROM organization s JOIN organization m ON m.id = s.parent_id
	WHERE m.code = '$OTHER'")
OP=$(kt_psql "SELECT min(p.code) FROM exam_point p JOIN organization o ON o.id = p.org_id WHERE o.code = '$OTHER'")
[ -n "$SCHOOL" ] && [ -n "$OP" ] || kt_fail "the generated region lacks a school with grade 11 or a point"
for o in "$MUN" "$OTHER" "$SCHOOL"; do region_device "$o"; done
region_staff_of "$MUN" "$G"
MUN_POINTS=$(kt_psql "SELECT string_agg(p.code, ' ') FROM exam_point p JOIN organization o ON o.id = p.org_id
	WHERE o.code = '$MUN'")

# two exams: ЕГЭ mathematics (planned and seated) and Russian (registered, not yet seated)
E=11111111-2222-4333-8444-555555555555
E2=11111111-2222-4333-8444-666666666666
kt_psql "INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date)
	SELECT '$E', id, 2, 'Математика (профильный уровень)', 1, 11, '2025-06-01' FROM organization WHERE code = 'reg';
	INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date)
	SELECT '$E2', id, 1, 'Русский язык', 1, 11, '2025-05-28' FROM organization WHERE code = 'reg';
	INSERT INTO exam_registration(id, org_id, participant_id, exam_id)
	SELECT gen_random_uuid(), p.org_id, p.id, e.id FROM participant p
	JOIN exam e ON e.id IN ('$E', '$E2') WHERE karta_registration_ok(p.form, p.class, e.form, e.gia)" >/dev/null
X=2025-06-01:2
for o in reg "$MUN"; do kt_ok "$o" sync; done
rooms_of() {
	kt_psql "SELECT string_agg('--room ' || a.code, ' ' ORDER BY a.code) FROM auditorium a
		JOIN exam_point p ON p.id = a.point_id WHERE p.code = '$1'"
}
for p in $MUN_POINTS; do
	# shellcheck disable=SC2046
	kt_ok "$MUN" exam plan --exam "$X" --point "$p" $(rooms_of "$p")
done
# shellcheck disable=SC2046
kt_ok reg exam plan --exam "$X" --point "$OP" $(rooms_of "$OP")
kt_ok "$MUN" exam distribute --exam "$X"
kt_ok reg exam distribute --exam "$X" --cross-municipal
# one participant of the other municipality sits at 0001: MUN's forms must not name them
STRANGER=$(kt_psql "SELECT p.id FROM participant p JOIN organization s ON s.id = p.org_id
	JOIN exam_registration r ON r.participant_id = p.id AND r.exam_id = '$E'
	WHERE s.code = '$OSCHOOL' AND NOT p.ovz ORDER BY p.id LIMIT 1")
[ -n "$STRANGER" ] && kt_ok reg exam distribute --exam "$X" --participant "$STRANGER" --point 0001
kt_ok reg exam seat --exam "$X"

# staff at 0001: a head, two organizers in its first room, one outside, a technician
staff_with() { # ROLE [EXCEPT…]: a staff member of 0001 with that role, not yet taken
	local role=$1
	shift
	local not="''"
	for s in "$@"; do not="$not,'$s'"; done
	kt_psql "SELECT s.code FROM staff s JOIN staff_point sp ON sp.staff_id = s.id
		JOIN exam_point p ON p.id = sp.point_id WHERE p.code = '0001' AND '$role' = ANY (s.roles)
		AND s.subject NOT ILIKE 'матем%' AND s.code NOT IN ($not) ORDER BY s.code LIMIT 1"
}
R1=$(kt_psql "SELECT min(a.code) FROM seating s JOIN auditorium a ON a.id = s.auditorium_id
	JOIN exam_point p ON p.id = s.point_id WHERE p.code = '0001' AND s.exam_id = '$E'")
S_HEAD=$(staff_with head)
S_ORG1=$(staff_with organizer_in "$S_HEAD")
S_ORG2=$(staff_with organizer_in "$S_HEAD" "$S_ORG1")
S_OUT=$(staff_with organizer_out "$S_HEAD" "$S_ORG1" "$S_ORG2")
S_TECH=$(staff_with technician "$S_HEAD" "$S_ORG1" "$S_ORG2" "$S_OUT")
[ -n "$S_HEAD" ] && [ -n "$S_ORG2" ] && [ -n "$S_OUT" ] && [ -n "$S_TECH" ] ||
	kt_fail "the generated staff of 0001 lack a role"
kt_ok "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$S_HEAD" --role head
kt_ok "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$S_ORG1" --role organizer_in --room "$R1"
kt_ok "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$S_ORG2" --role organizer_in --room "$R1"
kt_ok "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$S_OUT" --role organizer_out
kt_ok "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$S_TECH" --role technician

OUT=$KT_WORK/forms
mkdir -p "$OUT"
txt() { pdftotext -layout "$1" - 2>/dev/null; }
pages() { pdfinfo "$1" | sed -n 's/^Pages: *//p'; }
page_txt() { pdftotext -layout -f "$2" -l "$2" "$1" - 2>/dev/null; }
# every page of $1 says «стр. i из N» and, when $2 is given, holds the table header $2
check_pages() {
	local f=$1 head=${2:-} n i
	n=$(pages "$f")
	for ((i = 1; i <= n; i++)); do
		kt_assert_contains "$(page_txt "$f" "$i")" "стр. $i из $n" "$(basename "$f"): page $i numbered"
		[ -z "$head" ] || kt_assert_contains "$(page_txt "$f" "$i")" "$head" \
			"$(basename "$f"): page $i repeats the table header"
	done
}
fonts_embedded() {
	local f=$1 fonts
	fonts=$(pdffonts "$f" | tail -n +3)
	kt_assert_match "$fonts" "PTSans" "$(basename "$f"): set in PT Sans"
	kt_assert_eq "" "$(awk '$(NF-4) != "yes"' <<<"$fonts")" "$(basename "$f"): every font embedded"
}
# "Фамилия Имя Отчество|room|row|seat|class|school code" of the seats at point $1, where
# the participant is of MUN's schools (the names MUN may read)
seats_sql() {
	kt_psql "SELECT concat_ws(' ', x.surname, x.name, nullif(x.patronymic, '')) || '|' || a.code || '|'
		|| s.seat_row || '|' || s.seat || '|' || x.class || '|' || o.code
		FROM seating s JOIN exam_point p ON p.id = s.point_id JOIN auditorium a ON a.id = s.auditorium_id
		JOIN participant x ON x.id = s.participant_id JOIN organization o ON o.id = x.org_id
		JOIN organization m ON m.id = o.parent_id
		WHERE s.exam_id = '$E' AND s.deleted_at IS NULL AND p.code = '$1' AND m.code = '$MUN'
		ORDER BY a.code, s.seat_row, s.seat"
}

# --- ППЭ-05-01 ------------------------------------------------------------------------------
kt_ok "$MUN" print ppe-05-01 --exam "$X" --point 0001 -o "$OUT/ppe-05-01.pdf"
kt_assert_match "$KT_OUT" "ППЭ-05-01: [0-9]+ стр\\. → " "print says what it wrote"
T=$(txt "$OUT/ppe-05-01.pdf")
ROOMS=$(kt_psql "SELECT count(DISTINCT s.auditorium_id) FROM seating s JOIN exam_point p ON p.id = s.point_id
	WHERE p.code = '0001' AND s.exam_id = '$E' AND s.deleted_at IS NULL")
kt_assert_eq "$ROOMS" "$(grep -c 'Список участников ГИА в аудитории ППЭ' <<<"$T")" "one list per seated auditorium"
kt_assert_eq "$ROOMS" "$(pages "$OUT/ppe-05-01.pdf")" "one auditorium per page (none longer than a page)"
while IFS='|' read -r room n; do
	P=$(grep -n "Аудитория: $room" <<<"$T" | head -n 1)
	[ -n "$P" ] || kt_fail "ППЭ-05-01: no list for auditorium $room"
	kt_assert_contains "$(page_txt "$OUT/ppe-05-01.pdf" "$(grep -n '' <<<"$(kt_psql "SELECT a.code FROM seating s
		JOIN exam_point p ON p.id = s.point_id JOIN auditorium a ON a.id = s.auditorium_id
		WHERE p.code = '0001' AND s.exam_id = '$E' AND s.deleted_at IS NULL GROUP BY a.code ORDER BY a.code")" |
		sed -n "s/^\\([0-9]*\\):$room\$/\\1/p")")" "Всего в аудитории: $n" "auditorium $room: its count"
done < <(kt_psql "SELECT a.code || '|' || count(*) FROM seating s JOIN exam_point p ON p.id = s.point_id
	JOIN auditorium a ON a.id = s.auditorium_id WHERE p.code = '0001' AND s.exam_id = '$E'
	AND s.deleted_at IS NULL GROUP BY a.code ORDER BY a.code")
# "Фамилия Имя …" on the first line of its row, with school, class, row and seat (a long
# patronymic may wrap under it: pdftotext -layout keeps each line of the row)
row_of() {
	awk -v full="$1" 'BEGIN { n = split(full, w, " "); sn = w[1] " " w[2] " " }
		index($0, full) { print; exit }
		prev != "" && n > 2 && index($0, w[3]) { print prev; exit }
		{ prev = index($0, sn) && !index($0, full) ? $0 : "" }' <<<"$2"
}
NAMED=0
while IFS='|' read -r name room row seat cls school; do
	L=$(row_of "$name" "$T")
	[ -n "$L" ] || kt_fail "ППЭ-05-01: $name (auditorium $room) is missing"
	kt_assert_match "$L" "$cls +$row +$seat *\$" "ППЭ-05-01: $name: class $cls, row $row, seat $seat"
	NAMED=$((NAMED + 1))
done < <(seats_sql 0001)
kt_assert_eq "$(kt_psql "SELECT count(*) FROM seating s JOIN exam_point p ON p.id = s.point_id
	JOIN participant x ON x.id = s.participant_id JOIN organization o ON o.id = x.org_id
	JOIN organization m ON m.id = o.parent_id WHERE p.code = '0001' AND s.exam_id = '$E'
	AND s.deleted_at IS NULL AND m.code = '$MUN'")" "$NAMED" "every participant of MUN at 0001 named"
if [ -n "$STRANGER" ]; then
	SN=$(kt_psql "SELECT surname || ' ' || name FROM participant WHERE id = '$STRANGER'")
	kt_assert_not_contains "$T" "$SN" "the other municipality's participant is not named"
	kt_assert_contains "$T" "участник другого муниципалитета" "… but their seat is listed"
fi
check_pages "$OUT/ppe-05-01.pdf" "Фамилия, имя, отчество"
fonts_embedded "$OUT/ppe-05-01.pdf"
if [ -n "$STRANGER" ]; then # the region reads everyone: its list of the same point names them
	kt_ok reg print ppe-05-01 --exam "$X" --point 0001 -o "$OUT/ppe-05-01-region.pdf"
	kt_assert_contains "$(txt "$OUT/ppe-05-01-region.pdf")" "$SN" "the region's list names every participant"
	kt_assert_not_contains "$(txt "$OUT/ppe-05-01-region.pdf")" "участник другого муниципалитета" \
		"… and hides nobody"
fi
kt_ok "$MUN" print ppe-05-01 --exam "$X" --point 0001 --room "$R1" -o "$OUT/ppe-05-01-room.pdf"
kt_assert_eq 1 "$(pages "$OUT/ppe-05-01-room.pdf")" "--room: that auditorium's page"

# --- ППЭ-06-02 (alphabetical, several pages) and ППЭ-06-01 (by school) ----------------------
BIG=$(kt_psql "SELECT p.code FROM seating s JOIN exam_point p ON p.id = s.point_id JOIN organization o
	ON o.id = p.org_id WHERE s.exam_id = '$E' AND o.code = '$MUN' GROUP BY p.code ORDER BY count(*) DESC, p.code LIMIT 1")
kt_ok "$MUN" print ppe-06-02 --exam "$X" --point "$BIG" --output "$OUT/ppe-06-02.pdf"
T=$(txt "$OUT/ppe-06-02.pdf")
NP=$(pages "$OUT/ppe-06-02.pdf")
[ "$NP" -ge 2 ] || kt_fail "ППЭ-06-02 of $BIG should run over a page (got $NP)"
check_pages "$OUT/ppe-06-02.pdf" "Фамилия, имя, отчество"
NB=$(kt_psql "SELECT count(*) FROM seating s JOIN exam_point p ON p.id = s.point_id WHERE p.code = '$BIG'
	AND s.exam_id = '$E' AND s.deleted_at IS NULL")
kt_assert_contains "$T" "Всего участников в ППЭ: $NB" "ППЭ-06-02: the point's count"
while IFS='|' read -r name room row seat cls school; do
	kt_assert_match "$(row_of "$name" "$T")" "$cls +$room +$row +$seat *\$" \
		"ППЭ-06-02: $name in $room, row $row, seat $seat"
done < <(seats_sql "$BIG")
# alphabetical: the names in the order of the file are sorted (ё as е)
ORDER=$(grep -E '^ *[0-9]+ ' <<<"$T" | sed -E 's/^ *[0-9]+ +//; s/  .*//' | sed 's/ё/е/g; s/Ё/Е/g')
kt_assert_eq "$(LC_ALL=C.UTF-8 sort <<<"$ORDER" | tr -d '\n' | md5sum)" "$(tr -d '\n' <<<"$ORDER" | md5sum)" \
	"ППЭ-06-02 is in alphabetical order"
kt_ok "$MUN" print ppe-06-01 --exam "$X" --point "$BIG" -o "$OUT/ppe-06-01.pdf"
T=$(txt "$OUT/ppe-06-01.pdf")
check_pages "$OUT/ppe-06-01.pdf" "Фамилия, имя, отчество"
while IFS='|' read -r code n; do
	kt_assert_match "$T" "\\(код $code\\) — участников: $n" "ППЭ-06-01: school $code with its count"
done < <(kt_psql "SELECT o.code || '|' || count(*) FROM seating s JOIN exam_point p ON p.id = s.point_id
	JOIN participant x ON x.id = s.participant_id JOIN organization o ON o.id = x.org_id
	WHERE p.code = '$BIG' AND s.exam_id = '$E' AND s.deleted_at IS NULL GROUP BY o.code")

# --- ППЭ-07 -------------------------------------------------------------------------------------
kt_ok "$MUN" print ppe-07 --exam "$X" --point 0001 -o "$OUT/ppe-07.pdf"
T=$(txt "$OUT/ppe-07.pdf")
for s in "$S_HEAD" "$S_ORG1" "$S_ORG2" "$S_OUT" "$S_TECH"; do
	name=$(kt_psql "SELECT concat_ws(' ', surname, name, nullif(patronymic, '')) FROM staff WHERE code = '$s'")
	[ -n "$(row_of "$name" "$T")" ] || kt_fail "ППЭ-07 does not name staff $s ($name)"
done
for g in "Руководитель ППЭ: 1" "Организаторы в аудитории: 2" "Организаторы вне аудитории: 1" \
	"Технические специалисты: 1" "Всего работников ППЭ: 5"; do
	kt_assert_contains "$T" "$g" "ППЭ-07: $g"
done
kt_assert_eq 1 "$(grep -c "$R1 (отв\\.)" <<<"$T")" "ППЭ-07: one responsible organizer in $R1"
FIRST=$(kt_psql "SELECT concat_ws(' ', s.surname, s.name) FROM staff_assignment a JOIN staff s ON s.id = a.staff_id
	WHERE a.exam_id = '$E' AND a.role = 'organizer_in' ORDER BY a.created_at, s.code LIMIT 1")
kt_assert_match "$(grep "(отв\\.)" <<<"$T")" "$FIRST" "ППЭ-07: the first assigned organizer is the responsible one"
kt_assert_contains "$T" "назначенный первым" "ППЭ-07 says the responsible one was taken as the first assigned"
fonts_embedded "$OUT/ppe-07.pdf"
# the responsible flag (sql/0018): the second organizer flagged is the one marked; a second
# responsible organizer in the room, the flag on an organizer outside and the flag with
# --remove are refused, and a refusal writes nothing
assign_state() {
	kt_psql "SELECT string_agg(s.code || ':' || a.role || ':' || a.responsible || ':' || a.row_version, ' '
		ORDER BY s.code) FROM staff_assignment a JOIN staff s ON s.id = a.staff_id
		WHERE a.exam_id = '$E' AND a.deleted_at IS NULL"
}
kt_ok "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$S_ORG2" --role organizer_in --room "$R1" \
	--responsible
BEFORE=$(assign_state)
kt_assert_match "$BEFORE" "$S_ORG2:organizer_in:true:" "the responsible flag is stored"
kt_assert_eq 1 "$(grep -o ':true:' <<<"$BEFORE" | wc -l)" "one responsible assignment"
kt_refused "$MUN" "already has a responsible organizer.*$S_ORG2" exam assign-staff --exam "$X" --point 0001 \
	--staff "$S_ORG1" --role organizer_in --room "$R1" --responsible
kt_refused "$MUN" "only an organizer in an auditorium" exam assign-staff --exam "$X" --point 0001 \
	--staff "$S_OUT" --role organizer_out --responsible
kt_run kt_karta "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$S_ORG2" --responsible --remove
kt_assert_rc 2 "--responsible with --remove is a usage error"
kt_assert_match "$KT_ERR" "not with --remove" "--responsible with --remove says why"
kt_assert_eq "$BEFORE" "$(assign_state)" "refused responsible assignments wrote nothing"
kt_ok "$MUN" sync
kt_ok "$MUN" print ppe-07 --exam "$X" --point 0001 -o "$OUT/ppe-07-responsible.pdf"
T=$(txt "$OUT/ppe-07-responsible.pdf")
kt_assert_eq 1 "$(grep -c "$R1 (отв\\.)" <<<"$T")" "ППЭ-07: one responsible organizer in $R1 (flagged)"
RESP=$(kt_psql "SELECT concat_ws(' ', surname, name) FROM staff WHERE code = '$S_ORG2'")
kt_assert_match "$(grep "(отв\\.)" <<<"$T")" "$RESP" "ППЭ-07: the flagged organizer is the responsible one"
kt_assert_not_contains "$T" "назначенный первым" "ППЭ-07: no fallback note when every room has its flag"
# handing the room over: re-assigned without the flag, the first is no longer responsible
kt_ok "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$S_ORG2" --role organizer_in --room "$R1"
kt_ok "$MUN" exam assign-staff --exam "$X" --point 0001 --staff "$S_ORG1" --role organizer_in --room "$R1" \
	--responsible
kt_assert_eq "$S_ORG1" "$(kt_psql "SELECT string_agg(s.code, ' ') FROM staff_assignment a JOIN staff s ON s.id = a.staff_id
	WHERE a.exam_id = '$E' AND a.responsible AND a.deleted_at IS NULL")" "the room handed over to $S_ORG1"

# --- notifications -------------------------------------------------------------------------------
kt_ok "$MUN" sync
NN=$(kt_psql "SELECT count(DISTINCT r.participant_id) FROM exam_registration r JOIN organization o ON o.id = r.org_id
	WHERE o.code = '$SCHOOL' AND r.deleted_at IS NULL")
kt_ok "$MUN" print notice --school "$SCHOOL" -o "$OUT/notice.pdf"
T=$(txt "$OUT/notice.pdf")
kt_assert_eq "$NN" "$(grep -c 'УВЕДОМЛЕНИЕ' <<<"$T")" "a notice per registered participant of $SCHOOL"
kt_assert_eq "$NN" "$(pages "$OUT/notice.pdf")" "one notice per page"
while IFS='|' read -r name pt room row seat; do
	B=$(awk -v n="$name" 'index($0, "УВЕДОМЛЕНИЕ") {b = ""} {b = b $0 "\n"} index($0, n) {f = 1}
		f && index($0, "Родитель") {print b; exit}' <<<"$T")
	[ -n "$B" ] || kt_fail "notice of $name is missing"
	kt_assert_match "$B" "01\\.06\\.2025 +Математика" "$name: the mathematics exam"
	kt_assert_match "$(grep '01\.06\.2025' <<<"$B")" " $pt .* $room +ряд $row, место $seat" \
		"$name: point $pt, auditorium $room, row $row, seat $seat"
	kt_assert_match "$(grep '28\.05\.2025' <<<"$B")" "будет сообщено" "$name: Russian not yet seated"
done < <(kt_psql "SELECT concat_ws(' ', x.surname, x.name, nullif(x.patronymic, '')) || '|' || p.code || '|'
	|| a.code || '|' || s.seat_row || '|' || s.seat FROM seating s JOIN participant x ON x.id = s.participant_id
	JOIN organization o ON o.id = x.org_id JOIN exam_point p ON p.id = s.point_id
	JOIN auditorium a ON a.id = s.auditorium_id JOIN organization m ON m.id = p.org_id
	WHERE o.code = '$SCHOOL' AND s.exam_id = '$E' AND m.code = '$MUN' ORDER BY x.id LIMIT 5")
kt_ok "$MUN" print notice --school "$SCHOOL" --per-page 2 -o "$OUT/notice-2.pdf"
kt_assert_eq $(((NN + 1) / 2)) "$(pages "$OUT/notice-2.pdf")" "two notices per sheet"
CLS=$(kt_psql "SELECT min(x.class) FROM participant x JOIN organization o ON o.id = x.org_id
	JOIN exam_registration r ON r.participant_id = x.id WHERE o.code = '$SCHOOL' AND x.class <> ''")
NC=$(kt_psql "SELECT count(DISTINCT x.id) FROM participant x JOIN organization o ON o.id = x.org_id
	JOIN exam_registration r ON r.participant_id = x.id WHERE o.code = '$SCHOOL' AND x.class = '$CLS'")
kt_ok "$SCHOOL" sync
kt_ok "$SCHOOL" print notice --class "$CLS" -o "$OUT/notice-school.pdf"
T=$(txt "$OUT/notice-school.pdf")
kt_assert_eq "$NC" "$(grep -c 'УВЕДОМЛЕНИЕ' <<<"$T")" "the school prints its class $CLS"
# a school's replica holds no seating: the server says where its own people sit (own_seats)
while IFS='|' read -r name pt room row seat; do
	B=$(awk -v n="$name" 'index($0, "УВЕДОМЛЕНИЕ") {b = ""} {b = b $0 "\n"} index($0, n) {f = 1}
		f && index($0, "Родитель") {print b; exit}' <<<"$T")
	[ -n "$B" ] || kt_fail "the school's notice of $name is missing"
	kt_assert_match "$(grep '01\.06\.2025' <<<"$B")" " $pt .* $room +ряд $row, место $seat" \
		"the school's notice of $name: point $pt, auditorium $room, row $row, seat $seat"
done < <(kt_psql "SELECT concat_ws(' ', x.surname, x.name, nullif(x.patronymic, '')) || '|' || p.code || '|'
	|| a.code || '|' || s.seat_row || '|' || s.seat FROM seating s JOIN participant x ON x.id = s.participant_id
	JOIN organization o ON o.id = x.org_id JOIN exam_point p ON p.id = s.point_id
	JOIN auditorium a ON a.id = s.auditorium_id
	WHERE o.code = '$SCHOOL' AND s.exam_id = '$E' AND x.class = '$CLS' AND s.deleted_at IS NULL
	ORDER BY x.id LIMIT 5")
kt_assert_eq "$(kt_psql "SELECT count(*) FROM seating s JOIN participant x ON x.id = s.participant_id
	JOIN organization o ON o.id = x.org_id WHERE o.code = '$SCHOOL' AND x.class = '$CLS'
	AND s.deleted_at IS NULL")" "$(grep -c 'ряд [0-9]*, место' <<<"$T")" \
	"the school's notices carry exactly its class's seats"
# nobody else's seat reaches a school: own_seats names only the device's own participants
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM karta_own_seats((SELECT d.id FROM device d
	JOIN organization o ON o.id = d.org_id WHERE o.code = '$SCHOOL' LIMIT 1), NULL) s
	JOIN participant x ON x.id = s.participant JOIN organization o ON o.id = x.org_id
	WHERE o.code <> '$SCHOOL'")" "own_seats: no seat of another school's participant"
# offline, the school's notices still print, the seats to be told later
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/$SCHOOL.conf" >"$KT_WORK/$SCHOOL-off.conf"
kt_ok "$SCHOOL-off" print notice --class "$CLS" -o "$OUT/notice-school-off.pdf"
kt_assert_contains "$KT_ERR" "cannot be reached now" "offline: the school is told why seats are missing"
T=$(txt "$OUT/notice-school-off.pdf")
kt_assert_eq "$NC" "$(grep -c 'УВЕДОМЛЕНИЕ' <<<"$T")" "offline: the school still prints its class"
kt_assert_not_contains "$T" "ряд " "offline: no seat printed"

# --- roadmap and roll-up ------------------------------------------------------------------------
kt_ok reg plan import "$KT_SEEDS/001_ab757c1570964dd4.txt"
PLAN=$(kt_psql "SELECT id FROM plan ORDER BY created_at DESC LIMIT 1")
kt_ok reg plan approve "$PLAN" --number 01-08/530 --date 2023-10-12
kt_ok reg print plan "$PLAN" -o "$OUT/plan.pdf"
T=$(txt "$OUT/plan.pdf")
kt_assert_match "$(pdfinfo "$OUT/plan.pdf")" "Page size: +841\\.89 x 595\\.2[0-9]* pts \\(A4\\)" "the plan is A4 landscape"
kt_assert_contains "$T" "УТВЕРЖДЁН" "the approval block"
kt_assert_contains "$T" "от 12.10.2023 № 01-08/530" "the approving act"
check_pages "$OUT/plan.pdf" "Наименование мероприятия"
NI=$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$PLAN' AND deleted_at IS NULL")
while IFS= read -r title; do
	kt_assert_contains "$(tr -s ' \n' ' ' <<<"$T")" "$title" "the plan holds item «$title»"
done < <(kt_psql "SELECT left(title, 24) FROM plan_item WHERE plan_id = '$PLAN' AND deleted_at IS NULL
	AND length(title) > 30 ORDER BY random() LIMIT 5")
[ "$NI" -gt 300 ] || kt_fail "the seed plan should have its 334 items (got $NI)"
# MUN derives its plan and reports three items done: the roll-up counts them
kt_ok "$MUN" sync
kt_ok "$MUN" plan derive "$PLAN"
MPLAN=$(kt_psql "SELECT p.id FROM plan p JOIN organization o ON o.id = p.owner_org_id WHERE o.code = '$MUN'")
for it in $(kt_psql "SELECT id FROM plan_item WHERE plan_id = '$MPLAN' AND NOT reference_only
	AND deleted_at IS NULL ORDER BY ordinal LIMIT 3"); do
	kt_ok "$MUN" status set "$it" done
done
kt_ok "$MUN" sync
kt_ok reg print rollup --as-of 2030-05-01 -o "$OUT/rollup.pdf"
T=$(txt "$OUT/rollup.pdf")
MNAME=$(kt_psql "SELECT name FROM organization WHERE code = '$MUN'")
MITEMS=$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$MPLAN' AND NOT reference_only AND deleted_at IS NULL")
kt_assert_match "$(grep -F "$MNAME" <<<"$T")" " $MITEMS +[0-9]+ +3 +" "the roll-up: $MNAME has $MITEMS items, 3 done"
kt_assert_contains "$T" "по состоянию на 01.05.2030" "the roll-up's date"
kt_assert_contains "$T" "ИТОГО" "the roll-up's total row"
while IFS= read -r m; do
	kt_assert_contains "$T" "$m" "the roll-up lists $m"
done < <(kt_psql "SELECT left(name, 20) FROM organization WHERE level = 'municipality'")
check_pages "$OUT/rollup.pdf" "Муниципалитет"

# --- refusals -------------------------------------------------------------------------------------
echo "keep me" >"$OUT/old.pdf"
for form in ppe-05-01 ppe-06-01 ppe-06-02 ppe-07; do
	kt_refused "$MUN" "not an exam point of $MUN" print "$form" --exam "$X" --point "$OP" -o "$OUT/old.pdf"
	kt_refused "$SCHOOL" "a school does not plan" print "$form" --exam "$X" --point 0001 -o "$OUT/x.pdf"
done
kt_refused "$MUN" "school $OSCHOOL: it is not a school of $MUN" print notice --school "$OSCHOOL" -o "$OUT/old.pdf"
kt_refused "$MUN" "nobody is seated at exam point 0001, auditorium ZZZZ" print ppe-05-01 --exam "$X" \
	--point 0001 --room ZZZZ -o "$OUT/old.pdf"
kt_refused "$MUN" "no exam 2025-07-01:2" print ppe-05-01 --exam 2025-07-01:2 --point 0001 -o "$OUT/old.pdf"
kt_refused "$MUN" "cannot write '$OUT/none/f.pdf" print ppe-05-01 --exam "$X" --point 0001 -o "$OUT/none/f.pdf"
kt_assert_eq "keep me" "$(cat "$OUT/old.pdf")" "a refused print leaves the existing file as it was"
[ ! -e "$OUT/x.pdf" ] || kt_fail "a refused print left a file"
kt_assert_eq "" "$(find "$OUT" -name '*.tmp')" "no temporary file left behind"
kt_run kt_karta "$MUN" print ppe-05-01 --exam "$X" --point 0001
kt_assert_rc 2 "no -o is a usage error"
kt_assert_contains "$KT_ERR" "missing option --output" "… that says what is missing"

if [ -n "${KT_FORMS_KEEP:-}" ]; then
	mkdir -p "$KT_FORMS_KEEP"
	cp "$OUT"/*.pdf "$KT_FORMS_KEEP"/
	rm -f "$KT_FORMS_KEEP/old.pdf"
fi
kt_pass
