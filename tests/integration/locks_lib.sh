# shellcheck shell=bash
# locks_lib.sh: locks held and backends watched or ended by a test — sourced by lib.sh.
# Tests run in parallel, each on its own database of one shared cluster, so every look at
# pg_stat_activity or pg_locks goes through here and sees this test's database only (a test
# that ended every 'kartad' backend of the cluster once killed another test's Uploads).
#   kt_backends COND          how many backends of this database match COND (SQL on pg_stat_activity)
#   kt_terminate COND         ends them; prints how many
#   kt_wait_no_backend COND   waits (up to 10 s) until none matches
#   kt_hold_lock / kt_release_lock / kt_wait_blocked / kt_sync_stopped / kt_stop_upload   (below)

kt_backends() {
	kt_psql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND ($1)"
}

kt_terminate() {
	kt_psql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND ($1)"
}

kt_wait_no_backend() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(kt_backends "$1")" = 0 ] && return 0
		sleep 0.1
	done
	return 0 # the caller asserts on what the backend left
}

# kt_hold_lock TABLE [MODE=EXCLUSIVE]: a psql session (kt_bg, pid KT_LOCK_PID) holds a lock on
# TABLE until kt_release_lock (or the database dies): with EXCLUSIVE, writers of TABLE wait
# mid-transaction; with ACCESS EXCLUSIVE, readers too. Returns once the lock is held.
kt_hold_lock() {
	local mode=${2:-EXCLUSIVE}
	kt_bg psql -XAtq "$KT_CONNINFO application_name=kt_hold_lock" -c "BEGIN;
		LOCK TABLE $1 IN $mode MODE; SELECT pg_sleep(600)"
	KT_LOCK_PID=$KT_BG_PID
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(kt_psql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			JOIN pg_database d ON d.oid = l.database AND d.datname = current_database()
			WHERE c.relname = '$1' AND lower(l.mode) = lower('${mode// /}lock') AND l.granted")" = 1 ] &&
			return 0
		sleep 0.1
	done
	kt_fail "could not lock $1"
}

# kt_sync_stopped DEV OUT TABLE PATTERN [MODE]: locks TABLE (kt_hold_lock, MODE), starts
# DEV's `karta sync` in the background (output in OUT, pid in SYNC) and waits until its
# request — a kartad query LIKE PATTERN ('%karta_upload%', '%karta_pull%') — waits for the lock.
# shellcheck disable=SC2034 # SYNC is for the caller
kt_sync_stopped() {
	kt_hold_lock "$3" "${5:-EXCLUSIVE}"
	kt_bg "$KT_KARTA" --config "$KT_WORK/$1.conf" sync >"$2" 2>&1
	SYNC=$KT_BG_PID
	kt_wait_blocked "$4"
}

# kt_release_lock: ends the session of kt_hold_lock (its backend sleeps on after psql dies).
kt_release_lock() {
	kt_terminate "application_name = 'kt_hold_lock'" >/dev/null
	kt_bg_kill "$KT_LOCK_PID"
}

# kt_wait_blocked PATTERN: waits (up to 20 s) until a kartad query matching PATTERN (LIKE)
# waits for a lock — e.g. an upload stopped mid-transaction by kt_hold_lock.
kt_wait_blocked() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(kt_backends "application_name = 'kartad' AND wait_event_type = 'Lock'
			AND query LIKE '$1'")" -ge 1 ] && return 0
		sleep 0.1
	done
	kt_fail "no kartad query like '$1' waiting for a lock"
}

# kt_stop_upload HOW: an Upload waiting mid-transaction (kt_hold_lock, kt_wait_blocked) is
# stopped — HOW kartad: kartad killed (-KILL; restart it with kt_start_kartad), backend: its
# database backend terminated — and then the lock released.
kt_stop_upload() {
	if [ "$1" = kartad ]; then
		kill -KILL "$KT_KARTAD_PID"
		wait "$KT_KARTAD_PID" 2>/dev/null || true
		KT_KARTAD_PID=
	else
		kt_terminate "application_name = 'kartad' AND query LIKE '%karta_upload%'" >/dev/null
	fi
	kt_release_lock
}
