-- 0005: per-organization change feeds — the server half of sync (docs/sync.md).
--
-- Every write to a synced table (plan, plan_section, plan_item, abbreviation) appends one
-- row to change_log, in the writing transaction, on the feed of the organization that owns
-- the plan. A client keeps one cursor per feed and pulls "seq > cursor".
--
-- Why not a bare bigserial: a sequence hands out numbers when a row is *written*, not when
-- it commits. T1 takes 7, T2 takes 8, T2 commits, a reader sees 8 and moves its cursor to
-- 8; then T1 commits 7 — below the cursor, so that reader never sees it. Rolled-back
-- writes also burn numbers, so a reader cannot tell a gap that will fill from one that
-- never will. Waiting "a while" for gaps or snapshot xmin tricks only narrow the window.
--
-- The rule here: the next number is taken with
--     UPDATE feed SET last_seq = last_seq + 1 WHERE org_id = $1 RETURNING last_seq
-- inside the writing transaction. The UPDATE row-locks the feed row until commit or
-- rollback, so a second writer of the same feed waits at that UPDATE, and then (READ
-- COMMITTED re-reads the updated row) continues from the first one's committed value —
-- or from the old value if the first rolled back. Hence, per feed:
--   * numbers are handed out in commit order: a number is only taken while holding the
--     lock, the lock is held to commit, so whoever holds N has committed before N+1 exists;
--   * no gaps: a rollback discards the counter update with the rest of the transaction,
--     so the next writer takes the same number;
--   * a reader that sees seq N sees every seq below N (they committed earlier), so
--     "max(seq) seen = count(*) seen" and a cursor can never skip a row.
-- The price is that writers of one organization's feed serialize from their first append
-- to commit. Every write is one SQL function call (one statement, one transaction), so
-- that is at most one function's run time; feeds of different organizations never wait on
-- each other. No write function appends to two feeds; a future one that must takes the
-- feeds in org_id order (no deadlocks). The lock order inside one feed is below.
--
-- Cost: plan derive and plan import write hundreds of rows in one statement; each row
-- costs one counter UPDATE (a HOT update of one small row), one change_log INSERT and one
-- pg_notify, plus the owning plan's row lookup for sections and items. Measured on a dev
-- machine: deriving a 334-item plan took ~28 ms without the triggers, ~65 ms with them.
--
-- A plan never changes owner (owner_org_id is set at creation), so an entity stays in one
-- feed for life.

CREATE TABLE feed (
	org_id   bigint PRIMARY KEY REFERENCES organization(id),
	epoch    int NOT NULL DEFAULT 1 CHECK (epoch >= 1),      -- bumped when a feed is rebuilt
	last_seq bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0) -- the newest seq handed out
) WITH (fillfactor = 50); -- room for HOT updates: the counter row is rewritten on every append

-- One row per change, in the order the changes committed. No foreign keys: it is
-- append-only and written only by karta_feed_append, which has just taken seq from the
-- feed row; RI checks would add a lookup and a row lock to every row of a bulk write.
CREATE TABLE change_log (
	feed_id        bigint NOT NULL,   -- = feed.org_id, the organization owning the plan
	seq            bigint NOT NULL,   -- 1, 2, 3 … per feed, gap-free, commit-ordered
	entity_type    text NOT NULL
		CHECK (entity_type IN ('plan', 'plan_section', 'plan_item', 'abbreviation')),
	entity_id      uuid NOT NULL,
	op             text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
	row_version    bigint,            -- NULL for abbreviations (they carry none)
	changed_fields text[],            -- updates and deletes; NULL for inserts and backfill
	payload        jsonb NOT NULL,    -- the row after the change (to_jsonb)
	origin_device  bigint,            -- the writing device, where the row records it
	origin_op_id   uuid,              -- the client's op id, filled by the upload path
	committed_at   timestamptz NOT NULL DEFAULT now(), -- the writing transaction's now()
	PRIMARY KEY (feed_id, seq)
);

-- Every organization has a feed, from its creation on.
INSERT INTO feed(org_id) SELECT id FROM organization;

-- Lock order. A write appends when its statement ends (AFTER ROW triggers), so within one
-- statement every row lock comes before the feed lock. AFTER triggers fire in name order
-- (byte order): ours start lower-case, after PostgreSQL's RI_ConstraintTrigger_* ones, so a
-- row's foreign keys are checked (their parent rows key-share locked) before the feed is
-- taken — else an item insert waiting for its plan row, locked by a plan edit, would hold
-- the feed that edit needs (t_feeds checks both races). An item edit or move therefore
-- locks its item, then the feed; a re-import (karta_plan_import, 0004) locks the plan's
-- live items right after the plan, before its first append, for the same reason.

-- Rows written before this migration enter the log once, as they are now, so replaying a
-- feed from seq 1 gives every row (a soft-deleted item as op 'delete'). Per feed: plans,
-- then sections, then items (shallower first, so a parent item precedes its sub-items),
-- then abbreviations.
WITH RECURSIVE depth(id, d) AS (
	SELECT id, 0 FROM plan_item WHERE parent_item_id IS NULL
	UNION ALL
	SELECT i.id, depth.d + 1 FROM plan_item i JOIN depth ON i.parent_item_id = depth.id
	WHERE depth.d < 64),
existing AS (
	SELECT p.owner_org_id AS org, 1 AS k, 0 AS d, p.created_at AS at, 0 AS ordinal,
		'plan' AS entity_type, p.id, 'insert' AS op, p.row_version, to_jsonb(p) AS payload,
		p.updated_by AS device
	FROM plan p
	UNION ALL
	SELECT p.owner_org_id, 2, 0, p.created_at, s.ordinal, 'plan_section', s.id, 'insert',
		s.row_version, to_jsonb(s), NULL
	FROM plan_section s JOIN plan p ON p.id = s.plan_id
	UNION ALL
	SELECT p.owner_org_id, 3, coalesce(depth.d, 0), i.created_at, i.ordinal, 'plan_item', i.id,
		CASE WHEN i.deleted_at IS NULL THEN 'insert' ELSE 'delete' END,
		i.row_version, to_jsonb(i), i.updated_by
	FROM plan_item i JOIN plan p ON p.id = i.plan_id LEFT JOIN depth ON depth.id = i.id
	UNION ALL
	SELECT p.owner_org_id, 4, 0, p.created_at, 0, 'abbreviation',
		karta_abbreviation_id(a.plan_id, a.short), 'insert', NULL, to_jsonb(a), NULL
	FROM abbreviation a JOIN plan p ON p.id = a.plan_id)
INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version, payload,
	origin_device)
SELECT org, row_number() OVER (PARTITION BY org ORDER BY k, d, at, ordinal, id), entity_type,
	id, op, row_version, payload, device
FROM existing;
UPDATE feed SET last_seq = c.n
FROM (SELECT feed_id, max(seq) AS n FROM change_log GROUP BY feed_id) c
WHERE c.feed_id = feed.org_id;
