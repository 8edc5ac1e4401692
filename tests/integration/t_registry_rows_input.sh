#!/usr/bin/env bash
# t_registry_rows_input: the set-wise apply of registry_rows ops takes a row's object as it is
# only when karta_registry_input (0008's normalization: texts trimmed, runs of white space one
# space, "" NULL in a column not of text, NULL "" in one of text) would not change it, and
# tells so from the row's text (sql/functions/35_upload_rows.sql). Real PostgreSQL:
#  1. every string of up to three characters over an alphabet of white space (space, tab,
#     newline, no-break, em and ideographic spaces), quotes, backslashes, JSON's separators and
#     a letter, and of four over a smaller one, as a participant's free text (citizenship) in
#     ops of a thousand rows: each stored exactly as the normalization makes it;
#  2. participants, an exam point and registrations with values the normalization changes or
#     refuses in every kind of column — white space around and inside names, documents,
#     СНИЛС, class, dates, numbers, ids and in an array of text, "" in a number column, null
#     in a text one, a field the table lacks, a value that does not cast, an edit — applied as
#     one registry_rows op and as one op a row through 0006's loop (0008's functions) from the
#     same state: every row the same answer, the same stored rows;
#  3. karta_grade and karta_snils_ok, made single expressions so that the CHECKs inline them,
#     give what their earlier forms (kept here) gave, on every class spelling of a grid of
#     prefixes, separators and letters and on 300,000 СНИЛС (every control number of 3,000
#     random ones and of those around 001-001-998).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/rows_lib.sh
. "$(dirname "$0")/rows_lib.sh"

kt_setup t_registry_rows_input
REG=$(kt_dev_id reg)
rows_schema_t
kt_psql "
CREATE FUNCTION t.t_op(p_op uuid, p_rows jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS \$\$
	SELECT jsonb_build_array(jsonb_build_object('op_id', p_op, 'digest', p_op::text, 'kind', 'registry_rows',
		'a', jsonb_build_object('file', 'input.csv', 'unit', 'line', 'rows', p_rows)))
\$\$;
-- the strings: 13 characters to length 3, 6 to length 4
CREATE TABLE t.t_str AS
WITH a(c) AS (SELECT unnest(ARRAY[' ', E'\t', E'\n', chr(160), chr(8195), chr(12288), '\"', E'\\\\', ':', ',',
	'}', ']', 'ф'])),
b(c) AS (SELECT unnest(ARRAY[' ', ':', ',', '\"', '}', 'ф']))
SELECT row_number() OVER (ORDER BY s)::int AS i, s FROM (
	SELECT '' AS s UNION SELECT c FROM a UNION SELECT a1.c || a2.c FROM a a1, a a2
	UNION SELECT a1.c || a2.c || a3.c FROM a a1, a a2, a a3
	UNION SELECT b1.c || b2.c || b3.c || b4.c FROM b b1, b b2, b b3, b b4) x;
" >/dev/null

# ---- 1. every short string as free text ---------------------------------------------------
n=$(kt_psql "SELECT count(*) FROM t_str")
[ "$n" -gt 3000 ] || kt_fail "expected over 3,000 strings, got $n"
kt_assert_contains "$(kt_psql "SELECT count(*) FILTER (WHERE s <> btrim(regexp_replace(s, '\s+', ' ', 'g'))) > 2000
	FROM t_str")" "t" "most strings are changed by the normalization"
for k in 0 1 2 3; do
	got=$(kt_psql "SELECT outcome || ' ' || message FROM karta_upload($REG, t_op(t_id('str', $k),
		(SELECT jsonb_agg(jsonb_build_object('n', i + 1, 'k', 'registry_put',
			'a', t_person(t_id('c', i), i) || jsonb_build_object('citizenship', s)) ORDER BY i)
		 FROM t_str WHERE (i - 1) / 1000 = $k)))")
	kt_assert_contains "$got" "applied " "op $k of the strings"
	kt_assert_contains "$got" " 0 refused" "op $k of the strings: nothing refused"
done
kt_assert_eq "$n 0" "$(kt_psql "SELECT count(*) || ' ' || count(*) FILTER (WHERE p.citizenship IS DISTINCT FROM
	btrim(regexp_replace(s.s, '\s+', ' ', 'g'))) FROM t_str s JOIN participant p ON p.id = t_id('c', s.i)")" \
	"every string stored as the normalization makes it (count, differing)"

# ---- 2. every kind of column, one op against one op a row ----------------------------------
kt_psql "
INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date)
SELECT t_id('e', 1), id, 2, 'Математика', 1, 11, '2027-06-01' FROM organization WHERE code = 'reg';
CREATE TABLE t.t_rows AS SELECT row_number() OVER (ORDER BY x.o)::int AS i, x.a FROM (
	SELECT n AS o, t_person(t_id('p', n), 500 + n) || v AS a FROM (VALUES
		(1, '{\"surname\": \" Смирнов\", \"name\": \"Олег \", \"patronymic\": \"Сергеевич  Иванович\"}'::jsonb),
		(2, jsonb_build_object('surname', E'Ива\tнов', 'name', E'\nПётр', 'patronymic', chr(8195) || 'Ильич')),
		(3, '{\"class\": \" 11 А \", \"doc_series\": \" 45 01\", \"doc_number\": \"100 503 \"}'),
		(4, '{\"snils\": \" 002-012-345 49\", \"citizenship\": \"Россия:  \"}'),
		(5, '{\"sex\": \"\"}'), (6, '{\"sex\": \" 2 \", \"birth_date\": \" 2009-05-01 \"}'),
		(7, '{\"patronymic\": null, \"citizenship\": null}'), (8, '{\"region_code\": \"\", \"extra\": \"\"}'),
		(9, '{\"conditions\": [\" a  b \", \"c\", \"\"]}'), (10, '{\"colour\": \" синий \"}'),
		(11, '{\"sex\": \"x\"}'), (12, jsonb_build_object('name', 'Пётр' || chr(160))),
		(13, '{\"surname\": \"Ива\\\\нов\"}'), (14, '{\"name\": \"Пётр\", \"ovz\": \" true\"}'),
		(15, '{\"category\": \" \", \"block_reason\": \"  \"}'), (16, '{}')) v(n, v)
	UNION ALL SELECT 20, jsonb_build_object('type', 'exam_point', 'id', t_id('ep', 1), 'org', 'mun1',
		'code', ' 0101', 'name', E'ППЭ\t 1 ', 'address', ' ул. Ленина,  1', 'capacity', ' 300 ', 'phones', null)
	UNION ALL SELECT 30 + n, jsonb_build_object('type', 'exam_registration', 'id', t_id('r', n),
		'participant_id', CASE WHEN n = 2 THEN ' ' ELSE '' END || t_id('p', n)::text, 'exam_id', t_id('e', 1)::text
		|| CASE WHEN n = 3 THEN ' ' ELSE '' END) FROM generate_series(1, 4) n
	UNION ALL SELECT 40, jsonb_build_object('type', 'participant', 'id', t_id('p', 16), 'base', 1,
		'surname', '  Петров ', 'class', '9Б', 'form', 2, 'conditions', jsonb_build_array(' x ', 'y'))) x;
" >/dev/null
SNAP="SELECT string_agg(t || ' ' || x, E'\n' ORDER BY t, x) FROM (
	SELECT 'participant' AS t, (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by')::text AS x FROM participant r
	WHERE r.id NOT IN (SELECT t_id('c', i) FROM t_str)
	UNION ALL SELECT 'point', (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by')::text FROM exam_point r
	UNION ALL SELECT 'reg', (to_jsonb(r) - 'created_at' - 'updated_at' - 'updated_by')::text FROM exam_registration r
	UNION ALL SELECT 'feed', concat_ws(' ', c.entity_type, c.entity_id, c.row_version, c.op) FROM change_log c
	WHERE c.entity_id NOT IN (SELECT t_id('c', i) FROM t_str)) s"
kt_psql "BEGIN;
CREATE TEMP TABLE t_res AS SELECT * FROM karta_upload($REG, t_op(t_id('mixed', 1),
	(SELECT jsonb_agg(jsonb_build_object('n', i + 1, 'k', 'registry_put', 'a', a) ORDER BY i) FROM t_rows)));
SELECT string_agg(concat_ws(' ', x.i, substr(d.r, x.i::int, 1), f->>'status', f->>'message'), E'\n' ORDER BY x.i)
FROM t_res, LATERAL (SELECT detail->>'r' AS r, detail->'refused' AS rf) d, generate_series(1, length(d.r)) x(i)
	LEFT JOIN LATERAL (SELECT f FROM jsonb_array_elements(d.rf) f WHERE (f->>'i')::int = x.i) ff ON true;
$SNAP;
ROLLBACK;" >"$KT_WORK/setwise.out"
kt_psql "BEGIN;
CREATE TEMP TABLE t_res AS SELECT r.*, row_number() OVER () AS k FROM karta_upload_serial($REG,
	(SELECT jsonb_agg(jsonb_build_object('op_id', t_id('one', i), 'digest', 'd' || i, 'kind', 'registry_put',
		'a', a) ORDER BY i) FROM t_rows)) r;
SELECT string_agg(concat_ws(' ', x.k, CASE WHEN x.outcome <> 'applied' THEN 'x' WHEN x.message = 'created' THEN 'c'
	ELSE 'u' END, CASE WHEN x.outcome <> 'applied' THEN x.status END,
	CASE WHEN x.outcome <> 'applied' THEN x.message END), E'\n' ORDER BY x.k) FROM t_res x;
$SNAP;
ROLLBACK;" >"$KT_WORK/serial.out"
diff "$KT_WORK/serial.out" "$KT_WORK/setwise.out" >"$KT_WORK/rows.diff" ||
	kt_fail "one op of many rows differs from the rows one by one: $(head -c 3000 "$KT_WORK/rows.diff")"
got=$'\n'$(cat "$KT_WORK/setwise.out")$'\n'
for want in 1 2 3 4 6 7 9 14 16 17 18 19 20 21; do
	kt_assert_contains "$got" $'\n'"$want c"$'\n' "row $want written"
done
kt_assert_contains "$got" $'\n22 u\n' "row 22 (an edit) written"
for want in '5 x bad' '10 x bad colour is not a field of participant' '11 x bad' '12 x bad name:' \
	'13 x bad surname:'; do
	kt_assert_contains "$got" $'\n'"$want" "row refused"
done
for want in '"surname": "Смирнов"' '"name": "Олег"' '"patronymic": "Сергеевич Иванович"' '"surname": "Ива нов"' \
	'"snils": "00201234549"' '"citizenship": "Россия:"' '"conditions": ["a b", "c", ""]' '"code": "0101"' \
	'"name": "ППЭ 1"' '"class": "11 А"' '"doc_series": "4501"' '"surname": "Петров"'; do
	kt_assert_contains "$got" "$want" "stored as normalized: $want"
done

# ---- 3. the CHECKs' functions against their earlier forms ------------------------------------
kt_psql "
CREATE FUNCTION t.grade0(s text) RETURNS int LANGUAGE sql IMMUTABLE AS \$\$
	SELECT CASE WHEN g BETWEEN 1 AND 12 THEN g ELSE 0 END
	FROM (SELECT (substring(s FROM '^([0-9]{1,2})(?:[ -]?[A-Za-zА-ЯЁа-яё])?\$'))::int AS g) x
\$\$;
CREATE FUNCTION t.snils0(s text) RETURNS boolean LANGUAGE sql IMMUTABLE AS \$\$
	SELECT CASE
	WHEN s IS NULL OR s !~ '^[0-9]{11}\$' OR substr(s, 1, 9) = '000000000' THEN false
	WHEN substr(s, 1, 9) <= '001001998' THEN true
	ELSE substr(s, 10, 2)::int = (
		SELECT CASE WHEN m IN (100, 101) THEN 0 ELSE m END
		FROM (SELECT CASE WHEN t > 101 THEN t % 101 ELSE t END AS m
		      FROM (SELECT sum(substr(s, i, 1)::int * (10 - i))::int AS t
		            FROM generate_series(1, 9) i) x) y)
	END
\$\$;" >/dev/null
kt_assert_eq "2206 0 199" "$(kt_psql "
WITH p(x) AS (SELECT unnest(ARRAY['', '0', '00', '000', '1', '01', '001', '9', '09', '10', '11', '12', '13', '19',
	'20', '99', '100', '012', 'А', ' 9', 'x'])),
sp(x) AS (SELECT unnest(ARRAY['', ' ', '-', '--', '  ', '_', '.'])),
sf(x) AS (SELECT unnest(ARRAY['', 'А', 'а', 'Ё', 'ё', 'Я', 'B', 'z', 'АБ', '1', '.', ' ', 'Ж ', 'ы', 'Ъ'])),
s AS (SELECT p.x || sp.x || sf.x AS s FROM p, sp, sf UNION ALL SELECT NULL)
SELECT count(*) || ' ' || count(*) FILTER (WHERE grade0(s) IS DISTINCT FROM karta_grade(s)) || ' '
	|| count(*) FILTER (WHERE karta_grade(s) > 0) FROM s")" "karta_grade as before (classes, differing, grades)"
got=$(kt_psql "SELECT setseed(0.18);
WITH s AS (SELECT lpad((floor(random() * 1e9))::bigint::text, 9, '0') || lpad(c::text, 2, '0') AS s
	FROM generate_series(1, 3000) g, generate_series(0, 99) c
	UNION ALL SELECT lpad(g::text, 9, '0') || lpad(c::text, 2, '0') FROM generate_series(1001990, 1002010) g,
		generate_series(0, 99) c
	UNION ALL SELECT unnest(ARRAY[NULL, '', '0000000000', '000000000000', '00000000000', 'abcdefghijk',
		'123-456-789 0', '1234567890a', '12345678901']))
SELECT count(*) || ' ' || count(*) FILTER (WHERE snils0(s) IS DISTINCT FROM karta_snils_ok(s)) || ' '
	|| (count(*) FILTER (WHERE karta_snils_ok(s)) > 3000) FROM s" | tail -n 1)
kt_assert_eq "302109 0 true" "$got" "karta_snils_ok as before (numbers, differing, some valid)"
kt_pass
