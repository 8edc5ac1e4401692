/* record_kinds: the kinds a RecordOp may carry (status, report, registry and exam-planning
 * writes). Plan and item writes are never among them: they travel only as their own typed
 * messages (PlanPut, ItemPut, PlanImport, …), whose checks and deadline normalization run in
 * kartad (ops.c, h_upload.c). */
#ifndef KT_RECORD_KINDS_H
#define KT_RECORD_KINDS_H

#include <stdbool.h>

/* true when kind is a record operation a client may send in a RecordOp. */
bool record_kind_allowed(const char *kind);

#endif
