/* item_view: `karta item show` with the item's statuses, `karta item history` with the old and
 * new values of what each version changed (item_view.c). */
#ifndef KT_ITEM_VIEW_H
#define KT_ITEM_VIEW_H

#include <stdio.h>

#include "karta.pb-c.h"
#include "plan_fmt.h"

struct client;
struct replica;

/* The item, then its statuses (asked of the server; offline: said unknown). An exit code. */
int item_view_show(struct client *cl, const Karta__Item *it, const struct plan_fmt_out *fo,
	FILE *out);

/* The history: version, op, at, org, device, fields (the changed ones), changes
 * («field: old → new; …»); the text format shows the changes only, a section or parent
 * item by its number and title from the replica r (may be NULL: then its id). An exit code. */
int item_view_history(const Karta__ItemHistory *h, struct replica *r, const struct plan_fmt_out *o,
	FILE *out);

#endif
