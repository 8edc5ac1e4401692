/* kt_gds: the federal exchange package (GIADBSet) — one XML file per table, root element
 * `GIADBSet` in the namespace http://www.rustest.ru/giadbset, one child element per row
 * (`rbd_Schools`, …) whose children are the columns (docs/registries.md «GIADBSet»).
 *
 * A package is a folder or a .zip holding those files. Rows are read one at a time with
 * libxml2's SAX2 push parser fed a chunk at a time (no tree is built), so a file of any
 * length costs a few chunks' rows of memory. The reader refuses what a hostile package could use: a DTD (so no entity at all,
 * no billion laughs, no external entity), network access, an encoding other than UTF-8,
 * files and ZIP members over the size limit, ZIP members whose inflated size exceeds what
 * their header says (zip bombs) or whose names climb out ("../"). Each row is checked
 * against the published schema's column table (kt_gds_tables.c, generated from the XSDs):
 * required columns present, lengths within maxLength (in characters), numbers, GUIDs,
 * booleans and timestamps well formed. Every error names the file and the row's number.
 *
 * Columns karta does not know (present in the file, absent from the table) are kept, in
 * their order, so a caller can store them verbatim. */
#ifndef KT_GDS_H
#define KT_GDS_H

#include <stdbool.h>
#include <stddef.h>

#define KT_GDS_NS "http://www.rustest.ru/giadbset"
#define KT_GDS_MAX_COLS 128

enum kt_gds_type {
	KT_GDS_TEXT,
	KT_GDS_INT,
	KT_GDS_GUID,
	KT_GDS_BOOL,
	KT_GDS_DATETIME,          /* 2017-02-17T17:41:10.123: the schemas' pattern, 2+ fraction digits */
	KT_GDS_DATETIME_NULL,     /* the same, or the word NULL */
	KT_GDS_DATETIME_FRAC_OPT, /* the same, the fraction optional */
};

struct kt_gds_col {
	const char *name;
	enum kt_gds_type type;
	int max_len; /* characters; 0: unbounded */
	bool required;
};

struct kt_gds_table {
	const char *name; /* rbd_Schools */
	const struct kt_gds_col *cols;
	int ncols;
};

extern const struct kt_gds_table kt_gds_tables[];
extern const int kt_gds_tables_count;

/* The table of that name, NULL when karta has none. */
const struct kt_gds_table *kt_gds_table(const char *name);
/* Index of a column in a table, -1 when absent. */
int kt_gds_col(const struct kt_gds_table *t, const char *name);

/* Limits of one package (defaults by kt_gds_limits_default). */
struct kt_gds_limits {
	size_t max_file_bytes; /* one XML file, inflated */
	size_t max_value_bytes; /* one column's text */
	size_t max_unknown;    /* unknown columns kept per row */
};
void kt_gds_limits_default(struct kt_gds_limits *l);

struct kt_gds_pkg;
/* Opens a package: a folder or a .zip (by content, not by name). NULL with err set. */
struct kt_gds_pkg *kt_gds_pkg_open(const char *path, const struct kt_gds_limits *lim, char *err,
	size_t errlen);
void kt_gds_pkg_free(struct kt_gds_pkg *p);
/* Whether the package holds the table's file (TABLE.xml, any case of the extension). */
bool kt_gds_pkg_has(struct kt_gds_pkg *p, const char *table);

/* One row: val[i] is column i's text (NULL when the element is absent; "" when empty), the
 * unknown columns in file order. Valid until the next kt_gds_next or kt_gds_close. */
struct kt_gds_row {
	long index; /* 1-based position of the row in its file */
	const char *val[KT_GDS_MAX_COLS];
	int nunknown;
	const char *unknown_name[32];
	const char *unknown_val[32];
};

struct kt_gds_reader;
/* Starts reading the table's file of the package (the table must be in kt_gds_tables).
 * NULL with err set ("rbd_Schools.xml: …"). */
struct kt_gds_reader *kt_gds_open(struct kt_gds_pkg *p, const char *table, char *err,
	size_t errlen);
/* The next row: 1 (row filled), 0 (end of file), -1 (err set: "FILE: row N: …" or
 * "FILE: line L: …"). After -1 the reader is done — unless kt_gds_resumable says the error
 * was one whole row's values (a column missing, over maxLength, off its pattern): then the
 * next call reads the row after it. */
int kt_gds_next(struct kt_gds_reader *r, struct kt_gds_row *row, char *err, size_t errlen)
	__attribute__((warn_unused_result));
bool kt_gds_resumable(const struct kt_gds_reader *r);
/* From now on the reader parses on a thread of its own, ahead of the caller (a few hundred
 * rows, bounded): kt_gds_next gives the same rows, refusals and messages in the same order,
 * while the caller's work on a row overlaps the parse of the next. Call before the first
 * kt_gds_next; kt_gds_close ends the thread. 0, or -1 (no thread: the reader reads as
 * before). */
int kt_gds_read_ahead(struct kt_gds_reader *r);
void kt_gds_close(struct kt_gds_reader *r);

/* Value checks by type (NULL when fine, else a message without the value, marked N_():
 * translate it with _() where it is printed). */
const char *kt_gds_check(const struct kt_gds_col *c, const char *v);

#endif
