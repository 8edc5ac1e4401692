#!/usr/bin/env bash
# t_pull_fill: a replica with no cursors is filled from the current rows, not by replaying
# change_log (issue 18, sql/0015_pull_snapshot.sql), and follows the feeds from the position
# the rows were read at, with no gap:
#  - a new device's first sync: every row arrives as a current row (op 'snapshot'), one per
#    entity however many versions the log holds; the small feeds inline in pull pages, the
#    region's plan (bigger than a page) by keyset snapshot;
#  - writes committed while the pages are being read (the client slowed down page by page)
#    all arrive: an edit of a row already filled, an edit and a new row in a feed not filled
#    yet, an edit of the big feed while its snapshot pages are read;
#  - a RESYNC (feed rebuilt) is still a keyset snapshot that drops the rows the server lacks,
#    and the feed keeps its level, parent and scope (a snapshot page does not carry them);
#  - kartad reads the next page ahead while a page that only moves feeds is sent (h_sync.c):
#    the fills above are answered from pages read ahead (its metric), the slowed one included,
#    so the writes committed meanwhile arriving is also its test.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_pull_fill
kt_start_kartad --page-bytes 4096 # small pages: the fill is many pages, reg's plan a snapshot

SEEDS=${KT_SEEDS:-$KT_SRC/tests/fixtures/seeds}
kt_ok reg plan import "$SEEDS/001_ab757c1570964dd4.txt"
BIG=$(kt_psql "SELECT id FROM plan ORDER BY created_at LIMIT 1")
# a small plan (one section, two items) in every other feed
kt_psql "
INSERT INTO plan(id, owner_org_id, level, title, academic_year)
SELECT gen_random_uuid(), o.id, o.level, 'План ' || o.code, 2026 FROM organization o WHERE o.code <> 'reg';
INSERT INTO plan_section(id, plan_id, ordinal, number, title)
SELECT gen_random_uuid(), p.id, 1, '1', 'Раздел' FROM plan p WHERE p.id <> '$BIG';
INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title)
SELECT gen_random_uuid(), s.plan_id, s.id, i, '1.' || i, 'Мероприятие ' || i
FROM plan_section s JOIN plan p ON p.id = s.plan_id, generate_series(1, 2) i WHERE p.id <> '$BIG';" >/dev/null
# many versions of one item: a replay would send each, a fill sends the row once
ITEM=$(kt_psql "SELECT i.id FROM plan_item i JOIN plan p ON p.id = i.plan_id
	JOIN organization o ON o.id = p.owner_org_id WHERE o.code = 'mun1' ORDER BY i.ordinal LIMIT 1")
for v in $(seq 1 30); do
	kt_psql "UPDATE plan_item SET title = 'Версия $v', row_version = row_version + 1
		WHERE id = '$ITEM'" >/dev/null
done
ROWS=$(kt_server_rows reg | wc -l)
LOGGED=$(kt_psql "SELECT count(*) FROM change_log")
kt_log "reg reads $ROWS rows; the change log holds $LOGGED versions"

# Pulls answered from a page kartad read ahead (karta_pull_read_ahead_total{result="used"})
ahead_used() {
	curl -sS --max-time 10 "http://127.0.0.1:$KT_METRICS_PORT/metrics" |
		awk '$1 == "karta_pull_read_ahead_total{result=\"used\"}" { n = $2 } END { print n + 0 }'
}

# --- a new device's first sync ---------------------------------------------------------------
rm -rf "$KT_WORK/reg.state" # (the import above made one)
AHEAD0=$(ahead_used)
kt_ok reg sync
AHEAD1=$(ahead_used)
[ "$AHEAD1" -gt "$AHEAD0" ] || kt_fail "no Pull of the fill was answered from a page read ahead"
kt_log "the fill: $((AHEAD1 - AHEAD0)) Pulls answered from pages read ahead"
kt_assert_contains "$KT_OUT" "1 snapshot" "reg's plan, bigger than a page, came by snapshot"
kt_assert_replica_eq reg "replica after the first sync"
kt_assert_eq "$ROWS" "$(kt_sq reg "SELECT count(*) FROM row WHERE op = 'snapshot'")" \
	"every row came as a current row, none replayed from the log"
kt_assert_eq "Версия 30" "$(kt_sq reg "SELECT json_extract(payload, '$.title') FROM row
	WHERE entity_id = '$ITEM'")" "the item's current version"
kt_assert_eq 0 "$(kt_sq reg "SELECT count(*) FROM feed WHERE resync = 1")" "no feed left in resync"
kt_assert_eq "reg|1|all" "$(kt_sq reg "SELECT code, level, scope FROM feed WHERE code = 'reg'")" \
	"the feed filled by snapshot keeps its description"
kt_ok reg sync
kt_assert_contains "$KT_OUT" "up to date" "the second sync"

# --- writes committed while the pages are read -------------------------------------------------
# mun1's feed is filled on an early page, sch21's (last in code order but reg) on a later one,
# reg's snapshot last; the client waits 100 ms after each page
OTHER=$(kt_psql "SELECT i.id FROM plan_item i JOIN plan p ON p.id = i.plan_id
	JOIN organization o ON o.id = p.owner_org_id WHERE o.code = 'sch21' ORDER BY i.ordinal LIMIT 1")
BIGITEM=$(kt_psql "SELECT id FROM plan_item WHERE plan_id = '$BIG' ORDER BY id DESC LIMIT 1")
kt_slow_first_pull reg 100 "$KT_WORK/slow.out"
SLOW=$KT_BG_PID
kt_wait_rows reg 5 0.05 "feed = 'reg'"
kt__exited "$SLOW" && kt_fail "the sync ended before the writes: $(cat "$KT_WORK/slow.out")"
kt_psql "
UPDATE plan_item SET title = 'Правка во время снимка', row_version = row_version + 1 WHERE id = '$ITEM';
UPDATE plan_item SET title = 'Правка в ещё не прочитанной ленте', row_version = row_version + 1
	WHERE id = '$OTHER';
UPDATE plan_item SET title = 'Правка большого плана', row_version = row_version + 1 WHERE id = '$BIGITEM';
INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title)
SELECT gen_random_uuid(), s.plan_id, s.id, 9, '1.9', 'Новое во время снимка'
FROM plan_section s JOIN plan p ON p.id = s.plan_id JOIN organization o ON o.id = p.owner_org_id
WHERE o.code = 'sch12';" >/dev/null
kt__exited "$SLOW" && kt_fail "the sync ended before the writes committed: $(cat "$KT_WORK/slow.out")"
kt_wait_exit "$SLOW" 120
kt_assert_eq 0 "$KT_RC" "the slowed sync: $(cat "$KT_WORK/slow.out")"
AHEAD2=$(ahead_used)
[ "$AHEAD2" -gt "$AHEAD1" ] || kt_fail "no Pull of the slowed fill was answered from a page read ahead"
kt_assert_replica_eq reg "replica after writes during the fill"
for t in 'Правка во время снимка' 'Правка в ещё не прочитанной ленте' 'Правка большого плана' \
	'Новое во время снимка'; do
	kt_assert_eq 1 "$(kt_sq reg "SELECT count(*) FROM row WHERE json_extract(payload, '$.title') = '$t'")" \
		"«$t» arrived"
done
kt_ok reg sync
kt_assert_contains "$KT_OUT" "up to date" "nothing left after the slowed sync"

# --- a rebuilt feed (RESYNC) is a keyset snapshot that drops what the server lacks --------------
GONE=$(kt_psql "SELECT i.id FROM plan_item i JOIN plan p ON p.id = i.plan_id
	JOIN organization o ON o.id = p.owner_org_id WHERE o.code = 'mun2' ORDER BY i.ordinal LIMIT 1")
kt_psql "SET session_replication_role = replica; DELETE FROM plan_item WHERE id = '$GONE'" >/dev/null
kt_run kt_admin feed rebuild mun2
kt_assert_rc 0 "feed rebuild mun2"
kt_ok reg sync
kt_assert_contains "$KT_OUT" "1 snapshot" "the rebuilt feed resynced by snapshot"
kt_assert_eq 0 "$(kt_sq reg "SELECT count(*) FROM row WHERE entity_id = '$GONE'")" \
	"the row the server lost left the replica"
kt_assert_replica_eq reg "replica after the resync"
kt_assert_eq "mun2|2|reg|all" "$(kt_sq reg "SELECT code, level, parent, scope FROM feed WHERE code = 'mun2'")" \
	"the resynced feed keeps its name, level, parent and scope"

kt_stop_kartad
kt_pass
