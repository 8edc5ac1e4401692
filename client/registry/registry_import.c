/* registry_import: `karta registry import KIND FILE.csv` — reads a registry file with kt_csv
 * (UTF-8 or Windows-1251, ; , or TAB, karta's headers or the interop layout), checks every
 * row with kt_validate, and queues one registry_put RecordOp per new or changed row, all in
 * one local transaction (replica_batch_begin/end): a file goes in whole or not at all (with
 * --partial, its valid rows). Rows get deterministic ids (the owner, the table and the row's
 * natural key), and a row equal to the replica's copy is not sent, so a re-import of the same
 * file queues nothing. Then, when the server is reachable, the outbox is sent and the replica
 * pulled, and the server's answer to each row is reported with its line.
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
#include "registry_rows.h"
#include "replica.h"
#include "sync.h"

/* One queued op and what became of it. */
struct qop {
	char op_id[REG_ID_LEN];
	int line;
	char action; /* a(dd) u(pdate) d(elete) p (staff attachment) */
	int outcome; /* -1: not answered */
};

struct imp {
	struct client *cl;
	struct replica *r;
	const char *file;
	enum kt_reg_kind kind;
	const char *table;
	bool partial, dry, offline;
	const char *org_opt;
	char own_org[64], own_level[32];
	struct reg_map points;   /* "code:NNNN" → exam point id (replica) */
	struct reg_map existing; /* natural key → id of this table's live rows (replica) */
	struct reg_map seen;     /* id → line, rows of this file */
	struct reg_map ops;      /* op_id → index in q */
	struct qop *q;
	size_t nq, capq;
	long rows, rejected, unchanged, to_add, to_update, to_delete;
	long added, updated, deleted, refused, conflicts;
	bool tty;
	struct timespec last_bar;
	size_t total_bytes;
};

/* ---- the replica's rows ------------------------------------------------------------------ */

static int index_row(void *arg, const char *id, const char *payload, bool pending)
{
	(void)pending;
	struct imp *im = arg;
	json_t *p = json_loads(payload, 0, NULL);
	if (!p)
		return 0;
	json_t *del = json_object_get(p, "deleted_at");
	const char *code = json_string_value(json_object_get(p, "code"));
	const char *guid = json_string_value(json_object_get(p, "guid"));
	int rc = 0;
	if (!del || json_is_null(del)) {
		char key[400];
		struct reg_row rr = {.kind = im->kind, .layout = KT_LAYOUT_KARTA};
		if (im->kind == KT_REG_AUDITORIUMS && code) { /* "POINT|AUD:CODE", as import_row */
			const char *pt = json_string_value(json_object_get(p, "point_id"));
			size_t kp = (size_t)snprintf(key, sizeof key, "%s|", pt ? pt : "");
			rr.v[KT_A_CODE] = code;
			reg_row_key(&rr, key + kp, sizeof key - kp);
			rc = reg_map_put(&im->existing, key, id, 0);
		} else if ((im->kind == KT_REG_EXAM_POINTS || im->kind == KT_REG_STAFF) && code) {
			snprintf(key, sizeof key, "code:%s", code);
			rc = reg_map_put(&im->existing, key, id, 0);
		}
		if (guid && rc == 0) { /* interop rows are keyed by their GUID */
			snprintf(key, sizeof key, "guid:%s", guid);
			rc = reg_map_put(&im->existing, key, id, 0);
		}
	}
	json_decref(p);
	return rc;
}

static int index_point(void *arg, const char *id, const char *payload, bool pending)
{
	(void)pending;
	struct imp *im = arg;
	json_t *p = json_loads(payload, 0, NULL);
	int rc = 0;
	json_t *del = json_object_get(p, "deleted_at");
	const char *code = json_string_value(json_object_get(p, "code"));
	if (code && (!del || json_is_null(del))) {
		char key[64];
		snprintf(key, sizeof key, "code:%s", code);
		rc = reg_map_put(&im->points, key, id, 0);
	}
	json_decref(p);
	return rc;
}

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
	fprintf(stderr, "\r\033[K%s: %ld rows read, %.1f of %.1f MB (%d%%)", im->file, im->rows,
		(double)b / 1e6, (double)im->total_bytes / 1e6, pct > 100 ? 100 : pct);
	fflush(stderr);
}

/* "FILE:LINE: «field»: reason" (the progress bar cleared first). */
static void reject(struct imp *im, int line, const char *msg)
{
	if (im->tty)
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "%s:%d: %s\n", im->file, line, msg);
}

static void reject_field(struct imp *im, int line, int field, enum kt_reg_layout layout,
	const char *msg)
{
	char buf[256];
	snprintf(buf, sizeof buf, "«%s»: %s", kt_reg_field_name(im->kind, layout, field), msg);
	reject(im, line, buf);
}

/* ---- queueing ---------------------------------------------------------------------------- */

/* Queues one RecordOp (kind, id, base, args) with the local payload local. */
static int queue(struct imp *im, const char *kind, const char *type, const char *id, long long base,
	json_t *args, json_t *local, int line, char action)
{
	if (im->dry)
		return 0;
	char *js = json_dumps(args, JSON_COMPACT), *lp = local ? json_dumps(local, JSON_COMPACT) : NULL;
	Karta__RecordOp op = KARTA__RECORD_OP__INIT;
	op.kind = (char *)kind;
	op.id = (char *)id;
	op.base_row_version = base;
	op.args_json = js;
	size_t len = js ? protobuf_c_message_get_packed_size(&op.base) : 0;
	uint8_t *body = js ? malloc(len ? len : 1) : NULL;
	if (im->nq == im->capq) {
		size_t cap = im->capq ? im->capq * 2 : 256;
		struct qop *g = realloc(im->q, cap * sizeof *g);
		if (g)
			im->q = g, im->capq = cap;
	}
	int rc = -1;
	struct qop *q = im->nq < im->capq ? &im->q[im->nq] : NULL;
	if (body && q && (!local || lp) && plan_fmt_new_id(q->op_id) == 0) {
		protobuf_c_message_pack(&op.base, body);
		char summary[160];
		snprintf(summary, sizeof summary, "%s %s: %s line %d", kind, type, im->file, line);
		rc = replica_outbox_add(im->r, q->op_id, KT_MSG_RECORD_OP, body, len, type, id, lp,
			summary, NULL);
		if (rc != 0)
			fprintf(stderr, "karta: cannot queue the change: %s\n", replica_error(im->r));
		else if ((rc = reg_map_put(&im->ops, q->op_id, NULL, (long)im->nq)) == 0) {
			q->line = line;
			q->action = action;
			q->outcome = -1;
			im->nq++;
		}
	}
	if (rc != 0 && !im->dry)
		fprintf(stderr, "karta: cannot queue line %d\n", line);
	free(js);
	free(lp);
	free(body);
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

static const char *point_of(struct imp *im, const char *code_typed)
{
	long code;
	char key[32];
	if (!kt_parse_int(code_typed, 0, 9999, &code))
		return NULL;
	snprintf(key, sizeof key, "code:%04ld", code);
	const struct reg_map_entry *e = reg_map_get(&im->points, key);
	return e ? e->val : NULL;
}

/* One checked row: its id, the comparison, the op. -1 on a local error (stop), 1 when the
 * row is refused here, 0 otherwise. */
static int import_row(struct imp *im, struct reg_row *row, int line)
{
	char key[400], scope[200], id[REG_ID_LEN];
	const char *owner = im->org_opt;
	bool owner_sent = owner != NULL;
	if (!owner && strcmp(im->own_level, reg_owner_level(im->kind)) == 0)
		owner = im->own_org;
	if (!owner && im->kind != KT_REG_AUDITORIUMS) {
		int f = im->kind == KT_REG_PARTICIPANTS ? KT_P_SCHOOL : KT_E_MUNICIPALITY;
		owner = row->v[f];
		owner_sent = true;
	}
	const char *point = NULL, *staff_point = NULL;
	if (im->kind == KT_REG_AUDITORIUMS && !(point = point_of(im, row->v[KT_A_PPE]))) {
		reject_field(im, line, KT_A_PPE, row->layout,
			"no exam point with this code here (import the exam points first, or 'karta sync')");
		return 1;
	}
	if (im->kind == KT_REG_STAFF && !blank(row->v[KT_S_PPE]) &&
	    !(staff_point = point_of(im, row->v[KT_S_PPE]))) {
		reject_field(im, line, KT_S_PPE, row->layout,
			"no exam point with this code here (import the exam points first, or 'karta sync')");
		return 1;
	}
	size_t kp = point ? (size_t)snprintf(key, sizeof key, "%s|", point) : 0;
	reg_row_key(row, key + kp, sizeof key - kp);
	if (point) {
		snprintf(scope, sizeof scope, "%s\nauditorium", point);
	} else {
		snprintf(scope, sizeof scope, "%s\n%s", owner ? owner : "", im->table);
	}
	const struct reg_map_entry *ex = reg_map_get(&im->existing, key);
	if (ex)
		snprintf(id, sizeof id, "%s", ex->val);
	else
		reg_uuid5(scope, key, id);
	const struct reg_map_entry *dup = reg_map_get(&im->seen, id);
	if (dup) {
		int f = row->layout == KT_LAYOUT_RIS ? 0 /* Guid */
			: im->kind == KT_REG_PARTICIPANTS ? KT_P_DOC_NUMBER
			: im->kind == KT_REG_EXAM_POINTS ? KT_E_CODE
			: im->kind == KT_REG_AUDITORIUMS ? KT_A_CODE : KT_S_CODE;
		char msg[96];
		snprintf(msg, sizeof msg, "the same %s as line %ld", row->layout == KT_LAYOUT_RIS ? "row"
			: im->kind == KT_REG_PARTICIPANTS ? "document" : "code", dup->num);
		reject_field(im, line, f, row->layout, msg);
		return 1;
	}
	if (reg_map_put(&im->seen, id, NULL, line) != 0)
		return -1;

	json_t *payload = NULL;
	long long base = 0;
	int found = current(im, im->table, id, &payload, &base);
	if (found < 0) {
		fprintf(stderr, "karta: cannot read the replica: %s\n", replica_error(im->r));
		return -1;
	}
	int rc = 0;
	if (reg_row_deleted(row)) { /* interop history: delete a live row, else nothing */
		json_t *del = json_object_get(payload, "deleted_at");
		if (found == 0 && (!del || json_is_null(del))) {
			im->to_delete++;
			json_t *args = json_pack("{s:s}", "type", im->table);
			json_t *local = json_deep_copy(payload);
			char now[32];
			time_t t = time(NULL);
			strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
			json_object_set_new(local, "deleted_at", json_string(now));
			json_object_set_new(local, "row_version", json_integer(base));
			rc = queue(im, "registry_delete", im->table, id, base, args, local, line, 'd');
			json_decref(args);
			json_decref(local);
		} else {
			im->unchanged++;
		}
		json_decref(payload);
		return rc;
	}
	json_t *cols = reg_row_columns(row);
	if (!cols) {
		json_decref(payload);
		return -1;
	}
	if (point)
		json_object_set_new(cols, "point_id", json_string(point));
	if (found == 0 && reg_row_same(cols, payload)) {
		im->unchanged++;
	} else {
		json_t *args = json_deep_copy(cols), *local = found == 0 ? json_deep_copy(payload) : json_object();
		json_object_set_new(args, "type", json_string(im->table));
		if (owner_sent && owner)
			json_object_set_new(args, "org", json_string(owner));
		json_object_update(local, cols);
		json_object_set_new(local, "id", json_string(id));
		json_object_set_new(local, "row_version", json_integer(base));
		if (found == 0)
			im->to_update++;
		else
			im->to_add++;
		rc = queue(im, "registry_put", im->table, id, found == 0 ? base : 0, args, local, line,
			found == 0 ? 'u' : 'a');
		json_decref(args);
		json_decref(local);
	}
	json_decref(cols);
	json_decref(payload);
	if (rc == 0 && staff_point) { /* the staff member's exam point: a staff_point row */
		char spid[REG_ID_LEN], sc[80];
		snprintf(sc, sizeof sc, "%s\nstaff_point", id);
		reg_uuid5(sc, staff_point, spid);
		json_t *sp = NULL;
		long long sb = 0;
		int f = current(im, "staff_point", spid, &sp, &sb);
		if (f == 1) { /* a deleted attachment stays deleted: the server refuses a put on it */
			json_t *args = json_pack("{s:s,s:s,s:s}", "type", "staff_point", "staff_id", id,
				"point_id", staff_point);
			json_t *local = json_pack("{s:s,s:s,s:s,s:I}", "id", spid, "staff_id", id,
				"point_id", staff_point, "row_version", (json_int_t)sb);
			rc = queue(im, "registry_put", "staff_point", spid, 0, args, local, line, 'p');
			json_decref(args);
			json_decref(local);
		}
		json_decref(sp);
	}
	return rc;
}

/* ---- the server's answers -------------------------------------------------------------------- */

static void on_result(void *arg, const struct replica_op *op, const Karta__OpResult *res)
{
	struct imp *im = arg;
	const struct reg_map_entry *e = reg_map_get(&im->ops, op->op_id);
	if (!e)
		return; /* an op queued before this import */
	struct qop *q = &im->q[e->num];
	int o = res->outcome == KARTA__OP_OUTCOME__OP_DUPLICATE ? (int)res->first_outcome
		: (int)res->outcome;
	q->outcome = o;
	const char *msg = res->message && *res->message ? res->message : "no reason given";
	char buf[640];
	if (o == KARTA__OP_OUTCOME__OP_APPLIED) {
		im->added += q->action == 'a';
		im->updated += q->action == 'u';
		im->deleted += q->action == 'd';
	} else if (o == KARTA__OP_OUTCOME__OP_REJECTED) {
		im->refused += q->action != 'p';
		snprintf(buf, sizeof buf, "server refused%s: %s (%s)",
			q->action == 'p' ? " the exam point attachment" : "", msg,
			kt_status_name((int)res->status));
		reject(im, q->line, buf);
	} else if (o == KARTA__OP_OUTCOME__OP_CONFLICT) {
		im->conflicts++;
		snprintf(buf, sizeof buf, "conflict: %s", msg);
		reject(im, q->line, buf);
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

/* Brings the replica up to date before comparing (online only): pending ops first, then a
 * pull. Sets im->offline when the server cannot be reached. -1: message printed. */
static int refresh(struct imp *im)
{
	struct sync_report rep = {0};
	if (!sync_connect(im->cl, true)) {
		if (!im->cl->unreachable)
			return -1;
		im->offline = true;
		return 0;
	}
	return sync_push(im->cl, &rep, NULL, NULL) == 0 && sync_pull(im->cl, false, &rep) == 0 ? 0 : -1;
}

static int check_owner(struct imp *im, const struct kt_reg_map *map)
{
	if (im->org_opt || im->kind == KT_REG_AUDITORIUMS ||
	    strcmp(im->own_level, reg_owner_level(im->kind)) == 0)
		return 0;
	if (!*im->own_level) {
		fprintf(stderr, "karta: this device's organization is not known yet (it never reached "
				"the server): run 'karta sync' once, or give --org CODE\n");
		return -1;
	}
	if (im->kind == KT_REG_STAFF || map->layout == KT_LAYOUT_RIS) {
		fprintf(stderr, "karta: this device belongs to a %s; %s rows belong to a %s: give "
				"--org CODE\n", im->own_level, im->table, reg_owner_level(im->kind));
		return -1;
	}
	return 0; /* the row's own column names the owner (Код ОО, Код МСУ) */
}

static void summary_line(const struct imp *im, FILE *out)
{
	long valid = im->rows - im->rejected;
	if (im->dry) {
		fprintf(out, "dry run: %ld rows checked: %ld to add, %ld to update, %ld unchanged, "
			"%ld rejected; nothing queued\n", im->rows, im->to_add, im->to_update,
			im->unchanged, im->rejected);
	} else if (im->offline) {
		fprintf(out, "queued %ld rows: %ld to add, %ld to update, %ld unchanged\n", valid,
			im->to_add, im->to_update, im->unchanged);
	} else {
		long waiting = 0;
		for (size_t i = 0; i < im->nq; i++)
			waiting += im->q[i].outcome < 0 || im->q[i].outcome == KARTA__OP_OUTCOME__OP_RETRY_LATER;
		fprintf(out, "imported %ld rows: %ld added, %ld updated, %ld unchanged, %ld rejected by "
			"the server", valid, im->added, im->updated, im->unchanged, im->refused);
		if (im->deleted || im->to_delete)
			fprintf(out, ", %ld deleted", im->deleted);
		if (im->conflicts)
			fprintf(out, ", %ld conflicts", im->conflicts);
		if (waiting)
			fprintf(out, "; %ld changes still queued ('karta sync' sends them)", waiting);
		fputc('\n', out);
	}
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
		if (st != KT_CSV_ROW) { /* a wrong column count, an unbalanced quote, a huge field */
			bar(im, rd, true);
			fprintf(stderr, "karta: %s: %s\n", im->file, err.msg);
			return -1;
		}
		im->rows++;
		if (kt_reg_check_row(map, &row, NULL, &fe) > 0) {
			im->rejected++;
			for (size_t i = 0; i < fe.n; i++)
				reject(im, row.line, fe.e[i].msg);
			if (fe.more)
				reject(im, row.line, "(more errors in this row)");
		} else {
			memset(rr.v, 0, sizeof rr.v);
			kt_reg_fill(map, &row, rr.v, nf);
			bool dry = im->dry;
			im->dry = dry || (im->rejected && !im->partial); /* will roll back: stop queueing */
			int rc = import_row(im, &rr, row.line);
			im->dry = dry;
			if (rc < 0)
				return -1;
			im->rejected += rc;
		}
		if ((im->rows & 63) == 0)
			bar(im, rd, false);
	}
}

int registry_import_cmd(struct client *cl, int argc, char **argv)
{
	enum { O_PARTIAL, O_DRY, O_ORG, O_N };
	struct opt o[] = {
		[O_PARTIAL] = {.name = "partial", .type = OPT_FLAG,
			.help = "queue the valid rows even if some are rejected (exit 1 all the same)"},
		[O_DRY] = {.name = "dry-run", .type = OPT_FLAG,
			.help = "check and compare only: queue nothing"},
		[O_ORG] = {.name = "org", .type = OPT_STR, .meta = "CODE",
			.help = "the organization the rows belong to (default: this device's for its own "
				"registries; for the region, the row's Код ОО / Код МСУ)"},
		[O_N] = {0},
	};
	struct opt_cmd c = {"registry import", "participants|exam-points|auditoriums|staff FILE.csv", 2,
		"Reads a registry file (UTF-8 or Windows-1251; ; , or TAB; karta's Russian headers or\n"
		"the interop layout, docs/registries.md), checks every row and queues the new and\n"
		"changed ones in the outbox in one local transaction, then syncs when the server is\n"
		"reachable. Rejected rows are listed as FILE:LINE: «column»: reason; without\n"
		"--partial any rejected row means nothing is queued. Importing the same file again\n"
		"queues nothing (rows have stable ids and equal rows are skipped). Auditoriums and\n"
		"staff find their exam points (Код ППЭ) in the local replica.", o};
	const char *pos[2];
	enum opts_result pr = opts_parse(&c, argc, argv, pos);
	if (pr != OPTS_OK)
		return opts_exit(pr);
	int kind = kt_reg_kind_parse(pos[0]);
	if (kind < 0)
		return opts_fail(&c, "'%s' is not a registry (participants, exam-points, auditoriums, "
			"staff)", pos[0]);
	struct imp im = {.cl = cl, .file = pos[1], .kind = (enum kt_reg_kind)kind,
		.partial = o[O_PARTIAL].set, .dry = o[O_DRY].set,
		.org_opt = o[O_ORG].set ? o[O_ORG].str : NULL, .tty = isatty(2) == 1};
	im.table = reg_table(im.kind);
	FILE *f = fopen(im.file, "rb");
	if (!f) {
		fprintf(stderr, "karta: %s: %s\n", im.file, strerror(errno));
		return EXIT_RUNTIME;
	}
	struct stat sb;
	im.total_bytes = fstat(fileno(f), &sb) == 0 ? (size_t)sb.st_size : 0;
	int rc = EXIT_RUNTIME;
	bool in_batch = false;
	struct kt_csv_reader *rd = kt_csv_reader_file(f, NULL);
	struct kt_csv_row hdr;
	struct kt_csv_err err;
	struct kt_reg_map map;
	if (!rd || !(im.r = client_replica(cl)))
		goto out;
	if (kt_csv_next(rd, &hdr, &err) != KT_CSV_ROW) {
		fprintf(stderr, "karta: %s: %s; nothing imported\n", im.file,
			*err.msg ? err.msg : "cannot read the header");
		goto out;
	}
	if (kt_reg_map_header(im.kind, &hdr, &map, &err) != 0) {
		fprintf(stderr, "karta: %s: %s; nothing imported\n", im.file, err.msg);
		goto out;
	}
	own_org(&im);
	if (!im.dry || (!*im.own_level && !im.org_opt)) {
		if (refresh(&im) != 0)
			goto out;
		own_org(&im);
	}
	if (check_owner(&im, &map) != 0)
		goto out;
	if (im.kind == KT_REG_AUDITORIUMS || im.kind == KT_REG_STAFF)
		if (replica_each(im.r, "exam_point", NULL, index_point, &im) != 0)
			goto dberr;
	if (replica_each(im.r, im.table, NULL, index_row, &im) != 0)
		goto dberr;
	if (!im.dry) {
		if (replica_batch_begin(im.r) != 0)
			goto dberr;
		in_batch = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &im.last_bar);
	int read = read_rows(&im, rd, &map);
	bar(&im, rd, true);
	if (read != 0) {
		fprintf(stderr, "karta: %s: nothing imported\n", im.file);
		goto out;
	}
	if (im.rejected && !im.partial && !im.dry) {
		fprintf(stderr, "karta: %s: %ld of %ld rows rejected (above): nothing imported; fix them, "
				"or import the valid rows with --partial\n", im.file, im.rejected, im.rows);
		goto out;
	}
	if (in_batch) {
		in_batch = false;
		if (replica_batch_end(im.r, true) != 0)
			goto dberr;
	}
	if (!im.dry && im.nq && !im.offline) {
		struct sync_report rep = {0};
		if (!sync_connect(cl, true)) {
			if (!cl->unreachable)
				goto out;
			im.offline = true;
		} else if (sync_push(cl, &rep, on_result, &im) != 0 || sync_pull(cl, false, &rep) != 0) {
			fprintf(stderr, "karta: %s: the rows are queued (%zu changes); 'karta sync' sends "
					"what was not sent\n", im.file, im.nq);
			goto out;
		}
	}
	if (im.offline && im.nq)
		fprintf(stderr, "karta: offline: %zu change%s queued; 'karta sync' sends %s\n", im.nq,
			im.nq == 1 ? "" : "s", im.nq == 1 ? "it" : "them");
	summary_line(&im, stdout);
	if (im.rejected && !im.dry)
		fprintf(stderr, "karta: %s: %ld of %ld rows rejected (above) and not imported%s\n",
			im.file, im.rejected, im.rows, im.partial ? " (--partial: the others were)" : "");
	rc = im.rejected || im.refused || im.conflicts ? EXIT_RUNTIME : EXIT_OK;
	goto out;
dberr:
	fprintf(stderr, "karta: cannot use the local replica: %s\n", replica_error(im.r));
out:
	if (in_batch)
		replica_batch_end(im.r, false);
	kt_csv_reader_free(rd);
	fclose(f);
	reg_map_free(&im.points);
	reg_map_free(&im.existing);
	reg_map_free(&im.seen);
	reg_map_free(&im.ops);
	free(im.q);
	return rc;
}
