/* form_ppe06: the point's participants with their auditoriums — ППЭ-06-01 «Список
 * участников ГИА образовательной организации» (grouped by school, by name within it) and
 * ППЭ-06-02 «Список участников ГИА в ППЭ по алфавиту» (one list by name, for the
 * entrance). Both from the point's seating list (print_seating.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "exam_cmds.h"
#include "opts.h"
#include "print.h"
#include "print_seating.h"
#include "ptable.h"

struct ppe06 {
	struct pseating s;
	bool by_school;
};

static const char *school_of(const struct pseat *x)
{
	return x->school_name ? x->school_name : x->school;
}

static int cmp_school(const void *a, const void *b)
{
	const struct pseat *x = a, *y = b;
	int c = strcmp(x->school, y->school);
	return c ? c : strcmp(x->key, y->key);
}

static int cmp_name(const void *a, const void *b)
{
	const struct pseat *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->school, y->school);
}

static const struct pcol cols[] = {
	PCOL_NUM,
	PCOL_PERSON,
	{"Образовательная организация", 54, PDOC_LEFT}, /* by school: the document */
	{"Класс", 13, PDOC_CENTER},
	{"Ауди\u00adтория", 20, PDOC_CENTER},
	{"Ряд", 11, PDOC_CENTER},
	{"Место", 14, PDOC_CENTER},
};
#define NCOLS (sizeof cols / sizeof cols[0])

static int draw(struct pdoc *d, void *arg)
{
	const struct ppe06 *f = arg;
	const struct pseating *s = &f->s;
	pdoc_text(d, PDOC_TITLE, PDOC_CENTER, f->by_school
		? "Список участников ГИА образовательной организации"
		: "Список участников ГИА в ППЭ по алфавиту");
	pdoc_gap(d, 6);
	print_exam_head(d, s);
	pdoc_gap(d, 6);
	struct pcol c[NCOLS];
	memcpy(c, cols, sizeof c);
	if (f->by_school)
		c[2].title = "Документ, удостоверяющий личность (серия, номер)";
	struct ptable t;
	ptable_begin(&t, d, c, NCOLS);
	char num[16], row[8], seat[8], group[320];
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++, k++) {
		const struct pseat *x = &s->s[i];
		if (f->by_school && (i == 0 || strcmp(x->school, s->s[i - 1].school) != 0)) {
			size_t m = i;
			while (m < s->n && strcmp(s->s[m].school, x->school) == 0)
				m++;
			snprintf(group, sizeof group, "%s (код %s) — участников: %zu", school_of(x),
				x->school, m - i);
			ptable_group(&t, group);
			k = 0;
		}
		snprintf(num, sizeof num, "%zu", k + 1);
		snprintf(row, sizeof row, "%d", x->row);
		snprintf(seat, sizeof seat, "%d", x->seat);
		ptable_row(&t, (const char *[]){num, print_person_cell(x),
			f->by_school ? x->doc : school_of(x), x->cls, x->room, row, seat});
	}
	ptable_end(&t);
	snprintf(group, sizeof group, "Всего участников в ППЭ: %zu", s->n);
	pdoc_text(d, PDOC_BOLD, PDOC_LEFT, group);
	pdoc_gap(d, 14);
	pdoc_text(d, PDOC_BODY, PDOC_LEFT, "Руководитель ППЭ _______________ / ______________________");
	return 0;
}

static int ppe06(struct client *cl, int argc, char **argv, bool by_school)
{
	enum { O_EXAM, O_POINT, O_OUT, O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_POINT] = OPT_PRINT_POINT,
		[O_OUT] = OPT_PDF,
	};
	const char *form = by_school ? "ППЭ-06-01" : "ППЭ-06-02";
	struct opt_cmd c = {by_school ? "print ppe-06-01" : "print ppe-06-02", "", 0,
		by_school
		? "Form ППЭ-06-01: the participants seated at an exam point, by school (each school\n"
		  "a group with its count), by name within it, with document, class, auditorium\n"
		  "and seat. A4, PDF."
		: "Form ППЭ-06-02: the participants seated at an exam point in alphabetical order,\n"
		  "with school, class, auditorium and seat: for the entrance of the point. A4, PDF.",
		o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	struct print_ctx p;
	struct ppe06 f = {.by_school = by_school};
	rc = print_seating_load(&p, cl, o[O_EXAM].str, o[O_POINT].str, NULL, form, &f.s);
	if (rc == EXIT_OK) {
		qsort(f.s.s, f.s.n, sizeof *f.s.s, by_school ? cmp_school : cmp_name);
		char fname[32], title[128];
		snprintf(fname, sizeof fname, "Форма %s", form);
		snprintf(title, sizeof title, "%s Список участников ГИА %s", form,
			by_school ? "образовательной организации" : "в ППЭ по алфавиту");
		struct pdoc_spec spec = {fname, title, false};
		rc = print_write(o[O_OUT].str, &spec, draw, &f);
	}
	print_seating_free(&f.s);
	print_end(&p);
	return rc;
}

int print_ppe06_01(struct client *cl, int argc, char **argv) { return ppe06(cl, argc, argv, true); }
int print_ppe06_02(struct client *cl, int argc, char **argv) { return ppe06(cl, argc, argv, false); }
