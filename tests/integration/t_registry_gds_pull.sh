#!/usr/bin/env bash
# t_registry_gds_pull: `karta registry import --layout giadbset` pulls the rows the server
# has answered back into the replica while it still sends the later ones (issue 22: a
# third connection and replica handle beside the reader and the sender), and a kill of the
# client at that point loses nothing:
#  - kartad takes one op per Upload (--max-ops 1), and the registrations' table is locked,
#    so the Upload of the registrations waits in the database while the exam points, their
#    auditoriums, the staff and the participants are answered;
#  - the puller pulls those (test hook KARTA_TEST_HANG_AFTER_PULL: it then waits to be
#    killed): the replica holds them as the server's rows, their ops are off the outbox,
#    while the registrations' ops are still queued; the client is killed (-KILL);
#  - the lock goes: the Upload the dead client left commits; `karta sync` sends the queued
#    ops again (applied once: the server's counts, each row's version 1) and pulls; the
#    package imported again queues the rows the killed import never read, and once more
#    changes nothing — the replica holds every row as the server does, version by version.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_registry_gds_pull
kt_start_kartad --max-ops 1
D=$KT_WORK/pkg
GEN=$KT_SRC/tests/tools/gds_gen.py
u() { python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('6b0e3c2a-3d7c-4f0e-9a51-2b7c1d0e9f10'), '$1'))"; }

"$GEN" orgs "$D/p" --region 51
"$GEN" registries "$D/p" --participants 300 --points 2 --auditoriums 3 --staff 6 --schedule "$D/schedule.csv"
printf 'GUID;Код\n%s;reg\n%s;mun1\n%s;mun2\n%s;sch11\n%s;sch12\n%s;sch21\n' "$(u region:51)" \
	"$(u gov:51:1)" "$(u gov:51:2)" "$(u school:51:1:1)" "$(u school:51:1:2)" \
	"$(u school:51:2:1)" >"$D/codes.csv"
kt_run kt_admin org import "$D/p" --codes "$D/codes.csv"
kt_assert_rc 0 "org import --codes"
kt_ok reg sync
kt_ok reg exam schedule import "$D/schedule.csv"

DB=$KT_WORK/reg.state/replica.db
lite() { sqlite3 -batch -cmd '.timeout 5000' "$DB" "$1"; }
rows() { lite "SELECT count(*) FROM row WHERE entity_type = '$1'"; }
counts() { kt_psql "SELECT (SELECT count(*) FROM participant) || ' ' || (SELECT count(*) FROM exam_registration)
	|| ' ' || (SELECT count(*) FROM exam_point) || ' ' || (SELECT count(*) FROM auditorium)
	|| ' ' || (SELECT count(*) FROM staff)"; }
# every row of TABLE as "id version", sorted: the server's, and the replica's copy
server_rows() { kt_psql "SELECT id || ' ' || row_version FROM $1 ORDER BY id::text"; }
replica_rows() { lite "SELECT entity_id || ' ' || row_version FROM row WHERE entity_type = '$1' ORDER BY entity_id"; }

# --- the registrations wait; what was answered before them is pulled while they do ----------
kt_hold_lock exam_registration
KARTA_TEST_HANG_AFTER_PULL=1 kt_bg "$KT_KARTA" --config "$KT_WORK/reg.conf" registry import \
	--layout giadbset "$D/p" >"$KT_WORK/imp.out" 2>&1
IMP=$KT_BG_PID
kt_wait_blocked '%karta_upload%'
kt_wait_said "$KT_WORK/imp.out" 'pulled while sending' "$IMP"
kt_assert_contains "$(cat "$KT_WORK/imp.out")" "test hook: pulled while sending" \
	"the puller pulled while the registrations' Upload waited"
kt_assert_eq "$(kt_backends "application_name = 'kartad' AND wait_event_type = 'Lock'
	AND query LIKE '%karta_upload%'")" "1" "…which still waits in the database"
kt_assert_eq "$(rows exam_point)" "2" "the exam points are in the replica as the server's rows"
[ "$(lite "SELECT count(*) FROM outbox")" -ge 1 ] ||
	kt_fail "the registrations' ops are still queued"
kt_assert_eq "$(rows exam_registration)" "0" "no registration pulled: none is applied yet"
kill -KILL -- "-$IMP"
wait "$IMP" 2>/dev/null || true
kt_release_lock

# --- the next sync converges, nothing lost, nothing twice ---------------------------------------
kt_ok reg sync
kt_assert_eq "$(lite "SELECT count(*) FROM outbox")" "0" "sync: nothing left queued"
kt_ok reg registry import --layout giadbset "$D/p"
kt_assert_contains "$KT_OUT" "0 rejected, 0 refused by the server" "the import again: nothing refused"
kt_ok reg registry import --layout giadbset "$D/p"
kt_assert_contains "$KT_OUT" "rbd_Participants.xml: 300 rows: 0 added, 0 updated, 300 unchanged" \
	"once more: the participants unchanged"
kt_assert_contains "$KT_OUT" "rbd_ParticipantsExams.xml: $(grep -c '^  <rbd_' "$D/p/rbd_ParticipantsExams.xml") rows: 0 added, 0 updated" \
	"once more: the registrations unchanged"
kt_assert_eq "$(counts)" "300 $(grep -c '^  <rbd_' "$D/p/rbd_ParticipantsExams.xml") 2 $(grep -c '^  <rbd_' "$D/p/rbd_Auditoriums.xml") $(grep -c '^  <rbd_' "$D/p/rbd_StationWorkers.xml")" \
	"every row of the package on the server"
kt_assert_eq "$(kt_psql "SELECT count(*) FROM exam_registration WHERE row_version <> 1")" "0" \
	"each registration applied once (version 1)"
for t in participant exam_registration exam_point auditorium staff; do
	kt_assert_eq "$(replica_rows "$t")" "$(server_rows "$t")" "the replica holds every $t as the server does"
done
kt_pass
