/* kt_import_docx_xml: word/document.xml -> blocks (paragraphs and tables), read with
 * libxml2's xmlTextReader (a streaming reader: memory follows the model, not the XML).
 * Hostile input: the reader never loads a DTD or anything from the network, and a
 * document type declaration or an entity reference is refused outright (WordprocessingML
 * has neither), so entity expansion cannot happen. Text: w:t runs, w:tab as a space, w:br
 * and w:cr as line breaks; deleted or moved-away text (w:del, w:moveFrom), field codes,
 * text boxes and the fallback half of alternate content are skipped. A paragraph in a list gets the label Word shows
 * (kt_import_docx_num.c). A table keeps rows and cells with w:gridSpan, w:vMerge,
 * w:gridBefore and w:tblHeader; a table nested in a cell is read as paragraphs of that cell.
 * A paragraph's style (kt_import_docx_style.c) may give it its list and make it a heading.
 * Invariant: text holds no control characters but '\n', and on failure nothing is kept. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "kt_import_docx_int.h"
#include "kt_grow.h"
#include "kt_i18n.h"


/* ---- reader ---- */

struct xr {
	xmlTextReaderPtr r;
	char error[160];
};

static void on_error(void *arg, const char *msg, xmlParserSeverities sev,
	xmlTextReaderLocatorPtr loc)
{
	struct xr *x = arg;
	if (x->error[0] || (sev != XML_PARSER_SEVERITY_ERROR && sev != XML_PARSER_SEVERITY_VALIDITY_ERROR))
		return;
	snprintf(x->error, sizeof x->error, "line %d: %s", xmlTextReaderLocatorLineNumber(loc), msg);
	size_t n = strlen(x->error);
	while (n && (x->error[n - 1] == '\n' || x->error[n - 1] == ' '))
		x->error[--n] = '\0';
}

/* libxml2 prints some errors (encodings, I/O) through its generic handler; the reader's
 * own handler reports the first one, so the generic one stays quiet. */
static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx, (void)msg;
}

void *kt_docx_xml_reader(const char *xml, size_t len, const char *name)
{
	xmlSetGenericErrorFunc(NULL, quiet);
	if (len > KT_DOCX_MAX_XML)
		return NULL;
	struct xr *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	/* no XML_PARSE_NOENT (no substitution), no DTDLOAD/DTDATTR, no HUGE; NONET */
	x->r = xmlReaderForMemory(xml, (int)len, name, NULL,
		XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!x->r) {
		free(x);
		return NULL;
	}
	xmlTextReaderSetErrorHandler(x->r, on_error, x);
	return x;
}

void kt_docx_xml_free(void *reader)
{
	struct xr *x = reader;
	if (!x)
		return;
	xmlFreeTextReader(x->r);
	free(x);
}

int kt_docx_xml_next(void *reader, const char *name, struct kt_import_err *err)
{
	struct xr *x = reader;
	int rc = xmlTextReaderRead(x->r);
	if (rc < 0) {
		kt_import_fail(err, KT_IMPORT_EBINARY, _("%s is not well-formed XML (%s)"), name,
			x->error[0] ? x->error : "parse error");
		return -1;
	}
	if (rc == 0)
		return 0;
	int t = xmlTextReaderNodeType(x->r);
	if (t == XML_READER_TYPE_DOCUMENT_TYPE || t == XML_READER_TYPE_ENTITY_REFERENCE ||
		t == XML_READER_TYPE_ENTITY) {
		kt_import_fail(err, KT_IMPORT_EBINARY, _("%s declares a DTD or entities (Word files "
			"have none); refused"), name);
		return -1;
	}
	return 1;
}

int kt_docx_xml_elements(const char *xml, size_t len, const char *name,
	void (*on)(void *reader, const char *local, void *arg), void *arg, struct kt_import_err *err)
{
	if (!xml)
		return 0;
	void *x = kt_docx_xml_reader(xml, len, name);
	if (!x) {
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		return -1;
	}
	int rc;
	while ((rc = kt_docx_xml_next(x, name, err)) > 0)
		if (kt_docx_xml_type(x) == XML_READER_TYPE_ELEMENT)
			on(x, kt_docx_xml_name(x), arg);
	kt_docx_xml_free(x);
	return rc < 0 ? -1 : 0;
}

int kt_docx_xml_type(void *reader)
{
	return xmlTextReaderNodeType(((struct xr *)reader)->r);
}

const char *kt_docx_xml_name(void *reader)
{
	const char *n = (const char *)xmlTextReaderConstLocalName(((struct xr *)reader)->r);
	return n ? n : "";
}

char *kt_docx_xml_attr(void *reader, const char *local)
{
	struct xr *x = reader;
	char *v = NULL;
	if (xmlTextReaderMoveToFirstAttribute(x->r) != 1)
		return NULL;
	do {
		const char *ln = (const char *)xmlTextReaderConstLocalName(x->r);
		if (ln && strcmp(ln, local) == 0) {
			const char *val = (const char *)xmlTextReaderConstValue(x->r);
			v = strdup(val ? val : "");
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(x->r) == 1);
	xmlTextReaderMoveToElement(x->r);
	return v;
}

/* ---- model ---- */

static void table_release(struct kt_dtable *t)
{
	for (size_t i = 0; i < t->n_rows; i++) {
		for (size_t j = 0; j < t->rows[i].n; j++)
			free(t->rows[i].cells[j].text);
		free(t->rows[i].cells);
	}
	free(t->rows);
	memset(t, 0, sizeof *t);
}

void kt_docx_release(struct kt_docx *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->b[i].text);
		table_release(&d->b[i].tab);
	}
	free(d->b);
	memset(d, 0, sizeof *d);
}

struct body {
	struct xr *x;
	struct kt_docx *d;
	struct kt_docx_numbering *nb;
	const struct kt_docx_styles *styles;
	struct kt_import_err *err;
	int tbl_depth;       /* w:tbl nesting */
	struct kt_dtable *tab; /* the outer table being read */
	struct kt_drow *row;
	struct kt_dcell *cell;
	struct kt_sbuf cellbuf;
	bool cell_has_text, cell_bold, cell_heading;
	/* paragraph */
	bool in_p, in_run, in_t, run_bold, p_bold, p_has_text, p_heading;
	int num_id, ilvl;
	bool num_set;   /* the paragraph has its own w:numPr/w:numId */
	char pstyle[64]; /* its w:pStyle */
	struct kt_sbuf pbuf;
	size_t text_bytes;
	bool oom;
};

static bool is_on(const char *v) /* w:b w:val: absent, "1", "true", "on" */
{
	return !v || !(strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "off") == 0);
}

static int attr_int(struct body *b, const char *local, int dflt)
{
	char *v = kt_docx_xml_attr(b->x, local);
	int n = v ? atoi(v) : dflt;
	free(v);
	return n;
}

static struct kt_dblock *new_block(struct body *b)
{
	struct kt_docx *d = b->d;
	if (d->n >= KT_DOCX_MAX_BLOCKS) {
		kt_import_fail(b->err, KT_IMPORT_ETOOBIG, _("the document has more than %d paragraphs "
			"and tables"), KT_DOCX_MAX_BLOCKS);
		return NULL;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		struct kt_dblock *v = realloc(d->b, cap * sizeof *v);
		if (!v) {
			b->oom = true;
			return NULL;
		}
		d->b = v;
		d->cap = cap;
	}
	struct kt_dblock *k = &d->b[d->n++];
	memset(k, 0, sizeof *k);
	return k;
}

/* Appends text, control characters made spaces (line breaks kept). */
static void put_text(struct body *b, const char *s)
{
	size_t n = strlen(s);
	b->text_bytes += n;
	size_t at = b->pbuf.len;
	kt_sb_putn(&b->pbuf, s, n);
	for (size_t i = at; !b->pbuf.oom && i < b->pbuf.len; i++)
		if ((unsigned char)b->pbuf.p[i] < 0x20 && b->pbuf.p[i] != '\n')
			b->pbuf.p[i] = ' ';
	if (!kt_blank(s)) {
		b->p_has_text = true;
		if (!b->run_bold)
			b->p_bold = false;
	}
}

static int end_paragraph(struct body *b)
{
	char *label = NULL;
	const char *sep = "";
	if (b->pstyle[0]) { /* what the paragraph's style gives, unless it says otherwise */
		int sn, sl;
		bool sh;
		kt_docx_style_of(b->styles, b->pstyle, &sn, &sl, &sh);
		b->p_heading |= sh;
		if (!b->num_set) {
			b->num_id = sn;
			b->ilvl = b->ilvl ? b->ilvl : sl;
		}
	}
	if (b->num_id > 0)
		label = kt_docx_label(b->nb, b->num_id, b->ilvl, &sep);
	struct kt_sbuf t = {0};
	if (label) {
		kt_sb_puts(&t, label);
		kt_sb_puts(&t, sep);
	}
	if (b->pbuf.len)
		kt_sb_putn(&t, b->pbuf.p, b->pbuf.len);
	free(label);
	b->pbuf.len = 0;
	char *text = kt_sb_take(&t);
	if (!text)
		return b->oom = true, -1;
	bool bold = b->p_has_text && b->p_bold, heading = b->p_heading;
	b->in_p = false;
	if (b->cell) {
		if (b->cell_has_text || b->cellbuf.len)
			kt_sb_putc(&b->cellbuf, '\n');
		kt_sb_puts(&b->cellbuf, text);
		if (!kt_blank(text)) {
			b->cell_bold = b->cell_bold && bold;
			b->cell_has_text = true;
		}
		b->cell_heading |= heading && !kt_blank(text);
		free(text);
		return b->cellbuf.oom ? (b->oom = true, -1) : 0;
	}
	if (b->tbl_depth > 0) { /* text in a table outside any cell: not Word's */
		free(text);
		return 0;
	}
	/* runs of empty paragraphs count as one blank line */
	if (kt_blank(text) && b->d->n && !b->d->b[b->d->n - 1].is_table &&
		kt_blank(b->d->b[b->d->n - 1].text)) {
		free(text);
		return 0;
	}
	struct kt_dblock *k = new_block(b);
	if (!k) {
		free(text);
		return -1;
	}
	k->text = text;
	k->bold = bold;
	k->heading = heading;
	return 0;
}

static void start_paragraph(struct body *b)
{
	b->in_p = true;
	b->p_bold = true;
	b->p_has_text = false;
	b->p_heading = false;
	b->num_id = 0;
	b->ilvl = 0;
	b->num_set = false;
	b->pstyle[0] = '\0';
	b->pbuf.len = 0;
}

static int start_row(struct body *b)
{
	struct kt_dtable *t = b->tab;
	if (t->n_rows >= KT_IMPORT_MAX_ROWS) {
		kt_import_fail(b->err, KT_IMPORT_ETOOBIG, _("a table has more than %d rows"),
			KT_IMPORT_MAX_ROWS);
		return -1;
	}
	struct kt_drow *v = kt_grow(t->rows, &t->cap_rows, t->n_rows, sizeof *v, 64);
	if (!v)
		return b->oom = true, -1;
	t->rows = v;
	b->row = &t->rows[t->n_rows++];
	memset(b->row, 0, sizeof *b->row);
	return 0;
}

static int start_cell(struct body *b)
{
	struct kt_drow *r = b->row;
	if (r->n >= KT_DOCX_MAX_CELLS || b->d->cells >= KT_DOCX_MAX_ALL_CELLS) {
		kt_import_fail(b->err, KT_IMPORT_ETOOBIG, r->n >= KT_DOCX_MAX_CELLS ? _("a table row has "
			"more than %d cells") : _("the tables have more than %d cells"), r->n >= KT_DOCX_MAX_CELLS
			? KT_DOCX_MAX_CELLS : KT_DOCX_MAX_ALL_CELLS);
		return -1;
	}
	if (!r->cells && !(r->cells = calloc(KT_DOCX_MAX_CELLS, sizeof *r->cells)))
		return b->oom = true, -1;
	b->cell = &r->cells[r->n++];
	b->d->cells++;
	b->cell->span = 1;
	b->cellbuf.len = 0;
	b->cell_has_text = false;
	b->cell_bold = true;
	b->cell_heading = false;
	return 0;
}

static int end_cell(struct body *b)
{
	kt_sb_putc(&b->cellbuf, '\0');
	if (b->cellbuf.oom)
		return b->oom = true, -1;
	if (!(b->cell->text = strdup(b->cellbuf.p)))
		return b->oom = true, -1;
	b->cell->bold = b->cell_has_text && b->cell_bold;
	b->cell->heading = b->cell_heading;
	b->cellbuf.len = 0;
	b->cell = NULL;
	return 0;
}

static bool heading_style(const char *v)
{
	if (!v)
		return false;
	if (v[0] >= '1' && v[0] <= '9' && !v[1])
		return true; /* Russian Word names «Заголовок 1» style "1" */
	return kt_u8_casestarts(v, "heading") || kt_u8_casestarts(v, "title") ||
		kt_u8_casestarts(v, "заголовок");
}

static int element(struct body *b, const char *ln, bool empty)
{
	struct xr *x = b->x;
	if (strcmp(ln, "Fallback") == 0 || strcmp(ln, "txbxContent") == 0 || strcmp(ln, "del") == 0 ||
		strcmp(ln, "moveFrom") == 0 ||
		strcmp(ln, "instrText") == 0 || strcmp(ln, "delText") == 0 || strcmp(ln, "pict") == 0) {
		if (empty)
			return 0;
		int r = xmlTextReaderNext(x->r);
		if (r < 0)
			kt_import_fail(b->err, KT_IMPORT_EBINARY, _("word/document.xml is not well-formed XML "
				"(%s)"), x->error[0] ? x->error : "parse error");
		return r < 0 ? -1 : r == 0 ? 3 : 2; /* 2: the reader stands on the next node */
	}
	if (strcmp(ln, "p") == 0) {
		start_paragraph(b);
		if (empty)
			return end_paragraph(b);
	} else if (strcmp(ln, "r") == 0) {
		b->in_run = !empty;
		b->run_bold = false;
	} else if (strcmp(ln, "b") == 0 && b->in_run) {
		char *v = kt_docx_xml_attr(x, "val");
		b->run_bold = is_on(v);
		free(v);
	} else if (strcmp(ln, "t") == 0 && b->in_p) {
		b->in_t = !empty;
	} else if ((strcmp(ln, "tab") == 0 && b->in_run) || strcmp(ln, "noBreakHyphen") == 0) {
		put_text(b, ln[0] == 't' ? " " : "-");
	} else if ((strcmp(ln, "br") == 0 || strcmp(ln, "cr") == 0) && b->in_run) {
		char *type = kt_docx_xml_attr(x, "type");
		if (!type || strcmp(type, "textWrapping") == 0)
			put_text(b, "\n");
		free(type);
	} else if (strcmp(ln, "pStyle") == 0 && b->in_p) {
		char *v = kt_docx_xml_attr(x, "val");
		b->p_heading |= heading_style(v);
		snprintf(b->pstyle, sizeof b->pstyle, "%s", v ? v : "");
		free(v);
	} else if (strcmp(ln, "outlineLvl") == 0 && b->in_p) {
		b->p_heading |= attr_int(b, "val", 9) < 9;
	} else if (strcmp(ln, "ilvl") == 0 && b->in_p) {
		b->ilvl = attr_int(b, "val", 0);
	} else if (strcmp(ln, "numId") == 0 && b->in_p) {
		b->num_id = attr_int(b, "val", 0);
		b->num_set = true;
	} else if (strcmp(ln, "tbl") == 0) {
		if (b->tbl_depth++ == 0) {
			struct kt_dblock *k = new_block(b);
			if (!k)
				return -1;
			k->is_table = true;
			b->tab = &k->tab;
		}
		if (empty)
			b->tbl_depth--;
	} else if (b->tbl_depth == 1 && strcmp(ln, "gridCol") == 0) {
		b->tab->grid++;
	} else if (b->tbl_depth == 1 && strcmp(ln, "tr") == 0) {
		if (start_row(b) != 0)
			return -1;
	} else if (b->tbl_depth == 1 && strcmp(ln, "tblHeader") == 0 && b->row) {
		char *v = kt_docx_xml_attr(x, "val");
		b->row->header = is_on(v);
		free(v);
	} else if (b->tbl_depth == 1 && strcmp(ln, "gridBefore") == 0 && b->row) {
		int v = attr_int(b, "val", 0);
		b->row->grid_before = v > 0 && v < 64 ? (unsigned)v : 0;
	} else if (b->tbl_depth == 1 && strcmp(ln, "tc") == 0 && b->row) {
		if (start_cell(b) != 0)
			return -1;
		if (empty)
			return end_cell(b);
	} else if (b->tbl_depth == 1 && strcmp(ln, "gridSpan") == 0 && b->cell) {
		int v = attr_int(b, "val", 1);
		b->cell->span = v > 1 && v < 64 ? (unsigned)v : 1;
	} else if (b->tbl_depth == 1 && strcmp(ln, "vMerge") == 0 && b->cell) {
		char *v = kt_docx_xml_attr(x, "val");
		b->cell->vm = v && strcmp(v, "restart") == 0 ? KT_VM_RESTART : KT_VM_CONT;
		free(v);
	}
	return 0;
}

static int end_element(struct body *b, const char *ln)
{
	if (strcmp(ln, "p") == 0 && b->in_p)
		return end_paragraph(b);
	if (strcmp(ln, "r") == 0)
		b->in_run = false;
	else if (strcmp(ln, "t") == 0)
		b->in_t = false;
	else if (strcmp(ln, "tc") == 0 && b->tbl_depth == 1 && b->cell)
		return end_cell(b);
	else if (strcmp(ln, "tr") == 0 && b->tbl_depth == 1)
		b->row = NULL;
	else if (strcmp(ln, "tbl") == 0 && b->tbl_depth > 0 && --b->tbl_depth == 0)
		b->tab = NULL;
	return 0;
}

int kt_docx_parse_body(const char *xml, size_t len, struct kt_docx_numbering *nb,
	const struct kt_docx_styles *styles, struct kt_docx *d, struct kt_import_err *err)
{
	static const char *const name = "word/document.xml";
	struct body b = {.d = d, .nb = nb, .styles = styles, .err = err};
	memset(d, 0, sizeof *d);
	if (!(b.x = kt_docx_xml_reader(xml, len, name))) {
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		return -1;
	}
	int rc = 0;
	bool stepped = false;
	for (;;) {
		if (!stepped && (rc = kt_docx_xml_next(b.x, name, err)) <= 0)
			break;
		int t = xmlTextReaderNodeType(b.x->r);
		if (stepped && (t == XML_READER_TYPE_DOCUMENT_TYPE || t == XML_READER_TYPE_ENTITY_REFERENCE ||
				       t == XML_READER_TYPE_ENTITY)) {
			kt_import_fail(err, KT_IMPORT_EBINARY, _("%s declares entities; refused"), name);
			rc = -1;
			break;
		}
		stepped = false;
		const char *ln = (const char *)xmlTextReaderConstLocalName(b.x->r);
		if (t == XML_READER_TYPE_ELEMENT && ln) {
			int e = element(&b, ln, xmlTextReaderIsEmptyElement(b.x->r) == 1);
			if (e < 0 || e == 3) {
				rc = e < 0 ? -1 : 0;
				break;
			}
			stepped = e == 2;
		} else if (t == XML_READER_TYPE_END_ELEMENT && ln) {
			if (end_element(&b, ln) != 0) {
				rc = -1;
				break;
			}
		} else if ((t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
				   t == XML_READER_TYPE_CDATA) && b.in_t) {
			const char *v = (const char *)xmlTextReaderConstValue(b.x->r);
			if (v)
				put_text(&b, v);
		}
		if (b.text_bytes > KT_IMPORT_MAX_BYTES) {
			kt_import_fail(err, KT_IMPORT_ETOOBIG, _("the document's text is larger than %u MiB"),
				KT_IMPORT_MAX_BYTES >> 20);
			rc = -1;
			break;
		}
		if (b.oom || b.pbuf.oom) {
			rc = -1;
			break;
		}
	}
	if (b.oom || b.pbuf.oom || b.cellbuf.oom)
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
	/* an open cell (a cut file) keeps what it read */
	if (rc == 0 && b.cell && end_cell(&b) != 0)
		rc = -1;
	kt_sb_release(&b.pbuf);
	kt_sb_release(&b.cellbuf);
	kt_docx_xml_free(b.x);
	if (rc != 0) {
		kt_docx_release(d);
		return -1;
	}
	return 0;
}
