/* outbox: how a command writes. Every write is queued in the local outbox first (committed
 * before anything is sent); then, when the server is reachable, the whole outbox is sent
 * (sync_push) and the replica pulled, and the command gets the answer a direct request would
 * have given. When the server is unreachable the write stays queued, the replica shows it
 * (the op's local payload: replica_get), and the command says so and succeeds. */
#include "outbox.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "kt_msg.h"
#include "kt_table.h"
#include "plan_fmt.h"
#include "rpc.h"
#include "sync.h"
#include "kt_i18n.h"
#include "kt_server_text.h"

bool outbox_is_write(const ProtobufCMessage *req)
{
	switch (kt_msg_type_of(req)) {
	case KT_MSG_PLAN_PUT: case KT_MSG_PLAN_APPROVE: case KT_MSG_PLAN_DERIVE:
	case KT_MSG_ITEM_PUT: case KT_MSG_ITEM_MOVE: case KT_MSG_ITEM_DELETE:
	case KT_MSG_CONFLICT_RESOLVE: case KT_MSG_RECORD_OP:
		return true;
	case KT_MSG_PLAN_IMPORT:
		return !((const Karta__PlanImport *)req)->dry_run;
	default:
		return false;
	}
}

/* --- what the op is about, and how the replica shows it until the server answers -------- */

struct op_view {
	const char *entity_type, *entity_id;
	char summary[160];
	char *local; /* JSON row (heap) or NULL */
};

/* The version a queued write shows until the server answers, when the row has none yet: a
 * create's is 1, the version the server gives a new row — so an offline edit, move or delete
 * of a row created offline is based on that version and applied on top of the create (based
 * on 0 it would be a second create, refused: "an item with this id exists"). A row read from
 * the server keeps the version read: a later offline edit names it, so another device's change
 * meanwhile is merged or surfaces as a conflict, never overwritten. */
static void set_pending_version(json_t *o, int64_t base)
{
	if (!json_object_get(o, "row_version"))
		json_object_set_new(o, "row_version", json_integer(base ? base : 1));
}

static json_t *current_row(struct replica *r, const char *type, const char *id)
{
	char *payload = NULL;
	bool pending = false;
	json_t *row = NULL;
	if (replica_get(r, type, id, &payload, &pending) == 0)
		row = json_loads(payload, 0, NULL);
	free(payload);
	return row ? row : json_object();
}

static void set_str(json_t *o, const char *k, const char *v, bool null_if_empty)
{
	json_object_set_new(o, k, null_if_empty && !*v ? json_null() : json_string(v));
}

static json_t *item_local(struct replica *r, const Karta__ItemPut *p)
{
	const Karta__Item *it = p->item;
	json_t *o = current_row(r, "plan_item", it->id);
	set_str(o, "id", it->id, false);
	set_str(o, "plan_id", it->plan_id, false);
	set_str(o, "section_id", it->section_id, false);
	json_object_set_new(o, "ordinal", json_integer(it->ordinal));
	set_str(o, "number", it->number, false);
	set_str(o, "parent_item_id", it->parent_item_id, true);
	set_str(o, "title", it->title, false);
	set_str(o, "deadline_text", it->deadline_text, false);
	set_str(o, "responsible_text", it->responsible_text, false);
	set_str(o, "municipal_action", it->municipal_action, false);
	set_str(o, "institutional_action", it->institutional_action, false);
	set_str(o, "result_text", it->result_text, false);
	set_str(o, "target_text", it->target_text, false);
	set_pending_version(o, p->base_row_version);
	return o;
}

static json_t *plan_local(struct replica *r, const Karta__Plan *pl, int64_t base)
{
	json_t *o = current_row(r, "plan", pl->id);
	set_str(o, "id", pl->id, false);
	set_str(o, "title", pl->title, false);
	json_object_set_new(o, "academic_year", json_integer(pl->academic_year));
	set_str(o, "act_kind", pl->act_kind, false);
	set_str(o, "act_number", pl->act_number, false);
	set_str(o, "act_date", pl->act_date, true);
	set_str(o, "implements", pl->implements, false);
	if (!json_object_get(o, "status"))
		json_object_set_new(o, "status", json_string("draft"));
	set_pending_version(o, base);
	return o;
}

static void describe(struct replica *r, const ProtobufCMessage *req, struct op_view *v)
{
	json_t *local = NULL;
	switch (kt_msg_type_of(req)) {
	case KT_MSG_ITEM_PUT: {
		const Karta__ItemPut *p = (const Karta__ItemPut *)req;
		v->entity_type = "plan_item";
		v->entity_id = p->item->id;
		snprintf(v->summary, sizeof v->summary, "item %s %s «%.*s»",
			p->base_row_version ? "edit" : "add", p->item->number,
			(int)kt_utf8_fit(p->item->title, 80), p->item->title);
		local = item_local(r, p);
		break;
	}
	case KT_MSG_ITEM_MOVE: {
		const Karta__ItemMove *p = (const Karta__ItemMove *)req;
		v->entity_type = "plan_item";
		v->entity_id = p->item_id;
		snprintf(v->summary, sizeof v->summary, "item move %s", p->item_id);
		local = current_row(r, "plan_item", p->item_id);
		set_str(local, "section_id", p->section_id, false);
		json_object_set_new(local, "ordinal", json_integer(p->ordinal));
		set_str(local, "parent_item_id", p->parent_item_id, true);
		break;
	}
	case KT_MSG_ITEM_DELETE: {
		const Karta__ItemDelete *p = (const Karta__ItemDelete *)req;
		v->entity_type = "plan_item";
		v->entity_id = p->item_id;
		snprintf(v->summary, sizeof v->summary, "item delete %s", p->item_id);
		local = current_row(r, "plan_item", p->item_id);
		char now[32];
		time_t t = time(NULL);
		strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		set_str(local, "deleted_at", now, false);
		set_str(local, "delete_reason", p->reason, false);
		break;
	}
	case KT_MSG_PLAN_PUT: {
		const Karta__PlanPut *p = (const Karta__PlanPut *)req;
		v->entity_type = "plan";
		v->entity_id = p->plan->id;
		snprintf(v->summary, sizeof v->summary, "plan %s «%.*s»",
			p->base_row_version ? "edit" : "create", (int)kt_utf8_fit(p->plan->title, 80),
			p->plan->title);
		local = plan_local(r, p->plan, p->base_row_version);
		break;
	}
	case KT_MSG_PLAN_APPROVE: {
		const Karta__PlanApprove *p = (const Karta__PlanApprove *)req;
		v->entity_type = "plan";
		v->entity_id = p->plan_id;
		snprintf(v->summary, sizeof v->summary, "plan %s %s", p->archive ? "archive" : "approve",
			p->plan_id);
		local = current_row(r, "plan", p->plan_id);
		set_str(local, "status", p->archive ? "archived" : "approved", false);
		break;
	}
	case KT_MSG_PLAN_DERIVE: {
		const Karta__PlanDerive *p = (const Karta__PlanDerive *)req;
		v->entity_type = "plan";
		v->entity_id = p->new_plan_id;
		snprintf(v->summary, sizeof v->summary, "plan derive from %s", p->parent_plan_id);
		break;
	}
	case KT_MSG_PLAN_IMPORT: {
		const Karta__PlanImport *p = (const Karta__PlanImport *)req;
		v->entity_type = "plan";
		v->entity_id = *p->into_plan_id ? p->into_plan_id : p->plan->id;
		snprintf(v->summary, sizeof v->summary, "plan import: %zu items", p->n_items);
		break;
	}
	case KT_MSG_CONFLICT_RESOLVE: {
		const Karta__ConflictResolve *p = (const Karta__ConflictResolve *)req;
		v->entity_type = "conflict";
		v->entity_id = p->conflict_id;
		snprintf(v->summary, sizeof v->summary, "conflict %s: keep %s", p->conflict_id, p->keep);
		break;
	}
	case KT_MSG_RECORD_OP: {
		const Karta__RecordOp *p = (const Karta__RecordOp *)req;
		v->entity_type = p->kind;
		v->entity_id = p->id;
		snprintf(v->summary, sizeof v->summary, "%s %.40s", p->kind, p->id);
		break;
	}
	default:
		v->entity_type = v->entity_id = "";
	}
	v->local = local ? json_dumps(local, JSON_COMPACT) : NULL;
	json_decref(local);
}

/* --- the answer ------------------------------------------------------------------------------- */

struct answer {
	const char *op_id;
	bool got;
	Karta__OpOutcome outcome;
	int64_t row_version;
	Karta__Status status;
	char message[512];
	char entity_id[40];
	char conflict_id[40];
	json_t *detail;
};

static void on_result(void *arg, const struct replica_op *op, const Karta__OpResult *res)
{
	struct answer *a = arg;
	if (strcmp(op->op_id, a->op_id) != 0)
		return;
	a->got = true;
	a->outcome = res->outcome == KARTA__OP_OUTCOME__OP_DUPLICATE ? res->first_outcome : res->outcome;
	a->status = res->status;
	a->row_version = res->row_version;
	snprintf(a->message, sizeof a->message, "%s", res->message ? res->message : "");
	snprintf(a->entity_id, sizeof a->entity_id, "%s", res->entity_id ? res->entity_id : "");
	snprintf(a->conflict_id, sizeof a->conflict_id, "%s", res->conflict_id ? res->conflict_id : "");
	a->detail = res->detail && *res->detail ? json_loads(res->detail, 0, NULL) : NULL;
}


/* The reply the command expects, built from what the server holds now. */
static int server_reply(struct client *cl, const ProtobufCMessage *req, const char *entity_id,
	const struct answer *a, ProtobufCMessage **reply)
{
	uint16_t type = kt_msg_type_of(req);
	if (type == KT_MSG_RECORD_OP) { /* the server's answer itself: outcome, id, version */
		Karta__OpResult r = KARTA__OP_RESULT__INIT;
		r.op_id = (char *)a->op_id;
		r.outcome = a->outcome;
		r.status = a->status;
		r.message = (char *)a->message;
		r.entity_id = (char *)entity_id;
		r.row_version = a->row_version;
		r.conflict_id = (char *)a->conflict_id;
		*reply = kt_msg_clone(&r.base);
		return *reply ? EXIT_OK : EXIT_RUNTIME;
	}
	if (type == KT_MSG_ITEM_PUT || type == KT_MSG_ITEM_MOVE || type == KT_MSG_ITEM_DELETE) {
		Karta__ItemResult *ir;
		if (plan_fmt_get_item(cl, entity_id, &ir) != EXIT_OK)
			return EXIT_RUNTIME;
		ir->status = a->outcome == KARTA__OP_OUTCOME__OP_CONFLICT ? KARTA__STATUS__STATUS_CONFLICT
			: KARTA__STATUS__STATUS_OK;
		if (ir->message && *ir->message)
			free(ir->message);
		ir->message = strdup(a->message);
		*reply = &ir->base;
		return EXIT_OK;
	}
	if (type == KT_MSG_CONFLICT_RESOLVE) {
		Karta__PlanResult pr = KARTA__PLAN_RESULT__INIT;
		pr.message = (char *)a->message;
		*reply = kt_msg_clone(&pr.base);
		return *reply ? EXIT_OK : EXIT_RUNTIME;
	}
	struct plan_fmt_doc d;
	if (plan_fmt_fetch(cl, entity_id, false, &d) != EXIT_OK)
		return EXIT_RUNTIME;
	if (type == KT_MSG_PLAN_IMPORT) {
		Karta__ImportResult r = KARTA__IMPORT_RESULT__INIT;
		json_t *changes = json_object_get(a->detail, "changes");
		size_t n = json_array_size(changes), m = 0;
		Karta__ImportChange *ch = calloc(n + 1, sizeof *ch), **cp = calloc(n + 1, sizeof *cp);
		for (size_t i = 0; ch && cp && i < n; i++) {
			json_t *c = json_array_get(changes, i);
			const char *op = json_string_value(json_object_get(c, "op"));
			if (!op || strcmp(op, "same") == 0) {
				r.unchanged += op != NULL;
				continue;
			}
			r.added += strcmp(op, "add") == 0;
			r.updated += strcmp(op, "update") == 0;
			r.removed += strcmp(op, "remove") == 0;
			karta__import_change__init(&ch[m]);
			ch[m].op = (char *)op;
			ch[m].section = (char *)json_string_value(json_object_get(c, "section"));
			ch[m].number = (char *)json_string_value(json_object_get(c, "number"));
			ch[m].title = (char *)json_string_value(json_object_get(c, "title"));
			ch[m].fields = (char *)json_string_value(json_object_get(c, "fields"));
			for (char **s = &ch[m].section; s <= &ch[m].fields; s++)
				if (!*s)
					*s = "";
			cp[m] = &ch[m];
			m++;
		}
		r.plan = (Karta__Plan *)d.plan;
		r.n_changes = m;
		r.changes = cp;
		*reply = kt_msg_clone(&r.base);
		free(ch);
		free(cp);
	} else {
		Karta__PlanResult r = KARTA__PLAN_RESULT__INIT;
		r.status = a->outcome == KARTA__OP_OUTCOME__OP_CONFLICT ? KARTA__STATUS__STATUS_CONFLICT
			: KARTA__STATUS__STATUS_OK;
		r.message = (char *)a->message;
		r.plan = (Karta__Plan *)d.plan;
		r.items_derived = (int32_t)json_integer_value(json_object_get(a->detail, "derived"));
		r.items_referenced = (int32_t)json_integer_value(json_object_get(a->detail, "referenced"));
		*reply = kt_msg_clone(&r.base);
	}
	plan_fmt_doc_release(&d);
	return *reply ? EXIT_OK : EXIT_RUNTIME;
}

/* Offline: the answer as far as the client knows it — the request's own row. */
static int queued_reply(const ProtobufCMessage *req, const struct op_view *v,
	const ProtobufCMessageDescriptor *desc, ProtobufCMessage **reply)
{
	Karta__Item it = KARTA__ITEM__INIT;
	Karta__Plan pl = KARTA__PLAN__INIT;
	it.id = pl.id = (char *)v->entity_id;
	pl.status = "draft (queued)";
	uint16_t type = kt_msg_type_of(req);
	if (type == KT_MSG_ITEM_PUT)
		it = *((const Karta__ItemPut *)req)->item;
	if (type == KT_MSG_PLAN_PUT)
		pl = *((const Karta__PlanPut *)req)->plan;
	if (desc == &karta__op_result__descriptor) { /* RecordOp: not sent yet */
		Karta__OpResult r = KARTA__OP_RESULT__INIT;
		r.outcome = KARTA__OP_OUTCOME__OP_RETRY_LATER;
		r.message = "queued";
		r.entity_id = (char *)v->entity_id;
		*reply = kt_msg_clone(&r.base);
	} else if (desc == &karta__item_result__descriptor) {
		Karta__ItemResult r = KARTA__ITEM_RESULT__INIT;
		r.item = &it;
		r.message = "queued";
		*reply = kt_msg_clone(&r.base);
	} else if (desc == &karta__import_result__descriptor) {
		Karta__ImportResult r = KARTA__IMPORT_RESULT__INIT;
		r.plan = &pl;
		*reply = kt_msg_clone(&r.base);
	} else {
		Karta__PlanResult r = KARTA__PLAN_RESULT__INIT;
		r.plan = &pl;
		r.message = "queued";
		*reply = kt_msg_clone(&r.base);
	}
	return *reply ? EXIT_OK : EXIT_RUNTIME;
}

int outbox_call(struct client *cl, const ProtobufCMessage *req,
	const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply)
{
	*reply = NULL;
	struct replica *r = client_replica(cl);
	char op_id[PLAN_FMT_ID_LEN];
	if (!r || plan_fmt_new_id(op_id) != 0)
		return EXIT_RUNTIME;
	size_t len = protobuf_c_message_get_packed_size(req);
	uint8_t *body = malloc(len ? len : 1);
	if (!body)
		return EXIT_RUNTIME;
	protobuf_c_message_pack(req, body);
	struct op_view v = {0};
	describe(r, req, &v);
	int64_t seq = 0;
	int rc = replica_outbox_add(r, op_id, kt_msg_type_of(req), body, len, v.entity_type,
		v.entity_id, v.local, v.summary, &seq);
	free(body);
	free(v.local);
	if (rc != 0) {
		fprintf(stderr, _("karta: cannot queue the change: %s\n"), replica_error(r));
		return EXIT_RUNTIME;
	}
	struct answer a = {.op_id = op_id};
	struct sync_report rep = {0};
	if (!sync_connect(cl, true)) {
		if (!cl->unreachable && !cl->cert_invalid) /* a bad certificate: kept like offline */
			return EXIT_RUNTIME;
		fprintf(stderr, _("karta: offline: the change is queued (op %lld); 'karta sync' sends it\n"),
			(long long)seq);
		return queued_reply(req, &v, reply_desc, reply);
	}
	if (sync_push(cl, &rep, on_result, &a) != 0 || sync_pull(cl, false, &rep) != 0) {
		json_decref(a.detail);
		return EXIT_RUNTIME;
	}
	if (!a.got || a.outcome == KARTA__OP_OUTCOME__OP_RETRY_LATER) {
		fprintf(stderr, _("karta: the server could not take the change now: it stays queued "
				"(op %lld); 'karta sync' sends it\n"), (long long)seq);
		json_decref(a.detail);
		return queued_reply(req, &v, reply_desc, reply);
	}
	if (a.outcome == KARTA__OP_OUTCOME__OP_REJECTED) {
		char said[1024];
		fprintf(stderr, _("karta: server refused: %s (%s)\n"),
			*a.message ? kt_server_text(a.message, said, sizeof said) : _("no reason given"),
			kt_status_text((int)a.status));
		json_decref(a.detail);
		return EXIT_RUNTIME;
	}
	rc = server_reply(cl, req, *a.entity_id ? a.entity_id : v.entity_id, &a, reply);
	json_decref(a.detail);
	return rc;
}
