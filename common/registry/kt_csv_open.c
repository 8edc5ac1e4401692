/* kt_csv_open: creating and freeing readers, the separator guess, the accessors.
 * The record parser itself is kt_csv_read.c; the byte decoder kt_csv_decode.c. */
#include <stdlib.h>
#include <string.h>

#include "kt_csv_int.h"

/* The options given (NULL: none) with every unset limit at its default. */
static struct kt_csv_opts with_defaults(const struct kt_csv_opts *given)
{
	struct kt_csv_opts d = given ? *given : (struct kt_csv_opts){0}, *o = &d;
	if (o->max_field == 0)
		o->max_field = KT_CSV_MAX_FIELD_DEFAULT;
	if (o->max_fields == 0)
		o->max_fields = KT_CSV_MAX_FIELDS_DEFAULT;
	if (o->max_row == 0)
		o->max_row = KT_CSV_MAX_ROW_DEFAULT;
	/* a row always holds at least one whole field */
	if (o->max_row < o->max_field)
		o->max_row = o->max_field;
	if (o->sep != ';' && o->sep != ',' && o->sep != '\t')
		o->sep = 0;
	return d;
}

struct kt_csv_reader *kt_csv_reader_new(kt_csv_read_fn *fn, void *ctx,
	const struct kt_csv_opts *o)
{
	struct kt_csv_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->o = with_defaults(o);
	r->read = fn;
	r->ctx = ctx;
	r->cd = (iconv_t)-1;
	r->dline = 1;
	r->line = 1;
	r->sep = r->o.sep;
	r->raw = malloc(KT_CSV_RAW_CAP);
	if (!r->raw) {
		free(r);
		return NULL;
	}
	return r;
}

static ssize_t no_read(void *ctx, void *buf, size_t n)
{
	(void)ctx, (void)buf, (void)n;
	return 0;
}

struct kt_csv_reader *kt_csv_reader_mem(const void *buf, size_t len,
	const struct kt_csv_opts *o)
{
	struct kt_csv_reader *r = kt_csv_reader_new(no_read, NULL, o);
	if (!r)
		return NULL;
	/* an empty buffer still needs a non-NULL pointer: mem marks "read from memory" */
	r->mem = buf ? buf : (const unsigned char *)"";
	r->mem_len = buf ? len : 0;
	return r;
}

static ssize_t file_read(void *ctx, void *buf, size_t n)
{
	FILE *f = ctx;
	size_t got = fread(buf, 1, n, f);
	if (got == 0 && ferror(f))
		return -1;
	return (ssize_t)got;
}

struct kt_csv_reader *kt_csv_reader_file(FILE *f, const struct kt_csv_opts *o)
{
	return kt_csv_reader_new(file_read, f, o);
}

void kt_csv_reader_free(struct kt_csv_reader *r)
{
	if (!r)
		return;
	kt_csv_decode_release(r);
	free(r->rec);
	free(r->fields);
	free(r->fstart);
	free(r);
}

/* Counts the candidate separators outside quotes in the first non-blank line of s[0..n);
 * true when that line's end was seen, so the counts are final. */
static bool count_header(const char *s, size_t n, size_t cnt[3])
{
	bool inq = false, started = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '"') {
			inq = !inq;
			started = true;
		} else if (inq) {
			continue;
		} else if (c == '\r' || c == '\n') {
			if (started)
				return true;
		} else {
			started = true;
			cnt[0] += c == ';';
			cnt[1] += c == ',';
			cnt[2] += c == '\t';
		}
	}
	return false;
}

/* The header line decides the separator: the most frequent of ';' ',' TAB outside quotes,
 * ';' on a tie (the regional software writes ';', and Russian text holds commas). */
int kt_csv_detect_sep(struct kt_csv_reader *r)
{
	size_t cnt[3];
	for (;;) {
		memset(cnt, 0, sizeof cnt);
		if (r->dec && count_header(r->dec + r->dec_pos, r->dec_len - r->dec_pos, cnt))
			break;
		if (r->dec_len - r->dec_pos > r->o.max_row)
			break;
		int rc = kt_csv_decode_more(r);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
	}
	static const char seps[3] = {';', ',', '\t'};
	size_t best = 0;
	for (size_t i = 1; i < 3; i++)
		if (cnt[i] > cnt[best])
			best = i;
	r->sep = seps[best];
	return 0;
}

const char *kt_csv_encoding(const struct kt_csv_reader *r)
{
	return r->enc_name ? r->enc_name : "";
}

char kt_csv_sep(const struct kt_csv_reader *r) { return r->sep; }
size_t kt_csv_ncols(const struct kt_csv_reader *r) { return r->ncols; }
size_t kt_csv_bytes_read(const struct kt_csv_reader *r) { return r->consumed; }
