#!/usr/bin/env bash
# bench/rollup.sh: how fast the regional roll-up is (sql/0007_status_reports.sql).
#   A region with 60 municipalities and 1,000 schools, a 320-item regional plan (20 items for
#   regional bodies only) cascaded to every municipality (320 items, 20 read-only references)
#   and every school (300 items): 318,320 items; statuses for 95 % of the executing pairs
#   (~302,000), a third of them with an earlier version in the history; 20 regional and
#   300 municipal report requests with ~5,700 submissions. All generated with
#   generate_series (triggers off while loading, history written directly), then VACUUM
#   ANALYZE. Then karta_rollup / karta_overdue are timed RUNS times each in one session,
#   and the plans of the main calls are printed (auto_explain: the statement the function
#   executes, with ANALYZE and BUFFERS).
# Usage: bench/rollup.sh [RUNS=5]. Needs only PostgreSQL 15 (deploy/pgcluster.sh); the
# cluster is $KT_PG_DIR (default $KT_BIN/bench-pg), stopped at the end unless it was
# already running. Prints Markdown for docs/reports.md.
set -euo pipefail
RUNS=${1:-5}
KT_SRC=$(cd "$(dirname "$0")/.." && pwd)
KT_BIN=${KT_BIN:-$KT_SRC/build}
KT_PG_DIR=${KT_PG_DIR:-$KT_BIN/bench-pg}
PGC=$KT_SRC/deploy/pgcluster.sh
started=0
if ! "$PGC" status "$KT_PG_DIR"; then
	"$PGC" start "$KT_PG_DIR" >/dev/null
	started=1
fi
cleanup() { [ "$started" = 0 ] || "$PGC" stop "$KT_PG_DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$PGC" createdb "$KT_PG_DIR" bench_rollup >/dev/null
DB=$("$PGC" conninfo "$KT_PG_DIR" bench_rollup)
q() { psql -XAtq -v ON_ERROR_STOP=1 "$DB" "$@"; }

t0=$(date +%s)
for f in "$KT_SRC"/sql/[0-9][0-9][0-9][0-9]_*.sql; do
	q -1 -f "$f" >/dev/null
done

q >/dev/null <<'SQL'
SET session_replication_role = replica; -- no feed or history triggers, no FK checks: bulk load
SELECT setseed(0.42);
INSERT INTO organization(code, name, level) VALUES ('reg', 'Область', 'region');
INSERT INTO organization(code, name, level, parent_id)
SELECT 'mun' || m, 'Муниципалитет ' || m, 'municipality', (SELECT id FROM organization WHERE code = 'reg')
FROM generate_series(1, 60) m;
INSERT INTO organization(code, name, level, parent_id)
SELECT 'sch' || s, 'Школа ' || s, 'school',
	(SELECT id FROM organization WHERE code = 'mun' || (1 + (s - 1) % 60))
FROM generate_series(1, 1000) s;
INSERT INTO feed(org_id) SELECT id FROM organization ON CONFLICT DO NOTHING;
INSERT INTO device(fingerprint, org_id, role)
SELECT encode(sha256(convert_to(code, 'UTF8')), 'hex'), id,
	CASE level WHEN 'region' THEN 'coordinator' ELSE 'operator' END
FROM organization WHERE code IN ('reg', 'mun1', 'sch1');

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
-- Derived items: municipal (items 301-320 as read-only references), then school (1-300).
INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text, deadline,
	deadline_kind, deadline_last, responsible_text, responsible, municipal_action,
	institutional_action, result_text, derived_from, reference_only, created_at)
SELECT md5(p.id::text || i.id::text)::uuid, p.id, md5(p.id::text || ':s' || s.ordinal)::uuid,
	i.ordinal, i.number, i.title, i.deadline_text, i.deadline, i.deadline_kind, i.deadline_last,
	i.responsible_text, i.responsible, i.municipal_action, i.institutional_action, i.result_text,
	i.id, i.municipal_action = '', now() - interval '190 days'
FROM plan p JOIN plan_item i ON i.plan_id = p.parent_plan_id
JOIN plan_section s ON s.id = i.section_id
WHERE p.level = 'municipality';
INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text, deadline,
	deadline_kind, deadline_last, responsible_text, responsible, municipal_action,
	institutional_action, result_text, derived_from, reference_only, created_at)
SELECT md5(p.id::text || i.id::text)::uuid, p.id, md5(p.id::text || ':s' || s.ordinal)::uuid,
	i.ordinal, i.number, i.title, i.deadline_text, i.deadline, i.deadline_kind, i.deadline_last,
	i.responsible_text, i.responsible, i.municipal_action, i.institutional_action, i.result_text,
	i.id, false, now() - interval '180 days'
FROM plan p JOIN plan_item i ON i.plan_id = p.parent_plan_id
JOIN plan_section s ON s.id = i.section_id
WHERE p.level = 'school' AND NOT i.reference_only;

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
SQL
q -c "VACUUM (ANALYZE)" >/dev/null
t1=$(date +%s)

echo "## data (generated in $((t1 - t0)) s)"
echo
echo '```'
q -F ' ' -c "SELECT 'organizations', count(*) FROM organization
	UNION ALL SELECT 'plans', count(*) FROM plan
	UNION ALL SELECT 'plan items', count(*) FROM plan_item
	UNION ALL SELECT 'item statuses', count(*) FROM item_status
	UNION ALL SELECT 'status history rows', count(*) FROM item_status_history
	UNION ALL SELECT 'report requests', count(*) FROM report_request
	UNION ALL SELECT 'report submissions', count(*) FROM report_submission
	UNION ALL SELECT 'report transitions', count(*) FROM report_transition"
q -F ' ' -c "SELECT 'database size', pg_size_pretty(pg_database_size(current_database()))"
echo '```'

REG=$(q -c "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")
MUN=$(q -c "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'mun1'")
SCH=$(q -c "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'sch1'")
PAST=$(q -c "SELECT current_date - 60")
CALLS=(
	"region by municipality, today|SELECT count(*) FROM karta_rollup($REG, current_date, 'municipality')"
	"region by municipality, as of $PAST|SELECT count(*) FROM karta_rollup($REG, '$PAST', 'municipality')"
	"region by item (320 rows)|SELECT count(*) FROM karta_rollup($REG, current_date, 'item')"
	"region by school (1,000 rows)|SELECT count(*) FROM karta_rollup($REG, current_date, 'school')"
	"region drill-down: mun1 by school|SELECT count(*) FROM karta_rollup($REG, current_date, 'school', 'mun1')"
	"municipality mun1 by item|SELECT count(*) FROM karta_rollup($MUN, current_date, 'item')"
	"school sch1 by item|SELECT count(*) FROM karta_rollup($SCH, current_date, 'item')"
	"region overdue list|SELECT count(*) FROM karta_overdue($REG, current_date)"
	"region overdue list, as of $PAST|SELECT count(*) FROM karta_overdue($REG, '$PAST')"
)
echo
echo "## timings ($RUNS runs each, one session, ms)"
echo
echo "| call | rows | min | median | max |"
echo "|---|---|---|---|---|"
for c in "${CALLS[@]}"; do
	name=${c%%|*} sql=${c#*|}
	rows=$(q -c "$sql")
	times=$( { printf '%s\n' '\timing on'; for ((i = 0; i < RUNS; i++)); do echo "$sql;"; done; } |
		psql -XAq "$DB" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n)
	n=$(wc -l <<<"$times")
	echo "| $name | $rows | $(head -n1 <<<"$times") | $(sed -n "$(((n + 1) / 2))p" <<<"$times") | $(tail -n1 <<<"$times") |"
done

explain() { # TITLE SQL: the plan of the statement the function runs
	echo
	echo "## EXPLAIN ANALYZE: $1"
	echo
	echo '```'
	# the log of the executed statement: its text, then its plan (printed from the plan on)
	psql -XAq "$DB" 2>&1 <<-SQL | awk '/Query Text: *$/ { on = 1; next } /duration:/ { on = 0 } on' | sed -n '/^[A-Z]/,$p' | grep -v '^CONTEXT:'
		LOAD 'auto_explain';
		SET auto_explain.log_min_duration = 20;
		SET auto_explain.log_analyze = on;
		SET auto_explain.log_buffers = on;
		SET auto_explain.log_nested_statements = on;
		SET auto_explain.log_timing = on;
		SET client_min_messages = log;
		\o /dev/null
		$2;
	SQL
	echo '```'
}
explain "region by municipality, today" "SELECT count(*) FROM karta_rollup($REG, current_date, 'municipality')"
explain "region by item" "SELECT count(*) FROM karta_rollup($REG, current_date, 'item')"
explain "region drill-down: mun1 by school" "SELECT count(*) FROM karta_rollup($REG, current_date, 'school', 'mun1')"
