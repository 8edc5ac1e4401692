/* cmd_dashboard: `karta dashboard [--port N] [--open]` — serves the dashboard page on
 * 127.0.0.1 from this karta: its certificate and connection (the server's computed tables),
 * its replica (what was synced, shown offline too). Every URL carries a random token printed
 * at start, so another local user cannot read the page. One libevent loop (evhttp); the
 * server is called with the client's blocking connection from inside a request, which is
 * fine for the one person at the browser. Ctrl+C (SIGINT) or SIGTERM stops it. */
#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/rand.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "client.h"
#include "dash.h"
#include "help.h"
#include "kt_log.h"
#include "opts.h"
#include "replica.h"
#include "sync.h"
#include "kt_i18n.h"

#define DEFAULT_PORT 8780
#define PORT_TRIES 10 /* the default port busy: try the next ones */

extern char **environ;

static int make_token(char *out)
{
	unsigned char b[DASH_TOKEN_LEN / 2];
	if (RAND_bytes(b, sizeof b) != 1)
		return -1;
	for (size_t i = 0; i < sizeof b; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* Pulls what changed, so the page starts from fresh rows; offline is fine (the page says). */
static void pull_first(struct client *cl)
{
	if (!sync_connect(cl, true)) {
		if (cl->unreachable)
			fprintf(stderr, _("karta: the server cannot be reached: the page shows what "
					"was synced last\n"));
		return;
	}
	struct sync_report rep = {0};
	if (sync_pull(cl, false, &rep) == 0 && rep.changes > 0) {
		fprintf(stderr, _("karta: synced: "));
		sync_print(&rep, stderr);
	}
}

static void open_browser(const char *url)
{
	char *argv[] = {"xdg-open", (char *)url, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ);
	if (rc != 0)
		fprintf(stderr, _("karta: cannot open a browser 'xdg-open': %s; open the address "
				"above yourself\n"), strerror(rc));
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

static void reap(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static int listen_on(struct evhttp *http, struct dash *d, long long port, bool fixed)
{
	for (int i = 0; i < (fixed ? 1 : PORT_TRIES); i++) {
		if (evhttp_bind_socket_with_handle(http, "127.0.0.1", (ev_uint16_t)(port + i))) {
			d->port = (int)(port + i);
			return 0;
		}
		if (errno != EADDRINUSE)
			break;
	}
	fprintf(stderr, _("karta: cannot listen on 127.0.0.1:%lld%s: %s\n"), port,
		fixed ? "" : _(" or the next ports"), strerror(errno));
	return -1;
}

int cmd_dashboard(struct client *cl, int argc, char **argv)
{
	enum { O_PORT, O_OPEN, O_NO_SYNC, O_N };
	struct opt o[O_N + 1] = {
		[O_PORT] = {.name = "port", .type = OPT_INT, .meta = "N", .min = 1, .max = 65535,
			.help = N_("the port on 127.0.0.1 (default 8780, or the next free one)")},
		[O_OPEN] = {.name = "open", .type = OPT_FLAG,
			.help = N_("open the page in the browser (xdg-open)")},
		[O_NO_SYNC] = {.name = "no-sync", .type = OPT_FLAG,
			.help = N_("do not pull changes from the server at start")},
	};
	struct opt_cmd c = {"dashboard", "", 0, help_dashboard, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	struct dash d = {.cl = cl};
	if (make_token(d.token) != 0) {
		fprintf(stderr, _("karta: cannot make the page's key: no randomness from OpenSSL\n"));
		return EXIT_RUNTIME;
	}
	if (!client_replica(cl))
		return EXIT_RUNTIME;
	if (!o[O_NO_SYNC].set)
		pull_first(cl);
	rc = EXIT_RUNTIME;
	struct event_base *base = event_base_new();
	struct evhttp *http = base ? evhttp_new(base) : NULL;
	struct event *sint = NULL, *sterm = NULL, *schld = NULL;
	if (!http) {
		fprintf(stderr, _("karta: cannot start the web server: out of memory\n"));
		goto out;
	}
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(http, 16384);
	evhttp_set_max_body_size(http, 1024);
	evhttp_set_timeout(http, 30);
	evhttp_set_gencb(http, dash_http_cb, &d);
	if (listen_on(http, &d, o[O_PORT].set ? o[O_PORT].num : DEFAULT_PORT, o[O_PORT].set) != 0)
		goto out;
	snprintf(d.host_ip, sizeof d.host_ip, "127.0.0.1:%d", d.port);
	snprintf(d.host_name, sizeof d.host_name, "localhost:%d", d.port);
	sint = evsignal_new(base, SIGINT, on_signal, base);
	sterm = evsignal_new(base, SIGTERM, on_signal, base);
	schld = evsignal_new(base, SIGCHLD, reap, NULL);
	if (!sint || !sterm || !schld || evsignal_add(sint, NULL) || evsignal_add(sterm, NULL) ||
	    evsignal_add(schld, NULL)) {
		fprintf(stderr, _("karta: cannot start the web server: signals\n"));
		goto out;
	}
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s/", d.port, d.token);
	printf(_("karta dashboard: %s\n(only this address opens the page; Ctrl+C stops)\n"), url);
	fflush(stdout);
	kt_log(KT_LOG_INFO, "event=dashboard_start port=%d", d.port);
	if (o[O_OPEN].set)
		open_browser(url);
	event_base_dispatch(base);
	kt_log(KT_LOG_INFO, "event=dashboard_stop served=%ld refused=%ld", d.served, d.refused);
	rc = EXIT_OK;
out:
	if (sint)
		event_free(sint);
	if (sterm)
		event_free(sterm);
	if (schld)
		event_free(schld);
	if (http)
		evhttp_free(http);
	if (base)
		event_base_free(base);
	return rc;
}
