/* kartad: the karta server. Parses configuration, checks the database schema, builds the TLS
 * context, then runs one libevent loop until SIGTERM has drained every connection. */
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "db/db.h"
#include "kt_log.h"
#include "kt_msg.h"
#include "guard.h"
#include "listen.h"
#include "metrics.h"
#include "server.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: kartad [--config FILE] [options]\n"
		"       kartad --dump-config | --check-config [--config FILE] | --version | --help\n\n"
		"The karta server: mutual-TLS protocol endpoint backed by PostgreSQL.\n"
		"Settings come from defaults < the INI file < these flags:\n");
	kt_cfg_usage(server_cfg_keys, out);
	fprintf(out,
		"\n  --config FILE              INI file (see deploy/kartad.conf.example)\n"
		"  --dump-config              print a commented config with every key and exit\n"
		"  --check-config             load the config, TLS files and database schema, then exit\n"
		"\nSignals: SIGTERM/SIGINT drain and exit 0; SIGHUP reloads the TLS files.\n"
		"Apply database migrations with 'karta-admin migrate' before the first start.\n");
}

int main(int argc, char **argv)
{
	struct server s = {0};
	char err[512];
	int rc = 1;
	bool check_only = false;

	if (kt_cfg_defaults(server_cfg_keys, &s.cfg) != 0)
		goto out;
	for (int i = 1; i < argc;) {
		if (kt_cfg_args(server_cfg_keys, &s.cfg, argc, argv, &i, err, sizeof err) != 0) {
			fprintf(stderr, "kartad: %s\n", err);
			rc = 2;
			goto out;
		}
		if (i >= argc)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("kartad %s (protocol %u..%u, schema %d)\n", KT_VERSION, KT_PROTO_MIN,
				KT_PROTO_MAX, db_schema_expected());
			rc = 0;
			goto out;
		} else if (strcmp(argv[i], "--dump-config") == 0) {
			kt_cfg_dump(server_cfg_keys, stdout, "kartad configuration");
			rc = 0;
			goto out;
		} else if (strcmp(argv[i], "--check-config") == 0) {
			check_only = true;
			i++;
		} else {
			fprintf(stderr, "kartad: unknown option '%s' (see --help)\n", argv[i]);
			rc = 2;
			goto out;
		}
	}
	enum kt_log_level lvl;
	if (kt_log_parse_level(s.cfg.log_level, &lvl) != 0) {
		fprintf(stderr, "kartad: log_level '%s' is not debug, info, warn or error\n",
			s.cfg.log_level);
		rc = 2;
		goto out;
	}
	kt_log_set_level(lvl);

	s.ssl_ctx = kt_tls_server_ctx(s.cfg.cert_file, s.cfg.key_file, s.cfg.ca_file, err,
		sizeof err);
	if (!s.ssl_ctx) {
		kt_log(KT_LOG_ERROR, "event=startup_failed reason=\"%s\"", err);
		goto out;
	}
	if (guard_startup(&s.cfg, err, sizeof err) != 0) {
		kt_log(KT_LOG_ERROR, "event=startup_failed reason=\"%s\"", err);
		goto out;
	}
	if (db_schema_check(s.cfg.conninfo) != 0) /* blocking, before the loop */
		goto out;
	if (check_only) {
		printf("kartad: configuration, TLS files and database schema are fine\n");
		rc = 0;
		goto out;
	}
	s.base = event_base_new();
	if (!s.base)
		goto out;
	struct db_pool_cfg pc = {
		.conninfo = s.cfg.conninfo,
		.size = (int)s.cfg.pool_size,
		.queue_max = (int)s.cfg.queue_max,
		.statement_timeout = (int)s.cfg.statement_timeout_ms,
	};
	s.db = db_pool_new(s.base, &pc);
	s.feed_listener = listen_new(s.base, s.cfg.conninfo);
	s.guard = guard_new(&s);
	s.metrics = metrics_new();
	if (!s.db || !s.feed_listener || !s.guard || !s.metrics || server_signals(&s) != 0 ||
	    metrics_listen(s.metrics, &s, s.cfg.metrics_listen) != 0 || server_listen(&s) != 0)
		goto out;
	kt_log(KT_LOG_INFO, "event=started version=%s pid=%d", KT_VERSION, (int)getpid());
	event_base_dispatch(s.base);
	kt_log(KT_LOG_INFO, "event=stopped");
	rc = 0;
out:
	if (s.listener)
		evconnlistener_free(s.listener);
	/* Connections still open after a drain timeout: free them with the loop. */
	while (s.conns) {
		struct conn *c = s.conns;
		s.conns = c->next;
		if (c->bev)
			bufferevent_free(c->bev);
		event_free(c->hello_timer);
		event_free(c->close_ev);
		guard_conn_release(c);
		c->refs = 1;
		conn_unref(c);
	}
	guard_free(s.guard);
	metrics_free(s.metrics);
	listen_free(s.feed_listener); /* touches no connection */
	db_pool_free(s.db);
	if (s.sig_term)
		event_free(s.sig_term);
	if (s.sig_int)
		event_free(s.sig_int);
	if (s.sig_hup)
		event_free(s.sig_hup);
	if (s.drain_timer)
		event_free(s.drain_timer);
	if (s.base)
		event_base_free(s.base);
	SSL_CTX_free(s.ssl_ctx);
	kt_cfg_release(server_cfg_keys, &s.cfg);
	return rc;
}
