/* kt_i18n: the language of what a person reads. GNU gettext: a string marked _("…") is
 * looked up in the "karta" catalogue (po/ru/<part>.po, built into karta.mo) when the locale's
 * messages are Russian (LANG=ru_RU.UTF-8), and stays English otherwise. N_("…") marks a
 * string kept in a table and translated where it is printed; P_(one, many, n) picks the
 * plural form (Russian has three).
 * Only what people read is marked: log lines (kt_log), --format json, CSV header keys of
 * --keys and protocol strings stay English identifiers. */
#ifndef KT_I18N_H
#define KT_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define _(s) gettext(s)
#define N_(s) s
#define P_(one, many, n) ngettext(one, many, n)

/* Called once at the start of main of a program people use (karta, karta-admin): takes
 * LC_CTYPE and LC_MESSAGES from the environment (numbers and times stay "C": machine
 * formats never change with the locale) and binds the catalogue from $KARTA_LOCALEDIR,
 * the build tree (next to the binary) or the installed locale directory. */
void kt_i18n_init(void);

/* Whether the user reads Russian: the messages locale is ru_* (after kt_i18n_init).
 * CSV for people, dates and number formats follow it. */
bool kt_i18n_russian(void);

#endif
