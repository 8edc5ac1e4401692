/* libFuzzer: a byte stream as a peer would send it — frames decoded one after another, each
 * payload unpacked with the descriptor the message table names (or skipped if unknown). */
#include <stddef.h>
#include <stdint.h>

#include "kt_frame.h"
#include "kt_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	while (size > 0) {
		struct kt_frame_hdr h;
		const char *why;
		if (kt_frame_decode(data, size, 1u << 20, &h, &why) != KT_FRAME_OK)
			break;
		const struct kt_msg_info *mi = kt_msg_info(h.type);
		if (mi) {
			ProtobufCMessage *m = protobuf_c_message_unpack(mi->desc, NULL, h.len,
				data + KT_FRAME_HDR_LEN);
			if (m)
				protobuf_c_message_free_unpacked(m, NULL);
		}
		data += KT_FRAME_HDR_LEN + h.len;
		size -= KT_FRAME_HDR_LEN + h.len;
	}
	return 0;
}
