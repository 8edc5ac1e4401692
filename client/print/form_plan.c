/* form_plan: a roadmap as the approved document, landscape — the approval block (УТВЕРЖДЁН
 * приказом … от … № …, or ПРОЕКТ for a draft), the title and academic year, the act it
 * implements, then one table: № п/п, measure (with the municipal and institutional
 * actions where the plan has them), deadline, responsible, result; sections as rows that
 * span it. The plan is read as `karta plan show` reads it (the replica, or the server). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "help.h"
#include "opts.h"
#include "plan_fmt.h"
#include "print.h"
#include "ptable.h"
#include "replica.h"
#include "kt_i18n.h"

struct planf {
	struct plan_fmt_doc doc;
	char owner[512];
};

static const struct pcol cols[] = {
	{"№ п/п", 13, PDOC_LEFT},
	{"Наименование мероприятия", 0, PDOC_LEFT},
	{"Срок исполнения", 38, PDOC_LEFT},
	{"Ответственные исполнители", 55, PDOC_LEFT},
	{"Результат исполнения", 55, PDOC_LEFT},
};

/* The act kind as the approval block says it: «приказ» → «приказом». */
static const char *act_instr(const char *kind)
{
	static const char *const k[][2] = {{"приказ", "приказом"}, {"распоряжение", "распоряжением"},
		{"постановление", "постановлением"}, {"Приказ", "приказом"},
		{"Распоряжение", "распоряжением"}, {"Постановление", "постановлением"}};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (strcmp(kind, k[i][0]) == 0)
			return k[i][1];
	return *kind ? kind : "приказом";
}

static void draw_head(struct pdoc *d, const struct planf *f)
{
	const Karta__Plan *pl = f->doc.plan;
	char buf[1024], date[16];
	if (strcmp(pl->status, "draft") == 0) {
		pdoc_text(d, PDOC_BOLD, PDOC_RIGHT, "ПРОЕКТ");
	} else {
		pdata_date(pl->act_date, date, sizeof date);
		snprintf(buf, sizeof buf, "УТВЕРЖДЁН\n%s от %s № %s\n%s", act_instr(pl->act_kind),
			*date ? date : "__________", *pl->act_number ? pl->act_number : "______",
			f->owner);
		pdoc_text(d, PDOC_BODY, PDOC_RIGHT, buf);
	}
	pdoc_gap(d, 10);
	pdoc_text(d, PDOC_TITLE, PDOC_CENTER, pl->title);
	if (pl->academic_year > 0) {
		snprintf(buf, sizeof buf, "на %d/%d учебный год", pl->academic_year,
			pl->academic_year + 1);
		pdoc_text(d, PDOC_SUBTITLE, PDOC_CENTER, buf);
	}
	if (*pl->implements) {
		pdoc_gap(d, 4);
		pdoc_text(d, PDOC_BODY, PDOC_CENTER, pl->implements);
	}
	pdoc_gap(d, 8);
}

static int draw(struct pdoc *d, void *arg)
{
	const struct planf *f = arg;
	draw_head(d, f);
	struct ptable t;
	ptable_begin(&t, d, cols, sizeof cols / sizeof cols[0]);
	const char *section = NULL;
	char group[1024];
	for (size_t i = 0; i < f->doc.n_items; i++) {
		const Karta__Item *it = f->doc.items[i];
		if (it->deleted)
			continue;
		if (!section || strcmp(section, it->section_id) != 0) {
			const Karta__Section *s = plan_fmt_section_by_id(&f->doc, it->section_id);
			section = it->section_id;
			if (s) {
				snprintf(group, sizeof group, "%s%s%s", s->number, *s->number ? " " : "",
					s->title);
				ptable_group(&t, group);
			}
		}
		size_t n = strlen(it->title) + strlen(it->municipal_action) +
			strlen(it->institutional_action) + 128;
		char *what = malloc(n);
		if (!what)
			return pdoc_fail(d, "out of memory");
		snprintf(what, n, "%s%s%s%s%s%s", it->title,
			*it->municipal_action ? "\nМуниципальный уровень: " : "", it->municipal_action,
			*it->institutional_action ? "\nИнституциональный уровень: " : "",
			it->institutional_action, it->reference_only ? "\n(справочно, из вышестоящего "
			"плана)" : "");
		ptable_row(&t, (const char *[]){it->number, what, it->deadline_text,
			it->responsible_text, it->result_text});
		free(what);
	}
	ptable_end(&t);
	if (t.rows == 0)
		pdoc_text(d, PDOC_BODY, PDOC_LEFT, "В плане нет мероприятий.");
	return 0;
}

static int feed_name(void *arg, const struct replica_feed *f)
{
	struct planf *p = arg;
	if (strcmp(f->code, p->doc.plan->owner_code) == 0 && f->name && *f->name)
		snprintf(p->owner, sizeof p->owner, "%s", f->name);
	return 0;
}

int print_plan(struct client *cl, int argc, char **argv)
{
	enum { O_OUT, O_N };
	struct opt o[O_N + 1] = {[O_OUT] = OPT_PDF};
	struct opt_cmd c = {"print plan", "PLAN", 1, help_print_plan, o};
	const char *pos[1];
	int rc;
	if (!opts_parse_id(&c, argc, argv, "plan", pos, &rc))
		return rc;
	struct planf f = {0};
	if (plan_fmt_fetch(cl, pos[0], true, &f.doc) != EXIT_OK)
		return EXIT_RUNTIME;
	snprintf(f.owner, sizeof f.owner, "%s", f.doc.plan->owner_code);
	struct replica *r = client_replica(cl);
	if (r)
		replica_feed_each(r, feed_name, &f);
	struct pdoc_spec spec = {"Дорожная карта", f.doc.plan->title, true};
	rc = print_write(o[O_OUT].str, &spec, draw, &f);
	plan_fmt_doc_release(&f.doc);
	return rc;
}
