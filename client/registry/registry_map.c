/* registry_map: replica rows (JSON, keys = SQL columns) → CSV record values of karta's or
 * the interop layout, the inverse of the importer (registry_map.h). Every value is written
 * in the one form that reads back to the same stored value; see docs/registries.md
 * «Export» for what a round trip keeps. */
#define _DEFAULT_SOURCE /* timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kt_validate.h"
#include "registry_map.h"

/* ---- values ------------------------------------------------------------------------------ */

char *regmap_text(const json_t *v)
{
	char buf[64];
	if (!v || json_is_null(v))
		return strdup("");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return strdup(buf);
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof buf, "%g", json_real_value(v));
		return strdup(buf);
	}
	if (json_is_boolean(v))
		return strdup(json_is_true(v) ? "1" : "0");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

bool regmap_int(const json_t *v, long long *out)
{
	if (json_is_integer(v)) {
		*out = (long long)json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d != (double)(long long)d)
			return false;
		*out = (long long)d;
		return true;
	}
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v), *p = s + (*s == '-');
	if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 18)
		return false;
	*out = strtoll(s, NULL, 10);
	return true;
}

bool regmap_bool(const json_t *v)
{
	long long n;
	if (json_is_boolean(v))
		return json_is_true(v);
	if (regmap_int(v, &n))
		return n != 0;
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	return strcasecmp(s, "t") == 0 || strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0;
}

/* n digits at s; -1 when they are not all digits. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

void regmap_date(const char *iso, char *out, size_t n)
{
	out[0] = '\0';
	if (!iso || strlen(iso) < 10 || iso[4] != '-' || iso[7] != '-')
		return;
	int y = digits(iso, 4), m = digits(iso + 5, 2), d = digits(iso + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31 || (iso[10] && iso[10] != 'T' && iso[10] != ' '))
		return;
	snprintf(out, n, "%02d.%02d.%04d", d, m, y);
}

void regmap_datetime(const char *ts, char *out, size_t n)
{
	out[0] = '\0';
	if (!ts || strlen(ts) < 19 || (ts[10] != 'T' && ts[10] != ' ') || ts[13] != ':' ||
	    ts[16] != ':')
		return;
	char day[16];
	regmap_date(ts, day, sizeof day);
	int hh = digits(ts + 11, 2), mi = digits(ts + 14, 2), ss = digits(ts + 17, 2);
	if (!day[0] || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
		return;
	const char *p = ts + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	long off = 0; /* seconds east of UTC */
	if (*p == '+' || *p == '-') {
		int oh = digits(p + 1, 2), om = 0;
		const char *q = p + 3;
		if (*q == ':')
			q++;
		if (*q)
			om = digits(q, 2);
		if (oh < 0 || om < 0)
			return;
		off = (*p == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
	} else if (*p && *p != 'Z') {
		return;
	}
	struct tm tm = {.tm_year = digits(ts, 4) - 1900, .tm_mon = digits(ts + 5, 2) - 1,
		.tm_mday = digits(ts + 8, 2), .tm_hour = hh, .tm_min = mi, .tm_sec = ss};
	time_t t = timegm(&tm) - off;
	struct tm lt;
	if (!localtime_r(&t, &lt))
		return;
	strftime(out, n, "%d.%m.%Y %H:%M:%S", &lt);
}

void regmap_snils(const char *s, char *out, size_t n)
{
	if (s && strlen(s) == 11 && strspn(s, "0123456789") == 11)
		snprintf(out, n, "%.3s-%.3s-%.3s %.2s", s, s + 3, s + 6, s + 9);
	else
		snprintf(out, n, "%s", s ? s : "");
}

void regmap_forms(long long bits, char *out, size_t n)
{
	static const struct { int bit; const char *word; } w[] = {
		{KT_FORM_EGE, "ЕГЭ"}, {KT_FORM_OGE, "ОГЭ"}, {KT_FORM_GVE, "ГВЭ"}};
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (bits & w[i].bit) {
			int k = snprintf(out + len, n - len, "%s%s", len ? ", " : "", w[i].word);
			if (k < 0 || (size_t)k >= n - len)
				return;
			len += (size_t)k;
		}
}

int regmap_forms_ris(long long bits)
{
	return ((bits & (KT_FORM_EGE | KT_FORM_OGE)) ? 1 : 0) | ((bits & KT_FORM_GVE) ? 2 : 0) |
		((bits & KT_FORM_OTHER) ? 4 : 0);
}

int regmap_role(const json_t *v)
{
	/* sql/0008 karta_staff_roles(), in kt_staff_role order */
	static const char *const words[] = {"head", "organizer_in", "organizer_out", "technician",
		"assistant", "medic", "gek"};
	long long c;
	if (regmap_int(v, &c))
		return c >= 1 && c <= 7 ? (int)c : 0;
	if (!json_is_string(v))
		return 0;
	for (int i = 0; i < 7; i++)
		if (strcmp(json_string_value(v), words[i]) == 0)
			return i + 1;
	int c2 = kt_role_parse(json_string_value(v)); /* a Russian name, as a file gives it */
	return c2 > 0 ? c2 : 0;
}

void regmap_ppe_ris(const char *code, char *out, size_t n)
{
	const char *p = code ? code : "";
	if (strspn(p, "0123456789") == strlen(p) && *p) {
		while (p[0] == '0' && p[1])
			p++;
	}
	snprintf(out, n, "%s", p);
}

void regmap_citizenship_ris(const char *s, char *out, size_t n)
{
	static const char *const russia[] = {"россия", "рф", "российская федерация"};
	char f[128];
	size_t len = s ? strlen(s) : 0;
	out[0] = '\0';
	if (len >= 1 && len <= 3 && strspn(s, "0123456789") == len) {
		snprintf(out, n, "%s", s);
		return;
	}
	kt_reg_fold(s ? s : "", f, sizeof f);
	for (size_t i = 0; i < sizeof russia / sizeof russia[0]; i++)
		if (strcmp(f, russia[i]) == 0)
			snprintf(out, n, "643"); /* ОКСМ */
}

/* ---- records ------------------------------------------------------------------------------ */

struct build {
	struct regmap_rec *rec;
	const json_t *row;
	bool oom;
};

static void put(struct build *b, int field, const char *s)
{
	free(b->rec->v[field]);
	b->rec->v[field] = strdup(s ? s : "");
	if (!b->rec->v[field])
		b->oom = true;
}

static const json_t *get(const struct build *b, const char *key)
{
	return json_object_get(b->row, key);
}

static const char *str(const struct build *b, const char *key)
{
	const char *s = json_string_value(get(b, key));
	return s ? s : "";
}

/* The column as text (numbers in decimal). */
static void col(struct build *b, int field, const char *key)
{
	char *s = regmap_text(get(b, key));
	if (!s) {
		b->oom = true;
		return;
	}
	free(b->rec->v[field]);
	b->rec->v[field] = s;
}

static void flag(struct build *b, int field, const char *key)
{
	put(b, field, regmap_bool(get(b, key)) ? "1" : "0");
}

static void date(struct build *b, int field, const char *key)
{
	char d[32];
	regmap_date(str(b, key), d, sizeof d);
	put(b, field, d);
}

static void datetime(struct build *b, int field, const char *key)
{
	char d[64];
	regmap_datetime(str(b, key), d, sizeof d);
	put(b, field, d);
}

static void sex(struct build *b, int field, bool ris)
{
	long long v = 0;
	regmap_int(get(b, "sex"), &v);
	static const char *const karta[] = {"", "М", "Ж"}, *const interop[] = {"", "0", "1"};
	put(b, field, v == 1 || v == 2 ? (ris ? interop : karta)[v] : "");
}

static void snils(struct build *b, int field, bool ris)
{
	char s[64];
	if (ris)
		snprintf(s, sizeof s, "%s", str(b, "snils"));
	else
		regmap_snils(str(b, "snils"), s, sizeof s);
	put(b, field, s);
}

static void forms(struct build *b, int field, const char *key, bool ris)
{
	long long v;
	char s[64] = "";
	if (regmap_int(get(b, key), &v)) {
		if (ris)
			snprintf(s, sizeof s, "%d", regmap_forms_ris(v));
		else
			regmap_forms(v, s, sizeof s);
	}
	put(b, field, s);
}

/* The row's own interop GUID: as the file spelled it (ris_guid), else guid, else its karta
 * id (also a UUID, and as stable). */
static void guid(struct build *b, int field)
{
	put(b, field, *str(b, "ris_guid") ? str(b, "ris_guid")
		: *str(b, "guid") ? str(b, "guid") : str(b, "id"));
}

/* A row an interop file brought (it keeps the GUID as written). */
static bool from_ris(const struct build *b)
{
	return *str(b, "ris_guid") != '\0';
}

/* An interop timestamp: the file's as given ("2025-09-01T10:00:00", no time zone) for a row
 * a file brought, even when empty; else karta's own (timestamptz) in local time. */
static void ris_stamp(struct build *b, int field, const char *ris_key, const char *own_key)
{
	if (!from_ris(b)) {
		datetime(b, field, own_key);
		return;
	}
	const char *ts = str(b, ris_key);
	char d[64] = "";
	int hh, mi, ss, k = 0;
	regmap_date(ts, d, sizeof d);
	if (d[0] && sscanf(ts + 10, "%*1[T ]%2d:%2d:%2d%n", &hh, &mi, &ss, &k) == 3)
		snprintf(d + strlen(d), sizeof d - strlen(d), " %02d:%02d:%02d", hh, mi, ss);
	else
		d[0] = '\0';
	put(b, field, d);
}

/* The deleted-row flag: the file's code, else 0 for a live row and dflt for a deleted one. */
static void ris_deleted(struct build *b, int field, const char *dflt);

/* A text the file wrote (key), else the fallback (an organization's GUID from the caller). */
static const char *kept(const struct build *b, const char *key, const char *fallback)
{
	return *str(b, key) ? str(b, key) : fallback ? fallback : "";
}

static bool deleted(const struct build *b)
{
	const json_t *d = get(b, "deleted_at");
	return d && !json_is_null(d) && !(json_is_string(d) && !*json_string_value(d));
}

static const char *ref(const char *s) { return s ? s : ""; }

static void ris_deleted(struct build *b, int field, const char *dflt)
{
	long long d = 0;
	char s[24];
	if (regmap_int(get(b, "ris_deleted"), &d) && d != 0)
		snprintf(s, sizeof s, "%lld", d);
	else
		snprintf(s, sizeof s, "%s", deleted(b) ? dflt : "0");
	put(b, field, s);
}

/* karta's layout: «Идентификатор» (the row's GUID when it came with one, else its karta id)
 * and «Причина удаления» (a deleted row's reason; "удалено" when it was given none). */
static void karta_identity(struct build *b, int id_field, int reason_field)
{
	put(b, id_field, *str(b, "guid") ? str(b, "guid") : str(b, "id"));
	put(b, reason_field, !deleted(b) ? "" : *str(b, "deleted_reason") ? str(b, "deleted_reason")
		: "удалено");
}

/* A person's name and identity document: the participant and staff layouts keep these six
 * columns in one order, from surname on. */
_Static_assert(KT_P_DOC_NUMBER - KT_P_LAST_NAME == 5 && KT_S_DOC_NUMBER - KT_S_LAST_NAME == 5,
	"kt_registry.h: the person columns, surname to doc_number, in one run");
static void person(struct build *b, int surname)
{
	static const char *const keys[] = {"surname", "name", "patronymic", "doc_type",
		"doc_series", "doc_number"};
	for (int i = 0; i < 6; i++)
		col(b, surname + i, keys[i]);
}

static void participant(struct build *b, bool ris, const struct regmap_refs *r)
{
	person(b, KT_P_LAST_NAME);
	sex(b, KT_P_SEX, ris);
	date(b, KT_P_BIRTH_DATE, "birth_date");
	col(b, KT_P_GRADE, "class");
	snils(b, KT_P_SNILS, ris);
	col(b, KT_P_CATEGORY, "category");
	forms(b, KT_P_FORM, "form", ris);
	flag(b, KT_P_OVZ, "ovz");
	col(b, KT_P_CITIZENSHIP, "citizenship");
	if (!ris) {
		karta_identity(b, KT_P_GUID, KT_P_REASON);
		put(b, KT_P_SCHOOL, ref(r->owner));
		flag(b, KT_P_DISABLED, "disabled");
		return;
	}
	guid(b, KT_P_GUID);
	char cit[16];
	regmap_citizenship_ris(str(b, "citizenship"), cit, sizeof cit);
	put(b, KT_P_CITIZENSHIP, cit);
	ris_deleted(b, KT_P_DELETED, "2"); /* 2: deleted by the school (ОО) */
	col(b, KT_P_REGION, "region_code");
	put(b, KT_P_SCHOOL, kept(b, "ris_school_guid", r->owner_guid));
	put(b, KT_P_SCHOOL_GRAD, kept(b, "ris_grad_guid",
		r->other_guid ? r->other_guid : ref(r->owner_guid)));
	ris_stamp(b, KT_P_CREATED, "ris_created", "created_at");
	ris_stamp(b, KT_P_UPDATED, "ris_updated", "updated_at");
	col(b, KT_P_RESULTS, "results");
	col(b, KT_P_STUDY_FORM, "study_form");
}

static void exam_point(struct build *b, bool ris, const struct regmap_refs *r)
{
	col(b, KT_E_NAME, "name");
	col(b, KT_E_ADDRESS, "address");
	col(b, KT_E_PHONES, "phones");
	col(b, KT_E_EMAILS, "emails");
	flag(b, KT_E_TOM, "remote");
	flag(b, KT_E_VIDEO, "video");
	if (!ris) {
		karta_identity(b, KT_E_GUID, KT_E_REASON);
		forms(b, KT_E_FORM, "forms", false);
		col(b, KT_E_CODE, "code");
		put(b, KT_E_MUNICIPALITY, ref(r->owner));
		put(b, KT_E_SCHOOL, ref(r->other));
		col(b, KT_E_CAPACITY, "capacity");
		flag(b, KT_E_HOME, "at_home");
		flag(b, KT_E_KIM_PRINT, "kim_print");
		flag(b, KT_E_RESERVE, "reserve");
		return;
	}
	char code[16];
	regmap_ppe_ris(str(b, "code"), code, sizeof code);
	guid(b, KT_E_GUID);
	ris_deleted(b, KT_E_DELETED, "1"); /* 1: deleted by the municipality (МСУ) */
	put(b, KT_E_CODE, code);
	/* «Форма экзамена» of an exam point is a code the importer keeps as the form set */
	col(b, KT_E_FORM, "forms");
	put(b, KT_E_SCHOOL, kept(b, "ris_school_guid", r->other_guid));
	col(b, KT_E_PCENTER, "pcenter_guid");
	put(b, KT_E_MUNICIPALITY, kept(b, "ris_msu_guid", r->owner_guid));
	col(b, KT_E_AREA, "area_guid");
	ris_stamp(b, KT_E_CREATED, "ris_created", "created_at");
	ris_stamp(b, KT_E_UPDATED, "ris_updated", "updated_at");
	long long x = 0;
	char s[24] = ""; /* null: the file left it empty */
	if (regmap_int(get(b, "extra_flags"), &x))
		snprintf(s, sizeof s, "%lld", x);
	put(b, KT_E_FLAGS, s);
}

static void auditorium(struct build *b, const struct regmap_refs *r)
{
	karta_identity(b, KT_A_ID, KT_A_REASON);
	put(b, KT_A_PPE, ref(r->point));
	col(b, KT_A_CODE, "code");
	col(b, KT_A_NAME, "name");
	col(b, KT_A_ROWS, "rows");
	col(b, KT_A_SEATS, "seats_per_row");
	long long n = 0;
	const json_t *seats = get(b, "unusable_seats");
	if (json_is_array(seats))
		n = (long long)json_array_size(seats);
	else
		regmap_int(get(b, "unusable"), &n); /* a local payload of the importer */
	char s[24];
	snprintf(s, sizeof s, "%lld", n);
	put(b, KT_A_UNUSABLE, s);
	flag(b, KT_A_OVZ, "ovz_adapted");
	flag(b, KT_A_VIDEO, "video");
	flag(b, KT_A_LAB, "lab");
}

static void staff(struct build *b, const struct regmap_refs *r)
{
	karta_identity(b, KT_S_ID, KT_S_REASON);
	col(b, KT_S_CODE, "code");
	person(b, KT_S_LAST_NAME);
	sex(b, KT_S_SEX, false);
	date(b, KT_S_BIRTH_DATE, "birth_date");
	snils(b, KT_S_SNILS, false);
	put(b, KT_S_SCHOOL, ref(r->other));
	col(b, KT_S_SUBJECT, "subject");
	put(b, KT_S_PPE, ref(r->point));
	/* roles: codes in the stored order; one role (what a file row carries) is one code */
	char s[64] = "";
	size_t len = 0, i;
	const json_t *roles = get(b, "roles"), *one;
	if (json_is_array(roles)) {
		json_array_foreach(roles, i, one) {
			int c = regmap_role(one);
			if (c && len + 4 < sizeof s)
				len += (size_t)snprintf(s + len, sizeof s - len, "%s%d", len ? ", " : "", c);
		}
	} else if (regmap_role(roles)) {
		snprintf(s, sizeof s, "%d", regmap_role(roles));
	}
	put(b, KT_S_ROLE, s);
}

static const int nfields[KT_REG_NKINDS] = {KT_P_NFIELDS, KT_E_NFIELDS, KT_A_NFIELDS,
	KT_S_NFIELDS};

int regmap_record(enum kt_reg_kind kind, enum kt_reg_layout layout, const json_t *row,
	const struct regmap_refs *refs, struct regmap_rec *out)
{
	size_t ncols;
	regmap_rec_release(out);
	if ((unsigned)kind >= KT_REG_NKINDS || !kt_reg_columns(kind, layout, &ncols))
		return -1;
	static const struct regmap_refs none = {0};
	struct build b = {out, row, false};
	bool ris = layout == KT_LAYOUT_RIS;
	refs = refs ? refs : &none;
	switch (kind) {
	case KT_REG_PARTICIPANTS: participant(&b, ris, refs); break;
	case KT_REG_EXAM_POINTS: exam_point(&b, ris, refs); break;
	case KT_REG_AUDITORIUMS: auditorium(&b, refs); break;
	case KT_REG_STAFF: staff(&b, refs); break;
	}
	for (int f = 0; f < nfields[kind]; f++) /* fields the layout lacks: "" */
		if (!out->v[f])
			put(&b, f, "");
	if (b.oom) {
		regmap_rec_release(out);
		return -1;
	}
	return 0;
}

void regmap_rec_release(struct regmap_rec *r)
{
	for (size_t i = 0; i < KT_REG_MAX_FIELDS; i++) {
		free(r->v[i]);
		r->v[i] = NULL;
	}
}

size_t regmap_fields(enum kt_reg_kind kind, enum kt_reg_layout layout,
	const struct regmap_rec *rec, const char **out, size_t cap)
{
	size_t n;
	const struct kt_reg_col *c = kt_reg_columns(kind, layout, &n);
	for (size_t i = 0; c && i < n && i < cap; i++)
		out[i] = rec->v[c[i].field] ? rec->v[c[i].field] : "";
	return c ? n : 0;
}
