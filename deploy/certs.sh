#!/usr/bin/env bash
# certs.sh: development/test certificates for karta's mutual TLS (openssl CLI, ECDSA P-256).
#
#   certs.sh DIR            DIR/ca.pem + ca.key          "karta regional CA"
#                           DIR/server.pem + server.key  CN=localhost, SAN DNS:localhost,
#                                                        IP:127.0.0.1, IP:::1, serverAuth
#   certs.sh DIR NAME…      also DIR/NAME.pem + NAME.key per client (CN=NAME, clientAuth)
#   certs.sh DIR --dated OUT CN START END
#                           OUT.pem + OUT.key: a client certificate (CN=CN) of DIR's CA
#                           valid only from START to END (YYYYMMDDHHMMSSZ): an expired or a
#                           not yet valid device, for the tests and the demo
#
# Idempotent: a file pair that exists, matches its key and verifies against DIR/ca.pem is
# kept; anything missing or stale is (re)made. A new CA therefore re-issues the server
# certificate too. Keys are 0600. Environment: KT_CERT_DAYS (default 825).
# To renew one certificate, delete its .pem and run the script again.
set -euo pipefail

DAYS=${KT_CERT_DAYS:-825}
CA_DAYS=3650

usage() {
	sed -n '2,16s/^# \{0,1\}//p' "$0"
}

die() {
	echo "certs: $*" >&2
	exit 1
}

# newkey FILE: a fresh P-256 key, 0600 from the first byte.
newkey() {
	(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-pkeyopt ec_param_enc:named_curve -out "$1" 2>/dev/null)
	chmod 0600 "$1"
}

# pair_ok PEM KEY: both exist, the key matches the certificate and it verifies against the CA
# for PURPOSE (sslserver|sslclient; empty for the CA itself).
pair_ok() {
	local pem=$1 key=$2 purpose=${3:-}
	[ -s "$pem" ] && [ -s "$key" ] || return 1
	local a b
	a=$(openssl x509 -in "$pem" -noout -pubkey 2>/dev/null) || return 1
	b=$(openssl pkey -in "$key" -pubout 2>/dev/null) || return 1
	[ "$a" = "$b" ] || return 1
	openssl x509 -in "$pem" -noout -checkend 86400 >/dev/null 2>&1 || return 1
	if [ -n "$purpose" ]; then
		openssl verify -CAfile "$DIR/ca.pem" -purpose "$purpose" "$pem" >/dev/null 2>&1 ||
			return 1
	fi
	chmod 0600 "$key"
	return 0
}

serial() {
	# 120 random bits, positive: no serial file to race on when tests run in parallel.
	echo "0x$(openssl rand -hex 15)"
}

make_ca() {
	newkey "$DIR/ca.key"
	openssl req -new -x509 -sha256 -days "$CA_DAYS" -key "$DIR/ca.key" \
		-subj "/O=karta/CN=karta regional CA" -set_serial "$(serial)" \
		-addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash" \
		-out "$DIR/ca.pem.tmp" 2>/dev/null
	mv "$DIR/ca.pem.tmp" "$DIR/ca.pem"
	echo "certs: made CA $DIR/ca.pem"
}

# sign NAME SUBJECT EXTENSIONS…: makes DIR/NAME.key and DIR/NAME.pem signed by the CA.
sign() {
	local name=$1 subj=$2
	shift 2
	local ext tmp
	tmp=$(mktemp -d)
	ext=$tmp/ext.cnf
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature"
		echo "subjectKeyIdentifier=hash"
		echo "authorityKeyIdentifier=keyid,issuer"
		printf '%s\n' "$@"
	} >"$ext"
	newkey "$tmp/key"
	openssl req -new -key "$tmp/key" -subj "$subj" -out "$tmp/csr" 2>/dev/null
	openssl x509 -req -sha256 -days "$DAYS" -in "$tmp/csr" -CA "$DIR/ca.pem" \
		-CAkey "$DIR/ca.key" -set_serial "$(serial)" -extfile "$ext" \
		-out "$tmp/pem" 2>/dev/null || { rm -rf "$tmp"; die "cannot sign '$name'"; }
	# key first: the pair is consistent again once the .pem lands
	mv "$tmp/key" "$DIR/$name.key"
	mv "$tmp/pem" "$DIR/$name.pem"
	rm -rf "$tmp"
	echo "certs: made $DIR/$name.pem"
}

# dated OUT CN START END: see the usage. openssl ca, not x509 -req: it sets both dates.
dated() {
	local tmp
	tmp=$(mktemp -d)
	: >"$tmp/index.txt"
	serial | sed 's/^0x//' >"$tmp/serial"
	printf '%s\n' "[ca]" "default_ca = c" "[c]" "database = $tmp/index.txt" \
		"serial = $tmp/serial" "new_certs_dir = $tmp" "default_md = sha256" "policy = p" "x509_extensions = e" \
		"unique_subject = no" "[p]" "commonName = supplied" "[e]" \
		"basicConstraints = critical,CA:FALSE" "keyUsage = critical,digitalSignature" \
		"extendedKeyUsage = clientAuth" >"$tmp/ca.cnf"
	newkey "$tmp/key"
	openssl req -new -key "$tmp/key" -subj "/CN=$2" -out "$tmp/csr" 2>/dev/null
	openssl ca -batch -config "$tmp/ca.cnf" -cert "$DIR/ca.pem" -keyfile "$DIR/ca.key" \
		-in "$tmp/csr" -out "$tmp/pem" -startdate "$3" -enddate "$4" -notext \
		2>/dev/null || { rm -rf "$tmp"; die "cannot sign '$2' valid from $3 to $4"; }
	mv "$tmp/key" "$1.key"
	mv "$tmp/pem" "$1.pem"
	rm -rf "$tmp"
	echo "certs: made $1.pem (valid from $3 to $4)"
}

main() {
	case ${1:-} in
	-h | --help) usage; exit 0 ;;
	'') usage >&2; exit 2 ;;
	-*) echo "certs: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	esac
	DIR=$1
	shift
	if [ "${1:-}" = --dated ]; then
		[ $# -eq 5 ] || { usage >&2; exit 2; }
		pair_ok "$DIR/ca.pem" "$DIR/ca.key" || die "no CA in $DIR: run certs.sh $DIR first"
		dated "$2" "$3" "$4" "$5"
		return
	fi
	local n
	for n in "$@"; do
		case $n in
		ca | server) die "'$n' is reserved (the CA and server files)" ;;
		'' | -* | *[!A-Za-z0-9._-]*) die "bad client name '$n': use letters, digits, '.', '_', '-'" ;;
		esac
	done
	command -v openssl >/dev/null || die "openssl not found (run deploy/install-deps.sh)"
	mkdir -p "$DIR"

	if ! pair_ok "$DIR/ca.pem" "$DIR/ca.key"; then
		make_ca
	fi
	if ! pair_ok "$DIR/server.pem" "$DIR/server.key" sslserver; then
		sign server "/O=karta/CN=localhost" \
			"extendedKeyUsage=serverAuth" \
			"subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
	fi
	for n in "$@"; do
		if ! pair_ok "$DIR/$n.pem" "$DIR/$n.key" sslclient; then
			sign "$n" "/O=karta/CN=$n" "extendedKeyUsage=clientAuth"
		fi
	done
}

main "$@"
