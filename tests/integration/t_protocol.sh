#!/usr/bin/env bash
# t_protocol: what a misbehaving client gets, over real TLS from a scripted client
# (tests/tools/kt_probe): version negotiation, requests before Hello, unknown types (error,
# connection stays), undecodable payloads, oversized and garbage frames (connection closed
# without the server waiting for the announced bytes), and TLS session resumption with a
# client certificate.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_protocol
kt_start_kartad --max-frame 65536
PROBE=$KT_BIN/tests/kt_probe
[ -x "$PROBE" ] || kt_fail "$PROBE is not built"
probe() { # probe ORG STEP…: prints what the server answered, one line per expect
	timeout 30 "$PROBE" --server "127.0.0.1:$KT_PORT" --ca "$KT_CERTS/ca.pem" \
		--cert "$KT_CERTS/$1.pem" --key "$KT_CERTS/$1.key" "${@:2}"
}
lines() { # lines OUTPUT EXPECTED_REGEX…: line k of OUTPUT matches regex k, and no more lines
	local out=$1 k=1 re
	shift
	for re in "$@"; do
		kt_assert_match "$(sed -n "${k}p" <<<"$out")" "$re" "reply $k of: $out"
		k=$((k + 1))
	done
	kt_assert_eq "$#" "$(grep -c . <<<"$out")" "number of replies in: $out"
}

# Version negotiation: no common version → UNSUPPORTED_VERSION naming the server's range.
out=$(probe mun1 hello 2 3 expect expect-close)
lines "$out" '^Error status=unsupported version .*range=1\.\.1 ' '^closed$'
out=$(probe mun1 hello 0 5 expect expect-close)
lines "$out" '^Welcome proto=1 org=mun1 req=1$' '^open$'   # an established connection stays

# Anything before Hello: PROTOCOL error, closed.
out=$(probe mun1 ping expect expect-close)
lines "$out" '^Error status=protocol error message="Ping before Hello"' '^closed$'

# Unknown type: an error reply, and the connection goes on.
out=$(probe sch11 hello 1 1 expect raw 999 10 expect ping expect)
lines "$out" '^Welcome ' '^Error status=unknown message type .* req=2$' '^Pong req=3$'
# A payload that does not decode as its type: BAD_REQUEST, connection goes on.
out=$(probe sch11 hello 1 1 expect raw 4 7 expect ping expect)
lines "$out" '^Welcome ' '^Error status=bad request message="Ping does not decode" req=2$' \
	'^Pong req=3$'
# One write path (issue 15): plan and item writes are ops inside an Upload (the outbox), never
# requests of their own. An old client's PlanPut … ItemDelete frame gets a clear UNKNOWN_TYPE
# naming the Upload, a PlanImport that writes a BAD_REQUEST (only its dry run is a request),
# the connection goes on, and nothing is written — even for the region's coordinator, whom
# the old routes would have let create these plans.
P_PUT=5a1e0000-0000-4000-8000-000000000001
P_IMP=5a1e0000-0000-4000-8000-000000000002
out=$(probe reg hello 1 1 expect plan-put $P_PUT expect plan-import $P_IMP expect ping expect)
lines "$out" '^Welcome ' \
	'^Error status=unknown message type message="PlanPut is not supported as a request: writes are sent as ops inside an Upload \(the outbox\)" req=2$' \
	'^Error status=bad request message="PlanImport writes only as an op inside an Upload; as a request of its own it is a dry run \(dry_run = true\)" req=3$' \
	'^Pong req=4$'
kt_assert_eq "0" "$(kt_psql "SELECT count(*) FROM plan WHERE id IN ('$P_PUT', '$P_IMP')")" \
	"a retired write request writes nothing"
for t in 24 25 26 28 29 30 46 50; do # PlanPut…ItemDelete, ConflictResolve, RecordOp
	out=$(probe sch11 hello 1 1 expect raw $t 0 expect ping expect)
	lines "$out" '^Welcome ' '^Error status=unknown message type message="[A-Za-z]+ is not supported as a request: writes are sent as ops inside an Upload' '^Pong req=3$'
done
kt_assert_match "$(cat "$KT_LOG")" 'event=retired_type type=PlanPut' "kartad log"

# A second Hello is refused but harmless.
out=$(probe sch11 hello 1 1 expect hello 1 1 expect ping expect)
lines "$out" '^Welcome ' '^Error status=protocol error message="second Hello"' '^Pong '

# Framing errors close at once: a Ping over its own 64-byte limit, a header announcing more
# than max_frame (the server must not wait for 10 MB that never come), garbage.
for steps in "raw 4 65" "header 44 10485760" "garbage 64"; do
	# shellcheck disable=SC2086 # the steps are words
	out=$(probe reg hello 1 1 expect $steps expect-close)
	lines "$out" '^Welcome ' '^closed$'
done
kt_assert_match "$(cat "$KT_LOG")" 'event=framing_error reason="frame too large"' "kartad log"
kt_assert_match "$(cat "$KT_LOG")" 'event=framing_error reason="bad magic"' "kartad log"

# The server still serves well-behaved clients.
kt_run kt_karta reg hello
kt_assert_rc 0 "hello after the bad clients"

# TLS session resumption works with client certificates (session id context, one ticket).
out=$(probe mun2 hello 1 1 expect ping expect resume hello 1 1 expect)
lines "$out" '^Welcome ' '^Pong ' '^resumed=1 version=TLSv1\.3$' '^Welcome proto=1 org=mun2 '

kt_stop_kartad
kt_pass
