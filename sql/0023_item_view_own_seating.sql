-- 0023: what an item and a seating list show a person (issue 19, "everyday gaps").
--
-- 1. item_change: the old and the new value of every field a write of an item changed, one
--    row per (item, version), written by a trigger on plan_item — so `karta item history`
--    shows «срок: до 1 мая → до 15 мая» and only the fields that really changed, whatever
--    path wrote the row (an edit, a move, an import, a merge of a stale edit). Derived
--    columns (the normalized deadline and parties) and bookkeeping are left out: the person
--    wrote the text, the text is what changed.
-- 2. karta_item_statuses: the statuses of an item — the asking organization's own, and those
--    of the organizations below it on the items derived from it — with comment and evidence,
--    for `karta item show`.
-- 3. karta_seating_view: `karta exam seating` for every level. A school does not plan exams
--    (karta_plan_ctx refuses it), yet it must tell its students where they sit: it gets the
--    seats of its own participants (karta_own_seats, 0017) as a seating list, read-only,
--    and nothing of anybody else. Planners get karta_seating_list (0009) as before.

CREATE TABLE item_change (
	item_id     uuid NOT NULL REFERENCES plan_item(id),
	row_version bigint NOT NULL,
	old         jsonb NOT NULL,  -- {field: value before}
	new         jsonb NOT NULL,  -- {field: value after}
	PRIMARY KEY (item_id, row_version)
);

