/* session: unpack → state check → dispatch table → handler; reply packing.
 * Invariant: before Welcome only Hello is accepted; an unknown or server-bound-only type gets
 * an Error reply and the connection stays; a message that does not unpack gets BAD_REQUEST.
 * The write messages (PlanPut, ItemPut, …) travel only as ops inside an Upload: sent as a
 * frame of their own (an old client) they get UNKNOWN_TYPE naming the Upload. */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>

#include "handlers/handlers.h"
#include "kt_log.h"
#include "kt_msg.h"
#include "metrics.h"
#include "server.h"

struct route {
	uint16_t type;
	handler_fn fn;
	bool before_welcome; /* allowed while the connection waits for Hello */
};

static const struct route routes[] = {
	{KT_MSG_HELLO, h_session_hello, true},
	{KT_MSG_PING, h_session_ping, false},
	{KT_MSG_PLAN_LIST_REQ, h_plan_list, false},
	{KT_MSG_PLAN_GET, h_plan_get, false},
	{KT_MSG_PLAN_IMPORT, h_plan_import, false}, /* the dry run only; the write is an op */
	{KT_MSG_ITEM_HISTORY_REQ, h_item_history, false},
	{KT_MSG_ITEM_GET, h_item_get, false},
	{KT_MSG_PULL, h_pull, false},
	{KT_MSG_SNAPSHOT_REQ, h_snapshot, false},
	{KT_MSG_UPLOAD, h_upload, false},
	{KT_MSG_TABLE_REQ, h_table, false},
};

static const struct route *route_for(uint16_t type)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (routes[i].type == type)
			return &routes[i];
	return NULL;
}

static void fill_pack(void *arg, uint8_t *dst)
{
	protobuf_c_message_pack(arg, dst);
}

int session_reply(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg)
{
	uint16_t type = kt_msg_type_of(msg);
	size_t len = protobuf_c_message_get_packed_size(msg);
	metrics_reply(c, request_id, type,
		type == KT_MSG_ERROR ? (int)((const Karta__Error *)(const void *)msg)->status : 0);
	if (!type || len > kt_msg_max_payload(type, (uint32_t)c->srv->cfg.max_frame)) {
		conn_log(c, KT_LOG_ERROR, "event=reply_too_large type=%u bytes=%zu", type, len);
		return -1;
	}
	return conn_send_frame_with(c, type, request_id, (uint32_t)len, fill_pack,
		(void *)(uintptr_t)msg);
}

int session_error(struct conn *c, uint32_t request_id, Karta__Status status, const char *fmt, ...)
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
	return session_reply(c, request_id, &e.base);
}

int session_frame(struct conn *c, const struct kt_frame_hdr *h, const uint8_t *payload)
{
	const struct kt_msg_info *mi = kt_msg_info(h->type);
	const struct route *r = route_for(h->type);
	metrics_request(c, mi && r ? h->type : 0, h->request_id);
	if (mi && mi->dir == KT_OP_BODY) {
		conn_log(c, KT_LOG_INFO, "event=retired_type type=%s", mi->name);
		session_error(c, h->request_id, KARTA__STATUS__STATUS_UNKNOWN_TYPE,
			"%s is not supported as a request: writes are sent as ops inside an Upload "
			"(the outbox)", mi->name);
		return 0;
	}
	if (!mi || !r) {
		conn_log(c, KT_LOG_INFO, "event=unknown_type type=%u", h->type);
		session_error(c, h->request_id, KARTA__STATUS__STATUS_UNKNOWN_TYPE,
			"unknown message type %u", h->type);
		return 0;
	}
	if (c->state != CONN_READY && !r->before_welcome) {
		session_error(c, h->request_id, KARTA__STATUS__STATUS_PROTOCOL,
			"%s before Hello", mi->name);
		return -1;
	}
	if (c->state == CONN_READY && r->before_welcome) {
		session_error(c, h->request_id, KARTA__STATUS__STATUS_PROTOCOL, "second %s", mi->name);
		return 0;
	}
	ProtobufCMessage *msg = protobuf_c_message_unpack(mi->desc, NULL, h->len, payload);
	if (!msg) {
		conn_log(c, KT_LOG_INFO, "event=bad_message type=%s bytes=%u", mi->name, h->len);
		session_error(c, h->request_id, KARTA__STATUS__STATUS_BAD_REQUEST,
			"%s does not decode", mi->name);
		return c->state == CONN_READY ? 0 : -1;
	}
	int rc = r->fn(c, h->request_id, msg);
	protobuf_c_message_free_unpacked(msg, NULL);
	return rc;
}
