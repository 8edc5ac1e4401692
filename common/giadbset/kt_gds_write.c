/* kt_gds_write: a GIADBSet package written as a .zip (kt_gds_write.h). Each table is streamed
 * by xmlTextWriter into its own file in a private folder made beside the package (mkdtemp,
 * 0700: the rows are personal data), so a table of any length costs one row of memory; at
 * the end libzip deflates the files into an archive in the same folder, which is renamed
 * over the package's path. The folder is removed on every path out.
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
#include <unistd.h>
#include <libxml/encoding.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <zip.h>

#include "kt_gds_write.h"
#include "kt_i18n.h"

#define MAX_TABLES 32

struct kt_gds_write {
	char *path;     /* the package */
	char *dir;      /* the private folder beside it */
	const struct kt_gds_table *t; /* the table being written */
	xmlTextWriterPtr xw;
	long rows;
	int ntables;
	const char *tables[MAX_TABLES];
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

/* Ends the current table's file: closes the root element and the document. */
static int end_table(struct kt_gds_write *w, char *err, size_t errlen)
{
	if (!w->xw)
		return 0;
	int rc = w->rows ? xmlTextWriterWriteRaw(w->xw, (const xmlChar *)"\n") : 0;
	if (rc >= 0)
		rc = xmlTextWriterEndDocument(w->xw);
	xmlFreeTextWriter(w->xw); /* flushes and closes the file */
	w->xw = NULL;
	return rc < 0 ? fail(err, errlen, _("cannot write %s.xml: %s"), w->t->name,
		errno ? strerror(errno) : _("the XML writer failed")) : 0;
}

int kt_gds_write_table(struct kt_gds_write *w, const struct kt_gds_table *t, char *err,
	size_t errlen)
{
	if (end_table(w, err, errlen) != 0)
		return -1;
	if (w->ntables == MAX_TABLES)
		return fail(err, errlen, _("too many tables in one package"));
	char file[4096], name[300];
	snprintf(name, sizeof name, "%s.xml", t->name);
	errno = 0;
	w->xw = xmlNewTextWriterFilename(in_dir(w, name, file, sizeof file), 0);
	if (!w->xw)
		return fail(err, errlen, _("cannot create '%s': %s"), file,
			errno ? strerror(errno) : _("the XML writer failed"));
	w->t = t;
	w->rows = 0;
	w->tables[w->ntables++] = t->name;
	if (xmlTextWriterStartDocument(w->xw, "1.0", "utf-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(w->xw, NULL, (const xmlChar *)"GIADBSet",
		(const xmlChar *)KT_GDS_NS) < 0)
		return fail(err, errlen, _("cannot write '%s': %s"), file,
			errno ? strerror(errno) : _("the XML writer failed"));
	return 0;
}

/* Whether v is UTF-8 that XML 1.0 can carry (no control characters but tab, LF, CR). */
static bool xml_text_ok(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	return xmlCheckUTF8((const xmlChar *)v) != 0;
}

static int element(struct kt_gds_write *w, const char *name, const char *v)
{
	return xmlTextWriterWriteElement(w->xw, (const xmlChar *)name, (const xmlChar *)v);
}

int kt_gds_write_row(struct kt_gds_write *w, const char *const *val, int nextra,
	const char *const *xname, const char *const *xval, char *err, size_t errlen)
{
	const struct kt_gds_table *t = w->t;
	long row = w->rows + 1;
	if (!w->xw)
		return fail(err, errlen, _("a row written before its table"));
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
	int rc = xmlTextWriterWriteRaw(w->xw, (const xmlChar *)"\n");
	if (rc >= 0)
		rc = xmlTextWriterStartElement(w->xw, (const xmlChar *)t->name);
	for (int i = 0; rc >= 0 && i < t->ncols; i++)
		if (val[i])
			rc = element(w, t->cols[i].name, val[i]);
	for (int i = 0; rc >= 0 && i < nextra; i++)
		rc = element(w, xname[i], xval[i]);
	if (rc < 0 || xmlTextWriterEndElement(w->xw) < 0)
		return fail(err, errlen, _("cannot write %s.xml: %s"), t->name,
			errno ? strerror(errno) : _("the XML writer failed"));
	w->rows = row;
	return 0;
}

long kt_gds_write_rows(const struct kt_gds_write *w)
{
	return w->rows;
}

static void zip_fail(zip_t *z, const char *what, char *err, size_t errlen)
{
	fail(err, errlen, _("cannot write the archive (%s): %s"), what, zip_strerror(z));
}

/* Deflates the table files into DIR/package.zip. */
static int make_zip(struct kt_gds_write *w, const char *zpath, char *err, size_t errlen)
{
	int zerr = 0;
	zip_t *z = zip_open(zpath, ZIP_CREATE | ZIP_EXCL, &zerr);
	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		fail(err, errlen, _("cannot create '%s': %s"), zpath, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	for (int i = 0; i < w->ntables; i++) {
		char name[300], file[4096];
		snprintf(name, sizeof name, "%s.xml", w->tables[i]);
		zip_source_t *src = zip_source_file(z, in_dir(w, name, file, sizeof file), 0, -1);
		zip_int64_t idx = src ? zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			zip_source_free(src);
			zip_fail(z, name, err, errlen);
			zip_discard(z);
			return -1;
		}
		/* level 1: XML of repeated element names shrinks nearly as much, several times faster */
		if (zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 1) != 0) {
			zip_fail(z, name, err, errlen);
			zip_discard(z);
			return -1;
		}
	}
	if (zip_close(z) != 0) {
		zip_fail(z, _("closing"), err, errlen);
		zip_discard(z);
		return -1;
	}
	return 0;
}

int kt_gds_write_finish(struct kt_gds_write *w, char *err, size_t errlen)
{
	char zpath[4096];
	int rc = end_table(w, err, errlen);
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
	if (w->xw)
		xmlFreeTextWriter(w->xw);
	if (w->dir) {
		char file[4096], name[300];
		for (int i = 0; i < w->ntables; i++) {
			snprintf(name, sizeof name, "%s.xml", w->tables[i]);
			unlink(in_dir(w, name, file, sizeof file));
		}
		unlink(in_dir(w, "package.zip", file, sizeof file));
		rmdir(w->dir);
	}
	free(w->dir);
	free(w->path);
	free(w);
}
