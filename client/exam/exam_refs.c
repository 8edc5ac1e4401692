/* exam_refs: names → ids from the local replica (see exam_refs.h). One scan of a type's
 * rows per name: these are hundreds of rows, not thousands, in a replica. */
#include "exam_refs.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "kt_dates.h"
#include "opts.h"
#include "replica.h"
#include "kt_i18n.h"

#define MAX_KEYS 3

/* Rows of one type whose string fields equal the wanted values (live rows only). */
struct find {
	const char *key[MAX_KEYS], *want[MAX_KEYS];
	int nkeys;
	long found;
	char id[EXAM_ID_LEN];
	char others[256]; /* ids of further matches, for the message */
};

/* A field as text: strings as they are, integers in decimal, anything else "". */
static const char *field_text(const json_t *row, const char *key, char *buf, size_t n)
{
	const json_t *v = json_object_get(row, key);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	return "";
}

static int match_row(void *arg, const char *entity_id, const char *payload, bool pending)
{
	(void)pending;
	struct find *f = arg;
	json_t *row = json_loads(payload, 0, NULL);
	const json_t *d = json_object_get(row, "deleted_at");
	bool ok = json_is_object(row) && (!d || json_is_null(d));
	for (int k = 0; ok && k < f->nkeys; k++) {
		char buf[32];
		ok = strcmp(field_text(row, f->key[k], buf, sizeof buf), f->want[k]) == 0;
	}
	json_decref(row);
	if (!ok)
		return 0;
	if (f->found++ == 0) {
		snprintf(f->id, sizeof f->id, "%s", entity_id);
	} else {
		size_t len = strlen(f->others);
		snprintf(f->others + len, sizeof f->others - len, "%s%s", len ? ", " : "", entity_id);
	}
	return 0;
}

/* Finds the one row of type matching f; what names the thing in messages. */
static int find_one(struct replica *r, const char *type, struct find *f, const char *what,
	char id[EXAM_ID_LEN])
{
	if (replica_each(r, type, NULL, match_row, f) != 0) {
		fprintf(stderr, _("karta: local replica: %s\n"), replica_error(r));
		return EXIT_RUNTIME;
	}
	if (f->found == 0) {
		fprintf(stderr, _("karta: no %s in the local replica (a municipality plans only "
				"its own exam points; offline, 'karta sync' when back online)\n"), what);
		return EXIT_RUNTIME;
	}
	if (f->found > 1) {
		fprintf(stderr, _("karta: %ld rows match %s: %s, %s — give the id\n"), f->found, what,
			f->id, f->others);
		return EXIT_RUNTIME;
	}
	memcpy(id, f->id, EXAM_ID_LEN);
	return EXIT_OK;
}

static const char *form_code(const char *word)
{
	static const struct {
		const char *word, *code;
	} forms[] = {{"ege", "1"}, {"егэ", "1"}, {"ЕГЭ", "1"}, {"oge", "2"}, {"огэ", "2"},
		{"ОГЭ", "2"}, {"gve", "4"}, {"гвэ", "4"}, {"ГВЭ", "4"}};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
		if (strcmp(word, forms[i].word) == 0)
			return forms[i].code;
	return NULL;
}

int exam_ref_exam(struct replica *r, const char *ref, char id[EXAM_ID_LEN])
{
	if (opts_is_uuid(ref)) {
		snprintf(id, EXAM_ID_LEN, "%s", ref);
		return EXIT_OK;
	}
	if (!strchr(ref, ':') && strspn(ref, "0123456789abcdefABCDEF-") == strlen(ref)) {
		int rc = opts_check_id("exam", &ref); /* the first characters of its id */
		if (rc == EXIT_OK)
			snprintf(id, EXAM_ID_LEN, "%s", ref);
		return rc;
	}
	char buf[64], what[96], iso[KT_DATE_ISO_LEN];
	snprintf(buf, sizeof buf, "%s", ref);
	char *subj = strchr(buf, ':'), *form = subj ? strchr(subj + 1, ':') : NULL;
	if (!subj || strlen(ref) >= sizeof buf) {
		fprintf(stderr, _("karta: '%s' names no exam: give its id or DATE:SUBJECT_CODE "
				"(2025-06-01:2 or 01.06.2025:2), or DATE:SUBJECT_CODE:FORM (ege, oge, "
				"gve)\n"), ref);
		return EXIT_RUNTIME;
	}
	*subj++ = '\0';
	if (form)
		*form++ = '\0';
	char *end;
	long code = strtol(subj, &end, 10);
	const char *fc = form ? form_code(form) : NULL;
	if (*end || code < 1 || code > 99 || (form && !fc)) {
		fprintf(stderr, _("karta: '%s': the subject code is 1 to 99 and the form one of "
				"ege, oge, gve\n"), ref);
		return EXIT_RUNTIME;
	}
	char num[8];
	snprintf(num, sizeof num, "%ld", code);
	const char *day = kt_date_parse(buf, iso) == 0 ? iso : buf; /* дд.мм.гггг too */
	struct find f = {.key = {"exam_date", "subject_code", "form"}, .want = {day, num, fc},
		.nkeys = fc ? 3 : 2};
	snprintf(what, sizeof what, _("exam %s"), ref);
	return find_one(r, "exam", &f, what, id);
}

/* The live row of type whose code is code; noun names it in messages. */
static int by_code(struct replica *r, const char *type, const char *noun, const char *code,
	char id[EXAM_ID_LEN])
{
	char what[64];
	snprintf(what, sizeof what, "%s %.8s", _(noun), code);
	struct find f = {.key = {"code"}, .want = {code}, .nkeys = 1};
	return find_one(r, type, &f, what, id);
}

int exam_ref_point(struct replica *r, const char *code, char id[EXAM_ID_LEN])
{
	return by_code(r, "exam_point", N_("exam point"), code, id);
}

int exam_ref_room(struct replica *r, const char *point_id, const char *point_code,
	const char *code, char id[EXAM_ID_LEN])
{
	char what[96];
	snprintf(what, sizeof what, _("auditorium %.8s of exam point %.8s"), code, point_code);
	struct find f = {.key = {"point_id", "code"}, .want = {point_id, code}, .nkeys = 2};
	return find_one(r, "auditorium", &f, what, id);
}

int exam_ref_staff(struct replica *r, const char *code, char id[EXAM_ID_LEN])
{
	return by_code(r, "staff", N_("staff member"), code, id);
}

const char *exam_ref_person(struct replica *r, const char *participant_id, char *buf, size_t n)
{
	char *payload = NULL;
	buf[0] = '\0';
	if (!opts_is_uuid(participant_id) ||
	    replica_get(r, "participant", participant_id, &payload, NULL) != 0)
		return buf;
	json_t *row = json_loads(payload, 0, NULL);
	free(payload);
	const char *k[] = {"surname", "name", "patronymic"};
	size_t len = 0;
	for (size_t i = 0; i < 3 && json_is_object(row); i++) {
		const char *s = json_string_value(json_object_get(row, k[i]));
		if (s && *s && len < n)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? " " : "", s);
	}
	json_decref(row);
	return buf;
}
