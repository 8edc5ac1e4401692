-- 36_upload_deletes: registry deletes of an Upload applied set-wise (karta_upload_group's
-- registry_delete:<type> runs, sql/0021_upload_setwise.sql): one type a run, what hangs on the
-- rows soft-deleted with them in the same feed, the changes stamped with their ops.

CREATE OR REPLACE FUNCTION karta_upload_deletes(w karta_up_actor, p_type text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	d karta_up_del[];
	deps karta_up_origin[] := '{}';
	more karta_up_origin[];
	dep record;
BEGIN
	EXECUTE replace($q$
	WITH o AS (
		SELECT x.ord, x.op_id, (x.a->>'id')::uuid AS rid,
			coalesce(nullif(x.a->>'base', ''), '0')::bigint AS base,
			coalesce(nullif(x.a->>'ris_deleted', ''), '0')::smallint AS flag,
			btrim(regexp_replace(coalesce(x.a->>'reason', ''), '\s+', ' ', 'g')) AS why
		FROM unnest($1) x),
	cur AS (SELECT t.id, t.org_id, t.row_version, t.deleted_at FROM @T@ t
	        WHERE t.id IN (SELECT o.rid FROM o) ORDER BY t.id FOR UPDATE),
	j AS (
		SELECT o.*, c.row_version AS cur_v, c.deleted_at,
			CASE WHEN c.id IS NULL THEN 'none'
			     ELSE karta_registry_access(($2).org_id, ($2).level, ($2).role, $3, c.org_id) END AS acc,
			CASE WHEN $3 = 'exam' THEN (SELECT count(*) FROM exam_registration r
			                            WHERE r.exam_id = o.rid AND r.deleted_at IS NULL) END AS regs
		FROM o LEFT JOIN cur c ON c.id = o.rid),
	v AS (
		SELECT j.*, CASE
			WHEN karta_write_refusal(($2).org_id, ($2).role) IS NOT NULL THEN
				'denied|' || karta_write_refusal(($2).org_id, ($2).role)
			WHEN length(j.why) > 1000 THEN 'bad|reason: at most 1000 characters'
			WHEN j.flag <> 0 AND ($3 NOT IN ('participant', 'exam_point')
			                      OR j.flag NOT IN (1, 2, 4, 5, 6, 7, 10, 11, 12)) THEN
				'bad|ris_deleted: a deleted-row flag of the interop layout '
				'(1, 2, 4, 5, 6, 7, 10, 11, 12), for participants and exam points'
			WHEN j.acc = 'none' THEN format('not_found|no %s %s', $3, j.rid)
			WHEN j.acc <> 'write' THEN format('denied|no write access to this %s', $3)
			WHEN j.deleted_at IS NOT NULL THEN format('conflict|the %s was deleted', $3)
			WHEN j.base <> 0 AND j.cur_v <> j.base THEN
				'conflict|' || karta_stale($3, j.base::text, j.cur_v)
			WHEN j.regs > 0 THEN
				format('precondition|the exam has %s registrations: they must be deleted first', j.regs)
			ELSE 'ok|deleted' END AS sm
		FROM j)
	SELECT array_agg(ROW(v.ord, v.op_id, v.rid, v.cur_v, v.why, v.flag, split_part(v.sm, '|', 1),
		substr(v.sm, position('|' IN v.sm) + 1))::karta_up_del ORDER BY v.ord)
	FROM v $q$, '@T@', quote_ident(p_type)) INTO d USING p_ops, w, p_type;

	-- what hangs on the rows, in the same feed: (table, key column)
	FOR dep IN SELECT * FROM (VALUES ('participant', 'exam_registration', 'participant_id'),
		('exam_point', 'staff_point', 'point_id'), ('exam_point', 'auditorium', 'point_id'),
		('staff', 'staff_point', 'staff_id')) x(owner, tbl, col) WHERE x.owner = p_type LOOP
		EXECUTE format('WITH u AS (UPDATE %1$I t SET deleted_at = now(), '
			'deleted_reason = format(''вместе с %%s %%s'', $2, x.rid), row_version = t.row_version + 1, '
			'updated_at = now(), updated_by = $3 FROM unnest($1) x '
			'WHERE t.%2$I = x.rid AND x.st = ''ok'' AND t.deleted_at IS NULL '
			'RETURNING t.id, t.row_version, x.op_id) '
			'SELECT coalesce(array_agg(ROW(u.id, u.row_version, u.op_id)::karta_up_origin), ''{}'') FROM u',
			dep.tbl, dep.col) INTO more USING d, p_type, w.device;
		deps := deps || more;
	END LOOP;
	EXECUTE format('UPDATE %I t SET deleted_at = now(), deleted_reason = x.why, '
		'row_version = t.row_version + 1, updated_at = now(), updated_by = $2%s '
		'FROM unnest($1) x WHERE t.id = x.rid AND x.st = ''ok''', p_type,
		CASE WHEN p_type IN ('participant', 'exam_point')
			THEN ', ris_deleted = CASE WHEN x.flag <> 0 THEN x.flag ELSE t.ris_deleted END' ELSE '' END)
		USING d, w.device;
	PERFORM karta_up_stamp(deps);

	RETURN ARRAY(SELECT karta_up_result(x.ord, x.op_id, x.st, x.msg, x.rid, x.cur_v + 1)
		FROM unnest(d) x ORDER BY x.ord);
END $$;
