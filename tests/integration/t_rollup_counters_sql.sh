#!/usr/bin/env bash
# t_rollup_counters_sql: the roll-up's counters (sql/0028_rollup_counters.sql) equal a count
# from scratch after a mix of concurrent writes. Needs only PostgreSQL.
#
# A region of 3 municipalities × 3 schools gets bench/rollup_gen.sql's plans, items, statuses
# and requests with the triggers on (bulk INSERT … SELECT: an import through the counters'
# statement trigger). Then four sessions write at once, in transactions of several
# statements, for a few seconds: statuses changed (the history trigger moves item_rollup's
# status), items soft-deleted and restored, deadlines moved, items added in bulk and
# hard-deleted again — while a fifth moves the counters' base day back and forth
# (karta_rollup_rebase). Before and after: every plan's counters equal the count of its
# item_rollup rows as of the base day; the roll-up's counts as of today and other days equal
# the scan's (karta_rollup_counts_scan); the overdue list as of today (read from
# item_rollup_open) names exactly the overdue pairs of karta_rollup_pairs; and an item
# dated in the future sends the roll-up back to the scan (karta_rollup_counted).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup_sql t_rollup_counters_sql

kt_psql "INSERT INTO organization(code, name, level) VALUES ('reg', 'Область', 'region');
	INSERT INTO organization(code, name, level, parent_id)
	SELECT 'mun' || m, 'Округ ' || m, 'municipality', (SELECT id FROM organization WHERE code = 'reg')
	FROM generate_series(1, 3) m;
	INSERT INTO organization(code, name, level, parent_id)
	SELECT 'sch' || s, 'Школа ' || s, 'school', (SELECT id FROM organization WHERE code = 'mun' || (1 + (s - 1) % 3))
	FROM generate_series(1, 9) s;
	INSERT INTO device(fingerprint, org_id, role)
	SELECT encode(sha256(convert_to(code, 'UTF8')), 'hex'), id, 'coordinator' FROM organization WHERE code = 'reg'"
psql -XAtq -v ON_ERROR_STOP=1 "$KT_CONNINFO" -c "SELECT setseed(0.17)" \
	-f "$KT_SRC/bench/rollup_gen.sql" >/dev/null || kt_fail "bench/rollup_gen.sql failed"
REG=$(kt_psql "SELECT d.id FROM device d JOIN organization o ON o.id = d.org_id WHERE o.code = 'reg'")
kt_log "generated"
n=$(kt_psql "SELECT count(*) FROM item_rollup")
[ "$n" -gt 3000 ] || kt_fail "the generated region has $n item_rollup rows"

# check WHEN: the counters against a count from scratch, the roll-up against the scan, the
# overdue list against the pairs.
check() {
	local diff
	diff=$(kt_psql "
	WITH b AS (SELECT day FROM rollup_base),
	scratch AS (
		SELECT r.plan_id, count(*) AS items, count(*) FILTER (WHERE r.dated_last <= b.day) AS due,
			count(*) FILTER (WHERE r.st = 'done') AS done,
			count(*) FILTER (WHERE r.dated_last < b.day AND r.st IS DISTINCT FROM 'done'
			                 AND r.st IS DISTINCT FROM 'not_applicable') AS overdue,
			count(*) FILTER (WHERE r.dated_last <= b.day AND r.st IS NULL) AS not_reported,
			count(*) FILTER (WHERE r.st = 'in_progress') AS in_progress,
			count(*) FILTER (WHERE r.st = 'blocked') AS blocked,
			count(*) FILTER (WHERE r.st = 'not_applicable') AS not_applicable
		FROM item_rollup r, b WHERE r.deleted_at IS NULL GROUP BY r.plan_id),
	kept AS (SELECT plan_id, items, due, done, overdue, not_reported, in_progress, blocked,
		not_applicable FROM rollup_count WHERE items <> 0 OR due <> 0 OR done <> 0 OR overdue <> 0
		OR not_reported <> 0 OR in_progress <> 0 OR blocked <> 0 OR not_applicable <> 0)
	SELECT count(*) FROM ((SELECT * FROM scratch EXCEPT SELECT * FROM kept)
		UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM scratch)) x")
	kt_assert_eq 0 "$diff" "$1: plans whose counters differ from a count from scratch"
	local k
	for k in 0 -40 9 75; do
		diff=$(kt_psql "
		WITH a AS (SELECT array_agg(id) AS orgs FROM organization),
		f AS (SELECT x.* FROM a, karta_rollup_counts(a.orgs, current_date + $k, (current_date + 1)::timestamptz, NULL) x),
		s AS (SELECT x.* FROM a, karta_rollup_counts_scan(a.orgs, current_date + $k, (current_date + 1)::timestamptz, NULL) x)
		SELECT count(*) FROM ((SELECT * FROM f EXCEPT SELECT * FROM s) UNION ALL (SELECT * FROM s EXCEPT SELECT * FROM f)) y")
		kt_assert_eq 0 "$diff" "$1: roll-up counts as of today $k days, counters against the scan"
	done
	diff=$(kt_psql "
	WITH a AS (SELECT array_agg(id) AS orgs FROM organization),
	l AS (SELECT o.id, o.org FROM karta_overdue($REG, current_date) o WHERE o.kind = 'item'),
	p AS (SELECT pr.item_id AS id, o.code AS org FROM a,
		karta_rollup_pairs(a.orgs, current_date, (current_date + 1)::timestamptz, NULL) pr
		JOIN organization o ON o.id = pr.org_id
		WHERE pr.late AND pr.st IS DISTINCT FROM 'done' AND pr.st IS DISTINCT FROM 'not_applicable')
	SELECT (SELECT count(*) FROM l) || ' ' || (SELECT count(*) FROM ((SELECT * FROM l EXCEPT SELECT * FROM p)
		UNION ALL (SELECT * FROM p EXCEPT SELECT * FROM l)) y)")
	[ "${diff% *}" -gt 0 ] || kt_fail "$1: the overdue list is empty"
	kt_assert_eq 0 "${diff#* }" "$1: overdue items differing from the pairs'"
	kt_log "$1: counters exact (${diff% *} overdue items)"
}
check "after the import"

# ---- concurrent writes -------------------------------------------------------------------
# worker N: transactions of 2-4 statements, each a random kind of write; errors that
# concurrency may cause (deadlock, serialization) roll their transaction back and count.
worker() {
	local w=$1 i
	{
		echo "SELECT setseed(0.$w);"
		for ((i = 0; i < 6; i++)); do
			echo "BEGIN;"
			echo "UPDATE item_status s SET status = (ARRAY['not_started', 'in_progress', 'done',
				'not_applicable', 'blocked'])[1 + floor(random() * 5)::int], row_version = s.row_version + 1,
				updated_at = now() WHERE s.id IN (SELECT id FROM item_status ORDER BY random() LIMIT 25);"
			echo "UPDATE plan_item i SET deleted_at = CASE WHEN i.deleted_at IS NULL THEN now() END,
				row_version = i.row_version + 1
				WHERE i.id IN (SELECT id FROM plan_item WHERE NOT reference_only ORDER BY random() LIMIT 8);"
			echo "UPDATE plan_item i SET deadline_last = i.deadline_last + (floor(random() * 21) - 10)::int,
				row_version = i.row_version + 1
				WHERE i.id IN (SELECT id FROM plan_item WHERE deadline_last IS NOT NULL ORDER BY random() LIMIT 8);"
			echo "INSERT INTO plan_item(id, plan_id, section_id, ordinal, number, title, deadline_text,
				deadline, deadline_kind, deadline_last, responsible_text, responsible, derived_from)
			SELECT md5('t:$w:$i:' || i.id)::uuid, i.plan_id, i.section_id, i.ordinal + 100, i.number || '.$w',
				i.title, i.deadline_text, i.deadline, i.deadline_kind, i.deadline_last, i.responsible_text,
				i.responsible, i.derived_from
			FROM plan_item i WHERE i.plan_id = (SELECT plan_id FROM plan_item WHERE NOT reference_only
				ORDER BY random() LIMIT 1) AND NOT i.reference_only AND i.number NOT LIKE '%.%.%' LIMIT 40;"
			[ $((i % 3)) = 2 ] && echo "CREATE TEMP TABLE IF NOT EXISTS gone (id uuid);
				INSERT INTO gone SELECT md5('t:$w:$((i - 1)):' || x.id)::uuid FROM plan_item x;
				DELETE FROM item_change WHERE item_id IN (SELECT id FROM gone);
				DELETE FROM plan_item WHERE id IN (SELECT id FROM gone); TRUNCATE gone;"
			echo "COMMIT;"
			echo "SELECT pg_sleep(0.05);"
		done
	} | psql -Xq "$KT_CONNINFO" >"$KT_WORK/worker$w.out" 2>&1
}
rebaser() {
	local i
	for ((i = 0; i < 12; i++)); do
		# the lock taken first, waiting as long as it takes (the rebase alone gives up after
		# 200 ms, which a loaded machine's overlapping writers may always exceed)
		echo "BEGIN; SELECT pg_advisory_xact_lock(karta_rollup_lock_key()) IS NULL;
			SELECT karta_rollup_rebase(current_date + (floor(random() * 31) - 15)::int); COMMIT;"
		echo "SELECT pg_sleep(0.1);"
	done | psql -XAtq "$KT_CONNINFO" >"$KT_WORK/rebaser.out" 2>&1
}
pids=()
for w in 1 2 3 4; do
	worker $w &
	pids+=($!)
done
rebaser &
pids+=($!)
for p in "${pids[@]}"; do wait "$p" || true; done
moved=$(grep -c '^t$' "$KT_WORK/rebaser.out" || true)
[ "$moved" -gt 0 ] || kt_fail "the base never moved while the workers wrote: $(head -c 400 "$KT_WORK/rebaser.out")"
errors=$(cat "$KT_WORK"/worker*.out | grep '^ERROR' || true)
# (item_status_history_check: two transactions writing one status, the later-started one
# committing first, make a version end before it began — 0007's history trigger, not the
# counters; such a transaction rolls back like a deadlock)
benign=(-e 'deadlock detected' -e 'could not serialize' -e 'current transaction is aborted'
	-e 'violates check constraint "item_status_history_check"')
if grep -v "${benign[@]}" <<<"$errors" | grep -q .; then
	kt_fail "a worker's write failed: $(grep -v "${benign[@]}" <<<"$errors" | head -n 3)"
fi
kt_log "concurrent phase: base moved $moved times; $(grep -c '^ERROR' <<<"$errors" || true) transactions rolled back ($(grep -c 'deadlock detected' <<<"$errors" || true) deadlocks)"
kt_psql "SELECT count(*) FROM plan_item WHERE number LIKE '%.%.%'" | grep -qv '^0$' ||
	kt_fail "no worker's bulk insert committed"
check "after concurrent writes, deletes, imports and rebases"

# the first roll-up of a day moves the base to today (karta_rollup_scope)
kt_psql "SELECT karta_rollup_rebase(current_date - 3)" >/dev/null
kt_psql "SELECT count(*) FROM karta_rollup($REG, NULL, 'municipality')" >/dev/null
kt_assert_eq "$(kt_psql "SELECT current_date")" "$(kt_psql "SELECT day FROM rollup_base")" \
	"the base day after a roll-up"
check "after the roll-up moved the base"

# sql/0028's fill (karta_rollup_count_sql → karta_rollup_count_add) counts the same from empty
kt_psql "DELETE FROM rollup_count;
	DO \$\$ BEGIN EXECUTE karta_rollup_count_sql('SELECT 1, plan_id, dated_last, st, created_at,
		st_from, deleted_at FROM item_rollup') USING (SELECT day FROM rollup_base); END \$\$" >/dev/null
kt_assert_eq "$(kt_psql "SELECT count(*) FROM item_rollup WHERE deleted_at IS NULL")" \
	"$(kt_psql "SELECT sum(items) FROM rollup_count")" "items counted by the migration's fill"
check "after the migration's fill from empty"

# an item created in the future: the counters are not the roll-up as of today any more
kt_assert_eq t "$(kt_psql "SELECT karta_rollup_counted(array_agg(id), (current_date + 1)::timestamptz) FROM organization")" \
	"counters usable before"
kt_psql "UPDATE plan_item SET created_at = now() + interval '2 days', row_version = row_version + 1
	WHERE id = (SELECT id FROM plan_item WHERE NOT reference_only AND deleted_at IS NULL LIMIT 1)"
kt_assert_eq f "$(kt_psql "SELECT karta_rollup_counted(array_agg(id), (current_date + 1)::timestamptz) FROM organization")" \
	"counters usable with an item created after the day"
check "with an item created after today (the scan)"
kt_pass
