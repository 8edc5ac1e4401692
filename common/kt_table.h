/* kt_table: a small output table — named columns, rows of UTF-8 strings — written as an
 * aligned text table, as CSV (RFC 4180) or as JSON (an array of objects, via jansson).
 *
 * Text alignment counts terminal columns, not bytes: a code point is 1 column, combining
 * marks and zero-width characters 0, East-Asian wide and fullwidth characters 2. Cyrillic
 * is 1 column per letter. Cells wider than their column's max_width are wrapped (at spaces
 * when possible) or cut with "…".
 *
 * On a terminal (kt_table_style.width) a text table fits the width: text columns are
 * narrowed (wrapped or cut, always between characters) and headers wrapped at spaces; when
 * even that is too wide, the least important columns (kt_col.rank) are left out and a note
 * under the table names them (style.wide keeps them all; style.rank says which matter
 * most, by column name, so every table of the program ranks alike). Without a terminal
 * (KT_WIDTH_NONE: a pipe, a file) nothing is cut.
 *
 * For people (style.people) the headers are labels (style.label), dates дд.мм.гггг and
 * decimals with a comma; CSV for people is Excel's in a Russian locale: ';', CRLF, a
 * UTF-8 BOM (or Windows-1251, style.cp1251). The machine variant (RFC 4180: ',', ISO
 * dates, '.', column names as headers) is for scripts; JSON is always the machine's.
 *
 * Ownership: the table copies every cell; column definitions are copied too but their
 * names are borrowed (use string literals). Cells that are not valid UTF-8 have each bad
 * byte replaced by U+FFFD when added, so every output is valid UTF-8. */
#ifndef KT_TABLE_H
#define KT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum kt_table_format {
	KT_TABLE_TEXT, /* "table" */
	KT_TABLE_CSV,  /* "csv" */
	KT_TABLE_JSON, /* "json" */
	KT_TABLE_XLSX, /* "xlsx": a workbook, written by kt_xlsx (kt_table_write refuses it) */
};

enum kt_col_type {
	KT_COL_TEXT, /* JSON string */
	KT_COL_INT,  /* JSON integer ("" → null, non-numeric → string); right-aligned text */
	KT_COL_BOOL, /* JSON true for "yes", "true", "t", "1"; false otherwise */
	KT_COL_NUM,  /* a decimal ("12.5"): JSON number ("" → null); right-aligned text */
	KT_COL_PCT,  /* percent points ("12.5" is 12.5 %): JSON number; XLSX 0.125 as "0.0%" */
	KT_COL_DATE, /* "YYYY-MM-DD" or "дд.мм.гггг", maybe with " HH:MM[:SS]": JSON string;
	              * XLSX a real date (kt_xlsx) */
	KT_COL_ID,   /* a UUID: JSON string; a text table on a terminal shows its first 8
	              * characters, more where two ids of the column share them (--wide: whole) */
};

enum kt_cell_fit {
	KT_FIT_WRAP, /* long cells continue on further lines of the row */
	KT_FIT_CUT,  /* one line per row: newlines become spaces, the rest is cut with "…" */
};

struct kt_col {
	const char *name;     /* JSON key, machine CSV header, the label's key (borrowed) */
	enum kt_col_type type;
	unsigned max_width;   /* text format: display columns, 0 = unlimited */
};

struct kt_table_opts {
	enum kt_cell_fit fit; /* text */
	bool no_header;       /* text and CSV: rows only */
	bool bom;             /* CSV: start with a UTF-8 byte order mark (for spreadsheets) */
	char sep;             /* CSV field separator; 0 = ',' */
	const char *indent;   /* text: written before every line; NULL = none */
	const char *title;    /* the table's title: for style.label (a name may mean
	                       * different things in different tables) */
};

#define KT_WIDTH_NONE 0xFFFFFFFFu /* style.width: not a terminal, never cut */

/* How tables are written for this process (one CLI run): set once by the program from
 * its locale, its options and its terminal. The default, all zero, is the machine's:
 * column names, ISO, ',', and max_width cuts as the columns ask. */
struct kt_table_style {
	unsigned width;  /* text: fit to this many terminal columns; KT_WIDTH_NONE: never cut;
	                  * 0: only the columns' own max_width */
	bool wide;       /* text: never leave a column out */
	bool people;     /* text: labels, дд.мм.гггг, decimal comma */
	bool csv_people; /* CSV: the same, and ';' with a UTF-8 BOM (Excel in Russian) */
	bool csv_chosen; /* csv_people was asked for (--csv-dialect), not taken from the locale */
	bool keys;       /* for people, but the headers stay column names */
	bool cp1251;     /* CSV in Windows-1251 (kt_table_write fails with EILSEQ on a
	                  * character it has not) */
	/* the header for people of column `name` in the table `title` (NULL: any table);
	 * NULL hook: name */
	const char *(*label)(const char *title, const char *name);
	/* how much column `name` of the table `title` matters on a narrow terminal: 1 the
	 * most, kept longest; 0 (or a NULL hook): after every ranked one, the rightmost first */
	unsigned (*rank)(const char *title, const char *name);
	/* the note under a text table that left columns out, with "%s" for their headers
	 * ("columns not shown: %s (--wide shows all)"); NULL: that English text */
	const char *dropped_note;
};

void kt_table_set_style(const struct kt_table_style *s);
const struct kt_table_style *kt_table_get_style(void);

/* The header of column c in a table for people (its label, unless style.keys) or for
 * machines (its name). */
const char *kt_table_header(const struct kt_col *c, const char *title, bool people);

struct kt_table;

/* A table with ncols columns (at least one); NULL when out of memory. */
struct kt_table *kt_table_new(const struct kt_col *cols, size_t ncols)
	__attribute__((warn_unused_result));
void kt_table_free(struct kt_table *t);

/* Appends a row of exactly ncols cells (NULL = ""). 0, or -1 when out of memory. */
int kt_table_add(struct kt_table *t, const char *const *cells) __attribute__((warn_unused_result));

size_t kt_table_rows(const struct kt_table *t);

/* The columns (*n of them) and the cells of row r (valid UTF-8, never NULL): for other
 * renderings of the same table (kt_xlsx). */
const struct kt_col *kt_table_cols(const struct kt_table *t, size_t *n);
const char *const *kt_table_row(const struct kt_table *t, size_t r);

/* True for the types whose text is right-aligned and whose JSON is a number. */
bool kt_col_is_number(enum kt_col_type type);

/* Writes the table. o may be NULL (defaults: wrap, header, ',', no BOM). 0, or -1 on a
 * write error (errno: EPIPE when the reader has gone, EILSEQ for Windows-1251) or out of
 * memory. JSON goes through kt_table_json. */
int kt_table_write(const struct kt_table *t, enum kt_table_format f,
	const struct kt_table_opts *o, FILE *out);

/* New JSON array of objects, one per row, keys = column names in column order, values by
 * column type. Caller owns it (json_decref); NULL when out of memory. */
json_t *kt_table_json(const struct kt_table *t);

/* "table" | "csv" | "json" | "xlsx" → *out; -1 for anything else. */
int kt_table_format_parse(const char *name, enum kt_table_format *out);

/* Display width of len bytes of UTF-8 (invalid bytes count 1, C0 controls 0). */
size_t kt_utf8_width(const char *s, size_t len);

/* The length of the longest prefix of s's first max bytes that ends at a character
 * boundary: a cut there ("%.*s") never splits a multibyte letter. Invalid bytes count as
 * characters of one byte. */
size_t kt_utf8_fit(const char *s, size_t max);

/* A heap copy of s in which every byte that is not part of valid UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF included) is U+FFFD. NULL when out of memory;
 * s == NULL gives "". */
char *kt_utf8_dup_valid(const char *s) __attribute__((warn_unused_result));

/* Whether the len bytes at s are all valid UTF-8 (by the rule of kt_utf8_dup_valid: no
 * overlong form, surrogate or code point past U+10FFFF; a NUL byte is valid). */
bool kt_utf8_valid(const char *s, size_t len);

#endif
