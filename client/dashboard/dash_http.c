/* dash_http: the gate of the dashboard's web server and its files. A request is answered
 * only when it comes from the loopback address (the listener is bound to 127.0.0.1; this
 * checks again), names this server in Host (127.0.0.1:PORT or localhost:PORT: no page of
 * another site can reach it through a DNS name), has a request target of at most
 * DASH_MAX_URI bytes that parses as a URI, and its path starts with /TOKEN/. Everything
 * else is refused with a short Russian message and a log line without the URL (it may
 * hold the token). Every answer carries headers that keep the page to itself: no caching,
 * no referrer (the token), no framing, scripts only from here. */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "dash_assets.h"
#include "kt_log.h"

void dash_reply(struct evhttp_request *req, int code, const char *type, struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Content-Security-Policy",
		"default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
		"frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
	const char *reason = code == 200 ? "OK" : code == 301 ? "Moved" : code == 400
		? "Bad Request" : code == 403 ? "Forbidden" : code == 404 ? "Not Found"
		: code == 414 ? "URI Too Long" : "Error";
	evhttp_send_reply(req, code, reason, body);
}

static void reply_text(struct evhttp_request *req, int code, const char *msg)
{
	struct evbuffer *b = evbuffer_new();
	if (b)
		evbuffer_add_printf(b, "%s\n", msg);
	dash_reply(req, code, "text/plain; charset=utf-8", b);
	if (b)
		evbuffer_free(b);
}

void dash_reply_error(struct evhttp_request *req, int code, const char *msg)
{
	struct evbuffer *b = evbuffer_new();
	if (b) {
		evbuffer_add_printf(b, "{\"ok\": false, \"error\": \"");
		for (const char *p = msg; *p; p++) /* messages are ours: escape quotes only */
			evbuffer_add_printf(b, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
		evbuffer_add_printf(b, "\"}\n");
	}
	dash_reply(req, code, "application/json; charset=utf-8", b);
	if (b)
		evbuffer_free(b);
}

static void refuse(struct dash *d, struct evhttp_request *req, int code, const char *why,
	const char *msg)
{
	d->refused++;
	kt_log(KT_LOG_WARN, "event=dashboard_refused status=%d reason=%s", code, why);
	reply_text(req, code, msg);
}

static bool from_loopback(struct evhttp_request *req)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	const struct sockaddr *sa = c ? evhttp_connection_get_addr(c) : NULL;
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET)
		return ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) == INADDR_LOOPBACK;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

/* Compares the whole token whatever differs, so timing tells nothing. */
static bool token_ok(const struct dash *d, const char *p)
{
	unsigned diff = 0;
	for (size_t i = 0; i < DASH_TOKEN_LEN; i++) {
		diff |= (unsigned char)(p[i] ^ d->token[i]);
		if (!p[i])
			return false;
	}
	return diff == 0;
}

static void serve_file(struct dash *d, struct evhttp_request *req, const char *name)
{
	for (int i = 0; i < dash_assets_count; i++)
		if (strcmp(dash_assets[i].name, name) == 0) {
			struct evbuffer *b = evbuffer_new();
			if (!b || evbuffer_add_reference(b, dash_assets[i].data, dash_assets[i].len,
					NULL, NULL) != 0) {
				reply_text(req, 500, "нет памяти");
			} else {
				d->served++;
				dash_reply(req, 200, dash_assets[i].type, b);
			}
			if (b)
				evbuffer_free(b);
			return;
		}
	reply_text(req, 404, "нет такой страницы");
}

void dash_http_cb(struct evhttp_request *req, void *arg)
{
	struct dash *d = arg;
	const char *target = evhttp_request_get_uri(req);
	if (!from_loopback(req))
		return refuse(d, req, 403, "peer", "доступ только с этого компьютера (127.0.0.1)");
	const char *host = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
	if (!host || (strcmp(host, d->host_ip) != 0 && strcmp(host, d->host_name) != 0))
		return refuse(d, req, 403, "host", "неверный заголовок Host");
	if (!target || strlen(target) > DASH_MAX_URI)
		return refuse(d, req, 414, "length", "слишком длинный адрес");
	struct evhttp_uri *u = evhttp_uri_parse_with_flags(target, 0);
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	if (!u || !path || path[0] != '/' || strstr(path, "..") || strchr(path, '%')) {
		if (u)
			evhttp_uri_free(u);
		return refuse(d, req, 400, "malformed", "неверный адрес");
	}
	if (!token_ok(d, path + 1) || (path[1 + DASH_TOKEN_LEN] != '/' &&
	                               path[1 + DASH_TOKEN_LEN] != '\0')) {
		evhttp_uri_free(u);
		return refuse(d, req, 403, "token",
			"нужен адрес с ключом, который напечатала команда karta dashboard при запуске");
	}
	const char *rest = path + 1 + DASH_TOKEN_LEN;
	if (!*rest) { /* /TOKEN → /TOKEN/, so the page's relative links resolve */
		char loc[DASH_TOKEN_LEN + 3];
		snprintf(loc, sizeof loc, "/%s/", d->token);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Location", loc);
		reply_text(req, 301, loc);
	} else if (strcmp(rest, "/") == 0) {
		serve_file(d, req, "index.html");
	} else if (strncmp(rest, "/api/", 5) == 0) {
		d->served++;
		dash_api(d, req, rest + 5, evhttp_uri_get_query(u));
	} else {
		serve_file(d, req, rest + 1);
	}
	evhttp_uri_free(u);
}
