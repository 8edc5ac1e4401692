/* sync_arena: where a pulled page is unpacked — one buffer, reused page after page, instead
 * of a malloc and a free for every field of every row (sync_arena.c). */
#ifndef KT_SYNC_ARENA_H
#define KT_SYNC_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

struct sync_arena_big;

struct sync_arena {
	ProtobufCAllocator pa; /* hand &pa to protobuf-c: its free does nothing */
	char *buf;
	size_t used, size;
	size_t spilled; /* bytes allocated beside buf since the last reset */
	struct sync_arena_big *big;
};

/* An empty arena (its first page grows it). */
void sync_arena_init(struct sync_arena *a);
/* Everything allocated is gone; the buffer is kept, grown to hold as much as the last page
 * needed in one piece. */
void sync_arena_reset(struct sync_arena *a);
/* Frees the buffer too. */
void sync_arena_free(struct sync_arena *a);

#endif
