/* kt_table: one table, its renderings (see kt_table.h). Rows are stored once as valid
 * UTF-8; this file keeps them and writes CSV and JSON, kt_table_text.c the text table.
 * The process's style (people or machine, the terminal's width) is one static value set
 * by the program at its start. CSV goes through kt_csv_writer (common/registry), the one
 * CSV writer of the programs, so every command's CSV is alike. */
#include "kt_table_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kt_csv.h"
#include "kt_dates.h"

static struct kt_table_style style;

void kt_table_set_style(const struct kt_table_style *s) { style = *s; }

const struct kt_table_style *kt_table_get_style(void) { return &style; }

const char *kt_table_header(const struct kt_col *c, const char *title, bool people)
{
	if (!people || style.keys || !style.label)
		return c->name;
	return style.label(title, c->name);
}

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
	if (c < 0x300 || (c >= 0x370 && c < 0x483)) /* Latin, Greek, Cyrillic letters: no range */
		return 1;
	if (in_ranges(c, zero, sizeof zero / sizeof zero[0]))
		return 0;
	return in_ranges(c, wide, sizeof wide / sizeof wide[0]) ? 2 : 1;
}

size_t kt_table_char_at(const char *s, size_t len, unsigned *w)
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
		i += kt_table_char_at(s + i, len - i, &cw);
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

bool kt_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint64_t w;
		if (len - i >= 8 && (memcpy(&w, u + i, 8), (w & 0x8080808080808080u) == 0)) {
			i += 8; /* eight ASCII bytes at once: most of a JSON text */
			continue;
		}
		uint32_t c;
		size_t n = u8_decode(u + i, len - i, &c);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
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

/* --- for people -------------------------------------------------------------------------- */

/* "12.5" → "12,5" when s is a decimal number (digits, one '.', a sign). */
static bool decimal_comma(const char *s, char *buf, size_t n)
{
	const char *dot = strchr(s, '.');
	size_t len = strlen(s);
	if (!dot || len >= n || strspn(s, "+-0123456789.") != len || strchr(dot + 1, '.'))
		return false;
	memcpy(buf, s, len + 1);
	buf[dot - s] = ',';
	return true;
}

const char *kt_table_people_cell(const struct kt_col *c, const char *s, bool people, char *buf,
	size_t n)
{
	if (!people || !*s)
		return s;
	if (c->type == KT_COL_DATE) {
		kt_date_people(s, true, buf, n);
		return buf;
	}
	if ((c->type == KT_COL_NUM || c->type == KT_COL_PCT) && decimal_comma(s, buf, n))
		return buf;
	return s;
}

/* --- CSV ------------------------------------------------------------------------------------- */

/* The machine's CSV quotes every field that holds ',' ';' or a tab, or starts or ends with
 * a space, whatever the separator (kt_csv_wopts.quote_seps): a program that guesses the
 * separator still finds ours. People's CSV quotes what ';' CSV must (and the header's
 * commas): a decimal comma stays a bare number. */
static int write_csv(const struct kt_table *t, const struct kt_table_opts *o, FILE *out)
{
	bool people = style.csv_people;
	struct kt_csv_wopts wo = {.sep = o->sep ? o->sep : people ? ';' : ',', .crlf = true,
		.bom = (o->bom || people) && !style.cp1251, .cp1251 = style.cp1251,
		.quote_seps = !people};
	struct kt_csv_writer *w = kt_csv_writer_file(out, &wo);
	const char **f = malloc(t->ncols * sizeof *f);
	char **own = calloc(t->ncols, sizeof *own);
	int rc = w && f && own ? 0 : -1;
	if (rc == 0 && !o->no_header) {
		for (size_t c = 0; c < t->ncols; c++)
			f[c] = kt_table_header(&t->cols[c], o->title, people);
		rc = kt_csv_write_row(w, f, t->ncols);
	}
	for (size_t r = 0; rc == 0 && r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			char buf[96];
			f[c] = kt_table_people_cell(&t->cols[c], cell(t, r, c), people, buf, sizeof buf);
			if (f[c] == buf && !(f[c] = own[c] = strdup(buf)))
				rc = -1;
		}
		if (rc == 0)
			rc = kt_csv_write_row(w, f, t->ncols);
		for (size_t c = 0; c < t->ncols; c++) {
			free(own[c]);
			own[c] = NULL;
		}
	}
	if (rc != 0 && w && strstr(kt_csv_writer_error(w), "Windows-1251"))
		errno = EILSEQ;
	kt_csv_writer_free(w);
	free(f);
	free(own);
	return rc == 0 && !ferror(out) ? 0 : -1;
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
		return kt_table_write_text(t, o, out);
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
