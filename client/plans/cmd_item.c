/* cmd_item: `karta item SUBCOMMAND` — add, show, edit, move and delete plan items and show
 * an item's history, online. Edits are read-modify-write: the current item is read, the
 * given fields replace its values, and the write names the version read (or --base), so a
 * concurrent change surfaces as a conflict, never as a silent overwrite. Sections may be
 * named by id or by their number as written; ordinals default to the end of the section. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "commands.h"
#include "help.h"
#include "item_view.h"
#include "opts.h"
#include "plan_fmt.h"
#include "table_out.h"
#include "kt_i18n.h"
#include "terms.h"

/* The text fields an item command may set, in the order of struct opt tables below. */
#define ITEM_TEXT_OPT(n, m, h) {.name = (n), .type = OPT_STR, .meta = (m), .help = (h)}
#define ITEM_TEXT_OPTS(first)                                                              \
	[first] = ITEM_TEXT_OPT("number", "N", N_("the item's number as written («1.1»)")),       \
	[first + 1] = ITEM_TEXT_OPT("deadline", "TEXT", N_("deadline as written («до 1 ноября»)")), \
	[first + 2] = ITEM_TEXT_OPT("responsible", "TEXT", N_("who («УО, руководители ОО»)")), \
	[first + 3] = ITEM_TEXT_OPT("municipal", "TEXT", N_("the municipal action")),       \
	[first + 4] = ITEM_TEXT_OPT("institutional", "TEXT", N_("the action of the schools")), \
	[first + 5] = ITEM_TEXT_OPT("result", "TEXT", N_("the expected result")),           \
	[first + 6] = ITEM_TEXT_OPT("target", "TEXT", N_("participants, target group («кластер 4»)"))
#define ITEM_TEXT_N 7
/* The columns ITEM_TEXT_OPTS set, in the same order: an edit names the fields it sets, so a
 * concurrent edit of other fields merges instead of conflicting (docs/sync.md). */
static const char *const item_text_columns[ITEM_TEXT_N] = {"number", "deadline_text",
	"responsible_text", "municipal_action", "institutional_action", "result_text",
	"target_text"};

static char *arg(const struct opt *o, const char *def) { return (char *)(o->set ? o->str : def); }

/* Applies the ITEM_TEXT_OPTS starting at o over it (strings borrowed from argv). */
static void apply_text(Karta__Item *it, const struct opt *o)
{
	it->number = arg(&o[0], it->number);
	it->deadline_text = arg(&o[1], it->deadline_text);
	it->responsible_text = arg(&o[2], it->responsible_text);
	it->municipal_action = arg(&o[3], it->municipal_action);
	it->institutional_action = arg(&o[4], it->institutional_action);
	it->result_text = arg(&o[5], it->result_text);
	it->target_text = arg(&o[6], it->target_text);
}

/* Sends an item write and prints "item <id> <verb> (version N)" when it is accepted; verb
 * is a msgid "item|updated" (terms_q). */
static int item_write(struct client *cl, const ProtobufCMessage *req, const char *verb)
{
	ProtobufCMessage *m;
	if (plan_fmt_call(cl, req, &karta__item_result__descriptor, &m) != EXIT_OK)
		return EXIT_RUNTIME;
	Karta__ItemResult *r = (Karta__ItemResult *)m;
	int rc = plan_fmt_item_result(r);
	if (rc == EXIT_OK) {
		if (r->message && strcmp(r->message, "queued") == 0) /* offline: outbox.c */
			printf(_("item %s %s here; queued until 'karta sync' sends it\n"), r->item->id,
				terms_q(verb));
		else if (strcmp(verb, "item|created") == 0)
			printf(_("item %s created\n"), r->item->id);
		else
			printf(_("item %s %s (version %lld)\n"), r->item->id, terms_q(verb),
				(long long)r->item->row_version);
	}
	karta__item_result__free_unpacked(r, NULL);
	return rc;
}

/* --- add ------------------------------------------------------------------------------------- */

int cmd_item_add(struct client *cl, int argc, char **argv)
{
	enum { O_TITLE, O_SECTION, O_TEXT, O_PARENT = O_TEXT + ITEM_TEXT_N, O_ORDINAL, O_N };
	struct opt o[O_N + 1] = {
		[O_TITLE] = {.name = "title", .type = OPT_STR, .meta = "T",
			.help = N_("what is to be done"), .required = true},
		[O_SECTION] = {.name = "section", .type = OPT_STR, .meta = "SECTION",
			.help = N_("section id or number (default: the first)")},
		ITEM_TEXT_OPTS(O_TEXT),
		[O_PARENT] = {.name = "parent", .type = OPT_STR, .meta = "ITEM",
			.help = N_("make it a sub-item of this item")},
		[O_ORDINAL] = {.name = "ordinal", .type = OPT_INT, .meta = "K",
			.help = N_("position in the section (default: last)"),
			.min = 1, .max = 1000000000},
	};
	struct opt_cmd c = {"item add", "PLAN", 1, help_item_add, o};
	const char *pos[1];
	int rc;
	if (!opts_ok(&c, argc, argv, pos, &rc))
		return rc;
	if (opts_check_id("plan", &pos[0]) != EXIT_OK ||
	    (o[O_PARENT].set && opts_check_id("item", &o[O_PARENT].str) != EXIT_OK))
		return EXIT_RUNTIME;
	struct plan_fmt_doc d;
	char id[PLAN_FMT_ID_LEN];
	if (plan_fmt_new_id(id) != 0 ||
	    plan_fmt_fetch(cl, pos[0], !o[O_ORDINAL].set, &d) != EXIT_OK)
		return EXIT_RUNTIME;
	const Karta__Section *sec = d.n_sections ? d.sections[0] : NULL;
	rc = EXIT_RUNTIME;
	if (!sec)
		fprintf(stderr, _("karta: plan has no sections: add one with 'karta plan section'\n"));
	else if (!o[O_SECTION].set || plan_fmt_find_section(&d, o[O_SECTION].str, &sec) == EXIT_OK)
		rc = EXIT_OK;
	if (rc == EXIT_OK) {
		Karta__Item it = KARTA__ITEM__INIT;
		it.id = id;
		it.plan_id = d.plan->id;
		it.section_id = sec->id;
		it.ordinal = o[O_ORDINAL].set ? (int32_t)o[O_ORDINAL].num
			: plan_fmt_next_item_ordinal(&d, sec->id);
		it.title = arg(&o[O_TITLE], "");
		it.parent_item_id = arg(&o[O_PARENT], "");
		apply_text(&it, &o[O_TEXT]);
		Karta__ItemPut req = KARTA__ITEM_PUT__INIT;
		req.item = &it;
		rc = item_write(cl, &req.base, N_("item|created"));
	}
	plan_fmt_doc_release(&d);
	return rc;
}

/* --- show, history --------------------------------------------------------------------------- */

int cmd_item_show(struct client *cl, int argc, char **argv)
{
	enum { O_FORMAT, O_N };
	struct opt o[O_N + 1] = {[O_FORMAT] = OPTS_FORMAT("table|json")};
	struct opt_cmd c = {"item show", "ITEM", 1, help_item_show, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "item", pos, &prc))
		return prc;
	Karta__ItemResult *r;
	if (plan_fmt_get_item(cl, pos[0], &r) != EXIT_OK)
		return EXIT_RUNTIME;
	struct plan_fmt_out fo = plan_fmt_out_of(o[O_FORMAT].str, false, true);
	int rc = item_view_show(cl, r->item, &fo, stdout);
	karta__item_result__free_unpacked(r, NULL);
	return rc;
}

int cmd_item_history(struct client *cl, int argc, char **argv)
{
	enum { O_FORMAT, O_BOM, O_OUTPUT, O_N };
	struct opt o[O_N + 1] = {[O_FORMAT] = OPTS_FORMAT("table|csv|json|xlsx"), [O_BOM] = OPTS_BOM,
		[O_OUTPUT] = OPTS_OUTPUT};
	struct opt_cmd c = {"item history", "ITEM", 1, help_item_history, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "item", pos, &prc))
		return prc;
	struct plan_fmt_out fo;
	struct table_out out;
	int rc = table_out_start(&out, &fo, &c);
	if (rc != EXIT_OK)
		return rc;
	Karta__ItemHistoryRequest req = KARTA__ITEM_HISTORY_REQUEST__INIT;
	req.item_id = (char *)pos[0];
	ProtobufCMessage *m;
	if (plan_fmt_call(cl, &req.base, &karta__item_history__descriptor, &m) != EXIT_OK)
		return table_out_close(&out, &fo, EXIT_RUNTIME);
	rc = item_view_history((const Karta__ItemHistory *)m,
		fo.format == KT_TABLE_TEXT ? client_replica(cl) : NULL, &fo, out.f);
	protobuf_c_message_free_unpacked(m, NULL);
	return table_out_close(&out, &fo, rc);
}

/* --- edit ------------------------------------------------------------------------------------ */

int cmd_item_edit(struct client *cl, int argc, char **argv)
{
	enum { O_TITLE, O_TEXT, O_BASE = O_TEXT + ITEM_TEXT_N, O_N };
	struct opt o[O_N + 1] = {
		[O_TITLE] = {.name = "title", .type = OPT_STR, .meta = "T",
			.help = N_("what is to be done")},
		ITEM_TEXT_OPTS(O_TEXT),
		[O_BASE] = PLAN_FMT_OPT_BASE,
	};
	struct opt_cmd c = {"item edit", "ITEM", 1, help_item_edit, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "item", pos, &prc))
		return prc;
	if (!opts_any_set(o, O_BASE))
		return opts_fail(&c, _("nothing to change"));
	Karta__ItemResult *cur;
	if (plan_fmt_get_item(cl, pos[0], &cur) != EXIT_OK)
		return EXIT_RUNTIME;
	Karta__Item it = *cur->item; /* shallow: strings stay in cur or argv */
	it.title = arg(&o[O_TITLE], it.title);
	apply_text(&it, &o[O_TEXT]);
	Karta__ItemPut req = KARTA__ITEM_PUT__INIT;
	req.item = &it;
	req.base_row_version = o[O_BASE].set ? o[O_BASE].num : cur->item->row_version;
	char *fields[1 + ITEM_TEXT_N];
	if (o[O_TITLE].set)
		fields[req.n_fields++] = "title";
	for (int i = 0; i < ITEM_TEXT_N; i++)
		if (o[O_TEXT + i].set)
			fields[req.n_fields++] = (char *)item_text_columns[i];
	req.fields = fields;
	int rc = item_write(cl, &req.base, N_("item|updated"));
	karta__item_result__free_unpacked(cur, NULL);
	return rc;
}

/* --- move, delete ---------------------------------------------------------------------------- */

/* Where the item goes: the section (by id or number) and ordinal given, else where it is;
 * a new section without --ordinal puts it last there. */
static int move_target(struct client *cl, const Karta__Item *it, const struct opt *section,
	const struct opt *ordinal, Karta__ItemMove *req, char sid[PLAN_FMT_ID_LEN])
{
	req->section_id = it->section_id;
	req->ordinal = ordinal->set ? (int32_t)ordinal->num : it->ordinal;
	if (!section->set)
		return EXIT_OK;
	struct plan_fmt_doc d;
	const Karta__Section *s;
	if (plan_fmt_fetch(cl, it->plan_id, !ordinal->set, &d) != EXIT_OK)
		return EXIT_RUNTIME;
	int rc = plan_fmt_find_section(&d, section->str, &s);
	if (rc == EXIT_OK) {
		snprintf(sid, PLAN_FMT_ID_LEN, "%s", s->id);
		req->section_id = sid;
		if (!ordinal->set && strcasecmp(s->id, it->section_id) != 0)
			req->ordinal = plan_fmt_next_item_ordinal(&d, s->id);
	}
	plan_fmt_doc_release(&d);
	return rc;
}

int cmd_item_move(struct client *cl, int argc, char **argv)
{
	enum { O_SECTION, O_ORDINAL, O_PARENT, O_BASE, O_N };
	struct opt o[O_N + 1] = {
		[O_SECTION] = {.name = "section", .type = OPT_STR, .meta = "SECTION",
			.help = N_("move to this section (id or number)")},
		[O_ORDINAL] = {.name = "ordinal", .type = OPT_INT, .meta = "K",
			.help = N_("new position (default: last in a new section)"),
			.min = 1, .max = 1000000000},
		[O_PARENT] = {.name = "parent", .type = OPT_STR, .meta = "ITEM|none",
			.help = N_("make it a sub-item of ITEM, or top-level")},
		[O_BASE] = PLAN_FMT_OPT_BASE,
	};
	struct opt_cmd c = {"item move", "ITEM", 1, help_item_move, o};
	const char *pos[1];
	int rc;
	if (!opts_ok(&c, argc, argv, pos, &rc))
		return rc;
	bool parent_none = o[O_PARENT].set && strcmp(o[O_PARENT].str, "none") == 0;
	if (opts_check_id("item", &pos[0]) != EXIT_OK ||
	    (o[O_PARENT].set && !parent_none && opts_check_id("item", &o[O_PARENT].str) != EXIT_OK))
		return EXIT_RUNTIME;
	if (!o[O_SECTION].set && !o[O_ORDINAL].set && !o[O_PARENT].set)
		return opts_fail(&c, _("give --section, --ordinal or --parent"));
	Karta__ItemResult *cur;
	if (plan_fmt_get_item(cl, pos[0], &cur) != EXIT_OK)
		return EXIT_RUNTIME;
	Karta__ItemMove req = KARTA__ITEM_MOVE__INIT;
	char sid[PLAN_FMT_ID_LEN];
	rc = move_target(cl, cur->item, &o[O_SECTION], &o[O_ORDINAL], &req, sid);
	if (rc == EXIT_OK) {
		req.item_id = (char *)pos[0];
		req.base_row_version = o[O_BASE].set ? o[O_BASE].num : cur->item->row_version;
		req.parent_item_id =
			parent_none ? "" : arg(&o[O_PARENT], cur->item->parent_item_id);
		rc = item_write(cl, &req.base, N_("item|moved"));
	}
	karta__item_result__free_unpacked(cur, NULL);
	return rc;
}

int cmd_item_delete(struct client *cl, int argc, char **argv)
{
	enum { O_REASON, O_BASE, O_N };
	struct opt o[O_N + 1] = {
		[O_REASON] = {.name = "reason", .type = OPT_STR, .meta = "TEXT",
			.help = N_("why it is deleted (kept with the item)"),
			.required = true},
		[O_BASE] = PLAN_FMT_OPT_BASE,
	};
	struct opt_cmd c = {"item delete", "ITEM", 1, help_item_delete, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "item", pos, &prc))
		return prc;
	if (!*o[O_REASON].str)
		return opts_fail(&c, _("--reason must not be empty"));
	Karta__ItemDelete req = KARTA__ITEM_DELETE__INIT;
	req.item_id = (char *)pos[0];
	req.reason = (char *)o[O_REASON].str;
	if (o[O_BASE].set) {
		req.base_row_version = o[O_BASE].num;
	} else {
		Karta__ItemResult *cur;
		if (plan_fmt_get_item(cl, pos[0], &cur) != EXIT_OK)
			return EXIT_RUNTIME;
		req.base_row_version = cur->item->row_version;
		karta__item_result__free_unpacked(cur, NULL);
	}
	return item_write(cl, &req.base, N_("item|deleted"));
}
