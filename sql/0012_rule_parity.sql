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
