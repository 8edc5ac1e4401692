/* pdoc: one printable PDF document (A4) drawn with cairo + pango, for `karta print`.
 *
 * A form is a draw function that lays its content out top to bottom: titles, labelled
 * fields, paragraphs and tables (ptable.h). pdoc starts pages as content needs them and
 * puts on every page the form's name (top right) and "стр. N из M" (bottom right). M is
 * known because pdoc_render runs the draw function twice: once to count the pages (into
 * a discarded stream), then into the file. The file is written as PATH.tmp and renamed
 * when complete, so a failure never leaves a half-written form under PATH.
 *
 * Text is UTF-8, set in PT Sans (Debian fonts-paratype), which cairo embeds as a subset.
 * Units are PostScript points (1/72 inch); pdoc_mm converts. */
#ifndef KT_PDOC_H
#define KT_PDOC_H

#include <stdbool.h>
#include <stddef.h>

struct pdoc;

/* The typeface of the forms; pdoc_render refuses to print when fontconfig substitutes
 * another one (Cyrillic text would come out in whatever the machine has). */
#define PDOC_FONT "PT Sans"

enum pdoc_style {
	PDOC_TITLE,    /* 14 pt bold */
	PDOC_SUBTITLE, /* 12 pt bold */
	PDOC_BODY,     /* 11 pt */
	PDOC_BOLD,     /* 11 pt bold */
	PDOC_SMALL,    /* 8.5 pt, grey */
	PDOC_CELL,     /* 10 pt: table cells */
	PDOC_HEAD,     /* 9 pt bold: table headers */
	PDOC_CELL_BOLD, /* 10 pt bold: total rows */
};

enum pdoc_align { PDOC_LEFT, PDOC_CENTER, PDOC_RIGHT };

struct pdoc_spec {
	const char *form;  /* "Форма ППЭ-05-01": top right of every page */
	const char *title; /* the PDF's title (metadata) */
	bool landscape;
};

/* Draws the document; returns 0, or -1 after pdoc_fail. Runs twice per pdoc_render. */
typedef int (*pdoc_draw_fn)(struct pdoc *d, void *arg);

/* Renders draw(d, arg) into path. 0, or -1 with err ("cannot write 'f.pdf': reason", or
 * the draw function's pdoc_fail message). *pages (may be NULL) gets the page count. */
int pdoc_render(const char *path, const struct pdoc_spec *spec, pdoc_draw_fn draw, void *arg,
	int *pages, char *err, size_t errlen);

/* Records why drawing failed (printf-style) and returns -1. */
int pdoc_fail(struct pdoc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

double pdoc_mm(double mm);
/* The width between the margins. */
double pdoc_width(const struct pdoc *d);
/* The height left on the current page (a full page when none is started). */
double pdoc_room(const struct pdoc *d);
/* True when the current page has content. */
bool pdoc_page_started(const struct pdoc *d);
/* The number of the current (or last) page, from 1; 0 before the first. */
int pdoc_page(const struct pdoc *d);

/* Ends the current page (if it has content); the next content starts a new one. */
void pdoc_break(struct pdoc *d);
/* Moves the pen to y (from the top margin) on the current page, starting one if needed;
 * used to put the second notice of a page in its lower half. */
void pdoc_goto(struct pdoc *d, double y);
double pdoc_y(const struct pdoc *d);

/* Vertical space (dropped at the top of a page). */
void pdoc_gap(struct pdoc *d, double pt);
/* A wrapped paragraph across the full width. */
void pdoc_text(struct pdoc *d, enum pdoc_style st, enum pdoc_align al, const char *text);
/* "label: value" on one wrapped line, the label bold; nothing when value is NULL. */
void pdoc_field(struct pdoc *d, const char *label, const char *value);
/* A thin dashed line across the width (where to cut two forms on one sheet). */
void pdoc_cut_line(struct pdoc *d);

/* --- for ptable.c -------------------------------------------------------------------- */

/* The height text takes in style st wrapped to width. */
double pdoc_text_height(struct pdoc *d, enum pdoc_style st, double width, const char *text);
/* Draws text wrapped to width with its top left at (x, y) relative to the left margin and
 * the pen; does not move the pen. */
void pdoc_text_at(struct pdoc *d, enum pdoc_style st, enum pdoc_align al, double x, double y,
	double width, const char *text);
/* A rectangle at (x, y) relative to the margin and the pen: stroked, and filled grey
 * first when shaded. */
void pdoc_box(struct pdoc *d, double x, double y, double w, double h, bool shaded);
/* Starts a page if none is started; moves the pen down by h. */
void pdoc_ensure_page(struct pdoc *d);
void pdoc_advance(struct pdoc *d, double h);

#endif
