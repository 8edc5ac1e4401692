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
-- Every table with a feed trigger, the feed it appends to, its entity type:
--   plan (owner_org_id), plan_section, plan_item, abbreviation (the plan's owner)   0005
--   conflict (org_id)                                                                0006
--   item_status (org_id), report_request (receiver_org_id), report_submission       0007
--   participant, exam, exam_registration, exam_point, auditorium, staff, staff_point 0008
--   exam_point_assignment, exam_auditorium, distribution, seating, staff_assignment,
--   exam_lock, exam_plan_setting (org_id; a soft delete is op 'delete')              0009
-- and organization's feed creation (one INSERT into feed per statement too).

-- Takes the numbers for a statement's changes: p_counts[i] numbers on feed p_feeds[i] (the
-- feeds in org_id order, each once). Locks the feed rows in that order, raises each counter
-- once, queues one notification per feed ("<feed_id>:<its new last seq>"); returns each
-- feed's base (its seqs are base + 1 .. base + count).
CREATE FUNCTION karta_feed_take(p_feeds bigint[], p_counts bigint[])
RETURNS TABLE (feed_id bigint, base bigint) LANGUAGE plpgsql AS $$
DECLARE
	n int := 0;
BEGIN
	IF array_position(p_feeds, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'organization % has no feed', 'NULL';
	END IF;
	PERFORM 1 FROM feed f WHERE f.org_id = ANY (p_feeds) ORDER BY f.org_id FOR NO KEY UPDATE;
	FOR feed_id, base IN
		UPDATE feed f SET last_seq = f.last_seq + g.n FROM unnest(p_feeds, p_counts) g(org_id, n)
		WHERE f.org_id = g.org_id RETURNING f.org_id, f.last_seq - g.n
	LOOP
		PERFORM pg_notify('karta_feed', feed_id || ':' || (base + p_counts[array_position(p_feeds, feed_id)]));
		n := n + 1;
		RETURN NEXT;
	END LOOP;
	IF n < coalesce(cardinality(p_feeds), 0) THEN
		RAISE EXCEPTION 'organization % has no feed',
			(SELECT min(f) FROM unnest(p_feeds) f WHERE NOT EXISTS (SELECT 1 FROM feed x WHERE x.org_id = f));
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
	IF TG_OP = 'INSERT' THEN
		WITH ch AS MATERIALIZED (
			SELECT CASE WHEN fcol = 'plan' THEN p.owner_org_id ELSE (x.j->>fcol)::bigint END AS feed,
				x.j, x.ord
			FROM (SELECT to_jsonb(n) AS j, row_number() OVER () AS ord FROM new_rows n) x
			LEFT JOIN plan p ON fcol = 'plan' AND p.id = (x.j->>'plan_id')::uuid),
		took AS (
			SELECT t.* FROM (SELECT array_agg(g.feed ORDER BY g.feed) AS fs, array_agg(g.n ORDER BY g.feed) AS ns
			                 FROM (SELECT ch.feed, count(*) AS n FROM ch GROUP BY ch.feed) g) a,
				karta_feed_take(a.fs, a.ns) t)
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
		took AS (
			SELECT t.* FROM (SELECT array_agg(g.feed ORDER BY g.feed) AS fs, array_agg(g.n ORDER BY g.feed) AS ns
			                 FROM (SELECT ch.feed, count(*) AS n FROM ch GROUP BY ch.feed) g) a,
				karta_feed_take(a.fs, a.ns) t)
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

DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('plan', 'owner_org_id', 'updated_by', ''),
		('plan_section', 'plan', '', ''),
		('plan_item', 'plan', 'updated_by', 'soft'),
		('abbreviation', 'plan', '', ''),
		('conflict', 'org_id', 'device_id', ''),
		('item_status', 'org_id', 'updated_by', ''),
		('report_request', 'receiver_org_id', 'updated_by', ''),
		('report_submission', 'org_id', 'updated_by', ''),
		('participant', 'org_id', 'updated_by', 'soft'),
		('exam', 'org_id', 'updated_by', 'soft'),
		('exam_registration', 'org_id', 'updated_by', 'soft'),
		('exam_point', 'org_id', 'updated_by', 'soft'),
		('auditorium', 'org_id', 'updated_by', 'soft'),
		('staff', 'org_id', 'updated_by', 'soft'),
		('staff_point', 'org_id', 'updated_by', 'soft'),
		('exam_point_assignment', 'org_id', 'updated_by', 'soft'),
		('exam_auditorium', 'org_id', 'updated_by', 'soft'),
		('distribution', 'org_id', 'updated_by', 'soft'),
		('seating', 'org_id', 'updated_by', 'soft'),
		('staff_assignment', 'org_id', 'updated_by', 'soft'),
		('exam_lock', 'org_id', 'updated_by', 'soft'),
		('exam_plan_setting', 'org_id', 'updated_by', 'soft')) v(tab, fcol, dcol, soft)
	LOOP
		EXECUTE format('DROP TRIGGER %I ON %I', t.tab || '_feed_insert', t.tab);
		EXECUTE format('DROP TRIGGER %I ON %I', t.tab || '_feed_update', t.tab);
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
			'FOR EACH STATEMENT EXECUTE FUNCTION karta_feed_stmt(%L, %L, %L, %L)',
			t.tab || '_feed_insert', t.tab, t.tab, t.fcol, t.dcol, t.soft);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I '
			'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
			'FOR EACH STATEMENT EXECUTE FUNCTION karta_feed_stmt(%L, %L, %L, %L)',
			t.tab || '_feed_update', t.tab, t.tab, t.fcol, t.dcol, t.soft);
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
