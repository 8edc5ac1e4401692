-- 40_status: item statuses (what an organization reports for an item, with evidence), their
-- history and the statuses view of an item.

-- Evidence: {"document": {"kind", "number", "date": "YYYY-MM-DD", "title"},
--            "attachment": {"ref", "name"}, "count": n, "records": [id, …]}; every key optional.
-- Returns NULL when valid, else what is wrong (for people).
CREATE OR REPLACE FUNCTION karta_evidence_check(e jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	k text;
	d jsonb;
BEGIN
	IF e IS NULL OR e = 'null'::jsonb THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(e) <> 'object' THEN
		RETURN 'evidence must be an object';
	END IF;
	IF octet_length(e::text) > 262144 THEN
		RETURN 'evidence is larger than 256 KiB';
	END IF;
	-- The first wrong key, in the order jsonb keeps them (as a loop over the keys would meet it).
	k := (SELECT x FROM jsonb_object_keys(e) x
	      WHERE x NOT IN ('document', 'attachment', 'count', 'records') LIMIT 1);
	IF k IS NOT NULL THEN
		RETURN format('unknown evidence field %s (document, attachment, count, records)', k);
	END IF;
	d := e->'document';
	IF d IS NOT NULL THEN
		IF jsonb_typeof(d) <> 'object' THEN
			RETURN 'evidence document must be an object';
		END IF;
		k := (SELECT x FROM jsonb_object_keys(d) x
		      WHERE x NOT IN ('kind', 'number', 'date', 'title')
		         OR jsonb_typeof(d->x) NOT IN ('string', 'null') OR length(d->>x) > 1000 LIMIT 1);
		IF k NOT IN ('kind', 'number', 'date', 'title') THEN
			RETURN format('unknown document field %s (kind, number, date, title)', k);
		ELSIF k IS NOT NULL THEN
			RETURN format('document %s must be text of at most 1000 characters', k);
		END IF;
		IF coalesce(d->>'date', '') <> '' THEN
			IF d->>'date' !~ '^\d{4}-\d{2}-\d{2}$' THEN
				RETURN 'document date must be YYYY-MM-DD';
			END IF;
			BEGIN
				PERFORM (d->>'date')::date;
			EXCEPTION WHEN OTHERS THEN
				RETURN format('document date %s is not a day', d->>'date');
			END;
		END IF;
	END IF;
	d := e->'attachment';
	IF d IS NOT NULL AND (jsonb_typeof(d) <> 'object' OR jsonb_typeof(d->'ref') <> 'string'
	                      OR length(d->>'ref') NOT BETWEEN 1 AND 500
	                      OR (d ? 'name' AND jsonb_typeof(d->'name') <> 'string')
	                      OR EXISTS (SELECT 1 FROM jsonb_object_keys(d) x WHERE x NOT IN ('ref', 'name'))) THEN
		RETURN 'evidence attachment must be {"ref": text, "name": text}';
	END IF;
	d := e->'count';
	IF d IS NOT NULL AND (jsonb_typeof(d) <> 'number' OR d::text !~ '^\d{1,15}$') THEN
		RETURN 'evidence count must be a whole number >= 0';
	END IF;
	d := e->'records';
	IF d IS NOT NULL THEN
		IF jsonb_typeof(d) <> 'array' OR jsonb_array_length(d) > 10000 THEN
			RETURN 'evidence records must be a list of at most 10000 record ids';
		END IF;
		IF EXISTS (SELECT 1 FROM jsonb_array_elements(d) x
		           WHERE jsonb_typeof(x) NOT IN ('string', 'number') OR length(x #>> '{}') > 100) THEN
			RETURN 'evidence records must be record ids (text or numbers)';
		END IF;
	END IF;
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION karta_item_status_id(p_item uuid, p_org bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
	SELECT md5('item_status:' || p_item::text || ':' || p_org::text)::uuid
$$;

CREATE OR REPLACE FUNCTION karta_item_status_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE item_status_history SET valid_to = now()
	WHERE status_id = NEW.id AND valid_to IS NULL;
	INSERT INTO item_status_history(status_id, item_id, org_id, row_version, status, comment,
		evidence, device_id, valid_from)
	VALUES (NEW.id, NEW.item_id, NEW.org_id, NEW.row_version, NEW.status, NEW.comment,
		NEW.evidence, NEW.updated_by, now());
	RETURN NULL;
END $$;

CREATE TRIGGER item_status_history_insert AFTER INSERT ON item_status
	FOR EACH ROW EXECUTE FUNCTION karta_item_status_version();

CREATE TRIGGER item_status_history_update AFTER UPDATE ON item_status
	FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION karta_item_status_version();

-- Set an item's status for the device's own organization. a: {"item_id", "status",
-- "comment", "evidence", "base"}. base (optional): the status row's version the client saw
-- (0: none yet); a different current version is a conflict. Without base: last write wins.
CREATE OR REPLACE FUNCTION karta_status_set(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	it plan_item;
	pl plan;
	cur item_status;
	sid uuid;
	err text;
	v bigint;
	iid uuid;
BEGIN
	act := karta_writer(p_device);
	IF act.denied IS NOT NULL THEN
		RETURN QUERY SELECT 'denied', act.denied, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	iid := karta_uuid_arg(a, 'item_id');
	IF iid IS NULL THEN
		RETURN QUERY SELECT 'bad', 'item_id must be an item id', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO it FROM plan_item x WHERE x.id = iid;
	IF FOUND THEN
		SELECT * INTO pl FROM plan x WHERE x.id = it.plan_id;
	END IF;
	IF NOT FOUND OR karta_plan_access(act.org_id, act.level, pl.owner_org_id) = 'none' THEN
		RETURN QUERY SELECT 'not_found', format('no item %s', iid), NULL::uuid, NULL::bigint; RETURN;
	END IF;
	sid := karta_item_status_id(iid, act.org_id);
	IF pl.owner_org_id <> act.org_id THEN
		RETURN QUERY SELECT 'denied',
			'an organization reports status only on the items of its own plans', sid, NULL::bigint;
		RETURN;
	END IF;
	IF it.deleted_at IS NOT NULL THEN
		RETURN QUERY SELECT 'precondition', 'the item was deleted', sid, NULL::bigint; RETURN;
	END IF;
	IF it.reference_only THEN
		RETURN QUERY SELECT 'precondition',
			'the item is a read-only reference to the parent plan: nobody here reports on it', sid,
			NULL::bigint;
		RETURN;
	END IF;
	IF pl.status = 'archived' THEN
		RETURN QUERY SELECT 'precondition', 'the plan is archived', sid, NULL::bigint; RETURN;
	END IF;
	IF coalesce(a->>'status', '') NOT IN ('not_started', 'in_progress', 'done', 'not_applicable', 'blocked') THEN
		RETURN QUERY SELECT 'bad',
			'status must be not_started, in_progress, done, not_applicable or blocked', sid, NULL::bigint;
		RETURN;
	END IF;
	IF length(coalesce(a->>'comment', '')) > 4000 THEN
		RETURN QUERY SELECT 'bad', 'a comment has at most 4000 characters', sid, NULL::bigint; RETURN;
	END IF;
	err := karta_evidence_check(a->'evidence');
	IF err IS NOT NULL THEN
		RETURN QUERY SELECT 'bad', err, sid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM item_status x WHERE x.item_id = iid AND x.org_id = act.org_id FOR UPDATE;
	IF a ? 'base' AND coalesce((a->>'base')::bigint, 0) <> coalesce(cur.row_version, 0) THEN
		RETURN QUERY SELECT 'conflict', karta_stale('status', a->>'base', coalesce(cur.row_version, 0)),
			sid, cur.row_version;
		RETURN;
	END IF;
	IF cur.id IS NULL THEN
		INSERT INTO item_status AS x (id, item_id, org_id, plan_id, status, comment, evidence,
			updated_by)
		VALUES (sid, iid, act.org_id, pl.id, a->>'status', coalesce(a->>'comment', ''),
			coalesce(nullif(a->'evidence', 'null'::jsonb), '{}'), p_device)
		RETURNING x.row_version INTO v;
		RETURN QUERY SELECT 'ok', 'created', sid, v; RETURN;
	END IF;
	IF cur.status = a->>'status' AND cur.comment = coalesce(a->>'comment', '')
	   AND cur.evidence = coalesce(nullif(a->'evidence', 'null'::jsonb), '{}') THEN
		RETURN QUERY SELECT 'ok', 'unchanged', cur.id, cur.row_version; RETURN;
	END IF;
	UPDATE item_status x SET status = a->>'status', comment = coalesce(a->>'comment', ''),
		evidence = coalesce(nullif(a->'evidence', 'null'::jsonb), '{}'),
		row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
	WHERE x.id = cur.id RETURNING x.row_version INTO v;
	RETURN QUERY SELECT 'ok', 'updated', cur.id, v;
END $$;

-- The statuses of item a->>'item' this device's organization may read: on the item itself
-- and on the items derived from it (sub-plans below), of organizations it sees.
CREATE OR REPLACE FUNCTION karta_item_statuses(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, org text, org_name text, item text,
	item_status text, comment text, evidence text, version bigint, updated_at text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	act record;
	it uuid;
	acc text;
BEGIN
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'denied'::text, 'this device is not active'::text, NULL::text,
			NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text;
		RETURN;
	END IF;
	IF coalesce(a->>'item', '') !~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN
		RETURN QUERY SELECT 'bad'::text, 'item: must be a uuid'::text, NULL::text, NULL::text,
			NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text;
		RETURN;
	END IF;
	it := (a->>'item')::uuid;
	SELECT karta_plan_access(act.org_id, act.level, pl.owner_org_id) INTO acc
	FROM plan_item i JOIN plan pl ON pl.id = i.plan_id WHERE i.id = it;
	IF coalesce(acc, 'none') = 'none' THEN
		RETURN QUERY SELECT CASE WHEN acc IS NULL THEN 'not_found' ELSE 'denied' END,
			format('no item %s', it), NULL::text, NULL::text, NULL::text, NULL::text,
			NULL::text, NULL::text, NULL::bigint, NULL::text;
		RETURN;
	END IF;
	RETURN QUERY
	WITH RECURSIVE d(id, depth) AS (
		SELECT it, 0
		UNION ALL
		SELECT x.id, d.depth + 1 FROM plan_item x JOIN d ON x.derived_from = d.id
		WHERE d.depth < 3 AND x.deleted_at IS NULL)
	SELECT 'ok'::text, ''::text, o.code, o.name, s.item_id::text, s.status, s.comment,
		CASE WHEN s.evidence = '{}'::jsonb THEN '' ELSE s.evidence::text END,
		s.row_version, to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM d JOIN item_status s ON s.item_id = d.id
	JOIN organization o ON o.id = s.org_id
	WHERE karta_org_sees(act.org_id, s.org_id)
	ORDER BY d.depth, o.code COLLATE "C";
END $$;
