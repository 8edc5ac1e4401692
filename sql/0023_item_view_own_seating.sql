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

-- The columns a person writes (or moves) of an item; nothing derived, nothing bookkeeping.
CREATE FUNCTION karta_item_fields(r jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM jsonb_each(r) e(k, v)
	WHERE k IN ('number', 'title', 'deadline_text', 'responsible_text', 'municipal_action',
		'institutional_action', 'result_text', 'target_text', 'section_id', 'ordinal',
		'parent_item_id', 'reference_only', 'deleted_at', 'delete_reason')
$$;

CREATE FUNCTION karta_item_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	o jsonb := karta_item_fields(to_jsonb(OLD));
	n jsonb := karta_item_fields(to_jsonb(NEW));
	d_old jsonb;
	d_new jsonb;
BEGIN
	SELECT coalesce(jsonb_object_agg(k, o -> k), '{}'), coalesce(jsonb_object_agg(k, v), '{}')
	INTO d_old, d_new FROM jsonb_each(n) e(k, v) WHERE v IS DISTINCT FROM o -> k;
	IF d_new = '{}' THEN
		RETURN NULL;
	END IF;
	-- two writes under one version (a merge finishing an edit): the first old value stays
	INSERT INTO item_change(item_id, row_version, old, new)
	VALUES (NEW.id, NEW.row_version, d_old, d_new)
	ON CONFLICT (item_id, row_version) DO UPDATE
		SET old = EXCLUDED.old || item_change.old, new = item_change.new || EXCLUDED.new;
	RETURN NULL;
END $$;

CREATE TRIGGER plan_item_change AFTER UPDATE ON plan_item
	FOR EACH ROW EXECUTE FUNCTION karta_item_change();
ALTER TABLE plan_item ENABLE ALWAYS TRIGGER plan_item_change;

-- The statuses of item a->>'item' this device's organization may read: on the item itself
-- and on the items derived from it (sub-plans below), of organizations it sees.
CREATE FUNCTION karta_item_statuses(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, org text, org_name text, item text,
	item_status text, comment text, evidence text, version bigint, updated_at text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	act record;
	it uuid;
	acc text;
BEGIN
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'denied'::text, 'this device is not active'::text, NULL::text,
			NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text;
		RETURN;
	END IF;
	IF coalesce(a->>'item', '') !~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN
		RETURN QUERY SELECT 'bad'::text, 'item: must be a uuid'::text, NULL::text, NULL::text,
			NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text;
		RETURN;
	END IF;
	it := (a->>'item')::uuid;
	SELECT karta_plan_access(act.org_id, act.level, pl.owner_org_id) INTO acc
	FROM plan_item i JOIN plan pl ON pl.id = i.plan_id WHERE i.id = it;
	IF coalesce(acc, 'none') = 'none' THEN
		RETURN QUERY SELECT CASE WHEN acc IS NULL THEN 'not_found' ELSE 'denied' END,
			format('no item %s', it), NULL::text, NULL::text, NULL::text, NULL::text,
			NULL::text, NULL::text, NULL::bigint, NULL::text;
		RETURN;
	END IF;
	RETURN QUERY
	WITH RECURSIVE d(id, depth) AS (
		SELECT it, 0
		UNION ALL
		SELECT x.id, d.depth + 1 FROM plan_item x JOIN d ON x.derived_from = d.id
		WHERE d.depth < 3 AND x.deleted_at IS NULL)
	SELECT 'ok'::text, ''::text, o.code, o.name, s.item_id::text, s.status, s.comment,
		CASE WHEN s.evidence = '{}'::jsonb THEN '' ELSE s.evidence::text END,
		s.row_version, to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM d JOIN item_status s ON s.item_id = d.id
	JOIN organization o ON o.id = s.org_id
	WHERE karta_org_sees(act.org_id, s.org_id)
	ORDER BY d.depth, o.code COLLATE "C";
END $$;

-- `karta exam seating` for any device: a school gets its own participants' seats (0017) in
-- the columns of karta_seating_list, filtered by exam and point; anyone else the planners'
-- list. Read-only: nothing here writes.
CREATE FUNCTION karta_seating_view(p_device bigint, p_exam uuid, p_point text)
RETURNS TABLE (status text, message text, point text, auditorium text, seat_row int, seat int,
	school text, person text, birth_date text, participant uuid, manual boolean)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM karta_actor(p_device) a WHERE a.level = 'school') THEN
		RETURN QUERY SELECT * FROM karta_seating_list(p_device, p_exam, p_point);
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM exam e WHERE e.id = p_exam AND e.deleted_at IS NULL) THEN
		RETURN QUERY SELECT 'not_found'::text, 'exam_id: no such exam'::text, NULL::text,
			NULL::text, NULL::int, NULL::int, NULL::text, NULL::text, NULL::text, NULL::uuid,
			NULL::boolean;
		RETURN;
	END IF;
	RETURN QUERY
	SELECT 'ok'::text, ''::text, s.point, s.auditorium, s.seat_row, s.seat, o.code,
		concat_ws(' ', p.surname, p.name, nullif(p.patronymic, '')),
		to_char(p.birth_date, 'DD.MM.YYYY'), s.participant, false
	FROM karta_own_seats(p_device, p_exam) s
	JOIN participant p ON p.id = s.participant
	JOIN organization o ON o.id = p.org_id
	WHERE s.status = 'ok' AND (p_point IS NULL OR s.point = p_point)
	ORDER BY s.point COLLATE "C", s.auditorium COLLATE "C", s.seat_row, s.seat;
END $$;
