#!/usr/bin/env bash
# t_ru_messages: with LANG=ru_RU.UTF-8 the registry, exam and item commands speak Russian —
# the shared validators' reasons (a wrong СНИЛС: «контрольное число не совпадает»), the
# importer's summary, counts with Russian plural forms, the seating list, an item's status
# and changes, the device certificate's validity — and the same commands in the C locale
# stay English (issue 19). Real kartad, PostgreSQL and TLS.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
kt_need_ru

kt_setup t_ru_messages
kt_start_kartad
D=$KT_WORK/data
mkdir -p "$D"
H='Фамилия;Имя;Отчество;Тип документа;Серия документа;Номер документа;Пол;Дата рождения;Класс;СНИЛС;Код ОО;Категория участника;Форма ГИА;ОВЗ'
cat >"$D/p.csv" <<CSV
$H
Сидоренкова;Анна;Петровна;1;45 06;731946;Ж;12.03.2008;11А;112-233-445 95;sch11;1;ЕГЭ;0
Кузнецовский;Иван;Сергеевич;1;4507;582017;М;01.02.2008;11Б;27845196323;sch11;1;ЕГЭ;0
CSV
{ cat "$D/p.csv"; echo 'Ворожейкин;Пётр;Ильич;1;4509;815274;М;07.07.2008;11В;461-729-385 08;sch11;1;ЕГЭ;0'; } >"$D/bad.csv"
kt_ok sch11 sync

# a wrong СНИЛС: the shared validator's reason, the summary, nothing queued
kt_run kt_ru kt_karta sch11 registry import participants "$D/bad.csv"
kt_assert_rc 1 "a bad file in Russian"
kt_assert_contains "$KT_ERR" "bad.csv:4: «СНИЛС»: контрольное число не совпадает" "the validator in Russian"
kt_assert_contains "$KT_ERR" "отклонено строк — 1 из 3 (см. выше): ничего не загружено" "the summary in Russian"
kt_run kt_en kt_karta sch11 registry import participants "$D/bad.csv"
kt_assert_contains "$KT_ERR" "bad.csv:4: «СНИЛС»: control number does not match" "the same in English"
kt_assert_eq 0 "$(kt_psql "SELECT count(*) FROM participant")" "nothing written"

# the good file; counts with plural forms
kt_run kt_ru kt_karta sch11 registry import participants "$D/p.csv"
kt_assert_rc 0 "the import in Russian"
kt_assert_contains "$KT_OUT" "загружено строк — 2: добавлено — 2" "the import's summary"
kt_run kt_ru kt_karta sch11 registry list participants
kt_assert_contains "$KT_OUT" "2 участника" "a count with its Russian plural form"
kt_run kt_en kt_karta sch11 registry list participants
kt_assert_contains "$KT_OUT" "2 participants" "the count in English"

# usage errors and help of these folders
kt_run kt_ru kt_karta sch11 exam seating --exam 2025-06-01:2 --point 12
kt_assert_rc 2 "a bad --point"
kt_assert_contains "$KT_ERR" "--point принимает 4-значный код ППЭ" "a usage error in Russian"
kt_run kt_ru kt_karta sch11 registry import --help
kt_assert_contains "$KT_OUT" "Читает файл реестра" "registry import --help in Russian"

# an item: its status and changes
kt_ok reg plan create --title "Дорожная карта" --year 2026 --section "1|Мероприятия"
PLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Собрания" --deadline "до 1 мая"
ITEM=$(kt_id_of "$KT_OUT" item)
kt_ok reg item edit "$ITEM" --deadline "до 15 мая"
kt_run kt_ru kt_karta reg item history "$ITEM"
kt_assert_contains "$KT_OUT" "срок: «до 1 мая» → «до 15 мая»" "the history in Russian"
kt_run kt_ru kt_karta reg item show "$ITEM"
kt_assert_match "$KT_OUT" "статус +нет отчёта" "no status, in Russian"

# an expired certificate, named in Russian
CA=$KT_WORK/ca
mkdir -p "$CA"
"$KT_CERTSH" "$KT_CERTS" --dated "$CA/old" old 20200101000000Z 20210101000000Z >/dev/null
TZ=Europe/Moscow kt_run kt_ru kt_karta sch11 --cert "$CA/old.pem" --key "$CA/old.key" hello
kt_assert_rc 1 "hello with an expired certificate"
kt_assert_contains "$KT_ERR" "срок действия сертификата устройства «$CA/old.pem» истёк 01.01.2021 03:00 MSK" \
	"the expired certificate in Russian"

kt_stop_kartad
kt_pass
