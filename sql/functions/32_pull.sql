-- 32_pull: what a device reads — the feeds it sees (karta_feed_visible), pull pages
-- (karta_pull) and the snapshot that fills a new replica (karta_snapshot): single SQL
-- statements, the page cut by a running sum of bytes. A change's payload is sent as stored (json:
-- the row's JSON text, 0030); a current row is serialized once (to_json, karta_feed_rows).

-- The feeds a device reads (0006's contract, same rows): its organization and its
-- descendants whole, its parent and grandparent plan rows only. Each level is its own
-- index join (0006's OR with a sub-select ran the sub-select once per organization: 38 ms
-- for a region of 1,066, read on every pull and every snapshot page), and each carries its
-- organizations' columns and their parent's code from the rows it walked (looking each
-- feed's organization and parent up again by id was two index probes a feed: 1,566 feeds,
-- a third of an empty page's 7.4 ms).
CREATE OR REPLACE FUNCTION karta_feed_visible(p_device bigint)
RETURNS TABLE (org_id bigint, code text, name text, level text, parent text, scope text,
	epoch int, last_seq bigint, pruned_seq bigint) LANGUAGE sql STABLE AS $$
	WITH me AS MATERIALIZED (
		SELECT o.id, o.code, o.name, o.level, o.parent_id, p.code AS parent_code,
			p.parent_id AS grandparent_id
		FROM karta_actor(p_device) a JOIN organization o ON o.id = a.org_id
		LEFT JOIN organization p ON p.id = o.parent_id),
	vis AS (
		SELECT me.id, me.code, me.name, me.level, me.parent_code AS parent, 'all' AS scope
		FROM me
		UNION ALL
		SELECT c.id, c.code, c.name, c.level, me.code, 'all'
		FROM me JOIN organization c ON c.parent_id = me.id
		UNION ALL
		SELECT g.id, g.code, g.name, g.level, c.code, 'all'
		FROM me JOIN organization c ON c.parent_id = me.id JOIN organization g ON g.parent_id = c.id
		UNION ALL
		SELECT a.id, a.code, a.name, a.level, par.code, 'plans'
		FROM me JOIN organization a ON a.id = me.parent_id
		LEFT JOIN organization par ON par.id = a.parent_id
		UNION ALL
		SELECT a.id, a.code, a.name, a.level, par.code, 'plans'
		FROM me JOIN organization a ON a.id = me.grandparent_id
		LEFT JOIN organization par ON par.id = a.parent_id)
	SELECT v.id, v.code, v.name, v.level, v.parent, v.scope, f.epoch, f.last_seq, f.pruned_seq
	FROM vis v JOIN feed f ON f.org_id = v.id
$$;

-- One page for a device (the contract of 0006's karta_pull: 'feed' rows for every feed
-- whose state the client must learn, 'change' rows within p_max_bytes of payload — at least
-- one —, one 'end' row with caught_up), in no order: kartad puts the changes in (feed code,
-- seq) order (sorting the page here copied its payloads once more).
-- A change costs its payload's bytes + 64; a change of a 'plans'-scope feed that is not a
-- plan entity costs nothing and is passed over (the cursor moves past it). A page reads at
-- most `cap` log rows (below), each once, and sends those whose size fits the budget (a stored
-- size, at most 4 bytes over the text's: a page never holds more than the budget). work_mem: a page's sorts stay in memory; jit
-- off: a plan's cost estimate once made PostgreSQL JIT-compile it, 300 ms a call.
-- enable_seqscan off: the generic plan is made once per backend, with the statistics of that
-- moment — made while change_log held a few dozen rows (a new region's first sync), it read
-- the log by sequential scans, and kept doing so after an import put 509,500 rows there until
-- autovacuum's ANALYZE replaced it: two pages of the federal package's pull back took 8.4 and
-- 10.9 s (auto_explain: "Seq Scan on change_log … rows=1", 127 loops over 509,508 rows), the
-- pull back 23 s instead of 6–8. Every read of the log here has its (feed_id, seq) key; the
-- page's rows are no more fetched a second time by their key (3108b1e's probe: as a join, the
-- generic plan made on a small log read the whole key once a row — t_pull_plan_sql).
CREATE OR REPLACE FUNCTION karta_pull(p_device bigint, p_cursors jsonb, p_max_bytes int)
RETURNS TABLE (kind text, feed text, seq bigint, entity_type text, entity_id uuid, op text,
	row_version bigint, changed_fields text[], payload text, origin_op_id uuid, epoch int,
	last_seq bigint, action text, scope text, name text, level text, parent text,
	caught_up boolean) LANGUAGE plpgsql STABLE
SET work_mem = '32MB' SET jit = off SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off AS $$
BEGIN
RETURN QUERY
WITH cur AS (
	SELECT * FROM jsonb_to_recordset(coalesce(p_cursors, '[]')) AS k(feed text, epoch int, seq bigint)),
vis AS MATERIALIZED (SELECT * FROM karta_feed_visible(p_device)),
fs AS MATERIALIZED (
	SELECT v.*, k.feed IS NOT NULL AS named, coalesce(k.seq, 0) AS since,
		CASE WHEN k.feed IS NOT NULL AND (k.epoch IS DISTINCT FROM v.epoch
		          OR coalesce(k.seq, 0) < v.pruned_seq OR k.seq > v.last_seq) THEN 'resync'
		     WHEN k.feed IS NULL AND v.last_seq > 0 THEN 'fill' -- a new reader: current rows
		     ELSE 'pull' END AS how
	FROM vis v LEFT JOIN cur k ON k.feed = v.code),
-- feeds to fill, in code order, each with its current rows serialized once (an empty feed
-- as one row without an entity), the scan stopped after the page's row cap + 1 rows:
-- p_max_bytes / 1280 + 1 (a row of the region's plans is ~1,000 bytes of text + 64; / 1024
-- let in feeds that then did not fit the bytes, serialized for nothing); the feed of the
-- last row scanned may be cut short (choosing the feeds by their keys first, so that none is
-- serialized for nothing, cost more than it saved: 740–790 against 670 ms of CPU for the 13
-- pages of a region's fill)
fill_scan AS MATERIALIZED (
	SELECT f.code, f.epoch AS f_epoch, f.last_seq AS f_last, k.k_type, k.k_id, k.k_ver, k.ptxt
	FROM (SELECT * FROM fs WHERE fs.how = 'fill' ORDER BY fs.code) f
	LEFT JOIN LATERAL (
		SELECT r.entity_type AS k_type, r.entity_id AS k_id, r.row_version AS k_ver,
			r.payload::text AS ptxt
		FROM karta_feed_rows r
		WHERE r.org_id = f.org_id AND (f.scope = 'all' OR karta_plan_entity(r.entity_type))
		OFFSET 0) k ON true -- (OFFSET 0: one index scan per feed, nothing else serialized)
	ORDER BY f.code
	LIMIT greatest(p_max_bytes, 1) / 1280 + 2),
fill_cut AS MATERIALIZED ( -- the feed the scan may have cut short
	SELECT max(c.code) AS code FROM fill_scan c
	HAVING count(*) > greatest(p_max_bytes, 1) / 1280 + 1),
fill_bytes AS (
	SELECT c.code, coalesce(sum(octet_length(c.ptxt) + 64), 0) AS bytes
	FROM fill_scan c WHERE c.code IS DISTINCT FROM (SELECT x.code FROM fill_cut x)
	GROUP BY c.code),
-- filled whole in this page: the feeds that fit the budget, in code order
fill_ok AS MATERIALIZED (
	SELECT x.code, x.bytes FROM (
		SELECT b.code, b.bytes, sum(b.bytes) OVER (ORDER BY b.code) AS upto
		FROM fill_bytes b WHERE b.bytes <= greatest(p_max_bytes, 1)) x
	WHERE x.upto <= greatest(p_max_bytes, 1)),
-- too big for one page (rows or bytes): the client takes a keyset snapshot (karta_snapshot)
fill_big AS MATERIALIZED (
	SELECT x.code FROM fill_cut x WHERE NOT EXISTS (SELECT 1 FROM fill_scan c WHERE c.code < x.code)
	UNION ALL
	SELECT b.code FROM fill_bytes b WHERE b.bytes > greatest(p_max_bytes, 1)),
-- the log rows past the cursors, in (code, seq) order, at most `cap` of them: each feed with rows to pull reads, by its (feed_id, seq) index, only as many
-- as the feeds before it left of the cap — so a page reads at most cap log rows however long
-- the backlog (0015 read every pending row of every feed and sorted them on disk: 30,000
-- rows a page after a registry import). cap: the budget over the average stored payload
-- (pg_stats of the schema change_log is in, whatever the search_path puts first; 64 bytes
-- without statistics), at most p_max_bytes / 64 + 1 rows — a page of rows
-- smaller than the average holds fewer bytes; 0027's quarter of the average read four times
-- the keys a page takes (the pull back of 30,000 rows: 480 → 400 ms of backend CPU)
lim AS MATERIALIZED (
	SELECT least(greatest(p_max_bytes, 1) / 64 + 1,
		greatest(p_max_bytes, 1) / greatest(64, coalesce((SELECT s.avg_width FROM pg_stats s
			WHERE s.schemaname = (SELECT n.nspname FROM pg_class c
			                      JOIN pg_namespace n ON n.oid = c.relnamespace
			                      WHERE c.oid = 'change_log'::regclass)
			  AND s.tablename = 'change_log'
			  AND s.attname = 'payload'), 0)) + 1)::bigint AS cap),
pend AS (
	SELECT p.*, p.upto - p.n AS before FROM (
		SELECT f.code, f.org_id, f.epoch, f.scope, f.since, f.last_seq - f.since AS n,
			sum(f.last_seq - f.since) OVER (ORDER BY f.code ROWS UNBOUNDED PRECEDING) AS upto
		FROM fs f WHERE f.how = 'pull' AND f.since < f.last_seq) p
	WHERE p.upto - p.n < (SELECT lim.cap FROM lim)),
-- those rows, read once by their key with everything the page sends, and each one's size: a
-- json's stored size (its text and a 1- or 4-byte header: at most 4 bytes over the text's,
-- never under it), a compressed one's text length (decompressed, those rows alone). pend and
-- cand are not kept: the feeds come in code order from pend's window and each feed's rows in
-- seq order from its index, so the window below only sorts each feed's rows (an incremental
-- sort on the code) — the order is still the window's ORDER BY, not the plan's
cand AS (
	SELECT f.code, f.org_id, f.epoch AS f_epoch, l.seq AS l_seq,
		f.scope = 'all' OR karta_plan_entity(l.entity_type) AS shown, l.size,
		l.entity_type AS l_type, l.entity_id AS l_id, l.op AS l_op, l.row_version AS l_ver,
		l.changed_fields AS l_fields, l.origin_op_id AS l_origin, l.payload AS l_payload
	FROM pend f
	CROSS JOIN LATERAL (
		SELECT x.seq, x.entity_type, CASE WHEN pg_column_compression(x.payload) IS NULL
			THEN pg_column_size(x.payload) ELSE octet_length(x.payload::text) END AS size,
			x.entity_id, x.op, x.row_version, x.changed_fields, x.origin_op_id, x.payload
		FROM change_log x
		WHERE x.feed_id = f.org_id AND x.seq > f.since
		ORDER BY x.seq LIMIT (SELECT lim.cap FROM lim) - f.before) l),
-- the rows the page takes: a row is taken while the bytes of the rows before it are under the
-- budget (with the cap's overshoot, ~10 % more rows read than taken). Before, the keys were
-- read first, the page cut on a guess of their sizes, the rows the guess let in fetched again
-- by their key with their payloads, kept, summed again over their text and read once more to
-- be sent: the registries' pull back 32 → 22 ms of backend CPU a page of ~5,200 rows
-- (bench/pull_replay.sh; docs/performance.md, branch pullback)
taken AS MATERIALIZED (
	SELECT c.* FROM (
		SELECT c.*, coalesce(sum(CASE WHEN c.shown THEN c.size + 64 ELSE 0 END)
			OVER (ORDER BY c.code, c.l_seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
		FROM cand c) c
	WHERE c.before < greatest(p_max_bytes, 1) - (SELECT coalesce(sum(o.bytes), 0) FROM fill_ok o)),
moved AS (SELECT t.code, max(t.l_seq) AS pos FROM taken t GROUP BY t.code),
states AS MATERIALIZED (
	SELECT f.*, coalesce(m.pos, f.since) AS pos FROM fs f LEFT JOIN moved m ON m.code = f.code)
SELECT x.kind, x.feed, x.seq, x.entity_type, x.entity_id, x.op, x.row_version,
	x.changed_fields, x.payload, x.origin_op_id, x.epoch, x.last_seq, x.action, x.scope,
	x.name, x.level, x.parent, x.caught_up
FROM (
	-- feeds the client names but may no longer read
	SELECT 0 AS ord, 'feed' AS kind, k.feed, k.seq, NULL::text AS entity_type,
		NULL::uuid AS entity_id, NULL::text AS op, NULL::bigint AS row_version,
		NULL::text[] AS changed_fields, NULL::text AS payload, NULL::uuid AS origin_op_id,
		k.epoch, NULL::bigint AS last_seq, 'gone' AS action, NULL::text AS scope,
		NULL::text AS name, NULL::text AS level, NULL::text AS parent, NULL::boolean AS caught_up
	FROM cur k WHERE NOT EXISTS (SELECT 1 FROM vis v WHERE v.code = k.feed)
	UNION ALL
	SELECT 1, 'change', t.code, t.l_seq, t.l_type, t.l_id, t.l_op, t.l_ver,
		t.l_fields, t.l_payload::text, t.l_origin, t.f_epoch, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL
	FROM taken t
	WHERE t.shown
	UNION ALL
	-- the current rows of the feeds filled, at the feed's last_seq (read with them; the feed's
	-- epoch and last_seq carried by the scan, the feeds filled tested by a hashed IN: joining
	-- the page's rows with fill_ok and fs copied every payload twice more — the region's 13
	-- fill pages 331 → 311 ms of backend CPU, replayed alternately)
	SELECT 1, 'change', r.code, r.f_last, r.k_type, r.k_id, 'snapshot', r.k_ver, NULL, r.ptxt,
		NULL, r.f_epoch, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM fill_scan r
	WHERE r.k_id IS NOT NULL AND r.code IN (SELECT o.code FROM fill_ok o)
	UNION ALL
	-- the state of every feed to resync, filled, new to the client or moved (after its
	-- changes); a feed left to fill on a later page is not named
	SELECT 1, 'feed', s.code, CASE WHEN s.res THEN s.since WHEN s.how = 'fill' THEN s.last_seq
		ELSE s.pos END,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.epoch, s.last_seq,
		CASE WHEN s.res THEN 'resync' ELSE 'ok' END, s.scope, s.name, s.level,
		s.parent, NULL
	FROM (SELECT s.*, s.how = 'resync' OR s.code IN (SELECT b.code FROM fill_big b) AS res,
		s.code IN (SELECT o.code FROM fill_ok o) AS filled FROM states s) s
	WHERE s.res OR s.filled OR (s.how = 'pull' AND (NOT s.named OR s.pos <> s.since))
	UNION ALL
	SELECT 2, 'end', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, NULL,
		NOT EXISTS (SELECT 1 FROM states s WHERE s.how = 'pull' AND s.pos < s.last_seq)
		AND NOT EXISTS (SELECT 1 FROM fs c WHERE c.how = 'fill'
		                AND c.code NOT IN (SELECT o.code FROM fill_ok o)
		                AND c.code NOT IN (SELECT b.code FROM fill_big b))) x;
END $$;

-- One keyset page of a feed's snapshot (the contract of 0006's karta_snapshot: rows in
-- (entity_type, entity_id) order after the key given; one last row without an entity with
-- the feed's epoch, last_seq — read in the same statement as the rows — and whether more
-- follow; no rows at all: the device may not read the feed). At most p_max_bytes of payload
-- (payload + 64 per row, at least one row) and p_max_bytes / 512 + 1 rows. The page's keys
-- come first (karta_feed_rows without its payload column: no row serialized), then only the
-- rows up to the page's last key are serialized, once.
CREATE OR REPLACE FUNCTION karta_snapshot(p_device bigint, p_feed text, p_after_type text,
	p_after_id uuid, p_max_bytes int)
RETURNS TABLE (entity_type text, entity_id uuid, row_version bigint, payload text, epoch int,
	last_seq bigint, more boolean) LANGUAGE plpgsql STABLE SET work_mem = '32MB' SET jit = off AS $$
BEGIN
RETURN QUERY
WITH f AS MATERIALIZED (SELECT * FROM karta_feed_visible(p_device) v WHERE v.code = p_feed),
keys AS MATERIALIZED (
	SELECT k.entity_type AS k_type, k.entity_id AS k_id,
		row_number() OVER (ORDER BY k.entity_type, k.entity_id) AS n
	FROM karta_feed_rows k
	WHERE k.org_id = (SELECT f.org_id FROM f)
	  AND ((SELECT f.scope FROM f) = 'all' OR karta_plan_entity(k.entity_type))
	  AND (k.entity_type, k.entity_id) > (coalesce(p_after_type, ''),
	       coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'))
	ORDER BY k.entity_type, k.entity_id
	LIMIT greatest(p_max_bytes, 1) / 512 + 2),
-- the rows up to the (p_max_bytes / 512 + 1)-th key, serialized
rows AS MATERIALIZED (
	SELECT r.entity_type AS r_type, r.entity_id AS r_id, r.row_version AS r_ver,
		r.payload::text AS ptxt
	FROM karta_feed_rows r
	WHERE r.org_id = (SELECT f.org_id FROM f)
	  AND ((SELECT f.scope FROM f) = 'all' OR karta_plan_entity(r.entity_type))
	  AND (r.entity_type, r.entity_id) > (coalesce(p_after_type, ''),
	       coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'))
	  AND (r.entity_type, r.entity_id) <= (SELECT k_type, k_id FROM keys
	       WHERE n <= greatest(p_max_bytes, 1) / 512 + 1 ORDER BY n DESC LIMIT 1)),
page AS MATERIALIZED (
	SELECT * FROM (
		SELECT r.*, coalesce(sum(octet_length(r.ptxt) + 64) OVER (ORDER BY r.r_type, r.r_id
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
		FROM rows r) c
	WHERE c.before < greatest(p_max_bytes, 1))
SELECT x.entity_type, x.entity_id, x.row_version, x.payload, x.epoch, x.last_seq, x.more
FROM (
	SELECT 0 AS ord, p.r_type AS entity_type, p.r_id AS entity_id, p.r_ver AS row_version,
		p.ptxt AS payload, NULL::int AS epoch, NULL::bigint AS last_seq, NULL::boolean AS more
	FROM page p
	UNION ALL
	SELECT 1, NULL, NULL, NULL, NULL, f.epoch, f.last_seq,
		(SELECT count(*) FROM keys) > (SELECT count(*) FROM page)
	FROM f) x
ORDER BY x.ord, x.entity_type, x.entity_id;
END $$;
