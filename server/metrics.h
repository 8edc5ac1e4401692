/* metrics: what an operator watches — counters, gauges and latency histograms of kartad in
 * the Prometheus text format (GET /metrics), and a health answer for HAProxy (GET /health:
 * 200 "ok" when the loop runs, the database pool has a live connection and the server is
 * not draining; 503 with the reason otherwise). Served by evhttp on its own port
 * (metrics_listen, loopback by default), never on the client port.
 *
 * Counting is one call at the place it happens (metrics_inc(s->metrics, M_…)); gauges (the
 * connections by state, the pool, the listener) are read at scrape time from their owners.
 * Labels carry message type names, statuses and fixed reasons only: no organization name,
 * no device, no personal data. */
#ifndef KT_METRICS_H
#define KT_METRICS_H

#include <stdbool.h>
#include <stdint.h>

struct conn;
struct server;
struct metrics;

enum metric_counter {
	M_ACCEPTED,          /* TCP connections accepted */
	M_REFUSED_MAX_CONNS, /* closed at accept: max_conns reached */
	M_REFUSED_DRAINING,  /* closed at accept: draining */
	M_TLS_OK,            /* handshakes with a verified client certificate */
	M_TLS_FAILED,        /* handshakes that failed or carried no verified certificate */
	M_AUTH_OK,           /* devices known and active */
	M_AUTH_UNKNOWN,      /* certificate not registered */
	M_AUTH_REVOKED,      /* device revoked */
	M_AUTH_BUSY,         /* the device lookup could not run (database away or queue full) */
	M_UPLOAD_APPLIED,    /* ops of Uploads, by outcome (same order as Karta__OpOutcome) */
	M_UPLOAD_DUPLICATE,
	M_UPLOAD_CONFLICT,
	M_UPLOAD_REJECTED,
	M_UPLOAD_RETRY,
	M_POKES,             /* Poke frames sent */
	M_PULL_AHEAD_USED,   /* Pulls answered from the page read ahead for them (h_sync.c) */
	M_PULL_AHEAD_DROPPED, /* pages read ahead that no Pull asked for */
	M_COUNTER_N
};

/* A latency histogram in seconds with fixed buckets (metrics.c: 0.5 ms … 10 s). Owners
 * that know nothing of the server (db.c) keep their own and metrics reads them. */
#define METRICS_BUCKETS 14
struct metrics_hist {
	uint64_t bucket[METRICS_BUCKETS + 1]; /* non-cumulative; the last is +Inf */
	uint64_t count;
	double sum;
};
void metrics_hist_observe(struct metrics_hist *h, double seconds);

/* One request being timed on a connection (the first in flight; the client sends one at a
 * time). Lives in struct session. */
struct metrics_req {
	uint64_t t0_ns;
	uint32_t request_id;
	uint16_t type;
	bool open;
};

/* NULL on allocation failure. The HTTP side starts with metrics_listen. */
struct metrics *metrics_new(void);
/* Binds addr:port ("" = off) on the server's loop. -1 with a logged reason. */
int metrics_listen(struct metrics *m, struct server *s, const char *addr)
	__attribute__((warn_unused_result));
void metrics_free(struct metrics *m);

/* All of these accept m == NULL (metrics not set up: nothing counted). */
void metrics_inc(struct metrics *m, enum metric_counter k);
void metrics_add(struct metrics *m, enum metric_counter k, uint64_t n);
/* Histogram of seconds from a feed's notification reaching kartad to its Poke leaving. */
void metrics_poke_lag(struct metrics *m, double seconds);

/* A request frame of this type arrived (session_frame); r is its session's timing slot. */
void metrics_request(struct metrics *m, struct metrics_req *r, uint16_t type,
	uint32_t request_id);
/* A reply left (session_reply): ends the timing of request_id; an Error counts as an error
 * of the request's type with its status name. */
void metrics_reply(struct metrics *m, struct metrics_req *r, uint32_t request_id,
	uint16_t reply_type, int status);

/* Monotonic clock in nanoseconds. */
uint64_t metrics_now_ns(void);

#endif
