-- 0014: an exam's federal id (ExamGlobalID of the federal exchange package): the key the
-- package's registrations (rbd_ParticipantsExams) name an exam by, set by `karta exam
-- schedule import` (docs/registries.md «Exam schedule»). Unique among the region's live exams.
ALTER TABLE exam ADD COLUMN global_id integer
	CONSTRAINT exam_global_id_check CHECK (global_id > 0);
CREATE UNIQUE INDEX exam_global_unique ON exam(org_id, global_id)
	WHERE deleted_at IS NULL AND global_id IS NOT NULL;
COMMENT ON CONSTRAINT exam_global_id_check ON exam IS 'global_id: must be a whole number above 0';
COMMENT ON INDEX exam_global_unique IS 'global_id: the schedule already has an exam with this ExamGlobalID';
