/* handlers: one function per request type, h_<domain>_<verb>. A handler gets the session
 * (who asks: session.h) and the unpacked request (borrowed: freed after it returns — copy
 * what an async step needs), already checked against its route (state, role: session.c),
 * and answers with session_reply/session_error now or from a database callback later
 * (holding a session reference meanwhile). Return -1 only to close the connection.
 * Handlers never see the connection (conn.h), the server (server.h) or libpq. */
#ifndef KT_HANDLERS_H
#define KT_HANDLERS_H

#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

struct session;

typedef int (*handler_fn)(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);

int h_session_hello(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);
int h_session_ping(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);

int h_plan_list(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);
int h_plan_get(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);
/* A PlanImport dry run; plan and item writes are Upload ops (h_upload.c, ops.c). */
int h_plan_import(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);

int h_item_get(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);
int h_item_history(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);

int h_pull(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);
int h_snapshot(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);
/* Drops the session's page read ahead (h_sync.c), when its connection closes. */
void h_pull_forget(struct session *sess);
int h_upload(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);

int h_table(struct session *sess, uint32_t request_id, const ProtobufCMessage *msg);

#endif
