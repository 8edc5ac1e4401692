/* kt_parties: keyword classification of responsible and target cells (see kt_parties.h).
 * Words come folded from kt_ru_tokenize, so case, ё and Latin look-alikes don't matter. */
#include "kt_parties.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kt_jtext.h"
#include "kt_ru_text.h"

enum party { P_REGION, P_MUNICIPAL, P_ALL_SCHOOLS, P_SCHOOL, P_UNIT, P_COUNT };
static const char *const party_names[P_COUNT] = {
	"region_body", "municipal_body", "all_schools", "school", "unit",
};

struct rule {
	const char *stem;
	unsigned max_extra; /* letters allowed after the stem (0: the whole word) */
	enum party party;
};

static const struct rule rules[] = {
	{"рцои", 0, P_REGION}, {"цои", 0, P_REGION}, {"гэк", 0, P_REGION},
	{"ирок", 0, P_REGION}, {"кцмко", 0, P_REGION}, {"ркцмко", 0, P_REGION},
	{"иро", 0, P_REGION}, {"ирро", 0, P_REGION}, {"министерств", 3, P_REGION},
	{"минобр", 6, P_REGION}, {"фцт", 0, P_REGION}, {"рон", 0, P_REGION},
	{"уо", 0, P_MUNICIPAL}, {"моуо", 0, P_MUNICIPAL}, {"омсу", 0, P_MUNICIPAL},
	{"муо", 0, P_MUNICIPAL}, {"имц", 0, P_MUNICIPAL}, {"цдо", 0, P_MUNICIPAL},
	{"муниципальн", 4, P_MUNICIPAL}, {"мсу", 0, P_MUNICIPAL},
	{"оо", 0, P_ALL_SCHOOLS}, {"оу", 0, P_ALL_SCHOOLS}, {"моу", 0, P_ALL_SCHOOLS},
	{"моо", 0, P_ALL_SCHOOLS}, {"общеобразовательн", 4, P_ALL_SCHOOLS},
	{"школ", 3, P_ALL_SCHOOLS}, {"директор", 3, P_ALL_SCHOOLS},
	{"сош", 0, P_SCHOOL}, {"оош", 0, P_SCHOOL}, {"лицей", 0, P_SCHOOL},
	{"гимназия", 0, P_SCHOOL},
	{"отдел", 3, P_UNIT}, {"сектор", 3, P_UNIT},
};

static bool word_is(const struct kt_ru_tok *t, const char *w)
{
	return t->type == KT_RU_WORD && strcmp(t->w, w) == 0;
}

static bool word_stem(const struct kt_ru_tok *t, const char *stem, unsigned max_extra)
{
	return t->type == KT_RU_WORD && kt_ru_stem(t->w, stem, max_extra);
}

/* The party kinds of a responsible cell, bit p for party p. */
static unsigned responsible_mask(const char *text)
{
	static struct kt_ru_toks toks; /* ~20 KB: kept off the stack; single-threaded callers */
	bool seen[P_COUNT] = {false};
	kt_ru_tokenize(text ? text : "", text ? strlen(text) : 0, &toks);
	for (unsigned i = 0; i < toks.n; i++) {
		const struct kt_ru_tok *t = &toks.t[i];
		if (t->type != KT_RU_WORD)
			continue;
		/* «управление образования», «управление образованием» */
		if (word_stem(t, "управлени", 2) && i + 1 < toks.n &&
		    word_stem(&toks.t[i + 1], "образовани", 3)) {
			seen[P_MUNICIPAL] = true;
			continue;
		}
		/* «образовательные организации/учреждения» = schools */
		if (word_stem(t, "образовательн", 3) && i + 1 < toks.n &&
		    (word_stem(&toks.t[i + 1], "организац", 4) ||
		     word_stem(&toks.t[i + 1], "учреждени", 3))) {
			seen[P_ALL_SCHOOLS] = true;
			continue;
		}
		for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++)
			if (rules[r].max_extra ? kt_ru_stem(t->w, rules[r].stem, rules[r].max_extra)
					       : strcmp(t->w, rules[r].stem) == 0)
				seen[rules[r].party] = true;
	}
	/* A named school («МОУ «СОШ №3»») is not every school. */
	if (seen[P_SCHOOL]) {
		bool generic = false;
		for (unsigned i = 0; i < toks.n; i++)
			if (word_is(&toks.t[i], "оо") || word_is(&toks.t[i], "оу") ||
			    word_stem(&toks.t[i], "руководител", 3))
				generic = true;
		seen[P_ALL_SCHOOLS] = generic;
	}
	unsigned mask = 0;
	for (int p = 0; p < P_COUNT; p++)
		mask |= seen[p] ? 1u << p : 0;
	return mask;
}

json_t *kt_parties_responsible(const char *text)
{
	unsigned mask = responsible_mask(text);
	json_t *levels = json_array();
	for (int p = 0; p < P_COUNT; p++)
		if (mask & 1u << p)
			json_array_append_new(levels, json_string(party_names[p]));
	return json_pack("{s:o}", "levels", levels);
}

void kt_parties_responsible_text(const char *text, struct kt_jtext *out)
{
	unsigned mask = responsible_mask(text);
	bool first = true;
	kt_jtext_lit(out, "{\"levels\":[");
	for (int p = 0; p < P_COUNT; p++) {
		if (!(mask & 1u << p))
			continue;
		if (!first)
			kt_jtext_lit(out, ",");
		first = false;
		kt_jtext_str(out, party_names[p]);
	}
	kt_jtext_lit(out, "]}");
}

/* The groups of a target cell («кластер N»), each to group(arg, name) in the order written;
 * true when it names every school. */
static bool targets_scan(const char *text, void (*group)(void *arg, const char *name), void *arg)
{
	static struct kt_ru_toks toks;
	bool all = false;
	kt_ru_tokenize(text ? text : "", text ? strlen(text) : 0, &toks);
	for (unsigned i = 0; i < toks.n; i++) {
		const struct kt_ru_tok *t = &toks.t[i];
		if (word_stem(t, "кластер", 2) && i + 1 < toks.n && toks.t[i + 1].type == KT_RU_NUM) {
			char name[32];
			snprintf(name, sizeof name, "кластер %ld", toks.t[i + 1].value);
			group(arg, name);
		}
		if (word_is(t, "все") || word_is(t, "всех"))
			for (unsigned j = i + 1; j < toks.n && j <= i + 2; j++)
				if (word_is(&toks.t[j], "оо") || word_stem(&toks.t[j], "школ", 3) ||
				    word_stem(&toks.t[j], "общеобразовательн", 4))
					all = true;
	}
	return all;
}

static void group_json(void *arg, const char *name)
{
	json_array_append_new(arg, json_string(name));
}

json_t *kt_parties_targets(const char *text)
{
	json_t *groups = json_array();
	bool all = targets_scan(text, group_json, groups);
	return json_pack("{s:b,s:o,s:[]}", "all_schools", all, "groups", groups, "schools");
}

struct groups_text {
	struct kt_jtext *t;
	bool any;
};

static void group_text(void *arg, const char *name)
{
	struct groups_text *g = arg;
	if (g->any)
		kt_jtext_lit(g->t, ",");
	g->any = true;
	kt_jtext_str(g->t, name);
}

void kt_parties_targets_text(const char *text, struct kt_jtext *out)
{
	/* the groups come before the flag they follow in the text: written aside first */
	struct kt_jtext groups = {0};
	struct groups_text g = {&groups, false};
	bool all = targets_scan(text, group_text, &g);
	if (all)
		kt_jtext_lit(out, "{\"all_schools\":true,\"groups\":[");
	else
		kt_jtext_lit(out, "{\"all_schools\":false,\"groups\":[");
	if (groups.failed)
		out->failed = true;
	else if (groups.n)
		kt_jtext_raw(out, groups.s, groups.n);
	kt_jtext_free(&groups);
	kt_jtext_lit(out, "],\"schools\":[]}");
}
