-- 0029: the registry tables' own cost a row (issues 18 and 22; docs/performance.md «The
-- registry tables' own cost a row», bench/registry_apply.sh). The functions and triggers
-- changed where they live (sql/functions/00_schema.sql, 50_registry_rules.sql: the row checks
-- once per statement); here what the tables themselves lose:
--   - participant_person, participant_doc and participant_snils, the indexes on the duplicate
--     keys (karta_person_key, karta_doc_key, snils): no query reads them (the duplicate search,
--     karta_participant_duplicates, computes the keys over the rows it reads and joins them in
--     memory), and they were a quarter of an INSERT into participant (≈ 15, 6 and 3 ms a
--     1,000 rows of ≈ 80).
--   - the foreign keys of participant (org_id, grad_org_id → organization, updated_by →
--     device) and of exam_registration (org_id → organization, participant_id → participant,
--     exam_id → exam, updated_by → device): ≈ 10 and 12 ms a 1,000 rows, an SPI query and a
--     row lock a reference. The statement check that replaces the row trigger reads the same
--     rows (the owner's level and region, the participant, the exam) and refuses a missing one
--     with the row trigger's words; grad_org_id and updated_by it looks up once per distinct
--     value (SQLSTATE 23503, the constraint's name, PostgreSQL's words); the participants and
--     exams a statement references anew it locks FOR KEY SHARE in id order, as the foreign
--     keys did. Nothing deletes participants, exams, organizations or devices (soft deletes
--     only), which is all the foreign keys did besides.
DROP INDEX participant_person;
DROP INDEX participant_doc;
DROP INDEX participant_snils;
ALTER TABLE participant DROP CONSTRAINT participant_org_id_fkey,
	DROP CONSTRAINT participant_grad_org_id_fkey, DROP CONSTRAINT participant_updated_by_fkey;
ALTER TABLE exam_registration DROP CONSTRAINT exam_registration_org_id_fkey,
	DROP CONSTRAINT exam_registration_participant_id_fkey, DROP CONSTRAINT exam_registration_exam_id_fkey,
	DROP CONSTRAINT exam_registration_updated_by_fkey;
