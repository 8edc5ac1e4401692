/* kt_gds_write: writing a federal exchange package (GIADBSet, kt_gds.h) as a .zip — one XML
 * file per table, root `GIADBSet` in its namespace, one element per row, its columns in the
 * published schema's order (kt_gds_tables.c), then the columns the schema does not know, as
 * they came. XML by libxml2 (its output buffer and escaping), the archive by libzip.
 *
 * Nothing appears at the package's path until kt_gds_write_finish has the whole archive:
 * the deflated tables and the archive are made in a private folder (0700) beside it and the
 * archive is renamed into place, so a failure or a crash leaves an existing file as it was.
 *
 * Every value is checked against its column before it is written (required, type, pattern,
 * maxLength: kt_gds_check), so what karta writes validates against the schema; a value
 * that would not is an error naming the table, the row and the column, never the value. */
#ifndef KT_GDS_WRITE_H
#define KT_GDS_WRITE_H

#include <stddef.h>

#include "kt_gds.h"

struct kt_gds_write;
struct kt_gds_file;

/* Starts a package to be written to path. NULL with err set ("cannot create 'DIR/…': …"). */
struct kt_gds_write *kt_gds_write_open(const char *path, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Starts a table of kt_gds_tables: the package holds the tables in the order they were
 * started. NULL with err set. Not thread-safe: start the tables in one thread. */
struct kt_gds_file *kt_gds_write_table(struct kt_gds_write *w, const struct kt_gds_table *t,
	char *err, size_t errlen) __attribute__((warn_unused_result));
/* One row of f's table: val[i] is column i's text (NULL: the element is left out), then
 * nextra columns the schema does not have (names checked as XML names). Borrowed. Called
 * from the rows function of kt_gds_file_fill. */
int kt_gds_file_row(struct kt_gds_file *f, const char *const *val, int nextra,
	const char *const *xname, const char *const *xval, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Rows written to f so far. */
long kt_gds_file_rows(const struct kt_gds_file *f);
/* The rows of a table, asked for one at a time: writes the next row (or none, when it
 * leaves one out) with kt_gds_file_row and returns 1; 0 when there are no more; -1 with
 * err (errlen bytes) set. */
typedef int (*kt_gds_rows_fn)(void *ctx, struct kt_gds_file *f, char *err, size_t errlen);
/* Writes f's table: its rows, as next gives them, deflated as they come (the table's XML is
 * never whole, in memory or on disk). Once per table; tables of one package may be filled
 * by different threads side by side. 0 or -1 (err set: next's words when it failed). */
int kt_gds_file_fill(struct kt_gds_file *f, kt_gds_rows_fn next, void *ctx, char *err,
	size_t errlen) __attribute__((warn_unused_result));
/* Fills the tables nobody filled (no rows), puts the deflated tables into the archive in
 * their order (copied, not deflated again) and renames it to the path. Frees w whatever
 * happens (on failure nothing is left behind). 0 or -1 (err set). */
int kt_gds_write_finish(struct kt_gds_write *w, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Drops everything written so far (no thread may be filling a table). NULL is a no-op. */
void kt_gds_write_abort(struct kt_gds_write *w);

#endif
