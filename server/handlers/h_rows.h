/* h_rows: the column lists of plan, section and item reads, and the mapping of such a row
 * onto its protobuf message. Strings point into the result: the message is valid only
 * while the result is (inside the db callback). */
#ifndef KT_H_ROWS_H
#define KT_H_ROWS_H

#include "../db/db.h"
#include "karta.pb-c.h"

/* $1 is the asking device (for access/writable). FROM plan p, karta_actor($1) a. */
#define PLAN_COLS \
	"p.id, o.code, p.level, coalesce(p.parent_plan_id::text, ''), p.title, p.academic_year," \
	" p.act_kind, p.act_number, coalesce(p.act_date::text, ''), p.implements, p.status," \
	" p.row_version, (SELECT count(*) FROM plan_item i WHERE i.plan_id = p.id" \
	" AND i.deleted_at IS NULL), karta_plan_access(a.org_id, a.level, p.owner_org_id) = 'write'" \
	" AND a.role <> 'viewer'"
#define PLAN_FROM \
	" FROM plan p JOIN organization o ON o.id = p.owner_org_id CROSS JOIN karta_actor($1) a"

#define SECTION_COLS "s.id, s.plan_id, s.ordinal, s.number, s.title, s.row_version"

#define ITEM_COLS \
	"i.id, i.plan_id, i.section_id, i.ordinal, i.number, coalesce(i.parent_item_id::text, '')," \
	" i.title, i.deadline_text, i.deadline::text, i.responsible_text, i.responsible::text," \
	" i.municipal_action, i.institutional_action, i.result_text, i.target_text," \
	" i.targets::text, coalesce(i.derived_from::text, ''), i.reference_only, i.row_version," \
	" i.deleted_at IS NOT NULL, coalesce(i.delete_reason, '')," \
	" to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
	" coalesce(uo.code, '')"
#define ITEM_FROM \
	" FROM plan_item i LEFT JOIN device ud ON ud.id = i.updated_by" \
	" LEFT JOIN organization uo ON uo.id = ud.org_id"

void plan_from_row(const struct db_result *res, int row, Karta__Plan *p);
void section_from_row(const struct db_result *res, int row, Karta__Section *s);
void item_from_row(const struct db_result *res, int row, Karta__Item *it);

#endif
