/* handlers: one function per request type, h_<domain>_<verb>. A handler gets the unpacked
 * request (borrowed: freed after it returns — copy what an async step needs) and answers
 * with session_reply/session_error now or from a database callback later (holding a conn
 * reference meanwhile). Return -1 only to close the connection. */
#ifndef KT_HANDLERS_H
#define KT_HANDLERS_H

#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

struct conn;

typedef int (*handler_fn)(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);

int h_session_hello(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);
int h_session_ping(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);

int h_plan_list(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);
int h_plan_get(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);
/* A PlanImport dry run; plan and item writes are Upload ops (h_upload.c, ops.c). */
int h_plan_import(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);

int h_item_get(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);
int h_item_history(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);

int h_pull(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);
int h_snapshot(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);
int h_upload(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);

int h_table(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);

#endif
