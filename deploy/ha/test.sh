#!/usr/bin/env bash
# deploy/ha/test.sh: the high-availability deployment of docs/operations.md on one machine,
# under faults. Long (a few minutes), so not part of tests/run.sh. Run as root from the
# repository root of a clean clone:
#
#   deploy/ha/test.sh            # installs what it needs, builds, runs, prints the figures
#
# Every process listens on 127.0.0.1 only and is stopped by its pid at the end:
#   etcd (one member) ← Patroni node1 + node2 (PostgreSQL 15 primary + synchronous standby,
#   WAL archived) ← kartad #1 + #2 (conninfo naming both nodes, target_session_attrs=
#   read-write) ← HAProxy (TCP, TLS passed through, health checks on kartad's /health)
#   ← 50 karta clients (devices of the region), each queueing an item and syncing in a loop.
# Faults: kill -9 kartad #1, bring it back; kill -9 the PostgreSQL primary node (its Patroni
# and its postmaster: the standby takes over), bring it back (it rejoins as a standby).
# Then: every client syncs once more; the figures: ops sent, ops applied (op_log rows, and
# items, each exactly once), seconds each client waited for its next successful sync
# after each fault, replicas converged (every replica equal to the server's rows by count
# and checksum). Last, the restore drill: the base backup taken at the start + the WAL
# archive are restored into a new cluster and must hold exactly the primary's rows.
#
# The configurations used are deploy/ha/haproxy.cfg and deploy/ha/patroni-node{1,2}.yml
# with addresses, ports and paths rewritten (sed) — the shipped examples themselves.
# Environment: HA_PORT_BASE (default 17400), HA_CLIENTS (default 50), HA_KEEP=1 keeps the
# work dir (/tmp/karta-ha.*) for a look at the logs.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${KARTA_BUILD_DIR:-$SRC/build}
PG_BIN=/usr/lib/postgresql/15/bin
BASE=${HA_PORT_BASE:-17400}
NCLI=${HA_CLIENTS:-50}
ETCD_PORT=$((BASE + 79)) ETCD_PEER=$((BASE + 80))
PG1=$((BASE + 32)) PG2=$((BASE + 33)) PGR=$((BASE + 34)) # node1, node2, the restore drill
REST1=$((BASE + 8)) REST2=$((BASE + 9))
K1=$((BASE + 43)) K1M=$((BASE + 44)) K2=$((BASE + 53)) K2M=$((BASE + 54))
HAP=$BASE HAP_STATS=$((BASE + 4))
SUPERPW=ha-superuser KARTAPW=ha-karta

say() { printf '[ha %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (PostgreSQL and Patroni run as postgres)"

# --- packages and build ------------------------------------------------------------------
# Only this test needs the HA engines: it asks deploy/install-deps.sh for them; a plain install has none.
HA_PKGS=(haproxy patroni etcd-server etcd-client curl)
"$SRC/deploy/install-deps.sh" "${HA_PKGS[@]}" >&2
if [ ! -x "$BUILD/server/kartad" ] || [ ! -x "$BUILD/client/karta" ]; then
	say "building into $BUILD"
	cmake -S "$SRC" -B "$BUILD" >/dev/null && cmake --build "$BUILD" -j2 >/dev/null
fi
KARTAD=$BUILD/server/kartad ADMIN=$BUILD/server/karta-admin KARTA=$BUILD/client/karta
for p in $ETCD_PORT $ETCD_PEER $PG1 $PG2 $PGR $REST1 $REST2 $K1 $K1M $K2 $K2M $HAP $HAP_STATS; do
	[ -z "$(ss -Hltn "sport = :$p")" ] || die "port $p is taken (set HA_PORT_BASE)"
done

W=$(mktemp -d /tmp/karta-ha.XXXXXX)
chmod 0755 "$W"
mkdir -p "$W/archive" "$W/node1" "$W/node2" "$W/clients" "$W/basebackup"
chown postgres:postgres "$W/archive" "$W/node1" "$W/node2" "$W/basebackup"
chmod 0700 "$W/node1" "$W/node2" "$W/basebackup"
say "work dir $W"

# --- processes, each remembered by its pid ------------------------------------------------
declare -A PID=()
CLIENT_PIDS=()
stop_pid() { # stop_pid NAME [SIGNAL]: signal, wait up to 20 s, then KILL
	local p=${PID[$1]:-}
	[ -n "$p" ] || return 0
	kill "-${2:-TERM}" "$p" 2>/dev/null || true
	for ((i = 0; i < 200; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	unset "PID[$1]"
}
cleanup() {
	set +e
	touch "$W/stop"
	for p in "${CLIENT_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${CLIENT_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for n in haproxy kartad1 kartad2 patroni2 patroni1 etcd; do stop_pid "$n"; done
	for n in node1 node2; do # a postmaster left behind by a killed Patroni
		[ -f "$W/$n/data/postmaster.pid" ] || continue
		kill -QUIT "$(head -n 1 "$W/$n/data/postmaster.pid")" 2>/dev/null
	done
	[ -f "$W/restore/postmaster.pid" ] &&
		runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$W/restore" -m fast -w stop >/dev/null 2>&1
	if [ "${HA_KEEP:-0}" = 1 ]; then say "logs kept in $W"; else rm -rf -- "$W"; fi
}
trap cleanup EXIT

start_bg() { # start_bg NAME LOG CMD…: in its own session; PID[NAME]
	local name=$1 log=$2
	shift 2
	setsid "$@" </dev/null >>"$log" 2>&1 &
	PID[$name]=$!
}
wait_for() { # wait_for SECONDS WHAT CMD…
	local limit=$1 what=$2
	shift 2
	for ((i = 0; i < limit * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$what: not within $limit s"
}
now() { date +%s.%N; }

# --- etcd -----------------------------------------------------------------------------------
start_bg etcd "$W/etcd.log" etcd --name ha --data-dir "$W/etcd" \
	--listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
	--listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
	--initial-cluster "ha=http://127.0.0.1:$ETCD_PEER"
wait_for 30 "etcd" curl -sf "http://127.0.0.1:$ETCD_PORT/health"
say "etcd up (pid ${PID[etcd]})"

# --- Patroni: the shipped configs, rewritten for loopback ports and this work dir ----------
patroni_conf() { # N PGPORT RESTPORT
	sed -e "s#10\.0\.0\.2$1:8008#127.0.0.1:$3#g" -e "s#10\.0\.0\.2$1:5432#127.0.0.1:$2#g" \
		-e "s#hosts: .*#hosts: 127.0.0.1:$ETCD_PORT#" -e "s#10\.0\.0\.0/24#127.0.0.1/32#g" \
		-e "s#/var/lib/postgresql/15/karta#$W/node$1/data#" -e "s#/var/lib/karta-archive#$W/archive#g" \
		-e "s#/var/lib/postgresql/.pgpass-patroni#$W/node$1/pgpass#" \
		-e "s#/var/run/postgresql#$W/node$1#" -e "s#change-me-superuser#$SUPERPW#" \
		-e "s#ttl: 20#ttl: 10#" -e "s#loop_wait: 5#loop_wait: 2#" \
		-e "s#shared_buffers: 2GB#shared_buffers: 64MB#" -e "s#effective_cache_size: 6GB#effective_cache_size: 256MB#" \
		-e "s#max_wal_size: 8GB#max_wal_size: 256MB#" -e "s#min_wal_size: 1GB#min_wal_size: 64MB#" \
		-e "s#wal_keep_size: 1GB#wal_keep_size: 128MB#" -e "s#archive_timeout: 60#archive_timeout: 5#" \
		-e "s#max_connections: 200#max_connections: 100#" \
		"$SRC/deploy/ha/patroni-node$1.yml" >"$W/node$1.yml"
	chown postgres:postgres "$W/node$1.yml"
}
start_patroni() { # N
	start_bg "patroni$1" "$W/node$1/patroni.log" setpriv --reuid=postgres --regid=postgres \
		--init-groups env HOME=/var/lib/postgresql patroni "$W/node$1.yml"
}
rest() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/$2"; }
is_primary() { [ "$(rest "$1" primary)" = 200 ]; }
is_replica() { [ "$(rest "$1" replica)" = 200 ]; }
patroni_conf 1 "$PG1" "$REST1"
patroni_conf 2 "$PG2" "$REST2"
start_patroni 1
wait_for 90 "node1 becomes the primary" is_primary "$REST1"
start_patroni 2
wait_for 120 "node2 streams from node1" is_replica "$REST2"
say "Patroni: node1 primary (pid ${PID[patroni1]}), node2 standby (pid ${PID[patroni2]})"

SUPER="host=127.0.0.1 port=$PG1 user=postgres password=$SUPERPW dbname=postgres"
psql -XAtq -v ON_ERROR_STOP=1 "$SUPER" -c "CREATE ROLE karta LOGIN PASSWORD '$KARTAPW'" \
	-c "CREATE DATABASE karta OWNER karta" >/dev/null
# kartad and karta-admin reach the database through a libpq service file, as
# docs/operations.md recommends: both nodes, read-write only, short timeouts.
cat >"$W/pg_service.conf" <<-EOF
	[karta]
	host=127.0.0.1,127.0.0.1
	port=$PG1,$PG2
	dbname=karta
	user=karta
	password=$KARTAPW
	target_session_attrs=read-write
	connect_timeout=3
	keepalives_idle=5
	keepalives_interval=2
	keepalives_count=2
EOF
export PGSERVICEFILE=$W/pg_service.conf
CONNINFO="service=karta"
q() { psql -XAtq -v ON_ERROR_STOP=1 "$CONNINFO" -c "$1"; }
qs() { psql -XAtq -v ON_ERROR_STOP=1 "$CONNINFO user=postgres password=$SUPERPW" -c "$1"; } # superuser, the primary

# --- schema, region, 50 devices, certificates --------------------------------------------
"$ADMIN" --db "$CONNINFO" migrate >"$W/migrate.log"
"$ADMIN" --db "$CONNINFO" org add --code reg --name "Область (HA-тест)" --level region >/dev/null
names=(reg)
for ((k = 1; k <= NCLI; k++)); do names+=("$(printf 'c%02d' "$k")"); done
"$SRC/deploy/certs.sh" "$W/certs" "${names[@]}" >/dev/null
for n in "${names[@]}"; do
	"$ADMIN" --db "$CONNINFO" device add --org reg --cert "$W/certs/$n.pem" --role coordinator \
		--label "ha $n" >/dev/null
done
say "schema at $(q 'SELECT max(version) FROM schema_migrations'), $NCLI devices"

# The base backup of the restore drill, before any client writes (WAL archived from now on).
runuser -u postgres -- env PGPASSWORD=change-me-replication "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG1" \
	-U replicator -D "$W/basebackup" -X stream -c fast >"$W/basebackup.log" 2>&1 ||
	die "pg_basebackup: $(cat "$W/basebackup.log")"

# --- two kartad behind HAProxy -------------------------------------------------------------
kartad_conf() { # N PORT METRICS
	# behind HAProxy every connection comes from its address (docs/operations.md)
	"$SRC/deploy/kartad-conf.sh" "127.0.0.1:$2" "$W/certs" "$CONNINFO" "127.0.0.1:$3" \
		max_conns_per_address=10000 >"$W/kartad$1.conf"
}
health() { [ "$(curl -s --max-time 2 "http://127.0.0.1:$1/health")" = ok ]; }
start_kartad() { # N METRICS
	start_bg "kartad$1" "$W/kartad$1.log" "$KARTAD" --config "$W/kartad$1.conf"
	wait_for 30 "kartad #$1 healthy" health "$2"
}
kartad_conf 1 $K1 $K1M
kartad_conf 2 $K2 $K2M
start_kartad 1 $K1M
start_kartad 2 $K2M
sed -e "s#log /dev/log local0#log stdout format raw local0#" -e "s#10\.0\.0\.10:7443#127.0.0.1:$HAP#" \
	-e "s#maxconn 40000#maxconn 4000#" \
	-e "s#10\.0\.0\.11:7443 check port 7444#127.0.0.1:$K1 check port $K1M#" \
	-e "s#10\.0\.0\.12:7443 check port 7444#127.0.0.1:$K2 check port $K2M#" \
	-e "s#127\.0\.0\.1:8404#127.0.0.1:$HAP_STATS#" "$SRC/deploy/ha/haproxy.cfg" >"$W/haproxy.cfg"
haproxy -c -q -f "$W/haproxy.cfg" || die "haproxy -c refused $W/haproxy.cfg"
start_bg haproxy "$W/haproxy.log" haproxy -db -f "$W/haproxy.cfg"
up_in_haproxy() { [ "$(curl -s "http://127.0.0.1:$HAP_STATS/;csv" | grep -c '^kartad,kartad[12],.*,UP,')" = 2 ]; }
wait_for 30 "HAProxy sees both kartad up" up_in_haproxy
say "kartad #1 (pid ${PID[kartad1]}), #2 (pid ${PID[kartad2]}) behind HAProxy (pid ${PID[haproxy]}) on 127.0.0.1:$HAP"

# --- clients -------------------------------------------------------------------------------
client_conf() { # NAME FILE SERVER
	cat >"$2" <<-EOF
		[client]
		server = $3
		server_name = localhost
		cert_file = $W/certs/$1.pem
		key_file = $W/certs/$1.key
		ca_file = $W/certs/ca.pem
		state_dir = $W/clients/$1.state
	EOF
}
for n in "${names[@]}"; do
	client_conf "$n" "$W/clients/$n.conf" "127.0.0.1:$HAP"
	client_conf "$n" "$W/clients/$n-off.conf" "127.0.0.1:1" # queue only: the op is counted
done
out=$("$KARTA" --config "$W/clients/reg.conf" plan create --title "Дорожная карта (HA-тест)" \
	--year 2026 --section "1|Мероприятия")
PLAN=$(sed -n 's/^plan \([0-9a-f-]\{36\}\) .*/\1/p' <<<"$out" | head -n 1)
[ -n "$PLAN" ] || die "no plan created: $out"
# in parallel, waiting for these pids only (a bare wait would wait for etcd and the rest)
each_client_sync() { # ARGS…: karta sync ARGS for every client at once
	local pids=() k
	for ((k = 1; k <= NCLI; k++)); do
		"$KARTA" --config "$W/clients/${names[k]}.conf" sync "$@" >/dev/null \
			2>>"$W/clients/${names[k]}.err" &
		pids+=("$!")
	done
	for k in "${pids[@]}"; do wait "$k" || true; done
}
each_client_sync

# One client: queue an item offline (exactly one op), then sync through HAProxy with retry;
# log "add N" per op queued and "sync START END RC" per sync.
client_loop() {
	local name=$1 k=$2 n=0 t0 t1 rc
	local log=$W/clients/$name.log err=$W/clients/$name.err
	while [ ! -e "$W/stop" ]; do
		n=$((n + 1))
		if "$KARTA" --config "$W/clients/$name-off.conf" item add "$PLAN" --section 1 \
			--number "$k.$n" --title "Пункт $k.$n" --deadline "до 1 мая" --responsible "УО" \
			>/dev/null 2>>"$err"; then
			echo "add $n" >>"$log"
		fi
		t0=$(now)
		rc=0
		timeout 150 "$KARTA" --config "$W/clients/$name.conf" sync --retry 120 >/dev/null 2>>"$err" || rc=$?
		t1=$(now)
		echo "sync $t0 $t1 $rc" >>"$log"
		sleep "$((RANDOM % 3 + 1)).$((RANDOM % 10))"
	done
}
for ((k = 1; k <= NCLI; k++)); do
	client_loop "${names[k]}" "$k" &
	CLIENT_PIDS+=("$!")
done
say "$NCLI clients syncing and uploading"

# first successful sync ending after time T, per client → "median max" of (end − T)
recovery() {
	local t=$1
	for ((k = 1; k <= NCLI; k++)); do
		awk -v t="$t" '$1 == "sync" && $4 == 0 && $3 > t { printf "%.2f\n", $3 - t; exit }' \
			"$W/clients/${names[k]}.log"
	done | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "none none 0";
		else printf "%.1f %.1f %d\n", a[int((NR + 1) / 2)], a[NR], NR }'
}
failed_syncs() { # T0 T1: syncs that ended in [T0, T1) with an error (after their retries)
	cat "$W"/clients/c*.log | awk -v a="$1" -v b="$2" '$1 == "sync" && $4 != 0 && $3 >= a && $3 < b' | wc -l
}
wait_all_recovered() { # T SECONDS
	for ((i = 0; i < $2; i++)); do
		[ "$(recovery "$1" | awk '{ print $3 }')" = "$NCLI" ] && return 0
		sleep 1
	done
	say "warning: not every client synced within $2 s of the fault"
}

sleep 20
T_CALM=$(now)
wait_all_recovered "$T_CALM" 60

# --- fault 1: kill -9 kartad #1, then bring it back ------------------------------------------
sleep 5
say "fault 1: kill -9 kartad #1 (pid ${PID[kartad1]})"
T1=$(now)
kill -KILL "${PID[kartad1]}"
wait "${PID[kartad1]}" 2>/dev/null || true
unset "PID[kartad1]"
wait_all_recovered "$T1" 120
sleep 5
start_kartad 1 $K1M
wait_for 30 "HAProxy sees kartad #1 back" up_in_haproxy
T1B=$(now)
say "kartad #1 back (pid ${PID[kartad1]})"
sleep 15

# --- fault 2: kill -9 the PostgreSQL primary node, then bring it back ------------------------
if is_primary "$REST1"; then OLD=1 NEW=2 OLDREST=$REST1 NEWREST=$REST2; else OLD=2 NEW=1 OLDREST=$REST2 NEWREST=$REST1; fi
PM=$(head -n 1 "$W/node$OLD/data/postmaster.pid")
say "fault 2: kill -9 the primary node$OLD (Patroni pid ${PID[patroni$OLD]}, postmaster pid $PM)"
T2=$(now)
kill -KILL "${PID[patroni$OLD]}" "$PM"
wait "${PID[patroni$OLD]}" 2>/dev/null || true
unset "PID[patroni$OLD]"
wait_for 90 "node$NEW promoted" is_primary "$NEWREST"
T2P=$(now)
say "node$NEW is the primary after $(awk -v a="$T2" -v b="$T2P" 'BEGIN { printf "%.1f", b - a }') s"
wait_all_recovered "$T2" 180
sleep 5
start_patroni "$OLD"
wait_for 120 "node$OLD rejoins as a standby" is_replica "$OLDREST"
T2B=$(now)
say "node$OLD streams from node$NEW again (Patroni pid ${PID[patroni$OLD]})"
sleep 15

# --- stop the clients, last sync, figures ----------------------------------------------------
touch "$W/stop"
for p in "${CLIENT_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
CLIENT_PIDS=()
T_END=$(now)
each_client_sync --retry 60

SENT=$(cat "$W"/clients/c*.log | grep -c '^add ')
APPLIED=$(q "SELECT count(*) FROM op_log o JOIN device d ON d.id = o.device_id
	WHERE d.label LIKE 'ha c%' AND o.outcome = 'applied'")
ITEMS=$(q "SELECT count(*) FROM plan_item WHERE plan_id = '$PLAN'")
DISTINCT=$(q "SELECT count(DISTINCT number) FROM plan_item WHERE plan_id = '$PLAN'")
QUEUED=0
for ((k = 1; k <= NCLI; k++)); do
	QUEUED=$((QUEUED + $(sqlite3 "$W/clients/${names[k]}.state/replica.db" "SELECT count(*) FROM outbox")))
done
PER_CLIENT_OK=1
for ((k = 1; k <= NCLI; k++)); do
	s=$(grep -c '^add ' "$W/clients/${names[k]}.log")
	a=$(q "SELECT count(*) FROM op_log o JOIN device d ON d.id = o.device_id WHERE d.label = 'ha ${names[k]}'")
	[ "$s" = "$a" ] || { PER_CLIENT_OK=0; say "client ${names[k]}: sent $s, applied $a"; }
done

# replicas: every row the region's device reads, as "type id version", sorted, count + md5
DEV=$(q "SELECT id FROM device WHERE label = 'ha c01'")
server_rows() {
	q "SELECT r.entity_type || ' ' || r.entity_id || ' ' || coalesce(r.row_version, 0)
		FROM karta_feed_rows r JOIN karta_feed_visible($DEV) v ON v.org_id = r.org_id
		WHERE v.scope = 'all' OR karta_plan_entity(r.entity_type)" | LC_ALL=C sort
}
S_ROWS=$(server_rows)
S_SUM="$(wc -l <<<"$S_ROWS") $(md5sum <<<"$S_ROWS" | cut -c1-12)"
CONVERGED=0
for ((k = 1; k <= NCLI; k++)); do
	r=$(sqlite3 -batch "$W/clients/${names[k]}.state/replica.db" \
		"SELECT entity_type || ' ' || entity_id || ' ' || row_version FROM row" | LC_ALL=C sort)
	sum="$(wc -l <<<"$r") $(md5sum <<<"$r" | cut -c1-12)"
	if [ "$sum" = "$S_SUM" ]; then CONVERGED=$((CONVERGED + 1)); else say "client ${names[k]}: replica $sum, server $S_SUM"; fi
done

# --- report ------------------------------------------------------------------------------------
read -r C_MED C_MAX C_N <<<"$(recovery "$T_CALM")"
read -r F1_MED F1_MAX F1_N <<<"$(recovery "$T1")"
read -r F2_MED F2_MAX F2_N <<<"$(recovery "$T2")"
RETRIES=$(cat "$W"/clients/c*.err 2>/dev/null | grep -c 'retrying in' || true)
SYNCS=$(cat "$W"/clients/c*.log | grep -c '^sync ')
cat <<-EOF

	karta HA test: $NCLI clients, 2 kartad behind HAProxy, Patroni node1 + node2, etcd
	  ops sent (queued by the clients):             $SENT
	  ops applied (op_log rows, outcome applied):    $APPLIED
	  items in the plan / distinct numbers:          $ITEMS / $DISTINCT
	  per client sent = applied:                     $([ "$PER_CLIENT_OK" = 1 ] && echo yes || echo NO)
	  ops still queued in outboxes:                  $QUEUED
	  ops answered "duplicate" (a lost reply resent): $(cat "$W"/kartad*.log | grep -o 'duplicate=[0-9]*' | awk -F= '{ s += $2 } END { print s + 0 }')
	  syncs run: $SYNCS, of which failed after retrying: $(failed_syncs 0 "$T_END"); retries taken: $RETRIES
	  seconds until each client's next successful sync (median / max over $NCLI clients):
	    calm (no fault, for comparison):             $C_MED / $C_MAX
	    kill -9 kartad #1:                           $F1_MED / $F1_MAX  (failed syncs: $(failed_syncs "$T1" "$T1B"))
	    kill -9 primary node$OLD (Patroni + postgres): $F2_MED / $F2_MAX  (failed syncs: $(failed_syncs "$T2" "$T2B"); node$NEW promoted after $(awk -v a="$T2" -v b="$T2P" 'BEGIN { printf "%.1f", b - a }') s)
	  replicas converged (count + checksum = server's "$S_SUM"): $CONVERGED of $NCLI
EOF
# --- the restore drill: base backup + archived WAL → a new cluster, same rows ------------------
say "restore drill: base backup + WAL archive"
qs "SELECT pg_switch_wal()" >/dev/null
LASTWAL=$(q "SELECT pg_walfile_name(pg_current_wal_lsn())")
SNAP_OPS=$(q "SELECT count(*) || ' ' || md5(string_agg(op_id::text, ',' ORDER BY op_id)) FROM op_log")
SNAP_ITEMS=$(q "SELECT count(*) || ' ' || md5(string_agg(id::text || ':' || row_version, ',' ORDER BY id)) FROM plan_item")
qs "SELECT pg_switch_wal()" >/dev/null
archived() { ls "$W/archive" | awk -v w="$LASTWAL" '$1 >= w && length($1) == 24' | grep -q .; }
wait_for 60 "WAL up to $LASTWAL archived" archived
T_R0=$(now)
cp -a "$W/basebackup" "$W/restore"
rm -f "$W/restore/standby.signal" "$W/restore/postmaster.pid"
cat >>"$W/restore/postgresql.conf" <<-EOF
	# restore drill (deploy/ha/test.sh)
	listen_addresses = ''
	port = $PGR
	unix_socket_directories = '$W/restore'
	archive_mode = off
	primary_conninfo = ''
	restore_command = 'cp $W/archive/%f %p'
	recovery_target_timeline = 'latest'
	hba_file = '$W/restore/pg_hba.conf'
	ident_file = '$W/restore/pg_ident.conf'
	data_directory = '$W/restore'
EOF
printf 'local all all trust\n' >"$W/restore/pg_hba.conf"
: >"$W/restore/pg_ident.conf"
touch "$W/restore/recovery.signal"
chown -R postgres:postgres "$W/restore"
install -o postgres -g postgres -m 0644 /dev/null "$W/restore.log"
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$W/restore" -l "$W/restore.log" -w -t 300 start >/dev/null ||
	die "the restored cluster did not start: $(tail -n 20 "$W/restore.log")"
rq() { psql -XAtq "host=$W/restore port=$PGR user=postgres dbname=karta" -c "$1"; }
wait_for 300 "restore finished (out of recovery)" sh -c "[ \"\$(psql -XAtq 'host=$W/restore port=$PGR user=postgres dbname=karta' -c 'SELECT pg_is_in_recovery()')\" = f ]"
T_R1=$(now)
R_OPS=$(rq "SELECT count(*) || ' ' || md5(string_agg(op_id::text, ',' ORDER BY op_id)) FROM op_log")
R_ITEMS=$(rq "SELECT count(*) || ' ' || md5(string_agg(id::text || ':' || row_version, ',' ORDER BY id)) FROM plan_item")
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$W/restore" -m fast -w stop >/dev/null

cat <<-EOF
	  restore drill (base backup + WAL archive → a new cluster, $(awk -v a="$T_R0" -v b="$T_R1" 'BEGIN { printf "%.1f", b - a }') s):
	    op_log     primary  $SNAP_OPS
	               restored $R_OPS
	    plan_item  primary  $SNAP_ITEMS
	               restored $R_ITEMS
EOF
ok=1
[ "$SENT" -gt 0 ] && [ "$SENT" = "$APPLIED" ] && [ "$SENT" = "$ITEMS" ] && [ "$ITEMS" = "$DISTINCT" ] || ok=0
[ "$PER_CLIENT_OK" = 1 ] && [ "$QUEUED" = 0 ] && [ "$CONVERGED" = "$NCLI" ] || ok=0
[ "$SNAP_OPS" = "$R_OPS" ] && [ "$SNAP_ITEMS" = "$R_ITEMS" ] || ok=0
[ "$ok" = 1 ] || die "a figure above is wrong"
say "PASS"
