/* session: protobuf over frames — unpack a request, check it may be sent in this state,
 * dispatch it through the handler table, pack replies and errors. Knows nothing of sockets
 * (conn.h moves the bytes) nor of libpq (handlers go through db.h). */
#ifndef KT_SESSION_H
#define KT_SESSION_H

#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

#include "conn.h"
#include "karta.pb-c.h"

/* One complete frame from conn. Returns -1 to close the connection. */
int session_frame(struct conn *c, const struct kt_frame_hdr *h, const uint8_t *payload);

/* Packs msg into a frame of its type. -1 if it cannot be sent (closing, too big). */
int session_reply(struct conn *c, uint32_t request_id, const ProtobufCMessage *msg);

/* Sends an Error reply: status + printf-style message (no personal data). */
int session_error(struct conn *c, uint32_t request_id, Karta__Status status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
