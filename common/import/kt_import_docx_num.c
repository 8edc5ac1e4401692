/* kt_import_docx_num: automatic numbering (word/numbering.xml) computed into the labels
 * Word shows. A paragraph's w:numPr names a list (w:num) and a level; the list points to an
 * abstract definition whose level has a start value, a format (decimal, letters, Roman,
 * Russian letters, bullet, none) and a template («%1.%2.»). Counters belong to the
 * abstract definition, as in Word: lists sharing one continue each other's numbering
 * unless a list overrides its start (w:lvlOverride/w:startOverride), which restarts the
 * level at that list's first paragraph. A level counts on from its start and restarts
 * whenever a level above it advances; a level above that was never used shows its start.
 * A list defined by a numbering style (w:numStyleLink) takes the levels and counters of
 * the list that style names (w:styleLink). Invariant: a label is at most a few dozen bytes,
 * whatever the XML says (templates and counters are bounded). */
#include <stdlib.h>
#include <string.h>

#include "kt_import_docx_int.h"
#include "kt_i18n.h"

#define LEVELS 9
#define MAX_DEFS 4096

enum fmt { F_DECIMAL, F_DECIMAL_ZERO, F_LOWER_LETTER, F_UPPER_LETTER, F_LOWER_ROMAN,
	F_UPPER_ROMAN, F_RU_LOWER, F_RU_UPPER, F_BULLET, F_NONE };

struct lvl {
	int start;
	enum fmt fmt;
	char text[48]; /* lvlText, cut */
	bool space;    /* w:suff is tab or space (the default tab) */
};

struct absdef {
	int id;
	char style_link[64]; /* w:styleLink: this definition is the numbering style's */
	char num_link[64];   /* w:numStyleLink: the levels are those of that style's list */
	struct lvl lvl[LEVELS];
	int count[LEVELS]; /* current value; 0 with !started */
	bool started[LEVELS];
};

struct numdef {
	int id, abs;
	int override[LEVELS]; /* -1: none */
	bool used;
};

struct kt_docx_numbering {
	struct absdef *abs;
	size_t n_abs;
	struct numdef *num;
	size_t n_num;
};

static enum fmt parse_fmt(const char *v)
{
	static const struct {
		const char *name;
		enum fmt f;
	} t[] = {{"decimal", F_DECIMAL}, {"decimalZero", F_DECIMAL_ZERO},
		{"lowerLetter", F_LOWER_LETTER}, {"upperLetter", F_UPPER_LETTER},
		{"lowerRoman", F_LOWER_ROMAN}, {"upperRoman", F_UPPER_ROMAN},
		{"russianLower", F_RU_LOWER}, {"russianUpper", F_RU_UPPER}, {"bullet", F_BULLET},
		{"none", F_NONE}};
	for (size_t i = 0; v && i < sizeof t / sizeof t[0]; i++)
		if (strcmp(v, t[i].name) == 0)
			return t[i].f;
	return F_DECIMAL;
}

void kt_docx_numbering_free(struct kt_docx_numbering *nb)
{
	if (!nb)
		return;
	free(nb->abs);
	free(nb->num);
	free(nb);
}

static void init_abs(struct absdef *a, int id)
{
	memset(a, 0, sizeof *a);
	a->id = id;
	for (int i = 0; i < LEVELS; i++) {
		a->lvl[i].start = 1;
		a->lvl[i].space = true;
	}
}

/* Reading numbering.xml: the definition (a) or list (n) whose elements come now, its
 * level (lvl) and the level a list overrides (ov). */
struct num_read {
	struct kt_docx_numbering *nb;
	struct absdef *a;
	struct numdef *n;
	int lvl, ov;
};

static void num_element(void *x, const char *ln, void *arg)
{
	struct num_read *r = arg;
	struct kt_docx_numbering *nb = r->nb;
	char *v = NULL;
	if (strcmp(ln, "abstractNum") == 0) {
		r->a = nb->n_abs < MAX_DEFS ? &nb->abs[nb->n_abs++] : NULL;
		r->n = NULL;
		v = kt_docx_xml_attr(x, "abstractNumId");
		if (r->a)
			init_abs(r->a, v ? atoi(v) : -1);
	} else if (strcmp(ln, "num") == 0) {
		r->n = nb->n_num < MAX_DEFS ? &nb->num[nb->n_num++] : NULL;
		r->a = NULL;
		v = kt_docx_xml_attr(x, "numId");
		if (r->n) {
			r->n->id = v ? atoi(v) : -1;
			r->n->abs = -1;
			for (int i = 0; i < LEVELS; i++)
				r->n->override[i] = -1;
		}
	} else if (r->a && (strcmp(ln, "styleLink") == 0 || strcmp(ln, "numStyleLink") == 0)) {
		v = kt_docx_xml_attr(x, "val");
		snprintf(ln[0] == 's' ? r->a->style_link : r->a->num_link, sizeof r->a->style_link,
			"%s", v ? v : "");
	} else if (strcmp(ln, "lvl") == 0 && r->a) {
		v = kt_docx_xml_attr(x, "ilvl");
		r->lvl = v ? atoi(v) : -1;
	} else if (strcmp(ln, "lvlOverride") == 0 && r->n) {
		v = kt_docx_xml_attr(x, "ilvl");
		r->ov = v ? atoi(v) : -1;
	} else if (strcmp(ln, "abstractNumId") == 0 && r->n) {
		v = kt_docx_xml_attr(x, "val");
		r->n->abs = v ? atoi(v) : -1;
	} else if (strcmp(ln, "startOverride") == 0 && r->n && r->ov >= 0 && r->ov < LEVELS) {
		v = kt_docx_xml_attr(x, "val");
		r->n->override[r->ov] = v ? atoi(v) : 1;
	} else if (r->a && r->lvl >= 0 && r->lvl < LEVELS) {
		struct lvl *l = &r->a->lvl[r->lvl];
		v = kt_docx_xml_attr(x, "val");
		if (strcmp(ln, "start") == 0 && v)
			l->start = atoi(v) < 0 || atoi(v) > 100000 ? 1 : atoi(v);
		else if (strcmp(ln, "numFmt") == 0)
			l->fmt = parse_fmt(v);
		else if (strcmp(ln, "lvlText") == 0 && v)
			snprintf(l->text, sizeof l->text, "%s", v);
		else if (strcmp(ln, "suff") == 0 && v)
			l->space = strcmp(v, "nothing") != 0;
	}
	free(v);
}

struct kt_docx_numbering *kt_docx_numbering_new(const char *xml, size_t len,
	struct kt_import_err *err)
{
	struct kt_docx_numbering *nb = calloc(1, sizeof *nb);
	if (!nb || !(nb->abs = calloc(MAX_DEFS, sizeof *nb->abs)) ||
		!(nb->num = calloc(MAX_DEFS, sizeof *nb->num))) {
		kt_docx_numbering_free(nb);
		kt_import_fail(err, KT_IMPORT_ENOMEM, _("out of memory"));
		return NULL;
	}
	struct num_read r = {nb, NULL, NULL, -1, -1};
	if (kt_docx_xml_elements(xml, len, "word/numbering.xml", num_element, &r, err) != 0) {
		kt_docx_numbering_free(nb);
		return NULL;
	}
	return nb;
}

static void roman(char *out, size_t cap, int n, bool upper)
{
	static const struct {
		int v;
		const char *s;
	} t[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"},
		{50, "l"}, {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}};
	size_t o = 0;
	n %= 4000;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		while (n >= t[i].v && o + 3 < cap) {
			for (const char *p = t[i].s; *p; p++)
				out[o++] = upper ? (char)(*p - 'a' + 'A') : *p;
			n -= t[i].v;
		}
	out[o] = '\0';
}

/* One counter in its level's format into out (room for 32 bytes). */
static void format_value(char *out, const struct lvl *l, int n)
{
	/* Word's Russian list letters: а б в г д е ж з и к л м н о п р с т у ф х ц ч ш щ э ю я */
	static const char *const ru = "абвгдежзиклмнопрстуфхцчшщэюя";
	static const char *const RU = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ";
	out[0] = '\0';
	if (n < 1 && l->fmt != F_DECIMAL && l->fmt != F_DECIMAL_ZERO)
		n = 1;
	switch (l->fmt) {
	case F_DECIMAL: snprintf(out, 32, "%d", n); break;
	case F_DECIMAL_ZERO: snprintf(out, 32, "%02d", n); break;
	case F_LOWER_LETTER:
	case F_UPPER_LETTER: {
		int k = (n - 1) % 26, rep = (n - 1) / 26 + 1;
		if (rep > 8)
			rep = 8;
		for (int i = 0; i < rep; i++)
			out[i] = (char)((l->fmt == F_LOWER_LETTER ? 'a' : 'A') + k);
		out[rep] = '\0';
		break;
	}
	case F_LOWER_ROMAN:
	case F_UPPER_ROMAN: roman(out, 32, n, l->fmt == F_UPPER_ROMAN); break;
	case F_RU_LOWER:
	case F_RU_UPPER: {
		const char *set = l->fmt == F_RU_LOWER ? ru : RU;
		int k = (n - 1) % 28, rep = (n - 1) / 28 + 1; /* 28 letters, 2 bytes each */
		if (rep > 8)
			rep = 8;
		for (int i = 0; i < rep; i++)
			memcpy(out + 2 * i, set + 2 * k, 2);
		out[2 * rep] = '\0';
		break;
	}
	case F_BULLET:
	case F_NONE: break;
	}
}

/* The abstract list id, or the one whose numbering style it links to (one step). */
static struct absdef *find_abs(struct kt_docx_numbering *nb, int id)
{
	struct absdef *a = NULL;
	for (size_t i = 0; i < nb->n_abs && !a; i++)
		if (nb->abs[i].id == id)
			a = &nb->abs[i];
	for (size_t i = 0; a && a->num_link[0] && i < nb->n_abs; i++)
		if (strcmp(nb->abs[i].style_link, a->num_link) == 0)
			return &nb->abs[i];
	return a;
}

char *kt_docx_label(struct kt_docx_numbering *nb, int num_id, int ilvl, const char **sep)
{
	*sep = "";
	if (!nb || ilvl < 0 || ilvl >= LEVELS)
		return NULL;
	struct numdef *n = NULL;
	for (size_t i = 0; i < nb->n_num; i++)
		if (nb->num[i].id == num_id)
			n = &nb->num[i];
	struct absdef *a = n ? find_abs(nb, n->abs) : NULL;
	if (!a)
		return NULL;
	if (!n->used) {
		n->used = true;
		for (int i = 0; i < LEVELS; i++)
			if (n->override[i] >= 0) {
				a->count[i] = n->override[i] - 1;
				a->started[i] = true;
			}
	}
	const struct lvl *l = &a->lvl[ilvl];
	if (!a->started[ilvl]) {
		a->count[ilvl] = l->start;
		a->started[ilvl] = true;
	} else if (a->count[ilvl] < 1000000) {
		a->count[ilvl]++;
	}
	for (int i = ilvl + 1; i < LEVELS; i++)
		a->started[i] = false;
	/* a level above that never had a paragraph shows its start value and counts on from
	 * it (a list opening at «1.1.» goes on with «2.», as Word and LibreOffice number it) */
	for (int i = 0; i < ilvl; i++)
		if (!a->started[i]) {
			a->count[i] = a->lvl[i].start;
			a->started[i] = true;
		}
	if (l->fmt == F_NONE && !strchr(l->text, '%'))
		return l->text[0] ? strdup(l->text) : NULL;
	struct kt_sbuf b = {0};
	if (l->fmt == F_BULLET) {
		/* a symbol-font bullet (private use area) reads as «•» */
		const char *p = l->text;
		uint32_t c = *p ? kt_u8_next(&p) : 0;
		if (!c || (c >= 0xE000 && c <= 0xF8FF))
			kt_sb_puts(&b, "•");
		else
			kt_sb_puts(&b, l->text);
	} else {
		for (const char *p = l->text; *p; p++) {
			if (p[0] == '%' && p[1] >= '1' && p[1] <= '9') {
				int k = p[1] - '1';
				char v[32];
				const struct lvl *lk = &a->lvl[k];
				format_value(v, lk, a->started[k] ? a->count[k] : lk->start);
				kt_sb_puts(&b, v);
				p++;
			} else {
				kt_sb_putc(&b, *p);
			}
		}
	}
	*sep = l->space ? " " : "";
	char *s = kt_sb_take(&b);
	if (s && !s[0]) {
		free(s);
		return NULL;
	}
	return s;
}
