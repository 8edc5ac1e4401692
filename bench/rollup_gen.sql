-- bench/rollup_gen.sql: plans, items, statuses and report requests for every organization
-- already registered under the region 'reg' (its municipalities and their schools): a
-- 320-item regional plan (20 items for regional bodies only) derived into every municipal
-- plan (300 own items + 20 read-only references) and every school plan (300 items);
-- statuses for 95 % of the executing pairs (temp table st: one row each, kept for the
-- caller); 20 regional and 5 municipal report requests per municipality, 90 % submitted.
-- With -v history=1 (bench/rollup.sh, bench/dashboard.sh: triggers off) it writes the status
-- history itself; without (the dashboard's test: triggers on) the triggers write it, and the
-- feeds follow.
-- Random with the caller's setseed.
-- Plans: the region's, one per municipality derived from it, one per school from its
-- municipality's (ids as karta_plan_derive makes them).
INSERT INTO plan(id, owner_org_id, level, title, academic_year, status, created_at)
SELECT md5('plan:reg')::uuid, id, 'region', 'Дорожная карта ГИА 2026/2027', 2026, 'approved',
	now() - interval '200 days'
FROM organization WHERE code = 'reg';
INSERT INTO plan(id, owner_org_id, level, parent_plan_id, title, academic_year, status, created_at)
SELECT md5('plan:' || o.code)::uuid, o.id, o.level,
	CASE o.level WHEN 'municipality' THEN md5('plan:reg')::uuid
	     ELSE md5('plan:' || par.code)::uuid END,
	'План ' || o.name, 2026, 'approved', now() - interval '190 days'
FROM organization o JOIN organization par ON par.id = o.parent_id;
INSERT INTO plan_section(id, plan_id, ordinal, number, title)
SELECT md5(p.id::text || ':s' || k)::uuid, p.id, k, k::text, 'Раздел ' || k
FROM plan p, generate_series(1, 10) k;

-- The regional plan: 320 items, 32 per section; deadlines: 45 % dated by a day, 20 % a
-- month, 5 % a list of months (all over the academic year), 15 % continuous, 10 % external,
-- 5 % on demand. Items 301-320 are for regional bodies only.
CREATE TEMP TABLE ritem AS
SELECT k, md5('item:reg:' || k)::uuid AS id,
	CASE WHEN r < 0.45 THEN 'by_date' WHEN r < 0.65 THEN 'month' WHEN r < 0.70 THEN 'list'
	     WHEN r < 0.85 THEN 'continuous' WHEN r < 0.95 THEN 'external' ELSE 'on_demand' END AS kind,
	(current_date - 150 + (random() * 330)::int) AS last
FROM (SELECT k, random() AS r FROM generate_series(1, 320) k) x;
INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text, deadline,
	deadline_kind, deadline_last, responsible_text, responsible, municipal_action,
	institutional_action, result_text, created_at)
SELECT r.id, md5('plan:reg')::uuid, md5(md5('plan:reg')::uuid::text || ':s' || (1 + (r.k - 1) / 32))::uuid,
	1 + (r.k - 1) % 32, (1 + (r.k - 1) / 32) || '.' || (1 + (r.k - 1) % 32),
	'Мероприятие ' || r.k || ': ' || repeat('организация и проведение ', 4),
	CASE WHEN r.kind IN ('by_date', 'month', 'list') THEN 'до ' || to_char(r.last, 'DD.MM.YYYY')
	     ELSE 'в течение года' END,
	jsonb_build_object('kind', r.kind, 'windows', CASE WHEN r.kind IN ('by_date', 'month', 'list')
		THEN jsonb_build_array(jsonb_build_object('from', NULL, 'to', r.last)) ELSE '[]' END,
		'warnings', '[]'),
	r.kind, CASE WHEN r.kind IN ('by_date', 'month', 'list') THEN r.last END,
	CASE WHEN r.k > 300 THEN 'РЦОИ' ELSE 'УО, руководители ОО' END,
	jsonb_build_object('levels', CASE WHEN r.k > 300 THEN '["region_body"]'::jsonb
		ELSE '["municipal_body", "all_schools"]'::jsonb END),
	CASE WHEN r.k > 300 THEN '' ELSE 'Муниципальное действие ' || repeat('м', 80) END,
	CASE WHEN r.k > 300 THEN '' ELSE 'Действие школы ' || repeat('ш', 80) END,
	'Справка', now() - interval '200 days'
FROM ritem r;
-- Derived items: municipal (items 301-320 as read-only references), then school (1-300), one
-- level at a time: a school's items derive from its municipality's, written by the first.
PREPARE derive(text, interval) AS
INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text, deadline,
	deadline_kind, deadline_last, responsible_text, responsible, municipal_action,
	institutional_action, result_text, derived_from, reference_only, created_at)
SELECT md5(p.id::text || i.id::text)::uuid, p.id, md5(p.id::text || ':s' || s.ordinal)::uuid,
	i.ordinal, i.number, i.title, i.deadline_text, i.deadline, i.deadline_kind, i.deadline_last,
	i.responsible_text, i.responsible, i.municipal_action, i.institutional_action, i.result_text,
	i.id, $1 = 'municipality' AND i.municipal_action = '', now() - $2
FROM plan p JOIN plan_item i ON i.plan_id = p.parent_plan_id
JOIN plan_section s ON s.id = i.section_id
WHERE p.level = $1 AND ($1 = 'municipality' OR NOT i.reference_only);
EXECUTE derive('municipality', '190 days');
EXECUTE derive('school', '180 days');
DEALLOCATE derive;

-- Statuses: 95 % of the executing pairs (municipal and school items, not references).
CREATE TEMP TABLE st AS
SELECT i.id AS item_id, p.owner_org_id AS org_id, p.id AS plan_id, random() AS r, random() AS r2,
	now() - make_interval(secs => random() * 170 * 86400) AS at
FROM plan_item i JOIN plan p ON p.id = i.plan_id
WHERE p.level <> 'region' AND NOT i.reference_only AND random() < 0.95;
INSERT INTO item_status(id, item_id, org_id, plan_id, status, comment, evidence, row_version,
	created_at, updated_at)
SELECT karta_item_status_id(item_id, org_id), item_id, org_id, plan_id,
	CASE WHEN r < 0.50 THEN 'done' WHEN r < 0.75 THEN 'in_progress' WHEN r < 0.85 THEN 'not_started'
	     WHEN r < 0.90 THEN 'blocked' ELSE 'not_applicable' END,
	CASE WHEN r < 0.5 THEN 'Выполнено' ELSE '' END,
	CASE WHEN r < 0.5 THEN jsonb_build_object('document', jsonb_build_object('kind', 'приказ',
		'number', (r2 * 1000)::int, 'date', at::date)) ELSE '{}' END,
	CASE WHEN r2 < 0.33 THEN 2 ELSE 1 END, at, at
FROM st;
-- Requests: 20 from the region to every municipality (on regional items), 5 from each
-- municipality to its schools; 90 % submitted, of those 20 % returned once and resubmitted,
-- 60 % accepted.
INSERT INTO report_request(id, series_id, receiver_org_id, item_id, title, due_date,
	submitter_level, created_at)
SELECT md5('req:reg:' || k)::uuid, md5('req:reg:' || (1 + (k - 1) / 4 * 4))::uuid, o.id,
	md5('item:reg:' || (k * 7))::uuid, 'Отчёт ' || k, current_date - 120 + k * 10, 'municipality',
	now() - interval '150 days'
FROM organization o, generate_series(1, 20) k WHERE o.code = 'reg';
INSERT INTO report_request(id, series_id, receiver_org_id, item_id, title, due_date,
	submitter_level, created_at)
SELECT md5('req:' || o.code || ':' || k)::uuid, md5('req:' || o.code || ':' || k)::uuid, o.id,
	md5(md5('plan:' || o.code)::uuid::text || md5('item:reg:' || (k * 11))::uuid::text)::uuid,
	'Сведения ' || k, current_date - 100 + k * 30, 'school', now() - interval '150 days'
FROM organization o, generate_series(1, 5) k WHERE o.level = 'municipality';
CREATE TEMP TABLE sb AS
SELECT md5('sub:' || r.id || ':' || o.id)::uuid AS id, r.id AS request_id, o.id AS org_id,
	coalesce(r.due_date, r.period_to) AS due, random() AS r1, random() AS r2
FROM report_request r JOIN organization o ON o.parent_id = r.receiver_org_id
WHERE random() < 0.9;
INSERT INTO report_submission(id, request_id, org_id, state, return_reason, submitted_at,
	decided_at, created_at, updated_at)
SELECT id, request_id, org_id,
	CASE WHEN r2 < 0.6 THEN 'accepted' WHEN r1 < 0.2 THEN 'resubmitted' ELSE 'submitted' END,
	CASE WHEN r1 < 0.2 THEN 'неполные сведения' END, due::timestamptz - interval '1 day',
	CASE WHEN r2 < 0.6 THEN due::timestamptz END, due::timestamptz - interval '5 days',
	due::timestamptz
FROM sb;
INSERT INTO report_transition(submission_id, from_state, to_state, at)
SELECT id, NULL, 'draft', due::timestamptz - interval '5 days' FROM sb
UNION ALL SELECT id, 'draft', 'submitted', due::timestamptz - interval '4 days' FROM sb
UNION ALL SELECT id, 'submitted', 'returned', due::timestamptz - interval '3 days' FROM sb WHERE r1 < 0.2
UNION ALL SELECT id, 'returned', 'resubmitted', due::timestamptz - interval '1 day' FROM sb WHERE r1 < 0.2
UNION ALL SELECT id, CASE WHEN r1 < 0.2 THEN 'resubmitted' ELSE 'submitted' END, 'accepted',
	due::timestamptz FROM sb WHERE r2 < 0.6;

\if :{?history}
-- History: the current version, and for a third an earlier in_progress one.
INSERT INTO item_status_history(status_id, item_id, org_id, row_version, status, comment,
	evidence, valid_from, valid_to)
SELECT karta_item_status_id(item_id, org_id), item_id, org_id, 1, 'in_progress', '', '{}',
	at - interval '20 days', at
FROM st WHERE r2 < 0.33;
INSERT INTO item_status_history(status_id, item_id, org_id, row_version, status, comment,
	evidence, valid_from, valid_to)
SELECT s.id, s.item_id, s.org_id, s.row_version, s.status, s.comment, s.evidence, s.updated_at, NULL
FROM item_status s;
\endif
