#!/usr/bin/env bash
# t_registry_sql: the registries in the database (sql/0008_registries.sql), through the SQL
# functions kartad calls, as the devices of the demo organizations:
#  - writes by the owning level: the region its exams, a municipality its exam points,
#    auditoriums, staff and attachments, a school its participants and registrations;
#  - refusals: a school writing another school's participant, a municipality writing a
#    regional exam, a duplicate exam point code in the region, a registration contradicting
#    the participant's form, a stale base, values against the validators' rules — each with a
#    message that names the field and carries no personal value;
#  - every write lands in the owner's change feed, deletes as op 'delete', dependants with them;
#  - visibility (karta_feed_visible + karta_plan_entity, as pulls and snapshots filter): a
#    school sees nothing of another school's participants, a municipality nothing of another
#    municipality's; schools see the region's exams and their municipality's exam points and
#    auditoriums, never staff; karta_pull hands out the same;
#  - duplicates: one person entered by sch11 and sch12 is listed for mun1 and reg, not for
#    mun2 or the schools; a third copy in mun2's school only for the region.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_registry_sql

dev_id() {
	kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = '$1'"
}
org_id() { kt_psql "SELECT id FROM organization WHERE code = '$1'"; }
uuid() { kt_psql "SELECT gen_random_uuid()"; }
declare -A DEV
for o in "${KT_ORGS[@]}"; do DEV[$o]=$(dev_id "$o"); done

# put ORG TYPE JSON → "status|message"
put() {
	kt_psql "SELECT status || '|' || message FROM karta_registry_put(${DEV[$1]}, '$2', \$j\$$3\$j\$)"
}
del() {
	kt_psql "SELECT status || '|' || message FROM karta_registry_delete(${DEV[$1]}, '$2', \$j\$$3\$j\$)"
}
MESSAGES=() # every refusal's message, checked for personal values at the end
# ok ORG TYPE JSON: the write must succeed
ok() {
	local r
	r=$(put "$@")
	[[ $r == ok\|* ]] || kt_fail "put $2 as $1: expected ok, got '$r'"
}
# refused ORG TYPE STATUS PATTERN JSON: the write must fail with STATUS, message matching PATTERN
refused() {
	local r
	r=$(put "$1" "$2" "$5")
	MESSAGES+=("$r")
	[[ $r == "$3|"* ]] || kt_fail "put $2 as $1: expected $3, got '$r'"
	kt_assert_match "$r" "$4" "refusal of put $2 as $1"
}
version() { kt_psql "SELECT row_version FROM $1 WHERE id = '$2'"; }

# --- the region's exams ------------------------------------------------------------------
E_OGE=$(uuid) E_EGE=$(uuid) E_GVE9=$(uuid)
ok reg exam "{\"id\": \"$E_OGE\", \"subject_code\": 1, \"subject_name\": \"Русский язык\",
	\"form\": 2, \"exam_date\": \"2026-05-26\", \"period\": \"main\"}"
ok reg exam "{\"id\": \"$E_EGE\", \"subject_code\": 2, \"form\": 1, \"exam_date\": \"2026-06-01\"}"
ok reg exam "{\"id\": \"$E_GVE9\", \"subject_code\": 1, \"form\": 4, \"gia\": 9,
	\"exam_date\": \"2026-05-27\"}"
kt_assert_eq "9|11|main" "$(kt_psql "SELECT (SELECT gia FROM exam WHERE id = '$E_OGE') || '|' ||
	(SELECT gia FROM exam WHERE id = '$E_EGE') || '|' || (SELECT period FROM exam WHERE id = '$E_EGE')")" \
	"ГИА taken from the form, period by default"
refused mun1 exam denied 'no write access' "{\"id\": \"$(uuid)\", \"subject_code\": 3, \"form\": 1,
	\"exam_date\": \"2026-06-03\"}"
refused mun1 exam denied 'no write access' "{\"id\": \"$E_OGE\", \"base\": 1, \"exam_date\": \"2026-05-28\"}"
refused sch11 exam denied 'no write access' "{\"id\": \"$E_OGE\", \"base\": 1, \"exam_date\": \"2026-05-28\"}"
refused reg exam conflict 'already has this subject' "{\"id\": \"$(uuid)\", \"subject_code\": 1,
	\"form\": 2, \"exam_date\": \"2026-05-26\"}"
refused reg exam bad '^bad\|gia: ' "{\"id\": \"$(uuid)\", \"subject_code\": 5, \"form\": 1, \"gia\": 9,
	\"exam_date\": \"2026-06-05\"}"
refused reg exam bad '^bad\|form: ' "{\"id\": \"$(uuid)\", \"subject_code\": 5, \"form\": 3, \"gia\": 11,
	\"exam_date\": \"2026-06-05\"}"

# --- mun1's exam points, auditoriums, staff ---------------------------------------------
P1=$(uuid) P2=$(uuid) A1=$(uuid) S1=$(uuid) SP1=$(uuid)
ok mun1 exam_point "{\"id\": \"$P1\", \"code\": \"0101\", \"name\": \"ППЭ на базе школы № 11\",
	\"address\": \"ул. Школьная, 1\", \"host_org\": \"sch11\", \"capacity\": 120, \"forms\": 6,
	\"video\": true, \"emails\": \"ppe0101@example.ru; ppe@example.ru\"}"
kt_assert_eq "$(org_id sch11)|$(org_id reg)" \
	"$(kt_psql "SELECT host_org_id || '|' || region_id FROM exam_point WHERE id = '$P1'")" "host school and region"
refused mun2 exam_point conflict '^conflict\|code: another exam point of the region has this code$' \
	"{\"id\": \"$(uuid)\", \"code\": \"0101\", \"name\": \"ППЭ\", \"address\": \"ул. Лесная, 2\",
	\"capacity\": 50}"
refused mun1 exam_point bad '^bad\|code: must be 4 digits$' "{\"id\": \"$(uuid)\", \"code\": \"101\",
	\"name\": \"ППЭ\", \"address\": \"ул. Лесная, 2\", \"capacity\": 50}"
refused mun1 exam_point bad 'at most 5 for a ППЭ на дому' "{\"id\": \"$(uuid)\", \"code\": \"0199\",
	\"name\": \"ППЭ на дому\", \"address\": \"ул. Лесная, 2\", \"capacity\": 6, \"at_home\": true}"
refused mun1 exam_point bad '^bad\|host_org: ' "{\"id\": \"$(uuid)\", \"code\": \"0198\",
	\"name\": \"ППЭ\", \"address\": \"ул. Лесная, 2\", \"capacity\": 6, \"host_org\": \"sch21\"}"
refused sch11 exam_point denied 'no write access to the exam_point of organization mun1' "{\"id\": \"$(uuid)\", \"code\": \"0197\",
	\"name\": \"ППЭ\", \"address\": \"ул. Лесная, 2\", \"capacity\": 6}"
refused mun2 exam_point denied 'no write access' "{\"id\": \"$(uuid)\", \"org\": \"mun1\",
	\"code\": \"0196\", \"name\": \"ППЭ\", \"address\": \"ул. Лесная, 2\", \"capacity\": 6}"
ok mun1 exam_point "{\"id\": \"$P2\", \"code\": \"0102\", \"name\": \"ППЭ № 2\",
	\"address\": \"ул. Садовая, 5\", \"capacity\": 40}"
# the region writes below it
ok reg exam_point "{\"id\": \"$P2\", \"base\": 1, \"capacity\": 45}"
kt_assert_eq "45|2|ППЭ № 2" "$(kt_psql "SELECT capacity || '|' || row_version || '|' || name
	FROM exam_point WHERE id = '$P2'")" "partial update by the region keeps the other fields"

ok mun1 auditorium "{\"id\": \"$A1\", \"point_id\": \"$P1\", \"code\": \"0001\", \"rows\": 5,
	\"seats_per_row\": 6, \"unusable\": 2, \"ovz_adapted\": true}"
kt_assert_eq "{29,30}|$(org_id mun1)" "$(kt_psql "SELECT unusable_seats::text || '|' || org_id
	FROM auditorium WHERE id = '$A1'")" "unusable seats from a count; owner from the point"
refused mun1 auditorium conflict 'another auditorium of the exam point has this code' \
	"{\"id\": \"$(uuid)\", \"point_id\": \"$P1\", \"code\": \"0001\", \"rows\": 2, \"seats_per_row\": 2}"
refused mun1 auditorium bad 'rows × seats must be at most 500' "{\"id\": \"$(uuid)\",
	\"point_id\": \"$P1\", \"code\": \"0002\", \"rows\": 30, \"seats_per_row\": 30}"
refused mun1 auditorium bad '^bad\|unusable_seats: ' "{\"id\": \"$(uuid)\", \"point_id\": \"$P1\",
	\"code\": \"0003\", \"rows\": 2, \"seats_per_row\": 2, \"unusable_seats\": [1, 5]}"
refused mun2 auditorium not_found 'no exam point' "{\"id\": \"$(uuid)\", \"point_id\": \"$P1\",
	\"code\": \"0004\", \"rows\": 2, \"seats_per_row\": 2}"

ok mun1 staff "{\"id\": \"$S1\", \"code\": \"123456\", \"surname\": \"Петрова\", \"name\": \"Анна\",
	\"patronymic\": \"Сергеевна\", \"doc_type\": 1, \"doc_series\": \"4507\", \"doc_number\": \"654321\",
	\"snils\": \"112-233-445 95\", \"workplace_org\": \"sch12\", \"subject\": \"математика\",
	\"roles\": [1, \"organizer_in\"]}"
kt_assert_eq '{head,organizer_in}|11223344595' "$(kt_psql "SELECT roles::text || '|' || snils FROM staff
	WHERE id = '$S1'")" "role codes as words, СНИЛС stored bare"
refused mun2 staff conflict 'another staff member of the region has this code' "{\"id\": \"$(uuid)\",
	\"code\": \"123456\", \"surname\": \"Сидоров\", \"name\": \"Пётр\", \"doc_type\": 1,
	\"doc_series\": \"4507\", \"doc_number\": \"111222\", \"roles\": [\"medic\"]}"
refused mun1 staff bad '^bad\|roles: ' "{\"id\": \"$(uuid)\", \"code\": \"123457\",
	\"surname\": \"Сидоров\", \"name\": \"Пётр\", \"doc_type\": 1, \"doc_series\": \"4507\",
	\"doc_number\": \"111222\", \"roles\": [\"janitor\"]}"
ok mun1 staff_point "{\"id\": \"$SP1\", \"staff_id\": \"$S1\", \"point_id\": \"$P1\"}"
refused mun1 staff_point conflict 'already attached' "{\"id\": \"$(uuid)\", \"staff_id\": \"$S1\",
	\"point_id\": \"$P1\"}"

# --- participants and registrations -------------------------------------------------------
# one person, as sch11 types it and as sch12 types it again (other case, ё, spaces)
PA=$(uuid) PB=$(uuid) PC=$(uuid) P12=$(uuid) R1=$(uuid)
PERSON='"sex": 1, "birth_date": "2010-03-15", "doc_type": 1, "doc_number": "123456",
	"snils": "112-233-445 95", "class": "9А", "category": 1, "form": 2'
ok sch11 participant "{\"id\": \"$PA\", \"surname\": \"Семёнов\", \"name\": \"Артём\",
	\"patronymic\": \"Олегович\", \"doc_series\": \"45 06\", $PERSON, \"ovz\": true,
	\"conditions\": [\"увеличение продолжительности\"]}"
kt_assert_eq "4506|$(org_id sch11)" "$(kt_psql "SELECT doc_series || '|' || org_id FROM participant
	WHERE id = '$PA'")" "document series stored without spaces, owner the school"
# refusals
refused sch12 participant denied 'no write access to the participant of organization sch11' \
	"{\"id\": \"$(uuid)\", \"org\": \"sch11\", \"surname\": \"Орлов\", \"name\": \"Олег\",
	\"doc_series\": \"4506\", $PERSON}"
refused sch12 participant not_found 'no participant' "{\"id\": \"$PA\", \"base\": 1, \"class\": \"9Б\"}"
refused mun1 participant denied 'no write access' "{\"id\": \"$PA\", \"base\": 1, \"class\": \"9Б\"}"
refused mun1 participant bad 'org is required' "{\"id\": \"$(uuid)\", \"surname\": \"Орлов\",
	\"name\": \"Олег\", \"doc_series\": \"4506\", $PERSON}"
refused sch11 participant bad '^bad\|snils: must be 11 digits with a matching control number$' \
	"{\"id\": \"$(uuid)\", \"surname\": \"Орлов\", \"name\": \"Олег\", \"doc_series\": \"4506\",
	\"sex\": 1, \"birth_date\": \"2010-03-15\", \"doc_type\": 1, \"doc_number\": \"123456\",
	\"snils\": \"112-233-445 96\", \"class\": \"9А\", \"category\": 1, \"form\": 2}"
refused sch11 participant bad '^bad\|surname: must start with a letter' "{\"id\": \"$(uuid)\",
	\"surname\": \"1Орлов\", \"name\": \"Олег\", \"doc_series\": \"4506\", $PERSON}"
refused sch11 participant bad '^bad\|doc_series: ' "{\"id\": \"$(uuid)\", \"surname\": \"Орлов\",
	\"name\": \"Олег\", \"doc_series\": \"45\", $PERSON}"
refused sch11 participant bad '^bad\|birth_date: must be a date YYYY-MM-DD$' "{\"id\": \"$(uuid)\",
	\"surname\": \"Орлов\", \"name\": \"Олег\", \"doc_series\": \"4506\", \"sex\": 1,
	\"birth_date\": \"15.03.2010\", \"doc_type\": 1, \"doc_number\": \"123456\", \"class\": \"9А\",
	\"category\": 1, \"form\": 2}"
refused sch11 participant bad '^bad\|class: a current-year student needs a grade that fits the form' \
	"{\"id\": \"$(uuid)\", \"surname\": \"Орлов\", \"name\": \"Олег\", \"doc_series\": \"4506\",
	\"sex\": 1, \"birth_date\": \"2010-03-15\", \"doc_type\": 1, \"doc_number\": \"123456\",
	\"class\": \"9А\", \"category\": 1, \"form\": 1}"
refused sch11 participant bad 'is not a field of participant' "{\"id\": \"$(uuid)\", \"colour\": \"red\"}"

# registrations: the participant's form decides
ok sch11 exam_registration "{\"id\": \"$R1\", \"participant_id\": \"$PA\", \"exam_id\": \"$E_OGE\"}"
kt_assert_eq "$(org_id sch11)" "$(kt_psql "SELECT org_id FROM exam_registration WHERE id = '$R1'")" \
	"a registration belongs to the participant's school"
refused sch11 exam_registration bad "^bad\|exam_id: the exam's form or ГИА" "{\"id\": \"$(uuid)\",
	\"participant_id\": \"$PA\", \"exam_id\": \"$E_EGE\"}"
refused sch11 exam_registration bad "^bad\|exam_id: the exam's form or ГИА" "{\"id\": \"$(uuid)\",
	\"participant_id\": \"$PA\", \"exam_id\": \"$E_GVE9\"}"
refused sch11 exam_registration conflict 'already registered for this exam' "{\"id\": \"$(uuid)\",
	\"participant_id\": \"$PA\", \"exam_id\": \"$E_OGE\"}"
refused sch12 exam_registration not_found 'no participant' "{\"id\": \"$(uuid)\",
	\"participant_id\": \"$PA\", \"exam_id\": \"$E_OGE\"}"
# a form change the registrations contradict
refused sch11 participant precondition '^precondition\|form: the participant is registered' \
	"{\"id\": \"$PA\", \"base\": 1, \"form\": 4}"
kt_assert_eq 1 "$(version participant "$PA")" "a refused update changed nothing"

# stale base
ok sch11 participant "{\"id\": \"$PA\", \"base\": 1, \"admitted\": true}"
refused sch11 participant conflict 'changed since version 1 \(now 2\)' "{\"id\": \"$PA\", \"base\": 1,
	\"class\": \"9Б\"}"
refused sch11 participant conflict 'with this id exists' "{\"id\": \"$PA\", \"surname\": \"Орлов\"}"
kt_assert_eq "2|true|9А" "$(kt_psql "SELECT row_version || '|' || admitted || '|' || class FROM participant
	WHERE id = '$PA'")" "after the stale write"

# the same person again: sch12 (mun1), and sch21 (mun2)
ok sch12 participant "{\"id\": \"$PB\", \"surname\": \"СЕМЕНОВ\", \"name\": \"артём\",
	\"patronymic\": \"  Олегович \", \"doc_series\": \"4506\", $PERSON}"
ok sch21 participant "{\"id\": \"$PC\", \"surname\": \"Семенов\", \"name\": \"Артем\",
	\"patronymic\": \"Олегович\", \"doc_series\": \"4506\", $PERSON}"
ok sch12 participant "{\"id\": \"$P12\", \"surname\": \"Ким\", \"name\": \"Виктория\", \"sex\": 2,
	\"birth_date\": \"2008-11-02\", \"doc_type\": 2, \"doc_series\": \"iv мю\", \"doc_number\": \"765432\",
	\"class\": \"11Б\", \"category\": 1, \"form\": 1}"
kt_assert_eq "IV-МЮ" "$(kt_psql "SELECT doc_series FROM participant WHERE id = '$P12'")" \
	"birth certificate series in its stored form"

# --- feeds: each write in its owner's feed -------------------------------------------------
feed_of() { # TYPE ID → the codes of the feeds its changes went to, and the ops
	kt_psql "SELECT string_agg(DISTINCT o.code, ',') || ':' || string_agg(l.op, ',' ORDER BY l.seq)
		FROM change_log l JOIN organization o ON o.id = l.feed_id
		WHERE l.entity_type = '$1' AND l.entity_id = '$2'"
}
kt_assert_eq "reg:insert" "$(feed_of exam "$E_OGE")" "exam feed"
kt_assert_eq "mun1:insert,update" "$(feed_of exam_point "$P2")" "exam point feed (updated by the region)"
kt_assert_eq "mun1:insert" "$(feed_of auditorium "$A1")" "auditorium feed"
kt_assert_eq "mun1:insert" "$(feed_of staff "$S1")" "staff feed"
kt_assert_eq "mun1:insert" "$(feed_of staff_point "$SP1")" "staff attachment feed"
kt_assert_eq "sch11:insert,update" "$(feed_of participant "$PA")" "participant feed"
kt_assert_eq "sch11:insert" "$(feed_of exam_registration "$R1")" "registration feed"
kt_assert_eq "sch12:insert" "$(feed_of participant "$PB")" "sch12's participant feed"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM change_log l WHERE l.entity_type IN ('participant',
	'exam_registration', 'staff', 'staff_point') AND l.payload::text <> (SELECT r.payload::text FROM karta_feed_rows r
	WHERE r.entity_id = l.entity_id) AND l.seq = (SELECT max(seq) FROM change_log m
	WHERE m.entity_id = l.entity_id)")" "the newest change of each row is the row as it is"
kt_assert_eq "${DEV[sch11]}|{admitted}" "$(kt_psql "SELECT origin_device || '|' ||
	changed_fields::text FROM change_log WHERE entity_id = '$PA' AND op = 'update'")" "origin and changed fields"
kt_assert_eq "" "$(kt_psql "SELECT string_agg(format('%s: %s rows, last %s', f.org_id, c.n, f.last_seq), '; ')
	FROM feed f LEFT JOIN (SELECT feed_id, count(*) n, max(seq) mx FROM change_log GROUP BY feed_id) c
	ON c.feed_id = f.org_id WHERE coalesce(c.n, 0) <> f.last_seq OR coalesce(c.mx, 0) <> f.last_seq")" \
	"feeds gap-free"

# --- visibility ---------------------------------------------------------------------------
# seen ORG TYPE [OWNER]: how many rows of TYPE (owned by OWNER) ORG's device may read, the way
# pulls and snapshots filter (karta_feed_visible scope + karta_plan_entity).
seen() {
	kt_psql "SELECT count(*) FROM karta_feed_rows r JOIN karta_feed_visible(${DEV[$1]}) v
		ON v.org_id = r.org_id WHERE (v.scope = 'all' OR karta_plan_entity(r.entity_type))
		AND r.entity_type = '$2' ${3:+AND r.org_id IN (SELECT id FROM organization WHERE code = '$3'
			OR parent_id = (SELECT id FROM organization WHERE code = '$3'))}"
}
kt_assert_eq 0 "$(seen sch12 participant sch11)" "sch12 sees sch11's participants"
kt_assert_eq 2 "$(seen sch12 participant)" "sch12 sees its own participants"
kt_assert_eq 0 "$(seen sch12 exam_registration sch11)" "sch12 sees sch11's registrations"
kt_assert_eq 0 "$(seen mun2 participant mun1)" "mun2 sees mun1's schools' participants"
kt_assert_eq 1 "$(seen mun2 participant)" "mun2 sees its school's participant"
kt_assert_eq 0 "$(seen mun2 exam_point mun1)" "mun2 sees mun1's exam points"
kt_assert_eq 0 "$(seen sch21 exam_point mun1)" "sch21 sees mun1's exam points"
kt_assert_eq 3 "$(seen mun1 participant)" "mun1 sees its schools' participants"
kt_assert_eq 1 "$(seen mun1 exam_registration)" "mun1 sees its schools' registrations"
kt_assert_eq 4 "$(seen reg participant)" "the region sees every participant"
kt_assert_eq 3 "$(seen sch11 exam)" "sch11 sees the region's exams"
kt_assert_eq 2 "$(seen sch11 exam_point mun1)" "sch11 sees mun1's exam points"
kt_assert_eq 1 "$(seen sch11 auditorium)" "sch11 sees mun1's auditoriums"
kt_assert_eq 0 "$(seen sch11 staff)" "sch11 sees staff"
kt_assert_eq 0 "$(seen sch11 staff_point)" "sch11 sees staff attachments"
kt_assert_eq 0 "$(seen sch11 participant sch12)" "sch11 sees sch12's participants"
kt_assert_eq 1 "$(seen mun1 staff)" "mun1 sees its staff"
kt_assert_eq 0 "$(seen mun2 staff)" "mun2 sees mun1's staff"
kt_assert_eq 3 "$(seen mun2 exam)" "mun2 sees the region's exams"
# the pull path agrees: what karta_pull hands sch12 and mun2 from a cursor of zero
pulled() {
	kt_psql "SELECT coalesce(string_agg(DISTINCT entity_type || '@' || feed, ' ' ORDER BY entity_type || '@' || feed), '')
		FROM karta_pull(${DEV[$1]}, '[]', 10000000) WHERE kind = 'change'"
}
kt_assert_eq "auditorium@mun1 exam@reg exam_point@mun1 participant@sch12" "$(pulled sch12)" "karta_pull for sch12"
kt_assert_eq "exam@reg participant@sch21" "$(pulled mun2)" "karta_pull for mun2"
kt_assert_eq "auditorium@mun1 exam@reg exam_point@mun1 exam_registration@sch11 participant@sch11" \
	"$(pulled sch11)" "karta_pull for sch11"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM karta_snapshot(${DEV[sch11]}, 'mun1', NULL, NULL, 10000000)
	WHERE entity_type IN ('staff', 'staff_point')")" "a snapshot of mun1 for sch11 has no staff"
kt_assert_eq 2 "$(kt_psql "SELECT count(*) FROM karta_snapshot(${DEV[mun1]}, 'mun1', NULL, NULL, 10000000)
	WHERE entity_type IN ('staff', 'staff_point')")" "a snapshot of mun1 for mun1 has its staff"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM karta_snapshot(${DEV[mun2]}, 'sch11', NULL, NULL, 10000000)")" \
	"mun2 cannot snapshot sch11"

# --- duplicates ---------------------------------------------------------------------------
dups() {
	kt_psql "SELECT org_a || '-' || org_b || ':' || array_to_string(match, ',')
		FROM karta_participant_duplicates(${DEV[$1]})" | sort | tr '\n' ' ' | sed 's/ $//'
}
kt_assert_eq "sch11-sch12:document,name_birth,snils" "$(dups mun1)" "duplicates for mun1"
kt_assert_eq "sch11-sch12:document,name_birth,snils sch11-sch21:document,name_birth,snils sch12-sch21:document,name_birth,snils" \
	"$(dups reg)" "duplicates for the region"
kt_assert_eq "" "$(dups mun2)" "duplicates for mun2"
kt_assert_eq "" "$(dups sch11)" "duplicates for sch11"
kt_assert_eq "" "$(dups sch12)" "duplicates for sch12"

# --- deletes ------------------------------------------------------------------------------
r=$(del reg exam "{\"id\": \"$E_OGE\"}")
MESSAGES+=("$r")
kt_assert_match "$r" '^precondition\|the exam has 1 registrations' "deleting an exam with registrations"
r=$(del sch12 participant "{\"id\": \"$PA\"}")
kt_assert_match "$r" '^not_found\|' "sch12 deleting sch11's participant"
r=$(del mun1 participant "{\"id\": \"$PA\"}")
kt_assert_match "$r" '^denied\|' "mun1 deleting sch11's participant"
r=$(del sch11 participant "{\"id\": \"$PA\", \"base\": 1}")
kt_assert_match "$r" '^conflict\|participant changed since version 1' "stale delete"
kt_assert_eq "ok|deleted" "$(del sch11 participant "{\"id\": \"$PA\", \"base\": 2}")" "delete a participant"
kt_assert_eq "sch11:insert,delete" "$(feed_of exam_registration "$R1")" "its registration went with it"
kt_assert_eq "sch11:insert,update,delete" "$(feed_of participant "$PA")" "the participant's delete"
kt_assert_match "$(put sch11 participant "{\"id\": \"$PA\", \"base\": 3, \"class\": \"9Б\"}")" \
	'^conflict\|the participant was deleted' "writing a deleted participant"
kt_assert_eq "" "$(dups mun1)" "deleted rows are not duplicates"
kt_assert_eq "ok|deleted" "$(del reg exam "{\"id\": \"$E_OGE\"}")" "an exam without live registrations"
kt_assert_eq "ok|deleted" "$(del mun1 exam_point "{\"id\": \"$P1\"}")" "delete an exam point"
kt_assert_eq "mun1:insert,delete|mun1:insert,delete" \
	"$(feed_of auditorium "$A1")|$(feed_of staff_point "$SP1")" "its auditoriums and attachments went with it"
ok mun2 exam_point "{\"id\": \"$(uuid)\", \"code\": \"0101\", \"name\": \"ППЭ\",
	\"address\": \"ул. Лесная, 2\", \"capacity\": 50}"

# --- no personal value in any refusal -----------------------------------------------------
for m in "${MESSAGES[@]}"; do
	m=$(sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<id>/g' <<<"$m")
	for v in Семёнов Семенов Артём Олегович Орлов Петрова 4506 '45 06' 123456 654321 11223344595 \
		'112-233-445' 2010-03-15 15.03.2010; do
		[[ $m != *"$v"* ]] || kt_fail "a refusal carries a personal value: '$m'"
	done
done
kt_log "${#MESSAGES[@]} refusals checked for personal values"

kt_pass
