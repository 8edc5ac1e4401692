/* dash_api: the JSON the dashboard page reads, under /TOKEN/api/:
 *   state                       who this device is, online or not, the last sync
 *   table?name=&as_of=&by=&scope=&plan=&exam=
 *                               a computed table of the server (rollup, overdue, k02, k06,
 *                               devices): {"ok", "source": "server"|"cache", "at", "table":
 *                               {"columns", "rows"}}. Each answer is remembered in the
 *                               replica's meta table, so offline the page shows the table as
 *                               last seen (source "cache") — or says it needs the server.
 *   rows?type=&plan=            the replica's rows of a type (payloads as synced)
 *   plans                       the replica's plans with their owner's code
 *   orgs                        the organizations of the replica's feeds
 *   xlsx?name=…                 a computed table as `karta … --format xlsx` writes it
 *                               (dash_xlsx.c)
 * Parameters are checked here as strictly as the server would (400 with the reason); what
 * the page sees is what this device may read: the server scopes its tables by the device,
 * and the replica only ever holds the device's feeds. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "dash.h"
#include "karta.pb-c.h"
#include "opts.h"
#include "replica.h"
#include "report_cmds.h"
#include "rpc.h"

#define RETRY_S 10                /* after the server was unreachable, try again this late */
#define CACHE_MAX (4 * 1024 * 1024) /* larger tables are not remembered for offline use */

static const char *const table_names[] = {"rollup", "overdue", "k02", "k06", "devices", NULL};
static const char *const row_types[] = {"plan_item", "plan_section", "item_status",
	"report_request", "report_submission", "exam", "exam_point", NULL};
static const char *const by_plan[] = {"plan_item", "plan_section", "item_status", NULL};

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void send_json(struct evhttp_request *req, struct evbuffer *b)
{
	dash_reply(req, 200, "application/json; charset=utf-8", b);
}

static void send_obj(struct evhttp_request *req, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	struct evbuffer *b = s ? evbuffer_new() : NULL;
	if (!b || evbuffer_add(b, s, strlen(s)) != 0)
		dash_reply_error(req, 500, "нет памяти");
	else
		send_json(req, b);
	if (b)
		evbuffer_free(b);
	free(s);
}

/* The connection to kartad, or NULL while it is unreachable (tried again after RETRY_S). */
static struct rpc *dash_rpc(struct dash *d)
{
	if (d->cl->rpc)
		return d->cl->rpc;
	if (time(NULL) < d->retry_at)
		return NULL;
	struct rpc *r = client_rpc_quiet(d->cl);
	if (!r)
		d->retry_at = time(NULL) + RETRY_S;
	return r;
}

/* --- parameters ---------------------------------------------------------------------------- */

static bool is_date(const char *s)
{
	int y, m, dd;
	char tail;
	return strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
	       sscanf(s, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) == 3 && y >= 2000 && y <= 2100 &&
	       m >= 1 && m <= 12 && dd >= 1 && dd <= 31;
}

static bool is_code(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 32)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

/* NULL when every parameter is known and well-formed, else what is wrong. */
static const char *parse_params(struct evkeyvalq *q, struct dash_params *p)
{
	const struct {
		const char *key, **to;
	} known[] = {{"name", &p->name}, {"as_of", &p->as_of}, {"by", &p->by}, {"scope", &p->scope},
		{"plan", &p->plan}, {"exam", &p->exam}, {"type", &p->type}};
	for (struct evkeyval *kv = q->tqh_first; kv; kv = kv->next.tqe_next) {
		size_t i = 0;
		while (i < sizeof known / sizeof known[0] && strcmp(kv->key, known[i].key) != 0)
			i++;
		if (i < sizeof known / sizeof known[0])
			*known[i].to = kv->value;
		else if (strcmp(kv->key, "_") != 0) /* the page's cache-buster */
			return "неизвестный параметр";
	}
	if (p->as_of && *p->as_of && !is_date(p->as_of))
		return "as_of: дата в виде ГГГГ-ММ-ДД";
	if (p->by && *p->by && strcmp(p->by, "municipality") && strcmp(p->by, "school") &&
	    strcmp(p->by, "item"))
		return "by: municipality, school или item";
	if (p->scope && *p->scope && !is_code(p->scope))
		return "scope: код организации";
	if (p->plan && *p->plan && !opts_is_uuid(p->plan))
		return "plan: идентификатор плана (UUID)";
	if (p->exam && *p->exam && !opts_is_uuid(p->exam))
		return "exam: идентификатор экзамена (UUID)";
	return NULL;
}

/* --- computed tables --------------------------------------------------------------------------- */

static json_t *table_json(const Karta__Table *t)
{
	json_t *o = json_object(), *cols = json_array(), *rows = json_array();
	for (size_t c = 0; c < t->n_columns; c++)
		json_array_append_new(cols, json_string(t->columns[c]));
	for (size_t r = 0; r < t->n_rows; r++) {
		json_t *row = json_array();
		for (size_t c = 0; c < t->rows[r]->n_cells; c++) {
			json_t *v = json_string(t->rows[r]->cells[c]);
			json_array_append_new(row, v ? v : json_string("?")); /* not UTF-8: a mark */
		}
		json_array_append_new(rows, row);
	}
	json_object_set_new(o, "columns", cols);
	json_object_set_new(o, "rows", rows);
	return o;
}

/* Sends {"ok", "source", "at", "table": tj} (tj: JSON text). */
static void send_table(struct evhttp_request *req, const char *source, const char *at,
	const char *tj)
{
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		dash_reply_error(req, 500, "нет памяти");
		return;
	}
	evbuffer_add_printf(b, "{\"ok\":true,\"source\":\"%s\",\"at\":\"%s\",\"table\":", source, at);
	evbuffer_add(b, tj, strlen(tj));
	evbuffer_add(b, "}", 1);
	send_json(req, b);
	evbuffer_free(b);
}

int dash_call(struct dash *d, Karta__TableRequest *tr, Karta__Table **t, char *err,
	size_t n)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		struct rpc *r = dash_rpc(d);
		if (!r)
			return d->cl->unreachable || time(NULL) < d->retry_at ? 1 : -1;
		ProtobufCMessage *m;
		enum rpc_result rc = rpc_call(r, &tr->base, &karta__table__descriptor, &m, err, n);
		if (rc == RPC_OK) {
			*t = (Karta__Table *)m;
			return 0;
		}
		if (rc == RPC_SERVER)
			return -1;
		rpc_close(r); /* a connection the server closed meanwhile: once more, anew */
		d->cl->rpc = NULL;
	}
	d->retry_at = time(NULL) + RETRY_S;
	return 1;
}

void dash_table_request(const struct dash_params *p, Karta__TableRequest *tr)
{
	karta__table_request__init(tr);
	tr->name = (char *)p->name;
	tr->as_of = (char *)(p->as_of ? p->as_of : "");
	tr->by = (char *)(p->by ? p->by : "");
	tr->scope = (char *)(p->scope ? p->scope : "");
	tr->plan_id = (char *)(p->plan ? p->plan : "");
	tr->exam_id = (char *)(p->exam ? p->exam : "");
}

const char *dash_check_table(const struct dash_params *p)
{
	if (!p->name || !in_list(table_names, p->name))
		return "name: rollup, overdue, k02, k06 или devices";
	if ((strcmp(p->name, "k02") == 0 || strcmp(p->name, "k06") == 0) && !(p->exam && *p->exam))
		return "exam: нужен идентификатор экзамена";
	return NULL;
}

static void api_table(struct dash *d, struct evhttp_request *req, const struct dash_params *p)
{
	const char *bad = dash_check_table(p);
	if (bad)
		return dash_reply_error(req, 400, bad);
	Karta__TableRequest tr;
	dash_table_request(p, &tr);
	char key[256], err[512] = "", at[32];
	snprintf(key, sizeof key, "dashboard:%s|%s|%s|%s|%s|%s", tr.name, tr.as_of, tr.by,
		tr.scope, tr.plan_id, tr.exam_id);
	Karta__Table *t = NULL;
	int rc = dash_call(d, &tr, &t, err, sizeof err);
	struct replica *r = client_replica(d->cl);
	if (rc == 0) {
		json_t *tab = table_json(t);
		char *tj = tab ? json_dumps(tab, JSON_COMPACT) : NULL;
		json_decref(tab);
		karta__table__free_unpacked(t, NULL);
		if (!tj)
			return dash_reply_error(req, 500, "нет памяти");
		now_iso(at, sizeof at);
		send_table(req, "server", at, tj);
		size_t len = strlen(tj);
		char *v = r && len < CACHE_MAX ? malloc(len + sizeof at + 1) : NULL;
		if (v) {
			snprintf(v, len + sizeof at + 1, "%s\n%s", at, tj);
			replica_meta_set(r, key, v); /* best effort: offline use only */
		}
		free(v);
		free(tj);
		return;
	}
	if (rc < 0) {
		json_t *o = json_pack("{s:b, s:b, s:s}", "ok", 0, "refused", 1, "error",
			*err ? err : "сервер не принял это устройство (см. karta hello)");
		return send_obj(req, o);
	}
	char *v = r ? malloc(CACHE_MAX + 64) : NULL;
	if (v && replica_meta_get(r, key, v, CACHE_MAX + 64) == 0 && strchr(v, '\n')) {
		char *nl = strchr(v, '\n');
		*nl = '\0';
		send_table(req, "cache", v, nl + 1);
	} else {
		json_t *o = json_pack("{s:b, s:b, s:s}", "ok", 0, "offline", 1, "error",
			"Эту таблицу вычисляет сервер, а он сейчас недоступен; с этого компьютера "
			"она ещё не открывалась, поэтому показать нечего.");
		send_obj(req, o);
	}
	free(v);
}

/* --- the replica --------------------------------------------------------------------------- */

struct rows_out {
	struct evbuffer *b;
	long n;
};

static int add_row(void *arg, const char *id, const char *payload, bool pending)
{
	(void)id;
	struct rows_out *o = arg;
	evbuffer_add_printf(o->b, "%s{\"pending\":%s,\"row\":", o->n++ ? "," : "",
		pending ? "true" : "false");
	evbuffer_add(o->b, payload, strlen(payload));
	evbuffer_add(o->b, "}", 1);
	return 0;
}

static void api_rows(struct dash *d, struct evhttp_request *req, const struct dash_params *p)
{
	if (!p->type || !in_list(row_types, p->type))
		return dash_reply_error(req, 400, "type: plan_item, plan_section, item_status, "
			"report_request, report_submission, exam или exam_point");
	if (in_list(by_plan, p->type) && !(p->plan && *p->plan))
		return dash_reply_error(req, 400, "plan: нужен идентификатор плана");
	struct replica *r = client_replica(d->cl);
	struct rows_out o = {evbuffer_new(), 0};
	if (!r || !o.b) {
		if (o.b)
			evbuffer_free(o.b);
		return dash_reply_error(req, 500, "нет доступа к локальной реплике");
	}
	evbuffer_add_printf(o.b, "{\"ok\":true,\"rows\":[");
	if (replica_each(r, p->type, p->plan && *p->plan ? p->plan : NULL, add_row, &o) != 0) {
		evbuffer_free(o.b);
		return dash_reply_error(req, 500, replica_error(r));
	}
	evbuffer_add_printf(o.b, "]}");
	send_json(req, o.b);
	evbuffer_free(o.b);
}

static void api_plans(struct dash *d, struct evhttp_request *req)
{
	struct replica *r = client_replica(d->cl);
	struct replica_arena a = {0};
	Karta__Plan **plans = NULL;
	size_t n = 0;
	if (!r || replica_plan_list(r, &plans, &n, &a) != 0) {
		replica_arena_free(&a);
		return dash_reply_error(req, 500, "нет доступа к локальной реплике");
	}
	struct evbuffer *b = evbuffer_new();
	evbuffer_add_printf(b, "{\"ok\":true,\"plans\":[");
	for (size_t i = 0; i < n; i++) {
		char *payload = NULL;
		if (replica_get(r, "plan", plans[i]->id, &payload, NULL) != 0)
			continue;
		json_t *owner = json_string(plans[i]->owner_code);
		char *oj = json_dumps(owner, JSON_ENCODE_ANY);
		evbuffer_add_printf(b, "%s{\"owner\":%s,\"row\":%s}", i ? "," : "", oj ? oj : "\"\"",
			payload);
		free(oj);
		json_decref(owner);
		free(payload);
	}
	evbuffer_add_printf(b, "]}");
	replica_arena_free(&a);
	send_json(req, b);
	evbuffer_free(b);
}

static int add_org(void *arg, const struct replica_feed *f)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:i, s:s}", "code", f->code,
		"name", f->name ? f->name : "", "level", f->level, "parent",
		f->parent ? f->parent : ""));
	return 0;
}

static void api_orgs(struct dash *d, struct evhttp_request *req)
{
	struct replica *r = client_replica(d->cl);
	json_t *a = json_array();
	if (!r || replica_feed_each(r, add_org, a) != 0) {
		json_decref(a);
		return dash_reply_error(req, 500, "нет доступа к локальной реплике");
	}
	send_obj(req, json_pack("{s:b, s:o}", "ok", 1, "orgs", a));
}

static void api_state(struct dash *d, struct evhttp_request *req)
{
	dash_rpc(d); /* learn whether the server answers now */
	char code[64] = "";
	int level = report_device_level(d->cl, false, code, sizeof code);
	struct replica_status st = {0};
	struct replica *r = client_replica(d->cl);
	if (r)
		replica_status(r, &st);
	char now[32];
	now_iso(now, sizeof now);
	send_obj(req, json_pack("{s:b, s:s, s:i, s:b, s:s, s:s, s:i, s:i}", "ok", 1, "org", code,
		"level", level, "online", d->cl->rpc != NULL, "last_sync", st.last_sync, "now", now,
		"outbox", (int)st.outbox, "conflicts", (int)st.conflicts_open));
}

void dash_api(struct dash *d, struct evhttp_request *req, const char *what, const char *query)
{
	struct evkeyvalq q;
	q.tqh_first = NULL;
	q.tqh_last = &q.tqh_first;
	if (query && evhttp_parse_query_str(query, &q) != 0)
		return dash_reply_error(req, 400, "неверная строка запроса");
	struct dash_params p = {0};
	const char *bad = parse_params(&q, &p);
	if (bad)
		dash_reply_error(req, 400, bad);
	else if (strcmp(what, "state") == 0)
		api_state(d, req);
	else if (strcmp(what, "table") == 0)
		api_table(d, req, &p);
	else if (strcmp(what, "rows") == 0)
		api_rows(d, req, &p);
	else if (strcmp(what, "plans") == 0)
		api_plans(d, req);
	else if (strcmp(what, "orgs") == 0)
		api_orgs(d, req);
	else if (strcmp(what, "xlsx") == 0)
		dash_xlsx(d, req, &p);
	else
		dash_reply_error(req, 404, "нет такого запроса");
	evhttp_clear_headers(&q);
}
