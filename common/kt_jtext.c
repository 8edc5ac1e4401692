/* kt_jtext: see kt_jtext.h. */
#include "kt_jtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool room(struct kt_jtext *t, size_t n)
{
	if (t->failed)
		return false;
	if (t->n + n + 1 <= t->cap)
		return true;
	size_t cap = t->cap ? t->cap : 1024;
	while (t->n + n + 1 > cap)
		cap *= 2;
	char *b = realloc(t->s, cap);
	if (!b) {
		t->failed = true;
		return false;
	}
	t->s = b, t->cap = cap;
	return true;
}

void kt_jtext_raw(struct kt_jtext *t, const char *s, size_t n)
{
	if (!room(t, n))
		return;
	memcpy(t->s + t->n, s, n);
	t->n += n;
	t->s[t->n] = '\0';
}

void kt_jtext_str(struct kt_jtext *t, const char *s)
{
	size_t len = strlen(s);
	/* at most 6 bytes a byte (\u00XX) and the quotes: one check, then straight writes */
	if (!room(t, 6 * len + 2))
		return;
	char *o = t->s + t->n;
	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u', *o++ = '0', *o++ = '0';
			*o++ = "0123456789ABCDEF"[c >> 4];
			*o++ = "0123456789ABCDEF"[c & 15];
		}
	}
	*o++ = '"';
	*o = '\0';
	t->n = (size_t)(o - t->s);
}

void kt_jtext_int(struct kt_jtext *t, long long v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%lld", v);
	kt_jtext_raw(t, b, (size_t)n);
}

char *kt_jtext_take(struct kt_jtext *t, size_t *len)
{
	if (!t->failed && !t->s)
		kt_jtext_raw(t, "", 0);
	if (t->failed) {
		kt_jtext_free(t);
		return NULL;
	}
	char *s = t->s;
	if (len)
		*len = t->n;
	*t = (struct kt_jtext){0};
	return s;
}

void kt_jtext_free(struct kt_jtext *t)
{
	free(t->s);
	*t = (struct kt_jtext){0};
}
