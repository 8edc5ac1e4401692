/* kt_import_cells: the cell-lines layout. A line starting with TAB opens a cell, lines
 * without TAB continue it (blank lines included: they are paragraph breaks inside a cell,
 * not row separators), a lone page number between blank lines is dropped. Rows are cut
 * from the cell stream: a row starts at an item-number cell or an empty cell and takes up
 * to ncols cells, stopping early at the next item number or the next numbered heading;
 * any other cell whose successor starts a row is a row of its own (a heading merged
 * across the table). Invariant: a cell keeps the first and last non-blank line it spans. */
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"
#include "kt_grow.h"
#include "kt_i18n.h"

struct cells {
	struct kt_cell *v;
	size_t n, cap;
};

static bool cells_push(struct cells *cs, struct kt_cell c)
{
	struct kt_cell *v = kt_grow(cs->v, &cs->cap, cs->n, sizeof *v, 256);
	if (!v)
		return false;
	cs->v = v;
	cs->v[cs->n++] = c;
	return true;
}

static void cells_release(struct cells *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free(cs->v[i].text);
	free(cs->v);
}


struct header {
	size_t start, nmain;               /* cells of the main header row */
	char *main[KT_IMPORT_MAX_COLUMNS]; /* borrowed */
	size_t nsub;                       /* cells of the second header row, 0 if none */
};


/* A cell that starts a new row in the middle of a cell-lines row: an item number (not a
 * date in the deadline column) or the next numbered section heading. */
static bool starts_row(const struct kt_cell *cell, enum kt_import_col role, int next_section)
{
	const char *s = cell->text;
	if (kt_is_item_number(s)) {
		if (role == KT_COL_DEADLINE) {
			while (*s == ' ' || *s == '\n')
				s++;
			/* «01.09», «15.10»: a date has a two-digit month; «1.1.» is an item number */
			int a = atoi(s);
			const char *d = strchr(s, '.');
			int b = d ? atoi(d + 1) : 0;
			bool month2 = d && d[1] >= '0' && d[1] <= '9' && d[2] >= '0' && d[2] <= '9';
			if (d && month2 && a >= 1 && a <= 31 && b >= 1 && b <= 12)
				return false;
		}
		return true;
	}
	int depth;
	size_t n = kt_number_prefix(s, &depth);
	while (*s == ' ' || *s == '\n')
		s++;
	return n > 0 && depth == 1 && atoi(s) == next_section;
}

/* ---- layout: cell lines ---- */

static int read_cells(struct kt_ctx *c, struct cells *cs)
{
	const struct kt_text *tx = c->text;
	struct kt_sbuf b = {0};
	struct kt_cell cur = {0};
	bool open = false;
	for (size_t i = 0; i < tx->n; i++) {
		const struct kt_line *l = &tx->lines[i];
		if (l->s[0] == '\t') {
			if (open) {
				cur.text = kt_sb_take(&b);
				if (!cur.text || !cells_push(cs, cur))
					goto nomem;
			}
			memset(&cur, 0, sizeof cur);
			cur.first = cur.last = l->no;
			open = true;
			const char *rest = l->s + 1;
			const char *tab = strchr(rest, '\t');
			if (tab && !kt_blank(tab))
				cur.tabbed = true;
			size_t at = b.len;
			kt_sb_puts(&b, rest);
			for (size_t k = at; tab && k < b.len; k++)
				if (b.p[k] == '\t')
					b.p[k] = ' ';
			continue;
		}
		if (!open)
			continue;
		bool blank_around = (i == 0 || kt_blank(tx->lines[i - 1].s)) &&
			(i + 1 >= tx->n || kt_blank(tx->lines[i + 1].s));
		if (blank_around && kt_is_page_number(l->s))
			continue;
		kt_sb_putc(&b, '\n');
		kt_sb_puts(&b, l->s);
		if (!kt_blank(l->s))
			cur.last = l->no;
	}
	if (open) {
		cur.text = kt_sb_take(&b);
		if (!cur.text || !cells_push(cs, cur))
			goto nomem;
	}
	kt_sb_release(&b);
	return 0;
nomem:
	kt_sb_release(&b);
	free(cur.text);
	return -1;
}

/* Finds the header in the cell stream; *abbrev is the index of an abbreviation header. */
static bool find_header(struct cells *cs, struct header *h, size_t *abbrev)
{
	*abbrev = (size_t)-1;
	for (size_t i = 0; i < cs->n; i++) {
		if (i + 1 < cs->n && *abbrev == (size_t)-1 &&
			kt_col_is_abbrev_header(cs->v[i].text, cs->v[i + 1].text)) {
			*abbrev = i;
			i++;
			continue;
		}
		if (!kt_col_is_header_cell(cs->v[i].text))
			continue;
		/* a header names one title column: a second one («Организационные мероприятия»
		 * right under the header) is the first section's heading */
		size_t j = i;
		bool title = false;
		while (j < cs->n && j - i < KT_IMPORT_MAX_COLUMNS && kt_col_is_header_cell(cs->v[j].text)) {
			bool t = kt_col_classify(cs->v[j].text) == KT_COL_TITLE;
			if (t && title)
				break;
			title |= t;
			j++;
		}
		if (!kt_run_is_header(cs->v + i, j - i)) {
			i = j - 1;
			continue;
		}
		size_t start = i;
		if (kt_col_classify(cs->v[i].text) != KT_COL_NUMBER && i > 0 && kt_cell_empty(&cs->v[i - 1]) &&
			(*abbrev == (size_t)-1 || i - 1 > *abbrev + 1))
			start = i - 1;
		h->start = start;
		h->nmain = j - start;
		for (size_t k = 0; k < h->nmain; k++)
			h->main[k] = cs->v[start + k].text;
		h->nsub = kt_sub_header_len(cs->v + j, cs->n - j, h->nmain, false);
		return true;
	}
	return false;
}

/* Text after the last complete row that signs the document off is not part of its last
 * cell (cell lines have no row end marker, so it was read as a continuation). */
static void cut_trailer(struct kt_ctx *c)
{
	struct kt_table *t = &c->table;
	if (!t->n_rows || t->rows[t->n_rows - 1].n_given < t->ncols)
		return;
	struct kt_row *r = &t->rows[t->n_rows - 1];
	struct kt_cell *cell = &r->cells[t->ncols - 1];
	for (char *p = cell->text; (p = strchr(p, '\n')); p++) {
		char *q = p + 1;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '\n' || !kt_signs_off(q))
			continue;
		int line = cell->first, from;
		for (const char *x = cell->text; x < p; x++)
			line += *x == '\n';
		from = line;
		for (const char *x = p; *x == '\n' || *x == ' ' || *x == '\t'; x++)
			from += *x == '\n';
		kt_warn(c, from, "after_table", _("text after the table ignored from here"));
		*p = '\0';
		if (cell->last > line)
			cell->last = line;
		r->last = cell->last > r->first ? cell->last : r->first;
		for (size_t i = 0; i < t->ncols; i++)
			if (r->cells[i].last > r->last && i != t->ncols - 1)
				r->last = r->cells[i].last;
		return;
	}
}

int kt_layout_cells(struct kt_ctx *c, struct kt_import_err *err)
{
	struct kt_table *t = &c->table;
	struct cells cs = {0};
	struct header h = {0};
	size_t abbrev;
	int rc = -1;
	if (read_cells(c, &cs) != 0)
		goto nomem;
	if (!find_header(&cs, &h, &abbrev)) {
		err->code = KT_IMPORT_ENOTABLE;
		snprintf(err->msg, sizeof err->msg, _("no table header found (expected columns such "
			"as «№ п/п», «Мероприятия», «Сроки», «Ответственные»)"));
		goto out;
	}
	if (kt_set_columns(t, cs.v + h.start, h.nmain, cs.v + h.start + h.nmain, h.nsub) != 0)
		goto nomem;
	t->header_line = cs.v[h.start].first;
	/* the preamble ends where the first table (abbreviations or the plan) starts */
	t->first_line = abbrev != (size_t)-1 && abbrev < h.start ? cs.v[abbrev].first : t->header_line;
	/* abbreviation pairs between their header and the plan header */
	if (abbrev != (size_t)-1 && abbrev < h.start) {
		size_t a = abbrev + 2;
		for (; a + 1 < h.start; a += 2)
			if (kt_emit_abbrev(c, &cs.v[a], &cs.v[a + 1]) != 0)
				goto nomem;
		if (a < h.start && !kt_cell_empty(&cs.v[a]))
			kt_warn(c, cs.v[a].first, "abbreviation_odd", _("abbreviation table has an odd "
				"number of cells; the last one is ignored"));
	}
	size_t i = h.start + h.nmain + h.nsub;
	int next_section = 1;
	while (i < cs.n) {
		struct kt_cell *v = cs.v + i;
		size_t left = cs.n - i;
		if (kt_repeats_header(v, left, t, h.main, h.nmain)) {
			i += h.nmain;
			i += kt_sub_header_len(cs.v + i, cs.n - i, h.nmain, false);
			t->dropped++;
			continue;
		}
		if (kt_column_numbers(v, left, t->ncols)) {
			i += t->ncols;
			t->dropped++;
			continue;
		}
		size_t k = 1;
		if (kt_is_item_number(v[0].text) || kt_cell_empty(&v[0]) ||
			(left > 1 && !starts_row(&v[1], t->roles[1], next_section))) {
			/* a row also ends where the header repeats (a page break after a heading) */
			while (k < t->ncols && k < left && !starts_row(&v[k], t->roles[k], next_section) &&
				!kt_repeats_header(v + k, left - k, t, h.main, h.nmain))
				k++;
		} else {
			int depth;
			if (kt_number_prefix(v[0].text, &depth) && depth == 1) {
				const char *s = v[0].text;
				while (*s == ' ' || *s == '\n')
					s++;
				next_section = atoi(s) + 1;
			}
		}
		if (k < t->ncols && i + k >= cs.n && kt_is_item_number(v[0].text))
			t->truncated = true;
		if (kt_emit_row(c, v, k, false) != 0)
			goto nomem;
		i += k;
	}
	cut_trailer(c);
	if (t->n_rows)
		t->last_line = t->rows[t->n_rows - 1].last;
	rc = 0;
	goto out;
nomem:
	kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
out:
	cells_release(&cs);
	return rc;
}

