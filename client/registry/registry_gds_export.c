/* registry_gds_export: `karta registry export --layout giadbset -o PACKAGE.zip` (registry_gds_out.h) —
 * what the region holds, as the federal exchange package: its organization tree, exam
 * points, auditoriums, participants, registrations, staff and karta's planning (point and
 * auditorium assignments, seats), one rbd_* file each, valid against the published schemas.
 *
 * The organization tree (GUIDs, federal codes, territories, what the package said of them)
 * is the server's (TableRequest gds_orgs, sql/0020) and is remembered in the replica's meta
 * table, so the export also works offline from the last copy; everything else is the rows
 * the replica has synced, read one at a time — two tables at a time, on two threads, where
 * there is a second core (changes still in the outbox are not in the package, and the
 * command says so). The package appears at its path only when whole (kt_gds_write). Only
 * a region device exports: the package is the region's. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "kt_i18n.h"
#include "kt_gds_write.h"
#include "opts.h"
#include "registry_gds_out.h"
#include "registry_view.h" /* rv_synced_replica */
#include "replica.h"
#include "replica_int.h" /* rp_prepare, rp_each_row, rp_step: synced rows, read in SQL */
#include "report_cmds.h"

#define META_ORGS "gds_orgs"       /* the server's gds_orgs table, as JSON */
#define META_ORGS_AT "gds_orgs_at" /* when it was asked */

/* ---- the organization tree ------------------------------------------------------------------- */

/* The server's table as a JSON array of objects (column → cell). */
static json_t *table_json(const Karta__Table *t)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < t->n_rows; i++) {
		json_t *o = json_object();
		for (size_t c = 0; o && c < t->n_columns && c < t->rows[i]->n_cells; c++)
			json_object_set_new(o, t->columns[c], json_string(t->rows[i]->cells[c]));
		if (!o || json_array_append_new(a, o) != 0)
			json_decref(a), a = NULL;
	}
	return a;
}

/* The tree: from the server (and remembered), else the last copy. NULL after printing why. */
static json_t *load_orgs(struct client *cl, struct replica *r)
{
	if (client_rpc_quiet(cl)) {
		Karta__TableRequest req = KARTA__TABLE_REQUEST__INIT;
		req.name = "gds_orgs";
		Karta__Table *t = NULL;
		if (report_table(cl, &req, &t) != EXIT_OK)
			return NULL;
		json_t *a = table_json(t);
		karta__table__free_unpacked(t, NULL);
		char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
		char at[32];
		time_t now = time(NULL);
		strftime(at, sizeof at, "%Y-%m-%d %H:%M:%S", localtime(&now));
		if (!text || replica_meta_set(r, META_ORGS, text) != 0 ||
		    replica_meta_set(r, META_ORGS_AT, at) != 0)
			fprintf(stderr, _("karta: warning: cannot remember the organization tree for "
				"offline use: %s\n"), text ? replica_error(r) : _("out of memory"));
		free(text);
		if (!a)
			fprintf(stderr, _("karta: out of memory\n"));
		return a;
	}
	char at[32] = "";
	size_t cap = 1 << 20;
	char *buf = NULL;
	int got = -1;
	while (got < 0 && cap <= (size_t)1 << 28) { /* the meta value is read whole */
		free(buf);
		if (!(buf = malloc(cap)))
			break;
		got = replica_meta_get(r, META_ORGS, buf, cap);
		cap *= 4;
	}
	if (got != 0) {
		fprintf(stderr, _("karta: cannot export: the organization tree comes from the server, "
				"which cannot be reached now, and this replica has no copy of it yet "
				"(connect once and export again)\n"));
		free(buf);
		return NULL;
	}
	replica_meta_get(r, META_ORGS_AT, at, sizeof at);
	fprintf(stderr, _("karta: the server cannot be reached: the organization tree is the copy "
			"of %s\n"), at);
	json_t *a = json_loads(buf, 0, NULL);
	free(buf);
	if (!json_is_array(a))
		fprintf(stderr, _("karta: cannot export: the remembered organization tree is damaged "
				"(connect once and export again)\n"));
	return a;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* GUIDs of the tree into x; an organization added by hand (no GUID) gets one made from its
 * code, and is counted. The server's gds_extra text becomes JSON. */
static int index_orgs(struct gx *x, json_t *orgs, long *no_guid)
{
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		const char *ex = jstr(o, "extra");
		if (*ex)
			json_object_set_new(o, "gds_extra", json_loads(ex, 0, NULL));
		if (strcmp(jstr(o, "kind"), "org") != 0)
			continue;
		if (!*jstr(o, "guid")) {
			char g[40], name[96];
			snprintf(name, sizeof name, "karta organization %s", jstr(o, "code"));
			/* a fixed namespace: the same code, the same GUID in every export */
			json_object_set_new(o, "guid", json_string(gds_out_uuid5(
				"6b0e3c2a-3d7c-4f0e-9a51-2b7c1d0e9f10", name, g, sizeof g)));
			++*no_guid;
		}
		if (reg_map_put(&x->org_guid, jstr(o, "id"), jstr(o, "guid"), 0) != 0 ||
		    (*jstr(o, "territory") &&
			reg_map_put(&x->org_area, jstr(o, "id"), jstr(o, "territory"), 0) != 0))
			return -1;
		if (strcmp(jstr(o, "level"), "region") == 0) {
			snprintf(x->region_code, sizeof x->region_code, "%s", jstr(o, "federal_code"));
			snprintf(x->region_guid, sizeof x->region_guid, "%s", jstr(o, "guid"));
			snprintf(x->region_created, sizeof x->region_created, "%s", jstr(o, "created"));
		}
	}
	return 0;
}

/* ---- the replica's rows ------------------------------------------------------------------------ */

/* A row of load_map: where rows share a key, a live row is kept over a deleted one, else the
 * first by id (the maps keyed by a row's id have no such rows; the pair maps' value is the
 * row's id). num is 1 for a deleted row. */
static int kv_row(void *ctx, sqlite3_stmt *s)
{
	struct reg_map *m = ctx;
	const char *k = rp_col_text(s, 0), *v = rp_col_text(s, 1);
	long dead = rp_col_long(s, 2);
	const struct reg_map_entry *e = reg_map_get(m, k);
	if (e && (e->num < dead || (e->num == dead && strcmp(e->val, v) <= 0)))
		return 0;
	return reg_map_put(m, k, v, dead);
}

/* m ← (key, value) of the synced rows of type, in the table's order (no sort: one pass). */
static int load_map(struct replica *r, struct reg_map *m, const char *type, const char *key,
	const char *val)
{
	char sql[1024];
	snprintf(sql, sizeof sql, "SELECT k, v, d FROM (SELECT %s AS k, %s AS v,"
		" json_extract(payload, '$.deleted_at') IS NOT NULL AS d FROM row WHERE entity_type = ?1)"
		" WHERE k IS NOT NULL AND v IS NOT NULL", key, val);
	sqlite3_stmt *s = rp_prepare(r, sql);
	if (!s)
		return -1;
	rp_bind_text(s, 1, type);
	return rp_each_row(r, s, kv_row, m);
}

#define J(k) "json_extract(payload, '$." k "')"
#define GUID_OF(k) "lower(trim(coalesce(nullif(" J(k) ", ''), entity_id), '{}'))"

static int load_maps(struct gx *x, struct replica *r)
{
	return load_map(r, &x->part_guid, "participant", "entity_id", GUID_OF("guid")) ||
		load_map(r, &x->exam_gid, "exam", "entity_id", "CAST(" J("global_id") " AS TEXT)") ||
		load_map(r, &x->point_guid, "exam_point", "entity_id", GUID_OF("guid")) ||
		load_map(r, &x->aud_places, "auditorium", "entity_id", "CAST(" J("rows") " * "
			J("seats_per_row") " - coalesce(json_array_length(" J("unusable_seats") "), 0)"
			" AS TEXT)") ||
		load_map(r, &x->pa, "exam_point_assignment", J("exam_id") " || '|' || " J("point_id"),
			"entity_id") ||
		load_map(r, &x->ea, "exam_auditorium", J("exam_id") " || '|' || " J("auditorium_id"),
			"entity_id") ||
		load_map(r, &x->dist, "distribution", J("exam_id") " || '|' || " J("participant_id"),
			"entity_id") ? -1 : 0;
}

/* The printf width that pads s to 32 characters (UTF-8: a Cyrillic letter is two bytes). */
static int col32(const char *s)
{
	int extra = 0;
	for (; *s; s++)
		extra += ((unsigned char)*s & 0xC0) == 0x80;
	return 32 + extra;
}

/* Seconds since *t0, which moves to now: each progress line says what its step took. */
static double since(struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	double s = (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
	*t0 = t;
	return s;
}

static void gx_free(struct gx *x)
{
	struct reg_map *m[] = {&x->org_guid, &x->org_area, &x->part_guid, &x->exam_gid,
		&x->point_guid, &x->aud_places, &x->pa, &x->ea, &x->dist};
	for (size_t i = 0; i < ARRAY_LEN(m); i++)
		reg_map_free(m[i]);
}

/* ---- writing ------------------------------------------------------------------------------------- */

/* Two threads write tables side by side (each table: its rows read, mapped, written and
 * deflated by one thread), the longest first. What they share is read only (the tree, the
 * link maps once loaded) but for the next table to take and the first error. The second
 * thread begins with the tables that need only the tree while the first loads the link
 * maps; a table that needs them waits for them. */
struct jobs {
	json_t *orgs;
	const struct gx *x;        /* the tree's maps and, once links is 1, the link maps */
	int links;                 /* 0 loading, 1 loaded, -1 failed (under lock) */
	pthread_cond_t loaded;     /* links is no longer 0 */
	struct kt_gds_file *f[32]; /* each table's file, in the package's order */
	int order[32];             /* the tables by the order they are taken in */
	atomic_int next;           /* the next place in order */
	atomic_int failed;         /* a thread failed: the others stop at their next row */
	pthread_mutex_t lock;      /* the progress lines and err */
	char err[512];             /* the first failure */
};

struct run {
	struct jobs *js;
	struct gx x; /* the maps are js's; the counters this thread's own */
	struct replica *r;
	struct kt_gds_file *f;
	sqlite3_stmt *s; /* the table's synced rows */
	size_t k;        /* the next organization (the org tables) */
	const struct gds_out_table *gt;
	const struct kt_gds_table *t;
	struct gds_out *o;
	struct gds_row row; /* the row being mapped */
	char err[512];
};

/* Ctrl-C or a TERM during the export: the rows stop, the private folder (personal data)
 * is removed, nothing is left at the package's path. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int write_one(struct run *u, struct gds_row *row)
{
	if (interrupted)
		return snprintf(u->err, sizeof u->err, "%s", _("interrupted")), -1;
	if (atomic_load_explicit(&u->js->failed, memory_order_relaxed))
		return -1; /* the other thread's error is the one said */
	gds_out_reset(u->o);
	int k = u->gt->map(&u->x, row, u->o);
	if (k == 0)
		return 0;
	if (k < 0 || gds_out_finish(&u->x, u->t, row, u->o) != 0)
		return snprintf(u->err, sizeof u->err, _("%s.xml: row %ld: the row is too long"),
			u->t->name, kt_gds_file_rows(u->f) + 1), -1;
	return kt_gds_file_row(u->f, u->o->val, u->o->nx, u->o->xname, u->o->xval, u->err,
		sizeof u->err);
}

/* kt_gds_rows_fn of a table: the next organization of the level of its source, or the next
 * synced row (in the order the replica holds them: see write_table). */
static int next_row(void *ctx, struct kt_gds_file *f, char *err, size_t errlen)
{
	static const char *const kinds[] = {[GS_REGION] = "region", [GS_TERRITORY] = "",
		[GS_MUNICIPALITY] = "municipality", [GS_SCHOOL] = "school"};
	struct run *u = ctx;
	int rc = 0;
	(void)f;
	if (u->gt->src != GS_ROW) {
		json_t *o;
		while ((o = json_array_get(u->js->orgs, u->k++))) {
			bool terr = strcmp(jstr(o, "kind"), "territory") == 0;
			if (u->gt->src == GS_TERRITORY ? terr
				: !terr && strcmp(jstr(o, "level"), kinds[u->gt->src]) == 0) {
				gds_row_of_json(&u->row, o);
				rc = write_one(u, &u->row) != 0 ? -1 : 1;
				break;
			}
		}
	} else if ((rc = rp_step(u->r, u->s)) == 1) {
		const char *payload = rp_col_text(u->s, 0); /* a payload not an object is left out */
		rc = gds_row_parse(&u->row, payload, strlen(payload)) == 0 &&
			write_one(u, &u->row) != 0 ? -1 : 1;
	} else if (rc < 0) {
		snprintf(u->err, sizeof u->err, "%s", replica_error(u->r));
	}
	if (rc < 0)
		snprintf(err, errlen, "%s", u->err);
	return rc;
}

/* The rows of one table into its file, deflated as they come. A table's rows are read in
 * the order the replica stores them (rowid: as the sync brought them, a school's rows
 * together), the same from one export to the next of the same replica: read in the order
 * of their ids, every row was a page read of its own (the registrations: 1.2 s of SQLite
 * against 0.2 s, docs/performance.md «Federal package: the export»). */
static int write_table(struct run *u)
{
	u->k = 0;
	if (u->gt->src == GS_ROW) {
		if (!(u->s = rp_prepare(u->r, "SELECT payload FROM row WHERE rowid IN"
			" (SELECT rowid FROM row WHERE entity_type = ?1) ORDER BY rowid")))
			return snprintf(u->err, sizeof u->err, "%s", replica_error(u->r)), -1;
		rp_bind_text(u->s, 1, u->gt->entity_type);
	}
	int rc = kt_gds_file_fill(u->f, next_row, u, u->err, sizeof u->err);
	rp_finalize(u->s);
	u->s = NULL;
	return rc;
}

/* Whether the link maps are loaded, waited for; then u's copy of gx has them. */
static bool await_links(struct run *u)
{
	struct jobs *js = u->js;
	pthread_mutex_lock(&js->lock);
	while (js->links == 0)
		pthread_cond_wait(&js->loaded, &js->lock);
	pthread_mutex_unlock(&js->lock);
	if (js->links < 0)
		return false;
	u->x.part_guid = js->x->part_guid; /* the maps are js's: their structs copied */
	u->x.exam_gid = js->x->exam_gid;
	u->x.point_guid = js->x->point_guid;
	u->x.aud_places = js->x->aud_places;
	u->x.pa = js->x->pa;
	u->x.ea = js->x->ea;
	u->x.dist = js->x->dist;
	return true;
}

/* Takes tables until none is left or one fails; each table's line says what it took. */
static void *run_jobs(void *arg)
{
	struct run *u = arg;
	struct jobs *js = u->js;
	int k;
	while ((k = atomic_fetch_add(&js->next, 1)) < gds_out_tables_count) {
		int i = js->order[k];
		if (gds_out_tables[i].links && !await_links(u))
			break; /* the loading's error is the one said */
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		u->gt = &gds_out_tables[i];
		u->t = kt_gds_table(u->gt->name);
		u->f = js->f[i];
		*u->err = '\0';
		int rc = write_table(u); /* here, beside the other thread's table */
		long n = kt_gds_file_rows(u->f);
		pthread_mutex_lock(&js->lock);
		if (rc != 0 && *u->err && !*js->err)
			snprintf(js->err, sizeof js->err, "%s", u->err);
		if (rc == 0) {
			printf(P_("  %-32s %8ld row  %7.1f s\n", "  %-32s %8ld rows %7.1f s\n", n),
				u->t->name, n, since(&t0));
			fflush(stdout);
		}
		pthread_mutex_unlock(&js->lock);
		if (rc != 0) {
			atomic_store(&js->failed, 1);
			break;
		}
	}
	return NULL;
}

/* The tables by their cost, the longest first (registrations are half the rows), so that
 * the two threads end together — but participants, which need no link maps, first: the
 * second thread's while the first loads them; then in the package's order. */
static void order_jobs(struct jobs *js)
{
	static const char *const first[] = {"rbd_Participants", "rbd_ParticipantsExams",
		"rbd_ParticipantsExamPStation"};
	int n = 0;
	for (size_t k = 0; k < ARRAY_LEN(first); k++)
		for (int i = 0; i < gds_out_tables_count; i++)
			if (strcmp(gds_out_tables[i].name, first[k]) == 0)
				js->order[n++] = i;
	for (int i = 0; i < gds_out_tables_count; i++) {
		bool taken = false;
		for (int k = 0; k < n; k++)
			taken |= js->order[k] == i;
		if (!taken)
			js->order[n++] = i;
	}
}

/* Loads the link maps into x; then the tables that wait for them go on. 0 or -1 (js->err
 * set). The line of the step says what the tree and the links took since *t0. */
static int links(struct jobs *js, struct gx *x, struct replica *r, struct timespec *t0)
{
	int rc = load_maps(x, r);
	pthread_mutex_lock(&js->lock);
	js->links = rc == 0 ? 1 : -1;
	if (rc != 0) {
		if (!*js->err)
			snprintf(js->err, sizeof js->err, "%s", *replica_error(r) ? replica_error(r)
				: _("out of memory"));
		atomic_store(&js->failed, 1);
	} else {
		const char *label = _("(the tree and the links)");
		printf(_("  %-*s %13s %7.1f s\n"), col32(label), label, "", since(t0));
		fflush(stdout);
	}
	pthread_cond_broadcast(&js->loaded);
	pthread_mutex_unlock(&js->lock);
	return rc;
}

/* Writes every table into w: this thread and, where there is a second core, another one
 * with its own connection to the replica, which begins while this one loads the link maps
 * into x. 0, or -1 with js->err set. */
static int write_tables(struct jobs *js, struct gx *x, struct replica *r, struct kt_gds_write *w,
	struct timespec *t0)
{
	order_jobs(js);
	for (int i = 0; i < gds_out_tables_count; i++)
		if (!(js->f[i] = kt_gds_write_table(w, kt_gds_table(gds_out_tables[i].name), js->err,
			sizeof js->err)))
			return -1;
	struct run u[2] = {{.js = js, .x = *x, .r = r}, {.js = js, .x = *x}};
	char err[512];
	bool two = sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
		replica_open(r->dir, &u[1].r, err, sizeof err) == 0;
	pthread_t th;
	int rc = 0;
	if (!(u[0].o = malloc(sizeof *u[0].o)) || (two && !(u[1].o = malloc(sizeof *u[1].o))))
		rc = -1, snprintf(js->err, sizeof js->err, "%s", _("out of memory"));
	if (rc == 0 && two && pthread_create(&th, NULL, run_jobs, &u[1]) != 0)
		two = false; /* one thread does it all */
	if (rc == 0 && links(js, x, r, t0) == 0)
		run_jobs(&u[0]);
	if (rc == 0 && two)
		pthread_join(th, NULL);
	for (int k = 0; k < 2; k++) { /* the copies' counts began at x's: 0 */
		x->no_global += u[k].x.no_global;
		x->no_link += u[k].x.no_link;
		x->no_area += u[k].x.no_area;
		x->unknown_cols += u[k].x.unknown_cols;
		free(u[k].o);
		gds_row_free(&u[k].row);
	}
	replica_close(u[1].r);
	return rc != 0 || atomic_load(&js->failed) || interrupted ? -1 : 0;
}

/* ---- the command ------------------------------------------------------------------------------- */

/* This device's level from the replica (the sync writes it). */
static bool is_region(struct replica *r)
{
	char level[32] = "";
	if (replica_meta_get(r, "level", level, sizeof level) != 0 || !*level)
		replica_meta_get(r, REPLICA_META_ORG_LEVEL, level, sizeof level);
	return strcmp(level, "region") == 0 || strcmp(level, "1") == 0;
}

int registry_gds_export(struct client *cl, int argc, char **argv)
{
	enum { O_LAYOUT, O_OUTPUT, O_N };
	struct opt o[] = {
		[O_LAYOUT] = {.name = "layout", .type = OPT_CHOICE, .choices = "giadbset",
			.help = N_("giadbset: the federal exchange package"), .required = true},
		[O_OUTPUT] = {.name = "output", .type = OPT_STR, .meta = "PACKAGE.zip", .required = true,
			.help = N_("the package to write (also -o; made 0600, replaced only when whole)")},
		[O_N] = {0},
	};
	struct opt_cmd c = {"registry export --layout giadbset", "", 0,
		N_("Writes what the region holds as the federal exchange package (GIADBSet): one XML\n"
		"file per table in a .zip — rbd_CurrentRegion, rbd_Areas, rbd_Governments,\n"
		"rbd_Schools, rbd_Stations, rbd_Auditoriums, rbd_Participants,\n"
		"rbd_ParticipantsExams, rbd_StationWorkers and karta's planning: rbd_StationsExams,\n"
		"rbd_StationExamAuditory, rbd_ParticipantsExamPStation. Deleted rows are included\n"
		"with their flags; GUIDs and timestamps are kept, and so are the columns karta does\n"
		"not model that an import brought. The region's device only; the organization tree\n"
		"is asked of the server (offline: the last copy), the rest is the local replica\n"
		"(run 'karta sync' first). docs/registries.md «GIADBSet export»."), o};
	enum opts_result pr = opts_parse(&c, argc, argv, NULL);
	if (pr != OPTS_OK)
		return opts_exit(pr);
	struct replica *r = rv_synced_replica(cl);
	if (!r)
		return EXIT_RUNTIME;
	if (!is_region(r)) {
		fprintf(stderr, _("karta: cannot export the federal exchange package: it is the "
				"region's, and this device is not the region's\n"));
		return EXIT_RUNTIME;
	}
	long pending = rp_count(r, "SELECT count(*) FROM outbox");
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	json_t *orgs = load_orgs(cl, r);
	if (!orgs)
		return EXIT_RUNTIME;
	struct gx x = {0};
	struct jobs js = {.orgs = orgs, .x = &x, .lock = PTHREAD_MUTEX_INITIALIZER,
		.loaded = PTHREAD_COND_INITIALIZER};
	long no_guid = 0;
	int rc = EXIT_RUNTIME;
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	bool handlers = false;
	if (index_orgs(&x, orgs, &no_guid) != 0) {
		fprintf(stderr, _("karta: cannot export: %s\n"), *replica_error(r)
			? replica_error(r) : _("out of memory"));
		goto done;
	}
	if (!*x.region_code) {
		fprintf(stderr, _("karta: cannot export: the region has no federal code (REGION): "
				"import its tree with 'karta-admin org import' first\n"));
		goto done;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	handlers = true;
	struct kt_gds_write *w = kt_gds_write_open(o[O_OUTPUT].str, js.err, sizeof js.err);
	if (!w) {
		fprintf(stderr, "karta: %s\n", js.err);
		goto done;
	}
	printf("%s:\n", o[O_OUTPUT].str);
	fflush(stdout);
	if (write_tables(&js, &x, r, w, &t0) != 0) {
		fprintf(stderr, _("karta: cannot export: %s; nothing written\n"),
			*js.err ? js.err : _("interrupted"));
		kt_gds_write_abort(w);
		goto done;
	}
	const char *label = _("(all the tables)");
	printf(_("  %-*s %13s %7.1f s\n"), col32(label), label, "", since(&t0));
	int fin = interrupted ? (kt_gds_write_abort(w), snprintf(js.err, sizeof js.err,
		"%s", _("interrupted")), -1) : kt_gds_write_finish(w, js.err, sizeof js.err);
	label = _("(the .zip)");
	printf(_("  %-*s %13s %7.1f s\n"), col32(label), label, "", since(&t0));
	if (fin != 0) {
		fprintf(stderr, _("karta: cannot export: %s; nothing written\n"), js.err);
		goto done;
	}
	printf(_("written to %s\n"), o[O_OUTPUT].str);
	fflush(stdout); /* the warnings below come after it, also in a pipe */
	if (no_guid)
		fprintf(stderr, P_("karta: warning: %ld organization added by hand has no federal "
				"GUID: written with one karta makes from the code\n", "karta: warning: %ld "
				"organizations added by hand have no federal GUID: written with one karta makes "
				"from the code\n", no_guid), no_guid);
	if (x.no_global)
		fprintf(stderr, P_("karta: warning: %ld row left out: its exam has no ExamGlobalID "
				"('karta exam schedule import' gives it)\n", "karta: warning: %ld rows left out: "
				"their exam has no ExamGlobalID ('karta exam schedule import' gives it)\n",
				x.no_global), x.no_global);
	if (x.no_link)
		fprintf(stderr, P_("karta: warning: %ld planning row left out: what it refers to is "
				"not in the replica\n", "karta: warning: %ld planning rows left out: what they "
				"refer to is not in the replica\n", x.no_link), x.no_link);
	if (x.no_area)
		fprintf(stderr, P_("karta: warning: %ld exam point without a territory (neither "
				"its own nor its host school's): AreaID written as zeros\n", "karta: warning: %ld "
				"exam points without a territory (neither their own nor their host school's): "
				"AreaID written as zeros\n", x.no_area), x.no_area);
	if (x.unknown_cols)
		fprintf(stderr, P_("karta: note: %ld row carries columns the published schema does not "
				"know, kept as they came\n", "karta: note: %ld rows carry columns the published "
				"schema does not know, kept as they came\n", x.unknown_cols), x.unknown_cols);
	if (pending > 0)
		fprintf(stderr, P_("karta: warning: %ld change in the outbox not yet synced is not in "
				"the package: run 'karta sync' and export again\n", "karta: warning: %ld changes "
				"in the outbox not yet synced are not in the package: run 'karta sync' and export "
				"again\n", pending), pending);
	rc = EXIT_OK;
done:
	if (handlers) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	gx_free(&x);
	json_decref(orgs);
	return rc;
}
