/* kt_gds_read: the rows of one GIADBSet table file, one at a time, through libxml2's
 * streaming reader (xmlTextReader), each checked against the table's published columns.
 *
 * The parser runs with no DTD loading, no entity substitution and no network; a document
 * that carries a DTD at all is refused before anything else is read, which closes the
 * entity attacks (billion laughs, external entities) by construction. Text nodes are
 * gathered per column up to max_value_bytes. A row is handed out only once its end tag
 * was read and every check passed. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>

#include "kt_gds_int.h"
#include "kt_i18n.h"

/* A column's text, its buffer kept from row to row (no allocation once warm). */
struct gbuf {
	char *p;
	size_t n, cap;
};

struct kt_gds_reader {
	xmlTextReaderPtr xr;
	struct kt_gds_src *src;
	const struct kt_gds_table *t;
	const struct kt_gds_limits *lim;
	struct gbuf vals[KT_GDS_MAX_COLS];
	bool has[KT_GDS_MAX_COLS]; /* the column's element was read in this row */
	int next_col;              /* where the next column is expected (files keep the schema's order) */
	const xmlChar *ns;         /* the parser's interned namespace string, once checked */
	char *unknown_name[32], *unknown_val[32];
	int nunknown;
	long rows;
	bool root_seen, done;
	bool resumable; /* the last error was one finished row's values: reading may go on */
	char xml_err[256]; /* the parser's own message, with its line */
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

static void on_xml_error(void *arg, xmlErrorPtr e)
{
	struct kt_gds_reader *r = arg;
	if (r->xml_err[0] || !e || !e->message)
		return;
	snprintf(r->xml_err, sizeof r->xml_err, _("line %d: %s"), e->line, e->message);
	size_t n = strlen(r->xml_err);
	while (n > 0 && (r->xml_err[n - 1] == '\n' || r->xml_err[n - 1] == ' '))
		r->xml_err[--n] = '\0';
}

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
	r->src = kt_gds_src_open(p, table, err, errlen);
	if (!r->src) {
		free(r);
		return NULL;
	}
	/* No XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: entities stay unexpanded, nothing is
	 * fetched, libxml2's own size limits hold. */
	r->xr = xmlReaderForIO(kt_gds_src_read, NULL, r->src, kt_gds_src_name(r->src), NULL,
		XML_PARSE_NONET | XML_PARSE_NOCDATA);
	if (!r->xr) {
		snprintf(err, errlen, _("%s: cannot start the XML reader"), kt_gds_src_name(r->src));
		kt_gds_close(r);
		return NULL;
	}
	xmlTextReaderSetStructuredErrorHandler(r->xr, on_xml_error, r);
	return r;
}

static void clear_row(struct kt_gds_reader *r)
{
	memset(r->has, 0, (size_t)r->t->ncols * sizeof r->has[0]);
	r->next_col = 0;
	for (int i = 0; i < r->nunknown; i++) {
		free(r->unknown_name[i]);
		free(r->unknown_val[i]);
	}
	r->nunknown = 0;
}

void kt_gds_close(struct kt_gds_reader *r)
{
	if (!r)
		return;
	kt_gds_ahead_stop(r->ahead);
	clear_row(r);
	for (int i = 0; i < r->t->ncols; i++)
		free(r->vals[i].p);
	if (r->xr)
		xmlFreeTextReader(r->xr);
	kt_gds_src_close(r->src);
	free(r);
}

static int fail(struct kt_gds_reader *r, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct kt_gds_reader *r, char *err, size_t errlen, const char *fmt, ...)
{
	int k = snprintf(err, errlen, "%s: ", kt_gds_src_name(r->src));
	va_list ap;
	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < errlen)
		vsnprintf(err + k, errlen - (size_t)k, _(fmt), ap); /* N_() at the callers */
	va_end(ap);
	r->done = true;
	return -1;
}

/* A read error: the size limit, the parser's message, or a plain truncation. */
static int read_failed(struct kt_gds_reader *r, char *err, size_t errlen)
{
	if (kt_gds_src_too_big(r->src))
		return fail(r, err, errlen, N_("longer than its size allows (limit %zu bytes, or more than "
			"the archive says it holds)"), r->lim->max_file_bytes);
	if (r->xml_err[0] && strstr(r->xml_err, "ntity"))
		return fail(r, err, errlen, N_("refused: entities are not allowed in a package (%s)"),
			r->xml_err);
	if (r->xml_err[0])
		return fail(r, err, errlen, N_("not well-formed XML: %s"), r->xml_err);
	return fail(r, err, errlen, N_("not well-formed XML (truncated?)"));
}

/* The element the reader stands on is in the GIADBSet namespace (the parser interns the
 * namespace's string: once one pointer was checked, the same pointer is the same name). */
static bool in_ns(struct kt_gds_reader *r)
{
	const xmlChar *ns = xmlTextReaderConstNamespaceUri(r->xr);
	if (ns && ns == r->ns)
		return true;
	if (!ns || strcmp((const char *)ns, KT_GDS_NS) != 0)
		return false;
	r->ns = ns;
	return true;
}

/* The text of the column element the reader stands on (its start tag), up to its end tag,
 * into b. 0, or -1 with err on a nested element, a value over the limit, or a read error. */
static int column_text(struct kt_gds_reader *r, struct gbuf *b, char *err, size_t errlen)
{
	b->n = 0;
	if (!b->p) {
		b->cap = 64;
		if (!(b->p = malloc(b->cap)))
			return fail(r, err, errlen, N_("out of memory"));
	}
	b->p[0] = '\0';
	if (xmlTextReaderIsEmptyElement(r->xr))
		return 0;
	int depth = xmlTextReaderDepth(r->xr);
	for (;;) {
		if (xmlTextReaderRead(r->xr) != 1)
			return read_failed(r, err, errlen);
		int type = xmlTextReaderNodeType(r->xr);
		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(r->xr) == depth)
			return 0;
		if (type == XML_READER_TYPE_ELEMENT || type == XML_READER_TYPE_ENTITY_REFERENCE)
			return fail(r, err, errlen, N_("row %ld: «%s» holds markup, not a value"), r->rows,
				(const char *)xmlTextReaderConstLocalName(r->xr));
		if (type != XML_READER_TYPE_TEXT && type != XML_READER_TYPE_CDATA &&
			type != XML_READER_TYPE_SIGNIFICANT_WHITESPACE && type != XML_READER_TYPE_WHITESPACE)
			continue;
		const char *v = (const char *)xmlTextReaderConstValue(r->xr);
		size_t vn = v ? strlen(v) : 0;
		if (b->n + vn > r->lim->max_value_bytes)
			return fail(r, err, errlen, N_("row %ld: a value over %zu bytes"), r->rows,
				r->lim->max_value_bytes);
		if (b->n + vn + 1 > b->cap) {
			size_t cap = b->cap;
			while (b->n + vn + 1 > cap)
				cap *= 2;
			char *nb = realloc(b->p, cap);
			if (!nb)
				return fail(r, err, errlen, N_("out of memory"));
			b->p = nb;
			b->cap = cap;
		}
		memcpy(b->p + b->n, v, vn);
		b->n += vn;
		b->p[b->n] = '\0';
	}
}

/* The index of the column named name: where the schema's order expects it, else by name. */
static int find_column(struct kt_gds_reader *r, const char *name)
{
	int i = r->next_col;
	if (i < r->t->ncols && strcmp(r->t->cols[i].name, name) == 0)
		return i;
	return kt_gds_col(r->t, name);
}

/* The column the reader stands on, stored in the current row. */
static int take_column(struct kt_gds_reader *r, char *err, size_t errlen)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(r->xr);
	if (!in_ns(r))
		return fail(r, err, errlen, N_("row %ld: «%s» is not in the GIADBSet namespace"), r->rows, name);
	int i = find_column(r, name);
	bool is_nil = false;
	if (xmlTextReaderHasAttributes(r->xr) == 1) {
		xmlChar *nil = xmlTextReaderGetAttributeNs(r->xr, BAD_CAST "nil",
			BAD_CAST "http://www.w3.org/2001/XMLSchema-instance");
		is_nil = nil && strcmp((const char *)nil, "true") == 0;
		xmlFree(nil);
	}
	if (i >= 0) {
		if (r->has[i])
			return fail(r, err, errlen, N_("row %ld: «%s» appears twice"), r->rows, r->t->cols[i].name);
		struct gbuf *b = &r->vals[i];
		if (column_text(r, b, err, errlen) != 0)
			return -1;
		if (is_nil) {
			memcpy(b->p, "NULL", 5); /* cap >= 64 */
			b->n = 4;
		}
		r->has[i] = true;
		r->next_col = i + 1;
		return 0;
	}
	if ((size_t)r->nunknown >= r->lim->max_unknown || r->nunknown >= 32)
		return fail(r, err, errlen, N_("row %ld: more than %zu columns karta does not know"), r->rows,
			r->lim->max_unknown);
	/* a column karta does not know: rare, kept as its own copies */
	struct gbuf b = {0};
	char *nm = strdup(name);
	if (!nm)
		return fail(r, err, errlen, N_("out of memory"));
	if (column_text(r, &b, err, errlen) != 0) {
		free(nm);
		free(b.p);
		return -1;
	}
	r->unknown_name[r->nunknown] = nm;
	r->unknown_val[r->nunknown++] = b.p;
	return 0;
}

/* A finished row refused for its values: the parser stands at its end, so the next
 * kt_gds_next may read on (kt_gds_resumable). */
static int row_refused(struct kt_gds_reader *r)
{
	r->done = false;
	r->resumable = true;
	return -1;
}

/* Every column of the finished row checked; the row handed out. */
static int finish_row(struct kt_gds_reader *r, struct kt_gds_row *row, char *err, size_t errlen)
{
	for (int i = 0; i < r->t->ncols; i++) {
		const struct kt_gds_col *c = &r->t->cols[i];
		if (!r->has[i]) {
			if (c->required)
				return fail(r, err, errlen, N_("row %ld: «%s» is missing"), r->rows, c->name),
					row_refused(r);
			continue;
		}
		const char *msg = kt_gds_check(c, r->vals[i].p);
		if (msg)
			return fail(r, err, errlen, N_("row %ld: «%s» %s"), r->rows, c->name, _(msg)),
				row_refused(r);
	}
	memset(row, 0, sizeof *row);
	row->index = r->rows;
	for (int i = 0; i < r->t->ncols; i++)
		row->val[i] = r->has[i] ? r->vals[i].p : NULL;
	row->nunknown = r->nunknown;
	for (int i = 0; i < r->nunknown; i++) {
		row->unknown_name[i] = r->unknown_name[i];
		row->unknown_val[i] = r->unknown_val[i];
	}
	return 1;
}

/* The root element: GIADBSet in its namespace, the document in UTF-8. */
static int check_root(struct kt_gds_reader *r, char *err, size_t errlen)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(r->xr);
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r->xr);
	if (strcmp(name, "GIADBSet") != 0 || !in_ns(r))
		return fail(r, err, errlen, N_("the root element is «%s» in the namespace '%s', expected "
			"«GIADBSet» in '%s'"), name, ns ? ns : "", KT_GDS_NS);
	const char *enc = (const char *)xmlTextReaderConstEncoding(r->xr);
	if (enc && strcasecmp(enc, "UTF-8") != 0)
		return fail(r, err, errlen, N_("declared encoding '%s': karta reads UTF-8 packages"), enc);
	r->root_seen = true;
	return 0;
}

bool kt_gds_direct_resumable(const struct kt_gds_reader *r) { return r->resumable && !r->done; }

bool kt_gds_resumable(const struct kt_gds_reader *r)
{
	return r->ahead ? kt_gds_ahead_resumable(r->ahead) : kt_gds_direct_resumable(r);
}

int kt_gds_read_ahead(struct kt_gds_reader *r)
{
	if (!r->ahead)
		r->ahead = kt_gds_ahead_start(r, r->t->ncols);
	return r->ahead ? 0 : -1;
}

int kt_gds_next(struct kt_gds_reader *r, struct kt_gds_row *row, char *err, size_t errlen)
{
	return r->ahead ? kt_gds_ahead_next(r->ahead, row, err, errlen)
		: kt_gds_read_row(r, row, err, errlen);
}

int kt_gds_read_row(struct kt_gds_reader *r, struct kt_gds_row *row, char *err, size_t errlen)
{
	if (r->done)
		return 0;
	r->resumable = false;
	clear_row(r);
	bool in_row = false;
	for (;;) {
		int k = xmlTextReaderRead(r->xr);
		if (k == 0) {
			if (!r->root_seen)
				return fail(r, err, errlen, N_("empty: no GIADBSet element"));
			if (in_row)
				return read_failed(r, err, errlen);
			r->done = true;
			return 0;
		}
		if (k < 0)
			return read_failed(r, err, errlen);
		int type = xmlTextReaderNodeType(r->xr), depth = xmlTextReaderDepth(r->xr);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE)
			return fail(r, err, errlen, N_("carries a DTD (<!DOCTYPE>): refused, packages have none "
				"and its entities could expand without bound"));
		if (type == XML_READER_TYPE_ENTITY_REFERENCE)
			return fail(r, err, errlen, N_("uses an entity reference: refused"));
		if (type == XML_READER_TYPE_END_ELEMENT && depth == 1 && in_row)
			return finish_row(r, row, err, errlen);
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		const char *name = (const char *)xmlTextReaderConstLocalName(r->xr);
		if (depth == 0) {
			if (check_root(r, err, errlen) != 0)
				return -1;
		} else if (depth == 1) {
			r->rows++;
			if (strcmp(name, r->t->name) != 0 || !in_ns(r))
				return fail(r, err, errlen, N_("row %ld: element «%s», expected «%s»"), r->rows, name,
					r->t->name);
			if (xmlTextReaderIsEmptyElement(r->xr))
				return finish_row(r, row, err, errlen);
			in_row = true;
		} else if (depth == 2 && in_row) {
			if (take_column(r, err, errlen) != 0)
				return -1;
		} else {
			return fail(r, err, errlen, N_("row %ld: «%s» nested too deep"), r->rows, name);
		}
	}
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
