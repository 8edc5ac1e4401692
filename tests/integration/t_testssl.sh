#!/usr/bin/env bash
# t_testssl: an outside audit of kartad's TLS with Debian's testssl.sh. Offered protocols
# must be TLS 1.2 and 1.3 only (1.3 required), every offered cipher AEAD (GCM,
# CHACHA20-POLY1305, CCM), and no vulnerability check may report VULNERABLE.
# testssl runs without a client certificate unless it supports --mtls (3.2+): protocol and
# cipher checks only need the ServerHello, which kartad sends before asking for one.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

TESTSSL=$(command -v testssl || command -v testssl.sh || true)
[ -n "$TESTSSL" ] || kt_fail "testssl.sh is not installed (deploy/install-deps.sh installs it)"

kt_setup t_testssl
kt_start_kartad

json=$KT_WORK/testssl.json
rm -f "$json"
args=(--quiet --color 0 --warnings off --openssl /usr/bin/openssl --openssl-timeout 10
	--jsonfile "$json" -p -E -U)
if "$TESTSSL" --help 2>&1 | grep -q -- '--mtls'; then
	cat "$KT_CERTS/mun1.pem" "$KT_CERTS/mun1.key" >"$KT_WORK/mtls.pem"
	chmod 0600 "$KT_WORK/mtls.pem"
	args+=(--mtls "$KT_WORK/mtls.pem")
	kt_log "testssl supports --mtls: scanning with a client certificate"
fi

start=$(date +%s%N)
rc=0
timeout 240 "$TESTSSL" "${args[@]}" "127.0.0.1:$KT_PORT" >"$KT_WORK/testssl.out" 2>&1 || rc=$?
kt_log "testssl finished in $(kt_elapsed_ms "$start") ms, exit $rc (1..n = ambiguous results, >= 240 = fatal)"
if [ "$rc" = 124 ] || [ "$rc" -ge 240 ] || [ ! -s "$json" ]; then
	cat "$KT_WORK/testssl.out" >&2
	kt_fail "testssl did not complete (exit $rc)"
fi

# Flat JSON (one "key" : "value" per line, objects closed by "}") -> id<TAB>severity<TAB>finding
awk '
	function val(s) { sub(/^[^:]*:[ \t]*"/, "", s); sub(/"[ \t]*,?[ \t]*$/, "", s); return s }
	/^[ \t]*"id"[ \t]*:/       { id = val($0) }
	/^[ \t]*"severity"[ \t]*:/ { sev = val($0) }
	/^[ \t]*"finding"[ \t]*:/  { fin = val($0) }
	/^[ \t,]*}/ { if (id != "") print id "\t" sev "\t" fin; id = sev = fin = "" }
' "$json" >"$KT_WORK/findings.tsv"

finding() { awk -F'\t' -v id="$1" '$1 == id { print $3; exit }' "$KT_WORK/findings.tsv"; }

problems=()

# Protocols.
for p in SSLv2 SSLv3 TLS1 TLS1_1; do
	f=$(finding "$p")
	case $f in
	"not offered"*) ;;
	*) problems+=("protocol $p: '$f' (must be not offered)") ;;
	esac
done
f=$(finding TLS1_3)
case $f in
offered*) ;;
*) problems+=("protocol TLS1_3: '$f' (must be offered)") ;;
esac
f=$(finding TLS1_2)
case $f in
offered* | "not offered"*) ;;
*) problems+=("protocol TLS1_2: '$f'") ;;
esac

# Ciphers: "cipher-tls1_2_xc02b" -> "TLS 1.2 xc02b ECDHE-ECDSA-… TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
ciphers=$(awk -F'\t' '$1 ~ /^cipher-/' "$KT_WORK/findings.tsv")
[ -n "$ciphers" ] || problems+=("no offered cipher found at all (did -E run?)")
while IFS=$'\t' read -r id _ fin; do
	[ -n "$id" ] || continue
	case $id in
	cipher-tls1_2_* | cipher-tls1_3_*) ;;
	*) problems+=("cipher offered outside TLS 1.2/1.3: $id $fin") ;;
	esac
	iana=${fin##* }
	grep -Eq '_GCM_|_CHACHA20_POLY1305_|_CCM(_|$)' <<<"$iana" ||
		problems+=("non-AEAD cipher offered: $fin")
done <<<"$ciphers"

# Vulnerabilities: the checks ran, none says VULNERABLE, nothing rated HIGH/CRITICAL.
for id in heartbleed CCS ROBOT secure_client_renego POODLE_SSL SWEET32 FREAK LOGJAM BEAST LUCKY13 RC4; do
	[ -n "$(awk -F'\t' -v id="$id" '$1 == id' "$KT_WORK/findings.tsv")" ] ||
		problems+=("vulnerability check $id missing from the report")
done
while IFS=$'\t' read -r id sev fin; do
	[ -n "$id" ] || continue
	problems+=("$id [$sev]: $fin")
done < <(awk -F'\t' '$3 ~ /VULNERABLE/ || $2 == "HIGH" || $2 == "CRITICAL"' "$KT_WORK/findings.tsv")

kt_log "offered: $(awk -F'\t' '$1 ~ /^TLS1/ && $3 ~ /^offered/ { printf "%s ", $1 }' "$KT_WORK/findings.tsv")"
kt_log "ciphers: $(awk -F'\t' '$1 ~ /^cipher-/ { n = split($3, a, " "); printf "%s ", a[n] }' "$KT_WORK/findings.tsv")"
awk -F'\t' '$2 == "WARN" { print "[testssl warning] " $1 ": " $3 }' "$KT_WORK/findings.tsv" >&2

if [ "${#problems[@]}" -gt 0 ]; then
	printf '  %s\n' "${problems[@]}" >&2
	kt_fail "testssl found ${#problems[@]} problem(s) (full report: $KT_WORK/testssl.out)"
fi

kt_kartad_alive || kt_fail "kartad died during the testssl scan"
kt_run kt_karta mun1 hello
kt_assert_rc 0 "karta hello after the testssl scan"
kt_stop_kartad
kt_pass
