-- 0009: exam planning (domain.md §6 "Planning",
-- "Control reports"). Exam points assigned to an exam (seats reserved), auditoriums assigned
-- (exam room or preparation room of an oral exam), participants distributed to points and
-- seated (auditorium, row, seat), staff assigned, the planning of an exam locked; control
-- reports К-02, К-03, К-06, К-09 and duplicates.
--
-- Owners and feeds (karta_feed_registry of 0008: entity type = table name, feed = org_id):
--   exam_point_assignment, exam_auditorium   the point's municipality   shared downwards
--   distribution, seating, staff_assignment  the point's municipality   personal: never shared
--   exam_lock, exam_plan_setting             the region (the exam's)     shared downwards
-- A distribution to a point of another municipality is a new row in that municipality's
-- feed (owners never change): the old row is soft-deleted.
--
-- Every planning step is a write through op_kind (status, message, id, version) and is
-- audited twice: each row change is in change_log with its device (and op id when uploaded),
-- and each step leaves one planning_audit row (exam, step, device, summary).
--
-- Who plans: the region everything of its region; a municipality its own points only (the
-- participants of its schools to its points, seats and staff at its points); schools and
-- viewer devices nothing. Lock and settings: the region only.

-- ---- tables -------------------------------------------------------------------------------

CREATE TABLE exam_point_assignment (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id      bigint NOT NULL REFERENCES organization(id), -- the point's municipality
	exam_id     uuid NOT NULL REFERENCES exam(id),
	point_id    uuid NOT NULL REFERENCES exam_point(id),
	seats       int CONSTRAINT exam_point_assignment_seats_check CHECK (seats BETWEEN 1 AND 5000),
	                                          -- reserved for the exam; NULL: the assigned rooms' seats
	row_version bigint NOT NULL DEFAULT 1,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	updated_by  bigint REFERENCES device(id),
	deleted_at  timestamptz
);
CREATE UNIQUE INDEX exam_point_assignment_unique ON exam_point_assignment(exam_id, point_id)
	WHERE deleted_at IS NULL;

CREATE TABLE exam_auditorium (
	id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id        bigint NOT NULL REFERENCES organization(id),
	exam_id       uuid NOT NULL REFERENCES exam(id),
	point_id      uuid NOT NULL REFERENCES exam_point(id),
	auditorium_id uuid NOT NULL REFERENCES auditorium(id),
	role          text NOT NULL DEFAULT 'exam'
		CONSTRAINT exam_auditorium_role_check CHECK (role IN ('exam', 'preparation')),
	row_version   bigint NOT NULL DEFAULT 1,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	updated_by    bigint REFERENCES device(id),
	deleted_at    timestamptz
);
CREATE UNIQUE INDEX exam_auditorium_unique ON exam_auditorium(exam_id, auditorium_id)
	WHERE deleted_at IS NULL;

CREATE TABLE distribution (
	id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id         bigint NOT NULL REFERENCES organization(id),
	exam_id        uuid NOT NULL REFERENCES exam(id),
	participant_id uuid NOT NULL REFERENCES participant(id),
	point_id       uuid NOT NULL REFERENCES exam_point(id),
	manual         boolean NOT NULL DEFAULT false,
	row_version    bigint NOT NULL DEFAULT 1,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	updated_by     bigint REFERENCES device(id),
	deleted_at     timestamptz
);
CREATE UNIQUE INDEX distribution_unique ON distribution(exam_id, participant_id) WHERE deleted_at IS NULL;
CREATE INDEX distribution_point ON distribution(exam_id, point_id) WHERE deleted_at IS NULL;

CREATE TABLE seating (
	id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id         bigint NOT NULL REFERENCES organization(id),
	exam_id        uuid NOT NULL REFERENCES exam(id),
	participant_id uuid NOT NULL REFERENCES participant(id),
	point_id       uuid NOT NULL REFERENCES exam_point(id),
	auditorium_id  uuid NOT NULL REFERENCES auditorium(id),
	seat_row       smallint NOT NULL CHECK (seat_row BETWEEN 1 AND 50),
	seat           smallint NOT NULL CHECK (seat BETWEEN 1 AND 50),
	manual         boolean NOT NULL DEFAULT false,
	row_version    bigint NOT NULL DEFAULT 1,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	updated_by     bigint REFERENCES device(id),
	deleted_at     timestamptz
);
CREATE UNIQUE INDEX seating_unique ON seating(exam_id, participant_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX seating_seat_unique ON seating(exam_id, auditorium_id, seat_row, seat)
	WHERE deleted_at IS NULL;
COMMENT ON INDEX seating_seat_unique IS 'seat: the seat is taken';

CREATE TABLE staff_assignment (
	id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id        bigint NOT NULL REFERENCES organization(id),
	exam_id       uuid NOT NULL REFERENCES exam(id),
	point_id      uuid NOT NULL REFERENCES exam_point(id),
	staff_id      uuid NOT NULL REFERENCES staff(id),
	role          text NOT NULL CONSTRAINT staff_assignment_role_check CHECK (role = ANY (karta_staff_roles())),
	auditorium_id uuid REFERENCES auditorium(id),
	row_version   bigint NOT NULL DEFAULT 1,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	updated_by    bigint REFERENCES device(id),
	deleted_at    timestamptz,
	CONSTRAINT staff_assignment_auditorium_check CHECK ((role = 'organizer_in') = (auditorium_id IS NOT NULL))
);
CREATE UNIQUE INDEX staff_assignment_unique ON staff_assignment(exam_id, staff_id) WHERE deleted_at IS NULL;
COMMENT ON INDEX staff_assignment_unique IS 'staff_id: the staff member already works this exam';
COMMENT ON CONSTRAINT staff_assignment_auditorium_check ON staff_assignment IS
	'auditorium_id: required for an organizer in an auditorium, and only for one';

-- id = the exam's id: one row per exam, in the region's feed.
CREATE TABLE exam_lock (
	id          uuid PRIMARY KEY REFERENCES exam(id),
	org_id      bigint NOT NULL REFERENCES organization(id),
	locked      boolean NOT NULL,
	reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
	row_version bigint NOT NULL DEFAULT 1,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	updated_by  bigint REFERENCES device(id),
	deleted_at  timestamptz
);

-- Per-exam planning settings (the region's): organizers needed per exam room, whether
-- participants may be distributed to points of another municipality.
CREATE TABLE exam_plan_setting (
	id                         uuid PRIMARY KEY REFERENCES exam(id),
	org_id                     bigint NOT NULL REFERENCES organization(id),
	organizers_per_auditorium  smallint NOT NULL DEFAULT 2 CHECK (organizers_per_auditorium BETWEEN 0 AND 10),
	cross_municipal            boolean NOT NULL DEFAULT false,
	row_version                bigint NOT NULL DEFAULT 1,
	created_at                 timestamptz NOT NULL DEFAULT now(),
	updated_at                 timestamptz NOT NULL DEFAULT now(),
	updated_by                 bigint REFERENCES device(id),
	deleted_at                 timestamptz
);

-- One row per planning step (not synced): who ran what on which exam, and the outcome.
CREATE TABLE planning_audit (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	exam_id   uuid NOT NULL,
	step      text NOT NULL,
	device_id bigint,
	org_id    bigint,
	status    text NOT NULL,
	summary   text NOT NULL,
	at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX planning_audit_exam ON planning_audit(exam_id, id);

-- ---- feeds --------------------------------------------------------------------------------
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['exam_point_assignment', 'exam_auditorium', 'distribution', 'seating',
		'staff_assignment', 'exam_lock', 'exam_plan_setting'] LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I FOR EACH ROW '
			'EXECUTE FUNCTION karta_feed_registry()', t || '_feed_insert', t);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I FOR EACH ROW '
			'WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION karta_feed_registry()',
			t || '_feed_update', t);
	END LOOP;
END $$;

-- Shared downwards: the plan of places and the lock; never distribution, seating, staff.
CREATE OR REPLACE FUNCTION karta_plan_entity(p_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_type IN ('plan', 'plan_section', 'plan_item', 'abbreviation', 'report_request',
		'exam', 'exam_point', 'auditorium', 'exam_point_assignment', 'exam_auditorium',
		'exam_lock', 'exam_plan_setting')
$$;

CREATE VIEW karta_feed_rows_planning AS
	SELECT x.org_id, 'exam_point_assignment'::text AS entity_type, x.id AS entity_id, x.row_version,
		to_jsonb(x) AS payload FROM exam_point_assignment x
	UNION ALL SELECT x.org_id, 'exam_auditorium', x.id, x.row_version, to_jsonb(x) FROM exam_auditorium x
	UNION ALL SELECT x.org_id, 'distribution', x.id, x.row_version, to_jsonb(x) FROM distribution x
	UNION ALL SELECT x.org_id, 'seating', x.id, x.row_version, to_jsonb(x) FROM seating x
	UNION ALL SELECT x.org_id, 'staff_assignment', x.id, x.row_version, to_jsonb(x) FROM staff_assignment x
	UNION ALL SELECT x.org_id, 'exam_lock', x.id, x.row_version, to_jsonb(x) FROM exam_lock x
	UNION ALL SELECT x.org_id, 'exam_plan_setting', x.id, x.row_version, to_jsonb(x) FROM exam_plan_setting x;
CREATE OR REPLACE VIEW karta_feed_rows AS
	SELECT * FROM karta_feed_rows_plans UNION ALL SELECT * FROM karta_feed_rows_reports
	UNION ALL SELECT * FROM karta_feed_rows_registries UNION ALL SELECT * FROM karta_feed_rows_planning;

-- ---- helpers ------------------------------------------------------------------------------

-- Usable seats of an auditorium.
CREATE FUNCTION karta_aud_capacity(a auditorium) RETURNS int LANGUAGE sql IMMUTABLE AS $$
	SELECT a.rows * a.seats_per_row - cardinality(a.unusable_seats)
$$;

-- The context of a planning write: the actor, the exam, refusals. status NULL: go on.
-- p_region_only: lock, unlock, settings. p_ignore_lock: unlock.
CREATE FUNCTION karta_plan_ctx(p_device bigint, a jsonb, p_region_only boolean, p_ignore_lock boolean,
	p_read boolean DEFAULT false, OUT status text, OUT message text, OUT org_id bigint, OUT level text, OUT region_id bigint,
	OUT exam_id uuid, OUT exam_date date, OUT subject text) LANGUAGE plpgsql STABLE AS $$
DECLARE
	act record;
	e exam;
	l exam_lock;
BEGIN
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND OR (act.role = 'viewer' AND NOT p_read) THEN
		status := 'denied'; message := 'this device cannot write'; RETURN;
	END IF;
	org_id := act.org_id; level := act.level; region_id := karta_org_region(act.org_id);
	IF act.level = 'school' OR (p_region_only AND act.level <> 'region') THEN
		status := 'denied';
		message := CASE WHEN p_region_only THEN 'only the region may do this'
			ELSE 'a school does not plan exams' END;
		RETURN;
	END IF;
	BEGIN
		exam_id := (a->>'exam_id')::uuid;
	EXCEPTION WHEN OTHERS THEN
		status := 'bad'; message := 'exam_id: must be a uuid'; RETURN;
	END;
	SELECT * INTO e FROM exam x WHERE x.id = exam_id AND x.org_id = region_id;
	IF e.id IS NULL THEN
		status := 'not_found'; message := 'exam_id: no such exam'; RETURN;
	ELSIF e.deleted_at IS NOT NULL THEN
		status := 'precondition'; message := 'exam_id: the exam was deleted'; RETURN;
	END IF;
	exam_date := e.exam_date; subject := e.subject_name;
	SELECT * INTO l FROM exam_lock x WHERE x.id = exam_id;
	IF NOT p_ignore_lock AND coalesce(l.locked, false) THEN
		status := 'precondition';
		message := 'the exam''s planning is locked by the region' ||
			CASE WHEN l.reason <> '' THEN ' (' || l.reason || ')' ELSE '' END || ': it must be unlocked first';
	END IF;
END $$;

-- Is an exam point in the planning scope of an organization (region: its region's points;
-- municipality: its own)?
CREATE FUNCTION karta_plan_scope(p_org bigint, p_level text, p_point exam_point) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT CASE p_level WHEN 'region' THEN p_point.region_id = p_org
		WHEN 'municipality' THEN p_point.org_id = p_org ELSE false END
$$;

CREATE FUNCTION karta_plan_audit(p_exam uuid, p_step text, p_device bigint, p_status text, p_summary text)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO planning_audit(exam_id, step, device_id, org_id, status, summary)
	SELECT p_exam, p_step, p_device, (SELECT d.org_id FROM device d WHERE d.id = p_device), p_status, p_summary
$$;

-- ---- points and auditoriums of an exam ----------------------------------------------------
-- a: {exam_id, point_id, seats?: reserved seats, delete?: true}. Deleting an assignment
-- drops the auditoriums, distributions, seats and staff of the exam at that point.
CREATE FUNCTION karta_exam_point_assign(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	pt exam_point;
	cur exam_point_assignment;
	n int;
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NULL THEN
		SELECT * INTO pt FROM exam_point x WHERE x.id = (a->>'point_id')::uuid AND x.deleted_at IS NULL;
		IF pt.id IS NULL OR NOT karta_plan_scope(c.org_id, c.level, pt) THEN
			c.status := 'not_found'; c.message := 'point_id: no exam point of yours';
		END IF;
	END IF;
	IF c.status IS NULL AND a ? 'seats' AND a->>'seats' IS NOT NULL
	   AND NOT (a->>'seats' ~ '^[0-9]{1,4}$' AND (a->>'seats')::int BETWEEN 1 AND 5000) THEN
		c.status := 'bad'; c.message := 'seats: must be 1 to 5000';
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM exam_point_assignment x
	WHERE x.exam_id = c.exam_id AND x.point_id = pt.id AND x.deleted_at IS NULL FOR UPDATE;
	IF coalesce((a->>'delete')::boolean, false) THEN
		IF cur.id IS NULL THEN
			RETURN QUERY SELECT 'not_found', 'the point is not assigned to the exam', NULL::uuid, NULL::bigint; RETURN;
		END IF;
		UPDATE seating x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE x.exam_id = c.exam_id AND x.point_id = pt.id AND x.deleted_at IS NULL;
		UPDATE distribution x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE x.exam_id = c.exam_id AND x.point_id = pt.id AND x.deleted_at IS NULL;
		UPDATE staff_assignment x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE x.exam_id = c.exam_id AND x.point_id = pt.id AND x.deleted_at IS NULL;
		UPDATE exam_auditorium x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE x.exam_id = c.exam_id AND x.point_id = pt.id AND x.deleted_at IS NULL;
		UPDATE exam_point_assignment x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(),
			updated_by = p_device WHERE x.id = cur.id;
		PERFORM karta_plan_audit(c.exam_id, 'point_unassign', p_device, 'ok', pt.code);
		RETURN QUERY SELECT 'ok', 'unassigned', cur.id, cur.row_version + 1; RETURN;
	END IF;
	IF cur.id IS NULL THEN
		INSERT INTO exam_point_assignment(org_id, exam_id, point_id, seats, updated_by)
		VALUES (pt.org_id, c.exam_id, pt.id, (a->>'seats')::int, p_device) RETURNING * INTO cur;
	ELSE
		UPDATE exam_point_assignment x SET seats = (a->>'seats')::int, row_version = x.row_version + 1,
			updated_at = now(), updated_by = p_device
		WHERE x.id = cur.id AND x.seats IS DISTINCT FROM (a->>'seats')::int RETURNING * INTO cur;
		IF NOT FOUND THEN
			SELECT * INTO cur FROM exam_point_assignment x WHERE x.exam_id = c.exam_id AND x.point_id = pt.id
			AND x.deleted_at IS NULL;
		END IF;
	END IF;
	PERFORM karta_plan_audit(c.exam_id, 'point_assign', p_device, 'ok', pt.code || ' seats ' || coalesce(cur.seats::text, '-'));
	RETURN QUERY SELECT 'ok', 'assigned', cur.id, cur.row_version;
END $$;

-- a: {exam_id, auditorium_id, role?: exam|preparation, delete?: true}. The auditorium's
-- point must be assigned to the exam.
CREATE FUNCTION karta_exam_auditorium_assign(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	au auditorium;
	pt exam_point;
	cur exam_auditorium;
	r text := coalesce(a->>'role', 'exam');
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NULL THEN
		SELECT * INTO au FROM auditorium x WHERE x.id = (a->>'auditorium_id')::uuid AND x.deleted_at IS NULL;
		SELECT * INTO pt FROM exam_point x WHERE x.id = au.point_id;
		IF au.id IS NULL OR NOT karta_plan_scope(c.org_id, c.level, pt) THEN
			c.status := 'not_found'; c.message := 'auditorium_id: no auditorium of yours';
		ELSIF NOT EXISTS (SELECT 1 FROM exam_point_assignment x WHERE x.exam_id = c.exam_id
		                  AND x.point_id = pt.id AND x.deleted_at IS NULL) THEN
			c.status := 'precondition'; c.message := 'auditorium_id: its exam point is not assigned to the exam';
		ELSIF r NOT IN ('exam', 'preparation') THEN
			c.status := 'bad'; c.message := 'role: must be exam or preparation';
		END IF;
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM exam_auditorium x
	WHERE x.exam_id = c.exam_id AND x.auditorium_id = au.id AND x.deleted_at IS NULL FOR UPDATE;
	IF coalesce((a->>'delete')::boolean, false) OR (cur.id IS NOT NULL AND cur.role <> r) THEN
		IF cur.id IS NULL THEN
			RETURN QUERY SELECT 'not_found', 'the auditorium is not assigned to the exam', NULL::uuid, NULL::bigint;
			RETURN;
		END IF;
		UPDATE seating x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE x.exam_id = c.exam_id AND x.auditorium_id = au.id AND x.deleted_at IS NULL;
		UPDATE staff_assignment x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE x.exam_id = c.exam_id AND x.auditorium_id = au.id AND x.deleted_at IS NULL;
		IF coalesce((a->>'delete')::boolean, false) THEN
			UPDATE exam_auditorium x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(),
				updated_by = p_device WHERE x.id = cur.id;
			PERFORM karta_plan_audit(c.exam_id, 'auditorium_unassign', p_device, 'ok', pt.code || '/' || au.code);
			RETURN QUERY SELECT 'ok', 'unassigned', cur.id, cur.row_version + 1; RETURN;
		END IF;
		UPDATE exam_auditorium x SET role = r, row_version = x.row_version + 1, updated_at = now(),
			updated_by = p_device WHERE x.id = cur.id RETURNING * INTO cur;
	ELSIF cur.id IS NULL THEN
		INSERT INTO exam_auditorium(org_id, exam_id, point_id, auditorium_id, role, updated_by)
		VALUES (au.org_id, c.exam_id, pt.id, au.id, r, p_device) RETURNING * INTO cur;
	END IF;
	PERFORM karta_plan_audit(c.exam_id, 'auditorium_assign', p_device, 'ok', pt.code || '/' || au.code || ' ' || r);
	RETURN QUERY SELECT 'ok', 'assigned', cur.id, cur.row_version;
END $$;

-- a: {exam_id, organizers_per_auditorium?, cross_municipal?} (the region).
CREATE FUNCTION karta_exam_settings(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	cur exam_plan_setting;
BEGIN
	c := karta_plan_ctx(p_device, a, true, false);
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	BEGIN
		INSERT INTO exam_plan_setting AS x (id, org_id, organizers_per_auditorium, cross_municipal, updated_by)
		VALUES (c.exam_id, c.region_id, coalesce((a->>'organizers_per_auditorium')::smallint, 2),
			coalesce((a->>'cross_municipal')::boolean, false), p_device)
		ON CONFLICT ON CONSTRAINT exam_plan_setting_pkey DO UPDATE SET
			organizers_per_auditorium = coalesce((a->>'organizers_per_auditorium')::smallint, x.organizers_per_auditorium),
			cross_municipal = coalesce((a->>'cross_municipal')::boolean, x.cross_municipal),
			row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
		RETURNING * INTO cur;
	EXCEPTION WHEN data_exception OR check_violation THEN
		RETURN QUERY SELECT 'bad', 'organizers_per_auditorium: 0 to 10; cross_municipal: true or false',
			NULL::uuid, NULL::bigint;
		RETURN;
	END;
	PERFORM karta_plan_audit(c.exam_id, 'settings', p_device, 'ok',
		format('organizers %s cross %s', cur.organizers_per_auditorium, cur.cross_municipal));
	RETURN QUERY SELECT 'ok', 'saved', cur.id, cur.row_version;
END $$;

-- ---- distribution -------------------------------------------------------------------------
-- a: {exam_id, dry_run?: true, cross_municipal?: true (the region; default: the exam's
-- setting)}. Recomputes every automatic distribution in the actor's scope:
--   participants: live registrations of live, unblocked participants of the actor's schools
--     (region: all), except those with a manual distribution or one to a point outside the
--     scope (those are kept and take their seats);
--   points: the exam's assigned points in scope; a point takes coalesce(reserved seats,
--     usable seats of its assigned exam rooms) participants in all, ОВЗ ones only up to the
--     usable seats of its assigned adapted exam rooms;
--   order: participants by (school code, surname, name, patronymic, birth date, id), points
--     by code; each step fills points in order (cumulative ranges, no loop):
--     1. ОВЗ to points of their municipality, 2. the others to points of their municipality,
--     3. (cross-municipal allowed) ОВЗ left to any point, 4. the others left to any point.
-- A changed point is a soft delete and a new row (owner = the new point's municipality);
-- unchanged rows are not touched. Rows of participants no longer registered go.
-- First row: the summary; with dry_run (nothing written) one row per change follows:
-- status 'add' | 'remove', message the point's code, id the participant.
CREATE FUNCTION karta_exam_distribute(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	cross_ok boolean;
	dry boolean := coalesce((a->>'dry_run')::boolean, false);
	n_dist int; n_undist int; n_undist_ovz int; n_same int; n_add int; n_del int; n_kept int;
	st int;
	summary text;
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	cross_ok := c.level = 'region' AND coalesce((a->>'cross_municipal')::boolean,
		(SELECT s.cross_municipal FROM exam_plan_setting s WHERE s.id = c.exam_id), false);
	PERFORM 1 FROM exam_lock x WHERE x.id = c.exam_id FOR SHARE; -- a concurrent lock waits for us

	SET LOCAL client_min_messages = warning;
	DROP TABLE IF EXISTS _kpt, _kp;
	-- points in scope with their capacity left (the rooms summed once for all points, not
	-- per point: exam_auditorium has no index by point)
	CREATE TEMP TABLE _kpt ON COMMIT DROP AS
	SELECT pa.point_id, pt.org_id AS mun_id, pt.code,
		coalesce(pa.seats, ea.cap, 0) AS cap, coalesce(ea.ovz_cap, 0) AS ovz_cap, 0 AS cap_left, 0 AS ovz_left
	FROM exam_point_assignment pa JOIN exam_point pt ON pt.id = pa.point_id
	LEFT JOIN (SELECT x.point_id, sum(karta_aud_capacity(au))::int AS cap,
		sum(karta_aud_capacity(au)) FILTER (WHERE au.ovz_adapted)::int AS ovz_cap
		FROM exam_auditorium x JOIN auditorium au ON au.id = x.auditorium_id AND au.deleted_at IS NULL
		WHERE x.exam_id = c.exam_id AND x.role = 'exam' AND x.deleted_at IS NULL
		GROUP BY x.point_id) ea ON ea.point_id = pa.point_id
	WHERE pa.exam_id = c.exam_id AND pa.deleted_at IS NULL AND pt.deleted_at IS NULL
	  AND karta_plan_scope(c.org_id, c.level, pt);

	-- participants to distribute
	CREATE TEMP TABLE _kp ON COMMIT DROP AS
	SELECT p.id AS participant_id, p.ovz, s.parent_id AS mun_id,
		row_number() OVER (ORDER BY s.code COLLATE "C", p.surname COLLATE "C", p.name COLLATE "C",
			p.patronymic COLLATE "C", p.birth_date, p.id) AS ord,
		NULL::uuid AS point_id, 0 AS stp
	FROM exam_registration r
	JOIN participant p ON p.id = r.participant_id AND p.deleted_at IS NULL AND NOT p.blocked
	JOIN organization s ON s.id = p.org_id
	WHERE r.exam_id = c.exam_id AND r.deleted_at IS NULL
	  AND (c.level = 'region' AND karta_org_region(s.id) = c.org_id OR s.parent_id = c.org_id)
	  AND NOT EXISTS (SELECT 1 FROM distribution d JOIN exam_point x ON x.id = d.point_id
		WHERE d.exam_id = c.exam_id AND d.participant_id = p.id AND d.deleted_at IS NULL
		  AND (d.manual OR NOT karta_plan_scope(c.org_id, c.level, x)));
	CREATE INDEX ON _kp(participant_id);

	-- seats taken by kept rows (manual, or participants outside this run)
	UPDATE _kpt t SET cap_left = greatest(t.cap - k.n, 0), ovz_left = greatest(least(t.ovz_cap - k.n_ovz, t.cap - k.n), 0)
	FROM (SELECT t2.point_id, count(d.id)::int AS n, (count(d.id) FILTER (WHERE p.ovz))::int AS n_ovz
		FROM _kpt t2 LEFT JOIN distribution d ON d.exam_id = c.exam_id AND d.point_id = t2.point_id
			AND d.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM _kp WHERE _kp.participant_id = d.participant_id)
			AND EXISTS (SELECT 1 FROM exam_registration r WHERE r.exam_id = c.exam_id
				AND r.participant_id = d.participant_id AND r.deleted_at IS NULL)
		LEFT JOIN participant p ON p.id = d.participant_id
		GROUP BY t2.point_id) k
	WHERE k.point_id = t.point_id;

	FOR st IN 1..4 LOOP -- four set operations, not a loop over participants
		CONTINUE WHEN st > 2 AND NOT cross_ok;
		WITH need AS (
			SELECT k.participant_id, CASE WHEN st <= 2 THEN k.mun_id ELSE 0 END AS g,
				row_number() OVER (PARTITION BY CASE WHEN st <= 2 THEN k.mun_id ELSE 0 END ORDER BY k.ord) AS n
			FROM _kp k WHERE k.point_id IS NULL AND k.ovz = (st IN (1, 3))),
		slot AS (
			SELECT t.point_id, CASE WHEN st <= 2 THEN t.mun_id ELSE 0 END AS g,
				CASE WHEN st IN (1, 3) THEN t.ovz_left ELSE t.cap_left END AS cnt,
				sum(CASE WHEN st IN (1, 3) THEN t.ovz_left ELSE t.cap_left END) OVER (
					PARTITION BY CASE WHEN st <= 2 THEN t.mun_id ELSE 0 END
					ORDER BY t.code COLLATE "C", t.point_id) AS hi
			FROM _kpt t)
		UPDATE _kp k SET point_id = s.point_id, stp = st
		FROM need n JOIN slot s ON s.g = n.g AND n.n > s.hi - s.cnt AND n.n <= s.hi
		WHERE k.participant_id = n.participant_id;
		UPDATE _kpt t SET cap_left = greatest(t.cap_left - u.n, 0),
			ovz_left = greatest(least(t.ovz_left - u.n_ovz, t.cap_left - u.n), 0)
		FROM (SELECT k.point_id, count(*)::int AS n, (count(*) FILTER (WHERE k.ovz))::int AS n_ovz
		      FROM _kp k WHERE k.stp = st GROUP BY k.point_id) u
		WHERE t.point_id = u.point_id;
	END LOOP;

	-- the changes: rows to remove (in scope, automatic, now elsewhere or nowhere, or the
	-- participant no longer registered) and rows to add
	DROP TABLE IF EXISTS _kdel, _kadd;
	CREATE TEMP TABLE _kdel ON COMMIT DROP AS
	SELECT d.id, d.participant_id, x.code FROM distribution d JOIN exam_point x ON x.id = d.point_id
	LEFT JOIN _kp k ON k.participant_id = d.participant_id
	WHERE d.exam_id = c.exam_id AND d.deleted_at IS NULL AND karta_plan_scope(c.org_id, c.level, x)
	  AND (k.participant_id IS NOT NULL AND k.point_id IS DISTINCT FROM d.point_id
	       OR NOT EXISTS (SELECT 1 FROM exam_registration r JOIN participant p ON p.id = r.participant_id
	                      WHERE r.exam_id = c.exam_id AND r.participant_id = d.participant_id
	                        AND r.deleted_at IS NULL AND p.deleted_at IS NULL AND NOT p.blocked));
	CREATE TEMP TABLE _kadd ON COMMIT DROP AS
	SELECT k.participant_id, k.point_id, t.mun_id, t.code FROM _kp k JOIN _kpt t ON t.point_id = k.point_id
	WHERE NOT EXISTS (SELECT 1 FROM distribution d WHERE d.exam_id = c.exam_id
		AND d.participant_id = k.participant_id AND d.point_id = k.point_id AND d.deleted_at IS NULL);

	SELECT count(*) FILTER (WHERE k.point_id IS NOT NULL), count(*) FILTER (WHERE k.point_id IS NULL),
		count(*) FILTER (WHERE k.point_id IS NULL AND k.ovz)
	INTO n_dist, n_undist, n_undist_ovz FROM _kp k;
	SELECT count(*) INTO n_del FROM _kdel;
	SELECT count(*) INTO n_add FROM _kadd;
	SELECT count(DISTINCT r.participant_id) INTO n_same
	FROM _kp k JOIN exam_registration r ON r.participant_id = k.participant_id AND r.deleted_at IS NULL
	JOIN exam e ON e.id = r.exam_id AND e.deleted_at IS NULL
	WHERE r.exam_id <> c.exam_id AND e.exam_date = c.exam_date;
	summary := format('distributed %s, not distributed %s (ОВЗ %s), same-day %s, added %s, removed %s',
		n_dist, n_undist, n_undist_ovz, n_same, n_add, n_del);
	IF dry THEN
		RETURN QUERY SELECT 'ok', 'dry run: ' || summary, c.exam_id, NULL::bigint;
		RETURN QUERY SELECT 'remove', x.code, x.participant_id, NULL::bigint FROM _kdel x
			UNION ALL SELECT 'add', x.code, x.participant_id, NULL::bigint FROM _kadd x;
		RETURN;
	END IF;
	-- seats of removed distributions go with them
	UPDATE seating s SET deleted_at = now(), row_version = s.row_version + 1, updated_at = now(), updated_by = p_device
	FROM _kdel x WHERE s.exam_id = c.exam_id AND s.participant_id = x.participant_id AND s.deleted_at IS NULL;
	UPDATE distribution d SET deleted_at = now(), row_version = d.row_version + 1, updated_at = now(), updated_by = p_device
	FROM _kdel x WHERE d.id = x.id;
	INSERT INTO distribution(org_id, exam_id, participant_id, point_id, manual, updated_by)
	SELECT x.mun_id, c.exam_id, x.participant_id, x.point_id, false, p_device FROM _kadd x
	ORDER BY x.code, x.participant_id;
	PERFORM karta_plan_audit(c.exam_id, 'distribute', p_device, 'ok', summary);
	RETURN QUERY SELECT 'ok', summary, c.exam_id, NULL::bigint;
END $$;

-- a: {exam_id, participant_id, point_id | null}: a manual distribution (kept by
-- karta_exam_distribute), or, with point_id null, back to automatic (the row goes).
CREATE FUNCTION karta_exam_distribute_manual(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	pid uuid;
	pt exam_point;
	p participant;
	cur distribution;
	res distribution;
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NULL THEN
		BEGIN
			pid := (a->>'participant_id')::uuid;
		EXCEPTION WHEN OTHERS THEN
			c.status := 'bad'; c.message := 'participant_id: must be a uuid';
		END;
	END IF;
	IF c.status IS NULL THEN
		SELECT * INTO p FROM participant x WHERE x.id = pid AND x.deleted_at IS NULL
		AND karta_org_relation(c.org_id, x.org_id) = 'below'
		AND EXISTS (SELECT 1 FROM exam_registration r WHERE r.participant_id = x.id AND r.exam_id = c.exam_id
			AND r.deleted_at IS NULL);
		IF p.id IS NULL THEN
			c.status := 'not_found'; c.message := 'participant_id: no participant of yours registered for the exam';
		END IF;
	END IF;
	IF c.status IS NULL AND a->>'point_id' IS NOT NULL THEN
		SELECT x.* INTO pt FROM exam_point x JOIN exam_point_assignment pa ON pa.point_id = x.id
			AND pa.exam_id = c.exam_id AND pa.deleted_at IS NULL
		WHERE x.id = (a->>'point_id')::uuid AND karta_plan_scope(c.org_id, c.level, x);
		IF pt.id IS NULL THEN
			c.status := 'not_found'; c.message := 'point_id: no exam point of yours assigned to the exam';
		ELSIF p.ovz AND NOT EXISTS (SELECT 1 FROM exam_auditorium ea JOIN auditorium au ON au.id = ea.auditorium_id
			WHERE ea.exam_id = c.exam_id AND ea.point_id = pt.id AND ea.deleted_at IS NULL
			  AND ea.role = 'exam' AND au.ovz_adapted) THEN
			c.status := 'precondition'; c.message := 'point_id: an ОВЗ participant needs a point with an adapted auditorium';
		END IF;
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM distribution x WHERE x.exam_id = c.exam_id AND x.participant_id = pid
		AND x.deleted_at IS NULL FOR UPDATE;
	IF cur.id IS NOT NULL AND (a->>'point_id' IS NULL OR cur.point_id <> pt.id) THEN
		UPDATE seating s SET deleted_at = now(), row_version = s.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE s.exam_id = c.exam_id AND s.participant_id = pid AND s.deleted_at IS NULL;
		UPDATE distribution x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(),
			updated_by = p_device WHERE x.id = cur.id;
	END IF;
	IF a->>'point_id' IS NULL THEN
		PERFORM karta_plan_audit(c.exam_id, 'distribute_manual', p_device, 'ok', 'cleared');
		RETURN QUERY SELECT 'ok', 'cleared', cur.id, cur.row_version + 1; RETURN;
	ELSIF cur.id IS NOT NULL AND cur.point_id = pt.id THEN
		UPDATE distribution x SET manual = true, row_version = x.row_version + 1, updated_at = now(),
			updated_by = p_device WHERE x.id = cur.id AND NOT x.manual;
		SELECT * INTO res FROM distribution x WHERE x.id = cur.id;
	ELSE
		INSERT INTO distribution(org_id, exam_id, participant_id, point_id, manual, updated_by)
		VALUES (pt.org_id, c.exam_id, pid, pt.id, true, p_device) RETURNING * INTO res;
	END IF;
	PERFORM karta_plan_audit(c.exam_id, 'distribute_manual', p_device, 'ok', pt.code);
	RETURN QUERY SELECT 'ok', 'distributed', res.id, res.row_version;
END $$;

-- ---- seating ------------------------------------------------------------------------------
-- Usable seats of the exam rooms assigned to an exam: (auditorium, position, row, seat).
-- The positions are an array unnested, not generate_series over the room's size: the
-- planner takes a set function of non-constant arguments for 1,000 rows (2,400 rooms: 2.4
-- million seats for ~30,000), and at that cost PostgreSQL JIT-compiled the seating's
-- queries: 0.4 s a run (bench/exam.sh). An unnested array counts as 10.
CREATE FUNCTION karta_exam_seats(p_exam uuid)
RETURNS TABLE (point_id uuid, auditorium_id uuid, code text, cap int, ovz boolean, pos int,
	seat_row smallint, seat smallint) LANGUAGE sql STABLE AS $$
	SELECT ea.point_id, au.id, au.code, karta_aud_capacity(au), au.ovz_adapted, g.pos,
		((g.pos - 1) / au.seats_per_row + 1)::smallint, ((g.pos - 1) % au.seats_per_row + 1)::smallint
	FROM exam_auditorium ea JOIN auditorium au ON au.id = ea.auditorium_id AND au.deleted_at IS NULL
	CROSS JOIN LATERAL unnest(ARRAY(SELECT generate_series(1, au.rows * au.seats_per_row))) g(pos)
	WHERE ea.exam_id = p_exam AND ea.role = 'exam' AND ea.deleted_at IS NULL
	  AND g.pos <> ALL (au.unusable_seats)
$$;

-- a: {exam_id, order: even|sequential|capacity_desc|capacity_asc, point_id?, dry_run?}.
-- Seats the participants distributed to the points in scope (or the one point) in the
-- exam rooms of their point. Kept: manual seats still valid (the participant distributed to
-- that point, the room assigned as an exam room, the seat usable, ОВЗ in an adapted room);
-- invalid ones go. Free seats are ordered per point:
--   even           k-th free seat of every room before the (k+1)-th, rooms by code
--   sequential     rooms by code, seats by row and place
--   capacity_desc  rooms by usable seats descending (then code), seats by row and place
--   capacity_asc   rooms by usable seats ascending (then code), seats by row and place
-- ОВЗ participants take the free seats of adapted rooms first (in that order), then the
-- others take what is left (in that order); participants in the distribution order
-- (school code, surname, name, patronymic, birth date, id). Unchanged seats are not
-- touched; more participants than seats: the rest stay unseated (reported).
-- First row: the summary; with dry_run one row per change follows: status 'seat' |
-- 'unseat', message 'point/room:row:seat', id the participant.
CREATE FUNCTION karta_exam_seat(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	ord text := coalesce(a->>'order', 'even');
	dry boolean := coalesce((a->>'dry_run')::boolean, false);
	only_point uuid;
	n_seated int; n_unseated int; n_add int; n_del int; n_kept int;
	summary text;
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NULL AND ord NOT IN ('even', 'sequential', 'capacity_desc', 'capacity_asc') THEN
		c.status := 'bad'; c.message := 'order: must be even, sequential, capacity_desc or capacity_asc';
	END IF;
	IF c.status IS NULL AND a->>'point_id' IS NOT NULL THEN
		only_point := (a->>'point_id')::uuid;
		IF NOT EXISTS (SELECT 1 FROM exam_point x WHERE x.id = only_point AND karta_plan_scope(c.org_id, c.level, x)) THEN
			c.status := 'not_found'; c.message := 'point_id: no exam point of yours';
		END IF;
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	PERFORM 1 FROM exam_lock x WHERE x.id = c.exam_id FOR SHARE;

	SET LOCAL client_min_messages = warning;
	DROP TABLE IF EXISTS _ksp, _kseat, _kd, _ks, _kfree, _kst, _ksdel, _ksadd;
	CREATE TEMP TABLE _ksp ON COMMIT DROP AS -- the points seated
	SELECT x.id AS point_id FROM exam_point x JOIN exam_point_assignment pa ON pa.point_id = x.id
		AND pa.exam_id = c.exam_id AND pa.deleted_at IS NULL
	WHERE karta_plan_scope(c.org_id, c.level, x) AND (only_point IS NULL OR x.id = only_point);
	-- What the steps below read, copied once and analyzed: the exam's distribution and seating
	-- rows are often newer than the tables' statistics (an exam's first run, or tables that
	-- hold other exams' rows), and a planner that takes them for none joins them row by row
	-- (seconds to minutes for 15,000; bench/exam.sh, "statistics stale").
	CREATE TEMP TABLE _kseat ON COMMIT DROP AS -- the usable seats of the exam's rooms
	SELECT * FROM karta_exam_seats(c.exam_id);
	CREATE TEMP TABLE _kd ON COMMIT DROP AS -- the distributed, with the keys of their order
	SELECT d.participant_id, d.point_id, p.ovz, sc.code AS school, p.surname, p.name, p.patronymic, p.birth_date
	FROM distribution d JOIN _ksp USING (point_id) JOIN participant p ON p.id = d.participant_id
	JOIN organization sc ON sc.id = p.org_id
	WHERE d.exam_id = c.exam_id AND d.deleted_at IS NULL;
	ANALYZE _ksp;
	ANALYZE _kseat;
	ANALYZE _kd;
	CREATE TEMP TABLE _ks ON COMMIT DROP AS -- the seats taken at those points or in their rooms
	SELECT s.id, s.participant_id, s.point_id, s.auditorium_id, s.seat_row, s.seat, s.manual
	FROM seating s WHERE s.exam_id = c.exam_id AND s.deleted_at IS NULL
	  AND (s.point_id IN (SELECT x.point_id FROM _ksp x)
	       OR s.auditorium_id IN (SELECT DISTINCT f.auditorium_id FROM _kseat f
	                              WHERE f.point_id IN (SELECT x.point_id FROM _ksp x)));
	ANALYZE _ks;
	-- kept: valid manual seats
	CREATE TEMP TABLE _kst ON COMMIT DROP AS
	SELECT s.participant_id, s.point_id, s.auditorium_id, s.seat_row, s.seat, true AS kept, s.id AS sid
	FROM _ks s JOIN _ksp USING (point_id)
	JOIN _kd d ON d.participant_id = s.participant_id AND d.point_id = s.point_id
	JOIN _kseat f ON f.auditorium_id = s.auditorium_id AND f.seat_row = s.seat_row AND f.seat = s.seat
	WHERE s.manual AND (f.ovz OR NOT d.ovz);
	-- free seats, with the rank of the chosen order: one sort whatever the order (keys that
	-- do not apply are NULL), not four
	CREATE TEMP TABLE _kfree ON COMMIT DROP AS
	SELECT f.*, row_number() OVER (PARTITION BY f.point_id ORDER BY
			CASE WHEN ord = 'even' THEN f.an END,
			CASE ord WHEN 'capacity_desc' THEN -f.cap WHEN 'capacity_asc' THEN f.cap END,
			f.code COLLATE "C", f.auditorium_id, f.pos) AS rk, false AS taken
	FROM (SELECT s.*, row_number() OVER (PARTITION BY s.auditorium_id ORDER BY s.pos) AS an
	      FROM _kseat s JOIN _ksp USING (point_id)
	      WHERE NOT EXISTS (SELECT 1 FROM _kst k WHERE k.auditorium_id = s.auditorium_id
	                        AND k.seat_row = s.seat_row AND k.seat = s.seat)) f;
	-- ОВЗ participants into adapted rooms
	WITH need AS (
		SELECT d.participant_id, d.point_id, row_number() OVER (PARTITION BY d.point_id ORDER BY d.school COLLATE "C",
			d.surname COLLATE "C", d.name COLLATE "C", d.patronymic COLLATE "C", d.birth_date, d.participant_id) AS n
		FROM _kd d
		WHERE d.ovz AND NOT EXISTS (SELECT 1 FROM _kst k WHERE k.participant_id = d.participant_id)),
	seat AS (SELECT f.*, row_number() OVER (PARTITION BY f.point_id ORDER BY f.rk) AS sn FROM _kfree f WHERE f.ovz)
	INSERT INTO _kst SELECT need.participant_id, need.point_id, seat.auditorium_id, seat.seat_row, seat.seat, false, NULL
	FROM need JOIN seat ON seat.point_id = need.point_id AND seat.sn = need.n;
	UPDATE _kfree f SET taken = true FROM _kst k
	WHERE NOT k.kept AND k.auditorium_id = f.auditorium_id AND k.seat_row = f.seat_row AND k.seat = f.seat;
	-- the others into what is left
	WITH need AS (
		SELECT d.participant_id, d.point_id, row_number() OVER (PARTITION BY d.point_id ORDER BY d.school COLLATE "C",
			d.surname COLLATE "C", d.name COLLATE "C", d.patronymic COLLATE "C", d.birth_date, d.participant_id) AS n
		FROM _kd d
		WHERE NOT d.ovz AND NOT EXISTS (SELECT 1 FROM _kst k WHERE k.participant_id = d.participant_id)),
	seat AS (SELECT f.*, row_number() OVER (PARTITION BY f.point_id ORDER BY f.rk) AS sn FROM _kfree f WHERE NOT f.taken)
	INSERT INTO _kst SELECT need.participant_id, need.point_id, seat.auditorium_id, seat.seat_row, seat.seat, false, NULL
	FROM need JOIN seat ON seat.point_id = need.point_id AND seat.sn = need.n;

	CREATE TEMP TABLE _ksdel ON COMMIT DROP AS
	SELECT s.id, s.participant_id, pt.code || '/' || au.code || ':' || s.seat_row || ':' || s.seat AS place
	FROM _ks s JOIN _ksp USING (point_id) JOIN auditorium au ON au.id = s.auditorium_id
	JOIN exam_point pt ON pt.id = au.point_id
	WHERE NOT EXISTS (SELECT 1 FROM _kst k WHERE k.participant_id = s.participant_id
		AND k.auditorium_id = s.auditorium_id AND k.seat_row = s.seat_row AND k.seat = s.seat
		AND (k.kept OR NOT s.manual));
	CREATE TEMP TABLE _ksadd ON COMMIT DROP AS
	SELECT k.*, au.org_id, pt.code || '/' || au.code || ':' || k.seat_row || ':' || k.seat AS place
	FROM _kst k JOIN auditorium au ON au.id = k.auditorium_id JOIN exam_point pt ON pt.id = au.point_id
	WHERE NOT k.kept AND NOT EXISTS (SELECT 1 FROM _ks s WHERE NOT s.manual
		AND s.participant_id = k.participant_id AND s.auditorium_id = k.auditorium_id
		AND s.seat_row = k.seat_row AND s.seat = k.seat);

	SELECT count(*) INTO n_seated FROM _kst;
	SELECT count(*) INTO n_unseated FROM _kd d
	WHERE NOT EXISTS (SELECT 1 FROM _kst k WHERE k.participant_id = d.participant_id);
	SELECT count(*) INTO n_kept FROM _kst WHERE kept;
	SELECT count(*) INTO n_del FROM _ksdel;
	SELECT count(*) INTO n_add FROM _ksadd;
	summary := format('order %s: seated %s (manual kept %s), unseated %s, added %s, removed %s',
		ord, n_seated, n_kept, n_unseated, n_add, n_del);
	IF dry THEN
		RETURN QUERY SELECT 'ok', 'dry run: ' || summary, c.exam_id, NULL::bigint;
		RETURN QUERY SELECT 'unseat', x.place, x.participant_id, NULL::bigint FROM _ksdel x
			UNION ALL SELECT 'seat', x.place, x.participant_id, NULL::bigint FROM _ksadd x;
		RETURN;
	END IF;
	UPDATE seating s SET deleted_at = now(), row_version = s.row_version + 1, updated_at = now(), updated_by = p_device
	FROM _ksdel x WHERE s.id = x.id;
	INSERT INTO seating(org_id, exam_id, participant_id, point_id, auditorium_id, seat_row, seat, manual, updated_by)
	SELECT x.org_id, c.exam_id, x.participant_id, x.point_id, x.auditorium_id, x.seat_row, x.seat, false, p_device
	FROM _ksadd x ORDER BY x.auditorium_id, x.seat_row, x.seat;
	PERFORM karta_plan_audit(c.exam_id, 'seat', p_device, 'ok', summary);
	RETURN QUERY SELECT 'ok', summary, c.exam_id, NULL::bigint;
END $$;

-- a: {exam_id, participant_id, auditorium_id, row, seat} a manual seat (kept by
-- karta_exam_seat), or {exam_id, participant_id, clear: true}. The participant must be
-- distributed to the room's point; the seat usable and free; ОВЗ only in adapted rooms.
CREATE FUNCTION karta_exam_seat_manual(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	pid uuid;
	d distribution;
	p participant;
	f record;
	cur seating;
	res seating;
	r int; s int;
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NULL THEN
		BEGIN
			pid := (a->>'participant_id')::uuid;
			r := (a->>'row')::int; s := (a->>'seat')::int;
		EXCEPTION WHEN OTHERS THEN
			c.status := 'bad'; c.message := 'participant_id: a uuid; row, seat: whole numbers';
		END;
	END IF;
	IF c.status IS NULL THEN
		SELECT x.* INTO d FROM distribution x JOIN exam_point pt ON pt.id = x.point_id
		WHERE x.exam_id = c.exam_id AND x.participant_id = pid AND x.deleted_at IS NULL
		  AND karta_plan_scope(c.org_id, c.level, pt);
		IF d.id IS NULL THEN
			c.status := 'not_found'; c.message := 'participant_id: not distributed to a point of yours';
		END IF;
	END IF;
	IF c.status IS NULL AND NOT coalesce((a->>'clear')::boolean, false) THEN
		SELECT * INTO p FROM participant x WHERE x.id = pid;
		SELECT * INTO f FROM karta_exam_seats(c.exam_id) x WHERE x.auditorium_id = (a->>'auditorium_id')::uuid
			AND x.seat_row = r AND x.seat = s;
		IF f.auditorium_id IS NULL OR f.point_id <> d.point_id THEN
			c.status := 'bad'; c.message := 'seat: not a usable seat of an exam room of the participant''s point';
		ELSIF p.ovz AND NOT f.ovz THEN
			c.status := 'precondition'; c.message := 'auditorium_id: an ОВЗ participant sits only in an adapted auditorium';
		ELSIF EXISTS (SELECT 1 FROM seating x WHERE x.exam_id = c.exam_id AND x.deleted_at IS NULL
			AND x.auditorium_id = f.auditorium_id AND x.seat_row = r AND x.seat = s AND x.participant_id <> pid) THEN
			c.status := 'conflict'; c.message := 'seat: the seat is taken';
		END IF;
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM seating x WHERE x.exam_id = c.exam_id AND x.participant_id = pid
		AND x.deleted_at IS NULL FOR UPDATE;
	IF cur.id IS NOT NULL THEN
		UPDATE seating x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(),
			updated_by = p_device WHERE x.id = cur.id;
	END IF;
	IF coalesce((a->>'clear')::boolean, false) THEN
		PERFORM karta_plan_audit(c.exam_id, 'seat_manual', p_device, 'ok', 'cleared');
		RETURN QUERY SELECT 'ok', 'cleared', cur.id, cur.row_version + 1; RETURN;
	END IF;
	INSERT INTO seating(org_id, exam_id, participant_id, point_id, auditorium_id, seat_row, seat, manual, updated_by)
	VALUES (d.org_id, c.exam_id, pid, d.point_id, f.auditorium_id, r, s, true, p_device) RETURNING * INTO res;
	PERFORM karta_plan_audit(c.exam_id, 'seat_manual', p_device, 'ok', f.code || ':' || r || ':' || s);
	RETURN QUERY SELECT 'ok', 'seated', res.id, res.row_version;
END $$;

-- ---- staff --------------------------------------------------------------------------------
-- a: {exam_id, point_id, staff_id, role, auditorium_id? (organizer_in), delete?: true}.
-- The staff member must be attached to the point, hold the role, and not teach the exam's
-- subject (staff.subject against exam.subject_name, folded).
CREATE FUNCTION karta_exam_assign_staff(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	pt exam_point;
	st staff;
	r text := a->>'role';
	aud uuid;
	cur staff_assignment;
	res staff_assignment;
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NULL THEN
		SELECT x.* INTO pt FROM exam_point x JOIN exam_point_assignment pa ON pa.point_id = x.id
			AND pa.exam_id = c.exam_id AND pa.deleted_at IS NULL
		WHERE x.id = (a->>'point_id')::uuid AND karta_plan_scope(c.org_id, c.level, x);
		SELECT * INTO st FROM staff x WHERE x.id = (a->>'staff_id')::uuid AND x.deleted_at IS NULL;
		aud := (a->>'auditorium_id')::uuid;
		IF pt.id IS NULL THEN
			c.status := 'not_found'; c.message := 'point_id: no exam point of yours assigned to the exam';
		ELSIF st.id IS NULL OR NOT EXISTS (SELECT 1 FROM staff_point sp WHERE sp.staff_id = st.id
			AND sp.point_id = pt.id AND sp.deleted_at IS NULL) THEN
			c.status := 'not_found'; c.message := 'staff_id: no staff member attached to the point';
		END IF;
	END IF;
	IF c.status IS NULL AND NOT coalesce((a->>'delete')::boolean, false) THEN
		IF r IS NULL OR NOT r = ANY (karta_staff_roles()) THEN
			c.status := 'bad'; c.message := 'role: one of head, organizer_in, organizer_out, technician, assistant, medic, gek';
		ELSIF NOT r = ANY (st.roles) THEN
			c.status := 'precondition'; c.message := 'role: the staff member does not hold this role';
		ELSIF st.subject <> '' AND karta_fold(st.subject) = karta_fold(c.subject) THEN
			c.status := 'precondition'; c.message := 'staff_id: a teacher of the subject does not work its exam';
		ELSIF (r = 'organizer_in') <> (aud IS NOT NULL) THEN
			c.status := 'bad'; c.message := 'auditorium_id: required for an organizer in an auditorium, and only for one';
		ELSIF aud IS NOT NULL AND NOT EXISTS (SELECT 1 FROM exam_auditorium ea WHERE ea.exam_id = c.exam_id
			AND ea.auditorium_id = aud AND ea.point_id = pt.id AND ea.deleted_at IS NULL) THEN
			c.status := 'not_found'; c.message := 'auditorium_id: not an auditorium of the point assigned to the exam';
		END IF;
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM staff_assignment x WHERE x.exam_id = c.exam_id AND x.staff_id = st.id
		AND x.deleted_at IS NULL FOR UPDATE;
	IF coalesce((a->>'delete')::boolean, false) THEN
		IF cur.id IS NULL THEN
			RETURN QUERY SELECT 'not_found', 'the staff member does not work the exam', NULL::uuid, NULL::bigint;
			RETURN;
		END IF;
		UPDATE staff_assignment x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(),
			updated_by = p_device WHERE x.id = cur.id;
		PERFORM karta_plan_audit(c.exam_id, 'staff_unassign', p_device, 'ok', st.code);
		RETURN QUERY SELECT 'ok', 'unassigned', cur.id, cur.row_version + 1; RETURN;
	END IF;
	IF cur.id IS NOT NULL AND cur.point_id <> pt.id THEN
		UPDATE staff_assignment x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(),
			updated_by = p_device WHERE x.id = cur.id;
		cur := NULL;
	END IF;
	IF cur.id IS NULL THEN
		INSERT INTO staff_assignment(org_id, exam_id, point_id, staff_id, role, auditorium_id, updated_by)
		VALUES (pt.org_id, c.exam_id, pt.id, st.id, r, aud, p_device) RETURNING * INTO res;
	ELSE
		UPDATE staff_assignment x SET role = r, auditorium_id = aud, row_version = x.row_version + 1,
			updated_at = now(), updated_by = p_device WHERE x.id = cur.id RETURNING * INTO res;
	END IF;
	PERFORM karta_plan_audit(c.exam_id, 'staff_assign', p_device, 'ok', st.code || ' ' || r);
	RETURN QUERY SELECT 'ok', 'assigned', res.id, res.row_version;
END $$;

-- ---- lock ---------------------------------------------------------------------------------
-- a: {exam_id, reason?}. The region only. While locked every planning write of the exam is
-- refused ('precondition', naming the lock and its reason).
CREATE FUNCTION karta_exam_lock_set(p_device bigint, a jsonb, p_locked boolean)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	res exam_lock;
BEGIN
	c := karta_plan_ctx(p_device, a, true, true);
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	INSERT INTO exam_lock AS x (id, org_id, locked, reason, updated_by)
	VALUES (c.exam_id, c.region_id, p_locked, coalesce(a->>'reason', ''), p_device)
	ON CONFLICT ON CONSTRAINT exam_lock_pkey DO UPDATE SET locked = p_locked,
		reason = coalesce(a->>'reason', ''), row_version = x.row_version + 1, updated_at = now(),
		updated_by = p_device
	RETURNING * INTO res;
	PERFORM karta_plan_audit(c.exam_id, CASE WHEN p_locked THEN 'lock' ELSE 'unlock' END, p_device, 'ok', res.reason);
	RETURN QUERY SELECT 'ok', CASE WHEN p_locked THEN 'locked' ELSE 'unlocked' END, res.id, res.row_version;
END $$;
CREATE FUNCTION karta_exam_lock(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT * FROM karta_exam_lock_set(p_device, a, true)
$$;
CREATE FUNCTION karta_exam_unlock(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT * FROM karta_exam_lock_set(p_device, a, false)
$$;

-- ---- control reports ----------------------------------------------------------------------
-- karta_control(device, report, exam): (status, message, grp, …figures) like karta_rollup;
-- figures a report does not have are NULL. Scope: the region all, a municipality its own
-- points (К-03, К-06, К-09) and its own participants (К-02); schools 'denied'.
--   k02   per municipality of the participants (+ 'total'): registered, distributed,
--         not_distributed, points (distinct points used)
--   k03   per point: distributed, capacity (usable seats of its exam rooms), reserved,
--         shortage, free_seats
--   k06   per point: shortage, unseated, organizers_needed, organizers, organizers_missing,
--         heads, heads_missing; a 'total' row with not_distributed (of the actor's
--         participants) and the sums
--   k09   per auditorium (point/room): capacity, seated, fill_pct (1 decimal)
--   duplicates  pairs of registered participants that look like one person: grp the match
--         kinds, id_a, id_b (karta_participant_duplicates)
--   same_day  participants registered for another exam the same day: id_a the participant,
--         grp the other exam's subject code
CREATE FUNCTION karta_control(p_device bigint, p_report text, p_exam uuid)
RETURNS TABLE (status text, message text, grp text, registered int, distributed int,
	not_distributed int, points int, capacity int, reserved int, shortage int, free_seats int,
	seated int, unseated int, organizers_needed int, organizers int, organizers_missing int,
	heads int, heads_missing int, fill_pct numeric, id_a uuid, id_b uuid)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	c record;
	opa int;
BEGIN
	c := karta_plan_ctx(p_device, jsonb_build_object('exam_id', p_exam), false, true, true);
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::text, NULL::int, NULL::int, NULL::int, NULL::int,
			NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int,
			NULL::int, NULL::int, NULL::numeric, NULL::uuid, NULL::uuid;
		RETURN;
	END IF;
	opa := coalesce((SELECT s.organizers_per_auditorium FROM exam_plan_setting s WHERE s.id = c.exam_id), 2);
	IF p_report = 'k02' THEN
		RETURN QUERY
		WITH reg AS (
			SELECT m.code AS mun, r.participant_id, d.point_id
			FROM exam_registration r JOIN participant p ON p.id = r.participant_id AND p.deleted_at IS NULL
			JOIN organization s ON s.id = p.org_id JOIN organization m ON m.id = s.parent_id
			LEFT JOIN distribution d ON d.exam_id = r.exam_id AND d.participant_id = r.participant_id AND d.deleted_at IS NULL
			WHERE r.exam_id = c.exam_id AND r.deleted_at IS NULL AND (c.level = 'region' OR m.id = c.org_id))
		SELECT 'ok', '', coalesce(reg.mun, 'total'), count(*)::int, count(reg.point_id)::int,
			(count(*) - count(reg.point_id))::int, count(DISTINCT reg.point_id)::int,
			NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int,
			NULL::int, NULL::int, NULL::numeric, NULL::uuid, NULL::uuid
		FROM reg GROUP BY ROLLUP (reg.mun) ORDER BY reg.mun COLLATE "C" NULLS LAST;
	ELSIF p_report IN ('k03', 'k06') THEN
		RETURN QUERY
		-- Each figure in one pass over its table, grouped by point, not a subquery per point:
		-- correlated per point, a planner whose statistics do not know the exam's rows yet
		-- scanned the whole distribution once per distributed participant (a minute and more
		-- for 15,000; bench/exam.sh). Seated or not: one row per participant, aggregated.
		WITH rm AS MATERIALIZED (
			SELECT ea.point_id, coalesce(sum(karta_aud_capacity(au)), 0)::int AS cap, count(*)::int AS rooms,
				coalesce(sum(least(coalesce(o.n, 0), opa)), 0)::int AS org_ok
			FROM exam_auditorium ea JOIN auditorium au ON au.id = ea.auditorium_id
			LEFT JOIN (SELECT sa.auditorium_id, count(*) AS n FROM staff_assignment sa
			           WHERE sa.exam_id = c.exam_id AND sa.deleted_at IS NULL AND sa.role = 'organizer_in'
			           GROUP BY sa.auditorium_id) o ON o.auditorium_id = ea.auditorium_id
			WHERE ea.exam_id = c.exam_id AND ea.role = 'exam' AND ea.deleted_at IS NULL
			GROUP BY ea.point_id),
		dd AS MATERIALIZED (
			SELECT u.point_id, count(*)::int AS dist, (count(*) FILTER (WHERE NOT u.seated))::int AS unseat
			FROM (SELECT (array_agg(y.point_id) FILTER (WHERE y.point_id IS NOT NULL))[1] AS point_id,
			             bool_or(y.point_id IS NULL) AS seated
			      FROM (SELECT d.participant_id, d.point_id FROM distribution d
			            WHERE d.exam_id = c.exam_id AND d.deleted_at IS NULL
			            UNION ALL
			            SELECT s.participant_id, NULL FROM seating s
			            WHERE s.exam_id = c.exam_id AND s.deleted_at IS NULL) y
			      GROUP BY y.participant_id) u
			WHERE u.point_id IS NOT NULL
			GROUP BY u.point_id),
		sf AS MATERIALIZED (
			SELECT sa.point_id, (count(*) FILTER (WHERE sa.role = 'head'))::int AS hd,
				(count(*) FILTER (WHERE sa.role = 'organizer_in'))::int AS orgs
			FROM staff_assignment sa WHERE sa.exam_id = c.exam_id AND sa.deleted_at IS NULL
			GROUP BY sa.point_id),
		pts AS (
			SELECT pt.id, pt.code, pa.seats, coalesce(rm.cap, 0) AS cap, coalesce(rm.rooms, 0) AS rooms,
				coalesce(dd.dist, 0) AS dist, coalesce(dd.unseat, 0) AS unseat, coalesce(sf.hd, 0) AS hd,
				coalesce(rm.org_ok, 0) AS org_ok, coalesce(sf.orgs, 0) AS orgs
			FROM exam_point_assignment pa JOIN exam_point pt ON pt.id = pa.point_id
			LEFT JOIN rm ON rm.point_id = pt.id LEFT JOIN dd ON dd.point_id = pt.id
			LEFT JOIN sf ON sf.point_id = pt.id
			WHERE pa.exam_id = c.exam_id AND pa.deleted_at IS NULL AND karta_plan_scope(c.org_id, c.level, pt)),
		rows_ AS (
			SELECT pts.code AS g, NULL::int AS nd, pts.dist, pts.cap, pts.seats,
				greatest(pts.dist - pts.cap, 0) AS short, greatest(pts.cap - pts.dist, 0) AS free,
				pts.unseat, pts.rooms * opa AS need, pts.orgs, pts.rooms * opa - pts.org_ok AS omiss,
				pts.hd, CASE WHEN pts.hd = 0 THEN 1 ELSE 0 END AS hmiss
			FROM pts)
		SELECT 'ok', '', x.g, NULL::int, x.dist, x.nd, NULL::int, x.cap,
			CASE WHEN p_report = 'k03' THEN x.seats END, x.short,
			CASE WHEN p_report = 'k03' THEN x.free END,
			NULL::int, CASE WHEN p_report = 'k06' THEN x.unseat END,
			CASE WHEN p_report = 'k06' THEN x.need END, CASE WHEN p_report = 'k06' THEN x.orgs END,
			CASE WHEN p_report = 'k06' THEN x.omiss END, CASE WHEN p_report = 'k06' THEN x.hd END,
			CASE WHEN p_report = 'k06' THEN x.hmiss END, NULL::numeric, NULL::uuid, NULL::uuid
		FROM (SELECT * FROM rows_
		      UNION ALL
		      SELECT 'total', (SELECT count(*)::int FROM exam_registration r JOIN participant p ON p.id = r.participant_id
		                       AND p.deleted_at IS NULL JOIN organization s ON s.id = p.org_id
		                       WHERE r.exam_id = c.exam_id AND r.deleted_at IS NULL
		                         AND (c.level = 'region' OR s.parent_id = c.org_id)
		                         AND NOT EXISTS (SELECT 1 FROM distribution d WHERE d.exam_id = c.exam_id
		                           AND d.participant_id = r.participant_id AND d.deleted_at IS NULL)),
		             sum(dist)::int, sum(cap)::int, sum(seats)::int, sum(short)::int, sum(free)::int,
		             sum(unseat)::int, sum(need)::int, sum(orgs)::int, sum(omiss)::int, sum(hd)::int, sum(hmiss)::int
		      FROM rows_ HAVING p_report = 'k06') x
		ORDER BY x.g = 'total', x.g COLLATE "C";
	ELSIF p_report = 'k09' THEN
		RETURN QUERY
		WITH sat AS MATERIALIZED ( -- one pass, not one per room (see k03)
			SELECT x.auditorium_id, count(*)::int AS n FROM seating x
			WHERE x.exam_id = c.exam_id AND x.deleted_at IS NULL GROUP BY x.auditorium_id)
		SELECT 'ok', '', pt.code || '/' || au.code, NULL::int, NULL::int, NULL::int, NULL::int,
			karta_aud_capacity(au), NULL::int, NULL::int, NULL::int, coalesce(s.n, 0), NULL::int, NULL::int,
			NULL::int, NULL::int, NULL::int, NULL::int, round(100.0 * coalesce(s.n, 0) / karta_aud_capacity(au), 1),
			NULL::uuid, NULL::uuid
		FROM exam_auditorium ea JOIN auditorium au ON au.id = ea.auditorium_id
		JOIN exam_point pt ON pt.id = ea.point_id
		LEFT JOIN sat s ON s.auditorium_id = au.id
		WHERE ea.exam_id = c.exam_id AND ea.role = 'exam' AND ea.deleted_at IS NULL
		  AND karta_plan_scope(c.org_id, c.level, pt)
		ORDER BY pt.code COLLATE "C", au.code COLLATE "C";
	ELSIF p_report = 'duplicates' THEN
		RETURN QUERY
		SELECT 'ok', '', array_to_string(dp.match, ','), NULL::int, NULL::int, NULL::int, NULL::int,
			NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int,
			NULL::int, NULL::int, NULL::numeric, dp.participant_a, dp.participant_b
		FROM karta_participant_duplicates(p_device) dp
		WHERE EXISTS (SELECT 1 FROM exam_registration r WHERE r.exam_id = c.exam_id AND r.deleted_at IS NULL
			AND r.participant_id = dp.participant_a)
		  AND EXISTS (SELECT 1 FROM exam_registration r WHERE r.exam_id = c.exam_id AND r.deleted_at IS NULL
			AND r.participant_id = dp.participant_b);
	ELSIF p_report = 'same_day' THEN
		RETURN QUERY
		SELECT 'ok', '', e2.subject_code::text, NULL::int, NULL::int, NULL::int, NULL::int,
			NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int,
			NULL::int, NULL::int, NULL::numeric, r.participant_id, NULL::uuid
		FROM exam_registration r JOIN participant p ON p.id = r.participant_id AND p.deleted_at IS NULL
		JOIN organization s ON s.id = p.org_id
		JOIN exam_registration r2 ON r2.participant_id = r.participant_id AND r2.deleted_at IS NULL
			AND r2.exam_id <> r.exam_id
		JOIN exam e2 ON e2.id = r2.exam_id AND e2.deleted_at IS NULL AND e2.exam_date = c.exam_date
		WHERE r.exam_id = c.exam_id AND r.deleted_at IS NULL AND (c.level = 'region' OR s.parent_id = c.org_id)
		ORDER BY r.participant_id;
	ELSE
		RETURN QUERY SELECT 'bad', 'report: one of k02, k03, k06, k09, duplicates, same_day', NULL::text,
			NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int,
			NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::int, NULL::numeric, NULL::uuid, NULL::uuid;
	END IF;
END $$;

-- a: {exam_id, point_id, seats?, delete?, rooms?: [{auditorium_id, role?, delete?}]}: one
-- command's worth of karta_exam_point_assign and karta_exam_auditorium_assign, all or
-- nothing (`karta exam plan`). Without seats an assigned point keeps its reserved seats;
-- rooms are added (or, with delete, removed) — the others stay as they are.
CREATE FUNCTION karta_exam_plan_point(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	res record;
	r record;
	x jsonb;
	pa jsonb := a - 'rooms';
	n_add int := 0;
	n_del int := 0;
	st text;
	msg text;
BEGIN
	IF a ? 'rooms' AND jsonb_typeof(a->'rooms') <> 'array' THEN
		RETURN QUERY SELECT 'bad', 'rooms: must be a list', NULL::uuid, NULL::bigint; RETURN;
	END IF;
	BEGIN
		IF NOT pa ? 'seats' AND NOT coalesce((a->>'delete')::boolean, false) THEN
			pa := pa || jsonb_build_object('seats', (SELECT x.seats FROM exam_point_assignment x
				WHERE x.exam_id::text = a->>'exam_id' AND x.point_id::text = a->>'point_id'
				AND x.deleted_at IS NULL));
		END IF;
		SELECT * INTO res FROM karta_exam_point_assign(p_device, pa);
		IF res.status <> 'ok' THEN
			st := res.status; msg := res.message;
			RAISE EXCEPTION USING ERRCODE = 'KTUND';
		END IF;
		FOR x IN SELECT e FROM jsonb_array_elements(coalesce(a->'rooms', '[]')) e LOOP
			EXIT WHEN coalesce((a->>'delete')::boolean, false);
			IF jsonb_typeof(x) <> 'object' THEN
				st := 'bad'; msg := 'rooms: each an object {auditorium_id, role?, delete?}';
				RAISE EXCEPTION USING ERRCODE = 'KTUND';
			END IF;
			SELECT * INTO r FROM karta_exam_auditorium_assign(p_device,
				jsonb_build_object('exam_id', a->'exam_id') || (x - 'exam_id'));
			IF r.status <> 'ok' THEN
				st := r.status; msg := r.message;
				RAISE EXCEPTION USING ERRCODE = 'KTUND';
			END IF;
			IF coalesce((x->>'delete')::boolean, false) THEN n_del := n_del + 1; ELSE n_add := n_add + 1; END IF;
		END LOOP;
	EXCEPTION WHEN SQLSTATE 'KTUND' THEN -- undo the steps taken: all or nothing
		RETURN QUERY SELECT st, msg, NULL::uuid, NULL::bigint; RETURN;
	END;
	RETURN QUERY SELECT 'ok', CASE WHEN coalesce((a->>'delete')::boolean, false) THEN res.message
		ELSE format('point %s, rooms: %s assigned, %s unassigned', res.message, n_add, n_del) END,
		res.id, res.version;
END $$;

-- ---- previews (--dry-run) -----------------------------------------------------------------
-- karta_plan_preview(device, kind, a): what a planning op would do; nothing is written.
-- Distribution and seating list their changes (their own dry_run); every other planning op
-- runs in a subtransaction that is rolled back, and its answer is the one row. Rows:
-- (status 'ok', message '', change, participant, place):
--   summary  place: the summary of the run          would  place: the op's answer
--   add | remove      participant to/from the point whose code is place
--   seat | unseat     participant to/from place = point/room:row:seat
-- A refusal is one row with the op's status and message.
CREATE FUNCTION karta_plan_preview(p_device bigint, p_kind text, a jsonb)
RETURNS TABLE (status text, message text, change text, participant uuid, place text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	f regproc;
	r record;
	first boolean := true;
BEGIN
	SELECT k.fn INTO f FROM op_kind k WHERE k.kind = p_kind AND k.kind LIKE 'exam\_%';
	IF f IS NULL OR jsonb_typeof(a) IS DISTINCT FROM 'object' THEN
		RETURN QUERY SELECT 'bad', CASE WHEN f IS NULL THEN 'kind: not an exam planning step'
			ELSE 'args: must be a JSON object' END, NULL::text, NULL::uuid, NULL::text;
		RETURN;
	END IF;
	IF p_kind IN ('exam_distribute', 'exam_seat') THEN
		FOR r IN EXECUTE format('SELECT x.status, x.message, x.id FROM %s($1, $2) x', f)
			USING p_device, a || '{"dry_run": true}' LOOP
			IF first AND r.status <> 'ok' THEN
				RETURN QUERY SELECT r.status, r.message, NULL::text, NULL::uuid, NULL::text; RETURN;
			END IF;
			RETURN QUERY SELECT 'ok', '', CASE WHEN first THEN 'summary' ELSE r.status END,
				CASE WHEN first THEN NULL ELSE r.id END,
				CASE WHEN first THEN regexp_replace(r.message, '^dry run: ', '') ELSE r.message END;
			first := false;
		END LOOP;
		RETURN;
	END IF;
	BEGIN
		EXECUTE format('SELECT x.status, x.message, x.id FROM %s($1, $2) x', f) INTO r USING p_device, a;
		RAISE EXCEPTION USING ERRCODE = 'KTDRY'; -- undo whatever the op wrote
	EXCEPTION WHEN SQLSTATE 'KTDRY' THEN
		NULL;
	END;
	IF r.status <> 'ok' THEN
		RETURN QUERY SELECT r.status, r.message, NULL::text, NULL::uuid, NULL::text; RETURN;
	END IF;
	RETURN QUERY SELECT 'ok', '', 'would', NULL::uuid, r.message;
END $$;

-- ---- seating lists ------------------------------------------------------------------------
-- karta_seating_list(device, exam, point code or NULL): the printable seating list of the
-- exam rooms of the points in scope (a municipality: its points; the region: all), by point,
-- room, row and seat. person and birth date only for the participants this organization may
-- read (its own schools'; the region: all): one from another municipality seated at this
-- municipality's point is listed by id and school code alone.
CREATE FUNCTION karta_seating_list(p_device bigint, p_exam uuid, p_point text)
RETURNS TABLE (status text, message text, point text, auditorium text, seat_row int, seat int,
	school text, person text, birth_date text, participant uuid, manual boolean)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	c record;
BEGIN
	c := karta_plan_ctx(p_device, jsonb_build_object('exam_id', p_exam), false, true, true);
	IF c.status IS NULL AND p_point IS NOT NULL AND NOT EXISTS (SELECT 1 FROM exam_point x
		WHERE x.code = p_point AND x.deleted_at IS NULL AND karta_plan_scope(c.org_id, c.level, x)) THEN
		c.status := 'not_found'; c.message := 'point: no exam point of yours with this code';
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::text, NULL::text, NULL::int, NULL::int, NULL::text,
			NULL::text, NULL::text, NULL::uuid, NULL::boolean;
		RETURN;
	END IF;
	RETURN QUERY
	SELECT 'ok', '', pt.code, au.code, s.seat_row::int, s.seat::int, o.code,
		CASE WHEN ok THEN concat_ws(' ', p.surname, p.name, nullif(p.patronymic, '')) ELSE '' END,
		CASE WHEN ok THEN to_char(p.birth_date, 'DD.MM.YYYY') ELSE '' END, p.id, s.manual
	FROM seating s JOIN exam_point pt ON pt.id = s.point_id
	JOIN auditorium au ON au.id = s.auditorium_id
	JOIN participant p ON p.id = s.participant_id
	JOIN organization o ON o.id = p.org_id
	CROSS JOIN LATERAL (SELECT c.level = 'region' OR o.parent_id = c.org_id AS ok) v
	WHERE s.exam_id = c.exam_id AND s.deleted_at IS NULL AND karta_plan_scope(c.org_id, c.level, pt)
	  AND (p_point IS NULL OR pt.code = p_point)
	ORDER BY pt.code COLLATE "C", au.code COLLATE "C", s.seat_row, s.seat;
END $$;

INSERT INTO op_kind(kind, fn) VALUES
	('exam_point_assign', 'karta_exam_point_assign'),
	('exam_plan_point', 'karta_exam_plan_point'),
	('exam_auditorium_assign', 'karta_exam_auditorium_assign'),
	('exam_settings', 'karta_exam_settings'),
	('exam_distribute', 'karta_exam_distribute'),
	('exam_distribute_manual', 'karta_exam_distribute_manual'),
	('exam_seat', 'karta_exam_seat'),
	('exam_seat_manual', 'karta_exam_seat_manual'),
	('exam_assign_staff', 'karta_exam_assign_staff'),
	('exam_lock', 'karta_exam_lock'),
	('exam_unlock', 'karta_exam_unlock');
