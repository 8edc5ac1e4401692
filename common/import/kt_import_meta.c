/* kt_import_meta: what the document says about itself, read from the text before the
 * table (the preamble): the issuing body, the approving act (kind, number, date — blank
 * in a draft's «№ ____ от «__» ____ 20__»), the title, the academic year, the higher act it
 * implements («Во исполнение приказа … от 27.09.2019 №1238 «…»»), the executors the act
 * lists and its contact («Исполнитель:»).
 * Invariant: values are kept as written (no case or spelling fixes); what is only
 * inferred (an academic year taken from «в 2024 году») is marked with a warning. */
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"
#include "kt_i18n.h"

/* Lines before the first table line: [0, n). */
size_t kt_preamble_len(const struct kt_ctx *c)
{
	size_t n = 0;
	int stop = c->table.first_line ? c->table.first_line : c->table.header_line;
	while (n < c->text->n && c->text->lines[n].no < stop)
		n++;
	return n;
}

const char *kt_preamble_line(const struct kt_ctx *c, size_t i)
{
	const struct kt_line *l = &c->text->lines[i];
	return l->len < META_LINE_MAX ? l->s : "";
}

const char *kt_skip_sp(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return s;
}

static char *norm(const struct kt_ctx *c, const char *s) { return kt_norm(c->dict, s); }

/* ---- acts ---- */

static const char *const months_gen[] = {"январ", "феврал", "март", "апрел", "ма", "июн", "июл",
	"август", "сентябр", "октябр", "ноябр", "декабр"};

/* A date at s: dd.mm.yyyy or «dd» месяца yyyy; ISO text or NULL. */
static char *parse_date(const char *s)
{
	s = kt_skip_sp(s);
	int d = 0, m = 0, y = 0;
	const char *p = s;
	if (*p == '\xc2' && (unsigned char)p[1] == 0xAB) /* « */
		p += 2;
	d = (int)strtol(p, (char **)&p, 10);
	if (*p == '\xc2' && (unsigned char)p[1] == 0xBB)
		p += 2;
	if (*p == '.') {
		m = (int)strtol(p + 1, (char **)&p, 10);
		if (*p == '.')
			y = (int)strtol(p + 1, (char **)&p, 10);
	} else {
		p = kt_skip_sp(p);
		for (int k = 0; k < 12 && !m; k++)
			if (kt_u8_casestarts(p, months_gen[k]))
				m = k + 1;
		while (*p && *p != ' ')
			p++;
		y = (int)strtol(p, NULL, 10);
	}
	if (y >= 0 && y < 100)
		y += 2000;
	if (d < 1 || d > 31 || m < 1 || m > 12 || y < 1990 || y > 2100)
		return NULL;
	char buf[16];
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	return strdup(buf);
}

/* Finds the word "от" (a standalone word) in s. */
static const char *find_ot(const char *s)
{
	const size_t n = strlen("от");
	for (const char *p = s; (p = strstr(p, "от")); p += n) {
		bool left = p == s || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n';
		bool right = p[n] == ' ' || p[n] == '\xc2' || (p[n] >= '0' && p[n] <= '9');
		if (left && right)
			return p;
	}
	return NULL;
}

/* The earliest of end-of-line and stop (when stop is after from). */
static const char *span_end(const char *from, const char *stop)
{
	const char *nl = strchr(from, '\n');
	const char *e = nl ? nl : from + strlen(from);
	return stop && stop > from && stop < e ? stop : e;
}

/* Number and date of an act from text like «№ 01-08/530 от 12.10.2023 г.». */
static void act_number_date(struct kt_import_act *a, const char *s)
{
	const char *no = strstr(s, "№");
	const char *ot = find_ot(s);
	if (no && !a->number_text) {
		const char *end = span_end(no, ot), *quote = strstr(no, "«");
		if (quote && quote < end)
			end = quote;
		char *raw = kt_strdup_n(no, (size_t)(end - no));
		a->number_text = raw ? kt_norm(NULL, raw) : NULL;
		free(raw);
		const char *v = kt_skip_sp(no + strlen("№"));
		size_t n = 0;
		while (v + n < end && v[n] != ' ' && v[n] != ',' && strncmp(v + n, "\xc2\xab", 2))
			n++;
		while (n > 0 && (v[n - 1] == '.' || v[n - 1] == ';'))
			n--;
		bool digit = false, blank = false;
		for (size_t i = 0; i < n; i++)
			digit |= v[i] >= '0' && v[i] <= '9', blank |= v[i] == '_';
		if (digit && !blank)
			a->number = kt_strdup_n(v, n);
	}
	if (ot && !a->date_text) {
		const char *end = span_end(ot, no);
		char *raw = kt_strdup_n(ot, (size_t)(end - ot));
		a->date_text = raw ? kt_norm(NULL, raw) : NULL;
		free(raw);
		if (a->date_text && !strchr(a->date_text, '_'))
			a->date = parse_date(a->date_text + strlen("от"));
	}
}

static bool is_act_kind_line(const char *s, char **kind)
{
	static const char *const kinds[] = {"приказ", "постановление", "распоряжение", "решение", NULL};
	char letters[64];
	size_t n = 0;
	for (const char *p = s; *p;) {
		const char *q = p;
		uint32_t ch = kt_u8_next(&p);
		if (kt_u_is_space(ch))
			continue;
		if (!kt_u_is_letter(ch) || n + (size_t)(p - q) >= sizeof letters)
			return false;
		n += kt_u8_put(letters + n, kt_u_lower(ch));
	}
	letters[n] = '\0';
	for (size_t k = 0; kinds[k]; k++)
		if (strcmp(letters, kinds[k]) == 0) {
			*kind = strdup(kinds[k]);
			return true;
		}
	return false;
}

static bool names_body(const char *s)
{
	static const char *const kw[] = {"департамент", "управлени", "министерств", "комитет",
		"администраци", "отдел образования", NULL};
	for (size_t k = 0; kw[k]; k++)
		if (kt_u8_casestr(s, kw[k]))
			return true;
	return false;
}

/* Up to max non-blank lines from i joined by '\n', as a new string. */
static char *join_lines(const struct kt_ctx *c, size_t i, size_t n, size_t max, bool stop_blank)
{
	struct kt_sbuf b = {0};
	for (size_t k = 0; i < n && k < max; i++) {
		if (kt_blank(kt_preamble_line(c, i))) {
			if (stop_blank && b.len)
				break;
			continue;
		}
		if (b.len)
			kt_sb_putc(&b, '\n');
		kt_sb_puts(&b, kt_preamble_line(c, i));
		k++;
	}
	return kt_sb_take(&b);
}

static void approval(struct kt_ctx *c, size_t n)
{
	struct kt_import_document *d = &c->plan->doc;
	for (size_t i = 0; i < n && !d->has_approval; i++) {
		char *kind = NULL;
		const char *s = kt_preamble_line(c, i);
		const char *by = kt_u8_casestr(s, "утвержден");
		if (is_act_kind_line(s, &kind)) {
			d->has_approval = true;
			d->approval.kind = kind;
			d->approval.line = c->text->lines[i].no;
			for (size_t k = 0; k < i; k++)
				if (names_body(kt_preamble_line(c, k))) {
					free(d->issuer);
					d->issuer = norm(c, kt_preamble_line(c, k));
				}
			d->approval.issuer = d->issuer ? strdup(d->issuer) : NULL;
			for (size_t k = i + 1, seen = 0; k < n && seen < 2; k++) {
				if (kt_blank(kt_preamble_line(c, k)))
					continue;
				seen++;
				if (strlen(kt_preamble_line(c, k)) < 400)
					act_number_date(&d->approval, kt_preamble_line(c, k));
			}
		} else if (by) {
			static const char *const forms[][2] = {{"приказом", "приказ"},
				{"распоряжением", "распоряжение"}, {"постановлением", "постановление"}};
			char *text = join_lines(c, i, n, 5, true);
			if (!text) {
				c->oom = true;
				return;
			}
			for (size_t f = 0; f < 3 && !d->has_approval; f++) {
				const char *kp = kt_u8_casestr(text, forms[f][0]);
				if (!kp)
					continue;
				d->has_approval = true;
				d->approval.line = c->text->lines[i].no;
				d->approval.kind = strdup(forms[f][1]);
				const char *iss = kp + strlen(forms[f][0]);
				const char *no = strstr(iss, "№"), *ot = find_ot(iss);
				const char *end = no && (!ot || no < ot) ? no : ot ? ot : iss + strlen(iss);
				char *raw = kt_strdup_n(iss, (size_t)(end - iss));
				d->issuer = raw ? norm(c, raw) : NULL;
				d->approval.issuer = d->issuer ? strdup(d->issuer) : NULL;
				free(raw);
				act_number_date(&d->approval, iss);
			}
			free(text);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = kt_skip_sp(kt_preamble_line(c, i));
		if (kt_u8_casestarts(s, "об утверждении") || kt_u8_casestarts(s, "о утверждении")) {
			char *text = join_lines(c, i, n, 6, true);
			if (d->has_approval && !d->approval.title)
				d->approval.title = text ? norm(c, text) : NULL;
			free(text);
			break;
		}
	}
}

/* ---- title and academic year ---- */

static bool title_start(const char *s)
{
	s = kt_skip_sp(s);
	return kt_u8_casestarts(s, "план") || kt_u8_casestarts(s, "дорожная карта") ||
		kt_u8_casestarts(s, "«дорожная карта") || kt_u8_casestarts(s, "комплекс мер");
}

static bool title_stop(const char *s)
{
	s = kt_skip_sp(s);
	return kt_u8_casestr(s, "сокращени") || kt_u8_casestarts(s, "приложение") ||
		kt_u8_casestarts(s, "утвержден") || kt_u8_casestarts(s, "согласован");
}

static void plan_title(struct kt_ctx *c, size_t n)
{
	size_t at = n;
	for (size_t i = 0; i < n; i++)
		if (title_start(kt_preamble_line(c, i)))
			at = i;
	if (at == n)
		return;
	struct kt_sbuf b = {0};
	size_t blanks = 0;
	for (size_t i = at, k = 0; i < n && k < 8; i++) {
		const char *s = kt_preamble_line(c, i);
		if (kt_blank(s)) {
			if (++blanks >= 2)
				break;
			continue;
		}
		if (i > at && title_stop(s))
			break;
		blanks = 0;
		kt_sb_putc(&b, '\n');
		kt_sb_puts(&b, s);
		k++;
	}
	char *raw = kt_sb_take(&b);
	c->plan->doc.title = raw ? norm(c, raw) : NULL;
	free(raw);
}

/* "2019 – 2020 учебн…" / "2019/20 уч…" in s: the first year, else 0. */
static int year_pair(const char *s, int *second)
{
	for (const char *p = s; *p; p++) {
		if (!(p[0] >= '1' && p[0] <= '2' && (p[1] == '0' || p[1] == '9')))
			continue;
		if (p > s && p[-1] >= '0' && p[-1] <= '9')
			continue;
		char *e;
		long y1 = strtol(p, &e, 10);
		if (e - p != 4)
			continue;
		const char *q = e;
		while (*q == ' ' || *q == '/' || *q == '-' || strncmp(q, "–", strlen("–")) == 0 ||
			strncmp(q, "—", strlen("—")) == 0)
			q += (*q == ' ' || *q == '/' || *q == '-') ? 1 : strlen("–");
		if (q == e || !(*q >= '0' && *q <= '9'))
			continue;
		long y2 = strtol(q, &e, 10);
		if (e - q == 2)
			y2 += (y1 / 100) * 100;
		else if (e - q != 4)
			continue;
		q = kt_skip_sp(e);
		if (kt_u8_casestarts(q, "уч") || kt_u8_casestarts(q, "г")) {
			*second = (int)y2;
			return (int)y1;
		}
	}
	return 0;
}

/* "в 2024 году" / "2024 год": an exam year, else 0. */
static int exam_year(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (!(p[0] == '2' && p[1] == '0') || (p > s && p[-1] >= '0' && p[-1] <= '9'))
			continue;
		char *e;
		long y = strtol(p, &e, 10);
		if (e - p == 4 && kt_u8_casestarts(kt_skip_sp(e), "год"))
			return (int)y;
	}
	return 0;
}

static void academic_year(struct kt_ctx *c, size_t n)
{
	struct kt_import_document *d = &c->plan->doc;
	const char *cands[3] = {d->title, d->approval.title, NULL};
	int y1 = 0, y2 = 0, line_no = 0;
	for (size_t k = 0; k < 2 && !y1; k++)
		if (cands[k])
			y1 = year_pair(cands[k], &y2);
	for (size_t i = 0; i < n && !y1; i++)
		if ((y1 = year_pair(kt_preamble_line(c, i), &y2)))
			line_no = c->text->lines[i].no;
	if (!y1) {
		int ey = 0;
		for (size_t k = 0; k < 2 && !ey; k++)
			if (cands[k])
				ey = exam_year(cands[k]);
		if (ey) {
			y1 = ey - 1;
			y2 = ey;
			kt_warn(c, 0, "academic_year_inferred", _("academic year %d-%d inferred from the "
				"exam year %d in the title"), y1, y2, ey);
		}
	}
	if (!y1) {
		kt_warn(c, 0, "academic_year_missing", _("academic year not found; months without a "
			"year stay undated"));
		return;
	}
	if (y2 != y1 + 1)
		kt_warn(c, line_no, "academic_year_odd", _("academic year %d-%d does not span two "
			"consecutive years"), y1, y2);
	char buf[32];
	snprintf(buf, sizeof buf, "%d-%d", y1, y2);
	d->academic_year = strdup(buf);
	d->year_first = y1;
}

/* ---- the higher act («Во исполнение приказа …») ---- */

static const char *const kind_forms[][2] = {{"приказа", "приказ"},
	{"распоряжения", "распоряжение"}, {"постановления", "постановление"},
	{"решения", "решение"}, {"письма", "письмо"}, {"плана", "план"}};

static void implements(struct kt_ctx *c, size_t n)
{
	struct kt_import_document *d = &c->plan->doc;
	for (size_t i = 0; i < n; i++) {
		const char *at = kt_u8_casestr(kt_preamble_line(c, i), "во исполнение");
		if (!at)
			continue;
		char *text = join_lines(c, i, n, 4, true);
		if (!text) {
			c->oom = true;
			return;
		}
		const char *s = kt_skip_sp(kt_u8_casestr(text, "во исполнение") + strlen("во исполнение"));
		struct kt_import_act *a = &d->implements;
		d->has_implements = true;
		a->line = c->text->lines[i].no;
		const char *we = s;
		while (*we && *we != ' ' && *we != '\n')
			we++;
		for (size_t k = 0; k < sizeof kind_forms / sizeof kind_forms[0] && !a->kind; k++)
			if (kt_u8_casestarts(s, kind_forms[k][0]) &&
				(size_t)(we - s) == strlen(kind_forms[k][0]))
				a->kind = strdup(kind_forms[k][1]);
		if (!a->kind)
			a->kind = kt_strdup_n(s, (size_t)(we - s));
		const char *no = strstr(we, "№"), *ot = find_ot(we);
		const char *iend = no && (!ot || no < ot) ? no : ot ? ot : we;
		char *raw = kt_strdup_n(we, (size_t)(iend - we));
		a->issuer = raw ? norm(c, raw) : NULL;
		free(raw);
		act_number_date(a, we);
		/* the quote runs to the end of the act's «title», if it has one */
		const char *after = no && ot ? (no > ot ? no : ot) : no ? no : ot ? ot : we;
		const char *open = strstr(after, "«"), *end = NULL;
		if (open) {
			int depth = 0;
			for (const char *p = open; *p;) {
				const char *q = p;
				uint32_t ch = kt_u8_next(&p);
				if (ch == 0xAB)
					depth++;
				if (ch == 0xBB && --depth == 0) {
					end = p;
					(void)q;
					break;
				}
			}
		}
		if (end) {
			/* without the outer «» */
			char *t = kt_strdup_n(open + strlen("«"), (size_t)(end - open) - 2 * strlen("«"));
			a->title = t ? norm(c, t) : NULL;
			free(t);
		} else {
			end = span_end(after, NULL);
		}
		raw = kt_strdup_n(s, (size_t)(end - s));
		a->quote = raw ? norm(c, raw) : NULL;
		free(raw);
		free(text);
		return;
	}
}

/* ---- executors listed in the act («Руководителям: … «СОШ №1» (директор А.В.Петряев)») ---- */

static void add_executor(struct kt_ctx *c, const char *type, const char *name, size_t nlen,
	const char *head, size_t hlen, int line_no)
{
	struct kt_import_document *d = &c->plan->doc;
	if (d->n_executors >= 200)
		return;
	struct kt_import_executor *v = realloc(d->executors, (d->n_executors + 1) * sizeof *v);
	if (!v) {
		c->oom = true;
		return;
	}
	d->executors = v;
	struct kt_import_executor *e = &v[d->n_executors++];
	memset(e, 0, sizeof *e);
	e->line = line_no;
	e->type = type ? strdup(type) : NULL;
	char *raw = kt_strdup_n(name, nlen);
	e->name = raw ? norm(c, raw) : NULL;
	free(raw);
	if (!head)
		return;
	/* the head's name starts at the first initial ("А.В.Петряев") */
	const char *p = head, *end = head + hlen, *person = NULL;
	while (p < end && !person) {
		const char *q = p;
		uint32_t ch = kt_u8_next(&p);
		if (kt_u_is_upper(ch) && *p == '.' && (q == head || q[-1] == ' '))
			person = q;
	}
	if (person) {
		raw = kt_strdup_n(head, (size_t)(person - head));
		e->head_role = raw ? norm(c, raw) : NULL;
		free(raw);
		raw = kt_strdup_n(person, (size_t)(end - person));
		e->head = raw ? norm(c, raw) : NULL;
	} else {
		raw = kt_strdup_n(head, hlen);
		e->head_role = raw ? norm(c, raw) : NULL;
	}
	free(raw);
}

static void executors_in_line(struct kt_ctx *c, const char *s, char **type, int line_no)
{
	const char *p = kt_skip_sp(s);
	if (*p == '-' || strncmp(p, "–", strlen("–")) == 0) {
		const char *colon = strchr(p, ':');
		if (colon) {
			const char *t = kt_skip_sp(p + (*p == '-' ? 1 : strlen("–")));
			char *raw = kt_strdup_n(t, (size_t)(colon - t));
			free(*type);
			*type = raw ? kt_norm(NULL, raw) : NULL;
			free(raw);
			p = colon + 1;
		}
	}
	while ((p = strstr(p, "«"))) {
		const char *start = p, *end = NULL;
		int depth = 0;
		for (const char *q = p; *q;) {
			uint32_t ch = kt_u8_next(&q);
			depth += ch == 0xAB ? 1 : ch == 0xBB ? -1 : 0;
			if (ch == 0xBB && depth == 0) {
				end = q;
				break;
			}
		}
		if (!end)
			return;
		/* «№5 «Гимназия»»: a number written just before the name belongs to it */
		const char *b = start;
		while (b > s && b[-1] == ' ')
			b--;
		const char *nb = b;
		while (nb > s && nb[-1] >= '0' && nb[-1] <= '9')
			nb--;
		if (nb < b && nb >= s + strlen("№") && strncmp(nb - strlen("№"), "№", strlen("№")) == 0)
			start = nb - strlen("№");
		const char *h = kt_skip_sp(end), *head = NULL;
		size_t hlen = 0;
		if (*h == '(') {
			const char *close = strchr(h, ')');
			if (close) {
				head = h + 1;
				hlen = (size_t)(close - head);
				end = close + 1;
			}
		}
		add_executor(c, *type, start, (size_t)((head ? h : end) - start), head, hlen, line_no);
		p = end;
	}
}

static void executors(struct kt_ctx *c, size_t n)
{
	char *type = NULL;
	bool on = false;
	for (size_t i = 0; i < n; i++) {
		const char *s = kt_skip_sp(kt_preamble_line(c, i));
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s == '.')
			s = kt_skip_sp(s + 1);
		if (!on && (kt_u8_casestarts(s, "руководителям") || kt_u8_casestarts(s, "директорам") ||
			kt_u8_casestarts(s, "заведующим")))
			on = true;
		if (!on)
			continue;
		executors_in_line(c, kt_preamble_line(c, i), &type, c->text->lines[i].no);
		if (kt_u8_casestr(kt_preamble_line(c, i), "обеспечить"))
			break;
	}
	free(type);
}

static void contact(struct kt_ctx *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = kt_skip_sp(kt_preamble_line(c, i));
		if (!kt_u8_casestarts(s, "исполнитель"))
			continue;
		const char *colon = strchr(s, ':');
		if (colon && !kt_blank(colon + 1)) {
			c->plan->doc.contact = norm(c, colon + 1);
			return;
		}
		for (size_t k = i + 1; k < n && k < i + 4; k++)
			if (!kt_blank(kt_preamble_line(c, k))) {
				c->plan->doc.contact = norm(c, kt_preamble_line(c, k));
				return;
			}
		return;
	}
}

void kt_meta_extract(struct kt_ctx *c)
{
	size_t n = kt_preamble_len(c);
	approval(c, n);
	plan_title(c, n);
	if (!c->plan->doc.title && c->plan->doc.approval.title)
		c->plan->doc.title = strdup(c->plan->doc.approval.title);
	academic_year(c, n);
	implements(c, n);
	executors(c, n);
	contact(c, n);
}
