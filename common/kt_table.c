/* kt_table: one table, three renderings (see kt_table.h). Rows are stored once as valid
 * UTF-8; the text rendering works on a per-cell copy with control characters turned into
 * spaces (server data must not drive the terminal), cut into display lines no wider than
 * the column's max_width. Widths are terminal columns, never bytes: a byte count would
 * misalign every Cyrillic cell by a factor of two. */
#include "kt_table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xE2\x80\xA6" /* U+2026 "…", one column */
#define COL_GAP 2

struct kt_table {
	struct kt_col *cols;
	size_t ncols;
	char **cells; /* nrows * ncols, row-major */
	size_t nrows, cap;
};

/* --- UTF-8 ----------------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4) with its code point, or 0 when the bytes
 * there are not valid UTF-8 (overlong, surrogate, past U+10FFFF, truncated). */
static size_t u8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
	if (n == 0 || s[0] > 0xF4 || n > len)
		return 0;
	uint32_t c = s[0] & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

struct cp_range {
	uint32_t lo, hi;
};

static bool in_ranges(uint32_t c, const struct cp_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c >= r[i].lo && c <= r[i].hi)
			return true;
	return false;
}

/* Terminal columns of one code point: the common cases of wcwidth(), without the locale. */
static unsigned cp_width(uint32_t c)
{
	static const struct cp_range zero[] = {
		{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
		{0x064B, 0x065F}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x1AB0, 0x1AFF},
		{0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},
		{0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
	};
	static const struct cp_range wide[] = {
		{0x1100, 0x115F}, {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF},
		{0x4E00, 0x9FFF}, {0xA000, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
		{0xFE30, 0xFE4F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F},
		{0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
	};
	if (c < 0x20 || (c >= 0x7F && c < 0xA0))
		return 0;
	if (c < 0x300)
		return 1;
	if (in_ranges(c, zero, sizeof zero / sizeof zero[0]))
		return 0;
	return in_ranges(c, wide, sizeof wide / sizeof wide[0]) ? 2 : 1;
}

/* Bytes and columns of the character at s: an invalid byte is one column. */
static size_t char_at(const char *s, size_t len, unsigned *w)
{
	uint32_t c;
	size_t n = u8_decode((const unsigned char *)s, len, &c);
	if (n == 0) {
		*w = 1;
		return 1;
	}
	*w = cp_width(c);
	return n;
}

size_t kt_utf8_width(const char *s, size_t len)
{
	size_t w = 0;
	for (size_t i = 0; i < len;) {
		unsigned cw;
		i += char_at(s + i, len - i, &cw);
		w += cw;
	}
	return w;
}

size_t kt_utf8_fit(const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strnlen(s, max), i = 0;
	while (i < len) {
		uint32_t c;
		size_t n = u8_decode(u + i, len - i, &c);
		if (n == 0) { /* the start of a letter cut by max, or an invalid byte */
			size_t need = u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : u[i] >= 0xC2 ? 2 : 1;
			size_t k = 1;
			while (i + k < len && (u[i + k] & 0xC0) == 0x80)
				k++;
			if (need > 1 && u[i] <= 0xF4 && i + k == len && k < need)
				break;
			n = 1;
		}
		i += n;
	}
	return i;
}

char *kt_utf8_dup_valid(const char *s)
{
	if (!s)
		s = "";
	size_t len = strlen(s);
	char *out = malloc(len * 3 + 1); /* each bad byte may become 3 */
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t n = u8_decode((const unsigned char *)s + i, len - i, &c);
		if (n == 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	return out;
}

/* --- the table ------------------------------------------------------------------------------- */

struct kt_table *kt_table_new(const struct kt_col *cols, size_t ncols)
{
	if (!cols || ncols == 0)
		return NULL;
	struct kt_table *t = calloc(1, sizeof *t);
	if (!t || !(t->cols = malloc(ncols * sizeof *t->cols))) {
		free(t);
		return NULL;
	}
	memcpy(t->cols, cols, ncols * sizeof *cols);
	t->ncols = ncols;
	return t;
}

void kt_table_free(struct kt_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->cols);
	free(t);
}

size_t kt_table_rows(const struct kt_table *t) { return t ? t->nrows : 0; }

const struct kt_col *kt_table_cols(const struct kt_table *t, size_t *n)
{
	*n = t->ncols;
	return t->cols;
}

const char *const *kt_table_row(const struct kt_table *t, size_t r)
{
	return (const char *const *)t->cells + r * t->ncols;
}

bool kt_col_is_number(enum kt_col_type type)
{
	return type == KT_COL_INT || type == KT_COL_NUM || type == KT_COL_PCT;
}

int kt_table_add(struct kt_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **v = realloc(t->cells, cap * t->ncols * sizeof *v);
		if (!v)
			return -1;
		t->cells = v;
		t->cap = cap;
	}
	char **row = t->cells + t->nrows * t->ncols;
	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = kt_utf8_dup_valid(cells[c]);
		if (!row[c]) {
			while (c-- > 0)
				free(row[c]);
			return -1;
		}
	}
	t->nrows++;
	return 0;
}

static const char *cell(const struct kt_table *t, size_t r, size_t c)
{
	return t->cells[r * t->ncols + c];
}

int kt_table_format_parse(const char *name, enum kt_table_format *out)
{
	static const char *const names[] = {
		[KT_TABLE_TEXT] = "table", [KT_TABLE_CSV] = "csv", [KT_TABLE_JSON] = "json",
		[KT_TABLE_XLSX] = "xlsx"};
	for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum kt_table_format)i;
			return 0;
		}
	return -1;
}

/* --- text: a cell as display lines ----------------------------------------------------------- */

struct lines {
	char **s;
	size_t *w;
	size_t n, cap;
};

static void lines_release(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->w);
	*l = (struct lines){0};
}

/* Appends len bytes of s (trailing spaces dropped), plus "…" when ellipsis. */
static int lines_push(struct lines *l, const char *s, size_t len, bool ellipsis)
{
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		char **ns = realloc(l->s, cap * sizeof *ns);
		if (!ns)
			return -1;
		l->s = ns;
		size_t *nw = realloc(l->w, cap * sizeof *nw);
		if (!nw)
			return -1;
		l->w = nw;
		l->cap = cap;
	}
	char *copy = malloc(len + sizeof ELLIPSIS);
	if (!copy)
		return -1;
	memcpy(copy, s, len);
	strcpy(copy + len, ellipsis ? ELLIPSIS : "");
	l->s[l->n] = copy;
	l->w[l->n] = kt_utf8_width(copy, strlen(copy));
	l->n++;
	return 0;
}

/* A copy fit for a terminal: C0 controls and DEL become spaces, CR is dropped, and newlines
 * are kept (wrap) or become spaces (cut). */
static char *printable(const char *s, bool keep_newlines)
{
	char *p = malloc(strlen(s) + 1), *o = p;
	if (!p)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\r')
			continue;
		if (c == '\n' && keep_newlines)
			*o++ = '\n';
		else
			*o++ = c < 0x20 || c == 0x7F ? ' ' : (char)c;
	}
	*o = '\0';
	return p;
}

/* One newline-free piece wrapped to max columns: break at the last space, or after the
 * last comma ("a,b,c" lists), that fits; else inside the word. Every line takes at least
 * one character, so this always advances. */
static int wrap_piece(struct lines *l, const char *s, size_t len, size_t max)
{
	size_t pos = 0;
	do {
		size_t i = pos, w = 0, brk = 0;
		unsigned cw;
		while (i < len) {
			size_t n = char_at(s + i, len - i, &cw);
			if (max && w + cw > max && i > pos)
				break;
			if (s[i] == ' ' && i > pos)
				brk = i;
			else if (s[i] == ',')
				brk = i + 1;
			w += cw;
			i += n;
		}
		size_t end = i < len && brk > pos ? brk : i;
		if (lines_push(l, s + pos, end - pos, false) != 0)
			return -1;
		pos = end;
		while (pos < len && s[pos] == ' ')
			pos++;
	} while (pos < len);
	return 0;
}

static int cut_piece(struct lines *l, const char *s, size_t len, size_t max)
{
	if (!max || kt_utf8_width(s, len) <= max)
		return lines_push(l, s, len, false);
	size_t i = 0, w = 0;
	unsigned cw;
	while (i < len) {
		size_t n = char_at(s + i, len - i, &cw);
		if (w + cw > max - 1)
			break;
		w += cw;
		i += n;
	}
	return lines_push(l, s, i, true);
}

static int cell_lines(const char *text, size_t max, enum kt_cell_fit fit, struct lines *l)
{
	char *p = printable(text, fit == KT_FIT_WRAP);
	if (!p)
		return -1;
	int rc = 0;
	if (fit == KT_FIT_CUT) {
		rc = cut_piece(l, p, strlen(p), max);
	} else {
		const char *s = p;
		for (;;) {
			size_t n = strcspn(s, "\n");
			if ((rc = wrap_piece(l, s, n, max)) != 0 || !s[n])
				break;
			s += n + 1;
		}
	}
	free(p);
	return rc;
}

/* --- text: writing --------------------------------------------------------------------------- */

struct text_line {
	FILE *out;
	const char *indent;
	size_t pending; /* spaces owed before the next visible text: never written at line end */
	bool started;
};

static void tl_put(struct text_line *tl, const char *s, size_t w, size_t width, bool right)
{
	size_t pad = width > w ? width - w : 0;
	if (right)
		tl->pending += pad;
	if (*s) {
		if (!tl->started && tl->indent)
			fputs(tl->indent, tl->out);
		tl->started = true;
		for (; tl->pending; tl->pending--)
			fputc(' ', tl->out);
		fputs(s, tl->out);
	}
	if (!right)
		tl->pending += pad;
}

static void tl_end(struct text_line *tl)
{
	fputc('\n', tl->out);
	tl->pending = 0;
	tl->started = false;
}

static int write_text(const struct kt_table *t, const struct kt_table_opts *o, FILE *out)
{
	size_t nc = t->ncols, ncells = t->nrows * nc;
	struct lines *cl = calloc(ncells + 1, sizeof *cl);
	size_t *width = calloc(nc, sizeof *width);
	int rc = -1;
	if (!cl || !width)
		goto out;
	for (size_t c = 0; c < nc; c++)
		width[c] = kt_utf8_width(t->cols[c].name, strlen(t->cols[c].name));
	for (size_t i = 0; i < ncells; i++) {
		size_t c = i % nc;
		if (cell_lines(t->cells[i], t->cols[c].max_width, o->fit, &cl[i]) != 0)
			goto out;
		for (size_t k = 0; k < cl[i].n; k++)
			width[c] = cl[i].w[k] > width[c] ? cl[i].w[k] : width[c];
	}
	struct text_line tl = {.out = out, .indent = o->indent};
	if (!o->no_header) {
		for (size_t c = 0; c < nc; c++, tl.pending += COL_GAP) {
			const char *h = t->cols[c].name;
			tl_put(&tl, h, kt_utf8_width(h, strlen(h)), width[c], false);
		}
		tl_end(&tl);
	}
	for (size_t r = 0; r < t->nrows; r++) {
		size_t height = 1;
		for (size_t c = 0; c < nc; c++)
			height = cl[r * nc + c].n > height ? cl[r * nc + c].n : height;
		for (size_t k = 0; k < height; k++) {
			for (size_t c = 0; c < nc; c++, tl.pending += COL_GAP) {
				const struct lines *x = &cl[r * nc + c];
				bool has = k < x->n;
				tl_put(&tl, has ? x->s[k] : "", has ? x->w[k] : 0, width[c],
					kt_col_is_number(t->cols[c].type));
			}
			tl_end(&tl);
		}
	}
	rc = ferror(out) ? -1 : 0;
out:
	for (size_t i = 0; cl && i < ncells; i++)
		lines_release(&cl[i]);
	free(cl);
	free(width);
	return rc;
}

/* --- CSV (RFC 4180) -------------------------------------------------------------------------- */

/* Quoted when the field holds a separator (',' or ';' — spreadsheets in a Russian locale
 * split on ';'), a quote or a line break, or starts or ends with a space. */
static bool csv_needs_quotes(const char *s, char sep)
{
	size_t n = strlen(s);
	if (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		return true;
	for (; *s; s++)
		if (*s == sep || strchr(",;\"\r\n", *s))
			return true;
	return false;
}

static void csv_field(const char *s, char sep, FILE *out)
{
	if (!csv_needs_quotes(s, sep)) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_record(const char *const *f, size_t n, char sep, FILE *out)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(sep, out);
		csv_field(f[i], sep, out);
	}
	fputs("\r\n", out);
}

static int write_csv(const struct kt_table *t, const struct kt_table_opts *o, FILE *out)
{
	char sep = o->sep ? o->sep : ',';
	if (o->bom)
		fputs("\xEF\xBB\xBF", out);
	if (!o->no_header) {
		const char **h = malloc(t->ncols * sizeof *h);
		if (!h)
			return -1;
		for (size_t c = 0; c < t->ncols; c++)
			h[c] = t->cols[c].name;
		csv_record(h, t->ncols, sep, out);
		free(h);
	}
	for (size_t r = 0; r < t->nrows; r++)
		csv_record((const char *const *)t->cells + r * t->ncols, t->ncols, sep, out);
	return ferror(out) ? -1 : 0;
}

/* --- JSON ------------------------------------------------------------------------------------ */

static json_t *json_cell(const char *s, enum kt_col_type type)
{
	if (type == KT_COL_BOOL)
		return json_boolean(strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
			strcmp(s, "t") == 0 || strcmp(s, "1") == 0);
	if (type == KT_COL_INT) {
		if (!*s)
			return json_null();
		char *end;
		long long v = strtoll(s, &end, 10);
		if (!*end)
			return json_integer(v);
	}
	if (type == KT_COL_NUM || type == KT_COL_PCT) {
		if (!*s)
			return json_null();
		char *end;
		double v = strtod(s, &end);
		if (!*end && end != s)
			return json_real(v);
	}
	return json_string(s);
}

json_t *kt_table_json(const struct kt_table *t)
{
	json_t *arr = json_array();
	for (size_t r = 0; arr && r < t->nrows; r++) {
		json_t *obj = json_object();
		for (size_t c = 0; obj && c < t->ncols; c++)
			if (json_object_set_new(obj, t->cols[c].name,
				    json_cell(cell(t, r, c), t->cols[c].type)) != 0) {
				json_decref(obj);
				obj = NULL;
			}
		if (!obj || json_array_append_new(arr, obj) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int kt_table_write(const struct kt_table *t, enum kt_table_format f,
	const struct kt_table_opts *o, FILE *out)
{
	static const struct kt_table_opts defaults = {0};
	if (!o)
		o = &defaults;
	if (f == KT_TABLE_TEXT)
		return write_text(t, o, out);
	if (f == KT_TABLE_CSV)
		return write_csv(t, o, out);
	if (f != KT_TABLE_JSON)
		return -1; /* xlsx: kt_xlsx_table */
	json_t *j = kt_table_json(t);
	int rc = j ? json_dumpf(j, out, JSON_INDENT(2)) : -1;
	json_decref(j);
	if (rc == 0)
		fputc('\n', out);
	return rc == 0 && !ferror(out) ? 0 : -1;
}
