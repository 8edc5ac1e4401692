/* replica_plans: plans, sections and items of the replica as the protobuf messages the
 * server would send (server/handlers/h_rows.c), for answering plan and item reads offline.
 * The effective rows (synced rows with pending local payloads laid over them) come from
 * rp_eff_each and replica_get; every message and string lives in a struct replica_arena, so
 * the caller frees one arena instead of a tree of messages. */
#include "replica_int.h"

#include <jansson.h>
#include <limits.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- arena ------------------------------------------------------------------------------- */

/* Small allocations share blocks of this size; larger ones get a block of their own. */
#define ARENA_BLOCK (16 * 1024)
#define ARENA_ALIGN alignof(max_align_t)

struct replica_arena_block {
	struct replica_arena_block *next;
	size_t used, size;
	max_align_t data[]; /* max_align_t: whatever is carved out of it is aligned for anything */
};

static struct replica_arena_block *block_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(struct replica_arena_block))
		return NULL;
	/* calloc: allocations are handed out zeroed and never reused, so this is the only
	 * clearing needed. */
	struct replica_arena_block *b = calloc(1, sizeof *b + size);
	if (b)
		b->size = size;
	return b;
}

void *replica_arena_alloc(struct replica_arena *a, size_t n)
{
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	n = n ? (n + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN : ARENA_ALIGN;
	struct replica_arena_block *b = a->head;
	if (b && b->size - b->used >= n) {
		void *p = (char *)b->data + b->used;
		b->used += n;
		return p;
	}
	if (n > ARENA_BLOCK / 4) {
		/* A big one (a long text) gets its own block, linked behind the head so the head's
		 * free space keeps serving the small ones. */
		b = block_new(n);
		if (!b)
			return NULL;
		b->used = n;
		if (a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			a->head = b;
		}
		return b->data;
	}
	b = block_new(ARENA_BLOCK);
	if (!b)
		return NULL;
	b->next = a->head;
	a->head = b;
	b->used = n;
	return b->data;
}

/* NULL copies as "": message strings must never be NULL. */
char *replica_arena_strdup(struct replica_arena *a, const char *s)
{
	if (!s)
		s = "";
	size_t len = strlen(s);
	char *p = replica_arena_alloc(a, len + 1);
	if (p)
		memcpy(p, s, len + 1);
	return p;
}

void replica_arena_free(struct replica_arena *a)
{
	struct replica_arena_block *b = a->head;
	while (b) {
		struct replica_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

/* --- payload fields ---------------------------------------------------------------------- */

/* One payload being read. Field readers never fail: a missing key or SQL NULL gives the
 * message default, and running out of memory gives "" and sets oom, checked once at the
 * end, so the mappings below read like h_rows.c. */
struct payload {
	json_t *o;
	struct replica_arena *a;
	bool oom;
};

static char *empty(void)
{
	return (char *)protobuf_c_empty_string; /* what the *_INIT macros use */
}

/* The payload as a JSON object, or NULL (not JSON, or JSON but not an object). */
static json_t *load_object(const char *json)
{
	if (!json)
		return NULL;
	json_t *j = json_loads(json, JSON_DECODE_ANY, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static char *pl_dup(struct payload *p, const char *s)
{
	if (!*s)
		return empty();
	char *c = replica_arena_strdup(p->a, s);
	if (!c)
		p->oom = true;
	return c ? c : empty();
}

/* Compact JSON text of v. Key order is kept as received: payloads are PostgreSQL's jsonb
 * text, whose nested objects are already in jsonb's order, the order the server prints. */
static char *pl_dump(struct payload *p, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (!s) {
		p->oom = true;
		return empty();
	}
	char *c = pl_dup(p, s);
	free(s);
	return c;
}

static const json_t *pl_get(const struct payload *p, const char *key)
{
	const json_t *v = json_object_get(p->o, key);
	return v && !json_is_null(v) ? v : NULL;
}

/* A text column; NULL (coalesce(x, '') on the server) and missing give "". A non-string
 * (a uuid or number an older client wrote differently) is shown as its JSON text. */
static char *pl_str(struct payload *p, const char *key)
{
	const json_t *v = pl_get(p, key);
	if (!v)
		return empty();
	return json_is_string(v) ? pl_dup(p, json_string_value(v)) : pl_dump(p, v);
}

/* A jsonb column, re-serialized compactly. Missing gives "" (the readers treat "" as "no
 * value"); a present JSON null is the jsonb value null, printed as the server would. */
static char *pl_json(struct payload *p, const char *key)
{
	const json_t *v = json_object_get(p->o, key);
	return v ? pl_dump(p, v) : empty();
}

static int64_t pl_i64(const struct payload *p, const char *key)
{
	const json_t *v = pl_get(p, key);
	if (!v)
		return 0;
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v)) {
		double d = json_real_value(v);
		return d >= -9.2e18 && d <= 9.2e18 ? (int64_t)d : 0;
	}
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

static int32_t pl_i32(const struct payload *p, const char *key)
{
	int64_t v = pl_i64(p, key);
	return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

static bool pl_bool(const struct payload *p, const char *key)
{
	const json_t *v = pl_get(p, key);
	if (v && json_is_string(v))
		return strcmp(json_string_value(v), "t") == 0 || strcmp(json_string_value(v), "true") == 0;
	return v && json_is_true(v);
}

/* --- timestamps -------------------------------------------------------------------------- */

/* Reads "+HH", "+HH:MM", "+HH:MM:SS", "+HHMM" or "Z" (and nothing: UTC) into seconds east
 * of UTC. PostgreSQL prints seconds only for historical local mean times. */
static int parse_offset(const char *s, long *off)
{
	*off = 0;
	if (*s == '\0' || strcmp(s, "Z") == 0)
		return 0;
	if (*s != '+' && *s != '-')
		return -1;
	int sign = *s == '-' ? -1 : 1, hh = 0, mm = 0, ss = 0, len = 0;
	const char *t = s + 1;
	if (sscanf(t, "%2d%n", &hh, &len) != 1 || len != 2)
		return -1;
	t += 2;
	if (*t == ':')
		t++;
	if (*t && (sscanf(t, "%2d%n", &mm, &len) != 1 || len != 2))
		return -1;
	t += *t ? 2 : 0;
	if (*t == ':' && (sscanf(t + 1, "%2d%n", &ss, &len) != 1 || len != 2))
		return -1;
	t += *t == ':' ? 3 : 0;
	if (*t != '\0' || hh > 23 || mm > 59 || ss > 59)
		return -1;
	*off = sign * (hh * 3600L + mm * 60L + ss);
	return 0;
}

/* "2026-11-24T10:00:00.123456+03:00" (to_jsonb of a timestamptz; also a space for the T,
 * and "Z" as local payloads write it) → "2026-11-24T07:00:00Z" in out. The fraction is
 * dropped, not rounded, as the server's to_char does. -1 if s is not such a time. */
static int utc_time(const char *s, char *out, size_t n)
{
	struct tm tm = {0};
	int len = 0;
	char sep;
	if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &sep,
		&tm.tm_hour, &tm.tm_min, &tm.tm_sec, &len) != 7 || (sep != 'T' && sep != ' ') ||
		len != 19)
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
		tm.tm_hour > 24 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	const char *t = s + len;
	if (*t == '.')
		for (t++; *t >= '0' && *t <= '9'; t++)
			;
	long off;
	if (parse_offset(t, &off))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t at = timegm(&tm) - off;
	struct tm utc;
	if (!gmtime_r(&at, &utc) || !strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &utc))
		return -1;
	return 0;
}

/* A timestamptz column as the server formats it; text it cannot read (say "infinity") is
 * passed through as is rather than hidden. */
static char *pl_time(struct payload *p, const char *key)
{
	const json_t *v = pl_get(p, key);
	if (!v || !json_is_string(v))
		return empty();
	char buf[64];
	const char *s = json_string_value(v);
	return pl_dup(p, utc_time(s, buf, sizeof buf) == 0 ? buf : s);
}

/* --- payload → message ------------------------------------------------------------------- */

static Karta__PlanLevel plan_level(const char *s)
{
	if (strcmp(s, "region") == 0)
		return KARTA__PLAN_LEVEL__PLAN_LEVEL_REGION;
	if (strcmp(s, "municipality") == 0)
		return KARTA__PLAN_LEVEL__PLAN_LEVEL_MUNICIPALITY;
	if (strcmp(s, "school") == 0)
		return KARTA__PLAN_LEVEL__PLAN_LEVEL_SCHOOL;
	return KARTA__PLAN_LEVEL__PLAN_LEVEL_UNSPECIFIED;
}

/* Opens json for reading into an arena; -1 if it is not a JSON object. */
static int payload_open(struct payload *p, const char *json, struct replica_arena *a)
{
	p->o = load_object(json);
	p->a = a;
	p->oom = false;
	return p->o ? 0 : -1;
}

/* Closes p: 0, or -1 if memory ran out while reading it. */
static int payload_close(struct payload *p)
{
	json_decref(p->o);
	p->o = NULL;
	return p->oom ? -1 : 0;
}

int replica_plan_from_json(const char *json, const char *owner_code, Karta__Plan *out,
	struct replica_arena *a)
{
	struct payload p;
	karta__plan__init(out);
	if (payload_open(&p, json, a))
		return -1;
	out->id = pl_str(&p, "id");
	out->owner_code = pl_dup(&p, owner_code ? owner_code : "");
	const json_t *level = pl_get(&p, "level");
	out->level = plan_level(level && json_is_string(level) ? json_string_value(level) : "");
	out->parent_plan_id = pl_str(&p, "parent_plan_id");
	out->title = pl_str(&p, "title");
	out->academic_year = pl_i32(&p, "academic_year");
	out->act_kind = pl_str(&p, "act_kind");
	out->act_number = pl_str(&p, "act_number");
	out->act_date = pl_str(&p, "act_date");
	out->implements = pl_str(&p, "implements");
	out->status = pl_str(&p, "status");
	out->row_version = pl_i64(&p, "row_version");
	return payload_close(&p);
}

int replica_section_from_json(const char *json, Karta__Section *out, struct replica_arena *a)
{
	struct payload p;
	karta__section__init(out);
	if (payload_open(&p, json, a))
		return -1;
	out->id = pl_str(&p, "id");
	out->plan_id = pl_str(&p, "plan_id");
	out->ordinal = pl_i32(&p, "ordinal");
	out->number = pl_str(&p, "number");
	out->title = pl_str(&p, "title");
	out->row_version = pl_i64(&p, "row_version");
	return payload_close(&p);
}

int replica_item_from_json(const char *json, Karta__Item *out, struct replica_arena *a)
{
	struct payload p;
	karta__item__init(out);
	if (payload_open(&p, json, a))
		return -1;
	out->id = pl_str(&p, "id");
	out->plan_id = pl_str(&p, "plan_id");
	out->section_id = pl_str(&p, "section_id");
	out->ordinal = pl_i32(&p, "ordinal");
	out->number = pl_str(&p, "number");
	out->parent_item_id = pl_str(&p, "parent_item_id");
	out->title = pl_str(&p, "title");
	out->deadline_text = pl_str(&p, "deadline_text");
	out->deadline_json = pl_json(&p, "deadline");
	out->responsible_text = pl_str(&p, "responsible_text");
	out->responsible_json = pl_json(&p, "responsible");
	out->municipal_action = pl_str(&p, "municipal_action");
	out->institutional_action = pl_str(&p, "institutional_action");
	out->result_text = pl_str(&p, "result_text");
	out->target_text = pl_str(&p, "target_text");
	out->targets_json = pl_json(&p, "targets");
	out->derived_from = pl_str(&p, "derived_from");
	out->reference_only = pl_bool(&p, "reference_only");
	out->row_version = pl_i64(&p, "row_version");
	out->deleted = pl_get(&p, "deleted_at") != NULL;
	out->delete_reason = pl_str(&p, "delete_reason");
	out->updated_at = pl_time(&p, "updated_at");
	/* updated_by stays "": the payload holds a device id, the server sends its org code. */
	return payload_close(&p);
}

/* --- collecting messages ----------------------------------------------------------------- */

/* A growing list of message pointers (heap), copied into the arena once complete. */
struct vec {
	void **v;
	size_t n, cap;
};

static int vec_push(struct vec *v, void *p)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		void **nv = realloc(v->v, cap * sizeof *nv);
		if (!nv)
			return -1;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = p;
	return 0;
}

/* Room in the arena for an array of n (> 0) elements; NULL out of memory. */
static void *arena_array(struct replica_arena *a, size_t n, size_t size)
{
	return n > SIZE_MAX / size ? NULL : replica_arena_alloc(a, n * size);
}

static int oom(struct replica *r)
{
	return rp_fail(r, "replica: out of memory");
}

static int bad_payload(struct replica *r, const char *type, const char *id)
{
	return rp_fail(r, "replica: %s %s: its payload is not a JSON object (or out of memory)",
		type, id);
}

/* A message whose payload lacks its id (a local payload written sparsely) gets the entity's. */
static int fill_id(struct replica_arena *a, char **field, const char *id)
{
	if (**field)
		return 0;
	*field = replica_arena_strdup(a, id);
	return *field ? 0 : -1;
}

struct collect {
	struct replica *r;
	struct replica_arena *a;
	struct vec out;
	const char *org;  /* owner of plans only the outbox knows (meta org) */
	const char *want; /* plans: only this id (NULL: all) */
};

static int on_plan(void *arg, const char *id, const char *feed, const char *payload,
	bool pending)
{
	struct collect *c = arg;
	if (c->want && strcmp(id, c->want) != 0)
		return 0;
	Karta__Plan *p = replica_arena_alloc(c->a, sizeof *p);
	if (!p || replica_plan_from_json(payload, feed ? feed : c->org, p, c->a) ||
		fill_id(c->a, &p->id, id))
		return bad_payload(c->r, "plan", id);
	return vec_push(&c->out, p) ? oom(c->r) : 0;
}

static int on_section(void *arg, const char *id, const char *feed, const char *payload,
	bool pending)
{
	struct collect *c = arg;
	Karta__Section *s = replica_arena_alloc(c->a, sizeof *s);
	if (!s || replica_section_from_json(payload, s, c->a) || fill_id(c->a, &s->id, id))
		return bad_payload(c->r, "plan_section", id);
	return vec_push(&c->out, s) ? oom(c->r) : 0;
}

static int on_item(void *arg, const char *id, const char *feed, const char *payload,
	bool pending)
{
	struct collect *c = arg;
	Karta__Item *it = replica_arena_alloc(c->a, sizeof *it);
	if (!it || replica_item_from_json(payload, it, c->a) || fill_id(c->a, &it->id, id))
		return bad_payload(c->r, "plan_item", id);
	return vec_push(&c->out, it) ? oom(c->r) : 0;
}

/* --- orders ------------------------------------------------------------------------------ */

/* The server's CASE p.level: region, municipality, then everything else. */
static int level_rank(Karta__PlanLevel l)
{
	return l == KARTA__PLAN_LEVEL__PLAN_LEVEL_REGION ? 1
		: l == KARTA__PLAN_LEVEL__PLAN_LEVEL_MUNICIPALITY ? 2 : 3;
}

static int cmp_int(long a, long b)
{
	return (a > b) - (a < b);
}

/* level, owner, year desc, title, as h_plan.c's list; then id, so equal titles come out the
 * same every time. Titles compare bytewise, not by the server's collation. */
static int cmp_plan_list(const void *x, const void *y)
{
	const Karta__Plan *a = *(void *const *)x, *b = *(void *const *)y;
	int c = cmp_int(level_rank(a->level), level_rank(b->level));
	if (!c)
		c = strcmp(a->owner_code, b->owner_code);
	if (!c)
		c = cmp_int(b->academic_year, a->academic_year);
	if (!c)
		c = strcmp(a->title, b->title);
	return c ? c : strcmp(a->id, b->id);
}

/* The lists hold void pointers (struct vec): comparators read them as such. */
static int cmp_plan_id(const void *x, const void *y)
{
	const Karta__Plan *a = *(void *const *)x, *b = *(void *const *)y;
	return strcmp(a->id, b->id);
}

static int cmp_section_id(const void *x, const void *y)
{
	const Karta__Section *a = *(void *const *)x, *b = *(void *const *)y;
	return strcmp(a->id, b->id);
}

static int cmp_section(const void *x, const void *y)
{
	const Karta__Section *a = *(Karta__Section *const *)x, *b = *(Karta__Section *const *)y;
	int c = cmp_int(a->ordinal, b->ordinal);
	return c ? c : strcmp(a->id, b->id);
}

/* An item with the ordinal of its section, the first key of the plan order. */
struct keyed_item {
	long section_ordinal;
	Karta__Item *it;
};

static int cmp_item(const void *x, const void *y)
{
	const struct keyed_item *a = x, *b = y;
	int c = cmp_int(a->section_ordinal, b->section_ordinal);
	if (!c)
		c = cmp_int(a->it->ordinal, b->it->ordinal);
	return c ? c : strcmp(a->it->id, b->it->id);
}

/* --- plan list --------------------------------------------------------------------------- */

/* Not-deleted items per plan, counted in SQL over the same effective rows rp_eff_each walks
 * (RP_EFF_CTE): parsing every item's payload just for this would cost far more.
 * plans (of Karta__Plan) must be sorted by id. */
static int count_items(struct replica *r, const struct vec *plans)
{
	sqlite3_stmt *s = rp_prepare(r, RP_EFF_CTE
		"SELECT plan_id, count(*) FROM eff WHERE plan_id IS NOT NULL"
		" AND json_extract(payload, '$.deleted_at') IS NULL GROUP BY plan_id");
	if (!s)
		return -1;
	rp_bind_text(s, 1, "plan_item");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		Karta__Plan key = {.id = (char *)rp_col_text(s, 0)};
		void *kp = &key, **hit = plans->n
			? bsearch(&kp, plans->v, plans->n, sizeof *plans->v, cmp_plan_id) : NULL;
		if (hit) {
			Karta__Plan *p = *hit;
			int64_t count = sqlite3_column_int64(s, 1);
			p->item_count = count > INT32_MAX ? INT32_MAX : (int32_t)count;
		}
	}
	if (rc != SQLITE_DONE)
		rp_dberr(r, "replica: cannot count items");
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Owner of plans created offline: this device's organization ("" if not recorded yet). */
static int own_org(struct replica *r, struct replica_arena *a, const char **org)
{
	char buf[256];
	if (replica_meta_get(r, REPLICA_META_ORG, buf, sizeof buf) < 0)
		return -1;
	*org = replica_arena_strdup(a, buf);
	return *org ? 0 : oom(r);
}

int replica_plan_list(struct replica *r, Karta__Plan ***plans, size_t *n,
	struct replica_arena *a)
{
	*plans = NULL;
	*n = 0;
	struct collect c = {.r = r, .a = a};
	Karta__Plan **arr = NULL;
	int rc = own_org(r, a, &c.org);
	if (rc == 0)
		rc = rp_eff_each(r, "plan", NULL, on_plan, &c) ? -1 : 0;
	if (rc == 0 && c.out.n) {
		qsort(c.out.v, c.out.n, sizeof *c.out.v, cmp_plan_id);
		rc = count_items(r, &c.out);
	}
	if (rc == 0 && c.out.n && !(arr = arena_array(a, c.out.n, sizeof *arr)))
		rc = oom(r);
	if (rc == 0 && c.out.n) {
		qsort(c.out.v, c.out.n, sizeof *c.out.v, cmp_plan_list);
		for (size_t i = 0; i < c.out.n; i++)
			arr[i] = c.out.v[i];
		*plans = arr;
		*n = c.out.n;
	}
	free(c.out.v);
	return rc;
}

/* --- one plan ---------------------------------------------------------------------------- */

/* The plan itself: 0 found (*out), 1 not, -1 error. */
static int find_plan(struct replica *r, const char *plan_id, Karta__Plan *out,
	struct replica_arena *a)
{
	struct collect c = {.r = r, .a = a, .want = plan_id};
	int rc = own_org(r, a, &c.org);
	if (rc == 0)
		rc = rp_eff_each(r, "plan", plan_id, on_plan, &c) ? -1 : 0;
	if (rc == 0 && c.out.n == 0)
		rc = 1;
	if (rc == 0) {
		const Karta__Plan *p = c.out.v[0];
		*out = *p;
	}
	free(c.out.v);
	return rc;
}

/* Section ordinal of an item (sections sorted by id); an item whose section this replica
 * lacks sorts last rather than being dropped. */
static long section_ordinal(const struct vec *sections, const char *section_id)
{
	Karta__Section key = {.id = (char *)section_id};
	void *kp = &key, **hit = sections->n
		? bsearch(&kp, sections->v, sections->n, sizeof *sections->v, cmp_section_id) : NULL;
	const Karta__Section *s = hit ? *hit : NULL;
	return s ? s->ordinal : LONG_MAX;
}

/* The items of plan_id in plan order (section ordinal, ordinal, id) into *items (arena);
 * *live gets how many are not deleted. */
static int plan_items(struct replica *r, const char *plan_id, const struct vec *sections,
	Karta__Item ***items, size_t *n, int32_t *live, struct replica_arena *a)
{
	struct collect c = {.r = r, .a = a};
	struct keyed_item *k = NULL;
	Karta__Item **arr = NULL;
	int rc = rp_eff_each(r, "plan_item", plan_id, on_item, &c) ? -1 : 0;
	if (rc == 0 && c.out.n && !(k = calloc(c.out.n, sizeof *k)))
		rc = oom(r);
	if (rc == 0 && c.out.n && !(arr = arena_array(a, c.out.n, sizeof *arr)))
		rc = oom(r);
	if (rc == 0 && c.out.n) {
		*live = 0;
		for (size_t i = 0; i < c.out.n; i++) {
			k[i].it = c.out.v[i];
			k[i].section_ordinal = section_ordinal(sections, k[i].it->section_id);
			*live += !k[i].it->deleted;
		}
		qsort(k, c.out.n, sizeof *k, cmp_item);
		for (size_t i = 0; i < c.out.n; i++)
			arr[i] = k[i].it;
		*items = arr;
		*n = c.out.n;
	}
	free(k);
	free(c.out.v);
	return rc;
}

/* The sections of plan_id: sorted by id in *byid (heap, for plan_items' lookups), and in
 * plan order (ordinal, id) in *sections (arena). */
static int plan_sections(struct replica *r, const char *plan_id, struct vec *byid,
	Karta__Section ***sections, size_t *n, struct replica_arena *a)
{
	struct collect c = {.r = r, .a = a};
	Karta__Section **arr = NULL;
	int rc = rp_eff_each(r, "plan_section", plan_id, on_section, &c) ? -1 : 0;
	if (rc == 0 && c.out.n && !(arr = arena_array(a, c.out.n, sizeof *arr)))
		rc = oom(r);
	if (rc == 0 && c.out.n) {
		for (size_t i = 0; i < c.out.n; i++)
			arr[i] = c.out.v[i];
		qsort(arr, c.out.n, sizeof *arr, cmp_section);
		qsort(c.out.v, c.out.n, sizeof *c.out.v, cmp_section_id);
		*sections = arr;
		*n = c.out.n;
	}
	*byid = c.out;
	return rc;
}

int replica_plan_get(struct replica *r, const char *plan_id, Karta__Plan *plan,
	Karta__Section ***sections, size_t *n_sections, Karta__Item ***items, size_t *n_items,
	struct replica_arena *a)
{
	*sections = NULL;
	*items = NULL;
	*n_sections = *n_items = 0;
	int rc = find_plan(r, plan_id, plan, a);
	if (rc != 0)
		return rc;
	struct vec byid = {0};
	rc = plan_sections(r, plan_id, &byid, sections, n_sections, a);
	if (rc == 0)
		rc = plan_items(r, plan_id, &byid, items, n_items, &plan->item_count, a);
	free(byid.v);
	return rc;
}

/* --- one item ---------------------------------------------------------------------------- */

int replica_item_get(struct replica *r, const char *item_id, Karta__Item *out,
	struct replica_arena *a)
{
	char *payload = NULL;
	int rc = replica_get(r, "plan_item", item_id, &payload, NULL);
	if (rc == 0 && (replica_item_from_json(payload, out, a) || fill_id(a, &out->id, item_id)))
		rc = bad_payload(r, "plan_item", item_id);
	free(payload);
	return rc;
}
