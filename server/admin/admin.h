/* karta-admin: blocking administration over libpq — migrations, organizations, devices.
 * Each command is cmd_<name>(pg, argc, argv) with argv[0] the command word; it returns the
 * process exit code (0 ok, 1 failed, 2 usage). */
#ifndef KT_ADMIN_H
#define KT_ADMIN_H

#include <libpq-fe.h>

int admin_org(PGconn *pg, int argc, char **argv);
/* org import PACKAGE [--dry-run] (admin_org_import.c) */
int admin_org_import(PGconn *pg, int argc, char **argv);
int admin_device(PGconn *pg, int argc, char **argv);
int admin_feed(PGconn *pg, int argc, char **argv);

/* "--name VALUE" lookup in argv[from..argc); NULL if absent. Sets *bad on a flag without a
 * value or an unknown flag (names lists the accepted ones, NULL-terminated). */
const char *admin_opt(int argc, char **argv, int from, const char *name);
int admin_check_opts(int argc, char **argv, int from, const char *const *names);

/* Runs a parameterized statement; prints "karta-admin: <what>: <reason>" on failure. */
PGresult *admin_exec(PGconn *pg, const char *what, const char *sql, int n,
	const char *const *params);

#endif
