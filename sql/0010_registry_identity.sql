-- 0010: a registry row's deletion keeps its reason (docs/registries.md «Identity,
-- corrections, deletions»). `karta registry delete KIND ID --reason …`, an import line with
-- «Причина удаления», `import --delete-missing` and an interop row flagged deleted all
-- soft-delete through karta_registry_delete, which now stores a: {"reason": text} in
-- deleted_reason and, for participants and exam points, a: {"ris_deleted": code} (the
-- interop flag) in ris_deleted, so an export hands the deletion back as it came. A row's
-- history is its feed (change_log): every edit and deletion with its payload, device and op.

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['participant', 'exam', 'exam_registration', 'exam_point',
		'auditorium', 'staff', 'staff_point'] LOOP
		EXECUTE format('ALTER TABLE %1$I ADD COLUMN deleted_reason text NOT NULL DEFAULT '''' '
			'CONSTRAINT %2$I CHECK (length(deleted_reason) <= 1000)', t, t || '_deleted_reason_check');
		EXECUTE format('COMMENT ON CONSTRAINT %I ON %I IS %L', t || '_deleted_reason_check', t,
			'reason: at most 1000 characters');
	END LOOP;
END $$;

