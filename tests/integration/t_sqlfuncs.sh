#!/usr/bin/env bash
# t_sqlfuncs: every function, view and trigger lives in sql/functions/, and karta-admin migrate
# re-applies those files after the migrations (sql/functions/README). A database made by
# main's migrations as they were at schema 24 (every function defined, and redefined, in its
# migration) upgrades to exactly what a fresh database gets; kartad refuses a database whose
# functions, views or triggers were changed by hand or come from another build, and migrate
# restores them.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_sqlfuncs
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
fresh=$KT_CONNINFO

# defs CONNINFO: what karta defines, one object a block, sorted: each function's
# pg_get_functiondef, each view's pg_get_viewdef, each trigger's pg_get_triggerdef and
# enabled state, each op kind and its function.
defs() {
	psql -XAtq -v ON_ERROR_STOP=1 "$1" <<-'SQL'
		SELECT d FROM (
			SELECT pg_get_functiondef(p.oid) AS d FROM pg_proc p
			WHERE p.pronamespace = current_schema()::regnamespace AND p.prokind IN ('f', 'p')
			UNION ALL SELECT 'VIEW ' || c.relname || ' AS ' || pg_get_viewdef(c.oid)
			FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'v'
			UNION ALL SELECT pg_get_triggerdef(t.oid) || ' ENABLED ' || t.tgenabled::text
			FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
			UNION ALL SELECT 'OP KIND ' || kind || ' ' || fn::text FROM op_kind) x
		ORDER BY d
	SQL
}

# same WHAT A B: the two texts are equal, else the start of their diff.
same() {
	diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") >"$KT_WORK/diff.txt" ||
		kt_fail "$1 differ: $(head -n 40 "$KT_WORK/diff.txt")"
	kt_log "$1: the same ($(printf '%s\n' "$2" | wc -l) lines)"
}

# the whole schema (tables, constraints, indexes, functions, triggers), as pg_dump writes it
schema() { "$PG_BIN/pg_dump" -s -d "$1" | grep -v '^\\\(un\)\{0,1\}restrict '; }

want=$(defs "$fresh")
kt_assert_match "$(grep -c '^CREATE OR REPLACE FUNCTION' <<<"$want")" '^[1-9][0-9][0-9]$' \
	"functions of the fresh database (more than 100)"
kt_assert_match "$(grep -c '^CREATE TRIGGER' <<<"$want")" '^[1-9][0-9]$' \
	"triggers of the fresh database (more than 10)"
kt_assert_match "$want" '^VIEW karta_feed_rows AS' "views of the fresh database"

# --- 1. main's database at schema 24, upgraded ------------------------------------------------
kt_old_sql "$KT_WORK/old"
old=$(kt_createdb t_sqlfuncs_old)
kt_psql_migrations "$old" "$KT_WORK"/old/sql/[0-9][0-9][0-9][0-9]_*.sql
kt_assert_eq 24 "$(psql -XAtq "$old" -c 'SELECT max(version) FROM schema_migrations')" \
	"main's migrations applied by psql"
kt_kartad_refuses "schema-24 (functions never installed)" "$old"
kt_run timeout 60 "$KT_ADMIN" --db "$old" migrate
kt_assert_rc 0 "karta-admin migrate on main's schema-24 database"
kt_assert_match "$KT_OUT" 'applied the function files' "karta-admin migrate on the schema-24 database"
same "functions, views, triggers and op kinds (upgraded vs fresh)" "$want" "$(defs "$old")"
same "pg_dump -s (upgraded vs fresh)" "$(schema "$fresh")" "$(schema "$old")"
kt_start_kartad --db "$old"
kt_stop_kartad

# --- 2. changed by hand: refused, then restored by migrate --------------------------------------
# tamper WHAT SQL MESSAGE: SQL changes the fresh database; kartad refuses it saying MESSAGE;
# karta-admin status fails; migrate restores exactly the build's definitions.
tamper() {
	local what=$1 sql=$2 msg=$3
	psql -XAtq -v ON_ERROR_STOP=1 "$fresh" -c "$sql" >/dev/null
	kt_kartad_refuses "$what" "$fresh"
	kt_assert_match "$(cat "$KT_WORK/refuse-$what.log")" "$msg" "kartad's reason ($what)"
	kt_run timeout 60 "$KT_ADMIN" --db "$fresh" status
	kt_assert_rc 1 "karta-admin status ($what)"
	kt_run timeout 60 "$KT_ADMIN" --db "$fresh" migrate
	kt_assert_rc 0 "karta-admin migrate ($what)"
	kt_assert_match "$KT_OUT" 'applied the function files' "karta-admin migrate ($what)"
	same "definitions restored ($what)" "$want" "$(defs "$fresh")"
	kt_run timeout 60 "$KT_ADMIN" --db "$fresh" migrate
	kt_assert_match "$KT_OUT" 'up to date' "a second migrate ($what)"
}
by_hand='changed outside .karta-admin migrate'
tamper function-body "CREATE OR REPLACE FUNCTION karta_plan_entity(p_type text) RETURNS boolean
	LANGUAGE sql IMMUTABLE AS \$\$ SELECT true \$\$" "$by_hand"
tamper trigger-dropped "DROP TRIGGER participant_feed_insert ON participant" "$by_hand"
tamper trigger-disabled "ALTER TABLE plan DISABLE TRIGGER plan_feed_update" "$by_hand"
tamper view-dropped "DROP VIEW karta_feed_rows" "$by_hand"
tamper function-added "CREATE FUNCTION karta_by_hand() RETURNS int LANGUAGE sql AS 'SELECT 1'" "$by_hand"
tamper other-build "UPDATE schema_functions SET files_hash = 'from another build'" 'another build'
tamper not-installed "DELETE FROM schema_functions" 'not installed'

# --- 3. the entity types: one list (karta_entity_types, 05_common) -------------------------------
# Until they move onto it, the feed triggers (30_feeds), karta_plan_entity and the registry's
# type and level (51_registry) keep copies: each must say what the list says, for every table.
entity_copies=$(psql -XAtq -v ON_ERROR_STOP=1 "$fresh" <<-'SQL'
	WITH e AS (SELECT * FROM karta_entity_types()),
	t AS (SELECT c.oid, c.relname::text AS name FROM pg_class c
	      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'),
	feeds AS (SELECT tg.tgrelid, string_agg(tg.tgname || '(' || encode(tg.tgargs, 'escape') || ')', ' '
	                 ORDER BY tg.tgname) AS trig
	          FROM pg_trigger tg WHERE tg.tgfoid = 'karta_feed_stmt'::regproc GROUP BY tg.tgrelid)
	SELECT coalesce(t.name, e.entity_type) || ': ' || concat_ws(', ',
		CASE WHEN t.name IS NULL THEN 'no such table' END,
		CASE WHEN karta_plan_entity(t.name) IS DISTINCT FROM coalesce(e.shared, false)
			THEN 'karta_plan_entity' END,
		CASE WHEN coalesce(karta_registry_type(t.name), false) <> (e.registry_level IS NOT NULL)
			THEN 'karta_registry_type' END,
		CASE WHEN karta_registry_level(t.name) IS DISTINCT FROM e.registry_level
			THEN 'karta_registry_level' END,
		CASE WHEN f.trig IS DISTINCT FROM (SELECT string_agg(e.entity_type || '_feed_' || op || '('
			|| concat_ws('\000', e.entity_type, e.feed, e.device, e.soft) || '\000)', ' ' ORDER BY op)
			FROM unnest(array['insert', 'update']) op WHERE e.entity_type IS NOT NULL)
			THEN 'feed triggers ' || coalesce(f.trig, 'none') END)
	FROM t FULL JOIN e ON e.entity_type = t.name LEFT JOIN feeds f ON f.tgrelid = t.oid
	WHERE t.name IS NULL OR karta_plan_entity(t.name) IS DISTINCT FROM coalesce(e.shared, false)
	   OR coalesce(karta_registry_type(t.name), false) <> (e.registry_level IS NOT NULL)
	   OR karta_registry_level(t.name) IS DISTINCT FROM e.registry_level
	   OR f.trig IS DISTINCT FROM (SELECT string_agg(e.entity_type || '_feed_' || op || '('
			|| concat_ws('\000', e.entity_type, e.feed, e.device, e.soft) || '\000)', ' ' ORDER BY op)
			FROM unnest(array['insert', 'update']) op WHERE e.entity_type IS NOT NULL)
	ORDER BY 1
SQL
)
kt_assert_eq '' "$entity_copies" "copies of the entity types that differ from karta_entity_types"
kt_assert_eq 22 "$(psql -XAtq "$fresh" -c "SELECT cardinality(karta_entity_list('synced'))")" \
	"synced entity types"
# the client's list (REPLICA_KINDS in client/local/replica.h: the replica's kinds, in order)
client_kinds=$(sed -n '/^#define REPLICA_KINDS(X)/,/^#define REPLICA_KIND_ENUM/p' \
	"$KT_SRC/client/local/replica.h" | grep -o '"[a-z_]*"' | tr -d '"' | paste -sd ' ')
kt_assert_eq "$(psql -XAtq "$fresh" -c "SELECT array_to_string(karta_entity_list('synced'), ' ')")" \
	"$client_kinds" "the client's replica kinds (REPLICA_KINDS) against karta_entity_types"
kt_log "entity types: the feed triggers, karta_plan_entity and the registry's types agree with karta_entity_types"

# helpers that replaced repeated code answer as the code they replaced: the evidence check
# names the first wrong key in jsonb's key order (shorter keys first), as its key loops did
ev() { psql -XAtq "$fresh" -c "SELECT coalesce(karta_evidence_check('$1'::jsonb), 'valid')"; }
kt_assert_eq 'unknown evidence field zz (document, attachment, count, records)' \
	"$(ev '{"document": {}, "zz": 1}')" "an unknown evidence field"
kt_assert_eq 'document date must be text of at most 1000 characters' \
	"$(ev '{"document": {"zzzzzz": "x", "date": 5}}')" "a bad document field before an unknown one"
kt_assert_eq 'unknown document field zz (kind, number, date, title)' \
	"$(ev '{"document": {"kind": 5, "zz": "x"}}')" "an unknown document field before a bad one"
kt_assert_eq valid "$(ev '{"document": {"title": "t", "number": null}, "count": 2}')" "valid evidence"
kt_assert_eq 'the section is not in this plan' "$(psql -XAtq "$fresh" -c \
	"SELECT karta_item_place_refusal(gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), NULL)")" \
	"an item placed in another plan's section"
kt_log "helpers: the evidence check and the item placement answer as the code they replaced"

kt_start_kartad
kt_stop_kartad
kt_pass
