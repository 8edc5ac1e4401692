/* karta-admin main: --db / KARTA_DB, then one of the commands in the table below. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "kt_migrations.h"
#include "kt_i18n.h"

static int admin_migrate(PGconn *pg, int argc, char **argv)
{
	char err[512];
	int applied = 0, refreshed = 0;
	if (kt_schema_migrate(pg, &applied, &refreshed, err, sizeof err) != 0) {
		fprintf(stderr, _("karta-admin: %s\n"), err);
		return 1;
	}
	if (applied)
		printf(_("applied %d migration(s); schema is at version %d\n"), applied,
			kt_schema_expected());
	if (refreshed)
		printf(_("applied the function files (%d in sql/functions/)\n"), kt_sqlfuncs_count);
	if (!applied && !refreshed)
		printf(_("schema is up to date (version %d)\n"), kt_schema_expected());
	return 0;
}

static int admin_status(PGconn *pg, int argc, char **argv)
{
	char err[512];
	int cur = kt_schema_current(pg, err, sizeof err);
	if (cur < 0) {
		fprintf(stderr, _("karta-admin: %s\n"), err);
		return 1;
	}
	printf(_("schema version %d, this binary expects %d\n"), cur, kt_schema_expected());
	int fn = kt_sqlfuncs_check(pg, err, sizeof err);
	if (fn != 0)
		printf("%s\n", err);
	return cur == kt_schema_expected() && fn == 0 ? 0 : 1;
}

static const struct {
	const char *name;
	int (*fn)(PGconn *, int, char **);
	const char *help;
} commands[] = {
	{"migrate", admin_migrate, N_("apply the database migrations this binary carries")},
	{"status", admin_status, N_("show the schema version (exit 1 if not current)")},
	{"org", admin_org, N_("org add --code C --name N --level region|municipality|school "
			   "[--parent C] | org list | org import PACKAGE [--dry-run] (the federal\n"
			   "           exchange package: region, municipalities, territories, schools)")},
	{"device", admin_device, N_("device add --org C --cert FILE.pem [--role coordinator|operator|"
				 "viewer] [--label T] | device revoke (--cert F | --fingerprint H)"
				 " | device list")},
	{"feed", admin_feed, N_("feed prune --days N (drop old change-log rows) | feed rebuild ORG"
			     " (clients resync)")},
};

static void usage(FILE *out)
{
	fprintf(out, _("usage: karta-admin [--db CONNINFO] COMMAND ...\n\n"
		     "Sets up kartad's database: schema, organizations, devices.\n"
		     "--db defaults to $KARTA_DB, else \"dbname=karta\".\n\ncommands:\n"));
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, _(commands[i].help));
}

int main(int argc, char **argv)
{
	kt_i18n_init();
	const char *conninfo = getenv("KARTA_DB");
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			conninfo = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			conninfo = argv[i] + 5;
		} else {
			fprintf(stderr, _("karta-admin: unknown option '%s' (see --help)\n"), argv[i]);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
		if (strcmp(argv[i], commands[k].name) != 0)
			continue;
		PGconn *pg = PQconnectdb(conninfo ? conninfo : "dbname=karta");
		if (PQstatus(pg) != CONNECTION_OK) {
			fprintf(stderr, _("karta-admin: cannot connect to database: %s"),
				PQerrorMessage(pg));
			PQfinish(pg);
			return 1;
		}
		PGresult *r = PQexec(pg, "SET client_min_messages = warning");
		PQclear(r);
		int rc = commands[k].fn(pg, argc - i, argv + i);
		PQfinish(pg);
		return rc;
	}
	fprintf(stderr, _("karta-admin: unknown command '%s' (see --help)\n"), argv[i]);
	return 2;
}
