-- 20_plans: the plan API — one SQL function per write, so each protocol request is one
-- statement, one round trip and one transaction; authorization is checked inside, against
-- the device's organization (never against anything the client says). Every write returns
-- (status, message, id): status is one of ok | conflict | denied | not_found | bad |
-- precondition, and kartad maps it to the protocol status. Messages are for people: short,
-- no SQL. Also an item's history of changed fields (item_change) and its triggers.

-- What an organization may do with plans owned by p_owner: write | read | none.
-- Own plans: write. The region: write on everything below it. A municipality: read its
-- schools'. Anyone: read the plans of its ancestors. Nothing else is visible.
CREATE OR REPLACE FUNCTION karta_plan_access(p_org bigint, p_level text, p_owner bigint)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE
	WHEN p_org = p_owner THEN 'write'
	WHEN EXISTS (SELECT 1 FROM organization o LEFT JOIN organization op ON op.id = o.parent_id
	             WHERE o.id = p_owner AND (o.parent_id = p_org OR op.parent_id = p_org))
		THEN CASE WHEN p_level = 'region' THEN 'write' ELSE 'read' END
	WHEN EXISTS (SELECT 1 FROM organization a LEFT JOIN organization ap ON ap.id = a.parent_id
	             WHERE a.id = p_org AND (a.parent_id = p_owner OR ap.parent_id = p_owner))
		THEN 'read'
	ELSE 'none' END
$$;

-- Common guard for writes to a plan: returns NULL when allowed, else (status, message).
CREATE OR REPLACE FUNCTION karta_plan_write_guard(p_device bigint, p_plan plan, p_need_draft boolean,
	OUT status text, OUT message text) LANGUAGE plpgsql STABLE AS $$
DECLARE
	a record := karta_writer(p_device, true);
BEGIN
	IF a.denied IS NOT NULL THEN
		status := 'denied'; message := a.denied;
	ELSIF karta_plan_access(a.org_id, a.level, p_plan.owner_org_id) <> 'write' THEN
		status := 'denied'; message := format('no write access to plan %s', p_plan.id);
	ELSIF p_need_draft AND p_plan.status <> 'draft' THEN
		status := 'precondition';
		message := format('plan %s is %s: its text is read-only', p_plan.id, p_plan.status);
	END IF;
END $$;

-- Is p_parent a valid parent for item p_item in plan p_plan: same plan, not deleted, and
-- not the item itself or one of its descendants (no cycles)?
CREATE OR REPLACE FUNCTION karta_parent_ok(p_plan uuid, p_item uuid, p_parent uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT p_parent IS NULL OR (
		EXISTS (SELECT 1 FROM plan_item x WHERE x.id = p_parent AND x.plan_id = p_plan
		        AND x.deleted_at IS NULL)
		AND NOT EXISTS (
			WITH RECURSIVE up(id, depth) AS (
				SELECT p_parent, 0
				UNION ALL
				SELECT x.parent_item_id, up.depth + 1 FROM plan_item x JOIN up ON x.id = up.id
				WHERE x.parent_item_id IS NOT NULL AND up.depth < 64)
			SELECT 1 FROM up WHERE up.id = p_item))
$$;

-- Why an item may not stand in section p_section under parent p_parent of plan p_plan (the
-- section is another plan's, or the parent is not a live item of it / is the item or one of
-- its sub-items), NULL when it may: the 'bad' message of karta_item_put and karta_item_move.
-- SQL, so a set-wise caller gets it inlined.
CREATE OR REPLACE FUNCTION karta_item_place_refusal(p_plan uuid, p_item uuid, p_section uuid, p_parent uuid)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN NOT EXISTS (SELECT 1 FROM plan_section x WHERE x.id = p_section AND x.plan_id = p_plan) THEN
			'the section is not in this plan'
		WHEN NOT karta_parent_ok(p_plan, p_item, p_parent) THEN
			'the parent item must be a live item of this plan, not the item or one of its sub-items'
	END
$$;

-- The parties of many responsible cells at once (a cell p_texts[i] of the plan p_plans[i]),
-- resolved through party_alias and each plan's own abbreviation table: one row for each
-- distinct (cell, plan), the cell as given, its parties [{"text": "уо", "party":
-- "municipal_body", "org": null, "meaning": "Управление образования"}, …]. «УО», «Управление
-- образования» and an alias bound to an organization all resolve to one party. One statement
-- for a set-wise run's items, not a call a distinct text: a 500-item Upload whose items name
-- 500 different responsible texts spent ≈ 45 of its 90 ms in those calls (docs/performance.md,
-- "Upload: the run's own work"). PL/pgSQL so that its statement is planned once a session:
-- its callers pass sub-selects (ARRAY(SELECT …)), which keep an SQL function from being
-- inlined, and an SQL function not inlined is planned again at every call (≈ 2 ms of a
-- 500-item Upload's; docs/performance.md, "The guarantee floor of an item add").
CREATE OR REPLACE FUNCTION karta_resolve_parties_set(p_texts text[], p_plans uuid[])
RETURNS TABLE (txt text, plan_id uuid, parties jsonb) LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	WITH c AS MATERIALIZED (
		SELECT row_number() OVER () AS k, u.txt, u.plan_id, ' ' || karta_norm(regexp_replace(
			coalesce(u.txt, ''), '[,;:.()«»"“”/]', ' ', 'g')) || ' ' AS t
		FROM (SELECT DISTINCT x.txt, x.plan_id FROM unnest(p_texts, p_plans) x(txt, plan_id)) u),
	hits AS (
		SELECT c.k, a.alias AS text, a.party, o.code AS org, ab.full_text AS meaning
		FROM c JOIN party_alias a ON c.t LIKE '% ' || a.alias || ' %'
		LEFT JOIN organization o ON o.id = a.org_id
		LEFT JOIN abbreviation ab ON ab.plan_id = c.plan_id AND karta_norm(ab.short) = a.alias
		UNION
		SELECT c.k, karta_norm(ab.short), coalesce(a.party, 'other'), o.code, ab.full_text
		FROM c JOIN abbreviation ab ON ab.plan_id = c.plan_id
			AND c.t LIKE '% ' || karta_norm(ab.short) || ' %'
		LEFT JOIN party_alias a ON a.alias = karta_norm(ab.full_text)
		LEFT JOIN organization o ON o.id = a.org_id
		WHERE NOT EXISTS (SELECT 1 FROM party_alias a2 WHERE a2.alias = karta_norm(ab.short))),
	g AS (
		SELECT h.k, jsonb_agg(jsonb_build_object('text', h.text, 'party', h.party, 'org', h.org,
			'meaning', h.meaning) ORDER BY h.text) AS parties
		FROM hits h GROUP BY h.k)
	SELECT c.txt, c.plan_id, coalesce(g.parties, '[]') FROM c LEFT JOIN g ON g.k = c.k;
END $$;

-- One cell's parties (karta_resolve_parties_set of the one cell).
CREATE OR REPLACE FUNCTION karta_resolve_parties(p_text text, p_plan uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT r.parties FROM karta_resolve_parties_set(ARRAY[p_text], ARRAY[p_plan]) r
$$;

CREATE OR REPLACE FUNCTION karta_history(p_item uuid, p_version bigint, p_op text, p_fields text[],
	p_device bigint) RETURNS void LANGUAGE sql AS $$
	INSERT INTO item_history(item_id, row_version, op, fields, device_id, org_id)
	SELECT p_item, p_version, p_op, p_fields, p_device, (SELECT org_id FROM device WHERE id = p_device)
$$;

-- Create (p_base = 0) or update a plan's own fields. Sections go through karta_section_put.
CREATE OR REPLACE FUNCTION karta_plan_put(p_device bigint, p_base bigint, p jsonb)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
DECLARE
	a record;
	cur plan;
	g record;
	pid uuid := (p->>'id')::uuid;
BEGIN
	a := karta_writer(p_device);
	IF a.denied IS NOT NULL THEN
		RETURN QUERY SELECT 'denied', a.denied, pid; RETURN;
	END IF;
	SELECT * INTO cur FROM plan WHERE plan.id = pid FOR UPDATE;
	IF p_base = 0 THEN
		IF FOUND THEN
			RETURN QUERY SELECT 'conflict', 'a plan with this id exists', pid; RETURN;
		END IF;
		INSERT INTO plan(id, owner_org_id, level, title, academic_year, act_kind, act_number,
			act_date, implements, updated_by)
		VALUES (pid, a.org_id, a.level, p->>'title', (p->>'academic_year')::int,
			coalesce(p->>'act_kind', ''), coalesce(p->>'act_number', ''),
			nullif(p->>'act_date', '')::date, coalesce(p->>'implements', ''), p_device);
		RETURN QUERY SELECT 'ok', 'created', pid; RETURN;
	END IF;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'not_found', format('no plan %s', pid), pid; RETURN;
	END IF;
	g := karta_plan_write_guard(p_device, cur, true);
	IF g.status IS NOT NULL THEN
		RETURN QUERY SELECT g.status, g.message, pid; RETURN;
	END IF;
	IF cur.row_version <> p_base THEN
		RETURN QUERY SELECT 'conflict', karta_stale('plan', p_base::text, NULL), pid; RETURN;
	END IF;
	UPDATE plan SET title = p->>'title', academic_year = (p->>'academic_year')::int,
		act_kind = coalesce(p->>'act_kind', ''), act_number = coalesce(p->>'act_number', ''),
		act_date = nullif(p->>'act_date', '')::date, implements = coalesce(p->>'implements', ''),
		row_version = row_version + 1, updated_at = now(), updated_by = p_device
	WHERE plan.id = pid;
	RETURN QUERY SELECT 'ok', 'updated', pid;
END $$;

CREATE OR REPLACE FUNCTION karta_section_put(p_device bigint, s jsonb)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
DECLARE
	pl plan;
	g record;
	sid uuid := (s->>'id')::uuid;
BEGIN
	SELECT * INTO pl FROM plan WHERE plan.id = (s->>'plan_id')::uuid;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'not_found', format('no plan %s', s->>'plan_id'), sid; RETURN;
	END IF;
	g := karta_plan_write_guard(p_device, pl, true);
	IF g.status IS NOT NULL THEN
		RETURN QUERY SELECT g.status, g.message, sid; RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM plan_section x WHERE x.id = sid AND x.plan_id <> pl.id) THEN
		RETURN QUERY SELECT 'bad', 'section belongs to another plan', sid; RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM plan_section x WHERE x.id = sid)
	   AND (SELECT count(*) FROM plan_section x WHERE x.plan_id = pl.id) >= 500 THEN
		RETURN QUERY SELECT 'bad', 'a plan has at most 500 sections', sid; RETURN;
	END IF;
	INSERT INTO plan_section(id, plan_id, ordinal, number, title)
	VALUES (sid, pl.id, (s->>'ordinal')::int, coalesce(s->>'number', ''), coalesce(s->>'title', ''))
	ON CONFLICT ON CONSTRAINT plan_section_pkey DO UPDATE SET ordinal = excluded.ordinal,
		number = excluded.number, title = excluded.title,
		row_version = plan_section.row_version + 1;
	RETURN QUERY SELECT 'ok', 'saved', sid;
END $$;

-- The checks every change of an existing item passes, in one place: the plan's write guard,
-- not deleted, the base version is current, and below the region a read-only reference
-- stays untouched. Returns NULL when allowed, else (status, message).
CREATE OR REPLACE FUNCTION karta_item_guard(p_device bigint, p_plan plan, p_cur plan_item, p_base bigint,
	OUT status text, OUT message text) LANGUAGE plpgsql STABLE AS $$
DECLARE
	g record;
BEGIN
	g := karta_plan_write_guard(p_device, p_plan, true);
	IF g.status IS NOT NULL THEN
		status := g.status; message := g.message;
	ELSIF p_cur.deleted_at IS NOT NULL THEN
		status := 'conflict'; message := 'the item was deleted';
	ELSIF p_cur.row_version <> p_base THEN
		status := 'conflict'; message := karta_stale('item', p_base::text, p_cur.row_version);
	ELSIF p_cur.reference_only AND (SELECT level FROM karta_actor(p_device)) <> 'region' THEN
		status := 'denied'; message := 'the item is a read-only reference to the parent plan';
	END IF;
END $$;

-- Create (p_base = 0) or update an item. deadline/responsible/targets are computed by
-- kartad (common/kt_deadline.c, kt_parties.c) from the raw text and passed in.
CREATE OR REPLACE FUNCTION karta_item_put(p_device bigint, p_base bigint, it jsonb)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
DECLARE
	a record;
	pl plan;
	cur plan_item;
	g record;
	iid uuid := (it->>'id')::uuid;
	sec uuid := (it->>'section_id')::uuid;
	par uuid := nullif(it->>'parent_item_id', '')::uuid;
	after plan_item;
	err text;
BEGIN
	SELECT * INTO cur FROM plan_item WHERE plan_item.id = iid FOR UPDATE;
	IF p_base = 0 AND FOUND THEN
		RETURN QUERY SELECT 'conflict', 'an item with this id exists', iid; RETURN;
	ELSIF p_base <> 0 AND NOT FOUND THEN
		RETURN QUERY SELECT 'not_found', format('no item %s', iid), iid; RETURN;
	END IF;
	SELECT * INTO pl FROM plan
	WHERE plan.id = CASE WHEN p_base = 0 THEN (it->>'plan_id')::uuid ELSE cur.plan_id END;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'not_found', format('no plan %s', it->>'plan_id'), iid; RETURN;
	END IF;
	IF p_base = 0 THEN
		g := karta_plan_write_guard(p_device, pl, true);
	ELSE
		g := karta_item_guard(p_device, pl, cur, p_base);
	END IF;
	IF g.status IS NOT NULL THEN
		RETURN QUERY SELECT g.status, g.message, iid; RETURN;
	END IF;
	err := karta_item_place_refusal(pl.id, iid, sec, par);
	IF err IS NOT NULL THEN
		RETURN QUERY SELECT 'bad', err, iid; RETURN;
	END IF;
	SELECT * INTO a FROM karta_actor(p_device);
	-- The parent level owns a derived item's text and deadline.
	IF p_base <> 0 AND cur.derived_from IS NOT NULL AND a.level <> 'region'
	   AND (cur.title IS DISTINCT FROM it->>'title'
	        OR cur.deadline_text IS DISTINCT FROM coalesce(it->>'deadline_text', '')) THEN
		RETURN QUERY SELECT 'denied',
			'title and deadline of a derived item belong to the parent plan', iid;
		RETURN;
	END IF;
	IF p_base = 0 THEN
		INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, parent_item_id, title,
			deadline_text, deadline, deadline_kind, deadline_last, responsible_text,
			responsible, municipal_action, institutional_action, result_text, target_text,
			targets, updated_by)
		VALUES (iid, pl.id, sec, (it->>'ordinal')::int, coalesce(it->>'number', ''), par,
			it->>'title', coalesce(it->>'deadline_text', ''), coalesce(it->'deadline', '{}'),
			coalesce(it->>'deadline_kind', 'empty'), nullif(it->>'deadline_last', '')::date,
			coalesce(it->>'responsible_text', ''), coalesce(it->'responsible', '{}')
				|| jsonb_build_object('parties', karta_resolve_parties(it->>'responsible_text', pl.id)),
			coalesce(it->>'municipal_action', ''), coalesce(it->>'institutional_action', ''),
			coalesce(it->>'result_text', ''), coalesce(it->>'target_text', ''),
			coalesce(it->'targets', '{}'), p_device)
		RETURNING * INTO after;
		PERFORM karta_history(iid, 1, 'create',
			karta_changed_fields('{}', to_jsonb(after) - 'id' - 'plan_id'), p_device);
		RETURN QUERY SELECT 'ok', 'created', iid; RETURN;
	END IF;
	UPDATE plan_item x SET section_id = sec, ordinal = (it->>'ordinal')::int,
		number = coalesce(it->>'number', ''), parent_item_id = par, title = it->>'title',
		deadline_text = coalesce(it->>'deadline_text', ''), deadline = coalesce(it->'deadline', '{}'),
		deadline_kind = coalesce(it->>'deadline_kind', 'empty'),
		deadline_last = nullif(it->>'deadline_last', '')::date,
		responsible_text = coalesce(it->>'responsible_text', ''),
		responsible = coalesce(it->'responsible', '{}')
			|| jsonb_build_object('parties', karta_resolve_parties(it->>'responsible_text', pl.id)),
		municipal_action = coalesce(it->>'municipal_action', ''),
		institutional_action = coalesce(it->>'institutional_action', ''),
		result_text = coalesce(it->>'result_text', ''), target_text = coalesce(it->>'target_text', ''),
		targets = coalesce(it->'targets', '{}'),
		row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
	WHERE x.id = iid RETURNING * INTO after;
	PERFORM karta_history(iid, after.row_version, 'update',
		karta_changed_fields(to_jsonb(cur), to_jsonb(after)), p_device);
	RETURN QUERY SELECT 'ok', 'updated', iid;
END $$;

-- Move an item (section, position, parent) or soft-delete it (p_delete_reason not NULL). Based
-- on a version older than the item's, it is a conflict only when another device wrote the item
-- since (item_history); the device's own later writes do not count, as in karta_merge.
CREATE OR REPLACE FUNCTION karta_item_move(p_device bigint, p_id uuid, p_base bigint, p_section uuid,
	p_ordinal int, p_parent uuid, p_delete_reason text)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
DECLARE
	pl plan;
	cur plan_item;
	g record;
	v bigint;
	err text;
BEGIN
	SELECT * INTO cur FROM plan_item WHERE plan_item.id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'not_found', format('no item %s', p_id), p_id; RETURN;
	END IF;
	SELECT * INTO pl FROM plan WHERE plan.id = cur.plan_id;
	-- a base made stale only by this device's own later writes (offline ops queued on top of
	-- each other: an edit, then a move) is no conflict: nobody else's change would be undone
	IF cur.row_version > p_base AND NOT EXISTS (SELECT 1 FROM item_history h
			WHERE h.item_id = p_id AND h.row_version > p_base
			  AND h.device_id IS DISTINCT FROM p_device) THEN
		p_base := cur.row_version;
	END IF;
	g := karta_item_guard(p_device, pl, cur, p_base);
	IF g.status IS NOT NULL THEN
		RETURN QUERY SELECT g.status, g.message, p_id; RETURN;
	END IF;
	IF p_delete_reason IS NOT NULL THEN
		UPDATE plan_item x SET deleted_at = now(), delete_reason = p_delete_reason,
			row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE x.id = p_id RETURNING x.row_version INTO v;
		PERFORM karta_history(p_id, v, 'delete', '{deleted_at,delete_reason}', p_device);
		RETURN QUERY SELECT 'ok', 'deleted', p_id; RETURN;
	END IF;
	err := karta_item_place_refusal(pl.id, p_id, p_section, p_parent);
	IF err IS NOT NULL THEN
		RETURN QUERY SELECT 'bad', err, p_id; RETURN;
	END IF;
	UPDATE plan_item x SET section_id = p_section, ordinal = p_ordinal, parent_item_id = p_parent,
		row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
	WHERE x.id = p_id RETURNING x.row_version INTO v;
	PERFORM karta_history(p_id, v, 'move', '{section_id,ordinal,parent_item_id}', p_device);
	RETURN QUERY SELECT 'ok', 'moved', p_id;
END $$;

-- draft → approved (needs the act's number and date), or approved → archived.
CREATE OR REPLACE FUNCTION karta_plan_approve(p_device bigint, p_id uuid, p_base bigint, p_kind text,
	p_number text, p_date date, p_archive boolean)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
DECLARE
	pl plan;
	g record;
BEGIN
	SELECT * INTO pl FROM plan WHERE plan.id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'not_found', format('no plan %s', p_id), p_id; RETURN;
	END IF;
	g := karta_plan_write_guard(p_device, pl, false);
	IF g.status IS NOT NULL THEN
		RETURN QUERY SELECT g.status, g.message, p_id; RETURN;
	END IF;
	IF pl.row_version <> p_base THEN
		RETURN QUERY SELECT 'conflict', karta_stale('plan', p_base::text, NULL), p_id; RETURN;
	END IF;
	IF p_archive THEN
		IF pl.status <> 'approved' THEN
			RETURN QUERY SELECT 'precondition', format('only an approved plan can be archived (it is %s)', pl.status), p_id;
			RETURN;
		END IF;
		UPDATE plan SET status = 'archived', row_version = row_version + 1, updated_at = now(),
			updated_by = p_device WHERE plan.id = p_id;
		RETURN QUERY SELECT 'ok', 'archived', p_id; RETURN;
	END IF;
	IF pl.status <> 'draft' THEN
		RETURN QUERY SELECT 'precondition', format('plan is already %s', pl.status), p_id; RETURN;
	END IF;
	IF coalesce(p_number, '') = '' OR p_date IS NULL THEN
		RETURN QUERY SELECT 'bad', 'approval needs the act''s number and date', p_id; RETURN;
	END IF;
	UPDATE plan SET status = 'approved', act_kind = coalesce(nullif(p_kind, ''), nullif(act_kind, ''), 'приказ'),
		act_number = p_number, act_date = p_date, row_version = row_version + 1,
		updated_at = now(), updated_by = p_device
	WHERE plan.id = p_id;
	RETURN QUERY SELECT 'ok', 'approved', p_id;
END $$;

-- A municipality derives its plan from its region's, a school from its municipality's.
-- Municipal plan: items with a municipal action or addressed to municipal bodies or schools
-- become its own (derived_from = the regional item); regional-only items are carried as
-- read-only references. School plan: items with an institutional action, addressed to all
-- schools, to a group the school belongs to, or to the school by code; nothing else.
-- New ids are md5(new plan id || source id): deterministic, so parent links map directly.
CREATE OR REPLACE FUNCTION karta_plan_derive(p_device bigint, p_parent uuid, p_new uuid, p_title text)
RETURNS TABLE (status text, message text, id uuid, derived int, referenced int)
LANGUAGE plpgsql AS $$
DECLARE
	a record;
	src plan;
	me organization;
	existing uuid;
	n_derived int;
	n_ref int;
BEGIN
	a := karta_writer(p_device);
	IF a.denied IS NOT NULL THEN
		RETURN QUERY SELECT 'denied', a.denied, p_new, 0, 0; RETURN;
	END IF;
	SELECT * INTO me FROM organization o WHERE o.id = a.org_id;
	SELECT * INTO src FROM plan WHERE plan.id = p_parent;
	IF NOT FOUND OR karta_plan_access(a.org_id, a.level, src.owner_org_id) = 'none' THEN
		RETURN QUERY SELECT 'not_found', format('no plan %s', p_parent), p_new, 0, 0; RETURN;
	END IF;
	IF a.level = 'region' OR src.owner_org_id IS DISTINCT FROM me.parent_id THEN
		RETURN QUERY SELECT 'denied',
			'a plan is derived from the plan of the organization directly above', p_new, 0, 0;
		RETURN;
	END IF;
	IF src.status = 'archived' THEN
		RETURN QUERY SELECT 'precondition', 'the parent plan is archived', p_new, 0, 0; RETURN;
	END IF;
	SELECT plan.id INTO existing FROM plan
	WHERE plan.owner_org_id = a.org_id AND plan.parent_plan_id = p_parent;
	IF FOUND THEN
		RETURN QUERY SELECT 'precondition',
			format('already derived: plan %s derives from this plan', existing), existing, 0, 0;
		RETURN;
	END IF;
	INSERT INTO plan(id, owner_org_id, level, parent_plan_id, title, academic_year, implements,
		updated_by)
	VALUES (p_new, a.org_id, a.level, p_parent, coalesce(nullif(p_title, ''), src.title),
		src.academic_year, src.title, p_device);
	INSERT INTO plan_section(id, plan_id, ordinal, number, title)
	SELECT md5(p_new::text || s.id::text)::uuid, p_new, s.ordinal, s.number, s.title
	FROM plan_section s WHERE s.plan_id = p_parent;

	CREATE TEMP TABLE derive_pick ON COMMIT DROP AS
	SELECT i.id AS src_id, md5(p_new::text || i.id::text)::uuid AS new_id,
		CASE WHEN a.level = 'municipality' THEN
			NOT (i.municipal_action <> ''
			     OR i.responsible -> 'levels' ?| array['municipal_body', 'all_schools', 'school'])
		ELSE false END AS ref_only
	FROM plan_item i
	WHERE i.plan_id = p_parent AND i.deleted_at IS NULL AND NOT i.reference_only
	  AND (a.level = 'municipality'
	       OR i.institutional_action <> ''
	       OR i.responsible -> 'levels' ? 'all_schools'
	       OR (i.targets ->> 'all_schools')::boolean IS TRUE
	       OR i.targets -> 'schools' ? me.code
	       OR EXISTS (SELECT 1 FROM school_group_member m JOIN school_group sg ON sg.id = m.group_id
	                  WHERE m.school_id = me.id AND i.targets -> 'groups' ? sg.name));

	INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, parent_item_id, title,
		deadline_text, deadline, deadline_kind, deadline_last, responsible_text, responsible,
		municipal_action, institutional_action, result_text, target_text, targets,
		derived_from, reference_only, updated_by)
	SELECT d.new_id, p_new, md5(p_new::text || i.section_id::text)::uuid, i.ordinal, i.number,
		CASE WHEN i.parent_item_id IN (SELECT src_id FROM derive_pick)
		     THEN md5(p_new::text || i.parent_item_id::text)::uuid END,
		i.title, i.deadline_text, i.deadline, i.deadline_kind, i.deadline_last,
		i.responsible_text, i.responsible, i.municipal_action, i.institutional_action,
		i.result_text, i.target_text, i.targets, i.id, d.ref_only, p_device
	FROM derive_pick d JOIN plan_item i ON i.id = d.src_id
	ORDER BY i.parent_item_id NULLS FIRST;  -- parents before their sub-items

	INSERT INTO item_history(item_id, row_version, op, fields, device_id, org_id)
	SELECT new_id, 1, 'derive', '{derived_from}', p_device, a.org_id FROM derive_pick;
	SELECT count(*) FILTER (WHERE NOT ref_only), count(*) FILTER (WHERE ref_only)
	INTO n_derived, n_ref FROM derive_pick;
	RETURN QUERY SELECT 'ok', 'derived', p_new, n_derived, n_ref;
END $$;

-- A plan and its sections in one transaction (PlanPut): the first failure wins.
CREATE OR REPLACE FUNCTION karta_plan_save(p_device bigint, p_base bigint, p jsonb, p_sections jsonb)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
DECLARE
	r record;
	s jsonb;
BEGIN
	SELECT * INTO r FROM karta_plan_put(p_device, p_base, p);
	IF r.status <> 'ok' THEN
		RETURN QUERY SELECT r.status, r.message, r.id; RETURN;
	END IF;
	FOR s IN SELECT * FROM jsonb_array_elements(coalesce(p_sections, '[]')) LOOP
		SELECT * INTO r FROM karta_section_put(p_device, s || jsonb_build_object('plan_id', p->>'id'));
		IF r.status <> 'ok' THEN
			RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = r.status || ':' || r.message;
		END IF;
	END LOOP;
	RETURN QUERY SELECT 'ok', 'saved', (p->>'id')::uuid;
END $$;

-- The columns a person writes (or moves) of an item; nothing derived, nothing bookkeeping.
CREATE OR REPLACE FUNCTION karta_item_fields(r jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM jsonb_each(r) e(k, v)
	WHERE k IN ('number', 'title', 'deadline_text', 'responsible_text', 'municipal_action',
		'institutional_action', 'result_text', 'target_text', 'section_id', 'ordinal',
		'parent_item_id', 'reference_only', 'deleted_at', 'delete_reason')
$$;

-- 0024: an item's changed fields (item_change, 0023) recorded once per statement, like the
-- change feeds since 0022: one INSERT … SELECT over the statement's transition tables
-- instead of a PL/pgSQL call per updated row, so a set-wise Upload (0021) or a bulk write of
-- many items pays one trigger call. What is recorded is unchanged: per (item, version) the
-- fields a person writes that differ, old and new; a version written twice (a merge finishing
-- an edit) keeps the first old value and the last new one. One UPDATE statement changes each
-- row once, so no (item, version) appears twice in one INSERT.
CREATE OR REPLACE FUNCTION karta_item_change_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO item_change(item_id, row_version, old, new)
	SELECT n.id, n.row_version, d.old, d.new
	FROM new_rows n
	JOIN old_rows o ON o.id = n.id
	CROSS JOIN LATERAL (SELECT karta_item_fields(to_jsonb(o)) AS fo,
	                           karta_item_fields(to_jsonb(n)) AS fn) f
	CROSS JOIN LATERAL (
		SELECT coalesce(jsonb_object_agg(k, f.fo -> k), '{}') AS old,
		       coalesce(jsonb_object_agg(k, v), '{}') AS new
		FROM jsonb_each(f.fn) e(k, v) WHERE v IS DISTINCT FROM f.fo -> k) d
	WHERE d.new <> '{}'
	ON CONFLICT (item_id, row_version) DO UPDATE
		SET old = EXCLUDED.old || item_change.old, new = item_change.new || EXCLUDED.new;
	RETURN NULL;
END $$;

CREATE TRIGGER plan_item_change AFTER UPDATE ON plan_item
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION karta_item_change_stmt();
ALTER TABLE plan_item ENABLE ALWAYS TRIGGER plan_item_change;

-- plan_item: its plan (locked FOR KEY SHARE on insert, as the foreign key did), section,
-- parent item, the item it was derived from, the writing device.
CREATE OR REPLACE FUNCTION karta_item_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	bad text;
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM 1 FROM plan p WHERE p.id IN (SELECT DISTINCT n.plan_id FROM new_rows n)
		ORDER BY p.id FOR KEY SHARE;
	END IF;
	SELECT r.k || ' ' || r.v INTO bad FROM (
		SELECT 'plan_id' AS k, n.plan_id::text AS v FROM (SELECT DISTINCT plan_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM plan x WHERE x.id = n.plan_id)
		UNION ALL
		SELECT 'section_id', n.section_id::text FROM (SELECT DISTINCT section_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM plan_section x WHERE x.id = n.section_id)
		UNION ALL
		SELECT 'parent_item_id', n.parent_item_id::text
		FROM (SELECT DISTINCT parent_item_id FROM new_rows WHERE parent_item_id IS NOT NULL) n
		WHERE NOT EXISTS (SELECT 1 FROM plan_item x WHERE x.id = n.parent_item_id)
		UNION ALL
		SELECT 'derived_from', n.derived_from::text
		FROM (SELECT DISTINCT derived_from FROM new_rows WHERE derived_from IS NOT NULL) n
		WHERE NOT EXISTS (SELECT 1 FROM plan_item x WHERE x.id = n.derived_from)
		UNION ALL
		SELECT 'updated_by', n.updated_by::text
		FROM (SELECT DISTINCT updated_by FROM new_rows WHERE updated_by IS NOT NULL) n
		WHERE NOT EXISTS (SELECT 1 FROM device x WHERE x.id = n.updated_by)) r
	LIMIT 1;
	PERFORM karta_refs_missing(TG_TABLE_NAME, bad);
	RETURN NULL;
END $$;

-- item_history: its item, device and organization. The item is not probed when the statement
-- itself proves it (karta.history_proven 'on', set by karta_upload_items around the statement
-- that writes the items and their history rows together, from the items' own INSERT or
-- UPDATE … RETURNING): the probes of a 500-item run — each a heap visit, the items being new
-- — were ≈ 2 of its 44 ms (docs/performance.md, "Upload: the run's own work").
CREATE OR REPLACE FUNCTION karta_item_history_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	bad text;
	proven boolean := current_setting('karta.history_proven', true) IS NOT DISTINCT FROM 'on';
BEGIN
	SELECT r.k || ' ' || r.v INTO bad FROM (
		SELECT 'item_id' AS k, n.item_id::text AS v FROM (SELECT DISTINCT item_id FROM new_rows) n
		WHERE NOT proven AND NOT EXISTS (SELECT 1 FROM plan_item x WHERE x.id = n.item_id)
		UNION ALL
		SELECT 'device_id', n.device_id::text
		FROM (SELECT DISTINCT device_id FROM new_rows WHERE device_id IS NOT NULL) n
		WHERE NOT EXISTS (SELECT 1 FROM device x WHERE x.id = n.device_id)
		UNION ALL
		SELECT 'org_id', n.org_id::text
		FROM (SELECT DISTINCT org_id FROM new_rows WHERE org_id IS NOT NULL) n
		WHERE NOT EXISTS (SELECT 1 FROM organization x WHERE x.id = n.org_id)) r
	LIMIT 1;
	PERFORM karta_refs_missing(TG_TABLE_NAME, bad);
	RETURN NULL;
END $$;

CREATE TRIGGER plan_item_check_refs_insert AFTER INSERT ON plan_item
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_item_refs();

CREATE TRIGGER plan_item_check_refs_update AFTER UPDATE ON plan_item
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_item_refs();

CREATE TRIGGER item_history_check_refs_insert AFTER INSERT ON item_history
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_item_history_refs();

CREATE TRIGGER item_history_check_refs_update AFTER UPDATE ON item_history
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_item_history_refs();
