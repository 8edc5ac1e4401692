/* cmd_plan: `karta plan SUBCOMMAND` — list, show, create, section, edit, derive, approve and
 * archive plans online, one request each (plus a read of the current plan where a write
 * needs its fields or version); `plan import` belongs to cmd_plan_import.c. Every write
 * names the row version it is based on: the one just read, or --base, so a stale --base is
 * answered with a conflict instead of overwriting someone else's change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "commands.h"
#include "help.h"
#include "opts.h"
#include "plan_fmt.h"
#include "table_out.h"
#include "kt_i18n.h"

static char *arg(const struct opt *o, const char *def) { return (char *)(o->set ? o->str : def); }

/* The approving act's options of plan create and plan edit (in the order of the columns
 * plan edit names), with their help texts. */
#define PLAN_ACT_OPTS(first, kind_help, implements_help)                                  \
	[first] = {.name = "act-kind", .type = OPT_STR, .meta = "K", .help = (kind_help)}, \
	[first + 1] = {.name = "act-number", .type = OPT_STR, .meta = "N",                \
		.help = N_("number of the approving act")},                               \
	[first + 2] = {.name = "act-date", .type = OPT_DATE, .meta = "YYYY-MM-DD",        \
		.help = N_("date of the approving act")},                                 \
	[first + 3] = {.name = "implements", .type = OPT_STR, .meta = "TEXT",             \
		.help = (implements_help)}
#define PLAN_ACT_N 4

/* Applies the PLAN_ACT_OPTS starting at o over p (strings borrowed from argv). */
static void apply_act(Karta__Plan *p, const struct opt *o)
{
	p->act_kind = arg(&o[0], p->act_kind);
	p->act_number = arg(&o[1], p->act_number);
	p->act_date = arg(&o[2], p->act_date);
	p->implements = arg(&o[3], p->implements);
}

/* Sends a plan write and checks its PlanResult; *out is freed by the caller. */
static int plan_write(struct client *cl, const ProtobufCMessage *req, Karta__PlanResult **out)
{
	ProtobufCMessage *m;
	*out = NULL;
	if (plan_fmt_call(cl, req, &karta__plan_result__descriptor, &m) != EXIT_OK)
		return EXIT_RUNTIME;
	Karta__PlanResult *r = (Karta__PlanResult *)m;
	if (plan_fmt_plan_result(r) != EXIT_OK || !r->plan) {
		if (r->status == KARTA__STATUS__STATUS_OK)
			fprintf(stderr, _("karta: the server answered without the plan\n"));
		karta__plan_result__free_unpacked(r, NULL);
		return EXIT_RUNTIME;
	}
	*out = r;
	return EXIT_OK;
}

/* The version a write is based on: --base, else the plan's current one. */
static int base_version(struct client *cl, const char *plan_id, const struct opt *base,
	int64_t *out)
{
	if (base->set) {
		*out = base->num;
		return EXIT_OK;
	}
	struct plan_fmt_doc d;
	if (plan_fmt_fetch(cl, plan_id, false, &d) != EXIT_OK)
		return EXIT_RUNTIME;
	*out = d.plan->row_version;
	plan_fmt_doc_release(&d);
	return EXIT_OK;
}

/* --- reading --------------------------------------------------------------------------------- */

int cmd_plan_list(struct client *cl, int argc, char **argv)
{
	struct plan_fmt_out fo;
	struct table_out out;
	int rc;
	if (!table_out_command("plan list", help_plan_list, argc, argv, &out, &fo, &rc))
		return rc;
	Karta__PlanListRequest req = KARTA__PLAN_LIST_REQUEST__INIT;
	ProtobufCMessage *m;
	if (plan_fmt_call(cl, &req.base, &karta__plan_list__descriptor, &m) != EXIT_OK)
		return table_out_close(&out, &fo, EXIT_RUNTIME);
	rc = plan_fmt_list((const Karta__PlanList *)m, &fo, out.f);
	protobuf_c_message_free_unpacked(m, NULL);
	return table_out_close(&out, &fo, rc);
}

int cmd_plan_show(struct client *cl, int argc, char **argv)
{
	enum { O_FORMAT, O_BOM, O_DELETED, O_OUTPUT, O_N };
	struct opt o[O_N + 1] = {
		[O_FORMAT] = OPTS_FORMAT("table|csv|json|xlsx"),
		[O_BOM] = OPTS_BOM,
		[O_DELETED] = {.name = "deleted", .type = OPT_FLAG, .meta = NULL,
			.help = N_("include deleted items (marked 'deleted')")},
		[O_OUTPUT] = OPTS_OUTPUT,
	};
	struct opt_cmd c = {"plan show", "PLAN", 1, help_plan_show, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "plan", pos, &prc))
		return prc;
	struct plan_fmt_out fo;
	struct table_out out;
	int rc = table_out_start(&out, &fo, &c);
	if (rc != EXIT_OK)
		return rc;
	fo.with_deleted = o[O_DELETED].set;
	struct plan_fmt_doc d;
	if (plan_fmt_fetch(cl, pos[0], true, &d) != EXIT_OK)
		return table_out_close(&out, &fo, EXIT_RUNTIME);
	rc = plan_fmt_show(&d, &fo, out.f);
	plan_fmt_doc_release(&d);
	return table_out_close(&out, &fo, rc);
}

/* --- create ---------------------------------------------------------------------------------- */

/* "NUM|Title" → a new section; "Title" alone has no number. *number is heap. */
static int parse_section(const char *spec, int ordinal, Karta__Section *s, char *id,
	char **number)
{
	const char *bar = strchr(spec, '|');
	const char *title = bar ? bar + 1 : spec;
	*number = bar ? strndup(spec, (size_t)(bar - spec)) : strdup("");
	if (!*number || !*title || plan_fmt_new_id(id) != 0)
		return -1;
	karta__section__init(s);
	s->id = id;
	s->ordinal = ordinal;
	s->number = *number;
	s->title = (char *)title;
	return 0;
}

struct new_sections {
	Karta__Section *s;
	Karta__Section **p;
	char (*ids)[PLAN_FMT_ID_LEN];
	char **numbers;
	size_t n;
};

static void new_sections_free(struct new_sections *ns)
{
	for (size_t i = 0; ns->numbers && i < ns->n; i++)
		free(ns->numbers[i]);
	free(ns->s);
	free(ns->p);
	free(ns->ids);
	free(ns->numbers);
}

static int new_sections(const struct opt_cmd *c, const struct opt *o, struct new_sections *ns)
{
	size_t n = o->n_list;
	*ns = (struct new_sections){0};
	ns->s = calloc(n + 1, sizeof *ns->s);
	ns->p = calloc(n + 1, sizeof *ns->p);
	ns->ids = calloc(n + 1, sizeof *ns->ids);
	ns->numbers = calloc(n + 1, sizeof *ns->numbers);
	if (!ns->s || !ns->p || !ns->ids || !ns->numbers) {
		fprintf(stderr, _("karta: out of memory\n"));
		return EXIT_RUNTIME;
	}
	for (; ns->n < n; ns->n++) {
		size_t i = ns->n;
		if (parse_section(o->list[i], (int)i + 1, &ns->s[i], ns->ids[i],
			    &ns->numbers[i]) != 0) {
			ns->n++;
			return opts_fail(c,
				_("--section needs \"NUMBER|Title\" with a title, not '%s'"), o->list[i]);
		}
		ns->p[i] = &ns->s[i];
	}
	return EXIT_OK;
}

int cmd_plan_create(struct client *cl, int argc, char **argv)
{
	enum { O_TITLE, O_YEAR, O_ACT, O_SECTION = O_ACT + PLAN_ACT_N, O_N };
	struct opt o[O_N + 1] = {
		[O_TITLE] = {.name = "title", .type = OPT_STR, .meta = "T",
			.help = N_("the plan's title"), .required = true},
		[O_YEAR] = {.name = "year", .type = OPT_INT, .meta = "YYYY",
			.help = N_("first year of the academic year (2023 = 2023/2024)"),
			.required = true, .min = 2000, .max = 2100},
		PLAN_ACT_OPTS(O_ACT, N_("kind of the approving act («приказ»)"),
			N_("the higher act or plan this one implements")),
		[O_SECTION] = {.name = "section", .type = OPT_LIST, .meta = "\"NUM|Title\"",
			.help = N_("a section, in order (repeatable)")},
	};
	struct opt_cmd c = {"plan create", "", 0, help_plan_create, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	char id[PLAN_FMT_ID_LEN];
	struct new_sections ns;
	Karta__PlanResult *r = NULL;
	rc = new_sections(&c, &o[O_SECTION], &ns);
	if (rc == EXIT_OK && plan_fmt_new_id(id) != 0)
		rc = EXIT_RUNTIME;
	if (rc == EXIT_OK) {
		Karta__Plan plan = KARTA__PLAN__INIT;
		plan.id = id;
		plan.title = arg(&o[O_TITLE], "");
		plan.academic_year = (int32_t)o[O_YEAR].num;
		plan.act_kind = plan.act_number = plan.act_date = plan.implements = (char *)"";
		apply_act(&plan, &o[O_ACT]);
		Karta__PlanPut req = KARTA__PLAN_PUT__INIT;
		req.plan = &plan;
		req.n_sections = ns.n;
		req.sections = ns.p;
		rc = plan_write(cl, &req.base, &r);
	}
	if (rc == EXIT_OK)
		printf(_("plan %s created\n"), r->plan->id);
	if (r)
		karta__plan_result__free_unpacked(r, NULL);
	new_sections_free(&ns);
	opts_free(&c);
	return rc;
}

/* --- section, edit --------------------------------------------------------------------------- */

int cmd_plan_section(struct client *cl, int argc, char **argv)
{
	enum { O_TITLE, O_NUMBER, O_ORDINAL, O_N };
	struct opt o[O_N + 1] = {
		[O_TITLE] = {.name = "title", .type = OPT_STR, .meta = "T",
			.help = N_("the section's title"), .required = true},
		[O_NUMBER] = {.name = "number", .type = OPT_STR, .meta = "N",
			.help = N_("its number as written («1.», «II»)")},
		[O_ORDINAL] = {.name = "ordinal", .type = OPT_INT, .meta = "K",
			.help = N_("position among the sections (default: last)"),
			.min = 1, .max = 1000000},
	};
	struct opt_cmd c = {"plan section", "PLAN", 1, help_plan_section, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "plan", pos, &prc))
		return prc;
	struct plan_fmt_doc d;
	char sid[PLAN_FMT_ID_LEN];
	if (plan_fmt_new_id(sid) != 0 || plan_fmt_fetch(cl, pos[0], false, &d) != EXIT_OK)
		return EXIT_RUNTIME;
	Karta__Section s = KARTA__SECTION__INIT, *sp = &s;
	s.id = sid;
	s.title = arg(&o[O_TITLE], "");
	s.number = arg(&o[O_NUMBER], "");
	s.ordinal = o[O_ORDINAL].set ? (int32_t)o[O_ORDINAL].num
				     : plan_fmt_next_section_ordinal(&d);
	Karta__PlanPut req = KARTA__PLAN_PUT__INIT;
	req.plan = (Karta__Plan *)d.plan;
	req.base_row_version = d.plan->row_version;
	req.n_sections = 1;
	req.sections = &sp;
	Karta__PlanResult *r;
	int rc = plan_write(cl, &req.base, &r);
	if (rc == EXIT_OK) {
		printf(_("section %s added\n"), sid);
		karta__plan_result__free_unpacked(r, NULL);
	}
	plan_fmt_doc_release(&d);
	return rc;
}

int cmd_plan_edit(struct client *cl, int argc, char **argv)
{
	enum { O_TITLE, O_YEAR, O_ACT, O_BASE = O_ACT + PLAN_ACT_N, O_N };
	struct opt o[O_N + 1] = {
		[O_TITLE] = {.name = "title", .type = OPT_STR, .meta = "T", .help = N_("new title")},
		[O_YEAR] = {.name = "year", .type = OPT_INT, .meta = "YYYY",
			.help = N_("first year of the academic year"), .min = 2000,
			.max = 2100},
		PLAN_ACT_OPTS(O_ACT, N_("kind of the approving act"),
			N_("the higher act this plan implements")),
		[O_BASE] = PLAN_FMT_OPT_BASE,
	};
	struct opt_cmd c = {"plan edit", "PLAN", 1, help_plan_edit, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "plan", pos, &prc))
		return prc;
	if (!opts_any_set(o, O_BASE))
		return opts_fail(&c, _("nothing to change"));
	struct plan_fmt_doc d;
	if (plan_fmt_fetch(cl, pos[0], false, &d) != EXIT_OK)
		return EXIT_RUNTIME;
	Karta__Plan p = *d.plan; /* shallow: strings stay in d or argv */
	p.title = arg(&o[O_TITLE], p.title);
	p.academic_year = o[O_YEAR].set ? (int32_t)o[O_YEAR].num : p.academic_year;
	apply_act(&p, &o[O_ACT]);
	Karta__PlanPut req = KARTA__PLAN_PUT__INIT;
	req.plan = &p;
	req.base_row_version = o[O_BASE].set ? o[O_BASE].num : d.plan->row_version;
	/* The columns this edit sets (same order as the options): other fields merge. */
	static const char *const columns[O_BASE] = {"title", "academic_year", "act_kind",
		"act_number", "act_date", "implements"};
	char *fields[O_BASE];
	for (int i = 0; i < O_BASE; i++)
		if (o[i].set)
			fields[req.n_fields++] = (char *)columns[i];
	req.fields = fields;
	Karta__PlanResult *r;
	int rc = plan_write(cl, &req.base, &r);
	if (rc == EXIT_OK) {
		printf(_("plan %s updated (version %lld)\n"), r->plan->id,
			(long long)r->plan->row_version);
		karta__plan_result__free_unpacked(r, NULL);
	}
	plan_fmt_doc_release(&d);
	return rc;
}

/* --- derive, approve, archive ---------------------------------------------------------------- */

int cmd_plan_derive(struct client *cl, int argc, char **argv)
{
	enum { O_TITLE, O_N };
	struct opt o[O_N + 1] = {
		[O_TITLE] = {.name = "title", .type = OPT_STR, .meta = "T",
			.help = N_("title of the new plan (default: the parent's)")},
	};
	struct opt_cmd c = {"plan derive", "PARENT", 1, help_plan_derive, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "plan", pos, &prc))
		return prc;
	char id[PLAN_FMT_ID_LEN];
	if (plan_fmt_new_id(id) != 0)
		return EXIT_RUNTIME;
	Karta__PlanDerive req = KARTA__PLAN_DERIVE__INIT;
	req.parent_plan_id = (char *)pos[0];
	req.new_plan_id = id;
	req.title = arg(&o[O_TITLE], "");
	Karta__PlanResult *r;
	if (plan_write(cl, &req.base, &r) != EXIT_OK)
		return EXIT_RUNTIME;
	char items[64], refs[64];
	snprintf(items, sizeof items, P_("%d items", "%d items", r->items_derived), r->items_derived);
	snprintf(refs, sizeof refs, P_("%d references", "%d references", r->items_referenced),
		r->items_referenced);
	printf(_("plan %s derived from %s: %s, %s\n"), r->plan->id, pos[0], items, refs);
	karta__plan_result__free_unpacked(r, NULL);
	return EXIT_OK;
}

static int approve(struct client *cl, const char *id, const struct opt *base, bool archive,
	const char *kind, const char *number, const char *date)
{
	Karta__PlanApprove req = KARTA__PLAN_APPROVE__INIT;
	if (base_version(cl, id, base, &req.base_row_version) != EXIT_OK)
		return EXIT_RUNTIME;
	req.plan_id = (char *)id;
	req.archive = archive;
	req.act_kind = (char *)kind;
	req.act_number = (char *)number;
	req.act_date = (char *)date;
	Karta__PlanResult *r;
	if (plan_write(cl, &req.base, &r) != EXIT_OK)
		return EXIT_RUNTIME;
	if (archive)
		printf(_("plan %s archived (version %lld)\n"), r->plan->id,
			(long long)r->plan->row_version);
	else
		printf(_("plan %s approved (version %lld)\n"), r->plan->id,
			(long long)r->plan->row_version);
	karta__plan_result__free_unpacked(r, NULL);
	return EXIT_OK;
}

int cmd_plan_approve(struct client *cl, int argc, char **argv)
{
	enum { O_NUMBER, O_DATE, O_KIND, O_BASE, O_N };
	struct opt o[O_N + 1] = {
		[O_NUMBER] = {.name = "number", .type = OPT_STR, .meta = "N",
			.help = N_("number of the approving act"), .required = true},
		[O_DATE] = {.name = "date", .type = OPT_DATE, .meta = "YYYY-MM-DD",
			.help = N_("date of the act"), .required = true},
		[O_KIND] = {.name = "kind", .type = OPT_STR, .meta = "K",
			.help = N_("kind of the act (default: the plan's, or «приказ»)")},
		[O_BASE] = PLAN_FMT_OPT_BASE,
	};
	struct opt_cmd c = {"plan approve", "PLAN", 1, help_plan_approve, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "plan", pos, &prc))
		return prc;
	return approve(cl, pos[0], &o[O_BASE], false, arg(&o[O_KIND], ""), o[O_NUMBER].str,
		o[O_DATE].str);
}

int cmd_plan_archive(struct client *cl, int argc, char **argv)
{
	enum { O_BASE, O_N };
	struct opt o[O_N + 1] = {[O_BASE] = PLAN_FMT_OPT_BASE};
	struct opt_cmd c = {"plan archive", "PLAN", 1, help_plan_archive, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "plan", pos, &prc))
		return prc;
	return approve(cl, pos[0], &o[O_BASE], true, "", "", "");
}
