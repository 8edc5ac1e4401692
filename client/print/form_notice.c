/* form_notice: «Уведомление участника ГИА» — for each participant of a school (or one
 * class of it), every exam they are registered for: date, subject and form, and where
 * they sit it — exam point code, name and address, auditorium, row and seat — when the
 * replica holds their seat (a municipality's replica holds the seating of its points) or, for
 * a school, whose replica holds none, when the server says where its own people sit
 * (own_seats, sql/0017); offline, the notice says the seat will be told later. One notice per page,
 * or two per sheet with a cut line. Only participants this organization reads: its own
 * (a school), its schools' (a municipality), all (the region). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "help.h"
#include "karta.pb-c.h"
#include "kt_validate.h"
#include "opts.h"
#include "print.h"
#include "ptable.h"
#include "report_cmds.h"
#include "kt_i18n.h"

struct nexam {
	const char *exam_id;
	const json_t *exam, *seat, *point, *room;
};

struct notice {
	const char *id; /* the participant's */
	const json_t *person;
	char key[400];
	struct nexam *ex;
	size_t n;
};

struct notices {
	struct notice *v;
	size_t n;
	const char *school_name, *school;
	int per_page;
};

static int cmp_notice(const void *a, const void *b)
{
	return strcmp(((const struct notice *)a)->key, ((const struct notice *)b)->key);
}

static int cmp_nexam(const void *a, const void *b)
{
	const struct nexam *x = a, *y = b;
	int c = strcmp(pdata_str(x->exam, "exam_date"), pdata_str(y->exam, "exam_date"));
	return c ? c : (int)(pdata_int(x->exam, "subject_code") - pdata_int(y->exam, "subject_code"));
}

static const struct pcol cols[] = {
	{"Дата", 22, PDOC_CENTER},
	{"Предмет", 44, PDOC_LEFT},
	{"Код ППЭ", 15, PDOC_CENTER},
	{"Наименование и адрес ППЭ", 0, PDOC_LEFT},
	{"Ауди\u00adтория", 20, PDOC_CENTER},
	{"Место", 25, PDOC_CENTER},
};

static void draw_one(struct pdoc *d, const struct notices *ns, const struct notice *x)
{
	char buf[800], date[16];
	pdoc_text(d, PDOC_TITLE, PDOC_CENTER, "УВЕДОМЛЕНИЕ");
	pdoc_text(d, PDOC_SUBTITLE, PDOC_CENTER, "участника государственной итоговой аттестации");
	pdoc_gap(d, 4);
	pdoc_field(d, "Фамилия, имя, отчество", pdata_person(x->person, buf, sizeof buf));
	const char *dt = kt_doc_type_name((int)pdata_int(x->person, "doc_type"));
	const char *ser = pdata_str(x->person, "doc_series");
	snprintf(buf, sizeof buf, "%s%s%s%s%s", dt ? dt : "", dt ? ", " : "", ser, *ser ? " " : "",
		pdata_str(x->person, "doc_number"));
	pdoc_field(d, "Документ", buf);
	const char *cls = pdata_str(x->person, "class");
	snprintf(buf, sizeof buf, "%s%s%s", ns->school_name, *cls ? ", класс " : "", cls);
	pdoc_field(d, "Образовательная организация", buf);
	pdoc_gap(d, 4);
	struct ptable t;
	ptable_begin(&t, d, cols, sizeof cols / sizeof cols[0]);
	for (size_t i = 0; i < x->n; i++) {
		const struct nexam *e = &x->ex[i];
		char subj[300], where[1100], seat[32];
		pdata_exam_title(e->exam, subj, sizeof subj);
		pdata_date(pdata_str(e->exam, "exam_date"), date, sizeof date);
		if (e->seat && e->point) {
			snprintf(where, sizeof where, "%s, %s", pdata_str(e->point, "name"),
				pdata_str(e->point, "address"));
			snprintf(seat, sizeof seat, "ряд %lld, место %lld", pdata_int(e->seat, "seat_row"),
				pdata_int(e->seat, "seat"));
			ptable_row(&t, (const char *[]){date, subj, pdata_str(e->point, "code"), where,
				e->room ? pdata_str(e->room, "code") : "", seat});
		} else {
			ptable_row(&t, (const char *[]){date, subj, "—",
				"будет сообщено дополнительно", "—", "—"});
		}
	}
	ptable_end(&t);
	pdoc_text(d, PDOC_SMALL, PDOC_LEFT, "Явиться в ППЭ не позднее 09:00 по местному времени. "
		"При себе иметь документ, удостоверяющий личность, и гелевую или капиллярную ручку с "
		"чернилами чёрного цвета. В ППЭ запрещается иметь при себе средства связи, "
		"электронно-вычислительную технику, справочные материалы.");
	pdoc_gap(d, 8);
	pdoc_text(d, PDOC_BODY, PDOC_LEFT, "С уведомлением ознакомлен(а):");
	pdoc_gap(d, 4);
	pdoc_text(d, PDOC_BODY, PDOC_LEFT, "Участник ГИА  _______________ / ______________________"
		"      «____» ____________ 20___ г.");
	pdoc_gap(d, 4);
	pdoc_text(d, PDOC_BODY, PDOC_LEFT, "Родитель (законный представитель)  _______________ / "
		"______________________");
}

static int draw(struct pdoc *d, void *arg)
{
	const struct notices *ns = arg;
	for (size_t i = 0; i < ns->n; i++) {
		if (ns->per_page == 2 && i % 2 == 1 && pdoc_page_started(d)) {
			double half = (pdoc_y(d) + pdoc_room(d)) / 2;
			if (pdoc_y(d) + 10 < half) { /* the first fitted in the upper half */
				pdoc_goto(d, half - 8);
				pdoc_cut_line(d);
				pdoc_goto(d, half + 8);
			} else {
				pdoc_break(d);
			}
		} else {
			pdoc_break(d);
		}
		draw_one(d, ns, &ns->v[i]);
	}
	return 0;
}

/* May this organization read the school's people? The server sends a replica only the
 * people it may read, so holding the school's participants says yes; else the feed says
 * whether the school is this organization or below it (a feed whose name and level are not
 * known yet says nothing). p->people holds the school's participants only. */
static bool school_readable(const struct pdata *p, const struct porg *s)
{
	if (p->people.n > 0)
		return true;
	return s && s->level == KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL &&
		(strcmp(s->code, p->own) == 0 || strcmp(s->parent, p->own) == 0 ||
		 p->own_level == KARTA__ORG_LEVEL__ORG_LEVEL_REGION);
}

/* The notices of the school's participants (of one class when cls is set). */
static int collect(struct pdata *p, const char *school, const char *cls, struct notices *ns)
{
	pdata_sort_by(&p->regs, "participant_id");
	pdata_sort_by(&p->seats, "participant_id");
	ns->v = calloc(p->people.n + 1, sizeof *ns->v);
	if (!ns->v)
		return -1;
	for (size_t i = 0; i < p->people.n; i++) {
		const struct prow *x = &p->people.r[i];
		char a[32], b[32];
		if (strcmp(x->feed, school) != 0 || (cls && strcmp(print_name_key(pdata_str(x->row,
			"class"), a, sizeof a), print_name_key(cls, b, sizeof b)) != 0))
			continue;
		size_t r = pdata_first(&p->regs, "participant_id", x->id), k = r;
		while (k < p->regs.n && strcmp(pdata_str(p->regs.r[k].row, "participant_id"), x->id) == 0)
			k++;
		if (r == p->regs.n || k == r)
			continue; /* registered for nothing: no notice */
		struct notice *n = &ns->v[ns->n];
		n->person = x->row;
		n->id = x->id;
		n->ex = calloc(k - r, sizeof *n->ex);
		if (!n->ex)
			return -1;
		ns->n++;
		char name[320], fold[320];
		print_name_key(pdata_person(x->row, name, sizeof name), fold, sizeof fold);
		snprintf(n->key, sizeof n->key, "%4s\x01%s", pdata_str(x->row, "class"), fold);
		for (; r < k; r++) {
			const char *exam_id = pdata_str(p->regs.r[r].row, "exam_id");
			const struct prow *e = pdata_find(&p->exams, exam_id);
			if (!e)
				continue;
			struct nexam *ne = &n->ex[n->n++];
			ne->exam = e->row;
			ne->exam_id = e->id;
			size_t s = pdata_first(&p->seats, "participant_id", x->id);
			for (; s < p->seats.n && strcmp(pdata_str(p->seats.r[s].row, "participant_id"),
			                                x->id) == 0; s++)
				if (strcmp(pdata_str(p->seats.r[s].row, "exam_id"), exam_id) == 0)
					ne->seat = p->seats.r[s].row;
			if (ne->seat) {
				const struct prow *pt = pdata_find(&p->points, pdata_str(ne->seat, "point_id"));
				const struct prow *au = pdata_find(&p->rooms, pdata_str(ne->seat, "auditorium_id"));
				ne->point = pt ? pt->row : NULL;
				ne->room = au ? au->row : NULL;
			}
		}
		qsort(n->ex, n->n, sizeof *n->ex, cmp_nexam);
	}
	qsort(ns->v, ns->n, sizeof *ns->v, cmp_notice);
	return 0;
}

/* The column of that name in a server table, -1 when absent. */
static int col_of(const Karta__Table *t, const char *name)
{
	for (size_t i = 0; i < t->n_columns; i++)
		if (strcmp(t->columns[i], name) == 0)
			return (int)i;
	return -1;
}

/* A school's replica holds no seating (sql/0009 keeps it with the point's municipality), so
 * the seats of its own participants are asked of the server (own_seats, sql/0017): where each
 * sits — point code, name and address, auditorium, row and seat — and nothing of anybody
 * else. The rows made for the notices are kept in keep. -1 when the server cannot be asked
 * (offline): the notices then say the seat will be told later. */
static int fill_own_seats(struct client *cl, struct notices *ns, json_t *keep)
{
	Karta__TableRequest req = KARTA__TABLE_REQUEST__INIT;
	req.name = "own_seats";
	Karta__Table *t = NULL;
	if (report_table(cl, &req, &t) != EXIT_OK)
		return -1;
	int cp = col_of(t, "participant"), ce = col_of(t, "exam"), cpt = col_of(t, "point"),
	    cn = col_of(t, "point_name"), ca = col_of(t, "point_address"),
	    cr = col_of(t, "auditorium"), crow = col_of(t, "seat_row"), cs = col_of(t, "seat");
	int filled = 0;
	bool cols_ok = cp >= 0 && ce >= 0 && cpt >= 0 && cn >= 0 && ca >= 0 && cr >= 0 &&
		crow >= 0 && cs >= 0;
	for (size_t i = 0; cols_ok && i < t->n_rows; i++) {
		const Karta__TableRow *r = t->rows[i];
		if (r->n_cells < t->n_columns) /* a refusal came as an Error, never as a row */
			continue;
		for (size_t k = 0; k < ns->n; k++) {
			struct notice *n = &ns->v[k];
			if (strcmp(n->id, r->cells[cp]) != 0)
				continue;
			for (size_t j = 0; j < n->n; j++) {
				struct nexam *e = &n->ex[j];
				if (e->seat || strcmp(e->exam_id, r->cells[ce]) != 0)
					continue;
				json_t *seat = json_pack("{s:I, s:I}", "seat_row",
					(json_int_t)atoll(r->cells[crow]), "seat", (json_int_t)atoll(r->cells[cs]));
				json_t *pt = json_pack("{s:s, s:s, s:s}", "code", r->cells[cpt], "name",
					r->cells[cn], "address", r->cells[ca]);
				json_t *room = json_pack("{s:s}", "code", r->cells[cr]);
				if (seat && pt && room) {
					e->seat = seat, e->point = pt, e->room = room;
					filled++;
				}
				json_array_append_new(keep, seat);
				json_array_append_new(keep, pt);
				json_array_append_new(keep, room);
			}
		}
	}
	karta__table__free_unpacked(t, NULL);
	return filled;
}

int print_notice(struct client *cl, int argc, char **argv)
{
	enum { O_SCHOOL, O_CLASS, O_PER_PAGE, O_OUT, O_N };
	struct opt o[O_N + 1] = {
		[O_SCHOOL] = {.name = "school", .type = OPT_STR, .meta = "CODE",
			.help = N_("the school (default: this device's own, for a school)")},
		[O_CLASS] = {.name = "class", .type = OPT_STR, .meta = "CLASS",
			.help = N_("only this class (11А)")},
		[O_PER_PAGE] = {.name = "per-page", .type = OPT_INT, .meta = "1|2", .min = 1, .max = 2,
			.help = N_("notices per A4 sheet (default 1; 2: with a cut line)")},
		[O_OUT] = OPT_PDF,
	};
	struct opt_cmd c = {"print notice", "", 0, help_print_notice, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	struct print_ctx p;
	struct notices ns = {.per_page = o[O_PER_PAGE].set ? (int)o[O_PER_PAGE].num : 1};
	char own[64];
	int lvl = report_device_level(cl, true, own, sizeof own);
	if (!o[O_SCHOOL].set && lvl != KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL)
		return opts_fail(&c, _("--school CODE is needed (this device is not a school's)"));
	const char *school = o[O_SCHOOL].set ? o[O_SCHOOL].str : own;
	rc = print_begin(&p, cl, PD_EXAMS | PD_POINTS | PD_ROOMS | PD_PEOPLE | PD_REGS | PD_SEATS,
		school);
	const struct porg *s = rc == EXIT_OK ? pdata_org(&p.d, school) : NULL;
	if (rc == EXIT_OK && !school_readable(&p.d, s)) {
		fprintf(stderr, _("karta: cannot print notifications for school %s: it is not a school "
				"of %s (a school prints its own, a municipality its schools'; their people "
				"are not another organization's to read)\n"), school,
			*p.d.own ? p.d.own : "this organization");
		rc = EXIT_RUNTIME;
	}
	if (rc == EXIT_OK && collect(&p.d, school, o[O_CLASS].set ? o[O_CLASS].str : NULL, &ns) != 0) {
		fprintf(stderr, _("karta: out of memory\n"));
		rc = EXIT_RUNTIME;
	}
	json_t *keep = json_array(); /* rows made for the seats the server gave */
	if (rc == EXIT_OK && ns.n > 0 && lvl == KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL &&
	    fill_own_seats(cl, &ns, keep) < 0)
		fprintf(stderr, _("karta: %s: the notices say the seats will be told later\n"),
			cl->unreachable ? "the seats come from the server, which cannot be reached now"
					: "the server did not give the seats");
	if (rc == EXIT_OK && ns.n == 0) {
		fprintf(stderr, _("karta: cannot print notifications: nobody of school %s%s%s is "
				"registered for an exam\n"), school, o[O_CLASS].set ? ", class " : "",
			o[O_CLASS].set ? o[O_CLASS].str : "");
		rc = EXIT_RUNTIME;
	}
	if (rc == EXIT_OK) {
		ns.school = school;
		ns.school_name = s && *s->name ? s->name : school;
		struct pdoc_spec spec = {"Уведомление участника ГИА", "Уведомления участников ГИА",
			false};
		rc = print_write(o[O_OUT].str, &spec, draw, &ns);
	}
	for (size_t i = 0; i < ns.n; i++)
		free(ns.v[i].ex);
	free(ns.v);
	json_decref(keep);
	print_end(&p);
	return rc;
}
