/* report_list: `karta report list` and `karta report show` — requests and submissions as
 * the local replica holds them (they arrive through sync). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "help.h"
#include "kt_dates.h"
#include "opts.h"
#include "outbox.h"
#include "plan_fmt.h"
#include "replica.h"
#include "report_parse.h"
#include "report_render.h"
#include "rpc.h"
#include "table_out.h"
#include "terms.h"

#include "report_cmds.h"
#include "kt_i18n.h"

/* --- report list, show (the local replica) ------------------------------------------------ */

/* Organization codes by id: the replica has ids in payloads and codes as feeds; a plan row
 * has both (owner_org_id, and its feed = the owner's code). */
struct org_map {
	long long *ids;
	char **codes;
	size_t n;
	/* while building: plan id → owner id */
	char (*plan_ids)[PLAN_FMT_ID_LEN];
	long long *plan_owner;
	size_t n_plans;
};

static int collect_plan(void *arg, const char *id, const char *payload, bool pending)
{
	(void)pending;
	struct org_map *m = arg;
	json_t *j = json_loads(payload, 0, NULL);
	json_t *owner = json_object_get(j, "owner_org_id");
	if (json_is_integer(owner)) {
		void *a = realloc(m->plan_ids, (m->n_plans + 1) * sizeof *m->plan_ids);
		void *b = a ? realloc(m->plan_owner, (m->n_plans + 1) * sizeof *m->plan_owner) : NULL;
		if (a)
			m->plan_ids = a;
		if (b) {
			m->plan_owner = b;
			snprintf(m->plan_ids[m->n_plans], PLAN_FMT_ID_LEN, "%s", id);
			m->plan_owner[m->n_plans++] = json_integer_value(owner);
		}
	}
	json_decref(j);
	return 0;
}

static void org_map_add(struct org_map *m, long long id, const char *code)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->ids[i] == id)
			return;
	long long *a = realloc(m->ids, (m->n + 1) * sizeof *a);
	if (!a)
		return;
	m->ids = a;
	char **b = realloc(m->codes, (m->n + 1) * sizeof *b);
	if (!b)
		return;
	m->codes = b;
	if ((m->codes[m->n] = strdup(code)))
		m->ids[m->n++] = id;
}

static void org_map_build(struct replica *r, struct org_map *m)
{
	*m = (struct org_map){0};
	if (replica_each(r, "plan", NULL, collect_plan, m) != 0)
		return;
	struct replica_arena a = REPLICA_ARENA_INIT;
	Karta__Plan **plans;
	size_t n;
	if (replica_plan_list(r, &plans, &n, &a) == 0)
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < m->n_plans; k++)
				if (strcasecmp(m->plan_ids[k], plans[i]->id) == 0 &&
				    *plans[i]->owner_code)
					org_map_add(m, m->plan_owner[k], plans[i]->owner_code);
	replica_arena_free(&a);
}

static void org_map_free(struct org_map *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->codes[i]);
	free(m->ids);
	free(m->codes);
	free(m->plan_ids);
	free(m->plan_owner);
}

/* The code of an organization id, else "#id". */
static const char *org_code(const struct org_map *m, json_t *id, char *buf, size_t n)
{
	if (!json_is_integer(id))
		return "";
	for (size_t i = 0; i < m->n; i++)
		if (m->ids[i] == json_integer_value(id))
			return m->codes[i];
	snprintf(buf, n, "#%lld", (long long)json_integer_value(id));
	return buf;
}

struct rows {
	json_t *requests;    /* array of payloads */
	json_t *submissions; /* array of payloads */
};

static int collect_json(void *arg, const char *id, const char *payload, bool pending)
{
	(void)id, (void)pending;
	json_t *j = json_loads(payload, 0, NULL);
	if (j)
		json_array_append_new(arg, j);
	return 0;
}

static const char *jtext(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* "2026-12-01", or the period "2026-11-01..2026-11-30" (with "due …" when both). */
static void request_when(json_t *q, bool people, char *buf, size_t n)
{
	char due[16], from[16], to[16]; /* for people дд.мм.гггг (a table's date column converts its own) */
	kt_date_people(jtext(q, "due_date"), people, due, sizeof due);
	kt_date_people(jtext(q, "period_from"), people, from, sizeof from);
	kt_date_people(jtext(q, "period_to"), people, to, sizeof to);
	if (*to && *due)
		snprintf(buf, n, _("%s (for %s..%s)"), due, from, to);
	else if (*to)
		snprintf(buf, n, "%s..%s", from, to);
	else
		snprintf(buf, n, "%s", due);
}

/* "school", "mun1, mun2", "level school + group X". */
static void request_who(json_t *q, char *buf, size_t n)
{
	json_t *s = json_object_get(q, "submitters"), *v;
	size_t i;
	buf[0] = '\0';
	const char *lvl = jtext(s, "level");
	if (*lvl)
		snprintf(buf, n, "%s", strcmp(lvl, "school") == 0 ? _("every school")
			: strcmp(lvl, "municipality") == 0 ? _("every municipality") : lvl);
	if (*lvl && strcmp(lvl, "school") != 0 && strcmp(lvl, "municipality") != 0)
		snprintf(buf, n, _("every %s"), lvl);
	const char *keys[] = {"orgs", "groups"};
	for (int k = 0; k < 2; k++)
		json_array_foreach(json_object_get(s, keys[k]), i, v) {
			size_t len = strlen(buf);
			if (json_is_string(v) && len + 2 < n)
				snprintf(buf + len, n - len, "%s%s%s", len ? ", " : "",
					k ? _("group ") : "", json_string_value(v));
		}
}

static json_t *request_of(const struct rows *rw, const char *id)
{
	size_t i;
	json_t *q;
	json_array_foreach(rw->requests, i, q)
		if (strcasecmp(jtext(q, "id"), id) == 0)
			return q;
	return NULL;
}

/* Sorting: requests by deadline, title; submissions by request, organization, version. */
static int cmp_request(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	char wx[96], wy[96];
	request_when(x, false, wx, sizeof wx); /* ISO: sorts by date */
	request_when(y, false, wy, sizeof wy);
	int c = strcmp(wx, wy);
	return c ? c : strcmp(jtext(x, "title"), jtext(y, "title"));
}

static int cmp_submission(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(jtext(x, "request_id"), jtext(y, "request_id"));
	if (c)
		return c;
	json_int_t ox = json_integer_value(json_object_get(x, "org_id")),
		   oy = json_integer_value(json_object_get(y, "org_id"));
	if (ox != oy)
		return ox < oy ? -1 : 1;
	json_int_t vx = json_integer_value(json_object_get(x, "version_no")),
		   vy = json_integer_value(json_object_get(y, "version_no"));
	return vx < vy ? -1 : vx > vy;
}

static void sort_array(json_t *arr, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(arr);
	json_t **v = malloc((n + 1) * sizeof *v);
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof *v, cmp);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

/* The local replica, or NULL after saying why; *never: it has never synced. */
static struct replica *report_replica(struct client *cl, bool *never)
{
	struct replica *r = client_replica(cl);
	if (!r)
		return NULL;
	char last[64] = "";
	replica_meta_get(r, REPLICA_META_LAST_SYNC, last, sizeof last);
	*never = !*last;
	if (*never)
		fprintf(stderr, _("karta: the local replica has never synced: run 'karta sync' to "
				"fetch the report requests and submissions\n"));
	return r;
}

struct pending_count {
	long n;
};

static int count_report_op(void *arg, const struct replica_pending *p)
{
	struct pending_count *c = arg;
	c->n += strncmp(p->entity_type, "report_", 7) == 0;
	return 0;
}

static void note_queued(struct replica *r)
{
	struct pending_count c = {0};
	if (replica_outbox_each(r, count_report_op, &c) == 0 && c.n > 0)
		fprintf(stderr, P_("karta: %ld report change queued, not shown yet: 'karta sync' "
				   "sends it\n", "karta: %ld report changes queued, not shown yet: "
				   "'karta sync' sends them\n", c.n), c.n);
}

static int load_rows(struct replica *r, struct rows *rw)
{
	rw->requests = json_array();
	rw->submissions = json_array();
	if (!rw->requests || !rw->submissions ||
	    replica_each(r, "report_request", NULL, collect_json, rw->requests) != 0 ||
	    replica_each(r, "report_submission", NULL, collect_json, rw->submissions) != 0) {
		fprintf(stderr, _("karta: cannot read the local replica: %s\n"), replica_error(r));
		return EXIT_RUNTIME;
	}
	sort_array(rw->requests, cmp_request);
	sort_array(rw->submissions, cmp_submission);
	return EXIT_OK;
}

static void rows_free(struct rows *rw)
{
	json_decref(rw->requests);
	json_decref(rw->submissions);
}

enum { L_REQ, L_TITLE, L_DUE, L_RECEIVER, L_WHO, L_SUB, L_ORG, L_VER, L_STATE, L_SENT,
	L_REASON, L_N };
static const struct kt_col list_cols[L_N] = {
	[L_REQ] = {"request", KT_COL_ID, 0}, [L_TITLE] = {"title", KT_COL_TEXT, 40},
	[L_DUE] = {"due", KT_COL_DATE, 0}, [L_RECEIVER] = {"receiver", KT_COL_TEXT, 0},
	[L_WHO] = {"from", KT_COL_TEXT, 24}, [L_SUB] = {"submission", KT_COL_ID, 0},
	[L_ORG] = {"org", KT_COL_TEXT, 0}, [L_VER] = {"no", KT_COL_INT, 0},
	[L_STATE] = {"state", KT_COL_TEXT, 0}, [L_SENT] = {"submitted", KT_COL_DATE, 0},
	[L_REASON] = {"return reason", KT_COL_TEXT, 40},
};

/* One row per submission, and one per request nobody answered yet. */
static int list_add(struct kt_table *t, const struct org_map *m, json_t *q, json_t *s,
	const char *rid, bool people)
{
	char when[96] = "", who[256] = "", ver[24] = "", sent[64] = "", b1[32], b2[32];
	const char *cells[L_N] = {0};
	cells[L_REQ] = rid;
	if (q) {
		request_when(q, false, when, sizeof when);
		request_who(q, who, sizeof who);
		cells[L_TITLE] = jtext(q, "title");
		cells[L_RECEIVER] = org_code(m, json_object_get(q, "receiver_org_id"), b1, sizeof b1);
		if (json_is_true(json_object_get(q, "cancelled")))
			snprintf(who + strlen(who), sizeof who - strlen(who), "%s", _(" (cancelled)"));
	}
	cells[L_DUE] = when;
	cells[L_WHO] = who;
	if (s) {
		cells[L_SUB] = jtext(s, "id");
		cells[L_ORG] = org_code(m, json_object_get(s, "org_id"), b2, sizeof b2);
		snprintf(ver, sizeof ver, "%lld",
			(long long)json_integer_value(json_object_get(s, "version_no")));
		cells[L_STATE] = people ? terms_word(TERMS_REPORT_STATE, jtext(s, "state"))
					: jtext(s, "state");
		report_short_time(jtext(s, "submitted_at"), people, sent, sizeof sent);
		cells[L_REASON] = jtext(s, "return_reason");
	}
	cells[L_VER] = ver;
	cells[L_SENT] = sent;
	return kt_table_add(t, cells);
}

static int write_kt(struct kt_table *t, const struct plan_fmt_out *fo, FILE *out)
{
	struct kt_table_opts to = {.fit = KT_FIT_CUT, .bom = fo->bom};
	if (!t)
		table_out_fail(_("out of memory"));
	int rc = t ? table_out_write(t, fo, &to, "Отчёты", out) : -1;
	kt_table_free(t);
	return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

int report_list(struct client *cl, int argc, char **argv)
{
	struct plan_fmt_out fo;
	struct table_out out;
	int rc;
	if (!table_out_command("report list", help_report_list, argc, argv, &out, &fo, &rc))
		return rc;
	bool never;
	struct replica *r = report_replica(cl, &never);
	if (!r)
		return table_out_close(&out, &fo, EXIT_RUNTIME);
	struct rows rw;
	rc = load_rows(r, &rw);
	if (rc == EXIT_OK) {
		struct org_map m;
		org_map_build(r, &m);
		struct kt_table *t = kt_table_new(list_cols, L_N);
		size_t i, k;
		json_t *q, *s;
		/* requests in order, each with its submissions */
		json_array_foreach(rw.requests, i, q) {
			bool any = false;
			json_array_foreach(rw.submissions, k, s)
				if (t && strcasecmp(jtext(s, "request_id"), jtext(q, "id")) == 0) {
					any = true;
					if (list_add(t, &m, q, s, jtext(q, "id"), fo.format == KT_TABLE_TEXT) != 0) {
						kt_table_free(t);
						t = NULL;
					}
				}
			if (t && !any && list_add(t, &m, q, NULL, jtext(q, "id"), fo.format == KT_TABLE_TEXT) != 0) {
				kt_table_free(t);
				t = NULL;
			}
		}
		/* submissions whose request this replica does not hold */
		json_array_foreach(rw.submissions, k, s)
			if (t && !request_of(&rw, jtext(s, "request_id")) &&
			    list_add(t, &m, NULL, s, jtext(s, "request_id"),
				     fo.format == KT_TABLE_TEXT) != 0) {
				kt_table_free(t);
				t = NULL;
			}
		if (t && kt_table_rows(t) == 0 && fo.format == KT_TABLE_TEXT) {
			kt_table_free(t);
			printf(_("no report requests or submissions%s\n"),
				never ? _(" (never synced)") : "");
		} else {
			rc = write_kt(t, &fo, out.f);
		}
		org_map_free(&m);
	}
	note_queued(r);
	rows_free(&rw);
	return table_out_close(&out, &fo, rc);
}

/* A field/value block. */
static struct kt_table *kv_new(void)
{
	static const struct kt_col cols[] = {{"field", KT_COL_TEXT, 0}, {"value", KT_COL_TEXT, 90}};
	return kt_table_new(cols, 2);
}

static void kv(struct kt_table **t, const char *k, const char *v)
{
	const char *cells[2] = {k, v ? v : ""};
	if (*t && v && *v && kt_table_add(*t, cells) != 0) {
		kt_table_free(*t);
		*t = NULL;
	}
}

static void kv_time(struct kt_table **t, const char *k, json_t *o, const char *key)
{
	char b[64];
	report_short_time(jtext(o, key), kt_table_get_style()->people, b, sizeof b);
	kv(t, k, b);
}

static void kv_version(struct kt_table **t, json_t *o)
{
	char b[24];
	snprintf(b, sizeof b, "%lld", (long long)json_integer_value(json_object_get(o, "row_version")));
	kv(t, _("version"), b);
}

/* «приказ № 12 от 2023-10-01 (Приказ №12 от 01.10.2023); file.pdf; count 25; 2 records» */
static void evidence_text(json_t *e, char *buf, size_t n)
{
	json_t *d = json_object_get(e, "document"), *a = json_object_get(e, "attachment");
	buf[0] = '\0';
	size_t len = 0;
#define ADD(...) (len < n ? (len += (size_t)snprintf(buf + len, n - len, __VA_ARGS__)) : 0)
	if (d) {
		const char *title = jtext(d, "title");
		ADD("%s", title);
		if (*jtext(d, "date") && !strstr(title, jtext(d, "date")))
			ADD(" [%s]", jtext(d, "date"));
	}
	if (a)
		ADD("%s%s", len ? "; " : "", jtext(a, "ref"));
	if (json_is_integer(json_object_get(e, "count")))
		ADD(_("%scount %lld"), len ? "; " : "",
			(long long)json_integer_value(json_object_get(e, "count")));
	if (json_array_size(json_object_get(e, "records")))
		ADD(P_("%s%zu record", "%s%zu records", json_array_size(json_object_get(e, "records"))),
			len ? "; " : "", json_array_size(json_object_get(e, "records")));
#undef ADD
}

static int show_request(struct replica *r, const struct rows *rw, const struct org_map *m,
	json_t *q, const struct plan_fmt_out *fo)
{
	char when[96], who[256], b[32], item[600] = "";
	request_when(q, kt_table_get_style()->people, when, sizeof when);
	request_who(q, who, sizeof who);
	char *ip = NULL;
	if (replica_get(r, "plan_item", jtext(q, "item_id"), &ip, NULL) == 0) {
		json_t *it = json_loads(ip, 0, NULL);
		snprintf(item, sizeof item, "%s %s (%s)", jtext(it, "number"), jtext(it, "title"),
			jtext(q, "item_id"));
		json_decref(it);
	} else {
		snprintf(item, sizeof item, "%s", jtext(q, "item_id"));
	}
	free(ip);
	struct kt_table *t = kv_new();
	kv(&t, _("request"), jtext(q, "id"));
	kv(&t, _("title"), jtext(q, "title"));
	kv(&t, _("item"), item);
	kv(&t, _("due"), when);
	kv(&t, _("receiver"), org_code(m, json_object_get(q, "receiver_org_id"), b, sizeof b));
	kv(&t, _("from"), who);
	if (strcasecmp(jtext(q, "series_id"), jtext(q, "id")) != 0)
		kv(&t, _("series"), jtext(q, "series_id"));
	if (json_is_true(json_object_get(q, "cancelled")))
		kv(&t, _("cancelled"), _("yes"));
	kv_version(&t, q);
	kv_time(&t, _("updated"), q, "updated_at");
	struct kt_table_opts to = {.no_header = true};
	int rc = t && kt_table_write(t, KT_TABLE_TEXT, &to, stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
	kt_table_free(t);
	if (rc != EXIT_OK)
		return rc;
	struct kt_table *st = kt_table_new(list_cols, L_N);
	size_t k;
	json_t *s;
	json_array_foreach(rw->submissions, k, s)
		if (st && strcasecmp(jtext(s, "request_id"), jtext(q, "id")) == 0 &&
		    list_add(st, m, q, s, jtext(q, "id"), true) != 0) {
			kt_table_free(st);
			st = NULL;
		}
	if (st && kt_table_rows(st) == 0) {
		kt_table_free(st);
		printf(_("\nno submissions here yet\n"));
		return EXIT_OK;
	}
	printf(_("\nsubmissions:\n"));
	return write_kt(st, fo, stdout);
}

static int show_submission(const struct rows *rw, const struct org_map *m, json_t *s)
{
	char b[32], ver[24], ev[2048], req[600];
	json_t *q = request_of(rw, jtext(s, "request_id"));
	snprintf(req, sizeof req, "%s%s%s%s", q ? jtext(q, "title") : "", q ? " (" : "",
		jtext(s, "request_id"), q ? ")" : "");
	snprintf(ver, sizeof ver, "%lld",
		(long long)json_integer_value(json_object_get(s, "version_no")));
	evidence_text(json_object_get(s, "evidence"), ev, sizeof ev);
	struct kt_table *t = kv_new();
	kv(&t, _("submission"), jtext(s, "id"));
	kv(&t, _("request"), req);
	kv(&t, _("org"), org_code(m, json_object_get(s, "org_id"), b, sizeof b));
	kv(&t, _("number"), ver);
	kv(&t, _("supersedes"), jtext(s, "supersedes"));
	kv(&t, _("state"), terms_word(TERMS_REPORT_STATE, jtext(s, "state")));
	kv(&t, _("comment"), jtext(s, "comment"));
	kv(&t, _("evidence"), ev);
	kv(&t, _("return reason"), jtext(s, "return_reason"));
	kv_time(&t, _("submitted"), s, "submitted_at");
	kv_time(&t, _("decided"), s, "decided_at");
	kv_version(&t, s);
	kv_time(&t, _("updated"), s, "updated_at");
	struct kt_table_opts to = {.no_header = true};
	int rc = t && kt_table_write(t, KT_TABLE_TEXT, &to, stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
	kt_table_free(t);
	return rc;
}

int report_show(struct client *cl, int argc, char **argv)
{
	enum { O_FORMAT, O_N };
	struct opt o[O_N + 1] = {[O_FORMAT] = OPTS_FORMAT("table|json")};
	struct opt_cmd c = {"report show", "ID", 1, help_report_show, o};
	const char *pos[1];
	int rc;
	if (!opts_parse_id(&c, argc, argv, "request or submission", pos, &rc))
		return rc;
	bool never;
	struct replica *r = report_replica(cl, &never);
	if (!r)
		return EXIT_RUNTIME;
	struct rows rw;
	if ((rc = load_rows(r, &rw)) != EXIT_OK) {
		rows_free(&rw);
		return rc;
	}
	json_t *q = request_of(&rw, pos[0]), *s = NULL, *x;
	size_t i;
	json_array_foreach(rw.submissions, i, x)
		if (strcasecmp(jtext(x, "id"), pos[0]) == 0)
			s = x;
	struct plan_fmt_out fo = plan_fmt_out_of(o[O_FORMAT].str, false, false);
	if (!q && !s) {
		fprintf(stderr, _("karta: no report request or submission %s in the local replica%s\n"),
			pos[0], never ? "" : _(" (run 'karta sync' to fetch the newest)"));
		note_queued(r);
		rows_free(&rw);
		return EXIT_RUNTIME;
	}
	if (fo.format == KT_TABLE_JSON) {
		json_t *out = json_object();
		json_object_set(out, q ? "request" : "submission", q ? q : s);
		if (q) {
			json_t *subs = json_array();
			json_array_foreach(rw.submissions, i, x)
				if (strcasecmp(jtext(x, "request_id"), pos[0]) == 0)
					json_array_append(subs, x);
			json_object_set_new(out, "submissions", subs);
		}
		rc = json_dumpf(out, stdout, JSON_INDENT(2)) == 0 ? EXIT_OK : EXIT_RUNTIME;
		putchar('\n');
		json_decref(out);
	} else {
		struct org_map m;
		org_map_build(r, &m);
		rc = q ? show_request(r, &rw, &m, q, &fo) : show_submission(&rw, &m, s);
		org_map_free(&m);
	}
	rows_free(&rw);
	return rc;
}

