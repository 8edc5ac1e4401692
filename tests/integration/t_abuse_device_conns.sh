#!/usr/bin/env bash
# t_abuse_device_conns: one device (one client certificate) opens 1,000 connections — on
# today's main all 1,000 are welcomed and held (issue 16, defect 2). max_conns_per_device
# (32 by default) refuses the rest with BUSY and a message saying why; another device is
# still served. Then max_conns_per_address: TCP connections past the cap from one address
# (IPv4, then IPv6) are closed at accept, and the log says so in a bounded number of lines.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/abuse_lib.sh
. "$(dirname "$0")/abuse_lib.sh"

kt_setup t_abuse_device_conns
kt_start_kartad --hello-timeout 120
rss0=$(kt_rss_kb)

# The probe's own connection (authenticated, no Hello) holds one of the 32 slots.
abuse_probe_bg "$KT_WORK/device.out" sch11 hold 1000 hello sleep 60
holder=$ABUSE_BG
abuse_wait_file "$KT_WORK/device.out" '^hold n=1000 ' 240
out=$(head -n 1 "$KT_WORK/device.out")
kt_log "probe: $out"
kt_assert_match "$out" '^hold n=1000 welcomed=31 refused=969 failed=0 refusal="busy too many connections from this device \(limit 32\): close some and retry"$' "1,000 connections of one device"
# Rate-limited: 5 lines per 10 s however many refusals (969 here), so far fewer lines.
n=$(kt_log_count 'event=device_conns_refused')
[ "$n" -ge 1 ] && [ "$n" -le 100 ] || kt_fail "device_conns_refused logged $n times for 969 refusals"
abuse_served "1,000 connections of one device"
# The same device's real client is refused while its slots are taken, clearly …
kt_run kt_karta sch11 hello
kt_assert_rc 1 "karta hello of the device holding 32 connections"
kt_assert_contains "$KT_ERR" "too many connections from this device" "karta's refusal"
abuse_rss_within "$rss0" 65536 "1,000 connections of one device"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
# … and served again once they are gone.
for ((i = 0; i < 50; i++)); do
	kt_run kt_karta sch11 hello
	[ "$KT_RC" = 0 ] && break
	sleep 0.2
done
kt_assert_rc 0 "karta hello of the device after its connections closed"
abuse_log_bounded "1,000 connections of one device"
kt_stop_kartad

# Per address: 50 TCP connections from 127.0.0.1 against a cap of 20 (the probe's own
# connection is one of them): 19 stay, 31 are closed at accept.
kt_start_kartad --hello-timeout 120 --max-conns-per-address 20
abuse_probe sch11 hold 50 tcp wait-closed 5 >"$KT_WORK/addr.out" 2>"$KT_WORK/addr.err" ||
	kt_fail "kt_probe failed: $(cat "$KT_WORK/addr.err")"
kt_log "probe: $(tr '\n' '|' <"$KT_WORK/addr.out")"
kt_assert_eq "held open=19 closed=31" "$(sed -n 2p "$KT_WORK/addr.out")" "50 connections from one address"
n=$(kt_log_count 'event=accept_refused .*reason=max_conns_per_address')
[ "$n" -ge 1 ] && [ "$n" -le 10 ] || kt_fail "accept_refused logged $n times for 31 refusals (rate limit: 5 per 10 s)"
abuse_served "connections past the address cap"
abuse_log_bounded "connections past the address cap"
kt_stop_kartad

# The same over IPv6 (counted per /64), when the machine has ::1.
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	kt_start_kartad --hello-timeout 120 --max-conns-per-address 20 --listen "[::1]:$KT_PORT"
	"$ABUSE_PROBE" --server "::1:$KT_PORT" --ca "$KT_CERTS/ca.pem" --cert "$KT_CERTS/sch11.pem" \
		--key "$KT_CERTS/sch11.key" hold 50 tcp wait-closed 5 >"$KT_WORK/addr6.out" \
		2>"$KT_WORK/addr6.err" || kt_fail "kt_probe over IPv6 failed: $(cat "$KT_WORK/addr6.err")"
	kt_assert_eq "held open=19 closed=31" "$(sed -n 2p "$KT_WORK/addr6.out")" \
		"50 connections from ::1"
	kt_stop_kartad
else
	kt_log "no IPv6 loopback here: the per-address cap over IPv6 is not tested"
fi
kt_pass
