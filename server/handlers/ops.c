/* ops: what an Upload op may carry, and how it becomes the arguments of karta_op_apply
 * (sql/0006_sync.sql). The body is one of the write messages (never requests of their own
 * since issue 15), checked by h_write.c. Items keep their texts here; h_upload.c normalizes
 * their deadlines once the plan's academic year is known. */
#include "ops.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h_util.h"
#include "h_write.h"
#include "kt_jtext.h"
#include "kt_msg.h"
#include "kt_table.h" /* kt_utf8_valid */
#include "kt_validate.h"
#include "record_kinds.h"

static json_t *strings(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static const char *build_plan_put(const ProtobufCMessage *m, struct op_args *o)
{
	const Karta__PlanPut *r = (const Karta__PlanPut *)m;
	const char *bad = check_plan_put(r);
	if (bad)
		return bad;
	o->kind = "plan_put";
	o->a = json_pack("{s:I,s:o,s:o,s:o}", "base", (json_int_t)r->base_row_version, "plan",
		plan_body(r->plan), "sections", sections_body(r->sections, r->n_sections, false),
		"fields", strings(r->fields, r->n_fields));
	snprintf(o->new_plan, sizeof o->new_plan, "%s", r->plan->id);
	o->new_plan_year = r->plan->academic_year;
	return NULL;
}

/* The texts of an item as item_put_body (h_write.c) passes them to json_pack, which refuses a
 * text that is not UTF-8: then the op was refused "out of memory" (o->a NULL), and still is. */
static bool item_texts_utf8(const Karta__Item *it)
{
	const char *const v[] = {it->id, it->plan_id, it->section_id, it->number,
		it->parent_item_id, it->title, it->deadline_text, it->responsible_text,
		it->municipal_action, it->institutional_action, it->result_text, it->target_text};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		if (!kt_utf8_valid(v[i], strlen(v[i])))
			return false;
	return true;
}

/* An item_put keeps its message: op_text writes its arguments out of it, as
 * {"base", "item": item_put_body + item_normalize's fields, "fields"} would dump. */
static const char *build_item_put(const ProtobufCMessage *m, struct op_args *o)
{
	const Karta__ItemPut *r = (const Karta__ItemPut *)m;
	const char *bad = check_item_put(r);
	if (bad)
		return bad;
	if (r->base_row_version > 0 && check_uuid("plan_id", r->item->plan_id))
		return "an item edit names the item's plan_id";
	if (!item_texts_utf8(r->item))
		return "out of memory";
	o->kind = "item_put";
	o->item_put = (void *)m;
	snprintf(o->year_plan, sizeof o->year_plan, "%s", r->item->plan_id);
	return NULL;
}

static const char *build_item_move(const ProtobufCMessage *m, struct op_args *o)
{
	const Karta__ItemMove *r = (const Karta__ItemMove *)m;
	const char *bad = check_uuid("item_id", r->item_id);
	if (!bad)
		bad = check_uuid("section_id", r->section_id);
	if (!bad && *r->parent_item_id)
		bad = check_uuid("parent_item_id", r->parent_item_id);
	if (!bad && r->ordinal < 1)
		bad = "ordinal must be 1 or more";
	if (bad)
		return bad;
	o->kind = "item_move";
	o->a = json_pack("{s:s,s:I,s:s,s:i,s:s}", "id", r->item_id, "base",
		(json_int_t)r->base_row_version, "section_id", r->section_id, "ordinal", r->ordinal,
		"parent_item_id", r->parent_item_id);
	return NULL;
}

static const char *build_item_delete(const ProtobufCMessage *m, struct op_args *o)
{
	const Karta__ItemDelete *r = (const Karta__ItemDelete *)m;
	const char *bad = check_uuid("item_id", r->item_id);
	if (!bad)
		bad = check_text("reason", r->reason, 1000, true);
	if (bad)
		return bad;
	o->kind = "item_delete";
	o->a = json_pack("{s:s,s:I,s:s}", "id", r->item_id, "base",
		(json_int_t)r->base_row_version, "reason", r->reason);
	return NULL;
}

static const char *build_plan_approve(const ProtobufCMessage *m, struct op_args *o)
{
	const Karta__PlanApprove *r = (const Karta__PlanApprove *)m;
	const char *bad = check_uuid("plan_id", r->plan_id);
	if (!bad)
		bad = check_date("act_date", r->act_date);
	if (!bad)
		bad = check_text("act_number", r->act_number, 100, false);
	if (!bad)
		bad = check_text("act_kind", r->act_kind, 100, false);
	if (bad)
		return bad;
	o->kind = "plan_approve";
	o->a = json_pack("{s:s,s:I,s:s,s:s,s:s,s:b}", "id", r->plan_id, "base",
		(json_int_t)r->base_row_version, "act_kind", r->act_kind, "act_number", r->act_number,
		"act_date", r->act_date, "archive", r->archive);
	return NULL;
}

static const char *build_plan_derive(const ProtobufCMessage *m, struct op_args *o)
{
	const Karta__PlanDerive *r = (const Karta__PlanDerive *)m;
	const char *bad = check_uuid("parent_plan_id", r->parent_plan_id);
	if (!bad)
		bad = check_uuid("new_plan_id", r->new_plan_id);
	if (!bad)
		bad = check_text("title", r->title, 2000, false);
	if (bad)
		return bad;
	o->kind = "plan_derive";
	o->a = json_pack("{s:s,s:s,s:s}", "parent", r->parent_plan_id, "new", r->new_plan_id,
		"title", r->title);
	o->derives = true;
	return NULL;
}

static const char *build_plan_import(const ProtobufCMessage *m, struct op_args *o)
{
	const Karta__PlanImport *r = (const Karta__PlanImport *)m;
	const char *bad = check_plan_import(r);
	if (bad)
		return bad;
	if (r->dry_run)
		return "a dry run writes nothing: send it as a PlanImport request, not in an upload";
	o->kind = "plan_import";
	o->a = import_args(r);
	o->items = json_incref(json_object_get(o->a, "items"));
	o->items_are_list = true;
	if (*r->into_plan_id) {
		snprintf(o->year_plan, sizeof o->year_plan, "%s", r->into_plan_id);
	} else {
		snprintf(o->new_plan, sizeof o->new_plan, "%s", r->plan->id);
		o->new_plan_year = r->plan->academic_year;
	}
	return NULL;
}

static const char *build_conflict_resolve(const ProtobufCMessage *m, struct op_args *o)
{
	const Karta__ConflictResolve *r = (const Karta__ConflictResolve *)m;
	const char *bad = check_uuid("conflict_id", r->conflict_id);
	if (bad)
		return bad;
	if (strcmp(r->keep, "mine") != 0 && strcmp(r->keep, "theirs") != 0)
		return "keep must be mine or theirs";
	o->kind = "conflict_resolve";
	o->a = json_pack("{s:s,s:s}", "id", r->conflict_id, "keep", r->keep);
	return NULL;
}

/* People in a registry_put get the client's own value checks (common/registry, the code
 * `karta registry import` runs before queueing) here too, before the database's: a client
 * that skipped them is refused with the same words. Messages name the field, never the
 * value (personal data). NULL when fine. The rows of a registry_rows op get the same checks
 * in the database (karta_rows_why, held to these by t_registry_rows_checks). */
static const char *registry_person_check(const json_t *a, struct op_args *o)
{
	const char *type = json_string_value(json_object_get(a, "type"));
	if (!type || (strcmp(type, "participant") && strcmp(type, "staff")))
		return NULL;
	static const struct {
		const char *field;
		const char *(*check)(const char *);
		bool optional; /* "" is fine */
	} rules[] = {
		{"surname", kt_check_name, false},
		{"name", kt_check_name, false},
		{"patronymic", kt_check_name, true},
		{"snils", kt_check_snils, true},
	};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		json_t *v = json_object_get(a, rules[i].field);
		if (!v || json_is_null(v))
			continue;
		const char *t = json_string_value(v);
		const char *bad = !t ? "must be text" : rules[i].optional && !*t ? NULL
			: rules[i].check(t);
		if (bad) {
			snprintf(o->why_buf, sizeof o->why_buf, "%s: %s", rules[i].field, bad);
			return o->why_buf;
		}
	}
	return NULL;
}

/* An op of many rows (registry_rows, sql/0025) goes on to the database as the client wrote it,
 * never parsed here: the database parses it anyway, and checks each row there with the words
 * registry_person_check and the reason's check say here (karta_rows_why,
 * sql/functions/35_upload_rows.sql: a row that fails is refused alone, the others go on); it
 * refuses an op that is no JSON object, or not a list of 1 to 5000 rows, whole. Here only what
 * would keep the database from reading the Upload's text at all: bytes that are not UTF-8 (the
 * whole query would fail) and an RS, which separates the ops in that text (valid JSON never
 * holds one raw) — that text is no JSON object either. An id or base version means nothing to
 * such an op and is not passed on. */
static const char *build_rows_text(const char *args, struct op_args *o)
{
	const char *t = *args ? args : "{}";
	size_t n = strlen(t);
	if (memchr(t, 0x1e, n) || !kt_utf8_valid(t, n))
		return "args_json: not a JSON object";
	o->raw = strdup(t);
	return o->raw ? NULL : "out of memory";
}

/* RecordOp: a status, report, registry or exam-planning write (docs/reports.md,
 * docs/registries.md). Only the kinds of record_kinds.c: a plan write in a RecordOp would
 * skip the checks of its typed message. Its arguments are the JSON object the client sent,
 * with the record id and base version added. */
static const char *build_record_op(const ProtobufCMessage *m, struct op_args *o)
{
	const Karta__RecordOp *r = (const Karta__RecordOp *)m;
	size_t n = strspn(r->kind, "abcdefghijklmnopqrstuvwxyz_");
	if (n == 0 || n > 40 || r->kind[n] != '\0')
		return "kind: a record operation name (lower-case letters and _)";
	if (!record_kind_allowed(r->kind)) {
		snprintf(o->why_buf, sizeof o->why_buf,
			"kind: %s is not a record operation (plans and items travel as their own messages)",
			r->kind);
		return o->why_buf;
	}
	memcpy(o->kind_buf, r->kind, n + 1);
	o->kind = o->kind_buf;
	if (*r->id && check_uuid("id", r->id))
		return "id: not a UUID";
	if (r->base_row_version < 0)
		return "base_row_version: must be 0 or more";
	if (strcmp(o->kind, "registry_rows") == 0)
		return build_rows_text(r->args_json, o);
	json_error_t e;
	json_t *a = json_loads(*r->args_json ? r->args_json : "{}", JSON_REJECT_DUPLICATES, &e);
	if (!json_is_object(a)) {
		json_decref(a);
		return "args_json: not a JSON object";
	}
	const char *bad = strcmp(o->kind, "registry_put") == 0 ? registry_person_check(a, o) : NULL;
	if (!bad && strcmp(o->kind, "registry_delete") == 0 && json_object_get(a, "reason"))
		bad = json_is_string(json_object_get(a, "reason"))
			? check_text("reason", json_string_value(json_object_get(a, "reason")), 1000, false)
			: "reason: must be text";
	if (bad) {
		json_decref(a);
		return bad;
	}
	if (*r->id)
		json_object_set_new(a, "id", json_string(r->id));
	if (r->base_row_version)
		json_object_set_new(a, "base", json_integer(r->base_row_version));
	o->a = a;
	return NULL;
}

static const struct {
	uint16_t type;
	const char *(*build)(const ProtobufCMessage *m, struct op_args *o);
} builders[] = {
	{KT_MSG_PLAN_PUT, build_plan_put},
	{KT_MSG_PLAN_APPROVE, build_plan_approve},
	{KT_MSG_PLAN_DERIVE, build_plan_derive},
	{KT_MSG_PLAN_IMPORT, build_plan_import},
	{KT_MSG_ITEM_PUT, build_item_put},
	{KT_MSG_ITEM_MOVE, build_item_move},
	{KT_MSG_ITEM_DELETE, build_item_delete},
	{KT_MSG_CONFLICT_RESOLVE, build_conflict_resolve},
	{KT_MSG_RECORD_OP, build_record_op},
};

const char *op_build(uint32_t type, const uint8_t *body, size_t len, struct op_args *o)
{
	memset(o, 0, sizeof *o);
	for (size_t i = 0; i < sizeof builders / sizeof builders[0]; i++) {
		if (builders[i].type != type)
			continue;
		const struct kt_msg_info *mi = kt_msg_info((uint16_t)type);
		ProtobufCMessage *m = protobuf_c_message_unpack(mi->desc, NULL, len, body);
		if (!m)
			return "the op's body does not decode as its message type";
		const char *bad = builders[i].build(m, o);
		if (o->item_put != m)
			protobuf_c_message_free_unpacked(m, NULL);
		else if (bad)
			o->item_put = NULL, protobuf_c_message_free_unpacked(m, NULL);
		if (!bad && !o->a && !o->raw && !o->item_put)
			bad = "out of memory";
		if (bad)
			op_args_release(o);
		return bad;
	}
	return "an op must carry a plan or item write, a record operation or a conflict resolution";
}

void op_args_release(struct op_args *o)
{
	json_decref(o->a);
	json_decref(o->items);
	free(o->raw);
	if (o->item_put)
		protobuf_c_message_free_unpacked(o->item_put, NULL);
	free(o->item_norm);
	o->a = o->items = NULL;
	o->raw = o->item_norm = NULL;
	o->item_put = NULL;
}

void op_args_normalize(struct op_args *o, int year)
{
	if (o->item_put) {
		const Karta__Item *it = ((const Karta__ItemPut *)o->item_put)->item;
		struct kt_jtext t = {0};
		item_normalize_text(it->deadline_text, it->responsible_text, it->target_text, year, &t);
		free(o->item_norm);
		o->item_norm = kt_jtext_take(&t, NULL); /* (NULL: op_text fails, out of memory) */
		o->item_norm_failed = !o->item_norm;
		return;
	}
	if (!o->items)
		return;
	if (!o->items_are_list) {
		item_normalize(o->items, year);
		return;
	}
	size_t i;
	json_t *it;
	json_array_foreach(o->items, i, it)
		item_normalize(it, year);
}

/* An item_put's "a": {"base", "item": item_put_body's keys in its order, then
 * item_normalize's, "fields": the names that are UTF-8 (json_string refuses the others, and
 * strings() left them out)}. */
static void item_put_text(struct kt_jtext *t, const struct op_args *o)
{
	const Karta__ItemPut *r = o->item_put;
	const Karta__Item *it = r->item;
	kt_jtext_lit(t, "{\"base\":");
	kt_jtext_int(t, (long long)r->base_row_version);
	kt_jtext_lit(t, ",\"item\":{\"id\":");
	kt_jtext_str(t, it->id);
	kt_jtext_lit(t, ",\"plan_id\":");
	kt_jtext_str(t, it->plan_id);
	kt_jtext_lit(t, ",\"section_id\":");
	kt_jtext_str(t, it->section_id);
	kt_jtext_lit(t, ",\"ordinal\":");
	kt_jtext_int(t, it->ordinal);
	static const struct {
		const char *key; /* ,"name": */
		size_t off;
	} texts[] = {
		{",\"number\":", offsetof(Karta__Item, number)},
		{",\"parent_item_id\":", offsetof(Karta__Item, parent_item_id)},
		{",\"title\":", offsetof(Karta__Item, title)},
		{",\"deadline_text\":", offsetof(Karta__Item, deadline_text)},
		{",\"responsible_text\":", offsetof(Karta__Item, responsible_text)},
		{",\"municipal_action\":", offsetof(Karta__Item, municipal_action)},
		{",\"institutional_action\":", offsetof(Karta__Item, institutional_action)},
		{",\"result_text\":", offsetof(Karta__Item, result_text)},
		{",\"target_text\":", offsetof(Karta__Item, target_text)},
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		kt_jtext_raw(t, texts[i].key, strlen(texts[i].key));
		kt_jtext_str(t, *(char *const *)((const char *)it + texts[i].off));
	}
	if (o->item_norm)
		kt_jtext_raw(t, o->item_norm, strlen(o->item_norm));
	else if (o->item_norm_failed)
		t->failed = true;
	kt_jtext_lit(t, "},\"fields\":[");
	bool first = true;
	for (size_t i = 0; i < r->n_fields; i++) {
		if (!kt_utf8_valid(r->fields[i], strlen(r->fields[i])))
			continue;
		if (!first)
			kt_jtext_lit(t, ",");
		first = false;
		kt_jtext_str(t, r->fields[i]);
	}
	kt_jtext_lit(t, "]}");
}

char *op_text(const struct op_args *o, const char *op_id, const char *digest, size_t *len)
{
	struct kt_jtext t = {0};
	/* op_id a checked UUID, digest hex, kind letters and _: nothing to escape */
	kt_jtext_lit(&t, "{\"op_id\":");
	kt_jtext_str(&t, op_id);
	kt_jtext_lit(&t, ",\"digest\":");
	kt_jtext_str(&t, digest);
	kt_jtext_lit(&t, ",\"kind\":");
	kt_jtext_str(&t, o->kind);
	kt_jtext_lit(&t, ",\"a\":");
	if (o->raw) {
		kt_jtext_raw(&t, o->raw, strlen(o->raw));
	} else if (o->item_put) {
		item_put_text(&t, o);
	} else {
		char *d = o->a ? json_dumps(o->a, JSON_COMPACT) : NULL;
		if (d)
			kt_jtext_raw(&t, d, strlen(d));
		else
			t.failed = true;
		free(d);
	}
	kt_jtext_lit(&t, "}");
	return kt_jtext_take(&t, len);
}
