/* ptable: the table every print form uses (pdoc.h). Columns have widths in millimetres
 * (0: an equal share of what the fixed ones leave); cells wrap inside their column, a row
 * grows to its tallest cell and never splits across pages; when a row does not fit, the
 * page ends and the next one starts with the header row again. A group row (a school, an
 * auditorium, a section of a plan) spans the table and is kept with the row after it.
 *
 *   static const struct pcol cols[] = {{"№ п/п", 12, PDOC_RIGHT}, {"ФИО", 0, PDOC_LEFT}};
 *   struct ptable t;
 *   ptable_begin(&t, d, cols, 2);
 *   ptable_row(&t, (const char *[]){"1", "Иванов Иван Иванович"});
 *   ptable_end(&t);
 */
#ifndef KT_PTABLE_H
#define KT_PTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "pdoc.h"

#define PTABLE_MAX_COLS 16

/* The columns a numbered list starts with: the row number, and for a list of people (the
 * ППЭ forms) the full name, which takes what the fixed columns leave. */
#define PCOL_NUM {"№ п/п", 13, PDOC_RIGHT}
#define PCOL_PERSON {"Фамилия, имя, отчество", 0, PDOC_LEFT}

struct pcol {
	const char *title;
	double mm; /* width; 0: a share of the rest */
	enum pdoc_align align;
};

struct ptable {
	struct pdoc *d;
	const struct pcol *cols;
	size_t n;
	double w[PTABLE_MAX_COLS]; /* widths in points */
	double head_h;
	int head_page;             /* the page whose header is drawn, 0: none yet */
	const char *group;         /* a group row waiting for its first row (borrowed) */
	long rows;                 /* data rows drawn */
};

/* Lays out the columns across the page width; draws nothing yet. n ≤ PTABLE_MAX_COLS. */
void ptable_begin(struct ptable *t, struct pdoc *d, const struct pcol *cols, size_t n);
/* One row: n cells (NULL: empty). */
void ptable_row(struct ptable *t, const char *const *cells);
/* A row in bold (ИТОГО). */
void ptable_total(struct ptable *t, const char *const *cells);
/* A full-width bold row, drawn with the next ptable_row (text borrowed until then). */
void ptable_group(struct ptable *t, const char *text);
/* The space after the table. */
void ptable_end(struct ptable *t);

#endif
