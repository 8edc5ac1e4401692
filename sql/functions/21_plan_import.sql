-- 21_plan_import: importing a roadmap document as a plan, in one transaction.
-- A new import creates the plan, its sections, items and abbreviations. A re-import into
-- an existing draft plan matches sections (by number, else title, else position) and items
-- (by number as written + occurrence, or by title when unnumbered) and updates matched items
-- in place, adds new ones and soft-deletes the ones the document no longer has, so nothing
-- is duplicated. With p_dry only the change list is returned.

CREATE OR REPLACE FUNCTION karta_plan_import(p_device bigint, p_into uuid, p jsonb, p_sections jsonb,
	p_items jsonb, p_abbrevs jsonb, p_dry boolean)
RETURNS TABLE (status text, message text, plan_id uuid, op text, section text, number text,
	title text, fields text) LANGUAGE plpgsql AS $$
DECLARE
	a record;
	pl plan;
	g record;
	pid uuid;
	r record;
	v bigint;
BEGIN
	a := karta_writer(p_device);
	IF a.denied IS NOT NULL THEN
		RETURN QUERY SELECT 'denied', a.denied, p_into, NULL, NULL, NULL, NULL, NULL; RETURN;
	END IF;
	IF p_into IS NOT NULL THEN
		SELECT * INTO pl FROM plan WHERE plan.id = p_into FOR UPDATE;
		IF NOT FOUND THEN
			RETURN QUERY SELECT 'not_found', format('no plan %s', p_into), p_into, NULL, NULL, NULL, NULL, NULL;
			RETURN;
		END IF;
		g := karta_plan_write_guard(p_device, pl, true);
		IF g.status IS NOT NULL THEN
			RETURN QUERY SELECT g.status, g.message, p_into, NULL, NULL, NULL, NULL, NULL;
			RETURN;
		END IF;
		pid := p_into;
		-- Lock the items this import may update or soft-delete before its first write:
		-- writes append to the owner's change feed (0005), and an item edit locks its item
		-- before the feed, so taking the feed first here could deadlock with it.
		IF NOT p_dry THEN
			PERFORM 1 FROM plan_item x WHERE x.plan_id = pid AND x.deleted_at IS NULL
			ORDER BY x.id FOR NO KEY UPDATE;
		END IF;
	ELSE
		pid := (p->>'id')::uuid;
		IF EXISTS (SELECT 1 FROM plan WHERE plan.id = pid) THEN
			RETURN QUERY SELECT 'conflict', 'a plan with this id exists', pid, NULL, NULL, NULL, NULL, NULL;
			RETURN;
		END IF;
		IF NOT p_dry THEN
			INSERT INTO plan(id, owner_org_id, level, title, academic_year, act_kind, act_number,
				act_date, implements, updated_by)
			VALUES (pid, a.org_id, a.level, p->>'title', (p->>'academic_year')::int,
				coalesce(p->>'act_kind', ''), coalesce(p->>'act_number', ''),
				nullif(p->>'act_date', '')::date, coalesce(p->>'implements', ''), p_device);
		END IF;
	END IF;

	-- Incoming sections, mapped onto existing ones of the target plan.
	CREATE TEMP TABLE imp_sec ON COMMIT DROP AS
	SELECT (s->>'id')::uuid AS in_id, (s->>'ordinal')::int AS ordinal,
		coalesce(s->>'number', '') AS number, coalesce(s->>'title', '') AS title,
		NULL::uuid AS sec_id
	FROM jsonb_array_elements(p_sections) s;
	UPDATE imp_sec i SET sec_id = coalesce(
		(SELECT x.id FROM plan_section x WHERE x.plan_id = pid AND i.number <> ''
		 AND x.number = i.number ORDER BY x.ordinal LIMIT 1),
		(SELECT x.id FROM plan_section x WHERE x.plan_id = pid
		 AND karta_norm(x.title) = karta_norm(i.title) ORDER BY x.ordinal LIMIT 1),
		(SELECT x.id FROM plan_section x WHERE x.plan_id = pid AND x.ordinal = i.ordinal
		 AND x.number = '' AND i.number = '' LIMIT 1));
	IF NOT p_dry THEN
		INSERT INTO plan_section(id, plan_id, ordinal, number, title)
		SELECT i.in_id, pid, i.ordinal, i.number, i.title FROM imp_sec i WHERE i.sec_id IS NULL;
	END IF;
	UPDATE imp_sec SET sec_id = in_id WHERE sec_id IS NULL;

	-- Items, keyed by (section, number or title, occurrence).
	CREATE TEMP TABLE imp_item ON COMMIT DROP AS
	SELECT j.*, s.sec_id, s.number AS sec_number,
		row_number() OVER (PARTITION BY s.sec_id,
			CASE WHEN j.number <> '' THEN j.number ELSE '#' || karta_norm(j.title) END
			ORDER BY j.ordinal) AS occ
	FROM jsonb_to_recordset(p_items) AS j(id uuid, section_id uuid, ordinal int, number text,
		title text, deadline_text text, deadline jsonb, deadline_kind text, deadline_last date,
		responsible_text text, responsible jsonb, municipal_action text,
		institutional_action text, result_text text, target_text text, targets jsonb)
	JOIN imp_sec s ON s.in_id = j.section_id;
	CREATE TEMP TABLE cur_item ON COMMIT DROP AS
	SELECT x.*, row_number() OVER (PARTITION BY x.section_id,
			CASE WHEN x.number <> '' THEN x.number ELSE '#' || karta_norm(x.title) END
			ORDER BY x.ordinal, x.id) AS occ
	FROM plan_item x WHERE x.plan_id = pid AND x.deleted_at IS NULL;
	CREATE TEMP TABLE imp_match ON COMMIT DROP AS
	SELECT i.id AS in_id, c.id AS cur_id, c.row_version AS cur_version,
		c.ordinal IS DISTINCT FROM i.ordinal AS moved, -- a neighbour added or removed
		array_remove(ARRAY[
			CASE WHEN c.title IS DISTINCT FROM i.title THEN 'title' END,
			CASE WHEN c.deadline_text IS DISTINCT FROM i.deadline_text THEN 'deadline_text' END,
			CASE WHEN c.responsible_text IS DISTINCT FROM i.responsible_text THEN 'responsible_text' END,
			CASE WHEN c.municipal_action IS DISTINCT FROM i.municipal_action THEN 'municipal_action' END,
			CASE WHEN c.institutional_action IS DISTINCT FROM i.institutional_action THEN 'institutional_action' END,
			CASE WHEN c.result_text IS DISTINCT FROM i.result_text THEN 'result_text' END,
			CASE WHEN c.target_text IS DISTINCT FROM i.target_text THEN 'target_text' END], NULL) AS changed
	FROM imp_item i LEFT JOIN cur_item c ON c.section_id = i.sec_id AND c.occ = i.occ
		AND CASE WHEN i.number <> '' THEN c.number = i.number
		         ELSE c.number = '' AND karta_norm(c.title) = karta_norm(i.title) END;

	IF NOT p_dry THEN
		INSERT INTO abbreviation(plan_id, short, full_text)
		SELECT DISTINCT ON (x->>'short') pid, x->>'short', coalesce(x->>'full', '')
		FROM jsonb_array_elements(coalesce(p_abbrevs, '[]')) x
		ON CONFLICT ON CONSTRAINT abbreviation_pkey DO UPDATE SET full_text = excluded.full_text;
		UPDATE imp_item SET responsible = coalesce(responsible, '{}')
			|| jsonb_build_object('parties', karta_resolve_parties(responsible_text, pid));
		INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text,
			deadline, deadline_kind, deadline_last, responsible_text, responsible,
			municipal_action, institutional_action, result_text, target_text, targets, updated_by)
		SELECT i.id, pid, i.sec_id, i.ordinal, i.number, i.title, i.deadline_text, i.deadline,
			i.deadline_kind, i.deadline_last, i.responsible_text, i.responsible,
			i.municipal_action, i.institutional_action, i.result_text, i.target_text, i.targets,
			p_device
		FROM imp_item i JOIN imp_match m ON m.in_id = i.id WHERE m.cur_id IS NULL;
		INSERT INTO item_history(item_id, row_version, op, fields, device_id, org_id)
		SELECT m.in_id, 1, 'create', '{imported}', p_device, a.org_id
		FROM imp_match m WHERE m.cur_id IS NULL;

		UPDATE plan_item x SET title = i.title, ordinal = i.ordinal,
			deadline_text = i.deadline_text, deadline = i.deadline, deadline_kind = i.deadline_kind,
			deadline_last = i.deadline_last, responsible_text = i.responsible_text,
			responsible = i.responsible, municipal_action = i.municipal_action,
			institutional_action = i.institutional_action, result_text = i.result_text,
			target_text = i.target_text, targets = i.targets, row_version = x.row_version + 1,
			updated_at = now(), updated_by = p_device
		FROM imp_match m JOIN imp_item i ON i.id = m.in_id
		WHERE x.id = m.cur_id AND (cardinality(m.changed) > 0 OR m.moved);
		INSERT INTO item_history(item_id, row_version, op, fields, device_id, org_id)
		SELECT m.cur_id, m.cur_version + 1,
			CASE WHEN cardinality(m.changed) > 0 THEN 'update' ELSE 'move' END,
			CASE WHEN cardinality(m.changed) > 0 THEN m.changed ELSE '{ordinal}' END,
			p_device, a.org_id
		FROM imp_match m WHERE m.cur_id IS NOT NULL AND (cardinality(m.changed) > 0 OR m.moved);

		UPDATE plan_item x SET deleted_at = now(),
			delete_reason = 'not in the re-imported document', row_version = x.row_version + 1,
			updated_at = now(), updated_by = p_device
		FROM cur_item c WHERE x.id = c.id
		  AND NOT EXISTS (SELECT 1 FROM imp_match m WHERE m.cur_id = c.id);
		INSERT INTO item_history(item_id, row_version, op, fields, device_id, org_id)
		SELECT c.id, c.row_version + 1, 'delete', '{deleted_at,delete_reason}', p_device, a.org_id
		FROM cur_item c WHERE NOT EXISTS (SELECT 1 FROM imp_match m WHERE m.cur_id = c.id);

		IF p_into IS NOT NULL THEN
			UPDATE plan SET row_version = row_version + 1, updated_at = now(), updated_by = p_device
			WHERE plan.id = pid;
		END IF;
	END IF;

	RETURN QUERY
	SELECT 'ok', NULL::text, pid,
		CASE WHEN m.cur_id IS NULL THEN 'add'
		     WHEN cardinality(m.changed) > 0 THEN 'update' ELSE 'same' END,
		i.sec_number, i.number, i.title, array_to_string(m.changed, ',')
	FROM imp_match m JOIN imp_item i ON i.id = m.in_id
	UNION ALL
	SELECT 'ok', NULL, pid, 'remove', s.number, c.number, c.title, ''
	FROM cur_item c JOIN plan_section s ON s.id = c.section_id
	WHERE NOT EXISTS (SELECT 1 FROM imp_match m WHERE m.cur_id = c.id);
	IF NOT FOUND THEN /* an empty document: still say which plan */
		RETURN QUERY SELECT 'ok', NULL::text, pid, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text;
	END IF;
END $$;
