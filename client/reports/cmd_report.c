/* cmd_report: `karta status set`, `karta report …`, `karta rollup`, `karta overdue` — item
 * statuses, report requests and submissions, and the roll-up (docs/reports.md).
 *
 * Writes are RecordOps queued in the local outbox like every other write (outbox_call): sent
 * at once when the server is reachable, else kept until `karta sync` (a status or a draft
 * written offline is fine). `report list` and `report show` read the local replica (the rows
 * arrive through sync); `rollup` and `overdue` are computed by the server (TableRequest)
 * and need it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "help.h"
#include "opts.h"
#include "outbox.h"
#include "plan_fmt.h"
#include "replica.h"
#include "report_parse.h"
#include "report_render.h"
#include "report_cmds.h"
#include "rpc.h"
#include "kt_i18n.h"
#include "kt_server_text.h"
#include "terms.h"

/* --- shared pieces ------------------------------------------------------------------------ */

/* The level (Karta__OrgLevel) and code of this device's organization: from the Welcome when
 * connected (connect: try to, quietly), else from the replica's last sync; 0 and "" when
 * neither knows. */
int report_device_level(struct client *cl, bool connect, char *code, size_t n)
{
	if (code && n)
		code[0] = '\0';
	if (!cl->rpc && connect)
		client_rpc_quiet(cl);
	if (cl->rpc) {
		const Karta__Welcome *w = rpc_welcome(cl->rpc);
		if (w && w->org) {
			if (code)
				snprintf(code, n, "%s", w->org->code);
			return (int)w->org->level;
		}
	}
	struct replica *r = client_replica(cl);
	char level[32] = "";
	if (!r)
		return 0;
	if (code)
		replica_meta_get(r, "org", code, n);
	replica_meta_get(r, "level", level, sizeof level);
	return strcmp(level, "region") == 0 ? KARTA__ORG_LEVEL__ORG_LEVEL_REGION
		: strcmp(level, "municipality") == 0 ? KARTA__ORG_LEVEL__ORG_LEVEL_MUNICIPALITY
		: strcmp(level, "school") == 0 ? KARTA__ORG_LEVEL__ORG_LEVEL_SCHOOL : 0;
}

/* The evidence options of item status and report draft/submit, in this order. */
#define EVIDENCE_OPTS(first)                                                                  \
	[first] = {.name = "comment", .type = OPT_STR, .meta = "TEXT",                        \
		.help = N_("a comment for the receiver")},                                        \
	[first + 1] = {.name = "evidence", .type = OPT_STR, .meta = "TEXT",                   \
		.help = N_("the document it rests on: «Приказ №12 от 01.10.2023» (kind, number and " \
			"date are read from it)")},                                           \
	[first + 2] = {.name = "count", .type = OPT_INT, .meta = "N", .min = 0,               \
		.max = 999999999999999LL, .help = N_("a number that proves it (participants, events)")}, \
	[first + 3] = {.name = "attachment", .type = OPT_STR, .meta = "REF",                  \
		.help = N_("where the proof is: a file name or a link")},                         \
	[first + 4] = {.name = "record", .type = OPT_LIST, .meta = "ID",                      \
		.help = N_("a record the evidence names (repeatable)")}
#define EVIDENCE_N 5

static bool evidence_given(const struct opt *o) { return opts_any_set(o + 1, EVIDENCE_N - 1); }

/* The evidence object of the options at o (NULL when none was given). EXIT_OK, or a usage
 * error already printed. */
static int build_evidence(const struct opt_cmd *c, const struct opt *o, json_t **out)
{
	*out = NULL;
	struct report_doc doc;
	char err[256];
	if (o[1].set && report_parse_document(o[1].str, &doc, err, sizeof err) != 0)
		return opts_fail(c, _("--evidence: %s"), err);
	if (o[3].set && !*o[3].str)
		return opts_fail(c, _("--attachment must not be empty"));
	bool oom;
	*out = report_evidence_json(o[1].set ? &doc : NULL, o[3].set ? o[3].str : NULL,
		o[2].set ? o[2].num : -1, o[4].list, o[4].n_list, &oom);
	if (oom) {
		fprintf(stderr, _("karta: out of memory\n"));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* Sets key to a string (a copy; not valid UTF-8 is refused by jansson: then "" is sent and
 * the server says what is wrong). */
static void jset_str(json_t *o, const char *key, const char *v)
{
	json_t *s = json_string(v);
	json_object_set_new(o, key, s ? s : json_string(""));
}

/* Sends a RecordOp through the outbox. *res: the server's answer (or, offline, RETRY_LATER
 * "queued"); free with karta__op_result__free_unpacked. A refusal is printed by
 * outbox_call ("karta: server refused: …") and returns EXIT_RUNTIME. Takes args. */
int report_send_op(struct client *cl, const char *kind, const char *id, long long base,
	json_t *args, Karta__OpResult **res)
{
	*res = NULL;
	char *js = args ? json_dumps(args, JSON_COMPACT) : NULL;
	json_decref(args);
	if (!js) {
		fprintf(stderr, _("karta: out of memory\n"));
		return EXIT_RUNTIME;
	}
	Karta__RecordOp op = KARTA__RECORD_OP__INIT;
	op.kind = (char *)kind;
	op.id = (char *)(id ? id : "");
	op.base_row_version = base;
	op.args_json = js;
	ProtobufCMessage *m = NULL;
	int rc = outbox_call(cl, &op.base, &karta__op_result__descriptor, &m);
	free(js);
	if (rc != EXIT_OK || !m) {
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
		return rc != EXIT_OK ? rc : EXIT_RUNTIME;
	}
	*res = (Karta__OpResult *)m;
	if ((*res)->outcome == KARTA__OP_OUTCOME__OP_CONFLICT) {
		char said[1024];
		fprintf(stderr, _("karta: conflict: %s\n"), *(*res)->message
			? kt_server_text((*res)->message, said, sizeof said) : _("changed on the server meanwhile"));
		karta__op_result__free_unpacked(*res, NULL);
		*res = NULL;
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static bool queued(const Karta__OpResult *r)
{
	return r->outcome == KARTA__OP_OUTCOME__OP_RETRY_LATER;
}

/* --base VERSION where 0 means "nothing yet". */
#define OPT_BASE0                                                                         \
	{.name = "base", .type = OPT_INT, .meta = "VERSION", .min = 0,                    \
		.help = N_("the status (0: none yet) version this change rests on; another one " \
			"on the server is a conflict (default: no check)")}

/* --base VERSION of a submission or request. */
#define OPT_BASE1(help_text)                                                              \
	{.name = "base", .type = OPT_INT, .meta = "VERSION", .min = 1, .help = help_text}
#define OPT_BASE_REQUEST N_("the request version this change rests on; another one on the " \
	"server is a conflict (default: no check)")
#define OPT_BASE_SUBMISSION N_("the submission version this change rests on; another one on " \
	"the server is a conflict (default: no check)")

/* --- item status -------------------------------------------------------------------------- */

int cmd_item_status(struct client *cl, int argc, char **argv)
{
	enum { O_EV, O_BASE = O_EV + EVIDENCE_N, O_N };
	struct opt o[O_N + 1] = {EVIDENCE_OPTS(O_EV), [O_BASE] = OPT_BASE0};
	struct opt_cmd c = {"item status", "ITEM STATUS", 2, help_item_status, o};
	const char *pos[2];
	int rc;
	if (!opts_ok(&c, argc, argv, pos, &rc))
		return rc;
	rc = EXIT_RUNTIME;
	json_t *ev = NULL;
	const char *st = report_status_word(pos[1]);
	if (!st) {
		rc = opts_fail(&c, _("'%s' is not a status: one of %s"), pos[1], REPORT_STATUS_WORDS);
		goto out;
	}
	if (opts_check_id("item", &pos[0]) != EXIT_OK)
		goto out;
	if ((rc = build_evidence(&c, &o[O_EV], &ev)) != EXIT_OK)
		goto out;
	json_t *a = json_object();
	jset_str(a, "item_id", pos[0]);
	jset_str(a, "status", st);
	jset_str(a, "comment", o[O_EV].set ? o[O_EV].str : "");
	json_object_set_new(a, "evidence", ev ? ev : json_object());
	if (o[O_BASE].set)
		json_object_set_new(a, "base", json_integer(o[O_BASE].num));
	Karta__OpResult *r;
	rc = report_send_op(cl, "status_set", "", o[O_BASE].set ? o[O_BASE].num : 0, a, &r);
	if (rc == EXIT_OK) {
		if (queued(r))
			printf(_("status of item %s: %s (queued)\n"), pos[0],
				terms_word(TERMS_ITEM_STATUS, st));
		else
			printf(_("status of item %s: %s (version %lld%s)\n"), pos[0],
				terms_word(TERMS_ITEM_STATUS, st), (long long)r->row_version,
				strcmp(r->message, "unchanged") == 0 ? _(", unchanged") : "");
		karta__op_result__free_unpacked(r, NULL);
	}
out:
	opts_free(&c);
	return rc;
}

/* --- report request ----------------------------------------------------------------------- */

int cmd_report_request(struct client *cl, int argc, char **argv)
{
	enum { O_TITLE, O_DUE, O_FROM, O_TO, O_SUBMITTERS, O_ORG, O_GROUP, O_SERIES, O_RECEIVER,
		O_UPDATE, O_BASE, O_N };
	struct opt o[O_N + 1] = {
		[O_TITLE] = {.name = "title", .type = OPT_STR, .meta = "T", .required = true,
			.help = N_("what is asked")},
		[O_DUE] = {.name = "due", .type = OPT_DATE, .meta = "YYYY-MM-DD",
			.help = N_("the deadline")},
		[O_FROM] = {.name = "from", .type = OPT_DATE, .meta = "YYYY-MM-DD",
			.help = N_("the period reported on starts")},
		[O_TO] = {.name = "to", .type = OPT_DATE, .meta = "YYYY-MM-DD",
			.help = N_("the period ends (the deadline when there is no --due)")},
		[O_SUBMITTERS] = {.name = "submitters", .type = OPT_CHOICE,
			.choices = "municipality|school",
			.help = N_("every organization of this level below the receiver (default: the "
				"level below it, unless --org or --group)")},
		[O_ORG] = {.name = "org", .type = OPT_LIST, .meta = "CODE",
			.help = N_("a named submitter below the receiver (repeatable)")},
		[O_GROUP] = {.name = "group", .type = OPT_LIST, .meta = "NAME",
			.help = N_("the schools of a school group (repeatable)")},
		[O_SERIES] = {.name = "series", .type = OPT_STR, .meta = "ID",
			.help = N_("a round of a recurring request: the series' first request")},
		[O_RECEIVER] = {.name = "receiver", .type = OPT_STR, .meta = "CODE",
			.help = N_("region only: issue it for an organization below")},
		[O_UPDATE] = {.name = "update", .type = OPT_STR, .meta = "ID",
			.help = N_("rewrite this request (every field as for a new one) instead of "
				"creating one; needs --base")},
		[O_BASE] = OPT_BASE1(OPT_BASE_REQUEST),
	};
	struct opt_cmd c = {"report request", "ITEM", 1, help_report_request, o};
	const char *pos[1];
	int rc;
	if (!opts_ok(&c, argc, argv, pos, &rc))
		return rc;
	rc = EXIT_USAGE;
	char id[PLAN_FMT_ID_LEN];
	if (!*o[O_TITLE].str) {
		opts_fail(&c, _("--title must not be empty"));
		goto out;
	}
	if (!o[O_DUE].set && !o[O_TO].set) {
		opts_fail(&c, _("give --due DATE, or a period --from DATE --to DATE"));
		goto out;
	}
	if (o[O_FROM].set && !o[O_TO].set) {
		opts_fail(&c, _("--from needs --to: the period's end"));
		goto out;
	}
	if (o[O_FROM].set && strcmp(o[O_FROM].str, o[O_TO].str) > 0) {
		opts_fail(&c, _("the period ends (%s) before it starts (%s)"), o[O_TO].str,
			o[O_FROM].str);
		goto out;
	}
	if (o[O_UPDATE].set != o[O_BASE].set) {
		opts_fail(&c, _("--update and --base go together"));
		goto out;
	}
	rc = EXIT_RUNTIME;
	if (opts_check_id("item", &pos[0]) != EXIT_OK ||
	    (o[O_SERIES].set && opts_check_id("series", &o[O_SERIES].str) != EXIT_OK) ||
	    (o[O_UPDATE].set && opts_check_id("request", &o[O_UPDATE].str) != EXIT_OK))
		goto out;
	const char *level = o[O_SUBMITTERS].set ? o[O_SUBMITTERS].str : NULL;
	if (!level && !o[O_ORG].n_list && !o[O_GROUP].n_list) {
		int lv = report_device_level(cl, true, NULL, 0);
		if (o[O_RECEIVER].set && lv == KARTA__ORG_LEVEL__ORG_LEVEL_REGION)
			lv = 0; /* a receiver below the region: its level is not known here */
		level = lv == KARTA__ORG_LEVEL__ORG_LEVEL_REGION ? "municipality"
			: lv == KARTA__ORG_LEVEL__ORG_LEVEL_MUNICIPALITY ? "school" : NULL;
		if (!level) {
			rc = opts_fail(&c, _("say who submits: --submitters, --org or --group"));
			goto out;
		}
	}
	if (o[O_UPDATE].set)
		snprintf(id, sizeof id, "%s", o[O_UPDATE].str);
	else if (plan_fmt_new_id(id) != 0)
		goto out;
	json_t *a = json_object(), *sub = json_object(), *orgs = json_array(),
	       *groups = json_array();
	jset_str(a, "item_id", pos[0]);
	jset_str(a, "title", o[O_TITLE].str);
	if (o[O_DUE].set)
		jset_str(a, "due_date", o[O_DUE].str);
	if (o[O_FROM].set)
		jset_str(a, "period_from", o[O_FROM].str);
	if (o[O_TO].set)
		jset_str(a, "period_to", o[O_TO].str);
	if (o[O_SERIES].set)
		jset_str(a, "series_id", o[O_SERIES].str);
	if (o[O_RECEIVER].set)
		jset_str(a, "receiver", o[O_RECEIVER].str);
	if (level)
		jset_str(sub, "level", level);
	for (size_t i = 0; i < o[O_ORG].n_list; i++)
		json_array_append_new(orgs, json_string(o[O_ORG].list[i]));
	for (size_t i = 0; i < o[O_GROUP].n_list; i++)
		json_array_append_new(groups, json_string(o[O_GROUP].list[i]));
	json_object_set_new(sub, "orgs", orgs);
	json_object_set_new(sub, "groups", groups);
	json_object_set_new(a, "submitters", sub);
	Karta__OpResult *r;
	rc = report_send_op(cl, "report_request_put", id, o[O_BASE].set ? o[O_BASE].num : 0, a, &r);
	if (rc == EXIT_OK) {
		if (queued(r))
			printf(_("report request %s queued until 'karta sync' sends it\n"), id);
		else
			printf(o[O_UPDATE].set ? _("report request %s updated (version %lld)\n")
					       : _("report request %s created (version %lld)\n"),
				id, (long long)r->row_version);
		karta__op_result__free_unpacked(r, NULL);
	}
out:
	opts_free(&c);
	return rc;
}

/* --- report draft, submit, accept, return ------------------------------------------------- */

/* Is id a row of this type in the local replica? state (may be NULL): its "state". */
static bool replica_has(struct client *cl, const char *type, const char *id, char *state,
	size_t n)
{
	struct replica *r = client_replica(cl);
	char *p = NULL;
	bool has = r && replica_get(r, type, id, &p, NULL) == 0;
	if (has && state) {
		json_t *j = json_loads(p, 0, NULL);
		const char *s = json_string_value(json_object_get(j, "state"));
		snprintf(state, n, "%s", s ? s : "");
		json_decref(j);
	}
	free(p);
	return has;
}

/* "submission <id>: <what> (version N)" or the queued form. */
static void print_submission(const Karta__OpResult *r, const char *id, const char *what)
{
	const char *sid = *r->entity_id ? r->entity_id : id;
	if (queued(r)) {
		printf(_("submission %s: %s queued until 'karta sync' sends it\n"), id, terms_q(what));
		return;
	}
	const char *m = r->message;
	if (strcmp(m, "created") == 0)
		m = _("draft created");
	else if (strcmp(m, "saved") == 0)
		m = _("draft saved");
	else if (strcmp(m, "unchanged") == 0)
		m = _("unchanged");
	else if (!*m)
		m = terms_q(what);
	else
		m = terms_word(TERMS_REPORT_STATE, m); /* "accepted", "returned": the field's words */
	char said[1024];
	if (m == r->message) /* a sentence of the server's */
		m = kt_server_text(m, said, sizeof said);
	if (strncmp(r->message, "submission ", 11) == 0) /* accepted: "… is new submission <id>" */
		printf(_("%s (version %lld)\n"), m, (long long)r->row_version);
	else
		printf(_("submission %s: %s (version %lld)\n"), sid, m, (long long)r->row_version);
}

/* Content args of draft and submit: comment and evidence, only those given. */
static int content_args(const struct opt_cmd *c, const struct opt *o, json_t *a)
{
	json_t *ev;
	int rc = build_evidence(c, o, &ev);
	if (rc != EXIT_OK)
		return rc;
	if (o[0].set)
		jset_str(a, "comment", o[0].str);
	if (ev)
		json_object_set_new(a, "evidence", ev);
	return EXIT_OK;
}

/* A new submission answering request: its id chosen here (into id), request_id in a.
 * EXIT_OK or EXIT_RUNTIME. */
static int new_for_request(json_t *a, const char *request, char *id)
{
	if (plan_fmt_new_id(id) != 0)
		return EXIT_RUNTIME;
	jset_str(a, "request_id", request);
	return EXIT_OK;
}

/* Sends a submission's op (takes a) and prints the submission shown as what. */
static int send_submission(struct client *cl, const char *op, const char *id,
	const struct opt *base, json_t *a, const char *shown, const char *what)
{
	Karta__OpResult *r;
	int rc = report_send_op(cl, op, id, base->set ? base->num : 0, a, &r);
	if (rc == EXIT_OK) {
		print_submission(r, shown, what);
		karta__op_result__free_unpacked(r, NULL);
	}
	return rc;
}

/* `report draft` and `report submit`: the same options and the same op on a submission. ID is
 * a request (a new submission answers it) or a submission: a draft edits one this replica
 * holds (an accepted one: the next submission, whose id we choose, so it is known here even
 * before the server has it) and must change something; submit sends it as it stands. */
static int submission_op(struct client *cl, int argc, char **argv, bool submit)
{
	enum { O_EV, O_BASE = O_EV + EVIDENCE_N, O_N };
	struct opt o[O_N + 1] = {EVIDENCE_OPTS(O_EV), [O_BASE] = OPT_BASE1(OPT_BASE_SUBMISSION)};
	struct opt_cmd c = {"report draft", "REQUEST|SUBMISSION", 1, help_report_draft, o};
	if (submit)
		c = (struct opt_cmd){"report submit", "SUBMISSION|REQUEST", 1, help_report_submit, o};
	const char *pos[1];
	int rc;
	if (!opts_parse_id(&c, argc, argv, submit ? "submission or request" : "request or submission",
		    pos, &rc)) {
		opts_free(&c);
		return rc;
	}
	char id[PLAN_FMT_ID_LEN];
	json_t *a = json_object();
	char state[32] = "", next[PLAN_FMT_ID_LEN] = "";
	bool edit = !submit && replica_has(cl, "report_submission", pos[0], state, sizeof state);
	if ((rc = content_args(&c, &o[O_EV], a)) != EXIT_OK)
		goto out;
	if (submit ? replica_has(cl, "report_request", pos[0], NULL, 0) : !edit) {
		if ((rc = new_for_request(a, pos[0], id)) != EXIT_OK)
			goto out;
	} else {
		snprintf(id, sizeof id, "%s", pos[0]);
	}
	if (edit && !o[O_EV].set && !evidence_given(&o[O_EV])) {
		rc = opts_fail(&c, _("nothing to change: give --comment or evidence"));
		goto out;
	}
	if (edit && strcmp(state, "accepted") == 0) {
		if (plan_fmt_new_id(next) != 0) {
			rc = EXIT_RUNTIME;
			goto out;
		}
		jset_str(a, "new_id", next);
	}
	rc = send_submission(cl, submit ? "report_submit" : "report_draft", id, &o[O_BASE], a,
		*next ? next : id, submit ? N_("report op|submit") : N_("report op|draft"));
	a = NULL;
out:
	json_decref(a);
	opts_free(&c);
	return rc;
}

int cmd_report_draft(struct client *cl, int argc, char **argv)
{
	return submission_op(cl, argc, argv, false);
}

int cmd_report_submit(struct client *cl, int argc, char **argv)
{
	return submission_op(cl, argc, argv, true);
}

static int decide(struct client *cl, const char *id, const char *reason,
	const struct opt *base, bool accept)
{
	json_t *a = json_object();
	if (reason)
		jset_str(a, "reason", reason);
	return send_submission(cl, accept ? "report_accept" : "report_return", id, base, a, id,
		accept ? N_("report op|accept") : N_("report op|return"));
}

int cmd_report_accept(struct client *cl, int argc, char **argv)
{
	enum { O_BASE, O_N };
	struct opt o[O_N + 1] = {[O_BASE] = OPT_BASE1(OPT_BASE_SUBMISSION)};
	struct opt_cmd c = {"report accept", "SUBMISSION", 1, help_report_accept, o};
	const char *pos[1];
	int rc;
	if (!opts_parse_id(&c, argc, argv, "submission", pos, &rc))
		return rc;
	return decide(cl, pos[0], NULL, &o[O_BASE], true);
}

int cmd_report_return(struct client *cl, int argc, char **argv)
{
	enum { O_REASON, O_BASE, O_N };
	struct opt o[O_N + 1] = {
		[O_REASON] = {.name = "reason", .type = OPT_STR, .meta = "TEXT", .required = true,
			.help = N_("what must change (kept with the submission)")},
		[O_BASE] = OPT_BASE1(OPT_BASE_SUBMISSION),
	};
	struct opt_cmd c = {"report return", "SUBMISSION", 1, help_report_return, o};
	const char *pos[1];
	int rc;
	if (!opts_parse_id(&c, argc, argv, "submission", pos, &rc))
		return rc;
	const char *s = o[O_REASON].str;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s)
		return opts_fail(&c, _("--reason must not be empty"));
	return decide(cl, pos[0], o[O_REASON].str, &o[O_BASE], false);
}

