/* kt_import_docx_style: paragraph styles (word/styles.xml), for what a paragraph gets
 * from its style rather than from itself: list numbering (a style's w:numPr — headings
 * numbered «1.», «1.1.» by the style) and being a heading (a style named «heading N»,
 * «Title», «Заголовок N», or with an outline level). A style inherits from the style it
 * is based on (w:basedOn), followed at most KT_STYLE_DEPTH steps, so a loop in the file
 * ends. Invariant: lookups are bounded by the number of styles (at most KT_STYLE_MAX). */
#include <stdlib.h>
#include <string.h>

#include "kt_import_docx_int.h"
#include "kt_i18n.h"

#define KT_STYLE_MAX 4096
#define KT_STYLE_DEPTH 10

struct style {
	char id[64], based[64];
	int num_id, ilvl; /* num_id -1: not set here; 0: numbering removed */
	bool heading;
};

struct kt_docx_styles {
	struct style *v;
	size_t n;
};

void kt_docx_styles_free(struct kt_docx_styles *st)
{
	if (st)
		free(st->v);
	free(st);
}

static bool heading_name(const char *v)
{
	return v && (kt_u8_casestarts(v, "heading") || kt_u8_casestarts(v, "title") ||
		kt_u8_casestarts(v, "заголовок"));
}

/* Reading styles.xml: the style whose elements come now (NULL: not a paragraph style). */
struct style_read {
	struct kt_docx_styles *st;
	struct style *s;
};

static void style_element(void *x, const char *ln, void *arg)
{
	struct style_read *r = arg;
	struct style *s = r->s;
	char *v = NULL;
	if (strcmp(ln, "style") == 0) {
		char *type = kt_docx_xml_attr(x, "type");
		v = kt_docx_xml_attr(x, "styleId");
		r->s = NULL;
		if (v && (!type || strcmp(type, "paragraph") == 0) && r->st->n < KT_STYLE_MAX) {
			r->s = &r->st->v[r->st->n++];
			snprintf(r->s->id, sizeof r->s->id, "%s", v);
			r->s->num_id = -1;
		}
		free(type);
	} else if (s && strcmp(ln, "name") == 0) {
		v = kt_docx_xml_attr(x, "val");
		s->heading |= heading_name(v);
	} else if (s && strcmp(ln, "basedOn") == 0) {
		v = kt_docx_xml_attr(x, "val");
		if (v)
			snprintf(s->based, sizeof s->based, "%s", v);
	} else if (s && strcmp(ln, "numId") == 0) {
		v = kt_docx_xml_attr(x, "val");
		s->num_id = v ? atoi(v) : -1;
	} else if (s && strcmp(ln, "ilvl") == 0) {
		v = kt_docx_xml_attr(x, "val");
		s->ilvl = v ? atoi(v) : 0;
	} else if (s && strcmp(ln, "outlineLvl") == 0) {
		v = kt_docx_xml_attr(x, "val");
		s->heading |= v && atoi(v) < 9;
	}
	free(v);
}

struct kt_docx_styles *kt_docx_styles_new(const char *xml, size_t len, struct kt_import_err *err)
{
	struct kt_docx_styles *st = calloc(1, sizeof *st);
	if (!st || !(st->v = calloc(KT_STYLE_MAX, sizeof *st->v))) {
		kt_docx_styles_free(st);
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		return NULL;
	}
	struct style_read r = {st, NULL};
	if (kt_docx_xml_elements(xml, len, "word/styles.xml", style_element, &r, err) != 0) {
		kt_docx_styles_free(st);
		return NULL;
	}
	return st;
}

static const struct style *find(const struct kt_docx_styles *st, const char *id)
{
	for (size_t i = 0; id && id[0] && i < st->n; i++)
		if (strcmp(st->v[i].id, id) == 0)
			return &st->v[i];
	return NULL;
}

void kt_docx_style_of(const struct kt_docx_styles *st, const char *id, int *num_id, int *ilvl,
	bool *heading)
{
	*num_id = 0;
	*ilvl = 0;
	*heading = false;
	bool num_found = false;
	const struct style *s = st ? find(st, id) : NULL;
	for (int depth = 0; s && depth < KT_STYLE_DEPTH; depth++) {
		*heading |= s->heading;
		if (!num_found && s->num_id >= 0) {
			*num_id = s->num_id;
			*ilvl = s->ilvl;
			num_found = true;
		}
		s = find(st, s->based);
	}
}
