/* h_plan: list and get (paged) plans. Authorization is inside the SQL (karta_plan_access,
 * sql/0003_plan_api.sql). Plan writes (put, approve/archive, derive) are not requests of
 * their own: they come as ops inside an Upload (h_upload.c, ops.c; docs/protocol.md). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../session.h"
#include "h_rows.h"
#include "h_util.h"
#include "handlers.h"

#define PAGE_ITEMS_DEFAULT 500
#define PAGE_ITEMS_MAX 2000
#define PAGE_BYTES (1024 * 1024) /* items per page stop here even if more were asked */

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
	if (!pending_result_ok(p, res, "plan_list"))
		goto out;
	int n = db_result_rows(res);
	Karta__Plan *plans = calloc((size_t)n + 1, sizeof *plans);
	Karta__Plan **ptrs = calloc((size_t)n + 1, sizeof *ptrs);
	if (!plans || !ptrs) {
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
	} else {
		for (int i = 0; i < n; i++) {
			plan_from_row(res, i, &plans[i]);
			ptrs[i] = &plans[i];
		}
		Karta__PlanList list = KARTA__PLAN_LIST__INIT;
		list.n_plans = (size_t)n;
		list.plans = ptrs;
		session_reply(p->sess, p->rid, &list.base);
	}
	free(plans);
	free(ptrs);
out:
	pending_free(p);
}

int h_plan_list(struct session *sess, uint32_t rid, const ProtobufCMessage *msg)
{
	struct pending *p = pending_new(sess, rid);
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
	if (!pending_result_ok(p, res, "plan_get"))
		goto out;
	if (p->step == 0) {
		if (!pending_row_readable(p, res, 14, "plan"))
			goto out;
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
		session_reply(p->sess, p->rid, &page.base);
	} else {
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
	}
	free(secs);
	free(sp);
	free(items);
	free(ip);
out:
	pending_free(p);
}

int h_plan_get(struct session *sess, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__PlanGetRequest *req = (const Karta__PlanGetRequest *)msg;
	const char *bad = check_uuid("plan_id", req->plan_id);
	if (!bad && req->after_id && *req->after_id)
		bad = check_uuid("after_id", req->after_id);
	if (bad)
		return session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	struct pending *p = pending_new_extra(sess, rid, sizeof(struct get_state),
		get_state_free);
	if (!p)
		return -1;
	struct get_state *g = p->extra;
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
