/* h_import: the dry run of a plan import (karta_plan_import with dry = true,
 * sql/0004_plan_import.sql): what a re-import into a draft would add, update and remove,
 * answered without writing. Deadlines are normalized here with the target plan's academic
 * year, exactly as the Upload op does. The import that writes is never a request of its
 * own: it comes as an op inside an Upload (ops.c; docs/protocol.md), so a PlanImport frame
 * without dry_run is refused. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../session.h"
#include "h_rows.h"
#include "h_util.h"
#include "h_write.h"
#include "handlers.h"


struct import_state {
	char *sections, *items, *abbrevs, *plan; /* JSON parameters */
	json_t *item_list;                        /* items, normalized once the year is known */
	char into[40];
	struct db_result *changes;                /* kept while the plan is read back */
};

static void import_state_free(void *arg)
{
	struct import_state *s = arg;
	if (!s)
		return;
	free(s->sections);
	free(s->items);
	free(s->abbrevs);
	free(s->plan);
	json_decref(s->item_list);
	db_result_free(s->changes);
	free(s);
}

/* Counts and changes from the import rows; plan (may be NULL on a dry run of a new plan). */
static void reply_result(struct pending *p, const Karta__Plan *plan)
{
	struct import_state *s = p->extra;
	const struct db_result *res = s->changes;
	int n = db_result_rows(res);
	Karta__ImportChange *ch = calloc((size_t)n + 1, sizeof *ch);
	Karta__ImportChange **cp = calloc((size_t)n + 1, sizeof *cp);
	if (!ch || !cp) {
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
		goto out;
	}
	Karta__ImportResult r = KARTA__IMPORT_RESULT__INIT;
	size_t m = 0;
	for (int i = 0; i < n; i++) {
		const char *op = db_result_get(res, i, 3);
		if (strcmp(op, "same") == 0)
			r.unchanged++;
		if (!*op || strcmp(op, "same") == 0)
			continue;
		r.added += strcmp(op, "add") == 0;
		r.updated += strcmp(op, "update") == 0;
		r.removed += strcmp(op, "remove") == 0;
		karta__import_change__init(&ch[m]);
		ch[m].op = (char *)op;
		ch[m].section = (char *)db_result_get(res, i, 4);
		ch[m].number = (char *)db_result_get(res, i, 5);
		ch[m].title = (char *)db_result_get(res, i, 6);
		ch[m].fields = (char *)db_result_get(res, i, 7);
		cp[m] = &ch[m];
		m++;
	}
	r.plan = (Karta__Plan *)plan;
	r.n_changes = m;
	r.changes = cp;
	session_reply(p->sess, p->rid, &r.base);
out:
	free(ch);
	free(cp);
}

static void readback_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res) || db_result_rows(res) == 0) {
		reply_db_error(p, res, "import_readback");
		goto out;
	}
	Karta__Plan plan;
	plan_from_row(res, 0, &plan);
	reply_result(p, &plan);
out:
	pending_free(p);
}

static void import_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	struct import_state *s = p->extra;
	if (pending_gone(p))
		goto out;
	if (!db_result_ok(res) || db_result_rows(res) == 0) {
		reply_db_error(p, res, "plan_import");
		goto out;
	}
	const char *word = db_result_get(res, 0, 0);
	if (strcmp(word, "ok") != 0) {
		session_error(p->sess, p->rid, api_status(word), "%s", db_result_get(res, 0, 1));
		goto out;
	}
	snprintf(p->id, sizeof p->id, "%s", db_result_get(res, 0, 2));
	if (!(s->changes = db_result_take(res)))
		goto out;
	if (!s->into[0]) { /* a new plan: nothing was written, there is no plan to read back */
		reply_result(p, NULL);
		goto out;
	}
	const char *params[2] = {p->device, p->id};
	static const char sql[] = "SELECT " PLAN_COLS PLAN_FROM " WHERE p.id = $2::uuid";
	pending_query(p, sql, 2, params, readback_cb);
	return;
out:
	pending_free(p);
}

/* Normalizes every item with the academic year, then calls the import function. */
static void run_import(struct pending *p, int year)
{
	struct import_state *s = p->extra;
	size_t i;
	json_t *it;
	json_array_foreach(s->item_list, i, it)
		item_normalize(it, year);
	s->items = json_dumps(s->item_list, JSON_COMPACT);
	if (!s->items) {
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
		pending_free(p);
		return;
	}
	const char *params[7] = {p->device, s->into[0] ? s->into : NULL, s->plan, s->sections,
		s->items, s->abbrevs, "true"};
	pending_query(p,
		"SELECT * FROM karta_plan_import($1, $2::uuid, $3::jsonb, $4::jsonb, $5::jsonb,"
		" $6::jsonb, $7::boolean)", 7, params, import_cb);
}

static void year_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	if (!pending_result_ok(p, res, "import_year"))
		goto out;
	if (db_result_rows(res) == 0) {
		struct import_state *s = p->extra;
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_NOT_FOUND, "no plan %s", s->into);
		goto out;
	}
	run_import(p, atoi(db_result_get(res, 0, 0)));
	return;
out:
	pending_free(p);
}

int h_plan_import(struct session *sess, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__PlanImport *req = (const Karta__PlanImport *)msg;
	if (!req->dry_run)
		return session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST,
			"PlanImport writes only as an op inside an Upload; as a request of its own "
			"it is a dry run (dry_run = true)"), 0;
	const char *bad = check_plan_import(req);
	if (bad)
		return session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	struct pending *p = pending_new_extra(sess, rid, sizeof(struct import_state),
		import_state_free);
	if (!p)
		return -1;
	struct import_state *s = p->extra;
	snprintf(s->into, sizeof s->into, "%s", req->into_plan_id);
	json_t *a = import_args(req);
	s->item_list = json_incref(json_object_get(a, "items"));
	s->sections = json_dumps(json_object_get(a, "sections"), JSON_COMPACT);
	s->abbrevs = json_dumps(json_object_get(a, "abbreviations"), JSON_COMPACT);
	s->plan = json_dumps(json_object_get(a, "plan"), JSON_COMPACT);
	json_decref(a);
	if (!s->sections || !s->abbrevs || !s->plan ||
	    json_array_size(s->item_list) != req->n_items) {
		pending_free(p);
		return -1;
	}
	const Karta__Plan *pl = req->plan;
	if (!s->into[0]) {
		run_import(p, pl->academic_year);
		return 0;
	}
	const char *params[1] = {s->into};
	pending_query(p, "SELECT academic_year FROM plan WHERE id = $1::uuid", 1, params, year_cb);
	return 0;
}
