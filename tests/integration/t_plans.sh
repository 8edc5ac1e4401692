#!/usr/bin/env bash
# t_plans: the plan cascade over the protocol — a region's plan with sections and items,
# deadlines normalized by the server, a municipality deriving its sub-plan (own items vs
# read-only references), schools deriving theirs (all-schools items, cluster targets),
# optimistic concurrency (stale base → CONFLICT carrying the current row), field ownership
# of derived items, approval making a plan read-only, history, and bad input refused
# clearly with nothing written.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_plans
kt_start_kartad

# kt_id_of OUTPUT KIND: the uuid in "KIND <uuid> …"

# --- the regional plan ------------------------------------------------------------------
kt_ok reg plan create --title "Дорожная карта ГИА 2023/2024" --year 2023 \
	--section "1|Анализ проведения ГИА" --section "2|Организация ГИА"
PLAN=$(kt_id_of "$KT_OUT" plan)
[ -n "$PLAN" ] || kt_fail "no plan id in: $KT_OUT"

kt_ok reg item add "$PLAN" --section 1 --number 1.1 --title "Анализ результатов ГИА" \
	--deadline "сентябрь – октябрь" --responsible "РЦОИ"
I_REF=$(kt_id_of "$KT_OUT" item)
kt_ok reg item add "$PLAN" --section 1 --number 1.2 --title "Сбор сведений об участниках" \
	--deadline "до 1 ноября" --responsible "УО, руководители ОО" \
	--municipal "Сбор сведений от ОО" --institutional "Представление сведений в УО"
I_ALL=$(kt_id_of "$KT_OUT" item)
kt_ok reg item add "$PLAN" --section 2 --number 2.1 --title "Работа со школами кластера 4" \
	--deadline "Ноябрь 2023-март 2024" --responsible "УО" --target "Кластер 4 – ШНРО"
I_CL=$(kt_id_of "$KT_OUT" item)
kt_ok reg item add "$PLAN" --section 2 --number 2.2 --title "Заседание рабочей группы" \
	--deadline "абракадабра 35.13.2023" --responsible "Плотникова Т.А."
I_ODD=$(kt_id_of "$KT_OUT" item)

# Deadlines are normalized by the server with the plan's academic year; raw text is kept.
kt_assert_eq "month_range|2023-10-31|t" "$(kt_psql "SELECT deadline_kind, deadline_last,
	(deadline->>'year_inferred')::boolean FROM plan_item WHERE id = '$I_REF'")" "deadline of 1.1"
kt_assert_eq "by_date|2023-11-01" "$(kt_psql "SELECT deadline_kind, deadline_last FROM plan_item
	WHERE id = '$I_ALL'")" "deadline of 1.2 («до 1 ноября» in 2023/2024)"
kt_assert_eq "2024-03-31" "$(kt_psql "SELECT deadline_last FROM plan_item WHERE id = '$I_CL'")" \
	"deadline of 2.1"
# A malformed deadline is stored as written, with a warning, never rejected.
kt_assert_eq "абракадабра 35.13.2023|t" "$(kt_psql "SELECT deadline_text,
	jsonb_array_length(deadline->'warnings') > 0 FROM plan_item WHERE id = '$I_ODD'")" \
	"malformed deadline kept raw with a warning"
kt_assert_eq '["municipal_body", "all_schools"]' "$(kt_psql "SELECT responsible->'levels'
	FROM plan_item WHERE id = '$I_ALL'")" "responsible parties of 1.2"

# Aliases: «УО» and «Управление образования» are one party; an alias bound to an
# organization resolves to it.
kt_psql "INSERT INTO party_alias(alias, org_id, party) SELECT 'отдел образования первого округа',
	id, 'municipal_body' FROM organization WHERE code = 'mun1'"
kt_ok reg item add "$PLAN" --section 2 --number 2.3 --title "Совещание" \
	--responsible "Управление образования; Отдел образования первого округа"
I_AL=$(kt_id_of "$KT_OUT" item)
kt_assert_eq "municipal_body|municipal_body|mun1" "$(kt_psql "SELECT
	(SELECT p->>'party' FROM plan_item i, jsonb_array_elements(i.responsible->'parties') p
	 WHERE i.id = '$I_ALL' AND p->>'text' = 'уо'),
	(SELECT p->>'party' FROM plan_item i, jsonb_array_elements(i.responsible->'parties') p
	 WHERE i.id = '$I_AL' AND p->>'text' = 'управление образования'),
	(SELECT p->>'org' FROM plan_item i, jsonb_array_elements(i.responsible->'parties') p
	 WHERE i.id = '$I_AL' AND p->>'org' IS NOT NULL)")" "responsible parties resolved by alias"

kt_ok reg plan show "$PLAN"
kt_assert_contains "$KT_OUT" "Сбор сведений об участниках" "plan show"
kt_assert_contains "$KT_OUT" "до 1 ноября" "plan show"

# --- derive: municipality from the region, schools from the municipality ---------------
kt_ok mun1 plan derive "$PLAN"
kt_assert_match "$KT_OUT" "derived from $PLAN: 3 items, 2 references" "mun1 derive"
MPLAN=$(kt_id_of "$KT_OUT" plan)
kt_assert_eq "t|f" "$(kt_psql "SELECT bool_or(reference_only) FILTER (WHERE derived_from = '$I_REF'),
	bool_or(reference_only) FILTER (WHERE derived_from = '$I_ALL') FROM plan_item
	WHERE plan_id = '$MPLAN'")" "regional-only item is a reference, the municipal one is not"
M_ALL=$(kt_psql "SELECT id FROM plan_item WHERE plan_id = '$MPLAN' AND derived_from = '$I_ALL'")
M_REF=$(kt_psql "SELECT id FROM plan_item WHERE plan_id = '$MPLAN' AND derived_from = '$I_REF'")

kt_refused mun1 'already derived' plan derive "$PLAN"
kt_refused mun1 'already derived' plan derive "$PLAN" --title "Вторая попытка"
kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM plan WHERE parent_plan_id = '$PLAN'")" \
	"a duplicate derive creates nothing"

# Cluster 4 has sch12 only: sch12 gets the cluster item, sch11 does not.
kt_psql "INSERT INTO school_group(owner_org_id, name, source_act)
	SELECT id, 'кластер 4', 'приказ №12 от 01.09.2023' FROM organization WHERE code = 'mun1';
	INSERT INTO school_group_member(group_id, school_id)
	SELECT g.id, o.id FROM school_group g, organization o WHERE o.code = 'sch12'"
kt_ok sch11 plan derive "$MPLAN"
kt_assert_match "$KT_OUT" ": 1 items, 0 references" "sch11 derive"
kt_ok sch12 plan derive "$MPLAN"
kt_assert_match "$KT_OUT" ": 2 items, 0 references" "sch12 derive (cluster member)"
kt_refused sch11 'permission denied|directly above' plan derive "$PLAN"   # not from the region

# --- concurrency and ownership ----------------------------------------------------------
kt_ok reg item edit "$I_ALL" --title "Сбор сведений об участниках ГИА"
kt_assert_match "$KT_OUT" "item $I_ALL updated \\(version 2\\)" "edit"
# A second computer of the region edits the same field from version 1: a conflict record,
# the item keeps the newer title. (A device's own later edit is not a conflict with itself:
# its offline edits queue on top of each other — t_sync.)
"$KT_CERTSH" "$KT_CERTS" reg2 >/dev/null
kt_run kt_admin device add --org reg --cert "$KT_CERTS/reg2.pem" --role coordinator --label reg2
kt_assert_rc 0 "device add reg2"
kt_write_client_conf "$KT_WORK/reg2.conf" "$KT_CERTS/reg2.pem" "$KT_CERTS/reg2.key"
before=$(kt_plan_snapshot)
kt_run kt_karta reg2 item edit "$I_ALL" --base 1 --title "Устаревшая правка"
kt_assert_rc 1 "stale edit"
kt_assert_contains "$KT_ERR" "conflict" "stale edit"
kt_assert_contains "$KT_ERR" "Сбор сведений об участниках ГИА" "conflict carries the current row"
kt_assert_eq "$before" "$(kt_plan_snapshot)" "a conflicting edit changes no plan row"
kt_assert_eq "$(kt_psql "SELECT count(*) FROM conflict WHERE entity_id = '$I_ALL' AND status = 'open'")" 1 \
	"the stale edit is kept as a conflict record"
kt_ok reg2 conflicts resolve "$(kt_psql "SELECT id FROM conflict WHERE entity_id = '$I_ALL'")" --keep theirs
kt_assert_eq "$before" "$(kt_plan_snapshot)" "resolved keeping the server's row"

kt_refused mun1 'belong to the parent plan' item edit "$M_ALL" --title "Своя формулировка"
kt_refused mun1 'belong to the parent plan' item edit "$M_ALL" --deadline "декабрь"
kt_ok mun1 item edit "$M_ALL" --municipal "Сбор сведений от ОО через РИС"
kt_refused mun1 'read-only reference' item edit "$M_REF" --municipal "нет"
kt_refused mun1 'read-only reference' item move "$M_REF" --ordinal 7
kt_refused mun1 'read-only reference' item delete "$M_REF" --reason "не наше"
kt_assert_eq "$(kt_plan_snapshot)" "$(kt_plan_snapshot)" "snapshot is stable"

kt_ok mun1 item add "$MPLAN" --section 2 --title "Муниципальное совещание" --deadline "Октябрь"
M_OWN=$(kt_id_of "$KT_OUT" item)
kt_ok mun1 item move "$M_OWN" --section 1 --ordinal 9
kt_ok mun1 item add "$MPLAN" --section 1 --title "Подпункт совещания" --parent "$M_OWN"
M_SUB=$(kt_id_of "$KT_OUT" item)
kt_refused mun1 'sub-items' item move "$M_OWN" --parent "$M_SUB"    # no cycles
kt_refused mun1 'sub-items' item move "$M_OWN" --parent "$M_OWN"
kt_ok mun1 item delete "$M_OWN" --reason "дублирует пункт 1.2"
kt_assert_eq "дублирует пункт 1.2" "$(kt_psql "SELECT delete_reason FROM plan_item
	WHERE id = '$M_OWN' AND deleted_at IS NOT NULL")" "soft delete keeps the row and the reason"
kt_refused mun1 'deleted' item edit "$M_OWN" --title "после удаления"

# --- history: who and when ----------------------------------------------------------------
kt_ok reg item history "$I_ALL"
kt_assert_match "$KT_OUT" 'create' "history"
kt_assert_match "$KT_OUT" 'update' "history"
kt_assert_contains "$KT_OUT" "reg" "history names the organization"
kt_assert_eq "create,update" "$(kt_psql "SELECT string_agg(op, ',' ORDER BY id) FROM item_history
	WHERE item_id = '$I_ALL'")" "history rows"
kt_assert_eq "$(kt_psql "SELECT id FROM device WHERE org_id = (SELECT id FROM organization
	WHERE code = 'reg') AND label <> 'reg2'")" "$(kt_psql "SELECT DISTINCT updated_by FROM plan_item
	WHERE id = '$I_ALL'")" "the writing device is recorded"

# --- approval ---------------------------------------------------------------------------
kt_run kt_karta reg plan approve "$PLAN" --date 2023-10-12 # no act number
[ "$KT_RC" != 0 ] || kt_fail "approval without the act's number was accepted"
kt_ok reg plan approve "$PLAN" --number "01-08/530" --date 2023-10-12
kt_assert_eq "approved|приказ|01-08/530|2023-10-12" "$(kt_psql "SELECT status, act_kind,
	act_number, act_date FROM plan WHERE id = '$PLAN'")" "approved plan"
before=$(kt_plan_snapshot)
kt_refused reg 'approved' item edit "$I_REF" --title "После утверждения"
kt_refused reg 'approved' item add "$PLAN" --title "Новый пункт"
kt_refused reg 'approved' plan edit "$PLAN" --title "Новое название"
kt_refused reg 'already approved' plan approve "$PLAN" --number 1 --date 2023-10-13
kt_assert_eq "$before" "$(kt_plan_snapshot)" "writes to an approved plan change nothing"
kt_ok reg plan archive "$PLAN"

# --- big plans are paged (2.7 MB of items: several 1 MiB pages): all come back, once each ---
kt_ok reg plan create --title "Большой план" --year 2023 --section "1|Раздел"
BIG=$(kt_id_of "$KT_OUT" plan)
kt_psql "INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title)
	SELECT gen_random_uuid(), '$BIG', s.id, g, g::text, repeat('пункт ', 90) || g
	FROM generate_series(1, 2500) g, plan_section s WHERE s.plan_id = '$BIG'"
kt_ok reg plan show "$BIG" --format csv
kt_assert_eq 2500 "$(grep -c 'пункт пункт' <<<"$KT_OUT")" "items in the paged plan show"
kt_assert_eq 2500 "$(grep -o 'пункт [0-9]\+' <<<"$KT_OUT" | sort -u | wc -l)" "distinct items"

# --- bad input: clear errors, nothing written ---------------------------------------------
before=$(kt_plan_snapshot)
kt_refused reg 'no plan' plan show 00000000-0000-4000-8000-000000000000
kt_refused reg 'no plan|not found' item add 00000000-0000-4000-8000-000000000000 --title "x" \
	--section 00000000-0000-4000-8000-000000000001
kt_refused reg 'no item' item edit 00000000-0000-4000-8000-000000000000 --title "x"
kt_refused reg 'uuid' item show not-a-uuid
long=$(head -c 5000 /dev/zero | tr '\0' 'ж')
kt_refused mun1 'longer than 4000' item add "$MPLAN" --title "$long"
kt_refused mun1 'longer than 1000' item add "$MPLAN" --title "x" --deadline "$long"
kt_assert_eq "$before" "$(kt_plan_snapshot)" "bad input changes nothing"

kt_stop_kartad
kt_pass
