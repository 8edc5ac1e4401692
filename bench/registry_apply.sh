#!/usr/bin/env bash
# bench/registry_apply.sh: the server's apply of registry_rows ops (sql/functions/
# 35_upload_rows.sql) beside its floors, one database session, CPU time as well as wall time
# (the shared machine's load stretches wall times two- to threefold; a backend's CPU time,
# /proc/self/schedstat read through pg_read_file, hardly moves). The generated region
# (kt_gen_region, SCALE 1: 30,000 participants) is imported once through karta; then OPS times,
# in turn and each rolled back:
#   - participants: karta_upload of a registry_rows op of 1,000 participants (the client's
#     keys and values, new ids) — against INSERT … SELECT of the same rows into participant
#     itself (its CHECKs, indexes, foreign keys, row triggers, per-statement feed), into a copy
#     with the CHECKs and indexes, into a bare copy, and COPY of the same 1,000 CSV lines into
#     a staging table of text columns;
#   - registrations as the federal package sends them (registry_gds_put: the participant, the
#     exam by ExamGlobalID) — against the same floors for exam_registration;
#   - the tables' own cost a row, component by component: the INSERT … SELECT into the table
#     as it was before sql/0029 (bench/registry_apply_0028.sql: the plpgsql row trigger, the
#     live reason's trigger on every row, the index functions not inlined) and as it is, and
#     as it is less one thing at a time (the row checks, the live reason's trigger, the feed,
#     the indexes, the CHECKs in groups) — the difference is that thing's cost; each dropped in
#     the step's subtransaction, only the INSERT timed.
# Usage: bench/registry_apply.sh [OPS=10] [SCALE=1]. Needs a build in build/. Prints Markdown.
set -euo pipefail
OPS=${1:-10}
SCALE=${2:-1}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_region bench_registry_apply
region_import "$G" >/dev/null
kt_stop_kartad
REG=$(kt_dev_id reg)
N=$(kt_psql "SELECT count(*) FROM participant")
[ "$N" -ge $((OPS * 1000)) ] || kt_fail "$N participants: too few for $OPS ops of 1,000"
# the CSV lines of each op's participants (COPY reads them as the server's user)
C=$(mktemp -d /tmp/karta-bench-apply.XXXXXX)
chmod 755 "$C"
kt_psql "INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date, global_id)
	SELECT md5('apply exam ' || g)::uuid, o.id, 2, 'Математика', f, g, ('2027-06-0' || f)::date, 9000 + f
	FROM organization o, (VALUES (1, 11), (2, 9)) v(f, g) WHERE o.code = 'reg'" >/dev/null

PCOLS=$(kt_psql "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
	WHERE attrelid = 'participant'::regclass AND attnum > 0 AND NOT attisdropped")
kt_psql "SET jit = off; SET karta.device = '$REG';
$(bench_apply_ops_sql "$OPS")
-- registrations: each participant for the exam its form and class allow
CREATE TABLE apply_r AS SELECT a.k, md5('apply reg ' || a.old_id)::uuid AS id, a.org_id,
	a.old_id AS participant_id, e.id AS exam_id, e.global_id
FROM apply_p a JOIN exam e ON e.global_id IN (9001, 9002) AND karta_registration_ok(a.form, a.class, e.form, e.gia)
WHERE a.k < $OPS;
CREATE TABLE apply_rops AS SELECT k, jsonb_build_array(jsonb_build_object('op_id', md5('apply rop ' || k)::uuid,
	'digest', 'd', 'kind', 'registry_rows', 'a', jsonb_build_object('file', 'rbd_ParticipantsExams.xml',
	'unit', 'element', 'rows', jsonb_agg(jsonb_build_object('n', n, 'k', 'registry_gds_put', 'a',
		jsonb_build_object('type', 'exam_registration', 'id', id, 'participant_id', participant_id,
		'exam_global_id', global_id)) ORDER BY n)))) AS ops
FROM (SELECT r.*, row_number() OVER (PARTITION BY k ORDER BY id) AS n FROM apply_r r) x GROUP BY k;
CREATE TABLE floor_p_checked (LIKE participant INCLUDING ALL);
CREATE TABLE floor_p_bare (LIKE participant);
CREATE TABLE floor_r_checked (LIKE exam_registration INCLUDING ALL);
CREATE TABLE floor_r_bare (LIKE exam_registration);
CREATE TABLE copy_p ($(seq 1 19 | sed 's/^/c/; s/$/ text/' | paste -sd,));
CREATE TABLE copy_r (id text, participant_id text, exam_global_id text)" >/dev/null
for ((k = 0; k < OPS; k++)); do
	kt_psql "COPY (SELECT id, org_id, guid, surname, name, patronymic, sex, birth_date, doc_type, doc_series,
		doc_number, snils, class, grad_org_id, category, form, ovz, disabled, citizenship
		FROM apply_p WHERE k = $k ORDER BY old_id) TO STDOUT WITH (FORMAT csv, DELIMITER ';')" >"$C/p$k.csv"
	kt_psql "COPY (SELECT id, participant_id, global_id FROM apply_r WHERE k = $k ORDER BY id)
		TO STDOUT WITH (FORMAT csv, DELIMITER ';')" >"$C/r$k.csv"
done
chmod 644 "$C"/*.csv

# one session: each step timed in a subtransaction that is rolled back (its DDL before the clock)
kt_psql "$(cat "$(dirname "$0")/registry_apply_0028.sql")" >/dev/null
kt_psql "SET jit = off; SET karta.device = '$REG';
CREATE TEMP TABLE tm (w text, ms float8, cpu float8);
CREATE FUNCTION pg_temp.cpu() RETURNS float8 LANGUAGE sql AS
	\$\$ SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::float8 / 1e6 \$\$;
CREATE FUNCTION pg_temp.step(p_w text, p_sql text, p_pre text DEFAULT '') RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz; c0 float8; t1 timestamptz; c1 float8; ok text; n bigint;
	r int := CASE WHEN p_sql LIKE 'COPY %' THEN 20 ELSE 1 END;
BEGIN
	BEGIN
		IF p_pre <> '' THEN
			EXECUTE p_pre;
		END IF;
		t0 := clock_timestamp(); c0 := pg_temp.cpu();
		IF r > 1 THEN -- a COPY (≈ 1 ms, below the clock's tick): 20 times, its lines counted
			FOR i IN 1 .. r LOOP
				EXECUTE p_sql;
			END LOOP;
			GET DIAGNOSTICS n = ROW_COUNT;
			ok := CASE WHEN n > 900 THEN 'ok' ELSE n || ' lines' END;
		ELSE
			EXECUTE p_sql INTO ok;
		END IF;
		c1 := pg_temp.cpu(); t1 := clock_timestamp();
		IF ok IS DISTINCT FROM 'ok' THEN
			RAISE EXCEPTION 'bench step % went wrong: %', p_w, ok USING ERRCODE = 'P0101';
		END IF;
		RAISE EXCEPTION USING ERRCODE = 'P0100';
	EXCEPTION WHEN SQLSTATE 'P0100' THEN
	END;
	INSERT INTO tm VALUES (p_w, extract(epoch FROM t1 - t0) * 1000 / r, (c1 - c0) / r);
END \$\$;
-- DDL dropping the table's constraints of a kind (c CHECK, f foreign key) whose names match
CREATE FUNCTION pg_temp.drop_cons(t regclass, p_type char, pat text) RETURNS text LANGUAGE sql AS \$\$
	SELECT string_agg(format('ALTER TABLE %s DROP CONSTRAINT %I', t, conname), '; ')
	FROM pg_constraint WHERE conrelid = t AND contype = p_type AND conname ~ pat \$\$;
CREATE FUNCTION pg_temp.drop_idx(t regclass, pat text) RETURNS text LANGUAGE sql AS \$\$
	SELECT string_agg(format('DROP INDEX %s', indexrelid::regclass), '; ') FROM pg_index
	WHERE indrelid = t AND indexrelid::regclass::text ~ pat
	  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = indexrelid) \$\$;
DO \$\$
DECLARE n int := (SELECT count(*) FROM apply_ops);
	pins text; rins text; v record;
BEGIN
	FOR k IN 0 .. n - 1 LOOP
		pins := format(\$q\$WITH i AS (INSERT INTO participant SELECT $PCOLS
			FROM apply_p a WHERE a.k = %s RETURNING 1)
			SELECT CASE WHEN count(*) = 1000 THEN 'ok' END FROM i\$q\$, k);
		rins := format(\$q\$WITH i AS (INSERT INTO exam_registration(id, org_id, participant_id,
			exam_id) SELECT id, org_id, participant_id, exam_id FROM apply_r WHERE k = %s RETURNING 1)
			SELECT CASE WHEN count(*) > 900 THEN 'ok' END FROM i\$q\$, k);
		PERFORM pg_temp.step('p upload', format(\$q\$SELECT CASE WHEN r.message = '1000 rows: 1000 written, 0 refused'
			THEN 'ok' ELSE r.message END FROM apply_ops o, karta_upload($REG, o.ops) r WHERE o.k = %s\$q\$, k));
		PERFORM pg_temp.step('p upload before', format(\$q\$SELECT CASE WHEN r.message = '1000 rows: 1000 written, 0 refused'
			THEN 'ok' ELSE r.message END FROM apply_ops o, karta_upload($REG, o.ops) r WHERE o.k = %s\$q\$, k),
			bench_0028.as_before('participant'));
		PERFORM pg_temp.step('p real', pins);
		PERFORM pg_temp.step('p checked', format(\$q\$WITH i AS (INSERT INTO floor_p_checked SELECT $PCOLS
			FROM apply_p a WHERE a.k = %s RETURNING 1)
			SELECT CASE WHEN count(*) = 1000 THEN 'ok' END FROM i\$q\$, k));
		PERFORM pg_temp.step('p bare', format(\$q\$WITH i AS (INSERT INTO floor_p_bare SELECT $PCOLS
			FROM apply_p a WHERE a.k = %s RETURNING 1)
			SELECT CASE WHEN count(*) = 1000 THEN 'ok' END FROM i\$q\$, k));
		PERFORM pg_temp.step('p copy', format(\$q\$COPY copy_p FROM %L WITH (FORMAT csv, DELIMITER ';')\$q\$, '$C/p' || k || '.csv'));
		FOR v IN SELECT * FROM (VALUES
			('p before', bench_0028.as_before('participant')),
			('p -row checks', 'DROP TRIGGER participant_check_rows_insert ON participant'),
			('p -live reason', 'DROP TRIGGER participant_live_reason ON participant'),
			('p -feed', 'DROP TRIGGER participant_feed_insert ON participant'),
			('p -indexes', pg_temp.drop_idx('participant', '.')),
			('p -checks', pg_temp.drop_cons('participant', 'c', '.')),
			('p -class checks', pg_temp.drop_cons('participant', 'c', 'class')),
			('p -name checks', pg_temp.drop_cons('participant', 'c', 'name')),
			('p -doc checks', pg_temp.drop_cons('participant', 'c', 'doc_')),
			('p -snils check', pg_temp.drop_cons('participant', 'c', 'snils')),
			('p -guid checks', pg_temp.drop_cons('participant', 'c', 'guid'))) x(w, pre) LOOP
			PERFORM pg_temp.step(v.w, pins, v.pre);
		END LOOP;
		PERFORM pg_temp.step('r upload', format(\$q\$SELECT CASE WHEN r.message ~ '^([0-9]+) rows: \1 written, 0 refused\$'
			THEN 'ok' ELSE r.message END FROM apply_rops o, karta_upload($REG, o.ops) r WHERE o.k = %s\$q\$, k));
		PERFORM pg_temp.step('r upload before', format(\$q\$SELECT CASE WHEN r.message ~ '^([0-9]+) rows: \1 written, 0 refused\$'
			THEN 'ok' ELSE r.message END FROM apply_rops o, karta_upload($REG, o.ops) r WHERE o.k = %s\$q\$, k),
			bench_0028.as_before('exam_registration'));
		PERFORM pg_temp.step('r real', rins);
		PERFORM pg_temp.step('r checked', format(\$q\$WITH i AS (INSERT INTO floor_r_checked(id, org_id, participant_id,
			exam_id, row_version, created_at, updated_at) SELECT id, org_id, participant_id, exam_id, 1, now(), now()
			FROM apply_r WHERE k = %s RETURNING 1) SELECT CASE WHEN count(*) > 900 THEN 'ok' END FROM i\$q\$, k));
		PERFORM pg_temp.step('r copy', format(\$q\$COPY copy_r FROM %L WITH (FORMAT csv, DELIMITER ';')\$q\$,
			'$C/r' || k || '.csv'));
		FOR v IN SELECT * FROM (VALUES
			('r before', bench_0028.as_before('exam_registration')),
			('r -row checks', 'DROP TRIGGER exam_registration_check_rows_insert ON exam_registration'),
			('r -live reason', 'DROP TRIGGER exam_registration_live_reason ON exam_registration'),
			('r -feed', 'DROP TRIGGER exam_registration_feed_insert ON exam_registration'),
			('r -indexes', pg_temp.drop_idx('exam_registration', '.'))) x(w, pre) LOOP
			PERFORM pg_temp.step(v.w, rins, v.pre);
		END LOOP;
	END LOOP;
END \$\$;
CREATE TABLE apply_tm AS SELECT * FROM tm" >/dev/null
rm -rf "$C"

echo "## registry_rows ops applied, beside their floors: $OPS ops of each kind"
echo
echo "Each step in one database session, rolled back; wall: median, CPU: median of the backend's"
echo "time on a CPU (/proc/self/schedstat)."
echo
echo "| step (1,000 participants; registrations of 1,000 participants) | wall ms | CPU ms | CPU / COPY | CPU / INSERT into the table |"
echo "|---|---|---|---|---|"
kt_psql "CREATE TABLE apply_m AS SELECT w, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu) AS cpu FROM apply_tm GROUP BY w" >/dev/null
kt_psql "SELECT '| ' || CASE m.w
	WHEN 'p upload' THEN 'participants: karta_upload of a registry_rows op'
	WHEN 'p upload before' THEN 'participants: karta_upload of the op, the table as before sql/0029'
	WHEN 'p before' THEN 'participants: INSERT … SELECT into participant as before sql/0029'
	WHEN 'p real' THEN 'participants: INSERT … SELECT into participant itself (rules, triggers, feed)'
	WHEN 'p checked' THEN 'participants: INSERT … SELECT into a copy with the CHECKs and indexes'
	WHEN 'p bare' THEN 'participants: INSERT … SELECT into a bare copy'
	WHEN 'p copy' THEN 'participants: COPY of the same CSV lines'
	WHEN 'r upload' THEN 'registrations: karta_upload of a registry_rows op (registry_gds_put)'
	WHEN 'r upload before' THEN 'registrations: karta_upload of the op, the table as before sql/0029'
	WHEN 'r before' THEN 'registrations: INSERT … SELECT into exam_registration as before sql/0029'
	WHEN 'r real' THEN 'registrations: INSERT … SELECT into exam_registration itself'
	WHEN 'r checked' THEN 'registrations: INSERT … SELECT into a copy with the CHECKs and indexes'
	WHEN 'r copy' THEN 'registrations: COPY of the same rows' END
	|| ' | ' || round(m.ms::numeric) || ' | ' || round(m.cpu::numeric, 1) || ' | '
	|| round((m.cpu / nullif(c.cpu, 0))::numeric, 1) || ' | ' || round((m.cpu / nullif(r.cpu, 0))::numeric, 2) || ' |'
FROM apply_m m JOIN apply_m c ON c.w = left(m.w, 2) || 'copy' JOIN apply_m r ON r.w = left(m.w, 2) || 'real'
WHERE m.w NOT LIKE '_ -%' ORDER BY left(m.w, 1), m.cpu DESC"
echo
echo "The table's own cost a row, component by component: the INSERT … SELECT into the table less"
echo "one thing (dropped in the step's subtransaction); its cost is the difference to the table as"
echo "it is (CPU medians; the load makes differences under ≈ 2 ms noise)."
echo
echo "| component (1,000 rows) | CPU ms without it | its cost, CPU ms | share of the INSERT | its cost / COPY |"
echo "|---|---|---|---|---|"
kt_psql "SELECT '| ' || CASE left(m.w, 1) WHEN 'p' THEN 'participant: ' ELSE 'exam_registration: ' END
	|| substr(m.w, 4) || ' | ' || round(m.cpu::numeric, 1) || ' | ' || round((r.cpu - m.cpu)::numeric, 1)
	|| ' | ' || round((100 * (r.cpu - m.cpu) / r.cpu)::numeric) || ' % | '
	|| round(((r.cpu - m.cpu) / nullif(c.cpu, 0))::numeric, 1) || ' |'
FROM apply_m m JOIN apply_m c ON c.w = left(m.w, 2) || 'copy' JOIN apply_m r ON r.w = left(m.w, 2) || 'real'
WHERE m.w LIKE '_ -%' ORDER BY left(m.w, 1), r.cpu - m.cpu DESC"
echo
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
