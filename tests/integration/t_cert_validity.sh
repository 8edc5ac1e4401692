#!/usr/bin/env bash
# t_cert_validity: an expired or a not yet valid device certificate is named as such — on
# every command, not as a generic TLS failure — and `karta-admin device add` warns about it
# (issue 19). The certificates are signed by the test's CA for a given period (deploy/certs.sh
# --dated: an expired one, 2020–2021; a future one, 2099–2100). Real kartad, PostgreSQL
# and TLS: kartad refuses both at the handshake as well.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_cert_validity
kt_start_kartad

# NAME START END: a client certificate of the test's CA valid from START to END, and its config
signed() {
	"$KT_CERTSH" "$KT_CERTS" --dated "$KT_CERTS/$1" "$1" "$2" "$3" >/dev/null
	kt_write_client_conf "$KT_WORK/$1.conf" "$KT_CERTS/$1.pem" "$KT_CERTS/$1.key"
}
signed old 20200101000000Z 20210101000000Z
signed future 20990101000000Z 21000101000000Z

# karta-admin device add registers them, warning
kt_run kt_admin device add --org sch11 --cert "$KT_CERTS/old.pem" --label old
kt_assert_rc 0 "device add of an expired certificate"
kt_assert_contains "$KT_ERR" "warning: device certificate '$KT_CERTS/old.pem' expired on 2021-01-01 00:00 UTC" \
	"device add's warning"
kt_run kt_admin device add --org sch11 --cert "$KT_CERTS/future.pem" --label future
kt_assert_rc 0 "device add of a future certificate"
kt_assert_contains "$KT_ERR" "is not valid yet: it is valid from 2099-01-01 00:00 UTC" "device add's warning"
kt_run kt_admin device add --org sch12 --cert "$KT_CERTS/sch12.pem" --label fine
kt_assert_rc 0 "device add of a valid certificate"
kt_assert_not_contains "$KT_ERR" "warning" "device add of a valid certificate"
kt_assert_eq 2 "$(kt_psql "SELECT count(*) FROM device WHERE label IN ('old', 'future')")" "devices registered"

# every command names it: those that need the server fail with it, the local ones say it too
for cmd in hello "plan list" sync "rollup" status; do
	# shellcheck disable=SC2086
	kt_run kt_karta old $cmd
	kt_assert_contains "$KT_ERR" "device certificate '$KT_CERTS/old.pem' expired on 2021-01-01 00:00 UTC" \
		"stderr of karta $cmd with an expired certificate"
	kt_assert_not_contains "$KT_ERR" "handshak" "karta $cmd: no generic TLS failure"
	kt_assert_not_contains "$KT_ERR" "SSL" "karta $cmd: no OpenSSL error"
	# shellcheck disable=SC2086
	kt_run kt_karta future $cmd
	kt_assert_contains "$KT_ERR" "device certificate '$KT_CERTS/future.pem' is not valid yet" \
		"stderr of karta $cmd with a future certificate"
done
kt_run kt_karta old hello
kt_assert_rc 1 "hello with an expired certificate"
kt_run kt_karta old status
kt_assert_rc 0 "status (local) with an expired certificate"
kt_run kt_karta old --help
kt_assert_not_contains "$KT_ERR" "expired" "--help says nothing of the certificate"

# kartad refuses them at the handshake all the same (the client's check is not the guard)
refusals() { grep -c 'event=conn_error.*certificate verify failed' "$KT_LOG" || true; }
n0=$(refusals)
for c in old future; do
	echo | kt_s_client -cert "$KT_CERTS/$c.pem" -key "$KT_CERTS/$c.key" >/dev/null 2>&1 || true
done
kt_wait_until 5 eval '[ "$(refusals)" -ge $((n0 + 2)) ]' ||
	kt_fail "kartad did not refuse both certificates: $(refusals) refusals, $n0 before"
kt_ok sch11 hello # a valid certificate of the same organization works

kt_stop_kartad
kt_pass
