#!/usr/bin/env bash
# bench/feed_payload.sh: what a change's payload costs to build, to append to the log and to
# read back as text, jsonb beside json (docs/performance.md «The feed's payload as the text it
# is sent as»; sql/0030). The rows: ROWS plan items (bench/feed.sh's), and ROWS participants
# and registrations of a small generated federal package (tests/tools/gds_gen.py) imported end
# to end by `karta registry import --layout giadbset`. Copied into untriggered tables (pb.src_*)
# and measured in one session, each case RUNS times in a rolled-back transaction (bench_db_cpu:
# backend CPU, /proc/PID/schedstat), per 1,000 rows:
#   to_jsonb, to_json        building the payload of each row (count(…) of the rows)
#   INSERT '{}'              the log rows without a payload: the INSERT's own floor
#   INSERT jsonb, from jsonb the log rows as 0029's feed wrote them: to_jsonb, the entity id,
#                            row_version and device read back from it
#   INSERT json, typed       as 0030's: to_json, the fields from the typed row
#   read jsonb::text         the pull's serialization of the stored payloads (jsonb_out)
#   read json::text          the same of json: the stored text as is
# into copies of change_log (its indexes) with a jsonb, a json payload. Independent of the
# build's own change_log: either build measures both. Usage: bench/feed_payload.sh [RUNS=20]
# [ROWS=1000]. Needs a build in build/ (KT_BIN). Prints Markdown.
set -euo pipefail
RUNS=${1:-20}
ROWS=${2:-1000}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_feed_payload
# a region of its own (78), adopted by the test tree's region 'reg', whose device imports
R=$KT_WORK/registries
bench_gds_region78 "$R" 2 5
"$KT_SRC/tests/tools/gds_gen.py" registries "$R" --participants "$ROWS" --points 5 \
	--auditoriums 4 --staff 20 --schedule "$KT_WORK/schedule.csv" >&2
rm "$R"/rbd_{Governments,Schools}.xml
kt_start_kartad
kt_karta reg sync >/dev/null
kt_karta reg exam schedule import "$KT_WORK/schedule.csv" >/dev/null
echo "importing $ROWS participants…" >&2
kt_karta reg registry import --layout giadbset "$R" >/dev/null
kt_stop_kartad

DEV=$(kt_psql "SELECT min(id) FROM device")
kt_psql "
CREATE SCHEMA pb;
CREATE TABLE pb.src_plan_item (LIKE plan_item INCLUDING DEFAULTS);
INSERT INTO pb.src_plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text,
	responsible_text, municipal_action, institutional_action, updated_by)
SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), i, format('1.%s', i),
	format('Мероприятие 1.%s: подготовка и проведение совещания с ответственными', i),
	'до 1 декабря', 'УО, руководители ОО', 'Организация работы муниципальной рабочей группы',
	'Участие в мероприятиях, отчёт в УО', $DEV FROM generate_series(1, $ROWS) i;
CREATE TABLE pb.src_participant AS SELECT * FROM participant ORDER BY id LIMIT $ROWS;
CREATE TABLE pb.src_exam_registration AS SELECT * FROM exam_registration ORDER BY id LIMIT $ROWS;
CREATE TABLE pb.cl_jsonb (LIKE change_log INCLUDING ALL);
ALTER TABLE pb.cl_jsonb ALTER COLUMN payload TYPE jsonb USING payload::jsonb;
CREATE TABLE pb.cl_json (LIKE change_log INCLUDING ALL);
ALTER TABLE pb.cl_json ALTER COLUMN payload TYPE json USING payload::json"
for t in plan_item participant exam_registration; do
	kt_psql "INSERT INTO pb.cl_jsonb(feed_id, seq, entity_type, entity_id, op, row_version, payload)
		SELECT 1, 100000 * length('$t') + row_number() OVER (), '$t', n.id, 'insert', n.row_version,
			to_jsonb(n) FROM pb.src_$t n;
	INSERT INTO pb.cl_json(feed_id, seq, entity_type, entity_id, op, row_version, payload)
		SELECT 1, 100000 * length('$t') + row_number() OVER (), '$t', n.id, 'insert', n.row_version,
			to_json(n) FROM pb.src_$t n"
done
kt_psql "VACUUM ANALYZE pb.src_plan_item, pb.src_participant, pb.src_exam_registration, pb.cl_jsonb,
	pb.cl_json"
# ins TABLE LOG PAYLOAD FIELDS: the INSERT of TABLE's rows into LOG with PAYLOAD (an expression
# of the row n), the entity id, row_version and device read from the jsonb (FIELDS jsonb) or
# from the typed row (typed)
ins() {
	local cols="feed_id, seq, entity_type, entity_id, op, row_version, changed_fields, payload,
		origin_device, origin_op_id"
	if [ "$4" = jsonb ]; then
		echo "INSERT INTO pb.$2($cols) SELECT 2, x.ord, '$1', (x.j->>'id')::uuid, 'insert',
			(x.j->>'row_version')::bigint, NULL, x.j, coalesce((x.j->>'updated_by')::bigint, $DEV), NULL
		FROM (SELECT $3 AS j, row_number() OVER () AS ord FROM pb.src_$1 n) x"
	else
		echo "INSERT INTO pb.$2($cols) SELECT 2, row_number() OVER (), '$1', n.id, 'insert',
			n.row_version, NULL, $3, coalesce(n.updated_by, $DEV), NULL FROM pb.src_$1 n"
	fi
}
per1k() { awk "BEGIN { printf \"%.2f\", $(bench_db_cpu "$RUNS" "$1") * 1000 / $ROWS }"; }
echo
echo "## a change's payload, jsonb and json: backend CPU ms per 1,000 rows ($RUNS runs, load $(cut -d' ' -f1 /proc/loadavg))"
echo
echo "| rows | text bytes (jsonb's / json's) | to_jsonb | to_json | INSERT '{}' | INSERT jsonb, fields from jsonb | INSERT json, typed fields | read jsonb::text | read json::text |"
echo "|---|---|---|---|---|---|---|---|---|"
for t in plan_item participant exam_registration; do
	# the reads first, on the logs as filled (the INSERT cases' rolled-back rows are dead
	# tuples a later scan would step over)
	kt_psql "VACUUM pb.cl_jsonb, pb.cl_json"
	r1=$(per1k "SELECT sum(octet_length(payload::text)) FROM pb.cl_jsonb WHERE entity_type = '$t'")
	r2=$(per1k "SELECT sum(octet_length(payload::text)) FROM pb.cl_json WHERE entity_type = '$t'")
	sz=$(kt_psql "SELECT (SELECT avg(octet_length(payload::text))::int FROM pb.cl_jsonb WHERE entity_type = '$t')
		|| ' / ' || (SELECT avg(octet_length(payload::text))::int FROM pb.cl_json WHERE entity_type = '$t')")
	echo "| $t | $sz | $(per1k "SELECT count(to_jsonb(n)) FROM pb.src_$t n")" \
		"| $(per1k "SELECT count(to_json(n)) FROM pb.src_$t n")" \
		"| $(per1k "$(ins "$t" cl_jsonb "'{}'::jsonb" typed)")" \
		"| $(per1k "$(ins "$t" cl_jsonb "to_jsonb(n)" jsonb)")" \
		"| $(per1k "$(ins "$t" cl_json "to_json(n)" typed)")" \
		"| $r1 | $r2 |"
done
