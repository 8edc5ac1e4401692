/* kt_migrations: the sql/NNNN_*.sql migrations embedded at build time
 * (cmake/embed_sql.cmake), and the blocking migrator that applies them.
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

/* The schema version this binary expects (the last migration's). */
int kt_schema_expected(void);

/* Reads the applied version: 0 when schema_migrations does not exist; -1 on error. */
int kt_schema_current(PGconn *pg, char *err, size_t errlen);

/* 0 when the database is exactly at kt_schema_expected(), else -1 with err saying what to do. */
int kt_schema_check(PGconn *pg, char *err, size_t errlen);

/* Applies every missing migration, each in its own transaction, under an advisory lock so
 * two migrators never race. *applied gets how many ran. */
int kt_schema_migrate(PGconn *pg, int *applied, char *err, size_t errlen);

#endif
