#!/usr/bin/env bash
# t_abuse_slow_frame: an authenticated device announces a large Upload and then sends one
# byte a second — each byte used to reset the idle timeout, so the connection and its buffer
# lived forever (issue 16, defect 2). The frame deadline (frame_timeout + size /
# frame_min_rate, counted from the frame's first byte) ends it with a TIMEOUT error.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/abuse_lib.sh
. "$(dirname "$0")/abuse_lib.sh"

kt_setup t_abuse_slow_frame
# Idle timeout 3 s, one byte every second: only the frame deadline (2 s + 1 MiB at 1 MiB/s)
# can end this connection before the 20 bytes are through.
kt_start_kartad --idle-timeout 3 --frame-timeout 2 --frame-min-rate 1048576
rss0=$(kt_rss_kb)

abuse_probe_bg "$KT_WORK/slow.out" mun1 hello 1 1 expect header 44 1048576 trickle 20 1000 \
	expect expect-close
slow=$ABUSE_BG
abuse_wait_file "$KT_WORK/slow.out" '^Welcome ' 30
abuse_served "a slow frame"
wait "$slow" || kt_fail "kt_probe failed: $(cat "$KT_WORK/slow.out.err")"
out=$(cat "$KT_WORK/slow.out")
kt_log "probe: $(tr '\n' '|' <<<"$out")"
kt_assert_match "$(sed -n 2p <<<"$out")" '^trickle sent=[0-9]+ closed=1$' "the slow frame"
sent=$(sed -n 's/^trickle sent=\([0-9]*\).*/\1/p' <<<"$out")
[ "$sent" -lt 20 ] || kt_fail "the slow frame got all 20 bytes through: never cut off"
kt_assert_match "$(sed -n 3p <<<"$out")" '^Error status=timeout message="frame not completed in time \(1048576 bytes announced' "the reply to the slow frame"
kt_assert_eq closed "$(sed -n 4p <<<"$out")" "the slow frame's connection"
kt_wait_log 'event=frame_timeout .*announced=1048576' 5
kt_wait_log 'event=close reason="frame timeout"' 5

# A prompt large frame is not affected: the real client's requests still work.
kt_run kt_karta mun1 ping -n 3
kt_assert_rc 0 "karta ping after the slow frame"
abuse_rss_within "$rss0" 51200 "a slow frame"
abuse_log_bounded "a slow frame"
kt_stop_kartad
kt_pass
