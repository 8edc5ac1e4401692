/* kt_xlsx: kt_table's columns and rows as an .xlsx workbook (see kt_xlsx.h). All the ZIP and
 * XML work is libxlsxwriter's; this module decides the cell types, the formats, the sheet
 * names and widths, and owns the write-to-a-temporary-then-rename contract. Widths are
 * measured while the rows stream by (a column's widest cell, in characters, capped; longer
 * text wraps in its cell) and set when the sheet is finished — libxlsxwriter writes the
 * column list when the workbook closes, so that works in constant-memory mode too. */
#include "kt_xlsx.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <xlsxwriter.h>
#include "kt_i18n.h"

#define MAX_WIDTH 60        /* characters; wider text wraps inside its cell */
#define MAX_CELL 32000      /* bytes; Excel's limit is 32,767 characters */
#define MAX_SHEETS 256

struct kt_xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *head_r, *head_c, *date, *stamp, *pct, *wrap;
	char path[4096], tmp[4096];
	FILE *stream;
	struct kt_col *cols;
	size_t ncols, *width, rows;
	char names[MAX_SHEETS][KT_XLSX_SHEET_LEN];
	size_t nsheets;
	char err[KT_XLSX_ERR_LEN];
};

static int fail(struct kt_xlsx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct kt_xlsx *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->err, sizeof x->err, fmt, ap);
	va_end(ap);
	return -1;
}

const char *kt_xlsx_error(const struct kt_xlsx *x) { return x->err; }
size_t kt_xlsx_rows(const struct kt_xlsx *x) { return x->rows; }

/* --- the temporary file ------------------------------------------------------------------- */

static int make_tmp(struct kt_xlsx *x, const char *path)
{
	int fd;
	if (path) {
		snprintf(x->path, sizeof x->path, "%s", path);
		if ((size_t)snprintf(x->tmp, sizeof x->tmp, "%s.tmp-%ld", path, (long)getpid()) >=
		    sizeof x->tmp)
			return fail(x, _("cannot create '%s': the name is too long"), path);
		fd = open(x->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	} else {
		const char *dir = getenv("TMPDIR");
		snprintf(x->tmp, sizeof x->tmp, "%s/karta-XXXXXX", dir && *dir ? dir : "/tmp");
		fd = mkstemp(x->tmp);
	}
	if (fd < 0) {
		int e = errno;
		fail(x, _("cannot create '%s': %s"), x->tmp, strerror(e));
		x->tmp[0] = '\0';
		return -1;
	}
	close(fd);
	return 0;
}

struct kt_xlsx *kt_xlsx_open(const char *path, FILE *stream, char *err, size_t errlen)
{
	struct kt_xlsx *x = calloc(1, sizeof *x);
	if (!x) {
		snprintf(err, errlen, _("out of memory"));
		return NULL;
	}
	x->stream = stream;
	if (make_tmp(x, path) != 0) {
		snprintf(err, errlen, "%s", x->err);
		free(x);
		return NULL;
	}
	lxw_workbook_options wo = {.constant_memory = LXW_TRUE};
	x->wb = workbook_new_opt(x->tmp, &wo);
	if (!x->wb) {
		snprintf(err, errlen, _("cannot start a workbook in '%s': out of memory"), x->tmp);
		kt_xlsx_discard(x);
		return NULL;
	}
	/* the header: bold on a light band, aligned as its column's values are */
	lxw_format **heads[] = {&x->head, &x->head_r, &x->head_c};
	static const uint8_t align[] = {LXW_ALIGN_LEFT, LXW_ALIGN_RIGHT, LXW_ALIGN_CENTER};
	for (size_t i = 0; i < 3; i++) {
		lxw_format *h = *heads[i] = workbook_add_format(x->wb);
		format_set_bold(h);
		format_set_bg_color(h, 0xE7EEF7);
		format_set_bottom(h, LXW_BORDER_THIN);
		format_set_text_wrap(h);
		format_set_align(h, LXW_ALIGN_VERTICAL_TOP);
		format_set_align(h, align[i]);
	}
	x->date = workbook_add_format(x->wb);
	format_set_num_format(x->date, "dd.mm.yyyy");
	format_set_align(x->date, LXW_ALIGN_CENTER);
	x->stamp = workbook_add_format(x->wb);
	format_set_num_format(x->stamp, "dd.mm.yyyy hh:mm");
	format_set_align(x->stamp, LXW_ALIGN_CENTER);
	x->pct = workbook_add_format(x->wb);
	format_set_num_format(x->pct, "0.0%");
	x->wrap = workbook_add_format(x->wb);
	format_set_text_wrap(x->wrap);
	format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
	return x;
}

void kt_xlsx_discard(struct kt_xlsx *x)
{
	if (!x)
		return;
	if (x->wb)
		lxw_workbook_free(x->wb); /* never written: the temporary file stays empty */
	if (*x->tmp)
		unlink(x->tmp);
	free(x->cols);
	free(x->width);
	free(x);
}

/* --- names and dates ---------------------------------------------------------------------- */

void kt_xlsx_sheet_name(const char *title, char *out)
{
	char *v = kt_utf8_dup_valid(title);
	const char *s = v ? v : "";
	size_t o = 0, chars = 0;
	while (*s == '\'' || *s == ' ')
		s++;
	while (*s && chars < 31) {
		size_t n = 1;
		unsigned char c = (unsigned char)*s;
		if (c >= 0xF0)
			n = 4;
		else if (c >= 0xE0)
			n = 3;
		else if (c >= 0xC0)
			n = 2;
		if (n == 4 && chars + 2 > 31) /* outside the BMP: two UTF-16 units */
			break;
		if (n == 1 && (strchr("[]:*?/\\", c) || c < 0x20))
			out[o++] = '-';
		else {
			memcpy(out + o, s, n);
			o += n;
		}
		chars += n == 4 ? 2 : 1;
		s += n;
	}
	while (o > 0 && (out[o - 1] == '\'' || out[o - 1] == ' '))
		o--;
	out[o] = '\0';
	if (o == 0)
		snprintf(out, KT_XLSX_SHEET_LEN, "%s", "Лист");
	free(v);
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num_at(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int kt_xlsx_parse_date(const char *s, struct kt_xlsx_when *w)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	*w = (struct kt_xlsx_when){0};
	size_t len = strlen(s);
	if (len >= 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' &&
	    digits(s + 8, 2)) {
		w->year = num_at(s, 4), w->month = num_at(s + 5, 2), w->day = num_at(s + 8, 2);
	} else if (len >= 10 && digits(s, 2) && s[2] == '.' && digits(s + 3, 2) && s[5] == '.' &&
		   digits(s + 6, 4)) {
		w->day = num_at(s, 2), w->month = num_at(s + 3, 2), w->year = num_at(s + 6, 4);
	} else {
		return -1;
	}
	if (w->year < 1900 || w->month < 1 || w->month > 12 || w->day < 1 ||
	    w->day > mdays[w->month - 1])
		return -1;
	bool leap = (w->year % 4 == 0 && w->year % 100 != 0) || w->year % 400 == 0;
	if (w->month == 2 && w->day == 29 && !leap)
		return -1;
	s += 10;
	if (!*s)
		return 0;
	if ((*s != ' ' && *s != 'T') || strlen(s + 1) < 5 || !digits(s + 1, 2) || s[3] != ':' ||
	    !digits(s + 4, 2))
		return -1;
	w->hour = num_at(s + 1, 2), w->min = num_at(s + 4, 2);
	s += 6;
	if (*s == ':' && digits(s + 1, 2)) {
		w->sec = num_at(s + 1, 2);
		s += 3;
	}
	/* what may follow: fractions of a second, a zone — shown as the time written */
	if (*s && !strchr(".+-Z", *s))
		return -1;
	if (w->hour > 23 || w->min > 59 || w->sec > 59)
		return -1;
	w->has_time = true;
	return 0;
}

/* --- sheets and rows ---------------------------------------------------------------------- */

static bool name_taken(const struct kt_xlsx *x, const char *name)
{
	for (size_t i = 0; i < x->nsheets; i++)
		if (strcasecmp(x->names[i], name) == 0) /* Excel: case-insensitive (ASCII here) */
			return true;
	return false;
}

/* The previous sheet's column widths and filter. */
static void finish_sheet(struct kt_xlsx *x)
{
	if (!x->ws)
		return;
	for (size_t c = 0; c < x->ncols; c++) {
		size_t w = x->width[c] + 2;
		worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c,
			(double)(w > MAX_WIDTH ? MAX_WIDTH : w), NULL);
	}
	worksheet_autofilter(x->ws, 0, 0, (lxw_row_t)x->rows, (lxw_col_t)(x->ncols - 1));
	x->ws = NULL;
}

int kt_xlsx_sheet(struct kt_xlsx *x, const char *title, const struct kt_col *cols, size_t ncols)
{
	if (ncols == 0 || ncols > LXW_COL_MAX)
		return fail(x, _("a sheet needs 1 to %d columns"), LXW_COL_MAX);
	if (x->nsheets == MAX_SHEETS)
		return fail(x, _("more than %d sheets in one workbook"), MAX_SHEETS);
	finish_sheet(x);
	char base[KT_XLSX_SHEET_LEN], *name = x->names[x->nsheets];
	kt_xlsx_sheet_name(title, base);
	snprintf(name, KT_XLSX_SHEET_LEN, "%s", base);
	for (int k = 2; name_taken(x, name); k++) { /* "Участники (2)", cut to fit 31 */
		char suffix[16];
		int sl = snprintf(suffix, sizeof suffix, " (%d)", k);
		char cut[KT_XLSX_SHEET_LEN];
		snprintf(cut, sizeof cut, "%s", base);
		size_t chars = 0, i = 0;
		while (cut[i] && chars < (size_t)(31 - sl)) {
			i++;
			while ((cut[i] & 0xC0) == 0x80)
				i++;
			chars++;
		}
		snprintf(name, KT_XLSX_SHEET_LEN, "%.*s%s", (int)i, cut, suffix);
	}
	x->ws = workbook_add_worksheet(x->wb, name);
	if (!x->ws)
		return fail(x, _("cannot add the sheet '%s'"), name);
	x->nsheets++;
	struct kt_col *nc = realloc(x->cols, ncols * sizeof *nc);
	if (nc)
		x->cols = nc;
	size_t *nw = nc ? realloc(x->width, ncols * sizeof *nw) : NULL;
	if (!nw)
		return fail(x, _("out of memory"));
	x->width = nw;
	memcpy(x->cols, cols, ncols * sizeof *cols);
	x->ncols = ncols;
	x->rows = 0;
	worksheet_freeze_panes(x->ws, 1, 0);
	/* printed as people print these tables: A4 landscape, as wide as the page, the header
	 * repeated on every page */
	worksheet_set_paper(x->ws, 9);
	worksheet_set_landscape(x->ws);
	worksheet_fit_to_pages(x->ws, 1, 0);
	worksheet_repeat_rows(x->ws, 0, 0);
	for (size_t c = 0; c < ncols; c++) {
		const char *h = cols[c].name ? cols[c].name : "";
		size_t hw = kt_utf8_width(h, strlen(h));
		x->width[c] = hw + (hw + 4) / 5; /* bold is about a fifth wider */
		lxw_format *hf = kt_col_is_number(cols[c].type) ? x->head_r
			: cols[c].type == KT_COL_DATE ? x->head_c : x->head;
		lxw_error e = worksheet_write_string(x->ws, 0, (lxw_col_t)c, h, hf);
		if (e != LXW_NO_ERROR)
			return fail(x, _("cannot write the header of '%s': %s"), name, lxw_strerror(e));
	}
	return 0;
}

/* Widest line of s, in characters. */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (;;) {
		size_t n = strcspn(s, "\n");
		size_t lw = kt_utf8_width(s, n);
		w = lw > w ? lw : w;
		if (!s[n])
			return w;
		s += n + 1;
	}
}

/* One cell by its column's type; *shown is the width it takes on screen. */
static lxw_error write_cell(struct kt_xlsx *x, lxw_row_t r, lxw_col_t c, const char *s,
	enum kt_col_type type, size_t *shown)
{
	char *end;
	*shown = 0;
	if (!*s)
		return LXW_NO_ERROR; /* a blank cell, like JSON's null */
	if (type == KT_COL_INT || type == KT_COL_NUM || type == KT_COL_PCT) {
		errno = 0;
		double v = type == KT_COL_INT ? (double)strtoll(s, &end, 10) : strtod(s, &end);
		if (end != s && !*end && errno == 0 && isfinite(v)) {
			*shown = strlen(s) + (type == KT_COL_PCT);
			return worksheet_write_number(x->ws, r, c, type == KT_COL_PCT ? v / 100 : v,
				type == KT_COL_PCT ? x->pct : NULL);
		}
	} else if (type == KT_COL_DATE) {
		struct kt_xlsx_when w;
		if (kt_xlsx_parse_date(s, &w) == 0) {
			lxw_datetime dt = {w.year, w.month, w.day, w.hour, w.min, w.sec};
			*shown = w.has_time ? 16 : 10;
			return worksheet_write_datetime(x->ws, r, c, &dt, w.has_time ? x->stamp : x->date);
		}
	} else if (type == KT_COL_BOOL) {
		bool t = strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 || strcmp(s, "t") == 0 ||
			strcmp(s, "1") == 0;
		bool f = strcmp(s, "no") == 0 || strcmp(s, "false") == 0 || strcmp(s, "f") == 0 ||
			strcmp(s, "0") == 0;
		if (t || f) { /* words, not Excel's ИСТИНА/ЛОЖЬ: read as the terminal reads */
			*shown = 3;
			return worksheet_write_string(x->ws, r, c, t ? "да" : "нет", NULL);
		}
	}
	char *cut = NULL;
	if (strlen(s) > MAX_CELL) { /* cut at a character boundary */
		size_t n = MAX_CELL;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		if (!(cut = strndup(s, n)))
			return LXW_ERROR_MEMORY_MALLOC_FAILED;
		s = cut;
	}
	*shown = text_width(s);
	lxw_error e = worksheet_write_string(x->ws, r, c, s,
		*shown > MAX_WIDTH - 2 || strchr(s, '\n') ? x->wrap : NULL);
	free(cut);
	return e;
}

int kt_xlsx_row(struct kt_xlsx *x, const char *const *cells)
{
	if (!x->ws)
		return fail(x, _("no sheet to write the row to"));
	if (x->rows + 1 >= LXW_ROW_MAX)
		return fail(x, _("more than %d rows do not fit one sheet"), LXW_ROW_MAX - 1);
	lxw_row_t r = (lxw_row_t)(x->rows + 1);
	for (size_t c = 0; c < x->ncols; c++) {
		size_t shown;
		lxw_error e = write_cell(x, r, (lxw_col_t)c, cells[c] ? cells[c] : "",
			x->cols[c].type, &shown);
		if (e != LXW_NO_ERROR)
			return fail(x, _("cannot write row %zu, column '%s': %s"), x->rows + 1,
				x->cols[c].name, lxw_strerror(e));
		x->width[c] = shown > x->width[c] ? shown : x->width[c];
	}
	x->rows++;
	return 0;
}

int kt_xlsx_table(struct kt_xlsx *x, const char *title, const struct kt_table *t)
{
	size_t nc;
	const struct kt_col *cols = kt_table_cols(t, &nc);
	if (kt_xlsx_sheet(x, title, cols, nc) != 0)
		return -1;
	for (size_t r = 0; r < kt_table_rows(t); r++)
		if (kt_xlsx_row(x, kt_table_row(t, r)) != 0)
			return -1;
	return 0;
}

/* --- commit ------------------------------------------------------------------------------- */

static int copy_to(const char *from, FILE *to, char *err, size_t errlen)
{
	FILE *f = fopen(from, "rb");
	if (!f) {
		snprintf(err, errlen, _("cannot read '%s': %s"), from, strerror(errno));
		return -1;
	}
	char buf[65536];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			rc = -1;
	if (ferror(f) || fflush(to) != 0 || ferror(to))
		rc = -1;
	if (rc != 0)
		snprintf(err, errlen, _("cannot write the workbook: %s"), strerror(errno));
	fclose(f);
	return rc;
}

int kt_xlsx_commit(struct kt_xlsx *x, char *err, size_t errlen)
{
	static const struct kt_col none = {"", KT_COL_TEXT, 0};
	if (x->nsheets == 0 && kt_xlsx_sheet(x, "Лист", &none, 1) != 0) {
		snprintf(err, errlen, "%s", x->err);
		kt_xlsx_discard(x);
		return -1;
	}
	finish_sheet(x);
	lxw_error e = workbook_close(x->wb);
	x->wb = NULL;
	int rc = 0;
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, _("cannot write '%s': %s%s%s"), x->tmp, lxw_strerror(e),
			errno ? ": " : "", errno ? strerror(errno) : "");
		rc = -1;
	} else if (x->stream) {
		rc = copy_to(x->tmp, x->stream, err, errlen);
	} else if (rename(x->tmp, x->path) != 0) {
		snprintf(err, errlen, _("cannot rename '%s' to '%s': %s"), x->tmp, x->path,
			strerror(errno));
		rc = -1;
	} else {
		x->tmp[0] = '\0'; /* in place: nothing to remove */
	}
	kt_xlsx_discard(x);
	return rc;
}
