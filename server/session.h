/* session: one authenticated peer as the handlers see it — who it is (device, organization,
 * role), the protocol version agreed in Hello, its live-update subscriptions — and protobuf
 * over frames: unpack a request, check it against the route table (state, role), dispatch
 * it to its handler, pack replies and errors. A session lives in its connection's memory
 * (conn_up) and is reached by handlers only through this header: they never see the
 * connection (conn.h) or the server (server.h). */
#ifndef KT_SESSION_H
#define KT_SESSION_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "karta.pb-c.h"
#include "kt_frame.h"
#include "kt_tls.h"
#include "metrics.h"

struct conn;
struct db_pool;
struct listener;
struct pending;
struct pull_ahead;
struct server;
struct subscriber;

/* Device roles, in order of what they may do (device.role, sql/0001). */
enum session_role { ROLE_NONE, ROLE_VIEWER, ROLE_OPERATOR, ROLE_COORDINATOR };

struct session_identity {
	char fingerprint[KT_FINGERPRINT_LEN + 1];
	long long device_id, org_id;
	char org_code[40];
	char org_name[512];
	char org_level[16];
	char parent_code[40];
	char role[16];
	enum session_role rank; /* role as an order */
};

struct session {
	struct conn *conn;              /* session.c and auth.c only */
	const struct server_cfg *cfg;
	struct db_pool *db;
	struct metrics *metrics;
	struct listener *pokes;         /* live updates (listen.h) */
	struct session_identity who;    /* set by auth.c before any frame is read */
	uint32_t proto;                 /* agreed in Hello */
	bool welcomed;                  /* Welcome sent */
	struct subscriber *subs;        /* the feeds it is subscribed to (listen.c) */
	struct pull_ahead *pull_ahead;  /* the next page read ahead (h_sync.c) */
	struct metrics_req mreq;        /* the request being timed (metrics.c) */
	struct upload_line {            /* h_upload.c: Uploads applied in order, answered in order */
		struct pending *head, *tail; /* received, waiting for the one being applied */
		struct pending *cur;    /* the one being applied, answered next */
		struct pending *par;    /* the next one, applied beside cur (upload.parallel) */
		int waiting;
		bool busy;              /* one is being applied (cur) */
		bool held;              /* one left an op to retry: later ones are answered so */
		bool prep_ok;           /* the one applied cannot change a plan's year */
	} uploads;
};

/* A new connection from the listener: a session in the connection's memory. NULL on
 * failure (fd closed). */
struct conn *session_accept(struct server *srv, int fd, const char *peer);
/* Sets up the session of connection c (what session_accept does after conn_new). */
void session_init(struct session *s, struct conn *c, struct server *srv);
/* Shutdown: a GoAway to an established peer, then the connection closes. */
void session_shutdown(struct session *s);

/* One complete frame. Returns -1 to close the connection. */
int session_frame(struct session *s, const struct kt_frame_hdr *h, const uint8_t *payload);

/* Packs msg into a frame of its type. -1 if it cannot be sent (closing, too big). */
int session_reply(struct session *s, uint32_t request_id, const ProtobufCMessage *msg);

/* Sends an Error reply: status + printf-style message (no personal data). */
int session_error(struct session *s, uint32_t request_id, Karta__Status status,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A reference keeps the session's memory (not the connection open) across an async step. */
void session_ref(struct session *s);
void session_unref(struct session *s);
/* True once the connection is closing: a late database reply is only dropped. */
bool session_gone(const struct session *s);
/* True while the peer is not reading its replies (output above out_high_water). */
bool session_backlogged(const struct session *s);
/* After Welcome: the idle timeout and the full frame size apply. */
void session_established(struct session *s);
/* Closes the connection (after the reply that explains why, if any). */
void session_close(struct session *s, const char *why);

/* Subscribes the session to feeds (listen.h listen_subscribe_at). */
void session_subscribe(struct session *s, const long long *feed_ids, const char *const *codes,
	const long long *seqs, size_t n);

/* Log with "conn=ID org=CODE" prefixed; the _limited form for lines a peer can repeat. */
void session_log(const struct session *s, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct kt_log_limit;
void session_log_limited(const struct session *s, struct kt_log_limit *lim, int level,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
