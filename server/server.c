/* server: listener, signals (SIGTERM/SIGINT drain, SIGHUP TLS reload) and the drain loop.
 * Invariant: once draining, no connection is accepted and the loop ends as soon as every
 * connection is gone and the database pool is idle, or when drain_timeout runs out. */
#include "server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "db/db.h"
#include "kt_log.h"
#include "guard.h"
#include "metrics.h"
#include "session.h"

static time_t drain_deadline;

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
	void *arg)
{
	struct server *s = arg;
	char peer[64] = "?";
	char host[INET6_ADDRSTRLEN] = "";
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)(void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		snprintf(peer, sizeof peer, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		snprintf(peer, sizeof peer, "[%s]:%u", host, ntohs(in6->sin6_port));
	}
	guard_accept_ok(s);
	uint64_t key = guard_addr_key(sa);
	const char *refused = s->draining ? "draining"
		: s->nconns >= s->cfg.max_conns ? "max_conns"
		: !guard_addr_take(s, key) ? "max_conns_per_address" : NULL;
	if (refused) {
		metrics_inc(s->metrics, s->draining ? M_REFUSED_DRAINING : M_REFUSED_MAX_CONNS);
		static struct kt_log_limit lim; /* a flood must not flood the log */
		kt_log_limited(&lim, KT_LOG_WARN, "event=accept_refused peer=%s reason=%s", peer,
			refused);
		close(fd);
		return;
	}
	int one = 1; /* replies are small and latency-bound: no Nagle */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	metrics_inc(s->metrics, M_ACCEPTED);
	struct conn *c = session_accept(s, fd, peer);
	if (!c) {
		guard_addr_put(s, key);
		return;
	}
	c->addr_key = key;
	c->addr_counted = true;
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	guard_accept_error(arg, EVUTIL_SOCKET_ERROR());
}

int server_listen(struct server *s)
{
	struct sockaddr_storage ss;
	int sslen = sizeof ss;
	if (evutil_parse_sockaddr_port(s->cfg.listen, (struct sockaddr *)&ss, &sslen) != 0) {
		kt_log(KT_LOG_ERROR, "event=listen_failed addr=%s reason=\"not an address:port\"",
			s->cfg.listen);
		return -1;
	}
	s->listener = evconnlistener_new_bind(s->base, accept_cb, s,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 1024,
		(struct sockaddr *)&ss, sslen);
	if (!s->listener) {
		kt_log(KT_LOG_ERROR, "event=listen_failed addr=%s reason=\"%s\"", s->cfg.listen,
			strerror(errno));
		return -1;
	}
	evconnlistener_set_error_cb(s->listener, accept_error_cb);
	kt_log(KT_LOG_INFO, "event=listening addr=%s", s->cfg.listen);
	return 0;
}

int server_reload_tls(struct server *s)
{
	char err[512];
	SSL_CTX *ctx = kt_tls_server_ctx(s->cfg.cert_file, s->cfg.key_file, s->cfg.ca_file, err,
		sizeof err);
	if (!ctx) {
		kt_log(KT_LOG_ERROR, "event=tls_reload status=failed reason=\"%s\" keeping=old", err);
		return -1;
	}
	SSL_CTX_free(s->ssl_ctx); /* connections hold their own references */
	s->ssl_ctx = ctx;
	kt_log(KT_LOG_INFO, "event=tls_reload status=ok");
	return 0;
}

static void drain_check(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	if (s->nconns == 0 && db_pool_idle(s->db)) {
		kt_log(KT_LOG_INFO, "event=drained");
		event_base_loopexit(s->base, NULL);
	} else if (time(NULL) >= drain_deadline) {
		kt_log(KT_LOG_WARN, "event=drain_timeout open_conns=%ld", s->nconns);
		event_base_loopbreak(s->base);
	}
}

void server_conn_gone(struct server *s)
{
	if (s->draining && s->nconns == 0)
		event_active(s->drain_timer, EV_TIMEOUT, 1);
}

static void on_term(evutil_socket_t sig, short what, void *arg)
{
	struct server *s = arg;
	if (s->draining) {
		kt_log(KT_LOG_WARN, "event=shutdown_now signal=%d", (int)sig);
		event_base_loopbreak(s->base);
		return;
	}
	s->draining = true;
	kt_log(KT_LOG_INFO, "event=draining signal=%d conns=%ld", (int)sig, s->nconns);
	if (s->listener)
		evconnlistener_disable(s->listener);
	for (struct conn *c = s->conns; c; c = c->next)
		session_shutdown(conn_up(c)); /* GoAway to the welcomed, then close */
	drain_deadline = time(NULL) + s->cfg.drain_timeout;
	struct timeval tick = {0, 100 * 1000};
	event_add(s->drain_timer, &tick);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	server_reload_tls(arg);
}

int server_signals(struct server *s)
{
	signal(SIGPIPE, SIG_IGN);
	s->sig_term = evsignal_new(s->base, SIGTERM, on_term, s);
	s->sig_int = evsignal_new(s->base, SIGINT, on_term, s);
	s->sig_hup = evsignal_new(s->base, SIGHUP, on_hup, s);
	s->drain_timer = event_new(s->base, -1, EV_PERSIST, drain_check, s);
	if (!s->sig_term || !s->sig_int || !s->sig_hup || !s->drain_timer)
		return -1;
	if (event_add(s->sig_term, NULL) || event_add(s->sig_int, NULL) || event_add(s->sig_hup, NULL))
		return -1;
	return 0;
}
