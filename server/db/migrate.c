/* migrate: forward-only schema migrations (see kt_migrations.h). A migration is applied in
 * the same transaction as its schema_migrations row, so a crash leaves either both or
 * neither. A database newer than the binary is refused, never "downgraded". The functions,
 * views and triggers come after, from sql/functions/ (sqlfuncs.c). */
#include "kt_migrations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATE_LOCK_KEY "7243519" /* pg_advisory_lock key: any constant unique to karta */

int kt_schema_expected(void)
{
	return kt_migrations_count ? kt_migrations[kt_migrations_count - 1].version : 0;
}

static int exec_ok(PGconn *pg, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
	if (!ok)
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1;
}

int kt_schema_current(PGconn *pg, char *err, size_t errlen)
{
	PGresult *r = PQexec(pg, "SELECT to_regclass('schema_migrations') IS NOT NULL");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "cannot read schema version: %s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	int exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!exists)
		return 0;
	r = PQexec(pg, "SELECT coalesce(max(version), 0) FROM schema_migrations");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "cannot read schema version: %s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	int v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

int kt_schema_check(PGconn *pg, char *err, size_t errlen)
{
	int cur = kt_schema_current(pg, err, errlen);
	if (cur < 0)
		return -1;
	int want = kt_schema_expected();
	if (cur == want)
		return kt_sqlfuncs_check(pg, err, errlen) == 0 ? 0 : -1;
	if (cur == 0)
		snprintf(err, errlen, "database schema is not initialised: run 'karta-admin migrate'");
	else if (cur < want)
		snprintf(err, errlen,
			"database schema is at version %d, this kartad needs %d: run 'karta-admin migrate'",
			cur, want);
	else
		snprintf(err, errlen,
			"database schema is at version %d, newer than this kartad knows (%d): upgrade kartad",
			cur, want);
	return -1;
}

static int apply_one(PGconn *pg, const struct kt_migration *m, char *err, size_t errlen)
{
	char e[512];
	if (exec_ok(pg, "BEGIN", e, sizeof e) != 0)
		goto fail;
	if (exec_ok(pg, m->sql, e, sizeof e) != 0)
		goto fail;
	char ver[16];
	snprintf(ver, sizeof ver, "%d", m->version);
	const char *params[2] = {ver, m->name};
	PGresult *r = PQexecParams(pg,
		"INSERT INTO schema_migrations(version, name) VALUES ($1::int, $2)", 2, NULL, params,
		NULL, NULL, 0);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(e, sizeof e, "%s", PQresultErrorMessage(r));
	PQclear(r);
	if (!ok || exec_ok(pg, "COMMIT", e, sizeof e) != 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "migration %s failed: %s", m->name, e);
	PGresult *rb = PQexec(pg, "ROLLBACK");
	PQclear(rb);
	return -1;
}

int kt_schema_migrate(PGconn *pg, int *applied, int *refreshed, char *err, size_t errlen)
{
	*applied = 0;
	*refreshed = 0;
	if (exec_ok(pg, "SET client_min_messages = warning", err, errlen) != 0 ||
	    exec_ok(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err, errlen) != 0 ||
	    exec_ok(pg,
		    "CREATE TABLE IF NOT EXISTS schema_migrations ("
		    " version int PRIMARY KEY, name text NOT NULL,"
		    " applied_at timestamptz NOT NULL DEFAULT now())",
		    err, errlen) != 0 ||
	    exec_ok(pg,
		    "CREATE TABLE IF NOT EXISTS schema_functions ("
		    " id boolean PRIMARY KEY DEFAULT true CHECK (id), files_hash text NOT NULL,"
		    " digest text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
		    err, errlen) != 0)
		return -1;
	int rc = 0;
	int cur = kt_schema_current(pg, err, errlen);
	if (cur < 0) {
		rc = -1;
	} else if (cur > kt_schema_expected()) {
		snprintf(err, errlen, "database schema is at version %d, newer than this binary knows (%d)",
			cur, kt_schema_expected());
		rc = -1;
	}
	/* what the tables and migrations call (CHECKs, indexes, backfills) exists before them */
	if (rc == 0 && cur < kt_schema_expected() && kt_sqlfuncs_prepare(pg, err, errlen) != 0)
		rc = -1;
	for (int i = 0; rc == 0 && i < kt_migrations_count; i++) {
		if (kt_migrations[i].version <= cur)
			continue;
		if (apply_one(pg, &kt_migrations[i], err, errlen) != 0)
			rc = -1;
		else
			(*applied)++;
	}
	if (rc == 0) {
		int st = *applied ? 1 : kt_sqlfuncs_check(pg, err, errlen);
		if (st < 0 || (st == 1 && kt_sqlfuncs_apply(pg, err, errlen) != 0))
			rc = -1;
		else
			*refreshed = st == 1;
	}
	char e2[128];
	exec_ok(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", e2, sizeof e2);
	return rc;
}
