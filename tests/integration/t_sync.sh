#!/usr/bin/env bash
# t_sync: the offline client replica and its exchange with kartad (docs/sync.md), with real
# PostgreSQL, real TLS and real kartad and karta processes.
#  - visibility: a school's replica (read from its SQLite file) has exactly the rows of its own
#    feed and the plan rows of its municipality and region — nothing of another school;
#  - a pull between two commits that finish in the opposite order of their start still gets
#    both changes;
#  - two devices of one municipality edit offline, then sync: disjoint fields merge, the
#    overlapping edit becomes one conflict seen on both; both replicas end identical; the
#    conflict is resolved from one side and closes on both;
#  - a client killed after its upload committed, before the reply: the retry is a DUPLICATE,
#    the change exists once;
#  - kartad killed mid-pull: the next sync resumes from the cursor; the replica equals what
#    the server holds, no row missing, none doubled;
#  - bad ops (malformed body, a write the organization may not make, an op_id reused with
#    other content, an upload over the op limit): each refused per op, nothing written, and
#    later ops on other rows still applied;
#  - feed pruned past a cursor, and a rebuilt feed: resync by snapshot, same replica after.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

trap '' PIPE

kt_setup t_sync
kt_start_kartad --page-bytes 4096 # small pages: a pull is many pages

# A second device of mun1 (the same municipality on another computer).
"$KT_CERTSH" "$KT_CERTS" mun1b >/dev/null
kt_run kt_admin device add --org mun1 --cert "$KT_CERTS/mun1b.pem" --role operator --label "mun1 laptop"
kt_assert_rc 0 "device add mun1b"
kt_write_client_conf "$KT_WORK/mun1b.conf" "$KT_CERTS/mun1b.pem" "$KT_CERTS/mun1b.key"

# offline ORG: a config for ORG's device and replica that points at a closed port.
offline() {
	sed "s/^server = .*/server = 127.0.0.1:1/" "$KT_WORK/$1.conf" >"$KT_WORK/$1-off.conf"
}
for o in reg mun1 mun1b mun2 sch11; do offline "$o"; done
sq() { sqlite3 -batch "$KT_WORK/$1.state/replica.db" "$2"; }
dev_id() { # the device of a client cert (by label when several)
	kt_psql "SELECT d.id FROM device d WHERE d.label = 'test device $1' OR d.label = '$1'"
}
item_of() { # PLAN NUMBER → item id
	kt_psql "SELECT id FROM plan_item WHERE plan_id = '$1' AND number = '$2'"
}
# server_rows ORG: "type id version" of every row ORG's device may read, as the server has it
# now (karta_feed_rows: the synced tables themselves, not the log, which may be pruned).
server_rows() {
	kt_psql "SELECT r.entity_type || ' ' || r.entity_id || ' ' || coalesce(r.row_version, 0)
		FROM karta_feed_rows r JOIN karta_feed_visible($(dev_id "$1")) v ON v.org_id = r.org_id
		WHERE v.scope = 'all' OR karta_plan_entity(r.entity_type)" | sort
}
replica_rows() { sq "$1" "SELECT entity_type || ' ' || entity_id || ' ' || row_version FROM row" | sort; }

# --- a plan cascade -----------------------------------------------------------------------
kt_ok reg plan create --title "Дорожная карта ГИА" --year 2026 \
	--section "1|Организационные мероприятия" --section "2|Работа с участниками" --section "3|Контроль"
PLAN=$(kt_id_of "$KT_OUT" plan)
for n in 1 2 3 4 5 6; do
	kt_ok reg item add "$PLAN" --section $(((n + 1) / 2)) --number "1.$n" --title "Пункт $n" \
		--deadline "до 1 декабря" --responsible "УО, ОО" --municipal "действие $n" \
		--institutional "школы: $n"
done
kt_ok reg plan approve "$PLAN" --number "01-08/1" --date 2026-09-01
kt_ok mun1 plan derive "$PLAN"
MPLAN=$(kt_id_of "$KT_OUT" plan)
kt_ok mun2 plan derive "$PLAN"
kt_ok mun1 plan approve "$MPLAN" --number "м-1" --date 2026-09-10
kt_ok sch11 plan derive "$MPLAN"
SPLAN11=$(kt_id_of "$KT_OUT" plan)
kt_ok sch12 plan derive "$MPLAN"
SPLAN12=$(kt_id_of "$KT_OUT" plan)
kt_ok sch12 item add "$SPLAN12" --section 1 --title "Своё мероприятие школы 12"

# --- visibility ---------------------------------------------------------------------------
kt_ok sch11 sync
kt_assert_contains "$KT_OUT" "pulled" "sch11 sync output"
kt_assert_eq "$(sq sch11 "SELECT count(*) FROM row WHERE feed IN ('sch12', 'sch21', 'mun2')")" 0 \
	"rows of other schools or municipalities in sch11's replica"
kt_assert_eq "$(sq sch11 "SELECT count(*) FROM row WHERE entity_id = '$SPLAN12'
	OR json_extract(payload, '\$.plan_id') = '$SPLAN12'")" 0 "sch12's plan in sch11's replica"
kt_assert_eq "$(sq sch11 "SELECT group_concat(code, ',') FROM (SELECT code FROM feed ORDER BY code)")" \
	"mun1,reg,sch11" "feeds sch11 reads"
if grep -rqa -- "$SPLAN12" "$KT_WORK/sch11.state"; then
	kt_fail "sch12's plan id appears in sch11's state files"
fi
kt_assert_eq "$(replica_rows sch11)" "$(server_rows sch11)" "sch11 replica vs the rows it may read"
kt_assert_eq "$(sq sch11 "SELECT count(*) FROM row WHERE entity_id = '$SPLAN11'")" 1 "own plan"
kt_ok sch11 sync
kt_assert_contains "$KT_OUT" "up to date" "a second sync"

# --- commits in the opposite order of their start -----------------------------------------
kt_ok mun1 sync
I1=$(item_of "$MPLAN" 1.1) I2=$(item_of "$MPLAN" 1.2)
D_MUN1=$(dev_id mun1)
coproc EARLY { psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" 2>&1; }
early_in=${EARLY[1]}
echo "BEGIN; SELECT 'early-began';" >&"$early_in"
read -r -t 20 line <&"${EARLY[0]}" || kt_fail "the first transaction did not start"
kt_assert_eq "$line" "early-began" "first transaction"
# the later transaction starts, writes and commits first
kt_psql "UPDATE plan_item SET municipal_action = 'поздняя', row_version = row_version + 1
	WHERE id = '$I2'"
# the early one writes now (takes the next seq) but does not commit yet
echo "SET karta.device = '$D_MUN1'; UPDATE plan_item SET municipal_action = 'ранняя',
	row_version = row_version + 1 WHERE id = '$I1'; SELECT 'early-wrote';" >&"$early_in"
read -r -t 20 line <&"${EARLY[0]}" || kt_fail "the first transaction did not write"
kt_assert_eq "$line" "early-wrote" "first transaction write"
kt_ok mun1 sync
kt_assert_eq "$(sq mun1 "SELECT json_extract(payload, '\$.municipal_action') FROM row WHERE entity_id = '$I2'")" \
	"поздняя" "the committed change arrived"
echo "COMMIT; SELECT 'early-committed';" >&"$early_in"
read -r -t 20 line <&"${EARLY[0]}" || kt_fail "the first transaction did not commit"
echo '\q' >&"$early_in"
kt_ok mun1 sync
kt_assert_eq "$(sq mun1 "SELECT json_extract(payload, '\$.municipal_action') FROM row WHERE entity_id = '$I1'")" \
	"ранняя" "the change that committed later arrived too"
kt_assert_eq "$(replica_rows mun1)" "$(server_rows mun1)" "mun1 replica after interleaved commits"

# --- offline edits on two devices, merge and conflict -------------------------------------
# mun1's own working plan (a draft: every field editable)
kt_ok mun1 plan create --title "План работы УО" --year 2026 --section "1|Текущая работа"
WPLAN=$(kt_id_of "$KT_OUT" plan)
for n in 3 4 5; do
	kt_ok mun1 item add "$WPLAN" --section 1 --number "1.$n" --title "Работа $n" --municipal "действие $n"
done
kt_ok mun1b sync
I3=$(item_of "$WPLAN" 1.3) I4=$(item_of "$WPLAN" 1.4)
H3=$(kt_psql "SELECT count(*) FROM item_history WHERE item_id = '$I3'")
kt_ok mun1-off item edit "$I3" --municipal "мун1: приказ УО"
kt_assert_contains "$KT_ERR" "queued" "offline edit says it is queued"
kt_ok mun1-off item show "$I3"
kt_assert_contains "$KT_OUT" "мун1: приказ УО" "the offline edit shows in the replica"
kt_ok mun1-off item edit "$I4" --municipal "мун1: версия А"
kt_ok mun1b-off item edit "$I3" --result "мун1b: отчёт"
kt_ok mun1b-off item edit "$I4" --municipal "мун1b: версия Б"
kt_ok mun1-off status
kt_assert_match "$KT_OUT" "queued: +2 changes" "status shows the outbox"
kt_assert_eq "$(kt_psql "SELECT municipal_action FROM plan_item WHERE id = '$I3'")" "действие 3" \
	"nothing reached the server while offline"

kt_ok mun1 sync
kt_assert_contains "$KT_OUT" "sent 2 changes: 2 applied" "mun1 sync"
kt_ok mun1b sync
kt_assert_match "$KT_OUT" "sent 2 changes: 1 applied, 1 conflict" "mun1b sync"
kt_assert_contains "$KT_OUT" "merged with newer changes" "disjoint edit merged"
kt_ok mun1 sync
kt_assert_eq "$(kt_psql "SELECT municipal_action || ' / ' || result_text FROM plan_item WHERE id = '$I3'")" \
	"мун1: приказ УО / мун1b: отчёт" "both disjoint edits kept"
kt_assert_eq "$(kt_psql "SELECT count(*) FROM item_history WHERE item_id = '$I3'")" "$((H3 + 2))" \
	"two edits of item 1.3 in its history"
kt_assert_eq "$(kt_psql "SELECT municipal_action FROM plan_item WHERE id = '$I4'")" "мун1: версия А" \
	"the first writer's value stays until the conflict is resolved"
kt_assert_eq "$(kt_psql "SELECT count(*) FROM conflict WHERE status = 'open'")" 1 "one conflict"
kt_run kt_karta mun1 status --rows
A=$KT_OUT
kt_run kt_karta mun1b status --rows
kt_assert_eq "$KT_OUT" "$A" "two devices converged to identical replicas"
[ -n "$A" ] || kt_fail "empty replica dump"
for d in mun1 mun1b; do
	kt_ok $d conflicts list
	kt_assert_contains "$KT_OUT" "мун1b: версия Б" "$d sees the conflict (mine/theirs)"
	kt_assert_contains "$KT_OUT" "мун1: версия А" "$d sees the other value"
done
CONF=$(kt_psql "SELECT id FROM conflict WHERE status = 'open'")
kt_run kt_karta mun1 conflicts resolve "$CONF" --keep nobody
kt_assert_rc 2 "conflicts resolve --keep nobody"
kt_assert_contains "$KT_ERR" "must be one of mine|theirs" "bad --keep"
kt_ok mun1b conflicts resolve "$CONF" --keep mine
kt_assert_eq "$(kt_psql "SELECT municipal_action FROM plan_item WHERE id = '$I4'")" "мун1b: версия Б" \
	"resolved with the conflicting device's value"
kt_ok mun1 sync
kt_ok mun1 conflicts list
kt_assert_not_contains "$KT_OUT" "$CONF" "no open conflict on mun1 after resolving"
kt_ok mun1b status
kt_assert_contains "$KT_OUT" "conflicts:    0 open" "mun1b status"
kt_ok mun1b sync
kt_run kt_karta mun1 status --rows
A=$KT_OUT
kt_run kt_karta mun1b status --rows
kt_assert_eq "$KT_OUT" "$A" "identical replicas after the resolution"

# --- the client dies after the server committed its upload --------------------------------
I5=$(item_of "$WPLAN" 1.5)
H5=$(kt_psql "SELECT count(*) FROM item_history WHERE item_id = '$I5'")
kt_ok mun1-off item edit "$I5" --municipal "отправлено один раз"
OPID=$(sq mun1 "SELECT op_id FROM outbox")
kt_bg env KARTA_TEST_HANG_AFTER_UPLOAD=1 "$KT_KARTA" --config "$KT_WORK/mun1.conf" sync \
	>"$KT_WORK/hang.out" 2>&1
HANG=$KT_BG_PID
for ((i = 0; i < 200; i++)); do
	[ "$(kt_psql "SELECT count(*) FROM op_log WHERE op_id = '$OPID'")" = 1 ] && break
	sleep 0.1
done
kt_assert_eq "$(kt_psql "SELECT outcome FROM op_log WHERE op_id = '$OPID'")" applied "committed on the server"
kt_bg_kill "$HANG"
kt_assert_eq "$(sq mun1 "SELECT count(*) FROM outbox")" 1 "the op is still queued after the crash"
kt_ok mun1 sync
kt_assert_contains "$KT_OUT" "1 duplicate" "the retry is recognised"
kt_assert_eq "$(kt_psql "SELECT count(*) FROM item_history WHERE item_id = '$I5'")" "$((H5 + 1))" \
	"applied exactly once"
kt_assert_eq "$(sq mun1 "SELECT count(*) FROM outbox")" 0 "outbox empty"

# --- bad ops ------------------------------------------------------------------------------
SNAP=$(kt_plan_snapshot)
kt_ok mun2 sync
# a municipality edits the regional plan (it may read it, not write it)
kt_ok mun2-off item edit "$(item_of "$PLAN" 1.6)" --title "чужая правка"
# a malformed body
kt_ok mun2-off item edit "$(item_of "$PLAN" 1.6)" --responsible "будет испорчено"
sq mun2 "UPDATE outbox SET body = X'0a0aFFFFFFFFFFFFFFFF' WHERE client_seq = (SELECT max(client_seq) FROM outbox)"
# an op_id reused with other content (the op applied above, another body)
kt_ok mun1-off item edit "$I5" --municipal "подмена"
sq mun1 "UPDATE outbox SET op_id = '$OPID'"
kt_run kt_karta mun2 sync
kt_assert_rc 0 "mun2 sync with refused ops"
kt_assert_match "$KT_OUT" "sent 2 changes: 2 rejected" "mun2 sync summary"
KT_ICASE=1 kt_assert_match "$KT_OUT" "rejected — no write access to plan" "forbidden op"
KT_ICASE=1 kt_assert_match "$KT_OUT" "rejected — the op.s body does not decode" "malformed op"
kt_run kt_karta mun1 sync
KT_ICASE=1 kt_assert_match "$KT_OUT" "rejected — op_id was used before for a different op" "reused op_id"
kt_assert_eq "$(kt_plan_snapshot)" "$SNAP" "refused ops wrote nothing"
kt_ok mun2 status
kt_assert_contains "$KT_OUT" "rejected:     2" "refused ops listed in status"
# an upload over the server's op limit: every op refused, nothing applied
kt_stop_kartad
kt_start_kartad --page-bytes 4096 --max-ops 2
for t in "1" "2" "3"; do kt_ok mun1-off item edit "$I5" --result "слишком много $t"; done
KARTA_TEST_IGNORE_LIMITS=1 kt_run kt_karta mun1 sync
KT_ICASE=1 kt_assert_match "$KT_OUT" "3 rejected" "over-limit upload"
kt_assert_contains "$KT_OUT" "upload too large" "over-limit reason"
kt_assert_eq "$(kt_plan_snapshot)" "$SNAP" "an over-limit upload wrote nothing"
# a refused op does not block later ops on other rows
kt_ok mun2-off item edit "$(item_of "$PLAN" 1.6)" --title "ещё раз чужая"
M2=$(kt_psql "SELECT id FROM plan WHERE owner_org_id = (SELECT id FROM organization WHERE code = 'mun2')")
kt_ok mun2-off item edit "$(item_of "$M2" 1.6)" --municipal "своё"
kt_ok mun2 sync
kt_assert_match "$KT_OUT" "sent 2 changes: 1 applied, 1 rejected" "mixed batch"
kt_assert_eq "$(kt_psql "SELECT municipal_action FROM plan_item WHERE plan_id = '$M2' AND number = '1.6'")" \
	"своё" "the good op after a refused one applied"

# --- kartad dies mid-pull -----------------------------------------------------------------
SEEDS=${KT_SEEDS:-$KT_SRC/tests/fixtures/seeds}
kt_ok reg plan import "$SEEDS/001_ab757c1570964dd4.txt"
kt_ok reg plan import "$SEEDS/000_0321eb817b06a241.txt" --allow-truncated
# a new computer of the region: its first, long pull
kt_slow_first_pull reg 150 "$KT_WORK/pull.out"
PULL=$KT_BG_PID
kt_wait_rows reg 50 0.1
[ "${n:-0}" -gt 50 ] || kt_fail "the pull did not start: $(cat "$KT_WORK/pull.out")"
kill -KILL "$KT_KARTAD_PID"
wait "$PULL" && kt_fail "the pull did not notice kartad dying"
KT_KARTAD_PID=''
PART=$(sq reg "SELECT count(*) FROM row")
[ "$PART" -lt "$(server_rows reg | wc -l)" ] || kt_fail "the pull finished before kartad was killed"
kt_start_kartad --page-bytes 4096
kt_ok reg sync
kt_assert_eq "$(replica_rows reg)" "$(server_rows reg)" "reg replica after a pull cut short"
kt_log "pull cut after $PART rows, resumed to $(sq reg "SELECT count(*) FROM row")"

# --- resync: pruned and rebuilt feeds -----------------------------------------------------
kt_ok sch11-off item add "$SPLAN11" --section 1 --title "Школьное мероприятие"
kt_ok sch11 sync
# sch11's cursors are at its feeds' ends; mun1 writes twice more, the log ages and is pruned:
# sch11's mun1 cursor is now older than what the log keeps
kt_ok mun1 item edit "$I3" --municipal "до чистки журнала"
kt_ok mun1 item edit "$I3" --municipal "после чистки журнала"
kt_psql "UPDATE change_log SET committed_at = committed_at - interval '40 days'"
kt_run kt_admin feed prune --days 30
kt_assert_rc 0 "feed prune"
kt_assert_match "$KT_OUT" "pruned [1-9][0-9]* change-log row" "feed prune output"
kt_refused_admin() { kt_run kt_admin "$@"; kt_assert_rc 2 "karta-admin $*"; }
kt_refused_admin feed prune --days 0
kt_refused_admin feed prune
kt_run kt_admin feed rebuild nosuchorg
kt_assert_rc 1 "rebuild of an unknown feed"
kt_ok sch11 sync
kt_assert_contains "$KT_OUT" "snapshot" "a cursor older than the retained log resyncs"
kt_assert_eq "$(replica_rows sch11)" "$(server_rows sch11)" "sch11 replica after resync"
kt_run kt_admin feed rebuild sch11
kt_assert_rc 0 "feed rebuild"
kt_ok sch11 sync
kt_assert_contains "$KT_OUT" "snapshot" "a rebuilt feed resyncs"
kt_assert_eq "$(replica_rows sch11)" "$(server_rows sch11)" "sch11 replica after a rebuild"

# --- karta watch: a change on the server reaches a watching client without a sync ---------
kt_bg "$KT_KARTA" --config "$KT_WORK/sch11.conf" watch >"$KT_WORK/watch.out" 2>&1
WATCH=$KT_BG_PID
for ((i = 0; i < 200; i++)); do # subscribed once its first pull is caught up
	grep -q "start: " "$KT_WORK/watch.out" 2>/dev/null && break
	sleep 0.1
done
kt_ok mun1 item edit "$I3" --municipal "увидит наблюдающая школа"
seen=
for ((i = 0; i < 200; i++)); do
	seen=$(sq sch11 "SELECT json_extract(payload, '\$.municipal_action') FROM row WHERE entity_id = '$I3'")
	[ "$seen" = "увидит наблюдающая школа" ] && break
	sleep 0.1
done
kt_bg_kill "$WATCH"
kt_assert_eq "$seen" "увидит наблюдающая школа" "karta watch applied the change (output: $(cat "$KT_WORK/watch.out"))"

kt_pass
