/* cmd_sync: `karta sync`, `karta watch`, `karta status`, `karta conflicts list|resolve` —
 * the commands about the local replica and its exchange with the server (sync.c). */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "help.h"
#include "kt_dates.h"
#include "kt_i18n.h"
#include "kt_table.h"
#include "kt_server_text.h"
#include "kt_msg.h"
#include "op_words.h"
#include "opts.h"
#include "plan_fmt.h"
#include "queue_view.h"
#include "rpc.h"
#include "sync.h"
#include "kt_i18n.h"
#include "terms.h"

/* --- printing what a sync did --------------------------------------------------------------- */

static const char *const outcome_words[] = {N_("applied"), N_("duplicate"), N_("conflict"),
	N_("rejected"), N_("to retry")};

static void print_result(void *arg, const struct replica_op *op, const Karta__OpResult *res)
{
	FILE *out = arg;
	Karta__OpOutcome o = res->outcome;
	if (o == KARTA__OP_OUTCOME__OP_APPLIED && !res->merged)
		return;
	char said[1024], sum[512];
	fprintf(out, _("  op %lld %s: %s%s%s%s\n"), (long long)op->client_seq,
		op_words_summary(op->summary, sum, sizeof sum),
		res->merged ? _("merged with newer changes to other fields") : _(outcome_words[o % 5]),
		*res->message && !res->merged ? " — " : "",
		res->merged ? "" : kt_server_text(res->message, said, sizeof said),
		o == KARTA__OP_OUTCOME__OP_REJECTED ? "" : "");
}

void sync_print(const struct sync_report *rep, FILE *out)
{
	if (rep->sent) {
		fprintf(out, P_("sent %ld change:", "sent %ld changes:", rep->sent), rep->sent);
		const char *sep = " ";
		for (int i = 0; i < 5; i++)
			if (rep->outcomes[i]) {
				fprintf(out, "%s%ld %s", sep, rep->outcomes[i], _(outcome_words[i]));
				sep = ", ";
			}
		fputc('\n', out);
	}
	const struct replica_count *t = &rep->st.total;
	fprintf(out, P_("pulled %ld change", "pulled %ld changes", rep->changes), rep->changes);
	if (rep->snapshots)
		fprintf(out, P_(" and %ld snapshot", " and %ld snapshots", rep->snapshots),
			rep->snapshots);
	if (t->inserted + t->updated == 0) {
		fprintf(out, _(": up to date\n"));
		return;
	}
	fputc(':', out);
	const char *sep = " ";
	for (int k = 0; k < REPLICA_NKINDS; k++) {
		const struct replica_count *c = &rep->st.kind[k];
		if (c->inserted + c->updated == 0)
			continue;
		fprintf(out, _("%s%s %ld new, %ld updated"), sep,
			terms_word(TERMS_DATA_KIND, replica_kind_name((enum replica_kind)k)),
			c->inserted, c->updated);
		if (c->deleted)
			fprintf(out, _(" (%ld deleted)"), c->deleted);
		sep = "; ";
	}
	fputc('\n', out);
}

static void print_open_conflicts(struct replica *r)
{
	struct replica_status st;
	if (r && replica_status(r, &st) == 0 && st.conflicts_open > 0)
		printf(P_("%ld open conflict: see 'karta conflicts list'\n",
			  "%ld open conflicts: see 'karta conflicts list'\n", st.conflicts_open),
			st.conflicts_open);
}

/* --- sync ----------------------------------------------------------------------------------- */

/* Milliseconds to wait before retry number n (0, 1, …): 250 ms doubling up to 5 s, with
 * jitter so that many clients cut off together do not come back together. */
static unsigned retry_delay_ms(int n)
{
	unsigned base = 250u << (n < 5 ? n : 5);
	if (base > 5000)
		base = 5000;
	return base / 2 + (unsigned)rand() % (base / 2 + 1);
}

int cmd_sync(struct client *cl, int argc, char **argv)
{
	enum { O_RETRY, O_N };
	struct opt o[] = {
		[O_RETRY] = {.name = "retry", .type = OPT_INT, .meta = "SECONDS",
			.help = N_("how long to keep retrying, with backoff, a server that restarts, fails "
				"over or is busy (default 30; 0: never). Given, it also waits for a "
				"server that cannot be reached at all"), .min = 0, .max = 86400},
		[O_N] = {0}};
	struct opt_cmd c = {"sync", "", 0, help_sync, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	long window = o[O_RETRY].set ? o[O_RETRY].num : 30;
	bool wait_unreached = o[O_RETRY].set && window > 0; /* offline stays fast by default */
	time_t deadline = time(NULL) + window;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	struct sync_report rep = {0};
	rc = -1;
	for (int attempt = 0;; attempt++) {
		cl->transient = false;
		if (sync_connect(cl, false)) {
			rc = sync_push(cl, &rep, print_result, stdout);
			if (rc == 0)
				rc = sync_pull(cl, false, &rep);
			if (rc == 0)
				break;
		}
		unsigned ms = retry_delay_ms(attempt);
		bool again = cl->transient && (wait_unreached || !cl->unreachable) &&
			time(NULL) + (time_t)(ms / 1000) < deadline;
		if (!again) {
			if (cl->unreachable && cl->replica) {
				long n = replica_outbox_count(cl->replica);
				fprintf(stderr, P_("karta: %ld queued change stay in the outbox\n",
						   "karta: %ld queued changes stay in the outbox\n", n), n);
			}
			if (!cl->rpc && rep.sent + rep.changes == 0)
				return EXIT_RUNTIME;
			break;
		}
		rpc_close(cl->rpc);
		cl->rpc = NULL;
		fprintf(stderr, _("karta: retrying in %.1f s\n"), ms / 1000.0);
		usleep(ms * 1000u);
	}
	sync_print(&rep, stdout);
	print_open_conflicts(cl->replica);
	return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* --- watch ---------------------------------------------------------------------------------- */

static volatile sig_atomic_t stop_watch;
static void on_stop(int sig) { (void)sig; stop_watch = 1; }

static void stamp(FILE *out)
{
	char t[32];
	time_t now = time(NULL);
	strftime(t, sizeof t, "%H:%M:%S", localtime(&now));
	fprintf(out, "[%s] ", t);
}

/* One round: send, pull (subscribed). -1 when the connection failed. */
static int watch_round(struct client *cl, const char *why)
{
	struct sync_report rep = {0};
	if (sync_push(cl, &rep, print_result, stdout) != 0 || sync_pull(cl, true, &rep) != 0)
		return -1;
	stamp(stdout);
	printf("%s: ", terms_q(why));
	sync_print(&rep, stdout);
	fflush(stdout);
	return 0;
}

int cmd_watch(struct client *cl, int argc, char **argv)
{
	enum { O_INTERVAL, O_N };
	struct opt o[] = {
		[O_INTERVAL] = {.name = "interval", .type = OPT_INT, .meta = "SECONDS",
			.help = N_("pull at least this often even without a poke (default 300)"),
			.min = 1, .max = 86400},
		[O_N] = {0},
	};
	struct opt_cmd c = {"watch", "", 0, help_watch, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	int interval_ms = (int)(o[O_INTERVAL].set ? o[O_INTERVAL].num : 300) * 1000;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	int backoff = 1;
	const char *why = N_("watch|start");
	while (!stop_watch) {
		if (!sync_connect(cl, false) || watch_round(cl, why) != 0) {
			if (!cl->unreachable && !cl->rpc && !cl->transient)
				return EXIT_RUNTIME; /* refused: retrying will not help */
			rpc_close(cl->rpc);
			cl->rpc = NULL;
			stamp(stderr);
			fprintf(stderr, _("karta: reconnecting in %d s\n"), backoff);
			sleep((unsigned)backoff);
			backoff = backoff < 60 ? backoff * 2 : 60;
			why = N_("watch|reconnected");
			continue;
		}
		backoff = 1;
		uint16_t type = 0;
		char err[256];
		int w = rpc_wait_push(cl->rpc, interval_ms, &type, err, sizeof err);
		if (w < 0) {
			stamp(stderr);
			fprintf(stderr, "karta: %s\n", err);
			rpc_close(cl->rpc);
			cl->rpc = NULL;
			why = N_("watch|reconnected");
			continue;
		}
		why = w == 1 ? N_("watch|interval") : type == KT_MSG_POKE ? N_("watch|poke") : N_("watch|push");
	}
	return EXIT_OK;
}

/* --- status --------------------------------------------------------------------------------- */

/* Prints s in exactly cols columns: cut at a character boundary, padded with spaces. */
static void print_fit(const char *s, size_t cols)
{
	size_t w = 0;
	while (*s && w < cols) {
		size_t n = 1;
		while ((s[n] & 0xC0) == 0x80)
			n++;
		fwrite(s, 1, n, stdout);
		s += n;
		w++;
	}
	for (; w < cols; w++)
		putchar(' ');
}

static int print_feed(void *arg, const struct replica_feed *f)
{
	(void)arg;
	printf("  %-12s ", f->code);
	print_fit(f->name, 40);
	printf(_(" %-5s epoch %u  at %lld of %lld  %ld rows%s\n"),
		terms_word(TERMS_FEED_SCOPE, f->scope), f->epoch, (long long)f->seq, (long long)f->last_seq, f->rows,
		f->resync ? _("  (resync pending)") : "");
	return 0;
}

static int print_rejected(void *arg, const struct replica_rejected *rj)
{
	(void)arg;
	char said[1024], at[64], sum[512];
	kt_date_people(rj->at, kt_table_get_style()->people, at, sizeof at);
	printf(_("  op %lld  %s  %s — %s (%s)\n"), (long long)rj->client_seq, at,
		op_words_summary(rj->summary, sum, sizeof sum),
		kt_server_text(rj->message, said, sizeof said), kt_status_text(rj->status));
	return 0;
}

int cmd_status(struct client *cl, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "set") == 0) { /* the old spelling of karta item status */
		fprintf(stderr, _("karta: 'karta status set' is deprecated: use 'karta item status'\n"));
		return cmd_item_status(cl, argc - 1, argv + 1);
	}
	enum { O_ROWS, O_QUEUE, O_N };
	struct opt o[] = {
		[O_ROWS] = {.name = "rows", .type = OPT_FLAG,
			.help = N_("print every synced row instead: type, id, feed, version, checksum")},
		[O_QUEUE] = {.name = "queue", .type = OPT_FLAG,
			.help = N_("list every queued change (a long queue is summarized by kind)")},
		[O_N] = {0}};
	struct opt_cmd c = {"status", "", 0, help_status, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	struct replica *r = client_replica(cl);
	struct replica_status st;
	if (r && o[O_ROWS].set)
		return replica_dump(r, stdout) == 0 ? EXIT_OK
			: (fprintf(stderr, "karta: %s\n", replica_error(r)), EXIT_RUNTIME);
	if (!r || replica_status(r, &st) != 0) {
		if (r)
			fprintf(stderr, "karta: %s\n", replica_error(r));
		return EXIT_RUNTIME;
	}
	char org[64] = "", level[32] = "";
	replica_meta_get(r, "org", org, sizeof org);
	replica_meta_get(r, "level", level, sizeof level);
	printf(_("organization: %s%s%s%s\n"), *org ? org : _("(never synced)"), *level ? " (" : "",
		terms_word(TERMS_LEVEL, level), *level ? ")" : "");
	char last[64];
	kt_date_people(st.last_sync, kt_table_get_style()->people, last, sizeof last);
	printf(_("last sync:    %s\n"), *st.last_sync ? last : _("never"));
	printf(_("feeds:        %ld (%ld rows)\n"), st.feeds, st.rows);
	if (replica_feed_each(r, print_feed, NULL) != 0)
		return EXIT_RUNTIME;
	printf(P_("queued:       %ld change\n", "queued:       %ld changes\n", st.outbox), st.outbox);
	if (queue_view_print(r, st.outbox, o[O_QUEUE].set, stdout) != 0)
		return EXIT_RUNTIME;
	printf(_("rejected:     %ld\n"), st.rejected);
	if (replica_rejected_each(r, print_rejected, NULL) != 0)
		return EXIT_RUNTIME;
	printf(_("conflicts:    %ld open\n"), st.conflicts_open);
	return EXIT_OK;
}

/* --- conflicts ------------------------------------------------------------------------------ */

struct conflict_list {
	bool all;
	long shown;
	json_t *json; /* --format json: array */
};

static void print_values(const char *label, json_t *vals, json_t *fields)
{
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f) {
		json_t *v = json_object_get(vals, json_string_value(f));
		char *s = json_is_string(v) ? strdup(json_string_value(v))
			: json_dumps(v ? v : json_null(), JSON_ENCODE_ANY | JSON_COMPACT);
		printf("    %-7s %-18s %s\n", i == 0 ? label : "", json_string_value(f), s ? s : "");
		free(s);
	}
}

static int list_conflict(void *arg, const char *id, const char *payload, bool pending)
{
	struct conflict_list *cl = arg;
	json_t *c = json_loads(payload, 0, NULL);
	if (!c)
		return 0;
	const char *status = json_string_value(json_object_get(c, "status"));
	if (cl->all || (status && strcmp(status, "open") == 0)) {
		cl->shown++;
		if (cl->json) {
			json_array_append(cl->json, c);
		} else {
			printf(_("%s  %s%s  %s %s  edited by %s on version %lld, met version %lld\n"), id,
				status ? status : "?", pending ? _(" (resolution queued)") : "",
				json_string_value(json_object_get(c, "entity_type")),
				json_string_value(json_object_get(c, "entity_id")),
				json_string_value(json_object_get(c, "org_code")),
				(long long)json_integer_value(json_object_get(c, "base_version")),
				(long long)json_integer_value(json_object_get(c, "theirs_version")));
			json_t *fields = json_object_get(c, "fields");
			print_values(_("mine"), json_object_get(c, "mine"), fields);
			print_values(_("theirs"), json_object_get(c, "theirs"), fields);
		}
	}
	json_decref(c);
	return 0;
}

int cmd_conflicts_list(struct client *cl, int argc, char **argv)
{
	enum { O_ALL, O_FORMAT, O_N };
	struct opt o[] = {
		[O_ALL] = {.name = "all", .type = OPT_FLAG, .help = N_("resolved ones too")},
		[O_FORMAT] = OPTS_FORMAT("table|json"),
		[O_N] = {0},
	};
	struct opt_cmd c = {"conflicts list", "", 0, help_conflicts_list, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	struct replica *r = client_replica(cl);
	if (!r)
		return EXIT_RUNTIME;
	struct conflict_list l = {.all = o[O_ALL].set};
	bool json = o[O_FORMAT].set && strcmp(o[O_FORMAT].str, "json") == 0;
	if (json)
		l.json = json_array();
	if (replica_each(r, "conflict", NULL, list_conflict, &l) != 0) {
		fprintf(stderr, "karta: %s\n", replica_error(r));
		json_decref(l.json);
		return EXIT_RUNTIME;
	}
	if (json) {
		json_dumpf(l.json, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(l.json);
	} else if (l.shown == 0) {
		printf("%s\n", l.all ? _("no conflicts") : _("no open conflicts"));
	}
	return EXIT_OK;
}

int cmd_conflicts_resolve(struct client *cl, int argc, char **argv)
{
	enum { O_KEEP, O_N };
	struct opt o[] = {
		[O_KEEP] = {.name = "keep", .type = OPT_CHOICE, .choices = "mine|theirs",
			.help = N_("mine: write this conflict's edit over the current row; theirs: keep the row"),
			.required = true},
		[O_N] = {0},
	};
	struct opt_cmd c = {"conflicts resolve", "ID", 1, help_conflicts_resolve, o};
	const char *pos[1];
	int prc;
	if (!opts_parse_id(&c, argc, argv, "conflict", pos, &prc))
		return prc;
	Karta__ConflictResolve req = KARTA__CONFLICT_RESOLVE__INIT;
	req.conflict_id = (char *)pos[0];
	req.keep = (char *)o[O_KEEP].str;
	ProtobufCMessage *m;
	if (plan_fmt_call(cl, &req.base, &karta__plan_result__descriptor, &m) != EXIT_OK)
		return EXIT_RUNTIME;
	char said[1024];
	printf(_("conflict %s: %s\n"), pos[0],
		kt_server_text(((Karta__PlanResult *)m)->message, said, sizeof said));
	protobuf_c_message_free_unpacked(m, NULL);
	return EXIT_OK;
}
