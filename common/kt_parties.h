/* kt_parties: who an item is addressed to, read from its «Ответственные» and «Участники /
 * Целевая группа» cells. The result drives plan derivation (which items a municipality or
 * a school takes over) and is stored with the item as JSON.
 *
 * Parties are recognised by words and stems, not by exact strings, so spellings vary
 * freely («Руководители ОО», «ОО», «МОУ», «общеобразовательные организации»):
 *   region_body    РЦОИ, ЦОИ, ГЭК, ИРОК, КЦМКО, ИРО, министерство …
 *   municipal_body УО, МОУО, ОМСУ, управление образования, ИМЦ, муниципальный …
 *   all_schools    ОО, ОУ, МОУ, руководители ОО, образовательные организации, школы …
 *   school         a named school («МОУ «СОШ №3»»)
 *   unit           a department of the plan's own body («Отдел оценки качества образования»)
 * Targets: «Кластер 4 – ШНРО» → group "кластер 4"; «все ОО» → all schools. */
#ifndef KT_PARTIES_H
#define KT_PARTIES_H

#include <jansson.h>

/* {"levels": ["municipal_body", ...]} — the distinct party kinds, in a fixed order. */
json_t *kt_parties_responsible(const char *responsible_text);

/* {"all_schools": bool, "groups": ["кластер 4", ...], "schools": []} */
json_t *kt_parties_targets(const char *target_text);

/* The same objects as text appended to t, byte for byte as json_dumps(…, JSON_COMPACT) writes
 * them (kt_jtext.h), no tree built (kartad's Upload ops, server/handlers/ops.c). */
struct kt_jtext;
void kt_parties_responsible_text(const char *responsible_text, struct kt_jtext *t);
void kt_parties_targets_text(const char *target_text, struct kt_jtext *t);

#endif
