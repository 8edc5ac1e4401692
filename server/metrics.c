/* metrics: counters and histograms of kartad, rendered in the Prometheus text format
 * (exposition format 0.0.4) by an evhttp server on the metrics port, and the /health answer
 * for HAProxy (see metrics.h).
 *
 * Invariants: counting never allocates and never fails (fixed arrays; a message type past
 * the table is counted under type="other"); a scrape only reads. The HTTP server shares
 * the single event loop, so nothing here needs a lock. */
#include "metrics.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "db/db.h"
#include "kt_log.h"
#include "kt_msg.h"
#include "listen.h"
#include "server.h"

#define TYPES_MAX 40   /* request types tracked by name; more go under "other" */
#define STATUS_MAX 16  /* karta.Status values (proto/karta.proto) */

static const double bucket_le[METRICS_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

struct type_stat {
	uint16_t type; /* 0: "other" */
	uint64_t requests;
	uint64_t errors[STATUS_MAX];
	struct metrics_hist latency;
};

struct metrics {
	uint64_t counter[M_COUNTER_N];
	struct type_stat types[TYPES_MAX + 1]; /* the last: "other" */
	size_t ntypes;
	struct evhttp *http;
	struct server *srv;
	time_t started;
};

static const struct {
	const char *name, *labels, *help;
} counter_meta[M_COUNTER_N] = {
	[M_ACCEPTED] = {"karta_connections_accepted_total", "", "TCP connections accepted"},
	[M_REFUSED_MAX_CONNS] = {"karta_connections_refused_total", "reason=\"max_conns\"",
		"connections closed at accept"},
	[M_REFUSED_DRAINING] = {"karta_connections_refused_total", "reason=\"draining\"", NULL},
	[M_TLS_OK] = {"karta_tls_handshakes_total", "result=\"ok\"",
		"TLS handshakes (failed: error or no verified client certificate)"},
	[M_TLS_FAILED] = {"karta_tls_handshakes_total", "result=\"failed\"", NULL},
	[M_AUTH_OK] = {"karta_device_auth_total", "result=\"ok\"",
		"device lookups after the handshake, by result"},
	[M_AUTH_UNKNOWN] = {"karta_device_auth_total", "result=\"unknown\"", NULL},
	[M_AUTH_REVOKED] = {"karta_device_auth_total", "result=\"revoked\"", NULL},
	[M_AUTH_BUSY] = {"karta_device_auth_total", "result=\"unavailable\"", NULL},
	[M_UPLOAD_APPLIED] = {"karta_upload_ops_total", "outcome=\"applied\"",
		"ops received in Uploads, by outcome"},
	[M_UPLOAD_DUPLICATE] = {"karta_upload_ops_total", "outcome=\"duplicate\"", NULL},
	[M_UPLOAD_CONFLICT] = {"karta_upload_ops_total", "outcome=\"conflict\"", NULL},
	[M_UPLOAD_REJECTED] = {"karta_upload_ops_total", "outcome=\"rejected\"", NULL},
	[M_UPLOAD_RETRY] = {"karta_upload_ops_total", "outcome=\"retry_later\"", NULL},
	[M_POKES] = {"karta_pokes_sent_total", "", "Poke frames sent to subscribed connections"},
	[M_PULL_AHEAD_USED] = {"karta_pull_read_ahead_total", "result=\"used\"",
		"Pull pages read ahead of the client's request: answered from, or dropped unasked"},
	[M_PULL_AHEAD_DROPPED] = {"karta_pull_read_ahead_total", "result=\"dropped\"", NULL},
};

uint64_t metrics_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void metrics_hist_observe(struct metrics_hist *h, double seconds)
{
	int i = 0;
	while (i < METRICS_BUCKETS && seconds > bucket_le[i])
		i++;
	h->bucket[i]++;
	h->count++;
	h->sum += seconds;
}

void metrics_inc(struct metrics *m, enum metric_counter k)
{
	if (m)
		m->counter[k]++;
}

void metrics_add(struct metrics *m, enum metric_counter k, uint64_t n)
{
	if (m)
		m->counter[k] += n;
}

static struct type_stat *type_stat(struct metrics *m, uint16_t type)
{
	for (size_t i = 0; i < m->ntypes; i++)
		if (m->types[i].type == type)
			return &m->types[i];
	if (m->ntypes < TYPES_MAX && kt_msg_info(type)) {
		m->types[m->ntypes].type = type;
		return &m->types[m->ntypes++];
	}
	return &m->types[TYPES_MAX];
}

void metrics_request(struct metrics *m, struct metrics_req *r, uint16_t type,
	uint32_t request_id)
{
	if (!m)
		return;
	type_stat(m, type)->requests++;
	if (!r->open)
		*r = (struct metrics_req){metrics_now_ns(), request_id, type, true};
}

void metrics_reply(struct metrics *m, struct metrics_req *r, uint32_t request_id,
	uint16_t reply_type, int status)
{
	if (!m || reply_type == KT_MSG_POKE || reply_type == KT_MSG_GOAWAY)
		return;
	bool timed = r->open && r->request_id == request_id;
	uint16_t type = timed ? r->type : 0;
	if (reply_type == KT_MSG_ERROR)
		type_stat(m, type)->errors[status >= 0 && status < STATUS_MAX ? status : 0]++;
	if (timed) {
		metrics_hist_observe(&type_stat(m, type)->latency,
			(double)(metrics_now_ns() - r->t0_ns) / 1e9);
		r->open = false;
	}
}

/* --- rendering ------------------------------------------------------------------------- */

static void head(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void hist(struct evbuffer *b, const char *name, const char *labels,
	const struct metrics_hist *h)
{
	const char *sep = *labels ? "," : "";
	uint64_t cum = 0;
	for (int i = 0; i < METRICS_BUCKETS; i++) {
		cum += h->bucket[i];
		evbuffer_add_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep,
			bucket_le[i], (unsigned long long)cum);
	}
	evbuffer_add_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
		(unsigned long long)h->count);
	const char *open = *labels ? "{" : "", *close = *labels ? "}" : "";
	evbuffer_add_printf(b, "%s_sum%s%s%s %.6f\n%s_count%s%s%s %llu\n", name, open, labels, close,
		h->sum, name, open, labels, close, (unsigned long long)h->count);
}

static const char *type_name(uint16_t type)
{
	const struct kt_msg_info *mi = type ? kt_msg_info(type) : NULL;
	return mi ? mi->name : "other";
}

/* "permission denied" → "permission_denied" (label values stay identifiers). */
static const char *status_label(int status, char *buf, size_t len)
{
	snprintf(buf, len, "%s", kt_status_name(status));
	for (char *p = buf; *p; p++)
		if (*p == ' ')
			*p = '_';
	return buf;
}

static void render_requests(struct metrics *m, struct evbuffer *b)
{
	head(b, "karta_requests_total", "counter", "request frames received, by message type");
	for (size_t i = 0; i <= TYPES_MAX; i++)
		if (m->types[i].requests)
			evbuffer_add_printf(b, "karta_requests_total{type=\"%s\"} %llu\n",
				type_name(m->types[i].type), (unsigned long long)m->types[i].requests);
	head(b, "karta_request_errors_total", "counter",
		"Error replies, by request type and status");
	for (size_t i = 0; i <= TYPES_MAX; i++)
		for (int st = 0; st < STATUS_MAX; st++)
			if (m->types[i].errors[st]) {
				char sl[40];
				evbuffer_add_printf(b, "karta_request_errors_total{type=\"%s\",status=\"%s\"} %llu\n",
					type_name(m->types[i].type), status_label(st, sl, sizeof sl),
					(unsigned long long)m->types[i].errors[st]);
			}
	head(b, "karta_request_duration_seconds", "histogram",
		"seconds from a request frame to the first reply to it");
	for (size_t i = 0; i <= TYPES_MAX; i++)
		if (m->types[i].latency.count) {
			char labels[64];
			snprintf(labels, sizeof labels, "type=\"%s\"", type_name(m->types[i].type));
			hist(b, "karta_request_duration_seconds", labels, &m->types[i].latency);
		}
}

static void render_conns(struct server *s, struct evbuffer *b)
{
	static const char *const names[] = {"tls", "auth", "hello", "ready", "closing"};
	long n[5] = {0};
	for (struct conn *c = s->conns; c; c = c->next)
		n[c->closing ? 4 : (int)c->state % 4]++;
	head(b, "karta_connections", "gauge", "open client connections by state");
	for (int i = 0; i < 5; i++)
		evbuffer_add_printf(b, "karta_connections{state=\"%s\"} %ld\n", names[i], n[i]);
	head(b, "karta_connections_max", "gauge", "max_conns setting");
	evbuffer_add_printf(b, "karta_connections_max %ld\n", s->cfg.max_conns);
}

static void render_db(struct server *s, struct evbuffer *b)
{
	struct db_pool_stats d;
	db_pool_stats(s->db, &d);
	head(b, "karta_db_pool_connections", "gauge", "pooled PostgreSQL connections by state");
	evbuffer_add_printf(b, "karta_db_pool_connections{state=\"busy\"} %d\n", d.busy);
	evbuffer_add_printf(b, "karta_db_pool_connections{state=\"idle\"} %d\n", d.up - d.busy);
	evbuffer_add_printf(b, "karta_db_pool_connections{state=\"down\"} %d\n", d.size - d.up);
	head(b, "karta_db_queue_depth", "gauge", "queries waiting for a pooled connection");
	evbuffer_add_printf(b, "karta_db_queue_depth %d\n", d.queued);
	head(b, "karta_db_queries_total", "counter", "queries answered, by result");
	evbuffer_add_printf(b, "karta_db_queries_total{result=\"ok\"} %llu\n", d.queries - d.errors);
	evbuffer_add_printf(b, "karta_db_queries_total{result=\"error\"} %llu\n", d.errors);
	evbuffer_add_printf(b, "karta_db_queries_total{result=\"refused\"} %llu\n", d.refused);
	head(b, "karta_db_connects_total", "counter",
		"pooled connections established (first ones and reconnects)");
	evbuffer_add_printf(b, "karta_db_connects_total %llu\n", d.connects);
	head(b, "karta_db_connection_losses_total", "counter",
		"pooled connections lost or failed to open");
	evbuffer_add_printf(b, "karta_db_connection_losses_total %llu\n", d.losses);
	head(b, "karta_db_wait_seconds", "histogram", "seconds a query waited for a connection");
	hist(b, "karta_db_wait_seconds", "", d.wait);
	head(b, "karta_db_query_seconds", "histogram", "seconds from sending a query to its result");
	hist(b, "karta_db_query_seconds", "", d.query);

	struct listen_stats l;
	listen_stats(s->feed_listener, &l);
	head(b, "karta_listen_up", "gauge", "1 when LISTEN karta_feed is active");
	evbuffer_add_printf(b, "karta_listen_up %d\n", l.up ? 1 : 0);
	head(b, "karta_listen_connects_total", "counter",
		"LISTEN (re)established; each one pokes every subscriber");
	evbuffer_add_printf(b, "karta_listen_connects_total %llu\n", l.connects);
	head(b, "karta_listen_losses_total", "counter", "LISTEN connection lost or failed to open");
	evbuffer_add_printf(b, "karta_listen_losses_total %llu\n", l.losses);
	head(b, "karta_feed_notifications_total", "counter", "karta_feed notifications received");
	evbuffer_add_printf(b, "karta_feed_notifications_total %llu\n", l.notifications);
	head(b, "karta_subscribers", "gauge", "connections waiting for pokes");
	evbuffer_add_printf(b, "karta_subscribers %zu\n", l.subscribers);
	head(b, "karta_feed_lag_seconds", "histogram",
		"seconds from a feed's notification reaching kartad to the pokes leaving");
	hist(b, "karta_feed_lag_seconds", "", l.lag);
}

static void render(struct metrics *m, struct evbuffer *b)
{
	struct server *s = m->srv;
	head(b, "karta_up", "gauge", "1 while the event loop answers");
	evbuffer_add_printf(b, "karta_up 1\n");
	head(b, "karta_build_info", "gauge", "version of this kartad");
	evbuffer_add_printf(b, "karta_build_info{version=\"%s\"} 1\n", KT_VERSION);
	head(b, "karta_start_time_seconds", "gauge", "start time, seconds since the epoch");
	evbuffer_add_printf(b, "karta_start_time_seconds %lld\n", (long long)m->started);
	head(b, "karta_draining", "gauge", "1 once SIGTERM started the drain");
	evbuffer_add_printf(b, "karta_draining %d\n", s->draining ? 1 : 0);
	render_conns(s, b);
	const char *last = NULL;
	for (int k = 0; k < M_COUNTER_N; k++) {
		if (!last || strcmp(last, counter_meta[k].name) != 0) {
			for (int j = k; j < M_COUNTER_N; j++) /* the family's help is on its first row */
				if (strcmp(counter_meta[j].name, counter_meta[k].name) == 0 &&
				    counter_meta[j].help) {
					head(b, counter_meta[k].name, "counter", counter_meta[j].help);
					break;
				}
			last = counter_meta[k].name;
		}
		if (*counter_meta[k].labels)
			evbuffer_add_printf(b, "%s{%s} %llu\n", counter_meta[k].name,
				counter_meta[k].labels, (unsigned long long)m->counter[k]);
		else
			evbuffer_add_printf(b, "%s %llu\n", counter_meta[k].name,
				(unsigned long long)m->counter[k]);
	}
	render_requests(m, b);
	render_db(s, b);
}

/* --- HTTP ------------------------------------------------------------------------------ */

static void reply_text(struct evhttp_request *req, int code, const char *reason,
	struct evbuffer *body, const char *ctype)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, body);
}

static void on_metrics(struct evhttp_request *req, void *arg)
{
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	render(arg, b);
	reply_text(req, 200, "OK", b, "text/plain; version=0.0.4; charset=utf-8");
	evbuffer_free(b);
}

/* 200 "ok", or 503 naming the first thing wrong: what HAProxy's httpchk reads. */
static void on_health(struct evhttp_request *req, void *arg)
{
	struct metrics *m = arg;
	const char *why = m->srv->draining	   ? "draining"
		: !db_pool_up(m->srv->db) ? "database unreachable"
					   : NULL;
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	evbuffer_add_printf(b, "%s\n", why ? why : "ok");
	reply_text(req, why ? 503 : 200, why ? "Service Unavailable" : "OK", b,
		"text/plain; charset=utf-8");
	evbuffer_free(b);
}

static void on_other(struct evhttp_request *req, void *arg)
{
	evhttp_send_error(req, 404, "only /metrics and /health here");
}

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof *m);
	if (m)
		m->started = time(NULL);
	return m;
}

int metrics_listen(struct metrics *m, struct server *s, const char *addr)
{
	m->srv = s;
	if (!addr || !*addr)
		return 0;
	char host[256];
	const char *colon = strrchr(addr, ':');
	char *end = NULL;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	size_t hl = colon ? (size_t)(colon - addr) : 0;
	if (!colon || !end || *end || port <= 0 || port > 65535 || hl == 0 || hl >= sizeof host) {
		kt_log(KT_LOG_ERROR, "event=metrics_failed addr=%s reason=\"not an address:port\"",
			addr);
		return -1;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') { /* [::1]:7444 */
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	m->http = evhttp_new(s->base);
	if (!m->http)
		return -1;
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	evhttp_set_timeout(m->http, 10);
	evhttp_set_max_headers_size(m->http, 8192);
	evhttp_set_max_body_size(m->http, 0);
	evhttp_set_cb(m->http, "/metrics", on_metrics, m);
	evhttp_set_cb(m->http, "/health", on_health, m);
	evhttp_set_gencb(m->http, on_other, m);
	if (!evhttp_bind_socket_with_handle(m->http, host, (uint16_t)port)) {
		kt_log(KT_LOG_ERROR, "event=metrics_failed addr=%s reason=\"cannot bind: %s\"", addr,
			strerror(errno));
		return -1;
	}
	kt_log(KT_LOG_INFO, "event=metrics_listening addr=%s", addr);
	return 0;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	if (m->http)
		evhttp_free(m->http);
	free(m);
}
