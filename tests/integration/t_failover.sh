#!/usr/bin/env bash
# t_failover: kartad under a PostgreSQL restart and a failover, with its own pair of
# clusters (a primary and a synchronous streaming standby, unix sockets only) and kartad's
# conninfo naming both hosts with target_session_attrs=read-write:
#  - the primary restarts under a running kartad: /health says 503 "database unreachable"
#    while it is down and 200 after; the pool and the LISTEN connection come back by
#    themselves, and every subscribed client (a real `karta watch`) is poked on the
#    reconnect although nothing was written;
#  - `karta sync --retry` started while the database is down waits for it (backoff) and its
#    queued op is applied once;
#  - a client whose Upload committed but whose reply was lost (KARTA_TEST_HANG_AFTER_UPLOAD),
#    then the primary killed and the standby promoted: kartad finds the new primary, the
#    client's retry is a DUPLICATE there (the op exists once), LISTEN runs on the new primary
#    and a write made after the switch pokes the subscriber.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
kt_setup t_failover --no-migrate

# --- two clusters: a (primary) → b (standby), owned by postgres -------------------------
FO=$(mktemp -d /tmp/karta-fo.XXXXXX)
chmod 0755 "$FO"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$FO"
fo_cleanup() {
	local d pid
	for d in a b; do
		[ -f "$FO/$d/postmaster.pid" ] || continue
		pid=$(head -n 1 "$FO/$d/postmaster.pid")
		kill -QUIT "$pid" 2>/dev/null || true # immediate shutdown of that postmaster
	done
	sleep 0.5
	rm -rf -- "$FO"
}
trap 'rc=$?; fo_cleanup; (exit $rc); kt__on_exit' EXIT

as_pg "$PG_BIN/initdb" -D "$FO/a" --auth=trust -U postgres -E UTF8 --locale=C.UTF-8 \
	>"$KT_WORK/initdb.log" 2>&1 || kt_fail "initdb: $(cat "$KT_WORK/initdb.log")"
as_pg mkdir -m 0755 "$FO/a.sock" "$FO/b.sock"
as_pg tee -a "$FO/a/postgresql.conf" >/dev/null <<-EOF
	listen_addresses = ''
	unix_socket_directories = '$FO/a.sock'
	fsync = off
	full_page_writes = off
	max_connections = 60
	shared_buffers = 32MB
	wal_keep_size = 64MB
	log_min_messages = warning
EOF
pg_up() { # pg_up a|b: start that node, wait until it accepts connections
	as_pg "$PG_BIN/pg_ctl" -D "$FO/$1" -l "$FO/$1.log" -w -t 60 start >/dev/null ||
		kt_fail "cannot start node $1: $(tail -n 20 "$FO/$1.log")"
}
pg_kill() { # pg_kill a|b: immediate stop (no checkpoint, backends killed): a crash
	as_pg "$PG_BIN/pg_ctl" -D "$FO/$1" -m immediate -w -t 30 stop >/dev/null
}
pg_up a
psql -XAtq "host=$FO/a.sock user=postgres dbname=postgres" -c "CREATE DATABASE karta"
as_pg "$PG_BIN/pg_basebackup" -h "$FO/a.sock" -U postgres -D "$FO/b" -R -X stream -c fast \
	>"$KT_WORK/basebackup.log" 2>&1 || kt_fail "pg_basebackup: $(cat "$KT_WORK/basebackup.log")"
as_pg tee -a "$FO/b/postgresql.conf" >/dev/null <<-EOF
	unix_socket_directories = '$FO/b.sock'
	synchronous_standby_names = ''
EOF
pg_up b
# commits on a wait for b from now on (set after the base backup, which would wait too)
echo "synchronous_standby_names = '*'" | as_pg tee -a "$FO/a/postgresql.conf" >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$FO/a" reload >/dev/null
on() { psql -XAtq -v ON_ERROR_STOP=1 "host=$FO/$1.sock user=postgres dbname=karta" -c "$2"; }
streaming() { [ "$(on a "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1 ]; }
kt_wait_until 10 streaming || kt_fail "node b does not stream from node a"
kt_assert_eq 1 "$(on a "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")" \
	"synchronous standby streaming"

KT_CONNINFO="host=$FO/a.sock,$FO/b.sock port=5432,5432 user=postgres dbname=karta"
KT_CONNINFO+=" target_session_attrs=read-write connect_timeout=3"
kt_populate
kt__write_configs
kt_start_kartad
M=http://127.0.0.1:$KT_METRICS_PORT
health() { curl -s --max-time 5 "$M/health" || true; }
metric() { curl -s --max-time 5 "$M/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
health_is() { [ "$(health)" = "$1" ]; }
metric_at_least() { [ "$(metric "$1")" -ge "$2" ] 2>/dev/null; }
wait_health() { # wait_health TEXT [SECONDS=30]
	kt_wait_until "${2:-30}" health_is "$1" ||
		kt_fail "/health did not say '$1' within ${2:-30} s (it says '$(health)')"
}
wait_metric() { # wait_metric NAME MIN [SECONDS=30]
	kt_wait_until "${3:-30}" metric_at_least "$1" "$2" ||
		kt_fail "$1 did not reach $2 within ${3:-30} s (it is '$(metric "$1")')"
}
wait_health ok 10

# a plan the region writes to, and a subscriber: mun1 reads the region's feed
kt_ok reg plan create --title "План" --year 2026 --section "1|Раздел"
PLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Пункт" --deadline "до 1 мая" --responsible "УО"
ITEM=$(kt_id_of "$KT_OUT" item)
kt_ok mun1 sync
kt_bg bash -c 'exec timeout 200 "$0" --config "$1" watch --interval 600 >"$2" 2>&1' \
	"$KT_KARTA" "$KT_WORK/mun1.conf" "$KT_WORK/watch.out"
wait_metric karta_subscribers 1
pokes() { grep -c '] poke:' "$KT_WORK/watch.out" || true; }
more_pokes_than() { [ "$(pokes)" -gt "$1" ]; }

# --- 1. the primary restarts under kartad ------------------------------------------------
P0=$(metric karta_pokes_sent_total) W0=$(pokes) OPSR=$(on a "SELECT count(*) FROM op_log")
pg_kill b # the standby first, so the restart is a plain one (b comes back after)
pg_kill a
wait_health "database unreachable"
kt_assert_eq 0 "$(metric karta_listen_up)" "karta_listen_up while the database is down"
pg_up a
pg_up b
wait_health ok
wait_metric karta_listen_up 1
wait_metric karta_pokes_sent_total $((P0 + 1)) 10
kt_wait_until 10 more_pokes_than "$W0" ||
	kt_fail "karta watch got no poke after the reconnect: $(cat "$KT_WORK/watch.out")"
kt_assert_eq "$OPSR" "$(on a "SELECT count(*) FROM op_log")" "ops meanwhile (the poke came from the reconnect alone)"

# --- 2. a sync started while the database is down waits for it --------------------------
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/reg.conf" >"$KT_WORK/reg-off.conf"
kt_ok reg-off item edit "$ITEM" --title "Пункт (во время перезапуска)"
OPS0=$(on a "SELECT count(*) FROM op_log")
pg_kill b
pg_kill a
wait_health "database unreachable"
kt_bg bash -c 'exec timeout 120 "$0" --config "$1" sync --retry 90 >"$2" 2>"$3"' \
	"$KT_KARTA" "$KT_WORK/reg.conf" "$KT_WORK/sync2.out" "$KT_WORK/sync2.err"
SYNC=$KT_BG_PID
kt_wait_until 30 grep -qs 'retrying in' "$KT_WORK/sync2.err" || true
kt_assert_contains "$(cat "$KT_WORK/sync2.err")" "retrying in" "karta sync while the database is down"
pg_up a
pg_up b
rc=0
wait "$SYNC" || rc=$?
kt_assert_eq 0 "$rc" "karta sync --retry across the restart (stderr: $(cat "$KT_WORK/sync2.err"))"
kt_assert_contains "$(cat "$KT_WORK/sync2.out")" "sent 1 change: 1 applied" "karta sync output"
kt_assert_eq $((OPS0 + 1)) "$(on a "SELECT count(*) FROM op_log")" "op_log rows after the restart"

# --- 3. the reply is lost, then the primary dies and the standby takes over --------------
kt_ok reg-off item edit "$ITEM" --title "Пункт (при переключении)"
OPID=$(sqlite3 -batch "$KT_WORK/reg.state/replica.db" "SELECT op_id FROM outbox")
kt_bg env KARTA_TEST_HANG_AFTER_UPLOAD=1 "$KT_KARTA" --config "$KT_WORK/reg.conf" sync \
	>"$KT_WORK/hang.out" 2>&1
HANG=$KT_BG_PID
on_b_once() { [ "$(on b "SELECT count(*) FROM op_log WHERE op_id = '$OPID'")" = 1 ]; }
kt_wait_until 20 on_b_once || true
kt_assert_eq 1 "$(on b "SELECT count(*) FROM op_log WHERE op_id = '$OPID'")" \
	"the op committed on the primary and is on the synchronous standby"
kt_bg_kill "$HANG"
P1=$(metric karta_pokes_sent_total)
pg_kill a
as_pg "$PG_BIN/pg_ctl" -D "$FO/b" -w -t 30 promote >/dev/null
kt_assert_eq f "$(on b "SELECT pg_is_in_recovery()")" "node b promoted"
wait_health ok
wait_metric karta_listen_up 1
kt_run timeout 120 "$KT_KARTA" --config "$KT_WORK/reg.conf" sync --retry 60
kt_assert_rc 0 "karta sync after the failover"
kt_assert_contains "$KT_OUT" "1 duplicate" "the resent op"
kt_assert_eq 1 "$(on b "SELECT count(*) FROM op_log WHERE op_id = '$OPID'")" "the op, once"
kt_assert_eq 1 "$(on b "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kartad-listen'")" \
	"LISTEN on the new primary"
W1=$(pokes)
kt_ok reg item edit "$ITEM" --title "Пункт (после переключения)"
wait_metric karta_pokes_sent_total $((P1 + 2)) 10 # the reconnect's, then the write's
kt_wait_until 10 more_pokes_than "$W1" || kt_fail "no poke for a write on the new primary: $(cat "$KT_WORK/watch.out")"
kt_ok mun1 sync
kt_assert_eq "Пункт (после переключения)" \
	"$(on b "SELECT title FROM plan_item WHERE id = '$ITEM'")" "the item on the new primary"

kt_stop_kartad
kt_pass
