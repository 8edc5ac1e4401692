/* reg_owner: a federal package's rows queued in ops by owner. The rows of a table are queued
 * KARTA_OWNER_SLOTS ops at a time (reg_batch_slots), each row in the op of its owner's group —
 * a school's or a municipality's GUID hashed, or, for a row that names none, the group of the
 * row it refers to (a registration goes with its participant) — at most REG_OWNER_ROWS rows
 * held in all, past which the fullest op is queued. The server's work an op (its feed
 * appends) grows with the owners the op names: ~1,000 in an op of 1,000 participants of a
 * package dealt over the schools, ~1,500 / KARTA_OWNER_SLOTS here. Each row still goes in
 * exactly one op, with its element number; the file's rows are all queued before the next
 * file's. Measured (docs/performance.md, "The client's work in the federal import"): a
 * package ordered by school (~15 owners an op) costs the server's backends 13 % less CPU,
 * but 16 groups (~94 owners an op) within 16,000 rows gave no gain beyond the noise, so it
 * is off (KARTA_OWNER_SLOTS=1: one op at a time, as the file comes) until a grouping that
 * pays within bounded memory is found; KARTA_OWNER_SLOTS=N, KARTA_OWNER_ROWS=N turn it on. */
#include "reg_owner.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kt_gds_map.h"
#include "kt_i18n.h"

/* Off by default: at 16 groups and 16,000 rows it did not pay (docs/performance.md) */
#define REG_OWNER_SLOTS 1
#define REG_OWNER_ROWS 16000

static size_t env_size(const char *name, size_t def)
{
	const char *e = getenv(name);
	return e && atol(e) > 0 ? (size_t)atol(e) : def;
}

int reg_owner_init(struct reg_owner *o, struct reg_batch *b)
{
	*o = (struct reg_owner){0};
	size_t n = env_size("KARTA_OWNER_SLOTS", REG_OWNER_SLOTS);
	if (reg_batch_slots(b, n > 1 ? 1 + n : 1, env_size("KARTA_OWNER_ROWS", REG_OWNER_ROWS)) != 0) {
		fprintf(stderr, _("karta: out of memory\n"));
		return -1;
	}
	for (int t = 0; t < kt_gds_maps_count && t < REG_OWNER_TABLES; t++)
		for (int i = 0; i < kt_gds_maps[t].ncols; i++) {
			const struct kt_gds_map *rm = kt_gds_maps[t].cols[i].conv == KT_GC_REF
				? kt_gds_map_of(kt_gds_maps[t].cols[i].arg) : NULL;
			if (rm && rm - kt_gds_maps < REG_OWNER_TABLES)
				o->referenced[rm - kt_gds_maps] = true;
		}
	return 0;
}

/* The first value of a column of m converted as conv, or NULL. */
static const char *first_of(const struct kt_gds_map *m, enum kt_gds_conv conv,
	const struct kt_gds_table *tab, const struct kt_gds_row *row)
{
	for (int i = 0; i < m->ncols; i++) {
		int ti = m->cols[i].conv == conv ? kt_gds_col(tab, m->cols[i].gds) : -1;
		const char *v = ti >= 0 ? row->val[ti] : NULL;
		if (v && *v)
			return v;
	}
	return NULL;
}

size_t reg_owner_slot(struct reg_owner *o, const struct reg_batch *b, int t,
	const struct kt_gds_table *tab, const struct kt_gds_row *row, const char *id)
{
	if (b->nslots < 2 || t < 0 || t >= REG_OWNER_TABLES)
		return 0;
	const struct kt_gds_map *m = &kt_gds_maps[t];
	const char *v = first_of(m, KT_GC_ORG, tab, row);
	if (v) {
		uint32_t h = 2166136261u; /* FNV-1a of the GUID, case folded */
		for (const char *p = v; *p; p++)
			h = (h ^ (unsigned char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p)) * 16777619u;
		size_t slot = 1 + h % (b->nslots - 1);
		if (o->referenced[t] && reg_map_put(&o->slot_of, id, NULL, (long)slot) != 0)
			return 0; /* out of memory: the row goes as the file comes */
		return slot;
	}
	if (!(v = first_of(m, KT_GC_REF, tab, row)))
		return 0;
	char low[40]; /* lower case, as karta keeps ids */
	snprintf(low, sizeof low, "%s", v);
	for (char *p = low; *p; p++)
		*p = *p >= 'A' && *p <= 'F' ? (char)(*p + 32) : *p;
	const struct reg_map_entry *e = reg_map_get(&o->slot_of, low);
	return e ? (size_t)e->num : 0;
}

void reg_owner_free(struct reg_owner *o)
{
	reg_map_free(&o->slot_of);
}
