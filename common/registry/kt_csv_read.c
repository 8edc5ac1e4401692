/* kt_csv_read: decoded UTF-8 -> records (RFC 4180).
 *
 * A record that goes bad on an unquoted stretch — text after a closing quote, an unquoted
 * field or a record over its limit, too many fields — is not the end of the file: the rest
 * of its line is skipped (not stored) and kt_csv_next returns it as a bad row with the
 * reason. Inside a quoted field the end of the record cannot be known, so an overlong one
 * (a missing closing quote, most likely) still ends the reading.
 *
 * A small state machine over r->dec; its state lives in the reader because a record may
 * span several decoded windows (kt_csv_decode_more moves the bytes, so no pointer into dec
 * is kept across calls). Fields are copied into r->rec, each NUL-terminated, and the limits
 * are checked as bytes arrive, so an oversized field is refused after max_field bytes,
 * not after reading it whole. Runs of ordinary bytes are copied with one memcpy each: the
 * per-byte work is one comparison against the three bytes that end an unquoted field. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kt_csv_int.h"
#include "kt_i18n.h"

enum pstate { P_FIELD_START, P_UNQUOTED, P_QUOTED, P_QUOTED_QUOTE, P_SKIP };

/* Sets e to the translated message fmt (N_() at the callers of fail and bad_record). */
static void set_errv(struct kt_csv_err *e, enum kt_csv_errcode code, int line, const char *fmt,
	va_list ap) __attribute__((format(printf, 4, 0)));
static void set_errv(struct kt_csv_err *e, enum kt_csv_errcode code, int line, const char *fmt,
	va_list ap)
{
	char body[sizeof e->msg];
	vsnprintf(body, sizeof body, _(fmt), ap);
	kt_csv_set_err(e, code, line, "%s", body);
}

static int fail(struct kt_csv_reader *r, enum kt_csv_errcode code, int line, const char *fmt,
	...) __attribute__((format(printf, 4, 5)));
static int fail(struct kt_csv_reader *r, enum kt_csv_errcode code, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_errv(&r->err, code, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* The record goes bad: the rest of its line is skipped; 1 (the caller stops storing). */
static int bad_record(struct kt_csv_reader *r, enum kt_csv_errcode code, int line,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad_record(struct kt_csv_reader *r, enum kt_csv_errcode code, int line,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_errv(&r->bad, code, line, fmt, ap);
	va_end(ap);
	r->skipping = true;
	r->st = P_SKIP;
	return 1;
}

static int grow_rec(struct kt_csv_reader *r, size_t extra)
{
	if (r->rec_len + extra <= r->rec_cap)
		return 0;
	size_t cap = r->rec_cap ? r->rec_cap : 4096;
	while (cap < r->rec_len + extra)
		cap *= 2;
	char *p = realloc(r->rec, cap);
	if (!p)
		return fail(r, KT_CSV_ENOMEM, 0, N_("out of memory"));
	r->rec = p;
	r->rec_cap = cap;
	return 0;
}

/* Appends field bytes, refusing the field or the record once over its limit: 0, 1 when the
 * record went bad (unquoted: its line is skipped), -1 on a fatal error. */
static int rec_put(struct kt_csv_reader *r, const char *s, size_t n)
{
	size_t flen = r->rec_len - r->fstart[r->nf] + n;
	bool quoted = r->st == P_QUOTED || r->st == P_QUOTED_QUOTE;
	if (flen > r->o.max_field) {
		if (quoted)
			return fail(r, KT_CSV_ETOOLONG, r->quote_line,
				N_("field %zu is longer than %zu bytes (a quoted field starts on this line; "
				"is its closing quote missing?)"), r->nf + 1, r->o.max_field);
		return bad_record(r, KT_CSV_ETOOLONG, r->line, N_("field %zu is longer than %zu bytes"),
			r->nf + 1, r->o.max_field);
	}
	if (r->rec_len + n > r->o.max_row) {
		if (quoted)
			return fail(r, KT_CSV_ETOOLONG, r->rec_line, N_("the record is longer than %zu bytes"),
				r->o.max_row);
		return bad_record(r, KT_CSV_ETOOLONG, r->rec_line, N_("the record is longer than %zu "
			"bytes"), r->o.max_row);
	}
	if (grow_rec(r, n) != 0)
		return -1;
	memcpy(r->rec + r->rec_len, s, n);
	r->rec_len += n;
	return 0;
}

static int field_begin(struct kt_csv_reader *r)
{
	if (r->nf >= r->o.max_fields) {
		bad_record(r, KT_CSV_ETOOLONG, r->rec_line, N_("more than %zu fields"), r->o.max_fields);
		return 0;
	}
	if (r->nf >= r->fcap) {
		size_t cap = r->fcap ? r->fcap * 2 : 32;
		struct kt_csv_field *f = realloc(r->fields, cap * sizeof *f);
		if (f)
			r->fields = f;
		size_t *s = realloc(r->fstart, cap * sizeof *s);
		if (s)
			r->fstart = s;
		if (!f || !s)
			return fail(r, KT_CSV_ENOMEM, 0, N_("out of memory"));
		r->fcap = cap;
	}
	r->fstart[r->nf] = r->rec_len;
	r->fields[r->nf].quoted = false;
	r->st = P_FIELD_START;
	return 0;
}

static int field_end(struct kt_csv_reader *r)
{
	if (grow_rec(r, 1) != 0)
		return -1;
	r->fields[r->nf].len = r->rec_len - r->fstart[r->nf];
	r->rec[r->rec_len++] = '\0';
	r->nf++;
	return 0;
}

static int next_field(struct kt_csv_reader *r)
{
	r->prev_cr = false;
	if (field_end(r) != 0 || field_begin(r) != 0)
		return -1;
	return 0;
}

/* last: the line the record ends on (the break after it may already be counted) */
static int end_record(struct kt_csv_reader *r, int last)
{
	r->last_line = last;
	if (field_end(r) != 0)
		return -1;
	r->st = P_FIELD_START;
	return 1;
}

/* Counts a line break; LF right after CR belongs to the same break. */
static void newline(struct kt_csv_reader *r, char c)
{
	if (c == '\n' && r->prev_cr) {
		r->prev_cr = false;
		return;
	}
	r->line++;
	r->prev_cr = c == '\r';
}

static int at_field_start(struct kt_csv_reader *r, const char **p)
{
	char c = **p;
	if (c == '"') {
		(*p)++;
		r->prev_cr = false;
		r->st = P_QUOTED;
		r->fields[r->nf].quoted = true;
		r->quote_line = r->line;
		return 0;
	}
	if (c == '\r' || c == '\n') {
		(*p)++;
		int last = r->line;
		newline(r, c);
		if (r->nf == 0) { /* nothing read yet: a blank line (or the LF of a CRLF) */
			r->rec_line = r->line;
			return 0;
		}
		return end_record(r, last);
	}
	if (c == r->sep) {
		(*p)++;
		return next_field(r);
	}
	r->st = P_UNQUOTED;
	return 0;
}

static int in_unquoted(struct kt_csv_reader *r, const char **p, const char *end)
{
	const char *q = *p;
	char sep = r->sep;
	/* a quote inside an unquoted field is kept: spreadsheets write ООО "Ромашка" so */
	while (q < end && *q != sep && *q != '\n' && *q != '\r')
		q++;
	if (q > *p) {
		int rc = rec_put(r, *p, (size_t)(q - *p));
		if (rc != 0)
			return rc < 0 ? -1 : 0; /* bad: P_SKIP goes on from *p */
		r->prev_cr = false;
		*p = q;
	}
	if (q == end)
		return 0;
	char c = *q;
	(*p)++;
	if (c == sep)
		return next_field(r);
	int last = r->line;
	newline(r, c);
	return end_record(r, last);
}

static int in_quoted(struct kt_csv_reader *r, const char **p, const char *end)
{
	const char *q = *p;
	while (q < end && *q != '"') {
		if (*q == '\n' || *q == '\r')
			newline(r, *q);
		else
			r->prev_cr = false;
		q++;
	}
	if (q > *p) {
		if (rec_put(r, *p, (size_t)(q - *p)) != 0) /* quoted: only fatal */
			return -1;
		*p = q;
	}
	if (q == end)
		return 0;
	(*p)++;
	r->prev_cr = false;
	r->st = P_QUOTED_QUOTE;
	return 0;
}

static int after_quote(struct kt_csv_reader *r, const char **p)
{
	char c = **p;
	if (c == '"') { /* a doubled quote stands for one */
		(*p)++;
		r->st = P_QUOTED;
		return rec_put(r, "\"", 1) != 0 ? -1 : 0;
	}
	if (c == r->sep) {
		(*p)++;
		return next_field(r);
	}
	if (c == '\r' || c == '\n') {
		(*p)++;
		int last = r->line;
		newline(r, c);
		return end_record(r, last);
	}
	bad_record(r, KT_CSV_EQUOTE, r->line,
		N_("field %zu: text after the closing quote (a quoted field ends at a separator or the "
		"line's end; a quote inside it is written twice)"), r->nf + 1);
	return 0;
}

/* A bad record: the rest of its line goes unread; then it ends like any record. */
static int in_skip(struct kt_csv_reader *r, const char **p, const char *end)
{
	const char *q = *p;
	while (q < end && *q != '\n' && *q != '\r')
		q++;
	*p = q;
	if (q == end)
		return 0;
	(*p)++;
	int last = r->line;
	newline(r, *q);
	r->last_line = last;
	r->st = P_FIELD_START;
	return 1;
}

/* Consumes decoded bytes: 1 when a record is complete, 0 when the bytes ran out, -1. */
static int step(struct kt_csv_reader *r)
{
	const char *p = r->dec + r->dec_pos, *end = r->dec + r->dec_len;
	int rc = 0;
	while (p < end && rc == 0) {
		switch ((enum pstate)r->st) {
		case P_FIELD_START: rc = at_field_start(r, &p); break;
		case P_UNQUOTED: rc = in_unquoted(r, &p, end); break;
		case P_QUOTED: rc = in_quoted(r, &p, end); break;
		case P_QUOTED_QUOTE: rc = after_quote(r, &p); break;
		case P_SKIP: rc = in_skip(r, &p, end); break;
		}
	}
	r->dec_pos = (size_t)(p - r->dec);
	return rc;
}

static int at_eof(struct kt_csv_reader *r)
{
	if (r->has_pending) { /* every good byte before the bad one was parsed */
		r->err = r->pending;
		return -1;
	}
	if (r->st == P_QUOTED)
		return fail(r, KT_CSV_EQUOTE, r->quote_line,
			N_("unbalanced quote: field %zu opens a quote on this line that is not closed by "
			"the end of the file"), r->nf + 1);
	if (r->st == P_SKIP) {
		r->last_line = r->line;
		r->st = P_FIELD_START;
		return 1;
	}
	if (r->st == P_FIELD_START && r->nf == 0)
		return 0;
	return end_record(r, r->line);
}

/* 1 when a record was read, 0 at the end, -1 on an error (r->err). */
static int read_record(struct kt_csv_reader *r)
{
	r->nf = 0;
	r->rec_len = 0;
	r->rec_line = r->line;
	r->skipping = false;
	if (field_begin(r) != 0)
		return -1;
	for (;;) {
		if (r->dec_pos == r->dec_len) {
			int m = kt_csv_decode_more(r);
			if (m < 0)
				return -1;
			if (m == 0)
				return at_eof(r);
			continue;
		}
		int rc = step(r);
		if (rc != 0)
			return rc;
	}
}

/* Spreadsheets save empty rows as ";;;;": nothing in them, so they are skipped. */
static bool record_empty(const struct kt_csv_reader *r)
{
	for (size_t i = 0; i < r->nf; i++)
		if (r->fields[i].len > 0 || r->fields[i].quoted)
			return false;
	return true;
}

static void fill_row(struct kt_csv_reader *r, struct kt_csv_row *row)
{
	for (size_t i = 0; i < r->nf; i++)
		r->fields[i].s = r->rec + r->fstart[i];
	row->f = r->fields;
	row->n = r->nf;
	row->line = r->rec_line;
	row->last_line = r->last_line;
}

enum kt_csv_status kt_csv_next(struct kt_csv_reader *r, struct kt_csv_row *row,
	struct kt_csv_err *err)
{
	if (!r->failed && !r->sep && kt_csv_detect_sep(r) != 0)
		r->failed = true;
	for (;;) {
		if (r->failed) {
			if (err)
				*err = r->err;
			return KT_CSV_ERROR;
		}
		int rc = read_record(r);
		if (rc < 0) {
			r->failed = true;
			continue;
		}
		if (rc == 0 && !r->have_header) {
			kt_csv_set_err(&r->err, KT_CSV_EEMPTY, 0, N_("the file is empty (no header line)"));
			r->failed = true;
			continue;
		}
		if (rc == 0)
			return KT_CSV_END;
		if (r->skipping) { /* a bad record: its line was skipped */
			fill_row(r, row);
			if (!r->have_header) { /* no header to read the rest by */
				r->err = r->bad;
				r->failed = true;
				continue;
			}
			if (err)
				*err = r->bad;
			return KT_CSV_BAD_ROW;
		}
		if (record_empty(r))
			continue;
		fill_row(r, row);
		if (err)
			kt_csv_set_err(err, KT_CSV_OK, 0, "%s", "");
		if (kt_csv_bad_encoding(r, r->rec_line, r->last_line)) {
			kt_csv_set_err(r->have_header ? err : &r->err, KT_CSV_EENCODING, r->rec_line,
				N_("invalid UTF-8 (the file is UTF-8; is a line of another encoding mixed in?)"));
			if (!r->have_header) { /* no header to read the rest by */
				r->failed = true;
				continue;
			}
			return KT_CSV_BAD_ROW;
		}
		if (!r->have_header) {
			r->have_header = true;
			r->ncols = r->nf;
			return KT_CSV_ROW;
		}
		if (r->nf == r->ncols)
			return KT_CSV_ROW;
		kt_csv_set_err(err, KT_CSV_ECOLUMNS, r->rec_line,
			N_("the row has %zu fields, the header has %zu"), r->nf, r->ncols);
		return KT_CSV_BAD_ROW;
	}
}
