/* ptable: wrapped-cell tables over pages (see ptable.h). The invariant: the header row is
 * drawn at most once per page, right before the first row of the table on that page, so
 * a header never ends a page without a row under it. */
#include "ptable.h"

#include "pdoc.h"

#define PAD 2.5 /* points inside a cell */

void ptable_begin(struct ptable *t, struct pdoc *d, const struct pcol *cols, size_t n)
{
	*t = (struct ptable){.d = d, .cols = cols, .n = n > PTABLE_MAX_COLS ? PTABLE_MAX_COLS : n};
	double fixed = 0;
	size_t shares = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (cols[i].mm > 0)
			fixed += pdoc_mm(cols[i].mm);
		else
			shares++;
	}
	double rest = pdoc_width(d) - fixed;
	for (size_t i = 0; i < t->n; i++)
		t->w[i] = cols[i].mm > 0 ? pdoc_mm(cols[i].mm)
			: shares ? (rest > 0 ? rest / (double)shares : pdoc_mm(15)) : 0;
	for (size_t i = 0; i < t->n; i++) {
		double h = pdoc_text_height(d, PDOC_HEAD, t->w[i] - 2 * PAD, cols[i].title) + 2 * PAD;
		if (h > t->head_h)
			t->head_h = h;
	}
}

static double row_height(struct ptable *t, enum pdoc_style st, const char *const *cells)
{
	double h = 0;
	for (size_t i = 0; i < t->n; i++) {
		double c = pdoc_text_height(t->d, st, t->w[i] - 2 * PAD, cells[i]) + 2 * PAD;
		if (c > h)
			h = c;
	}
	return h;
}

static void draw_cells(struct ptable *t, enum pdoc_style st, const char *const *cells, double h,
	bool shaded, bool head)
{
	double x = 0;
	for (size_t i = 0; i < t->n; i++) {
		pdoc_box(t->d, x, 0, t->w[i], h, shaded);
		pdoc_text_at(t->d, st, head ? PDOC_CENTER : t->cols[i].align, x + PAD, PAD,
			t->w[i] - 2 * PAD, cells[i]);
		x += t->w[i];
	}
	pdoc_advance(t->d, h);
}

static double table_width(const struct ptable *t)
{
	double w = 0;
	for (size_t i = 0; i < t->n; i++)
		w += t->w[i];
	return w;
}

void ptable_group(struct ptable *t, const char *text)
{
	t->group = text;
}

static void row(struct ptable *t, const char *const *cells, enum pdoc_style st)
{
	struct pdoc *d = t->d;
	double h = row_height(t, st, cells), gh = 0, w = table_width(t);
	if (t->group)
		gh = pdoc_text_height(d, PDOC_BOLD, w - 2 * PAD, t->group) + 2 * PAD;
	/* the row, its group row and (on a new page, or first) the header must fit */
	bool has_head = pdoc_page_started(d) && t->head_page == pdoc_page(d);
	double need = h + gh + (has_head ? 0 : t->head_h);
	if (pdoc_page_started(d) && pdoc_y(d) > 0 && need > pdoc_room(d))
		pdoc_break(d);
	pdoc_ensure_page(d);
	if (t->head_page != pdoc_page(d)) {
		const char *titles[PTABLE_MAX_COLS];
		for (size_t i = 0; i < t->n; i++)
			titles[i] = t->cols[i].title;
		draw_cells(t, PDOC_HEAD, titles, t->head_h, true, true);
		t->head_page = pdoc_page(d);
	}
	if (t->group) {
		pdoc_box(d, 0, 0, w, gh, false);
		pdoc_text_at(d, PDOC_BOLD, PDOC_LEFT, PAD, PAD, w - 2 * PAD, t->group);
		pdoc_advance(d, gh);
		t->group = NULL;
	}
	draw_cells(t, st, cells, h, false, false);
	t->rows++;
}

void ptable_row(struct ptable *t, const char *const *cells)
{
	row(t, cells, PDOC_CELL);
}

void ptable_total(struct ptable *t, const char *const *cells)
{
	row(t, cells, PDOC_CELL_BOLD);
}

void ptable_end(struct ptable *t)
{
	pdoc_gap(t->d, 8);
}
