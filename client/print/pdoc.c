/* pdoc: the PDF document of a print form (see pdoc.h). cairo writes the PDF and embeds the
 * font subsets; pango shapes and wraps the Cyrillic text. The invariant: the pen (d->y) is
 * the distance from the top margin to where the next content goes, and content is drawn
 * only on a started page, so every page gets its running header and footer exactly once. */
#include "pdoc.h"
#include "kt_i18n.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <pango/pangocairo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define A4_W 595.2756
#define A4_H 841.8898

static const struct {
	double size;
	bool bold, grey;
} styles[] = {
	[PDOC_TITLE] = {14, true, false},
	[PDOC_SUBTITLE] = {12, true, false},
	[PDOC_BODY] = {11, false, false},
	[PDOC_BOLD] = {11, true, false},
	[PDOC_SMALL] = {8.5, false, true},
	[PDOC_CELL] = {10, false, false},
	[PDOC_HEAD] = {9, true, false},
	[PDOC_CELL_BOLD] = {10, true, false},
};
#define NSTYLES (sizeof styles / sizeof styles[0])

struct pdoc {
	const struct pdoc_spec *spec;
	cairo_surface_t *surf;
	cairo_t *cr;
	PangoLayout *lay;
	PangoFontDescription *fd[NSTYLES];
	double pw, ph;             /* page size */
	double ml, mr, mt, mb;     /* margins */
	double y;                  /* pen, from the top margin */
	bool started;              /* the current page has its header */
	int page, total;           /* total: 0 while counting */
	char today[16];            /* дд.мм.гггг */
	char err[256];
	bool failed;
};

double pdoc_mm(double mm) { return mm * 72.0 / 25.4; }
double pdoc_width(const struct pdoc *d) { return d->pw - d->ml - d->mr; }
static double body_h(const struct pdoc *d) { return d->ph - d->mt - d->mb; }
double pdoc_room(const struct pdoc *d) { return d->started ? body_h(d) - d->y : body_h(d); }
bool pdoc_page_started(const struct pdoc *d) { return d->started; }
double pdoc_y(const struct pdoc *d) { return d->y; }
int pdoc_page(const struct pdoc *d) { return d->page; }

int pdoc_fail(struct pdoc *d, const char *fmt, ...)
{
	if (!d->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d->err, sizeof d->err, fmt, ap);
		va_end(ap);
		d->failed = true;
	}
	return -1;
}

/* text with "№ " glued to the number after it (a no-break space), so «№ 1» never splits
 * across lines; heap, or NULL when nothing needs gluing or memory runs out. */
static char *glue_numero(const char *text)
{
	if (!text || !strstr(text, "№ "))
		return NULL;
	char *out = malloc(strlen(text) * 2 + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = text; *p;) {
		if (strncmp(p, "№ ", strlen("№ ")) == 0) {
			o += sprintf(o, "№\u00a0");
			p += strlen("№ ");
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static void set_text(struct pdoc *d, enum pdoc_style st, enum pdoc_align al, double width,
	const char *text)
{
	char *glued = glue_numero(text);
	pango_layout_set_font_description(d->lay, d->fd[st]);
	pango_layout_set_width(d->lay, width > 0 ? (int)(width * PANGO_SCALE) : -1);
	pango_layout_set_wrap(d->lay, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(d->lay, al == PDOC_CENTER ? PANGO_ALIGN_CENTER
		: al == PDOC_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	pango_layout_set_text(d->lay, glued ? glued : text ? text : "", -1);
	free(glued);
}

double pdoc_text_height(struct pdoc *d, enum pdoc_style st, double width, const char *text)
{
	set_text(d, st, PDOC_LEFT, width, text);
	int w, h;
	pango_layout_get_size(d->lay, &w, &h);
	return (double)h / PANGO_SCALE;
}

/* Text at an absolute page position. */
static void draw_abs(struct pdoc *d, enum pdoc_style st, enum pdoc_align al, double x, double y,
	double width, const char *text)
{
	set_text(d, st, al, width, text);
	double g = styles[st].grey ? 0.35 : 0;
	cairo_set_source_rgb(d->cr, g, g, g);
	cairo_move_to(d->cr, x, y);
	pango_cairo_show_layout(d->cr, d->lay);
}

void pdoc_text_at(struct pdoc *d, enum pdoc_style st, enum pdoc_align al, double x, double y,
	double width, const char *text)
{
	draw_abs(d, st, al, d->ml + x, d->mt + d->y + y, width, text);
}

void pdoc_box(struct pdoc *d, double x, double y, double w, double h, bool shaded)
{
	cairo_rectangle(d->cr, d->ml + x, d->mt + d->y + y, w, h);
	if (shaded) {
		cairo_set_source_rgb(d->cr, 0.9, 0.9, 0.9);
		cairo_fill_preserve(d->cr);
	}
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	cairo_set_line_width(d->cr, 0.5);
	cairo_stroke(d->cr);
}

/* The running header and footer of the page being started. */
static void page_furniture(struct pdoc *d)
{
	double w = pdoc_width(d);
	draw_abs(d, PDOC_SMALL, PDOC_RIGHT, d->ml, d->mt - pdoc_mm(7), w, d->spec->form);
	char buf[96];
	if (d->total > 0)
		snprintf(buf, sizeof buf, "стр. %d из %d", d->page, d->total);
	else
		snprintf(buf, sizeof buf, "стр. %d из 999", d->page); /* counting: the widest */
	double fy = d->ph - d->mb + pdoc_mm(4);
	draw_abs(d, PDOC_SMALL, PDOC_RIGHT, d->ml, fy, w, buf);
	snprintf(buf, sizeof buf, "Сформировано в karta %s", d->today);
	draw_abs(d, PDOC_SMALL, PDOC_LEFT, d->ml, fy, w / 2, buf);
}

/* Long documents (a region's notices) take a while: say how far, on a terminal. */
static void progress(const struct pdoc *d)
{
	if (d->page % 100 != 0 || !isatty(STDERR_FILENO))
		return;
	fputc('\r', stderr);
	if (d->total)
		fprintf(stderr, _("karta: page %d of %d"), d->page, d->total);
	else
		fprintf(stderr, _("karta: laying out, page %d"), d->page);
}

void pdoc_ensure_page(struct pdoc *d)
{
	if (d->started)
		return;
	d->started = true;
	d->page++;
	progress(d);
	d->y = 0;
	page_furniture(d);
}

void pdoc_break(struct pdoc *d)
{
	if (!d->started)
		return;
	cairo_show_page(d->cr);
	d->started = false;
	d->y = 0;
}

void pdoc_advance(struct pdoc *d, double h)
{
	pdoc_ensure_page(d);
	d->y += h;
}

void pdoc_goto(struct pdoc *d, double y)
{
	pdoc_ensure_page(d);
	d->y = y;
}

void pdoc_gap(struct pdoc *d, double pt)
{
	if (!d->started)
		return;
	if (d->y + pt >= body_h(d))
		pdoc_break(d);
	else
		d->y += pt;
}

/* A block of height h: on a new page when it does not fit here (and is not alone). */
static void fit(struct pdoc *d, double h)
{
	if (d->started && d->y > 0 && h > pdoc_room(d))
		pdoc_break(d);
	pdoc_ensure_page(d);
}

void pdoc_text(struct pdoc *d, enum pdoc_style st, enum pdoc_align al, const char *text)
{
	double w = pdoc_width(d), h = pdoc_text_height(d, st, w, text);
	fit(d, h);
	pdoc_text_at(d, st, al, 0, 0, w, text);
	d->y += h + 2;
}

void pdoc_field(struct pdoc *d, const char *label, const char *value)
{
	if (!value)
		return;
	char *glued = glue_numero(value);
	char *markup = g_markup_printf_escaped("<b>%s:</b> %s", label, glued ? glued : value);
	free(glued);
	double w = pdoc_width(d);
	pango_layout_set_font_description(d->lay, d->fd[PDOC_BODY]);
	pango_layout_set_width(d->lay, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(d->lay, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(d->lay, PANGO_ALIGN_LEFT);
	pango_layout_set_markup(d->lay, markup, -1);
	g_free(markup);
	int lw, lh;
	pango_layout_get_size(d->lay, &lw, &lh);
	double h = (double)lh / PANGO_SCALE;
	fit(d, h);
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	cairo_move_to(d->cr, d->ml, d->mt + d->y);
	pango_cairo_show_layout(d->cr, d->lay);
	pango_layout_set_attributes(d->lay, NULL); /* set_markup left attributes behind */
	d->y += h + 1.5;
}

void pdoc_cut_line(struct pdoc *d)
{
	pdoc_ensure_page(d);
	double dash[] = {4, 3};
	cairo_save(d->cr);
	cairo_set_dash(d->cr, dash, 2, 0);
	cairo_set_line_width(d->cr, 0.5);
	cairo_set_source_rgb(d->cr, 0.4, 0.4, 0.4);
	cairo_move_to(d->cr, d->ml - pdoc_mm(10), d->mt + d->y);
	cairo_line_to(d->cr, d->pw - d->mr + pdoc_mm(5), d->mt + d->y);
	cairo_stroke(d->cr);
	cairo_restore(d->cr);
}

/* --- rendering ------------------------------------------------------------------------- */

static cairo_status_t discard(void *closure, const unsigned char *data, unsigned int len)
{
	(void)closure;
	(void)data;
	(void)len;
	return CAIRO_STATUS_SUCCESS;
}

static void pdoc_release(struct pdoc *d)
{
	for (size_t i = 0; i < NSTYLES; i++)
		if (d->fd[i])
			pango_font_description_free(d->fd[i]);
	if (d->lay)
		g_object_unref(d->lay);
	if (d->cr)
		cairo_destroy(d->cr);
	if (d->surf)
		cairo_surface_destroy(d->surf);
}

/* Whether fontconfig gives the form's typeface itself, not a substitute. */
static bool font_present(struct pdoc *d)
{
	PangoFontMap *fm = pango_cairo_font_map_get_default();
	PangoContext *ctx = pango_layout_get_context(d->lay);
	PangoFont *f = pango_font_map_load_font(fm, ctx, d->fd[PDOC_BODY]);
	bool ok = false;
	if (f) {
		PangoFontDescription *got = pango_font_describe(f);
		const char *fam = pango_font_description_get_family(got);
		ok = fam && strcmp(fam, PDOC_FONT) == 0;
		pango_font_description_free(got);
		g_object_unref(f);
	}
	return ok;
}

/* One pass: into path, or counting (path NULL); name is the file messages name. Returns
 * the pages drawn, or -1. */
static int pass(struct pdoc *d, const char *path, const char *name, pdoc_draw_fn draw, void *arg)
{
	d->surf = path ? cairo_pdf_surface_create(path, d->pw, d->ph)
		: cairo_pdf_surface_create_for_stream(discard, NULL, d->pw, d->ph);
	if (cairo_surface_status(d->surf) != CAIRO_STATUS_SUCCESS)
		return pdoc_fail(d, "cannot write '%s': %s", name,
			cairo_status_to_string(cairo_surface_status(d->surf)));
	cairo_pdf_surface_restrict_to_version(d->surf, CAIRO_PDF_VERSION_1_5);
	cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_TITLE, d->spec->title);
	cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_CREATOR, "karta " KT_VERSION);
	d->cr = cairo_create(d->surf);
	d->lay = pango_cairo_create_layout(d->cr);
	/* cairo's PDF unit is the point: sizes are points only at 72 "dpi" (pango's default
	 * of 96 would set every size a third larger than asked) */
	pango_cairo_context_set_resolution(pango_layout_get_context(d->lay), 72);
	pango_layout_context_changed(d->lay);
	for (size_t i = 0; i < NSTYLES; i++) {
		d->fd[i] = pango_font_description_new();
		pango_font_description_set_family(d->fd[i], PDOC_FONT);
		pango_font_description_set_weight(d->fd[i], styles[i].bold ? PANGO_WEIGHT_BOLD
			: PANGO_WEIGHT_NORMAL);
		pango_font_description_set_size(d->fd[i], (int)(styles[i].size * PANGO_SCALE));
	}
	if (!font_present(d))
		return pdoc_fail(d, "cannot print: the font '%s' is not installed (Debian package "
				    "fonts-paratype; deploy/install-deps.sh installs it)", PDOC_FONT);
	d->page = 0;
	d->started = false;
	d->y = 0;
	if (draw(d, arg) != 0)
		return pdoc_fail(d, "cannot draw the form");
	if (d->page >= 100 && isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K"); /* the progress line goes */
	if (d->page == 0)
		return pdoc_fail(d, "nothing to print");
	if (d->started)
		cairo_show_page(d->cr);
	cairo_surface_finish(d->surf);
	if (cairo_surface_status(d->surf) != CAIRO_STATUS_SUCCESS)
		return pdoc_fail(d, "cannot write '%s': %s", name,
			cairo_status_to_string(cairo_surface_status(d->surf)));
	return d->page;
}

/* A fresh document of spec: geometry, the date of the footer. */
static void pdoc_init(struct pdoc *d, const struct pdoc_spec *spec, int total)
{
	*d = (struct pdoc){.spec = spec, .total = total};
	d->pw = spec->landscape ? A4_H : A4_W;
	d->ph = spec->landscape ? A4_W : A4_H;
	d->ml = pdoc_mm(15);
	d->mr = pdoc_mm(10);
	d->mt = pdoc_mm(15);
	d->mb = pdoc_mm(15);
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(d->today, sizeof d->today, "%d.%m.%Y", &tm);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PDOC_LEAK_CHECKED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PDOC_LEAK_CHECKED 1
#endif

#ifdef PDOC_LEAK_CHECKED
/* The sanitizer build: drop at exit the font map pango keeps for the life of the process,
 * so the leak check sees only our own memory. Not cairo_debug_reset_static_data() nor
 * FcFini(): under load the reset met fonts still alive and aborted on cairo's assertion
 * (t_print_forms in CI); fontconfig's own allocations are left to tests/lsan.supp. */
static void release_fonts(void)
{
	pango_cairo_font_map_set_default(NULL);
}
#endif

static int render(const char *path, const struct pdoc_spec *spec, pdoc_draw_fn draw, void *arg,
	int *pages, char *err, size_t errlen);

int pdoc_render(const char *path, const struct pdoc_spec *spec, pdoc_draw_fn draw, void *arg,
	int *pages, char *err, size_t errlen)
{
#ifdef PDOC_LEAK_CHECKED
	static bool registered;
	if (!registered)
		registered = atexit(release_fonts) == 0;
#endif
	return render(path, spec, draw, arg, pages, err, errlen);
}

static int render(const char *path, const struct pdoc_spec *spec, pdoc_draw_fn draw, void *arg,
	int *pages, char *err, size_t errlen)
{
	struct pdoc d;
	char tmp[4096];
	pdoc_init(&d, spec, 0);
	int n = pass(&d, NULL, path, draw, arg); /* counting */
	pdoc_release(&d);
	if (n > 0 && snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		n = pdoc_fail(&d, "cannot write '%s': the path is too long", path);
	if (n < 0) {
		snprintf(err, errlen, "%s", d.err);
		return -1;
	}
	pdoc_init(&d, spec, n);
	int n2 = pass(&d, tmp, path, draw, arg);
	pdoc_release(&d);
	if (n2 > 0 && n2 != n) /* a draw function must draw the same twice */
		n2 = pdoc_fail(&d, "cannot print: the form came out as %d pages, then %d", n, n2);
	if (n2 > 0 && rename(tmp, path) != 0)
		n2 = pdoc_fail(&d, "cannot write '%s': %s", path, strerror(errno));
	if (n2 < 0) {
		unlink(tmp);
		snprintf(err, errlen, "%s", d.err);
		return -1;
	}
	if (pages)
		*pages = n;
	return 0;
}
