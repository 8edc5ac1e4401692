/* table_out: where a table command's output goes. stdout by default; with -o FILE a file
 * written whole — a temporary file beside it, renamed over it only when the command
 * succeeded, so a failed or interrupted run leaves an existing FILE as it was and no
 * half-written one. --format xlsx makes a workbook (common/kt_xlsx): each table the
 * command prints becomes one sheet, named by the table's title; it needs -o when stdout is
 * a terminal (a workbook is not for reading there) and is copied to stdout otherwise.
 *
 * Every table of the client's commands is written through table_out_write, so a command
 * gets every format by passing its kt_table (with a type per column) and a title. */
#ifndef KT_TABLE_OUT_H
#define KT_TABLE_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "kt_table.h"
#include "kt_xlsx.h"
#include "opts.h"
#include "plan_fmt.h"

struct table_out {
	FILE *f;           /* text, csv, json: write here (stdout or the temporary file) */
	const char *path;  /* -o FILE, or NULL */
	char tmp[4096];    /* the temporary file of csv/json with -o */
	bool quiet;        /* close: the command says itself where the file went */
};

/* Sets up fo's destination for --format fo->format and -o path (NULL: stdout): for xlsx
 * opens fo->xlsx. Refuses xlsx on a terminal without -o and -o with the text table (usage
 * errors through opts_fail: exit 2). Returns EXIT_OK, EXIT_USAGE or EXIT_RUNTIME (message
 * printed). */
int table_out_open(struct table_out *o, struct plan_fmt_out *fo, const char *path,
	const struct opt_cmd *c) __attribute__((warn_unused_result));

/* table_out_open for a command whose table has the output options (OPTS_FORMAT, and
 * OPTS_BOM and OPTS_OUTPUT where it takes them): *fo is set from --format and --bom, the
 * destination from -o. The same returns as table_out_open. */
int table_out_start(struct table_out *o, struct plan_fmt_out *fo, const struct opt_cmd *c)
	__attribute__((warn_unused_result));

/* The start of a command whose options are the output ones only (--format table|csv|json|
 * xlsx, --bom, -o FILE) and that takes no argument: parses argv (help, usage errors) and
 * opens the output as table_out_start. True when the command goes on; false when it must
 * return *rc. */
bool table_out_command(const char *name, const char *about, int argc, char **argv,
	struct table_out *o, struct plan_fmt_out *fo, int *rc) __attribute__((warn_unused_result));

/* Finishes: with rc == EXIT_OK puts the file in place (and says where on stdout), else
 * removes what was begun. Returns rc, or EXIT_RUNTIME when finishing failed. */
int table_out_close(struct table_out *o, struct plan_fmt_out *fo, int rc);

/* Writes t in fo's format: as the sheet `title` (xlsx; headers by table_out_label), else
 * as kt_table_write does. 0, or -1 with "karta: cannot write the output: reason" printed. */
int table_out_write(const struct kt_table *t, const struct plan_fmt_out *fo,
	const struct kt_table_opts *to, const char *title, FILE *out);

/* Says "karta: cannot write the output: WHY" (WHY NULL: errno's reason) on stderr and
 * returns -1 — unless the output is a pipe whose reader has gone (`karta … | head`): then
 * the program ends at once, quietly, with status 0, for what was wanted has been written. */
int table_out_fail(const char *why);
/* True when stdout is a pipe (or socket) whose reading end is closed. */
bool table_out_pipe_closed(void);

/* The header people read of column `name` on the sheet (table) `title`, in the user's
 * language; name itself when it has no label. */
const char *table_out_label(const char *sheet, const char *name);

/* Sets the process's table style (kt_table_set_style) from the locale (Russian: labels,
 * дд.мм.гггг, CSV for Excel) and stdout (the terminal's width, $COLUMNS, or never cut).
 * Called once at the start; the output options of a command (opts.c) adjust it. */
void table_out_init(void);

#endif
