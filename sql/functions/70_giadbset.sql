-- 70_giadbset: the federal package (ГИА DB set) — import of its rows by their GUIDs and the
-- organizations for its export.

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
	WITH o AS MATERIALIZED (
		SELECT x.ord, x.op_id, (x.a->>'id')::uuid AS rid, (x.a->>'participant_id')::uuid AS pid,
			CASE WHEN coalesce(x.a->>'exam_global_id', '') ~ '^-?[0-9]{1,9}$'
				THEN (x.a->>'exam_global_id')::int END AS gid, x.a->'extra' AS extra
		FROM unnest(p_ops) x),
	-- the participant by key (a join hashed the whole table), the exam by the participant's
	-- region's ExamGlobalID (exam_global_unique), a current row by id
	k AS MATERIALIZED (
		SELECT o.*, pp.org_id AS owner, pp.deleted_at AS p_del, pp.blocked AS p_blocked,
			e.id AS exam, e.org_id AS e_org, e.deleted_at AS e_del,
			EXISTS (SELECT 1 FROM exam_registration c WHERE c.id = o.rid) AS found
		FROM o
		LEFT JOIN LATERAL (SELECT x.org_id, x.deleted_at, x.blocked FROM participant x
			WHERE x.id = o.pid LIMIT 1) pp ON true
		LEFT JOIN karta_rows_regions() rg ON rg.id = pp.org_id
		LEFT JOIN exam e ON e.org_id = rg.region AND e.global_id = o.gid AND e.deleted_at IS NULL),
	acc AS MATERIALIZED (
		SELECT 'exam_registration' AS tp, x.org, x.acc
		FROM karta_rows_access(w, 'exam_registration', ARRAY(SELECT DISTINCT k.owner FROM k)) x
		UNION ALL SELECT 'exam', x.org, x.acc
		FROM karta_rows_access(w, 'exam', ARRAY(SELECT DISTINCT k.e_org FROM k)) x),
	-- karta_rows_put's conditions for these rows (base 0, no org, host or workplace named)
	v AS MATERIALIZED (
		SELECT k.*, CASE WHEN k.exam IS NULL OR k.found OR w.org_id IS NULL OR w.role = 'viewer'
			OR k.owner IS NULL OR a.acc IS DISTINCT FROM 'write'
			OR k.p_del IS NOT NULL OR k.p_blocked OR ae.acc IS DISTINCT FROM 'read'
				AND ae.acc IS DISTINCT FROM 'write' OR k.e_del IS NOT NULL THEN 'serial'
		ELSE 'ok' END AS st
		FROM k LEFT JOIN acc a ON a.tp = 'exam_registration' AND a.org = k.owner
		LEFT JOIN acc ae ON ae.tp = 'exam' AND ae.org = k.e_org),
	-- written by the same statement, in row order (its feed at the statement's end, as before)
	ins AS (
		INSERT INTO exam_registration(id, org_id, participant_id, exam_id, row_version, created_at,
			updated_at, updated_by, extra)
		SELECT v.rid, v.owner, v.pid, v.exam, 1, now(), now(), w.device, v.extra
		FROM v WHERE v.st = 'ok' ORDER BY v.ord)
	SELECT array_agg(karta_up_result(v.ord, v.op_id, v.st, 'created', v.rid, 1) ORDER BY v.ord)
	INTO res FROM v;
	RETURN res;
END $$;
