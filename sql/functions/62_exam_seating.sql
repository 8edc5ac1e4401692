-- 62_exam_seating: distributing participants to points and seating them in auditoriums,
-- by rule or by hand, and reading the seating (lists, own seats).

-- Usable seats of an auditorium.
CREATE OR REPLACE FUNCTION karta_aud_capacity(a auditorium) RETURNS int LANGUAGE sql IMMUTABLE AS $$
	SELECT a.rows * a.seats_per_row - cardinality(a.unusable_seats)
$$;

-- ---- exam distribution: the four steps append their points (issue 18) --------------------
-- karta_exam_distribute of 0009 with one change: the four fill steps wrote each
-- participant's point into _kp with an UPDATE per step (15,000 rows rewritten, its index
-- with them: a quarter of a fresh distribution, auto_explain in bench/exam.sh's database);
-- they now append (participant, point) to _kpa and the changes read _kp ⟕ _kpa. The same
-- results (t_exam_planning_sql: exact layouts).
CREATE OR REPLACE FUNCTION karta_exam_distribute(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql SET work_mem = '64MB' AS $$
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
-- a: {exam_id, participant_id, point_id | null}: a manual distribution (kept by
-- karta_exam_distribute), or, with point_id null, back to automatic (the row goes).
CREATE OR REPLACE FUNCTION karta_exam_distribute_manual(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	pid uuid;
	pt exam_point;
	p participant;
	cur distribution;
	res distribution;
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NULL THEN
		BEGIN
			pid := (a->>'participant_id')::uuid;
		EXCEPTION WHEN OTHERS THEN
			c.status := 'bad'; c.message := 'participant_id: must be a uuid';
		END;
	END IF;
	IF c.status IS NULL THEN
		SELECT * INTO p FROM participant x WHERE x.id = pid AND x.deleted_at IS NULL
		AND karta_org_relation(c.org_id, x.org_id) = 'below'
		AND EXISTS (SELECT 1 FROM exam_registration r WHERE r.participant_id = x.id AND r.exam_id = c.exam_id
			AND r.deleted_at IS NULL);
		IF p.id IS NULL THEN
			c.status := 'not_found'; c.message := 'participant_id: no participant of yours registered for the exam';
		END IF;
	END IF;
	IF c.status IS NULL AND a->>'point_id' IS NOT NULL THEN
		SELECT x.* INTO pt FROM exam_point x JOIN exam_point_assignment pa ON pa.point_id = x.id
			AND pa.exam_id = c.exam_id AND pa.deleted_at IS NULL
		WHERE x.id = (a->>'point_id')::uuid AND karta_plan_scope(c.org_id, c.level, x);
		IF pt.id IS NULL THEN
			c.status := 'not_found'; c.message := 'point_id: no exam point of yours assigned to the exam';
		ELSIF p.ovz AND NOT EXISTS (SELECT 1 FROM exam_auditorium ea JOIN auditorium au ON au.id = ea.auditorium_id
			WHERE ea.exam_id = c.exam_id AND ea.point_id = pt.id AND ea.deleted_at IS NULL
			  AND ea.role = 'exam' AND au.ovz_adapted) THEN
			c.status := 'precondition'; c.message := 'point_id: an ОВЗ participant needs a point with an adapted auditorium';
		END IF;
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM distribution x WHERE x.exam_id = c.exam_id AND x.participant_id = pid
		AND x.deleted_at IS NULL FOR UPDATE;
	IF cur.id IS NOT NULL AND (a->>'point_id' IS NULL OR cur.point_id <> pt.id) THEN
		UPDATE seating s SET deleted_at = now(), row_version = s.row_version + 1, updated_at = now(), updated_by = p_device
		WHERE s.exam_id = c.exam_id AND s.participant_id = pid AND s.deleted_at IS NULL;
		UPDATE distribution x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(),
			updated_by = p_device WHERE x.id = cur.id;
	END IF;
	IF a->>'point_id' IS NULL THEN
		PERFORM karta_plan_audit(c.exam_id, 'distribute_manual', p_device, 'ok', 'cleared');
		RETURN QUERY SELECT 'ok', 'cleared', cur.id, cur.row_version + 1; RETURN;
	ELSIF cur.id IS NOT NULL AND cur.point_id = pt.id THEN
		UPDATE distribution x SET manual = true, row_version = x.row_version + 1, updated_at = now(),
			updated_by = p_device WHERE x.id = cur.id AND NOT x.manual;
		SELECT * INTO res FROM distribution x WHERE x.id = cur.id;
	ELSE
		INSERT INTO distribution(org_id, exam_id, participant_id, point_id, manual, updated_by)
		VALUES (pt.org_id, c.exam_id, pid, pt.id, true, p_device) RETURNING * INTO res;
	END IF;
	PERFORM karta_plan_audit(c.exam_id, 'distribute_manual', p_device, 'ok', pt.code);
	RETURN QUERY SELECT 'ok', 'distributed', res.id, res.row_version;
END $$;

-- ---- seating ------------------------------------------------------------------------------
-- Usable seats of the exam rooms assigned to an exam: (auditorium, position, row, seat).
-- The positions are an array unnested, not generate_series over the room's size: the
-- planner takes a set function of non-constant arguments for 1,000 rows (2,400 rooms: 2.4
-- million seats for ~30,000), and at that cost PostgreSQL JIT-compiled the seating's
-- queries: 0.4 s a run (bench/exam.sh). An unnested array counts as 10.
CREATE OR REPLACE FUNCTION karta_exam_seats(p_exam uuid)
RETURNS TABLE (point_id uuid, auditorium_id uuid, code text, cap int, ovz boolean, pos int,
	seat_row smallint, seat smallint) LANGUAGE sql STABLE AS $$
	SELECT ea.point_id, au.id, au.code, karta_aud_capacity(au), au.ovz_adapted, g.pos,
		((g.pos - 1) / au.seats_per_row + 1)::smallint, ((g.pos - 1) % au.seats_per_row + 1)::smallint
	FROM exam_auditorium ea JOIN auditorium au ON au.id = ea.auditorium_id AND au.deleted_at IS NULL
	CROSS JOIN LATERAL unnest(ARRAY(SELECT generate_series(1, au.rows * au.seats_per_row))) g(pos)
	WHERE ea.exam_id = p_exam AND ea.role = 'exam' AND ea.deleted_at IS NULL
	  AND g.pos <> ALL (au.unusable_seats)
$$;

-- a: {exam_id, order: even|sequential|capacity_desc|capacity_asc, point_id?, dry_run?}.
-- Seats the participants distributed to the points in scope (or the one point) in the
-- exam rooms of their point. Kept: manual seats still valid (the participant distributed to
-- that point, the room assigned as an exam room, the seat usable, ОВЗ in an adapted room);
-- invalid ones go. Free seats are ordered per point:
--   even           k-th free seat of every room before the (k+1)-th, rooms by code
--   sequential     rooms by code, seats by row and place
--   capacity_desc  rooms by usable seats descending (then code), seats by row and place
--   capacity_asc   rooms by usable seats ascending (then code), seats by row and place
-- ОВЗ participants take the free seats of adapted rooms first (in that order), then the
-- others take what is left (in that order); participants in the distribution order
-- (school code, surname, name, patronymic, birth date, id). Unchanged seats are not
-- touched; more participants than seats: the rest stay unseated (reported).
-- First row: the summary; with dry_run one row per change follows: status 'seat' |
-- 'unseat', message 'point/room:row:seat', id the participant.
CREATE OR REPLACE FUNCTION karta_exam_seat(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql SET work_mem = '64MB' AS $$
#variable_conflict use_column
DECLARE
	c record;
	ord text := coalesce(a->>'order', 'even');
	dry boolean := coalesce((a->>'dry_run')::boolean, false);
	only_point uuid;
	n_seated int; n_unseated int; n_add int; n_del int; n_kept int;
	summary text;
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NULL AND ord NOT IN ('even', 'sequential', 'capacity_desc', 'capacity_asc') THEN
		c.status := 'bad'; c.message := 'order: must be even, sequential, capacity_desc or capacity_asc';
	END IF;
	IF c.status IS NULL AND a->>'point_id' IS NOT NULL THEN
		only_point := (a->>'point_id')::uuid;
		IF NOT EXISTS (SELECT 1 FROM exam_point x WHERE x.id = only_point AND karta_plan_scope(c.org_id, c.level, x)) THEN
			c.status := 'not_found'; c.message := 'point_id: no exam point of yours';
		END IF;
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	PERFORM 1 FROM exam_lock x WHERE x.id = c.exam_id FOR SHARE;

	SET LOCAL client_min_messages = warning;
	DROP TABLE IF EXISTS _ksp, _kseat, _kd, _ks, _kfree, _kst, _ksdel, _ksadd;
	CREATE TEMP TABLE _ksp ON COMMIT DROP AS -- the points seated
	SELECT x.id AS point_id FROM exam_point x JOIN exam_point_assignment pa ON pa.point_id = x.id
		AND pa.exam_id = c.exam_id AND pa.deleted_at IS NULL
	WHERE karta_plan_scope(c.org_id, c.level, x) AND (only_point IS NULL OR x.id = only_point);
	-- What the steps below read, copied once and analyzed: the exam's distribution and seating
	-- rows are often newer than the tables' statistics (an exam's first run, or tables that
	-- hold other exams' rows), and a planner that takes them for none joins them row by row
	-- (seconds to minutes for 15,000; bench/exam.sh, "statistics stale").
	CREATE TEMP TABLE _kseat ON COMMIT DROP AS -- the usable seats of the exam's rooms
	SELECT * FROM karta_exam_seats(c.exam_id);
	CREATE TEMP TABLE _kd ON COMMIT DROP AS -- the distributed, with the keys of their order
	SELECT d.participant_id, d.point_id, p.ovz, sc.code AS school, p.surname, p.name, p.patronymic, p.birth_date
	FROM distribution d JOIN _ksp USING (point_id) JOIN participant p ON p.id = d.participant_id
	JOIN organization sc ON sc.id = p.org_id
	WHERE d.exam_id = c.exam_id AND d.deleted_at IS NULL;
	ANALYZE _ksp;
	ANALYZE _kseat;
	ANALYZE _kd;
	CREATE TEMP TABLE _ks ON COMMIT DROP AS -- the seats taken at those points or in their rooms
	SELECT s.id, s.participant_id, s.point_id, s.auditorium_id, s.seat_row, s.seat, s.manual
	FROM seating s WHERE s.exam_id = c.exam_id AND s.deleted_at IS NULL
	  AND (s.point_id IN (SELECT x.point_id FROM _ksp x)
	       OR s.auditorium_id IN (SELECT DISTINCT f.auditorium_id FROM _kseat f
	                              WHERE f.point_id IN (SELECT x.point_id FROM _ksp x)));
	ANALYZE _ks;
	-- kept: valid manual seats
	CREATE TEMP TABLE _kst ON COMMIT DROP AS
	SELECT s.participant_id, s.point_id, s.auditorium_id, s.seat_row, s.seat, true AS kept, s.id AS sid
	FROM _ks s JOIN _ksp USING (point_id)
	JOIN _kd d ON d.participant_id = s.participant_id AND d.point_id = s.point_id
	JOIN _kseat f ON f.auditorium_id = s.auditorium_id AND f.seat_row = s.seat_row AND f.seat = s.seat
	WHERE s.manual AND (f.ovz OR NOT d.ovz);
	-- free seats, with the rank of the chosen order: one sort whatever the order (keys that
	-- do not apply are NULL), not four
	CREATE TEMP TABLE _kfree ON COMMIT DROP AS
	SELECT f.*, row_number() OVER (PARTITION BY f.point_id ORDER BY
			CASE WHEN ord = 'even' THEN f.an END,
			CASE ord WHEN 'capacity_desc' THEN -f.cap WHEN 'capacity_asc' THEN f.cap END,
			f.code COLLATE "C", f.auditorium_id, f.pos) AS rk, false AS taken
	FROM (SELECT s.*, row_number() OVER (PARTITION BY s.auditorium_id ORDER BY s.pos) AS an
	      FROM _kseat s JOIN _ksp USING (point_id)
	      WHERE NOT EXISTS (SELECT 1 FROM _kst k WHERE k.auditorium_id = s.auditorium_id
	                        AND k.seat_row = s.seat_row AND k.seat = s.seat)) f;
	-- ОВЗ participants into adapted rooms
	WITH need AS (
		SELECT d.participant_id, d.point_id, row_number() OVER (PARTITION BY d.point_id ORDER BY d.school COLLATE "C",
			d.surname COLLATE "C", d.name COLLATE "C", d.patronymic COLLATE "C", d.birth_date, d.participant_id) AS n
		FROM _kd d
		WHERE d.ovz AND NOT EXISTS (SELECT 1 FROM _kst k WHERE k.participant_id = d.participant_id)),
	seat AS (SELECT f.*, row_number() OVER (PARTITION BY f.point_id ORDER BY f.rk) AS sn FROM _kfree f WHERE f.ovz)
	INSERT INTO _kst SELECT need.participant_id, need.point_id, seat.auditorium_id, seat.seat_row, seat.seat, false, NULL
	FROM need JOIN seat ON seat.point_id = need.point_id AND seat.sn = need.n;
	UPDATE _kfree f SET taken = true FROM _kst k
	WHERE NOT k.kept AND k.auditorium_id = f.auditorium_id AND k.seat_row = f.seat_row AND k.seat = f.seat;
	-- the others into what is left
	WITH need AS (
		SELECT d.participant_id, d.point_id, row_number() OVER (PARTITION BY d.point_id ORDER BY d.school COLLATE "C",
			d.surname COLLATE "C", d.name COLLATE "C", d.patronymic COLLATE "C", d.birth_date, d.participant_id) AS n
		FROM _kd d
		WHERE NOT d.ovz AND NOT EXISTS (SELECT 1 FROM _kst k WHERE k.participant_id = d.participant_id)),
	seat AS (SELECT f.*, row_number() OVER (PARTITION BY f.point_id ORDER BY f.rk) AS sn FROM _kfree f WHERE NOT f.taken)
	INSERT INTO _kst SELECT need.participant_id, need.point_id, seat.auditorium_id, seat.seat_row, seat.seat, false, NULL
	FROM need JOIN seat ON seat.point_id = need.point_id AND seat.sn = need.n;

	CREATE TEMP TABLE _ksdel ON COMMIT DROP AS
	SELECT s.id, s.participant_id, pt.code || '/' || au.code || ':' || s.seat_row || ':' || s.seat AS place
	FROM _ks s JOIN _ksp USING (point_id) JOIN auditorium au ON au.id = s.auditorium_id
	JOIN exam_point pt ON pt.id = au.point_id
	WHERE NOT EXISTS (SELECT 1 FROM _kst k WHERE k.participant_id = s.participant_id
		AND k.auditorium_id = s.auditorium_id AND k.seat_row = s.seat_row AND k.seat = s.seat
		AND (k.kept OR NOT s.manual));
	CREATE TEMP TABLE _ksadd ON COMMIT DROP AS
	SELECT k.*, au.org_id, pt.code || '/' || au.code || ':' || k.seat_row || ':' || k.seat AS place
	FROM _kst k JOIN auditorium au ON au.id = k.auditorium_id JOIN exam_point pt ON pt.id = au.point_id
	WHERE NOT k.kept AND NOT EXISTS (SELECT 1 FROM _ks s WHERE NOT s.manual
		AND s.participant_id = k.participant_id AND s.auditorium_id = k.auditorium_id
		AND s.seat_row = k.seat_row AND s.seat = k.seat);

	SELECT count(*) INTO n_seated FROM _kst;
	SELECT count(*) INTO n_unseated FROM _kd d
	WHERE NOT EXISTS (SELECT 1 FROM _kst k WHERE k.participant_id = d.participant_id);
	SELECT count(*) INTO n_kept FROM _kst WHERE kept;
	SELECT count(*) INTO n_del FROM _ksdel;
	SELECT count(*) INTO n_add FROM _ksadd;
	summary := format('order %s: seated %s (manual kept %s), unseated %s, added %s, removed %s',
		ord, n_seated, n_kept, n_unseated, n_add, n_del);
	IF dry THEN
		RETURN QUERY SELECT 'ok', 'dry run: ' || summary, c.exam_id, NULL::bigint;
		RETURN QUERY SELECT 'unseat', x.place, x.participant_id, NULL::bigint FROM _ksdel x
			UNION ALL SELECT 'seat', x.place, x.participant_id, NULL::bigint FROM _ksadd x;
		RETURN;
	END IF;
	UPDATE seating s SET deleted_at = now(), row_version = s.row_version + 1, updated_at = now(), updated_by = p_device
	FROM _ksdel x WHERE s.id = x.id;
	INSERT INTO seating(org_id, exam_id, participant_id, point_id, auditorium_id, seat_row, seat, manual, updated_by)
	SELECT x.org_id, c.exam_id, x.participant_id, x.point_id, x.auditorium_id, x.seat_row, x.seat, false, p_device
	FROM _ksadd x ORDER BY x.auditorium_id, x.seat_row, x.seat;
	PERFORM karta_plan_audit(c.exam_id, 'seat', p_device, 'ok', summary);
	RETURN QUERY SELECT 'ok', summary, c.exam_id, NULL::bigint;
END $$;
-- a: {exam_id, participant_id, auditorium_id, row, seat} a manual seat (kept by
-- karta_exam_seat), or {exam_id, participant_id, clear: true}. The participant must be
-- distributed to the room's point; the seat usable and free; ОВЗ only in adapted rooms.
CREATE OR REPLACE FUNCTION karta_exam_seat_manual(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c record;
	pid uuid;
	d distribution;
	p participant;
	f record;
	cur seating;
	res seating;
	r int; s int;
BEGIN
	c := karta_plan_ctx(p_device, a, false, false);
	IF c.status IS NULL THEN
		BEGIN
			pid := (a->>'participant_id')::uuid;
			r := (a->>'row')::int; s := (a->>'seat')::int;
		EXCEPTION WHEN OTHERS THEN
			c.status := 'bad'; c.message := 'participant_id: a uuid; row, seat: whole numbers';
		END;
	END IF;
	IF c.status IS NULL THEN
		SELECT x.* INTO d FROM distribution x JOIN exam_point pt ON pt.id = x.point_id
		WHERE x.exam_id = c.exam_id AND x.participant_id = pid AND x.deleted_at IS NULL
		  AND karta_plan_scope(c.org_id, c.level, pt);
		IF d.id IS NULL THEN
			c.status := 'not_found'; c.message := 'participant_id: not distributed to a point of yours';
		END IF;
	END IF;
	IF c.status IS NULL AND NOT coalesce((a->>'clear')::boolean, false) THEN
		SELECT * INTO p FROM participant x WHERE x.id = pid;
		SELECT * INTO f FROM karta_exam_seats(c.exam_id) x WHERE x.auditorium_id = (a->>'auditorium_id')::uuid
			AND x.seat_row = r AND x.seat = s;
		IF f.auditorium_id IS NULL OR f.point_id <> d.point_id THEN
			c.status := 'bad'; c.message := 'seat: not a usable seat of an exam room of the participant''s point';
		ELSIF p.ovz AND NOT f.ovz THEN
			c.status := 'precondition'; c.message := 'auditorium_id: an ОВЗ participant sits only in an adapted auditorium';
		ELSIF EXISTS (SELECT 1 FROM seating x WHERE x.exam_id = c.exam_id AND x.deleted_at IS NULL
			AND x.auditorium_id = f.auditorium_id AND x.seat_row = r AND x.seat = s AND x.participant_id <> pid) THEN
			c.status := 'conflict'; c.message := 'seat: the seat is taken';
		END IF;
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::uuid, NULL::bigint; RETURN;
	END IF;
	SELECT * INTO cur FROM seating x WHERE x.exam_id = c.exam_id AND x.participant_id = pid
		AND x.deleted_at IS NULL FOR UPDATE;
	IF cur.id IS NOT NULL THEN
		UPDATE seating x SET deleted_at = now(), row_version = x.row_version + 1, updated_at = now(),
			updated_by = p_device WHERE x.id = cur.id;
	END IF;
	IF coalesce((a->>'clear')::boolean, false) THEN
		PERFORM karta_plan_audit(c.exam_id, 'seat_manual', p_device, 'ok', 'cleared');
		RETURN QUERY SELECT 'ok', 'cleared', cur.id, cur.row_version + 1; RETURN;
	END IF;
	INSERT INTO seating(org_id, exam_id, participant_id, point_id, auditorium_id, seat_row, seat, manual, updated_by)
	VALUES (d.org_id, c.exam_id, pid, d.point_id, f.auditorium_id, r, s, true, p_device) RETURNING * INTO res;
	PERFORM karta_plan_audit(c.exam_id, 'seat_manual', p_device, 'ok', f.code || ':' || r || ':' || s);
	RETURN QUERY SELECT 'ok', 'seated', res.id, res.row_version;
END $$;

-- ---- seating lists ------------------------------------------------------------------------
-- karta_seating_list(device, exam, point code or NULL): the printable seating list of the
-- exam rooms of the points in scope (a municipality: its points; the region: all), by point,
-- room, row and seat. person and birth date only for the participants this organization may
-- read (its own schools'; the region: all): one from another municipality seated at this
-- municipality's point is listed by id and school code alone.
CREATE OR REPLACE FUNCTION karta_seating_list(p_device bigint, p_exam uuid, p_point text)
RETURNS TABLE (status text, message text, point text, auditorium text, seat_row int, seat int,
	school text, person text, birth_date text, participant uuid, manual boolean)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	c record;
BEGIN
	c := karta_plan_ctx(p_device, jsonb_build_object('exam_id', p_exam), false, true, true);
	IF c.status IS NULL AND p_point IS NOT NULL AND NOT EXISTS (SELECT 1 FROM exam_point x
		WHERE x.code = p_point AND x.deleted_at IS NULL AND karta_plan_scope(c.org_id, c.level, x)) THEN
		c.status := 'not_found'; c.message := 'point: no exam point of yours with this code';
	END IF;
	IF c.status IS NOT NULL THEN
		RETURN QUERY SELECT c.status, c.message, NULL::text, NULL::text, NULL::int, NULL::int, NULL::text,
			NULL::text, NULL::text, NULL::uuid, NULL::boolean;
		RETURN;
	END IF;
	RETURN QUERY
	SELECT 'ok', '', pt.code, au.code, s.seat_row::int, s.seat::int, o.code,
		CASE WHEN ok THEN concat_ws(' ', p.surname, p.name, nullif(p.patronymic, '')) ELSE '' END,
		CASE WHEN ok THEN to_char(p.birth_date, 'DD.MM.YYYY') ELSE '' END, p.id, s.manual
	FROM seating s JOIN exam_point pt ON pt.id = s.point_id
	JOIN auditorium au ON au.id = s.auditorium_id
	JOIN participant p ON p.id = s.participant_id
	JOIN organization o ON o.id = p.org_id
	CROSS JOIN LATERAL (SELECT c.level = 'region' OR o.parent_id = c.org_id AS ok) v
	WHERE s.exam_id = c.exam_id AND s.deleted_at IS NULL AND karta_plan_scope(c.org_id, c.level, pt)
	  AND (p_point IS NULL OR pt.code = p_point)
	ORDER BY pt.code COLLATE "C", au.code COLLATE "C", s.seat_row, s.seat;
END $$;

-- 0017_own_seats: a school reads where its own participants sit.
--
-- Seating lives in the feed of the exam point's municipality and never goes down to schools
-- (0009): a school's replica holds no seat. Yet the school prints its participants'
-- notifications (karta print notice) and tells them where to go. karta_own_seats gives a
-- device the seats of the participants its own organization owns — point code, name and
-- address, auditorium, row and seat — and nothing of anybody else: no other school's
-- people, no other seat of the point. A municipality or the region holds the seating of
-- its points in its replica already; for them this returns the few participants they own
-- directly, if any.
CREATE OR REPLACE FUNCTION karta_own_seats(p_device bigint, p_exam uuid)
RETURNS TABLE (status text, message text, participant uuid, exam uuid, point text,
	point_name text, point_address text, auditorium text, seat_row int, seat int)
LANGUAGE sql STABLE AS $$
	SELECT 'ok'::text, ''::text, s.participant_id, s.exam_id, pt.code, pt.name, pt.address,
		au.code, s.seat_row::int, s.seat::int
	FROM karta_actor(p_device) a
	JOIN participant p ON p.org_id = a.org_id AND p.deleted_at IS NULL
	JOIN seating s ON s.participant_id = p.id AND s.deleted_at IS NULL
	JOIN exam_point pt ON pt.id = s.point_id
	JOIN auditorium au ON au.id = s.auditorium_id
	WHERE p_exam IS NULL OR s.exam_id = p_exam
	ORDER BY s.participant_id, s.exam_id
$$;

-- `karta exam seating` for any device: a school gets its own participants' seats (0017) in
-- the columns of karta_seating_list, filtered by exam and point; anyone else the planners'
-- list. Read-only: nothing here writes.
CREATE OR REPLACE FUNCTION karta_seating_view(p_device bigint, p_exam uuid, p_point text)
RETURNS TABLE (status text, message text, point text, auditorium text, seat_row int, seat int,
	school text, person text, birth_date text, participant uuid, manual boolean)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM karta_actor(p_device) a WHERE a.level = 'school') THEN
		RETURN QUERY SELECT * FROM karta_seating_list(p_device, p_exam, p_point);
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM exam e WHERE e.id = p_exam AND e.deleted_at IS NULL) THEN
		RETURN QUERY SELECT 'not_found'::text, 'exam_id: no such exam'::text, NULL::text,
			NULL::text, NULL::int, NULL::int, NULL::text, NULL::text, NULL::text, NULL::uuid,
			NULL::boolean;
		RETURN;
	END IF;
	RETURN QUERY
	SELECT 'ok'::text, ''::text, s.point, s.auditorium, s.seat_row, s.seat, o.code,
		concat_ws(' ', p.surname, p.name, nullif(p.patronymic, '')),
		to_char(p.birth_date, 'DD.MM.YYYY'), s.participant, false
	FROM karta_own_seats(p_device, p_exam) s
	JOIN participant p ON p.id = s.participant
	JOIN organization o ON o.id = p.org_id
	WHERE s.status = 'ok' AND (p_point IS NULL OR s.point = p_point)
	ORDER BY s.point COLLATE "C", s.auditorium COLLATE "C", s.seat_row, s.seat;
END $$;
