/* cmd_control: `karta control K-02|K-03|K-06|K-09|duplicates|same-day --exam EXAM` — the
 * control reports of an exam's planning, computed by the server (sql/0009 karta_control,
 * server/handlers/h_table.c), as a table, CSV or JSON (docs/exam-planning.md). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "exam_cmds.h"
#include "help.h"
#include "opts.h"
#include "plan_fmt.h"
#include "replica.h"
#include "report_cmds.h"
#include "report_render.h"
#include "rpc.h"
#include "sync.h"
#include "table_out.h"
#include "kt_i18n.h"

static const struct {
	const char *word, *alt, *name, *title, *sheet;
} reports[] = {
	{"K-02", "К-02", "k02", N_("К-02 registered, distributed and not distributed participants"),
		"К-02 Распределение"},
	{"K-03", "К-03", "k03",
		N_("К-03 distributed participants vs seats of the assigned auditoriums"),
		"К-03 Места в ППЭ"},
	{"K-06", "К-06", "k06", N_("К-06 readiness of the exam points"), "К-06 Готовность ППЭ"},
	{"K-09", "К-09", "k09", N_("К-09 auditorium fill"), "К-09 Заполнение аудиторий"},
	{"duplicates", "дубликаты", "exam_duplicates",
		N_("registered participants who look like one person"), "Возможные дубликаты"},
	{"same-day", "same_day", "same_day",
		N_("participants registered for another exam the same day"), "Экзамены в один день"},
};

/* Names resolve against the replica brought up to date first when the server is reachable
 * (one round trip when nothing changed); offline, against what it holds. */
int exam_resolve(struct client *cl, const char *ref, struct replica **r, char id[EXAM_ID_LEN])
{
	*r = client_replica(cl);
	if (!*r)
		return EXIT_RUNTIME;
	if (sync_connect(cl, true)) {
		struct sync_report rep = {0};
		if (sync_pull(cl, false, &rep) != 0)
			return EXIT_RUNTIME;
	}
	return exam_ref_exam(*r, ref, id);
}

int exam_table(struct client *cl, const char *exam_ref, const char *name, const char *point,
	Karta__Table **t)
{
	struct replica *r;
	char exam[EXAM_ID_LEN];
	int rc = exam_resolve(cl, exam_ref, &r, exam);
	if (rc != EXIT_OK)
		return rc;
	Karta__TableRequest req = KARTA__TABLE_REQUEST__INIT;
	req.name = (char *)name;
	req.exam_id = exam;
	if (point)
		req.point = (char *)point;
	return report_table(cl, &req, t);
}

/* Whether a report word names report i (K-02, k02, К-02, k-02). */
static bool names(size_t i, const char *w)
{
	return strcasecmp(w, reports[i].word) == 0 || strcmp(w, reports[i].alt) == 0 ||
		strcasecmp(w, reports[i].name) == 0;
}

int cmd_control(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_FORMAT, O_BOM, O_OUTPUT, O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_FORMAT] = OPTS_FORMAT("table|csv|json|xlsx"),
		[O_BOM] = OPTS_BOM,
		[O_OUTPUT] = OPTS_OUTPUT,
	};
	struct opt_cmd c = {"control", "REPORT", 1, help_control, o};
	const char *pos[1];
	int rc;
	if (!opts_ok(&c, argc, argv, pos, &rc))
		return rc;
	size_t i = 0, n = sizeof reports / sizeof reports[0];
	while (i < n && !names(i, pos[0]))
		i++;
	if (i == n)
		return opts_fail(&c, _("'%s' is not a control report: K-02, K-03, K-06, K-09, "
				     "duplicates or same-day"), pos[0]);
	struct report_view v = {.color = report_want_color(), .title = reports[i].sheet};
	struct table_out out;
	rc = table_out_start(&out, &v.fo, &c);
	if (rc != EXIT_OK)
		return rc;
	Karta__Table *t;
	if ((rc = exam_table(cl, o[O_EXAM].str, reports[i].name, NULL, &t)) != EXIT_OK)
		return table_out_close(&out, &v.fo, rc);
	static const char *const ids[] = {"participant_a", "participant_b", "participant", NULL};
	if (v.fo.format == KT_TABLE_TEXT)
		printf(_("%s, exam %s\n\n"), _(reports[i].title), o[O_EXAM].str);
	if (v.fo.format == KT_TABLE_TEXT && t->n_rows == 0)
		printf(_("nothing to report\n"));
	else
		rc = report_render_columns(t, &v, ids, out.f);
	karta__table__free_unpacked(t, NULL);
	return table_out_close(&out, &v.fo, rc);
}
