/* h_plan: list, get (paged), put, approve/archive and derive plans. Authorization is
 * inside the SQL (karta_plan_access, sql/0003_plan_api.sql); these handlers validate,
 * call one function, then read back the row they answer with. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../conn.h"
#include "../session.h"
#include "h_rows.h"
#include "h_util.h"
#include "h_write.h"
#include "handlers.h"

#define PAGE_ITEMS_DEFAULT 500
#define PAGE_ITEMS_MAX 2000
#define PAGE_BYTES (1024 * 1024) /* items per page stop here even if more were asked */
#define MAX_SECTIONS 500

static const char list_sql[] =
	"SELECT " PLAN_COLS PLAN_FROM
	" WHERE karta_plan_access(a.org_id, a.level, p.owner_org_id) <> 'none'"
	" ORDER BY CASE p.level WHEN 'region' THEN 1 WHEN 'municipality' THEN 2 ELSE 3 END,"
	" o.code, p.academic_year DESC, p.title";

static const char plan_sql[] =
	"SELECT " PLAN_COLS ", karta_plan_access(a.org_id, a.level, p.owner_org_id)" PLAN_FROM
	" WHERE p.id = $2::uuid";

static const char sections_sql[] =
	"SELECT " SECTION_COLS " FROM plan_section s WHERE s.plan_id = $1::uuid ORDER BY s.ordinal, s.id";

static const char items_sql[] =
	"SELECT " ITEM_COLS ", s.ordinal" ITEM_FROM " JOIN plan_section s ON s.id = i.section_id"
	" WHERE i.plan_id = $1::uuid AND (s.ordinal, i.ordinal, i.id) > ($2::int, $3::int, $4::uuid)"
	" ORDER BY s.ordinal, i.ordinal, i.id LIMIT $5::int";

/* --- list ------------------------------------------------------------------------------ */

static void list_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res)) {
		reply_db_error(p, res, "plan_list");
		goto out;
	}
	int n = db_result_rows(res);
	Karta__Plan *plans = calloc((size_t)n + 1, sizeof *plans);
	Karta__Plan **ptrs = calloc((size_t)n + 1, sizeof *ptrs);
	if (!plans || !ptrs) {
		session_error(p->c, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
	} else {
		for (int i = 0; i < n; i++) {
			plan_from_row(res, i, &plans[i]);
			ptrs[i] = &plans[i];
		}
		Karta__PlanList list = KARTA__PLAN_LIST__INIT;
		list.n_plans = (size_t)n;
		list.plans = ptrs;
		session_reply(p->c, p->rid, &list.base);
	}
	free(plans);
	free(ptrs);
out:
	pending_free(p);
}

int h_plan_list(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	struct pending *p = pending_new(c, rid);
	if (!p)
		return -1;
	const char *params[1] = {p->device};
	pending_query(p, list_sql, 1, params, list_cb);
	return 0;
}

/* --- get ------------------------------------------------------------------------------- */

struct get_state {
	struct db_result *plan, *sections;
	char after_section[16], after_ordinal[16], after_id[40], limit[16];
};

static void get_state_free(void *arg)
{
	struct get_state *g = arg;
	if (!g)
		return;
	db_result_free(g->plan);
	db_result_free(g->sections);
	free(g);
}

static void get_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct get_state *g = p->extra;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res)) {
		reply_db_error(p, res, "plan_get");
		goto out;
	}
	if (p->step == 0) {
		if (db_result_rows(res) == 0) {
			session_error(p->c, p->rid, KARTA__STATUS__STATUS_NOT_FOUND, "no plan %s", p->id);
			goto out;
		}
		if (strcmp(db_result_get(res, 0, 14), "none") == 0) {
			session_error(p->c, p->rid, KARTA__STATUS__STATUS_PERMISSION_DENIED,
				"no access to plan %s", p->id);
			goto out;
		}
		if (!(g->plan = db_result_take(res)))
			goto out;
		p->step = 1;
		const char *params[1] = {p->id};
		pending_query(p, sections_sql, 1, params, get_cb); /* frees p when refused */
		return;
	}
	if (p->step == 1) {
		if (!(g->sections = db_result_take(res)))
			goto out;
		p->step = 2;
		const char *params[5] = {p->id, g->after_section, g->after_ordinal, g->after_id, g->limit};
		pending_query(p, items_sql, 5, params, get_cb);
		return;
	}
	/* step 2: items; stop at the byte budget so a page always fits a frame */
	Karta__Plan plan;
	plan_from_row(g->plan, 0, &plan);
	int ns = db_result_rows(g->sections), ni = db_result_rows(res);
	Karta__Section *secs = calloc((size_t)ns + 1, sizeof *secs);
	Karta__Section **sp = calloc((size_t)ns + 1, sizeof *sp);
	Karta__Item *items = calloc((size_t)ni + 1, sizeof *items);
	Karta__Item **ip = calloc((size_t)ni + 1, sizeof *ip);
	if (secs && sp && items && ip) {
		for (int i = 0; i < ns; i++) {
			section_from_row(g->sections, i, &secs[i]);
			sp[i] = &secs[i];
		}
		size_t bytes = 0;
		int limit = atoi(g->limit) - 1, n = 0;
		for (; n < ni && n < limit; n++) {
			item_from_row(res, n, &items[n]);
			bytes += protobuf_c_message_get_packed_size(&items[n].base) + 8;
			if (bytes > PAGE_BYTES && n > 0)
				break;
			ip[n] = &items[n];
		}
		Karta__PlanPage page = KARTA__PLAN_PAGE__INIT;
		page.plan = &plan;
		page.n_sections = (size_t)ns;
		page.sections = sp;
		page.n_items = (size_t)n;
		page.items = ip;
		page.more = n < ni;
		session_reply(p->c, p->rid, &page.base);
	} else {
		session_error(p->c, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
	}
	free(secs);
	free(sp);
	free(items);
	free(ip);
out:
	pending_free(p);
}

int h_plan_get(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__PlanGetRequest *req = (const Karta__PlanGetRequest *)msg;
	const char *bad = check_uuid("plan_id", req->plan_id);
	if (!bad && req->after_id && *req->after_id)
		bad = check_uuid("after_id", req->after_id);
	if (bad)
		return session_error(c, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	struct pending *p = pending_new(c, rid);
	struct get_state *g = calloc(1, sizeof *g);
	if (!p || !g) {
		free(g);
		pending_free(p);
		return -1;
	}
	p->extra = g;
	p->extra_free = get_state_free;
	snprintf(p->id, sizeof p->id, "%s", req->plan_id);
	int size = req->page_size <= 0 ? PAGE_ITEMS_DEFAULT
		: req->page_size > PAGE_ITEMS_MAX ? PAGE_ITEMS_MAX : req->page_size;
	snprintf(g->limit, sizeof g->limit, "%d", size + 1);
	snprintf(g->after_section, sizeof g->after_section, "%d", req->after_section);
	snprintf(g->after_ordinal, sizeof g->after_ordinal, "%d", req->after_ordinal);
	snprintf(g->after_id, sizeof g->after_id, "%s",
		req->after_id && *req->after_id ? req->after_id : "00000000-0000-0000-0000-000000000000");
	const char *params[2] = {p->device, p->id};
	pending_query(p, plan_sql, 2, params, get_cb);
	return 0;
}

/* --- writes: put, approve, derive share the read-back ------------------------------------- */

struct write_state {
	Karta__Status status;
	char message[256];
	int derived, referenced;
};

static void plan_readback_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct write_state *w = p->extra;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res) || db_result_rows(res) == 0) {
		reply_db_error(p, res, "plan_readback");
		goto out;
	}
	Karta__Plan plan;
	plan_from_row(res, 0, &plan);
	Karta__PlanResult r = KARTA__PLAN_RESULT__INIT;
	r.status = w->status;
	r.message = w->message;
	r.plan = &plan;
	r.items_derived = w->derived;
	r.items_referenced = w->referenced;
	session_reply(p->c, p->rid, &r.base);
out:
	pending_free(p);
}

/* Result of a karta_plan_* function: (status, message, id[, derived, referenced]). */
static void plan_write_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct write_state *w = p->extra;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res)) {
		reply_db_error(p, res, "plan_write");
		goto out;
	}
	const char *word = db_result_get(res, 0, 0);
	w->status = api_status(word);
	snprintf(w->message, sizeof w->message, "%s", db_result_get(res, 0, 1));
	/* CONFLICT carries the current row, except on a create: an existing id may belong to a
	 * plan the asker cannot read, so it must not be revealed. */
	bool readable = w->status == KARTA__STATUS__STATUS_OK ||
		(w->status == KARTA__STATUS__STATUS_CONFLICT && strcmp(p->base, "0") != 0);
	if (!readable) {
		session_error(p->c, p->rid, w->status, "%s", w->message);
		goto out;
	}
	snprintf(p->id, sizeof p->id, "%s", db_result_get(res, 0, 2));
	w->derived = atoi(db_result_get(res, 0, 3));
	w->referenced = atoi(db_result_get(res, 0, 4));
	const char *params[2] = {p->device, p->id};
	static const char sql[] = "SELECT " PLAN_COLS PLAN_FROM " WHERE p.id = $2::uuid";
	pending_query(p, sql, 2, params, plan_readback_cb);
	return;
out:
	pending_free(p);
}

static struct pending *write_pending(struct conn *c, uint32_t rid)
{
	struct pending *p = pending_new(c, rid);
	if (p && !(p->extra = calloc(1, sizeof(struct write_state)))) {
		pending_free(p);
		return NULL;
	}
	return p;
}

const char *check_date(const char *field, const char *s)
{
	static char msg[80];
	int y, m, d;
	char tail;
	if (!s || !*s || (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 && m <= 12 &&
				 d >= 1 && d <= 31 && strlen(s) == 10))
		return NULL;
	snprintf(msg, sizeof msg, "%s must be a date YYYY-MM-DD", field);
	return msg;
}

const char *check_plan_put(const Karta__PlanPut *req)
{
	const Karta__Plan *pl = req->plan;
	const char *bad;
	if (!pl)
		return "plan is required";
	if ((bad = check_uuid("plan.id", pl->id)) || (bad = check_text("title", pl->title, 2000, true)) ||
	    (bad = check_text("act_kind", pl->act_kind, 100, false)) ||
	    (bad = check_text("act_number", pl->act_number, 100, false)) ||
	    (bad = check_text("implements", pl->implements, 4000, false)) ||
	    (bad = check_date("act_date", pl->act_date)))
		return bad;
	if (pl->academic_year < 2000 || pl->academic_year > 2100)
		return "academic_year must be the first year, 2000..2100";
	if (req->n_sections > MAX_SECTIONS)
		return "too many sections (at most 500)";
	for (size_t i = 0; i < req->n_sections; i++) {
		const Karta__Section *s = req->sections[i];
		if ((bad = check_uuid("section.id", s->id)) ||
		    (bad = check_text("section.title", s->title, 2000, false)) ||
		    (bad = check_text("section.number", s->number, 32, false)))
			return bad;
		if (s->ordinal < 1)
			return "section.ordinal must be 1 or more";
	}
	return NULL;
}

json_t *plan_body(const Karta__Plan *pl)
{
	return json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s}", "id", pl->id, "title", pl->title,
		"academic_year", pl->academic_year, "act_kind", pl->act_kind, "act_number",
		pl->act_number, "act_date", pl->act_date, "implements", pl->implements);
}

json_t *sections_body(Karta__Section *const *sections, size_t n, bool renumber)
{
	json_t *secs = json_array();
	for (size_t i = 0; secs && i < n; i++)
		json_array_append_new(secs, json_pack("{s:s,s:i,s:s,s:s}", "id", sections[i]->id,
			"ordinal", renumber ? (int)i + 1 : sections[i]->ordinal, "number",
			sections[i]->number, "title", sections[i]->title));
	return secs;
}

int h_plan_put(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__PlanPut *req = (const Karta__PlanPut *)msg;
	const char *bad = check_plan_put(req);
	if (bad)
		return session_error(c, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	const Karta__Plan *pl = req->plan;
	json_t *secs = sections_body(req->sections, req->n_sections, false);
	json_t *body = plan_body(pl);
	char *bj = body ? json_dumps(body, JSON_COMPACT) : NULL;
	char *sj = json_dumps(secs, JSON_COMPACT);
	json_decref(body);
	json_decref(secs);
	struct pending *p = write_pending(c, rid);
	if (!p || !bj || !sj) {
		free(bj);
		free(sj);
		pending_free(p);
		return -1;
	}
	snprintf(p->base, sizeof p->base, "%lld", (long long)req->base_row_version);
	p->json = bj;
	const char *params[4] = {p->device, p->base, bj, sj};
	pending_query(p, "SELECT * FROM karta_plan_save($1, $2, $3::jsonb, $4::jsonb)", 4, params,
		plan_write_cb);
	free(sj);
	return 0;
}

int h_plan_approve(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__PlanApprove *req = (const Karta__PlanApprove *)msg;
	const char *bad = check_uuid("plan_id", req->plan_id);
	if (!bad)
		bad = check_date("act_date", req->act_date);
	if (!bad)
		bad = check_text("act_number", req->act_number, 100, false);
	if (!bad)
		bad = check_text("act_kind", req->act_kind, 100, false);
	if (bad)
		return session_error(c, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	struct pending *p = write_pending(c, rid);
	if (!p)
		return -1;
	snprintf(p->base, sizeof p->base, "%lld", (long long)req->base_row_version);
	const char *params[7] = {p->device, req->plan_id, p->base, req->act_kind, req->act_number,
		req->act_date, req->archive ? "true" : "false"};
	pending_query(p,
		"SELECT *, 0, 0 FROM karta_plan_approve($1, $2::uuid, $3, $4, $5, nullif($6, '')::date, $7::boolean)",
		7, params, plan_write_cb);
	return 0;
}

int h_plan_derive(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__PlanDerive *req = (const Karta__PlanDerive *)msg;
	const char *bad = check_uuid("parent_plan_id", req->parent_plan_id);
	if (!bad)
		bad = check_uuid("new_plan_id", req->new_plan_id);
	if (!bad)
		bad = check_text("title", req->title, 2000, false);
	if (bad)
		return session_error(c, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	struct pending *p = write_pending(c, rid);
	if (!p)
		return -1;
	snprintf(p->base, sizeof p->base, "derive"); /* never a create-conflict (see plan_write_cb) */
	const char *params[4] = {p->device, req->parent_plan_id, req->new_plan_id, req->title};
	pending_query(p, "SELECT * FROM karta_plan_derive($1, $2::uuid, $3::uuid, $4)", 4, params,
		plan_write_cb);
	return 0;
}
