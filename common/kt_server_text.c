/* kt_server_text: matches a server's English text against the extracted templates and
 * renders it through the catalogue (kt_server_text.h). Matching is anchored at both ends:
 * the first literal part is a prefix, the last a suffix, the ones between are taken at
 * their leftmost place (each argument as short as it can be); no backtracking, so a text
 * costs at most its length times the template's. Arguments are rendered the same way, two
 * levels deep. Everything is bounded by the caller's buffer; bytes that are not UTF-8
 * pass through the matcher untouched and come out as U+FFFD. */
#include "kt_server_text.h"

#include <stdbool.h>
#include <string.h>

#include "kt_i18n.h"
#include "kt_ru_text.h"

#define MAX_ARGS 9
#define MAX_DEPTH 2
#define WORK 2048 /* one rendering's working space: the server's texts are short */

struct seg {
	const char *p; /* in the msgid: literal text, "%%" standing for '%' */
	size_t n;      /* bytes of the msgid */
};

struct span {
	const char *p;
	size_t n;
};

/* msgid → literal segments around its %s (nseg = arguments + 1); -1 when it has more
 * arguments than we keep or a conversion other than %s / %%. */
static int split(const char *id, struct seg *seg, int max)
{
	int k = 0;
	const char *start = id;
	for (const char *c = id; *c; c++) {
		if (*c != '%')
			continue;
		if (c[1] == '%') {
			c++;
			continue;
		}
		if (c[1] != 's' || k + 1 >= max)
			return -1;
		seg[k++] = (struct seg){start, (size_t)(c - start)};
		start = c + 2;
		c++;
	}
	seg[k++] = (struct seg){start, strlen(start)};
	return k;
}

/* The unescaped length of a segment. */
static size_t seg_len(const struct seg *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++, n++)
		if (s->p[i] == '%' && i + 1 < s->n && s->p[i + 1] == '%')
			i++;
	return n;
}

/* Whether the segment is at t[0..] (t has at least seg_len bytes). */
static bool seg_at(const struct seg *s, const char *t)
{
	for (size_t i = 0; i < s->n; i++, t++) {
		if (s->p[i] == '%' && i + 1 < s->n && s->p[i + 1] == '%')
			i++;
		if (*t != s->p[i])
			return false;
	}
	return true;
}

/* Matches text[0..len) against the template: the arguments into arg; their count, or -1. */
static int match(const char *id, const char *text, size_t len, struct span *arg)
{
	/* most templates fail on their first letter: no need to split them */
	if (id[0] != '%' && (len == 0 || id[0] != text[0]))
		return -1;
	struct seg seg[MAX_ARGS + 1];
	int k = split(id, seg, MAX_ARGS + 1);
	if (k < 0)
		return -1;
	size_t first = seg_len(&seg[0]), last = seg_len(&seg[k - 1]);
	if (first > len || !seg_at(&seg[0], text))
		return -1;
	if (k == 1)
		return first == len ? 0 : -1;
	if (first + last > len || !seg_at(&seg[k - 1], text + len - last))
		return -1;
	size_t pos = first, end = len - last;
	for (int i = 1; i < k - 1; i++) {
		size_t n = seg_len(&seg[i]);
		size_t at = pos;
		while (at + n <= end && !seg_at(&seg[i], text + at))
			at++;
		if (at + n > end)
			return -1;
		arg[i - 1] = (struct span){text + pos, at - pos};
		pos = at + n;
	}
	arg[k - 2] = (struct span){text + pos, end - pos};
	return k - 1;
}

struct out {
	char *p;
	size_t n, cap;
};

/* Appends s[0..n) to o, as much as fits (the rest is cut; the caller cuts at a letter). */
static void put(struct out *o, const char *s, size_t n)
{
	if (o->n + n >= o->cap)
		n = o->cap - 1 - o->n;
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static bool render(const struct kt_stext *tab, size_t ntab, const char *(*tr)(const char *),
	const char *text, size_t len, int depth, struct out *o);

/* Whether an argument is only an id, a number or a date (no words to translate): hex digits
 * and separators, with at least one digit ("add" is a word). */
static bool plain(struct span a)
{
	bool digit = false;
	for (size_t i = 0; i < a.n; i++) {
		if (a.p[i] == '\0' || !strchr("0123456789abcdefABCDEF-.:/ ", a.p[i]))
			return false;
		digit |= a.p[i] >= '0' && a.p[i] <= '9';
	}
	return digit;
}

/* One argument, itself rendered when it is a server text. */
static void put_arg(const struct kt_stext *tab, size_t ntab, const char *(*tr)(const char *),
	struct span a, int depth, struct out *o)
{
	if (depth >= MAX_DEPTH || a.n == 0 || plain(a) || !render(tab, ntab, tr, a.p, a.n, depth + 1, o))
		put(o, a.p, a.n);
}

/* text[0..len) rendered onto o; false (o untouched) when no translated template matches. */
static bool render(const struct kt_stext *tab, size_t ntab, const char *(*tr)(const char *),
	const char *text, size_t len, int depth, struct out *o)
{
	struct span arg[MAX_ARGS];
	for (size_t t = 0; t < ntab; t++) {
		int na = match(tab[t].msgid, text, len, arg);
		if (na < 0)
			continue;
		const char *ru = tr(tab[t].msgid);
		if (!ru || ru == tab[t].msgid || strcmp(ru, tab[t].msgid) == 0)
			return false; /* the most specific template has no translation: keep the text */
		int next = 0;
		for (const char *c = ru; *c; c++) {
			const char *pct = strchr(c, '%');
			if (!pct) {
				put(o, c, strlen(c));
				break;
			}
			put(o, c, (size_t)(pct - c));
			c = pct;
			if (c[1] == '%') {
				put(o, "%", 1);
				c++;
			} else if (c[1] == 's') {
				if (next < na)
					put_arg(tab, ntab, tr, arg[next++], depth, o);
				c++;
			} else if (c[1] >= '1' && c[1] <= '9' && c[2] == '$' && c[3] == 's') {
				int i = c[1] - '1';
				if (i < na)
					put_arg(tab, ntab, tr, arg[i], depth, o);
				c += 3;
			} else { /* not a conversion we make: shown as written */
				put(o, "%", 1);
			}
		}
		return true;
	}
	return false;
}

const char *kt_server_text_with(const struct kt_stext *tab, size_t n, const char *(*tr)(const char *),
	const char *text, char *buf, size_t size)
{
	if (!text)
		return "";
	if (!buf || size == 0)
		return text;
	size_t len = strlen(text);
	if (len >= WORK) /* no message of the server's is this long: not one of its texts */
		return text;
	char work[WORK];
	struct out o = {work, 0, sizeof work};
	work[0] = '\0';
	if (!render(tab, n, tr, text, len, 0, &o))
		return text;
	kt_ru_copy_clean(buf, size, work, o.n);
	return buf;
}

static const char *tr_gettext(const char *msgid)
{
	return _(msgid);
}

const char *kt_server_text(const char *text, char *buf, size_t size)
{
	if (!text)
		return "";
	if (!kt_i18n_russian())
		return text;
	return kt_server_text_with(kt_server_texts, kt_server_texts_n, tr_gettext, text, buf, size);
}
