-- 42_rollup: the roll-up of statuses and reports over the organization tree (karta_rollup,
-- karta_overdue) and the item_rollup table its triggers keep.

-- The triggers' statements are static, so each is planned once a session, not once a call
-- (EXECUTE planned them every time: ≈ 0.3 ms a statement, the roll-up's whole cost for a
-- one-row write). Their plans suit any number of rows: look-ups by key (`= ANY` of an
-- array, a LATERAL probe of an item's open status version), never a scan of a large table
-- that a plan made for a bulk load would keep for one status write.

-- The status columns of the items p_ids: the plan owner's open version.
CREATE OR REPLACE FUNCTION karta_item_rollup_status(p_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	UPDATE item_rollup c SET st = x.status, st_from = x.valid_from
	FROM (SELECT c2.item_id, h.status, h.valid_from
	      FROM item_rollup c2 JOIN plan p ON p.id = c2.plan_id
	      LEFT JOIN LATERAL (SELECT h.status, h.valid_from FROM item_status_history h
	                         WHERE h.item_id = c2.item_id AND h.org_id = p.owner_org_id
	                           AND h.valid_to IS NULL OFFSET 0) h ON true
	      WHERE c2.item_id = ANY (p_ids)) x
	WHERE c.item_id = x.item_id AND (c.st, c.st_from) IS DISTINCT FROM (x.status, x.valid_from);
END $$;

-- karta_item_rollup_items of 0007, with number and title.
CREATE OR REPLACE FUNCTION karta_item_rollup_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		DELETE FROM item_rollup c WHERE c.item_id = ANY (ARRAY(SELECT o.id FROM rollup_old o));
		RETURN NULL;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM rollup_new) THEN
		RETURN NULL; -- a statement that wrote nothing (statement triggers fire anyway)
	END IF;
	IF TG_OP = 'UPDATE' THEN
		DELETE FROM item_rollup c WHERE c.item_id = ANY (ARRAY(SELECT o.id FROM rollup_old o
			EXCEPT SELECT n.id FROM rollup_new n WHERE NOT n.reference_only));
	END IF;
	INSERT INTO item_rollup AS c (item_id, plan_id, derived_from, dated_last, created_at,
		deleted_at, st, st_from, number, title)
	SELECT n.id, n.plan_id, n.derived_from,
		CASE WHEN karta_dated_kind(n.deadline_kind) THEN n.deadline_last END,
		n.created_at, n.deleted_at, h.status, h.valid_from, n.number, n.title
	FROM rollup_new n JOIN plan p ON p.id = n.plan_id
	LEFT JOIN LATERAL (SELECT h.status, h.valid_from FROM item_status_history h
	                   WHERE h.item_id = n.id AND h.org_id = p.owner_org_id AND h.valid_to IS NULL
	                   OFFSET 0) h ON true
	WHERE NOT n.reference_only
	ON CONFLICT (item_id) DO UPDATE SET plan_id = EXCLUDED.plan_id,
		derived_from = EXCLUDED.derived_from, dated_last = EXCLUDED.dated_last,
		created_at = EXCLUDED.created_at, deleted_at = EXCLUDED.deleted_at, st = EXCLUDED.st,
		st_from = EXCLUDED.st_from, number = EXCLUDED.number, title = EXCLUDED.title
	WHERE (c.plan_id, c.derived_from, c.dated_last, c.created_at, c.deleted_at, c.st, c.st_from,
		c.number, c.title)
		IS DISTINCT FROM (EXCLUDED.plan_id, EXCLUDED.derived_from, EXCLUDED.dated_last,
		EXCLUDED.created_at, EXCLUDED.deleted_at, EXCLUDED.st, EXCLUDED.st_from, EXCLUDED.number,
		EXCLUDED.title);
	RETURN NULL;
END $$;

-- item_status_history written: the status columns of its items.
CREATE OR REPLACE FUNCTION karta_item_rollup_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	ids uuid[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		ids := ARRAY(SELECT DISTINCT n.item_id FROM rollup_new n);
	ELSIF TG_OP = 'DELETE' THEN
		ids := ARRAY(SELECT DISTINCT o.item_id FROM rollup_old o);
	ELSE
		ids := ARRAY(SELECT n.item_id FROM rollup_new n UNION SELECT o.item_id FROM rollup_old o);
	END IF;
	IF cardinality(ids) > 0 THEN
		PERFORM karta_item_rollup_status(ids);
	END IF;
	RETURN NULL;
END $$;

-- A plan changing owner changes whose status its items show.
CREATE OR REPLACE FUNCTION karta_item_rollup_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM karta_item_rollup_status(ARRAY(SELECT c.item_id FROM item_rollup c WHERE c.plan_id = NEW.id));
	RETURN NULL;
END $$;

-- plan_item_derived_rollup_insert/_update/_delete, item_status_history_rollup_… (05_common).
-- plan_item's are named to fire before its feed append (plan_item_feed_…: statement triggers
-- fire in name order): the feed's counter row, locked from its take to commit, is taken by
-- the last trigger of the statement, not before the roll-up's writes (docs/performance.md,
-- "Two Uploads on one feed at once").
SELECT karta_stmt_triggers('plan_item', 'plan_item_derived_rollup', 'karta_item_rollup_items',
	'rollup_old', 'rollup_new');
SELECT karta_stmt_triggers('item_status_history', 'item_status_history_rollup',
	'karta_item_rollup_history', 'rollup_old', 'rollup_new');

CREATE TRIGGER plan_rollup_owner AFTER UPDATE ON plan FOR EACH ROW
	WHEN (OLD.owner_org_id IS DISTINCT FROM NEW.owner_org_id) EXECUTE FUNCTION karta_item_rollup_plan();
ALTER TABLE plan ENABLE ALWAYS TRIGGER plan_rollup_owner;

-- The ids of p_scope and everything below it: [itself], [children], [grandchildren].
CREATE OR REPLACE FUNCTION karta_scope_ids(p_scope bigint, OUT self bigint[], OUT children bigint[],
	OUT grandchildren bigint[]) LANGUAGE sql STABLE AS $$
	SELECT ARRAY[p_scope],
		ARRAY(SELECT o.id FROM organization o WHERE o.parent_id = p_scope ORDER BY o.id),
		ARRAY(SELECT o.id FROM organization o JOIN organization op ON op.id = o.parent_id
		      WHERE op.parent_id = p_scope ORDER BY o.id)
$$;

-- The organizations p_orgs, with their parent and grandparent.
CREATE OR REPLACE FUNCTION karta_org_rows(p_orgs bigint[])
RETURNS TABLE (id bigint, code text, name text, level text, parent_id bigint, gp_id bigint,
	parent_code text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT o.id, o.code, o.name, o.level, o.parent_id, op.parent_id, op.code
	FROM organization o LEFT JOIN organization op ON op.id = o.parent_id
	WHERE o.id = ANY (p_orgs)
$$;
-- Every (item, executing organization) pair of p_orgs' plans as it stood at p_cutoff (the
-- end of p_as_of): plans of p_plan's derive cascade, or all plans not archived; items that
-- existed then, not deleted by then, not read-only references. Flags: due (a dated deadline
-- on or before the day), late (ended before it), st (the status then; NULL: never reported).
-- Reads item_rollup (one narrow row per item, with its current status) and, for the items
-- whose current status was set after p_cutoff, the closed version valid then
-- (item_status_history_closed: only versions closed after p_cutoff, none as of today).
CREATE OR REPLACE FUNCTION karta_rollup_pairs(p_orgs bigint[], p_as_of date, p_cutoff timestamptz, p_plan uuid)
RETURNS TABLE (item_id uuid, derived_from uuid, org_id bigint, deadline_last date, due boolean,
	late boolean, st text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT c.item_id, c.derived_from, p.owner_org_id, c.dated_last,
		coalesce(c.dated_last <= p_as_of, false), coalesce(c.dated_last < p_as_of, false),
		CASE WHEN c.st_from < p_cutoff THEN c.st ELSE h.status END
	FROM plan p
	JOIN item_rollup c ON c.plan_id = p.id
	LEFT JOIN item_status_history h ON h.item_id = c.item_id AND h.org_id = p.owner_org_id
		AND h.valid_to IS NOT NULL AND h.valid_to >= p_cutoff AND h.valid_from < p_cutoff
	WHERE p.owner_org_id = ANY (p_orgs)
	  AND CASE WHEN p_plan IS NULL THEN p.status <> 'archived'
	           ELSE p.id = p_plan OR p.parent_plan_id = p_plan
	                OR p.parent_plan_id IN (SELECT x.id FROM plan x WHERE x.parent_plan_id = p_plan) END
	  AND c.created_at < p_cutoff
	  AND (c.deleted_at IS NULL OR c.deleted_at >= p_cutoff)
$$;
-- Every submission of p_orgs as it stood at p_cutoff: its state then and when it was last
-- (re)submitted before then.
CREATE OR REPLACE FUNCTION karta_rollup_submissions(p_orgs bigint[], p_cutoff timestamptz)
RETURNS TABLE (id uuid, request_id uuid, org_id bigint, state text, sent_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT s.id, s.request_id, s.org_id,
		(array_agg(t.to_state ORDER BY t.at DESC, t.id DESC))[1],
		max(t.at) FILTER (WHERE t.to_state IN ('submitted', 'resubmitted'))
	FROM report_submission s JOIN report_transition t ON t.submission_id = s.id
	WHERE s.org_id = ANY (p_orgs) AND t.at < p_cutoff
	GROUP BY s.id, s.request_id, s.org_id
$$;
-- Every (request, submitter) pair with the submitter in p_orgs, as it stood at p_cutoff,
-- with what that submitter had sent by then: sent (anything submitted, even if returned
-- since), ok_sent (submitted, resubmitted or accepted: the request is done for it),
-- returned (its submissions returned then), last (its last submit), state (for lists).
CREATE OR REPLACE FUNCTION karta_rollup_requests(p_orgs bigint[], p_cutoff timestamptz)
RETURNS TABLE (request_id uuid, item_id uuid, title text, org_id bigint, due_on date,
	sent boolean, ok_sent boolean, returned bigint, last timestamptz, state text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH so AS MATERIALIZED (SELECT * FROM karta_org_rows(p_orgs)),
	rq AS MATERIALIZED (
		SELECT r.id, r.item_id, r.title, r.receiver_org_id, r.submitter_level, r.submitter_orgs,
			r.submitter_groups, coalesce(r.due_date, r.period_to) AS due_on
		FROM report_request r WHERE NOT r.cancelled AND r.created_at < p_cutoff),
	ex AS (
		SELECT rq.id, so.id AS org_id FROM rq JOIN so ON so.parent_id = rq.receiver_org_id
			AND so.level = rq.submitter_level
		UNION
		SELECT rq.id, so.id FROM rq JOIN so ON so.gp_id = rq.receiver_org_id
			AND so.level = rq.submitter_level
		UNION
		SELECT rq.id, so.id FROM rq CROSS JOIN LATERAL unnest(rq.submitter_orgs) u(org)
			JOIN so ON so.id = u.org
		UNION
		SELECT rq.id, so.id FROM rq CROSS JOIN LATERAL unnest(rq.submitter_groups) g(gid)
			JOIN school_group_member m ON m.group_id = g.gid JOIN so ON so.id = m.school_id),
	sub AS MATERIALIZED (SELECT * FROM karta_rollup_submissions(p_orgs, p_cutoff))
	SELECT rq.id, rq.item_id, rq.title, ex.org_id, rq.due_on,
		coalesce(bool_or(sub.state <> 'draft'), false),
		coalesce(bool_or(sub.state IN ('submitted', 'resubmitted', 'accepted')), false),
		count(*) FILTER (WHERE sub.state = 'returned'), max(sub.sent_at),
		CASE WHEN bool_or(sub.state = 'accepted') THEN 'accepted'
		     WHEN bool_or(sub.state IN ('submitted', 'resubmitted')) THEN 'submitted'
		     WHEN bool_or(sub.state = 'returned') THEN 'returned'
		     WHEN bool_or(sub.state = 'draft') THEN 'draft' ELSE 'missing' END
	FROM ex JOIN rq ON rq.id = ex.id
	LEFT JOIN sub ON sub.request_id = ex.id AND sub.org_id = ex.org_id
	GROUP BY rq.id, rq.item_id, rq.title, ex.org_id, rq.due_on
$$;
-- karta_rollup_scope of 0007 (the roll-up's and the overdue list's first step), which now
-- also moves the counters' base to today on the first roll-up of a day.
CREATE OR REPLACE FUNCTION karta_rollup_scope(p_device bigint, p_scope text, OUT org_id bigint,
	OUT level text, OUT status text, OUT message text) LANGUAGE plpgsql STABLE AS $$
DECLARE
	act record;
BEGIN
	IF (SELECT b.day FROM rollup_base b) <> current_date THEN
		PERFORM karta_rollup_rebase(current_date); -- its own snapshot; this call reads the old base
	END IF;
	SELECT * INTO act FROM karta_actor(p_device);
	IF NOT FOUND THEN
		status := 'denied'; message := 'device is not active'; RETURN;
	END IF;
	IF coalesce(p_scope, '') = '' THEN
		org_id := act.org_id; level := act.level; status := 'ok'; RETURN;
	END IF;
	SELECT o.id, o.level INTO org_id, level FROM organization o WHERE o.code = p_scope;
	IF org_id IS NULL OR NOT karta_org_sees(act.org_id, org_id) THEN
		org_id := NULL; level := NULL;
		status := 'not_found'; message := format('no organization %s', p_scope); RETURN;
	END IF;
	status := 'ok';
END $$;

-- karta_rollup of 0007, its "own" counts from karta_rollup_counts.
CREATE OR REPLACE FUNCTION karta_rollup(p_device bigint, p_as_of date, p_by text, p_scope text DEFAULT NULL,
	p_plan uuid DEFAULT NULL)
RETURNS TABLE (status text, message text, grp text, grp_name text, parent text, deadline date,
	own_status text, own_overdue boolean, items bigint, due bigint, done bigint, overdue bigint,
	not_reported bigint, in_progress bigint, blocked bigint, not_applicable bigint,
	returned bigint, requests_due bigint, requests_missing bigint, last_submission timestamptz,
	sub_orgs bigint, sub_items bigint, sub_due bigint, sub_done bigint, sub_overdue bigint,
	sub_not_reported bigint, sub_orgs_overdue bigint)
LANGUAGE plpgsql STABLE SET work_mem = '64MB' AS $$
DECLARE
	sc record;
	ids record;
	err text;
	d date := coalesce(p_as_of, current_date);
	cutoff timestamptz := (coalesce(p_as_of, current_date) + 1)::timestamptz;
BEGIN
	sc := karta_rollup_scope(p_device, p_scope);
	IF sc.status <> 'ok' THEN
		err := sc.status;
	ELSIF p_plan IS NOT NULL AND NOT EXISTS (SELECT 1 FROM plan p, karta_actor(p_device) a
	      WHERE p.id = p_plan AND karta_plan_access(a.org_id, a.level, p.owner_org_id) <> 'none') THEN
		err := 'not_found'; sc.message := format('no plan %s', p_plan);
	ELSIF p_by IS NULL OR p_by NOT IN ('municipality', 'school', 'item') THEN
		err := 'bad'; sc.message := 'by must be municipality, school or item';
	END IF;
	IF err IS NOT NULL THEN
		RETURN QUERY SELECT err, sc.message, NULL::text, NULL::text, NULL::text, NULL::date,
			NULL::text, NULL::boolean, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint,
			NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint,
			NULL::bigint, NULL::timestamptz, NULL::bigint, NULL::bigint, NULL::bigint,
			NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint;
		RETURN;
	END IF;
	ids := karta_scope_ids(sc.org_id);
	IF p_by IN ('municipality', 'school') THEN
		RETURN QUERY EXECUTE $q$
		WITH own AS MATERIALIZED (SELECT * FROM karta_rollup_counts($1, $2, $3, $4)),
		sch AS MATERIALIZED (
			SELECT so.parent_id, count(*) AS orgs, coalesce(sum(own.items), 0) AS items,
				coalesce(sum(own.due), 0) AS due, coalesce(sum(own.done), 0) AS done,
				coalesce(sum(own.overdue), 0) AS overdue,
				coalesce(sum(own.not_reported), 0) AS not_reported,
				count(*) FILTER (WHERE own.overdue > 0) AS orgs_overdue
			FROM karta_org_rows($1) so LEFT JOIN own ON own.org_id = so.id
			WHERE so.level = 'school' AND $5 = 'municipality' GROUP BY so.parent_id),
		rq AS MATERIALIZED (
			SELECT r.org_id, count(*) FILTER (WHERE r.due_on <= $2) AS due,
				count(*) FILTER (WHERE r.due_on <= $2 AND NOT r.sent) AS missing
			FROM karta_rollup_requests($1, $3) r GROUP BY r.org_id),
		sb AS MATERIALIZED (
			SELECT s.org_id, count(*) FILTER (WHERE s.state = 'returned') AS returned,
				max(s.sent_at) AS last
			FROM karta_rollup_submissions($1, $3) s GROUP BY s.org_id)
		SELECT 'ok'::text, NULL::text, so.code, so.name, so.parent_code, NULL::date, NULL::text,
			NULL::boolean, coalesce(own.items, 0), coalesce(own.due, 0), coalesce(own.done, 0),
			coalesce(own.overdue, 0), coalesce(own.not_reported, 0), coalesce(own.in_progress, 0),
			coalesce(own.blocked, 0), coalesce(own.not_applicable, 0), coalesce(sb.returned, 0),
			coalesce(rq.due, 0), coalesce(rq.missing, 0), sb.last,
			sch.orgs, sch.items::bigint, sch.due::bigint, sch.done::bigint, sch.overdue::bigint,
			sch.not_reported::bigint, sch.orgs_overdue
		FROM karta_org_rows($1) so LEFT JOIN own ON own.org_id = so.id
		LEFT JOIN sch ON sch.parent_id = so.id
		LEFT JOIN rq ON rq.org_id = so.id LEFT JOIN sb ON sb.org_id = so.id
		WHERE so.level = $5
		ORDER BY so.parent_code NULLS FIRST, so.code
		$q$ USING ids.self || ids.children || ids.grandchildren, d, cutoff, p_plan, p_by;
	ELSE
		-- The scope's own items (root), the pairs one level down (c1, grouped by the item they
		-- derive from), the pairs two levels down grouped by the item they derive from (g2),
		-- then joined to c1 on it and summed per root: the join is of grouped rows (one per
		-- item one level down), never of the two-levels-down pairs themselves.
		-- An organization holds at most one item derived from a given item (one derived plan
		-- per organization and parent plan: plan_one_derive), so pairs count organizations.
		RETURN QUERY EXECUTE $q$
		WITH root AS MATERIALIZED (SELECT * FROM karta_rollup_pairs($1, $2, $3, $4)),
		c1 AS MATERIALIZED (
			SELECT c.derived_from AS root, c.item_id, c.org_id, c.due, c.late, c.st
			FROM karta_rollup_pairs($6, $2, $3, $4) c),
		a1 AS (
			SELECT c1.root, count(*) AS items,
				count(*) FILTER (WHERE c1.due) AS due,
				count(*) FILTER (WHERE c1.st = 'done') AS done,
				count(*) FILTER (WHERE c1.late AND c1.st IS DISTINCT FROM 'done'
				                 AND c1.st IS DISTINCT FROM 'not_applicable') AS overdue,
				count(*) FILTER (WHERE c1.due AND c1.st IS NULL) AS not_reported,
				count(*) FILTER (WHERE c1.st = 'in_progress') AS in_progress,
				count(*) FILTER (WHERE c1.st = 'blocked') AS blocked,
				count(*) FILTER (WHERE c1.st = 'not_applicable') AS not_applicable
			FROM c1 GROUP BY c1.root),
		g2 AS (
			SELECT g.derived_from, count(*) AS items,
				count(*) FILTER (WHERE g.due) AS due, count(*) FILTER (WHERE g.st = 'done') AS done,
				count(*) FILTER (WHERE g.late AND g.st IS DISTINCT FROM 'done'
				                 AND g.st IS DISTINCT FROM 'not_applicable') AS overdue,
				count(*) FILTER (WHERE g.due AND g.st IS NULL) AS not_reported
			FROM karta_rollup_pairs($7, $2, $3, $4) g GROUP BY g.derived_from),
		a2 AS (
			SELECT c1.root, sum(g2.items)::bigint AS orgs, sum(g2.items)::bigint AS items,
				sum(g2.due)::bigint AS due, sum(g2.done)::bigint AS done,
				sum(g2.overdue)::bigint AS overdue, sum(g2.not_reported)::bigint AS not_reported,
				sum(g2.overdue)::bigint AS orgs_overdue
			FROM g2 JOIN c1 ON c1.item_id = g2.derived_from
			GROUP BY c1.root),
		rq AS (
			SELECT r.item_id, count(*) FILTER (WHERE r.due_on <= $2) AS due,
				count(*) FILTER (WHERE r.due_on <= $2 AND NOT r.sent) AS missing,
				sum(r.returned) AS returned, max(r.last) AS last
			FROM karta_rollup_requests($5, $3) r
			WHERE r.item_id IN (SELECT root.item_id FROM root) GROUP BY r.item_id)
		SELECT 'ok'::text, NULL::text, i.id::text, btrim(i.number || ' ' || i.title), NULL::text,
			i.deadline_last, root.st,
			root.late AND root.st IS DISTINCT FROM 'done' AND root.st IS DISTINCT FROM 'not_applicable',
			coalesce(a1.items, 0), coalesce(a1.due, 0), coalesce(a1.done, 0),
			coalesce(a1.overdue, 0), coalesce(a1.not_reported, 0), coalesce(a1.in_progress, 0),
			coalesce(a1.blocked, 0), coalesce(a1.not_applicable, 0), coalesce(rq.returned, 0)::bigint,
			coalesce(rq.due, 0), coalesce(rq.missing, 0), rq.last,
			coalesce(a2.orgs, 0), coalesce(a2.items, 0), coalesce(a2.due, 0), coalesce(a2.done, 0),
			coalesce(a2.overdue, 0), coalesce(a2.not_reported, 0), coalesce(a2.orgs_overdue, 0)
		FROM root JOIN plan_item i ON i.id = root.item_id
		JOIN plan_section s ON s.id = i.section_id
		LEFT JOIN a1 ON a1.root = root.item_id LEFT JOIN a2 ON a2.root = root.item_id
		LEFT JOIN rq ON rq.item_id = root.item_id
		ORDER BY i.plan_id, s.ordinal, i.ordinal, i.id
		$q$ USING ids.self, d, cutoff, p_plan, ids.self || ids.children || ids.grandchildren,
			ids.children, ids.grandchildren;
	END IF;
END $$;

-- ---- the overdue list ----------------------------------------------------------------------
-- karta_overdue of 0007: its items, when the counters' condition holds (as of today), from
-- item_rollup_open (the open dated rows by deadline, with number and title), else from
-- item_rollup with the status valid at the cutoff (karta_rollup_pairs' filters and status,
-- number and title from the same rows: no look-up in plan_item per item); the organizations
-- ranked once for the sort.
CREATE OR REPLACE FUNCTION karta_overdue(p_device bigint, p_as_of date, p_scope text DEFAULT NULL,
	p_plan uuid DEFAULT NULL)
RETURNS TABLE (status text, message text, kind text, org text, org_name text, parent text,
	id uuid, number text, title text, due date, state text)
LANGUAGE plpgsql STABLE SET work_mem = '64MB' AS $$
DECLARE
	sc record;
	ids record;
	d date := coalesce(p_as_of, current_date);
	cutoff timestamptz := (coalesce(p_as_of, current_date) + 1)::timestamptz;
	orgs bigint[];
BEGIN
	sc := karta_rollup_scope(p_device, p_scope);
	IF sc.status = 'ok' AND p_plan IS NOT NULL AND NOT EXISTS (SELECT 1 FROM plan p,
	   karta_actor(p_device) a WHERE p.id = p_plan
	   AND karta_plan_access(a.org_id, a.level, p.owner_org_id) <> 'none') THEN
		sc.status := 'not_found'; sc.message := format('no plan %s', p_plan);
	END IF;
	IF sc.status <> 'ok' THEN
		RETURN QUERY SELECT sc.status, sc.message, NULL::text, NULL::text, NULL::text, NULL::text,
			NULL::uuid, NULL::text, NULL::text, NULL::date, NULL::text;
		RETURN;
	END IF;
	ids := karta_scope_ids(sc.org_id);
	orgs := ids.self || ids.children || ids.grandchildren;
	RETURN QUERY EXECUTE format($q$
	WITH so AS MATERIALIZED (
		SELECT o.*, row_number() OVER (ORDER BY o.parent_code NULLS FIRST, o.code) AS rk
		FROM karta_org_rows($1) o),
	pl AS (
		SELECT p.id, p.owner_org_id FROM plan p
		WHERE p.owner_org_id = ANY ($1)
		  AND CASE WHEN $4::uuid IS NULL THEN p.status <> 'archived'
		           ELSE p.id = $4 OR p.parent_plan_id = $4
		                OR p.parent_plan_id IN (SELECT y.id FROM plan y WHERE y.parent_plan_id = $4) END),
	x AS (%s
		UNION ALL
		SELECT 'request', r.org_id, r.request_id, '', r.title, r.due_on, r.state
		FROM karta_rollup_requests($1, $3) r
		WHERE r.due_on < $2 AND NOT r.ok_sent
		  AND ($4 IS NULL OR r.item_id IN (SELECT i.id FROM plan_item i JOIN plan p ON p.id = i.plan_id
		       WHERE p.id = $4 OR p.parent_plan_id = $4
		          OR p.parent_plan_id IN (SELECT y.id FROM plan y WHERE y.parent_plan_id = $4))))
	SELECT 'ok'::text, NULL::text, x.kind, so.code, so.name, so.parent_code, x.id, x.number,
		x.title, x.due, x.state
	FROM x JOIN so ON so.id = x.org_id
	ORDER BY x.due, so.rk, x.kind, x.number, x.id
	$q$, CASE WHEN karta_rollup_counted(orgs, cutoff) THEN $i$
		SELECT 'item'::text AS kind, pl.owner_org_id AS org_id, r.item_id AS id, r.number, r.title,
			r.dated_last AS due, coalesce(r.st, 'not_reported') AS state
		FROM item_rollup r JOIN pl ON pl.id = r.plan_id
		WHERE r.deleted_at IS NULL AND r.dated_last IS NOT NULL
		  AND (r.st IS NULL OR r.st NOT IN ('done', 'not_applicable')) AND r.dated_last < $2
	$i$
	ELSE $i$
		SELECT 'item'::text AS kind, y.org_id, y.id, y.number, y.title, y.due,
			coalesce(y.st, 'not_reported') AS state
		FROM (SELECT pl.owner_org_id AS org_id, c.item_id AS id, c.number, c.title, c.dated_last AS due,
			CASE WHEN c.st_from < $3 THEN c.st ELSE h.status END AS st
			FROM pl JOIN item_rollup c ON c.plan_id = pl.id
			LEFT JOIN item_status_history h ON h.item_id = c.item_id AND h.org_id = pl.owner_org_id
				AND h.valid_to IS NOT NULL AND h.valid_to >= $3 AND h.valid_from < $3
			WHERE c.created_at < $3 AND (c.deleted_at IS NULL OR c.deleted_at >= $3)
			  AND c.dated_last < $2) y
		WHERE y.st IS DISTINCT FROM 'done' AND y.st IS DISTINCT FROM 'not_applicable'
	$i$
	END) USING orgs, d, cutoff, p_plan;
END $$;

-- The counts of karta_rollup's "own" columns per organization of p_orgs, over the pairs of
-- karta_rollup_pairs (same arguments, same filters, same status as of p_cutoff).
CREATE OR REPLACE FUNCTION karta_rollup_counts_scan(p_orgs bigint[], p_as_of date, p_cutoff timestamptz, p_plan uuid)
RETURNS TABLE (org_id bigint, items bigint, due bigint, done bigint, overdue bigint,
	not_reported bigint, in_progress bigint, blocked bigint, not_applicable bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT p.owner_org_id, sum(a.items)::bigint, sum(a.due)::bigint, sum(a.done)::bigint,
		sum(a.overdue)::bigint, sum(a.not_reported)::bigint, sum(a.in_progress)::bigint,
		sum(a.blocked)::bigint, sum(a.not_applicable)::bigint
	FROM (SELECT x.plan_id, count(*) AS items,
			count(*) FILTER (WHERE x.dated_last <= p_as_of) AS due,
			count(*) FILTER (WHERE x.st = 'done') AS done,
			count(*) FILTER (WHERE x.dated_last < p_as_of AND x.st IS DISTINCT FROM 'done'
			                 AND x.st IS DISTINCT FROM 'not_applicable') AS overdue,
			count(*) FILTER (WHERE x.dated_last <= p_as_of AND x.st IS NULL) AS not_reported,
			count(*) FILTER (WHERE x.st = 'in_progress') AS in_progress,
			count(*) FILTER (WHERE x.st = 'blocked') AS blocked,
			count(*) FILTER (WHERE x.st = 'not_applicable') AS not_applicable
	      FROM (SELECT c.plan_id, c.dated_last,
	                   CASE WHEN c.st_from < p_cutoff THEN c.st ELSE hc.status END AS st
	            FROM item_rollup c
	            LEFT JOIN (SELECT h.item_id, h.status FROM item_status_history h
	                       JOIN item_rollup c2 ON c2.item_id = h.item_id
	                       JOIN plan o ON o.id = c2.plan_id AND o.owner_org_id = h.org_id
	                       WHERE h.valid_to IS NOT NULL AND h.valid_to >= p_cutoff
	                         AND h.valid_from < p_cutoff) hc ON hc.item_id = c.item_id
	            WHERE c.plan_id IN (SELECT p.id FROM plan p WHERE p.owner_org_id = ANY (p_orgs)
	                  AND CASE WHEN p_plan IS NULL THEN p.status <> 'archived'
	                           ELSE p.id = p_plan OR p.parent_plan_id = p_plan
	                                OR p.parent_plan_id IN (SELECT y.id FROM plan y WHERE y.parent_plan_id = p_plan) END)
	              AND c.created_at < p_cutoff
	              AND (c.deleted_at IS NULL OR c.deleted_at >= p_cutoff)) x
	      GROUP BY x.plan_id) a
	JOIN plan p ON p.id = a.plan_id
	GROUP BY p.owner_org_id
$$;

-- ---- the counters (sql/0028; docs/reports.md, "Counters") --------------------------------
-- rollup_count: per plan, what karta_rollup_counts_scan counts over its item_rollup rows not
-- deleted; due, overdue and not_reported as of rollup_base.day. A statement trigger on
-- item_rollup adds each statement's changes (+1 per new row, −1 per old one; the
-- statement's upserts in plan order) under a shared advisory lock on karta_rollup_lock_key;
-- karta_rollup_rebase moves the base day holding it alone; karta_rollup_shift corrects the
-- counts for another day; karta_rollup_counted says when the counters are the roll-up (no
-- item or status in scope dated at or after the cutoff: as of today). karta_rollup_count_add
-- (00_schema.sql: the migration fills the counters with it) is the upsert.

-- The lock key writers share and the rebase takes alone.
CREATE OR REPLACE FUNCTION karta_rollup_lock_key() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT 7277001::bigint
$$;

-- The statement trigger of item_rollup: its changes into the counters, once per statement.
-- The statement's rows gathered into arrays (one branch per event: a transition table an
-- event lacks cannot be named in it), added by karta_rollup_count_add (00_schema.sql, where
-- the migration's fill needs it; plpgsql, so its plan is kept).
CREATE OR REPLACE FUNCTION karta_rollup_count_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	d date;
	sg int[];
	pl uuid[];
	dl date[];
	st text[];
	ca timestamptz[];
	sf timestamptz[];
	da timestamptz[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(1), array_agg(r.plan_id), array_agg(r.dated_last), array_agg(r.st),
			array_agg(r.created_at), array_agg(r.st_from), array_agg(r.deleted_at)
		INTO sg, pl, dl, st, ca, sf, da FROM rc_new r;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(-1), array_agg(r.plan_id), array_agg(r.dated_last), array_agg(r.st),
			array_agg(r.created_at), array_agg(r.st_from), array_agg(r.deleted_at)
		INTO sg, pl, dl, st, ca, sf, da FROM rc_old r;
	ELSE
		SELECT array_agg(r.s), array_agg(r.plan_id), array_agg(r.dated_last), array_agg(r.st),
			array_agg(r.created_at), array_agg(r.st_from), array_agg(r.deleted_at)
		INTO sg, pl, dl, st, ca, sf, da
		FROM (SELECT 1 AS s, n.plan_id, n.dated_last, n.st, n.created_at, n.st_from, n.deleted_at
		      FROM rc_new n
		      UNION ALL
		      SELECT -1, o.plan_id, o.dated_last, o.st, o.created_at, o.st_from, o.deleted_at
		      FROM rc_old o) r;
	END IF;
	IF sg IS NULL THEN
		RETURN NULL; -- a statement that changed no row
	END IF;
	PERFORM pg_advisory_xact_lock_shared(karta_rollup_lock_key());
	SELECT b.day INTO d FROM rollup_base b;
	PERFORM karta_rollup_count_add(d, sg, pl, dl, st, ca, sf, da);
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION karta_rollup_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM rollup_count;
	RETURN NULL;
END $$;

-- item_rollup_count_insert/_update/_delete (05_common), and _truncate
SELECT karta_stmt_triggers('item_rollup', 'item_rollup_count', 'karta_rollup_count_stmt',
	'rc_old', 'rc_new');
CREATE TRIGGER item_rollup_count_truncate AFTER TRUNCATE ON item_rollup
	FOR EACH STATEMENT EXECUTE FUNCTION karta_rollup_count_truncate();
ALTER TABLE item_rollup ENABLE ALWAYS TRIGGER item_rollup_count_truncate;

-- What moves between day p_from and day p_to, per plan: the rows (not deleted) whose
-- deadline passes into due / overdue / not reported (positive) or back (negative).
CREATE OR REPLACE FUNCTION karta_rollup_shift(p_from date, p_to date)
RETURNS TABLE (plan_id uuid, due bigint, overdue bigint, not_reported bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT r.plan_id,
		count(*) FILTER (WHERE r.dated_last > p_from AND r.dated_last <= p_to)
			- count(*) FILTER (WHERE r.dated_last > p_to AND r.dated_last <= p_from),
		count(*) FILTER (WHERE (r.st IS NULL OR r.st NOT IN ('done', 'not_applicable'))
			AND r.dated_last >= p_from AND r.dated_last < p_to)
			- count(*) FILTER (WHERE (r.st IS NULL OR r.st NOT IN ('done', 'not_applicable'))
			AND r.dated_last >= p_to AND r.dated_last < p_from),
		count(*) FILTER (WHERE r.st IS NULL AND r.dated_last > p_from AND r.dated_last <= p_to)
			- count(*) FILTER (WHERE r.st IS NULL AND r.dated_last > p_to AND r.dated_last <= p_from)
	FROM item_rollup r
	WHERE r.deleted_at IS NULL AND r.dated_last IS NOT NULL
	  AND r.dated_last >= least(p_from, p_to) AND r.dated_last <= greatest(p_from, p_to)
	GROUP BY r.plan_id
$$;

-- Moves the counters' base to p_day: waits up to 200 ms for the writes in flight to commit
-- (new ones wait behind it meanwhile), else leaves the base (false) for the next roll-up.
CREATE OR REPLACE FUNCTION karta_rollup_rebase(p_day date) RETURNS boolean LANGUAGE plpgsql
SET lock_timeout = '200ms' AS $$
DECLARE
	d0 date;
BEGIN
	PERFORM pg_advisory_xact_lock(karta_rollup_lock_key());
	SELECT b.day INTO d0 FROM rollup_base b;
	IF d0 = p_day THEN
		RETURN false;
	END IF;
	UPDATE rollup_count c SET due = c.due + x.due, overdue = c.overdue + x.overdue,
		not_reported = c.not_reported + x.not_reported
	FROM karta_rollup_shift(d0, p_day) x WHERE x.plan_id = c.plan_id;
	UPDATE rollup_base SET day = p_day;
	RETURN true;
EXCEPTION WHEN lock_not_available OR read_only_sql_transaction THEN
	RETURN false; -- writes kept coming, or a read-only transaction: next time
END $$;

-- Whether the counters are the roll-up of p_orgs as of p_cutoff (see the top): nothing in
-- their plans happened at or after it, no status version closed at or after it.
-- (The plans are looked at only for counters dated at or after the cutoff: normally none.)
CREATE OR REPLACE FUNCTION karta_rollup_counted(p_orgs bigint[], p_cutoff timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH late AS MATERIALIZED (SELECT c.plan_id FROM rollup_count c WHERE c.latest >= p_cutoff)
	SELECT coalesce((SELECT max(h.valid_to) FROM item_status_history h
	                 WHERE h.valid_to IS NOT NULL) < p_cutoff, true) -- one probe of item_status_history_closed
	   AND NOT EXISTS (SELECT 1 FROM late JOIN plan p ON p.id = late.plan_id
	                   WHERE p.owner_org_id = ANY (p_orgs))
$$;

-- karta_rollup_counts: the same columns and rows (organizations with plans in scope), from
-- the counters when they are the answer (as of today), else by the scan. Both branches are
-- in the one statement the caller runs; the one not taken is not executed (a one-time
-- filter on karta_rollup_counted).
CREATE OR REPLACE FUNCTION karta_rollup_counts(p_orgs bigint[], p_as_of date, p_cutoff timestamptz, p_plan uuid)
RETURNS TABLE (org_id bigint, items bigint, due bigint, done bigint, overdue bigint,
	not_reported bigint, in_progress bigint, blocked bigint, not_applicable bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT p.owner_org_id, sum(c.items)::bigint, sum(c.due + coalesce(x.due, 0))::bigint,
		sum(c.done)::bigint, sum(c.overdue + coalesce(x.overdue, 0))::bigint,
		sum(c.not_reported + coalesce(x.not_reported, 0))::bigint, sum(c.in_progress)::bigint,
		sum(c.blocked)::bigint, sum(c.not_applicable)::bigint
	FROM plan p JOIN rollup_count c ON c.plan_id = p.id
	LEFT JOIN karta_rollup_shift((SELECT b.day FROM rollup_base b), p_as_of) x ON x.plan_id = p.id
	WHERE karta_rollup_counted(p_orgs, p_cutoff) AND p.owner_org_id = ANY (p_orgs)
	  AND CASE WHEN p_plan IS NULL THEN p.status <> 'archived'
	           ELSE p.id = p_plan OR p.parent_plan_id = p_plan
	                OR p.parent_plan_id IN (SELECT y.id FROM plan y WHERE y.parent_plan_id = p_plan) END
	  AND c.items > 0
	GROUP BY p.owner_org_id
	UNION ALL
	SELECT * FROM karta_rollup_counts_scan(p_orgs, p_as_of, p_cutoff, p_plan)
	WHERE NOT karta_rollup_counted(p_orgs, p_cutoff)
$$;
