#!/usr/bin/env bash
# t_replica_pages: a new replica's file is made with 16 KiB pages, or — made with 4 KiB pages (an
# earlier karta's) — rebuilt with them before its first fill (client/local/replica_pages.c;
# docs/performance.md, "The client's apply: 16 KiB pages at the first fill"), and only then:
#  - a replica file made by any command (here an offline `karta status`) has 16 KiB pages
#    before any sync;
#  - a first sync leaves a replica of 16 KiB pages in WAL mode, whole, equal to the server;
#    the next syncs keep it;
#  - (the cases below start from a replica file of 4 KiB pages with no schema yet, as an
#    earlier karta made it, so that the first sync has to rebuild it)
#  - another karta that has the replica open (`karta watch`, offline, retrying) refuses the
#    switch: the sync says so and fills the replica with its 4 KiB pages, equal to the server;
#    a replica that has rows is never rebuilt (the next sync, alone, keeps 4 KiB pages);
#  - the client killed at each step of the switch (out of WAL mode; inside the VACUUM; after
#    it, before WAL mode again) loses nothing: the replica passes the integrity check, keeps
#    its device and the ops the server rejected just before, and the next sync switches and
#    fills it, equal to the server.
# (A disk with little room keeps 4 KiB pages: t_fault_disk fills a replica on a 256 KiB disk.)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_replica_pages
kt_start_kartad --page-bytes 16384 # a fill of several pages

SEEDS=${KT_SEEDS:-$KT_SRC/tests/fixtures/seeds}
kt_ok mun1 plan import "$SEEDS/001_ab757c1570964dd4.txt"
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/mun1.conf" >"$KT_WORK/mun1-off.conf"
pages() { kt_sq mun1 "PRAGMA page_size"; }
mode() { kt_sq mun1 "PRAGMA journal_mode"; }
STATE=$KT_WORK/mun1.state
# old_file: a replica file of 4 KiB pages, in WAL mode, nothing in it yet (an earlier karta's)
old_file() {
	rm -rf "$STATE"
	mkdir -m 700 -p "$STATE"
	sqlite3 "$STATE/replica.db" "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL;
		CREATE TABLE t(a); DROP TABLE t;" >/dev/null
	kt_assert_eq 4096 "$(sqlite3 "$STATE/replica.db" "PRAGMA page_size")" "an earlier karta's file"
}

# --- a new file ------------------------------------------------------------------------------
rm -rf "$STATE"
kt_karta mun1-off status >/dev/null 2>&1 || true
kt_assert_eq 16384 "$(pages)" "page size of a replica file made by an offline command"
kt_assert_eq 0 "$(kt_sq mun1 "SELECT count(*) FROM row")" "no rows before the first sync"

# --- a first sync ---------------------------------------------------------------------------
rm -rf "$STATE"
kt_ok mun1 sync
kt_assert_not_contains "$KT_ERR" "another karta" "a first sync alone"
kt_assert_eq 16384 "$(pages)" "page size after a first sync"
kt_assert_eq wal "$(mode)" "journal mode after a first sync"
kt_assert_eq ok "$(kt_sq mun1 "PRAGMA integrity_check")" "integrity after a first sync"
kt_assert_replica_eq mun1 "replica filled with 16 KiB pages"
DEVICE=$(kt_sq mun1 "SELECT value FROM meta WHERE key = 'device'")
kt_psql "UPDATE plan_item SET title = title || ' (правка)' WHERE id = (SELECT min(id::text)::uuid
	FROM plan_item)" >/dev/null
kt_ok mun1 sync
kt_assert_eq 16384 "$(pages)" "page size after the next sync"
kt_assert_replica_eq mun1 "replica after the next sync"

# --- another karta has the replica open -----------------------------------------------------
old_file
kt_bg "$KT_KARTA" --config "$KT_WORK/mun1-off.conf" watch >"$KT_WORK/watch.out" 2>&1
WATCH=$KT_BG_PID
kt_wait_said "$KT_WORK/watch.out" "reconnecting" "$WATCH" 15
grep -q reconnecting "$KT_WORK/watch.out" || kt_fail "karta watch did not start: $(cat "$KT_WORK/watch.out")"
kt_run kt_karta mun1 sync
kt_assert_rc 0 "a first sync while karta watch has the replica open"
kt_assert_contains "$KT_ERR" "the local replica is open in another karta" "the refusal is said"
kt_assert_eq 4096 "$(pages)" "page size when the switch was refused"
kt_assert_eq wal "$(mode)" "journal mode when the switch was refused"
kt_assert_replica_eq mun1 "replica filled with 4 KiB pages"
kt_bg_kill "$WATCH"
kt_ok mun1 sync
kt_assert_not_contains "$KT_ERR" "another karta" "a sync of a replica with rows"
kt_assert_eq 4096 "$(pages)" "a replica with rows is not rebuilt"
kt_assert_eq ok "$(kt_sq mun1 "PRAGMA integrity_check")" "integrity of the 4 KiB replica"

# --- killed at each step of the switch ------------------------------------------------------
for step in 1 2 3; do
	old_file
	# two ops the server will reject (a plan it does not have) wait in the new replica's
	# outbox: the sync sends them first, and its pull then holds their rejections
	"$KT_BIN/tests/kt_outbox_fill" "$STATE" 00000000-0000-4000-8000-00000000000$step \
		00000000-0000-4000-8000-0000000000a$step 2 >/dev/null
	OPS=$(kt_sq mun1 "SELECT group_concat(op_id, ' ') FROM (SELECT op_id FROM outbox ORDER BY op_id)")
	kt_bg env KARTA_TEST_HANG_IN_PAGE_SWITCH=$step "$KT_KARTA" --config "$KT_WORK/mun1.conf" sync \
		>"$KT_WORK/switch$step.out" 2>&1
	HANG=$KT_BG_PID
	kt_wait_said "$KT_WORK/switch$step.out" "page size switch at step $step" "$HANG" 15
	grep -q "page size switch at step $step" "$KT_WORK/switch$step.out" ||
		kt_fail "the sync did not stop at step $step: $(cat "$KT_WORK/switch$step.out")"
	kt_bg_kill "$HANG"
	kt_assert_eq ok "$(kt_sq mun1 "PRAGMA integrity_check")" "integrity after a kill at step $step"
	kt_assert_eq "$DEVICE" "$(kt_sq mun1 "SELECT value FROM meta WHERE key = 'device'")" \
		"the replica's device after a kill at step $step"
	kt_assert_eq "$OPS" "$(kt_sq mun1 "SELECT group_concat(op_id, ' ') FROM (SELECT op_id FROM rejected
		ORDER BY op_id)")" "the rejected ops after a kill at step $step"
	kt_assert_eq 0 "$(kt_sq mun1 "SELECT count(*) FROM row")" "no rows before the fill (step $step)"
	kt_ok mun1 sync
	kt_assert_eq 16384 "$(pages)" "page size after the sync that followed a kill at step $step"
	kt_assert_eq wal "$(mode)" "journal mode after the sync that followed a kill at step $step"
	kt_assert_eq ok "$(kt_sq mun1 "PRAGMA integrity_check")" "integrity after the sync (step $step)"
	kt_assert_replica_eq mun1 "replica after a kill at step $step and a sync"
	kt_ok mun1-off status
	kt_assert_contains "$KT_OUT" "rejected:     2" "the rejected ops still listed (step $step)"
done

kt_stop_kartad
kt_pass
