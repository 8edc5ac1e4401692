-- 34_upload: an Upload applied set-wise (karta_upload; the design is told at the top of
-- sql/0021_upload_setwise.sql): the batch cut into runs of consecutive ops of one kind that
-- touch distinct rows, each run checked by one SELECT and written by one statement per table;
-- kinds that are not set-wise, and runs a set statement fails on, go one by one
-- (karta_upload_serial, in a subtransaction each).

-- A batch of ops from one device, in one transaction, each op in a subtransaction of its own:
-- a refused op leaves nothing behind and does not stop the next. p_ops:
-- [{"op_id", "digest", "kind", "a"}]. Outcomes: applied | duplicate | conflict | rejected |
-- retry_later (lock or serialization trouble: not recorded, the client sends it again).
CREATE OR REPLACE FUNCTION karta_upload_serial(p_device bigint, p_ops jsonb)
RETURNS TABLE (op_id uuid, outcome text, status text, message text, entity_id uuid,
	row_version bigint, conflict_id uuid, detail jsonb, merged boolean, first_outcome text)
LANGUAGE plpgsql AS $$
DECLARE
	o jsonb;
	oid uuid;
	prev op_log;
	st text;
	msg text;
	res text;
	r_id uuid;
	r_ver bigint;
	r_conf uuid;
	r_det jsonb;
	r_merged boolean;
BEGIN
	PERFORM set_config('karta.device', p_device::text, true);
	FOR o IN SELECT * FROM jsonb_array_elements(p_ops) LOOP
		oid := (o->>'op_id')::uuid;
		SELECT * INTO prev FROM op_log l WHERE l.device_id = p_device AND l.op_id = oid;
		IF FOUND THEN
			IF prev.digest <> o->>'digest' THEN
				RETURN QUERY SELECT oid, 'rejected', 'bad',
					'op_id was used before for a different op', NULL::uuid, NULL::bigint,
					NULL::uuid, NULL::jsonb, false, NULL::text;
			ELSE
				RETURN QUERY SELECT oid, 'duplicate', prev.status, prev.message, prev.entity_id,
					prev.row_version, prev.conflict_id, prev.detail, prev.merged, prev.outcome;
			END IF;
			CONTINUE;
		END IF;
		PERFORM set_config('karta.op_id', oid::text, true);
		r_id := NULL; r_ver := NULL; r_conf := NULL; r_det := NULL; r_merged := false;
		BEGIN
			SELECT x.status, x.message, x.id, x.version, x.conflict_id, x.detail, x.merged
			INTO st, msg, r_id, r_ver, r_conf, r_det, r_merged
			FROM karta_op_apply(p_device, o->>'kind', o->'a') x;
			IF st <> 'ok' AND r_conf IS NULL THEN
				RAISE EXCEPTION USING ERRCODE = 'KT001', MESSAGE = st, DETAIL = msg;
			END IF;
			res := CASE WHEN r_conf IS NULL THEN 'applied' ELSE 'conflict' END;
		EXCEPTION
			WHEN SQLSTATE 'KT001' THEN
				GET STACKED DIAGNOSTICS st = MESSAGE_TEXT, msg = PG_EXCEPTION_DETAIL;
				res := 'rejected';
			WHEN serialization_failure OR deadlock_detected OR lock_not_available
			     OR query_canceled THEN
				res := 'retry_later'; st := 'busy'; msg := 'the database was busy: send it again';
			WHEN raise_exception THEN -- the write functions' "status:message"
				GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
				res := 'rejected';
				st := CASE WHEN position(':' IN msg) > 0 THEN split_part(msg, ':', 1) ELSE 'bad' END;
				msg := CASE WHEN position(':' IN msg) > 0 THEN substr(msg, position(':' IN msg) + 1) ELSE msg END;
			WHEN OTHERS THEN -- bad data the checks let through: no values in the message
				GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
				res := 'rejected';
				msg := 'the op was refused by the database (SQLSTATE ' || st || ')';
				st := 'bad';
		END;
		PERFORM set_config('karta.op_id', '', true);
		IF res IN ('rejected', 'retry_later') THEN
			r_id := NULL; r_ver := NULL; r_conf := NULL; r_det := NULL; r_merged := false;
		END IF;
		IF res <> 'retry_later' THEN
			INSERT INTO op_log(device_id, op_id, digest, kind, outcome, status, message, entity_id,
				row_version, conflict_id, detail, merged)
			VALUES (p_device, oid, o->>'digest', o->>'kind', res, st, coalesce(msg, ''), r_id,
				r_ver, r_conf, r_det, coalesce(r_merged, false));
		END IF;
		RETURN QUERY SELECT oid, res, st, coalesce(msg, ''), r_id, r_ver, r_conf, r_det,
			coalesce(r_merged, false), NULL::text;
	END LOOP;
END $$;

-- A uuid as kartad and the clients write it; anything else takes the one-by-one path (whose
-- casts accept the other spellings), so the run's keys compare as text.
CREATE OR REPLACE FUNCTION karta_up_uuid_re() RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
$$;

CREATE OR REPLACE FUNCTION karta_up_uuid(t text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN t ~ ('^' || karta_up_uuid_re() || '$') THEN t::uuid END
$$;

-- ---- the dispatcher: a registry_rows op is a run of its own ----------------------------------
-- p_item_ids_ok: every item id of the batch is well-formed (karta_upload's first pass; true
-- spares the op its three matches).
CREATE OR REPLACE FUNCTION karta_upload_class(o karta_up_op, p_item_ids_ok boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
	WHEN o.kind = 'registry_rows' THEN 'registry_rows'
	WHEN o.kind = 'item_put' AND (p_item_ids_ok OR karta_up_uuid(o.a->'item'->>'id') IS NOT NULL
	     AND karta_up_uuid(o.a->'item'->>'plan_id') IS NOT NULL
	     AND coalesce(o.a->'item'->>'parent_item_id', '') IN ('', karta_up_uuid(o.a->'item'->>'parent_item_id')::text))
		THEN 'item_put'
	WHEN o.kind = 'status_set' AND karta_up_uuid(o.a->>'item_id') IS NOT NULL
	     AND coalesce(o.a->>'base', '0') ~ '^[0-9]{1,15}$'
		THEN 'status_set'
	WHEN o.kind = 'registry_put' AND o.a->>'type' = 'participant'
	     AND karta_up_uuid(o.a->>'id') IS NOT NULL
	     AND coalesce(nullif(o.a->>'base', ''), '0') ~ '^[0-9]{1,15}$'
	     AND NOT coalesce(o.a->>'ris_deleted', '') ~ '^0*[1-9][0-9]*$' -- interop history rows
		THEN 'participant_put'
	WHEN o.kind = 'registry_delete' AND karta_registry_type(o.a->>'type')
	     AND karta_up_uuid(o.a->>'id') IS NOT NULL
	     AND coalesce(nullif(o.a->>'base', ''), '0') ~ '^[0-9]{1,15}$'
	     AND coalesce(nullif(o.a->>'ris_deleted', ''), '0') ~ '^[0-9]{1,4}$'
		THEN 'registry_delete:' || (o.a->>'type') -- one type a run: deletes cascade across types
	END
$$;

-- A run's answer for one op: applied (st 'ok', msg the write's word), left to the one-by-one
-- path (st 'serial'), or refused with the write function's status and message.
CREATE OR REPLACE FUNCTION karta_up_result(p_ord int, p_op uuid, p_st text, p_msg text, p_id uuid,
	p_version bigint) RETURNS karta_up_res LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_st
	WHEN 'ok' THEN ROW(p_ord, p_op, 'applied', 'ok', p_msg, p_id, p_version, NULL, NULL, false,
		NULL)::karta_up_res
	WHEN 'serial' THEN ROW(p_ord, p_op, 'serial', NULL, NULL, NULL, NULL, NULL, NULL, false,
		NULL)::karta_up_res
	ELSE ROW(p_ord, p_op, 'rejected', p_st, p_msg, NULL, NULL, NULL, NULL, false,
		NULL)::karta_up_res END
$$;

-- Ops through 0006's loop, results tagged with their place in the Upload.
CREATE OR REPLACE FUNCTION karta_upload_serial_ops(p_device bigint, p_ops karta_up_op[])
RETURNS SETOF karta_up_res LANGUAGE sql AS $$
	SELECT (p_ops[r.k]).ord, r.op_id, r.outcome, r.status, r.message, r.entity_id,
		r.row_version, r.conflict_id, r.detail, r.merged, r.first_outcome
	FROM karta_upload_serial(p_device, (SELECT jsonb_agg(jsonb_build_object('op_id', o.op_id,
		'digest', o.digest, 'kind', o.kind, 'a', o.a) ORDER BY o.ord) FROM unnest(p_ops) o))
		WITH ORDINALITY r(op_id, outcome, status, message, entity_id, row_version, conflict_id,
			detail, merged, first_outcome, k)
$$;

-- A run of item_puts: checked by one SELECT, then its op_log rows written (the answers are
-- known once the run is checked: karta_upload_group leaves this run's to it), then the items.
-- The items' INSERT or UPDATE is the run's last write: its statement triggers take the
-- feed's counter row (karta_feed_stmt, fired last of them), held to commit, so what comes
-- after it — and waits there when another Upload on the same feed is applied at once — is
-- as short as it can be (docs/performance.md, "Two Uploads on one feed at once").
CREATE OR REPLACE FUNCTION karta_upload_items(w karta_up_actor, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	d karta_up_item[];
	res karta_up_res[];
BEGIN
	WITH o AS (
		SELECT x.ord, x.op_id, coalesce((x.a->>'base')::bigint, 0) AS base, x.a->'item' AS it,
			(x.a->'item'->>'id')::uuid AS iid, (x.a->'item'->>'section_id')::uuid AS sec,
			nullif(x.a->'item'->>'parent_item_id', '')::uuid AS par
		FROM unnest(p_ops) x),
	cur AS (SELECT i.* FROM plan_item i WHERE i.id IN (SELECT o.iid FROM o) ORDER BY i.id FOR UPDATE),
	j AS MATERIALIZED (
		SELECT o.*, c.id IS NOT NULL AS found, c.row_version AS cur_v, to_jsonb(c) AS curj, c.deleted_at,
			c.reference_only, c.derived_from, c.title, c.deadline_text, p.id AS pid, p.status,
			p.owner_org_id,
			-- edits that move an item under another parent: the first is checked against the
			-- tree as it is, each later one (one by one) against the tree the earlier made
			count(*) FILTER (WHERE o.base <> 0 AND o.par IS NOT NULL
			                   AND o.par IS DISTINCT FROM c.parent_item_id) OVER (ORDER BY o.ord) AS moves,
			o.base <> 0 AND o.par IS NOT NULL AND o.par IS DISTINCT FROM c.parent_item_id AS moved
		FROM o LEFT JOIN cur c ON c.id = o.iid
		LEFT JOIN plan p ON p.id = CASE WHEN o.base = 0 THEN (o.it->>'plan_id')::uuid ELSE c.plan_id END),
	acc AS (
		SELECT p.owner_org_id, karta_plan_access(w.org_id, w.level, p.owner_org_id) AS acc
		FROM (SELECT DISTINCT j.owner_org_id FROM j WHERE j.owner_org_id IS NOT NULL) p),
	v AS (
		SELECT j.*, CASE
			WHEN j.moved AND j.moves > 1 THEN 'serial|'
			WHEN j.base = 0 AND j.found THEN 'conflict|an item with this id exists'
			WHEN j.base <> 0 AND NOT j.found THEN format('not_found|no item %s', j.iid)
			WHEN j.pid IS NULL THEN format('not_found|no plan %s', j.it->>'plan_id')
			WHEN karta_write_refusal(w.org_id, w.role, true) IS NOT NULL THEN
				'denied|' || karta_write_refusal(w.org_id, w.role, true)
			WHEN a.acc <> 'write' THEN format('denied|no write access to plan %s', j.pid)
			WHEN j.status <> 'draft' THEN
				format('precondition|plan %s is %s: its text is read-only', j.pid, j.status)
			-- a stale edit: merged or a conflict record (karta_merge), one by one
			WHEN j.base <> 0 AND (j.deleted_at IS NOT NULL OR j.cur_v <> j.base) THEN 'serial|'
			WHEN j.base <> 0 AND j.reference_only AND w.level <> 'region' THEN
				'denied|the item is a read-only reference to the parent plan'
			WHEN NOT EXISTS (SELECT 1 FROM plan_section s WHERE s.id = j.sec AND s.plan_id = j.pid) THEN
				'bad|the section is not in this plan'
			WHEN j.par IS NOT NULL AND NOT karta_parent_ok(j.pid, j.iid, j.par) THEN
				'bad|the parent item must be a live item of this plan, not the item or one of its sub-items'
			WHEN j.base <> 0 AND j.derived_from IS NOT NULL AND w.level <> 'region'
			     AND (j.title IS DISTINCT FROM j.it->>'title'
			          OR j.deadline_text IS DISTINCT FROM coalesce(j.it->>'deadline_text', '')) THEN
				'denied|title and deadline of a derived item belong to the parent plan'
			ELSE 'ok|' END AS sm
		FROM j LEFT JOIN acc a ON a.owner_org_id = j.owner_org_id)
	SELECT array_agg(ROW(v.ord, v.op_id, v.base, v.it, v.iid, v.pid, v.sec, v.par, v.cur_v, v.curj,
		split_part(v.sm, '|', 1), substr(v.sm, position('|' IN v.sm) + 1))::karta_up_item ORDER BY v.ord)
	INTO d FROM v;

	res := ARRAY(SELECT karta_up_result(x.ord, x.op_id, x.st, CASE WHEN x.st <> 'ok' THEN x.msg
			WHEN x.base = 0 THEN 'created' ELSE 'updated' END, x.iid, coalesce(x.cur_v, 0) + 1)
		FROM unnest(d) x ORDER BY x.ord);
	-- the answers' op_log rows before the writes (a write that fails takes them back with the
	-- run's subtransaction, karta_upload_split); none for an op left to the one-by-one path
	PERFORM karta_up_log(w, res, p_ops);

	-- each statement only when it has rows: an empty one still fires the table's statement
	-- triggers (feed, roll-up, reference checks, item_change). Each writes the items and their
	-- history rows, the history from the items' RETURNING: the statement proves every history
	-- row's item, so item_history's reference check does not probe them (karta.history_proven,
	-- karta_item_history_refs; set for the statement only — a failed one is rolled back with
	-- its subtransaction, the setting with it).
	IF EXISTS (SELECT 1 FROM unnest(d) x WHERE x.st = 'ok' AND x.base = 0) THEN
		PERFORM set_config('karta.history_proven', 'on', true);
		-- the parties of each distinct responsible text of a plan, resolved once, all in one
		-- statement; joined back by equality (a hash join: as IS NOT DISTINCT FROM, a nested
		-- loop of every item by every text)
		WITH pt AS MATERIALIZED (
			SELECT r.txt, r.plan_id AS pid, r.parties FROM karta_resolve_parties_set(
				ARRAY(SELECT coalesce(x.it->>'responsible_text', '') FROM unnest(d) x WHERE x.st = 'ok'
				      ORDER BY x.ord),
				ARRAY(SELECT x.pid FROM unnest(d) x WHERE x.st = 'ok' ORDER BY x.ord)) r),
		ins AS (
			INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, parent_item_id, title,
				deadline_text, deadline, deadline_kind, deadline_last, responsible_text,
				responsible, municipal_action, institutional_action, result_text, target_text,
				targets, updated_by)
			SELECT x.iid, x.pid, x.sec, (x.it->>'ordinal')::int, coalesce(x.it->>'number', ''), x.par,
				x.it->>'title', coalesce(x.it->>'deadline_text', ''), coalesce(x.it->'deadline', '{}'),
				coalesce(x.it->>'deadline_kind', 'empty'), nullif(x.it->>'deadline_last', '')::date,
				coalesce(x.it->>'responsible_text', ''), coalesce(x.it->'responsible', '{}')
					|| jsonb_build_object('parties', pt.parties),
				coalesce(x.it->>'municipal_action', ''), coalesce(x.it->>'institutional_action', ''),
				coalesce(x.it->>'result_text', ''), coalesce(x.it->>'target_text', ''),
				coalesce(x.it->'targets', '{}'), w.device
			FROM unnest(d) x JOIN pt ON pt.txt = coalesce(x.it->>'responsible_text', '')
				AND pt.pid = x.pid
			WHERE x.st = 'ok' AND x.base = 0 ORDER BY x.ord
			RETURNING *),
		-- a new item's fields (karta_changed_fields('{}', row)) differ only by which of its
		-- columns are null: listed once for each such pattern of the run, from one of its rows
		k AS MATERIALIZED (
			SELECT ins.id, concat_ws(',', ins.parent_item_id IS NULL, ins.deadline_last IS NULL,
				ins.deadline = 'null'::jsonb, ins.targets = 'null'::jsonb,
				ins.responsible = 'null'::jsonb) AS p
			FROM ins),
		f AS MATERIALIZED (
			SELECT r.p, karta_changed_fields('{}', to_jsonb(i) - 'id' - 'plan_id') AS fields
			FROM (SELECT DISTINCT ON (k.p) k.p, k.id FROM k ORDER BY k.p) r JOIN ins i ON i.id = r.id)
		INSERT INTO item_history(item_id, row_version, op, fields, device_id, org_id)
		SELECT k.id, 1, 'create', f.fields, w.device, w.org_id FROM k JOIN f ON f.p = k.p;
		PERFORM set_config('karta.history_proven', '', true);
	END IF;

	IF EXISTS (SELECT 1 FROM unnest(d) x WHERE x.st = 'ok' AND x.base <> 0) THEN
		PERFORM set_config('karta.history_proven', 'on', true);
		WITH pt AS MATERIALIZED (
			SELECT r.txt, r.plan_id AS pid, r.parties FROM karta_resolve_parties_set(
				ARRAY(SELECT coalesce(x.it->>'responsible_text', '') FROM unnest(d) x
				      WHERE x.st = 'ok' AND x.base <> 0 ORDER BY x.ord),
				ARRAY(SELECT x.pid FROM unnest(d) x WHERE x.st = 'ok' AND x.base <> 0 ORDER BY x.ord)) r),
		upd AS (
			UPDATE plan_item i SET section_id = x.sec, ordinal = (x.it->>'ordinal')::int,
				number = coalesce(x.it->>'number', ''), parent_item_id = x.par, title = x.it->>'title',
				deadline_text = coalesce(x.it->>'deadline_text', ''),
				deadline = coalesce(x.it->'deadline', '{}'),
				deadline_kind = coalesce(x.it->>'deadline_kind', 'empty'),
				deadline_last = nullif(x.it->>'deadline_last', '')::date,
				responsible_text = coalesce(x.it->>'responsible_text', ''),
				responsible = coalesce(x.it->'responsible', '{}') || jsonb_build_object('parties', pt.parties),
				municipal_action = coalesce(x.it->>'municipal_action', ''),
				institutional_action = coalesce(x.it->>'institutional_action', ''),
				result_text = coalesce(x.it->>'result_text', ''),
				target_text = coalesce(x.it->>'target_text', ''),
				targets = coalesce(x.it->'targets', '{}'),
				row_version = i.row_version + 1, updated_at = now(), updated_by = w.device
			FROM unnest(d) x JOIN pt ON pt.txt = coalesce(x.it->>'responsible_text', '')
				AND pt.pid = x.pid
			WHERE i.id = x.iid AND x.st = 'ok' AND x.base <> 0
			RETURNING i.id, i.row_version, karta_changed_fields(x.curj, to_jsonb(i)) AS fields)
		INSERT INTO item_history(item_id, row_version, op, fields, device_id, org_id)
		SELECT upd.id, upd.row_version, 'update', upd.fields, w.device, w.org_id FROM upd;
		PERFORM set_config('karta.history_proven', '', true);
	END IF;

	RETURN res;
END $$;

CREATE OR REPLACE FUNCTION karta_upload_statuses(w karta_up_actor, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	d karta_up_status[];
BEGIN
	WITH o AS (
		SELECT x.ord, x.op_id, x.a, (x.a->>'item_id')::uuid AS iid,
			karta_item_status_id((x.a->>'item_id')::uuid, w.org_id) AS sid,
			coalesce(nullif(x.a->'evidence', 'null'::jsonb), '{}') AS ev,
			coalesce(x.a->>'comment', '') AS cm
		FROM unnest(p_ops) x),
	cur AS (SELECT s.* FROM item_status s WHERE s.org_id = w.org_id AND s.item_id IN (SELECT o.iid FROM o)
	        ORDER BY s.id FOR UPDATE),
	acc AS MATERIALIZED (
		SELECT x.owner_org_id, karta_plan_access(w.org_id, w.level, x.owner_org_id) AS acc
		FROM (SELECT DISTINCT p.owner_org_id FROM o JOIN plan_item i ON i.id = o.iid
		      JOIN plan p ON p.id = i.plan_id) x),
	j AS MATERIALIZED (
		SELECT o.*, i.id IS NOT NULL AND acc.acc <> 'none' AS seen,
			p.id AS pid, p.owner_org_id, p.status AS pstatus, i.deleted_at, i.reference_only,
			c.id AS cur_id, c.row_version AS cur_v, c.status AS cur_st, c.comment AS cur_cm,
			c.evidence AS cur_ev, karta_evidence_check(o.a->'evidence') AS ev_err
		FROM o LEFT JOIN plan_item i ON i.id = o.iid LEFT JOIN plan p ON p.id = i.plan_id
		LEFT JOIN acc ON acc.owner_org_id = p.owner_org_id LEFT JOIN cur c ON c.item_id = o.iid),
	v AS (
		SELECT j.*, CASE
			WHEN karta_write_refusal(w.org_id, w.role) IS NOT NULL THEN
				'denied|' || karta_write_refusal(w.org_id, w.role)
			WHEN NOT j.seen THEN format('not_found|no item %s', j.iid)
			WHEN j.owner_org_id <> w.org_id THEN
				'denied|an organization reports status only on the items of its own plans'
			WHEN j.deleted_at IS NOT NULL THEN 'precondition|the item was deleted'
			WHEN j.reference_only THEN
				'precondition|the item is a read-only reference to the parent plan: nobody here reports on it'
			WHEN j.pstatus = 'archived' THEN 'precondition|the plan is archived'
			WHEN coalesce(j.a->>'status', '') NOT IN ('not_started', 'in_progress', 'done',
			                                          'not_applicable', 'blocked') THEN
				'bad|status must be not_started, in_progress, done, not_applicable or blocked'
			WHEN length(j.cm) > 4000 THEN 'bad|a comment has at most 4000 characters'
			WHEN j.ev_err IS NOT NULL THEN 'bad|' || j.ev_err
			WHEN j.a ? 'base' AND coalesce((j.a->>'base')::bigint, 0) <> coalesce(j.cur_v, 0) THEN
				'conflict|' || karta_stale('status', j.a->>'base', coalesce(j.cur_v, 0))
			WHEN j.cur_id IS NULL THEN 'ok|created'
			WHEN j.cur_st = j.a->>'status' AND j.cur_cm = j.cm AND j.cur_ev = j.ev THEN 'ok|unchanged'
			ELSE 'ok|updated' END AS sm
		FROM j)
	SELECT array_agg(ROW(v.ord, v.op_id, v.a, v.iid, v.sid, v.pid, v.cur_id, v.cur_v,
		split_part(v.sm, '|', 1), substr(v.sm, position('|' IN v.sm) + 1),
		CASE WHEN v.sm IN ('ok|created', 'ok|updated') THEN substr(v.sm, 4) END)::karta_up_status
		ORDER BY v.ord)
	INTO d FROM v;

	INSERT INTO item_status(id, item_id, org_id, plan_id, status, comment, evidence, updated_by)
	SELECT x.sid, x.iid, w.org_id, x.pid, x.a->>'status', coalesce(x.a->>'comment', ''),
		coalesce(nullif(x.a->'evidence', 'null'::jsonb), '{}'), w.device
	FROM unnest(d) x WHERE x.todo = 'created' ORDER BY x.ord;

	UPDATE item_status s SET status = x.a->>'status', comment = coalesce(x.a->>'comment', ''),
		evidence = coalesce(nullif(x.a->'evidence', 'null'::jsonb), '{}'),
		row_version = s.row_version + 1, updated_at = now(), updated_by = w.device
	FROM unnest(d) x WHERE s.id = x.cur_id AND x.todo = 'updated';

	RETURN ARRAY(SELECT karta_up_result(x.ord, x.op_id, x.st, x.msg, coalesce(x.cur_id, x.sid),
			coalesce(x.cur_v, 0) + CASE WHEN x.msg = 'unchanged' THEN 0 ELSE 1 END)
		FROM unnest(d) x ORDER BY x.ord);
END $$;

-- An organization named by code (a->>key) or id (a->>key_id): its id, -1 when unknown, NULL
-- when not named (karta_registry_org_arg, as one expression).
CREATE OR REPLACE FUNCTION karta_up_org(a jsonb, p_key text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT CASE
	WHEN nullif(a->>p_key, '') IS NOT NULL THEN
		coalesce((SELECT o.id FROM organization o WHERE o.code = a->>p_key), -1)
	WHEN nullif(a->>(p_key || '_id'), '') IS NOT NULL THEN
		coalesce((SELECT o.id FROM organization o
		          WHERE a->>(p_key || '_id') ~ '^[0-9]{1,18}$'
		            AND o.id = (a->>(p_key || '_id'))::bigint AND o.id::text = a->>(p_key || '_id')), -1)
	END
$$;

-- ---- registry_put of participants: karta_rows_participants (35_upload_rows.sql) -----------

CREATE OR REPLACE FUNCTION karta_up_stamp(p_map karta_up_origin[]) RETURNS void LANGUAGE sql AS $$
	UPDATE change_log c SET origin_op_id = m.op_id FROM unnest(p_map) m
	WHERE c.entity_id = m.entity_id AND c.row_version = m.row_version
	  AND c.origin_op_id = nullif(current_setting('karta.op_id', true), '')::uuid
$$;

-- The op_log rows of a run's answers p_res (of ops p_ops), but those left to the one-by-one
-- path.
CREATE OR REPLACE FUNCTION karta_up_log(w karta_up_actor, p_res karta_up_res[], p_ops karta_up_op[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO op_log(device_id, op_id, digest, kind, outcome, status, message, entity_id,
		row_version, conflict_id, detail, merged)
	SELECT w.device, r.op_id, o.digest, o.kind, r.outcome, r.status, r.message, r.entity_id,
		r.row_version, r.conflict_id, r.detail, r.merged
	FROM unnest(p_res) r JOIN unnest(p_ops) o ON o.ord = r.ord
	WHERE r.outcome <> 'serial'
	ORDER BY r.ord;
END $$;

-- One run as a set (0021). A run of items or statuses hands the feed its map before writing:
-- an item's entity is the item, a status's the organization's status row of the item
-- (karta_item_status_id, the id every status row has); their changes are written with their
-- op ids. Other kinds are stamped afterwards as before; so is any applied op of a mapped
-- run whose entity the map does not name (none today).
CREATE OR REPLACE FUNCTION karta_upload_group(w karta_up_actor, p_cls text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	res karta_up_res[];
	map jsonb;
	stamp karta_up_origin[];
BEGIN
	PERFORM set_config('karta.op_id', gen_random_uuid()::text, true);
	IF p_cls = 'item_put' THEN
		map := (SELECT jsonb_object_agg(o.a->'item'->>'id', o.op_id) FROM unnest(p_ops) o);
	ELSIF p_cls = 'status_set' AND w.org_id IS NOT NULL THEN
		map := (SELECT jsonb_object_agg(karta_item_status_id((o.a->>'item_id')::uuid, w.org_id),
			o.op_id) FROM unnest(p_ops) o);
	END IF;
	PERFORM karta_up_op_ids(map);
	IF p_cls = 'item_put' THEN
		res := karta_upload_items(w, p_ops);
	ELSIF p_cls = 'status_set' THEN
		res := karta_upload_statuses(w, p_ops);
	ELSIF p_cls = 'participant_put' THEN
		res := karta_rows_participants(w, p_ops);
	ELSIF p_cls LIKE 'registry\_delete:%' THEN
		res := karta_upload_deletes(w, substr(p_cls, 17), p_ops);
	ELSE
		RAISE EXCEPTION 'no set-wise path for %', p_cls;
	END IF;
	PERFORM karta_up_op_ids(NULL);
	IF p_cls <> 'item_put' THEN -- (a run of items wrote its op_log rows before its items)
		PERFORM karta_up_log(w, res, p_ops);
	END IF;
	stamp := ARRAY(SELECT ROW(r.entity_id, r.row_version, r.op_id)::karta_up_origin
		FROM unnest(res) r WHERE r.outcome = 'applied'
		  AND NOT coalesce(map ? (r.entity_id::text), false));
	IF cardinality(stamp) > 0 THEN -- (none for a run of items or statuses)
		PERFORM karta_up_stamp(stamp);
	END IF;
	PERFORM set_config('karta.op_id', '', true);
	RETURN res;
END $$;

-- A run as a set, in one subtransaction; when a statement fails where the checks foresaw no
-- failure, nothing of the run stays and its halves are applied again, down to runs of 8 ops
-- or fewer that take the one-by-one path (which refuses the bad op with its own words):
-- a run where every op fails costs about six set attempts, not a thousand.
CREATE OR REPLACE FUNCTION karta_upload_split(w karta_up_actor, p_cls text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	res karta_up_res[];
	n int := cardinality(p_ops);
	h int := cardinality(p_ops) / 2;
BEGIN
	BEGIN
		res := karta_upload_group(w, p_cls, p_ops);
	EXCEPTION WHEN OTHERS THEN
		res := NULL;
	END;
	IF res IS NULL THEN
		IF n <= 8 THEN
			RETURN ARRAY(SELECT s FROM karta_upload_serial_ops(w.device, p_ops) s);
		END IF;
		RETURN karta_upload_split(w, p_cls, p_ops[1:h]) || karta_upload_split(w, p_cls, p_ops[h + 1:n]);
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(res) r WHERE r.outcome = 'serial') THEN
		res := ARRAY(SELECT r FROM unnest(res) r WHERE r.outcome <> 'serial')
			|| ARRAY(SELECT s FROM karta_upload_serial_ops(w.device, ARRAY(
				SELECT o FROM unnest(p_ops) o JOIN unnest(res) r ON r.ord = o.ord
				WHERE r.outcome = 'serial' ORDER BY o.ord)) s);
	END IF;
	RETURN res;
END $$;

-- A run: its ops already in op_log answered from there, the rest applied as a set.
CREATE OR REPLACE FUNCTION karta_upload_run(w karta_up_actor, p_cls text, p_ops karta_up_op[])
RETURNS karta_up_res[] LANGUAGE plpgsql AS $$
DECLARE
	res karta_up_res[];
	todo karta_up_op[];
BEGIN
	SELECT coalesce(array_agg(CASE WHEN l.digest <> o.digest
		THEN ROW(o.ord, o.op_id, 'rejected', 'bad', 'op_id was used before for a different op',
			NULL, NULL, NULL, NULL, false, NULL)::karta_up_res
		ELSE ROW(o.ord, o.op_id, 'duplicate', l.status, l.message, l.entity_id, l.row_version,
			l.conflict_id, l.detail, l.merged, l.outcome)::karta_up_res END), '{}')
	INTO res
	FROM unnest(p_ops) o
	CROSS JOIN LATERAL (SELECT l.* FROM op_log l WHERE l.device_id = w.device AND l.op_id = o.op_id
	                    LIMIT 1) l; -- an index probe an op, never a scan of the device's log
	todo := CASE WHEN cardinality(res) = 0 THEN p_ops -- none seen before (the usual run)
		ELSE ARRAY(SELECT o FROM unnest(p_ops) o
		           WHERE o.ord <> ALL (ARRAY(SELECT r.ord FROM unnest(res) r)) ORDER BY o.ord) END;
	IF cardinality(todo) > 0 THEN
		res := res || karta_upload_split(w, p_cls, todo);
	END IF;
	RETURN res;
END $$;

-- A batch of ops from one device, in one transaction (0006's contract: one result per op, in
-- order; outcomes applied | duplicate | conflict | rejected | retry_later), applied in runs.
-- p_ops: the ops' objects, in order (karta_upload: a JSON array of them; karta_upload_seq:
-- kartad's text).
CREATE OR REPLACE FUNCTION karta_upload_ops(p_device bigint, p_ops jsonb[])
RETURNS TABLE (op_id uuid, outcome text, status text, message text, entity_id uuid,
	row_version bigint, conflict_id uuid, detail jsonb, merged boolean, first_outcome text)
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	ops karta_up_op[];
	cls text[];
	keys text[];
	ids_ok boolean;
	all_items boolean;
	prev int[];
	res karta_up_res[] := '{}';
	w karta_up_actor;
	n int;
	i int := 1;
	j int;
BEGIN
	PERFORM set_config('karta.device', p_device::text, true);
	SELECT p_device, a.org_id, a.level, a.role INTO w FROM karta_actor(p_device) a;
	w.device := p_device;
	-- one pass over the batch's JSON: the ops; whether every item id is written as
	-- karta_up_uuid accepts it (karta_upload_class's three matches an op, once for the batch);
	-- whether every op is an item_put; and each op's keys, three a row (the op, what it
	-- touches, the item's parent; NULL where none; none for a registry_rows op) — before, each
	-- was a pass over the ops' records of its own (≈ 4.5 of the 5 ms they took for 500 items)
	SELECT coalesce(array_agg(ROW(x.ord, (x.v->>'op_id')::uuid, x.v->>'digest', x.kind, x.a)::karta_up_op
			ORDER BY x.ord), '{}'),
		coalesce(string_agg(CASE WHEN x.kind = 'item_put' THEN concat(coalesce(x.it->>'id', '?'), ',',
				coalesce(x.it->>'plan_id', '?'), ',',
				coalesce(nullif(x.it->>'parent_item_id', ''), x.it->>'id', '?')) END, ',')
			~ ('^(' || karta_up_uuid_re() || ',)*' || karta_up_uuid_re() || '$'), false),
		coalesce(bool_and(coalesce(x.kind = 'item_put', false)), false),
		array_agg(CASE WHEN x.kind <> 'registry_rows' THEN ARRAY[lower(x.v->>'op_id'),
				lower(CASE x.kind WHEN 'item_put' THEN x.it->>'id' WHEN 'status_set' THEN x.a->>'item_id'
					ELSE x.a->>'id' END),
				lower(CASE x.kind WHEN 'item_put' THEN nullif(x.it->>'parent_item_id', '') END)]
			ELSE ARRAY[NULL, NULL, NULL]::text[] END ORDER BY x.ord)
	INTO ops, ids_ok, all_items, keys
	FROM (SELECT x.ord, x.v, x.v->>'kind' AS kind, x.v->'a' AS a, x.v->'a'->'item' AS it
	      FROM unnest(p_ops) WITH ORDINALITY x(v, ord) OFFSET 0) x;
	n := cardinality(ops);
	-- each op's class (a batch of well-formed item_puts: all item_put), and the latest earlier
	-- op touching one of its keys (0: none)
	cls := CASE WHEN ids_ok AND all_items THEN array_fill('item_put'::text, ARRAY[n])
		ELSE ARRAY(SELECT karta_upload_class(o, ids_ok) FROM unnest(ops) o ORDER BY o.ord) END;
	IF NOT EXISTS (SELECT 1 FROM unnest(keys) x WHERE x IS NOT NULL GROUP BY x HAVING count(*) > 1) THEN
		prev := array_fill(0, ARRAY[n]); -- no key touched twice (the usual batch)
	ELSE -- keys in row-major order: the k-th is the ((k - 1) / 3 + 1)-th op's
		prev := ARRAY(SELECT coalesce(max(y.before), 0) FROM generate_series(1, n) o(ord)
			LEFT JOIN (SELECT x.ord, lag(x.ord) OVER (PARTITION BY x.key ORDER BY x.ord) AS before
			           FROM (SELECT (k.i - 1) / 3 + 1 AS ord, k.key
			                 FROM unnest(keys) WITH ORDINALITY k(key, i)) x
			           WHERE x.key IS NOT NULL) y ON y.ord = o.ord
			GROUP BY o.ord ORDER BY o.ord);
	END IF;
	WHILE i <= n LOOP
		IF cls[i] = 'registry_rows' THEN -- many rows in one op: applied by itself
			res := res || karta_upload_rows(w, ops[i]);
			i := i + 1;
			CONTINUE;
		END IF;
		j := i + 1;
		WHILE j <= n AND cls[j] IS NOT DISTINCT FROM cls[i] AND (cls[i] IS NULL OR prev[j] < i) LOOP
			j := j + 1;
		END LOOP;
		IF cls[i] IS NULL THEN
			res := res || ARRAY(SELECT s FROM karta_upload_serial_ops(p_device, ops[i:j - 1]) s);
		ELSE
			res := res || karta_upload_run(w, cls[i], ops[i:j - 1]);
		END IF;
		i := j;
	END LOOP;
	RETURN QUERY SELECT r.op_id, r.outcome, r.status, r.message, r.entity_id, r.row_version,
		r.conflict_id, r.detail, r.merged, r.first_outcome
	FROM unnest(res) r ORDER BY r.ord;
END $$;

-- A batch as a JSON array of ops.
CREATE OR REPLACE FUNCTION karta_upload(p_device bigint, p_ops jsonb)
RETURNS TABLE (op_id uuid, outcome text, status text, message text, entity_id uuid,
	row_version bigint, conflict_id uuid, detail jsonb, merged boolean, first_outcome text)
LANGUAGE sql SET jit = off AS $$
	SELECT * FROM karta_upload_ops(p_device, ARRAY(SELECT x.v FROM jsonb_array_elements(p_ops)
		WITH ORDINALITY x(v, i) ORDER BY x.i))
$$;

-- A batch as kartad sends it: each op's JSON object preceded by RS (U+001E, as in RFC 7464's
-- JSON text sequences; valid JSON text never holds it raw), each op parsed into jsonb by
-- itself — a batch of 1.3 MB parsed as one JSON array took 18 ms of the backend's CPU, its four
-- ops one by one 12 (docs/performance.md, "The Upload's apply above the tables' INSERT").
-- A registry_rows op's arguments come as the client wrote them (kartad no longer parses them):
-- when one is no JSON, the batch is parsed again op by op and that op is read from the head
-- kartad wrote, its arguments NULL (karta_upload_rows refuses it whole); its rows get the
-- checks kartad ran on them before (karta.row_checks: karta_rows_why).
CREATE OR REPLACE FUNCTION karta_upload_seq(p_device bigint, p_ops text)
RETURNS TABLE (op_id uuid, outcome text, status text, message text, entity_id uuid,
	row_version bigint, conflict_id uuid, detail jsonb, merged boolean, first_outcome text)
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	ops jsonb[];
BEGIN
	BEGIN -- (the text split again in the rare case, rather than kept as an array: ≈ 1 ms a batch)
		ops := ARRAY(SELECT x.t::jsonb FROM unnest(string_to_array(p_ops, chr(30))) WITH ORDINALITY x(t, i)
			WHERE x.t <> '' ORDER BY x.i);
	EXCEPTION WHEN OTHERS THEN
		ops := ARRAY(SELECT karta_upload_parse(x.t) FROM unnest(string_to_array(p_ops, chr(30)))
			WITH ORDINALITY x(t, i) WHERE x.t <> '' ORDER BY x.i);
	END;
	PERFORM set_config('karta.row_checks', 'on', true);
	RETURN QUERY SELECT * FROM karta_upload_ops(p_device, ops);
	PERFORM set_config('karta.row_checks', '', true);
END $$;

-- One op of kartad's text as jsonb; when it is no JSON, its head ({"op_id":…,"digest":…,
-- "kind":…,"a": as h_upload.c text_op writes it) with its arguments NULL.
CREATE OR REPLACE FUNCTION karta_upload_parse(p_op text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	h text[];
BEGIN
	RETURN p_op::jsonb;
EXCEPTION WHEN OTHERS THEN
	h := regexp_match(left(p_op, 200), '^\{"op_id":"([0-9a-f-]{36})","digest":"([0-9a-f]*)","kind":"([a-z_]+)","a":');
	IF h IS NULL THEN
		RAISE; -- not kartad's text: the Upload is answered "send it again"
	END IF;
	RETURN jsonb_build_object('op_id', h[1], 'digest', h[2], 'kind', h[3], 'a', NULL);
END $$;

-- The map of a run: each applied op's entity → its op (karta_feed_stmt), '' to clear.
CREATE OR REPLACE FUNCTION karta_up_op_ids(p_map jsonb) RETURNS void LANGUAGE sql AS $$
	SELECT set_config('karta.op_ids', coalesce(p_map::text, ''), true)
$$;

-- One registry_rows op in an Upload: answered from op_log when seen before, else applied in
-- a subtransaction and recorded. A malformed op (no JSON object, not a list of 1 to 5000 rows)
-- is refused whole, with kartad's words of before.
CREATE OR REPLACE FUNCTION karta_upload_rows(w karta_up_actor, o karta_up_op)
RETURNS karta_up_res LANGUAGE plpgsql AS $$
DECLARE
	l op_log;
	res karta_up_res[];
	det jsonb;
	r karta_up_res;
	st text;
	rws jsonb;
BEGIN
	SELECT * INTO l FROM op_log x WHERE x.device_id = w.device AND x.op_id = o.op_id;
	IF FOUND THEN
		IF l.digest <> o.digest THEN
			RETURN ROW(o.ord, o.op_id, 'rejected', 'bad', 'op_id was used before for a different op',
				NULL, NULL, NULL, NULL, false, NULL)::karta_up_res;
		END IF;
		RETURN ROW(o.ord, o.op_id, 'duplicate', l.status, l.message, l.entity_id, l.row_version,
			l.conflict_id, l.detail, l.merged, l.outcome)::karta_up_res;
	END IF;
	rws := o.a->'rows'; -- taken out once (each -> copies the op's rows)
	IF jsonb_typeof(o.a) IS DISTINCT FROM 'object' THEN -- (JSON that was none: karta_upload_parse)
		r := ROW(o.ord, o.op_id, 'rejected', 'bad', 'args_json: not a JSON object', NULL, NULL,
			NULL, NULL, false, NULL)::karta_up_res;
	ELSIF jsonb_typeof(rws) IS DISTINCT FROM 'array' OR jsonb_array_length(rws) = 0
	   OR jsonb_array_length(rws) > 5000 THEN
		r := ROW(o.ord, o.op_id, 'rejected', 'bad', 'rows: a list of 1 to 5000 rows', NULL, NULL,
			NULL, NULL, false, NULL)::karta_up_res;
	ELSIF karta_write_refusal(w.org_id, w.role) IS NOT NULL THEN
		r := ROW(o.ord, o.op_id, 'rejected', 'denied', karta_write_refusal(w.org_id, w.role), NULL, NULL,
			NULL, NULL, false, NULL)::karta_up_res;
	ELSE
		BEGIN
			PERFORM set_config('karta.op_id', o.op_id::text, true);
			res := karta_rows_apply(w, o.op_id, rws);
			PERFORM set_config('karta.op_id', '', true);
			det := karta_rows_answer(o.a, res);
			r := ROW(o.ord, o.op_id, 'applied', 'ok', format('%s rows: %s written, %s refused',
				det->>'rows', length(replace(det->>'r', 'x', '')), jsonb_array_length(det->'refused')),
				NULL, NULL, NULL, det, false, NULL)::karta_up_res;
		EXCEPTION
			WHEN serialization_failure OR deadlock_detected OR lock_not_available OR query_canceled THEN
				PERFORM set_config('karta.op_id', '', true);
				RETURN ROW(o.ord, o.op_id, 'retry_later', 'busy', 'the database was busy: send it again',
					NULL, NULL, NULL, NULL, false, NULL)::karta_up_res;
			WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
				PERFORM set_config('karta.op_id', '', true);
				r := ROW(o.ord, o.op_id, 'rejected', 'bad', 'the op was refused by the database (SQLSTATE '
					|| st || ')', NULL, NULL, NULL, NULL, false, NULL)::karta_up_res;
		END;
	END IF;
	INSERT INTO op_log(device_id, op_id, digest, kind, outcome, status, message, entity_id,
		row_version, conflict_id, detail, merged)
	VALUES (w.device, o.op_id, o.digest, o.kind, r.outcome, r.status, r.message, NULL, NULL, NULL,
		r.detail, false);
	RETURN r;
END $$;
