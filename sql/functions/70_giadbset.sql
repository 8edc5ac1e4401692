-- 70_giadbset: the federal package (ГИА DB set) — import of its rows by their GUIDs (one by one,
-- and as the runs of registry_rows ops: their keys resolved by GUID, registrations as typed
-- columns) and the organizations for its export.

-- The organization of a package GUID at a level; NULL when karta has none.
CREATE OR REPLACE FUNCTION karta_gds_org(p_guid text, p_level text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT o.id FROM organization o
	WHERE p_guid ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
	  AND o.guid = p_guid::uuid AND o.level = p_level
$$;

-- An assignment row of the package (exam_point_assignment, exam_auditorium), id = its GUID.
CREATE OR REPLACE FUNCTION karta_gds_plan_put(p_device bigint, p_type text, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	rid uuid := (a->>'id')::uuid;
	base bigint := coalesce(nullif(a->>'base', ''), '0')::bigint;
	pt exam_point;
	au auditorium;
	ex uuid;
	c record;
	cur jsonb;
	v bigint;
	del timestamptz := CASE WHEN coalesce((a->>'gds_deleted')::boolean, false) THEN now() END;
	con text;
BEGIN
	SELECT * INTO pt FROM exam_point x WHERE x.id = (a->>'point_id')::uuid;
	IF pt.id IS NULL THEN
		RETURN QUERY SELECT 'not_found', 'StationID: no exam point with this GUID', rid, NULL::bigint;
		RETURN;
	END IF;
	IF p_type = 'exam_point_assignment' THEN
		SELECT e.id INTO ex FROM exam e WHERE e.org_id = pt.region_id
			AND e.global_id = (a->>'exam_global_id')::int AND e.deleted_at IS NULL;
	ELSE
		SELECT x.exam_id INTO ex FROM exam_point_assignment x
		WHERE x.id = (a->'extra'->>'StationsExamsID')::uuid AND x.point_id = pt.id;
		SELECT * INTO au FROM auditorium x WHERE x.id = (a->>'auditorium_id')::uuid;
		IF au.id IS NULL OR au.point_id <> pt.id THEN
			RETURN QUERY SELECT 'not_found', 'AuditoriumID: no auditorium of this exam point with this GUID',
				rid, NULL::bigint;
			RETURN;
		END IF;
	END IF;
	IF ex IS NULL THEN
		RETURN QUERY SELECT 'not_found', CASE p_type WHEN 'exam_point_assignment'
			THEN 'ExamGlobalID: no exam with this id in the region''s schedule (karta exam schedule import)'
			ELSE 'StationsExamsID: no assignment of this exam point with this GUID' END, rid, NULL::bigint;
		RETURN;
	END IF;
	c := karta_plan_ctx(p_device, jsonb_build_object('exam_id', ex), false, false);
	IF c.status IS NULL AND NOT karta_plan_scope(c.org_id, c.level, pt) THEN
		c.status := 'denied'; c.message := 'StationID: the exam point is not yours to plan';
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, rid, NULL::bigint; RETURN;
	END IF;
	EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE t.id = $1 FOR UPDATE', p_type) INTO cur USING rid;
	IF cur IS NOT NULL AND base = 0 THEN
		RETURN QUERY SELECT 'conflict', format('a %s with this id exists', p_type), rid, NULL::bigint; RETURN;
	ELSIF cur IS NOT NULL AND (cur->>'row_version')::bigint <> base THEN
		RETURN QUERY SELECT 'conflict', karta_stale(p_type, base::text, (cur->>'row_version')::bigint),
			rid, NULL::bigint;
		RETURN;
	ELSIF cur IS NULL AND base <> 0 THEN
		RETURN QUERY SELECT 'not_found', format('no %s %s', p_type, rid), rid, NULL::bigint; RETURN;
	END IF;
	BEGIN
		IF p_type = 'exam_point_assignment' THEN
			INSERT INTO exam_point_assignment AS x (id, org_id, exam_id, point_id, seats, extra,
				updated_by, deleted_at)
			VALUES (rid, pt.org_id, ex, pt.id, (a->>'seats')::int, a->'extra', p_device, del)
			ON CONFLICT (id) DO UPDATE SET seats = excluded.seats, extra = excluded.extra,
				row_version = x.row_version + 1, updated_at = now(), updated_by = p_device,
				deleted_at = CASE WHEN excluded.deleted_at IS NULL THEN NULL
					ELSE coalesce(x.deleted_at, excluded.deleted_at) END
			RETURNING x.row_version INTO v;
		ELSE
			INSERT INTO exam_auditorium AS x (id, org_id, exam_id, point_id, auditorium_id, role, extra,
				updated_by, deleted_at)
			VALUES (rid, pt.org_id, ex, pt.id, au.id, coalesce(a->>'role', 'exam'), a->'extra', p_device, del)
			ON CONFLICT (id) DO UPDATE SET role = excluded.role, extra = excluded.extra,
				row_version = x.row_version + 1, updated_at = now(), updated_by = p_device,
				deleted_at = CASE WHEN excluded.deleted_at IS NULL THEN NULL
					ELSE coalesce(x.deleted_at, excluded.deleted_at) END
			RETURNING x.row_version INTO v;
		END IF;
	EXCEPTION
		WHEN unique_violation THEN
			RETURN QUERY SELECT 'conflict', CASE p_type WHEN 'exam_point_assignment'
				THEN 'the exam point is already assigned to this exam (another id)'
				ELSE 'the auditorium is already assigned to this exam (another id)' END, rid, NULL::bigint;
			RETURN;
		WHEN check_violation OR not_null_violation OR data_exception THEN
			GET STACKED DIAGNOSTICS con = CONSTRAINT_NAME;
			RETURN QUERY SELECT 'bad', karta_registry_message(p_type, con), rid, NULL::bigint;
			RETURN;
	END;
	PERFORM karta_plan_audit(ex, 'gds_import', p_device, 'ok', p_type || ' ' || pt.code);
	RETURN QUERY SELECT 'ok', CASE WHEN cur IS NULL THEN 'created' ELSE 'updated' END, rid, v;
END $$;

-- One package row (see above). a: {"type", "id", "base"?, <karta columns>, "extra",
-- "gds_deleted"?, "org_guid"?, "grad_org_guid"?, "workplace_guid"?, "exam_global_id"?}.
CREATE OR REPLACE FUNCTION karta_registry_gds_put(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	t text := a->>'type';
	b jsonb := a - ARRAY['type', 'org_guid', 'grad_org_guid', 'workplace_guid', 'exam_global_id',
		'gds_deleted'];
	deleted boolean := coalesce((a->>'gds_deleted')::boolean, false);
	owner bigint;
	x bigint;
	ex uuid;
	r record;
BEGIN
	IF t IN ('exam_point_assignment', 'exam_auditorium') THEN
		RETURN QUERY SELECT * FROM karta_gds_plan_put(p_device, t, a);
		RETURN;
	ELSIF t NOT IN ('participant', 'exam_registration', 'exam_point', 'auditorium', 'staff') THEN
		RETURN QUERY SELECT 'bad', 'type: not a table of the federal package', NULL::uuid, NULL::bigint;
		RETURN;
	END IF;
	-- the owner, by the package's organization GUIDs
	IF t IN ('participant', 'exam_point', 'staff') THEN
		owner := karta_gds_org(a->>'org_guid', karta_registry_level(t));
		IF owner IS NULL AND t = 'staff' THEN -- no GovernmentID: the municipality of its school
			SELECT s.parent_id INTO owner FROM organization s
			WHERE s.id = karta_gds_org(a->>'workplace_guid', 'school');
		END IF;
		IF owner IS NULL THEN
			RETURN QUERY SELECT 'not_found', format('%s: no %s with this GUID in karta (karta-admin org '
				'import loads the organizations)', CASE t WHEN 'participant' THEN 'SchoolRegistration'
				ELSE 'GovernmentID' END, karta_registry_level(t)), (a->>'id')::uuid, NULL::bigint;
			RETURN;
		END IF;
		b := b || jsonb_build_object('org', (SELECT o.code FROM organization o WHERE o.id = owner));
	END IF;
	IF nullif(a->>'grad_org_guid', '') IS NOT NULL THEN
		x := karta_gds_org(a->>'grad_org_guid', 'school');
		IF x IS NULL THEN
			RETURN QUERY SELECT 'not_found', 'SchoolOutcoming: no school with this GUID in karta',
				(a->>'id')::uuid, NULL::bigint;
			RETURN;
		END IF;
		b := b || jsonb_build_object('grad_org_id', x);
	END IF;
	IF nullif(a->>'workplace_guid', '') IS NOT NULL THEN
		x := karta_gds_org(a->>'workplace_guid', 'school');
		IF x IS NOT NULL THEN
			b := b || jsonb_build_object('workplace_org_id', x);
		END IF;
	END IF;
	IF t = 'exam_registration' THEN
		SELECT e.id INTO ex FROM participant p JOIN exam e ON e.org_id = karta_org_region(p.org_id)
			AND e.global_id = (a->>'exam_global_id')::int AND e.deleted_at IS NULL
		WHERE p.id = (a->>'participant_id')::uuid;
		IF NOT FOUND THEN
			RETURN QUERY SELECT 'not_found', CASE WHEN EXISTS (SELECT 1 FROM participant p
				WHERE p.id = (a->>'participant_id')::uuid) THEN 'ExamGlobalID: no exam with this id in the '
				'region''s schedule (karta exam schedule import)' ELSE 'ParticipantID: no participant with '
				'this GUID' END, (a->>'id')::uuid, NULL::bigint;
			RETURN;
		END IF;
		b := b || jsonb_build_object('exam_id', ex);
	END IF;
	SELECT * INTO r FROM karta_registry_put_op(p_device, b || jsonb_build_object('type', t));
	IF r.status = 'ok' AND deleted AND t NOT IN ('participant', 'exam_point') THEN
		SELECT * INTO r FROM karta_registry_delete_op(p_device, jsonb_build_object('type', t,
			'id', r.id, 'reason', 'удалено в пакете ГИА'));
	END IF;
	RETURN QUERY SELECT r.status, r.message, r.id, r.version;
END $$;

-- The region's organizations and territories, for a region device only (the package is the
-- region's): one row each — kind org|territory, karta's id (the numeric id registry rows name
-- organizations by), code, level, parent id, GUID, federal code, the package's deleted flag,
-- territory GUID, name, creation time, gds_extra. Organization names and addresses are not
-- personal data.
CREATE OR REPLACE FUNCTION karta_gds_orgs(p_device bigint)
RETURNS TABLE (status text, message text, kind text, id text, code text, level text,
	parent text, guid text, federal_code text, deleted text, territory text, name text,
	created text, extra text)
LANGUAGE sql STABLE AS $$
	WITH a AS (SELECT * FROM karta_actor(p_device))
	SELECT 'ok', '', 'org', o.id::text, o.code, o.level, o.parent_id::text, o.guid::text,
		o.federal_code, o.federal_delete::text, o.territory_guid::text, o.name,
		to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS'), o.gds_extra::text
	FROM a JOIN organization o ON karta_org_region(o.id) = a.org_id
	WHERE a.level = 'region'
	UNION ALL
	SELECT 'ok', '', 'territory', NULL, t.code::text, NULL, NULL, t.guid::text, t.code::text,
		CASE WHEN t.deleted THEN '1' ELSE '0' END, NULL, t.name,
		to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS'), t.gds_extra::text
	FROM a JOIN territory t ON t.region_id = a.org_id
	WHERE a.level = 'region'
	UNION ALL
	SELECT 'denied', format('the federal exchange package is the region''s to export: this device'
		' belongs to a %s', coalesce((SELECT level FROM a), 'revoked device')),
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	WHERE NOT EXISTS (SELECT 1 FROM a WHERE a.level = 'region')
$$;

-- ---- the federal package's rows (karta_registry_gds_put, 0019) ------------------------------
-- The package's keys resolved by joins — the owner by its school / municipality GUID (a staff
-- member without one: its school's municipality), the graduation school, the workplace, a
-- registration's exam by ExamGlobalID in its participant's region — and the rows written by
-- the puts above. A row whose keys do not resolve comes back 'serial' (0019 names what is
-- missing), as does whatever the put leaves to the one-by-one path.
CREATE OR REPLACE FUNCTION karta_rows_gds(w karta_up_actor, p_type text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	g karta_up_op[];
	bad int[];
	lvl text := karta_registry_level(p_type);
	res karta_up_res[];
BEGIN
	IF p_type = 'exam_registration' THEN
		res := karta_rows_gds_reg(w, p_ops);
		IF res IS NOT NULL THEN
			RETURN res;
		END IF;
	ELSIF p_type = 'participant' AND coalesce((SELECT bool_and(NOT x.a ?| '{org,org_id,grad_org,grad_org_id}'
			AND coalesce(x.a->>'workplace_guid', '') = '' AND coalesce(length(x.a->>'org_guid'), 0) = 36
			AND coalesce(length(nullif(x.a->>'grad_org_guid', '')), 36) = 36)
		AND string_agg(concat(x.a->>'org_guid', ',', nullif(x.a->>'grad_org_guid', '')), ',')
			~* ('^(' || karta_up_uuid_re() || ',(' || karta_up_uuid_re() || ')?,)*' || karta_up_uuid_re()
			    || ',(' || karta_up_uuid_re() || ')?$')
		FROM unnest(p_ops) x), false) THEN
		-- the package's participants as they come (no organization named by code or id, every
		-- GUID well-formed: one match for the run): the owner and the graduation school by GUID in
		-- the put's own statement — the rows rebuilt as ops below were 14 ms of a 1,000 rows' 125
		RETURN karta_rows_by_guid(w, p_type, p_ops);
	ELSIF p_type IN ('exam_point', 'auditorium', 'staff') AND coalesce((SELECT bool_and(
			NOT x.a ?| '{org,org_id,host_org,host_org_id,workplace_org,workplace_org_id,grad_org,grad_org_id,grad_org_guid,exam_global_id}'
			AND (p_type = 'staff' OR coalesce(x.a->>'workplace_guid', '') = '')
			AND coalesce(length(nullif(x.a->>'org_guid', '')), 36) = 36
			AND coalesce(length(nullif(x.a->>'workplace_guid', '')), 36) = 36)
		AND coalesce(string_agg(nullif(concat_ws(',', nullif(x.a->>'org_guid', ''), nullif(x.a->>'workplace_guid', '')), ''), ',')
			~* ('^(' || karta_up_uuid_re() || ',)*' || karta_up_uuid_re() || '$'), true)
		FROM unnest(p_ops) x), false) THEN
		-- exam points, auditoriums and staff as they come, the same way: the owner (a staff
		-- member without one: its school's municipality) and the workplace by GUID in the put
		RETURN karta_rows_by_guid(w, p_type, p_ops);
	END IF;
	WITH o AS (SELECT x.* FROM unnest(p_ops) x),
	r AS (
		SELECT o.ord, o.op_id, o.a,
			CASE WHEN p_type IN ('participant', 'exam_point', 'staff')
				THEN coalesce(og.id, CASE WHEN p_type = 'staff' THEN ws.parent_id END) END AS owner,
			og.code AS og_code, gs.id AS grad, nullif(o.a->>'grad_org_guid', '') IS NOT NULL AS grad_named, ws.id AS wp,
			ex.id AS exam
		FROM o
		LEFT JOIN organization og ON p_type IN ('participant', 'exam_point', 'staff')
			AND o.a->>'org_guid' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
			AND og.guid = (o.a->>'org_guid')::uuid AND og.level = lvl
		LEFT JOIN organization ws ON o.a->>'workplace_guid' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
			AND ws.guid = (o.a->>'workplace_guid')::uuid AND ws.level = 'school'
		LEFT JOIN organization gs ON o.a->>'grad_org_guid' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
			AND gs.guid = (o.a->>'grad_org_guid')::uuid AND gs.level = 'school'
		-- by key, not joined whole (see karta_rows_put)
		LEFT JOIN LATERAL (SELECT x.org_id FROM participant x WHERE p_type = 'exam_registration'
			AND x.id = karta_up_uuid(o.a->>'participant_id') LIMIT 1) pp ON true
		LEFT JOIN LATERAL (SELECT coalesce(gp.id, p.id, x.id) AS region FROM organization x
			LEFT JOIN organization p ON p.id = x.parent_id LEFT JOIN organization gp ON gp.id = p.parent_id
			WHERE x.id = pp.org_id) rg ON true
		LEFT JOIN LATERAL (SELECT e.id FROM exam e WHERE e.org_id = rg.region
			AND coalesce(o.a->>'exam_global_id', '') ~ '^-?[0-9]{1,9}$'
			AND e.global_id = (o.a->>'exam_global_id')::int AND e.deleted_at IS NULL LIMIT 1) ex
			ON p_type = 'exam_registration'),
	s AS (
		SELECT r.*, (p_type IN ('participant', 'exam_point', 'staff') AND r.owner IS NULL)
			OR (r.grad_named AND r.grad IS NULL)
			OR (p_type = 'exam_registration' AND r.exam IS NULL) AS serial
		FROM r)
	SELECT coalesce(array_agg(s.ord ORDER BY s.ord) FILTER (WHERE s.serial), '{}'),
		coalesce(array_agg(ROW(s.ord, s.op_id, NULL, 'registry_put',
			-- the keys joined into one small object first: each || rebuilds the row's object
			(s.a - ARRAY['org_guid', 'grad_org_guid', 'workplace_guid', 'exam_global_id', 'gds_deleted'])
			|| jsonb_strip_nulls(jsonb_build_object('org', CASE WHEN s.owner IS NULL THEN NULL
				ELSE coalesce(s.og_code, (SELECT x.code FROM organization x WHERE x.id = s.owner)) END,
				'grad_org_id', s.grad, 'workplace_org_id', s.wp, 'exam_id', s.exam))
			)::karta_up_op ORDER BY s.ord) FILTER (WHERE NOT s.serial), '{}')
	INTO bad, g FROM s;
	RETURN ARRAY(SELECT karta_up_result(b, NULL, 'serial', NULL, NULL, NULL) FROM unnest(bad) b)
		|| CASE WHEN cardinality(g) > 0 THEN karta_rows_put(w, p_type, g) ELSE '{}' END;
END $$;

-- The package's rows of a plain shape (karta_rows_gds told it), their keys resolved by GUID in
-- the put's own statement: the put tells them by their op kind, registry_gds_put.
CREATE OR REPLACE FUNCTION karta_rows_by_guid(w karta_up_actor, p_type text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
BEGIN
	IF p_type = 'participant' THEN
		RETURN karta_rows_participants(w, p_ops);
	END IF;
	RETURN karta_rows_put(w, p_type, p_ops);
END $$;

-- The package's point and auditorium assignments (karta_gds_plan_put, 0019) of a run, as a
-- set: the exam point, the exam (by ExamGlobalID in the point's region, or an auditorium's
-- through its point assignment's GUID), the auditorium, the lock and who plans where (0009's
-- karta_plan_ctx, karta_plan_scope) joined once for the run; one INSERT … ON CONFLICT, one
-- audit row a row. Anything else is 'serial' (0019 names it).
CREATE OR REPLACE FUNCTION karta_rows_gds_plan(w karta_up_actor, p_type text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	reg bigint := karta_org_region(w.org_id);
	d karta_rw_row[];
BEGIN
	WITH o AS (
		SELECT x.ord, x.op_id, x.a, (x.a->>'id')::uuid AS rid,
			coalesce(nullif(x.a->>'base', ''), '0')::bigint AS base
		FROM unnest(p_ops) x),
	cur AS MATERIALIZED (SELECT c.id, c.row_version FROM exam_point_assignment c
		WHERE p_type = 'exam_point_assignment' AND c.id IN (SELECT o.rid FROM o)
		UNION ALL SELECT c.id, c.row_version FROM exam_auditorium c
		WHERE p_type = 'exam_auditorium' AND c.id IN (SELECT o.rid FROM o)),
	j AS MATERIALIZED (
		SELECT o.*, pt.id AS pid, pt.org_id AS p_org, pt.region_id AS p_reg, pt.code AS p_code,
			ex.id AS eid, e.org_id AS e_org, e.deleted_at AS e_del, coalesce(l.locked, false) AS locked,
			au.id AS aid, au.point_id AS a_point, c.row_version AS cur_v, c.id IS NOT NULL AS found
		FROM o
		LEFT JOIN exam_point pt ON pt.id = karta_up_uuid(o.a->>'point_id')
		LEFT JOIN LATERAL (
			SELECT e.id FROM exam e WHERE p_type = 'exam_point_assignment' AND e.org_id = pt.region_id
				AND coalesce(o.a->>'exam_global_id', '') ~ '^-?[0-9]{1,9}$'
				AND e.global_id = (o.a->>'exam_global_id')::int AND e.deleted_at IS NULL
			UNION ALL SELECT x.exam_id FROM exam_point_assignment x WHERE p_type = 'exam_auditorium'
				AND x.id = karta_up_uuid(o.a->'extra'->>'StationsExamsID') AND x.point_id = pt.id
			LIMIT 1) ex ON true
		LEFT JOIN exam e ON e.id = ex.id
		LEFT JOIN exam_lock l ON l.id = ex.id
		LEFT JOIN auditorium au ON p_type = 'exam_auditorium' AND au.id = karta_up_uuid(o.a->>'auditorium_id')
		LEFT JOIN cur c ON c.id = o.rid),
	v AS (
		SELECT j.*, CASE
			WHEN j.pid IS NULL OR j.eid IS NULL THEN 'serial'
			WHEN p_type = 'exam_auditorium' AND (j.aid IS NULL OR j.a_point <> j.pid) THEN 'serial'
			WHEN w.level NOT IN ('region', 'municipality') OR j.e_org IS DISTINCT FROM reg
			     OR j.e_del IS NOT NULL OR j.locked THEN 'serial'
			WHEN NOT (w.level = 'region' AND j.p_reg = w.org_id OR w.level = 'municipality' AND j.p_org = w.org_id)
				THEN 'serial'
			WHEN j.found AND (j.base = 0 OR j.cur_v <> j.base) OR NOT j.found AND j.base <> 0 THEN 'serial'
			WHEN p_type = 'exam_point_assignment' AND NOT coalesce(j.a->>'seats', '') ~ '^([0-9]{1,9})?$'
				THEN 'serial'
			ELSE 'ok' END AS st
		FROM j)
	SELECT array_agg(ROW(v.ord, v.op_id, v.rid, v.cur_v, CASE WHEN v.st = 'ok' THEN jsonb_build_object(
		'org_id', v.p_org, 'exam_id', v.eid, 'point_id', v.pid, 'auditorium_id', v.aid, 'code', v.p_code,
		'seats', nullif(v.a->>'seats', ''), 'role', coalesce(v.a->>'role', 'exam'), 'extra', v.a->'extra',
		'del', coalesce((v.a->>'gds_deleted')::boolean, false)) END, v.st, NULL)::karta_rw_row ORDER BY v.ord)
	INTO d FROM v;

	IF p_type = 'exam_point_assignment' THEN
		INSERT INTO exam_point_assignment AS x (id, org_id, exam_id, point_id, seats, extra, updated_by,
			deleted_at)
		SELECT r.rid, (r.nr->>'org_id')::bigint, (r.nr->>'exam_id')::uuid, (r.nr->>'point_id')::uuid,
			(r.nr->>'seats')::int, r.nr->'extra', w.device, CASE WHEN (r.nr->>'del')::boolean THEN now() END
		FROM unnest(d) r WHERE r.st = 'ok' ORDER BY r.ord
		ON CONFLICT (id) DO UPDATE SET seats = excluded.seats, extra = excluded.extra,
			row_version = x.row_version + 1, updated_at = now(), updated_by = w.device,
			deleted_at = CASE WHEN excluded.deleted_at IS NULL THEN NULL
				ELSE coalesce(x.deleted_at, excluded.deleted_at) END;
	ELSE
		INSERT INTO exam_auditorium AS x (id, org_id, exam_id, point_id, auditorium_id, role, extra,
			updated_by, deleted_at)
		SELECT r.rid, (r.nr->>'org_id')::bigint, (r.nr->>'exam_id')::uuid, (r.nr->>'point_id')::uuid,
			(r.nr->>'auditorium_id')::uuid, r.nr->>'role', r.nr->'extra', w.device,
			CASE WHEN (r.nr->>'del')::boolean THEN now() END
		FROM unnest(d) r WHERE r.st = 'ok' ORDER BY r.ord
		ON CONFLICT (id) DO UPDATE SET role = excluded.role, extra = excluded.extra,
			row_version = x.row_version + 1, updated_at = now(), updated_by = w.device,
			deleted_at = CASE WHEN excluded.deleted_at IS NULL THEN NULL
				ELSE coalesce(x.deleted_at, excluded.deleted_at) END;
	END IF;
	INSERT INTO planning_audit(exam_id, step, device_id, org_id, status, summary)
	SELECT (r.nr->>'exam_id')::uuid, 'gds_import', w.device, w.org_id, 'ok', p_type || ' ' || (r.nr->>'code')
	FROM unnest(d) r WHERE r.st = 'ok' ORDER BY r.ord;

	RETURN ARRAY(SELECT karta_up_result(x.ord, x.op_id, x.st, CASE WHEN x.cur_v IS NULL
			THEN 'created' ELSE 'updated' END, x.rid, coalesce(x.cur_v, 0) + 1)
		FROM unnest(d) x ORDER BY x.ord);
END $$;

-- ---- the package's registrations as typed columns (karta_rows_gds's fast path) --------------
-- rbd_ParticipantsExams rows of a run — {type, id, participant_id, exam_global_id,
-- gds_deleted, extra} and nothing else, participant ids as kartad writes uuids — checked and
-- inserted as typed columns: what karta_rows_gds and karta_rows_put do with such a row, without
-- building its jsonb twice (docs/performance.md, "Registry rows: the federal package's rows
-- typed"). The same answers: a row that exists already, or whose participant, exam, access or
-- state the put would not write, comes back 'serial' (0019 and 0008 name it); the row written
-- is the one karta_rows_put writes (id, owner = the participant's organization, participant,
-- exam, version 1, stamps, extra; the other columns their defaults). NULL: a run of other
-- rows, for karta_rows_gds's general path.
CREATE OR REPLACE FUNCTION karta_rows_gds_reg(w karta_up_actor, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	res karta_up_res[];
	re text := karta_up_uuid_re();
	dev boolean := EXISTS (SELECT 1 FROM device x WHERE x.id = w.device);
BEGIN
	-- every row of the plain shape, every participant id as karta_up_uuid takes it: one
	-- regular expression for the run, not one a row
	IF NOT coalesce((SELECT bool_and(x.kind = 'registry_gds_put'
			AND x.a - '{type,id,participant_id,exam_global_id,gds_deleted,extra}'::text[] = '{}'
			AND coalesce(jsonb_typeof(x.a->'extra'), 'object') = 'object'
			AND coalesce(length(x.a->>'participant_id'), 0) = 36)
		  AND string_agg(coalesce(x.a->>'participant_id', '?'), ',') ~ ('^(' || re || ',)*' || re || '$')
		FROM unnest(p_ops) x), false) THEN
		RETURN NULL;
	END IF;
	PERFORM set_config('karta.rows_proven', 'exam_registration', true);
	WITH o AS MATERIALIZED (
		SELECT x.ord, x.op_id, (x.a->>'id')::uuid AS rid, (x.a->>'participant_id')::uuid AS pid,
			CASE WHEN coalesce(x.a->>'exam_global_id', '') ~ '^-?[0-9]{1,9}$'
				THEN (x.a->>'exam_global_id')::int END AS gid, x.a->'extra' AS extra
		FROM unnest(p_ops) x),
	-- each participant once (its registrations come together: ~4 rows a probe), by key (a join
	-- hashed the whole table), with its school's region; the exam by that region's
	-- ExamGlobalID (exam_global_unique); a current row by id
	-- (locked FOR KEY SHARE in id order, as the table's statement check locks them: the
	-- statement proves its rows, below)
	pp AS MATERIALIZED (
		SELECT x.id, x.org_id, x.deleted_at, x.blocked, x.form, x.class, sc.level AS o_level,
			coalesce(gp.id, pa.id, sc.id) AS region
		FROM (SELECT DISTINCT o.pid FROM o ORDER BY 1) d
		CROSS JOIN LATERAL (SELECT x.id, x.org_id, x.deleted_at, x.blocked, x.form, x.class
			FROM participant x WHERE x.id = d.pid LIMIT 1 FOR KEY SHARE) x
		LEFT JOIN organization sc ON sc.id = x.org_id
		LEFT JOIN organization pa ON pa.id = sc.parent_id
		LEFT JOIN organization gp ON gp.id = pa.parent_id),
	-- the exams the rows can name (their regions' ExamGlobalIDs), locked FOR KEY SHARE in id
	-- order after the participants, as the statement check locks them
	ex AS MATERIALIZED (
		SELECT e.id, e.org_id, e.global_id, e.deleted_at, e.form, e.gia FROM exam e
		WHERE e.org_id IN (SELECT pp.region FROM pp) AND e.global_id IN (SELECT o.gid FROM o)
		  AND e.deleted_at IS NULL ORDER BY e.id FOR KEY SHARE),
	k AS MATERIALIZED (
		SELECT o.*, pp.org_id AS owner, pp.deleted_at AS p_del, pp.blocked AS p_blocked,
			pp.o_level, pp.form AS p_form, pp.class AS p_class,
			e.id AS exam, e.org_id AS e_org, e.deleted_at AS e_del, e.form AS e_form, e.gia AS e_gia,
			EXISTS (SELECT 1 FROM exam_registration c WHERE c.id = o.rid) AS found
		FROM o
		LEFT JOIN pp ON pp.id = o.pid
		LEFT JOIN ex e ON e.org_id = pp.region AND e.global_id = o.gid),
	acc AS MATERIALIZED (
		SELECT 'exam_registration' AS tp, x.org, x.acc
		FROM karta_rows_access(w, 'exam_registration', ARRAY(SELECT DISTINCT k.owner FROM k)) x
		UNION ALL SELECT 'exam', x.org, x.acc
		FROM karta_rows_access(w, 'exam', ARRAY(SELECT DISTINCT k.e_org FROM k)) x),
	-- karta_rows_put's conditions for these rows (base 0, no org, host or workplace named),
	-- and the table's statement check (karta_registry_rows_check: the owner a school, the
	-- participant's; the exam in its region; the exam's form and ГИА the participant's; the
	-- device): a row it would refuse is left to the one-by-one path, which names the rule
	v AS MATERIALIZED (
		SELECT k.*, CASE WHEN k.exam IS NULL OR k.found OR w.org_id IS NULL OR w.role = 'viewer'
			OR k.owner IS NULL OR a.acc IS DISTINCT FROM 'write'
			OR k.p_del IS NOT NULL OR k.p_blocked OR ae.acc IS DISTINCT FROM 'read'
				AND ae.acc IS DISTINCT FROM 'write' OR k.e_del IS NOT NULL
			OR k.o_level IS DISTINCT FROM 'school'
			OR karta_registration_ok(k.p_form, k.p_class, k.e_form, k.e_gia) IS FALSE
			OR NOT dev THEN 'serial'
		ELSE 'ok' END AS st
		FROM k LEFT JOIN acc a ON a.tp = 'exam_registration' AND a.org = k.owner
		LEFT JOIN acc ae ON ae.tp = 'exam' AND ae.org = k.e_org),
	-- written by the same statement, in row order (its feed at the statement's end, as before);
	-- the statement proves every rule of the table's statement check for its rows (above), which
	-- skips them (karta.rows_proven, set for this statement only: a failed one is rolled back
	-- with its subtransaction, the setting with it)
	ins AS (
		INSERT INTO exam_registration(id, org_id, participant_id, exam_id, row_version, created_at,
			updated_at, updated_by, extra)
		SELECT v.rid, v.owner, v.pid, v.exam, 1, now(), now(), w.device, v.extra
		FROM v WHERE v.st = 'ok' ORDER BY v.ord)
	SELECT array_agg(karta_up_result(v.ord, v.op_id, v.st, 'created', v.rid, 1) ORDER BY v.ord)
	INTO res FROM v;
	PERFORM set_config('karta.rows_proven', '', true);
	RETURN res;
END $$;
