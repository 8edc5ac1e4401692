/* kt_import_table: the plan as a text table for a terminal. Cells are word-wrapped to
 * their column and padded by display width (code points, combining marks 0), so Cyrillic
 * lines up where byte counts would not. Invariant: every output line is at most the
 * requested width, except a single word longer than its column, which is cut. */
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"
#include "kt_i18n.h"

struct seg {
	const char *s;
	size_t len, width;
};

/* Byte length of the first max code points of s (up to len bytes). */
static size_t prefix_bytes(const char *s, size_t len, size_t max)
{
	const char *p = s, *end = s + len;
	while (p < end && max > 0) {
		kt_u8_next(&p);
		max--;
	}
	return (size_t)((p > end ? end : p) - s);
}

static size_t width_n(const char *s, size_t n)
{
	char *t = kt_strdup_n(s, n);
	size_t w = t ? kt_import_text_width(t) : n;
	free(t);
	return w;
}

/* Wraps text into segments of at most width columns; returns how many (≤ max). */
static size_t wrap(const char *text, size_t width, struct seg *out, size_t max)
{
	size_t n = 0;
	const char *p = text ? text : "";
	while (*p && n < max) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *start = p, *last_break = NULL;
		size_t w = 0;
		const char *q = p;
		while (*q) {
			if (*q == ' ')
				last_break = q;
			const char *nx = q;
			kt_u8_next(&nx);
			if (w + 1 > width)
				break;
			w++;
			q = nx;
		}
		const char *end;
		if (!*q)
			end = q;
		else if (last_break && last_break > start)
			end = last_break;
		else
			end = start + prefix_bytes(start, strlen(start), width);
		out[n].s = start;
		out[n].len = (size_t)(end - start);
		out[n].width = width_n(start, out[n].len);
		n++;
		p = end;
	}
	if (n == 0 && max > 0) {
		out[0].s = "";
		out[0].len = out[0].width = 0;
		n = 1;
	}
	return n;
}

#define MAX_SEGS 64

struct col {
	const char *head;
	size_t width;
};

static void pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

static void print_row(FILE *out, const struct col *cols, size_t ncols, const char *const *texts)
{
	struct seg segs[8][MAX_SEGS];
	size_t nseg[8], rows = 0;
	for (size_t i = 0; i < ncols; i++) {
		nseg[i] = wrap(texts[i], cols[i].width, segs[i], MAX_SEGS);
		if (nseg[i] > rows)
			rows = nseg[i];
	}
	for (size_t r = 0; r < rows; r++) {
		for (size_t i = 0; i < ncols; i++) {
			const struct seg *sg = r < nseg[i] ? &segs[i][r] : NULL;
			if (sg)
				fwrite(sg->s, 1, sg->len, out);
			if (i + 1 < ncols) {
				pad(out, cols[i].width - (sg ? sg->width : 0));
				fputs(" | ", out);
			}
		}
		fputc('\n', out);
	}
}

static void rule(FILE *out, size_t n, const char *ch)
{
	for (size_t i = 0; i < n; i++)
		fputs(ch, out);
	fputc('\n', out);
}

int kt_import_write_table(const struct kt_import_plan *p, FILE *out, int width)
{
	const struct kt_import_document *d = &p->doc;
	size_t total = width >= 60 ? (size_t)width : 160;
	bool has_result = false, has_actions = false;
	for (size_t i = 0; i < d->n_columns; i++) {
		has_result |= d->columns[i].role == KT_COL_RESULT;
		has_actions |= d->columns[i].role == KT_COL_MUNICIPAL ||
			d->columns[i].role == KT_COL_INSTITUTIONAL || d->columns[i].role == KT_COL_ACTIONS;
	}
	struct col cols[5] = {{"№", 8}, {"мероприятие", 0}, {"срок", 22}, {"ответственные", 26},
		{has_result ? "результат" : "действия", 26}};
	size_t ncols = has_result || has_actions ? 5 : 4;
	size_t fixed = 0;
	for (size_t i = 0; i < ncols; i++)
		fixed += cols[i].width;
	fixed += 3 * (ncols - 1);
	cols[1].width = total > fixed + 30 ? total - fixed : 30;
	size_t line_w = fixed + cols[1].width;

	fprintf(out, "%s\n", d->title ? d->title : "(no title)");
	if (d->issuer)
		fprintf(out, _("issuer:        %s\n"), d->issuer);
	if (d->has_approval)
		fprintf(out, _("approved by:   %s %s %s\n"), d->approval.kind ? d->approval.kind : "",
			d->approval.number ? d->approval.number : _("№ (blank)"),
			d->approval.date ? d->approval.date : _("(date blank)"));
	fprintf(out, _("academic year: %s\n"), d->academic_year ? d->academic_year : _("(unknown)"));
	if (d->has_implements)
		fprintf(out, _("implements:    %s\n"), d->implements.quote ? d->implements.quote : "");
	fprintf(out, _("source:        %s (%s, %s), %zu abbreviations, %zu sections, %zu items\n"),
		d->source ? d->source : "-", d->layout == KT_IMPORT_LAYOUT_DOCX ? "Word" : d->encoding,
		d->layout == KT_IMPORT_LAYOUT_ROW_LINES ? _("row per line")
		: d->layout == KT_IMPORT_LAYOUT_DOCX ? _("table") : _("cell per line"),
		p->n_abbrevs, p->n_sections, kt_import_item_count(p));
	rule(out, line_w, "=");
	const char *heads[5];
	for (size_t i = 0; i < ncols; i++)
		heads[i] = cols[i].head;
	print_row(out, cols, ncols, heads);
	for (size_t s = 0; s < p->n_sections; s++) {
		const struct kt_import_section *sec = &p->sections[s];
		rule(out, line_w, "-");
		char head[4096];
		snprintf(head, sizeof head, "%s%s%s", sec->number ? sec->number : "",
			sec->number ? ". " : "", sec->title ? sec->title : "(no heading)");
		const char *one[1] = {head};
		struct col whole = {NULL, line_w};
		print_row(out, &whole, 1, one);
		rule(out, line_w, "-");
		for (size_t i = 0; i < sec->n_items; i++) {
			const struct kt_import_item *it = &sec->items[i];
			const char *last = has_result ? it->result_text : it->municipal_action;
			const char *texts[5] = {it->number ? it->number : "—", it->title,
				it->deadline_text, it->responsible_text, last};
			print_row(out, cols, ncols, texts);
		}
	}
	rule(out, line_w, "=");
	fprintf(out, _("%zu warnings\n"), p->n_warnings + (p->dropped_warnings ? 1 : 0));
	for (size_t i = 0; i < p->n_warnings; i++)
		fprintf(out, _("  line %d: %s\n"), p->warnings[i].line, p->warnings[i].message);
	if (p->dropped_warnings)
		fprintf(out, _("  %zu more warnings not shown\n"), p->dropped_warnings);
	return ferror(out) ? -1 : 0;
}
