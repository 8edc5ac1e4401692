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
	struct plan_fmt_out fo; /* --format, --bom */
};

/* karta rollup. Returns an exit code (message printed). */
int report_render_rollup(const Karta__Table *t, const struct report_view *v, FILE *out);

/* karta overdue. */
int report_render_overdue(const Karta__Table *t, const struct report_view *v, FILE *out);

/* karta registry duplicates: the same person entered by two schools. */
int report_render_duplicates(const Karta__Table *t, const struct report_view *v, FILE *out);

#endif
