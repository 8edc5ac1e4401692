#!/usr/bin/env bash
# t_fault_kartad: kartad killed (SIGKILL) mid-upload (issue 16). An upload of 8 ops is
# stopped inside its database transaction (op_log locked), kartad is killed, the lock is
# released: whatever the orphaned transaction then does (PostgreSQL commits it or rolls it
# back), the client keeps the 8 ops queued and its next sync, against a restarted kartad,
# ends with every op applied exactly once (op_log, item history, rows) and the replica equal
# to the server by row count and checksum.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_fault_kartad
kt_start_kartad

kt_offline_plan_edits mun1 institutional "План муниципалитета"
H0=$(kt_psql "SELECT count(*) FROM item_history")
L0=$(kt_psql "SELECT count(*) FROM op_log")

kt_sync_stopped mun1 "$KT_WORK/sync1.out" op_log '%karta_upload%'
kt_log "upload blocked inside its transaction: killing kartad"
kill -KILL "$KT_KARTAD_PID"
wait "$KT_KARTAD_PID" 2>/dev/null || true
KT_KARTAD_PID=
kt_wait_exit "$SYNC" 30
[ "$KT_RC" != 0 ] || kt_fail "the sync did not notice kartad dying: $(cat "$KT_WORK/sync1.out")"
kt_assert_eq 8 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "the 8 ops stay queued"
kt_release_lock
# the orphaned upload ends (commit or rollback)
kt_wait_no_backend "application_name = 'kartad' AND state = 'active' AND query LIKE '%karta_upload%'"
LOGGED=$(($(kt_psql "SELECT count(*) FROM op_log") - L0))
kt_log "after the kill the orphaned upload left $LOGGED op_log rows"

kt_start_kartad
kt_ok mun1 sync
case $LOGGED in
0) kt_assert_contains "$KT_OUT" "sent 8 changes: 8 applied" "the rolled-back batch is applied on resend" ;;
8) kt_assert_contains "$KT_OUT" "sent 8 changes: 8 duplicate" "the committed batch is recognised" ;;
*) kt_fail "an upload is one transaction: $LOGGED of 8 ops logged" ;;
esac
for op in $OPS; do
	kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM op_log WHERE op_id = '$op' AND outcome = 'applied'")" \
		"op_log of $op"
done
kt_assert_eq $((H0 + 8)) "$(kt_psql "SELECT count(*) FROM item_history")" "each op wrote its history once"
kt_assert_eq 8 "$(kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$PLAN'
	AND (institutional_action LIKE 'правка _' OR number IN ('1.7', '1.8'))")" "the edits and the new items"
kt_assert_eq 0 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "outbox empty"
kt_assert_replica_eq mun1 "replica after the upload across a kartad crash"

kt_stop_kartad
kt_pass
