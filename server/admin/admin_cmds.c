/* admin_cmds: organizations and devices. The database constraints (codes, levels, parent
 * levels, fingerprints) are the source of truth; this file turns their errors into plain
 * messages. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "kt_i18n.h"
#include "kt_tls.h"
#include "kt_i18n.h"

const char *admin_opt(int argc, char **argv, int from, const char *name)
{
	for (int i = from; i + 1 < argc; i++)
		if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, name) == 0)
			return argv[i + 1];
	return NULL;
}

int admin_check_opts(int argc, char **argv, int from, const char *const *names)
{
	for (int i = from; i < argc; i += 2) {
		bool known = false;
		for (const char *const *n = names; *n; n++)
			if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, *n) == 0)
				known = true;
		if (!known) {
			fprintf(stderr, _("karta-admin: unexpected argument '%s'\n"), argv[i]);
			return -1;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, _("karta-admin: %s needs a value\n"), argv[i]);
			return -1;
		}
	}
	return 0;
}

PGresult *admin_exec(PGconn *pg, const char *what, const char *sql, int n,
	const char *const *params)
{
	PGresult *r = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	fprintf(stderr, _("karta-admin: cannot %s: %s\n"), _(what), msg ? msg : PQerrorMessage(pg));
	PQclear(r);
	return NULL;
}

/* A role, level or device status identifier in the user's words (the catalogue's "role|…", "level|…", the
 * same the client uses); the identifier itself without a translation. */
static const char *word(const char *id)
{
	static const char *const words[][2] = {
		{"coordinator", N_("role|coordinator")}, {"operator", N_("role|operator")},
		{"viewer", N_("role|viewer")}, {"region", N_("level|region")},
		{"municipality", N_("level|municipality")}, {"school", N_("level|school")},
		{"active", N_("device status|active")}, {"revoked", N_("device status|revoked")},
		{"never", N_("device seen|never")},
	};
	for (size_t i = 0; id && i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i][0], id) == 0) {
			const char *t = _(words[i][1]);
			return t == words[i][1] ? id : t;
		}
	return id;
}

/* Runs a statement that returns at most one row: 1 when it returned one, 0 when none,
 * -1 on failure (message printed). */
static int admin_exec_one(PGconn *pg, const char *what, const char *sql, int n,
	const char *const *params)
{
	PGresult *r = admin_exec(pg, what, sql, n, params);
	if (!r)
		return -1;
	int rows = PQntuples(r);
	PQclear(r);
	return rows == 1;
}

/* A list command: runs sql (what says it in errors, N_() at the callers) and prints its rows
 * tab-separated. 0, or 1 when the query failed. */
static int list_rows(PGconn *pg, const char *what, const char *sql)
{
	PGresult *r = admin_exec(pg, what, sql, 0, NULL);
	if (!r)
		return 1;
	int n = PQntuples(r), f = PQnfields(r);
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < f; j++) /* levels, roles and states in the user's words */
			printf("%s%s", j ? "\t" : "", word(PQgetvalue(r, i, j)));
		putchar('\n');
	}
	PQclear(r);
	return 0;
}

int admin_org(PGconn *pg, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list_rows(pg, N_("list organizations"),
			"SELECT o.code, o.level, coalesce(p.code, '-'), o.name FROM organization o"
			" LEFT JOIN organization p ON p.id = o.parent_id ORDER BY o.id");
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return admin_org_import(pg, argc, argv);
	if (argc < 2 || strcmp(argv[1], "add") != 0) {
		fprintf(stderr, _("usage: karta-admin org add --code C --name N "
				"--level region|municipality|school [--parent C] | org list"
				" | org import PACKAGE [--dry-run]\n"));
		return 2;
	}
	static const char *const names[] = {"code", "name", "level", "parent", NULL};
	if (admin_check_opts(argc, argv, 2, names) != 0)
		return 2;
	const char *p[4] = {admin_opt(argc, argv, 2, "code"), admin_opt(argc, argv, 2, "name"),
		admin_opt(argc, argv, 2, "level"), admin_opt(argc, argv, 2, "parent")};
	if (!p[0] || !p[1] || !p[2]) {
		fprintf(stderr, _("karta-admin: org add needs --code, --name and --level\n"));
		return 2;
	}
	int ok = admin_exec_one(pg, N_("add organization"),
		"WITH parent AS (SELECT id FROM organization WHERE code = $4)"
		" INSERT INTO organization(code, name, level, parent_id)"
		" SELECT $1, $2, $3, (SELECT id FROM parent)"
		" WHERE $4::text IS NULL OR EXISTS (SELECT 1 FROM parent)"
		" ON CONFLICT (code) DO UPDATE SET name = excluded.name"
		"  WHERE organization.level = excluded.level"
		"  AND organization.parent_id IS NOT DISTINCT FROM excluded.parent_id"
		" RETURNING id", 4, p);
	if (ok < 0)
		return 1;
	if (!ok) {
		if (p[3])
			fprintf(stderr, _("karta-admin: cannot add organization '%s': parent '%s' does "
					"not exist, or '%s' exists with another level or parent\n"),
				p[0], p[3], p[0]);
		else
			fprintf(stderr, _("karta-admin: cannot add organization '%s': it exists with "
					"another level or parent\n"), p[0]);
		return 1;
	}
	printf(_("organization %s (%s) ready\n"), p[0], word(p[2]));
	return 0;
}

static int device_add(PGconn *pg, int argc, char **argv)
{
	static const char *const names[] = {"org", "cert", "role", "label", NULL};
	if (admin_check_opts(argc, argv, 2, names) != 0)
		return 2;
	const char *org = admin_opt(argc, argv, 2, "org"), *cert = admin_opt(argc, argv, 2, "cert");
	const char *role = admin_opt(argc, argv, 2, "role");
	if (!org || !cert) {
		fprintf(stderr, _("karta-admin: device add needs --org and --cert\n"));
		return 2;
	}
	char fp[KT_FINGERPRINT_LEN + 1], err[512];
	if (kt_tls_file_fingerprint(cert, fp, err, sizeof err) != 0) {
		fprintf(stderr, _("karta-admin: %s\n"), err);
		return 1;
	}
	const char *p[4] = {fp, org, role ? role : "operator", admin_opt(argc, argv, 2, "label")};
	int ok = admin_exec_one(pg, N_("register device"),
		"INSERT INTO device(fingerprint, org_id, role, label)"
		" SELECT $1, id, $3, $4 FROM organization WHERE code = $2"
		" ON CONFLICT (fingerprint) DO UPDATE SET org_id = excluded.org_id,"
		"  role = excluded.role, label = excluded.label, status = 'active', revoked_at = NULL"
		" RETURNING id", 4, p);
	if (ok < 0)
		return 1;
	if (!ok) {
		fprintf(stderr, _("karta-admin: cannot register device: no organization '%s'\n"), org);
		return 1;
	}
	printf(_("device %s registered for %s as %s\n"), fp, org, word(p[2]));
	char why[768];
	if (kt_tls_file_cert_time(cert, why, sizeof why) > 0)
		fprintf(stderr, _("karta-admin: warning: %s\n"), why);
	return 0;
}

static int device_revoke(PGconn *pg, int argc, char **argv)
{
	static const char *const names[] = {"cert", "fingerprint", NULL};
	if (admin_check_opts(argc, argv, 2, names) != 0)
		return 2;
	const char *cert = admin_opt(argc, argv, 2, "cert");
	const char *given = admin_opt(argc, argv, 2, "fingerprint");
	char fp[KT_FINGERPRINT_LEN + 1], err[512];
	if (cert && kt_tls_file_fingerprint(cert, fp, err, sizeof err) != 0) {
		fprintf(stderr, _("karta-admin: %s\n"), err);
		return 1;
	} else if (!cert && (!given || kt_tls_normalize_fingerprint(given, fp) != 0)) {
		fprintf(stderr, _("karta-admin: device revoke needs --cert FILE or --fingerprint "
				"(64 hex digits)\n"));
		return 2;
	}
	const char *p[1] = {fp};
	int ok = admin_exec_one(pg, N_("revoke device"),
		"UPDATE device SET status = 'revoked', revoked_at = coalesce(revoked_at, now())"
		" WHERE fingerprint = $1 RETURNING id", 1, p);
	if (ok < 0)
		return 1;
	if (!ok) {
		fprintf(stderr, _("karta-admin: no device with fingerprint %s\n"), fp);
		return 1;
	}
	printf(_("device %s revoked\n"), fp);
	return 0;
}

int admin_device(PGconn *pg, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return device_add(pg, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
		return device_revoke(pg, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list_rows(pg, N_("list devices"),
			"SELECT d.fingerprint, o.code, d.role, d.status, coalesce(d.label, ''),"
			" coalesce(to_char(d.last_seen, 'YYYY-MM-DD HH24:MI'), 'never')"
			" FROM device d JOIN organization o ON o.id = d.org_id ORDER BY d.id");
	fprintf(stderr, _("usage: karta-admin device add --org C --cert FILE.pem [--role R] "
			"[--label T] | device revoke (--cert F | --fingerprint H) | device list\n"));
	return 2;
}
