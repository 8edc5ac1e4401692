/* plan_fmt: what the plan and item commands share — a plan as the client reads it (all
 * pages of PlanPage merged into one document), the call/result plumbing that turns server
 * answers into the commands' output contract, new ids, and the renderings of plans,
 * items and history as text tables, CSV and JSON (through common/kt_table).
 *
 * Every function that talks to the server or prints a result returns an exit code
 * (EXIT_OK, EXIT_RUNTIME) and has already written "karta: ..." to stderr when it is not
 * EXIT_OK, so a command can return it directly. */
#ifndef KT_PLAN_FMT_H
#define KT_PLAN_FMT_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdio.h>

#include "karta.pb-c.h"
#include "kt_table.h"

struct client;

#define PLAN_FMT_ID_LEN 37 /* a UUID as text and its NUL */

/* A new random (version 4) UUID, lower-case, from OpenSSL's RAND_bytes. -1 when the
 * random generator fails (message printed). */
int plan_fmt_new_id(char out[PLAN_FMT_ID_LEN]) __attribute__((warn_unused_result));

/* One request/reply on the client's connection (opened on first use). On EXIT_OK *reply
 * is the unpacked reply (caller frees it with protobuf_c_message_free_unpacked). */
int plan_fmt_call(struct client *cl, const ProtobufCMessage *req,
	const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply)
	__attribute__((warn_unused_result));

/* A plan as read: the header and sections from the first page, items of every page in
 * order (section ordinal, ordinal, id). Pointers point into the pages; valid until
 * plan_fmt_doc_release. */
struct plan_fmt_doc {
	Karta__PlanPage **pages;
	size_t n_pages;
	const Karta__Plan *plan;
	Karta__Section **sections;
	size_t n_sections;
	const Karta__Item **items;
	size_t n_items;
};

/* Reads plan_id: with all_items every page (PlanPage.more → ask again after the last item),
 * else only the header and the sections (page_size 1). */
int plan_fmt_fetch(struct client *cl, const char *plan_id, bool all_items,
	struct plan_fmt_doc *d) __attribute__((warn_unused_result));
void plan_fmt_doc_release(struct plan_fmt_doc *d);

/* The section with that id, or NULL. */
const Karta__Section *plan_fmt_section_by_id(const struct plan_fmt_doc *d, const char *id);
/* The section named by key: its id, else its number as written ("2" also finds "2."). */
int plan_fmt_find_section(const struct plan_fmt_doc *d, const char *key,
	const Karta__Section **out) __attribute__((warn_unused_result));
/* 1 + the highest item ordinal in the section (deleted items included); 1 when empty. */
int plan_fmt_next_item_ordinal(const struct plan_fmt_doc *d, const char *section_id);
/* 1 + the highest section ordinal. */
int plan_fmt_next_section_ordinal(const struct plan_fmt_doc *d);

/* The current item (ItemGetRequest → ItemResult); *out is freed by the caller with
 * karta__item_result__free_unpacked. */
int plan_fmt_get_item(struct client *cl, const char *item_id, Karta__ItemResult **out)
	__attribute__((warn_unused_result));

/* A write's result. OK → EXIT_OK. CONFLICT → "karta: conflict: MESSAGE" and the current
 * row on stderr, EXIT_RUNTIME. Anything else → "karta: MESSAGE (status)", EXIT_RUNTIME. */
int plan_fmt_plan_result(const Karta__PlanResult *r);
int plan_fmt_item_result(const Karta__ItemResult *r);

/* "region" | "municipality" | "school" | "unknown" */
const char *plan_fmt_level(Karta__PlanLevel l);
/* "2023/2024" for 2023; "" for 0. */
void plan_fmt_year(int first, char *buf, size_t n);

struct kt_xlsx;

struct plan_fmt_out {
	enum kt_table_format format;
	bool bom;          /* csv */
	bool with_deleted; /* plan show: include deleted items */
	struct kt_xlsx *xlsx; /* xlsx: the open workbook (table_out_open) */
};

/* The output settings from --format (NULL = table; already checked by opts), --bom and
 * --deleted. */
struct plan_fmt_out plan_fmt_out_of(const char *format, bool bom, bool with_deleted);

/* --base VERSION, shared by every write command (opts.h table entry). */
#define PLAN_FMT_OPT_BASE                                                       \
	{.name = "base", .type = OPT_INT, .meta = "VERSION", .min = 1,           \
		.help = N_("row version the change is based on (default: the current)")}

/* karta plan list: id, owner, level, year, status, items, writable, title. */
int plan_fmt_list(const Karta__PlanList *l, const struct plan_fmt_out *o, FILE *out);
/* karta plan show: header block, then every section's items. */
int plan_fmt_show(const struct plan_fmt_doc *d, const struct plan_fmt_out *o, FILE *out);
/* karta item show (table or json). */
int plan_fmt_item(const Karta__Item *it, const struct plan_fmt_out *o, FILE *out);
/* The same with further field/value rows of the caller's (more(t, arg), 0 or -1) in the
 * same table, so that their values line up with the item's (item show's statuses). */
struct kt_table;
int plan_fmt_item_with(const Karta__Item *it, const struct plan_fmt_out *o,
	int (*more)(struct kt_table *t, void *arg), void *arg, FILE *out);
/* The item as a JSON object (--format json of item show); caller owns it. */
json_t *plan_fmt_item_json(const Karta__Item *it);
/* Writes t in o's format (xlsx: a sheet named title) and frees it; an exit code. */
int plan_fmt_emit(struct kt_table *t, const struct plan_fmt_out *o,
	const struct kt_table_opts *to, const char *title, FILE *out);

#endif
