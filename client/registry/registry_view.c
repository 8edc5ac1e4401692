/* registry_view: see registry_view.h. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "kt_csv.h"
#include "kt_grow.h"
#include "kt_table.h"
#include "kt_validate.h"
#include "opts.h"
#include "registry_map.h"
#include "replica.h"
#include "replica_int.h" /* rp_eff_each, rp_prepare: rows with their feed */

#include "registry_view.h"
#include "kt_i18n.h"

/* ---- registry types ------------------------------------------------------------------------ */


const struct rv_type rv_types[] = {
	[T_PARTICIPANT] = {"participants", "participant", "participant", N_("participant"),
		KT_REG_PARTICIPANTS, "Участники"},
	[T_EXAM] = {"exams", "exam", "exam", N_("exam"), -1, "Экзамены"},
	[T_REGISTRATION] = {"registrations", "registration|exam_registration|exam-registration",
		"exam_registration", N_("registration"), -1, "Регистрации на экзамены"},
	[T_POINT] = {"exam-points", "exam-point|exam_point", "exam_point", N_("exam point"),
		KT_REG_EXAM_POINTS, "ППЭ"},
	[T_AUDITORIUM] = {"auditoriums", "auditorium", "auditorium", N_("auditorium"),
		KT_REG_AUDITORIUMS, "Аудитории"},
	[T_STAFF] = {"staff", "", "staff", N_("staff member"), KT_REG_STAFF, "Работники ППЭ"},
	[T_STAFF_POINT] = {"staff-points", "staff-point|staff_point", "staff_point",
		N_("staff attachment"), -1, "Работники по ППЭ"},
};

const char *rv_count(int t, size_t n)
{
	static char buf[96];
	switch (t) {
	case T_PARTICIPANT:
		snprintf(buf, sizeof buf, P_("%zu participant", "%zu participants", n), n);
		break;
	case T_EXAM: snprintf(buf, sizeof buf, P_("%zu exam", "%zu exams", n), n); break;
	case T_REGISTRATION:
		snprintf(buf, sizeof buf, P_("%zu registration", "%zu registrations", n), n);
		break;
	case T_POINT:
		snprintf(buf, sizeof buf, P_("%zu exam point", "%zu exam points", n), n);
		break;
	case T_AUDITORIUM:
		snprintf(buf, sizeof buf, P_("%zu auditorium", "%zu auditoriums", n), n);
		break;
	case T_STAFF:
		snprintf(buf, sizeof buf, P_("%zu staff member", "%zu staff members", n), n);
		break;
	default:
		snprintf(buf, sizeof buf, P_("%zu staff attachment", "%zu staff attachments", n), n);
	}
	return buf;
}

int rv_type_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_LEN(rv_types); i++) {
		if (strcmp(s, rv_types[i].word) == 0)
			return (int)i;
		size_t len = strlen(s);
		for (const char *a = rv_types[i].alts; *a;) {
			const char *bar = strchr(a, '|');
			size_t n = bar ? (size_t)(bar - a) : strlen(a);
			if (n == len && strncmp(a, s, n) == 0)
				return (int)i;
			a += n + (bar ? 1 : 0);
		}
	}
	return -1;
}

int rv_type_arg(struct opt_cmd *c, int argc, char **argv, const char **pos, bool with_id,
	int *rc)
{
	if (!opts_ok(c, argc, argv, pos, rc))
		return -1;
	int t = rv_type_parse(pos[0]);
	if (t < 0) {
		*rc = opts_fail(c, _("unknown registry '%s'"), pos[0]);
		return -1;
	}
	if (with_id && (*rc = opts_check_id(rv_types[t].noun, &pos[1])) != EXIT_OK)
		return -1;
	return t;
}

/* ---- small maps: sorted (key, value) arrays -------------------------------------------------- */


static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

int rv_kv_add(struct kvmap *m, const char *k, const char *v)
{
	struct kv *e = kt_grow(m->e, &m->cap, m->n, sizeof *e, 64);
	if (!e)
		return -1;
	m->e = e;
	struct kv *x = &m->e[m->n];
	x->k = strdup(k);
	x->v = strdup(v);
	if (!x->k || !x->v) {
		free(x->k);
		free(x->v);
		return -1;
	}
	m->n++;
	m->sorted = false;
	return 0;
}

void rv_kv_sort(struct kvmap *m)
{
	if (!m->sorted && m->n)
		qsort(m->e, m->n, sizeof *m->e, kv_cmp);
	m->sorted = true;
}

const char *rv_kv_get(struct kvmap *m, const char *k)
{
	if (!k || !*k || !m->n)
		return NULL;
	rv_kv_sort(m);
	struct kv key = {(char *)k, NULL};
	struct kv *hit = bsearch(&key, m->e, m->n, sizeof *m->e, kv_cmp);
	return hit ? hit->v : NULL;
}

static void kv_free(struct kvmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].k);
		free(m->e[i].v);
	}
	free(m->e);
	memset(m, 0, sizeof *m);
}

/* ---- the rows of one type -------------------------------------------------------------------- */



static int org_row(void *ctx, sqlite3_stmt *s)
{
	return rv_kv_add(ctx, rp_col_text(s, 0), rp_col_text(s, 1));
}

static int load_orgs(struct rx *x)
{
	if (x->orgs_loaded)
		return 0;
	x->orgs_loaded = true;
	sqlite3_stmt *s = rp_prepare(x->r,
		"SELECT DISTINCT CAST(json_extract(payload, '$.org_id') AS TEXT), feed FROM row"
		" WHERE entity_type IN ('participant', 'exam', 'exam_registration', 'exam_point',"
		" 'auditorium', 'staff', 'staff_point', 'item_status')"
		" AND json_type(payload, '$.org_id') = 'integer'"
		" UNION SELECT CAST(json_extract(payload, '$.owner_org_id') AS TEXT), feed FROM row"
		" WHERE entity_type = 'plan' AND json_type(payload, '$.owner_org_id') = 'integer'");
	return s ? rp_each_row(x->r, s, org_row, &x->orgs) : -1;
}

static int parent_row(void *arg, const struct replica_feed *f)
{
	return rv_kv_add(arg, f->code, f->parent);
}

bool rv_below(struct rx *x, const char *owner, const char *org)
{
	if (!x->parents_loaded) {
		x->parents_loaded = true;
		if (replica_feed_each(x->r, parent_row, &x->parents) != 0)
			x->oom = true;
	}
	for (int depth = 0; owner && *owner && depth < 8; depth++) {
		if (strcmp(owner, org) == 0)
			return true;
		owner = rv_kv_get(&x->parents, owner);
	}
	return false;
}

const char *rv_jstr(const json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));
	return s ? s : "";
}

/* An organization a row refers to: "<name>" (a code, in a local payload of the importer)
 * or "<name>_id" (a synced row). NULL when the row refers to none, "" when unknown. */
const char *rv_org_ref(struct rx *x, const json_t *row, const char *name)
{
	char key[64];
	if (*rv_jstr(row, name))
		return rv_jstr(row, name);
	snprintf(key, sizeof key, "%s_id", name);
	const json_t *id = json_object_get(row, key);
	if (!id || json_is_null(id))
		return NULL;
	char *s = regmap_text(id);
	if (!s)
		return "";
	if (load_orgs(x) != 0)
		x->oom = true;
	const char *code = rv_kv_get(&x->orgs, s);
	free(s);
	return code ? code : "";
}

static int collect_row(void *arg, const char *id, const char *feed, const char *payload,
	bool pending)
{
	struct rx *x = arg;
	json_t *row = json_loads(payload, 0, NULL);
	if (!json_is_object(row)) {
		json_decref(row);
		return 0;
	}
	const json_t *d = json_object_get(row, "deleted_at");
	bool deleted = d && !json_is_null(d);
	/* the owner: a local payload's "org", else the feed (the owner's), else by id */
	const char *owner = *rv_jstr(row, "org") ? rv_jstr(row, "org") : feed && *feed ? feed : NULL;
	if (!owner)
		owner = rv_org_ref(x, row, "org");
	/* created here and not yet synced: the importer gives the device's own organization
	 * when it is of the owning level (else the owner is not in the local payload) */
	if ((!owner || !*owner) && !(feed && *feed) && x->level && *x->own_org &&
	    strcmp(x->level, x->own_level) == 0)
		owner = x->own_org;
	if ((deleted && !x->all) || (x->org && !rv_below(x, owner, x->org))) {
		json_decref(row);
		return 0;
	}
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct item *it = realloc(x->it, cap * sizeof *it);
		if (!it) {
			json_decref(row);
			return -1;
		}
		x->it = it;
		x->cap = cap;
	}
	struct item *it = &x->it[x->n];
	*it = (struct item){row, strdup(id), strdup(owner ? owner : ""), pending, deleted, NULL, NULL,
		NULL};
	x->n++;
	return it->id && it->owner ? 0 : -1;
}

static void items_free(struct rx *x, size_t ncells)
{
	for (size_t i = 0; i < x->n; i++) {
		json_decref(x->it[i].row);
		free(x->it[i].id);
		free(x->it[i].owner);
		free(x->it[i].key);
		if (x->it[i].cells)
			for (size_t c = 0; c < ncells; c++)
				free(x->it[i].cells[c]);
		free(x->it[i].cells);
	}
	free(x->it);
	x->it = NULL;
	x->n = x->cap = 0;
}

void rv_rx_free(struct rx *x, size_t ncells)
{
	items_free(x, ncells);
	kv_free(&x->orgs);
	kv_free(&x->parents);
	kv_free(&x->points);
	kv_free(&x->spoints);
	kv_free(&x->guids);
}

static int point_row(void *arg, const char *id, const char *feed, const char *payload,
	bool pending)
{
	(void)feed;
	(void)pending;
	json_t *row = json_loads(payload, 0, NULL);
	int rc = json_is_object(row) ? rv_kv_add(arg, id, rv_jstr(row, "code")) : 0;
	json_decref(row);
	return rc;
}

const char *rv_point_code(struct rx *x, const char *point_id)
{
	if (!x->points_loaded) {
		x->points_loaded = true;
		if (rp_eff_each(x->r, "exam_point", NULL, point_row, &x->points) != 0)
			x->oom = true;
	}
	const char *c = rv_kv_get(&x->points, point_id);
	return c ? c : "";
}

static int kv_cmp_pair(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	int c = strcmp(x->k, y->k);
	return c ? c : strcmp(x->v, y->v);
}

struct spoint_ctx {
	struct rx *x;
	struct kvmap pairs; /* staff id → one point code */
};

static int spoint_row(void *arg, const char *id, const char *feed, const char *payload,
	bool pending)
{
	(void)id;
	(void)feed;
	(void)pending;
	struct spoint_ctx *c = arg;
	json_t *row = json_loads(payload, 0, NULL);
	int rc = 0;
	const json_t *d = json_object_get(row, "deleted_at");
	if (json_is_object(row) && (!d || json_is_null(d)))
		rc = rv_kv_add(&c->pairs, rv_jstr(row, "staff_id"), rv_point_code(c->x, rv_jstr(row, "point_id")));
	json_decref(row);
	return rc;
}

/* The exam points a staff member is attached to (live attachments), codes in order. */
const char *rv_staff_points(struct rx *x, const char *staff_id)
{
	if (!x->spoints_loaded) {
		x->spoints_loaded = true;
		struct spoint_ctx c = {x, {0}};
		if (rp_eff_each(x->r, "staff_point", NULL, spoint_row, &c) != 0)
			x->oom = true;
		qsort(c.pairs.e, c.pairs.n, sizeof *c.pairs.e, kv_cmp_pair); /* staff id, code */
		for (size_t i = 0; i < c.pairs.n;) {
			char codes[512] = "";
			size_t len = 0, j = i;
			for (; j < c.pairs.n && strcmp(c.pairs.e[j].k, c.pairs.e[i].k) == 0; j++)
				if (*c.pairs.e[j].v && len + strlen(c.pairs.e[j].v) + 3 < sizeof codes)
					len += (size_t)snprintf(codes + len, sizeof codes - len, "%s%s",
						len ? ", " : "", c.pairs.e[j].v);
			if (rv_kv_add(&x->spoints, c.pairs.e[i].k, codes) != 0)
				x->oom = true;
			i = j;
		}
		kv_free(&c.pairs);
	}
	const char *s = rv_kv_get(&x->spoints, staff_id);
	return s ? s : "";
}

/* --- sort keys ------------------------------------------------------------------------------ */

/* Joins parts with \x01 (below every printable byte, so "Ан" sorts before "Анна"). */
char *rv_key_join(const char *const *parts, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i] ? parts[i] : "") + 1;
	char *k = malloc(len), *p = k;
	if (!k)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *s = parts[i] ? parts[i] : "";
		size_t l = strlen(s);
		memcpy(p, s, l);
		p += l;
		*p++ = '\x01';
	}
	*p = '\0';
	return k;
}

int rv_item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->key ? x->key : "", y->key ? y->key : "");
	return c ? c : strcmp(x->id, y->id);
}

/* A class sorts by grade number first: "9Б" before "11А". */
void rv_grade_key(const char *cls, char *out, size_t n)
{
	snprintf(out, n, "%02d%s", kt_grade_parse(cls), cls);
}

/* ---- shared entry -------------------------------------------------------------------------- */

/* The replica, or NULL after printing why (never synced included). */
struct replica *rv_synced_replica(struct client *cl)
{
	struct replica *r = client_replica(cl);
	if (!r)
		return NULL;
	char last[64] = "";
	if (replica_meta_get(r, REPLICA_META_LAST_SYNC, last, sizeof last) < 0) {
		fprintf(stderr, "karta: %s\n", replica_error(r));
		return NULL;
	}
	if (!*last) {
		fprintf(stderr, _("karta: the local replica has never synced: run 'karta sync'\n"));
		return NULL;
	}
	return r;
}

int rv_collect(struct rx *x, enum rtype t)
{
	static const char *const levels[] = {[T_PARTICIPANT] = "school", [T_EXAM] = "region",
		[T_REGISTRATION] = "school", [T_POINT] = "municipality", [T_AUDITORIUM] = "municipality",
		[T_STAFF] = "municipality", [T_STAFF_POINT] = "municipality"};
	x->level = levels[t];
	if (replica_meta_get(x->r, REPLICA_META_ORG, x->own_org, sizeof x->own_org) != 0)
		x->own_org[0] = '\0';
	/* cmd_status and the importer keep the level under "level" */
	if (replica_meta_get(x->r, "level", x->own_level, sizeof x->own_level) != 0 &&
	    replica_meta_get(x->r, REPLICA_META_ORG_LEVEL, x->own_level, sizeof x->own_level) != 0)
		x->own_level[0] = '\0';
	if (rp_eff_each(x->r, rv_types[t].table, NULL, collect_row, x) != 0 || x->oom) {
		fprintf(stderr, "karta: %s\n", *replica_error(x->r) ? replica_error(x->r) : "out of memory");
		return -1;
	}
	return 0;
}

