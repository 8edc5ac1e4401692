#!/usr/bin/env bash
# t_registry_gds_owner: `karta registry import --layout giadbset` can queue a table's rows in
# ops by owner (reg_owner.c, off by default: KARTA_OWNER_SLOTS): a package whose participants
# are dealt over 12 schools, imported offline with 4 owner slots and at most 30 rows held
# (KARTA_OWNER_SLOTS=4, KARTA_OWNER_ROWS=30) — every participant's op holds
# the schools of one slot only (FNV-1a of the school's GUID, as reg_owner.c hashes it), every
# registration's op the participants of one slot, no op over the cap, each row queued exactly
# once; `karta sync` then applies every row once.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_registry_gds_owner
kt_start_kartad
D=$KT_WORK/pkg
GEN=$KT_SRC/tests/tools/gds_gen.py
"$GEN" orgs "$D/p" --region 52 --municipalities 2 --schools 6
"$GEN" registries "$D/p" --participants 240 --points 2 --auditoriums 3 --staff 6 --schedule "$D/schedule.csv"
printf 'GUID;Код\n%s;reg\n' "$(python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('6b0e3c2a-3d7c-4f0e-9a51-2b7c1d0e9f10'), 'region:52'))")" \
	>"$D/codes.csv"
kt_run kt_admin org import "$D/p" --codes "$D/codes.csv"
kt_assert_rc 0 "org import --codes"
kt_ok reg sync
kt_ok reg exam schedule import "$D/schedule.csv"
n() { grep -c '^  <rbd_' "$D/p/$1.xml"; }
NP=$(n rbd_Participants) NR=$(n rbd_ParticipantsExams)

kt_stop_kartad
KARTA_OWNER_SLOTS=4 KARTA_OWNER_ROWS=30 kt_ok reg registry import --layout giadbset "$D/p"
kt_assert_contains "$KT_OUT" "offline:" "the import queued offline"
DB=$KT_WORK/reg.state/replica.db
got=$(python3 - "$DB" "$D/p" <<'PY'
import re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def slot(guid):  # reg_owner.c: 1 + FNV-1a (32 bits) of the GUID in lower case, mod the slots
    h = 2166136261
    for c in guid.lower().encode():
        h = ((h ^ c) * 16777619) & 0xffffffff
    return 1 + h % 4
school = {}
for row in re.findall(r'<rbd_Participants>(.*?)</rbd_Participants>', open(sys.argv[2] + '/rbd_Participants.xml').read(), re.S):
    pid = re.search(r'<ParticipantID>([^<]*)<', row).group(1).lower()
    school[pid] = re.search(r'<SchoolRegistration>([^<]*)<', row).group(1)
out = []
for t, of in (('participant', lambda p: school[p['id']]), ('exam_registration', lambda p: school[p['participant_id'].lower()])):
    ops = {}
    for op, lp in db.execute("SELECT op_id, local_payload FROM outbox_row WHERE entity_type = ?", (t,)):
        ops.setdefault(op, []).append(slot(of(__import__('json').loads(lp))))
    n = sum(len(v) for v in ops.values())
    ids = db.execute("SELECT count(DISTINCT entity_id) FROM outbox_row WHERE entity_type = ?", (t,)).fetchone()[0]
    mixed = sum(1 for v in ops.values() if len(set(v)) != 1)
    big = sum(1 for v in ops.values() if len(v) > 31)
    out.append('%s rows %d ids %d ops>1 %s mixed %d over %d' % (t, n, ids, len(ops) > 1, mixed, big))
print('; '.join(out))
PY
)
kt_assert_eq "$got" "participant rows $NP ids $NP ops>1 True mixed 0 over 0; exam_registration rows $NR ids $NR ops>1 True mixed 0 over 0" \
	"each op holds the rows of one owner group, each row queued once"

kt_start_kartad
kt_ok reg sync
kt_assert_eq "$(kt_psql "SELECT (SELECT count(*) FROM participant) || ' ' || (SELECT count(*) FROM exam_registration)
	|| ' ' || (SELECT count(*) FROM exam_registration WHERE row_version <> 1)")" "$NP $NR 0" \
	"sync: every participant and registration applied, once"
kt_ok reg registry import --layout giadbset "$D/p"
kt_assert_contains "$KT_OUT" "rbd_Participants.xml: $NP rows: 0 added, 0 updated, $NP unchanged" \
	"the package again: nothing to send"
kt_pass
