/* kt_dates: dates as people write and read them. An option that takes a date accepts the
 * ISO spelling (2024-05-20) and the Russian one (20.05.2024, also 1.9.2024); both become
 * ISO inside. A date or time a machine wrote (ISO, maybe with a time and a zone) is shown
 * to a Russian reader as дд.мм.гггг, a time with a zone in local time with the local zone's
 * name ("20.05.2024 14:30 MSK"). Machine formats (JSON, CSV for scripts) keep ISO. */
#ifndef KT_DATES_H
#define KT_DATES_H

#include <stdbool.h>
#include <stddef.h>

#define KT_DATE_ISO_LEN 11 /* "2024-05-20" and its NUL */

/* s as a real calendar date in either spelling → "YYYY-MM-DD" in iso. 0, or -1 when s is
 * neither spelling or no such day (31.02.2024). */
int kt_date_parse(const char *s, char iso[KT_DATE_ISO_LEN]);

/* A machine's date or time s for a person into buf: ru → "20.05.2024", "20.05.2024 14:30"
 * (a time with a zone — "…T11:30:00Z", "…+03", "…+03:00" — in local time and "%Z" after
 * it); !ru → s unchanged. What is not a date is copied as it is. */
void kt_date_people(const char *s, bool ru, char *buf, size_t n);

#endif
