#!/usr/bin/env bash
# t_schema: kartad runs only on exactly the schema it was built for. An unmigrated database
# and one migrated by a newer binary are refused at start-up; migrate is idempotent and
# records one schema_migrations row per sql/NNNN_*.sql file.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

kt_setup t_schema

# 1. A database where migrate never ran.
kt_kartad_refuses empty "$(kt_createdb t_schema_empty)"

# 2. The migrated test database: kartad starts (control for the refusals).
kt_start_kartad
kt_stop_kartad

# 3. schema_migrations: one row per sql/NNNN_*.sql, same versions.
files=()
for f in "$KT_SRC"/sql/[0-9][0-9][0-9][0-9]_*.sql; do
	[ -e "$f" ] && files+=("$f")
done
[ "${#files[@]}" -gt 0 ] || kt_fail "no migrations in $KT_SRC/sql"
want=$(for f in "${files[@]}"; do b=$(basename "$f"); echo $((10#${b:0:4})); done | sort -n)
got=$(kt_psql "SELECT version FROM schema_migrations ORDER BY version")
kt_assert_eq "$want" "$got" "schema_migrations versions (one per sql/NNNN_*.sql)"
names=$(kt_psql "SELECT count(*) FROM schema_migrations WHERE name IS NOT NULL AND name <> ''
	AND applied_at IS NOT NULL")
kt_assert_eq "${#files[@]}" "$names" "schema_migrations rows with a name and applied_at"

# 4. migrate again: a no-op that says so.
snapshot=$(kt_psql "SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
kt_run kt_admin migrate
kt_assert_rc 0 "second karta-admin migrate"
KT_ICASE=1 kt_assert_match "$KT_OUT$KT_ERR" 'up[ -]to[ -]date|nothing to (do|apply)|already (at|applied|current)|no (new|pending) migrations' \
	"second karta-admin migrate"
kt_assert_eq "$snapshot" "$(kt_psql "SELECT version, name, applied_at FROM schema_migrations ORDER BY version")" \
	"schema_migrations after a second migrate"

# 5. KARTA_DB is the default for --db.
kt_run env KARTA_DB="$KT_CONNINFO" timeout 60 "$KT_ADMIN" migrate
kt_assert_rc 0 "KARTA_DB=… karta-admin migrate"

# 6. A database migrated by a newer binary (a version this one does not know).
future=$(kt_createdb t_schema_future)
timeout 60 "$KT_ADMIN" --db "$future" migrate >/dev/null
next=$(($(psql -XAtq "$future" -c "SELECT max(version) FROM schema_migrations") + 1))
psql -XAtq -v ON_ERROR_STOP=1 "$future" \
	-c "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($next, '${next}_from_the_future.sql', now())"
kt_kartad_refuses future "$future"

kt_pass
