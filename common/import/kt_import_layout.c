/* kt_import_layout: cleaned lines -> the table's header and rows; the layout decision
 * and the row-lines layout (the cell-lines one is in kt_import_cells.c).
 *  - row lines: one line per row, cells separated by TAB; a line starting with TAB is a
 *    continuation (page-break spill-over) or an unnumbered row, decided by the builder; a
 *    line without TAB inside the table is kept as a one-cell "loose" row.
 * The header is the first run of cells naming plan columns (kt_import_columns.c), with an
 * optional second header row splitting a merged cell («Действия» -> «Муниципальный
 * уровень», «Институционный уровень»). An abbreviation table before it is kept apart.
 * Repeated page headers, column-number rows ("1 2 3 4 5") and page numbers are dropped.
 * Invariant: every row has exactly table.ncols cells (missing ones are empty strings), and
 * every cell keeps the first and last input lines it came from. */
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"
#include "kt_grow.h"
#include "kt_i18n.h"

void kt_row_release(struct kt_row *r, size_t ncols)
{
	if (!r->cells)
		return;
	for (size_t i = 0; i < ncols; i++)
		free(r->cells[i].text);
	free(r->cells);
	r->cells = NULL;
}

void kt_table_release(struct kt_table *t)
{
	for (size_t i = 0; i < t->n_rows; i++)
		kt_row_release(&t->rows[i], t->ncols);
	for (size_t i = 0; i < t->n_abbrev; i++)
		kt_row_release(&t->abbrev_rows[i], 2);
	for (size_t i = 0; i < KT_IMPORT_MAX_COLUMNS; i++)
		free(t->head[i]);
	free(t->rows);
	free(t->abbrev_rows);
	memset(t, 0, sizeof *t);
}

/* Text with surrounding whitespace trimmed, as a new string. */
char *kt_trimmed(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\n' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
		n--;
	return kt_strdup_n(s, n);
}

bool kt_is_page_number(const char *s)
{
	while (*s == ' ')
		s++;
	size_t d = 0;
	while (s[d] >= '0' && s[d] <= '9')
		d++;
	return d > 0 && d <= 4 && kt_blank(s + d);
}

bool kt_cell_empty(const struct kt_cell *c) { return !c->text || kt_blank(c->text); }

/* ---- header ---- */

bool kt_run_is_header(const struct kt_cell *v, size_t n)
{
	bool title = false, other = false;
	for (size_t i = 0; i < n; i++) {
		enum kt_import_col r = kt_col_classify(v[i].text);
		if (r == KT_COL_TITLE)
			title = true;
		else if (r != KT_COL_UNKNOWN)
			other = true;
	}
	return title && other;
}

/* Fills the table's columns from the main header and an optional second row that splits
 * a merged cell: an empty sub-cell inherits the main cell above it, a run of non-empty
 * sub-cells shares one main cell. */
int kt_set_columns(struct kt_table *t, const struct kt_cell *main, size_t nmain,
	const struct kt_cell *sub, size_t nsub)
{
	size_t n = nsub ? nsub : nmain;
	if (n > KT_IMPORT_MAX_COLUMNS)
		return -1;
	size_t mi = 0;
	const char *last_named = "";
	for (size_t j = 0; j < n; j++) {
		bool sub_named = nsub && !kt_cell_empty(&sub[j]);
		const char *mt;
		if (nsub && nsub == nmain) {
			/* row lines keep a merged header cell's span as empty cells after it */
			if (!kt_blank(main[j].text))
				last_named = main[j].text;
			mt = kt_blank(main[j].text) && sub_named ? last_named : main[j].text;
		} else {
			/* cell lines drop the span: a run of named sub-cells shares one main cell */
			mt = mi < nmain ? main[mi].text : "";
			if (!sub_named || j + 1 >= n || kt_cell_empty(&sub[j + 1]))
				mi++;
		}
		struct kt_sbuf b = {0};
		if (sub_named) {
			if (!kt_blank(mt)) {
				kt_sb_puts(&b, mt);
				kt_sb_puts(&b, ": ");
			}
			kt_sb_puts(&b, sub[j].text);
		} else {
			kt_sb_puts(&b, mt);
		}
		char *raw = kt_sb_take(&b);
		t->head[j] = raw ? kt_norm(NULL, raw) : NULL;
		free(raw);
		if (!t->head[j] && !(t->head[j] = strdup("")))
			return -1;
		enum kt_import_col r = kt_col_classify(t->head[j]);
		if (nsub && !kt_cell_empty(&sub[j]) && kt_col_classify(sub[j].text) != KT_COL_UNKNOWN)
			r = kt_col_classify(sub[j].text);
		t->roles[j] = r;
	}
	t->ncols = n;
	bool has_number = false;
	for (size_t j = 0; j < n; j++)
		if (t->roles[j] == KT_COL_NUMBER)
			has_number = true;
	if (!has_number && t->head[0][0] == '\0')
		t->roles[0] = KT_COL_NUMBER;
	return 0;
}

/* A second header row: only empty or header cells, more of them than the main row. */
size_t kt_sub_header_len(const struct kt_cell *v, size_t n, size_t nmain, bool same_count)
{
	size_t k = 0, named = 0, blanks = 0;
	while (k < n && k < KT_IMPORT_MAX_COLUMNS) {
		if (kt_cell_empty(&v[k]))
			blanks++;
		else if (kt_col_is_header_cell(v[k].text))
			named++;
		else
			break;
		k++;
	}
	/* stop before the first cell of the next row if the run swallowed it */
	return ((k > nmain || (same_count && k == nmain)) && named >= 2 && blanks >= 1) ? k : 0;
}

static bool same_text(const char *a, const char *b)
{
	char *x = kt_norm(NULL, a), *y = kt_norm(NULL, b);
	bool eq = (!x && !y) || (x && y && strcmp(x, y) == 0);
	free(x);
	free(y);
	return eq;
}

/* The cells at v repeat the main header (a page break in the source). */
bool kt_repeats_header(const struct kt_cell *v, size_t n, const struct kt_table *t,
	char *const *main, size_t nmain)
{
	if (n < nmain)
		return false;
	size_t named = 0, hits = 0;
	for (size_t i = 0; i < nmain; i++) {
		if (kt_blank(main[i]))
			continue;
		named++;
		if (same_text(v[i].text, main[i]))
			hits++;
	}
	(void)t;
	return named >= 2 && hits * 2 >= named + 1 && (kt_cell_empty(&v[0]) || same_text(v[0].text, main[0]));
}

/* "1 2 3 4 5": Word numbering the columns under the header. */
bool kt_column_numbers(const struct kt_cell *v, size_t n, size_t ncols)
{
	if (n < ncols || ncols < 3)
		return false;
	for (size_t i = 0; i < ncols; i++) {
		const char *s = v[i].text;
		while (*s == ' ' || *s == '\n')
			s++;
		char *end;
		long x = strtol(s, &end, 10);
		if (end == s || x != (long)i + 1 || !kt_blank(end))
			return false;
	}
	return true;
}

/* ---- rows ---- */

static struct kt_row *new_row(struct kt_ctx *c)
{
	struct kt_table *t = &c->table;
	if (t->n_rows >= KT_IMPORT_MAX_ROWS) {
		c->too_many = true;
		return NULL;
	}
	struct kt_row *v = kt_grow(t->rows, &t->cap_rows, t->n_rows, sizeof *v, 128);
	if (!v)
		return NULL;
	t->rows = v;
	struct kt_row *r = &t->rows[t->n_rows];
	memset(r, 0, sizeof *r);
	r->cells = calloc(t->ncols, sizeof *r->cells);
	if (!r->cells)
		return NULL;
	t->n_rows++;
	return r;
}

/* Moves cells into a new row, padding missing cells with empty text. */
int kt_emit_row(struct kt_ctx *c, struct kt_cell *v, size_t n, bool blank_before)
{
	struct kt_table *t = &c->table;
	struct kt_row *r = new_row(c);
	if (!r)
		return -1;
	r->n_given = n;
	r->blank_before = blank_before;
	r->first = n ? v[0].first : 0;
	r->last = r->first;
	for (size_t i = 0; i < t->ncols; i++) {
		if (i < n) {
			r->cells[i] = v[i];
			v[i].text = NULL;
			if (r->cells[i].last > r->last && !kt_cell_empty(&r->cells[i]))
				r->last = r->cells[i].last;
		} else {
			r->cells[i].text = strdup("");
			r->cells[i].first = r->cells[i].last = r->last;
			if (!r->cells[i].text)
				return -1;
		}
	}
	return 0;
}

int kt_emit_abbrev(struct kt_ctx *c, struct kt_cell *a, struct kt_cell *b)
{
	struct kt_table *t = &c->table;
	struct kt_row *v = kt_grow(t->abbrev_rows, &t->cap_abbrev, t->n_abbrev, sizeof *v, 32);
	if (!v)
		return -1;
	t->abbrev_rows = v;
	struct kt_row *r = &t->abbrev_rows[t->n_abbrev];
	memset(r, 0, sizeof *r);
	if (!(r->cells = calloc(2, sizeof *r->cells)))
		return -1;
	t->n_abbrev++;
	r->cells[0] = *a;
	r->cells[1] = *b;
	a->text = b->text = NULL;
	r->first = r->cells[0].first;
	r->last = r->cells[1].last;
	return 0;
}

/* ---- layout: row lines ---- */

/* Splits a row line into at most max cells; text beyond the last one is joined to it and
 * *extra set. Returns the number of cells, 0 on ENOMEM. */
static size_t split_line(const struct kt_line *l, struct kt_cell *v, size_t max, bool *extra)
{
	size_t n = 0;
	const char *p = l->s;
	*extra = false;
	while (n < max) {
		const char *tab = strchr(p, '\t');
		size_t len = tab ? (size_t)(tab - p) : strlen(p);
		if (n + 1 == max && tab) {
			if (!kt_blank(tab))
				*extra = true;
			len = strlen(p);
		}
		char *s = kt_trimmed(p, len);
		if (!s)
			goto nomem;
		for (char *q = s; *q; q++)
			if (*q == '\t')
				*q = ' ';
		v[n].text = s;
		v[n].first = v[n].last = l->no;
		v[n].tabbed = false;
		n++;
		if (!tab || n == max)
			break;
		p = tab + 1;
	}
	return n;
nomem:
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	return 0;
}

static void free_cells(struct kt_cell *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].text);
		v[i].text = NULL;
	}
}

static bool line_is_header(const struct kt_cell *v, size_t n)
{
	size_t named = 0;
	for (size_t i = 0; i < n; i++) {
		if (kt_cell_empty(&v[i]))
			continue;
		if (!kt_col_is_header_cell(v[i].text))
			return false;
		named++;
	}
	return named >= 2 && kt_run_is_header(v, n);
}

static int layout_rows(struct kt_ctx *c, struct kt_import_err *err)
{
	const struct kt_text *tx = c->text;
	struct kt_table *t = &c->table;
	struct kt_cell v[KT_IMPORT_MAX_COLUMNS + 1], sub[KT_IMPORT_MAX_COLUMNS + 1];
	char *main_head[KT_IMPORT_MAX_COLUMNS] = {0};
	struct kt_cell mcells[KT_IMPORT_MAX_COLUMNS];
	memset(mcells, 0, sizeof mcells);
	size_t nmain = 0, hi = 0, abbrev_at = (size_t)-1, last_tab = 0;
	bool extra, found = false, signed_off = false;
	int rc = -1;
	memset(v, 0, sizeof v);
	memset(sub, 0, sizeof sub);
	for (size_t i = 0; i < tx->n; i++)
		if (strchr(tx->lines[i].s, '\t'))
			last_tab = i;
	for (size_t i = 0; i < tx->n && !found; i++) {
		if (!strchr(tx->lines[i].s, '\t'))
			continue;
		size_t n = split_line(&tx->lines[i], v, KT_IMPORT_MAX_COLUMNS + 1, &extra);
		if (n == 0)
			goto nomem;
		if (abbrev_at == (size_t)-1 && n >= 2 && kt_col_is_abbrev_header(v[0].text, v[1].text)) {
			abbrev_at = i;
		} else if (n <= KT_IMPORT_MAX_COLUMNS && line_is_header(v, n)) {
			while (n > 2 && kt_cell_empty(&v[n - 1])) {
				free(v[--n].text);
				v[n].text = NULL;
			}
			found = true;
			hi = i;
			nmain = n;
			for (size_t k = 0; k < n; k++)
				main_head[k] = v[k].text, v[k].text = NULL;
			break;
		}
		free_cells(v, n);
	}
	if (!found) {
		err->code = KT_IMPORT_ENOTABLE;
		snprintf(err->msg, sizeof err->msg, _("no table header found (expected columns such "
			"as «№ п/п», «Мероприятия», «Сроки», «Ответственные»)"));
		goto out;
	}
	t->header_line = tx->lines[hi].no;
	t->first_line = abbrev_at != (size_t)-1 ? tx->lines[abbrev_at].no : t->header_line;
	for (size_t k = 0; k < nmain; k++)
		mcells[k].text = main_head[k];
	size_t nsub = 0, next = hi + 1;
	while (next < tx->n && kt_blank(tx->lines[next].s))
		next++;
	if (next < tx->n && strchr(tx->lines[next].s, '\t')) {
		size_t n = split_line(&tx->lines[next], sub, KT_IMPORT_MAX_COLUMNS, &extra);
		if (n == 0)
			goto nomem;
		nsub = kt_sub_header_len(sub, n, nmain, true) == n ? n : 0;
		if (nsub)
			next++;
		else
			free_cells(sub, n);
	}
	if (nsub == 0)
		next = hi + 1;
	if (kt_set_columns(t, mcells, nmain, sub, nsub) != 0)
		goto nomem;
	free_cells(sub, nsub);
	if (abbrev_at != (size_t)-1) {
		for (size_t i = abbrev_at + 1; i < hi; i++) {
			if (!strchr(tx->lines[i].s, '\t'))
				continue;
			size_t n = split_line(&tx->lines[i], v, 2, &extra);
			if (n == 0)
				goto nomem;
			if (n == 2 && kt_emit_abbrev(c, &v[0], &v[1]) != 0)
				goto nomem;
			free_cells(v, n);
		}
	}
	bool blank = false;
	for (size_t i = next; i < tx->n && i <= last_tab; i++) {
		const struct kt_line *l = &tx->lines[i];
		if (kt_blank(l->s)) {
			blank = true;
			continue;
		}
		if (!strchr(l->s, '\t')) {
			if (kt_is_page_number(l->s))
				continue;
			v[0].text = kt_trimmed(l->s, l->len);
			v[0].first = v[0].last = l->no;
			if (!v[0].text || kt_emit_row(c, v, 1, blank) != 0)
				goto nomem;
			t->rows[t->n_rows - 1].loose = true;
			blank = false;
			continue;
		}
		size_t n = split_line(l, v, t->ncols, &extra);
		if (n == 0)
			goto nomem;
		if (kt_repeats_header(v, n, t, main_head, nmain) || kt_column_numbers(v, n, t->ncols)) {
			t->dropped++;
			free_cells(v, n);
			if (nsub && i + 1 < tx->n) {
				size_t m = split_line(&tx->lines[i + 1], sub, KT_IMPORT_MAX_COLUMNS, &extra);
				if (m && kt_sub_header_len(sub, m, nmain, true) == m)
					i++;
				free_cells(sub, m);
			}
			continue;
		}
		if (t->n_rows && !kt_cell_empty(&v[0]) && !kt_is_item_number(v[0].text) &&
			kt_signs_off(v[0].text)) {
			kt_warn(c, l->no, "after_table", _("text after the table ignored from here"));
			free_cells(v, n);
			signed_off = true;
			break;
		}
		if (extra)
			kt_warn(c, l->no, "extra_cells", _("row has more cells than the header's %zu; the "
				"rest is joined to the last column"), t->ncols);
		if (kt_emit_row(c, v, n, blank) != 0)
			goto nomem;
		blank = false;
	}
	for (size_t i = last_tab + 1; i < tx->n && !signed_off; i++)
		if (!kt_blank(tx->lines[i].s)) {
			kt_warn(c, tx->lines[i].no, "after_table", _("text after the table ignored from here"));
			break;
		}
	if (t->n_rows) {
		const struct kt_row *r = &t->rows[t->n_rows - 1];
		t->last_line = r->last;
		bool ends_nl = tx->final_newline;
		if (r->n_given < t->ncols && kt_is_item_number(r->cells[0].text) && !ends_nl &&
			r->last == tx->lines[last_tab].no && last_tab + 1 >= tx->n)
			t->truncated = true;
	}
	rc = 0;
	goto out;
nomem:
	kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
out:
	for (size_t k = 0; k < KT_IMPORT_MAX_COLUMNS; k++)
		free(main_head[k]);
	free_cells(v, KT_IMPORT_MAX_COLUMNS + 1);
	free_cells(sub, KT_IMPORT_MAX_COLUMNS + 1);
	return rc;
}

int kt_layout_read(struct kt_ctx *c, struct kt_import_err *err)
{
	size_t cell_lines = 0, row_lines = 0;
	for (size_t i = 0; i < c->text->n; i++) {
		const char *s = c->text->lines[i].s;
		const char *tab = strchr(s, '\t');
		if (!tab)
			continue;
		if (strchr(tab + 1, '\t'))
			row_lines++;
		else if (tab == s)
			cell_lines++;
		else
			row_lines++;
	}
	if (cell_lines + row_lines < 2) {
		err->code = KT_IMPORT_ENOTABLE;
		snprintf(err->msg, sizeof err->msg, _("no table found (no TAB-separated cells)"));
		return -1;
	}
	c->table.layout = row_lines > cell_lines ? KT_IMPORT_LAYOUT_ROW_LINES
						 : KT_IMPORT_LAYOUT_CELL_LINES;
	int rc = c->table.layout == KT_IMPORT_LAYOUT_ROW_LINES ? layout_rows(c, err)
								: kt_layout_cells(c, err);
	if (rc != 0 && c->too_many) {
		err->code = KT_IMPORT_ETOOBIG;
		snprintf(err->msg, sizeof err->msg, _("the table has more than %d rows"),
			KT_IMPORT_MAX_ROWS);
	}
	return rc;
}
