/* dash_assets: the dashboard page's files (client/dashboard/web and Debian's Chart.js),
 * embedded in the binary at build time by cmake/embed_web.cmake. */
#ifndef KT_DASH_ASSETS_H
#define KT_DASH_ASSETS_H

#include <stddef.h>

struct dash_asset {
	const char *name; /* the file name, served as /TOKEN/name */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct dash_asset dash_assets[];
extern const int dash_assets_count;

#endif
