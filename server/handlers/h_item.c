/* h_item: one item and its history, for an organization that may read its plan. Item
 * writes (put, move, delete) are not requests of their own: they come as ops inside an
 * Upload (h_upload.c, ops.c, checks in h_write.c; docs/protocol.md). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../session.h"
#include "h_rows.h"
#include "h_util.h"
#include "handlers.h"

/* --- get: the row if the asking organization may read its plan ---------------------------- */

static void get_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	if (!pending_result_ok(p, res, "item_get"))
		goto out;
	if (!pending_row_readable(p, res, 23, "item"))
		goto out;
	Karta__Item item;
	item_from_row(res, 0, &item);
	Karta__ItemResult r = KARTA__ITEM_RESULT__INIT;
	r.item = &item;
	session_reply(p->sess, p->rid, &r.base);
out:
	pending_free(p);
}

int h_item_get(struct session *sess, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__ItemGetRequest *req = (const Karta__ItemGetRequest *)msg;
	return pending_read_by_id(sess, rid, "item_id", req->item_id,
		"SELECT " ITEM_COLS ", karta_plan_access(a.org_id, a.level, pl.owner_org_id)" ITEM_FROM
		" JOIN plan pl ON pl.id = i.plan_id CROSS JOIN karta_actor($1) a WHERE i.id = $2::uuid",
		get_cb);
}

/* --- history ----------------------------------------------------------------------------- */

static void history_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	if (!pending_result_ok(p, res, "item_history"))
		goto out;
	if (!pending_row_readable(p, res, 0, "item")) /* no rows: no such item */
		goto out;
	int n = db_result_rows(res);
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
		e[m].changes_json = (char *)db_result_get(res, i, 7); /* "" when none (sql/0023) */
		ep[m] = &e[m];
		m++;
	}
	Karta__ItemHistory h = KARTA__ITEM_HISTORY__INIT;
	h.n_entries = (size_t)m;
	h.entries = ep;
	session_reply(p->sess, p->rid, &h.base);
	free(e);
	free(ep);
out:
	pending_free(p);
}

int h_item_history(struct session *sess, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__ItemHistoryRequest *req = (const Karta__ItemHistoryRequest *)msg;
	return pending_read_by_id(sess, rid, "item_id", req->item_id,
		"SELECT karta_plan_access(a.org_id, a.level, pl.owner_org_id), h.row_version, h.op,"
		" to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
		" coalesce(o.code, ''), coalesce(left(d.fingerprint, 16), ''),"
		" array_to_string(h.fields, ','),"
		" (SELECT jsonb_build_object('old', c.old, 'new', c.new)::text FROM item_change c"
		"  WHERE c.item_id = h.item_id AND c.row_version = h.row_version)"
		" FROM plan_item i JOIN plan pl ON pl.id = i.plan_id CROSS JOIN karta_actor($1) a"
		" LEFT JOIN item_history h ON h.item_id = i.id"
		" LEFT JOIN organization o ON o.id = h.org_id LEFT JOIN device d ON d.id = h.device_id"
		" WHERE i.id = $2::uuid ORDER BY h.id", history_cb);
}
