/* offline: plan and item reads answered from the local replica. */
#ifndef KT_OFFLINE_H
#define KT_OFFLINE_H

#include <protobuf-c/protobuf-c.h>

struct client;

/* PlanListRequest, PlanGetRequest (the whole plan in one page) and ItemGetRequest from the
 * replica; anything else needs the server. Returns an exit code (message printed). */
int offline_read(struct client *cl, const ProtobufCMessage *req, ProtobufCMessage **reply);

#endif
