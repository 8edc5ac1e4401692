/* registry_gds_out: one row of karta → the columns of its rbd_* table of the federal exchange
 * package (registry_gds_out.h; the table in docs/registries.md «GIADBSet export»). Registry and
 * planning rows are the replica's JSON (the SQL columns of sql/0008, 0009); organizations
 * and territories come as objects of karta_gds_orgs's columns (sql/0020).
 *
 * The seven tables the import maps go through THE mapping (common/giadbset/kt_gds_map.c,
 * gds_out_finish): the text a package brought, kept in the row's extra, comes back as it
 * was (an element it lacked stays absent); else karta's value as that mapping renders it.
 * The map_* functions here give what the mapping cannot: the region's code, GUIDs of
 * organizations (karta_gds_orgs), karta's own timestamps and deleted flags for rows karta
 * made itself, the links between planning rows, the org tables and seats. A required column
 * nobody has a value for gets its type's neutral value (0, false, an empty text, the row's
 * creation time), so that every row validates against the schema. */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_gds_out.h"
#include "kt_gds_map.h"
#include "registry_map.h"

#define NIL_GUID "00000000-0000-0000-0000-000000000000"

void gds_out_reset(struct gds_out *o)
{
	memset(o->val, 0, sizeof o->val);
	o->nx = 0;
	o->used = 0;
}

/* A copy of s in the row's pool; NULL when the pool is full. */
static const char *keep(struct gds_out *o, const char *s)
{
	size_t n = strlen(s) + 1;
	if (o->used + n > sizeof o->pool)
		return NULL;
	char *p = o->pool + o->used;
	memcpy(p, s, n);
	o->used += n;
	return p;
}

/* The column name of t gets v (copied; NULL leaves it out). */
/* kt_gds_col for the string literals the map_* functions name columns by, remembered by
 * the literal's address (the same on every row): a row costs no name comparisons. */
static int col_of(const struct kt_gds_table *t, const char *name)
{
	static _Thread_local struct { /* per thread: tables are written side by side */
		const struct kt_gds_table *t;
		const char *name;
		int i;
	} memo[512];
	size_t h = (((uintptr_t)name >> 2) ^ ((uintptr_t)t >> 4)) % (sizeof memo / sizeof memo[0]);
	if (memo[h].t != t || memo[h].name != name) {
		memo[h].t = t;
		memo[h].name = name;
		memo[h].i = kt_gds_col(t, name);
	}
	return memo[h].i;
}

/* kt_gds_table of the literal the map_* functions name their table by, remembered by its
 * address: a row costs no name comparisons. */
static const struct kt_gds_table *table(const char *name)
{
	static _Thread_local struct {
		const char *name;
		const struct kt_gds_table *t;
	} memo[32];
	size_t k = 0;
	while (k < sizeof memo / sizeof memo[0] - 1 && memo[k].name && memo[k].name != name)
		k++;
	if (memo[k].name != name) {
		memo[k].name = name;
		memo[k].t = kt_gds_table(name);
	}
	return memo[k].t;
}

static void put(struct gds_out *o, const struct kt_gds_table *t, const char *name, const char *v)
{
	int i = col_of(t, name);
	if (i >= 0 && v)
		o->val[i] = keep(o, v);
}

static const json_t *get(struct gds_row *row, const char *key)
{
	return gds_row_get(row, key);
}

static const char *str(struct gds_row *row, const char *key)
{
	return gds_row_str(row, key);
}

/* An integer column as text ("" when the row has none). */
static const char *num(struct gds_row *row, const char *key, char *buf, size_t n)
{
	long long v;
	buf[0] = '\0';
	if (regmap_int(get(row, key), &v))
		snprintf(buf, n, "%lld", v);
	return buf;
}

static const char *flag(bool b)
{
	return b ? "true" : "false";
}

static bool deleted(struct gds_row *row)
{
	return gds_row_set(row, "deleted_at");
}

/* A GUID as the package writes it: braces dropped, lower case; "" when s is none. */
static const char *guid_norm(const char *s, char *buf, size_t n)
{
	size_t k = 0;
	for (; *s && k + 1 < n; s++)
		if (*s != '{' && *s != '}')
			buf[k++] = (char)tolower((unsigned char)*s);
	buf[k] = '\0';
	return buf;
}

/* A timestamp (PostgreSQL's JSON "2025-01-15T10:00:00.123456+03:00", or "2025-01-15
 * 10:00:00") or a date as the schemas' yyyy-mm-ddThh:mm:ss.fff; NULL when it is neither. */
static const char *stamp(const char *s, char *buf, size_t n)
{
	size_t len = strlen(s);
	if (len == 10 && s[4] == '-' && s[7] == '-') {
		snprintf(buf, n, "%sT00:00:00.000", s);
		return buf;
	}
	if (len < 19 || s[4] != '-' || s[13] != ':')
		return NULL;
	char frac[4] = "000";
	for (int i = 0; i < 3 && s[19] == '.' && isdigit((unsigned char)s[20 + i]); i++)
		frac[i] = s[20 + i];
	snprintf(buf, n, "%.10sT%.8s.%s", s, s + 11, frac);
	return buf;
}

/* CreateDate / UpdateDate: the package's own (ris_created/ris_updated) when the row came
 * from a file, else karta's. */
static void stamps(struct gds_out *o, const struct kt_gds_table *t, struct gds_row *row)
{
	char b[40];
	const char *c = *str(row, "ris_created") ? str(row, "ris_created") : str(row, "created_at");
	const char *u = *str(row, "ris_updated") ? str(row, "ris_updated") : str(row, "updated_at");
	put(o, t, "CreateDate", stamp(c, b, sizeof b));
	put(o, t, "UpdateDate", stamp(u, b, sizeof b));
}

/* The row's own GUID: guid when it has one, else its karta id. */
static const char *own_guid(struct gds_row *row, char *buf, size_t n)
{
	return guid_norm(*str(row, "guid") ? str(row, "guid") : str(row, "id"), buf, n);
}

/* m's value of k, NULL when k is empty or not there. */
static const char *lookup(const struct reg_map *m, const char *k)
{
	const struct reg_map_entry *e = *k ? reg_map_get(m, k) : NULL;
	return e ? e->val : NULL;
}

/* The GUID of the organization a row names by its numeric id (key), "" when not known. */
static const char *org_guid(struct gx *x, struct gds_row *row, const char *key)
{
	char id[24];
	const char *g = lookup(&x->org_guid, num(row, key, id, sizeof id));
	return g ? g : "";
}

static const char *pair(const struct reg_map *m, const char *a, const char *b)
{
	char k[80];
	size_t na = strlen(a), nb = strlen(b);
	if (na + nb + 2 > sizeof k)
		return NULL; /* no key of the maps is that long: ids are UUIDs */
	memcpy(k, a, na);
	k[na] = '|';
	memcpy(k + na + 1, b, nb + 1);
	return lookup(m, k);
}

/* The value of hex digit c, -1 when it is none. */
static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A name-based UUID (RFC 4122 version 5) of name within ns: the same seat, the same id. */
const char *gds_out_uuid5(const char *ns, const char *name, char *buf, size_t n)
{
	unsigned char in[16] = {0}, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	for (int i = 0, j = 0; i < 16 && ns[j]; j++) { /* the UUID's 16 bytes (hex pairs) */
		if (ns[j] == '-')
			continue;
		int hi = hexval(ns[j]), lo = hi < 0 ? -1 : hexval(ns[j + 1]);
		in[i++] = (unsigned char)(hi < 0 ? 0 : lo < 0 ? hi : hi * 16 + lo);
		j += lo >= 0;
	}
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || !EVP_DigestInit_ex(c, EVP_sha1(), NULL) || !EVP_DigestUpdate(c, in, 16) ||
	    !EVP_DigestUpdate(c, name, strlen(name)) || !EVP_DigestFinal_ex(c, md, &mdlen))
		mdlen = 0;
	EVP_MD_CTX_free(c);
	if (mdlen < 16 || n < 37)
		return NULL;
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	static const char hex[] = "0123456789abcdef";
	char *w = buf;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*w++ = '-';
		*w++ = hex[md[i] >> 4];
		*w++ = hex[md[i] & 15];
	}
	*w = '\0';
	return buf;
}

/* ---- organizations (karta_gds_orgs rows) ---------------------------------------------------- */

static int map_region(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	(void)x;
	const struct kt_gds_table *t = table("rbd_CurrentRegion");
	put(o, t, "ID", str(r, "guid"));
	put(o, t, "REGION", str(r, "federal_code"));
	put(o, t, "Name", str(r, "name"));
	return 1;
}

static int map_territory(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_Areas");
	put(o, t, "AreaID", str(r, "guid"));
	put(o, t, "Region", x->region_code);
	put(o, t, "AreaCode", str(r, "federal_code"));
	put(o, t, "AreaName", str(r, "name"));
	if (strcmp(str(r, "deleted"), "0") != 0)
		put(o, t, "IsDeleted", "true");
	return 1;
}

static int map_municipality(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_Governments");
	put(o, t, "GovernmentID", str(r, "guid"));
	put(o, t, "RegionID", x->region_guid);
	put(o, t, "REGION", x->region_code);
	put(o, t, "GovernmentCode", *str(r, "federal_code") ? str(r, "federal_code") : NULL);
	put(o, t, "GovernmentName", str(r, "name"));
	put(o, t, "DeleteType", str(r, "deleted"));
	return 1;
}

static int map_school(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_Schools");
	const char *parent = lookup(&x->org_guid, str(r, "parent"));
	put(o, t, "SchoolID", str(r, "guid"));
	put(o, t, "GovernmentID", parent);
	put(o, t, "SchoolCode", *str(r, "federal_code") ? str(r, "federal_code") : NULL);
	put(o, t, "SchoolName", str(r, "name"));
	put(o, t, "AreaFK", *str(r, "territory") ? str(r, "territory") : NULL);
	put(o, t, "DeleteType", str(r, "deleted"));
	put(o, t, "REGION", x->region_code);
	return 1;
}

/* ---- registries ------------------------------------------------------------------------------ */

/* A person's name and identity document (participants, staff). */
static void person(struct gds_out *o, const struct kt_gds_table *t, struct gds_row *r)
{
	char b[24];
	put(o, t, "Surname", str(r, "surname"));
	put(o, t, "Name", str(r, "name"));
	put(o, t, "SecondName", *str(r, "patronymic") ? str(r, "patronymic") : NULL);
	put(o, t, "DocumentSeries", *str(r, "doc_series") ? str(r, "doc_series") : NULL);
	put(o, t, "DocumentNumber", str(r, "doc_number"));
	put(o, t, "DocumentTypeCode", num(r, "doc_type", b, sizeof b));
}

static int map_participant(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_Participants");
	char b[64], g[64];
	long long v = 0;
	put(o, t, "ParticipantID", own_guid(r, g, sizeof g));
	put(o, t, "Region", x->region_code);
	person(o, t, r);
	put(o, t, "Sex", flag(regmap_int(get(r, "sex"), &v) && v == 2)); /* true: female */
	if (regmap_int(get(r, "form"), &v)) {
		snprintf(b, sizeof b, "%d", regmap_forms_ris(v));
		put(o, t, "Gia", b);
	}
	put(o, t, "GiaAccept", regmap_bool(get(r, "admitted")) ? "1" : "0");
	put(o, t, "pClass", str(r, "class"));
	put(o, t, "BirthDay", stamp(str(r, "birth_date"), b, sizeof b));
	long long del = 0;
	if (!regmap_int(get(r, "ris_deleted"), &del) || del == 0)
		del = deleted(r) ? 2 : 0; /* 2: deleted by the school (ОО), as the РИС layout says */
	snprintf(b, sizeof b, "%lld", del);
	put(o, t, "DeleteType", b);
	put(o, t, "LimitPotencial", regmap_bool(get(r, "ovz")) ? "1" : "0");
	put(o, t, "ParticipantCategoryFK", num(r, "category", b, sizeof b));
	put(o, t, "SchoolRegistration", *str(r, "ris_school_guid")
		? guid_norm(str(r, "ris_school_guid"), b, sizeof b) : org_guid(x, r, "org_id"));
	const char *grad = *str(r, "ris_grad_guid") ? guid_norm(str(r, "ris_grad_guid"), b, sizeof b)
		: org_guid(x, r, "grad_org_id");
	put(o, t, "SchoolOutcoming", *grad ? grad : NULL);
	put(o, t, "Study", *num(r, "study_form", b, sizeof b) ? b : NULL);
	stamps(o, t, r);
	regmap_citizenship_ris(str(r, "citizenship"), b, sizeof b);
	put(o, t, "CitizenshipID", *b ? b : NULL);
	return 1;
}

static int map_registration(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_ParticipantsExams");
	const char *gid = lookup(&x->exam_gid, str(r, "exam_id"));
	const char *pid = lookup(&x->part_guid, str(r, "participant_id"));
	if (!gid) {
		x->no_global++;
		return 0;
	}
	if (!pid) {
		x->no_link++;
		return 0;
	}
	char g[64];
	put(o, t, "REGION", x->region_code);
	put(o, t, "ParticipantID", pid);
	put(o, t, "ExamGlobalID", gid);
	put(o, t, "ParticipantsExamsID", own_guid(r, g, sizeof g));
	stamps(o, t, r);
	if (deleted(r))
		put(o, t, "IsDeleted", "true");
	return 1;
}

static int map_point(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_Stations");
	char b[64], g[64];
	long long v = 0;
	put(o, t, "StationID", own_guid(r, g, sizeof g));
	put(o, t, "REGION", x->region_code);
	const char *area = guid_norm(str(r, "area_guid"), b, sizeof b);
	if (!*area) { /* the territory of the school the point is housed in */
		char id[24];
		const char *a = lookup(&x->org_area, num(r, "host_org_id", id, sizeof id));
		area = a ? a : "";
	}
	if (!*area) {
		x->no_area++;
		area = NIL_GUID;
	}
	put(o, t, "AreaID", area);
	put(o, t, "StationCode", regmap_int(get(r, "code"), &v) ? (snprintf(b, sizeof b, "%lld", v), b)
		: NULL);
	put(o, t, "StationName", str(r, "name"));
	put(o, t, "StationAddress", *str(r, "address") ? str(r, "address") : NULL);
	const char *host = *str(r, "ris_school_guid") ? guid_norm(str(r, "ris_school_guid"), b, sizeof b)
		: org_guid(x, r, "host_org_id");
	put(o, t, "SchoolFK", *host ? host : NULL);
	put(o, t, "GovernmentID", *str(r, "ris_msu_guid") ? guid_norm(str(r, "ris_msu_guid"), b, sizeof b)
		: org_guid(x, r, "org_id"));
	put(o, t, "sVolume", *num(r, "capacity", b, sizeof b) ? b : "0");
	put(o, t, "Phones", *str(r, "phones") ? str(r, "phones") : NULL);
	put(o, t, "Mails", str(r, "emails"));
	put(o, t, "PCenterID", *str(r, "pcenter_guid") ? guid_norm(str(r, "pcenter_guid"), b, sizeof b)
		: NULL);
	put(o, t, "IsTOM", flag(regmap_bool(get(r, "remote"))));
	long long del = 0;
	if (!regmap_int(get(r, "ris_deleted"), &del) || del == 0)
		del = deleted(r) ? 1 : 0; /* 1: deleted by the municipality (МСУ) */
	snprintf(b, sizeof b, "%lld", del);
	put(o, t, "DeleteType", b);
	stamps(o, t, r);
	put(o, t, "ExamForm", num(r, "forms", b, sizeof b));
	put(o, t, "VideoControl", flag(regmap_bool(get(r, "video"))));
	put(o, t, "StationFlags", *num(r, "extra_flags", b, sizeof b) ? b : "0");
	return 1;
}

static int map_auditorium(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_Auditoriums");
	const char *point = lookup(&x->point_guid, str(r, "point_id"));
	if (!point) {
		x->no_link++;
		return 0;
	}
	char b[64], g[64];
	put(o, t, "REGION", x->region_code);
	put(o, t, "AuditoriumID", own_guid(r, g, sizeof g));
	put(o, t, "StationID", point);
	put(o, t, "AuditoriumCode", str(r, "code"));
	put(o, t, "AuditoriumName", str(r, "name"));
	put(o, t, "RowsCount", num(r, "rows", b, sizeof b));
	put(o, t, "ColsCount", num(r, "seats_per_row", b, sizeof b));
	put(o, t, "DeleteType", deleted(r) ? "6" : "0"); /* 6: deleted with the auditorium */
	put(o, t, "LimitPotencial", regmap_bool(get(r, "ovz_adapted")) ? "1" : "0");
	stamps(o, t, r);
	put(o, t, "VideoControl", flag(regmap_bool(get(r, "video"))));
	put(o, t, "IsLab", flag(regmap_bool(get(r, "lab"))));
	return 1;
}

static int map_staff(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_StationWorkers");
	char b[64], g[64];
	long long v = 0;
	put(o, t, "StationWorkerID", own_guid(r, g, sizeof g));
	put(o, t, "REGION", x->region_code);
	put(o, t, "StationWorkerCode", str(r, "code"));
	person(o, t, r);
	if (regmap_int(get(r, "sex"), &v))
		put(o, t, "Sex", flag(v == 2));
	const char *birth = str(r, "birth_date");
	put(o, t, "BirthYear", strlen(birth) >= 4 ? (snprintf(b, sizeof b, "%.4s", birth), b) : "0");
	put(o, t, "DeleteType", deleted(r) ? "7" : "0"); /* 7: deleted with the staff member */
	put(o, t, "GovernmentID", org_guid(x, r, "org_id"));
	const char *work = org_guid(x, r, "workplace_org_id");
	put(o, t, "SchoolID", *work ? work : NULL);
	const json_t *roles = get(r, "roles");
	int role = json_is_array(roles) ? regmap_role(json_array_get(roles, 0)) : 0;
	if (role > 0) {
		snprintf(b, sizeof b, "%d", role);
		put(o, t, "WorkerPositionID", b);
	}
	stamps(o, t, r);
	return 1;
}

/* ---- planning ------------------------------------------------------------------------------- */

static int map_point_exam(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_StationsExams");
	const char *gid = lookup(&x->exam_gid, str(r, "exam_id"));
	const char *point = lookup(&x->point_guid, str(r, "point_id"));
	if (!gid)
		return x->no_global++, 0;
	if (!point)
		return x->no_link++, 0;
	char b[64], g[64];
	put(o, t, "REGION", x->region_code);
	put(o, t, "StationsExamsID", own_guid(r, g, sizeof g));
	put(o, t, "StationID", point);
	put(o, t, "ExamGlobalID", gid);
	put(o, t, "PlacesCount", *num(r, "seats", b, sizeof b) ? b : NULL);
	stamps(o, t, r);
	if (deleted(r))
		put(o, t, "IsDeleted", "true");
	return 1;
}

static int map_exam_room(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_StationExamAuditory");
	const char *pa = pair(&x->pa, str(r, "exam_id"), str(r, "point_id"));
	const char *point = lookup(&x->point_guid, str(r, "point_id"));
	const char *places = lookup(&x->aud_places, str(r, "auditorium_id"));
	if (!pa || !point || !places)
		return x->no_link++, 0;
	char g[64];
	put(o, t, "StationExamAuditoryID", own_guid(r, g, sizeof g));
	put(o, t, "Region", x->region_code);
	put(o, t, "StationsExamsID", pa);
	put(o, t, "StationID", point);
	put(o, t, "AuditoriumID", str(r, "auditorium_id"));
	put(o, t, "PlacesCount", places);
	stamps(o, t, r);
	if (deleted(r))
		put(o, t, "IsDeleted", "true");
	if (strcmp(str(r, "role"), "preparation") == 0)
		put(o, t, "IsPreparation", "true");
	return 1;
}

static int map_seat(struct gx *x, struct gds_row *r, struct gds_out *o)
{
	const struct kt_gds_table *t = table("rbd_ParticipantsExamPStation");
	const char *exam = str(r, "exam_id");
	const char *ea = pair(&x->ea, exam, str(r, "auditorium_id"));
	const char *pa = pair(&x->pa, exam, str(r, "point_id"));
	const char *dist = pair(&x->dist, exam, str(r, "participant_id"));
	if (!ea || !pa || !dist)
		return x->no_link++, 0;
	char g[64], place[64], name[64], row_no[24], seat_no[24];
	snprintf(name, sizeof name, "%s:%s", num(r, "seat_row", row_no, sizeof row_no),
		num(r, "seat", seat_no, sizeof seat_no));
	put(o, t, "PExamPlacesOnStationID", own_guid(r, g, sizeof g));
	/* the seat itself (rbd_Places is not in the package): a GUID of auditorium, row and seat */
	put(o, t, "PlacesID", gds_out_uuid5(str(r, "auditorium_id"), name, place, sizeof place));
	put(o, t, "AuditoriumID", str(r, "auditorium_id"));
	put(o, t, "StationExamAuditoryID", ea);
	put(o, t, "StationsExamsID", pa);
	put(o, t, "ParticipantsExamsOnStationID", dist);
	put(o, t, "Region", x->region_code);
	if (deleted(r))
		put(o, t, "IsDeleted", "true");
	return 1;
}

/* In the order a reader needs them: the tree, places, people, registrations, planning. */
const struct gds_out_table gds_out_tables[] = {
	{"rbd_CurrentRegion", GS_REGION, NULL, false, map_region},
	{"rbd_Areas", GS_TERRITORY, NULL, false, map_territory},
	{"rbd_Governments", GS_MUNICIPALITY, NULL, false, map_municipality},
	{"rbd_Schools", GS_SCHOOL, NULL, false, map_school},
	{"rbd_Stations", GS_ROW, "exam_point", false, map_point},
	{"rbd_Auditoriums", GS_ROW, "auditorium", true, map_auditorium},
	{"rbd_Participants", GS_ROW, "participant", false, map_participant},
	{"rbd_ParticipantsExams", GS_ROW, "exam_registration", true, map_registration},
	{"rbd_StationWorkers", GS_ROW, "staff", false, map_staff},
	{"rbd_StationsExams", GS_ROW, "exam_point_assignment", true, map_point_exam},
	{"rbd_StationExamAuditory", GS_ROW, "exam_auditorium", true, map_exam_room},
	{"rbd_ParticipantsExamPStation", GS_ROW, "seating", true, map_seat},
};
const int gds_out_tables_count = (int)(sizeof gds_out_tables / sizeof gds_out_tables[0]);

/* ---- the shared mapping, what karta does not model ---------------------------------------- */

/* What the server resolves (kt_gds_lookup): organizations by karta's numeric ids, exams by
 * ExamGlobalID. */
static const char *resolve(struct gx *x, const struct kt_gds_map_col *c, struct gds_row *row,
	char *buf, size_t n)
{
	const char *g = NULL;
	if (c->conv == KT_GC_EXAM)
		g = lookup(&x->exam_gid, str(row, "exam_id"));
	else if (c->arg && strcmp(c->arg, "org_guid") == 0)
		g = org_guid(x, row, "org_id");
	else if (c->arg && strcmp(c->arg, "grad_org_guid") == 0)
		g = org_guid(x, row, "grad_org_id");
	else if (c->arg && strcmp(c->arg, "workplace_guid") == 0)
		g = org_guid(x, row, "workplace_org_id");
	if (!g || !*g)
		return NULL;
	snprintf(buf, n, "%s", g);
	return buf;
}

/* kt_gds_render of a row read by registry_gds_row (extra's text is shared_col's): the row's
 * id, what the server resolves, else karta's value as the mapping renders it. */
static const char *render(struct gx *x, const struct kt_gds_map_col *c, struct gds_row *row,
	char *buf, size_t n)
{
	if (c->conv == KT_GC_ID)
		return json_string_value(get(row, "id"));
	if (!c->karta || c->conv == KT_GC_EXAM)
		return c->conv == KT_GC_ORG || c->conv == KT_GC_EXAM ? resolve(x, c, row, buf, n) : NULL;
	return kt_gds_render_value(c, get(row, c->karta), buf, n);
}

/* A kept column the schema does not know, after the schema's columns. */
static int unknown_col(struct gx *x, struct gds_out *o, const char *name, const json_t *v,
	bool *seen)
{
	const char *s = json_string_value(v);
	(void)x;
	if (!name || !s || o->nx == (int)(sizeof o->xname / sizeof o->xname[0]))
		return 0;
	o->xname[o->nx] = keep(o, name);
	o->xval[o->nx] = keep(o, s);
	if (!o->xname[o->nx] || !o->xval[o->nx])
		return -1;
	o->nx++;
	*seen = true;
	return 0;
}

/* The neutral value of a required column nobody gave. */
static const char *neutral(const struct gx *x, const struct kt_gds_col *c, const struct gds_out *o,
	const struct kt_gds_table *t)
{
	switch (c->type) {
	case KT_GDS_INT: return "0";
	case KT_GDS_BOOL: return "false";
	case KT_GDS_GUID: return NIL_GUID;
	case KT_GDS_DATETIME:
	case KT_GDS_DATETIME_NULL:
	case KT_GDS_DATETIME_FRAC_OPT: {
		int cd = kt_gds_col(t, "CreateDate");
		return cd >= 0 && o->val[cd] ? o->val[cd] : x->region_created;
	}
	default: return "";
	}
}

/* The map line of each column of t (NULL: none), looked up once per table. */
static const struct kt_gds_map_col *const *map_cols(const struct kt_gds_table *t,
	const struct kt_gds_map *m)
{
	static _Thread_local struct { /* per thread: tables are written side by side */
		const struct kt_gds_table *t;
		const struct kt_gds_map_col *c[KT_GDS_MAX_COLS];
	} memo[16];
	size_t k = 0;
	while (k < sizeof memo / sizeof memo[0] && memo[k].t && memo[k].t != t)
		k++;
	if (k == sizeof memo / sizeof memo[0])
		k = 0; /* never: there are 12 tables */
	if (memo[k].t != t) {
		memo[k].t = t;
		for (int i = 0; i < t->ncols; i++)
			memo[k].c[i] = kt_gds_map_col(m, t->cols[i].name);
	}
	return memo[k].c;
}

/* Column i from the shared mapping (kt_gds_map.c) and the kept text: extra's text (or its
 * null: the element was absent) first, else karta's value rendered by the mapping, else
 * what map_* said. A rendering the schema would refuse gives way to map_*'s value. */
static int shared_col(struct gx *x, const struct kt_gds_table *t, const struct kt_gds_map *m,
	const json_t *extra, struct gds_row *row, struct gds_out *o, int i)
{
	const char *name = t->cols[i].name;
	const json_t *e = json_object_get(extra, name);
	if (e) { /* an object extra: kt_gds_map's {"COLUMN": text | null} */
		o->val[i] = json_is_string(e) ? keep(o, json_string_value(e)) : NULL;
		return json_is_string(e) && !o->val[i] ? -1 : 0;
	}
	const struct kt_gds_map_col *c = m ? map_cols(t, m)[i] : NULL;
	char buf[128];
	const char *r = c ? render(x, c, row, buf, sizeof buf) : NULL;
	if (!r || kt_gds_check(&t->cols[i], r))
		return 0;
	/* a row karta deleted itself has no package flag: map_* says deleted */
	if (c->conv == KT_GC_DELETED && strcmp(r, "0") == 0 && o->val[i])
		return 0;
	return (o->val[i] = keep(o, r)) ? 0 : -1;
}

int gds_out_finish(struct gx *x, const struct kt_gds_table *t, struct gds_row *row,
	struct gds_out *o)
{
	static _Thread_local const struct kt_gds_table *last; /* the table of the row before */
	static _Thread_local const struct kt_gds_map *m;
	if (last != t) {
		last = t;
		m = kt_gds_map_of(t->name);
	}
	const json_t *extra = get(row, "extra");
	const json_t *pairs = get(row, "gds_extra"); /* organizations: [[element, text], …] */
	if (!json_is_object(extra))
		extra = NULL;
	bool unknown = false;
	for (int i = 0; i < t->ncols; i++)
		if (shared_col(x, t, m, extra, row, o, i) != 0)
			return -1;
	size_t k;
	const json_t *v;
	json_array_foreach(json_object_get(extra, "_unknown"), k, v)
		if (unknown_col(x, o, json_string_value(json_array_get(v, 0)), json_array_get(v, 1),
			&unknown) != 0)
			return -1;
	json_array_foreach(pairs, k, v) {
		const char *name = json_string_value(json_array_get(v, 0));
		int i = name ? kt_gds_col(t, name) : -1;
		const char *s = json_string_value(json_array_get(v, 1));
		if (i < 0 ? unknown_col(x, o, name, json_array_get(v, 1), &unknown) != 0
			: !o->val[i] && s && !(o->val[i] = keep(o, s)))
			return -1;
	}
	x->unknown_cols += unknown;
	for (int c = 0; c < t->ncols; c++)
		if (!o->val[c] && t->cols[c].required && !(o->val[c] = keep(o, neutral(x, &t->cols[c], o, t))))
			return -1;
	return 0;
}
