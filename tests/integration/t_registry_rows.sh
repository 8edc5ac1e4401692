#!/usr/bin/env bash
# t_registry_rows: registry rows travel as ops of many rows (RecordOp registry_rows,
# sql/0025, issues 18 and 22), with real PostgreSQL, TLS, kartad and karta processes.
#  1. one registry_rows op of the region mixing every table (exams, exam points, auditoriums,
#     staff and their exam points, participants, registrations), edits, deletes, the federal
#     package's rows (owners by GUID, exams by ExamGlobalID), and rows refused in every way —
#     those the set-wise checks catch, those only a table's CHECK, unique index or row
#     trigger catches, and one kartad refused — applied through karta_upload, and the same
#     rows applied one op each through 0006's one-by-one loop from the same state: every
#     row the same answer (written or refused with the same status and words), the same
#     rows in every table, the same change feed; the op is one op_log record, and sent
#     again it is answered from there, row by row;
#  2. through kartad, a school's participants file with bad rows at known lines: without
#     --partial nothing is queued or written; with --partial the others are written once
#     (one outbox op for the file) and each bad line is named FILE:LINE; a row the server
#     refuses (another school's, planted in the queued op) is named by its line and the
#     others are written;
#  3. kartad killed, and then the backend terminated, while the ops of a 3,000-row import
#     wait to commit: 'karta sync' afterwards applies every row exactly once.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_registry_rows
kt_start_kartad

REG=$(kt_dev_id reg)
SCH=$(kt_dev_id sch11)
org() { kt_psql "SELECT id FROM organization WHERE code = '$1'"; }
kt_psql "UPDATE organization SET guid = md5('guid ' || code)::uuid" >/dev/null

# ---- 1. one op of many rows against the same rows one by one -------------------------------
# The test's helpers live in schema t, on every session's search_path: karta's schema holds
# only the functions of sql/functions/ (kartad refuses a database with others there).
kt_psql "CREATE SCHEMA t; ALTER DATABASE \"$KT_DB\" SET search_path = public, t" >/dev/null
kt_psql "
CREATE FUNCTION t.t_id(p text, n int) RETURNS uuid LANGUAGE sql IMMUTABLE AS \$\$ SELECT md5(p || ':' || n)::uuid \$\$;
CREATE FUNCTION t.t_g(p text) RETURNS text LANGUAGE sql IMMUTABLE AS \$\$ SELECT md5('guid ' || p)::uuid::text \$\$;
CREATE FUNCTION t.t_person(p_id uuid, n int, p_org text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS \$\$
	SELECT jsonb_build_object('type', 'participant', 'id', p_id, 'org', p_org, 'surname', 'Иванов',
		'name', 'Пётр' || repeat('а', n % 7), 'patronymic', 'Сергеевич', 'sex', 1,
		'birth_date', '2009-0' || (1 + n % 9) || '-1' || (n % 10), 'doc_type', 1,
		'doc_series', '45 0' || (n % 10), 'doc_number', lpad((100000 + n)::text, 6, '0'),
		'class', '11А', 'category', 1, 'form', 1)
\$\$;
CREATE FUNCTION t.t_staff(p_id uuid, n int) RETURNS jsonb LANGUAGE sql IMMUTABLE AS \$\$
	SELECT jsonb_build_object('type', 'staff', 'id', p_id, 'code', lpad((200000 + n)::text, 6, '0'),
		'surname', 'Петрова', 'name', 'Анна', 'doc_type', 1, 'doc_series', '46 0' || (n % 10),
		'doc_number', lpad((300000 + n)::text, 6, '0'), 'snils', '', 'roles', jsonb_build_array('1'))
\$\$;
CREATE FUNCTION t.t_row(n int, k text, a jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS \$\$
	SELECT jsonb_build_object('n', n, 'k', k, 'a', a)
\$\$;
-- The rows, in file order (n: the line). Ids t_id(kind, n).
CREATE TABLE t.t_rows AS SELECT row_number() OVER (ORDER BY x.o)::int AS i, x.r FROM (
	-- exams (the third repeats the first's subject, form and date: the unique index refuses it)
	SELECT 1 AS o, t_row(2, 'registry_put', jsonb_build_object('type', 'exam', 'id', t_id('e', 1),
		'subject_code', 1, 'form', 1, 'exam_date', '2027-05-25', 'global_id', 901)) AS r
	UNION ALL SELECT 2, t_row(3, 'registry_put', jsonb_build_object('type', 'exam', 'id', t_id('e', 2),
		'subject_code', 2, 'form', 1, 'gia', 11, 'exam_date', '2027-05-28', 'global_id', 902))
	UNION ALL SELECT 3, t_row(4, 'registry_put', jsonb_build_object('type', 'exam', 'id', t_id('e', 3),
		'subject_code', 1, 'form', 1, 'exam_date', '2027-05-25'))
	-- exam points: mun1's, mun2's, one of an organization that does not exist, one naming a field
	-- no table has, one hosted by a school of another municipality
	UNION ALL SELECT 10, t_row(10, 'registry_put', jsonb_build_object('type', 'exam_point', 'id', t_id('p', 1),
		'org', 'mun1', 'code', '0101', 'name', 'ППЭ 1', 'address', 'ул. Ленина, 1', 'host_org', 'sch11', 'capacity', 300))
	UNION ALL SELECT 11, t_row(11, 'registry_put', jsonb_build_object('type', 'exam_point', 'id', t_id('p', 2),
		'org', 'mun2', 'code', '0201', 'name', 'ППЭ 2', 'address', 'ул. Мира, 2'))
	UNION ALL SELECT 12, t_row(12, 'registry_put', jsonb_build_object('type', 'exam_point', 'id', t_id('p', 3),
		'org', 'nosuch', 'code', '0301', 'name', 'ППЭ 3', 'address', 'ул. Мира, 3'))
	UNION ALL SELECT 13, t_row(13, 'registry_put', jsonb_build_object('type', 'exam_point', 'id', t_id('p', 4),
		'org', 'mun1', 'code', '0104', 'name', 'ППЭ 4', 'address', 'ул. Мира, 4', 'colour', 'синий'))
	UNION ALL SELECT 14, t_row(14, 'registry_put', jsonb_build_object('type', 'exam_point', 'id', t_id('p', 5),
		'org', 'mun1', 'code', '0105', 'name', 'ППЭ 5', 'address', 'ул. Мира, 5', 'host_org', 'sch21'))
	-- auditoriums: three of point 1 (one with its last 2 seats unusable), one whose seats do not
	-- fit the table's CHECK, one of a point that does not exist
	UNION ALL SELECT 20 + n, t_row(20 + n, 'registry_put', jsonb_build_object('type', 'auditorium',
		'id', t_id('a', n), 'point_id', t_id('p', 1), 'code', '00' || (10 + n), 'rows', 5, 'seats_per_row', 4)
		|| CASE WHEN n = 3 THEN '{\"unusable\": 2}'::jsonb ELSE '{}' END) FROM generate_series(1, 3) n
	UNION ALL SELECT 24, t_row(24, 'registry_put', jsonb_build_object('type', 'auditorium', 'id', t_id('a', 4),
		'point_id', t_id('p', 1), 'code', '0014', 'rows', 30, 'seats_per_row', 30))
	UNION ALL SELECT 25, t_row(25, 'registry_put', jsonb_build_object('type', 'auditorium', 'id', t_id('a', 5),
		'point_id', t_id('p', 9), 'code', '0015', 'rows', 5, 'seats_per_row', 4))
	-- staff of mun1 (one with role codes, one working at a school of the region), their exam points
	-- (one at another municipality's point: the row trigger refuses it)
	UNION ALL SELECT 30 + n, t_row(30 + n, 'registry_put', t_staff(t_id('s', n), n) || jsonb_build_object('org', 'mun1')
		|| CASE n WHEN 2 THEN '{\"roles\": [\"2\", \"3\"]}'::jsonb WHEN 3 THEN '{\"workplace_org\": \"sch21\"}'::jsonb
		   ELSE '{}' END) FROM generate_series(1, 3) n
	UNION ALL SELECT 34, t_row(34, 'registry_put', jsonb_build_object('type', 'staff_point', 'id', t_id('sp', 1),
		'staff_id', t_id('s', 1), 'point_id', t_id('p', 1)))
	UNION ALL SELECT 35, t_row(35, 'registry_put', jsonb_build_object('type', 'staff_point', 'id', t_id('sp', 2),
		'staff_id', t_id('s', 2), 'point_id', t_id('p', 2)))
	-- participants of sch11 and sch21, one born in the future, one whose class does not fit
	-- its form (the table's CHECK), one of an organization that does not exist
	UNION ALL SELECT 40 + n, t_row(40 + n, 'registry_put', t_person(t_id('pp', n), n,
		CASE WHEN n > 15 THEN 'sch21' ELSE 'sch11' END)) FROM generate_series(1, 20) n
	UNION ALL SELECT 61, t_row(61, 'registry_put', t_person(t_id('pp', 21), 21, 'sch11') || '{\"birth_date\": \"2030-01-01\"}')
	UNION ALL SELECT 62, t_row(62, 'registry_put', t_person(t_id('pp', 22), 22, 'sch11') || '{\"class\": \"9А\"}')
	UNION ALL SELECT 63, t_row(63, 'registry_put', t_person(t_id('pp', 23), 23, 'nosuch'))
	-- registrations: ten for exam 1, one for a participant that does not exist, one twice
	-- under another id (the unique index), one for the exam the unique index refused
	UNION ALL SELECT 70 + n, t_row(70 + n, 'registry_put', jsonb_build_object('type', 'exam_registration',
		'id', t_id('r', n), 'participant_id', t_id('pp', n), 'exam_id', t_id('e', 1))) FROM generate_series(1, 10) n
	UNION ALL SELECT 81, t_row(81, 'registry_put', jsonb_build_object('type', 'exam_registration',
		'id', t_id('r', 11), 'participant_id', t_id('pp', 99), 'exam_id', t_id('e', 1)))
	UNION ALL SELECT 82, t_row(82, 'registry_put', jsonb_build_object('type', 'exam_registration',
		'id', t_id('r', 12), 'participant_id', t_id('pp', 1), 'exam_id', t_id('e', 1)))
	UNION ALL SELECT 83, t_row(83, 'registry_put', jsonb_build_object('type', 'exam_registration',
		'id', t_id('r', 13), 'participant_id', t_id('pp', 2), 'exam_id', t_id('e', 3)))
	-- edits of rows written above (the next run), a stale one, deletes (one cascading)
	UNION ALL SELECT 90, t_row(90, 'registry_put', jsonb_build_object('type', 'exam_point', 'id', t_id('p', 1),
		'base', 1, 'name', 'ППЭ 1 (школа)'))
	UNION ALL SELECT 91, t_row(91, 'registry_put', t_person(t_id('pp', 3), 3, 'sch11') || '{\"base\": 1, \"name\": \"Павел\"}')
	UNION ALL SELECT 92, t_row(92, 'registry_put', t_person(t_id('pp', 4), 4, 'sch11') || '{\"base\": 7}')
	UNION ALL SELECT 93, t_row(93, 'registry_put', t_staff(t_id('s', 1), 1) || '{\"base\": 1, \"subject\": \"физика\"}')
	UNION ALL SELECT 94, t_row(94, 'registry_delete', jsonb_build_object('type', 'auditorium', 'id', t_id('a', 2),
		'reason', 'снесена'))
	UNION ALL SELECT 95, t_row(95, 'registry_delete', jsonb_build_object('type', 'participant', 'id', t_id('pp', 5)))
	UNION ALL SELECT 96, t_row(96, 'registry_delete', jsonb_build_object('type', 'participant', 'id', t_id('pp', 98)))
	-- the federal package's rows: a participant of sch12 by its GUID, one of a school karta does
	-- not know, its registrations by ExamGlobalID (one of an exam not in the schedule), an exam
	-- point of mun2, its auditorium, a staff member found by its school's GUID only
	UNION ALL SELECT 100, t_row(100, 'registry_gds_put', t_person(t_id('gp', 1), 1, 'x') - 'org'
		|| jsonb_build_object('org_guid', t_g('sch12'), 'extra', '{\"Pc\": \"1\"}'::jsonb))
	UNION ALL SELECT 101, t_row(101, 'registry_gds_put', t_person(t_id('gp', 2), 2, 'x') - 'org'
		|| jsonb_build_object('org_guid', md5('nowhere')::uuid))
	UNION ALL SELECT 102, t_row(102, 'registry_gds_put', jsonb_build_object('type', 'exam_registration',
		'id', t_id('gr', 1), 'participant_id', t_id('gp', 1), 'exam_global_id', 902))
	UNION ALL SELECT 103, t_row(103, 'registry_gds_put', jsonb_build_object('type', 'exam_registration',
		'id', t_id('gr', 2), 'participant_id', t_id('gp', 1), 'exam_global_id', 999))
	UNION ALL SELECT 104, t_row(104, 'registry_gds_put', jsonb_build_object('type', 'exam_point', 'id', t_id('gpt', 1),
		'org_guid', t_g('mun2'), 'code', '0202', 'name', 'ППЭ пакета', 'address', 'ул. Садовая, 1'))
	UNION ALL SELECT 105, t_row(105, 'registry_gds_put', jsonb_build_object('type', 'auditorium', 'id', t_id('ga', 1),
		'point_id', t_id('gpt', 1), 'code', '0001', 'rows', 2, 'seats_per_row', 2))
	UNION ALL SELECT 106, t_row(106, 'registry_gds_put', t_staff(t_id('gs', 1), 9) || jsonb_build_object('workplace_guid', t_g('sch21')))
	-- the package's assignments: the package's point to exam 2, one of its auditoriums to that
	-- assignment, a point to an exam not in the schedule
	UNION ALL SELECT 107, t_row(107, 'registry_gds_put', jsonb_build_object('type', 'exam_point_assignment',
		'id', t_id('gx', 1), 'point_id', t_id('gpt', 1), 'exam_global_id', 902, 'seats', 40,
		'extra', '{\"StationID\": \"1\"}'::jsonb))
	UNION ALL SELECT 108, t_row(108, 'registry_gds_put', jsonb_build_object('type', 'exam_auditorium',
		'id', t_id('gy', 1), 'point_id', t_id('gpt', 1), 'auditorium_id', t_id('ga', 1),
		'extra', jsonb_build_object('StationsExamsID', t_id('gx', 1))))
	UNION ALL SELECT 109, t_row(109, 'registry_gds_put', jsonb_build_object('type', 'exam_point_assignment',
		'id', t_id('gx', 2), 'point_id', t_id('gpt', 1), 'exam_global_id', 977))
	-- kartad's refusal of a row (its own checks), carried as such
	UNION ALL SELECT 110, jsonb_build_object('n', 110, 'k', 'refused', 'why', 'surname: not a name')
) x;" >/dev/null
kt_assert_eq 72 "$(kt_psql "SELECT count(*) FROM t_rows")" "the rows of the op"

# The tables as a row by row comparable text (times and the writing device left out).
SNAP="SELECT string_agg(t || ' ' || x, E'\n' ORDER BY t, x) FROM (
	SELECT 'participant' AS t, (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by' - 'deleted_at'
		|| jsonb_build_object('del', r.deleted_at IS NOT NULL))::text AS x FROM participant r
	UNION ALL SELECT 'exam', (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by' - 'deleted_at')::text FROM exam r
	UNION ALL SELECT 'reg', (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by' - 'deleted_at'
		|| jsonb_build_object('del', r.deleted_at IS NOT NULL))::text FROM exam_registration r
	UNION ALL SELECT 'point', (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by' - 'deleted_at')::text FROM exam_point r
	UNION ALL SELECT 'aud', (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by' - 'deleted_at'
		|| jsonb_build_object('del', r.deleted_at IS NOT NULL))::text FROM auditorium r
	UNION ALL SELECT 'staff', (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by' - 'deleted_at')::text FROM staff r
	UNION ALL SELECT 'sp', (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by' - 'deleted_at')::text FROM staff_point r
	UNION ALL SELECT 'epa', (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by' - 'deleted_at')::text
	FROM exam_point_assignment r
	UNION ALL SELECT 'ea', (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by' - 'deleted_at')::text FROM exam_auditorium r
	UNION ALL SELECT 'audit', concat_ws(' ', a.exam_id, a.step, a.status, a.summary) FROM planning_audit a
	UNION ALL SELECT 'feed', concat_ws(' ', c.entity_type, c.entity_id, c.row_version, c.op)
	FROM change_log c WHERE c.entity_type IN ('participant', 'exam', 'exam_registration', 'exam_point',
		'auditorium', 'staff', 'staff_point', 'exam_point_assignment', 'exam_auditorium')) s"
# set-wise: one op; each row's answer as "n letter status message"
kt_psql "SET track_functions = 'pl'; BEGIN;
CREATE TEMP TABLE t_res AS SELECT * FROM karta_upload($REG, jsonb_build_array(jsonb_build_object(
	'op_id', t_id('op', 1), 'digest', 'd1', 'kind', 'registry_rows',
	'a', jsonb_build_object('file', 'mixed.csv', 'unit', 'line', 'rows',
		(SELECT jsonb_agg(r ORDER BY i) FROM t_rows)))));
SELECT outcome || ' ' || status FROM t_res;
SELECT string_agg(concat_ws(' ', x.i, substr(d.r, x.i::int, 1), f->>'status', f->>'message'), E'\n' ORDER BY x.i)
FROM t_res, LATERAL (SELECT detail->>'r' AS r, detail->'refused' AS rf) d,
	generate_series(1, length(d.r)) x(i)
	LEFT JOIN LATERAL (SELECT f FROM jsonb_array_elements(d.rf) f WHERE (f->>'i')::int = x.i) ff ON true
WHERE (SELECT r FROM t_rows WHERE i = x.i)->>'k' <> 'refused';
SELECT detail->'refused'->-1 FROM t_res;
SELECT coalesce((SELECT calls FROM pg_stat_xact_user_functions WHERE funcname = 'karta_registry_put'), 0);
SELECT count(*) FROM op_log WHERE device_id = $REG;
$SNAP;
ROLLBACK;" >"$KT_WORK/setwise.out"
# one by one: each row its own op, through 0006's loop
kt_psql "BEGIN;
CREATE TEMP TABLE t_res AS SELECT r.*, row_number() OVER () AS k FROM karta_upload_serial($REG,
	(SELECT jsonb_agg(jsonb_build_object('op_id', t_id('one', i), 'digest', 'd' || i, 'kind', r->>'k',
		'a', r->'a') ORDER BY i) FROM t_rows WHERE r->>'k' <> 'refused')) r;
SELECT 'applied ok';
SELECT string_agg(concat_ws(' ', t.i, CASE WHEN x.outcome <> 'applied' THEN 'x' WHEN x.message = 'created' THEN 'c'
	WHEN x.message = 'deleted' THEN 'd' ELSE 'u' END, CASE WHEN x.outcome <> 'applied' THEN x.status END,
	CASE WHEN x.outcome <> 'applied' THEN x.message END), E'\n' ORDER BY t.i)
FROM (SELECT i, row_number() OVER (ORDER BY i) AS k FROM t_rows WHERE r->>'k' <> 'refused') t JOIN t_res x ON x.k = t.k;
SELECT '{\"i\": 72, \"k\": \"refused\", \"n\": 110, \"t\": null, \"status\": \"bad\", \"message\": \"surname: not a name\"}';
SELECT 'calls';
SELECT 1;
$SNAP;
ROLLBACK;" >"$KT_WORK/serial.out"
diff <(sed 74d "$KT_WORK/serial.out") <(sed 74d "$KT_WORK/setwise.out") >"$KT_WORK/rows.diff" ||
	kt_fail "one op of many rows differs from the rows one by one: $(head -c 3000 "$KT_WORK/rows.diff")"
got=$(sed -n 2,72p "$KT_WORK/setwise.out")
kt_assert_eq 18 "$(grep -c ' x ' <<<"$got")" "rows refused (by the set-wise checks and by the tables' rules)"
for want in '3 x conflict exam:' '6 x bad org: no such organization' '7 x bad colour is not a field of exam_point' \
	'8 x bad host_org: must be' '12 x bad seats_per_row' '13 x not_found point_id: no exam point' \
	'18 x bad staff_id: the staff member and the exam point' '39 x bad birth_date: is in the future' \
	'40 x bad class:' '41 x bad org: no such organization' '52 x not_found participant_id: no participant' \
	'53 x conflict exam_id: the participant is already registered' '54 x not_found exam_id: no exam' \
	'57 x conflict participant changed since version 7' '61 x not_found no participant' \
	'63 x not_found SchoolRegistration: no school with this GUID' '65 x not_found ExamGlobalID: no exam' \
	'71 x not_found ExamGlobalID: no exam'; do
	kt_assert_contains "$got" "$want" "row answer"
done
kt_assert_contains "$got" $'\n55 u\n' "an edit of a row the same op created"
kt_assert_contains "$got" $'\n59 d\n' "a delete"
kt_assert_contains "$got" $'\n68 c\n69 c\n70 c\n' "a staff member owned through its school's GUID, the assignments"
# the set-wise path wrote them: 0008's one-row function ran only for the refused rows and the
# halves of the runs a table rule stopped (26 calls here, against 72 one by one)
kt_assert_eq 1 "$(sed -n 75p "$KT_WORK/setwise.out")" "one op_log record"
serial_puts=$(sed -n 74p "$KT_WORK/setwise.out")
[ "$serial_puts" -le 35 ] || kt_fail "karta_registry_put ran $serial_puts times for 72 rows: not set-wise"

# the op for real: one op_log record; sent again, answered from it
up() { kt_psql "SELECT outcome || ' ' || coalesce(first_outcome, '-') || ' ' || message || ' ' ||
	length(detail->>'r') || ' ' || jsonb_array_length(detail->'refused')
	FROM karta_upload($REG, jsonb_build_array(jsonb_build_object('op_id', t_id('op', 1), 'digest', 'd1',
	'kind', 'registry_rows', 'a', jsonb_build_object('file', 'mixed.csv', 'unit', 'line',
	'rows', (SELECT jsonb_agg(r ORDER BY i) FROM t_rows)))))"; }
kt_assert_eq "applied - 72 rows: 53 written, 19 refused 72 19" "$(up)" "the op applied"
n_feed=$(kt_psql "SELECT count(*) FROM change_log")
kt_assert_eq "duplicate applied 72 rows: 53 written, 19 refused 72 19" "$(up)" "the op sent again"
kt_assert_eq "$n_feed" "$(kt_psql "SELECT count(*) FROM change_log")" "nothing written twice"
kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM op_log WHERE device_id = $REG")" "one op_log record for 72 rows"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM change_log WHERE origin_op_id IS DISTINCT FROM t_id('op', 1)
	AND entity_type IN ('participant', 'exam', 'exam_registration', 'exam_point', 'auditorium', 'staff', 'staff_point')")" \
	"every change stamped with the op"
kt_assert_eq "rejected bad op_id was used before for a different op" "$(kt_psql "SELECT outcome || ' ' || status || ' ' || message
	FROM karta_upload($REG, jsonb_build_array(jsonb_build_object('op_id', t_id('op', 1), 'digest', 'other',
	'kind', 'registry_rows', 'a', '{\"rows\": []}'::jsonb)))")" "an op id reused"
kt_assert_eq "rejected bad rows: a list of 1 to 5000 rows" "$(kt_psql "SELECT outcome || ' ' || status || ' ' || message
	FROM karta_upload($REG, jsonb_build_array(jsonb_build_object('op_id', t_id('op', 2), 'digest', 'x',
	'kind', 'registry_rows', 'a', '{\"rows\": {}}'::jsonb)))")" "rows not a list"
# a school's op with a row of another school: that row refused, the other written
kt_assert_eq "applied 2 rows: 1 written, 1 refused x denied no write access to the participant of organization sch12" \
	"$(kt_psql "SELECT outcome || ' ' || message || ' ' || substr(detail->>'r', 2, 1) || ' ' ||
	(detail->'refused'->0->>'status') || ' ' || (detail->'refused'->0->>'message')
	FROM karta_upload($SCH, jsonb_build_array(jsonb_build_object('op_id', t_id('op', 3), 'digest', 'x',
	'kind', 'registry_rows', 'a', jsonb_build_object('rows', jsonb_build_array(
		t_row(2, 'registry_put', t_person(t_id('sp1', 1), 31, 'sch11')),
		t_row(3, 'registry_put', t_person(t_id('sp1', 2), 32, 'sch12')))))))")" "another school's row"

# ---- 1b. the federal package's registrations on their typed path ----------------------------
# Runs of rbd_ParticipantsExams rows (karta_rows_gds_reg: typed columns, not jsonb a row)
# mixing rows it writes with every row it must leave to 0019/0008 — a participant unknown,
# deleted, blocked, an ExamGlobalID not in the schedule or not a number, an id that exists, a
# second registration of one participant for one exam (the unique index: the run is split);
# a school's run with a row of another school; a run of rows of other shapes (a base, a
# participant id in capitals: the general path) — the same answers, rows and feed as the
# rows one by one.
kt_psql "UPDATE participant SET blocked = true, block_reason = 'проверка' WHERE id = t_id('pp', 15)" >/dev/null
kt_psql "CREATE TABLE t.t_greg AS SELECT row_number() OVER (ORDER BY x.o)::int AS i, x.dev, x.op, x.r FROM (
	SELECT n AS o, $REG AS dev, 1 AS op, t_row(n + 1, 'registry_gds_put', jsonb_build_object('type', 'exam_registration',
		'id', t_id('gq', n), 'participant_id', t_id('pp', p), 'exam_global_id', g, 'gds_deleted', false,
		'extra', jsonb_build_object('REGION', '77', 'IsDeleted', 'false'))) AS r
	FROM (VALUES (1, 11, '902'), (2, 12, '902'), (3, 99, '902'), (4, 13, '999'), (5, 5, '902'),
		(6, 11, '902'), (7, 14, 'abc'), (8, 15, '902'), (9, 16, '901')) v(n, p, g)
	UNION ALL SELECT 10, $REG, 1, t_row(11, 'registry_gds_put', jsonb_build_object('type', 'exam_registration',
		'id', t_id('gr', 1), 'participant_id', t_id('gp', 1), 'exam_global_id', 902))
	UNION ALL SELECT 20 + n, $SCH, 2, t_row(n + 1, 'registry_gds_put', jsonb_build_object('type', 'exam_registration',
		'id', t_id('gs', n), 'participant_id', CASE WHEN n = 2 THEN t_id('gp', 1) ELSE t_id('pp', n + 1) END,
		'exam_global_id', 902)) FROM generate_series(1, 3) n
	UNION ALL SELECT 30 + n, $REG, 3, t_row(n + 1, 'registry_gds_put', jsonb_build_object('type', 'exam_registration',
		'id', t_id('gt', n), 'participant_id', CASE WHEN n = 3 THEN upper(t_id('pp', n + 17)::text)
		ELSE t_id('pp', n + 17)::text END, 'exam_global_id', 902)
		|| CASE WHEN n = 2 THEN '{\"base\": 0}'::jsonb ELSE '{}' END) FROM generate_series(1, 3) n
) x" >/dev/null
# gsnap SQL: SQL fills t_gres (i, st, msg); prints the rows' answers, the calls of the typed
# path, the tables
gsnap() {
	kt_psql "SET track_functions = 'pl'; BEGIN;
	CREATE TEMP TABLE t_gres (i int, st text, msg text);
	$1;
	SELECT string_agg(concat_ws(' ', i, st, msg), E'\n' ORDER BY i) FROM t_gres;
	SELECT 'calls ' || coalesce((SELECT calls FROM pg_stat_xact_user_functions WHERE funcname = 'karta_rows_gds_reg'), 0);
	$SNAP;
	ROLLBACK;"
}
# rows_set TABLE OP FILE: the SQL sending TABLE's rows (i, dev, op, r) as ops of many rows, one
# an op, in order, each row's answer into t_gres; rows_one TABLE OP: the same rows one op a row
rows_set() {
	echo "DO \$\$ DECLARE x record; BEGIN
		FOR x IN SELECT op, dev, jsonb_agg(r ORDER BY i) AS rows FROM $1 GROUP BY op, dev ORDER BY op LOOP
			INSERT INTO t_gres SELECT g.i, CASE WHEN substr(u.detail->>'r', g.k, 1) = 'x'
				THEN 'x ' || (f->>'status') ELSE substr(u.detail->>'r', g.k, 1) END, f->>'message'
			FROM karta_upload(x.dev, jsonb_build_array(jsonb_build_object('op_id', t_id('$2', x.op),
				'digest', 'd', 'kind', 'registry_rows', 'a', jsonb_build_object('file', '$3',
				'unit', 'element', 'rows', x.rows)))) u
			CROSS JOIN (SELECT i, row_number() OVER (ORDER BY i)::int AS k FROM $1 WHERE op = x.op) g
			LEFT JOIN LATERAL (SELECT f FROM jsonb_array_elements(u.detail->'refused') f
				WHERE (f->>'i')::int = g.k) ff ON true;
		END LOOP;
	END \$\$"
}
rows_one() {
	echo "DO \$\$ DECLARE x record; y record; BEGIN
		FOR x IN SELECT * FROM $1 ORDER BY op, i LOOP
			SELECT * INTO y FROM karta_upload_serial(x.dev, jsonb_build_array(jsonb_build_object('op_id',
				t_id('$2', x.i), 'digest', 'd', 'kind', x.r->>'k', 'a', x.r->'a')));
			INSERT INTO t_gres VALUES (x.i, CASE WHEN y.outcome <> 'applied' THEN 'x ' || y.status
				WHEN y.message = 'created' THEN 'c' ELSE 'u' END,
				CASE WHEN y.outcome <> 'applied' THEN y.message END);
		END LOOP;
	END \$\$"
}
# as three ops of many rows, in order
gsnap "$(rows_set t_greg gop rbd_ParticipantsExams.xml)" >"$KT_WORK/greg-set.out"
# one op a row, in the same order
gsnap "$(rows_one t_greg gone)" >"$KT_WORK/greg-one.out"
diff <(grep -v '^calls ' "$KT_WORK/greg-one.out") <(grep -v '^calls ' "$KT_WORK/greg-set.out") >"$KT_WORK/greg.diff" ||
	kt_fail "the package's registrations differ from one by one: $(head -c 3000 "$KT_WORK/greg.diff")"
got=$(cat "$KT_WORK/greg-set.out")
for want in '^1 c$' '^2 c$' '^3 x not_found ParticipantID' '^4 x not_found ExamGlobalID' '^5 x ' \
	'^6 x conflict exam_id: the participant is already registered' '^7 x bad' '^8 x .*blocked' '^9 c$' \
	'^10 x conflict' '^11 c$' '^12 x not_found participant_id: no participant' '^13 c$' '^14 c$' '^15 c$' '^16 c$'; do
	grep -q -- "$want" <<<"$got" || kt_fail "the package's registrations: no row answer «$want» in: $(head -n 16 <<<"$got")"
done
calls=$(sed -n 's/^calls //p' "$KT_WORK/greg-set.out")
[ "$calls" -ge 3 ] || kt_fail "the typed path ran $calls times: not for each of the three ops"
# registrations for an exam whose form or ГИА is not the participant's (a participant of ГВЭ
# for an ЕГЭ exam, one of the 9th grade for a ГИА-11 exam): the table's statement check refuses
# them; the typed path's statement proves that rule itself (the check is skipped for the rows it
# writes) and leaves them to 0019, whose put names it — the same answers, rows and feed as one
# by one
kt_psql "CREATE TABLE t.t_greg2 AS SELECT v.n AS i, $REG AS dev, 1 AS op,
	t_row(v.n + 1, 'registry_gds_put', jsonb_build_object('type', 'exam_registration', 'id', t_id('gm', v.n),
		'participant_id', t_id('pp', v.p), 'exam_global_id', 902, 'gds_deleted', false)) AS r
	FROM (VALUES (1, 18), (2, 17), (3, 19), (4, 20)) v(n, p)" >/dev/null
F2="UPDATE participant SET form = 4 WHERE id = t_id('pp', 17); UPDATE participant SET category = 2,
	class = '9А' WHERE id = t_id('pp', 19)" # (rolled back with the rest)
gsnap "$F2; $(rows_set t_greg2 gmop rbd_ParticipantsExams.xml)" >"$KT_WORK/greg2-set.out"
gsnap "$F2; $(rows_one t_greg2 gmone)" >"$KT_WORK/greg2-one.out"
diff <(grep -v '^calls ' "$KT_WORK/greg2-one.out") <(grep -v '^calls ' "$KT_WORK/greg2-set.out") >"$KT_WORK/greg2.diff" ||
	kt_fail "registrations against the exam's form differ from one by one: $(head -c 3000 "$KT_WORK/greg2.diff")"
got=$(cat "$KT_WORK/greg2-set.out")
for want in '^1 c$' "^2 x bad exam_id: the exam's form or ГИА" "^3 x bad exam_id: the exam's form or ГИА" '^4 c$'; do
	grep -q -- "$want" <<<"$got" || kt_fail "registrations against the exam's form: no row answer «$want» in: $(head -n 4 <<<"$got")"
done
[ "$(sed -n 's/^calls //p' "$KT_WORK/greg2-set.out")" -ge 1 ] || kt_fail "the typed path did not run for the exam's form"

# a new row's stamps, set once for a run (not through each row's object): written by the
# device, created and updated now, version 1 — participants (karta_rows_participants) and staff
# (karta_rows_put) as ops of many rows
kt_psql "CREATE TABLE t.t_stamp AS SELECT n AS i, $REG AS dev, 1 AS op, CASE WHEN n <= 2
	THEN t_row(n + 1, 'registry_put', t_person(t_id('sp', n), 40 + n, 'sch11'))
	ELSE t_row(n + 1, 'registry_put', t_staff(t_id('ss', n), 40 + n) || jsonb_build_object('org', 'mun1')) END AS r
	FROM generate_series(1, 4) n" >/dev/null
got=$(gsnap "$(rows_set t_stamp stop rbd_Participants.xml);
	INSERT INTO t_gres SELECT 90, 'stamps', count(*) FROM (SELECT id, updated_by, created_at, updated_at, row_version
		FROM participant UNION ALL SELECT id, updated_by, created_at, updated_at, row_version FROM staff) x
	WHERE x.id IN (t_id('sp', 1), t_id('sp', 2), t_id('ss', 3), t_id('ss', 4)) AND x.updated_by = $REG
	  AND x.created_at = now() AND x.updated_at = now() AND x.row_version = 1")
for want in '^1 c$' '^2 c$' '^3 c$' '^4 c$' '^90 stamps 4$'; do
	grep -q -- "$want" <<<"$got" || kt_fail "a new row's stamps: no «$want» in: $(head -n 5 <<<"$got")"
done

# a participant whose grad_org_id is no number: refused by the set-wise check in its words
# (the row is typed with the graduation school's id in its place), the other row written
kt_assert_eq "2 rows: 1 written, 1 refused|bad|grad_org: must be a school of the region" \
	"$(kt_psql "BEGIN; SELECT x.message || '|' || (x.detail->'refused'->0->>'status') || '|'
		|| (x.detail->'refused'->0->>'message')
	FROM karta_upload($REG, jsonb_build_array(jsonb_build_object('op_id', t_id('gop', 9), 'digest', 'd',
		'kind', 'registry_rows', 'a', jsonb_build_object('rows', jsonb_build_array(
			t_row(2, 'registry_put', t_person(t_id('pg', 1), 41, 'sch11') || '{\"grad_org_id\": \"abc\"}'),
			t_row(3, 'registry_put', t_person(t_id('pg', 2), 42, 'sch11'))))))) x; ROLLBACK")" \
	"a grad_org_id that is no number"

# ---- 1c. the federal package's rows, their GUIDs resolved by the put itself ------------------
# Runs of rbd_Participants rows as the client sends them (no organization by code or id, every
# GUID well-formed: karta_rows_participants resolves the school and the graduation school by
# GUID in its own statement; no op rebuilt a row) mixing rows it writes with every row it must
# refuse or leave to 0019/0008 — a school or graduation school karta does not know (or a
# municipality's GUID), a birth date in the future or no date, a class its form does not allow
# (the table's CHECK: the run is split), a number that is no number, a field no table has,
# texts to trim and fold, "" in a column of numbers and null in one of text, an id that exists,
# an edit, an edit moving the row to another school; a school's run with another school's row;
# a run with a GUID in capitals, a run with a GUID that is none (its rows rebuilt as ops, as
# before) — the same answers, rows and feed
# as the rows one by one. (A run's calls that a failing statement rolled back are not counted.)
kt_psql "CREATE TABLE t.t_gpart AS SELECT row_number() OVER (ORDER BY x.o)::int AS i, x.dev, x.op, x.r FROM (
	SELECT n AS o, $REG AS dev, 1 AS op, t_row(n + 1, 'registry_gds_put', t_person(t_id('gq', n), 50 + n, 'x') - 'org'
		|| jsonb_build_object('org_guid', t_g('sch12'), 'gds_deleted', false, 'ris_grad_guid', '',
			'extra', jsonb_build_object('Pc', n::text)) || v.j) AS r
	FROM (VALUES (1, '{}'::jsonb), (2, jsonb_build_object('grad_org_guid', t_g('sch21'))),
		(3, jsonb_build_object('org_guid', md5('nowhere')::uuid)),
		(4, jsonb_build_object('grad_org_guid', md5('nowhere')::uuid)),
		(5, jsonb_build_object('grad_org_guid', t_g('mun1'))), (6, '{\"birth_date\": \"2031-02-03\"}'),
		(8, '{\"surname\": \"  Петрова \", \"name\": \"Анна  Мария\"}'),
		(9, '{\"region_code\": \"\", \"patronymic\": null}'), (10, '{\"colour\": \"синий\"}'),
		(11, jsonb_build_object('id', t_id('pp', 1), 'org_guid', t_g('sch11'))),
		(12, jsonb_build_object('id', t_id('pp', 2), 'org_guid', t_g('sch11'), 'base', 1, 'name', 'Глеб')),
		(13, jsonb_build_object('id', t_id('pp', 6), 'org_guid', t_g('sch12'), 'base', 1)),
		(16, '{}')) v(n, j)
	UNION ALL SELECT 20 + n, $SCH, 2, t_row(n + 1, 'registry_gds_put', t_person(t_id('gz', n), 70 + n, 'x') - 'org'
		|| jsonb_build_object('org_guid', t_g(CASE WHEN n = 2 THEN 'sch12' ELSE 'sch11' END), 'gds_deleted', false))
	FROM generate_series(1, 3) n
	UNION ALL SELECT 30 + n, $REG, 3, t_row(n + 1, 'registry_gds_put', t_person(t_id('gy', n), 80 + n, 'x') - 'org'
		|| jsonb_build_object('org_guid', CASE WHEN n = 3 THEN upper(t_g('sch21')) ELSE t_g('sch21') END)
		|| CASE WHEN n = 2 THEN '{\"grad_org_guid\": \"не GUID\"}'::jsonb ELSE '{}' END)
	FROM generate_series(1, 3) n
	-- rows a statement stops (the table's CHECK, values that do not cast), first of 32: the
	-- first half goes down to rows one by one, the second half is written as a set
	UNION ALL SELECT 40 + n, $REG, 4, t_row(n + 1, 'registry_gds_put', t_person(t_id('gw', n), 90 + n, 'x') - 'org'
		|| jsonb_build_object('org_guid', t_g('sch12')) || CASE n WHEN 1 THEN '{\"class\": \"9А\"}'::jsonb
			WHEN 2 THEN '{\"sex\": \"abc\"}' WHEN 3 THEN '{\"birth_date\": \"вчера\"}' ELSE '{}' END)
	FROM generate_series(1, 32) n
	-- exam points, staff and auditoriums the same way: a point of mun1 and one of a municipality
	-- karta does not know; staff by their municipality and school, by their school only, by a
	-- municipality karta does not know, born in the future; an auditorium of the new point and one
	-- of a point that does not exist; then a run with a school GUID that is none (rebuilt as ops)
	UNION ALL SELECT 100 + n, $REG, 5, t_row(n + 1, 'registry_gds_put', CASE WHEN n <= 2 THEN
		jsonb_build_object('type', 'exam_point', 'id', t_id('gk', n), 'code', '090' || n, 'name', 'ППЭ 90' || n,
			'address', 'ул. Речная, ' || n, 'org_guid', CASE WHEN n = 1 THEN t_g('mun1') ELSE md5('nowhere')::uuid::text END)
		WHEN n <= 6 THEN t_staff(t_id('gk', n), 60 + n) || CASE n
			WHEN 3 THEN jsonb_build_object('org_guid', t_g('mun2'), 'workplace_guid', t_g('sch21'))
			WHEN 4 THEN jsonb_build_object('workplace_guid', t_g('sch12'))
			WHEN 5 THEN jsonb_build_object('org_guid', md5('nowhere')::uuid)
			ELSE jsonb_build_object('org_guid', t_g('mun1'), 'birth_date', '2031-01-01') END
		ELSE jsonb_build_object('type', 'auditorium', 'id', t_id('gk', n), 'code', '000' || n, 'rows', 2,
			'seats_per_row', 2, 'point_id', CASE WHEN n = 7 THEN t_id('gk', 1) ELSE t_id('gk', 99) END) END
		|| '{\"gds_deleted\": false}')
	FROM generate_series(1, 8) n
	UNION ALL SELECT 120, $REG, 6, t_row(2, 'registry_gds_put', t_staff(t_id('gk', 20), 80)
		|| jsonb_build_object('org_guid', t_g('mun1'), 'workplace_guid', 'не GUID'))
) x" >/dev/null
# psnap SQL: gsnap, then the runs applied by GUID (karta_rows_by_guid; a run's calls that a
# failing statement rolled back are not counted) and all the puts of the package's rows
psnap() {
	gsnap "$1"
	kt_psql "SET track_functions = 'pl'; BEGIN; CREATE TEMP TABLE t_gres (i int, st text, msg text); $1;
	SELECT 'byguid ' || coalesce((SELECT calls FROM pg_stat_xact_user_functions WHERE funcname = 'karta_rows_by_guid'), 0)
		|| ' put ' || coalesce((SELECT sum(calls) FROM pg_stat_xact_user_functions
			WHERE funcname IN ('karta_rows_put', 'karta_rows_participants')), 0);
	ROLLBACK"
}
psnap "$(rows_set t_gpart pop rbd_Participants.xml)" >"$KT_WORK/gpart-set.out"
gsnap "$(rows_one t_gpart pone)" >"$KT_WORK/gpart-one.out"
diff <(grep -v '^calls ' "$KT_WORK/gpart-one.out") <(grep -v '^calls \|^byguid ' "$KT_WORK/gpart-set.out") \
	>"$KT_WORK/gpart.diff" ||
	kt_fail "the package's participants differ from one by one: $(head -c 3000 "$KT_WORK/gpart.diff")"
got=$(cat "$KT_WORK/gpart-set.out")
for want in '^1 c$' '^2 c$' '^3 x not_found SchoolRegistration' '^4 x not_found SchoolOutcoming' \
	'^5 x not_found SchoolOutcoming' '^6 x bad birth_date: is in the future' '^7 c$' '^8 c$' \
	'^9 x bad colour is not a field of participant' '^10 x conflict a participant with this id exists' '^11 u$' \
	'^12 x bad org: a participant stays' '^13 c$' '^14 c$' \
	'^15 x denied no write access to the participant of organization sch12' '^16 c$' '^17 c$' '^18 x not_found SchoolOutcoming' '^19 c$' \
	'^20 x bad class' '^21 x bad sex' '^22 x bad birth_date' '^23 c$' '^51 c$' '^52 c$' \
	'^53 x not_found GovernmentID' '^54 c$' '^55 c$' '^56 x not_found GovernmentID' '^57 x bad birth_date' '^58 c$' \
	'^59 x not_found point_id' '^60 c$'; do
	grep -q -- "$want" <<<"$got" || kt_fail "the package's rows: no row answer «$want» in: $(head -n 60 <<<"$got")"
done
grep -q '"name": "Анна Мария".*"surname": "Петрова"' <<<"$got" || kt_fail "the package's participants: texts not trimmed and folded"
# by GUID: the runs of ops 1, 2 and 5 (three) and op 4's second half and its first half's second
# quarter — not op 3 (a GUID that is none: its rows rebuilt as ops) nor op 6 (its statement
# fails on that GUID: the row alone); the put ran once more, for op 3
calls=$(sed -n 's/^byguid //p' "$KT_WORK/gpart-set.out")
[ "$calls" = "7 put 9" ] || kt_fail "the package's runs applied by GUID, and the puts: $calls, not 7 put 9"

# ---- 2. a school's file with bad rows at known lines, through kartad -------------------------
CLIENT=$KT_WORK/client
mkdir -p "$CLIENT"
H='Фамилия;Имя;Отчество;Тип документа;Серия документа;Номер документа;Пол;Дата рождения;Класс;СНИЛС;Код ОО;Категория участника;Форма ГИА;ОВЗ'
# gen FILE SCHOOL FROM N: N participants of SCHOOL (documents FROM…), names of letters only
gen() {
	python3 - "$@" <<-'PY'
	import sys
	f, school, first, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
	abc = 'абвгдежзиклмнопрстуфхцчшэюя'
	def word(i):
	    w = ''
	    for _ in range(3):
	        w += abc[i % len(abc)]
	        i //= len(abc)
	    return w
	with open(f, 'w') as o:
	    o.write(sys.argv[5] + '\n')
	    for i in range(first, first + n):
	        o.write('Тест%s;Ученик%s;;1;45 0%d;%06d;М;12.03.2008;11А;;%s;1;ЕГЭ;0\n'
	                % (word(i), word(i * 7), i % 10, i, school))
	PY
}
offline() { sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/$1.conf" >"$KT_WORK/$1-off.conf"; }
offline sch11
n_part() { kt_psql "SELECT count(*) FROM participant WHERE org_id = $(org "$1")"; }
gen "$CLIENT/mixed.csv" sch11 500000 2500 "$H"
P0=$(n_part sch11) Q0=$(n_part sch12)
C0=$(kt_psql "SELECT count(*) FROM change_log WHERE entity_type = 'participant' AND feed_id = $(org sch11)")
# bad rows at lines 100 (a date that is not one), 1000 (a field short), 2000 (a wrong СНИЛС)
sed -i -e '100s/12\.03\.2008/31.02.2008/' -e '1000s/;0$//' -e '2000s/;;sch11;/;112-233-445 96;sch11;/' "$CLIENT/mixed.csv"
kt_ok sch11 sync
kt_refused sch11 "mixed.csv:100: «Дата рождения»: is not a calendar date" registry import participants "$CLIENT/mixed.csv"
kt_assert_contains "$KT_ERR" "mixed.csv:1000: "
kt_assert_contains "$KT_ERR" "mixed.csv:2000: «СНИЛС»: control number does not match"
kt_assert_contains "$KT_ERR" "3 of 2500 rows rejected (above): nothing imported"
kt_assert_eq 0 "$(kt_sq sch11 "SELECT count(*) FROM outbox")" "nothing queued without --partial"
kt_assert_eq "$P0" "$(n_part sch11)" "nothing written without --partial"
# --partial, offline: the 2,497 others queued as 3 ops of many rows
kt_refused sch11-off "mixed.csv:100: «Дата рождения»" registry import participants "$CLIENT/mixed.csv" --partial
kt_assert_contains "$KT_ERR" "offline: 2497 changes queued"
kt_assert_eq "3 2497" "$(kt_sq sch11 "SELECT (SELECT count(*) FROM outbox) || ' ' || (SELECT count(*) FROM outbox_row)")" \
	"the file queued as three ops"
kt_assert_eq 2497 "$(kt_karta sch11-off registry list participants 2>/dev/null | grep -c "^sch11 .* Тест")" "queued rows show at once"
# a row of another school planted in the first op (line 2: the first row; same length, so the op
# still decodes), as a client that skipped its checks would send it
python3 - "$(sed -n 's/^state_dir = //p' "$KT_WORK/sch11.conf")/replica.db" <<-'PY'
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	seq, body = db.execute('SELECT client_seq, body FROM outbox ORDER BY client_seq LIMIT 1').fetchone()
	db.execute('UPDATE outbox SET body = ? WHERE client_seq = ?',
	           (body.replace(b'"org":"sch11"', b'"org":"sch12"', 1), seq))
	db.commit()
	PY
kt_run kt_karta sch11 sync
kt_assert_contains "$KT_OUT" "sent 2497 changes: 2496 applied, 1 rejected" "sync counts rows"
kt_assert_contains "$KT_OUT" "registry_put participant: $CLIENT/mixed.csv line 2: rejected — no write access to the participant of organization sch12"
kt_assert_eq $((P0 + 2496)) "$(n_part sch11)" "the others written"
kt_assert_eq "$Q0" "$(n_part sch12)" "nothing written for sch12"
kt_assert_eq $((C0 + 2496)) "$(kt_psql "SELECT count(*) FROM change_log WHERE entity_type = 'participant'
	AND feed_id = $(org sch11)")" "each row fed once"
kt_assert_eq "0 0 1" "$(kt_sq sch11 "SELECT (SELECT count(*) FROM outbox) || ' ' || (SELECT count(*) FROM outbox_row)
	|| ' ' || (SELECT count(*) FROM rejected WHERE summary LIKE '%mixed.csv line 2')")" "the refused row on the rejected list"
kt_assert_contains "$(kt_karta sch11 status 2>&1)" "mixed.csv line 2" "karta status names the refused line"
# the file again, online (unspoiled): only the line the server refused is sent, and written
kt_refused sch11 "mixed.csv:100:" registry import participants "$CLIENT/mixed.csv" --partial
kt_assert_contains "$KT_OUT" "imported 2497 rows: 1 added, 0 updated, 2496 unchanged, 0 rejected by the server"
kt_assert_eq $((P0 + 2497)) "$(n_part sch11)" "nothing written twice"
kt_assert_replica_eq sch11 "sch11's replica"

# ---- 3. kartad killed, and then the backend terminated, while the ops commit ---------------
kill_run() { # HOW ORG FIRST-DOC
	local n0 c0 imp
	gen "$CLIENT/$2.csv" "$2" "$3" 3000 "$H"
	n0=$(n_part "$2")
	c0=$(kt_psql "SELECT count(*) FROM change_log WHERE entity_type = 'participant'")
	kt_ok "$2" sync
	kt_hold_lock op_log # an op's rows are written; its op_log record waits
	kt_bg "$KT_KARTA" --config "$KT_WORK/$2.conf" registry import participants "$CLIENT/$2.csv" \
		>"$KT_WORK/imp-$1.out" 2>&1
	imp=$KT_BG_PID
	kt_wait_blocked '%karta_upload%'
	kt_stop_upload "$1"
	kt_wait_exit "$imp" 120
	[ "$1" = kartad ] && kt_start_kartad
	kt_log "$1 stopped mid-import: $(kt_sq "$2" "SELECT count(*) FROM outbox") ops queued; $(n_part "$2") rows written"
	kt_ok "$2" sync
	kt_ok "$2" sync
	kt_assert_eq 0 "$(kt_sq "$2" "SELECT count(*) FROM outbox")" "outbox empty after the retry ($1)"
	kt_assert_eq $((n0 + 3000)) "$(n_part "$2")" "each row once ($1)"
	kt_assert_eq $((c0 + 3000)) "$(kt_psql "SELECT count(*) FROM change_log WHERE entity_type = 'participant'")" \
		"each row fed once ($1)"
	kt_assert_eq 3 "$(kt_psql "SELECT count(*) FROM op_log WHERE device_id = $(kt_dev_id "$2")
		AND kind = 'registry_rows' AND message = '1000 rows: 1000 written, 0 refused'")" "each op logged once ($1)"
	kt_ok "$2" registry import participants "$CLIENT/$2.csv"
	kt_assert_contains "$KT_OUT" "3000 unchanged" "the file again ($1)"
	kt_assert_replica_eq "$2" "replica after the crash ($1)"
}
kill_run kartad sch12 200000
kill_run backend sch21 300000

kt_stop_kartad
kt_pass
