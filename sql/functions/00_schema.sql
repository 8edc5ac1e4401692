-- 00_schema: the functions the tables themselves call — CHECK constraints (names, СНИЛС,
-- documents, GUIDs, grades, seats, staff roles), index expressions (karta_doc_key,
-- karta_person_key) and the backfills of migrations (karta_abbreviation_id,
-- karta_dated_kind) — with what they call. migrate applies this file before pending
-- migrations as well as with the others after them, so a fresh database has them when its
-- tables are created (sql/functions/README). Signatures use built-in types only.

-- An abbreviation has no id of its own (key: plan_id, short): its entity_id is derived
-- from the key, as plan derive derives ids, so a replica can key every entity by uuid.
CREATE OR REPLACE FUNCTION karta_abbreviation_id(p_plan uuid, p_short text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
	SELECT md5('abbreviation:' || p_plan::text || ':' || p_short)::uuid
$$;

-- Deadline kinds that can be overdue by date alone (docs/deadlines.md §5). kartad sets
-- deadline_last only for these; the kind is checked too, so a hand-written row cannot make a
-- continuous or external-schedule item overdue.
CREATE OR REPLACE FUNCTION karta_dated_kind(p_kind text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT p_kind IN ('date', 'by_date', 'month', 'month_range', 'year', 'list')
$$;
-- The characters dropped by translate (each of ' ./№-' to nothing), not a regular expression:
-- the same text at a tenth of the cost (sql/0029 rebuilt the index on it).
CREATE OR REPLACE FUNCTION karta_doc_key(p_type smallint, p_series text, p_number text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN coalesce(p_number, '') = '' THEN NULL ELSE p_type::text || ':'
		|| upper(translate(coalesce(p_series, '') || coalesce(p_number, ''), ' ./№-', '')) END
$$;

-- The one place of the letter class of names and documents (is_name_letter in
-- common/registry/kt_validate_text.c: Latin with Latin-1 and Extended-A/B, Cyrillic), as a
-- bracket expression's inside, and of the marks a name may hold besides letters. Every rule
-- builds its regular expression from these: immutable and without arguments, they are folded
-- into a constant pattern when a statement is planned, so a CHECK or a query pays nothing
-- for them (EXPLAIN VERBOSE shows the literal pattern).
CREATE OR REPLACE FUNCTION karta_name_letters() RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT 'A-Za-zÀ-ÖØ-öø-ɏЀ-ӿ'
$$;

CREATE OR REPLACE FUNCTION karta_name_marks() RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT ' .''’-'
$$;

-- A name without anchors: a letter, then letters and marks.
CREATE OR REPLACE FUNCTION karta_name_pattern() RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT '[' || karta_name_letters() || '][' || karta_name_letters() || karta_name_marks() || ']*'
$$;

CREATE OR REPLACE FUNCTION karta_doc_number_ok(p_type smallint, s text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_type
	WHEN 1 THEN s ~ '^[0-9]{6}$'
	WHEN 2 THEN s ~ '^[0-9]{6}$'
	WHEN 5 THEN s ~ '^[0-9]{7}$'
	ELSE s ~ ('^[' || karta_name_letters() || '0-9 ./№-]{1,30}$') END
$$;

-- Documents (kt_check_doc_series / kt_check_doc_number), on the stored form: spaces dropped
-- from the numeric ones, a birth certificate's series as ROMAN-ЛЛ.
CREATE OR REPLACE FUNCTION karta_doc_series_ok(p_type smallint, s text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_type
	WHEN 1 THEN s ~ '^[0-9]{4}$'
	WHEN 5 THEN s ~ '^[0-9]{2}$'
	WHEN 2 THEN s ~ '^(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})-[А-ЯЁ]{2}$' AND s !~ '^-'
	ELSE s ~ ('^[' || karta_name_letters() || '0-9 ./№-]{0,20}$') END
$$;

-- Keys for duplicate search: names folded (case, ё, punctuation; locale-independent) with the
-- birth date; a document by type and its letters and digits.
CREATE OR REPLACE FUNCTION karta_fold(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT btrim(regexp_replace(lower(translate(coalesce(s, ''),
		'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯё',
		'абвгдеежзийклмнопрстуфхцчшщъыьэюяе')), '[ .''’-]+', ' ', 'g'))
$$;

-- Grade of a class ("9", "11А", "11 Б", "9-B") 1..12, 0 when not a grade (kt_grade_parse).
-- One expression without FROM, so that PostgreSQL inlines it into the CHECKs that call it
-- (a call was ≈ 10 µs, five a participant row; t_registry_rows_input compares it with the
-- form it had).
CREATE OR REPLACE FUNCTION karta_grade(s text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce((substring(s FROM '^(0?[1-9]|1[0-2])(?:[ -]?[A-Za-zА-ЯЁа-яё])?$'))::int, 0)
$$;

-- 0012_rule_parity: the SQL side of the registry rules agrees with the C validators
-- (common/registry/kt_validate*.c) on every value of the parity corpus
-- (tests/integration/t_rule_parity_sql.sh, tests/fixtures/rules/corpus.tsv).
--
-- An interop GUID's braces come as a pair or not at all ("{…}" or "…"): kt_check_guid refused
-- "{…" and "…}", karta_guid_text_ok took them. The CHECK constraints that call this function
-- follow it; no stored GUID has a lone brace (the C checks ran before every write).
CREATE OR REPLACE FUNCTION karta_guid_text_ok(s text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT s = '' OR s ~ '^([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\})$'
$$;

-- Personal names (kt_check_name): a letter first, then letters (Latin, Cyrillic), spaces,
-- hyphens, apostrophes, dots; at most 100 characters. Explicit ranges: no locale involved.
CREATE OR REPLACE FUNCTION karta_name_ok(s text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT s ~ ('^' || karta_name_pattern() || '$') AND length(s) <= 100
$$;

-- The birth date as YYYY-MM-DD from its fields (extract and int::text are immutable; date::text
-- is not — it follows DateStyle — so the function was called a row, never inlined): the text
-- date::text gives under the ISO DateStyle for every year 1–9999 AD (the tables allow
-- 1900–2099). sql/0029 rebuilt the index on it.
CREATE OR REPLACE FUNCTION karta_person_key(p_surname text, p_name text, p_patronymic text, p_birth date)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT karta_fold(p_surname) || '|' || karta_fold(p_name) || '|' || karta_fold(p_patronymic)
		|| '|' || lpad(extract(year FROM p_birth)::int::text, 4, '0')
		|| '-' || lpad(extract(month FROM p_birth)::int::text, 2, '0')
		|| '-' || lpad(extract(day FROM p_birth)::int::text, 2, '0')
$$;

-- Unusable seats: positions (row − 1) × seats + place, 1-based, distinct, at least one seat
-- left usable (kt_auditorium_check).
CREATE OR REPLACE FUNCTION karta_seats_ok(p_seats int[], p_rows int, p_per_row int) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(cardinality(p_seats), 0) < p_rows * p_per_row
		AND NOT EXISTS (SELECT 1 FROM unnest(p_seats) s WHERE s IS NULL OR s < 1 OR s > p_rows * p_per_row)
		AND (SELECT count(DISTINCT s) FROM unnest(p_seats) s) = coalesce(cardinality(p_seats), 0)
$$;

-- СНИЛС as stored (11 digits, kt_check_snils): not all zeros; the control number is the sum
-- of digit × (9 − position) over the first nine, mod 101, 100 and 101 → 00; numbers up to
-- 001-001-998 predate control numbers. One expression (inlined into the CHECKs, as
-- karta_grade); the sum mod 101 mod 100 is the rule above.
CREATE OR REPLACE FUNCTION karta_snils_ok(s text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
	WHEN s IS NULL OR s !~ '^[0-9]{11}$' OR substr(s, 1, 9) = '000000000' THEN false
	WHEN substr(s, 1, 9) <= '001001998' THEN true
	ELSE substr(s, 10, 2)::int = (substr(s, 1, 1)::int * 9 + substr(s, 2, 1)::int * 8
		+ substr(s, 3, 1)::int * 7 + substr(s, 4, 1)::int * 6 + substr(s, 5, 1)::int * 5
		+ substr(s, 6, 1)::int * 4 + substr(s, 7, 1)::int * 3 + substr(s, 8, 1)::int * 2
		+ substr(s, 9, 1)::int) % 101 % 100
	END
$$;

-- Staff roles in the ППЭ (kt_staff_role 1..7, in that order).
CREATE OR REPLACE FUNCTION karta_staff_roles() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
	SELECT '{head,organizer_in,organizer_out,technician,assistant,medic,gek}'::text[]
$$;

-- Adds to the counters one row per array position: sign sg (+1 for a row now present, −1 for
-- one gone), plan_id, dated_last, st, created_at, st_from, deleted_at; d is the base day.
-- plpgsql so that its plan is kept for the session: item_rollup's statement trigger
-- (42_rollup.sql) calls it once per statement.
CREATE OR REPLACE FUNCTION karta_rollup_count_add(d date, sg int[], pl uuid[], dl date[],
	st text[], ca timestamptz[], sf timestamptz[], da timestamptz[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO rollup_count AS c (plan_id, items, due, done, overdue, not_reported, in_progress,
		blocked, not_applicable, latest)
	SELECT x.plan_id, coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.dated_last <= d), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.st = 'done'), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.dated_last < d
			AND (x.st IS NULL OR x.st NOT IN ('done', 'not_applicable'))), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.dated_last <= d AND x.st IS NULL), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.st = 'in_progress'), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.st = 'blocked'), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.st = 'not_applicable'), 0),
		max(greatest(x.created_at, x.st_from, x.deleted_at)) FILTER (WHERE x.s > 0)
	FROM unnest(sg, pl, dl, st, ca, sf, da) x(s, plan_id, dated_last, st, created_at, st_from, deleted_at)
	GROUP BY x.plan_id ORDER BY x.plan_id
	ON CONFLICT (plan_id) DO UPDATE SET items = c.items + EXCLUDED.items, due = c.due + EXCLUDED.due,
		done = c.done + EXCLUDED.done, overdue = c.overdue + EXCLUDED.overdue,
		not_reported = c.not_reported + EXCLUDED.not_reported,
		in_progress = c.in_progress + EXCLUDED.in_progress, blocked = c.blocked + EXCLUDED.blocked,
		not_applicable = c.not_applicable + EXCLUDED.not_applicable,
		latest = greatest(c.latest, EXCLUDED.latest);
END $$;

-- The statement adding to the counters the rows of the query p_rows (columns as
-- karta_rollup_count_add's arrays), the base day its $1: sql/0028 fills the counters with it.
CREATE OR REPLACE FUNCTION karta_rollup_count_sql(p_rows text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
	SELECT format($q$
	SELECT karta_rollup_count_add($1, array_agg(x.s), array_agg(x.plan_id), array_agg(x.dated_last),
		array_agg(x.st), array_agg(x.created_at), array_agg(x.st_from), array_agg(x.deleted_at))
	FROM (%s) x(s, plan_id, dated_last, st, created_at, st_from, deleted_at)
	HAVING count(*) > 0
	$q$, p_rows)
$f$;
