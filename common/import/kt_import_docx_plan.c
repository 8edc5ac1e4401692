/* kt_import_docx_plan: a Word document's blocks -> plans, each read by the text reader's
 * rules (kt_import_finish). The document is first written as its text form — paragraphs
 * as lines, each table cell as a TAB-led line plus one line per further paragraph, the
 * way Word saves a document as text — and cleaned by kt_text_load, so cell text and
 * warnings' line numbers are the same as for that text file. Then:
 *  - plans: a table whose row names plan columns (kt_run_is_header) opens a plan; a later
 *    table continues it when it has no header row, or repeats the same header with no
 *    text between (a table split in two); any other header table opens the next plan,
 *    whose preamble is the text since the previous plan's last table;
 *  - columns: the header row and an optional second row under a merged header cell give
 *    the column boundaries on the table grid (w:gridSpan); a data cell belongs to the
 *    column its grid position falls in, a cell spanning several action columns fills each;
 *  - rows: repeated header rows (w:tblHeader or the same texts) and column-number rows are
 *    dropped; a vertically merged cell (w:vMerge) gives its text to every row it covers
 *    that starts an item, except in the number and title columns, where it means the row
 *    continues the item above;
 *  - section hints: a row whose only text is bold or in a heading style, or a bold title
 *    next to a lone top-level number, is moved to the number column, where the builder
 *    reads it as a section heading.
 * Invariant: every plan owns its strings; the text form is shared read-only while they
 * are built and released before returning. */
#include <stdlib.h>
#include <string.h>

#include "kt_import_docx_int.h"
#include "kt_i18n.h"

/* ---- text form ---- */

static int count_nl(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int write_text(const struct kt_docx *d, struct kt_sbuf *b)
{
	int line = 1;
	for (size_t i = 0; i < d->n; i++) {
		struct kt_dblock *k = &d->b[i];
		k->first = line;
		if (!k->is_table) {
			kt_sb_puts(b, k->text);
			kt_sb_putc(b, '\n');
			line += count_nl(k->text) + 1;
			k->last = line - 1;
			continue;
		}
		for (size_t r = 0; r < k->tab.n_rows; r++) {
			struct kt_drow *row = &k->tab.rows[r];
			for (size_t c = 0; c < row->n; c++) {
				struct kt_dcell *cell = &row->cells[c];
				kt_sb_putc(b, '\t');
				kt_sb_puts(b, cell->text);
				kt_sb_putc(b, '\n');
				cell->first = line;
				line += count_nl(cell->text) + 1;
				cell->last = line - 1;
			}
			kt_sb_putc(b, '\n'); /* a blank line between rows, for the reader of the text */
			line++;
		}
		k->last = line - 1;
	}
	return b->oom ? -1 : 0;
}

/* The cleaned text of a cell: its lines, the leading TAB dropped. */
static char *cell_text(const struct kt_text *tx, const struct kt_dcell *cell)
{
	struct kt_sbuf b = {0};
	for (int l = cell->first; l <= cell->last && l >= 1 && (size_t)l <= tx->n; l++) {
		const char *s = tx->lines[l - 1].s;
		if (l == cell->first && s[0] == '\t')
			s++;
		else
			kt_sb_putc(&b, '\n');
		kt_sb_puts(&b, s);
	}
	kt_sb_putc(&b, '\0');
	if (b.oom) {
		kt_sb_release(&b);
		return NULL;
	}
	b.len = strlen(b.p);
	return kt_sb_take(&b);
}

/* ---- header rows ---- */

/* Index of the header row in the table's first rows, or -1. */
static long header_row(const struct kt_text *tx, const struct kt_dtable *t)
{
	for (size_t r = 0; r < t->n_rows && r < 12; r++) {
		const struct kt_drow *row = &t->rows[r];
		struct kt_cell v[KT_DOCX_MAX_CELLS];
		size_t n = 0;
		bool ok = true;
		for (size_t c = 0; c < row->n && ok; c++) {
			if (!(v[n].text = cell_text(tx, &row->cells[c])))
				ok = false;
			else
				n++;
		}
		bool hit = ok && n <= KT_IMPORT_MAX_COLUMNS && kt_run_is_header(v, n);
		for (size_t c = 0; c < n; c++)
			free(v[c].text);
		if (hit)
			return (long)r;
	}
	return -1;
}

static bool abbrev_table(const struct kt_text *tx, const struct kt_dtable *t)
{
	if (!t->n_rows || t->rows[0].n < 2)
		return false;
	char *a = cell_text(tx, &t->rows[0].cells[0]), *b = cell_text(tx, &t->rows[0].cells[1]);
	bool hit = a && b && kt_col_is_abbrev_header(a, b);
	free(a);
	free(b);
	return hit;
}

/* Both rows hold the same texts (a header repeated by a split table). */
static bool same_row(const struct kt_text *tx, const struct kt_drow *x, const struct kt_drow *y)
{
	if (x->n != y->n)
		return false;
	for (size_t c = 0; c < x->n; c++) {
		char *a = cell_text(tx, &x->cells[c]), *b = cell_text(tx, &y->cells[c]);
		char *na = a ? kt_norm(NULL, a) : NULL, *nb = b ? kt_norm(NULL, b) : NULL;
		bool eq = (!na && !nb) || (na && nb && strcmp(na, nb) == 0);
		free(a), free(b), free(na), free(nb);
		if (!eq)
			return false;
	}
	return true;
}

/* ---- plans in the document ---- */

struct span {
	size_t hdr;        /* block of the header table */
	long hrow;         /* its header row */
	size_t last;       /* last table block of the plan */
	size_t from;       /* first block of the preamble */
	size_t abbrev;     /* abbreviation table block, or SIZE_MAX */
	size_t *tables;    /* continuation tables, in order */
	size_t n_tables;
};

/* Text between two blocks that is more than blank lines, page numbers and «Продолжение
 * таблицы»: the start of something else (the next plan's title). */
static bool text_between(const struct kt_docx *d, size_t a, size_t b)
{
	for (size_t i = a + 1; i < b; i++) {
		const char *s = d->b[i].is_table ? "x" : kt_skip_sp(d->b[i].text);
		if (!*s || kt_is_page_number(s) || kt_u8_casestarts(s, "продолжение"))
			continue;
		return true;
	}
	return false;
}

static int find_plans(const struct kt_docx *d, const struct kt_text *tx, struct span **out,
	size_t *n)
{
	struct span *v = NULL;
	size_t nv = 0, abbrev = SIZE_MAX, from = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (!d->b[i].is_table)
			continue;
		const struct kt_dtable *t = &d->b[i].tab;
		struct span *cur = nv ? &v[nv - 1] : NULL;
		if (abbrev_table(tx, t)) {
			abbrev = i;
			continue;
		}
		long h = header_row(tx, t);
		bool cont = cur && (h < 0 || (!text_between(d, cur->last, i) && (abbrev == SIZE_MAX ||
			abbrev < cur->hdr) && same_row(tx, &t->rows[h], &d->b[cur->hdr].tab.rows[cur->hrow])));
		if (cont) {
			size_t *nt = realloc(cur->tables, (cur->n_tables + 1) * sizeof *nt);
			if (!nt)
				goto nomem;
			cur->tables = nt;
			cur->tables[cur->n_tables++] = i;
			cur->last = i;
			from = i + 1;
			continue;
		}
		if (h < 0)
			continue; /* a table before the first plan: part of its preamble */
		struct span *nvv = realloc(v, (nv + 1) * sizeof *v);
		if (!nvv)
			goto nomem;
		v = nvv;
		v[nv++] = (struct span){.hdr = i, .hrow = h, .last = i, .from = from,
			.abbrev = abbrev != SIZE_MAX && abbrev >= from ? abbrev : SIZE_MAX};
		abbrev = SIZE_MAX;
		from = i + 1;
	}
	*out = v;
	*n = nv;
	return 0;
nomem:
	for (size_t i = 0; i < nv; i++)
		free(v[i].tables);
	free(v);
	return -1;
}

/* ---- one plan ---- */

struct grid {
	size_t n;                              /* columns */
	unsigned bound[KT_IMPORT_MAX_COLUMNS]; /* first grid position of each */
	size_t grid;                           /* the header table's w:gridCol count */
};

static size_t col_of(const struct grid *g, unsigned pos)
{
	size_t k = 0;
	while (k + 1 < g->n && g->bound[k + 1] <= pos)
		k++;
	return k;
}

static void positions(const struct kt_drow *row, unsigned *pos)
{
	unsigned p = row->grid_before;
	for (size_t c = 0; c < row->n; c++) {
		pos[c] = p;
		p += row->cells[c].span;
	}
	pos[row->n] = p;
}

static bool add_bound(struct grid *g, unsigned b)
{
	size_t k = 0;
	while (k < g->n && g->bound[k] < b)
		k++;
	if (k < g->n && g->bound[k] == b)
		return true;
	if (g->n >= KT_IMPORT_MAX_COLUMNS)
		return false;
	memmove(g->bound + k + 1, g->bound + k, (g->n - k) * sizeof g->bound[0]);
	g->bound[k] = b;
	g->n++;
	return true;
}

/* A second header row under a merged header cell: only header words, at least two. */
static bool sub_header(const struct kt_text *tx, const struct kt_drow *main,
	const struct kt_drow *sub)
{
	bool merged = false;
	for (size_t c = 0; c < main->n; c++)
		merged |= main->cells[c].span > 1 || main->cells[c].vm == KT_VM_RESTART;
	size_t named = 0;
	for (size_t c = 0; c < sub->n && merged; c++) {
		char *s = cell_text(tx, &sub->cells[c]);
		if (!s)
			return false;
		if (!kt_blank(s)) {
			if (!kt_col_is_header_cell(s) || kt_is_item_number(s)) {
				free(s);
				return false;
			}
			named++;
		}
		free(s);
	}
	return merged && named >= 2;
}

struct plan_ctx {
	struct kt_ctx c;
	const struct kt_text *tx;
	const struct kt_docx *d;
	struct grid g;
	char *above[KT_DOCX_MAX_CELLS + 1]; /* vMerge: text of the cell above, by grid position */
	char *head_main[KT_IMPORT_MAX_COLUMNS];
	size_t n_main;
};

/* Fills the columns from the header row (and the second row). */
static int set_header(struct plan_ctx *p, const struct kt_drow *main, const struct kt_drow *sub)
{
	unsigned pm[KT_DOCX_MAX_CELLS + 1], ps[KT_DOCX_MAX_CELLS + 1];
	struct kt_cell mv[KT_IMPORT_MAX_COLUMNS], sv[KT_IMPORT_MAX_COLUMNS];
	memset(mv, 0, sizeof mv);
	memset(sv, 0, sizeof sv);
	positions(main, pm);
	if (sub)
		positions(sub, ps);
	for (size_t c = 0; c < main->n; c++)
		if (!add_bound(&p->g, pm[c]))
			return -2;
	for (size_t c = 0; sub && c < sub->n; c++)
		if (!add_bound(&p->g, ps[c]))
			return -2;
	int rc = -1;
	for (size_t k = 0; k < p->g.n; k++)
		if (!(mv[k].text = strdup("")) || !(sv[k].text = strdup("")))
			goto out;
	for (size_t c = 0; c < main->n; c++) {
		size_t k = col_of(&p->g, pm[c]);
		free(mv[k].text);
		if (!(mv[k].text = cell_text(p->tx, &main->cells[c])))
			goto out;
	}
	for (size_t c = 0; sub && c < sub->n; c++) {
		size_t k = col_of(&p->g, ps[c]);
		free(sv[k].text);
		if (!(sv[k].text = cell_text(p->tx, &sub->cells[c])))
			goto out;
	}
	if (kt_set_columns(&p->c.table, mv, p->g.n, sv, sub ? p->g.n : 0) != 0)
		goto out;
	for (size_t k = 0; k < p->g.n; k++)
		p->head_main[k] = mv[k].text, mv[k].text = NULL;
	p->n_main = p->g.n;
	rc = 0;
out:
	for (size_t k = 0; k < KT_IMPORT_MAX_COLUMNS; k++)
		free(mv[k].text), free(sv[k].text);
	return rc;
}

static bool is_action(enum kt_import_col r)
{
	return r == KT_COL_MUNICIPAL || r == KT_COL_INSTITUTIONAL || r == KT_COL_ACTIONS;
}

/* Maps a table row onto the plan's columns in v (texts owned by v). */
static int map_row(struct plan_ctx *p, const struct kt_dtable *tab, const struct kt_drow *row,
	struct kt_cell *v, bool *bold_only)
{
	const struct kt_table *t = &p->c.table;
	unsigned pos[KT_DOCX_MAX_CELLS + 1];
	bool by_grid = !p->g.grid || !tab->grid || tab->grid == p->g.grid;
	positions(row, pos);
	size_t filled = 0, hinted = 0;
	for (size_t k = 0; k < t->ncols; k++) {
		v[k].text = NULL;
		v[k].first = v[k].last = row->n ? row->cells[0].first : 0;
		v[k].tabbed = false;
	}
	for (size_t c = 0; c < row->n; c++) {
		const struct kt_dcell *cell = &row->cells[c];
		size_t k = by_grid ? col_of(&p->g, pos[c]) : c;
		if (k >= t->ncols)
			k = t->ncols - 1;
		size_t k_end = by_grid ? col_of(&p->g, pos[c + 1] ? pos[c + 1] - 1 : 0) : k;
		char *s = cell->vm == KT_VM_CONT ? strdup("") : cell_text(p->tx, cell);
		if (!s)
			return -1;
		for (size_t j = k; j <= k_end && j < t->ncols; j++) {
			if (j > k && !(is_action(t->roles[k]) && is_action(t->roles[j])))
				break;
			if (v[j].text && !kt_blank(v[j].text)) { /* two cells in one column */
				struct kt_sbuf b = {0};
				kt_sb_puts(&b, v[j].text);
				kt_sb_putc(&b, '\n');
				kt_sb_puts(&b, s);
				free(v[j].text);
				if (!(v[j].text = kt_sb_take(&b)))
					return free(s), -1;
			} else {
				free(v[j].text);
				if (!(v[j].text = strdup(s)))
					return free(s), -1;
			}
			v[j].first = cell->first;
			v[j].last = cell->last;
		}
		if (!kt_blank(s)) {
			filled++;
			hinted += cell->bold || cell->heading;
		}
		free(s);
	}
	for (size_t k = 0; k < t->ncols; k++)
		if (!v[k].text && !(v[k].text = strdup("")))
			return -1;
	*bold_only = filled > 0 && hinted == filled;
	return 0;
}

static size_t role_col(const struct kt_table *t, enum kt_import_col r)
{
	for (size_t k = 0; k < t->ncols; k++)
		if (t->roles[k] == r)
			return k;
	return SIZE_MAX;
}

/* «Проведение …»: a capital then a small letter, as a new item's title starts (a row
 * continuing the item above starts in lower case). */
static bool starts_sentence(const char *s)
{
	const char *p = kt_skip_sp(s);
	if (!p[0])
		return false;
	uint32_t a = kt_u8_next(&p);
	return *p && kt_u_is_upper(a) && kt_u_is_lower(kt_u8_next(&p));
}

/* vMerge: a continued cell takes the text above when its row starts an item. */
static int merge_down(struct plan_ctx *p, const struct kt_drow *row, struct kt_cell *v)
{
	const struct kt_table *t = &p->c.table;
	size_t num = role_col(t, KT_COL_NUMBER), title = role_col(t, KT_COL_TITLE);
	bool starts = (num != SIZE_MAX && kt_is_item_number(v[num].text)) ||
		((num == SIZE_MAX || kt_blank(v[num].text)) && title != SIZE_MAX &&
			starts_sentence(v[title].text));
	unsigned pos[KT_DOCX_MAX_CELLS + 1];
	positions(row, pos);
	for (size_t c = 0; c < row->n; c++) {
		unsigned g = pos[c] < KT_DOCX_MAX_CELLS ? pos[c] : KT_DOCX_MAX_CELLS;
		const struct kt_dcell *cell = &row->cells[c];
		size_t k = col_of(&p->g, pos[c]);
		if (cell->vm != KT_VM_CONT) {
			free(p->above[g]);
			p->above[g] = k < t->ncols ? strdup(v[k].text) : NULL;
			continue;
		}
		if (!starts || !p->above[g] || k >= t->ncols || k == num || k == title ||
			!kt_blank(v[k].text))
			continue;
		free(v[k].text);
		if (!(v[k].text = strdup(p->above[g])))
			return -1;
	}
	return 0;
}

/* Bold or heading text alone in its row, or a bold title beside a lone top-level number:
 * a section heading, moved to the first column. */
static int section_hint(const struct kt_table *t, struct kt_cell *v, bool bold_only)
{
	size_t n = 0, at = 0;
	for (size_t k = 0; k < t->ncols; k++)
		if (!kt_blank(v[k].text))
			n++, at = k;
	if (!bold_only || at == 0)
		return 0;
	int depth = 0;
	const char *num = kt_skip_sp(v[0].text);
	size_t plen = kt_number_prefix(num, &depth);
	bool lone_number = n == 2 && plen && depth == 1 && kt_blank(num + plen);
	if (n != 1 && !lone_number)
		return 0;
	struct kt_sbuf b = {0};
	if (lone_number) {
		kt_sb_puts(&b, num);
		kt_sb_putc(&b, ' ');
	}
	kt_sb_puts(&b, kt_skip_sp(v[at].text));
	char *s = kt_sb_take(&b);
	if (!s)
		return -1;
	free(v[0].text);
	v[0].text = s;
	v[at].text[0] = '\0';
	return 0;
}

static void free_cells(struct kt_cell *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(v[k].text);
		v[k].text = NULL;
	}
}

/* Rows of one table from row `from` on, into the plan's table. */
static int add_rows(struct plan_ctx *p, const struct kt_dtable *tab, size_t from, bool cont)
{
	struct kt_table *t = &p->c.table;
	struct kt_cell v[KT_IMPORT_MAX_COLUMNS];
	memset(v, 0, sizeof v);
	for (size_t r = from; r < tab->n_rows; r++) {
		const struct kt_drow *row = &tab->rows[r];
		bool bold_only;
		if (map_row(p, tab, row, v, &bold_only) != 0)
			goto nomem;
		bool empty = true;
		for (size_t k = 0; k < t->ncols; k++)
			empty &= kt_blank(v[k].text);
		bool repeat = (cont && row->header) ||
			kt_repeats_header(v, t->ncols, t, p->head_main, p->n_main);
		if (repeat || kt_column_numbers(v, t->ncols, t->ncols)) {
			t->dropped++;
			free_cells(v, t->ncols);
			/* the second header row under a repeated header goes with it */
			if (repeat && r + 1 < tab->n_rows && sub_header(p->tx, row, &tab->rows[r + 1]))
				r++;
			continue;
		}
		if (empty) {
			free_cells(v, t->ncols);
			continue;
		}
		if (merge_down(p, row, v) != 0 || section_hint(t, v, bold_only) != 0)
			goto nomem;
		if (kt_emit_row(&p->c, v, t->ncols, false) != 0)
			goto nomem;
	}
	return 0;
nomem:
	free_cells(v, KT_IMPORT_MAX_COLUMNS);
	return -1;
}

static int abbrev_rows(struct plan_ctx *p, const struct kt_dtable *tab)
{
	for (size_t r = 1; r < tab->n_rows; r++) {
		const struct kt_drow *row = &tab->rows[r];
		if (row->n < 2)
			continue;
		struct kt_cell a = {.first = row->cells[0].first, .last = row->cells[0].last};
		struct kt_cell b = {.first = row->cells[1].first, .last = row->cells[1].last};
		a.text = cell_text(p->tx, &row->cells[0]);
		b.text = cell_text(p->tx, &row->cells[1]);
		if (!a.text || !b.text || kt_emit_abbrev(&p->c, &a, &b) != 0) {
			free(a.text);
			free(b.text);
			return -1;
		}
	}
	return 0;
}

static int one_plan(const struct kt_docx *d, const struct kt_text *full, const struct span *s,
	const char *name, struct kt_import_plan **out, struct kt_import_err *err)
{
	struct plan_ctx p;
	memset(&p, 0, sizeof p);
	int first = d->b[s->from < d->n ? s->from : s->hdr].first;
	int last = d->b[s->last].last;
	struct kt_text view = {.lines = full->lines + (first - 1), .n = (size_t)(last - first + 1),
		.encoding = "utf-8", .final_newline = true};
	const struct kt_dtable *ht = &d->b[s->hdr].tab;
	const struct kt_drow *hrow = &ht->rows[s->hrow];
	const struct kt_drow *sub = (size_t)s->hrow + 1 < ht->n_rows &&
		sub_header(full, hrow, &ht->rows[s->hrow + 1]) ? &ht->rows[s->hrow + 1] : NULL;
	struct kt_table *t = &p.c.table;
	int rc = -1;
	p.tx = full;
	p.d = d;
	p.c.text = &view;
	p.g.grid = ht->grid;
	t->layout = KT_IMPORT_LAYOUT_DOCX;
	if (!(p.c.plan = kt_plan_new()) || !(p.c.dict = kt_dict_build(&view)))
		goto nomem;
	int h = set_header(&p, hrow, sub);
	if (h == -2) {
		kt_import_fail(err, KT_IMPORT_ENOTABLE, _("the table at line %d has more than %d columns"),
			hrow->cells[0].first, KT_IMPORT_MAX_COLUMNS);
		goto out;
	}
	if (h != 0)
		goto nomem;
	t->header_line = hrow->n ? hrow->cells[0].first : d->b[s->hdr].first;
	t->first_line = s->abbrev != SIZE_MAX ? d->b[s->abbrev].first : t->header_line;
	if (s->abbrev != SIZE_MAX && abbrev_rows(&p, &d->b[s->abbrev].tab) != 0)
		goto nomem;
	if (add_rows(&p, ht, (size_t)s->hrow + (sub ? 2 : 1), false) != 0)
		goto rows;
	for (size_t i = 0; i < s->n_tables; i++)
		if (add_rows(&p, &d->b[s->tables[i]].tab, 0, true) != 0)
			goto rows;
	t->last_line = t->n_rows ? t->rows[t->n_rows - 1].last : t->header_line;
	if (kt_import_finish(&p.c, name, err) != 0)
		goto out;
	*out = p.c.plan;
	p.c.plan = NULL;
	rc = 0;
	goto out;
rows:
	if (p.c.too_many) {
		kt_import_fail(err, KT_IMPORT_ETOOBIG, _("the table has more than %d rows"),
			KT_IMPORT_MAX_ROWS);
		goto out;
	}
nomem:
	kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
out:
	for (size_t k = 0; k <= KT_DOCX_MAX_CELLS; k++)
		free(p.above[k]);
	for (size_t k = 0; k < KT_IMPORT_MAX_COLUMNS; k++)
		free(p.head_main[k]);
	kt_import_plan_free(p.c.plan);
	kt_dict_free(p.c.dict);
	kt_table_release(&p.c.table);
	return rc;
}

int kt_docx_plans(const struct kt_docx *d, const char *name, struct kt_import_plan ***plans,
	size_t *n, struct kt_import_err *err)
{
	struct kt_sbuf b = {0};
	struct kt_text tx;
	struct span *sp = NULL;
	size_t nsp = 0;
	int rc = -1;
	*plans = NULL;
	*n = 0;
	if (write_text(d, &b) != 0) {
		kt_sb_release(&b);
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		return -1;
	}
	int loaded = kt_text_load(&tx, (const unsigned char *)(b.p ? b.p : ""), b.len, err);
	kt_sb_release(&b);
	if (loaded != 0)
		return -1;
	if (find_plans(d, &tx, &sp, &nsp) != 0) {
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		goto out;
	}
	if (nsp == 0) {
		kt_import_fail(err, KT_IMPORT_ENOTABLE, _("no table header found in the Word file "
			"(expected columns such as «№ п/п», «Мероприятия», «Сроки», «Ответственные»)"));
		goto out;
	}
	if (!(*plans = calloc(nsp, sizeof **plans))) {
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		goto out;
	}
	for (size_t i = 0; i < nsp; i++) {
		if (one_plan(d, &tx, &sp[i], name, &(*plans)[i], err) != 0) {
			if (nsp > 1) {
				char m[sizeof err->msg];
				memcpy(m, err->msg, sizeof m);
				int k = snprintf(err->msg, sizeof err->msg, _("plan %zu of %zu: "), i + 1, nsp);
				if (k > 0 && (size_t)k < sizeof err->msg)
					memcpy(err->msg + k, m, sizeof m - (size_t)k - 1);
				err->msg[sizeof err->msg - 1] = '\0';
			}
			kt_import_plans_free(*plans, nsp);
			*plans = NULL;
			goto out;
		}
	}
	*n = nsp;
	rc = 0;
out:
	for (size_t i = 0; i < nsp; i++)
		free(sp[i].tables);
	free(sp);
	kt_text_release(&tx);
	return rc;
}
