/* kt_import_compare: measures a parsed plan against a hand-made extraction ("golden" JSON:
 * {"document", "sections": [{"items": [{"number", "title", "deadline_text",
 * "responsible_text"}]}]} or {"documents": [that]}). Items are aligned in order (longest
 * common subsequence) on their number, and on the start of the title when both have no
 * number; then titles, deadlines and responsible texts are compared exactly after
 * normalization: markup residue removed (HTML tags, Word bookmarks, markdown bold — the
 * golden files keep some verbatim), whitespace collapsed, a trailing dot of a number
 * ignored, null equal to empty. Invariant: pure function of its inputs; bounded work
 * (the alignment table is refused above 4M cells and falls back to a greedy walk). */
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"

struct flat {
	char *number, *title, *deadline, *resp;
	const char *raw_title;
};

/* Markup stripped, whitespace collapsed; NULL for empty. */
static char *clean(const char *s)
{
	if (!s)
		return NULL;
	struct kt_sbuf b = {0};
	for (const char *p = s; *p;) {
		if (strncmp(p, "[bookmark:", 10) == 0 && strchr(p, ']')) {
			p = strchr(p, ']') + 1;
			continue;
		}
		if (p[0] == '*' && p[1] == '*') {
			p += 2;
			continue;
		}
		if (*p == '<' && (p[1] == '/' || (p[1] >= 'a' && p[1] <= 'z'))) {
			const char *e = strchr(p, '>'), *lt = strchr(p + 1, '<');
			if (e && (!lt || e < lt) && e - p < 300) {
				kt_sb_putc(&b, ' ');
				p = e + 1;
				continue;
			}
		}
		kt_sb_putc(&b, *p++);
	}
	char *raw = kt_sb_take(&b);
	char *n = raw ? kt_norm(NULL, raw) : NULL;
	free(raw);
	return n;
}

static char *clean_number(const char *s)
{
	char *n = clean(s);
	if (!n)
		return NULL;
	size_t len = strlen(n);
	while (len > 0 && (n[len - 1] == '.' || n[len - 1] == ' '))
		n[--len] = '\0';
	if (!len) {
		free(n);
		return NULL;
	}
	return n;
}

static bool eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The first 20 code points agree. */
static bool starts_alike(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	for (int i = 0; i < 20; i++) {
		if (!*a || !*b)
			return !*a && !*b;
		if (kt_u8_next(&a) != kt_u8_next(&b))
			return false;
	}
	return true;
}

static bool match(const struct flat *x, const struct flat *y)
{
	if (!eq(x->number, y->number))
		return false;
	return x->number || starts_alike(x->title, y->title);
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int flatten_golden(const json_t *g, struct flat **out, size_t *n, size_t *nsec)
{
	const json_t *doc = g;
	const json_t *docs = json_object_get(g, "documents");
	if (json_is_array(docs) && json_array_size(docs) > 0)
		doc = json_array_get(docs, 0);
	const json_t *secs = json_object_get(doc, "sections");
	if (!json_is_array(secs))
		return -1;
	size_t total = 0, i;
	const json_t *s;
	json_array_foreach(secs, i, s)
		total += json_array_size(json_object_get(s, "items"));
	*nsec = json_array_size(secs);
	*out = calloc(total ? total : 1, sizeof **out);
	if (!*out)
		return -1;
	*n = 0;
	json_array_foreach(secs, i, s) {
		size_t k;
		const json_t *it;
		json_array_foreach(json_object_get(s, "items"), k, it) {
			struct flat *f = &(*out)[(*n)++];
			f->number = clean_number(jstr(it, "number"));
			f->title = clean(jstr(it, "title"));
			f->deadline = clean(jstr(it, "deadline_text"));
			f->resp = clean(jstr(it, "responsible_text"));
		}
	}
	return 0;
}

static int flatten_plan(const struct kt_import_plan *p, struct flat **out, size_t *n)
{
	size_t total = kt_import_item_count(p);
	*out = calloc(total ? total : 1, sizeof **out);
	if (!*out)
		return -1;
	*n = 0;
	for (size_t s = 0; s < p->n_sections; s++)
		for (size_t i = 0; i < p->sections[s].n_items; i++) {
			const struct kt_import_item *it = &p->sections[s].items[i];
			struct flat *f = &(*out)[(*n)++];
			f->number = clean_number(it->number);
			f->title = clean(it->title);
			f->deadline = clean(it->deadline_text);
			f->resp = clean(it->responsible_text);
			f->raw_title = it->title;
		}
	return 0;
}

static void free_flat(struct flat *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].number);
		free(v[i].title);
		free(v[i].deadline);
		free(v[i].resp);
	}
	free(v);
}

static void score_pair(struct kt_import_score *sc, const struct flat *g, const struct flat *p,
	FILE *diff)
{
	sc->found++;
	bool t = eq(g->title, p->title), d = eq(g->deadline, p->deadline), r = eq(g->resp, p->resp);
	sc->titles_equal += t;
	sc->deadlines_equal += d;
	sc->responsible_equal += r;
	if (!diff)
		return;
	const char *no = g->number ? g->number : "(none)";
	if (!t)
		fprintf(diff, "  %s title\n    golden: %s\n    parsed: %s\n", no, g->title ? g->title : "null",
			p->title ? p->title : "null");
	if (!d)
		fprintf(diff, "  %s deadline\n    golden: %s\n    parsed: %s\n", no,
			g->deadline ? g->deadline : "null", p->deadline ? p->deadline : "null");
	if (!r)
		fprintf(diff, "  %s responsible\n    golden: %s\n    parsed: %s\n", no,
			g->resp ? g->resp : "null", p->resp ? p->resp : "null");
}

int kt_import_compare(const struct kt_import_plan *plan, const json_t *golden,
	struct kt_import_score *sc, FILE *diff)
{
	struct flat *g = NULL, *p = NULL;
	size_t ng = 0, np = 0;
	unsigned short *lcs = NULL;
	int rc = -1;
	memset(sc, 0, sizeof *sc);
	if (flatten_golden(golden, &g, &ng, &sc->golden_sections) != 0 ||
		flatten_plan(plan, &p, &np) != 0)
		goto out;
	sc->golden_items = ng;
	sc->parsed_items = np;
	sc->sections = plan->n_sections;
	size_t cells = (ng + 1) * (np + 1);
	if (cells <= 4u << 20 && ng < 65535 && np < 65535)
		lcs = calloc(cells, sizeof *lcs);
	if (lcs) {
		for (size_t i = ng; i-- > 0;)
			for (size_t j = np; j-- > 0;) {
				unsigned short *c = &lcs[i * (np + 1) + j];
				if (match(&g[i], &p[j]))
					*c = (unsigned short)(lcs[(i + 1) * (np + 1) + j + 1] + 1);
				else {
					unsigned short a = lcs[(i + 1) * (np + 1) + j], b = lcs[i * (np + 1) + j + 1];
					*c = a > b ? a : b;
				}
			}
	}
	size_t i = 0, j = 0;
	while (i < ng && j < np) {
		if (match(&g[i], &p[j])) {
			score_pair(sc, &g[i], &p[j], diff);
			i++, j++;
		} else if (lcs ? lcs[(i + 1) * (np + 1) + j] >= lcs[i * (np + 1) + j + 1] : true) {
			if (diff)
				fprintf(diff, "  missing: %s %s\n", g[i].number ? g[i].number : "(none)",
					g[i].title ? g[i].title : "");
			i++;
		} else {
			if (diff)
				fprintf(diff, "  invented: %s %s\n", p[j].number ? p[j].number : "(none)",
					p[j].title ? p[j].title : "");
			j++;
		}
	}
	for (; diff && i < ng; i++)
		fprintf(diff, "  missing: %s %s\n", g[i].number ? g[i].number : "(none)",
			g[i].title ? g[i].title : "");
	for (; diff && j < np; j++)
		fprintf(diff, "  invented: %s %s\n", p[j].number ? p[j].number : "(none)",
			p[j].title ? p[j].title : "");
	sc->missing = ng - sc->found;
	sc->invented = np - sc->found;
	rc = 0;
out:
	free(lcs);
	free_flat(g, ng);
	free_flat(p, np);
	return rc;
}
