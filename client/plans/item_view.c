/* item_view: what `karta item show` and `karta item history` tell a person beyond the item's
 * own fields — the item's statuses (this organization's and, on the items derived from it,
 * those of the organizations below) with comment and evidence, and for each version the
 * fields it changed as «old → new» (sql/0023: item_statuses, HistoryEntry.changes_json).
 * Statuses are computed by the server; offline, the item is shown without them and says so.
 * Machine formats keep English keys: JSON adds "statuses" to the item, the history's CSV and
 * JSON carry "fields" (the changed ones) and "changes" (the text). */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "item_view.h"
#include "kt_dates.h"
#include "kt_i18n.h"
#include "kt_table.h"
#include "plan_fmt.h"
#include "replica.h"
#include "report_cmds.h"
#include "terms.h"

/* --- words ---------------------------------------------------------------------------------- */

struct word {
	const char *key, *label;
};

static const struct word field_words[] = {
	{"number", N_("number")},
	{"title", N_("title")},
	{"deadline_text", N_("deadline")},
	{"responsible_text", N_("responsible")},
	{"municipal_action", N_("municipal action")},
	{"institutional_action", N_("institutional action")},
	{"result_text", N_("result")},
	{"target_text", N_("target group")},
	{"section_id", N_("section")},
	{"ordinal", N_("position")},
	{"parent_item_id", N_("parent item")},
	{"reference_only", N_("reference only")},
	{"deleted_at", N_("deleted")},
	{"delete_reason", N_("reason for deletion")},
};

/* The label of key k in the current language; k itself when the table lacks it. */
static const char *word(const struct word *t, size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].key, k) == 0)
			return _(t[i].label);
	return k;
}

#define WORD(table, k) word(table, sizeof table / sizeof table[0], k)

static const char *field_label(const char *k) { return WORD(field_words, k); }

/* --- text pieces ---------------------------------------------------------------------------- */

/* Appends s to buf (size n) after sep when buf is not empty; cut at a character boundary. */
static void append(char *buf, size_t n, const char *sep, const char *s)
{
	size_t len = strlen(buf);
	if (len && len + strlen(sep) < n) {
		memcpy(buf + len, sep, strlen(sep) + 1);
		len += strlen(sep);
	}
	size_t room = n - len - 1, k = strlen(s);
	if (k > room) {
		k = room;
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
	}
	memcpy(buf + len, s, k);
	buf[len + k] = '\0';
}

/* A value of a change as a person reads it: text cut at 60 characters, "—" for nothing. */
static void value_text(const json_t *v, char *buf, size_t n)
{
	if (json_is_string(v) && *json_string_value(v)) {
		const char *s = json_string_value(v);
		size_t chars = 0, i = 0;
		while (s[i] && chars < 60) {
			i++;
			while (((unsigned char)s[i] & 0xC0) == 0x80)
				i++;
			chars++;
		}
		snprintf(buf, n, "«%.*s%s»", (int)i, s, s[i] ? "…" : "");
	} else if (json_is_true(v)) {
		snprintf(buf, n, "%s", terms_word(TERMS_YES_NO, "yes"));
	} else if (json_is_false(v)) {
		snprintf(buf, n, "%s", terms_word(TERMS_YES_NO, "no"));
	} else if (json_is_integer(v)) {
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	} else {
		snprintf(buf, n, "—");
	}
}

/* The label of a plan, section or item id from the replica r: "1.1 Собрания" (number and
 * title; a plan's title) into buf; false when r is NULL or does not hold it. */
static bool ref_label_of(struct replica *r, const char *type, const char *id, char *buf, size_t n)
{
	char *payload = NULL;
	json_t *row = NULL;
	if (r && id && *id && replica_get(r, type, id, &payload, NULL) == 0)
		row = json_loads(payload, 0, NULL);
	free(payload);
	const char *num = json_string_value(json_object_get(row, "number"));
	const char *title = json_string_value(json_object_get(row, "title"));
	bool found = row && ((num && *num) || (title && *title));
	if (found)
		snprintf(buf, n, "%s%s%s", num ? num : "", num && *num && title && *title ? " " : "",
			title ? title : "");
	json_decref(row);
	return found;
}

/* A section or item id of a change as a person knows it: «1.1 Собрания»; its value_text
 * when the replica r (may be NULL) does not name it. */
static void ref_text(struct replica *r, const char *type, const json_t *v, char *buf, size_t n)
{
	char label[512];
	if (json_is_string(v) && ref_label_of(r, type, json_string_value(v), label, sizeof label)) {
		json_t *s = json_string(label);
		value_text(s, buf, n);
		json_decref(s);
	} else {
		value_text(v, buf, n);
	}
}

/* One value of field k as a person reads it (a section or parent item by its label). */
static void field_value(struct replica *r, const char *k, const json_t *v, char *buf, size_t n)
{
	if (strcmp(k, "section_id") == 0)
		ref_text(r, "plan_section", v, buf, n);
	else if (strcmp(k, "parent_item_id") == 0)
		ref_text(r, "plan_item", v, buf, n);
	else
		value_text(v, buf, n);
}

/* changes_json → "deadline: «до 1 мая» → «до 15 мая»; …" (text) and "deadline_text,…"
 * (the changed fields' keys). Empty changes: both left as they are. r: the replica that
 * names sections and items (NULL: their ids). */
static void changes_text(const char *changes_json, struct replica *r, char *text, size_t tn,
	char *keys, size_t kn)
{
	json_t *j = *changes_json ? json_loads(changes_json, 0, NULL) : NULL;
	json_t *old = json_object_get(j, "old"), *new = json_object_get(j, "new");
	const char *k;
	json_t *v;
	if (json_is_object(new)) {
		*text = *keys = '\0';
		json_object_foreach(new, k, v) {
			char a[300], b[300], line[700];
			field_value(r, k, json_object_get(old, k), a, sizeof a);
			field_value(r, k, v, b, sizeof b);
			snprintf(line, sizeof line, "%s: %s → %s", field_label(k), a, b);
			append(text, tn, "; ", line);
			append(keys, kn, ",", k);
		}
	}
	json_decref(j);
}

/* Evidence JSON (sql/0007 karta_evidence_check) as one line. */
static void evidence_text(const char *ej, char *buf, size_t n)
{
	*buf = '\0';
	json_t *e = *ej ? json_loads(ej, 0, NULL) : NULL;
	json_t *d = json_object_get(e, "document"), *a = json_object_get(e, "attachment");
	char part[1200];
	if (json_is_object(d)) {
		const char *kind = json_string_value(json_object_get(d, "kind"));
		const char *num = json_string_value(json_object_get(d, "number"));
		const char *date = json_string_value(json_object_get(d, "date"));
		const char *title = json_string_value(json_object_get(d, "title"));
		snprintf(part, sizeof part, "%s", kind && *kind ? kind : _("document"));
		if (num && *num)
			snprintf(part + strlen(part), sizeof part - strlen(part), _(" No. %s"), num);
		if (date && *date) {
			char day[64];
			kt_date_people(date, kt_table_get_style()->people, day, sizeof day);
			snprintf(part + strlen(part), sizeof part - strlen(part), _(" of %s"), day);
		}
		if (title && *title)
			snprintf(part + strlen(part), sizeof part - strlen(part), " «%s»", title);
		append(buf, n, "; ", part);
	}
	if (json_is_object(a)) {
		const char *name = json_string_value(json_object_get(a, "name"));
		const char *ref = json_string_value(json_object_get(a, "ref"));
		snprintf(part, sizeof part, _("file: %s"), name && *name ? name : ref ? ref : "");
		append(buf, n, "; ", part);
	}
	if (json_is_integer(json_object_get(e, "count"))) {
		snprintf(part, sizeof part, _("count: %lld"),
			(long long)json_integer_value(json_object_get(e, "count")));
		append(buf, n, "; ", part);
	}
	json_t *rec = json_object_get(e, "records");
	if (json_is_array(rec) && json_array_size(rec)) {
		size_t k = json_array_size(rec);
		snprintf(part, sizeof part, P_("%zu record", "%zu records", k), k);
		append(buf, n, "; ", part);
	}
	json_decref(e);
}

/* --- item show ------------------------------------------------------------------------------ */

/* The statuses (Table columns: org org_name item item_status comment evidence version
 * updated_at), or NULL offline (*offline set) or on a refusal (message printed). */
static Karta__Table *fetch_statuses(struct client *cl, const char *item_id, bool *offline)
{
	*offline = cl->unreachable; /* the item came from the replica: no second try */
	if (*offline)
		return NULL;
	if (!client_rpc_quiet(cl)) {
		*offline = cl->unreachable;
		return NULL;
	}
	json_t *a = json_pack("{s:s}", "item", item_id);
	char *js = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	if (!js)
		return NULL;
	Karta__TableRequest req = KARTA__TABLE_REQUEST__INIT;
	req.name = (char *)"item_statuses";
	req.args_json = js;
	Karta__Table *t = NULL;
	int rc = report_table(cl, &req, &t);
	free(js);
	return rc == EXIT_OK ? t : NULL;
}

static const char *cell(const Karta__TableRow *r, size_t i)
{
	return i < r->n_cells ? r->cells[i] : "";
}

enum { S_ORG, S_ORG_NAME, S_ITEM, S_STATUS, S_COMMENT, S_EVIDENCE, S_VERSION, S_UPDATED };

static json_t *statuses_json(const Karta__Table *t)
{
	json_t *arr = json_array();
	for (size_t i = 0; t && i < t->n_rows; i++) {
		const Karta__TableRow *r = t->rows[i];
		json_t *ev = *cell(r, S_EVIDENCE) ? json_loads(cell(r, S_EVIDENCE), 0, NULL) : NULL;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:o,s:I,s:s}", "org",
			cell(r, S_ORG), "item_id", cell(r, S_ITEM), "status", cell(r, S_STATUS),
			"comment", cell(r, S_COMMENT), "evidence", ev ? ev : json_object(),
			"row_version", (json_int_t)atoll(cell(r, S_VERSION)), "updated_at",
			cell(r, S_UPDATED)));
	}
	return arr;
}

static int add_kv(struct kt_table *t, const char *k, const char *v)
{
	const char *cells[2] = {k, v};
	return kt_table_add(t, cells);
}

/* The statuses as field/value rows after the item's own, in its table (plan_fmt_item_with). */
struct statuses {
	const Karta__Table *t;
	bool offline;
};

static int statuses_rows(struct kt_table *kv, void *arg)
{
	const struct statuses *s = arg;
	const Karta__Table *t = s->t;
	int bad = 0;
	if (!t || t->n_rows == 0)
		bad |= add_kv(kv, _("status"), s->offline ? _("unknown: the server cannot be reached now")
			: _("not reported")) != 0;
	for (size_t i = 0; !bad && t && i < t->n_rows; i++) {
		const Karta__TableRow *r = t->rows[i];
		char head[160], val[512], ev[2048], at[64];
		snprintf(head, sizeof head, "%s %s", _("status"), cell(r, S_ORG));
		kt_date_people(cell(r, S_UPDATED), kt_table_get_style()->people, at, sizeof at);
		snprintf(val, sizeof val, _("%s (version %s, %s)"), terms_word(TERMS_ITEM_STATUS, cell(r, S_STATUS)),
			cell(r, S_VERSION), at);
		bad |= add_kv(kv, head, val) != 0;
		if (*cell(r, S_COMMENT))
			bad |= add_kv(kv, _("  comment"), cell(r, S_COMMENT)) != 0;
		evidence_text(cell(r, S_EVIDENCE), ev, sizeof ev);
		if (*ev)
			bad |= add_kv(kv, _("  evidence"), ev) != 0;
	}
	return bad ? -1 : 0;
}

/* A referenced plan, section or item for the item's block: «1.1 Собрания» (3f0c2dc2), its
 * label from the replica and the short id the commands accept; the id alone when the
 * replica does not hold it. */
static const char *ref_label(struct replica *r, const char *type, const char *id, char *buf, size_t n)
{
	char label[300], quoted[400];
	if (!ref_label_of(r, type, id, label, sizeof label))
		return id;
	json_t *v = json_string(label);
	value_text(v, quoted, sizeof quoted); /* «…», cut at 60 letters */
	json_decref(v);
	snprintf(buf, n, "%s (%.8s)", quoted, id);
	return buf;
}

int item_view_show(struct client *cl, const Karta__Item *it, const struct plan_fmt_out *fo,
	FILE *out)
{
	bool offline;
	Karta__Table *st = fetch_statuses(cl, it->id, &offline);
	if (!st && !offline && !cl->unreachable && cl->rpc) /* refused: message printed */
		return EXIT_RUNTIME;
	int rc;
	if (fo->format == KT_TABLE_JSON) {
		json_t *j = plan_fmt_item_json(it);
		json_object_set_new(j, "statuses", st ? statuses_json(st) : json_null());
		rc = json_dumpf(j, out, JSON_INDENT(2)) == 0 && fputc('\n', out) != EOF ? EXIT_OK
			: EXIT_RUNTIME;
		json_decref(j);
	} else {
		struct statuses ss = {st, offline};
		Karta__Item shown = *it; /* the references by their labels: a person's view */
		char pl[440], sec[440], par[440], der[440];
		struct replica *r = client_replica(cl); /* the text format only: JSON is above */
		shown.plan_id = (char *)ref_label(r, "plan", it->plan_id, pl, sizeof pl);
		shown.section_id = (char *)ref_label(r, "plan_section", it->section_id, sec, sizeof sec);
		shown.parent_item_id = (char *)ref_label(r, "plan_item", it->parent_item_id, par, sizeof par);
		shown.derived_from = (char *)ref_label(r, "plan_item", it->derived_from, der, sizeof der);
		rc = plan_fmt_item_with(&shown, fo, statuses_rows, &ss, out);
	}
	if (st)
		karta__table__free_unpacked(st, NULL);
	return rc;
}

/* --- item history --------------------------------------------------------------------------- */

int item_view_history(const Karta__ItemHistory *h, struct replica *r, const struct plan_fmt_out *o,
	FILE *out)
{
	/* machine formats: every column; text: what a person reads, the changes (or, for
	 * versions written before they were recorded, the changed fields' names) */
	static const struct kt_col cols[] = {
		{"version", KT_COL_INT, 0}, {"op", KT_COL_TEXT, 0}, {"at", KT_COL_DATE, 0},
		{"org", KT_COL_TEXT, 0}, {"device", KT_COL_TEXT, 0}, {"fields", KT_COL_TEXT, 30},
		{"changes", KT_COL_TEXT, 70},
	};
	const struct kt_col text_cols[] = { /* a person's headers, in the user's language */
		{_("version"), KT_COL_INT, 0}, {terms_q(N_("history|op")), KT_COL_TEXT, 0},
		{terms_q(N_("history|at")), KT_COL_DATE, 0}, {_("org"), KT_COL_TEXT, 0},
		{terms_q(N_("history|changes")), KT_COL_TEXT, 72},
	};
	bool text = o->format == KT_TABLE_TEXT;
	struct kt_table *t = text ? kt_table_new(text_cols, sizeof text_cols / sizeof text_cols[0])
		: kt_table_new(cols, sizeof cols / sizeof cols[0]);
	for (size_t i = 0; t && i < h->n_entries; i++) {
		const Karta__HistoryEntry *e = h->entries[i];
		char ver[24], changes[4096] = "", keys[512];
		snprintf(ver, sizeof ver, "%lld", (long long)e->row_version);
		snprintf(keys, sizeof keys, "%s", e->fields);
		changes_text(e->changes_json, text ? r : NULL, changes, sizeof changes, keys, sizeof keys);
		const char *cells[] = {ver, e->op, e->at, e->org_code, e->device, keys, changes};
		/* a new row's fields are all of them: the op says enough */
		bool listed = strcmp(e->op, "create") != 0 && strcmp(e->op, "derive") != 0;
		const char *tcells[] = {ver, terms_word(TERMS_HISTORY_OP, e->op), e->at, e->org_code,
			*changes ? changes : listed ? keys : ""};
		if (kt_table_add(t, text ? tcells : cells) != 0) {
			kt_table_free(t);
			t = NULL;
		}
	}
	struct kt_table_opts to = {.bom = o->bom};
	return plan_fmt_emit(t, o, &to, "История изменений", out); /* a sheet name: Russian */
}
