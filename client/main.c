/* karta: the client. Global options, then a subcommand from the table below (git-style).
 * Settings: defaults < config file (--config, $KARTA_CONFIG, or
 * $XDG_CONFIG_HOME/karta/karta.conf when it exists) < flags. */
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "ids.h"
#include "kt_i18n.h"
#include "kt_tls.h"
#include "replica.h"
#include "rpc.h"
#include "table_out.h"

static const struct {
	const char *name;
	int (*fn)(struct client *, int, char **);
	const char *help;
} commands[] = {
	{"hello", cmd_hello, N_("connect and show the server version and who the server says you are")},
	{"ping", cmd_ping, N_("measure round trips to the server (-n COUNT)")},
	{"plan", cmd_plan, N_("list, show, create, edit, derive, approve, archive and import plans")},
	{"item", cmd_item, N_("add, show, edit, move and delete plan items; history; status")},
	{"sync", cmd_sync, N_("send queued changes, then fetch what changed on the server")},
	{"watch", cmd_watch, N_("stay connected and sync whenever the server says something changed")},
	{"status", cmd_status, N_("the local replica: queued changes, conflicts, last sync")},
	{"conflicts", cmd_conflicts, N_("list conflicts, resolve one (--keep mine|theirs)")},
	{"report", cmd_report, N_("report requests and submissions: request, draft, submit, accept, return")},
	{"rollup", cmd_rollup, N_("how the plans are carried out as of a day, by organization or item")},
	{"overdue", cmd_overdue, N_("what is overdue as of a day: items and reports")},
	{"registry", cmd_registry, N_("РИС registries: import CSV files, list, show, export")},
	{"exam", cmd_exam, N_("exam planning: points, distribution, seating, staff, locks")},
	{"control", cmd_control, N_("control reports of an exam: K-02, K-03, K-06, K-09, duplicates")},
	{"dashboard", cmd_dashboard, N_("the dashboard in the browser (127.0.0.1): roll-up, overdue, "
		"reports, exams")},
	{"print", cmd_print, N_("print forms as PDF: ППЭ-05-01, ППЭ-06, ППЭ-07, notifications, plan, roll-up")},
};

static void usage(FILE *out)
{
	fprintf(out, _("usage: karta [--config FILE] [options] COMMAND [ARGS]\n\n"
		       "The karta client: talks to kartad over mutual TLS.\n\ncommands:\n"));
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, _(commands[i].help));
	fprintf(out, _("\noptions (override the [client] section of the config file):\n"));
	kt_cfg_usage(client_cfg_keys, out);
	fprintf(out, "  %-26s %s\n", "--config FILE",
		_("INI file (default $KARTA_CONFIG or ~/.config/karta/karta.conf)"));
	fprintf(out, _("\n'karta COMMAND --help' describes a command.\n"
		       "Exit status: 0 ok, 1 runtime or server error, 2 usage error.\n"));
}

bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

static struct rpc *connect_rpc(struct client *cl, bool quiet)
{
	if (cl->rpc)
		return cl->rpc;
	if (cl->cert_invalid) /* main said why; the server would refuse it anyway */
		return NULL;
	char err[512];
	struct rpc_opts o = {
		.server = cl->cfg.server,
		.server_name = cl->cfg.server_name,
		.cert_file = cl->cfg.cert_file,
		.key_file = cl->cfg.key_file,
		.ca_file = cl->cfg.ca_file,
		.timeout_s = (int)cl->cfg.timeout,
		.unreachable = &cl->unreachable,
		.transient = &cl->transient,
	};
	cl->unreachable = false;
	cl->transient = false;
	cl->rpc = rpc_open(&o, err, sizeof err);
	if (!cl->rpc && !(quiet && cl->unreachable))
		fprintf(stderr, "karta: %s\n", err);
	return cl->rpc;
}

struct rpc *client_rpc(struct client *cl) { return connect_rpc(cl, false); }
struct rpc *client_rpc_quiet(struct client *cl) { return connect_rpc(cl, true); }

struct replica *client_replica(struct client *cl)
{
	if (cl->replica)
		return cl->replica;
	char dir[1024], err[512];
	if (cl->cfg.state_dir && *cl->cfg.state_dir)
		snprintf(dir, sizeof dir, "%s", cl->cfg.state_dir);
	else if (replica_default_dir(dir, sizeof dir) != 0) {
		fprintf(stderr, _("karta: no state dir: set --state DIR, $XDG_STATE_HOME or $HOME\n"));
		return NULL;
	}
	if (replica_open(dir, &cl->replica, err, sizeof err) != 0) {
		fprintf(stderr, _("karta: cannot open the local replica in %s: %s\n"), dir, err);
		cl->replica = NULL;
	}
	return cl->replica;
}

/* The default config file, if one exists. */
static const char *default_config(char *buf, size_t n)
{
	const char *env = getenv("KARTA_CONFIG");
	if (env && *env)
		return env;
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, n, "%s/karta/karta.conf", xdg);
	else if (home && *home)
		snprintf(buf, n, "%s/.config/karta/karta.conf", home);
	else
		return NULL;
	return access(buf, R_OK) == 0 ? buf : NULL;
}

int main(int argc, char **argv)
{
	struct client cl = {0};
	char err[512], path[1024];
	int rc = EXIT_USAGE;
	/* A server that refuses us closes while we may still be writing: that must be an
	 * error message and exit 1, not a silent death by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	kt_i18n_init();
	table_out_init();
	ids_init(&cl);
	if (kt_cfg_defaults(client_cfg_keys, &cl.cfg) != 0)
		return EXIT_RUNTIME;
	bool explicit_config = false;
	for (int j = 1; j < argc && strncmp(argv[j], "--", 2) == 0; j++)
		if (strncmp(argv[j], "--config", 8) == 0)
			explicit_config = true;
	const char *def = explicit_config ? NULL : default_config(path, sizeof path);
	if (def && kt_cfg_load(client_cfg_keys, &cl.cfg, def, err, sizeof err) != 0) {
		fprintf(stderr, "karta: %s\n", err);
		goto out;
	}
	int i = 1;
	if (kt_cfg_args(client_cfg_keys, &cl.cfg, argc, argv, &i, err, sizeof err) != 0) {
		fprintf(stderr, "karta: %s\n", err);
		goto out;
	}
	if (i < argc && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
		usage(stdout);
		rc = EXIT_OK;
		goto out;
	}
	if (i < argc && strcmp(argv[i], "--version") == 0) {
		printf("karta %s\n", KT_VERSION);
		rc = EXIT_OK;
		goto out;
	}
	if (i >= argc || argv[i][0] == '-') {
		if (i < argc)
			fprintf(stderr, _("karta: unknown option '%s'\n"), argv[i]);
		usage(stderr);
		goto out;
	}
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
		if (strcmp(argv[i], commands[k].name) == 0) {
			/* an expired or not yet valid certificate is named on every command */
			if (!wants_help(argc - i, argv + i) &&
			    kt_tls_file_cert_time(cl.cfg.cert_file, err, sizeof err) > 0) {
				fprintf(stderr, "karta: %s\n", err);
				cl.cert_invalid = true;
			}
			rc = commands[k].fn(&cl, argc - i, argv + i);
			goto out;
		}
	fprintf(stderr, _("karta: unknown command '%s' (see karta --help)\n"), argv[i]);
out:
	rpc_close(cl.rpc);
	replica_close(cl.replica);
	kt_cfg_release(client_cfg_keys, &cl.cfg);
	return rc;
}
