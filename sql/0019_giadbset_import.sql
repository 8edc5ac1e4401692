-- 0019: registries from the federal exchange package (`karta registry import --layout
-- giadbset`, docs/registries.md «GIADBSet ↔ karta»). Two things:
--
-- extra jsonb on every table a package row lands in: what karta does not model, verbatim —
-- {"COLUMN": "text" | null (absent), …, "_unknown": [[name, text], …]} — so an export hands
-- the package back as it came (common/giadbset/kt_gds_map.c decides what goes there).
--
-- karta_registry_gds_put, the op kind registry_gds_put: one package row, already mapped to
-- karta's columns by the client, plus the package's keys the server resolves itself — the
-- owning organization by its GUID (org_guid: a school for participants, a municipality for
-- exam points and staff, or a staff member's school's municipality), grad_org_guid,
-- workplace_guid, and the exam by its ExamGlobalID (exam_global_id) in the owner's region.
-- The client never names an owner. Registry rows then go through karta_registry_put and
-- karta_registry_delete (a row the package marks deleted is stored deleted: participants and
-- exam points by ris_deleted, the others put then deleted); point assignments
-- (rbd_StationsExams) and auditorium assignments (rbd_StationExamAuditory) are written here
-- with their package GUIDs as ids, under karta_plan_ctx's rules (who plans, the lock).

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['participant', 'exam_registration', 'exam_point', 'auditorium',
		'staff', 'exam_point_assignment', 'exam_auditorium'] LOOP
		EXECUTE format('ALTER TABLE %I ADD COLUMN extra jsonb', t);
		EXECUTE format('COMMENT ON COLUMN %I.extra IS %L', t, 'the federal package''s columns '
			'karta does not model, verbatim (docs/registries.md)');
	END LOOP;
END $$;

