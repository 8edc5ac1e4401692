#!/usr/bin/env bash
# t_record_op_kinds: a RecordOp carries only record kinds (server/handlers/record_kinds.c).
# A modified client forges RecordOps of plan-write kinds (item_put with a deadline_last of
# 1901-01-01 and a made-up deadline object, plan_put, plan_import): each is REJECTED by
# kartad before the database, nothing is written (plans, items, op_log), and a plain item
# edit queued after them still applies through its own message (ItemPut) with its deadline
# normalized by kartad. Before the allow-list the forged item_put was APPLIED (issue 16).
# The allow-list and the database's op_kind table name the same kinds.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_record_op_kinds
kt_start_kartad

kt_ok reg plan create --title "Дорожная карта ГИА" --year 2026 --section "1|Организационные мероприятия"
PLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Совещание" --deadline "до 1 декабря"
ITEM=$(kt_psql "SELECT id FROM plan_item WHERE plan_id = '$PLAN'")
SEC=$(kt_psql "SELECT id FROM plan_section WHERE plan_id = '$PLAN'")
VER=$(kt_psql "SELECT row_version FROM plan_item WHERE id = '$ITEM'")
kt_ok reg sync
SNAP=$(kt_plan_snapshot)

# RecordOp (message type 50): kind = 1, id = 2, base_row_version = 3, args_json = 4
record_op() { kt_pb_str 1 "$1"; [ -z "$2" ] || kt_pb_str 2 "$2"; [ "$3" = 0 ] || kt_pb_int 3 "$3"; kt_pb_str 4 "$4"; }
NEW=$(kt_uuid)
FORGED_NEW='{"item": {"id": "'"$NEW"'", "plan_id": "'"$PLAN"'", "section_id": "'"$SEC"'", "ordinal": 2,
 "number": "1.2", "title": "Подделка", "deadline_text": "", "deadline_last": "1901-01-01",
 "deadline_kind": "date", "deadline": {"forged": true}}, "base": 0, "fields": []}'
FORGED_EDIT='{"item": {"id": "'"$ITEM"'", "plan_id": "'"$PLAN"'", "section_id": "'"$SEC"'", "ordinal": 1,
 "number": "1.1", "title": "Совещание", "deadline_text": "до 1 декабря",
 "deadline_last": "1901-01-01", "deadline_kind": "date", "deadline": {"forged": true}},
 "base": '"$VER"', "fields": ["deadline_last", "deadline"]}'
OPS=()
for body in "$(record_op item_put "" 0 "$FORGED_NEW")" "$(record_op item_put "" 0 "$FORGED_EDIT")" \
	"$(record_op plan_put "$PLAN" 0 '{"plan": {"id": "'"$PLAN"'", "title": "чужой"}, "sections": []}')" \
	"$(record_op plan_import "" 0 '{"plan": {}, "items": [], "sections": []}')"; do
	op=$(kt_uuid)
	OPS+=("$op")
	kt_outbox_forge reg "$op" 50 "$body"
done
kt_run kt_karta reg sync
kt_assert_rc 0 "sync with forged ops"
kt_assert_match "$KT_OUT" "sent 4 changes: 4 rejected" "the four forged ops are refused"
for k in item_put plan_put plan_import; do
	kt_assert_contains "$KT_OUT" "kind: $k is not a record operation" "refusal of a forged $k"
done
kt_assert_eq "$SNAP" "$(kt_plan_snapshot)" "forged ops wrote nothing to plans, items or history"
for op in "${OPS[@]}"; do
	kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM op_log WHERE op_id = '$op'")" \
		"op_log of forged op $op (refused before the database)"
done
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM plan_item WHERE id = '$NEW' OR deadline_last < '1990-01-01'
	OR deadline ? 'forged'")" "no forged item or deadline stored"
kt_assert_eq 0 "$(kt_sq reg "SELECT count(*) FROM outbox")" "outbox empty"
kt_assert_eq 4 "$(kt_sq reg "SELECT count(*) FROM rejected")" "the refused ops are listed as rejected"

# an item edit queued offline after them goes through its own message, deadline normalized
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/reg.conf" >"$KT_WORK/reg-off.conf"
kt_ok reg-off item edit "$ITEM" --municipal "после подделки" --deadline "до 1 марта"
kt_ok reg sync
kt_assert_match "$KT_OUT" "sent 1 change: 1 applied" "the real edit"
kt_assert_eq "после подделки" "$(kt_psql "SELECT municipal_action FROM plan_item WHERE id = '$ITEM'")" \
	"the real edit applied"
kt_assert_eq "2027-03-01" "$(kt_psql "SELECT deadline_last FROM plan_item WHERE id = '$ITEM'")" \
	"its deadline normalized by kartad (academic year 2026/27)"
kt_assert_replica_eq reg

# the allow-list and the database's op_kind table name the same kinds: a kind a migration
# adds without adding it to record_kinds.c would be refused for every client
for k in $(kt_psql "SELECT kind FROM op_kind ORDER BY kind"); do
	grep -q "\"$k\"" "$KT_SRC/server/handlers/record_kinds.c" ||
		kt_fail "op_kind '$k' is missing from server/handlers/record_kinds.c"
done
for k in $(grep -o '"[a-z_]*"' "$KT_SRC/server/handlers/record_kinds.c" | tr -d '"'); do
	kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM op_kind WHERE kind = '$k'")" \
		"record_kinds.c kind $k in op_kind"
done

kt_stop_kartad
kt_pass
