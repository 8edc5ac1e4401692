-- 0001: the organization tree (region → municipality → school) and the devices (client
-- certificates) through which organizations connect.
-- Each migration runs in one transaction and is recorded in schema_migrations by the migrator.

CREATE TABLE organization (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code       text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
	level      text NOT NULL CHECK (level IN ('region', 'municipality', 'school')),
	parent_id  bigint REFERENCES organization(id),
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((level = 'region') = (parent_id IS NULL))
);
CREATE INDEX organization_parent ON organization(parent_id);

-- One row per client installation: the SHA-256 of its certificate is its identity. The
-- organization is never taken from what a client says, only from this table.
CREATE TABLE device (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	fingerprint text NOT NULL UNIQUE CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
	org_id      bigint NOT NULL REFERENCES organization(id),
	role        text NOT NULL DEFAULT 'operator'
		CHECK (role IN ('coordinator', 'operator', 'viewer')),
	status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
	label       text CHECK (length(label) <= 200),
	created_at  timestamptz NOT NULL DEFAULT now(),
	revoked_at  timestamptz,
	last_seen   timestamptz,
	CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);
CREATE INDEX device_org ON device(org_id);
