/* h_item: create/update, move, delete and history of plan items.
 * An item write is three steps on the pool: the plan's academic year (the deadline's year
 * rule needs it), the write function (authorization, row_version check, history), then the
 * row read back for the reply. Deadline normalization and party classification run here,
 * in C (common/kt_deadline.c, kt_parties.c), so server and client share one implementation. */
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

static const char year_sql[] =
	"SELECT p.academic_year FROM plan p WHERE p.id = coalesce("
	"(SELECT plan_id FROM plan_item WHERE id = $1::uuid), nullif($2, '')::uuid)";
static const char readback_sql[] = "SELECT " ITEM_COLS ITEM_FROM " WHERE i.id = $1::uuid";

struct item_state {
	Karta__Status status;
	char message[256];
	json_t *body; /* the item as the write function takes it */
};

static void item_state_free(void *arg)
{
	struct item_state *s = arg;
	if (s)
		json_decref(s->body);
	free(s);
}

static void readback_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct item_state *s = p->extra;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res) || db_result_rows(res) == 0) {
		reply_db_error(p, res, "item_readback");
		goto out;
	}
	Karta__Item item;
	item_from_row(res, 0, &item);
	Karta__ItemResult r = KARTA__ITEM_RESULT__INIT;
	r.status = s->status;
	r.message = s->message;
	r.item = &item;
	session_reply(p->c, p->rid, &r.base);
out:
	pending_free(p);
}

/* (status, message, id) of karta_item_put / karta_item_move. */
static void write_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct item_state *s = p->extra;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res)) {
		reply_db_error(p, res, "item_write");
		goto out;
	}
	s->status = api_status(db_result_get(res, 0, 0));
	snprintf(s->message, sizeof s->message, "%s", db_result_get(res, 0, 1));
	/* CONFLICT carries the current row; other refusals are errors. A create that conflicts
	 * with an existing id must not reveal that row. */
	bool readable = s->status == KARTA__STATUS__STATUS_OK ||
		(s->status == KARTA__STATUS__STATUS_CONFLICT && strcmp(p->base, "0") != 0);
	if (!readable) {
		session_error(p->c, p->rid, s->status, "%s", s->message);
		goto out;
	}
	const char *params[1] = {p->id};
	pending_query(p, readback_sql, 1, params, readback_cb);
	return;
out:
	pending_free(p);
}

static void year_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct item_state *s = p->extra;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res)) {
		reply_db_error(p, res, "item_year");
		goto out;
	}
	if (db_result_rows(res) == 0) {
		session_error(p->c, p->rid, KARTA__STATUS__STATUS_NOT_FOUND, "no plan %s or item %s",
			json_string_value(json_object_get(s->body, "plan_id")), p->id);
		goto out;
	}
	item_normalize(s->body, atoi(db_result_get(res, 0, 0)));
	p->json = json_dumps(s->body, JSON_COMPACT);
	if (!p->json) {
		session_error(p->c, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
		goto out;
	}
	const char *params[3] = {p->device, p->base, p->json};
	pending_query(p, "SELECT * FROM karta_item_put($1, $2, $3::jsonb)", 3, params, write_cb);
	return;
out:
	pending_free(p);
}

static struct pending *item_pending(struct conn *c, uint32_t rid, const char *id, int64_t base)
{
	struct pending *p = pending_new(c, rid);
	struct item_state *s = calloc(1, sizeof *s);
	if (!p || !s) {
		free(s);
		pending_free(p);
		return NULL;
	}
	p->extra = s;
	p->extra_free = item_state_free;
	snprintf(p->id, sizeof p->id, "%s", id);
	snprintf(p->base, sizeof p->base, "%lld", (long long)base);
	return p;
}

json_t *item_put_body(const Karta__Item *it)
{
	return json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", it->id,
		"plan_id", it->plan_id, "section_id", it->section_id, "ordinal", it->ordinal,
		"number", it->number, "parent_item_id", it->parent_item_id, "title", it->title,
		"deadline_text", it->deadline_text, "responsible_text", it->responsible_text,
		"municipal_action", it->municipal_action, "institutional_action",
		it->institutional_action, "result_text", it->result_text, "target_text",
		it->target_text);
}

/* Field limits (characters) are documented in docs/plans.md. */
const char *check_item_put(const Karta__ItemPut *req)
{
	const Karta__Item *it = req->item;
	const char *bad;
	if (!it)
		return "item is required";
	if (req->base_row_version < 0)
		return "base_row_version must be 0 (create) or the version edited";
	if ((bad = check_uuid("item.id", it->id)) || (bad = check_uuid("section_id", it->section_id)) ||
	    (req->base_row_version == 0 && (bad = check_uuid("plan_id", it->plan_id))) ||
	    (*it->parent_item_id && (bad = check_uuid("parent_item_id", it->parent_item_id))))
		return bad;
	return check_item_texts(it);
}

int h_item_put(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__ItemPut *req = (const Karta__ItemPut *)msg;
	const char *bad = check_item_put(req);
	if (bad)
		return session_error(c, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	const Karta__Item *it = req->item;
	struct pending *p = item_pending(c, rid, it->id, req->base_row_version);
	if (!p)
		return -1;
	struct item_state *s = p->extra;
	s->body = item_put_body(it);
	if (!s->body) {
		pending_free(p);
		return -1;
	}
	const char *params[2] = {it->id, req->base_row_version == 0 ? it->plan_id : ""};
	pending_query(p, year_sql, 2, params, year_cb);
	return 0;
}

int h_item_move(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__ItemMove *req = (const Karta__ItemMove *)msg;
	const char *bad = check_uuid("item_id", req->item_id);
	if (!bad)
		bad = check_uuid("section_id", req->section_id);
	if (!bad && *req->parent_item_id)
		bad = check_uuid("parent_item_id", req->parent_item_id);
	if (!bad && req->ordinal < 1)
		bad = "ordinal must be 1 or more";
	if (bad)
		return session_error(c, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	struct pending *p = item_pending(c, rid, req->item_id, req->base_row_version);
	if (!p)
		return -1;
	char ord[16];
	snprintf(ord, sizeof ord, "%d", req->ordinal);
	const char *params[6] = {p->device, req->item_id, p->base, req->section_id, ord,
		req->parent_item_id};
	pending_query(p, "SELECT * FROM karta_item_move($1, $2::uuid, $3, $4::uuid, $5::int,"
			 " nullif($6, '')::uuid, NULL)", 6, params, write_cb);
	return 0;
}

int h_item_delete(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__ItemDelete *req = (const Karta__ItemDelete *)msg;
	const char *bad = check_uuid("item_id", req->item_id);
	if (!bad)
		bad = check_text("reason", req->reason, 1000, true);
	if (bad)
		return session_error(c, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	struct pending *p = item_pending(c, rid, req->item_id, req->base_row_version);
	if (!p)
		return -1;
	const char *params[4] = {p->device, req->item_id, p->base, req->reason};
	pending_query(p, "SELECT * FROM karta_item_move($1, $2::uuid, $3, NULL, NULL, NULL, $4)", 4,
		params, write_cb);
	return 0;
}

/* --- get: the row if the asking organization may read its plan ---------------------------- */

static void get_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res)) {
		reply_db_error(p, res, "item_get");
		goto out;
	}
	if (db_result_rows(res) == 0) {
		session_error(p->c, p->rid, KARTA__STATUS__STATUS_NOT_FOUND, "no item %s", p->id);
		goto out;
	}
	if (strcmp(db_result_get(res, 0, 23), "none") == 0) {
		session_error(p->c, p->rid, KARTA__STATUS__STATUS_PERMISSION_DENIED,
			"no access to item %s", p->id);
		goto out;
	}
	Karta__Item item;
	item_from_row(res, 0, &item);
	Karta__ItemResult r = KARTA__ITEM_RESULT__INIT;
	r.item = &item;
	session_reply(p->c, p->rid, &r.base);
out:
	pending_free(p);
}

int h_item_get(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__ItemGetRequest *req = (const Karta__ItemGetRequest *)msg;
	return pending_read_by_id(c, rid, "item_id", req->item_id,
		"SELECT " ITEM_COLS ", karta_plan_access(a.org_id, a.level, pl.owner_org_id)" ITEM_FROM
		" JOIN plan pl ON pl.id = i.plan_id CROSS JOIN karta_actor($1) a WHERE i.id = $2::uuid",
		get_cb);
}

/* --- history ----------------------------------------------------------------------------- */

static void history_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res)) {
		reply_db_error(p, res, "item_history");
		goto out;
	}
	int n = db_result_rows(res);
	if (n == 0) { /* no such item; a hidden one is PERMISSION_DENIED below */
		session_error(p->c, p->rid, KARTA__STATUS__STATUS_NOT_FOUND, "no item %s", p->id);
		goto out;
	}
	if (strcmp(db_result_get(res, 0, 0), "none") == 0) {
		session_error(p->c, p->rid, KARTA__STATUS__STATUS_PERMISSION_DENIED,
			"no access to item %s", p->id);
		goto out;
	}
	Karta__HistoryEntry *e = calloc((size_t)n, sizeof *e);
	Karta__HistoryEntry **ep = calloc((size_t)n, sizeof *ep);
	int m = 0;
	for (int i = 0; e && ep && i < n; i++) {
		if (db_result_isnull(res, i, 1)) /* the item exists but has no history row */
			continue;
		karta__history_entry__init(&e[m]);
		e[m].row_version = atoll(db_result_get(res, i, 1));
		e[m].op = (char *)db_result_get(res, i, 2);
		e[m].at = (char *)db_result_get(res, i, 3);
		e[m].org_code = (char *)db_result_get(res, i, 4);
		e[m].device = (char *)db_result_get(res, i, 5);
		e[m].fields = (char *)db_result_get(res, i, 6);
		ep[m] = &e[m];
		m++;
	}
	Karta__ItemHistory h = KARTA__ITEM_HISTORY__INIT;
	h.n_entries = (size_t)m;
	h.entries = ep;
	session_reply(p->c, p->rid, &h.base);
	free(e);
	free(ep);
out:
	pending_free(p);
}

int h_item_history(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__ItemHistoryRequest *req = (const Karta__ItemHistoryRequest *)msg;
	return pending_read_by_id(c, rid, "item_id", req->item_id,
		"SELECT karta_plan_access(a.org_id, a.level, pl.owner_org_id), h.row_version, h.op,"
		" to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
		" coalesce(o.code, ''), coalesce(left(d.fingerprint, 16), ''),"
		" array_to_string(h.fields, ',')"
		" FROM plan_item i JOIN plan pl ON pl.id = i.plan_id CROSS JOIN karta_actor($1) a"
		" LEFT JOIN item_history h ON h.item_id = i.id"
		" LEFT JOIN organization o ON o.id = h.org_id LEFT JOIN device d ON d.id = h.device_id"
		" WHERE i.id = $2::uuid ORDER BY h.id", history_cb);
}
