/* kt_migrations: the sql/NNNN_*.sql migrations and the sql/functions/<domain>.sql function files
 * embedded at build time (cmake/embed_sql.cmake), and the blocking migrator that applies them
 * (migrate.c: the migrations; sqlfuncs.c: the function files, see sql/functions/README).
 * Blocking libpq is fine here: it runs in karta-admin and in kartad before the event loop. */
#ifndef KT_MIGRATIONS_H
#define KT_MIGRATIONS_H

#include <libpq-fe.h>
#include <stddef.h>

struct kt_migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct kt_migration kt_migrations[];
extern const int kt_migrations_count;

struct kt_sqlfile {
	const char *name;
	const char *sql;
};

/* The files sql/functions/<domain>.sql in name order, and the SHA-256 of their names and contents. */
extern const struct kt_sqlfile kt_sqlfuncs[];
extern const int kt_sqlfuncs_count;
extern const char kt_sqlfuncs_hash[];

/* The schema version this binary expects (the last migration's). */
int kt_schema_expected(void);

/* Reads the applied version: 0 when schema_migrations does not exist; -1 on error. */
int kt_schema_current(PGconn *pg, char *err, size_t errlen);

/* 0 when the database is exactly at kt_schema_expected() and its functions are this build's
 * (kt_sqlfuncs_check), else -1 with err saying what to do. */
int kt_schema_check(PGconn *pg, char *err, size_t errlen);

/* Applies every missing migration, each in its own transaction, under an advisory lock so
 * two migrators never race; then, when a migration ran or the functions are not this build's,
 * the function files (kt_sqlfuncs_apply). *applied gets how many migrations ran, *refreshed
 * 1 when the function files were applied. */
int kt_schema_migrate(PGconn *pg, int *applied, int *refreshed, char *err, size_t errlen);

/* Applies the function files named "00_*" (what the tables and migrations call), each
 * statement as written, before pending migrations run. */
int kt_sqlfuncs_prepare(PGconn *pg, char *err, size_t errlen);

/* In one transaction: drops every view and trigger of the schema, applies every function
 * file, drops the functions no file defines, checks every function body, and records
 * kt_sqlfuncs_hash and the digest of what is now defined in schema_functions. */
int kt_sqlfuncs_apply(PGconn *pg, char *err, size_t errlen);

/* 0 when schema_functions records this build's hash and the database's functions, views and
 * triggers still have the recorded digest; 1 when not (err says why); -1 on error. */
int kt_sqlfuncs_check(PGconn *pg, char *err, size_t errlen);

#endif
