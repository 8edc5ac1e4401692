-- bench/registry_apply_0028.sql: the registry tables' own rules as they were before sql/0029
-- (sql/functions at c3f83f6), in a schema of the bench's own, so that bench/registry_apply.sh
-- times "before" and "now" side by side in one session: the plpgsql row trigger
-- karta_registry_row_check (here bench_0028.row_check), the live reason's trigger called for
-- every row, and the indexes on karta_person_key (date::text: not inlined) and karta_doc_key
-- (a regular expression). bench_0028.as_before(TABLE) is the DDL that puts TABLE back in that
-- state; the bench runs it in a subtransaction it rolls back.
CREATE SCHEMA bench_0028;

CREATE FUNCTION bench_0028.registration_ok(p_form smallint, p_class text, e_form smallint,
	e_gia smallint) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT (p_form & e_form) <> 0
		AND (karta_grade(p_class) = 0 OR (karta_grade(p_class) <= 9) = (e_gia = 9))
$$;

CREATE FUNCTION bench_0028.person_key(p_surname text, p_name text, p_patronymic text, p_birth date)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT karta_fold(p_surname) || '|' || karta_fold(p_name) || '|' || karta_fold(p_patronymic)
		|| '|' || p_birth::text
$$;

CREATE FUNCTION bench_0028.doc_key(p_type smallint, p_series text, p_number text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN coalesce(p_number, '') = '' THEN NULL ELSE p_type::text || ':'
		|| upper(regexp_replace(coalesce(p_series, '') || coalesce(p_number, ''), '[ ./№-]', '', 'g')) END
$$;

CREATE FUNCTION bench_0028.row_check() RETURNS trigger LANGUAGE plpgsql AS $$
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
	ELSIF t IN ('auditorium', 'staff_point') THEN
		SELECT x.org_id INTO other FROM exam_point x WHERE x.id = NEW.point_id;
		IF other IS DISTINCT FROM NEW.org_id THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad', MESSAGE = CASE t
				WHEN 'auditorium' THEN 'point_id: an auditorium belongs to its exam point''s municipality'
				ELSE 'point_id: a staff attachment belongs to its exam point''s municipality' END;
		END IF;
		IF t = 'staff_point' THEN -- and its staff member's (NEW.staff_id read only here)
			SELECT x.org_id INTO other FROM staff x WHERE x.id = NEW.staff_id;
			IF other IS DISTINCT FROM NEW.org_id THEN
				RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
					MESSAGE = 'staff_id: the staff member and the exam point belong to different municipalities';
			END IF;
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
		IF NEW.deleted_at IS NULL AND NOT bench_0028.registration_ok(p.form, p.class, e.form, e.gia) THEN
			RAISE EXCEPTION USING ERRCODE = 'KT002', DETAIL = 'bad',
				MESSAGE = 'exam_id: the exam''s form or ГИА (9/11) does not match the participant''s form and class';
		END IF;
	END IF;
	RETURN NEW;
END $$;

-- A participant's form or class, or an exam's form or ГИА, may not change under live

CREATE FUNCTION bench_0028.as_before(t text) RETURNS text LANGUAGE sql AS $$
	SELECT format('DROP TRIGGER %1$I ON %4$I; DROP TRIGGER %2$I ON %4$I; DROP TRIGGER %3$I ON %4$I; '
		'DROP TRIGGER %5$I ON %4$I; CREATE TRIGGER %5$I BEFORE INSERT OR UPDATE ON %4$I FOR EACH ROW '
		'EXECUTE FUNCTION karta_registry_live_reason(); CREATE TRIGGER %6$I BEFORE INSERT OR UPDATE '
		'ON %4$I FOR EACH ROW EXECUTE FUNCTION bench_0028.row_check()', t || '_check_rows_insert',
		t || '_check_rows_update', t || '_org_kept', t, t || '_live_reason', t || '_row_check')
	|| CASE WHEN t = 'participant' THEN '; CREATE INDEX participant_person ON participant('
		'bench_0028.person_key(surname, name, patronymic, birth_date)) WHERE deleted_at IS NULL; '
		'CREATE INDEX participant_doc ON participant(bench_0028.doc_key(doc_type, doc_series, doc_number)) '
		'WHERE deleted_at IS NULL; CREATE INDEX participant_snils ON participant(snils) '
		'WHERE deleted_at IS NULL AND snils <> ''''; ALTER TABLE participant '
		'ADD FOREIGN KEY (org_id) REFERENCES organization(id) NOT VALID, '
		'ADD FOREIGN KEY (grad_org_id) REFERENCES organization(id) NOT VALID, '
		'ADD FOREIGN KEY (updated_by) REFERENCES device(id) NOT VALID'
	ELSE '; ALTER TABLE exam_registration ADD FOREIGN KEY (org_id) REFERENCES organization(id) NOT VALID, '
		'ADD FOREIGN KEY (participant_id) REFERENCES participant(id) NOT VALID, '
		'ADD FOREIGN KEY (exam_id) REFERENCES exam(id) NOT VALID, '
		'ADD FOREIGN KEY (updated_by) REFERENCES device(id) NOT VALID' END
$$;
