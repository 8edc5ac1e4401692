/* print: `karta print FORM … -o FILE.pdf` — the printed forms (docs/print-forms.md).
 * cmd_print.c holds what every form does first (the replica, pulled
 * when the server is reachable; -o); one file per form draws it with pdoc/ptable:
 *   form_ppe05.c   ППЭ-05-01 list of participants in an auditorium
 *   form_ppe06.c   ППЭ-06-01 / ППЭ-06-02 the point's participants by school / by name
 *   form_ppe07.c   ППЭ-07 staff of the exam point
 *   form_notice.c  participants' notifications
 *   form_plan.c    the roadmap as the approved document
 *   form_rollup.c  the roll-up report
 * print_seating.c: the seating list of a point (the server's), with what the replica adds. */
#ifndef KT_PRINT_H
#define KT_PRINT_H

#include <stdbool.h>
#include <stddef.h>

#include "pdoc.h"
#include "pdata.h"

struct client;

/* -o FILE.pdf / --output FILE.pdf, every form's */
#define OPT_PDF                                                                           \
	{.name = "output", .type = OPT_STR, .meta = "FILE.pdf", .required = true,         \
		.help = "the PDF to write (also -o FILE.pdf); written whole or not at all"}

/* --point CODE of the ППЭ forms */
#define OPT_PRINT_POINT                                                                   \
	{.name = "point", .type = OPT_STR, .meta = "CODE", .required = true,              \
		.help = "the exam point (one of this organization's)"}

/* What a form command works with. */
struct print_ctx {
	struct client *cl;
	struct pdata d;
	bool loaded;
};

/* The replica (pulled first when the server is reachable, so the form shows the server's
 * latest) loaded into p->d with this device's organization: the types in mask (PD_*),
 * participants and registrations of school only when school is set. Returns an exit code. */
int print_begin(struct print_ctx *p, struct client *cl, unsigned mask, const char *school);
void print_end(struct print_ctx *p);

/* --exam → the exam's row (exam_refs: id or DATE:SUBJECT[:FORM]); NULL after a message. */
const struct prow *print_exam(struct print_ctx *p, const char *ref);

/* The exam point of this code that this organization plans, or NULL after saying so: a
 * point of another municipality is refused, for its people are not this organization's
 * to print. */
const struct prow *print_point(struct print_ctx *p, const char *code, const char *form);

/* What the ППЭ forms do first: print_begin (mask: PD_EXAMS | PD_POINTS and more), the exam (--exam), the point (--point: this
 * organization's). Returns an exit code; the caller ends with print_end whatever it is. */
int print_begin_point(struct print_ctx *p, struct client *cl, unsigned mask,
	const char *exam_ref, const char *point_code, const char *form, const struct prow **exam,
	const struct prow **point);

/* Renders and reports: "ППЭ-05-01: 3 стр. → FILE.pdf" on stdout, or the reason on stderr.
 * Returns an exit code. */
int print_write(const char *path, const struct pdoc_spec *spec, pdoc_draw_fn draw, void *arg);

/* Russian sort key of a name (ё as е, case folded for Cyrillic and Latin) into buf. */
const char *print_name_key(const char *s, char *buf, size_t n);

int print_ppe05(struct client *cl, int argc, char **argv);
int print_ppe06_01(struct client *cl, int argc, char **argv);
int print_ppe06_02(struct client *cl, int argc, char **argv);
int print_ppe07(struct client *cl, int argc, char **argv);
int print_notice(struct client *cl, int argc, char **argv);
int print_plan(struct client *cl, int argc, char **argv);
int print_rollup(struct client *cl, int argc, char **argv);

#endif
