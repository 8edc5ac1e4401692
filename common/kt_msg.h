/* kt_msg: the table of message types — number, name, protobuf descriptor, size limit and
 * direction. Everything that maps a frame type to a message goes through this table. */
#ifndef KT_MSG_H
#define KT_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "karta.pb-c.h"

#define KT_PROTO_MIN 1u
#define KT_PROTO_MAX 1u

enum kt_msg_type {
	KT_MSG_ERROR = 1,
	KT_MSG_HELLO = 2,
	KT_MSG_WELCOME = 3,
	KT_MSG_PING = 4,
	KT_MSG_PONG = 5,
	KT_MSG_GOAWAY = 6,
	KT_MSG_PLAN_LIST_REQ = 20,
	KT_MSG_PLAN_LIST = 21,
	KT_MSG_PLAN_GET = 22,
	KT_MSG_PLAN_PAGE = 23,
	KT_MSG_PLAN_PUT = 24,
	KT_MSG_PLAN_APPROVE = 25,
	KT_MSG_PLAN_DERIVE = 26,
	KT_MSG_PLAN_RESULT = 27,
	KT_MSG_ITEM_PUT = 28,
	KT_MSG_ITEM_MOVE = 29,
	KT_MSG_ITEM_DELETE = 30,
	KT_MSG_ITEM_RESULT = 31,
	KT_MSG_ITEM_HISTORY_REQ = 32,
	KT_MSG_ITEM_HISTORY = 33,
	KT_MSG_ITEM_GET = 34,
	KT_MSG_PLAN_IMPORT = 35,
	KT_MSG_IMPORT_RESULT = 36,
	KT_MSG_PULL = 40,
	KT_MSG_CHANGE_PAGE = 41,
	KT_MSG_SNAPSHOT_REQ = 42,
	KT_MSG_SNAPSHOT_PAGE = 43,
	KT_MSG_UPLOAD = 44,
	KT_MSG_UPLOAD_RESULT = 45,
	KT_MSG_CONFLICT_RESOLVE = 46,
	KT_MSG_POKE = 47,
	KT_MSG_RECORD_OP = 50,
	KT_MSG_TABLE_REQ = 51,
	KT_MSG_TABLE = 52,
};

enum kt_msg_dir {
	KT_OP_BODY = 0,   /* never a frame of its own: only the body of an op inside an Upload */
	KT_TO_SERVER = 1, /* a request a client may send */
	KT_TO_CLIENT = 2, /* a reply or push */
};

struct kt_msg_info {
	uint16_t type;
	const char *name;
	const ProtobufCMessageDescriptor *desc;
	uint32_t max_payload; /* 0: the connection's max_frame */
	unsigned dir;
};

/* The entry for a type, or NULL when the type is unknown. */
const struct kt_msg_info *kt_msg_info(uint16_t type);

/* Largest payload accepted for this type: min(its own limit, max_frame); unknown types get
 * max_frame so their payload can be skipped and answered with an error. */
uint32_t kt_msg_max_payload(uint16_t type, uint32_t max_frame);

/* An unpacked heap copy of m (whose parts may live on the stack or in an arena): free it
 * with protobuf_c_message_free_unpacked. NULL when out of memory. */
ProtobufCMessage *kt_msg_clone(const ProtobufCMessage *m);

/* The type number of a message instance (by its descriptor), or 0. */
uint16_t kt_msg_type_of(const ProtobufCMessage *msg);

/* Human name of a karta.Status value ("unauthenticated", ...). */
const char *kt_status_name(int status);
/* The status of a write function's word (ok, conflict, denied, not_found, bad, precondition,
 * busy); INTERNAL for any other. */
int kt_status_of_word(const char *w);

/* The same in the user's language (gettext): for messages people read, never for logs. */
const char *kt_status_text(int status);

#endif
