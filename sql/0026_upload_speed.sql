-- 0026: the set-wise item and status Upload (0021) without its per-row leftovers (issue 18:
-- ≥ 20,000 item ops/s). Measured on a 500-op run of item adds (docs/performance.md, "Upload:
-- the whole path"), two per-row costs were left after 0021/0022:
--
--   * the op-id stamp: the feed trigger wrote every change_log row with the run's id and
--     karta_up_stamp then UPDATEd each one to its op's id (a second version of every row,
--     both its indexes written again). Now the run hands the feed trigger its map of
--     entity id → op id (karta.op_ids, one jsonb a run), so each change is written once with
--     its op's id. Runs of other kinds (participants, registry deletes) are stamped as before.
--   * foreign keys checked row by row: per new item 7 SPI queries with a row lock (plan,
--     section, device of plan_item; item, device, organization of item_history; device of
--     op_log) — ~15 % of the run's CPU. They are replaced by one statement trigger per table
--     that checks every new row's references with one anti-join per key over the statement's
--     distinct values, in the writing statement, before its feed append (the trigger's name
--     sorts before "…_feed_…"; AFTER STATEMENT triggers fire in name order): a statement
--     naming a missing plan, section, item, device or organization is refused with SQLSTATE
--     23503 and nothing of it stays, for every writer (the one-by-one path, derive, import,
--     the set-wise run — which splits and retries, as for any unpredicted error). A new item
--     still takes its plan row FOR KEY SHARE, as its foreign key did, so a plan write and an
--     item insert into that plan keep locking plan before feed (t_feeds). What the foreign
--     keys did besides — refuse a hard DELETE of a referenced row — is not needed: no
--     function or tool deletes plans, sections, items, devices or organizations (soft
--     deletes only), as for 0022's planning tables.
-- The functions and triggers are in sql/functions/ (30_feeds.sql karta_feed_stmt,
-- 34_upload.sql karta_upload_group and karta_up_op_ids, 20_plans.sql and 33_sync.sql the
-- reference checks, 05_common.sql karta_refs_missing); here only the constraints go.

ALTER TABLE plan_item DROP CONSTRAINT plan_item_plan_id_fkey,
	DROP CONSTRAINT plan_item_section_id_fkey, DROP CONSTRAINT plan_item_parent_item_id_fkey,
	DROP CONSTRAINT plan_item_derived_from_fkey, DROP CONSTRAINT plan_item_updated_by_fkey;
ALTER TABLE item_history DROP CONSTRAINT item_history_item_id_fkey,
	DROP CONSTRAINT item_history_device_id_fkey, DROP CONSTRAINT item_history_org_id_fkey;
ALTER TABLE op_log DROP CONSTRAINT op_log_device_id_fkey;
