/* fuzz_gds_row: the export's one-pass reading of a replica row's JSON (client/registry/
 * registry_gds_row.c) on arbitrary bytes, against jansson: whatever the bytes, the row is
 * refused exactly when jansson refuses them as an object, and else every key jansson sees
 * has the value jansson gives (json_equal), the same text and the same "set" — never a
 * crash, a read past the bytes or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry_gds_row.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the replica's payloads are SQLite text: NUL-terminated, no NUL inside */
	if (memchr(data, 0, size))
		return 0;
	struct gds_row r = {0};
	json_t *o = json_loadb((const char *)data, size, 0, NULL);
	int rc = gds_row_parse(&r, (const char *)data, size);
	if ((rc == 0) != json_is_object(o))
		abort();
	const char *key;
	json_t *v;
	json_object_foreach(json_is_object(o) ? o : NULL, key, v) {
		const json_t *g = gds_row_get(&r, key);
		const char *s = json_string_value(v);
		if (!g || !json_equal(g, v) || strcmp(gds_row_str(&r, key), s ? s : "") != 0 ||
		    gds_row_set(&r, key) != (!json_is_null(v) && !(s && !*s)))
			abort();
	}
	gds_row_free(&r);
	json_decref(o);
	return 0;
}
