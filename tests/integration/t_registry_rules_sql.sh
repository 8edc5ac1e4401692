#!/usr/bin/env bash
# t_registry_rules_sql: the registry tables' own rules, made cheaper a row (sql/0029,
# sql/functions/00_schema.sql and 50_registry_rules.sql), in real PostgreSQL:
#  1. the functions with new bodies give what their earlier forms (kept here) gave:
#     karta_doc_key (translate, not a regular expression) on every string of up to three
#     characters over the dropped characters, letters and digits, and on documents of every
#     type; karta_person_key (the date from its fields) on every day 1900–2099 and years
#     1–9999, and the same key under every DateStyle (the earlier form followed DateStyle);
#     karta_registration_ok (the grade read once) on every form × class spelling × exam form ×
#     ГИА, NULL included;
#  2. karta_person_key is inlined (no call a row); the duplicate keys are not indexed;
#  3. the row checks, once per statement: a statement of many rows with one breaking a rule is
#     refused with the rule's words and writes nothing; of two rows breaking rules the first
#     in the statement's order decides; each rule (a participant's and an exam point's owner
#     level, a registration's school, region and form, an auditorium's and an attachment's
#     municipality, the owner for life) with the words of the row trigger it replaces;
#     region_id set on exam points; a live row's deletion reason cleared, a deleted one's
#     kept; a participant's form or class changed under registrations refused, an update
#     that keeps them passes;
#  4. the references the foreign keys checked before sql/0029: a missing owner, participant or
#     exam refused with the rule's words, a missing graduation school or device with SQLSTATE
#     23503 naming the column and value (as the other tables' statement checks); a
#     registration's participant and exam locked FOR KEY SHARE until its transaction ends (a
#     put's FOR UPDATE of them cannot proceed), another participant not.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_registry_rules_sql
kt_psql "CREATE SCHEMA t; ALTER DATABASE \"$KT_DB\" SET search_path = public, t" >/dev/null
declare -A ORG
for o in "${KT_ORGS[@]}"; do ORG[$o]=$(kt_psql "SELECT id FROM organization WHERE code = '$o'"); done
kt_run kt_admin org add --code reg2 --name "Другой регион" --level region
kt_assert_rc 0 "a second region"
REG2=$(kt_psql "SELECT id FROM organization WHERE code = 'reg2'")
uuid() { kt_psql "SELECT md5('$1')::uuid"; }

# ---- 1. the functions against their earlier forms -------------------------------------------
kt_psql "
CREATE FUNCTION t.doc_key0(p_type smallint, p_series text, p_number text) RETURNS text
LANGUAGE sql IMMUTABLE AS \$\$
	SELECT CASE WHEN coalesce(p_number, '') = '' THEN NULL ELSE p_type::text || ':'
		|| upper(regexp_replace(coalesce(p_series, '') || coalesce(p_number, ''), '[ ./№-]', '', 'g')) END
\$\$;
CREATE FUNCTION t.person_key0(p_surname text, p_name text, p_patronymic text, p_birth date)
RETURNS text LANGUAGE sql IMMUTABLE AS \$\$
	SELECT karta_fold(p_surname) || '|' || karta_fold(p_name) || '|' || karta_fold(p_patronymic)
		|| '|' || p_birth::text
\$\$;
CREATE FUNCTION t.registration_ok0(p_form smallint, p_class text, e_form smallint,
	e_gia smallint) RETURNS boolean LANGUAGE sql IMMUTABLE AS \$\$
	SELECT (p_form & e_form) <> 0
		AND (karta_grade(p_class) = 0 OR (karta_grade(p_class) <= 9) = (e_gia = 9))
\$\$;" >/dev/null

kt_assert_eq "14443 0 3" "$(kt_psql "
WITH a(c) AS (SELECT unnest(ARRAY[' ', '.', '/', '№', '-', 'а', 'B', '7', '_', '\\'])),
s AS (SELECT '' AS s UNION ALL SELECT a.c FROM a UNION ALL SELECT a.c || b.c FROM a, a b
	UNION ALL SELECT a.c || b.c || c.c FROM a, a b, a c),
d(t, series, num) AS (
	SELECT t, s.s, n FROM unnest(ARRAY[1, 2, 9]::smallint[]) t, s,
		unnest(ARRAY['123456', '', NULL]) n
	UNION ALL SELECT t, x, s.s FROM unnest(ARRAY[1, 3]::smallint[]) t, s, unnest(ARRAY['45 06', NULL]) x)
SELECT count(*) || ' ' || count(*) FILTER (WHERE doc_key0(t, series, num) IS DISTINCT FROM
	karta_doc_key(t, series, num)) || ' ' || count(DISTINCT doc_key0(t, series, num)) FILTER (WHERE series = '')
FROM d")" "karta_doc_key as before (documents, differing, keys of the empty series)"

kt_psql "CREATE TABLE t.days AS
	SELECT d::date AS d, n, person_key0(n[1], n[2], n[3], d::date) AS k0
	FROM generate_series('1900-01-01'::date, '2099-12-31', '1 day') d,
		(VALUES (ARRAY['Семёнов', 'Артём', 'Олегович']), (ARRAY[' д''Артаньян-Ким ', 'ЖАН.  ПОЛЬ', ''])) x(n)
	UNION ALL SELECT d::date, ARRAY['Ли', 'Ан', NULL], person_key0('Ли', 'Ан', NULL, d::date)
	FROM unnest(ARRAY['0001-01-01', '0009-12-31', '0099-02-28', '0999-09-09', '1000-01-01',
		'1899-12-31', '2100-01-01', '9999-12-31']) d" >/dev/null
for style in ISO 'SQL, DMY' 'German' 'Postgres, MDY' 'ISO, YMD'; do
	kt_assert_eq "146106 0" "$(kt_psql "SET DateStyle = '$style';
		SELECT count(*) || ' ' || count(*) FILTER (WHERE karta_person_key(n[1], n[2], n[3], d) IS DISTINCT FROM k0)
		FROM t.days" | tail -n 1)" "karta_person_key under DateStyle $style: the ISO key as before (days, differing)"
done
kt_assert_eq "0" "$(kt_psql "SET DateStyle = 'German';
	SELECT count(*) FROM t.days WHERE person_key0(n[1], n[2], n[3], d) = k0" | tail -n 1)" \
	"the earlier form followed DateStyle (the test can tell)"

kt_assert_eq "18496 0 6688" "$(kt_psql "
WITH c(s) AS (SELECT unnest(ARRAY['', '1', '9', '09', '9А', '9 б', '10', '11Б', '11-Ж', '12', '13', '0',
	'9АБ', 'x', '5', NULL])),
g(x) AS (SELECT unnest(ARRAY[9, 11, 0, NULL]::smallint[]))
SELECT count(*) || ' ' || count(*) FILTER (WHERE registration_ok0(pf::smallint, c.s, ef::smallint, g.x)
	IS DISTINCT FROM karta_registration_ok(pf::smallint, c.s, ef::smallint, g.x)) || ' '
	|| count(*) FILTER (WHERE karta_registration_ok(pf::smallint, c.s, ef::smallint, g.x))
FROM generate_series(0, 16) pf, c, generate_series(0, 16) ef, g")" \
	"karta_registration_ok as before (cases, differing, allowed)"

# ---- 2. inlined, and the index on ISO keys ---------------------------------------------------
plan=$(kt_psql "EXPLAIN (VERBOSE, COSTS OFF) SELECT karta_person_key(surname, name, patronymic, birth_date)
	FROM participant")
kt_assert_not_contains "$plan" "karta_person_key" "karta_person_key is inlined"
kt_assert_contains "$plan" "translate" "karta_person_key's body in the plan"
kt_assert_eq "" "$(kt_psql "SELECT string_agg(indexrelid::regclass::text, ' ') FROM pg_index
	WHERE indexrelid::regclass::text IN ('participant_person', 'participant_doc', 'participant_snils')")" \
	"the duplicate keys are not indexed (no query reads them)"

# ---- 3. the row checks, once per statement ---------------------------------------------------
# refused WHAT MESSAGE SQL: the statement fails with MESSAGE (SQLSTATE KT002), nothing written
refused() {
	local before after
	before=$(kt_psql "SELECT (SELECT count(*) FROM participant) || ' ' || (SELECT count(*) FROM exam_registration)
		|| ' ' || (SELECT count(*) FROM auditorium) || ' ' || (SELECT count(*) FROM staff_point)
		|| ' ' || (SELECT count(*) FROM exam_point) || ' ' || (SELECT count(*) FROM change_log)")
	kt_run kt_psql "$3" -v VERBOSITY=verbose
	kt_assert_rc 1 "$1: refused"
	kt_assert_contains "$KT_ERR" "KT002: $2" "$1: the rule's words"
	after=$(kt_psql "SELECT (SELECT count(*) FROM participant) || ' ' || (SELECT count(*) FROM exam_registration)
		|| ' ' || (SELECT count(*) FROM auditorium) || ' ' || (SELECT count(*) FROM staff_point)
		|| ' ' || (SELECT count(*) FROM exam_point) || ' ' || (SELECT count(*) FROM change_log)")
	kt_assert_eq "$before" "$after" "$1: nothing written"
}
# person ID ORG N CLASS FORM: a participant's VALUES row
person() {
	echo "('$1', $2, 'Иванов', 'Пётр', 1, '2009-01-0$3', 9, 'N$3', '$4', 1, $5)"
}
PCOLS="id, org_id, surname, name, sex, birth_date, doc_type, doc_number, class, category, form"
refused "five participants, the fourth owned by a municipality" "org: a participant belongs to a school" "
	INSERT INTO participant($PCOLS) VALUES $(person "$(uuid a1)" "${ORG[sch11]}" 1 9 2),
	$(person "$(uuid a2)" "${ORG[sch11]}" 2 9 2), $(person "$(uuid a3)" "${ORG[sch12]}" 3 9 2),
	$(person "$(uuid a4)" "${ORG[mun1]}" 4 9 2), $(person "$(uuid a5)" "${ORG[sch11]}" 5 9 2)"

P9=$(uuid p9) P11=$(uuid p11) P12=$(uuid p12) E9=$(uuid e9) E11=$(uuid e11) EX=$(uuid ex)
kt_psql "INSERT INTO participant($PCOLS) VALUES $(person "$P9" "${ORG[sch11]}" 2 9 2),
	$(person "$P11" "${ORG[sch11]}" 3 11 1), $(person "$P12" "${ORG[sch12]}" 4 9 2);
	INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date) VALUES
		('$E9', ${ORG[reg]}, 2, 'Математика', 2, 9, '2027-06-01'),
		('$E11', ${ORG[reg]}, 2, 'Математика', 1, 11, '2027-06-02'),
		('$EX', $REG2, 2, 'Математика', 2, 9, '2027-06-01')" >/dev/null
RCOLS="id, org_id, participant_id, exam_id"
reg() { echo "('$(uuid "$1")', $2, '$3', '$4')"; }
refused "registrations: another school's participant before a form that does not fit" \
	"participant_id: a registration belongs to the participant's school" "
	INSERT INTO exam_registration($RCOLS) VALUES $(reg r1 "${ORG[sch11]}" "$P9" "$E9"),
		$(reg r2 "${ORG[sch11]}" "$P12" "$E9"), $(reg r3 "${ORG[sch11]}" "$P9" "$E11"),
		$(reg r4 "${ORG[sch11]}" "$P11" "$E11")"
refused "registrations: the same two in the other order" \
	"exam_id: the exam's form or ГИА (9/11) does not match the participant's form and class" "
	INSERT INTO exam_registration($RCOLS) VALUES $(reg r1 "${ORG[sch11]}" "$P9" "$E9"),
		$(reg r3 "${ORG[sch11]}" "$P9" "$E11"), $(reg r2 "${ORG[sch11]}" "$P12" "$E9"),
		$(reg r4 "${ORG[sch11]}" "$P11" "$E11")"
refused "a registration for another region's exam" "exam_id: the exam is not in the participant's region" "
	INSERT INTO exam_registration($RCOLS) VALUES $(reg r1 "${ORG[sch11]}" "$P9" "$E9"),
		$(reg r5 "${ORG[sch11]}" "$P9" "$EX")"
refused "a registration owned by a municipality" "org: a exam_registration belongs to a school" "
	INSERT INTO exam_registration($RCOLS) VALUES $(reg r5 "${ORG[mun1]}" "$P9" "$E9")"
kt_psql "INSERT INTO exam_registration($RCOLS) VALUES $(reg r1 "${ORG[sch11]}" "$P9" "$E9"),
	$(reg r4 "${ORG[sch11]}" "$P11" "$E11");
	INSERT INTO exam_registration($RCOLS, deleted_at) VALUES
		('$(uuid r6)', ${ORG[sch11]}, '$P9', '$E11', now())" >/dev/null
kt_assert_eq "3" "$(kt_psql "SELECT count(*) FROM exam_registration")" \
	"registrations that fit, and a deleted one that does not, are written"
refused "a participant moved to another school" "org: a participant stays with the organization that owns it" "
	UPDATE participant SET org_id = ${ORG[sch12]} WHERE id = '$P9'"
refused "a participant's form changed under a registration it contradicts" \
	"form: the participant is registered for exams the new form or class does not allow" "
	UPDATE participant SET form = 4 WHERE id IN ('$P9', '$P11')"
kt_psql "UPDATE participant SET class = class, form = form, row_version = row_version + 1
	WHERE id IN ('$P9', '$P11')" >/dev/null
kt_assert_eq "2 2" "$(kt_psql "SELECT count(*) || ' ' || sum(row_version - 1) FROM participant
	WHERE id IN ('$P9', '$P11')")" "an update that keeps form and class passes"

PT1=$(uuid pt1) PT2=$(uuid pt2)
kt_psql "INSERT INTO exam_point(id, org_id, region_id, code, name, address) VALUES
	('$PT1', ${ORG[mun1]}, ${ORG[mun1]}, '0001', 'ППЭ 1', 'адрес 1'),
	('$PT2', ${ORG[mun2]}, $REG2, '0002', 'ППЭ 2', 'адрес 2')" >/dev/null
kt_assert_eq "${ORG[reg]} ${ORG[reg]}" "$(kt_psql "SELECT string_agg(region_id::text, ' ' ORDER BY code)
	FROM exam_point")" "an exam point's region_id is its municipality's region, whatever the statement said"
refused "an exam point owned by a school" "org: a exam_point belongs to a municipality" "
	INSERT INTO exam_point(id, org_id, region_id, code, name, address) VALUES
		('$(uuid pt3)', ${ORG[sch11]}, ${ORG[reg]}, '0003', 'ППЭ 3', 'адрес 3')"
refused "an exam point moved" "org: a exam_point stays with the organization that owns it" "
	UPDATE exam_point SET org_id = ${ORG[mun2]} WHERE id = '$PT1'"
ACOLS="id, org_id, point_id, code, rows, seats_per_row"
refused "auditoriums, the second in another municipality's point" \
	"point_id: an auditorium belongs to its exam point's municipality" "
	INSERT INTO auditorium($ACOLS) VALUES ('$(uuid a101)', ${ORG[mun1]}, '$PT1', '0101', 2, 3),
		('$(uuid a102)', ${ORG[mun1]}, '$PT2', '0102', 2, 3)"
S1=$(uuid s1) S2=$(uuid s2)
kt_psql "INSERT INTO staff(id, org_id, region_id, code, surname, name, doc_type, doc_number, roles) VALUES
	('$S1', ${ORG[mun1]}, ${ORG[reg]}, '000001', 'Петров', 'Иван', 9, 'S1', '{head}'),
	('$S2', ${ORG[mun2]}, ${ORG[reg]}, '000002', 'Сидоров', 'Иван', 9, 'S2', '{head}')" >/dev/null
refused "attachments, the second of another municipality's staff member" \
	"staff_id: the staff member and the exam point belong to different municipalities" "
	INSERT INTO staff_point(id, org_id, staff_id, point_id) VALUES
		('$(uuid sp1)', ${ORG[mun1]}, '$S1', '$PT1'), ('$(uuid sp2)', ${ORG[mun1]}, '$S2', '$PT1')"
refused "an attachment to another municipality's point" \
	"point_id: a staff attachment belongs to its exam point's municipality" "
	INSERT INTO staff_point(id, org_id, staff_id, point_id) VALUES ('$(uuid sp3)', ${ORG[mun1]}, '$S1', '$PT2')"

# a live row's deletion reason is cleared, a deleted row's kept
kt_psql "INSERT INTO participant($PCOLS, deleted_reason, deleted_at) VALUES
	('$(uuid d1)', ${ORG[sch11]}, 'А', 'Б', 1, '2009-01-06', 9, 'N6', '9', 1, 2, 'причина', NULL),
	('$(uuid d2)', ${ORG[sch11]}, 'А', 'Б', 1, '2009-01-07', 9, 'N7', '9', 1, 2, 'причина', now())" >/dev/null
kt_assert_eq "|причина" "$(kt_psql "SELECT string_agg(deleted_reason, '|' ORDER BY birth_date) FROM participant
	WHERE id IN ('$(uuid d1)', '$(uuid d2)')")" "live: no reason; deleted: its reason"
kt_psql "UPDATE participant SET deleted_reason = 'снова' WHERE id IN ('$(uuid d1)', '$(uuid d2)')" >/dev/null
kt_assert_eq "|снова" "$(kt_psql "SELECT string_agg(deleted_reason, '|' ORDER BY birth_date) FROM participant
	WHERE id IN ('$(uuid d1)', '$(uuid d2)')")" "an update: the live row's reason cleared again"

# ---- 4. the references ---------------------------------------------------------------------
refused "a registration of a participant that is not there" \
	"participant_id: a registration belongs to the participant's school" "
	INSERT INTO exam_registration($RCOLS) VALUES $(reg r7 "${ORG[sch11]}" "$(uuid nobody)" "$E9")"
refused "a registration for an exam that is not there" "exam_id: the exam is not in the participant's region" "
	INSERT INTO exam_registration($RCOLS) VALUES $(reg r7 "${ORG[sch11]}" "$P9" "$(uuid noexam)")"
refused "a participant of an organization that is not there" "org: a participant belongs to a school" "
	INSERT INTO participant($PCOLS) VALUES $(person "$(uuid a6)" 999999 6 9 2)"
kt_run kt_psql "INSERT INTO participant($PCOLS, grad_org_id) VALUES
	('$(uuid a7)', ${ORG[sch11]}, 'А', 'Б', 1, '2009-01-07', 9, 'N7', '9', 1, 2, 999998)" -v VERBOSITY=verbose
kt_assert_rc 1 "a graduation school that is not there"
kt_assert_contains "$KT_ERR" 'ERROR:  23503: insert or update on table "participant": grad_org_id 999998 is not present' \
	"a graduation school that is not there: SQLSTATE 23503, the column and value"
kt_run kt_psql "INSERT INTO exam_registration($RCOLS, updated_by) VALUES
	$(reg r8 "${ORG[sch12]}" "$P12" "$E9" | sed 's/)$/, 999997)/')" -v VERBOSITY=verbose
kt_assert_rc 1 "a device that is not there"
kt_assert_contains "$KT_ERR" 'ERROR:  23503: insert or update on table "exam_registration": updated_by 999997 is not present' \
	"a device that is not there"
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM participant WHERE id = '$(uuid a7)'")" "nothing written"

# a registration's participant and exam stay locked FOR KEY SHARE until its transaction ends
kt_psql "UPDATE exam_registration SET deleted_at = now() WHERE id = '$(uuid r1)'" >/dev/null
kt_bg psql -XAtq "$KT_CONNINFO application_name=kt_reg_insert" -c "BEGIN;
	INSERT INTO exam_registration($RCOLS) VALUES $(reg r9 "${ORG[sch11]}" "$P9" "$E9"); SELECT pg_sleep(600)" \
	>/dev/null 2>&1
INS=$KT_BG_PID
for ((i = 0; i < 100; i++)); do
	[ "$(kt_backends "application_name = 'kt_reg_insert' AND wait_event = 'PgSleep'")" = 1 ] && break
	sleep 0.1
done
kt_assert_eq 1 "$(kt_backends "application_name = 'kt_reg_insert' AND wait_event = 'PgSleep'")" \
	"the registration is inserted, its transaction open"
for row in "participant $P9" "exam $E9"; do
	kt_run kt_psql "SELECT 1 FROM ${row% *} WHERE id = '${row#* }' FOR UPDATE NOWAIT"
	kt_assert_rc 1 "the registration's ${row% *} is locked"
	kt_assert_contains "$KT_ERR" "could not obtain lock on row" "the registration's ${row% *} is locked"
done
kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM (SELECT 1 FROM participant WHERE id = '$P12' FOR UPDATE NOWAIT) x")" \
	"another participant is not"
kt_terminate "application_name = 'kt_reg_insert'" >/dev/null
kt_bg_kill "$INS"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM exam_registration WHERE id = '$(uuid r9)'")" \
	"the transaction ended: nothing written"
kt_pass
