#!/usr/bin/env bash
# bench/registry_ab.sh: the server's apply of the CSV import's registry_rows ops of
# participants (karta_upload of an op of 1,000 rows, new ids: the keys and values the client
# sends), this tree's sql/functions/35_upload_rows.sql against another tree's, op after op
# alternately in ONE database session (each rolled back), CPU of the backend
# (/proc/self/schedstat), so that the plan cache behaves as in kartad's long-lived backends
# (a plpgsql statement goes to a generic plan after five calls). The generated region
# (kt_gen_region, SCALE 1) is imported through karta first, for its rows.
# Usage: KT_FUNCS_BEFORE=DIR bench/registry_ab.sh [OPS=10] [REPS=3] — DIR holds the other
# tree's function files to compare (e.g. main's 35_upload_rows.sql). Prints Markdown.
set -euo pipefail
OPS=${1:-10}
REPS=${2:-3}
SCALE=1
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
[ -n "${KT_FUNCS_BEFORE:-}" ] || kt_fail "KT_FUNCS_BEFORE=DIR: the function files to compare with"

bench_region bench_registry_ab
region_import "$G" >/dev/null
kt_stop_kartad
REG=$(kt_dev_id reg)
kt_psql "$(bench_apply_ops_sql "$OPS")" >/dev/null
{
	echo "SET jit = off; SET karta.device = '$REG';"
	echo "CREATE SCHEMA bench_before; SET search_path = bench_before, public;"
	for f in "$KT_FUNCS_BEFORE"/*.sql; do echo "\\i $f"; done
	echo "SET search_path = public;"
	cat <<'SQL'
CREATE TEMP TABLE tm (w text, k int, ms float8, cpu float8);
CREATE FUNCTION pg_temp.cpu() RETURNS float8 LANGUAGE sql AS
	$$ SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::float8 / 1e6 $$;
CREATE FUNCTION pg_temp.step(p_w text, p_k int, p_dev bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; c0 float8; t1 timestamptz; c1 float8; ok text;
BEGIN
	BEGIN
		t0 := clock_timestamp(); c0 := pg_temp.cpu();
		SELECT CASE WHEN r.message ~ '^([0-9]+) rows: \1 written, 0 refused$' THEN 'ok' ELSE r.message END
		INTO ok FROM apply_ops o, karta_upload(p_dev, o.ops) r WHERE o.k = p_k;
		c1 := pg_temp.cpu(); t1 := clock_timestamp();
		IF ok IS DISTINCT FROM 'ok' THEN
			RAISE EXCEPTION 'bench step % went wrong: %', p_w, ok USING ERRCODE = 'P0101';
		END IF;
		RAISE EXCEPTION USING ERRCODE = 'P0100';
	EXCEPTION WHEN SQLSTATE 'P0100' THEN
	END;
	INSERT INTO tm VALUES (p_w, p_k, extract(epoch FROM t1 - t0) * 1000, c1 - c0);
END $$;
SQL
	for ((r = 1; r <= REPS; r++)); do
		for ((k = 0; k < OPS; k++)); do
			if (((k + r) % 2)); then order="before this"; else order="this before"; fi
			for w in $order; do
				[ "$w" = before ] && echo "SET search_path = bench_before, public;"
				echo "SELECT pg_temp.step('$w', $k, $REG);"
				[ "$w" = before ] && echo "SET search_path = public;"
			done
		done
	done
	echo "SELECT w, count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu)::numeric, 1) AS cpu_median,
		round(avg(cpu)::numeric, 1) AS cpu_mean, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS ms_median
		FROM tm GROUP BY w ORDER BY w;"
} >"$KT_WORK/ab.sql"
echo "| functions | ops | CPU ms an op of 1,000 (median) | mean | wall ms (median) |"
echo "|---|---|---|---|---|"
psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -f "$KT_WORK/ab.sql" | grep '|' | sed 's/^/| /; s/$/ |/' # load: $(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
