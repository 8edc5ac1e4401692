-- 0010: a registry row's deletion keeps its reason (docs/registries.md «Identity,
-- corrections, deletions»). `karta registry delete KIND ID --reason …`, an import line with
-- «Причина удаления», `import --delete-missing` and an interop row flagged deleted all
-- soft-delete through karta_registry_delete, which now stores a: {"reason": text} in
-- deleted_reason and, for participants and exam points, a: {"ris_deleted": code} (the
-- interop flag) in ris_deleted, so an export hands the deletion back as it came. A row's
-- history is its feed (change_log): every edit and deletion with its payload, device and op.

-- A live row has no deletion reason (a put never sets one).
CREATE FUNCTION karta_registry_live_reason() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.deleted_at IS NULL THEN
		NEW.deleted_reason := '';
	END IF;
	RETURN NEW;
END $$;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['participant', 'exam', 'exam_registration', 'exam_point',
		'auditorium', 'staff', 'staff_point'] LOOP
		EXECUTE format('ALTER TABLE %1$I ADD COLUMN deleted_reason text NOT NULL DEFAULT '''' '
			'CONSTRAINT %2$I CHECK (length(deleted_reason) <= 1000)', t, t || '_deleted_reason_check');
		EXECUTE format('COMMENT ON CONSTRAINT %I ON %I IS %L', t || '_deleted_reason_check', t,
			'reason: at most 1000 characters');
		EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I FOR EACH ROW '
			'EXECUTE FUNCTION karta_registry_live_reason()', t || '_live_reason', t);
	END LOOP;
END $$;

-- As 0008's, plus the reason and the interop flag. a: {"id", "base"?, "reason"?,
-- "ris_deleted"?}. What hangs on the row in the same feed goes with it, its reason naming
-- the row it went with.
CREATE OR REPLACE FUNCTION karta_registry_delete(p_device bigint, p_type text, a jsonb)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	rid uuid;
	base bigint;
	cur jsonb;
	acc text;
	n bigint;
	why text;
	flag smallint;
	dep text;
BEGIN
	IF NOT coalesce(karta_registry_type(p_type), false) THEN
		RETURN QUERY SELECT 'bad', 'unknown registry type (participant, exam, exam_registration, '
			'exam_point, auditorium, staff, staff_point)', NULL::uuid;
		RETURN;
	END IF;
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND OR act.role = 'viewer' THEN
		RETURN QUERY SELECT 'denied', 'this device cannot write', NULL::uuid; RETURN;
	END IF;
	BEGIN
		rid := (a->>'id')::uuid;
		base := coalesce(nullif(a->>'base', ''), '0')::bigint;
		flag := coalesce(nullif(a->>'ris_deleted', ''), '0')::smallint;
	EXCEPTION WHEN OTHERS THEN
		RETURN QUERY SELECT 'bad', 'id must be a uuid, base and ris_deleted whole numbers', NULL::uuid;
		RETURN;
	END;
	why := btrim(regexp_replace(coalesce(a->>'reason', ''), '\s+', ' ', 'g'));
	IF length(why) > 1000 THEN
		RETURN QUERY SELECT 'bad', 'reason: at most 1000 characters', rid; RETURN;
	ELSIF flag <> 0 AND (p_type NOT IN ('participant', 'exam_point')
	                     OR flag NOT IN (1, 2, 4, 5, 6, 7, 10, 11, 12)) THEN
		RETURN QUERY SELECT 'bad', 'ris_deleted: a deleted-row flag of the interop layout '
			'(1, 2, 4, 5, 6, 7, 10, 11, 12), for participants and exam points', rid;
		RETURN;
	END IF;
	EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE t.id = $1 FOR UPDATE', p_type) INTO cur USING rid;
	acc := CASE WHEN cur IS NULL THEN 'none'
		ELSE karta_registry_access(act.org_id, act.level, act.role, p_type, (cur->>'org_id')::bigint) END;
	IF acc = 'none' THEN
		RETURN QUERY SELECT 'not_found', format('no %s %s', p_type, rid), rid; RETURN;
	ELSIF acc <> 'write' THEN
		RETURN QUERY SELECT 'denied', format('no write access to this %s', p_type), rid; RETURN;
	ELSIF cur->>'deleted_at' IS NOT NULL THEN
		RETURN QUERY SELECT 'conflict', format('the %s was deleted', p_type), rid; RETURN;
	ELSIF base <> 0 AND (cur->>'row_version')::bigint <> base THEN
		RETURN QUERY SELECT 'conflict', format('%s changed since version %s (now %s)', p_type,
			base, cur->>'row_version'), rid;
		RETURN;
	END IF;
	IF p_type = 'exam' THEN
		SELECT count(*) INTO n FROM exam_registration r WHERE r.exam_id = rid AND r.deleted_at IS NULL;
		IF n > 0 THEN
			RETURN QUERY SELECT 'precondition',
				format('the exam has %s registrations: they must be deleted first', n), rid;
			RETURN;
		END IF;
	END IF;
	dep := format('вместе с %s %s', p_type, rid);
	-- dependants first, in the same feed (the owner's)
	IF p_type = 'participant' THEN
		UPDATE exam_registration r SET deleted_at = now(), deleted_reason = dep,
			row_version = r.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE r.participant_id = rid AND r.deleted_at IS NULL;
	ELSIF p_type = 'exam_point' THEN
		UPDATE staff_point s SET deleted_at = now(), deleted_reason = dep,
			row_version = s.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE s.point_id = rid AND s.deleted_at IS NULL;
		UPDATE auditorium x SET deleted_at = now(), deleted_reason = dep,
			row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE x.point_id = rid AND x.deleted_at IS NULL;
	ELSIF p_type = 'staff' THEN
		UPDATE staff_point s SET deleted_at = now(), deleted_reason = dep,
			row_version = s.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE s.staff_id = rid AND s.deleted_at IS NULL;
	END IF;
	EXECUTE format('UPDATE %I t SET deleted_at = now(), deleted_reason = $3, row_version = '
		't.row_version + 1, updated_at = now(), updated_by = $2%s WHERE t.id = $1', p_type,
		CASE WHEN flag <> 0 THEN ', ris_deleted = $4' ELSE '' END)
		USING rid, p_device, why, flag;
	RETURN QUERY SELECT 'ok', 'deleted', rid;
END $$;
