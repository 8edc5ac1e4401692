/* conn: one client connection — TLS over a bufferevent, timeouts, framing, backpressure and
 * a reference count so that work finishing after a disconnect (a database reply) is safe.
 *
 * conn moves bytes and frames and nothing else. It calls the layer above only through the
 * callback table it is given (struct conn_cb, as pgbouncer's sbuf calls proto_cb): the peer
 * is verified (on_ready), a frame is complete (on_frame), the connection closes (on_close,
 * with the fault the peer is owed an answer about). It knows no protobuf, no device, no
 * session; the state of the layer above lives in the connection's memory (conn_up) and goes
 * with it.
 *
 * Lifecycle: conn_new (accept) → TLS handshake → on_ready; the layer above identifies the
 * peer and calls conn_accept_frames → frames go to on_frame → conn_close marks it closing,
 * flushes what is queued, and frees it on a later loop turn; the memory goes when the last
 * reference is dropped. */
#ifndef KT_CONN_H
#define KT_CONN_H

#include <event2/bufferevent.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kt_frame.h"
#include "kt_tls.h"

struct server;

enum conn_state {
	CONN_TLS,         /* handshake in progress */
	CONN_AUTH,        /* certificate verified, the layer above identifies it: frames wait */
	CONN_HELLO,       /* frames flow; only small ones (the first must be Hello) */
	CONN_READY,       /* established (conn_established): idle timeout, full frame size */
};

/* Why a connection closes, when the peer is owed an answer the layer above words. */
enum conn_fault {
	CONN_FAULT_NONE,    /* an ordinary close (or the layer above has answered already) */
	CONN_FAULT_TIMEOUT, /* a deadline passed: Hello, a frame */
	CONN_FAULT_BUSY,    /* a server limit: the input budget */
};

/* The layer above. up is conn_up(c). Every callback runs on the loop, never re-entered. */
struct conn_cb {
	/* The TLS handshake is done with a verified client certificate (conn_fingerprint).
	 * Ends in conn_accept_frames, or in conn_close. */
	void (*on_ready)(void *up);
	/* One complete frame (payload: h->len bytes, valid during the call). -1 closes. */
	int (*on_frame)(void *up, const struct kt_frame_hdr *h, const uint8_t *payload);
	/* The connection starts closing (once; frames may still be queued, nothing is read
	 * any more). fault != CONN_FAULT_NONE: text says what the peer should be told. */
	void (*on_close)(void *up, enum conn_fault fault, const char *text);
};

struct conn {
	struct conn *prev, *next; /* server's list */
	struct server *srv;
	const struct conn_cb *cb;
	struct bufferevent *bev;
	struct event *hello_timer; /* TLS + Hello deadline */
	struct event *close_ev;    /* deferred close */
	uint64_t id;
	int refs;
	enum conn_state state;
	bool closing;
	bool closing_cb;  /* inside cb->on_close */
	bool clean_close; /* keep the TLS session resumable */
	bool paused;      /* reading stopped by the output high-water mark */
	char peer[64];
	char label[40];   /* "org=" of the log lines (conn_set_label), "-" until set */
	char fingerprint[KT_FINGERPRINT_LEN + 1]; /* of the verified client certificate */
	/* guard.c: what this connection holds of the server's limits */
	struct event *frame_timer;  /* deadline of the frame being received */
	long long frame_started;    /* when its first byte came (monotonic seconds) */
	uint32_t frame_announced;   /* its payload size (0 while the header is incomplete) */
	uint32_t frame_reserved;    /* bytes of the input budget it holds */
	uint64_t addr_key, device_key;
	bool addr_counted, device_counted;
	alignas(max_align_t) unsigned char up[]; /* the layer above's state (conn_up) */
};

/* Takes ownership of fd; reserves up_size zeroed bytes for the layer above (conn_up), freed
 * with the connection. NULL on failure (fd closed). */
struct conn *conn_new(struct server *s, int fd, const char *peer, const struct conn_cb *cb,
	size_t up_size);
void *conn_up(struct conn *c);
void conn_ref(struct conn *c);
void conn_unref(struct conn *c);

/* Marks the connection closing: stops reading, flushes queued output (bounded in time), then
 * frees it on a later loop turn. Safe to call more than once and from any callback. */
void conn_close(struct conn *c, const char *why);
/* The same when the peer is owed an answer: on_close gets fault and the formatted text. */
void conn_fail(struct conn *c, enum conn_fault fault, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A close on the server's initiative (shutdown) or the peer's: once established, the TLS
 * session stays resumable. */
void conn_shutdown(struct conn *c, const char *why);
/* True once closing: nothing more is sent. */
bool conn_closing(const struct conn *c);
/* True while the peer is not reading: queued output above out_high_water. */
bool conn_backlogged(const struct conn *c);

/* Queues one frame (header + payload) for sending. -1 if closing. */
int conn_send_frame(struct conn *c, uint16_t type, uint32_t request_id, const uint8_t *payload,
	uint32_t len);
/* Queues one frame whose payload is written by fill(arg, dst) into len reserved bytes. */
int conn_send_frame_with(struct conn *c, uint16_t type, uint32_t request_id, uint32_t len,
	void (*fill)(void *arg, uint8_t *dst), void *arg);

/* After on_ready, when the layer above accepts the peer: frames start to flow. */
void conn_accept_frames(struct conn *c);
/* After the layer above's handshake (Welcome): switches to the idle timeout and the full
 * frame size. */
void conn_established(struct conn *c);
/* What the log lines name as org= (at most 39 bytes kept). */
void conn_set_label(struct conn *c, const char *label);

/* Log with "conn=ID org=LABEL" prefixed. */
void conn_log(const struct conn *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same for a line a peer can make repeat: rate-limited by lim (one per call site, see
 * kt_log_limited). */
struct kt_log_limit;
void conn_log_limited(const struct conn *c, struct kt_log_limit *lim, int level,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* What both are made of (lim NULL: not rate-limited), for the layer above's own wrappers. */
void conn_vlog(const struct conn *c, struct kt_log_limit *lim, int level, const char *fmt,
	va_list ap) __attribute__((format(printf, 4, 0)));

#endif
