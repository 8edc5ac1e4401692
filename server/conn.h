/* conn: one client connection — TLS over a bufferevent, timeouts, framing, backpressure and
 * a reference count so that work finishing after a disconnect (a database reply) is safe.
 *
 * Lifecycle: conn_new (accept) → TLS handshake → identity lookup (auth.c) → frames are
 * handed to session_frame → conn_close marks it closing, flushes what is queued, and frees
 * it on a later loop turn; the memory goes when the last reference is dropped.
 * The connection layer knows nothing of protobuf: it moves frames. */
#ifndef KT_CONN_H
#define KT_CONN_H

#include <event2/bufferevent.h>
#include <stdbool.h>
#include <stdint.h>

#include "kt_frame.h"
#include "kt_tls.h"
#include "metrics.h"

struct server;

enum conn_state {
	CONN_TLS,         /* handshake in progress */
	CONN_AUTH,        /* certificate known, device lookup running: frames wait */
	CONN_HELLO,       /* device active: the first frame must be Hello */
	CONN_READY,       /* Welcome sent */
};

struct conn_identity {
	char fingerprint[KT_FINGERPRINT_LEN + 1];
	long long device_id, org_id;
	char org_code[40];
	char org_name[512];
	char org_level[16];
	char parent_code[40];
	char role[16];
};

struct conn {
	struct conn *prev, *next; /* server's list */
	struct server *srv;
	struct bufferevent *bev;
	struct event *hello_timer; /* TLS + Hello deadline */
	struct event *close_ev;    /* deferred close */
	uint64_t id;
	int refs;
	enum conn_state state;
	bool closing;
	bool clean_close; /* keep the TLS session resumable */
	bool paused;      /* reading stopped by the output high-water mark */
	char peer[64];
	struct conn_identity who;
	uint32_t proto;
	/* guard.c: what this connection holds of the server's limits */
	struct event *frame_timer;  /* deadline of the frame being received */
	long long frame_started;    /* when its first byte came (monotonic seconds) */
	uint32_t frame_announced;   /* its payload size (0 while the header is incomplete) */
	uint32_t frame_reserved;    /* bytes of the input budget it holds */
	uint64_t addr_key;
	bool addr_counted, device_counted;
	struct metrics_req mreq; /* the request being timed (metrics.c) */
};

/* Takes ownership of fd. NULL on failure (fd closed). */
struct conn *conn_new(struct server *s, int fd, const char *peer);
void conn_ref(struct conn *c);
void conn_unref(struct conn *c);

/* Marks the connection closing: stops reading, flushes queued output (bounded in time), then
 * frees it on a later loop turn. Safe to call more than once and from any callback. */
void conn_close(struct conn *c, const char *why);

/* Queues one frame (header + payload) for sending. -1 if closing. */
int conn_send_frame(struct conn *c, uint16_t type, uint32_t request_id, const uint8_t *payload,
	uint32_t len);
/* Queues one frame whose payload is written by fill(arg, dst) into len reserved bytes. */
int conn_send_frame_with(struct conn *c, uint16_t type, uint32_t request_id, uint32_t len,
	void (*fill)(void *arg, uint8_t *dst), void *arg);

/* Called by auth when the device lookup is done (ok=false: already answered and closing). */
void conn_auth_done(struct conn *c, bool ok);
/* Called by the session after Welcome: switches to the idle timeout. */
void conn_established(struct conn *c);

/* Log with "conn=ID org=CODE" prefixed. */
void conn_log(const struct conn *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same for a line a peer can make repeat: rate-limited by lim (one per call site, see
 * kt_log_limited). */
struct kt_log_limit;
void conn_log_limited(const struct conn *c, struct kt_log_limit *lim, int level,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
