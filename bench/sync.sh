#!/usr/bin/env bash
# bench/sync.sh: how fast a replica fills and an outbox drains, against a real kartad +
# PostgreSQL over mutual TLS.
#   1. initial sync of a region-sized replica: 60 municipalities, 1,000 schools (every one a
#      feed), 100 plans × 300 items (+ sections) spread over the region, its municipalities
#      and schools — `karta sync` from an empty state dir as the region (which reads every
#      feed), rows/s; side by side with psql COPY (SELECT …) TO STDOUT on the same machine
#      (unix socket, no TLS, no client-side apply) of the same rows twice: as the current rows
#      (karta_feed_rows, what a snapshot reads, serialized the same way: the floor) and as
#      their change-log versions (what a replay read before sql/0015); then the CPU of every
#      process of one sync (client, kartad, kartad's backends) beside the CPU of the floor's
#      COPY (psql and its backend);
#   2. following the feeds: PULL_NEW (30,000) new items written by one statement, pulled back
#      by the caught-up replica, beside COPY of the same change-log rows, with the same CPU
#      accounts;
#   3. upload, UP_RUNS times: OPS offline `karta item add` ops queued, then one `karta sync` —
#      ops/s until the last Upload is acknowledged (kartad's log) and until they are pulled
#      back, beside an untriggered INSERT … SELECT of the same rows (the floor), with the CPU
#      time of kartad's database backends, kartad and the client during the sync;
#   4. one 500-op Upload inside the database, whole and without each trigger, beside its floor
#      (SYNC_DB_RUNS=0 skips it).
# Usage: bench/sync.sh [OPS=10000] [UP_RUNS=3]; SYNC_FILL_RUNS=0 skips part 1's runs;
# SYNC_SEQ_BEFORE=FILE adds an earlier karta_upload_seq to part 4 (bench/upload_seq_before.sql);
# SYNC_UP_PARALLEL="1 2" restarts kartad before each run of part 3 with --upload-parallel taken
# from the list in turn (1, 2, 1, 2, …: server/handlers/h_upload.c, [upload] parallel), and
# warms its backends with a sync of 2,000 ops before the run;
# SYNC_FUNCS_BASE=DIR switches the upload's functions between DIR's (odd runs of part 3) and
# this tree's (even runs), each warmed by a 2,000-op sync;
# SYNC_WAITS=1 samples what kartad's active backends wait on (their wait_event every 10 ms)
# during each sync of part 3 and prints the counts under the table;
# PULL_NEW=N (a multiple of 300) sizes part 2; KARTA_BASE=PATH (the karta binary of another
# build, e.g. main's) runs every fill of part 1 and the pull back of part 2 with it too, on a
# replica of its own, alternately with this build's — the client's CPU before and after in
# one run, against the same kartad. Needs a build in build/. Prints Markdown for
# docs/performance.md.
set -euo pipefail
OPS=${1:-10000}
UP_RUNS=${2:-3}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_sync
kt_start_kartad

bench_sync_region
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
# CPU accounts (ms of user + system time): cpu PID; backends: kartad's database backends
cpu() { awk '{print ($14 + $15) * 10}' "/proc/$1/stat" 2>/dev/null || echo 0; }
backends_cpu() {
	local t=0 p
	for p in $(kt_psql "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
		AND application_name = 'kartad'"); do t=$((t + $(cpu "$p"))); done
	echo "$t"
}
# copy_cpu SQL: the CPU of COPY (SQL) TO STDOUT — psql's and its backend's
copy_cpu() {
	printf '%s\n' 'SELECT pg_backend_pid() AS pid \gset' '\setenv PGPID :pid' \
		"\\! awk '{print (\$14 + \$15) * 10}' /proc/\$PGPID/stat >$KT_WORK/copy.b0" \
		"COPY ($1) TO STDOUT;" \
		"\\! awk '{print (\$14 + \$15) * 10}' /proc/\$PGPID/stat >$KT_WORK/copy.b1" >"$KT_WORK/copy.sql"
	/usr/bin/time -f "%U %S" -o "$KT_WORK/copy.time" psql -XAtq "$KT_CONNINFO" -f "$KT_WORK/copy.sql" >/dev/null
	echo $(($(cat "$KT_WORK/copy.b1") - $(cat "$KT_WORK/copy.b0") +
		$(awk '{printf "%d", ($1 + $2) * 1000}' "$KT_WORK/copy.time")))
}
# the builds compared (KARTA_BASE): "this", or "base this"; build B's karta, config, replica
BUILDS=this
[ -z "${KARTA_BASE:-}" ] || BUILDS="base this"
karta_of() { if [ "$1" = base ]; then echo "$KARTA_BASE"; else echo "$KT_KARTA"; fi; }
conf_of() { if [ "$1" = base ]; then echo "$KT_WORK/reg-base.conf"; else echo "$KT_WORK/reg.conf"; fi; }
state_of() { sed -n 's/^state_dir = //p' "$(conf_of "$1")"; }
sed "s#^state_dir = .*#state_dir = $KT_WORK/reg-base.state#" "$KT_WORK/reg.conf" >"$KT_WORK/reg-base.conf"
# page_kib B: the page size of build B's replica, KiB
page_kib() { echo $(($(sqlite3 "$(state_of "$1")/replica.db" "PRAGMA page_size") / 1024)); }
# sync_cpu NAME BUILD ARGS…: BUILD's karta ARGS as the region, KARTA_PULL_TIMING on (stderr in
# NAME.err); prints "wall_ms client_ms kartad_ms backends_ms"
sync_cpu() {
	local name=$1 build=$2 t0 b0 k0
	shift 2
	b0=$(backends_cpu)
	k0=$(cpu "$KT_KARTAD_PID")
	t0=$(date +%s%N)
	KARTA_PULL_TIMING=1 /usr/bin/time -f "%U %S" -o "$KT_WORK/$name.time" "$(karta_of "$build")" \
		--config "$(conf_of "$build")" "$@" >/dev/null 2>"$KT_WORK/$name.err"
	echo "$(ms "$t0") $(awk '{printf "%d", ($1 + $2) * 1000}' "$KT_WORK/$name.time")" \
		"$(($(cpu "$KT_KARTAD_PID") - k0)) $(($(backends_cpu) - b0))"
}
ratio() { awk "BEGIN { printf \"%.1f\", $1 / ($2 > 0 ? $2 : 1) }"; }
FEEDS=$(kt_psql "SELECT count(*) FROM karta_feed_visible($REG_DEV)")
declare -A follow

echo
echo "## initial sync of a region-sized replica ($ROWS rows, $((BYTES / 1048576)) MiB of payload, $FEEDS feeds)"
echo
echo "| run (load; build, replica pages) | karta sync ms | rows/s | COPY current rows ms | karta / COPY | COPY change-log rows ms | CPU ms: client + kartad + backends | COPY current rows: CPU ms | CPU ratio | client (KARTA_PULL_TIMING) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for run in $(seq "${SYNC_FILL_RUNS:-3}"); do
for build in $BUILDS; do
	rm -rf "$(state_of "$build")"
	load=$(cut -d' ' -f1 /proc/loadavg)
	read -r t_sync c_cl c_kd c_be < <(sync_cpu fill "$build" sync)
	got=$(sqlite3 "$(state_of "$build")/replica.db" "SELECT count(*) FROM row")
	t0=$(date +%s%N)
	psql -XAtq "$KT_CONNINFO" -c "COPY ($CUR_SQL) TO STDOUT" >/dev/null
	t_copy=$(ms "$t0")
	t0=$(date +%s%N)
	psql -XAtq "$KT_CONNINFO" -c "COPY ($ROWS_SQL) TO STDOUT" >/dev/null
	t_log=$(ms "$t0")
	c_copy=$(copy_cpu "$CUR_SQL")
	echo "| $run ($load; $build, $(page_kib "$build") KiB; $got rows in the replica) | $t_sync |" \
		"$((ROWS * 1000 / t_sync)) | $t_copy | $(ratio "$t_sync" "$t_copy") | $t_log |" \
		"$c_cl + $c_kd + $c_be = $((c_cl + c_kd + c_be)) | $c_copy |" \
		"$(ratio $((c_cl + c_kd + c_be)) "$c_copy") | $(pull_timing "$KT_WORK/fill.err") |"
done
done

# kartad's pages read ahead (h_sync.c): Pulls answered from them, and read but not asked for
ahead() {
	curl -sS --max-time 10 "http://127.0.0.1:$KT_METRICS_PORT/metrics" | awk -v r="$1" \
		'$1 == "karta_pull_read_ahead_total{result=\"" r "\"}" { n = $2 } END { print n + 0 }'
}
echo
echo "kartad's pages read ahead so far: $(ahead used) Pulls answered from them, $(ahead dropped) dropped unasked"

# 2. following the feeds after a bulk write: PULL_NEW new items in one INSERT … SELECT (the
# per-statement feed), pulled by the region's caught-up replica; the floor is COPY of the
# same change-log rows as a pull serializes them (payload::text)
PULL_NEW=${PULL_NEW:-30000}
for build in $BUILDS; do # each build's replica caught up before the write
	[ -f "$(state_of "$build")/replica.db" ] ||
		"$(karta_of "$build")" --config "$(conf_of "$build")" sync >/dev/null
done
kt_psql "CREATE TABLE bench_mark AS SELECT feed_id, max(seq) AS seq FROM change_log GROUP BY feed_id"
echo "a bulk write: $PULL_NEW new items in one statement…" >&2
kt_psql "INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text,
	responsible_text, municipal_action, institutional_action)
SELECT gen_random_uuid(), s.plan_id, s.id, 100 + i, format('%s.%s', s.ordinal, 100 + i),
	format('Новое мероприятие %s.%s: контроль готовности пунктов проведения экзаменов', s.ordinal, i),
	'до 1 мая', 'УО, руководители ОО', 'Проверка готовности ППЭ', 'Отчёт в УО'
FROM plan_section s, generate_series(1, $((PULL_NEW / 300))) i" >/dev/null
kt_psql "ANALYZE change_log" >/dev/null # as autovacuum would after such a write
NEW_SQL="SELECT c.feed_id, c.seq, c.entity_type, c.entity_id, c.op, c.row_version, c.payload::text
	FROM change_log c JOIN karta_feed_visible($REG_DEV) v ON v.org_id = c.feed_id
	LEFT JOIN bench_mark m ON m.feed_id = c.feed_id
	WHERE c.seq > coalesce(m.seq, 0) AND (v.scope = 'all' OR karta_plan_entity(c.entity_type))"
NEW=$(kt_psql "SELECT count(*) FROM ($NEW_SQL) x")
load=$(cut -d' ' -f1 /proc/loadavg)
for build in $BUILDS; do
	read -r t_follow c_cl c_kd c_be < <(sync_cpu "follow-$build" "$build" sync)
	follow[$build]="$t_follow $c_cl $c_kd $c_be"
done
t0=$(date +%s%N)
psql -XAtq "$KT_CONNINFO" -c "COPY ($NEW_SQL) TO STDOUT" >/dev/null
t_fcopy=$(ms "$t0")
c_copy=$(copy_cpu "$NEW_SQL")
echo
echo "## following the feeds: $NEW new rows of one bulk write, pulled by the caught-up replica (load $load)"
echo
echo "| build, replica pages | karta sync ms | rows/s | COPY of the same change-log rows ms | karta / COPY | CPU ms: client + kartad + backends | COPY: CPU ms | CPU ratio | client |"
echo "|---|---|---|---|---|---|---|---|---|"
for build in $BUILDS; do
	read -r t_follow c_cl c_kd c_be <<<"${follow[$build]}"
	echo "| $build, $(page_kib "$build") KiB | $t_follow | $((NEW * 1000 / t_follow)) | $t_fcopy |" \
		"$(ratio "$t_follow" "$t_fcopy") | $c_cl + $c_kd + $c_be = $((c_cl + c_kd + c_be)) | $c_copy |" \
		"$(ratio $((c_cl + c_kd + c_be)) "$c_copy") | $(pull_timing "$KT_WORK/follow-$build.err") |"
done
echo
echo "kartad's pages read ahead so far: $(ahead used) Pulls answered from them, $(ahead dropped) dropped unasked"

read -r PLAN SECTION < <(kt_psql "SELECT p.id, s.id FROM plan p
	JOIN organization o ON o.id = p.owner_org_id JOIN plan_section s ON s.plan_id = p.id
	WHERE o.code = 'reg' AND s.ordinal = 1 LIMIT 1" -F ' ')
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/reg.conf" >"$KT_WORK/reg-off.conf"
[ -f "$KT_WORK/reg.state/replica.db" ] || "$KT_KARTA" --config "$KT_WORK/reg.conf" sync >/dev/null
# the floor: the same rows by one untriggered INSERT … SELECT into a copy of plan_item
kt_psql "CREATE TABLE item_floor (LIKE plan_item INCLUDING DEFAULTS)"
iso_ms() { python3 -c 'import sys, datetime as d
print(int(d.datetime.fromisoformat(sys.argv[1].rstrip("Z")).replace(tzinfo=d.timezone.utc).timestamp() * 1000))' "$1"; }

echo
echo "## upload of $OPS queued ops (item add), one karta sync, $UP_RUNS runs"
echo
echo "| run | load | acknowledged ms | ops/s | + pulled back ms | ops/s | untriggered INSERT … SELECT ms | ack / INSERT | CPU ms: kartad's backends | kartad | karta |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
# wait_sampler FILE: the wait_event of kartad's active backends every 10 ms, one
# NOTICE line each ("pid|type|event|query head"), into FILE until wait_sampler_stop
wait_sampler() {
	kt_bg psql -XAtq "$KT_CONNINFO application_name=bench_waits" -c "DO \$\$
	DECLARE r record;
	BEGIN
		LOOP
			PERFORM pg_stat_clear_snapshot();
			FOR r IN SELECT pid, coalesce(wait_event_type, 'CPU') AS t, coalesce(wait_event, '-') AS e
				FROM pg_stat_activity WHERE datname = current_database()
				AND application_name = 'kartad' AND state = 'active'
				AND query LIKE '%karta_upload%' LOOP
				RAISE NOTICE 'w|%|%|%', r.pid, r.t, r.e;
			END LOOP;
			RAISE NOTICE 't|';
			PERFORM pg_sleep(0.01);
		END LOOP;
	END \$\$" 2>"$1"
	SAMPLER=$KT_BG_PID
}
wait_sampler_stop() {
	kt_psql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'bench_waits'" >/dev/null
	kt_bg_kill "$SAMPLER" 2>/dev/null || true
}
# waits_summary FILE: "N samples of active Uploads: type/event count, …; 2 at once: M"
waits_summary() {
	awk -F'|' '/w\|/ { n++; c++; k[$3 "/" $4]++ } /t\|/ { if (c >= 2) two++; if (c) busy++; c = 0 } END {
		printf "%d samples of a backend applying an Upload:", n
		for (x in k) printf " %s %d (%.0f%%)", x, k[x], 100 * k[x] / (n ? n : 1)
		printf "; ticks with an Upload applied %d, with two at once %d\n", busy, two }' "$1"
}
PARS=(${SYNC_UP_PARALLEL:-})
# SYNC_FUNCS_BASE=DIR: another version of sql/functions/ (e.g. main's) whose upload functions
# (bench_funcs) replace this tree's before the odd runs of part 3, this tree's put back before
# the even ones — kartad checks the functions only when it starts, so not with SYNC_UP_PARALLEL
if [ -n "${SYNC_FUNCS_BASE:-}" ]; then
	[ -z "${SYNC_UP_PARALLEL:-}" ] || { echo "SYNC_FUNCS_BASE and SYNC_UP_PARALLEL exclude each other" >&2; exit 1; }
	bench_funcs "$SYNC_FUNCS_BASE" >"$KT_WORK/funcs-base.sql"
	bench_funcs "$KT_SRC/sql/functions" >"$KT_WORK/funcs-this.sql"
fi
declare -a WAITS
for run in $(seq "$UP_RUNS"); do
	par='' fn=''
	if [ ${#PARS[@]} -gt 0 ]; then
		par=${PARS[$(((run - 1) % ${#PARS[@]}))]}
		kt_stop_kartad
		kt_start_kartad --upload-parallel "$par"
		for _ in $(seq 100); do # the pool's connections up before their pids are read
			[ "$(kt_psql "SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = 'kartad'")" -ge 4 ] && break
			sleep 0.1
		done
		# fresh backends compile the upload's functions and plans on their first call (≈ 0.1 s
		# of CPU each): a sync of 2,000 ops first, so that each mode's run meets warm ones
		"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/reg.state" "$PLAN" "$SECTION" 2000 >/dev/null
		"$KT_KARTA" --config "$KT_WORK/reg.conf" sync >/dev/null
	fi
	if [ -n "${SYNC_FUNCS_BASE:-}" ]; then # base on odd runs, this tree's on even ones
		fn=this
		[ $((run % 2)) = 0 ] || fn=base
		kt_psql "$(cat "$KT_WORK/funcs-$fn.sql")" >/dev/null
		# the backends compile the switched functions on their next call: a warming sync first
		"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/reg.state" "$PLAN" "$SECTION" 2000 >/dev/null
		"$KT_KARTA" --config "$KT_WORK/reg.conf" sync >/dev/null
	fi
	echo "queueing $OPS offline ops…" >&2
	# one offline `karta item add` for the record, the rest straight into the outbox (the same
	# ItemPut body with fresh ids: tests/tools/kt_outbox_fill.c)
	kt_karta reg-off item add "$PLAN" --section 1 --title "Новое мероприятие 0" --deadline "до 1 мая" \
		>/dev/null 2>&1
	"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/reg.state" "$PLAN" "$SECTION" "$((OPS - 1))" >/dev/null
	queued=$(sqlite3 "$KT_WORK/reg.state/replica.db" "SELECT count(*) FROM outbox")
	applied0=$(kt_psql "SELECT count(*) FROM op_log WHERE outcome = 'applied'")
	lines0=$(wc -l <"$KT_LOG")
	backends=$(kt_psql "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'kartad'")
	b0=0
	for p in $backends; do b0=$((b0 + $(cpu "$p"))); done
	k0=$(cpu "$KT_KARTAD_PID")
	load=$(cut -d' ' -f1 /proc/loadavg)
	[ "${SYNC_WAITS:-0}" = 0 ] || wait_sampler "$KT_WORK/waits-$run.txt"
	t0=$(date +%s%N)
	/usr/bin/time -f "%U %S" -o "$KT_WORK/time.out" "$KT_KARTA" --config "$KT_WORK/reg.conf" sync \
		>"$KT_WORK/upload.out"
	t_up=$(ms "$t0")
	[ "${SYNC_WAITS:-0}" = 0 ] || { wait_sampler_stop; WAITS[run]=$(waits_summary "$KT_WORK/waits-$run.txt"); }
	b1=0
	for p in $backends; do b1=$((b1 + $(cpu "$p"))); done
	k1=$(cpu "$KT_KARTAD_PID")
	c_cpu=$(awk '{printf "%d", ($1 + $2) * 1000}' "$KT_WORK/time.out")
	applied=$(($(kt_psql "SELECT count(*) FROM op_log WHERE outcome = 'applied'") - applied0))
	[ "$applied" = "$queued" ] || { echo "only $applied of $queued ops applied" >&2; exit 1; }
	# acknowledged: from the start of the sync to kartad's last Upload answer (its log)
	last=$(tail -n +"$((lines0 + 1))" "$KT_LOG" | grep 'event=upload ' | tail -n 1 |
		sed -n 's/^ts=\([^ ]*\) .*/\1/p')
	t_ack=$(($(iso_ms "$last") - t0 / 1000000))
	kt_psql "TRUNCATE item_floor"
	t0=$(date +%s%N)
	kt_psql "INSERT INTO item_floor SELECT i.* FROM plan_item i WHERE i.plan_id = '$PLAN'
		AND i.title LIKE 'Новое мероприятие %' AND i.created_at > now() - interval '10 minutes'
		ORDER BY i.created_at DESC LIMIT $queued" >/dev/null
	t_floor=$(ms "$t0")
	echo "| $run${par:+ (parallel=$par)}${fn:+ ($fn functions)} | $load | $t_ack | $((queued * 1000 / t_ack)) | $t_up | $((queued * 1000 / t_up)) |" \
		"$t_floor | $(awk "BEGIN { printf \"%.0f\", $t_ack / ($t_floor > 0 ? $t_floor : 1) }") |" \
		"$((b1 - b0)) | $((k1 - k0)) | $c_cpu |"
	grep -E "^(sent|pulled)" "$KT_WORK/upload.out" >&2 || true
done
[ -z "${SYNC_FUNCS_BASE:-}" ] || kt_psql "$(cat "$KT_WORK/funcs-this.sql")" >/dev/null
echo
for run in "${!WAITS[@]}"; do echo "- run $run: ${WAITS[run]}"; done
echo
echo "target: ≥ 20,000 ops/s acknowledged (and the pull back at the pull rate)"

# 4. where an Upload's database time goes: one 500-op batch of item adds as kartad sends it
# (the last run's items, fresh ids), karta_upload'ed and rolled back DB_RUNS times in one
# session — the CPU of that backend per run, whole and with triggers switched off for the
# runs — beside the floor, the same rows from the same JSON by one INSERT … SELECT into a
# copy of plan_item with its indexes and no trigger.
DB_RUNS=${SYNC_DB_RUNS:-20}
if [ "$DB_RUNS" -gt 0 ]; then
	kt_psql "CREATE TABLE item_floor_ix (LIKE plan_item INCLUDING ALL);
	CREATE TABLE bench_batch AS SELECT jsonb_agg($(bench_item_op i) ORDER BY i.ordinal)::text AS t
	FROM (SELECT * FROM plan_item WHERE plan_id = '$PLAN' AND title LIKE 'Новое мероприятие %'
	      ORDER BY created_at DESC LIMIT 500) i"
	kt_psql "VACUUM ANALYZE plan_item, item_history, change_log, op_log, item_rollup"
	up_sql="SELECT count(*) FROM karta_upload($REG_DEV, (SELECT t FROM bench_batch)::jsonb)"
	floor_sql="INSERT INTO item_floor_ix(id, plan_id, section_id, ordinal, number, parent_item_id,
		title, deadline_text, deadline, deadline_kind, deadline_last, responsible_text, responsible,
		municipal_action, institutional_action, result_text, target_text, targets, updated_by)
	SELECT (it->>'id')::uuid, (it->>'plan_id')::uuid, (it->>'section_id')::uuid,
		(it->>'ordinal')::int, it->>'number', nullif(it->>'parent_item_id', '')::uuid, it->>'title',
		it->>'deadline_text', it->'deadline', it->>'deadline_kind', (it->>'deadline_last')::date,
		it->>'responsible_text', it->'responsible', it->>'municipal_action',
		it->>'institutional_action', it->>'result_text', it->>'target_text', it->'targets', $REG_DEV
	FROM (SELECT e->'a'->'item' AS it FROM jsonb_array_elements((SELECT t FROM bench_batch)::jsonb) e) x"
	# the feed append's floor: the same change_log rows (to_jsonb of each new row, to_json
	# where the payload is json — sql/0030 —, numbered in the rows' order after the feed's
	# last seq) by one INSERT … SELECT, no counter taken, no op map, no notification — a
	# trigger of the bench's own, off but in the one row below
	pj=$(kt_psql "SELECT CASE WHEN data_type = 'json' THEN 'to_json' ELSE 'to_jsonb' END
		FROM information_schema.columns WHERE table_schema = current_schema()
		AND table_name = 'change_log' AND column_name = 'payload'")
	kt_psql "CREATE SCHEMA IF NOT EXISTS bench_feed;
	CREATE OR REPLACE FUNCTION bench_feed.floor() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN
		INSERT INTO change_log(feed_id, seq, entity_type, entity_id, op, row_version,
			changed_fields, payload, origin_device, origin_op_id)
		SELECT f.org_id, f.last_seq + row_number() OVER (), 'plan_item', n.id, 'insert',
			n.row_version, NULL, $pj(n), n.updated_by, NULL
		FROM new_rows n, feed f
		WHERE f.org_id = (SELECT p.owner_org_id FROM plan p WHERE p.id = '$PLAN');
		RETURN NULL;
	END \$\$;
	CREATE TRIGGER bench_feed_floor AFTER INSERT ON plan_item REFERENCING NEW TABLE AS new_rows
		FOR EACH STATEMENT EXECUTE FUNCTION bench_feed.floor();
	ALTER TABLE plan_item DISABLE TRIGGER bench_feed_floor"
	RESTORE=$(bench_triggers_sql plan_item item_history op_log)
	# db_cpu LABEL SQL [SETUP]: a table row, CPU ms a run of SQL (bench_db_cpu: the backend's
	# time on a CPU from /proc/PID/schedstat; SETUP, the triggers switched off, for the runs, not
	# inside each — a switch in the run would re-plan every statement on these tables every
	# time, which a kartad session does not)
	db_cpu() {
		# the dead index entries of the rolled-back runs before would slow this one
		kt_psql "VACUUM plan_item, item_history, change_log, op_log, item_rollup, item_floor_ix"
		printf '| %s | %.1f |\n' "$1" "$(bench_db_cpu "$DB_RUNS" "$2" "${3:-}" "$RESTORE")"
	}
	# floor_rows: part 4's rows of the guarantee floor (above where it is called)
	floor_rows() {
		local ids="SELECT (e->'a'->'item'->>'id')::uuid FROM jsonb_array_elements((SELECT t FROM bench_batch)::jsonb) e"
		local opids="SELECT (e->>'op_id')::uuid FROM jsonb_array_elements((SELECT t FROM bench_batch)::jsonb) e"
		local t
		kt_psql "SET client_min_messages = warning; DROP SCHEMA IF EXISTS bench_fl CASCADE;
		DROP SCHEMA IF EXISTS bench_fl_src CASCADE; CREATE SCHEMA bench_fl; CREATE SCHEMA bench_fl_src"
		for t in plan_item item_history op_log change_log item_rollup rollup_count feed; do
			kt_psql "CREATE TABLE bench_fl.$t (LIKE $t INCLUDING ALL);
			CREATE TABLE bench_fl_src.$t (LIKE $t)" >/dev/null
		done
		# the rows one Upload of the batch writes (\copy through files: the Upload is rolled back)
		{
			echo "BEGIN;"
			echo "SELECT count(*) FROM karta_upload_seq($REG_DEV, (SELECT t FROM bench_batch_seq));"
			echo "\\copy (SELECT * FROM plan_item WHERE id IN ($ids)) TO '$KT_WORK/fl.plan_item'"
			echo "\\copy (SELECT * FROM item_history WHERE item_id IN ($ids)) TO '$KT_WORK/fl.item_history'"
			echo "\\copy (SELECT * FROM op_log WHERE device_id = $REG_DEV AND op_id IN ($opids)) TO '$KT_WORK/fl.op_log'"
			echo "\\copy (SELECT * FROM change_log WHERE entity_id IN ($ids)) TO '$KT_WORK/fl.change_log'"
			echo "\\copy (SELECT * FROM item_rollup WHERE item_id IN ($ids)) TO '$KT_WORK/fl.item_rollup'"
			echo "ROLLBACK;"
			for t in plan_item item_history op_log change_log item_rollup; do
				echo "\\copy bench_fl_src.$t FROM '$KT_WORK/fl.$t'"
			done
		} | psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" >/dev/null
		kt_psql "INSERT INTO bench_fl.plan_item SELECT * FROM plan_item;
		INSERT INTO bench_fl.item_history OVERRIDING SYSTEM VALUE SELECT * FROM item_history;
		INSERT INTO bench_fl.op_log SELECT * FROM op_log;
		INSERT INTO bench_fl.change_log SELECT * FROM change_log;
		INSERT INTO bench_fl.item_rollup SELECT * FROM item_rollup;
		INSERT INTO bench_fl.rollup_count SELECT * FROM rollup_count;
		INSERT INTO bench_fl.feed SELECT * FROM feed;
		SELECT setval(pg_get_serial_sequence('bench_fl.item_history', 'id'), (SELECT max(id) FROM item_history))" >/dev/null
		kt_psql "VACUUM ANALYZE bench_fl.plan_item, bench_fl.item_history, bench_fl.op_log, bench_fl.change_log,
			bench_fl.item_rollup, bench_fl.rollup_count, bench_fl.feed, bench_fl_src.plan_item,
			bench_fl_src.item_history, bench_fl_src.op_log, bench_fl_src.change_log, bench_fl_src.item_rollup" >/dev/null
		local n feed
		n=$(kt_psql "SELECT concat_ws(':', (SELECT count(*) FROM bench_fl_src.plan_item),
			(SELECT count(*) FROM bench_fl_src.item_history), (SELECT count(*) FROM bench_fl_src.op_log),
			(SELECT count(*) FROM bench_fl_src.change_log), (SELECT count(*) FROM bench_fl_src.item_rollup))")
		[ "$n" = 500:500:500:500:500 ] || { echo "the floor's rows: $n (plan_item:item_history:op_log:change_log:item_rollup), not 500 each" >&2; exit 1; }
		feed=$(kt_psql "SELECT DISTINCT feed_id FROM bench_fl_src.change_log")
		# plan_item's rows from kartad's text, each op parsed by itself as karta_upload_seq does
		local f_item="${floor_sql/INSERT INTO item_floor_ix/INSERT INTO bench_fl.plan_item}"
		local from_text="(SELECT x.t::jsonb->'a'->'item' AS it FROM unnest(string_to_array((SELECT t
			FROM bench_batch_seq), chr(30))) x(t) WHERE x.t <> '' OFFSET 0) x"
		# (OFFSET 0: each op parsed, and its item taken out, once — flattened, every column's
		# expression parsed the op's text again)
		f_item=${f_item/"(SELECT e->'a'->'item' AS it FROM jsonb_array_elements((SELECT t FROM bench_batch)::jsonb) e) x"/$from_text}
		[[ $f_item == *bench_batch_seq* ]] || { echo "the floor's plan_item statement was not rewritten" >&2; exit 1; }
		local f_parse="SELECT count(*) FROM (SELECT x.t::jsonb FROM unnest(string_to_array((SELECT t
			FROM bench_batch_seq), chr(30))) x(t) WHERE x.t <> '') e"
		local f_typed="INSERT INTO bench_fl.plan_item SELECT * FROM bench_fl_src.plan_item"
		local f_hist="INSERT INTO bench_fl.item_history(item_id, row_version, op, fields, device_id, org_id)
			SELECT h.item_id, h.row_version, h.op, h.fields, h.device_id, h.org_id FROM bench_fl_src.item_history h"
		local f_log="INSERT INTO bench_fl.op_log SELECT * FROM bench_fl_src.op_log"
		local f_change="INSERT INTO bench_fl.change_log(feed_id, seq, entity_type, entity_id, op, row_version,
				changed_fields, payload, origin_device, origin_op_id)
			SELECT c.feed_id, c.seq, c.entity_type, c.entity_id, c.op, c.row_version, NULL, $pj(i),
				c.origin_device, c.origin_op_id
			FROM bench_fl_src.change_log c JOIN bench_fl_src.plan_item i ON i.id = c.entity_id"
		local f_rollup="INSERT INTO bench_fl.item_rollup SELECT * FROM bench_fl_src.item_rollup"
		local f_count="INSERT INTO bench_fl.rollup_count AS c (plan_id, items, due, done, overdue,
				not_reported, in_progress, blocked, not_applicable, latest)
			SELECT r.plan_id, count(*), 0, 0, 0, 0, 0, 0, 0, max(r.created_at)
			FROM bench_fl_src.item_rollup r GROUP BY r.plan_id
			ON CONFLICT (plan_id) DO UPDATE SET items = c.items + EXCLUDED.items,
				latest = greatest(c.latest, EXCLUDED.latest)"
		local f_feed="UPDATE bench_fl.feed SET last_seq = last_seq + 500 WHERE org_id = $feed"
		local fl_vac="VACUUM bench_fl.plan_item, bench_fl.item_history, bench_fl.op_log, bench_fl.change_log,
			bench_fl.item_rollup, bench_fl.rollup_count, bench_fl.feed"
		fl_cpu() { kt_psql "$fl_vac"; printf '| %s | %.1f |\n' "$1" "$(bench_db_cpu "$DB_RUNS" "$2")"; }
		fl_cpu "guarantee floor: kartad's text of the batch parsed, op by op (jsonb)" "$f_parse"
		fl_cpu "guarantee floor: plan_item (the 500 rows from kartad's text, parsed op by op, into a copy holding the table's rows)" "$f_item"
		fl_cpu "guarantee floor: plan_item (the same rows already typed: no parse)" "$f_typed"
		fl_cpu "guarantee floor: item_history (500 rows)" "$f_hist"
		fl_cpu "guarantee floor: op_log (500 rows)" "$f_log"
		fl_cpu "guarantee floor: change_log (500 rows, each payload to_json of its item)" "$f_change"
		fl_cpu "guarantee floor: item_rollup (500 rows)" "$f_rollup"
		fl_cpu "guarantee floor: rollup_count (the plan's row, one upsert)" "$f_count"
		fl_cpu "guarantee floor: feed (the counter, one update)" "$f_feed"
		fl_cpu "**guarantee floor, the sum: all seven in one run (plan_item's from kartad's text)**" "$f_item; $f_hist; $f_log; $f_change; $f_rollup; $f_count; $f_feed"
		db_cpu "karta_upload_seq, whole, again (beside its floor)" \
			"SELECT count(*) FROM karta_upload_seq($REG_DEV, (SELECT t FROM bench_batch_seq))"
	}
	off() { echo "ALTER TABLE $1 DISABLE TRIGGER $2;"; }
	echo
	echo "## one 500-op Upload of item adds inside the database (karta_upload, rolled back, $DB_RUNS runs; load $(cut -d' ' -f1 /proc/loadavg))"
	echo
	echo "| work | backend CPU ms a run |"
	echo "|---|---|"
	db_cpu "floor: the 500 rows from the batch's JSON by one INSERT … SELECT (plan_item's indexes, no trigger)" "$floor_sql"
	db_cpu "karta_upload, whole" "$up_sql"
	# kartad's form since karta_upload_seq: each op's JSON after an RS, parsed op by op
	if [ "$(kt_psql "SELECT to_regproc('karta_upload_seq') IS NOT NULL")" = t ]; then
		kt_psql "CREATE TABLE bench_batch_seq AS SELECT string_agg(chr(30) || x.e::text, '' ORDER BY x.n) AS t
			FROM jsonb_array_elements((SELECT t FROM bench_batch)::jsonb) WITH ORDINALITY x(e, n)" >/dev/null
		db_cpu "karta_upload_seq, whole (the same batch as kartad sends it: each op after an RS)" \
			"SELECT count(*) FROM karta_upload_seq($REG_DEV, (SELECT t FROM bench_batch_seq))"
		# SYNC_SEQ_BEFORE=FILE: an earlier karta_upload_seq (FILE defines it as
		# karta_upload_seq_before, e.g. bench/upload_seq_before.sql) and the current one, in turn
		if [ -n "${SYNC_SEQ_BEFORE:-}" ]; then
			kt_psql "$(cat "$SYNC_SEQ_BEFORE")" >/dev/null
			for _ in 1 2 3; do
				db_cpu "… the earlier karta_upload_seq ($(basename "$SYNC_SEQ_BEFORE"))" \
					"SELECT count(*) FROM karta_upload_seq_before($REG_DEV, (SELECT t FROM bench_batch_seq))"
				db_cpu "… the current karta_upload_seq, in turn" \
					"SELECT count(*) FROM karta_upload_seq($REG_DEV, (SELECT t FROM bench_batch_seq))"
			done
		fi
	fi
	# the guarantee floor of an item add: every row the batch's Upload writes — plan_item,
	# item_history, op_log, change_log (its payload made by to_json of the item), item_rollup,
	# the plan's roll-up counters (one upsert), the feed's counter (one update) — each by one
	# untriggered INSERT … SELECT (UPDATE for the feed) into a copy (LIKE … INCLUDING ALL: its
	# indexes, CHECKs and defaults, no trigger) holding the table's rows; the rows themselves
	# taken from one karta_upload_seq of the batch, rolled back (bench_fl_src.*). The sum is
	# what no set-wise apply can go below while writing what the guarantees need.
	if [ "$(kt_psql "SELECT to_regproc('karta_upload_seq') IS NOT NULL")" = t ]; then
		floor_rows
	fi
	db_cpu "… without the feed append (karta_feed_stmt)" "$up_sql" "$(off plan_item plan_item_feed_insert)"
	db_cpu "… with the feed append replaced by its floor (the same change_log rows by one INSERT … SELECT)" \
		"$up_sql" "$(off plan_item plan_item_feed_insert) ALTER TABLE plan_item ENABLE TRIGGER bench_feed_floor;"
	# (plan_item_rollup_insert before the roll-up's trigger was named to fire before the feed's)
	db_cpu "… without the roll-up (karta_item_rollup_items)" "$up_sql" "$(off plan_item "$(kt_psql "SELECT tgname
		FROM pg_trigger WHERE tgrelid = 'plan_item'::regclass AND tgname LIKE 'plan\_item%rollup\_insert'")")"
	db_cpu "… without the reference checks (plan_item, item_history, op_log)" "$up_sql" \
		"$(off plan_item plan_item_check_refs_insert) $(off item_history item_history_check_refs_insert) $(off op_log op_log_check_refs_insert)"
	db_cpu "… without any trigger of plan_item, item_history, op_log" "$up_sql" \
		"$(off plan_item USER) $(off item_history USER) $(off op_log USER)"
	db_cpu "the batch read back (decompressed) and its JSON parsed (text → jsonb)" "SELECT jsonb_array_length((SELECT t FROM bench_batch)::jsonb)"
	# the same items, each naming its own responsible text (the bench's all name the same one)
	kt_psql "CREATE TABLE bench_batch_texts AS SELECT jsonb_agg(jsonb_set(e, '{a,item,responsible_text}',
		to_jsonb('Руководители ОО, УО, школа № ' || n)) ORDER BY n)::text AS t
	FROM jsonb_array_elements((SELECT t FROM bench_batch)::jsonb) WITH ORDINALITY x(e, n)"
	db_cpu "karta_upload, whole, each item naming its own responsible text" \
		"SELECT count(*) FROM karta_upload($REG_DEV, (SELECT t FROM bench_batch_texts)::jsonb)"
	kt_psql "SET client_min_messages = warning; DROP SCHEMA bench_feed CASCADE"
fi
kt_stop_kartad
