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

CREATE FUNCTION karta_registry_type(p_type text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT p_type IN ('participant', 'exam', 'exam_registration', 'exam_point', 'auditorium',
		'staff', 'staff_point')
$$;

-- The level of the organization that owns a row of the type.
CREATE FUNCTION karta_registry_level(p_type text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN p_type IN ('participant', 'exam_registration') THEN 'school'
		WHEN p_type = 'exam' THEN 'region'
		WHEN p_type IN ('exam_point', 'auditorium', 'staff', 'staff_point') THEN 'municipality'
	END
$$;

-- Registry types the organizations below read from an ancestor's feed (the schedule and the
-- places: a school must see where and when its participants sit). Never personal data.
CREATE FUNCTION karta_registry_shared(p_type text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT p_type IN ('exam', 'exam_point', 'auditorium')
$$;

-- The region an organization is in (itself for a region).
CREATE FUNCTION karta_org_region(p_org bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT coalesce(gp.id, p.id, o.id) FROM organization o
	LEFT JOIN organization p ON p.id = o.parent_id
	LEFT JOIN organization gp ON gp.id = p.parent_id
	WHERE o.id = p_org
$$;

-- p_owner seen from p_actor: 'self', 'below' (a descendant), 'above' (an ancestor), 'none'.
CREATE FUNCTION karta_org_relation(p_actor bigint, p_owner bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE
	WHEN p_actor = p_owner THEN 'self'
	WHEN EXISTS (SELECT 1 FROM organization o LEFT JOIN organization op ON op.id = o.parent_id
	             WHERE o.id = p_owner AND (o.parent_id = p_actor OR op.parent_id = p_actor))
		THEN 'below'
	WHEN EXISTS (SELECT 1 FROM organization a LEFT JOIN organization ap ON ap.id = a.parent_id
	             WHERE a.id = p_actor AND (a.parent_id = p_owner OR ap.parent_id = p_owner))
		THEN 'above'
	ELSE 'none' END
$$;

-- What an organization may do with a registry row of p_type owned by p_owner: write | read |
-- none. Own rows: write. Below: the region writes, a municipality reads its schools'. Above:
-- the shared types (exams, exam points, auditoriums) are read, the rest is invisible — the
-- same rule as the feeds. A viewer device never writes.
CREATE FUNCTION karta_registry_access(p_org bigint, p_level text, p_role text, p_type text,
	p_owner bigint) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN acc = 'write' AND p_role = 'viewer' THEN 'read' ELSE acc END
	FROM (SELECT CASE karta_org_relation(p_org, p_owner)
		WHEN 'self' THEN 'write'
		WHEN 'below' THEN CASE WHEN p_level = 'region' THEN 'write' ELSE 'read' END
		WHEN 'above' THEN CASE WHEN karta_registry_shared(p_type) THEN 'read' ELSE 'none' END
		ELSE 'none' END AS acc) x
$$;

-- Personal names (kt_check_name): a letter first, then letters (Latin, Cyrillic), spaces,
-- hyphens, apostrophes, dots; at most 100 characters. Explicit ranges: no locale involved.
CREATE FUNCTION karta_name_ok(s text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT s ~ '^[A-Za-zÀ-ÖØ-öø-ɏЀ-ӿ][A-Za-zÀ-ÖØ-öø-ɏЀ-ӿ .''’-]*$' AND length(s) <= 100
$$;

-- СНИЛС as stored (11 digits, kt_check_snils): not all zeros; the control number is the sum
-- of digit × (9 − position) over the first nine, mod 101, 100 and 101 → 00; numbers up to
-- 001-001-998 predate control numbers.
CREATE FUNCTION karta_snils_ok(s text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
	WHEN s IS NULL OR s !~ '^[0-9]{11}$' OR substr(s, 1, 9) = '000000000' THEN false
	WHEN substr(s, 1, 9) <= '001001998' THEN true
	ELSE substr(s, 10, 2)::int = (
		SELECT CASE WHEN m IN (100, 101) THEN 0 ELSE m END
		FROM (SELECT CASE WHEN t > 101 THEN t % 101 ELSE t END AS m
		      FROM (SELECT sum(substr(s, i, 1)::int * (10 - i))::int AS t
		            FROM generate_series(1, 9) i) x) y)
	END
$$;

-- Grade of a class ("9", "11А", "11 Б", "9-B") 1..12, 0 when not a grade (kt_grade_parse).
CREATE FUNCTION karta_grade(s text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN g BETWEEN 1 AND 12 THEN g ELSE 0 END
	FROM (SELECT (substring(s FROM '^([0-9]{1,2})(?:[ -]?[A-Za-zА-ЯЁа-яё])?$'))::int AS g) x
$$;

-- Documents (kt_check_doc_series / kt_check_doc_number), on the stored form: spaces dropped
-- from the numeric ones, a birth certificate's series as ROMAN-ЛЛ.
CREATE FUNCTION karta_doc_series_ok(p_type smallint, s text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_type
	WHEN 1 THEN s ~ '^[0-9]{4}$'
	WHEN 5 THEN s ~ '^[0-9]{2}$'
	WHEN 2 THEN s ~ '^(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})-[А-ЯЁ]{2}$' AND s !~ '^-'
	ELSE s ~ '^[A-Za-zÀ-ÖØ-öø-ɏЀ-ӿ0-9 ./№-]{0,20}$' END
$$;
CREATE FUNCTION karta_doc_number_ok(p_type smallint, s text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_type
	WHEN 1 THEN s ~ '^[0-9]{6}$'
	WHEN 2 THEN s ~ '^[0-9]{6}$'
	WHEN 5 THEN s ~ '^[0-9]{7}$'
	ELSE s ~ '^[A-Za-zÀ-ÖØ-öø-ɏЀ-ӿ0-9 ./№-]{1,30}$' END
$$;
-- The stored form of a series / number as typed.
CREATE FUNCTION karta_doc_norm(p_type smallint, s text, p_series boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
	WHEN p_type IN (1, 5) OR (p_type = 2 AND NOT p_series) THEN replace(s, ' ', '')
	WHEN p_type = 2 THEN regexp_replace(
		translate(upper(s), 'ІХСабвгдеёжзийклмнопрстуфхцчшщъыьэюя',
		                    'IXCАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ'),
		'^([IVXLC]+)[ -]?([А-ЯЁ]{2})$', '\1-\2')
	ELSE s END
$$;

-- Keys for duplicate search: names folded (case, ё, punctuation; locale-independent) with the
-- birth date; a document by type and its letters and digits.
CREATE FUNCTION karta_fold(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT btrim(regexp_replace(lower(translate(coalesce(s, ''),
		'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯё',
		'абвгдеежзийклмнопрстуфхцчшщъыьэюяе')), '[ .''’-]+', ' ', 'g'))
$$;
CREATE FUNCTION karta_person_key(p_surname text, p_name text, p_patronymic text, p_birth date)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT karta_fold(p_surname) || '|' || karta_fold(p_name) || '|' || karta_fold(p_patronymic)
		|| '|' || p_birth::text
$$;
CREATE FUNCTION karta_doc_key(p_type smallint, p_series text, p_number text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN coalesce(p_number, '') = '' THEN NULL ELSE p_type::text || ':'
		|| upper(regexp_replace(coalesce(p_series, '') || coalesce(p_number, ''), '[ ./№-]', '', 'g')) END
$$;

-- Unusable seats: positions (row − 1) × seats + place, 1-based, distinct, at least one seat
-- left usable (kt_auditorium_check).
CREATE FUNCTION karta_seats_ok(p_seats int[], p_rows int, p_per_row int) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(cardinality(p_seats), 0) < p_rows * p_per_row
		AND NOT EXISTS (SELECT 1 FROM unnest(p_seats) s WHERE s IS NULL OR s < 1 OR s > p_rows * p_per_row)
		AND (SELECT count(DISTINCT s) FROM unnest(p_seats) s) = coalesce(cardinality(p_seats), 0)
$$;

-- Staff roles in the ППЭ (kt_staff_role 1..7, in that order).
CREATE FUNCTION karta_staff_roles() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
	SELECT '{head,organizer_in,organizer_out,technician,assistant,medic,gek}'::text[]
$$;

-- May a participant of that form and class sit that exam? The form must be one of the
-- participant's (bit sets as kt_validate.h: 1 ЕГЭ, 2 ОГЭ, 4 ГВЭ, 8 other), and a known grade
-- must fit the exam's ГИА (9: grades up to 9, 11: grades 10–12).
CREATE FUNCTION karta_registration_ok(p_form smallint, p_class text, e_form smallint,
	e_gia smallint) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT (p_form & e_form) <> 0
		AND (karta_grade(p_class) = 0 OR (karta_grade(p_class) <= 9) = (e_gia = 9))
$$;

-- An interop GUID as a file wrote it (kt_check_guid: 8-4-4-4-12 hex, braces allowed, any case);
-- '' when not given.
CREATE FUNCTION karta_guid_text_ok(s text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT s = '' OR s ~ '^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$'
$$;

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

-- The owner's level, the owner for life, the owner of a dependent row taken from what it
-- hangs on, the region of per-region codes, a registration's form against the participant's.
CREATE FUNCTION karta_registry_row_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	t text := TG_TABLE_NAME::text;
	lvl text;
	p participant;
	e exam;
	other bigint;
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.org_id <> OLD.org_id THEN
		RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
			MESSAGE = format('org: a %s stays with the organization that owns it', t);
	END IF;
	SELECT o.level INTO lvl FROM organization o WHERE o.id = NEW.org_id;
	IF lvl IS DISTINCT FROM karta_registry_level(t) THEN
		RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
			MESSAGE = format('org: a %s belongs to a %s', t, karta_registry_level(t));
	END IF;
	IF t IN ('exam_point', 'staff') THEN
		NEW.region_id := karta_org_region(NEW.org_id);
	ELSIF t = 'auditorium' THEN
		SELECT x.org_id INTO other FROM exam_point x WHERE x.id = NEW.point_id;
		IF other IS DISTINCT FROM NEW.org_id THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
				MESSAGE = 'point_id: an auditorium belongs to its exam point''s municipality';
		END IF;
	ELSIF t = 'staff_point' THEN
		SELECT x.org_id INTO other FROM exam_point x WHERE x.id = NEW.point_id;
		IF other IS DISTINCT FROM NEW.org_id THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
				MESSAGE = 'point_id: a staff attachment belongs to its exam point''s municipality';
		END IF;
		SELECT x.org_id INTO other FROM staff x WHERE x.id = NEW.staff_id;
		IF other IS DISTINCT FROM NEW.org_id THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
				MESSAGE = 'staff_id: the staff member and the exam point belong to different municipalities';
		END IF;
	ELSIF t = 'exam_registration' THEN
		SELECT * INTO p FROM participant x WHERE x.id = NEW.participant_id;
		SELECT * INTO e FROM exam x WHERE x.id = NEW.exam_id;
		IF p.org_id IS DISTINCT FROM NEW.org_id THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
				MESSAGE = 'participant_id: a registration belongs to the participant''s school';
		END IF;
		IF e.org_id IS DISTINCT FROM karta_org_region(p.org_id) THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
				MESSAGE = 'exam_id: the exam is not in the participant''s region';
		END IF;
		IF NEW.deleted_at IS NULL AND NOT karta_registration_ok(p.form, p.class, e.form, e.gia) THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
				MESSAGE = 'exam_id: the exam''s form or ГИА (9/11) does not match the participant''s form and class';
		END IF;
	END IF;
	RETURN NEW;
END $$;

-- A participant's form or class, or an exam's form or ГИА, may not change under live
-- registrations that would then contradict it.
CREATE FUNCTION karta_registration_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME::text = 'participant' THEN
		IF NEW.deleted_at IS NULL AND EXISTS (
			SELECT 1 FROM exam_registration r JOIN exam e ON e.id = r.exam_id
			WHERE r.participant_id = NEW.id AND r.deleted_at IS NULL
			  AND NOT karta_registration_ok(NEW.form, NEW.class, e.form, e.gia)) THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'precondition',
				MESSAGE = 'form: the participant is registered for exams the new form or class does not allow: delete those registrations first';
		END IF;
	ELSE -- exam (each branch is planned only when reached: NEW has the table's fields)
		IF EXISTS (
			SELECT 1 FROM exam_registration r JOIN participant p ON p.id = r.participant_id
			WHERE r.exam_id = NEW.id AND r.deleted_at IS NULL
			  AND NOT karta_registration_ok(p.form, p.class, NEW.form, NEW.gia)) THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'precondition',
				MESSAGE = 'form: participants registered for this exam do not sit that form or ГИА';
		END IF;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER participant_row_check BEFORE INSERT OR UPDATE ON participant
	FOR EACH ROW EXECUTE FUNCTION karta_registry_row_check();
CREATE TRIGGER exam_row_check BEFORE INSERT OR UPDATE ON exam
	FOR EACH ROW EXECUTE FUNCTION karta_registry_row_check();
CREATE TRIGGER exam_registration_row_check BEFORE INSERT OR UPDATE ON exam_registration
	FOR EACH ROW EXECUTE FUNCTION karta_registry_row_check();
CREATE TRIGGER exam_point_row_check BEFORE INSERT OR UPDATE ON exam_point
	FOR EACH ROW EXECUTE FUNCTION karta_registry_row_check();
CREATE TRIGGER auditorium_row_check BEFORE INSERT OR UPDATE ON auditorium
	FOR EACH ROW EXECUTE FUNCTION karta_registry_row_check();
CREATE TRIGGER staff_row_check BEFORE INSERT OR UPDATE ON staff
	FOR EACH ROW EXECUTE FUNCTION karta_registry_row_check();
CREATE TRIGGER staff_point_row_check BEFORE INSERT OR UPDATE ON staff_point
	FOR EACH ROW EXECUTE FUNCTION karta_registry_row_check();
-- AFTER, named to fire before the feed triggers ("participant_f…" > "participant_c…").
CREATE TRIGGER participant_check_registrations AFTER UPDATE OF form, class ON participant
	FOR EACH ROW EXECUTE FUNCTION karta_registration_recheck();
CREATE TRIGGER exam_check_registrations AFTER UPDATE OF form, gia ON exam
	FOR EACH ROW EXECUTE FUNCTION karta_registration_recheck();

-- ---- feeds --------------------------------------------------------------------------------
-- One trigger function for the seven tables: the entity type is the table's name, the feed is
-- the owner's, a soft delete (deleted_at set) is op 'delete'. Lock order as in 0005: the
-- AFTER triggers are named after the RI ones, so referenced rows are locked before the feed.
CREATE FUNCTION karta_feed_registry() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	n jsonb := to_jsonb(NEW);
BEGIN
	PERFORM karta_feed_append(NEW.org_id, TG_TABLE_NAME::text, NEW.id,
		CASE WHEN TG_OP = 'INSERT' THEN 'insert'
		     WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'delete'
		     ELSE 'update' END,
		NEW.row_version,
		CASE WHEN TG_OP = 'UPDATE' THEN karta_changed_fields(to_jsonb(OLD), n) END,
		n, NEW.updated_by);
	RETURN NULL;
END $$;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['participant', 'exam', 'exam_registration', 'exam_point',
		'auditorium', 'staff', 'staff_point'] LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I FOR EACH ROW '
			'EXECUTE FUNCTION karta_feed_registry()', t || '_feed_insert', t);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I FOR EACH ROW '
			'WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION karta_feed_registry()',
			t || '_feed_update', t);
	END LOOP;
END $$;

-- The entity types an ancestor's feed shows below (scope 'plans'): 0007's, plus the
-- registry rows everyone below needs (the exam schedule, exam points, their auditoriums).
-- Participants, registrations and staff are personal data: never shared downwards or
-- sideways, only read by the owner and the organizations above it (scope 'all').
CREATE OR REPLACE FUNCTION karta_plan_entity(p_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_type IN ('plan', 'plan_section', 'plan_item', 'abbreviation', 'report_request',
		'exam', 'exam_point', 'auditorium')
$$;

-- Snapshots (karta_snapshot) include the registries.
CREATE VIEW karta_feed_rows_registries AS
	SELECT x.org_id, 'participant'::text AS entity_type, x.id AS entity_id, x.row_version,
		to_jsonb(x) AS payload
	FROM participant x
	UNION ALL
	SELECT x.org_id, 'exam', x.id, x.row_version, to_jsonb(x) FROM exam x
	UNION ALL
	SELECT x.org_id, 'exam_registration', x.id, x.row_version, to_jsonb(x)
	FROM exam_registration x
	UNION ALL
	SELECT x.org_id, 'exam_point', x.id, x.row_version, to_jsonb(x) FROM exam_point x
	UNION ALL
	SELECT x.org_id, 'auditorium', x.id, x.row_version, to_jsonb(x) FROM auditorium x
	UNION ALL
	SELECT x.org_id, 'staff', x.id, x.row_version, to_jsonb(x) FROM staff x
	UNION ALL
	SELECT x.org_id, 'staff_point', x.id, x.row_version, to_jsonb(x) FROM staff_point x;
CREATE OR REPLACE VIEW karta_feed_rows AS
	SELECT * FROM karta_feed_rows_plans UNION ALL SELECT * FROM karta_feed_rows_reports
	UNION ALL SELECT * FROM karta_feed_rows_registries;

-- ---- writes -------------------------------------------------------------------------------

-- The message of a refused constraint or unique index: its comment (field: rule), or the
-- field its name carries.
CREATE FUNCTION karta_registry_message(p_table text, p_name text) RETURNS text
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
CREATE FUNCTION karta_registry_input(p_type text, a jsonb) RETURNS jsonb
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
CREATE FUNCTION karta_registry_org_arg(a jsonb, p_key text) RETURNS bigint
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
CREATE FUNCTION karta_registry_put(p_device bigint, p_type text, a jsonb)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	rid uuid;
	base bigint;
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
	hist boolean := false;
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
	-- an interop history row (deleted-row flag not 0): stored deleted, may update a deleted row
	hist := p_type IN ('participant', 'exam_point') AND coalesce(a->>'ris_deleted', '') ~ '^0*[1-9][0-9]*$';
	BEGIN
		rid := (a->>'id')::uuid;
		base := coalesce(nullif(a->>'base', ''), '0')::bigint;
	EXCEPTION WHEN OTHERS THEN
		RETURN QUERY SELECT 'bad', 'id must be a uuid and base a whole number', NULL::uuid; RETURN;
	END;
	IF rid IS NULL THEN
		RETURN QUERY SELECT 'bad', 'id is required', NULL::uuid; RETURN;
	END IF;
	EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE t.id = $1 FOR UPDATE', p_type) INTO cur USING rid;
	IF cur IS NOT NULL THEN
		acc := karta_registry_access(act.org_id, act.level, act.role, p_type, (cur->>'org_id')::bigint);
		IF acc = 'none' THEN
			RETURN QUERY SELECT 'not_found', format('no %s %s', p_type, rid), rid; RETURN;
		ELSIF base = 0 THEN
			RETURN QUERY SELECT 'conflict', format('a %s with this id exists', p_type), rid; RETURN;
		ELSIF acc <> 'write' THEN
			RETURN QUERY SELECT 'denied', format('no write access to this %s', p_type), rid; RETURN;
		ELSIF cur->>'deleted_at' IS NOT NULL AND NOT hist THEN
			RETURN QUERY SELECT 'conflict', format('the %s was deleted', p_type), rid; RETURN;
		ELSIF (cur->>'row_version')::bigint <> base THEN
			RETURN QUERY SELECT 'conflict', format('%s changed since version %s (now %s)', p_type,
				base, cur->>'row_version'), rid;
			RETURN;
		END IF;
	ELSIF base <> 0 THEN
		RETURN QUERY SELECT 'not_found', format('no %s %s', p_type, rid), rid; RETURN;
	END IF;

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
			IF ref IS NULL OR karta_registry_access(act.org_id, act.level, act.role, 'participant',
			                                       (ref->>'org_id')::bigint) = 'none' THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'not_found',
					MESSAGE = format('participant_id: no participant %s', nr->>'participant_id');
			END IF;
			owner := (ref->>'org_id')::bigint;
			IF ref->>'deleted_at' IS NOT NULL THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'precondition',
					MESSAGE = 'participant_id: the participant was deleted';
			ELSIF (ref->>'blocked')::boolean AND (cur IS NULL OR j ? 'exam_id' OR j ? 'participant_id') THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'precondition',
					MESSAGE = 'participant_id: the participant is blocked';
			END IF;
			SELECT to_jsonb(e) INTO ref FROM exam e WHERE e.id = (nr->>'exam_id')::uuid;
			IF ref IS NULL OR karta_registry_access(act.org_id, act.level, act.role, 'exam',
			                                       (ref->>'org_id')::bigint) = 'none' THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'not_found',
					MESSAGE = format('exam_id: no exam %s', nr->>'exam_id');
			ELSIF ref->>'deleted_at' IS NOT NULL THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'precondition',
					MESSAGE = 'exam_id: the exam was deleted';
			END IF;
		ELSE -- auditorium, staff_point: the exam point's municipality
			SELECT to_jsonb(p) INTO ref FROM exam_point p WHERE p.id = (nr->>'point_id')::uuid;
			IF ref IS NULL OR karta_registry_access(act.org_id, act.level, act.role, 'exam_point',
			                                       (ref->>'org_id')::bigint) = 'none' THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'not_found',
					MESSAGE = format('point_id: no exam point %s', nr->>'point_id');
			ELSIF ref->>'deleted_at' IS NOT NULL THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'precondition',
					MESSAGE = 'point_id: the exam point was deleted';
			END IF;
			owner := (ref->>'org_id')::bigint;
			IF p_type = 'staff_point' THEN
				SELECT to_jsonb(s) INTO ref FROM staff s WHERE s.id = (nr->>'staff_id')::uuid;
				IF ref IS NULL OR karta_registry_access(act.org_id, act.level, act.role, 'staff',
				                                       (ref->>'org_id')::bigint) = 'none' THEN
					RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'not_found',
						MESSAGE = format('staff_id: no staff member %s', nr->>'staff_id');
				ELSIF ref->>'deleted_at' IS NOT NULL THEN
					RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'precondition',
						MESSAGE = 'staff_id: the staff member was deleted';
				END IF;
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

		-- organizations referred to
		IF p_type = 'exam_point' THEN
			x := karta_registry_org_arg(a, 'host_org');
			IF x IS NOT NULL THEN
				IF NOT EXISTS (SELECT 1 FROM organization o WHERE o.id = x AND o.level = 'school'
				               AND o.parent_id = owner) THEN
					RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
						MESSAGE = 'host_org: must be a school of the exam point''s municipality';
				END IF;
				nr := nr || jsonb_build_object('host_org_id', x);
			ELSIF a ? 'host_org' OR a ? 'host_org_id' THEN
				nr := nr || '{"host_org_id": null}';
			END IF;
		ELSIF p_type = 'participant' THEN
			x := karta_registry_org_arg(a, 'grad_org');
			IF x IS NOT NULL THEN
				IF NOT EXISTS (SELECT 1 FROM organization o WHERE o.id = x AND o.level = 'school'
				               AND karta_org_region(o.id) = karta_org_region(owner)) THEN
					RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
						MESSAGE = 'grad_org: must be a school of the region';
				END IF;
				nr := nr || jsonb_build_object('grad_org_id', x);
			ELSIF a ? 'grad_org' OR a ? 'grad_org_id' THEN
				nr := nr || '{"grad_org_id": null}';
			END IF;
		ELSIF p_type = 'staff' THEN
			x := karta_registry_org_arg(a, 'workplace_org');
			IF x IS NOT NULL THEN
				IF x = -1 OR karta_org_region(x) <> karta_org_region(owner) THEN
					RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
						MESSAGE = 'workplace_org: must be an organization of the region';
				END IF;
				nr := nr || jsonb_build_object('workplace_org_id', x);
			ELSIF a ? 'workplace_org' OR a ? 'workplace_org_id' THEN
				nr := nr || '{"workplace_org_id": null}';
			END IF;
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
				IF p_type = 'participant' THEN
					UPDATE exam_registration r SET deleted_at = now(), row_version = r.row_version + 1,
						updated_at = now(), updated_by = p_device
					WHERE r.participant_id = rid AND r.deleted_at IS NULL;
				ELSE
					UPDATE staff_point s SET deleted_at = now(), row_version = s.row_version + 1,
						updated_at = now(), updated_by = p_device
					WHERE s.point_id = rid AND s.deleted_at IS NULL;
					UPDATE auditorium x SET deleted_at = now(), row_version = x.row_version + 1,
						updated_at = now(), updated_by = p_device
					WHERE x.point_id = rid AND x.deleted_at IS NULL;
				END IF;
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

-- Soft-delete one registry row. a: {"id": uuid, "base": n (optional: when given, a different
-- current version is a conflict)}. What hangs on the row in the same feed goes with it: a
-- participant's registrations, an exam point's auditoriums and staff attachments, a staff
-- member's attachments. An exam with live registrations (other schools' feeds) is refused.
CREATE FUNCTION karta_registry_delete(p_device bigint, p_type text, a jsonb)
RETURNS TABLE (status text, message text, id uuid) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	act record;
	rid uuid;
	base bigint;
	cur jsonb;
	acc text;
	n bigint;
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
	EXCEPTION WHEN OTHERS THEN
		RETURN QUERY SELECT 'bad', 'id must be a uuid and base a whole number', NULL::uuid; RETURN;
	END;
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
	-- dependants first, in the same feed (the owner's)
	IF p_type = 'participant' THEN
		UPDATE exam_registration r SET deleted_at = now(), row_version = r.row_version + 1,
			updated_at = now(), updated_by = p_device
		WHERE r.participant_id = rid AND r.deleted_at IS NULL;
	ELSIF p_type = 'exam_point' THEN
		UPDATE staff_point s SET deleted_at = now(), row_version = s.row_version + 1,
			updated_at = now(), updated_by = p_device
		WHERE s.point_id = rid AND s.deleted_at IS NULL;
		UPDATE auditorium x SET deleted_at = now(), row_version = x.row_version + 1,
			updated_at = now(), updated_by = p_device
		WHERE x.point_id = rid AND x.deleted_at IS NULL;
	ELSIF p_type = 'staff' THEN
		UPDATE staff_point s SET deleted_at = now(), row_version = s.row_version + 1,
			updated_at = now(), updated_by = p_device
		WHERE s.staff_id = rid AND s.deleted_at IS NULL;
	END IF;
	EXECUTE format('UPDATE %I t SET deleted_at = now(), row_version = t.row_version + 1, '
		'updated_at = now(), updated_by = $2 WHERE t.id = $1', p_type) USING rid, p_device;
	RETURN QUERY SELECT 'ok', 'deleted', rid;
END $$;

-- ---- duplicates ---------------------------------------------------------------------------
-- The same person entered twice (ПФ data quality): same folded surname, name, patronymic and
-- birth date, or the same document, or the same СНИЛС — among the live participants a device
-- may read whole (its organization and those below: a municipality its schools', the region
-- all). Both rows must be readable, so a municipality never learns of a match in another
-- municipality. One row per pair; match lists why (name_birth, document, snils); org_a and
-- org_b are the schools' codes (equal when one school entered the person twice). No personal
-- values: the client has both rows in its replica.
CREATE FUNCTION karta_participant_duplicates(p_device bigint)
RETURNS TABLE (match text[], participant_a uuid, org_a text, participant_b uuid, org_b text)
LANGUAGE sql STABLE AS $$
	WITH vis AS (SELECT v.org_id, v.code FROM karta_feed_visible(p_device) v WHERE v.scope = 'all'),
	p AS MATERIALIZED (
		SELECT x.id, vis.code, karta_person_key(x.surname, x.name, x.patronymic, x.birth_date) AS pk,
			karta_doc_key(x.doc_type, x.doc_series, x.doc_number) AS dk, nullif(x.snils, '') AS sn
		FROM participant x JOIN vis ON vis.org_id = x.org_id WHERE x.deleted_at IS NULL),
	pairs AS ( -- each pair once, the school codes in order
		SELECT a.id AS ai, a.code AS ca, b.id AS bi, b.code AS cb, 'name_birth' AS m
		FROM p a JOIN p b ON a.pk = b.pk AND (a.code, a.id) < (b.code, b.id)
		UNION ALL
		SELECT a.id, a.code, b.id, b.code, 'document'
		FROM p a JOIN p b ON a.dk = b.dk AND (a.code, a.id) < (b.code, b.id)
		UNION ALL
		SELECT a.id, a.code, b.id, b.code, 'snils'
		FROM p a JOIN p b ON a.sn = b.sn AND (a.code, a.id) < (b.code, b.id))
	SELECT array_agg(pairs.m ORDER BY pairs.m), pairs.ai, pairs.ca, pairs.bi, pairs.cb
	FROM pairs GROUP BY pairs.ai, pairs.ca, pairs.bi, pairs.cb
	ORDER BY pairs.ca, pairs.cb, pairs.ai, pairs.bi
$$;

-- ---- uploads: registry writes are RecordOps (op_kind, 0007) ------------------------------
-- a: {"type": <table>, "id", "base"?, <column>: value …}. The version returned is the row's
-- after the write.
CREATE FUNCTION karta_registry_version(p_type text, p_id uuid) RETURNS bigint
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

CREATE FUNCTION karta_registry_put_op(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT r.status, r.message, r.id,
		CASE WHEN r.status = 'ok' THEN karta_registry_version(a->>'type', r.id) END
	FROM karta_registry_put(p_device, a->>'type', a - 'type') r
$$;

CREATE FUNCTION karta_registry_delete_op(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT r.status, r.message, r.id,
		CASE WHEN r.status = 'ok' THEN karta_registry_version(a->>'type', r.id) END
	FROM karta_registry_delete(p_device, a->>'type', a - 'type') r
$$;

INSERT INTO op_kind(kind, fn) VALUES
	('registry_put', 'karta_registry_put_op'),
	('registry_delete', 'karta_registry_delete_op');
