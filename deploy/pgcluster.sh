#!/usr/bin/env bash
# pgcluster.sh: a throwaway PostgreSQL 15 cluster for development and tests.
#
#   pgcluster.sh start DIR              create (if missing) and start; prints the conninfo
#   pgcluster.sh stop DIR               fast stop and delete the cluster (ok if not running)
#   pgcluster.sh status DIR             exit 0 when running
#   pgcluster.sh conninfo DIR [DBNAME]  e.g. host=/tmp/karta-pg.X/sock port=5432 user=postgres dbname=postgres
#   pgcluster.sh createdb DIR NAME [TEMPLATE]
#                                       (re)create database NAME (dropped first if it
#                                       exists), empty or a copy of database TEMPLATE
#   pgcluster.sh psql DIR [DBNAME] [psql args…]
#   pgcluster.sh bindir                 PostgreSQL's own programs (psql without Debian's
#                                       pg_wrapper, a Perl start of ~150 ms a call)
#   pgcluster.sh crash DIR              kill -9 the postmaster (fault tests), wait for its
#                                       backends to exit; start DIR brings it back
#
# DIR holds only a file "pgroot" naming the real cluster directory, a mktemp -d
# /tmp/karta-pg.XXXXXX owned by postgres (DIR may sit in a tree the postgres user cannot
# write). Inside: data/ (PGDATA), sock/ (unix socket; no TCP), log. PostgreSQL refuses to
# run as root, so as root initdb/pg_ctl run via runuser -u postgres. Durability is off
# (fsync, synchronous_commit, full_page_writes): never use this for data you want to keep.
# PGCLUSTER_SHARED_BUFFERS (default 64MB) and PGCLUSTER_MAX_WAL_SIZE (default 1GB) size a new
# cluster (bench/lib.sh gives its clusters a server's memory).
#
# Users of a running cluster may hold a shared flock(1) on DIR/lock (the integration tests
# do); start and stop take it exclusively, so stop waits (up to $PGCLUSTER_STOP_WAIT s,
# default 280) for them: a second ctest run in the same build tree cannot pull the cluster
# out from under the first one's tests.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=5432 # only names the socket file: no TCP listener, each cluster has its own socket dir

usage() {
	sed -n '2,16s/^# \{0,1\}//p' "$0"
}

die() {
	echo "pgcluster: $*" >&2
	exit 1
}

# as_pg CMD…: runs CMD as the cluster owner (postgres when we are root, else ourselves).
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# root_of DIR: prints the recorded cluster directory, or nothing.
root_of() {
	local f=$1/pgroot
	[ -f "$f" ] || return 0
	local r
	r=$(head -n 1 "$f")
	case $r in
	/tmp/karta-pg.*) [ -d "$r" ] && printf '%s\n' "$r" ;;
	*) die "'$f' does not name a /tmp/karta-pg.* directory: '$r'" ;;
	esac
	return 0
}

is_running() {
	local root=$1
	[ -n "$root" ] && [ -f "$root/data/PG_VERSION" ] &&
		as_pg "$PG_BIN/pg_ctl" -D "$root/data" status >/dev/null 2>&1
}

conninfo() {
	local root=$1 db=${2:-postgres}
	printf 'host=%s port=%s user=postgres dbname=%s\n' "$root/sock" "$PG_PORT" "$db"
}

# lock_dir DIR MODE WAIT: flock DIR/lock on fd 8 (-x or -s). Children that outlive us
# (postgres) must not inherit fd 8: every such call closes it (8>&-).
lock_dir() {
	exec 8>>"$1/lock"
	flock "$2" -w "$3" 8
}

cmd_start() {
	local dir=$1 root
	[ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 not found in $PG_BIN (run deploy/install-deps.sh)"
	mkdir -p "$dir"
	lock_dir "$dir" -x 120 || die "'$dir/lock' stayed locked for 120 s"
	root=$(root_of "$dir")
	if is_running "$root"; then
		conninfo "$root"
		return 0
	fi
	if [ -z "$root" ] || [ ! -f "$root/data/PG_VERSION" ]; then
		[ -n "$root" ] && rm -rf -- "$root"
		root=$(mktemp -d /tmp/karta-pg.XXXXXX)
		chmod 0755 "$root" # clients of any user may reach sock/
		mkdir -m 0755 "$root/sock"
		if [ "$(id -u)" -eq 0 ]; then
			chown postgres:postgres "$root" "$root/sock"
		fi
		printf '%s\n' "$root" >"$dir/pgroot"
		if ! as_pg "$PG_BIN/initdb" -D "$root/data" --auth=trust -U postgres -E UTF8 \
			--locale=C.UTF-8 >"$root/initdb.log" 2>&1 8>&-; then
			cat "$root/initdb.log" >&2
			die "initdb failed in $root/data"
		fi
		as_pg tee -a "$root/data/postgresql.conf" >/dev/null <<-EOF

			# pgcluster.sh: throwaway cluster, unix socket only, durability off
			listen_addresses = ''
			port = $PG_PORT
			unix_socket_directories = '$root/sock'
			unix_socket_permissions = 0777
			fsync = off
			synchronous_commit = off
			full_page_writes = off
			max_connections = 200
			shared_buffers = ${PGCLUSTER_SHARED_BUFFERS:-64MB}
			max_wal_size = ${PGCLUSTER_MAX_WAL_SIZE:-1GB}
			log_min_messages = warning
			log_line_prefix = '%m [%p] %d '
		EOF
	fi
	if ! as_pg "$PG_BIN/pg_ctl" -D "$root/data" -l "$root/log" -w -t 60 start >/dev/null 8>&-; then
		tail -n 30 "$root/log" >&2 || true
		die "cannot start PostgreSQL in $root/data (log above)"
	fi
	conninfo "$root"
}

cmd_stop() {
	local dir=$1 root wait=${PGCLUSTER_STOP_WAIT:-280}
	[ -d "$dir" ] || return 0
	if ! lock_dir "$dir" -x "$wait"; then
		echo "pgcluster: warning: '$dir/lock' still held after $wait s: stopping anyway" >&2
	fi
	root=$(root_of "$dir")
	if [ -n "$root" ]; then
		if is_running "$root"; then
			as_pg "$PG_BIN/pg_ctl" -D "$root/data" -m fast -w -t 60 stop >/dev/null 8>&- ||
				echo "pgcluster: warning: pg_ctl stop failed in $root" >&2
		fi
		rm -rf -- "$root"
	fi
	rm -f -- "$dir/pgroot"
	return 0
}

# cmd_crash DIR: SIGKILL to the postmaster, as a crash would; its backends notice and exit
# (up to 30 s), so that a start may follow.
cmd_crash() {
	local root pid kids i
	root=$(need_running "$1")
	pid=$(head -n 1 "$root/data/postmaster.pid")
	kids=$(pgrep -P "$pid" | tr '\n' ' ' || true)
	kill -KILL "$pid"
	for ((i = 0; i < 300; i++)); do
		# shellcheck disable=SC2086 # a list of pids
		[ -n "$kids" ] && ps -o pid= -p $kids >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	die "the backends of the killed postmaster $pid did not exit in 30 s"
}

need_running() {
	local root
	root=$(root_of "$1")
	is_running "$root" || die "no running cluster in '$1' (pgcluster.sh start $1)"
	printf '%s\n' "$root"
}

cmd_createdb() {
	local dir=$1 name=$2 template=${3:-} root ident from=
	root=$(need_running "$dir")
	ident=\"${name//\"/\"\"}\"
	[ -z "$template" ] || from=" TEMPLATE \"${template//\"/\"\"}\""
	PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 \
		"$(conninfo "$root" postgres)" \
		-c "DROP DATABASE IF EXISTS $ident WITH (FORCE)" \
		-c "CREATE DATABASE $ident$from" >/dev/null
}

main() {
	local cmd=${1:-}
	case $cmd in
	-h | --help | help) usage; exit 0 ;;
	bindir) echo "$PG_BIN"; exit 0 ;;
	start | stop | status | conninfo | createdb | psql | crash) ;;
	'') usage >&2; exit 2 ;;
	*) echo "pgcluster: unknown command '$cmd'" >&2; usage >&2; exit 2 ;;
	esac
	[ $# -ge 2 ] || { usage >&2; exit 2; }
	local dir=$2
	shift 2
	case $cmd in
	start) cmd_start "$dir" ;;
	stop) cmd_stop "$dir" ;;
	status) is_running "$(root_of "$dir")" ;;
	crash) cmd_crash "$dir" ;;
	conninfo)
		local root
		root=$(root_of "$dir")
		[ -n "$root" ] || die "no cluster in '$dir' (pgcluster.sh start $dir)"
		conninfo "$root" "${1:-postgres}"
		;;
	createdb)
		[ $# -eq 1 ] || [ $# -eq 2 ] || { usage >&2; exit 2; }
		cmd_createdb "$dir" "$@"
		;;
	psql)
		local root db=${1:-postgres}
		root=$(need_running "$dir")
		[ $# -gt 0 ] && shift
		exec "$PG_BIN/psql" -X "$(conninfo "$root" "$db")" "$@"
		;;
	esac
}

main "$@"
