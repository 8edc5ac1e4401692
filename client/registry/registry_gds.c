/* registry_gds: `karta registry import --layout giadbset PACKAGE` — a region's registries
 * from the federal exchange package (a folder or a .zip of GIADBSet XML files): exam points
 * (rbd_Stations), auditoriums (rbd_Auditoriums), staff (rbd_StationWorkers), participants
 * (rbd_Participants), registrations (rbd_ParticipantsExams), and where the package has them
 * the exam points' and auditoriums' assignments to exams (rbd_StationsExams,
 * rbd_StationExamAuditory).
 *
 * The same path as a CSV import (registry_import.c): every row is read (common/giadbset,
 * streaming), mapped (kt_gds_map.c: karta's columns, the rest verbatim in extra) and checked
 * — the schema's rules, a GUID given twice, a reference to a row neither the package nor
 * the replica holds — and every new or changed row queued as a registry_gds_put row of an
 * op of many rows (reg_batch.c, registry_rows: one op a 1,000 rows of a file, each row with
 * its element number): any refused row and nothing is queued (--partial: the rest is,
 * without the rows that hang on a refused one). Offline (and --dry-run) that is one pass in
 * one local transaction. Online it is two: the first checks and compares every row and says
 * what it refuses; the second reads the package again and queues, each op written in a
 * short transaction of its own, and a sender thread (its own connection and replica handle)
 * sends each op as soon as it is written — the server applies the first rows while the
 * client reads the last — and a puller thread (a third connection and handle) pulls the
 * rows answered so far back into the replica while the server applies the later ones
 * (reg_pipe.c). The server resolves the owners by the
 * package's organization GUIDs and the exams by ExamGlobalID (sql/0019) and answers each
 * row. A row equal to the replica's copy is not sent, so importing the same package twice
 * queues nothing (and reads it once).
 *
 * Messages name the file, the row's number and the column, never a value. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "kt_gds.h"
#include "kt_gds_map.h"
#include "kt_grow.h"
#include "kt_i18n.h"
#include "kt_server_text.h"
#include "kt_msg.h"
#include "opts.h"
#include "reg_batch.h"
#include "reg_pipe.h"
#include "registry_cmds.h"
#include "registry_import_int.h"
#include "registry_rows.h"
#include "replica.h"

#define GMAX 8 /* >= kt_gds_maps_count */

struct gq {
	short table;
	long row;
	int outcome; /* -1: not answered */
};

struct gstat {
	long rows, rejected, unchanged, to_add, to_update;
	long added, updated, refused, conflicts;
};

struct gimp {
	struct client *cl;
	struct replica *r;
	struct kt_gds_pkg *pkg;
	const char *path;
	bool dry, partial, tty, offline, stop_queueing;
	bool check_only; /* the first of two passes: checked and compared, nothing queued */
	bool quiet;      /* the second: its refusals were said by the first */
	struct reg_map ids[GMAX]; /* GUID → row; val "" accepted, "x" refused */
	struct reg_map exams;     /* ExamGlobalID → exam id (replica) */
	struct reg_map orgs;      /* "s:GUID" schools, "m:GUID" municipalities of the package */
	struct reg_map known;     /* ids of the rows the replica holds (synced or queued) */
	bool has_schools, has_govs;
	struct reg_batch batch;   /* the rows queued, as ops of many rows; tags: index in q */
	struct kt_gds_text text;  /* the row being read, as the text of its write */
	struct gq *q;
	size_t nq, capq;
	struct gstat st[GMAX];
	long rejected;
	size_t answered;
	struct timespec last_bar;
	/* sending while reading (reg_pipe.c): the ops go out, and the rows answered come
	 * back, on connections and replica handles of their own, as soon as each op is
	 * written; mu guards q, st, batch, answered and stderr */
	pthread_mutex_t mu;
	struct reg_pipe pipe;
};

static char files[GMAX][48]; /* "rbd_….xml", written once before any thread starts */

static const char *file_of(int t)
{
	if (!files[t][0])
		snprintf(files[t], sizeof files[t], "%s.xml", kt_gds_maps[t].gds);
	return files[t];
}

static void clear_bar(struct gimp *g)
{
	if (g->tty)
		fprintf(stderr, "\r\033[K");
}

/* True at most ten times a second, on a terminal: time to redraw the progress line. */
static bool due(struct gimp *g)
{
	if (!g->tty)
		return false;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - g->last_bar.tv_sec) * 1000 + (now.tv_nsec - g->last_bar.tv_nsec) / 1000000 < 100)
		return false;
	g->last_bar = now;
	return true;
}

static void bar(struct gimp *g, int t)
{
	if (!due(g))
		return;
	fputs("\r\033[K", stderr);
	if (g->check_only)
		fprintf(stderr, _("checking: "));
	fprintf(stderr, P_("%s: %ld row read", "%s: %ld rows read", g->st[t].rows), file_of(t),
		g->st[t].rows);
	if (g->quiet)
		fprintf(stderr, P_("; %zu queued row sent and answered",
			"; %zu queued rows sent and answered", g->answered), g->answered);
	fflush(stderr);
}

static void result(struct gimp *g, struct gq *q, const Karta__OpResult *res);

/* "karta: PACKAGE: FILE: row N: msg" (msg may already start with "FILE: "). */
static void say(struct gimp *g, int t, long row, const char *msg)
{
	clear_bar(g);
	if (strncmp(msg, file_of(t), strlen(file_of(t))) == 0)
		fprintf(stderr, "karta: %s: %s\n", g->path, msg);
	else
		fprintf(stderr, _("karta: %s: %s: row %ld: %s\n"), g->path, file_of(t), row, msg);
}

/* A row this client refuses (said by the first of two passes only). */
static void reject(struct gimp *g, int t, long row, const char *msg)
{
	if (!g->quiet)
		say(g, t, row, msg);
}

/* ---- the replica ------------------------------------------------------------------------------ */

static int index_exam(void *arg, const char *id, const char *payload, bool pending)
{
	(void)pending;
	struct gimp *g = arg;
	json_t *p = json_loads(payload, 0, NULL);
	json_t *gid = json_object_get(p, "global_id");
	int rc = 0;
	if (json_is_integer(gid) && json_is_null(json_object_get(p, "deleted_at"))) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)json_integer_value(gid));
		rc = reg_map_put(&g->exams, k, id, 0);
	}
	json_decref(p);
	return rc;
}

static int index_known(void *arg, const char *id)
{
	return reg_map_put(arg, id, NULL, 0);
}

/* Keys of a write that are not columns of the row (the server resolves them). */
static bool arg_only(const char *k)
{
	static const char *const args[] = {"type", "id", "org_guid", "grad_org_guid", "workplace_guid",
		"exam_global_id", "gds_deleted"};
	for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
		if (strcmp(k, args[i]) == 0)
			return true;
	return false;
}

/* True when the stored row already says everything the package row says. */
static bool unchanged(struct gimp *g, const json_t *args, const json_t *stored)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)args, k, v) {
		if (arg_only(k))
			continue;
		if (!json_equal(v, json_object_get(stored, k)))
			return false;
	}
	json_t *gid = json_object_get(args, "exam_global_id");
	if (gid) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(gid));
		const struct reg_map_entry *e = reg_map_get(&g->exams, key);
		const char *ex = json_string_value(json_object_get(stored, "exam_id"));
		if (!e || !ex || strcmp(e->val, ex) != 0)
			return false;
	}
	bool del = json_is_true(json_object_get(args, "gds_deleted"));
	return del == !json_is_null(json_object_get(stored, "deleted_at"));
}

/* ---- one row --------------------------------------------------------------------------------- */

/* 0 queued or unchanged, 1 refused (said), -1 a local error. */
static int import_row(struct gimp *g, int t, const struct kt_gds_table *tab,
	const struct kt_gds_row *row)
{
	const struct kt_gds_map *m = &kt_gds_maps[t];
	char err[256];
	/* the row's write as text: its check, and what is queued (no jansson object a row) */
	int k = kt_gds_to_text(m, tab, row, &g->text, err, sizeof err);
	const char *id = g->text.id;
	if (k < 0) {
		fprintf(stderr, _("karta: out of memory\n"));
		return -1;
	}
	if (k > 0 || !*id) {
		reject(g, t, row->index, k ? err : _("the row has no GUID"));
		return 1;
	}
	int rc = 1;
	json_t *args = NULL; /* the row as jansson's: only to compare with the replica's copy */
	const struct reg_map_entry *dup = reg_map_get(&g->ids[t], id);
	if (dup) { /* the first row of that GUID stays as it was (queued or refused) */
		snprintf(err, sizeof err, _("duplicate GUID: the same as row %ld"), dup->num);
		reject(g, t, row->index, err);
		return 1;
	}
	/* references to other rows: in the package (not refused), else in the replica */
	for (int i = 0; i < m->ncols; i++) {
		const struct kt_gds_map_col *c = &m->cols[i];
		if (c->conv != KT_GC_REF)
			continue;
		int ti = kt_gds_col(tab, c->gds);
		const char *v = ti >= 0 ? row->val[ti] : NULL;
		const struct kt_gds_map *rm = kt_gds_map_of(c->arg);
		if (!v || !rm)
			continue;
		char low[40]; /* lower case, as karta keeps it */
		snprintf(low, sizeof low, "%s", v);
		for (char *p = low; *p; p++)
			*p = *p >= 'A' && *p <= 'F' ? (char)(*p + 32) : *p;
		const struct reg_map_entry *e = reg_map_get(&g->ids[rm - kt_gds_maps], low);
		if (e && *e->val) {
			snprintf(err, sizeof err, _("«%s» refers to row %ld of %s.xml, which is refused"), c->gds,
				e->num, rm->gds);
			reject(g, t, row->index, err);
			goto out;
		}
		char *js = NULL;
		if (!e && replica_get(g->r, rm->karta, low, &js, NULL) != 0) {
			snprintf(err, sizeof err, _("«%s»: no row with this GUID in %s.xml (nor in karta)"), c->gds,
				rm->gds);
			reject(g, t, row->index, err);
			goto out;
		}
		free(js);
	}
	/* organizations: those of the package when it carries their file (else the server says) */
	for (int i = 0; i < m->ncols; i++) {
		const struct kt_gds_map_col *c = &m->cols[i];
		int ti = c->conv == KT_GC_ORG ? kt_gds_col(tab, c->gds) : -1;
		const char *v = ti >= 0 ? row->val[ti] : NULL;
		bool school = strncmp(c->gds, "School", 6) == 0;
		if (!v || !*v || !(school ? g->has_schools : g->has_govs))
			continue;
		char key[48];
		snprintf(key, sizeof key, "%c:%s", school ? 's' : 'm', v);
		for (char *p = key; *p; p++)
			*p = *p >= 'A' && *p <= 'F' ? (char)(*p + 32) : *p;
		if (!reg_map_get(&g->orgs, key)) {
			snprintf(err, sizeof err, school ? _("«%s»: no school with this GUID in %s")
				: _("«%s»: no municipality with this GUID in %s"), c->gds,
				school ? "rbd_Schools.xml" : "rbd_Governments.xml");
			reject(g, t, row->index, err);
			goto out;
		}
	}
	rc = 0;
	/* compare with the replica's copy (when it holds one: the ids were read at the start) */
	char *js = NULL;
	bool pending = false;
	int found = reg_map_get(&g->known, id) ? replica_get(g->r, m->karta, id, &js, &pending) : 1;
	if (found < 0) {
		fprintf(stderr, _("karta: cannot read the replica: %s\n"), replica_error(g->r));
		rc = -1;
		goto out;
	}
	json_t *stored = found == 0 ? json_loads(js, 0, NULL) : NULL;
	free(js);
	if (stored && !(args = kt_gds_to_karta(m, tab, row, err, sizeof err))) {
		fprintf(stderr, _("karta: out of memory\n")); /* the text was written: not refused */
		json_decref(stored);
		rc = -1;
		goto out;
	}
	long long base = stored ? json_integer_value(json_object_get(stored, "row_version")) + pending : 0;
	bool send = !stored || !unchanged(g, args, stored);
	if (!send)
		g->st[t].unchanged++;
	else if (stored)
		g->st[t].to_update++;
	else
		g->st[t].to_add++;
	if (send && !g->dry && !g->check_only && !g->stop_queueing) {
		struct gq *qv = kt_grow(g->q, &g->capq, g->nq, sizeof *qv, 1024);
		if (!qv) {
			json_decref(stored);
			rc = -1;
			goto out;
		}
		g->q = qv;
		struct gq *q = &g->q[g->nq];
		/* a new row's local payload is its arguments (NULL: the text with its row_version) */
		json_t *local = NULL;
		if (stored) {
			local = json_deep_copy(stored);
			json_object_update(local, args);
			json_object_set_new(local, "row_version", json_integer(base));
		}
		if ((stored && !local) || reg_batch_add_text(&g->batch, "registry_gds_put", m->karta, id,
				base, g->text.p, g->text.n, local, row->index, (long)g->nq, false) != 0)
			rc = -1;
		q->table = (short)t;
		q->row = row->index;
		q->outcome = -1;
		g->nq += rc == 0;
		json_decref(local);
	}
	json_decref(stored);
out:
	if (rc >= 0 && reg_map_put(&g->ids[t], id, rc ? "x" : "", row->index) != 0)
		rc = -1;
	json_decref(args);
	return rc;
}

/* Sending while reading: the ops flushed so far committed when it is time (all: at the end),
 * and the sender told. Without *mu held. 0, or -1 (printed). */
static int commit_ops(struct gimp *g, bool all)
{
	struct reg_batch *b = &g->batch;
	if (!b->own_txn || !b->nwops ||
	    (!all && !reg_pipe_commit_now(&g->pipe, b->done_rows + b->held_rows, b->nwops)))
		return 0;
	long n = reg_batch_commit(b);
	if (n < 0)
		return -1;
	reg_pipe_written(&g->pipe, (size_t)n);
	return 0;
}

/* The op being filled written (at the end of a file or of the package: last, everything
 * committed). 0, or -1 (printed). */
static int flush(struct gimp *g, bool last)
{
	pthread_mutex_lock(&g->mu);
	int rc = reg_batch_flush(&g->batch);
	pthread_mutex_unlock(&g->mu);
	return rc == 0 ? commit_ops(g, last) : -1;
}

/* Reads one table's file. 0, or -1 (the file is refused as a whole, or a local error). */
static int read_table(struct gimp *g, int t)
{
	char err[512];
	struct kt_gds_reader *rd = kt_gds_open(g->pkg, kt_gds_maps[t].gds, err, sizeof err);
	if (!rd) {
		clear_bar(g);
		fprintf(stderr, _("karta: cannot import '%s': %s; nothing imported\n"), g->path, err);
		return -1;
	}
	const struct kt_gds_table *tab = kt_gds_table(kt_gds_maps[t].gds);
	struct kt_gds_row row;
	int k, rc = 0;
	/* nothing else runs beside the check pass, a dry run or an offline import: the parse on
	 * the other core (online, the second pass shares the cores with the sender and puller) */
	if (g->check_only || g->dry || g->offline)
		(void)kt_gds_read_ahead(rd); /* without a thread it reads as before */
	if (!g->dry && !g->check_only) { /* an op's rows are of one file: their numbers are its rows */
		if (flush(g, false) != 0) {
			kt_gds_close(rd);
			return -1;
		}
		g->batch.file = file_of(t);
	}
	while ((k = kt_gds_next(rd, &row, err, sizeof err)) != 0) {
		g->st[t].rows++;
		if (k < 0 && kt_gds_resumable(rd)) {
			reject(g, t, 0, err);
			g->st[t].rejected++;
			g->rejected++;
			continue;
		}
		if (k < 0) {
			clear_bar(g);
			fprintf(stderr, _("karta: cannot import '%s': %s; nothing imported\n"), g->path, err);
			rc = -1;
			break;
		}
		g->stop_queueing = g->rejected && !g->partial; /* will roll back: stop queueing */
		pthread_mutex_lock(&g->mu);
		size_t ops = g->batch.nops;
		int r = import_row(g, t, tab, &row);
		if (r >= 0) {
			g->st[t].rejected += r;
			g->rejected += r;
		}
		if ((g->st[t].rows & 255) == 0)
			bar(g, t);
		pthread_mutex_unlock(&g->mu);
		if (r >= 0 && g->batch.nops != ops && commit_ops(g, false) != 0)
			r = -1;
		if (r < 0) {
			rc = -1;
			break;
		}
	}
	kt_gds_close(rd);
	return rc;
}

/* ---- the server's answers --------------------------------------------------------------------- */

/* An answer, with mu held (reg_pipe). */
static void on_result(void *arg, const struct replica_op *op, const Karta__OpResult *res)
{
	struct gimp *g = arg;
	long k = reg_batch_tag(&g->batch, op);
	if (k >= 0 && (size_t)k < g->nq) /* else an op queued before this import */
		result(g, &g->q[k], res);
}

/* The answer res to the queued row q. */
static void result(struct gimp *g, struct gq *q, const Karta__OpResult *res)
{
	/* progress: a large package takes a while (while reading, the reader's bar says it) */
	g->answered++;
	if ((!g->quiet || g->pipe.reading_done) && due(g)) {
		fputs("\r\033[K", stderr);
		fprintf(stderr, P_("%s: %zu of %zu row sent and answered",
				"%s: %zu of %zu rows sent and answered", g->nq), g->path, g->answered, g->nq);
		fflush(stderr);
	}
	int o = res->outcome == KARTA__OP_OUTCOME__OP_DUPLICATE ? (int)res->first_outcome
		: (int)res->outcome;
	q->outcome = o;
	struct gstat *s = &g->st[q->table];
	char buf[640];
	char said[1024];
	const char *msg = res->message && *res->message ? kt_server_text(res->message, said, sizeof said)
		: _("no reason given");
	if (o == KARTA__OP_OUTCOME__OP_APPLIED) {
		if (res->message && strcmp(res->message, "updated") == 0)
			s->updated++;
		else
			s->added++;
	} else if (o == KARTA__OP_OUTCOME__OP_REJECTED) {
		s->refused++;
		snprintf(buf, sizeof buf, _("server refused: %s (%s)"), msg, kt_status_name((int)res->status));
		say(g, q->table, q->row, buf);
	} else if (o == KARTA__OP_OUTCOME__OP_CONFLICT) {
		s->conflicts++;
		snprintf(buf, sizeof buf, _("conflict: %s"), msg);
		say(g, q->table, q->row, buf);
	}
}

static void summary(const struct gimp *g)
{
	long waiting = 0;
	for (size_t i = 0; i < g->nq; i++)
		waiting += g->q[i].outcome < 0 || g->q[i].outcome == KARTA__OP_OUTCOME__OP_RETRY_LATER;
	for (int t = 0; t < kt_gds_maps_count; t++) {
		const struct gstat *s = &g->st[t];
		if (!kt_gds_pkg_has(g->pkg, kt_gds_maps[t].gds))
			continue;
		if (g->dry || g->offline)
			printf(_("%s: %ld rows: %ld to add, %ld to update, %ld unchanged, %ld rejected\n"),
				file_of(t), s->rows, s->to_add, s->to_update, s->unchanged, s->rejected);
		else
			printf(_("%s: %ld rows: %ld added, %ld updated, %ld unchanged, %ld rejected, %ld refused "
			       "by the server\n"), file_of(t), s->rows, s->added, s->updated, s->unchanged,
				s->rejected, s->refused + s->conflicts);
	}
	if (g->dry)
		printf(_("dry run: nothing queued\n"));
	else if (g->offline && g->nq)
		printf(P_("offline: %zu change queued ('karta sync' sends it)\n",
			"offline: %zu changes queued ('karta sync' sends them)\n", g->nq), g->nq);
	else if (waiting)
		printf(P_("%ld change still queued ('karta sync' sends it)\n",
			"%ld changes still queued ('karta sync' sends them)\n", waiting), waiting);
}

/* ---- the command -------------------------------------------------------------------------------- */

/* Every file of the package that karta maps, in order. 0, or -1 (printed). */
static int read_all(struct gimp *g)
{
	for (int t = 0; t < kt_gds_maps_count; t++)
		if (kt_gds_pkg_has(g->pkg, kt_gds_maps[t].gds) && read_table(g, t) != 0)
			return -1;
	clear_bar(g);
	return 0;
}

/* True (said) when rows were refused and nothing may be imported. */
static bool refused_all(struct gimp *g)
{
	if (!g->rejected || g->partial || g->dry)
		return false;
	fprintf(stderr, P_("karta: %s: %ld row refused (above): nothing imported; fix it, or "
			"import the others with --partial\n", "karta: %s: %ld rows refused (above): "
			"nothing imported; fix them, or import the others with --partial\n", g->rejected),
		g->path, g->rejected);
	return true;
}

/* The import online: a first pass checks every row (and says what it refuses) and compares
 * it with the replica — a refused row, and nothing at all is queued or sent (without
 * --partial); nothing new or changed, and it is done; else a second pass reads the package
 * again, compares and queues, and each op of rows is sent as soon as it is written, so the
 * server works while the client reads. 0, or -1 (printed). */
static int two_passes(struct gimp *g)
{
	g->check_only = true;
	if (read_all(g) != 0 || refused_all(g))
		return -1;
	long to_send = 0;
	for (int t = 0; t < GMAX; t++)
		to_send += g->st[t].to_add + g->st[t].to_update;
	g->check_only = false;
	if (to_send == 0)
		return 0; /* the counts of the first pass are the import's */
	for (int t = 0; t < GMAX; t++)
		reg_map_free(&g->ids[t]);
	memset(g->st, 0, sizeof g->st);
	g->rejected = 0;
	g->check_only = false;
	g->quiet = true; /* the same rows are refused again: said once */
	reg_batch_init(&g->batch, g->r, "", "row");
	g->pipe = (struct reg_pipe){.cfg = &g->cl->cfg, .mu = &g->mu, .fn = on_result, .arg = g};
	g->batch.own_txn = true;
	/* the ops written several at a time (reg_pipe_commit_now): the entity index's pages they
	 * dirty stay in the cache until the commit */
	if (replica_outbox_cache(g->r, reg_pipe_cache_kib()) != 0) {
		fprintf(stderr, _("karta: cannot read the replica: %s\n"), replica_error(g->r));
		return -1;
	}
	if (reg_pipe_start(&g->pipe) != 0)
		return -1;
	int rc = read_all(g);
	if (rc == 0)
		rc = flush(g, true);
	reg_pipe_end(&g->pipe, rc != 0);
	g->quiet = false;
	if (rc != 0) { /* the rows of the ops committed are queued; the others are not */
		size_t n = g->batch.done_rows;
		fprintf(stderr, P_("karta: %s: %zu change was queued before the import stopped; 'karta "
				"sync' sends it, importing the package again queues the rest\n", "karta: %s: %zu "
				"changes were queued before the import stopped; 'karta sync' sends them, importing "
				"the package again queues the rest\n", n), g->path, n);
		return -1;
	}
	int out = reg_pipe_outcome(&g->pipe, g->path, g->nq);
	g->offline = out == 1; /* summary: queued, 'karta sync' sends them */
	return out < 0 ? -1 : 0;
}

/* The GUIDs of the package's schools or municipalities (table, its id column), when it
 * carries that file. 0, or -1 (the file is refused: printed). */
static int read_orgs(struct gimp *g, const char *table, const char *col, char kind, bool *has)
{
	if (!kt_gds_pkg_has(g->pkg, table))
		return 0;
	char err[512];
	struct kt_gds_reader *rd = kt_gds_open(g->pkg, table, err, sizeof err);
	int ci = kt_gds_col(kt_gds_table(table), col), k = -1;
	struct kt_gds_row row;
	while (rd && (k = kt_gds_next(rd, &row, err, sizeof err)) == 1) {
		char key[48];
		snprintf(key, sizeof key, "%c:%s", kind, row.val[ci]);
		for (char *p = key; *p; p++)
			*p = *p >= 'A' && *p <= 'F' ? (char)(*p + 32) : *p;
		if (reg_map_put(&g->orgs, key, NULL, row.index) != 0) {
			snprintf(err, sizeof err, "%s", _("out of memory"));
			k = -1;
			break;
		}
	}
	kt_gds_close(rd);
	if (k != 0) {
		fprintf(stderr, _("karta: cannot import '%s': %s; nothing imported\n"), g->path, err);
		return -1;
	}
	*has = true;
	return 0;
}

static void gimp_free(struct gimp *g)
{
	for (int t = 0; t < GMAX; t++)
		reg_map_free(&g->ids[t]);
	reg_map_free(&g->exams);
	reg_map_free(&g->orgs);
	reg_map_free(&g->known);
	reg_batch_free(&g->batch);
	kt_gds_text_free(&g->text);
	free(g->q);
	kt_gds_pkg_free(g->pkg);
	pthread_mutex_destroy(&g->mu);
}

int registry_gds_import_cmd(struct client *cl, int argc, char **argv)
{
	enum { O_LAYOUT, O_PARTIAL, O_DRY, O_LIMIT, O_N };
	struct opt o[] = {
		[O_LAYOUT] = {.name = "layout", .type = OPT_CHOICE, .required = true,
			.choices = "giadbset", .help = N_("the federal exchange package (GIADBSet XML)")},
		[O_PARTIAL] = {.name = "partial", .type = OPT_FLAG,
			.help = N_("queue the valid rows even if some are refused (exit 1 all the same)")},
		[O_DRY] = {.name = "dry-run", .type = OPT_FLAG,
			.help = N_("check and compare only: queue nothing")},
		[O_LIMIT] = {.name = "limit-mb", .type = OPT_INT, .meta = "N", .min = 1, .max = 65536,
			.help = N_("the largest XML file read, inflated, in MiB (default 2048)")},
		[O_N] = {0},
	};
	struct opt_cmd c = {"registry import", "PACKAGE", 1,
		N_("Reads a federal exchange package (a folder or a .zip of GIADBSet XML files):\n"
		"exam points (rbd_Stations), auditoriums (rbd_Auditoriums), staff\n"
		"(rbd_StationWorkers), participants (rbd_Participants), registrations\n"
		"(rbd_ParticipantsExams) and the exams' point and auditorium assignments\n"
		"(rbd_StationsExams, rbd_StationExamAuditory), whichever it holds. Rows keep their\n"
		"GUIDs; what karta does not model is kept verbatim (docs/registries.md). Each row\n"
		"goes to the organization its school / municipality GUID names (the organizations\n"
		"come from 'karta-admin org import'; exams from 'karta exam schedule import').\n"
		"A refused row (file, row, column) means nothing is queued, unless --partial.\n"
		"Importing the same package again queues nothing."), o};
	const char *pos[1];
	enum opts_result pr = opts_parse(&c, argc, argv, pos);
	if (pr != OPTS_OK)
		return opts_exit(pr);
	struct gimp g = {.cl = cl, .path = pos[0], .dry = o[O_DRY].set, .partial = o[O_PARTIAL].set,
		.tty = isatty(2) == 1};
	pthread_mutex_init(&g.mu, NULL);
	for (int t = 0; t < kt_gds_maps_count; t++)
		file_of(t);
	char err[512];
	int rc = EXIT_RUNTIME;
	bool in_batch = false;
	struct kt_gds_limits lim;
	kt_gds_limits_default(&lim);
	if (o[O_LIMIT].set)
		lim.max_file_bytes = (size_t)o[O_LIMIT].num << 20;
	if (!(g.pkg = kt_gds_pkg_open(g.path, &lim, err, sizeof err))) {
		fprintf(stderr, _("karta: cannot import '%s': %s; nothing imported\n"), g.path, err);
		return EXIT_RUNTIME;
	}
	bool any = false;
	for (int t = 0; t < kt_gds_maps_count; t++)
		any = any || kt_gds_pkg_has(g.pkg, kt_gds_maps[t].gds);
	if (!any) {
		fprintf(stderr, _("karta: cannot import '%s': the package holds none of rbd_Stations, "
				"rbd_Auditoriums, rbd_StationWorkers, rbd_Participants, rbd_ParticipantsExams, "
				"rbd_StationsExams, rbd_StationExamAuditory; nothing imported\n"), g.path);
		goto out;
	}
	if (!(g.r = client_replica(cl)) || ri_refresh(cl, &g.offline) != 0)
		goto out;
	if (replica_each(g.r, "exam", NULL, index_exam, &g) != 0)
		goto dberr;
	for (int t = 0; t < kt_gds_maps_count; t++)
		if (kt_gds_pkg_has(g.pkg, kt_gds_maps[t].gds) &&
		    replica_ids_each(g.r, kt_gds_maps[t].karta, index_known, &g.known) != 0)
			goto dberr;
	if (read_orgs(&g, "rbd_Schools", "SchoolID", 's', &g.has_schools) != 0 ||
	    read_orgs(&g, "rbd_Governments", "GovernmentID", 'm', &g.has_govs) != 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &g.last_bar);
	if (!g.dry && !g.offline) { /* everything checked first, then sent while it is read again */
		if (two_passes(&g) != 0)
			goto out;
	} else {
		if (!g.dry) {
			if (replica_batch_begin(g.r) != 0)
				goto dberr;
			in_batch = true;
			reg_batch_init(&g.batch, g.r, "", "row");
		}
		if (read_all(&g) != 0)
			goto out;
		if (refused_all(&g))
			goto out;
		if (in_batch) {
			if (reg_batch_flush(&g.batch) != 0)
				goto out;
			in_batch = false;
			if (replica_batch_end(g.r, true) != 0)
				goto dberr;
		}
	}
	clear_bar(&g);
	summary(&g);
	long refused = 0;
	for (int t = 0; t < kt_gds_maps_count; t++)
		refused += g.st[t].refused + g.st[t].conflicts;
	if (g.rejected && !g.dry)
		fprintf(stderr, P_("karta: %s: %ld row refused (above) and not imported (--partial: the "
				"others were)\n", "karta: %s: %ld rows refused (above) and not imported "
				"(--partial: the others were)\n", g.rejected), g.path, g.rejected);
	rc = g.rejected || refused ? EXIT_RUNTIME : EXIT_OK;
	goto out;
dberr:
	fprintf(stderr, _("karta: cannot use the local replica: %s\n"), replica_error(g.r));
out:
	if (in_batch)
		replica_batch_end(g.r, false);
	gimp_free(&g);
	return rc;
}
