/* kt_import: turn the plain-text form of a published roadmap (дорожная карта) into a plan.
 *
 * Input: UTF-8 (BOM optional), UTF-16 with a BOM, or Windows-1251 text, at most
 * KT_IMPORT_MAX_BYTES (16 MiB), KT_IMPORT_MAX_ROWS rows and KT_IMPORT_MAX_ITEMS items (more
 * is refused, not cut), in one of the layouts of docs/import.md (one cell per line with
 * TAB-led cells; one row per line with TAB-separated cells). The parser keeps what is
 * written: item numbers as written, deadlines raw plus normalized, and reports everything
 * doubtful as a warning with its source line instead of "fixing" it.
 *
 * Ownership: a struct kt_import_plan and every string in it are owned by the plan and
 * released by kt_import_plan_free(). Strings are UTF-8, NUL-terminated, whitespace
 * collapsed; a NULL string means "empty or absent in the source". Line numbers are 1-based
 * lines of the input file; 0 means "not tied to a line". */
#ifndef KT_IMPORT_H
#define KT_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "kt_deadline.h"

/* Inputs above this size are refused before parsing: a real roadmap is < 1 MiB. */
#define KT_IMPORT_MAX_BYTES (16u * 1024u * 1024u)
/* Tables with more rows or items than this are refused (real roadmaps: < 3,000 rows). */
#define KT_IMPORT_MAX_ROWS 100000
#define KT_IMPORT_MAX_ITEMS 20000
/* At most this many warnings are kept; one more says how many were dropped. */
#define KT_IMPORT_MAX_WARNINGS 2000
/* A table with more columns than this is not a roadmap table. */
#define KT_IMPORT_MAX_COLUMNS 16

enum kt_import_layout {
	KT_IMPORT_LAYOUT_NONE = 0,
	KT_IMPORT_LAYOUT_CELL_LINES, /* one cell per line, a cell starts with TAB */
	KT_IMPORT_LAYOUT_ROW_LINES,  /* one row per line, cells separated by TAB */
	KT_IMPORT_LAYOUT_DOCX,       /* a Word 2007+ table: rows and cells as Word has them */
};

/* What a table column holds, decided from its header text. */
enum kt_import_col {
	KT_COL_UNKNOWN = 0,
	KT_COL_NUMBER,        /* № п/п */
	KT_COL_TITLE,         /* Наименование мероприятия / Мероприятия */
	KT_COL_DEADLINE,      /* Сроки / Срок исполнения */
	KT_COL_RESPONSIBLE,   /* Ответственные исполнители */
	KT_COL_ACTIONS,       /* Действия (not split by level): read as the municipal action */
	KT_COL_MUNICIPAL,     /* Муниципальный уровень */
	KT_COL_INSTITUTIONAL, /* Институционный уровень */
	KT_COL_RESULT,        /* Результат / Вид подтверждающего документа */
	KT_COL_TARGET,        /* Участники / Целевая группа */
};

struct kt_import_warning {
	int line;
	const char *code; /* static, e.g. "duplicate_number" (see docs/import.md) */
	char *message;
};

struct kt_import_abbrev {
	char *abbr;
	char *meaning;
	int line;
};

/* An act (приказ …): the approving act or the higher act the plan implements. number and
 * date are NULL when blank in the source (a draft's «№ ____»); the *_text fields keep what
 * is written. date is ISO "YYYY-MM-DD". */
struct kt_import_act {
	char *kind;   /* "приказ", "распоряжение", "постановление" … */
	char *issuer;
	char *number;
	char *number_text;
	char *date;
	char *date_text;
	char *title;  /* «Об утверждении …» */
	char *quote;  /* the reference as written (implements only) */
	int line;
};

/* An executor listed in the approving act (a school and its head). */
struct kt_import_executor {
	char *type;      /* "муниципальных бюджетных общеобразовательных учреждений" as written */
	char *name;      /* «Средняя общеобразовательная школа №1» */
	char *head_role; /* "директор" */
	char *head;      /* "А.В.Петряев" */
	int line;
};

struct kt_import_column {
	char *text; /* header text ("Действия по реализации мероприятий: Муниципальный уровень") */
	enum kt_import_col role;
};

/* One responsible party of an item, resolved against the abbreviation table when it names
 * an abbreviation (abbr/meaning NULL otherwise). */
struct kt_import_party {
	char *text;
	char *abbr;
	char *meaning;
};

struct kt_import_item {
	char *number; /* as written ("1.1.", "2.8"); NULL for a row without a number */
	char *title;
	char *deadline_text;
	char *responsible_text;
	char *municipal_action;
	char *institutional_action;
	char *result_text;
	char *target_text;
	bool has_deadline; /* deadline_text present and parsed by kt_deadline_parse() */
	struct kt_deadline deadline; /* fixed-size, owns no memory */
	struct kt_import_party *parties;
	size_t n_parties;
	int first_line, last_line;
};

struct kt_import_section {
	char *number; /* "1" for «1. Анализ …», NULL for unnumbered and month sections */
	char *title;  /* NULL for the implicit section holding items before any heading */
	int line;
	struct kt_import_item *items;
	size_t n_items, cap_items;
};

struct kt_import_document {
	char *source;   /* file name as given */
	char *encoding; /* "utf-8", "utf-16le", "utf-16be", "windows-1251" */
	enum kt_import_layout layout;
	char *issuer;
	char *title;
	char *academic_year; /* "2019-2020" */
	int year_first;      /* 2019 for "2019-2020"; 0 when unknown */
	bool has_approval;
	struct kt_import_act approval;
	bool has_implements;
	struct kt_import_act implements;
	struct kt_import_executor *executors;
	size_t n_executors;
	char *contact; /* «Исполнитель: …» of the approving act */
	struct kt_import_column *columns;
	size_t n_columns;
	int header_line;
	int table_last_line;
	bool truncated; /* the table ends mid-row (the file was cut) */
	size_t dropped_header_rows; /* repeated page headers and column-number rows */
};

struct kt_import_plan {
	struct kt_import_document doc;
	struct kt_import_abbrev *abbrevs;
	size_t n_abbrevs, cap_abbrevs;
	struct kt_import_section *sections;
	size_t n_sections, cap_sections;
	struct kt_import_warning *warnings;
	size_t n_warnings, cap_warnings;
	size_t dropped_warnings;
};

enum kt_import_errcode {
	KT_IMPORT_OK = 0,
	KT_IMPORT_EIO,       /* cannot open or read the file */
	KT_IMPORT_ETOOBIG,   /* larger than KT_IMPORT_MAX_BYTES, or too many rows or items */
	KT_IMPORT_EEMPTY,    /* no bytes, or only whitespace */
	KT_IMPORT_EBINARY,   /* NUL or control bytes: not a text file */
	KT_IMPORT_EENCODING, /* neither UTF-8, UTF-16 (BOM) nor Windows-1251 */
	KT_IMPORT_ENOTABLE,  /* no roadmap table (no recognisable header row) */
	KT_IMPORT_ENOMEM,
};

/* Why a parse failed: msg is lower-case, names no file ("file is empty"), and line is the
 * input line it concerns or 0. */
struct kt_import_err {
	enum kt_import_errcode code;
	int line;
	char msg[256];
};

/* Parses the file at path. On success returns 0 and *out is a plan the caller frees with
 * kt_import_plan_free(); on failure returns -1, *out is NULL and err says why. A truncated
 * table is not a failure: the plan has doc.truncated set and a "truncated" warning, and
 * the caller decides (the CLI refuses it unless --allow-truncated). */
int kt_import_parse_file(const char *path, struct kt_import_plan **out,
	struct kt_import_err *err) __attribute__((warn_unused_result));

/* Same for a buffer of len bytes (borrowed); name is recorded as doc.source (may be NULL). */
int kt_import_parse_buf(const void *buf, size_t len, const char *name,
	struct kt_import_plan **out, struct kt_import_err *err) __attribute__((warn_unused_result));

/* Every plan of a document: a .docx (or a .doc converted to one) may hold several, each
 * with its own title, header and sections; a text file holds one. Same contract as
 * kt_import_parse_file(); *plans is an array of *n (>= 1) plans freed with
 * kt_import_plans_free(). kt_import_parse_file() and kt_import_parse_buf() return the
 * first plan (with a "more_plans" warning when there are more). */
int kt_import_parse_all(const char *path, struct kt_import_plan ***plans, size_t *n,
	struct kt_import_err *err) __attribute__((warn_unused_result));
int kt_import_parse_buf_all(const void *buf, size_t len, const char *name,
	struct kt_import_plan ***plans, size_t *n, struct kt_import_err *err)
	__attribute__((warn_unused_result));
void kt_import_plans_free(struct kt_import_plan **plans, size_t n);

/* Frees a plan; NULL is a no-op. */
void kt_import_plan_free(struct kt_import_plan *plan);

/* The plan as a new JSON object {"document", "sections", "warnings"}; NULL on ENOMEM. */
json_t *kt_import_to_json(const struct kt_import_plan *plan);
/* Several plans as {"format": 2, "plans": [each as kt_import_to_json()]}; NULL on ENOMEM. */
json_t *kt_import_plans_to_json(struct kt_import_plan *const *plans, size_t n);

/* Writes a human-readable table of the plan (Cyrillic aligned by display width) to out.
 * width is the total line width to fit (0: 160). Returns 0, or -1 on a write error. */
int kt_import_write_table(const struct kt_import_plan *plan, FILE *out, int width);

/* Number of items over all sections. */
size_t kt_import_item_count(const struct kt_import_plan *plan);

/* Stable lower-case name of a column role ("deadline"). */
const char *kt_import_col_name(enum kt_import_col col);

/* Display width of UTF-8 text in terminal columns (code points; combining marks count 0). */
size_t kt_import_text_width(const char *s);

/* How a plan compares with a hand-made extraction of the same document (see
 * kt_import_compare). "equal" counts are over the found items. */
struct kt_import_score {
	size_t golden_items, parsed_items;
	size_t found, missing, invented;
	size_t titles_equal, deadlines_equal, responsible_equal;
	size_t golden_sections, sections;
};

/* Aligns the plan's items with golden (a JSON extraction: {"sections": [{"items":
 * [{"number", "title", "deadline_text", "responsible_text"}]}]}, or {"documents": [that]})
 * and fills *score. When diff is not NULL, every difference is described there. Returns
 * 0, or -1 when golden has no sections array or memory runs out. Used by
 * tests/tools/import_accuracy and the unit tests; docs/import.md has the rules. */
int kt_import_compare(const struct kt_import_plan *plan, const json_t *golden,
	struct kt_import_score *score, FILE *diff);

/* Where an import goes when it is not only printed: a new plan, or --into an existing
 * draft plan (then dry_run asks for the changes only). */
struct kt_import_target {
	const char *file;
	const char *into; /* --into PLAN, or NULL */
	int year;         /* --year YYYY, or 0: the document's academic year */
	bool dry_run;
};
/* Writes plan to the server; returns the exit code, having printed its own messages. */
typedef int (*kt_import_write_fn)(const struct kt_import_plan *plan,
	const struct kt_import_target *target, void *arg);

/* `karta plan import FILE [--dry-run] [--format json|table] [--allow-truncated]
 * [--into PLAN] [--year YYYY]` with argv[0] "import"; output on out, messages on errout.
 * A plain --dry-run prints the parse; otherwise the parsed plan goes to write(plan, target,
 * arg) (write NULL: refused, nothing to write to). A refused file writes nothing. Returns
 * the exit code: 0 ok, 1 runtime error ("karta: cannot import 'FILE': reason"), 2 usage. */
int kt_import_cli(int argc, char **argv, FILE *out, FILE *errout, kt_import_write_fn write,
	void *arg);

#endif
