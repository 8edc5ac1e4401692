/* h_rows: result rows → protobuf (see h_rows.h). Column order is the *_COLS macros'. */
#include "h_rows.h"

#include <stdlib.h>
#include <string.h>

#define S(col) ((char *)db_result_get(res, row, (col)))
#define I(col) atoi(db_result_get(res, row, (col)))
#define L(col) atoll(db_result_get(res, row, (col)))
#define B(col) (strcmp(db_result_get(res, row, (col)), "t") == 0)

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

void plan_from_row(const struct db_result *res, int row, Karta__Plan *p)
{
	karta__plan__init(p);
	p->id = S(0);
	p->owner_code = S(1);
	p->level = plan_level(S(2));
	p->parent_plan_id = S(3);
	p->title = S(4);
	p->academic_year = I(5);
	p->act_kind = S(6);
	p->act_number = S(7);
	p->act_date = S(8);
	p->implements = S(9);
	p->status = S(10);
	p->row_version = L(11);
	p->item_count = I(12);
	p->writable = B(13);
}

void section_from_row(const struct db_result *res, int row, Karta__Section *s)
{
	karta__section__init(s);
	s->id = S(0);
	s->plan_id = S(1);
	s->ordinal = I(2);
	s->number = S(3);
	s->title = S(4);
	s->row_version = L(5);
}

void item_from_row(const struct db_result *res, int row, Karta__Item *it)
{
	karta__item__init(it);
	it->id = S(0);
	it->plan_id = S(1);
	it->section_id = S(2);
	it->ordinal = I(3);
	it->number = S(4);
	it->parent_item_id = S(5);
	it->title = S(6);
	it->deadline_text = S(7);
	it->deadline_json = S(8);
	it->responsible_text = S(9);
	it->responsible_json = S(10);
	it->municipal_action = S(11);
	it->institutional_action = S(12);
	it->result_text = S(13);
	it->target_text = S(14);
	it->targets_json = S(15);
	it->derived_from = S(16);
	it->reference_only = B(17);
	it->row_version = L(18);
	it->deleted = B(19);
	it->delete_reason = S(20);
	it->updated_at = S(21);
	it->updated_by = S(22);
}
