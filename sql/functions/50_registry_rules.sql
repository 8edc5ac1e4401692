-- 50_registry_rules: registry rules besides the CHECKs of 00_schema.sql: a document's
-- stored form, the exam registrations a participant's form and class allow, likely
-- duplicate people.

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
