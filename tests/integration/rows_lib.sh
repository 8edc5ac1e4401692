# rows_lib.sh: the SQL fixtures of the tests that call the registry rows' apply directly
# (t_registry_rows_input, t_registry_rows_checks). rows_schema_t makes, in the test's
# database, a schema t on the search_path with:
#   t_id(p, n)         a fixed uuid of (p, n)
#   t_person(id, n)    a participant of school sch11 that every check accepts, its document
#                      number from n
rows_schema_t() {
	kt_psql "CREATE SCHEMA t; ALTER DATABASE \"$KT_DB\" SET search_path = public, t" >/dev/null
	kt_psql "
CREATE FUNCTION t.t_id(p text, n int) RETURNS uuid LANGUAGE sql IMMUTABLE AS \$\$ SELECT md5(p || ':' || n)::uuid \$\$;
CREATE FUNCTION t.t_person(p_id uuid, n int) RETURNS jsonb LANGUAGE sql IMMUTABLE AS \$\$
	SELECT jsonb_build_object('type', 'participant', 'id', p_id, 'org', 'sch11', 'surname', 'Иванов',
		'name', 'Пётр', 'patronymic', 'Сергеевич', 'sex', 1, 'birth_date', '2009-01-01', 'doc_type', 1,
		'doc_series', '4501', 'doc_number', lpad((100000 + n)::text, 6, '0'), 'class', '11А',
		'category', 1, 'form', 1)
\$\$;" >/dev/null
}
