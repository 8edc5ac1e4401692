/* libFuzzer: what a hostile server sends back, read as the client reads it (client/rpc.c,
 * rpc_frame_reply, the loop of rpc_call): the first byte picks the request the client waits
 * for (its reply type), the rest is the byte stream of frames that arrives. Frames are cut
 * with kt_frame_decode under the client's frame limit; pushes and stale replies are skipped;
 * the first frame that is ours ends the wait: a decoded reply of exactly the type asked for,
 * a refusal whose message says "server refused", or a transport error that says why. A
 * decoded ChangePage, SnapshotPage or UploadResult is then walked as sync.c walks it.
 * Built with ASan/UBSan: never a crash, leak or bad read. */
#include <stdint.h>
#include <string.h>

#include "karta.pb-c.h"
#include "kt_frame.h"
#include "kt_msg.h"
#include "rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ProtobufCMessageDescriptor *const replies[] = {&karta__welcome__descriptor,
	&karta__change_page__descriptor, &karta__snapshot_page__descriptor,
	&karta__upload_result__descriptor, &karta__table__descriptor,
	&karta__plan_result__descriptor, &karta__item_result__descriptor,
	&karta__pong__descriptor};

static size_t walk(const ProtobufCMessage *m)
{
	size_t n = 0;
	if (m->descriptor == &karta__change_page__descriptor) {
		const Karta__ChangePage *pg = (const Karta__ChangePage *)m;
		for (size_t i = 0; i < pg->n_changes; i++)
			n += strlen(pg->changes[i]->feed) + strlen(pg->changes[i]->entity_type) +
				strlen(pg->changes[i]->payload);
		for (size_t i = 0; i < pg->n_feeds; i++)
			n += strlen(pg->feeds[i]->feed) + (size_t)pg->feeds[i]->action;
	} else if (m->descriptor == &karta__snapshot_page__descriptor) {
		const Karta__SnapshotPage *pg = (const Karta__SnapshotPage *)m;
		for (size_t i = 0; i < pg->n_rows; i++)
			n += strlen(pg->rows[i]->entity_type) + strlen(pg->rows[i]->entity_id);
		if (pg->feed)
			n += strlen(pg->feed->feed);
	} else if (m->descriptor == &karta__upload_result__descriptor) {
		const Karta__UploadResult *u = (const Karta__UploadResult *)m;
		for (size_t i = 0; i < u->n_results; i++)
			n += strlen(u->results[i]->op_id) + strlen(u->results[i]->message) +
				(size_t)(u->results[i]->outcome % 5);
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const ProtobufCMessageDescriptor *desc = replies[data[0] % (sizeof replies / sizeof replies[0])];
	uint32_t id = (uint32_t)(data[0] >> 4) + 1;
	data++;
	size--;
	while (size > 0) {
		struct kt_frame_hdr h;
		const char *why;
		if (kt_frame_decode(data, size, 1u << 20, &h, &why) != KT_FRAME_OK)
			return 0; /* the client ends the call with a framing error */
		ProtobufCMessage *reply = NULL;
		Karta__Status st = KARTA__STATUS__STATUS_OK;
		char err[256] = "";
		enum rpc_result rc = rpc_frame_reply(h.type, h.request_id, data + KT_FRAME_HDR_LEN, h.len,
			id, desc, &reply, &st, err, sizeof err);
		if (rc == RPC_FRAME_NOT_OURS) {
			if (reply)
				__builtin_trap();
			data += KT_FRAME_HDR_LEN + h.len;
			size -= KT_FRAME_HDR_LEN + h.len;
			continue;
		}
		if (rc == RPC_OK) {
			if (!reply || reply->descriptor != desc || err[0])
				__builtin_trap(); /* exactly the type asked for */
			volatile size_t n = walk(reply);
			(void)n;
			protobuf_c_message_free_unpacked(reply, NULL);
		} else if (reply || !err[0] ||
			   (rc == RPC_SERVER && strncmp(err, "server refused: ", 16) != 0)) {
			__builtin_trap(); /* a failure says why and returns nothing */
		}
		return 0;
	}
	return 0;
}
