/* print_seating: the seating list of one exam point for the ППЭ forms — the server's
 * (TableRequest "seating", sql/0009 karta_seating_list: names only of the people this
 * organization may read, the point refused unless it is this organization's), completed
 * from the replica with each participant's class and document and each school's name. */
#ifndef KT_PRINT_SEATING_H
#define KT_PRINT_SEATING_H

#include <stddef.h>

#include "print.h"

struct client;

struct pseat {
	char room[16], room_name[128];
	int row, seat;
	char school[32];        /* code */
	const char *school_name; /* the feed's name, or the code when unknown (borrowed) */
	char person[320];       /* "" when this organization may not read them */
	char cls[16];           /* class, "" when unknown */
	char doc[64];           /* "серия номер", "" when unknown */
	char key[320];          /* sort key of the name */
};

struct pseating {
	struct pseat *s;
	size_t n;
	const struct prow *exam, *point;
	char exam_title[256], exam_date[16];
};

/* The seating of the point (its code) at the exam (its row), in room, row, seat order.
 * room: only this auditorium's (NULL: all). form names the form in messages. Returns an
 * exit code; EXIT_OK with n == 0 never happens (nobody seated is an error: nothing to
 * print). */
int print_seating_get(struct print_ctx *p, const struct prow *exam, const struct prow *point,
	const char *room, const char *form, struct pseating *out);
void print_seating_free(struct pseating *s);

/* print_begin_point, then print_seating_get. The caller ends with print_seating_free and
 * print_end whatever this returns. */
int print_seating_load(struct print_ctx *p, struct client *cl, const char *exam_ref,
	const char *point_code, const char *room, const char *form, struct pseating *out);

/* The lines every ППЭ form starts with: exam, date, point. */
void print_exam_head(struct pdoc *d, const struct pseating *s);
/* The name cell: a person this organization may not read is named by nothing else. */
const char *print_person_cell(const struct pseat *s);

#endif
