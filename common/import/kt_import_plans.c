/* kt_import_plans: several plans in one text file. After the first plan's header, a plan
 * starts at a title block — a line after a blank line, without TAB, opening with «План»,
 * «Дорожная карта», «Комплекс мер», «Приложение» or «Утвержден» — when the first TAB line
 * after it (within KT_PLAN_GAP lines of text only) is a header row of its own: the cells
 * of one row line, or the run of TAB-led cells of cell lines, naming a title column and
 * another plan column (the header rule of kt_import_columns.c). A block of such lines just
 * before the title («Приложение 2 к приказу», «от … №») goes with it. Each segment is then
 * read alone, padded with empty lines so its line numbers stay those of the file.
 * Invariant: a file without such a boundary is read exactly as before (one plan). */
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"
#include "kt_i18n.h"

#define KT_PLAN_GAP 30

static bool opens_plan(const char *s)
{
	s = kt_skip_sp(s);
	return kt_u8_casestarts(s, "план") || kt_u8_casestarts(s, "дорожная карта") ||
		kt_u8_casestarts(s, "«дорожная карта") || kt_u8_casestarts(s, "комплекс мер") ||
		kt_u8_casestarts(s, "приложение") || kt_u8_casestarts(s, "утвержден");
}

/* Cells of the header starting at line i (row line or cell lines); true when they name a
 * title column and another plan column. */
static bool header_at(const struct kt_text *t, size_t i)
{
	struct kt_cell v[KT_IMPORT_MAX_COLUMNS];
	size_t n = 0;
	bool ok = true;
	const char *s = t->lines[i].s;
	if (s[0] != '\t' || strchr(s + 1, '\t')) { /* one row per line */
		for (const char *p = s; ok && n < KT_IMPORT_MAX_COLUMNS;) {
			const char *tab = strchr(p, '\t');
			size_t len = tab ? (size_t)(tab - p) : strlen(p);
			if ((v[n].text = kt_trimmed(p, len)))
				n++;
			else
				ok = false;
			if (!tab)
				break;
			p = tab + 1;
		}
	} else { /* cell lines: a TAB-led line and its continuation lines per cell */
		for (size_t k = i; ok && k < t->n && n < KT_IMPORT_MAX_COLUMNS; k++) {
			if (t->lines[k].s[0] != '\t')
				break;
			struct kt_sbuf b = {0};
			kt_sb_puts(&b, t->lines[k].s + 1);
			while (k + 1 < t->n && t->lines[k + 1].s[0] != '\t' && !kt_blank(t->lines[k + 1].s)) {
				kt_sb_putc(&b, ' ');
				kt_sb_puts(&b, t->lines[++k].s);
			}
			char *c = kt_sb_take(&b);
			if (!c) {
				ok = false;
				break;
			}
			bool named = kt_col_is_header_cell(c) || kt_blank(c);
			v[n++].text = c;
			if (!named)
				break;
		}
	}
	size_t named = 0;
	for (size_t k = 0; ok && k < n; k++)
		named += !kt_blank(v[k].text) && kt_col_is_header_cell(v[k].text);
	bool hit = ok && named >= 2 && kt_run_is_header(v, n);
	for (size_t k = 0; k < n; k++)
		free(v[k].text);
	return hit;
}

/* The first TAB line at or after i within the gap, text lines only before it. */
static size_t next_tab_line(const struct kt_text *t, size_t i)
{
	for (size_t k = i; k < t->n && k < i + KT_PLAN_GAP; k++)
		if (strchr(t->lines[k].s, '\t'))
			return k;
	return SIZE_MAX;
}

/* Line indices where plans 2, 3 … start; *n of them (at most max). */
static size_t boundaries(const struct kt_text *t, size_t *at, size_t max)
{
	size_t first = SIZE_MAX, n = 0;
	for (size_t i = 0; i < t->n && first == SIZE_MAX; i++)
		if (strchr(t->lines[i].s, '\t') && header_at(t, i))
			first = i;
	if (first == SIZE_MAX)
		return 0;
	for (size_t i = first + 1; i < t->n && n < max; i++) {
		const char *s = t->lines[i].s;
		if (strchr(s, '\t') || kt_blank(s) || !kt_blank(t->lines[i - 1].s) || !opens_plan(s))
			continue;
		size_t h = next_tab_line(t, i);
		if (h == SIZE_MAX || !header_at(t, h))
			continue;
		at[n++] = i;
		i = h;
	}
	return n;
}

/* Lines [from, to) of t as a new UTF-8 text, after from empty lines. */
static char *segment(const struct kt_text *t, size_t from, size_t to, size_t *len)
{
	struct kt_sbuf b = {0};
	for (size_t i = 0; i < from; i++)
		kt_sb_putc(&b, '\n');
	for (size_t i = from; i < to; i++) {
		kt_sb_puts(&b, t->lines[i].s);
		kt_sb_putc(&b, '\n');
	}
	*len = b.len;
	return kt_sb_take(&b);
}

int kt_import_text_plans(const void *buf, size_t len, const char *name,
	struct kt_import_plan ***plans, size_t *n, struct kt_import_err *err)
{
	struct kt_text t;
	size_t at[64];
	*plans = NULL;
	*n = 0;
	if (kt_text_load(&t, buf, len, err) != 0)
		return -1;
	size_t nb = boundaries(&t, at, 64);
	struct kt_import_plan **v = calloc(nb + 1, sizeof *v);
	if (nb == 0 && v) { /* one plan: read as it always was */
		int rc = kt_import_parse_loaded(&t, name, &v[0], err);
		kt_text_release(&t);
		if (rc != 0) {
			free(v);
			return -1;
		}
		*plans = v;
		*n = 1;
		return 0;
	}
	int rc = v ? 0 : -1;
	if (!v)
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
	for (size_t k = 0; rc == 0 && k <= nb; k++) {
		size_t from = k ? at[k - 1] : 0, to = k < nb ? at[k] : t.n, sl;
		char *seg = segment(&t, from, to, &sl);
		if (!seg) {
			kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
			rc = -1;
			break;
		}
		rc = kt_import_parse_text(seg, sl, name, &v[k], err);
		free(seg);
		if (rc != 0) {
			char m[sizeof err->msg];
			memcpy(m, err->msg, sizeof m);
			int w = snprintf(err->msg, sizeof err->msg, _("plan %zu of %zu: "), k + 1, nb + 1);
			if (w > 0 && (size_t)w < sizeof err->msg)
				memcpy(err->msg + w, m, sizeof m - (size_t)w - 1);
			err->msg[sizeof err->msg - 1] = '\0';
			break;
		}
		char *enc = strdup(t.encoding);
		if (enc) {
			free(v[k]->doc.encoding);
			v[k]->doc.encoding = enc;
		}
	}
	kt_text_release(&t);
	if (rc != 0) {
		kt_import_plans_free(v, nb + 1);
		return -1;
	}
	*plans = v;
	*n = nb + 1;
	return 0;
}
