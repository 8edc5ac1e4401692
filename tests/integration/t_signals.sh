#!/usr/bin/env bash
# t_signals: SIGHUP reloads the TLS certificates (a renewed server certificate is served
# from the next connection; a broken or mismatched one is logged and the old context kept);
# SIGTERM exits 0 within 5 s even with a client connected.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_signals
kt_start_kartad

OK_RE='lvl=(debug|info|notice|warn)[^ ]* .*event=tls_reload'
ERR_RE='lvl=error .*event=tls_reload'

# served_fp: fingerprint of the certificate kartad presents now.
served_fp() {
	{ kt_s_client -cert "$KT_CERTS/mun1.pem" -key "$KT_CERTS/mun1.key" </dev/null 2>/dev/null || true; } |
		sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' >"$KT_WORK/served.pem"
	[ -s "$KT_WORK/served.pem" ] || kt_fail "no server certificate from s_client"
	kt_fingerprint "$KT_WORK/served.pem"
}

# hup_and_wait ERE: SIGHUP, then wait for one more log line matching ERE.
hup_and_wait() {
	local before
	before=$(kt_log_count "$1")
	kill -HUP "$KT_KARTAD_PID"
	kt_wait_log "$1" 5 $((before + 1))
}

hello_ok() {
	kt_run kt_karta mun1 hello
	kt_assert_rc 0 "karta hello $1"
	kt_assert_match "$KT_OUT" '^org +mun1 ' "karta hello $1"
}

hello_ok "before any reload"
fp_old=$(kt_fingerprint "$KT_CERTS/server.pem")
kt_assert_eq "$fp_old" "$(served_fp)" "served certificate at start"

# 1. Renewed server certificate, same CA: swapped in by SIGHUP.
mkdir -p "$KT_WORK/renew"
cp "$KT_CERTS/ca.pem" "$KT_CERTS/ca.key" "$KT_WORK/renew/"
"$KT_CERTSH" "$KT_WORK/renew" >/dev/null
fp_new=$(kt_fingerprint "$KT_WORK/renew/server.pem")
[ "$fp_new" != "$fp_old" ] || kt_fail "certs.sh made the same server certificate twice"
cp "$KT_WORK/renew/server.key" "$KT_CERTS/server.key.new"
cp "$KT_WORK/renew/server.pem" "$KT_CERTS/server.pem.new"
mv "$KT_CERTS/server.key.new" "$KT_CERTS/server.key"
mv "$KT_CERTS/server.pem.new" "$KT_CERTS/server.pem"
hup_and_wait "$OK_RE"
kt_assert_eq 0 "$(kt_log_count "$ERR_RE")" "tls_reload errors after a good reload"
hello_ok "after reloading a renewed certificate"
kt_assert_eq "$fp_new" "$(served_fp)" "served certificate after SIGHUP"
kt_log "reloaded: now serving ${fp_new:0:16}…"

# 2. Broken certificate file: an error line, the server keeps the renewed context.
cp "$KT_CERTS/server.pem" "$KT_WORK/server.pem.good"
printf 'this is not a certificate\n' >"$KT_CERTS/server.pem"
hup_and_wait "$ERR_RE"
kt_kartad_alive || kt_fail "kartad died on SIGHUP with a broken certificate"
hello_ok "after a failed reload (broken certificate)"
kt_assert_eq "$fp_new" "$(served_fp)" "served certificate after a failed reload"

# 3. A valid certificate whose key does not match (the key from before the renewal).
cp "$KT_WORK/server.pem.good" "$KT_CERTS/server.pem"
cp "$KT_WORK/renew/server.key" "$KT_WORK/server.key.good"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$KT_CERTS/server.key" 2>/dev/null
hup_and_wait "$ERR_RE"
kt_kartad_alive || kt_fail "kartad died on SIGHUP with a mismatched key"
hello_ok "after a failed reload (mismatched key)"
kt_assert_eq "$fp_new" "$(served_fp)" "served certificate after a mismatched-key reload"

# 4. Fixed again: a later SIGHUP succeeds.
cp "$KT_WORK/server.key.good" "$KT_CERTS/server.key"
hup_and_wait "$OK_RE"
hello_ok "after the files were fixed"

# 5. SIGTERM with an idle TLS client connected: exit 0 within 5 s.
# (-quiet implies -ign_eof: s_client stays connected until the server closes)
kt_bg openssl s_client -quiet -connect "127.0.0.1:$KT_PORT" -servername localhost \
	-CAfile "$KT_CERTS/ca.pem" -cert "$KT_CERTS/sch11.pem" -key "$KT_CERTS/sch11.key" \
	</dev/null >/dev/null 2>&1
sleep 0.5
start=$(date +%s%N)
kt_stop_kartad 5
kt_log "SIGTERM: exit 0 after $(kt_elapsed_ms "$start") ms"
kt_pass
