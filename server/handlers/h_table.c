/* h_table: TableRequest → Table{columns, rows}: the computed tables — roll-ups, overdue
 * lists (docs/reports.md), duplicate people (docs/registries.md), control reports, seating
 * lists and planning previews (docs/exam-planning.md), the devices' last connections (the
 * dashboard, docs/dashboard.md). One SQL function call each; its
 * first two columns are (status, message) — a refusal comes back as one row with a
 * non-ok status — and the rest go to the client as text, "" for NULL. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../session.h"
#include "h_util.h"
#include "h_write.h"
#include "handlers.h"

/* The request fields a query takes as $2, $3, … in order ($1 is always the device):
 * a as_of, b by, s scope, p plan_id, e exam_id, o point, k kind, j args_json. */
static const struct {
	const char *name;
	const char *params;
	const char *sql;
} tables[] = {
	{"rollup", "abSp", "SELECT * FROM karta_rollup($1::bigint, nullif($2, '')::date, $3,"
		" nullif($4, ''), nullif($5, '')::uuid)"},
	{"overdue", "aSp", "SELECT * FROM karta_overdue($1::bigint, nullif($2, '')::date,"
		" nullif($3, ''), nullif($4, '')::uuid)"},
	/* the same person entered twice, among the schools this device reads whole (sql/0008);
	 * names go to the client, which may read both rows, never to a log */
	{"duplicates", "", "SELECT 'ok'::text AS status, ''::text AS message,"
		" array_to_string(d.match, ', ') AS match, d.org_a,"
		" concat_ws(' ', a.surname, a.name, a.patronymic) AS person_a,"
		" to_char(a.birth_date, 'DD.MM.YYYY') AS birth_a, d.participant_a, d.org_b,"
		" concat_ws(' ', b.surname, b.name, b.patronymic) AS person_b,"
		" to_char(b.birth_date, 'DD.MM.YYYY') AS birth_b, d.participant_b"
		" FROM karta_participant_duplicates($1::bigint) d"
		" JOIN participant a ON a.id = d.participant_a"
		" JOIN participant b ON b.id = d.participant_b ORDER BY d.org_a, person_a"},
	/* control reports of an exam (sql/0009 karta_control): each its own columns */
	{"k02", "e", "SELECT status, message, grp AS municipality, registered, distributed,"
		" not_distributed, points FROM karta_control($1::bigint, 'k02', $2::uuid)"},
	{"k03", "e", "SELECT status, message, grp AS point, distributed, capacity, reserved,"
		" shortage, free_seats FROM karta_control($1::bigint, 'k03', $2::uuid)"},
	{"k06", "e", "SELECT status, message, grp AS point, shortage, not_distributed, unseated,"
		" organizers_needed, organizers, organizers_missing, heads, heads_missing"
		" FROM karta_control($1::bigint, 'k06', $2::uuid)"},
	{"k09", "e", "SELECT status, message, grp AS auditorium, capacity, seated, fill_pct"
		" FROM karta_control($1::bigint, 'k09', $2::uuid)"},
	/* duplicates among the exam's registered participants; both readable by this device */
	{"exam_duplicates", "e", "SELECT k.status, k.message, replace(k.grp, ',', ', ') AS match,"
		" oa.code AS org_a, concat_ws(' ', a.surname, a.name, a.patronymic) AS person_a,"
		" to_char(a.birth_date, 'DD.MM.YYYY') AS birth_a, k.id_a AS participant_a,"
		" ob.code AS org_b, concat_ws(' ', b.surname, b.name, b.patronymic) AS person_b,"
		" to_char(b.birth_date, 'DD.MM.YYYY') AS birth_b, k.id_b AS participant_b"
		" FROM karta_control($1::bigint, 'duplicates', $2::uuid) k"
		" LEFT JOIN participant a ON a.id = k.id_a LEFT JOIN organization oa ON oa.id = a.org_id"
		" LEFT JOIN participant b ON b.id = k.id_b LEFT JOIN organization ob ON ob.id = b.org_id"
		" ORDER BY org_a, person_a"},
	/* the exam's participants (of this device's schools) registered for another exam that day */
	{"same_day", "e", "SELECT k.status, k.message, o.code AS school,"
		" concat_ws(' ', p.surname, p.name, p.patronymic) AS person,"
		" to_char(p.birth_date, 'DD.MM.YYYY') AS birth_date, k.grp AS other_subject_code,"
		" k.id_a AS participant FROM karta_control($1::bigint, 'same_day', $2::uuid) k"
		" LEFT JOIN participant p ON p.id = k.id_a LEFT JOIN organization o ON o.id = p.org_id"
		" ORDER BY school, person"},
	/* planners: the list of their points; a school: its own participants' seats (sql/0023) */
	{"seating", "eo", "SELECT * FROM karta_seating_view($1::bigint, $2::uuid, nullif($3, ''))"},
	/* an item's statuses, its own and those below on the items derived from it (sql/0023):
	 * args_json {"item": id} */
	{"item_statuses", "j", "SELECT * FROM karta_item_statuses($1::bigint, $2::jsonb)"},
	/* where the participants the device's own organization owns sit (sql/0017): a school's
	 * replica holds no seating, its notices need the seats */
	{"own_seats", "", "SELECT * FROM karta_own_seats($1::bigint, NULL)"},
	/* a registry row's changes, from its feed (change_log; the feed is the row's owner's),
	 * for a device that may read the row: kind = its type, args_json {"id": …}; the fields by
	 * name, never their values (docs/registries.md «Corrections») */
	{"registry_history", "kj", "SELECT * FROM karta_registry_history($1::bigint, $2, $3::jsonb)"},
	{"preview", "kj", "SELECT * FROM karta_plan_preview($1::bigint, $2, $3::jsonb)"},
	/* the region's organizations and territories with their GUIDs, federal codes and what
	 * the package said of them (sql/0020), for `karta registry export --layout giadbset` */
	{"gds_orgs", "", "SELECT * FROM karta_gds_orgs($1::bigint)"},
	/* The last connection of each organization's devices, in the scope (the device's own
	 * organization or one below it) and below it: org, level, parent, last_seen (its own
	 * devices), last_seen_all (its own and those below), devices (active ones). */
	{"devices", "S", "WITH a AS (SELECT * FROM karta_actor($1::bigint)),"
		" s AS (SELECT o.id FROM a JOIN organization me ON me.id = a.org_id"
		"  JOIN organization o ON o.code = coalesce(nullif($2, ''), me.code)"
		"  LEFT JOIN organization op ON op.id = o.parent_id"
		"  WHERE o.id = me.id OR o.parent_id = me.id OR op.parent_id = me.id),"
		" t AS (SELECT o.* FROM s JOIN organization o ON o.id = s.id OR o.parent_id = s.id"
		"  OR o.parent_id IN (SELECT c.id FROM organization c WHERE c.parent_id = s.id)),"
		" l AS (SELECT org_id, max(last_seen) AS seen, count(*) AS n FROM device"
		"  WHERE status = 'active' GROUP BY org_id)"
		" SELECT 'ok'::text AS status, ''::text AS message, t.code AS org, t.level,"
		"  p.code AS parent, to_char(l.seen, 'YYYY-MM-DD\"T\"HH24:MI:SSOF') AS last_seen,"
		"  to_char(greatest(l.seen, (SELECT max(l2.seen) FROM organization c"
		"   LEFT JOIN organization gc ON gc.parent_id = c.id"
		"   JOIN l l2 ON l2.org_id = c.id OR l2.org_id = gc.id WHERE c.parent_id = t.id)),"
		"   'YYYY-MM-DD\"T\"HH24:MI:SSOF') AS last_seen_all, coalesce(l.n, 0) AS devices"
		" FROM t LEFT JOIN organization p ON p.id = t.parent_id LEFT JOIN l ON l.org_id = t.id"
		" UNION ALL SELECT 'not_found', 'scope: no such organization at or below this one',"
		"  NULL, NULL, NULL, NULL, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM s)"
		" ORDER BY 3"},
};

#define MAX_PARAMS 6

static void table_cb(struct db_result *res, void *arg)
{
	struct pending *p = arg;
	if (pending_gone(p)) {
		pending_free(p);
		return;
	}
	if (!db_result_ok(res)) {
		reply_db_error(p, res, "table");
		pending_free(p);
		return;
	}
	int rows = db_result_rows(res), cols = db_result_cols(res);
	for (int r = 0; r < rows; r++)
		if (strcmp(db_result_get(res, r, 0), "ok") != 0) {
			session_error(p->sess, p->rid, api_status(db_result_get(res, r, 0)), "%s",
				db_result_get(res, r, 1));
			pending_free(p);
			return;
		}
	int nc = cols > 2 ? cols - 2 : 0;
	char **colnames = calloc((size_t)nc + 1, sizeof *colnames);
	Karta__TableRow *trow = calloc((size_t)rows + 1, sizeof *trow);
	Karta__TableRow **trp = calloc((size_t)rows + 1, sizeof *trp);
	char **cells = calloc((size_t)rows * (size_t)nc + 1, sizeof *cells);
	if (!colnames || !trow || !trp || !cells) {
		session_error(p->sess, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
	} else {
		for (int c = 0; c < nc; c++)
			colnames[c] = (char *)db_result_colname(res, c + 2);
		for (int r = 0; r < rows; r++) {
			karta__table_row__init(&trow[r]);
			trow[r].n_cells = (size_t)nc;
			trow[r].cells = &cells[(size_t)r * (size_t)nc];
			for (int c = 0; c < nc; c++)
				trow[r].cells[c] = (char *)db_result_get(res, r, c + 2);
			trp[r] = &trow[r];
		}
		Karta__Table t = KARTA__TABLE__INIT;
		t.n_columns = (size_t)nc;
		t.columns = colnames;
		t.n_rows = (size_t)rows;
		t.rows = trp;
		/* a table larger than a frame (the region's whole overdue list under the default
		 * max_frame_bytes) is answered, not dropped: the client would wait for nothing */
		if (session_reply(p->sess, p->rid, &t.base) < 0)
			session_error(p->sess, p->rid, KARTA__STATUS__STATUS_FAILED_PRECONDITION,
				"the table (%d rows, %zu bytes) is larger than a reply may be "
				"(max_frame_bytes %ld): narrow it (scope, plan)", rows,
				protobuf_c_message_get_packed_size(&t.base), (long)p->sess->cfg->max_frame);
	}
	free(colnames);
	free(trow);
	free(trp);
	free(cells);
	pending_free(p);
}

/* Checks the fields the table takes; NULL or what is wrong. */
static const char *check_fields(const Karta__TableRequest *req, const char *params)
{
	const char *bad = NULL;
	for (const char *f = params; !bad && *f; f++)
		switch (*f) {
		case 'a':
			bad = *req->as_of ? check_date("as_of", req->as_of) : NULL;
			break;
		case 'b':
			if (*req->by && strcmp(req->by, "municipality") && strcmp(req->by, "school") &&
			    strcmp(req->by, "item"))
				bad = "by: municipality, school or item";
			break;
		case 'S':
			bad = check_text("scope", req->scope, 32, false);
			break;
		case 'p':
			bad = *req->plan_id ? check_uuid("plan_id", req->plan_id) : NULL;
			break;
		case 'e':
			bad = check_uuid("exam_id", req->exam_id);
			break;
		case 'o':
			bad = check_text("point", req->point, 4, false);
			break;
		case 'k':
			bad = check_text("kind", req->kind, 40, true);
			break;
		case 'j': {
			json_t *j = json_loads(req->args_json, JSON_REJECT_DUPLICATES, NULL);
			if (!json_is_object(j))
				bad = "args_json: must be a JSON object";
			json_decref(j);
			break;
		}
		}
	return bad;
}

static const char *field(const Karta__TableRequest *req, char f)
{
	switch (f) {
	case 'a': return req->as_of;
	case 'b': return *req->by ? req->by : "municipality";
	case 'S': return req->scope;
	case 'p': return req->plan_id;
	case 'e': return req->exam_id;
	case 'o': return req->point;
	case 'k': return req->kind;
	default: return req->args_json;
	}
}

int h_table(struct session *sess, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__TableRequest *req = (const Karta__TableRequest *)msg;
	size_t t = 0, nt = sizeof tables / sizeof tables[0];
	while (t < nt && strcmp(req->name, tables[t].name) != 0)
		t++;
	const char *bad = t < nt ? check_fields(req, tables[t].params)
		: "name: rollup, overdue, duplicates, k02, k03, k06, k09, exam_duplicates, same_day, "
		  "seating, item_statuses, preview, registry_history, devices or gds_orgs";
	if (bad) {
		session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad);
		return 0;
	}
	struct pending *p = pending_new(sess, rid);
	if (!p)
		return -1;
	const char *params[MAX_PARAMS + 1] = {p->device};
	int n = 1;
	for (const char *f = tables[t].params; *f && n <= MAX_PARAMS; f++)
		params[n++] = field(req, *f);
	return pending_query(p, tables[t].sql, n, params, table_cb);
}
