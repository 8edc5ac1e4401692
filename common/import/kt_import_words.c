/* kt_import_words: cell text normalization and the soft-hyphen rule. A document's own
 * vocabulary decides whether «образо-\nвательным» is one word broken at a line end (join,
 * drop the hyphen) or «научно-\nметодический» is a real compound (keep the hyphen): the
 * words seen elsewhere in the document, their stems (a word minus up to 3 final letters)
 * and the hyphenated compounds it spells out. Only when the document says nothing does a
 * fallback apply: a first part ending in о/е followed by an adjective is a compound.
 * Invariant: fragments never enter the vocabulary — a word cut by a hyphen at a line end
 * and the first word of a line or cell (possibly the tail of a cut word) are not added. */
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"

struct kt_dict {
	struct kt_set words, stems, compounds;
	bool oom;
};

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

bool kt_set_has(const struct kt_set *st, const char *s, size_t n)
{
	if (!st->cap)
		return false;
	for (size_t i = hash(s, n) & (st->cap - 1);; i = (i + 1) & (st->cap - 1)) {
		const char *e = st->slot[i];
		if (!e)
			return false;
		if (strlen(e) == n && memcmp(e, s, n) == 0)
			return true;
	}
}

bool kt_set_add(struct kt_set *st, const char *s, size_t n)
{
	if (kt_set_has(st, s, n))
		return true;
	if ((st->n + 1) * 2 > st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 256;
		char **slot = calloc(cap, sizeof *slot);
		if (!slot)
			return false;
		for (size_t i = 0; i < st->cap; i++) {
			char *e = st->slot[i];
			if (!e)
				continue;
			size_t j = hash(e, strlen(e)) & (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = e;
		}
		free(st->slot);
		st->slot = slot;
		st->cap = cap;
	}
	char *e = kt_strdup_n(s, n);
	if (!e)
		return false;
	size_t j = hash(s, n) & (st->cap - 1);
	while (st->slot[j])
		j = (j + 1) & (st->cap - 1);
	st->slot[j] = e;
	st->n++;
	return true;
}

void kt_set_release(struct kt_set *st)
{
	for (size_t i = 0; i < st->cap; i++)
		free(st->slot[i]);
	free(st->slot);
}

/* Lower-cases the letters of s[0..n) into out (room for n bytes: Cyrillic and ASCII
 * lower-case keep their byte length); returns the length and the letter count. */
static size_t lower(const char *s, size_t n, char *out, size_t *letters)
{
	const char *p = s, *end = s + n;
	size_t o = 0, k = 0;
	while (p < end) {
		const char *q = p;
		uint32_t c = kt_u_lower(kt_u8_next(&p));
		char tmp[4];
		size_t tn = kt_u8_put(tmp, c);
		if (tn != (size_t)(p - q)) { /* keep the source bytes when widths differ */
			memcpy(out + o, q, (size_t)(p - q));
			o += (size_t)(p - q);
		} else {
			memcpy(out + o, tmp, tn);
			o += tn;
		}
		k++;
	}
	*letters = k;
	return o;
}

/* Byte offset of the start of the last k code points of w[0..n). */
static size_t cut_last(const char *w, size_t n, size_t k)
{
	size_t i = n;
	while (k > 0 && i > 0) {
		i--;
		while (i > 0 && ((unsigned char)w[i] & 0xC0) == 0x80)
			i--;
		k--;
	}
	return i;
}

static void add_word(struct kt_dict *d, const char *s, size_t n)
{
	char buf[256];
	size_t letters;
	if (n == 0 || n >= sizeof buf)
		return;
	size_t ln = lower(s, n, buf, &letters);
	bool ok = kt_set_add(&d->words, buf, ln);
	for (size_t k = 1; ok && k <= 3 && letters - k >= 5 && letters > k; k++)
		ok = kt_set_add(&d->stems, buf, cut_last(buf, ln, k));
	if (!ok)
		d->oom = true;
}

static bool letter_at(const char *p, const char **next)
{
	const char *q = p;
	uint32_t c = kt_u8_next(&q);
	if (next)
		*next = q;
	return kt_u_is_letter(c);
}

/* Adds the words of one line; see the invariant at the top for what is left out. */
static void scan_line(struct kt_dict *d, const char *s)
{
	const char *p = s;
	bool seg_start = true; /* at a line or cell start: the next word may be a fragment */
	while (*p) {
		const char *nx;
		if (!letter_at(p, &nx)) {
			if (*p == '\t' || *p == '\n')
				seg_start = true;
			else if (*p != ' ')
				seg_start = false;
			p = nx;
			continue;
		}
		/* a word: letters, with single hyphens between letters (a compound) */
		const char *w = p, *part = p, *q;
		bool compound = false;
		for (;;) {
			while (*p && letter_at(p, &q))
				p = q;
			if (*p == '-' && p[1] && letter_at(p + 1, NULL)) {
				if (!seg_start || part != w)
					add_word(d, part, (size_t)(p - part));
				compound = true;
				p++;
				part = p;
				continue;
			}
			break;
		}
		bool cut = *p == '-';
		if (cut) {
			const char *r = p + 1;
			while (*r == ' ')
				r++;
			cut = *r == '\0' || *r == '\t' || *r == '\n';
		}
		if (!cut && !(seg_start && part == w))
			add_word(d, part, (size_t)(p - part));
		if (compound && !cut && !seg_start) {
			char buf[256];
			size_t letters, n = (size_t)(p - w);
			if (n < sizeof buf && !kt_set_add(&d->compounds, buf, lower(w, n, buf, &letters)))
				d->oom = true;
		}
		seg_start = false;
	}
}

struct kt_dict *kt_dict_build(const struct kt_text *t)
{
	struct kt_dict *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	for (size_t i = 0; i < t->n && !d->oom; i++)
		scan_line(d, t->lines[i].s);
	if (d->oom) {
		kt_dict_free(d);
		return NULL;
	}
	return d;
}

void kt_dict_free(struct kt_dict *d)
{
	if (!d)
		return;
	kt_set_release(&d->words);
	kt_set_release(&d->stems);
	kt_set_release(&d->compounds);
	free(d);
}

/* The word, or the word minus 1..3 final letters, is known. */
static bool known(const struct kt_dict *d, const char *w, size_t n)
{
	char buf[256];
	size_t letters;
	if (!d || n == 0 || n >= sizeof buf)
		return false;
	size_t ln = lower(w, n, buf, &letters);
	if (kt_set_has(&d->words, buf, ln))
		return true;
	for (size_t k = 1; k <= 3 && letters > k && letters - k >= 5; k++) {
		size_t cut = cut_last(buf, ln, k);
		if (kt_set_has(&d->words, buf, cut) || kt_set_has(&d->stems, buf, cut))
			return true;
	}
	return false;
}

static bool ends_with_any(const char *w, size_t n, const char *const *ends)
{
	for (; *ends; ends++) {
		size_t k = strlen(*ends);
		if (n >= k && memcmp(w + n - k, *ends, k) == 0)
			return true;
	}
	return false;
}

/* Decides a hyphen at a line break between left[0..ln) and right[0..rn): true to keep it
 * (a compound), false to drop it and join the halves. */
static bool keep_hyphen(const struct kt_dict *d, const char *left, size_t ln, const char *right,
	size_t rn)
{
	char joined[512];
	if (ln + rn + 1 >= sizeof joined)
		return true;
	memcpy(joined, left, ln);
	memcpy(joined + ln, right, rn);
	if (known(d, joined, ln + rn))
		return false;
	joined[ln] = '-';
	memcpy(joined + ln + 1, right, rn);
	if (d) {
		char low[512];
		size_t letters, n = lower(joined, ln + rn + 1, low, &letters);
		if (kt_set_has(&d->compounds, low, n))
			return true;
	}
	if (d && known(d, left, ln) && known(d, right, rn))
		return true;
	static const char *const first_ends[] = {"о", "е", NULL};
	static const char *const adj_ends[] = {"ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие",
		"ого", "его", "ому", "ему", "ым", "им", "ых", "их", "ыми", "ими", "ую", "юю", NULL};
	if (ln >= 8 && rn >= 8 && ends_with_any(left, ln, first_ends) &&
		ends_with_any(right, rn, adj_ends))
		return true;
	return false;
}

/* Byte length of a whitespace code point at p (ASCII, NBSP, U+2000-200A, U+2028/2029,
 * U+202F, U+205F, U+3000, U+1680), 0 when p is not whitespace. */
static size_t space_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	if (u[0] < 0x80)
		return u[0] == ' ' || (u[0] >= 0x09 && u[0] <= 0x0D);
	if (u[0] == 0xC2)
		return u[1] == 0xA0 ? 2 : 0;
	if (u[0] == 0xE2 && u[1] == 0x80)
		return (u[2] <= 0x8A || u[2] == 0xA8 || u[2] == 0xA9 || u[2] == 0xAF) ? 3 : 0;
	if ((u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) || (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) ||
		(u[0] == 0xE1 && u[1] == 0x9A && u[2] == 0x80))
		return 3;
	return 0;
}

char *kt_norm(const struct kt_dict *d, const char *raw)
{
	struct kt_sbuf b = {0};
	const char *p = raw;
	while (*p) {
		const char *q = p;
		while (*q && !space_len(q))
			q++;
		if (q > p) {
			kt_sb_putn(&b, p, (size_t)(q - p));
			p = q;
			continue;
		}
		bool brk = false;
		for (size_t n; *p && (n = space_len(p)); p += n)
			brk |= *p == '\n';
		if (b.len == 0 || !*p)
			continue;
		/* "letter-" + break + lower-case letter: a word cut at the line end, or a compound */
		if (brk && b.len >= 3 && b.p[b.len - 1] == '-') {
			size_t ls = b.len - 1;
			while (ls > 0 && b.len - ls < 128) { /* a word, not a run of joined fragments */
				size_t k = ls - 1;
				while (k > 0 && ((unsigned char)b.p[k] & 0xC0) == 0x80)
					k--;
				const char *lp = b.p + k;
				if (!kt_u_is_letter(kt_u8_next(&lp)))
					break;
				ls = k;
			}
			const char *r = p, *rq;
			uint32_t first = kt_u8_next(&(const char *){p});
			while (*r && r - p < 128 && letter_at(r, &rq))
				r = rq;
			if (ls < b.len - 1 && kt_u_is_lower(first)) {
				if (!keep_hyphen(d, b.p + ls, b.len - 1 - ls, p, (size_t)(r - p)))
					b.p[--b.len] = '\0';
				continue;
			}
		}
		kt_sb_putc(&b, ' ');
	}
	char *s = kt_sb_take(&b);
	if (s && !*s) {
		free(s);
		return NULL;
	}
	return s;
}
