-- 33_sync: how offline writes come back — merging an edit into a newer row, conflict
-- records and their resolution, and karta_op_apply, which dispatches an op to its write
-- function (the op kinds: 90_op_kinds.sql).

-- The fields a client may set, per entity, and the server-computed ones that follow a text
-- field (a merge or a "keep mine" carries them along).
CREATE OR REPLACE FUNCTION karta_edit_fields(p_type text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_type
	WHEN 'plan_item' THEN '{title,number,deadline_text,responsible_text,municipal_action,
		institutional_action,result_text,target_text,section_id,ordinal,parent_item_id}'::text[]
	WHEN 'plan' THEN '{title,academic_year,act_kind,act_number,act_date,implements}'::text[]
	END
$$;

CREATE OR REPLACE FUNCTION karta_with_derived(p_fields text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
	SELECT p_fields
		|| CASE WHEN 'deadline_text' = ANY(p_fields) THEN '{deadline,deadline_kind,deadline_last}'::text[] ELSE '{}' END
		|| CASE WHEN 'responsible_text' = ANY(p_fields) THEN '{responsible}'::text[] ELSE '{}' END
		|| CASE WHEN 'target_text' = ANY(p_fields) THEN '{targets}'::text[] ELSE '{}' END
$$;

-- A stale edit (base < current version) of a plan or an item: the fields it sets (p_fields,
-- empty = all) against the fields others changed since the base (the change log; the same
-- device's own earlier changes do not count). Disjoint: returns the merged row (the current
-- row with the edit's fields) for the caller to write on the current version. Overlapping,
-- or the item was deleted meanwhile: makes a conflict record and returns its id in
-- conflict_id (merged NULL).
CREATE OR REPLACE FUNCTION karta_merge(p_device bigint, p_type text, p_id uuid, p_base bigint,
	p_fields text[], p_mine jsonb, OUT merged jsonb, OUT conflict_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
	cur jsonb;
	owner bigint;
	pid uuid;
	deleted boolean := false;
	mine_f text[];
	theirs_f text[];
	both_f text[];
BEGIN
	IF p_type = 'plan_item' THEN
		SELECT to_jsonb(i), p.owner_org_id, p.id, i.deleted_at IS NOT NULL
		INTO cur, owner, pid, deleted
		FROM plan_item i JOIN plan p ON p.id = i.plan_id WHERE i.id = p_id;
	ELSE
		SELECT to_jsonb(p), p.owner_org_id, p.id INTO cur, owner, pid FROM plan p WHERE p.id = p_id;
	END IF;
	mine_f := CASE WHEN coalesce(cardinality(p_fields), 0) = 0 THEN karta_edit_fields(p_type)
		ELSE ARRAY(SELECT unnest(p_fields) INTERSECT SELECT unnest(karta_edit_fields(p_type))) END;
	SELECT coalesce(array_agg(DISTINCT f), '{}') INTO theirs_f
	FROM change_log l, unnest(l.changed_fields) f
	WHERE l.entity_id = p_id AND l.row_version > p_base
	  AND l.origin_device IS DISTINCT FROM p_device;
	both_f := ARRAY(SELECT unnest(mine_f) INTERSECT SELECT unnest(theirs_f) ORDER BY 1);
	IF NOT deleted AND cardinality(both_f) = 0 THEN
		merged := cur || karta_jsonb_pick(p_mine, karta_with_derived(mine_f));
		RETURN;
	END IF;
	IF deleted THEN
		both_f := mine_f;
	END IF;
	conflict_id := gen_random_uuid();
	INSERT INTO conflict(id, org_id, plan_id, entity_type, entity_id, device_id, org_code, op_id,
		base_version, theirs_version, fields, mine, theirs)
	SELECT conflict_id, owner, pid, p_type, p_id, p_device,
		(SELECT o.code FROM device d JOIN organization o ON o.id = d.org_id WHERE d.id = p_device),
		nullif(current_setting('karta.op_id', true), '')::uuid, p_base, (cur->>'row_version')::bigint,
		both_f, karta_jsonb_pick(p_mine, karta_with_derived(mine_f)),
		karta_jsonb_pick(cur, karta_with_derived(mine_f) || '{deleted_at}'::text[]);
END $$;

-- "keep mine": the conflict's values written over the current row; "keep theirs": nothing
-- written. Either way the conflict is resolved, by anyone who may write the plan.
CREATE OR REPLACE FUNCTION karta_conflict_resolve(p_device bigint, p_id uuid, p_keep text)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
DECLARE
	c conflict;
	pl plan;
	g record;
	r record;
	cur jsonb;
BEGIN
	SELECT * INTO c FROM conflict x WHERE x.id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'not_found', format('no conflict %s', p_id), p_id; RETURN;
	END IF;
	SELECT * INTO pl FROM plan WHERE plan.id = c.plan_id;
	g := karta_plan_write_guard(p_device, pl, false);
	IF g.status IS NOT NULL THEN
		RETURN QUERY SELECT g.status, g.message, p_id; RETURN;
	END IF;
	IF c.status = 'resolved' THEN
		RETURN QUERY SELECT 'precondition', format('conflict %s is already resolved (%s)', p_id,
			c.resolution), p_id;
		RETURN;
	END IF;
	IF p_keep NOT IN ('mine', 'theirs') THEN
		RETURN QUERY SELECT 'bad', 'keep must be mine or theirs', p_id; RETURN;
	END IF;
	IF p_keep = 'mine' AND c.entity_type = 'plan_item' THEN
		SELECT to_jsonb(i) INTO cur FROM plan_item i WHERE i.id = c.entity_id;
		IF cur->>'deleted_at' IS NOT NULL THEN
			RETURN QUERY SELECT 'precondition', 'the item was deleted: keep theirs, or add it again', p_id;
			RETURN;
		END IF;
		SELECT * INTO r FROM karta_item_put(p_device, (cur->>'row_version')::bigint, cur || c.mine);
	ELSIF p_keep = 'mine' THEN
		SELECT to_jsonb(x) INTO cur FROM plan x WHERE x.id = c.entity_id;
		SELECT * INTO r FROM karta_plan_save(p_device, (cur->>'row_version')::bigint, cur || c.mine, '[]');
	END IF;
	IF p_keep = 'mine' THEN -- (r is unassigned for 'theirs': PL/pgSQL evaluates every operand)
		IF r.status <> 'ok' THEN
			RETURN QUERY SELECT r.status, r.message, p_id; RETURN;
		END IF;
	END IF;
	UPDATE conflict x SET status = 'resolved', resolution = p_keep, resolved_by = p_device,
		resolved_at = now(), row_version = x.row_version + 1 WHERE x.id = p_id;
	RETURN QUERY SELECT 'ok', 'resolved: kept ' || p_keep, p_id;
END $$;

-- One op: the write function of its kind on its arguments (a, built by kartad from the op's
-- message: server/handlers/ops.c). Returns the write's (status, message, id) plus the
-- entity's version after it, a conflict id, a detail (derive counts, import changes) and
-- whether it was merged. A stale plan or item edit goes through karta_merge.
CREATE OR REPLACE FUNCTION karta_op_apply_plan(p_device bigint, p_kind text, a jsonb,
	OUT status text, OUT message text, OUT id uuid, OUT version bigint, OUT conflict_id uuid,
	OUT detail jsonb, OUT merged boolean) LANGUAGE plpgsql AS $$
DECLARE
	r record;
	m record;
	base bigint := coalesce((a->>'base')::bigint, 0);
	etype text;
	the_id uuid; -- id, for the queries below (not karta_op_apply.id: 0007 renames the function)
BEGIN
	merged := false;
	CASE p_kind
	WHEN 'item_put' THEN
		SELECT * INTO r FROM karta_item_put(p_device, base, a->'item');
		etype := 'plan_item';
	WHEN 'plan_put' THEN
		SELECT * INTO r FROM karta_plan_save(p_device, base, a->'plan', a->'sections');
		etype := 'plan';
	WHEN 'item_move' THEN
		SELECT * INTO r FROM karta_item_move(p_device, (a->>'id')::uuid, base,
			(a->>'section_id')::uuid, (a->>'ordinal')::int, nullif(a->>'parent_item_id', '')::uuid, NULL);
	WHEN 'item_delete' THEN
		SELECT * INTO r FROM karta_item_move(p_device, (a->>'id')::uuid, base, NULL, NULL, NULL,
			a->>'reason');
	WHEN 'plan_approve' THEN
		SELECT * INTO r FROM karta_plan_approve(p_device, (a->>'id')::uuid, base, a->>'act_kind',
			a->>'act_number', nullif(a->>'act_date', '')::date, (a->>'archive')::boolean);
	WHEN 'plan_derive' THEN
		IF to_regclass('pg_temp.derive_pick') IS NOT NULL THEN
			DROP TABLE derive_pick; -- karta_plan_derive's, from a derive earlier in the batch
		END IF;
		SELECT * INTO r FROM karta_plan_derive(p_device, (a->>'parent')::uuid, (a->>'new')::uuid,
			a->>'title');
		detail := jsonb_build_object('derived', r.derived, 'referenced', r.referenced);
	WHEN 'plan_import' THEN
		SELECT min(x.status) AS status, min(x.message) AS message, min(x.plan_id::text)::uuid AS id,
			jsonb_agg(jsonb_build_object('op', x.op, 'section', x.section, 'number', x.number,
				'title', x.title, 'fields', x.fields)) FILTER (WHERE x.op IS NOT NULL) AS changes
		INTO r
		FROM karta_plan_import(p_device, nullif(a->>'into', '')::uuid, a->'plan', a->'sections',
			a->'items', a->'abbreviations', false) x;
		detail := jsonb_build_object('changes', coalesce(r.changes, '[]'));
	WHEN 'conflict_resolve' THEN
		SELECT * INTO r FROM karta_conflict_resolve(p_device, (a->>'id')::uuid, a->>'keep');
	ELSE
		status := 'bad'; message := format('unknown op kind %s', p_kind); RETURN;
	END CASE;
	status := r.status; message := r.message; id := r.id;
	IF status = 'conflict' AND etype IS NOT NULL AND base > 0 THEN
		m := karta_merge(p_device, etype, id, base,
			ARRAY(SELECT jsonb_array_elements_text(coalesce(a->'fields', '[]'))),
			CASE etype WHEN 'plan' THEN a->'plan' ELSE a->'item' END);
		IF m.conflict_id IS NOT NULL THEN
			conflict_id := m.conflict_id;
			message := 'edited on both sides: conflict ' || m.conflict_id;
		ELSIF etype = 'plan_item' THEN
			SELECT * INTO r FROM karta_item_put(p_device, (m.merged->>'row_version')::bigint, m.merged);
			status := r.status; message := r.message; merged := true;
		ELSE
			SELECT * INTO r FROM karta_plan_save(p_device, (m.merged->>'row_version')::bigint,
				m.merged, a->'sections');
			status := r.status; message := r.message; merged := true;
		END IF;
	END IF;
	IF status = 'ok' THEN
		the_id := id;
		version := CASE
			WHEN p_kind IN ('item_put', 'item_move', 'item_delete') THEN
				(SELECT i.row_version FROM plan_item i WHERE i.id = the_id)
			WHEN p_kind IN ('plan_put', 'plan_approve', 'plan_derive', 'plan_import') THEN
				(SELECT p.row_version FROM plan p WHERE p.id = the_id)
			WHEN p_kind = 'conflict_resolve' THEN
				(SELECT c.row_version FROM conflict c WHERE c.id = the_id) END;
	END IF;
END $$;

CREATE OR REPLACE FUNCTION karta_op_apply(p_device bigint, p_kind text, a jsonb,
	OUT status text, OUT message text, OUT id uuid, OUT version bigint, OUT conflict_id uuid,
	OUT detail jsonb, OUT merged boolean) LANGUAGE plpgsql AS $$
DECLARE
	f regproc;
BEGIN
	SELECT k.fn INTO f FROM op_kind k WHERE k.kind = p_kind;
	IF f IS NULL THEN
		SELECT * INTO status, message, id, version, conflict_id, detail, merged
		FROM karta_op_apply_plan(p_device, p_kind, a);
		RETURN;
	END IF;
	merged := false;
	EXECUTE format('SELECT x.status, x.message, x.id, x.version FROM %s($1, $2) x', f)
	INTO status, message, id, version USING p_device, a;
END $$;

-- op_log: its device.
CREATE OR REPLACE FUNCTION karta_op_log_refs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM karta_refs_missing(TG_TABLE_NAME, (SELECT 'device_id ' || n.device_id
		FROM (SELECT DISTINCT device_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM device x WHERE x.id = n.device_id) LIMIT 1));
	RETURN NULL;
END $$;

CREATE TRIGGER op_log_check_refs_insert AFTER INSERT ON op_log
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_op_log_refs();

CREATE TRIGGER op_log_check_refs_update AFTER UPDATE ON op_log
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_op_log_refs();
