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

-- ---- helpers ------------------------------------------------------------------------------

