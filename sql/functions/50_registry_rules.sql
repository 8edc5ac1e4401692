-- 50_registry_rules: registry rules besides the CHECKs of 00_schema.sql: a document's
-- stored form, the exam registrations a participant's form and class allow, the registry
-- tables' triggers (a row's owner, what it hangs on, once per statement; a live row's
-- reason), likely duplicate people.

-- The stored form of a series / number as typed.
CREATE OR REPLACE FUNCTION karta_doc_norm(p_type smallint, s text, p_series boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
	WHEN p_type IN (1, 5) OR (p_type = 2 AND NOT p_series) THEN replace(s, ' ', '')
	WHEN p_type = 2 THEN regexp_replace(
		translate(upper(s), 'ІХСабвгдеёжзийклмнопрстуфхцчшщъыьэюя',
		                    'IXCАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ'),
		'^([IVXLC]+)[ -]?([А-ЯЁ]{2})$', '\1-\2')
	ELSE s END
$$;

-- May a participant of that form and class sit that exam? The form must be one of the
-- participant's (bit sets as kt_validate.h: 1 ЕГЭ, 2 ОГЭ, 4 ГВЭ, 8 other), and a known grade
-- must fit the exam's ГИА (9: grades up to 9, 11: grades 10–12). Each branch reads the grade
-- once (a regular expression; the form before sql/0029 read it twice):
-- grade = 0 OR (grade <= 9) = (gia = 9).
CREATE OR REPLACE FUNCTION karta_registration_ok(p_form smallint, p_class text, e_form smallint,
	e_gia smallint) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT (p_form & e_form) <> 0 AND CASE
		WHEN e_gia = 9 THEN karta_grade(p_class) <= 9
		WHEN e_gia IS NOT NULL THEN karta_grade(p_class) NOT IN (1, 2, 3, 4, 5, 6, 7, 8, 9)
		ELSE (karta_grade(p_class) = 0 OR NULL) END
$$;

-- ---- the registry tables' triggers -------------------------------------------------------
-- The owner's level, the owner for life, the owner of a dependent row taken from what it
-- hangs on, the region of per-region codes, a registration's form against the participant's:
-- once per statement over its rows (karta_registry_rows_check), the owner for life by a row
-- trigger that runs only when org_id changes, and for exam points and staff the region their
-- codes are unique in, set on the row (karta_registry_row_region).

-- A row's owner is its owner for life: <type>_org_kept, BEFORE UPDATE WHEN the owner changes.
CREATE OR REPLACE FUNCTION karta_registry_org_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
		MESSAGE = format('org: a %s stays with the organization that owns it', TG_TABLE_NAME);
END $$;

-- exam_point, staff: the owner's level, and region_id, set on the row (a BEFORE row trigger:
-- the column is NOT NULL and the codes' unique indexes read it).
CREATE OR REPLACE FUNCTION karta_registry_row_region() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	lvl text;
	reg bigint;
BEGIN
	SELECT o.level, coalesce(gp.id, p.id, o.id) INTO lvl, reg FROM organization o
	LEFT JOIN organization p ON p.id = o.parent_id
	LEFT JOIN organization gp ON gp.id = p.parent_id
	WHERE o.id = NEW.org_id;
	IF lvl IS DISTINCT FROM 'municipality' THEN
		RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
			MESSAGE = format('org: a %s belongs to a %s', TG_TABLE_NAME, karta_registry_level(TG_TABLE_NAME));
	END IF;
	NEW.region_id := reg;
	RETURN NEW;
END $$;

-- The other registry tables, AFTER each statement that inserts or updates rows (new_rows): the
-- first row, in the statement's order, that breaks a rule raises it — the rules of a row in
-- the order the row trigger before sql/0029 checked them, with its words (KT002). Before the
-- feed's triggers ("…_check_rows_…" < "…_feed_…"); the foreign keys (row triggers) have
-- fired by then.
CREATE OR REPLACE FUNCTION karta_registry_rows_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	t text := TG_TABLE_NAME::text;
	msg text;
	col text;
	val text;
	pid uuid[]; -- exam_registration: its participants, read once
	porg bigint[];
	pform smallint[];
	pclass text[];
BEGIN
	-- an INSERT of registrations whose statement proves every rule below for its rows
	-- (karta_rows_gds_reg: karta.rows_proven, set for that statement only)
	IF t = 'exam_registration' AND TG_OP = 'INSERT'
	   AND current_setting('karta.rows_proven', true) IS NOT DISTINCT FROM 'exam_registration' THEN
		RETURN NULL;
	END IF;
	IF t IN ('participant', 'exam') THEN -- the owner's level, the same words for every row
		SELECT format('org: a %s belongs to a %s', t, karta_registry_level(t)) INTO msg
		FROM (SELECT DISTINCT n.org_id FROM new_rows n) n LEFT JOIN organization o ON o.id = n.org_id
		WHERE o.level IS DISTINCT FROM karta_registry_level(t) LIMIT 1;
	ELSIF t = 'exam_registration' THEN -- each branch is planned only when reached
		-- the participants, each read once (a probe, not a scan of the table), and those and the
		-- exams referenced anew locked FOR KEY SHARE in id order as their foreign keys (before
		-- sql/0029) locked them: a concurrent put of the participant or the exam (FOR UPDATE)
		-- waits for this statement's transaction, and it for the put's
		IF TG_OP = 'INSERT' THEN
			SELECT array_agg(x.id), array_agg(x.org_id), array_agg(x.form), array_agg(x.class)
			INTO pid, porg, pform, pclass
			FROM (SELECT DISTINCT n.participant_id FROM new_rows n ORDER BY 1) d
			CROSS JOIN LATERAL (SELECT p.id, p.org_id, p.form, p.class FROM participant p
				WHERE p.id = d.participant_id LIMIT 1 FOR KEY SHARE) x;
			PERFORM 1 FROM exam e WHERE e.id IN (SELECT n.exam_id FROM new_rows n) ORDER BY e.id FOR KEY SHARE;
		ELSE
			PERFORM 1 FROM (SELECT DISTINCT n.participant_id FROM new_rows n WHERE NOT EXISTS (
				SELECT 1 FROM old_rows o WHERE o.participant_id = n.participant_id) ORDER BY 1) d
			CROSS JOIN LATERAL (SELECT 1 FROM participant p WHERE p.id = d.participant_id LIMIT 1
				FOR KEY SHARE) x;
			PERFORM 1 FROM exam e WHERE e.id IN (SELECT n.exam_id FROM new_rows n WHERE NOT EXISTS (
				SELECT 1 FROM old_rows o WHERE o.exam_id = n.exam_id)) ORDER BY e.id FOR KEY SHARE;
			SELECT array_agg(x.id), array_agg(x.org_id), array_agg(x.form), array_agg(x.class)
			INTO pid, porg, pform, pclass
			FROM (SELECT DISTINCT n.participant_id FROM new_rows n) d
			CROSS JOIN LATERAL (SELECT p.id, p.org_id, p.form, p.class FROM participant p
				WHERE p.id = d.participant_id LIMIT 1) x;
		END IF;
		WITH o AS MATERIALIZED ( -- the owners: their level and region, once each
			SELECT d.org_id, o.level, coalesce(gp.id, p.id, o.id) AS region
			FROM (SELECT DISTINCT n.org_id FROM new_rows n) d
			LEFT JOIN organization o ON o.id = d.org_id
			LEFT JOIN organization p ON p.id = o.parent_id
			LEFT JOIN organization gp ON gp.id = p.parent_id)
		SELECT x.msg INTO msg FROM (
			SELECT n.i, CASE
				WHEN o.level IS DISTINCT FROM 'school' THEN format('org: a %s belongs to a %s', t, 'school')
				WHEN p.org_id IS DISTINCT FROM n.org_id
					THEN 'participant_id: a registration belongs to the participant''s school'
				WHEN e.org_id IS DISTINCT FROM o.region -- the participant's school is the owner
					THEN 'exam_id: the exam is not in the participant''s region'
				WHEN n.deleted_at IS NULL AND NOT karta_registration_ok(p.form, p.class, e.form, e.gia)
					THEN 'exam_id: the exam''s form or ГИА (9/11) does not match the participant''s form and class'
				END AS msg
			FROM (SELECT n.org_id, n.participant_id, n.exam_id, n.deleted_at, row_number() OVER () AS i
			      FROM new_rows n) n
			JOIN o ON o.org_id = n.org_id
			LEFT JOIN unnest(pid, porg, pform, pclass) p(id, org_id, form, class) ON p.id = n.participant_id
			LEFT JOIN exam e ON e.id = n.exam_id) x
		WHERE x.msg IS NOT NULL ORDER BY x.i LIMIT 1;
	ELSIF t = 'auditorium' THEN -- the exam point's municipality
		SELECT x.msg INTO msg FROM (
			SELECT n.i, CASE
				WHEN o.level IS DISTINCT FROM 'municipality' THEN format('org: a %s belongs to a %s', t, 'municipality')
				WHEN ep.org_id IS DISTINCT FROM n.org_id
					THEN 'point_id: an auditorium belongs to its exam point''s municipality'
				END AS msg
			FROM (SELECT n.org_id, n.point_id, row_number() OVER () AS i FROM new_rows n) n
			LEFT JOIN organization o ON o.id = n.org_id
			LEFT JOIN exam_point ep ON ep.id = n.point_id) x
		WHERE x.msg IS NOT NULL ORDER BY x.i LIMIT 1;
	ELSE -- staff_point: the exam point's municipality, and the staff member's
		SELECT x.msg INTO msg FROM (
			SELECT n.i, CASE
				WHEN o.level IS DISTINCT FROM 'municipality' THEN format('org: a %s belongs to a %s', t, 'municipality')
				WHEN ep.org_id IS DISTINCT FROM n.org_id
					THEN 'point_id: a staff attachment belongs to its exam point''s municipality'
				WHEN s.org_id IS DISTINCT FROM n.org_id
					THEN 'staff_id: the staff member and the exam point belong to different municipalities'
				END AS msg
			FROM (SELECT n.org_id, n.point_id, n.staff_id, row_number() OVER () AS i FROM new_rows n) n
			LEFT JOIN organization o ON o.id = n.org_id
			LEFT JOIN exam_point ep ON ep.id = n.point_id
			LEFT JOIN LATERAL (SELECT s.org_id FROM staff s WHERE s.id = n.staff_id LIMIT 1) s ON true) x
		WHERE x.msg IS NOT NULL ORDER BY x.i LIMIT 1;
	END IF;
	IF msg IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad', MESSAGE = msg;
	END IF;
	-- the references no rule above reads (participant and exam_registration have no foreign
	-- keys since sql/0029: the rules read the owner, the participant and the exam), refused as
	-- the other statement checks refuse them (karta_refs_missing: SQLSTATE 23503, the column
	-- and value); nothing deletes organizations or devices
	IF t = 'participant' THEN
		SELECT r.c, r.v INTO col, val FROM (
			SELECT 'grad_org_id' AS c, d.v::text AS v
			FROM (SELECT DISTINCT n.grad_org_id AS v FROM new_rows n) d
			WHERE d.v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organization o WHERE o.id = d.v)
			UNION ALL
			SELECT 'updated_by', d.v::text FROM (SELECT DISTINCT n.updated_by AS v FROM new_rows n) d
			WHERE d.v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device x WHERE x.id = d.v)) r
		LIMIT 1;
	ELSIF t = 'exam_registration' THEN
		SELECT 'updated_by', d.v::text INTO col, val
		FROM (SELECT DISTINCT n.updated_by AS v FROM new_rows n) d
		WHERE d.v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device x WHERE x.id = d.v) LIMIT 1;
	END IF;
	IF col IS NOT NULL THEN
		PERFORM karta_refs_missing(t, col || ' ' || val);
	END IF;
	RETURN NULL;
END $$;

-- A participant's form or class, or an exam's form or ГИА, may not change under live
-- registrations that would then contradict it.
CREATE OR REPLACE FUNCTION karta_registration_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	clash boolean;
BEGIN
	IF TG_TABLE_NAME::text = 'participant' THEN
		clash := NEW.deleted_at IS NULL AND EXISTS (
			SELECT 1 FROM exam_registration r JOIN exam e ON e.id = r.exam_id
			WHERE r.participant_id = NEW.id AND r.deleted_at IS NULL
			  AND NOT karta_registration_ok(NEW.form, NEW.class, e.form, e.gia));
	ELSE -- exam (each branch is planned only when reached: NEW has the table's fields)
		clash := EXISTS (SELECT 1 FROM exam_registration r JOIN participant p ON p.id = r.participant_id
			WHERE r.exam_id = NEW.id AND r.deleted_at IS NULL
			  AND NOT karta_registration_ok(p.form, p.class, NEW.form, NEW.gia));
	END IF;
	IF clash THEN
		RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'precondition', MESSAGE = CASE TG_TABLE_NAME::text
			WHEN 'participant' THEN 'form: the participant is registered for exams the new form or class does not allow: delete those registrations first'
			ELSE 'form: participants registered for this exam do not sit that form or ГИА' END;
	END IF;
	RETURN NULL;
END $$;

-- On every registry table (karta_entity_types: those with an owner level): <type>_org_kept;
-- <type>_row_check (exam points, staff) or <type>_check_rows_insert and _update (the others).
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY karta_entity_list('registry') LOOP
		EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW WHEN (NEW.org_id <> OLD.org_id) '
			'EXECUTE FUNCTION karta_registry_org_kept()', t || '_org_kept', t);
		IF t IN ('exam_point', 'staff') THEN
			EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I FOR EACH ROW '
				'EXECUTE FUNCTION karta_registry_row_region()', t || '_row_check', t);
		ELSE
			EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
				'FOR EACH STATEMENT EXECUTE FUNCTION karta_registry_rows_check()', t || '_check_rows_insert', t);
			EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
				'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_registry_rows_check()',
				t || '_check_rows_update', t);
		END IF;
	END LOOP;
END $$;

-- AFTER, named to fire before the feed triggers ("participant_f…" > "participant_c…"); called
-- only for a row whose form or class (gia) changed: an update that writes them unchanged (a
-- put writes every column) costs no call.
CREATE TRIGGER participant_check_registrations AFTER UPDATE OF form, class ON participant
	FOR EACH ROW WHEN (OLD.form IS DISTINCT FROM NEW.form OR OLD.class IS DISTINCT FROM NEW.class)
	EXECUTE FUNCTION karta_registration_recheck();

CREATE TRIGGER exam_check_registrations AFTER UPDATE OF form, gia ON exam
	FOR EACH ROW WHEN (OLD.form IS DISTINCT FROM NEW.form OR OLD.gia IS DISTINCT FROM NEW.gia)
	EXECUTE FUNCTION karta_registration_recheck();

-- A live row has no deletion reason (a put never sets one).
CREATE OR REPLACE FUNCTION karta_registry_live_reason() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.deleted_at IS NULL THEN
		NEW.deleted_reason := '';
	END IF;
	RETURN NEW;
END $$;

-- On every registry table: those with a deleted_reason (sql/0010); called only for a live row
-- with a reason (the WHEN clause costs no call for the others).
DO $$
DECLARE
	t text;
BEGIN
	FOR t IN SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE a.attname = 'deleted_reason' AND c.relkind = 'r' AND NOT a.attisdropped
		  AND c.relnamespace = current_schema()::regnamespace ORDER BY 1 LOOP
		EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I FOR EACH ROW '
			'WHEN (NEW.deleted_at IS NULL AND NEW.deleted_reason IS DISTINCT FROM %L) '
			'EXECUTE FUNCTION karta_registry_live_reason()', t || '_live_reason', t, '');
	END LOOP;
END $$;

-- ---- duplicates ---------------------------------------------------------------------------
-- The same person entered twice (ПФ data quality): same folded surname, name, patronymic and
-- birth date, or the same document, or the same СНИЛС — among the live participants a device
-- may read whole (its organization and those below: a municipality its schools', the region
-- all). Both rows must be readable, so a municipality never learns of a match in another
-- municipality. One row per pair; match lists why (name_birth, document, snils); org_a and
-- org_b are the schools' codes (equal when one school entered the person twice). No personal
-- values: the client has both rows in its replica.
CREATE OR REPLACE FUNCTION karta_participant_duplicates(p_device bigint)
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
