/* table_out: the destination of a table command's output (see table_out.h): stdout, a
 * file replaced only when complete, or an xlsx workbook. csv and json with -o go through
 * a 0600 temporary file (registry listings are personal data) renamed at the end, as
 * kt_xlsx does for workbooks. A workbook's headers are Russian (docs/ui-terms-ru.md): the
 * columns keep their names in text, CSV and JSON, and a table of labels here, by column
 * name and, where a name means different things, by sheet, gives the spreadsheet's. */
#include "table_out.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "kt_i18n.h"

/* --- Russian headers of the workbooks --------------------------------------------------- */

static const struct {
	const char *sheet; /* NULL: any sheet */
	const char *name, *label;
} labels[] = {
	/* where a name means something else on that sheet */
	{"Просрочено", "due", "Срок"},
	{"Просрочено", "title", "Содержание"},
	{"Отчёты", "due", "Срок"},
	{"Отчёты", "org", "Организация"},
	{"Отчёты", "no", "Версия"},
	{"Отчёты", "title", "Наименование"},
	{"Участники", "name", "Имя"},
	{"Регистрации на экзамены", "name", "Имя"},
	{"Работники ППЭ", "name", "Имя"},
	{"Работники ППЭ", "code", "Код работника"},
	{"Работники по ППЭ", "exam_point", "ППЭ"},
	{"Мероприятия", "title", "Мероприятие"},
	{"Планы", "title", "Наименование"},
	{"История изменений", "org", "Организация"},
	/* the roll-up */
	{NULL, "org", "Код"}, {NULL, "name", "Наименование"}, {NULL, "municipality", "Муниципалитет"},
	{NULL, "items", "Мероприятий"}, {NULL, "due", "Срок наступил"}, {NULL, "done", "Выполнено"},
	{NULL, "done %", "Выполнено, %"}, {NULL, "overdue", "Просрочено"},
	{NULL, "not reported", "Нет отчёта"}, {NULL, "in progress", "В работе"},
	{NULL, "blocked", "Приостановлено"}, {NULL, "reports due", "Запрошено отчётов"},
	{NULL, "reports missing", "Отчётов нет"}, {NULL, "returned", "Возвращено на доработку"},
	{NULL, "last submission", "Последний отчёт"}, {NULL, "schools", "ОО"},
	{NULL, "sch. items", "Мероприятий ОО"}, {NULL, "sch. done", "Выполнено ОО"},
	{NULL, "sch. done %", "Выполнено ОО, %"}, {NULL, "sch. overdue", "Просрочено ОО"},
	{NULL, "sch. not reported", "Нет отчёта ОО"}, {NULL, "schools late", "ОО с просрочкой"},
	{NULL, "item", "Мероприятие"}, {NULL, "deadline", "Срок"}, {NULL, "status", "Статус"},
	{NULL, "municipalities", "Муниципалитетов"}, {NULL, "orgs below", "Организаций ниже"},
	{NULL, "mun. done", "Выполнили муниципалитеты"},
	{NULL, "mun. done %", "Выполнили муниципалитеты, %"},
	{NULL, "mun. overdue", "Просрочили муниципалитеты"},
	{NULL, "mun. not reported", "Нет отчёта муниципалитетов"},
	/* overdue, duplicates */
	{NULL, "kind", "Вид"}, {NULL, "number", "Номер"}, {NULL, "state", "Состояние"},
	{NULL, "match", "Совпадение"}, {NULL, "person", "Участник"}, {NULL, "born", "Дата рождения"},
	{NULL, "other school", "Другая ОО"}, {NULL, "person there", "Участник в другой ОО"},
	{NULL, "born there", "Дата рождения в другой ОО"},
	/* control reports and the seating list (the server's columns) */
	{NULL, "point", "ППЭ"}, {NULL, "auditorium", "Аудитория"}, {NULL, "seat_row", "Ряд"},
	{NULL, "seat", "Место"}, {NULL, "participant", "Идентификатор участника"},
	{NULL, "manual", "Вручную"}, {NULL, "capacity", "Мест"}, {NULL, "seated", "Рассажено"},
	{NULL, "fill_pct", "Заполнение, %"}, {NULL, "registered", "Зарегистрировано"},
	{NULL, "distributed", "Распределено"}, {NULL, "not_distributed", "Не распределено"},
	{NULL, "points", "ППЭ задействовано"}, {NULL, "reserved", "Резерв мест"},
	{NULL, "shortage", "Не хватает мест"}, {NULL, "free_seats", "Свободных мест"},
	{NULL, "unseated", "Не рассажено"}, {NULL, "organizers_needed", "Нужно организаторов"},
	{NULL, "organizers", "Организаторов"}, {NULL, "organizers_missing", "Не хватает организаторов"},
	{NULL, "heads", "Руководителей ППЭ"}, {NULL, "heads_missing", "Нет руководителя ППЭ"},
	/* registries */
	{NULL, "school", "ОО"}, {NULL, "class", "Класс"}, {NULL, "surname", "Фамилия"},
	{NULL, "patronymic", "Отчество"}, {NULL, "birth_date", "Дата рождения"},
	{NULL, "form", "Форма ГИА"}, {NULL, "category", "Категория"}, {NULL, "id", "Идентификатор"},
	{NULL, "date", "Дата"}, {NULL, "subject_code", "Код предмета"}, {NULL, "subject", "Предмет"},
	{NULL, "gia", "ГИА"}, {NULL, "period", "Период"}, {NULL, "exam_date", "Дата экзамена"},
	{NULL, "global_id", "ExamGlobalID"},
	{NULL, "code", "Код"}, {NULL, "address", "Адрес"}, {NULL, "forms", "Формы ГИА"},
	{NULL, "at_home", "На дому"}, {NULL, "remote", "ТОМ"}, {NULL, "video", "Видеонаблюдение"},
	{NULL, "reserve", "Резервный"}, {NULL, "exam_point", "Код ППЭ"}, {NULL, "rows", "Рядов"},
	{NULL, "seats_per_row", "Мест в ряду"}, {NULL, "seats", "Мест"}, {NULL, "ovz", "ОВЗ"},
	{NULL, "lab", "Лаборатория"}, {NULL, "roles", "Роли в ППЭ"},
	{NULL, "workplace", "Место работы"}, {NULL, "exam_points", "ППЭ"},
	{NULL, "staff", "Работник"}, {NULL, "deleted", "Удалено"},
	/* plans, history, reports */
	{NULL, "owner", "Владелец"}, {NULL, "level", "Уровень"}, {NULL, "year", "Учебный год"},
	{NULL, "writable", "Можно изменять"}, {NULL, "title", "Наименование"},
	{NULL, "field", "Поле"}, {NULL, "value", "Значение"}, {NULL, "section", "Раздел"},
	{NULL, "section_title", "Наименование раздела"}, {NULL, "ordinal", "Порядок"},
	{NULL, "parent_item_id", "Вышестоящий пункт"}, {NULL, "responsible", "Ответственные"},
	{NULL, "municipal", "Муниципальный уровень"},
	{NULL, "institutional", "Институциональный уровень"}, {NULL, "result", "Результат"},
	{NULL, "target", "Для кого"}, {NULL, "mark", "Отметка"},
	{NULL, "derived_from", "Из пункта"}, {NULL, "delete_reason", "Причина удаления"},
	{NULL, "version", "Версия"}, {NULL, "op", "Действие"}, {NULL, "at", "Когда"},
	{NULL, "device", "Устройство"}, {NULL, "fields", "Поля"}, {NULL, "request", "Запрос"},
	{NULL, "receiver", "Кому"}, {NULL, "from", "Кто отчитывается"},
	{NULL, "submission", "Отчёт"}, {NULL, "submitted", "Направлен"},
	{NULL, "return reason", "Причина возврата"},
};

const char *table_out_label(const char *sheet, const char *name)
{
	const char *any = NULL;
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].name, name) == 0) {
			if (labels[i].sheet && sheet && strcmp(labels[i].sheet, sheet) == 0)
				return labels[i].label;
			if (!labels[i].sheet && !any)
				any = labels[i].label;
		}
	return any ? any : name;
}

int table_out_open(struct table_out *o, struct plan_fmt_out *fo, const char *path,
	const struct opt_cmd *c)
{
	*o = (struct table_out){.f = stdout, .path = path};
	fo->xlsx = NULL;
	if (path && !*path)
		return opts_fail(c, _("-o needs a file name"));
	if (path && fo->format == KT_TABLE_TEXT)
		return opts_fail(c, _("-o FILE is for --format csv, json or xlsx (the table is for "
				    "the terminal)"));
	if (fo->format == KT_TABLE_XLSX) {
		if (!path && isatty(fileno(stdout)))
			return opts_fail(c, _("--format xlsx writes a workbook, not text for the "
					    "terminal: give -o FILE.xlsx"));
		char err[KT_XLSX_ERR_LEN];
		fo->xlsx = kt_xlsx_open(path, path ? NULL : stdout, err, sizeof err);
		if (!fo->xlsx) {
			fprintf(stderr, "karta: %s\n", err);
			return EXIT_RUNTIME;
		}
		return EXIT_OK;
	}
	if (!path)
		return EXIT_OK;
	snprintf(o->tmp, sizeof o->tmp, "%s.tmp-%ld", path, (long)getpid());
	int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	o->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!o->f) {
		fprintf(stderr, _("karta: cannot create '%s': %s\n"), o->tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int table_out_close(struct table_out *o, struct plan_fmt_out *fo, int rc)
{
	char err[KT_XLSX_ERR_LEN];
	if (fo->xlsx) {
		struct kt_xlsx *x = fo->xlsx;
		fo->xlsx = NULL;
		if (rc != EXIT_OK) {
			kt_xlsx_discard(x);
			return rc;
		}
		if (kt_xlsx_commit(x, err, sizeof err) != 0) {
			fprintf(stderr, "karta: %s\n", err);
			return EXIT_RUNTIME;
		}
	} else if (o->f && o->f != stdout) {
		errno = 0;
		if (fclose(o->f) != 0 && rc == EXIT_OK) {
			fprintf(stderr, _("karta: cannot write '%s': %s\n"), o->tmp, strerror(errno));
			rc = EXIT_RUNTIME;
		}
		if (rc == EXIT_OK && rename(o->tmp, o->path) != 0) {
			fprintf(stderr, _("karta: cannot rename '%s' to '%s': %s\n"), o->tmp, o->path,
				strerror(errno));
			rc = EXIT_RUNTIME;
		}
		if (rc != EXIT_OK) {
			unlink(o->tmp);
			return rc;
		}
	} else {
		return rc;
	}
	if (o->path && !o->quiet)
		printf(_("written to %s\n"), o->path);
	return EXIT_OK;
}

bool table_out_pipe_closed(void)
{
	struct pollfd p = {.fd = fileno(stdout), .events = 0};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

int table_out_fail(const char *why)
{
	int e = errno;
	if (e == EPIPE || table_out_pipe_closed()) {
		fflush(stderr);
		_exit(EXIT_OK);
	}
	fprintf(stderr, _("karta: cannot write the output: %s\n"),
		why ? why : e ? strerror(e) : _("write error"));
	return -1;
}

int table_out_write(const struct kt_table *t, const struct plan_fmt_out *fo,
	const struct kt_table_opts *to, const char *title, FILE *out)
{
	int rc;
	errno = 0;
	if (fo->format != KT_TABLE_XLSX) {
		rc = kt_table_write(t, fo->format, to, out);
		return rc != 0 ? table_out_fail(NULL) : 0;
	}
	if (!fo->xlsx) {
		return table_out_fail(_("no workbook is open"));
	}
	size_t nc;
	const struct kt_col *cols = kt_table_cols(t, &nc);
	struct kt_col *ru = malloc(nc * sizeof *ru);
	if (!ru) {
		return table_out_fail(_("out of memory"));
	}
	for (size_t c = 0; c < nc; c++) {
		ru[c] = cols[c];
		ru[c].name = table_out_label(title, cols[c].name);
	}
	rc = kt_xlsx_sheet(fo->xlsx, title, ru, nc);
	for (size_t r = 0; rc == 0 && r < kt_table_rows(t); r++)
		rc = kt_xlsx_row(fo->xlsx, kt_table_row(t, r));
	free(ru);
	return rc != 0 ? table_out_fail(kt_xlsx_error(fo->xlsx)) : 0;
}
