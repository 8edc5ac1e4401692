/* kt_dates: both spellings of a date are accepted and only real days; machine dates and
 * times shown to a Russian reader (дд.мм.гггг, a zoned time in local time with its zone);
 * anything else is left as it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../kt_unit.h"

#include "kt_dates.h"

static void test_parse(void **state)
{
	static const struct {
		const char *in, *iso; /* iso NULL: refused */
	} cases[] = {
		{"2024-05-20", "2024-05-20"}, {"20.05.2024", "2024-05-20"}, {"1.9.2024", "2024-09-01"},
		{"29.02.2024", "2024-02-29"}, {"2024-02-29", "2024-02-29"},
		{"29.02.2023", NULL}, {"31.04.2024", NULL}, {"2024-13-01", NULL}, {"00.01.2024", NULL},
		{"20.05.24", NULL}, {"2024-5-20", NULL}, {"20-05-2024", NULL}, {"20.05.2024x", NULL},
		{"2024-05-20 ", NULL}, {"", NULL}, {"завтра", NULL}, {"120.05.2024", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char iso[KT_DATE_ISO_LEN] = "";
		int rc = kt_date_parse(cases[i].in, iso);
		if (cases[i].iso ? rc != 0 || strcmp(iso, cases[i].iso) != 0 : rc == 0)
			fail_msg("'%s': rc %d, '%s'", cases[i].in, rc, iso);
	}
	char iso[KT_DATE_ISO_LEN];
	assert_int_equal(kt_date_parse(NULL, iso), -1);
}

static void test_people(void **state)
{
	setenv("TZ", "Europe/Moscow", 1); /* UTC+3, no summer time since 2014 */
	tzset();
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"2024-05-20", "20.05.2024"},
		{"2024-05-20 14:30", "20.05.2024 14:30"},        /* no zone: as written */
		{"2024-05-20 14:30:59", "20.05.2024 14:30"},
		{"2024-05-20T11:30:00Z", "20.05.2024 14:30 MSK"},  /* UTC → local */
		{"2024-05-20T14:30:00+05", "20.05.2024 12:30 MSK"}, /* Yekaterinburg → Moscow */
		{"2024-05-20 23:30:00.123+00:00", "21.05.2024 02:30 MSK"},
		{"20.05.2024", "20.05.2024"},                    /* already a person's */
		{"2024-05-20..2024-06-01", "2024-05-20..2024-06-01"}, /* not one date: untouched */
		{"2024-02-30", "2024-02-30"}, {"never", "never"}, {"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[64];
		kt_date_people(cases[i].in, true, buf, sizeof buf);
		if (strcmp(buf, cases[i].out) != 0)
			fail_msg("'%s': got '%s', want '%s'", cases[i].in, buf, cases[i].out);
	}
	char buf[64];
	kt_date_people("2024-05-20T11:30:00Z", false, buf, sizeof buf); /* English: ISO kept */
	assert_string_equal(buf, "2024-05-20T11:30:00Z");
	kt_date_people("2024-05-20", true, buf, 6); /* a short buffer stays terminated */
	assert_string_equal(buf, "20.05");
}

KT_UNIT_MAIN(NULL, NULL,
	cmocka_unit_test(test_parse),
	cmocka_unit_test(test_people))
