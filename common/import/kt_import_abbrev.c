/* kt_import_abbrev: the abbreviation table (a two-column «Сокращение | Расшифровка» table
 * before the plan, or «ГИА – государственная итоговая аттестация» lines under a «Перечень
 * сокращений» heading) and the responsible parties of each item: its responsible cell
 * split at line breaks, commas and semicolons outside «» and (), each part resolved to the
 * longest abbreviation it contains as a whole word («Руководители ОО» -> ОО).
 * Invariant: abbreviations and meanings are kept as written; a part that names none keeps
 * abbr and meaning NULL rather than a guess. */
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"
#include "kt_i18n.h"

static char *norm(const struct kt_ctx *c, const char *s) { return kt_norm(c->dict, s); }

/* ---- abbreviations ---- */

static void add_abbrev(struct kt_ctx *c, const char *a, const char *m, int line_no)
{
	struct kt_import_plan *p = c->plan;
	char *abbr = norm(c, a), *meaning = norm(c, m);
	if (!abbr || kt_import_text_width(abbr) > 40) {
		if (abbr)
			kt_warn(c, line_no, "abbreviation_long", _("abbreviation cell is too long to be "
				"an abbreviation; row ignored"));
		free(abbr);
		free(meaning);
		return;
	}
	if (p->n_abbrevs >= 500) {
		if (p->n_abbrevs == 500 && !c->abbrev_limit++)
			kt_warn(c, line_no, "abbreviation_limit", _("more than 500 abbreviations; the rest "
				"are ignored"));
		free(abbr);
		free(meaning);
		return;
	}
	if (p->n_abbrevs == p->cap_abbrevs) {
		size_t cap = p->cap_abbrevs ? p->cap_abbrevs * 2 : 32;
		struct kt_import_abbrev *v = realloc(p->abbrevs, cap * sizeof *v);
		if (!v) {
			c->oom = true;
			free(abbr);
			free(meaning);
			return;
		}
		p->abbrevs = v;
		p->cap_abbrevs = cap;
	}
	p->abbrevs[p->n_abbrevs++] = (struct kt_import_abbrev){abbr, meaning, line_no};
}

/* «ГИА – государственная итоговая аттестация» lines under a «Перечень сокращений» heading. */
static void abbrev_list(struct kt_ctx *c, size_t n)
{
	bool in_list = false;
	for (size_t i = 0; i < n; i++) {
		const char *s = kt_skip_sp(kt_preamble_line(c, i));
		if (kt_u8_casestr(s, "сокращени") && strlen(s) < 200) {
			in_list = true;
			continue;
		}
		if (!in_list || !*s)
			continue;
		const char *dash = NULL;
		size_t dlen = 0;
		static const char *const dashes[] = {" – ", " — ", " - ", NULL};
		for (size_t k = 0; dashes[k] && !dash; k++)
			if ((dash = strstr(s, dashes[k])))
				dlen = strlen(dashes[k]);
		if (!dash || dash - s > 60) {
			in_list = false;
			continue;
		}
		size_t up = 0;
		for (const char *p = s; p < dash;)
			up += kt_u_is_upper(kt_u8_next(&p));
		if (up < 2)
			continue;
		char *a = kt_strdup_n(s, (size_t)(dash - s));
		if (!a) {
			c->oom = true;
			return;
		}
		add_abbrev(c, a, kt_skip_sp(dash + dlen), c->text->lines[i].no);
		free(a);
	}
}

void kt_meta_abbrevs(struct kt_ctx *c)
{
	const struct kt_table *t = &c->table;
	for (size_t i = 0; i < t->n_abbrev; i++)
		if (!kt_blank(t->abbrev_rows[i].cells[0].text))
			add_abbrev(c, t->abbrev_rows[i].cells[0].text, t->abbrev_rows[i].cells[1].text,
				t->abbrev_rows[i].first);
	if (c->plan->n_abbrevs == 0)
		abbrev_list(c, kt_preamble_len(c));
}

/* ---- parties ---- */

static bool word_char(uint32_t ch) { return kt_u_is_letter(ch) || (ch >= '0' && ch <= '9'); }

/* The longest abbreviation occurring in text as a whole word, or NULL. */
static const struct kt_import_abbrev *resolve(struct kt_ctx *c, const char *text)
{
	const struct kt_import_plan *p = c->plan;
	const struct kt_import_abbrev *best = NULL;
	if (strlen(text) > 300 || c->resolve_work > 4000000) /* bounded work on any input */
		return NULL;
	c->resolve_work += p->n_abbrevs;
	for (size_t i = 0; i < p->n_abbrevs; i++) {
		const char *a = p->abbrevs[i].abbr;
		size_t n = strlen(a);
		if (best && n <= strlen(best->abbr))
			continue;
		for (const char *h = strstr(text, a); h; h = strstr(h + 1, a)) {
			const char *after = h + n, *before = h;
			bool left = true;
			if (h > text) {
				while (before > text && ((unsigned char)before[-1] & 0xC0) == 0x80)
					before--;
				const char *q = before > text ? before - 1 : text;
				while (q > text && ((unsigned char)*q & 0xC0) == 0x80)
					q--;
				left = !word_char(kt_u8_next(&q));
			}
			const char *r = after;
			if (left && (!*after || !word_char(kt_u8_next(&r)))) {
				best = &p->abbrevs[i];
				break;
			}
		}
	}
	return best;
}

void kt_meta_parties(struct kt_ctx *c, struct kt_import_item *it, const char *raw)
{
	struct kt_import_party *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = raw, *start = raw;
	int quote = 0, paren = 0;
	for (;;) {
		const char *here = p;
		uint32_t ch = *p ? kt_u8_next(&p) : 0;
		quote += ch == 0xAB ? 1 : (ch == 0xBB && quote > 0) ? -1 : 0;
		paren += ch == '(' ? 1 : (ch == ')' && paren > 0) ? -1 : 0;
		bool split = ch == 0 || ch == '\n' || ((ch == ',' || ch == ';') && !quote && !paren);
		if (!split)
			continue;
		char *part = kt_strdup_n(start, (size_t)(here - start));
		char *text = part ? kt_norm(NULL, part) : NULL;
		free(part);
		start = p;
		if (text && n < 64) {
			if (n == cap) {
				cap = cap ? cap * 2 : 4;
				struct kt_import_party *nv = realloc(v, cap * sizeof *nv);
				if (!nv) {
					free(text);
					c->oom = true;
					break;
				}
				v = nv;
			}
			const struct kt_import_abbrev *a = resolve(c, text);
			v[n].text = text;
			v[n].abbr = a ? strdup(a->abbr) : NULL;
			v[n].meaning = a && a->meaning ? strdup(a->meaning) : NULL;
			n++;
		} else {
			free(text);
		}
		if (ch == 0)
			break;
	}
	it->parties = v;
	it->n_parties = n;
}
