-- 0027: the pull at the speed of its rows (issue 18, docs/performance.md "Pull at set speed").
--  - Following the feeds: a page reads at most `cap` log rows, each feed with rows to pull
--    only as many as the feeds before it left (0015 read every pending row of every feed,
--    then sorted them — on disk — to keep a page's worth: after a registry import of 30,000
--    participants every page read and sorted 30,000 rows; now ~5,000).
--  - Filling: the row cap is p_max_bytes / 1280 (0015: / 1024, which let in feeds that did
--    not fit the bytes once serialized: 10 % of a page serialized for nothing).
--  - work_mem 32 MB for the pull and the snapshot: a page's sort stays in memory.
-- The contract is 0015's (same rows, same order, same states).

-- One page for a device (the contract of 0006's karta_pull: 'feed' rows for every feed
-- whose state the client must learn, 'change' rows in (feed code, seq) order within
-- p_max_bytes of payload — at least one —, one 'end' row with caught_up).
-- A change costs its payload's bytes + 64; a change of a 'plans'-scope feed that is not a
-- plan entity costs nothing and is passed over (the cursor moves past it). A page reads at
-- most p_max_bytes / 64 + 1 log rows, and serializes those whose stored size fits the
-- budget (the text is cut exactly after that).
CREATE OR REPLACE FUNCTION karta_pull(p_device bigint, p_cursors jsonb, p_max_bytes int)
RETURNS TABLE (kind text, feed text, seq bigint, entity_type text, entity_id uuid, op text,
	row_version bigint, changed_fields text[], payload text, origin_op_id uuid, epoch int,
	last_seq bigint, action text, scope text, name text, level text, parent text,
	caught_up boolean) LANGUAGE plpgsql STABLE
SET work_mem = '32MB' SET jit = off AS $$
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
-- feeds to fill, in code order: the scan of their keys (nothing serialized) stops after the
-- page's row cap + 1 rows, p_max_bytes / 1280 + 1 (a row of the region's plans is ~1,000
-- bytes of text + 64: 0015's / 1024 let in feeds that then did not fit the bytes, serialized
-- for nothing); the feed of the last key scanned may be cut short, the feeds before it are
-- whole
fill_scan AS MATERIALIZED (
	SELECT f.code, k.k_type, k.k_id, k.k_ver, k.ptxt
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
-- the log rows past the cursors, in (code, seq) order, at most `cap` of them, none
-- serialized yet: each feed with rows to pull reads, by its (feed_id, seq) index, only as many
-- as the feeds before it left of the cap — so a page reads at most cap log rows however long
-- the backlog (0015 read every pending row of every feed and sorted them on disk: 30,000
-- rows a page after a registry import). cap: the budget over a quarter of the average stored
-- payload (pg_stats; 64 bytes without statistics), at most p_max_bytes / 64 + 1 rows
lim AS MATERIALIZED (
	SELECT least(greatest(p_max_bytes, 1) / 64 + 1,
		greatest(p_max_bytes, 1) / greatest(64, coalesce((SELECT s.avg_width FROM pg_stats s
			WHERE s.schemaname = current_schema() AND s.tablename = 'change_log'
			  AND s.attname = 'payload'), 0) / 4) + 1)::bigint AS cap),
pend AS MATERIALIZED (
	SELECT p.*, p.upto - p.n AS before FROM (
		SELECT f.code, f.org_id, f.epoch, f.scope, f.since, f.last_seq - f.since AS n,
			sum(f.last_seq - f.since) OVER (ORDER BY f.code ROWS UNBOUNDED PRECEDING) AS upto
		FROM fs f WHERE f.how = 'pull' AND f.since < f.last_seq) p
	WHERE p.upto - p.n < (SELECT lim.cap FROM lim)),
-- their keys and a cheap guess of each one's size (the stored jsonb's, no payload carried)
cand AS MATERIALIZED (
	SELECT f.code, f.org_id, f.epoch AS f_epoch, l.seq AS l_seq,
		f.scope = 'all' OR karta_plan_entity(l.entity_type) AS shown, l.size
	FROM pend f
	CROSS JOIN LATERAL (
		SELECT x.seq, x.entity_type, pg_column_size(x.payload) AS size FROM change_log x
		WHERE x.feed_id = f.org_id AND x.seq > f.since
		ORDER BY x.seq LIMIT (SELECT lim.cap FROM lim) - f.before) l),
-- the rows the guess lets in (with a third to spare: the text of a jsonb is ~7% shorter
-- than its stored form; a compressed payload may make the page end early), fetched again
-- by their key and serialized once (sorting the cap's rows with their payloads cost more
-- than the page's serialization)
ser AS MATERIALIZED (
	SELECT c.code, c.f_epoch, c.l_seq, c.shown, l.entity_type AS l_type, l.entity_id AS l_id,
		l.op AS l_op, l.row_version AS l_ver, l.changed_fields AS l_fields,
		l.origin_op_id AS l_origin, CASE WHEN c.shown THEN l.payload::text END AS ptxt
	FROM (SELECT c.*, coalesce(sum(CASE WHEN c.shown THEN c.size + 64 ELSE 0 END)
		OVER (ORDER BY c.code, c.l_seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS est
		FROM cand c) c
	JOIN change_log l ON l.feed_id = c.org_id AND l.seq = c.l_seq
	WHERE c.est * 3 < 4 * (greatest(p_max_bytes, 1) - (SELECT coalesce(sum(o.bytes), 0) FROM fill_ok o))),
-- a row is taken while the bytes of the rows before it are under the budget
taken AS MATERIALIZED (
	SELECT * FROM (SELECT c.*, coalesce(sum(CASE WHEN c.shown THEN octet_length(c.ptxt) + 64 ELSE 0 END)
		OVER (ORDER BY c.code, c.l_seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
		FROM ser c) c
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
	SELECT 1, 'change', t.code, t.l_seq, t.l_type, t.l_id, t.l_op, t.l_ver, t.l_fields, t.ptxt,
		t.l_origin, t.f_epoch, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM taken t WHERE t.shown
	UNION ALL
	-- the current rows of the feeds filled, at the feed's last_seq (read with them)
	SELECT 1, 'change', r.code, s.last_seq, r.k_type, r.k_id, 'snapshot', r.k_ver, NULL, r.ptxt,
		NULL, s.epoch, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM fill_scan r JOIN fill_ok o ON o.code = r.code JOIN fs s ON s.code = r.code
	WHERE r.k_id IS NOT NULL
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
		                AND c.code NOT IN (SELECT b.code FROM fill_big b))) x
ORDER BY x.ord, x.feed, x.kind, x.seq;
END $$;

ALTER FUNCTION karta_snapshot(bigint, text, text, uuid, int) SET work_mem = '32MB';
ALTER FUNCTION karta_snapshot(bigint, text, text, uuid, int) SET jit = off;
