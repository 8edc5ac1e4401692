/* server: the process-wide state of kartad, passed explicitly (no globals but the
 * signal-free ones in main). One event loop, one thread. */
#ifndef KT_SERVER_H
#define KT_SERVER_H

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct conn;
struct db_pool;
struct guard;
struct listener;
struct metrics;

struct server {
	struct event_base *base;
	struct server_cfg cfg;
	SSL_CTX *ssl_ctx; /* swapped on SIGHUP; live SSLs keep their own reference */
	struct evconnlistener *listener;
	struct db_pool *db;
	struct listener *feed_listener; /* LISTEN karta_feed → Pokes (listen.h) */
	struct guard *guard; /* connection caps, input budget, accept pause */
	struct metrics *metrics;        /* counters, /metrics and /health (metrics.h) */
	struct event *sig_term, *sig_int, *sig_hup, *drain_timer;
	struct conn *conns; /* doubly linked list of open connections */
	long nconns;
	uint64_t next_conn_id;
	bool draining;
};

/* Binds the listener; -1 with a logged reason. */
int server_listen(struct server *s) __attribute__((warn_unused_result));
/* Installs SIGTERM/SIGINT (drain) and SIGHUP (TLS reload) handlers on the loop. */
int server_signals(struct server *s) __attribute__((warn_unused_result));
/* Builds a new TLS context from the configured files and swaps it in; keeps the old one on
 * error. Returns 0 or -1. */
int server_reload_tls(struct server *s);
/* Called by conn when a connection is gone; ends the loop when draining and nothing is left. */
void server_conn_gone(struct server *s);

#endif
