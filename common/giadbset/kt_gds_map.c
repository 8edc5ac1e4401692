/* kt_gds_map: the GIADBSet ↔ karta mapping table and its two directions (kt_gds_map.h).
 *
 * Invariant: for every modelled column, kt_gds_render(kt_gds_to_karta(text)) is the text
 * itself — kt_gds_to_karta checks it column by column and keeps in extra every text whose
 * karta value would not render back to it. So an export of an imported row writes the
 * package's own text, whatever karta normalized. */
#include "kt_gds_map.h"
#include "kt_i18n.h"

#include <ctype.h>
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
	{"StationAddress", KT_GC_TEXT, "address", NULL, 0, 0, false, "\"—\""}, /* optional; karta needs one */
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

/* White space trimmed and runs folded to one space (karta_registry_input). */
static json_t *folded(const char *s)
{
	size_t n = strlen(s);
	char *o = malloc(n + 1), *w = o;
	if (!o)
		return NULL;
	bool sp = false;
	for (const char *p = s; *p; p++) {
		if (isspace((unsigned char)*p)) {
			sp = w != o;
			continue;
		}
		if (sp)
			*w++ = ' ';
		sp = false;
		*w++ = *p;
	}
	*w = '\0';
	json_t *j = json_string(o);
	free(o);
	return j;
}

static json_t *lower_guid(const char *s)
{
	char b[40];
	snprintf(b, sizeof b, "%s", s);
	for (char *p = b; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return json_string(b);
}

static int grade_of(const char *cls)
{
	int g = 0, k = 0;
	while (cls && isdigit((unsigned char)cls[k]) && k < 2)
		g = g * 10 + (cls[k++] - '0');
	return k ? g : 0;
}

/* karta's value of column c from the package's text v (NULL: absent; pc: where the row's
 * pClass is, -1 none); *refuse set when the row cannot be stored. Returns a new reference, json null for "no value". */
static json_t *to_value(const struct kt_gds_map_col *c, const char *v, int pc,
	const struct kt_gds_row *row, const char **refuse)
{
	long x;
	int b;
	switch (c->conv) {
	case KT_GC_EXTRA:
	case KT_GC_EXAM:
		return json_null();
	case KT_GC_ID:
	case KT_GC_GUID:
	case KT_GC_REF:
		return v && *v ? lower_guid(v) : json_null();
	case KT_GC_GUID_TEXT:
	case KT_GC_ORG:
		return json_string(v ? v : "");
	case KT_GC_TEXT:
		if (!v && c->dflt)
			return json_loads(c->dflt, JSON_DECODE_ANY, NULL);
		return folded(v ? v : "");
	case KT_GC_INT:
		if (parse_long(v, c->lo, c->hi, &x))
			return json_integer(x);
		if (c->need)
			*refuse = v ? N_("is out of the range karta keeps") : N_("is missing");
		return c->dflt ? json_loads(c->dflt, JSON_DECODE_ANY, NULL) : json_null();
	case KT_GC_BOOL:
	case KT_GC_FLAG:
		if (c->conv == KT_GC_FLAG && parse_long(v, -2147483648L, 2147483647L, &x))
			return json_boolean(x != 0);
		b = truth(v); /* karta's flags are NOT NULL DEFAULT false */
		return json_boolean(b > 0);
	case KT_GC_SEX:
		b = truth(v);
		if (b < 0 && c->need)
			*refuse = N_("is not true/false (1/0)");
		return b < 0 ? json_null() : json_integer(b ? 2 : 1);
	case KT_GC_DATE:
	case KT_GC_STAMP: {
		if (!v || strlen(v) < 19) {
			if (c->need)
				*refuse = N_("is missing");
			return json_null();
		}
		char d[24];
		snprintf(d, sizeof d, "%.*s", c->conv == KT_GC_DATE ? 10 : 19, v);
		if (c->conv == KT_GC_STAMP)
			d[10] = 'T';
		return json_string(d);
	}
	case KT_GC_YEAR: {
		if (!parse_long(v, c->lo, c->hi, &x))
			return json_null();
		char d[16];
		snprintf(d, sizeof d, "%04ld-01-01", x);
		return json_string(d);
	}
	case KT_GC_CODE4: {
		if (!parse_long(v, c->lo, c->hi, &x)) {
			*refuse = N_("is not a code karta keeps (0 to 9999)");
			return json_null();
		}
		char d[8];
		snprintf(d, sizeof d, "%04ld", x);
		return json_string(d);
	}
	case KT_GC_DOC_TYPE:
		if (parse_long(v, 1, 9, &x) && (x <= 5 || x == 9))
			return json_integer(x);
		return json_integer(9);
	case KT_GC_FORM: {
		int g = grade_of(pc >= 0 ? row->val[pc] : NULL);
		if (!parse_long(v, 1, 7, &x)) {
			*refuse = N_("is not a set of ГИА forms karta knows (1 to 7)");
			return json_null();
		}
		int set = 0;
		if (x & 1)
			set |= g > 0 && g <= 10 ? 2 /* ОГЭ */ : 1 /* ЕГЭ */;
		if (x & 2)
			set |= 4; /* ГВЭ */
		if (x & 4)
			set |= 8;
		return json_integer(set);
	}
	case KT_GC_ROLE:
		x = 3;
		parse_long(v, c->lo, c->hi, &x);
		return json_pack("[s]", roles[x - 1]);
	case KT_GC_PREP:
		return json_string(truth(v) == 1 ? "preparation" : "exam");
	case KT_GC_DELETED:
		if (parse_long(v, 0, 2147483647L, &x)) /* a flag ris_deleted cannot hold: 1 */
			return json_integer(x <= 12 && x != 3 && x != 8 && x != 9 ? x : 1);
		b = truth(v);
		return json_integer(b > 0 ? 1 : 0);
	}
	return json_null();
}

/* The text of karta value j for column c (NULL: absent). */
static const char *from_value(const struct kt_gds_map_col *c, const json_t *j, char *buf, size_t n)
{
	if (!j || json_is_null(j))
		return NULL;
	const char *s = json_is_string(j) ? json_string_value(j) : NULL;
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
		snprintf(buf, n, "%lld", (long long)json_integer_value(j));
		return buf;
	case KT_GC_BOOL:
		return json_is_true(j) ? "true" : "false";
	case KT_GC_FLAG:
		return json_is_true(j) ? "1" : "0";
	case KT_GC_SEX:
		return json_integer_value(j) == 2 ? "true" : "false";
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
		long f = (long)json_integer_value(j);
		snprintf(buf, n, "%ld", ((f & 3) ? 1L : 0L) | ((f & 4) ? 2L : 0L) | ((f & 8) ? 4L : 0L));
		return buf;
	}
	case KT_GC_ROLE: {
		const char *r = json_string_value(json_array_get(j, 0));
		for (int i = 0; r && i < N(roles); i++)
			if (strcmp(r, roles[i]) == 0) {
				snprintf(buf, n, "%d", i + 1);
				return buf;
			}
		return NULL;
	}
	case KT_GC_PREP:
		return s && strcmp(s, "preparation") == 0 ? "true" : "false";
	}
	return NULL;
}

static bool same_text(const char *v, const char *r)
{
	return v && r ? strcmp(v, r) == 0 : v == r;
}

/* Where each map line's column is in a schema table: found by name once per (map, table) and
 * thread, not once per row. */
struct col_index {
	const struct kt_gds_map *m;
	const struct kt_gds_table *t;
	int ti[KT_GDS_MAX_COLS];
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
	for (int i = 0; i < m->ncols && i < KT_GDS_MAX_COLS; i++)
		x->ti[i] = kt_gds_col(t, m->cols[i].gds);
	x->pclass = kt_gds_col(t, "pClass");
	x->m = m;
	x->t = t;
	return x;
}

json_t *kt_gds_to_karta(const struct kt_gds_map *m, const struct kt_gds_table *t,
	const struct kt_gds_row *row, char *err, size_t errlen)
{
	json_t *o = json_object(), *extra = json_object();
	bool ok = o && extra;
	const struct col_index *ix = col_index(m, t);
	for (int i = 0; ok && i < m->ncols; i++) {
		const struct kt_gds_map_col *c = &m->cols[i];
		int ti = ix->ti[i];
		const char *v = ti >= 0 ? row->val[ti] : NULL;
		if (v && strcmp(v, "NULL") == 0 && t->cols[ti].type == KT_GDS_DATETIME_NULL) {
			ok = json_object_set_new(extra, c->gds, json_string(v)) == 0;
			continue;
		}
		if (c->need && !v) {
			snprintf(err, errlen, _("«%s» is missing"), c->gds);
			goto refused;
		}
		const char *refuse = NULL;
		json_t *val = to_value(c, v, ix->pclass, row, &refuse);
		if (!val || refuse) {
			json_decref(val);
			if (!refuse)
				break;
			snprintf(err, errlen, "«%s» %s", c->gds, _(refuse)); /* N_() where it is set */
			goto refused;
		}
		char buf[64];
		const char *back = from_value(c, val, buf, sizeof buf);
		if (c->conv == KT_GC_EXAM) {
			long x;
			if (!parse_long(v, c->lo, c->hi, &x)) {
				snprintf(err, errlen, _("«%s» is not an exam id (a whole number above 0)"), c->gds);
				json_decref(val);
				goto refused;
			}
			ok = json_object_set_new(o, c->arg, json_integer(x)) == 0;
			snprintf(buf, sizeof buf, "%ld", x);
			back = buf;
		}
		if (c->conv == KT_GC_ID)
			ok = ok && json_object_set(o, "id", val) == 0;
		if (c->conv == KT_GC_ORG && v && *v)
			ok = ok && json_object_set_new(o, c->arg, lower_guid(v)) == 0;
		if (c->karta)
			ok = ok && json_object_set(o, c->karta, val) == 0;
		/* no karta column to render from: extra keeps the text whenever it is present */
		bool keep = !c->karta && c->conv != KT_GC_ID && c->conv != KT_GC_EXAM;
		if (keep ? v != NULL : !same_text(v, back))
			ok = ok && json_object_set_new(extra, c->gds, v ? json_string(v) : json_null()) == 0;
		if (m->deleted && strcmp(c->gds, m->deleted) == 0) {
			long d = 0;
			bool del = (parse_long(v, 1, 2147483647L, &d)) || truth(v) == 1;
			ok = ok && json_object_set_new(o, "gds_deleted", json_boolean(del)) == 0;
		}
		json_decref(val);
	}
	if (ok && row->nunknown > 0) {
		json_t *u = json_array();
		for (int i = 0; u && i < row->nunknown; i++)
			json_array_append_new(u, json_pack("[ss]", row->unknown_name[i], row->unknown_val[i]));
		ok = u && json_object_set_new(extra, "_unknown", u) == 0;
	}
	if (ok && json_object_set(o, "extra", extra) == 0) {
		json_decref(extra);
		return o;
	}
	snprintf(err, errlen, "%s", _("out of memory"));
refused:
	json_decref(o);
	json_decref(extra);
	return NULL;
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
	return from_value(c, json_object_get(row, c->karta), buf, n);
}

const char *kt_gds_render_value(const struct kt_gds_map_col *c, const json_t *v, char *buf,
	size_t n)
{
	return from_value(c, v, buf, n);
}
