/* Frame codec: good frames, split across reads, oversized length, truncated, garbage,
 * zero-length, wrong magic/version/flags/reserved, per-type limits; and the message table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "kt_frame.h"
#include "kt_msg.h"

#define MAXF (64u * 1024u)

static size_t make_frame(uint8_t *buf, uint16_t type, uint32_t id, const void *p, uint32_t len)
{
	struct kt_frame_hdr h = {.type = type, .request_id = id, .len = len};
	kt_frame_encode_hdr(buf, &h);
	memcpy(buf + KT_FRAME_HDR_LEN, p, len);
	return KT_FRAME_HDR_LEN + len;
}

static void test_good_frame(void **state)
{
	uint8_t buf[64];
	size_t n = make_frame(buf, KT_MSG_PING, 0xA1B2C3D4u, "\x08\x07", 2);
	struct kt_frame_hdr h;
	const char *why = NULL;
	assert_int_equal(kt_frame_decode(buf, n, MAXF, &h, &why), KT_FRAME_OK);
	assert_int_equal(h.type, KT_MSG_PING);
	assert_int_equal(h.request_id, 0xA1B2C3D4u);
	assert_int_equal(h.len, 2);
	assert_memory_equal(buf + KT_FRAME_HDR_LEN, "\x08\x07", 2);
	/* Big-endian layout on the wire. */
	assert_int_equal(buf[0], 'K');
	assert_int_equal(buf[1], 'T');
	assert_int_equal(buf[2], KT_FRAME_VERSION);
	assert_int_equal(buf[8], 0xA1);
	assert_int_equal(buf[15], 2);
}

static void test_split_across_reads(void **state)
{
	uint8_t buf[256];
	uint8_t payload[100];
	memset(payload, 0x5a, sizeof payload);
	size_t n = make_frame(buf, KT_MSG_HELLO, 7, payload, sizeof payload);
	struct kt_frame_hdr h;
	/* Every prefix shorter than the frame asks for more; the full frame decodes. */
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(kt_frame_decode(buf, cut, MAXF, &h, NULL), KT_FRAME_AGAIN);
	assert_int_equal(kt_frame_decode(buf, n, MAXF, &h, NULL), KT_FRAME_OK);
	assert_int_equal(h.len, sizeof payload);
}

static void test_two_frames_back_to_back(void **state)
{
	uint8_t buf[128];
	size_t n1 = make_frame(buf, KT_MSG_PING, 1, "\x08\x01", 2);
	size_t n2 = make_frame(buf + n1, KT_MSG_PING, 2, "", 0);
	struct kt_frame_hdr h;
	assert_int_equal(kt_frame_decode(buf, n1 + n2, MAXF, &h, NULL), KT_FRAME_OK);
	assert_int_equal(h.request_id, 1);
	assert_int_equal(kt_frame_decode(buf + n1, n2, MAXF, &h, NULL), KT_FRAME_OK);
	assert_int_equal(h.request_id, 2);
}

static void test_zero_length(void **state)
{
	uint8_t buf[KT_FRAME_HDR_LEN];
	make_frame(buf, KT_MSG_PING, 3, "", 0);
	struct kt_frame_hdr h;
	assert_int_equal(kt_frame_decode(buf, sizeof buf, MAXF, &h, NULL), KT_FRAME_OK);
	assert_int_equal(h.len, 0);
	/* An empty payload is a valid (all-default) protobuf message. */
	ProtobufCMessage *m = protobuf_c_message_unpack(&karta__ping__descriptor, NULL, 0,
		(const uint8_t *)"");
	assert_non_null(m);
	protobuf_c_message_free_unpacked(m, NULL);
}

static void test_oversized(void **state)
{
	uint8_t hdr[KT_FRAME_HDR_LEN];
	struct kt_frame_hdr h = {.type = 999, .request_id = 1, .len = MAXF + 1};
	struct kt_frame_hdr out;
	const char *why = NULL;
	kt_frame_encode_hdr(hdr, &h);
	/* Refused from the header alone: no payload needs to exist. */
	assert_int_equal(kt_frame_check_hdr(hdr, MAXF, &out, &why), KT_FRAME_INVALID);
	assert_string_equal(why, "frame too large");
	h.len = UINT32_MAX;
	kt_frame_encode_hdr(hdr, &h);
	assert_int_equal(kt_frame_decode(hdr, sizeof hdr, MAXF, &out, &why), KT_FRAME_INVALID);
	/* Exactly the limit is fine for a type without its own limit. */
	h.len = MAXF;
	kt_frame_encode_hdr(hdr, &h);
	assert_int_equal(kt_frame_check_hdr(hdr, MAXF, &out, &why), KT_FRAME_OK);
}

static void test_per_type_limit(void **state)
{
	/* Ping's own limit (64 bytes) is far below max_frame. */
	uint8_t hdr[KT_FRAME_HDR_LEN];
	struct kt_frame_hdr h = {.type = KT_MSG_PING, .request_id = 1, .len = 65};
	struct kt_frame_hdr out;
	const char *why = NULL;
	kt_frame_encode_hdr(hdr, &h);
	assert_int_equal(kt_frame_check_hdr(hdr, MAXF, &out, &why), KT_FRAME_INVALID);
	h.len = 64;
	kt_frame_encode_hdr(hdr, &h);
	assert_int_equal(kt_frame_check_hdr(hdr, MAXF, &out, &why), KT_FRAME_OK);
	assert_int_equal(kt_msg_max_payload(KT_MSG_PING, MAXF), 64);
	assert_int_equal(kt_msg_max_payload(60000, MAXF), MAXF);
}

static void test_truncated(void **state)
{
	uint8_t buf[64];
	size_t n = make_frame(buf, KT_MSG_HELLO, 9, "0123456789", 10);
	struct kt_frame_hdr h;
	assert_int_equal(kt_frame_decode(buf, n - 1, MAXF, &h, NULL), KT_FRAME_AGAIN);
	assert_int_equal(kt_frame_decode(buf, KT_FRAME_HDR_LEN - 1, MAXF, &h, NULL), KT_FRAME_AGAIN);
}

static void test_bad_header_fields(void **state)
{
	uint8_t base[KT_FRAME_HDR_LEN], b[KT_FRAME_HDR_LEN];
	struct kt_frame_hdr h;
	const char *why;
	make_frame(base, KT_MSG_PING, 1, "", 0);
	static const struct {
		int off;
		uint8_t val;
		const char *why;
	} cases[] = {
		{0, 'X', "bad magic"},
		{1, 0, "bad magic"},
		{2, 0, "unsupported frame version"},
		{2, 2, "unsupported frame version"},
		{3, 1, "unknown frame flags"},
		{6, 1, "reserved bits set"},
		{7, 0x80, "reserved bits set"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memcpy(b, base, sizeof b);
		b[cases[i].off] = cases[i].val;
		why = NULL;
		assert_int_equal(kt_frame_check_hdr(b, MAXF, &h, &why), KT_FRAME_INVALID);
		assert_string_equal(why, cases[i].why);
	}
	memcpy(b, base, sizeof b);
	b[4] = b[5] = 0; /* type 0 */
	assert_int_equal(kt_frame_check_hdr(b, MAXF, &h, &why), KT_FRAME_INVALID);
}

static void test_garbage(void **state)
{
	/* Random bytes: never OK unless they happen to form a valid header (practically never
	 * with the 2-byte magic + version + flags + reserved = 6 fixed bytes); never a crash. */
	uint8_t buf[4096];
	srand(12345);
	int ok = 0;
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand() % (int)sizeof buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rand();
		struct kt_frame_hdr h;
		if (kt_frame_decode(buf, n, MAXF, &h, NULL) == KT_FRAME_OK)
			ok++;
	}
	assert_int_equal(ok, 0);
	/* Plain-text HTTP/TLS-looking input is refused by the magic. */
	struct kt_frame_hdr h;
	assert_int_equal(kt_frame_decode((const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, MAXF, &h,
				 NULL), KT_FRAME_INVALID);
}

static void test_msg_table(void **state)
{
	assert_non_null(kt_msg_info(KT_MSG_HELLO));
	assert_null(kt_msg_info(0));
	assert_null(kt_msg_info(65535));
	Karta__Ping p = KARTA__PING__INIT;
	assert_int_equal(kt_msg_type_of(&p.base), KT_MSG_PING);
	assert_string_equal(kt_status_name(KARTA__STATUS__STATUS_UNAUTHENTICATED), "unauthenticated");
	assert_string_equal(kt_status_name(-1), "unknown status");
	/* Round trip a Welcome through pack/unpack via the table's descriptor. */
	Karta__Welcome w = KARTA__WELCOME__INIT;
	w.proto = 1;
	static char role[] = "operator";
	w.role = role;
	uint8_t buf[256];
	size_t n = protobuf_c_message_pack(&w.base, buf);
	ProtobufCMessage *m = protobuf_c_message_unpack(kt_msg_info(KT_MSG_WELCOME)->desc, NULL, n, buf);
	assert_non_null(m);
	assert_string_equal(((Karta__Welcome *)m)->role, "operator");
	protobuf_c_message_free_unpacked(m, NULL);
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_good_frame),
	cmocka_unit_test(test_split_across_reads),
	cmocka_unit_test(test_two_frames_back_to_back),
	cmocka_unit_test(test_zero_length),
	cmocka_unit_test(test_oversized),
	cmocka_unit_test(test_per_type_limit),
	cmocka_unit_test(test_truncated),
	cmocka_unit_test(test_bad_header_fields),
	cmocka_unit_test(test_garbage),
	cmocka_unit_test(test_msg_table))
