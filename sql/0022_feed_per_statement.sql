-- 0022: the change feeds appended once per statement (issue 18), not once per row.
--
-- Until here every synced table had two row triggers (0005–0009): per row written, one
-- counter UPDATE of the feed, one change_log INSERT and one pg_notify — 30,000 of each when
-- an exam of 15,000 participants is distributed and seated. Now every one of those tables
-- has two statement triggers with transition tables: a statement that writes N rows to K
-- feeds locks the K feed rows (in org_id order), raises each counter once by its share, adds
-- its N change_log rows with one INSERT … SELECT, and sends K notifications.
--
-- What the feed promises is unchanged (0005): a number is taken only while holding the feed
-- row's lock, the lock is held to commit, a rollback gives the numbers back, so per feed the
-- seqs are 1..N, gap-free, in commit order. A statement still appends when it ends, after its
-- row triggers — its foreign keys checked and their parent rows locked — as the row triggers
-- did (AFTER STATEMENT events are queued behind every AFTER ROW event of the statement). The
-- rows of one statement keep the order the statement wrote them in (a parent item before its
-- sub-items in a derive). New: a statement touching several feeds (a registry import by the
-- region, a distribution over municipalities) locks them in org_id order, so two such
-- statements cannot deadlock on each other's feeds.
--
-- Notifications: one per feed and statement, "<feed_id>:<the feed's last seq>". Listeners
-- (server/listen.c) keep the highest seq per feed and coalesce anyway; a single-row write
-- notifies exactly as before.
--
-- Every table with a feed trigger (converted below as found in the catalog), the feed it
-- appends to:
--   plan (owner_org_id), plan_section, plan_item, abbreviation (the plan's owner)   0005
--   conflict (org_id)                                                                0006
--   item_status (org_id), report_request (receiver_org_id), report_submission       0007
--   participant, exam, exam_registration, exam_point, auditorium, staff, staff_point 0008
--   exam_point_assignment, exam_auditorium, distribution, seating, staff_assignment,
--   exam_lock, exam_plan_setting (org_id; a soft delete is op 'delete')              0009
-- and organization's feed creation (one INSERT into feed per statement too).

-- Takes the numbers for a statement's changes: p_feeds holds the feed of each change (in any
-- order). Locks the feed rows in org_id order, raises each counter once by its number of
-- changes, queues one notification per feed ("<feed_id>:<its new last seq>"); returns each
-- feed's base (its seqs are base + 1 .. base + its count).
CREATE FUNCTION karta_feed_take(p_feeds bigint[])
RETURNS TABLE (feed_id bigint, base bigint) LANGUAGE plpgsql AS $$
DECLARE
	fs bigint[];
	ns bigint[];
	n int := 0;
BEGIN
	SELECT array_agg(g.f ORDER BY g.f), array_agg(g.n ORDER BY g.f) INTO fs, ns
	FROM (SELECT f, count(*) AS n FROM unnest(p_feeds) f GROUP BY f) g;
	IF array_position(fs, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'organization % has no feed', 'NULL';
	END IF;
	PERFORM 1 FROM feed f WHERE f.org_id = ANY (fs) ORDER BY f.org_id FOR NO KEY UPDATE;
	FOR feed_id, base IN
		UPDATE feed f SET last_seq = f.last_seq + g.n FROM unnest(fs, ns) g(org_id, n)
		WHERE f.org_id = g.org_id RETURNING f.org_id, f.last_seq - g.n
	LOOP
		PERFORM pg_notify('karta_feed', feed_id || ':' || (base + ns[array_position(fs, feed_id)]));
		n := n + 1;
		RETURN NEXT;
	END LOOP;
	IF n < coalesce(cardinality(fs), 0) THEN
		RAISE EXCEPTION 'organization % has no feed',
			(SELECT min(f) FROM unnest(fs) f WHERE NOT EXISTS (SELECT 1 FROM feed x WHERE x.org_id = f));
	END IF;
END $$;

-- The entity id of a row as its feed keys it: its id; an abbreviation's derived from its key.
CREATE FUNCTION karta_feed_entity(p_type text, j jsonb) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_type = 'abbreviation'
		THEN karta_abbreviation_id((j->>'plan_id')::uuid, j->>'short') ELSE (j->>'id')::uuid END
$$;

-- The statement trigger of every synced table. Arguments:
--   0 the entity type
--   1 where the feed is: the column holding the organization, or 'plan' (the owner of the
--     row's plan: plan_section, plan_item, abbreviation)
--   2 the column of the writing device, or '' (none: karta.device, as before)
--   3 'soft': a soft delete (deleted_at set) is op 'delete'; '': op is insert or update
-- INSERT: REFERENCING NEW TABLE AS new_rows; UPDATE: also OLD TABLE AS old_rows, the old and
-- new rows paired by entity id. An update that changed nothing appends nothing (as the row
-- triggers' WHEN (OLD.* IS DISTINCT FROM NEW.*): here the rows' jsonb are compared).
-- The changes keep the order of the transition table (the order the statement wrote them):
-- ord numbers them, and seq is the feed's base + the change's rank within its feed.
-- work_mem: that ranking sorts the statement's payloads (~10 MB for 15,000 seats).
CREATE FUNCTION karta_feed_stmt() RETURNS trigger LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
	etype text := TG_ARGV[0];
	fcol text := TG_ARGV[1];
	dcol text := nullif(TG_ARGV[2], '');
	soft boolean := TG_ARGV[3] = 'soft';
	dev bigint := nullif(current_setting('karta.device', true), '')::bigint;
	op_id uuid := nullif(current_setting('karta.op_id', true), '')::uuid;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
		RETURN NULL; -- a statement that wrote nothing (statement triggers fire anyway)
	END IF;
	IF TG_OP = 'INSERT' THEN
		WITH ch AS MATERIALIZED (
			SELECT CASE WHEN fcol = 'plan' THEN p.owner_org_id ELSE (x.j->>fcol)::bigint END AS feed,
				x.j, x.ord
			FROM (SELECT to_jsonb(n) AS j, row_number() OVER () AS ord FROM new_rows n) x
			LEFT JOIN plan p ON fcol = 'plan' AND p.id = (x.j->>'plan_id')::uuid),
		took AS (SELECT * FROM karta_feed_take(ARRAY(SELECT ch.feed FROM ch)))
		INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version,
			changed_fields, payload, origin_device, origin_op_id)
		SELECT ch.feed, took.base + row_number() OVER (PARTITION BY ch.feed ORDER BY ch.ord),
			etype, karta_feed_entity(etype, ch.j), 'insert',
			CASE WHEN etype <> 'abbreviation' THEN (ch.j->>'row_version')::bigint END, NULL, ch.j,
			coalesce((ch.j->>dcol)::bigint, dev), op_id
		FROM ch JOIN took ON took.feed_id = ch.feed;
	ELSE
		WITH ch AS MATERIALIZED (
			SELECT CASE WHEN fcol = 'plan' THEN p.owner_org_id ELSE (x.j->>fcol)::bigint END AS feed,
				x.id, x.j, o.j AS oj, x.ord
			FROM (SELECT y.j, karta_feed_entity(etype, y.j) AS id, y.ord
			      FROM (SELECT to_jsonb(n) AS j, row_number() OVER () AS ord FROM new_rows n) y) x
			JOIN (SELECT to_jsonb(o) AS j FROM old_rows o) o ON karta_feed_entity(etype, o.j) = x.id
			LEFT JOIN plan p ON fcol = 'plan' AND p.id = (x.j->>'plan_id')::uuid
			WHERE o.j IS DISTINCT FROM x.j),
		took AS (SELECT * FROM karta_feed_take(ARRAY(SELECT ch.feed FROM ch)))
		INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version,
			changed_fields, payload, origin_device, origin_op_id)
		SELECT ch.feed, took.base + row_number() OVER (PARTITION BY ch.feed ORDER BY ch.ord),
			etype, ch.id,
			CASE WHEN soft AND ch.oj->>'deleted_at' IS NULL AND ch.j->>'deleted_at' IS NOT NULL
				THEN 'delete' ELSE 'update' END,
			CASE WHEN etype <> 'abbreviation' THEN (ch.j->>'row_version')::bigint END,
			karta_changed_fields(ch.oj, ch.j), ch.j, coalesce((ch.j->>dcol)::bigint, dev), op_id
		FROM ch JOIN took ON took.feed_id = ch.feed;
	END IF;
	RETURN NULL;
END $$;

-- Every row trigger of the feed functions becomes a statement trigger of the same name and
-- event, found in the catalog (so a synced table added by an earlier migration is converted
-- too); the arguments by the function it called. A row trigger of a feed function unknown
-- here stays as it is (correct, one append per row).
DO $$
DECLARE
	t record;
	args text;
BEGIN
	FOR t IN
		SELECT g.tgname, c.relname, p.proname, (g.tgtype & 4) <> 0 AS ins
		FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_proc p ON p.oid = g.tgfoid
		WHERE NOT g.tgisinternal AND (g.tgtype & 1) <> 0 AND p.proname LIKE 'karta\_feed\_%'
		ORDER BY c.relname, g.tgname
	LOOP
		args := CASE t.proname
			WHEN 'karta_feed_plan' THEN $a$'plan', 'owner_org_id', 'updated_by', ''$a$
			WHEN 'karta_feed_plan_section' THEN $a$'plan_section', 'plan', '', ''$a$
			WHEN 'karta_feed_plan_item' THEN $a$'plan_item', 'plan', 'updated_by', 'soft'$a$
			WHEN 'karta_feed_abbreviation' THEN $a$'abbreviation', 'plan', '', ''$a$
			WHEN 'karta_feed_conflict' THEN $a$'conflict', 'org_id', 'device_id', ''$a$
			WHEN 'karta_feed_item_status' THEN $a$'item_status', 'org_id', 'updated_by', ''$a$
			WHEN 'karta_feed_report_request' THEN $a$'report_request', 'receiver_org_id', 'updated_by', ''$a$
			WHEN 'karta_feed_report_submission' THEN $a$'report_submission', 'org_id', 'updated_by', ''$a$
			WHEN 'karta_feed_registry' THEN format($a$%L, 'org_id', 'updated_by', 'soft'$a$, t.relname)
		END;
		IF t.proname = 'karta_feed_create' THEN
			CONTINUE; -- the organization's feed row: below
		ELSIF args IS NULL THEN
			RAISE NOTICE 'feed trigger % on % calls %: left as a row trigger', t.tgname, t.relname, t.proname;
			CONTINUE;
		END IF;
		EXECUTE format('DROP TRIGGER %I ON %I', t.tgname, t.relname);
		EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s NEW TABLE AS new_rows '
			'FOR EACH STATEMENT EXECUTE FUNCTION karta_feed_stmt(%s)', t.tgname,
			CASE WHEN t.ins THEN 'INSERT' ELSE 'UPDATE' END, t.relname,
			CASE WHEN t.ins THEN '' ELSE 'OLD TABLE AS old_rows' END, args);
	END LOOP;
END $$;

-- A new organization's feed, once per statement (an org import adds thousands).
CREATE OR REPLACE FUNCTION karta_feed_create() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO feed(org_id) SELECT n.id FROM new_rows n;
	RETURN NULL;
END $$;
DROP TRIGGER organization_feed ON organization;
CREATE TRIGGER organization_feed AFTER INSERT ON organization REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION karta_feed_create();

-- The row trigger functions are no longer attached to anything.
DROP FUNCTION karta_feed_plan(), karta_feed_plan_section(), karta_feed_plan_item(),
	karta_feed_abbreviation(), karta_feed_conflict(), karta_feed_item_status(),
	karta_feed_report_request(), karta_feed_report_submission(), karta_feed_registry();

-- ---- distribution and seating: references checked once per statement --------------------
-- A 15,000-participant exam writes 15,000 distribution and 15,000 seating rows in two
-- statements. Their eleven foreign keys checked them one row at a time — per row and key
-- one SPI query with a row lock: 165,000 queries, about as long as the rest of distribution
-- and seating together (bench/exam.sh; docs/performance.md). They are replaced by one
-- statement trigger per table that checks every new or updated row's references with one
-- anti-join per key, in the writing statement, before its feed append (the trigger's name
-- sorts before "…_feed_…", and AFTER STATEMENT triggers fire in name order). What the
-- foreign keys did besides — refuse a hard DELETE of a referenced participant, exam, exam
-- point, auditorium, organization or device — is not needed: none of those is ever
-- deleted (soft deletes only; no function or tool deletes them).
CREATE FUNCTION karta_planning_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	bad text;
BEGIN
	SELECT r.k || ' ' || r.v INTO bad FROM (
		SELECT 'exam_id' AS k, n.exam_id::text AS v FROM (SELECT DISTINCT exam_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM exam x WHERE x.id = n.exam_id)
		UNION ALL
		SELECT 'org_id', n.org_id::text FROM (SELECT DISTINCT org_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM organization x WHERE x.id = n.org_id)
		UNION ALL
		SELECT 'point_id', n.point_id::text FROM (SELECT DISTINCT point_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM exam_point x WHERE x.id = n.point_id)
		UNION ALL
		SELECT 'updated_by', n.updated_by::text FROM (SELECT DISTINCT updated_by FROM new_rows) n
		WHERE n.updated_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device x WHERE x.id = n.updated_by)
		UNION ALL
		SELECT 'participant_id', n.participant_id::text FROM new_rows n
		WHERE NOT EXISTS (SELECT 1 FROM participant x WHERE x.id = n.participant_id)) r
	LIMIT 1;
	IF bad IS NULL AND TG_TABLE_NAME = 'seating' THEN
		SELECT 'auditorium_id ' || n.auditorium_id INTO bad FROM (SELECT DISTINCT auditorium_id FROM new_rows) n
		WHERE NOT EXISTS (SELECT 1 FROM auditorium x WHERE x.id = n.auditorium_id) LIMIT 1;
	END IF;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
			MESSAGE = format('insert or update on table "%s": %s is not present', TG_TABLE_NAME, bad);
	END IF;
	RETURN NULL;
END $$;

ALTER TABLE distribution DROP CONSTRAINT distribution_exam_id_fkey,
	DROP CONSTRAINT distribution_org_id_fkey, DROP CONSTRAINT distribution_participant_id_fkey,
	DROP CONSTRAINT distribution_point_id_fkey, DROP CONSTRAINT distribution_updated_by_fkey;
ALTER TABLE seating DROP CONSTRAINT seating_auditorium_id_fkey, DROP CONSTRAINT seating_exam_id_fkey,
	DROP CONSTRAINT seating_org_id_fkey, DROP CONSTRAINT seating_participant_id_fkey,
	DROP CONSTRAINT seating_point_id_fkey, DROP CONSTRAINT seating_updated_by_fkey;
CREATE TRIGGER distribution_check_refs_insert AFTER INSERT ON distribution
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_planning_refs();
CREATE TRIGGER distribution_check_refs_update AFTER UPDATE ON distribution
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_planning_refs();
CREATE TRIGGER seating_check_refs_insert AFTER INSERT ON seating
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_planning_refs();
CREATE TRIGGER seating_check_refs_update AFTER UPDATE ON seating
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_planning_refs();

-- ---- the region's roll-up and overdue list (issue 18: < 200 ms, < 300 ms) --------------------
-- A region's roll-up by municipality or school counted its ~318,000 (item, organization) pairs
-- one by one through karta_rollup_pairs: each pair joined to its plan (for the owner) and
-- probed in the closed status versions, then grouped by organization; serially, since the
-- helper functions were not marked parallel safe. Now:
--   * karta_rollup_counts counts per plan straight off item_rollup (one narrow scan, no join
--     per row: the plan filter is a semi-join on ~1,000 plans, the closed versions valid at
--     the cutoff — none as of today, ~12,000 sixty days back — are joined by item once, their
--     owners checked among them), then sums the plans per owner;
--   * the read helpers are PARALLEL SAFE (they only read), so the scan and the counting run
--     in parallel workers (Gather under the function's CTE).
-- The results are the same: t_rollup_sql, t_reports; bench/rollup.sh compares the old and
-- the new counts on its data.

-- The counts of karta_rollup's "own" columns per organization of p_orgs, over the pairs of
-- karta_rollup_pairs (same arguments, same filters, same status as of p_cutoff).
CREATE FUNCTION karta_rollup_counts(p_orgs bigint[], p_as_of date, p_cutoff timestamptz, p_plan uuid)
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

ALTER FUNCTION karta_rollup_pairs(bigint[], date, timestamptz, uuid) PARALLEL SAFE;
ALTER FUNCTION karta_rollup_submissions(bigint[], timestamptz) PARALLEL SAFE;
ALTER FUNCTION karta_rollup_requests(bigint[], timestamptz) PARALLEL SAFE;
ALTER FUNCTION karta_org_rows(bigint[]) PARALLEL SAFE;
ALTER FUNCTION karta_dated_kind(text) PARALLEL SAFE;

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

-- The overdue list names its ~40,000 items (number, title): it read them from the wide
-- plan_item rows (312 MB in bench/rollup.sh, every list a sequential scan of all of them).
-- A covering index gives them by id from a tenth of that (index-only: plan_item is vacuumed
-- like any table; a page changed since reads its heap row as before).
CREATE INDEX plan_item_label ON plan_item(id) INCLUDE (number, title);

-- ---- exam distribution: the four steps append their points (issue 18) --------------------
-- karta_exam_distribute of 0009 with one change: the four fill steps wrote each
-- participant's point into _kp with an UPDATE per step (15,000 rows rewritten, its index
-- with them: a quarter of a fresh distribution, auto_explain in bench/exam.sh's database);
-- they now append (participant, point) to _kpa and the changes read _kp ⟕ _kpa. The same
-- results (t_exam_planning_sql: exact layouts).
CREATE OR REPLACE FUNCTION karta_exam_distribute(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	cross_ok boolean;
	dry boolean := coalesce((a->>'dry_run')::boolean, false);
	n_dist int; n_undist int; n_undist_ovz int; n_same int; n_add int; n_del int; n_kept int;
	st int;
	summary text;
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	cross_ok := c.level = 'region' AND coalesce((a->>'cross_municipal')::boolean,
		(SELECT s.cross_municipal FROM exam_plan_setting s WHERE s.id = c.exam_id), false);
	PERFORM 1 FROM exam_lock x WHERE x.id = c.exam_id FOR SHARE; -- a concurrent lock waits for us

	SET LOCAL client_min_messages = warning;
	DROP TABLE IF EXISTS _kpt, _kp, _kpa, _kpd;
	-- points in scope with their capacity left (the rooms summed once for all points, not
	-- per point: exam_auditorium has no index by point)
	CREATE TEMP TABLE _kpt ON COMMIT DROP AS
	SELECT pa.point_id, pt.org_id AS mun_id, pt.code,
		coalesce(pa.seats, ea.cap, 0) AS cap, coalesce(ea.ovz_cap, 0) AS ovz_cap, 0 AS cap_left, 0 AS ovz_left
	FROM exam_point_assignment pa JOIN exam_point pt ON pt.id = pa.point_id
	LEFT JOIN (SELECT x.point_id, sum(karta_aud_capacity(au))::int AS cap,
		sum(karta_aud_capacity(au)) FILTER (WHERE au.ovz_adapted)::int AS ovz_cap
		FROM exam_auditorium x JOIN auditorium au ON au.id = x.auditorium_id AND au.deleted_at IS NULL
		WHERE x.exam_id = c.exam_id AND x.role = 'exam' AND x.deleted_at IS NULL
		GROUP BY x.point_id) ea ON ea.point_id = pa.point_id
	WHERE pa.exam_id = c.exam_id AND pa.deleted_at IS NULL AND pt.deleted_at IS NULL
	  AND karta_plan_scope(c.org_id, c.level, pt);

	-- participants to distribute
	CREATE TEMP TABLE _kp ON COMMIT DROP AS
	SELECT p.id AS participant_id, p.ovz, s.parent_id AS mun_id,
		row_number() OVER (ORDER BY s.code COLLATE "C", p.surname COLLATE "C", p.name COLLATE "C",
			p.patronymic COLLATE "C", p.birth_date, p.id) AS ord,
		NULL::uuid AS point_id, 0 AS stp
	FROM exam_registration r
	JOIN participant p ON p.id = r.participant_id AND p.deleted_at IS NULL AND NOT p.blocked
	JOIN organization s ON s.id = p.org_id
	WHERE r.exam_id = c.exam_id AND r.deleted_at IS NULL
	  AND (c.level = 'region' AND karta_org_region(s.id) = c.org_id OR s.parent_id = c.org_id)
	  AND NOT EXISTS (SELECT 1 FROM distribution d JOIN exam_point x ON x.id = d.point_id
		WHERE d.exam_id = c.exam_id AND d.participant_id = p.id AND d.deleted_at IS NULL
		  AND (d.manual OR NOT karta_plan_scope(c.org_id, c.level, x)));
	CREATE INDEX ON _kp(participant_id);

	-- seats taken by kept rows (manual, or participants outside this run)
	UPDATE _kpt t SET cap_left = greatest(t.cap - k.n, 0), ovz_left = greatest(least(t.ovz_cap - k.n_ovz, t.cap - k.n), 0)
	FROM (SELECT t2.point_id, count(d.id)::int AS n, (count(d.id) FILTER (WHERE p.ovz))::int AS n_ovz
		FROM _kpt t2 LEFT JOIN distribution d ON d.exam_id = c.exam_id AND d.point_id = t2.point_id
			AND d.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM _kp WHERE _kp.participant_id = d.participant_id)
			AND EXISTS (SELECT 1 FROM exam_registration r WHERE r.exam_id = c.exam_id
				AND r.participant_id = d.participant_id AND r.deleted_at IS NULL)
		LEFT JOIN participant p ON p.id = d.participant_id
		GROUP BY t2.point_id) k
	WHERE k.point_id = t.point_id;

	-- the points given in the four steps: appended per step (not _kp updated row by row)
	CREATE TEMP TABLE _kpa (participant_id uuid, point_id uuid, stp int, ovz boolean) ON COMMIT DROP;
	FOR st IN 1..4 LOOP -- four set operations, not a loop over participants
		CONTINUE WHEN st > 2 AND NOT cross_ok;
		WITH need AS (
			SELECT k.participant_id, k.ovz, CASE WHEN st <= 2 THEN k.mun_id ELSE 0 END AS g,
				row_number() OVER (PARTITION BY CASE WHEN st <= 2 THEN k.mun_id ELSE 0 END ORDER BY k.ord) AS n
			FROM _kp k WHERE k.ovz = (st IN (1, 3))
			  AND NOT EXISTS (SELECT 1 FROM _kpa a WHERE a.participant_id = k.participant_id)),
		slot AS (
			SELECT t.point_id, CASE WHEN st <= 2 THEN t.mun_id ELSE 0 END AS g,
				CASE WHEN st IN (1, 3) THEN t.ovz_left ELSE t.cap_left END AS cnt,
				sum(CASE WHEN st IN (1, 3) THEN t.ovz_left ELSE t.cap_left END) OVER (
					PARTITION BY CASE WHEN st <= 2 THEN t.mun_id ELSE 0 END
					ORDER BY t.code COLLATE "C", t.point_id) AS hi
			FROM _kpt t)
		INSERT INTO _kpa SELECT n.participant_id, s.point_id, st, n.ovz
		FROM need n JOIN slot s ON s.g = n.g AND n.n > s.hi - s.cnt AND n.n <= s.hi;
		UPDATE _kpt t SET cap_left = greatest(t.cap_left - u.n, 0),
			ovz_left = greatest(least(t.ovz_left - u.n_ovz, t.cap_left - u.n), 0)
		FROM (SELECT a.point_id, count(*)::int AS n, (count(*) FILTER (WHERE a.ovz))::int AS n_ovz
		      FROM _kpa a WHERE a.stp = st GROUP BY a.point_id) u
		WHERE t.point_id = u.point_id;
	END LOOP;

	-- every participant to distribute with the point given (NULL: none)
	CREATE TEMP TABLE _kpd ON COMMIT DROP AS
	SELECT k.participant_id, k.ovz, a.point_id FROM _kp k LEFT JOIN _kpa a USING (participant_id);
	-- the changes: rows to remove (in scope, automatic, now elsewhere or nowhere, or the
	-- participant no longer registered) and rows to add
	DROP TABLE IF EXISTS _kdel, _kadd;
	CREATE TEMP TABLE _kdel ON COMMIT DROP AS
	SELECT d.id, d.participant_id, x.code FROM distribution d JOIN exam_point x ON x.id = d.point_id
	LEFT JOIN _kpd k ON k.participant_id = d.participant_id
	WHERE d.exam_id = c.exam_id AND d.deleted_at IS NULL AND karta_plan_scope(c.org_id, c.level, x)
	  AND (k.participant_id IS NOT NULL AND k.point_id IS DISTINCT FROM d.point_id
	       OR NOT EXISTS (SELECT 1 FROM exam_registration r JOIN participant p ON p.id = r.participant_id
	                      WHERE r.exam_id = c.exam_id AND r.participant_id = d.participant_id
	                        AND r.deleted_at IS NULL AND p.deleted_at IS NULL AND NOT p.blocked));
	CREATE TEMP TABLE _kadd ON COMMIT DROP AS
	SELECT k.participant_id, k.point_id, t.mun_id, t.code FROM _kpd k JOIN _kpt t ON t.point_id = k.point_id
	WHERE NOT EXISTS (SELECT 1 FROM distribution d WHERE d.exam_id = c.exam_id
		AND d.participant_id = k.participant_id AND d.point_id = k.point_id AND d.deleted_at IS NULL);

	SELECT count(*) FILTER (WHERE k.point_id IS NOT NULL), count(*) FILTER (WHERE k.point_id IS NULL),
		count(*) FILTER (WHERE k.point_id IS NULL AND k.ovz)
	INTO n_dist, n_undist, n_undist_ovz FROM _kpd k;
	SELECT count(*) INTO n_del FROM _kdel;
	SELECT count(*) INTO n_add FROM _kadd;
	SELECT count(DISTINCT r.participant_id) INTO n_same
	FROM _kp k JOIN exam_registration r ON r.participant_id = k.participant_id AND r.deleted_at IS NULL
	JOIN exam e ON e.id = r.exam_id AND e.deleted_at IS NULL
	WHERE r.exam_id <> c.exam_id AND e.exam_date = c.exam_date;
	summary := format('distributed %s, not distributed %s (ОВЗ %s), same-day %s, added %s, removed %s',
		n_dist, n_undist, n_undist_ovz, n_same, n_add, n_del);
	IF dry THEN
		RETURN QUERY SELECT 'ok', 'dry run: ' || summary, c.exam_id, NULL::bigint;
		RETURN QUERY SELECT 'remove', x.code, x.participant_id, NULL::bigint FROM _kdel x
			UNION ALL SELECT 'add', x.code, x.participant_id, NULL::bigint FROM _kadd x;
		RETURN;
	END IF;
	-- seats of removed distributions go with them
	UPDATE seating s SET deleted_at = now(), row_version = s.row_version + 1, updated_at = now(), updated_by = p_device
	FROM _kdel x WHERE s.exam_id = c.exam_id AND s.participant_id = x.participant_id AND s.deleted_at IS NULL;
	UPDATE distribution d SET deleted_at = now(), row_version = d.row_version + 1, updated_at = now(), updated_by = p_device
	FROM _kdel x WHERE d.id = x.id;
	INSERT INTO distribution(org_id, exam_id, participant_id, point_id, manual, updated_by)
	SELECT x.mun_id, c.exam_id, x.participant_id, x.point_id, false, p_device FROM _kadd x
	ORDER BY x.code, x.participant_id;
	PERFORM karta_plan_audit(c.exam_id, 'distribute', p_device, 'ok', summary);
	RETURN QUERY SELECT 'ok', summary, c.exam_id, NULL::bigint;
END $$;

-- The ranking sorts of distribution and seating (15,000 participants, 32,000 free seats, with
-- their sort keys) spilled to disk at the default 4 MB (auto_explain: "external merge").
ALTER FUNCTION karta_exam_distribute(bigint, jsonb) SET work_mem = '64MB';
ALTER FUNCTION karta_exam_seat(bigint, jsonb) SET work_mem = '64MB';
