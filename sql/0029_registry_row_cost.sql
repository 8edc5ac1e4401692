-- 0029: the registry tables' own cost a row (issues 18 and 22; docs/performance.md «The
-- registry tables' own cost a row»). The functions changed where they live
-- (sql/functions/00_schema.sql, 50_registry_rules.sql, 51_registry.sql); this migration
-- rebuilds the two indexes whose expression functions have new bodies:
--   - participant_person: karta_person_key writes the birth date from its fields (extract,
--     immutable) instead of date::text (stable: it follows DateStyle), so PostgreSQL inlines
--     it into the index expression. The text is the same under the ISO DateStyle; an index
--     built under another DateStyle had other keys, which the rebuild corrects.
--   - participant_doc: karta_doc_key drops ' ./№-' with translate instead of a regular
--     expression (the same text).
-- migrate applies 00_schema.sql before the pending migrations, so both are rebuilt with the
-- new bodies.
REINDEX INDEX participant_person;
REINDEX INDEX participant_doc;
