-- 30_feeds: per-organization change feeds, the server half of sync (docs/sync.md; the
-- gap-free numbering rule is explained at the change_log table, sql/0005_change_feeds.sql).
-- Every synced table appends through one statement trigger, karta_feed_stmt; the list of
-- synced tables and their arguments is the DO block after it. Also retention and rebuild.

-- A new organization's feed, once per statement (an org import adds thousands).
CREATE OR REPLACE FUNCTION karta_feed_create() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO feed(org_id) SELECT n.id FROM new_rows n;
	RETURN NULL;
END $$;

-- The next seq of an organization's feed. Row-locks the feed until the transaction ends:
-- see the change_log table in sql/0005_change_feeds.sql. NULL when the organization has no feed.
CREATE OR REPLACE FUNCTION karta_feed_next(p_org bigint) RETURNS bigint LANGUAGE sql AS $$
	UPDATE feed SET last_seq = last_seq + 1 WHERE org_id = p_org RETURNING last_seq
$$;

-- The upload that made a change: transaction-local settings the triggers read, set by
-- karta_upload around each op (karta.op_id) and for the whole batch (karta.device).
CREATE OR REPLACE FUNCTION karta_feed_append(p_org bigint, p_type text, p_id uuid, p_op text,
	p_version bigint, p_changed text[], p_payload json, p_device bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	s bigint := karta_feed_next(p_org);
BEGIN
	IF s IS NULL THEN
		RAISE EXCEPTION 'organization % has no feed', p_org;
	END IF;
	INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version,
		changed_fields, payload, origin_device, origin_op_id)
	VALUES (p_org, s, p_type, p_id, p_op, p_version, p_changed, p_payload,
		coalesce(p_device, nullif(current_setting('karta.device', true), '')::bigint),
		nullif(current_setting('karta.op_id', true), '')::uuid);
	PERFORM pg_notify('karta_feed', p_org || ':' || s);
	RETURN s;
END $$;

-- Shared downwards: the plan of places and the lock; never distribution, seating, staff.
CREATE OR REPLACE FUNCTION karta_plan_entity(p_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_type = ANY (karta_entity_list('shared'))
$$;

-- ---- retention and rebuild (karta-admin feed prune|rebuild) ------------------------------
-- Drops log rows older than p_days (never the newest row of a feed, so last_seq stays
-- provable); returns the number of rows dropped.
CREATE OR REPLACE FUNCTION karta_feed_prune(p_days int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	WITH gone AS (
		DELETE FROM change_log l USING feed f
		WHERE l.feed_id = f.org_id AND l.seq < f.last_seq
		  AND l.committed_at < now() - make_interval(days => p_days)
		RETURNING l.feed_id, l.seq),
	upto AS (SELECT feed_id, max(seq) AS s, count(*) AS n FROM gone GROUP BY feed_id),
	moved AS (UPDATE feed f SET pruned_seq = greatest(f.pruned_seq, upto.s) FROM upto
	          WHERE f.org_id = upto.feed_id RETURNING upto.n)
	SELECT coalesce(sum(moved.n), 0) INTO n FROM moved;
	RETURN n;
END $$;

-- A new epoch: every client's cursor of this feed becomes stale and it resyncs.
CREATE OR REPLACE FUNCTION karta_feed_rebuild(p_code text) RETURNS int LANGUAGE sql AS $$
	UPDATE feed SET epoch = epoch + 1
	WHERE org_id = (SELECT id FROM organization WHERE code = p_code)
	RETURNING epoch
$$;

-- Takes the numbers for a statement's changes: p_feeds holds the feed of each change (in any
-- order). Locks the feed rows in org_id order, raises each counter once by its number of
-- changes, queues one notification per feed ("<feed_id>:<its new last seq>"); returns each
-- feed's base (its seqs are base + 1 .. base + its count).
CREATE OR REPLACE FUNCTION karta_feed_take(p_feeds bigint[])
RETURNS TABLE (feed_id bigint, base bigint) LANGUAGE plpgsql AS $$
DECLARE
	fs bigint[];
	ns bigint[];
BEGIN
	SELECT array_agg(g.f ORDER BY g.f), array_agg(g.n ORDER BY g.f) INTO fs, ns
	FROM (SELECT f, count(*) AS n FROM unnest(p_feeds) f GROUP BY f) g;
	RETURN QUERY SELECT * FROM karta_feed_take_n(fs, ns);
END $$;

-- The same with the changes counted: p_fs the feeds in org_id order (distinct), p_ns the
-- number of changes of each. Set-based (docs/performance.md, "The feed's numbers taken once a
-- statement"): the feed rows locked in org_id order by one statement (so two statements naming
-- the same feeds in any order wait for each other, never deadlock), the counters raised by one
-- UPDATE, the notifications sent a few feeds at a time (karta_feed_notify). One feed, the
-- common case (an Upload, most writes), takes the short way: its UPDATE is its lock.
CREATE OR REPLACE FUNCTION karta_feed_take_n(p_fs bigint[], p_ns bigint[])
RETURNS TABLE (feed_id bigint, base bigint) LANGUAGE plpgsql AS $$
DECLARE
	fs bigint[]; -- the feeds updated, in org_id order
	ls bigint[]; -- … their new last seq
BEGIN
	IF coalesce(cardinality(p_fs), 0) = 0 THEN
		RETURN;
	ELSIF cardinality(p_fs) = 1 AND p_fs[1] IS NOT NULL THEN
		UPDATE feed f SET last_seq = f.last_seq + p_ns[1] WHERE f.org_id = p_fs[1]
		RETURNING f.last_seq INTO base;
		IF base IS NULL THEN
			RAISE EXCEPTION 'organization % has no feed', p_fs[1];
		END IF;
		PERFORM pg_notify('karta_feed', p_fs[1] || ':' || base);
		feed_id := p_fs[1];
		base := base - p_ns[1];
		RETURN NEXT;
		RETURN;
	END IF;
	PERFORM 1 FROM feed f WHERE f.org_id = ANY (p_fs) ORDER BY f.org_id FOR NO KEY UPDATE;
	WITH up AS (
		UPDATE feed f SET last_seq = f.last_seq + g.n FROM unnest(p_fs, p_ns) g(org_id, n)
		WHERE f.org_id = g.org_id RETURNING f.org_id, f.last_seq)
	SELECT array_agg(up.org_id ORDER BY up.org_id), array_agg(up.last_seq ORDER BY up.org_id)
	INTO fs, ls FROM up;
	IF fs IS DISTINCT FROM p_fs THEN -- a feed missing (or NULL)
		RAISE EXCEPTION 'organization % has no feed',
			coalesce((SELECT min(f)::text FROM unnest(p_fs) f WHERE f <> ALL (coalesce(fs, '{}'))), 'NULL');
	END IF;
	PERFORM karta_feed_notify(fs, ls);
	RETURN QUERY SELECT u.f, u.l - u.n FROM unnest(fs, ls, p_ns) u(f, l, n);
END $$;

-- Queues the notifications of feeds p_fs now at last seqs p_ls (sent at commit): one
-- "<feed_id>:<seq>" each, up to 200 of them in one notification, comma-separated — a
-- payload under 8,000 bytes whatever the numbers (200 × 39 digits and colons + 199 commas).
-- kartad's listener (server/listen.c) wakes the pulls waiting on any feed a notification names.
CREATE OR REPLACE FUNCTION karta_feed_notify(p_fs bigint[], p_ls bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	k int := 1;
BEGIN
	WHILE k <= cardinality(p_fs) LOOP
		PERFORM pg_notify('karta_feed', (SELECT string_agg(u.f || ':' || u.l, ',')
			FROM unnest(p_fs[k:k + 199], p_ls[k:k + 199]) u(f, l)));
		k := k + 200;
	END LOOP;
END $$;

-- The entity id of a row as its feed keys it: its id; an abbreviation's derived from its key.
CREATE OR REPLACE FUNCTION karta_feed_entity(p_type text, j jsonb) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_type = 'abbreviation'
		THEN karta_abbreviation_id((j->>'plan_id')::uuid, j->>'short') ELSE (j->>'id')::uuid END
$$;

-- ---- the feed: a change written with its op's id ------------------------------------------
-- As 0022, plus: when karta.op_ids holds a jsonb object {entity id: op id} (a set-wise run
-- sets it around its writes), a change of an entity it names gets that op id instead of
-- karta.op_id. The payload is the row as JSON text (to_json, stored as json: the text the
-- pull sends; 0030).
-- An insert reads each row's feed, entity id, row_version and device from its typed columns
-- (one branch per feed column and per device column: PL/pgSQL compiles a trigger function per
-- table and plans a branch only when it runs, so a branch naming a column the table lacks is
-- never planned; a column without a branch of its own is read by EXECUTE), as arrays in the
-- statement's order, takes the numbers, then writes the changes in one pass over the rows in
-- that order: to_json of each row once, no sort or join of the payloads (docs/performance.md,
-- "The feed append and the roll-up's triggers", "The feed's payload as the text it is sent
-- as"). An update pairs old and new rows by entity (their jsonb, which also names the changed
-- fields) and writes the changed ones.
CREATE OR REPLACE FUNCTION karta_feed_stmt() RETURNS trigger LANGUAGE plpgsql SET work_mem = '64MB'
SET jit = off AS $$
DECLARE
	etype text := TG_ARGV[0];
	fcol text := TG_ARGV[1];
	dcol text := nullif(TG_ARGV[2], '');
	soft boolean := TG_ARGV[3] = 'soft';
	dev bigint := nullif(current_setting('karta.device', true), '')::bigint;
	op_id uuid := nullif(current_setting('karta.op_id', true), '')::uuid;
	ops jsonb := nullif(current_setting('karta.op_ids', true), '')::jsonb;
	fd bigint[]; -- the feed of each new row, in the statement's order
	ids uuid[];  -- … its entity id
	vers bigint[]; -- … its row_version (none for an abbreviation)
	devs bigint[]; -- … its device (its device column, else karta.device, else -1: an array
	               -- with a NULL in it is read by position, once a custom plan flattens it —
	               -- quadratic over a bulk statement; NULL when the table has no such column)
	fs bigint[]; -- the feeds of the new rows, in org_id order
	ns bigint[]; -- the number of new rows of each
	b bigint;
	js json[]; -- the payload of each new row, in the statement's order (one feed)
	oids uuid[]; -- … its op id from karta.op_ids (NULL: none there)
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF fcol = 'plan' THEN
			SELECT array_agg(p.owner_org_id ORDER BY x.ord) INTO fd
			FROM (SELECT n.plan_id, row_number() OVER () AS ord FROM new_rows n) x
			LEFT JOIN plan p ON p.id = x.plan_id;
		ELSIF fcol = 'org_id' THEN
			SELECT array_agg(n.org_id) INTO fd FROM new_rows n;
		ELSIF fcol = 'owner_org_id' THEN
			SELECT array_agg(n.owner_org_id) INTO fd FROM new_rows n;
		ELSIF fcol = 'receiver_org_id' THEN
			SELECT array_agg(n.receiver_org_id) INTO fd FROM new_rows n;
		ELSE -- a feed column without a branch of its own: the same, planned each time
			EXECUTE format('SELECT array_agg(n.%I) FROM new_rows n', fcol) INTO fd;
		END IF;
		IF fd IS NULL THEN
			RETURN NULL; -- a statement that wrote nothing (statement triggers fire anyway)
		END IF;
		IF etype = 'abbreviation' THEN
			SELECT array_agg(karta_abbreviation_id(n.plan_id, n.short)) INTO ids FROM new_rows n;
		ELSIF dcol = 'updated_by' THEN
			SELECT array_agg(n.id), array_agg(n.row_version), array_agg(coalesce(n.updated_by, dev, -1))
			INTO ids, vers, devs FROM new_rows n;
		ELSIF dcol IS NULL THEN
			SELECT array_agg(n.id), array_agg(n.row_version) INTO ids, vers FROM new_rows n;
		ELSE -- a device column without a branch of its own (conflict's device_id)
			EXECUTE format('SELECT array_agg(n.id), array_agg(n.row_version),
				array_agg(coalesce(n.%I::bigint, $1, -1)) FROM new_rows n', dcol) INTO ids, vers, devs
				USING dev;
		END IF;
		SELECT array_agg(g.f ORDER BY g.f), array_agg(g.c ORDER BY g.f) INTO fs, ns
		FROM (SELECT f, count(*) AS c FROM unnest(fd) f GROUP BY 1) g;
		IF cardinality(fs) = 1 THEN
			-- one feed (an Upload, most writes): the seqs are the rows' order. The payloads and
			-- op ids made before the numbers are taken: from the take to commit the feed's row
			-- is locked, and another writer of the feed waits (docs/performance.md, "Two
			-- Uploads on one feed at once")
			SELECT array_agg(to_json(n)) INTO js FROM new_rows n;
			IF ops IS NOT NULL THEN
				oids := ARRAY(SELECT coalesce((ops->>u.i::text)::uuid, op_id)
					FROM unnest(ids) WITH ORDINALITY u(i, k) ORDER BY u.k);
			END IF;
			SELECT t.base INTO b FROM karta_feed_take_n(fs, ns) t;
			INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version,
				changed_fields, payload, origin_device, origin_op_id)
			SELECT fs[1], b + x.ord, etype, ids[x.ord], 'insert', vers[x.ord], NULL, x.j,
				coalesce(nullif(devs[x.ord], -1), dev), coalesce(oids[x.ord], op_id)
			FROM unnest(js) WITH ORDINALITY x(j, ord);
			RETURN NULL;
		END IF;
		WITH took AS MATERIALIZED (SELECT * FROM karta_feed_take_n(fs, ns)),
		ch AS (
			SELECT fd[x.ord] AS feed, ids[x.ord] AS id, x.j, x.ord
			FROM (SELECT to_json(n) AS j, row_number() OVER () AS ord FROM new_rows n) x)
		INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version,
			changed_fields, payload, origin_device, origin_op_id)
		SELECT ch.feed, took.base + row_number() OVER (PARTITION BY ch.feed ORDER BY ch.ord),
			etype, ch.id, 'insert', vers[ch.ord], NULL, ch.j, coalesce(nullif(devs[ch.ord], -1), dev),
			coalesce((ops->>ch.id::text)::uuid, op_id)
		FROM ch JOIN took ON took.feed_id = ch.feed;
		RETURN NULL;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
		RETURN NULL;
	END IF;
	-- old and new rows each made jsonb once (the row_number keeps each subquery whole, so the
	-- planner does not compute to_jsonb again for the join and its filter); the new row's
	-- payload its to_json
	WITH ch AS MATERIALIZED (
		SELECT CASE WHEN fcol = 'plan' THEN p.owner_org_id ELSE (x.j->>fcol)::bigint END AS feed,
			x.id, x.j, x.t, o.j AS oj, x.ord
		FROM (SELECT y.j, y.t, karta_feed_entity(etype, y.j) AS id, y.ord
		      FROM (SELECT to_jsonb(n) AS j, to_json(n) AS t, row_number() OVER () AS ord
		            FROM new_rows n) y) x
		JOIN (SELECT z.j, karta_feed_entity(etype, z.j) AS id
		      FROM (SELECT to_jsonb(o) AS j, row_number() OVER () AS ord FROM old_rows o) z) o
			ON o.id = x.id
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
		karta_changed_fields(ch.oj, ch.j), ch.t, coalesce((ch.j->>dcol)::bigint, dev),
		coalesce((ops->>ch.id::text)::uuid, op_id)
	FROM ch JOIN took ON took.feed_id = ch.feed;
	RETURN NULL;
END $$;

-- The synced tables: each appends to the feeds through karta_feed_stmt, once per INSERT and
-- once per UPDATE statement, with its arguments (above). The triggers are named
-- <table>_feed_insert|update: AFTER STATEMENT triggers fire in name order, so a table's
-- reference check (…_check_refs_…) runs before its feed append, and so does plan_item's
-- roll-up (plan_item_derived_rollup_…): the feed's counter row, held to commit, is taken last.
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT entity_type AS tab, feed, device, soft FROM karta_entity_types() LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
			'FOR EACH STATEMENT EXECUTE FUNCTION karta_feed_stmt(%L, %L, %L, %L)',
			t.tab || '_feed_insert', t.tab, t.tab, t.feed, t.device, t.soft);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
			'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION karta_feed_stmt(%L, %L, %L, %L)',
			t.tab || '_feed_update', t.tab, t.tab, t.feed, t.device, t.soft);
	END LOOP;
END $$;

CREATE TRIGGER organization_feed AFTER INSERT ON organization REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION karta_feed_create();
