-- 0018_responsible_organizer: the responsible organizer of an auditorium.
--
-- Form ППЭ-07 marks, in each auditorium, the organizer responsible for it. 0009 kept no such
-- flag, so the form guessed (the first assigned). Now a staff assignment says so: responsible
-- is true only for an organizer in an auditorium (role organizer_in, with its room), and an
-- auditorium has at most one responsible organizer at an exam — a second one is refused,
-- naming the first. The flag travels to replicas inside the row (to_jsonb, 0009's feed).
--
-- karta_exam_assign_staff states an assignment in full, as before: a call without
-- responsible (or with false) leaves the staff member not responsible. To hand the room to
-- another organizer, assign the old one without the flag first.
ALTER TABLE staff_assignment ADD COLUMN responsible boolean NOT NULL DEFAULT false;
ALTER TABLE staff_assignment ADD CONSTRAINT staff_assignment_responsible_check
	CHECK (NOT responsible OR (role = 'organizer_in' AND auditorium_id IS NOT NULL));
COMMENT ON CONSTRAINT staff_assignment_responsible_check ON staff_assignment IS
	'responsible: only an organizer in an auditorium is responsible for it';
-- The function below checks first, with a clear message; the index holds under a race.
CREATE UNIQUE INDEX staff_assignment_responsible_unique ON staff_assignment(exam_id, auditorium_id)
	WHERE responsible AND deleted_at IS NULL;
COMMENT ON INDEX staff_assignment_responsible_unique IS
	'responsible: the auditorium already has a responsible organizer at this exam';

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
