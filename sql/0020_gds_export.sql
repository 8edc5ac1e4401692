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

-- The region's organizations and territories, for a region device only (the package is the
-- region's): one row each — kind org|territory, karta's id (the numeric id registry rows name
-- organizations by), code, level, parent id, GUID, federal code, the package's deleted flag,
-- territory GUID, name, creation time, gds_extra. Organization names and addresses are not
-- personal data.
CREATE FUNCTION karta_gds_orgs(p_device bigint)
RETURNS TABLE (status text, message text, kind text, id text, code text, level text,
	parent text, guid text, federal_code text, deleted text, territory text, name text,
	created text, extra text)
LANGUAGE sql STABLE AS $$
	WITH a AS (SELECT * FROM karta_actor(p_device))
	SELECT 'ok', '', 'org', o.id::text, o.code, o.level, o.parent_id::text, o.guid::text,
		o.federal_code, o.federal_delete::text, o.territory_guid::text, o.name,
		to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS'), o.gds_extra::text
	FROM a JOIN organization o ON karta_org_region(o.id) = a.org_id
	WHERE a.level = 'region'
	UNION ALL
	SELECT 'ok', '', 'territory', NULL, t.code::text, NULL, NULL, t.guid::text, t.code::text,
		CASE WHEN t.deleted THEN '1' ELSE '0' END, NULL, t.name,
		to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS'), t.gds_extra::text
	FROM a JOIN territory t ON t.region_id = a.org_id
	WHERE a.level = 'region'
	UNION ALL
	SELECT 'denied', format('the federal exchange package is the region''s to export: this device'
		' belongs to a %s', coalesce((SELECT level FROM a), 'revoked device')),
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	WHERE NOT EXISTS (SELECT 1 FROM a WHERE a.level = 'region')
$$;
