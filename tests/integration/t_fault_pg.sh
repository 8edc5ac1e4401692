#!/usr/bin/env bash
# t_fault_pg: PostgreSQL killed (kill -9 of the postmaster) and restarted (issue 16), on a
# cluster of this test's own (the shared one serves the other tests).
#  - mid-upload, exactly: an upload of 8 ops is stopped inside its transaction (op_log locked,
#    its first op already written), then the postmaster is killed. kartad answers the ops
#    "retry later", the client sends them again with backoff until PostgreSQL is back:
#    every op applied exactly once (op_log, item history), the replica equal to the server;
#  - mid-request: a Pull waiting inside the database (feed locked) when the postmaster is
#    killed is answered BUSY (not INTERNAL); the client asks again with backoff and the sync
#    completes once PostgreSQL is back; nothing logged as an internal error.
# shellcheck source=tests/integration/lib.sh
KT_BIN=${KT_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build}
export KT_PG_DIR=$KT_BIN/test-pg-t_fault_pg # private: this test kills it
. "$(dirname "$0")/lib.sh"

kt_setup t_fault_pg
exec {KT_PG_LOCK_FD}>&- # nobody else uses this cluster: start and crash need no lock
fault_exit() {
	local rc=$?
	set +e
	[ -z "$KT_KARTAD_PID" ] || kill -KILL "$KT_KARTAD_PID" 2>/dev/null
	PGCLUSTER_STOP_WAIT=5 "$KT_PGCLUSTER" stop "$KT_PG_DIR" >/dev/null 2>&1
	(exit "$rc")
	kt__on_exit
}
trap fault_exit EXIT
kt_start_kartad

# Kills the postmaster under the stopped sync writing to $1, expects the sync to say $2
# ($3: what that shows) and retry within $4 seconds, restarts PostgreSQL, waits for the end.
crash_until_retried() {
	local out=$1 said=$2 what=$3 wait=$4
	"$KT_PGCLUSTER" crash "$KT_PG_DIR"
	kt_bg_kill "$KT_LOCK_PID"
	kt_wait_said "$out" "trying again" "$SYNC" "$wait"
	kt_assert_contains "$(cat "$out")" "$said" "$what"
	"$KT_PGCLUSTER" start "$KT_PG_DIR" >/dev/null
	kt_wait_exit "$SYNC" 60
}

kt_offline_plan_edits reg municipal "Дорожная карта ГИА"
H0=$(kt_psql "SELECT count(*) FROM item_history")

# --- killed mid-upload ----------------------------------------------------------------------
kt_sync_stopped reg "$KT_WORK/sync1.out" op_log '%karta_upload%'
kt_log "upload blocked inside its transaction: killing the postmaster"
crash_until_retried "$KT_WORK/sync1.out" "could not write the changes now — trying again" \
	"the client waits and sends the upload again" 30
OUT=$(cat "$KT_WORK/sync1.out")
kt_assert_eq 0 "$KT_RC" "sync across the outage (output: $OUT)"
kt_assert_contains "$OUT" "sent 8 changes: 8 applied" "every op applied"
for op in $OPS; do
	kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM op_log WHERE op_id = '$op' AND outcome = 'applied'")" \
		"op_log of $op"
done
kt_assert_eq $((H0 + 8)) "$(kt_psql "SELECT count(*) FROM item_history")" "each op wrote its history once"
kt_assert_eq 8 "$(kt_psql "SELECT count(*) FROM plan_item WHERE municipal_action LIKE 'правка _'
	OR number IN ('1.7', '1.8')")" "the edits and the new items"
kt_assert_eq 0 "$(kt_sq reg "SELECT count(*) FROM outbox")" "outbox empty"
kt_assert_replica_eq reg "replica after the upload across a database crash"

# --- killed mid-Pull: BUSY, retried ---------------------------------------------------------
kt_ok mun1 sync
kt_ok reg item edit "$(kt_psql "SELECT id FROM plan_item WHERE number = '1.1'")" --result "после сбоя"
kt_sync_stopped mun1 "$KT_WORK/sync2.out" feed '%karta_pull%' "ACCESS EXCLUSIVE"
kt_log "pull waiting in the database: killing the postmaster"
crash_until_retried "$KT_WORK/sync2.out" \
	"database unavailable: try again later (busy) — trying again" \
	"the Pull cut by the crash is answered BUSY and retried" 40
kt_assert_eq 0 "$KT_RC" "sync after the database came back (output: $(cat "$KT_WORK/sync2.out"))"
kt_assert_replica_eq mun1 "mun1 replica after a pull across a database crash"
kt_assert_eq 0 "$(kt_log_count 'lvl=error')" "errors in kartad's log (an outage is not an internal error)"
kt_assert_eq 0 "$(kt_log_count 'INTERNAL|internal error')" "internal errors answered"

kt_stop_kartad
kt_pass
