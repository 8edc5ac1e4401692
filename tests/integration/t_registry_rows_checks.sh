#!/usr/bin/env bash
# t_registry_rows_checks: kartad passes a registry_rows op on to the database unparsed (issue 22:
# its jansson parse of every op was most of its CPU); the checks it ran on each row run in the
# database (karta_rows_why, sql/functions/35_upload_rows.sql) for the ops that come through it
# (karta_upload_seq), with its words. Real PostgreSQL, TLS, kartad and karta:
#  1. the words: the C rules (kt_check_name, kt_check_snils through tests/tools/kt_rule_words)
#     and their SQL (karta_rows_name_why, karta_rows_snils_why after karta_rows_trim) over the
#     rules' corpus and the edges of the trimming (tab, CR, LF, no-break spaces, in which
#     order) and of the lengths (characters and the bytes C reads): the same message, or none,
#     for every value;
#  2. an op's rows through karta_upload_seq, kartad's text: each field of a participant and of
#     a staff member (a name, "must be text", an optional one empty, СНИЛС), the first field
#     that fails named, an edit naming no person field, rows that are no {"n", "k", "a"}, a
#     deletion's reason, a k that names no kind (a JSON string or not), a row refused before —
#     each refused alone with kartad's words, the others written; a key twice in a row's
#     object: the last one is the value checked and the value written (jsonb keeps the last;
#     kartad's jansson refused such an op whole); the same rows through karta_upload (the
#     database's side alone) meet only its own rules;
#  3. the op whole through karta_upload_seq: JSON that is none, a JSON array, rows that are no
#     list, an empty list — each refused with kartad's words of before, between ops that are
#     applied, every answer in its place; "rows" twice: the last; a text kartad did not write
#     fails the Upload (sent again), nothing written;
#  4. forged ops through kartad: bytes that are not UTF-8 and a raw RS are refused by kartad
#     (nothing reaches the database), JSON that is none by the database (its op_log record),
#     an op's bad row alone.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/rows_lib.sh
. "$(dirname "$0")/rows_lib.sh"

kt_setup t_registry_rows_checks
REG=$(kt_dev_id reg)

# ---- 1. the words, C and SQL ----------------------------------------------------------------
python3 - "$KT_SRC/tests/fixtures/rules/corpus.tsv" >"$KT_WORK/values.jsonl" <<-'PY'
	import json, sys
	out = []
	for line in open(sys.argv[1], encoding='utf-8'):
	    line = line.rstrip('\n')
	    if not line or line.startswith('#') or '\t' not in line:
	        continue
	    rule, v = line.split('\t', 1)
	    if rule in ('name', 'snils'):
	        out.append((rule, v))
	nb, sp = '\u00a0', ' \t\r\n'
	for v in ['Иванов', 'Ёлкин', "Д'Артаньян", 'Жанна д’Арк', 'St. John', 'Анна Мария']:
	    for pre, post in [(' ', ' '), ('\t', '\n'), ('\r\n', ''), (nb, nb), (nb + nb, ''), (' ' + nb, ''),
	                      (nb + ' ', ''), ('', ' ' + nb), ('', nb + ' '), ('\u202f', ''), ('\u2003', '')]:
	        out.append(('name', pre + v + post))
	out += [('name', v) for v in ['', ' ', nb, ' ' + nb + ' ', 'Ива\tнов', 'Ива\nнов', 'Ива' + nb + 'нов',
	        'Ива  нов', '1Иванов', '.Иванов', "'Иванов", 'Иванов1', 'Иванов!', 'Иванов😀', '😀',
	        'Иванов_', 'Ωмега', 'ǅoković', 'Ѐӿ', 'ԀԀ']]
	for n in (99, 100, 101, 199, 200, 201, 202, 300):
	    out += [('name', 'ж' * n), ('name', 'z' * n), ('name', 'ж' * n + '  '), ('name', '  ' + 'ж' * n),
	            ('name', 'ж' * n + '1'), ('name', '1' + 'ж' * n), ('name', 'ж' * (n // 2) + '1' + 'ж' * (n // 2))]
	out += [('name', '’' * 134), ('name', 'ж' + '’' * 133), ('name', 'ж' + '’' * 134)]
	for v in ['112-233-445 95', '11223344595', '001-001-998 00', '112-233-445 96', '000-000-000 00']:
	    for pre, post in [(' ', ' '), ('\t', '\r\n'), (nb, ''), ('', nb), (nb + ' ', ''), (' ' + nb, '')]:
	        out.append(('snils', pre + v + post))
	out += [('snils', v) for v in ['', ' ', '-', ' - ', '112-233-445 9', '112-233-445 955', '112–233–445 95',
	        '112_233_445 95', '112\t233 445 95', '١١٢٢٣٣٤٤٥٩٥', '１１２２３３４４５９５', '112 - 233 - 445 - 95',
	        '--11223344595--', '0000000000', '000-000-000 01', '000-000-001 00', '99999999999',
	        '1' * 11 + ' ' * 116, '1' * 11 + ' ' * 117, ' ' * 116 + '1' * 11, '1' * 11 + '-' * 120]]
	for rule, v in out:
	    print(json.dumps([rule, v], ensure_ascii=False))
	PY
"$KT_BIN/tests/kt_rule_words" <"$KT_WORK/values.jsonl" >"$KT_WORK/c.jsonl" || kt_fail "kt_rule_words failed"
n=$(wc -l <"$KT_WORK/c.jsonl")
[ "$n" -gt 200 ] || kt_fail "only $n values judged"
kt_psql "CREATE TABLE t_words (n serial, j jsonb)"
psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" \
	-c "\\copy t_words(j) FROM '$KT_WORK/c.jsonl' (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')" ||
	kt_fail "cannot load the C words"
kt_assert_eq "$n" "$(kt_psql "SELECT count(*) FROM t_words")" "every value loaded"
# both outcomes and every message of each rule occur, so neither side can pass by saying one thing
kt_assert_eq "name:|name:is longer than 100 characters|name:may hold only letters, spaces, hyphens, apostrophes and dots|name:must start with a letter|snils:|snils:control number does not match|snils:is not a real number (all zeros)|snils:must be 11 digits (ХХХ-ХХХ-ХХХ ХХ)" \
	"$(kt_psql "SELECT string_agg(DISTINCT (j->>0) || ':' || coalesce(j->>2, ''), '|') FROM t_words")" \
	"every C message occurs"
diff=$(kt_psql "SELECT format('%s %s: C says %s, SQL says %s', j->>0, j->1, coalesce(j->>2, 'nothing'),
		coalesce(s, 'nothing'))
	FROM (SELECT n, j, CASE j->>0 WHEN 'name' THEN karta_rows_name_why(karta_rows_trim(j->>1))
		ELSE karta_rows_snils_why(karta_rows_trim(j->>1)) END AS s FROM t_words) x
	WHERE s IS DISTINCT FROM j->>2 ORDER BY n")
[ -z "$diff" ] || kt_fail "C and SQL word the rules differently on $(wc -l <<<"$diff") value(s): $(head -c 3000 <<<"$diff")"
kt_log "$n values: C and SQL say the same of every one"

# ---- 2. an op's rows through kartad's text ------------------------------------------------
rows_schema_t
kt_psql "
CREATE FUNCTION t.t_staff(p_id uuid, n int) RETURNS jsonb LANGUAGE sql IMMUTABLE AS \$\$
	SELECT jsonb_build_object('type', 'staff', 'id', p_id, 'org', 'mun1', 'code', lpad((200000 + n)::text, 6, '0'),
		'surname', 'Петрова', 'name', 'Анна', 'doc_type', 1, 'doc_series', '4601',
		'doc_number', lpad((300000 + n)::text, 6, '0'), 'snils', '', 'roles', jsonb_build_array('1'))
\$\$;
-- kartad's text of ops: each RS, its head, the arguments' text as given
CREATE FUNCTION t.t_seq(p_ops text[]) RETURNS text LANGUAGE sql IMMUTABLE AS \$\$
	SELECT string_agg(chr(30) || format('{\"op_id\":\"%s\",\"digest\":\"%s\",\"kind\":\"registry_rows\",\"a\":',
		t_id('op', x.i::int), md5(x.a)) || x.a || '}', '' ORDER BY x.i)
	FROM unnest(p_ops) WITH ORDINALITY x(a, i)
\$\$;
CREATE TABLE t.t_rows (n int, r text);
INSERT INTO t.t_rows SELECT n, r::text FROM (VALUES
	(2, jsonb_build_object('n', 2, 'k', 'registry_put', 'a', t_person(t_id('p', 2), 2) || '{\"snils\": \" 112-233-445 95\"}')),
	(3, jsonb_build_object('n', 3, 'k', 'registry_put', 'a', t_person(t_id('p', 3), 3) || '{\"surname\": \"1Орлов\"}')),
	(4, jsonb_build_object('n', 4, 'k', 'registry_put', 'a', t_person(t_id('p', 4), 4) || '{\"name\": 5}')),
	(5, jsonb_build_object('n', 5, 'k', 'registry_put', 'a', t_person(t_id('p', 5), 5) || '{\"patronymic\": \"\"}')),
	(6, jsonb_build_object('n', 6, 'k', 'registry_put', 'a', t_person(t_id('p', 6), 6) || '{\"patronymic\": \"Ив@нович\"}')),
	(7, jsonb_build_object('n', 7, 'k', 'registry_put', 'a', t_person(t_id('p', 7), 7) || '{\"snils\": \"112-233-445 96\"}')),
	(8, jsonb_build_object('n', 8, 'k', 'registry_put', 'a', t_person(t_id('p', 8), 8) || '{\"snils\": \"\"}')),
	(9, jsonb_build_object('n', 9, 'k', 'registry_put', 'a', t_person(t_id('p', 9), 9) || '{\"snils\": \"000-000-000 00\"}')),
	(10, jsonb_build_object('n', 10, 'k', 'registry_put', 'a', t_person(t_id('p', 10), 10)
		|| '{\"snils\": \"1\", \"name\": \"-\", \"surname\": \" Смирнов \"}')),
	(11, jsonb_build_object('n', 11, 'k', 'registry_put', 'a', t_staff(t_id('s', 11), 11) || '{\"snils\": \"1122334459\"}')),
	(12, jsonb_build_object('n', 12, 'k', 'registry_put', 'a', t_staff(t_id('s', 12), 12))),
	(13, jsonb_build_object('n', 13, 'k', 'registry_put', 'a', '{\"type\": \"participant\", \"base\": 1, \"class\": \"11Б\"}'::jsonb
		|| jsonb_build_object('id', t_id('p', 2)))),
	(14, '5'::jsonb),
	(15, '{\"n\": 15, \"k\": \"registry_put\", \"a\": [1]}'),
	(16, jsonb_build_object('n', 16, 'k', 7, 'a', t_person(t_id('p', 16), 16))),
	(17, jsonb_build_object('n', 17, 'a', t_person(t_id('p', 17), 17))),
	(18, jsonb_build_object('n', 18, 'k', 'registry_delete', 'a', jsonb_build_object('type', 'participant',
		'id', t_id('p', 8), 'reason', 5))),
	(19, jsonb_build_object('n', 19, 'k', 'registry_delete', 'a', jsonb_build_object('type', 'participant',
		'id', t_id('p', 8), 'reason', repeat('ж', 1001)))),
	(20, jsonb_build_object('n', 20, 'k', 'registry_delete', 'a', jsonb_build_object('type', 'participant',
		'id', t_id('p', 8), 'reason', repeat('ж', 1000)))),
	(21, '{\"n\": 21, \"k\": \"refused\", \"why\": \"surname: not a name\"}'),
	(22, jsonb_build_object('n', 22, 'k', 'registry_put', 'a', t_person(t_id('p', 22), 22) || '{\"name\": \"Ива\tн\"}')),
	(23, jsonb_build_object('n', 23, 'k', 'registry_bogus', 'a', t_person(t_id('p', 23), 23))),
	(27, jsonb_build_object('n', 27, 'k', true, 'a', t_person(t_id('p', 27), 27)))) v(n, r);
-- a key twice in a row's object (jsonb cannot hold it: the texts are written so)
INSERT INTO t.t_rows SELECT 24, '{\"n\": 24, \"k\": \"registry_put\", \"a\": {\"surname\": \"1Плохов\", '
	|| substr(t_person(t_id('p', 24), 24)::text, 2) || '}';
INSERT INTO t.t_rows SELECT 25, '{\"n\": 25, \"k\": \"registry_put\", \"a\": '
	|| left(t_person(t_id('p', 25), 25)::text, -1) || ', \"surname\": \"1Плохов\"}}';
INSERT INTO t.t_rows SELECT 26, '{\"n\": 26, \"k\": \"registry_put\", \"a\": '
	|| left((t_person(t_id('p', 26), 26) || '{\"surname\": \"1Плохов\"}')::text, -1) || ', \"surname\": \"Хорошев\"}}';
" >/dev/null
ROWS_OP="'{\"file\": \"p.csv\", \"unit\": \"line\", \"rows\": [' || (SELECT string_agg(r, ', ' ORDER BY n) FROM t_rows) || ']}'"
# each row's answer "n letter [status message]"
answers() { # FUNCTION-CALL
	kt_psql "BEGIN; CREATE TEMP TABLE t_res AS $1;
	SELECT outcome || ' ' || status || ' ' || message FROM t_res;
	SELECT string_agg(concat_ws(' ', x.i + 1, substr(r.detail->>'r', x.i, 1), f->>'status', f->>'message'),
		E'\n' ORDER BY x.i)
	FROM t_res r, generate_series(1, length(r.detail->>'r')) x(i)
	LEFT JOIN LATERAL (SELECT f FROM jsonb_array_elements(r.detail->'refused') f WHERE (f->>'i')::int = x.i) ff ON true;
	SELECT string_agg(concat_ws(' ', f->>'n', f->>'k', f->>'t'), ',' ORDER BY (f->>'i')::int)
	FROM t_res r, jsonb_array_elements(r.detail->'refused') f;
	SELECT string_agg(p.doc_number || ' ' || p.surname || ' ' || p.name || ' ' || p.class || ' '
		|| (p.deleted_at IS NOT NULL), ',' ORDER BY p.doc_number)
	FROM participant p WHERE p.org_id = (SELECT id FROM organization WHERE code = 'sch11');
	SELECT count(*) FROM staff;
	ROLLBACK"
}
got=$(answers "SELECT * FROM karta_upload_seq($REG, t_seq(ARRAY[$ROWS_OP]))")
want="applied ok 26 rows: 8 written, 18 refused
2 c
3 x bad surname: must start with a letter
4 x bad name: must be text
5 c
6 x bad patronymic: may hold only letters, spaces, hyphens, apostrophes and dots
7 x bad snils: control number does not match
8 c
9 x bad snils: is not a real number (all zeros)
10 x bad name: must start with a letter
11 x bad snils: must be 11 digits (ХХХ-ХХХ-ХХХ ХХ)
12 c
13 u
14 x bad a row is {\"n\", \"k\", \"a\"}
15 x bad a row is {\"n\", \"k\", \"a\"}
16 x bad a row is {\"n\", \"k\", \"a\"}
17 x bad a row is {\"n\", \"k\", \"a\"}
18 x bad reason: must be text
19 x bad reason is longer than 1000 characters
20 d
21 x bad surname: not a name
22 x bad name: may hold only letters, spaces, hyphens, apostrophes and dots
23 x bad k: registry_put, registry_delete or registry_gds_put
24 c
25 x bad surname: must start with a letter
26 c
27 x bad a row is {\"n\", \"k\", \"a\"}"
kt_assert_eq "$want" "$(sed -n 1,27p <<<"$got")" "each row's answer, kartad's words"
# the refused rows named as the client names them: their line, kind and table
kt_assert_eq "3 registry_put participant,4 registry_put participant,6 registry_put participant,7 registry_put participant,9 registry_put participant,10 registry_put participant,11 registry_put staff,,15 registry_put,16 7 participant,17 participant,18 registry_delete participant,19 registry_delete participant,21 refused,22 registry_put participant,23 registry_bogus participant,25 registry_put participant,27 true participant" \
	"$(sed -n 28p <<<"$got")" "the refused rows' line, kind and table"
kt_assert_eq "100002 Иванов Пётр 11Б false,100005 Иванов Пётр 11А false,100008 Иванов Пётр 11А true,100024 Иванов Пётр 11А false,100026 Хорошев Пётр 11А false" \
	"$(sed -n 29p <<<"$got")" "the rows written (row 24: the last surname; 26: the last, checked and written)"
kt_assert_eq 1 "$(sed -n 30p <<<"$got")" "the staff member written"
# through karta_upload (the database alone, no kartad before it): its own rules only — the
# name with a tab inside is folded and written, the surname refused by the table's CHECK
got=$(answers "SELECT * FROM karta_upload($REG, jsonb_build_array(jsonb_build_object('op_id', t_id('op', 1),
	'digest', 'd', 'kind', 'registry_rows', 'a', ($ROWS_OP)::jsonb)))")
kt_assert_contains "$got" $'\n3 x bad surname: must start with a letter and hold only' "karta_upload: the CHECK's words"
kt_assert_contains "$got" $'\n22 c\n' "karta_upload: the name with a tab inside folded"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM op_log")" "nothing kept"

# ---- 3. the op whole ----------------------------------------------------------------------
GOOD="'{\"rows\": [' || (SELECT r FROM t_rows WHERE n = 2) || ']}'"
GOOD2="'{\"rows\": [' || (SELECT jsonb_set(r::jsonb, '{a,id}', to_jsonb(t_id('p', 55)))::text FROM t_rows WHERE n = 5) || ']}'"
up_seq() { kt_psql "SELECT string_agg(concat_ws(' ', outcome, status, message, first_outcome), E'\n')
	FROM karta_upload_seq($REG, t_seq(ARRAY[$1]))"; }
ops="$GOOD, '{\"rows\": [' || (SELECT r FROM t_rows WHERE n = 3), '[]', '{\"rows\": {}}', '{\"rows\": []}',
	'{\"rows\": 5, \"rows\": [' || (SELECT r FROM t_rows WHERE n = 8) || ']}',
	'{\"rows\": [\"\\u0000\"]}', repeat('[', 100000) || repeat(']', 100000), $GOOD2"
kt_assert_eq "applied ok 1 rows: 1 written, 0 refused
rejected bad args_json: not a JSON object
rejected bad args_json: not a JSON object
rejected bad rows: a list of 1 to 5000 rows
rejected bad rows: a list of 1 to 5000 rows
applied ok 1 rows: 1 written, 0 refused
rejected bad args_json: not a JSON object
rejected bad args_json: not a JSON object
applied ok 1 rows: 1 written, 0 refused" "$(up_seq "$ops" 2>&1)" "each op answered in its place"
kt_assert_eq "applied 3|participants 3|rejected 6" "$(kt_psql "SELECT string_agg(x, '|' ORDER BY x) FROM (
	SELECT outcome || ' ' || count(*) AS x FROM op_log GROUP BY outcome
	UNION ALL SELECT 'participants ' || count(*) FROM participant WHERE id IN (t_id('p', 2), t_id('p', 8), t_id('p', 55))) y")" \
	"three ops written with their rows, the refused ones logged"
kt_assert_eq "duplicate ok 1 rows: 1 written, 0 refused applied
duplicate bad args_json: not a JSON object rejected" "$(up_seq "$GOOD, '{\"rows\": [' || (SELECT r FROM t_rows WHERE n = 3)")" \
	"sent again: answered from op_log"
# a text kartad did not write: the Upload fails (kartad answers "send it again"), nothing kept
n0=$(kt_psql "SELECT count(*) FROM op_log")
kt_run kt_psql "SELECT * FROM karta_upload_seq($REG, t_seq(ARRAY[$GOOD2]) || chr(30) || '{\"op\": 1')"
[ "$KT_RC" != 0 ] || kt_fail "a text that is not kartad's was taken"
kt_assert_eq "$n0" "$(kt_psql "SELECT count(*) FROM op_log")" "nothing of that Upload kept"

# ---- 4. forged ops through kartad ------------------------------------------------------------
kt_start_kartad
kt_ok reg sync
record_op() { kt_pb_str 1 registry_rows; kt_pb_str 4 "$1"; }
# row N LINE [JSON]: a new participant's row (the fields JSON changes)
row() {
	local j=${3:-'{}'}
	kt_psql "SELECT jsonb_build_object('n', $2, 'k', 'registry_put', 'a', t_person(t_id('p', $1), $1)
		|| '$j'::jsonb)::text"
}
OP_OK=$(kt_uuid) OP_UTF=$(kt_uuid) OP_RS=$(kt_uuid) OP_JSON=$(kt_uuid)
kt_outbox_forge reg "$OP_OK" 50 "$(record_op "{\"rows\": [$(row 92 2), $(row 93 3 '{"surname": "1Орлов"}')]}")"
r=$(row 95 2)
kt_outbox_forge reg "$OP_UTF" 50 "$(record_op "{\"rows\": [${r//Пётр/$'П\xffтр'}]}")"
kt_outbox_forge reg "$OP_RS" 50 "$(record_op "{\"rows\": [${r//Пётр/$'П\x1eтр'}]}")"
kt_outbox_forge reg "$OP_JSON" 50 "$(record_op "{\"rows\": [$(row 94 2)")"
kt_run kt_karta reg sync
kt_assert_rc 0 "sync with forged ops"
kt_assert_match "$KT_OUT" "sent 4 changes: 1 applied, 3 rejected" "the forged ops"
kt_assert_contains "$KT_OUT$KT_ERR" "args_json: not a JSON object" "refused with kartad's words"
kt_assert_eq "applied 2 rows: 1 written, 1 refused 3 surname: must start with a letter|rejected args_json: not a JSON object" \
	"$(kt_psql "SELECT string_agg(concat_ws(' ', outcome, message, detail->'refused'->0->>'n',
		detail->'refused'->0->>'message'), '|' ORDER BY outcome)
	FROM op_log WHERE op_id IN ('$OP_OK', '$OP_UTF', '$OP_RS', '$OP_JSON')")" \
	"the database saw the good op and the JSON that is none, not the other two"
kt_assert_eq "1 0" "$(kt_psql "SELECT count(*) FILTER (WHERE id = t_id('p', 92)) || ' '
	|| count(*) FILTER (WHERE id IN (t_id('p', 93), t_id('p', 94), t_id('p', 95))) FROM participant")" \
	"the good row written, alone"
kt_assert_eq 0 "$(kt_sq reg "SELECT count(*) FROM outbox")" "outbox empty"
kt_stop_kartad
kt_pass
