/* kt_import_build: table rows -> sections and items. A row is an item when its number
 * cell holds an item number; a heading when it holds a section number with text and the
 * other cells are empty, or only text across the table; a row with an empty number cell
 * either continues the previous item (a page break split it: it starts in lower case,
 * fills only spill-over cells, or the previous title is visibly unfinished) or is an
 * unnumbered item of its own (it starts a new sentence), which is kept and warned about.
 * Numbering is checked per section (duplicates, gaps, going back) without renumbering.
 * Invariant: raw cell text is kept per item until the end, so continuation rows append
 * to the raw text and normalization (whitespace, soft hyphens) runs once per field. */
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"
#include "kt_grow.h"
#include "kt_i18n.h"

#define NO_COL ((size_t)-1)

enum field { F_TITLE, F_DEADLINE, F_RESP, F_MUN, F_INST, F_RESULT, F_TARGET, F_COUNT };

struct pending {
	size_t sec, item;
	struct kt_sbuf raw[F_COUNT]; /* raw cell text, rows joined by '\n'; .p NULL when empty */
};

struct builder {
	struct kt_ctx *c;
	int field_of[KT_IMPORT_MAX_COLUMNS]; /* -1: not an item field */
	size_t num_col, title_col; /* num_col NO_COL: the table has no number column */
	struct pending *pend;
	size_t n_pend, cap_pend;
	struct pending *prev; /* the item a continuation row would extend */
	struct kt_set seen; /* normalized numbers of the current section */
	char *last_number;
};

static int field_of_role(enum kt_import_col r)
{
	switch (r) {
	case KT_COL_TITLE: return F_TITLE;
	case KT_COL_DEADLINE: return F_DEADLINE;
	case KT_COL_RESPONSIBLE: return F_RESP;
	case KT_COL_ACTIONS:
	case KT_COL_MUNICIPAL: return F_MUN;
	case KT_COL_INSTITUTIONAL: return F_INST;
	case KT_COL_RESULT: return F_RESULT;
	case KT_COL_TARGET: return F_TARGET;
	default: return -1;
	}
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\n')
		s++;
	return s;
}

static bool row_empty(const struct kt_row *r, size_t ncols, size_t except)
{
	for (size_t i = 0; i < ncols; i++)
		if (i != except && !kt_blank(r->cells[i].text))
			return false;
	return true;
}

/* Appends text to dst with a line break between (the normalizer joins or spaces it). */
static int append(struct kt_sbuf *dst, const char *text)
{
	if (kt_blank(text))
		return 0;
	if (dst->len)
		kt_sb_putc(dst, '\n');
	kt_sb_puts(dst, text);
	return dst->oom ? -1 : 0;
}

static struct kt_import_section *cur_section(struct builder *b)
{
	struct kt_import_plan *p = b->c->plan;
	if (p->n_sections == 0)
		return kt_plan_add_section(b->c);
	return &p->sections[p->n_sections - 1];
}

static void reset_numbers(struct builder *b)
{
	kt_set_release(&b->seen);
	memset(&b->seen, 0, sizeof b->seen);
	free(b->last_number);
	b->last_number = NULL;
}

static int add_section(struct builder *b, const char *number, const char *title, int line)
{
	struct kt_import_section *s = kt_plan_add_section(b->c);
	if (!s)
		return -1;
	s->line = line;
	if (number && !(s->number = strdup(number)))
		return -1;
	s->title = kt_norm(b->c->dict, title);
	b->prev = NULL;
	reset_numbers(b);
	return 0;
}

/* ---- numbering ---- */

static size_t parse_parts(const char *s, int *v, size_t max)
{
	size_t n = 0;
	s = skip_ws(s);
	while (n < max && *s >= '0' && *s <= '9') {
		v[n++] = atoi(s);
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s == '.')
			s++;
	}
	return n;
}

static char *norm_number(const char *s)
{
	s = skip_ws(s);
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '.'))
		n--;
	return kt_strdup_n(s, n);
}

static void check_number(struct builder *b, const struct kt_import_section *sec,
	const char *number, int line)
{
	char *nn = norm_number(number);
	if (!nn)
		return;
	if (kt_set_has(&b->seen, nn, strlen(nn)))
		kt_warn(b->c, line, "duplicate_number", _("item number %s is used twice in this section"),
			nn);
	int p[8], n[8];
	size_t np = b->last_number ? parse_parts(b->last_number, p, 8) : 0;
	size_t nn_ = parse_parts(nn, n, 8);
	if (np && nn_) {
		size_t i = 0;
		while (i < np && i < nn_ && p[i] == n[i])
			i++;
		bool gap = false, back = false;
		if (i == np && i < nn_)
			gap = n[i] != 1;
		else if (i < np && i < nn_)
			gap = n[i] > p[i] + 1, back = n[i] < p[i];
		else if (i == nn_ && i < np)
			back = true;
		for (size_t k = i + 1; k < nn_ && !gap && !back; k++)
			if (n[k] != 1)
				gap = true;
		if (gap)
			kt_warn(b->c, line, "numbering_gap", _("numbering gap: %s follows %s"),
				nn, b->last_number);
		else if (back && !(nn_ == 1 && n[0] == 1))
			kt_warn(b->c, line, "numbering_back", _("numbering goes back: %s follows %s"),
				nn, b->last_number);
	}
	if (sec->number && nn_ > 1 && n[0] != atoi(sec->number))
		kt_warn(b->c, line, "number_section", _("item %s is in section %s"), nn, sec->number);
	if (!kt_set_add(&b->seen, nn, strlen(nn)))
		b->c->oom = true;
	free(b->last_number);
	b->last_number = nn;
}

/* The number of a heading «1. Анализ …» without its final dot; NULL when none. */
static char *section_number(const char *nt, size_t plen)
{
	if (!plen)
		return NULL;
	char *tmp = kt_strdup_n(nt, plen);
	char *n = tmp ? norm_number(tmp) : NULL;
	free(tmp);
	return n;
}

/* ---- items ---- */

static struct pending *add_item(struct builder *b, const char *number, const struct kt_row *r)
{
	if (b->n_pend >= KT_IMPORT_MAX_ITEMS) {
		b->c->too_many = true;
		return NULL;
	}
	struct kt_import_section *s = cur_section(b);
	if (!s)
		return NULL;
	size_t si = (size_t)(s - b->c->plan->sections);
	struct kt_import_item *it = kt_section_add_item(b->c, s);
	if (!it)
		return NULL;
	it->first_line = r->first;
	it->last_line = r->last;
	if (number) {
		char *t = kt_strdup_n(skip_ws(number), strlen(skip_ws(number)));
		if (!t)
			return NULL;
		size_t n = strlen(t);
		while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\n'))
			t[--n] = '\0';
		it->number = t;
		check_number(b, s, t, r->first);
	}
	struct pending *v = kt_grow(b->pend, &b->cap_pend, b->n_pend, sizeof *v, 128);
	if (!v)
		return NULL;
	b->pend = v;
	struct pending *pd = &b->pend[b->n_pend++];
	memset(pd, 0, sizeof *pd);
	pd->sec = si;
	pd->item = s->n_items - 1;
	b->prev = pd;
	return pd;
}

static int fill(struct builder *b, struct pending *pd, const struct kt_row *r, size_t skip)
{
	const struct kt_table *t = &b->c->table;
	for (size_t j = 0; j < t->ncols; j++) {
		if (j == skip || b->field_of[j] < 0)
			continue;
		if (append(&pd->raw[b->field_of[j]], r->cells[j].text) != 0)
			return -1;
		if (r->cells[j].tabbed)
			kt_warn(b->c, r->cells[j].first, "merged_cells", _("cell has TABs inside; "
				"cells may have been merged"));
	}
	struct kt_import_item *it = &b->c->plan->sections[pd->sec].items[pd->item];
	if (r->last > it->last_line)
		it->last_line = r->last;
	return 0;
}

/* «…» or (…) left open: the text goes on in the next row. */
static bool unbalanced(const char *s)
{
	int q = 0, par = 0;
	for (const char *p = s; p && *p;) {
		uint32_t c = kt_u8_next(&p);
		q += c == 0xAB ? 1 : c == 0xBB ? -1 : 0;
		par += c == '(' ? 1 : c == ')' ? -1 : 0;
	}
	return q > 0 || par > 0;
}

static bool ends_unfinished(const char *s)
{
	static const char *const words[] = {"в", "и", "на", "по", "с", "к", "о", "об", "для", "от",
		"из", "за", "при", "том", "числе", "а", "или", "не", "до", "у", "со", NULL};
	if (!s)
		return false;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	if (n == 0)
		return false;
	if (s[n - 1] == '-' || s[n - 1] == ',')
		return true;
	size_t w = n;
	while (w > 0 && s[w - 1] != ' ' && s[w - 1] != '\n')
		w--;
	for (size_t i = 0; words[i]; i++)
		if (strlen(words[i]) == n - w && strncmp(s + w, words[i], n - w) == 0)
			return true;
	return false;
}

enum start { ST_LOWER, ST_CAPWORD, ST_OTHER };

static enum start how_it_starts(const char *s)
{
	s = skip_ws(s);
	const char *p = s;
	uint32_t c = kt_u8_next(&p);
	if (kt_u_is_lower(c) || (c != 0xAB && !kt_u_is_letter(c) && c != '"'))
		return ST_LOWER;
	if (kt_u_is_upper(c) && kt_u_is_lower(kt_u8_next(&p)))
		return ST_CAPWORD;
	return ST_OTHER;
}

static bool is_month_heading(const char *s)
{
	static const char *const months[] = {"январ", "феврал", "март", "апрел", "май", "мая",
		"июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр", NULL};
	s = skip_ws(s);
	size_t words = 0;
	for (const char *p = s; *p; p++)
		if (*p == ' ' && p[1] && p[1] != ' ')
			words++;
	if (words > 2)
		return false;
	for (size_t i = 0; months[i]; i++)
		if (kt_u8_casestarts(s, months[i]))
			return true;
	return false;
}

static bool heading_like(const char *s)
{
	int depth;
	if (kt_number_prefix(s, &depth) && depth == 1)
		return true;
	if (is_month_heading(s))
		return true;
	size_t up = 0, low = 0;
	for (const char *p = s; *p;) {
		uint32_t c = kt_u8_next(&p);
		up += kt_u_is_upper(c);
		low += kt_u_is_lower(c);
	}
	return up >= 4 && low == 0;
}

enum cont { CONT_YES, CONT_NO, CONT_GUESS };

/* Does a row without a number continue the item above? Yes when it fills only spill-over
 * cells, starts in lower case or with punctuation, or the title above is visibly
 * unfinished; no when it starts a new sentence; a guess otherwise. */
static enum cont continues_prev(struct builder *b, const struct kt_row *r)
{
	const char *t = r->cells[b->title_col].text;
	const char *prev = b->prev ? b->prev->raw[F_TITLE].p : NULL;
	/* only the end of a long title tells whether it is unfinished */
	if (prev && b->prev->raw[F_TITLE].len > 4096)
		prev += b->prev->raw[F_TITLE].len - 4096;
	if (!b->prev)
		return CONT_NO;
	if (kt_blank(t))
		return CONT_YES;
	enum start st = how_it_starts(t);
	if (st == ST_LOWER || unbalanced(prev) || ends_unfinished(prev))
		return CONT_YES;
	return st == ST_CAPWORD ? CONT_NO : CONT_GUESS;
}

/* The next numbered row restarts the numbering («1.» after «3.4.»): whatever stands
 * between is a section heading. */
static bool restarts_after(const struct builder *b, const struct kt_row *r)
{
	const struct kt_table *t = &b->c->table;
	int p[8], n[8];
	size_t np = b->last_number ? parse_parts(b->last_number, p, 8) : 0;
	if (!np)
		return false;
	const struct kt_row *end = t->rows + t->n_rows;
	if (end - r > 64) /* bounded look-ahead: a heading is followed by its items */
		end = r + 64;
	for (const struct kt_row *x = r + 1; x < end; x++) {
		if (b->num_col == NO_COL)
			return false;
		const char *num = x->cells[b->num_col].text;
		if (!kt_is_item_number(num))
			continue;
		size_t nn = parse_parts(num, n, 8);
		return nn && n[0] == 1 && (p[0] > 1 || (nn == 1 && np > 1));
	}
	return false;
}

static int handle_row(struct builder *b, const struct kt_row *r)
{
	struct kt_ctx *c = b->c;
	const struct kt_table *t = &c->table;
	const char *num = r->loose ? r->cells[0].text
		: b->num_col == NO_COL ? "" : r->cells[b->num_col].text;
	const char *nt = skip_ws(num);
	bool others_empty = row_empty(r, t->ncols, b->num_col);
	int depth = 0;
	size_t plen;
	if (r->loose) {
		if (heading_like(nt) || !b->prev) {
			plen = kt_number_prefix(nt, &depth);
			char *n = section_number(nt, plen);
			int rc = add_section(b, n, nt + plen, r->first);
			free(n);
			return rc;
		}
		kt_warn(c, r->first, "loose_line", _("line without TAB inside the table joined to the "
			"item above"));
		for (int f = F_COUNT - 1; f >= 0; f--)
			if (b->prev->raw[f].len || f == F_TITLE)
				return append(&b->prev->raw[f], nt);
		return 0;
	}
	if (kt_is_item_number(nt)) {
		struct pending *pd = add_item(b, nt, r);
		if (!pd || fill(b, pd, r, b->num_col) != 0)
			return -1;
		if (r->n_given < t->ncols && !(t->truncated && r == &t->rows[t->n_rows - 1]))
			kt_warn(c, r->first, "missing_cells", _("row has %zu of %zu cells (merged or "
				"missing cells)"), r->n_given, t->ncols);
		return 0;
	}
	if (!kt_blank(nt)) {
		plen = kt_number_prefix(nt, &depth);
		if (others_empty && (depth <= 1 || !plen)) {
			char *n = section_number(nt, plen);
			int rc = add_section(b, n, nt + plen, r->first);
			free(n);
			return rc;
		}
		/* number and title in one cell, or text in the number column */
		char *n = plen ? kt_strdup_n(nt, plen) : NULL;
		struct pending *pd = add_item(b, n, r);
		free(n);
		if (!pd || append(&pd->raw[F_TITLE], nt + plen) != 0 || fill(b, pd, r, b->num_col) != 0)
			return -1;
		kt_warn(c, r->first, "number_cell_text", _("number cell holds text; read as %s"),
			plen ? _("number and title") : _("the title of an unnumbered item"));
		return 0;
	}
	if (others_empty)
		return 0;
	bool only_title = row_empty(r, t->ncols, b->title_col) || t->ncols < 2;
	const char *title = r->cells[b->title_col].text;
	enum cont k = continues_prev(b, r);
	if (k == CONT_YES)
		return fill(b, b->prev, r, b->num_col);
	if (only_title && (heading_like(title) || restarts_after(b, r) ||
		(r->n_given < t->ncols && t->layout == KT_IMPORT_LAYOUT_CELL_LINES)))
		return add_section(b, NULL, title, r->first);
	if (k == CONT_NO) {
		struct pending *pd = add_item(b, NULL, r);
		if (!pd || fill(b, pd, r, b->num_col) != 0)
			return -1;
		if (b->num_col != NO_COL)
			kt_warn(c, r->first, "unnumbered_row", _("row without a number kept as an item"));
		return 0;
	}
	kt_warn(c, r->first, "continuation_guess", _("row without a number joined to the item "
		"above (it may be an item of its own)"));
	return fill(b, b->prev, r, b->num_col);
}

static void summarize_empty(struct builder *b, enum field f, const char *what, bool has_col)
{
	size_t n = 0;
	int first = 0;
	if (!has_col)
		return;
	for (size_t i = 0; i < b->n_pend; i++)
		if (!b->pend[i].raw[f].p || kt_blank(b->pend[i].raw[f].p)) {
			if (!n++)
				first = b->c->plan->sections[b->pend[i].sec].items[b->pend[i].item].first_line;
		}
	if (n)
		kt_warn(b->c, first, "empty_cells", _("%zu items have an empty %s cell (vertically "
			"merged cells?); the first is here"), n, _(what));
}

int kt_build_plan(struct kt_ctx *c)
{
	struct builder b = {.c = c};
	const struct kt_table *t = &c->table;
	int rc = -1;
	bool has[F_COUNT] = {0};
	b.num_col = NO_COL;
	b.title_col = t->ncols > 1 ? 1 : 0;
	bool num_found = false, title_found = false;
	for (size_t j = 0; j < t->ncols; j++) {
		b.field_of[j] = field_of_role(t->roles[j]);
		if (b.field_of[j] >= 0)
			has[b.field_of[j]] = true;
		if (t->roles[j] == KT_COL_NUMBER && !num_found)
			b.num_col = j, num_found = true;
		if (t->roles[j] == KT_COL_TITLE && !title_found)
			b.title_col = j, title_found = true;
		if (t->roles[j] == KT_COL_UNKNOWN && t->head[j][0])
			kt_warn(c, t->header_line, "unknown_column", _("column «%s» is not recognised; "
				"its cells are ignored"), t->head[j]);
	}
	if (!num_found)
		kt_warn(c, t->header_line, "no_number_column", _("the table has no number column; its "
			"items are unnumbered"));
	if (!title_found) {
		b.title_col = num_found && b.num_col == 0 && t->ncols > 1 ? 1 : 0;
		b.field_of[b.title_col] = F_TITLE;
		has[F_TITLE] = true;
	}
	for (size_t i = 0; i < t->n_rows; i++)
		if (handle_row(&b, &t->rows[i]) != 0)
			goto out;
	if (t->truncated)
		kt_warn(c, t->last_line, "truncated", _("the table ends mid-row: the file looks "
			"truncated"));
	summarize_empty(&b, F_RESP, N_("responsible"), has[F_RESP]);
	summarize_empty(&b, F_DEADLINE, N_("deadline"), has[F_DEADLINE]);
	for (size_t i = 0; i < b.n_pend; i++) {
		struct pending *pd = &b.pend[i];
		struct kt_import_item *it = &c->plan->sections[pd->sec].items[pd->item];
		char **dst[F_COUNT] = {&it->title, &it->deadline_text, &it->responsible_text,
			&it->municipal_action, &it->institutional_action, &it->result_text,
			&it->target_text};
		for (int f = 0; f < F_COUNT; f++)
			if (pd->raw[f].p)
				*dst[f] = kt_norm(c->dict, pd->raw[f].p);
		if (!it->title)
			kt_warn(c, it->first_line, "empty_title", _("item %s has no title"),
				it->number ? it->number : _("(unnumbered)"));
		if (pd->raw[F_RESP].p)
			kt_meta_parties(c, it, pd->raw[F_RESP].p);
	}
	rc = c->oom ? -1 : 0;
out:
	for (size_t i = 0; i < b.n_pend; i++)
		for (int f = 0; f < F_COUNT; f++)
			kt_sb_release(&b.pend[i].raw[f]);
	free(b.pend);
	reset_numbers(&b);
	return rc;
}
