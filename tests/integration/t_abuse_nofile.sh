#!/usr/bin/env bash
# t_abuse_nofile: kartad and the open file limit (issue 16, defect 1). Today's main, started
# from a shell with a low limit, answers a connection flood by logging EMFILE hundreds of
# thousands of times a second while spinning. Now:
#   1. a hard limit too low for max_conns refuses to start, saying what to change;
#   2. a low soft limit is raised at start to what max_conns needs;
#   3. when descriptors run out anyway (the limit lowered under a running kartad, as other
#      files or ENFILE would), accept pauses with backoff: the log stays small, the flood's
#      connections are timed out, and another device is served.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/abuse_lib.sh
. "$(dirname "$0")/abuse_lib.sh"

kt_setup t_abuse_nofile
command -v prlimit >/dev/null || kt_skip "prlimit (util-linux) is not installed"

# 1. Hard limit 256, max_conns 10000 (the default): a clear refusal, exit status non-zero.
rc=0
timeout 20 bash -c 'ulimit -n 256 && exec "$1" --config "$2"' nofile "$KT_KARTAD" \
	"$KT_KARTAD_CONF" >"$KT_WORK/hard.out" 2>"$KT_WORK/hard.log" || rc=$?
[ "$rc" != 124 ] || kt_fail "kartad with ulimit -n 256 and max_conns 10000 started anyway"
[ "$rc" != 0 ] || kt_fail "kartad with ulimit -n 256 and max_conns 10000 exited 0"
kt_assert_match "$(cat "$KT_WORK/hard.log")" 'event=startup_failed reason="max_conns 10000 needs [0-9]+ open files but the hard limit is 256: raise it \(LimitNOFILE= in kartad.service, ulimit -Hn\) or lower max_conns"' "kartad's refusal"
# … and --check-config says the same before anyone starts it for real.
rc=0
bash -c 'ulimit -n 256 && exec "$1" --config "$2" --check-config' nofile "$KT_KARTAD" \
	"$KT_KARTAD_CONF" >/dev/null 2>"$KT_WORK/check.log" || rc=$?
[ "$rc" != 0 ] || kt_fail "kartad --check-config with ulimit -n 256 passed"
grep -q 'needs [0-9]* open files but the hard limit is 256' "$KT_WORK/check.log" ||
	kt_fail "kartad --check-config did not name the open file limit: $(cat "$KT_WORK/check.log")"

# 2. Soft limit 256 under a high hard limit: raised at start.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -ge 2000 ] || kt_skip "hard open file limit $hard < 2000"
ulimit -Sn 256
kt_start_kartad --max-conns 1000
ulimit -Sn "$hard"
kt_wait_log 'event=nofile_raised from=256 to=[0-9]+ max_conns=1000' 5
soft=$(awk '/^Max open files/ {print $4}' "/proc/$KT_KARTAD_PID/limits")
[ "$soft" -ge 1000 ] || kt_fail "kartad's soft open file limit is $soft after start (max_conns 1000)"

# 3. The limit lowered to 64 under the running kartad, then 300 TCP connections that never
#    start TLS: descriptors run out; the hello timeout (2 s) frees them a batch at a time.
kt_stop_kartad
kt_start_kartad --max-conns 1000 --hello-timeout 2
rss0=$(kt_rss_kb)
prlimit --pid "$KT_KARTAD_PID" --nofile=64:64
abuse_probe_bg "$KT_WORK/flood.out" sch11 hold 300 tcp sleep 60
flood=$ABUSE_BG
abuse_wait_file "$KT_WORK/flood.out" '^hold n=300 ' 30
kt_wait_log 'event=accept_paused reason="Too many open files"' 10
abuse_served "a connection flood past the open file limit"
abuse_rss_within "$rss0" 65536 "a connection flood past the open file limit"
n=$(kt_log_count 'event=accept_(paused|error)')
kt_log "accept_paused/accept_error lines: $n"
[ "$n" -le 50 ] || kt_fail "accept pauses logged $n lines (rate limit: 5 per 10 s)"
kt_wait_log 'event=accept_resumed' 10
abuse_log_bounded "a connection flood past the open file limit"
kill "$flood" 2>/dev/null || true
wait "$flood" 2>/dev/null || true
kt_stop_kartad
kt_pass
