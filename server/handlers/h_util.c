/* h_util: see h_util.h. The SQLSTATE table is the only place database errors become
 * protocol statuses; the client never sees SQL text or constraint names. */
#include "h_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../session.h"
#include "kt_deadline.h"
#include "kt_jtext.h"
#include "kt_log.h"
#include "kt_msg.h"
#include "kt_parties.h"

struct pending *pending_new(struct session *sess, uint32_t rid)
{
	struct pending *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->sess = sess;
	p->rid = rid;
	snprintf(p->device, sizeof p->device, "%lld", sess->who.device_id);
	session_ref(sess);
	return p;
}

void pending_free(struct pending *p)
{
	if (!p)
		return;
	session_unref(p->sess);
	free(p->json);
	if (p->extra_free)
		p->extra_free(p->extra);
	else
		free(p->extra);
	free(p);
}

bool pending_gone(const struct pending *p) { return session_gone(p->sess); }

struct pending *pending_new_extra(struct session *sess, uint32_t rid, size_t size,
	void (*extra_free)(void *extra))
{
	struct pending *p = pending_new(sess, rid);
	void *x = p ? calloc(1, size) : NULL;
	if (!x) {
		pending_free(p);
		return NULL;
	}
	p->extra = x;
	p->extra_free = extra_free;
	return p;
}

int pending_query(struct pending *p, const char *sql, int n, const char *const *params, db_cb cb)
{
	if (db_query(p->sess->db, sql, n, params, cb, p) == 0)
		return 0;
	session_error(p->sess, p->rid, KARTA__STATUS__STATUS_BUSY, "server busy: try again later");
	pending_free(p);
	return -1;
}

int pending_read_by_id(struct session *sess, uint32_t rid, const char *field, const char *id,
	const char *sql, db_cb cb)
{
	const char *bad = check_uuid(field, id);
	if (bad)
		return session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad), 0;
	struct pending *p = pending_new(sess, rid);
	if (!p)
		return -1;
	snprintf(p->id, sizeof p->id, "%s", id);
	const char *params[2] = {p->device, p->id};
	pending_query(p, sql, 2, params, cb);
	return 0;
}

static const struct {
	const char *sqlstate_prefix;
	Karta__Status status;
	const char *message;
} sqlstates[] = {
	{"22P02", KARTA__STATUS__STATUS_BAD_REQUEST, "a field has an invalid value"},
	{"22007", KARTA__STATUS__STATUS_BAD_REQUEST, "a date is not a valid date (YYYY-MM-DD)"},
	{"22008", KARTA__STATUS__STATUS_BAD_REQUEST, "a date is out of range"},
	{"22003", KARTA__STATUS__STATUS_BAD_REQUEST, "a number is out of range"},
	{"23514", KARTA__STATUS__STATUS_BAD_REQUEST, "a field is out of its allowed range"},
	{"23503", KARTA__STATUS__STATUS_BAD_REQUEST, "a referenced row does not exist"},
	{"23502", KARTA__STATUS__STATUS_BAD_REQUEST, "a required field is missing"},
	{"23505", KARTA__STATUS__STATUS_CONFLICT, "the row exists already"},
	{"40001", KARTA__STATUS__STATUS_BUSY, "concurrent update: try again"},
	{"40P01", KARTA__STATUS__STATUS_BUSY, "concurrent update: try again"},
	{"57014", KARTA__STATUS__STATUS_BUSY, "the request took too long: try again later"},
	{"08", KARTA__STATUS__STATUS_BUSY, "database unavailable: try again later"},
	/* A failover: the old primary went read-only or shut down under us. */
	{"25006", KARTA__STATUS__STATUS_BUSY, "database switching over: try again later"},
	{"57P", KARTA__STATUS__STATUS_BUSY, "database restarting: try again later"},
	{"", KARTA__STATUS__STATUS_INTERNAL, "internal error"},
};

Karta__Status api_status(const char *w)
{
	return (Karta__Status)kt_status_of_word(w);
}

/* The first line of a database error for the log, with every quoted value ("…" as
 * PostgreSQL quotes input values) blanked: values may be personal data, names of
 * constraints and types are not. */
static void redact_first_line(char *out, size_t n, const char *err)
{
	size_t o = 0;
	bool quoted = false;
	for (; *err && *err != '\n' && o + 4 < n; err++) {
		if (*err == '"') {
			quoted = !quoted;
			if (quoted) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			continue;
		}
		if (!quoted)
			out[o++] = *err == '\\' ? '/' : *err;
	}
	out[o] = '\0';
}

bool pending_result_ok(struct pending *p, const struct db_result *res, const char *what)
{
	if (pending_gone(p))
		return false;
	if (!db_result_ok(res)) {
		reply_db_error(p, res, what);
		return false;
	}
	return true;
}

bool pending_row_readable(struct pending *p, const struct db_result *res, int access_col,
	const char *noun)
{
	if (db_result_rows(res) == 0) {
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_NOT_FOUND, "no %s %s", noun, p->id);
		return false;
	}
	if (strcmp(db_result_get(res, 0, access_col), "none") == 0) {
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_PERMISSION_DENIED,
			"no access to %s %s", noun, p->id);
		return false;
	}
	return true;
}

void reply_db_error(struct pending *p, const struct db_result *res, const char *what)
{
	const char *state = db_result_sqlstate(res);
	const char *err = db_result_error(res);
	/* API functions raise "status:message" (P0001) to roll a whole request back. */
	if (strcmp(state, "P0001") == 0) {
		const char *msg = db_result_message(res);
		size_t wl = strcspn(msg, ":");
		char word[16];
		if (msg[wl] == ':' && wl < sizeof word) {
			memcpy(word, msg, wl);
			word[wl] = '\0';
			session_error(p->sess, p->rid, api_status(word), "%s", msg + wl + 1);
			return;
		}
	}
	char reason[256];
	redact_first_line(reason, sizeof reason, err);
	if (!*state) { /* no SQLSTATE: the connection failed or none could be had */
		session_log(p->sess, KT_LOG_WARN, "event=db_error query=%s reason=\"%s\"", what, reason);
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_BUSY,
			"database unavailable: try again later");
		return;
	}
	for (size_t i = 0; i < sizeof sqlstates / sizeof sqlstates[0]; i++) {
		size_t n = strlen(sqlstates[i].sqlstate_prefix);
		if (strncmp(state, sqlstates[i].sqlstate_prefix, n) != 0)
			continue;
		session_log(p->sess, sqlstates[i].status == KARTA__STATUS__STATUS_INTERNAL ? KT_LOG_ERROR
										       : KT_LOG_INFO,
			"event=db_error query=%s sqlstate=%s reason=\"%s\"", what, state, reason);
		session_error(p->sess, p->rid, sqlstates[i].status, "%s", sqlstates[i].message);
		return;
	}
}

const char *check_uuid(const char *field, const char *s)
{
	static char msg[96];
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	bool ok = s && strlen(s) == sizeof shape - 1;
	for (size_t i = 0; ok && i < sizeof shape - 1; i++)
		ok = shape[i] == '-' ? s[i] == '-' : strchr("0123456789abcdefABCDEF", s[i]) && s[i];
	if (ok)
		return NULL;
	snprintf(msg, sizeof msg, "%s is not a UUID", field);
	return msg;
}

/* Characters, not bytes: limits are documented in characters (docs/plans.md). */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

const char *check_text(const char *field, const char *s, size_t max_chars, bool required)
{
	static char msg[128];
	if (required && (!s || !*s)) {
		snprintf(msg, sizeof msg, "%s is required", field);
		return msg;
	}
	if (s && utf8_chars(s) > max_chars) {
		snprintf(msg, sizeof msg, "%s is longer than %zu characters", field, max_chars);
		return msg;
	}
	return NULL;
}

void item_normalize(json_t *body, int academic_year)
{
	struct kt_deadline dl;
	struct kt_date last;
	const char *dtext = json_string_value(json_object_get(body, "deadline_text"));
	kt_deadline_parse(dtext ? dtext : "", academic_year, &dl);
	json_object_set_new(body, "deadline", kt_deadline_to_json(&dl));
	json_object_set_new(body, "deadline_kind", json_string(kt_deadline_kind_name(dl.kind)));
	if (kt_deadline_last_day(&dl, &last) && last.y > 0) {
		char d[40];
		snprintf(d, sizeof d, "%04d-%02d-%02d", last.y, last.m, last.d);
		json_object_set_new(body, "deadline_last", json_string(d));
	}
	const char *resp = json_string_value(json_object_get(body, "responsible_text"));
	const char *target = json_string_value(json_object_get(body, "target_text"));
	json_object_set_new(body, "responsible", kt_parties_responsible(resp));
	json_object_set_new(body, "targets", kt_parties_targets(target));
}

void item_normalize_text(const char *deadline_text, const char *responsible_text,
	const char *target_text, int academic_year, struct kt_jtext *t)
{
	struct kt_deadline dl;
	struct kt_date last;
	kt_deadline_parse(deadline_text, academic_year, &dl);
	/* (a deadline kt_deadline_to_json fails on is left out, as json_object_set_new does) */
	size_t mark = t->n;
	kt_jtext_lit(t, ",\"deadline\":");
	if (!kt_deadline_json_text(&dl, t) && !t->failed) {
		t->n = mark;
		t->s[mark] = '\0';
	}
	kt_jtext_lit(t, ",\"deadline_kind\":");
	kt_jtext_str(t, kt_deadline_kind_name(dl.kind));
	if (kt_deadline_last_day(&dl, &last) && last.y > 0) {
		char d[64];
		int n = snprintf(d, sizeof d, ",\"deadline_last\":\"%04d-%02d-%02d\"", last.y, last.m,
			last.d);
		kt_jtext_raw(t, d, (size_t)n);
	}
	kt_jtext_lit(t, ",\"responsible\":");
	kt_parties_responsible_text(responsible_text, t);
	kt_jtext_lit(t, ",\"targets\":");
	kt_parties_targets_text(target_text, t);
}

const char *check_item_texts(const Karta__Item *it)
{
	const char *bad;
	if ((bad = check_text("title", it->title, 4000, true)) ||
	    (bad = check_text("number", it->number, 32, false)) ||
	    (bad = check_text("deadline_text", it->deadline_text, 1000, false)) ||
	    (bad = check_text("responsible_text", it->responsible_text, 4000, false)) ||
	    (bad = check_text("municipal_action", it->municipal_action, 8000, false)) ||
	    (bad = check_text("institutional_action", it->institutional_action, 8000, false)) ||
	    (bad = check_text("result_text", it->result_text, 8000, false)) ||
	    (bad = check_text("target_text", it->target_text, 4000, false)))
		return bad;
	if (it->ordinal < 1)
		return "ordinal must be 1 or more";
	return NULL;
}
