-- 0022: the change feeds appended once per statement (issue 18), not once per row.
--
-- Until here every synced table had two row triggers (0005–0009): per row written, one
-- counter UPDATE of the feed, one change_log INSERT and one pg_notify — 30,000 of each when
-- an exam of 15,000 participants is distributed and seated. Now every one of those tables
-- has two statement triggers with transition tables: a statement that writes N rows to K
-- feeds locks the K feed rows (in org_id order), raises each counter once by its share, adds
-- its N change_log rows with one INSERT … SELECT, and sends K notifications.
--
-- What the feed promises is unchanged (0005): a number is taken only while holding the feed
-- row's lock, the lock is held to commit, a rollback gives the numbers back, so per feed the
-- seqs are 1..N, gap-free, in commit order. A statement still appends when it ends, after its
-- row triggers — its foreign keys checked and their parent rows locked — as the row triggers
-- did (AFTER STATEMENT events are queued behind every AFTER ROW event of the statement). The
-- rows of one statement keep the order the statement wrote them in (a parent item before its
-- sub-items in a derive). New: a statement touching several feeds (a registry import by the
-- region, a distribution over municipalities) locks them in org_id order, so two such
-- statements cannot deadlock on each other's feeds.
--
-- Notifications: one per feed and statement, "<feed_id>:<the feed's last seq>". Listeners
-- (server/listen.c) keep the highest seq per feed and coalesce anyway; a single-row write
-- notifies exactly as before.
--
-- Every table with a feed trigger (converted below as found in the catalog), the feed it
-- appends to:
--   plan (owner_org_id), plan_section, plan_item, abbreviation (the plan's owner)   0005
--   conflict (org_id)                                                                0006
--   item_status (org_id), report_request (receiver_org_id), report_submission       0007
--   participant, exam, exam_registration, exam_point, auditorium, staff, staff_point 0008
--   exam_point_assignment, exam_auditorium, distribution, seating, staff_assignment,
--   exam_lock, exam_plan_setting (org_id; a soft delete is op 'delete')              0009
-- and organization's feed creation (one INSERT into feed per statement too).

ALTER TABLE distribution DROP CONSTRAINT distribution_exam_id_fkey,
	DROP CONSTRAINT distribution_org_id_fkey, DROP CONSTRAINT distribution_participant_id_fkey,
	DROP CONSTRAINT distribution_point_id_fkey, DROP CONSTRAINT distribution_updated_by_fkey;
ALTER TABLE seating DROP CONSTRAINT seating_auditorium_id_fkey, DROP CONSTRAINT seating_exam_id_fkey,
	DROP CONSTRAINT seating_org_id_fkey, DROP CONSTRAINT seating_participant_id_fkey,
	DROP CONSTRAINT seating_point_id_fkey, DROP CONSTRAINT seating_updated_by_fkey;

-- ---- the region's roll-up and overdue list (issue 18: < 200 ms, < 300 ms) --------------------
-- A region's roll-up by municipality or school counted its ~318,000 (item, organization) pairs
-- one by one through karta_rollup_pairs: each pair joined to its plan (for the owner) and
-- probed in the closed status versions, then grouped by organization; serially, since the
-- helper functions were not marked parallel safe. Now:
--   * karta_rollup_counts counts per plan straight off item_rollup (one narrow scan, no join
--     per row: the plan filter is a semi-join on ~1,000 plans, the closed versions valid at
--     the cutoff — none as of today, ~12,000 sixty days back — are joined by item once, their
--     owners checked among them), then sums the plans per owner;
--   * the read helpers are PARALLEL SAFE (they only read), so the scan and the counting run
--     in parallel workers (Gather under the function's CTE).
-- The results are the same: t_rollup_sql, t_reports; bench/rollup.sh compares the old and
-- the new counts on its data.

-- The overdue list names its ~40,000 items (number, title): it read them from the wide
-- plan_item rows (312 MB in bench/rollup.sh, every list a sequential scan of all of them).
-- A covering index gives them by id from a tenth of that (index-only: plan_item is vacuumed
-- like any table; a page changed since reads its heap row as before).
CREATE INDEX plan_item_label ON plan_item(id) INCLUDE (number, title);

