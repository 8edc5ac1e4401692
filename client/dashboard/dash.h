/* dash: `karta dashboard` — a page in the browser served from this karta on 127.0.0.1 only
 * (docs/dashboard.md). cmd_dashboard.c: the command, the token, the listener and the loop;
 * dash_http.c: the gate every request passes (peer, Host, length, token) and the page's
 * files; dash_api.c: the JSON the page reads — the server's computed tables (remembered in
 * the replica for offline use) and the rows the replica holds. */
#ifndef KT_DASH_H
#define KT_DASH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "karta.pb-c.h"

struct client;
struct evhttp_request;
struct evbuffer;

#define DASH_TOKEN_LEN 32   /* hex digits of the random token in every URL */
#define DASH_MAX_URI 2048   /* longer request targets are refused (414) */

struct dash {
	struct client *cl;
	char token[DASH_TOKEN_LEN + 1];
	int port;
	char host_ip[32], host_name[48]; /* the Host values accepted: 127.0.0.1:P, localhost:P */
	time_t retry_at;      /* the server was unreachable: do not try again before this */
	long served, refused; /* requests answered, refused at the gate */
};

/* The evhttp callback of every request: the gate, then a file or dash_api. */
void dash_http_cb(struct evhttp_request *req, void *arg);

/* Sends body (may be NULL) with the page's security headers. */
void dash_reply(struct evhttp_request *req, int code, const char *type, struct evbuffer *body);
/* A JSON error {"ok": false, "error": msg} with an HTTP status (400 for bad parameters). */
void dash_reply_error(struct evhttp_request *req, int code, const char *msg);

/* The query parameters of /api/ (checked by dash_api.c; NULL when absent). */
struct dash_params {
	const char *name, *as_of, *by, *scope, *plan, *exam, *type;
};

/* NULL when p names a computed table the page may ask for (with what it needs), else why not. */
const char *dash_check_table(const struct dash_params *p);
/* The TableRequest of p (strings borrowed from p). */
void dash_table_request(const struct dash_params *p, Karta__TableRequest *tr);
/* The server's answer: 0 with *t (free with karta__table__free_unpacked); 1 the server
 * cannot be reached (tried again RETRY_S later); -1 refused (err says why). */
int dash_call(struct dash *d, Karta__TableRequest *tr, Karta__Table **t, char *err, size_t n);

/* /TOKEN/api/xlsx: the table as an Excel workbook (dash_xlsx.c). */
void dash_xlsx(struct dash *d, struct evhttp_request *req, const struct dash_params *p);

/* /TOKEN/api/<what>?query: the page's data. what is the path after "api/". */
void dash_api(struct dash *d, struct evhttp_request *req, const char *what, const char *query);

#endif
