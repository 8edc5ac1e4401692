/* registry_list: `karta registry list` (readable columns: table, CSV or JSON) — from the
 * local replica, never the network (`show` is registry_show.c). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "help.h"
#include "kt_csv.h"
#include "kt_table.h"
#include "kt_validate.h"
#include "opts.h"
#include "plan_fmt.h"
#include "registry_cmds.h"
#include "registry_map.h"
#include "replica.h"
#include "replica_int.h" /* rp_eff_each, rp_prepare: rows with their feed */

#include "registry_view.h"
#include "table_out.h"
#include "kt_i18n.h"
#include "terms.h"

/* ---- list ---------------------------------------------------------------------------------- */

static const struct kt_col cols_participant[] = {
	{"school", KT_COL_TEXT, 0}, {"class", KT_COL_TEXT, 0}, {"surname", KT_COL_TEXT, 24},
	{"name", KT_COL_TEXT, 20}, {"patronymic", KT_COL_TEXT, 24}, {"birth_date", KT_COL_DATE, 0},
	{"form", KT_COL_TEXT, 0}, {"category", KT_COL_TEXT, 26}, {"id", KT_COL_ID, 0}};
static const struct kt_col cols_exam[] = {
	{"date", KT_COL_DATE, 0}, {"subject_code", KT_COL_INT, 0}, {"subject", KT_COL_TEXT, 30},
	{"form", KT_COL_TEXT, 0}, {"gia", KT_COL_INT, 0}, {"period", KT_COL_TEXT, 0},
	{"global_id", KT_COL_INT, 0}, {"id", KT_COL_ID, 0}};
static const struct kt_col cols_registration[] = {
	{"school", KT_COL_TEXT, 0}, {"surname", KT_COL_TEXT, 24}, {"name", KT_COL_TEXT, 20},
	{"patronymic", KT_COL_TEXT, 24}, {"class", KT_COL_TEXT, 0}, {"exam_date", KT_COL_DATE, 0},
	{"subject", KT_COL_TEXT, 24}, {"form", KT_COL_TEXT, 0}, {"id", KT_COL_ID, 0}};
static const struct kt_col cols_point[] = {
	{"code", KT_COL_TEXT, 0}, {"name", KT_COL_TEXT, 36}, {"address", KT_COL_TEXT, 36},
	{"municipality", KT_COL_TEXT, 0}, {"school", KT_COL_TEXT, 0}, {"capacity", KT_COL_INT, 0},
	{"forms", KT_COL_TEXT, 0}, {"at_home", KT_COL_BOOL, 0}, {"remote", KT_COL_BOOL, 0},
	{"video", KT_COL_BOOL, 0}, {"reserve", KT_COL_BOOL, 0}, {"id", KT_COL_ID, 0}};
static const struct kt_col cols_auditorium[] = {
	{"exam_point", KT_COL_TEXT, 0}, {"code", KT_COL_TEXT, 0}, {"name", KT_COL_TEXT, 30},
	{"rows", KT_COL_INT, 0}, {"seats_per_row", KT_COL_INT, 0}, {"seats", KT_COL_INT, 0},
	{"ovz", KT_COL_BOOL, 0}, {"video", KT_COL_BOOL, 0}, {"lab", KT_COL_BOOL, 0},
	{"id", KT_COL_ID, 0}};
static const struct kt_col cols_staff[] = {
	{"code", KT_COL_TEXT, 0}, {"surname", KT_COL_TEXT, 24}, {"name", KT_COL_TEXT, 20},
	{"patronymic", KT_COL_TEXT, 24}, {"roles", KT_COL_TEXT, 36}, {"workplace", KT_COL_TEXT, 0},
	{"exam_points", KT_COL_TEXT, 20}, {"id", KT_COL_ID, 0}};
static const struct kt_col cols_staff_point[] = {
	{"staff", KT_COL_TEXT, 0}, {"exam_point", KT_COL_TEXT, 0}, {"id", KT_COL_ID, 0}};

static const struct {
	const struct kt_col *cols;
	size_t n;
} list_cols[] = {
	[T_PARTICIPANT] = {cols_participant, ARRAY_LEN(cols_participant)},
	[T_EXAM] = {cols_exam, ARRAY_LEN(cols_exam)},
	[T_REGISTRATION] = {cols_registration, ARRAY_LEN(cols_registration)},
	[T_POINT] = {cols_point, ARRAY_LEN(cols_point)},
	[T_AUDITORIUM] = {cols_auditorium, ARRAY_LEN(cols_auditorium)},
	[T_STAFF] = {cols_staff, ARRAY_LEN(cols_staff)},
	[T_STAFF_POINT] = {cols_staff_point, ARRAY_LEN(cols_staff_point)},
};

#define LIST_MAX_COLS 16

/* Forms for people: karta's words, and «иная» for the interop's "other" form. */
static void forms_text(const json_t *v, char *out, size_t n)
{
	long long bits = 0;
	regmap_int(v, &bits);
	regmap_forms(bits, out, n);
	if (bits & KT_FORM_OTHER)
		snprintf(out + strlen(out), n - strlen(out), "%sиная", *out ? ", " : "");
}

static const char *yes(const json_t *v) { return regmap_bool(v) ? "yes" : "no"; }

static char *text_of(const json_t *row, const char *key)
{
	return regmap_text(json_object_get(row, key));
}

/* A participant or exam by id, from the replica (NULL when absent). */
static json_t *lookup(struct rx *x, const char *table, const char *id)
{
	char *payload = NULL;
	if (!*id || replica_get(x->r, table, id, &payload, NULL) != 0)
		return NULL;
	json_t *j = json_loads(payload, 0, NULL);
	free(payload);
	return j;
}

/* Fills c[] (heap strings; NULL = "") and the sort key of one row. */
static int list_cells(struct rx *x, enum rtype t, struct item *it, char **c)
{
	const json_t *r = it->row;
	char a[256], b[256], g[64];
	switch (t) {
	case T_PARTICIPANT: {
		long long cat = 0;
		regmap_int(json_object_get(r, "category"), &cat);
		regmap_date(rv_jstr(r, "birth_date"), a, sizeof a);
		forms_text(json_object_get(r, "form"), b, sizeof b);
		c[0] = strdup(it->owner);
		c[1] = text_of(r, "class");
		c[2] = text_of(r, "surname");
		c[3] = text_of(r, "name");
		c[4] = text_of(r, "patronymic");
		c[5] = strdup(a);
		c[6] = strdup(b);
		c[7] = strdup(kt_category_name((int)cat) ? kt_category_name((int)cat) : "");
		rv_grade_key(rv_jstr(r, "class"), g, sizeof g);
		const char *k[] = {it->owner, g, rv_jstr(r, "surname"), rv_jstr(r, "name"),
			rv_jstr(r, "patronymic"), rv_jstr(r, "birth_date")};
		it->key = rv_key_join(k, ARRAY_LEN(k));
		break;
	}
	case T_EXAM: {
		regmap_date(rv_jstr(r, "exam_date"), a, sizeof a);
		forms_text(json_object_get(r, "form"), b, sizeof b);
		c[0] = strdup(a);
		c[1] = text_of(r, "subject_code");
		c[2] = text_of(r, "subject_name");
		c[3] = strdup(b);
		c[4] = text_of(r, "gia");
		c[5] = strdup(kt_table_get_style()->people ? terms_word(TERMS_EXAM_PERIOD, rv_jstr(r, "period"))
			: rv_jstr(r, "period")); /* «основной» for people, "main" for scripts */
		c[6] = text_of(r, "global_id"); /* ExamGlobalID (sql/0014) */
		long long code = 0;
		regmap_int(json_object_get(r, "subject_code"), &code);
		snprintf(g, sizeof g, "%03lld", code);
		const char *k[] = {rv_jstr(r, "exam_date"), g, b};
		it->key = rv_key_join(k, ARRAY_LEN(k));
		break;
	}
	case T_REGISTRATION: {
		json_t *p = lookup(x, "participant", rv_jstr(r, "participant_id"));
		json_t *e = lookup(x, "exam", rv_jstr(r, "exam_id"));
		regmap_date(rv_jstr(e, "exam_date"), a, sizeof a);
		forms_text(json_object_get(e, "form"), b, sizeof b);
		c[0] = strdup(it->owner);
		c[1] = text_of(p, "surname");
		c[2] = text_of(p, "name");
		c[3] = text_of(p, "patronymic");
		c[4] = text_of(p, "class");
		c[5] = strdup(a);
		c[6] = *rv_jstr(e, "subject_name") ? text_of(e, "subject_name") : text_of(e, "subject_code");
		c[7] = strdup(b);
		const char *k[] = {it->owner, rv_jstr(p, "surname"), rv_jstr(p, "name"),
			rv_jstr(p, "patronymic"), rv_jstr(p, "birth_date"), rv_jstr(e, "exam_date"), c[6] ? c[6] : ""};
		it->key = rv_key_join(k, ARRAY_LEN(k));
		json_decref(p);
		json_decref(e);
		break;
	}
	case T_POINT: {
		const char *host = rv_org_ref(x, r, "host_org");
		forms_text(json_object_get(r, "forms"), b, sizeof b);
		c[0] = text_of(r, "code");
		c[1] = text_of(r, "name");
		c[2] = text_of(r, "address");
		c[3] = strdup(it->owner);
		c[4] = strdup(host ? host : "");
		c[5] = text_of(r, "capacity");
		c[6] = strdup(b);
		c[7] = strdup(yes(json_object_get(r, "at_home")));
		c[8] = strdup(yes(json_object_get(r, "remote")));
		c[9] = strdup(yes(json_object_get(r, "video")));
		c[10] = strdup(yes(json_object_get(r, "reserve")));
		const char *k[] = {rv_jstr(r, "code")};
		it->key = rv_key_join(k, 1);
		break;
	}
	case T_AUDITORIUM: {
		long long rows = 0, per = 0;
		regmap_int(json_object_get(r, "rows"), &rows);
		regmap_int(json_object_get(r, "seats_per_row"), &per);
		const json_t *un = json_object_get(r, "unusable_seats");
		long long usable = rows * per - (json_is_array(un) ? (long long)json_array_size(un) : 0);
		snprintf(a, sizeof a, "%lld", usable);
		const char *pc = rv_point_code(x, rv_jstr(r, "point_id"));
		c[0] = strdup(pc);
		c[1] = text_of(r, "code");
		c[2] = text_of(r, "name");
		c[3] = text_of(r, "rows");
		c[4] = text_of(r, "seats_per_row");
		c[5] = strdup(a);
		c[6] = strdup(yes(json_object_get(r, "ovz_adapted")));
		c[7] = strdup(yes(json_object_get(r, "video")));
		c[8] = strdup(yes(json_object_get(r, "lab")));
		const char *k[] = {pc, rv_jstr(r, "code")};
		it->key = rv_key_join(k, 2);
		break;
	}
	case T_STAFF: {
		size_t len = 0, i;
		const json_t *one;
		a[0] = '\0';
		json_array_foreach(json_object_get(r, "roles"), i, one) {
			const char *nm = kt_role_name(regmap_role(one));
			if (nm && len + strlen(nm) + 3 < sizeof a)
				len += (size_t)snprintf(a + len, sizeof a - len, "%s%s", len ? ", " : "", nm);
		}
		const char *work = rv_org_ref(x, r, "workplace_org");
		c[0] = text_of(r, "code");
		c[1] = text_of(r, "surname");
		c[2] = text_of(r, "name");
		c[3] = text_of(r, "patronymic");
		c[4] = strdup(a);
		c[5] = strdup(work ? work : "");
		c[6] = strdup(rv_staff_points(x, it->id));
		const char *k[] = {rv_jstr(r, "code")};
		it->key = rv_key_join(k, 1);
		break;
	}
	case T_STAFF_POINT: {
		json_t *s = lookup(x, "staff", rv_jstr(r, "staff_id"));
		c[0] = text_of(s, "code");
		c[1] = strdup(rv_point_code(x, rv_jstr(r, "point_id")));
		const char *k[] = {c[0] ? c[0] : "", c[1] ? c[1] : ""};
		it->key = rv_key_join(k, 2);
		json_decref(s);
		break;
	}
	}
	size_t n = list_cols[t].n;
	c[n - 1] = strdup(it->id);
	if (x->all)
		c[n] = strdup(it->deleted ? rv_jstr(r, "deleted_at") : "");
	for (size_t i = 0; i < n + x->all; i++)
		if (!c[i])
			return -1;
	return it->key && !x->oom ? 0 : -1;
}

int registry_list_cmd(struct client *cl, int argc, char **argv)
{
	enum { O_FORMAT, O_BOM, O_ORG, O_ALL, O_OUTPUT, O_N };
	struct opt o[O_N + 1] = {
		[O_FORMAT] = OPTS_FORMAT("table|csv|json|xlsx"),
		[O_BOM] = OPTS_BOM,
		[O_ORG] = {.name = "org", .type = OPT_STR, .meta = "CODE",
			.help = N_("only rows of this organization and those below it")},
		[O_ALL] = {.name = "all", .type = OPT_FLAG,
			.help = N_("deleted rows too (with a «deleted» column)")},
		[O_OUTPUT] = OPTS_OUTPUT,
	};
	struct opt_cmd c = {"registry list",
		"participants|exams|registrations|exam-points|auditoriums|staff", 1, help_registry_list, o};
	const char *pos[1];
	int rc;
	int t = rv_type_arg(&c, argc, argv, pos, false, &rc);
	if (t < 0)
		return rc;
	struct plan_fmt_out fo;
	struct table_out out;
	rc = table_out_start(&out, &fo, &c);
	if (rc != EXIT_OK)
		return rc;
	struct replica *r = rv_synced_replica(cl);
	if (!r)
		return table_out_close(&out, &fo, EXIT_RUNTIME);
	rc = EXIT_RUNTIME;

	struct rx x = {.r = r, .all = o[O_ALL].set, .org = o[O_ORG].str};
	size_t ncols = list_cols[t].n + (x.all ? 1 : 0);
	struct kt_table *tab = NULL;
	if (rv_collect(&x, (enum rtype)t) != 0)
		goto done;
	for (size_t i = 0; i < x.n; i++) {
		x.it[i].cells = calloc(ncols, sizeof *x.it[i].cells);
		if (!x.it[i].cells || list_cells(&x, (enum rtype)t, &x.it[i], x.it[i].cells) != 0) {
			fprintf(stderr, "karta: %s\n", *replica_error(r) ? replica_error(r) : "out of memory");
			goto done;
		}
	}
	qsort(x.it, x.n, sizeof *x.it, rv_item_cmp);
	struct kt_col cols[LIST_MAX_COLS];
	memcpy(cols, list_cols[t].cols, list_cols[t].n * sizeof *cols);
	if (x.all)
		cols[ncols - 1] = (struct kt_col){"deleted", KT_COL_TEXT, 0};
	tab = kt_table_new(cols, ncols);
	size_t ndel = 0;
	for (size_t i = 0; tab && i < x.n; i++) {
		ndel += x.it[i].deleted;
		if (kt_table_add(tab, (const char *const *)x.it[i].cells) != 0) {
			kt_table_free(tab);
			tab = NULL;
		}
	}
	struct kt_table_opts to = {.fit = KT_FIT_CUT, .bom = o[O_BOM].set};
	if (!tab) {
		table_out_fail(_("out of memory"));
		goto done;
	}
	if (table_out_write(tab, &fo, &to, rv_types[t].sheet, out.f) != 0)
		goto done;
	if (fo.format == KT_TABLE_TEXT) {
		printf("%s", rv_count(t, x.n));
		if (x.all)
			printf(_(" (%zu deleted)"), ndel);
		printf("\n");
	}
	rc = EXIT_OK;
done:
	kt_table_free(tab);
	rv_rx_free(&x, ncols);
	return table_out_close(&out, &fo, rc);
}
