/* kt_import: the public entry points. Reads the file (size checked before reading), then
 * runs the pipeline text -> layout -> abbreviations -> build -> metadata -> deadlines and
 * hands back a plan or a reason. Deadlines are parsed here with kt_deadline_parse() once
 * the academic year is known, and years outside it are warned about (kept as written). Invariant: on failure nothing is returned and everything
 * allocated on the way is freed; on success warnings are in line order. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kt_import_int.h"
#include "kt_i18n.h"

/* Years written in a deadline that fall outside the plan's academic year. */
static void check_years(struct kt_ctx *c, const struct kt_import_item *it)
{
	int y1 = c->plan->doc.year_first;
	for (const char *p = it->deadline_text; y1 && *p; p++) {
		if (!((p[0] == '1' && p[1] == '9') || (p[0] == '2' && p[1] == '0')))
			continue;
		if (p > it->deadline_text && p[-1] >= '0' && p[-1] <= '9')
			continue;
		char *e;
		long y = strtol(p, &e, 10);
		if (e - p != 4)
			continue;
		if (y < y1 || y > y1 + 1) {
			kt_warn(c, it->first_line, "deadline_year", _("deadline «%s» of item %s names %ld, "
				"outside the academic year %s"), it->deadline_text,
				it->number ? it->number : _("(unnumbered)"), y, c->plan->doc.academic_year);
			return;
		}
		p = e - 1;
	}
}

static void deadlines(struct kt_ctx *c)
{
	for (size_t s = 0; s < c->plan->n_sections; s++)
		for (size_t i = 0; i < c->plan->sections[s].n_items; i++) {
			struct kt_import_item *it = &c->plan->sections[s].items[i];
			if (!it->deadline_text)
				continue;
			it->has_deadline = kt_deadline_parse(it->deadline_text, c->plan->doc.year_first,
				&it->deadline) == 0;
			check_years(c, it);
		}
}

void kt_import_fail(struct kt_import_err *err, enum kt_import_errcode code, const char *fmt, ...)
{
	va_list ap;
	err->code = code;
	err->line = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

static void fail(struct kt_import_err *err, enum kt_import_errcode code, const char *msg)
{
	kt_import_fail(err, code, "%s", msg);
}

static int first_plan(int rc, struct kt_import_plan **plans, size_t n,
	struct kt_import_plan **out, struct kt_import_err *err);

int kt_import_parse_file(const char *path, struct kt_import_plan **out, struct kt_import_err *err)
{
	struct kt_import_plan **plans;
	size_t n;
	struct kt_import_err dummy;
	if (!err)
		err = &dummy;
	int rc = kt_import_parse_all(path, &plans, &n, err);
	return first_plan(rc, plans, n, out, err);
}

int kt_import_parse_all(const char *path, struct kt_import_plan ***plans, size_t *n,
	struct kt_import_err *err)
{
	return kt_import_file(path, true, plans, n, err);
}

int kt_import_file(const char *path, bool convert_doc, struct kt_import_plan ***plans,
	size_t *n, struct kt_import_err *err)
{
	struct kt_import_err dummy;
	if (!err)
		err = &dummy;
	memset(err, 0, sizeof *err);
	*plans = NULL;
	*n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(err, KT_IMPORT_EIO, strerror(errno));
		return -1;
	}
	unsigned char *buf = NULL;
	int rc = -1;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		fail(err, KT_IMPORT_EIO, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(err, KT_IMPORT_EIO, "not a regular file");
		goto out;
	}
	if ((unsigned long long)st.st_size > KT_IMPORT_MAX_BYTES) {
		err->code = KT_IMPORT_ETOOBIG;
		snprintf(err->msg, sizeof err->msg, _("file is too large (%lld bytes; the limit is %u MiB)"),
			(long long)st.st_size, KT_IMPORT_MAX_BYTES >> 20);
		goto out;
	}
	/* read up to the limit + 1 so a file that grows while we read is still refused */
	size_t cap = (size_t)st.st_size + 1, len = 0;
	if (!(buf = malloc(cap))) {
		fail(err, KT_IMPORT_ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		if (len == cap) {
			if (cap > KT_IMPORT_MAX_BYTES) {
				err->code = KT_IMPORT_ETOOBIG;
				snprintf(err->msg, sizeof err->msg, _("file is too large (over %u MiB)"),
					KT_IMPORT_MAX_BYTES >> 20);
				goto out;
			}
			size_t ncap = cap * 2 > (size_t)KT_IMPORT_MAX_BYTES + 1 ? (size_t)KT_IMPORT_MAX_BYTES + 1 : cap * 2;
			unsigned char *nb = realloc(buf, ncap);
			if (!nb) {
				fail(err, KT_IMPORT_ENOMEM, "out of memory");
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail(err, KT_IMPORT_EIO, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	const char *base = strrchr(path, '/');
	if (convert_doc && kt_import_is_doc(buf, len))
		rc = kt_import_doc_file(path, plans, n, err);
	else
		rc = kt_import_parse_buf_all(buf, len, base ? base + 1 : path, plans, n, err);
out:
	free(buf);
	close(fd);
	return rc;
}

static int warning_cmp(const struct kt_import_warning *a, const struct kt_import_warning *b)
{
	return (a->line > b->line) - (a->line < b->line);
}

/* Stable insertion sort: warnings arrive almost in order, and equal lines keep theirs. */
static void sort_warnings(struct kt_import_plan *p)
{
	for (size_t i = 1; i < p->n_warnings; i++) {
		struct kt_import_warning w = p->warnings[i];
		size_t k = i;
		while (k > 0 && warning_cmp(&p->warnings[k - 1], &w) > 0) {
			p->warnings[k] = p->warnings[k - 1];
			k--;
		}
		p->warnings[k] = w;
	}
}

static int fill_document(struct kt_ctx *c, const char *name)
{
	struct kt_import_document *d = &c->plan->doc;
	const struct kt_table *t = &c->table;
	d->source = name ? strdup(name) : NULL;
	d->encoding = strdup(c->text->encoding);
	d->layout = t->layout;
	d->header_line = t->header_line;
	d->table_last_line = t->last_line;
	d->truncated = t->truncated;
	d->dropped_header_rows = t->dropped;
	d->columns = calloc(t->ncols ? t->ncols : 1, sizeof *d->columns);
	if (!d->columns || !d->encoding || (name && !d->source))
		return -1;
	for (size_t i = 0; i < t->ncols; i++) {
		if (!(d->columns[i].text = strdup(t->head[i])))
			return -1;
		d->columns[i].role = t->roles[i];
		d->n_columns++;
	}
	return 0;
}

int kt_import_finish(struct kt_ctx *c, const char *name, struct kt_import_err *err)
{
	kt_meta_abbrevs(c);
	if (kt_build_plan(c) != 0) {
		if (!c->too_many)
			goto nomem;
		err->code = KT_IMPORT_ETOOBIG;
		snprintf(err->msg, sizeof err->msg, _("the table has more than %d items"),
			KT_IMPORT_MAX_ITEMS);
		return -1;
	}
	if (kt_import_item_count(c->plan) == 0) {
		err->code = KT_IMPORT_ENOTABLE;
		err->line = c->table.header_line;
		snprintf(err->msg, sizeof err->msg, _("the table under the header at line %d has no "
			"items"), c->table.header_line);
		return -1;
	}
	kt_meta_extract(c);
	deadlines(c);
	if (fill_document(c, name) != 0 || c->oom)
		goto nomem;
	sort_warnings(c->plan);
	return 0;
nomem:
	fail(err, KT_IMPORT_ENOMEM, "out of memory");
	return -1;
}

int kt_import_parse_loaded(struct kt_text *text, const char *name,
	struct kt_import_plan **out, struct kt_import_err *err)
{
	struct kt_ctx c;
	memset(&c, 0, sizeof c);
	*out = NULL;
	c.text = text;
	int rc = -1;
	if (!(c.plan = kt_plan_new()) || !(c.dict = kt_dict_build(text)))
		fail(err, KT_IMPORT_ENOMEM, "out of memory");
	else if (kt_layout_read(&c, err) == 0 && kt_import_finish(&c, name, err) == 0)
		rc = 0;
	if (rc == 0) {
		*out = c.plan;
		c.plan = NULL;
	}
	kt_import_plan_free(c.plan);
	kt_dict_free(c.dict);
	kt_table_release(&c.table);
	return rc;
}

int kt_import_parse_text(const void *buf, size_t len, const char *name,
	struct kt_import_plan **out, struct kt_import_err *err)
{
	struct kt_text text;
	*out = NULL;
	if (!buf && len) {
		fail(err, KT_IMPORT_EIO, "no input");
		return -1;
	}
	if (kt_text_load(&text, buf ? buf : "", len, err) != 0)
		return -1;
	int rc = kt_import_parse_loaded(&text, name, out, err);
	kt_text_release(&text);
	return rc;
}

static bool is_zip(const void *buf, size_t len)
{
	return buf && len >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0;
}

int kt_import_parse_buf_all(const void *buf, size_t len, const char *name,
	struct kt_import_plan ***plans, size_t *n, struct kt_import_err *err)
{
	struct kt_import_err dummy;
	if (!err)
		err = &dummy;
	memset(err, 0, sizeof *err);
	*plans = NULL;
	*n = 0;
	if (is_zip(buf, len))
		return kt_import_docx_buf(buf, len, name, plans, n, err);
	if (!buf && len) {
		fail(err, KT_IMPORT_EIO, "no input");
		return -1;
	}
	return kt_import_text_plans(buf ? buf : "", len, name, plans, n, err);
}

void kt_import_plans_free(struct kt_import_plan **plans, size_t n)
{
	for (size_t i = 0; plans && i < n; i++)
		kt_import_plan_free(plans[i]);
	free(plans);
}

/* The first plan of a document; a .docx with several says so in a warning. */
static int first_plan(int rc, struct kt_import_plan **plans, size_t n,
	struct kt_import_plan **out, struct kt_import_err *err)
{
	*out = NULL;
	if (rc != 0)
		return -1;
	*out = plans[0];
	plans[0] = NULL;
	if (n > 1) {
		struct kt_ctx c = {.plan = *out};
		kt_warn(&c, 0, "more_plans", _("the document holds %zu plans; this is the first "
			"(karta plan import --plan N picks another)"), n);
		if (c.oom) {
			kt_import_plan_free(*out);
			*out = NULL;
			kt_import_plans_free(plans, n);
			fail(err, KT_IMPORT_ENOMEM, "out of memory");
			return -1;
		}
	}
	kt_import_plans_free(plans, n);
	return 0;
}

int kt_import_parse_buf(const void *buf, size_t len, const char *name,
	struct kt_import_plan **out, struct kt_import_err *err)
{
	struct kt_import_plan **plans;
	size_t n;
	int rc = kt_import_parse_buf_all(buf, len, name, &plans, &n, err);
	return first_plan(rc, plans, n, out, err);
}
