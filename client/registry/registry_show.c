/* registry_show: `karta registry show TYPE ID` — one registry row from the local replica as
 * a person reads it: Russian labels and values in words (`пол: женский`, `форма: ЕГЭ`,
 * `документ: Паспорт гражданина РФ`, dates дд.мм.гггг, organizations and exam points by
 * code), its deletion and reason, its version; `--format json` prints the stored row as is.
 * One table of fields per registry type says label, stored key and how the value reads.
 * `karta registry history TYPE ID`: the row's changes, from the server (its feed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "help.h"
#include "kt_table.h"
#include "kt_validate.h"
#include "opts.h"
#include "registry_cmds.h"
#include "registry_map.h"
#include "replica.h"
#include "table_out.h"
#include "registry_view.h"
#include "kt_i18n.h"
#include "report_cmds.h" /* report_table */
#include "terms.h"

enum how { H_TEXT, H_DATE, H_STAMP, H_SEX, H_FORMS, H_DOC, H_CATEGORY, H_BOOL, H_SNILS, H_ORG,
	H_POINT, H_ROLES, H_SEATS, H_PARTICIPANT, H_EXAM, H_STAFF, H_PERIOD };

struct sfield {
	const char *label;
	const char *key; /* stored column (H_ORG: the reference's name, "host_org") */
	enum how how;
};

static const struct sfield person_tail[] = {
	{"дата рождения", "birth_date", H_DATE}, {"документ", "doc_type", H_DOC},
	{"серия документа", "doc_series", H_TEXT}, {"номер документа", "doc_number", H_TEXT},
	{"СНИЛС", "snils", H_SNILS}, {NULL, NULL, H_TEXT}};

static const struct sfield f_participant[] = {
	{"ОО", "org", H_ORG}, {"фамилия", "surname", H_TEXT}, {"имя", "name", H_TEXT},
	{"отчество", "patronymic", H_TEXT}, {"пол", "sex", H_SEX}, {"", NULL, H_TEXT},
	{"класс", "class", H_TEXT}, {"категория", "category", H_CATEGORY}, {"форма", "form", H_FORMS},
	{"выпускная ОО", "grad_org", H_ORG}, {"ОВЗ", "ovz", H_BOOL}, {"инвалидность", "disabled", H_BOOL},
	{"гражданство", "citizenship", H_TEXT}, {"допуск к ГИА", "admitted", H_BOOL},
	{"заблокирован", "blocked", H_BOOL}, {"причина блокировки", "block_reason", H_TEXT},
	{NULL, NULL, H_TEXT}};
static const struct sfield f_point[] = {
	{"код ППЭ", "code", H_TEXT}, {"наименование", "name", H_TEXT}, {"адрес", "address", H_TEXT},
	{"МСУ", "org", H_ORG}, {"ОО, на базе которой", "host_org", H_ORG},
	{"вместимость", "capacity", H_TEXT}, {"форма", "forms", H_FORMS},
	{"ППЭ на дому", "at_home", H_BOOL}, {"ТОМ", "remote", H_BOOL},
	{"видеонаблюдение", "video", H_BOOL}, {"печать КИМ", "kim_print", H_BOOL},
	{"резервный", "reserve", H_BOOL}, {"телефон", "phones", H_TEXT},
	{"электронная почта", "emails", H_TEXT}, {NULL, NULL, H_TEXT}};
static const struct sfield f_auditorium[] = {
	{"ППЭ", "point_id", H_POINT}, {"код аудитории", "code", H_TEXT},
	{"наименование", "name", H_TEXT}, {"рядов", "rows", H_TEXT},
	{"мест в ряду", "seats_per_row", H_TEXT}, {"непригодных мест", "unusable_seats", H_SEATS},
	{"ОВЗ", "ovz_adapted", H_BOOL}, {"видеонаблюдение", "video", H_BOOL},
	{"лаборатория", "lab", H_BOOL}, {NULL, NULL, H_TEXT}};
static const struct sfield f_staff[] = {
	{"код работника", "code", H_TEXT}, {"МСУ", "org", H_ORG}, {"фамилия", "surname", H_TEXT},
	{"имя", "name", H_TEXT}, {"отчество", "patronymic", H_TEXT}, {"пол", "sex", H_SEX},
	{"", NULL, H_TEXT}, {"место работы", "workplace_org", H_ORG}, {"роль в ППЭ", "roles", H_ROLES},
	{"предмет", "subject", H_TEXT}, {NULL, NULL, H_TEXT}};
static const struct sfield f_exam[] = {
	{"дата", "exam_date", H_DATE}, {"код предмета", "subject_code", H_TEXT},
	{"предмет", "subject_name", H_TEXT}, {"форма", "form", H_FORMS}, {"ГИА", "gia", H_TEXT},
	{"период", "period", H_PERIOD}, {NULL, NULL, H_TEXT}};
static const struct sfield f_registration[] = {
	{"ОО", "org", H_ORG}, {"участник", "participant_id", H_PARTICIPANT},
	{"экзамен", "exam_id", H_EXAM}, {NULL, NULL, H_TEXT}};
static const struct sfield f_staff_point[] = {
	{"работник", "staff_id", H_STAFF}, {"ППЭ", "point_id", H_POINT}, {NULL, NULL, H_TEXT}};
static const struct sfield f_common[] = {
	{"GUID (РИС)", "guid", H_TEXT}, {"версия", "row_version", H_TEXT},
	{"создан", "created_at", H_STAMP}, {"изменён", "updated_at", H_STAMP},
	{"удалён", "deleted_at", H_STAMP}, {"причина удаления", "deleted_reason", H_TEXT},
	{NULL, NULL, H_TEXT}};

static const struct sfield *const tables[] = {
	[T_PARTICIPANT] = f_participant, [T_EXAM] = f_exam, [T_REGISTRATION] = f_registration,
	[T_POINT] = f_point, [T_AUDITORIUM] = f_auditorium, [T_STAFF] = f_staff,
	[T_STAFF_POINT] = f_staff_point};

/* The label of a stored column of registry t ("doc_number" → «номер документа»; a reference
 * "host_org_id" by its field "host_org"); the column itself when the form has no label. */
static const char *field_label(int t, const char *col, size_t len)
{
	const struct sfield *lists[] = {tables[t], person_tail};
	for (size_t l = 0; l < 2; l++)
		for (const struct sfield *f = lists[l]; f && f->label; f++) {
			size_t k = f->key ? strlen(f->key) : 0;
			if (k && *f->label && (k == len || (k + 3 == len && memcmp(col + k, "_id", 3) == 0)) &&
			    memcmp(col, f->key, k) == 0)
				return f->label;
		}
	return NULL;
}

/* "doc_number,citizenship" → «номер документа, гражданство» into buf. */
static const char *fields_text(int t, const char *cols, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const char *c = cols; *c && used + 1 < n;) {
		size_t len = strcspn(c, ",");
		const char *label = field_label(t, c, len);
		int w = label ? snprintf(buf + used, n - used, "%s%s", used ? ", " : "", label)
			: snprintf(buf + used, n - used, "%s%.*s", used ? ", " : "", (int)len, c);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
		c += len + (c[len] == ',');
	}
	return buf;
}

/* A participant, exam or staff member another row points at, in words. */
static void ref_text(struct rx *x, const char *table, const char *id, enum how how, char *out,
	size_t n)
{
	char *js = NULL;
	snprintf(out, n, "%s", id);
	if (!*id || replica_get(x->r, table, id, &js, NULL) != 0)
		return;
	json_t *p = json_loads(js, 0, NULL);
	free(js);
	char d[32];
	if (how == H_EXAM) {
		regmap_date(rv_jstr(p, "exam_date"), d, sizeof d);
		snprintf(out, n, "%s, %s", d, rv_jstr(p, "subject_name"));
	} else {
		snprintf(out, n, "%s%s%s %s %s", how == H_STAFF ? rv_jstr(p, "code") : "",
			how == H_STAFF ? " " : "", rv_jstr(p, "surname"), rv_jstr(p, "name"),
			rv_jstr(p, "patronymic"));
	}
	json_decref(p);
}

/* The value of one field in words; "" when the row has nothing there. */
static void value_text(struct rx *x, const json_t *row, const struct sfield *f, char *out, size_t n)
{
	const json_t *v = json_object_get(row, f->key);
	long long i = 0;
	bool num = regmap_int(v, &i);
	char *s;
	out[0] = '\0';
	switch (f->how) {
	case H_TEXT:
		if ((s = regmap_text(v))) {
			snprintf(out, n, "%s", s);
			free(s);
		}
		break;
	case H_DATE: regmap_date(rv_jstr(row, f->key), out, n); break;
	case H_PERIOD: snprintf(out, n, "%s", terms_word(TERMS_EXAM_PERIOD, rv_jstr(row, f->key))); break;
	case H_STAMP: regmap_datetime(rv_jstr(row, f->key), out, n); break;
	case H_SEX: snprintf(out, n, "%s", i == 1 ? "мужской" : i == 2 ? "женский" : ""); break;
	case H_FORMS:
		if (num) {
			regmap_forms(i, out, n);
			if (i & KT_FORM_OTHER)
				snprintf(out + strlen(out), n - strlen(out), "%sиная", *out ? ", " : "");
		}
		break;
	case H_DOC:
		if (num && kt_doc_type_name((int)i))
			snprintf(out, n, "%s", kt_doc_type_name((int)i));
		break;
	case H_CATEGORY:
		if (num && kt_category_name((int)i))
			snprintf(out, n, "%s", kt_category_name((int)i));
		break;
	case H_BOOL:
		if (v && !json_is_null(v))
			snprintf(out, n, "%s", regmap_bool(v) ? "да" : "нет");
		break;
	case H_SNILS: regmap_snils(rv_jstr(row, f->key), out, n); break;
	case H_ORG: {
		const char *code = rv_org_ref(x, row, f->key);
		snprintf(out, n, "%s", code ? code : "");
		break;
	}
	case H_POINT: snprintf(out, n, "%s", rv_point_code(x, rv_jstr(row, f->key))); break;
	case H_ROLES: {
		size_t len = 0, k;
		const json_t *one;
		json_array_foreach(v, k, one) {
			const char *nm = kt_role_name(regmap_role(one));
			if (nm && len + strlen(nm) + 3 < n)
				len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "", nm);
		}
		break;
	}
	case H_SEATS:
		snprintf(out, n, "%zu", json_is_array(v) ? json_array_size(v) : (size_t)0);
		break;
	case H_PARTICIPANT: ref_text(x, "participant", rv_jstr(row, f->key), f->how, out, n); break;
	case H_EXAM: ref_text(x, "exam", rv_jstr(row, f->key), f->how, out, n); break;
	case H_STAFF: ref_text(x, "staff", rv_jstr(row, f->key), f->how, out, n); break;
	}
}

static void print_fields(struct rx *x, const json_t *row, const struct sfield *t)
{
	char val[1200];
	for (; t->label; t++) {
		if (!t->key) { /* the identity document's block */
			print_fields(x, row, person_tail);
			continue;
		}
		value_text(x, row, t, val, sizeof val);
		if (*val)
			printf("%s: %s\n", t->label, val);
	}
}

int registry_show_cmd(struct client *cl, int argc, char **argv)
{
	enum { O_FORMAT, O_N };
	struct opt o[O_N + 1] = {[O_FORMAT] = OPTS_FORMAT("table|json")};
	struct opt_cmd c = {"registry show", "TYPE ID", 2, help_registry_show, o};
	const char *pos[2];
	int rc;
	int t = rv_type_arg(&c, argc, argv, pos, true, &rc);
	if (t < 0)
		return rc;
	struct replica *r = rv_synced_replica(cl);
	if (!r)
		return EXIT_RUNTIME;
	char *payload = NULL;
	bool pending = false;
	int g = replica_get(r, rv_types[t].table, pos[1], &payload, &pending);
	if (g != 0) {
		if (g < 0)
			fprintf(stderr, "karta: %s\n", replica_error(r));
		else
			fprintf(stderr, _("karta: no %s %s in the local replica\n"), _(rv_types[t].noun), pos[1]);
		return EXIT_RUNTIME;
	}
	json_t *row = json_loads(payload, 0, NULL);
	free(payload);
	if (!json_is_object(row)) {
		json_decref(row);
		fprintf(stderr, _("karta: the stored %s %s is not a JSON object\n"), _(rv_types[t].noun), pos[1]);
		return EXIT_RUNTIME;
	}
	if (o[O_FORMAT].set && strcmp(o[O_FORMAT].str, "json") == 0) {
		int w = json_dumpf(row, stdout, JSON_INDENT(2));
		json_decref(row);
		putchar('\n');
		return w == 0 ? EXIT_OK : EXIT_RUNTIME;
	}
	struct rx x = {.r = r};
	printf("идентификатор: %s\n", pos[1]);
	print_fields(&x, row, tables[t]);
	print_fields(&x, row, f_common);
	if (pending)
		printf(_("(изменение ещё не отправлено на сервер: 'karta sync')\n"));
	json_decref(row);
	rv_rx_free(&x, 0);
	return EXIT_OK;
}

/* ---- history ------------------------------------------------------------------------------ */

int registry_history_cmd(struct client *cl, int argc, char **argv)
{
	enum { O_FORMAT, O_N };
	struct opt o[O_N + 1] = {[O_FORMAT] = OPTS_FORMAT("table|csv|json")};
	struct opt_cmd c = {"registry history", "TYPE ID", 2, help_registry_history, o};
	const char *pos[2];
	int rc;
	int t = rv_type_arg(&c, argc, argv, pos, true, &rc);
	if (t < 0)
		return rc;
	enum kt_table_format fmt = KT_TABLE_TEXT;
	if (o[O_FORMAT].set && kt_table_format_parse(o[O_FORMAT].str, &fmt) != 0)
		return opts_fail(&c, _("unknown format '%s'"), o[O_FORMAT].str);
	json_t *a = json_pack("{s:s}", "id", pos[1]);
	char *js = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	Karta__TableRequest req = KARTA__TABLE_REQUEST__INIT;
	req.name = (char *)"registry_history";
	req.kind = (char *)rv_types[t].table;
	req.args_json = js;
	Karta__Table *tab = NULL;
	rc = js ? report_table(cl, &req, &tab) : EXIT_RUNTIME;
	free(js);
	if (rc != EXIT_OK)
		return rc;
	static const struct kt_col cols[] = {{"когда", KT_COL_TEXT, 0}, {"что", KT_COL_TEXT, 0},
		{"версия", KT_COL_TEXT, 0}, {"поля", KT_COL_TEXT, 48}, {"организация", KT_COL_TEXT, 0},
		{"устройство", KT_COL_TEXT, 24}, {"причина", KT_COL_TEXT, 40}};
	static const char *const ops[][2] = {{"insert", "создана"}, {"update", "изменена"},
		{"delete", "удалена"}};
	struct kt_table *kt = kt_table_new(cols, ARRAY_LEN(cols));
	for (size_t i = 0; kt && i < tab->n_rows; i++) {
		const Karta__TableRow *row = tab->rows[i];
		const char *cell[ARRAY_LEN(cols)] = {""};
		char when[64], fields[512];
		for (size_t k = 0; k < ARRAY_LEN(cols) && k < row->n_cells; k++)
			cell[k] = row->cells[k];
		regmap_datetime(cell[0], when, sizeof when);
		cell[0] = when;
		if (fmt == KT_TABLE_TEXT && kt_table_get_style()->people && cell[3]) /* the form's words */
			cell[3] = fields_text(t, cell[3], fields, sizeof fields);
		for (size_t k = 0; k < ARRAY_LEN(ops); k++)
			if (cell[1] && strcmp(cell[1], ops[k][0]) == 0)
				cell[1] = ops[k][1];
		for (size_t k = 0; k < ARRAY_LEN(cols); k++)
			if (!cell[k])
				cell[k] = "";
		if (kt_table_add(kt, cell) != 0) {
			kt_table_free(kt);
			kt = NULL;
		}
	}
	struct kt_table_opts to = {.fit = KT_FIT_CUT};
	rc = kt && kt_table_write(kt, fmt, &to, stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
	if (rc != EXIT_OK)
		table_out_fail(kt ? NULL : _("out of memory"));
	else if (fmt == KT_TABLE_TEXT)
		printf(P_("%zu change\n", "%zu changes\n", tab->n_rows), tab->n_rows);
	kt_table_free(kt);
	karta__table__free_unpacked(tab, NULL);
	return rc;
}
