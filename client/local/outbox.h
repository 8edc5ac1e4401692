/* outbox: writes go to the local outbox first, then to the server when it is reachable. */
#ifndef KT_OUTBOX_H
#define KT_OUTBOX_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>

struct client;

/* A write request (plan, item, import without --dry-run, conflict resolution, RecordOp).
 * A RecordOp's reply_desc is karta__op_result__descriptor: the server's OpResult (offline:
 * outcome RETRY_LATER, message "queued"). */
bool outbox_is_write(const ProtobufCMessage *req);

/* Queues req; sends the outbox and pulls when the server is reachable. *reply is what a
 * direct request would have answered (reply_desc), built from the server's rows; offline,
 * the request's own row, with a note on stderr. Returns an exit code (message printed). */
int outbox_call(struct client *cl, const ProtobufCMessage *req,
	const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply);

#endif
