/* session: the layer between conn (frames) and the handlers (see session.h).
 * Invariants: before Welcome only Hello is accepted; a request is checked against its route
 * (state, the device's role) before it is unpacked, and once, here — handlers assume it
 * passed; an unknown or server-bound-only type gets an Error reply and the connection stays;
 * a message that does not unpack gets BAD_REQUEST. The write messages (PlanPut, ItemPut, …)
 * travel only as ops inside an Upload: sent as a frame of their own (an old client) they get
 * UNKNOWN_TYPE naming the Upload. */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>

#include "auth.h"
#include "conn.h"
#include "handlers/handlers.h"
#include "kt_log.h"
#include "kt_msg.h"
#include "listen.h"
#include "server.h"

enum route_flag {
	R_HELLO = 1, /* the opening request: only before Welcome, never after */
	R_WRITE = 2, /* writes (or dry-runs a write) */
	R_BATCH = 4, /* carries ops, each authorized and answered on its own (an outbox needs
	              * an answer per op): the SQL write functions refuse a viewer's ops */
};

struct route {
	uint16_t type;
	handler_fn fn;
	unsigned flags;
	enum session_role min_role; /* below it: PERMISSION_DENIED, the handler never runs */
};

static const struct route routes[] = {
	{KT_MSG_HELLO, h_session_hello, R_HELLO, ROLE_NONE},
	{KT_MSG_PING, h_session_ping, 0, ROLE_VIEWER},
	{KT_MSG_PLAN_LIST_REQ, h_plan_list, 0, ROLE_VIEWER},
	{KT_MSG_PLAN_GET, h_plan_get, 0, ROLE_VIEWER},
	/* the dry run only (the import itself is an op): what it checks, a viewer may not do */
	{KT_MSG_PLAN_IMPORT, h_plan_import, R_WRITE, ROLE_OPERATOR},
	{KT_MSG_ITEM_HISTORY_REQ, h_item_history, 0, ROLE_VIEWER},
	{KT_MSG_ITEM_GET, h_item_get, 0, ROLE_VIEWER},
	{KT_MSG_PULL, h_pull, 0, ROLE_VIEWER},
	{KT_MSG_SNAPSHOT_REQ, h_snapshot, 0, ROLE_VIEWER},
	{KT_MSG_UPLOAD, h_upload, R_WRITE | R_BATCH, ROLE_VIEWER},
	{KT_MSG_TABLE_REQ, h_table, 0, ROLE_VIEWER},
};

static const struct route *route_for(uint16_t type)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (routes[i].type == type)
			return &routes[i];
	return NULL;
}

/* --- what handlers use ---------------------------------------------------------------- */

void session_log(const struct session *s, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	conn_vlog(s->conn, NULL, level, fmt, ap);
	va_end(ap);
}

void session_log_limited(const struct session *s, struct kt_log_limit *lim, int level,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	conn_vlog(s->conn, lim, level, fmt, ap);
	va_end(ap);
}

void session_ref(struct session *s) { conn_ref(s->conn); }
void session_unref(struct session *s) { conn_unref(s->conn); }
bool session_gone(const struct session *s) { return conn_closing(s->conn); }
bool session_backlogged(const struct session *s) { return conn_backlogged(s->conn); }
void session_close(struct session *s, const char *why) { conn_close(s->conn, why); }

void session_established(struct session *s)
{
	s->welcomed = true;
	conn_established(s->conn);
}

void session_subscribe(struct session *s, const long long *feed_ids, const char *const *codes,
	const long long *seqs, size_t n)
{
	listen_subscribe_at(s->pokes, s, feed_ids, codes, seqs, n);
}

static void fill_pack(void *arg, uint8_t *dst)
{
	protobuf_c_message_pack(arg, dst);
}

int session_reply(struct session *s, uint32_t request_id, const ProtobufCMessage *msg)
{
	uint16_t type = kt_msg_type_of(msg);
	size_t len = protobuf_c_message_get_packed_size(msg);
	metrics_reply(s->metrics, &s->mreq, request_id, type,
		type == KT_MSG_ERROR ? (int)((const Karta__Error *)(const void *)msg)->status : 0);
	if (!type || len > kt_msg_max_payload(type, (uint32_t)s->cfg->max_frame)) {
		session_log(s, KT_LOG_ERROR, "event=reply_too_large type=%u bytes=%zu", type, len);
		return -1;
	}
	return conn_send_frame_with(s->conn, type, request_id, (uint32_t)len, fill_pack,
		(void *)(uintptr_t)msg);
}

int session_error(struct session *s, uint32_t request_id, Karta__Status status,
	const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	Karta__Error e = KARTA__ERROR__INIT;
	e.status = status;
	e.message = text;
	if (status == KARTA__STATUS__STATUS_UNSUPPORTED_VERSION) {
		e.proto_min = KT_PROTO_MIN;
		e.proto_max = KT_PROTO_MAX;
	}
	return session_reply(s, request_id, &e.base);
}

/* --- the dispatcher ------------------------------------------------------------------- */

int session_frame(struct session *s, const struct kt_frame_hdr *h, const uint8_t *payload)
{
	const struct kt_msg_info *mi = kt_msg_info(h->type);
	const struct route *r = route_for(h->type);
	metrics_request(s->metrics, &s->mreq, mi && r ? h->type : 0, h->request_id);
	if (mi && mi->dir == KT_OP_BODY) {
		session_log(s, KT_LOG_INFO, "event=retired_type type=%s", mi->name);
		session_error(s, h->request_id, KARTA__STATUS__STATUS_UNKNOWN_TYPE,
			"%s is not supported as a request: writes are sent as ops inside an Upload "
			"(the outbox)", mi->name);
		return 0;
	}
	if (!mi || !r) {
		session_log(s, KT_LOG_INFO, "event=unknown_type type=%u", h->type);
		session_error(s, h->request_id, KARTA__STATUS__STATUS_UNKNOWN_TYPE,
			"unknown message type %u", h->type);
		return 0;
	}
	if (!s->welcomed && !(r->flags & R_HELLO)) {
		session_error(s, h->request_id, KARTA__STATUS__STATUS_PROTOCOL,
			"%s before Hello", mi->name);
		return -1;
	}
	if (s->welcomed && (r->flags & R_HELLO)) {
		session_error(s, h->request_id, KARTA__STATUS__STATUS_PROTOCOL, "second %s", mi->name);
		return 0;
	}
	if (s->who.rank < r->min_role) {
		session_log(s, KT_LOG_INFO, "event=denied type=%s role=%s", mi->name, s->who.role);
		session_error(s, h->request_id, KARTA__STATUS__STATUS_PERMISSION_DENIED, "%s",
			r->flags & R_WRITE ? "this device cannot write"
					   : "this device may not send this request");
		return 0;
	}
	ProtobufCMessage *msg = protobuf_c_message_unpack(mi->desc, NULL, h->len, payload);
	if (!msg) {
		session_log(s, KT_LOG_INFO, "event=bad_message type=%s bytes=%u", mi->name, h->len);
		session_error(s, h->request_id, KARTA__STATUS__STATUS_BAD_REQUEST,
			"%s does not decode", mi->name);
		return s->welcomed ? 0 : -1;
	}
	int rc = r->fn(s, h->request_id, msg);
	protobuf_c_message_free_unpacked(msg, NULL);
	return rc;
}

/* --- what conn calls (struct conn_cb) ------------------------------------------------- */

static void on_ready(void *up) { auth_start(up); }

static int on_frame(void *up, const struct kt_frame_hdr *h, const uint8_t *payload)
{
	return session_frame(up, h, payload);
}

static void on_close(void *up, enum conn_fault fault, const char *text)
{
	struct session *s = up;
	if (fault == CONN_FAULT_TIMEOUT)
		session_error(s, 0, KARTA__STATUS__STATUS_TIMEOUT, "%s", text);
	else if (fault == CONN_FAULT_BUSY)
		session_error(s, 0, KARTA__STATUS__STATUS_BUSY, "%s", text);
	listen_forget(s->pokes, s); /* no Poke reaches a closing connection */
	h_pull_forget(s);           /* nor a page read ahead */
}

static const struct conn_cb session_cb = {on_ready, on_frame, on_close};

void session_init(struct session *s, struct conn *c, struct server *srv)
{
	s->conn = c;
	s->cfg = &srv->cfg;
	s->db = srv->db;
	s->metrics = srv->metrics;
	s->pokes = srv->feed_listener;
}

struct conn *session_accept(struct server *srv, int fd, const char *peer)
{
	struct conn *c = conn_new(srv, fd, peer, &session_cb, sizeof(struct session));
	if (c)
		session_init(conn_up(c), c, srv);
	return c;
}

void session_shutdown(struct session *s)
{
	static char reason[] = "server shutting down";
	if (s->welcomed) {
		Karta__GoAway bye = KARTA__GO_AWAY__INIT;
		bye.reason = reason;
		session_reply(s, 0, &bye.base);
	}
	conn_shutdown(s->conn, "shutdown");
}
