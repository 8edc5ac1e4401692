/* kt_deadline_dates: the date grammar of deadline cells and the year rule.
 *
 * Entries are months («август 2020 года», «сент.», «декбарь»), days («18.01.2021г.»,
 * «1 ноября», «2020-10-15»), years («2020 года»), academic years («2019 – 2020 учебный год»),
 * their ranges («Ноябрь 2022-март 2023», «с 1 по 15 ноября») and the markers before them
 * («до», «не позднее», «до конца»). Years are then resolved: a written year is carried
 * backwards to the months before it, the rest forwards, and a chain's first month without
 * any takes the academic-year rule. Invariant: an entry's tokens are never read again by
 * the cue pass; every loop is bounded by the token count or KT_DL_MAX_ENTRIES. */
#include <string.h>

#include "kt_deadline_int.h"

static bool year_tok(const struct kt_ru_tok *t)
{
	return t && t->type == KT_RU_NUM && t->ndigits == 4 && t->value >= 1900 && t->value <= 2199;
}

static bool is_year_word(const char *w)
{
	static const char *const words[] = {"г", "гг", "год", "года", "году", "годом", "годы",
		"годов", "годах", "годам"};
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
		if (strcmp(w, words[k]) == 0)
			return true;
	return false;
}

/* Skips «года», «г.», «гг.» after a year; returns the index after them. */
static unsigned skip_year_suffix(const struct kt_dl_ctx *c, unsigned i, bool *had)
{
	const struct kt_ru_tok *t = tk(c, i);
	*had = false;
	if (!t || t->type != KT_RU_WORD || !is_year_word(t->w))
		return i;
	*had = true;
	if ((strcmp(t->w, "г") == 0 || strcmp(t->w, "гг") == 0) && is_type(c, i + 1, KT_RU_DOT))
		return i + 2;
	return i + 1;
}

enum pp { PP_NO, PP_OK, PP_SKIP };

/* Month word at i (exact, abbreviated or misspelt), then an optional year. */
static enum pp parse_month(struct kt_dl_ctx *c, unsigned i, struct kt_dl_point *p, unsigned *next)
{
	const struct kt_ru_tok *t = tk(c, i);
	bool abbrev = false, had;
	int m;

	if (!t || t->type != KT_RU_WORD || c->used[i])
		return PP_NO;
	m = kt_ru_month(t->w, &abbrev);
	if (!m && (m = kt_ru_month_fuzzy(t->w)) != 0)
		kt_dl_warn(c->out, "month name '%s' looks misspelt; read as '%s'", t->w,
			kt_ru_month_name(m));
	if (!m)
		return PP_NO;
	if (t->mixed_script)
		kt_dl_warn(c->out, "latin letters in '%s' read as cyrillic", t->w);
	memset(p, 0, sizeof *p);
	p->type = PT_MONTH;
	p->m = m;
	i++;
	if (abbrev && is_type(c, i, KT_RU_DOT))
		i++;
	if (year_tok(tk(c, i))) {
		p->y = (int)tk(c, i)->value;
		p->y_tok = true;
		i = skip_year_suffix(c, i + 1, &had);
	}
	*next = i;
	return PP_OK;
}

/* A year at i: «2020», «2020 года», «2019 – 2020 учебный год», «2019-2021 гг.». */
static enum pp parse_year(struct kt_dl_ctx *c, unsigned i, struct kt_dl_point *p, unsigned *next)
{
	const struct kt_ru_tok *t = tk(c, i);
	bool had = false;
	unsigned j;

	memset(p, 0, sizeof *p);
	p->y = (int)t->value;
	if (is_type(c, i + 1, KT_RU_DASH) && year_tok(tk(c, i + 2)) && tk(c, i + 2)->value > t->value) {
		int y2 = (int)tk(c, i + 2)->value;
		j = i + 3;
		const struct kt_ru_tok *w = tk(c, j);
		bool school = w && w->type == KT_RU_WORD && kt_ru_stem(w->w, "учебн", 3);
		if (school) {
			j++;
			if (is_type(c, j, KT_RU_WORD) && kt_ru_stem(tk(c, j)->w, "год", 3))
				j++;
		} else {
			j = skip_year_suffix(c, j, &had);
		}
		/* A bare «2019-2020» in a school plan is an academic year; «2019-2020 годы» are
		 * two calendar years. */
		if (y2 == p->y + 1 && (school || !had)) {
			p->type = PT_ACAD;
		} else {
			p->type = PT_YSPAN;
			p->y2 = y2;
		}
		*next = j;
		return PP_OK;
	}
	j = skip_year_suffix(c, i + 1, &had);
	if (!had) {
		/* A bare number is a year only when plausible and not glued to a word by a hyphen
		 * («ГИА-2024» names an exam campaign). */
		if (p->y < 1990 || p->y > 2100)
			return PP_NO;
		if (!t->space_before && i >= 2 && is_type(c, i - 1, KT_RU_DASH) &&
			!tk(c, i - 1)->space_before && is_type(c, i - 2, KT_RU_WORD))
			return PP_NO;
	}
	p->type = PT_YEAR;
	*next = j;
	return PP_OK;
}

/* «18.01.2021», «15.10», «18.01.21», «10.2023» (a month), ISO «2020-10-15». */
static enum pp parse_numeric_date(struct kt_dl_ctx *c, unsigned i, struct kt_dl_point *p, unsigned *next)
{
	const struct kt_ru_tok *t = tk(c, i), *t2 = tk(c, i + 2), *t4 = tk(c, i + 4);
	int y = 0, m, d;
	unsigned j;
	bool had, iso = false;

	if (t->ndigits == 4 && is_type(c, i + 1, KT_RU_DASH) && t2 && t2->type == KT_RU_NUM &&
		t2->ndigits <= 2 && is_type(c, i + 3, KT_RU_DASH) && t4 && t4->type == KT_RU_NUM &&
		t4->ndigits <= 2 && !tk(c, i + 1)->space_before && !t2->space_before) {
		y = (int)t->value, m = (int)t2->value, d = (int)t4->value;
		j = i + 5;
		iso = true;
	} else {
		if (t->ndigits > 2 || !is_type(c, i + 1, KT_RU_DOT) || tk(c, i + 1)->space_before ||
			!t2 || t2->type != KT_RU_NUM || t2->space_before)
			return PP_NO;
		if (t2->ndigits == 4) { /* «10.2023» */
			if (t->value < 1 || t->value > 12 || !year_tok(t2))
				return PP_NO;
			memset(p, 0, sizeof *p);
			p->type = PT_MONTH;
			p->m = (int)t->value;
			p->y = (int)t2->value;
			p->y_tok = true;
			*next = skip_year_suffix(c, i + 3, &had);
			return PP_OK;
		}
		if (t2->ndigits > 2)
			return PP_NO;
		d = (int)t->value, m = (int)t2->value;
		j = i + 3;
		if (is_type(c, j, KT_RU_DOT) && t4 && t4->type == KT_RU_NUM && !t4->space_before &&
			(t4->ndigits == 4 || t4->ndigits == 2)) {
			y = t4->ndigits == 4 ? (int)t4->value : 2000 + (int)t4->value;
			j = i + 5;
		}
	}
	if (m < 1 || m > 12 || d < 1 || d > kt_dl_dim(y, m) || (iso && y < 1900)) {
		const struct kt_ru_tok *last = tk(c, j - 1);
		kt_dl_warn(c->out, "invalid date '%.*s' ignored", (int)(last->end - t->start),
			c->text + t->start);
		*next = j;
		return PP_SKIP;
	}
	memset(p, 0, sizeof *p);
	p->type = PT_DATE;
	p->y = y, p->m = m, p->d = d;
	p->y_tok = y != 0;
	*next = skip_year_suffix(c, j, &had);
	return PP_OK;
}

static enum pp parse_point(struct kt_dl_ctx *c, unsigned i, struct kt_dl_point *p, unsigned *next)
{
	const struct kt_ru_tok *t = tk(c, i);
	enum pp r;

	if (!t || c->used[i])
		return PP_NO;
	if (t->type == KT_RU_WORD)
		return parse_month(c, i, p, next);
	if (t->type != KT_RU_NUM)
		return PP_NO;
	if ((r = parse_numeric_date(c, i, p, next)) != PP_NO)
		return r;
	if (year_tok(t))
		return parse_year(c, i, p, next);
	if (t->ndigits > 2 || t->value < 1 || t->value > 31)
		return PP_NO;
	/* «1 ноября [2020 года]» */
	if (parse_month(c, i + 1, p, next) == PP_OK) {
		if (t->value > kt_dl_dim(p->y, p->m)) {
			kt_dl_warn(c->out, "invalid date '%ld %s' ignored", t->value, tk(c, i + 1)->w);
			return PP_SKIP;
		}
		p->type = PT_DATE;
		p->d = (int)t->value;
		return PP_OK;
	}
	memset(p, 0, sizeof *p);
	p->type = PT_DAY;
	p->d = (int)t->value;
	*next = i + 1;
	return PP_OK;
}

static bool only_separators(const struct kt_dl_ctx *c, unsigned from, unsigned to)
{
	if (from >= to)
		return false;
	for (unsigned k = from; k < to; k++)
		if (!is_type(c, k, KT_RU_COMMA) && !is_word(c, k, "и"))
			return false;
	return true;
}

static void add_entry(struct kt_dl_ctx *c, const struct kt_dl_entry *e)
{
	if (c->n_entries == KT_DL_MAX_ENTRIES) {
		c->entries_full = true;
		return;
	}
	c->e[c->n_entries++] = *e;
	for (unsigned k = e->tok0; k < e->tok1 && k < c->toks.n; k++)
		c->used[k] = true;
	if (e->tok0 < c->toks.n)
		c->entry_start[e->tok0] = true;
}

/* «сентябрь – декабрь 2019, 2020 года»: a bare year right after a month group that ended
 * with its own year repeats the group for that year. */
static bool repeat_group(struct kt_dl_ctx *c, const struct kt_dl_point *yr, unsigned tok0, unsigned tok1)
{
	if (c->n_entries == 0 || yr->type != PT_YEAR)
		return false;
	const struct kt_dl_entry *last = &c->e[c->n_entries - 1];
	const struct kt_dl_point *lp = last_point(last);
	if (!lp->y_tok || (lp->type != PT_MONTH && lp->type != PT_DATE) ||
		!only_separators(c, last->tok1, tok0))
		return false;
	unsigned g0 = c->n_entries - 1;
	while (g0 > 0) {
		const struct kt_dl_entry *pe = &c->e[g0 - 1];
		if (last_point(pe)->y_tok || pe->a.type == PT_YEAR || pe->a.type == PT_YSPAN ||
			pe->a.type == PT_ACAD)
			break;
		g0--;
	}
	unsigned n = c->n_entries;
	for (unsigned k = g0; k < n; k++) {
		struct kt_dl_entry cp = c->e[k];
		cp.a.y = cp.b.y = 0;
		cp.a.y_tok = cp.b.y_tok = false;
		if (k == n - 1) {
			struct kt_dl_point *p = cp.b.type != PT_NONE ? &cp.b : &cp.a;
			p->y = yr->y;
			p->y_tok = true;
		}
		cp.tok0 = tok0, cp.tok1 = tok1;
		add_entry(c, &cp);
	}
	return true;
}

/* Marks «до», «к», «не позднее», «до конца» before an entry starting at s. */
static void by_marker(struct kt_dl_ctx *c, struct kt_dl_entry *e, unsigned s)
{
	if (s == 0 || (e->a.type != PT_MONTH && e->a.type != PT_DATE))
		return;
	unsigned k = s - 1;
	if (is_word(c, k, "до") || is_word(c, k, "к") || is_word(c, k, "ко") || is_word(c, k, "по")) {
		e->by = true;
		e->before_month = !is_word(c, k, "по");
		e->tok0 = k;
	} else if (is_word(c, k, "позднее") || is_word(c, k, "позже")) {
		e->by = true;
		e->tok0 = k > 0 && is_word(c, k - 1, "не") ? k - 1 : k;
	} else if ((is_word(c, k, "конца") || is_word(c, k, "окончания")) && k > 0 &&
		(is_word(c, k - 1, "до") || is_word(c, k - 1, "к"))) {
		e->by = true;
		e->tok0 = k - 1;
	}
}

void kt_dl_find_dates(struct kt_dl_ctx *c)
{
	unsigned i = 0;

	while (i < c->toks.n) {
		struct kt_dl_entry e;
		unsigned s = i, j;
		bool from = false;
		enum pp r;

		memset(&e, 0, sizeof e);
		if ((is_word(c, i, "с") || is_word(c, i, "со")) &&
			parse_point(c, i + 1, &e.a, &j) == PP_OK &&
			(e.a.type == PT_MONTH || e.a.type == PT_DATE || e.a.type == PT_DAY)) {
			from = true;
			r = PP_OK;
		} else {
			r = parse_point(c, i, &e.a, &j);
		}
		if (r == PP_NO) {
			i++;
			continue;
		}
		if (r == PP_SKIP) {
			for (unsigned k = s; k < j && k < c->toks.n; k++)
				c->used[k] = true;
			i = j;
			continue;
		}
		if (e.a.type == PT_MONTH || e.a.type == PT_DATE || e.a.type == PT_DAY) {
			bool conn = is_type(c, j, KT_RU_DASH) ||
				(from && (is_word(c, j, "по") || is_word(c, j, "до")));
			unsigned j2;
			if (conn && parse_point(c, j + 1, &e.b, &j2) == PP_OK &&
				(e.b.type == PT_DATE || (e.b.type == PT_MONTH && e.a.type != PT_DAY))) {
				if (e.a.type == PT_DAY) {
					e.a.type = PT_DATE;
					e.a.m = e.b.m;
					if (e.a.d > kt_dl_dim(0, e.a.m))
						e.a.d = kt_dl_dim(0, e.a.m);
				}
				j = j2;
			} else {
				memset(&e.b, 0, sizeof e.b);
				e.open_end = from;
			}
		}
		if (e.a.type == PT_DAY) { /* a number that opens nothing: not a date */
			i++;
			continue;
		}
		e.tok0 = s, e.tok1 = j;
		if (!from)
			by_marker(c, &e, s);
		if (!repeat_group(c, &e.a, e.tok0, e.tok1))
			add_entry(c, &e);
		else
			for (unsigned k = e.tok0; k < e.tok1 && k < c->toks.n; k++)
				c->used[k] = true;
		i = j;
	}
}

/* ---- years ---- */

void kt_dl_resolve_years(struct kt_dl_ctx *c)
{
	struct kt_dl_point *pts[KT_DL_MAX_ENTRIES * 2];
	unsigned n = 0;
	bool past = false;

	for (unsigned k = 0; k < c->n_entries; k++) {
		struct kt_dl_entry *e = &c->e[k];
		if (e->a.type == PT_MONTH || e->a.type == PT_DATE)
			pts[n++] = &e->a;
		if (e->b.type == PT_MONTH || e->b.type == PT_DATE)
			pts[n++] = &e->b;
	}
	/* Backwards: a written year holds for the months before it back to the previous written
	 * year; a month later in the calendar than its successor belongs to the year before
	 * («декабрь – март 2024 года» is December 2023). */
	const struct kt_dl_point *nx = NULL;
	for (unsigned k = n; k-- > 0;) {
		struct kt_dl_point *p = pts[k];
		if (p->y_tok) {
			nx = p;
		} else if (nx) {
			p->y = nx->y - (p->m > nx->m);
			nx = p;
		}
	}
	/* Forwards for the rest: each month follows the one before it; the first of a chain
	 * takes the academic-year rule (September–December first year, January–August second). */
	const struct kt_dl_point *pv = NULL;
	bool told = false;
	for (unsigned k = 0; k < n; k++) {
		struct kt_dl_point *p = pts[k];
		if (!p->y) {
			if (pv && pv->y) {
				p->y = pv->y + (p->m < pv->m);
				p->inferred = pv->inferred;
			} else if (c->ay) {
				p->y = p->m >= 9 ? c->ay : c->ay + 1;
				p->inferred = true;
			} else if (!told) {
				kt_dl_warn(c->out, "no year for %s and the academic year is unknown",
					kt_ru_month_name(p->m));
				told = true;
			}
		}
		if (p->inferred) {
			c->out->year_inferred = true;
			past = past || p->y > c->ay + 1 || (p->y == c->ay + 1 && p->m > 8);
		} else if (c->ay && p->y && (p->y < c->ay || p->y > c->ay + 1)) {
			kt_dl_warn(c->out, "year %d outside academic year %d-%d", p->y, c->ay, c->ay + 1);
		}
		pv = p;
	}
	if (past)
		kt_dl_warn(c->out, "inferred years run past academic year %d-%d; the year may be one too "
			"late", c->ay, c->ay + 1);
	for (unsigned k = 0; k < c->n_entries && c->ay; k++) {
		const struct kt_dl_point *p = &c->e[k].a;
		int y1 = p->y, y2 = p->type == PT_ACAD ? p->y + 1 : p->type == PT_YSPAN ? p->y2 : p->y;
		if (p->type != PT_YEAR && p->type != PT_YSPAN && p->type != PT_ACAD)
			continue;
		for (int y = y1; y <= y2 && y <= y1 + 10; y++)
			if (y < c->ay || y > c->ay + 1)
				kt_dl_warn(c->out, "year %d outside academic year %d-%d", y, c->ay, c->ay + 1);
	}
}
