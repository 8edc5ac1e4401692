/* dlist: the server's intrusive doubly linked lists (connections, the poke fan-out's
 * subscribers and subs), pushed at the head and unlinked in O(1). A list is a head pointer;
 * a node carries its own prev/next fields, named by the caller, so one node can sit in
 * several lists (a subscriber: all of them, and the pending ones). */
#ifndef KT_DLIST_H
#define KT_DLIST_H

/* Puts node first in the list whose head is *headp, through the node's fields prev, next. */
#define DLIST_PUSH(headp, node, prev, next) \
	do { \
		(node)->prev = NULL; \
		(node)->next = *(headp); \
		if (*(headp)) \
			(*(headp))->prev = (node); \
		*(headp) = (node); \
	} while (0)

/* Takes node out of the list whose head is *headp; its own prev and next are left as
 * they were. */
#define DLIST_UNLINK(headp, node, prev, next) \
	do { \
		if ((node)->prev) \
			(node)->prev->next = (node)->next; \
		else \
			*(headp) = (node)->next; \
		if ((node)->next) \
			(node)->next->prev = (node)->prev; \
	} while (0)

#endif
