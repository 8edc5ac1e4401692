/* kt_table: a small output table — named columns, rows of UTF-8 strings — written as an
 * aligned text table, as CSV (RFC 4180) or as JSON (an array of objects, via jansson).
 *
 * Text alignment counts terminal columns, not bytes: a code point is 1 column, combining
 * marks and zero-width characters 0, East-Asian wide and fullwidth characters 2. Cyrillic
 * is 1 column per letter. Cells wider than their column's max_width are wrapped (at spaces
 * when possible) or cut with "…".
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
};

enum kt_cell_fit {
	KT_FIT_WRAP, /* long cells continue on further lines of the row */
	KT_FIT_CUT,  /* one line per row: newlines become spaces, the rest is cut with "…" */
};

struct kt_col {
	const char *name;     /* text and CSV header, JSON key (borrowed) */
	enum kt_col_type type;
	unsigned max_width;   /* text format: display columns, 0 = unlimited */
};

struct kt_table_opts {
	enum kt_cell_fit fit; /* text */
	bool no_header;       /* text and CSV: rows only */
	bool bom;             /* CSV: start with a UTF-8 byte order mark (for spreadsheets) */
	char sep;             /* CSV field separator; 0 = ',' */
	const char *indent;   /* text: written before every line; NULL = none */
};

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
 * write error or out of memory. JSON goes through kt_table_json. */
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

#endif
