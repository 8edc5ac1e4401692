/* karta-admin feed: retention of the change feeds (docs/operations.md).
 *   feed prune --days N   drop change-log rows older than N days (a client whose cursor is
 *                         older resyncs by snapshot; the newest row of a feed stays)
 *   feed rebuild CODE     start a new epoch of CODE's feed: every client resyncs it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "kt_i18n.h"

static int feed_prune(PGconn *pg, int argc, char **argv)
{
	static const char *const names[] = {"days", NULL};
	if (admin_check_opts(argc, argv, 2, names) != 0)
		return 2;
	const char *days = admin_opt(argc, argv, 2, "days");
	char *end = NULL;
	long d = days ? strtol(days, &end, 10) : -1;
	if (!days || *end || d < 1 || d > 36500) {
		fprintf(stderr, _("karta-admin: feed prune needs --days N (1..36500)\n"));
		return 2;
	}
	const char *p[1] = {days};
	PGresult *r = admin_exec(pg, N_("prune feeds"), "SELECT karta_feed_prune($1::int)", 1, p);
	if (!r)
		return 1;
	printf(_("pruned %s change-log row(s) older than %ld day(s)\n"), PQgetvalue(r, 0, 0), d);
	PQclear(r);
	return 0;
}

static int feed_rebuild(PGconn *pg, int argc, char **argv)
{
	if (argc != 3 || argv[2][0] == '-') {
		fprintf(stderr, _("karta-admin: usage: feed rebuild ORG_CODE\n"));
		return 2;
	}
	const char *p[1] = {argv[2]};
	PGresult *r = admin_exec(pg, N_("rebuild feed"), "SELECT karta_feed_rebuild($1)", 1, p);
	if (!r)
		return 1;
	int rc = 0;
	if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
		fprintf(stderr, _("karta-admin: no organization '%s'\n"), argv[2]);
		rc = 1;
	} else {
		printf(_("feed %s is at epoch %s: its clients resync\n"), argv[2], PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return rc;
}

int admin_feed(PGconn *pg, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "prune") == 0)
		return feed_prune(pg, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "rebuild") == 0)
		return feed_rebuild(pg, argc, argv);
	fprintf(stderr, _("karta-admin: usage: feed prune --days N | feed rebuild ORG_CODE\n"));
	return 2;
}
