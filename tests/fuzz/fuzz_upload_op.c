/* libFuzzer: an Upload op as a hostile client sends it, through kartad's op decoding
 * (server/handlers/ops.c: op_build, then op_args_normalize as h_upload.c does).
 *  - first byte < 0x80: byte 1 picks the message type (the write messages, RecordOp, or any
 *    number), the rest is the op's body as bytes;
 *  - first byte >= 0x80: a RecordOp made here — byte 1 picks its kind (every record kind,
 *    the plan-write kinds a forged op would carry, or a made-up one), byte 2 its base
 *    version, the rest is args_json.
 * Accepted, an op has a kind, JSON object arguments that serialize (a registry_rows op: its
 * text as given, valid UTF-8 without an RS, unparsed), and a RecordOp's kind is a record kind
 * (never a plan write); refused, it says why and holds nothing. An item_put's text (op_text,
 * written straight from its message) is byte for byte what jansson dumps of the tree it was
 * built as before (item_put_body + item_normalize). Built with ASan/UBSan: never a crash, leak
 * or bad read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h_util.h"
#include "h_write.h"
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

/* An item_put's op text as jansson wrote it (the tree, before ops.c wrote it itself). */
static char *item_put_reference(const uint8_t *body, size_t len, int year, const char *op_id,
	const char *digest)
{
	Karta__ItemPut *r = karta__item_put__unpack(NULL, len, body);
	if (!r)
		__builtin_trap();
	json_t *item = item_put_body(r->item), *fields = json_array();
	for (size_t i = 0; i < r->n_fields; i++)
		json_array_append_new(fields, json_string(r->fields[i]));
	json_t *a = json_pack("{s:I,s:O,s:o}", "base", (json_int_t)r->base_row_version, "item", item,
		"fields", fields);
	if (!a)
		__builtin_trap(); /* op_build took it */
	item_normalize(item, year);
	json_t *j = json_pack("{s:s,s:s,s:s,s:O}", "op_id", op_id, "digest", digest, "kind",
		"item_put", "a", a);
	char *d = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	json_decref(a);
	json_decref(item);
	karta__item_put__free_unpacked(r, NULL);
	return d;
}

static void check(uint32_t type, const uint8_t *body, size_t len, int year)
{
	struct op_args o;
	const char *bad = op_build(type, body, len, &o);
	if (bad) {
		if (!bad[0] || o.a || o.items || o.raw || o.item_put || o.item_norm)
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
	static const char op_id[] = "0b5c6f0e-3f4a-4c1e-9d59-2a6f3b1c7e10",
		digest[] = "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff";
	if (strcmp(o.kind, "item_put") == 0) {
		if (o.a || o.raw || !o.item_put)
			__builtin_trap();
		op_args_normalize(&o, year);
		size_t n;
		char *t = op_text(&o, op_id, digest, &n), *ref = item_put_reference(body, len, year,
			op_id, digest);
		if (!t || !ref || n != strlen(t) || strcmp(t, ref) != 0) {
			fprintf(stderr, "op_text:   %s\njansson's: %s\n", t ? t : "(none)", ref ? ref : "(none)");
			__builtin_trap(); /* not the bytes jansson wrote */
		}
		free(t);
		free(ref);
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
	size_t n;
	char *t = op_text(&o, op_id, digest, &n);
	json_t *back = t ? json_loads(t, 0, NULL) : NULL;
	if (!json_is_object(back))
		__builtin_trap();
	json_decref(back);
	free(t);
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
