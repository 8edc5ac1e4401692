/* kt_import_docx: the Word reader. The .docx of each seed (tests/fixtures/docx, made by
 * make_docx.py) gives the same plan as the seed's text — every item's fields, sections,
 * abbreviations, metadata; two plans in one file are two plans; the made-up shapes of the
 * unseen roadmaps match their golden extraction, as .docx and as text; numbering formats; the table rules
 * (spans, vertical merges, section hints, repeated headers, nested tables, deleted text)
 * on small documents written here; hostile archives and XML refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../kt_unit.h"
#include <zip.h>

#include "kt_import.h"
#include "kt_import_docx_int.h"

static const char *fixture(const char *name)
{
	static char path[1024];
	const char *src = getenv("KT_SRC");
	snprintf(path, sizeof path, "%s/tests/fixtures/%s", src && *src ? src : ".", name);
	return path;
}

static struct kt_import_plan **parse_all(const char *path, size_t *n)
{
	struct kt_import_plan **plans = NULL;
	struct kt_import_err err;
	if (kt_import_parse_all(path, &plans, n, &err) != 0)
		fail_msg("cannot import '%s': %s", path, err.msg);
	return plans;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

#define EQ(what, a, b)                                                                     \
	do {                                                                                   \
		if (!same(a, b))                                                                   \
			fail_msg("%s: %s differs: «%s» (text) vs «%s» (docx)", ctx, what,              \
				(a) ? (a) : "(null)", (b) ? (b) : "(null)");                               \
	} while (0)

/* The text and the Word form of one document read the same. */
static void same_plan(const char *ctx, const struct kt_import_plan *t,
	const struct kt_import_plan *d)
{
	assert_int_equal(d->doc.layout, KT_IMPORT_LAYOUT_DOCX);
	EQ("title", t->doc.title, d->doc.title);
	EQ("academic year", t->doc.academic_year, d->doc.academic_year);
	EQ("issuer", t->doc.issuer, d->doc.issuer);
	EQ("act number", t->doc.approval.number, d->doc.approval.number);
	EQ("act date", t->doc.approval.date, d->doc.approval.date);
	assert_int_equal(t->doc.n_columns, d->doc.n_columns);
	for (size_t k = 0; k < t->doc.n_columns; k++)
		assert_int_equal(t->doc.columns[k].role, d->doc.columns[k].role);
	assert_int_equal(t->n_abbrevs, d->n_abbrevs);
	for (size_t a = 0; a < t->n_abbrevs; a++) {
		EQ("abbreviation", t->abbrevs[a].abbr, d->abbrevs[a].abbr);
		EQ("meaning", t->abbrevs[a].meaning, d->abbrevs[a].meaning);
	}
	assert_int_equal(t->n_sections, d->n_sections);
	for (size_t s = 0; s < t->n_sections; s++) {
		const struct kt_import_section *a = &t->sections[s], *b = &d->sections[s];
		EQ("section number", a->number, b->number);
		EQ("section title", a->title, b->title);
		assert_int_equal(a->n_items, b->n_items);
		for (size_t i = 0; i < a->n_items; i++) {
			const struct kt_import_item *x = &a->items[i], *y = &b->items[i];
			EQ("number", x->number, y->number);
			EQ("title", x->title, y->title);
			EQ("deadline", x->deadline_text, y->deadline_text);
			EQ("responsible", x->responsible_text, y->responsible_text);
			EQ("municipal action", x->municipal_action, y->municipal_action);
			EQ("institutional action", x->institutional_action, y->institutional_action);
			EQ("result", x->result_text, y->result_text);
			EQ("target", x->target_text, y->target_text);
			/* parties may split differently: a row continued over a page break in the
			 * text is one cell in Word */
			if (x->has_deadline != y->has_deadline)
				fail_msg("%s: item %s: deadline parsed %d/%d", ctx,
					x->number ? x->number : "(unnumbered)", x->has_deadline, y->has_deadline);
		}
	}
}

static void seed_pair(const char *txt, const char *docx)
{
	char tp[1024];
	snprintf(tp, sizeof tp, "%s", fixture(txt));
	size_t nt, nd;
	struct kt_import_plan **t = parse_all(tp, &nt), **d = parse_all(fixture(docx), &nd);
	assert_int_equal(nt, 1);
	assert_int_equal(nd, 1);
	same_plan(docx, t[0], d[0]);
	kt_import_plans_free(t, nt);
	kt_import_plans_free(d, nd);
}

static void test_seeds_same_as_text(void **state)
{
	(void)state;
	seed_pair("seeds/000_0321eb817b06a241.txt", "docx/000.docx");
	seed_pair("seeds/001_ab757c1570964dd4.txt", "docx/001.docx");
	seed_pair("seeds/003_042b6b193d2b342e.txt", "docx/003.docx");
}

static void test_two_plans(void **state)
{
	(void)state;
	size_t n, n3, n0;
	struct kt_import_plan **d = parse_all(fixture("docx/two_plans.docx"), &n);
	char p3[1024], p0[1024];
	snprintf(p3, sizeof p3, "%s", fixture("seeds/003_042b6b193d2b342e.txt"));
	snprintf(p0, sizeof p0, "%s", fixture("seeds/000_0321eb817b06a241.txt"));
	struct kt_import_plan **t3 = parse_all(p3, &n3), **t0 = parse_all(p0, &n0);
	assert_int_equal(n, 2);
	same_plan("two_plans: plan 1", t3[0], d[0]);
	same_plan("two_plans: plan 2", t0[0], d[1]);
	/* the single-plan entry point gives the first and says there are more */
	struct kt_import_plan *first;
	struct kt_import_err err;
	assert_int_equal(kt_import_parse_file(fixture("docx/two_plans.docx"), &first, &err), 0);
	assert_int_equal(kt_import_item_count(first), 83);
	bool warned = false;
	for (size_t w = 0; w < first->n_warnings; w++)
		warned |= strcmp(first->warnings[w].code, "more_plans") == 0;
	assert_true(warned);
	kt_import_plan_free(first);
	kt_import_plans_free(d, n);
	kt_import_plans_free(t3, n3);
	kt_import_plans_free(t0, n0);
}

static void shape(const char *docx, const char *golden, size_t plans)
{
	size_t n;
	struct kt_import_plan **d = parse_all(fixture(docx), &n);
	json_error_t je;
	json_t *g = json_load_file(fixture(golden), 0, &je);
	assert_non_null(g);
	json_t *docs = json_object_get(g, "documents");
	assert_int_equal(n, plans);
	assert_int_equal(json_array_size(docs), plans);
	for (size_t i = 0; i < n; i++) {
		struct kt_import_score sc;
		assert_int_equal(kt_import_compare(d[i], json_array_get(docs, i), &sc, NULL), 0);
		if (sc.missing || sc.invented || sc.deadlines_equal != sc.found ||
			sc.responsible_equal != sc.found || sc.titles_equal != sc.found ||
			sc.sections != sc.golden_sections)
			fail_msg("%s plan %zu: %zu missing, %zu invented, %zu/%zu deadlines, %zu/%zu "
				"responsible, %zu/%zu titles, %zu/%zu sections", docx, i + 1, sc.missing,
				sc.invented, sc.deadlines_equal, sc.found, sc.responsible_equal, sc.found,
				sc.titles_equal, sc.found, sc.sections, sc.golden_sections);
	}
	json_decref(g);
	kt_import_plans_free(d, n);
}

static void test_unseen_shapes(void **state)
{
	(void)state;
	shape("docx/month_plan.docx", "docx/month_plan.json", 1);
	shape("docx/three_plans.docx", "docx/three_plans.json", 3);
	/* the text Word saves of the same documents: several plans in one text file too */
	shape("docx/month_plan.txt", "docx/month_plan.json", 1);
	shape("docx/three_plans.txt", "docx/three_plans.json", 3);
	/* the columns move between the plans and are mapped per plan */
	size_t n;
	struct kt_import_plan **d = parse_all(fixture("docx/three_plans.docx"), &n);
	assert_int_equal(d[0]->doc.columns[2].role, KT_COL_DEADLINE);
	assert_int_equal(d[1]->doc.columns[2].role, KT_COL_RESPONSIBLE);
	assert_int_equal(d[2]->doc.columns[1].role, KT_COL_DEADLINE);
	assert_string_not_equal(d[0]->doc.title, d[1]->doc.title);
	kt_import_plans_free(d, n);
	/* plans of a text file keep the file's line numbers */
	d = parse_all(fixture("docx/three_plans.txt"), &n);
	assert_true(d[1]->doc.header_line > d[0]->doc.table_last_line);
	assert_true(d[2]->doc.header_line > d[1]->doc.table_last_line);
	assert_string_equal(d[2]->doc.title, "План работы пунктов проведения экзаменов в 2025 году");
	kt_import_plans_free(d, n);
}

/* ---- numbering ---- */

static void test_numbering(void **state)
{
	(void)state;
	static const char xml[] = "<w:numbering xmlns:w=\"http://schemas.openxmlformats.org/"
		"wordprocessingml/2006/main\">"
		"<w:abstractNum w:abstractNumId=\"0\">"
		"<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.\"/></w:lvl>"
		"<w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.%2.\"/></w:lvl>"
		"<w:lvl w:ilvl=\"2\"><w:start w:val=\"1\"/><w:numFmt w:val=\"russianLower\"/><w:lvlText w:val=\"%3)\"/><w:suff w:val=\"nothing\"/></w:lvl>"
		"</w:abstractNum>"
		"<w:abstractNum w:abstractNumId=\"1\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"4\"/><w:numFmt w:val=\"upperRoman\"/><w:lvlText w:val=\"%1.\"/></w:lvl></w:abstractNum>"
		"<w:abstractNum w:abstractNumId=\"2\"><w:lvl w:ilvl=\"0\"><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"\xef\x82\xb7\"/></w:lvl></w:abstractNum>"
		"<w:abstractNum w:abstractNumId=\"3\">"
		"<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.\"/></w:lvl>"
		"<w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.%2.\"/></w:lvl>"
		"</w:abstractNum>"
		"<w:num w:numId=\"5\"><w:abstractNumId w:val=\"3\"/></w:num>"
		"<w:abstractNum w:abstractNumId=\"4\"><w:styleLink w:val=\"Roman\"/>"
		"<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"lowerRoman\"/><w:lvlText w:val=\"%1)\"/></w:lvl></w:abstractNum>"
		"<w:abstractNum w:abstractNumId=\"5\"><w:numStyleLink w:val=\"Roman\"/></w:abstractNum>"
		"<w:num w:numId=\"6\"><w:abstractNumId w:val=\"5\"/></w:num>"
		"<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>"
		"<w:num w:numId=\"2\"><w:abstractNumId w:val=\"1\"/></w:num>"
		"<w:num w:numId=\"3\"><w:abstractNumId w:val=\"2\"/></w:num>"
		"<w:num w:numId=\"4\"><w:abstractNumId w:val=\"0\"/><w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"1\"/></w:lvlOverride></w:num>"
		"</w:numbering>";
	struct kt_import_err err;
	struct kt_docx_numbering *nb = kt_docx_numbering_new(xml, sizeof xml - 1, &err);
	assert_non_null(nb);
	static const struct {
		int num, lvl;
		const char *label, *sep;
	} want[] = {{1, 0, "1.", " "}, {1, 1, "1.1.", " "}, {1, 1, "1.2.", " "}, {1, 2, "а)", ""},
		{1, 2, "б)", ""}, {1, 0, "2.", " "}, {1, 1, "2.1.", " "}, {2, 0, "IV.", " "},
		{2, 0, "V.", " "}, {3, 0, "•", " "}, {4, 0, "1.", " "}, {4, 1, "1.1.", " "},
		{1, 1, "1.2.", " "}, {9, 0, NULL, ""},
		/* a list opening one level down: «1.1.», then «2.» (as LibreOffice writes .doc lists) */
		{5, 1, "1.1.", " "}, {5, 1, "1.2.", " "}, {5, 0, "2.", " "}, {5, 1, "2.1.", " "},
		/* a list defined by a numbering style */
		{6, 0, "i)", " "}, {6, 0, "ii)", " "}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const char *sep;
		char *l = kt_docx_label(nb, want[i].num, want[i].lvl, &sep);
		if (!same(l, want[i].label))
			fail_msg("label %zu: «%s», want «%s»", i, l ? l : "(null)",
				want[i].label ? want[i].label : "(null)");
		assert_string_equal(sep, want[i].sep);
		free(l);
	}
	kt_docx_numbering_free(nb);
}

/* ---- small documents ---- */

static const char *const W_HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
	"xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>";

/* A .docx of body (inside w:body) and, when not NULL, numbering.xml and styles.xml. */
static int docx_with(const char *body, const char *numbering, const char *styles,
	struct kt_import_plan ***plans, size_t *n, struct kt_import_err *err)
{
	char path[] = "/tmp/test_import_docx-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	size_t len = strlen(W_HEAD) + strlen(body) + 32;
	char *xml = malloc(len);
	snprintf(xml, len, "%s%s</w:body></w:document>", W_HEAD, body);
	int ze;
	zip_t *z = zip_open(path, ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	zip_source_t *s = zip_source_buffer(z, xml, strlen(xml), 0);
	assert_true(zip_file_add(z, "word/document.xml", s, 0) >= 0);
	if (numbering) {
		s = zip_source_buffer(z, numbering, strlen(numbering), 0);
		assert_true(zip_file_add(z, "word/numbering.xml", s, 0) >= 0);
	}
	if (styles) {
		s = zip_source_buffer(z, styles, strlen(styles), 0);
		assert_true(zip_file_add(z, "word/styles.xml", s, 0) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
	free(xml);
	int rc = kt_import_parse_all(path, plans, n, err);
	unlink(path);
	return rc;
}

static int docx_from(const char *body, struct kt_import_plan ***plans, size_t *n,
	struct kt_import_err *err)
{
	return docx_with(body, NULL, NULL, plans, n, err);
}

#define P(t) "<w:p><w:r><w:t>" t "</w:t></w:r></w:p>"
#define PB(t) "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>" t "</w:t></w:r></w:p>"
#define TC(x) "<w:tc>" x "</w:tc>"
#define TCP(pr, x) "<w:tc><w:tcPr>" pr "</w:tcPr>" x "</w:tc>"
#define HEAD_ROW "<w:tr><w:trPr><w:tblHeader/></w:trPr>" TC(P("№ п/п")) TC(P("Мероприятие")) \
	TC(P("Срок")) TC(P("Ответственный")) "</w:tr>"
#define GRID "<w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"

static void test_table_rules(void **state)
{
	(void)state;
	static const char body[] =
		P("План мероприятий по подготовке к ГИА в 2024-2025 учебном году")
		"<w:tbl>" GRID HEAD_ROW
		"<w:tr>" TC(P("1")) TC(P("2")) TC(P("3")) TC(P("4")) "</w:tr>"
		/* a section: bold text alone in a spanning cell */
		"<w:tr>" TCP("<w:gridSpan w:val=\"4\"/>", PB("Организационные мероприятия")) "</w:tr>"
		/* responsible merged over three items; a title of two paragraphs */
		"<w:tr>" TC(P("1.")) TC(P("Совещание") P("с руководителями ОО")) TC(P("сентябрь"))
		TCP("<w:vMerge w:val=\"restart\"/>", P("Отдел общего образования")) "</w:tr>"
		"<w:tr>" TC(P("2.")) TC(P("Семинар <w:del><w:r><w:delText>удалено</w:delText></w:r></w:del>"))
		TC(P("октябрь")) TCP("<w:vMerge/>", "<w:p/>") "</w:tr>"
		/* a number and title merged down: the next row continues item 3 */
		"<w:tr>" TCP("<w:vMerge w:val=\"restart\"/>", P("3.")) TCP("<w:vMerge w:val=\"restart\"/>",
		P("Пробный экзамен")) TC(P("ноябрь")) TCP("<w:vMerge/>", "<w:p/>") "</w:tr>"
		"<w:tr>" TCP("<w:vMerge/>", "<w:p/>") TCP("<w:vMerge/>", "<w:p/>") TC(P("март"))
		TC(P("Директор")) "</w:tr>"
		"</w:tbl>"
		"<w:p/>"
		/* the table goes on after a page break: header repeated, a nested table in a cell */
		"<w:tbl>" GRID HEAD_ROW
		"<w:tr>" TC(P("4.")) TC("<w:p><w:r><w:t>Консультации</w:t><w:br/><w:t>по графику</w:t></w:r></w:p>"
		"<w:tbl><w:tr>" TC(P("вложено")) "</w:tr></w:tbl>") TC(P("декабрь")) TC(P("Учителя")) "</w:tr>"
		"</w:tbl>";
	struct kt_import_plan **plans;
	size_t n;
	struct kt_import_err err;
	if (docx_from(body, &plans, &n, &err) != 0)
		fail_msg("refused: %s", err.msg);
	assert_int_equal(n, 1);
	struct kt_import_plan *p = plans[0];
	assert_int_equal(p->n_sections, 1);
	assert_string_equal(p->sections[0].title, "Организационные мероприятия");
	assert_int_equal(p->sections[0].n_items, 4);
	struct kt_import_item *it = p->sections[0].items;
	assert_string_equal(it[0].title, "Совещание с руководителями ОО");
	assert_string_equal(it[1].title, "Семинар");
	assert_string_equal(it[1].responsible_text, "Отдел общего образования");
	assert_string_equal(it[2].responsible_text, "Отдел общего образования Директор");
	assert_string_equal(it[2].deadline_text, "ноябрь март");
	assert_string_equal(it[3].number, "4.");
	assert_string_equal(it[3].title, "Консультации по графику вложено");
	assert_int_equal(p->doc.dropped_header_rows, 2); /* the column numbers and the repeat */
	assert_string_equal(p->doc.academic_year, "2024-2025");
	kt_import_plans_free(plans, n);
}

/* Numbering and heading from paragraph styles (styles.xml), through w:basedOn. */
static void test_styles(void **state)
{
	(void)state;
	static const char W[] = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
	char numbering[1024], styles[1024];
	snprintf(numbering, sizeof numbering, "<w:numbering %s><w:abstractNum w:abstractNumId=\"0\">"
		"<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%%1.\"/></w:lvl>"
		"<w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%%1.%%2.\"/></w:lvl>"
		"</w:abstractNum><w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num></w:numbering>", W);
	snprintf(styles, sizeof styles, "<w:styles %s>"
		"<w:style w:type=\"paragraph\" w:styleId=\"a1\"><w:name w:val=\"heading 1\"/>"
		"<w:pPr><w:numPr><w:numId w:val=\"1\"/></w:numPr></w:pPr></w:style>"
		"<w:style w:type=\"paragraph\" w:styleId=\"Punkt\"><w:name w:val=\"Пункт\"/>"
		"<w:basedOn w:val=\"Spisok\"/></w:style>"
		"<w:style w:type=\"paragraph\" w:styleId=\"Spisok\"><w:name w:val=\"Список\"/>"
		"<w:basedOn w:val=\"Punkt\"/><w:pPr><w:numPr><w:ilvl w:val=\"1\"/><w:numId w:val=\"1\"/>"
		"</w:numPr></w:pPr></w:style></w:styles>", W);
#define PS(st, t) "<w:p><w:pPr><w:pStyle w:val=\"" st "\"/></w:pPr><w:r><w:t>" t "</w:t></w:r></w:p>"
	static const char body[] = P("План мероприятий на 2024-2025 учебный год")
		"<w:tbl>" GRID HEAD_ROW
		"<w:tr>" TCP("<w:gridSpan w:val=\"4\"/>", PS("a1", "Организационные мероприятия")) "</w:tr>"
		"<w:tr>" TC(PS("Punkt", "")) TC(P("Совещание")) TC(P("сентябрь")) TC(P("Отдел")) "</w:tr>"
		"<w:tr>" TC(PS("Punkt", "")) TC(P("Семинар")) TC(P("октябрь")) TC(P("Отдел")) "</w:tr>"
		"<w:tr>" TCP("<w:gridSpan w:val=\"4\"/>", PS("a1", "Информирование")) "</w:tr>"
		"<w:tr>" TC(PS("Punkt", "")) TC(P("Собрание")) TC(P("ноябрь")) TC(P("Директор")) "</w:tr>"
		"</w:tbl>";
	struct kt_import_plan **plans;
	size_t n;
	struct kt_import_err err;
	if (docx_with(body, numbering, styles, &plans, &n, &err) != 0)
		fail_msg("refused: %s", err.msg);
	struct kt_import_plan *p = plans[0];
	assert_int_equal(p->n_sections, 2);
	assert_string_equal(p->sections[0].number, "1");
	assert_string_equal(p->sections[0].title, "Организационные мероприятия");
	assert_string_equal(p->sections[1].number, "2");
	assert_int_equal(p->sections[0].n_items, 2);
	assert_string_equal(p->sections[0].items[1].number, "1.2.");
	assert_string_equal(p->sections[1].items[0].number, "2.1.");
	kt_import_plans_free(plans, n);
#undef PS
}

static void refused(const char *body, const char *msg)
{
	struct kt_import_plan **plans = NULL;
	size_t n = 0;
	struct kt_import_err err;
	assert_int_equal(docx_from(body, &plans, &n, &err), -1);
	assert_null(plans);
	if (!strstr(err.msg, msg))
		fail_msg("refusal «%s» does not say «%s»", err.msg, msg);
}

static void test_refusals(void **state)
{
	(void)state;
	refused(P("Протокол совещания"), "no table header");
	refused("<w:p><w:r><w:t>x</w:r>", "not well-formed");
	/* bytes that start like a ZIP but are not one */
	struct kt_import_plan **plans;
	size_t n;
	struct kt_import_err err;
	static const char fake[] = "PK\x03\x04 this is not an archive at all, only its magic";
	assert_int_equal(kt_import_parse_buf_all(fake, sizeof fake - 1, "x.docx", &plans, &n, &err), -1);
	assert_non_null(strstr(err.msg, "not a readable Word file"));
	/* a .doc without LibreOffice names the package */
	char path[] = "/tmp/test_import_doc-XXXXXX";
	int fd = mkstemp(path);
	static const unsigned char ole[16] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	assert_int_equal(write(fd, ole, sizeof ole), (ssize_t)sizeof ole);
	close(fd);
	const char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(kt_import_parse_all(path, &plans, &n, &err), -1);
	if (saved) {
		setenv("PATH", saved, 1);
		free(saved);
	}
	unlink(path);
	assert_non_null(strstr(err.msg, "libreoffice"));
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_seeds_same_as_text),
	cmocka_unit_test(test_two_plans),
	cmocka_unit_test(test_unseen_shapes),
	cmocka_unit_test(test_numbering),
	cmocka_unit_test(test_table_rules),
	cmocka_unit_test(test_styles),
	cmocka_unit_test(test_refusals))
