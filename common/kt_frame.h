/* kt_frame: the fixed 16-byte frame header that precedes every protobuf message.
 *
 *   u16 magic 'K''T' | u8 version | u8 flags | u16 msg_type | u16 reserved |
 *   u32 request_id | u32 payload_len                              (big-endian)
 *
 * The header is validated in full (magic, version, flags, reserved, length against the
 * limit for its type) before a single byte of payload is buffered or allocated. */
#ifndef KT_FRAME_H
#define KT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define KT_FRAME_MAGIC 0x4B54u /* "KT" */
#define KT_FRAME_VERSION 1u
#define KT_FRAME_HDR_LEN 16u
#define KT_FRAME_MAX_DEFAULT (4u * 1024u * 1024u)

struct kt_frame_hdr {
	uint16_t type;
	uint8_t flags;
	uint32_t request_id; /* echoed in replies; 0 marks a server push */
	uint32_t len;        /* payload bytes after the header */
};

enum kt_frame_result {
	KT_FRAME_OK,      /* header valid (and, for kt_frame_decode, the whole frame is there) */
	KT_FRAME_AGAIN,   /* need more bytes */
	KT_FRAME_INVALID, /* framing error: the connection must be closed */
};

/* Validates a 16-byte header. max_frame bounds payload_len (a known type may have a lower
 * limit: see kt_msg_max_payload). *why gets a static reason on KT_FRAME_INVALID. */
enum kt_frame_result kt_frame_check_hdr(const uint8_t hdr[KT_FRAME_HDR_LEN], uint32_t max_frame,
	struct kt_frame_hdr *out, const char **why) __attribute__((warn_unused_result));

/* Decodes the frame at the front of buf[0..avail): OK only when header and payload are both
 * complete (payload then starts at buf + KT_FRAME_HDR_LEN). */
enum kt_frame_result kt_frame_decode(const uint8_t *buf, size_t avail, uint32_t max_frame,
	struct kt_frame_hdr *out, const char **why) __attribute__((warn_unused_result));

void kt_frame_encode_hdr(uint8_t out[KT_FRAME_HDR_LEN], const struct kt_frame_hdr *hdr);

#endif
