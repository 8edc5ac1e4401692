/* up_pair: the rules by which the next Upload of a connection is applied beside the one before
 * it (h_upload.c start_beside). Two Uploads may commit in either order when neither reads nor
 * writes what the other writes: both hold only item ops, or both only status ops — none makes or
 * changes a plan or a section, or places an item under another (two such moves at once could
 * make a cycle neither sees) — and no item (nor op id) is named by both, as an op's item, its
 * parent or the item of a status. Their plan and section are only referred to: the plan
 * owner's feed and the plan's roll-up counters are added to, in either order.
 * Items and statuses are not paired: an item statement locked the plan owner's feed row and
 * then the plan's roll-up counters, a status statement the counters (its history row's
 * trigger) and then the feed — two such Uploads of one plan at once deadlocked (measured:
 * docs/performance.md, "Two Uploads of a connection at once"). Since uplocks' merge both take
 * the counters first, so they could be; not measured with kartad yet. */
#include "up_pair.h"

#include <string.h>

#include "karta.pb-c.h"

/* An item_put's message (ops.c keeps it: op_text writes its arguments out of it), or NULL. */
static const Karta__Item *put_item(const struct op_args *o, int64_t *base)
{
	const Karta__ItemPut *r = o->item_put;
	if (!r || !r->item)
		return NULL;
	*base = r->base_row_version;
	return r->item;
}

int up_pair_kind(const struct op_args *o)
{
	if (o->derives || *o->new_plan)
		return UP_PAIR_NONE;
	const char *k = o->kind;
	if (strcmp(k, "item_put") == 0) {
		/* an add, or an edit that leaves the item at the top (one naming a parent may move it) */
		int64_t base = 0;
		const Karta__Item *it = put_item(o, &base);
		if (!it)
			return UP_PAIR_NONE;
		return base == 0 || !it->parent_item_id || !*it->parent_item_id
			? UP_PAIR_ITEMS : UP_PAIR_NONE;
	}
	if (!o->a)
		return UP_PAIR_NONE;
	if (strcmp(k, "status_set") == 0)
		return UP_PAIR_STATUSES;
	if (strcmp(k, "item_delete") == 0)
		return UP_PAIR_ITEMS;
	return UP_PAIR_NONE;
}

bool up_pair_classes_ok(int a, int b)
{
	return a != UP_PAIR_NONE && b != UP_PAIR_NONE &&
	       ((a | b) & (UP_PAIR_ITEMS | UP_PAIR_STATUSES)) != (UP_PAIR_ITEMS | UP_PAIR_STATUSES);
}

static void name_add(json_t *names, const char *v)
{
	char k[40];
	size_t n = v ? strlen(v) : 0;
	if (n == 0 || n >= sizeof k)
		return;
	for (size_t i = 0; i <= n; i++) /* (UUIDs: either case names the same) */
		k[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] - 'A' + 'a' : v[i]);
	json_object_set_new(names, k, json_true());
}

void up_pair_names(json_t *names, const char *op_id, const struct op_args *o)
{
	json_t *a = o->a;
	int64_t base = 0;
	const Karta__Item *it = put_item(o, &base);
	name_add(names, op_id);
	if (it) {
		name_add(names, it->id);
		name_add(names, it->parent_item_id);
	}
	name_add(names, json_string_value(json_object_get(a, "id")));
	name_add(names, json_string_value(json_object_get(a, "item_id")));
	name_add(names, json_string_value(json_object_get(a, "parent_item_id")));
}

bool up_pair_disjoint(json_t *a, json_t *b)
{
	if (json_object_size(a) > json_object_size(b)) {
		json_t *t = a;
		a = b, b = t;
	}
	const char *k;
	json_t *v;
	json_object_foreach(a, k, v)
		if (json_object_get(b, k))
			return false;
	return true;
}
