#!/usr/bin/env bash
# t_feed_bulk: bulk statements append to a feed once per statement (sql/0022), and two of
# them on one feed interleave safely. Real PostgreSQL, kartad and client:
#  - session B begins first; session A inserts 300 participants of sch11 in one statement
#    (one feed lock, seqs N+1..N+300); B's 300-row statement then waits for the feed; a
#    reader and sch11's replica (karta sync) see neither; A commits: they see A's 300 rows,
#    gap-free, and nothing of B; B commits: all 600, B's seqs after A's, each statement's
#    rows in the order it wrote them, one notification per statement ("sch11:N+300",
#    "sch11:N+600"), the replica equal to the server's rows;
#  - a bulk UPDATE (soft delete of 100 rows) appends 100 'delete' changes with the changed
#    fields; an UPDATE that changes nothing appends nothing;
#  - two statements over two feeds (sch11, sch12) whose rows come in opposite orders do
#    not deadlock: feeds are locked in org_id order, not in row order;
#  - distribution and seating have no foreign keys: a statement with one missing participant,
#    point or auditorium among valid rows is refused (SQLSTATE 23503, the reference named),
#    nothing written or appended; valid rows go in;
#  - karta_feed_take_n alone: three feeds get their bases (their last seqs before), their
#    counters raised by their numbers, one notification naming all three; a feed missing or
#    NULL among them is refused by name and nothing is taken.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

trap '' PIPE

kt_setup t_feed_bulk
kt_start_kartad --page-bytes 8192 # a pull of 600 rows is many pages

org_id() { kt_psql "SELECT id FROM organization WHERE code = '$1'"; }
S11=$(org_id sch11) S12=$(org_id sch12)
last_seq() { kt_psql "SELECT last_seq FROM feed WHERE org_id = $1"; }
# gap_free FEED: "rows|max seq|last_seq" — one number thrice when the log is 1..last_seq
gap_free() {
	kt_psql "SELECT count(*), coalesce(max(seq), 0), (SELECT last_seq FROM feed WHERE org_id = $1)
		FROM change_log WHERE feed_id = $1"
}
# rows_sql ORG FROM TO TAG [ORG2 FROM2 TO2 TAG2]: one INSERT of participants FROM..TO of ORG
# (surname TAG, document number TAG000001…), then those of ORG2
rows_sql() {
	echo "INSERT INTO participant(id, org_id, surname, name, sex, birth_date, doc_type, doc_number,
		class, category, form, ovz) $(rows_sel "$1" "$2" "$3" "$4")"
	[ $# = 4 ] || echo "UNION ALL $(rows_sel "$5" "$6" "$7" "$8")"
}
rows_sel() {
	echo "(SELECT md5('$4:' || g)::uuid, $1, '$4', 'Имя', 1, date '2008-01-01' + g, 9,
		'$4' || lpad(g::text, 6, '0'), '11', 1, 1, false FROM generate_series($2, $3) g ORDER BY g)"
}
# sch11's participants in its replica / on the server
replica_participants() { kt_replica_rows sch11 | grep '^participant ' || true; }
server_participants() { kt_server_rows sch11 | grep '^participant ' || true; }

# psql sessions fed through a pipe: sess NAME opens, send NAME SQL, expect NAME LINE waits for
# LINE in its output (30 s; an ERROR fails the test)
declare -A SESS
sess() {
	local fd
	exec {fd}> >(exec psql -XAtq "$KT_CONNINFO application_name=t_feed_bulk_$1" >"$KT_WORK/$1.out" 2>&1)
	SESS[$1]=$fd
}
send() { printf '%s\n' "$2" >&"${SESS[$1]}" || kt_fail "session $1 is gone"; }
expect() {
	local i
	for ((i = 0; i < 300; i++)); do
		grep -q ERROR "$KT_WORK/$1.out" && kt_fail "session $1: $(cat "$KT_WORK/$1.out")"
		grep -qx -- "$2" "$KT_WORK/$1.out" && return 0
		sleep 0.1
	done
	kt_fail "session $1 did not print '$2': $(cat "$KT_WORK/$1.out")"
}
b_waits() { # B's statement waits for a lock
	[ "$(kt_backends "application_name = 't_feed_bulk_B' AND wait_event_type = 'Lock'")" = 1 ]
}
sess A
sess B
sess L
send A "SET lock_timeout = '60s';"
send B "SET lock_timeout = '60s';"

kt_ok sch11 sync
N=$(last_seq "$S11")

# --- two bulk statements on one feed, committing in the opposite order of their start -------
send L "LISTEN karta_feed; SELECT 'listening';"
expect L listening
send B "BEGIN; SELECT 'b-began';"
expect B b-began
send A "BEGIN; $(rows_sql "$S11" 1 300 A); SELECT 'a-wrote';"
expect A a-wrote
send B "$(rows_sql "$S11" 1 300 B); SELECT 'b-wrote';"
kt_wait_until 30 b_waits || kt_fail "B's statement does not wait for the feed A holds"
kt_assert_eq "$(gap_free "$S11")" "$N|$N|$N" "a reader while A and B are open"
kt_ok sch11 sync
kt_assert_eq "$(replica_participants)" "" "sch11's replica while A and B are open"

send A "COMMIT; SELECT 'a-committed';"
expect A a-committed
expect B b-wrote
kt_assert_eq "$(gap_free "$S11")" "$((N + 300))|$((N + 300))|$((N + 300))" "a reader after A's commit"
kt_ok sch11 sync
kt_assert_eq "$(replica_participants | grep -c .)" 300 "sch11's replica after A's commit"
kt_assert_eq "$(kt_psql "SELECT count(*) FROM change_log l JOIN participant p ON p.id = l.entity_id
	WHERE l.feed_id = $S11 AND l.seq > $N AND p.surname = 'A'")" 300 "A's rows in the feed"

send B "COMMIT; SELECT 'b-committed';"
expect B b-committed
kt_assert_eq "$(gap_free "$S11")" "$((N + 600))|$((N + 600))|$((N + 600))" "a reader after B's commit"
# each statement's rows are one run of seqs, in the order the statement wrote them
kt_assert_eq "$(kt_psql "SELECT t, min(seq), max(seq), bool_and(seq - mn = num - 1)
	FROM (SELECT p.surname AS t, l.seq, substr(p.doc_number, 2)::int AS num,
	             min(l.seq) OVER (PARTITION BY p.surname) AS mn
	      FROM change_log l JOIN participant p ON p.id = l.entity_id
	      WHERE l.feed_id = $S11 AND l.seq > $N) x GROUP BY t ORDER BY 2")" \
	"A|$((N + 1))|$((N + 300))|t
B|$((N + 301))|$((N + 600))|t" "seqs per statement: A's run, then B's, each in its order"
kt_ok sch11 sync
kt_assert_replica_eq sch11 "sch11's replica after B's commit"
kt_assert_eq "$(replica_participants | grep -c .)" 600 "participants in sch11's replica"

send L "SELECT 'mark'; SELECT 'mark2';" # notifications print after the result they came with
expect L mark2
kt_assert_eq "$(grep -o "payload \"$S11:[0-9]*\"" "$KT_WORK/L.out")" "payload \"$S11:$((N + 300))\"
payload \"$S11:$((N + 600))\"" "notifications of sch11's feed: one per statement"

# --- a bulk soft delete; an update that changes nothing ---------------------------------------
M=$(last_seq "$S11")
kt_psql "UPDATE participant SET deleted_at = now(), row_version = row_version + 1
	WHERE org_id = $S11 AND surname = 'A' AND doc_number <= 'A000100'" >/dev/null
kt_assert_eq "$(kt_psql "SELECT count(*), min(seq), max(seq), bool_and(op = 'delete'),
		bool_and(changed_fields = '{deleted_at}'), bool_and(payload->>'deleted_at' IS NOT NULL)
	FROM change_log WHERE feed_id = $S11 AND seq > $M")" "100|$((M + 1))|$((M + 100))|t|t|t" \
	"a soft delete of 100 rows"
kt_psql "UPDATE participant SET surname = surname WHERE org_id = $S11" >/dev/null
kt_assert_eq "$(last_seq "$S11")" "$((M + 100))" "an update that changed nothing appended nothing"
kt_assert_eq "$(gap_free "$S11")" "$((M + 100))|$((M + 100))|$((M + 100))" "gap-free after the updates"
kt_ok sch11 sync
kt_assert_replica_eq sch11 "sch11's replica after the soft delete"

# --- two feeds, rows in opposite orders: no deadlock -------------------------------------------
# A holds sch11's feed (the lower id); B's statement writes sch12's rows first, then sch11's:
# with feeds locked in row order it would hold sch12's feed and wait for A, and A's next
# statement on sch12 would wait for B — a deadlock. Locked in org_id order, B waits for
# sch11's feed first, holding none, and A goes on.
[ "$S11" -lt "$S12" ] || kt_fail "expected sch11 ($S11) to have a lower id than sch12 ($S12)"
P11=$(last_seq "$S11") P12=$(last_seq "$S12")
send A "BEGIN; $(rows_sql "$S11" 301 350 C); SELECT 'a-holds';"
expect A a-holds
send B "BEGIN; $(rows_sql "$S12" 1 50 D "$S11" 351 400 E); SELECT 'b-done';"
kt_wait_until 30 b_waits || kt_fail "B does not wait for sch11's feed"
send A "$(rows_sql "$S12" 51 100 F); COMMIT; SELECT 'a-committed-2';"
expect A a-committed-2
expect B b-done
send B "COMMIT; SELECT 'b-committed-2';"
expect B b-committed-2
kt_assert_eq "$(gap_free "$S11")|$(gap_free "$S12")" \
	"$((P11 + 100))|$((P11 + 100))|$((P11 + 100))|$((P12 + 100))|$((P12 + 100))|$((P12 + 100))" \
	"both feeds gap-free after the two-feed statements"
kt_assert_eq "$(kt_psql "SELECT string_agg(t || mn, ',' ORDER BY mn)
	FROM (SELECT p.surname AS t, min(l.seq) AS mn FROM change_log l
	      JOIN participant p ON p.id = l.entity_id WHERE l.feed_id = $S12 AND l.seq > $P12
	      GROUP BY 1) x")" "F$((P12 + 1)),D$((P12 + 51))" \
	"sch12's feed: A's rows (committed first) before B's"
for s in A B L; do
	send $s '\q'
	exec {SESS[$s]}>&-
done
# --- distribution and seating: references checked per statement (no foreign keys) ------------
REG=$(org_id reg) MUN1=$(org_id mun1)
kt_psql "INSERT INTO exam(id, org_id, subject_code, subject_name, form, gia, exam_date)
	VALUES (md5('exam')::uuid, $REG, 2, 'Математика', 1, 11, date '2026-06-01');
INSERT INTO exam_point(id, org_id, region_id, code, name, address, capacity, forms)
	VALUES (md5('point')::uuid, $MUN1, $REG, '0101', 'ППЭ 0101', 'ул. Школьная, 1', 100, 1);
INSERT INTO auditorium(id, org_id, point_id, code, name, rows, seats_per_row)
	VALUES (md5('aud')::uuid, $MUN1, md5('point')::uuid, '0001', 'Кабинет 1', 5, 4)" >/dev/null
# dist_sql PARTICIPANT POINT: a distribution of 50 participants of sch11 (the last one's id and
# the point as given); seat_sql AUDITORIUM: their seats
dist_sql() {
	echo "INSERT INTO distribution(org_id, exam_id, participant_id, point_id)
	SELECT $MUN1, md5('exam')::uuid, CASE WHEN g < 50 THEN md5('B:' || g)::uuid ELSE '$1' END, '$2'
	FROM generate_series(1, 50) g"
}
seat_sql() {
	echo "INSERT INTO seating(org_id, exam_id, participant_id, point_id, auditorium_id, seat_row, seat)
	SELECT $MUN1, md5('exam')::uuid, md5('B:' || g)::uuid, md5('point')::uuid,
		CASE WHEN g < 20 THEN md5('aud')::uuid ELSE '$1' END, (g - 1) / 4 + 1, (g - 1) % 4 + 1
	FROM generate_series(1, 20) g"
}
Q11=$(last_seq "$MUN1")
NOONE=$(kt_uuid)
for bad in "participant_id $NOONE|$(dist_sql "$NOONE" "$(kt_psql "SELECT md5('point')::uuid")")" \
	"point_id $NOONE|$(dist_sql "$(kt_psql "SELECT md5('B:50')::uuid")" "$NOONE")" \
	"auditorium_id $NOONE|$(seat_sql "$NOONE")"; do
	kt_run psql -XAtq -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$KT_CONNINFO" -c "${bad#*|}"
	kt_assert_rc 1 "a statement with one missing reference (${bad%%|*})"
	kt_assert_contains "$KT_OUT$KT_ERR" "23503" "SQLSTATE foreign_key_violation (${bad%%|*})"
	kt_assert_contains "$KT_OUT$KT_ERR" "${bad%%|*} is not present" "the missing reference named"
done
kt_assert_eq "$(kt_psql "SELECT (SELECT count(*) FROM distribution) + (SELECT count(*) FROM seating)")|$(last_seq "$MUN1")" \
	"0|$Q11" "nothing written, nothing appended by the refused statements"
kt_psql "$(dist_sql "$(kt_psql "SELECT md5('B:50')::uuid")" "$(kt_psql "SELECT md5('point')::uuid")");
	$(seat_sql "$(kt_psql "SELECT md5('aud')::uuid")")" >/dev/null
kt_assert_eq "$(kt_psql "SELECT (SELECT count(*) FROM distribution) + (SELECT count(*) FROM seating)")|$(gap_free "$MUN1")" \
	"70|$((Q11 + 70))|$((Q11 + 70))|$((Q11 + 70))" "valid distribution and seating, in mun1's feed"
kt_psql "UPDATE seating SET deleted_at = now(), row_version = row_version + 1 WHERE seat_row = 1" >/dev/null
kt_run psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -c "UPDATE seating SET auditorium_id = '$NOONE'
	WHERE seat_row = 2"
kt_assert_rc 1 "an update to a missing auditorium"
kt_assert_contains "$KT_ERR" "auditorium_id $NOONE is not present" "the update refused"
kt_assert_eq "$(gap_free "$MUN1")" "$((Q11 + 74))|$((Q11 + 74))|$((Q11 + 74))" \
	"4 soft deletes appended, the refused update nothing"
kt_ok sch11 sync
kt_assert_replica_eq sch11 "sch11's replica at the end"

# --- karta_feed_take_n (30_feeds.sql) on its own: the bases and counters of several feeds, one
# notification naming them; a feed missing or NULL refused, nothing taken ---------------------
B11=$(last_seq "$S11") B12=$(last_seq "$S12") BM=$(last_seq "$MUN1")
FS=$(kt_psql "SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY[$S11, $S12, $MUN1]::bigint[]) x")
NS=$(kt_psql "SELECT array_agg(CASE x WHEN $S11 THEN 3 WHEN $S12 THEN 1 ELSE 2 END ORDER BY x)
	FROM unnest('$FS'::bigint[]) x")
took=$(psql -X "$KT_CONNINFO" -c "LISTEN karta_feed" -At -c "SELECT feed_id || '=' || base
	FROM karta_feed_take_n('$FS', '$NS') ORDER BY feed_id" -c "SELECT 'end'" 2>&1)
want=$(kt_psql "SELECT string_agg(x || '=' || CASE x WHEN $S11 THEN $B11 WHEN $S12 THEN $B12 ELSE $BM END,
	E'\n' ORDER BY x) FROM unnest('$FS'::bigint[]) x")
kt_assert_eq "$(grep -c = <<<"$want")" 3 "three feeds asked for: $want"
kt_assert_contains "$took" "$want" "karta_feed_take_n: each feed's base is its last seq before"
kt_assert_contains "$took" "payload \"$(kt_psql "SELECT string_agg(x || ':' || CASE x WHEN $S11 THEN $B11 + 3
	WHEN $S12 THEN $B12 + 1 ELSE $BM + 2 END, ',' ORDER BY x) FROM unnest('$FS'::bigint[]) x")\"" \
	"one notification naming the three feeds at their new last seqs"
kt_assert_eq "$(last_seq "$S11")|$(last_seq "$S12")|$(last_seq "$MUN1")" "$((B11 + 3))|$((B12 + 1))|$((BM + 2))" \
	"the counters raised by each feed's number"
kt_psql "UPDATE feed SET last_seq = CASE org_id WHEN $S11 THEN $B11 WHEN $S12 THEN $B12 ELSE $BM END
	WHERE org_id IN ($S11, $S12, $MUN1)" >/dev/null # back: no change_log rows were written
for bad in "ARRAY[$S11, 999999999]::bigint[]|organization 999999999 has no feed" \
	"ARRAY[$S11, NULL]::bigint[]|organization NULL has no feed" \
	"ARRAY[999999999]::bigint[]|organization 999999999 has no feed"; do
	kt_run psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -c "SELECT * FROM karta_feed_take_n(${bad%%|*},
		array_fill(1::bigint, ARRAY[cardinality(${bad%%|*})]))"
	kt_assert_rc 1 "karta_feed_take_n(${bad%%|*})"
	kt_assert_contains "$KT_ERR" "${bad#*|}" "the missing feed named"
done
kt_assert_eq "$(last_seq "$S11")" "$B11" "nothing taken by the refused calls"
kt_pass
