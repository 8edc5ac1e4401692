/* plan_render: the renderings of plans, items and history (see plan_fmt.h). Each block is
 * a kt_table, so text, CSV and JSON all come from the same cells; plan show's JSON is the
 * one nested shape, built with jansson, with the server's *_json strings parsed into real
 * JSON values. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "kt_dates.h"
#include "plan_fmt.h"
#include "table_out.h"
#include "terms.h"
#include "kt_i18n.h"
#include "kt_server_text.h"

static const char *str_or(const char *s, const char *def) { return s && *s ? s : def; }

/* Appends s to buf (capacity n) after sep when buf is not empty. */
static void join(char *buf, size_t n, const char *sep, const char *s)
{
	size_t len = strlen(buf);
	if (len + 1 < n)
		snprintf(buf + len, n - len, "%s%s", len ? sep : "", s);
}

/* «приказ № 12 от 2023-09-01» from the act's parts; "" when none is set. */
static void act_text(const Karta__Plan *p, char *buf, size_t n)
{
	char part[160];
	buf[0] = '\0';
	join(buf, n, " ", p->act_kind);
	if (*p->act_number) {
		snprintf(part, sizeof part, "№ %s", p->act_number);
		join(buf, n, " ", part);
	}
	if (*p->act_date) {
		char day[64];
		kt_date_people(p->act_date, kt_table_get_style()->people, day, sizeof day);
		snprintf(part, sizeof part, "от %s", day);
		join(buf, n, " ", part);
	}
}

struct plan_fmt_out plan_fmt_out_of(const char *format, bool bom, bool with_deleted)
{
	struct plan_fmt_out o = {.format = KT_TABLE_TEXT, .bom = bom, .with_deleted = with_deleted};
	if (format && kt_table_format_parse(format, &o.format) != 0)
		o.format = KT_TABLE_TEXT;
	return o;
}

/* "ref", "derived", "deleted" (comma-joined); for people (the text table) in their words. */
static void item_marks(const Karta__Item *it, bool people, char *buf, size_t n)
{
	buf[0] = '\0';
	if (it->reference_only)
		join(buf, n, ",", people ? terms_q(N_("mark|ref")) : "ref");
	else if (*it->derived_from)
		join(buf, n, ",", people ? terms_q(N_("mark|derived")) : "derived");
	if (it->deleted)
		join(buf, n, ",", people ? terms_q(N_("mark|deleted")) : "deleted");
}

static bool visible(const Karta__Item *it, const struct plan_fmt_out *o)
{
	return !it->deleted || o->with_deleted;
}

/* --- JSON ------------------------------------------------------------------------------------ */

static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (!j) { /* not valid UTF-8: show it with U+FFFD rather than lose the field */
		char *v = kt_utf8_dup_valid(s);
		j = v ? json_string(v) : NULL;
		free(v);
	}
	return j;
}

/* A *_json field of the server parsed into JSON; null when empty, the text if unparsable. */
static json_t *jparsed(const char *s)
{
	if (!s || !*s)
		return json_null();
	json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
	return j ? j : jstr(s);
}

static json_t *plan_json(const Karta__Plan *p)
{
	char year[32];
	plan_fmt_year(p->academic_year, year, sizeof year);
	json_t *o = json_object();
	json_object_set_new(o, "id", jstr(p->id));
	json_object_set_new(o, "owner_code", jstr(p->owner_code));
	json_object_set_new(o, "level", jstr(plan_fmt_level(p->level)));
	json_object_set_new(o, "parent_plan_id", jstr(p->parent_plan_id));
	json_object_set_new(o, "title", jstr(p->title));
	json_object_set_new(o, "academic_year", json_integer(p->academic_year));
	json_object_set_new(o, "year", jstr(year));
	json_object_set_new(o, "act_kind", jstr(p->act_kind));
	json_object_set_new(o, "act_number", jstr(p->act_number));
	json_object_set_new(o, "act_date", jstr(p->act_date));
	json_object_set_new(o, "implements", jstr(p->implements));
	json_object_set_new(o, "status", jstr(p->status));
	json_object_set_new(o, "row_version", json_integer(p->row_version));
	json_object_set_new(o, "item_count", json_integer(p->item_count));
	json_object_set_new(o, "writable", json_boolean(p->writable));
	return o;
}

static json_t *item_json(const Karta__Item *it)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", jstr(it->id));
	json_object_set_new(o, "plan_id", jstr(it->plan_id));
	json_object_set_new(o, "section_id", jstr(it->section_id));
	json_object_set_new(o, "ordinal", json_integer(it->ordinal));
	json_object_set_new(o, "number", jstr(it->number));
	json_object_set_new(o, "parent_item_id", jstr(it->parent_item_id));
	json_object_set_new(o, "title", jstr(it->title));
	json_object_set_new(o, "deadline_text", jstr(it->deadline_text));
	json_object_set_new(o, "deadline", jparsed(it->deadline_json));
	json_object_set_new(o, "responsible_text", jstr(it->responsible_text));
	json_object_set_new(o, "responsible", jparsed(it->responsible_json));
	json_object_set_new(o, "municipal_action", jstr(it->municipal_action));
	json_object_set_new(o, "institutional_action", jstr(it->institutional_action));
	json_object_set_new(o, "result_text", jstr(it->result_text));
	json_object_set_new(o, "target_text", jstr(it->target_text));
	json_object_set_new(o, "targets", jparsed(it->targets_json));
	json_object_set_new(o, "derived_from", jstr(it->derived_from));
	json_object_set_new(o, "reference_only", json_boolean(it->reference_only));
	json_object_set_new(o, "deleted", json_boolean(it->deleted));
	json_object_set_new(o, "delete_reason", jstr(it->delete_reason));
	json_object_set_new(o, "row_version", json_integer(it->row_version));
	json_object_set_new(o, "updated_at", jstr(it->updated_at));
	json_object_set_new(o, "updated_by", jstr(it->updated_by));
	return o;
}

static json_t *section_json(const struct plan_fmt_doc *d, const Karta__Section *s,
	const struct plan_fmt_out *fo)
{
	json_t *o = json_object(), *items = json_array();
	json_object_set_new(o, "id", jstr(s->id));
	json_object_set_new(o, "ordinal", json_integer(s->ordinal));
	json_object_set_new(o, "number", jstr(s->number));
	json_object_set_new(o, "title", jstr(s->title));
	json_object_set_new(o, "row_version", json_integer(s->row_version));
	for (size_t i = 0; i < d->n_items; i++)
		if (strcasecmp(d->items[i]->section_id, s->id) == 0 && visible(d->items[i], fo))
			json_array_append_new(items, item_json(d->items[i]));
	json_object_set_new(o, "items", items);
	return o;
}

static int dump_json(json_t *j, FILE *out)
{
	int rc = j ? json_dumpf(j, out, JSON_INDENT(2)) : -1;
	json_decref(j);
	if (rc == 0)
		fputc('\n', out);
	return rc;
}

/* --- rendering helpers ----------------------------------------------------------------------- */

/* Writes t and frees it; "cannot write" on failure. */
static int emit(struct kt_table *t, enum kt_table_format f, const struct kt_table_opts *to,
	FILE *out)
{
	bool oom = !t;
	errno = 0;
	int rc = t ? kt_table_write(t, f, to, out) : -1;
	kt_table_free(t);
	if (rc == 0)
		return EXIT_OK;
	table_out_fail(oom ? "out of memory" : NULL);
	return EXIT_RUNTIME;
}

/* Writes t in o's format (xlsx: as the sheet title; the headers people read are the
 * labels of that table) and frees it. */
static int emit_as(struct kt_table *t, const struct plan_fmt_out *o,
	const struct kt_table_opts *to, const char *title, FILE *out)
{
	if (!t)
		table_out_fail(_("out of memory"));
	int rc = t ? table_out_write(t, o, to, title, out) : -1;
	kt_table_free(t);
	return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

static int add_row(struct kt_table *t, const char *const *cells)
{
	return t && kt_table_add(t, cells) == 0 ? 0 : -1;
}

/* A field/value block (plan header, item show): no header line, values wrapped at 90. */
static struct kt_table *kv_new(void)
{
	static const struct kt_col cols[] = {{"field", KT_COL_TEXT, 0}, {"value", KT_COL_TEXT, 90}};
	return kt_table_new(cols, 2);
}

static void kv(struct kt_table **t, const char *k, const char *v)
{
	const char *cells[2] = {k, v};
	if (*t && kt_table_add(*t, cells) != 0) {
		kt_table_free(*t);
		*t = NULL;
	}
}

/* --- plan list ------------------------------------------------------------------------------- */

int plan_fmt_list(const Karta__PlanList *l, const struct plan_fmt_out *o, FILE *out)
{
	static const struct kt_col cols[] = {
		{"id", KT_COL_ID, 0}, {"owner", KT_COL_TEXT, 0}, {"level", KT_COL_TEXT, 0},
		{"year", KT_COL_TEXT, 0}, {"status", KT_COL_TEXT, 0}, {"items", KT_COL_INT, 0},
		{"writable", KT_COL_BOOL, 0}, {"title", KT_COL_TEXT, 70},
	};
	struct kt_table *t = kt_table_new(cols, sizeof cols / sizeof cols[0]);
	for (size_t i = 0; t && i < l->n_plans; i++) {
		const Karta__Plan *p = l->plans[i];
		char year[32], items[16];
		plan_fmt_year(p->academic_year, year, sizeof year);
		snprintf(items, sizeof items, "%d", p->item_count);
		bool text = o->format == KT_TABLE_TEXT; /* machine formats keep the identifiers */
		const char *level = plan_fmt_level(p->level), *writable = p->writable ? "yes" : "no";
		const char *cells[] = {p->id, p->owner_code,
			text ? terms_word(TERMS_LEVEL, level) : level, year,
			text ? terms_word(TERMS_PLAN_STATUS, p->status) : p->status, items,
			text ? terms_word(TERMS_YES_NO, writable) : writable, p->title};
		if (add_row(t, cells) != 0) {
			kt_table_free(t);
			t = NULL;
		}
	}
	struct kt_table_opts to = {.fit = KT_FIT_CUT, .bom = o->bom};
	return emit_as(t, o, &to, "Планы", out);
}

/* --- plan show ------------------------------------------------------------------------------- */

enum { C_NUMBER, C_TITLE, C_DEADLINE, C_RESP, C_MUN, C_INST, C_RESULT, C_TARGET, C_MARK, C_N };

static const struct kt_col item_cols[C_N] = {
	[C_NUMBER] = {"number", KT_COL_TEXT, 10},
	[C_TITLE] = {"title", KT_COL_TEXT, 50},
	[C_DEADLINE] = {"deadline", KT_COL_TEXT, 24},
	[C_RESP] = {"responsible", KT_COL_TEXT, 28},
	[C_MUN] = {"municipal", KT_COL_TEXT, 30},
	[C_INST] = {"institutional", KT_COL_TEXT, 30},
	[C_RESULT] = {"result", KT_COL_TEXT, 30},
	[C_TARGET] = {"target", KT_COL_TEXT, 24},
	[C_MARK] = {"mark", KT_COL_TEXT, 0},
};

static void item_cells(const Karta__Item *it, const char *cells[C_N], char *mark, size_t n)
{
	item_marks(it, true, mark, n);
	cells[C_NUMBER] = it->number;
	cells[C_TITLE] = it->title;
	cells[C_DEADLINE] = it->deadline_text;
	cells[C_RESP] = it->responsible_text;
	cells[C_MUN] = it->municipal_action;
	cells[C_INST] = it->institutional_action;
	cells[C_RESULT] = it->result_text;
	cells[C_TARGET] = it->target_text;
	cells[C_MARK] = mark;
}

/* Columns shown for the whole plan: the four main ones always, the others when any shown
 * item has a value in them, so every section's table has the same columns. */
static size_t shown_columns(const struct plan_fmt_doc *d, const struct plan_fmt_out *o,
	size_t idx[C_N], struct kt_col cols[C_N])
{
	bool on[C_N] = {[C_NUMBER] = true, [C_TITLE] = true, [C_DEADLINE] = true, [C_RESP] = true};
	for (size_t i = 0; i < d->n_items; i++) {
		const char *cells[C_N];
		char mark[96];
		if (!visible(d->items[i], o))
			continue;
		item_cells(d->items[i], cells, mark, sizeof mark);
		for (size_t c = 0; c < C_N; c++)
			on[c] = on[c] || *cells[c];
	}
	size_t n = 0;
	for (size_t c = 0; c < C_N; c++)
		if (on[c]) {
			idx[n] = c;
			cols[n++] = item_cols[c];
		}
	return n;
}

static void section_heading(const Karta__Section *s, FILE *out)
{
	fprintf(out, "\n%s%s%s\n", s->number, *s->number && *s->title ? " " : "", s->title);
}

static struct kt_table *header_table(const Karta__Plan *p)
{
	char year[32], act[512], version[24];
	plan_fmt_year(p->academic_year, year, sizeof year);
	act_text(p, act, sizeof act);
	snprintf(version, sizeof version, "%lld", (long long)p->row_version);
	struct kt_table *t = kv_new();
	kv(&t, _("title"), p->title);
	kv(&t, _("owner"), p->owner_code);
	kv(&t, _("level"), terms_word(TERMS_LEVEL, plan_fmt_level(p->level)));
	kv(&t, _("year"), year);
	kv(&t, _("status"), terms_word(TERMS_PLAN_STATUS, p->status));
	kv(&t, _("act"), act);
	kv(&t, _("implements"), p->implements);
	kv(&t, _("parent"), p->parent_plan_id);
	kv(&t, _("version"), version);
	return t;
}

static int show_header(const Karta__Plan *p, FILE *out)
{
	struct kt_table_opts to = {.no_header = true};
	return emit(header_table(p), KT_TABLE_TEXT, &to, out);
}

static int show_text(const struct plan_fmt_doc *d, const struct plan_fmt_out *o, FILE *out)
{
	size_t idx[C_N];
	struct kt_col cols[C_N];
	size_t nc = shown_columns(d, o, idx, cols);
	if (show_header(d->plan, out) != EXIT_OK)
		return EXIT_RUNTIME;
	if (d->n_sections == 0)
		fprintf(out, _("\n(no sections)\n"));
	for (size_t s = 0; s < d->n_sections; s++) {
		const Karta__Section *sec = d->sections[s];
		struct kt_table *t = kt_table_new(cols, nc);
		section_heading(sec, out);
		for (size_t i = 0; t && i < d->n_items; i++) {
			const Karta__Item *it = d->items[i];
			const char *all[C_N], *cells[C_N];
			char mark[96];
			if (strcasecmp(it->section_id, sec->id) != 0 || !visible(it, o))
				continue;
			item_cells(it, all, mark, sizeof mark);
			for (size_t c = 0; c < nc; c++)
				cells[c] = all[idx[c]];
			if (add_row(t, cells) != 0) {
				kt_table_free(t);
				t = NULL;
			}
		}
		if (t && kt_table_rows(t) == 0) {
			kt_table_free(t);
			fprintf(out, _("(no items)\n"));
			continue;
		}
		if (emit(t, KT_TABLE_TEXT, NULL, out) != EXIT_OK)
			return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* CSV and xlsx: one flat row per item, its section repeated, with the ids a spreadsheet
 * user needs; xlsx has the plan's header on a sheet before it. */
static int show_csv(const struct plan_fmt_doc *d, const struct plan_fmt_out *o, FILE *out)
{
	if (o->format == KT_TABLE_XLSX && emit_as(header_table(d->plan), o, NULL, "План", out) != 0)
		return EXIT_RUNTIME;
	static const struct kt_col cols[] = {
		{"section", KT_COL_TEXT, 0}, {"section_title", KT_COL_TEXT, 0},
		{"id", KT_COL_TEXT, 0}, {"ordinal", KT_COL_INT, 0}, {"number", KT_COL_TEXT, 0},
		{"parent_item_id", KT_COL_TEXT, 0}, {"title", KT_COL_TEXT, 0},
		{"deadline", KT_COL_TEXT, 0}, {"responsible", KT_COL_TEXT, 0},
		{"municipal", KT_COL_TEXT, 0}, {"institutional", KT_COL_TEXT, 0},
		{"result", KT_COL_TEXT, 0}, {"target", KT_COL_TEXT, 0}, {"mark", KT_COL_TEXT, 0},
		{"derived_from", KT_COL_TEXT, 0}, {"delete_reason", KT_COL_TEXT, 0},
		{"version", KT_COL_INT, 0},
	};
	struct kt_table *t = kt_table_new(cols, sizeof cols / sizeof cols[0]);
	for (size_t i = 0; t && i < d->n_items; i++) {
		const Karta__Item *it = d->items[i];
		const Karta__Section *s = plan_fmt_section_by_id(d, it->section_id);
		char ord[16], ver[24], mark[32];
		if (!visible(it, o))
			continue;
		snprintf(ord, sizeof ord, "%d", it->ordinal);
		snprintf(ver, sizeof ver, "%lld", (long long)it->row_version);
		item_marks(it, false, mark, sizeof mark);
		const char *cells[] = {s ? s->number : "", s ? s->title : "", it->id, ord,
			it->number, it->parent_item_id, it->title, it->deadline_text,
			it->responsible_text, it->municipal_action, it->institutional_action,
			it->result_text, it->target_text, mark, it->derived_from, it->delete_reason,
			ver};
		if (add_row(t, cells) != 0) {
			kt_table_free(t);
			t = NULL;
		}
	}
	struct kt_table_opts to = {.bom = o->bom};
	return emit_as(t, o, &to, "Мероприятия", out);
}

int plan_fmt_show(const struct plan_fmt_doc *d, const struct plan_fmt_out *o, FILE *out)
{
	if (o->format == KT_TABLE_TEXT)
		return show_text(d, o, out);
	if (o->format == KT_TABLE_CSV || o->format == KT_TABLE_XLSX)
		return show_csv(d, o, out);
	json_t *root = json_object(), *secs = json_array();
	json_object_set_new(root, "plan", plan_json(d->plan));
	for (size_t s = 0; s < d->n_sections; s++)
		json_array_append_new(secs, section_json(d, d->sections[s], o));
	json_object_set_new(root, "sections", secs);
	if (dump_json(root, out) == 0)
		return EXIT_OK;
	table_out_fail(NULL);
	return EXIT_RUNTIME;
}

/* --- item show ------------------------------------------------------------------------------- */

/* "2023-11-01", "2024-07-01..2024-09-30", "..2023-11-01" (due by), "2023-09-01.."; for
 * people дд.мм.гггг */
static void window_text(json_t *w, char *buf, size_t n)
{
	bool people = kt_table_get_style()->people;
	char from[32], to[32];
	kt_date_people(json_string_value(json_object_get(w, "from")), people, from, sizeof from);
	kt_date_people(json_string_value(json_object_get(w, "to")), people, to, sizeof to);
	if (*from && *to && strcmp(from, to) == 0)
		snprintf(buf, n, "%s", from);
	else
		snprintf(buf, n, "%s..%s", from, to);
}

/* One line about the normalized deadline: kind, windows, recurrence, references. */
static void deadline_summary(const char *dj, char *buf, size_t n, char *warn, size_t wn)
{
	json_t *j = dj && *dj ? json_loads(dj, 0, NULL) : NULL, *v;
	size_t i;
	char part[300];
	buf[0] = warn[0] = '\0';
	if (!j)
		return;
	join(buf, n, "", terms_word(TERMS_DEADLINE, str_or(json_string_value(json_object_get(j, "kind")), "?")));
	json_array_foreach(json_object_get(j, "windows"), i, v) {
		window_text(v, part, sizeof part);
		join(buf, n, i ? ", " : ": ", part);
	}
	if ((v = json_object_get(j, "recurrence")) && json_is_string(v))
		join(buf, n, "; ", terms_word(TERMS_DEADLINE, json_string_value(v)));
	if ((v = json_object_get(j, "external")) && json_is_string(v)) {
		snprintf(part, sizeof part, _("per «%s»"), json_string_value(v));
		join(buf, n, "; ", part);
	}
	if ((v = json_object_get(j, "relative")) && json_is_string(v)) {
		snprintf(part, sizeof part, _("relative: «%s»"), json_string_value(v));
		join(buf, n, "; ", part);
	}
	char said[512]; /* the warnings are stored in English (kt_deadline): shown in the user's */
	json_array_foreach(json_object_get(j, "warnings"), i, v)
		join(warn, wn, "; ", kt_server_text(str_or(json_string_value(v), ""), said, sizeof said));
	json_decref(j);
}

/* "municipal_body, all_schools" from {"levels": [...]}. */
static void parties_summary(const char *rj, char *buf, size_t n)
{
	json_t *j = rj && *rj ? json_loads(rj, 0, NULL) : NULL, *v;
	size_t i;
	buf[0] = '\0';
	json_array_foreach(json_object_get(j, "levels"), i, v)
		join(buf, n, ", ", terms_word(TERMS_PARTY, str_or(json_string_value(v), "")));
	json_decref(j);
}

/* "all schools; groups: кластер 4; schools: sch11" from the targets JSON. */
static void targets_summary(const char *tj, char *buf, size_t n)
{
	json_t *j = tj && *tj ? json_loads(tj, 0, NULL) : NULL, *v;
	size_t i;
	static const char *const lists[] = {"groups", "schools"};
	static const char *const list_names[] = {N_("groups"), N_("schools")};
	buf[0] = '\0';
	if (json_is_true(json_object_get(j, "all_schools")))
		join(buf, n, "; ", _("all schools"));
	for (size_t k = 0; k < 2; k++) {
		char part[512] = "";
		json_array_foreach(json_object_get(j, lists[k]), i, v)
			join(part, sizeof part, ", ", str_or(json_string_value(v), ""));
		if (*part) {
			char line[600];
			snprintf(line, sizeof line, "%s: %s", _(list_names[k]), part);
			join(buf, n, "; ", line);
		}
	}
	json_decref(j);
}

static void kv_opt(struct kt_table **t, const char *k, const char *v)
{
	if (v && *v)
		kv(t, k, v);
}

int plan_fmt_item(const Karta__Item *it, const struct plan_fmt_out *o, FILE *out)
{
	return plan_fmt_item_with(it, o, NULL, NULL, out);
}

int plan_fmt_item_with(const Karta__Item *it, const struct plan_fmt_out *o,
	int (*more)(struct kt_table *t, void *arg), void *arg, FILE *out)
{
	if (o->format == KT_TABLE_JSON)
		return dump_json(item_json(it), out) == 0 ? EXIT_OK : EXIT_RUNTIME;
	char ord[16], ver[24], dl[1024], warn[1024], parties[256], targets[1024], upd[128],
		del[1100];
	snprintf(ord, sizeof ord, "%d", it->ordinal);
	snprintf(ver, sizeof ver, "%lld", (long long)it->row_version);
	deadline_summary(it->deadline_json, dl, sizeof dl, warn, sizeof warn);
	parties_summary(it->responsible_json, parties, sizeof parties);
	targets_summary(it->targets_json, targets, sizeof targets);
	char at[64]; /* for people: дд.мм.гггг ЧЧ:ММ in local time */
	kt_date_people(it->updated_at, kt_table_get_style()->people, at, sizeof at);
	if (*it->updated_by)
		snprintf(upd, sizeof upd, _("%s by %s"), at, it->updated_by);
	else
		snprintf(upd, sizeof upd, "%s", at);
	snprintf(del, sizeof del, _("yes: %s"), it->delete_reason);
	struct kt_table *t = kv_new();
	kv(&t, _("id"), it->id);
	kv(&t, _("plan"), it->plan_id);
	kv(&t, _("section"), it->section_id);
	kv(&t, _("ordinal"), ord);
	kv(&t, _("number"), it->number);
	kv_opt(&t, _("parent"), it->parent_item_id);
	kv(&t, _("title"), it->title);
	kv(&t, _("deadline"), it->deadline_text);
	kv_opt(&t, _("  parsed"), dl);
	kv_opt(&t, _("  warnings"), warn);
	kv(&t, _("responsible"), it->responsible_text);
	kv_opt(&t, _("  parties"), parties);
	kv_opt(&t, _("municipal"), it->municipal_action);
	kv_opt(&t, _("institutional"), it->institutional_action);
	kv_opt(&t, _("result"), it->result_text);
	kv_opt(&t, _("target"), it->target_text);
	kv_opt(&t, _("  targets"), targets);
	kv_opt(&t, _("derived from"), it->derived_from);
	if (it->reference_only)
		kv(&t, _("reference"), _("yes: carried from the parent plan, read-only here"));
	if (it->deleted)
		kv(&t, _("deleted"), del);
	kv(&t, _("version"), ver);
	kv(&t, _("updated"), upd);
	if (t && more && more(t, arg) != 0) {
		kt_table_free(t);
		t = NULL;
	}
	struct kt_table_opts to = {.no_header = true};
	return emit(t, KT_TABLE_TEXT, &to, out);
}

/* --- shared with item_view.c ----------------------------------------------------------------- */

json_t *plan_fmt_item_json(const Karta__Item *it) { return item_json(it); }

int plan_fmt_emit(struct kt_table *t, const struct plan_fmt_out *o,
	const struct kt_table_opts *to, const char *title, FILE *out)
{
	return emit_as(t, o, to, title, out);
}
