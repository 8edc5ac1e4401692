/* report_render: the roll-up and overdue tables (TableRequest → Table, docs/reports.md) as
 * people read them — the useful columns for the grouping asked, labelled, with done
 * percentages and a TOTAL row, overdue counts in bold red on a terminal — and as CSV (the
 * same columns, no TOTAL row) or JSON (every column the server sent, numbers as numbers).
 * Text and CSV go through common/kt_table like every other listing of the client. */
#ifndef KT_REPORT_RENDER_H
#define KT_REPORT_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "karta.pb-c.h"
#include "plan_fmt.h"

struct report_view {
	const char *by;        /* municipality | school | item */
	int scope_level;       /* Karta__OrgLevel of the scope; 0 when unknown (columns by data) */
	bool color;            /* text on a terminal: highlight overdue figures */
	struct plan_fmt_out fo; /* --format, --bom; xlsx: the workbook */
	const char *title;      /* xlsx: the sheet's name (Russian) */
};

/* Colors only for a person at a terminal (stdout a tty, no NO_COLOR, TERM not dumb). */
bool report_want_color(void);

/* karta rollup. Returns an exit code (message printed). */
int report_render_rollup(const Karta__Table *t, const struct report_view *v, FILE *out);

/* karta overdue. */
int report_render_overdue(const Karta__Table *t, const struct report_view *v, FILE *out);

/* karta registry duplicates: the same person entered by two schools. */
int report_render_duplicates(const Karta__Table *t, const struct report_view *v, FILE *out);

/* Any computed table (control reports, seating lists, previews): every column under the
 * server's name, counts right-aligned and, on a terminal, trouble figures (shortage,
 * unseated, missing organizers…) above zero in red. skip: column names left out of the
 * text format (NULL-terminated; NULL: none); CSV and JSON keep every column. */
int report_render_columns(const Karta__Table *t, const struct report_view *v,
	const char *const *skip, FILE *out);

#endif
