-- 05_common: helpers of every write function: who the device is (karta_actor) and whether
-- it may write (karta_writer, karta_write_refusal), a uuid argument (karta_uuid_arg), the
-- base-version check (karta_base_conflict, karta_stale), text normalization, the fields an
-- update changed, picking keys of a jsonb; the references checked once per statement and the
-- statement triggers that the domain files make alike. The refusal texts live here once:
-- clients match them and translations key on them, so they change only together with those.

-- The organization, level and role behind an active device (no row if revoked/unknown).
CREATE OR REPLACE FUNCTION karta_actor(p_device bigint)
RETURNS TABLE (org_id bigint, level text, role text) LANGUAGE sql STABLE AS $$
	SELECT o.id, o.level, d.role FROM device d JOIN organization o ON o.id = d.org_id
	WHERE d.id = p_device AND d.status = 'active'
$$;

-- Why an actor may not write, NULL when it may: p_org NULL is an unknown or revoked device
-- (no karta_actor row), a viewer reads only. p_plan: the plan API's wording, which names
-- the reason; every other write says 'this device cannot write'. An expression, inlined
-- into set-wise statements (no call per row).
CREATE OR REPLACE FUNCTION karta_write_refusal(p_org bigint, p_role text, p_plan boolean DEFAULT false)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN p_org IS NULL THEN
			CASE WHEN p_plan THEN 'device is not active' ELSE 'this device cannot write' END
		WHEN p_role = 'viewer' THEN
			CASE WHEN p_plan THEN 'this device is registered as a viewer: it cannot write'
			ELSE 'this device cannot write' END
	END
$$;

-- The actor of a write, once per call: karta_actor's row (NULLs for an unknown or revoked
-- device) and denied, the refusal's message (status 'denied') or NULL when it may write.
CREATE OR REPLACE FUNCTION karta_writer(p_device bigint, p_plan boolean DEFAULT false,
	OUT org_id bigint, OUT level text, OUT role text, OUT denied text) LANGUAGE sql STABLE AS $$
	SELECT a.org_id, a.level, a.role, karta_write_refusal(a.org_id, a.role, p_plan)
	FROM (SELECT) one LEFT JOIN karta_actor(p_device) a ON true
$$;

-- Is t a uuid as the uuid type reads it (32 hex digits, a hyphen allowed after any group of
-- four, optionally in braces)? NULL for NULL. Checked by pattern, not by a cast in an
-- exception block (a subtransaction per call).
CREATE OR REPLACE FUNCTION karta_is_uuid(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT t ~ '^([0-9a-fA-F]{4}(-?[0-9a-fA-F]{4}){7}|\{[0-9a-fA-F]{4}(-?[0-9a-fA-F]{4}){7}\})$'
$$;

-- The uuid argument p_key of a write's arguments; NULL when absent or not a uuid.
CREATE OR REPLACE FUNCTION karta_uuid_arg(a jsonb, p_key text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN karta_is_uuid(a->>p_key) THEN (a->>p_key)::uuid END
$$;

-- The conflict message of a stale write: '<what> changed since version <base> (now <now>)';
-- p_now NULL leaves out the current version (the plan's wording).
CREATE OR REPLACE FUNCTION karta_stale(p_what text, p_base text, p_now bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT format('%s changed since version %s', p_what, p_base)
		|| CASE WHEN p_now IS NOT NULL THEN format(' (now %s)', p_now) ELSE '' END
$$;

-- The base-version check of a write: the conflict message when the client's base (as it
-- wrote it; NULL: not given, last write wins) is not the row's current version p_now, else
-- NULL. A base that is not a whole number fails as the bigint cast does.
CREATE OR REPLACE FUNCTION karta_base_conflict(p_what text, p_base text, p_now bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN p_base::bigint <> p_now THEN karta_stale(p_what, p_base, p_now) END
$$;

CREATE OR REPLACE FUNCTION karta_norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT lower(regexp_replace(btrim(coalesce(t, '')), '\s+', ' ', 'g'))
$$;

-- Fields that differ between two versions of a row (for item_history).
CREATE OR REPLACE FUNCTION karta_changed_fields(p_old jsonb, p_new jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}') FROM jsonb_each(p_new) n
	WHERE n.key NOT IN ('row_version', 'updated_at', 'updated_by', 'created_at')
	  AND n.value IS DISTINCT FROM coalesce(p_old -> n.key, 'null'::jsonb)
$$;

CREATE OR REPLACE FUNCTION karta_jsonb_pick(p jsonb, p_keys text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}') FROM jsonb_each(p) e
	WHERE e.key = ANY(p_keys)
$$;

-- ---- the entity types -----------------------------------------------------------------------
-- Every synced table (an entity type of change_log, the pull and the replica), once: the
-- feed its rows append to (the owner column, or 'plan': the plan's owner), the column naming
-- the device that wrote it, whether it is soft-deleted, whether organizations below read it
-- from an ancestor's feed (shared: the plan of places, never personal data) and, for a
-- registry, the level of the organization that owns its rows. The feed triggers and
-- karta_plan_entity (30_feeds) are made from it; 51_registry's karta_registry_type and
-- karta_registry_level still keep copies, and t_sqlfuncs fails when a copy differs from it
-- (as it does for the client's REPLICA_KINDS).
CREATE OR REPLACE FUNCTION karta_entity_types()
RETURNS TABLE (entity_type text, feed text, device text, soft text, shared boolean, registry_level text)
LANGUAGE sql IMMUTABLE AS $$
	VALUES
		('plan', 'owner_org_id', 'updated_by', '', true, NULL),
		('plan_section', 'plan', '', '', true, NULL),
		('plan_item', 'plan', 'updated_by', 'soft', true, NULL),
		('abbreviation', 'plan', '', '', true, NULL),
		('conflict', 'org_id', 'device_id', '', false, NULL),
		('item_status', 'org_id', 'updated_by', '', false, NULL),
		('report_request', 'receiver_org_id', 'updated_by', '', true, NULL),
		('report_submission', 'org_id', 'updated_by', '', false, NULL),
		('participant', 'org_id', 'updated_by', 'soft', false, 'school'),
		('exam', 'org_id', 'updated_by', 'soft', true, 'region'),
		('exam_registration', 'org_id', 'updated_by', 'soft', false, 'school'),
		('exam_point', 'org_id', 'updated_by', 'soft', true, 'municipality'),
		('auditorium', 'org_id', 'updated_by', 'soft', true, 'municipality'),
		('staff', 'org_id', 'updated_by', 'soft', false, 'municipality'),
		('staff_point', 'org_id', 'updated_by', 'soft', false, 'municipality'),
		('exam_point_assignment', 'org_id', 'updated_by', 'soft', true, NULL),
		('exam_auditorium', 'org_id', 'updated_by', 'soft', true, NULL),
		('distribution', 'org_id', 'updated_by', 'soft', false, NULL),
		('seating', 'org_id', 'updated_by', 'soft', false, NULL),
		('staff_assignment', 'org_id', 'updated_by', 'soft', false, NULL),
		('exam_lock', 'org_id', 'updated_by', 'soft', true, NULL),
		('exam_plan_setting', 'org_id', 'updated_by', 'soft', true, NULL)
$$;

-- The entity types of a kind, in the list's order: 'synced' (all), 'shared', 'registry'.
-- Immutable with a constant argument, so a caller's `p_type = ANY (karta_entity_list('shared'))`
-- is folded to a constant array when planned: as cheap as the IN list it replaces.
CREATE OR REPLACE FUNCTION karta_entity_list(p_kind text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
	SELECT array_agg(t.entity_type ORDER BY t.n)
	FROM karta_entity_types() WITH ORDINALITY t(entity_type, feed, device, soft, shared, registry_level, n)
	WHERE p_kind = 'synced' OR (p_kind = 'shared' AND t.shared)
	   OR (p_kind = 'registry' AND t.registry_level IS NOT NULL)
$$;

-- ---- references checked once per statement --------------------------------------------------
-- The refusal of a statement naming a reference that is not there ("column value"), as a
-- foreign key words it; nothing when every reference is present (p_bad NULL).
CREATE OR REPLACE FUNCTION karta_refs_missing(p_table text, p_bad text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF p_bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
			MESSAGE = format('insert or update on table "%s": %s is not present', p_table, p_bad);
	END IF;
END $$;

-- <p_table>_check_refs_insert and _update: p_fn after each statement that inserts or updates
-- p_table, its rows as new_rows (the references checked once per statement, as above).
CREATE OR REPLACE FUNCTION karta_refs_triggers(p_table text, p_fn text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	ev text;
BEGIN
	FOREACH ev IN ARRAY ARRAY['insert', 'update'] LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING NEW TABLE AS new_rows '
			'FOR EACH STATEMENT EXECUTE FUNCTION %I()', p_table || '_check_refs_' || ev, upper(ev),
			p_table, p_fn);
	END LOOP;
END $$;

-- ---- triggers made alike ---------------------------------------------------------------------
-- The three statement triggers through which a table's changes feed a summary:
-- <p_name>_insert, _update and _delete, AFTER each statement on p_table, calling p_fn with
-- the transition tables p_old and p_new that the event has, enabled ALWAYS (they fire under
-- session_replication_role = replica too). Called by a domain file as it is applied.
CREATE OR REPLACE FUNCTION karta_stmt_triggers(p_table text, p_name text, p_fn text, p_old text, p_new text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS %I '
		'FOR EACH STATEMENT EXECUTE FUNCTION %I()', p_name || '_insert', p_table, p_new, p_fn);
	EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS %I NEW TABLE AS %I '
		'FOR EACH STATEMENT EXECUTE FUNCTION %I()', p_name || '_update', p_table, p_old, p_new, p_fn);
	EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS %I '
		'FOR EACH STATEMENT EXECUTE FUNCTION %I()', p_name || '_delete', p_table, p_old, p_fn);
	EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I, ENABLE ALWAYS TRIGGER %I, '
		'ENABLE ALWAYS TRIGGER %I', p_table, p_name || '_insert', p_name || '_update', p_name || '_delete');
END $$;
