/* h_table: TableRequest{name, as_of, by, scope, plan_id} → Table{columns, rows}: the
 * computed tables (roll-ups, overdue lists: docs/reports.md; duplicate people:
 * docs/registries.md). One SQL function call each;
 * its first two columns are (status, message) — a refusal comes back as one row with a
 * non-ok status — and the rest go to the client as text, "" for NULL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../session.h"
#include "h_util.h"
#include "h_write.h"
#include "handlers.h"

static const struct {
	const char *name;
	const char *sql; /* $1 device, $2 as_of, $3 by, $4 scope, $5 plan */
} tables[] = {
	{"rollup", "SELECT * FROM karta_rollup($1::bigint, nullif($2, '')::date, $3,"
		" nullif($4, ''), nullif($5, '')::uuid)"},
	{"overdue", "SELECT * FROM karta_overdue($1::bigint, nullif($2, '')::date,"
		" nullif($4, ''), nullif($5, '')::uuid) WHERE $3 = $3"},
	/* the same person entered twice, among the schools this device reads whole (sql/0008);
	 * names go to the client, which may read both rows, never to a log */
	{"duplicates", "SELECT 'ok'::text AS status, ''::text AS message,"
		" array_to_string(d.match, ', ') AS match, d.org_a,"
		" concat_ws(' ', a.surname, a.name, a.patronymic) AS person_a,"
		" to_char(a.birth_date, 'DD.MM.YYYY') AS birth_a, d.participant_a, d.org_b,"
		" concat_ws(' ', b.surname, b.name, b.patronymic) AS person_b,"
		" to_char(b.birth_date, 'DD.MM.YYYY') AS birth_b, d.participant_b"
		" FROM karta_participant_duplicates($1::bigint) d"
		" JOIN participant a ON a.id = d.participant_a"
		" JOIN participant b ON b.id = d.participant_b"
		" WHERE $2 = $2 AND $3 = $3 AND $4 = $4 AND $5 = $5 ORDER BY d.org_a, person_a"},
};

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
			session_error(p->c, p->rid, api_status(db_result_get(res, r, 0)), "%s",
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
		session_error(p->c, p->rid, KARTA__STATUS__STATUS_INTERNAL, "out of memory");
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
		session_reply(p->c, p->rid, &t.base);
	}
	free(colnames);
	free(trow);
	free(trp);
	free(cells);
	pending_free(p);
}

int h_table(struct conn *c, uint32_t rid, const ProtobufCMessage *msg)
{
	const Karta__TableRequest *req = (const Karta__TableRequest *)msg;
	const char *sql = NULL;
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (strcmp(req->name, tables[i].name) == 0)
			sql = tables[i].sql;
	const char *bad = sql ? NULL : "name: rollup, overdue or duplicates";
	if (!bad && *req->as_of)
		bad = check_date("as_of", req->as_of);
	if (!bad && *req->by && strcmp(req->by, "municipality") && strcmp(req->by, "school") &&
	    strcmp(req->by, "item"))
		bad = "by: municipality, school or item";
	if (!bad && *req->plan_id)
		bad = check_uuid("plan_id", req->plan_id);
	if (!bad)
		bad = check_text("scope", req->scope, 32, false);
	if (bad) {
		session_error(c, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "%s", bad);
		return 0;
	}
	struct pending *p = pending_new(c, rid);
	if (!p)
		return -1;
	const char *params[5] = {p->device, req->as_of, *req->by ? req->by : "municipality",
		req->scope, req->plan_id};
	return pending_query(p, sql, 5, params, table_cb);
}
