-- bench/upload_seq_before.sql: karta_upload_seq as it was before kartad stopped parsing
-- registry_rows ops (b39c40f: an SQL function, no exception block, no row checks), under the
-- name karta_upload_seq_before — for `SYNC_SEQ_BEFORE=bench/upload_seq_before.sql
-- bench/sync.sh`, whose part 4 then times it and the current karta_upload_seq alternately on
-- the same 500-op batch (docs/performance.md, "The session of 2026-12-07 (second) …").
CREATE OR REPLACE FUNCTION karta_upload_seq_before(p_device bigint, p_ops text)
RETURNS TABLE (op_id uuid, outcome text, status text, message text, entity_id uuid,
	row_version bigint, conflict_id uuid, detail jsonb, merged boolean, first_outcome text)
LANGUAGE sql SET jit = off AS $$
	SELECT * FROM karta_upload_ops(p_device, ARRAY(SELECT x.t::jsonb
		FROM unnest(string_to_array(p_ops, chr(30))) WITH ORDINALITY x(t, i) WHERE x.t <> '' ORDER BY x.i))
$$;
