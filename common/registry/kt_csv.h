/* kt_csv: streaming CSV for registry files (participants, exam points, auditoriums, staff).
 *
 * Reader: bytes in any size of chunks -> UTF-8 records. The encoding is detected from the
 * first 64 KiB: UTF-8 (BOM optional), UTF-16 with a BOM, otherwise Windows-1251 when the
 * high bytes look like Russian text. The separator is ';', ',' or TAB, taken from the
 * header line (the most frequent outside quotes; ';' on a tie) unless forced. Quoting is
 * RFC 4180: a quoted field may hold separators, doubled quotes and line breaks; a quote
 * inside an unquoted field is kept as a character (spreadsheets write «ООО "Ромашка"» so).
 * Lines end with CRLF, LF or a lone CR. Blank lines, and rows whose fields are all empty
 * and unquoted (";;;", how spreadsheets save an empty row), are skipped.
 *
 * Memory is bounded: the reader holds one decoding window (64 KiB raw, its UTF-8) plus the
 * current record, and a record is refused as soon as one field passes max_field bytes
 * (default 64 KiB) or the record passes max_row bytes, so a 10 MB field is refused after
 * reading about 64 KiB of it, never buffered. Refusals say why and on which line:
 * empty file, NUL or control bytes, undecodable text, an unbalanced quote, a character
 * after a closing quote, too long a field or row, too many fields. A data row whose field
 * count differs from the header's is returned as KT_CSV_BAD_ROW ("line 7: the row has 5
 * fields, the header has 4"), and reading goes on.
 *
 * Writer: rows of UTF-8 fields -> CSV with a chosen separator, LF or CRLF, an optional
 * UTF-8 BOM or Windows-1251 output (by table, kt_cp1251.h); a field is quoted when it
 * holds the separator, a quote or a line break (in the first row also ',', ';' or TAB, so
 * the separator is detected again on reading), and a row of empty fields starts with ""
 * so that it is not read back as blank. Reading back what the writer wrote gives the same
 * fields (tests/fuzz/fuzz_csv.c checks it).
 *
 * Error messages are English, lower-case, and never quote field contents (registry
 * fields are personal data): they name lines, fields by position, and bytes by value. */
#ifndef KT_CSV_H
#define KT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define KT_CSV_MAX_FIELD_DEFAULT (64u * 1024u)
#define KT_CSV_MAX_FIELDS_DEFAULT 512u
#define KT_CSV_MAX_ROW_DEFAULT (1024u * 1024u)

/* Reads up to n bytes into buf: the count, 0 at the end, -1 on an I/O error. */
typedef ssize_t kt_csv_read_fn(void *ctx, void *buf, size_t n);
/* Writes n bytes: 0, or -1 on an I/O error. */
typedef int kt_csv_write_fn(void *ctx, const void *buf, size_t n);

struct kt_csv_opts {
	size_t max_field;  /* bytes (UTF-8) of one field; 0 = KT_CSV_MAX_FIELD_DEFAULT */
	size_t max_fields; /* fields of one record; 0 = KT_CSV_MAX_FIELDS_DEFAULT */
	size_t max_row;    /* bytes of one record; 0 = KT_CSV_MAX_ROW_DEFAULT */
	char sep;          /* 0 = detect from the header line; else ';', ',' or '\t' */
};

enum kt_csv_status {
	KT_CSV_ROW,     /* *row holds the next record (the header first) */
	KT_CSV_BAD_ROW, /* *row holds a record whose field count differs from the header's;
	                   *err says so; the next call reads on */
	KT_CSV_END,     /* no more records */
	KT_CSV_ERROR,   /* *err says why; every later call returns KT_CSV_ERROR again */
};

enum kt_csv_errcode {
	KT_CSV_OK = 0,
	KT_CSV_EEMPTY,    /* no bytes, or nothing but a BOM and blank lines */
	KT_CSV_EBINARY,   /* NUL or control bytes */
	KT_CSV_EENCODING, /* not UTF-8, UTF-16 (BOM) or Windows-1251 */
	KT_CSV_EQUOTE,    /* unbalanced quote, or a character after a closing quote */
	KT_CSV_ECOLUMNS,  /* a row's field count differs from the header's */
	KT_CSV_ETOOLONG,  /* a field, a row or the field count over its limit */
	KT_CSV_EIO,
	KT_CSV_ENOMEM,
};

struct kt_csv_err {
	enum kt_csv_errcode code;
	int line;      /* 1-based line of the input, 0 when not tied to a line */
	char msg[384]; /* "line 7: ..." */
};

/* Formats err as "line N: ..." (without the prefix when line is 0); err may be NULL.
 * For callers adding their own refusals of a row (kt_registry does). */
void kt_csv_set_err(struct kt_csv_err *e, enum kt_csv_errcode code, int line,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

struct kt_csv_field {
	const char *s; /* UTF-8, NUL-terminated (holds no NUL itself) */
	size_t len;
	bool quoted;
};

/* A record; the fields belong to the reader and stay valid until its next call. */
struct kt_csv_row {
	const struct kt_csv_field *f;
	size_t n;
	int line;      /* where the record starts */
	int last_line; /* where it ends (a quoted field may span lines) */
};

struct kt_csv_reader;

/* A reader pulling bytes from fn(ctx) (borrowed until kt_csv_reader_free). o may be NULL.
 * NULL when out of memory. */
struct kt_csv_reader *kt_csv_reader_new(kt_csv_read_fn *fn, void *ctx,
	const struct kt_csv_opts *o) __attribute__((warn_unused_result));
/* A reader over a buffer (borrowed, not copied) or an open FILE (borrowed, not closed). */
struct kt_csv_reader *kt_csv_reader_mem(const void *buf, size_t len,
	const struct kt_csv_opts *o) __attribute__((warn_unused_result));
struct kt_csv_reader *kt_csv_reader_file(FILE *f, const struct kt_csv_opts *o)
	__attribute__((warn_unused_result));
void kt_csv_reader_free(struct kt_csv_reader *r);

/* The next record. err may be NULL. */
enum kt_csv_status kt_csv_next(struct kt_csv_reader *r, struct kt_csv_row *row,
	struct kt_csv_err *err);

/* Known once the first record was read: "utf-8", "utf-16le", "utf-16be", "windows-1251";
 * the separator; the header's field count (0 before). */
const char *kt_csv_encoding(const struct kt_csv_reader *r);
char kt_csv_sep(const struct kt_csv_reader *r);
size_t kt_csv_ncols(const struct kt_csv_reader *r);
/* Bytes of input consumed so far (for a progress bar). */
size_t kt_csv_bytes_read(const struct kt_csv_reader *r);

/* ---- writer ---- */

struct kt_csv_wopts {
	char sep;      /* 0 = ';' */
	bool crlf;     /* end lines with CRLF (else LF) */
	bool bom;      /* start with a UTF-8 BOM (ignored for Windows-1251) */
	bool cp1251;   /* write Windows-1251 instead of UTF-8 */
	bool quote_seps; /* quote every field holding ',' ';' TAB, or starting or ending with a
	                  * space, in every row (tables for spreadsheets that guess) */
};

struct kt_csv_writer;

/* A writer to fn(ctx) (borrowed) or to an open FILE (borrowed, not closed). o may be NULL.
 * NULL when out of memory. */
struct kt_csv_writer *kt_csv_writer_new(kt_csv_write_fn *fn, void *ctx,
	const struct kt_csv_wopts *o) __attribute__((warn_unused_result));
struct kt_csv_writer *kt_csv_writer_file(FILE *f, const struct kt_csv_wopts *o)
	__attribute__((warn_unused_result));
/* Flushes nothing (every row is written at once) and frees; NULL is a no-op. */
void kt_csv_writer_free(struct kt_csv_writer *w);

/* Writes one record of n NUL-terminated UTF-8 fields (NULL = empty). 0, or -1 on a write
 * error, out of memory, or a character Windows-1251 cannot hold (kt_csv_writer_error
 * says which). */
int kt_csv_write_row(struct kt_csv_writer *w, const char *const *fields, size_t n)
	__attribute__((warn_unused_result));
/* The same with lengths (for fields read by kt_csv_next). */
int kt_csv_write_fields(struct kt_csv_writer *w, const struct kt_csv_field *f, size_t n)
	__attribute__((warn_unused_result));
/* Why the last write failed ("" when it did not). */
const char *kt_csv_writer_error(const struct kt_csv_writer *w);

#endif
