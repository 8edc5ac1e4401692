/* guard: what keeps one peer (or a broken environment) from taking kartad down — the open
 * file limit checked at start, accept paused with backoff when descriptors run out, connection
 * caps per address and per device, and a deadline plus a shared byte budget for frames that
 * have started to arrive. conn.c and server.c call in at accept, authentication, framing and
 * close; the rest of the server does not know these rules exist. */
#ifndef KT_GUARD_H
#define KT_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct conn;
struct server;
struct server_cfg;

/* Before listening: checks the settings against each other and RLIMIT_NOFILE, raising the
 * soft limit up to the hard one when max_conns needs it. -1 with err when kartad cannot
 * keep its promise (the hard limit is too low, input_budget below max_frame_bytes). */
int guard_startup(const struct server_cfg *cfg, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The server's limit state (counts, budget, the accept pause); NULL on allocation failure. */
struct guard *guard_new(struct server *s);
void guard_free(struct guard *l);

/* From the listener's error callback: EMFILE/ENFILE/ENOBUFS/ENOMEM pause accepting with
 * backoff (50 ms doubling to 2 s) instead of spinning; other errors are logged, rate-limited. */
void guard_accept_error(struct server *s, int err);
/* A connection was accepted: the backoff starts again from its shortest step. */
void guard_accept_ok(struct server *s);

/* The key counting connections from sa's address: an IPv4 address, or an IPv6 /64
 * (IPv4-mapped IPv6 counts as IPv4). */
uint64_t guard_addr_key(const struct sockaddr *sa);
/* Counts one more connection from key; false (nothing counted) past max_conns_per_address. */
bool guard_addr_take(struct server *s, uint64_t key);
/* Gives back what guard_addr_take counted (the connection could not be set up). */
void guard_addr_put(struct server *s, uint64_t key);

/* New connection: creates its frame timer; -1 on allocation failure. */
int guard_conn_init(struct conn *c);
/* Connection gone: releases its address and device counts, its reserved bytes, its timer. */
void guard_conn_release(struct conn *c);
/* After authentication: counts the device's connection; false past max_conns_per_device
 * (the caller answers BUSY and closes). */
bool guard_device_take(struct conn *c, long long device_id);

/* The largest frame accepted in c's state: small until Welcome, max_frame_bytes after. */
uint32_t guard_max_frame(const struct conn *c);
/* A frame has started but is incomplete (announced = its payload size, 0 while only part of
 * the header is in): arms its deadline once and reserves announced bytes of the budget.
 * -1 when the budget is spent (c has been answered BUSY and is closing). */
int guard_frame_wait(struct conn *c, uint32_t announced);
/* No frame is in progress (the last one was handled): releases the reservation and
 * disarms the deadline. */
void guard_frame_done(struct conn *c);
/* Reading from c is paused (its replies are not being read): the peer cannot finish its
 * frame, so the deadline is disarmed; the reservation stays. */
void guard_frame_pause(struct conn *c);

#endif
