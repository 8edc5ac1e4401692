-- 0013: the organization tree from the federal exchange package (`karta-admin org import`,
-- docs/registries.md «GIADBSet»). An organization keeps what the package said of it: its
-- federal code (rbd_CurrentRegion.REGION, rbd_Governments.GovernmentCode,
-- rbd_Schools.SchoolCode), the package's deleted-row flag (DeleteType: 0 live) and, for a
-- school, its territory (АТЕ, rbd_Areas) — a territory is an attribute of schools, not a
-- level of the tree. organization.guid (0008) is the key an import matches on.

-- Territories (АТЕ) of a region, as the package names them.
CREATE TABLE territory (
	guid       uuid PRIMARY KEY,
	region_id  bigint NOT NULL REFERENCES organization(id),
	code       integer NOT NULL,
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
	deleted    boolean NOT NULL DEFAULT false,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX territory_region ON territory(region_id);

ALTER TABLE organization
	ADD COLUMN federal_code   text CHECK (federal_code ~ '^[0-9]{1,12}$'),
	ADD COLUMN federal_delete smallint NOT NULL DEFAULT 0 CHECK (federal_delete >= 0),
	ADD COLUMN territory_guid uuid REFERENCES territory(guid);
