# upload_lib.sh: what the tests of a connection's line of Uploads share (t_upload_pipeline,
# t_upload_parallel): mun1's plans, and plans held by another session so that the Uploads
# writing into them wait in the database. Source it after lib.sh and kt_setup.
#   new_plan TITLE     a plan of mun1 with one section; prints "plan section"
#   hold_plan PLAN     another session holds the plan's row FOR UPDATE (its new items wait)
#                      until release_plans
#   release_plans      ends every hold
#   applied            mun1's device's ops applied (op_log), MUN its device id

new_plan() {
	kt_ok mun1 plan create --title "$1" --year 2026 --section "1|Раздел"
	local p
	p=$(kt_id_of "$KT_OUT" plan)
	echo "$p $(kt_psql "SELECT id FROM plan_section WHERE plan_id = '$p'")"
}

HOLDS=()
hold_plan() {
	kt_bg psql -XAtq "$KT_CONNINFO application_name=t_hold_$1" -c "BEGIN;
		SELECT id FROM plan WHERE id = '$1' FOR UPDATE; SELECT pg_sleep(600)"
	HOLDS+=("$KT_BG_PID")
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(kt_backends "application_name = 't_hold_$1' AND wait_event = 'PgSleep'")" = 1 ] &&
			return 0
		sleep 0.1
	done
	kt_fail "could not hold plan $1"
}

release_plans() {
	kt_terminate "application_name LIKE 't_hold_%'" >/dev/null
	local p
	for p in "${HOLDS[@]}"; do kt_bg_kill "$p"; done
	HOLDS=()
}

MUN=$(kt_dev_id mun1)
applied() { kt_psql "SELECT count(*) FROM op_log WHERE device_id = $MUN AND outcome = 'applied'"; }
