/* libFuzzer: an Upload op as a hostile client sends it, through kartad's op decoding
 * (server/handlers/ops.c: op_build, then op_args_normalize as h_upload.c does).
 *  - first byte < 0x80: byte 1 picks the message type (the write messages, RecordOp, or any
 *    number), the rest is the op's body as bytes;
 *  - first byte >= 0x80: a RecordOp made here — byte 1 picks its kind (every record kind,
 *    the plan-write kinds a forged op would carry, or a made-up one), byte 2 its base
 *    version, the rest is args_json.
 * Accepted, an op has a kind, JSON object arguments that serialize (a registry_rows op: its
 * text as given, valid UTF-8 without an RS, unparsed), and a RecordOp's kind is a record kind
 * (never a plan write); refused, it says why and holds nothing. Built with
 * ASan/UBSan: never a crash, leak or bad read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "karta.pb-c.h"
#include "kt_msg.h"
#include "kt_table.h"
#include "ops.h"
#include "record_kinds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t types[] = {KT_MSG_PLAN_PUT, KT_MSG_PLAN_APPROVE, KT_MSG_PLAN_DERIVE,
	KT_MSG_PLAN_IMPORT, KT_MSG_ITEM_PUT, KT_MSG_ITEM_MOVE, KT_MSG_ITEM_DELETE,
	KT_MSG_CONFLICT_RESOLVE, KT_MSG_RECORD_OP};

static const char *const kinds[] = {"status_set", "report_request_put", "report_draft",
	"report_submit", "report_accept", "report_return", "registry_put", "registry_delete",
	"exam_settings", "exam_distribute", "exam_lock", "registry_rows", "item_put", "plan_put",
	"plan_import",
	"item_move", "plan_derive", "conflict_resolve", "Status_set", "", "registry_put_"};

static void check(uint32_t type, const uint8_t *body, size_t len, int year)
{
	struct op_args o;
	const char *bad = op_build(type, body, len, &o);
	if (bad) {
		if (!bad[0] || o.a || o.items || o.raw)
			__builtin_trap(); /* a refusal says why and keeps nothing */
		return;
	}
	if (!o.kind || !o.kind[0])
		__builtin_trap();
	if (type == KT_MSG_RECORD_OP && !record_kind_allowed(o.kind))
		__builtin_trap(); /* a RecordOp never carries a plan write */
	if (strcmp(o.kind, "registry_rows") == 0) {
		/* passed on unparsed: text the database can read, and nothing else */
		if (o.a || o.items || !o.raw || strchr(o.raw, 0x1e) || !kt_utf8_valid(o.raw, strlen(o.raw)))
			__builtin_trap();
		op_args_release(&o);
		return;
	}
	if (!json_is_object(o.a) || o.raw)
		__builtin_trap();
	op_args_normalize(&o, year);
	char *js = json_dumps(o.a, JSON_COMPACT);
	if (!js)
		__builtin_trap();
	free(js);
	op_args_release(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	int year = 2000 + data[1] % 40;
	if (data[0] < 0x80) {
		uint32_t type = data[1] < 0xf0 ? types[data[1] % (sizeof types / sizeof types[0])]
					     : data[1];
		check(type, data + 2, size - 2, year);
		return 0;
	}
	char *args = malloc(size - 2);
	if (!args)
		return 0;
	memcpy(args, data + 3, size - 3);
	args[size - 3] = '\0';
	Karta__RecordOp op = KARTA__RECORD_OP__INIT;
	op.kind = (char *)kinds[data[1] % (sizeof kinds / sizeof kinds[0])];
	op.id = data[2] & 1 ? "0b5c6f0e-3f4a-4c1e-9d59-2a6f3b1c7e10" : "";
	op.base_row_version = data[2] >> 1;
	op.args_json = args;
	size_t len = protobuf_c_message_get_packed_size(&op.base);
	uint8_t *body = malloc(len ? len : 1);
	if (body) {
		protobuf_c_message_pack(&op.base, body);
		check(KT_MSG_RECORD_OP, body, len, year);
	}
	free(body);
	free(args);
	return 0;
}
