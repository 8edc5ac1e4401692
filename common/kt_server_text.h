/* kt_server_text: a text the server made (a refusal, a planning summary, a deadline warning
 * stored with an item) in the user's language. kartad speaks English only, and each text is
 * written once, in its SQL (or C); po/server_texts.py reads the templates out of sql/,
 * server/admin/ and common/kt_deadline*.c at build time into kt_server_texts[] (most specific
 * first), and po/ru/server.po translates them. A text is matched against the templates
 * (anchored at both ends; each %s an argument, shortest first, possibly empty), the first
 * matching template is translated through the catalogue and its arguments put back in
 * (%s in order, %2$s by position when Russian reorders), each argument itself rendered
 * the same way (a state "approved", a nested summary after "dry run: "). A text no template
 * matches, or any text when the user does not read Russian, is returned unchanged: English
 * output stays byte-identical, and machine formats never call this. */
#ifndef KT_SERVER_TEXT_H
#define KT_SERVER_TEXT_H

#include <stddef.h>

struct kt_stext {
	const char *msgid; /* "no write access to plan %s": %s an argument, %% a percent */
	int nargs;
};

/* Generated (build/gen/kt_server_texts.c). */
extern const struct kt_stext kt_server_texts[];
extern const size_t kt_server_texts_n;

/* text as the user reads it: in Russian (into buf, valid UTF-8, cut at a character
 * boundary to fit size) when the locale is Russian and a template matches; else text
 * itself. NULL text gives "". */
const char *kt_server_text(const char *text, char *buf, size_t size);

/* The same over any table and translation function (tests): tr(msgid) returns the
 * translation, or msgid itself when there is none. */
const char *kt_server_text_with(const struct kt_stext *tab, size_t n, const char *(*tr)(const char *),
	const char *text, char *buf, size_t size);

#endif
