#!/usr/bin/env bash
# t_upload_parallel: two Uploads of one connection applied at once ([upload] parallel = 2,
# server/handlers/h_upload.c; docs/sync.md "Pipelined Uploads") — the next one sent to the
# database beside the one before when both hold only item and status ops and name no item in
# common; answers still in the order they came — with real PostgreSQL, TLS, kartad and karta.
# Each round queues 2,000 item adds of one device (500 into plan A, then 1,500 into plan B: four
# Uploads of 500, all in flight at once):
#  a. no lock: with parallel = 1, then 2 — every op applied, logged and fed once either way
#     (the same counts), the replica the server's; with plan A's row held by another session
#     (the first Upload waits in the database), the second is applied and committed beside it
#     before the first is answered, and answered after it;
#  b. later Uploads that depend on an earlier one (a sub-item of an item, the item's status, an
#     edit of it, after its add; one op an Upload) wait for it: the same answers and rows as
#     with parallel = 1;
#  c. the first Upload fails (statement timeout while plan A is held) after the second has
#     committed beside it: the second is answered RETRY_LATER whole all the same, the client
#     sends everything again, and the second's 500 come back DUPLICATE — every op applied once,
#     in op_log and change_log;
#  d. kartad killed with two Uploads in the database (plans A and B held), restarted, synced:
#     every op applied once.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_upload_parallel
kt_start_kartad --upload-parallel 1
# shellcheck source=tests/integration/upload_lib.sh
. "$(dirname "$0")/upload_lib.sh"

restart() { # FLAGS…: kartad again with FLAGS
	[ -z "$KT_KARTAD_PID" ] || kt_stop_kartad
	kt_start_kartad "$@"
}

logged() { kt_psql "SELECT count(*) FROM op_log WHERE device_id = $MUN"; }
plan_items() { kt_psql "SELECT count(*) FROM plan_item WHERE plan_id = '$1'"; }

# counts PA PB: "items A, items B, their change_log rows, distinct ops of them"
counts() {
	kt_psql "SELECT (SELECT count(*) FROM plan_item WHERE plan_id IN ('$1', '$2')) || ' ' ||
		count(*) || ' ' || count(DISTINCT origin_op_id) FROM change_log
		WHERE entity_type = 'plan_item' AND payload->>'plan_id' IN ('$1', '$2')"
}

start_round() { # NAME: plans A and B, 2,000 ops queued (PA SA PB SB, L0, G0 set)
	read -r PA SA < <(new_plan "План А ($1)")
	read -r PB SB < <(new_plan "План Б ($1)")
	kt_ok mun1 sync
	L0=$(applied) G0=$(logged)
	"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/mun1.state" "$PA" "$SA" 500 >/dev/null ||
		kt_fail "kt_outbox_fill"
	"$KT_BIN/tests/kt_outbox_fill" "$KT_WORK/mun1.state" "$PB" "$SB" 1500 >/dev/null ||
		kt_fail "kt_outbox_fill"
	kt_assert_eq 2000 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "2,000 ops queued ($1)"
}

check_once() { # WHAT: the round's 2,000 ops applied, logged and fed once
	kt_assert_eq 0 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "outbox empty ($1)"
	kt_assert_eq "500 1500" "$(plan_items "$PA") $(plan_items "$PB")" "each item once ($1)"
	kt_assert_eq $((L0 + 2000)) "$(applied)" "each op applied once ($1)"
	kt_assert_eq $((G0 + 2000)) "$(logged)" "each op logged once ($1)"
	kt_assert_eq "2000 2000 2000" "$(counts "$PA" "$PB")" "each change fed once, with its own op ($1)"
}

# ---- a. independent Uploads: parallel = 1 and 2 give the same ----------------------------
declare -A RESULT
for par in 1 2; do
	restart --upload-parallel "$par"
	start_round "a$par"
	kt_ok mun1 sync
	kt_assert_contains "$KT_OUT" "sent 2000 changes: 2000 applied" "parallel=$par"
	check_once "parallel=$par"
	RESULT[$par]="$(($(applied) - L0)) $(($(logged) - G0)) $(counts "$PA" "$PB")"
	kt_assert_replica_eq mun1 "replica after parallel=$par"
	[ "$par" = 2 ] || kt_assert_eq 0 "$(kt_log_count 'parallel=1')" \
		"parallel=1: no Upload applied beside another"
done
kt_assert_eq "${RESULT[1]}" "${RESULT[2]}" "parallel 1 and 2: the same op_log and feed counts"

# with plan A held: the second Upload committed while the first waits, answered after it
restart --upload-parallel 2 --log-level debug
start_round a-held
hold_plan "$PA"
kt_bg "$KT_KARTA" --config "$KT_WORK/mun1.conf" sync >"$KT_WORK/sync-a-held.out" 2>&1
SYNC=$KT_BG_PID
kt_wait_blocked '%karta_upload%'
kt_wait_log 'event=upload_beside' 60
for ((i = 0; i < 600; i++)); do
	[ "$(plan_items "$PB")" -ge 500 ] && break
	sleep 0.1
done
kt_assert_eq 500 "$(plan_items "$PB")" "the second Upload committed beside the waiting first"
kt_assert_eq 0 "$(plan_items "$PA")" "the first still waits"
kt_assert_eq 0 "$(kt_log_count 'event=upload ops=500')" "nothing answered before the first"
release_plans
kt_wait_exit "$SYNC" 60
kt_assert_eq 0 "$KT_RC" "sync (a-held): $(cat "$KT_WORK/sync-a-held.out")"
kt_assert_contains "$(cat "$KT_WORK/sync-a-held.out")" "sent 2000 changes: 2000 applied"
kt_assert_eq "parallel=0 parallel=1" "$(grep -o 'event=upload ops=500 .*parallel=[01]' "$KT_LOG" |
	head -n 2 | grep -o 'parallel=[01]' | tr '\n' ' ' | sed 's/ $//')" \
	"the first answered first, the second (applied beside it) after it"
check_once "plan A held"

# ---- b. a later Upload depending on an earlier one: after it, as with parallel = 1 --------
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/mun1.conf" >"$KT_WORK/mun1-off.conf"
dep_round() { # PAR: an item, its sub-item, its status, an edit of it, queued offline (one op
	# an Upload) and synced while the plan is held; prints what came of them
	restart --upload-parallel "$1" --max-ops 1 --log-level debug
	local pc x y
	read -r pc _ < <(new_plan "План В ($1)")
	kt_ok mun1 sync
	kt_ok mun1-off item add "$pc" --section 1 --title "Зависимое" --deadline "до 1 мая"
	x=$(kt_id_of "$KT_OUT" item)
	kt_ok mun1-off item add "$pc" --section 1 --title "Подпункт" --parent "$x"
	y=$(kt_id_of "$KT_OUT" item)
	kt_ok mun1-off item status "$x" done --comment "сделано"
	kt_ok mun1-off item edit "$x" --municipal "после добавления"
	hold_plan "$pc"
	kt_bg "$KT_KARTA" --config "$KT_WORK/mun1.conf" sync >"$KT_WORK/sync-b$1.out" 2>&1
	SYNC=$KT_BG_PID
	kt_wait_blocked '%karta_upload%'
	kt_wait_log 'event=upload_queued' 60 2
	sleep 0.5
	kt_assert_eq 0 "$(kt_log_count 'event=upload_beside')" \
		"parallel=$1: no Upload naming the item applied beside its add"
	release_plans
	kt_wait_exit "$SYNC" 60
	kt_assert_eq 0 "$KT_RC" "sync (b, parallel=$1): $(cat "$KT_WORK/sync-b$1.out")"
	kt_assert_replica_eq mun1 "replica after the dependent Uploads (parallel=$1)"
	{
		sed 's/op [0-9]*/op N/' "$KT_WORK/sync-b$1.out" | grep -v '^pulled'
		kt_psql "SELECT s.status, i.municipal_action, y.parent_item_id = i.id, i.row_version
			FROM plan_item i JOIN item_status s ON s.item_id = i.id JOIN plan_item y ON y.id = '$y'
			WHERE i.id = '$x'"
	} >"$KT_WORK/b$1.res"
}
dep_round 1
dep_round 2
B1=$(cat "$KT_WORK/b1.res") B2=$(cat "$KT_WORK/b2.res")
kt_log "the dependent Uploads: $B2"
kt_assert_eq "$B1" "$B2" "the dependent Uploads: the same answers and rows with parallel 1 and 2"
kt_assert_contains "$B2" "done|" "the status applied after the add"
kt_assert_contains "$B2" "|t|" "the sub-item under the item added before it"

# ---- c. the first fails after the second committed beside it -----------------------------
# (8 s: only the Upload waiting for plan A's row meets it, even on a loaded machine)
restart --upload-parallel 2 --statement-timeout 8000
start_round c
hold_plan "$PA"
kt_bg "$KT_KARTA" --config "$KT_WORK/mun1.conf" sync >"$KT_WORK/sync-c.out" 2>&1
SYNC=$KT_BG_PID
kt_wait_log 'event=upload_failed sqlstate=57014' 60
kt_wait_log 'event=upload ops=500 applied=0 duplicate=0 conflict=0 rejected=0 retry=500 .*parallel=1' 60
release_plans
kt_wait_exit "$SYNC" 60
kt_assert_eq 0 "$KT_RC" "sync (c): $(cat "$KT_WORK/sync-c.out")"
kt_assert_contains "$(cat "$KT_WORK/sync-c.out")" "sent 2000 changes: 1500 applied, 500 duplicate"
kt_assert_eq 1 "$(kt_log_count 'event=upload_failed')" "only the waiting Upload failed"
kt_assert_eq 1 "$(kt_log_count 'event=upload ops=500 applied=0 duplicate=500')" \
	"the Upload committed beside the failed one came back DUPLICATE when sent again"
check_once "the first failed"
kt_assert_replica_eq mun1 "replica after the failed first Upload"

# ---- d. kartad killed with two Uploads in the database -----------------------------------
restart --upload-parallel 2 --log-level debug
start_round d
hold_plan "$PA"
hold_plan "$PB"
kt_bg "$KT_KARTA" --config "$KT_WORK/mun1.conf" sync >"$KT_WORK/sync-d.out" 2>&1
SYNC=$KT_BG_PID
for ((i = 0; i < 200; i++)); do
	[ "$(kt_backends "application_name = 'kartad' AND wait_event_type = 'Lock'
		AND query LIKE '%karta_upload%'")" -ge 2 ] && break
	sleep 0.1
done
kt_assert_eq 2 "$(kt_backends "application_name = 'kartad' AND wait_event_type = 'Lock'
	AND query LIKE '%karta_upload%'")" "two Uploads in the database at once"
kill -KILL "$KT_KARTAD_PID"
wait "$KT_KARTAD_PID" 2>/dev/null || true
KT_KARTAD_PID=
release_plans
kt_wait_exit "$SYNC" 60
[ "$KT_RC" != 0 ] || kt_fail "the sync did not notice kartad dying: $(cat "$KT_WORK/sync-d.out")"
kt_wait_no_backend "application_name = 'kartad' AND state = 'active' AND query LIKE '%karta_upload%'"
kt_start_kartad --upload-parallel 2
kt_ok mun1 sync
check_once "kartad killed"
kt_assert_replica_eq mun1 "replica after kartad's death"

kt_stop_kartad
kt_pass
