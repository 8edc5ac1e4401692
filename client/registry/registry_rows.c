/* registry_rows: see registry_rows.h. The stored forms follow sql/0008 (karta_registry_input,
 * karta_doc_norm, the CHECKs): what the client sends is already what the server keeps, so a
 * re-import compares equal and sends nothing. */
#include "registry_rows.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_validate.h"

const char *reg_table(enum kt_reg_kind kind)
{
	switch (kind) {
	case KT_REG_PARTICIPANTS: return "participant";
	case KT_REG_EXAM_POINTS: return "exam_point";
	case KT_REG_AUDITORIUMS: return "auditorium";
	case KT_REG_STAFF: return "staff";
	}
	return "";
}

const char *reg_owner_level(enum kt_reg_kind kind)
{
	return kind == KT_REG_PARTICIPANTS ? "school" : kind == KT_REG_AUDITORIUMS ? "" : "municipality";
}

/* ---- text -------------------------------------------------------------------------------- */

static bool ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
static bool nbsp(const char *s) { return (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0; }

char *reg_fold(const char *s)
{
	if (!s)
		s = "";
	for (;;) {
		if (ws((unsigned char)*s))
			s++;
		else if (nbsp(s))
			s += 2;
		else
			break;
	}
	size_t n = strlen(s);
	for (;;) {
		if (n > 0 && ws((unsigned char)s[n - 1]))
			n--;
		else if (n >= 2 && nbsp(s + n - 2))
			n -= 2;
		else
			break;
	}
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (ws((unsigned char)s[i])) {
			while (i + 1 < n && ws((unsigned char)s[i + 1]))
				i++;
			*o++ = ' ';
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Upper case of ASCII and Cyrillic letters, in place (UTF-8 lengths do not change). */
static void upper_utf8(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		if (*p >= 'a' && *p <= 'z') {
			*p -= 32;
		} else if (p[0] == 0xD0 && p[1] >= 0xB0 && p[1] <= 0xBF) { /* а-п */
			p[1] -= 0x20;
		} else if (p[0] == 0xD1 && p[1] >= 0x80 && p[1] <= 0x8F) { /* р-я */
			p[0] = 0xD0, p[1] += 0x20;
		} else if (p[0] == 0xD1 && (p[1] == 0x91 || p[1] == 0x96)) { /* ё і */
			p[0] = 0xD0, p[1] -= 0x10;
		}
		p += *p >= 0xC0 && p[1] ? 2 : 1;
	}
}

static bool cyr_upper(const unsigned char *p)
{
	return p[0] == 0xD0 && ((p[1] >= 0x90 && p[1] <= 0xAF) || p[1] == 0x81);
}

/* karta_doc_norm: passports and numbers without spaces; a birth certificate's series in
 * upper case with Cyrillic І Х С as Latin, as ROMAN-ЛЛ. Heap. */
static char *doc_norm(long type, const char *typed, bool series)
{
	char *s = reg_fold(typed);
	if (!s)
		return NULL;
	if (type == KT_DOC_PASSPORT_RF || type == KT_DOC_PASSPORT_RF_INTL ||
	    (type == KT_DOC_BIRTH_CERT && !series)) {
		char *o = s;
		for (char *p = s; *p; p++)
			if (*p != ' ')
				*o++ = *p;
		*o = '\0';
	} else if (type == KT_DOC_BIRTH_CERT) {
		upper_utf8(s);
		char *o = s;
		for (unsigned char *p = (unsigned char *)s; *p;) { /* І Х С → I X C */
			if (p[0] == 0xD0 && (p[1] == 0x86 || p[1] == 0xA5 || p[1] == 0xA1)) {
				*o++ = p[1] == 0x86 ? 'I' : p[1] == 0xA5 ? 'X' : 'C';
				p += 2;
			} else {
				*o++ = (char)*p++;
			}
		}
		*o = '\0';
		size_t r = strspn(s, "IVXLC");
		const char *l = s + r + (s[r] == ' ' || s[r] == '-');
		if (r > 0 && strlen(l) == 4 && cyr_upper((const unsigned char *)l) &&
		    cyr_upper((const unsigned char *)l + 2)) {
			char *t = malloc(r + 6);
			if (!t) {
				free(s);
				return NULL;
			}
			memcpy(t, s, r);
			t[r] = '-';
			memcpy(t + r + 1, l, 5);
			free(s);
			s = t;
		}
	}
	return s;
}

/* ---- columns --------------------------------------------------------------------------------- */

struct cols {
	const struct reg_row *row;
	json_t *o;
	bool oom;
};

static const char *val(const struct cols *c, int f) { return c->row->v[f] ? c->row->v[f] : ""; }
static bool has(const struct cols *c, int f) { return c->row->has[f]; }

static void put(struct cols *c, const char *col, json_t *v)
{
	if (!v || json_object_set_new(c->o, col, v) != 0)
		c->oom = true;
}

static void text(struct cols *c, const char *col, int f)
{
	if (!has(c, f))
		return;
	char *s = reg_fold(val(c, f));
	put(c, col, s ? json_string(s) : NULL);
	free(s);
}

static void flag(struct cols *c, const char *col, int f)
{
	bool b = false;
	if (has(c, f) && !kt_check_flag(val(c, f), &b))
		put(c, col, json_boolean(b));
}

/* A whole number, or null when empty (dflt < 0) / dflt. */
static void number(struct cols *c, const char *col, int f, long lo, long hi, long dflt)
{
	long n;
	if (!has(c, f))
		return;
	if (kt_parse_int(val(c, f), lo, hi, &n))
		put(c, col, json_integer(n));
	else
		put(c, col, dflt < 0 ? json_null() : json_integer(dflt));
}

static void date(struct cols *c, const char *col, int f)
{
	struct kt_date d;
	char iso[16];
	if (!has(c, f))
		return;
	if (kt_check_date(val(c, f), &d)) {
		put(c, col, json_null());
		return;
	}
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", d.y % 10000, d.m % 100, d.d % 100);
	put(c, col, json_string(iso));
}

/* A GUID in lower case without braces, null when empty. */
static void guid(struct cols *c, const char *col, int f)
{
	if (!has(c, f))
		return;
	char *s = reg_fold(val(c, f));
	if (!s) {
		c->oom = true;
		return;
	}
	char *p = s + (*s == '{');
	size_t n = strlen(p);
	if (n && p[n - 1] == '}')
		p[--n] = '\0';
	for (char *q = p; *q; q++)
		if (*q >= 'A' && *q <= 'F')
			*q += 32;
	put(c, col, *p ? json_string(p) : json_null());
	free(s);
}

/* A GUID as the file wrote it (folded; "" when empty): the interop spelling kept. */
static void guid_text(struct cols *c, const char *col, int f)
{
	if (!has(c, f))
		return;
	char *s = reg_fold(val(c, f));
	put(c, col, s ? json_string(s) : NULL);
	free(s);
}

/* An interop timestamp дд.ММ.гггг ЧЧ:мм:сс as the SQL timestamp(0) reads back in JSON
 * ("2025-09-01T10:00:00"), null when empty or not a timestamp. */
static void stamp(struct cols *c, const char *col, int f)
{
	if (!has(c, f))
		return;
	char *s = reg_fold(val(c, f));
	int d, m, y, hh, mi, ss, k = 0;
	char iso[32];
	if (!s) {
		c->oom = true;
		return;
	}
	if (*s && !kt_check_datetime(s) &&
	    sscanf(s, "%2d.%2d.%4d %2d:%2d:%2d%n", &d, &m, &y, &hh, &mi, &ss, &k) == 6 && !s[k]) {
		snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d", y % 10000, m % 100, d % 100,
			hh % 100, mi % 100, ss % 100);
		put(c, col, json_string(iso));
	} else {
		put(c, col, json_null());
	}
	free(s);
}

/* The interop deleted-row flag as its code (0 when not a flag: the checks refused it). */
static void deleted_flag(struct cols *c, const char *col, int f)
{
	int d = 0;
	if (has(c, f) && kt_check_deleted(val(c, f), &d))
		d = 0;
	put(c, col, json_integer(d));
}

static void snils(struct cols *c, const char *col, int f)
{
	if (!has(c, f))
		return;
	char buf[32], *o = buf;
	for (const char *p = val(c, f); *p && o < buf + sizeof buf - 1; p++)
		if (*p >= '0' && *p <= '9')
			*o++ = *p;
	*o = '\0';
	put(c, col, json_string(buf));
}

/* The person's fields participants and staff share. */
static void person(struct cols *c, int last, int doc_type, int sex, int birth, int sn)
{
	text(c, "surname", last);
	text(c, "name", last + 1);
	text(c, "patronymic", last + 2);
	long dt = kt_doc_type_parse(val(c, doc_type));
	put(c, "doc_type", json_integer(dt));
	char *ser = has(c, doc_type + 1) ? doc_norm(dt, val(c, doc_type + 1), true) : NULL;
	char *num = doc_norm(dt, val(c, doc_type + 2), false);
	if (has(c, doc_type + 1))
		put(c, "doc_series", ser ? json_string(ser) : NULL);
	put(c, "doc_number", num ? json_string(num) : NULL);
	free(ser);
	free(num);
	if (has(c, sex)) {
		int x = kt_parse_sex(val(c, sex), c->row->layout == KT_LAYOUT_RIS);
		put(c, "sex", x ? json_integer(x) : json_null());
	}
	date(c, "birth_date", birth);
	snils(c, "snils", sn);
}

static void participant(struct cols *c)
{
	bool ris = c->row->layout == KT_LAYOUT_RIS;
	person(c, KT_P_LAST_NAME, KT_P_DOC_TYPE, KT_P_SEX, KT_P_BIRTH_DATE, KT_P_SNILS);
	text(c, "class", KT_P_GRADE);
	put(c, "category", json_integer(kt_category_parse(val(c, KT_P_CATEGORY))));
	int form = ris ? kt_form_from_ris(val(c, KT_P_FORM), kt_grade_parse(val(c, KT_P_GRADE)))
		: kt_form_parse(val(c, KT_P_FORM));
	put(c, "form", json_integer(form));
	flag(c, "ovz", KT_P_OVZ);
	flag(c, "disabled", KT_P_DISABLED);
	text(c, "citizenship", KT_P_CITIZENSHIP);
	if (ris) {
		guid(c, "guid", KT_P_GUID);
		number(c, "region_code", KT_P_REGION, 1, 99, -1);
		number(c, "results", KT_P_RESULTS, 0, 3, -1);
		number(c, "study_form", KT_P_STUDY_FORM, 0, 99, -1);
		/* kept only to hand the file back as written */
		guid_text(c, "ris_guid", KT_P_GUID);
		deleted_flag(c, "ris_deleted", KT_P_DELETED);
		stamp(c, "ris_created", KT_P_CREATED);
		stamp(c, "ris_updated", KT_P_UPDATED);
		guid_text(c, "ris_school_guid", KT_P_SCHOOL);
		guid_text(c, "ris_grad_guid", KT_P_SCHOOL_GRAD);
	}
}

static void exam_point(struct cols *c)
{
	bool ris = c->row->layout == KT_LAYOUT_RIS;
	long code = 0;
	char buf[8];
	kt_parse_int(val(c, KT_E_CODE), 0, 9999, &code);
	snprintf(buf, sizeof buf, "%04ld", code % 10000); /* interop codes drop leading zeros */
	put(c, "code", json_string(buf));
	text(c, "name", KT_E_NAME);
	text(c, "address", KT_E_ADDRESS);
	if (!ris && has(c, KT_E_SCHOOL)) {
		char *s = reg_fold(val(c, KT_E_SCHOOL));
		put(c, "host_org", s ? json_string(s) : NULL);
		free(s);
	}
	number(c, "capacity", KT_E_CAPACITY, 1, 5000, -1);
	if (ris) {
		long f;
		if (has(c, KT_E_FORM) && kt_parse_int(val(c, KT_E_FORM), 1, 15, &f))
			put(c, "forms", json_integer(f));
		guid(c, "guid", KT_E_GUID);
		number(c, "extra_flags", KT_E_FLAGS, 0, 65535, -1);
		guid_text(c, "pcenter_guid", KT_E_PCENTER);
		guid_text(c, "area_guid", KT_E_AREA);
		guid_text(c, "ris_guid", KT_E_GUID);
		deleted_flag(c, "ris_deleted", KT_E_DELETED);
		stamp(c, "ris_created", KT_E_CREATED);
		stamp(c, "ris_updated", KT_E_UPDATED);
		guid_text(c, "ris_school_guid", KT_E_SCHOOL);
		guid_text(c, "ris_msu_guid", KT_E_MUNICIPALITY);
	} else if (has(c, KT_E_FORM)) {
		put(c, "forms", json_integer(kt_form_parse(val(c, KT_E_FORM))));
	}
	flag(c, "at_home", KT_E_HOME);
	flag(c, "remote", KT_E_TOM);
	flag(c, "video", KT_E_VIDEO);
	flag(c, "kim_print", KT_E_KIM_PRINT);
	flag(c, "reserve", KT_E_RESERVE);
	text(c, "phones", KT_E_PHONES);
	text(c, "emails", KT_E_EMAILS);
}

static void auditorium(struct cols *c)
{
	text(c, "code", KT_A_CODE);
	text(c, "name", KT_A_NAME);
	long rows = 0, seats = 0, bad = 0;
	kt_parse_int(val(c, KT_A_ROWS), 1, 50, &rows);
	kt_parse_int(val(c, KT_A_SEATS), 1, 50, &seats);
	put(c, "rows", json_integer(rows));
	put(c, "seats_per_row", json_integer(seats));
	if (has(c, KT_A_UNUSABLE)) { /* the last seats, as the server's "unusable" count does */
		kt_parse_int(val(c, KT_A_UNUSABLE), 0, 2500, &bad);
		json_t *a = json_array();
		for (long x = rows * seats, i = x - bad + 1; a && bad > 0 && i <= x; i++)
			json_array_append_new(a, json_integer(i));
		put(c, "unusable_seats", a);
	}
	flag(c, "ovz_adapted", KT_A_OVZ);
	flag(c, "video", KT_A_VIDEO);
	flag(c, "lab", KT_A_LAB);
}

static void staff(struct cols *c)
{
	static const char *const roles[] = {"head", "organizer_in", "organizer_out", "technician",
		"assistant", "medic", "gek"};
	text(c, "code", KT_S_CODE);
	person(c, KT_S_LAST_NAME, KT_S_DOC_TYPE, KT_S_SEX, KT_S_BIRTH_DATE, KT_S_SNILS);
	if (has(c, KT_S_SCHOOL)) {
		char *s = reg_fold(val(c, KT_S_SCHOOL));
		put(c, "workplace_org", s ? json_string(s) : NULL);
		free(s);
	}
	text(c, "subject", KT_S_SUBJECT);
	int r = kt_role_parse(val(c, KT_S_ROLE));
	json_t *a = json_array();
	if (a && r >= 1 && r <= 7)
		json_array_append_new(a, json_string(roles[r - 1]));
	put(c, "roles", a);
}

json_t *reg_row_columns(const struct reg_row *row)
{
	struct cols c = {row, json_object(), false};
	if (!c.o)
		return NULL;
	switch (row->kind) {
	case KT_REG_PARTICIPANTS: participant(&c); break;
	case KT_REG_EXAM_POINTS: exam_point(&c); break;
	case KT_REG_AUDITORIUMS: auditorium(&c); break;
	case KT_REG_STAFF: staff(&c); break;
	}
	if (c.oom) {
		json_decref(c.o);
		return NULL;
	}
	return c.o;
}

/* Would the row pass every check were it live? (A history row is checked for its keys only.) */
static bool valid_if_live(const struct reg_row *row)
{
	struct kt_field_errors e;
	if (row->kind == KT_REG_PARTICIPANTS) {
		struct kt_participant p = {.layout = row->layout};
		memcpy(p.v, row->v, sizeof p.v);
		p.v[KT_P_DELETED] = "0";
		return kt_participant_check(&p, NULL, &e) == 0;
	}
	struct kt_exam_point p = {.layout = row->layout};
	memcpy(p.v, row->v, sizeof p.v);
	p.v[KT_E_DELETED] = "0";
	return kt_exam_point_check(&p, &e) == 0;
}

bool reg_row_deleted(const struct reg_row *row)
{
	int f = row->kind == KT_REG_PARTICIPANTS ? KT_P_DELETED
		: row->kind == KT_REG_EXAM_POINTS ? KT_E_DELETED : -1;
	int d = 0;
	return row->layout == KT_LAYOUT_RIS && f >= 0 && !kt_check_deleted(row->v[f], &d) && d != 0 &&
		!valid_if_live(row);
}

/* ---- keys and ids ---------------------------------------------------------------------------- */

void reg_row_key(const struct reg_row *row, char *out, size_t n)
{
	const char *const *v = row->v;
	char *a = NULL, *b = NULL;
	if (row->layout == KT_LAYOUT_RIS) {
		int f = row->kind == KT_REG_PARTICIPANTS ? KT_P_GUID : KT_E_GUID;
		a = reg_fold(v[f]);
		char *p = a ? a + (*a == '{') : NULL;
		if (p && *p && p[strlen(p) - 1] == '}')
			p[strlen(p) - 1] = '\0';
		for (char *q = p; q && *q; q++)
			if (*q >= 'A' && *q <= 'F')
				*q += 32;
		snprintf(out, n, "guid:%s", p ? p : "");
	} else if (row->kind == KT_REG_PARTICIPANTS) {
		long dt = kt_doc_type_parse(v[KT_P_DOC_TYPE]);
		a = doc_norm(dt, v[KT_P_DOC_SERIES], true);
		b = doc_norm(dt, v[KT_P_DOC_NUMBER], false);
		int k = snprintf(out, n, "doc:%ld:", dt);
		char *o = out + (k > 0 && (size_t)k < n ? k : 0), *end = out + n - 1;
		for (int part = 0; part < 2; part++)
			for (const char *p = part ? b : a; p && *p && o < end; p++) {
				if (strchr(" ./-", *p))
					continue;
				if (strncmp(p, "№", strlen("№")) == 0) {
					p += strlen("№") - 1;
					continue;
				}
				*o++ = *p;
			}
		*o = '\0';
		upper_utf8(out);
	} else if (row->kind == KT_REG_AUDITORIUMS) {
		a = reg_fold(v[KT_A_CODE]);
		snprintf(out, n, "aud:%s", a ? a : "");
		upper_utf8(out);
	} else {
		int f = row->kind == KT_REG_EXAM_POINTS ? KT_E_CODE : KT_S_CODE;
		a = reg_fold(v[f]);
		snprintf(out, n, "code:%s", a ? a : "");
	}
	free(a);
	free(b);
}

void reg_uuid5(const char *scope, const char *key, char out[REG_ID_LEN])
{
	/* karta's namespace for registry rows (a fixed random UUID) */
	static const unsigned char ns[16] = {0x3f, 0x1c, 0x9a, 0x52, 0x7d, 0x4e, 0x4b, 0x8a, 0x9c,
		0x1e, 0x2a, 0x6f, 0x4d, 0x8b, 0x0e, 0x17};
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, ns, sizeof ns) != 1 ||
	    EVP_DigestUpdate(ctx, scope, strlen(scope)) != 1 || EVP_DigestUpdate(ctx, "\n", 1) != 1 ||
	    EVP_DigestUpdate(ctx, key, strlen(key)) != 1 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen < 16) {
		memset(md, 0, sizeof md); /* not reached with a working libcrypto */
	}
	EVP_MD_CTX_free(ctx);
	md[6] = (unsigned char)((md[6] & 0x0F) | 0x50); /* version 5 */
	md[8] = (unsigned char)((md[8] & 0x3F) | 0x80); /* RFC 4122 variant */
	char *o = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		o += snprintf(o, 3, "%02x", md[i]);
	}
}

/* ---- comparison -------------------------------------------------------------------------------- */

bool reg_row_same(const json_t *cols, const json_t *payload)
{
	const char *k;
	json_t *v;
	json_t *del = json_object_get(payload, "deleted_at");
	json_t *hist = json_object_get(cols, "ris_deleted");
	if (del && !json_is_null(del) && !(json_is_integer(hist) && json_integer_value(hist) != 0))
		return false; /* a deleted row is not the file's live one (the server says so) */
	json_object_foreach((json_t *)cols, k, v) {
		if (strcmp(k, "host_org") == 0 || strcmp(k, "workplace_org") == 0) {
			json_t *code = json_object_get(payload, k);
			if (json_is_string(code)) {
				if (!json_equal(code, v))
					return false;
				continue;
			}
			char idk[32];
			snprintf(idk, sizeof idk, "%s_id", k);
			json_t *id = json_object_get(payload, idk);
			if ((*json_string_value(v) != '\0') != (id && !json_is_null(id)))
				return false;
			continue;
		}
		json_t *p = json_object_get(payload, k);
		if (!p || !json_equal(p, v))
			return false;
	}
	return true;
}

/* ---- string map --------------------------------------------------------------------------------- */

static char empty[1]; /* the value of every entry put with "" or NULL */

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The entry of key (hash h), or the free one where it goes: the keys of other hashes are not
 * read (a probe touches the table only, not the keys' memory). */
static struct reg_map_entry *slot(const struct reg_map *m, const char *key, uint64_t h)
{
	size_t i = (size_t)(h & (m->cap - 1));
	while (m->e[i].key && (m->e[i].hash != h || strcmp(m->e[i].key, key) != 0))
		i = (i + 1) & (m->cap - 1);
	return &m->e[i];
}

int reg_map_put(struct reg_map *m, const char *key, const char *val, long num)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct reg_map g = {calloc(m->cap ? m->cap * 2 : 64, sizeof *g.e), m->cap ? m->cap * 2 : 64, m->n};
		if (!g.e)
			return -1;
		for (size_t i = 0; i < m->cap; i++)
			if (m->e[i].key)
				*slot(&g, m->e[i].key, m->e[i].hash) = m->e[i];
		free(m->e);
		*m = g;
	}
	uint64_t h = fnv(key);
	struct reg_map_entry *e = slot(m, key, h);
	char *v = val && *val ? strdup(val) : empty; /* most values are "": one shared copy */
	if (!v)
		return -1;
	if (!e->key) {
		if (!(e->key = strdup(key))) {
			free(v);
			return -1;
		}
		e->hash = h;
		m->n++;
	} else if (e->val != empty) {
		free(e->val);
	}
	e->val = v;
	e->num = num;
	return 0;
}

const struct reg_map_entry *reg_map_get(const struct reg_map *m, const char *key)
{
	if (!m->cap)
		return NULL;
	const struct reg_map_entry *e = slot(m, key, fnv(key));
	return e->key ? e : NULL;
}

void reg_map_free(struct reg_map *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->e[i].key);
		if (m->e[i].val != empty)
			free(m->e[i].val);
	}
	free(m->e);
	memset(m, 0, sizeof *m);
}
