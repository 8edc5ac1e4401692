/* auth: device lookup after the TLS handshake (see auth.h). Revocation takes effect on the
 * next connection because nothing about a device is cached. */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "db/db.h"
#include "guard.h"
#include "kt_log.h"
#include "session.h"

static const char device_sql[] =
	"SELECT d.id, d.status, d.role, o.id, o.code, o.name, o.level, coalesce(p.code, '')"
	" FROM device d JOIN organization o ON o.id = d.org_id"
	" LEFT JOIN organization p ON p.id = o.parent_id"
	" WHERE d.fingerprint = $1";

static const char seen_sql[] = "UPDATE device SET last_seen = now() WHERE id = $1";

static void ignore_result(struct db_result *res, void *arg)
{
	if (!db_result_ok(res))
		kt_log(KT_LOG_WARN, "event=db_error query=device_seen reason=\"%.*s\"",
			(int)strcspn(db_result_error(res), "\n"), db_result_error(res));
}

static void refuse(struct session *s, Karta__Status st, const char *event, const char *msg)
{
	session_log(s, KT_LOG_INFO, "event=%s device=%.16s", event, s->who.fingerprint);
	session_error(s, 0, st, "%s", msg);
	session_close(s, event);
}

static enum session_role rank_of(const char *role)
{
	return strcmp(role, "coordinator") == 0 ? ROLE_COORDINATOR
		: strcmp(role, "operator") == 0 ? ROLE_OPERATOR
		: strcmp(role, "viewer") == 0 ? ROLE_VIEWER
		: ROLE_NONE;
}

/* The device is known and active: one connection more of it, if it may have one. */
static void admit(struct session *s)
{
	struct conn *c = s->conn;
	if (!guard_device_take(c, s->who.device_id)) {
		static struct kt_log_limit lim;
		session_log_limited(s, &lim, KT_LOG_WARN,
			"event=device_conns_refused device=%.16s limit=%ld peer=%s", s->who.fingerprint,
			s->cfg->max_conns_per_device, c->peer);
		session_error(s, 0, KARTA__STATUS__STATUS_BUSY,
			"too many connections from this device (limit %ld): close some and retry",
			s->cfg->max_conns_per_device);
		session_close(s, "too many connections from this device");
		return;
	}
	conn_accept_frames(c); /* Hello may already be waiting */
}

static void device_cb(struct db_result *res, void *arg)
{
	struct session *s = arg;
	struct conn *c = s->conn;
	if (session_gone(s)) {
		session_unref(s);
		return;
	}
	if (!db_result_ok(res)) {
		static struct kt_log_limit lim; /* a database outage: every connection lands here */
		bool outage = strncmp(db_result_sqlstate(res), "08", 2) == 0; /* not an internal error */
		session_log_limited(s, &lim, outage ? KT_LOG_WARN : KT_LOG_ERROR,
			"event=db_error query=device reason=\"%.*s\"",
			(int)strcspn(db_result_error(res), "\n"), db_result_error(res));
		metrics_inc(s->metrics, M_AUTH_BUSY);
		refuse(s, KARTA__STATUS__STATUS_BUSY, "auth_unavailable",
			"cannot check the device now: try again later");
	} else if (db_result_rows(res) == 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "unknown device: certificate %s is not registered",
			s->who.fingerprint);
		metrics_inc(s->metrics, M_AUTH_UNKNOWN);
		refuse(s, KARTA__STATUS__STATUS_UNAUTHENTICATED, "unknown_device", msg);
	} else if (strcmp(db_result_get(res, 0, 1), "active") != 0) {
		metrics_inc(s->metrics, M_AUTH_REVOKED);
		refuse(s, KARTA__STATUS__STATUS_UNAUTHENTICATED, "revoked_device",
			"device revoked: ask your coordinator for a new certificate");
	} else {
		struct session_identity *w = &s->who;
		metrics_inc(s->metrics, M_AUTH_OK);
		w->device_id = atoll(db_result_get(res, 0, 0));
		snprintf(w->role, sizeof w->role, "%s", db_result_get(res, 0, 2));
		w->rank = rank_of(w->role);
		w->org_id = atoll(db_result_get(res, 0, 3));
		snprintf(w->org_code, sizeof w->org_code, "%s", db_result_get(res, 0, 4));
		snprintf(w->org_name, sizeof w->org_name, "%s", db_result_get(res, 0, 5));
		snprintf(w->org_level, sizeof w->org_level, "%s", db_result_get(res, 0, 6));
		snprintf(w->parent_code, sizeof w->parent_code, "%s", db_result_get(res, 0, 7));
		conn_set_label(c, w->org_code);
		session_log(s, KT_LOG_INFO, "event=auth device=%.16s level=%s role=%s peer=%s",
			w->fingerprint, w->org_level, w->role, c->peer);
		const char *params[1] = {db_result_get(res, 0, 0)};
		if (db_query(s->db, seen_sql, 1, params, ignore_result, NULL) != 0)
			session_log(s, KT_LOG_DEBUG, "event=device_seen_skipped reason=busy");
		admit(s);
	}
	session_unref(s);
}

void auth_start(struct session *s)
{
	snprintf(s->who.fingerprint, sizeof s->who.fingerprint, "%s", s->conn->fingerprint);
	const char *params[1] = {s->who.fingerprint};
	session_ref(s);
	if (db_query(s->db, device_sql, 1, params, device_cb, s) != 0) {
		session_unref(s);
		metrics_inc(s->metrics, M_AUTH_BUSY);
		refuse(s, KARTA__STATUS__STATUS_BUSY, "auth_busy", "server busy: try again later");
	}
}
