#!/usr/bin/env bash
# Runs every karta test, from a fresh Debian 12 machine (as root) to a verdict:
#   1. installs the Debian packages (deploy/install-deps.sh, idempotent);
#   2. builds with gcc and -Werror into build/, runs all of CTest there
#      (unit, integration on real PostgreSQL + TLS, the testssl.sh audit);
#   3. builds with clang + AddressSanitizer + UndefinedBehaviorSanitizer + libFuzzer into
#      build-asan/, runs unit, integration (kartad itself under the sanitizers) and fuzz tests;
#      the TLS audit, the SQL-only tests, the source lints and the slow SQL-bound ones (label "once",
#      tests/CMakeLists.txt) ran in step 2 and are not repeated.
# Usage: tests/run.sh [extra ctest args, e.g. -R hello]
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
step() { printf '\n==> %s\n' "$*"; }

step "installing dependencies"
deploy/install-deps.sh

step "building (gcc, -Werror) in build/"
cmake -S . -B build -DKT_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

step "building (clang, ASan + UBSan + libFuzzer) in build-asan/"
CC=clang cmake -S . -B build-asan -DKT_WERROR=ON -DKT_SANITIZE=ON -DKT_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

step "testing build/ (all tests)"
(cd build && ctest --output-on-failure -j"$jobs" "$@")

step "testing build-asan/ (sanitizers; the TLS audit, SQL-only, lint and run-once tests ran above)"
(cd build-asan && ctest --output-on-failure -j"$jobs" -LE 'tls-audit|sql-only|once|lint' "$@")

step "all tests passed"
