/* libFuzzer: CSV rows → registry ops, end to end without the network: a registry file (the
 * first byte picks the registry) is read and checked as `karta registry import` does
 * (kt_csv, kt_reg_map_header, kt_reg_check_row, kt_reg_fill), each row that passes becomes
 * its SQL columns (client/registry/registry_rows.c) and a registry_put RecordOp exactly as
 * registry_import.c queues it, and that op goes through kartad's op decoding
 * (server/handlers/ops.c). A row the client's checks accept is never refused by kartad's
 * C checks (they are the same rules); the op's arguments are a JSON object naming the
 * table. Built with ASan/UBSan: never a crash, leak or bad read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "karta.pb-c.h"
#include "kt_csv.h"
#include "kt_msg.h"
#include "kt_registry.h"
#include "kt_validate.h"
#include "ops.h"
#include "registry_rows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t nfields[KT_REG_NKINDS] = {KT_P_NFIELDS, KT_E_NFIELDS, KT_A_NFIELDS,
	KT_S_NFIELDS};

static void one_op(enum kt_reg_kind kind, const struct reg_row *rr)
{
	json_t *args = reg_row_columns(rr);
	if (!args)
		return;
	json_object_set_new(args, "type", json_string(reg_table(kind)));
	if (kind == KT_REG_AUDITORIUMS)
		json_object_set_new(args, "point_id", json_string("2b5c6f0e-3f4a-4c1e-9d59-2a6f3b1c7e10"));
	char *js = json_dumps(args, JSON_COMPACT);
	json_decref(args);
	if (!js)
		return;
	Karta__RecordOp op = KARTA__RECORD_OP__INIT;
	op.kind = reg_row_deleted(rr) ? "registry_delete" : "registry_put";
	op.id = "0b5c6f0e-3f4a-4c1e-9d59-2a6f3b1c7e10";
	op.args_json = js;
	size_t len = protobuf_c_message_get_packed_size(&op.base);
	uint8_t *body = malloc(len ? len : 1);
	if (body) {
		protobuf_c_message_pack(&op.base, body);
		struct op_args o;
		const char *bad = op_build(KT_MSG_RECORD_OP, body, len, &o);
		if (bad)
			__builtin_trap(); /* the client's checks passed: kartad's must too */
		if (!json_is_object(o.a) || strcmp(json_string_value(json_object_get(o.a, "type")),
						 reg_table(kind)) != 0)
			__builtin_trap();
		op_args_release(&o);
	}
	free(body);
	free(js);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	enum kt_reg_kind kind = (enum kt_reg_kind)(data[0] % KT_REG_NKINDS);
	struct kt_csv_reader *rd = kt_csv_reader_mem(data + 1, size - 1, NULL);
	if (!rd)
		return 0;
	struct kt_csv_row row;
	struct kt_csv_err err;
	struct kt_reg_map map;
	struct kt_field_errors fe;
	struct reg_row rr = {.kind = kind};
	bool mapped = false;
	enum kt_csv_status st;
	while ((st = kt_csv_next(rd, &row, &err)) == KT_CSV_ROW) {
		if (!mapped) {
			if (kt_reg_map_header(kind, &row, &map, &err) != 0)
				break;
			mapped = true;
			rr.layout = map.layout;
			for (size_t c = 0; c < map.ncols; c++)
				if (map.col_field[c] >= 0 && map.col_field[c] < KT_REG_MAX_FIELDS)
					rr.has[map.col_field[c]] = true;
			continue;
		}
		if (kt_reg_check_row(&map, &row, NULL, &fe) > 0)
			continue; /* refused with its messages, as the import does */
		memset(rr.v, 0, sizeof rr.v);
		kt_reg_fill(&map, &row, rr.v, nfields[kind]);
		one_op(kind, &rr);
	}
	kt_csv_reader_free(rd);
	return 0;
}
