/* sync_rows: an op of many registry rows answered row by row (sync_rows.c). */
#ifndef KT_SYNC_ROWS_H
#define KT_SYNC_ROWS_H

#include <jansson.h>

#include "karta.pb-c.h"
#include "replica.h"
#include "sync.h"

struct sync_rows {
	json_t *det;
	const char *r; /* one letter a row: c u d x */
	size_t n;
	struct replica_row_refusal *ref; /* the refused rows, in row order */
	char **sums;
	size_t nref;
};

/* 1 when res answers an op of many rows (*sr filled: free with sync_rows_free), 0 when not,
 * -1 out of memory. */
int sync_rows_parse(const struct replica_op *op, const Karta__OpResult *res, struct sync_rows *sr);
/* Counts the rows in rep and calls fn (when not NULL) once a row. */
void sync_rows_report(const struct sync_rows *sr, const struct replica_op *op,
	const Karta__OpResult *res, struct sync_report *rep, sync_result_fn fn, void *arg);
void sync_rows_free(struct sync_rows *sr);

#endif
