/* kt_table_text: a kt_table as an aligned text table (kt_table.h). Each cell is first made
 * printable (control characters become spaces: server data must not drive the terminal)
 * and shown as people read it (dates, decimal comma), then cut into display lines. Widths
 * are terminal columns, never bytes: a byte count would misalign every Cyrillic cell by a
 * factor of two, and a cut is always between two characters.
 *
 * Fitting a terminal (style.width): every column wants its widest line (capped by its
 * max_width) and its header; each has a least width — its header's longest word, and for
 * text 10 columns, for numbers and dates all of them. Too wide even at the least widths:
 * the least important columns (highest rank, then the rightmost unranked) leave until the
 * rest fits, named in a note under the table. The room left is then shared out a column
 * at a time, so every column grows toward its cells' width, and then toward its header's. */
#include "kt_grow.h"
#include "kt_table_int.h"

#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xE2\x80\xA6" /* U+2026 "…", one column */
#define COL_GAP 2
#define TEXT_MIN 10 /* a text column is never narrowed below this (or its header's word) */
#define TEXT_READABLE 24 /* columns leave until each text column kept can have this much */

/* --- a cell as display lines ----------------------------------------------------------- */

struct lines {
	struct line {
		char *s;
		size_t w; /* display width */
	} *v;
	size_t n, cap;
};

static void lines_release(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].s);
	free(l->v);
	*l = (struct lines){0};
}

/* Appends len bytes of s (trailing spaces dropped), plus "…" when ellipsis. */
static int lines_push(struct lines *l, const char *s, size_t len, bool ellipsis)
{
	while (len > 0 && s[len - 1] == ' ')
		len--;
	struct line *v = kt_grow(l->v, &l->cap, l->n, sizeof *v, 4);
	if (!v)
		return -1;
	l->v = v;
	char *copy = malloc(len + sizeof ELLIPSIS);
	if (!copy)
		return -1;
	memcpy(copy, s, len);
	strcpy(copy + len, ellipsis ? ELLIPSIS : "");
	v[l->n++] = (struct line){copy, kt_utf8_width(copy, strlen(copy))};
	return 0;
}

/* A copy fit for a terminal: C0 controls and DEL become spaces, CR is dropped, and newlines
 * are kept (wrap) or become spaces (cut). */
static char *printable(const char *s, bool keep_newlines)
{
	char *p = malloc(strlen(s) + 1), *o = p;
	if (!p)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\r')
			continue;
		if (c == '\n' && keep_newlines)
			*o++ = '\n';
		else
			*o++ = c < 0x20 || c == 0x7F ? ' ' : (char)c;
	}
	*o = '\0';
	return p;
}

/* One newline-free piece wrapped to max columns: break at the last space, or after the
 * last comma ("a,b,c" lists), that fits; else inside the word. Every line takes at least
 * one character, so this always advances. */
static int wrap_piece(struct lines *l, const char *s, size_t len, size_t max)
{
	size_t pos = 0;
	do {
		size_t i = pos, w = 0, brk = 0;
		unsigned cw;
		while (i < len) {
			size_t n = kt_table_char_at(s + i, len - i, &cw);
			if (max && w + cw > max && i > pos)
				break;
			if (s[i] == ' ' && i > pos)
				brk = i;
			else if (s[i] == ',')
				brk = i + 1;
			w += cw;
			i += n;
		}
		size_t end = i < len && brk > pos ? brk : i;
		if (lines_push(l, s + pos, end - pos, false) != 0)
			return -1;
		pos = end;
		while (pos < len && s[pos] == ' ')
			pos++;
	} while (pos < len);
	return 0;
}

static int cut_piece(struct lines *l, const char *s, size_t len, size_t max)
{
	if (!max || kt_utf8_width(s, len) <= max)
		return lines_push(l, s, len, false);
	size_t i = 0, w = 0;
	unsigned cw;
	while (i < len) {
		size_t n = kt_table_char_at(s + i, len - i, &cw);
		if (w + cw > max - 1)
			break;
		w += cw;
		i += n;
	}
	return lines_push(l, s, i, true);
}

/* Bytes of the longest start of s[0..len) no wider than max columns. */
static size_t fit_bytes(const char *s, size_t len, size_t max)
{
	size_t i = 0, w = 0;
	unsigned cw;
	while (i < len) {
		size_t n = kt_table_char_at(s + i, len - i, &cw);
		if (w + cw > max)
			break;
		w += cw;
		i += n;
	}
	return i;
}

/* s (wider than max) cut so that it shows where it differs, at byte d, from a text whose
 * plain cut is the same: its start, "…", the words from the one holding d on (cut again
 * when still too long). */
static int cut_distinct(struct lines *l, const char *s, size_t d, size_t max)
{
	size_t len = strlen(s), from = d;
	while (from > 0 && s[from - 1] != ' ') /* a space is ASCII: a character boundary */
		from--;
	size_t head_min = max / 3, tail_room = max - 1 - head_min;
	size_t tail_w = kt_utf8_width(s + from, len - from);
	size_t tail = tail_w <= tail_room ? len - from : fit_bytes(s + from, len - from, tail_room - 1);
	size_t head = fit_bytes(s, from, max - 1 - (tail_w <= tail_room ? tail_w : tail_room));
	char *buf = malloc(head + tail + 2 * sizeof ELLIPSIS);
	if (!buf)
		return -1;
	size_t n = 0;
	memcpy(buf, s, head);
	n += head;
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	memcpy(buf + n, ELLIPSIS, strlen(ELLIPSIS));
	n += strlen(ELLIPSIS);
	memcpy(buf + n, s + from, tail);
	n += tail;
	if (tail < len - from) {
		memcpy(buf + n, ELLIPSIS, strlen(ELLIPSIS));
		n += strlen(ELLIPSIS);
	}
	int rc = lines_push(l, buf, n, false);
	free(buf);
	return rc;
}

static int cell_lines(const char *text, size_t max, enum kt_cell_fit fit, struct lines *l)
{
	char *p = printable(text, fit == KT_FIT_WRAP);
	if (!p)
		return -1;
	int rc = 0;
	if (fit == KT_FIT_CUT) {
		rc = cut_piece(l, p, strlen(p), max);
	} else {
		const char *s = p;
		for (;;) {
			size_t n = strcspn(s, "\n");
			if ((rc = wrap_piece(l, s, n, max)) != 0 || !s[n])
				break;
			s += n + 1;
		}
	}
	free(p);
	return rc;
}

/* --- lines of the output --------------------------------------------------------------------------- */

struct text_line {
	FILE *out;
	const char *indent;
	size_t pending; /* spaces owed before the next visible text: never written at line end */
	bool started;
};

static void tl_put(struct text_line *tl, const char *s, size_t w, size_t width, bool right)
{
	size_t pad = width > w ? width - w : 0;
	if (right)
		tl->pending += pad;
	if (*s) {
		if (!tl->started && tl->indent)
			fputs(tl->indent, tl->out);
		tl->started = true;
		for (; tl->pending; tl->pending--)
			fputc(' ', tl->out);
		fputs(s, tl->out);
	}
	if (!right)
		tl->pending += pad;
}

static void tl_end(struct text_line *tl)
{
	fputc('\n', tl->out);
	tl->pending = 0;
	tl->started = false;
}

/* --- short ids ----------------------------------------------------------------------------- */

#define ID_SHORT 8
#define UUID_LEN 36

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* How many characters of column c's ids tell them all apart: 8, or one past the longest
 * prefix two of them share. 0 when out of memory (then ids are shown whole). */
static size_t id_chars(const struct kt_table *t, size_t c)
{
	const char **v = malloc((t->nrows + 1) * sizeof *v);
	size_t n = 0, len = ID_SHORT;
	if (!v)
		return 0;
	for (size_t r = 0; r < t->nrows; r++)
		if (strlen(t->cells[r * t->ncols + c]) == UUID_LEN)
			v[n++] = t->cells[r * t->ncols + c];
	qsort(v, n, sizeof *v, cmp_str);
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;
		while (k < UUID_LEN && v[i][k] == v[i - 1][k])
			k++;
		if (k < UUID_LEN && k + 1 > len) /* equal ids need no more */
			len = k + 1;
	}
	free(v);
	return len;
}

/* --- cut texts told apart ------------------------------------------------------------------ */

struct cut_ctx {
	const struct lines *cl;
	char *const *text;
};
static const struct cut_ctx *sort_ctx; /* qsort has no context argument */

static int cmp_cut(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct lines *x = &sort_ctx->cl[i], *y = &sort_ctx->cl[j];
	int c = strcmp(x->n ? x->v[0].s : "", y->n ? y->v[0].s : "");
	return c ? c : strcmp(sort_ctx->text[i], sort_ctx->text[j]);
}

/* First byte where a and b differ, moved back to a character boundary of a. */
static size_t diff_at(const char *a, const char *b)
{
	size_t d = 0;
	while (a[d] && a[d] == b[d])
		d++;
	while (d > 0 && ((unsigned char)a[d] & 0xC0) == 0x80)
		d--;
	return d;
}

/* Column c of a cut table: cells whose cut is the same though their texts differ (two plan
 * titles alike in their first 40 letters) are cut again to show where they differ. */
static int tell_apart(const struct kt_table *t, size_t c, size_t max, struct lines *cl,
	char *const *text)
{
	size_t nr = t->nrows, *ix = malloc((nr + 1) * sizeof *ix);
	if (!ix)
		return -1;
	for (size_t r = 0; r < nr; r++)
		ix[r] = r * t->ncols + c;
	struct cut_ctx ctx = {cl, text};
	sort_ctx = &ctx;
	qsort(ix, nr, sizeof *ix, cmp_cut);
	int rc = 0;
	for (size_t g = 0, e; rc == 0 && g < nr; g = e) {
		for (e = g + 1; e < nr && cl[ix[e]].n && cl[ix[g]].n &&
		     strcmp(cl[ix[e]].v[0].s, cl[ix[g]].v[0].s) == 0; e++)
			;
		if (strcmp(text[ix[g]], text[ix[e - 1]]) == 0) /* one text (or one row) */
			continue;
		for (size_t i = g; rc == 0 && i < e; i++) {
			size_t d = 0;
			for (size_t j = g; j < e; j++)
				if (strcmp(text[ix[i]], text[ix[j]]) != 0) {
					size_t dj = diff_at(text[ix[i]], text[ix[j]]);
					d = dj > d ? dj : d;
				}
			struct lines fresh = {0};
			rc = cut_distinct(&fresh, text[ix[i]], d, max);
			lines_release(&cl[ix[i]]);
			cl[ix[i]] = fresh;
		}
	}
	free(ix);
	return rc;
}

/* --- fitting --------------------------------------------------------------------------------- */

/* Display width of the longest space-free word of s. */
static size_t longest_word(const char *s)
{
	size_t best = 0;
	while (*s) {
		size_t n = strcspn(s, " ");
		size_t w = kt_utf8_width(s, n);
		best = w > best ? w : best;
		s += n + (s[n] == ' ');
	}
	return best;
}

/* Widest display line of p: pieces between newlines (wrap), or all of it (cut). */
static size_t natural_width(const char *p)
{
	size_t best = 0;
	for (;;) {
		size_t n = strcspn(p, "\n"), w = kt_utf8_width(p, n);
		best = w > best ? w : best;
		if (!p[n])
			return best;
		p += n + 1;
	}
}

static unsigned eff_rank(const struct kt_col *c, size_t i, const char *title)
{
	const struct kt_table_style *st = kt_table_get_style();
	unsigned r = st->rank ? st->rank(title, c->name) : 0;
	return r ? r : 1000 + (unsigned)i;
}

struct fit {
	size_t *w;      /* the column's width as shown */
	size_t *cap;    /* the cells' width limit (their widest line, or max_width) */
	bool *keep;     /* shown */
	size_t dropped;
};

/* Widths for the terminal: see the file's comment. want[c], least[c] given. */
static void fit_terminal(const struct kt_table *t, const char *title, size_t avail,
	const size_t *want, const size_t *least, struct fit *f)
{
	const struct kt_table_style *st = kt_table_get_style();
	size_t nc = t->ncols, kept = nc, sum = 0;
	for (size_t c = 0; c < nc; c++)
		sum += want[c];
	if (sum + COL_GAP * (nc - 1) <= avail) {
		for (size_t c = 0; c < nc; c++)
			f->w[c] = want[c];
		return;
	}
	/* who stays: as many columns as fit with their text readable (a name of 24 letters
	 * rather than one more figure; on a narrow terminal a third of it) */
	size_t *room = malloc(nc * sizeof *room);
	size_t readable = avail / 3 < TEXT_READABLE ? avail / 3 : TEXT_READABLE;
	sum = 0;
	for (size_t c = 0; c < nc; c++) {
		size_t r = t->cols[c].type == KT_COL_TEXT && f->cap[c] > least[c]
			? (f->cap[c] < readable ? f->cap[c] : readable) : least[c];
		if (room)
			room[c] = r > least[c] ? r : least[c];
		sum += room ? room[c] : least[c];
	}
	while (!st->wide && kept > 1 && sum + COL_GAP * (kept - 1) > avail) {
		size_t worst = nc;
		for (size_t c = 0; c < nc; c++)
			if (f->keep[c] && (worst == nc || eff_rank(&t->cols[c], c, title) >=
								eff_rank(&t->cols[worst], worst, title)))
				worst = c;
		f->keep[worst] = false;
		sum -= room ? room[worst] : least[worst];
		kept--;
		f->dropped++;
	}
	free(room);
	sum = 0;
	for (size_t c = 0; c < nc; c++)
		sum += f->keep[c] ? least[c] : 0;
	size_t used = sum + COL_GAP * (kept - 1);
	for (size_t c = 0; c < nc; c++)
		f->w[c] = least[c];
	/* the room left: first to the cells (less wrapping and cutting), then to the headers
	 * (fewer header lines) */
	for (int pass = 0; pass < 2; pass++)
		for (bool grew = true; grew && used < avail;) {
			grew = false;
			for (size_t c = 0; c < nc && used < avail; c++)
				if (f->keep[c] && f->w[c] < (pass ? want[c] : f->cap[c])) {
					f->w[c]++;
					used++;
					grew = true;
				}
		}
}

/* --- writing ------------------------------------------------------------------------------ */

static void put_line(struct text_line *tl, const struct kt_table *t, const struct fit *f,
	const struct lines *cells, size_t k, bool header)
{
	for (size_t c = 0; c < t->ncols; c++) {
		if (!f->keep[c])
			continue;
		const struct lines *x = &cells[c];
		bool has = k < x->n;
		tl_put(tl, has ? x->v[k].s : "", has ? x->v[k].w : 0, f->w[c],
			!header && kt_col_is_number(t->cols[c].type));
		tl->pending += COL_GAP;
	}
	tl_end(tl);
}

/* Writes the lines of one row (cells[0..ncols)), as many as its tallest cell. */
static void put_row(struct text_line *tl, const struct kt_table *t, const struct fit *f,
	const struct lines *cells, bool header)
{
	size_t height = 1;
	for (size_t c = 0; c < t->ncols; c++)
		if (f->keep[c] && cells[c].n > height)
			height = cells[c].n;
	for (size_t k = 0; k < height; k++)
		put_line(tl, t, f, cells, k, header);
}

/* "columns not shown: a, b (--wide shows all)" under the table. */
static void dropped_note(const struct kt_table *t, const struct kt_table_opts *o,
	const struct fit *f, FILE *out)
{
	const struct kt_table_style *st = kt_table_get_style();
	const char *fmt = st->dropped_note ? st->dropped_note
					   : "columns not shown: %s (--wide shows all)";
	size_t len = 1;
	for (size_t c = 0; c < t->ncols; c++)
		len += f->keep[c] ? 0 : strlen(kt_table_header(&t->cols[c], o->title, st->people)) + 2;
	char *names = malloc(len);
	if (!names)
		return;
	names[0] = '\0';
	for (size_t c = 0; c < t->ncols; c++)
		if (!f->keep[c]) {
			if (*names)
				strcat(names, ", ");
			strcat(names, kt_table_header(&t->cols[c], o->title, st->people));
		}
	const char *at = strstr(fmt, "%s");
	char *note = NULL;
	size_t len2 = 0;
	FILE *m = open_memstream(&note, &len2);
	if (m) {
		if (at)
			fprintf(m, "%.*s%s%s", (int)(at - fmt), fmt, names, at + 2);
		else
			fprintf(m, "%s %s", fmt, names);
		fclose(m);
	}
	struct lines l = {0}; /* wrapped to the terminal too */
	size_t indent = o->indent ? kt_utf8_width(o->indent, strlen(o->indent)) : 0;
	if (note && wrap_piece(&l, note, strlen(note), st->width > indent + 10 ? st->width - indent
										 : 10) == 0)
		for (size_t k = 0; k < l.n; k++)
			fprintf(out, "%s%s\n", o->indent ? o->indent : "", l.v[k].s);
	lines_release(&l);
	free(note);
	free(names);
}

int kt_table_write_text(const struct kt_table *t, const struct kt_table_opts *o, FILE *out)
{
	const struct kt_table_style *st = kt_table_get_style();
	size_t nc = t->ncols, ncells = t->nrows * nc;
	char **text = calloc(ncells + 1, sizeof *text);
	struct lines *cl = calloc(ncells + nc + 1, sizeof *cl), *hl = cl + ncells;
	size_t *want = calloc(nc * 4, sizeof *want), *least = want + nc;
	bool *keep = calloc(nc, sizeof *keep);
	struct fit f = {.w = want + 2 * nc, .cap = want + 3 * nc, .keep = keep};
	int rc = -1;
	if (!text || !cl || !want || !keep)
		goto out;
	bool terminal = st->width && st->width != KT_WIDTH_NONE;
	for (size_t c = 0; c < nc; c++) {
		const char *h = kt_table_header(&t->cols[c], o->title, st->people);
		want[c] = kt_utf8_width(h, strlen(h));
		least[c] = terminal ? longest_word(h) : want[c];
		keep[c] = true;
	}
	for (size_t c = 0; c < nc; c++) /* short ids on a terminal: in f.w until the widths */
		f.w[c] = terminal && !st->wide && t->cols[c].type == KT_COL_ID ? id_chars(t, c) : 0;
	for (size_t i = 0; i < ncells; i++) {
		char buf[96];
		const struct kt_col *col = &t->cols[i % nc];
		const char *s = kt_table_people_cell(col, t->cells[i], st->people, buf, sizeof buf);
		if (f.w[i % nc] && strlen(s) == UUID_LEN) {
			snprintf(buf, sizeof buf, "%.*s", (int)f.w[i % nc], s);
			s = buf;
		}
		if (!(text[i] = printable(s, o->fit == KT_FIT_WRAP)))
			goto out;
		size_t w = natural_width(text[i]);
		f.cap[i % nc] = w > f.cap[i % nc] ? w : f.cap[i % nc];
	}
	for (size_t c = 0; c < nc; c++) {
		const struct kt_col *col = &t->cols[c];
		if (col->max_width && f.cap[c] > col->max_width && st->width != KT_WIDTH_NONE)
			f.cap[c] = col->max_width;
		if (terminal) {
			size_t lw = col->type == KT_COL_TEXT && f.cap[c] > TEXT_MIN ? TEXT_MIN : f.cap[c];
			least[c] = lw > least[c] ? lw : least[c];
		}
		want[c] = f.cap[c] > want[c] ? f.cap[c] : want[c];
	}
	size_t indent = o->indent ? kt_utf8_width(o->indent, strlen(o->indent)) : 0;
	if (terminal)
		fit_terminal(t, o->title, st->width > indent ? st->width - indent : 1, want, least,
			&f);
	else
		memcpy(f.w, want, nc * sizeof *want);
	for (size_t i = 0; i < ncells; i++) {
		size_t c = i % nc, max = f.cap[c] && f.cap[c] < f.w[c] ? f.cap[c] : f.w[c];
		if (keep[c] && cell_lines(text[i], max, o->fit, &cl[i]) != 0)
			goto out;
	}
	for (size_t c = 0; o->fit == KT_FIT_CUT && c < nc; c++) {
		size_t max = f.cap[c] && f.cap[c] < f.w[c] ? f.cap[c] : f.w[c];
		if (keep[c] && max >= 8 && tell_apart(t, c, max, cl, text) != 0)
			goto out;
	}
	struct text_line tl = {.out = out, .indent = o->indent};
	if (!o->no_header) {
		for (size_t c = 0; c < nc; c++) {
			const char *h = kt_table_header(&t->cols[c], o->title, st->people);
			if (keep[c] && wrap_piece(&hl[c], h, strlen(h), f.w[c]) != 0)
				goto out;
		}
		put_row(&tl, t, &f, hl, true);
	}
	for (size_t r = 0; r < t->nrows; r++)
		put_row(&tl, t, &f, cl + r * nc, false);
	if (f.dropped)
		dropped_note(t, o, &f, out);
	rc = ferror(out) ? -1 : 0;
out:
	for (size_t i = 0; cl && i < ncells + nc; i++)
		lines_release(&cl[i]);
	for (size_t i = 0; text && i < ncells; i++)
		free(text[i]);
	free(text);
	free(cl);
	free(want);
	free(keep);
	return rc;
}
