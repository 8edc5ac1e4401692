/* form_ppe07: ППЭ-07 «Список работников ППЭ» — the staff assigned to an exam at a point,
 * from the replica (a municipality holds its points' staff and assignments; nobody else's):
 * by role (head, organizers in auditoriums, organizers outside, assistants, technicians,
 * medics, ГЭК), with auditorium, document, workplace and a column to sign. The responsible
 * organizer of each auditorium («отв.») is the one assigned with `--responsible` (the
 * assignment's responsible flag, sql/0018); a room with no flagged organizer falls back to
 * the organizer assigned to it first, and the form says so under the table
 * (docs/print-forms.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "exam_cmds.h"
#include "help.h"
#include "opts.h"
#include "print.h"
#include "ptable.h"
#include "kt_i18n.h"

static const struct {
	const char *role, *group;
} roles[] = {
	{"head", "Руководитель ППЭ"},
	{"organizer_in", "Организаторы в аудитории"},
	{"organizer_out", "Организаторы вне аудитории"},
	{"assistant", "Ассистенты"},
	{"technician", "Технические специалисты"},
	{"medic", "Медицинские работники"},
	{"gek", "Члены ГЭК"},
};
#define NROLES (sizeof roles / sizeof roles[0])

struct worker {
	int role;            /* index into roles */
	char room[16];
	const char *created; /* of the assignment (borrowed) */
	bool responsible, flagged; /* marked «отв.»; flagged in karta (not the fallback) */
	char name[320], key[320], doc[160], work[300];
};

struct ppe07 {
	struct worker *w;
	size_t n;
	bool guessed; /* some room's responsible organizer is the fallback (first assigned) */
	char exam_title[256], exam_date[16], point[1200];
};

static int cmp_worker(const void *a, const void *b)
{
	const struct worker *x = a, *y = b;
	if (x->role != y->role)
		return x->role - y->role;
	int c = strcmp(x->room, y->room);
	if (c)
		return c;
	if (x->responsible != y->responsible)
		return x->responsible ? -1 : 1;
	return strcmp(x->key, y->key);
}

static const struct pcol cols[] = {
	PCOL_NUM,
	PCOL_PERSON,
	{"Ауди\u00adтория", 20, PDOC_CENTER},
	{"Документ (серия, номер)", 30, PDOC_LEFT},
	{"Место работы", 46, PDOC_LEFT},
	{"Подпись", 20, PDOC_LEFT},
};

static int draw(struct pdoc *d, void *arg)
{
	const struct ppe07 *f = arg;
	pdoc_text(d, PDOC_TITLE, PDOC_CENTER, "Список работников ППЭ");
	pdoc_gap(d, 6);
	pdoc_field(d, "Экзамен", f->exam_title);
	pdoc_field(d, "Дата экзамена", f->exam_date);
	pdoc_field(d, "ППЭ", f->point);
	pdoc_gap(d, 6);
	struct ptable t;
	ptable_begin(&t, d, cols, sizeof cols / sizeof cols[0]);
	char num[16], room[32], group[128];
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++, k++) {
		const struct worker *x = &f->w[i];
		if (i == 0 || x->role != f->w[i - 1].role) {
			size_t m = i;
			while (m < f->n && f->w[m].role == x->role)
				m++;
			snprintf(group, sizeof group, "%s: %zu", roles[x->role].group, m - i);
			ptable_group(&t, group);
			k = 0;
		}
		snprintf(num, sizeof num, "%zu", k + 1);
		snprintf(room, sizeof room, "%s%s", *x->room ? x->room : "—",
			x->responsible ? " (отв.)" : "");
		ptable_row(&t, (const char *[]){num, x->name, room, x->doc, x->work, ""});
	}
	ptable_end(&t);
	snprintf(group, sizeof group, "Всего работников ППЭ: %zu", f->n);
	pdoc_text(d, PDOC_BOLD, PDOC_LEFT, group);
	pdoc_text(d, PDOC_SMALL, PDOC_LEFT, "(отв.) — ответственный организатор в аудитории");
	if (f->guessed)
		pdoc_text(d, PDOC_SMALL, PDOC_LEFT, "В аудиториях, где ответственный организатор не "
			"назначен, отмечен назначенный первым.");
	pdoc_gap(d, 14);
	pdoc_text(d, PDOC_BODY, PDOC_LEFT, "Руководитель ППЭ _______________ / ______________________");
	return 0;
}

static int worker_add(struct print_ctx *p, struct ppe07 *f, const struct prow *a)
{
	const char *role = pdata_str(a->row, "role");
	size_t r = 0;
	while (r < NROLES && strcmp(roles[r].role, role) != 0)
		r++;
	const struct prow *st = pdata_find(&p->d.staff, pdata_str(a->row, "staff_id"));
	if (r == NROLES || !st)
		return 0; /* a role this build does not know, or staff the replica lacks */
	struct worker *w = &f->w[f->n++];
	memset(w, 0, sizeof *w);
	w->role = (int)r;
	w->created = pdata_str(a->row, "created_at");
	w->flagged = json_is_true(json_object_get(a->row, "responsible"));
	const struct prow *room = pdata_find(&p->d.rooms, pdata_str(a->row, "auditorium_id"));
	if (room)
		snprintf(w->room, sizeof w->room, "%s", pdata_str(room->row, "code"));
	pdata_person(st->row, w->name, sizeof w->name);
	print_name_key(w->name, w->key, sizeof w->key);
	const char *ser = pdata_str(st->row, "doc_series");
	snprintf(w->doc, sizeof w->doc, "%s%s%s", ser, *ser ? " " : "", pdata_str(st->row, "doc_number"));
	const struct porg *o = pdata_org(&p->d, pdata_org_code(&p->d,
		json_object_get(st->row, "workplace_org_id")));
	snprintf(w->work, sizeof w->work, "%s", o ? o->name : "");
	return 0;
}

/* The responsible organizer of each auditorium: the flagged one; in a room with none
 * flagged, the first assigned (then by name), and f->guessed is set. */
static void mark_responsible(struct ppe07 *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct worker *w = &f->w[i];
		if (strcmp(roles[w->role].role, "organizer_in") != 0 || !*w->room)
			continue;
		if (w->flagged) {
			w->responsible = true;
			continue;
		}
		bool first = true;
		for (size_t j = 0; j < f->n && first; j++) {
			const struct worker *o = &f->w[j];
			if (j == i || o->role != w->role || strcmp(o->room, w->room) != 0)
				continue;
			int c = strcmp(o->created, w->created);
			if (o->flagged || c < 0 || (c == 0 && strcmp(o->key, w->key) < 0))
				first = false;
		}
		w->responsible = first;
		f->guessed |= first;
	}
}

int print_ppe07(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_POINT, O_OUT, O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_POINT] = OPT_PRINT_POINT,
		[O_OUT] = OPT_PDF,
	};
	struct opt_cmd c = {"print ppe-07", "", 0, help_print_ppe_07, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	struct print_ctx p;
	struct ppe07 f = {0};
	const struct prow *e, *pt;
	rc = print_begin_point(&p, cl, PD_ROOMS | PD_STAFF | PD_ASSIGN, o[O_EXAM].str,
		o[O_POINT].str, "ППЭ-07", &e, &pt);
	if (rc == EXIT_OK && !(f.w = calloc(p.d.assign.n + 1, sizeof *f.w)))
		rc = EXIT_RUNTIME;
	for (size_t i = 0; rc == EXIT_OK && i < p.d.assign.n; i++) {
		const struct prow *a = &p.d.assign.r[i];
		if (strcmp(pdata_str(a->row, "exam_id"), e->id) == 0 &&
		    strcmp(pdata_str(a->row, "point_id"), pt->id) == 0)
			worker_add(&p, &f, a);
	}
	if (rc == EXIT_OK && f.n == 0) {
		fprintf(stderr, _("karta: cannot print ППЭ-07: nobody is assigned to work exam point "
				"%s at this exam (karta exam assign-staff)\n"), o[O_POINT].str);
		rc = EXIT_RUNTIME;
	}
	if (rc == EXIT_OK) {
		mark_responsible(&f);
		qsort(f.w, f.n, sizeof *f.w, cmp_worker);
		pdata_exam_title(e->row, f.exam_title, sizeof f.exam_title);
		pdata_date(pdata_str(e->row, "exam_date"), f.exam_date, sizeof f.exam_date);
		snprintf(f.point, sizeof f.point, "%s — %s, %s", pdata_str(pt->row, "code"),
			pdata_str(pt->row, "name"), pdata_str(pt->row, "address"));
		struct pdoc_spec spec = {"Форма ППЭ-07", "ППЭ-07 Список работников ППЭ", false};
		rc = print_write(o[O_OUT].str, &spec, draw, &f);
	}
	free(f.w);
	print_end(&p);
	return rc;
}
