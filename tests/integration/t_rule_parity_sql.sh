#!/usr/bin/env bash
# t_rule_parity_sql: the registry rules live in C (common/registry/kt_validate*.c: the client
# refuses a row before it is queued, kartad again before the database) and in the database's
# CHECK constraints (sql/0008). Both must say the same of every value: this test runs the C
# validators (tests/tools/kt_rules) and the real constraints — their definitions read from
# pg_constraint and evaluated on each value — over one corpus of good and bad values
# (tests/fixtures/rules/corpus.tsv) and fails on any disagreement.
#
# A value C accepts reaches the database in the form the client stores (client/registry/):
# trimmed; СНИЛС without its separators; a document's series and number through
# karta_doc_norm — the constraint must accept that. A value C refuses is never stored by
# the client; the constraint must refuse it as a forged op would send it (trimmed).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup_sql t_rule_parity_sql

CORPUS=$KT_SRC/tests/fixtures/rules/corpus.tsv
"$KT_BIN/tests/kt_rules" <"$CORPUS" >"$KT_WORK/c.tsv" || kt_fail "kt_rules failed on the corpus"
n=$(wc -l <"$KT_WORK/c.tsv")
[ "$n" -gt 150 ] || kt_fail "the corpus gave only $n verdicts"

# check_ok(TABLE, CONSTRAINT, COLUMNS, VALUES): the constraint's own expression, evaluated on
# one row whose COLUMNS ("name type, …") hold VALUES; a value the column's type cannot hold
# is 'bad' (the INSERT would fail too); NULL passes, as a CHECK does.
kt_psql "
CREATE FUNCTION check_ok(p_table regclass, p_con text, p_cols text, VARIADIC p_vals text[])
RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE
	def text;
	sel text := '';
	r boolean;
	i int := 0;
	c text;
BEGIN
	SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint
	WHERE conrelid = p_table AND conname = p_con AND contype = 'c';
	IF def IS NULL THEN
		RAISE EXCEPTION 'no check constraint % on %', p_con, p_table;
	END IF;
	FOREACH c IN ARRAY string_to_array(p_cols, ',') LOOP
		i := i + 1;
		sel := sel || CASE WHEN i > 1 THEN ', ' ELSE '' END
			|| format('(\$1[%s])::%s AS %I', i, split_part(btrim(c), ' ', 2), split_part(btrim(c), ' ', 1));
	END LOOP;
	BEGIN
		EXECUTE format('SELECT %s FROM (SELECT %s) x', substr(def, 7), sel) INTO r USING p_vals;
	EXCEPTION WHEN data_exception THEN
		RETURN 'bad';
	END;
	RETURN CASE WHEN coalesce(r, true) THEN 'ok' ELSE 'bad' END;
END \$\$;
CREATE TABLE corpus (n serial, rule text, value text, c text);"

psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" \
	-c "\\copy corpus(rule, value, c) FROM '$KT_WORK/c.tsv' (FORMAT csv, DELIMITER E'\\t', QUOTE E'\\x01', FORCE_NOT_NULL (value))" ||
	kt_fail "cannot load the corpus"

kt_psql "
CREATE TABLE verdict AS
SELECT n, rule, value, c, CASE
	WHEN rule = 'snils' THEN check_ok('participant', 'participant_snils_check', 'snils text', v)
	WHEN rule = 'name' THEN check_ok('participant', 'participant_surname_check', 'surname text', v)
	WHEN rule LIKE 'series:%' THEN check_ok('participant', 'participant_doc_series_check',
		'doc_type smallint, doc_series text', t::text, v)
	WHEN rule LIKE 'number:%' THEN check_ok('participant', 'participant_doc_number_check',
		'doc_type smallint, doc_number text', t::text, v)
	WHEN rule = 'guid' THEN check_ok('participant', 'participant_ris_school_guid_check',
		'ris_school_guid text', v)
	WHEN rule = 'ppe' THEN check_ok('exam_point', 'exam_point_code_check', 'code text', v)
	WHEN rule = 'aud' THEN check_ok('auditorium', 'auditorium_code_check', 'code text', v)
	WHEN rule = 'emails' THEN check_ok('exam_point', 'exam_point_emails_check', 'emails text', v)
	WHEN rule = 'deleted' THEN check_ok('participant', 'participant_ris_deleted_check',
		'ris_deleted smallint', v)
	WHEN rule = 'grade' THEN karta_grade(v)::text
	END AS s
FROM (SELECT n, rule, value, c, t, CASE WHEN c = 'bad' THEN btrim(value)
		WHEN rule = 'snils' THEN translate(btrim(value), '- ', '')
		WHEN rule LIKE 'series:%' THEN karta_doc_norm(t, btrim(value), true)
		WHEN rule LIKE 'number:%' THEN karta_doc_norm(t, btrim(value), false)
		ELSE btrim(value) END AS v
	FROM (SELECT *, CASE WHEN rule LIKE '%:%' THEN split_part(rule, ':', 2)::smallint END AS t
		FROM corpus) x) y"

kt_assert_eq "$n" "$(kt_psql "SELECT count(*) FROM verdict")" "every corpus line loaded"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM verdict WHERE s IS NULL")" "every rule known to SQL"
# both verdicts occur for every rule, so neither side can pass by saying the same thing always
kt_assert_eq "" "$(kt_psql "SELECT rule FROM verdict WHERE rule <> 'grade' GROUP BY rule
	HAVING count(DISTINCT c) < 2")" "every rule has good and bad values"

diff=$(kt_psql "SELECT format('%s «%s»: C says %s, SQL says %s', rule, value, c, s)
	FROM verdict WHERE c <> s ORDER BY n")
if [ -n "$diff" ]; then
	printf '%s\n' "$diff" >&2
	kt_fail "C and SQL disagree on $(wc -l <<<"$diff") value(s) (listed above)"
fi
kt_log "$n values: C and SQL agree on every one"
kt_pass
