/* sync_arena: a bump allocator for protobuf-c's unpack of a pulled page. An unpacked page is
 * one allocation per message and per string of every row (a region's fill: ≈ 180,000 of
 * them, each freed again): in one buffer they are a pointer bump, and freeing the page is a
 * reset. What does not fit in the buffer is malloc'd beside it and counted, and the next
 * reset grows the buffer by that much, so from the second page on a page of the same size
 * is one piece. */
#include "sync_arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

#define ALIGN alignof(max_align_t)

struct sync_arena_big {
	struct sync_arena_big *next;
	max_align_t data[];
};

static void *arena_alloc(void *data, size_t n)
{
	struct sync_arena *a = data;
	if (n > SIZE_MAX / 2)
		return NULL;
	n = n ? (n + ALIGN - 1) / ALIGN * ALIGN : ALIGN;
	if (a->size - a->used >= n) {
		void *p = a->buf + a->used;
		a->used += n;
		return p;
	}
	struct sync_arena_big *b = malloc(sizeof *b + n);
	if (!b)
		return NULL;
	b->next = a->big;
	a->big = b;
	a->spilled += n;
	return b->data;
}

static void arena_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

void sync_arena_init(struct sync_arena *a)
{
	*a = (struct sync_arena){.pa = {arena_alloc, arena_free, a}};
}

void sync_arena_reset(struct sync_arena *a)
{
	while (a->big) {
		struct sync_arena_big *next = a->big->next;
		free(a->big);
		a->big = next;
	}
	if (a->spilled) {
		/* room for the last page in one piece, and a quarter more */
		size_t want = a->used + a->spilled;
		want += want / 4;
		char *buf = malloc(want);
		if (buf) { /* else the old buffer serves, with spills */
			free(a->buf);
			a->buf = buf;
			a->size = want;
		}
	}
	a->used = 0;
	a->spilled = 0;
}

void sync_arena_free(struct sync_arena *a)
{
	sync_arena_reset(a);
	free(a->buf);
	sync_arena_init(a);
}
