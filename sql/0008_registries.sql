-- 0008: the РИС registries (docs/domain.md §6, §8; docs/registries.md) — participants, exams,
-- exam registrations, exam points (ППЭ), auditoriums, staff and staff attached to exam points;
-- their change feeds, who may read and write them, and duplicate participants.
--
-- Every row belongs to one organization (org_id) for life, and its changes go to that
-- organization's feed:
--   participant, exam_registration   a school            written by the school (and the region)
--   exam                             the region          written by the region
--   exam_point, auditorium, staff,   a municipality      written by the municipality (and the
--   staff_point                                          region)
-- Reading follows the feeds (karta_feed_visible, 0006): an organization reads its own rows and
-- those of every organization below it; from its ancestors it reads exams, exam points and
-- auditoriums (karta_plan_entity), never participants, registrations, staff or staff
-- attachments. So a participant reaches exactly its school, that school's municipality and
-- the region, a staff row its municipality and the region — 152-ФЗ (domain.md §6).
--
-- Ids are uuids chosen by clients; row_version counts writes; deletes are soft (deleted_at,
-- op 'delete' in the feed). Interop keys (domain.md §8): guid.
--
-- Writes: karta_registry_put(p_device, p_type, a) and karta_registry_delete(p_device, p_type,
-- a), each (status, message, id) with the status words of 0003. Messages name fields and
-- never carry a value: registry values are personal data and messages reach logs.

-- ---- helpers ------------------------------------------------------------------------------

-- ---- interop keys of organizations ------------------------------------------------------
-- «Guid ОО», «Guid МСУ», «Guid АТЕ» of the interop layout (domain.md §8).
ALTER TABLE organization ADD COLUMN guid uuid UNIQUE;

-- ---- tables -------------------------------------------------------------------------------

CREATE TABLE participant (
	id            uuid PRIMARY KEY,
	org_id        bigint NOT NULL REFERENCES organization(id), -- the school (основная ОО)
	guid          uuid UNIQUE,
	surname       text NOT NULL CONSTRAINT participant_surname_check CHECK (karta_name_ok(surname)),
	name          text NOT NULL CONSTRAINT participant_name_check CHECK (karta_name_ok(name)),
	patronymic    text NOT NULL DEFAULT ''
		CONSTRAINT participant_patronymic_check CHECK (patronymic = '' OR karta_name_ok(patronymic)),
	sex           smallint NOT NULL CONSTRAINT participant_sex_check CHECK (sex IN (1, 2)), -- 1 М, 2 Ж
	birth_date    date NOT NULL
		CONSTRAINT participant_birth_date_check CHECK (birth_date BETWEEN '1900-01-01' AND '2099-12-31'),
	doc_type      smallint NOT NULL
		CONSTRAINT participant_doc_type_check CHECK (doc_type IN (1, 2, 3, 4, 5, 9)),
	doc_series    text NOT NULL DEFAULT '',
	doc_number    text NOT NULL,
	snils         text NOT NULL DEFAULT ''
		CONSTRAINT participant_snils_check CHECK (snils = '' OR karta_snils_ok(snils)),
	class         text NOT NULL DEFAULT ''
		CONSTRAINT participant_class_check CHECK (class = '' OR karta_grade(class) > 0),
	grad_org_id   bigint REFERENCES organization(id),          -- выпускная ОО when another
	category      smallint NOT NULL
		CONSTRAINT participant_category_check CHECK (category BETWEEN 1 AND 5),
	form          smallint NOT NULL
		CONSTRAINT participant_form_check CHECK (form BETWEEN 1 AND 15 AND form & 3 <> 3),
	ovz           boolean NOT NULL DEFAULT false,              -- specialised seating
	disabled      boolean NOT NULL DEFAULT false,
	conditions    text[] NOT NULL DEFAULT '{}'                 -- special conditions needed
		CONSTRAINT participant_conditions_check CHECK (cardinality(conditions) <= 32
			AND length(array_to_string(conditions, '')) <= 4000),
	admitted      boolean NOT NULL DEFAULT false,              -- допуск к ГИА
	blocked       boolean NOT NULL DEFAULT false,
	block_reason  text NOT NULL DEFAULT ''
		CONSTRAINT participant_block_reason_check CHECK (length(block_reason) <= 1000),
	citizenship   text NOT NULL DEFAULT ''
		CONSTRAINT participant_citizenship_check CHECK (length(citizenship) <= 100),
	region_code   smallint CONSTRAINT participant_region_code_check CHECK (region_code BETWEEN 1 AND 99),
	results       smallint DEFAULT 0                           -- NULL: an interop file left it empty
		CONSTRAINT participant_results_check CHECK (results BETWEEN 0 AND 3),
	study_form    smallint CONSTRAINT participant_study_form_check CHECK (study_form BETWEEN 0 AND 99),
	-- What an interop file (domain.md §8) says that karta keeps only to hand it back as
	-- written: the row's GUID as spelled ({…}, upper case), the deleted-row flag (a row
	-- whose flag is not 0 is stored deleted), the file's timestamps, the schools' GUIDs.
	ris_guid      text NOT NULL DEFAULT ''
		CONSTRAINT participant_ris_guid_check CHECK (ris_guid = '' OR (karta_guid_text_ok(ris_guid)
			AND guid IS NOT NULL AND lower(btrim(ris_guid, '{}')) = guid::text)),
	ris_deleted   smallint NOT NULL DEFAULT 0
		CONSTRAINT participant_ris_deleted_check CHECK (ris_deleted IN (0, 1, 2, 4, 5, 6, 7, 10, 11, 12)),
	ris_created   timestamp(0),
	ris_updated   timestamp(0),
	ris_school_guid text NOT NULL DEFAULT ''
		CONSTRAINT participant_ris_school_guid_check CHECK (karta_guid_text_ok(ris_school_guid)),
	ris_grad_guid text NOT NULL DEFAULT ''
		CONSTRAINT participant_ris_grad_guid_check CHECK (karta_guid_text_ok(ris_grad_guid)),
	row_version   bigint NOT NULL DEFAULT 1,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	updated_by    bigint REFERENCES device(id),
	deleted_at    timestamptz,
	CONSTRAINT participant_doc_series_check CHECK (karta_doc_series_ok(doc_type, doc_series)
		AND (doc_series <> '' OR doc_type NOT IN (1, 2, 5))),
	CONSTRAINT participant_doc_number_check CHECK (karta_doc_number_ok(doc_type, doc_number)),
	CONSTRAINT participant_form_category_check CHECK (form & 6 = 0 OR category IN (1, 5)),
	CONSTRAINT participant_class_form_check CHECK (category <> 1 OR (karta_grade(class) > 0
		AND (form & 2 = 0 OR karta_grade(class) = 9)
		AND (form & 1 = 0 OR karta_grade(class) >= 10)
		AND (form & 4 = 0 OR karta_grade(class) >= 9))),
	CONSTRAINT participant_blocked_check CHECK (NOT blocked OR block_reason <> '')
);
CREATE INDEX participant_org ON participant(org_id);
CREATE INDEX participant_person ON participant(karta_person_key(surname, name, patronymic, birth_date))
	WHERE deleted_at IS NULL;
CREATE INDEX participant_doc ON participant(karta_doc_key(doc_type, doc_series, doc_number))
	WHERE deleted_at IS NULL;
CREATE INDEX participant_snils ON participant(snils) WHERE deleted_at IS NULL AND snils <> '';

-- The schedule: subject × form × date × period, for ГИА-9 or ГИА-11.
CREATE TABLE exam (
	id            uuid PRIMARY KEY,
	org_id        bigint NOT NULL REFERENCES organization(id), -- the region
	subject_code  smallint NOT NULL
		CONSTRAINT exam_subject_code_check CHECK (subject_code BETWEEN 1 AND 99),
	subject_name  text NOT NULL DEFAULT ''
		CONSTRAINT exam_subject_name_check CHECK (length(subject_name) <= 200),
	form          smallint NOT NULL CONSTRAINT exam_form_check CHECK (form IN (1, 2, 4)),
	gia           smallint NOT NULL CONSTRAINT exam_gia_check CHECK (gia IN (9, 11)),
	exam_date     date NOT NULL
		CONSTRAINT exam_exam_date_check CHECK (exam_date BETWEEN '2000-01-01' AND '2100-12-31'),
	period        text NOT NULL DEFAULT 'main'
		CONSTRAINT exam_period_check CHECK (period IN ('early', 'main', 'additional', 'reserve')),
	row_version   bigint NOT NULL DEFAULT 1,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	updated_by    bigint REFERENCES device(id),
	deleted_at    timestamptz,
	CONSTRAINT exam_form_gia_check CHECK ((form <> 1 OR gia = 11) AND (form <> 2 OR gia = 9))
);
CREATE UNIQUE INDEX exam_unique ON exam(org_id, subject_code, form, gia, exam_date)
	WHERE deleted_at IS NULL;

CREATE TABLE exam_registration (
	id             uuid PRIMARY KEY,
	org_id         bigint NOT NULL REFERENCES organization(id), -- the participant's school
	participant_id uuid NOT NULL REFERENCES participant(id),
	exam_id        uuid NOT NULL REFERENCES exam(id),
	row_version    bigint NOT NULL DEFAULT 1,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	updated_by     bigint REFERENCES device(id),
	deleted_at     timestamptz
);
CREATE UNIQUE INDEX exam_registration_unique ON exam_registration(participant_id, exam_id)
	WHERE deleted_at IS NULL;
CREATE INDEX exam_registration_exam ON exam_registration(exam_id) WHERE deleted_at IS NULL;
CREATE INDEX exam_registration_org ON exam_registration(org_id);

CREATE TABLE exam_point (
	id            uuid PRIMARY KEY,
	org_id        bigint NOT NULL REFERENCES organization(id), -- the municipality
	region_id     bigint NOT NULL REFERENCES organization(id), -- set from org_id: codes are per region
	guid          uuid UNIQUE,
	code          text NOT NULL CONSTRAINT exam_point_code_check CHECK (code ~ '^[0-9]{4}$'),
	name          text NOT NULL CONSTRAINT exam_point_name_check CHECK (length(name) BETWEEN 1 AND 500),
	address       text NOT NULL
		CONSTRAINT exam_point_address_check CHECK (length(address) BETWEEN 1 AND 500),
	host_org_id   bigint REFERENCES organization(id),          -- the school it is housed in
	capacity      int CONSTRAINT exam_point_capacity_check CHECK (capacity BETWEEN 1 AND 5000),
	                                                           -- NULL: not known (interop rows carry none)
	forms         smallint NOT NULL DEFAULT 1
		CONSTRAINT exam_point_forms_check CHECK (forms BETWEEN 1 AND 15),
	at_home       boolean NOT NULL DEFAULT false,              -- ППЭ на дому
	remote        boolean NOT NULL DEFAULT false,              -- труднодоступная местность (ТОМ)
	video         boolean NOT NULL DEFAULT false,              -- онлайн-видеонаблюдение
	kim_print     boolean NOT NULL DEFAULT false,              -- печать КИМ в ППЭ
	reserve       boolean NOT NULL DEFAULT false,
	phones        text NOT NULL DEFAULT ''
		CONSTRAINT exam_point_phones_check CHECK (length(phones) <= 200),
	emails        text NOT NULL DEFAULT ''
		CONSTRAINT exam_point_emails_check CHECK (emails = '' OR (length(emails) <= 500
			AND emails ~ '^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+(\s*[,;]\s*[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+)*$')),
	extra_flags   int DEFAULT 0                                -- NULL: an interop file left it empty
		CONSTRAINT exam_point_extra_flags_check CHECK (extra_flags BETWEEN 0 AND 65535),
	pcenter_guid  text NOT NULL DEFAULT ''                     -- ППОИ (interop), as written
		CONSTRAINT exam_point_pcenter_guid_check CHECK (karta_guid_text_ok(pcenter_guid)),
	area_guid     text NOT NULL DEFAULT ''                     -- АТЕ (interop), as written
		CONSTRAINT exam_point_area_guid_check CHECK (karta_guid_text_ok(area_guid)),
	-- as for participants: kept to hand an interop file back as written
	ris_guid      text NOT NULL DEFAULT ''
		CONSTRAINT exam_point_ris_guid_check CHECK (ris_guid = '' OR (karta_guid_text_ok(ris_guid)
			AND guid IS NOT NULL AND lower(btrim(ris_guid, '{}')) = guid::text)),
	ris_deleted   smallint NOT NULL DEFAULT 0
		CONSTRAINT exam_point_ris_deleted_check CHECK (ris_deleted IN (0, 1, 2, 4, 5, 6, 7, 10, 11, 12)),
	ris_created   timestamp(0),
	ris_updated   timestamp(0),
	ris_school_guid text NOT NULL DEFAULT ''                   -- «Guid ОО» of the host school
		CONSTRAINT exam_point_ris_school_guid_check CHECK (karta_guid_text_ok(ris_school_guid)),
	ris_msu_guid  text NOT NULL DEFAULT ''                     -- «Guid МСУ»
		CONSTRAINT exam_point_ris_msu_guid_check CHECK (karta_guid_text_ok(ris_msu_guid)),
	row_version   bigint NOT NULL DEFAULT 1,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	updated_by    bigint REFERENCES device(id),
	deleted_at    timestamptz,
	CONSTRAINT exam_point_at_home_check CHECK (NOT at_home OR capacity <= 5)
);
CREATE UNIQUE INDEX exam_point_code_unique ON exam_point(region_id, code) WHERE deleted_at IS NULL;
CREATE INDEX exam_point_org ON exam_point(org_id);

CREATE TABLE auditorium (
	id             uuid PRIMARY KEY,
	org_id         bigint NOT NULL REFERENCES organization(id), -- the exam point's municipality
	point_id       uuid NOT NULL REFERENCES exam_point(id),
	code           text NOT NULL
		CONSTRAINT auditorium_code_check CHECK (code ~ '^[0-9A-Za-zА-ЯЁа-яё]{4}$'),
	name           text NOT NULL DEFAULT ''
		CONSTRAINT auditorium_name_check CHECK (length(name) <= 200),
	rows           smallint NOT NULL CONSTRAINT auditorium_rows_check CHECK (rows BETWEEN 1 AND 50),
	seats_per_row  smallint NOT NULL
		CONSTRAINT auditorium_seats_per_row_check CHECK (seats_per_row BETWEEN 1 AND 50),
	unusable_seats int[] NOT NULL DEFAULT '{}',                 -- positions, see karta_seats_ok
	ovz_adapted    boolean NOT NULL DEFAULT false,
	video          boolean NOT NULL DEFAULT false,
	lab            boolean NOT NULL DEFAULT false,
	row_version    bigint NOT NULL DEFAULT 1,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	updated_by     bigint REFERENCES device(id),
	deleted_at     timestamptz,
	CONSTRAINT auditorium_capacity_check CHECK (rows * seats_per_row <= 500),
	CONSTRAINT auditorium_unusable_seats_check CHECK (karta_seats_ok(unusable_seats, rows, seats_per_row))
);
CREATE UNIQUE INDEX auditorium_code_unique ON auditorium(point_id, upper(code)) WHERE deleted_at IS NULL;
CREATE INDEX auditorium_org ON auditorium(org_id);

CREATE TABLE staff (
	id               uuid PRIMARY KEY,
	org_id           bigint NOT NULL REFERENCES organization(id), -- the municipality
	region_id        bigint NOT NULL REFERENCES organization(id), -- set from org_id: codes are per region
	code             text NOT NULL CONSTRAINT staff_code_check CHECK (code ~ '^[0-9]{6}$'),
	surname          text NOT NULL CONSTRAINT staff_surname_check CHECK (karta_name_ok(surname)),
	name             text NOT NULL CONSTRAINT staff_name_check CHECK (karta_name_ok(name)),
	patronymic       text NOT NULL DEFAULT ''
		CONSTRAINT staff_patronymic_check CHECK (patronymic = '' OR karta_name_ok(patronymic)),
	sex              smallint CONSTRAINT staff_sex_check CHECK (sex IN (1, 2)),
	birth_date       date
		CONSTRAINT staff_birth_date_check CHECK (birth_date BETWEEN '1900-01-01' AND '2099-12-31'),
	doc_type         smallint NOT NULL
		CONSTRAINT staff_doc_type_check CHECK (doc_type IN (1, 2, 3, 4, 5, 9)),
	doc_series       text NOT NULL DEFAULT '',
	doc_number       text NOT NULL,
	snils            text NOT NULL DEFAULT ''
		CONSTRAINT staff_snils_check CHECK (snils = '' OR karta_snils_ok(snils)),
	workplace_org_id bigint REFERENCES organization(id),
	subject          text NOT NULL DEFAULT ''                      -- subject taught
		CONSTRAINT staff_subject_check CHECK (length(subject) <= 100),
	roles            text[] NOT NULL
		CONSTRAINT staff_roles_check CHECK (cardinality(roles) >= 1 AND roles <@ karta_staff_roles()),
	row_version      bigint NOT NULL DEFAULT 1,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	updated_by       bigint REFERENCES device(id),
	deleted_at       timestamptz,
	CONSTRAINT staff_doc_series_check CHECK (karta_doc_series_ok(doc_type, doc_series)
		AND (doc_series <> '' OR doc_type NOT IN (1, 2, 5))),
	CONSTRAINT staff_doc_number_check CHECK (karta_doc_number_ok(doc_type, doc_number))
);
CREATE UNIQUE INDEX staff_code_unique ON staff(region_id, code) WHERE deleted_at IS NULL;
CREATE INDEX staff_org ON staff(org_id);

CREATE TABLE staff_point (
	id          uuid PRIMARY KEY,
	org_id      bigint NOT NULL REFERENCES organization(id), -- the municipality of both
	staff_id    uuid NOT NULL REFERENCES staff(id),
	point_id    uuid NOT NULL REFERENCES exam_point(id),
	row_version bigint NOT NULL DEFAULT 1,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	updated_by  bigint REFERENCES device(id),
	deleted_at  timestamptz
);
CREATE UNIQUE INDEX staff_point_unique ON staff_point(staff_id, point_id) WHERE deleted_at IS NULL;
CREATE INDEX staff_point_point ON staff_point(point_id) WHERE deleted_at IS NULL;
CREATE INDEX staff_point_org ON staff_point(org_id);

-- What a refused write says (karta_registry_message): field and rule, never the value.
COMMENT ON CONSTRAINT participant_surname_check ON participant IS
	'surname: must start with a letter and hold only letters, spaces, hyphens, apostrophes and dots (at most 100)';
COMMENT ON CONSTRAINT participant_name_check ON participant IS
	'name: must start with a letter and hold only letters, spaces, hyphens, apostrophes and dots (at most 100)';
COMMENT ON CONSTRAINT participant_patronymic_check ON participant IS
	'patronymic: must start with a letter and hold only letters, spaces, hyphens, apostrophes and dots (at most 100)';
COMMENT ON CONSTRAINT participant_sex_check ON participant IS 'sex: must be 1 (male) or 2 (female)';
COMMENT ON CONSTRAINT participant_birth_date_check ON participant IS
	'birth_date: is not a date from 1900 to 2099';
COMMENT ON CONSTRAINT participant_doc_type_check ON participant IS
	'doc_type: must be a document type code (1, 2, 3, 4, 5, 9)';
COMMENT ON CONSTRAINT participant_doc_series_check ON participant IS
	'doc_series: does not fit the document type (passport RF: 4 digits; birth certificate: IV-МЮ; international passport: 2 digits)';
COMMENT ON CONSTRAINT participant_doc_number_check ON participant IS
	'doc_number: does not fit the document type (passport RF and birth certificate: 6 digits; international passport: 7 digits)';
COMMENT ON CONSTRAINT participant_snils_check ON participant IS
	'snils: must be 11 digits with a matching control number';
COMMENT ON CONSTRAINT participant_class_check ON participant IS
	'class: must be a grade 1-12 with an optional letter (11А)';
COMMENT ON CONSTRAINT participant_category_check ON participant IS
	'category: must be a participant category code 1-5';
COMMENT ON CONSTRAINT participant_form_check ON participant IS
	'form: must be a set of exam forms (1 ЕГЭ, 2 ОГЭ, 4 ГВЭ, 8 other); ОГЭ and ЕГЭ cannot be combined';
COMMENT ON CONSTRAINT participant_form_category_check ON participant IS
	'form: ОГЭ and ГВЭ are only for current-year students and those retaking ГИА';
COMMENT ON CONSTRAINT participant_class_form_check ON participant IS
	'class: a current-year student needs a grade that fits the form (ОГЭ 9, ЕГЭ 10-12, ГВЭ 9-12)';
COMMENT ON CONSTRAINT participant_blocked_check ON participant IS
	'block_reason: is required when the participant is blocked';
COMMENT ON CONSTRAINT participant_conditions_check ON participant IS
	'conditions: at most 32 conditions, 4000 characters in all';
COMMENT ON CONSTRAINT participant_ris_guid_check ON participant IS
	'ris_guid: must be the row''s GUID as the interop file spells it';
COMMENT ON CONSTRAINT participant_ris_deleted_check ON participant IS
	'ris_deleted: must be a deleted-row flag (0, 1, 2, 4, 5, 6, 7, 10, 11, 12)';
COMMENT ON CONSTRAINT participant_ris_school_guid_check ON participant IS
	'ris_school_guid: must be a GUID (8-4-4-4-12 hex digits)';
COMMENT ON CONSTRAINT participant_ris_grad_guid_check ON participant IS
	'ris_grad_guid: must be a GUID (8-4-4-4-12 hex digits)';
COMMENT ON CONSTRAINT exam_point_ris_guid_check ON exam_point IS
	'ris_guid: must be the row''s GUID as the interop file spells it';
COMMENT ON CONSTRAINT exam_point_ris_deleted_check ON exam_point IS
	'ris_deleted: must be a deleted-row flag (0, 1, 2, 4, 5, 6, 7, 10, 11, 12)';
COMMENT ON CONSTRAINT exam_point_ris_school_guid_check ON exam_point IS
	'ris_school_guid: must be a GUID (8-4-4-4-12 hex digits)';
COMMENT ON CONSTRAINT exam_point_ris_msu_guid_check ON exam_point IS
	'ris_msu_guid: must be a GUID (8-4-4-4-12 hex digits)';
COMMENT ON CONSTRAINT exam_point_pcenter_guid_check ON exam_point IS
	'pcenter_guid: must be a GUID (8-4-4-4-12 hex digits)';
COMMENT ON CONSTRAINT exam_point_area_guid_check ON exam_point IS
	'area_guid: must be a GUID (8-4-4-4-12 hex digits)';
COMMENT ON CONSTRAINT exam_form_check ON exam IS 'form: must be 1 (ЕГЭ), 2 (ОГЭ) or 4 (ГВЭ)';
COMMENT ON CONSTRAINT exam_gia_check ON exam IS 'gia: must be 9 or 11';
COMMENT ON CONSTRAINT exam_form_gia_check ON exam IS 'gia: ЕГЭ is ГИА-11, ОГЭ is ГИА-9';
COMMENT ON CONSTRAINT exam_period_check ON exam IS
	'period: must be early, main, additional or reserve';
COMMENT ON CONSTRAINT exam_subject_code_check ON exam IS 'subject_code: must be 1 to 99';
COMMENT ON INDEX exam_unique IS
	'exam: the schedule already has this subject in this form on this date';
COMMENT ON INDEX exam_registration_unique IS
	'exam_id: the participant is already registered for this exam';
COMMENT ON CONSTRAINT exam_point_code_check ON exam_point IS 'code: must be 4 digits';
COMMENT ON INDEX exam_point_code_unique IS
	'code: another exam point of the region has this code';
COMMENT ON CONSTRAINT exam_point_capacity_check ON exam_point IS 'capacity: must be 1 to 5000';
COMMENT ON CONSTRAINT exam_point_at_home_check ON exam_point IS
	'capacity: must be at most 5 for a ППЭ на дому';
COMMENT ON CONSTRAINT exam_point_emails_check ON exam_point IS
	'emails: must be addresses name@domain.tld separated by ; or ,';
COMMENT ON CONSTRAINT auditorium_code_check ON auditorium IS 'code: must be 4 digits or letters';
COMMENT ON INDEX auditorium_code_unique IS
	'code: another auditorium of the exam point has this code';
COMMENT ON CONSTRAINT auditorium_rows_check ON auditorium IS 'rows: must be 1 to 50';
COMMENT ON CONSTRAINT auditorium_seats_per_row_check ON auditorium IS 'seats_per_row: must be 1 to 50';
COMMENT ON CONSTRAINT auditorium_capacity_check ON auditorium IS
	'seats_per_row: rows × seats must be at most 500';
COMMENT ON CONSTRAINT auditorium_unusable_seats_check ON auditorium IS
	'unusable_seats: distinct seat positions 1 to rows × seats, leaving at least one usable seat';
COMMENT ON CONSTRAINT staff_code_check ON staff IS 'code: must be 6 digits';
COMMENT ON INDEX staff_code_unique IS 'code: another staff member of the region has this code';
COMMENT ON CONSTRAINT staff_surname_check ON staff IS
	'surname: must start with a letter and hold only letters, spaces, hyphens, apostrophes and dots (at most 100)';
COMMENT ON CONSTRAINT staff_name_check ON staff IS
	'name: must start with a letter and hold only letters, spaces, hyphens, apostrophes and dots (at most 100)';
COMMENT ON CONSTRAINT staff_patronymic_check ON staff IS
	'patronymic: must start with a letter and hold only letters, spaces, hyphens, apostrophes and dots (at most 100)';
COMMENT ON CONSTRAINT staff_doc_series_check ON staff IS
	'doc_series: does not fit the document type (passport RF: 4 digits; birth certificate: IV-МЮ; international passport: 2 digits)';
COMMENT ON CONSTRAINT staff_doc_number_check ON staff IS
	'doc_number: does not fit the document type (passport RF and birth certificate: 6 digits; international passport: 7 digits)';
COMMENT ON CONSTRAINT staff_snils_check ON staff IS
	'snils: must be 11 digits with a matching control number';
COMMENT ON CONSTRAINT staff_roles_check ON staff IS
	'roles: one or more of head, organizer_in, organizer_out, technician, assistant, medic, gek';
COMMENT ON INDEX staff_point_unique IS
	'point_id: the staff member is already attached to this exam point';

-- ---- row rules the columns cannot state ---------------------------------------------------
-- Raised as SQLSTATE KT002, MESSAGE for people (fields, no values), DETAIL the status word.

-- ---- writes -------------------------------------------------------------------------------

