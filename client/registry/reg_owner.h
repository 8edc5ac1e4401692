/* reg_owner: a federal package's rows queued in ops by owner (reg_owner.c). */
#ifndef KT_REG_OWNER_H
#define KT_REG_OWNER_H

#include <stdbool.h>
#include <stddef.h>

#include "kt_gds.h"
#include "reg_batch.h"
#include "registry_rows.h"

#define REG_OWNER_TABLES 8 /* >= kt_gds_maps_count */

struct reg_owner {
	struct reg_map slot_of;                 /* id → its slot, for the tables others refer to */
	bool referenced[REG_OWNER_TABLES];      /* a table other tables refer to */
};

/* Gives b its slots (reg_batch_slots) and o what it needs. 0, or -1 (printed). */
int reg_owner_init(struct reg_owner *o, struct reg_batch *b);
/* The slot of b for row (its id) of table t (kt_gds_maps' index): 1 + its owner's group, 0
 * when it names none. */
size_t reg_owner_slot(struct reg_owner *o, const struct reg_batch *b, int t,
	const struct kt_gds_table *tab, const struct kt_gds_row *row, const char *id);
void reg_owner_free(struct reg_owner *o);

#endif
