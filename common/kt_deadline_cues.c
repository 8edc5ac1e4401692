/* kt_deadline_cues: the phrases of deadline cells that are not dates: continuous
 * («В течение года», «Ежемесячно»), on demand («По запросу …»), external schedules
 * («по графику ФЦТ», «Сроки, установленные порядком …») and relative timing («за 3 дня до
 * экзамена», «в период проведения ГИА»).
 * A table of word patterns is tried at every token the dates left; a matched cue opens a
 * phrase that runs to the next cue of another class, a closing bracket, a semicolon or a new
 * dated clause; external and relative phrases keep their text as written. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_deadline_int.h"

enum { CAP = 1 }; /* the phrase's text is kept (external / relative) */

#define C_CONT KT_DL_CONTINUOUS
#define C_DEM KT_DL_ON_DEMAND
#define C_EXT KT_DL_EXTERNAL
#define C_REL KT_DL_RELATIVE

/* Patterns, tried in order at every token the dates left: words separated by spaces;
 * "a|b" alternatives; "stem*" a stem plus up to three letters; "#" a small number that is
 * not a date; "@" a date entry starts here; "!@" something that is not a date follows.
 * Commas between words are skipped («Сроки, установленные …»). */
static const struct cue_def {
	enum kt_deadline_kind cls;
	enum kt_deadline_recurrence rec;
	unsigned flags;
	const char *pat;
} cue_defs[] = {
	/* «в течение» opens both continuous and relative phrases: the relative ones first. */
	{C_REL, KT_DL_REC_NONE, CAP, "в течение|течении #"},
	{C_REL, KT_DL_REC_NONE, CAP, "в течение|течении всего период*"},
	{C_REL, KT_DL_REC_NONE, CAP, "в течение|течении период*"},
	{C_REL, KT_DL_REC_NONE, CAP, "в течение|течении аттестационного|экзаменационного период*"},
	{C_CONT, KT_DL_REC_NONE, 0, "в течение|течении @"},
	{C_CONT, KT_DL_REC_NONE, 0, "в течение|течении год*"},
	{C_CONT, KT_DL_REC_NONE, 0, "в течение|течении учебного|календарного|всего год*"},
	{C_CONT, KT_DL_REC_NONE, 0, "в течение|течении всего учебного|календарного год*"},
	{C_CONT, KT_DL_REC_NONE, 0, "на протяжении"},
	{C_CONT, KT_DL_REC_NONE, 0, "весь период|год"},
	{C_CONT, KT_DL_REC_NONE, 0, "весь учебный год"},
	{C_CONT, KT_DL_REC_NONE, 0, "круглый год"},
	{C_CONT, KT_DL_REC_NONE, 0, "постоянно|систематически|регулярно|круглогодично"},
	{C_CONT, KT_DL_REC_DAILY, 0, "ежедневно"},
	{C_CONT, KT_DL_REC_WEEKLY, 0, "еженедельно"},
	{C_CONT, KT_DL_REC_MONTHLY, 0, "ежемесячно"},
	{C_CONT, KT_DL_REC_QUARTERLY, 0, "ежеквартально"},
	{C_CONT, KT_DL_REC_YEARLY, 0, "ежегодно"},
	{C_CONT, KT_DL_REC_DAILY, 0, "каждый день"},
	{C_CONT, KT_DL_REC_WEEKLY, 0, "каждую|каждой неделю|недели"},
	{C_CONT, KT_DL_REC_MONTHLY, 0, "каждый|каждого месяц*"},
	{C_CONT, KT_DL_REC_WEEKLY, 0, "раз в неделю"},
	{C_CONT, KT_DL_REC_MONTHLY, 0, "раз в месяц"},
	{C_CONT, KT_DL_REC_QUARTERLY, 0, "раз в квартал|четверть"},
	{C_CONT, KT_DL_REC_SEMIANNUAL, 0, "раз в полугодие"},
	{C_CONT, KT_DL_REC_YEARLY, 0, "раз в год"},
	{C_DEM, KT_DL_REC_NONE, 0, "по мере необходимости|поступления|готовности|потребности"},
	{C_DEM, KT_DL_REC_NONE, 0, "при|по необходимости"},
	{C_DEM, KT_DL_REC_NONE, 0, "в случае необходимости"},
	{C_DEM, KT_DL_REC_NONE, CAP, "по запрос*|требовани*|заявк*|обращени*"},
	{C_EXT, KT_DL_REC_NONE, CAP, "согласно"},
	{C_EXT, KT_DL_REC_NONE, CAP, "в соответствии|соответствие с|со"},
	{C_EXT, KT_DL_REC_NONE, CAP, "в сроки установленн*"},
	{C_EXT, KT_DL_REC_NONE, CAP, "сроки установленн*"},
	{C_EXT, KT_DL_REC_NONE, CAP, "в установленные|установленный срок*"},
	{C_EXT, KT_DL_REC_NONE, CAP, "по отдельн*|согласованн*|утвержденн*"},
	{C_EXT, KT_DL_REC_NONE, CAP, "по план*|график*|расписани*|циклограмм*|порядк*|регламент*"},
	{C_EXT, KT_DL_REC_NONE, CAP, "план*|график*|расписани*|циклограмм*|порядк*|порядок|регламент*"},
	{C_REL, KT_DL_REC_NONE, CAP, "за #"},
	{C_REL, KT_DL_REC_NONE, CAP, "не позднее|позже|ранее !@"},
	{C_REL, KT_DL_REC_NONE, CAP, "в день|дни"},
	{C_REL, KT_DL_REC_NONE, CAP, "во время"},
	{C_REL, KT_DL_REC_NONE, CAP, "в период !@"},
	{C_REL, KT_DL_REC_NONE, CAP, "накануне|перед|после"},
	{C_REL, KT_DL_REC_NONE, CAP, "по окончании|завершении|итогам|результатам"},
	{C_REL, KT_DL_REC_NONE, CAP, "со дня"},
	{C_REL, KT_DL_REC_NONE, CAP, "с момента|даты"},
	{C_REL, KT_DL_REC_NONE, CAP, "к|ко дню|началу|моменту|окончанию"},
	{C_REL, KT_DL_REC_NONE, CAP, "до !@"},
};

/* The patterns, split once into elements and alternatives (compile): trying ~50 patterns
 * at every token re-parsed each pattern's text and copied every alternative, which was
 * most of a deadline cell's parse time (bench/fuzz.sh, fuzz_deadline: docs/performance.md). */
enum el_kind { EL_WORDS, EL_NUM, EL_DATE, EL_NOT_DATE };
#define PAT_MAX_EL 8
#define PAT_MAX_ALT 12
struct alt {
	const char *s;
	size_t len;
	bool stem; /* "stem*": the stem plus up to three letters */
};
struct el {
	enum el_kind kind;
	unsigned nalt;
	struct alt alt[PAT_MAX_ALT];
};
struct pat {
	unsigned nel;
	struct el el[PAT_MAX_EL];
};
#define NCUES (sizeof cue_defs / sizeof cue_defs[0])
static struct pat pats[NCUES];
static char pat_pool[4096];
static bool pats_ready;

/* A table that does not fit the arrays above is a programming error: caught by any test. */
static void pat_overflow(const char *pat)
{
	fprintf(stderr, "kt_deadline_cues: pattern too large: %s\n", pat);
	abort();
}

static void compile(void)
{
	char *pool = pat_pool, *pool_end = pat_pool + sizeof pat_pool;
	for (size_t k = 0; k < NCUES; k++) {
		const char *p = cue_defs[k].pat;
		struct pat *pt = &pats[k];
		while (*p) {
			size_t n = strcspn(p, " ");
			if (pt->nel == PAT_MAX_EL || pool + n + 1 > pool_end)
				pat_overflow(cue_defs[k].pat);
			struct el *e = &pt->el[pt->nel++];
			memcpy(pool, p, n);
			pool[n] = '\0';
			if (strcmp(pool, "@") == 0 || strcmp(pool, "!@") == 0 || strcmp(pool, "#") == 0) {
				e->kind = pool[0] == '#' ? EL_NUM : pool[0] == '@' ? EL_DATE : EL_NOT_DATE;
			} else {
				e->kind = EL_WORDS;
				for (char *a = pool; *a;) {
					size_t m = strcspn(a, "|");
					if (e->nalt == PAT_MAX_ALT)
						pat_overflow(cue_defs[k].pat);
					struct alt *al = &e->alt[e->nalt++];
					al->stem = m > 0 && a[m - 1] == '*';
					al->len = al->stem ? m - 1 : m;
					al->s = a;
					bool last = a[m] == '\0';
					a[al->len] = '\0';
					a += m + !last;
				}
			}
			pool += n + 1;
			p += n + (p[n] == ' ');
		}
	}
	pats_ready = true;
}

static bool word_alt(const char *w, const struct el *e)
{
	for (unsigned k = 0; k < e->nalt; k++) {
		const struct alt *a = &e->alt[k];
		if (w[0] != a->s[0] || strncmp(w, a->s, a->len) != 0)
			continue;
		if (!a->stem) {
			if (w[a->len] == '\0')
				return true;
			continue;
		}
		unsigned extra = 0; /* kt_ru_stem(w, stem, 3) */
		for (const unsigned char *q = (const unsigned char *)w + a->len; *q; q++)
			if ((*q & 0xC0) != 0x80)
				extra++;
		if (extra <= 3)
			return true;
	}
	return false;
}

/* Returns the number of tokens the pattern covers at i, 0 when it does not match. */
static unsigned match_pat(const struct kt_dl_ctx *c, unsigned i, const struct pat *pt)
{
	unsigned j = i;
	for (unsigned k = 0; k < pt->nel; k++) {
		const struct el *e = &pt->el[k];
		if (k > 0)
			while (is_type(c, j, KT_RU_COMMA))
				j++;
		const struct kt_ru_tok *t = tk(c, j);
		switch (e->kind) {
		case EL_DATE:
			if (!t || !c->entry_start[j])
				return 0;
			break;
		case EL_NOT_DATE:
			if (!t || c->used[j])
				return 0;
			break;
		case EL_NUM:
			if (!t || t->type != KT_RU_NUM || c->used[j] || t->ndigits > 3)
				return 0;
			j++;
			break;
		case EL_WORDS:
			if (!t || t->type != KT_RU_WORD || c->used[j] || !word_alt(t->w, e))
				return 0;
			j++;
			break;
		}
	}
	return j - i;
}

static bool is_connector(const struct kt_dl_ctx *c, unsigned k)
{
	static const char *const words[] = {"и", "или", "либо", "а", "также"};
	for (size_t n = 0; n < sizeof words / sizeof words[0]; n++)
		if (is_type(c, k, KT_RU_WORD) && strcmp(tk(c, k)->w, words[n]) == 0)
			return true;
	return false;
}

static void append_ref(struct kt_dl_ctx *c, char *dst, unsigned s, unsigned e)
{
	/* Trailing punctuation and connectors belong to no phrase: «… ГИА в том числе в
	 * соответствии с …» keeps «… ГИА». */
	while (e > s) {
		enum kt_ru_tok_type ty = tk(c, e - 1)->type;
		if (ty == KT_RU_COMMA || ty == KT_RU_SEMI || ty == KT_RU_COLON || ty == KT_RU_DASH ||
			ty == KT_RU_LPAREN || is_connector(c, e - 1))
			e--;
		else if (e - s > 3 && is_type(c, e - 3, KT_RU_WORD) && strcmp(tk(c, e - 3)->w, "в") == 0 &&
			strcmp(tk(c, e - 2)->w, "том") == 0 && strcmp(tk(c, e - 1)->w, "числе") == 0)
			e -= 3;
		else
			break;
	}
	if (e <= s)
		return;
	size_t have = strlen(dst), from = tk(c, s)->start, len = tk(c, e - 1)->end - from;
	if (have) {
		if (have + 3 >= KT_DEADLINE_REF_LEN)
			return;
		memcpy(dst + have, "; ", 3);
		have += 2;
	}
	size_t got = kt_ru_copy_clean(dst + have, KT_DEADLINE_REF_LEN - have, c->text + from, len);
	if (got < len)
		kt_dl_warn(c->out, "reference text cut to %d bytes", KT_DEADLINE_REF_LEN - 1);
}

struct phrase {
	bool open;
	const struct cue_def *def;
	unsigned start;
	int depth;
};

static void close_phrase(struct kt_dl_ctx *c, struct phrase *ph, unsigned end)
{
	if (!ph->open)
		return;
	ph->open = false;
	if (!(ph->def->flags & CAP))
		return;
	append_ref(c, ph->def->cls == C_REL ? c->out->relative : c->out->external, ph->start, end);
}

void kt_dl_find_cues(struct kt_dl_ctx *c)
{
	if (!pats_ready)
		compile();
	struct phrase ph = {0};
	int depth = 0;
	unsigned i = 0;

	while (i < c->toks.n) {
		const struct kt_ru_tok *t = tk(c, i);
		if (t->type == KT_RU_LPAREN) {
			depth++;
			i++;
			continue;
		}
		/* A phrase opened inside brackets ends with them; one opened outside runs on. */
		if (t->type == KT_RU_RPAREN || t->type == KT_RU_SEMI) {
			if (ph.open && (t->type == KT_RU_SEMI || depth <= ph.depth))
				close_phrase(c, &ph, i);
			if (t->type == KT_RU_RPAREN && depth > 0)
				depth--;
			i++;
			continue;
		}
		/* «…, март 2020 года»: dates after a comma start a new clause. */
		if (c->entry_start[i] && i > 0 && is_type(c, i - 1, KT_RU_COMMA))
			close_phrase(c, &ph, i - 1);
		if (c->used[i]) {
			i++;
			continue;
		}
		unsigned len = 0;
		const struct cue_def *d = NULL;
		for (size_t k = 0; k < NCUES && !len; k++)
			if ((len = match_pat(c, i, &pats[k])) != 0)
				d = &cue_defs[k];
		if (!d) {
			i++;
			continue;
		}
		if (c->lead_tok == UINT_MAX) {
			c->lead_tok = i;
			c->lead_cls = d->cls;
		}
		if (d->rec != KT_DL_REC_NONE && c->out->recurrence == KT_DL_REC_NONE)
			c->out->recurrence = d->rec;
		/* Cues of the open phrase's class continue it («по отдельному плану-графику в
		 * соответствии с графиком …» is one reference). */
		if (!ph.open || ph.def->cls != d->cls || (!(ph.def->flags & CAP) && (d->flags & CAP))) {
			close_phrase(c, &ph, i);
			ph.open = true;
			ph.def = d;
			ph.start = i;
			ph.depth = depth;
		}
		i += len;
	}
	close_phrase(c, &ph, c->toks.n);
}
