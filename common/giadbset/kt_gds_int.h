/* kt_gds_int: what the package (kt_gds_pkg.c) gives the row reader (kt_gds_read.c), and
 * what the reader and its read-ahead thread (kt_gds_ahead.c) give each other. */
#ifndef KT_GDS_INT_H
#define KT_GDS_INT_H

#include "kt_gds.h"

const struct kt_gds_limits *kt_gds_pkg_limits(const struct kt_gds_pkg *p);

/* The bytes of one table file, bounded by the limits (kt_gds_pkg.c). */
struct kt_gds_src;
struct kt_gds_src *kt_gds_src_open(struct kt_gds_pkg *p, const char *table, char *err,
	size_t errlen);
/* libxml2's read callback: bytes read, 0 at the end, -1 on an error or past the limit. */
int kt_gds_src_read(void *ctx, char *buf, int len);
const char *kt_gds_src_name(const struct kt_gds_src *s);
bool kt_gds_src_too_big(const struct kt_gds_src *s);
void kt_gds_src_close(struct kt_gds_src *s);

/* The reader's answers, in file order, as a parse step leaves them: a row (its texts in
 * text), a row refused for its values (resumable), the end (k 0), or the error that ends
 * the file (k -1; its message in text). Offsets into text, which grows. */
struct kt_gds_answer {
	int k;          /* kt_gds_next's answer: 1 a row, 0 the end, -1 an error */
	bool resumable; /* k -1: the error was one row's values */
	long index;     /* k 1: the row's number */
	size_t err;     /* k -1: the message */
	int nunknown;
	size_t un[32], uv[32]; /* the unknown columns' names and texts */
};

struct kt_gds_batch {
	struct kt_gds_answer *a;
	size_t n, acap;
	size_t *offs;   /* ncols a row: each column's text (offset + 1), 0 when absent */
	size_t ocap;
	char *text;
	size_t len, cap;
	bool last;      /* its last answer ends the file */
	bool oom;       /* an answer could not be kept: the file ends with "out of memory" */
};

/* The next answers of r's file parsed into b (emptied first): a few chunks' worth, at least
 * one answer; b->last when the file's last answer is among them. */
void kt_gds_fill(struct kt_gds_reader *r, struct kt_gds_batch *b);
/* Answer i of b as kt_gds_next gives it (row valid while b is not filled again); *last when
 * it ends the file. */
int kt_gds_batch_take(const struct kt_gds_batch *b, size_t i, int ncols, struct kt_gds_row *row,
	char *err, size_t errlen, bool *resumable, bool *last);
void kt_gds_batch_reset(struct kt_gds_batch *b);
void kt_gds_batch_free(struct kt_gds_batch *b);
/* The number of columns of r's table. */
int kt_gds_ncols(const struct kt_gds_reader *r);

/* r's batches filled on a thread of its own; NULL when it cannot start. kt_gds_ahead_next
 * and kt_gds_ahead_resumable answer as kt_gds_next and kt_gds_resumable; kt_gds_ahead_stop
 * ends the thread (NULL: nothing). */
struct kt_gds_ahead;
struct kt_gds_ahead *kt_gds_ahead_start(struct kt_gds_reader *r);
int kt_gds_ahead_next(struct kt_gds_ahead *a, struct kt_gds_row *row, char *err, size_t errlen)
	__attribute__((warn_unused_result));
bool kt_gds_ahead_resumable(const struct kt_gds_ahead *a);
void kt_gds_ahead_stop(struct kt_gds_ahead *a);

#endif
