-- 35_upload_rows: a registry file's rows as ops of many rows (registry_rows, issues 18 and 22;
-- docs/sync.md «Ops of many rows»): the runs of an op's rows applied set-wise for every
-- registry table and the federal package's rows (their keys by GUID: 70_giadbset.sql), the
-- rare rows one by one.

-- ---- one row at a time (the refusals, the rare cases) ----------------------------------------
-- Rows through their op function, each in a subtransaction; a busy database is raised (the
-- whole op is retried later), anything else refuses the row with 0006's words.
CREATE OR REPLACE FUNCTION karta_rows_serial(w karta_up_actor, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	o karta_up_op;
	res karta_up_res[] := '{}';
	st text;
	msg text;
	rid uuid;
	ver bigint;
BEGIN
	FOREACH o IN ARRAY p_ops LOOP
		IF o.kind = 'refused' THEN
			res := res || karta_up_result(o.ord, o.op_id, 'bad', coalesce(o.a->>'why', 'refused'),
				NULL, NULL);
			CONTINUE;
		ELSIF o.kind NOT IN ('registry_put', 'registry_delete', 'registry_gds_put') THEN
			res := res || karta_up_result(o.ord, o.op_id, 'bad',
				'k: registry_put, registry_delete or registry_gds_put', NULL, NULL);
			CONTINUE;
		END IF;
		BEGIN
			SELECT x.status, x.message, x.id, x.version INTO st, msg, rid, ver
			FROM karta_op_apply(w.device, o.kind, o.a) x;
			IF st <> 'ok' THEN
				RAISE EXCEPTION USING ERRCODE = 'KT001', MESSAGE = st, DETAIL = msg;
			END IF;
			res := res || karta_up_result(o.ord, o.op_id, 'ok', msg, rid, ver);
		EXCEPTION
			WHEN SQLSTATE 'KT001' THEN
				GET STACKED DIAGNOSTICS st = MESSAGE_TEXT, msg = PG_EXCEPTION_DETAIL;
				res := res || karta_up_result(o.ord, o.op_id, st, msg, NULL, NULL);
			WHEN serialization_failure OR deadlock_detected OR lock_not_available OR query_canceled THEN
				RAISE;
			WHEN raise_exception THEN
				GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
				res := res || karta_up_result(o.ord, o.op_id,
					CASE WHEN position(':' IN msg) > 0 THEN split_part(msg, ':', 1) ELSE 'bad' END,
					CASE WHEN position(':' IN msg) > 0 THEN substr(msg, position(':' IN msg) + 1) ELSE msg END,
					NULL, NULL);
			WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
				res := res || karta_up_result(o.ord, o.op_id, 'bad',
					'the op was refused by the database (SQLSTATE ' || st || ')', NULL, NULL);
		END;
	END LOOP;
	RETURN res;
END $$;

-- ---- access, once for all the owners of a run -----------------------------------------------
-- karta_registry_access (0008) for many organizations in one statement: the relation of each
-- to the device's organization by joins, not by karta_org_relation once an owner (≈ 0.3 ms a
-- call: a region's import names a thousand schools). code: the organization's code.
-- PL/pgSQL for its cached plan: every caller passes the owners as ARRAY(SELECT …), which keeps
-- an SQL function from being inlined, and an SQL function not inlined is planned at each call
-- (0.76 → 0.51 ms a call of 264 owners, 2.31 → 1.76 of 1,000: docs/performance.md, "The
-- apply's CPU …", branch applyfeed).
CREATE OR REPLACE FUNCTION karta_rows_access(w karta_up_actor, p_type text, p_orgs bigint[])
RETURNS TABLE (org bigint, acc text, code text) LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN QUERY SELECT o.id, CASE
		WHEN o.id = w.org_id THEN CASE WHEN w.role = 'viewer' THEN 'read' ELSE 'write' END
		WHEN o.parent_id = w.org_id OR p.parent_id = w.org_id THEN
			CASE WHEN w.level = 'region' AND w.role IS DISTINCT FROM 'viewer' THEN 'write' ELSE 'read' END
		WHEN a.parent_id = o.id OR ap.parent_id = o.id THEN
			CASE WHEN karta_registry_shared(p_type) THEN 'read' ELSE 'none' END
		ELSE 'none' END, o.code
	FROM (SELECT DISTINCT x FROM unnest(p_orgs) x WHERE x IS NOT NULL) q
	JOIN organization o ON o.id = q.x -- a join: "= ANY" of a thousand was 0.1 s
	LEFT JOIN organization p ON p.id = o.parent_id
	LEFT JOIN organization a ON a.id = w.org_id
	LEFT JOIN organization ap ON ap.id = a.parent_id;
END $$;

-- The region of every organization (karta_org_region as a set, for joins).
CREATE OR REPLACE FUNCTION karta_rows_regions() RETURNS TABLE (id bigint, region bigint)
LANGUAGE sql STABLE AS $$
	SELECT o.id, coalesce(gp.id, p.id, o.id) FROM organization o
	LEFT JOIN organization p ON p.id = o.parent_id
	LEFT JOIN organization gp ON gp.id = p.parent_id
$$;

-- ---- participants: typed once, normalized only where a value needs it ---------------------
-- registry_put of participants as a set, for a registry_rows op's rows and for a run of
-- participant_put ops (34's karta_upload_group): 0008's answers and rows (0021's
-- karta_upload_participants, which it replaces), with less work a row (docs/performance.md,
-- "Registry rows: the apply, typed once"):
-- karta_registry_input's normalization (each value through jsonb_each and regexp_replace)
-- runs only for a row whose text shows a value it would change; any other row's input is its
-- object less the keys that are not columns. The row as 0008 writes it (the current row, the
-- input, the graduation school, the stored forms of СНИЛС and the document)
-- is built inline with one concatenation, typed once over the defaults (jsonb_populate_record
-- on a record of them) and inserted from the typed set; the current rows are read by id.
-- Every CTE read twice is MATERIALIZED: a CTE's expression is otherwise computed again at
-- each reference (the jsonb concatenations were ≈ 20 % of the statement so).
CREATE OR REPLACE FUNCTION karta_rows_participants(w karta_up_actor, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	d karta_up_person[];
	ins participant[];
	upd participant[];
	cols jsonb;
	names text[];
	defs participant;
	q text;
	own bigint;
	ids uuid[];
	c1 text;
	c2 text;
	tcols text[];
	ncols text[];
	-- the federal package's rows as they come (karta_rows_gds): owner and graduation school by GUID
	gds boolean := NOT EXISTS (SELECT 1 FROM unnest(p_ops) x WHERE x.kind IS DISTINCT FROM 'registry_gds_put');
BEGIN
	SELECT jsonb_object_agg(t.attname, t.atttypid::regtype::text), array_agg(t.attname::text),
		coalesce(array_agg(t.attname::text) FILTER (WHERE t.atttypid = 'text'::regtype), '{}'),
		coalesce(array_agg(t.attname::text) FILTER (WHERE t.atttypid <> 'text'::regtype), '{}')
	INTO cols, names, tcols, ncols FROM pg_attribute t
	WHERE t.attrelid = 'participant'::regclass AND t.attnum > 0 AND NOT t.attisdropped;
	-- the column defaults an INSERT of the named columns only would take, as a record
	SELECT 'SELECT r.* FROM jsonb_populate_record(NULL::participant, jsonb_build_object('
		|| string_agg(quote_literal(t.attname) || ', ' || pg_get_expr(f.adbin, f.adrelid), ', ') || ')) r'
	INTO q FROM pg_attribute t JOIN pg_attrdef f ON f.adrelid = t.attrelid AND f.adnum = t.attnum
	WHERE t.attrelid = 'participant'::regclass AND t.attnum > 0 AND NOT t.attisdropped;
	EXECUTE q INTO defs;
	-- a new row's stamps, set once here rather than through each row's object (formatted into
	-- its jsonb and parsed back a row: ≈ 2 ms a 1,000 rows)
	defs.created_at := now();
	defs.updated_at := now();
	defs.updated_by := w.device;
	defs.row_version := 1;
	IF NOT gds AND EXISTS (SELECT 1 FROM unnest(p_ops) x
	           WHERE nullif(x.a->>'org', '') IS NULL AND nullif(x.a->>'org_id', '') IS NULL) THEN
		SELECT o.id INTO own FROM organization o
		WHERE o.level = 'school' AND (o.id = w.org_id OR karta_org_relation(w.org_id, o.id) = 'above');
	END IF;
	ids := ARRAY(SELECT DISTINCT (x.a->>'id')::uuid FROM unnest(p_ops) x ORDER BY 1);

	WITH i AS MATERIALIZED (
		SELECT x.ord, x.op_id, x.a, x.a::text AS txt, (x.a->>'id')::uuid AS rid,
			coalesce(nullif(x.a->>'base', ''), '0')::bigint AS base,
			x.a - CASE WHEN gds THEN '{type,id,base,org,host_org,grad_org,workplace_org,unusable,fields,org_id,region_id,row_version,created_at,updated_at,updated_by,deleted_at,org_guid,grad_org_guid,workplace_guid,exam_global_id,gds_deleted}'::text[]
				ELSE '{type,id,base,org,host_org,grad_org,workplace_org,unusable,fields,org_id,region_id,row_version,created_at,updated_at,updated_by,deleted_at}'::text[] END AS a0
		FROM unnest(p_ops) x),
	-- by their ids, in id order: an index probe each (as a join or "= ANY" the planner read
	-- the whole table, 17–25 ms at 30,000 rows)
	cur AS (SELECT c.* FROM unnest(ids) u
		CROSS JOIN LATERAL (SELECT p.* FROM participant p WHERE p.id = u LIMIT 1 FOR UPDATE) c),
	-- the rows karta_registry_input would change, told by their text: white space to trim or
	-- fold (a quote next to white space is a string's leading or trailing space; a backslash,
	-- an escape, is taken for a change) — one regular expression a row, checked against the
	-- normalization itself (docs/performance.md) — then "" in a column not of text, null in
	-- one of text (a JSON path over the object less the columns of the other kind, not its
	-- keys through jsonb_each; a key that is no column sends the row to 0008 anyway)
	dt AS (
		SELECT i.*, i.txt ~ '\\|"\s|[^:,]\s"|[:,] "[,}\]]|\s\s|(?! )\s'
			OR strpos(i.txt, '""') > 0 AND (i.a0 - tcols) @? '$.* ? (@ == "")'
			OR strpos(i.txt, 'null') > 0 AND (i.a0 - ncols) @? '$.* ? (@ == null)' AS dirty
		FROM i),
	j AS MATERIALIZED (
		SELECT i.ord, i.op_id, i.a, i.rid, i.base,
			CASE WHEN NOT i.dirty THEN i.a0 ELSE (
				-- karta_registry_input: texts trimmed and folded, "" NULL for non-text columns,
				-- NULL "" for text ones
				SELECT coalesce(jsonb_object_agg(e.key, CASE
					WHEN jsonb_typeof(e.value) = 'string' THEN
						CASE WHEN btrim(regexp_replace(e.value #>> '{}', '\s+', ' ', 'g')) = ''
						          AND cols->>e.key <> 'text' THEN 'null'::jsonb
						     ELSE to_jsonb(btrim(regexp_replace(e.value #>> '{}', '\s+', ' ', 'g'))) END
					WHEN jsonb_typeof(e.value) = 'array' AND cols->>e.key = 'text[]' THEN
						(SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(x) = 'string'
							THEN to_jsonb(btrim(regexp_replace(x #>> '{}', '\s+', ' ', 'g'))) ELSE x END), '[]')
						 FROM jsonb_array_elements(e.value) x)
					WHEN e.value = 'null'::jsonb AND cols->>e.key = 'text' THEN '""'::jsonb
					ELSE e.value END), '{}')
				FROM jsonb_each(i.a0) e WHERE cols ? e.key) END AS j,
			i.a0 - names <> '{}' AS unknown, -- a field the table does not have (0008 names it)
			c.id IS NOT NULL AS found, to_jsonb(c) AS curj, c.org_id AS cur_org,
			c.row_version AS cur_v, c.deleted_at AS cur_del,
			CASE WHEN gds THEN o.og
			     WHEN nullif(i.a->>'org', '') IS NOT NULL THEN coalesce(o.oc, -1)
			     WHEN nullif(i.a->>'org_id', '') IS NOT NULL THEN karta_up_org(i.a, 'org') END AS org_arg,
			CASE WHEN gds THEN o.gs
			     WHEN i.a ? 'grad_org' OR i.a ? 'grad_org_id' THEN karta_up_org(i.a, 'grad_org') END AS grad,
			-- a package row whose school GUIDs karta does not know: 0019 names them
			gds AND (o.og IS NULL OR o.gs IS NULL AND nullif(i.a->>'grad_org_guid', '') IS NOT NULL) AS unresolved
		FROM dt i
		-- the owner by code (a CSV's Код ОО) or, for the package, owner and graduation school
		-- by GUID: a probe of the unique key a row, only of the kind the run has. As joins
		-- whose condition carried the kind (`gds AND og.guid = …`), a generic plan, sure of
		-- ten rows against three schools, nested them: 1,000 × 1,003 comparisons an op, 70–
		-- 100 ms of a 140 ms statement (docs/performance.md, branch regimp)
		-- (every GUID of the run well-formed: karta_rows_gds checked them, one match for the run)
		CROSS JOIN LATERAL (SELECT
			CASE WHEN NOT gds THEN (SELECT oc.id FROM organization oc WHERE oc.code = i.a->>'org') END AS oc,
			CASE WHEN gds THEN (SELECT og.id FROM organization og
				WHERE og.guid = (i.a->>'org_guid')::uuid AND og.level = 'school') END AS og,
			CASE WHEN gds THEN (SELECT gs.id FROM organization gs
				WHERE gs.guid = nullif(i.a->>'grad_org_guid', '')::uuid AND gs.level = 'school') END AS gs
			OFFSET 0) o
		LEFT JOIN cur c ON c.id = i.rid),
	-- the row as 0008 writes it: the current row and the input, then the
	-- graduation school, the stored forms of СНИЛС and the document, the row's own fields
	n AS MATERIALIZED (
		SELECT j.ord, j.op_id, j.a, j.rid, j.base, j.unknown, j.found, j.cur_org, j.cur_v, j.cur_del,
			j.org_arg, j.grad, j.unresolved, CASE WHEN j.found THEN j.cur_org ELSE coalesce(j.org_arg, own) END AS owner,
			CASE WHEN j.unknown THEN NULL WHEN j.found THEN j.curj || j.j ELSE j.j END AS n
		FROM j),
	t AS MATERIALIZED (
		SELECT n.ord, n.op_id, n.rid, n.base, n.unknown, n.found, n.cur_org, n.cur_v, n.cur_del,
			n.org_arg, n.grad, n.unresolved, n.owner,
			-- typed once: a value that does not cast stops the set (karta_rows_split halves it);
			-- the small objects joined first, then the row once
			-- (populated twice, the row then its fixes: cheaper than joining them to the row;
			-- the input's grad_org_id, which the fixes replace, is not cast: it may be no number)
			jsonb_populate_record(jsonb_populate_record(CASE WHEN n.found THEN NULL ELSE defs END,
				CASE WHEN n.grad IS NOT NULL OR n.a ? 'grad_org' OR n.a ? 'grad_org_id'
					THEN n.n - 'grad_org_id' ELSE n.n END),
				(CASE WHEN n.grad IS NOT NULL THEN jsonb_build_object('grad_org_id', n.grad)
				        WHEN n.a ? 'grad_org' OR n.a ? 'grad_org_id' THEN '{"grad_org_id": null}' ELSE '{}' END
				|| CASE WHEN n.n ? 'snils' THEN jsonb_build_object('snils', translate(n.n->>'snils', ' -', ''))
				        ELSE '{}' END
				|| CASE WHEN (n.n->>'doc_type') ~ '^[0-9]{1,4}$' THEN jsonb_build_object(
					'doc_series', karta_doc_norm((n.n->>'doc_type')::smallint, coalesce(n.n->>'doc_series', ''), true),
					'doc_number', karta_doc_norm((n.n->>'doc_type')::smallint, n.n->>'doc_number', false))
				   ELSE '{}' END
				|| CASE WHEN n.found THEN jsonb_build_object('id', n.rid, 'org_id', n.owner,
					'created_at', now(), 'updated_at', now(), 'updated_by', w.device, 'row_version', n.cur_v + 1)
				   ELSE jsonb_build_object('id', n.rid, 'org_id', n.owner) END)) AS r
		FROM n),
	-- the device's access to each owner (and each current row's owner), for all of them at once
	acc AS MATERIALIZED (
		SELECT x.org AS owner, x.acc, x.code
		FROM karta_rows_access(w, 'participant', ARRAY(SELECT t.owner FROM t WHERE t.owner IS NOT NULL
			UNION SELECT t.cur_org FROM t WHERE t.cur_org IS NOT NULL)) x),
	v AS MATERIALIZED (
		SELECT t.*, CASE
			WHEN t.unresolved THEN 'serial|'
			WHEN karta_write_refusal(w.org_id, w.role) IS NOT NULL THEN
				'denied|' || karta_write_refusal(w.org_id, w.role)
			WHEN t.found AND coalesce(ca.acc, 'none') = 'none' THEN format('not_found|no participant %s', t.rid)
			WHEN t.found AND t.base = 0 THEN 'conflict|a participant with this id exists'
			WHEN t.found AND coalesce(ca.acc, 'none') <> 'write' THEN 'denied|no write access to this participant'
			WHEN t.found AND t.cur_del IS NOT NULL THEN 'conflict|the participant was deleted'
			WHEN t.found AND t.cur_v <> t.base THEN
				'conflict|' || karta_stale('participant', t.base::text, t.cur_v)
			WHEN NOT t.found AND t.base <> 0 THEN format('not_found|no participant %s', t.rid)
			WHEN t.unknown THEN 'serial|' -- 0008 names the first unknown field
			WHEN t.org_arg = -1 THEN 'bad|org: no such organization'
			WHEN t.found AND t.org_arg IS NOT NULL AND t.org_arg <> t.cur_org THEN
				'bad|org: a participant stays with the organization that owns it'
			WHEN t.owner IS NULL THEN 'bad|org is required: a participant belongs to a school'
			WHEN a.acc <> 'write' THEN
				format('denied|no write access to the participant of organization %s', a.code)
			WHEN t.grad IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organization g
				WHERE g.id = t.grad AND g.level = 'school'
				  AND karta_org_region(g.id) = karta_org_region(t.owner)) THEN
				'bad|grad_org: must be a school of the region'
			WHEN (t.r).birth_date > current_date THEN 'bad|birth_date: is in the future'
			ELSE 'ok|' END AS sm
		FROM t LEFT JOIN acc a ON a.owner = t.owner LEFT JOIN acc ca ON ca.owner = t.cur_org)
	SELECT array_agg(ROW(v.ord, v.op_id, v.rid, v.cur_v, NULL, split_part(v.sm, '|', 1),
			substr(v.sm, position('|' IN v.sm) + 1))::karta_up_person ORDER BY v.ord),
		coalesce(array_agg(v.r ORDER BY v.ord) FILTER (WHERE v.sm = 'ok|' AND NOT v.found), '{}'),
		coalesce(array_agg(v.r ORDER BY v.ord) FILTER (WHERE v.sm = 'ok|' AND v.found), '{}')
	INTO d, ins, upd FROM v;

	INSERT INTO participant SELECT * FROM unnest(ins);
	IF cardinality(upd) > 0 THEN
		SELECT string_agg(quote_ident(t.attname), ', ' ORDER BY t.attnum),
			string_agg('r.' || quote_ident(t.attname), ', ' ORDER BY t.attnum)
		INTO c1, c2 FROM pg_attribute t
		WHERE t.attrelid = 'participant'::regclass AND t.attnum > 0 AND NOT t.attisdropped
		  AND t.attname NOT IN ('id', 'created_at', 'region_id', 'deleted_at');
		EXECUTE format('UPDATE participant t SET (%s) = (%s) FROM unnest($1) r WHERE t.id = r.id', c1, c2)
			USING upd;
	END IF;

	RETURN ARRAY(SELECT karta_up_result(x.ord, x.op_id, x.st, CASE WHEN x.st <> 'ok' THEN x.msg
			WHEN x.cur_v IS NULL THEN 'created' ELSE 'updated' END, x.rid, coalesce(x.cur_v, 0) + 1)
		FROM unnest(d) x ORDER BY x.ord);
END $$;

-- The plain case of karta_registry_put (0008) for a run of rows of one table (exam,
-- exam_registration, exam_point, auditorium, staff, staff_point): 'ok' rows are written, every
-- other row comes back 'serial' (applied alone by 0008, which names the refusal).
CREATE OR REPLACE FUNCTION karta_rows_put(w karta_up_actor, p_type text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	d karta_rw_row[];
	cols jsonb;
	names text[];
	defs jsonb;
	q text;
	own bigint;
	c1 text;
	c2 text;
	tcols text[];
	ncols text[];
	-- the federal package's rows as they come (karta_rows_gds): the owner and the workplace by GUID
	gds boolean := NOT EXISTS (SELECT 1 FROM unnest(p_ops) x WHERE x.kind IS DISTINCT FROM 'registry_gds_put');
BEGIN
	IF p_type = 'participant' THEN
		RETURN karta_rows_participants(w, p_ops);
	ELSIF p_type NOT IN ('exam', 'exam_registration', 'exam_point', 'auditorium', 'staff',
	                     'staff_point') THEN
		RETURN ARRAY(SELECT karta_up_result(x.ord, x.op_id, 'serial', NULL, NULL, NULL)
			FROM unnest(p_ops) x ORDER BY x.ord);
	END IF;
	SELECT jsonb_object_agg(t.attname, t.atttypid::regtype::text), array_agg(t.attname::text),
		coalesce(array_agg(t.attname::text) FILTER (WHERE t.atttypid = 'text'::regtype), '{}'),
		coalesce(array_agg(t.attname::text) FILTER (WHERE t.atttypid <> 'text'::regtype), '{}')
	INTO cols, names, tcols, ncols FROM pg_attribute t
	WHERE t.attrelid = p_type::regclass AND t.attnum > 0 AND NOT t.attisdropped;
	SELECT 'SELECT jsonb_build_object(' || string_agg(quote_literal(t.attname) || ', '
		|| pg_get_expr(f.adbin, f.adrelid), ', ') || ')'
	INTO q FROM pg_attribute t JOIN pg_attrdef f ON f.adrelid = t.attrelid AND f.adnum = t.attnum
	WHERE t.attrelid = p_type::regclass AND t.attnum > 0 AND NOT t.attisdropped;
	EXECUTE q INTO defs;
	-- a new row's stamps, typed once with the defaults (not through each row's object)
	defs := defs || jsonb_build_object('created_at', now(), 'updated_at', now(), 'updated_by', w.device,
		'row_version', 1);
	IF p_type IN ('exam', 'exam_point', 'staff') AND NOT gds AND EXISTS (SELECT 1 FROM unnest(p_ops) x
	           WHERE nullif(x.a->>'org', '') IS NULL AND nullif(x.a->>'org_id', '') IS NULL) THEN
		SELECT o.id INTO own FROM organization o
		WHERE o.level = karta_registry_level(p_type)
		  AND (o.id = w.org_id OR karta_org_relation(w.org_id, o.id) = 'above');
	END IF;

	-- as karta_rows_participants: the input normalized only where a row's text shows a change,
	-- current rows by id, each CTE computed once
	EXECUTE replace($q$
	WITH o AS MATERIALIZED (
		SELECT x.ord, x.op_id, x.a - 'type' AS a, (x.a->>'id')::uuid AS rid,
			coalesce(nullif(x.a->>'base', ''), '0')::bigint AS base, x.a::text AS txt,
			x.a - CASE WHEN $9 THEN '{type,id,base,org,host_org,grad_org,workplace_org,unusable,fields,org_id,region_id,row_version,created_at,updated_at,updated_by,deleted_at,org_guid,grad_org_guid,workplace_guid,exam_global_id,gds_deleted}'::text[]
				ELSE '{type,id,base,org,host_org,grad_org,workplace_org,unusable,fields,org_id,region_id,row_version,created_at,updated_at,updated_by,deleted_at}'::text[] END AS a0
		FROM unnest($1) x),
	cur AS (SELECT c.* FROM (SELECT DISTINCT o.rid FROM o ORDER BY 1) u
		CROSS JOIN LATERAL (SELECT t.* FROM @T@ t WHERE t.id = u.rid LIMIT 1 FOR UPDATE) c),
	rg AS MATERIALIZED (SELECT * FROM karta_rows_regions()),
	dt AS (
		SELECT o.*, o.txt ~ '\\|"\s|[^:,]\s"|[:,] "[,}\]]|\s\s|(?! )\s'
			OR strpos(o.txt, '""') > 0 AND (o.a0 - $7) @? '$.* ? (@ == "")'
			OR strpos(o.txt, 'null') > 0 AND (o.a0 - $8) @? '$.* ? (@ == null)' AS dirty
		FROM o),
	j AS MATERIALIZED (
		SELECT o.ord, o.op_id, o.a, o.rid, o.base, i.j, o.a0 - $6 <> '{}' AS unknown,
			c.id IS NOT NULL AS found, to_jsonb(c) AS curj, c.org_id AS cur_org,
			c.row_version AS cur_v, c.deleted_at AS cur_del,
			coalesce(to_jsonb(c), '{}') || i.j AS nr0,
			CASE WHEN $9 THEN coalesce(og.id, CASE WHEN $3 = 'staff' THEN ws.parent_id END)
			     WHEN nullif(o.a->>'org', '') IS NOT NULL OR nullif(o.a->>'org_id', '') IS NOT NULL
				THEN karta_up_org(o.a, 'org') END AS org_arg,
			CASE WHEN o.a ? 'host_org' OR o.a ? 'host_org_id' THEN karta_up_org(o.a, 'host_org') END AS host,
			CASE WHEN $9 THEN ws.id WHEN o.a ? 'workplace_org' OR o.a ? 'workplace_org_id'
				THEN karta_up_org(o.a, 'workplace_org') END AS wp,
			-- a package row whose owner's GUID karta does not know: 0019 names it
			$9 AND $3 IN ('exam_point', 'staff') AND og.id IS NULL
				AND (ws.parent_id IS NULL OR $3 <> 'staff') AS unresolved,
			-- the input's types, cast as 0008 casts them: a value that does not cast stops the set
			jsonb_populate_record(NULL::@T@, i.j) IS NULL AS typed
		FROM dt o CROSS JOIN LATERAL (
			SELECT CASE WHEN NOT o.dirty THEN o.a0 ELSE (
				SELECT coalesce(jsonb_object_agg(e.key, CASE
					WHEN jsonb_typeof(e.value) = 'string' THEN
						CASE WHEN btrim(regexp_replace(e.value #>> '{}', '\s+', ' ', 'g')) = ''
						          AND $4->>e.key <> 'text' THEN 'null'::jsonb
						     ELSE to_jsonb(btrim(regexp_replace(e.value #>> '{}', '\s+', ' ', 'g'))) END
					WHEN jsonb_typeof(e.value) = 'array' AND $4->>e.key = 'text[]' THEN
						(SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(x) = 'string'
							THEN to_jsonb(btrim(regexp_replace(x #>> '{}', '\s+', ' ', 'g'))) ELSE x END), '[]')
						 FROM jsonb_array_elements(e.value) x)
					WHEN e.value = 'null'::jsonb AND $4->>e.key = 'text' THEN '""'::jsonb
					ELSE e.value END), '{}')
				FROM jsonb_each(o.a0) e WHERE $4 ? e.key) END AS j
			OFFSET 0) i -- computed once: pulled up, i.j was computed at each of its three uses
		-- (every GUID of the run well-formed: karta_rows_gds checked them, one match for the run)
		LEFT JOIN organization og ON $9 AND $3 IN ('exam_point', 'staff') AND og.level = 'municipality'
			AND og.guid = nullif(o.a->>'org_guid', '')::uuid
		LEFT JOIN organization ws ON $9 AND ws.level = 'school' AND ws.guid = nullif(o.a->>'workplace_guid', '')::uuid
		LEFT JOIN cur c ON c.id = o.rid),
	-- what the row hangs on, and its owner
	k AS MATERIALIZED (
		SELECT j.*, pp.org_id AS p_org, pp.deleted_at AS p_del, pp.blocked AS p_blocked,
			ex.org_id AS e_org, ex.deleted_at AS e_del, ep.org_id AS pt_org, ep.deleted_at AS pt_del,
			sf.org_id AS s_org, sf.deleted_at AS s_del,
			CASE WHEN $3 IN ('exam', 'exam_point', 'staff') THEN
				CASE WHEN j.found THEN j.cur_org ELSE coalesce(j.org_arg, $5) END
			     WHEN $3 = 'exam_registration' THEN pp.org_id
			     ELSE ep.org_id END AS owner
		-- each by its key (LATERAL … LIMIT 1: as joins, a run of a thousand registrations hashed
		-- all the region's participants, 0.15 s an op at 100,000)
		FROM j
		LEFT JOIN LATERAL (SELECT x.org_id, x.deleted_at, x.blocked FROM participant x
			WHERE $3 = 'exam_registration' AND x.id = karta_up_uuid(j.nr0->>'participant_id') LIMIT 1) pp ON true
		LEFT JOIN LATERAL (SELECT x.org_id, x.deleted_at FROM exam x
			WHERE $3 = 'exam_registration' AND x.id = karta_up_uuid(j.nr0->>'exam_id') LIMIT 1) ex ON true
		LEFT JOIN LATERAL (SELECT x.org_id, x.deleted_at FROM exam_point x
			WHERE $3 IN ('auditorium', 'staff_point') AND x.id = karta_up_uuid(j.nr0->>'point_id') LIMIT 1) ep ON true
		LEFT JOIN LATERAL (SELECT x.org_id, x.deleted_at FROM staff x
			WHERE $3 = 'staff_point' AND x.id = karta_up_uuid(j.nr0->>'staff_id') LIMIT 1) sf ON true),
	-- the device's access, once an owner (and once an exam's or staff member's owner)
	acc AS MATERIALIZED (
		SELECT $3 AS tp, x.org, x.acc FROM karta_rows_access($2, $3, ARRAY(SELECT k.owner FROM k)) x
		UNION ALL SELECT 'exam', x.org, x.acc FROM karta_rows_access($2, 'exam', ARRAY(SELECT k.e_org FROM k)) x
		UNION ALL SELECT 'staff', x.org, x.acc FROM karta_rows_access($2, 'staff', ARRAY(SELECT k.s_org FROM k)) x),
	v AS MATERIALIZED (
		SELECT k.*, CASE
			WHEN k.unresolved OR k.typed IS NULL OR k.unknown THEN 'serial'
			WHEN ($2).org_id IS NULL OR ($2).role = 'viewer' THEN 'serial'
			WHEN k.found AND (k.base = 0 OR k.cur_del IS NOT NULL OR k.cur_v <> k.base) THEN 'serial'
			WHEN NOT k.found AND k.base <> 0 THEN 'serial'
			WHEN k.org_arg = -1 OR k.owner IS NULL THEN 'serial'
			WHEN k.found AND k.owner <> k.cur_org THEN 'serial'
			WHEN a.acc IS DISTINCT FROM 'write' THEN 'serial'
			WHEN $3 = 'exam_registration' AND (k.p_del IS NOT NULL
				OR (k.p_blocked AND (NOT k.found OR k.j ? 'exam_id' OR k.j ? 'participant_id'))
				OR k.e_org IS NULL OR ae.acc IS DISTINCT FROM 'read' AND ae.acc IS DISTINCT FROM 'write'
				OR k.e_del IS NOT NULL) THEN 'serial'
			WHEN $3 IN ('auditorium', 'staff_point') AND k.pt_del IS NOT NULL THEN 'serial'
			WHEN $3 = 'staff_point' AND (k.s_org IS NULL OR k.s_del IS NOT NULL
				OR as_.acc IS DISTINCT FROM 'read' AND as_.acc IS DISTINCT FROM 'write') THEN 'serial'
			WHEN k.host = -1 OR k.host IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organization h
				WHERE h.id = k.host AND h.level = 'school' AND h.parent_id = k.owner) THEN 'serial'
			WHEN k.wp = -1 OR k.wp IS NOT NULL AND rw.region IS DISTINCT FROM ro.region THEN 'serial'
			WHEN $3 = 'staff' AND (k.nr0->>'birth_date')::date > current_date THEN 'serial'
			WHEN $3 = 'auditorium' AND k.a ? 'unusable' AND NOT k.a ? 'unusable_seats' AND NOT (
				coalesce(k.a->>'unusable', '') ~ '^[0-9]{1,6}$'
				AND (k.nr0->>'rows') ~ '^[0-9]{1,6}$' AND (k.nr0->>'seats_per_row') ~ '^[0-9]{1,6}$'
				AND (k.a->>'unusable')::int < (k.nr0->>'rows')::int * (k.nr0->>'seats_per_row')::int)
				THEN 'serial'
			ELSE 'ok' END AS st
		FROM k LEFT JOIN acc a ON a.tp = $3 AND a.org = k.owner
		LEFT JOIN acc ae ON ae.tp = 'exam' AND ae.org = k.e_org
		LEFT JOIN acc as_ ON as_.tp = 'staff' AND as_.org = k.s_org
		-- the regions of the workplace and the owner (as subqueries: a scan of rg a row)
		LEFT JOIN rg rw ON rw.id = k.wp LEFT JOIN rg ro ON ro.id = k.owner),
	-- the row as 0008 writes it
	n AS (
		SELECT v.*, CASE WHEN v.st <> 'ok' THEN NULL ELSE
			-- the row, then its fixes joined small first (each || rebuilds the row's object);
			-- staff: the stored forms of СНИЛС and the document (as 0008 stores them)
			v.nr0
			|| (CASE WHEN $3 = 'staff' AND v.nr0 ? 'snils'
				THEN jsonb_build_object('snils', translate(v.nr0->>'snils', ' -', '')) ELSE '{}' END
			|| CASE WHEN $3 = 'staff' AND (v.nr0->>'doc_type') ~ '^[0-9]{1,4}$' THEN jsonb_build_object(
				'doc_series', karta_doc_norm((v.nr0->>'doc_type')::smallint, coalesce(v.nr0->>'doc_series', ''), true),
				'doc_number', karta_doc_norm((v.nr0->>'doc_type')::smallint, v.nr0->>'doc_number', false))
			   ELSE '{}' END
			|| CASE WHEN v.host IS NOT NULL THEN jsonb_build_object('host_org_id', v.host)
			        WHEN v.a ? 'host_org' OR v.a ? 'host_org_id' THEN '{"host_org_id": null}' ELSE '{}' END
			|| CASE WHEN v.wp IS NOT NULL THEN jsonb_build_object('workplace_org_id', v.wp)
			        WHEN v.a ? 'workplace_org' OR v.a ? 'workplace_org_id' THEN '{"workplace_org_id": null}'
			        ELSE '{}' END
			|| CASE WHEN $3 = 'auditorium' AND v.a ? 'unusable' AND NOT v.a ? 'unusable_seats' THEN
				(SELECT jsonb_build_object('unusable_seats', coalesce(jsonb_agg(s ORDER BY s), '[]'))
				 FROM generate_series((v.nr0->>'rows')::int * (v.nr0->>'seats_per_row')::int
				                      - (v.a->>'unusable')::int + 1,
				                      (v.nr0->>'rows')::int * (v.nr0->>'seats_per_row')::int) s)
			   ELSE '{}' END
			|| CASE WHEN $3 = 'staff' AND jsonb_typeof(v.nr0->'roles') = 'array' THEN
				(SELECT jsonb_build_object('roles', coalesce(jsonb_agg(CASE WHEN r #>> '{}' ~ '^[1-7]$'
					THEN to_jsonb((karta_staff_roles())[(r #>> '{}')::int]) ELSE r END), '[]'))
				 FROM jsonb_array_elements(v.nr0->'roles') r)
			   ELSE '{}' END
			|| CASE WHEN $3 = 'exam' AND coalesce(v.nr0->>'gia', '') = '' AND v.nr0->>'form' IN ('1', '2')
				THEN jsonb_build_object('gia', CASE v.nr0->>'form' WHEN '1' THEN 11 ELSE 9 END) ELSE '{}' END
			|| CASE WHEN $3 = 'exam_point' AND coalesce(v.a->>'ris_deleted', '') ~ '^0*[1-9][0-9]*$'
				THEN jsonb_build_object('deleted_at', now()) ELSE '{}' END
			|| CASE WHEN v.found THEN jsonb_build_object('id', v.rid, 'org_id', v.owner, 'created_at', now(),
				'updated_at', now(), 'updated_by', ($2).device, 'row_version', v.cur_v + 1)
			   ELSE jsonb_build_object('id', v.rid, 'org_id', v.owner) END) END AS nr
		FROM v)
	SELECT array_agg(ROW(n.ord, n.op_id, n.rid, n.cur_v, n.nr, n.st, NULL)::karta_rw_row ORDER BY n.ord)
	FROM n $q$, '@T@', quote_ident(p_type)) INTO d USING p_ops, w, p_type, cols, own, names, tcols, ncols, gds;

	-- typed over a record of the defaults (not the defaults' object joined to every row)
	EXECUTE format('INSERT INTO %1$I SELECT r.* FROM (SELECT jsonb_populate_record(NULL::%1$I, $2) AS f) f, '
		'unnest($1) x, jsonb_populate_record(f.f, x.nr) r '
		'WHERE x.st = ''ok'' AND x.cur_v IS NULL ORDER BY x.ord', p_type) USING d, defs;

	IF EXISTS (SELECT 1 FROM unnest(d) x WHERE x.st = 'ok' AND x.cur_v IS NOT NULL) THEN
		SELECT string_agg(quote_ident(t.attname), ', ' ORDER BY t.attnum),
			string_agg('r.' || quote_ident(t.attname), ', ' ORDER BY t.attnum)
		INTO c1, c2 FROM pg_attribute t
		WHERE t.attrelid = p_type::regclass AND t.attnum > 0 AND NOT t.attisdropped
		  AND t.attname NOT IN ('id', 'created_at', 'region_id', 'deleted_at');
		EXECUTE format('UPDATE %I t SET (%s) = (%s) FROM unnest($1) x, '
			'jsonb_populate_record(NULL::%I, x.nr) r '
			'WHERE t.id = x.rid AND x.st = ''ok'' AND x.cur_v IS NOT NULL', p_type, c1, c2, p_type)
			USING d;
	END IF;

	RETURN ARRAY(SELECT karta_up_result(x.ord, x.op_id, x.st, CASE WHEN x.cur_v IS NULL
			THEN 'created' ELSE 'updated' END, x.rid, coalesce(x.cur_v, 0) + 1)
		FROM unnest(d) x ORDER BY x.ord);
END $$;

-- ---- runs ------------------------------------------------------------------------------------
-- The set-wise class of a row, NULL: applied alone. p_ids_ok: every row's id is as karta_up_uuid
-- takes it (one match for the op: karta_up_uuid a row, not inlined, was two thirds of the class);
-- p_plain: every row's base is a number of up to 15 digits and its ris_deleted none, '' or 0
-- (also told for the op at once: the two regular expressions a row were most of what was left).
CREATE OR REPLACE FUNCTION karta_rows_class(k text, a jsonb, p_ids_ok boolean, p_plain boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
	WHEN jsonb_typeof(a) IS DISTINCT FROM 'object' OR NOT p_ids_ok AND karta_up_uuid(a->>'id') IS NULL
	     OR NOT p_plain AND NOT coalesce(nullif(a->>'base', ''), '0') ~ '^[0-9]{1,15}$' THEN NULL
	WHEN k = 'registry_put' AND karta_registry_type(a->>'type')
	     AND (p_plain OR NOT coalesce(a->>'ris_deleted', '') ~ '^0*[1-9][0-9]*$')
		THEN 'put:' || (a->>'type')
	WHEN k = 'registry_delete' AND karta_registry_type(a->>'type')
	     AND (p_plain OR coalesce(nullif(a->>'ris_deleted', ''), '0') ~ '^[0-9]{1,4}$')
		THEN 'del:' || (a->>'type')
	WHEN k = 'registry_gds_put' AND a->>'type' IN ('exam_point_assignment', 'exam_auditorium')
	     AND coalesce(a->>'gds_deleted', 'false') IN ('true', 'false')
		THEN 'gdsplan:' || (a->>'type')
	WHEN k = 'registry_gds_put' AND a->>'type' IN ('participant', 'exam_registration', 'exam_point',
	                                                'auditorium', 'staff')
	     AND (p_plain OR NOT coalesce(a->>'ris_deleted', '') ~ '^0*[1-9][0-9]*$')
	     AND coalesce(a->>'gds_deleted', 'false') = 'false'
		THEN 'gds:' || (a->>'type')
	END
$$;

CREATE OR REPLACE FUNCTION karta_rows_group(w karta_up_actor, p_cls text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
BEGIN
	IF p_cls LIKE 'put:%' THEN
		RETURN karta_rows_put(w, substr(p_cls, 5), p_ops);
	ELSIF p_cls LIKE 'del:%' THEN
		RETURN karta_upload_deletes(w, substr(p_cls, 5), p_ops);
	ELSIF p_cls LIKE 'gds:%' THEN
		RETURN karta_rows_gds(w, substr(p_cls, 5), p_ops);
	ELSIF p_cls LIKE 'gdsplan:%' THEN
		RETURN karta_rows_gds_plan(w, substr(p_cls, 9), p_ops);
	END IF;
	RAISE EXCEPTION 'no set-wise path for %', p_cls;
END $$;

-- A run as a set, in a subtransaction; a statement failing where the checks foresaw nothing
-- rolls the run back and its halves are applied again, down to rows applied alone.
CREATE OR REPLACE FUNCTION karta_rows_split(w karta_up_actor, p_cls text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	res karta_up_res[];
	n int := cardinality(p_ops);
	h int := cardinality(p_ops) / 2;
BEGIN
	IF p_cls IS NULL THEN
		RETURN karta_rows_serial(w, p_ops);
	END IF;
	BEGIN
		res := karta_rows_group(w, p_cls, p_ops);
	EXCEPTION
		WHEN serialization_failure OR deadlock_detected OR lock_not_available OR query_canceled THEN
			RAISE;
		WHEN OTHERS THEN
			res := NULL;
	END;
	IF res IS NULL THEN
		IF n <= 8 THEN
			RETURN karta_rows_serial(w, p_ops);
		END IF;
		RETURN karta_rows_split(w, p_cls, p_ops[1:h]) || karta_rows_split(w, p_cls, p_ops[h + 1:n]);
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(res) r WHERE r.outcome = 'serial') THEN
		res := ARRAY(SELECT r FROM unnest(res) r WHERE r.outcome <> 'serial')
			|| karta_rows_serial(w, ARRAY(SELECT o FROM unnest(p_ops) o JOIN unnest(res) r
				ON r.ord = o.ord WHERE r.outcome = 'serial' ORDER BY o.ord));
	END IF;
	RETURN res;
END $$;

-- ---- a row's own checks, before it is applied (kartad's words) -----------------------------
-- kartad passes a registry_rows op on unparsed (its jansson parse of every op was most of its
-- CPU, issue 22); the checks it ran on each row run here, with its words exactly, for the ops
-- that come through it (karta_upload_seq sets karta.row_checks; karta_upload, the JSON array
-- the tests send, is the database's side alone, as before): a row's shape, the names and
-- СНИЛС of a participant or staff member put (the client's own rules, common/registry
-- kt_check_name and kt_check_snils; ops.c registry_person_check runs them on a registry_put
-- op), a deletion's reason. A row that fails is refused alone, "field: reason", never the
-- value. t_registry_rows_checks holds these to the C functions over the rules' corpus.

-- A value as kt_v_trim leaves it: white space (space, tab, CR, LF) off both ends, then
-- no-break spaces.
CREATE OR REPLACE FUNCTION karta_rows_trim(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT btrim(btrim(s, E' \t\r\n'), E'\u00a0')
$$;

-- kt_check_name of a trimmed text (karta_name_ok's letters; C reads at most 400 bytes).
CREATE OR REPLACE FUNCTION karta_rows_name_why(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
	WHEN octet_length(t) > 400 THEN 'is longer than 100 characters'
	WHEN t = '' THEN NULL
	WHEN t !~ ('^[' || karta_name_letters() || ']') THEN 'must start with a letter'
	WHEN t ~ ('[^' || karta_name_letters() || karta_name_marks() || ']') THEN
		'may hold only letters, spaces, hyphens, apostrophes and dots'
	WHEN length(t) > 100 THEN 'is longer than 100 characters'
	END
$$;

-- kt_check_snils of a trimmed text (C reads at most 127 bytes).
CREATE OR REPLACE FUNCTION karta_rows_snils_why(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
	WHEN octet_length(t) >= 128 OR t !~ '^[0-9 -]*$' OR length(translate(t, ' -', '')) <> 11 THEN
		'must be 11 digits (ХХХ-ХХХ-ХХХ ХХ)'
	WHEN translate(t, ' -', '') LIKE '000000000%' THEN 'is not a real number (all zeros)'
	WHEN NOT karta_snils_ok(translate(t, ' -', '')) THEN 'control number does not match'
	END
$$;

-- One field of a person (registry_person_check's rules): absent or null is fine, "" is fine
-- where optional.
CREATE OR REPLACE FUNCTION karta_rows_person_why(v jsonb, p_snils boolean, p_optional boolean)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
	WHEN v IS NULL OR jsonb_typeof(v) = 'null' THEN NULL
	WHEN jsonb_typeof(v) <> 'string' THEN 'must be text'
	WHEN p_optional AND v = '""'::jsonb THEN NULL
	WHEN p_snils THEN karta_rows_snils_why(karta_rows_trim(v #>> '{}'))
	ELSE karta_rows_name_why(karta_rows_trim(v #>> '{}'))
	END
$$;

-- Why a row (its k when a JSON string, else NULL; its a) is refused before it is applied,
-- NULL when it is not. A "refused" row is one refused before (its why is its answer); a k
-- that names no kind is refused afterwards (karta_rows_serial).
CREATE OR REPLACE FUNCTION karta_rows_why(k text, a jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
	WHEN k IS NULL OR k <> 'refused' AND jsonb_typeof(a) IS DISTINCT FROM 'object' THEN
		'a row is {"n", "k", "a"}'
	WHEN k = 'registry_put' AND a->>'type' IN ('participant', 'staff') THEN coalesce(
		'surname: ' || karta_rows_person_why(a->'surname', false, false),
		'name: ' || karta_rows_person_why(a->'name', false, false),
		'patronymic: ' || karta_rows_person_why(a->'patronymic', false, true),
		'snils: ' || karta_rows_person_why(a->'snils', true, true))
	WHEN k = 'registry_delete' AND a ? 'reason' THEN CASE
		WHEN jsonb_typeof(a->'reason') <> 'string' THEN 'reason: must be text'
		WHEN length(a->>'reason') > 1000 THEN 'reason is longer than 1000 characters' END
	END
$$;

-- Whether karta_rows_why may have anything to say of the row (k: its k as text, a JSON string
-- or not — a kind's name is never the text of anything else): the federal package's rows, and
-- most others, are spared it.
CREATE OR REPLACE FUNCTION karta_rows_checked(k text, a jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT k IS NULL OR k NOT IN ('registry_gds_put', 'registry_put', 'registry_delete', 'refused')
		OR k <> 'refused' AND jsonb_typeof(a) IS DISTINCT FROM 'object'
		OR k = 'registry_put' AND a->>'type' IN ('participant', 'staff')
		OR k = 'registry_delete' AND a ? 'reason'
$$;

-- A person's row that karta_rows_why passes, told cheaply (karta_rows_why inlined takes each
-- field out and trims it again at every test: ≈ 20 µs a row): the three names as text, in one
-- regular expression (a letter first, then what kt_check_name allows; 100 characters at most,
-- 300 bytes), and its СНИЛС absent, null, "" or digits, spaces and hyphens whose 11 digits
-- (p_digits: the value less its spaces and hyphens) pass karta_snils_ok. False says nothing.
CREATE OR REPLACE FUNCTION karta_rows_person_plain(a jsonb, p_digits text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_typeof(a->'surname') = 'string' AND jsonb_typeof(a->'name') = 'string'
		AND coalesce(jsonb_typeof(a->'patronymic'), 'null') IN ('string', 'null')
		AND ((a->>'surname') || E'\n' || (a->>'name') || E'\n' || coalesce(a->>'patronymic', ''))
			~ ('^' || karta_name_pattern() || '\n' || karta_name_pattern() || '\n(?:'
			   || karta_name_pattern() || ')?$')
		AND length(a->>'surname') <= 100 AND length(a->>'name') <= 100
		AND coalesce(length(a->>'patronymic'), 0) <= 100
		AND (coalesce(a->'snils', 'null') IN ('null', '""') OR jsonb_typeof(a->'snils') = 'string'
			AND octet_length(a->>'snils') < 128 AND (a->>'snils') ~ '^[0-9 -]*$' AND karta_snils_ok(p_digits))
$$;

-- The rows of one registry_rows op, applied; one answer a row, in row order. Rows of one
-- class touching distinct ids form a run; a row touching an id an earlier row of the run
-- touched starts the next.
CREATE OR REPLACE FUNCTION karta_rows_apply(w karta_up_actor, p_op_id uuid, p_rows jsonb)
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	ops karta_up_op[];
	cls text[];
	prev int[];
	res karta_up_res[] := '{}';
	ids_ok boolean;
	plain boolean;
	uniq boolean;
	-- the rows' own checks (karta_rows_why): for an op that came through kartad
	-- (karta_upload_seq), which once ran them itself
	checks boolean := current_setting('karta.row_checks', true) IS NOT DISTINCT FROM 'on';
	checked boolean;
	n int;
	i int := 1;
	j int;
BEGIN
	ops := ARRAY(SELECT ROW(x.i, p_op_id, NULL, x.v->>'k',
		CASE WHEN x.v->>'k' = 'refused' THEN jsonb_build_object('why', x.v->>'why') ELSE x.v->'a' END
		)::karta_up_op FROM jsonb_array_elements(p_rows) WITH ORDINALITY x(v, i) ORDER BY x.i);
	n := cardinality(ops);
	-- what karta_rows_class would match a row at a time, for the op in one pass (each id of 36
	-- characters, no base with a comma: one cannot pass for two); whether an id repeats (as
	-- bytes, COLLATE "C": the same equality, without the locale's sort); whether a row has
	-- checks of its own (karta_rows_why: a refused row's id or base would not change these)
	SELECT coalesce(bool_and(coalesce(length(o.a->>'id'), 0) = 36)
			AND string_agg(o.a->>'id', ',') ~ ('^(' || karta_up_uuid_re() || ',)*' || karta_up_uuid_re() || '$'), false),
		coalesce(bool_and(coalesce(o.a->>'ris_deleted', '') IN ('', '0')
			AND strpos(coalesce(o.a->>'base', ''), ',') = 0)
			AND string_agg(coalesce(nullif(o.a->>'base', ''), '0'), ',') ~ '^([0-9]{1,15},)*[0-9]{1,15}$', false),
		count(DISTINCT lower(o.a->>'id') COLLATE "C") = count(o.a->>'id'),
		coalesce(bool_or(checks AND karta_rows_checked(o.kind, o.a)), false)
	INTO ids_ok, plain, uniq, checked FROM unnest(ops) o;
	IF checked THEN -- a row that fails its checks is refused alone (karta_rows_serial)
		ops := ARRAY(SELECT CASE WHEN y.why IS NULL THEN o
				ELSE ROW(o.ord, o.op_id, NULL, 'refused', jsonb_build_object('why', y.why))::karta_up_op END
			FROM unnest(ops) o CROSS JOIN LATERAL (SELECT CASE WHEN NOT karta_rows_checked(o.kind, o.a) THEN NULL
				WHEN o.kind = 'registry_put' AND karta_rows_person_plain(o.a, d.d) THEN NULL
				-- (whether a k that names no kind is a JSON string, for these rows only: asked of
				-- every row, ≈ 0.25 ms a 1,000)
				ELSE karta_rows_why(CASE WHEN o.kind IN ('registry_gds_put', 'registry_put', 'registry_delete',
					'refused') OR jsonb_typeof(p_rows->(o.ord - 1)->'k') = 'string' THEN o.kind END, o.a) END AS why
				-- (the digits once, a value: inlined, karta_snils_ok would take them out ten times)
				FROM (SELECT translate(o.a->>'snils', ' -', '') AS d OFFSET 0) d) y ORDER BY o.ord);
	END IF;
	cls := ARRAY(SELECT karta_rows_class(o.kind, o.a, ids_ok, plain) FROM unnest(ops) o ORDER BY o.ord);
	IF uniq THEN
		prev := array_fill(0, ARRAY[n]); -- no id twice (the usual op)
	ELSE
		prev := ARRAY(SELECT coalesce(max(y.before), 0) FROM unnest(ops) o
			LEFT JOIN (SELECT x.ord, lag(x.ord) OVER (PARTITION BY x.key ORDER BY x.ord) AS before
			           FROM (SELECT z.ord, lower(z.a->>'id') AS key FROM unnest(ops) z
			                 WHERE z.a->>'id' IS NOT NULL) x) y ON y.ord = o.ord
			GROUP BY o.ord ORDER BY o.ord);
	END IF;
	WHILE i <= n LOOP
		j := i + 1;
		WHILE j <= n AND cls[j] IS NOT DISTINCT FROM cls[i] AND (cls[i] IS NULL OR prev[j] < i) LOOP
			j := j + 1;
		END LOOP;
		-- (the whole op, the usual run, not sliced: a slice copies every row)
		res := res || karta_rows_split(w, cls[i], CASE WHEN i = 1 AND j > n THEN ops ELSE ops[i:j - 1] END);
		i := j;
	END LOOP;
	RETURN ARRAY(SELECT r FROM unnest(res) r ORDER BY r.ord);
END $$;

-- The op's answer: applied, its detail every row's ("r": one letter a row — c created,
-- u updated, d deleted, x refused — and "refused": [{i, n, k, t, status, message}] for the
-- x's, with the file's name and unit for the client's words).
CREATE OR REPLACE FUNCTION karta_rows_answer(p_a jsonb, p_res karta_up_res[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('rows', count(*), 'file', coalesce(p_a->>'file', ''),
		'unit', coalesce(p_a->>'unit', 'row'),
		'r', string_agg(CASE WHEN r.outcome <> 'applied' THEN 'x' WHEN r.message = 'created' THEN 'c'
			WHEN r.message = 'deleted' THEN 'd' ELSE 'u' END, '' ORDER BY r.ord),
		'refused', coalesce(jsonb_agg(jsonb_build_object('i', r.ord,
			'n', p_a->'rows'->(r.ord - 1)->'n', 'k', p_a->'rows'->(r.ord - 1)->>'k',
			't', p_a->'rows'->(r.ord - 1)->'a'->>'type', 'status', r.status, 'message', r.message)
			ORDER BY r.ord) FILTER (WHERE r.outcome <> 'applied'), '[]'))
	FROM unnest(p_res) r
$$;
