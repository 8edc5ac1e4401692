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

