/* guard: the connection limits of guard.h.
 * Invariants: s->guard counts exactly the open connections that took an address or a device
 * slot (each conn remembers what it took and gives it back once, in guard_conn_release);
 * the budget's total is the sum of the open connections' reservations; a deadline, once
 * armed for a frame, is not pushed back by the bytes that trickle in after it. */
#include "guard.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/listener.h>

#include "conn.h"
#include "kt_counts.h"
#include "kt_log.h"
#include "server.h"

/* Descriptors kartad needs besides one per connection: stdio, the listener, the event
 * loop's own, the database pool and its LISTEN connection, and slack for reconnects. */
#define FD_RESERVE 64
/* Hello and the errors before Welcome are small: nothing bigger is buffered for a peer that
 * has not been welcomed. */
#define PRE_WELCOME_MAX_FRAME (64u * 1024u)
#define ACCEPT_PAUSE_MIN_MS 50
#define ACCEPT_PAUSE_MAX_MS 2000

struct guard {
	struct server *s;
	struct kt_counts by_addr, by_device;
	long long reserved; /* bytes reserved by unfinished frames */
	struct event *accept_timer;
	long pause_ms;         /* the current backoff step, 0 when accepts succeed */
	unsigned long refused; /* accept errors since the pause began */
};

int guard_startup(const struct server_cfg *cfg, char *err, size_t errlen)
{
	if (cfg->input_budget < cfg->max_frame) {
		snprintf(err, errlen, "input_budget (%ld) is smaller than max_frame_bytes (%ld): "
			"the largest frame could never be received", cfg->input_budget, cfg->max_frame);
		return -1;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		snprintf(err, errlen, "cannot read the open file limit: %s", strerror(errno));
		return -1;
	}
	rlim_t need = (rlim_t)cfg->max_conns + (rlim_t)cfg->pool_size + FD_RESERVE;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
			snprintf(err, errlen, "max_conns %ld needs %llu open files but the hard limit "
				"is %llu: raise it (LimitNOFILE= in kartad.service, ulimit -Hn) or lower "
				"max_conns", cfg->max_conns, (unsigned long long)need,
				(unsigned long long)rl.rlim_max);
			return -1;
		}
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			snprintf(err, errlen, "cannot raise the open file limit from %llu to %llu: %s",
				(unsigned long long)was, (unsigned long long)need, strerror(errno));
			return -1;
		}
		kt_log(KT_LOG_INFO, "event=nofile_raised from=%llu to=%llu max_conns=%ld",
			(unsigned long long)was, (unsigned long long)need, cfg->max_conns);
	}
	return 0;
}

static void accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct guard *l = arg;
	static struct kt_log_limit lim;
	if (l->s->draining || !l->s->listener)
		return;
	kt_log_limited(&lim, KT_LOG_INFO, "event=accept_resumed paused_ms=%ld errors=%lu conns=%ld",
		l->pause_ms, l->refused, l->s->nconns);
	l->refused = 0;
	evconnlistener_enable(l->s->listener);
}

void guard_free(struct guard *l)
{
	if (!l)
		return;
	event_free(l->accept_timer);
	kt_counts_release(&l->by_addr);
	kt_counts_release(&l->by_device);
	free(l);
}

struct guard *guard_new(struct server *s)
{
	struct guard *l = calloc(1, sizeof *l);
	if (l && (l->accept_timer = evtimer_new(s->base, accept_resume, l))) {
		l->s = s;
		return l;
	}
	free(l);
	return NULL;
}

void guard_accept_error(struct server *s, int err)
{
	static struct kt_log_limit pause_lim, other_lim;
	struct guard *l = s->guard;
	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) {
		kt_log_limited(&other_lim, KT_LOG_ERROR, "event=accept_error reason=\"%s\"",
			evutil_socket_error_to_string(err));
		return;
	}
	l->refused++;
	if (evtimer_pending(l->accept_timer, NULL))
		return;
	/* Out of descriptors: the pending connection stays in the backlog and the listener
	 * would wake again at once. Stop listening until some connection has had time to go. */
	l->pause_ms = l->pause_ms ? l->pause_ms * 2 : ACCEPT_PAUSE_MIN_MS;
	if (l->pause_ms > ACCEPT_PAUSE_MAX_MS)
		l->pause_ms = ACCEPT_PAUSE_MAX_MS;
	evconnlistener_disable(s->listener);
	struct timeval tv = {l->pause_ms / 1000, (l->pause_ms % 1000) * 1000};
	evtimer_add(l->accept_timer, &tv);
	kt_log_limited(&pause_lim, KT_LOG_ERROR,
		"event=accept_paused reason=\"%s\" pause_ms=%ld conns=%ld max_conns=%ld",
		evutil_socket_error_to_string(err), l->pause_ms, s->nconns, s->cfg.max_conns);
}

void guard_accept_ok(struct server *s)
{
	s->guard->pause_ms = 0;
}

uint64_t guard_addr_key(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		return (4ULL << 32) | ntohl(in->sin_addr.s_addr);
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	const struct sockaddr_in6 *in6 = (const void *)sa;
	const uint8_t *b = in6->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return (4ULL << 32) | ((uint64_t)b[12] << 24 | (uint64_t)b[13] << 16 |
			(uint64_t)b[14] << 8 | b[15]);
	/* One IPv6 host usually owns a whole /64: count the prefix, not the address. */
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over the first 8 bytes */
	for (int i = 0; i < 8; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h | (1ULL << 63); /* never collides with an IPv4 key */
}

bool guard_addr_take(struct server *s, uint64_t key)
{
	struct guard *l = s->guard;
	if (kt_counts_get(&l->by_addr, key) >= s->cfg.max_conns_per_address)
		return false;
	return kt_counts_add(&l->by_addr, key, 1) > 0;
}

void guard_addr_put(struct server *s, uint64_t key)
{
	if (kt_counts_add(&s->guard->by_addr, key, -1) < 0)
		kt_log(KT_LOG_ERROR, "event=guard_error what=address_count"); /* cannot happen */
}

static void frame_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	static struct kt_log_limit lim;
	if (c->closing)
		return;
	size_t have = evbuffer_get_length(bufferevent_get_input(c->bev));
	size_t got = c->frame_announced && have > KT_FRAME_HDR_LEN ? have - KT_FRAME_HDR_LEN : 0;
	conn_log_limited(c, &lim, KT_LOG_WARN, "event=frame_timeout received=%zu announced=%u peer=%s",
		got, c->frame_announced, c->peer);
	conn_fail(c, CONN_FAULT_TIMEOUT, "frame timeout",
		"frame not completed in time (%u bytes announced, %zu received)", c->frame_announced,
		got);
}

int guard_conn_init(struct conn *c)
{
	c->frame_timer = evtimer_new(c->srv->base, frame_timeout_cb, c);
	return c->frame_timer ? 0 : -1;
}

void guard_conn_release(struct conn *c)
{
	struct guard *l = c->srv->guard;
	if (c->frame_timer) {
		event_free(c->frame_timer);
		c->frame_timer = NULL;
	}
	l->reserved -= c->frame_reserved;
	c->frame_reserved = 0;
	if (c->addr_counted)
		guard_addr_put(c->srv, c->addr_key);
	if (c->device_counted && kt_counts_add(&l->by_device, c->device_key, -1) < 0)
		kt_log(KT_LOG_ERROR, "event=guard_error what=device_count");
	c->addr_counted = c->device_counted = false;
}

bool guard_device_take(struct conn *c, long long device_id)
{
	struct guard *l = c->srv->guard;
	uint64_t key = (uint64_t)device_id;
	if (kt_counts_get(&l->by_device, key) >= c->srv->cfg.max_conns_per_device)
		return false;
	if (kt_counts_add(&l->by_device, key, 1) <= 0)
		return false;
	c->device_key = key;
	c->device_counted = true;
	return true;
}

uint32_t guard_max_frame(const struct conn *c)
{
	uint32_t max = (uint32_t)c->srv->cfg.max_frame;
	return c->state == CONN_READY || max < PRE_WELCOME_MAX_FRAME ? max : PRE_WELCOME_MAX_FRAME;
}

int guard_frame_wait(struct conn *c, uint32_t announced)
{
	struct guard *l = c->srv->guard;
	const struct server_cfg *cfg = &c->srv->cfg;
	if (announced > c->frame_reserved) {
		long long more = (long long)announced - c->frame_reserved;
		if (l->reserved + more > cfg->input_budget) {
			static struct kt_log_limit lim;
			conn_log_limited(c, &lim, KT_LOG_WARN,
				"event=input_budget_spent announced=%u reserved=%lld budget=%ld", announced,
				l->reserved, cfg->input_budget);
			conn_fail(c, CONN_FAULT_BUSY, "input budget spent",
				"server busy: too many large requests in flight, retry later");
			return -1;
		}
		l->reserved += more;
		c->frame_reserved = announced;
	}
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	bool armed = evtimer_pending(c->frame_timer, NULL);
	if (!armed)
		c->frame_started = now.tv_sec;
	if (!armed || announced != c->frame_announced) {
		/* Counted from the frame's first byte: the header arriving later extends the
		 * deadline by its size, but no trickle of bytes ever does. */
		long secs = c->frame_started + cfg->frame_timeout +
			(long)(announced / (uint32_t)cfg->frame_min_rate) - now.tv_sec;
		struct timeval tv = {secs > 0 ? secs : 0, 0};
		evtimer_add(c->frame_timer, &tv);
	}
	c->frame_announced = announced;
	return 0;
}

void guard_frame_done(struct conn *c)
{
	c->srv->guard->reserved -= c->frame_reserved;
	c->frame_reserved = 0;
	c->frame_announced = 0;
	evtimer_del(c->frame_timer);
}

void guard_frame_pause(struct conn *c)
{
	evtimer_del(c->frame_timer);
}
