/* kt_gds_write: a GIADBSet package written as a .zip (kt_gds_write.h). Each table is one
 * entry, deflated as its rows are made: libzip pulls the table's XML from a source function
 * (zip_source_function) that asks the caller for rows until it has the bytes it wants, so
 * the XML of a table is never whole, in memory or on disk, and a table of any length costs
 * one row of memory. A table is deflated into an archive of its own (TABLE.zip, one entry)
 * in a private folder made beside the package (mkdtemp, 0700: the rows are personal data),
 * by the thread that fills it, so two tables can be made side by side; at the end the
 * entries are copied, still deflated, into the package's archive in the tables' order,
 * which is renamed over the package's path. The folder is removed on every path out.
 *
 * The XML goes through libxml2's output buffer (xmlOutputBuffer), a row at a time: the
 * markup is the fixed names of the schema's tables and columns, and every value goes
 * through libxml2's escaping (xmlEncodeSpecialChars), so the bytes are those xmlTextWriter
 * wrote, without its allocations per element (a value with nothing to escape is copied as
 * it is). A row is put together in a buffer of the file's and handed over in one write.
 *
 * Invariant: a row reaches the file only when every value passed its column's check and is
 * well-formed UTF-8 without characters XML 1.0 cannot carry. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libxml/encoding.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <zip.h>

#include "kt_gds_write.h"
#include "kt_i18n.h"

#define MAX_TABLES 32

struct kt_gds_file {
	struct kt_gds_write *w;
	const struct kt_gds_table *t;
	xmlOutputBufferPtr out; /* NULL once the root is closed */
	long rows;
	int i; /* its place in w */
	bool filled;
	time_t mtime;
	/* the XML made and not yet taken by libzip: pend[poff, plen) */
	char *pend;
	size_t poff, plen, pcap;
	/* the row being put together */
	char *row;
	size_t rlen, rcap;
	bool rfail; /* out of memory for it */
	kt_gds_rows_fn next;
	void *ctx;
	bool failed;    /* next failed: its words are in err */
	char err[512];
	zip_error_t zerr; /* what the source says to libzip */
};

struct kt_gds_write {
	char *path; /* the package */
	char *dir;  /* the private folder beside it */
	int ntables;
	const char *tables[MAX_TABLES];
	struct kt_gds_file *files[MAX_TABLES];
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* DIR/NAME in buf. */
static const char *in_dir(const struct kt_gds_write *w, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", w->dir, name);
	return buf;
}

struct kt_gds_write *kt_gds_write_open(const char *path, char *err, size_t errlen)
{
	struct kt_gds_write *w = calloc(1, sizeof *w);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	size_t need = dlen + strlen(base) + 32;
	if (!w || !(w->path = strdup(path)) || !(w->dir = malloc(need))) {
		kt_gds_write_abort(w);
		fail(err, errlen, _("out of memory"));
		return NULL;
	}
	if (!*base) {
		fail(err, errlen, _("cannot write package '%s': the path names a folder, not a file"), path);
		kt_gds_write_abort(w);
		return NULL;
	}
	snprintf(w->dir, need, "%.*s.%s.tmp-XXXXXX", (int)dlen, path, base);
	if (!mkdtemp(w->dir)) {
		fail(err, errlen, _("cannot create '%s': %s"), w->dir, strerror(errno));
		free(w->dir);
		w->dir = NULL;
		kt_gds_write_abort(w);
		return NULL;
	}
	return w;
}

/* Appends n bytes of s to f's file; -1 when the buffer failed (now or before). */
static int put(struct kt_gds_file *f, const char *s, size_t n)
{
	return xmlOutputBufferWrite(f->out, (int)n, s) < 0 ? -1 : 0;
}

#define PUT_LIT(f, lit) put(f, lit, sizeof lit - 1)

/* The XML declaration and the root's start tag, open: ">" comes with the first row. */
#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GIADBSet xmlns=\"" KT_GDS_NS "\""

/* Ends f's XML: closes the root element (an empty one as such) and the output buffer. */
static int end_table(struct kt_gds_file *f, char *err, size_t errlen)
{
	int rc = f->rows ? PUT_LIT(f, "\n</GIADBSet>\n") : PUT_LIT(f, "/>\n");
	if (xmlOutputBufferClose(f->out) < 0) /* flushes into pend */
		rc = -1;
	f->out = NULL;
	return rc < 0 ? fail(err, errlen, _("cannot write %s.xml: %s"), f->t->name,
		_("out of memory")) : 0;
}

static void file_free(struct kt_gds_file *f)
{
	if (!f)
		return;
	if (f->out)
		xmlOutputBufferClose(f->out);
	zip_error_fini(&f->zerr);
	free(f->pend);
	free(f->row);
	free(f);
}

/* n bytes of s after the *len of *buf (*cap, doubled from first as needed); -1 when out of
 * memory. */
static int append(char **buf, size_t *len, size_t *cap, size_t first, const char *s, size_t n)
{
	if (*len + n > *cap) {
		size_t c = *cap ? *cap : first;
		while (c < *len + n)
			c *= 2;
		char *p = realloc(*buf, c);
		if (!p)
			return -1;
		*buf = p;
		*cap = c;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	return 0;
}

/* The output buffer's sink: the bytes join pend. */
static int pend_write(void *ctx, const char *buf, int len)
{
	struct kt_gds_file *f = ctx;
	return append(&f->pend, &f->plen, &f->pcap, 1 << 16, buf, (size_t)len) == 0 ? len : -1;
}

static int pend_close(void *ctx)
{
	(void)ctx;
	return 0;
}

struct kt_gds_file *kt_gds_write_table(struct kt_gds_write *w, const struct kt_gds_table *t,
	char *err, size_t errlen)
{
	if (w->ntables == MAX_TABLES)
		return fail(err, errlen, _("too many tables in one package")), NULL;
	struct kt_gds_file *f = calloc(1, sizeof *f);
	xmlInitParser(); /* before any thread writes: libxml2's globals are set up once */
	if (!f || !(f->out = xmlOutputBufferCreateIO(pend_write, pend_close, f, NULL)) ||
	    PUT_LIT(f, HEAD) != 0) {
		file_free(f);
		return fail(err, errlen, _("out of memory")), NULL;
	}
	zip_error_init(&f->zerr);
	f->w = w;
	f->t = t;
	f->i = w->ntables++;
	f->mtime = time(NULL);
	w->tables[f->i] = t->name;
	w->files[f->i] = f;
	return f;
}

/* Whether v is UTF-8 that XML 1.0 can carry (no control characters but tab, LF, CR). */
static bool xml_text_ok(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	return xmlCheckUTF8((const xmlChar *)v) != 0;
}

/* Appends n bytes of s to the row being put together (rfail once out of memory). */
static void add(struct kt_gds_file *f, const char *s, size_t n)
{
	f->rfail |= append(&f->row, &f->rlen, &f->rcap, 4096, s, n) != 0;
}

#define ADD_LIT(f, lit) add(f, lit, sizeof lit - 1)

/* <name>v</name>, v escaped as xmlTextWriter escapes text: & < > " and CR. */
static void element(struct kt_gds_file *f, const char *name, const char *v)
{
	size_t n = strlen(name);
	ADD_LIT(f, "<");
	add(f, name, n);
	ADD_LIT(f, ">");
	size_t plain = strcspn(v, "&<>\"\r");
	if (!v[plain]) {
		add(f, v, plain);
	} else {
		xmlChar *e = xmlEncodeSpecialChars(NULL, (const xmlChar *)v);
		if (e)
			add(f, (const char *)e, strlen((const char *)e));
		f->rfail |= !e;
		xmlFree(e);
	}
	ADD_LIT(f, "</");
	add(f, name, n);
	ADD_LIT(f, ">");
}

int kt_gds_file_row(struct kt_gds_file *f, const char *const *val, int nextra,
	const char *const *xname, const char *const *xval, char *err, size_t errlen)
{
	const struct kt_gds_table *t = f->t;
	long row = f->rows + 1;
	for (int i = 0; i < t->ncols; i++) {
		const struct kt_gds_col *c = &t->cols[i];
		if (!val[i]) {
			if (c->required)
				return fail(err, errlen, _("%s.xml: row %ld: «%s» is required and karta has no "
					"value for it"), t->name, row, c->name);
			continue;
		}
		const char *msg = !xml_text_ok(val[i]) ? N_("is not text XML can carry")
			: kt_gds_check(c, val[i]);
		if (msg)
			return fail(err, errlen, _("%s.xml: row %ld: «%s» %s"), t->name, row, c->name, _(msg));
	}
	for (int i = 0; i < nextra; i++) {
		if (xmlValidateNCName((const xmlChar *)xname[i], 0) != 0 || kt_gds_col(t, xname[i]) >= 0)
			return fail(err, errlen, _("%s.xml: row %ld: kept column %d has a name that is not "
				"an XML element name of its own"), t->name, row, i + 1);
		if (!xml_text_ok(xval[i]))
			return fail(err, errlen, _("%s.xml: row %ld: «%s» is not text XML can carry"),
				t->name, row, xname[i]);
	}
	/* one row a line: no indentation inside (a tenth of the bytes), yet a person can page
	 * through the file and count rows with grep */
	size_t tn = strlen(t->name);
	f->rlen = 0;
	if (!f->rows)
		ADD_LIT(f, ">");
	ADD_LIT(f, "\n<");
	add(f, t->name, tn);
	int n = 0;
	for (int i = 0; i < t->ncols; i++)
		if (val[i]) {
			if (!n++)
				ADD_LIT(f, ">");
			element(f, t->cols[i].name, val[i]);
		}
	for (int i = 0; i < nextra; i++) {
		if (!n++)
			ADD_LIT(f, ">");
		element(f, xname[i], xval[i]);
	}
	if (n) {
		ADD_LIT(f, "</");
		add(f, t->name, tn);
		ADD_LIT(f, ">");
	} else {
		ADD_LIT(f, "/>");
	}
	if (f->rfail || put(f, f->row, f->rlen) != 0)
		return fail(err, errlen, _("cannot write %s.xml: %s"), t->name, _("out of memory"));
	f->rows = row;
	return 0;
}

long kt_gds_file_rows(const struct kt_gds_file *f)
{
	return f->rows;
}

static void zip_fail(zip_t *z, const char *what, char *err, size_t errlen)
{
	fail(err, errlen, _("cannot write the archive (%s): %s"), what, zip_strerror(z));
}

/* An archive at zpath made anew (flags ZIP_CREATE | ZIP_EXCL) or opened to read. */
static zip_t *zip_at(const char *zpath, int flags, char *err, size_t errlen)
{
	int zerr = 0;
	zip_t *z = zip_open(zpath, flags, &zerr);
	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		fail(err, errlen, _("cannot create '%s': %s"), zpath, zip_error_strerror(&ze));
		zip_error_fini(&ze);
	}
	return z;
}

/* DIR/TABLE.xml (or .zip) in buf. */
static const char *table_file(const struct kt_gds_write *w, int i, const char *ext, char *buf,
	size_t n)
{
	char name[300];
	snprintf(name, sizeof name, "%s.%s", w->tables[i], ext);
	return in_dir(w, name, buf, n);
}

/* libzip's read: rows are asked for until len bytes of XML are there or the table ended. */
static zip_int64_t produce(struct kt_gds_file *f, void *data, zip_uint64_t len)
{
	if (f->poff) { /* what libzip has not taken yet goes to the front */
		memmove(f->pend, f->pend + f->poff, f->plen - f->poff);
		f->plen -= f->poff;
		f->poff = 0;
	}
	while (f->plen < len && f->out) {
		int rc = f->next ? f->next(f->ctx, f, f->err, sizeof f->err) : 0;
		if (rc == 0)
			rc = end_table(f, f->err, sizeof f->err);
		if (rc < 0) {
			f->failed = true;
			zip_error_set(&f->zerr, ZIP_ER_READ, EIO);
			return -1;
		}
	}
	size_t n = f->plen < len ? f->plen : (size_t)len;
	memcpy(data, f->pend, n);
	f->poff = n;
	return (zip_int64_t)n;
}

/* The table as libzip's source: its XML is made while libzip reads it. */
static zip_int64_t source(void *ctx, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct kt_gds_file *f = ctx;
	switch (cmd) {
	case ZIP_SOURCE_OPEN:
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_READ:
		return produce(f, data, len);
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		zip_stat_init(st);
		st->mtime = f->mtime;
		st->valid |= ZIP_STAT_MTIME;
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&f->zerr, data, len);
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
			ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		zip_error_set(&f->zerr, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

int kt_gds_file_fill(struct kt_gds_file *f, kt_gds_rows_fn next, void *ctx, char *err,
	size_t errlen)
{
	char zpath[4096], name[300];
	if (f->filled)
		return fail(err, errlen, _("%s.xml is written already"), f->t->name);
	f->filled = true;
	f->next = next;
	f->ctx = ctx;
	snprintf(name, sizeof name, "%s.xml", f->t->name);
	zip_t *z = zip_at(table_file(f->w, f->i, "zip", zpath, sizeof zpath), ZIP_CREATE | ZIP_EXCL,
		err, errlen);
	if (!z)
		return -1;
	zip_source_t *src = zip_source_function(z, source, f);
	zip_int64_t idx = src ? zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8) : -1;
	if (idx < 0)
		zip_source_free(src);
	/* level 1: XML of repeated element names shrinks nearly as much, several times faster */
	if (idx < 0 || zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 1) != 0 ||
	    zip_close(z) != 0) {
		if (f->failed)
			snprintf(err, errlen, "%s", f->err);
		else
			zip_fail(z, name, err, errlen);
		zip_discard(z);
		return -1;
	}
	return 0;
}

/* The package's archive DIR/package.zip: each table's deflated entry copied in order. */
static int make_zip(struct kt_gds_write *w, const char *zpath, char *err, size_t errlen)
{
	zip_t *z = zip_at(zpath, ZIP_CREATE | ZIP_EXCL, err, errlen), *part[MAX_TABLES] = {0};
	int rc = z ? 0 : -1;
	for (int i = 0; rc == 0 && i < w->ntables; i++) {
		char file[4096], name[300];
		snprintf(name, sizeof name, "%s.xml", w->tables[i]);
		if (!(part[i] = zip_at(table_file(w, i, "zip", file, sizeof file), ZIP_RDONLY, err,
			errlen))) {
			rc = -1;
			break;
		}
		/* ZIP_FL_COMPRESSED: the deflated bytes as they are, not inflated and deflated again */
		zip_source_t *src = zip_source_zip(z, part[i], 0, ZIP_FL_COMPRESSED, 0, -1);
		if (!src || zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(src);
			zip_fail(z, name, err, errlen);
			rc = -1;
		}
	}
	if (rc == 0 && zip_close(z) != 0) {
		zip_fail(z, _("closing"), err, errlen);
		rc = -1;
	}
	if (rc != 0 && z)
		zip_discard(z);
	for (int i = 0; i < w->ntables; i++)
		if (part[i])
			zip_discard(part[i]);
	return rc;
}

int kt_gds_write_finish(struct kt_gds_write *w, char *err, size_t errlen)
{
	char zpath[4096];
	int rc = 0;
	for (int i = 0; rc == 0 && i < w->ntables; i++)
		if (!w->files[i]->filled) /* a table nobody filled: no rows */
			rc = kt_gds_file_fill(w->files[i], NULL, NULL, err, errlen);
	if (rc == 0)
		rc = make_zip(w, in_dir(w, "package.zip", zpath, sizeof zpath), err, errlen);
	if (rc == 0 && chmod(zpath, 0600) != 0)
		rc = fail(err, errlen, _("cannot set the mode of '%s': %s"), zpath, strerror(errno));
	if (rc == 0 && rename(zpath, w->path) != 0)
		rc = fail(err, errlen, _("cannot rename '%s' to '%s': %s"), zpath, w->path, strerror(errno));
	kt_gds_write_abort(w);
	return rc;
}

void kt_gds_write_abort(struct kt_gds_write *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->ntables; i++)
		file_free(w->files[i]);
	if (w->dir) {
		char file[4096];
		for (int i = 0; i < w->ntables; i++)
			unlink(table_file(w, i, "zip", file, sizeof file));
		unlink(in_dir(w, "package.zip", file, sizeof file));
		rmdir(w->dir);
	}
	free(w->dir);
	free(w->path);
	free(w);
}
