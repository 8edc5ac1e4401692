/* h_write: the checks and JSON bodies of the write messages (PlanPut, ItemPut, PlanImport…)
 * that an Upload op carries (ops.c builds the karta_op_apply arguments from them); the
 * PlanImport dry run (h_import.c) checks its request with the same check_plan_import. Writes
 * have one path since issue 15: an op inside an Upload, never a request of its own. */
#include "h_write.h"

#include <stdio.h>
#include <string.h>

#include "h_util.h"

#define MAX_SECTIONS 500
#define IMPORT_MAX_ITEMS 5000
#define IMPORT_MAX_SECTIONS 500
#define IMPORT_MAX_ABBREVS 1000

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

const char *check_plan_import(const Karta__PlanImport *req)
{
	const char *bad;
	const Karta__Plan *pl = req->plan;
	if (*req->into_plan_id) {
		if ((bad = check_uuid("into_plan_id", req->into_plan_id)))
			return bad;
	} else {
		if (!pl)
			return "plan is required";
		if ((bad = check_uuid("plan.id", pl->id)) ||
		    (bad = check_text("title", pl->title, 2000, true)) ||
		    (bad = check_text("act_number", pl->act_number, 100, false)) ||
		    (bad = check_text("implements", pl->implements, 4000, false)))
			return bad;
		if (pl->academic_year < 2000 || pl->academic_year > 2100)
			return "academic_year must be the first year, 2000..2100";
	}
	if (req->n_sections > IMPORT_MAX_SECTIONS)
		return "too many sections (at most 500)";
	if (req->n_items > IMPORT_MAX_ITEMS)
		return "too many items (at most 5000)";
	if (req->n_abbreviations > IMPORT_MAX_ABBREVS)
		return "too many abbreviations (at most 1000)";
	for (size_t i = 0; i < req->n_sections; i++)
		if ((bad = check_uuid("section.id", req->sections[i]->id)) ||
		    (bad = check_text("section.title", req->sections[i]->title, 2000, false)) ||
		    (bad = check_text("section.number", req->sections[i]->number, 32, false)))
			return bad;
	for (size_t i = 0; i < req->n_items; i++)
		if ((bad = check_uuid("item.id", req->items[i]->id)) ||
		    (bad = check_uuid("item.section_id", req->items[i]->section_id)) ||
		    (bad = check_item_texts(req->items[i])))
			return bad;
	for (size_t i = 0; i < req->n_abbreviations; i++)
		if ((bad = check_text("abbreviation", req->abbreviations[i]->short_, 50, true)) ||
		    (bad = check_text("abbreviation meaning", req->abbreviations[i]->full, 1000, false)))
			return bad;
	return NULL;
}

static json_t *item_body(const Karta__Item *it)
{
	return json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", it->id,
		"section_id", it->section_id, "ordinal", it->ordinal, "number", it->number,
		"title", it->title, "deadline_text", it->deadline_text, "responsible_text",
		it->responsible_text, "municipal_action", it->municipal_action,
		"institutional_action", it->institutional_action, "result_text", it->result_text,
		"target_text", it->target_text);
}

json_t *import_args(const Karta__PlanImport *req)
{
	json_t *items = json_array(), *abbr = json_array();
	for (size_t i = 0; items && i < req->n_items; i++)
		json_array_append_new(items, item_body(req->items[i]));
	for (size_t i = 0; abbr && i < req->n_abbreviations; i++)
		json_array_append_new(abbr, json_pack("{s:s,s:s}", "short",
			req->abbreviations[i]->short_, "full", req->abbreviations[i]->full));
	return json_pack("{s:s,s:o,s:o,s:o,s:o}", "into", req->into_plan_id, "plan",
		req->plan ? plan_body(req->plan) : json_object(), "sections",
		sections_body(req->sections, req->n_sections, true), "items", items,
		"abbreviations", abbr);
}
