/* up_pair: whether the next Upload of a connection may be applied beside the one before it
 * ([upload] parallel = 2, h_upload.c; docs/sync.md "Pipelined Uploads"). */
#ifndef KT_UP_PAIR_H
#define KT_UP_PAIR_H

#include <jansson.h>
#include <stdbool.h>

#include "ops.h"

/* An op's class: none of these (UP_PAIR_NONE: its Upload waits its turn), an item op, a status
 * op; an Upload's class is its ops' or'ed (UP_PAIR_EMPTY when no op reaches the database). */
enum { UP_PAIR_NONE = 0, UP_PAIR_ITEMS = 1, UP_PAIR_STATUSES = 2, UP_PAIR_EMPTY = 4 };

/* The class of an op that reaches the database. */
int up_pair_kind(const struct op_args *a);
/* Two Uploads' classes: may they be applied at once? */
bool up_pair_classes_ok(int a, int b);
/* Adds to names (a JSON object used as a set) the entities the op names, and its op id. */
void up_pair_names(json_t *names, const char *op_id, const struct op_args *a);
/* True when no key is in both sets. */
bool up_pair_disjoint(json_t *a, json_t *b);

#endif
