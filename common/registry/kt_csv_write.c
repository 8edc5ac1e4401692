/* kt_csv_write: records -> CSV the reader (and the regional software) reads back.
 * A row is assembled in one buffer and handed to the sink at once, so a failed row never
 * leaves half a line behind. Windows-1251 is written by table (kt_cp1251.c). */
#include <stdlib.h>
#include <string.h>

#include "kt_cp1251.h"
#include "kt_csv.h"
#include "kt_i18n.h"
#include "kt_import_int.h" /* kt_u8_next */

struct kt_csv_writer {
	kt_csv_write_fn *fn;
	void *ctx;
	struct kt_csv_wopts o;
	bool started;
	char *buf;
	size_t len, cap;
	bool oom;
	char err[160];
};

static int file_write(void *ctx, const void *buf, size_t n)
{
	return fwrite(buf, 1, n, ctx) == n ? 0 : -1;
}

struct kt_csv_writer *kt_csv_writer_new(kt_csv_write_fn *fn, void *ctx,
	const struct kt_csv_wopts *o)
{
	struct kt_csv_writer *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->fn = fn;
	w->ctx = ctx;
	if (o)
		w->o = *o;
	if (w->o.sep != ',' && w->o.sep != '\t')
		w->o.sep = ';';
	return w;
}

struct kt_csv_writer *kt_csv_writer_file(FILE *f, const struct kt_csv_wopts *o)
{
	return kt_csv_writer_new(file_write, f, o);
}

void kt_csv_writer_free(struct kt_csv_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

const char *kt_csv_writer_error(const struct kt_csv_writer *w) { return w->err; }

static void put(struct kt_csv_writer *w, const char *s, size_t n)
{
	if (w->oom || n == 0)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 1024;
		while (cap < w->len + n)
			cap *= 2;
		char *p = realloc(w->buf, cap);
		if (!p) {
			w->oom = true;
			return;
		}
		w->buf = p;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/* The first row also quotes the other separators, so the reader's guess finds ours. */
static bool needs_quotes(const struct kt_csv_writer *w, const char *s, size_t n)
{
	if (w->o.quote_seps && n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
				      s[n - 1] == '\t'))
		return true;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == w->o.sep || c == '"' || c == '\r' || c == '\n')
			return true;
		if ((!w->started || w->o.quote_seps) && (c == ';' || c == ',' || c == '\t'))
			return true;
	}
	return false;
}

static void put_field(struct kt_csv_writer *w, const char *s, size_t n)
{
	if (!needs_quotes(w, s, n)) {
		put(w, s, n);
		return;
	}
	put(w, "\"", 1);
	for (const char *q; (q = memchr(s, '"', n)) != NULL; n -= (size_t)(q + 1 - s), s = q + 1)
		put(w, s, (size_t)(q + 1 - s)), put(w, "\"", 1);
	put(w, s, n);
	put(w, "\"", 1);
}

/* Re-encodes buf[from..len) to Windows-1251 in place (never longer than its UTF-8). */
static int to_cp1251(struct kt_csv_writer *w, size_t from, size_t field)
{
	put(w, "", 1); /* a NUL so kt_u8_next stops at the end */
	if (w->oom)
		return -1;
	w->len--;
	const char *p = w->buf + from, *end = w->buf + w->len;
	size_t out = from;
	while (p < end) {
		const char *start = p;
		uint32_t cp = kt_u8_next(&p);
		int b = kt_cp1251_from_u(cp);
		if (b < 0 || (cp == 0xFFFD && memcmp(start, "\xEF\xBF\xBD", 3) != 0)) {
			snprintf(w->err, sizeof w->err,
				_("field %zu holds a character Windows-1251 cannot hold (U+%04X)"), field,
				(unsigned)cp);
			return -1;
		}
		w->buf[out++] = (char)b;
	}
	w->len = out;
	return 0;
}

int kt_csv_write_fields(struct kt_csv_writer *w, const struct kt_csv_field *f, size_t n)
{
	w->len = 0;
	w->err[0] = '\0';
	if (!w->started && w->o.bom && !w->o.cp1251)
		put(w, "\xEF\xBB\xBF", 3);
	bool all_empty = true;
	for (size_t i = 0; i < n; i++)
		all_empty = all_empty && (!f[i].s || f[i].len == 0);
	for (size_t i = 0; i < n; i++) {
		size_t from = w->len;
		if (i > 0)
			put(w, &w->o.sep, 1);
		if (i == 0 && all_empty) /* "" keeps the row: the reader skips ";;" as blank */
			put(w, "\"\"", 2);
		else
			put_field(w, f[i].s ? f[i].s : "", f[i].s ? f[i].len : 0);
		if (w->o.cp1251 && to_cp1251(w, from, i + 1) != 0)
			return -1;
	}
	put(w, w->o.crlf ? "\r\n" : "\n", w->o.crlf ? 2 : 1);
	if (w->oom) {
		snprintf(w->err, sizeof w->err, "%s", _("out of memory"));
		return -1;
	}
	if (w->fn(w->ctx, w->buf, w->len) != 0) {
		snprintf(w->err, sizeof w->err, "%s", _("cannot write the file"));
		return -1;
	}
	w->started = true;
	return 0;
}

int kt_csv_write_row(struct kt_csv_writer *w, const char *const *fields, size_t n)
{
	struct kt_csv_field one[64] = {{0}};
	struct kt_csv_field *f = n <= 64 ? one : malloc(n * sizeof *f);
	if (!f) {
		snprintf(w->err, sizeof w->err, "%s", _("out of memory"));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		f[i].s = fields[i];
		f[i].len = fields[i] ? strlen(fields[i]) : 0;
		f[i].quoted = false;
	}
	int rc = kt_csv_write_fields(w, f, n);
	if (f != one)
		free(f);
	return rc;
}
