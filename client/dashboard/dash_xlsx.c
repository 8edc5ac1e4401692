/* dash_xlsx: /TOKEN/api/xlsx?name=…: a computed table of the server as an Excel workbook,
 * made exactly as `karta rollup|overdue|control … --format xlsx` makes it (the same
 * renderers, the same sheet names and columns, common/kt_xlsx through libxlsxwriter), in
 * memory, and sent as a download. It needs the server: a table remembered for offline use
 * is JSON for the page, not what the CLI would write, so offline the answer says to take
 * the CSV instead. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "dash.h"
#include "kt_xlsx.h"
#include "report_render.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* The organization level of the scope, as the CLI's roll-up columns depend on it. */
static int scope_level(const struct dash_params *p)
{
	const char *by = p->by && *p->by ? p->by : "municipality";
	if (strcmp(by, "municipality") == 0)
		return KARTA__ORG_LEVEL__ORG_LEVEL_REGION;
	if (strcmp(by, "school") == 0)
		return KARTA__ORG_LEVEL__ORG_LEVEL_MUNICIPALITY;
	return 0; /* by item: the columns follow the data, as for an unknown scope */
}

/* Renders t into a workbook in memory; 0 with *buf, *len (free *buf), or -1. */
static int render(const struct dash_params *p, const Karta__Table *t, char **buf, size_t *len)
{
	char err[KT_XLSX_ERR_LEN];
	FILE *m = open_memstream(buf, len);
	if (!m)
		return -1;
	struct report_view v = {.by = p->by && *p->by ? p->by : "municipality",
		.scope_level = scope_level(p)};
	v.fo.format = KT_TABLE_XLSX;
	v.fo.xlsx = kt_xlsx_open(NULL, m, err, sizeof err);
	int rc = -1;
	if (v.fo.xlsx) {
		const char *name = p->name;
		if (strcmp(name, "rollup") == 0) {
			v.title = strcmp(v.by, "item") == 0 ? "Свод по мероприятиям"
				: strcmp(v.by, "school") == 0 ? "Свод по ОО" : "Свод по муниципалитетам";
			rc = report_render_rollup(t, &v, m);
		} else if (strcmp(name, "overdue") == 0) {
			v.title = "Просрочено";
			rc = report_render_overdue(t, &v, m);
		} else {
			v.title = strcmp(name, "k02") == 0 ? "К-02 Распределение"
				: strcmp(name, "k06") == 0 ? "К-06 Готовность ППЭ" : "Связь устройств";
			rc = report_render_columns(t, &v, NULL, m);
		}
		if (rc == EXIT_OK)
			rc = kt_xlsx_commit(v.fo.xlsx, err, sizeof err);
		else
			kt_xlsx_discard(v.fo.xlsx);
	}
	if (fclose(m) != 0)
		rc = -1;
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
	}
	return rc == 0 ? 0 : -1;
}

void dash_xlsx(struct dash *d, struct evhttp_request *req, const struct dash_params *p)
{
	const char *bad = dash_check_table(p);
	if (bad)
		return dash_reply_error(req, 400, bad);
	Karta__TableRequest tr;
	dash_table_request(p, &tr);
	Karta__Table *t = NULL;
	char err[512] = "";
	int rc = dash_call(d, &tr, &t, err, sizeof err);
	if (rc > 0)
		return dash_reply_error(req, 503, "XLSX делается из ответа сервера, а он сейчас "
			"недоступен; скачайте CSV — он из того, что показано на странице");
	if (rc < 0)
		return dash_reply_error(req, 403, *err ? err : "сервер отказал");
	char *buf = NULL;
	size_t len = 0;
	int ok = render(p, t, &buf, &len);
	karta__table__free_unpacked(t, NULL);
	struct evbuffer *b = ok == 0 ? evbuffer_new() : NULL;
	if (!b || evbuffer_add(b, buf, len) != 0) {
		dash_reply_error(req, 500, "не удалось собрать книгу XLSX");
	} else {
		char disp[128];
		snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s.xlsx\"", p->name,
			p->as_of && *p->as_of ? p->as_of : "today");
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Disposition", disp);
		dash_reply(req, 200, XLSX_TYPE, b);
	}
	if (b)
		evbuffer_free(b);
	free(buf);
}
