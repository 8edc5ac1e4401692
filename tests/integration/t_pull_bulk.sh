#!/usr/bin/env bash
# t_pull_bulk: how a pull fills and follows at speed (issue 18, docs/sync.md "The client's
# side") keeps every guarantee:
#  - a new replica is filled without its secondary row indexes (built once at the end), in
#    rollback-journal mode (no WAL: written once), WAL mode again at its end; the client killed
#    mid-fill — a Pull of the next page sent before the page it answers was
#    applied — leaves a replica that any next command opens with its indexes back, and the
#    next sync ends equal to the server by row count and checksum (and the file passes the
#    integrity check, back in WAL mode); another karta that opens the replica during a first
#    fill (an offline command) puts it back in WAL mode between two pages, and the fill ends
#    equal to the server;
#  - the indexes are back after a completed fill, and a replica that has rows keeps them
#    through a pull;
#  - after a bulk write (one statement, hundreds of rows in several feeds) the caught-up
#    replica follows the feeds over many small pages — each reading only the log rows it
#    sends — and ends equal to the server; a page's budget is never over ¾ of max_frame:
#    a server with page_bytes above its frame limit still pulls.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

trap '' PIPE

kt_setup t_pull_bulk
kt_start_kartad --page-bytes 4096 # small pages: a fill is many pages

SEEDS=${KT_SEEDS:-$KT_SRC/tests/fixtures/seeds}
kt_ok reg plan import "$SEEDS/001_ab757c1570964dd4.txt"
# a small plan in every other feed: the fill spans many feeds and pages
kt_psql "
INSERT INTO plan(id, owner_org_id, level, title, academic_year)
SELECT gen_random_uuid(), o.id, o.level, 'План ' || o.code, 2026 FROM organization o WHERE o.code <> 'reg';
INSERT INTO plan_section(id, plan_id, ordinal, number, title)
SELECT gen_random_uuid(), p.id, 1, '1', 'Раздел' FROM plan p
JOIN organization o ON o.id = p.owner_org_id WHERE o.code <> 'reg';
INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title)
SELECT gen_random_uuid(), s.plan_id, s.id, i, '1.' || i, 'Мероприятие ' || i
FROM plan_section s JOIN plan p ON p.id = s.plan_id JOIN organization o ON o.id = p.owner_org_id,
	generate_series(1, 20) i WHERE o.code <> 'reg';" >/dev/null
TOTAL=$(kt_server_rows reg | wc -l)
kt_log "reg reads $TOTAL rows"
indexes() { kt_sq reg "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master
	WHERE type = 'index' AND tbl_name = 'row' AND name NOT LIKE 'sqlite_%' ORDER BY name)"; }

# --- killed mid-fill ------------------------------------------------------------------------
kt_slow_first_pull reg 150 "$KT_WORK/fill1.out"
PULL=$KT_BG_PID
kt_wait_rows reg 20 0.05
mid=$(indexes)
midmode=$(kt_sq reg "PRAGMA journal_mode")
kt_bg_kill "$PULL"
n=$(kt_sq reg "SELECT count(*) FROM row")
[ "$n" -gt 0 ] && [ "$n" -lt "$TOTAL" ] ||
	kt_fail "the fill was not killed midway ($n of $TOTAL rows): $(cat "$KT_WORK/fill1.out")"
kt_assert_eq "$mid" "" "a fill runs without the row indexes"
kt_assert_eq "$midmode" delete "a first fill runs out of WAL mode (a rollback journal)"
kt_log "fill killed with $n of $TOTAL rows"
kt_assert_eq "$(indexes)" "" "the killed fill left the indexes dropped"
# any command that opens the replica builds them again (here: one that works offline)
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/reg.conf" >"$KT_WORK/reg-off.conf"
kt_karta reg-off status >/dev/null 2>&1 || true
kt_assert_eq "$(indexes)" "row_feed row_plan" "the next open builds the row indexes again"
kt_assert_eq wal "$(kt_sq reg "PRAGMA journal_mode")" "the next open puts the killed fill's file in WAL mode"
kt_assert_eq ok "$(kt_sq reg "PRAGMA integrity_check")" "integrity after a fill killed midway"
kt_ok reg sync
kt_assert_replica_eq reg "replica after a fill killed midway"

# --- another karta opens the replica during a first fill ------------------------------------
kt_slow_first_pull reg 150 "$KT_WORK/fill2.out"
PULL=$KT_BG_PID
kt_wait_rows reg 20 0.05
[ "$n" -lt "$TOTAL" ] || kt_fail "the fill was over before another karta opened the replica"
kt_karta reg-off status >"$KT_WORK/status2.out" 2>&1 ||
	kt_fail "an offline command during a first fill: $(cat "$KT_WORK/status2.out")"
kt_assert_eq wal "$(kt_sq reg "PRAGMA journal_mode")" "the command put the filling replica in WAL mode"
kill -0 "$PULL" 2>/dev/null || kt_log "(the fill ended while the command ran)"
wait "$PULL" || kt_fail "the first fill after another karta opened the replica: $(cat "$KT_WORK/fill2.out")"
kt_assert_eq ok "$(kt_sq reg "PRAGMA integrity_check")" "integrity after a fill shared with another karta"
kt_assert_replica_eq reg "replica filled while another karta opened it"

# --- a completed fill, then a pull into a replica with rows ----------------------------------
rm -rf "$KT_WORK/reg.state"
kt_ok reg sync
kt_assert_replica_eq reg "replica filled in one sync"
kt_assert_eq wal "$(kt_sq reg "PRAGMA journal_mode")" "WAL mode after a first fill"
[ -e "$KT_WORK/reg.state/replica.db-journal" ] && kt_fail "a first fill left its rollback journal"
kt_assert_eq "$(indexes)" "row_feed row_plan" "the fill built the row indexes at its end"

# --- following the feeds after a bulk write -------------------------------------------------
# one statement: 20 more items in every plan (several hundred rows in every feed)
kt_psql "INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title)
SELECT gen_random_uuid(), s.plan_id, s.id, 100 + i, '1.' || (100 + i), 'Новое мероприятие ' || i
FROM plan_section s, generate_series(1, 20) i" >/dev/null
NEW=$(kt_psql "SELECT count(*) FROM plan_item WHERE ordinal > 100")
kt_bg env KARTA_TEST_PAGE_DELAY_MS=150 "$KT_KARTA" --config "$KT_WORK/reg.conf" sync \
	>"$KT_WORK/follow1.out" 2>&1
PULL=$KT_BG_PID
have=$(kt_sq reg "SELECT count(*) FROM row")
for ((i = 0; i < 300; i++)); do
	n=$(kt_sq reg "SELECT count(*) FROM row" 2>/dev/null || echo 0)
	[ "${n:-0}" -gt $((have + 20)) ] && break
	sleep 0.05
done
mid=$(indexes)
kt_bg_kill "$PULL"
n=$(kt_sq reg "SELECT count(*) FROM row")
[ "$n" -gt "$have" ] && [ "$n" -lt $((have + NEW)) ] ||
	kt_fail "the pull was not killed midway ($n rows, $have before, $NEW new)"
kt_log "pull killed with $((n - have)) of $NEW new rows"
kt_assert_eq "$mid" "row_feed row_plan" "a replica with rows keeps its indexes through a pull"
out=$(kt_karta reg sync)
kt_assert_replica_eq reg "replica after a bulk write followed (killed once)"
kt_assert_match "$out" "plan_item [0-9]+ new" "the second sync pulled the rest of the $NEW new items"

# --- page_bytes above the frame limit -------------------------------------------------------
kt_stop_kartad
kt_start_kartad --page-bytes 8388608 --max-frame 262144 # the replica: ~1 MB
kt_psql "UPDATE plan_item SET title = title || ' (изм.)', row_version = row_version + 1
	WHERE ordinal > 100" >/dev/null
rm -rf "$KT_WORK/reg.state"
kt_ok reg sync
kt_assert_replica_eq reg "replica filled with page_bytes over the frame limit"

kt_pass
