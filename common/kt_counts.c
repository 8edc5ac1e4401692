/* kt_counts: linear probing with backward-shift deletion (no tombstones), grown ×2 at half
 * load. Keys are mixed (murmur3's finalizer) so that sequential ids and IPv4 addresses spread. */
#include "kt_counts.h"

#include <stdbool.h>
#include <stdlib.h>

static size_t home(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	key *= 0xc4ceb9fe1a85ec53ULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

/* The slot holding key, or the empty slot where it would go. cap must be > 0. */
static size_t probe(const struct kt_counts *m, uint64_t key)
{
	size_t i = home(key, m->cap);
	while (m->v[i].n != 0 && m->v[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int grow(struct kt_counts *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct kt_count_slot *v = calloc(cap, sizeof *v);
	if (!v)
		return -1;
	struct kt_counts bigger = {v, cap, m->used};
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].n != 0)
			v[probe(&bigger, m->v[i].key)] = m->v[i];
	free(m->v);
	*m = bigger;
	return 0;
}

static void remove_at(struct kt_counts *m, size_t hole)
{
	size_t mask = m->cap - 1;
	for (size_t j = (hole + 1) & mask; m->v[j].n != 0; j = (j + 1) & mask) {
		size_t k = home(m->v[j].key, m->cap);
		/* The entry at j may fill the hole unless its home lies cyclically in (hole, j]. */
		bool stays = hole <= j ? (k > hole && k <= j) : (k > hole || k <= j);
		if (!stays) {
			m->v[hole] = m->v[j];
			hole = j;
		}
	}
	m->v[hole].n = 0;
	m->v[hole].key = 0;
	m->used--;
}

void kt_counts_release(struct kt_counts *m)
{
	free(m->v);
	m->v = NULL;
	m->cap = m->used = 0;
}

long kt_counts_get(const struct kt_counts *m, uint64_t key)
{
	return m->cap ? m->v[probe(m, key)].n : 0;
}

long kt_counts_add(struct kt_counts *m, uint64_t key, long delta)
{
	if ((m->used + 1) * 2 > m->cap && grow(m) != 0)
		return -1;
	size_t i = probe(m, key);
	if (m->v[i].n == 0) {
		if (delta <= 0)
			return 0;
		m->v[i].key = key;
		m->v[i].n = delta;
		m->used++;
		return delta;
	}
	m->v[i].n += delta;
	if (m->v[i].n > 0)
		return m->v[i].n;
	remove_at(m, i);
	return 0;
}
