#!/usr/bin/env bash
# t_upload_early: the next Upload of a connection made ready while the one before is applied
# (server/handlers/h_upload.c) — its plans' years read and its items normalized beforehand —
# only when the one before cannot change a plan's year; with real PostgreSQL, TLS, kartad and
# karta. kartad takes one op an Upload (--max-ops 1), so two queued ops are two Uploads the
# client sends at once; the first is held in the database by a table lock:
#  1. the first edits the plan's academic year (2026 → 2027), the second adds an item "до 1 мая"
#     to it: the second waits for the first — its deadline is read with the new year
#     (2028-05-01, not 2027-05-01), and kartad says it was not made ready early;
#  2. the first adds an item to another plan, the second one to the plan: the second is made
#     ready while the first waits (kartad says so), and is applied after it with the same
#     deadline and the feed in the order the ops were queued.
# kartad runs with [upload] parallel = 1: in 2. the second Upload would otherwise be applied
# beside the first (independent items), not made ready for its turn (t_upload_parallel.sh).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_upload_early
kt_start_kartad --max-ops 1 --log-level debug --upload-parallel 1
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/mun1.conf" >"$KT_WORK/mun1-off.conf"

new_plan() { # TITLE: a plan of mun1 (2026/27) with one section; prints its id
	kt_ok mun1 plan create --title "$1" --year 2026 --section "1|Раздел"
	kt_id_of "$KT_OUT" plan
}
P=$(new_plan "План")
Q=$(new_plan "Другой план")
kt_ok mun1 sync

# sync_held TABLE NAME [READY]: the queued ops synced while TABLE is locked, until the first
# Upload waits for it and the second has reached kartad (READY: and been made ready); then the
# lock goes and the sync ends
sync_held() {
	local queued ready
	queued=$(kt_log_count 'event=upload_queued')
	ready=$(kt_log_count 'event=upload_ready')
	kt_sync_stopped mun1 "$KT_WORK/sync-$2.out" "$1" '%karta_upload%'
	kt_wait_log 'event=upload_queued' 60 $((queued + 1))
	[ -z "${3:-}" ] || kt_wait_log 'event=upload_ready' 60 $((ready + 1))
	kt_release_lock
	kt_wait_exit "$SYNC" 60
	kt_assert_eq 0 "$KT_RC" "sync ($2): $(cat "$KT_WORK/sync-$2.out")"
	kt_assert_contains "$(cat "$KT_WORK/sync-$2.out")" "sent 2 changes: 2 applied"
}

deadline_of() { # TITLE: the item's normalized last day
	kt_psql "SELECT deadline_last FROM plan_item WHERE title = '$1'"
}

# ---- 1. after a plan edit: the year as the edit left it ----------------------------------
kt_ok mun1-off plan edit "$P" --year 2027
kt_ok mun1-off item add "$P" --section 1 --title "После смены года" --deadline "до 1 мая"
sync_held plan year
kt_assert_eq 2027 "$(kt_psql "SELECT academic_year FROM plan WHERE id = '$P'")" "the year edited"
kt_assert_eq 2028-05-01 "$(deadline_of "После смены года")" \
	"the item after the year's edit normalized with the new year"
kt_assert_eq 0 "$(kt_log_count 'event=upload .* early=1|event=upload_ready')" \
	"no Upload made ready while a plan edit was applied"

# ---- 2. after an item add: made ready beside it ------------------------------------------
kt_ok mun1-off item add "$Q" --section 1 --title "Первый" --deadline "до 1 мая"
kt_ok mun1-off item add "$P" --section 1 --title "Второй" --deadline "до 1 мая"
sync_held plan_item items ready
kt_assert_eq 1 "$(kt_log_count 'event=upload ops=1 applied=1 .* early=1')" \
	"the second item's Upload made ready while the first waited"
kt_assert_eq "2027-05-01 2028-05-01" "$(deadline_of "Первый") $(deadline_of "Второй")" \
	"each item normalized with its own plan's year"
kt_assert_eq "Первый Второй" "$(kt_psql "SELECT string_agg(payload->>'title', ' ' ORDER BY seq)
	FROM change_log WHERE entity_type = 'plan_item' AND payload->>'title' IN ('Первый', 'Второй')")" \
	"the two items fed in the order they were queued"
kt_ok mun1 sync
kt_assert_replica_eq mun1 "replica after the early Uploads"
kt_pass
