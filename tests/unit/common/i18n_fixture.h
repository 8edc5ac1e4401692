/* i18n_fixture: a unit test's language, as a user's environment sets it (LANG, no LC_ALL,
 * LC_MESSAGES or LANGUAGE over it), then kt_i18n_init (the build tree's catalogue). */
#ifndef KT_I18N_FIXTURE_H
#define KT_I18N_FIXTURE_H

#include <stdlib.h>

#include "kt_i18n.h"

static inline void i18n_fixture_lang(const char *lang)
{
	setenv("LANG", lang, 1);
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANGUAGE");
	kt_i18n_init();
}

#endif
