-- 0026: the set-wise item and status Upload (0021) without its per-row leftovers (issue 18:
-- ≥ 20,000 item ops/s). Measured on a 500-op run of item adds (docs/performance.md, "Upload:
-- the whole path"), two per-row costs were left after 0021/0022:
--
--   * the op-id stamp: the feed trigger wrote every change_log row with the run's id and
--     karta_up_stamp then UPDATEd each one to its op's id (a second version of every row,
--     both its indexes written again). Now the run hands the feed trigger its map of
--     entity id → op id (karta.op_ids, one jsonb a run), so each change is written once with
--     its op's id. Runs of other kinds (participants, registry deletes) are stamped as before.
--   * foreign keys checked row by row: per new item 7 SPI queries with a row lock (plan,
--     section, device of plan_item; item, device, organization of item_history; device of
--     op_log) — ~15 % of the run's CPU. They are replaced by one statement trigger per table
--     that checks every new row's references with one anti-join per key over the statement's
--     distinct values, in the writing statement, before its feed append (the trigger's name
--     sorts before "…_feed_…"; AFTER STATEMENT triggers fire in name order): a statement
--     naming a missing plan, section, item, device or organization is refused with SQLSTATE
--     23503 and nothing of it stays, for every writer (the one-by-one path, derive, import,
--     the set-wise run — which splits and retries, as for any unpredicted error). A new item
--     still takes its plan row FOR KEY SHARE, as its foreign key did, so a plan write and an
--     item insert into that plan keep locking plan before feed (t_feeds). What the foreign
--     keys did besides — refuse a hard DELETE of a referenced row — is not needed: no
--     function or tool deletes plans, sections, items, devices or organizations (soft
--     deletes only), as for 0022's planning tables.

-- ---- the feed: a change written with its op's id ------------------------------------------
-- As 0022, plus: when karta.op_ids holds a jsonb object {entity id: op id} (a set-wise run
-- sets it around its writes), a change of an entity it names gets that op id instead of
-- karta.op_id.
CREATE OR REPLACE FUNCTION karta_feed_stmt() RETURNS trigger LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
	etype text := TG_ARGV[0];
	fcol text := TG_ARGV[1];
	dcol text := nullif(TG_ARGV[2], '');
	soft boolean := TG_ARGV[3] = 'soft';
	dev bigint := nullif(current_setting('karta.device', true), '')::bigint;
	op_id uuid := nullif(current_setting('karta.op_id', true), '')::uuid;
	ops jsonb := nullif(current_setting('karta.op_ids', true), '')::jsonb;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
		RETURN NULL; -- a statement that wrote nothing (statement triggers fire anyway)
	END IF;
	IF TG_OP = 'INSERT' THEN
		WITH ch AS MATERIALIZED (
			SELECT CASE WHEN fcol = 'plan' THEN p.owner_org_id ELSE (x.j->>fcol)::bigint END AS feed,
				karta_feed_entity(etype, x.j) AS id, x.j, x.ord
			FROM (SELECT to_jsonb(n) AS j, row_number() OVER () AS ord FROM new_rows n) x
			LEFT JOIN plan p ON fcol = 'plan' AND p.id = (x.j->>'plan_id')::uuid),
		took AS (SELECT * FROM karta_feed_take(ARRAY(SELECT ch.feed FROM ch)))
		INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version,
			changed_fields, payload, origin_device, origin_op_id)
		SELECT ch.feed, took.base + row_number() OVER (PARTITION BY ch.feed ORDER BY ch.ord),
			etype, ch.id, 'insert',
			CASE WHEN etype <> 'abbreviation' THEN (ch.j->>'row_version')::bigint END, NULL, ch.j,
			coalesce((ch.j->>dcol)::bigint, dev), coalesce((ops->>ch.id::text)::uuid, op_id)
		FROM ch JOIN took ON took.feed_id = ch.feed;
	ELSE
		WITH ch AS MATERIALIZED (
			SELECT CASE WHEN fcol = 'plan' THEN p.owner_org_id ELSE (x.j->>fcol)::bigint END AS feed,
				x.id, x.j, o.j AS oj, x.ord
			FROM (SELECT y.j, karta_feed_entity(etype, y.j) AS id, y.ord
			      FROM (SELECT to_jsonb(n) AS j, row_number() OVER () AS ord FROM new_rows n) y) x
			JOIN (SELECT to_jsonb(o) AS j FROM old_rows o) o ON karta_feed_entity(etype, o.j) = x.id
			LEFT JOIN plan p ON fcol = 'plan' AND p.id = (x.j->>'plan_id')::uuid
			WHERE o.j IS DISTINCT FROM x.j),
		took AS (SELECT * FROM karta_feed_take(ARRAY(SELECT ch.feed FROM ch)))
		INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version,
			changed_fields, payload, origin_device, origin_op_id)
		SELECT ch.feed, took.base + row_number() OVER (PARTITION BY ch.feed ORDER BY ch.ord),
			etype, ch.id,
			CASE WHEN soft AND ch.oj->>'deleted_at' IS NULL AND ch.j->>'deleted_at' IS NOT NULL
				THEN 'delete' ELSE 'update' END,
			CASE WHEN etype <> 'abbreviation' THEN (ch.j->>'row_version')::bigint END,
			karta_changed_fields(ch.oj, ch.j), ch.j, coalesce((ch.j->>dcol)::bigint, dev),
			coalesce((ops->>ch.id::text)::uuid, op_id)
		FROM ch JOIN took ON took.feed_id = ch.feed;
	END IF;
	RETURN NULL;
END $$;

-- The map of a run: each applied op's entity → its op (karta_feed_stmt), '' to clear.
CREATE FUNCTION karta_up_op_ids(p_map jsonb) RETURNS void LANGUAGE sql AS $$
	SELECT set_config('karta.op_ids', coalesce(p_map::text, ''), true)
$$;

-- One run as a set (0021). A run of items or statuses hands the feed its map before writing:
-- an item's entity is the item, a status's the organization's status row of the item
-- (karta_item_status_id, the id every status row has); their changes are written with their
-- op ids. Other kinds are stamped afterwards as before; so is any applied op of a mapped
-- run whose entity the map does not name (none today).
CREATE OR REPLACE FUNCTION karta_upload_group(w karta_up_actor, p_cls text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	res karta_up_res[];
	map jsonb;
BEGIN
	PERFORM set_config('karta.op_id', gen_random_uuid()::text, true);
	IF p_cls = 'item_put' THEN
		map := (SELECT jsonb_object_agg(o.a->'item'->>'id', o.op_id) FROM unnest(p_ops) o);
	ELSIF p_cls = 'status_set' AND w.org_id IS NOT NULL THEN
		map := (SELECT jsonb_object_agg(karta_item_status_id((o.a->>'item_id')::uuid, w.org_id),
			o.op_id) FROM unnest(p_ops) o);
	END IF;
	PERFORM karta_up_op_ids(map);
	IF p_cls = 'item_put' THEN
		res := karta_upload_items(w, p_ops);
	ELSIF p_cls = 'status_set' THEN
		res := karta_upload_statuses(w, p_ops);
	ELSIF p_cls = 'participant_put' THEN
		res := karta_upload_participants(w, p_ops);
	ELSIF p_cls LIKE 'registry\_delete:%' THEN
		res := karta_upload_deletes(w, substr(p_cls, 17), p_ops);
	ELSE
		RAISE EXCEPTION 'no set-wise path for %', p_cls;
	END IF;
	PERFORM karta_up_op_ids(NULL);
	INSERT INTO op_log(device_id, op_id, digest, kind, outcome, status, message, entity_id,
		row_version, conflict_id, detail, merged)
	SELECT w.device, r.op_id, o.digest, o.kind, r.outcome, r.status, r.message, r.entity_id,
		r.row_version, r.conflict_id, r.detail, r.merged
	FROM unnest(res) r JOIN unnest(p_ops) o ON o.ord = r.ord
	WHERE r.outcome <> 'serial'
	ORDER BY r.ord;
	PERFORM karta_up_stamp(ARRAY(SELECT ROW(r.entity_id, r.row_version, r.op_id)::karta_up_origin
		FROM unnest(res) r WHERE r.outcome = 'applied'
		  AND NOT coalesce(map ? (r.entity_id::text), false)));
	PERFORM set_config('karta.op_id', '', true);
	RETURN res;
END $$;

-- ---- references checked once per statement --------------------------------------------------
-- plan_item: its plan (locked FOR KEY SHARE on insert, as the foreign key did), section,
-- parent item, the item it was derived from, the writing device.
CREATE FUNCTION karta_item_refs() RETURNS trigger LANGUAGE plpgsql AS $$
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
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
			MESSAGE = format('insert or update on table "%s": %s is not present', TG_TABLE_NAME, bad);
	END IF;
	RETURN NULL;
END $$;

-- item_history: its item, device and organization.
CREATE FUNCTION karta_item_history_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	bad text;
BEGIN
	SELECT r.k || ' ' || r.v INTO bad FROM (
		SELECT 'item_id' AS k, n.item_id::text AS v FROM (SELECT DISTINCT item_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM plan_item x WHERE x.id = n.item_id)
		UNION ALL
		SELECT 'device_id', n.device_id::text
		FROM (SELECT DISTINCT device_id FROM new_rows WHERE device_id IS NOT NULL) n
		WHERE NOT EXISTS (SELECT 1 FROM device x WHERE x.id = n.device_id)
		UNION ALL
		SELECT 'org_id', n.org_id::text
		FROM (SELECT DISTINCT org_id FROM new_rows WHERE org_id IS NOT NULL) n
		WHERE NOT EXISTS (SELECT 1 FROM organization x WHERE x.id = n.org_id)) r
	LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
			MESSAGE = format('insert or update on table "%s": %s is not present', TG_TABLE_NAME, bad);
	END IF;
	RETURN NULL;
END $$;

-- op_log: its device.
CREATE FUNCTION karta_op_log_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	bad bigint;
BEGIN
	SELECT n.device_id INTO bad FROM (SELECT DISTINCT device_id FROM new_rows) n
	WHERE NOT EXISTS (SELECT 1 FROM device x WHERE x.id = n.device_id) LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
			MESSAGE = format('insert or update on table "%s": device_id %s is not present',
				TG_TABLE_NAME, bad);
	END IF;
	RETURN NULL;
END $$;

ALTER TABLE plan_item DROP CONSTRAINT plan_item_plan_id_fkey,
	DROP CONSTRAINT plan_item_section_id_fkey, DROP CONSTRAINT plan_item_parent_item_id_fkey,
	DROP CONSTRAINT plan_item_derived_from_fkey, DROP CONSTRAINT plan_item_updated_by_fkey;
ALTER TABLE item_history DROP CONSTRAINT item_history_item_id_fkey,
	DROP CONSTRAINT item_history_device_id_fkey, DROP CONSTRAINT item_history_org_id_fkey;
ALTER TABLE op_log DROP CONSTRAINT op_log_device_id_fkey;
CREATE TRIGGER plan_item_check_refs_insert AFTER INSERT ON plan_item
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_item_refs();
CREATE TRIGGER plan_item_check_refs_update AFTER UPDATE ON plan_item
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_item_refs();
CREATE TRIGGER item_history_check_refs_insert AFTER INSERT ON item_history
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_item_history_refs();
CREATE TRIGGER item_history_check_refs_update AFTER UPDATE ON item_history
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_item_history_refs();
CREATE TRIGGER op_log_check_refs_insert AFTER INSERT ON op_log
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_op_log_refs();
CREATE TRIGGER op_log_check_refs_update AFTER UPDATE ON op_log
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_op_log_refs();
