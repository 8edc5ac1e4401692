#!/usr/bin/env bash
# t_fault_disk: the client's disk fills up (issue 16). The replica (--state) lives on a small
# tmpfs of this test's own (root only: skipped otherwise).
#  - the first pull of a municipality runs out of space: the client says the disk of its state dir
#    is full (not "disk I/O error"), exits 1, and the replica is intact (integrity check) with
#    whole pages only — every row it kept is the server's;
#  - an offline edit with the disk full to the last byte is either refused the same way and
#    queues nothing, or queued whole (SQLite found room in its write-ahead log);
#  - with room again (the tmpfs grown), the sync resumes: the edit queued then is applied
#    exactly once and the replica equals the server by row count and checksum.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || kt_skip "mounting a tmpfs needs root"
kt_setup t_fault_disk
MNT=$KT_WORK/small-disk
mkdir -p "$MNT"
mount -t tmpfs -o size=256k,mode=0700 kt-fault-disk "$MNT" || kt_skip "cannot mount a tmpfs here"
disk_exit() {
	local rc=$?
	set +e
	umount -l "$MNT" 2>/dev/null
	(exit "$rc")
	kt__on_exit
}
trap disk_exit EXIT
kt_start_kartad --page-bytes 16384

SEEDS=${KT_SEEDS:-$KT_SRC/tests/fixtures/seeds}
kt_ok mun1 plan import "$SEEDS/001_ab757c1570964dd4.txt"
kt_ok mun1 plan import "$SEEDS/000_0321eb817b06a241.txt" --allow-truncated
# from here on mun1's replica is a new one, on the small disk
kt_write_client_conf "$KT_WORK/mun1.conf" "$KT_CERTS/mun1.pem" "$KT_CERTS/mun1.key" "" "$MNT/state"
sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/mun1.conf" >"$KT_WORK/mun1-off.conf"

# --- the first pull fills the disk ----------------------------------------------------------
kt_run kt_karta mun1 sync
kt_assert_rc 1 "sync onto a full disk"
kt_log "sync on the full disk: $KT_ERR"
kt_assert_contains "$KT_ERR" "no space left on the disk of the state dir $MNT/state" "the error names the cause"
kt_assert_not_contains "$KT_ERR" "disk I/O error" "the error"
kt_assert_eq ok "$(kt_sq mun1 "PRAGMA integrity_check")" "replica integrity after the full disk"
KEPT=$(kt_sq mun1 "SELECT count(*) FROM row")
[ "$KEPT" -lt "$(kt_server_rows mun1 | wc -l)" ] || kt_fail "the disk did not fill up ($KEPT rows kept)"
# every row kept is one the server has, at the version the server has or older (whole pages)
kt_assert_eq 0 "$(comm -13 <(kt_server_rows mun1 | cut -d' ' -f1,2) \
	<(kt_replica_rows mun1 | cut -d' ' -f1,2) | wc -l)" "rows kept that the server lacks"

# --- an offline edit on the full disk (a file takes what room is left) ---------------------
ITEM=$(kt_sq mun1 "SELECT entity_id FROM row WHERE entity_type = 'plan_item' ORDER BY entity_id LIMIT 1")
[ -n "$ITEM" ] || kt_fail "no item reached the replica before the disk filled up"
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
kt_run kt_karta mun1-off item edit "$ITEM" --municipal "после очистки диска"
if [ "$KT_RC" = 0 ]; then # SQLite found room in its write-ahead log: queued whole
	kt_log "the edit on the full disk was queued (room in the WAL)"
	kt_assert_eq 1 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "the edit queued"
else
	kt_assert_rc 1 "an edit on the full disk"
	kt_assert_contains "$KT_ERR" "no space left on the disk" "the edit's error"
	kt_assert_eq 0 "$(kt_sq mun1 "SELECT count(*) FROM outbox")" "nothing half-queued"
fi
kt_assert_eq ok "$(kt_sq mun1 "PRAGMA integrity_check")" "replica integrity after the edit"

# --- room again ------------------------------------------------------------------------------
rm -f "$MNT/filler"
mount -o remount,size=16m "$MNT"
[ "$(kt_sq mun1 "SELECT count(*) FROM outbox")" = 1 ] ||
	kt_ok mun1-off item edit "$ITEM" --municipal "после очистки диска"
OP=$(kt_sq mun1 "SELECT op_id FROM outbox")
kt_ok mun1 sync
kt_assert_contains "$KT_OUT" "sent 1 change: 1 applied" "the queued edit"
kt_assert_eq 1 "$(kt_psql "SELECT count(*) FROM op_log WHERE op_id = '$OP'")" "applied once"
kt_assert_eq "после очистки диска" "$(kt_psql "SELECT municipal_action FROM plan_item WHERE id = '$ITEM'")" \
	"the edit on the server"
kt_assert_eq ok "$(kt_sq mun1 "PRAGMA integrity_check")" "replica integrity"
kt_assert_replica_eq mun1 "replica after the disk had room again"

kt_stop_kartad
kt_pass
