/* registry_ident: which stored row a line of a registry file is, and whether it changes
 * anything (docs/registries.md «Identity»). A row has one identity for life: the GUID it
 * came with, else karta's id. A file row that carries an id («Идентификатор», or the
 * interop «Guid») is that row, whatever else changed in it — a corrected document number
 * is an update, not a new person. Only a row without an id is looked up by its natural key
 * (document within the school, exam point or staff code, auditorium code within its point),
 * and a key that matches two live rows is refused naming both.
 *
 * "Unchanged" is decided by exporting the stored row in the file's layout (registry_map)
 * and reading that record back through the importer's own mapping (reg_row_columns): both
 * sides reach the same stored forms, so an export re-imports as nothing to change whatever
 * the layout. Messages name lines, columns, ids and organization codes, never values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_validate.h"
#include "plan_fmt.h"
#include "registry_import_int.h"
#include "registry_map.h"
#include "replica.h"
#include "kt_i18n.h"
#include "replica_int.h" /* rp_eff_each: rows with their feed */

/* A GUID or id as stored: folded, without braces, lower case ("" when empty). */
static void id_norm(const char *s, char *out, size_t n)
{
	char *f = reg_fold(s ? s : "");
	const char *p = f ? f + (*f == '{') : "";
	snprintf(out, n, "%s", p);
	size_t len = strlen(out);
	if (len && out[len - 1] == '}')
		out[--len] = '\0';
	for (char *q = out; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q += 32;
	free(f);
}

static bool deleted_payload(const json_t *p)
{
	const json_t *d = json_object_get(p, "deleted_at");
	return d && !json_is_null(d) && !(json_is_string(d) && !*json_string_value(d));
}

/* The owning organization's code of a replica row: a local payload's "org", the feed it
 * arrived in (the owner's), its org_id by the feeds, else this device's when it owns rows of
 * that kind. "" when unknown. */
static const char *row_owner(struct imp *im, const json_t *p, const char *feed)
{
	const char *o = rv_jstr(p, "org");
	if (*o)
		return o;
	if (feed && *feed)
		return feed;
	o = rv_org_ref(&im->x, p, "org");
	if (o && *o)
		return o;
	return strcmp(im->own_level, reg_owner_level(im->kind)) == 0 ? im->own_org : "";
}

/* The natural key's scope: a participant's school, an auditorium's exam point; exam point
 * and staff codes are unique in the region. */
static const char *key_scope(const struct imp *im, const char *owner, const char *point)
{
	return im->kind == KT_REG_PARTICIPANTS ? owner : im->kind == KT_REG_AUDITORIUMS ? point : "";
}

/* The natural key of a stored row, read as karta's layout exports it. */
static int payload_key(struct imp *im, const json_t *p, const char *owner, char *key, size_t n)
{
	struct regmap_refs refs = {.owner = owner};
	struct regmap_rec rec = {0};
	if (regmap_record(im->kind, KT_LAYOUT_KARTA, p, &refs, &rec) != 0)
		return -1;
	struct reg_row rr = {.kind = im->kind, .layout = KT_LAYOUT_KARTA};
	memcpy(rr.v, rec.v, sizeof rr.v);
	const char *point = rv_jstr(p, "point_id");
	size_t k = (size_t)snprintf(key, n, "%s|", key_scope(im, owner, point));
	reg_row_key(&rr, key + (k < n ? k : n - 1), n - (k < n ? k : n - 1));
	regmap_rec_release(&rec);
	return 0;
}

static int index_cb(void *arg, const char *id, const char *feed, const char *payload, bool pending)
{
	struct imp *im = arg;
	json_t *p = json_loads(payload, 0, NULL);
	if (!json_is_object(p)) {
		json_decref(p);
		return 0;
	}
	bool del = deleted_payload(p);
	const char *owner = row_owner(im, p, feed);
	char k[512], g[64];
	int rc = 0;
	snprintf(k, sizeof k, "id:%s", id);
	rc |= reg_map_put(&im->byid, k, id, del);
	id_norm(rv_jstr(p, "guid"), g, sizeof g);
	if (*g) {
		snprintf(k, sizeof k, "g:%s", g);
		rc |= reg_map_put(&im->byid, k, id, del);
	}
	rc |= reg_map_put(&im->owners, id, owner, 0);
	if (!del && rc == 0) {
		if (payload_key(im, p, owner, k, sizeof k) != 0) {
			json_decref(p);
			return -1;
		}
		const struct reg_map_entry *e = reg_map_get(&im->existing, k);
		if (!e) {
			rc = reg_map_put(&im->existing, k, id, 1);
		} else if (e->num < 2) { /* the first two candidates are named in the refusal */
			char both[2 * REG_ID_LEN + 4];
			snprintf(both, sizeof both, "%s, %s", e->val, id);
			rc = reg_map_put(&im->existing, k, both, 2);
		}
		if (im->nlive == im->caplive) {
			size_t cap = im->caplive ? im->caplive * 2 : 256;
			struct live_row *g2 = realloc(im->live, cap * sizeof *g2);
			if (!g2)
				rc = -1;
			else
				im->live = g2, im->caplive = cap;
		}
		if (rc == 0) {
			struct live_row *l = &im->live[im->nlive];
			snprintf(l->id, sizeof l->id, "%s", id);
			l->scope = strdup(im->kind == KT_REG_AUDITORIUMS ? rv_jstr(p, "point_id") : owner);
			l->base = json_integer_value(json_object_get(p, "row_version")) + (pending ? 1 : 0);
			rc = l->scope ? 0 : -1;
			im->nlive += rc == 0;
		}
	}
	json_decref(p);
	return rc ? -1 : 0;
}

static int index_point(void *arg, const char *id, const char *payload, bool pending)
{
	(void)pending;
	struct imp *im = arg;
	json_t *p = json_loads(payload, 0, NULL);
	int rc = 0;
	const char *code = json_string_value(json_object_get(p, "code"));
	if (code && !deleted_payload(p)) {
		char key[64];
		snprintf(key, sizeof key, "code:%s", code);
		rc = reg_map_put(&im->points, key, id, 0);
	}
	json_decref(p);
	return rc;
}

int ri_index(struct imp *im)
{
	im->x.r = im->r;
	if ((im->kind == KT_REG_AUDITORIUMS || im->kind == KT_REG_STAFF) &&
	    replica_each(im->r, "exam_point", NULL, index_point, im) != 0)
		return -1;
	return rp_eff_each(im->r, im->table, NULL, index_cb, im) == 0 && !im->x.oom ? 0 : -1;
}

/* ---- one file row ------------------------------------------------------------------------ */

const char *ri_point_of(struct imp *im, const char *code_typed)
{
	long code;
	char key[32];
	if (!kt_parse_int(code_typed, 0, 9999, &code))
		return NULL;
	snprintf(key, sizeof key, "code:%04ld", code);
	const struct reg_map_entry *e = reg_map_get(&im->points, key);
	return e ? e->val : NULL;
}

/* The field that names the row's organization in the file (karta's layout), -1 for none. */
static int org_field(const struct imp *im, enum kt_reg_layout lay)
{
	if (lay != KT_LAYOUT_KARTA)
		return -1;
	return im->kind == KT_REG_PARTICIPANTS ? KT_P_SCHOOL
		: im->kind == KT_REG_EXAM_POINTS ? KT_E_MUNICIPALITY : -1;
}

static int key_field(const struct imp *im)
{
	return im->kind == KT_REG_PARTICIPANTS ? KT_P_DOC_NUMBER : im->kind == KT_REG_EXAM_POINTS
		? KT_E_CODE : im->kind == KT_REG_AUDITORIUMS ? KT_A_CODE : KT_S_CODE;
}

/* The organization the row names, checked against the importer: its own, one below it (by
 * the feeds' parents), or any for the region (the server has the last word). */
static int owner_of(struct imp *im, const struct reg_row *row, int line, struct ri_target *t,
	char *named, size_t n)
{
	int f = org_field(im, row->layout);
	char *s = f >= 0 && row->has[f] ? reg_fold(row->v[f]) : NULL;
	snprintf(named, n, "%s", s ? s : "");
	free(s);
	char msg[256];
	if (*named && im->org_opt && strcmp(named, im->org_opt) != 0) {
		snprintf(msg, sizeof msg, _("names organization %s, but --org is %s"), named, im->org_opt);
		ri_reject_field(im, line, f, row->layout, msg);
		return 1;
	}
	if (*named && !im->org_opt && strcmp(named, im->own_org) != 0 &&
	    strcmp(im->own_level, "region") != 0 && !rv_below(&im->x, named, im->own_org)) {
		snprintf(msg, sizeof msg, _("names organization %s: not this organization (%s) nor one "
			"below it"), named, im->own_org);
		ri_reject_field(im, line, f, row->layout, msg);
		return 1;
	}
	t->owner = *named ? named : im->org_opt ? im->org_opt
		: strcmp(im->own_level, reg_owner_level(im->kind)) == 0 ? im->own_org : NULL;
	t->owner_named = *named || im->org_opt;
	return 0;
}

int ri_resolve(struct imp *im, const struct reg_row *row, int line, struct ri_target *t)
{
	static char named[64]; /* t->owner may point here until the next row */
	char idv[64], key[512], msg[256];
	memset(t, 0, sizeof *t);
	if (owner_of(im, row, line, t, named, sizeof named) != 0)
		return 1;
	int fid = kt_reg_id_field(im->kind);
	id_norm(row->has[fid] ? row->v[fid] : "", idv, sizeof idv);
	if (im->kind == KT_REG_AUDITORIUMS && !(t->point = ri_point_of(im, row->v[KT_A_PPE]))) {
		snprintf(key, sizeof key, "id:%s", idv);
		const struct reg_map_entry *d = *idv ? reg_map_get(&im->byid, key) : NULL;
		if (d && d->num) { /* a deleted auditorium of a deleted exam point: nothing to find */
			snprintf(t->id, sizeof t->id, "%.36s", d->val);
			t->exists = t->deleted = true;
			return 0;
		}
		ri_reject_field(im, line, KT_A_PPE, row->layout,
			N_("no exam point with this code here (import the exam points first, or 'karta sync')"));
		return 1;
	}
	const struct reg_map_entry *e = NULL;
	if (*idv) {
		snprintf(key, sizeof key, "id:%s", idv);
		if (!(e = reg_map_get(&im->byid, key))) {
			snprintf(key, sizeof key, "g:%s", idv);
			e = reg_map_get(&im->byid, key);
		}
		snprintf(t->id, sizeof t->id, "%.36s", e ? e->val : idv); /* new: its own GUID */
	} else {
		struct reg_row nat = *row;
		nat.layout = KT_LAYOUT_KARTA;
		const char *sc = key_scope(im, t->owner ? t->owner : "", t->point);
		size_t k = (size_t)snprintf(key, sizeof key, "%s|", sc);
		reg_row_key(&nat, key + k, sizeof key - k);
		const struct reg_map_entry *m = reg_map_get(&im->existing, key);
		if (m && m->num >= 2) {
			snprintf(msg, sizeof msg, _("matches more than one row here (%s): give «%s» to say "
				"which"), m->val, kt_reg_field_name(im->kind, KT_LAYOUT_KARTA, fid));
			ri_reject_field(im, line, key_field(im), row->layout, msg);
			return 1;
		}
		if (m) {
			snprintf(key, sizeof key, "id:%s", m->val);
			e = reg_map_get(&im->byid, key);
			snprintf(t->id, sizeof t->id, "%s", m->val);
		} else {
			char scope[200];
			snprintf(scope, sizeof scope, "%s\n%s", t->point ? t->point : t->owner ? t->owner : "",
				t->point ? "auditorium" : im->table);
			reg_uuid5(scope, key + k, t->id);
			snprintf(key, sizeof key, "id:%s", t->id);
			if (reg_map_get(&im->byid, key) && plan_fmt_new_id(t->id) != 0) /* a deleted row's */
				return -1;
		}
	}
	t->exists = e != NULL;
	t->deleted = e && e->num;
	if (t->exists) {
		const struct reg_map_entry *o = reg_map_get(&im->owners, t->id);
		const char *was = o ? o->val : "";
		if (t->owner_named && *was && t->owner && strcmp(was, t->owner) != 0) {
			int f = org_field(im, row->layout);
			snprintf(msg, sizeof msg, _("the row belongs to %s and stays with it (a row never "
				"moves to another organization)"), was);
			ri_reject_field(im, line, f >= 0 ? f : fid, row->layout, msg);
			return 1;
		}
		if (!t->owner && *was)
			t->owner = was;
	}
	t->scope_key = im->kind == KT_REG_AUDITORIUMS ? t->point : t->owner;
	return 0;
}

bool ri_same(struct imp *im, const struct reg_row *row, const json_t *cols,
	const json_t *payload, const struct ri_target *t)
{
	struct regmap_refs refs = {.owner = t->owner ? t->owner : "", .owner_guid = "",
		.other_guid = ""};
	if (im->kind == KT_REG_EXAM_POINTS)
		refs.other = rv_org_ref(&im->x, payload, "host_org");
	else if (im->kind == KT_REG_STAFF)
		refs.other = rv_org_ref(&im->x, payload, "workplace_org");
	else if (im->kind == KT_REG_AUDITORIUMS)
		refs.point = rv_point_code(&im->x, rv_jstr(payload, "point_id"));
	if (im->kind == KT_REG_PARTICIPANTS && row->layout == KT_LAYOUT_RIS)
		refs.other_guid = NULL; /* the graduation school: the main one unless kept */
	struct regmap_rec rec = {0};
	if (regmap_record(im->kind, row->layout, payload, &refs, &rec) != 0)
		return false;
	struct reg_row back = {.kind = im->kind, .layout = row->layout};
	memcpy(back.v, rec.v, sizeof back.v);
	memcpy(back.has, row->has, sizeof back.has);
	json_t *stored = reg_row_columns(&back);
	regmap_rec_release(&rec);
	bool same = stored != NULL;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)cols, k, v) {
		if (!same)
			break;
		if (strcmp(k, "point_id") == 0)
			same = strcmp(json_string_value(v) ? json_string_value(v) : "",
				rv_jstr(payload, "point_id")) == 0;
		else
			same = json_equal(v, json_object_get(stored, k));
	}
	json_decref(stored);
	return same;
}

int ri_deletion(const struct reg_row *row, char *reason, size_t n, int *ris_flag)
{
	*ris_flag = 0;
	reason[0] = '\0';
	if (row->layout == KT_LAYOUT_RIS) {
		int f = row->kind == KT_REG_PARTICIPANTS ? KT_P_DELETED : KT_E_DELETED, d = 0;
		if (kt_check_deleted(row->v[f], &d) || d == 0)
			return 0;
		*ris_flag = d;
		snprintf(reason, n, "РИС: признак удаленной строки %d", d);
		return 1;
	}
	int f = kt_reg_reason_field(row->kind, row->layout);
	char *s = f >= 0 && row->has[f] ? reg_fold(row->v[f]) : NULL;
	snprintf(reason, n, "%s", s ? s : "");
	free(s);
	return *reason != '\0';
}

void ri_free(struct imp *im)
{
	rv_rx_free(&im->x, 0);
	reg_map_free(&im->points);
	reg_map_free(&im->existing);
	reg_map_free(&im->byid);
	reg_map_free(&im->owners);
	reg_map_free(&im->seen);
	reg_map_free(&im->scopes);
	for (size_t i = 0; i < im->nlive; i++)
		free(im->live[i].scope);
	free(im->live);
	free(im->q);
}
