#!/usr/bin/env bash
# t_ru_server: the texts the server builds reach a Russian user in Russian (issue 19;
# common/kt_server_text.c, po/ru/server.po) and an English one byte for byte as the server
# wrote them: refusals of a write (another organization's plan, an approved plan's text),
# the exam planning summaries (rooms assigned, a distribution's dry run and its run, the
# seating, the lock and the refusal it causes), a deadline warning stored with an item,
# the rejected op in `karta status` (its summary and time too), and karta-admin org import's
# refusal reasons; the history and the item name sections by their labels. Real kartad,
# PostgreSQL and TLS.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/region_lib.sh
. "$(dirname "$0")/region_lib.sh"
# shellcheck source=tests/integration/gds_lib.sh
. "$(dirname "$0")/gds_lib.sh"
kt_need_ru

kt_setup t_ru_server
kt_start_kartad

# --- a deadline warning stored with the item ---------------------------------------------
kt_ok reg plan create --title "Дорожная карта" --year 2026 --section "1|Мероприятия" --section "2|Контроль"
PLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Собрания" --deadline "до 29 февраля"
ITEM=$(kt_id_of "$KT_OUT" item)
kt_run kt_ru kt_karta reg item show "$ITEM"
kt_assert_contains "$KT_OUT" "29 февраля 2027 года не существует; прочитано как 28-е" "the warning in Russian"
kt_assert_not_contains "$KT_OUT" "does not exist" "no English warning in Russian"
kt_run kt_en kt_karta reg item show "$ITEM"
kt_assert_contains "$KT_OUT" "29 february 2027 does not exist; read as the 28th" "the warning in English"
kt_run kt_ru kt_karta reg item show "$ITEM" --format json
kt_assert_contains "$KT_OUT" "29 february 2027 does not exist; read as the 28th" "JSON keeps the server's English"

# --- the history and the item name sections by their labels ---------------------------------
kt_ok reg item move "$ITEM" --section 2
kt_ok reg sync
kt_run kt_ru kt_karta reg item history "$ITEM"
kt_assert_contains "$KT_OUT" "раздел: «1 Мероприятия» → «2 Контроль»" "the history names the sections"
kt_run kt_ru kt_karta reg item show "$ITEM"
kt_assert_match "$KT_OUT" "^раздел +«2 Контроль» \([0-9a-f]{8}\)" "item show names its section"
kt_run kt_ru kt_karta reg item history "$ITEM" --format json
kt_assert_not_contains "$KT_OUT" "Контроль" "JSON keeps the ids"

# --- refusals of a write -------------------------------------------------------------------
kt_ok mun1 sync
before=$(kt_plan_snapshot)
kt_run kt_ru kt_karta mun1 item edit "$ITEM" --municipal "чужая правка"
kt_assert_rc 1 "another organization's plan"
kt_assert_contains "$KT_ERR" "нет права изменять план $PLAN" "the refusal in Russian"
kt_assert_not_contains "$KT_ERR" "no write access" "no English inside the Russian line"
kt_run kt_ru kt_karta mun1 status
kt_assert_contains "$KT_OUT" "мероприятие: изменение 1.1 «Собрания» — нет права изменять план $PLAN" \
	"the rejected op in karta status: its summary and the reason"
kt_assert_match "$KT_OUT" "операция [0-9]+  [0-9]{2}\.[0-9]{2}\.[0-9]{4} [0-9]{2}:[0-9]{2} " "its time as people write it"
kt_run kt_en kt_karta mun1 status
kt_assert_contains "$KT_OUT" "item edit 1.1 «Собрания» — no write access to plan $PLAN" "karta status in English"
kt_run kt_en kt_karta mun1 item edit "$ITEM" --municipal "чужая правка"
kt_assert_rc 1 "the same in English"
kt_assert_contains "$KT_ERR" "server refused: no write access to plan $PLAN" "the refusal in English"
kt_assert_eq "$before" "$(kt_plan_snapshot)" "the refused edits wrote nothing"
kt_ok reg plan approve "$PLAN" --number 01-08/1 --date 2026-09-01
kt_run kt_ru kt_karta reg item edit "$ITEM" --title "Другое название"
kt_assert_rc 1 "an approved plan's text"
kt_assert_contains "$KT_ERR" "план $PLAN — утверждён: его текст изменять нельзя" "the state translated inside the text"
kt_run kt_en kt_karta reg item edit "$ITEM" --title "Другое название"
kt_assert_contains "$KT_ERR" "plan $PLAN is approved: its text is read-only" "the same in English"

# --- exam planning summaries -------------------------------------------------------------
G=$KT_WORK/gen
region_planning "$G" --municipalities 2 --schools 4 --participants 40 --exam-points 4 \
	--auditoriums 12 --staff 10
region_device "$MUN"
# a registry row's history names the changed fields by the form's labels in Russian
P1=$(kt_psql "SELECT id FROM participant ORDER BY id LIMIT 1")
kt_ok reg sync
kt_ok reg registry edit participants "$P1" --citizenship "Российская Федерация"
kt_run kt_ru kt_karta reg registry history participants "$P1"
kt_assert_match "$KT_OUT" "изменена +2 +гражданство " "the changed field by its label"
kt_run kt_en kt_karta reg registry history participants "$P1"
kt_assert_match "$KT_OUT" "изменена +2 +citizenship " "the column in English"
E=11111111-2222-4333-8444-555555555555
region_exam "$E"
kt_ok reg sync
kt_ok "$MUN" sync
X=2025-06-01:2
ROOMS=$(kt_psql "SELECT string_agg('--room ' || a.code, ' ' ORDER BY a.code) FROM auditorium a
	JOIN exam_point p ON p.id = a.point_id WHERE p.code = '0001'")
NR=$(kt_psql "SELECT count(*) FROM auditorium a JOIN exam_point p ON p.id = a.point_id WHERE p.code = '0001'")
# shellcheck disable=SC2086
kt_run kt_ru kt_karta "$MUN" exam plan --exam "$X" --point 0001 $ROOMS
kt_assert_rc 0 "exam plan"
kt_assert_contains "$KT_OUT" "ППЭ: назначено; аудитории: назначено $NR, снято 0" "rooms assigned, in Russian"
kt_run kt_en kt_karta "$MUN" exam plan --exam "$X" --point 0001 $ROOMS
kt_assert_contains "$KT_OUT" "point assigned, rooms: $NR assigned, 0 unassigned" "the same in English"
kt_run kt_ru kt_karta "$MUN" exam distribute --exam "$X" --dry-run
kt_assert_rc 0 "distribute --dry-run"
kt_assert_match "$KT_OUT" "пробный запуск: распределено: [0-9]+, не распределено: [0-9]+ \(с ОВЗ: [0-9]+\)" \
	"the dry run's summary in Russian"
kt_run kt_en kt_karta "$MUN" exam distribute --exam "$X" --dry-run
kt_assert_match "$KT_OUT" "dry run: distributed [0-9]+, not distributed [0-9]+ \(ОВЗ [0-9]+\)" "in English"
kt_run kt_ru kt_karta "$MUN" exam distribute --exam "$X"
kt_assert_match "$KT_OUT" "^распределено: [0-9]+, не распределено" "the distribution in Russian"
kt_run kt_ru kt_karta "$MUN" exam seat --exam "$X" --order even
kt_assert_match "$KT_OUT" "порядок «равномерно»: рассажено: [0-9]+ \(вручную, сохранено: 0\)" "the seating in Russian"
kt_run kt_en kt_karta "$MUN" exam seat --exam "$X" --order even
kt_assert_match "$KT_OUT" "order even: seated [0-9]+ \(manual kept 0\)" "the seating in English"
kt_run kt_ru kt_karta reg exam lock --exam "$X" --reason "выгружено в ППЭ"
kt_assert_rc 0 "exam lock"
kt_assert_contains "$KT_OUT" "планирование закрыто" "the lock in Russian"
kt_run kt_ru kt_karta "$MUN" exam seat --exam "$X"
kt_assert_rc 1 "a locked exam refuses"
kt_assert_contains "$KT_ERR" "планирование экзамена закрыто регионом (выгружено в ППЭ): сначала его нужно открыть" \
	"the lock's refusal in Russian, the reason kept"
kt_run kt_en kt_karta "$MUN" exam seat --exam "$X"
kt_assert_contains "$KT_ERR" "the exam's planning is locked by the region (выгружено в ППЭ): it must be unlocked first" \
	"the lock's refusal in English"
kt_run kt_en kt_karta reg exam unlock --exam "$X"
kt_assert_contains "$KT_OUT" "unlocked" "unlock in English"

# --- karta-admin org import: the refusal reasons built in SQL -------------------------------
D=$KT_WORK/pkg
"$KT_SRC/tests/tools/gds_gen.py" orgs "$D/dup"
dup "$D/dup/rbd_Schools.xml" 2
s=$(kt_psql "SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM organization o")
kt_run kt_ru kt_admin org import "$D/dup"
kt_assert_rc 1 "a package with a duplicate GUID"
kt_assert_contains "$KT_ERR" "rbd_Schools.xml: строка 3: повтор GUID: тот же, что в rbd_Schools.xml, строка 2" \
	"the refusal reason in Russian"
kt_run kt_en kt_admin org import "$D/dup"
kt_assert_contains "$KT_ERR" "rbd_Schools.xml: row 3: duplicate GUID: the same as rbd_Schools.xml row 2" \
	"the refusal reason in English"
kt_assert_eq "$s" "$(kt_psql "SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM organization o")" \
	"the refused package wrote nothing"

kt_stop_kartad
kt_pass
