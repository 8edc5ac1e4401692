/* cmd_print: `karta print FORM … -o FILE.pdf` (see print.h; the table of forms: commands.c): what
 * each form command does before it draws — the replica pulled and loaded, the exam and
 * the exam point resolved, the point checked to be this organization's — and after: the
 * file rendered whole or not at all, one line saying where it went. */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "exam_refs.h"
#include "opts.h"
#include "print.h"
#include "replica.h"
#include "report_cmds.h"
#include "sync.h"
#include "kt_i18n.h"

int print_begin(struct print_ctx *p, struct client *cl, unsigned mask, const char *school)
{
	memset(p, 0, sizeof *p);
	p->cl = cl;
	struct replica *r = client_replica(cl);
	if (!r)
		return EXIT_RUNTIME;
	if (sync_connect(cl, true)) {
		struct sync_report rep = {0};
		if (sync_pull(cl, false, &rep) != 0)
			return EXIT_RUNTIME;
	}
	char err[512];
	if (pdata_load(&p->d, r, mask, school, err, sizeof err) != 0) {
		fprintf(stderr, "karta: %s\n", err);
		pdata_free(&p->d);
		return EXIT_RUNTIME;
	}
	p->loaded = true;
	p->d.own_level = report_device_level(cl, false, p->d.own, sizeof p->d.own);
	return EXIT_OK;
}

void print_end(struct print_ctx *p)
{
	if (p->loaded)
		pdata_free(&p->d);
	p->loaded = false;
}

const struct prow *print_exam(struct print_ctx *p, const char *ref)
{
	char id[EXAM_ID_LEN];
	if (exam_ref_exam(p->d.rep, ref, id) != EXIT_OK)
		return NULL;
	const struct prow *e = pdata_find(&p->d.exams, id);
	if (!e)
		fprintf(stderr, _("karta: no exam %s in the local replica (run 'karta sync')\n"), ref);
	return e;
}

const struct prow *print_point(struct print_ctx *p, const char *code, const char *form)
{
	const struct prow *pt = pdata_point(&p->d, code);
	bool school = p->d.own_level == KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL;
	if (pt && !school)
		return pt;
	if (school)
		fprintf(stderr, _("karta: cannot print %s: a school does not plan exam points; the "
				"municipality prints the forms of its points\n"), form);
	else
		fprintf(stderr, _("karta: cannot print %s for exam point %s: it is not an exam point "
				"of %s (a municipality prints only its own points: their people are "
				"not another organization's to read)\n"),
			form, code, *p->d.own ? p->d.own : "this organization");
	return NULL;
}

int print_begin_point(struct print_ctx *p, struct client *cl, unsigned mask,
	const char *exam_ref, const char *point_code, const char *form, const struct prow **exam,
	const struct prow **point)
{
	*exam = *point = NULL;
	int rc = print_begin(p, cl, mask | PD_EXAMS | PD_POINTS, NULL);
	if (rc != EXIT_OK)
		return rc;
	if (!(*exam = print_exam(p, exam_ref)) || !(*point = print_point(p, point_code, form)))
		return EXIT_RUNTIME;
	return EXIT_OK;
}

int print_write(const char *path, const struct pdoc_spec *spec, pdoc_draw_fn draw, void *arg)
{
	char err[512];
	int pages;
	if (pdoc_render(path, spec, draw, arg, &pages, err, sizeof err) != 0) {
		fprintf(stderr, "karta: %s\n", err);
		return EXIT_RUNTIME;
	}
	printf("%s: %d стр. → %s\n", spec->form, pages, path);
	return EXIT_OK;
}

/* One UTF-8 character of s folded for sorting: Cyrillic upper → lower, ё/Ё → е. */
const char *print_name_key(const char *s, char *buf, size_t n)
{
	size_t o = 0;
	for (const unsigned char *c = (const unsigned char *)s; *c && o + 3 < n;) {
		if (c[0] == 0xD0 && c[1] >= 0x90 && c[1] <= 0x9F) { /* А..П → а..п */
			buf[o++] = (char)0xD0;
			buf[o++] = (char)(c[1] + 0x20);
			c += 2;
		} else if (c[0] == 0xD0 && c[1] >= 0xA0 && c[1] <= 0xAF) { /* Р..Я → р..я */
			buf[o++] = (char)0xD1;
			buf[o++] = (char)(c[1] - 0x20);
			c += 2;
		} else if ((c[0] == 0xD0 && c[1] == 0x81) || (c[0] == 0xD1 && c[1] == 0x91)) {
			buf[o++] = (char)0xD0; /* Ё, ё → е */
			buf[o++] = (char)0xB5;
			c += 2;
		} else {
			buf[o++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
			c++;
		}
	}
	buf[o] = '\0';
	return buf;
}
