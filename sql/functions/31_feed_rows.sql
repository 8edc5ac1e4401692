-- 31_feed_rows: the current rows of every feed, as views (snapshots and rebuilds).

-- Current rows by feed, one view per domain: org_id (the feed), entity_type, entity_id,
-- row_version, payload (to_json of the row: the JSON text the pull sends, as change_log keeps
-- it since 0030). karta_snapshot fills a new replica from them and karta_feed_rebuild
-- restarts a feed from them; karta_feed_rows is their union.
CREATE VIEW karta_feed_rows_plans AS
	SELECT p.owner_org_id AS org_id, 'plan'::text AS entity_type, p.id AS entity_id,
		p.row_version, to_json(p) AS payload
	FROM plan p
	UNION ALL
	SELECT p.owner_org_id, 'plan_section', s.id, s.row_version, to_json(s)
	FROM plan_section s JOIN plan p ON p.id = s.plan_id
	UNION ALL
	SELECT p.owner_org_id, 'plan_item', i.id, i.row_version, to_json(i)
	FROM plan_item i JOIN plan p ON p.id = i.plan_id
	UNION ALL
	SELECT p.owner_org_id, 'abbreviation', karta_abbreviation_id(a.plan_id, a.short), NULL,
		to_json(a)
	FROM abbreviation a JOIN plan p ON p.id = a.plan_id
	UNION ALL
	SELECT c.org_id, 'conflict', c.id, c.row_version, to_json(c) FROM conflict c;

CREATE VIEW karta_feed_rows_reports AS
	SELECT s.org_id, 'item_status'::text AS entity_type, s.id AS entity_id, s.row_version,
		to_json(s) AS payload
	FROM item_status s
	UNION ALL
	SELECT r.receiver_org_id, 'report_request', r.id, r.row_version, to_json(r)
	FROM report_request r
	UNION ALL
	SELECT s.org_id, 'report_submission', s.id, s.row_version, to_json(s)
	FROM report_submission s;

CREATE VIEW karta_feed_rows_registries AS
	SELECT x.org_id, 'participant'::text AS entity_type, x.id AS entity_id, x.row_version,
		to_json(x) AS payload
	FROM participant x
	UNION ALL
	SELECT x.org_id, 'exam', x.id, x.row_version, to_json(x) FROM exam x
	UNION ALL
	SELECT x.org_id, 'exam_registration', x.id, x.row_version, to_json(x)
	FROM exam_registration x
	UNION ALL
	SELECT x.org_id, 'exam_point', x.id, x.row_version, to_json(x) FROM exam_point x
	UNION ALL
	SELECT x.org_id, 'auditorium', x.id, x.row_version, to_json(x) FROM auditorium x
	UNION ALL
	SELECT x.org_id, 'staff', x.id, x.row_version, to_json(x) FROM staff x
	UNION ALL
	SELECT x.org_id, 'staff_point', x.id, x.row_version, to_json(x) FROM staff_point x;

CREATE VIEW karta_feed_rows_planning AS
	SELECT x.org_id, 'exam_point_assignment'::text AS entity_type, x.id AS entity_id, x.row_version,
		to_json(x) AS payload FROM exam_point_assignment x
	UNION ALL SELECT x.org_id, 'exam_auditorium', x.id, x.row_version, to_json(x) FROM exam_auditorium x
	UNION ALL SELECT x.org_id, 'distribution', x.id, x.row_version, to_json(x) FROM distribution x
	UNION ALL SELECT x.org_id, 'seating', x.id, x.row_version, to_json(x) FROM seating x
	UNION ALL SELECT x.org_id, 'staff_assignment', x.id, x.row_version, to_json(x) FROM staff_assignment x
	UNION ALL SELECT x.org_id, 'exam_lock', x.id, x.row_version, to_json(x) FROM exam_lock x
	UNION ALL SELECT x.org_id, 'exam_plan_setting', x.id, x.row_version, to_json(x) FROM exam_plan_setting x;

CREATE VIEW karta_feed_rows AS
	SELECT * FROM karta_feed_rows_plans UNION ALL SELECT * FROM karta_feed_rows_reports
	UNION ALL SELECT * FROM karta_feed_rows_registries UNION ALL SELECT * FROM karta_feed_rows_planning;
