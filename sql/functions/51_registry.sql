-- 51_registry: the registries (participants, exams, registrations, exam points,
-- auditoriums, staff): access by organization, put and delete through one path each, row
-- checks, soft deletes with their reason.

CREATE OR REPLACE FUNCTION karta_registry_type(p_type text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT p_type IN ('participant', 'exam', 'exam_registration', 'exam_point', 'auditorium',
		'staff', 'staff_point')
$$;

-- The level of the organization that owns a row of the type.
CREATE OR REPLACE FUNCTION karta_registry_level(p_type text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN p_type IN ('participant', 'exam_registration') THEN 'school'
		WHEN p_type = 'exam' THEN 'region'
		WHEN p_type IN ('exam_point', 'auditorium', 'staff', 'staff_point') THEN 'municipality'
	END
$$;

-- Registry types the organizations below read from an ancestor's feed (the schedule and the
-- places: a school must see where and when its participants sit). Never personal data.
CREATE OR REPLACE FUNCTION karta_registry_shared(p_type text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT p_type IN ('exam', 'exam_point', 'auditorium')
$$;

-- What an organization may do with a registry row of p_type owned by p_owner: write | read |
-- none. Own rows: write. Below: the region writes, a municipality reads its schools'. Above:
-- the shared types (exams, exam points, auditoriums) are read, the rest is invisible — the
-- same rule as the feeds. A viewer device never writes.
CREATE OR REPLACE FUNCTION karta_registry_access(p_org bigint, p_level text, p_role text, p_type text,
	p_owner bigint) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN acc = 'write' AND p_role = 'viewer' THEN 'read' ELSE acc END
	FROM (SELECT CASE karta_org_relation(p_org, p_owner)
		WHEN 'self' THEN 'write'
		WHEN 'below' THEN CASE WHEN p_level = 'region' THEN 'write' ELSE 'read' END
		WHEN 'above' THEN CASE WHEN karta_registry_shared(p_type) THEN 'read' ELSE 'none' END
		ELSE 'none' END AS acc) x
$$;

-- The message of a refused constraint or unique index: its comment (field: rule), or the
-- field its name carries.
CREATE OR REPLACE FUNCTION karta_registry_message(p_table text, p_name text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(
		(SELECT obj_description(c.oid, 'pg_constraint') FROM pg_constraint c
		 WHERE c.conname = p_name AND c.conrelid = to_regclass(p_table)),
		(SELECT obj_description(i.oid, 'pg_class') FROM pg_class i
		 WHERE i.relname = p_name AND i.relkind = 'i'),
		CASE WHEN p_name LIKE p_table || '\_%\_check' THEN
			substr(p_name, length(p_table) + 2, length(p_name) - length(p_table) - 7) || ': invalid value'
		ELSE format('%s: refused by the database (%s)', p_table, p_name) END)
$$;

-- The fields of a write (a) a client may set, type-checked: unknown fields, or a value that
-- is not of the column's type, raise KT002 naming the field. Texts are trimmed, runs of
-- spaces folded; "" is NULL for non-text columns, NULL is "" for text ones. Keys that carry
-- the request (id, base, org …) or that the server owns (org_id, row_version …) are skipped.
CREATE OR REPLACE FUNCTION karta_registry_input(p_type text, a jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	res jsonb := '{}';
	k text;
	v jsonb;
	typ regtype;
	ok boolean := true;
BEGIN
	IF jsonb_typeof(a) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad', MESSAGE = 'the row must be an object';
	END IF;
	FOR k, v IN SELECT e.key, e.value FROM jsonb_each(a) e LOOP
		CONTINUE WHEN k IN ('id', 'base', 'org', 'host_org', 'grad_org', 'workplace_org',
			'unusable', 'fields', 'org_id', 'region_id', 'row_version', 'created_at', 'updated_at',
			'updated_by', 'deleted_at');
		SELECT t.atttypid::regtype INTO typ FROM pg_attribute t
		WHERE t.attrelid = p_type::regclass AND t.attname = k AND t.attnum > 0 AND NOT t.attisdropped;
		IF NOT FOUND THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
				MESSAGE = format('%s is not a field of %s', left(k, 64), p_type);
		END IF;
		IF jsonb_typeof(v) = 'string' THEN
			v := to_jsonb(btrim(regexp_replace(v #>> '{}', '\s+', ' ', 'g')));
			IF v = '""' AND typ <> 'text'::regtype THEN
				v := 'null';
			END IF;
		ELSIF jsonb_typeof(v) = 'array' AND typ = 'text[]'::regtype THEN
			SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(x) = 'string'
				THEN to_jsonb(btrim(regexp_replace(x #>> '{}', '\s+', ' ', 'g'))) ELSE x END), '[]')
			INTO v FROM jsonb_array_elements(v) x;
		END IF;
		IF v = 'null' AND typ = 'text'::regtype THEN
			v := '""';
		END IF;
		res := res || jsonb_build_object(k, v);
	END LOOP;
	-- one cast of the whole row; only a failure looks for the field
	BEGIN
		EXECUTE format('SELECT jsonb_populate_record(NULL::%I, $1) IS NULL', p_type) INTO ok USING res;
	EXCEPTION WHEN OTHERS THEN
		FOR k, v IN SELECT e.key, e.value FROM jsonb_each(res) e LOOP
			BEGIN
				EXECUTE format('SELECT jsonb_populate_record(NULL::%I, $1) IS NULL', p_type)
				INTO ok USING jsonb_build_object(k, v);
			EXCEPTION WHEN OTHERS THEN
				SELECT t.atttypid::regtype INTO typ FROM pg_attribute t
				WHERE t.attrelid = p_type::regclass AND t.attname = k;
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
					MESSAGE = format('%s: must be %s', k, CASE typ
						WHEN 'date'::regtype THEN 'a date YYYY-MM-DD'
						WHEN 'boolean'::regtype THEN 'true or false'
						WHEN 'uuid'::regtype THEN 'a uuid'
						WHEN 'smallint'::regtype THEN 'a whole number'
						WHEN 'integer'::regtype THEN 'a whole number'
						WHEN 'bigint'::regtype THEN 'a whole number'
						WHEN 'integer[]'::regtype THEN 'a list of whole numbers'
						WHEN 'text[]'::regtype THEN 'a list of texts'
						ELSE typ::text END);
			END;
		END LOOP;
		RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad', MESSAGE = 'a field has a value of the wrong type';
	END;
	RETURN res;
END $$;

-- An organization by code (a->>key) or id (a->>key_id); -1 when named but unknown, NULL when
-- not named.
CREATE OR REPLACE FUNCTION karta_registry_org_arg(a jsonb, p_key text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r bigint;
BEGIN
	IF nullif(a->>p_key, '') IS NOT NULL THEN
		SELECT o.id INTO r FROM organization o WHERE o.code = a->>p_key;
		RETURN coalesce(r, -1);
	ELSIF nullif(a->>(p_key || '_id'), '') IS NOT NULL THEN
		SELECT o.id INTO r FROM organization o WHERE o.id::text = a->>(p_key || '_id');
		RETURN coalesce(r, -1);
	END IF;
	RETURN NULL;
END $$;

-- The opening of a registry write (put, or delete: p_delete), its refusals in the order the
-- write makes them: the type; the writer (karta_writer); the id and base (0 when absent) —
-- a put needs the id —, a delete's reason and interop flag (ris_deleted); then the row, locked
-- (cur NULL: there is none), and what its access and version decide. A put with base 0
-- creates: no row goes on, a row with the id is a conflict. Else the row must be there,
-- writable by the actor, not deleted (a put's interop history row, hist, may update a deleted
-- one) and at version base (a delete's base 0 takes any version); an exam deleted has no
-- live registrations.
-- status NULL: go on; else the refusal, with the id to answer it with (id: NULL until the
-- arguments are read).
CREATE OR REPLACE FUNCTION karta_registry_open(p_device bigint, p_type text, a jsonb, p_delete boolean,
	OUT status text, OUT message text, OUT id uuid, OUT rid uuid, OUT base bigint, OUT cur jsonb,
	OUT hist boolean, OUT flag smallint, OUT why text, OUT org_id bigint, OUT level text, OUT role text)
LANGUAGE plpgsql AS $$
DECLARE
	acc text;
	n bigint;
BEGIN
	IF NOT coalesce(karta_registry_type(p_type), false) THEN
		status := 'bad';
		message := 'unknown registry type (participant, exam, exam_registration, '
			'exam_point, auditorium, staff, staff_point)';
		RETURN;
	END IF;
	SELECT w.org_id, w.level, w.role, w.denied INTO org_id, level, role, message FROM karta_writer(p_device) w;
	IF message IS NOT NULL THEN
		status := 'denied';
		RETURN;
	END IF;
	BEGIN
		rid := (a->>'id')::uuid;
		base := coalesce(nullif(a->>'base', ''), '0')::bigint;
		IF p_delete THEN
			flag := coalesce(nullif(a->>'ris_deleted', ''), '0')::smallint;
		END IF;
	EXCEPTION WHEN OTHERS THEN
		status := 'bad';
		message := CASE WHEN p_delete THEN 'id must be a uuid, base and ris_deleted whole numbers'
			ELSE 'id must be a uuid and base a whole number' END;
		rid := NULL;
		RETURN;
	END;
	-- an interop history row (deleted-row flag not 0): a put stores it deleted
	hist := NOT p_delete AND p_type IN ('participant', 'exam_point')
		AND coalesce(a->>'ris_deleted', '') ~ '^0*[1-9][0-9]*$';
	why := CASE WHEN p_delete THEN btrim(regexp_replace(coalesce(a->>'reason', ''), '\s+', ' ', 'g')) END;
	IF rid IS NULL AND NOT p_delete THEN
		status := 'bad'; message := 'id is required';
		RETURN;
	END IF;
	id := rid;
	IF length(why) > 1000 THEN
		status := 'bad'; message := 'reason: at most 1000 characters';
		RETURN;
	ELSIF flag <> 0 AND (p_type NOT IN ('participant', 'exam_point')
	                     OR flag NOT IN (1, 2, 4, 5, 6, 7, 10, 11, 12)) THEN
		status := 'bad';
		message := 'ris_deleted: a deleted-row flag of the interop layout '
			'(1, 2, 4, 5, 6, 7, 10, 11, 12), for participants and exam points';
		RETURN;
	END IF;
	EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE t.id = $1 FOR UPDATE', p_type) INTO cur USING rid;
	acc := CASE WHEN cur IS NOT NULL
		THEN karta_registry_access(org_id, level, role, p_type, (cur->>'org_id')::bigint) END;
	IF cur IS NULL AND NOT p_delete AND base = 0 THEN
		RETURN; -- a new row
	ELSIF cur IS NULL OR acc = 'none' THEN
		status := 'not_found'; message := format('no %s %s', p_type, rid);
	ELSIF NOT p_delete AND base = 0 THEN
		status := 'conflict'; message := format('a %s with this id exists', p_type);
	ELSIF acc <> 'write' THEN
		status := 'denied'; message := format('no write access to this %s', p_type);
	ELSIF cur->>'deleted_at' IS NOT NULL AND NOT hist THEN
		status := 'conflict'; message := format('the %s was deleted', p_type);
	ELSIF (NOT p_delete OR base <> 0) AND (cur->>'row_version')::bigint <> base THEN
		status := 'conflict'; message := karta_stale(p_type, base::text, (cur->>'row_version')::bigint);
	ELSIF p_delete AND p_type = 'exam' THEN
		SELECT count(*) INTO n FROM exam_registration r WHERE r.exam_id = rid AND r.deleted_at IS NULL;
		IF n > 0 THEN
			status := 'precondition';
			message := format('the exam has %s registrations: they must be deleted first', n);
		END IF;
	END IF;
END $$;

-- What a registry row hangs on (ref: a participant, exam, exam point or staff member read by
-- the id the row names): its owner, or KT002 not_found (p_missing) when the actor cannot see
-- it, precondition (p_deleted) when it was deleted.
CREATE OR REPLACE FUNCTION karta_registry_ref_owner(p_org bigint, p_level text, p_role text,
	p_type text, ref jsonb, p_missing text, p_deleted text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
	IF ref IS NULL OR karta_registry_access(p_org, p_level, p_role, p_type, (ref->>'org_id')::bigint) = 'none' THEN
		RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'not_found', MESSAGE = p_missing;
	ELSIF ref->>'deleted_at' IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'precondition', MESSAGE = p_deleted;
	END IF;
	RETURN (ref->>'org_id')::bigint;
END $$;

-- Soft-deletes, as device p_device, what hangs on a registry row of p_type that goes away, in
-- the same feed (the owner's): a participant's registrations, an exam point's staff
-- attachments and auditoriums, a staff member's attachments. p_reason: their deletion
-- reason; NULL keeps the one they have.
CREATE OR REPLACE FUNCTION karta_registry_cascade(p_type text, p_id uuid, p_device bigint, p_reason text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	d record;
BEGIN
	FOR d IN SELECT * FROM (VALUES ('participant', 'exam_registration', 'participant_id'),
		('exam_point', 'staff_point', 'point_id'), ('exam_point', 'auditorium', 'point_id'),
		('staff', 'staff_point', 'staff_id')) x(parent, tbl, col) WHERE x.parent = p_type LOOP
		EXECUTE format('UPDATE %I x SET deleted_at = now(), deleted_reason = coalesce($3, x.deleted_reason), '
			'row_version = x.row_version + 1, updated_at = now(), updated_by = $2 '
			'WHERE x.%I = $1 AND x.deleted_at IS NULL', d.tbl, d.col) USING p_id, p_device, p_reason;
	END LOOP;
END $$;

-- Create (base 0 or absent) or update (base = the row_version the client saw) one registry
-- row. p_type: participant | exam | exam_registration | exam_point | auditorium | staff |
-- staff_point. a: {"id": uuid, "base": n, <column>: value …}; on update, columns not given
-- keep their value. The owner: "org" (code) or "org_id" for participants (a school), exams
-- (the region), exam points and staff (a municipality) — by default the device's own
-- organization, or for an exam its region; registrations, auditoriums and staff attachments
-- take the owner of their participant / exam point. Organizations referred to by code or id:
-- "host_org" (exam point: a school of the municipality), "grad_org" (participant: a school of
-- the region), "workplace_org" (staff: an organization of the region). Auditoriums: "unusable"
-- (a count) marks the last seats unusable when unusable_seats is not given. Participants and
-- exam points: a "ris_deleted" not 0 (an interop history row) stores the row deleted — what
-- hangs on it is deleted with it — and may update a row that is already deleted.
CREATE OR REPLACE FUNCTION karta_registry_put(p_device bigint, p_type text, a jsonb)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	rid uuid;
	cur jsonb;
	owner bigint;
	acc text;
	j jsonb;
	nr jsonb;
	ref jsonb;
	x bigint;
	n int;
	cols text;
	st text;
	msg text;
	con text;
	col text;
	tbl text;
	hist boolean;
	k text;
BEGIN
	act := karta_registry_open(p_device, p_type, a, false);
	IF act.status IS NOT NULL THEN
		RETURN QUERY SELECT act.status, act.message, act.id; RETURN;
	END IF;
	rid := act.rid;
	cur := act.cur;
	hist := act.hist;

	BEGIN
		j := karta_registry_input(p_type, a);
		nr := coalesce(cur, '{}') || j;
		-- the owner
		IF p_type IN ('participant', 'exam', 'exam_point', 'staff') THEN
			owner := karta_registry_org_arg(a, 'org');
			IF owner = -1 THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad', MESSAGE = 'org: no such organization';
			ELSIF cur IS NOT NULL THEN
				IF owner IS NOT NULL AND owner <> (cur->>'org_id')::bigint THEN
					RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
						MESSAGE = format('org: a %s stays with the organization that owns it', p_type);
				END IF;
				owner := (cur->>'org_id')::bigint;
			ELSIF owner IS NULL THEN
				-- the device's organization, or the one above it at the owning level
				SELECT o.id INTO owner FROM organization o
				WHERE o.level = karta_registry_level(p_type)
				  AND (o.id = act.org_id OR karta_org_relation(act.org_id, o.id) = 'above');
				IF owner IS NULL THEN
					RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
						MESSAGE = format('org is required: a %s belongs to a %s', p_type,
							karta_registry_level(p_type));
				END IF;
			END IF;
		ELSIF p_type = 'exam_registration' THEN
			SELECT to_jsonb(p) INTO ref FROM participant p WHERE p.id = (nr->>'participant_id')::uuid;
			owner := karta_registry_ref_owner(act.org_id, act.level, act.role, 'participant', ref,
				format('participant_id: no participant %s', nr->>'participant_id'),
				'participant_id: the participant was deleted');
			IF (ref->>'blocked')::boolean AND (cur IS NULL OR j ? 'exam_id' OR j ? 'participant_id') THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'precondition',
					MESSAGE = 'participant_id: the participant is blocked';
			END IF;
			SELECT to_jsonb(e) INTO ref FROM exam e WHERE e.id = (nr->>'exam_id')::uuid;
			PERFORM karta_registry_ref_owner(act.org_id, act.level, act.role, 'exam', ref,
				format('exam_id: no exam %s', nr->>'exam_id'), 'exam_id: the exam was deleted');
		ELSE -- auditorium, staff_point: the exam point's municipality
			SELECT to_jsonb(p) INTO ref FROM exam_point p WHERE p.id = (nr->>'point_id')::uuid;
			owner := karta_registry_ref_owner(act.org_id, act.level, act.role, 'exam_point', ref,
				format('point_id: no exam point %s', nr->>'point_id'), 'point_id: the exam point was deleted');
			IF p_type = 'staff_point' THEN
				SELECT to_jsonb(s) INTO ref FROM staff s WHERE s.id = (nr->>'staff_id')::uuid;
				PERFORM karta_registry_ref_owner(act.org_id, act.level, act.role, 'staff', ref,
					format('staff_id: no staff member %s', nr->>'staff_id'),
					'staff_id: the staff member was deleted');
			END IF;
		END IF;
		IF cur IS NOT NULL AND owner <> (cur->>'org_id')::bigint THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
				MESSAGE = format('a %s stays with the organization that owns it', p_type);
		END IF;
		acc := karta_registry_access(act.org_id, act.level, act.role, p_type, owner);
		IF acc <> 'write' THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'denied',
				MESSAGE = format('no write access to the %s of organization %s', p_type,
					(SELECT o.code FROM organization o WHERE o.id = owner));
		END IF;

		-- the organization a row refers to: an exam point's host (a school of its municipality),
		-- a participant's graduation school (a school of the region), a staff member's
		-- workplace (an organization of the region); by code (k) or id (k_id), "" clears it
		k := CASE p_type WHEN 'exam_point' THEN 'host_org' WHEN 'participant' THEN 'grad_org'
			WHEN 'staff' THEN 'workplace_org' END;
		x := karta_registry_org_arg(a, k);
		IF x IS NOT NULL THEN
			IF (CASE k
				WHEN 'host_org' THEN NOT EXISTS (SELECT 1 FROM organization o WHERE o.id = x
					AND o.level = 'school' AND o.parent_id = owner)
				WHEN 'grad_org' THEN NOT EXISTS (SELECT 1 FROM organization o WHERE o.id = x
					AND o.level = 'school' AND karta_org_region(o.id) = karta_org_region(owner))
				ELSE x = -1 OR karta_org_region(x) <> karta_org_region(owner) END) THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad', MESSAGE = CASE k
					WHEN 'host_org' THEN 'host_org: must be a school of the exam point''s municipality'
					WHEN 'grad_org' THEN 'grad_org: must be a school of the region'
					ELSE 'workplace_org: must be an organization of the region' END;
			END IF;
			nr := nr || jsonb_build_object(k || '_id', x);
		ELSIF a ? k OR a ? (k || '_id') THEN
			nr := nr || jsonb_build_object(k || '_id', NULL);
		END IF;

		-- stored forms and the rules that need today
		IF p_type IN ('participant', 'staff') THEN
			IF nr ? 'snils' THEN
				nr := nr || jsonb_build_object('snils', regexp_replace(nr->>'snils', '[ -]', '', 'g'));
			END IF;
			IF (nr->>'doc_type') ~ '^[0-9]{1,4}$' THEN
				nr := nr || jsonb_build_object(
					'doc_series', karta_doc_norm((nr->>'doc_type')::smallint, coalesce(nr->>'doc_series', ''), true),
					'doc_number', karta_doc_norm((nr->>'doc_type')::smallint, nr->>'doc_number', false));
			END IF;
			IF (nr->>'birth_date')::date > current_date THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
					MESSAGE = 'birth_date: is in the future';
			END IF;
		END IF;
		IF p_type = 'staff' AND jsonb_typeof(nr->'roles') = 'array' THEN
			-- role codes 1..7 (kt_staff_role) become their words
			SELECT jsonb_agg(CASE WHEN r #>> '{}' ~ '^[1-7]$'
				THEN to_jsonb((karta_staff_roles())[(r #>> '{}')::int]) ELSE r END)
			INTO ref FROM jsonb_array_elements(nr->'roles') r;
			nr := nr || jsonb_build_object('roles', coalesce(ref, '[]'));
		END IF;
		IF p_type = 'auditorium' AND a ? 'unusable' AND NOT a ? 'unusable_seats' THEN
			BEGIN
				n := (a->>'unusable')::int;
			EXCEPTION WHEN OTHERS THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad', MESSAGE = 'unusable: must be a whole number';
			END;
			x := (nr->>'rows')::int * (nr->>'seats_per_row')::int;
			IF n < 0 OR n >= x THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
					MESSAGE = 'unusable: must leave at least one usable seat (rows × seats)';
			END IF;
			nr := nr || jsonb_build_object('unusable_seats',
				(SELECT coalesce(jsonb_agg(s ORDER BY s), '[]') FROM generate_series(x - n + 1, x) s));
		END IF;

		IF p_type = 'exam' AND coalesce(nr->>'gia', '') = '' AND nr->>'form' IN ('1', '2') THEN
			nr := nr || jsonb_build_object('gia', CASE nr->>'form' WHEN '1' THEN 11 ELSE 9 END);
		END IF;
		IF hist THEN -- a history row is deleted (since it first was); what hangs on it goes too
			nr := nr || jsonb_build_object('deleted_at', CASE WHEN cur->>'deleted_at' IS NULL
				THEN to_jsonb(now()) ELSE cur->'deleted_at' END);
			IF cur IS NOT NULL AND cur->>'deleted_at' IS NULL THEN
				PERFORM karta_registry_cascade(p_type, rid, p_device, NULL);
			END IF;
		END IF;
		nr := nr || jsonb_build_object('id', rid, 'org_id', owner, 'updated_at', now(),
			'updated_by', p_device, 'row_version', coalesce((cur->>'row_version')::bigint, 0) + 1);
		IF cur IS NULL THEN
			nr := nr || jsonb_build_object('created_at', now());
			SELECT string_agg(quote_ident(t.attname), ', ' ORDER BY t.attnum) INTO cols
			FROM pg_attribute t
			WHERE t.attrelid = p_type::regclass AND t.attnum > 0 AND NOT t.attisdropped
			  AND nr ? t.attname::text;
			EXECUTE format('INSERT INTO %1$I (%2$s) SELECT %2$s FROM jsonb_populate_record(NULL::%1$I, $1)',
				p_type, cols) USING nr;
			st := 'ok'; msg := 'created';
		ELSE
			SELECT string_agg(quote_ident(t.attname), ', ' ORDER BY t.attnum) INTO cols
			FROM pg_attribute t
			WHERE t.attrelid = p_type::regclass AND t.attnum > 0 AND NOT t.attisdropped
			  AND t.attname NOT IN ('id', 'created_at', 'region_id')
			  AND (t.attname <> 'deleted_at' OR hist);
			EXECUTE format('UPDATE %1$I t SET (%2$s) = (SELECT %2$s FROM jsonb_populate_record(NULL::%1$I, $1)) '
				'WHERE t.id = $2', p_type, cols) USING nr, rid;
			st := 'ok'; msg := 'updated';
		END IF;
	EXCEPTION
		WHEN SQLSTATE 'KT002' THEN
			GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, st = PG_EXCEPTION_DETAIL;
		WHEN unique_violation THEN
			GET STACKED DIAGNOSTICS con = CONSTRAINT_NAME, tbl = TABLE_NAME;
			st := 'conflict'; msg := karta_registry_message(tbl, con);
		WHEN check_violation OR foreign_key_violation THEN
			GET STACKED DIAGNOSTICS con = CONSTRAINT_NAME, tbl = TABLE_NAME;
			st := 'bad'; msg := karta_registry_message(tbl, con);
		WHEN not_null_violation THEN
			GET STACKED DIAGNOSTICS col = COLUMN_NAME;
			st := 'bad'; msg := format('%s is required', col);
		WHEN data_exception THEN
			GET STACKED DIAGNOSTICS con = RETURNED_SQLSTATE;
			st := 'bad'; msg := format('a field has a value out of range (SQLSTATE %s)', con);
	END;
	RETURN QUERY SELECT st, msg, rid;
END $$;

-- As 0008's, plus the reason and the interop flag. a: {"id", "base"?, "reason"?,
-- "ris_deleted"?}. What hangs on the row in the same feed goes with it, its reason naming
-- the row it went with.
CREATE OR REPLACE FUNCTION karta_registry_delete(p_device bigint, p_type text, a jsonb)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
DECLARE
	o record;
BEGIN
	SELECT * INTO o FROM karta_registry_open(p_device, p_type, a, true);
	IF o.status IS NOT NULL THEN
		RETURN QUERY SELECT o.status, o.message, o.id; RETURN;
	END IF;
	-- dependants first, in the same feed (the owner's)
	PERFORM karta_registry_cascade(p_type, o.rid, p_device, format('вместе с %s %s', p_type, o.rid));
	EXECUTE format('UPDATE %I t SET deleted_at = now(), deleted_reason = $3, row_version = '
		't.row_version + 1, updated_at = now(), updated_by = $2%s WHERE t.id = $1', p_type,
		CASE WHEN o.flag <> 0 THEN ', ris_deleted = $4' ELSE '' END)
		USING o.rid, p_device, o.why, o.flag;
	RETURN QUERY SELECT 'ok', 'deleted', o.rid;
END $$;

-- ---- uploads: registry writes are RecordOps (op_kind, 0007) ------------------------------
-- a: {"type": <table>, "id", "base"?, <column>: value …}. The version returned is the row's
-- after the write.
CREATE OR REPLACE FUNCTION karta_registry_version(p_type text, p_id uuid) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v bigint;
BEGIN
	IF p_type NOT IN ('participant', 'exam', 'exam_registration', 'exam_point', 'auditorium',
	                  'staff', 'staff_point') THEN
		RETURN NULL;
	END IF;
	EXECUTE format('SELECT row_version FROM %I WHERE id = $1', p_type) INTO v USING p_id;
	RETURN v;
END $$;

-- 0008's registry op functions read the row's version in the statement that wrote it, under
-- that statement's snapshot: a created row answered no version, an edited or deleted one its
-- version before the write. Read after the write, both paths answer the version written.
CREATE OR REPLACE FUNCTION karta_registry_op(p_device bigint, a jsonb, p_delete boolean)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	IF p_delete THEN
		SELECT * INTO r FROM karta_registry_delete(p_device, a->>'type', a - 'type') x;
	ELSE
		SELECT * INTO r FROM karta_registry_put(p_device, a->>'type', a - 'type') x;
	END IF;
	RETURN QUERY SELECT r.status, r.message, r.id,
		CASE WHEN r.status = 'ok' THEN karta_registry_version(a->>'type', r.id) END;
END $$;

-- The op kinds registry_put (here) and registry_delete (at the end): 90_op_kinds.
CREATE OR REPLACE FUNCTION karta_registry_put_op(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT * FROM karta_registry_op(p_device, a, false)
$$;

-- A registry row's changes, from its feed (change_log; the feed is the row's owner's), for a
-- device that may read the row (the table registry_history): p_type its type, a {"id": …};
-- the fields by name, never their values (docs/registries.md «Corrections»). not_found when
-- the device may read no change of it.
CREATE OR REPLACE FUNCTION karta_registry_history(p_device bigint, p_type text, a jsonb)
RETURNS TABLE (status text, message text, changed_at text, op text, version text, fields text,
	org text, device text, reason text) LANGUAGE sql STABLE AS $$
	WITH w AS (SELECT * FROM karta_actor(p_device)),
	i AS (SELECT CASE WHEN a->>'id' ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
		THEN (a->>'id')::uuid END AS id),
	c AS (SELECT c.* FROM change_log c, i WHERE c.entity_id = i.id AND c.entity_type = p_type
		AND coalesce(karta_registry_type(p_type), false)),
	ok AS (SELECT bool_or(karta_registry_access(w.org_id, w.level, w.role, p_type, c.feed_id)
		<> 'none') AS r FROM w, c)
	SELECT x.status, x.message, x.changed_at, x.op, x.version, x.fields, x.org, x.device, x.reason
	FROM (
		SELECT 'ok'::text AS status, ''::text AS message,
			to_char(c.committed_at, 'YYYY-MM-DD"T"HH24:MI:SSOF') AS changed_at, c.op,
			c.row_version::text AS version, coalesce((SELECT string_agg(f, ', ' ORDER BY f)
				FROM unnest(c.changed_fields) f WHERE f NOT IN ('row_version', 'updated_at',
				'updated_by', 'deleted_at', 'deleted_reason')), '') AS fields,
			coalesce(o.code, '') AS org, coalesce(d.label, d.id::text, '') AS device,
			CASE WHEN c.op = 'delete' THEN coalesce(c.payload->>'deleted_reason', '') ELSE '' END
				AS reason, c.committed_at AS t0, c.seq AS s0
		FROM c LEFT JOIN device d ON d.id = c.origin_device
		LEFT JOIN organization o ON o.id = d.org_id WHERE (SELECT r FROM ok)
		UNION ALL SELECT 'not_found', format('no %s %s', p_type, a->>'id'),
			NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
		WHERE NOT coalesce((SELECT r FROM ok), false)) x
	ORDER BY x.t0, x.s0
$$;

-- The op kind for the one-by-one path (karta_upload_serial): the same rows, the same writes.
CREATE OR REPLACE FUNCTION karta_registry_rows_op(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
DECLARE
	w karta_up_actor;
	res karta_up_res[];
BEGIN
	SELECT p_device, x.org_id, x.level, x.role INTO w FROM karta_actor(p_device) x;
	w.device := p_device;
	IF karta_write_refusal(w.org_id, w.role) IS NOT NULL THEN
		RETURN QUERY SELECT 'denied', karta_write_refusal(w.org_id, w.role), NULL::uuid, NULL::bigint;
		RETURN;
	END IF;
	res := karta_rows_apply(w, nullif(current_setting('karta.op_id', true), '')::uuid, a->'rows');
	RETURN QUERY SELECT 'ok', format('%s rows: %s refused', cardinality(res),
		(SELECT count(*) FROM unnest(res) r WHERE r.outcome <> 'applied')), NULL::uuid, NULL::bigint;
END $$;

-- The op kind registry_delete (90_op_kinds), as registry_put above.
CREATE OR REPLACE FUNCTION karta_registry_delete_op(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT * FROM karta_registry_op(p_device, a, true)
$$;
