-- 05_common: helpers of every write function: who the device is (karta_actor), text
-- normalization, the fields an update changed, picking keys of a jsonb.

-- The organization, level and role behind an active device (no row if revoked/unknown).
CREATE OR REPLACE FUNCTION karta_actor(p_device bigint)
RETURNS TABLE (org_id bigint, level text, role text) LANGUAGE sql STABLE AS $$
	SELECT o.id, o.level, d.role FROM device d JOIN organization o ON o.id = d.org_id
	WHERE d.id = p_device AND d.status = 'active'
$$;

CREATE OR REPLACE FUNCTION karta_norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT lower(regexp_replace(btrim(coalesce(t, '')), '\s+', ' ', 'g'))
$$;

-- Fields that differ between two versions of a row (for item_history).
CREATE OR REPLACE FUNCTION karta_changed_fields(p_old jsonb, p_new jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}') FROM jsonb_each(p_new) n
	WHERE n.key NOT IN ('row_version', 'updated_at', 'updated_by', 'created_at')
	  AND n.value IS DISTINCT FROM coalesce(p_old -> n.key, 'null'::jsonb)
$$;

CREATE OR REPLACE FUNCTION karta_jsonb_pick(p jsonb, p_keys text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}') FROM jsonb_each(p) e
	WHERE e.key = ANY(p_keys)
$$;
