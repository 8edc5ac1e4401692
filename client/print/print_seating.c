/* print_seating: one point's seating list for the ППЭ forms (see print_seating.h). The
 * names come from the server's list, never from a replica row the list does not name: the
 * server decides who may be read. */
#include "print_seating.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "karta.pb-c.h"
#include "pdoc.h"
#include "report_cmds.h"
#include "kt_i18n.h"

static const char *cell(const Karta__Table *t, size_t r, const char *col)
{
	for (size_t c = 0; c < t->n_columns && c < t->rows[r]->n_cells; c++)
		if (strcmp(t->columns[c], col) == 0)
			return t->rows[r]->cells[c];
	return "";
}

static void fill(struct print_ctx *p, const struct prow *point, const Karta__Table *t, size_t r,
	struct pseat *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->room, sizeof s->room, "%s", cell(t, r, "auditorium"));
	s->row = atoi(cell(t, r, "seat_row"));
	s->seat = atoi(cell(t, r, "seat"));
	snprintf(s->school, sizeof s->school, "%s", cell(t, r, "school"));
	snprintf(s->person, sizeof s->person, "%s", cell(t, r, "person"));
	const struct porg *o = pdata_org(&p->d, s->school);
	s->school_name = o && *o->name ? o->name : NULL;
	for (size_t i = 0; i < p->d.rooms.n; i++) {
		const json_t *a = p->d.rooms.r[i].row;
		if (strcmp(pdata_str(a, "point_id"), point->id) == 0 &&
		    strcmp(pdata_str(a, "code"), s->room) == 0)
			snprintf(s->room_name, sizeof s->room_name, "%s", pdata_str(a, "name"));
	}
	const struct prow *x = *s->person ? pdata_find(&p->d.people, cell(t, r, "participant")) : NULL;
	if (x) {
		snprintf(s->cls, sizeof s->cls, "%s", pdata_str(x->row, "class"));
		const char *ser = pdata_str(x->row, "doc_series");
		snprintf(s->doc, sizeof s->doc, "%s%s%s", ser, *ser ? " " : "",
			pdata_str(x->row, "doc_number"));
	}
	print_name_key(s->person, s->key, sizeof s->key);
}

int print_seating_get(struct print_ctx *p, const struct prow *exam, const struct prow *point,
	const char *room, const char *form, struct pseating *out)
{
	memset(out, 0, sizeof *out);
	out->exam = exam;
	out->point = point;
	pdata_exam_title(exam->row, out->exam_title, sizeof out->exam_title);
	pdata_date(pdata_str(exam->row, "exam_date"), out->exam_date, sizeof out->exam_date);
	Karta__TableRequest req = KARTA__TABLE_REQUEST__INIT;
	req.name = (char *)"seating";
	req.exam_id = exam->id;
	req.point = (char *)pdata_str(point->row, "code");
	Karta__Table *t;
	int rc = report_table(p->cl, &req, &t);
	if (rc != EXIT_OK) {
		fprintf(stderr, _("karta: cannot print %s: the seating list comes from the server\n"),
			form);
		return rc;
	}
	out->s = calloc(t->n_rows ? t->n_rows : 1, sizeof *out->s);
	if (!out->s) {
		karta__table__free_unpacked(t, NULL);
		return EXIT_RUNTIME;
	}
	for (size_t r = 0; r < t->n_rows; r++) {
		if (room && strcasecmp(cell(t, r, "auditorium"), room) != 0)
			continue;
		fill(p, point, t, r, &out->s[out->n++]);
	}
	karta__table__free_unpacked(t, NULL);
	if (out->n == 0) {
		fprintf(stderr, _("karta: cannot print %s: nobody is seated at exam point %s%s%s for "
				"this exam (run 'karta exam seat' first)\n"), form, req.point,
			room ? ", auditorium " : "", room ? room : "");
		print_seating_free(out);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

void print_seating_free(struct pseating *s)
{
	free(s->s);
	s->s = NULL;
	s->n = 0;
}

int print_seating_load(struct print_ctx *p, struct client *cl, const char *exam_ref,
	const char *point_code, const char *room, const char *form, struct pseating *out)
{
	memset(out, 0, sizeof *out);
	const struct prow *e, *pt;
	int rc = print_begin_point(p, cl, PD_ROOMS | PD_PEOPLE, exam_ref, point_code, form, &e, &pt);
	if (rc == EXIT_OK)
		rc = print_seating_get(p, e, pt, room, form, out);
	return rc;
}

void print_exam_head(struct pdoc *d, const struct pseating *s)
{
	char buf[1200];
	pdoc_field(d, "Экзамен", s->exam_title);
	pdoc_field(d, "Дата экзамена", s->exam_date);
	const json_t *pt = s->point->row;
	snprintf(buf, sizeof buf, "%s — %s, %s", pdata_str(pt, "code"), pdata_str(pt, "name"),
		pdata_str(pt, "address"));
	pdoc_field(d, "ППЭ", buf);
}

const char *print_person_cell(const struct pseat *s)
{
	return *s->person ? s->person : "(участник другого муниципалитета: данные не передаются)";
}
