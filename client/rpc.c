/* rpc: blocking TLS client (see rpc.h). Every read is bounded by the frame header check
 * (kt_frame_check_hdr) before its payload is allocated, exactly as on the server. */
#include "rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kt_frame.h"
#include "kt_msg.h"
#include "kt_tls.h"
#include "kt_i18n.h"
#include "kt_server_text.h"

struct rpc {
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	uint32_t next_id;
	uint32_t max_frame;
	Karta__Welcome *welcome;
	Karta__Status last_status;
	bool lost; /* the connection ended without a TLS error (reset, EOF, GoAway) */
	/* the frames read and the requests written, each in one buffer kept for the connection's
	 * life (grown to the largest): a sync's pages and Uploads (a few MB each) were a fresh
	 * malloc each, whose pages the kernel mapped in and zeroed at every frame
	 * (docs/performance.md, "Upload: kartad's and the client's CPU") */
	uint8_t *rbuf, *wbuf;
	size_t rcap, wcap;
};

/* *buf holds at least n bytes (its old content not kept); false when memory ran out. */
static bool room(uint8_t **buf, size_t *cap, size_t n)
{
	if (n <= *cap)
		return true;
	uint8_t *b = malloc(n);
	if (!b)
		return false;
	free(*buf);
	*buf = b;
	*cap = n;
	return true;
}

const Karta__Welcome *rpc_welcome(const struct rpc *r) { return r->welcome; }
Karta__Status rpc_last_status(const struct rpc *r) { return r->last_status; }

bool rpc_transient(const struct rpc *r)
{
	Karta__Status st = r->last_status;
	return r->lost || st == KARTA__STATUS__STATUS_BUSY ||
		st == KARTA__STATUS__STATUS_SHUTTING_DOWN || st == KARTA__STATUS__STATUS_TIMEOUT;
}

/* "host:port", "[v6]:port" → host, port. */
static int split_hostport(const char *s, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':')
			return -1;
		snprintf(host, hn, "%.*s", (int)(end - s - 1), s + 1);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		snprintf(host, hn, "%.*s", (int)(colon - s), s);
	}
	snprintf(port, pn, "%s", colon + 1);
	return *host && *port ? 0 : -1;
}

static int connect_timeout(const char *host, const char *port, int timeout_s, char *err,
	size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	int gai = getaddrinfo(host, port, &hints, &res);
	if (gai) {
		snprintf(err, errlen, _("cannot resolve '%s': %s"), host, gai_strerror(gai));
		return -1;
	}
	int fd = -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		int fl = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (rc != 0 && errno == EINPROGRESS) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			rc = -1;
			if (poll(&p, 1, timeout_s * 1000) == 1) {
				int soerr = 0;
				socklen_t sl = sizeof soerr;
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
				errno = soerr ? soerr : 0;
				rc = soerr ? -1 : 0;
			} else {
				errno = ETIMEDOUT;
			}
		}
		if (rc == 0) {
			fcntl(fd, F_SETFL, fl);
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			struct timeval tv = {timeout_s, 0};
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
			break;
		}
		snprintf(err, errlen, _("cannot connect to %s:%s: %s"), host, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int ssl_io_error(struct rpc *r, int rc, const char *what, char *err, size_t errlen)
{
	int e = SSL_get_error(r->ssl, rc);
	char buf[256];
	r->lost = e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ||
		(e == SSL_ERROR_SSL &&
			ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
	if (e == SSL_ERROR_ZERO_RETURN ||
	    (e == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
		ERR_clear_error();
		snprintf(err, errlen, _("server closed the connection while %s"), _(what));
	} else if (e == SSL_ERROR_SYSCALL) {
		snprintf(err, errlen, _("connection failed while %s: %s"), _(what),
			errno == EAGAIN ? _("timed out") : errno ? strerror(errno) : _("closed by server"));
	} else {
		snprintf(err, errlen, _("TLS error while %s: %s"), _(what), kt_tls_error(buf, sizeof buf));
	}
	return -1;
}

static int read_full(struct rpc *r, void *buf, size_t n, char *err, size_t errlen)
{
	size_t got = 0;
	while (got < n) {
		int rc = SSL_read(r->ssl, (char *)buf + got, (int)(n - got > 1 << 30 ? 1 << 30 : n - got));
		if (rc <= 0)
			return ssl_io_error(r, rc, N_("reading"), err, errlen);
		got += (size_t)rc;
	}
	return 0;
}

int rpc_send_raw(struct rpc *r, uint16_t type, uint32_t request_id, const uint8_t *payload,
	uint32_t len)
{
	/* One write per frame: header and payload in one TLS record, no Nagle stall. */
	uint8_t *buf = malloc(KT_FRAME_HDR_LEN + (size_t)len);
	if (!buf)
		return -1;
	struct kt_frame_hdr h = {.type = type, .request_id = request_id, .len = len};
	kt_frame_encode_hdr(buf, &h);
	if (len)
		memcpy(buf + KT_FRAME_HDR_LEN, payload, len);
	int n = (int)(KT_FRAME_HDR_LEN + len);
	int rc = SSL_write(r->ssl, buf, n) == n ? 0 : -1;
	free(buf);
	return rc;
}

static int send_msg(struct rpc *r, const ProtobufCMessage *m, uint32_t id, char *err,
	size_t errlen)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	if (len > r->max_frame) {
		snprintf(err, errlen, _("request of %zu bytes exceeds the server's %u-byte limit"), len,
			r->max_frame);
		return -1;
	}
	/* one write per frame (rpc_send_raw): the message packed behind its header */
	if (!room(&r->wbuf, &r->wcap, KT_FRAME_HDR_LEN + len)) {
		snprintf(err, errlen, _("out of memory"));
		return -1;
	}
	struct kt_frame_hdr h = {.type = kt_msg_type_of(m), .request_id = id, .len = (uint32_t)len};
	kt_frame_encode_hdr(r->wbuf, &h);
	protobuf_c_message_pack(m, r->wbuf + KT_FRAME_HDR_LEN);
	int n = (int)(KT_FRAME_HDR_LEN + len);
	if (SSL_write(r->ssl, r->wbuf, n) != n)
		return ssl_io_error(r, -1, N_("sending"), err, errlen);
	return 0;
}

/* Reads one frame: header checked first, then the payload (into r->rbuf, *payload: valid until
 * the next frame read). */
static int read_frame(struct rpc *r, struct kt_frame_hdr *h, uint8_t **payload, char *err,
	size_t errlen)
{
	uint8_t hdr[KT_FRAME_HDR_LEN];
	const char *why = "";
	if (read_full(r, hdr, sizeof hdr, err, errlen) != 0)
		return -1;
	if (kt_frame_check_hdr(hdr, r->max_frame, h, &why) != KT_FRAME_OK) {
		snprintf(err, errlen, _("bad frame from server: %s"), why);
		return -1;
	}
	if (!room(&r->rbuf, &r->rcap, h->len ? h->len : 1)) {
		snprintf(err, errlen, _("out of memory"));
		return -1;
	}
	*payload = r->rbuf;
	return read_full(r, *payload, h->len, err, errlen);
}

/* rpc_frame_reply, the reply unpacked with alloc (NULL: malloc). */
static enum rpc_result frame_reply(uint16_t type, uint32_t request_id, const uint8_t *p,
	uint32_t len, uint32_t id, const ProtobufCMessageDescriptor *desc, ProtobufCAllocator *alloc,
	ProtobufCMessage **reply, Karta__Status *status, char *err, size_t errlen)
{
	*reply = NULL;
	if (type == KT_MSG_ERROR && (request_id == id || request_id == 0)) {
		Karta__Error *e = karta__error__unpack(NULL, len, p);
		*status = e ? e->status : KARTA__STATUS__STATUS_INTERNAL;
		char said[1024];
		snprintf(err, errlen, _("server refused: %s (%s)"),
			e && e->message && *e->message ? kt_server_text(e->message, said, sizeof said)
			: _("no reason given"),
			kt_status_text((int)*status));
		if (e)
			karta__error__free_unpacked(e, NULL);
		return RPC_SERVER;
	}
	if (request_id == 0 && type == KT_MSG_GOAWAY) {
		snprintf(err, errlen, _("server is shutting down: try again shortly"));
		return RPC_TRANSPORT;
	}
	if (request_id != id) /* a push or a stale reply: not ours */
		return RPC_FRAME_NOT_OURS;
	const struct kt_msg_info *mi = kt_msg_info(type);
	if (!mi || mi->desc != desc) {
		snprintf(err, errlen, _("unexpected reply type %u from server"), type);
		return RPC_TRANSPORT;
	}
	*reply = protobuf_c_message_unpack(desc, alloc, len, p);
	if (!*reply) {
		snprintf(err, errlen, _("cannot decode %s from server"), mi->name);
		return RPC_TRANSPORT;
	}
	return RPC_OK;
}

enum rpc_result rpc_frame_reply(uint16_t type, uint32_t request_id, const uint8_t *p,
	uint32_t len, uint32_t id, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **reply,
	Karta__Status *status, char *err, size_t errlen)
{
	return frame_reply(type, request_id, p, len, id, desc, NULL, reply, status, err, errlen);
}

/* Waits for the reply to request id; an Error becomes RPC_SERVER with its message. */
static enum rpc_result wait_reply(struct rpc *r, uint32_t id, const ProtobufCMessageDescriptor *desc,
	ProtobufCAllocator *alloc, ProtobufCMessage **reply, char *err, size_t errlen)
{
	for (;;) {
		struct kt_frame_hdr h;
		uint8_t *p;
		if (read_frame(r, &h, &p, err, errlen) != 0)
			return RPC_TRANSPORT;
		enum rpc_result rc = frame_reply(h.type, h.request_id, p, h.len, id, desc, alloc, reply,
			&r->last_status, err, errlen);
		if (rc == RPC_TRANSPORT && h.type == KT_MSG_GOAWAY)
			r->lost = true; /* the server goes away: reconnect before the next call */
		if (rc != RPC_FRAME_NOT_OURS)
			return rc;
	}
}

enum rpc_result rpc_send(struct rpc *r, const ProtobufCMessage *req, uint32_t *id, char *err,
	size_t errlen)
{
	*id = ++r->next_id;
	return send_msg(r, req, *id, err, errlen) == 0 ? RPC_OK : RPC_TRANSPORT;
}

enum rpc_result rpc_recv(struct rpc *r, uint32_t id, const ProtobufCMessageDescriptor *reply_desc,
	ProtobufCMessage **reply, char *err, size_t errlen)
{
	return wait_reply(r, id, reply_desc, NULL, reply, err, errlen);
}

enum rpc_result rpc_recv_in(struct rpc *r, uint32_t id, const ProtobufCMessageDescriptor *reply_desc,
	ProtobufCAllocator *alloc, ProtobufCMessage **reply, char *err, size_t errlen)
{
	return wait_reply(r, id, reply_desc, alloc, reply, err, errlen);
}

enum rpc_result rpc_call(struct rpc *r, const ProtobufCMessage *req,
	const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply, char *err,
	size_t errlen)
{
	uint32_t id;
	if (rpc_send(r, req, &id, err, errlen) != RPC_OK)
		return RPC_TRANSPORT;
	return rpc_recv(r, id, reply_desc, reply, err, errlen);
}

int rpc_wait_push(struct rpc *r, int timeout_ms, uint16_t *type, char *err, size_t errlen)
{
	if (SSL_pending(r->ssl) == 0) {
		struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
		int n = poll(&pfd, 1, timeout_ms);
		if (n == 0)
			return 1;
		if (n < 0) {
			snprintf(err, errlen, _("poll: %s"), strerror(errno));
			return RPC_TRANSPORT;
		}
	}
	struct kt_frame_hdr h;
	uint8_t *p;
	if (read_frame(r, &h, &p, err, errlen) != 0)
		return RPC_TRANSPORT;
	(void)p;
	if (h.type == KT_MSG_GOAWAY) {
		r->lost = true;
		snprintf(err, errlen, _("server is shutting down"));
		return RPC_TRANSPORT;
	}
	*type = h.type;
	return RPC_OK;
}

struct rpc *rpc_open(const struct rpc_opts *o, char *err, size_t errlen)
{
	char host[256], port[16];
	if (!o->server || split_hostport(o->server, host, sizeof host, port, sizeof port) != 0) {
		snprintf(err, errlen, _("server address '%s' is not host:port"), o->server ? o->server : "");
		return NULL;
	}
	struct rpc *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, _("out of memory"));
		return NULL;
	}
	r->fd = -1;
	r->max_frame = KT_FRAME_MAX_DEFAULT;
	r->ctx = kt_tls_client_ctx(o->cert_file, o->key_file, o->ca_file, err, errlen);
	if (!r->ctx)
		goto fail;
	r->fd = connect_timeout(host, port, o->timeout_s, err, errlen);
	if (r->fd < 0) {
		r->lost = true; /* not reached: may pass too */
		if (o->unreachable)
			*o->unreachable = true;
		goto fail;
	}
	r->ssl = SSL_new(r->ctx);
	const char *name = o->server_name && *o->server_name ? o->server_name : host;
	if (!r->ssl || !SSL_set1_host(r->ssl, name) || !SSL_set_fd(r->ssl, r->fd)) {
		snprintf(err, errlen, _("cannot set up TLS"));
		goto fail;
	}
	SSL_set_tlsext_host_name(r->ssl, name);
	int rc = SSL_connect(r->ssl);
	if (rc != 1) {
		long v = SSL_get_verify_result(r->ssl);
		if (v != X509_V_OK)
			snprintf(err, errlen, _("cannot verify server certificate for '%s': %s"), name,
				X509_verify_cert_error_string(v));
		else
			ssl_io_error(r, rc, N_("handshaking"), err, errlen);
		goto fail;
	}
	Karta__Hello hello = KARTA__HELLO__INIT;
	uint8_t salt[16];
	RAND_bytes(salt, sizeof salt);
	hello.proto_min = KT_PROTO_MIN;
	hello.proto_max = KT_PROTO_MAX;
	static char version[] = "karta " KT_VERSION;
	hello.client_version = version;
	hello.install_salt.data = salt;
	hello.install_salt.len = sizeof salt;
	ProtobufCMessage *w = NULL;
	if (rpc_call(r, &hello.base, &karta__welcome__descriptor, &w, err, errlen) != RPC_OK)
		goto fail;
	r->welcome = (Karta__Welcome *)w;
	if (r->welcome->limits && r->welcome->limits->max_frame)
		r->max_frame = r->welcome->limits->max_frame;
	return r;
fail:
	if (o->transient)
		*o->transient = rpc_transient(r);
	rpc_close(r);
	return NULL;
}

void rpc_close(struct rpc *r)
{
	if (!r)
		return;
	if (r->ssl) {
		SSL_shutdown(r->ssl);
		SSL_free(r->ssl);
	}
	if (r->fd >= 0)
		close(r->fd);
	SSL_CTX_free(r->ctx);
	if (r->welcome)
		karta__welcome__free_unpacked(r->welcome, NULL);
	free(r->rbuf);
	free(r->wbuf);
	free(r);
}
