/* op_words: queued ops' summaries and kinds for people (op_words.h). The summaries outbox.c
 * writes are templates of their own ("item %s %s «%s»"), matched and rendered by the same
 * matcher as the server's texts (kt_server_text_with) over the table below; a record op's
 * summary is its kind and id, the kind named by the table of kinds. */
#include "op_words.h"

#include <string.h>

#include "kt_i18n.h"
#include "kt_server_text.h"
#include "terms.h"

/* outbox.c describe(): most specific first */
static const struct kt_stext summaries[] = {
	{N_("item edit %s «%s»"), 2},
	{N_("item add %s «%s»"), 2},
	{N_("plan import: %s items"), 1},
	{N_("plan derive from %s"), 1},
	{N_("conflict %s: keep %s"), 2},
	{N_("plan create «%s»"), 1},
	{N_("plan approve %s"), 1},
	{N_("plan archive %s"), 1},
	{N_("item delete %s"), 1},
	{N_("plan edit «%s»"), 1},
	{N_("item move %s"), 1},
	{N_("mine"), 0},
	{N_("theirs"), 0},
};

/* replica_outbox_kinds' kinds: the summaries' first words, the record ops' kinds */
static const struct {
	const char *kind, *label;
} kinds[] = {
	{"item add", N_("op kind|item add")},
	{"item edit", N_("op kind|item edit")},
	{"item move", N_("op kind|item move")},
	{"item delete", N_("op kind|item delete")},
	{"plan create", N_("op kind|plan create")},
	{"plan edit", N_("op kind|plan edit")},
	{"plan approve", N_("op kind|plan approve")},
	{"plan archive", N_("op kind|plan archive")},
	{"plan derive", N_("op kind|plan derive")},
	{"plan import", N_("op kind|plan import")},
	{"conflict resolve", N_("op kind|conflict resolve")},
	{"record", N_("op kind|record")},
	{"status_set", N_("op kind|status_set")},
	{"report_request_put", N_("op kind|report_request_put")},
	{"report_draft", N_("op kind|report_draft")},
	{"report_submit", N_("op kind|report_submit")},
	{"report_accept", N_("op kind|report_accept")},
	{"report_return", N_("op kind|report_return")},
	{"registry_put", N_("op kind|registry_put")},
	{"registry_delete", N_("op kind|registry_delete")},
	{"registry_gds_put", N_("op kind|registry_gds_put")},
	{"exam_point_assign", N_("op kind|exam_point_assign")},
	{"exam_auditorium_assign", N_("op kind|exam_auditorium_assign")},
	{"exam_plan_point", N_("op kind|exam_plan_point")},
	{"exam_distribute", N_("op kind|exam_distribute")},
	{"exam_distribute_manual", N_("op kind|exam_distribute_manual")},
	{"exam_seat", N_("op kind|exam_seat")},
	{"exam_seat_manual", N_("op kind|exam_seat_manual")},
	{"exam_assign_staff", N_("op kind|exam_assign_staff")},
	{"exam_lock", N_("op kind|exam_lock")},
	{"exam_unlock", N_("op kind|exam_unlock")},
	{"exam_settings", N_("op kind|exam_settings")},
};

static const char *tr(const char *msgid) { return _(msgid); }

const char *op_words_kind(const char *kind)
{
	if (!kind || !kt_i18n_russian())
		return kind ? kind : "";
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return terms_q(kinds[i].label); /* untranslated: the kind after the '|' */
	return kind;
}

const char *op_words_summary(const char *summary, char *buf, size_t n)
{
	if (!summary || !kt_i18n_russian())
		return summary ? summary : "";
	const char *r = kt_server_text_with(summaries, sizeof summaries / sizeof summaries[0], tr, summary,
		buf, n);
	if (r != summary)
		return r;
	/* a record op: "<kind> <id>" */
	size_t w = strcspn(summary, " ");
	char kind[64];
	if (w == 0 || w >= sizeof kind || !summary[w])
		return summary;
	memcpy(kind, summary, w);
	kind[w] = '\0';
	const char *k = op_words_kind(kind);
	if (strcmp(k, kind) == 0)
		return summary;
	size_t kl = strlen(k);
	if (kl + strlen(summary + w) + 1 > n)
		return summary;
	memcpy(buf, k, kl);
	strcpy(buf + kl, summary + w);
	return buf;
}
