/* kt_frame: encode and validate frame headers (layout in kt_frame.h).
 * Invariant: nothing here allocates; a header that passes kt_frame_check_hdr has a length
 * the caller may buffer without further checks. */
#include "kt_frame.h"

#include "kt_msg.h"

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

enum kt_frame_result kt_frame_check_hdr(const uint8_t hdr[KT_FRAME_HDR_LEN], uint32_t max_frame,
	struct kt_frame_hdr *out, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	if (get16(hdr) != KT_FRAME_MAGIC) {
		*why = "bad magic";
		return KT_FRAME_INVALID;
	}
	if (hdr[2] != KT_FRAME_VERSION) {
		*why = "unsupported frame version";
		return KT_FRAME_INVALID;
	}
	if (hdr[3] != 0) { /* no flags are defined in version 1 */
		*why = "unknown frame flags";
		return KT_FRAME_INVALID;
	}
	if (get16(hdr + 6) != 0) {
		*why = "reserved bits set";
		return KT_FRAME_INVALID;
	}
	out->type = get16(hdr + 4);
	out->flags = hdr[3];
	out->request_id = get32(hdr + 8);
	out->len = get32(hdr + 12);
	if (out->type == 0) {
		*why = "message type 0";
		return KT_FRAME_INVALID;
	}
	if (out->len > kt_msg_max_payload(out->type, max_frame)) {
		*why = "frame too large";
		return KT_FRAME_INVALID;
	}
	return KT_FRAME_OK;
}

enum kt_frame_result kt_frame_decode(const uint8_t *buf, size_t avail, uint32_t max_frame,
	struct kt_frame_hdr *out, const char **why)
{
	if (avail < KT_FRAME_HDR_LEN)
		return KT_FRAME_AGAIN;
	enum kt_frame_result r = kt_frame_check_hdr(buf, max_frame, out, why);
	if (r != KT_FRAME_OK)
		return r;
	if (avail - KT_FRAME_HDR_LEN < out->len)
		return KT_FRAME_AGAIN;
	return KT_FRAME_OK;
}

void kt_frame_encode_hdr(uint8_t out[KT_FRAME_HDR_LEN], const struct kt_frame_hdr *hdr)
{
	put16(out, KT_FRAME_MAGIC);
	out[2] = KT_FRAME_VERSION;
	out[3] = hdr->flags;
	put16(out + 4, hdr->type);
	put16(out + 6, 0);
	put32(out + 8, hdr->request_id);
	put32(out + 12, hdr->len);
}
