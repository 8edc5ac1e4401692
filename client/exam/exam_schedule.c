/* exam_schedule: `karta exam schedule import FILE.csv` — the region's exam schedule from a
 * CSV file (docs/registries.md «Exam schedule»): date, subject code and name, form
 * (ЕГЭ/ОГЭ/ГВЭ), ГИА (9/11, needed for ГВЭ), period, and the federal ExamGlobalID that the
 * federal package's registrations (rbd_ParticipantsExams) refer to.
 *
 * It works like `karta registry import`: the file is read with kt_csv (UTF-8 or
 * Windows-1251, ; , or TAB, Russian headers in any order, compared folded), every row is
 * checked, rejected rows are listed as FILE:LINE: «column»: reason, and the new and changed
 * exams are queued as registry_put RecordOps (type exam) in one local transaction — all or
 * nothing unless --partial — then sent when the server is reachable. An exam is found by its
 * ExamGlobalID, else by subject, form, ГИА and date (an exam made before it had one); a new
 * exam's id is derived from the region and its ExamGlobalID, so a re-import of the same file
 * queues nothing. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "exam_cmds.h"
#include "help.h"
#include "kt_csv.h"
#include "kt_registry.h"
#include "kt_validate.h"
#include "opts.h"
#include "registry_import_int.h"
#include "registry_rows.h"
#include "registry_view.h"
#include "replica.h"
#include "sync.h"
#include "kt_i18n.h"
#include "kt_server_text.h"

enum { C_DATE, C_SUBJECT, C_NAME, C_FORM, C_GIA, C_PERIOD, C_GLOBAL, C_N };

static const struct {
	const char *name, *aliases;
	bool required;
} cols[C_N] = {
	[C_DATE] = {"Дата экзамена", "дата", true},
	[C_SUBJECT] = {"Код предмета", "предмет (код)", true},
	[C_NAME] = {"Предмет", "наименование предмета|название предмета", false},
	[C_FORM] = {"Форма", "форма экзамена|форма гиа", true},
	[C_GIA] = {"ГИА", "гиа-9/11|уровень гиа", false},
	[C_PERIOD] = {"Период", "этап", false},
	[C_GLOBAL] = {"ExamGlobalID", "код экзамена|код экзамена (examglobalid)", true},
};

static const char *const periods[][2] = {
	{"основной", "main"}, {"досрочный", "early"}, {"дополнительный", "additional"},
	{"резервный", "reserve"}, {"main", "main"}, {"early", "early"},
	{"additional", "additional"}, {"reserve", "reserve"},
};

/* One checked row: what the exam's columns become. */
struct srow {
	long subject, form, gia, global;
	char date[11];
	const char *name;   /* NULL when the file has no such column */
	const char *period; /* NULL: not given */
};

struct sched {
	struct client *cl;
	struct replica *r;
	const char *file;
	bool dry, partial, offline;
	char region[64];
	int col_of[C_N]; /* column index of each field, -1 when absent */
	struct reg_map by_global, by_key, seen_global, seen_key, ops;
	struct qop *q;
	size_t nq, capq;
	long rows, rejected, unchanged, to_add, to_update;
	struct ri_tally server;
};

static void reject(struct sched *s, int line, int c, const char *msg)
{
	if (c >= 0)
		fprintf(stderr, "%s:%d: «%s»: %s\n", s->file, line, cols[c].name, _(msg));
	else /* N_() at the callers; a formatted one passes through */
		fprintf(stderr, "%s:%d: %s\n", s->file, line, _(msg));
}

/* ---- the header ----------------------------------------------------------------------------- */

static bool header_is(int c, const char *folded)
{
	char a[160];
	if (strcmp(kt_reg_fold(cols[c].name, a, sizeof a), folded) == 0)
		return true;
	char buf[200];
	snprintf(buf, sizeof buf, "%s", cols[c].aliases ? cols[c].aliases : "");
	for (char *t = strtok(buf, "|"); t; t = strtok(NULL, "|"))
		if (strcmp(kt_reg_fold(t, a, sizeof a), folded) == 0)
			return true;
	return false;
}

static int map_header(struct sched *s, const struct kt_csv_row *h)
{
	for (int c = 0; c < C_N; c++)
		s->col_of[c] = -1;
	for (size_t i = 0; i < h->n; i++) {
		char f[160];
		kt_reg_fold(h->f[i].s, f, sizeof f);
		int found = -1;
		for (int c = 0; c < C_N && found < 0; c++)
			if (header_is(c, f))
				found = c;
		if (found < 0) {
			fprintf(stderr, _("karta: %s: line %d: unknown column «%s» (the columns: Дата экзамена, "
					"Код предмета, Предмет, Форма, ГИА, Период, ExamGlobalID); nothing "
					"imported\n"), s->file, h->line, h->f[i].s);
			return -1;
		}
		if (s->col_of[found] >= 0) {
			fprintf(stderr, _("karta: %s: line %d: column «%s» is given twice; nothing imported\n"),
				s->file, h->line, cols[found].name);
			return -1;
		}
		s->col_of[found] = (int)i;
	}
	for (int c = 0; c < C_N; c++)
		if (cols[c].required && s->col_of[c] < 0) {
			fprintf(stderr, _("karta: %s: line %d: the required column «%s» is missing; nothing "
					"imported\n"), s->file, h->line, cols[c].name);
			return -1;
		}
	return 0;
}

/* ---- one row -------------------------------------------------------------------------------- */

static const char *cell(const struct sched *s, const struct kt_csv_row *row, int c)
{
	int i = s->col_of[c];
	return i >= 0 && (size_t)i < row->n ? row->f[i].s : "";
}

/* Checks a data row into *out; the number of errors printed. */
static int check_row(struct sched *s, const struct kt_csv_row *row, struct srow *out)
{
	int bad = 0, line = row->line;
	char f[160];
	memset(out, 0, sizeof *out);
	const char *d = cell(s, row, C_DATE);
	struct kt_date dt;
	int y, m, dd, used = 0;
	if (sscanf(d, "%4d-%2d-%2d%n", &y, &m, &dd, &used) == 3 && (size_t)used == strlen(d)) {
		char ru[16];
		snprintf(ru, sizeof ru, "%02d.%02d.%04d", dd, m, y);
		d = ru;
		if (kt_check_date(d, &dt))
			reject(s, line, C_DATE, N_("must be a date дд.ММ.гггг or гггг-ММ-дд")), bad++;
	} else if (!*d) {
		reject(s, line, C_DATE, N_("is required")), bad++;
	} else if (kt_check_date(d, &dt)) {
		reject(s, line, C_DATE, N_("must be a date дд.ММ.гггг or гггг-ММ-дд")), bad++;
	}
	if (!bad)
		snprintf(out->date, sizeof out->date, "%04d-%02d-%02d", dt.y, dt.m, dt.d);
	if (!kt_parse_int(cell(s, row, C_SUBJECT), 1, 99, &out->subject))
		reject(s, line, C_SUBJECT, N_("must be a subject code 1 to 99")), bad++;
	if (s->col_of[C_NAME] >= 0) {
		out->name = cell(s, row, C_NAME);
		size_t chars = 0;
		for (const char *q = out->name; *q; q++)
			chars += ((unsigned char)*q & 0xC0) != 0x80;
		if (chars > 200)
			reject(s, line, C_NAME, N_("at most 200 characters")), bad++;
	}
	kt_reg_fold(cell(s, row, C_FORM), f, sizeof f);
	out->form = strcmp(f, "егэ") == 0 ? 1 : strcmp(f, "огэ") == 0 ? 2 : strcmp(f, "гвэ") == 0 ? 4 : 0;
	if (!out->form)
		reject(s, line, C_FORM, N_("must be ЕГЭ, ОГЭ or ГВЭ")), bad++;
	kt_reg_fold(cell(s, row, C_GIA), f, sizeof f);
	const char *g = strncmp(f, "гиа-", strlen("гиа-")) == 0 ? f + strlen("гиа-") : f;
	out->gia = !*g ? (out->form == 1 ? 11 : out->form == 2 ? 9 : 0)
		: strcmp(g, "9") == 0 ? 9 : strcmp(g, "11") == 0 ? 11 : -1;
	if (out->gia < 0)
		reject(s, line, C_GIA, N_("must be 9 or 11")), bad++;
	else if (out->form && !out->gia)
		reject(s, line, C_GIA, N_("is required for ГВЭ (9 or 11)")), bad++;
	else if ((out->form == 1 && out->gia != 11) || (out->form == 2 && out->gia != 9))
		reject(s, line, C_GIA, N_("ЕГЭ is ГИА-11, ОГЭ is ГИА-9")), bad++;
	if (s->col_of[C_PERIOD] >= 0) {
		kt_reg_fold(cell(s, row, C_PERIOD), f, sizeof f);
		for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++)
			if (strcmp(f, periods[i][0]) == 0)
				out->period = periods[i][1];
		if (!*f)
			out->period = "main";
		if (!out->period)
			reject(s, line, C_PERIOD, N_("must be основной, досрочный, дополнительный or "
				"резервный")), bad++;
	}
	if (!kt_parse_int(cell(s, row, C_GLOBAL), 1, 2147483647L, &out->global))
		reject(s, line, C_GLOBAL, N_("must be a whole number above 0 (the federal exam id)")), bad++;
	return bad;
}

/* ---- the replica's exams ---------------------------------------------------------------- */

static long jnum(const json_t *p, const char *k)
{
	const json_t *v = json_object_get(p, k);
	return json_is_integer(v) ? (long)json_integer_value(v)
		: json_is_string(v) ? strtol(json_string_value(v), NULL, 10) : 0;
}

static void key_of(long subject, long form, long gia, const char *date, char *out, size_t n)
{
	snprintf(out, n, "%ld|%ld|%ld|%.10s", subject, form, gia, date);
}

static int index_exam(void *arg, const char *id, const char *payload, bool pending)
{
	struct sched *s = arg;
	json_t *p = json_loads(payload, 0, NULL);
	if (!p)
		return 0;
	const json_t *del = json_object_get(p, "deleted_at");
	int rc = 0;
	if (!del || json_is_null(del) || (json_is_string(del) && !*json_string_value(del))) {
		char k[80];
		long g = jnum(p, "global_id");
		if (g > 0) {
			snprintf(k, sizeof k, "%ld", g);
			rc = reg_map_put(&s->by_global, k, id, 0);
		}
		key_of(jnum(p, "subject_code"), jnum(p, "form"), jnum(p, "gia"),
			rv_jstr(p, "exam_date"), k, sizeof k);
		if (rc == 0)
			rc = reg_map_put(&s->by_key, k, id, g);
	}
	json_decref(p);
	return rc;
}

/* ---- queueing --------------------------------------------------------------------------- */

static int queue(struct sched *s, const char *id, long long base, json_t *args, json_t *local,
	int line, char action)
{
	if (s->nq == s->capq) {
		size_t cap = s->capq ? s->capq * 2 : 64;
		struct qop *g = realloc(s->q, cap * sizeof *g);
		if (!g)
			return -1;
		s->q = g, s->capq = cap;
	}
	struct qop *q = &s->q[s->nq];
	char summary[160];
	snprintf(summary, sizeof summary, "registry_put exam: %s line %d", s->file, line);
	if (reg_outbox_put(s->r, "registry_put", "exam", id, base, args, local, summary, q->op_id) != 0 ||
	    reg_map_put(&s->ops, q->op_id, NULL, (long)s->nq) != 0)
		return -1;
	q->line = line;
	q->action = action;
	q->outcome = -1;
	s->nq++;
	return 0;
}

/* One checked row: found or new, compared, queued. 1 when refused here, -1 local error. */
static int import_row(struct sched *s, const struct srow *x, int line)
{
	char gk[24], nk[80], id[REG_ID_LEN];
	snprintf(gk, sizeof gk, "%ld", x->global);
	key_of(x->subject, x->form, x->gia, x->date, nk, sizeof nk);
	const struct reg_map_entry *e = reg_map_get(&s->seen_global, gk);
	char msg[160];
	if (e) {
		snprintf(msg, sizeof msg, _("the same ExamGlobalID as line %ld"), e->num);
		reject(s, line, C_GLOBAL, msg);
		return 1;
	}
	if ((e = reg_map_get(&s->seen_key, nk))) {
		snprintf(msg, sizeof msg, _("the same subject, form, ГИА and date as line %ld"), e->num);
		reject(s, line, -1, msg);
		return 1;
	}
	if (reg_map_put(&s->seen_global, gk, NULL, line) != 0 || reg_map_put(&s->seen_key, nk, NULL, line))
		return -1;
	const struct reg_map_entry *byg = reg_map_get(&s->by_global, gk);
	const struct reg_map_entry *byk = reg_map_get(&s->by_key, nk);
	if (!byg && byk && byk->num > 0) {
		snprintf(msg, sizeof msg, _("karta has this subject, form, ГИА and date as ExamGlobalID %ld"),
			byk->num);
		reject(s, line, C_GLOBAL, msg);
		return 1;
	}
	if (byg && byk && strcmp(byg->val, byk->val) != 0) {
		reject(s, line, -1, N_("another exam of the schedule has this subject, form, ГИА and date"));
		return 1;
	}
	if (byg || byk) {
		snprintf(id, sizeof id, "%s", (byg ? byg : byk)->val);
	} else {
		char scope[96];
		snprintf(scope, sizeof scope, "%s\nexam", s->region);
		reg_uuid5(scope, gk, id);
	}
	json_t *cur = NULL;
	long long base = 0;
	if (byg || byk) {
		char *js = NULL;
		bool pending = false;
		if (replica_get(s->r, "exam", id, &js, &pending) == 0)
			cur = json_loads(js, 0, NULL);
		free(js);
		base = cur ? (long long)jnum(cur, "row_version") + (pending ? 1 : 0) : 0;
	}
	json_t *c = json_pack("{s:I,s:I,s:I,s:s,s:I}", "subject_code", (json_int_t)x->subject,
		"form", (json_int_t)x->form, "gia", (json_int_t)x->gia, "exam_date", x->date,
		"global_id", (json_int_t)x->global);
	if (!c)
		return -1;
	if (x->name)
		json_object_set_new(c, "subject_name", json_string(x->name));
	if (x->period)
		json_object_set_new(c, "period", json_string(x->period));
	int rc = 0;
	if (cur && reg_row_same(c, cur)) {
		s->unchanged++;
	} else {
		json_t *args = json_deep_copy(c), *local = cur ? json_deep_copy(cur) : json_object();
		json_object_set_new(args, "type", json_string("exam"));
		json_object_update(local, c);
		json_object_set_new(local, "id", json_string(id));
		json_object_set_new(local, "row_version", json_integer(base));
		if (cur)
			s->to_update++;
		else
			s->to_add++;
		if (!s->dry && !(s->rejected && !s->partial))
			rc = queue(s, id, cur ? base : 0, args, local, line, cur ? 'u' : 'a');
		json_decref(args);
		json_decref(local);
	}
	json_decref(c);
	json_decref(cur);
	return rc;
}

static void on_result(void *arg, const struct replica_op *op, const Karta__OpResult *res)
{
	struct sched *s = arg;
	const struct reg_map_entry *e = reg_map_get(&s->ops, op->op_id);
	if (!e)
		return;
	struct qop *q = &s->q[e->num];
	char said[1024], buf[640];
	const char *msg;
	int o = ri_answer(q, res, &s->server, said, sizeof said, &msg);
	if (o == KARTA__OP_OUTCOME__OP_REJECTED) {
		snprintf(buf, sizeof buf, _("server refused: %s"), msg);
		reject(s, q->line, -1, buf);
	} else if (o == KARTA__OP_OUTCOME__OP_CONFLICT) {
		snprintf(buf, sizeof buf, _("conflict: %s"), msg);
		reject(s, q->line, -1, buf);
	}
}

/* ---- the command ----------------------------------------------------------------------------- */

static int read_rows(struct sched *s, struct kt_csv_reader *rd)
{
	struct kt_csv_row row;
	struct kt_csv_err err;
	for (;;) {
		enum kt_csv_status st = kt_csv_next(rd, &row, &err);
		if (st == KT_CSV_END)
			return 0;
		if (st == KT_CSV_BAD_ROW) {
			const char *m = err.msg;
			if (strncmp(m, "line ", 5) == 0 && strchr(m, ':'))
				m = strchr(m, ':') + 2;
			s->rows++, s->rejected++;
			reject(s, err.line, -1, m);
			continue;
		}
		if (st != KT_CSV_ROW) {
			fprintf(stderr, "karta: %s: %s\n", s->file, err.msg);
			return -1;
		}
		s->rows++;
		struct srow x;
		if (check_row(s, &row, &x) > 0) {
			s->rejected++;
			continue;
		}
		int rc = import_row(s, &x, row.line);
		if (rc < 0)
			return -1;
		s->rejected += rc;
	}
}

static void summary(const struct sched *s)
{
	if (s->dry) {
		printf(_("dry run: %ld rows checked: %ld to add, %ld to update, %ld unchanged, %ld "
		       "rejected; nothing queued\n"), s->rows, s->to_add, s->to_update, s->unchanged,
			s->rejected);
	} else if (s->offline) {
		printf(_("queued %ld rows: %ld to add, %ld to update, %ld unchanged\n"),
			s->rows - s->rejected, s->to_add, s->to_update, s->unchanged);
	} else {
		printf(_("imported %ld rows: %ld added, %ld updated, %ld unchanged, %ld rejected by the "
		       "server"), s->rows - s->rejected, s->server.added, s->server.updated,
			s->unchanged, s->server.refused);
		if (s->server.conflicts)
			printf(_(", %ld conflicts"), s->server.conflicts);
		putchar('\n');
	}
}

int exam_schedule_import(struct client *cl, int argc, char **argv)
{
	enum { O_PARTIAL, O_DRY, O_N };
	struct opt o[O_N + 1] = {
		[O_PARTIAL] = {.name = "partial", .type = OPT_FLAG,
			.help = N_("queue the valid rows even if some are rejected (exit 1 all the same)")},
		[O_DRY] = {.name = "dry-run", .type = OPT_FLAG,
			.help = N_("check and compare only: queue nothing")},
	};
	struct opt_cmd c = {"exam schedule import", "FILE.csv", 1, help_exam_schedule_import, o};
	const char *pos[1];
	int rc;
	if (!opts_ok(&c, argc, argv, pos, &rc))
		return rc;
	struct sched s = {.cl = cl, .file = pos[0], .dry = o[O_DRY].set, .partial = o[O_PARTIAL].set};
	FILE *f = fopen(s.file, "rb");
	if (!f) {
		fprintf(stderr, "karta: %s: %m\n", s.file);
		return EXIT_RUNTIME;
	}
	rc = EXIT_RUNTIME;
	bool in_batch = false;
	struct kt_csv_reader *rd = kt_csv_reader_file(f, NULL);
	struct kt_csv_row hdr;
	struct kt_csv_err err;
	char level[32] = "";
	if (!rd || !(s.r = client_replica(cl)))
		goto out;
	if (kt_csv_next(rd, &hdr, &err) != KT_CSV_ROW) {
		fprintf(stderr, _("karta: %s: %s; nothing imported\n"), s.file,
			*err.msg ? err.msg : "cannot read the header");
		goto out;
	}
	if (map_header(&s, &hdr) != 0)
		goto out;
	if (ri_refresh(cl, &s.offline) != 0)
		goto out;
	if (replica_meta_get(s.r, REPLICA_META_ORG, s.region, sizeof s.region) != 0 ||
	    replica_meta_get(s.r, "level", level, sizeof level) != 0) {
		fprintf(stderr, _("karta: this device's organization is not known yet (it never reached "
				"the server): run 'karta sync' once\n"));
		goto out;
	}
	if (strcmp(level, "region") != 0) {
		fprintf(stderr, _("karta: the exam schedule is the region's: this device belongs to %s "
				"(a %s); nothing imported\n"), s.region, level);
		goto out;
	}
	if (replica_each(s.r, "exam", NULL, index_exam, &s) != 0)
		goto dberr;
	if (!s.dry) {
		if (replica_batch_begin(s.r) != 0)
			goto dberr;
		in_batch = true;
	}
	if (read_rows(&s, rd) != 0) {
		fprintf(stderr, _("karta: %s: nothing imported\n"), s.file);
		goto out;
	}
	if (ri_nothing_imported(s.file, s.rejected, s.rows, s.partial, s.dry))
		goto out;
	if (in_batch) {
		in_batch = false;
		if (replica_batch_end(s.r, true) != 0)
			goto dberr;
	}
	if (ri_deliver(cl, on_result, &s, s.dry, &s.offline, s.file, s.nq) != 0)
		goto out;
	summary(&s);
	if (s.rejected && !s.dry)
		fprintf(stderr, _("karta: %s: %ld of %ld rows rejected (above) and not imported "
				"(--partial: the others were)\n"), s.file, s.rejected, s.rows);
	rc = ri_exit(s.rejected, &s.server);
	goto out;
dberr:
	fprintf(stderr, _("karta: cannot use the local replica: %s\n"), replica_error(s.r));
out:
	if (in_batch)
		replica_batch_end(s.r, false);
	kt_csv_reader_free(rd);
	fclose(f);
	reg_map_free(&s.by_global);
	reg_map_free(&s.by_key);
	reg_map_free(&s.seen_global);
	reg_map_free(&s.seen_key);
	reg_map_free(&s.ops);
	free(s.q);
	return rc;
}
