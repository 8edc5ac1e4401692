-- 0006: sync — what clients read from the change feeds (visibility, pull pages, snapshots,
-- retention) and how their offline writes come back (uploads of ops, applied exactly once,
-- merged or turned into conflict records). See docs/sync.md.

-- Retention: change_log rows with seq <= pruned_seq are gone; a cursor below it must resync.
ALTER TABLE feed ADD COLUMN pruned_seq bigint NOT NULL DEFAULT 0;
-- Every synced table writes its own entity type (conflicts here, statuses and registries in
-- later migrations): the list lives with the triggers, not in a CHECK to amend each time.
ALTER TABLE change_log DROP CONSTRAINT change_log_entity_type_check;
-- Finding an entity's changes since a version (merges, conflicts).
CREATE INDEX change_log_entity ON change_log(entity_id, row_version);

-- The upload that made a change: transaction-local settings the triggers read, set by
-- karta_upload around each op (karta.op_id) and for the whole batch (karta.device).
CREATE OR REPLACE FUNCTION karta_feed_append(p_org bigint, p_type text, p_id uuid, p_op text,
	p_version bigint, p_changed text[], p_payload jsonb, p_device bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	s bigint := karta_feed_next(p_org);
BEGIN
	IF s IS NULL THEN
		RAISE EXCEPTION 'organization % has no feed', p_org;
	END IF;
	INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version,
		changed_fields, payload, origin_device, origin_op_id)
	VALUES (p_org, s, p_type, p_id, p_op, p_version, p_changed, p_payload,
		coalesce(p_device, nullif(current_setting('karta.device', true), '')::bigint),
		nullif(current_setting('karta.op_id', true), '')::uuid);
	PERFORM pg_notify('karta_feed', p_org || ':' || s);
	RETURN s;
END $$;

-- ---- visibility ------------------------------------------------------------------------
-- The feeds a device reads: its organization's and its descendants' whole (scope 'all'),
-- its ancestors' plan rows only (scope 'plans'). Nothing of a sibling, ever.
CREATE FUNCTION karta_feed_visible(p_device bigint)
RETURNS TABLE (org_id bigint, code text, name text, level text, parent text, scope text,
	epoch int, last_seq bigint, pruned_seq bigint) LANGUAGE sql STABLE AS $$
	WITH me AS (SELECT a.org_id FROM karta_actor(p_device) a),
	vis AS (
		SELECT o.id, 'all' AS scope FROM organization o, me
		WHERE o.id = me.org_id OR o.parent_id = me.org_id
		   OR o.parent_id IN (SELECT c.id FROM organization c WHERE c.parent_id = me.org_id)
		UNION ALL
		SELECT p.id, 'plans' FROM organization o JOIN me ON o.id = me.org_id
		JOIN organization p ON p.id = o.parent_id
		UNION ALL
		SELECT gp.id, 'plans' FROM organization o JOIN me ON o.id = me.org_id
		JOIN organization p ON p.id = o.parent_id JOIN organization gp ON gp.id = p.parent_id)
	SELECT o.id, o.code, o.name, o.level, par.code, v.scope, f.epoch, f.last_seq, f.pruned_seq
	FROM vis v JOIN organization o ON o.id = v.id JOIN feed f ON f.org_id = o.id
	LEFT JOIN organization par ON par.id = o.parent_id
$$;

-- Entity types an ancestor's feed shows (scope 'plans').
CREATE FUNCTION karta_plan_entity(p_type text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT p_type IN ('plan', 'plan_section', 'plan_item', 'abbreviation')
$$;

-- ---- pull --------------------------------------------------------------------------------
-- One page for a device. p_cursors: [{"feed": code, "epoch": n, "seq": n}] as the client
-- holds them. Returns 'feed' rows (every feed whose state the client must learn: new,
-- moved, resync, gone) and 'change' rows in (feed code, seq) order, at most p_max_bytes of
-- payload (at least one change). caught_up: no visible feed has more after this page.
CREATE FUNCTION karta_pull(p_device bigint, p_cursors jsonb, p_max_bytes int)
RETURNS TABLE (kind text, feed text, seq bigint, entity_type text, entity_id uuid, op text,
	row_version bigint, changed_fields text[], payload text, origin_op_id uuid, epoch int,
	last_seq bigint, action text, scope text, name text, level text, parent text,
	caught_up boolean) LANGUAGE plpgsql STABLE AS $$
DECLARE
	f record;
	c record;
	budget bigint := greatest(p_max_bytes, 1);
	since bigint;
	pos bigint;
	full_page boolean := false;
	want jsonb;
BEGIN
	-- Feeds the client names but may no longer read.
	RETURN QUERY SELECT 'feed', cur->>'feed', (cur->>'seq')::bigint, NULL::text, NULL::uuid,
		NULL::text, NULL::bigint, NULL::text[], NULL::text, NULL::uuid,
		(cur->>'epoch')::int, NULL::bigint, 'gone', NULL::text, NULL::text, NULL::text,
		NULL::text, NULL::boolean
	FROM jsonb_array_elements(coalesce(p_cursors, '[]')) cur
	WHERE NOT EXISTS (SELECT 1 FROM karta_feed_visible(p_device) v WHERE v.code = cur->>'feed');

	-- One pass over the visible feeds, each with the client's cursor (a hash join: a region
	-- names a thousand feeds per Pull).
	FOR f IN SELECT v.*, k.feed AS want, k.epoch AS want_epoch, k.seq AS want_seq
	         FROM karta_feed_visible(p_device) v
	         LEFT JOIN jsonb_to_recordset(coalesce(p_cursors, '[]'))
	              AS k(feed text, epoch int, seq bigint) ON k.feed = v.code
	         ORDER BY v.code LOOP
		want := CASE WHEN f.want IS NOT NULL THEN '{}'::jsonb END;
		since := coalesce(f.want_seq, 0);
		IF want IS NOT NULL AND (f.want_epoch IS DISTINCT FROM f.epoch
		                         OR since < f.pruned_seq OR since > f.last_seq) THEN
			RETURN QUERY SELECT 'feed', f.code, since, NULL::text, NULL::uuid, NULL::text,
				NULL::bigint, NULL::text[], NULL::text, NULL::uuid, f.epoch, f.last_seq,
				'resync', f.scope, f.name, f.level, f.parent, NULL::boolean;
			CONTINUE;
		END IF;
		IF want IS NULL AND f.pruned_seq > 0 THEN -- a new reader of a pruned feed: snapshot
			RETURN QUERY SELECT 'feed', f.code, 0::bigint, NULL::text, NULL::uuid, NULL::text,
				NULL::bigint, NULL::text[], NULL::text, NULL::uuid, f.epoch, f.last_seq,
				'resync', f.scope, f.name, f.level, f.parent, NULL::boolean;
			CONTINUE;
		END IF;
		pos := since;
		IF NOT full_page AND since < f.last_seq THEN
			FOR c IN SELECT * FROM change_log l WHERE l.feed_id = f.org_id AND l.seq > since
			         ORDER BY l.seq LOOP
				IF budget <= 0 THEN
					full_page := true;
					EXIT;
				END IF;
				pos := c.seq;
				IF f.scope = 'all' OR karta_plan_entity(c.entity_type) THEN
					budget := budget - octet_length(c.payload::text) - 64;
					RETURN QUERY SELECT 'change', f.code, c.seq, c.entity_type, c.entity_id,
						c.op, c.row_version, c.changed_fields, c.payload::text,
						c.origin_op_id, f.epoch, NULL::bigint, NULL::text, NULL::text,
						NULL::text, NULL::text, NULL::text, NULL::boolean;
				END IF;
			END LOOP;
		ELSIF since < f.last_seq THEN
			full_page := true;
		END IF;
		-- The feed's state, when the client does not know it yet or it moved.
		IF want IS NULL OR pos <> since THEN
			RETURN QUERY SELECT 'feed', f.code, pos, NULL::text, NULL::uuid, NULL::text,
				NULL::bigint, NULL::text[], NULL::text, NULL::uuid, f.epoch, f.last_seq, 'ok',
				f.scope, f.name, f.level, f.parent, NULL::boolean;
		END IF;
	END LOOP;
	RETURN QUERY SELECT 'end', NULL::text, NULL::bigint, NULL::text, NULL::uuid, NULL::text,
		NULL::bigint, NULL::text[], NULL::text, NULL::uuid, NULL::int, NULL::bigint, NULL::text,
		NULL::text, NULL::text, NULL::text, NULL::text, NOT full_page;
END $$;

-- ---- snapshot (resync) --------------------------------------------------------------------
-- Every current row of an organization's feed, as the triggers would log it: the view
-- karta_feed_rows (below, after the conflict table), read by karta_snapshot.

-- One keyset page of a feed's snapshot for a device that may read it, ordered by
-- (entity_type, entity_id). Every row carries the feed's epoch and last_seq as read before
-- the rows, so the first page tells the client where to pull from afterwards. No rows and
-- epoch NULL: the device may not read that feed.
CREATE FUNCTION karta_snapshot(p_device bigint, p_feed text, p_after_type text,
	p_after_id uuid, p_max_bytes int)
RETURNS TABLE (entity_type text, entity_id uuid, row_version bigint, payload text, epoch int,
	last_seq bigint, more boolean) LANGUAGE plpgsql STABLE AS $$
DECLARE
	f record;
	r record;
	budget bigint := greatest(p_max_bytes, 1);
BEGIN
	SELECT * INTO f FROM karta_feed_visible(p_device) v WHERE v.code = p_feed;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	FOR r IN SELECT * FROM karta_feed_rows k
	         WHERE k.org_id = f.org_id
	           AND (f.scope = 'all' OR karta_plan_entity(k.entity_type))
	           AND (k.entity_type, k.entity_id) > (coalesce(p_after_type, ''),
	                coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'))
	         ORDER BY k.entity_type, k.entity_id LOOP
		IF budget <= 0 THEN
			RETURN QUERY SELECT NULL::text, NULL::uuid, NULL::bigint, NULL::text, f.epoch,
				f.last_seq, true;
			RETURN;
		END IF;
		budget := budget - octet_length(r.payload::text) - 64;
		RETURN QUERY SELECT r.entity_type, r.entity_id, r.row_version, r.payload::text, f.epoch,
			f.last_seq, false;
	END LOOP;
	RETURN QUERY SELECT NULL::text, NULL::uuid, NULL::bigint, NULL::text, f.epoch, f.last_seq,
		false;
END $$;

-- ---- retention and rebuild (karta-admin feed prune|rebuild) ------------------------------
-- Drops log rows older than p_days (never the newest row of a feed, so last_seq stays
-- provable); returns the number of rows dropped.
CREATE FUNCTION karta_feed_prune(p_days int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	WITH gone AS (
		DELETE FROM change_log l USING feed f
		WHERE l.feed_id = f.org_id AND l.seq < f.last_seq
		  AND l.committed_at < now() - make_interval(days => p_days)
		RETURNING l.feed_id, l.seq),
	upto AS (SELECT feed_id, max(seq) AS s, count(*) AS n FROM gone GROUP BY feed_id),
	moved AS (UPDATE feed f SET pruned_seq = greatest(f.pruned_seq, upto.s) FROM upto
	          WHERE f.org_id = upto.feed_id RETURNING upto.n)
	SELECT coalesce(sum(moved.n), 0) INTO n FROM moved;
	RETURN n;
END $$;

-- A new epoch: every client's cursor of this feed becomes stale and it resyncs.
CREATE FUNCTION karta_feed_rebuild(p_code text) RETURNS int LANGUAGE sql AS $$
	UPDATE feed SET epoch = epoch + 1
	WHERE org_id = (SELECT id FROM organization WHERE code = p_code)
	RETURNING epoch
$$;

-- ---- uploads -------------------------------------------------------------------------------
-- Every op a device uploaded, recorded in the transaction that applied it: a retried batch
-- finds its ops here and gets DUPLICATE with the first outcome. An op_id reused with other
-- content (digest: SHA-256 of the op's packed body, computed by kartad) is refused.
CREATE TABLE op_log (
	device_id   bigint NOT NULL REFERENCES device(id),
	op_id       uuid NOT NULL,
	digest      text NOT NULL,
	kind        text NOT NULL,
	outcome     text NOT NULL CHECK (outcome IN ('applied', 'conflict', 'rejected')),
	status      text NOT NULL,
	message     text NOT NULL DEFAULT '',
	entity_id   uuid,
	row_version bigint,
	conflict_id uuid,
	detail      jsonb,
	merged      boolean NOT NULL DEFAULT false,
	applied_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (device_id, op_id)
);

-- An edit made on a version that has since changed the same fields: kept for a person to
-- resolve (keep mine: the op's values are applied over the current row; keep theirs: the
-- current row stays). Synced in the feed of the plan's owner, so every device there sees it.
CREATE TABLE conflict (
	id             uuid PRIMARY KEY,
	org_id         bigint NOT NULL REFERENCES organization(id), -- the plan's owner (its feed)
	plan_id        uuid NOT NULL REFERENCES plan(id),
	entity_type    text NOT NULL CHECK (entity_type IN ('plan', 'plan_item')),
	entity_id      uuid NOT NULL,
	device_id      bigint NOT NULL REFERENCES device(id),          -- whose op it was
	org_code       text NOT NULL,                                  -- of that device
	op_id          uuid NOT NULL,
	base_version   bigint NOT NULL,
	theirs_version bigint NOT NULL,
	fields         text[] NOT NULL,                                -- edited on both sides
	mine           jsonb NOT NULL,                                 -- the op's values
	theirs         jsonb NOT NULL,                                 -- the values it met
	status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
	resolution     text CHECK (resolution IN ('mine', 'theirs')),
	resolved_by    bigint REFERENCES device(id),
	resolved_at    timestamptz,
	row_version    bigint NOT NULL DEFAULT 1,
	created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conflict_entity ON conflict(entity_id) WHERE status = 'open';

CREATE FUNCTION karta_feed_conflict() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	n jsonb := to_jsonb(NEW);
BEGIN
	PERFORM karta_feed_append(NEW.org_id, 'conflict', NEW.id, lower(TG_OP), NEW.row_version,
		CASE WHEN TG_OP = 'UPDATE' THEN karta_changed_fields(to_jsonb(OLD), n) END, n,
		NEW.device_id);
	RETURN NULL;
END $$;
CREATE TRIGGER conflict_feed_insert AFTER INSERT ON conflict
	FOR EACH ROW EXECUTE FUNCTION karta_feed_conflict();
CREATE TRIGGER conflict_feed_update AFTER UPDATE ON conflict
	FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION karta_feed_conflict();

-- Current rows by feed, one view per domain (plans and conflicts here; reports in 0007,
-- registries in 0008); karta_feed_rows is their union, redefined as domains are added.
CREATE VIEW karta_feed_rows_plans AS
	SELECT p.owner_org_id AS org_id, 'plan'::text AS entity_type, p.id AS entity_id,
		p.row_version, to_jsonb(p) AS payload
	FROM plan p
	UNION ALL
	SELECT p.owner_org_id, 'plan_section', s.id, s.row_version, to_jsonb(s)
	FROM plan_section s JOIN plan p ON p.id = s.plan_id
	UNION ALL
	SELECT p.owner_org_id, 'plan_item', i.id, i.row_version, to_jsonb(i)
	FROM plan_item i JOIN plan p ON p.id = i.plan_id
	UNION ALL
	SELECT p.owner_org_id, 'abbreviation', karta_abbreviation_id(a.plan_id, a.short), NULL,
		to_jsonb(a)
	FROM abbreviation a JOIN plan p ON p.id = a.plan_id
	UNION ALL
	SELECT c.org_id, 'conflict', c.id, c.row_version, to_jsonb(c) FROM conflict c;
CREATE VIEW karta_feed_rows AS SELECT * FROM karta_feed_rows_plans;

-- The fields a client may set, per entity, and the server-computed ones that follow a text
-- field (a merge or a "keep mine" carries them along).
CREATE FUNCTION karta_edit_fields(p_type text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_type
	WHEN 'plan_item' THEN '{title,number,deadline_text,responsible_text,municipal_action,
		institutional_action,result_text,target_text,section_id,ordinal,parent_item_id}'::text[]
	WHEN 'plan' THEN '{title,academic_year,act_kind,act_number,act_date,implements}'::text[]
	END
$$;
CREATE FUNCTION karta_with_derived(p_fields text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
	SELECT p_fields
		|| CASE WHEN 'deadline_text' = ANY(p_fields) THEN '{deadline,deadline_kind,deadline_last}'::text[] ELSE '{}' END
		|| CASE WHEN 'responsible_text' = ANY(p_fields) THEN '{responsible}'::text[] ELSE '{}' END
		|| CASE WHEN 'target_text' = ANY(p_fields) THEN '{targets}'::text[] ELSE '{}' END
$$;
CREATE FUNCTION karta_jsonb_pick(p jsonb, p_keys text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}') FROM jsonb_each(p) e
	WHERE e.key = ANY(p_keys)
$$;

-- A stale edit (base < current version) of a plan or an item: the fields it sets (p_fields,
-- empty = all) against the fields others changed since the base (the change log; the same
-- device's own earlier changes do not count). Disjoint: returns the merged row (the current
-- row with the edit's fields) for the caller to write on the current version. Overlapping,
-- or the item was deleted meanwhile: makes a conflict record and returns its id in
-- conflict_id (merged NULL).
CREATE FUNCTION karta_merge(p_device bigint, p_type text, p_id uuid, p_base bigint,
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
CREATE FUNCTION karta_conflict_resolve(p_device bigint, p_id uuid, p_keep text)
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
CREATE FUNCTION karta_op_apply(p_device bigint, p_kind text, a jsonb,
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

-- A batch of ops from one device, in one transaction, each op in a subtransaction of its own:
-- a refused op leaves nothing behind and does not stop the next. p_ops:
-- [{"op_id", "digest", "kind", "a"}]. Outcomes: applied | duplicate | conflict | rejected |
-- retry_later (lock or serialization trouble: not recorded, the client sends it again).
CREATE FUNCTION karta_upload(p_device bigint, p_ops jsonb)
RETURNS TABLE (op_id uuid, outcome text, status text, message text, entity_id uuid,
	row_version bigint, conflict_id uuid, detail jsonb, merged boolean, first_outcome text)
LANGUAGE plpgsql AS $$
DECLARE
	o jsonb;
	oid uuid;
	prev op_log;
	st text;
	msg text;
	res text;
	r_id uuid;
	r_ver bigint;
	r_conf uuid;
	r_det jsonb;
	r_merged boolean;
BEGIN
	PERFORM set_config('karta.device', p_device::text, true);
	FOR o IN SELECT * FROM jsonb_array_elements(p_ops) LOOP
		oid := (o->>'op_id')::uuid;
		SELECT * INTO prev FROM op_log l WHERE l.device_id = p_device AND l.op_id = oid;
		IF FOUND THEN
			IF prev.digest <> o->>'digest' THEN
				RETURN QUERY SELECT oid, 'rejected', 'bad',
					'op_id was used before for a different op', NULL::uuid, NULL::bigint,
					NULL::uuid, NULL::jsonb, false, NULL::text;
			ELSE
				RETURN QUERY SELECT oid, 'duplicate', prev.status, prev.message, prev.entity_id,
					prev.row_version, prev.conflict_id, prev.detail, prev.merged, prev.outcome;
			END IF;
			CONTINUE;
		END IF;
		PERFORM set_config('karta.op_id', oid::text, true);
		r_id := NULL; r_ver := NULL; r_conf := NULL; r_det := NULL; r_merged := false;
		BEGIN
			SELECT x.status, x.message, x.id, x.version, x.conflict_id, x.detail, x.merged
			INTO st, msg, r_id, r_ver, r_conf, r_det, r_merged
			FROM karta_op_apply(p_device, o->>'kind', o->'a') x;
			IF st <> 'ok' AND r_conf IS NULL THEN
				RAISE EXCEPTION USING ERRCODE = 'KT001', MESSAGE = st, DETAIL = msg;
			END IF;
			res := CASE WHEN r_conf IS NULL THEN 'applied' ELSE 'conflict' END;
		EXCEPTION
			WHEN SQLSTATE 'KT001' THEN
				GET STACKED DIAGNOSTICS st = MESSAGE_TEXT, msg = PG_EXCEPTION_DETAIL;
				res := 'rejected';
			WHEN serialization_failure OR deadlock_detected OR lock_not_available
			     OR query_canceled THEN
				res := 'retry_later'; st := 'busy'; msg := 'the database was busy: send it again';
			WHEN raise_exception THEN -- the write functions' "status:message"
				GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
				res := 'rejected';
				st := CASE WHEN position(':' IN msg) > 0 THEN split_part(msg, ':', 1) ELSE 'bad' END;
				msg := CASE WHEN position(':' IN msg) > 0 THEN substr(msg, position(':' IN msg) + 1) ELSE msg END;
			WHEN OTHERS THEN -- bad data the checks let through: no values in the message
				GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
				res := 'rejected';
				msg := 'the op was refused by the database (SQLSTATE ' || st || ')';
				st := 'bad';
		END;
		PERFORM set_config('karta.op_id', '', true);
		IF res IN ('rejected', 'retry_later') THEN
			r_id := NULL; r_ver := NULL; r_conf := NULL; r_det := NULL; r_merged := false;
		END IF;
		IF res <> 'retry_later' THEN
			INSERT INTO op_log(device_id, op_id, digest, kind, outcome, status, message, entity_id,
				row_version, conflict_id, detail, merged)
			VALUES (p_device, oid, o->>'digest', o->>'kind', res, st, coalesce(msg, ''), r_id,
				r_ver, r_conf, r_det, coalesce(r_merged, false));
		END IF;
		RETURN QUERY SELECT oid, res, st, coalesce(msg, ''), r_id, r_ver, r_conf, r_det,
			coalesce(r_merged, false), NULL::text;
	END LOOP;
END $$;
