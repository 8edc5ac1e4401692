/* kt_ru_text: UTF-8 decoding, Cyrillic case folding, tokens and Russian month names for
 * the short free-text cells of roadmap documents (see kt_ru_text.h).
 * Invariant: every loop is bounded by KT_RU_SCAN_MAX input bytes, KT_RU_MAX_TOKENS tokens
 * or KT_RU_WORD_MAX word bytes; every byte sequence, valid or not, is accepted. */
#include "kt_ru_text.h"

#include <string.h>

#include "kt_import_int.h" /* kt_u8_put: one UTF-8 encoder */

typedef unsigned long cp_t;

#define CP_BAD 0xFFFDul

/* Decodes one code point at s[i] (i < len) strictly (no overlongs, no surrogates, nothing
 * past U+10FFFF). An invalid sequence yields U+FFFD with length 1 so the next byte is tried
 * again: one bad byte never swallows the good text after it. */
static size_t utf8_dec(const unsigned char *s, size_t len, size_t i, cp_t *cp, bool *bad)
{
	unsigned c = s[i];
	size_t n;
	cp_t v, min;

	*bad = false;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		goto bad;
	}
	if (n > len - i)
		goto bad;
	for (size_t k = 1; k < n; k++) {
		unsigned cc = s[i + k];
		if ((cc & 0xC0) != 0x80)
			goto bad;
		v = (v << 6) | (cc & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*cp = v;
	return n;
bad:
	*cp = CP_BAD;
	*bad = true;
	return 1;
}

static bool is_space(cp_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0xA0 || c == 0x1680 ||
		(c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
		c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

/* Soft hyphens (Word's «образо­вательным»), combining stress marks and joiners sit inside
 * words without splitting them. */
static bool is_ignorable(cp_t c)
{
	return c == 0xAD || (c >= 0x300 && c <= 0x36F) || c == 0x200C || c == 0x200D;
}

static bool is_cyrillic(cp_t c) { return c >= 0x400 && c <= 0x52F; }

static bool is_letter(cp_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || is_cyrillic(c);
}

static bool is_dash(cp_t c)
{
	return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE58 ||
		c == 0xFE63 || c == 0xFF0D;
}

static cp_t fold(cp_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)
		c += 0x20;
	else if (c >= 0x400 && c <= 0x40F)
		c += 0x50;
	if (c == 0x451) /* ё: spelled either way in the documents */
		return 0x435;
	return c;
}

/* Latin letters that look like Cyrillic ones, as typed by mistake inside Cyrillic words.
 * Lower-case b, h, m, t do not look like в, н, м, т, so only their capitals map. */
static cp_t homoglyph(cp_t c)
{
	switch (c) {
	case 'A': case 'a': return 0x430;
	case 'B': return 0x432;
	case 'C': case 'c': return 0x441;
	case 'E': case 'e': return 0x435;
	case 'H': return 0x43D;
	case 'K': case 'k': return 0x43A;
	case 'M': return 0x43C;
	case 'O': case 'o': return 0x43E;
	case 'P': case 'p': return 0x440;
	case 'T': return 0x442;
	case 'X': case 'x': return 0x445;
	case 'Y': case 'y': return 0x443;
	default: return 0;
	}
}

static enum kt_ru_tok_type punct_type(cp_t c)
{
	if (is_dash(c))
		return KT_RU_DASH;
	switch (c) {
	case ',': return KT_RU_COMMA;
	case '.': return KT_RU_DOT;
	case ';': return KT_RU_SEMI;
	case ':': return KT_RU_COLON;
	case '(': case '[': case '{': return KT_RU_LPAREN;
	case ')': case ']': case '}': return KT_RU_RPAREN;
	case '/': return KT_RU_SLASH;
	default: return KT_RU_OTHER;
	}
}

#define WORD_CPS 40u

/* Reads the word starting at s[i]; returns the index after it. */
static size_t read_word(const unsigned char *s, size_t len, size_t i, struct kt_ru_tok *t)
{
	cp_t cps[WORD_CPS];
	unsigned n = 0;
	bool cyr = false;

	while (i < len) {
		cp_t c;
		bool bad;
		size_t k = utf8_dec(s, len, i, &c, &bad);
		if (bad)
			break;
		if (is_ignorable(c)) {
			i += k;
			continue;
		}
		if (!is_letter(c))
			break;
		if (n < WORD_CPS)
			cps[n++] = c;
		cyr = cyr || is_cyrillic(c);
		i += k;
	}
	size_t o = 0;
	for (unsigned k = 0; k < n; k++) {
		cp_t c = cps[k];
		if (cyr && c < 0x80 && homoglyph(c)) {
			c = homoglyph(c);
			t->mixed_script = true;
		}
		c = fold(c);
		char buf[4];
		size_t bl = kt_u8_put(buf, (uint32_t)c);
		if (o + bl >= KT_RU_WORD_MAX)
			break;
		memcpy(t->w + o, buf, bl);
		o += bl;
	}
	t->w[o] = '\0';
	return i;
}

void kt_ru_tokenize(const char *s, size_t len, struct kt_ru_toks *out)
{
	const unsigned char *u = (const unsigned char *)s;
	bool space = true;
	size_t i = 0;

	out->n = 0;
	out->truncated = false;
	out->bad_utf8 = false;
	out->bad_utf8_at = 0;
	if (len > KT_RU_SCAN_MAX) {
		/* Cut at a character boundary so the cut itself is not reported as bad UTF-8. */
		len = KT_RU_SCAN_MAX;
		while (len > 0 && (u[len] & 0xC0) == 0x80)
			len--;
		out->truncated = true;
	}
	while (i < len) {
		cp_t c;
		bool bad;
		size_t k = utf8_dec(u, len, i, &c, &bad);

		if (bad && !out->bad_utf8) {
			out->bad_utf8 = true;
			out->bad_utf8_at = (unsigned)i;
		}
		if (!bad && is_space(c)) {
			space = true;
			i += k;
			continue;
		}
		if (!bad && is_ignorable(c)) {
			i += k;
			continue;
		}
		if (out->n == KT_RU_MAX_TOKENS) {
			out->truncated = true;
			return;
		}
		struct kt_ru_tok *t = &out->t[out->n++];
		t->start = (unsigned)i;
		t->space_before = space;
		t->mixed_script = false;
		t->ndigits = 0;
		t->value = 0;
		t->w[0] = '\0';
		space = false;
		if (!bad && is_letter(c)) {
			t->type = KT_RU_WORD;
			i = read_word(u, len, i, t);
		} else if (c >= '0' && c <= '9') {
			t->type = KT_RU_NUM;
			while (i < len && u[i] >= '0' && u[i] <= '9') {
				if (t->value < 100000000)
					t->value = t->value * 10 + (u[i] - '0');
				else
					t->value = 999999999;
				t->ndigits++;
				i++;
			}
		} else {
			t->type = bad ? KT_RU_OTHER : punct_type(c);
			i += k;
		}
		t->end = (unsigned)i;
	}
}

/* Month names: a stem plus one of five case endings (nominative, genitive, prepositional,
 * dative, instrumental). */
enum { END_SOFT, END_HARD, END_MAY };
static const char *const month_endings[3][5] = {
	{"ь", "я", "е", "ю", "ем"},
	{"", "а", "е", "у", "ом"},
	{"й", "я", "е", "ю", "ем"},
};
static const struct {
	const char *stem;
	int cls;
	const char *name;
} months[12] = {
	{"январ", END_SOFT, "январь"},     {"феврал", END_SOFT, "февраль"},
	{"март", END_HARD, "март"},        {"апрел", END_SOFT, "апрель"},
	{"ма", END_MAY, "май"},            {"июн", END_SOFT, "июнь"},
	{"июл", END_SOFT, "июль"},         {"август", END_HARD, "август"},
	{"сентябр", END_SOFT, "сентябрь"}, {"октябр", END_SOFT, "октябрь"},
	{"ноябр", END_SOFT, "ноябрь"},     {"декабр", END_SOFT, "декабрь"},
};
static const struct {
	const char *w;
	int m;
} month_abbrevs[] = {
	{"янв", 1}, {"фев", 2}, {"февр", 2}, {"мар", 3}, {"апр", 4}, {"июн", 6}, {"июл", 7},
	{"авг", 8}, {"сен", 9}, {"сент", 9}, {"окт", 10}, {"ноя", 11}, {"нояб", 11},
	{"дек", 12},
};

int kt_ru_month(const char *w, bool *abbrev)
{
	if (abbrev)
		*abbrev = false;
	for (int m = 0; m < 12; m++) {
		size_t sl = strlen(months[m].stem);
		if (strncmp(w, months[m].stem, sl) != 0)
			continue;
		for (int e = 0; e < 5; e++)
			if (strcmp(w + sl, month_endings[months[m].cls][e]) == 0)
				return m + 1;
	}
	for (size_t k = 0; k < sizeof month_abbrevs / sizeof month_abbrevs[0]; k++) {
		if (strcmp(w, month_abbrevs[k].w) == 0) {
			if (abbrev)
				*abbrev = true;
			return month_abbrevs[k].m;
		}
	}
	return 0;
}

const char *kt_ru_month_name(int m)
{
	return m >= 1 && m <= 12 ? months[m - 1].name : "?";
}

/* Decodes a folded (valid) word into at most max code points; returns the count or
 * max + 1 when longer. */
static unsigned to_cps(const char *w, cp_t *cps, unsigned max)
{
	const unsigned char *u = (const unsigned char *)w;
	size_t len = strlen(w), i = 0;
	unsigned n = 0;
	while (i < len) {
		bool bad;
		if (n == max)
			return max + 1;
		i += utf8_dec(u, len, i, &cps[n++], &bad);
	}
	return n;
}

/* Optimal-string-alignment distance, capped: returns 2 for anything above 1. */
static int osa_le1(const cp_t *a, unsigned na, const cp_t *b, unsigned nb)
{
	int d[12][12];
	if (na > 11 || nb > 11 || (na > nb ? na - nb : nb - na) > 1)
		return 2;
	for (unsigned i = 0; i <= na; i++)
		d[i][0] = (int)i;
	for (unsigned j = 0; j <= nb; j++)
		d[0][j] = (int)j;
	for (unsigned i = 1; i <= na; i++) {
		for (unsigned j = 1; j <= nb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
				d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[na][nb] > 1 ? 2 : d[na][nb];
}

int kt_ru_month_fuzzy(const char *w)
{
	cp_t a[12], b[12];
	unsigned na = to_cps(w, a, 11);
	int found = 0;

	/* Six letters at least: shorter forms (марта, июня) sit one edit away from ordinary
	 * words (марка) or from each other (июня/июля). */
	if (na < 6 || na > 11)
		return 0;
	for (int m = 0; m < 12; m++) {
		for (int e = 0; e < 5; e++) {
			char form[40];
			size_t sl = strlen(months[m].stem);
			const char *end = month_endings[months[m].cls][e];
			memcpy(form, months[m].stem, sl);
			strcpy(form + sl, end);
			unsigned nb = to_cps(form, b, 11);
			if (nb < 6 || nb > 11 || a[0] != b[0])
				continue;
			if (osa_le1(a, na, b, nb) <= 1) {
				if (found && found != m + 1)
					return 0; /* close to two months: do not guess */
				found = m + 1;
			}
		}
	}
	return found;
}

bool kt_ru_stem(const char *w, const char *stem, unsigned max_extra)
{
	size_t sl = strlen(stem);
	if (strncmp(w, stem, sl) != 0)
		return false;
	unsigned extra = 0;
	for (const unsigned char *p = (const unsigned char *)w + sl; *p; p++)
		if ((*p & 0xC0) != 0x80)
			extra++;
	return extra <= max_extra;
}

size_t kt_ru_copy_clean(char *dst, size_t cap, const char *src, size_t len)
{
	const unsigned char *u = (const unsigned char *)src;
	size_t i = 0, o = 0;

	if (cap == 0)
		return 0;
	while (i < len) {
		cp_t c;
		bool bad;
		size_t k = utf8_dec(u, len, i, &c, &bad);
		char buf[4];
		size_t bl = bad ? kt_u8_put(buf, CP_BAD) : k;
		if (o + bl + 1 > cap)
			break;
		memcpy(dst + o, bad ? buf : src + i, bl);
		o += bl;
		i += k;
	}
	dst[o] = '\0';
	return o;
}
