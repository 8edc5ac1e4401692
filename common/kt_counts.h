/* kt_counts: a small open-addressing hash map from a 64-bit key to a positive count — how
 * many connections one address or one device holds (server/limits.c). A key whose count
 * drops to zero is removed, so the map's size follows what is open, not what was seen. */
#ifndef KT_COUNTS_H
#define KT_COUNTS_H

#include <stddef.h>
#include <stdint.h>

struct kt_count_slot {
	uint64_t key;
	long n; /* 0: empty slot */
};

struct kt_counts {
	struct kt_count_slot *v;
	size_t cap, used; /* cap is 0 or a power of two; used <= cap / 2 */
};

/* Zero-initialized is an empty map. */
void kt_counts_release(struct kt_counts *m);
/* The count of key (0 when absent). */
long kt_counts_get(const struct kt_counts *m, uint64_t key);
/* Adds delta (positive or negative) to key's count and returns the new count; a count that
 * reaches 0 or less removes the key (returns 0). -1 when the map cannot grow (out of memory;
 * nothing changed). */
long kt_counts_add(struct kt_counts *m, uint64_t key, long delta)
	__attribute__((warn_unused_result));

#endif
