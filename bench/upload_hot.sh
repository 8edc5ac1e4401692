#!/usr/bin/env bash
# bench/upload_hot.sh: how long a 500-op item Upload holds the locks another Upload on the same
# feed waits for — from the first of them taken (the feed's counter row, karta_feed_take_n's
# UPDATE, or the plan's roll-up counters, the INSERT INTO rollup_count upsert: whichever ends
# first) to the end of its karta_upload_seq (its commit follows) — against the whole Upload; one
# session, no contention, bench/sync.sh's region (bench_sync_region), batches of bench_item_op.
# Read from the timestamps of auto_explain's lines for the nested statements (every statement
# logged: both figures carry that cost; compare the builds by their share, side by side).
# Usage: bench/upload_hot.sh (KT_BIN picks the build). Prints one line: the 10 Uploads' ms
# from the hot lock to the end, sorted, their median, and the whole Upload's median.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
kt_setup bench_upload_hot
kt_start_kartad
bench_sync_region
PLAN=$(kt_psql "SELECT p.id FROM plan p JOIN organization o ON o.id = p.owner_org_id WHERE o.code = 'reg' LIMIT 1")
DEV=$(kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")
kt_psql "CREATE TABLE bk AS SELECT k, string_agg(chr(30) || $(bench_item_op i)::text, '' ORDER BY i.ordinal, i.section_id) AS t
FROM generate_series(1, 14) k, LATERAL (SELECT x.* FROM plan_item x, generate_series(1, 2) g WHERE k > 0 AND x.plan_id = '$PLAN' ORDER BY g, x.ordinal LIMIT 500) i GROUP BY k;
ALTER TABLE bk ALTER t SET STORAGE EXTERNAL" >/dev/null; kt_psql "VACUUM ANALYZE" >/dev/null
LOG=$(dirname "$(kt_psql "SHOW data_directory")")/log
n0=$(wc -l <"$LOG")
{
	echo "SELECT count(*) FROM karta_upload_seq($DEV, (SELECT t FROM bk WHERE k = 1));"
	echo "SELECT count(*) FROM karta_upload_seq($DEV, (SELECT t FROM bk WHERE k = 2));"
	echo "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on;"
	for k in $(seq 3 14); do echo "SELECT count(*) FROM karta_upload_seq($DEV, (SELECT t FROM bk WHERE k = $k));"; done
} | psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" >/dev/null
tail -n +$((n0 + 1)) "$LOG" | python3 -c '
import sys, re, datetime
lines = sys.stdin.read().split("\n")
ev = []
for i, l in enumerate(lines):
    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC \[\d+\] \S+ LOG:  duration: ([0-9.]+) ms", l)
    if not m: continue
    q = ""
    for j in range(i + 1, min(i + 4, len(lines))):
        if "Query Text:" in lines[j]:
            q = lines[j].split("Query Text:", 1)[1].strip()
            break
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp() * 1000
    ev.append((t, float(m.group(2)), q))
res = []
first = None
for t, d, q in ev:
    if q.startswith("UPDATE feed f SET last_seq") or q.startswith("INSERT INTO rollup_count"):
        if first is None: first = t
    if q.startswith("SELECT count(*) FROM karta_upload_seq"):
        if first is not None: res.append((t - first, d))
        first = None
res = res[2:] # the first two with auto_explain: plans made again
s = sorted(r[0] for r in res); w = sorted(r[1] for r in res)
print("uploads", len(res), "| hot lock to end ms:", s, "median", s[len(s)//2], "| whole Upload ms median", round(w[len(w)//2], 1))
'
kt_stop_kartad
