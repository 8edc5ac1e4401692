/* import_send: writes a parsed roadmap document (common/import) to kartad as one PlanImport
 * request — one transaction on the server — and prints what changed. */
#ifndef KT_IMPORT_SEND_H
#define KT_IMPORT_SEND_H

#include <stdbool.h>
#include <stdio.h>

#include "kt_import.h"

struct client;

struct import_send_opts {
	const char *into; /* re-import into this draft plan (NULL: a new plan) */
	int year;         /* academic year's first year; 0: the document's */
	bool dry_run;     /* with into: only show the changes */
};

/* Returns the exit code (messages already printed). */
int import_send(struct client *cl, const struct kt_import_plan *plan,
	const struct import_send_opts *o, FILE *out);

#endif
