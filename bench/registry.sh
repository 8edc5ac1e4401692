#!/usr/bin/env bash
# bench/registry.sh: the registries of a whole region, end to end. kt_gen_region (fixed
# seed, SCALE 1 = 60 municipalities, 1,000 schools, 30,000 participants) → the region runs
# `karta registry import participants` (read, validate, one local transaction of 30,000
# ops, upload, pull back) → a school, a municipality and the region sync and are checked
# against the server (count and checksum). Side by side: psql COPY of the same CSV file
# into a staging table of text columns (the floor: no validation, no ops, no feeds).
# Usage: bench/registry.sh [SCALE=1]. Needs a build in build/. Prints Markdown.
set -euo pipefail
SCALE=${1:-1}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_region bench_registry
bench_school_mun
for o in "$SCHOOL" "$MUN"; do region_device "$o"; done
N=$(($(wc -l <"$G/participants.csv") - 1))
BYTES=$(wc -c <"$G/participants.csv")

t_imp=$(region_import "$G")
t0=$(date +%s%N)
kt_karta "$MUN" sync >/dev/null
t_mun=$(ms "$t0")
t0=$(date +%s%N)
kt_karta "$SCHOOL" sync >/dev/null
t_sch=$(ms "$t0")
id_of() { kt_psql "SELECT id FROM organization WHERE code = '$1'"; }
region_check reg "true" >&2
region_check "$MUN" "p.org_id IN (SELECT id FROM organization WHERE parent_id = $(id_of "$MUN"))" >&2
region_check "$SCHOOL" "p.org_id = $(id_of "$SCHOOL")" >&2
n_mun=$(sqlite3 "$KT_WORK/$MUN.state/replica.db" "SELECT count(*) FROM row WHERE entity_type = 'participant'")
n_sch=$(sqlite3 "$KT_WORK/$SCHOOL.state/replica.db" "SELECT count(*) FROM row WHERE entity_type = 'participant'")

cols=$(head -n 1 "$G/participants.csv" | tr -d '\r' | awk -F';' '{ for (i = 1; i <= NF; i++) printf "%sc%d text", (i > 1 ? ", " : ""), i }')
kt_psql "CREATE TABLE copy_stage ($cols)"
t0=$(date +%s%N)
kt_psql "COPY copy_stage FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)" <"$G/participants.csv"
t_copy=$(ms "$t0")

# where the import's time goes, from kartad's log (the region's connection): before the first
# Upload reply (the client reads, validates and queues; the first Upload), the Uploads (first
# to last reply, plus one Upload's mean), the pull back (last Upload to the close)
read -r t_pre t_upl t_pull n_up < <(grep 'org=reg ' "$KT_LOG" | python3 -c '
import sys, datetime as d
ev = [(d.datetime.fromisoformat(l.split()[0][3:].rstrip("Z")), l) for l in sys.stdin]
auth = [t for t, l in ev if "event=auth" in l][0]
up = [t for t, l in ev if "event=upload " in l]
close = [t for t, l in ev if "event=close" in l][-1]
ms = lambda a, b: int((b - a).total_seconds() * 1000)
span = ms(up[0], up[-1]) * len(up) // max(len(up) - 1, 1)
print(ms(auth, up[0]) - span // len(up), span, ms(up[-1], close), len(up))')
# floors: the rows the import wrote, by one INSERT … SELECT into a copy of the table with its
# CHECKs, indexes and defaults (no triggers, no foreign keys), and into a bare copy
kt_psql "CREATE TABLE floor_checked (LIKE participant INCLUDING ALL);
	CREATE TABLE floor_bare (LIKE participant)"
t0=$(date +%s%N)
kt_psql "INSERT INTO floor_checked SELECT * FROM participant" >/dev/null
t_chk=$(ms "$t0")
t0=$(date +%s%N)
kt_psql "INSERT INTO floor_bare SELECT * FROM participant" >/dev/null
t_bare=$(ms "$t0")
# and into the table itself, rolled back: its CHECKs, indexes, foreign keys, row triggers and
# the per-statement feed — every rule the import's rows pass, none of karta's Upload work
t_real=$(kt_psql "BEGIN; SET LOCAL karta.device = '$(kt_dev_id reg)';
	CREATE TEMP TABLE floor_src ON COMMIT DROP AS SELECT * FROM participant;
	UPDATE floor_src SET id = gen_random_uuid();
	SELECT set_config('bench.t0', clock_timestamp()::text, true);
	INSERT INTO participant SELECT * FROM floor_src;
	SELECT round(extract(epoch FROM clock_timestamp() - current_setting('bench.t0')::timestamptz) * 1000);
	ROLLBACK" | tail -n 1)

echo "## registries: $N participants ($((BYTES / 1024)) KiB of CSV), scale $SCALE"
echo
echo "| step | ms | rows/s |"
echo "|---|---|---|"
echo "| region: karta registry import (validate, queue, upload, pull back) | $t_imp | $((N * 1000 / t_imp)) |"
echo "| municipality $MUN: karta sync ($n_mun participants) | $t_mun | $((n_mun * 1000 / (t_mun > 0 ? t_mun : 1))) |"
echo "| school $SCHOOL: karta sync ($n_sch participants) | $t_sch | $((n_sch * 1000 / (t_sch > 0 ? t_sch : 1))) |"
echo "| psql COPY of the same CSV into a text staging table | $t_copy | $((N * 1000 / (t_copy > 0 ? t_copy : 1))) |"
echo "| INSERT … SELECT of the imported rows into a copy with the table's CHECKs and indexes | $t_chk | $((N * 1000 / (t_chk > 0 ? t_chk : 1))) |"
echo "| INSERT … SELECT of the imported rows into a bare copy | $t_bare | $((N * 1000 / (t_bare > 0 ? t_bare : 1))) |"
echo "| INSERT … SELECT of the rows (new ids) into participant itself: its rules, triggers, feed (rolled back) | $t_real | $((N * 1000 / (t_real > 0 ? t_real : 1))) |"
echo
r() { awk "BEGIN { printf \"%.1f\", $1 / ($2 > 0 ? $2 : 1) }"; }
echo "import / COPY: $(r "$t_imp" "$t_copy")× (target ≤ 5×); every replica checked against the server (count and checksum)"
echo
echo "the import's time from kartad's log: reading, validating, queueing and connecting ≈ $t_pre ms;" \
	"$n_up Uploads $t_upl ms ($((N * 1000 / (t_upl > 0 ? t_upl : 1))) rows/s);" \
	"the pull back of the rows $t_pull ms"
echo
echo "the Uploads / INSERT … SELECT into participant itself: $(r "$t_upl" "$t_real")×; / into the copy with the" \
	"CHECKs and indexes: $(r "$t_upl" "$t_chk")×; / COPY: $(r "$t_upl" "$t_copy")×"
kt_stop_kartad
