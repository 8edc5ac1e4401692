/* sync_rows: the answer to an op that carries many registry rows (RecordOp registry_rows,
 * sql/0025), row by row. Its detail holds one letter a row (c created, u updated, d deleted,
 * x refused), the refused rows with their place in the op, their line (or element) in the
 * file, kind, table, status and message, and the file's name. Each refused row goes on the
 * rejected list as its own entry, the sync report counts rows, not ops, and the caller's
 * result function hears every row as if it had been an op of its own (op->row set). */
#include "sync_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_msg.h"

void sync_rows_free(struct sync_rows *sr)
{
	for (size_t i = 0; i < sr->nref; i++)
		free(sr->sums[i]);
	free(sr->sums);
	free(sr->ref);
	json_decref(sr->det);
	memset(sr, 0, sizeof *sr);
}

int sync_rows_parse(const struct replica_op *op, const Karta__OpResult *res, struct sync_rows *sr)
{
	memset(sr, 0, sizeof *sr);
	if (strcmp(op->entity_type, "registry_rows") != 0 || !res->detail || !*res->detail)
		return 0;
	sr->det = json_loads(res->detail, 0, NULL);
	const char *r = json_string_value(json_object_get(sr->det, "r"));
	if (!r) {
		sync_rows_free(sr);
		return 0;
	}
	sr->r = r;
	sr->n = strlen(r);
	json_t *ref = json_object_get(sr->det, "refused");
	size_t n = json_array_size(ref);
	const char *file = json_string_value(json_object_get(sr->det, "file"));
	const char *unit = json_string_value(json_object_get(sr->det, "unit"));
	sr->ref = calloc(n + 1, sizeof *sr->ref);
	sr->sums = calloc(n + 1, sizeof *sr->sums);
	if (!sr->ref || !sr->sums) {
		sync_rows_free(sr);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(ref, i);
		const char *k = json_string_value(json_object_get(x, "k"));
		const char *t = json_string_value(json_object_get(x, "t"));
		char buf[600];
		snprintf(buf, sizeof buf, "%s %s: %s %s %lld", k ? k : "registry", t ? t : "",
			file ? file : "", unit ? unit : "row",
			(long long)json_integer_value(json_object_get(x, "n")));
		if (!(sr->sums[i] = strdup(buf))) {
			sr->nref = i;
			sync_rows_free(sr);
			return -1;
		}
		sr->ref[i] = (struct replica_row_refusal){
			(int)json_integer_value(json_object_get(x, "i")), sr->sums[i],
			kt_status_of_word(json_string_value(json_object_get(x, "status"))),
			json_string_value(json_object_get(x, "message"))};
		sr->nref = i + 1;
	}
	return 1;
}

void sync_rows_report(const struct sync_rows *sr, const struct replica_op *op,
	const Karta__OpResult *res, struct sync_report *rep, sync_result_fn fn, void *arg)
{
	bool dup = res->outcome == KARTA__OP_OUTCOME__OP_DUPLICATE;
	size_t k = 0; /* the next refusal */
	rep->sent += (long)sr->n;
	for (size_t i = 0; i < sr->n; i++) {
		char c = sr->r[i];
		const struct replica_row_refusal *x = NULL;
		while (k < sr->nref && sr->ref[k].idx < (int)i + 1)
			k++;
		if (c == 'x' && k < sr->nref && sr->ref[k].idx == (int)i + 1)
			x = &sr->ref[k];
		Karta__OpOutcome o = c == 'x' ? KARTA__OP_OUTCOME__OP_REJECTED : KARTA__OP_OUTCOME__OP_APPLIED;
		rep->outcomes[dup ? KARTA__OP_OUTCOME__OP_DUPLICATE : o]++;
		if (!fn)
			continue;
		Karta__OpResult one = KARTA__OP_RESULT__INIT;
		one.op_id = res->op_id;
		one.outcome = dup ? KARTA__OP_OUTCOME__OP_DUPLICATE : o;
		one.first_outcome = dup ? o : KARTA__OP_OUTCOME__OP_APPLIED;
		one.status = x ? (Karta__Status)x->status : c == 'x' ? KARTA__STATUS__STATUS_INTERNAL
			: KARTA__STATUS__STATUS_OK;
		one.message = (char *)(x && x->message ? x->message : c == 'c' ? "created"
			: c == 'u' ? "updated" : c == 'd' ? "deleted" : "");
		one.entity_id = (char *)"";
		one.conflict_id = (char *)"";
		one.detail = (char *)"";
		struct replica_op row = *op;
		row.row = (int)i + 1;
		if (x)
			row.summary = (char *)x->summary;
		fn(arg, &row, &one);
	}
}
