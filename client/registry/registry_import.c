/* registry_import: `karta registry import KIND FILE.csv` — reads a registry file with kt_csv
 * (UTF-8 or Windows-1251, ; , or TAB, karta's headers or the interop layout), checks every
 * row with kt_validate, and queues every new or changed row — as ops of many rows
 * (reg_batch.c: RecordOp registry_rows, each row with its line): a file goes in whole or
 * not at all (with --partial, its valid rows). Offline (and --dry-run) that is one pass, all
 * in one local transaction (replica_batch_begin/end). Online it is two (two_passes): the
 * first checks and compares every row and says what it refuses — anything refused, and
 * nothing is queued —; the second reads the file again and queues, each op committed in a
 * short transaction as it fills and sent at once by a sender thread while a puller pulls the
 * rows answered back (reg_pipe.c, as the federal package's import: registry_gds.c). Rows get
 * deterministic ids (the owner, the table and the row's natural key), and a row equal to the
 * replica's copy is not sent, so a re-import of the same file queues nothing. The server's
 * answer to each row is reported with its line.
 *
 * Messages name lines and columns, never values: registry fields are personal data. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "kt_csv.h"
#include "kt_msg.h"
#include "kt_registry.h"
#include "kt_validate.h"
#include "opts.h"
#include "plan_fmt.h"
#include "registry_cmds.h"
#include "registry_import_int.h"
#include "registry_rows.h"
#include "replica.h"
#include "sync.h"
#include "kt_i18n.h"
#include "kt_server_text.h"

/* ---- output -------------------------------------------------------------------------------- */

static void bar(struct imp *im, struct kt_csv_reader *rd, bool done)
{
	if (!im->tty)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - im->last_bar.tv_sec) * 1000 + (now.tv_nsec - im->last_bar.tv_nsec) / 1000000;
	if (done) {
		fprintf(stderr, "\r\033[K");
		return;
	}
	if (ms < 100)
		return;
	im->last_bar = now;
	size_t b = kt_csv_bytes_read(rd);
	int pct = im->total_bytes ? (int)(100.0 * (double)b / (double)im->total_bytes) : 0;
	fputs("\r\033[K", stderr);
	fprintf(stderr, _("%s: %ld rows read, %.1f of %.1f MB (%d%%)"), im->file, im->rows,
		(double)b / 1e6, (double)im->total_bytes / 1e6, pct > 100 ? 100 : pct);
	fflush(stderr);
}

/* "FILE:LINE: reason" (the progress bar cleared first), whatever the pass. */
static void say(struct imp *im, int line, const char *msg)
{
	if (im->tty)
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "%s:%d: %s\n", im->file, line, _(msg)); /* N_() at the callers */
}

/* "FILE:LINE: «field»: reason": a row refused here (said once: not again by the second pass,
 * which refuses the same rows). */
void ri_reject(struct imp *im, int line, const char *msg)
{
	if (!im->quiet)
		say(im, line, msg);
}

void ri_reject_field(struct imp *im, int line, int field, enum kt_reg_layout layout,
	const char *msg)
{
	char buf[256];
	snprintf(buf, sizeof buf, "«%s»: %s", kt_reg_field_name(im->kind, layout, field), _(msg));
	ri_reject(im, line, buf);
}

/* ---- queueing ---------------------------------------------------------------------------- */

/* Queues one row (an op of many rows, reg_batch.c) and remembers its line and action for the
 * server's answer. late: after the other rows of its op (a staff member's exam point). */
static int queue(struct imp *im, const char *kind, const char *type, const char *id, long long base,
	json_t *args, json_t *local, int line, char action)
{
	if (im->dry) {
		im->would++;
		return 0;
	}
	if (im->nq == im->capq) {
		size_t cap = im->capq ? im->capq * 2 : 256;
		struct qop *g = realloc(im->q, cap * sizeof *g);
		if (g)
			im->q = g, im->capq = cap;
	}
	int rc = -1;
	struct qop *q = im->nq < im->capq ? &im->q[im->nq] : NULL;
	if (q && (rc = reg_batch_add(&im->batch, kind, type, id, base, args, local, line,
			  (long)im->nq, action == 'p')) == 0) {
		q->line = line;
		q->action = action;
		q->outcome = -1;
		im->nq++;
	}
	if (rc != 0)
		fprintf(stderr, _("karta: cannot queue line %d\n"), line);
	return rc;
}

/* The replica's copy of type/id: 0 found (*payload, *base = the version to send), 1 none. */
static int current(struct imp *im, const char *type, const char *id, json_t **payload,
	long long *base)
{
	char *js = NULL;
	bool pending = false;
	*payload = NULL;
	*base = 0;
	int rc = replica_get(im->r, type, id, &js, &pending);
	if (rc == 0) {
		*payload = json_loads(js, 0, NULL);
		/* a pending op's local payload carries the version that op rests on: the server
		 * will be one further once it is applied */
		*base = json_integer_value(json_object_get(*payload, "row_version")) + (pending ? 1 : 0);
		if (!*payload)
			rc = 1;
	}
	free(js);
	return rc < 0 ? -1 : rc;
}

static bool blank(const char *s)
{
	char *f = reg_fold(s);
	bool b = !f || !*f;
	free(f);
	return b;
}

/* Queues the soft deletion of row t (reason kept; an interop flag too). */
static int queue_delete(struct imp *im, const struct ri_target *t, long long base,
	const json_t *payload, const char *reason, int ris_flag, int line)
{
	im->to_delete++;
	json_t *args = json_pack("{s:s,s:s}", "type", im->table, "reason", reason);
	json_t *local = payload ? json_deep_copy(payload) : json_object();
	char now[32];
	time_t tt = time(NULL);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
	json_object_set_new(local, "deleted_at", json_string(now));
	json_object_set_new(local, "deleted_reason", json_string(reason));
	json_object_set_new(local, "row_version", json_integer(base));
	if (ris_flag) {
		json_object_set_new(args, "ris_deleted", json_integer(ris_flag));
		json_object_set_new(local, "ris_deleted", json_integer(ris_flag));
	}
	int rc = args && local ? queue(im, "registry_delete", im->table, t->id, base, args, local,
		line, 'd') : -1;
	json_decref(args);
	json_decref(local);
	return rc;
}

/* One checked row: its identity, the comparison, the op. -1 on a local error (stop), 1 when
 * the row is refused here, 0 otherwise. */
static int import_row(struct imp *im, struct reg_row *row, int line)
{
	struct ri_target t;
	int rr = ri_resolve(im, row, line, &t);
	if (rr != 0)
		return rr;
	const char *staff_point = NULL;
	if (im->kind == KT_REG_STAFF && !blank(row->v[KT_S_PPE]) &&
	    !(staff_point = ri_point_of(im, row->v[KT_S_PPE]))) {
		ri_reject_field(im, line, KT_S_PPE, row->layout,
			N_("no exam point with this code here (import the exam points first, or 'karta sync')"));
		return 1;
	}
	const struct reg_map_entry *dup = reg_map_get(&im->seen, t.id);
	if (dup) {
		int f = row->layout == KT_LAYOUT_RIS ? 0 /* Guid */
			: im->kind == KT_REG_PARTICIPANTS ? KT_P_DOC_NUMBER
			: im->kind == KT_REG_EXAM_POINTS ? KT_E_CODE
			: im->kind == KT_REG_AUDITORIUMS ? KT_A_CODE : KT_S_CODE;
		char msg[96];
		snprintf(msg, sizeof msg, _("the same %s as line %ld"), row->layout == KT_LAYOUT_RIS ? "row"
			: im->kind == KT_REG_PARTICIPANTS ? "document" : "code", dup->num);
		ri_reject_field(im, line, f, row->layout, msg);
		return 1;
	}
	if (reg_map_put(&im->seen, t.id, NULL, line) != 0 ||
	    (t.scope_key && reg_map_put(&im->scopes, t.scope_key, NULL, 0) != 0))
		return -1;

	json_t *payload = NULL;
	long long base = 0;
	int found = t.exists ? current(im, im->table, t.id, &payload, &base) : 1;
	if (found < 0) {
		fprintf(stderr, _("karta: cannot read the replica: %s\n"), replica_error(im->r));
		return -1;
	}
	int rc = 0, ris_flag = 0;
	char reason[1100];
	if (ri_deletion(row, reason, sizeof reason, &ris_flag)) {
		if (found != 0) { /* names no row here: said and skipped, nothing stored */
			int f = row->layout == KT_LAYOUT_RIS ? (im->kind == KT_REG_PARTICIPANTS
				? KT_P_DELETED : KT_E_DELETED) : kt_reg_reason_field(im->kind, row->layout);
			ri_reject_field(im, line, f, row->layout,
				N_("marks as deleted a row that is not here: skipped"));
			im->skipped++;
		} else if (t.deleted) {
			im->unchanged++;
		} else {
			rc = queue_delete(im, &t, base, payload, reason, ris_flag, line);
		}
		json_decref(payload);
		return rc;
	}
	if (found == 0 && t.deleted) {
		ri_reject_field(im, line, kt_reg_id_field(im->kind), row->layout,
			N_("this row was deleted in karta; a deleted row is not brought back by an import"));
		json_decref(payload);
		return 1;
	}
	json_t *cols = reg_row_columns(row);
	if (!cols) {
		json_decref(payload);
		return -1;
	}
	if (t.point)
		json_object_set_new(cols, "point_id", json_string(t.point));
	if (found == 0 && ri_same(im, row, cols, payload, &t)) {
		im->unchanged++;
	} else {
		json_t *args = json_deep_copy(cols), *local = found == 0 ? json_deep_copy(payload) : json_object();
		json_object_set_new(args, "type", json_string(im->table));
		if (t.owner_named && t.owner && im->kind != KT_REG_AUDITORIUMS)
			json_object_set_new(args, "org", json_string(t.owner));
		json_object_update(local, cols);
		json_object_set_new(local, "id", json_string(t.id));
		json_object_set_new(local, "row_version", json_integer(base));
		if (t.owner && im->kind != KT_REG_AUDITORIUMS && !*rv_jstr(local, "org"))
			json_object_set_new(local, "org", json_string(t.owner));
		if (found == 0)
			im->to_update++;
		else
			im->to_add++;
		rc = queue(im, "registry_put", im->table, t.id, found == 0 ? base : 0, args, local, line,
			found == 0 ? 'u' : 'a');
		json_decref(args);
		json_decref(local);
	}
	json_decref(cols);
	json_decref(payload);
	if (rc == 0 && staff_point) { /* the staff member's exam point: a staff_point row */
		char spid[REG_ID_LEN], sc[80];
		snprintf(sc, sizeof sc, "%s\nstaff_point", t.id);
		reg_uuid5(sc, staff_point, spid);
		json_t *sp = NULL;
		long long sb = 0;
		int f = current(im, "staff_point", spid, &sp, &sb);
		if (f == 1) { /* a deleted attachment stays deleted: the server refuses a put on it */
			json_t *args = json_pack("{s:s,s:s,s:s}", "type", "staff_point", "staff_id", t.id,
				"point_id", staff_point);
			json_t *local = json_pack("{s:s,s:s,s:s,s:I}", "id", spid, "staff_id", t.id,
				"point_id", staff_point, "row_version", (json_int_t)sb);
			rc = queue(im, "registry_put", "staff_point", spid, 0, args, local, line, 'p');
			json_decref(args);
			json_decref(local);
		}
		json_decref(sp);
	}
	return rc;
}

/* --delete-missing: every live row of the scopes the file named (its organizations, or for
 * auditoriums its exam points) that no line of the file named is deleted. */
static int delete_missing(struct imp *im)
{
	char reason[300];
	const char *slash = strrchr(im->file, '/');
	snprintf(reason, sizeof reason, "нет в файле %s", slash ? slash + 1 : im->file);
	for (size_t i = 0; i < im->nlive; i++) {
		struct live_row *l = &im->live[i];
		if (reg_map_get(&im->seen, l->id) || !reg_map_get(&im->scopes, l->scope))
			continue;
		json_t *payload = NULL;
		long long base = 0;
		struct ri_target t = {0};
		snprintf(t.id, sizeof t.id, "%s", l->id);
		int found = current(im, im->table, t.id, &payload, &base);
		int rc = found == 0 ? queue_delete(im, &t, base, payload, reason, 0, 0) : found;
		json_decref(payload);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- the server's answers -------------------------------------------------------------------- */

static void on_result(void *arg, const struct replica_op *op, const Karta__OpResult *res)
{
	struct imp *im = arg;
	long k = reg_batch_tag(&im->batch, op);
	if (k < 0 || (size_t)k >= im->nq)
		return; /* an op queued before this import */
	struct qop *q = &im->q[k];
	char said[1024], buf[640];
	const char *msg;
	int o = ri_answer(q, res, &im->server, said, sizeof said, &msg);
	if (o == KARTA__OP_OUTCOME__OP_REJECTED) {
		snprintf(buf, sizeof buf, q->action == 'p' ?
			_("server refused the exam point attachment: %s (%s)") : _("server refused: %s (%s)"), msg,
			kt_status_name((int)res->status));
		say(im, q->line, buf);
	} else if (o == KARTA__OP_OUTCOME__OP_CONFLICT) {
		snprintf(buf, sizeof buf, _("conflict: %s"), msg);
		say(im, q->line, buf);
	}
}

/* ---- the command ------------------------------------------------------------------------------ */

/* The device's organization and level (meta of the first sync). */
static void own_org(struct imp *im)
{
	if (replica_meta_get(im->r, REPLICA_META_ORG, im->own_org, sizeof im->own_org) != 0)
		im->own_org[0] = '\0';
	if (replica_meta_get(im->r, "level", im->own_level, sizeof im->own_level) != 0)
		im->own_level[0] = '\0';
}

static int check_owner(struct imp *im, const struct kt_reg_map *map)
{
	im->x.r = im->r;
	if (im->org_opt && *im->own_org && strcmp(im->org_opt, im->own_org) != 0 &&
	    strcmp(im->own_level, "region") != 0 && !rv_below(&im->x, im->org_opt, im->own_org)) {
		fprintf(stderr, _("karta: --org %s: not this organization (%s) nor one below it; rows of "
				"another organization are imported by it or by one above it\n"), im->org_opt,
			im->own_org);
		return -1;
	}
	if (im->org_opt || im->kind == KT_REG_AUDITORIUMS ||
	    strcmp(im->own_level, reg_owner_level(im->kind)) == 0)
		return 0;
	if (!*im->own_level) {
		fprintf(stderr, _("karta: this device's organization is not known yet (it never reached "
				"the server): run 'karta sync' once, or give --org CODE\n"));
		return -1;
	}
	if (im->kind == KT_REG_STAFF || map->layout == KT_LAYOUT_RIS) {
		fprintf(stderr, _("karta: this device belongs to a %s; %s rows belong to a %s: give "
				"--org CODE\n"), im->own_level, im->table, reg_owner_level(im->kind));
		return -1;
	}
	return 0; /* the row's own column names the owner (Код ОО, Код МСУ) */
}

/* ", D to delete, S skipped" where there are any. */
static void extra_counts(const struct imp *im, FILE *out, bool done)
{
	if (im->to_delete && done)
		fprintf(out, _(", %ld deleted"), im->server.deleted);
	else if (im->to_delete)
		fprintf(out, _(", %ld to delete"), im->to_delete);
	if (im->skipped)
		fprintf(out, _(", %ld skipped"), im->skipped);
}

static void summary_line(const struct imp *im, FILE *out)
{
	long valid = im->rows - im->rejected;
	if (im->dry) {
		fprintf(out, _("dry run: %ld rows checked: %ld to add, %ld to update, %ld unchanged, "
			"%ld rejected"), im->rows, im->to_add, im->to_update, im->unchanged, im->rejected);
		extra_counts(im, out, false);
		fprintf(out, _("; nothing queued\n"));
	} else if (im->offline) {
		fprintf(out, _("queued %ld rows: %ld to add, %ld to update, %ld unchanged"), valid,
			im->to_add, im->to_update, im->unchanged);
		extra_counts(im, out, false);
		fputc('\n', out);
	} else {
		long waiting = 0;
		for (size_t i = 0; i < im->nq; i++)
			waiting += im->q[i].outcome < 0 || im->q[i].outcome == KARTA__OP_OUTCOME__OP_RETRY_LATER;
		fprintf(out, _("imported %ld rows: %ld added, %ld updated, %ld unchanged, %ld rejected by "
			"the server"), valid, im->server.added, im->server.updated, im->unchanged,
			im->server.refused);
		extra_counts(im, out, true);
		if (im->server.conflicts)
			fprintf(out, _(", %ld conflicts"), im->server.conflicts);
		if (waiting)
			fprintf(out, _("; %ld changes still queued ('karta sync' sends them)"), waiting);
		fputc('\n', out);
	}
}

/* Sending while reading (the second pass online): the ops flushed so far committed when it
 * is time (all: at the end), and the sender told (reg_pipe.c). Without mu held. 0, or -1
 * (printed). */
static int commit_ops(struct imp *im, bool all)
{
	struct reg_batch *b = &im->batch;
	if (!im->piping || !b->own_txn || !b->nwops ||
	    (!all && !reg_pipe_commit_now(&im->pipe, b->done_rows + b->held_rows, b->nwops)))
		return 0;
	long n = reg_batch_commit(b);
	if (n < 0)
		return -1;
	reg_pipe_written(&im->pipe, (size_t)n);
	return 0;
}

/* Reads every row: 0 read to the end, -1 a malformed file or a local error (printed). */
static int read_rows(struct imp *im, struct kt_csv_reader *rd, const struct kt_reg_map *map)
{
	struct kt_csv_row row;
	struct kt_csv_err err;
	struct kt_field_errors fe;
	struct reg_row rr = {.kind = im->kind, .layout = map->layout};
	for (size_t c = 0; c < map->ncols; c++)
		if (map->col_field[c] >= 0 && map->col_field[c] < KT_REG_MAX_FIELDS)
			rr.has[map->col_field[c]] = true;
	size_t nf = im->kind == KT_REG_PARTICIPANTS ? KT_P_NFIELDS : im->kind == KT_REG_EXAM_POINTS
		? KT_E_NFIELDS : im->kind == KT_REG_AUDITORIUMS ? KT_A_NFIELDS : KT_S_NFIELDS;
	for (;;) {
		enum kt_csv_status st = kt_csv_next(rd, &row, &err);
		if (st == KT_CSV_END)
			return 0;
		if (st == KT_CSV_BAD_ROW) { /* a wrong field count: this row is refused, not the file */
			const char *m = err.msg;
			if (strncmp(m, "line ", 5) == 0 && strchr(m, ':'))
				m = strchr(m, ':') + 2;
			im->rows++;
			im->rejected++;
			ri_reject(im, err.line, m);
			continue;
		}
		if (st != KT_CSV_ROW) { /* an unbalanced quote, a huge field, a broken encoding */
			bar(im, rd, true);
			fprintf(stderr, "karta: %s: %s\n", im->file, err.msg);
			return -1;
		}
		im->rows++;
		if (kt_reg_check_row(map, &row, NULL, &fe) > 0) {
			im->rejected++;
			for (size_t i = 0; i < fe.n; i++)
				ri_reject(im, row.line, fe.e[i].msg);
			if (fe.more)
				ri_reject(im, row.line, N_("(more errors in this row)"));
		} else {
			memset(rr.v, 0, sizeof rr.v);
			kt_reg_fill(map, &row, rr.v, nf);
			bool dry = im->dry;
			im->dry = dry || (im->rejected && !im->partial); /* will roll back: stop queueing */
			if (im->piping)
				pthread_mutex_lock(&im->mu);
			size_t ops = im->batch.nops;
			int rc = import_row(im, &rr, row.line);
			if (im->piping)
				pthread_mutex_unlock(&im->mu);
			im->dry = dry;
			if (rc >= 0 && im->batch.nops != ops && commit_ops(im, false) != 0)
				rc = -1;
			if (rc < 0)
				return -1;
			im->rejected += rc;
		}
		if ((im->rows & 63) == 0)
			bar(im, rd, false);
	}
}

/* After the rows: --delete-missing's deletions (not with rows rejected: said once). 0, or -1
 * (printed). */
static int missing_rows(struct imp *im)
{
	if (!im->delete_missing)
		return 0;
	if (im->rejected) {
		if (!im->quiet)
			fprintf(stderr, _("karta: %s: --delete-missing not applied: %ld rows were rejected (a "
					"rejected line would read as missing)\n"), im->file, im->rejected);
		return 0;
	}
	if (im->piping)
		pthread_mutex_lock(&im->mu);
	int rc = delete_missing(im);
	if (im->piping)
		pthread_mutex_unlock(&im->mu);
	return rc;
}

/* The file read again from its first row (its header mapped as before). 0, or -1 (printed). */
static int reread(struct imp *im, FILE *f, struct kt_csv_reader **rd)
{
	struct kt_csv_row hdr;
	struct kt_csv_err err;
	kt_csv_reader_free(*rd);
	*rd = NULL;
	if (fseek(f, 0, SEEK_SET) != 0 || !(*rd = kt_csv_reader_file(f, NULL)) ||
	    kt_csv_next(*rd, &hdr, &err) != KT_CSV_ROW) {
		fprintf(stderr, _("karta: %s: cannot read the file again; nothing imported\n"), im->file);
		return -1;
	}
	return 0;
}

/* The import online: a first pass checks every row (and says what it refuses) and compares
 * it with the replica — a refused row, and nothing at all is queued or sent (without
 * --partial); nothing new or changed, and it is done; else a second pass reads the file
 * again, compares and queues, and each op of rows is committed in a short local transaction
 * and sent as soon as it is written (reg_pipe.c: a sender and a puller, each with its own
 * connection and replica handle), so the server applies the first rows while the client
 * reads the last, and the rows answered are pulled back while the server applies the next
 * ones — as the federal package's import does (registry_gds.c). 0, or -1 (printed). */
static int two_passes(struct imp *im, FILE *f, struct kt_csv_reader **rd,
	const struct kt_reg_map *map)
{
	im->dry = true; /* the check pass: every rule of the one-pass import, nothing queued */
	int read = read_rows(im, *rd, map);
	bar(im, *rd, true);
	if (read != 0) {
		fprintf(stderr, _("karta: %s: nothing imported\n"), im->file);
		return -1;
	}
	if (missing_rows(im) != 0)
		return -1;
	im->dry = false;
	if (ri_nothing_imported(im->file, im->rejected, im->rows, im->partial, false))
		return -1;
	if (im->would == 0)
		return 0; /* the counts of the first pass are the import's */
	reg_map_free(&im->seen);
	reg_map_free(&im->scopes);
	im->rows = im->rejected = im->unchanged = im->to_add = im->to_update = im->to_delete = 0;
	im->skipped = 0;
	im->quiet = true; /* the same rows are refused again: said once */
	if (reread(im, f, rd) != 0)
		return -1;
	reg_batch_init(&im->batch, im->r, im->file, "line");
	im->batch.own_txn = true;
	/* the ops written several at a time (reg_pipe_commit_now): the entity index's pages they
	 * dirty stay in the cache until the commit */
	if (replica_outbox_cache(im->r, reg_pipe_cache_kib()) != 0) {
		fprintf(stderr, _("karta: cannot read the replica: %s\n"), replica_error(im->r));
		return -1;
	}
	im->pipe = (struct reg_pipe){.cfg = &im->cl->cfg, .mu = &im->mu, .fn = on_result, .arg = im};
	if (reg_pipe_start(&im->pipe) != 0)
		return -1;
	im->piping = true;
	int rc = read_rows(im, *rd, map);
	bar(im, *rd, true);
	if (rc == 0)
		rc = missing_rows(im);
	if (rc == 0) {
		pthread_mutex_lock(&im->mu);
		rc = reg_batch_flush(&im->batch);
		pthread_mutex_unlock(&im->mu);
	}
	if (rc == 0)
		rc = commit_ops(im, true);
	reg_pipe_end(&im->pipe, rc != 0);
	im->piping = false;
	im->quiet = false;
	if (rc != 0) { /* the rows of the ops committed are queued; the others are not */
		size_t n = im->batch.done_rows;
		fprintf(stderr, P_("karta: %s: %zu change was queued before the import stopped; 'karta "
				"sync' sends it, importing the file again queues the rest\n", "karta: %s: %zu "
				"changes were queued before the import stopped; 'karta sync' sends them, importing "
				"the file again queues the rest\n", n), im->file, n);
		return -1;
	}
	int out = reg_pipe_outcome(&im->pipe, im->file, im->nq);
	if (out == 1) {
		im->offline = true; /* summary: queued, 'karta sync' sends them */
		fprintf(stderr, P_("karta: offline: %zu change queued; 'karta sync' sends it\n",
				"karta: offline: %zu changes queued; 'karta sync' sends them\n", im->nq), im->nq);
	}
	return out < 0 ? -1 : 0;
}

int registry_import_cmd(struct client *cl, int argc, char **argv)
{
	enum { O_PARTIAL, O_DRY, O_ORG, O_MISSING, O_N };
	struct opt o[] = {
		[O_PARTIAL] = {.name = "partial", .type = OPT_FLAG,
			.help = N_("queue the valid rows even if some are rejected (exit 1 all the same)")},
		[O_DRY] = {.name = "dry-run", .type = OPT_FLAG,
			.help = N_("check and compare only: queue nothing")},
		[O_ORG] = {.name = "org", .type = OPT_STR, .meta = "CODE",
			.help = N_("the organization the rows belong to (default: this device's for its own "
				"registries; for the region, the row's Код ОО / Код МСУ)")},
		[O_MISSING] = {.name = "delete-missing", .type = OPT_FLAG,
			.help = N_("delete the rows of the file's organizations (auditoriums: exam points) that "
				"no line names — the file is the whole registry (not with rejected rows)")},
		[O_N] = {0},
	};
	struct opt_cmd c = {"registry import", "participants|exam-points|auditoriums|staff FILE.csv", 2,
		N_("Reads a registry file (UTF-8 or Windows-1251; ; , or TAB; karta's Russian headers or\n"
		"the interop layout, docs/registries.md), checks every row, then queues the new and\n"
		"changed ones and, when the server is reachable, sends them as they are queued\n"
		"(offline: one local transaction; 'karta sync' sends them). Rejected rows are listed\n"
		"as FILE:LINE: «column»: reason; without --partial any rejected row means nothing is\n"
		"queued. Importing the same file again queues nothing (rows have stable ids and equal\n"
		"rows are skipped). A row is found by its id («Идентификатор», the interop «Guid»),\n"
		"else by its natural key (document, code). A row with «Причина удаления» (interop:\n"
		"«Признак удаленной строки» not 0) deletes the row it names. Auditoriums and staff\n"
		"find their exam points (Код ППЭ) in the local replica. The federal exchange package:\n"
		"registry import --layout giadbset PACKAGE (--help there)."), o};
	for (int i = 1; i < argc; i++) /* --layout giadbset: the federal package (registry_gds.c) */
		if (strcmp(argv[i], "--layout") == 0 || strncmp(argv[i], "--layout=", 9) == 0)
			return registry_gds_import_cmd(cl, argc, argv);
	const char *pos[2];
	enum opts_result pr = opts_parse(&c, argc, argv, pos);
	if (pr != OPTS_OK)
		return opts_exit(pr);
	int kind = kt_reg_kind_parse(pos[0]);
	if (kind < 0)
		return opts_fail(&c, _("'%s' is not a registry (participants, exam-points, auditoriums, "
			"staff)"), pos[0]);
	struct imp im = {.cl = cl, .file = pos[1], .kind = (enum kt_reg_kind)kind,
		.partial = o[O_PARTIAL].set, .dry = o[O_DRY].set, .delete_missing = o[O_MISSING].set,
		.org_opt = o[O_ORG].set ? o[O_ORG].str : NULL, .tty = isatty(2) == 1};
	pthread_mutex_init(&im.mu, NULL);
	im.table = reg_table(im.kind);
	FILE *f = fopen(im.file, "rb");
	if (!f) {
		fprintf(stderr, "karta: %s: %s\n", im.file, strerror(errno));
		return EXIT_RUNTIME;
	}
	struct stat sb;
	bool regular = fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode); /* readable twice */
	im.total_bytes = regular ? (size_t)sb.st_size : 0;
	int rc = EXIT_RUNTIME;
	bool in_batch = false;
	struct kt_csv_reader *rd = kt_csv_reader_file(f, NULL);
	struct kt_csv_row hdr;
	struct kt_csv_err err;
	struct kt_reg_map map;
	if (!rd || !(im.r = client_replica(cl)))
		goto out;
	if (kt_csv_next(rd, &hdr, &err) != KT_CSV_ROW) {
		fprintf(stderr, _("karta: %s: %s; nothing imported\n"), im.file,
			*err.msg ? err.msg : "cannot read the header");
		goto out;
	}
	if (kt_reg_map_header(im.kind, &hdr, &map, &err) != 0) {
		fprintf(stderr, _("karta: %s: %s; nothing imported\n"), im.file, err.msg);
		goto out;
	}
	own_org(&im);
	if (!im.dry || (!*im.own_level && !im.org_opt)) {
		if (ri_refresh(cl, &im.offline) != 0)
			goto out;
		own_org(&im);
	}
	if (check_owner(&im, &map) != 0)
		goto out;
	if (ri_index(&im) != 0)
		goto dberr;
	clock_gettime(CLOCK_MONOTONIC, &im.last_bar);
	/* everything checked first, then sent while read again (bench hook: KARTA_IMPORT_ONE_PASS=1
	 * reads once, queues all in one local transaction, then sends, as before; so does a pipe,
	 * which cannot be read twice) */
	const char *one = getenv("KARTA_IMPORT_ONE_PASS");
	if (!im.dry && !im.offline && regular && !(one && strcmp(one, "1") == 0)) {
		if (two_passes(&im, f, &rd, &map) != 0)
			goto out;
		goto done;
	}
	if (!im.dry) {
		if (replica_batch_begin(im.r) != 0)
			goto dberr;
		in_batch = true;
		reg_batch_init(&im.batch, im.r, im.file, "line");
	}
	clock_gettime(CLOCK_MONOTONIC, &im.last_bar);
	int read = read_rows(&im, rd, &map);
	bar(&im, rd, true);
	if (read != 0) {
		fprintf(stderr, _("karta: %s: nothing imported\n"), im.file);
		goto out;
	}
	if (missing_rows(&im) != 0)
		goto out;
	if (ri_nothing_imported(im.file, im.rejected, im.rows, im.partial, im.dry))
		goto out;
	if (in_batch) {
		if (reg_batch_flush(&im.batch) != 0)
			goto out;
		in_batch = false;
		if (replica_batch_end(im.r, true) != 0)
			goto dberr;
	}
	if (ri_deliver(cl, on_result, &im, im.dry, &im.offline, im.file, im.nq) != 0)
		goto out;
done:
	summary_line(&im, stdout);
	if (im.rejected && !im.dry)
		fprintf(stderr, _("karta: %s: %ld of %ld rows rejected (above) and not imported%s\n"),
			im.file, im.rejected, im.rows, im.partial ? " (--partial: the others were)" : "");
	rc = ri_exit(im.rejected, &im.server);
	goto out;
dberr:
	fprintf(stderr, _("karta: cannot use the local replica: %s\n"), replica_error(im.r));
out:
	if (in_batch)
		replica_batch_end(im.r, false);
	kt_csv_reader_free(rd);
	fclose(f);
	reg_batch_free(&im.batch);
	ri_free(&im);
	pthread_mutex_destroy(&im.mu);
	return rc;
}
