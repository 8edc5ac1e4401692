/* kt_deadline: turns a roadmap's free-text deadline cell into a kind, date windows,
 * recurrence, external / relative references and warnings (forms: docs/deadlines.md).
 *
 * Three passes over the tokens of kt_ru_text (kt_deadline_int.h names the files): (1) date entries — months, days, years,
 * academic years, their ranges and lists — which consume their tokens; (2) years: written
 * years are carried backwards over the months before them, the rest forwards, and what is
 * left comes from the academic year; (3) cue phrases («в течение года», «по графику …»,
 * «за 3 дня до …») over the tokens the dates left. The leading element sets the kind.
 * Invariant: never fails on text and never allocates; every table and loop is bounded. */
#include "kt_deadline.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kt_deadline_int.h"
#include "kt_jtext.h"
#include "kt_table.h" /* kt_utf8_valid */

void kt_dl_warn(struct kt_deadline *dl, const char *fmt, ...)
{
	char buf[KT_DEADLINE_WARNING_LEN];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
	char clean[KT_DEADLINE_WARNING_LEN];
	kt_ru_copy_clean(clean, sizeof clean, buf, len); /* vsnprintf may cut a letter in two */
	for (unsigned i = 0; i < dl->n_warnings; i++)
		if (strcmp(dl->warnings[i], clean) == 0)
			return;
	if (dl->n_warnings == KT_DEADLINE_MAX_WARNINGS)
		return;
	if (dl->n_warnings == KT_DEADLINE_MAX_WARNINGS - 1) {
		strcpy(dl->warnings[dl->n_warnings++], "further warnings omitted");
		return;
	}
	memcpy(dl->warnings[dl->n_warnings++], clean, sizeof clean);
}

static bool leap(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

/* Days in a month; an unknown year (0) gets the 29th of February so no real day of any
 * February falls outside the window. */
int kt_dl_dim(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2)
		return y == 0 || leap(y) ? 29 : 28;
	return days[m - 1];
}

static int date_cmp(const struct kt_date *a, const struct kt_date *b)
{
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	if (a->m != b->m)
		return a->m < b->m ? -1 : 1;
	return a->d < b->d ? -1 : a->d > b->d;
}

/* ---- windows ---- */

static struct kt_date start_of(const struct kt_dl_point *p)
{
	switch (p->type) {
	case PT_MONTH: return (struct kt_date){p->y, p->m, 1};
	case PT_DATE: return (struct kt_date){p->y, p->m, p->d};
	case PT_ACAD: return (struct kt_date){p->y, 9, 1};
	default: return (struct kt_date){p->y, 1, 1};
	}
}

static struct kt_date end_of(const struct kt_dl_point *p)
{
	switch (p->type) {
	case PT_MONTH: return (struct kt_date){p->y, p->m, kt_dl_dim(p->y, p->m)};
	case PT_DATE: return (struct kt_date){p->y, p->m, p->d};
	case PT_ACAD: return (struct kt_date){p->y + 1, 8, 31};
	case PT_YSPAN: return (struct kt_date){p->y2, 12, 31};
	default: return (struct kt_date){p->y, 12, 31};
	}
}

static void fix_feb29(struct kt_dl_ctx *c, struct kt_date *d)
{
	if (d->m == 2 && d->d == 29 && d->y && !leap(d->y)) {
		kt_dl_warn(c->out, "29 february %d does not exist; read as the 28th", d->y);
		d->d = 28;
	}
}

static enum kt_deadline_kind entry_kind(const struct kt_dl_entry *e)
{
	if (e->by)
		return KT_DL_BY_DATE;
	if (e->a.type == PT_YEAR || e->a.type == PT_YSPAN || e->a.type == PT_ACAD)
		return KT_DL_YEAR;
	if (e->a.type == PT_DATE || e->b.type == PT_DATE)
		return KT_DL_DATE;
	return e->b.type != PT_NONE ? KT_DL_MONTH_RANGE : KT_DL_MONTH;
}

static void build_windows(struct kt_dl_ctx *c)
{
	struct kt_deadline *dl = c->out;

	for (unsigned k = 0; k < c->n_entries; k++) {
		const struct kt_dl_entry *e = &c->e[k];
		const struct kt_dl_point *lp = last_point(e);
		struct kt_deadline_window w;

		if (dl->n_windows == KT_DEADLINE_MAX_WINDOWS) {
			kt_dl_warn(dl, "more than %d windows; the rest ignored", KT_DEADLINE_MAX_WINDOWS);
			return;
		}
		w.from = start_of(&e->a);
		w.to = end_of(lp);
		fix_feb29(c, &w.from);
		fix_feb29(c, &w.to);
		if (e->by) {
			memset(&w.from, 0, sizeof w.from);
			if (e->before_month && lp->type == PT_MONTH) {
				w.to.m = lp->m == 1 ? 12 : lp->m - 1;
				w.to.y = lp->m == 1 && lp->y ? lp->y - 1 : lp->y;
				w.to.d = kt_dl_dim(w.to.y, w.to.m);
			}
		}
		if (e->open_end)
			memset(&w.to, 0, sizeof w.to);
		if (w.from.m && w.to.m && w.from.y && w.to.y && date_cmp(&w.from, &w.to) > 0)
			kt_dl_warn(dl, "range %04d-%02d-%02d..%04d-%02d-%02d ends before it starts", w.from.y,
				w.from.m, w.from.d, w.to.y, w.to.m, w.to.d);
		/* Stated years within the academic year can still be a cycle early («январь 2023
		 * года» in a 2023–2024 plan); June of the first year is where a cycle's work (the
		 * analysis of the previous exams) starts at the earliest. */
		if (c->ay && !lp->inferred && w.to.m && w.to.y == c->ay && w.to.m < 6)
			kt_dl_warn(dl, "window ending %04d-%02d-%02d lies before academic year %d-%d", w.to.y,
				w.to.m, w.to.d, c->ay, c->ay + 1);
		dl->windows[dl->n_windows++] = w;
	}
	if (c->entries_full)
		kt_dl_warn(dl, "more than %d windows; the rest ignored", KT_DEADLINE_MAX_WINDOWS);
}

/* ---- public ---- */

static void decide_kind(struct kt_dl_ctx *c)
{
	struct kt_deadline *dl = c->out;
	unsigned lead_date = c->n_entries ? c->e[0].tok0 : UINT_MAX;

	if (c->lead_tok < lead_date) {
		dl->kind = c->lead_cls;
	} else if (c->n_entries) {
		dl->kind = dl->n_windows > 1 ? KT_DL_LIST : entry_kind(&c->e[0]);
	} else {
		bool content = false;
		for (unsigned k = 0; k < c->toks.n; k++)
			if (c->toks.t[k].type == KT_RU_WORD || c->toks.t[k].type == KT_RU_NUM)
				content = true;
		if (c->toks.n == 0) {
			dl->kind = KT_DL_EMPTY;
		} else if (!content && !c->toks.bad_utf8) {
			/* «-», «—», «?»: a placeholder for "nothing here"; bad bytes are not one. */
			dl->kind = KT_DL_EMPTY;
			kt_dl_warn(dl, "placeholder '%.*s' read as empty",
				(int)(c->toks.t[c->toks.n - 1].end - c->toks.t[0].start),
				c->text + c->toks.t[0].start);
		} else {
			dl->kind = KT_DL_UNKNOWN;
			kt_dl_warn(dl, "no deadline recognised");
		}
	}
}

int kt_deadline_parse(const char *text, int academic_year_first, struct kt_deadline *out)
{
	struct kt_dl_ctx c;

	if (!text || !out)
		return -1;
	memset(out, 0, sizeof *out);
	memset(c.used, 0, sizeof c.used);
	memset(c.entry_start, 0, sizeof c.entry_start);
	c.text = text;
	c.out = out;
	c.ay = academic_year_first;
	c.n_entries = 0;
	c.entries_full = false;
	c.lead_tok = UINT_MAX;
	c.lead_cls = KT_DL_UNKNOWN;
	if (c.ay && (c.ay < 1901 || c.ay > 2199)) {
		kt_dl_warn(out, "academic year %d out of range; treated as unknown", c.ay);
		c.ay = 0;
	}
	kt_ru_tokenize(text, strnlen(text, KT_RU_SCAN_MAX + 1), &c.toks);
	if (c.toks.bad_utf8)
		kt_dl_warn(out, "invalid utf-8 at byte %u", c.toks.bad_utf8_at);
	if (c.toks.truncated)
		kt_dl_warn(out, "text longer than %u bytes or %u tokens; the rest was not read",
			KT_RU_SCAN_MAX, KT_RU_MAX_TOKENS);
	kt_dl_find_dates(&c);
	kt_dl_resolve_years(&c);
	build_windows(&c);
	kt_dl_find_cues(&c);
	decide_kind(&c);
	return 0;
}

static const char *const kind_names[] = {
	[KT_DL_EMPTY] = "empty",         [KT_DL_DATE] = "date",
	[KT_DL_BY_DATE] = "by_date",     [KT_DL_MONTH] = "month",
	[KT_DL_MONTH_RANGE] = "month_range", [KT_DL_YEAR] = "year",
	[KT_DL_LIST] = "list",           [KT_DL_CONTINUOUS] = "continuous",
	[KT_DL_ON_DEMAND] = "on_demand", [KT_DL_EXTERNAL] = "external",
	[KT_DL_RELATIVE] = "relative",   [KT_DL_UNKNOWN] = "unknown",
};

const char *kt_deadline_kind_name(enum kt_deadline_kind kind)
{
	if ((unsigned)kind >= sizeof kind_names / sizeof kind_names[0])
		return "?";
	return kind_names[kind];
}

const char *kt_deadline_recurrence_name(enum kt_deadline_recurrence rec)
{
	switch (rec) {
	case KT_DL_REC_DAILY: return "daily";
	case KT_DL_REC_WEEKLY: return "weekly";
	case KT_DL_REC_MONTHLY: return "monthly";
	case KT_DL_REC_QUARTERLY: return "quarterly";
	case KT_DL_REC_SEMIANNUAL: return "semiannual";
	case KT_DL_REC_YEARLY: return "yearly";
	default: return NULL;
	}
}

bool kt_deadline_last_day(const struct kt_deadline *dl, struct kt_date *out)
{
	struct kt_date last = {0, 0, 0};

	if (!dl || dl->n_windows == 0 || dl->n_windows > KT_DEADLINE_MAX_WINDOWS)
		return false;
	switch (dl->kind) {
	case KT_DL_DATE: case KT_DL_BY_DATE: case KT_DL_MONTH: case KT_DL_MONTH_RANGE:
	case KT_DL_YEAR: case KT_DL_LIST:
		break;
	default:
		return false;
	}
	for (unsigned k = 0; k < dl->n_windows; k++) {
		const struct kt_date *to = &dl->windows[k].to;
		if (to->m == 0 || to->y == 0)
			return false;
		if (k == 0 || date_cmp(to, &last) > 0)
			last = *to;
	}
	*out = last;
	return true;
}

bool kt_deadline_overdue(const struct kt_deadline *dl, int y, int m, int d)
{
	struct kt_date last, day = {y, m, d};
	return kt_deadline_last_day(dl, &last) && date_cmp(&last, &day) < 0;
}

static json_t *date_json(const struct kt_date *d)
{
	char buf[48];
	if (d->m == 0)
		return json_null();
	if (d->y == 0)
		snprintf(buf, sizeof buf, "--%02d-%02d", d->m, d->d);
	else
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", d->y, d->m, d->d);
	return json_string(buf);
}

/* json_object_set_new that also fails on a NULL value (a failed constructor). */
static int put(json_t *obj, const char *key, json_t *v)
{
	return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

json_t *kt_deadline_to_json(const struct kt_deadline *dl)
{
	json_t *o, *ws, *wn;
	const char *rec;

	if (!dl)
		return NULL;
	/* Keys in the documented order (jansson keeps insertion order when dumping). */
	o = json_object();
	if (!o || put(o, "kind", json_string(kt_deadline_kind_name(dl->kind))) < 0 ||
		put(o, "windows", ws = json_array()) < 0)
		goto fail;
	for (unsigned k = 0; k < dl->n_windows && k < KT_DEADLINE_MAX_WINDOWS; k++) {
		json_t *w = json_object();
		if (!w || json_array_append_new(ws, w) < 0 ||
			put(w, "from", date_json(&dl->windows[k].from)) < 0 ||
			put(w, "to", date_json(&dl->windows[k].to)) < 0)
			goto fail;
	}
	rec = kt_deadline_recurrence_name(dl->recurrence);
	if (put(o, "recurrence", rec ? json_string(rec) : json_null()) < 0 ||
		put(o, "external", str_or_null(dl->external)) < 0 ||
		put(o, "relative", str_or_null(dl->relative)) < 0 ||
		put(o, "year_inferred", json_boolean(dl->year_inferred)) < 0 ||
		put(o, "warnings", wn = json_array()) < 0)
		goto fail;
	for (unsigned k = 0; k < dl->n_warnings && k < KT_DEADLINE_MAX_WARNINGS; k++)
		if (json_array_append_new(wn, json_string(dl->warnings[k])) < 0)
			goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static void date_text(struct kt_jtext *t, const struct kt_date *d)
{
	char buf[48];
	if (d->m == 0) {
		kt_jtext_lit(t, "null");
		return;
	}
	if (d->y == 0)
		snprintf(buf, sizeof buf, "\"--%02d-%02d\"", d->m, d->d);
	else
		snprintf(buf, sizeof buf, "\"%04d-%02d-%02d\"", d->y, d->m, d->d);
	kt_jtext_raw(t, buf, strlen(buf));
}

static bool utf8_ok(const char *s)
{
	return kt_utf8_valid(s, strlen(s));
}

static void str_or_null_text(struct kt_jtext *t, const char *s)
{
	if (*s)
		kt_jtext_str(t, s);
	else
		kt_jtext_lit(t, "null");
}

bool kt_deadline_json_text(const struct kt_deadline *dl, struct kt_jtext *t)
{
	unsigned nw = dl->n_windows < KT_DEADLINE_MAX_WINDOWS ? dl->n_windows : KT_DEADLINE_MAX_WINDOWS;
	unsigned nwarn = dl->n_warnings < KT_DEADLINE_MAX_WARNINGS ? dl->n_warnings
								   : KT_DEADLINE_MAX_WARNINGS;
	/* what json_string would refuse (kt_deadline_to_json's NULL): nothing written */
	bool ok = utf8_ok(dl->external) && utf8_ok(dl->relative);
	for (unsigned k = 0; ok && k < nwarn; k++)
		ok = utf8_ok(dl->warnings[k]);
	if (!ok)
		return false;
	kt_jtext_lit(t, "{\"kind\":");
	kt_jtext_str(t, kt_deadline_kind_name(dl->kind));
	kt_jtext_lit(t, ",\"windows\":[");
	for (unsigned k = 0; k < nw; k++) {
		if (k)
			kt_jtext_lit(t, ",");
		kt_jtext_lit(t, "{\"from\":");
		date_text(t, &dl->windows[k].from);
		kt_jtext_lit(t, ",\"to\":");
		date_text(t, &dl->windows[k].to);
		kt_jtext_lit(t, "}");
	}
	kt_jtext_lit(t, "],\"recurrence\":");
	const char *rec = kt_deadline_recurrence_name(dl->recurrence);
	if (rec)
		kt_jtext_str(t, rec);
	else
		kt_jtext_lit(t, "null");
	kt_jtext_lit(t, ",\"external\":");
	str_or_null_text(t, dl->external);
	kt_jtext_lit(t, ",\"relative\":");
	str_or_null_text(t, dl->relative);
	if (dl->year_inferred)
		kt_jtext_lit(t, ",\"year_inferred\":true,\"warnings\":[");
	else
		kt_jtext_lit(t, ",\"year_inferred\":false,\"warnings\":[");
	for (unsigned k = 0; k < nwarn; k++) {
		if (k)
			kt_jtext_lit(t, ",");
		kt_jtext_str(t, dl->warnings[k]);
	}
	kt_jtext_lit(t, "]}");
	return true;
}
