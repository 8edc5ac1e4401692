/* kt_xlsx: tables as an Excel workbook (.xlsx), through libxlsxwriter — one sheet per table,
 * the header row bold, frozen and filterable, column widths fitted to the text (counted in
 * characters, so Cyrillic fits), and cells typed by their column (kt_table.h): counts and
 * decimals as numbers, percentages as numbers under a "0.0%" format, dates as real Excel
 * dates shown дд.мм.гггг (with ЧЧ:ММ when the text has a time), yes/no flags as «да»/«нет»,
 * the rest as text. Sheets print on A4 landscape, fitted to the page width, with the header
 * repeated on every page. A cell whose text does not fit its type (a deadline "до 1 ноября", a
 * note instead of a number) is written as that text, never lost.
 *
 * Rows stream through libxlsxwriter's constant-memory mode: a sheet's rows go to a
 * temporary file as they come, so a 30,000-row registry costs no more memory than a short
 * one. The workbook is written to a temporary file beside its target (made 0600: registers
 * hold personal data) and renamed over it only when complete; on any failure, or
 * kt_xlsx_discard, nothing is left and an existing file of that name is untouched. */
#ifndef KT_XLSX_H
#define KT_XLSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kt_table.h"

#define KT_XLSX_ERR_LEN 512

struct kt_xlsx;

/* A new workbook for path, or with path NULL for stream (copied there on commit: a
 * workbook on a pipe). NULL with a message in err ("cannot create '...': reason"). */
struct kt_xlsx *kt_xlsx_open(const char *path, FILE *stream, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Starts a sheet named after title (see kt_xlsx_sheet_name) with these columns; the
 * header row is written at once. The previous sheet is finished (widths, filter). */
int kt_xlsx_sheet(struct kt_xlsx *x, const char *title, const struct kt_col *cols, size_t ncols)
	__attribute__((warn_unused_result));

/* One row of the current sheet: exactly its ncols cells (NULL = empty). -1 past Excel's
 * 1,048,576 rows or on a write error (kt_xlsx_error says which). */
int kt_xlsx_row(struct kt_xlsx *x, const char *const *cells) __attribute__((warn_unused_result));

/* A whole kt_table as one sheet. */
int kt_xlsx_table(struct kt_xlsx *x, const char *title, const struct kt_table *t)
	__attribute__((warn_unused_result));

/* Rows written to the current sheet (header not counted). */
size_t kt_xlsx_rows(const struct kt_xlsx *x);

/* The reason of the last failure. */
const char *kt_xlsx_error(const struct kt_xlsx *x);

/* Finishes the workbook and puts it in place (rename, or copy to the stream); frees x.
 * 0, or -1 with the reason in err and nothing left behind. A workbook with no sheet gets
 * one empty sheet. */
int kt_xlsx_commit(struct kt_xlsx *x, char *err, size_t errlen);

/* Frees x and removes its temporary file; the target is untouched. NULL is fine. */
void kt_xlsx_discard(struct kt_xlsx *x);

/* A valid, distinct sheet name for title: the characters Excel forbids ([ ] : * ? / \)
 * become '-', leading and trailing apostrophes and spaces go, at most 31 characters;
 * "Лист" when nothing is left. out holds at least KT_XLSX_SHEET_LEN bytes. */
#define KT_XLSX_SHEET_LEN (31 * 4 + 1)
void kt_xlsx_sheet_name(const char *title, char *out);

/* A date or timestamp as karta prints them: "YYYY-MM-DD", "дд.мм.гггг", either followed by
 * ' ' or 'T' and "HH:MM" or "HH:MM:SS" (fractions and a zone after that ignored). A real
 * calendar date from 1900 on. 0 on success, *has_time set; -1 otherwise. */
struct kt_xlsx_when {
	int year, month, day, hour, min;
	double sec;
	bool has_time;
};
int kt_xlsx_parse_date(const char *s, struct kt_xlsx_when *w);

#endif
