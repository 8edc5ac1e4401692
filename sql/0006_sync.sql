-- 0006: sync — what clients read from the change feeds (visibility, pull pages, snapshots,
-- retention) and how their offline writes come back (uploads of ops, applied exactly once,
-- merged or turned into conflict records). See docs/sync.md.

-- Retention: change_log rows with seq <= pruned_seq are gone; a cursor below it must resync.
ALTER TABLE feed ADD COLUMN pruned_seq bigint NOT NULL DEFAULT 0;
-- Every synced table writes its own entity type (conflicts here, statuses and registries in
-- later migrations): the list lives with the triggers, not in a CHECK to amend each time.
ALTER TABLE change_log DROP CONSTRAINT change_log_entity_type_check;
-- Finding an entity's changes since a version (merges, conflicts).
CREATE INDEX change_log_entity ON change_log(entity_id, row_version);

-- ---- snapshot (resync) --------------------------------------------------------------------
-- Every current row of an organization's feed, as the triggers would log it: the view
-- karta_feed_rows (below, after the conflict table), read by karta_snapshot.

-- ---- uploads -------------------------------------------------------------------------------
-- Every op a device uploaded, recorded in the transaction that applied it: a retried batch
-- finds its ops here and gets DUPLICATE with the first outcome. An op_id reused with other
-- content (digest: SHA-256 of the op's packed body, computed by kartad) is refused.
CREATE TABLE op_log (
	device_id   bigint NOT NULL REFERENCES device(id),
	op_id       uuid NOT NULL,
	digest      text NOT NULL,
	kind        text NOT NULL,
	outcome     text NOT NULL CHECK (outcome IN ('applied', 'conflict', 'rejected')),
	status      text NOT NULL,
	message     text NOT NULL DEFAULT '',
	entity_id   uuid,
	row_version bigint,
	conflict_id uuid,
	detail      jsonb,
	merged      boolean NOT NULL DEFAULT false,
	applied_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (device_id, op_id)
);

-- An edit made on a version that has since changed the same fields: kept for a person to
-- resolve (keep mine: the op's values are applied over the current row; keep theirs: the
-- current row stays). Synced in the feed of the plan's owner, so every device there sees it.
CREATE TABLE conflict (
	id             uuid PRIMARY KEY,
	org_id         bigint NOT NULL REFERENCES organization(id), -- the plan's owner (its feed)
	plan_id        uuid NOT NULL REFERENCES plan(id),
	entity_type    text NOT NULL CHECK (entity_type IN ('plan', 'plan_item')),
	entity_id      uuid NOT NULL,
	device_id      bigint NOT NULL REFERENCES device(id),          -- whose op it was
	org_code       text NOT NULL,                                  -- of that device
	op_id          uuid NOT NULL,
	base_version   bigint NOT NULL,
	theirs_version bigint NOT NULL,
	fields         text[] NOT NULL,                                -- edited on both sides
	mine           jsonb NOT NULL,                                 -- the op's values
	theirs         jsonb NOT NULL,                                 -- the values it met
	status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
	resolution     text CHECK (resolution IN ('mine', 'theirs')),
	resolved_by    bigint REFERENCES device(id),
	resolved_at    timestamptz,
	row_version    bigint NOT NULL DEFAULT 1,
	created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conflict_entity ON conflict(entity_id) WHERE status = 'open';

