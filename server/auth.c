/* auth: device lookup after the TLS handshake (see auth.h). Revocation takes effect on the
 * next connection because nothing about a device is cached. */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "db/db.h"
#include "kt_log.h"
#include "server.h"
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

static void refuse(struct conn *c, Karta__Status st, const char *event, const char *msg)
{
	conn_log(c, KT_LOG_INFO, "event=%s device=%.16s", event, c->who.fingerprint);
	session_error(c, 0, st, "%s", msg);
	conn_close(c, event);
	conn_auth_done(c, false);
}

static void device_cb(struct db_result *res, void *arg)
{
	struct conn *c = arg;
	if (c->closing) {
		conn_unref(c);
		return;
	}
	if (!db_result_ok(res)) {
		static struct kt_log_limit lim; /* a database outage: every connection lands here */
		conn_log_limited(c, &lim, KT_LOG_ERROR,
			"event=db_error query=device reason=\"%.*s\"",
			(int)strcspn(db_result_error(res), "\n"), db_result_error(res));
		metrics_inc(c->srv->metrics, M_AUTH_BUSY);
		refuse(c, KARTA__STATUS__STATUS_BUSY, "auth_unavailable",
			"cannot check the device now: try again later");
	} else if (db_result_rows(res) == 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "unknown device: certificate %s is not registered",
			c->who.fingerprint);
		metrics_inc(c->srv->metrics, M_AUTH_UNKNOWN);
		refuse(c, KARTA__STATUS__STATUS_UNAUTHENTICATED, "unknown_device", msg);
	} else if (strcmp(db_result_get(res, 0, 1), "active") != 0) {
		metrics_inc(c->srv->metrics, M_AUTH_REVOKED);
		refuse(c, KARTA__STATUS__STATUS_UNAUTHENTICATED, "revoked_device",
			"device revoked: ask your coordinator for a new certificate");
	} else {
		struct conn_identity *w = &c->who;
		metrics_inc(c->srv->metrics, M_AUTH_OK);
		w->device_id = atoll(db_result_get(res, 0, 0));
		snprintf(w->role, sizeof w->role, "%s", db_result_get(res, 0, 2));
		w->org_id = atoll(db_result_get(res, 0, 3));
		snprintf(w->org_code, sizeof w->org_code, "%s", db_result_get(res, 0, 4));
		snprintf(w->org_name, sizeof w->org_name, "%s", db_result_get(res, 0, 5));
		snprintf(w->org_level, sizeof w->org_level, "%s", db_result_get(res, 0, 6));
		snprintf(w->parent_code, sizeof w->parent_code, "%s", db_result_get(res, 0, 7));
		conn_log(c, KT_LOG_INFO, "event=auth device=%.16s level=%s role=%s peer=%s",
			w->fingerprint, w->org_level, w->role, c->peer);
		const char *params[1] = {db_result_get(res, 0, 0)};
		if (db_query(c->srv->db, seen_sql, 1, params, ignore_result, NULL) != 0)
			conn_log(c, KT_LOG_DEBUG, "event=device_seen_skipped reason=busy");
		conn_auth_done(c, true);
	}
	conn_unref(c);
}

void auth_start(struct conn *c)
{
	const char *params[1] = {c->who.fingerprint};
	conn_ref(c);
	if (db_query(c->srv->db, device_sql, 1, params, device_cb, c) != 0) {
		conn_unref(c);
		metrics_inc(c->srv->metrics, M_AUTH_BUSY);
		refuse(c, KARTA__STATUS__STATUS_BUSY, "auth_busy", "server busy: try again later");
	}
}
