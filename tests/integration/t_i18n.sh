#!/usr/bin/env bash
# t_i18n: the same commands against real kartad, PostgreSQL and TLS speak Russian in a Russian
# locale (LANG=ru_RU.UTF-8) and English otherwise (LANG=C.UTF-8), and their machine formats
# (--format json) are byte for byte the same in both (issue 19, "Language"):
#  - plan list / plan show / item show: headers, labels, states in the field's words;
#  - status; rollup (header, ИТОГО) and overdue (states «нет отчёта», «не представлен»);
#  - report list (state «направлен»); an error (a bad id) and a usage error;
#  - --help of a few commands; karta-admin --help.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_i18n
kt_start_kartad

# kt_karta in a locale: LANG as given, nothing overriding it.
in_lang() { # LANG ORG ARGS…
	local lang=$1 org=$2
	shift 2
	env LC_ALL= LANGUAGE= LC_MESSAGES= LANG="$lang" timeout 30 "$KT_KARTA" \
		--config "$KT_WORK/$org.conf" "$@"
}
ru() { kt_run in_lang ru_RU.UTF-8 "$@"; }
en() { kt_run in_lang C.UTF-8 "$@"; }
locale -a | grep -qix 'ru_RU.utf8' || kt_fail "the ru_RU.UTF-8 locale is missing (deploy/install-deps.sh makes it)"

TODAY=$(kt_psql "SELECT current_date")
ru_day() { date -d "$TODAY $1 days" +%d.%m.%Y; }

# --- a small cascade: the region's plan, approved; mun1 derives and approves ------------------
kt_ok reg plan create --title "Дорожная карта ГИА" --year 2026 --section "1|Мероприятия"
PLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Собрания с родителями" \
	--deadline "до $(ru_day -5)" --responsible "УО, ОО" --municipal "провести собрания"
ITEM=$(kt_id_of "$KT_OUT" item)
kt_ok reg plan approve "$PLAN" --number "01-08/1" --date "$(date -d "$TODAY -30 days" +%F)"
kt_ok mun1 plan derive "$PLAN"
MPLAN=$(kt_id_of "$KT_OUT" plan)

# plan list: the statuses and levels in the field's words; English keeps the identifiers.
ru reg plan list
kt_assert_rc 0 "plan list (ru)"
kt_assert_contains "$KT_OUT" "утверждён" "plan list (ru): an approved plan"
kt_assert_contains "$KT_OUT" "регион" "plan list (ru): the region's level"
kt_assert_contains "$KT_OUT" "проект" "plan list (ru): mun1's draft"
en reg plan list
kt_assert_rc 0 "plan list (en)"
kt_assert_contains "$KT_OUT" "approved" "plan list (en)"
kt_assert_not_contains "$KT_OUT" "утверждён" "plan list (en)"

# --format json: the same bytes in both languages (scripts read identifiers).
ru reg plan list --format json
RU_JSON=$KT_OUT
en reg plan list --format json
kt_assert_eq "$KT_OUT" "$RU_JSON" "plan list --format json is the same in Russian and English"
kt_assert_contains "$RU_JSON" '"status": "approved"' "plan list json keeps the identifier"

# plan show / item show: the header block and the item's labels.
ru reg plan show "$PLAN"
kt_assert_rc 0 "plan show (ru)"
kt_assert_match "$KT_OUT" '^статус +утверждён' "plan show (ru): status line"
en reg plan show "$PLAN"
kt_assert_match "$KT_OUT" '^status +approved' "plan show (en): status line"
ru reg item show "$ITEM"
kt_assert_match "$KT_OUT" '^срок +до ' "item show (ru): the deadline"
kt_assert_match "$KT_OUT" '^ответственные +УО, ОО' "item show (ru): responsible"
en reg item show "$ITEM"
kt_assert_match "$KT_OUT" '^deadline +до ' "item show (en)"

# an item created: the message in Russian.
ru mun1 plan approve "$MPLAN" --number "12" --date "$(date -d "$TODAY -20 days" +%F)"
kt_assert_rc 0 "mun1 plan approve (ru)"
kt_assert_match "$KT_OUT" "^план $MPLAN утверждён \\(версия [0-9]+\\)\$" "plan approve (ru)"

# --- a report: the region asks, mun1 submits ---------------------------------------------------
kt_ok reg report request "$ITEM" --title "Отчёт о собраниях" --due "$(date -d "$TODAY -1 days" +%F)"
REQ=$(sed -n 's/^report request \([0-9a-f-]\{36\}\) created.*/\1/p' <<<"$KT_OUT")
[ -n "$REQ" ] || kt_fail "report request printed: $KT_OUT"
kt_ok mun1 sync
ru mun1 report submit "$REQ" --comment "проведено 12 собраний"
kt_assert_rc 0 "report submit (ru)"
kt_assert_match "$KT_OUT" '^отчёт [0-9a-f-]{36}: ' "report submit (ru)"
kt_ok reg sync
ru reg report list
kt_assert_contains "$KT_OUT" "направлен" "report list (ru): the submission's state"
en reg report list
kt_assert_contains "$KT_OUT" "submitted" "report list (en)"

# --- status, rollup, overdue ----------------------------------------------------------------
ru reg status
kt_assert_match "$KT_OUT" '^организация: +reg \(регион\)' "status (ru)"
kt_assert_match "$KT_OUT" '^в очереди: +0 изменений' "status (ru): the plural of 0"
en reg status
kt_assert_match "$KT_OUT" '^organization: reg \(region\)' "status (en)"

ru reg rollup
kt_assert_rc 0 "rollup (ru)"
kt_assert_match "$KT_OUT" '^сводка по муниципалитетам на сегодня' "rollup (ru): the header"
kt_assert_match "$KT_OUT" '^ИТОГО ' "rollup (ru): the totals row"
en reg rollup
kt_assert_match "$KT_OUT" '^roll-up by municipality as of today' "rollup (en)"
kt_assert_match "$KT_OUT" '^TOTAL ' "rollup (en)"
ru reg rollup --format json
RU_JSON=$KT_OUT
en reg rollup --format json
kt_assert_eq "$KT_OUT" "$RU_JSON" "rollup --format json is the same in Russian and English"

ru reg overdue
kt_assert_rc 0 "overdue (ru)"
kt_assert_match "$KT_OUT" '^просрочено на сегодня' "overdue (ru): the header"
kt_assert_contains "$KT_OUT" "нет отчёта" "overdue (ru): an item nobody reported on"
kt_assert_contains "$KT_OUT" "не представлен" "overdue (ru): mun2's missing report"
kt_assert_match "$KT_OUT" '^просрочено [0-9]+: [0-9]+ мероприяти[еяй], [0-9]+ отч[её]т' "overdue (ru): the summary"
en reg overdue
kt_assert_contains "$KT_OUT" "not_reported" "overdue (en)"
kt_assert_match "$KT_OUT" '^[0-9]+ overdue: [0-9]+ items?, [0-9]+ reports?$' "overdue (en): the summary"

# --- errors and help ------------------------------------------------------------------------
ru reg plan show not-an-id
kt_assert_rc 1 "plan show with a bad id (ru)"
kt_assert_contains "$KT_ERR" "«not-an-id» не похоже на идентификатор (план)" "bad id (ru)"
en reg plan show not-an-id
kt_assert_contains "$KT_ERR" "'not-an-id' is not a valid plan id" "bad id (en)"
ru reg plan create --year 1990 --title x
kt_assert_rc 2 "usage error (ru)"
kt_assert_contains "$KT_ERR" "для --year нужно число от 2000 до 2100, а не «1990»" "usage error (ru)"
kt_assert_match "$KT_ERR" '^использование: karta plan create' "usage line (ru)"

ru reg plan create --help
kt_assert_contains "$KT_OUT" "параметры:" "plan create --help (ru)"
kt_assert_contains "$KT_OUT" "наименование плана (обязательно)" "plan create --help (ru)"
en reg plan create --help
kt_assert_contains "$KT_OUT" "the plan's title (required)" "plan create --help (en)"
ru reg rollup --help
kt_assert_contains "$KT_OUT" "Сводка исполнения планов на дату" "rollup --help (ru)"
ru reg report --help
kt_assert_contains "$KT_OUT" "подкоманды:" "report --help (ru)"
kt_assert_contains "$KT_OUT" "вернуть отчёт на доработку" "report --help (ru)"
ru reg sync --help
kt_assert_contains "$KT_OUT" "Отправляет накопленные изменения" "sync --help (ru)"
kt_run env LC_ALL= LANGUAGE= LANG=ru_RU.UTF-8 "$KT_ADMIN" --help
kt_assert_contains "$KT_OUT" "Настройка базы данных kartad" "karta-admin --help (ru)"
kt_run env LC_ALL= LANGUAGE= LANG=C.UTF-8 "$KT_ADMIN" --help
kt_assert_contains "$KT_OUT" "Sets up kartad's database" "karta-admin --help (en)"

kt_pass
