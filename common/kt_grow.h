/* kt_grow: how an array of the programs grows — doubled when full, from a first size. The
 * caller keeps the pointer, its count and its capacity; one call replaces the
 * "full? double the capacity, realloc, keep the old array on failure" block. */
#ifndef KT_GROW_H
#define KT_GROW_H

#include <stddef.h>

/* v (NULL at first) with room for element n (n elements of size bytes in use, *cap
 * allocated): v itself while n < *cap; else v realloc'ed to twice *cap (first when *cap is
 * 0) and *cap updated — kt_grow_to's room for n + 1. NULL when out of memory (or the size
 * overflows): v is then still valid and still the caller's, *cap unchanged. */
void *kt_grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
	__attribute__((warn_unused_result));

/* v (NULL at first) with room for need elements of size bytes (*cap allocated): v itself when
 * *cap holds them; else one realloc to *cap (first when 0) doubled until it does, *cap
 * updated. NULL when out of memory (or the size overflows): v is then still valid and still
 * the caller's, *cap unchanged. For a buffer that takes many elements at once (bytes). */
void *kt_grow_to(void *v, size_t *cap, size_t need, size_t size, size_t first)
	__attribute__((warn_unused_result));

#endif
