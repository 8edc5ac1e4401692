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

-- One change as the trigger functions hand it over.
CREATE TYPE karta_change AS (
	feed_id        bigint,
	entity_type    text,
	entity_id      uuid,
	op             text,
	row_version    bigint,
	changed_fields text[],
	payload        jsonb,
	origin_device  bigint
);

-- Appends p (in array order) to the feeds: the feed rows locked in org_id order, each
-- counter raised once, the rows inserted in one statement, one notification per feed.
-- The origin op and device fallback come from karta.op_id / karta.device as before (0006).
CREATE FUNCTION karta_feed_log(p karta_change[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	fs bigint[];
	ns bigint[];
	n bigint;
BEGIN
	IF coalesce(cardinality(p), 0) = 0 THEN
		RETURN;
	END IF;
	SELECT array_agg(g.f ORDER BY g.f), array_agg(g.n ORDER BY g.f) INTO fs, ns
	FROM (SELECT c.feed_id AS f, count(*) AS n FROM unnest(p) c GROUP BY c.feed_id) g;
	IF array_position(fs, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'organization % has no feed', 'NULL';
	END IF;
	PERFORM 1 FROM feed f WHERE f.org_id = ANY (fs) ORDER BY f.org_id FOR NO KEY UPDATE;
	WITH took AS (
		UPDATE feed f SET last_seq = f.last_seq + g.n
		FROM unnest(fs, ns) g(org_id, n) WHERE f.org_id = g.org_id
		RETURNING f.org_id, f.last_seq - g.n AS base)
	INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version,
		changed_fields, payload, origin_device, origin_op_id)
	SELECT c.feed_id, took.base + row_number() OVER (PARTITION BY c.feed_id ORDER BY c.ord),
		c.entity_type, c.entity_id, c.op, c.row_version, c.changed_fields, c.payload,
		coalesce(c.origin_device, nullif(current_setting('karta.device', true), '')::bigint),
		nullif(current_setting('karta.op_id', true), '')::uuid
	FROM unnest(p) WITH ORDINALITY c(feed_id, entity_type, entity_id, op, row_version,
		changed_fields, payload, origin_device, ord)
	JOIN took ON took.org_id = c.feed_id;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n < cardinality(p) THEN
		RAISE EXCEPTION 'organization % has no feed',
			(SELECT min(f) FROM unnest(fs) f WHERE NOT EXISTS (SELECT 1 FROM feed x WHERE x.org_id = f));
	END IF;
	PERFORM pg_notify('karta_feed', f.org_id || ':' || f.last_seq)
	FROM feed f WHERE f.org_id = ANY (fs);
END $$;

-- The entity id of a row as its feed keys it: its id; an abbreviation's derived from its key.
CREATE FUNCTION karta_feed_entity(p_type text, j jsonb) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_type = 'abbreviation'
		THEN karta_abbreviation_id((j->>'plan_id')::uuid, j->>'short') ELSE (j->>'id')::uuid END
$$;

-- The statement trigger of every synced table. Arguments:
--   0 the entity type
--   1 where the feed is: a column holding the organization, or 'plan' (the owner of the
--     row's plan_id)
--   2 the column of the writing device, or '' (none: karta.device, as before)
--   3 'soft': a soft delete (deleted_at set) is op 'delete'; '' : op is insert/update
-- INSERT: REFERENCING NEW TABLE AS new_rows; UPDATE: also OLD TABLE AS old_rows. An update
-- that changed nothing appends nothing (the row triggers' WHEN (OLD.* IS DISTINCT FROM
-- NEW.*): here the two rows' jsonb compared; old and new rows are paired by entity id).
CREATE FUNCTION karta_feed_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	etype text := TG_ARGV[0];
	fcol text := TG_ARGV[1];
	dcol text := TG_ARGV[2];
	soft boolean := TG_ARGV[3] = 'soft';
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM karta_feed_log(ARRAY(
			SELECT ROW(CASE WHEN fcol = 'plan'
					THEN (SELECT p.owner_org_id FROM plan p WHERE p.id = (x.j->>'plan_id')::uuid)
					ELSE (x.j->>fcol)::bigint END,
				etype, karta_feed_entity(etype, x.j), 'insert',
				CASE WHEN etype <> 'abbreviation' THEN (x.j->>'row_version')::bigint END,
				NULL, x.j, (x.j->>nullif(dcol, ''))::bigint)::karta_change
			FROM (SELECT to_jsonb(n) AS j, row_number() OVER () AS ord FROM new_rows n) x
			ORDER BY x.ord));
	ELSE
		PERFORM karta_feed_log(ARRAY(
			SELECT ROW(CASE WHEN fcol = 'plan'
					THEN (SELECT p.owner_org_id FROM plan p WHERE p.id = (x.j->>'plan_id')::uuid)
					ELSE (x.j->>fcol)::bigint END,
				etype, x.id,
				CASE WHEN soft AND o.j->>'deleted_at' IS NULL AND x.j->>'deleted_at' IS NOT NULL
					THEN 'delete' ELSE 'update' END,
				CASE WHEN etype <> 'abbreviation' THEN (x.j->>'row_version')::bigint END,
				karta_changed_fields(o.j, x.j), x.j, (x.j->>nullif(dcol, ''))::bigint)::karta_change
			FROM (SELECT y.j, karta_feed_entity(etype, y.j) AS id, y.ord
			      FROM (SELECT to_jsonb(n) AS j, row_number() OVER () AS ord FROM new_rows n) y) x
			JOIN (SELECT to_jsonb(o) AS j FROM old_rows o) o ON karta_feed_entity(etype, o.j) = x.id
			WHERE o.j IS DISTINCT FROM x.j
			ORDER BY x.ord));
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
