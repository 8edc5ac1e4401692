#!/usr/bin/env bash
# bench/idle.sh [N=500]: memory kartad spends per idle client — N subscribed connections
# (tests/tools/kt_probe "subscribe": TLS, Hello, Pull{subscribe} until caught up, then
# waiting for a Poke, as `karta watch` does) against one kartad; kartad's resident memory
# (VmRSS) before and after, divided by the clients that got subscribed (a loaded machine
# may not get all N through within a minute; the division uses the count reached).
# Needs a build in build/ (tests/tools/kt_probe included); starts its own PostgreSQL
# cluster and kartad; stops both.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${KARTA_BUILD_DIR:-$SRC/build}
N=${1:-500}
W=$(mktemp -d /tmp/karta-idle.XXXXXX)
PGDIR=$W/pg
PIDS=()
cleanup() {
	set +e
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$SRC/deploy/pgcluster.sh" stop "$PGDIR" >/dev/null
	rm -rf -- "$W"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" # one descriptor per client in kartad

"$SRC/deploy/pgcluster.sh" start "$PGDIR" >/dev/null
"$SRC/deploy/pgcluster.sh" createdb "$PGDIR" karta
DB=$("$SRC/deploy/pgcluster.sh" conninfo "$PGDIR" karta)
"$B/server/karta-admin" --db "$DB" migrate >/dev/null
"$B/server/karta-admin" --db "$DB" org add --code reg --name "Область" --level region >/dev/null
"$SRC/deploy/certs.sh" "$W/certs" reg >/dev/null
"$B/server/karta-admin" --db "$DB" device add --org reg --cert "$W/certs/reg.pem" --role coordinator >/dev/null
PORT=$((20000 + RANDOM % 10000)) MPORT=$((PORT + 1))
"$B/server/kartad" --listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$MPORT" --db "$DB" \
	--cert "$W/certs/server.pem" --key "$W/certs/server.key" --ca "$W/certs/ca.pem" \
	--idle-timeout 3600 --log-level warn 2>"$W/kartad.log" &
KPID=$!
PIDS+=("$KPID")
for ((i = 0; i < 100; i++)); do curl -sf "http://127.0.0.1:$MPORT/health" >/dev/null && break; sleep 0.1; done
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
metric() { curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

# warm-up: one subscriber, so the first-connection allocations (TLS context, pool) count as base
"$B/tests/kt_probe" --server "127.0.0.1:$PORT" --ca "$W/certs/ca.pem" --cert "$W/certs/reg.pem" \
	--key "$W/certs/reg.key" subscribe 3600 1 >/dev/null 2>&1 &
PIDS+=("$!")
for ((i = 0; i < 100; i++)); do [ "$(metric karta_subscribers)" = 1 ] && break; sleep 0.1; done
R0=$(rss "$KPID")
for ((k = 0; k < N; k++)); do
	"$B/tests/kt_probe" --server "127.0.0.1:$PORT" --ca "$W/certs/ca.pem" --cert "$W/certs/reg.pem" \
		--key "$W/certs/reg.key" subscribe 3600 1 >/dev/null 2>&1 &
	PIDS+=("$!")
	((k % 50 == 49)) && sleep 0.5
done
for ((i = 0; i < 600; i++)); do [ "$(metric karta_subscribers)" = $((N + 1)) ] && break; sleep 0.1; done
got=$(metric karta_subscribers)
sleep 1
R1=$(rss "$KPID")
echo "idle subscribed clients: $((got - 1)) (asked $N)"
echo "kartad VmRSS: $R0 KiB → $R1 KiB: $(((R1 - R0) * 1024 / (got - 1))) bytes per idle client"
