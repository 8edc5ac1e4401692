#!/usr/bin/env bash
# Installs every Debian 12 package that karta's build, tests and demo need.
# Idempotent: re-running installs nothing new. Needs root (or sudo).
# deploy/install-deps.sh [PKG…]: PKG… too (deploy/ha/test.sh: the HA engines only it needs).
set -euo pipefail

PKGS=(
	build-essential cmake pkg-config clang libclang-rt-14-dev  # compilers, sanitizers, libFuzzer
	libevent-dev libssl-dev openssl                             # event loop + TLS
	libprotobuf-c-dev protobuf-c-compiler                       # wire format
	libpq-dev postgresql postgresql-client                      # server database
	libsqlite3-dev sqlite3                                      # client's local store (+ CLI: tests read it)
	libjansson-dev libinih-dev                                  # JSON output, INI config
	libcmocka-dev                                               # unit tests
	libcairo2-dev libpango1.0-dev fonts-paratype poppler-utils  # karta print: PDF forms (+ tests read them back)
	testssl.sh bsdextrautils procps util-linux                  # TLS audit, test helpers
	libxlsxwriter-dev python3-openpyxl                          # --format xlsx; tests read it back
	libzip-dev libxml2-dev                                      # .docx import: ZIP members, XML reader
	libxml2-utils                                               # tests: xmllint --schema checks GIADBSet packages against the XSDs
	unzip                                                       # demo, tests, bench: unpack an exported GIADBSet package to validate its files
	libreoffice-writer-nogui                                    # .doc import: Word 97 → .docx (and the test makes its .doc)
	libjs-chart.js chromium curl python3-websocket              # dashboard: its charts (embedded); tests and bench: a real browser, HTTP probes (and kartad's /metrics), DevTools driver
	jq                                                          # tests read the client's --format json
	gettext locales                                             # Russian interface: msgfmt/xgettext build and check the catalogue; ru_RU.UTF-8
	libreoffice-calc-nogui tzdata                               # t_formats: a Russian spreadsheet reads karta's CSV (soffice CSV → xlsx); test_dates: time zones
	python3                                                     # build: po/server_texts.py reads the server's message templates (kt_server_text)
)
PKGS+=("$@")

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages already installed"
else
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	echo "install-deps: done"
fi

# The Russian interface needs the ru_RU.UTF-8 locale (Debian's locales ships it commented out).
# (the list is read whole first: grep -q closing the pipe early would fail it under pipefail)
locales=$(locale -a 2>/dev/null || true)
if ! grep -qix 'ru_RU.utf8' <<<"$locales"; then
	echo "install-deps: generating the ru_RU.UTF-8 locale"
	grep -q '^ru_RU.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null ||
		echo 'ru_RU.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
	$SUDO locale-gen >/dev/null
fi
