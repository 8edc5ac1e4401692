/* registry_edit: `karta registry edit KIND ID --field value …` and `karta registry delete
 * KIND ID --reason …` — one registry row corrected or soft-deleted, offline like every write:
 * the op is queued in the outbox (its local payload laid over the replica at once), then
 * sent when the server is reachable, which refuses it where this device may not write.
 * Values are typed as karta's CSV layout takes them and checked with the same rules
 * (common/registry); the edited row is the stored one exported, changed, and read back, so
 * only what the options name changes. History: every write is a row of the owner's change
 * feed (sql/0005 change_log) with its device and op; a deletion keeps its reason (sql/0010).
 * Messages name fields and ids, never values (personal data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "help.h"
#include "kt_msg.h"
#include "kt_registry.h"
#include "kt_validate.h"
#include "opts.h"
#include "plan_fmt.h"
#include "registry_cmds.h"
#include "registry_import_int.h"
#include "registry_map.h"
#include "replica.h"
#include "replica_int.h" /* rp_eff_each */
#include "sync.h"
#include "kt_i18n.h"
#include "kt_server_text.h"
#include "terms.h"

/* A registry table's row as the user names it in a message ("participant" → «участник»). */
static const char *row_word(const char *table)
{
	static const struct {
		const char *table, *msgid;
	} words[] = {
		{"participant", N_("registry row|participant")},
		{"exam", N_("registry row|exam")},
		{"exam_registration", N_("registry row|exam_registration")},
		{"exam_point", N_("registry row|exam_point")},
		{"auditorium", N_("registry row|auditorium")},
		{"staff", N_("registry row|staff")},
		{"staff_point", N_("registry row|staff_point")},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i].table, table) == 0)
			return terms_q(words[i].msgid); /* untranslated: the table after the '|' */
	return table;
}

int reg_outbox_put(struct replica *r, const char *kind, const char *type, const char *id,
	long long base, const json_t *args, const json_t *local, const char *summary,
	char op_id[REG_ID_LEN])
{
	char *js = json_dumps(args, JSON_COMPACT), *lp = local ? json_dumps(local, JSON_COMPACT) : NULL;
	Karta__RecordOp op = KARTA__RECORD_OP__INIT;
	op.kind = (char *)kind;
	op.id = (char *)id;
	op.base_row_version = base;
	op.args_json = js;
	size_t len = js ? protobuf_c_message_get_packed_size(&op.base) : 0;
	uint8_t *body = js ? malloc(len ? len : 1) : NULL;
	int rc = -1;
	if (body && (!local || lp) && plan_fmt_new_id(op_id) == 0) {
		protobuf_c_message_pack(&op.base, body);
		rc = replica_outbox_add(r, op_id, KT_MSG_RECORD_OP, body, len, type, id, lp, summary, NULL);
		if (rc != 0)
			fprintf(stderr, _("karta: cannot queue the change: %s\n"), replica_error(r));
	}
	free(js);
	free(lp);
	free(body);
	return rc;
}

/* ---- the fields an edit may set ------------------------------------------------------------ */

struct efield {
	const char *opt; /* --opt VALUE */
	int field;       /* karta layout field */
	int group;       /* fields read together (a document; an auditorium's seats): sent together */
};

static const struct efield pfields[] = {
	{"surname", KT_P_LAST_NAME, 0}, {"name", KT_P_FIRST_NAME, 0},
	{"patronymic", KT_P_MIDDLE_NAME, 0}, {"doc-type", KT_P_DOC_TYPE, 1},
	{"doc-series", KT_P_DOC_SERIES, 1}, {"doc-number", KT_P_DOC_NUMBER, 1}, {"sex", KT_P_SEX, 0},
	{"birth-date", KT_P_BIRTH_DATE, 0}, {"class", KT_P_GRADE, 0}, {"snils", KT_P_SNILS, 0},
	{"category", KT_P_CATEGORY, 0}, {"form", KT_P_FORM, 0}, {"ovz", KT_P_OVZ, 0},
	{"disabled", KT_P_DISABLED, 0}, {"citizenship", KT_P_CITIZENSHIP, 0}, {NULL, 0, 0}};
static const struct efield efields[] = {
	{"name", KT_E_NAME, 0}, {"address", KT_E_ADDRESS, 0}, {"host-school", KT_E_SCHOOL, 0},
	{"capacity", KT_E_CAPACITY, 2}, {"form", KT_E_FORM, 0}, {"at-home", KT_E_HOME, 2},
	{"remote", KT_E_TOM, 0}, {"video", KT_E_VIDEO, 0}, {"kim-print", KT_E_KIM_PRINT, 0},
	{"reserve", KT_E_RESERVE, 0}, {"phones", KT_E_PHONES, 0}, {"emails", KT_E_EMAILS, 0},
	{NULL, 0, 0}};
static const struct efield afields[] = {
	{"name", KT_A_NAME, 0}, {"rows", KT_A_ROWS, 1}, {"seats-per-row", KT_A_SEATS, 1},
	{"unusable", KT_A_UNUSABLE, 1}, {"ovz", KT_A_OVZ, 0}, {"video", KT_A_VIDEO, 0},
	{"lab", KT_A_LAB, 0}, {NULL, 0, 0}};
static const struct efield sfields[] = {
	{"surname", KT_S_LAST_NAME, 0}, {"name", KT_S_FIRST_NAME, 0},
	{"patronymic", KT_S_MIDDLE_NAME, 0}, {"doc-type", KT_S_DOC_TYPE, 1},
	{"doc-series", KT_S_DOC_SERIES, 1}, {"doc-number", KT_S_DOC_NUMBER, 1}, {"sex", KT_S_SEX, 0},
	{"birth-date", KT_S_BIRTH_DATE, 0}, {"snils", KT_S_SNILS, 0}, {"workplace", KT_S_SCHOOL, 0},
	{"role", KT_S_ROLE, 0}, {"subject", KT_S_SUBJECT, 0}, {NULL, 0, 0}};
static const struct efield *const kfields[KT_REG_NKINDS] = {pfields, efields, afields, sfields};

#define EDIT_MAX_OPTS 16

/* ---- the row ------------------------------------------------------------------------------ */

struct target {
	struct client *cl;
	struct replica *r;
	enum kt_reg_kind kind;
	const char *table;
	char id[REG_ID_LEN];
	json_t *row;
	long long base;
	char owner[64];
	char op_id[REG_ID_LEN];
	int outcome; /* -1 not answered */
	char msg[512];
};

struct by_guid {
	const char *want;
	char id[REG_ID_LEN];
	char feed[64];
};

static int guid_cb(void *arg, const char *id, const char *feed, const char *payload, bool pending)
{
	(void)pending;
	struct by_guid *g = arg;
	json_t *p = json_loads(payload, 0, NULL);
	const char *gu = rv_jstr(p, "guid");
	if (strcmp(id, g->want) == 0 || (*gu && strcmp(gu, g->want) == 0)) {
		snprintf(g->id, sizeof g->id, "%s", id);
		snprintf(g->feed, sizeof g->feed, "%s", feed ? feed : "");
	}
	json_decref(p);
	return 0;
}

/* The row of that id (karta's id or its GUID, any case, braces allowed) and its owner's code.
 * 0, or -1 with the message printed. */
static int find_row(struct target *t, const char *typed)
{
	char want[64];
	snprintf(want, sizeof want, "%s", typed + (*typed == '{'));
	size_t n = strlen(want);
	if (n && want[n - 1] == '}')
		want[--n] = '\0';
	for (char *q = want; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q += 32;
	if (kt_check_guid(want)) {
		fprintf(stderr, _("karta: '%s' is not a row id (a UUID / GUID)\n"), typed);
		return -1;
	}
	struct by_guid g = {.want = want};
	if (rp_eff_each(t->r, t->table, NULL, guid_cb, &g) != 0) {
		fprintf(stderr, "karta: %s\n", replica_error(t->r));
		return -1;
	}
	if (!*g.id) {
		fprintf(stderr, _("karta: no %s %s in the local replica (run 'karta sync'?)\n"),
			kt_reg_kind_name(t->kind), want);
		return -1;
	}
	snprintf(t->id, sizeof t->id, "%s", g.id);
	char *js = NULL;
	bool pending = false;
	if (replica_get(t->r, t->table, t->id, &js, &pending) == 0)
		t->row = json_loads(js, 0, NULL); /* not inside json_is_object: a macro */
	if (!json_is_object(t->row)) {
		free(js);
		fprintf(stderr, _("karta: cannot read %s %s from the replica\n"), row_word(t->table), t->id);
		return -1;
	}
	free(js);
	t->base = json_integer_value(json_object_get(t->row, "row_version")) + (pending ? 1 : 0);
	snprintf(t->owner, sizeof t->owner, "%s", *rv_jstr(t->row, "org") ? rv_jstr(t->row, "org") : g.feed);
	const json_t *d = json_object_get(t->row, "deleted_at");
	if (d && !json_is_null(d)) {
		fprintf(stderr, _("karta: %s %s was deleted%s%s\n"), row_word(t->table), t->id,
			*rv_jstr(t->row, "deleted_reason") ? ": " : "", rv_jstr(t->row, "deleted_reason"));
		return -1;
	}
	return 0;
}

static void on_result(void *arg, const struct replica_op *op, const Karta__OpResult *res)
{
	struct target *t = arg;
	if (strcmp(op->op_id, t->op_id) != 0)
		return;
	t->outcome = res->outcome == KARTA__OP_OUTCOME__OP_DUPLICATE ? (int)res->first_outcome
		: (int)res->outcome;
	char said[1024];
	snprintf(t->msg, sizeof t->msg, "%s (%s)", res->message && *res->message
		? kt_server_text(res->message, said, sizeof said) : _("no reason given"),
		kt_status_name((int)res->status));
}

/* Sends the outbox when the server is reachable and says what became of the op. */
/* What a command says of its one change: whole sentences, so that each language can put
 * them its own way (the gender of «правка» and «удаление» differs). */
struct said {
	const char *offline, *queued;
	bool deleted;
};
static const struct said said_edit = {
	N_("offline: the edit is queued; 'karta sync' sends it\n"),
	N_("the edit is queued; 'karta sync' sends it\n"), false};
static const struct said said_delete = {
	N_("offline: the deletion is queued; 'karta sync' sends it\n"),
	N_("the deletion is queued; 'karta sync' sends it\n"), true};

static int send_and_report(struct target *t, const struct said *say)
{
	struct sync_report rep = {0};
	t->outcome = -1;
	if (!sync_connect(t->cl, true)) {
		if (!t->cl->unreachable)
			return EXIT_RUNTIME;
		fputs(_(say->offline), stdout);
		return EXIT_OK;
	}
	if (sync_push(t->cl, &rep, on_result, t) != 0 || sync_pull(t->cl, false, &rep) != 0)
		return EXIT_RUNTIME;
	if (t->outcome == KARTA__OP_OUTCOME__OP_APPLIED) {
		printf(say->deleted ? _("%s %s: deleted\n") : _("%s %s: edited\n"), row_word(t->table), t->id);
		return EXIT_OK;
	}
	if (t->outcome < 0 || t->outcome == KARTA__OP_OUTCOME__OP_RETRY_LATER) {
		fputs(_(say->queued), stdout);
		return EXIT_OK;
	}
	fprintf(stderr, _("karta: %s %s: server refused: %s\n"), row_word(t->table), t->id, t->msg);
	return EXIT_RUNTIME;
}

static int kind_arg(const char *s)
{
	int k = kt_reg_kind_parse(s);
	int t = k < 0 ? rv_type_parse(s) : -1;
	return k >= 0 ? k : t >= 0 ? rv_types[t].kind : -1;
}

/* The arguments of edit and delete, and the usage error of a KIND that is none of them. */
#define KIND_ID "participants|exam-points|auditoriums|staff ID"
static int not_a_kind(const struct opt_cmd *c, const char *s)
{
	return opts_fail(c, _("'%s' is not a registry (participants, exam-points, auditoriums, "
		"staff)"), s);
}

/* ---- edit ------------------------------------------------------------------------------------ */

static size_t check_record(enum kt_reg_kind kind, const char *const *v, struct kt_field_errors *e)
{
	switch (kind) {
	case KT_REG_PARTICIPANTS: {
		struct kt_participant p = {.layout = KT_LAYOUT_KARTA};
		memcpy(p.v, v, sizeof p.v);
		return kt_participant_check(&p, NULL, e);
	}
	case KT_REG_EXAM_POINTS: {
		struct kt_exam_point p = {.layout = KT_LAYOUT_KARTA};
		memcpy(p.v, v, sizeof p.v);
		return kt_exam_point_check(&p, e);
	}
	case KT_REG_AUDITORIUMS: {
		struct kt_auditorium a = {.layout = KT_LAYOUT_KARTA};
		memcpy(a.v, v, sizeof a.v);
		return kt_auditorium_check(&a, e);
	}
	case KT_REG_STAFF: {
		struct kt_staff s = {.layout = KT_LAYOUT_KARTA};
		memcpy(s.v, v, sizeof s.v);
		return kt_staff_check(&s, NULL, e);
	}
	}
	return 0;
}

/* The stored row as karta's layout exports it, with its references resolved. */
static int stored_record(struct target *t, struct rx *x, struct regmap_rec *rec)
{
	struct regmap_refs refs = {.owner = t->owner};
	if (t->kind == KT_REG_EXAM_POINTS)
		refs.other = rv_org_ref(x, t->row, "host_org");
	else if (t->kind == KT_REG_STAFF)
		refs.other = rv_org_ref(x, t->row, "workplace_org");
	else if (t->kind == KT_REG_AUDITORIUMS)
		refs.point = rv_point_code(x, rv_jstr(t->row, "point_id"));
	return regmap_record(t->kind, KT_LAYOUT_KARTA, t->row, &refs, rec);
}

static int do_edit(struct target *t, const struct efield *fl, struct opt *o)
{
	struct rx x = {.r = t->r};
	struct regmap_rec rec = {0}, was = {0};
	json_t *cols = NULL, *old = NULL;
	int rc = EXIT_RUNTIME;
	if (stored_record(t, &x, &rec) != 0 || stored_record(t, &x, &was) != 0 || x.oom) {
		fprintf(stderr, _("karta: out of memory\n"));
		goto done;
	}
	struct reg_row row = {.kind = t->kind, .layout = KT_LAYOUT_KARTA};
	for (size_t i = 0; fl[i].opt; i++) {
		if (!o[i].set)
			continue;
		free(rec.v[fl[i].field]);
		rec.v[fl[i].field] = strdup(o[i].str);
		for (size_t j = 0; fl[j].opt; j++) /* a group is read together */
			if (j == i || (fl[i].group && fl[j].group == fl[i].group))
				row.has[fl[j].field] = true;
	}
	struct kt_field_errors fe;
	if (check_record(t->kind, (const char *const *)rec.v, &fe) > 0) {
		for (size_t i = 0; i < fe.n; i++)
			fprintf(stderr, "karta: %s %s: %s\n", row_word(t->table), t->id, fe.e[i].msg);
		fprintf(stderr, _("karta: nothing changed\n"));
		goto done;
	}
	memcpy(row.v, rec.v, sizeof row.v);
	struct reg_row before = row;
	memcpy(before.v, was.v, sizeof before.v);
	cols = reg_row_columns(&row);
	old = reg_row_columns(&before);
	if (!cols || !old) {
		fprintf(stderr, _("karta: out of memory\n"));
		goto done;
	}
	if (json_equal(cols, old)) {
		printf(_("%s %s: nothing to change\n"), row_word(t->table), t->id);
		rc = EXIT_OK;
		goto done;
	}
	json_t *args = json_deep_copy(cols), *local = json_deep_copy(t->row);
	json_object_set_new(args, "type", json_string(t->table));
	json_object_update(local, cols);
	json_object_set_new(local, "row_version", json_integer(t->base));
	char summary[160];
	snprintf(summary, sizeof summary, "registry_put %s %s: edit", t->table, t->id);
	int q = args && local ? reg_outbox_put(t->r, "registry_put", t->table, t->id, t->base, args,
		local, summary, t->op_id) : -1;
	json_decref(args);
	json_decref(local);
	rc = q == 0 ? send_and_report(t, &said_edit) : EXIT_RUNTIME;
done:
	json_decref(cols);
	json_decref(old);
	regmap_rec_release(&rec);
	regmap_rec_release(&was);
	rv_rx_free(&x, 0);
	return rc;
}

int registry_edit_cmd(struct client *cl, int argc, char **argv)
{
	int kind = argc > 1 ? kind_arg(argv[1]) : -1;
	const struct efield *fl = kind >= 0 ? kfields[kind] : pfields;
	struct opt o[EDIT_MAX_OPTS + 1];
	char help[EDIT_MAX_OPTS][160];
	size_t n = 0;
	memset(o, 0, sizeof o);
	for (; fl[n].opt && n < EDIT_MAX_OPTS; n++) {
		snprintf(help[n], sizeof help[n], "«%s»", kt_reg_field_name(kind >= 0
			? (enum kt_reg_kind)kind : KT_REG_PARTICIPANTS, KT_LAYOUT_KARTA, fl[n].field));
		o[n] = (struct opt){.name = fl[n].opt, .type = OPT_STR, .meta = "VALUE", .help = help[n]};
	}
	struct opt_cmd c = {"registry edit", KIND_ID, 2, help_registry_edit, o};
	const char *pos[2];
	int rc;
	if (!opts_ok(&c, argc, argv, pos, &rc))
		return rc;
	if (kind < 0)
		return not_a_kind(&c, pos[0]);
	bool any = false;
	for (size_t i = 0; i < n; i++)
		any |= o[i].set;
	if (!any)
		return opts_fail(&c, _("nothing to change: give at least one --FIELD VALUE"));
	struct target t = {.cl = cl, .kind = (enum kt_reg_kind)kind, .table = reg_table((enum kt_reg_kind)kind)};
	if (!(t.r = rv_synced_replica(cl)) || find_row(&t, pos[1]) != 0) {
		json_decref(t.row);
		return EXIT_RUNTIME;
	}
	rc = do_edit(&t, fl, o);
	json_decref(t.row);
	return rc;
}

/* ---- delete ---------------------------------------------------------------------------------- */

int registry_delete_cmd(struct client *cl, int argc, char **argv)
{
	enum { O_REASON, O_N };
	struct opt o[O_N + 1] = {
		[O_REASON] = {.name = "reason", .type = OPT_STR, .meta = "TEXT", .required = true,
			.help = N_("why the row goes (kept with it; at most 1000 characters)")},
	};
	struct opt_cmd c = {"registry delete", KIND_ID, 2, help_registry_delete, o};
	const char *pos[2];
	int rc;
	if (!opts_ok(&c, argc, argv, pos, &rc))
		return rc;
	int kind = kind_arg(pos[0]);
	if (kind < 0)
		return not_a_kind(&c, pos[0]);
	char *reason = reg_fold(o[O_REASON].str);
	size_t chars = 0;
	for (const unsigned char *c2 = (const unsigned char *)(reason ? reason : ""); *c2; c2++)
		chars += (*c2 & 0xC0) != 0x80;
	if (!reason || !*reason || chars > 1000) {
		int r = opts_fail(&c, reason && *reason ? "--reason: at most 1000 characters"
			: "--reason: say why the row is deleted");
		free(reason);
		return r;
	}
	struct target t = {.cl = cl, .kind = (enum kt_reg_kind)kind, .table = reg_table((enum kt_reg_kind)kind)};
	rc = EXIT_RUNTIME;
	if (!(t.r = rv_synced_replica(cl)) || find_row(&t, pos[1]) != 0)
		goto done;
	json_t *args = json_pack("{s:s,s:s}", "type", t.table, "reason", reason);
	json_t *local = json_deep_copy(t.row);
	char now[32], summary[160];
	time_t tt = time(NULL);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
	json_object_set_new(local, "deleted_at", json_string(now));
	json_object_set_new(local, "deleted_reason", json_string(reason));
	json_object_set_new(local, "row_version", json_integer(t.base));
	snprintf(summary, sizeof summary, "registry_delete %s %s", t.table, t.id);
	int q = args && local ? reg_outbox_put(t.r, "registry_delete", t.table, t.id, t.base, args,
		local, summary, t.op_id) : -1;
	json_decref(args);
	json_decref(local);
	rc = q == 0 ? send_and_report(&t, &said_delete) : EXIT_RUNTIME;
done:
	free(reason);
	json_decref(t.row);
	return rc;
}
