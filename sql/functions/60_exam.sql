-- 60_exam: exam planning — the planning context (who plans, the lock), points and
-- auditoriums assigned to an exam, staff, settings, the plan preview and audit, and the
-- statement triggers that check distribution and seating references.

-- The context of a planning write: the actor, the exam, refusals. status NULL: go on.
-- p_region_only: lock, unlock, settings. p_ignore_lock: unlock.
CREATE OR REPLACE FUNCTION karta_plan_ctx(p_device bigint, a jsonb, p_region_only boolean, p_ignore_lock boolean,
	p_read boolean DEFAULT false, OUT status text, OUT message text, OUT org_id bigint, OUT level text, OUT region_id bigint,
	OUT exam_id uuid, OUT exam_date date, OUT subject text) LANGUAGE plpgsql STABLE AS $$
DECLARE
	act record;
	e exam;
	l exam_lock;
BEGIN
	act := karta_writer(p_device);
	IF act.denied IS NOT NULL AND (act.org_id IS NULL OR NOT p_read) THEN
		status := 'denied'; message := act.denied; RETURN;
	END IF;
	org_id := act.org_id; level := act.level; region_id := karta_org_region(act.org_id);
	IF act.level = 'school' OR (p_region_only AND act.level <> 'region') THEN
		status := 'denied';
		message := CASE WHEN p_region_only THEN 'only the region may do this'
			ELSE 'a school does not plan exams' END;
		RETURN;
	END IF;
	IF NOT karta_is_uuid(a->>'exam_id') THEN -- absent: no such exam, below
		status := 'bad'; message := 'exam_id: must be a uuid'; RETURN;
	END IF;
	exam_id := (a->>'exam_id')::uuid;
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
CREATE OR REPLACE FUNCTION karta_plan_scope(p_org bigint, p_level text, p_point exam_point) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT CASE p_level WHEN 'region' THEN p_point.region_id = p_org
		WHEN 'municipality' THEN p_point.org_id = p_org ELSE false END
$$;

CREATE OR REPLACE FUNCTION karta_plan_audit(p_exam uuid, p_step text, p_device bigint, p_status text, p_summary text)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO planning_audit(exam_id, step, device_id, org_id, status, summary)
	SELECT p_exam, p_step, p_device, (SELECT d.org_id FROM device d WHERE d.id = p_device), p_status, p_summary
$$;

-- ---- points and auditoriums of an exam ----------------------------------------------------
-- a: {exam_id, point_id, seats?: reserved seats, delete?: true}. Deleting an assignment
-- drops the auditoriums, distributions, seats and staff of the exam at that point.
CREATE OR REPLACE FUNCTION karta_exam_point_assign(p_device bigint, a jsonb)
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
CREATE OR REPLACE FUNCTION karta_exam_auditorium_assign(p_device bigint, a jsonb)
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
CREATE OR REPLACE FUNCTION karta_exam_settings(p_device bigint, a jsonb)
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

-- a: {exam_id, point_id, staff_id, role, auditorium_id? (organizer_in), responsible?: true
-- (organizer_in only), delete?: true}. As 0009, plus the responsible flag.
CREATE OR REPLACE FUNCTION karta_exam_assign_staff(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	pt exam_point;
	st staff;
	r text := a->>'role';
	aud uuid;
	resp boolean;
	other text;
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
		resp := coalesce((a->>'responsible')::boolean, false);
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
		ELSIF resp AND r <> 'organizer_in' THEN
			c.status := 'bad'; c.message := 'responsible: only an organizer in an auditorium (role organizer_in) is responsible for it';
		ELSIF aud IS NOT NULL AND NOT EXISTS (SELECT 1 FROM exam_auditorium ea WHERE ea.exam_id = c.exam_id
			AND ea.auditorium_id = aud AND ea.point_id = pt.id AND ea.deleted_at IS NULL) THEN
			c.status := 'not_found'; c.message := 'auditorium_id: not an auditorium of the point assigned to the exam';
		ELSIF resp THEN
			-- lock the room's assignments so two concurrent calls cannot both pass this check
			PERFORM 1 FROM exam_auditorium ea WHERE ea.exam_id = c.exam_id AND ea.auditorium_id = aud
				AND ea.deleted_at IS NULL FOR UPDATE;
			SELECT s.code INTO other FROM staff_assignment x JOIN staff s ON s.id = x.staff_id
			WHERE x.exam_id = c.exam_id AND x.auditorium_id = aud AND x.responsible
				AND x.deleted_at IS NULL AND x.staff_id <> st.id;
			IF other IS NOT NULL THEN
				c.status := 'conflict';
				c.message := 'responsible: the auditorium already has a responsible organizer at this exam (staff '
					|| other || '); assign them without the flag first';
			END IF;
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
		INSERT INTO staff_assignment(org_id, exam_id, point_id, staff_id, role, auditorium_id, responsible, updated_by)
		VALUES (pt.org_id, c.exam_id, pt.id, st.id, r, aud, resp, p_device) RETURNING * INTO res;
	ELSE
		UPDATE staff_assignment x SET role = r, auditorium_id = aud, responsible = resp,
			row_version = x.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE x.id = cur.id RETURNING * INTO res;
	END IF;
	PERFORM karta_plan_audit(c.exam_id, 'staff_assign', p_device, 'ok',
		st.code || ' ' || r || CASE WHEN resp THEN ' responsible' ELSE '' END);
	RETURN QUERY SELECT 'ok', 'assigned', res.id, res.row_version;
END $$;

-- ---- lock ---------------------------------------------------------------------------------
-- a: {exam_id, reason?}. The region only. While locked every planning write of the exam is
-- refused ('precondition', naming the lock and its reason).
CREATE OR REPLACE FUNCTION karta_exam_lock_set(p_device bigint, a jsonb, p_locked boolean)
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

CREATE OR REPLACE FUNCTION karta_exam_lock(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT * FROM karta_exam_lock_set(p_device, a, true)
$$;

CREATE OR REPLACE FUNCTION karta_exam_unlock(p_device bigint, a jsonb)
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
CREATE OR REPLACE FUNCTION karta_control(p_device bigint, p_report text, p_exam uuid)
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
CREATE OR REPLACE FUNCTION karta_exam_plan_point(p_device bigint, a jsonb)
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
CREATE OR REPLACE FUNCTION karta_plan_preview(p_device bigint, p_kind text, a jsonb)
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

-- ---- distribution and seating: references checked once per statement --------------------
-- A 15,000-participant exam writes 15,000 distribution and 15,000 seating rows in two
-- statements. Their eleven foreign keys checked them one row at a time — per row and key
-- one SPI query with a row lock: 165,000 queries, about as long as the rest of distribution
-- and seating together (bench/exam.sh; docs/performance.md). They are replaced by one
-- statement trigger per table that checks every new or updated row's references with one
-- anti-join per key, in the writing statement, before its feed append (the trigger's name
-- sorts before "…_feed_…", and AFTER STATEMENT triggers fire in name order). What the
-- foreign keys did besides — refuse a hard DELETE of a referenced participant, exam, exam
-- point, auditorium, organization or device — is not needed: none of those is ever
-- deleted (soft deletes only; no function or tool deletes them).
CREATE OR REPLACE FUNCTION karta_planning_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	bad text;
BEGIN
	SELECT r.k || ' ' || r.v INTO bad FROM (
		SELECT 'exam_id' AS k, n.exam_id::text AS v FROM (SELECT DISTINCT exam_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM exam x WHERE x.id = n.exam_id)
		UNION ALL
		SELECT 'org_id', n.org_id::text FROM (SELECT DISTINCT org_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM organization x WHERE x.id = n.org_id)
		UNION ALL
		SELECT 'point_id', n.point_id::text FROM (SELECT DISTINCT point_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM exam_point x WHERE x.id = n.point_id)
		UNION ALL
		SELECT 'updated_by', n.updated_by::text FROM (SELECT DISTINCT updated_by FROM new_rows) n
		WHERE n.updated_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device x WHERE x.id = n.updated_by)
		UNION ALL
		SELECT 'participant_id', n.participant_id::text FROM new_rows n
		WHERE NOT EXISTS (SELECT 1 FROM participant x WHERE x.id = n.participant_id)) r
	LIMIT 1;
	IF bad IS NULL AND TG_TABLE_NAME = 'seating' THEN
		SELECT 'auditorium_id ' || n.auditorium_id INTO bad FROM (SELECT DISTINCT auditorium_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM auditorium x WHERE x.id = n.auditorium_id) LIMIT 1;
	END IF;
	PERFORM karta_refs_missing(TG_TABLE_NAME, bad);
	RETURN NULL;
END $$;

-- distribution_check_refs_insert/_update, seating_check_refs_… (05_common)
SELECT karta_refs_triggers('distribution', 'karta_planning_refs');
SELECT karta_refs_triggers('seating', 'karta_planning_refs');
