#!/usr/bin/env bash
# t_timeouts: kartad drops connections that stall. Hello timeout: a TCP client that never
# starts TLS, and a TLS client that never sends Hello. Idle timeout: a connection that said
# Hello, got its Welcome and then went quiet.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_timeouts

# within_ms WHAT MS MIN MAX: MIN <= MS < MAX, else fail.
within_ms() {
	if [ "$2" -lt "$3" ] || [ "$2" -ge "$4" ]; then
		kt_fail "$1: took $2 ms, expected between $3 and $4 ms"
	fi
	kt_log "$1: closed after $2 ms"
}

# ---- hello timeout ----------------------------------------------------------------------
kt_start_kartad --hello-timeout 2

# 1. TCP connected, no TLS ClientHello ever: dropped after ~2 s with EOF (or a reset).
start=$(date +%s%N)
exec 3<>"/dev/tcp/127.0.0.1/$KT_PORT"
rc=0
timeout 8 cat <&3 >/dev/null 2>&1 || rc=$?
ms=$(kt_elapsed_ms "$start")
exec 3<&- 3>&-
[ "$rc" != 124 ] || kt_fail "silent TCP client: still connected after 8 s (hello timeout 2 s)"
within_ms "silent TCP client" "$ms" 1500 6000

# 2. TLS completed (with a valid client certificate), then nothing: dropped after ~2 s.
#    -quiet implies -ign_eof: s_client stays connected after its stdin ends, until the
#    server closes.
start=$(date +%s%N)
rc=0
timeout 10 openssl s_client -quiet -connect "127.0.0.1:$KT_PORT" -servername localhost \
	-CAfile "$KT_CERTS/ca.pem" -cert "$KT_CERTS/mun1.pem" -key "$KT_CERTS/mun1.key" \
	</dev/null >"$KT_WORK/nohello.out" 2>&1 || rc=$?
ms=$(kt_elapsed_ms "$start")
[ "$rc" != 124 ] || kt_fail "TLS client without Hello: still connected after 10 s"
within_ms "TLS client without Hello" "$ms" 1500 6000
grep -Eq 'verify return:1|depth=0' "$KT_WORK/nohello.out" ||
	kt_fail "TLS client without Hello: the TLS handshake itself did not run:
$(cat "$KT_WORK/nohello.out")"

kt_run kt_karta mun1 hello
kt_assert_rc 0 "karta hello with --hello-timeout 2 (a prompt client is not affected)"
kt_stop_kartad

# ---- idle timeout -----------------------------------------------------------------------
# The shell cannot speak protobuf, so capture the real client's Hello frame: point karta at
# an openssl s_server (same certificates) that writes whatever it receives to a file, then
# replay that frame to kartad over s_client and stay silent.
cap_port=$(kt_free_port)
# shellcheck disable=SC2016 # expanded by the inner bash
kt_bg bash -c 'exec 2>"$1/capture.err"; sleep 30 | openssl s_server -quiet -naccept 1 \
	-Verify 1 -verify_return_error -accept "$2" -cert "$3/server.pem" -key "$3/server.key" \
	-CAfile "$3/ca.pem" >"$1/hello.bin"' capture "$KT_WORK" "$cap_port" "$KT_CERTS"
cap_pid=$KT_BG_PID
for ((i = 0; i < 50; i++)); do
	[ -n "$(ss -Hltn "sport = :$cap_port")" ] && break
	sleep 0.1
done
timeout 3 "$KT_KARTA" --config "$KT_WORK/mun1.conf" --server "127.0.0.1:$cap_port" hello \
	>/dev/null 2>&1 || true
sleep 0.3
kt_bg_kill "$cap_pid"
hello_bytes=$(stat -c %s "$KT_WORK/hello.bin")
if [ "$hello_bytes" -lt 16 ]; then
	kt_skip "idle timeout not tested: could not capture karta's Hello frame ($hello_bytes bytes;
$(cat "$KT_WORK/capture.err"))"
fi
kt_log "captured a $hello_bytes-byte Hello frame"

kt_start_kartad --hello-timeout 30 --idle-timeout 2
fp=$(kt_fingerprint "$KT_CERTS/mun1.pem")
start=$(date +%s%N)
rc=0
timeout 12 openssl s_client -quiet -connect "127.0.0.1:$KT_PORT" -servername localhost \
	-CAfile "$KT_CERTS/ca.pem" -cert "$KT_CERTS/mun1.pem" -key "$KT_CERTS/mun1.key" \
	<"$KT_WORK/hello.bin" >"$KT_WORK/welcome.bin" 2>"$KT_WORK/idle.err" || rc=$?
ms=$(kt_elapsed_ms "$start")
# The Welcome carries the device fingerprint as a string: proof the replayed Hello worked.
if ! grep -aq "$fp" "$KT_WORK/welcome.bin"; then
	kt_skip "idle timeout not tested: the replayed Hello got no Welcome from kartad (rc $rc)"
fi
[ "$rc" != 124 ] || kt_fail "idle connection: still open after 12 s (idle timeout 2 s)"
within_ms "idle connection after Welcome" "$ms" 1500 7000

kt_run kt_karta mun1 ping -n 3
kt_assert_rc 0 "karta ping with --idle-timeout 2"
kt_stop_kartad
kt_pass
