/* kt_import_docx_style: paragraph styles (word/styles.xml), for what a paragraph gets
 * from its style rather than from itself: list numbering (a style's w:numPr — headings
 * numbered «1.», «1.1.» by the style) and being a heading (a style named «heading N»,
 * «Title», «Заголовок N», or with an outline level). A style inherits from the style it
 * is based on (w:basedOn), followed at most KT_STYLE_DEPTH steps, so a loop in the file
 * ends. Invariant: lookups are bounded by the number of styles (at most KT_STYLE_MAX). */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

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

struct kt_docx_styles *kt_docx_styles_new(const char *xml, size_t len, struct kt_import_err *err)
{
	static const char *const name = "word/styles.xml";
	struct kt_docx_styles *st = calloc(1, sizeof *st);
	if (!st || !(st->v = calloc(KT_STYLE_MAX, sizeof *st->v))) {
		kt_docx_styles_free(st);
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		return NULL;
	}
	if (!xml)
		return st;
	void *x = kt_docx_xml_reader(xml, len, name);
	if (!x) {
		kt_docx_styles_free(st);
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		return NULL;
	}
	struct style *s = NULL;
	int rc;
	while ((rc = kt_docx_xml_next(x, name, err)) > 0) {
		if (kt_docx_xml_type(x) != XML_READER_TYPE_ELEMENT)
			continue;
		const char *ln = kt_docx_xml_name(x);
		char *v = NULL;
		if (strcmp(ln, "style") == 0) {
			char *type = kt_docx_xml_attr(x, "type");
			v = kt_docx_xml_attr(x, "styleId");
			s = NULL;
			if (v && (!type || strcmp(type, "paragraph") == 0) && st->n < KT_STYLE_MAX) {
				s = &st->v[st->n++];
				snprintf(s->id, sizeof s->id, "%s", v);
				s->num_id = -1;
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
	kt_docx_xml_free(x);
	if (rc < 0) {
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
