#!/usr/bin/env bash
# bench/load.sh: kartad under many connections, against a real kartad + PostgreSQL over
# mutual TLS (issue 16).
#   1. IDLE idle authenticated connections (TLS, Hello, Welcome, then silence) held by
#      tests/tools/kt_probe: kartad's memory per connection (RSS before/after), side by side
#      with the probe's own per connection (the same OpenSSL objects, no server state);
#   2. for each number of clients in CLIENTS: that many schools, each with its own device,
#      state dir and draft plan, run for SECONDS in a loop `karta item add` (a write through
#      an Upload) then `karta sync`; side by side, the floor: the same clients running only
#      `karta hello` (process start, TLS handshake, Hello — what every command pays).
#      Prints ops/s, p50/p99 latency, errors, and the CPU seconds of kartad and of the
#      PostgreSQL backends over the window.
# Usage: bench/load.sh [IDLE=10000] [CLIENTS="50 200"] [SECONDS=20] (IDLE 0 skips part 1,
# CLIENTS "" part 2). Needs a build in
# build/ and an open file hard limit above IDLE + 600. Prints Markdown for
# docs/performance.md. The machine is shared: keep SECONDS short.
set -euo pipefail
IDLE=${1:-10000}
CLIENTS=${2:-"50 200"}
SECS=${3:-20}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
PROBE=$KT_BIN/tests/kt_probe
TCK=$(getconf CLK_TCK)
ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
# cpu_ticks PID…: utime + stime of those processes, in clock ticks
cpu_ticks() {
	local p sum=0
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] || continue
		sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$sum"
}
rss_of() { ps -o rss= -p "$1" | tr -d ' '; }
# wait_line FILE ERE TIMEOUT
wait_line() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	kt_fail "no /$2/ in $1 after $3 s: $(cat "$1" "$1.err" 2>/dev/null)"
}
probe_bg() { # OUT STEP…: kt_probe as sch11 in the background; PROBE_PID
	local out=$1
	shift
	"$PROBE" --server "127.0.0.1:$KT_PORT" --ca "$KT_CERTS/ca.pem" --cert "$KT_CERTS/sch11.pem" \
		--key "$KT_CERTS/sch11.key" "$@" >"$out" 2>"$out.err" &
	PROBE_PID=$!
}

[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -gt $((IDLE + 600)) ] ||
	kt_fail "the open file hard limit $(ulimit -Hn) is too low for $IDLE connections"
ulimit -Sn "$(ulimit -Hn)"
kt_setup bench_load

# ---- 1. idle authenticated connections ---------------------------------------------------
idle() {
	local rss0 probe_rss1 t0 t_hold rss1 fds probe_rssN held per_conn probe_per
	kt_start_kartad --max-conns $((IDLE + 500)) --max-conns-per-device $((IDLE + 10)) \
		--max-conns-per-address $((IDLE + 500)) --hello-timeout 120
	sleep 1
	rss0=$(kt_rss_kb)
	probe_bg "$KT_WORK/one.out" hold 1 hello sleep 3600
	wait_line "$KT_WORK/one.out" '^hold n=1 welcomed=1 ' 30
	probe_rss1=$(rss_of "$PROBE_PID")
	kill "$PROBE_PID"
	wait "$PROBE_PID" 2>/dev/null || true
	echo "holding $IDLE idle authenticated connections…" >&2
	t0=$(date +%s%N)
	probe_bg "$KT_WORK/idle.out" hold "$IDLE" hello sleep 3600
	wait_line "$KT_WORK/idle.out" "^hold n=$IDLE " 1200
	t_hold=$(ms "$t0")
	sleep 2
	rss1=$(kt_rss_kb)
	fds=$(kt_nfds)
	probe_rssN=$(rss_of "$PROBE_PID")
	held=$(sed -n 's/^hold n=[0-9]* welcomed=\([0-9]*\).*/\1/p' "$KT_WORK/idle.out")
	kill "$PROBE_PID"
	wait "$PROBE_PID" 2>/dev/null || true
	per_conn=$(((rss1 - rss0) * 1024 / held))
	probe_per=$(((probe_rssN - probe_rss1) * 1024 / held))
	echo
	echo "## $IDLE idle authenticated connections"
	echo
	echo "| welcomed | kartad fds | kartad RSS before → after, KiB | kartad bytes per connection | kt_probe bytes per connection (client side, OpenSSL only) | kartad / probe | connect + TLS + Hello, conn/s |"
	echo "|---|---|---|---|---|---|---|"
	echo "| $held | $fds | $rss0 → $rss1 | $per_conn | $probe_per |" \
		"$(awk "BEGIN { printf \"%.2f\", $per_conn / $probe_per }") | $((held * 1000 / t_hold)) |"
	kt_stop_kartad 30
}
[ "$IDLE" = 0 ] || idle

# ---- 2. clients syncing and uploading -----------------------------------------------------
[ -n "${CLIENTS// /}" ] || exit 0
max=0
for n in $CLIENTS; do [ "$n" -gt "$max" ] && max=$n; done
echo "setting up $max schools with a device and a draft plan each…" >&2
names=()
for ((k = 1; k <= max; k++)); do names+=("b$k"); done
"$KT_CERTSH" "$KT_CERTS" "${names[@]}" >/dev/null
kt_psql "INSERT INTO organization(code, name, level, parent_id)
SELECT format('b%s', g), format('Школа нагрузки %s', g), 'school',
	(SELECT id FROM organization WHERE code = 'mun1') FROM generate_series(1, $max) g;
INSERT INTO plan(id, owner_org_id, level, title, academic_year)
SELECT gen_random_uuid(), id, 'school', 'План ' || code, 2026 FROM organization WHERE code ~ '^b[0-9]+$';
INSERT INTO plan_section(id, plan_id, ordinal, number, title)
SELECT gen_random_uuid(), p.id, 1, '1', 'Раздел 1' FROM plan p
JOIN organization o ON o.id = p.owner_org_id WHERE o.code ~ '^b[0-9]+$';" >/dev/null
declare -A PLAN_OF=()
while read -r code plan; do PLAN_OF[$code]=$plan; done < <(kt_psql "SELECT o.code, p.id FROM plan p
	JOIN organization o ON o.id = p.owner_org_id WHERE o.code ~ '^b[0-9]+$'" -F ' ')
for name in "${names[@]}"; do
	kt_admin device add --org "$name" --cert "$KT_CERTS/$name.pem" --role operator \
		--label "load $name" >/dev/null
	kt_write_client_conf "$KT_WORK/$name.conf" "$KT_CERTS/$name.pem" "$KT_CERTS/$name.key"
done
# 200 client processes share the 2 cores with kartad and PostgreSQL here: one may wait for
# CPU longer than the default 10 s between its TCP connect and its Hello (real clients run
# on their own machines). The first run with 10 s lost 2 of 434 uploads that way.
kt_start_kartad --hello-timeout 60

# now_us: microseconds since the epoch, without a fork (bash 5's EPOCHREALTIME)
now_us() { local t=$EPOCHREALTIME; echo $((10#${t/[.,]/})); }

# client NAME MODE END_US OUT: one client's loop; a line "KIND RC MICROSECONDS" per command
# (no fork but the command itself: the loop's own cost stays out of the figures)
client() {
	local name=$1 mode=$2 end=$3 out=$4 i=0 t rc now
	local -a cmd=("$KT_KARTA" --config "$KT_WORK/$name.conf")
	exec 3>>"$out" 4>>"$out.err"
	for (( ; ; )); do
		now=${EPOCHREALTIME/[.,]/}
		((10#$now < end)) || break
		i=$((i + 1))
		if [ "$mode" = hello ]; then
			t=${EPOCHREALTIME/[.,]/} rc=0
			"${cmd[@]}" hello >/dev/null 2>&4 || rc=$?
			now=${EPOCHREALTIME/[.,]/}
			echo "hello $rc $((10#$now - 10#$t))" >&3
			continue
		fi
		t=${EPOCHREALTIME/[.,]/} rc=0
		"${cmd[@]}" item add "${PLAN_OF[$name]}" --title "Мероприятие $i" \
			--deadline "до 1 декабря" --responsible "ОО" >/dev/null 2>&4 || rc=$?
		now=${EPOCHREALTIME/[.,]/}
		echo "upload $rc $((10#$now - 10#$t))" >&3
		t=${EPOCHREALTIME/[.,]/} rc=0
		"${cmd[@]}" sync >/dev/null 2>&4 || rc=$?
		now=${EPOCHREALTIME/[.,]/}
		echo "sync $rc $((10#$now - 10#$t))" >&3
	done
}

# pct P: the P-quantile (nearest rank) of the microseconds in column 3 of stdin, in ms
pct() {
	awk '{ print $3 }' | sort -n | awk -v p="$1" '{ v[NR] = $1 }
		END { i = int(NR * p + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR;
			printf "%.0f", v[i] / 1000 }'
}

# run N MODE: N clients for SECS seconds; prints one table row per command kind
run() {
	local n=$1 mode=$2 k pm
	local dir=$KT_WORK/run-$mode-$n
	rm -rf "$dir"
	mkdir -p "$dir"
	pm=$(head -n 1 "$(cat "$KT_PG_DIR/pgroot")/data/postmaster.pid")
	local -a backends
	mapfile -t backends < <(ps --ppid "$pm" -o pid= 2>/dev/null | tr -d ' ')
	local k0 p0 end pids=()
	k0=$(cpu_ticks "$KT_KARTAD_PID")
	p0=$(cpu_ticks "${backends[@]}")
	end=$(($(now_us) + SECS * 1000000))
	for ((k = 1; k <= n; k++)); do
		client "b$k" "$mode" "$end" "$dir/b$k" &
		pids+=($!)
	done
	wait "${pids[@]}"
	local kcpu pcpu
	kcpu=$(awk "BEGIN { printf \"%.1f\", ($(cpu_ticks "$KT_KARTAD_PID") - $k0) / $TCK }")
	pcpu=$(awk "BEGIN { printf \"%.1f\", ($(cpu_ticks "${backends[@]}") - $p0) / $TCK }")
	local kind
	for kind in $( [ "$mode" = hello ] && echo hello || echo upload sync); do
		cat "$dir"/b* | awk -v k="$kind" '$1 == k' >"$dir/$kind.all"
		local total errors p50 p99
		total=$(wc -l <"$dir/$kind.all")
		errors=$(awk '$2 != 0' "$dir/$kind.all" | wc -l)
		p50=$(pct 0.50 <"$dir/$kind.all")
		p99=$(pct 0.99 <"$dir/$kind.all")
		echo "| $n | $kind | $total | $(awk "BEGIN { printf \"%.1f\", $total / $SECS }") | $p50 | $p99 | $errors | $kcpu | $pcpu |"
	done
	if [ -n "$(cat "$dir"/*.err 2>/dev/null)" ]; then
		echo "errors of $mode with $n clients (first 5):" >&2
		cat "$dir"/*.err | sort | uniq -c | sort -rn | head -n 5 >&2
	fi
}

echo
echo "## clients in a loop for $SECS s each (karta item add + karta sync; floor: karta hello)"
echo
echo "| clients | command | done | per s | p50 ms | p99 ms | errors | kartad CPU s | PostgreSQL CPU s |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $CLIENTS; do
	echo "running $n clients (hello, then item add + sync)…" >&2
	run "$n" hello
	run "$n" work
done
applied=$(kt_psql "SELECT count(*) FROM plan_item i JOIN plan p ON p.id = i.plan_id
	JOIN organization o ON o.id = p.owner_org_id WHERE o.code ~ '^b[0-9]+$'")
ok=$(cat "$KT_WORK"/run-work-*/upload.all | awk '$2 == 0' | wc -l)
echo
echo "item add commands that succeeded: $ok; items of the load schools in PostgreSQL: $applied"
kt_stop_kartad 30
