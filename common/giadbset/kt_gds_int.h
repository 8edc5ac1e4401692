/* kt_gds_int: what the package (kt_gds_pkg.c) gives the row reader (kt_gds_read.c). */
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

#endif
