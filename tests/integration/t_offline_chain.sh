#!/usr/bin/env bash
# t_offline_chain: writes queued offline on top of each other all arrive. A row created offline
# and then edited, moved, deleted or reported on offline — before any sync — is based on the
# version its create will make, so each later op applies on top of the create; based on 0, the
# edit was a second create and the server refused it ("an item with this id exists"): the
# user's offline correction was lost. Also a plan created and edited offline, and an offline
# edit of a synced item after another device's change (still merged, not overwritten).
# Real kartad, PostgreSQL and TLS.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_offline_chain
kt_start_kartad

kt_ok sch11 plan create --title "План школы" --year 2026 --section "1|Мероприятия" --section "2|Отчёты"
PLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok sch11 sync
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/sch11.conf" >"$KT_WORK/sch11-off.conf"

# --- an item created offline, then reported on, edited and moved offline ---------------------
kt_ok sch11-off item add "$PLAN" --section 1 --number 1.1 --title "Первое" --deadline "до 1 мая"
A=$(kt_id_of "$KT_OUT" item)
kt_ok sch11-off item status "$A" in_progress
kt_ok sch11-off item edit "$A" --title "Первое, исправленное"
kt_ok sch11-off item edit "$A" --deadline "до 15 мая"
kt_ok sch11-off item move "$A" --section 2
# --- one created and deleted offline ----------------------------------------------------------
kt_ok sch11-off item add "$PLAN" --section 1 --number 1.2 --title "Лишнее"
B=$(kt_id_of "$KT_OUT" item)
kt_ok sch11-off item delete "$B" --reason "добавлено по ошибке"
# --- a plan created and edited offline ----------------------------------------------------------
kt_ok sch11-off plan create --title "Черновик" --year 2026 --section "1|Раздел"
P2=$(kt_id_of "$KT_OUT" plan)
kt_ok sch11-off plan edit "$P2" --title "План мероприятий"

kt_ok sch11 sync
kt_log "sync: $KT_OUT"
kt_assert_match "$KT_OUT" "^sent 9 changes: 9 applied$" "every queued op applied"
kt_assert_not_contains "$KT_OUT" "rejected" "the sync's answers"
kt_assert_eq "Первое, исправленное|до 15 мая|2|4" \
	"$(kt_psql "SELECT i.title, i.deadline_text, s.number, i.row_version FROM plan_item i
		JOIN plan_section s ON s.id = i.section_id WHERE i.id = '$A'")" \
	"the item created offline has its offline edits and move (four versions)"
kt_assert_eq "in_progress" "$(kt_psql "SELECT status FROM item_status WHERE item_id = '$A'")" \
	"its status"
kt_assert_eq "t|добавлено по ошибке" \
	"$(kt_psql "SELECT deleted_at IS NOT NULL, delete_reason FROM plan_item WHERE id = '$B'")" \
	"the item created and deleted offline"
kt_assert_eq "План мероприятий|2" "$(kt_psql "SELECT title, row_version FROM plan WHERE id = '$P2'")" \
	"the plan created and edited offline"
kt_ok sch11 status
kt_assert_contains "$KT_OUT" "queued:       0 changes" "the queue after the sync"
kt_assert_contains "$KT_OUT" "rejected:     0" "nothing rejected"

# --- a synced item: an offline edit still names the version read -------------------------------
# Someone else (a write by no device of this school, made here in SQL: updated_by NULL) changes
# the title while this device edits the same field offline: a conflict, not a silent overwrite;
# and a move based on the version before it is refused, not applied over it.
kt_psql "UPDATE plan_item SET title = 'Чужая правка', row_version = row_version + 1,
	updated_by = NULL WHERE id = '$A'" >/dev/null
kt_psql "INSERT INTO item_history(item_id, row_version, op, fields)
	SELECT id, row_version, 'update', '{title}' FROM plan_item WHERE id = '$A'" >/dev/null
kt_ok sch11-off item edit "$A" --title "Моя правка"
kt_ok sch11 sync
kt_assert_eq "Чужая правка" "$(kt_psql "SELECT title FROM plan_item WHERE id = '$A'")" \
	"an offline edit based on the version read does not overwrite a newer change"
kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM conflict WHERE entity_id = '$A'")" \
	"the stale offline edit is a conflict"
kt_ok sch11-off item move "$A" --section 1 --base 4
kt_ok sch11 sync
kt_assert_contains "$KT_OUT" "rejected — item changed since version 4 (now 5)" \
	"a move based on a version another device's write made stale"
kt_assert_eq 2 "$(kt_psql "SELECT s.number FROM plan_item i JOIN plan_section s ON s.id = i.section_id
	WHERE i.id = '$A'")" "the item stays where the refused move found it"

kt_stop_kartad
kt_pass
