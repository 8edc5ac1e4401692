/* kt_import_model: the plan's memory (sections, items, warnings, acts) and its JSON form.
 * Invariant: every pointer in a plan is owned by it and released only here; the JSON
 * mirrors the structs field for field, with null for absent text, so a later database
 * writer can take either. Warnings beyond KT_IMPORT_MAX_WARNINGS are counted, not kept. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_import_int.h"
#include "kt_parties.h"
#include "kt_grow.h"

struct kt_import_plan *kt_plan_new(void)
{
	return calloc(1, sizeof(struct kt_import_plan));
}

void kt_warn(struct kt_ctx *c, int line, const char *code, const char *fmt, ...)
{
	struct kt_import_plan *p = c->plan;
	if (p->n_warnings >= KT_IMPORT_MAX_WARNINGS) {
		p->dropped_warnings++;
		return;
	}
	struct kt_import_warning *w = kt_grow(p->warnings, &p->cap_warnings, p->n_warnings, sizeof *w, 16);
	if (!w) {
		c->oom = true;
		return;
	}
	p->warnings = w;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	char *m = strdup(buf);
	if (!m) {
		c->oom = true;
		return;
	}
	p->warnings[p->n_warnings++] = (struct kt_import_warning){line, code, m};
}

static void *oom(struct kt_ctx *c)
{
	c->oom = true;
	return NULL;
}

struct kt_import_section *kt_plan_add_section(struct kt_ctx *c)
{
	struct kt_import_plan *p = c->plan;
	struct kt_import_section *v = kt_grow(p->sections, &p->cap_sections, p->n_sections, sizeof *v, 16);
	if (!v)
		return oom(c);
	p->sections = v;
	return memset(&v[p->n_sections++], 0, sizeof *v);
}

struct kt_import_item *kt_section_add_item(struct kt_ctx *c, struct kt_import_section *s)
{
	struct kt_import_item *v = kt_grow(s->items, &s->cap_items, s->n_items, sizeof *v, 16);
	if (!v)
		return oom(c);
	s->items = v;
	return memset(&v[s->n_items++], 0, sizeof *v);
}

void kt_act_release(struct kt_import_act *a)
{
	free(a->kind);
	free(a->issuer);
	free(a->number);
	free(a->number_text);
	free(a->date);
	free(a->date_text);
	free(a->title);
	free(a->quote);
	memset(a, 0, sizeof *a);
}

static void item_release(struct kt_import_item *it)
{
	free(it->number);
	free(it->title);
	free(it->deadline_text);
	free(it->responsible_text);
	free(it->municipal_action);
	free(it->institutional_action);
	free(it->result_text);
	free(it->target_text);
	for (size_t i = 0; i < it->n_parties; i++) {
		free(it->parties[i].text);
		free(it->parties[i].abbr);
		free(it->parties[i].meaning);
	}
	free(it->parties);
}

void kt_import_plan_free(struct kt_import_plan *p)
{
	if (!p)
		return;
	struct kt_import_document *d = &p->doc;
	free(d->source);
	free(d->encoding);
	free(d->issuer);
	free(d->title);
	free(d->academic_year);
	free(d->contact);
	kt_act_release(&d->approval);
	kt_act_release(&d->implements);
	for (size_t i = 0; i < d->n_executors; i++) {
		free(d->executors[i].type);
		free(d->executors[i].name);
		free(d->executors[i].head_role);
		free(d->executors[i].head);
	}
	free(d->executors);
	for (size_t i = 0; i < d->n_columns; i++)
		free(d->columns[i].text);
	free(d->columns);
	for (size_t i = 0; i < p->n_abbrevs; i++) {
		free(p->abbrevs[i].abbr);
		free(p->abbrevs[i].meaning);
	}
	free(p->abbrevs);
	for (size_t i = 0; i < p->n_sections; i++) {
		struct kt_import_section *s = &p->sections[i];
		for (size_t k = 0; k < s->n_items; k++)
			item_release(&s->items[k]);
		free(s->items);
		free(s->number);
		free(s->title);
	}
	free(p->sections);
	for (size_t i = 0; i < p->n_warnings; i++)
		free(p->warnings[i].message);
	free(p->warnings);
	free(p);
}

size_t kt_import_item_count(const struct kt_import_plan *p)
{
	size_t n = 0;
	for (size_t i = 0; p && i < p->n_sections; i++)
		n += p->sections[i].n_items;
	return n;
}

/* ---- JSON ---- */

struct jb {
	bool failed;
};

static json_t *str(struct jb *j, const char *s)
{
	if (!s)
		return json_null();
	json_t *v = json_string(s);
	if (!v) { /* not valid UTF-8: should not happen after decoding; keep it readable */
		char *copy = strdup(s);
		if (copy) {
			for (unsigned char *p = (unsigned char *)copy; *p; p++)
				if (*p >= 0x80)
					*p = '?';
			v = json_string(copy);
			free(copy);
		}
	}
	if (!v)
		j->failed = true;
	return v;
}

static void put(struct jb *j, json_t *o, const char *k, json_t *v)
{
	if (!v || json_object_set_new(o, k, v) != 0)
		j->failed = true;
}

static void push(struct jb *j, json_t *a, json_t *v)
{
	if (!v || json_array_append_new(a, v) != 0)
		j->failed = true;
}

static json_t *obj(struct jb *j)
{
	json_t *o = json_object();
	if (!o)
		j->failed = true;
	return o;
}

static json_t *arr(struct jb *j)
{
	json_t *a = json_array();
	if (!a)
		j->failed = true;
	return a;
}

/* An act's text members, in the order its JSON lists them. */
#define ACT_TEXT(m) {#m, offsetof(struct kt_import_act, m)}
static const struct {
	const char *key;
	size_t off;
} act_texts[] = {
	ACT_TEXT(kind), ACT_TEXT(issuer), ACT_TEXT(number), ACT_TEXT(number_text), ACT_TEXT(date),
	ACT_TEXT(date_text), ACT_TEXT(title),
};

/* An array of n objects, the one of elem (size bytes each from base) filled by one; stops
 * (j failed) when out of memory. */
static json_t *objects(struct jb *j, const void *base, size_t n, size_t size,
	void (*one)(struct jb *j, json_t *o, const void *elem))
{
	json_t *a = arr(j);
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = obj(j);
		if (!o)
			break;
		one(j, o, (const char *)base + i * size);
		push(j, a, o);
	}
	return a;
}

static void executor_json(struct jb *j, json_t *o, const void *elem)
{
	const struct kt_import_executor *e = elem;
	put(j, o, "type", str(j, e->type));
	put(j, o, "name", str(j, e->name));
	put(j, o, "head_role", str(j, e->head_role));
	put(j, o, "head", str(j, e->head));
	put(j, o, "line", json_integer(e->line));
}

static void abbrev_json(struct jb *j, json_t *o, const void *elem)
{
	const struct kt_import_abbrev *a = elem;
	put(j, o, "abbreviation", str(j, a->abbr));
	put(j, o, "meaning", str(j, a->meaning));
	put(j, o, "line", json_integer(a->line));
}

static void column_json(struct jb *j, json_t *o, const void *elem)
{
	const struct kt_import_column *c = elem;
	put(j, o, "text", str(j, c->text));
	put(j, o, "role", str(j, kt_import_col_name(c->role)));
}

static void party_json(struct jb *j, json_t *o, const void *elem)
{
	const struct kt_import_party *pa = elem;
	put(j, o, "text", str(j, pa->text));
	put(j, o, "abbreviation", str(j, pa->abbr));
	put(j, o, "meaning", str(j, pa->meaning));
}

static void warning_json(struct jb *j, json_t *o, const void *elem)
{
	const struct kt_import_warning *w = elem;
	put(j, o, "line", json_integer(w->line));
	put(j, o, "code", str(j, w->code));
	put(j, o, "message", str(j, w->message));
}

static json_t *act_json(struct jb *j, bool has, const struct kt_import_act *a)
{
	if (!has)
		return json_null();
	json_t *o = obj(j);
	for (size_t i = 0; o && i < sizeof act_texts / sizeof act_texts[0]; i++)
		put(j, o, act_texts[i].key, str(j, *(char *const *)((const char *)a + act_texts[i].off)));
	if (!o)
		return NULL;
	if (a->quote)
		put(j, o, "quote", str(j, a->quote));
	put(j, o, "line", json_integer(a->line));
	return o;
}

static json_t *document_json(struct jb *j, const struct kt_import_plan *p)
{
	const struct kt_import_document *d = &p->doc;
	json_t *o = obj(j);
	if (!o)
		return NULL;
	put(j, o, "source", str(j, d->source));
	put(j, o, "encoding", str(j, d->encoding));
	put(j, o, "layout", str(j, d->layout == KT_IMPORT_LAYOUT_ROW_LINES ? "row_lines"
		: d->layout == KT_IMPORT_LAYOUT_CELL_LINES ? "cell_lines"
		: d->layout == KT_IMPORT_LAYOUT_DOCX ? "docx" : NULL));
	put(j, o, "issuer", str(j, d->issuer));
	put(j, o, "title", str(j, d->title));
	put(j, o, "academic_year", str(j, d->academic_year));
	put(j, o, "approval", act_json(j, d->has_approval, &d->approval));
	put(j, o, "implements", act_json(j, d->has_implements, &d->implements));
	put(j, o, "executors", objects(j, d->executors, d->n_executors, sizeof *d->executors,
		executor_json));
	put(j, o, "contact", str(j, d->contact));
	put(j, o, "abbreviations", objects(j, p->abbrevs, p->n_abbrevs, sizeof *p->abbrevs,
		abbrev_json));
	put(j, o, "columns", objects(j, d->columns, d->n_columns, sizeof *d->columns, column_json));
	put(j, o, "header_line", json_integer(d->header_line));
	put(j, o, "table_last_line", json_integer(d->table_last_line));
	put(j, o, "truncated", json_boolean(d->truncated));
	put(j, o, "dropped_header_rows", json_integer((json_int_t)d->dropped_header_rows));
	return o;
}

static json_t *item_json(struct jb *j, const struct kt_import_item *it)
{
	json_t *o = obj(j);
	if (!o)
		return NULL;
	put(j, o, "number", str(j, it->number));
	put(j, o, "title", str(j, it->title));
	put(j, o, "deadline_text", str(j, it->deadline_text));
	put(j, o, "deadline", it->has_deadline ? kt_deadline_to_json(&it->deadline) : json_null());
	put(j, o, "responsible_text", str(j, it->responsible_text));
	put(j, o, "parties", objects(j, it->parties, it->n_parties, sizeof *it->parties, party_json));
	put(j, o, "responsible", kt_parties_responsible(it->responsible_text ? it->responsible_text : ""));
	put(j, o, "municipal_action", str(j, it->municipal_action));
	put(j, o, "institutional_action", str(j, it->institutional_action));
	put(j, o, "result_text", str(j, it->result_text));
	put(j, o, "target_text", str(j, it->target_text));
	put(j, o, "targets", kt_parties_targets(it->target_text ? it->target_text : ""));
	json_t *sl = arr(j);
	if (sl) {
		push(j, sl, json_integer(it->first_line));
		push(j, sl, json_integer(it->last_line));
	}
	put(j, o, "source_lines", sl);
	return o;
}

json_t *kt_import_to_json(const struct kt_import_plan *p)
{
	struct jb j = {0};
	json_t *root = obj(&j);
	if (!root)
		return NULL;
	put(&j, root, "document", document_json(&j, p));
	json_t *secs = arr(&j);
	for (size_t i = 0; secs && i < p->n_sections; i++) {
		const struct kt_import_section *s = &p->sections[i];
		json_t *so = obj(&j), *items = arr(&j);
		if (!so || !items) {
			json_decref(so);
			json_decref(items);
			break;
		}
		put(&j, so, "number", str(&j, s->number));
		put(&j, so, "title", str(&j, s->title));
		put(&j, so, "line", json_integer(s->line));
		for (size_t k = 0; k < s->n_items; k++)
			push(&j, items, item_json(&j, &s->items[k]));
		put(&j, so, "items", items);
		push(&j, secs, so);
	}
	put(&j, root, "sections", secs);
	json_t *ws = objects(&j, p->warnings, p->n_warnings, sizeof *p->warnings, warning_json);
	if (ws && p->dropped_warnings) {
		json_t *wo = obj(&j);
		char m[128];
		snprintf(m, sizeof m, "%zu more warnings not shown", p->dropped_warnings);
		if (wo) {
			warning_json(&j, wo, &(struct kt_import_warning){0, "warnings_dropped", m});
			push(&j, ws, wo);
		}
	}
	put(&j, root, "warnings", ws);
	if (j.failed) {
		json_decref(root);
		return NULL;
	}
	return root;
}

json_t *kt_import_plans_to_json(struct kt_import_plan *const *plans, size_t n)
{
	json_t *root = json_object(), *arr = json_array();
	bool ok = root && arr && json_object_set_new(root, "format", json_integer(2)) == 0;
	for (size_t i = 0; ok && i < n; i++)
		ok = json_array_append_new(arr, kt_import_to_json(plans[i])) == 0;
	if (!ok) {
		json_decref(arr);
		json_decref(root);
		return NULL;
	}
	if (json_object_set_new(root, "plans", arr) != 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}
