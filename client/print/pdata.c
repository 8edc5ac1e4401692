/* pdata: the replica's registries and exam planning as arrays for the print forms
 * (see pdata.h). One pass over each entity type; a replica holds hundreds to tens of
 * thousands of such rows, all read in well under a second. */
#include "pdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replica.h"
#include "kt_grow.h"
#include "kt_i18n.h"
#include "replica_int.h" /* rp_eff_each: rows with their feed */

struct load_ctx {
	struct ptab *t;
	const char *feed; /* only rows of this feed; NULL: all */
};

static int add_row(struct ptab *t, const char *id, const char *feed, json_t *row)
{
	struct prow *r = kt_grow(t->r, &t->cap, t->n, sizeof *r, 64);
	if (!r)
		return -1;
	t->r = r;
	struct prow *x = &t->r[t->n];
	x->id = strdup(id);
	x->feed = strdup(feed ? feed : "");
	x->row = row;
	if (!x->id || !x->feed) {
		free(x->id);
		free(x->feed);
		return -1;
	}
	t->n++;
	return 0;
}

static int load_row(void *arg, const char *id, const char *feed, const char *payload,
	bool pending)
{
	(void)pending;
	struct load_ctx *c = arg;
	if (c->feed && (!feed || strcmp(feed, c->feed) != 0))
		return 0; /* not parsed at all: most rows of a region's replica */
	json_t *row = json_loads(payload, 0, NULL);
	const json_t *del = json_object_get(row, "deleted_at");
	if (!json_is_object(row) || (del && !json_is_null(del))) {
		json_decref(row);
		return 0;
	}
	if (add_row(c->t, id, feed, row) != 0) {
		json_decref(row);
		return -1;
	}
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(((const struct prow *)a)->id, ((const struct prow *)b)->id);
}

static int load(struct pdata *p, const char *type, struct ptab *t, const char *feed)
{
	struct load_ctx c = {t, feed};
	if (rp_eff_each(p->rep, type, NULL, load_row, &c) != 0)
		return -1;
	if (t->n > 1)
		qsort(t->r, t->n, sizeof *t->r, cmp_id);
	return 0;
}

static int org_feed(void *arg, const struct replica_feed *f)
{
	struct pdata *p = arg;
	struct porg *o = realloc(p->orgs, (p->n_orgs + 1) * sizeof *o);
	if (!o)
		return -1;
	p->orgs = o;
	o = &p->orgs[p->n_orgs];
	o->code = strdup(f->code);
	o->name = strdup(f->name ? f->name : "");
	o->parent = strdup(f->parent ? f->parent : "");
	o->level = f->level;
	p->n_orgs++;
	return o->code && o->name && o->parent ? 0 : -1;
}

/* Organization ids → codes: every row names its owner by id and arrived in its feed. */
static void map_org_ids(struct pdata *p, const struct ptab *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const json_t *id = json_object_get(t->r[i].row, "org_id");
		if (!json_is_integer(id) || !*t->r[i].feed)
			continue;
		char key[32];
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(id));
		if (!pdata_find(&p->org_ids, key) &&
		    add_row(&p->org_ids, key, t->r[i].feed, NULL) == 0)
			qsort(p->org_ids.r, p->org_ids.n, sizeof *p->org_ids.r, cmp_id);
	}
}

int pdata_load(struct pdata *p, struct replica *r, unsigned mask, const char *school, char *err,
	size_t n)
{
	memset(p, 0, sizeof *p);
	p->rep = r;
	struct {
		const char *type;
		struct ptab *t;
		unsigned bit;
		const char *feed;
	} types[] = {
		{"exam", &p->exams, PD_EXAMS, NULL}, {"exam_point", &p->points, PD_POINTS, NULL},
		{"auditorium", &p->rooms, PD_ROOMS, NULL},
		{"participant", &p->people, PD_PEOPLE, school},
		{"exam_registration", &p->regs, PD_REGS, school}, /* in the school's feed too */
		{"seating", &p->seats, PD_SEATS, NULL}, {"staff", &p->staff, PD_STAFF, NULL},
		{"staff_assignment", &p->assign, PD_ASSIGN, NULL},
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if ((mask & types[i].bit) && load(p, types[i].type, types[i].t, types[i].feed) != 0) {
			snprintf(err, n, _("cannot read the local replica: %s"), replica_error(r));
			return -1;
		}
	if (replica_feed_each(r, org_feed, p) != 0) {
		snprintf(err, n, _("cannot read the local replica's feeds: %s"), replica_error(r));
		return -1;
	}
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		map_org_ids(p, types[i].t);
	return 0;
}

static void tab_free(struct ptab *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->r[i].id);
		free(t->r[i].feed);
		json_decref(t->r[i].row);
	}
	free(t->r);
	memset(t, 0, sizeof *t);
}

void pdata_free(struct pdata *p)
{
	struct ptab *ts[] = {&p->exams, &p->points, &p->rooms, &p->people, &p->regs, &p->seats,
		&p->staff, &p->assign, &p->org_ids};
	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
		tab_free(ts[i]);
	for (size_t i = 0; i < p->n_orgs; i++) {
		free(p->orgs[i].code);
		free(p->orgs[i].name);
		free(p->orgs[i].parent);
	}
	free(p->orgs);
	p->orgs = NULL;
	p->n_orgs = 0;
}

const struct prow *pdata_find(const struct ptab *t, const char *id)
{
	if (!id || !t->n)
		return NULL;
	struct prow key = {.id = (char *)id};
	return bsearch(&key, t->r, t->n, sizeof *t->r, cmp_id);
}

const struct porg *pdata_org(const struct pdata *p, const char *code)
{
	for (size_t i = 0; code && i < p->n_orgs; i++)
		if (strcmp(p->orgs[i].code, code) == 0)
			return &p->orgs[i];
	return NULL;
}

const char *pdata_org_code(const struct pdata *p, const json_t *id)
{
	if (!json_is_integer(id))
		return "";
	char key[32];
	snprintf(key, sizeof key, "%lld", (long long)json_integer_value(id));
	const struct prow *r = pdata_find(&p->org_ids, key);
	return r ? r->feed : "";
}

const struct prow *pdata_point(const struct pdata *p, const char *code)
{
	for (size_t i = 0; i < p->points.n; i++)
		if (strcmp(pdata_str(p->points.r[i].row, "code"), code) == 0)
			return &p->points.r[i];
	return NULL;
}

const char *pdata_str(const json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));
	return s ? s : "";
}

long long pdata_int(const json_t *row, const char *key)
{
	const json_t *v = json_object_get(row, key);
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return atoll(json_string_value(v));
	return 0;
}

const char *pdata_person(const json_t *row, char *buf, size_t n)
{
	const char *sur = pdata_str(row, "surname"), *name = pdata_str(row, "name"),
		   *pat = pdata_str(row, "patronymic");
	snprintf(buf, n, "%s %s%s%s", sur, name, *pat ? " " : "", pat);
	return buf;
}

const char *pdata_date(const char *iso, char *buf, size_t n)
{
	int y, m, d;
	if (iso && strlen(iso) >= 10 && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3)
		snprintf(buf, n, "%02d.%02d.%04d", d, m, y);
	else
		snprintf(buf, n, "%s", iso ? iso : "");
	return buf;
}

const char *pdata_exam_form(const json_t *exam)
{
	switch (pdata_int(exam, "form")) {
	case 1: return "ЕГЭ";
	case 2: return "ОГЭ";
	case 4: return "ГВЭ";
	default: return "";
	}
}

const char *pdata_exam_title(const json_t *exam, char *buf, size_t n)
{
	char subj[32];
	const char *name = pdata_str(exam, "subject_name");
	if (!*name) {
		snprintf(subj, sizeof subj, "предмет %lld", pdata_int(exam, "subject_code"));
		name = subj;
	}
	snprintf(buf, n, "%s, %s", name, pdata_exam_form(exam));
	return buf;
}

/* Rows sorted by a field, for pdata_first. */
static const char *sort_key;

static int cmp_key(const void *a, const void *b)
{
	int c = strcmp(pdata_str(((const struct prow *)a)->row, sort_key),
		pdata_str(((const struct prow *)b)->row, sort_key));
	return c ? c : cmp_id(a, b);
}

void pdata_sort_by(struct ptab *t, const char *key)
{
	sort_key = key;
	if (t->n > 1)
		qsort(t->r, t->n, sizeof *t->r, cmp_key);
}

size_t pdata_first(const struct ptab *t, const char *key, const char *v)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(pdata_str(t->r[mid].row, key), v) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && strcmp(pdata_str(t->r[lo].row, key), v) == 0 ? lo : t->n;
}
