#!/usr/bin/env bash
# t_privacy_logs: no kartad log line of the whole test run carries personal data. Runs after
# every other integration test of the run (CTest DEPENDS, tests/CMakeLists.txt): collects the
# surnames and СНИЛС of every participant and staff member in every test database of the
# cluster, and looks for each in every kartad log under test-work/. Alone (ctest -R) there
# is nothing to look at, and it says so.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

KT_NAME=t_privacy_logs
KT_WORK=$KT_BIN/test-work/$KT_NAME
kt__lock_and_cluster
rm -rf -- "$KT_WORK"
mkdir -p "$KT_WORK"
ADMIN=$("$KT_PGCLUSTER" conninfo "$KT_PG_DIR" postgres)
: >"$KT_WORK/people"
for db in $(psql -XAtq "$ADMIN" -c "SELECT datname FROM pg_database WHERE datname LIKE 't\_%'"); do
	ci=$("$KT_PGCLUSTER" conninfo "$KT_PG_DIR" "$db")
	[ "$(psql -XAtq "$ci" -c "SELECT to_regclass('participant') IS NOT NULL")" = t ] || continue
	# surnames of 4 letters or more (shorter ones could be parts of words), СНИЛС as written
	psql -XAtq "$ci" -c "SELECT surname FROM participant UNION SELECT surname FROM staff
		UNION SELECT snils FROM participant UNION SELECT snils FROM staff" |
		awk 'length($0) >= 4' >>"$KT_WORK/people"
done
sort -u -o "$KT_WORK/people" "$KT_WORK/people"
mapfile -t LOGS < <(find "$KT_BIN/test-work" -path "$KT_WORK" -prune -o -name 'kartad*.log' -print)
N=$(wc -l <"$KT_WORK/people")
[ "$N" -gt 0 ] && [ "${#LOGS[@]}" -gt 0 ] ||
	kt_skip "no test databases with people, or no kartad logs: run with the other tests"
kt_log "$N surnames and СНИЛС from the test databases, ${#LOGS[@]} kartad logs"
if grep -F -f "$KT_WORK/people" -- "${LOGS[@]}" >"$KT_WORK/hits"; then
	kt_fail "personal data in kartad logs: $(head -n 3 "$KT_WORK/hits")"
fi
# the check can fail: a line with a known surname is found
printf 'ts=x lvl=info event=probe who=%s\n' "$(head -n 1 "$KT_WORK/people")" >"$KT_WORK/kartad.probe.log"
grep -q -F -f "$KT_WORK/people" "$KT_WORK/kartad.probe.log" || kt_fail "the probe line was not caught"
kt_pass
