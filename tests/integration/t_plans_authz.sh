#!/usr/bin/env bash
# t_plans_authz: every cell of the plan access matrix, with real certificates.
#   region       — reads and writes every plan in the region
#   municipality — writes its own plans; reads its schools' and the region's; nothing else
#   school       — writes its own plan; reads its municipality's and the region's
#   viewer device — reads like its organization, never writes
# Each forbidden operation must answer PERMISSION_DENIED (exit 1, "permission denied") and
# change nothing in the database; each allowed one must succeed.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_plans_authz
# A second device of mun1, registered as a viewer.
"$KT_CERTSH" "$KT_CERTS" mun1view >/dev/null
kt_admin device add --org mun1 --cert "$KT_CERTS/mun1view.pem" --role viewer >/dev/null
kt_write_client_conf "$KT_WORK/mun1view.conf" "$KT_CERTS/mun1view.pem" "$KT_CERTS/mun1view.key"
kt_start_kartad


# One plan per organization: the region's, derived plans below it.
kt_ok reg plan create --title "Региональный план" --year 2023 --section "1|Раздел"
declare -A PLAN=([reg]=$(kt_id_of "$KT_OUT" plan))
kt_ok reg item add "${PLAN[reg]}" --title "Пункт для всех" --responsible "УО, руководители ОО" \
	--municipal "м" --institutional "о" --deadline "до 1 ноября"
for m in mun1 mun2; do
	kt_ok "$m" plan derive "${PLAN[reg]}"
	PLAN[$m]=$(kt_id_of "$KT_OUT" plan)
done
for s in sch11 sch12; do
	kt_ok "$s" plan derive "${PLAN[mun1]}"
	PLAN[$s]=$(kt_id_of "$KT_OUT" plan)
done
kt_ok sch21 plan derive "${PLAN[mun2]}"
PLAN[sch21]=$(kt_id_of "$KT_OUT" plan)
declare -A ITEM
for o in "${!PLAN[@]}"; do
	ITEM[$o]=$(kt_psql "SELECT id FROM plan_item WHERE plan_id = '${PLAN[$o]}' LIMIT 1")
	[ -n "${ITEM[$o]}" ] || kt_fail "plan of $o has no item"
done

# expected ACTOR OWNER: "write", "read" or "none".
expected() {
	local a=$1 o=$2
	if [ "$a" = "$o" ] || [ "$a" = reg ]; then echo write; return; fi
	case "$a:$o" in
	mun1:sch11 | mun1:sch12 | mun2:sch21) echo read ;;        # its schools
	mun1:reg | mun2:reg) echo read ;;                          # its region
	sch11:mun1 | sch12:mun1 | sch21:mun2) echo read ;;         # its municipality
	sch11:reg | sch12:reg | sch21:reg) echo read ;;            # its region
	*) echo none ;;
	esac
}

denied() { # denied WHAT: the last kt_run was refused with PERMISSION_DENIED
	kt_assert_rc 1 "$1"
	KT_ICASE=1 kt_assert_match "$KT_ERR" 'permission denied' "$1"
}

actors=(reg mun1 mun2 sch11 sch12 sch21)
owners=(reg mun1 mun2 sch11 sch12 sch21)
cells=0
for a in "${actors[@]}"; do
	# plan list shows exactly the plans the matrix lets it read.
	kt_ok "$a" plan list --format csv
	for o in "${owners[@]}"; do
		exp=$(expected "$a" "$o")
		if [ "$exp" = none ]; then
			kt_assert_not_contains "$KT_OUT" "${PLAN[$o]}" "plan list of $a (plan of $o)"
		else
			kt_assert_contains "$KT_OUT" "${PLAN[$o]}" "plan list of $a (plan of $o)"
		fi
	done
	for o in "${owners[@]}"; do
		exp=$(expected "$a" "$o")
		cell="$a on the plan of $o (expect $exp)"
		# read: plan show, item show, item history
		for cmd in "plan show ${PLAN[$o]}" "item show ${ITEM[$o]}" "item history ${ITEM[$o]}"; do
			# shellcheck disable=SC2086 # word splitting intended
			kt_run kt_karta "$a" $cmd
			if [ "$exp" = none ]; then denied "$cmd: $cell"; else kt_assert_rc 0 "$cmd: $cell"; fi
		done
		# write: item add, item edit, item move, plan edit, approve — all refused unless write
		before=$(kt_plan_snapshot)
		if [ "$exp" != write ]; then
			kt_run kt_karta "$a" item add "${PLAN[$o]}" --title "чужой пункт"
			denied "item add: $cell"
			kt_run kt_karta "$a" item edit "${ITEM[$o]}" --municipal "чужая правка"
			denied "item edit: $cell"
			kt_run kt_karta "$a" item delete "${ITEM[$o]}" --reason "чужое удаление"
			denied "item delete: $cell"
			kt_run kt_karta "$a" plan edit "${PLAN[$o]}" --implements "чужое"
			denied "plan edit: $cell"
			kt_run kt_karta "$a" plan approve "${PLAN[$o]}" --number 1 --date 2023-10-01
			denied "plan approve: $cell"
			kt_assert_eq "$before" "$(kt_plan_snapshot)" "refused writes changed the database: $cell"
		else
			kt_run kt_karta "$a" item add "${PLAN[$o]}" --title "пункт от $a"
			kt_assert_rc 0 "item add: $cell"
			kt_run kt_karta "$a" plan edit "${PLAN[$o]}" --implements "правка от $a"
			kt_assert_rc 0 "plan edit: $cell"
		fi
		cells=$((cells + 1))
	done
done
kt_assert_eq 36 "$cells" "matrix cells checked"

# The viewer device of mun1 reads what mun1 reads and writes nothing, not even mun1's plan.
before=$(kt_plan_snapshot)
kt_run kt_karta mun1view plan show "${PLAN[mun1]}"
kt_assert_rc 0 "viewer reads its organization's plan"
kt_run kt_karta mun1view item add "${PLAN[mun1]}" --title "от наблюдателя"
denied "viewer item add"
kt_run kt_karta mun1view plan derive "${PLAN[reg]}"
denied "viewer derive"
# A dry run of an import rehearses a write: the route table (server/session.c) refuses it
# to a viewer before any handler or SQL runs.
kt_run kt_karta mun1view plan import "$KT_SRC/tests/fixtures/seeds/003_042b6b193d2b342e.txt" \
	--into "${PLAN[mun1]}" --dry-run
denied "viewer import --dry-run"
kt_assert_eq 1 "$(kt_log_count 'event=denied type=PlanImport role=viewer')" \
	"the dispatcher refused the viewer's dry run"
kt_assert_eq "$before" "$(kt_plan_snapshot)" "viewer attempts changed the database"

# Derive only from the organization directly above.
kt_run kt_karta sch21 plan derive "${PLAN[mun1]}"                  # another municipality's
kt_assert_rc 1 "sch21 derive from mun1"
kt_run kt_karta reg plan derive "${PLAN[mun1]}"
denied "region derive"

kt_stop_kartad
kt_pass
