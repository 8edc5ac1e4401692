#!/usr/bin/env bash
# t_upload_setwise: an Upload applied set-wise (sql/0021, issue 18) gives every op the result
# it gets one by one, with real PostgreSQL, TLS, kartad and karta processes.
#  1. a 500-op batch of a school's device mixing item adds and edits (stale ones merged or made
#     conflicts), statuses, participants, participant deletes, item moves and deletes, ops
#     seen before (DUPLICATE, or refused for an op_id reused with other content) and refusals
#     of every kind — among them ops that make a set statement fail where the checks foresaw
#     nothing (a CHECK, a value that does not cast) — run through karta_upload and through
#     0006's one-by-one loop (karta_upload_serial) from the same state: the same per-op
#     results, the same rows, history, op_log and change feed; the same for a municipality's
#     batch of registry deletes that cascade (exam points with their auditoriums and staff
#     attachments, staff, what went already, stale bases, refusals);
#  2. through kartad: 500 queued item adds with one planted op only the database refuses (a
#     CHECK this test adds): that op alone is REJECTED, with the one-by-one words, the 499
#     others are applied;
#  3. kartad killed, and then the backend terminated, while a set-wise batch of 500 item adds
#     waits to write its feed, its last write (its rows, history and op_log record written): the
#     client's retry applies every op exactly once (rows, history, op_log, change_log), the
#     replica equal to the server;
#  4. item_history's reference check skips its item probe only inside the statement that
#     writes the items with their history (a history row naming no item is refused after).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_upload_setwise
kt_start_kartad

dev() { kt_psql "SELECT id FROM device WHERE label = 'test device $1'"; }
SCH=$(dev sch11)
MUN=$(dev mun1)
REG=$(dev reg)

# ---- 1. set-wise against one by one -----------------------------------------------------
# The test's helpers live in schema t, on every session's search_path: karta's schema holds
# only the functions of sql/functions/ (kartad refuses a database with others there).
kt_psql "CREATE SCHEMA t; ALTER DATABASE \"$KT_DB\" SET search_path = public, t" >/dev/null
kt_psql "
CREATE FUNCTION t.t_op(p_op uuid, p_kind text, a jsonb, p_digest text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS \$\$
	SELECT jsonb_build_object('op_id', p_op, 'digest', coalesce(p_digest, md5(p_kind || a::text)),
		'kind', p_kind, 'a', a)
\$\$;
CREATE FUNCTION t.t_id(p text, n int) RETURNS uuid LANGUAGE sql IMMUTABLE AS \$\$
	SELECT md5(p || ':' || n)::uuid
\$\$;
CREATE FUNCTION t.t_item(p_id uuid, p_plan uuid, p_sec uuid, p_ord int, p_title text,
	p_parent uuid DEFAULT NULL) RETURNS jsonb LANGUAGE sql IMMUTABLE AS \$\$
	SELECT jsonb_build_object('id', p_id, 'plan_id', p_plan, 'section_id', p_sec, 'ordinal', p_ord,
		'number', '1.' || p_ord, 'parent_item_id', coalesce(p_parent::text, ''), 'title', p_title,
		'deadline_text', 'до 1 мая', 'deadline_last', CASE WHEN p_ord % 3 = 0 THEN '2027-05-01' ELSE '' END,
		-- responsible texts of several kinds, so a run resolves many at once
		'responsible_text', (ARRAY['УО, ОО', 'Руководители ОО', '', 'МОУО; ГЭК (председатель)',
			'школа № ' || p_ord])[1 + p_ord % 5], 'municipal_action', '',
		'institutional_action', '', 'result_text', '', 'target_text', '')
\$\$;
CREATE FUNCTION t.t_person(p_id uuid, n int) RETURNS jsonb LANGUAGE sql IMMUTABLE AS \$\$
	SELECT jsonb_build_object('type', 'participant', 'id', p_id, 'surname', 'Иванов',
		'name', 'Пётр' || repeat('а', n % 7), 'patronymic', 'Сергеевич', 'sex', 1,
		'birth_date', '2009-0' || (1 + n % 9) || '-1' || (n % 10), 'doc_type', 1,
		'doc_series', '45 0' || (n % 10), 'doc_number', lpad((100000 + n)::text, 6, '0'),
		'class', '11А', 'category', 1, 'form', 1)
\$\$;
CREATE TABLE t_batch (ord int PRIMARY KEY, op jsonb NOT NULL);" >/dev/null

# The state the batch meets, committed through the one-by-one path: sch11's plan P with two
# sections and 40 items, mun1's plan M with an item, 30 participants of sch11 (5 deleted), the
# region's title edits of items 1-10 (so sch11's edits on version 1 are stale).
P=$(kt_psql "SELECT t_id('plan', 1)") S1=$(kt_psql "SELECT t_id('sec', 1)") S2=$(kt_psql "SELECT t_id('sec', 2)")
M=$(kt_psql "SELECT t_id('plan', 2)") MS=$(kt_psql "SELECT t_id('sec', 3)") MI=$(kt_psql "SELECT t_id('mitem', 1)")
up() { # DEVICE JSON-ARRAY-SQL: committed through the one-by-one path, outcomes counted
	kt_psql "SELECT string_agg(outcome || ':' || n, ' ' ORDER BY outcome) FROM (SELECT outcome, count(*) n
		FROM karta_upload_serial($1, ($2)) GROUP BY outcome) x"
}
kt_assert_eq "applied:1" "$(up "$SCH" "jsonb_build_array(t_op(t_id('fx', 1), 'plan_put', jsonb_build_object('base', 0,
	'plan', jsonb_build_object('id', '$P', 'title', 'План школы', 'academic_year', 2026),
	'sections', jsonb_build_array(jsonb_build_object('id', '$S1', 'ordinal', 1, 'number', '1', 'title', 'Раздел 1'),
		jsonb_build_object('id', '$S2', 'ordinal', 2, 'number', '2', 'title', 'Раздел 2')))))")" "plan P"
kt_assert_eq "applied:2" "$(up "$MUN" "jsonb_build_array(t_op(t_id('fx', 2), 'plan_put', jsonb_build_object('base', 0,
	'plan', jsonb_build_object('id', '$M', 'title', 'План МО', 'academic_year', 2026),
	'sections', jsonb_build_array(jsonb_build_object('id', '$MS', 'ordinal', 1, 'number', '1', 'title', 'Р')))),
	t_op(t_id('fx', 3), 'item_put', jsonb_build_object('base', 0, 'item', t_item('$MI', '$M', '$MS', 1, 'Пункт МО'))))")" "plan M"
kt_assert_eq "applied:70" "$(up "$SCH" "(SELECT jsonb_agg(x ORDER BY n) FROM (
	SELECT n, t_op(t_id('fxi', n), 'item_put', jsonb_build_object('base', 0,
		'item', t_item(t_id('e', n), '$P', '$S1', n, 'Пункт ' || n))) x FROM generate_series(1, 40) n
	UNION ALL SELECT 100 + n, t_op(t_id('fxp', n), 'registry_put', t_person(t_id('p', n), n))
	FROM generate_series(1, 30) n) y)")" "40 items, 30 participants"
# two small trees: 41 ← 42 and 43 ← 44 (parent ← child)
kt_assert_eq "applied:4" "$(up "$SCH" "(SELECT jsonb_agg(t_op(t_id('fxt', n), 'item_put', jsonb_build_object('base', 0,
	'item', t_item(t_id('e', n), '$P', '$S1', n, 'Дерево ' || n, CASE WHEN n % 2 = 0 THEN t_id('e', n - 1) END)))
	ORDER BY n) FROM generate_series(41, 44) n)")" "two trees"
kt_assert_eq "applied:5" "$(up "$SCH" "(SELECT jsonb_agg(t_op(t_id('fxd', n), 'registry_delete',
	jsonb_build_object('type', 'participant', 'id', t_id('p', n), 'reason', 'выбыл')) ORDER BY n)
	FROM generate_series(26, 30) n)")" "5 participants deleted"
kt_assert_eq "applied:10" "$(up "$REG" "(SELECT jsonb_agg(t_op(t_id('fxr', n), 'item_put', jsonb_build_object('base', 1,
	'item', t_item(t_id('e', n), '$P', '$S1', n, 'Пункт ' || n || ' (правка региона)'),
	'fields', jsonb_build_array('title'))) ORDER BY n) FROM generate_series(1, 10) n)")" "the region's edits"

# The batch: kinds in interleaved blocks, each op numbered k within its kind.
kt_psql "
WITH ops(kind_rank, k, op) AS (
	-- item adds: applied, a parent added earlier in the batch, a section of another plan, another
	-- organization's plan, an id that exists, an unknown plan, ordinal 0 (a CHECK only the table has)
	SELECT 1, n, t_op(t_id('add', n), 'item_put', jsonb_build_object('base', 0, 'item',
		CASE WHEN n % 40 = 7 THEN t_item(t_id('new', n), '$P', '$MS', n, 'Чужой раздел')
		     WHEN n % 40 = 11 THEN t_item(t_id('new', n), '$M', '$MS', n, 'Чужой план')
		     WHEN n % 40 = 13 THEN t_item(t_id('e', n % 40), '$P', '$S1', n, 'Уже есть')
		     WHEN n % 40 = 17 THEN t_item(t_id('new', n), t_id('noplan', n), '$S1', n, 'Нет плана')
		     WHEN n = 77 THEN t_item(t_id('new', n), '$P', '$S1', 0, 'Номер ноль')
		     WHEN n % 10 = 3 AND n > 20 THEN t_item(t_id('new', n), '$P', '$S2', n, 'Подпункт', t_id('new', n - 20))
		     ELSE t_item(t_id('new', n), '$P', '$S1' , n, 'Новый пункт ' || n) END))
	FROM generate_series(1, 140) n
	UNION ALL -- item edits: on the current version; stale and overlapping (conflict records);
	-- stale and disjoint (merged); a parent in the same plan; a cycle made in the batch, by
	-- two edits of one item pair, and by two edits of distinct items (43 under 42, then 41
	-- under 44: 41 ← 42 ← 43 ← 44 ← 41)
	SELECT 2, n, t_op(t_id('edit', n), 'item_put', jsonb_build_object(
		'base', 1,
		'item', CASE WHEN n = 36 THEN t_item(t_id('e', 36), '$P', '$S1', 36, 'Цикл', t_id('e', 31))
		             WHEN n = 37 THEN t_item(t_id('e', 43), '$P', '$S1', 43, 'Дерево 43', t_id('e', 42))
		             WHEN n = 38 THEN t_item(t_id('e', 41), '$P', '$S1', 41, 'Дерево 41', t_id('e', 44))
		             WHEN n BETWEEN 31 AND 35 THEN t_item(t_id('e', n), '$P', '$S1', n, 'Под 36', t_id('e', 36))
		             WHEN n <= 5 THEN t_item(t_id('e', n), '$P', '$S1', n, 'Правка школы ' || n)
		             ELSE t_item(t_id('e', n), '$P', '$S1', n + 100, 'Пункт ' || n ||
		                         CASE WHEN n <= 10 THEN ' (правка региона)' ELSE ' правка' END) END,
		'fields', CASE WHEN n <= 5 THEN '[\"title\"]' WHEN n <= 10 THEN '[\"ordinal\"]' ELSE '[]' END::jsonb))
	FROM generate_series(1, 38) n
	UNION ALL -- statuses: new, on items added earlier in the batch, again on the same item,
	-- a stale base, a bad word, a long comment, another organization's item, no such item
	SELECT 3, n, t_op(t_id('st', n), 'status_set', CASE
		WHEN n <= 30 THEN jsonb_build_object('item_id', t_id('e', 10 + n), 'status', 'in_progress',
			'comment', 'идёт')
		WHEN n <= 50 THEN jsonb_build_object('item_id', t_id('new', n - 30), 'status', 'done')
		WHEN n <= 55 THEN jsonb_build_object('item_id', t_id('e', n - 40), 'status', 'done', 'base', 1)
		WHEN n = 56 THEN jsonb_build_object('item_id', t_id('e', 16), 'status', 'in_progress',
			'comment', 'идёт') -- as op 6 set it: unchanged
		WHEN n = 58 THEN jsonb_build_object('item_id', t_id('e', 13), 'status', 'done', 'evidence',
			jsonb_build_object('document', jsonb_build_object('kind', 'приказ', 'number', '12',
				'date', '2026-10-01')))
		WHEN n = 59 THEN jsonb_build_object('item_id', t_id('e', 14), 'status', 'done', 'evidence',
			jsonb_build_object('colour', 1))
		WHEN n <= 60 THEN jsonb_build_object('item_id', t_id('e', n - 45), 'status', 'in_progress',
			'comment', 'идёт')
		WHEN n <= 63 THEN jsonb_build_object('item_id', t_id('e', 20), 'status', 'done', 'base', 7)
		WHEN n <= 66 THEN jsonb_build_object('item_id', t_id('e', 21), 'status', 'finished')
		WHEN n = 67 THEN jsonb_build_object('item_id', t_id('e', 22), 'status', 'done', 'comment', repeat('x', 4001))
		WHEN n = 68 THEN jsonb_build_object('item_id', '$MI', 'status', 'done')
		ELSE jsonb_build_object('item_id', t_id('none', n), 'status', 'done') END)
	FROM generate_series(1, 70) n
	UNION ALL -- participants: new; an unknown school; another school; an id that exists;
	-- edits on the current and on a stale version; born in the future; a document that does
	-- not fit its type and a date that is no date (only the table's CHECK and the cast know);
	-- a field that does not exist
	SELECT 4, n, t_op(t_id('pp', n), 'registry_put', CASE
		WHEN n % 50 = 5 THEN t_person(t_id('q', n), n) || '{\"org\": \"nope\"}'
		WHEN n % 50 = 6 THEN t_person(t_id('q', n), n) || '{\"org\": \"sch12\"}'
		WHEN n % 50 = 7 THEN t_person(t_id('p', n % 50), n)
		WHEN n BETWEEN 101 AND 105 THEN jsonb_build_object('type', 'participant', 'id', t_id('p', n - 100),
			'base', 1, 'class', '10Б', 'snils', '112-233-445 95')
		WHEN n BETWEEN 106 AND 108 THEN jsonb_build_object('type', 'participant', 'id', t_id('p', n - 100),
			'base', 3, 'class', '10Б')
		WHEN n IN (21, 22) THEN t_person(t_id('q', n), n) || '{\"birth_date\": \"2090-01-01\"}'
		WHEN n = 23 THEN t_person(t_id('q', n), n) || '{\"doc_number\": \"12\"}'
		WHEN n = 24 THEN t_person(t_id('q', n), n) || '{\"birth_date\": \"2010-13-45\"}'
		WHEN n = 25 THEN t_person(t_id('q', n), n) || '{\"eye_colour\": \"серый\"}'
		ELSE t_person(t_id('q', n), n) END)
	FROM generate_series(1, 140) n
	UNION ALL -- participant deletes: live, unknown, deleted before, a reason too long
	SELECT 5, n, t_op(t_id('pd', n), 'registry_delete', jsonb_build_object('type', 'participant',
		'id', CASE WHEN n <= 10 THEN t_id('p', 10 + n) WHEN n <= 12 THEN t_id('none', n)
		           ELSE t_id('p', 14 + n) END,
		'reason', CASE WHEN n = 15 THEN repeat('я', 1001) ELSE 'выбыл' END))
	FROM generate_series(1, 15) n
	UNION ALL -- kinds of the one-by-one path between the runs: moves and deletes
	SELECT 6, n, t_op(t_id('mv', n), CASE WHEN n <= 6 THEN 'item_move' ELSE 'item_delete' END,
		CASE WHEN n <= 6 THEN jsonb_build_object('id', t_id('e', 36 + n % 4), 'base', 1,
			'section_id', '$S2', 'ordinal', n, 'parent_item_id', '')
		ELSE jsonb_build_object('id', t_id('e', 30 + n), 'base', 1, 'reason', 'не нужен') END)
	FROM generate_series(1, 9) n
	UNION ALL -- ops seen before: the same op again, or its op_id with another op
	SELECT 7, n, CASE WHEN n <= 15 THEN t_op(t_id('fxi', n), 'item_put', jsonb_build_object('base', 0,
		'item', t_item(t_id('e', n), '$P', '$S1', n, 'Пункт ' || n)))
	             ELSE t_op(t_id('fxp', n), 'registry_put', t_person(t_id('p', n), n), 'другой') END
	FROM generate_series(1, 20) n
	UNION ALL -- the same op twice in the batch
	SELECT 8, 1, t_op(t_id('add', 1), 'item_put', jsonb_build_object('base', 0, 'item',
		t_item(t_id('new', 1), '$P', '$S1', 1, 'Новый пункт 1'))))
INSERT INTO t_batch(ord, op)
SELECT row_number() OVER (ORDER BY (k - 1) / (CASE kind_rank WHEN 3 THEN 12 WHEN 6 THEN 2 ELSE 23 END)
	+ CASE WHEN kind_rank = 8 THEN 99 ELSE 0 END, kind_rank, k), op FROM ops" >/dev/null
N=$(kt_psql "SELECT count(*) FROM t_batch")
kt_assert_eq 433 "$N" "ops in the batch"
# fill it to 500 with more item adds in the last block
kt_psql "INSERT INTO t_batch(ord, op) SELECT $N + n, t_op(t_id('add2', n), 'item_put', jsonb_build_object('base', 0,
	'item', t_item(t_id('new2', n), '$P', '$S2', n, 'Ещё пункт ' || n))) FROM generate_series(1, 67) n" >/dev/null
kt_assert_eq 500 "$(kt_psql "SELECT count(*) FROM t_batch")" "a 500-op batch"

# FN [DEVICE BATCH-TABLE]: the upload function, sch11's t_batch by default. Prints the per-op
# results and the state after, then rolls back.
run_batch() {
	psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" <<-SQL
	BEGIN;
	SET LOCAL track_functions = 'all';
	CREATE TEMP TABLE r AS SELECT x.* FROM $1(${2:-$SCH}, (SELECT jsonb_agg(op ORDER BY ord) FROM ${3:-t_batch}))
		WITH ORDINALITY x(op_id, outcome, status, message, entity_id, row_version, conflict_id,
			detail, merged, first_outcome, k);
	SELECT 'n', count(*) FROM r;
	SELECT 'result', k, op_id, outcome, status,
		regexp_replace(message, '[0-9a-f]{8}-[0-9a-f-]{27}', '<uuid>', 'g'), entity_id, row_version,
		conflict_id IS NOT NULL, detail, merged, first_outcome FROM r ORDER BY k;
	SELECT 'item', id, plan_id, section_id, ordinal, number, parent_item_id, title, deadline_text,
		responsible, row_version, deleted_at IS NULL, delete_reason, updated_by FROM plan_item ORDER BY id;
	SELECT 'history', item_id, row_version, op, fields, device_id, org_id FROM item_history
		ORDER BY item_id, row_version, op;
	SELECT 'status', id, item_id, org_id, status, comment, row_version, updated_by FROM item_status ORDER BY id;
	SELECT 'person', to_jsonb(p) - 'created_at' - 'updated_at' - 'deleted_at', deleted_at IS NULL
		FROM participant p ORDER BY id;
	SELECT 'registry', x.t, to_jsonb(x.r) - 'created_at' - 'updated_at' - 'deleted_at', x.r->>'deleted_at' IS NULL
	FROM (SELECT 'exam_point' AS t, to_jsonb(e) AS r FROM exam_point e
	      UNION ALL SELECT 'auditorium', to_jsonb(a) FROM auditorium a
	      UNION ALL SELECT 'staff', to_jsonb(f) FROM staff f
	      UNION ALL SELECT 'staff_point', to_jsonb(q) FROM staff_point q) x ORDER BY 2, 3;
	SELECT 'conflict', entity_id, op_id, base_version, theirs_version, fields, mine, theirs, status
		FROM conflict ORDER BY op_id;
	SELECT 'op_log', device_id, op_id, digest, kind, outcome, status,
		regexp_replace(message, '[0-9a-f]{8}-[0-9a-f-]{27}', '<uuid>', 'g'), entity_id, row_version,
		conflict_id IS NULL, detail, merged FROM op_log ORDER BY device_id, op_id;
	SELECT 'feed', l.feed_id, l.entity_type, CASE WHEN l.entity_type = 'conflict' THEN c.op_id::text
		ELSE l.entity_id::text END, l.op, l.row_version,
		ARRAY(SELECT f FROM unnest(l.changed_fields) f ORDER BY f),
		CASE WHEN l.entity_type = 'conflict' THEN NULL ELSE l.payload::jsonb - 'created_at' - 'updated_at'
			- 'deleted_at' - 'valid_from' END, l.origin_device, l.origin_op_id
	FROM change_log l LEFT JOIN conflict c ON c.id = l.entity_id
	ORDER BY 2, 3, 4, 6, 5;
	SELECT 'last_seq', org_id, last_seq FROM feed ORDER BY org_id;
	SELECT 'calls', funcname, calls FROM pg_stat_xact_user_functions ORDER BY funcname;
	ROLLBACK;
	SQL
}
run_batch karta_upload >"$KT_WORK/setwise.out" || kt_fail "karta_upload failed"
run_batch karta_upload_serial >"$KT_WORK/serial.out" || kt_fail "karta_upload_serial failed"
kt_assert_eq "n|500" "$(head -n 1 "$KT_WORK/setwise.out")" "a result for each op"
calls() { # FUNCTION OUTPUT: how often the run called it
	sed -n "s/^calls|$1|//p" "$KT_WORK/$2.out" | grep . || echo 0
}
kt_log "one-by-one write calls, set-wise: item_put $(calls karta_item_put setwise), status_set" \
	"$(calls karta_status_set setwise), registry_put $(calls karta_registry_put setwise)," \
	"registry_delete $(calls karta_registry_delete setwise); one by one: item_put" \
	"$(calls karta_item_put serial), registry_put $(calls karta_registry_put serial)"
# the set-wise run wrote most ops as sets: only stale edits (merged or conflicts), kinds
# without a set path and the runs of 8 or fewer its splits came down to went one by one
if ! { [ "$(calls karta_item_put setwise)" -le 30 ] && [ "$(calls karta_status_set setwise)" -le 3 ] &&
	[ "$(calls karta_registry_put setwise)" -le 20 ] && [ "$(calls karta_registry_delete setwise)" -le 3 ] &&
	[ "$(calls karta_upload_split setwise)" -ge 10 ]; }; then
	kt_fail "the set-wise run did not write in sets"
fi
[ "$(calls karta_item_put serial)" -ge 200 ] || kt_fail "the one-by-one run did not write one by one"
sed -i '/^calls|/d' "$KT_WORK/setwise.out" "$KT_WORK/serial.out"
if ! diff "$KT_WORK/serial.out" "$KT_WORK/setwise.out" >"$KT_WORK/diff.out"; then
	head -n 40 "$KT_WORK/diff.out" >&2
	kt_fail "set-wise and one-by-one differ ($(grep -c '^[<>]' "$KT_WORK/diff.out") lines, $KT_WORK/diff.out)"
fi
# the batch is the mix the test means: every outcome, refusals of many kinds
count() { grep -c "$1" "$KT_WORK/setwise.out" || true; }
for o in applied duplicate conflict rejected; do
	[ "$(count "^result|[0-9]*|[^|]*|$o|")" -ge 5 ] || kt_fail "too few $o ops: $(count "^result|[0-9]*|[^|]*|$o|")"
done
kt_log "outcomes: $(grep '^result' "$KT_WORK/setwise.out" | cut -d'|' -f4 | sort | uniq -c | tr '\n' ' ')"
for m in 'no write access to plan' 'the section is not in this plan' 'an item with this id exists' \
	'no plan ' 'SQLSTATE 23514' 'edited on both sides: conflict' 'the parent item must be' \
	'status changed since version' 'status must be' 'a comment has at most' 'unknown evidence field' '|applied|ok|unchanged|' \
	'an organization reports status only' 'no item ' 'org: no such organization' \
	'no write access to the participant of organization sch12' 'a participant with this id exists' \
	'participant changed since version' 'birth_date: is in the future' 'doc_number: does not fit' \
	'birth_date: must be a date' 'eye_colour is not a field of participant' 'no participant ' \
	'the participant was deleted' 'reason: at most 1000' 'op_id was used before'; do
	[ "$(count "^result|.*$m")" -ge 1 ] || kt_fail "no op refused with '$m'"
done
[ "$(count "^result|[0-9]*|[^|]*|applied|ok|.*|t|")" -ge 1 ] || kt_fail "no stale edit was merged"

# ---- 1b. registry deletes that cascade, set-wise against one by one ---------------------
# mun1's six exam points with two auditoriums each, six staff members each attached to two
# points; a batch deleting points (their auditoriums and attachments go with them), then
# auditoriums and attachments of which some went already, staff, stale bases, unknown ids,
# a reason too long, the interop deleted-row flag on a point and (refused) on staff.
kt_assert_eq "applied:36" "$(up "$MUN" "(SELECT jsonb_agg(op ORDER BY k) FROM (
	SELECT n AS k, t_op(t_id('fep', n), 'registry_put', jsonb_build_object('type', 'exam_point',
		'id', t_id('ep', n), 'code', '020' || n, 'name', 'ППЭ ' || n, 'address', 'ул. Школьная, ' || n,
		'capacity', 40)) AS op FROM generate_series(1, 6) n
	UNION ALL SELECT 10 + n, t_op(t_id('fau', n), 'registry_put', jsonb_build_object('type', 'auditorium',
		'id', t_id('au', n), 'point_id', t_id('ep', 1 + (n - 1) / 2), 'code', '000' || (1 + n % 2),
		'rows', 5, 'seats_per_row', 6)) FROM generate_series(1, 12) n
	UNION ALL SELECT 30 + n, t_op(t_id('fst', n), 'registry_put', jsonb_build_object('type', 'staff',
		'id', t_id('st', n), 'code', '20000' || n, 'surname', 'Петрова', 'name', 'Анна', 'doc_type', 1,
		'doc_series', '4507', 'doc_number', '65432' || n, 'roles', jsonb_build_array('organizer_in')))
		FROM generate_series(1, 6) n
	UNION ALL SELECT 40 + n, t_op(t_id('fsp', n), 'registry_put', jsonb_build_object('type', 'staff_point',
		'id', t_id('sp', n), 'staff_id', t_id('st', 1 + (n - 1) / 2), 'point_id',
		t_id('ep', 1 + (n + (n - 1) / 2 * 0) % 6))) FROM generate_series(1, 12) n) y)")" "points, auditoriums, staff"
kt_psql "CREATE TABLE t_batch2 (ord int PRIMARY KEY, op jsonb NOT NULL);
INSERT INTO t_batch2(ord, op)
SELECT row_number() OVER (ORDER BY k), t_op(t_id('del', k), 'registry_delete', jsonb_build_object(
	'type', x.t, 'id', x.id, 'reason', x.why) || x.more)
FROM (VALUES
	(1, 'exam_point', t_id('ep', 1), 'закрыт', '{}'::jsonb),
	(2, 'exam_point', t_id('ep', 2), 'закрыт', '{}'),
	(3, 'exam_point', t_id('ep', 5), 'закрыт', jsonb_build_object('base', 7)),
	(4, 'exam_point', t_id('ep', 6), 'из файла', jsonb_build_object('ris_deleted', 5)),
	(5, 'exam_point', t_id('none', 1), '', '{}'),
	(6, 'auditorium', t_id('au', 1), 'ремонт', '{}'),
	(7, 'auditorium', t_id('au', 5), 'ремонт', '{}'),
	(8, 'auditorium', t_id('au', 6), repeat('я', 1001), '{}'),
	(9, 'staff', t_id('st', 3), 'уволен', '{}'),
	(10, 'staff', t_id('st', 4), 'уволен', jsonb_build_object('base', 1)),
	(11, 'staff', t_id('st', 5), 'уволен', jsonb_build_object('ris_deleted', 5)),
	(12, 'staff_point', t_id('sp', 5), '', '{}'),
	(13, 'staff_point', t_id('sp', 9), '', '{}'),
	(14, 'staff_point', t_id('sp', 12), '', '{}'),
	(15, 'exam_point', t_id('ep', 3), 'закрыт', '{}'),
	(16, 'auditorium', t_id('au', 7), '', '{}'),
	(17, 'exam_point', t_id('ep', 1), 'ещё раз', '{}'),
	(18, 'participant', t_id('p', 1), 'чужой', '{}')) x(k, t, id, why, more)" >/dev/null
run_batch karta_upload "$MUN" t_batch2 >"$KT_WORK/setwise2.out" || kt_fail "karta_upload failed (deletes)"
run_batch karta_upload_serial "$MUN" t_batch2 >"$KT_WORK/serial2.out" || kt_fail "karta_upload_serial failed (deletes)"
if [ "$(calls karta_registry_delete setwise2)" != 0 ] || [ "$(calls karta_registry_delete serial2)" != 18 ]; then
	kt_fail "the deletes were not applied as sets"
fi
sed -i '/^calls|/d' "$KT_WORK/setwise2.out" "$KT_WORK/serial2.out"
if ! diff "$KT_WORK/serial2.out" "$KT_WORK/setwise2.out" >"$KT_WORK/diff2.out"; then
	head -n 40 "$KT_WORK/diff2.out" >&2
	kt_fail "set-wise and one-by-one deletes differ ($KT_WORK/diff2.out)"
fi
kt_log "deletes: $(grep '^result' "$KT_WORK/setwise2.out" | cut -d'|' -f4,5 | sort | uniq -c | tr '\n' ' ')"
for m in 'deleted' 'changed since version' 'the auditorium was deleted' 'no exam_point' \
	'reason: at most 1000' 'ris_deleted: a deleted-row flag' 'the exam_point was deleted' \
	'the staff_point was deleted' 'no write access to this participant'; do
	grep -q "^result|.*$m" "$KT_WORK/setwise2.out" || kt_fail "no delete answered '$m'"
done
grep -q "^registry|auditorium|.*вместе с exam_point" "$KT_WORK/setwise2.out" ||
	kt_fail "no auditorium went with its exam point"

# ---- 2. one op only the database refuses, in a 500-op upload through kartad --------------
kt_ok mun1 plan create --title "План загрузки" --year 2026 --section "1|Раздел"
PLAN=$(kt_id_of "$KT_OUT" plan)
SEC=$(kt_psql "SELECT id FROM plan_section WHERE plan_id = '$PLAN'")
kt_ok mun1 sync
kt_psql "ALTER TABLE plan_item ADD CONSTRAINT t_planted CHECK (title <> 'Запрещённый пункт')" >/dev/null
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/mun1.conf" >"$KT_WORK/mun1-off.conf"
"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/mun1.state" "$PLAN" "$SEC" 300 >/dev/null ||
	kt_fail "kt_outbox_fill"
kt_ok mun1-off item add "$PLAN" --section 1 --number 9.9 --title "Запрещённый пункт" --deadline "до 1 мая"
"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/mun1.state" "$PLAN" "$SEC" 199 >/dev/null ||
	kt_fail "kt_outbox_fill"
kt_assert_eq 500 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "500 ops queued"
kt_ok mun1 sync
kt_assert_contains "$KT_OUT" "499 applied"
kt_assert_eq "rejected|bad|the op was refused by the database (SQLSTATE 23514)" \
	"$(kt_psql "SELECT outcome || '|' || status || '|' || message FROM op_log l
		WHERE l.device_id = $MUN AND l.outcome <> 'applied' AND l.kind = 'item_put'")" "the planted op alone refused"
kt_assert_eq 499 "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$PLAN'")" "the 499 others written"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM plan_item WHERE title = 'Запрещённый пункт'")" "nothing of the planted op"
kt_assert_eq 499 "$(kt_psql "SELECT count(DISTINCT l.origin_op_id) FROM change_log l JOIN op_log o
	ON o.op_id = l.origin_op_id AND o.device_id = $MUN WHERE l.entity_type = 'plan_item'
	AND l.payload->>'plan_id' = '$PLAN'")" "each change carries its own op"
kt_psql "ALTER TABLE plan_item DROP CONSTRAINT t_planted" >/dev/null

# ---- 3. kartad killed, then the backend terminated, while a set-wise batch commits --------
kill_run() { # HOW: kartad | backend
	local n0 h0 l0 c0 logged sync
	n0=$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$PLAN'")
	h0=$(kt_psql "SELECT count(*) FROM item_history")
	l0=$(kt_psql "SELECT count(*) FROM op_log WHERE device_id = $MUN AND outcome = 'applied'")
	c0=$(kt_psql "SELECT count(*) FROM change_log WHERE entity_type = 'plan_item' AND payload->>'plan_id' = '$PLAN'")
	"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/mun1.state" "$PLAN" "$SEC" 600 >/dev/null ||
		kt_fail "kt_outbox_fill"
	kt_hold_lock change_log # rows, history, op_log written; the last write (the feed) waits
	kt_bg "$KT_KARTA" --config "$KT_WORK/mun1.conf" sync >"$KT_WORK/sync-$1.out" 2>&1
	sync=$KT_BG_PID
	kt_wait_blocked '%karta_upload%'
	kt_stop_upload "$1"
	kt_wait_exit "$sync" 60
	[ "$1" = backend ] || [ "$KT_RC" != 0 ] || kt_fail "the sync did not notice kartad dying"
	kt_wait_no_backend "application_name = 'kartad' AND state = 'active' AND query LIKE '%karta_upload%'"
	logged=$(($(kt_psql "SELECT count(*) FROM op_log WHERE device_id = $MUN AND outcome = 'applied'") - l0))
	kt_log "$1 stopped mid-upload: $logged op_log rows committed, $(kt_sq mun1 "SELECT count(*) FROM outbox") ops queued"
	[ "$1" = kartad ] && kt_start_kartad
	kt_ok mun1 sync
	kt_assert_eq 0 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "outbox empty after the retry"
	kt_assert_eq $((n0 + 600)) "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$PLAN'")" \
		"each item once ($1)"
	kt_assert_eq $((h0 + 600)) "$(kt_psql "SELECT count(*) FROM item_history")" "each history row once ($1)"
	kt_assert_eq $((l0 + 600)) "$(kt_psql "SELECT count(*) FROM op_log WHERE device_id = $MUN
		AND outcome = 'applied'")" "each op logged once ($1)"
	kt_assert_eq $((c0 + 600)) "$(kt_psql "SELECT count(*) FROM change_log WHERE entity_type = 'plan_item'
		AND payload->>'plan_id' = '$PLAN'")" "each change fed once ($1)"
	kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM (SELECT origin_op_id FROM change_log
		WHERE entity_type = 'plan_item' AND payload->>'plan_id' = '$PLAN' AND origin_op_id IS NOT NULL
		GROUP BY 1 HAVING count(*) > 1) x")" "no op fed twice ($1)"
}
kill_run kartad
kill_run backend
kt_assert_replica_eq mun1 "replica after the uploads across the crashes"

# ---- 4. the history's item reference: not probed only inside the statement that proves it --
# karta_upload_items writes items and their history rows in one statement and tells
# item_history's reference check so (karta.history_proven) for that statement alone: a history
# row naming no item, written after a set-wise run in the same transaction, is still refused.
NOONE=$(kt_uuid)
kt_run psql -XAtq -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$KT_CONNINFO" -c "BEGIN;
SELECT count(*) FROM karta_upload($MUN, jsonb_build_array(t.t_op(t.t_id('hp', 1), 'item_put',
	jsonb_build_object('base', 0, 'item', t.t_item(t.t_id('hp', 2), '$PLAN', '$SEC', 900, 'Пункт 900')))));
INSERT INTO item_history(item_id, row_version, op, device_id) VALUES ('$NOONE', 1, 'create', $MUN);
COMMIT;"
kt_assert_rc 1 "a history row naming no item, after a set-wise run in its transaction"
kt_assert_contains "$KT_OUT$KT_ERR" "23503" "SQLSTATE foreign_key_violation (item_history)"
kt_assert_contains "$KT_OUT$KT_ERR" "item_id $NOONE is not present" "the missing item named"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM plan_item WHERE id = t.t_id('hp', 2)")" \
	"nothing of that transaction stays"

kt_stop_kartad
kt_pass
