/* registry_gds_row: a replica row's JSON payload read in one pass, for the export's mapping
 * (registry_gds_row.h). The pass takes the top-level object only: each key and where its
 * value lies — a string checked (UTF-8) and unescaped in place in the row's copy of the
 * text, a whole number or a literal as it is; what is not plain (a nested object or array,
 * a fraction, a long number) is read by jansson there and then. What the pass does not
 * take goes to jansson whole, so a row reads as jansson would read it.
 *
 * Invariant: a text is taken exactly when jansson takes it as an object, and gds_row_get(key)
 * is then the value json_object_get(json_loads(text), key) gives (the last of duplicate
 * keys wins, as in jansson) — tests/fuzz/fuzz_gds_row.c checks it on any bytes. */
#include "registry_gds_row.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void clear(struct gds_row *r)
{
	for (int i = 0; i < r->n; i++)
		json_decref(r->v[i].j);
	r->n = 0;
	if (r->whole_own)
		json_decref(r->whole);
	r->whole = NULL;
	r->whole_own = false;
}

void gds_row_free(struct gds_row *r)
{
	clear(r);
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

static char *ws(char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* The length of the UTF-8 sequence at p as jansson takes it (no overlong forms, no
 * surrogates, nothing above U+10FFFF), 0 when it is not one. */
static size_t utf8(const unsigned char *p)
{
	size_t n = *p < 0x80 ? 1 : *p < 0xC2 ? 0 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : *p < 0xF5 ? 4 : 0;
	if (n < 2)
		return n;
	unsigned long u = *p & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		u = (u << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && u < 0x800) || (n == 4 && u < 0x10000) || u > 0x10FFFF ||
	    (u >= 0xD800 && u <= 0xDFFF))
		return 0;
	return n;
}

/* The string whose text begins at p (after its opening quote), unescaped in place and
 * NUL-terminated; *end is past its closing quote. NULL when it is not a JSON string jansson
 * takes (a control character, bytes that are not UTF-8, a bad escape, \u0000, a lone
 * surrogate). */
static char *string(char *p, char **end, size_t *len)
{
	char *start = p, *w = p;
	for (;;) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20) /* the text's end (NUL) included */
			return NULL;
		if (c < 0x80 && c != '\\') { /* most of every text */
			*w++ = *p++;
			continue;
		}
		if (c != '\\') {
			size_t n = utf8((const unsigned char *)p);
			if (!n)
				return NULL;
			while (n--)
				*w++ = *p++;
			continue;
		}
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *k = p[1] ? strchr(from, p[1]) : NULL;
		if (k) {
			*w++ = to[k - from];
			p += 2;
			continue;
		}
		if (p[1] != 'u')
			return NULL;
		long u = hex4(p + 2);
		p += 6;
		if (u >= 0xD800 && u <= 0xDBFF) {
			long lo = p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return NULL;
			u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
			p += 6;
		} else if (u <= 0 || (u >= 0xDC00 && u <= 0xDFFF)) {
			return NULL;
		}
		/* UTF-8: never longer than the escape it replaces, so w stays behind p */
		if (u < 0x80) {
			*w++ = (char)u;
		} else if (u < 0x800) {
			*w++ = (char)(0xC0 | (u >> 6));
			*w++ = (char)(0x80 | (u & 0x3F));
		} else if (u < 0x10000) {
			*w++ = (char)(0xE0 | (u >> 12));
			*w++ = (char)(0x80 | ((u >> 6) & 0x3F));
			*w++ = (char)(0x80 | (u & 0x3F));
		} else {
			*w++ = (char)(0xF0 | (u >> 18));
			*w++ = (char)(0x80 | ((u >> 12) & 0x3F));
			*w++ = (char)(0x80 | ((u >> 6) & 0x3F));
			*w++ = (char)(0x80 | (u & 0x3F));
		}
	}
	*end = p + 1;
	*len = (size_t)(w - start);
	*w = '\0';
	return start;
}

/* Past the object or array at p (its strings' quotes and escapes minded); NULL when it does
 * not end. Its content is checked by jansson when it is asked for. */
static char *nested(char *p)
{
	int depth = 0;
	for (;; p++) {
		if (!*p)
			return NULL;
		if (*p == '"') {
			for (p++; *p != '"'; p++)
				if (!*p || (*p == '\\' && !*++p))
					return NULL;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if ((*p == '}' || *p == ']') && --depth == 0) {
			return p + 1;
		}
	}
}

/* The value at p into v; past it, or NULL. */
static char *value(char *p, struct gds_row_val *v)
{
	static const struct { const char *word; char type; } lit[] = {
		{"true", 't'}, {"false", 'f'}, {"null", 'z'}};
	char *end = NULL;
	v->s = p;
	if (*p == '"') {
		v->type = 's';
		v->s = string(p + 1, &end, &v->n);
		return v->s ? end : NULL;
	}
	if (*p == '{' || *p == '[') {
		v->type = *p == '{' ? 'o' : 'a';
		end = nested(p);
	} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
		end = p + (*p == '-');
		size_t digits = strspn(end, "0123456789");
		if (digits > 1 && *end == '0')
			return NULL; /* a leading zero: not JSON */
		end += digits;
		v->type = 'i';
		if (*end == '.' || *end == 'e' || *end == 'E') {
			v->type = 'n';
			end += strspn(end, "0123456789.eE+-");
		}
		if (!digits)
			return NULL;
	} else {
		for (size_t i = 0; i < sizeof lit / sizeof lit[0]; i++)
			if (strncmp(p, lit[i].word, strlen(lit[i].word)) == 0) {
				v->type = lit[i].type;
				end = p + strlen(lit[i].word);
			}
	}
	if (end)
		v->n = (size_t)(end - p);
	return end;
}

/* The object at r->buf; -1 when the pass does not take it. */
static int pass(struct gds_row *r)
{
	char *p = ws(r->buf), *end;
	if (*p != '{')
		return -1;
	p = ws(p + 1);
	if (*p == '}')
		return *ws(p + 1) ? -1 : 0;
	for (;;) {
		struct gds_row_val *v = &r->v[r->n];
		if (*p != '"' || r->n == GDS_ROW_MAX_KEYS || !(v->key = string(p + 1, &end, &v->klen)))
			return -1;
		p = ws(end);
		v->j = NULL;
		if (*p != ':' || !(p = value(ws(p + 1), v)))
			return -1;
		v->h = hash(v->key, v->klen);
		r->n++;
		/* what is not plain (objects, arrays, fractions, long numbers) jansson reads now:
		 * the row is refused as a whole, as jansson would refuse it, when it fails */
		if ((v->type == 'o' || v->type == 'a' || v->type == 'n' || (v->type == 'i' && v->n > 18))
			&& !(v->j = json_loadb(v->s, v->n, JSON_DECODE_ANY, NULL)))
			return -1;
		p = ws(p);
		if (*p == '}')
			return *ws(p + 1) ? -1 : 0;
		if (*p != ',')
			return -1;
		p = ws(p + 1);
	}
}

int gds_row_parse(struct gds_row *r, const char *json, size_t len)
{
	clear(r);
	if (len + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < len + 1)
			cap *= 2;
		char *b = realloc(r->buf, cap);
		if (!b)
			return -1;
		r->buf = b;
		r->cap = cap;
	}
	memcpy(r->buf, json, len);
	r->buf[len] = '\0';
	if (pass(r) == 0)
		return 0;
	clear(r); /* jansson reads it whole, or refuses it */
	json_t *o = json_loadb(json, len, 0, NULL);
	if (!json_is_object(o))
		return json_decref(o), -1;
	r->whole = o;
	r->whole_own = true;
	return 0;
}

void gds_row_of_json(struct gds_row *r, const json_t *o)
{
	clear(r);
	r->whole = (json_t *)o; /* never changed: only read */
}

static struct gds_row_val *find(struct gds_row *r, const char *key)
{
	size_t n = strlen(key);
	uint32_t h = hash(key, n);
	for (int i = r->n - 1; i >= 0; i--)
		if (r->v[i].h == h && r->v[i].klen == n && memcmp(r->v[i].key, key, n) == 0)
			return &r->v[i];
	return NULL;
}

const char *gds_row_str(struct gds_row *r, const char *key)
{
	if (r->whole) {
		const char *s = json_string_value(json_object_get(r->whole, key));
		return s ? s : "";
	}
	const struct gds_row_val *v = find(r, key);
	return v && v->type == 's' ? v->s : "";
}

bool gds_row_set(struct gds_row *r, const char *key)
{
	if (r->whole) {
		const json_t *d = json_object_get(r->whole, key);
		return d && !json_is_null(d) && !(json_is_string(d) && !*json_string_value(d));
	}
	const struct gds_row_val *v = find(r, key);
	if (!v || v->type == 'z')
		return false;
	return v->type != 's' || v->n > 0;
}

const json_t *gds_row_get(struct gds_row *r, const char *key)
{
	if (r->whole)
		return json_object_get(r->whole, key);
	struct gds_row_val *v = find(r, key);
	if (!v || v->j)
		return v ? v->j : NULL;
	switch (v->type) {
	case 's': v->j = json_stringn_nocheck(v->s, v->n); break;
	case 't': v->j = json_true(); break;
	case 'f': v->j = json_false(); break;
	case 'z': v->j = json_null(); break;
	default: /* 'i' of up to 18 digits: the others were read by jansson in the pass */
		v->j = json_integer(strtoll(v->s, NULL, 10));
	}
	return v->j;
}
