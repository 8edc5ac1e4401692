-- 10_orgs: the organization tree (region → municipality → school) and who sees whom.

-- A municipality sits under a region, a school under a municipality.
CREATE OR REPLACE FUNCTION organization_check_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	parent_level text;
BEGIN
	IF NEW.parent_id IS NULL THEN
		RETURN NEW;
	END IF;
	SELECT level INTO parent_level FROM organization WHERE id = NEW.parent_id;
	IF (NEW.level = 'municipality' AND parent_level <> 'region')
	   OR (NEW.level = 'school' AND parent_level <> 'municipality') THEN
		RAISE EXCEPTION 'a % cannot be placed under a %', NEW.level, parent_level
			USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER organization_parent_level BEFORE INSERT OR UPDATE ON organization
	FOR EACH ROW EXECUTE FUNCTION organization_check_parent();

-- Is p_anc a strict ancestor of p_org (its municipality or its region)?
CREATE OR REPLACE FUNCTION karta_org_above(p_anc bigint, p_org bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM organization o LEFT JOIN organization op ON op.id = o.parent_id
	               WHERE o.id = p_org AND (o.parent_id = p_anc OR op.parent_id = p_anc))
$$;

-- What a device's organization may read of p_org's reports: itself and everything below it
-- (the same rule as the feeds: karta_feed_visible scope 'all').
CREATE OR REPLACE FUNCTION karta_org_sees(p_actor bigint, p_org bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT p_actor = p_org OR karta_org_above(p_actor, p_org)
$$;

-- The region an organization is in (itself for a region).
CREATE OR REPLACE FUNCTION karta_org_region(p_org bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT coalesce(gp.id, p.id, o.id) FROM organization o
	LEFT JOIN organization p ON p.id = o.parent_id
	LEFT JOIN organization gp ON gp.id = p.parent_id
	WHERE o.id = p_org
$$;

-- p_owner seen from p_actor: 'self', 'below' (a descendant), 'above' (an ancestor), 'none'.
CREATE OR REPLACE FUNCTION karta_org_relation(p_actor bigint, p_owner bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE
	WHEN p_actor = p_owner THEN 'self'
	WHEN EXISTS (SELECT 1 FROM organization o LEFT JOIN organization op ON op.id = o.parent_id
	             WHERE o.id = p_owner AND (o.parent_id = p_actor OR op.parent_id = p_actor))
		THEN 'below'
	WHEN EXISTS (SELECT 1 FROM organization a LEFT JOIN organization ap ON ap.id = a.parent_id
	             WHERE a.id = p_actor AND (a.parent_id = p_owner OR ap.parent_id = p_owner))
		THEN 'above'
	ELSE 'none' END
$$;
