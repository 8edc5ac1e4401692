/* form_ppe05: ППЭ-05-01 «Список участников ГИА в аудитории ППЭ» — one auditorium per page
 * (a long list goes on with its header repeated): exam, date, point, auditorium; № п/п,
 * full name, school, class, row and seat; the count and the organizers' signatures. */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "exam_cmds.h"
#include "help.h"
#include "opts.h"
#include "print.h"
#include "print_seating.h"
#include "ptable.h"
#include "kt_i18n.h"

static const struct pcol cols[] = {
	PCOL_NUM,
	PCOL_PERSON,
	{"Образовательная организация", 56, PDOC_LEFT},
	{"Класс", 13, PDOC_CENTER},
	{"Ряд", 11, PDOC_CENTER},
	{"Место", 14, PDOC_CENTER},
};

static int draw(struct pdoc *d, void *arg)
{
	const struct pseating *s = arg;
	for (size_t i = 0; i < s->n;) {
		size_t j = i;
		while (j < s->n && strcmp(s->s[j].room, s->s[i].room) == 0)
			j++;
		pdoc_break(d);
		pdoc_text(d, PDOC_TITLE, PDOC_CENTER, "Список участников ГИА в аудитории ППЭ");
		pdoc_gap(d, 6);
		print_exam_head(d, s);
		char buf[256], num[16], row[8], seat[8];
		snprintf(buf, sizeof buf, "%s%s%s", s->s[i].room, *s->s[i].room_name ? " — " : "",
			s->s[i].room_name);
		pdoc_field(d, "Аудитория", buf);
		pdoc_gap(d, 6);
		struct ptable t;
		ptable_begin(&t, d, cols, sizeof cols / sizeof cols[0]);
		for (size_t k = i; k < j; k++) {
			const struct pseat *x = &s->s[k];
			snprintf(num, sizeof num, "%zu", k - i + 1);
			snprintf(row, sizeof row, "%d", x->row);
			snprintf(seat, sizeof seat, "%d", x->seat);
			ptable_row(&t, (const char *[]){num, print_person_cell(x),
				x->school_name ? x->school_name : x->school, x->cls, row, seat});
		}
		ptable_end(&t);
		snprintf(buf, sizeof buf, "Всего в аудитории: %zu", j - i);
		pdoc_text(d, PDOC_BOLD, PDOC_LEFT, buf);
		pdoc_gap(d, 14);
		pdoc_text(d, PDOC_BODY, PDOC_LEFT, "Ответственный организатор в аудитории "
			"_______________ / ______________________");
		pdoc_gap(d, 10);
		pdoc_text(d, PDOC_BODY, PDOC_LEFT, "Организатор в аудитории "
			"_______________ / ______________________");
		i = j;
	}
	return 0;
}

int print_ppe05(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_POINT, O_ROOM, O_OUT, O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_POINT] = OPT_PRINT_POINT,
		[O_ROOM] = {.name = "room", .type = OPT_STR, .meta = "CODE",
			.help = N_("only this auditorium (default: every exam room of the point)")},
		[O_OUT] = OPT_PDF,
	};
	struct opt_cmd c = {"print ppe-05-01", "", 0, help_print_ppe_05_01, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	struct print_ctx p;
	struct pseating s;
	rc = print_seating_load(&p, cl, o[O_EXAM].str, o[O_POINT].str,
		o[O_ROOM].set ? o[O_ROOM].str : NULL, "ППЭ-05-01", &s);
	if (rc == EXIT_OK) {
		struct pdoc_spec spec = {"Форма ППЭ-05-01", "ППЭ-05-01 Список участников ГИА в "
			"аудитории ППЭ", false};
		rc = print_write(o[O_OUT].str, &spec, draw, &s);
	}
	print_seating_free(&s);
	print_end(&p);
	return rc;
}
