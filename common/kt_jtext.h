/* kt_jtext: JSON text written straight into a growing buffer, byte for byte as jansson's
 * json_dumps(…, JSON_COMPACT) writes the same values (its escapes: \" \\ \b \f \n \r \t, other
 * control characters as \u00XX in upper-case hex, nothing else; integers as %lld), without
 * building a json_t tree first — kartad's Upload ops (server/handlers/ops.c), thousands a
 * second, where the tree's allocations, its dump and its release were most of kartad's CPU
 * (docs/performance.md, "Upload: kartad's and the client's CPU"). Strings must be valid UTF-8
 * (kt_utf8_valid: jansson refuses the others; callers check first). A failed allocation sets
 * failed and makes every later write a no-op. */
#ifndef KT_JTEXT_H
#define KT_JTEXT_H

#include <stdbool.h>
#include <stddef.h>

struct kt_jtext {
	char *s; /* NUL-terminated once anything was written */
	size_t n, cap;
	bool failed;
};

/* n raw bytes */
void kt_jtext_raw(struct kt_jtext *t, const char *s, size_t n);
/* a string literal, raw */
#define kt_jtext_lit(t, lit) kt_jtext_raw((t), "" lit, sizeof(lit) - 1) /* ("" lit: a literal only) */
/* s as a JSON string (quoted, escaped) */
void kt_jtext_str(struct kt_jtext *t, const char *s);
void kt_jtext_int(struct kt_jtext *t, long long v);
/* The text (malloc'd, *len its length) and the buffer handed over; NULL if a write failed
 * (the buffer freed). */
char *kt_jtext_take(struct kt_jtext *t, size_t *len);
void kt_jtext_free(struct kt_jtext *t);

#endif
