/* rpc: a blocking mutual-TLS connection to kartad that sends requests and reads replies.
 * The client is a short-lived command, so blocking I/O with socket timeouts keeps it simple.
 * The server certificate is verified against the CA and the configured host name. */
#ifndef KT_RPC_H
#define KT_RPC_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "karta.pb-c.h"

struct rpc;

enum rpc_result {
	RPC_OK = 0,
	RPC_TRANSPORT = -1, /* connection, TLS or framing failure */
	RPC_SERVER = -2,    /* the server answered with Error (see rpc_last_status) */
	RPC_FRAME_NOT_OURS = 1, /* rpc_frame_reply only: a push or a stale reply */
};

struct rpc_opts {
	const char *server;      /* host:port, [v6]:port */
	const char *server_name; /* name the certificate must carry; default: the host */
	const char *cert_file, *key_file, *ca_file;
	int timeout_s;
	bool *unreachable;       /* set when the server cannot be reached at all (optional) */
	bool *transient;         /* set to whether the failure may pass by itself: not reached,
				    connection lost, or the server busy (optional) */
};

/* Connects, handshakes TLS, sends Hello and reads Welcome. NULL with err on failure; err
 * carries the server's message when it refused us (unknown device, revoked...). */
struct rpc *rpc_open(const struct rpc_opts *o, char *err, size_t errlen);
void rpc_close(struct rpc *r);

/* The Welcome the server sent (owned by r). */
const Karta__Welcome *rpc_welcome(const struct rpc *r);

/* Sends req and waits for the reply to it. On RPC_OK *reply is an unpacked message of
 * reply_desc (free with protobuf_c_message_free_unpacked). Server pushes that arrive
 * meanwhile are skipped (GoAway ends the call with RPC_TRANSPORT). */
enum rpc_result rpc_call(struct rpc *r, const ProtobufCMessage *req,
	const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply, char *err,
	size_t errlen);

/* rpc_call in two halves, so a request can be sent before the reply to the one before it
 * is handled (a pull pipelines its pages): rpc_send sends req under a new request id (*id);
 * rpc_recv waits for the reply to id. Replies come in the order the requests went; a reply
 * to an earlier id not yet received is skipped as stale, so receive in order. */
enum rpc_result rpc_send(struct rpc *r, const ProtobufCMessage *req, uint32_t *id, char *err,
	size_t errlen);
enum rpc_result rpc_recv(struct rpc *r, uint32_t id, const ProtobufCMessageDescriptor *reply_desc,
	ProtobufCMessage **reply, char *err, size_t errlen);
/* rpc_recv with the reply unpacked by alloc (a pull's page into one arena): free it as alloc
 * frees. */
enum rpc_result rpc_recv_in(struct rpc *r, uint32_t id, const ProtobufCMessageDescriptor *reply_desc,
	ProtobufCAllocator *alloc, ProtobufCMessage **reply, char *err, size_t errlen);

/* Waits up to timeout_ms for a server push (request_id 0). RPC_OK with *type (and the
 * payload dropped) when one came; 1 on timeout; RPC_TRANSPORT when the connection ended
 * (GoAway included). */
int rpc_wait_push(struct rpc *r, int timeout_ms, uint16_t *type, char *err, size_t errlen);

/* Status of the last Error reply. */
Karta__Status rpc_last_status(const struct rpc *r);
/* Whether the last failure may pass by itself (a restart, a failover): the connection
 * ended without a TLS error, or the server answered BUSY, SHUTTING_DOWN or TIMEOUT. Such a
 * request is safe to send again on a new connection (an Upload is applied once: op ids). */
bool rpc_transient(const struct rpc *r);

/* What one frame (type, request_id, payload p of len bytes) read while waiting for the reply
 * to request id means: RPC_OK with *reply unpacked as desc; RPC_SERVER for an Error (its
 * status in *status, its message in err); RPC_TRANSPORT for GoAway, a reply of another type
 * or one that does not decode; RPC_FRAME_NOT_OURS for a push or a stale reply (read on).
 * Pure: how the client reads what a server sends (tests/fuzz/fuzz_reply.c). */
enum rpc_result rpc_frame_reply(uint16_t type, uint32_t request_id, const uint8_t *p,
	uint32_t len, uint32_t id, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **reply,
	Karta__Status *status, char *err, size_t errlen);

/* Low level, for tests and tools: send one raw frame / read one frame (payload malloc'd). */
int rpc_send_raw(struct rpc *r, uint16_t type, uint32_t request_id, const uint8_t *payload,
	uint32_t len);

#endif
