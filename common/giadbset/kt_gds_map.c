/* kt_gds_map: the GIADBSet ↔ karta mapping table and its two directions (kt_gds_map.h).
 *
 * Invariant: for every modelled column, kt_gds_render(kt_gds_to_karta(text)) is the text
 * itself — kt_gds_to_karta checks it column by column and keeps in extra every text whose
 * karta value would not render back to it. So an export of an imported row writes the
 * package's own text, whatever karta normalized. */
#include "kt_gds_map.h"
#include "kt_grow.h"
#include "kt_i18n.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the mapping --------------------------------------------------------------------------- */

static const struct kt_gds_map_col participants[] = {
	{"ParticipantID", KT_GC_ID, "guid", NULL, 0, 0, true, NULL},
	{"Region", KT_GC_INT, "region_code", NULL, 1, 99, false, NULL},
	{"ParticipantCode", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"Surname", KT_GC_TEXT, "surname", NULL, 0, 0, true, NULL},
	{"Name", KT_GC_TEXT, "name", NULL, 0, 0, true, NULL},
	{"SecondName", KT_GC_TEXT, "patronymic", NULL, 0, 0, false, NULL},
	{"DocumentSeries", KT_GC_TEXT, "doc_series", NULL, 0, 0, false, NULL},
	{"DocumentNumber", KT_GC_TEXT, "doc_number", NULL, 0, 0, true, NULL},
	{"DocumentTypeCode", KT_GC_DOC_TYPE, "doc_type", NULL, 0, 0, true, NULL},
	{"Sex", KT_GC_SEX, "sex", NULL, 0, 0, true, NULL},
	{"Gia", KT_GC_FORM, "form", NULL, 0, 0, true, NULL},
	{"GiaAccept", KT_GC_FLAG, "admitted", NULL, 0, 0, false, NULL},
	{"pClass", KT_GC_TEXT, "class", NULL, 0, 0, false, NULL},
	{"BirthDay", KT_GC_DATE, "birth_date", NULL, 0, 0, true, NULL},
	{"Reserve1", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"Reserve2", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"DeleteType", KT_GC_DELETED, "ris_deleted", NULL, 0, 0, false, NULL},
	{"LimitPotencial", KT_GC_FLAG, "ovz", NULL, 0, 0, false, NULL},
	{"ParticipantDouble", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"FinishRegion", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ParticipantCategoryFK", KT_GC_INT, "category", NULL, 1, 5, true, NULL},
	{"SchoolRegistration", KT_GC_ORG, "ris_school_guid", "org_guid", 0, 0, true, NULL},
	{"SchoolOutcoming", KT_GC_ORG, "ris_grad_guid", "grad_org_guid", 0, 0, false, NULL},
	{"Study", KT_GC_INT, "study_form", NULL, 0, 99, false, NULL},
	{"CreateDate", KT_GC_STAMP, "ris_created", NULL, 0, 0, false, NULL},
	{"UpdateDate", KT_GC_STAMP, "ris_updated", NULL, 0, 0, false, NULL},
	{"ImportCreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportUpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"CitizenshipID", KT_GC_TEXT, "citizenship", NULL, 0, 0, false, NULL},
	{"SchoolOutcomingName", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
};

static const struct kt_gds_map_col registrations[] = {
	{"REGION", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ParticipantID", KT_GC_REF, "participant_id", "rbd_Participants", 0, 0, true, NULL},
	{"ExamGlobalID", KT_GC_EXAM, NULL, "exam_global_id", 1, 2147483647, true, NULL},
	{"ParticipantsExamsID", KT_GC_ID, NULL, NULL, 0, 0, true, NULL},
	{"CreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"UpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportCreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportUpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"IsDeleted", KT_GC_DELETED, NULL, NULL, 0, 0, false, NULL},
	{"ExamFormatCode", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
};

static const struct kt_gds_map_col stations[] = {
	{"StationID", KT_GC_ID, "guid", NULL, 0, 0, true, NULL},
	{"REGION", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"AreaID", KT_GC_GUID_TEXT, "area_guid", NULL, 0, 0, false, NULL},
	{"StationCode", KT_GC_CODE4, "code", NULL, 0, 9999, true, NULL},
	{"StationName", KT_GC_TEXT, "name", NULL, 0, 0, true, NULL},
	{"StationAddress", KT_GC_TEXT, "address", NULL, 0, 0, false, "—"}, /* optional; karta needs one */
	{"SchoolFK", KT_GC_GUID_TEXT, "ris_school_guid", NULL, 0, 0, false, NULL},
	{"GovernmentID", KT_GC_ORG, "ris_msu_guid", "org_guid", 0, 0, true, NULL},
	{"sVolume", KT_GC_INT, "capacity", NULL, 1, 5000, false, NULL},
	{"IsActive", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"Phones", KT_GC_TEXT, "phones", NULL, 0, 0, false, NULL},
	{"Mails", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"PCenterID", KT_GC_GUID_TEXT, "pcenter_guid", NULL, 0, 0, false, NULL},
	{"IsTOM", KT_GC_BOOL, "remote", NULL, 0, 0, false, NULL},
	{"DeleteType", KT_GC_DELETED, "ris_deleted", NULL, 0, 0, false, NULL},
	{"AuditoriumsCount", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"CreateDate", KT_GC_STAMP, "ris_created", NULL, 0, 0, false, NULL},
	{"UpdateDate", KT_GC_STAMP, "ris_updated", NULL, 0, 0, false, NULL},
	{"ImportCreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportUpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ExamForm", KT_GC_INT, "forms", NULL, 1, 15, false, "1"},
	{"VideoControl", KT_GC_BOOL, "video", NULL, 0, 0, false, NULL},
	{"AddressID", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"StationFlags", KT_GC_INT, "extra_flags", NULL, 0, 65535, false, NULL},
	{"TimeZoneId", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
};

static const struct kt_gds_map_col auditoriums[] = {
	{"REGION", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"AuditoriumID", KT_GC_ID, NULL, NULL, 0, 0, true, NULL},
	{"StationID", KT_GC_REF, "point_id", "rbd_Stations", 0, 0, true, NULL},
	{"AuditoriumCode", KT_GC_TEXT, "code", NULL, 0, 0, true, NULL},
	{"AuditoriumName", KT_GC_TEXT, "name", NULL, 0, 0, false, NULL},
	{"RowsCount", KT_GC_INT, "rows", NULL, 1, 50, true, NULL},
	{"ColsCount", KT_GC_INT, "seats_per_row", NULL, 1, 50, true, NULL},
	{"OrganizerOrder", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"DeleteType", KT_GC_DELETED, NULL, NULL, 0, 0, false, NULL},
	{"LimitPotencial", KT_GC_FLAG, "ovz_adapted", NULL, 0, 0, false, NULL},
	{"Imported", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"CreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"UpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportCreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportUpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ExamForm", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"VideoControl", KT_GC_BOOL, "video", NULL, 0, 0, false, NULL},
	{"IsLab", KT_GC_BOOL, "lab", NULL, 0, 0, false, NULL},
};

static const struct kt_gds_map_col workers[] = {
	{"StationWorkerID", KT_GC_ID, NULL, NULL, 0, 0, true, NULL},
	{"REGION", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"DocumentTypeCode", KT_GC_DOC_TYPE, "doc_type", NULL, 0, 0, false, NULL},
	{"StationWorkerCode", KT_GC_TEXT, "code", NULL, 0, 0, true, NULL},
	{"Surname", KT_GC_TEXT, "surname", NULL, 0, 0, true, NULL},
	{"Name", KT_GC_TEXT, "name", NULL, 0, 0, true, NULL},
	{"SecondName", KT_GC_TEXT, "patronymic", NULL, 0, 0, false, NULL},
	{"DocumentSeries", KT_GC_TEXT, "doc_series", NULL, 0, 0, false, NULL},
	{"DocumentNumber", KT_GC_TEXT, "doc_number", NULL, 0, 0, true, NULL},
	{"Sex", KT_GC_SEX, "sex", NULL, 0, 0, false, NULL},
	{"BirthYear", KT_GC_YEAR, "birth_date", NULL, 1900, 2099, false, NULL},
	{"SchoolPosition", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"NotSchoolJob", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"DeleteType", KT_GC_DELETED, NULL, NULL, 0, 0, false, NULL},
	{"GovernmentID", KT_GC_ORG, NULL, "org_guid", 0, 0, false, NULL},
	{"SchoolID", KT_GC_ORG, NULL, "workplace_guid", 0, 0, false, NULL},
	{"WorkerPositionID", KT_GC_ROLE, "roles", NULL, 1, 7, false, NULL},
	{"Imported", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"CreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"UpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportCreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportUpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"PrecedingYear", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"Seniority", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"EducationTypeID", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"SWorkerCategory", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"CertificateKeyID", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"Phones", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"Mails", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
};

static const struct kt_gds_map_col stations_exams[] = {
	{"REGION", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"StationsExamsID", KT_GC_ID, NULL, NULL, 0, 0, true, NULL},
	{"StationID", KT_GC_REF, "point_id", "rbd_Stations", 0, 0, true, NULL},
	{"ExamGlobalID", KT_GC_EXAM, NULL, "exam_global_id", 1, 2147483647, true, NULL},
	{"PlacesCount", KT_GC_INT, "seats", NULL, 1, 5000, false, NULL},
	{"LockOnStation", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"CreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"UpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportCreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportUpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"IsDeleted", KT_GC_DELETED, NULL, NULL, 0, 0, false, NULL},
	{"IsAutoAppoint", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
};

static const struct kt_gds_map_col station_exam_auditory[] = {
	{"StationExamAuditoryID", KT_GC_ID, NULL, NULL, 0, 0, true, NULL},
	{"Region", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"StationsExamsID", KT_GC_REF, NULL, "rbd_StationsExams", 0, 0, true, NULL},
	{"StationID", KT_GC_REF, "point_id", "rbd_Stations", 0, 0, true, NULL},
	{"AuditoriumID", KT_GC_REF, "auditorium_id", "rbd_Auditoriums", 0, 0, true, NULL},
	{"PlacesCount", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"CreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"UpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportCreateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"ImportUpdateDate", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"IsDeleted", KT_GC_DELETED, NULL, NULL, 0, 0, false, NULL},
	{"IsPreparation", KT_GC_PREP, "role", NULL, 0, 0, false, NULL},
	{"ExamFormatCode", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
	{"IsAutoAppoint", KT_GC_EXTRA, NULL, NULL, 0, 0, false, NULL},
};

const struct kt_gds_map kt_gds_maps[] = {
	{"rbd_Stations", "exam_point", "DeleteType", stations, N(stations)},
	{"rbd_Auditoriums", "auditorium", "DeleteType", auditoriums, N(auditoriums)},
	{"rbd_StationWorkers", "staff", "DeleteType", workers, N(workers)},
	{"rbd_Participants", "participant", "DeleteType", participants, N(participants)},
	{"rbd_ParticipantsExams", "exam_registration", "IsDeleted", registrations, N(registrations)},
	{"rbd_StationsExams", "exam_point_assignment", "IsDeleted", stations_exams, N(stations_exams)},
	{"rbd_StationExamAuditory", "exam_auditorium", "IsDeleted", station_exam_auditory,
		N(station_exam_auditory)},
};
const int kt_gds_maps_count = N(kt_gds_maps);

const struct kt_gds_map *kt_gds_map_of(const char *name)
{
	for (int i = 0; i < kt_gds_maps_count; i++)
		if (strcmp(kt_gds_maps[i].gds, name) == 0 || strcmp(kt_gds_maps[i].karta, name) == 0)
			return &kt_gds_maps[i];
	return NULL;
}

const struct kt_gds_map_col *kt_gds_map_col(const struct kt_gds_map *m, const char *gds)
{
	for (int i = 0; i < m->ncols; i++)
		if (strcmp(m->cols[i].gds, gds) == 0)
			return &m->cols[i];
	return NULL;
}

/* ---- values ---------------------------------------------------------------------------------- */

static const char *const roles[] = {"head", "organizer_in", "organizer_out", "technician",
	"assistant", "medic", "gek"};

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	if (!s || !*s)
		return false;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int truth(const char *s) /* 1 true, 0 false, -1 neither */
{
	if (!s)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		return 0;
	return -1;
}

/* A karta value of one column, as the mapping makes it and reads it back: its JSON kind and
 * what jansson's accessors would give of it (a value of the replica's row reads the same way,
 * gval_of). */
struct gval {
	char kind;        /* z null, s string, i integer, b boolean, r roles (a one-word array), o other */
	const char *s;    /* s: the text */
	long long i;      /* i */
	bool t;           /* b: true */
	const char *role; /* r: the word */
	char buf[40];     /* s's text when the mapping made it (a GUID, a date, a code) */
};

static struct gval *val_null(struct gval *g)
{
	memset(g, 0, offsetof(struct gval, buf));
	g->kind = 'z';
	return g;
}

static void val_str(struct gval *g, const char *s)
{
	g->kind = 's';
	g->s = s;
}

static void val_int(struct gval *g, long long i)
{
	g->kind = 'i';
	g->i = i;
}

static void val_bool(struct gval *g, bool t)
{
	g->kind = 'b';
	g->t = t;
}

/* A value of a stored row read as the mapping's. */
static const struct gval *gval_of(const json_t *j, struct gval *g)
{
	val_null(g);
	if (!j || json_is_null(j))
		return g;
	g->kind = json_is_string(j) ? 's' : json_is_integer(j) ? 'i' : json_is_boolean(j) ? 'b'
		: json_is_array(j) ? 'r' : 'o';
	g->s = json_string_value(j);
	g->i = json_integer_value(j);
	g->t = json_is_true(j);
	g->role = json_string_value(json_array_get(j, 0));
	return g;
}

/* s in lower case into b (40 bytes: a GUID's 36 and more, cut as snprintf cuts). */
static const char *lower(char *b, const char *s)
{
	snprintf(b, 40, "%s", s);
	for (char *p = b; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return b;
}

/* White space trimmed and runs folded to one space (karta_registry_input), into the
 * writer's scratch buffer. NULL when out of memory. */
static const char *folded(struct kt_gds_text *w, const char *s)
{
	size_t n = strlen(s);
	char *f = kt_grow_to(w->f, &w->fcap, n + 1, 1, 256);
	if (!f)
		return NULL;
	w->f = f;
	char *o = w->f, *d = o;
	bool sp = false;
	for (const char *p = s; *p; p++) {
		if (isspace((unsigned char)*p)) {
			sp = d != o;
			continue;
		}
		if (sp)
			*d++ = ' ';
		sp = false;
		*d++ = *p;
	}
	*d = '\0';
	return o;
}

static int grade_of(const char *cls)
{
	int g = 0, k = 0;
	while (cls && isdigit((unsigned char)cls[k]) && k < 2)
		g = g * 10 + (cls[k++] - '0');
	return k ? g : 0;
}

/* karta's value of column c from the package's text v (NULL: absent; pc: where the row's
 * pClass is, -1 none) into g; *refuse set when the row cannot be stored. 0, or -1 when out of
 * memory. */
static int to_value(const struct kt_gds_map_col *c, const char *v, int pc,
	const struct kt_gds_row *row, const char **refuse, struct gval *g, struct kt_gds_text *w)
{
	long x;
	int b;
	val_null(g);
	switch (c->conv) {
	case KT_GC_EXTRA:
	case KT_GC_EXAM:
		return 0;
	case KT_GC_ID:
	case KT_GC_GUID:
	case KT_GC_REF:
		if (v && *v)
			val_str(g, lower(g->buf, v));
		return 0;
	case KT_GC_GUID_TEXT:
	case KT_GC_ORG:
		val_str(g, v ? v : "");
		return 0;
	case KT_GC_TEXT:
		val_str(g, !v && c->dflt ? c->dflt : folded(w, v ? v : ""));
		return g->s ? 0 : -1;
	case KT_GC_INT:
		if (parse_long(v, c->lo, c->hi, &x)) {
			val_int(g, x);
			return 0;
		}
		if (c->need)
			*refuse = v ? N_("is out of the range karta keeps") : N_("is missing");
		if (c->dflt)
			val_int(g, strtoll(c->dflt, NULL, 10));
		return 0;
	case KT_GC_BOOL:
	case KT_GC_FLAG:
		if (c->conv == KT_GC_FLAG && parse_long(v, -2147483648L, 2147483647L, &x))
			val_bool(g, x != 0);
		else
			val_bool(g, truth(v) > 0); /* karta's flags are NOT NULL DEFAULT false */
		return 0;
	case KT_GC_SEX:
		b = truth(v);
		if (b < 0 && c->need)
			*refuse = N_("is not true/false (1/0)");
		if (b >= 0)
			val_int(g, b ? 2 : 1);
		return 0;
	case KT_GC_DATE:
	case KT_GC_STAMP:
		if (!v || strlen(v) < 19) {
			if (c->need)
				*refuse = N_("is missing");
			return 0;
		}
		snprintf(g->buf, sizeof g->buf, "%.*s", c->conv == KT_GC_DATE ? 10 : 19, v);
		if (c->conv == KT_GC_STAMP)
			g->buf[10] = 'T';
		val_str(g, g->buf);
		return 0;
	case KT_GC_YEAR:
		if (parse_long(v, c->lo, c->hi, &x)) {
			snprintf(g->buf, sizeof g->buf, "%04ld-01-01", x);
			val_str(g, g->buf);
		}
		return 0;
	case KT_GC_CODE4:
		if (!parse_long(v, c->lo, c->hi, &x)) {
			*refuse = N_("is not a code karta keeps (0 to 9999)");
			return 0;
		}
		snprintf(g->buf, sizeof g->buf, "%04ld", x);
		val_str(g, g->buf);
		return 0;
	case KT_GC_DOC_TYPE:
		val_int(g, parse_long(v, 1, 9, &x) && (x <= 5 || x == 9) ? x : 9);
		return 0;
	case KT_GC_FORM: {
		int gr = grade_of(pc >= 0 ? row->val[pc] : NULL);
		if (!parse_long(v, 1, 7, &x)) {
			*refuse = N_("is not a set of ГИА forms karta knows (1 to 7)");
			return 0;
		}
		int set = 0;
		if (x & 1)
			set |= gr > 0 && gr <= 10 ? 2 /* ОГЭ */ : 1 /* ЕГЭ */;
		if (x & 2)
			set |= 4; /* ГВЭ */
		if (x & 4)
			set |= 8;
		val_int(g, set);
		return 0;
	}
	case KT_GC_ROLE:
		x = 3;
		parse_long(v, c->lo, c->hi, &x);
		g->kind = 'r';
		g->role = roles[x - 1];
		return 0;
	case KT_GC_PREP:
		val_str(g, truth(v) == 1 ? "preparation" : "exam");
		return 0;
	case KT_GC_DELETED:
		if (parse_long(v, 0, 2147483647L, &x)) /* a flag ris_deleted cannot hold: 1 */
			val_int(g, x <= 12 && x != 3 && x != 8 && x != 9 ? x : 1);
		else
			val_int(g, truth(v) > 0 ? 1 : 0);
		return 0;
	}
	return 0;
}

/* The text of karta value g for column c (NULL: absent). */
static const char *from_value(const struct kt_gds_map_col *c, const struct gval *g, char *buf,
	size_t n)
{
	if (g->kind == 'z')
		return NULL;
	const char *s = g->kind == 's' ? g->s : NULL;
	switch (c->conv) {
	case KT_GC_EXTRA:
	case KT_GC_EXAM:
		return NULL;
	case KT_GC_ID:
	case KT_GC_GUID:
	case KT_GC_REF:
		return s;
	case KT_GC_GUID_TEXT:
	case KT_GC_ORG:
	case KT_GC_TEXT:
		return s && *s ? s : NULL;
	case KT_GC_INT:
	case KT_GC_DOC_TYPE:
	case KT_GC_DELETED:
		snprintf(buf, n, "%lld", g->i);
		return buf;
	case KT_GC_BOOL:
		return g->t ? "true" : "false";
	case KT_GC_FLAG:
		return g->t ? "1" : "0";
	case KT_GC_SEX:
		return g->i == 2 ? "true" : "false";
	case KT_GC_DATE:
		snprintf(buf, n, "%.10sT00:00:00.000", s ? s : "");
		return s ? buf : NULL;
	case KT_GC_STAMP:
		snprintf(buf, n, "%.19s.000", s ? s : "");
		return s ? buf : NULL;
	case KT_GC_YEAR:
		snprintf(buf, n, "%.4s", s ? s : "");
		return s ? buf : NULL;
	case KT_GC_CODE4:
		snprintf(buf, n, "%ld", s ? strtol(s, NULL, 10) : 0L);
		return s ? buf : NULL;
	case KT_GC_FORM: {
		long f = (long)g->i;
		snprintf(buf, n, "%ld", ((f & 3) ? 1L : 0L) | ((f & 4) ? 2L : 0L) | ((f & 8) ? 4L : 0L));
		return buf;
	}
	case KT_GC_ROLE:
		for (int i = 0; g->role && i < N(roles); i++)
			if (strcmp(g->role, roles[i]) == 0) {
				snprintf(buf, n, "%d", i + 1);
				return buf;
			}
		return NULL;
	case KT_GC_PREP:
		return s && strcmp(s, "preparation") == 0 ? "true" : "false";
	}
	return NULL;
}

static bool same_text(const char *v, const char *r)
{
	return v && r ? strcmp(v, r) == 0 : v == r;
}

/* ---- the row's JSON text -------------------------------------------------------------------- */

/* k bytes of s appended to the object (x: to extra's members); false once out of memory. */
static bool put(struct kt_gds_text *w, bool x, const char *s, size_t k)
{
	char **p = x ? &w->x : &w->p;
	size_t *n = x ? &w->xn : &w->n, *cap = x ? &w->xcap : &w->cap;
	char *q = w->oom ? NULL : kt_grow_to(*p, cap, *n + k + 1, 1, 1024);
	if (!q) {
		w->oom = true;
		return false;
	}
	*p = q;
	memcpy(*p + *n, s, k);
	*n += k;
	(*p)[*n] = '\0';
	return true;
}

/* s as a JSON string, escaped as jansson's dump escapes (", \ and control characters; the
 * text is UTF-8, as libxml2 hands it out). */
static void put_str(struct kt_gds_text *w, bool x, const char *s)
{
	put(w, x, "\"", 1);
	const char *run = s;
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		put(w, x, run, (size_t)(p - run));
		char e[8];
		const char *short_e = ch == '"' ? "\\\"" : ch == '\\' ? "\\\\" : ch == '\b' ? "\\b"
			: ch == '\f' ? "\\f" : ch == '\n' ? "\\n" : ch == '\r' ? "\\r" : ch == '\t' ? "\\t" : NULL;
		if (!short_e)
			snprintf(e, sizeof e, "\\u%04X", ch);
		put(w, x, short_e ? short_e : e, strlen(short_e ? short_e : e));
		run = p + 1;
	}
	put(w, x, run, strlen(run));
	put(w, x, "\"", 1);
}

/* The next member's key, after a comma unless it is the first. */
static void put_key(struct kt_gds_text *w, bool x, const char *k)
{
	if ((x ? w->xn : w->n) > 1)
		put(w, x, ",", 1);
	put_str(w, x, k);
	put(w, x, ":", 1);
}

static void put_val(struct kt_gds_text *w, bool x, const struct gval *g)
{
	char b[24];
	switch (g->kind) {
	case 's':
		put_str(w, x, g->s);
		return;
	case 'i':
		put(w, x, b, (size_t)snprintf(b, sizeof b, "%lld", g->i));
		return;
	case 'b':
		put(w, x, g->t ? "true" : "false", g->t ? 4 : 5);
		return;
	case 'r':
		put(w, x, "[", 1);
		put_str(w, x, g->role);
		put(w, x, "]", 1);
		return;
	default:
		put(w, x, "null", 4);
	}
}

/* A member of the object (x: of extra), as text — or, w->json, as jansson's value. */
static void emit(struct kt_gds_text *w, bool x, const char *key, const struct gval *g)
{
	if (!w->json) {
		put_key(w, x, key);
		put_val(w, x, g);
		return;
	}
	json_t *v = g->kind == 's' ? json_string(g->s) : g->kind == 'i' ? json_integer(g->i)
		: g->kind == 'b' ? json_boolean(g->t) : g->kind == 'r' ? json_pack("[s]", g->role)
		: json_null();
	if (!v || json_object_set_new(x ? w->jx : w->jo, key, v) != 0)
		w->oom = true;
}

static const struct gval *text_val(struct gval *g, const char *s)
{
	val_null(g);
	if (s)
		val_str(g, s);
	return g;
}

/* Where each map line's column is in a schema table: found by name once per (map, table) and
 * thread, not once per row. */
struct col_index {
	const struct kt_gds_map *m;
	const struct kt_gds_table *t;
	int ti[KT_GDS_MAX_COLS];
	bool deleted[KT_GDS_MAX_COLS]; /* the line of the map's deleted-row flag */
	int pclass;
};

static const struct col_index *col_index(const struct kt_gds_map *m, const struct kt_gds_table *t)
{
	static _Thread_local struct col_index cache[8];
	static _Thread_local int next;
	for (int k = 0; k < 8; k++)
		if (cache[k].m == m && cache[k].t == t)
			return &cache[k];
	struct col_index *x = &cache[next++ % 8];
	for (int i = 0; i < m->ncols && i < KT_GDS_MAX_COLS; i++) {
		x->ti[i] = kt_gds_col(t, m->cols[i].gds);
		x->deleted[i] = m->deleted && strcmp(m->cols[i].gds, m->deleted) == 0;
	}
	x->pclass = kt_gds_col(t, "pClass");
	x->m = m;
	x->t = t;
	return x;
}

/* The row's write into w: its text, or (w->json) its jansson object. 0, 1 refused, -1 out of
 * memory (err said). */
static int write_row(const struct kt_gds_map *m, const struct kt_gds_table *t,
	const struct kt_gds_row *row, struct kt_gds_text *w, char *err, size_t errlen)
{
	const struct col_index *ix = col_index(m, t);
	w->n = w->xn = 0;
	w->oom = false;
	w->id[0] = '\0';
	if (w->json) {
		w->jo = json_object();
		w->jx = json_object();
		w->oom = !w->jo || !w->jx;
	} else {
		put(w, false, "{", 1);
		put(w, true, "{", 1);
	}
	struct gval tv;
	for (int i = 0; !w->oom && i < m->ncols; i++) {
		const struct kt_gds_map_col *c = &m->cols[i];
		int ti = ix->ti[i];
		const char *v = ti >= 0 ? row->val[ti] : NULL;
		if (v && t->cols[ti].type == KT_GDS_DATETIME_NULL && strcmp(v, "NULL") == 0) {
			emit(w, true, c->gds, text_val(&tv, v));
			continue;
		}
		if (c->need && !v) {
			snprintf(err, errlen, _("«%s» is missing"), c->gds);
			return 1;
		}
		const char *refuse = NULL;
		struct gval g;
		if (to_value(c, v, ix->pclass, row, &refuse, &g, w) != 0)
			break;
		if (refuse) {
			snprintf(err, errlen, "«%s» %s", c->gds, _(refuse)); /* N_() where it is set */
			return 1;
		}
		char buf[64];
		const char *back = from_value(c, &g, buf, sizeof buf);
		if (c->conv == KT_GC_EXAM) {
			long x;
			if (!parse_long(v, c->lo, c->hi, &x)) {
				snprintf(err, errlen, _("«%s» is not an exam id (a whole number above 0)"), c->gds);
				return 1;
			}
			struct gval e;
			val_int(val_null(&e), x);
			emit(w, false, c->arg, &e);
			snprintf(buf, sizeof buf, "%ld", x);
			back = buf;
		}
		if (c->conv == KT_GC_ID) {
			emit(w, false, "id", &g);
			if (g.kind == 's')
				snprintf(w->id, sizeof w->id, "%s", g.s);
		}
		if (c->conv == KT_GC_ORG && v && *v) {
			char low[40];
			emit(w, false, c->arg, text_val(&tv, lower(low, v)));
		}
		if (c->karta) {
			emit(w, false, c->karta, &g);
		}
		/* no karta column to render from: extra keeps the text whenever it is present */
		bool keep = !c->karta && c->conv != KT_GC_ID && c->conv != KT_GC_EXAM;
		if (keep ? v != NULL : !same_text(v, back)) {
			emit(w, true, c->gds, text_val(&tv, v));
		}
		if (ix->deleted[i]) {
			long d = 0;
			bool del = (parse_long(v, 1, 2147483647L, &d)) || truth(v) == 1;
			emit(w, false, "gds_deleted", (val_bool(val_null(&tv), del), &tv));
		}
	}
	if (row->nunknown > 0 && w->json) {
		json_t *u = json_array();
		for (int i = 0; u && i < row->nunknown; i++)
			json_array_append_new(u, json_pack("[ss]", row->unknown_name[i], row->unknown_val[i]));
		if (!u || json_object_set_new(w->jx, "_unknown", u) != 0)
			w->oom = true;
	} else if (row->nunknown > 0) {
		put_key(w, true, "_unknown");
		for (int i = 0; i < row->nunknown; i++) {
			put(w, true, i ? ",[" : "[[", 2);
			put_str(w, true, row->unknown_name[i]);
			put(w, true, ",", 1);
			put_str(w, true, row->unknown_val[i]);
			put(w, true, "]", 1);
		}
		put(w, true, "]", 1);
	}
	if (w->json && !w->oom) {
		w->oom = json_object_set(w->jo, "extra", w->jx) != 0;
	} else if (!w->json) {
		put(w, true, "}", 1);
		put_key(w, false, "extra");
		if (!w->oom)
			put(w, false, w->x, w->xn);
		put(w, false, "}", 1);
	}
	if (!w->oom)
		return 0;
	snprintf(err, errlen, "%s", _("out of memory"));
	return -1;
}

int kt_gds_to_text(const struct kt_gds_map *m, const struct kt_gds_table *t,
	const struct kt_gds_row *row, struct kt_gds_text *w, char *err, size_t errlen)
{
	w->json = false;
	return write_row(m, t, row, w, err, errlen);
}

void kt_gds_text_free(struct kt_gds_text *w)
{
	json_decref(w->jo);
	json_decref(w->jx);
	free(w->p);
	free(w->x);
	free(w->f);
	memset(w, 0, sizeof *w);
}

json_t *kt_gds_to_karta(const struct kt_gds_map *m, const struct kt_gds_table *t,
	const struct kt_gds_row *row, char *err, size_t errlen)
{
	struct kt_gds_text w = {.json = true};
	json_t *o = write_row(m, t, row, &w, err, errlen) == 0 ? json_incref(w.jo) : NULL;
	kt_gds_text_free(&w);
	return o;
}

const char *kt_gds_render(const struct kt_gds_map_col *c, const json_t *row, kt_gds_lookup lk,
	void *ctx, char *buf, size_t n)
{
	json_t *extra = json_object_get(row, "extra");
	json_t *e = json_object_get(extra, c->gds);
	if (e)
		return json_is_string(e) ? json_string_value(e) : NULL;
	if (c->conv == KT_GC_ID)
		return json_string_value(json_object_get(row, "id"));
	if (!c->karta || c->conv == KT_GC_EXAM)
		return lk && (c->conv == KT_GC_ORG || c->conv == KT_GC_EXAM) ? lk(ctx, c, row, buf, n) : NULL;
	return kt_gds_render_value(c, json_object_get(row, c->karta), buf, n);
}

const char *kt_gds_render_value(const struct kt_gds_map_col *c, const json_t *v, char *buf,
	size_t n)
{
	struct gval g;
	return from_value(c, gval_of(v, &g), buf, n);
}
