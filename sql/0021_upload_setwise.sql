-- 0021: an Upload applied set-wise (issue 18). 0006's karta_upload ran op by op, each op in a
-- subtransaction of its own, its write function looking the actor up again and catching its
-- own exceptions: ~230 item ops/s. Now karta_upload cuts the batch into runs of consecutive
-- ops of one kind that touch distinct rows, and applies each run as a set:
--   * the actor is resolved once per Upload;
--   * the ops of the run already in op_log are answered from it in one query (DUPLICATE, or
--     refused when the op_id carried another op);
--   * the checks of the write function (authorization, validation, base versions) are one
--     SELECT over the run's typed record set, giving every op its (status, message) — the
--     same words as the function;
--   * the allowed rows are written by one INSERT and one UPDATE … FROM per table, the history
--     rows by one INSERT … SELECT, the op_log record of the whole run by one INSERT … SELECT;
--   * a run is one subtransaction, not one per op. If a set statement meets an error the
--     checks did not predict (a CHECK only the table knows, a row trigger, a unique key), the
--     run is rolled back, split in halves and each half applied again; a run of 8 ops or
--     fewer left over goes through 0006's one-by-one path (karta_upload_serial), which gives
--     the bad op the exact refusal it always had, and the others are applied.
-- Set-wise kinds: item_put, status_set, registry_put of participants, registry_delete. Every
-- other kind (plan writes, imports, derives, reports, exam planning, the other registries),
-- a stale plan-item edit (merged or turned into a conflict record by karta_merge) and an op
-- whose ids are not in canonical form take karta_upload_serial, in order, behind the same
-- dispatcher. Ops of a run are independent (distinct op ids and rows; a new item's parent is
-- not made in the same run), so applying them as a set gives each the result it gets one by
-- one; runs follow each other in op order.
-- The feed triggers stamp change_log.origin_op_id from karta.op_id, which is one value per
-- statement: a run sets it to a run id, and its changes get their ops' ids afterwards (one
-- UPDATE through change_log_entity).

CREATE TYPE karta_up_op AS (ord int, op_id uuid, digest text, kind text, a jsonb);
CREATE TYPE karta_up_res AS (ord int, op_id uuid, outcome text, status text, message text,
	entity_id uuid, row_version bigint, conflict_id uuid, detail jsonb, merged boolean,
	first_outcome text);
-- The device behind an Upload (org_id NULL: not active).
CREATE TYPE karta_up_actor AS (device bigint, org_id bigint, level text, role text);

-- ---- plan items (karta_item_put, 0003) -----------------------------------------------------
CREATE TYPE karta_up_item AS (ord int, op_id uuid, base bigint, it jsonb, iid uuid, pid uuid,
	sec uuid, par uuid, cur_v bigint, curj jsonb, st text, msg text);

-- ---- statuses (karta_status_set, 0007) ------------------------------------------------------
CREATE TYPE karta_up_status AS (ord int, op_id uuid, a jsonb, iid uuid, sid uuid, pid uuid,
	cur_id uuid, cur_v bigint, st text, msg text, todo text);

-- ---- participants (karta_registry_put, 0008) ------------------------------------------------
CREATE TYPE karta_up_person AS (ord int, op_id uuid, rid uuid, cur_v bigint, nr jsonb, st text,
	msg text);

-- ---- registry deletes (karta_registry_delete, 0010) -----------------------------------------
CREATE TYPE karta_up_del AS (ord int, op_id uuid, rid uuid, cur_v bigint, why text, flag smallint,
	st text, msg text);
-- A change a run made, and the op behind it (change_log.origin_op_id).
CREATE TYPE karta_up_origin AS (entity_id uuid, row_version bigint, op_id uuid);

