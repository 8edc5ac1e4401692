#!/usr/bin/env bash
# t_upload_pipeline: Uploads pipelined — the client keeps several in flight on one connection,
# kartad applies them one at a time in the order they came (server/handlers/h_upload.c,
# client/local/sync.c) — with real PostgreSQL, TLS, kartad and karta processes. Each round
# queues 2,000 item adds of one device (500 into plan A, then 1,500 into plan B: four Uploads,
# all sent at once) while another session holds plan B's row, so the second Upload waits in
# the database (its rows written, the plan lock its new items take), the third and fourth
# wait in kartad:
#  1. kartad killed there (the first Upload answered, the second rolled back: its answer
#     cannot be sent), or the client killed there (the second Upload commits once the lock
#     goes, its answer lost; kartad drops the two after it) — then the sync again: every op
#     applied once (after the client's death the second Upload's 500 DUPLICATE), nothing lost,
#     plan B's items fed in the order they were queued;
#  2. kartad with a short statement timeout: the second Upload fails (RETRY_LATER), the third
#     and fourth are answered RETRY_LATER without reaching the database, the client sends them
#     again on a new connection: every op applied once, in order.
# kartad runs with [upload] parallel = 1: what is asserted here (one at a time, plan B's items
# fed in queue order, the counts committed at each death) is that mode's; with parallel = 2 the
# independent Uploads of plan B may commit beside each other (t_upload_parallel.sh).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_upload_pipeline
kt_start_kartad --upload-parallel 1
# shellcheck source=tests/integration/upload_lib.sh
. "$(dirname "$0")/upload_lib.sh"

log_count() { grep -c -- "$1" "$KT_LOG" || true; }

wait_log_count() { # PATTERN N: kartad's log has at least N lines matching PATTERN (120 s: CI's
	local i          # 2-core machine under load; it returns as soon as they are there)
	for ((i = 0; i < 1200; i++)); do
		[ "$(log_count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	kt_fail "kartad's log has $(log_count "$1") lines like '$1', not $2"
}

queue() { # PA SA PB SB: 500 item adds into plan A, then 1,500 into plan B
	"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/mun1.state" "$1" "$2" 500 >/dev/null ||
		kt_fail "kt_outbox_fill"
	"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/mun1.state" "$3" "$4" 1500 >/dev/null ||
		kt_fail "kt_outbox_fill"
	kt_assert_eq 2000 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "2,000 ops queued"
}

check_once() { # PA PB L0 WHAT: each of the 2,000 ops applied, logged and fed once, in order
	kt_assert_eq 0 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "outbox empty ($4)"
	kt_assert_eq "500 1500" "$(kt_psql "SELECT count(*) FILTER (WHERE plan_id = '$1') || ' ' ||
		count(*) FILTER (WHERE plan_id = '$2') FROM plan_item")" "each item once ($4)"
	kt_assert_eq $(($3 + 2000)) "$(applied)" "each op logged once ($4)"
	kt_assert_eq "2000 2000" "$(kt_psql "SELECT count(*) || ' ' || count(DISTINCT origin_op_id)
		FROM change_log WHERE entity_type = 'plan_item' AND payload->>'plan_id' IN ('$1', '$2')")" \
		"each change fed once, with its own op ($4)"
	kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM (SELECT seq < lag(seq) OVER (ORDER BY
		(payload->>'ordinal')::int) AS back FROM change_log WHERE entity_type = 'plan_item'
		AND payload->>'plan_id' = '$2') x WHERE back")" \
		"plan B's items fed in the order they were queued ($4)"
}

start_round() { # NAME: plans A and B, 2,000 ops queued, plan B held, a sync started (SYNC)
	read -r PA SA < <(new_plan "План А ($1)")
	read -r PB SB < <(new_plan "План Б ($1)")
	kt_ok mun1 sync
	L0=$(applied)
	queue "$PA" "$SA" "$PB" "$SB"
	hold_plan "$PB"
	kt_bg "$KT_KARTA" --config "$KT_WORK/mun1.conf" sync >"$KT_WORK/sync-$1.out" 2>&1
	SYNC=$KT_BG_PID
}

# ---- 1. kartad, or the client, killed with Uploads in flight -----------------------------
crash_run() { # WHO: kartad | client
	start_round "$1"
	local l0=$L0 sync=$SYNC
	kt_wait_blocked '%karta_upload%'
	wait_log_count 'event=upload_queued' 2
	wait_log_count 'event=upload ops=500 applied=500 ' 1
	if [ "$1" = kartad ]; then
		kill -KILL "$KT_KARTAD_PID"
		wait "$KT_KARTAD_PID" 2>/dev/null || true
		KT_KARTAD_PID=
		release_plans # the second Upload's answer cannot be sent: it is rolled back
		kt_wait_exit "$sync" 60
		[ "$KT_RC" != 0 ] || kt_fail "the sync did not notice kartad dying: $(cat "$KT_WORK/sync-$1.out")"
	else
		kt_bg_kill "$sync"
		release_plans # the second Upload commits; kartad drops the two after it
	fi
	kt_wait_no_backend "application_name = 'kartad' AND state = 'active' AND query LIKE '%karta_upload%'"
	local done=500 dup=0
	[ "$1" = client ] && done=1000 dup=500
	kt_assert_eq $((l0 + done)) "$(applied)" "ops committed when $1 died"
	kt_assert_eq 1500 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "the unanswered 1,500 still queued ($1)"
	[ "$1" = kartad ] && kt_start_kartad --upload-parallel 1
	kt_kartad_alive || kt_fail "kartad died with the client's queued Uploads"
	kt_ok mun1 sync
	if [ "$dup" = 0 ]; then
		kt_assert_contains "$KT_OUT" "sent 1500 changes: 1500 applied"
	else
		kt_assert_contains "$KT_OUT" "sent 1500 changes: 1000 applied, 500 duplicate"
	fi
	check_once "$PA" "$PB" "$l0" "$1 killed"
}
crash_run kartad
crash_run client
kt_assert_replica_eq mun1 "replica after the crashes"

# ---- 2. an Upload left to retry: the later ones on its connection wait for it -------------
kt_stop_kartad
# (8 s: long enough that the unblocked Uploads never meet it on a loaded machine — only the
# one waiting for plan B's row does)
kt_start_kartad --statement-timeout 8000 --upload-parallel 1
start_round retry
wait_log_count 'event=upload_failed sqlstate=57014' 1
wait_log_count 'event=upload ops=500 applied=0 duplicate=0 conflict=0 rejected=0 retry=500' 3
release_plans
kt_wait_exit "$SYNC" 60
kt_assert_eq 0 "$KT_RC" "the sync after the retry: $(cat "$KT_WORK/sync-retry.out")"
kt_assert_contains "$(cat "$KT_WORK/sync-retry.out")" "sent 2000 changes: 2000 applied"
kt_assert_eq 1 "$(log_count 'event=upload_failed')" \
	"only the waiting Upload reached the database: the two after it were answered at once"
check_once "$PA" "$PB" "$L0" "an Upload to retry"
kt_assert_replica_eq mun1 "replica after the retry"

kt_stop_kartad
kt_pass
