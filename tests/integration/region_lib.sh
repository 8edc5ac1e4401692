# region_lib.sh: a generated region's registries end to end — sourced (after lib.sh and
# kt_setup) by tests/integration/t_registry_region.sh (small) and bench/registry.sh (full).
#   region_orgs DIR           registers the municipalities and schools of DIR/schools.csv
#   region_device CODE        a certificate, a device and a client config for CODE
#   region_import DIR         the region imports DIR/participants.csv (owner: Код ОО)
#   region_check CODE WHERE   CODE's replica holds exactly the participants the server has
#                             WHERE (an SQL condition on p.org_id): count and checksum
#   region_exam ID            the region's ЕГЭ exam ID (subject 2, 2025-06-01: --exam
#                             2025-06-01:2), every participant who may take it registered
#   region_planning DIR GEN_ARGS…  kt_gen_region DIR GEN_ARGS…, its organizations, and the
#                             region imports its participants, exam points and auditoriums;
#                             sets MUN (the municipality of point 0001) and OTHER (another
#                             municipality with points)
#   region_planned NAME GEN_ARGS…  a fresh kartad (kt_setup NAME) and region_planning's region
#                             in $G ($KT_WORK/gen); the planning tests' start
#   region_staff_of MUN DIR   the region imports for MUN the staff of DIR/staff.csv who work
#                             at MUN's points (staff belong to a municipality)
#   region_rollup MUN SCH     MUN municipalities and SCH schools (kt_gen_region) with
#                             bench/rollup_gen.sql's plans, statuses and requests, loaded with
#                             the triggers off (item_rollup's fire: ENABLE ALWAYS), vacuumed

# region_orgs DIR
region_orgs() {
	local g=$1
	kt_psql "
	CREATE TEMP TABLE s (mun text, mun_name text, code text, name text, address text);
	COPY s FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true);
	INSERT INTO organization(code, name, level, parent_id)
	SELECT DISTINCT mun, mun_name, 'municipality', (SELECT id FROM organization WHERE code = 'reg')
	FROM s;
	INSERT INTO organization(code, name, level, parent_id)
	SELECT s.code, s.name, 'school', m.id FROM s JOIN organization m ON m.code = s.mun;" \
		<"$g/schools.csv" >/dev/null
}

# region_device CODE: what kt_setup does for its demo organizations.
region_device() {
	local code=$1 role=operator
	"$KT_CERTSH" "$KT_CERTS" "$code" >/dev/null
	[ "$(kt_psql "SELECT level FROM organization WHERE code = '$code'")" = region ] && role=coordinator
	kt_run kt_admin device add --org "$code" --cert "$KT_CERTS/$code.pem" --role "$role"
	kt_assert_rc 0 "device add $code"
	kt_write_client_conf "$KT_WORK/$code.conf" "$KT_CERTS/$code.pem" "$KT_CERTS/$code.key"
}

# region_import DIR: prints the milliseconds the import took (queue, upload, pull back).
region_import() {
	local t0 rc=0
	t0=$(date +%s%N)
	timeout 1800 "$KT_KARTA" --config "$KT_WORK/reg.conf" registry import participants \
		"$1/participants.csv" >"$KT_WORK/import.out" 2>"$KT_WORK/import.err" || rc=$?
	[ "$rc" = 0 ] || kt_fail "region import: exit $rc: $(tail -n 5 "$KT_WORK/import.err")"
	echo $((($(date +%s%N) - t0) / 1000000))
}

# region_check CODE WHERE
region_check() {
	local code=$1 where=$2 srv n sum
	# one line per row, in id order, each ending in a newline: the same bytes on both sides
	srv=$(kt_psql "SELECT count(*) || ' ' || md5(coalesce(string_agg(to_json(p)::text || E'\n',
		'' ORDER BY p.id), '')) FROM participant p WHERE p.deleted_at IS NULL AND ($where)")
	n=$(sqlite3 -batch "$KT_WORK/$code.state/replica.db" "SELECT count(*) FROM row
		WHERE entity_type = 'participant' AND json_extract(payload, '$.deleted_at') IS NULL")
	sum=$(sqlite3 -batch "$KT_WORK/$code.state/replica.db" "SELECT payload FROM row
		WHERE entity_type = 'participant' AND json_extract(payload, '$.deleted_at') IS NULL
		ORDER BY entity_id" | md5sum | cut -d' ' -f1)
	[ "${srv%% *}" -gt 0 ] || kt_fail "$code: the server has no participants for $where"
	kt_assert_eq "$n $sum" "$srv" "$code: participants in the replica vs the server (count md5)"
}

# region_exam ID: no client command makes exams (the schedule comes from РИС): SQL.
region_exam() {
	kt_psql "INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date)
	SELECT '$1', id, 2, 'Математика (профильная)', 1, 11, '2025-06-01' FROM organization WHERE code = 'reg';
	INSERT INTO exam_registration(id, org_id, participant_id, exam_id)
	SELECT gen_random_uuid(), p.org_id, p.id, '$1' FROM participant p
	JOIN exam e ON e.id = '$1' WHERE karta_registration_ok(p.form, p.class, e.form, e.gia)" >/dev/null
}

# region_planning DIR GEN_ARGS…
region_planning() {
	local g=$1 f
	shift
	"$KT_BIN/tests/kt_gen_region" "$g" "$@" >/dev/null
	region_orgs "$g"
	for f in participants exam-points auditoriums; do
		kt_ok reg registry import "$f" "$g/$f.csv"
	done
	MUN=$(kt_psql "SELECT o.code FROM exam_point p JOIN organization o ON o.id = p.org_id WHERE p.code = '0001'")
	OTHER=$(kt_psql "SELECT min(o.code) FROM exam_point p JOIN organization o ON o.id = p.org_id
		WHERE o.code <> '$MUN'")
	[ -n "$OTHER" ] || kt_fail "the generated region lacks a second municipality with points"
}

# region_planned NAME GEN_ARGS…
region_planned() {
	kt_setup "$1"
	shift
	kt_start_kartad
	G=$KT_WORK/gen
	region_planning "$G" "$@"
}

# region_staff_of MUN DIR
region_staff_of() {
	local pts
	pts=$(kt_psql "SELECT string_agg(p.code, ' ') FROM exam_point p JOIN organization o ON o.id = p.org_id
		WHERE o.code = '$1'")
	tr -d '\r' <"$2/staff.csv" | awk -F';' -v pts=" $pts " 'NR == 1 || index(pts, " " $14 " ") > 0' \
		>"$KT_WORK/staff-$1.csv"
	kt_ok reg registry import staff "$KT_WORK/staff-$1.csv" --org "$1"
}

region_rollup() {
	local g=$KT_WORK/gen
	"$KT_BIN/tests/kt_gen_region" "$g" --municipalities "$1" --schools "$2" --participants 1 \
		--exam-points 1 --auditoriums 1 --staff 1 >/dev/null
	region_orgs "$g"
	psql -XAtq -v ON_ERROR_STOP=1 -v history=1 "$KT_CONNINFO" >/dev/null <<-SQL
		SET session_replication_role = replica;
		SELECT setseed(0.42);
		\\i $KT_SRC/bench/rollup_gen.sql
	SQL
	kt_psql "VACUUM (ANALYZE)"
}
