#!/usr/bin/env bash
# bench/sync.sh: how fast a replica fills and an outbox drains, against a real kartad +
# PostgreSQL over mutual TLS.
#   1. initial sync of a region-sized replica: 60 municipalities, 1,000 schools (every one a
#      feed), 100 plans × 300 items (+ sections) spread over the region, its municipalities
#      and schools — `karta sync` from an empty state dir as the region (which reads every
#      feed), rows/s; side by side with psql COPY (SELECT …) TO STDOUT on the same machine
#      (unix socket, no TLS, no client-side apply) of the same rows twice: as the current rows
#      (karta_feed_rows, what a snapshot reads, serialized the same way: the floor) and as
#      their change-log versions (what a replay read before sql/0015);
#   2. following the feeds: 30,000 new items written by one statement, pulled back by the
#      caught-up replica, beside COPY of the same change-log rows;
#   3. upload: OPS offline `karta item add` ops queued, then one `karta sync` — ops/s (the
#      time includes pulling the resulting changes back).
# Usage: bench/sync.sh [OPS=10000]. Needs a build in build/. Prints Markdown for
# docs/performance.md.
set -euo pipefail
OPS=${1:-10000}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_sync
kt_start_kartad

echo "generating the region (60 municipalities, 1,000 schools, 100 plans × 300 items)…" >&2
kt_psql "
INSERT INTO organization(code, name, level, parent_id)
SELECT format('m%s', g), format('Муниципалитет %s', g), 'municipality',
	(SELECT id FROM organization WHERE code = 'reg') FROM generate_series(1, 60) g;
INSERT INTO organization(code, name, level, parent_id)
SELECT format('s%s', g), format('Школа %s', g), 'school',
	(SELECT id FROM organization WHERE code = format('m%s', 1 + g % 60))
FROM generate_series(1, 1000) g;
-- plan owners: the region, the 60 municipalities, 39 schools
CREATE TEMP TABLE owners AS
SELECT row_number() OVER (ORDER BY level <> 'region', level <> 'municipality', id) AS n, id, level
FROM organization WHERE code = 'reg' OR code ~ '^m[0-9]' OR code ~ '^s([1-9]|[1-3][0-9])$';
INSERT INTO plan(id, owner_org_id, level, title, academic_year)
SELECT gen_random_uuid(), id, level, format('План %s', n), 2026 FROM owners WHERE n <= 100;
INSERT INTO plan_section(id, plan_id, ordinal, number, title)
SELECT gen_random_uuid(), p.id, s, s::text, format('Раздел %s', s)
FROM plan p, generate_series(1, 3) s;
INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text,
	responsible_text, municipal_action, institutional_action)
SELECT gen_random_uuid(), s.plan_id, s.id, i, format('%s.%s', s.ordinal, i),
	format('Мероприятие %s.%s: подготовка и проведение совещания с ответственными', s.ordinal, i),
	'до 1 декабря', 'УО, руководители ОО', 'Организация работы муниципальной рабочей группы',
	'Участие в мероприятиях, отчёт в УО'
FROM plan_section s, generate_series(1, 100) i;
ANALYZE; -- as autovacuum would have by the time a device joins"
REG_DEV=$(kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")
ROWS_SQL="SELECT c.* FROM change_log c JOIN karta_feed_visible($REG_DEV) v ON v.org_id = c.feed_id
	WHERE v.scope = 'all' OR karta_plan_entity(c.entity_type)"
CUR_SQL="SELECT k.org_id, k.entity_type, k.entity_id, k.row_version, k.payload::text
	FROM karta_feed_rows k JOIN karta_feed_visible($REG_DEV) v ON v.org_id = k.org_id
	WHERE v.scope = 'all' OR karta_plan_entity(k.entity_type)"
ROWS=$(kt_psql "SELECT count(*) FROM ($CUR_SQL) x")
# the client's own account of a pull (KARTA_PULL_TIMING's logfmt line) in words
pull_timing() {
	sed -n 's/.*event=pull_timing pages=\([0-9]*\) ms=\([0-9]*\) wait_ms=\([0-9]*\) apply_ms=\([0-9]*\).*/\1 pages, \2 ms: waiting for pages \3 ms, applying \4 ms/p' "$1"
}
BYTES=$(kt_psql "SELECT sum(length(payload::text)) FROM ($ROWS_SQL) x")
FEEDS=$(kt_psql "SELECT count(*) FROM karta_feed_visible($REG_DEV)")

echo
echo "## initial sync of a region-sized replica ($ROWS rows, $((BYTES / 1048576)) MiB of payload, $FEEDS feeds)"
echo
echo "| run | karta sync ms | rows/s | COPY current rows ms | rows/s | karta / COPY | COPY change-log rows ms | client (KARTA_PULL_TIMING) |"
echo "|---|---|---|---|---|---|---|---|"
for run in 1 2 3; do
	rm -rf "$KT_WORK/reg.state"
	t0=$(date +%s%N)
	KARTA_PULL_TIMING=1 "$KT_KARTA" --config "$KT_WORK/reg.conf" sync >/dev/null 2>"$KT_WORK/fill.err"
	t_sync=$(ms "$t0")
	got=$(sqlite3 "$KT_WORK/reg.state/replica.db" "SELECT count(*) FROM row")
	t0=$(date +%s%N)
	psql -XAtq "$KT_CONNINFO" -c "COPY ($CUR_SQL) TO STDOUT" >/dev/null
	t_copy=$(ms "$t0")
	t0=$(date +%s%N)
	psql -XAtq "$KT_CONNINFO" -c "COPY ($ROWS_SQL) TO STDOUT" >/dev/null
	t_log=$(ms "$t0")
	echo "| $run ($got rows in the replica) | $t_sync | $((ROWS * 1000 / t_sync)) | $t_copy |" \
		"$((ROWS * 1000 / t_copy)) | $(awk "BEGIN { printf \"%.1f\", $t_sync / $t_copy }") | $t_log |" \
		"$(pull_timing "$KT_WORK/fill.err") |"
done

# 2. following the feeds after a bulk write: 30,000 new items in one INSERT … SELECT (the
# per-statement feed), pulled by the region's caught-up replica; the floor is COPY of the
# same change-log rows as a pull serializes them (payload::text)
kt_psql "CREATE TABLE bench_mark AS SELECT feed_id, max(seq) AS seq FROM change_log GROUP BY feed_id"
echo "a bulk write: 30,000 new items in one statement…" >&2
kt_psql "INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text,
	responsible_text, municipal_action, institutional_action)
SELECT gen_random_uuid(), s.plan_id, s.id, 100 + i, format('%s.%s', s.ordinal, 100 + i),
	format('Новое мероприятие %s.%s: контроль готовности пунктов проведения экзаменов', s.ordinal, i),
	'до 1 мая', 'УО, руководители ОО', 'Проверка готовности ППЭ', 'Отчёт в УО'
FROM plan_section s, generate_series(1, 100) i" >/dev/null
NEW_SQL="SELECT c.feed_id, c.seq, c.entity_type, c.entity_id, c.op, c.row_version, c.payload::text
	FROM change_log c JOIN karta_feed_visible($REG_DEV) v ON v.org_id = c.feed_id
	LEFT JOIN bench_mark m ON m.feed_id = c.feed_id
	WHERE c.seq > coalesce(m.seq, 0) AND (v.scope = 'all' OR karta_plan_entity(c.entity_type))"
NEW=$(kt_psql "SELECT count(*) FROM ($NEW_SQL) x")
t0=$(date +%s%N)
KARTA_PULL_TIMING=1 "$KT_KARTA" --config "$KT_WORK/reg.conf" sync >/dev/null 2>"$KT_WORK/follow.err"
t_follow=$(ms "$t0")
t0=$(date +%s%N)
psql -XAtq "$KT_CONNINFO" -c "COPY ($NEW_SQL) TO STDOUT" >/dev/null
t_fcopy=$(ms "$t0")
echo
echo "## following the feeds: $NEW new rows of one bulk write, pulled by the caught-up replica"
echo
echo "| karta sync ms | rows/s | COPY of the same change-log rows ms | karta / COPY | client: $(pull_timing "$KT_WORK/follow.err") |"
echo "|---|---|---|---|---|"
echo "| $t_follow | $((NEW * 1000 / t_follow)) | $t_fcopy |" \
	"$(awk "BEGIN { printf \"%.1f\", $t_follow / ($t_fcopy > 0 ? $t_fcopy : 1) }") | |"

echo "queueing $OPS offline ops…" >&2
read -r PLAN SECTION < <(kt_psql "SELECT p.id, s.id FROM plan p
	JOIN organization o ON o.id = p.owner_org_id JOIN plan_section s ON s.plan_id = p.id
	WHERE o.code = 'reg' AND s.ordinal = 1 LIMIT 1" -F ' ')
# one offline `karta item add` for the record, the rest straight into the outbox (the same
# ItemPut body with fresh ids: tests/tools/kt_outbox_fill.c)
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/reg.conf" >"$KT_WORK/reg-off.conf"
t0=$(date +%s%N)
kt_karta reg-off item add "$PLAN" --section 1 --title "Новое мероприятие 0" --deadline "до 1 мая" \
	>/dev/null 2>&1
t_one=$(ms "$t0")
"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/reg.state" "$PLAN" "$SECTION" "$((OPS - 1))" >/dev/null
queued=$(sqlite3 "$KT_WORK/reg.state/replica.db" "SELECT count(*) FROM outbox")
t0=$(date +%s%N)
"$KT_KARTA" --config "$KT_WORK/reg.conf" sync >"$KT_WORK/upload.out"
t_up=$(ms "$t0")
applied=$(kt_psql "SELECT count(*) FROM op_log WHERE outcome = 'applied'")
# the server's share: first to last Upload reply in kartad's log (the first Upload's own
# time is not in it: a lower bound of the upload, without the pull back)
t_srv=$(grep 'event=upload ' "$KT_LOG" | sed -n 's/^ts=\([^ ]*\) .*/\1/p' |
	python3 -c 'import sys, datetime as d
t = [d.datetime.fromisoformat(x.strip().rstrip("Z")) for x in sys.stdin]
print(int((t[-1] - t[0]).total_seconds() * 1000 * len(t) / max(len(t) - 1, 1)) if len(t) > 1 else 0)')
# the floor: the same rows by one untriggered INSERT … SELECT into a copy of plan_item
kt_psql "CREATE TABLE item_floor (LIKE plan_item INCLUDING DEFAULTS)"
t0=$(date +%s%N)
kt_psql "INSERT INTO item_floor SELECT i.* FROM plan_item i WHERE i.plan_id = '$PLAN'
	AND i.title LIKE 'Новое мероприятие %'" >/dev/null
t_floor=$(ms "$t0")
echo
echo "## upload of $queued queued ops (item add), one karta sync"
echo
echo "| one offline karta item add ms | ops applied | sync ms (upload + pull back) | ops/s | uploads in kartad's log ms (≈) | untriggered INSERT … SELECT of the rows ms | sync / INSERT |"
echo "|---|---|---|---|---|---|---|"
echo "| $t_one | $applied | $t_up | $((queued * 1000 / t_up)) | $t_srv | $t_floor |" \
	"$(awk "BEGIN { printf \"%.0f\", $t_up / ($t_floor > 0 ? $t_floor : 1) }") |"
echo
echo "target: ≥ 20,000 ops/s acknowledged and pulled back; measured $((queued * 1000 / t_up)) ops/s"
grep -E "^(sent|pulled)" "$KT_WORK/upload.out" >&2 || true
kt_stop_kartad
