/* kt_registry_cols: the column tables. docs/registries.md describes the same columns;
 * change both together. RIS tables follow docs/domain.md §8 position by position. */
#include <string.h>

#include "kt_registry.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Columns several tables share, written once: a person's name (P: the field prefix), karta's
 * identity columns (an id and the reason of a deletion), the RIS's row head and times. */
#define NAME_COLS(P) \
	{P##_LAST_NAME, "Фамилия", NULL, true, "text"}, \
	{P##_FIRST_NAME, "Имя", NULL, true, "text"}, \
	{P##_MIDDLE_NAME, "Отчество", NULL, false, "text"}
#define KARTA_IDENTITY_COLS(id, reason) \
	{id, "Идентификатор", "ID|Ид", false, "karta id or GUID"}, \
	{reason, "Причина удаления", "Удалён|Удалено", false, "text: the row is deleted"}
#define RIS_HEAD_COLS(P) \
	{P##_GUID, "Guid", NULL, true, "GUID"}, \
	{P##_DELETED, "Признак удаленной строки", NULL, true, "deleted-row flag"}
#define RIS_TIME_COLS(P) \
	{P##_CREATED, "Дата-время создания", NULL, false, "дд.ММ.гггг ЧЧ:мм:сс"}, \
	{P##_UPDATED, "Дата-время изменения", NULL, false, "дд.ММ.гггг ЧЧ:мм:сс"}

static const struct kt_reg_col participants_karta[] = {
	NAME_COLS(KT_P),
	{KT_P_DOC_TYPE, "Тип документа", "Код типа документа|Вид документа|"
		"Код типа документа, удостоверяющего личность", true, "code or name"},
	{KT_P_DOC_SERIES, "Серия документа", "Серия", false, "by document type"},
	{KT_P_DOC_NUMBER, "Номер документа", "Номер", true, "by document type"},
	{KT_P_SEX, "Пол", NULL, true, "М / Ж"},
	{KT_P_BIRTH_DATE, "Дата рождения", NULL, true, "дд.ММ.гггг"},
	{KT_P_GRADE, "Класс", NULL, false, "1-12 and a letter"},
	{KT_P_SNILS, "СНИЛС", "Страховой номер", false, "ХХХ-ХХХ-ХХХ ХХ"},
	{KT_P_SCHOOL, "Код ОО", "Код образовательной организации|ОО", true, "organization code"},
	{KT_P_CATEGORY, "Категория участника", "Категория|Код категории участника", true,
		"code or name"},
	{KT_P_FORM, "Форма ГИА", "Форма|Форма экзамена", true, "ЕГЭ / ОГЭ / ГВЭ"},
	{KT_P_OVZ, "ОВЗ", "Признак ОВЗ", false, "0 / 1"},
	{KT_P_DISABLED, "Инвалид", "Инвалидность", false, "0 / 1"},
	{KT_P_CITIZENSHIP, "Гражданство", "Код гражданства", false, "text"},
	KARTA_IDENTITY_COLS(KT_P_GUID, KT_P_REASON),
};

static const struct kt_reg_col participants_ris[] = {
	RIS_HEAD_COLS(KT_P),
	NAME_COLS(KT_P),
	{KT_P_DOC_SERIES, "Серия документа", NULL, false, "by document type"},
	{KT_P_DOC_NUMBER, "Номер документа", NULL, true, "by document type"},
	{KT_P_DOC_TYPE, "Код типа документа, удостоверяющего личность", NULL, true, "code"},
	{KT_P_SEX, "Пол", NULL, true, "0 male, 1 female"},
	{KT_P_GRADE, "Класс", NULL, false, "1-12 and a letter"},
	{KT_P_BIRTH_DATE, "Дата рождения", NULL, true, "дд.ММ.гггг"},
	{KT_P_OVZ, "Признак специализированной рассадки", NULL, false, "0 / 1"},
	{KT_P_CATEGORY, "Код категории участника", NULL, true, "code"},
	{KT_P_REGION, "Код субъекта Российской Федерации, в котором участник закончил ОО",
		NULL, false, "1-99"},
	{KT_P_SCHOOL, "Guid ОО, основная ОО участника", NULL, false, "GUID"},
	{KT_P_SCHOOL_GRAD, "Guid ОО, выпускная ОО", NULL, false, "GUID"},
	RIS_TIME_COLS(KT_P),
	{KT_P_FORM, "Форма ГИА", NULL, true, "flags 1, 2, 4"},
	{KT_P_RESULTS, "Действующие результаты ГИА", NULL, false, "0-3"},
	{KT_P_STUDY_FORM, "Код формы обучения", NULL, false, "code"},
	{KT_P_CITIZENSHIP, "Код гражданства", NULL, false, "code"},
	{KT_P_SNILS, "Снилс", NULL, false, "11 digits"},
};

static const struct kt_reg_col exam_points_karta[] = {
	{KT_E_CODE, "Код ППЭ", NULL, true, "4 digits"},
	{KT_E_NAME, "Наименование ППЭ", "Наименование", true, "text"},
	{KT_E_ADDRESS, "Адрес ППЭ", "Адрес", true, "text"},
	{KT_E_MUNICIPALITY, "Код МСУ", "Код АТЕ|МСУ", true, "organization code"},
	{KT_E_SCHOOL, "Код ОО", "Код ОО, на базе которой расположен ППЭ", false, "organization code"},
	{KT_E_CAPACITY, "Вместимость", "Количество мест", false, "1-5000"},
	{KT_E_FORM, "Форма экзамена", "Форма ГИА|Форма", true, "ЕГЭ / ОГЭ / ГВЭ, a list"},
	{KT_E_HOME, "ППЭ на дому", "На дому", false, "0 / 1"},
	{KT_E_TOM, "ТОМ", "Труднодоступная местность|Признак расположения ППЭ в ТОМ", false,
		"0 / 1"},
	{KT_E_VIDEO, "Видеонаблюдение", "Наличие видеонаблюдения|Онлайн-видеонаблюдение",
		false, "0 / 1"},
	{KT_E_KIM_PRINT, "Печать КИМ", "Печать КИМ в ППЭ", false, "0 / 1"},
	{KT_E_RESERVE, "Резервный", "Резервный ППЭ", false, "0 / 1"},
	{KT_E_PHONES, "Телефон", "Телефоны|Телефон(ы) ППЭ", false, "text"},
	{KT_E_EMAILS, "Электронная почта", "E-mail|Email", false, "addresses"},
	KARTA_IDENTITY_COLS(KT_E_GUID, KT_E_REASON),
};

static const struct kt_reg_col exam_points_ris[] = {
	RIS_HEAD_COLS(KT_E),
	{KT_E_CODE, "Код ППЭ", NULL, true, "1-4 digits"},
	{KT_E_NAME, "Наименование ППЭ", NULL, true, "text"},
	{KT_E_ADDRESS, "Адрес ППЭ", NULL, true, "text"},
	{KT_E_SCHOOL, "Guid ОО, на территории которого находится ППЭ", NULL, false, "GUID"},
	{KT_E_PCENTER, "Guid ППОИ, на территории которого обрабатываются бланки ППЭ", NULL,
		false, "GUID"},
	{KT_E_PHONES, "Телефон(ы) ППЭ", NULL, false, "text"},
	{KT_E_EMAILS, "Адрес(а) электронной почты ППЭ", NULL, false, "addresses"},
	{KT_E_TOM, "Признак расположения ППЭ в ТОМ", NULL, false, "0 / 1"},
	{KT_E_MUNICIPALITY, "Guid МСУ, к которому относится ППЭ", NULL, false, "GUID"},
	{KT_E_AREA, "Guid АТЕ, на территории которой расположен ППЭ", NULL, false, "GUID"},
	RIS_TIME_COLS(KT_E),
	{KT_E_VIDEO, "Наличие видеонаблюдения", NULL, false, "0 / 1"},
	{KT_E_FORM, "Форма экзамена", NULL, false, "code"},
	{KT_E_FLAGS, "Доп. признаки ППЭ", NULL, false, "flags"},
};

static const struct kt_reg_col auditoriums_karta[] = {
	{KT_A_PPE, "Код ППЭ", NULL, true, "4 digits"},
	{KT_A_CODE, "Код аудитории", "Номер аудитории", true, "4 digits or letters"},
	{KT_A_NAME, "Наименование аудитории", "Наименование", false, "text"},
	{KT_A_ROWS, "Количество рядов", "Рядов", true, "1-50"},
	{KT_A_SEATS, "Количество мест в ряду", "Мест в ряду", true, "1-50"},
	{KT_A_UNUSABLE, "Непригодные места", "Количество непригодных мест", false,
		"0 to rows × seats - 1"},
	{KT_A_OVZ, "ОВЗ", "Признак специализированной рассадки|Для участников с ОВЗ", false,
		"0 / 1"},
	{KT_A_VIDEO, "Видеонаблюдение", "Наличие видеонаблюдения", false, "0 / 1"},
	{KT_A_LAB, "Лаборатория", "Лабораторная", false, "0 / 1"},
	KARTA_IDENTITY_COLS(KT_A_ID, KT_A_REASON),
};

static const struct kt_reg_col staff_karta[] = {
	{KT_S_CODE, "Код работника", "Код", true, "6 digits"},
	NAME_COLS(KT_S),
	{KT_S_DOC_TYPE, "Тип документа", "Код типа документа|Вид документа", true,
		"code or name"},
	{KT_S_DOC_SERIES, "Серия документа", "Серия", false, "by document type"},
	{KT_S_DOC_NUMBER, "Номер документа", "Номер", true, "by document type"},
	{KT_S_SEX, "Пол", NULL, false, "М / Ж"},
	{KT_S_BIRTH_DATE, "Дата рождения", NULL, false, "дд.ММ.гггг"},
	{KT_S_SNILS, "СНИЛС", "Страховой номер", false, "ХХХ-ХХХ-ХХХ ХХ"},
	{KT_S_SCHOOL, "Код ОО", "Место работы|Код ОО места работы", false, "organization code"},
	{KT_S_ROLE, "Роль в ППЭ", "Должность в ППЭ|Роль", true, "code or name"},
	{KT_S_SUBJECT, "Предмет", "Специализация|Предметная специализация", false, "text"},
	{KT_S_PPE, "Код ППЭ", NULL, false, "4 digits"},
	KARTA_IDENTITY_COLS(KT_S_ID, KT_S_REASON),
};

struct layout_tab {
	const struct kt_reg_col *cols;
	size_t n;
};

static const struct layout_tab tabs[KT_REG_NKINDS][2] = {
	[KT_REG_PARTICIPANTS] = {{participants_karta, ARRAY_LEN(participants_karta)},
		{participants_ris, ARRAY_LEN(participants_ris)}},
	[KT_REG_EXAM_POINTS] = {{exam_points_karta, ARRAY_LEN(exam_points_karta)},
		{exam_points_ris, ARRAY_LEN(exam_points_ris)}},
	[KT_REG_AUDITORIUMS] = {{auditoriums_karta, ARRAY_LEN(auditoriums_karta)}, {NULL, 0}},
	[KT_REG_STAFF] = {{staff_karta, ARRAY_LEN(staff_karta)}, {NULL, 0}},
};

const struct kt_reg_col *kt_reg_columns(enum kt_reg_kind kind, enum kt_reg_layout layout,
	size_t *n)
{
	*n = 0;
	if ((unsigned)kind >= KT_REG_NKINDS || (unsigned)layout > KT_LAYOUT_RIS)
		return NULL;
	*n = tabs[kind][layout].n;
	return tabs[kind][layout].cols;
}

const char *kt_reg_field_name(enum kt_reg_kind kind, enum kt_reg_layout layout, int field)
{
	size_t n;
	const struct kt_reg_col *c = kt_reg_columns(kind, layout, &n);
	for (size_t i = 0; i < n; i++)
		if (c[i].field == field)
			return c[i].name;
	return "?";
}

int kt_reg_id_field(enum kt_reg_kind kind)
{
	static const int f[KT_REG_NKINDS] = {KT_P_GUID, KT_E_GUID, KT_A_ID, KT_S_ID};
	return (unsigned)kind < KT_REG_NKINDS ? f[kind] : -1;
}

int kt_reg_reason_field(enum kt_reg_kind kind, enum kt_reg_layout layout)
{
	static const int f[KT_REG_NKINDS] = {KT_P_REASON, KT_E_REASON, KT_A_REASON, KT_S_REASON};
	return (unsigned)kind < KT_REG_NKINDS && layout == KT_LAYOUT_KARTA ? f[kind] : -1;
}

static const char *const kind_names[KT_REG_NKINDS] = {
	"participants", "exam-points", "auditoriums", "staff"};

const char *kt_reg_kind_name(enum kt_reg_kind kind)
{
	return (unsigned)kind < KT_REG_NKINDS ? kind_names[kind] : "?";
}

int kt_reg_kind_parse(const char *s)
{
	for (int i = 0; i < KT_REG_NKINDS; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
}
