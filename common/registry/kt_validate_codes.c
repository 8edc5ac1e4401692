/* kt_validate_codes: coded values given as a code or a name (document types, participant
 * categories, exam forms, staff roles, sex, grade). Names compare folded (kt_reg_fold),
 * so «Паспорт гражданина РФ» and «паспорт  гражданина рф» are one. */
#include <string.h>

#include "kt_validate_int.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

int kt_v_code_parse(const struct kt_v_code *t, size_t n, const char *s, bool by_number)
{
	char f[128];
	kt_reg_fold(s ? s : "", f, sizeof f);
	size_t len = strlen(f);
	if (by_number && len > 0 && len <= 3 && strspn(f, "0123456789") == len) {
		int code = 0;
		for (const char *p = f; *p; p++)
			code = code * 10 + (*p - '0');
		for (size_t i = 0; i < n; i++)
			if (t[i].code == code)
				return code;
	}
	for (size_t i = 0; i < n; i++)
		if (kt_reg_names_match(t[i].names, f))
			return t[i].code;
	return -1;
}

static const struct kt_v_code doc_types[] = {
	{KT_DOC_PASSPORT_RF, "Паспорт гражданина РФ|паспорт гражданина Российской Федерации|"
		"паспорт РФ|паспорт"},
	{KT_DOC_BIRTH_CERT, "Свидетельство о рождении|свидетельство"},
	{KT_DOC_FOREIGN_PASSPORT, "Паспорт иностранного гражданина|иностранный паспорт|"
		"документ иностранного гражданина"},
	{KT_DOC_RESIDENCE, "Вид на жительство"},
	{KT_DOC_PASSPORT_RF_INTL, "Заграничный паспорт гражданина РФ|загранпаспорт|"
		"заграничный паспорт"},
	{KT_DOC_OTHER, "Иной документ|иной|другой документ"},
};

static const struct kt_v_code categories[] = {
	{KT_CAT_CURRENT, "Выпускник текущего года|ВТГ|обучающийся|обучающийся ОО"},
	{KT_CAT_PAST, "Выпускник прошлых лет|ВПЛ"},
	{KT_CAT_POO, "Обучающийся ПОО|ПОО|СПО|обучающийся СПО"},
	{KT_CAT_FOREIGN, "Обучающийся иностранной ОО|иностранная ОО"},
	{KT_CAT_RETAKE, "Не прошедший ГИА в прошлом году|не прошедший ГИА|повторно"},
};

static const struct kt_v_code roles[] = {
	{KT_ROLE_HEAD, "Руководитель ППЭ|руководитель"},
	{KT_ROLE_ORG_IN, "Организатор в аудитории"},
	{KT_ROLE_ORG_OUT, "Организатор вне аудитории"},
	{KT_ROLE_TECH, "Технический специалист|техспециалист"},
	{KT_ROLE_ASSISTANT, "Ассистент"},
	{KT_ROLE_MEDIC, "Медицинский работник|медработник"},
	{KT_ROLE_GEK, "Член ГЭК"},
};

/* Unknown is 0 for the public parsers (every real code is > 0). */
static int parse0(const struct kt_v_code *t, size_t n, const char *s)
{
	int c = kt_v_code_parse(t, n, s, true);
	return c < 0 ? 0 : c;
}

/* The canonical name: the part before the first '|', kept in a table of static copies
 * (names are short and the tables are small). */
static const char *canon(const struct kt_v_code *t, size_t n, int code, char (*store)[96])
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].code != code)
			continue;
		if (!store[i][0]) {
			size_t len = strcspn(t[i].names, "|");
			if (len >= sizeof store[i])
				len = sizeof store[i] - 1;
			memcpy(store[i], t[i].names, len);
			store[i][len] = '\0';
		}
		return store[i];
	}
	return "?";
}

static char doc_store[ARRAY_LEN(doc_types)][96];
static char cat_store[ARRAY_LEN(categories)][96];
static char role_store[ARRAY_LEN(roles)][96];

int kt_doc_type_parse(const char *s) { return parse0(doc_types, ARRAY_LEN(doc_types), s); }
int kt_category_parse(const char *s) { return parse0(categories, ARRAY_LEN(categories), s); }
int kt_role_parse(const char *s) { return parse0(roles, ARRAY_LEN(roles), s); }

const char *kt_doc_type_name(int code)
{
	return canon(doc_types, ARRAY_LEN(doc_types), code, doc_store);
}

const char *kt_category_name(int code)
{
	return canon(categories, ARRAY_LEN(categories), code, cat_store);
}

const char *kt_role_name(int code) { return canon(roles, ARRAY_LEN(roles), code, role_store); }

int kt_parse_sex(const char *s, bool ris)
{
	static const struct kt_v_code karta[] = {
		{1, "М|муж|мужской|м.|M|male"}, {2, "Ж|жен|женский|ж.|F|female"}};
	static const struct kt_v_code interop[] = {{1, "0"}, {2, "1"}};
	/* by name only: a karta "1" must not pass as male when it was the interop female */
	int c = ris ? kt_v_code_parse(interop, 2, s, false) : kt_v_code_parse(karta, 2, s, false);
	return c < 0 ? 0 : c;
}

/* One form word of a karta list. */
static int form_word(const char *w)
{
	static const struct kt_v_code forms[] = {
		{KT_FORM_EGE, "ЕГЭ"}, {KT_FORM_OGE, "ОГЭ"}, {KT_FORM_GVE, "ГВЭ|ГВЭ-9|ГВЭ-11"}};
	int c = kt_v_code_parse(forms, ARRAY_LEN(forms), w, false);
	return c < 0 ? 0 : c;
}

int kt_form_parse(const char *s)
{
	char b[KT_V_SHORT];
	if (!kt_v_trim(s, b, sizeof b) || !b[0])
		return 0;
	int set = 0;
	for (char *w = strtok(b, ",;/+ "); w; w = strtok(NULL, ",;/+ ")) {
		int f = form_word(w);
		if (!f)
			return 0;
		set |= f;
	}
	return set;
}

int kt_form_from_ris(const char *flags, int grade)
{
	long v;
	if (!kt_parse_int(flags, 1, 7, &v))
		return 0;
	int set = 0;
	if (v & 1) /* the same flag means ОГЭ in grade 9 and ЕГЭ otherwise */
		set |= grade > 0 && grade <= 10 ? KT_FORM_OGE : KT_FORM_EGE;
	if (v & 2)
		set |= KT_FORM_GVE;
	if (v & 4)
		set |= KT_FORM_OTHER;
	return set;
}

int kt_grade_parse(const char *s)
{
	char b[KT_V_SHORT], f[KT_V_SHORT];
	if (!kt_v_trim(s, b, sizeof b))
		return 0;
	kt_reg_fold(b, f, sizeof f);
	const char *p = f;
	int g = 0;
	while (*p >= '0' && *p <= '9' && p - f < 3)
		g = g * 10 + (*p++ - '0');
	if (p == f || p - f > 2 || g < 1 || g > 12) /* one or two digits, as karta_grade */
		return 0;
	if (*p == ' ' || *p == '-')
		p++;
	if (!*p)
		return g;
	/* one letter: ASCII, or a 2-byte Cyrillic а-я (folded to lower case already) */
	unsigned char c0 = (unsigned char)p[0];
	bool ascii = c0 >= 'a' && c0 <= 'z' && !p[1];
	bool cyr = (c0 == 0xD0 || c0 == 0xD1) && p[1] && !p[2];
	return ascii || cyr ? g : 0;
}
