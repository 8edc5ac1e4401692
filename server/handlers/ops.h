/* ops: an Upload op's body (a write message) → the arguments of karta_op_apply. */
#ifndef KT_OPS_H
#define KT_OPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct op_args {
	const char *kind;    /* item_put, plan_put, ... (karta_op_apply's CASE, op_kind table) */
	char kind_buf[48];   /* a RecordOp's kind (the message is freed after the build) */
	char why_buf[160];   /* a refusal naming a field (registry_person_check) */
	json_t *a;           /* its arguments; NULL for a registry_rows op: */
	char *raw;           /* …its arguments' text as the client wrote it (malloc'd: valid UTF-8,
	                      * no RS), passed on unparsed (ops.c build_rows_text); and NULL for an
	                      * item_put, whose arguments op_text writes out from: */
	void *item_put;      /* …its message (Karta__ItemPut, kept unpacked), and */
	char *item_norm;     /* …its normalized fields' text (op_args_normalize; NULL before) */
	bool item_norm_failed; /* (that text could not be made: out of memory) */
	json_t *items;       /* item body (or list, for an import) inside a, to normalize */
	bool items_are_list;
	bool derives;        /* creates a plan whose year is known only after it ran */
	char year_plan[40];  /* items need the academic year of this existing plan */
	char new_plan[40];   /* the op creates this plan, of new_plan_year */
	int new_plan_year;
};

/* Unpacks and validates body as message type; fills o. NULL when fine, else why the op is
 * refused (nothing to release then). */
const char *op_build(uint32_t type, const uint8_t *body, size_t len, struct op_args *o);
void op_args_release(struct op_args *o);
/* Adds the normalized deadline and parties to the op's items (h_util.h item_normalize). */
void op_args_normalize(struct op_args *o, int year);
/* The op as an element of karta_upload_seq's text (without the RS before it): {"op_id",
 * "digest", "kind", "a"}, malloc'd, *len its length; NULL when memory ran out. The same bytes
 * as jansson's compact dump of that object (an item_put's written straight from its message,
 * no tree built — kt_jtext.h); a registry_rows op's arguments as the client sent them. */
char *op_text(const struct op_args *o, const char *op_id, const char *digest, size_t *len);

#endif
