/* sqlfuncs: the function files sql/functions/<domain>.sql, embedded (kt_migrations.h), applied to a
 * database the way Flyway applies repeatable migrations: every function, view and trigger of
 * karta is defined there once, and `karta-admin migrate` re-applies the whole set in one
 * transaction after the numbered migrations (sql/functions/README). The database keeps in
 * schema_functions the hash of the files it got and a digest of the definitions they made
 * (pg_get_functiondef, pg_get_viewdef, pg_get_triggerdef), so kartad refuses a database whose
 * functions are another build's or were changed by hand. */
#include "kt_migrations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything karta defines in its schema, one text per object, in a stable order: functions
 * (not an extension's), views, triggers with their enabled state. */
#define DEFS_SQL                                                                                   \
	"SELECT pg_get_functiondef(p.oid) AS d FROM pg_proc p"                                     \
	" WHERE p.pronamespace = current_schema()::regnamespace AND p.prokind IN ('f', 'p')"       \
	" AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass"         \
	"  AND e.objid = p.oid AND e.deptype = 'e')"                                               \
	" UNION ALL SELECT 'VIEW ' || c.relname || ' AS ' || pg_get_viewdef(c.oid) FROM pg_class c" \
	" WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'v'"               \
	" UNION ALL SELECT pg_get_triggerdef(t.oid) || ' ENABLED ' || t.tgenabled::text"           \
	" FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"                                  \
	" WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"

#define DIGEST_SQL "SELECT md5(coalesce(string_agg(d, E'\\n' ORDER BY d), '')) FROM (" DEFS_SQL ") x"

/* Views and triggers are dropped and created again from the files (a view's columns cannot
 * change in place; a trigger that left the files must go). */
static const char drop_views_triggers[] =
	"DO $$\n"
	"DECLARE r record;\n"
	"BEGIN\n"
	"	FOR r IN SELECT c.relname FROM pg_class c\n"
	"		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'v' LOOP\n"
	"		EXECUTE format('DROP VIEW IF EXISTS %I CASCADE', r.relname);\n"
	"	END LOOP;\n"
	"	FOR r IN SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid\n"
	"		WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace LOOP\n"
	"		EXECUTE format('DROP TRIGGER %I ON %I', r.tgname, r.relname);\n"
	"	END LOOP;\n"
	"END $$";

/* The functions no file (re)defined in this transaction: CREATE OR REPLACE rewrites a
 * function's pg_proc row, so every function a file defines has this transaction's xmin. */
static const char stale_sql[] =
	"SELECT p.oid::regprocedure::text FROM pg_proc p"
	" WHERE p.pronamespace = current_schema()::regnamespace AND p.prokind IN ('f', 'p')"
	" AND p.xmin <> pg_current_xact_id()::xid"
	" AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass"
	"  AND e.objid = p.oid AND e.deptype = 'e')";

/* With check_function_bodies on, the languages' validators parse every body against the
 * finished schema: a file that names a missing table or column fails here, not at run time. */
static const char validate_sql[] =
	"SELECT count(CASE l.lanname WHEN 'plpgsql' THEN plpgsql_validator(p.oid)::text"
	"  WHEN 'sql' THEN fmgr_sql_validator(p.oid)::text END)"
	" FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
	" WHERE p.pronamespace = current_schema()::regnamespace AND l.lanname IN ('plpgsql', 'sql')";

/* err gets "what: message (context)" of a failed result; the line in SQL when PostgreSQL
 * names a position in it. */
static void result_error(PGresult *r, const char *what, const char *sql, char *err, size_t errlen)
{
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
	const char *ctx = PQresultErrorField(r, PG_DIAG_CONTEXT);
	char where[32] = "";
	if (pos && sql) {
		long p = atol(pos), line = 1;
		for (long i = 0; i < p - 1 && sql[i]; i++)
			line += sql[i] == '\n';
		snprintf(where, sizeof where, " (line %ld)", line);
	}
	snprintf(err, errlen, "%s%s: %s%s%.*s%s", what, where, msg ? msg : PQresultErrorMessage(r),
		ctx ? " (" : "", ctx ? (int)strcspn(ctx, "\n") : 0, ctx ? ctx : "", ctx ? ")" : "");
}

static int exec_what(PGconn *pg, const char *sql, const char *what, char *err, size_t errlen)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
	if (!ok)
		result_error(r, what, sql, err, errlen);
	PQclear(r);
	return ok ? 0 : -1;
}

static int apply_files(PGconn *pg, int only_prepare, char *err, size_t errlen)
{
	char what[160];
	for (int i = 0; i < kt_sqlfuncs_count; i++) {
		if (only_prepare && strncmp(kt_sqlfuncs[i].name, "00_", 3) != 0)
			continue;
		snprintf(what, sizeof what, "cannot apply sql/functions/%s", kt_sqlfuncs[i].name);
		if (exec_what(pg, kt_sqlfuncs[i].sql, what, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static void rollback(PGconn *pg)
{
	PQclear(PQexec(pg, "ROLLBACK"));
}

int kt_sqlfuncs_prepare(PGconn *pg, char *err, size_t errlen)
{
	if (exec_what(pg, "BEGIN; SET LOCAL check_function_bodies = off", "cannot begin", err,
		    errlen) != 0 ||
	    apply_files(pg, 1, err, errlen) != 0 ||
	    exec_what(pg, "COMMIT", "cannot commit the function files", err, errlen) != 0) {
		rollback(pg);
		return -1;
	}
	return 0;
}

static int drop_stale(PGconn *pg, char *err, size_t errlen)
{
	PGresult *r = PQexec(pg, stale_sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		result_error(r, "cannot list the functions", NULL, err, errlen);
		PQclear(r);
		return -1;
	}
	int rc = 0;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		char sql[600], what[560];
		snprintf(sql, sizeof sql, "DROP FUNCTION %s", PQgetvalue(r, i, 0));
		snprintf(what, sizeof what, "cannot drop function %s, which no file in sql/functions/ "
			"defines", PQgetvalue(r, i, 0));
		rc = exec_what(pg, sql, what, err, errlen);
	}
	PQclear(r);
	return rc;
}

static int record(PGconn *pg, char *err, size_t errlen)
{
	const char *params[1] = {kt_sqlfuncs_hash};
	PGresult *r = PQexecParams(pg,
		"INSERT INTO schema_functions(id, files_hash, digest) SELECT true, $1, (" DIGEST_SQL ")"
		" ON CONFLICT (id) DO UPDATE SET files_hash = EXCLUDED.files_hash,"
		" digest = EXCLUDED.digest, applied_at = now()",
		1, NULL, params, NULL, NULL, 0);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		result_error(r, "cannot record the function files", NULL, err, errlen);
	PQclear(r);
	return ok ? 0 : -1;
}

int kt_sqlfuncs_apply(PGconn *pg, char *err, size_t errlen)
{
	if (exec_what(pg, "BEGIN; SET LOCAL check_function_bodies = off", "cannot begin", err,
		    errlen) != 0 ||
	    exec_what(pg, drop_views_triggers, "cannot drop the views and triggers", err, errlen) != 0 ||
	    apply_files(pg, 0, err, errlen) != 0 || drop_stale(pg, err, errlen) != 0 ||
	    exec_what(pg, "SET LOCAL check_function_bodies = on", "cannot set", err, errlen) != 0 ||
	    exec_what(pg, validate_sql, "a function in sql/functions/ is not valid", err, errlen) != 0 ||
	    record(pg, err, errlen) != 0 ||
	    exec_what(pg, "COMMIT", "cannot commit the function files", err, errlen) != 0) {
		rollback(pg);
		return -1;
	}
	return 0;
}

int kt_sqlfuncs_check(PGconn *pg, char *err, size_t errlen)
{
	PGresult *r = PQexec(pg,
		"SELECT f.files_hash, f.digest = (" DIGEST_SQL ") FROM schema_functions f");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		/* no table: a database migrated before the function files existed */
		int missing = strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE) ?
			PQresultErrorField(r, PG_DIAG_SQLSTATE) : "", "42P01") == 0;
		if (missing)
			snprintf(err, errlen, "database functions are not installed: run 'karta-admin migrate'");
		else
			result_error(r, "cannot read schema_functions", NULL, err, errlen);
		PQclear(r);
		return missing ? 1 : -1;
	}
	int rc = 1;
	if (PQntuples(r) == 0)
		snprintf(err, errlen, "database functions are not installed: run 'karta-admin migrate'");
	else if (strcmp(PQgetvalue(r, 0, 0), kt_sqlfuncs_hash) != 0)
		snprintf(err, errlen, "database functions are from another build (sql/functions/ "
			"differs): run 'karta-admin migrate'");
	else if (strcmp(PQgetvalue(r, 0, 1), "t") != 0)
		snprintf(err, errlen, "database functions, views or triggers were changed outside "
			"'karta-admin migrate': run 'karta-admin migrate' to restore them");
	else
		rc = 0;
	PQclear(r);
	return rc;
}
