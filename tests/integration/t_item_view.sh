#!/usr/bin/env bash
# t_item_view: `karta item show` tells an item's status, comment and evidence, and `karta
# item history` the old → new value of every field a version changed, and only those
# (issue 19; sql/0023), against real kartad, PostgreSQL and TLS:
#  - the region's item edited twice (deadline; title and responsible together) and once
#    with nothing new: the history names exactly the changed fields with both values, the
#    database's item_change rows agree, the CSV's "fields" column lists the same keys;
#  - a school's status with comment and evidence shown by `item show` (text and JSON); its
#    municipality sees it on the item its school's item derives from; another school's
#    status and comment never reach the first school; an item without a status says
#    «not reported»; offline, the item shows and says the status is unknown.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_item_view
kt_start_kartad

kt_ok reg plan create --title "Дорожная карта ГИА" --year 2026 --section "1|Мероприятия"
PLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Собрания с родителями" \
	--deadline "до 1 мая" --responsible "УО" --municipal "собрания"
ITEM=$(kt_id_of "$KT_OUT" item)
kt_ok reg item add "$PLAN" --section 1 --number 1.2 --title "Пробный экзамен" --deadline "до 1 июня"
ITEM2=$(kt_id_of "$KT_OUT" item)

# --- history: old → new, only what changed -------------------------------------------------
kt_ok reg item edit "$ITEM" --deadline "до 15 мая"
kt_ok reg item edit "$ITEM" --title "Родительские собрания" --responsible "УО, ОО" \
	--municipal "собрания" # the same municipal text: not a change
kt_ok reg item history "$ITEM"
H=$KT_OUT
kt_assert_contains "$H" "deadline: «до 1 мая» → «до 15 мая»" "history of the deadline edit"
kt_assert_not_contains "$H" "municipal action" "history: an unchanged field"
v2=$(grep -E '^ *2 ' <<<"$H" || true)
kt_assert_contains "$v2" "deadline:" "version 2 row"
kt_assert_not_contains "$v2" "title:" "version 2 changed only the deadline"
kt_assert_eq "2:deadline_text|3:responsible_text,title" "$(kt_psql "SELECT string_agg(row_version || ':' ||
	(SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(new) k), '|' ORDER BY row_version)
	FROM item_change WHERE item_id = '$ITEM'")" "item_change rows in the database"
kt_assert_eq "до 1 мая" "$(kt_psql "SELECT old->>'deadline_text' FROM item_change
	WHERE item_id = '$ITEM' AND row_version = 2")" "the old deadline kept"
kt_ok reg item history "$ITEM" --format csv
kt_assert_contains "$KT_OUT" ",\"title,responsible_text\"," "CSV fields: the changed keys only"
kt_assert_match "$(head -n 1 <<<"$KT_OUT")" "version,op,at,org,device,fields,changes" "CSV header keys"
kt_ok reg item history "$ITEM" --format json
kt_assert_eq "deadline_text" "$(jq -r '.[] | select(.version == 2) | .fields' <<<"$KT_OUT")" \
	"JSON history: version 2's fields"
kt_assert_eq "title: «Собрания с родителями» → «Родительские собрания»; responsible: «УО» → «УО, ОО»" \
	"$(jq -r '.[] | select(.version == 3) | .changes' <<<"$KT_OUT")" "JSON history: version 3's changes"

# --- statuses through the plan cascade -----------------------------------------------------
kt_ok reg plan approve "$PLAN" --number "01-08/1" --date 2026-01-10
kt_ok mun1 plan derive "$PLAN"
MPLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok mun1 plan approve "$MPLAN" --number "м-1" --date 2026-01-12
kt_ok sch11 plan derive "$MPLAN"
kt_ok sch12 plan derive "$MPLAN"
item_of() { # ORG NUMBER
	kt_psql "SELECT i.id FROM plan_item i JOIN plan p ON p.id = i.plan_id
		JOIN organization o ON o.id = p.owner_org_id WHERE o.code = '$1' AND i.number = '$2'"
}
MI=$(item_of mun1 1.1) S11=$(item_of sch11 1.1) S12=$(item_of sch12 1.1)
kt_ok sch11 item status "$S11" done --comment "проведены в 9-х классах" \
	--evidence "Приказ №12 от 01.10.2026" --count 25
kt_ok sch12 item status "$S12" blocked --comment "секретное замечание школы 12"

kt_ok sch11 item show "$S11"
kt_assert_match "$KT_OUT" "status sch11 +done \(version 1, " "sch11's status"
kt_assert_match "$KT_OUT" "comment +проведены в 9-х классах" "the comment"
kt_assert_match "$KT_OUT" "evidence +.*12.*count: 25" "the evidence"
kt_assert_not_contains "$KT_OUT" "sch12" "sch11 sees nothing of sch12"
kt_ok sch11 item show "$MI" # the municipality's item, readable by its school
kt_assert_contains "$KT_OUT" "status sch11" "sch11's status under the municipality's item"
kt_assert_not_contains "$KT_OUT" "секретное" "another school's comment"
kt_ok mun1 item show "$MI"
kt_assert_contains "$KT_OUT" "status sch11" "mun1 sees sch11's status"
kt_assert_match "$KT_OUT" "status sch12 +blocked" "mun1 sees sch12's status"
kt_assert_contains "$KT_OUT" "секретное замечание школы 12" "mun1 reads its school's comment"
kt_ok sch11 item show "$S11" --format json
kt_assert_eq "done|проведены в 9-х классах|25|1" "$(jq -r '[.statuses[0].status, .statuses[0].comment,
	.statuses[0].evidence.count, (.statuses | length)] | join("|")' <<<"$KT_OUT")" "JSON statuses"
kt_ok reg item show "$ITEM2"
kt_assert_match "$KT_OUT" "status +not reported" "an item without a status"

# offline: the item from the replica, the status unknown
kt_ok sch11 sync
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/sch11.conf" >"$KT_WORK/sch11-off.conf"
kt_ok sch11-off item show "$S11"
kt_assert_contains "$KT_OUT" "Родительские собрания" "offline item show"
kt_assert_contains "$KT_OUT" "unknown: the server cannot be reached now" "offline status"

# refused: a bad id, somebody else's item
kt_refused sch11 "no item|not found" item show 00000000-0000-4000-8000-000000000000
kt_refused sch11 "no access|denied" item show "$S12"

kt_stop_kartad
kt_pass
