-- 0020: the organization tree for `karta registry export --layout giadbset` (docs/registries.md
-- «GIADBSet export»). The region's replica holds its registries and planning, but organizations
-- only as feed codes: their GUIDs, federal codes, deleted flags and territories live here, and
-- so does what the federal package said of them that karta does not model (addresses, heads,
-- licences, …), kept by `karta-admin org import` so that an export hands it back verbatim.
--
-- gds_extra: a JSON array of [element, text] pairs in the order of the file — the columns of
-- the published schema karta has no column for, then the columns the schema does not know.
-- karta's own columns are never in it; NULL when the row did not come from a package.
ALTER TABLE organization ADD COLUMN gds_extra jsonb
	CONSTRAINT organization_gds_extra_check CHECK (gds_extra IS NULL OR jsonb_typeof(gds_extra) = 'array');
ALTER TABLE territory ADD COLUMN gds_extra jsonb
	CONSTRAINT territory_gds_extra_check CHECK (gds_extra IS NULL OR jsonb_typeof(gds_extra) = 'array');

