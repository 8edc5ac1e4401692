/* kt_grow: one growth rule for the arrays of both programs (see kt_grow.h). Doubling keeps
 * appends amortized O(1); the size is checked before it can overflow. */
#include "kt_grow.h"

#include <stdint.h>
#include <stdlib.h>

void *kt_grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	return n < SIZE_MAX ? kt_grow_to(v, cap, n + 1, size, first) : NULL;
}

void *kt_grow_to(void *v, size_t *cap, size_t need, size_t size, size_t first)
{
	if (need <= *cap)
		return v;
	size_t nc = *cap ? *cap : first;
	while (nc && nc < need)
		nc = nc <= SIZE_MAX / 2 ? nc * 2 : 0;
	if (!nc || size == 0 || nc > SIZE_MAX / size)
		return NULL;
	void *p = realloc(v, nc * size);
	if (p)
		*cap = nc;
	return p;
}
