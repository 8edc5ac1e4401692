/* report_parse: status words and evidence text (see report_parse.h). The text is read with
 * common/kt_ru_text's tokenizer, so case, «ё», Latin look-alikes and every kind of dash
 * are handled the way the deadline parser handles them. */
#include "report_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_dates.h"
#include "kt_ru_text.h"
#include "kt_table.h"
#include "kt_i18n.h"

/* --- status words ----------------------------------------------------------------------- */

static const struct {
	const char *key; /* folded words joined by '_' */
	const char *status;
} status_words[] = {
	{"not_started", "not_started"}, {"in_progress", "in_progress"}, {"done", "done"},
	{"not_applicable", "not_applicable"}, {"blocked", "blocked"},
	{"не_начато", "not_started"}, {"не_начат", "not_started"}, {"не_начата", "not_started"},
	{"не_приступали", "not_started"},
	{"в_работе", "in_progress"}, {"выполняется", "in_progress"}, {"в_процессе", "in_progress"},
	{"начато", "in_progress"},
	{"выполнено", "done"}, {"сделано", "done"}, {"исполнено", "done"}, {"готово", "done"},
	{"не_требуется", "not_applicable"}, {"неприменимо", "not_applicable"},
	{"не_применимо", "not_applicable"}, {"не_актуально", "not_applicable"},
	{"заблокировано", "blocked"}, {"блокировано", "blocked"}, {"приостановлено", "blocked"},
};

const char *report_status_word(const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s);
	if (len == 0 || len > 200)
		return NULL;
	static struct kt_ru_toks t; /* large: not on the stack */
	kt_ru_tokenize(s, len, &t);
	if (t.truncated || t.bad_utf8)
		return NULL;
	char key[256] = "";
	size_t k = 0;
	for (unsigned i = 0; i < t.n; i++) {
		const struct kt_ru_tok *x = &t.t[i];
		if (x->type == KT_RU_DASH || (x->type == KT_RU_OTHER && s[x->start] == '_'))
			continue; /* separators, like the spaces between words */
		if (x->type != KT_RU_WORD)
			return NULL;
		size_t wl = strlen(x->w);
		if (k + wl + 2 > sizeof key)
			return NULL;
		if (k)
			key[k++] = '_';
		memcpy(key + k, x->w, wl + 1);
		k += wl;
	}
	for (size_t i = 0; i < sizeof status_words / sizeof status_words[0]; i++)
		if (strcmp(key, status_words[i].key) == 0)
			return status_words[i].status;
	return NULL;
}

/* --- document references ------------------------------------------------------------------- */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int dim(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d[m - 1] + (m == 2 && leap);
}

static bool tok_is(const struct kt_ru_toks *t, unsigned i, enum kt_ru_tok_type type)
{
	return i < t->n && t->t[i].type == type;
}

static bool num_of(const struct kt_ru_toks *t, unsigned i, unsigned min_digits,
	unsigned max_digits)
{
	return tok_is(t, i, KT_RU_NUM) && t->t[i].ndigits >= min_digits &&
		t->t[i].ndigits <= max_digits;
}

/* A date starting at token i: 1 found (y, m, d set; *end = the token after it), 0 none,
 * -1 one that is not a day (err says which). */
static int date_at(const char *text, const struct kt_ru_toks *t, unsigned i, int *y, int *m,
	int *d, unsigned *end, char *err, size_t errlen)
{
	long yy, mm, dd;
	unsigned last;
	if (num_of(t, i, 1, 2) && tok_is(t, i + 1, KT_RU_DOT) && num_of(t, i + 2, 1, 2) &&
	    tok_is(t, i + 3, KT_RU_DOT) && (num_of(t, i + 4, 4, 4) || num_of(t, i + 4, 2, 2))) {
		dd = t->t[i].value, mm = t->t[i + 2].value, yy = t->t[i + 4].value;
		if (t->t[i + 4].ndigits == 2)
			yy += 2000;
		last = i + 4;
	} else if (num_of(t, i, 4, 4) && tok_is(t, i + 1, KT_RU_DASH) && num_of(t, i + 2, 1, 2) &&
		   tok_is(t, i + 3, KT_RU_DASH) && num_of(t, i + 4, 1, 2)) {
		yy = t->t[i].value, mm = t->t[i + 2].value, dd = t->t[i + 4].value;
		last = i + 4;
	} else if (num_of(t, i, 1, 2) && tok_is(t, i + 1, KT_RU_WORD) &&
		   kt_ru_month(t->t[i + 1].w, NULL) && num_of(t, i + 2, 4, 4)) {
		dd = t->t[i].value, mm = kt_ru_month(t->t[i + 1].w, NULL), yy = t->t[i + 2].value;
		last = i + 2;
	} else {
		return 0;
	}
	*end = last + 1;
	if (yy < 1900 || yy > 2999 || mm < 1 || mm > 12 || dd < 1 || dd > dim((int)yy, (int)mm)) {
		unsigned a = t->t[i].start, b = t->t[last].end;
		snprintf(err, errlen, _("'%.*s' is not a day"), (int)(b - a), text + a);
		return -1;
	}
	*y = (int)yy, *m = (int)mm, *d = (int)dd;
	return 1;
}

/* The number sign at token i: «№», «#», or a Latin «N» / «No» (and its dot) before a
 * number. Returns the index of the first token after the sign, or 0 when i is none. */
static unsigned sign_at(const char *text, const struct kt_ru_toks *t, unsigned i)
{
	const struct kt_ru_tok *x = &t->t[i];
	if (x->type == KT_RU_OTHER) {
		size_t n = x->end - x->start;
		if ((n == 3 && memcmp(text + x->start, "\xE2\x84\x96", 3) == 0) ||
		    (n == 1 && text[x->start] == '#'))
			return i + 1;
		return 0;
	}
	if (x->type == KT_RU_WORD && (strcmp(x->w, "n") == 0 || strcmp(x->w, "no") == 0)) {
		unsigned j = i + 1;
		if (tok_is(t, j, KT_RU_DOT))
			j++;
		return tok_is(t, j, KT_RU_NUM) ? j : 0;
	}
	return 0;
}

int report_parse_document(const char *text, struct report_doc *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof *d);
	const char *s = text ? text : "";
	while (is_space(*s))
		s++;
	size_t len = strlen(s);
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0) {
		snprintf(err, errlen, _("the evidence text is empty"));
		return -1;
	}
	if (len >= sizeof d->title) {
		snprintf(err, errlen, _("the evidence text is longer than %d characters"),
			REPORT_DOC_TEXT_MAX);
		return -1;
	}
	len = kt_ru_copy_clean(d->title, sizeof d->title, s, len);
	if (utf8_chars(d->title) > REPORT_DOC_TEXT_MAX) {
		snprintf(err, errlen, _("the evidence text is longer than %d characters"),
			REPORT_DOC_TEXT_MAX);
		return -1;
	}
	static struct kt_ru_toks t; /* large: not on the stack */
	kt_ru_tokenize(d->title, len, &t);
	const char *tx = d->title;

	/* The number: after the first sign, up to the next space or comma. */
	unsigned after_number = 0, i;
	bool has_sign = false;
	for (i = 0; i < t.n && !has_sign; i++) {
		unsigned j = sign_at(tx, &t, i);
		if (!j)
			continue;
		has_sign = true;
		size_t a = j < t.n ? t.t[j].start : len, b = a;
		while (b < len && !is_space(tx[b]) && tx[b] != ',' && tx[b] != ';')
			b++;
		while (b > a && (tx[b - 1] == '.' || tx[b - 1] == ','))
			b--;
		kt_ru_copy_clean(d->number, sizeof d->number, tx + a, b - a);
		for (after_number = j; after_number < t.n && t.t[after_number].start < b;)
			after_number++;
	}

	/* The date: right after «от» when the text has one, else the first date after the
	 * number (or anywhere when there is no number). */
	int y = 0, m = 0, dd = 0, rc = 0;
	unsigned end;
	bool has_ot = false;
	for (i = after_number; i < t.n && rc == 0; i++)
		if (t.t[i].type == KT_RU_WORD && strcmp(t.t[i].w, "от") == 0) {
			has_ot = true;
			rc = date_at(tx, &t, i + 1, &y, &m, &dd, &end, err, errlen);
		}
	for (i = after_number; !has_ot && i < t.n && rc == 0; i++)
		rc = date_at(tx, &t, i, &y, &m, &dd, &end, err, errlen);
	if (rc < 0)
		return -1;
	if (rc > 0)
		snprintf(d->date, sizeof d->date, "%04d-%02d-%02d", y, m, dd);

	/* The kind: the first word of a text that is a reference. */
	if ((has_sign || rc > 0) && t.n > 0 && t.t[0].type == KT_RU_WORD &&
	    !(has_sign && sign_at(tx, &t, 0)))
		snprintf(d->kind, sizeof d->kind, "%s", t.t[0].w);
	return 0;
}

/* A JSON string of s with bytes that are not UTF-8 replaced (json_string refuses them). */
static json_t *jstr(const char *s, size_t n)
{
	char *c = malloc(n + 1);
	if (!c)
		return NULL;
	memcpy(c, s, n);
	c[n] = '\0';
	char *v = kt_utf8_dup_valid(c);
	json_t *j = v ? json_string(v) : NULL;
	free(c);
	free(v);
	return j;
}

json_t *report_evidence_json(const struct report_doc *doc, const char *attachment,
	long long count, const char *const *records, size_t n_records, bool *oom)
{
	*oom = false;
	if (!doc && !attachment && count < 0 && n_records == 0)
		return NULL;
	json_t *e = json_object();
	bool ok = e != NULL;
	if (ok && doc) {
		json_t *o = json_object();
		ok = o && json_object_set_new(e, "document", o) == 0;
		if (ok && *doc->kind)
			ok = json_object_set_new(o, "kind", json_string(doc->kind)) == 0;
		if (ok && *doc->number)
			ok = json_object_set_new(o, "number", json_string(doc->number)) == 0;
		if (ok && *doc->date)
			ok = json_object_set_new(o, "date", json_string(doc->date)) == 0;
		if (ok && *doc->title)
			ok = json_object_set_new(o, "title", json_string(doc->title)) == 0;
	}
	if (ok && attachment) {
		const char *name = attachment, *p;
		size_t n = strlen(attachment);
		while (n > 0 && attachment[n - 1] == '/')
			n--;
		for (p = attachment; p < attachment + n; p++)
			if (*p == '/' || *p == '\\')
				name = p + 1;
		json_t *o = json_object();
		ok = o && json_object_set_new(e, "attachment", o) == 0 &&
			json_object_set_new(o, "ref", jstr(attachment, strlen(attachment))) == 0;
		if (ok && name < attachment + n)
			ok = json_object_set_new(o, "name",
				jstr(name, (size_t)(attachment + n - name))) == 0;
	}
	if (ok && count >= 0)
		ok = json_object_set_new(e, "count", json_integer(count)) == 0;
	if (ok && n_records) {
		json_t *a = json_array();
		ok = a && json_object_set_new(e, "records", a) == 0;
		for (size_t i = 0; ok && i < n_records; i++)
			ok = json_array_append_new(a, jstr(records[i], strlen(records[i]))) == 0;
	}
	if (!ok) {
		json_decref(e);
		*oom = true;
		return NULL;
	}
	return e;
}

void report_short_time(const char *ts, bool people, char *buf, size_t n)
{
	const char *s = ts ? ts : "";
	if (people && *s) { /* a Russian reader: дд.мм.гггг ЧЧ:ММ in local time, with the zone */
		char local[64];
		kt_date_people(s, true, local, sizeof local);
		if (strcmp(local, s) != 0) {
			snprintf(buf, n, "%s", local);
			return;
		}
	}
	bool stamp = strlen(s) >= 16 && (s[10] == ' ' || s[10] == 'T') && s[4] == '-' &&
		s[13] == ':';
	snprintf(buf, n, "%.*s%s%.*s", stamp ? 10 : (int)strlen(s), s, stamp ? " " : "",
		stamp ? 5 : 0, stamp ? s + 11 : "");
}
