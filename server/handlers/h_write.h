/* h_write: the write messages' validation and their JSON bodies for karta_op_apply, used
 * by Upload ops (ops.c) and, for check_plan_import, by the PlanImport dry run (h_import.c),
 * so an import is checked the same way previewed or written. Validation returns NULL when
 * fine, else a message naming the field. */
#ifndef KT_H_WRITE_H
#define KT_H_WRITE_H

#include <jansson.h>
#include <stdbool.h>

#include "karta.pb-c.h"

const char *check_date(const char *field, const char *s);
const char *check_plan_put(const Karta__PlanPut *req);
const char *check_item_put(const Karta__ItemPut *req);
const char *check_plan_import(const Karta__PlanImport *req);

/* The plan as karta_plan_put takes it. */
json_t *plan_body(const Karta__Plan *pl);
/* Sections as karta_section_put takes them; renumber: ordinals 1..n in the given order. */
json_t *sections_body(Karta__Section *const *sections, size_t n, bool renumber);
/* An item as karta_item_put takes it, before normalization (item_normalize, h_util.h). */
json_t *item_put_body(const Karta__Item *it);
/* {"into", "plan", "sections", "items" (not normalized), "abbreviations"}. */
json_t *import_args(const Karta__PlanImport *req);

#endif
