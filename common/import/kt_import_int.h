/* kt_import_int: what the kt_import_*.c modules share and nothing outside common/import uses.
 * Pipeline: text (decode, clean lines) -> layout (cells, header, rows) -> build (sections,
 * items, continuation rows) -> meta (document, abbreviations, parties) -> model (JSON). */
#ifndef KT_IMPORT_INT_H
#define KT_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kt_import.h"

/* ---- growable string (kt_import_text.c) ---- */
struct kt_sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};
void kt_sb_putn(struct kt_sbuf *b, const char *s, size_t n);
void kt_sb_puts(struct kt_sbuf *b, const char *s);
void kt_sb_putc(struct kt_sbuf *b, char c);
/* Hands the string over (never NULL unless out of memory); the buffer is reset. */
char *kt_sb_take(struct kt_sbuf *b);
void kt_sb_release(struct kt_sbuf *b);

/* ---- UTF-8 (kt_import_text.c) ---- */
/* Decodes the code point at *p and advances; invalid bytes yield U+FFFD, one byte each. */
uint32_t kt_u8_next(const char **p);
bool kt_u_is_letter(uint32_t c);
bool kt_u_is_upper(uint32_t c);
bool kt_u_is_lower(uint32_t c);
bool kt_u_is_space(uint32_t c);
uint32_t kt_u_lower(uint32_t c);
size_t kt_u8_put(char *out, uint32_t c); /* out has room for 4 bytes */
/* True when the high bytes of s[0..n) read as Windows-1251 Russian text: most of them in the
 * letter range C0-FF (А-я) or A8/B8 (Ё, ё). The importer's rule, and the CSV reader's. */
bool kt_looks_cp1251(const unsigned char *s, size_t n);
/* Case-insensitive (Cyrillic and ASCII) substring search; returns a pointer into hay. */
const char *kt_u8_casestr(const char *hay, const char *needle);
bool kt_u8_casestarts(const char *s, const char *prefix);
char *kt_strdup_n(const char *s, size_t n);

/* ---- input text (kt_import_text.c) ---- */
struct kt_line {
	char *s;   /* cleaned line; may hold '\n' where HTML had a block break */
	size_t len;
	int no;    /* 1-based */
};

struct kt_text {
	char *buf; /* UTF-8, owns every line */
	struct kt_line *lines;
	size_t n;
	const char *encoding;
	bool final_newline;
};

/* Sets err: its code, no line, the message from fmt (the importer's one error setter). */
void kt_import_fail(struct kt_import_err *err, enum kt_import_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Decodes raw bytes into text split into cleaned lines. -1 with err set on refusal. */
int kt_text_load(struct kt_text *t, const unsigned char *raw, size_t len,
	struct kt_import_err *err);
void kt_text_release(struct kt_text *t);
bool kt_blank(const char *s);

/* ---- words and line joins (kt_import_words.c) ---- */
/* A set of byte strings (open addressing, FNV-1a); zero-initialized is empty. */
struct kt_set {
	char **slot;
	size_t cap, n;
};
bool kt_set_has(const struct kt_set *st, const char *s, size_t n);
bool kt_set_add(struct kt_set *st, const char *s, size_t n); /* false on ENOMEM */
void kt_set_release(struct kt_set *st);

struct kt_dict;
struct kt_dict *kt_dict_build(const struct kt_text *t);
void kt_dict_free(struct kt_dict *d);
/* Collapses whitespace of raw cell text, joins words split by a hyphen at a line break
 * (keeping real compounds), and returns a new string, or NULL when nothing is left. */
char *kt_norm(const struct kt_dict *d, const char *raw);

/* ---- columns (kt_import_columns.c) ---- */
enum kt_import_col kt_col_classify(const char *text);
/* A short cell that names a plan column. */
bool kt_col_is_header_cell(const char *text);
bool kt_col_is_abbrev_header(const char *a, const char *b);
/* "1.", "1.1", "2.2.14." — an item number alone in its cell. */
bool kt_is_item_number(const char *s);
/* Text that signs a document off after its table: «Начальник управления», «И.И. Иванов». */
bool kt_signs_off(const char *s);
/* Length of a leading item number ("1." of "1.Анализ"), 0 when none; *depth its parts. */
size_t kt_number_prefix(const char *s, int *depth);

/* ---- rows (kt_import_layout.c) ---- */
struct kt_cell {
	char *text; /* raw: source lines joined by '\n', markup removed */
	int first, last;
	bool tabbed; /* had internal TABs (cells that look merged) */
};

struct kt_row {
	struct kt_cell *cells; /* ncols of them, empty ones with text "" */
	size_t n_given;        /* cells the source actually had */
	int first, last;
	bool blank_before;
	bool loose; /* a line without TAB inside a row-lines table */
};

struct kt_table {
	enum kt_import_layout layout;
	size_t ncols;
	enum kt_import_col roles[KT_IMPORT_MAX_COLUMNS];
	char *head[KT_IMPORT_MAX_COLUMNS];
	int header_line;
	int first_line;      /* first line of the first table (abbreviations or plan) */
	int last_line;
	struct kt_row *rows;
	size_t n_rows, cap_rows;
	struct kt_row *abbrev_rows; /* 2 cells each */
	size_t n_abbrev, cap_abbrev;
	bool truncated;
	size_t dropped; /* repeated page headers and column-number rows */
};

struct kt_ctx {
	struct kt_import_plan *plan;
	struct kt_text *text;
	struct kt_dict *dict;
	struct kt_table table;
	size_t resolve_work; /* abbreviation look-ups done, capped */
	unsigned abbrev_limit; /* the abbreviation limit was hit */
	bool too_many; /* KT_IMPORT_MAX_ROWS or KT_IMPORT_MAX_ITEMS reached */
	bool oom;
};

int kt_layout_read(struct kt_ctx *c, struct kt_import_err *err);
int kt_layout_cells(struct kt_ctx *c, struct kt_import_err *err); /* kt_import_cells.c */
void kt_table_release(struct kt_table *t);
void kt_row_release(struct kt_row *r, size_t ncols);
/* shared by both layouts */
char *kt_trimmed(const char *s, size_t n);
bool kt_is_page_number(const char *s);
bool kt_cell_empty(const struct kt_cell *c);
/* The cells name a title column and at least one other plan column. */
bool kt_run_is_header(const struct kt_cell *v, size_t n);
/* Table columns from the main header row and an optional second row (nsub 0: none). */
int kt_set_columns(struct kt_table *t, const struct kt_cell *main, size_t nmain,
	const struct kt_cell *sub, size_t nsub);
/* Length of a second header row at v (only empty or header cells, more than nmain, or as
 * many when same_count: row lines keep empty cells under a merged header cell), or 0. */
size_t kt_sub_header_len(const struct kt_cell *v, size_t n, size_t nmain, bool same_count);
bool kt_repeats_header(const struct kt_cell *v, size_t n, const struct kt_table *t,
	char *const *main, size_t nmain);
bool kt_column_numbers(const struct kt_cell *v, size_t n, size_t ncols);
/* Moves n cells (texts taken) into a new row of ncols cells. */
int kt_emit_row(struct kt_ctx *c, struct kt_cell *v, size_t n, bool blank_before);
int kt_emit_abbrev(struct kt_ctx *c, struct kt_cell *a, struct kt_cell *b);

/* ---- build (kt_import_build.c) ---- */
int kt_build_plan(struct kt_ctx *c);

/* ---- the rules after the layout (kt_import.c) ---- */
/* Abbreviations, sections and items, metadata, deadlines and the document record for a
 * context whose table is filled; c->plan is the result. -1 with err set. */
int kt_import_finish(struct kt_ctx *c, const char *name, struct kt_import_err *err);

/* One text as one plan (the text reader proper), from bytes or from a loaded text. */
int kt_import_parse_text(const void *buf, size_t len, const char *name,
	struct kt_import_plan **out, struct kt_import_err *err);
int kt_import_parse_loaded(struct kt_text *text, const char *name,
	struct kt_import_plan **out, struct kt_import_err *err);
/* The plans of a text (kt_import_plans.c): one, or several when it holds more; 0 with
 * *plans and *n, -1 with err set. The text is decoded once. */
int kt_import_text_plans(const void *buf, size_t len, const char *name,
	struct kt_import_plan ***plans, size_t *n, struct kt_import_err *err);

/* kt_import_parse_all(); convert_doc false reads a .doc as any other bytes (refused). */
int kt_import_file(const char *path, bool convert_doc, struct kt_import_plan ***plans,
	size_t *n, struct kt_import_err *err);

/* ---- Word files (kt_import_docx.c) ---- */
int kt_import_docx_buf(const void *buf, size_t len, const char *name,
	struct kt_import_plan ***plans, size_t *n, struct kt_import_err *err);
/* An OLE2 compound file (Word 97 .doc). */
bool kt_import_is_doc(const void *buf, size_t len);
/* Converts a .doc with LibreOffice (when installed) and reads the result. */
int kt_import_doc_file(const char *path, struct kt_import_plan ***plans, size_t *n,
	struct kt_import_err *err);

/* ---- metadata (kt_import_meta.c) ---- */
void kt_meta_extract(struct kt_ctx *c);
void kt_meta_abbrevs(struct kt_ctx *c);
/* Splits raw responsible text into parties resolved against the abbreviations. */
void kt_meta_parties(struct kt_ctx *c, struct kt_import_item *it, const char *raw);


/* ---- model (kt_import_model.c) ---- */
struct kt_import_plan *kt_plan_new(void);
void kt_warn(struct kt_ctx *c, int line, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
struct kt_import_section *kt_plan_add_section(struct kt_ctx *c);
struct kt_import_item *kt_section_add_item(struct kt_ctx *c, struct kt_import_section *s);
void kt_act_release(struct kt_import_act *a);

/* The preamble (text before the first table line), shared by metadata and abbreviations
 * (kt_import_meta.c): its length in lines, line i (lines of META_LINE_MAX bytes or more
 * read as empty: they are not metadata), and a blank-skipper. */
#define META_LINE_MAX 8192
size_t kt_preamble_len(const struct kt_ctx *c);
const char *kt_preamble_line(const struct kt_ctx *c, size_t i);
const char *kt_skip_sp(const char *s);

#endif
