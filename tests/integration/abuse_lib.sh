# shellcheck shell=bash
# abuse_lib.sh: sourced by the t_abuse_*.sh tests (after lib.sh). What every abuse test
# asserts once its attack is under way: kartad still serves another device, its memory and
# its log stay bounded.

ABUSE_PROBE=$KT_BIN/tests/kt_probe
[ -x "$ABUSE_PROBE" ] || kt_fail "$ABUSE_PROBE is not built"
ABUSE_LOG_MAX=1048576 # bytes: the issue's bound for the log of one abuse test

# abuse_probe ORG STEP…: tests/tools/kt_probe as ORG against this test's kartad.
abuse_probe() {
	"$ABUSE_PROBE" --server "127.0.0.1:$KT_PORT" --ca "$KT_CERTS/ca.pem" \
		--cert "$KT_CERTS/$1.pem" --key "$KT_CERTS/$1.key" "${@:2}"
}

# abuse_probe_bg OUT ORG STEP…: the same in the background, stdout to OUT, stderr to OUT.err;
# ABUSE_BG is its pid (the probe itself, so that kill ends it).
abuse_probe_bg() {
	local out=$1
	shift
	"$ABUSE_PROBE" --server "127.0.0.1:$KT_PORT" --ca "$KT_CERTS/ca.pem" \
		--cert "$KT_CERTS/$1.pem" --key "$KT_CERTS/$1.key" "${@:2}" >"$out" 2>"$out.err" &
	ABUSE_BG=$!
}

# abuse_wait_file FILE ERE [TIMEOUT=120]: waits until a line of FILE matches ERE.
abuse_wait_file() {
	local i
	for ((i = 0; i < ${3:-120} * 10; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		kt_kartad_alive || kt_fail "kartad died while waiting for /$2/ in $1"
		sleep 0.1
	done
	kt_fail "no line matching /$2/ in $1 after ${3:-120} s: $(cat "$1" 2>/dev/null)"
}

# abuse_served WHAT: another device (sch21) still gets its Hello answered.
abuse_served() {
	kt_kartad_alive || kt_fail "kartad died under $1"
	kt_run kt_karta sch21 hello
	kt_assert_rc 0 "karta hello of another device under $1"
	kt_assert_match "$KT_OUT" '^org +sch21 ' "karta hello under $1"
}

# abuse_rss_within BASE_KB MAX_GROWTH_KB WHAT: kartad's RSS grew by at most MAX_GROWTH_KB.
# Under AddressSanitizer freed memory sits in its quarantine, so RSS says nothing there.
abuse_rss_within() {
	local rss
	rss=$(kt_rss_kb)
	kt_log "$3: rss ${rss} KiB (+$((rss - $1)) KiB)"
	[ "${KT_SANITIZED:-0}" = 1 ] && return 0
	[ $((rss - $1)) -le "$2" ] ||
		kt_fail "kartad RSS grew by $((rss - $1)) KiB (> $2 KiB) under $3"
}

# abuse_log_bounded WHAT: every kartad log of this test is under ABUSE_LOG_MAX bytes.
abuse_log_bounded() {
	local f size
	for f in "$KT_WORK"/kartad.*.log; do
		size=$(stat -c %s "$f")
		kt_log "$1: $(basename "$f") is $size bytes"
		[ "$size" -lt "$ABUSE_LOG_MAX" ] ||
			kt_fail "$(basename "$f") grew to $size bytes (>= $ABUSE_LOG_MAX) under $1"
	done
}
