/* plan_fmt: the plan/item commands' shared plumbing (see plan_fmt.h): ids, calls, write
 * results, and reading a plan page by page (keyset: section ordinal, item ordinal, item id
 * of the last item), kept as the unpacked pages; the document only holds pointers into
 * them, so nothing is copied. The renderings are in plan_render.c. */
#include "plan_fmt.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "kt_msg.h"
#include "offline.h"
#include "outbox.h"
#include "rpc.h"
#include "terms.h"
#include "kt_i18n.h"
#include "kt_server_text.h"

#define FETCH_PAGE_ITEMS 2000
#define FETCH_MAX_PAGES 10000

/* --- ids, calls, results --------------------------------------------------------------------- */

int plan_fmt_new_id(char out[PLAN_FMT_ID_LEN])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof b) != 1) {
		fprintf(stderr, _("karta: cannot generate an id: the random generator failed\n"));
		return -1;
	}
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
	char *o = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		o += sprintf(o, "%02x", b[i]);
	}
	return 0;
}

int plan_fmt_call(struct client *cl, const ProtobufCMessage *req,
	const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply)
{
	char err[512];
	*reply = NULL;
	if (outbox_is_write(req))
		return outbox_call(cl, req, reply_desc, reply);
	struct rpc *r = client_rpc_quiet(cl);
	if (!r && cl->unreachable)
		return offline_read(cl, req, reply);
	if (!r)
		return EXIT_RUNTIME;
	if (rpc_call(r, req, reply_desc, reply, err, sizeof err) != RPC_OK) {
		fprintf(stderr, "karta: %s\n", err);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static const char *str_or(const char *s, const char *def) { return s && *s ? s : def; }

/* The server's message in the user's language (kt_server_text), or "no reason given". */
static const char *said(const char *s, char *buf, size_t n)
{
	return s && *s ? kt_server_text(s, buf, n) : _("no reason given");
}

int plan_fmt_plan_result(const Karta__PlanResult *r)
{
	char buf[1024];
	const char *msg = said(r->message, buf, sizeof buf);
	if (r->status == KARTA__STATUS__STATUS_OK)
		return EXIT_OK;
	if (r->status != KARTA__STATUS__STATUS_CONFLICT) {
		fprintf(stderr, "karta: %s (%s)\n", msg, kt_status_text((int)r->status));
		return EXIT_RUNTIME;
	}
	fprintf(stderr, _("karta: conflict: %s\n"), msg);
	if (r->plan)
		fprintf(stderr, _("current version %lld, status %s\n"),
			(long long)r->plan->row_version,
			terms_word(TERMS_PLAN_STATUS, r->plan->status));
	return EXIT_RUNTIME;
}

int plan_fmt_item_result(const Karta__ItemResult *r)
{
	char buf[1024];
	const char *msg = said(r->message, buf, sizeof buf);
	if (r->status == KARTA__STATUS__STATUS_OK && r->item)
		return EXIT_OK;
	if (r->status == KARTA__STATUS__STATUS_OK) {
		fprintf(stderr, _("karta: the server answered without the item\n"));
		return EXIT_RUNTIME;
	}
	if (r->status != KARTA__STATUS__STATUS_CONFLICT) {
		fprintf(stderr, "karta: %s (%s)\n", msg, kt_status_text((int)r->status));
		return EXIT_RUNTIME;
	}
	fprintf(stderr, _("karta: conflict: %s\n"), msg);
	const Karta__Item *it = r->item;
	if (it) {
		fprintf(stderr, _("current version %lld\n  title     %s\n  deadline  %s\n"),
			(long long)it->row_version, it->title, it->deadline_text);
		if (it->deleted)
			fprintf(stderr, _("  deleted   %s\n"), str_or(it->delete_reason, _("yes")));
	}
	return EXIT_RUNTIME;
}

/* --- reading a plan -------------------------------------------------------------------------- */

/* Takes ownership of pg on success. */
static int doc_add_page(struct plan_fmt_doc *d, Karta__PlanPage *pg)
{
	const Karta__Item **iv = realloc(d->items, (d->n_items + pg->n_items + 1) * sizeof *iv);
	if (!iv)
		return -1;
	d->items = iv;
	Karta__PlanPage **pv = realloc(d->pages, (d->n_pages + 1) * sizeof *pv);
	if (!pv)
		return -1;
	d->pages = pv;
	d->pages[d->n_pages++] = pg;
	for (size_t i = 0; i < pg->n_items; i++)
		d->items[d->n_items++] = pg->items[i];
	if (d->n_pages == 1) {
		d->plan = pg->plan;
		d->sections = pg->sections;
		d->n_sections = pg->n_sections;
	}
	return 0;
}

const Karta__Section *plan_fmt_section_by_id(const struct plan_fmt_doc *d, const char *id)
{
	for (size_t i = 0; i < d->n_sections; i++)
		if (strcasecmp(d->sections[i]->id, id) == 0)
			return d->sections[i];
	return NULL;
}

/* The keyset of the next page, after the last item of pg; -1 if it would not advance. */
static int next_key(const struct plan_fmt_doc *d, const Karta__PlanPage *pg,
	Karta__PlanGetRequest *req, char after_id[PLAN_FMT_ID_LEN])
{
	if (pg->n_items == 0)
		return -1;
	const Karta__Item *last = pg->items[pg->n_items - 1];
	const Karta__Section *s = plan_fmt_section_by_id(d, last->section_id);
	if (!s)
		return -1;
	bool same_section = s->ordinal == req->after_section;
	bool same_ordinal = same_section && last->ordinal == req->after_ordinal;
	bool advances = s->ordinal > req->after_section ||
		(same_section && last->ordinal > req->after_ordinal) ||
		(same_ordinal && strcasecmp(last->id, after_id) > 0);
	if (!advances)
		return -1;
	req->after_section = s->ordinal;
	req->after_ordinal = last->ordinal;
	snprintf(after_id, PLAN_FMT_ID_LEN, "%s", last->id);
	req->after_id = after_id;
	return 0;
}

int plan_fmt_fetch(struct client *cl, const char *plan_id, bool all_items,
	struct plan_fmt_doc *d)
{
	Karta__PlanGetRequest req = KARTA__PLAN_GET_REQUEST__INIT;
	char after_id[PLAN_FMT_ID_LEN] = "";
	*d = (struct plan_fmt_doc){0};
	req.plan_id = (char *)plan_id;
	req.page_size = all_items ? FETCH_PAGE_ITEMS : 1;
	for (;;) {
		ProtobufCMessage *m;
		if (plan_fmt_call(cl, &req.base, &karta__plan_page__descriptor, &m) != EXIT_OK)
			break;
		Karta__PlanPage *pg = (Karta__PlanPage *)m;
		if (doc_add_page(d, pg) != 0) {
			karta__plan_page__free_unpacked(pg, NULL);
			fprintf(stderr, _("karta: cannot read plan '%s': out of memory\n"), plan_id);
			break;
		}
		if (!d->plan) {
			fprintf(stderr, _("karta: cannot read plan '%s': the reply has no plan\n"),
				plan_id);
			break;
		}
		if (!all_items || !pg->more)
			return EXIT_OK;
		if (d->n_pages >= FETCH_MAX_PAGES || next_key(d, pg, &req, after_id) != 0) {
			fprintf(stderr,
				_("karta: cannot read plan '%s': the server's pages do not advance\n"),
				plan_id);
			break;
		}
	}
	plan_fmt_doc_release(d);
	return EXIT_RUNTIME;
}

void plan_fmt_doc_release(struct plan_fmt_doc *d)
{
	for (size_t i = 0; i < d->n_pages; i++)
		karta__plan_page__free_unpacked(d->pages[i], NULL);
	free(d->pages);
	free(d->items);
	*d = (struct plan_fmt_doc){0};
}

/* A section number without trailing dots and spaces: "2." and "2" are the same number. */
static size_t number_len(const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
		n--;
	return n;
}

static bool same_number(const char *a, const char *b)
{
	size_t n = number_len(a);
	return n > 0 && n == number_len(b) && strncmp(a, b, n) == 0;
}

int plan_fmt_find_section(const struct plan_fmt_doc *d, const char *key,
	const Karta__Section **out)
{
	const Karta__Section *hit = plan_fmt_section_by_id(d, key);
	size_t n = hit ? 1 : 0;
	for (size_t i = 0; !hit && i < d->n_sections; i++)
		if (same_number(d->sections[i]->number, key) && n++ == 0)
			*out = d->sections[i];
	if (hit)
		*out = hit;
	if (n == 1)
		return EXIT_OK;
	if (n > 1)
		fprintf(stderr, _("karta: section number '%s' is ambiguous in plan %s: give the "
				"section id (karta plan show %s --format json)\n"),
			key, d->plan->id, d->plan->id);
	else
		fprintf(stderr, _("karta: cannot find section '%s' in plan %s\n"), key, d->plan->id);
	return EXIT_RUNTIME;
}

int plan_fmt_next_item_ordinal(const struct plan_fmt_doc *d, const char *section_id)
{
	int max = 0;
	for (size_t i = 0; i < d->n_items; i++)
		if (strcasecmp(d->items[i]->section_id, section_id) == 0)
			max = d->items[i]->ordinal > max ? d->items[i]->ordinal : max;
	return max + 1;
}

int plan_fmt_next_section_ordinal(const struct plan_fmt_doc *d)
{
	int max = 0;
	for (size_t i = 0; i < d->n_sections; i++)
		max = d->sections[i]->ordinal > max ? d->sections[i]->ordinal : max;
	return max + 1;
}

int plan_fmt_get_item(struct client *cl, const char *item_id, Karta__ItemResult **out)
{
	Karta__ItemGetRequest req = KARTA__ITEM_GET_REQUEST__INIT;
	req.item_id = (char *)item_id;
	ProtobufCMessage *m;
	*out = NULL;
	if (plan_fmt_call(cl, &req.base, &karta__item_result__descriptor, &m) != EXIT_OK)
		return EXIT_RUNTIME;
	*out = (Karta__ItemResult *)m;
	if (plan_fmt_item_result(*out) == EXIT_OK)
		return EXIT_OK;
	karta__item_result__free_unpacked(*out, NULL);
	*out = NULL;
	return EXIT_RUNTIME;
}

/* --- small text pieces ----------------------------------------------------------------------- */

const char *plan_fmt_level(Karta__PlanLevel l)
{
	switch (l) {
	case KARTA__PLAN_LEVEL__PLAN_LEVEL_REGION: return "region";
	case KARTA__PLAN_LEVEL__PLAN_LEVEL_MUNICIPALITY: return "municipality";
	case KARTA__PLAN_LEVEL__PLAN_LEVEL_SCHOOL: return "school";
	default: return "unknown";
	}
}

void plan_fmt_year(int first, char *buf, size_t n)
{
	if (first > 0)
		snprintf(buf, n, "%d/%d", first, first + 1);
	else
		snprintf(buf, n, "%s", "");
}
