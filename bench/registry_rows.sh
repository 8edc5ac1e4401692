#!/usr/bin/env bash
# bench/registry_rows.sh: the server's apply of the federal package's rows (registry_rows ops,
# sql/functions/35_upload_rows.sql, 70_giadbset.sql), table by table, beside its floors, in one
# database session, CPU time (the backend's, /proc/self/schedstat) as well as wall time.
# A generated package (tests/tools/gds_gen.py registries: PARTICIPANTS participants with ~3.8
# registrations each, POINTS points of 12 auditoriums, STAFF staff, the assignments) is
# imported once through karta and kartad with every Upload's parameters in PostgreSQL's log:
# the ops exactly as the client sent them. Then, from the state before that import, op after
# op in the order they were sent: the op through karta_upload REPS times, each rolled back;
# INSERT … SELECT of the rows it wrote into the table itself (its CHECKs, indexes, foreign
# keys, row triggers, per-statement feed), rolled back; COPY of the same rows into a copy of
# the table without them; then the op applied for real, so the next ops find what they refer
# to. KT_FUNCS_BEFORE=DIR: the function files in DIR (e.g. main's 34, 35 and 70) measured the
# same way, op by op in the same session, from a schema of their own put first on the search
# path. The database ${KT_DB}_base keeps the timings (bench_tm). Prints Markdown: each file's
# CPU ms a 1,000 rows, and the ratios.
# Usage: bench/registry_rows.sh [PARTICIPANTS=10000] [POINTS=50] [STAFF=2000] [REPS=3].
# Needs a build in build/.
set -euo pipefail
NP=${1:-10000}
NPOINTS=${2:-50}
NSTAFF=${3:-2000}
REPS=${4:-3}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup bench_registry_rows
R=$KT_WORK/registries
bench_gds_region78 "$R" 60 25
"$KT_SRC/tests/tools/gds_gen.py" registries "$R" --participants "$NP" --points "$NPOINTS" \
	--auditoriums 12 --staff "$NSTAFF" --schedule "$KT_WORK/schedule.csv"
rm "$R"/rbd_{Governments,Schools}.xml
kt_start_kartad
kt_karta reg sync >/dev/null
kt_karta reg exam schedule import "$KT_WORK/schedule.csv" >/dev/null
kt_stop_kartad
REG=$(kt_dev_id reg)
# the state before the import, kept; the import with its Uploads' parameters logged
BASE=${KT_DB}_base
kt_psql "DROP DATABASE IF EXISTS $BASE" >/dev/null
kt_psql "CREATE DATABASE $BASE TEMPLATE $KT_DB" >/dev/null
BCONN=${KT_CONNINFO/dbname=$KT_DB/dbname=$BASE}
PGLOG=$(cat "$KT_PG_DIR/pgroot")/log
LOG0=$(stat -c %s "$PGLOG")
kt_psql "ALTER DATABASE $KT_DB SET log_min_duration_statement = 0" >/dev/null
kt_psql "ALTER DATABASE $KT_DB SET log_parameter_max_length = -1" >/dev/null
kt_start_kartad
# (kt_karta gives the client 30 s: a third of the package takes longer on a loaded machine)
timeout 900 "$KT_KARTA" --config "$KT_WORK/reg.conf" registry import --layout giadbset "$R" >"$KT_WORK/import.out" ||
	kt_fail "the import: $(tail -n 5 "$KT_WORK/import.out")"
kt_stop_kartad
kt_psql "ALTER DATABASE $KT_DB RESET log_min_duration_statement" >/dev/null
kt_psql "ALTER DATABASE $KT_DB RESET log_parameter_max_length" >/dev/null
# the ops, one a line, in the order sent
# shellcheck disable=SC2016 # Python's text, not the shell's
tail -c +"$((LOG0 + 1))" "$PGLOG" | python3 -c '
import json, re, sys
db = sys.argv[1]
lines = sys.stdin.buffer.read().replace(b"\0", b"").decode("utf-8").split("\n")
for i, l in enumerate(lines):
    if " %s LOG: " % db in l and "execute <unnamed>: SELECT * FROM karta_upload" in l:
        m = re.match(r".*parameters: \$1 = .(\d+)., \$2 = .(.*).$", lines[i + 1])
        arg = m.group(2).replace("\x27\x27", "\x27")
        # karta_upload_seq: each op after an RS (karta_upload before it: a JSON array)
        ops = [json.loads(t) for t in arg.split("\x1e") if t] if "\x1e" in arg else json.loads(arg)
        for op in ops:
            print(json.dumps(op, ensure_ascii=False).replace("\\", "\\\\"))
        print(len(ops), file=sys.stderr)
' "$KT_DB" >"$KT_WORK/ops.txt" 2>"$KT_WORK/uploads.txt"
NOPS=$(wc -l <"$KT_WORK/ops.txt")
[ "$NOPS" -gt 0 ] || kt_fail "no Upload found in $PGLOG"
psql -XAtq -v ON_ERROR_STOP=1 "$BCONN" -c "CREATE TABLE bench_ops (k serial PRIMARY KEY, op jsonb)" \
	-c "COPY bench_ops(op) FROM STDIN" <"$KT_WORK/ops.txt"
# the Uploads as kartad sent them (their ops k_first … k_last), each as one JSON array (main's
# karta_upload($2::jsonb)) and as an RS before each op (karta_upload_seq)
awk 'BEGIN { k = 1 } { print NR "\t" k "\t" k + $1 - 1; k += $1 }' "$KT_WORK/uploads.txt" |
	psql -XAtq -v ON_ERROR_STOP=1 "$BCONN" -c "CREATE TABLE bench_up (u int, k1 int, k2 int)" \
		-c "COPY bench_up FROM STDIN"
psql -XAtq -v ON_ERROR_STOP=1 "$BCONN" -c "ALTER TABLE bench_up ADD arr text, ADD seq text" \
	-c "UPDATE bench_up u SET arr = (SELECT '[' || string_agg(o.op::text, ',' ORDER BY o.k) || ']'
		FROM bench_ops o WHERE o.k BETWEEN u.k1 AND u.k2),
		seq = (SELECT string_agg(chr(30) || o.op::text, '' ORDER BY o.k) FROM bench_ops o WHERE o.k BETWEEN u.k1 AND u.k2)"
# each op's rows as the import wrote them, for the floors
TABLES="exam_point auditorium staff participant exam_registration exam_point_assignment exam_auditorium"
C=$(mktemp -d /tmp/karta-bench-rows.XXXXXX)
chmod 755 "$C"
psql -XAtq "$BCONN" -c "COPY (SELECT d.k, (r->'a'->>'id') FROM bench_ops d, jsonb_array_elements(d.op->'a'->'rows') r)
	TO STDOUT" >"$KT_WORK/ids.txt"
kt_psql "CREATE TABLE bench_ids (k int, id uuid)" >/dev/null
kt_psql "COPY bench_ids FROM STDIN" <"$KT_WORK/ids.txt"
for t in $TABLES; do
	psql -XAtq "$BCONN" -c "CREATE TABLE floor_$t AS SELECT 0 AS k, x.* FROM $t x WHERE false" \
		-c "CREATE TABLE copy_$t (LIKE $t)"
	kt_psql "COPY (SELECT i.k, x.* FROM $t x JOIN bench_ids i ON i.id = x.id) TO STDOUT" |
		psql -XAtq "$BCONN" -c "COPY floor_$t FROM STDIN"
	cols=$(psql -XAtq "$BCONN" -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
		WHERE attrelid = '$t'::regclass AND attnum > 0 AND NOT attisdropped")
	psql -XAtq "$BCONN" -c "COPY (SELECT k FROM floor_$t GROUP BY k) TO STDOUT" | while read -r k; do
		psql -XAtq "$BCONN" -c "COPY (SELECT $cols FROM floor_$t WHERE k = $k) TO STDOUT WITH (FORMAT csv)" >"$C/$k.csv"
	done
done
chmod 644 "$C"/*.csv

# the session: per op, the steps (rolled back), then the op for real
{
	cat <<-SQL
	SET jit = off; SET karta.device = '$REG';
	CREATE TEMP TABLE tm (k int, w text, ms float8, cpu float8);
	CREATE FUNCTION pg_temp.cpu() RETURNS float8 LANGUAGE sql AS
		\$\$ SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::float8 / 1e6 \$\$;
	-- pg_temp.step(k, w, sql, reps): SQL reps times, each in a subtransaction rolled back; the
	-- mean CPU and wall ms. The answer must be 'ok'.
	CREATE FUNCTION pg_temp.step(p_k int, p_w text, p_sql text, p_reps int) RETURNS void LANGUAGE plpgsql AS \$\$
	DECLARE t0 timestamptz; c0 float8; ok text;
	BEGIN
		FOR i IN 1 .. p_reps LOOP
			t0 := clock_timestamp(); c0 := pg_temp.cpu();
			BEGIN
				EXECUTE p_sql INTO ok;
				IF ok IS DISTINCT FROM 'ok' THEN
					RAISE EXCEPTION 'bench step % of op % went wrong: %', p_w, p_k, ok USING ERRCODE = 'P0101';
				END IF;
				RAISE EXCEPTION USING ERRCODE = 'P0100';
			EXCEPTION WHEN SQLSTATE 'P0100' THEN
			END;
			INSERT INTO tm VALUES (p_k, p_w, extract(epoch FROM clock_timestamp() - t0) * 1000, pg_temp.cpu() - c0);
		END LOOP;
	END \$\$;
	-- pg_temp.upstep(u, w, call, reps): the Upload u from its text through CALL (karta_upload or
	-- karta_upload_seq), rolled back; every op's answer must be all rows written
	CREATE FUNCTION pg_temp.upstep(p_u int, p_w text, p_call text, p_reps int) RETURNS void LANGUAGE plpgsql AS \$\$
	DECLARE c0 float8; ok text; d float8;
	BEGIN
		FOR i IN 1 .. p_reps LOOP
			c0 := pg_temp.cpu();
			BEGIN
				EXECUTE format('SELECT string_agg(CASE WHEN r.message ~ ''^([0-9]+) rows: \\1 written, 0 refused\$''
					THEN ''ok'' ELSE r.message END, '','') FROM bench_up b, %s r WHERE b.u = \$1', p_call) INTO ok USING p_u;
				IF ok !~ '^ok(,ok)*\$' THEN
					RAISE EXCEPTION 'bench Upload % (%) went wrong: %', p_u, p_w, ok USING ERRCODE = 'P0101';
				END IF;
				d := pg_temp.cpu() - c0;
				RAISE EXCEPTION USING ERRCODE = 'P0100';
			EXCEPTION WHEN SQLSTATE 'P0100' THEN
			END;
			INSERT INTO tm VALUES (-p_u, p_w, NULL, d);
		END LOOP;
	END \$\$;
	SQL
	# the other tree's functions in a schema of their own, found first while measured
	if [ -n "${KT_FUNCS_BEFORE:-}" ]; then
		echo "CREATE SCHEMA bench_before; SET search_path = bench_before, public;"
		for f in "$KT_FUNCS_BEFORE"/*.sql; do echo "\\i $f"; done
		echo "SET search_path = public;"
	fi
	for ((k = 1; k <= NOPS; k++)); do
		# an Upload's first op: the whole Upload from its text first, in each form
		u=$(psql -XAtq "$BCONN" -c "SELECT u FROM bench_up WHERE k1 = $k")
		if [ -n "$u" ]; then
			for ((r = 1; r <= REPS; r++)); do
				if [ -n "${KT_FUNCS_BEFORE:-}" ]; then
					echo "SET search_path = bench_before, public;"
					echo "SELECT pg_temp.upstep($u, 'up_before', 'karta_upload($REG, b.arr::jsonb)', 1);"
					echo "SET search_path = public;"
				fi
				echo "SELECT pg_temp.upstep($u, 'up_array', 'karta_upload($REG, b.arr::jsonb)', 1);"
				echo "SELECT pg_temp.upstep($u, 'up_seq', 'karta_upload_seq($REG, b.seq)', 1);"
			done
		fi
		up="SELECT CASE WHEN r.message ~ '^([0-9]+) rows: \\1 written, 0 refused\$' THEN 'ok' ELSE r.message END
			FROM bench_ops o, karta_upload($REG, jsonb_build_array(o.op)) r WHERE o.k = $k"
		if [ -n "${KT_FUNCS_BEFORE:-}" ]; then
			echo "SET search_path = bench_before, public;"
			echo "SELECT pg_temp.step($k, 'before', \$q\$$up\$q\$, $REPS);"
			echo "SET search_path = public;"
		fi
		echo "SELECT pg_temp.step($k, 'upload', \$q\$$up\$q\$, $REPS);"
		t=$(psql -XAtq "$BCONN" -c "SELECT t FROM (VALUES $(for x in $TABLES; do printf "('%s')," "$x"; done | sed 's/,$//')) v(t)
			WHERE EXISTS (SELECT 1 FROM bench_ops o WHERE o.k = $k AND o.op->'a'->'rows'->0->'a'->>'type' = v.t)")
		if [ -n "$t" ] && [ -f "$C/$k.csv" ]; then
			cols=$(psql -XAtq "$BCONN" -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
				WHERE attrelid = '$t'::regclass AND attnum > 0 AND NOT attisdropped")
			echo "SELECT pg_temp.step($k, 'real', \$q\$WITH i AS (INSERT INTO $t SELECT $cols FROM floor_$t WHERE k = $k
				RETURNING 1) SELECT 'ok' FROM i LIMIT 1\$q\$, $REPS);"
			echo "DO \$\$ DECLARE t0 timestamptz; c0 float8; BEGIN FOR i IN 1 .. $REPS LOOP
				t0 := clock_timestamp(); c0 := pg_temp.cpu();
				BEGIN COPY copy_$t FROM '$C/$k.csv' WITH (FORMAT csv); RAISE EXCEPTION USING ERRCODE = 'P0100';
				EXCEPTION WHEN SQLSTATE 'P0100' THEN END;
				INSERT INTO pg_temp.tm VALUES ($k, 'copy', extract(epoch FROM clock_timestamp() - t0) * 1000,
					pg_temp.cpu() - c0);
			END LOOP; END \$\$;"
		fi
		echo "SELECT count(*) FROM bench_ops o, karta_upload($REG, jsonb_build_array(o.op)) r WHERE o.k = $k;"
	done
	cat <<-SQL
	CREATE TABLE bench_tm AS SELECT t.*, o.op->'a'->>'file' AS file, jsonb_array_length(o.op->'a'->'rows') AS n
	FROM tm t JOIN bench_ops o ON o.k = t.k;
	CREATE TABLE bench_tm_up AS SELECT -t.k AS u, t.w, t.cpu FROM tm t WHERE t.k < 0;
	SQL
} >"$KT_WORK/session.sql"
psql -XAtq -v ON_ERROR_STOP=1 "$BCONN" -f "$KT_WORK/session.sql" >/dev/null

echo "## The federal package's rows applied, table by table, beside their floors"
echo
echo "$NP participants, $NPOINTS points, $NSTAFF staff: $NOPS registry_rows ops as the client sent them."
echo "Each op $REPS times, rolled back, in one session; CPU ms a 1,000 rows (the backend's, mean)."
echo
if [ -n "${KT_FUNCS_BEFORE:-}" ]; then
	echo "| file | rows | before: karta_upload | karta_upload | INSERT … SELECT into the table itself | COPY | before / INSERT | karta_upload / INSERT | karta_upload / COPY |"
	echo "|---|---|---|---|---|---|---|---|---|"
else
	echo "| file | rows | karta_upload | INSERT … SELECT into the table itself | COPY | karta_upload / INSERT | karta_upload / COPY |"
	echo "|---|---|---|---|---|---|---|"
fi
psql -XAtq "$BCONN" -c "WITH o AS (SELECT file, k, max(n) AS n FROM bench_tm GROUP BY file, k),
	m AS (SELECT t.file, t.w, sum(t.cpu) / count(*) * count(DISTINCT t.k) AS cpu FROM bench_tm t GROUP BY t.file, t.w),
	f AS (SELECT o.file, sum(o.n) AS n, min(o.k) AS k FROM o GROUP BY o.file),
	s AS (SELECT f.file, f.n, f.k, b.cpu * 1000 / f.n AS b, u.cpu * 1000 / f.n AS u, r.cpu * 1000 / f.n AS r,
		c.cpu * 1000 / f.n AS c
	FROM f LEFT JOIN m b ON b.file = f.file AND b.w = 'before' JOIN m u ON u.file = f.file AND u.w = 'upload'
	LEFT JOIN m r ON r.file = f.file AND r.w = 'real' LEFT JOIN m c ON c.file = f.file AND c.w = 'copy')
SELECT '| ' || s.file || ' | ' || s.n || ' | ' || CASE WHEN '${KT_FUNCS_BEFORE:-}' <> '' THEN round(s.b::numeric, 1) || ' | ' ELSE '' END
	|| round(s.u::numeric, 1) || ' | ' || coalesce(round(s.r::numeric, 1)::text, '—') || ' | '
	|| coalesce(round(s.c::numeric, 1)::text, '—') || ' | '
	|| CASE WHEN '${KT_FUNCS_BEFORE:-}' <> '' THEN coalesce(round((s.b / nullif(s.r, 0))::numeric, 2)::text, '—') || ' | ' ELSE '' END
	|| coalesce(round((s.u / nullif(s.r, 0))::numeric, 2)::text, '—') || ' | ' || coalesce(round((s.u / nullif(s.c, 0))::numeric, 1)::text, '—') || ' |'
FROM s ORDER BY s.k"
psql -XAtq "$BCONN" -c "WITH m AS (SELECT w, sum(cpu) / $REPS AS cpu FROM bench_tm GROUP BY w)
SELECT '| **the package** | ' || (SELECT sum(n) FROM (SELECT DISTINCT k, n FROM bench_tm) x) || ' | '
	|| CASE WHEN '${KT_FUNCS_BEFORE:-}' <> '' THEN round((SELECT cpu FROM m WHERE w = 'before')::numeric) || ' ms | ' ELSE '' END
	|| round((SELECT cpu FROM m WHERE w = 'upload')::numeric) || ' ms | '
	|| round((SELECT cpu FROM m WHERE w = 'real')::numeric) || ' ms | ' || round((SELECT cpu FROM m WHERE w = 'copy')::numeric) || ' ms | '
	|| CASE WHEN '${KT_FUNCS_BEFORE:-}' <> '' THEN round(((SELECT cpu FROM m WHERE w = 'before') / nullif((SELECT cpu FROM m WHERE w = 'real'), 0))::numeric, 2) || ' | ' ELSE '' END
	|| round(((SELECT cpu FROM m WHERE w = 'upload') / nullif((SELECT cpu FROM m WHERE w = 'real'), 0))::numeric, 2) || ' | '
	|| round(((SELECT cpu FROM m WHERE w = 'upload') / nullif((SELECT cpu FROM m WHERE w = 'copy'), 0))::numeric, 1) || ' |'"
echo
echo "(Sums over every op: karta_upload of all the package's ops against INSERT … SELECT and COPY of the rows they wrote.)"
echo
echo "The Uploads as kartad sent them, each from its text, rolled back (CPU ms, sums over the Uploads, mean of $REPS):"
echo
echo "| Uploads | MiB | before: karta_upload(\$2::jsonb) | karta_upload(\$2::jsonb) | karta_upload_seq(\$2) |"
echo "|---|---|---|---|---|"
psql -XAtq "$BCONN" -c "WITH m AS (SELECT w, sum(cpu) / $REPS AS cpu FROM bench_tm_up GROUP BY w)
SELECT '| ' || (SELECT count(*) FROM bench_up) || ' | ' || round((SELECT sum(octet_length(arr)) FROM bench_up) / 1048576.0, 1)
	|| ' | ' || coalesce(round((SELECT cpu FROM m WHERE w = 'up_before')::numeric)::text, '—')
	|| ' | ' || round((SELECT cpu FROM m WHERE w = 'up_array')::numeric)
	|| ' | ' || round((SELECT cpu FROM m WHERE w = 'up_seq')::numeric) || ' |'"
echo "Load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores)."
rm -rf "$C"
