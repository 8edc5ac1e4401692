/* conn: a client connection over bufferevent_openssl (see conn.h).
 * Invariants: a conn is freed only from its close event (never inside one of its own
 * bufferevent callbacks), and only once its reference count reaches zero; a header is
 * validated before any of its payload is waited for; at most frames_per_read frames are
 * handled per read event and none while the output is above the high-water mark; the layer
 * above is reached only through c->cb (no session, device or protobuf here). */
#include "conn.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlist.h"
#include "guard.h"
#include "kt_log.h"
#include "metrics.h"
#include "server.h"

#define CLOSE_FLUSH_SECONDS 5

static void conn_process(struct conn *c);

void conn_vlog(const struct conn *c, struct kt_log_limit *lim, int level, const char *fmt,
	va_list ap)
{
	char body[1024];
	vsnprintf(body, sizeof body, fmt, ap);
	unsigned long long id = (unsigned long long)c->id;
	const char *org = c->label[0] ? c->label : "-";
	if (lim)
		kt_log_limited(lim, (enum kt_log_level)level, "conn=%llu org=%s %s", id, org, body);
	else
		kt_log((enum kt_log_level)level, "conn=%llu org=%s %s", id, org, body);
}

void conn_log(const struct conn *c, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	conn_vlog(c, NULL, level, fmt, ap);
	va_end(ap);
}

void conn_log_limited(const struct conn *c, struct kt_log_limit *lim, int level,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	conn_vlog(c, lim, level, fmt, ap);
	va_end(ap);
}

void conn_set_label(struct conn *c, const char *label)
{
	snprintf(c->label, sizeof c->label, "%s", label);
}

void *conn_up(struct conn *c) { return c->up; }

bool conn_closing(const struct conn *c) { return c->closing || !c->bev; }

bool conn_backlogged(const struct conn *c)
{
	return (long)evbuffer_get_length(bufferevent_get_output(c->bev)) >
		c->srv->cfg.out_high_water;
}

void conn_ref(struct conn *c) { c->refs++; }

void conn_unref(struct conn *c)
{
	if (--c->refs > 0)
		return;
	free(c);
}

/* The close event: the only place a connection's socket and events are released. */
static void conn_finish(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct server *s = c->srv;
	if (c->bev) {
		SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
		/* Without this OpenSSL drops the session from the cache on free (no resumption). */
		if (ssl && c->clean_close)
			SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	event_free(c->hello_timer);
	event_free(c->close_ev);
	guard_conn_release(c);
	DLIST_UNLINK(&s->conns, c, prev, next);
	s->nconns--;
	conn_log(c, KT_LOG_DEBUG, "event=closed");
	conn_unref(c);
	server_conn_gone(s);
}

static void conn_close_fault(struct conn *c, enum conn_fault fault, const char *why,
	const char *text)
{
	if (c->closing || c->closing_cb)
		return;
	c->closing_cb = true; /* the layer above may queue its last frame, and forgets c */
	c->cb->on_close(c->up, fault, text);
	c->closing_cb = false;
	c->closing = true;
	conn_log(c, KT_LOG_INFO, "event=close reason=\"%s\"", why);
	evtimer_del(c->hello_timer);
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		event_active(c->close_ev, EV_TIMEOUT, 1);
	} else {
		/* Flush what is queued (an error reply, GoAway), but never wait forever. */
		struct timeval tv = {CLOSE_FLUSH_SECONDS, 0};
		evtimer_add(c->close_ev, &tv);
	}
}

void conn_close(struct conn *c, const char *why)
{
	conn_close_fault(c, CONN_FAULT_NONE, why, NULL);
}

void conn_fail(struct conn *c, enum conn_fault fault, const char *why, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	conn_close_fault(c, fault, why, text);
}

void conn_shutdown(struct conn *c, const char *why)
{
	c->clean_close = c->state == CONN_READY;
	conn_close(c, why);
}

static void hello_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	if (c->state == CONN_READY)
		return;
	conn_log(c, KT_LOG_INFO, "event=hello_timeout state=%d", (int)c->state);
	if (c->state == CONN_HELLO)
		conn_fail(c, CONN_FAULT_TIMEOUT, "hello timeout", "no Hello within %ld s",
			c->srv->cfg.hello_timeout);
	else
		conn_close(c, "hello timeout");
}

static void on_tls_connected(struct conn *c)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
	X509 *cert = SSL_get0_peer_certificate(ssl);
	if (!cert || SSL_get_verify_result(ssl) != X509_V_OK ||
	    kt_tls_fingerprint(cert, c->fingerprint) != 0) {
		metrics_inc(c->srv->metrics, M_TLS_FAILED);
		conn_close(c, "no verified client certificate");
		return;
	}
	metrics_inc(c->srv->metrics, M_TLS_OK);
	conn_log(c, KT_LOG_DEBUG, "event=tls_ok version=%s cipher=%s resumed=%d",
		SSL_get_version(ssl), SSL_get_cipher_name(ssl), SSL_session_reused(ssl));
	c->state = CONN_AUTH;
	c->cb->on_ready(c->up);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	if (what & BEV_EVENT_CONNECTED) {
		on_tls_connected(c);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		if (what & BEV_EVENT_READING)
			conn_close(c, "idle timeout");
		else
			conn_close(c, "slow reader: write timeout");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		unsigned long e = bufferevent_get_openssl_error(bev);
		char buf[256] = "socket error";
		if (e)
			ERR_error_string_n(e, buf, sizeof buf);
		if (c->state == CONN_TLS)
			metrics_inc(c->srv->metrics, M_TLS_FAILED);
		conn_log(c, c->state == CONN_TLS ? KT_LOG_INFO : KT_LOG_WARN,
			"event=conn_error state=%d reason=\"%s\"", (int)c->state, buf);
		conn_close(c, c->state == CONN_TLS ? "tls handshake failed" : "connection error");
		return;
	}
	if (what & BEV_EVENT_EOF)
		conn_shutdown(c, "peer closed");
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	conn_process(arg);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	if (c->closing) {
		event_active(c->close_ev, EV_TIMEOUT, 1);
		return;
	}
	if (c->paused) { /* output drained: read again (low-water mark is 0) */
		c->paused = false;
		bufferevent_enable(c->bev, EV_READ);
		conn_process(c);
	}
}

/* Hands complete frames to the layer above, with the fairness and backpressure caps. */
static void conn_process(struct conn *c)
{
	const struct server_cfg *cfg = &c->srv->cfg;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	long handled = 0;
	conn_ref(c);
	while (!c->closing && (c->state == CONN_HELLO || c->state == CONN_READY)) {
		size_t avail = evbuffer_get_length(in);
		if (avail < KT_FRAME_HDR_LEN) {
			if (avail == 0)
				guard_frame_done(c);
			else
				guard_frame_wait(c, 0); /* part of a header: its deadline runs */
			break;
		}
		if ((long)evbuffer_get_length(out) > cfg->out_high_water) {
			c->paused = true;
			bufferevent_disable(c->bev, EV_READ);
			guard_frame_pause(c);
			break;
		}
		if (handled == cfg->frames_per_read) {
			/* Let other connections run; come back on a later loop turn. */
			bufferevent_trigger(c->bev, EV_READ,
				BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
			break;
		}
		uint8_t hdr[KT_FRAME_HDR_LEN];
		struct kt_frame_hdr h;
		const char *why = "";
		evbuffer_copyout(in, hdr, sizeof hdr);
		if (kt_frame_check_hdr(hdr, guard_max_frame(c), &h, &why) != KT_FRAME_OK) {
			static struct kt_log_limit lim;
			conn_log_limited(c, &lim, KT_LOG_WARN, "event=framing_error reason=\"%s\"", why);
			conn_close(c, "framing error");
			break;
		}
		if (avail - KT_FRAME_HDR_LEN < h.len) {
			/* The header is valid: wait for the rest, within the frame's deadline and
			 * the shared input budget (guard.h); the watermark bounds the buffer. */
			guard_frame_wait(c, h.len);
			break;
		}
		guard_frame_done(c);
		evbuffer_drain(in, KT_FRAME_HDR_LEN);
		static const uint8_t empty[1];
		const uint8_t *payload = h.len ? evbuffer_pullup(in, h.len) : empty;
		int rc = payload ? c->cb->on_frame(c->up, &h, payload) : -1;
		evbuffer_drain(in, h.len);
		handled++;
		if (rc < 0)
			conn_close(c, "request refused");
	}
	conn_unref(c);
}

void conn_accept_frames(struct conn *c)
{
	if (c->closing)
		return;
	c->state = CONN_HELLO;
	conn_process(c); /* Hello may already be waiting */
}

void conn_established(struct conn *c)
{
	c->state = CONN_READY;
	evtimer_del(c->hello_timer);
	struct timeval idle = {c->srv->cfg.idle_timeout, 0};
	struct timeval wr = {c->srv->cfg.write_timeout, 0};
	bufferevent_set_timeouts(c->bev, &idle, &wr);
	bufferevent_setwatermark(c->bev, EV_READ, 0,
		(size_t)guard_max_frame(c) + KT_FRAME_HDR_LEN + 64 * 1024);
}

int conn_send_frame_with(struct conn *c, uint16_t type, uint32_t request_id, uint32_t len,
	void (*fill)(void *arg, uint8_t *dst), void *arg)
{
	if (c->closing || !c->bev)
		return -1; /* replies that arrive after close (late database results) are dropped */
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct evbuffer_iovec vec;
	if (evbuffer_reserve_space(out, (ev_ssize_t)KT_FRAME_HDR_LEN + len, &vec, 1) != 1)
		return -1;
	struct kt_frame_hdr h = {.type = type, .request_id = request_id, .len = len};
	kt_frame_encode_hdr(vec.iov_base, &h);
	if (len)
		fill(arg, (uint8_t *)vec.iov_base + KT_FRAME_HDR_LEN);
	vec.iov_len = KT_FRAME_HDR_LEN + len;
	return evbuffer_commit_space(out, &vec, 1);
}

static void fill_copy(void *arg, uint8_t *dst)
{
	const struct {
		const uint8_t *p;
		uint32_t n;
	} *src = arg;
	memcpy(dst, src->p, src->n);
}

int conn_send_frame(struct conn *c, uint16_t type, uint32_t request_id, const uint8_t *payload,
	uint32_t len)
{
	struct {
		const uint8_t *p;
		uint32_t n;
	} src = {payload, len};
	return conn_send_frame_with(c, type, request_id, len, fill_copy, &src);
}

struct conn *conn_new(struct server *s, int fd, const char *peer, const struct conn_cb *cb,
	size_t up_size)
{
	struct conn *c = calloc(1, sizeof *c + up_size);
	SSL *ssl = SSL_new(s->ssl_ctx);
	if (!c || !ssl)
		goto fail;
	c->srv = s;
	c->cb = cb;
	c->refs = 1; /* the open connection's own reference, dropped in conn_finish */
	c->id = ++s->next_conn_id;
	snprintf(c->peer, sizeof c->peer, "%s", peer);
	c->hello_timer = evtimer_new(s->base, hello_timeout_cb, c);
	c->close_ev = evtimer_new(s->base, conn_finish, c);
	if (!c->hello_timer || !c->close_ev || guard_conn_init(c) != 0)
		goto fail;
	c->bev = bufferevent_openssl_socket_new(s->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
		BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (!c->bev) {
		/* With BEV_OPT_CLOSE_ON_FREE libevent (>= 2.1.9) frees ssl, and with it fd. */
		ssl = NULL;
		fd = -1;
		goto fail;
	}
	/* A client that vanishes without close_notify is an ordinary disconnect. */
	bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	/* Never buffer more than one maximal frame (+ slack) from a client; until Welcome
	 * that is a small one (conn_established raises it). */
	bufferevent_setwatermark(c->bev, EV_READ, 0,
		(size_t)guard_max_frame(c) + KT_FRAME_HDR_LEN + 64 * 1024);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	struct timeval tv = {s->cfg.hello_timeout, 0};
	evtimer_add(c->hello_timer, &tv);
	DLIST_PUSH(&s->conns, c, prev, next);
	s->nconns++;
	conn_log(c, KT_LOG_DEBUG, "event=accept peer=%s", c->peer);
	return c;
fail:
	kt_log(KT_LOG_ERROR, "event=accept_failed peer=%s reason=\"out of memory\"", peer);
	if (c && c->hello_timer)
		event_free(c->hello_timer);
	if (c && c->close_ev)
		event_free(c->close_ev);
	if (c && c->frame_timer)
		event_free(c->frame_timer);
	if (ssl)
		SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	free(c);
	return NULL;
}
