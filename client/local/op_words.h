/* op_words: a queued op's one-line summary and its kind («item add 1.1 «Собрания»»,
 * "registry_put …") in the user's words. The outbox keeps them in English (outbox.c writes
 * them; replica_outbox_kinds groups by their first words), and karta status and sync show
 * them through these: in Russian «мероприятие: добавление 1.1 «Собрания»», «запись реестра …»;
 * otherwise byte for byte as stored. */
#ifndef KT_OP_WORDS_H
#define KT_OP_WORDS_H

#include <stddef.h>

/* summary as the user reads it: buf, or summary itself when nothing is to be translated. */
const char *op_words_summary(const char *summary, char *buf, size_t n);

/* A kind of replica_outbox_kinds ("item add", "registry_put", "conflict resolve"). */
const char *op_words_kind(const char *kind);

#endif
