# shellcheck shell=bash
# lib.sh: sourced by every tests/integration/t_*.sh.
#
# A test gets its own work dir ($KT_BIN/test-work/NAME), its own database NAME in the
# cluster CTest's "pg" fixture started in $KT_PG_DIR (deploy/pgcluster.sh), its own
# certificates (deploy/certs.sh) and its own kartad on a free port below 32768, so tests
# run in parallel. Typical test:
#
#   . "$(dirname "$0")/lib.sh"
#   kt_setup t_example            # db + certs + migrate + demo orgs + configs
#   kt_start_kartad               # waits for event=listening
#   out=$(kt_karta mun1 hello)
#   kt_assert_contains "$out" "mun1"
#   kt_stop_kartad                # SIGTERM, asserts exit 0
#   kt_pass
#
# Demo organizations (all with a device = client certificate $KT_CERTS/<code>.pem):
#   reg «Тестовая область» (region, coordinator)
#   ├─ mun1 (municipality, operator): sch11, sch12 (schools, operator)
#   └─ mun2 (municipality, operator): sch21 (school, operator)
#
# Runnable by hand as well: without CTest's environment it uses $KT_SRC/build and starts
# the cluster in $KT_BIN/test-pg if needed (stop it with deploy/pgcluster.sh stop DIR).
set -euo pipefail
set -E # the ERR trap fires inside functions too

KT_SRC=${KT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KT_BIN=${KT_BIN:-$KT_SRC/build}
KT_PG_DIR=${KT_PG_DIR:-$KT_BIN/test-pg}
KT_KARTAD=$KT_BIN/server/kartad
KT_ADMIN=$KT_BIN/server/karta-admin
KT_KARTA=$KT_BIN/client/karta
KT_PGCLUSTER=$KT_SRC/deploy/pgcluster.sh
KT_CERTSH=$KT_SRC/deploy/certs.sh
# PostgreSQL's own client programs first on PATH: Debian's /usr/bin/psql is pg_wrapper, a
# Perl script that costs ~150 ms a call before psql starts (a test's hundreds of kt_psql
# calls spent most of their time there, and a bench's timed psql its floor's).
PATH=$("$KT_PGCLUSTER" bindir):$PATH
KT_TEST=$(basename "$0" .sh)

KT_NAME=          # set by kt_setup
KT_WORK=          # work dir of this test
KT_CERTS=         # its certificates
KT_DB=            # its database name
KT_CONNINFO=      # libpq conninfo of that database
KT_PORT=          # kartad's port
KT_METRICS_PORT=  # its /metrics and /health port (plain HTTP, loopback)
KT_KARTAD_CONF=   # kartad config file
KT_LOG=           # current kartad log (stderr), one file per start
KT_KARTAD_PID=    # pid of the running kartad, empty when none
KT_KARTAD_RC=     # exit status of the last kartad stopped by kt_stop_kartad
KT_STARTS=0
KT_BG_PIDS=()     # process groups started by kt_bg, killed at exit
KT_OUT='' KT_ERR='' KT_RC='' # results of kt_run

KT_ORGS=(reg mun1 mun2 sch11 sch12 sch21)
declare -A KT_ORG_NAME=(
	[reg]="Тестовая область"
	[mun1]="Первый муниципальный округ"
	[mun2]="Второй муниципальный округ"
	[sch11]="Школа № 11"
	[sch12]="Школа № 12"
	[sch21]="Школа № 21"
)
declare -A KT_ORG_LEVEL=(
	[reg]=region [mun1]=municipality [mun2]=municipality
	[sch11]=school [sch12]=school [sch21]=school
)
declare -A KT_ORG_PARENT=([reg]="" [mun1]=reg [mun2]=reg [sch11]=mun1 [sch12]=mun1 [sch21]=mun2)
declare -A KT_ORG_ROLE=(
	[reg]=coordinator [mun1]=operator [mun2]=operator
	[sch11]=operator [sch12]=operator [sch21]=operator
)

# ---------------------------------------------------------------------------------------
# Reporting and assertions

kt_log() {
	printf '[%s %s] %s\n' "$KT_TEST" "$(date +%H:%M:%S)" "$*" >&2
}

KT_FAILED=''
kt_fail() {
	KT_FAILED=1
	printf '[%s] FAIL: %s\n' "$KT_TEST" "$*" >&2
	exit 1
}

kt_pass() {
	printf '[%s] PASS\n' "$KT_TEST" >&2
}

# kt_skip MSG: the rest of the test cannot run here (CTest shows it as passed; the log says why).
kt_skip() {
	printf '[%s] SKIP: %s\n' "$KT_TEST" "$*" >&2
	exit 0
}

# kt_assert_eq EXPECTED ACTUAL [WHAT]
kt_assert_eq() {
	[ "$1" == "$2" ] || kt_fail "${3:-value}: expected '$1', got '$2'"
}

# kt_assert_contains HAYSTACK NEEDLE [WHAT]  (fixed string)
kt_assert_contains() {
	[[ $1 == *"$2"* ]] || kt_fail "${3:-output} does not contain '$2'; it was:"$'\n'"$1"
}

kt_assert_not_contains() {
	[[ $1 != *"$2"* ]] || kt_fail "${3:-output} contains '$2'; it was:"$'\n'"$1"
}

# kt_assert_match HAYSTACK ERE [WHAT]  (grep -E, case-insensitive with KT_ICASE=1)
kt_assert_match() {
	local flags=-Eq
	[ "${KT_ICASE:-0}" = 1 ] && flags=-Eqi
	grep $flags -- "$2" <<<"$1" || kt_fail "${3:-output} does not match /$2/; it was:"$'\n'"$1"
}

# kt_run CMD…: runs CMD without tripping set -e; sets KT_RC, KT_OUT (stdout), KT_ERR (stderr).
kt_run() {
	local o e
	o=$(mktemp) e=$(mktemp)
	KT_RC=0
	"$@" >"$o" 2>"$e" || KT_RC=$?
	KT_OUT=$(cat "$o") KT_ERR=$(cat "$e")
	rm -f "$o" "$e"
}

# kt_assert_rc EXPECTED [WHAT]: checks KT_RC from the last kt_run.
kt_assert_rc() {
	[ "$KT_RC" == "$1" ] ||
		kt_fail "${2:-command}: exit $KT_RC, expected $1"$'\n'"stdout: $KT_OUT"$'\n'"stderr: $KT_ERR"
}

# ---------------------------------------------------------------------------------------
# Traps: always stop what we started; on failure show where and the server's last words.

kt__on_err() {
	# Only the test's own shell reports; $(…) subshells inherit the trap.
	[ "$BASHPID" = "$$" ] && [ -z "$KT_FAILED" ] || return 0
	KT_FAILED=1 # report the innermost failing command only
	printf '[%s] error: line %s: exit %s: %s\n' "$KT_TEST" "$2" "$1" "$3" >&2
}

kt__on_exit() {
	local rc=$?
	set +e
	trap - ERR # cleaning up: a process that is already gone is not an error
	local g
	for g in "${KT_BG_PIDS[@]}"; do
		kill -KILL -- "-$g" 2>/dev/null
	done
	if [ -n "$KT_KARTAD_PID" ]; then
		kill -TERM "$KT_KARTAD_PID" 2>/dev/null
		local i
		for ((i = 0; i < 50; i++)); do
			kt__exited "$KT_KARTAD_PID" && break
			sleep 0.1
		done
		kill -KILL "$KT_KARTAD_PID" 2>/dev/null
		wait "$KT_KARTAD_PID" 2>/dev/null
		KT_KARTAD_PID=
	fi
	if [ "$rc" -ne 0 ] && [ -n "$KT_LOG" ] && [ -f "$KT_LOG" ]; then
		printf '[%s] --- last 30 lines of %s ---\n' "$KT_TEST" "$KT_LOG" >&2
		tail -n 30 "$KT_LOG" >&2
		printf '[%s] ---\n' "$KT_TEST" >&2
	fi
	exit "$rc"
}

trap 'kt__on_err $? $LINENO "$BASH_COMMAND"' ERR
trap kt__on_exit EXIT

# kt__exited PID: the process is gone or a zombie (kill -0 still succeeds on our zombies).
kt__exited() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
	[[ -z $st || $st == Z* ]]
}

# kt_wait_until SECONDS CMD…: runs CMD every 0.1 s until it succeeds; status 1 if it never
# did within SECONDS (the caller says what failed).
kt_wait_until() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# kt__said_or_gone FILE ERE PID: FILE has a line matching ERE, or PID has exited.
kt__said_or_gone() { grep -Eq -- "$2" "$1" 2>/dev/null || kt__exited "$3"; }

# kt_wait_said FILE ERE PID [SECONDS=30]: waits until the output FILE of process PID says
# ERE or PID exits — the caller then asserts on FILE (never fails by itself).
kt_wait_said() { kt_wait_until "${4:-30}" kt__said_or_gone "$1" "$2" "$3" || true; }

# kt_bg CMD…: runs CMD in the background in its own process group (killed at exit);
# sets KT_BG_PID. For pipelines: kt_bg bash -c '…'.
kt_bg() {
	setsid "$@" &
	KT_BG_PID=$!
	KT_BG_PIDS+=("$KT_BG_PID")
}

# kt_bg_kill PID: kills a kt_bg process group now.
kt_bg_kill() {
	kill -KILL -- "-$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------
# Ports, certificates, database

# kt_free_port: prints a port in 20000-31999 nobody listens on (ports below 32768 never
# collide with the kernel's ephemeral range; randomness keeps parallel tests apart).
kt_free_port() {
	local p i
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + RANDOM % 12000))
		if command -v ss >/dev/null; then
			[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] || continue
		fi
		if (exec 9<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			continue
		fi
		echo "$p"
		return 0
	done
	kt_fail "no free port found"
}

# kt_fingerprint PEM: SHA-256 of the certificate (DER), lower-case hex without colons.
kt_fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' |
		tr 'A-F' 'a-f'
}

# kt_psql SQL [psql args…]: runs SQL in the test database, unaligned tuples only.
kt_psql() {
	local sql=$1
	shift
	psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" "$@" -c "$sql"
}

# kt_createdb NAME [TEMPLATE]: (re)creates another database in the cluster (a copy of
# TEMPLATE if given), prints its conninfo.
kt_createdb() {
	"$KT_PGCLUSTER" createdb "$KT_PG_DIR" "$@" >/dev/null
	"$KT_PGCLUSTER" conninfo "$KT_PG_DIR" "$1"
}

# kt_admin ARGS…: karta-admin against the test database.
kt_admin() {
	timeout 60 "$KT_ADMIN" --db "$KT_CONNINFO" "$@"
}

# kt_karta ORG ARGS…: the client with ORG's config; extra global flags may come first
# (kt_karta mun1 --cert x.pem --key x.key hello).
kt_karta() {
	local org=$1
	shift
	timeout 30 "$KT_KARTA" --config "$KT_WORK/$org.conf" "$@"
}

# kt_s_client ARGS…: openssl s_client to kartad, verifying the server against our CA.
kt_s_client() {
	openssl s_client -connect "127.0.0.1:$KT_PORT" -servername localhost \
		-CAfile "$KT_CERTS/ca.pem" -nocommands "$@"
}

kt__need_binaries() {
	local b
	for b in "$KT_KARTAD" "$KT_ADMIN" "$KT_KARTA"; do
		[ -x "$b" ] || kt_fail "'$b' is not built (cmake --build $KT_BIN)"
	done
}

kt__write_configs() {
	KT_METRICS_PORT=$(kt_free_port)
	cat >"$KT_KARTAD_CONF" <<-EOF
		; kartad config for test $KT_NAME (written by tests/integration/lib.sh)
		[server]
		listen = 127.0.0.1:$KT_PORT
		hello_timeout = 10
		idle_timeout = 120

		[tls]
		cert_file = $KT_CERTS/server.pem
		key_file = $KT_CERTS/server.key
		ca_file = $KT_CERTS/ca.pem

		[db]
		conninfo = $KT_CONNINFO
		pool_size = 4

		[limits]
		max_frame_bytes = 4194304

		[metrics]
		listen = 127.0.0.1:$KT_METRICS_PORT
	EOF
	local org
	for org in "${KT_ORGS[@]}"; do
		kt_write_client_conf "$KT_WORK/$org.conf" "$KT_CERTS/$org.pem" "$KT_CERTS/$org.key"
	done
}

# kt_write_client_conf FILE CERT KEY [CA [STATE]]: a karta client config for this test's server;
# its local replica (state dir) is FILE without .conf, plus .state.
kt_write_client_conf() {
	cat >"$1" <<-EOF
		[client]
		server = 127.0.0.1:$KT_PORT
		server_name = localhost
		cert_file = $2
		key_file = $3
		ca_file = ${4:-$KT_CERTS/ca.pem}
		state_dir = ${5:-${1%.conf}.state}
	EOF
}

# Two ctest runs in one build tree (several engineers, one checkout) must not trample each
# other: the same test waits for its work dir (exclusive lock), and every test holds a
# shared lock on the cluster dir, which pgcluster.sh stop waits for.
KT_WORK_LOCK_FD=''
KT_PG_LOCK_FD=''
kt__lock_and_cluster() {
	mkdir -p "$KT_BIN/test-work"
	exec {KT_WORK_LOCK_FD}>>"$KT_BIN/test-work/$KT_NAME.lock"
	if ! flock -x -n "$KT_WORK_LOCK_FD"; then
		kt_log "another run of $KT_NAME is using $KT_WORK: waiting (up to 240 s)"
		flock -x -w 240 "$KT_WORK_LOCK_FD" || kt_fail "$KT_BIN/test-work/$KT_NAME.lock stayed locked"
	fi
	local attempt
	for ((attempt = 1; attempt <= 3; attempt++)); do
		if ! "$KT_PGCLUSTER" status "$KT_PG_DIR"; then
			kt_log "no PostgreSQL in $KT_PG_DIR: starting one (stop: $KT_PGCLUSTER stop $KT_PG_DIR)"
			# postgres outlives us: it must not inherit our lock fds
			"$KT_PGCLUSTER" start "$KT_PG_DIR" >/dev/null {KT_WORK_LOCK_FD}>&-
		fi
		exec {KT_PG_LOCK_FD}>>"$KT_PG_DIR/lock"
		flock -s -w 60 "$KT_PG_LOCK_FD" || kt_fail "cannot share-lock $KT_PG_DIR/lock"
		"$KT_PGCLUSTER" status "$KT_PG_DIR" && return 0
		exec {KT_PG_LOCK_FD}>&- # stopped meanwhile: start it again
	done
	kt_fail "no PostgreSQL cluster in $KT_PG_DIR"
}

# kt__without_locks CMD…: execs CMD with the work and cluster lock fds closed. A process that
# may outlive the test (kartad left by a killed bench, postgres) must not hold them: the next
# run of the test would wait 240 s for its work dir, and the cluster's stop for its lock.
kt__without_locks() {
	[ -z "$KT_WORK_LOCK_FD" ] || exec {KT_WORK_LOCK_FD}>&-
	[ -z "$KT_PG_LOCK_FD" ] || exec {KT_PG_LOCK_FD}>&-
	exec "$@"
}

# kt_setup NAME [--no-migrate]: work dir, database NAME, certificates, migrations, the demo
# organizations with one device each, kartad.conf and <org>.conf. --no-migrate stops after
# creating the (empty) database and the files.
kt_setup() {
	KT_NAME=$1
	local migrate=1
	[ "${2:-}" = --no-migrate ] && migrate=0
	kt__need_binaries
	KT_WORK=$KT_BIN/test-work/$KT_NAME
	KT_CERTS=$KT_WORK/certs
	KT_DB=$KT_NAME
	KT_KARTAD_CONF=$KT_WORK/kartad.conf
	kt__lock_and_cluster
	rm -rf -- "$KT_WORK"
	mkdir -p "$KT_WORK"
	kt__certs
	KT_PORT=$(kt_free_port)
	if [ "$migrate" = 0 ]; then
		KT_CONNINFO=$(kt_createdb "$KT_DB")
		kt__write_configs
		return 0
	fi
	local template
	template=$(kt__populated_template) || kt_fail "the populated template database could not be made"
	KT_CONNINFO=$(kt_createdb "$KT_DB" "$template")
	kt__write_configs
	kt_log "setup: db $KT_DB, work $KT_WORK, port $KT_PORT"
}

# kt_kartad_refuses WHAT CONNINFO: kartad must exit non-zero (not hang, not listen) on that
# database, saying why (schema, migrate) in its log.
kt_kartad_refuses() {
	local what=$1 db=$2 log=$KT_WORK/refuse-$1.log rc=0
	timeout 20 "$KT_KARTAD" --config "$KT_KARTAD_CONF" --db "$db" >/dev/null 2>"$log" || rc=$?
	[ "$rc" != 124 ] || kt_fail "kartad on the $what database: still running after 20 s"
	[ "$rc" != 0 ] || kt_fail "kartad on the $what database: exited 0"
	! grep -q 'event=listening' "$log" || kt_fail "kartad on the $what database: started listening"
	KT_ICASE=1 kt_assert_match "$(cat "$log")" 'schema|migrat' "kartad's log on the $what database"
	kt_log "kartad refuses the $what database (exit $rc): $(grep -Ei 'schema|migrat' "$log" | head -n 1)"
}

# kt_setup_sql NAME: for tests of the SQL alone (no kartad, no certificates): a work dir and
# a database migrated by karta-admin (sql/NNNN_*.sql, then sql/functions/).
kt_setup_sql() {
	KT_NAME=$1
	KT_WORK=$KT_BIN/test-work/$KT_NAME
	KT_DB=$KT_NAME
	kt__need_binaries
	kt__lock_and_cluster
	rm -rf -- "$KT_WORK"
	mkdir -p "$KT_WORK"
	KT_CONNINFO=$(kt_createdb "$KT_DB")
	timeout 120 "$KT_ADMIN" --db "$KT_CONNINFO" migrate >"$KT_WORK/migrate.out" 2>&1 ||
		kt_fail "migrations failed: $(cat "$KT_WORK/migrate.out")"
}

# kt_old_sql DIR: sql/ as main had it before the functions moved to sql/functions/ (schema
# version 24, every function defined in its migration), into DIR — from the vendored archive
# tests/fixtures/old-sql/ (the tests need no git history).
kt_old_sql() {
	mkdir -p "$1"
	tar -xzf "$KT_SRC/tests/fixtures/old-sql/sql-4089ea8.tar.gz" -C "$1" ||
		kt_fail "cannot unpack tests/fixtures/old-sql/sql-4089ea8.tar.gz into $1"
}

# kt_psql_migrations CONNINFO FILE…: applies old-style migration FILEs with psql in one
# transaction, recorded in schema_migrations as karta-admin migrate would.
kt_psql_migrations() {
	local db=$1 f b
	shift
	{
		echo "CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now());"
		for f in "$@"; do
			cat "$f"
			b=$(basename "$f")
			echo ";INSERT INTO schema_migrations(version, name) VALUES ($((10#${b:0:4})), '$b');"
		done
	} | psql -XAtq -v ON_ERROR_STOP=1 -1 "$db" >/dev/null
}

# ---------------------------------------------------------------------------------------
# The client's plan commands

# kt_id_of OUTPUT KIND: the uuid in the line "KIND <uuid> …" that create/derive/import print.
kt_id_of() { sed -n "s/^$2 \\([0-9a-f-]\\{36\\}\\) .*/\\1/p" <<<"$1" | head -n 1; }

# kt_ok ORG ARGS…: karta as ORG must exit 0; KT_OUT and KT_ERR hold its output.
kt_ok() {
	local org=$1
	shift
	kt_run kt_karta "$org" "$@"
	kt_assert_rc 0 "karta $* (as $org)"
}

# kt_refused ORG PATTERN ARGS…: karta as ORG must exit 1 with PATTERN (ERE, any case) on stderr.
kt_refused() {
	local org=$1 pat=$2
	shift 2
	kt_run kt_karta "$org" "$@"
	kt_assert_rc 1 "karta $* (as $org)"
	KT_ICASE=1 kt_assert_match "$KT_ERR" "$pat" "stderr of karta $* (as $org)"
}

# kt_sql_refused FN ORG JSON STATUS [ERE]: the SQL write function FN, called as ORG's device
# through the test's own `call FN ORG JSON` (which prints "status|message…"), answers STATUS
# (with a message matching ERE) and changes nothing the test's own `snapshot` covers.
kt_sql_refused() {
	local before out
	before=$(snapshot)
	out=$(call "$1" "$2" "$3")
	kt_assert_eq "$4" "${out%%|*}" "$1 as $2 ($3) → $out"
	[ -z "${5:-}" ] || KT_ICASE=1 kt_assert_match "$out" "$5" "$1 as $2"
	kt_assert_eq "$before" "$(snapshot)" "database after the refused $1 as $2"
}

# kt_plan_snapshot: one checksum over every plan, section, item and history row, to show
# that a refused request changed nothing.
kt_plan_snapshot() {
	kt_psql "SELECT md5(coalesce(string_agg(t, '|' ORDER BY t), '')) FROM (
	SELECT p::text AS t FROM plan p UNION ALL SELECT s::text FROM plan_section s
	UNION ALL SELECT i::text FROM plan_item i UNION ALL SELECT h::text FROM item_history h) x"
}

# ---------------------------------------------------------------------------------------
# kartad

kt_kartad_alive() {
	[ -n "$KT_KARTAD_PID" ] && ! kt__exited "$KT_KARTAD_PID"
}

# kt_start_kartad [FLAGS…]: starts kartad with kartad.conf plus FLAGS, stderr to a new
# $KT_LOG; waits up to 10 s for event=listening. Retries on another port if the chosen one
# was taken meanwhile.
# shellcheck disable=SC2120 # flags are optional
kt_start_kartad() {
	[ -z "$KT_KARTAD_PID" ] || kt_fail "kt_start_kartad: kartad already running"
	local attempt i
	for ((attempt = 1; attempt <= 3; attempt++)); do
		if [ -n "$(ss -Hltn "sport = :$KT_PORT" 2>/dev/null)" ]; then
			KT_PORT=$(kt_free_port)
			kt__write_configs
		fi
		KT_STARTS=$((KT_STARTS + 1))
		KT_LOG=$KT_WORK/kartad.$KT_STARTS.log
		kt__without_locks "$KT_KARTAD" --config "$KT_KARTAD_CONF" "$@" \
			>>"$KT_WORK/kartad.stdout" 2>"$KT_LOG" &
		KT_KARTAD_PID=$!
		kt_wait_said "$KT_LOG" 'event=listening' "$KT_KARTAD_PID" 10
		if grep -q 'event=listening' "$KT_LOG"; then
			kt_log "kartad pid $KT_KARTAD_PID listening on 127.0.0.1:$KT_PORT (log $KT_LOG)"
			return 0
		fi
		if ! kt__exited "$KT_KARTAD_PID"; then
			kill -KILL "$KT_KARTAD_PID" 2>/dev/null || true
			wait "$KT_KARTAD_PID" 2>/dev/null || true
			KT_KARTAD_PID=
			kt_fail "kartad did not log event=listening within 10 s"
		fi
		local rc=0
		wait "$KT_KARTAD_PID" || rc=$?
		KT_KARTAD_PID=
		if grep -Eqi 'address already in use|EADDRINUSE' "$KT_LOG"; then
			kt_log "port $KT_PORT was taken, retrying on another"
			KT_PORT=$(kt_free_port)
			kt__write_configs
			continue
		fi
		kt_fail "kartad exited with status $rc before listening"
	done
	kt_fail "kartad could not bind a port in 3 attempts"
}

# kt_stop_kartad [TIMEOUT=10]: SIGTERM; fails unless kartad exits 0 within TIMEOUT seconds.
# shellcheck disable=SC2120 # the timeout is optional
kt_stop_kartad() {
	local limit=${1:-10} pid=$KT_KARTAD_PID i
	[ -n "$pid" ] || kt_fail "kt_stop_kartad: kartad is not running"
	kill -TERM "$pid" 2>/dev/null || true
	if ! kt_wait_until "$limit" kt__exited "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		KT_KARTAD_PID=
		kt_fail "kartad did not exit within $limit s of SIGTERM"
	fi
	KT_KARTAD_RC=0
	wait "$pid" || KT_KARTAD_RC=$?
	KT_KARTAD_PID=
	[ "$KT_KARTAD_RC" = 0 ] || kt_fail "kartad exited with status $KT_KARTAD_RC after SIGTERM"
}

# kt_start_kartad_extra NAME [FLAGS…]: one more kartad on the same database and config,
# on its own port, stderr to $KT_WORK/kartad-NAME.log; waits up to 10 s for
# event=listening. Sets KT_EXTRA_PID, KT_EXTRA_PORT, KT_EXTRA_LOG. It runs in its own process
# group (killed at exit like kt_bg); stop it with kt_stop_kartad_extra. The clients'
# configs keep talking to the main instance ($KT_PORT).
kt_start_kartad_extra() {
	local name=$1 attempt i
	shift
	for ((attempt = 1; attempt <= 3; attempt++)); do
		KT_EXTRA_PORT=$(kt_free_port)
		[ "$KT_EXTRA_PORT" != "$KT_PORT" ] || continue
		KT_EXTRA_LOG=$KT_WORK/kartad-$name.log
		KT_EXTRA_METRICS_PORT=$(kt_free_port)
		kt_bg "$KT_KARTAD" --config "$KT_KARTAD_CONF" --listen "127.0.0.1:$KT_EXTRA_PORT" \
			--metrics-listen "127.0.0.1:$KT_EXTRA_METRICS_PORT" "$@" \
			>>"$KT_WORK/kartad-$name.stdout" 2>"$KT_EXTRA_LOG"
		KT_EXTRA_PID=$KT_BG_PID
		kt_wait_said "$KT_EXTRA_LOG" 'event=listening' "$KT_EXTRA_PID" 10
		if grep -q 'event=listening' "$KT_EXTRA_LOG"; then
			kt_log "kartad $name pid $KT_EXTRA_PID listening on 127.0.0.1:$KT_EXTRA_PORT (log $KT_EXTRA_LOG)"
			return 0
		fi
		kt_bg_kill "$KT_EXTRA_PID"
		grep -Eqi 'address already in use|EADDRINUSE' "$KT_EXTRA_LOG" ||
			kt_fail "kartad $name did not start listening (log $KT_EXTRA_LOG)"
		kt_log "port $KT_EXTRA_PORT was taken, retrying on another"
	done
	kt_fail "kartad $name could not bind a port in 3 attempts"
}

# kt_stop_kartad_extra PID [TIMEOUT=10]: SIGTERM to an instance of kt_start_kartad_extra;
# fails unless it exits 0 within TIMEOUT seconds.
kt_stop_kartad_extra() {
	local pid=$1 limit=${2:-10} i rc=0
	kill -TERM "$pid" 2>/dev/null || true
	if ! kt_wait_until "$limit" kt__exited "$pid"; then
		kt_bg_kill "$pid"
		kt_fail "kartad pid $pid did not exit within $limit s of SIGTERM"
	fi
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || kt_fail "kartad pid $pid exited with status $rc after SIGTERM"
}

# kt_log_count ERE: how many lines of the current kartad log match.
kt_log_count() {
	grep -Ec -- "$1" "$KT_LOG" || true
}

# kt_wait_log ERE [TIMEOUT=5] [MIN_COUNT=1]: waits until at least MIN_COUNT log lines match.
kt_wait_log() {
	local re=$1 limit=${2:-5} min=${3:-1} i
	for ((i = 0; i <= limit * 10; i++)); do
		[ "$(kt_log_count "$re")" -ge "$min" ] && return 0
		sleep 0.1
	done
	kt_fail "kartad log has no (${min}th) line matching /$re/ after $limit s"
}

# kt_rss_kb: kartad's resident set size in KiB.
kt_rss_kb() {
	ps -o rss= -p "$KT_KARTAD_PID" | tr -d ' '
}

# kt_nfds: how many file descriptors kartad holds.
kt_nfds() {
	find "/proc/$KT_KARTAD_PID/fd" -mindepth 1 -maxdepth 1 | wc -l
}

# kt_elapsed_ms START_NS: milliseconds since START_NS (from date +%s%N).
kt_elapsed_ms() {
	echo $((($(date +%s%N) - $1) / 1000000))
}

# ---------------------------------------------------------------------------------------
# Replicas, forged ops and fault injection (t_fault_*.sh, t_record_op_kinds.sh)

# kt_sq ORG SQL: runs SQL on ORG's local replica (its state dir from <org>.conf). It waits
# (up to 10 s) for a lock a running karta holds — a fill out of WAL mode locks the whole file
# while it commits a page — instead of failing with "database is locked".
kt_sq() {
	local st
	st=$(sed -n 's/^state_dir = //p' "$KT_WORK/$1.conf")
	sqlite3 -batch -cmd '.timeout 10000' "$st/replica.db" "$2"
}

# kt_slow_first_pull DEV MS OUT: DEV's first pull from an empty replica, in the background
# (KT_BG_PID), every page held MS ms (KARTA_TEST_PAGE_DELAY_MS); its output to OUT.
kt_slow_first_pull() {
	rm -rf "$KT_WORK/$1.state"
	kt_bg env KARTA_TEST_PAGE_DELAY_MS="$2" "$KT_KARTA" --config "$KT_WORK/$1.conf" sync >"$3" 2>&1
}

# kt_wait_rows DEV MIN PAUSE [WHERE]: polls DEV's replica (300 times, PAUSE s apart) until
# its table row (WHERE) holds more than MIN rows; the last count stays in n.
kt_wait_rows() {
	local i
	for ((i = 0; i < 300; i++)); do
		n=$(kt_sq "$1" "SELECT count(*) FROM row${4:+ WHERE $4}" 2>/dev/null || echo 0)
		[ "${n:-0}" -gt "$2" ] && break
		sleep "$3"
	done
}

# kt_dev_id ORG: the device id of ORG's test certificate.
kt_dev_id() {
	kt_psql "SELECT d.id FROM device d WHERE d.label = 'test device $1'"
}

# kt_server_rows ORG: "type id version" of every row ORG's device may read, as the server
# holds it now (the synced tables themselves, not the change log), sorted.
kt_server_rows() {
	kt_psql "SELECT r.entity_type || ' ' || r.entity_id || ' ' || coalesce(r.row_version, 0)
		FROM karta_feed_rows r JOIN karta_feed_visible($(kt_dev_id "$1")) v ON v.org_id = r.org_id
		WHERE v.scope = 'all' OR karta_plan_entity(r.entity_type)" | LC_ALL=C sort
}

# kt_replica_rows ORG: the same lines from ORG's replica.
kt_replica_rows() {
	kt_sq "$1" "SELECT entity_type || ' ' || entity_id || ' ' || row_version FROM row" |
		LC_ALL=C sort
}

# kt_assert_replica_eq ORG [WHAT]: ORG's replica equals the server by row count and by an
# MD5 checksum of the sorted "type id version" lines.
kt_assert_replica_eq() {
	local s r
	s=$(kt_server_rows "$1") r=$(kt_replica_rows "$1")
	kt_assert_eq "$(wc -l <<<"$s")" "$(wc -l <<<"$r")" "${2:-replica of $1}: row count"
	kt_assert_eq "$(md5sum <<<"$s")" "$(md5sum <<<"$r")" "${2:-replica of $1}: checksum"
	[ -n "$s" ] || kt_fail "${2:-replica of $1}: the server has no rows for $1 (nothing compared)"
}

# kt_pb_varint N / kt_pb_str FIELD TEXT / kt_pb_int FIELD N: protobuf encoding, as hex, of a
# varint, a length-delimited string field and a varint field — to forge op bodies.
kt_pb_varint() {
	local n=$1
	while ((n >= 128)); do
		printf '%02x' $(((n & 127) | 128))
		n=$((n >> 7))
	done
	printf '%02x' "$n"
}
kt_pb_str() {
	local hex
	hex=$(printf '%s' "$2" | od -An -tx1 -v | tr -d ' \n')
	printf '%02x' $((($1 << 3) | 2))
	kt_pb_varint $((${#hex} / 2))
	printf '%s' "$hex"
}
kt_pb_int() {
	printf '%02x' $(($1 << 3))
	kt_pb_varint "$2"
}

# kt_outbox_forge ORG OP_ID MSG_TYPE BODY_HEX: queues an op in ORG's outbox as a modified
# client would (no local checks).
kt_outbox_forge() {
	kt_sq "$1" "INSERT INTO outbox(op_id, msg_type, body, summary, created_at)
		VALUES ('$2', $3, X'$4', 'forged op', datetime('now'))"
}

# kt_uuid: a fresh random UUID.
kt_uuid() { cat /proc/sys/kernel/random/uuid; }

# kt_wait_exit PID [TIMEOUT=60]: waits for a kt_bg process to exit; its status in KT_RC.
kt_wait_exit() {
	kt_wait_until "${2:-60}" kt__exited "$1" || kt_fail "process $1 did not exit within ${2:-60} s"
	KT_RC=0
	wait "$1" || KT_RC=$?
}

# kt_offline_plan_edits DEV FIELD TITLE: DEV creates the plan TITLE with six items (1.1–1.6)
# and syncs; then,
# offline (DEV-off.conf: a server that cannot be reached), edits each item's --FIELD to
# "правка N" and adds items 1.7 and 1.8: eight ops queued in DEV's outbox. Sets PLAN and
# OPS (the op ids, in queue order).
kt_offline_plan_edits() {
	local dev=$1 field=$2 n
	kt_ok "$dev" plan create --title "$3" --year 2026 --section "1|Организационные мероприятия"
	PLAN=$(kt_id_of "$KT_OUT" plan)
	for n in 1 2 3 4 5 6; do
		kt_ok "$dev" item add "$PLAN" --section 1 --number "1.$n" --title "Пункт $n" \
			--deadline "до 1 декабря"
	done
	kt_ok "$dev" sync
	sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/$dev.conf" >"$KT_WORK/$dev-off.conf"
	for n in 1 2 3 4 5 6; do
		kt_ok "$dev-off" item edit "$(kt_psql "SELECT id FROM plan_item WHERE number = '1.$n'")" \
			"--$field" "правка $n"
	done
	kt_ok "$dev-off" item add "$PLAN" --section 1 --number 1.7 --title "Пункт 7" --deadline "до 1 мая"
	kt_ok "$dev-off" item add "$PLAN" --section 1 --number 1.8 --title "Пункт 8" --deadline "до 1 июня"
	OPS=$(kt_sq "$dev" "SELECT op_id FROM outbox ORDER BY client_seq")
	kt_assert_eq 8 "$(wc -l <<<"$OPS")" "ops queued offline"
}

# kt_need_ru: the rest of the test needs the ru_RU.UTF-8 locale (deploy/install-deps.sh makes it).
kt_need_ru() {
	locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\?8$' ||
		kt_skip "no ru_RU.UTF-8 locale (deploy/install-deps.sh makes it)"
}

# kt_ru CMD…, kt_en CMD…: CMD as a Russian (ru_RU.UTF-8) or an English (C.UTF-8) user runs it:
# LANG alone, no LC_ALL or LANGUAGE over it.
kt_ru() { LANG=ru_RU.UTF-8 LC_ALL= LANGUAGE= "$@"; }
kt_en() { LANG=C.UTF-8 LC_ALL= LANGUAGE= "$@"; }

# Locks held and backends ended — always within this test's own database.
# shellcheck source=tests/integration/locks_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/locks_lib.sh"

# A test's certificates and populated database, copied (kt_setup).
# shellcheck source=tests/integration/setup_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/setup_lib.sh"
