-- 0025: a registry file travels as ops that carry many rows (issues 18 and 22). Until now
-- every registry row was its own op — an outbox row, a frame on the wire, an op_log row —
-- and the server wrote it with karta_registry_put (0008: dynamic SQL, the access functions
-- called five times a row, ≈ 4 ms a row); only participants had a set-wise path (0021).
--
-- The op kind registry_rows: a: {"file": …, "unit": "line" | "row", "rows": [{"n": the row's
-- line or element number in its file, "k": registry_put | registry_delete |
-- registry_gds_put | refused, "a": the row's arguments as that op kind takes them (with
-- "type"), "why": kartad's refusal when k is "refused"}, …]}. It is applied once, in one
-- subtransaction, and op_log records the op (its id, digest, and in detail every row's
-- answer): a retried op is answered from there, row by row, so each row is applied exactly
-- once. One row's refusal never sinks the others.
--
-- Inside the op the rows are cut into runs of consecutive rows of one class (put / delete /
-- package put of one table) touching distinct ids, and each run is applied set-wise:
-- (the functions: sql/functions/35_upload_rows.sql, the dispatcher in 34_upload.sql)
--   * registry_put of participants: 0021's karta_upload_participants; of every other table:
--     karta_rows_put — the input typed and normalized as karta_registry_input does,
--     owners and the rows referred to (participant, exam, exam point, staff) joined, the
--     device's access computed once per owner, one INSERT and one UPDATE … FROM per table;
--   * registry_delete: 0021's karta_upload_deletes;
--   * registry_gds_put (the federal package, 0019): the owners by the package's school /
--     municipality GUIDs, the exams by ExamGlobalID, resolved by joins, then the puts above.
-- The set-wise checks only recognize the plain case; any row they do not (a refusal, an
-- interop history row, a package row marked deleted, an assignment) is applied alone by its
-- op function (0008, 0010, 0019), which gives it exactly the answer it always had. A set
-- statement that fails where the checks foresaw nothing rolls its run back, and the run is
-- split in halves down to rows applied alone (0021's rule).
-- Every statement runs with karta.op_id = the op's id, so the per-statement feeds (0022)
-- stamp its changes with it.

-- A row of a run of karta_rows_put / karta_rows_gds_plan: its place, op, id, current version,
-- the row to write (as jsonb), its status and message.
CREATE TYPE karta_rw_row AS (ord int, op_id uuid, rid uuid, cur_v bigint, nr jsonb, st text,
	msg text);

