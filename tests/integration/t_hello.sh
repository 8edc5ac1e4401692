#!/usr/bin/env bash
# t_hello: the mutual-TLS handshake + Hello/Welcome as region, municipality and school;
# ping round trips; the server log names the connection and the org and leaks no key material.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_hello
kt_start_kartad --log-level debug

for org in reg mun1 sch11; do
	kt_run kt_karta "$org" hello
	kt_assert_rc 0 "karta hello as $org"
	out=$KT_OUT
	kt_log "hello as $org:"$'\n'"$out"
	kt_assert_match "$out" '^server +kartad [0-9]+\.[0-9]+\.[0-9]+ \(protocol 1\)$' "hello as $org"
	kt_assert_match "$out" "^org +$org «${KT_ORG_NAME[$org]}» \\(${KT_ORG_LEVEL[$org]}\\)\$" "hello as $org"
	kt_assert_match "$out" "^role +${KT_ORG_ROLE[$org]}\$" "hello as $org"
	fp=$(kt_fingerprint "$KT_CERTS/$org.pem")
	kt_assert_match "$out" "^device +$fp\$" "hello as $org (device = SHA-256 of $org.pem)"
	# Nothing but the hello output on stdout, and nothing at all on stderr.
	kt_assert_eq "" "$KT_ERR" "karta hello stderr as $org"
done

# Global flags override the config file: mun1's config with sch12's certificate is sch12.
kt_run kt_karta mun1 --cert "$KT_CERTS/sch12.pem" --key "$KT_CERTS/sch12.key" hello
kt_assert_rc 0 "karta --cert sch12.pem hello"
kt_assert_match "$KT_OUT" '^org +sch12 ' "karta --cert sch12.pem hello"

# ping: one line per round trip, then the summary.
kt_run kt_karta mun1 ping -n 5
kt_assert_rc 0 "karta ping -n 5"
kt_log "ping:"$'\n'"$KT_OUT"
kt_assert_match "$KT_OUT" '^5 pings: min [0-9.]+ avg [0-9.]+ max [0-9.]+ ms$' "ping summary"
lines=$(grep -c . <<<"$KT_OUT")
kt_assert_eq 6 "$lines" "ping -n 5 output lines (5 round trips + summary)"

# The log: a hello line carrying a connection id and the org, for each org that came.
for org in reg mun1 sch11 sch12; do
	line=$(grep -E "(^| )org=$org( |$)" "$KT_LOG" | grep -E '(^| )conn=[^ ]+' | head -n 1 || true)
	[ -n "$line" ] || kt_fail "no log line with conn=… and org=$org"
done
kt_assert_match "$(cat "$KT_LOG")" '(^| )event=hello( |$)' "kartad log"

# No private material in the log: no PEM key blocks, no base64 body of any key we made.
log=$(cat "$KT_LOG" "$KT_WORK/kartad.stdout")
kt_assert_not_contains "$log" "PRIVATE KEY" "kartad log"
for key in "$KT_CERTS"/*.key; do
	name=$(basename "$key")
	# shellcheck disable=SC2094 # $key is only read
	while read -r b64; do
		case $b64 in -----*) continue ;; esac
		# The last 16 characters of each base64 line: past the DER prefix that every
		# P-256 key shares, so they are this key's own material.
		kt_assert_not_contains "$log" "${b64: -16}" "kartad log (material of $name)"
	done <"$key"
done

# kartad does not hold the test library's lock fds (work dir, cluster): a kartad left behind
# by a killed run would make the next run of the test wait 240 s for its work dir.
held=$(find "/proc/$KT_KARTAD_PID/fd" -lname '*lock' -printf '%l\n' 2>/dev/null || true)
kt_assert_eq "" "$held" "kartad's open lock files"

kt_stop_kartad
kt_pass
