-- 0028: the region's roll-up from counters kept per statement, the overdue list from an index
-- in its own order (issue 18: roll-up < 200 ms, overdue list < 300 ms; bench/rollup.sh).
--
-- Until here a region's roll-up by municipality or school counted its ~318,000 (item,
-- executor) rows of item_rollup on every call (karta_rollup_counts, 0022: a parallel scan of
-- the whole table, ~130 ms on a quiet machine, 400–500 ms at load 15), and the overdue list
-- read every pair of the region to find its ~40,000 overdue ones, and their numbers and
-- titles by 40,000 random look-ups in a 116 MB index.
--
-- Counters. rollup_count holds per plan what karta_rollup_counts counts, over the plan's
-- item_rollup rows not deleted: items, done, in_progress, blocked, not_applicable (the same
-- whatever the day), and due, overdue, not_reported as of one day, rollup_base.day (they
-- depend on the day: a deadline passes). A statement trigger on item_rollup adds what each
-- statement changed (its transition tables: +1 per new row, −1 per old row, grouped by
-- plan; one upsert per plan, in plan order). item_rollup is itself derived, by triggers on
-- plan_item, item_status_history and plan (0007), so every path that writes those —
-- Upload, import, derive, a hand correction under session_replication_role = replica —
-- reaches the counters; the trigger is ENABLE ALWAYS like item_rollup's own.
--
-- Another day. The counts as of day d are the stored ones plus a correction over the rows
-- whose deadline lies between rollup_base.day and d (karta_rollup_shift: an index range of
-- item_rollup_dated, a few hundred rows a day in bench/rollup.sh). The base moves to today
-- on the first roll-up of a day (karta_rollup_rebase: the correction written into the
-- counters), so the range stays a day or two. Exactness never depends on it: a roll-up of a
-- day the base is not on adds the correction itself.
--   Concurrency: a writer's counter trigger reads the base day holding a shared advisory
-- lock (to its commit); the rebase takes that lock exclusively (waiting at most 200 ms for
-- the writes in flight, else leaving the base for the next roll-up). So the base never moves
-- between a writer's delta and its commit, and a writer whose rows the rebase's snapshot
-- did not see adds them relative to the new base (it waits for the rebase to commit before
-- reading the day).
--
-- When the counters are the answer. They count the rows as they are now. That equals the
-- roll-up as of the end of day d (karta_rollup_pairs) when nothing in scope happened after
-- that moment: no item created, deleted or given its current status after it (rollup_count
-- .latest, an upper bound of those times per plan, kept by the same trigger) and no status
-- version closed after it (item_status_history_closed). As of today that always holds;
-- as of an earlier day it does not, and the roll-up counts the rows as before
-- (karta_rollup_counts_scan, 0022's karta_rollup_counts).
--
-- The overdue list. item_rollup carries its items' number and title (from plan_item, by the
-- same trigger as the rest), and item_rollup_open indexes the open dated items (not done,
-- not applicable, not deleted) by deadline with them: the list as of today is one range of
-- that index (no look-up per item), its organizations ranked once (1,061 rows) instead of
-- their codes compared in the sort of 40,000. The price: item_rollup is three times as
-- wide (33 → 108 MB compacted on bench/rollup.sh's data), and what still scans it — the
-- roll-up and the overdue list as of an earlier day, the roll-up by item — takes ~20 % more
-- CPU; the 40,000 look-ups in plan_item_label it spares cost the list as of today 2.4× its
-- CPU (110 → 268 ms a call, side by side). (PostgreSQL moves no value of a row under 2 kB
-- out of line, whatever toast_tuple_target says: the title cannot live beside the row.)

-- ---- item_rollup: numbers and titles, two indexes by deadline ------------------------------
ALTER TABLE item_rollup ADD COLUMN number text, ADD COLUMN title text;
UPDATE item_rollup c SET number = i.number, title = i.title FROM plan_item i WHERE i.id = c.item_id;
-- the counters' correction between two days: every dated row, narrow
CREATE INDEX item_rollup_dated ON item_rollup(dated_last) INCLUDE (plan_id, st)
	WHERE deleted_at IS NULL AND dated_last IS NOT NULL;
-- the overdue list: the open dated rows with what the list shows
CREATE INDEX item_rollup_open ON item_rollup(dated_last) INCLUDE (plan_id, item_id, st, number, title)
	WHERE deleted_at IS NULL AND dated_last IS NOT NULL AND (st IS NULL OR st NOT IN ('done', 'not_applicable'));

-- ---- the counters ------------------------------------------------------------------------
CREATE TABLE rollup_base (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	day date NOT NULL                       -- due, overdue, not_reported are as of this day
);
INSERT INTO rollup_base(day) VALUES (current_date);

CREATE TABLE rollup_count (
	plan_id        uuid PRIMARY KEY,       -- item_rollup.plan_id (no FK: derived, like item_rollup)
	items          bigint NOT NULL,
	due            bigint NOT NULL,        -- dated_last <= rollup_base.day
	done           bigint NOT NULL,
	overdue        bigint NOT NULL,        -- dated_last < day, not done, not not_applicable
	not_reported   bigint NOT NULL,        -- dated_last <= day, no status
	in_progress    bigint NOT NULL,
	blocked        bigint NOT NULL,
	not_applicable bigint NOT NULL,
	latest         timestamptz             -- ≥ every created_at, st_from, deleted_at of its rows
);

-- The rows there are.
DO $$
BEGIN
	EXECUTE karta_rollup_count_sql('SELECT 1, plan_id, dated_last, st, created_at, st_from,
		deleted_at FROM item_rollup') USING (SELECT day FROM rollup_base);
END $$;

