/* kt_import_docx_int: what the .docx reader's modules share (kt_import_zip.c,
 * kt_import_docx_xml.c, kt_import_docx_num.c, kt_import_docx_plan.c, kt_import_docx.c).
 * Pipeline: ZIP (limits) -> numbering.xml -> document.xml as blocks (paragraphs and tables
 * with rows and cells, numbering already computed) -> text form + table rows per plan ->
 * the text reader's rules (kt_import_int.h). */
#ifndef KT_IMPORT_DOCX_INT_H
#define KT_IMPORT_DOCX_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "kt_import_int.h"

/* One unpacked member (document.xml) may not exceed the importer's file limit. */
#define KT_DOCX_MAX_XML KT_IMPORT_MAX_BYTES
/* Above KT_DOCX_RATIO_FROM bytes unpacked, a member may not unpack to more than this many
 * times its packed size: Word's XML packs 5-20 times, a zip bomb thousands of times. */
#define KT_DOCX_MAX_RATIO 200
#define KT_DOCX_RATIO_FROM (1u << 20)
#define KT_DOCX_MAX_ENTRIES 10000
/* Cells in one table row, and over the whole document. */
#define KT_DOCX_MAX_CELLS 64
#define KT_DOCX_MAX_ALL_CELLS 1000000
#define KT_DOCX_MAX_BLOCKS 1000000

/* ---- ZIP (kt_import_zip.c) ---- */
struct kt_zip {
	void *za; /* zip_t */
};
/* Opens the archive in buf (borrowed, must outlive z); refuses entries leaving it. */
int kt_zip_open(struct kt_zip *z, const void *buf, size_t len, struct kt_import_err *err);
/* Unpacks member name NUL-terminated into *out (malloc'd). 0 ok, 1 absent, -1 refused. */
int kt_zip_read(struct kt_zip *z, const char *name, char **out, size_t *outlen,
	struct kt_import_err *err);
void kt_zip_close(struct kt_zip *z);

/* ---- numbering (kt_import_docx_num.c) ---- */
struct kt_docx_numbering;
/* Parses numbering.xml (xml may be NULL: a document without lists). NULL with err set. */
struct kt_docx_numbering *kt_docx_numbering_new(const char *xml, size_t len,
	struct kt_import_err *err);
void kt_docx_numbering_free(struct kt_docx_numbering *nb);
/* The label Word shows for the next paragraph of list num_id at level ilvl ("2.3.", "а)",
 * "•"), counters advanced; NULL for no label. *sep is what follows the label (" " or ""). */
char *kt_docx_label(struct kt_docx_numbering *nb, int num_id, int ilvl, const char **sep);

/* ---- paragraph styles (kt_import_docx_style.c) ---- */
struct kt_docx_styles;
/* Parses styles.xml (xml may be NULL). NULL with err set. */
struct kt_docx_styles *kt_docx_styles_new(const char *xml, size_t len, struct kt_import_err *err);
void kt_docx_styles_free(struct kt_docx_styles *st);
/* What style id gives a paragraph (through w:basedOn): its list (num_id 0: none) and
 * level, and whether it is a heading. */
void kt_docx_style_of(const struct kt_docx_styles *st, const char *id, int *num_id, int *ilvl,
	bool *heading);

/* ---- document body (kt_import_docx_xml.c) ---- */
enum kt_vmerge { KT_VM_NONE = 0, KT_VM_RESTART, KT_VM_CONT };

struct kt_dcell {
	char *text;        /* paragraphs joined by '\n'; "" when empty */
	unsigned span;     /* grid columns (w:gridSpan), >= 1 */
	enum kt_vmerge vm; /* w:vMerge */
	bool bold;         /* every run with text is bold (and there is text) */
	bool heading;      /* a heading style or outline level */
	int first, last;   /* lines of the text form (kt_import_docx_plan.c) */
};

struct kt_drow {
	struct kt_dcell *cells;
	size_t n;
	unsigned grid_before; /* w:gridBefore */
	bool header;          /* w:tblHeader: repeated on every page */
};

struct kt_dtable {
	struct kt_drow *rows;
	size_t n_rows, cap_rows;
	size_t grid; /* w:gridCol count; 0 when absent */
};

struct kt_dblock {
	bool is_table;
	char *text; /* a paragraph */
	bool bold, heading;
	struct kt_dtable tab;
	int first, last; /* lines of the text form */
};

struct kt_docx {
	struct kt_dblock *b;
	size_t n, cap;
	size_t cells; /* over all tables */
};

/* Reads document.xml: DTDs and entity references are refused, nothing is loaded from the
 * network, nested tables are read as paragraphs of their outer cell. */
int kt_docx_parse_body(const char *xml, size_t len, struct kt_docx_numbering *nb,
	const struct kt_docx_styles *styles, struct kt_docx *d, struct kt_import_err *err);
/* Same reader settings for numbering.xml (kt_import_docx_num.c). */
void *kt_docx_xml_reader(const char *xml, size_t len, const char *name);
/* Next node of the reader; -1 with err set on a refusal (DTD, entity, bad XML). */
int kt_docx_xml_next(void *reader, const char *name, struct kt_import_err *err);
/* Calls on(reader, local name, arg) at each element of the part xml (named name; NULL: a
 * part the file lacks, no elements) in document order: 0 at its end, -1 with err set. */
int kt_docx_xml_elements(const char *xml, size_t len, const char *name,
	void (*on)(void *reader, const char *local, void *arg), void *arg, struct kt_import_err *err);
/* The current node's type (libxml2's XML_READER_TYPE_*) and local name. */
int kt_docx_xml_type(void *reader);
const char *kt_docx_xml_name(void *reader);
/* Attribute by local name ("val") of the current element, malloc'd; NULL if absent. */
char *kt_docx_xml_attr(void *reader, const char *local);
void kt_docx_xml_free(void *reader);
void kt_docx_release(struct kt_docx *d);

/* ---- plans (kt_import_docx_plan.c) ---- */
/* Cuts the document into plans and reads each with the text reader's rules. */
int kt_docx_plans(const struct kt_docx *d, const char *name, struct kt_import_plan ***plans,
	size_t *n, struct kt_import_err *err);

#endif
