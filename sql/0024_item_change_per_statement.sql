-- 0024: an item's changed fields (item_change, 0023) recorded once per statement, like the
-- change feeds since 0022: one INSERT … SELECT over the statement's transition tables
-- instead of a PL/pgSQL call per updated row, so a set-wise Upload (0021) or a bulk write of
-- many items pays one trigger call. What is recorded is unchanged: per (item, version) the
-- fields a person writes that differ, old and new; a version written twice (a merge finishing
-- an edit) keeps the first old value and the last new one. One UPDATE statement changes each
-- row once, so no (item, version) appears twice in one INSERT.
CREATE FUNCTION karta_item_change_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO item_change(item_id, row_version, old, new)
	SELECT n.id, n.row_version, d.old, d.new
	FROM new_rows n
	JOIN old_rows o ON o.id = n.id
	CROSS JOIN LATERAL (SELECT karta_item_fields(to_jsonb(o)) AS fo,
	                           karta_item_fields(to_jsonb(n)) AS fn) f
	CROSS JOIN LATERAL (
		SELECT coalesce(jsonb_object_agg(k, f.fo -> k), '{}') AS old,
		       coalesce(jsonb_object_agg(k, v), '{}') AS new
		FROM jsonb_each(f.fn) e(k, v) WHERE v IS DISTINCT FROM f.fo -> k) d
	WHERE d.new <> '{}'
	ON CONFLICT (item_id, row_version) DO UPDATE
		SET old = EXCLUDED.old || item_change.old, new = item_change.new || EXCLUDED.new;
	RETURN NULL;
END $$;

DROP TRIGGER plan_item_change ON plan_item;
DROP FUNCTION karta_item_change();
CREATE TRIGGER plan_item_change AFTER UPDATE ON plan_item
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION karta_item_change_stmt();
ALTER TABLE plan_item ENABLE ALWAYS TRIGGER plan_item_change;
