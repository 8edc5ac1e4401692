/* kt_csv_decode: the reader's input side — raw bytes in 64 KiB windows -> UTF-8.
 *
 * The encoding is decided once, on the first window, the way the roadmap importer decides
 * it for a whole file (common/import/kt_import_text.c): a BOM says UTF-8 or UTF-16;
 * otherwise valid UTF-8 is UTF-8, and text whose high bytes are mostly Cyrillic letters in
 * Windows-1251 is converted with iconv. UTF-8 is validated with the importer's decoder
 * (kt_u8_next); a sequence cut by the window's end is carried to the next window.
 * Invariant: everything in dec[0..dec_len) is valid UTF-8 without NUL or control bytes
 * other than TAB, CR, LF, FF and VT; the first byte that breaks this ends the decoded
 * stream and becomes a pending error carrying its line number, reported only when the
 * parser has consumed every good byte before it. One exception: in a file that is UTF-8
 * (its first window mostly valid multi-byte text), an invalid sequence further on — a line
 * pasted from another encoding — becomes U+FFFD and its line is noted, so that record is
 * refused as a bad row and reading goes on (kt_csv_bad_encoding). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_csv_int.h"
#include "kt_i18n.h"
#include "kt_import_int.h" /* kt_u8_next, kt_looks_cp1251: the importer's UTF-8 rules */

void kt_csv_set_err(struct kt_csv_err *e, enum kt_csv_errcode code, int line,
	const char *fmt, ...)
{
	if (!e)
		return;
	char body[sizeof e->msg - 24]; /* room for "line N: " */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof body, _(fmt), ap); /* N_() at the callers */
	va_end(ap);
	e->code = code;
	e->line = line;
	if (line > 0)
		snprintf(e->msg, sizeof e->msg, _("line %d: %s"), line, body);
	else
		snprintf(e->msg, sizeof e->msg, "%s", body);
}

static void set_pending(struct kt_csv_reader *r, enum kt_csv_errcode code, const char *fmt,
	...) __attribute__((format(printf, 3, 4)));
static void set_pending(struct kt_csv_reader *r, enum kt_csv_errcode code, const char *fmt, ...)
{
	char body[sizeof r->pending.msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof body, _(fmt), ap); /* N_() at the callers */
	va_end(ap);
	kt_csv_set_err(&r->pending, code, r->dline, "%s", body);
	r->has_pending = true;
	r->dec_done = true;
}

/* Reads into the raw window after compacting it; whole=true fills it (the sniff). */
static int read_raw(struct kt_csv_reader *r, bool whole)
{
	if (r->raw_pos > 0) {
		memmove(r->raw, r->raw + r->raw_pos, r->raw_len - r->raw_pos);
		r->raw_len -= r->raw_pos;
		r->raw_pos = 0;
	}
	while (!r->raw_eof && r->raw_len < KT_CSV_RAW_CAP) {
		size_t want = KT_CSV_RAW_CAP - r->raw_len;
		ssize_t got;
		if (r->mem) {
			size_t left = r->mem_len - r->mem_pos;
			got = (ssize_t)(left < want ? left : want);
			memcpy(r->raw + r->raw_len, r->mem + r->mem_pos, (size_t)got);
			r->mem_pos += (size_t)got;
		} else {
			got = r->read(r->ctx, r->raw + r->raw_len, want);
		}
		if (got < 0) {
			kt_csv_set_err(&r->err, KT_CSV_EIO, 0, N_("cannot read the file: %s"),
				errno ? strerror(errno) : "read error");
			return -1;
		}
		if (got == 0)
			r->raw_eof = true;
		r->raw_len += (size_t)got;
		r->consumed += (size_t)got;
		if (!whole && got > 0)
			break;
	}
	return 0;
}

/* Bytes a UTF-8 sequence with this lead byte takes, 0 for a byte that cannot lead. */
static size_t u8_seq_len(unsigned char c)
{
	return c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
		(c & 0xF8) == 0xF0 ? 4 : 0;
}

/* Length of the valid UTF-8 prefix of s[0..n); *bad when it stops at an invalid sequence
 * (rather than at a sequence the window's end cut, which only counts as bad at eof). */
static size_t u8_valid_prefix(const unsigned char *s, size_t n, bool eof, bool *bad)
{
	size_t i = 0;
	*bad = false;
	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = u8_seq_len(s[i]);
		if (k == 0) {
			*bad = true;
			return i;
		}
		if (i + k > n) { /* cut: bad only if no more bytes come or it is already broken */
			for (size_t j = i + 1; j < n; j++)
				if ((s[j] & 0xC0) != 0x80)
					*bad = true;
			*bad = *bad || eof;
			return i;
		}
		const char *p = (const char *)s + i;
		uint32_t cp = kt_u8_next(&p);
		if ((size_t)(p - (const char *)s - i) != k ||
			(cp == 0xFFFD && memcmp(s + i, "\xEF\xBF\xBD", 3) != 0)) {
			*bad = true;
			return i;
		}
		i += k;
	}
	return i;
}

/* Valid multi-byte UTF-8 sequences outnumber invalid bytes at least 4 to 1: UTF-8 text with
 * some lines of another encoding. (Windows-1251 Cyrillic almost never forms a valid
 * sequence: its letters are followed by letters, not by continuation bytes.) */
static bool mostly_utf8(const unsigned char *s, size_t n)
{
	size_t good = 0, bad = 0, i = 0;
	while (i < n) {
		bool b;
		size_t k = u8_valid_prefix(s + i, n - i, true, &b);
		for (size_t j = i; j < i + k; j++)
			good += (s[j] & 0xC0) == 0xC0;
		i += k;
		if (i < n) {
			bad++;
			i++;
		}
	}
	return good > 0 && good >= 4 * bad;
}

/* The line of byte at of the raw window (counted from the window's start, which is the
 * file's start during the sniff). */
static int raw_line(const unsigned char *s, size_t at)
{
	int line = 1;
	for (size_t i = 0; i < at; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= at || s[i + 1] != '\n')))
			line++;
	return line;
}

static int open_iconv(struct kt_csv_reader *r, const char *from, const char *name)
{
	r->cd = iconv_open("UTF-8", from);
	if (r->cd == (iconv_t)-1) {
		kt_csv_set_err(&r->err, KT_CSV_EENCODING, 0, N_("cannot convert from %s (iconv)"), name);
		return -1;
	}
	r->enc = KT_ENC_ICONV;
	r->enc_name = name;
	return 0;
}

static int sniff(struct kt_csv_reader *r)
{
	if (read_raw(r, true) != 0)
		return -1;
	const unsigned char *s = r->raw;
	size_t n = r->raw_len;
	if (n == 0) {
		kt_csv_set_err(&r->err, KT_CSV_EEMPTY, 0, N_("file is empty"));
		return -1;
	}
	if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
		bool le = s[0] == 0xFF;
		r->raw_pos = 2;
		return open_iconv(r, le ? "UTF-16LE" : "UTF-16BE", le ? "utf-16le" : "utf-16be");
	}
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		r->raw_pos = 3;
	s += r->raw_pos;
	n -= r->raw_pos;
	const unsigned char *nul = memchr(s, '\0', n);
	if (nul) {
		size_t at = (size_t)(nul - s);
		kt_csv_set_err(&r->err, KT_CSV_EBINARY, raw_line(s, at), N_("not a text file (NUL byte%s)"),
			(n >= 2 && (s[0] == 0 || s[1] == 0)) ? "; UTF-16 without a byte order mark?" : "");
		return -1;
	}
	bool bad;
	size_t ok = u8_valid_prefix(s, n, r->raw_eof, &bad);
	if (!bad) {
		r->enc = KT_ENC_UTF8;
		r->enc_name = "utf-8";
		return 0;
	}
	if (mostly_utf8(s, n)) { /* a few lines of another encoding: bad rows (decode_window) */
		r->enc = KT_ENC_UTF8;
		r->enc_name = "utf-8";
		return 0;
	}
	if (kt_looks_cp1251(s, n))
		return open_iconv(r, "CP1251", "windows-1251");
	kt_csv_set_err(&r->err, KT_CSV_EENCODING, raw_line(s, ok),
		N_("unrecognised text encoding (expected UTF-8 or Windows-1251)"));
	return -1;
}

static int reserve_dec(struct kt_csv_reader *r, size_t extra)
{
	if (r->dec_len + extra + 1 <= r->dec_cap)
		return 0;
	size_t cap = r->dec_len + extra + 1;
	char *p = realloc(r->dec, cap);
	if (!p) {
		kt_csv_set_err(&r->err, KT_CSV_ENOMEM, 0, N_("out of memory"));
		return -1;
	}
	r->dec = p;
	r->dec_cap = cap;
	return 0;
}

/* Checks freshly decoded bytes dec[from..dec_len) and counts their lines; the first NUL or
 * stray control byte ends the stream there. */
static void scan(struct kt_csv_reader *r, size_t from)
{
	for (size_t i = from; i < r->dec_len; i++) {
		unsigned char c = (unsigned char)r->dec[i];
		if (c == '\r') {
			r->dline++;
			r->dprev_cr = true;
			continue;
		}
		if (c == '\n') {
			if (!r->dprev_cr)
				r->dline++;
			r->dprev_cr = false;
			continue;
		}
		r->dprev_cr = false;
		if ((c < 0x20 && c != '\t' && c != '\f' && c != '\v') || c == 0x7F) {
			r->dec_len = i;
			if (c == 0)
				set_pending(r, KT_CSV_EBINARY, N_("not a text file (NUL byte)"));
			else
				set_pending(r, KT_CSV_EBINARY, N_("not a text file (control byte 0x%02X)"), c);
			return;
		}
	}
}

/* Decodes what the raw window holds; a cut sequence at its end stays for the next read. */
static int decode_window(struct kt_csv_reader *r)
{
	size_t avail = r->raw_len - r->raw_pos, from = r->dec_len;
	if (reserve_dec(r, avail * 4 + 16) != 0)
		return -1;
	if (r->enc == KT_ENC_UTF8) {
		for (;;) {
			bool bad;
			avail = r->raw_len - r->raw_pos;
			size_t k = u8_valid_prefix(r->raw + r->raw_pos, avail, r->raw_eof, &bad);
			memcpy(r->dec + r->dec_len, r->raw + r->raw_pos, k);
			r->dec_len += k;
			r->raw_pos += k;
			scan(r, from);
			if (!bad || r->has_pending)
				return 0;
			/* one invalid byte → U+FFFD, its line noted (3 bytes out for 1 in: room was
			 * reserved as 4 per input byte) */
			if (!r->nbad || r->bad_lines[r->nbad - 1] != r->dline) {
				if (r->nbad == r->bad_cap) {
					size_t cap = r->bad_cap ? r->bad_cap * 2 : 16;
					int *g = realloc(r->bad_lines, cap * sizeof *g);
					if (!g) {
						kt_csv_set_err(&r->err, KT_CSV_ENOMEM, 0, N_("out of memory"));
						return -1;
					}
					r->bad_lines = g;
					r->bad_cap = cap;
				}
				r->bad_lines[r->nbad++] = r->dline;
			}
			memcpy(r->dec + r->dec_len, "\xEF\xBF\xBD", 3);
			r->dec_len += 3;
			r->raw_pos++;
			from = r->dec_len;
		}
	}
	char *in = (char *)(r->raw + r->raw_pos), *out = r->dec + r->dec_len;
	size_t inleft = avail, outleft = r->dec_cap - r->dec_len - 1;
	size_t rc = iconv(r->cd, &in, &inleft, &out, &outleft);
	int e = errno;
	r->raw_pos = (size_t)((unsigned char *)in - r->raw);
	r->dec_len = (size_t)(out - r->dec);
	scan(r, from);
	if (rc == (size_t)-1 && !r->has_pending && (e == EILSEQ || (e == EINVAL && r->raw_eof))) {
		if (r->raw_pos < r->raw_len && strcmp(r->enc_name, "windows-1251") == 0)
			set_pending(r, KT_CSV_EENCODING, N_("byte 0x%02X is not a %s character"),
				r->raw[r->raw_pos], r->enc_name);
		else
			set_pending(r, KT_CSV_EENCODING, N_("invalid %s text"), r->enc_name);
	}
	return 0;
}

int kt_csv_decode_more(struct kt_csv_reader *r)
{
	if (r->dec_done)
		return 0;
	if (r->enc == KT_ENC_NONE && sniff(r) != 0)
		return -1;
	if (r->dec_pos > 0) {
		memmove(r->dec, r->dec + r->dec_pos, r->dec_len - r->dec_pos);
		r->dec_len -= r->dec_pos;
		r->dec_pos = 0;
	}
	size_t before = r->dec_len;
	for (;;) {
		if (r->raw_pos < r->raw_len) {
			if (decode_window(r) != 0)
				return -1;
			if (r->dec_len > before)
				return 1;
			if (r->has_pending)
				return 0;
		}
		if (r->raw_eof) {
			if (r->raw_pos < r->raw_len && !r->has_pending)
				set_pending(r, KT_CSV_EENCODING, N_("the file ends inside a character"));
			r->dec_done = true;
			return 0;
		}
		if (read_raw(r, false) != 0)
			return -1;
	}
}

bool kt_csv_bad_encoding(struct kt_csv_reader *r, int first, int last)
{
	while (r->bad_pos < r->nbad && r->bad_lines[r->bad_pos] < first)
		r->bad_pos++;
	bool hit = false;
	while (r->bad_pos < r->nbad && r->bad_lines[r->bad_pos] <= last) {
		r->bad_pos++;
		hit = true;
	}
	return hit;
}

void kt_csv_decode_release(struct kt_csv_reader *r)
{
	free(r->bad_lines);
	r->bad_lines = NULL;
	if (r->enc == KT_ENC_ICONV && r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->raw);
	free(r->dec);
	r->raw = NULL;
	r->dec = NULL;
}
