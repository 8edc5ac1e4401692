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

/* The reader's own kt_gds_next and kt_gds_resumable, on the thread that reads. */
int kt_gds_read_row(struct kt_gds_reader *r, struct kt_gds_row *row, char *err, size_t errlen)
	__attribute__((warn_unused_result));
bool kt_gds_direct_resumable(const struct kt_gds_reader *r);

/* r's rows read on a thread of its own (r's tables have ncols columns); NULL when it cannot
 * start. kt_gds_ahead_next and kt_gds_ahead_resumable answer as kt_gds_next and
 * kt_gds_resumable; kt_gds_ahead_stop ends the thread (NULL: nothing) — then r is the
 * caller's again. */
struct kt_gds_ahead;
struct kt_gds_ahead *kt_gds_ahead_start(struct kt_gds_reader *r, int ncols);
int kt_gds_ahead_next(struct kt_gds_ahead *a, struct kt_gds_row *row, char *err, size_t errlen)
	__attribute__((warn_unused_result));
bool kt_gds_ahead_resumable(const struct kt_gds_ahead *a);
void kt_gds_ahead_stop(struct kt_gds_ahead *a);

#endif
