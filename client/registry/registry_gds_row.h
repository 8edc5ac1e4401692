/* registry_gds_row: one replica row (its JSON payload, an object) as the export's mapping
 * reads it (registry_gds_out.c), without building jansson's whole object: one pass over the
 * text notes where each top-level key's value lies (strings unescaped in a copy of the
 * text), and a value becomes a jansson value only when the mapping asks for it as one
 * (gds_row_get) — a registration's payload has 11 keys, of which the mapping reads a few as
 * text and fewer as values. Nested objects and arrays (extra, roles) are read by jansson. A payload the pass does not take (not an object, too many keys) is
 * parsed by jansson whole, as before. An organization of the server's table (a jansson
 * object) is a row too, borrowed. */
#ifndef KT_REGISTRY_GDS_ROW_H
#define KT_REGISTRY_GDS_ROW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDS_ROW_MAX_KEYS 96

struct gds_row_val {
	const char *key;
	size_t klen;
	uint32_t h;     /* the key's hash */
	char type;      /* s string, i integer, n another number, t f z (null), o object, a array */
	const char *s;  /* s: the unescaped text (NUL-terminated); else the value's JSON text */
	size_t n;       /* the length of s */
	json_t *j;      /* the value as jansson's, once asked for */
};

struct gds_row {
	int n;
	struct gds_row_val v[GDS_ROW_MAX_KEYS];
	char *buf; /* the copy of the text, unescaped in place */
	size_t cap;
	json_t *whole; /* a row jansson holds: a payload it parsed whole, or an organization */
	bool whole_own;
};

/* The row of a payload (len bytes of JSON). 0, or -1 when it is not a JSON object (the row
 * is then empty). Replaces what r held. */
int gds_row_parse(struct gds_row *r, const char *json, size_t len);
/* The row of a jansson object (borrowed: o must outlive the row's use). */
void gds_row_of_json(struct gds_row *r, const json_t *o);
/* The text of key's string value; "" when the key is absent or not a string. */
const char *gds_row_str(struct gds_row *r, const char *key);
/* key's value as jansson's (NULL when absent), valid until the row is parsed again or
 * freed. */
const json_t *gds_row_get(struct gds_row *r, const char *key);
/* Whether key is there with a value that is neither null nor an empty string. */
bool gds_row_set(struct gds_row *r, const char *key);
void gds_row_free(struct gds_row *r);

#endif
