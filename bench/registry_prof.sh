#!/usr/bin/env bash
# bench/registry_prof.sh: where the registry import's time goes, in one run (issue 18). The
# region of bench/registry.sh (kt_gen_region, fixed seed), then `karta registry import
# participants` of its 30,000 rows with: the client under `perf record -g`, kartad's database
# backends under `perf record -g -p`, every function's time (track_functions = 'all',
# pg_stat_user_functions), and the CPU of the client, kartad and the backends
# (/proc/PID/schedstat). Leaves perf data and reports in $KT_WORK/prof/ (printed).
# Usage: bench/registry_prof.sh [SCALE=1]. Needs a build in build/ and perf.
set -euo pipefail
SCALE=${1:-1}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_region bench_registry_prof
P=$KT_WORK/prof
mkdir -p "$P"
# the client alone: a dry run (read and check) and an offline import (read, check, queue,
# commit) from copies of the region's state, the server unreachable
for how in ${KT_PROF_ALONE-dry offline}; do
	rm -rf "$KT_WORK/$how.state"
	sed -e "s|reg.state|$how.state|" "$KT_WORK/reg.conf" >"$KT_WORK/$how.conf"
	"$KT_KARTA" --config "$KT_WORK/$how.conf" sync >/dev/null # the organizations, as the import's first sync
	sed -i -e "s|^server = .*|server = 127.0.0.1:1|" "$KT_WORK/$how.conf"
	a=(); [ "$how" = dry ] && a=(--dry-run)
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$P/$how.time" "$KT_KARTA" --config "$KT_WORK/$how.conf" registry import \
		"${a[@]}" participants "$G/participants.csv" >"$P/$how.out" 2>&1 || true
	echo "client alone, $how: wall $(ms "$t0") ms; user/sys s, peak KiB: $(cat "$P/$how.time")"
done
if [ "${KT_PROF_EXPLAIN:-0}" = 1 ]; then # every statement over 20 ms explained with its timing
	for s in "session_preload_libraries = 'auto_explain'" "auto_explain.log_min_duration = 20" \
		"auto_explain.log_analyze = on" "auto_explain.log_nested_statements = on" \
		"auto_explain.log_level = warning"; do
		kt_psql "ALTER DATABASE $KT_DB SET $s" >/dev/null
	done
	kt_stop_kartad
	kt_start_kartad
fi
kt_psql "ALTER SYSTEM SET track_functions = 'all'" >/dev/null
kt_psql "SELECT pg_reload_conf()" >/dev/null
kt_psql "SELECT pg_stat_reset()" >/dev/null
sleep 0.5
cpu() { awk '{ s += $1 } END { printf "%d", s / 1e6 }' "$@" 2>/dev/null || echo 0; }
backends() { kt_psql "SELECT string_agg(pid::text, ',') FROM pg_stat_activity
	WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"; }
BE=$(backends)
echo "backends: $BE" >&2
be_cpu() { local s=0 p; for p in ${BE//,/ }; do s=$((s + $(cpu /proc/"$p"/schedstat))); done; echo "$s"; }
b0=$(be_cpu); k0=$(cpu /proc/"$KT_KARTAD_PID"/schedstat)
PERF=(perf record -q -g -F 999 -o "$P/client.data" --)
if [ "${KT_PROF_PERF:-1}" = 1 ]; then
	perf record -q -g -F 999 -p "$BE" -o "$P/backends.data" 2>"$P/perf-be.err" &
	PB=$!
	sleep 0.3
else
	PERF=()
fi
L0=$(wc -l <"$KT_LOG")
t0=$(date +%s%N)
/usr/bin/time -f '%U %S %M' -o "$P/client.time" "${PERF[@]}" \
	"$KT_KARTA" --config "$KT_WORK/reg.conf" registry import participants "$G/participants.csv" \
	>"$KT_WORK/import.out" 2>"$KT_WORK/import.err" || kt_fail "import: $(tail -n 3 "$KT_WORK/import.err")"
t_imp=$(ms "$t0")
[ -z "${PB:-}" ] || { kill -INT "$PB"; wait "$PB" || true; }
b1=$(be_cpu); k1=$(cpu /proc/"$KT_KARTAD_PID"/schedstat)
echo "import wall $t_imp ms; client user/sys s, peak KiB: $(cat "$P/client.time"); kartad CPU $((k1 - k0)) ms; backends CPU $((b1 - b0)) ms (load $(cut -d' ' -f1-3 /proc/loadavg))"
grep 'org=reg ' "$KT_LOG" | grep -o 'event=[a-z_]*' | sort | uniq -c | tr '\n' ' '; echo
# kartad's log: the first connection to the first Upload's answer, first to last answer, the
# last answer to the last close
tail -n +$((L0 + 1)) "$KT_LOG" | grep 'org=reg ' | python3 -c '
import sys, datetime as d
ev = [(d.datetime.fromisoformat(l.split()[0][3:].rstrip("Z")), l) for l in sys.stdin]
auth = [t for t, l in ev if "event=auth" in l][0]
up = [t for t, l in ev if "event=upload " in l]
close = [t for t, l in ev if "event=close" in l][-1]
ms = lambda a, b: int((b - a).total_seconds() * 1000)
print("timeline: to the first answer %d ms, first to last answer %d ms (%d Uploads), to the close %d ms" % (ms(auth, up[0]), ms(up[0], up[-1]), len(up), ms(up[-1], close)))'

kt_psql "SELECT funcname, calls, round(total_time) total_ms, round(self_time) self_ms
	FROM pg_stat_user_functions ORDER BY self_time DESC LIMIT 25" >"$P/functions.txt"
cat "$P/functions.txt"
[ "${KT_PROF_PERF:-1}" = 1 ] && perf report -i "$P/client.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -60 >"$P/client.txt" || true
[ "${KT_PROF_PERF:-1}" = 1 ] && perf report -i "$P/client.data" --no-children --sort comm,dso --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -30 >"$P/client-threads.txt" || true
[ "${KT_PROF_PERF:-1}" = 1 ] && perf report -i "$P/backends.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -80 >"$P/backends.txt" || true
cp "$(cat "$KT_PG_DIR/pgroot")/log" "$P/postgres.log" 2>/dev/null || true
echo "perf: $P"
kt_stop_kartad
