-- 0028: the region's roll-up from counters kept per statement, the overdue list from an index
-- in its own order (issue 18: roll-up < 200 ms, overdue list < 300 ms; bench/rollup.sh).
--
-- Until here a region's roll-up by municipality or school counted its ~318,000 (item,
-- executor) rows of item_rollup on every call (karta_rollup_counts, 0022: a parallel scan of
-- the whole table, ~130 ms on a quiet machine, 400–500 ms at load 15), and the overdue list
-- read every pair of the region to find its ~40,000 overdue ones, and their numbers and
-- titles by 40,000 random look-ups in a 116 MB index.
--
-- Counters. rollup_count holds per plan what karta_rollup_counts counts, over the plan's
-- item_rollup rows not deleted: items, done, in_progress, blocked, not_applicable (the same
-- whatever the day), and due, overdue, not_reported as of one day, rollup_base.day (they
-- depend on the day: a deadline passes). A statement trigger on item_rollup adds what each
-- statement changed (its transition tables: +1 per new row, −1 per old row, grouped by
-- plan; one upsert per plan, in plan order). item_rollup is itself derived, by triggers on
-- plan_item, item_status_history and plan (0007), so every path that writes those —
-- Upload, import, derive, a hand correction under session_replication_role = replica —
-- reaches the counters; the trigger is ENABLE ALWAYS like item_rollup's own.
--
-- Another day. The counts as of day d are the stored ones plus a correction over the rows
-- whose deadline lies between rollup_base.day and d (karta_rollup_shift: an index range of
-- item_rollup_dated, a few hundred rows a day in bench/rollup.sh). The base moves to today
-- on the first roll-up of a day (karta_rollup_rebase: the correction written into the
-- counters), so the range stays a day or two. Exactness never depends on it: a roll-up of a
-- day the base is not on adds the correction itself.
--   Concurrency: a writer's counter trigger reads the base day holding a shared advisory
-- lock (to its commit); the rebase takes that lock exclusively (waiting at most 200 ms for
-- the writes in flight, else leaving the base for the next roll-up). So the base never moves
-- between a writer's delta and its commit, and a writer whose rows the rebase's snapshot
-- did not see adds them relative to the new base (it waits for the rebase to commit before
-- reading the day).
--
-- When the counters are the answer. They count the rows as they are now. That equals the
-- roll-up as of the end of day d (karta_rollup_pairs) when nothing in scope happened after
-- that moment: no item created, deleted or given its current status after it (rollup_count
-- .latest, an upper bound of those times per plan, kept by the same trigger) and no status
-- version closed after it (item_status_history_closed). As of today that always holds;
-- as of an earlier day it does not, and the roll-up counts the rows as before
-- (karta_rollup_counts_scan, 0022's karta_rollup_counts).
--
-- The overdue list. item_rollup carries its items' number and title (from plan_item, by the
-- same trigger as the rest), and item_rollup_open indexes the open dated items (not done,
-- not applicable, not deleted) by deadline with them: the list as of today is one range of
-- that index (no look-up per item), its organizations ranked once (1,061 rows) instead of
-- their codes compared in the sort of 40,000. The price: item_rollup is three times as
-- wide (33 → 108 MB compacted on bench/rollup.sh's data), and what still scans it — the
-- roll-up and the overdue list as of an earlier day, the roll-up by item — takes ~20 % more
-- CPU; the 40,000 look-ups in plan_item_label it spares cost the list as of today 2.4× its
-- CPU (110 → 268 ms a call, side by side). (PostgreSQL moves no value of a row under 2 kB
-- out of line, whatever toast_tuple_target says: the title cannot live beside the row.)

-- ---- item_rollup: numbers and titles, two indexes by deadline ------------------------------
ALTER TABLE item_rollup ADD COLUMN number text, ADD COLUMN title text;
UPDATE item_rollup c SET number = i.number, title = i.title FROM plan_item i WHERE i.id = c.item_id;
-- the counters' correction between two days: every dated row, narrow
CREATE INDEX item_rollup_dated ON item_rollup(dated_last) INCLUDE (plan_id, st)
	WHERE deleted_at IS NULL AND dated_last IS NOT NULL;
-- the overdue list: the open dated rows with what the list shows
CREATE INDEX item_rollup_open ON item_rollup(dated_last) INCLUDE (plan_id, item_id, st, number, title)
	WHERE deleted_at IS NULL AND dated_last IS NOT NULL AND (st IS NULL OR st NOT IN ('done', 'not_applicable'));

-- karta_item_rollup_items of 0007, with number and title.
CREATE OR REPLACE FUNCTION karta_item_rollup_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		EXECUTE 'DELETE FROM item_rollup c USING rollup_old o WHERE c.item_id = o.id';
		RETURN NULL;
	END IF;
	IF TG_OP = 'UPDATE' THEN
		EXECUTE 'DELETE FROM item_rollup c WHERE c.item_id IN (SELECT o.id FROM rollup_old o)
			AND c.item_id NOT IN (SELECT n.id FROM rollup_new n WHERE NOT n.reference_only)';
	END IF;
	EXECUTE $q$
	INSERT INTO item_rollup AS c (item_id, plan_id, derived_from, dated_last, created_at,
		deleted_at, st, st_from, number, title)
	SELECT n.id, n.plan_id, n.derived_from,
		CASE WHEN karta_dated_kind(n.deadline_kind) THEN n.deadline_last END,
		n.created_at, n.deleted_at, h.status, h.valid_from, n.number, n.title
	FROM rollup_new n JOIN plan p ON p.id = n.plan_id
	LEFT JOIN item_status_history h ON h.item_id = n.id AND h.org_id = p.owner_org_id
		AND h.valid_to IS NULL
	WHERE NOT n.reference_only
	ON CONFLICT (item_id) DO UPDATE SET plan_id = EXCLUDED.plan_id,
		derived_from = EXCLUDED.derived_from, dated_last = EXCLUDED.dated_last,
		created_at = EXCLUDED.created_at, deleted_at = EXCLUDED.deleted_at, st = EXCLUDED.st,
		st_from = EXCLUDED.st_from, number = EXCLUDED.number, title = EXCLUDED.title
	WHERE (c.plan_id, c.derived_from, c.dated_last, c.created_at, c.deleted_at, c.st, c.st_from,
		c.number, c.title)
		IS DISTINCT FROM (EXCLUDED.plan_id, EXCLUDED.derived_from, EXCLUDED.dated_last,
		EXCLUDED.created_at, EXCLUDED.deleted_at, EXCLUDED.st, EXCLUDED.st_from, EXCLUDED.number,
		EXCLUDED.title)
	$q$;
	RETURN NULL;
END $$;

-- ---- the counters ------------------------------------------------------------------------
CREATE TABLE rollup_base (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	day date NOT NULL                       -- due, overdue, not_reported are as of this day
);
INSERT INTO rollup_base(day) VALUES (current_date);

CREATE TABLE rollup_count (
	plan_id        uuid PRIMARY KEY,       -- item_rollup.plan_id (no FK: derived, like item_rollup)
	items          bigint NOT NULL,
	due            bigint NOT NULL,        -- dated_last <= rollup_base.day
	done           bigint NOT NULL,
	overdue        bigint NOT NULL,        -- dated_last < day, not done, not not_applicable
	not_reported   bigint NOT NULL,        -- dated_last <= day, no status
	in_progress    bigint NOT NULL,
	blocked        bigint NOT NULL,
	not_applicable bigint NOT NULL,
	latest         timestamptz             -- ≥ every created_at, st_from, deleted_at of its rows
);

-- The lock key writers share and the rebase takes alone.
CREATE FUNCTION karta_rollup_lock_key() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT 7277001::bigint
$$;

-- Adds to the counters the rows of the query p_rows: (sign, plan_id, dated_last, st,
-- created_at, st_from, deleted_at), sign +1 for a row now present, −1 for one gone.
CREATE FUNCTION karta_rollup_count_sql(p_rows text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
	SELECT format($q$
	INSERT INTO rollup_count AS c (plan_id, items, due, done, overdue, not_reported, in_progress,
		blocked, not_applicable, latest)
	SELECT x.plan_id, coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.dated_last <= $1), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.st = 'done'), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.dated_last < $1
			AND (x.st IS NULL OR x.st NOT IN ('done', 'not_applicable'))), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.dated_last <= $1 AND x.st IS NULL), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.st = 'in_progress'), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.st = 'blocked'), 0),
		coalesce(sum(x.s) FILTER (WHERE x.deleted_at IS NULL AND x.st = 'not_applicable'), 0),
		max(greatest(x.created_at, x.st_from, x.deleted_at)) FILTER (WHERE x.s > 0)
	FROM (%s) x(s, plan_id, dated_last, st, created_at, st_from, deleted_at)
	GROUP BY x.plan_id ORDER BY x.plan_id
	ON CONFLICT (plan_id) DO UPDATE SET items = c.items + EXCLUDED.items, due = c.due + EXCLUDED.due,
		done = c.done + EXCLUDED.done, overdue = c.overdue + EXCLUDED.overdue,
		not_reported = c.not_reported + EXCLUDED.not_reported,
		in_progress = c.in_progress + EXCLUDED.in_progress, blocked = c.blocked + EXCLUDED.blocked,
		not_applicable = c.not_applicable + EXCLUDED.not_applicable,
		latest = greatest(c.latest, EXCLUDED.latest)
	$q$, p_rows)
$f$;

-- The statement trigger of item_rollup: its changes into the counters, once per statement.
CREATE FUNCTION karta_rollup_count_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	d date;
	cols text := 'plan_id, dated_last, st, created_at, st_from, deleted_at';
BEGIN
	PERFORM pg_advisory_xact_lock_shared(karta_rollup_lock_key());
	SELECT b.day INTO d FROM rollup_base b;
	EXECUTE karta_rollup_count_sql(CASE TG_OP
		WHEN 'INSERT' THEN format('SELECT 1, %s FROM rc_new', cols)
		WHEN 'DELETE' THEN format('SELECT -1, %s FROM rc_old', cols)
		ELSE format('SELECT 1, %s FROM rc_new UNION ALL SELECT -1, %s FROM rc_old', cols, cols) END)
	USING d;
	RETURN NULL;
END $$;
CREATE FUNCTION karta_rollup_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM rollup_count;
	RETURN NULL;
END $$;
CREATE TRIGGER item_rollup_count_insert AFTER INSERT ON item_rollup
	REFERENCING NEW TABLE AS rc_new FOR EACH STATEMENT EXECUTE FUNCTION karta_rollup_count_stmt();
CREATE TRIGGER item_rollup_count_update AFTER UPDATE ON item_rollup
	REFERENCING OLD TABLE AS rc_old NEW TABLE AS rc_new
	FOR EACH STATEMENT EXECUTE FUNCTION karta_rollup_count_stmt();
CREATE TRIGGER item_rollup_count_delete AFTER DELETE ON item_rollup
	REFERENCING OLD TABLE AS rc_old FOR EACH STATEMENT EXECUTE FUNCTION karta_rollup_count_stmt();
CREATE TRIGGER item_rollup_count_truncate AFTER TRUNCATE ON item_rollup
	FOR EACH STATEMENT EXECUTE FUNCTION karta_rollup_count_truncate();
ALTER TABLE item_rollup ENABLE ALWAYS TRIGGER item_rollup_count_insert,
	ENABLE ALWAYS TRIGGER item_rollup_count_update, ENABLE ALWAYS TRIGGER item_rollup_count_delete,
	ENABLE ALWAYS TRIGGER item_rollup_count_truncate;
-- The rows there are.
DO $$
BEGIN
	EXECUTE karta_rollup_count_sql('SELECT 1, plan_id, dated_last, st, created_at, st_from,
		deleted_at FROM item_rollup') USING (SELECT day FROM rollup_base);
END $$;

-- What moves between day p_from and day p_to, per plan: the rows (not deleted) whose
-- deadline passes into due / overdue / not reported (positive) or back (negative).
CREATE FUNCTION karta_rollup_shift(p_from date, p_to date)
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
CREATE FUNCTION karta_rollup_rebase(p_day date) RETURNS boolean LANGUAGE plpgsql
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
CREATE FUNCTION karta_rollup_counted(p_orgs bigint[], p_cutoff timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH late AS MATERIALIZED (SELECT c.plan_id FROM rollup_count c WHERE c.latest >= p_cutoff)
	SELECT coalesce((SELECT max(h.valid_to) FROM item_status_history h
	                 WHERE h.valid_to IS NOT NULL) < p_cutoff, true) -- one probe of item_status_history_closed
	   AND NOT EXISTS (SELECT 1 FROM late JOIN plan p ON p.id = late.plan_id
	                   WHERE p.owner_org_id = ANY (p_orgs))
$$;

-- 0022's karta_rollup_counts under a new name: the counts by scanning item_rollup.
ALTER FUNCTION karta_rollup_counts(bigint[], date, timestamptz, uuid) RENAME TO karta_rollup_counts_scan;

-- karta_rollup_counts: the same columns and rows (organizations with plans in scope), from
-- the counters when they are the answer (as of today), else by the scan. Both branches are
-- in the one statement the caller runs; the one not taken is not executed (a one-time
-- filter on karta_rollup_counted).
CREATE FUNCTION karta_rollup_counts(p_orgs bigint[], p_as_of date, p_cutoff timestamptz, p_plan uuid)
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

-- ---- the overdue list ----------------------------------------------------------------------
-- karta_overdue of 0007: its items, when the counters' condition holds (as of today), from
-- item_rollup_open (the open dated rows by deadline, with number and title), else from
-- karta_rollup_pairs and plan_item as before; the organizations ranked once for the sort.
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
		SELECT 'item'::text AS kind, pr.org_id, pr.item_id AS id, i.number, i.title,
			pr.deadline_last AS due, coalesce(pr.st, 'not_reported') AS state
		FROM karta_rollup_pairs($1, $2, $3, $4) pr JOIN plan_item i ON i.id = pr.item_id
		WHERE pr.late AND pr.st IS DISTINCT FROM 'done' AND pr.st IS DISTINCT FROM 'not_applicable'
	$i$
	END) USING orgs, d, cutoff, p_plan;
END $$;
