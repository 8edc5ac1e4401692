/* terms: the words the server sends as identifiers (a plan's status "approved", an item's
 * "in_progress", a submission's "returned", a level "municipality") as a person reads them.
 * In English the identifier itself is shown, as before; in Russian the field's term
 * (docs/glossary-ru.md): «утверждён», «в работе», «возвращён на доработку», «муниципалитет».
 * Only text tables and messages use these: --format json, CSV and workbooks keep the
 * identifiers so scripts and formulas keep working. */
#ifndef KT_TERMS_H
#define KT_TERMS_H

enum terms_kind {
	TERMS_PLAN_STATUS,  /* draft approved archived */
	TERMS_ITEM_STATUS,  /* not_started in_progress done not_done not_applicable blocked */
	TERMS_REPORT_STATE, /* draft submitted resubmitted returned accepted missing */
	TERMS_LEVEL,        /* region municipality school */
	TERMS_OVERDUE_KIND, /* item request */
	TERMS_HISTORY_OP,   /* create update move delete derive */
	TERMS_YES_NO,       /* yes no */
	TERMS_DATA_KIND,    /* what a sync brings: plan plan_item report_request … (replica kinds) */
	TERMS_FEED_SCOPE,   /* plans all */
	TERMS_ROLE,         /* a device's role: coordinator operator viewer */
	TERMS_EXAM_PERIOD,  /* an exam's period: early main additional reserve */
	TERMS_DEADLINE,     /* a deadline's kind and recurrence (kt_deadline): by_date monthly … */
	TERMS_PARTY,        /* a responsible party's level (kt_parties): municipal_body … */
};

/* The term for word of that kind in the user's language; word itself when none is known
 * or the language is not Russian. Never NULL for a non-NULL word. */
const char *terms_word(enum terms_kind kind, const char *word);

/* A msgid with a context, "item|updated" (marked N_() where it is written): its
 * translation, or without a Russian one the text after the '|' ("updated"). */
const char *terms_q(const char *msgid);

#endif
