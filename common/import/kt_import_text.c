/* kt_import_text: raw bytes -> cleaned UTF-8 lines. Detects the encoding (UTF-8 with or
 * without BOM, UTF-16 with BOM, Windows-1251 converted with iconv), refuses binary and
 * oversized input, splits lines and strips the residue office exports leave in cells:
 * HTML tags and entities, markdown bold, Word bookmarks, soft hyphens, zero-width marks.
 * Invariant: cleaning never lengthens a line, so it runs in place, and every line keeps
 * the 1-based number it has in the input file (an HTML block break becomes '\n' inside
 * the line, not a new line). Also the small string and UTF-8 helpers the importer uses. */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"
#include "kt_i18n.h"

/* ---- growable string ---- */

static bool sb_grow(struct kt_sbuf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1) {
		if (cap > ((size_t)KT_IMPORT_MAX_BYTES) * 8) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void kt_sb_putn(struct kt_sbuf *b, const char *s, size_t n)
{
	if (!sb_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void kt_sb_puts(struct kt_sbuf *b, const char *s) { kt_sb_putn(b, s, strlen(s)); }
void kt_sb_putc(struct kt_sbuf *b, char c) { kt_sb_putn(b, &c, 1); }

char *kt_sb_take(struct kt_sbuf *b)
{
	if (b->oom) {
		kt_sb_release(b);
		return NULL;
	}
	char *p = b->p ? b->p : strdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void kt_sb_release(struct kt_sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

char *kt_strdup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* ---- UTF-8 ---- */

uint32_t kt_u8_next(const char **pp)
{
	const unsigned char *p = (const unsigned char *)*pp;
	uint32_t c = p[0];
	int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
	if (n < 0) {
		*pp += 1;
		return 0xFFFD;
	}
	if (n == 0) {
		*pp += 1;
		return c;
	}
	c &= 0x3Fu >> n;
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*pp += 1;
			return 0xFFFD;
		}
		c = (c << 6) | (p[i] & 0x3F);
	}
	static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
	if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*pp += 1;
		return 0xFFFD;
	}
	*pp += n + 1;
	return c;
}

size_t kt_u8_put(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

bool kt_u_is_upper(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 0x400 && c <= 0x42F) ||
		(c >= 0xC0 && c <= 0xDE && c != 0xD7);
}

bool kt_u_is_lower(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 0x430 && c <= 0x45F) ||
		(c >= 0xDF && c <= 0xFF && c != 0xF7);
}

bool kt_u_is_letter(uint32_t c)
{
	return kt_u_is_upper(c) || kt_u_is_lower(c) || (c >= 0x460 && c <= 0x4FF);
}

bool kt_u_is_space(uint32_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0xA0 || (c >= 0x2000 && c <= 0x200A) ||
		c == 0x202F || c == 0x205F || c == 0x3000 || c == 0x1680 || c == 0x2028 || c == 0x2029;
}

uint32_t kt_u_lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 0x20;
	return c;
}

bool kt_u8_casestarts(const char *s, const char *prefix)
{
	while (*prefix) {
		if (!*s)
			return false;
		if (kt_u_lower(kt_u8_next(&s)) != kt_u_lower(kt_u8_next(&prefix)))
			return false;
	}
	return true;
}

const char *kt_u8_casestr(const char *hay, const char *needle)
{
	if (!*needle)
		return hay;
	for (const char *p = hay; *p;) {
		if (kt_u8_casestarts(p, needle))
			return p;
		kt_u8_next(&p);
	}
	return NULL;
}

size_t kt_import_text_width(const char *s)
{
	size_t w = 0;
	while (s && *s) {
		uint32_t c = kt_u8_next(&s);
		if ((c >= 0x300 && c <= 0x36F) || c == 0x200B || c == 0xAD)
			continue;
		w++;
	}
	return w;
}

bool kt_blank(const char *s)
{
	while (*s) {
		if (!kt_u_is_space(kt_u8_next(&s)))
			return false;
	}
	return true;
}

/* ---- decoding ---- */

static void set_err(struct kt_import_err *err, enum kt_import_errcode code, int line,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void set_err(struct kt_import_err *err, enum kt_import_errcode code, int line,
	const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	err->code = code;
	err->line = line;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 0;
		if (k == 0 || i + k >= n)
			return false;
		uint32_t cp = c & (0x3Fu >> k);
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
		if (cp < min[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

/* Converts with iconv into a new NUL-terminated buffer; NULL when the bytes do not fit the
 * encoding (or on ENOMEM, told apart by *oom). */
static char *convert(const char *from, const unsigned char *in, size_t len, size_t *outlen,
	bool *oom)
{
	*oom = false;
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return NULL;
	size_t cap = len * 3 + 8;
	char *out = malloc(cap);
	if (!out) {
		*oom = true;
		iconv_close(cd);
		return NULL;
	}
	char *ip = (char *)(uintptr_t)in, *op = out;
	size_t il = len, ol = cap - 1;
	size_t r = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	if (r == (size_t)-1 || il != 0) {
		free(out);
		return NULL;
	}
	*op = '\0';
	*outlen = (size_t)(op - out);
	return out;
}

bool kt_looks_cp1251(const unsigned char *s, size_t n)
{
	size_t hi = 0, cyr = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x80)
			continue;
		hi++;
		if (s[i] >= 0xC0 || s[i] == 0xA8 || s[i] == 0xB8)
			cyr++;
	}
	return hi > 0 && cyr * 10 >= hi * 7;
}

static int decode(struct kt_text *t, const unsigned char *raw, size_t len, size_t *outlen,
	struct kt_import_err *err)
{
	bool oom = false;
	if (len >= 2 && ((raw[0] == 0xFF && raw[1] == 0xFE) || (raw[0] == 0xFE && raw[1] == 0xFF))) {
		bool le = raw[0] == 0xFF;
		t->encoding = le ? "utf-16le" : "utf-16be";
		t->buf = convert(le ? "UTF-16LE" : "UTF-16BE", raw + 2, len - 2, outlen, &oom);
		if (!t->buf)
			goto fail_conv;
		return 0;
	}
	if (len >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF) {
		raw += 3;
		len -= 3;
	}
	if (memchr(raw, '\0', len)) {
		size_t at = (size_t)((const unsigned char *)memchr(raw, '\0', len) - raw);
		set_err(err, KT_IMPORT_EBINARY, 0, _("not a text file (NUL byte at offset %zu)"), at);
		return -1;
	}
	if (valid_utf8(raw, len)) {
		t->encoding = "utf-8";
		t->buf = kt_strdup_n((const char *)raw, len);
		*outlen = len;
		if (!t->buf)
			goto nomem;
		return 0;
	}
	if (!kt_looks_cp1251(raw, len)) {
		set_err(err, KT_IMPORT_EENCODING, 0,
			_("unrecognised text encoding (expected UTF-8 or Windows-1251)"));
		return -1;
	}
	t->encoding = "windows-1251";
	t->buf = convert("CP1251", raw, len, outlen, &oom);
	if (!t->buf)
		goto fail_conv;
	return 0;
fail_conv:
	if (oom)
		goto nomem;
	set_err(err, KT_IMPORT_EENCODING, 0, _("cannot decode text as %s"), t->encoding);
	return -1;
nomem:
	set_err(err, KT_IMPORT_ENOMEM, 0, _("out of memory"));
	return -1;
}

/* Control bytes other than TAB, line and page breaks mean binary data. */
static int check_controls(const char *s, size_t n, struct kt_import_err *err)
{
	size_t ctrl = 0, first = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7F) {
			if (ctrl++ == 0)
				first = i;
		}
	}
	if (memchr(s, '\0', n) || ctrl > n / 200) {
		set_err(err, KT_IMPORT_EBINARY, 0,
			_("not a text file (%zu control bytes, first at offset %zu)"), ctrl, first);
		return -1;
	}
	return 0;
}

/* ---- cleaning ---- */

static const struct {
	const char *name;
	bool block;
} html_tags[] = {
	{"p", true}, {"br", true}, {"li", true}, {"ul", true}, {"ol", true}, {"div", true},
	{"tr", true}, {"td", true}, {"th", true}, {"table", true}, {"tbody", true},
	{"thead", true}, {"h1", true}, {"h2", true}, {"h3", true}, {"h4", true}, {"hr", true},
	{"b", false}, {"i", false}, {"u", false}, {"s", false}, {"strong", false},
	{"em", false}, {"span", false}, {"font", false}, {"sup", false}, {"sub", false},
	{"a", false}, {"strike", false}, {"mark", false}, {"small", false},
};

/* Length of an HTML tag at s (known names only, so «< 3 дней» survives), 0 if none;
 * *block tells a paragraph-level tag. */
static size_t html_tag(const char *s, bool *block)
{
	const char *p = s + 1;
	if (*p == '/')
		p++;
	const char *name = p;
	while (p - name < 8 && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		(*p >= '1' && *p <= '6')))
		p++;
	size_t nl = (size_t)(p - name);
	if (nl == 0 || (*p != '>' && *p != ' ' && *p != '/' && *p != '\t'))
		return 0;
	size_t k;
	for (k = 0; k < sizeof html_tags / sizeof html_tags[0]; k++)
		if (strlen(html_tags[k].name) == nl && strncasecmp(name, html_tags[k].name, nl) == 0)
			break;
	if (k == sizeof html_tags / sizeof html_tags[0])
		return 0;
	for (size_t guard = 0; *p && *p != '>' && *p != '<' && guard < 1000; guard++)
		p++;
	if (*p != '>')
		return 0;
	*block = html_tags[k].block;
	return (size_t)(p + 1 - s);
}

static const struct {
	const char *name;
	uint32_t cp;
} entities[] = {
	{"nbsp", ' '}, {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
	{"laquo", 0xAB}, {"raquo", 0xBB}, {"ndash", 0x2013}, {"mdash", 0x2014},
	{"hellip", 0x2026}, {"shy", 0}, {"bull", 0x2022}, {"middot", 0xB7}, {"numero", 0x2116},
};

/* Decodes an entity at s into out (≤ its own length); returns bytes consumed, 0 if none. */
static size_t html_entity(const char *s, char *out, size_t *outn)
{
	const char *semi = NULL;
	for (size_t i = 1; i < 12 && s[i]; i++) /* stops at the NUL: never reads past the line */
		if (s[i] == ';') {
			semi = s + i;
			break;
		}
	if (!semi || semi - s < 3)
		return 0;
	size_t n = (size_t)(semi - s - 1);
	uint32_t cp;
	if (s[1] == '#') {
		char *end;
		errno = 0;
		unsigned long v = (s[2] == 'x' || s[2] == 'X') ? strtoul(s + 3, &end, 16) : strtoul(s + 2, &end, 10);
		if (end != semi || errno)
			return 0;
		cp = (v < 0x20 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) ? ' ' : (uint32_t)v;
		if (cp == 0xAD)
			cp = 0;
	} else {
		size_t k;
		for (k = 0; k < sizeof entities / sizeof entities[0]; k++)
			if (strlen(entities[k].name) == n && strncmp(s + 1, entities[k].name, n) == 0)
				break;
		if (k == sizeof entities / sizeof entities[0])
			return 0;
		cp = entities[k].cp;
	}
	*outn = cp ? kt_u8_put(out, cp) : 0;
	return (size_t)(semi + 1 - s);
}

/* Cleans one NUL-terminated line in place; returns its new length. */
static size_t clean_line(char *s)
{
	char *w = s;
	const char *r = s;
	while (*r) {
		unsigned char c = (unsigned char)*r;
		if (c == 0xC2 && (unsigned char)r[1] == 0xAD) { /* soft hyphen */
			r += 2;
			continue;
		}
		if (c == 0xEF && (unsigned char)r[1] == 0xBB && (unsigned char)r[2] == 0xBF) {
			r += 3;
			continue;
		}
		if (c == 0xE2 && (unsigned char)r[1] == 0x80 &&
			((unsigned char)r[2] == 0x8B || (unsigned char)r[2] == 0x8E || (unsigned char)r[2] == 0x8F)) {
			r += 3; /* zero-width space, LRM, RLM */
			continue;
		}
		if (c == '*' && r[1] == '*') {
			r += 2;
			continue;
		}
		if (c == '[' && strncmp(r, "[bookmark:", 10) == 0) {
			const char *e = r + 10;
			while (*e && *e != ']' && e - r < 300) /* a bookmark name is short */
				e++;
			if (*e == ']') {
				r = e + 1;
				continue;
			}
		}
		if (c == '<') {
			bool block = false;
			size_t n = html_tag(r, &block);
			if (n) {
				if (block)
					*w++ = '\n';
				r += n;
				continue;
			}
		}
		if (c == '&') {
			char tmp[4];
			size_t tn = 0, n = html_entity(r, tmp, &tn);
			if (n) {
				memcpy(w, tmp, tn);
				w += tn;
				r += n;
				continue;
			}
		}
		if (c == '\r' && r[1] == '\0') {
			r++;
			continue;
		}
		if (c == '\r' || c == '\f' || c == '\v') {
			*w++ = ' ';
			r++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - s);
}

int kt_text_load(struct kt_text *t, const unsigned char *raw, size_t len,
	struct kt_import_err *err)
{
	memset(t, 0, sizeof *t);
	if (len > KT_IMPORT_MAX_BYTES) {
		set_err(err, KT_IMPORT_ETOOBIG, 0, _("file is too large (%zu bytes; the limit is %u MiB)"),
			len, KT_IMPORT_MAX_BYTES >> 20);
		return -1;
	}
	if (len == 0) {
		set_err(err, KT_IMPORT_EEMPTY, 0, _("file is empty"));
		return -1;
	}
	size_t n = 0;
	if (decode(t, raw, len, &n, err) != 0)
		return -1;
	if (check_controls(t->buf, n, err) != 0)
		goto fail;
	if (kt_blank(t->buf)) {
		set_err(err, KT_IMPORT_EEMPTY, 0, _("file has no text"));
		goto fail;
	}
	/* "\r\n" and a lone '\r' end a line; '\r' before '\n' is dropped by clean_line. */
	bool trailing_nl = t->buf[n - 1] == '\n' || t->buf[n - 1] == '\r';
	size_t nlines = 1;
	for (size_t i = 0; i < n; i++)
		if (t->buf[i] == '\n' || (t->buf[i] == '\r' && t->buf[i + 1] != '\n'))
			nlines++;
	t->lines = calloc(nlines, sizeof *t->lines);
	if (!t->lines) {
		set_err(err, KT_IMPORT_ENOMEM, 0, _("out of memory"));
		goto fail;
	}
	char *p = t->buf, *end = t->buf + n;
	while (p <= end && t->n < nlines) {
		char *e = p;
		while (e < end && *e != '\n' && !(*e == '\r' && e[1] != '\n'))
			e++;
		bool last = e >= end;
		*e = '\0';
		struct kt_line *l = &t->lines[t->n];
		l->s = p;
		l->no = (int)t->n + 1;
		l->len = clean_line(p);
		t->n++;
		if (last)
			break;
		p = e + 1;
	}
	/* A final newline does not start another line. */
	t->final_newline = trailing_nl;
	if (trailing_nl && t->n > 1 && t->lines[t->n - 1].len == 0)
		t->n--;
	return 0;
fail:
	kt_text_release(t);
	return -1;
}

void kt_text_release(struct kt_text *t)
{
	free(t->buf);
	free(t->lines);
	memset(t, 0, sizeof *t);
}
