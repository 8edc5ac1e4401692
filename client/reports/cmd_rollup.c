/* cmd_rollup: `karta rollup` and `karta overdue` — tables the server computes
 * (TableRequest → Table, docs/reports.md), rendered by report_render.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "help.h"
#include "opts.h"
#include "outbox.h"
#include "plan_fmt.h"
#include "replica.h"
#include "report_parse.h"
#include "report_render.h"
#include "rpc.h"
#include "table_out.h"

#include "registry_cmds.h"
#include "report_cmds.h"
#include "kt_i18n.h"

/* --- rollup, overdue ---------------------------------------------------------------------- */

struct feed_level {
	const char *code;
	int level;
};

static int find_feed(void *arg, const struct replica_feed *f)
{
	struct feed_level *fl = arg;
	if (strcmp(f->code, fl->code) == 0)
		fl->level = f->level;
	return 0;
}

/* The table of a TableRequest: connects (the server computes it), learns the levels,
 * calls. */
static int table_call(struct client *cl, const char *name, const struct opt *as_of,
	const struct opt *by, const struct opt *scope, const struct opt *plan,
	struct report_view *v, Karta__Table **out)
{
	*out = NULL;
	const char *plan_id = plan->str;
	if (plan->set && opts_check_id("plan", &plan_id) != EXIT_OK)
		return EXIT_RUNTIME;
	if (!client_rpc_quiet(cl)) {
		if (cl->unreachable)
			fprintf(stderr, "%s\n", strcmp(name, "rollup") == 0
				? _("karta: the roll-up is computed by the server, which cannot be reached now")
				: _("karta: this is computed by the server, which cannot be reached now"));
		return EXIT_RUNTIME;
	}
	char own[64];
	int dev = report_device_level(cl, false, own, sizeof own);
	v->scope_level = dev;
	if (scope->set && strcmp(scope->str, own) != 0) {
		struct feed_level fl = {scope->str, 0};
		struct replica *r = client_replica(cl);
		if (r)
			replica_feed_each(r, find_feed, &fl);
		v->scope_level = fl.level;
	}
	if (by && by->set)
		v->by = by->str;
	else if (v->scope_level)
		v->by = v->scope_level == KARTA__ORG_LEVEL__ORG_LEVEL_REGION ? "municipality"
			: v->scope_level == KARTA__ORG_LEVEL__ORG_LEVEL_MUNICIPALITY ? "school"
			: "item";
	else /* a scope below this device that the replica does not know */
		v->by = dev == KARTA__ORG_LEVEL__ORG_LEVEL_REGION ? "school" : "item";
	Karta__TableRequest req = KARTA__TABLE_REQUEST__INIT;
	req.name = (char *)name;
	req.as_of = (char *)(as_of->set ? as_of->str : "");
	req.by = (char *)(by ? v->by : "");
	req.scope = (char *)(scope->set ? scope->str : "");
	req.plan_id = (char *)(plan->set ? plan_id : "");
	return report_table(cl, &req, out);
}

int report_table(struct client *cl, Karta__TableRequest *req, Karta__Table **out)
{
	*out = NULL;
	if (!client_rpc_quiet(cl)) { /* a refusal is printed; unreachable is not */
		if (cl->unreachable)
			fprintf(stderr, _("karta: this is computed by the server, which cannot be "
					"reached now\n"));
		return EXIT_RUNTIME;
	}
	ProtobufCMessage *m;
	if (plan_fmt_call(cl, &req->base, &karta__table__descriptor, &m) != EXIT_OK)
		return EXIT_RUNTIME;
	*out = (Karta__Table *)m;
	return EXIT_OK;
}

/* The options rollup and overdue share after their first ones (both enums name them alike). */
#define SCOPED_TABLE_OPTS \
	[O_SCOPE] = {.name = "scope", .type = OPT_STR, .meta = "ORG", \
		.help = N_("an organization below this one (default: this one)")}, \
	[O_PLAN] = {.name = "plan", .type = OPT_STR, .meta = "PLAN", \
		.help = N_("only this plan and the plans derived from it")}, \
	[O_FORMAT] = OPTS_FORMAT("table|csv|json|xlsx"), \
	[O_BOM] = OPTS_BOM, \
	[O_OUTPUT] = OPTS_OUTPUT

/* What rollup and overdue do before rendering: reads the command line, checks --scope, opens
 * the output and asks the server for the table c->name. True with *t (free it, then
 * table_out_close(out)); false with the exit code in *rc (the output closed if opened). */
static bool scoped_table(struct client *cl, struct opt_cmd *c, int argc, char **argv,
	const struct opt *as_of, const struct opt *by, const struct opt *scope,
	const struct opt *plan, struct report_view *v, struct table_out *out, Karta__Table **t,
	int *rc)
{
	*t = NULL;
	if (!opts_ok(c, argc, argv, NULL, rc))
		return false;
	if (scope->set && (!*scope->str || strlen(scope->str) > 32)) {
		*rc = opts_fail(c, _("--scope needs an organization code"));
		return false;
	}
	*rc = table_out_start(out, &v->fo, c);
	if (*rc != EXIT_OK)
		return false;
	*rc = table_call(cl, c->name, as_of, by, scope, plan, v, t);
	if (*rc != EXIT_OK) {
		*rc = table_out_close(out, &v->fo, *rc);
		return false;
	}
	return true;
}

/* ", scope ORG" after a heading when --scope is given, else "". */
static void scope_suffix(char *buf, size_t size, const struct opt *scope)
{
	buf[0] = '\0';
	if (scope->set)
		snprintf(buf, size, _(", scope %s"), scope->str);
}

int cmd_rollup(struct client *cl, int argc, char **argv)
{
	enum { O_AS_OF, O_BY, O_SCOPE, O_PLAN, O_FORMAT, O_BOM, O_OUTPUT, O_N };
	struct opt o[O_N + 1] = {
		[O_AS_OF] = {.name = "as-of", .type = OPT_DATE, .meta = "YYYY-MM-DD",
			.help = N_("the state at the end of this day (default: today)")},
		[O_BY] = {.name = "by", .type = OPT_CHOICE, .choices = "municipality|school|item",
			.help = N_("one row per municipality, school or plan item (default: the level "
				"below the scope; a school's own items)")},
		SCOPED_TABLE_OPTS,
	};
	struct opt_cmd c = {"rollup", "", 0, help_rollup, o};
	struct report_view v = {.color = report_want_color()};
	struct table_out out;
	Karta__Table *t;
	int rc;
	if (!scoped_table(cl, &c, argc, argv, &o[O_AS_OF], &o[O_BY], &o[O_SCOPE], &o[O_PLAN], &v,
		    &out, &t, &rc))
		return rc;
	v.title = strcmp(v.by, "item") == 0 ? "Свод по мероприятиям"
		: strcmp(v.by, "school") == 0 ? "Свод по ОО" : "Свод по муниципалитетам";
	if (v.fo.format == KT_TABLE_TEXT) {
		char scope[256];
		scope_suffix(scope, sizeof scope, &o[O_SCOPE]);
		const char *as_of = o[O_AS_OF].set ? o[O_AS_OF].str : _("today");
		if (strcmp(v.by, "item") == 0)
			printf(_("roll-up by item as of %s%s\n\n"), as_of, scope);
		else if (strcmp(v.by, "school") == 0)
			printf(_("roll-up by school as of %s%s\n\n"), as_of, scope);
		else
			printf(_("roll-up by municipality as of %s%s\n\n"), as_of, scope);
	}
	if (v.fo.format == KT_TABLE_TEXT && t->n_rows == 0)
		printf("%s\n", strcmp(v.by, "item") == 0 ? _("nothing to roll up: no items in scope")
			: strcmp(v.by, "school") == 0 ? _("nothing to roll up: no schools in scope")
			: _("nothing to roll up: no municipalities in scope"));
	else
		rc = report_render_rollup(t, &v, out.f);
	karta__table__free_unpacked(t, NULL);
	return table_out_close(&out, &v.fo, rc);
}

int cmd_overdue(struct client *cl, int argc, char **argv)
{
	enum { O_AS_OF, O_SCOPE, O_PLAN, O_FORMAT, O_BOM, O_OUTPUT, O_N };
	struct opt o[O_N + 1] = {
		[O_AS_OF] = {.name = "as-of", .type = OPT_DATE, .meta = "YYYY-MM-DD",
			.help = N_("overdue at the end of this day (default: today)")},
		SCOPED_TABLE_OPTS,
	};
	struct opt_cmd c = {"overdue", "", 0, help_overdue, o};
	struct report_view v = {.color = report_want_color(), .title = "Просрочено"};
	struct table_out out;
	Karta__Table *t;
	int rc;
	if (!scoped_table(cl, &c, argc, argv, &o[O_AS_OF], NULL, &o[O_SCOPE], &o[O_PLAN], &v, &out,
		    &t, &rc))
		return rc;
	if (v.fo.format == KT_TABLE_TEXT) {
		char scope[256];
		scope_suffix(scope, sizeof scope, &o[O_SCOPE]);
		printf(_("overdue as of %s%s\n\n"), o[O_AS_OF].set ? o[O_AS_OF].str : _("today"),
			scope);
	}
	rc = report_render_overdue(t, &v, out.f);
	karta__table__free_unpacked(t, NULL);
	return table_out_close(&out, &v.fo, rc);
}

int registry_duplicates_cmd(struct client *cl, int argc, char **argv)
{
	struct opt unset = {0};
	struct report_view v = {.color = false, .title = "Дубликаты участников"};
	struct table_out out;
	int rc;
	if (!table_out_command("registry duplicates", help_registry_duplicates, argc, argv, &out,
		    &v.fo, &rc))
		return rc;
	Karta__Table *t;
	rc = table_call(cl, "duplicates", &unset, NULL, &unset, &unset, &v, &t);
	if (rc == EXIT_OK) {
		rc = report_render_duplicates(t, &v, out.f);
		karta__table__free_unpacked(t, NULL);
	}
	return table_out_close(&out, &v.fo, rc);
}
