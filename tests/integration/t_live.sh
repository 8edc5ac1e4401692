#!/usr/bin/env bash
# t_live: live updates (server/listen.c). Two kartad instances on one database: a subscriber
# (tests/tools/kt_probe "subscribe": Hello, Pull{subscribe} until caught up, then wait for
# Pokes) on instance B gets a Poke naming the feed when a client writes through instance A;
# a bulk write gives fewer Pokes than rows (coalesced); the listener reconnects after its
# backend is killed, pokes every subscriber then, and pokes still arrive afterwards; garbage
# NOTIFY payloads are ignored (a malformed list of feeds too); one statement on two feeds
# sends one notification naming both, and it pokes; so does one naming 200 feeds; a subscriber that vanishes is forgotten (no Poke to a freed
# connection: this runs under ASan in build-asan). Poke latencies (commit → receipt) are
# logged, never asserted.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_live
PROBE=$KT_BIN/tests/kt_probe
[ -x "$PROBE" ] || kt_fail "$PROBE is not built"

kt_start_kartad --log-level debug # A: the clients' configs point here
A_LOG=$KT_LOG
kt_start_kartad_extra b --log-level debug
B_PID=$KT_EXTRA_PID B_PORT=$KT_EXTRA_PORT B_LOG=$KT_EXTRA_LOG

# count_in FILE ERE: matching lines; wait_in FILE ERE MIN [TIMEOUT=20]: until MIN match.
count_in() {
	local n
	n=$(grep -Ec -- "$2" "$1" 2>/dev/null) || true
	echo "${n:-0}"
}
wait_in() {
	local f=$1 re=$2 min=$3 limit=${4:-20} i
	for ((i = 0; i <= limit * 10; i++)); do
		[ "$(count_in "$f" "$re")" -ge "$min" ] && return 0
		sleep 0.1
	done
	kt_fail "$f: no ${min}th line matching /$re/ within $limit s; it has:"$'\n'"$(cat "$f" 2>/dev/null)"
}
listeners() { # listening backends of this test's database
	kt_backends "application_name = 'kartad-listen'"
}

# --- both listeners connect --------------------------------------------------------------
wait_in "$A_LOG" 'event=listen_connected' 1 10
wait_in "$B_LOG" 'event=listen_connected' 1 10
kt_assert_eq 2 "$(listeners)" "listening backends (one per kartad)"

# --- garbage payloads are ignored (debug line, no crash) ---------------------------------
junk=("junk" "" "1:" ":5" "12:x" "-3:4" "0:1" "5:0" "1:2:3" " 1:2" "1 :2"
	"99999999999999999999:1" "1:99999999999999999999" "$(printf 'x%.0s' {1..7000})")
kt_psql "NOTIFY karta_feed, 'junk'"
for j in "${junk[@]:1}"; do
	kt_psql "SELECT pg_notify('karta_feed', \$q\$$j\$q\$)" >/dev/null
done
kt_psql "NOTIFY karta_feed, '999999:1'" # well-formed, a feed nobody reads: nothing to do
wait_in "$B_LOG" 'event=listen_bad_payload' "${#junk[@]}" 10
wait_in "$A_LOG" 'event=listen_bad_payload' "${#junk[@]}" 10
kt_kartad_alive || kt_fail "kartad A died on garbage notifications"
kt__exited "$B_PID" && kt_fail "kartad B died on garbage notifications"
kt_assert_not_contains "$(cat "$B_LOG")" "junk" "kartad log (payloads are not logged)"
# malformed lists of feeds, each ignored whole (a good entry beside a bad one moves nothing)
junk2=("1:2," ",1:2" "1:2,,3:4" "1:2,x" "1:2;3:4" "1:2, 3:4" "1:2,3:0" "1:2,3")
for j in "${junk2[@]}"; do
	kt_psql "SELECT pg_notify('karta_feed', \$q\$$j\$q\$)" >/dev/null
done
wait_in "$B_LOG" 'event=listen_bad_payload' $((${#junk[@]} + ${#junk2[@]})) 10
wait_in "$A_LOG" 'event=listen_bad_payload' $((${#junk[@]} + ${#junk2[@]})) 10
kt_kartad_alive || kt_fail "kartad A died on malformed lists of feeds"

# --- is Pull served? (the Pull handler is built separately from the listener) ------------
SUB=$KT_WORK/sub.out
start_sub() { # start_sub ORG OUT POKES: a subscriber on B in the background; sets KT_BG_PID
	kt_bg bash -c 'exec timeout 240 "$0" --server "127.0.0.1:$1" --ca "$2/ca.pem" \
		--cert "$2/$3.pem" --key "$2/$3.key" subscribe 20 "$5" >"$4" 2>&1' \
		"$PROBE" "$B_PORT" "$KT_CERTS" "$1" "$2" "$3"
}
start_sub reg "$SUB" 100
SUB_PID=$KT_BG_PID
for ((i = 0; i < 300; i++)); do
	[ "$(count_in "$SUB" '^subscribed ')" -ge 1 ] && break
	kt__exited "$SUB_PID" && break
	sleep 0.1
done
if [ "$(count_in "$SUB" '^subscribed ')" -lt 1 ]; then
	if grep -Eq 'unknown message type|not supported|unsupported' "$SUB"; then
		POKES=0
		kt_log "Pull is not served by this kartad: poke checks skipped ($(cat "$SUB"))"
	else
		kt_fail "the subscriber did not get caught up: $(cat "$SUB")"
	fi
else
	POKES=1
	kt_log "subscriber: $(head -n 1 "$SUB")"
fi

REG_ID=$(kt_psql "SELECT id FROM organization WHERE code = 'reg'")
# latency_ms LINE: receipt time of a poke line minus the commit (transaction start) of the
# newest change in reg's feed.
latency_ms() {
	local t_us c_us
	t_us=$(sed -n 's/.* t_us=\([0-9]*\).*/\1/p' <<<"$1")
	c_us=$(kt_psql "SELECT (extract(epoch FROM committed_at) * 1000000)::bigint FROM change_log
		WHERE feed_id = $REG_ID ORDER BY seq DESC LIMIT 1")
	echo "$(((t_us - c_us) / 1000)).$((((t_us - c_us) % 1000) / 100))"
}

if [ "$POKES" = 1 ]; then
	# --- a write through A pokes the subscriber on B, once -------------------------------
	sections=()
	for k in $(seq 1 10); do sections+=(--section "$k|Раздел $k"); done
	kt_ok reg plan create --title "Живые обновления" --year 2024 "${sections[@]}"
	PLAN=$(kt_id_of "$KT_OUT" plan)
	rows=$(kt_psql "SELECT count(*) FROM change_log WHERE feed_id = $REG_ID")
	wait_in "$SUB" '^poke ' 1
	line=$(grep -E '^poke ' "$SUB" | head -n 1)
	kt_assert_match "$line" '^poke reg req=0 t_us=[0-9]+$' "the first poke (feed reg only)"
	kt_log "first poke after a write of $rows rows through A: $line (latency $(latency_ms "$line") ms)"
	wait_in "$SUB" '^caught_up ' 1
	sleep 1 # stragglers of that write would come now
	n=$(count_in "$SUB" '^poke ')
	[ "$n" -lt "$rows" ] || kt_fail "$n pokes for one write of $rows rows: not coalesced"
	kt_log "pokes for one write of $rows rows: $n"

	# --- latency series: one item per write, each waits for its poke ---------------------
	lat=()
	for k in $(seq 1 10); do
		before=$(count_in "$SUB" '^poke ')
		kt_ok reg item add "$PLAN" --section 1 --number "1.$k" --title "Пункт $k" \
			--deadline "сентябрь"
		wait_in "$SUB" '^poke ' $((before + 1))
		line=$(grep -E '^poke ' "$SUB" | sed -n "$((before + 1))p")
		kt_assert_match "$line" '^poke reg req=0 ' "poke after item add $k"
		lat+=("$(latency_ms "$line")")
		wait_in "$SUB" '^caught_up ' $((before + 1))
	done
	kt_log "poke latency, commit → receipt on B, ms: ${lat[*]}"
	kt_log "sorted: $(printf '%s\n' "${lat[@]}" | sort -n | tr '\n' ' ')"

	# --- one statement on several feeds: one notification names them all -----------------
	# (karta_feed_take_n, sql/functions/30_feeds.sql: "feed:seq,feed:seq…", up to 200 a
	# notification); the subscriber of any feed it names is poked.
	kt_ok mun1 plan create --title "План УО" --year 2024 --section "1|Раздел"
	PLAN_M=$(kt_id_of "$KT_OUT" plan)
	MUN1_ID=$(kt_psql "SELECT id FROM organization WHERE code = 'mun1'")
	POKE_REG='^poke ([a-z0-9]+,)*reg(,[a-z0-9]+)* req=0 ' # a poke naming reg's feed
	before=$(count_in "$SUB" "$POKE_REG")
	note=$(psql -X "$KT_CONNINFO" -c "LISTEN karta_feed" -c "UPDATE plan SET title = title || ' ·',
		row_version = row_version + 1 WHERE id IN ('$PLAN', '$PLAN_M')" -c "SELECT 1" 2>&1)
	kt_assert_match "$note" "payload \"$(((REG_ID < MUN1_ID) ? REG_ID : MUN1_ID)):[0-9]+,$(((REG_ID < MUN1_ID) ? MUN1_ID : REG_ID)):[0-9]+\"" \
		"one notification for the statement on reg's and mun1's feeds"
	wait_in "$SUB" "$POKE_REG" $((before + 1)) # poked after a statement on two feeds
	# reg's feed the last of 200 in one notification (as many feeds as one carries)
	before=$(count_in "$SUB" "$POKE_REG")
	SEQ=$(kt_psql "SELECT last_seq FROM feed WHERE org_id = $REG_ID")
	kt_psql "SELECT pg_notify('karta_feed', string_agg(g || ':1', ',') || ',$REG_ID:$((SEQ + 1))')
		FROM generate_series(800001, 800199) g" >/dev/null
	wait_in "$SUB" "$POKE_REG" $((before + 1)) # poked after a notification naming reg 200th
	wait_in "$SUB" '^caught_up ' "$(count_in "$SUB" '^poke ')"
fi

# --- the listener's backend is killed: it reconnects (and pokes everyone) ----------------
before=$(count_in "$SUB" '^poke ')
killed=$(kt_terminate "application_name = 'kartad-listen'")
kt_assert_eq 2 "$killed" "listening backends terminated"
wait_in "$B_LOG" 'event=listen_lost' 1 10
wait_in "$B_LOG" 'event=listen_connected' 2 20
wait_in "$A_LOG" 'event=listen_connected' 2 20
kt_assert_eq 2 "$(listeners)" "listening backends after the reconnect"
if [ "$POKES" = 1 ]; then
	wait_in "$SUB" '^poke ' $((before + 1)) # notifications may have been missed: a poke
	kt_log "poke after the reconnect: $(grep -E '^poke ' "$SUB" | tail -n 1)"
	wait_in "$SUB" '^caught_up ' $((before + 1))
	before=$(count_in "$SUB" '^poke ')
	kt_ok reg item add "$PLAN" --section 2 --number 2.1 --title "После переподключения"
	wait_in "$SUB" '^poke ' $((before + 1))
	line=$(grep -E '^poke ' "$SUB" | tail -n 1)
	kt_assert_match "$line" '^poke reg req=0 ' "poke after the reconnect and a write"
	kt_log "poke after the reconnect and a write: latency $(latency_ms "$line") ms"
	wait_in "$SUB" '^caught_up ' $((before + 1))

	# --- a subscriber that vanishes is forgotten --------------------------------------
	start_sub mun1 "$KT_WORK/sub2.out" 5
	SUB2_PID=$KT_BG_PID
	wait_in "$KT_WORK/sub2.out" '^subscribed ' 1
	kt_bg_kill "$SUB2_PID"
	before=$(count_in "$SUB" '^poke ')
	kt_ok reg item add "$PLAN" --section 2 --number 2.2 --title "Без второго подписчика"
	wait_in "$SUB" '^poke ' $((before + 1))
	wait_in "$SUB" '^caught_up ' $((before + 1))
fi

kt_kartad_alive || kt_fail "kartad A died"
kt__exited "$B_PID" && kt_fail "kartad B died"
kt_bg_kill "$SUB_PID"
kt_stop_kartad_extra "$B_PID"
kt_stop_kartad
[ "$POKES" = 1 ] || kt_skip "listener checks passed; Pull is not served yet, so no poke was checked"
kt_pass
