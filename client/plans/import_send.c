/* import_send: kt_import_plan → PlanImport → ImportResult (see import_send.h).
 * Every id is chosen here (UUIDv4), so a retried request after a lost reply finds its plan
 * already there ("a plan with this id exists") instead of creating a second one. */
#include "import_send.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "plan_fmt.h"
#include "kt_i18n.h"

static char *or_empty(char *s) { return s ? s : (char *)""; }

struct built {
	Karta__PlanImport req;
	Karta__Plan plan;
	Karta__Section *secs, **sp;
	Karta__Item *items, **ip;
	Karta__Abbreviation *ab, **ap;
	char (*ids)[PLAN_FMT_ID_LEN]; /* plan, sections, items */
};

static void built_free(struct built *b)
{
	free(b->secs);
	free(b->sp);
	free(b->items);
	free(b->ip);
	free(b->ab);
	free(b->ap);
	free(b->ids);
}

static int build(const struct kt_import_plan *ip, const struct import_send_opts *o,
	struct built *b)
{
	size_t ns = ip->n_sections, ni = kt_import_item_count(ip), na = ip->n_abbrevs;
	b->secs = calloc(ns + 1, sizeof *b->secs);
	b->sp = calloc(ns + 1, sizeof *b->sp);
	b->items = calloc(ni + 1, sizeof *b->items);
	b->ip = calloc(ni + 1, sizeof *b->ip);
	b->ab = calloc(na + 1, sizeof *b->ab);
	b->ap = calloc(na + 1, sizeof *b->ap);
	b->ids = calloc(1 + ns + ni, sizeof *b->ids);
	if (!b->secs || !b->sp || !b->items || !b->ip || !b->ab || !b->ap || !b->ids) {
		fprintf(stderr, _("karta: out of memory\n"));
		return -1;
	}
	for (size_t i = 0; i < 1 + ns + ni; i++)
		if (plan_fmt_new_id(b->ids[i]) != 0)
			return -1;
	const struct kt_import_document *doc = &ip->doc;
	karta__plan_import__init(&b->req);
	karta__plan__init(&b->plan);
	b->plan.id = b->ids[0];
	b->plan.title = doc->title ? doc->title : or_empty(doc->source);
	b->plan.academic_year = o->year ? o->year : doc->year_first;
	if (doc->has_approval) {
		b->plan.act_kind = or_empty(doc->approval.kind);
		b->plan.act_number = or_empty(doc->approval.number);
		b->plan.act_date = or_empty(doc->approval.date);
	}
	if (doc->has_implements)
		b->plan.implements = doc->implements.quote ? doc->implements.quote
							   : or_empty(doc->implements.title);
	size_t k = 0;
	for (size_t s = 0; s < ns; s++) {
		const struct kt_import_section *sec = &ip->sections[s];
		karta__section__init(&b->secs[s]);
		b->secs[s].id = b->ids[1 + s];
		b->secs[s].ordinal = (int)s + 1;
		b->secs[s].number = or_empty(sec->number);
		b->secs[s].title = or_empty(sec->title);
		b->sp[s] = &b->secs[s];
		for (size_t j = 0; j < sec->n_items; j++, k++) {
			const struct kt_import_item *it = &sec->items[j];
			Karta__Item *m = &b->items[k];
			karta__item__init(m);
			m->id = b->ids[1 + ns + k];
			m->section_id = b->secs[s].id;
			m->ordinal = (int)j + 1;
			m->number = or_empty(it->number);
			/* A row without a title keeps its other cells; the title says so. */
			m->title = it->title ? it->title : (char *)"(без наименования)";
			m->deadline_text = or_empty(it->deadline_text);
			m->responsible_text = or_empty(it->responsible_text);
			m->municipal_action = or_empty(it->municipal_action);
			m->institutional_action = or_empty(it->institutional_action);
			m->result_text = or_empty(it->result_text);
			m->target_text = or_empty(it->target_text);
			b->ip[k] = m;
		}
	}
	for (size_t a = 0; a < na; a++) {
		karta__abbreviation__init(&b->ab[a]);
		b->ab[a].short_ = or_empty(ip->abbrevs[a].abbr);
		b->ab[a].full = or_empty(ip->abbrevs[a].meaning);
		b->ap[a] = &b->ab[a];
	}
	b->req.plan = &b->plan;
	b->req.n_sections = ns;
	b->req.sections = b->sp;
	b->req.n_items = ni;
	b->req.items = b->ip;
	b->req.n_abbreviations = na;
	b->req.abbreviations = b->ap;
	b->req.into_plan_id = (char *)(o->into ? o->into : "");
	b->req.dry_run = o->dry_run;
	return 0;
}

static void print_result(const Karta__ImportResult *r, const struct import_send_opts *o,
	const Karta__PlanImport *req, FILE *out)
{
	static const struct {
		const char *op, *mark;
	} marks[] = {{"add", "+"}, {"update", "~"}, {"remove", "-"}};
	if (o->into) {
		for (size_t i = 0; i < r->n_changes; i++) {
			const Karta__ImportChange *c = r->changes[i];
			const char *mark = "?";
			for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++)
				if (strcmp(c->op, marks[m].op) == 0)
					mark = marks[m].mark;
			fprintf(out, "%s %s %s%s%s%s\n", mark, *c->number ? c->number : _("(no number)"),
				c->title, *c->fields ? " [" : "", c->fields, *c->fields ? "]" : "");
		}
		if (o->dry_run)
			fprintf(out, _("plan %s would change: %d added, %d updated, %d removed, "
				       "%d unchanged\n"), r->plan ? r->plan->id : o->into,
				r->added, r->updated, r->removed, r->unchanged);
		else
			fprintf(out, _("plan %s re-imported: %d added, %d updated, %d removed, "
				       "%d unchanged\n"), r->plan ? r->plan->id : o->into,
				r->added, r->updated, r->removed, r->unchanged);
		return;
	}
	char items[64], sections[64];
	snprintf(items, sizeof items, P_("%zu items", "%zu items", req->n_items), req->n_items);
	snprintf(sections, sizeof sections, P_("in %zu sections", "in %zu sections", req->n_sections),
		req->n_sections);
	fprintf(out, _("plan %s imported: %s %s\n"), r->plan ? r->plan->id : "?", items, sections);
}

int import_send(struct client *cl, const struct kt_import_plan *ip,
	const struct import_send_opts *o, FILE *out)
{
	struct built b = {0};
	int rc = EXIT_RUNTIME;
	if (!o->into && !o->year && !ip->doc.year_first) {
		fprintf(stderr, _("karta: the document names no academic year: give --year YYYY\n"));
		return EXIT_USAGE;
	}
	if (build(ip, o, &b) != 0)
		goto out;
	ProtobufCMessage *reply = NULL;
	rc = plan_fmt_call(cl, &b.req.base, &karta__import_result__descriptor, &reply);
	if (rc != EXIT_OK)
		goto out;
	print_result((Karta__ImportResult *)reply, o, &b.req, out);
	protobuf_c_message_free_unpacked(reply, NULL);
out:
	built_free(&b);
	return rc;
}
