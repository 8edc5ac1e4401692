/* kt_gds_pkg: a GIADBSet package as a set of byte streams, one per table file — from a
 * folder or from a .zip (libzip). Nothing is unpacked to disk and nothing is read whole:
 * kt_gds_read.c pulls bytes through kt_gds_src_read as libxml2's reader asks for them.
 *
 * Invariant: no stream ever yields more than the limit of one file, and a ZIP member never
 * yields more than its header announced (the inflated size is counted while reading, so a
 * member that lies about its size — a zip bomb — stops at the lie). A ZIP whose entry names
 * climb out of the archive ("../", absolute paths) is refused as a whole. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "kt_gds_int.h"
#include "kt_i18n.h"

struct kt_gds_pkg {
	char *path;
	zip_t *zip; /* NULL: a folder */
	struct kt_gds_limits lim;
};

void kt_gds_limits_default(struct kt_gds_limits *l)
{
	l->max_file_bytes = (size_t)2 << 30; /* 2 GiB: a region's registrations fit many times */
	l->max_value_bytes = 64 << 10;
	l->max_unknown = 32;
}

/* Whether an archive entry's name stays inside the archive. */
static bool entry_name_safe(const char *n)
{
	if (n[0] == '/' || n[0] == '\\' || strchr(n, ':'))
		return false;
	for (const char *p = n; *p;) {
		size_t k = strcspn(p, "/\\");
		if (k == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += k;
		if (*p)
			p++;
	}
	return true;
}

struct kt_gds_pkg *kt_gds_pkg_open(const char *path, const struct kt_gds_limits *lim, char *err,
	size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, _("cannot open package '%s': %s"), path, strerror(errno));
		return NULL;
	}
	struct kt_gds_pkg *p = calloc(1, sizeof *p);
	if (!p || !(p->path = strdup(path))) {
		free(p);
		snprintf(err, errlen, _("out of memory"));
		return NULL;
	}
	if (lim)
		p->lim = *lim;
	else
		kt_gds_limits_default(&p->lim);
	if (S_ISDIR(st.st_mode))
		return p;
	int zerr = 0;
	p->zip = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	if (!p->zip) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		snprintf(err, errlen, _("package '%s' is neither a folder nor a ZIP archive (%s)"), path,
			zip_error_strerror(&ze));
		zip_error_fini(&ze);
		kt_gds_pkg_free(p);
		return NULL;
	}
	zip_int64_t n = zip_get_num_entries(p->zip, 0);
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(p->zip, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);
		if (!name || !entry_name_safe(name)) {
			snprintf(err, errlen, _("package '%s': entry %lld has a name that leaves the "
				"archive ('../' or an absolute path): refused"), path, (long long)i + 1);
			kt_gds_pkg_free(p);
			return NULL;
		}
	}
	return p;
}

void kt_gds_pkg_free(struct kt_gds_pkg *p)
{
	if (!p)
		return;
	if (p->zip)
		zip_discard(p->zip);
	free(p->path);
	free(p);
}

const struct kt_gds_limits *kt_gds_pkg_limits(const struct kt_gds_pkg *p) { return &p->lim; }

/* Whether NAME (a path's last part) is TABLE.xml, the extension in any case. */
static bool is_table_file(const char *name, const char *table)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	size_t n = strlen(table);
	return strncmp(base, table, n) == 0 && strcasecmp(base + n, ".xml") == 0;
}

/* The folder entry or ZIP index of the table's file: 0 found, 1 none, -1 ambiguous. */
static int find_member(struct kt_gds_pkg *p, const char *table, char *path_out, size_t cap,
	zip_int64_t *index)
{
	int found = 0;
	if (p->zip) {
		zip_int64_t n = zip_get_num_entries(p->zip, 0);
		for (zip_int64_t i = 0; i < n; i++) {
			const char *name = zip_get_name(p->zip, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);
			if (name && is_table_file(name, table)) {
				*index = i;
				snprintf(path_out, cap, "%s", name);
				found++;
			}
		}
	} else {
		DIR *d = opendir(p->path);
		if (!d)
			return 1;
		struct dirent *e;
		while ((e = readdir(d)))
			if (is_table_file(e->d_name, table)) {
				snprintf(path_out, cap, "%s", e->d_name);
				found++;
			}
		closedir(d);
	}
	return found == 0 ? 1 : found == 1 ? 0 : -1;
}

bool kt_gds_pkg_has(struct kt_gds_pkg *p, const char *table)
{
	char name[512];
	zip_int64_t i;
	return find_member(p, table, name, sizeof name, &i) == 0;
}

struct kt_gds_src {
	int fd;
	zip_file_t *zf;
	size_t got, limit;
	bool too_big;
	char name[512];
};

struct kt_gds_src *kt_gds_src_open(struct kt_gds_pkg *p, const char *table, char *err,
	size_t errlen)
{
	char name[512];
	zip_int64_t idx = -1;
	int f = find_member(p, table, name, sizeof name, &idx);
	if (f != 0) {
		snprintf(err, errlen, f > 0 ? _("package '%s' has no %s.xml") :
			_("package '%s' holds more than one %s.xml"), p->path, table);
		return NULL;
	}
	struct kt_gds_src *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, _("out of memory"));
		return NULL;
	}
	s->fd = -1;
	s->limit = p->lim.max_file_bytes;
	snprintf(s->name, sizeof s->name, "%s", name);
	if (p->zip) {
		zip_stat_t zs;
		if (zip_stat_index(p->zip, (zip_uint64_t)idx, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE)) {
			snprintf(err, errlen, _("%s: cannot read its size in the archive"), name);
			free(s);
			return NULL;
		}
		if (zs.size > s->limit) {
			snprintf(err, errlen, _("%s: %llu bytes inflated, over the limit of %zu"), name,
				(unsigned long long)zs.size, s->limit);
			free(s);
			return NULL;
		}
		s->limit = (size_t)zs.size; /* never more than the header says */
		s->zf = zip_fopen_index(p->zip, (zip_uint64_t)idx, 0);
		if (!s->zf) {
			snprintf(err, errlen, _("%s: cannot open it in the archive: %s"), name,
				zip_strerror(p->zip));
			free(s);
			return NULL;
		}
		return s;
	}
	char full[1024];
	snprintf(full, sizeof full, "%s/%s", p->path, name);
	s->fd = open(full, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (s->fd < 0 || fstat(s->fd, &st) != 0) {
		snprintf(err, errlen, _("cannot open '%s': %s"), full, strerror(errno));
		kt_gds_src_close(s);
		return NULL;
	}
	if ((size_t)st.st_size > s->limit) {
		snprintf(err, errlen, _("%s: %lld bytes, over the limit of %zu"), name,
			(long long)st.st_size, s->limit);
		kt_gds_src_close(s);
		return NULL;
	}
	return s;
}

const char *kt_gds_src_name(const struct kt_gds_src *s) { return s->name; }
bool kt_gds_src_too_big(const struct kt_gds_src *s) { return s->too_big; }

int kt_gds_src_read(void *ctx, char *buf, int len)
{
	struct kt_gds_src *s = ctx;
	if (len <= 0)
		return 0;
	ssize_t n = s->zf ? (ssize_t)zip_fread(s->zf, buf, (zip_uint64_t)len) : read(s->fd, buf, (size_t)len);
	if (n < 0)
		return -1;
	s->got += (size_t)n;
	if (s->got > s->limit) {
		s->too_big = true;
		return -1;
	}
	return (int)n;
}

void kt_gds_src_close(struct kt_gds_src *s)
{
	if (!s)
		return;
	if (s->zf)
		zip_fclose(s->zf);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}
