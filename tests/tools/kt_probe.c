/* kt_probe: a scripted, misbehaving protocol client for the integration tests. It speaks
 * frames directly (no Hello unless told), so tests can send what the real client never
 * would and read exactly what the server answers.
 *
 *   kt_probe --server H:P --ca CA --cert C --key K [--name localhost] STEP...
 * steps:
 *   hello MIN MAX   send Hello with that protocol range
 *   ping            send Ping
 *   raw TYPE LEN    send a frame of TYPE with LEN bytes of 0xff payload
 *   header TYPE LEN send only a header announcing LEN bytes (nothing follows)
 *   garbage N       send N bytes that are not a frame
 *   plan-put ID     send a valid PlanPut frame of its own creating plan ID (2025/26): a
 *                   request the server retired (writes are Upload ops; docs/protocol.md)
 *   plan-import ID  the same as a PlanImport that writes (dry_run false)
 *   expect          read one frame; print "TYPE-NAME [status=…] [message=…] [proto=…]"
 *   expect-close    wait up to 5 s; print "closed" on EOF/reset, else "open"
 *   resume          close cleanly, reconnect with the saved TLS session; print
 *                   "resumed=0|1 version=…"
 *   subscribe WAIT N  live updates: Hello, then Pull{subscribe} (carrying the cursors the
 *                   pages gave) until a ChangePage is caught_up, print "subscribed pulls=…
 *                   changes=…"; then up to N times: wait up to WAIT s for a Poke, print
 *                   "poke FEED[,FEED…] t_us=<receipt, µs since the epoch>", pull again until
 *                   caught up (which subscribes again), print "caught_up pulls=… changes=…".
 *                   Prints "timeout" when WAIT runs out, and what else arrived as for expect;
 *                   exit 3 when the server refuses Hello or Pull (an Error is printed).
 *   trickle N MS    send N single bytes (0xff), one every MS ms (after a header: a slow
 *                   frame); stops when the connection ends; prints "trickle sent=K closed=0|1"
 *   hold N MODE     open N more connections (the probe's certificate, TLS sessions resumed)
 *                   and keep them: MODE tcp = TCP only, nothing sent (non-blocking connect);
 *                   hello = TLS, Hello, wait for Welcome; partial LEN SENT = as hello, then
 *                   an Upload header announcing LEN bytes and SENT of them. Prints
 *                   "hold n=N welcomed=W refused=R failed=F [refusal=\"…\"]"
 *   sleep S         wait S seconds (holding everything open)
 *   wait-closed S   wait up to S s until every held connection is closed by the server;
 *                   prints "held open=X closed=Y"
 * Exit 0 when every step ran (what was read is for the caller to judge), 1 on a local error. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "kt_frame.h"
#include "kt_msg.h"
#include "kt_tls.h"
#include "kt_grow.h"

struct held {
	SSL *ssl; /* NULL for a TCP-only connection */
	int fd;
	bool closed;
};

struct probe {
	SSL_CTX *ctx;
	SSL *ssl;
	SSL_SESSION *sess;
	int fd;
	const char *host, *port, *name;
	uint32_t next_id;
	struct held *held;
	size_t nheld, capheld;
};

static int tcp_connect(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	int fd = socket(res->ai_family, res->ai_socktype, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		struct timeval tv = {5, 0};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	return fd;
}

static int probe_connect(struct probe *p)
{
	p->fd = tcp_connect(p->host, p->port);
	if (p->fd < 0) {
		fprintf(stderr, "kt_probe: cannot connect to %s:%s\n", p->host, p->port);
		return -1;
	}
	p->ssl = SSL_new(p->ctx);
	SSL_set_fd(p->ssl, p->fd);
	SSL_set1_host(p->ssl, p->name);
	SSL_set_tlsext_host_name(p->ssl, p->name);
	if (p->sess)
		SSL_set_session(p->ssl, p->sess);
	if (SSL_connect(p->ssl) != 1) {
		char e[256];
		fprintf(stderr, "kt_probe: TLS handshake failed: %s\n", kt_tls_error(e, sizeof e));
		return -1;
	}
	return 0;
}

static void probe_close(struct probe *p)
{
	if (p->ssl) {
		SSL_shutdown(p->ssl);
		SSL_free(p->ssl);
		p->ssl = NULL;
	}
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static int send_frame(struct probe *p, uint16_t type, const uint8_t *payload, uint32_t len,
	uint32_t announce)
{
	uint8_t *buf = malloc(KT_FRAME_HDR_LEN + (size_t)len + 1);
	struct kt_frame_hdr h = {.type = type, .request_id = ++p->next_id, .len = announce};
	kt_frame_encode_hdr(buf, &h);
	if (len)
		memcpy(buf + KT_FRAME_HDR_LEN, payload, len);
	int n = (int)(KT_FRAME_HDR_LEN + len);
	int rc = SSL_write(p->ssl, buf, n) == n ? 0 : -1;
	free(buf);
	return rc;
}

static int send_msg(struct probe *p, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(n + 1);
	protobuf_c_message_pack(m, buf);
	int rc = send_frame(p, kt_msg_type_of(m), buf, (uint32_t)n, (uint32_t)n);
	free(buf);
	return rc;
}

static int read_full(struct probe *p, uint8_t *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		int r = SSL_read(p->ssl, buf + got, (int)(n - got));
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void expect(struct probe *p)
{
	uint8_t hdr[KT_FRAME_HDR_LEN];
	struct kt_frame_hdr h;
	if (read_full(p, hdr, sizeof hdr) != 0 ||
	    kt_frame_check_hdr(hdr, KT_FRAME_MAX_DEFAULT, &h, NULL) != KT_FRAME_OK) {
		printf("closed\n");
		ERR_clear_error();
		return;
	}
	uint8_t *payload = malloc(h.len + 1);
	if (read_full(p, payload, h.len) != 0) {
		printf("closed\n");
		free(payload);
		return;
	}
	const struct kt_msg_info *mi = kt_msg_info(h.type);
	printf("%s", mi ? mi->name : "unknown");
	if (h.type == KT_MSG_ERROR) {
		Karta__Error *e = karta__error__unpack(NULL, h.len, payload);
		if (e) {
			printf(" status=%s message=\"%s\"", kt_status_name((int)e->status), e->message);
			if (e->proto_max)
				printf(" range=%u..%u", e->proto_min, e->proto_max);
			karta__error__free_unpacked(e, NULL);
		}
	} else if (h.type == KT_MSG_WELCOME) {
		Karta__Welcome *w = karta__welcome__unpack(NULL, h.len, payload);
		if (w) {
			printf(" proto=%u org=%s", w->proto, w->org ? w->org->code : "");
			karta__welcome__free_unpacked(w, NULL);
		}
	}
	printf(" req=%u\n", h.request_id);
	free(payload);
}

static void expect_close(struct probe *p)
{
	/* Buffered TLS data counts as "open"; otherwise wait for the socket to say something. */
	struct pollfd pf = {.fd = p->fd, .events = POLLIN};
	if (SSL_pending(p->ssl) == 0 && poll(&pf, 1, 5000) == 0) {
		printf("open\n");
		return;
	}
	uint8_t b;
	int r = SSL_read(p->ssl, &b, 1);
	printf(r <= 0 ? "closed\n" : "open\n");
	ERR_clear_error();
}

/* Reads one frame, waiting up to ms for it to start (-1: the socket's 5 s timeout).
 * 1 with *payload (malloc'd) on success, 0 on timeout, -1 when the connection ended. */
static int read_frame(struct probe *p, int ms, struct kt_frame_hdr *h, uint8_t **payload)
{
	if (ms >= 0 && SSL_pending(p->ssl) == 0) {
		struct pollfd pf = {.fd = p->fd, .events = POLLIN};
		int r = poll(&pf, 1, ms);
		if (r == 0)
			return 0;
	}
	uint8_t hdr[KT_FRAME_HDR_LEN];
	if (read_full(p, hdr, sizeof hdr) != 0 ||
	    kt_frame_check_hdr(hdr, KT_FRAME_MAX_DEFAULT, h, NULL) != KT_FRAME_OK) {
		ERR_clear_error();
		return -1;
	}
	*payload = malloc(h->len + 1);
	if (read_full(p, *payload, h->len) != 0) {
		free(*payload);
		ERR_clear_error();
		return -1;
	}
	return 1;
}

static void print_other(const struct kt_frame_hdr *h, const uint8_t *payload)
{
	const struct kt_msg_info *mi = kt_msg_info(h->type);
	printf("%s", mi ? mi->name : "unknown");
	if (h->type == KT_MSG_ERROR) {
		Karta__Error *e = karta__error__unpack(NULL, h->len, payload);
		if (e) {
			printf(" status=%s message=\"%s\"", kt_status_name((int)e->status), e->message);
			karta__error__free_unpacked(e, NULL);
		}
	}
	printf(" req=%u\n", h->request_id);
}

struct cursor {
	char feed[64];
	uint32_t epoch;
	int64_t seq;
};

struct cursors {
	struct cursor *v;
	size_t n, cap;
};

static void cursors_apply(struct cursors *cs, const Karta__ChangePage *page)
{
	for (size_t i = 0; i < page->n_feeds; i++) {
		const Karta__FeedState *fs = page->feeds[i];
		struct cursor *c = NULL;
		for (size_t k = 0; k < cs->n && !c; k++)
			if (strcmp(cs->v[k].feed, fs->feed) == 0)
				c = &cs->v[k];
		if (!c) {
			if (cs->n == cs->cap) {
				cs->cap = cs->cap ? cs->cap * 2 : 64;
				cs->v = realloc(cs->v, cs->cap * sizeof *cs->v);
			}
			c = &cs->v[cs->n++];
			snprintf(c->feed, sizeof c->feed, "%s", fs->feed);
		}
		c->epoch = fs->epoch;
		c->seq = fs->seq;
		if (fs->action == KARTA__FEED_ACTION__FEED_GONE)
			*c = cs->v[--cs->n];
	}
}

/* Pulls with subscribe=true until caught up; a Poke that arrives meanwhile (the page may
 * have been read before that change) means one more pull. 0, or -1 after printing what
 * went wrong. */
static int pull_until_caught_up(struct probe *p, struct cursors *cs, long *pulls, long *changes)
{
	*pulls = *changes = 0;
	bool poked = false;
	for (;;) {
		Karta__Pull pull = KARTA__PULL__INIT;
		Karta__FeedCursor *cv = calloc(cs->n + 1, sizeof *cv);
		Karta__FeedCursor **cp = calloc(cs->n + 1, sizeof *cp);
		for (size_t k = 0; k < cs->n; k++) {
			karta__feed_cursor__init(&cv[k]);
			cv[k].feed = cs->v[k].feed;
			cv[k].epoch = cs->v[k].epoch;
			cv[k].seq = cs->v[k].seq;
			cp[k] = &cv[k];
		}
		pull.n_cursors = cs->n;
		pull.cursors = cp;
		pull.subscribe = true;
		int rc = send_msg(p, &pull.base);
		free(cp);
		free(cv);
		if (rc != 0) {
			printf("closed\n");
			return -1;
		}
		uint32_t want = p->next_id;
		(*pulls)++;
		for (;;) {
			struct kt_frame_hdr h;
			uint8_t *payload;
			int r = read_frame(p, 30000, &h, &payload);
			if (r <= 0) {
				printf(r == 0 ? "timeout\n" : "closed\n");
				return -1;
			}
			if (h.type == KT_MSG_CHANGE_PAGE && h.request_id == want) {
				Karta__ChangePage *page = karta__change_page__unpack(NULL, h.len, payload);
				free(payload);
				if (!page) {
					printf("ChangePage undecodable\n");
					return -1;
				}
				*changes += (long)page->n_changes;
				cursors_apply(cs, page);
				bool done = page->caught_up && !poked;
				if (page->caught_up)
					poked = false;
				karta__change_page__free_unpacked(page, NULL);
				if (done)
					return 0;
				break; /* the next page */
			}
			if (h.type == KT_MSG_POKE && h.request_id == 0) {
				free(payload);
				poked = true;
				continue;
			}
			print_other(&h, payload);
			free(payload);
			return -1;
		}
	}
}

static int64_t now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int subscribe(struct probe *p, int wait_s, int want_pokes)
{
	Karta__Hello hello = KARTA__HELLO__INIT;
	hello.proto_min = KT_PROTO_MIN;
	hello.proto_max = KT_PROTO_MAX;
	send_msg(p, &hello.base);
	struct kt_frame_hdr h;
	uint8_t *payload;
	if (read_frame(p, -1, &h, &payload) <= 0) {
		printf("closed\n");
		return 3;
	}
	if (h.type != KT_MSG_WELCOME) {
		print_other(&h, payload);
		free(payload);
		return 3;
	}
	free(payload);
	struct cursors cs = {0};
	long pulls, changes;
	int rc = 0;
	if (pull_until_caught_up(p, &cs, &pulls, &changes) != 0) {
		rc = 3;
		goto out;
	}
	printf("subscribed pulls=%ld changes=%ld feeds=%zu\n", pulls, changes, cs.n);
	fflush(stdout);
	for (int got = 0; got < want_pokes;) {
		int r = read_frame(p, wait_s * 1000, &h, &payload);
		if (r <= 0) {
			printf(r == 0 ? "timeout\n" : "closed\n");
			rc = 1;
			goto out;
		}
		int64_t t = now_us();
		if (h.type != KT_MSG_POKE) {
			print_other(&h, payload);
			free(payload);
			fflush(stdout);
			continue;
		}
		Karta__Poke *poke = karta__poke__unpack(NULL, h.len, payload);
		free(payload);
		if (!poke) {
			printf("Poke undecodable\n");
			rc = 1;
			goto out;
		}
		printf("poke ");
		for (size_t k = 0; k < poke->n_feeds; k++)
			printf("%s%s", k ? "," : "", poke->feeds[k]);
		printf(" req=%u t_us=%lld\n", h.request_id, (long long)t);
		fflush(stdout);
		karta__poke__free_unpacked(poke, NULL);
		got++;
		if (pull_until_caught_up(p, &cs, &pulls, &changes) != 0) {
			rc = 1;
			goto out;
		}
		printf("caught_up pulls=%ld changes=%ld\n", pulls, changes);
		fflush(stdout);
	}
out:
	free(cs.v);
	return rc;
}

/* Sends n bytes one at a time, ms apart, until the server ends the connection. */
static void trickle(struct probe *p, int n, int ms)
{
	int sent = 0;
	bool closed = false;
	for (; sent < n && !closed; sent++) {
		uint8_t b = 0xff;
		if (SSL_write(p->ssl, &b, 1) != 1) {
			closed = true;
			break;
		}
		/* Wait the interval, but notice the server closing (or answering) meanwhile. */
		struct pollfd pf = {.fd = p->fd, .events = POLLIN};
		if (poll(&pf, 1, ms) > 0) {
			closed = true;
			sent++;
		}
	}
	ERR_clear_error();
	printf("trickle sent=%d closed=%d\n", sent, closed);
}

static int held_add(struct probe *p, SSL *ssl, int fd)
{
	struct held *v = kt_grow(p->held, &p->capheld, p->nheld, sizeof *v, 256);
	if (!v)
		return -1;
	p->held = v;
	p->held[p->nheld++] = (struct held){ssl, fd, false};
	return 0;
}

/* One more held TLS connection in hello/partial mode: 1 welcomed, 0 refused (an Error is
 * copied to refusal), -1 failed. */
static int hold_tls(struct probe *p, uint32_t announce, uint32_t send, char *refusal, size_t rn)
{
	int fd = tcp_connect(p->host, p->port);
	if (fd < 0)
		return -1;
	SSL *ssl = SSL_new(p->ctx);
	SSL_set_fd(ssl, fd);
	SSL_set1_host(ssl, p->name);
	SSL_set_tlsext_host_name(ssl, p->name);
	if (p->sess)
		SSL_set_session(ssl, p->sess);
	struct probe one = *p;
	one.ssl = ssl;
	one.fd = fd;
	Karta__Hello hello = KARTA__HELLO__INIT;
	hello.proto_min = KT_PROTO_MIN;
	hello.proto_max = KT_PROTO_MAX;
	struct kt_frame_hdr h;
	uint8_t *payload = NULL;
	int r = -1;
	if (SSL_connect(ssl) != 1 || send_msg(&one, &hello.base) != 0 ||
	    read_frame(&one, -1, &h, &payload) <= 0)
		goto out;
	if (!p->sess && SSL_session_reused(ssl) == 0)
		p->sess = SSL_get1_session(ssl);
	if (h.type == KT_MSG_ERROR) {
		Karta__Error *e = karta__error__unpack(NULL, h.len, payload);
		if (e && !refusal[0])
			snprintf(refusal, rn, "%s %s", kt_status_name((int)e->status), e->message);
		if (e)
			karta__error__free_unpacked(e, NULL);
		r = 0;
		goto out;
	}
	if (h.type != KT_MSG_WELCOME)
		goto out;
	if (announce) {
		uint8_t *buf = calloc(1, (size_t)send + 1);
		memset(buf, 0xff, send);
		int rc = send_frame(&one, KT_MSG_UPLOAD, buf, send, announce);
		free(buf);
		if (rc != 0)
			goto out;
	}
	free(payload);
	return held_add(p, ssl, fd) == 0 ? 1 : -1;
out:
	ERR_clear_error();
	free(payload);
	SSL_free(ssl);
	close(fd);
	return r;
}

static int hold(struct probe *p, long n, const char *mode, uint32_t announce, uint32_t send)
{
	long welcomed = 0, refused = 0, failed = 0;
	char refusal[300] = "";
	for (long k = 0; k < n; k++) {
		if (strcmp(mode, "tcp") == 0) {
			/* Non-blocking: once kartad's backlog is full a connect would wait minutes. */
			struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
			if (getaddrinfo(p->host, p->port, &hints, &res) != 0)
				return -1;
			int fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK, 0);
			int rc = fd < 0 ? -1 : connect(fd, res->ai_addr, res->ai_addrlen);
			freeaddrinfo(res);
			if (fd < 0 || (rc != 0 && errno != EINPROGRESS) || held_add(p, NULL, fd) != 0) {
				if (fd >= 0)
					close(fd);
				failed++;
			}
			continue;
		}
		int r = hold_tls(p, announce, send, refusal, sizeof refusal);
		welcomed += r == 1;
		refused += r == 0;
		failed += r < 0;
	}
	printf("hold n=%ld welcomed=%ld refused=%ld failed=%ld", n, welcomed, refused, failed);
	if (refusal[0])
		printf(" refusal=\"%s\"", refusal);
	printf("\n");
	return 0;
}

/* Marks held connections the server has closed (EOF or reset; data read meanwhile is
 * dropped); returns how many are still open. */
static size_t held_scan(struct probe *p)
{
	size_t open = 0;
	for (size_t k = 0; k < p->nheld; k++) {
		struct held *h = &p->held[k];
		while (!h->closed) {
			char buf[4096];
			ssize_t r = recv(h->fd, buf, sizeof buf, MSG_DONTWAIT);
			if (r > 0)
				continue;
			if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
				h->closed = true;
			break;
		}
		open += !h->closed;
	}
	return open;
}

static void wait_closed(struct probe *p, int secs)
{
	size_t open = held_scan(p);
	for (int t = 0; open > 0 && t < secs * 10; t++) {
		usleep(100 * 1000);
		open = held_scan(p);
	}
	printf("held open=%zu closed=%zu\n", open, p->nheld - open);
}

static void held_free(struct probe *p)
{
	for (size_t k = 0; k < p->nheld; k++) {
		if (p->held[k].ssl)
			SSL_free(p->held[k].ssl);
		close(p->held[k].fd);
	}
	free(p->held);
}

static int resume(struct probe *p)
{
	SSL_SESSION_free(p->sess);
	p->sess = SSL_get1_session(p->ssl);
	probe_close(p);
	if (probe_connect(p) != 0)
		return -1;
	printf("resumed=%d version=%s\n", SSL_session_reused(p->ssl), SSL_get_version(p->ssl));
	return 0;
}

int main(int argc, char **argv)
{
	struct probe p = {.fd = -1, .name = "localhost"};
	const char *server = NULL, *ca = NULL, *cert = NULL, *key = NULL;
	int i = 1;
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--server") == 0)
			server = argv[i + 1];
		else if (strcmp(argv[i], "--ca") == 0)
			ca = argv[i + 1];
		else if (strcmp(argv[i], "--cert") == 0)
			cert = argv[i + 1];
		else if (strcmp(argv[i], "--key") == 0)
			key = argv[i + 1];
		else if (strcmp(argv[i], "--name") == 0)
			p.name = argv[i + 1];
	}
	char host[256], err[512];
	const char *colon = server ? strrchr(server, ':') : NULL;
	if (!colon || !ca || !cert || !key) {
		fprintf(stderr, "usage: kt_probe --server H:P --ca CA --cert C --key K STEP...\n");
		return 2;
	}
	snprintf(host, sizeof host, "%.*s", (int)(colon - server), server);
	p.host = host;
	p.port = colon + 1;
	p.ctx = kt_tls_client_ctx(cert, key, ca, err, sizeof err);
	if (!p.ctx) {
		fprintf(stderr, "kt_probe: %s\n", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	struct rlimit rl; /* hold may keep thousands of connections */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (probe_connect(&p) != 0)
		return 1;
	for (; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "hello") == 0 && i + 2 < argc) {
			Karta__Hello h = KARTA__HELLO__INIT;
			h.proto_min = (uint32_t)atoi(argv[++i]);
			h.proto_max = (uint32_t)atoi(argv[++i]);
			send_msg(&p, &h.base);
		} else if (strcmp(s, "ping") == 0) {
			Karta__Ping ping = KARTA__PING__INIT;
			ping.nonce = 42;
			send_msg(&p, &ping.base);
		} else if ((strcmp(s, "raw") == 0 || strcmp(s, "header") == 0) && i + 2 < argc) {
			uint16_t type = (uint16_t)atoi(argv[++i]);
			uint32_t len = (uint32_t)strtoul(argv[++i], NULL, 10);
			bool raw = strcmp(s, "raw") == 0;
			uint8_t *buf = malloc(raw ? len + 1 : 1);
			memset(buf, 0xff, raw ? len : 0);
			send_frame(&p, type, buf, raw ? len : 0, len);
			free(buf);
		} else if ((strcmp(s, "plan-put") == 0 || strcmp(s, "plan-import") == 0) &&
			   i + 1 < argc) {
			Karta__Plan pl = KARTA__PLAN__INIT;
			pl.id = argv[++i];
			pl.title = "План, записанный в обход выгрузки";
			pl.academic_year = 2025;
			Karta__PlanPut put = KARTA__PLAN_PUT__INIT;
			Karta__PlanImport imp = KARTA__PLAN_IMPORT__INIT;
			put.plan = imp.plan = &pl;
			send_msg(&p, strcmp(s, "plan-put") == 0 ? &put.base : &imp.base);
		} else if (strcmp(s, "garbage") == 0 && i + 1 < argc) {
			int n = atoi(argv[++i]);
			uint8_t *buf = malloc((size_t)n + 1);
			for (int k = 0; k < n; k++)
				buf[k] = (uint8_t)("GET / HTTP/1.1\r\n"[k % 16]);
			SSL_write(p.ssl, buf, n);
			free(buf);
		} else if (strcmp(s, "expect") == 0) {
			expect(&p);
		} else if (strcmp(s, "expect-close") == 0) {
			expect_close(&p);
		} else if (strcmp(s, "resume") == 0) {
			if (resume(&p) != 0)
				return 1;
		} else if (strcmp(s, "subscribe") == 0 && i + 2 < argc) {
			int wait_s = atoi(argv[++i]);
			int n = atoi(argv[++i]);
			int rc = subscribe(&p, wait_s, n);
			fflush(stdout);
			if (rc != 0) {
				probe_close(&p);
				SSL_CTX_free(p.ctx);
				return rc;
			}
		} else if (strcmp(s, "trickle") == 0 && i + 2 < argc) {
			int n = atoi(argv[++i]);
			trickle(&p, n, atoi(argv[++i]));
		} else if (strcmp(s, "hold") == 0 && i + 2 < argc) {
			long n = atol(argv[++i]);
			const char *mode = argv[++i];
			uint32_t announce = 0, send = 0;
			if (strcmp(mode, "partial") == 0 && i + 2 < argc) {
				announce = (uint32_t)strtoul(argv[++i], NULL, 10);
				send = (uint32_t)strtoul(argv[++i], NULL, 10);
			} else if (strcmp(mode, "tcp") != 0 && strcmp(mode, "hello") != 0) {
				fprintf(stderr, "kt_probe: hold mode is tcp, hello or partial LEN SENT\n");
				return 2;
			}
			if (hold(&p, n, mode, announce, send) != 0)
				return 1;
		} else if (strcmp(s, "sleep") == 0 && i + 1 < argc) {
			sleep((unsigned)atoi(argv[++i]));
		} else if (strcmp(s, "wait-closed") == 0 && i + 1 < argc) {
			wait_closed(&p, atoi(argv[++i]));
		} else {
			fprintf(stderr, "kt_probe: unknown step '%s'\n", s);
			return 2;
		}
		fflush(stdout);
	}
	probe_close(&p);
	held_free(&p);
	SSL_SESSION_free(p.sess);
	SSL_CTX_free(p.ctx);
	return 0;
}
