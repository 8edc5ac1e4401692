/* kt_gds_read: the rows of one GIADBSet table file, one at a time, through libxml2's SAX2
 * push parser (no tree is built: each element's start and end and its text are handed to
 * the callbacks below), each row checked against the table's published columns.
 *
 * The parser runs with no DTD loading, no entity substitution and no network; a document
 * that carries a DTD at all is refused before anything else is read, which closes the
 * entity attacks (billion laughs, external entities) by construction. The file is fed to
 * the parser a chunk at a time; what a chunk completes — rows, a row refused for its values,
 * the error that ends the file, the end — is kept as answers in a batch (kt_gds_int.h), in
 * order, and kt_gds_next hands them out one by one (or a thread fills the batches ahead:
 * kt_gds_ahead.c). A column's text is gathered into the batch up to max_value_bytes. A row
 * is handed out only once its end tag was read and every check passed. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>

#include "kt_gds_int.h"
#include "kt_grow.h"
#include "kt_i18n.h"

#define CHUNK 16384 /* bytes of the file a parse step takes */
#define XSI "http://www.w3.org/2001/XMLSchema-instance"

/* A column's text, its buffer kept from row to row (no allocation once warm). */
struct gbuf {
	char *p;
	size_t n, cap;
};

struct kt_gds_reader {
	xmlParserCtxtPtr ctxt;
	struct kt_gds_src *src;
	const struct kt_gds_table *t;
	const struct kt_gds_limits *lim;
	struct kt_gds_batch *b;    /* the batch the callbacks fill */
	struct kt_gds_batch own;   /* kt_gds_next's, without a thread */
	size_t pos;                /* kt_gds_next's next answer in own */
	/* the row being read */
	struct gbuf vals[KT_GDS_MAX_COLS];
	bool has[KT_GDS_MAX_COLS]; /* the column's element was read in this row */
	int next_col;              /* where the next column is expected (files keep the schema's order) */
	struct gbuf unknown_name[32], unknown_val[32];
	int nunknown;
	int depth;                 /* of the element the parser is in: 1 the root, 2 a row, 3 a column */
	int col;                   /* the column being read: its index, -2 an unknown one, -1 none */
	bool col_nil;              /* it carries xsi:nil="true" */
	const xmlChar *ns;         /* the parser's interned namespace string, once checked */
	const xmlChar *col_name[KT_GDS_MAX_COLS]; /* each column's interned name, once seen */
	long rows;
	bool root_seen, in_row;
	bool finished;             /* the parse is over: the end or the error that ends it answered */
	bool xml_stop;             /* the parser reported an error: it stopped there */
	bool resumable;            /* kt_gds_next's last answer was one row's values */
	bool over;                 /* kt_gds_next gave the file's last answer */
	char xml_err[256];         /* the parser's own message, with its line */
	struct kt_gds_ahead *ahead; /* kt_gds_read_ahead: the thread that reads */
};

const struct kt_gds_table *kt_gds_table(const char *name)
{
	for (int i = 0; i < kt_gds_tables_count; i++)
		if (strcmp(kt_gds_tables[i].name, name) == 0)
			return &kt_gds_tables[i];
	return NULL;
}

int kt_gds_col(const struct kt_gds_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- the batch of answers --------------------------------------------------------------------- */

/* k bytes of s appended to the batch's text (and a NUL after them); its offset. */
static size_t keep(struct kt_gds_batch *b, const char *s, size_t k)
{
	size_t at = b->len;
	char *t = b->oom ? NULL : kt_grow_to(b->text, &b->cap, b->len + k + 1, 1, 65536);
	if (!t) {
		b->oom = true;
		return 0;
	}
	b->text = t;
	memcpy(b->text + at, s, k);
	b->text[at + k] = '\0';
	b->len += k + 1;
	return at;
}

/* A new answer at the batch's end (its columns' offsets zeroed); NULL when out of memory. */
static struct kt_gds_answer *answer(struct kt_gds_reader *r, int k)
{
	struct kt_gds_batch *b = r->b;
	struct kt_gds_answer *av = kt_grow(b->a, &b->acap, b->n, sizeof *av, 256);
	size_t *ov = av ? kt_grow_to(b->offs, &b->ocap, (b->n + 1) * (size_t)r->t->ncols, sizeof *ov,
		256 * (size_t)r->t->ncols) : NULL;
	if (ov)
		b->offs = ov;
	if (!av || !ov) {
		b->oom = true;
		return NULL;
	}
	b->a = av;
	struct kt_gds_answer *e = &b->a[b->n++];
	memset(e, 0, sizeof *e);
	e->k = k;
	return e;
}

void kt_gds_batch_reset(struct kt_gds_batch *b)
{
	b->n = 0;
	b->len = 0;
	b->last = false;
	b->oom = false;
}

void kt_gds_batch_free(struct kt_gds_batch *b)
{
	free(b->a);
	free(b->offs);
	free(b->text);
	memset(b, 0, sizeof *b);
}

int kt_gds_batch_take(const struct kt_gds_batch *b, size_t i, int ncols, struct kt_gds_row *row,
	char *err, size_t errlen, bool *resumable, bool *last)
{
	if (b->oom) { /* an answer could not be kept: the file ends here */
		snprintf(err, errlen, "%s", _("out of memory"));
		*resumable = false;
		*last = true;
		return -1;
	}
	const struct kt_gds_answer *e = &b->a[i];
	*resumable = e->resumable;
	*last = e->k == 0 || (e->k < 0 && !e->resumable);
	if (e->k < 0)
		snprintf(err, errlen, "%s", b->text + e->err);
	if (e->k <= 0)
		return e->k;
	memset(row, 0, sizeof *row);
	row->index = e->index;
	const size_t *o = b->offs + i * (size_t)ncols;
	for (int c = 0; c < ncols; c++)
		row->val[c] = o[c] ? b->text + o[c] - 1 : NULL;
	row->nunknown = e->nunknown;
	for (int c = 0; c < e->nunknown; c++) {
		row->unknown_name[c] = b->text + e->un[c];
		row->unknown_val[c] = b->text + e->uv[c];
	}
	return 1;
}

/* ---- errors ------------------------------------------------------------------------------------- */

/* An error answer, "FILE: " and the message: one finished row's values (resumable: the file
 * reads on), else the error that ends the file (the parse stops). */
static void verror(struct kt_gds_reader *r, bool resumable, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void verror(struct kt_gds_reader *r, bool resumable, const char *fmt, va_list ap)
{
	char err[512];
	int k = snprintf(err, sizeof err, "%s: ", kt_gds_src_name(r->src));
	if (k >= 0 && (size_t)k < sizeof err)
		vsnprintf(err + k, sizeof err - (size_t)k, _(fmt), ap); /* N_() at the callers */
	struct kt_gds_answer *e = answer(r, -1);
	if (e) {
		e->err = keep(r->b, err, strlen(err));
		e->resumable = resumable;
	}
	if (!resumable && !r->finished) {
		r->finished = true;
		xmlStopParser(r->ctxt);
	}
}

static void fatal(struct kt_gds_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fatal(struct kt_gds_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(r, false, fmt, ap);
	va_end(ap);
}

static void refuse_row(struct kt_gds_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void refuse_row(struct kt_gds_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(r, true, fmt, ap);
	va_end(ap);
}

/* A read error: the size limit, the parser's message, or a plain truncation. */
static void read_failed(struct kt_gds_reader *r)
{
	if (kt_gds_src_too_big(r->src))
		fatal(r, N_("longer than its size allows (limit %zu bytes, or more than the archive says it "
			"holds)"), r->lim->max_file_bytes);
	else if (r->xml_err[0] && strstr(r->xml_err, "ntity"))
		fatal(r, N_("refused: entities are not allowed in a package (%s)"), r->xml_err);
	else if (r->xml_err[0])
		fatal(r, N_("not well-formed XML: %s"), r->xml_err);
	else
		fatal(r, N_("not well-formed XML (truncated?)"));
}

/* The parser's messages: the first is kept (with its line); an error (not a warning) ends
 * the file where it stands — the rows before it are answered, none after it. */
static void on_xml_error(void *arg, xmlErrorPtr e)
{
	struct kt_gds_reader *r = arg;
	if (e && e->level >= XML_ERR_ERROR && !r->xml_stop) {
		r->xml_stop = true;
		xmlStopParser(r->ctxt);
	}
	if (r->xml_err[0] || !e || !e->message)
		return;
	snprintf(r->xml_err, sizeof r->xml_err, _("line %d: %s"), e->line, e->message);
	size_t n = strlen(r->xml_err);
	while (n > 0 && (r->xml_err[n - 1] == '\n' || r->xml_err[n - 1] == ' '))
		r->xml_err[--n] = '\0';
}

/* ---- the parser's callbacks ------------------------------------------------------------------- */

/* The namespace is GIADBSet's (the parser interns the namespace's string: once one pointer
 * was checked, the same pointer is the same name). */
static bool in_ns(struct kt_gds_reader *r, const xmlChar *ns)
{
	if (ns && ns == r->ns)
		return true;
	if (!ns || strcmp((const char *)ns, KT_GDS_NS) != 0)
		return false;
	r->ns = ns;
	return true;
}

/* k more bytes of text into b; -1 when out of memory. */
static int gbuf_add(struct gbuf *b, const char *s, size_t k)
{
	char *p = kt_grow_to(b->p, &b->cap, b->n + k + 1, 1, 64);
	if (!p)
		return -1;
	b->p = p;
	memcpy(b->p + b->n, s, k);
	b->n += k;
	b->p[b->n] = '\0';
	return 0;
}

static void gbuf_set(struct gbuf *b, const char *s)
{
	b->n = 0;
	if (gbuf_add(b, s, strlen(s)) != 0 && b->p)
		b->p[0] = '\0';
}

/* The root element: GIADBSet in its namespace, the document in UTF-8. */
static void check_root(struct kt_gds_reader *r, const char *name, const xmlChar *uri)
{
	if (strcmp(name, "GIADBSet") != 0 || !in_ns(r, uri)) {
		fatal(r, N_("the root element is «%s» in the namespace '%s', expected «GIADBSet» in '%s'"),
			name, uri ? (const char *)uri : "", KT_GDS_NS);
		return;
	}
	xmlDocPtr doc = r->ctxt->myDoc;
	const char *enc = doc && doc->encoding ? (const char *)doc->encoding : NULL;
	if (enc && strcasecmp(enc, "UTF-8") != 0) {
		fatal(r, N_("declared encoding '%s': karta reads UTF-8 packages"), enc);
		return;
	}
	r->root_seen = true;
}

/* The index of the column named name: where the schema's order expects it, else by name.
 * The parser interns element names: a column's name is compared once, then its pointer. */
static int find_column(struct kt_gds_reader *r, const xmlChar *name)
{
	int i = r->next_col;
	if (i < r->t->ncols && r->col_name[i] == name)
		return i;
	if (i >= r->t->ncols || strcmp(r->t->cols[i].name, (const char *)name) != 0)
		i = kt_gds_col(r->t, (const char *)name);
	if (i >= 0)
		r->col_name[i] = name;
	return i;
}

/* A column's start tag: which column, and whether it is xsi:nil. */
static void take_column(struct kt_gds_reader *r, const char *name, const xmlChar *uri,
	int nattr, const xmlChar **attr)
{
	if (!in_ns(r, uri)) {
		fatal(r, N_("row %ld: «%s» is not in the GIADBSet namespace"), r->rows, name);
		return;
	}
	int i = find_column(r, (const xmlChar *)name);
	r->col_nil = false;
	for (int a = 0; a < nattr; a++) {
		const xmlChar **at = attr + 5 * a; /* localname, prefix, URI, value, end */
		if (strcmp((const char *)at[0], "nil") == 0 && at[2] && strcmp((const char *)at[2], XSI) == 0) {
			r->col_nil = at[4] - at[3] == 4 && memcmp(at[3], "true", 4) == 0;
			break;
		}
	}
	if (i >= 0) {
		if (r->has[i]) {
			fatal(r, N_("row %ld: «%s» appears twice"), r->rows, r->t->cols[i].name);
			return;
		}
		r->col = i;
		gbuf_set(&r->vals[i], "");
		return;
	}
	if ((size_t)r->nunknown >= r->lim->max_unknown || r->nunknown >= 32) {
		fatal(r, N_("row %ld: more than %zu columns karta does not know"), r->rows, r->lim->max_unknown);
		return;
	}
	/* a column karta does not know: rare */
	gbuf_set(&r->unknown_name[r->nunknown], name);
	gbuf_set(&r->unknown_val[r->nunknown], "");
	r->col = -2;
}

/* Every column of the finished row checked; the row answered. */
static void finish_row(struct kt_gds_reader *r)
{
	r->in_row = false;
	for (int i = 0; i < r->t->ncols; i++) {
		const struct kt_gds_col *c = &r->t->cols[i];
		if (!r->has[i]) {
			if (c->required) {
				refuse_row(r, N_("row %ld: «%s» is missing"), r->rows, c->name);
				return;
			}
			continue;
		}
		const char *msg = kt_gds_check(c, r->vals[i].p);
		if (msg) {
			refuse_row(r, N_("row %ld: «%s» %s"), r->rows, c->name, _(msg));
			return;
		}
	}
	struct kt_gds_answer *e = answer(r, 1);
	if (!e)
		return;
	struct kt_gds_batch *b = r->b;
	size_t *o = b->offs + (b->n - 1) * (size_t)r->t->ncols;
	e->index = r->rows;
	for (int i = 0; i < r->t->ncols; i++)
		o[i] = r->has[i] ? keep(b, r->vals[i].p, r->vals[i].n) + 1 : 0;
	e->nunknown = r->nunknown;
	for (int i = 0; i < r->nunknown; i++) {
		e->un[i] = keep(b, r->unknown_name[i].p, r->unknown_name[i].n);
		e->uv[i] = keep(b, r->unknown_val[i].p, r->unknown_val[i].n);
	}
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
	int nns, const xmlChar **ns, int nattr, int ndefaulted, const xmlChar **attr)
{
	(void)prefix, (void)nns, (void)ns, (void)ndefaulted;
	struct kt_gds_reader *r = ctx;
	int depth = ++r->depth;
	if (r->finished)
		return;
	const char *name = (const char *)localname;
	if (depth == 1) {
		check_root(r, name, uri);
	} else if (depth == 2) {
		r->rows++;
		if (strcmp(name, r->t->name) != 0 || !in_ns(r, uri)) {
			fatal(r, N_("row %ld: element «%s», expected «%s»"), r->rows, name, r->t->name);
			return;
		}
		r->in_row = true;
		memset(r->has, 0, (size_t)r->t->ncols * sizeof r->has[0]);
		r->next_col = 0;
		r->nunknown = 0;
		r->col = -1;
	} else if (depth == 3) {
		take_column(r, name, uri, nattr, attr);
	} else {
		fatal(r, N_("row %ld: «%s» holds markup, not a value"), r->rows, name);
	}
}

static void on_text(void *ctx, const xmlChar *s, int len)
{
	struct kt_gds_reader *r = ctx;
	if (r->finished || r->depth != 3 || r->col == -1)
		return;
	struct gbuf *b = r->col >= 0 ? &r->vals[r->col] : &r->unknown_val[r->nunknown];
	if (b->n + (size_t)len > r->lim->max_value_bytes) {
		fatal(r, N_("row %ld: a value over %zu bytes"), r->rows, r->lim->max_value_bytes);
		return;
	}
	if (gbuf_add(b, (const char *)s, (size_t)len) != 0)
		fatal(r, N_("out of memory"));
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	(void)localname, (void)prefix, (void)uri;
	struct kt_gds_reader *r = ctx;
	int depth = r->depth--;
	if (r->finished)
		return;
	if (depth == 3 && r->col >= 0) {
		if (r->col_nil)
			gbuf_set(&r->vals[r->col], "NULL");
		r->has[r->col] = true;
		r->next_col = r->col + 1;
		r->col = -1;
	} else if (depth == 3 && r->col == -2) {
		r->nunknown++;
		r->col = -1;
	} else if (depth == 2) {
		finish_row(r);
	}
}

/* The document (the declared encoding: check_root), as libxml2's SAX2 keeps it. */
static void on_doc(void *ctx)
{
	struct kt_gds_reader *r = ctx;
	xmlSAX2StartDocument(r->ctxt);
}

static void on_dtd(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	(void)name, (void)ext, (void)sys;
	struct kt_gds_reader *r = ctx;
	if (!r->finished)
		fatal(r, N_("carries a DTD (<!DOCTYPE>): refused, packages have none and its entities "
			"could expand without bound"));
}

/* ---- the reader --------------------------------------------------------------------------------- */

struct kt_gds_reader *kt_gds_open(struct kt_gds_pkg *p, const char *table, char *err,
	size_t errlen)
{
	const struct kt_gds_table *t = kt_gds_table(table);
	if (!t) {
		snprintf(err, errlen, _("karta does not read the table %s"), table);
		return NULL;
	}
	struct kt_gds_reader *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, _("out of memory"));
		return NULL;
	}
	r->t = t;
	r->lim = kt_gds_pkg_limits(p);
	r->col = -1;
	r->src = kt_gds_src_open(p, table, err, errlen);
	if (!r->src) {
		free(r);
		return NULL;
	}
	xmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startDocument = on_doc;
	sax.internalSubset = on_dtd;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.ignorableWhitespace = on_text;
	sax.serror = on_xml_error;
	/* No XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: entities stay unexpanded, nothing is
	 * fetched, libxml2's own size limits hold. */
	r->ctxt = xmlCreatePushParserCtxt(&sax, r, NULL, 0, kt_gds_src_name(r->src));
	if (!r->ctxt || xmlCtxtUseOptions(r->ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA) < 0) {
		snprintf(err, errlen, _("%s: cannot start the XML reader"), kt_gds_src_name(r->src));
		kt_gds_close(r);
		return NULL;
	}
	return r;
}

void kt_gds_close(struct kt_gds_reader *r)
{
	if (!r)
		return;
	kt_gds_ahead_stop(r->ahead);
	for (int i = 0; i < r->t->ncols; i++)
		free(r->vals[i].p);
	for (int i = 0; i < 32; i++) {
		free(r->unknown_name[i].p);
		free(r->unknown_val[i].p);
	}
	kt_gds_batch_free(&r->own);
	if (r->ctxt) {
		if (r->ctxt->myDoc)
			xmlFreeDoc(r->ctxt->myDoc);
		xmlFreeParserCtxt(r->ctxt);
	}
	kt_gds_src_close(r->src);
	free(r);
}

int kt_gds_ncols(const struct kt_gds_reader *r)
{
	return r->t->ncols;
}

void kt_gds_fill(struct kt_gds_reader *r, struct kt_gds_batch *b)
{
	kt_gds_batch_reset(b);
	r->b = b;
	char buf[CHUNK];
	while (!r->finished && b->n < 128 && !b->oom) {
		int n = kt_gds_src_read(r->src, buf, sizeof buf);
		if (n < 0) {
			read_failed(r);
			break;
		}
		int rc = xmlParseChunk(r->ctxt, buf, n, n == 0);
		if (r->finished)
			break; /* an error of ours was answered */
		if (rc != 0 || !r->ctxt->wellFormed || r->xml_stop) {
			read_failed(r);
			break;
		}
		if (n == 0) { /* the end */
			if (!r->root_seen)
				fatal(r, N_("empty: no GIADBSet element"));
			else if (r->in_row)
				read_failed(r);
			else if (answer(r, 0))
				r->finished = true;
			break;
		}
	}
	b->last = r->finished;
}

bool kt_gds_resumable(const struct kt_gds_reader *r)
{
	return r->ahead ? kt_gds_ahead_resumable(r->ahead) : r->resumable && !r->over;
}

int kt_gds_read_ahead(struct kt_gds_reader *r)
{
	if (!r->ahead && r->pos == r->own.n)
		r->ahead = kt_gds_ahead_start(r);
	return r->ahead ? 0 : -1;
}

int kt_gds_next(struct kt_gds_reader *r, struct kt_gds_row *row, char *err, size_t errlen)
{
	if (r->ahead)
		return kt_gds_ahead_next(r->ahead, row, err, errlen);
	if (r->over)
		return 0;
	if (r->pos == r->own.n) {
		kt_gds_fill(r, &r->own);
		r->pos = 0;
	}
	if (r->own.n == 0 && !r->own.oom) { /* nothing answered: cannot happen, but never loop */
		r->over = true;
		return 0;
	}
	int k = kt_gds_batch_take(&r->own, r->pos++, r->t->ncols, row, err, errlen, &r->resumable,
		&r->over);
	return k;
}

/* ---- value checks -------------------------------------------------------------------- */

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* yyyy-mm-dd?hh:mm:ss[.ff…] with the fraction's 2+ digits required or optional. */
static bool datetime_ok(const char *v, bool frac_optional)
{
	size_t n = strlen(v);
	if (n < 19 || !all_digits(v, 4) || v[4] != '-' || !all_digits(v + 5, 2) || v[7] != '-' ||
		!all_digits(v + 8, 2) || !all_digits(v + 11, 2) || v[13] != ':' ||
		!all_digits(v + 14, 2) || v[16] != ':' || !all_digits(v + 17, 2))
		return false;
	if (n == 19)
		return frac_optional;
	/* the schema's '.' is any one character, then two or more digits */
	return n >= 22 && all_digits(v + 20, n - 20);
}

const char *kt_gds_check(const struct kt_gds_col *c, const char *v)
{
	size_t n = strlen(v);
	switch (c->type) {
	case KT_GDS_TEXT:
		return c->max_len > 0 && utf8_chars(v) > (size_t)c->max_len
			? N_("is longer than the schema allows") : NULL;
	case KT_GDS_INT: {
		const char *d = v[0] == '-' || v[0] == '+' ? v + 1 : v;
		size_t dn = strlen(d);
		if (dn == 0 || dn > 10 || !all_digits(d, dn))
			return N_("is not a whole number");
		long long x = strtoll(v, NULL, 10);
		return x < -2147483648LL || x > 2147483647LL ? N_("is out of range") : NULL;
	}
	case KT_GDS_GUID:
		if (n != 36)
			return N_("is not a GUID");
		for (size_t i = 0; i < 36; i++) {
			bool dash = i == 8 || i == 13 || i == 18 || i == 23;
			if (dash ? v[i] != '-' : !isxdigit((unsigned char)v[i]))
				return N_("is not a GUID");
		}
		return NULL;
	case KT_GDS_BOOL:
		return strcmp(v, "true") == 0 || strcmp(v, "false") == 0 || strcmp(v, "1") == 0 ||
			strcmp(v, "0") == 0 ? NULL : N_("is not true or false");
	case KT_GDS_DATETIME_NULL:
		if (strcmp(v, "NULL") == 0)
			return NULL;
		/* fall through */
	case KT_GDS_DATETIME:
		return datetime_ok(v, false) ? NULL : N_("is not a timestamp yyyy-mm-ddThh:mm:ss.ff");
	case KT_GDS_DATETIME_FRAC_OPT:
		return datetime_ok(v, true) ? NULL : N_("is not a timestamp yyyy-mm-ddThh:mm:ss");
	}
	return NULL;
}
