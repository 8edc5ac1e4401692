/* kt_deadline_int: what the deadline parser's three files share (not a public API).
 *
 *   kt_deadline.c        entry point, windows, kind, names, overdue, JSON
 *   kt_deadline_dates.c  the date grammar (months, days, years, ranges, lists) and years
 *   kt_deadline_cues.c   cue phrases (continuous, on demand, external, relative)
 *
 * One struct kt_dl_ctx lives on kt_deadline_parse's stack for one cell. */
#ifndef KT_DEADLINE_INT_H
#define KT_DEADLINE_INT_H

#include <stdbool.h>
#include <string.h>

#include "kt_deadline.h"
#include "kt_ru_text.h"

#define KT_DL_MAX_ENTRIES (KT_DEADLINE_MAX_WINDOWS * 2)

enum pt_type {
	PT_NONE,
	PT_MONTH,
	PT_DATE,
	PT_DAY,   /* a bare day number: only as the start of «1-15 ноября» */
	PT_YEAR,
	PT_YSPAN, /* «2019-2021 годы» */
	PT_ACAD,  /* «2019 – 2020 учебный год» */
};

struct kt_dl_point {
	enum pt_type type;
	int y, m, d; /* y == 0 until known */
	int y2;      /* PT_YSPAN: last year */
	bool y_tok;  /* a year was written right after this point */
	bool inferred; /* year from the academic year, directly or chained */
};

struct kt_dl_entry {
	struct kt_dl_point a, b;    /* b.type == PT_NONE: a single point */
	bool by;              /* «до …»: only the end is known */
	bool before_month;    /* «до ноября»: due the day before the month starts */
	bool open_end;        /* «с 1 сентября» without an end */
	unsigned tok0, tok1;  /* token span, markers included */
};

struct kt_dl_ctx {
	const char *text;
	int ay;
	struct kt_deadline *out;
	unsigned n_entries;
	bool entries_full;
	unsigned lead_tok;    /* first cue's token, UINT_MAX when none */
	enum kt_deadline_kind lead_cls;
	bool used[KT_RU_MAX_TOKENS];        /* consumed by a date entry */
	bool entry_start[KT_RU_MAX_TOKENS];
	struct kt_dl_entry e[KT_DL_MAX_ENTRIES];
	struct kt_ru_toks toks;
};

/* Adds a warning to dl (lower-case English, deduplicated, bounded). */
void kt_dl_warn(struct kt_deadline *dl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Days in month m of year y; y == 0 (unknown) gives February 29 days. */
int kt_dl_dim(int y, int m);

/* Pass 1: date entries into c->e, their tokens marked in c->used / c->entry_start. */
void kt_dl_find_dates(struct kt_dl_ctx *c);

/* Pass 2: years of months and days (written, carried, or from the academic year) and the
 * year warnings. */
void kt_dl_resolve_years(struct kt_dl_ctx *c);

/* Pass 3: cue phrases over the tokens dates left; sets c->lead_*, recurrence, external and
 * relative. */
void kt_dl_find_cues(struct kt_dl_ctx *c);

static inline const struct kt_ru_tok *tk(const struct kt_dl_ctx *c, unsigned i)
{
	return i < c->toks.n ? &c->toks.t[i] : NULL;
}

static inline bool is_type(const struct kt_dl_ctx *c, unsigned i, enum kt_ru_tok_type type)
{
	const struct kt_ru_tok *t = tk(c, i);
	return t && t->type == type;
}

static inline bool is_word(const struct kt_dl_ctx *c, unsigned i, const char *w)
{
	const struct kt_ru_tok *t = tk(c, i);
	return t && t->type == KT_RU_WORD && !c->used[i] && strcmp(t->w, w) == 0;
}

static inline const struct kt_dl_point *last_point(const struct kt_dl_entry *e)
{
	return e->b.type != PT_NONE ? &e->b : &e->a;
}

#endif
