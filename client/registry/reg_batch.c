/* reg_batch: a registry file's rows queued as ops that carry many rows (RecordOp
 * registry_rows, sql/0025) instead of one op a row: up to REG_BATCH_ROWS rows or
 * REG_BATCH_BYTES of arguments an op, one outbox row an op. Each row keeps its line (or
 * element number) in the file, so the server's refusal of a row names it, and its local
 * payload (replica_outbox_row_add), so the replica shows a queued row at once as it shows a
 * single op's. "Late" rows (a staff member's exam point) go after the other rows of their op:
 * the server applies the rows of one table as one set, and the table they hang on first.
 * The caller tags every row (its own index); a result of one row (op->row, sync_rows.c) is
 * matched back to its tag by reg_batch_tag. Everything runs inside the caller's local
 * transaction (replica_batch_begin): a file is queued whole or not at all — or, own_txn, the
 * ops are held in memory when full and written whole, several in one short transaction of
 * the batch's own (reg_batch_commit, when the caller says), so that another connection may
 * send them while the next ones fill: one commit of sixteen ops rewrites the outbox's entity
 * index (uuid-keyed, random inserts) about as much as one of a single op did
 * (docs/performance.md, "The client's work in the federal import"). */
#include "reg_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_grow.h"
#include "kt_i18n.h"
#include "kt_msg.h"
#include "plan_fmt.h"
#include "replica.h"

#define REG_BATCH_ROWS 1000
#define REG_BATCH_BYTES (900u * 1024)

void reg_batch_init(struct reg_batch *b, struct replica *r, const char *file, const char *unit)
{
	memset(b, 0, sizeof *b);
	b->r = r;
	b->file = file;
	b->unit = unit;
}

/* Room for k more bytes (and a NUL) in *p, len used and *cap allocated. */
static int room(char **p, size_t *cap, size_t len, size_t k)
{
	char *q = kt_grow_to(*p, cap, len + k + 1, 1, 16384);
	if (!q)
		return -1;
	*p = q;
	return 0;
}

/* Appends a row's text (k bytes) with its tag to a list. */
static int list_add(struct rb_list *l, const char *s, size_t k, long tag)
{
	long *tv = kt_grow(l->tags, &l->cap, l->n, sizeof *tv, 256);
	if (!tv)
		return -1;
	l->tags = tv;
	if (room(&l->text, &l->tcap, l->len, k + 1) != 0)
		return -1;
	if (l->len)
		l->text[l->len++] = ',';
	memcpy(l->text + l->len, s, k);
	l->len += k;
	l->tags[l->n++] = tag;
	return 0;
}

static void list_clear(struct rb_list *l)
{
	l->n = 0;
	l->len = 0;
}

/* own_txn: a row's entity and local payload (lp taken), kept until the op is written. */
static int held_add(struct rb_open *o, const char *id, char *lp)
{
	struct rb_held *hv = kt_grow(o->held, &o->capheld, o->nheld, sizeof *hv, 256);
	if (!hv) {
		free(lp);
		return -1;
	}
	o->held = hv;
	struct rb_held *h = &o->held[o->nheld++];
	snprintf(h->id, sizeof h->id, "%s", id);
	h->lp = lp;
	o->nlocal++;
	return 0;
}

static void held_free(struct rb_held *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(h[i].lp);
	free(h);
}

/* own_txn: the ops flushed and not committed, dropped. */
static void wops_clear(struct reg_batch *b)
{
	for (size_t i = 0; i < b->nwops; i++) {
		free(b->wops[i].body);
		free(b->wops[i].summary);
		held_free(b->wops[i].held, b->wops[i].n);
	}
	b->nwops = 0;
	b->held_rows = 0;
}

/* own_txn: the op of o flushed (body and its rows taken), held until reg_batch_commit. */
static int hold_op(struct reg_batch *b, struct rb_open *o, uint8_t *body, size_t len,
	const char *summary)
{
	struct rb_wop *wv = kt_grow(b->wops, &b->capwops, b->nwops, sizeof *wv, 16);
	if (!wv)
		return -1;
	b->wops = wv;
	char *sm = strdup(summary);
	if (!sm)
		return -1;
	struct rb_wop *w = &b->wops[b->nwops++];
	snprintf(w->op_id, sizeof w->op_id, "%s", o->op_id);
	snprintf(w->type, sizeof w->type, "%s", o->type);
	w->body = body;
	w->len = len;
	w->summary = sm;
	w->held = o->held;
	w->n = o->nheld;
	b->held_rows += o->nheld;
	o->held = NULL;
	o->nheld = o->capheld = 0;
	return 0;
}

long reg_batch_commit(struct reg_batch *b)
{
	if (!b->nwops)
		return 0;
	size_t rows = 0;
	int rc = replica_batch_begin(b->r);
	for (size_t k = 0; rc == 0 && k < b->nwops; k++) {
		const struct rb_wop *w = &b->wops[k];
		rc = replica_outbox_add(b->r, w->op_id, KT_MSG_RECORD_OP, w->body, w->len, "registry_rows",
			NULL, NULL, w->summary, NULL);
		for (size_t i = 0; rc == 0 && i < w->n; i++)
			rc = replica_outbox_row_add(b->r, w->op_id, (int)i + 1, w->type, w->held[i].id,
				w->held[i].lp);
		rows += w->n;
	}
	if (replica_batch_end(b->r, rc == 0) != 0)
		rc = -1;
	long n = (long)b->nwops;
	if (rc != 0)
		fprintf(stderr, _("karta: cannot queue the change: %s\n"), replica_error(b->r));
	else
		b->done_ops += b->nwops, b->done_rows += rows;
	wops_clear(b);
	return rc == 0 ? n : -1;
}

/* The op being filled in o goes into the outbox with an empty body (its rows' local payloads
 * refer to it); its body comes at flush. */
static int open_op(struct reg_batch *b, struct rb_open *o, const char *type)
{
	if (plan_fmt_new_id(o->op_id) != 0 ||
	    (!b->own_txn && replica_outbox_add(b->r, o->op_id, KT_MSG_RECORD_OP, "", 0, "registry_rows",
		    NULL, NULL, "", NULL) != 0)) {
		fprintf(stderr, _("karta: cannot queue the change: %s\n"), replica_error(b->r));
		return -1;
	}
	snprintf(o->type, sizeof o->type, "%s", type);
	o->open = true;
	o->bytes = 0;
	o->nlocal = 0;
	o->first_n = o->last_n = -1;
	return 0;
}

/* s (a JSON object's text, n bytes) with the members in add (",\"k\":v…", k bytes, or
 * none) appended, written at d (room for n + k + 1 bytes); its length. */
static size_t splice(char *d, const char *s, size_t n, const char *add, size_t k)
{
	bool empty = n == 2;
	memcpy(d, s, n - 1); /* without the closing brace */
	memcpy(d + n - 1, add + (empty && k), k - (empty && k));
	size_t len = n - 1 + k - (empty && k);
	d[len] = '}';
	d[len + 1] = '\0';
	return len + 1;
}

/* The row as sent, {"n":N,"k":KIND,"a":ARGS} with "type", "id" and "base" added to ARGS (a,
 * an bytes of an object's text) where it lacks them, composed in b->row (*jn bytes); and its
 * local payload (heap, *lp): lp_args, ARGS with "row_version": base; else local's dump, or
 * none. 0, or -1 when out of memory. */
static int texts(struct reg_batch *b, const char *kind, const char *type, const char *id,
	long long base, const char *a, size_t an, bool has_type, bool has_id, bool lp_args,
	const json_t *local, long n, size_t *jn, char **lp)
{
	*lp = NULL;
	char add[200], head[160];
	int k = 0;
	if (!has_type)
		k += snprintf(add + k, sizeof add - (size_t)k, ",\"type\":\"%s\"", type);
	if (!has_id)
		k += snprintf(add + k, sizeof add - (size_t)k, ",\"id\":\"%s\"", id);
	if (base)
		k += snprintf(add + k, sizeof add - (size_t)k, ",\"base\":%lld", base);
	int hn = snprintf(head, sizeof head, "{\"n\":%ld,\"k\":\"%s\",\"a\":", n, kind);
	if (room(&b->row, &b->rowcap, 0, (size_t)hn + an + (size_t)k + 1) != 0)
		return -1;
	memcpy(b->row, head, (size_t)hn);
	size_t w = (size_t)hn + splice(b->row + hn, a, an, add, (size_t)k);
	memcpy(b->row + w, "}", 2);
	*jn = w + 1;
	if (lp_args) {
		k = snprintf(add, sizeof add, ",\"row_version\":%lld", base);
		if ((*lp = malloc(an + (size_t)k + 1)))
			splice(*lp, a, an, add, (size_t)k);
	} else if (local) {
		*lp = json_dumps(local, JSON_COMPACT);
	}
	return (lp_args || local) && !*lp ? -1 : 0;
}

static int flush_open(struct reg_batch *b, struct rb_open *o);

/* Queues the row's text (js, jn bytes) and local payload (lp, taken) in the op being filled. */
static int queue_row(struct reg_batch *b, const char *type, const char *id, const char *js,
	size_t jn, char *lp, long n, long tag, bool late)
{
	struct rb_open *o = &b->open;
	o->bytes += jn + 1;
	int rc;
	if (b->own_txn) {
		rc = held_add(o, id, lp); /* written at reg_batch_commit */
	} else {
		rc = replica_outbox_row_add(b->r, o->op_id, (int)++o->nlocal, type, id, lp);
		free(lp);
	}
	if (rc != 0) {
		fprintf(stderr, _("karta: cannot queue the change: %s\n"), replica_error(b->r));
		return -1;
	}
	if (list_add(late ? &o->late : &o->main, js, jn, tag) != 0) {
		fprintf(stderr, _("karta: out of memory\n"));
		return -1;
	}
	if (o->first_n < 0 || n < o->first_n)
		o->first_n = n;
	if (n > o->last_n)
		o->last_n = n;
	if (o->main.n + o->late.n >= REG_BATCH_ROWS || o->bytes >= REG_BATCH_BYTES)
		return flush_open(b, o);
	return 0;
}

int reg_batch_add(struct reg_batch *b, const char *kind, const char *type, const char *id,
	long long base, const json_t *args, const json_t *local, long n, long tag, bool late)
{
	struct rb_open *o = &b->open;
	if (!o->open && open_op(b, o, type) != 0)
		return -1;
	char *js = NULL, *lp = NULL;
	size_t jn = 0;
	const char *aid = json_string_value(json_object_get(args, "id"));
	int t = -1;
	if ((aid && strcmp(aid, id) != 0) || json_object_get(args, "base")) {
		/* args name the id or base themselves: a copy of args with ours */
		json_t *a = json_deep_copy(args);
		json_t *row = a ? json_pack("{s:I,s:s,s:o}", "n", (json_int_t)n, "k", kind, "a", a) : NULL;
		if (row) {
			json_object_set_new(a, "id", json_string(id));
			if (!json_object_get(a, "type"))
				json_object_set_new(a, "type", json_string(type));
			if (base)
				json_object_set_new(a, "base", json_integer(base));
			js = json_dumps(row, JSON_COMPACT);
			jn = js ? strlen(js) : 0;
			lp = local ? json_dumps(local, JSON_COMPACT) : NULL;
		}
		json_decref(row);
		t = !js || (local && !lp) ? -1 : 0;
	} else { /* one dump of args, spliced */
		char *a = json_dumps(args, JSON_COMPACT);
		if (a)
			t = texts(b, kind, type, id, base, a, strlen(a), json_object_get(args, "type") != NULL,
				aid != NULL, local == args, local == args ? NULL : local, n, &jn, &lp);
		free(a);
	}
	if (t != 0) {
		free(js);
		free(lp);
		fprintf(stderr, _("karta: out of memory\n"));
		return -1;
	}
	int rc = queue_row(b, type, id, js ? js : b->row, jn, lp, n, tag, late);
	free(js);
	return rc;
}

int reg_batch_add_text(struct reg_batch *b, const char *kind, const char *type, const char *id,
	long long base, const char *args, size_t len, const json_t *local, long n, long tag, bool late)
{
	struct rb_open *o = &b->open;
	if (!o->open && open_op(b, o, type) != 0)
		return -1;
	char *lp = NULL;
	size_t jn = 0;
	if (texts(b, kind, type, id, base, args, len, false, true, !local, local, n, &jn, &lp) != 0) {
		free(lp);
		fprintf(stderr, _("karta: out of memory\n"));
		return -1;
	}
	return queue_row(b, type, id, b->row, jn, lp, n, tag, late);
}

/* Remembers the op's rows' tags in their order in the op. */
static int remember(struct reg_batch *b, const struct rb_open *s)
{
	struct rb_op *ov = kt_grow(b->ops, &b->capops, b->nops, sizeof *ov, 64);
	if (!ov)
		return -1;
	b->ops = ov;
	struct rb_op *o = &b->ops[b->nops];
	o->n = s->main.n + s->late.n;
	o->tags = malloc((o->n ? o->n : 1) * sizeof *o->tags);
	if (!o->tags)
		return -1;
	if (s->main.n)
		memcpy(o->tags, s->main.tags, s->main.n * sizeof *o->tags);
	if (s->late.n)
		memcpy(o->tags + s->main.n, s->late.tags, s->late.n * sizeof *o->tags);
	snprintf(o->op_id, sizeof o->op_id, "%s", s->op_id);
	if (reg_map_put(&b->byop, s->op_id, NULL, (long)b->nops) != 0) {
		free(o->tags);
		return -1;
	}
	b->nops++;
	return 0;
}

/* The op being filled in o queued: its body written (or, own_txn, held for the commit). */
static int flush_open(struct reg_batch *b, struct rb_open *o)
{
	if (!o->open)
		return 0;
	o->open = false;
	json_t *head = json_pack("{s:s,s:s}", "file", b->file, "unit", b->unit);
	char *hs = head ? json_dumps(head, JSON_COMPACT) : NULL;
	json_decref(head);
	size_t len = (hs ? strlen(hs) : 0) + o->bytes + 16;
	char *args = hs ? malloc(len) : NULL;
	int rc = -1;
	if (args) {
		/* {"file":…,"unit":…,"rows":[row,row,…]} from the rows as they were dumped */
		size_t k0 = strlen(hs) - 1;
		memcpy(args, hs, k0);
		k0 += (size_t)sprintf(args + k0, ",\"rows\":[");
		if (o->main.len) /* (an empty part's text is NULL: memcpy must not see it) */
			memcpy(args + k0, o->main.text, o->main.len);
		k0 += o->main.len;
		if (o->main.len && o->late.len)
			args[k0++] = ',';
		if (o->late.len)
			memcpy(args + k0, o->late.text, o->late.len);
		k0 += o->late.len;
		memcpy(args + k0, "]}", 3);
		Karta__RecordOp op = KARTA__RECORD_OP__INIT;
		op.kind = (char *)"registry_rows";
		op.id = (char *)"";
		op.args_json = args;
		size_t blen = protobuf_c_message_get_packed_size(&op.base);
		uint8_t *body = malloc(blen ? blen : 1);
		char summary[600];
		snprintf(summary, sizeof summary, "registry_rows %s: %s %ss %ld–%ld (%zu)", o->type, b->file,
			b->unit, o->first_n, o->last_n, o->main.n + o->late.n);
		if (body) {
			protobuf_c_message_pack(&op.base, body);
			if (b->own_txn) {
				rc = hold_op(b, o, body, blen, summary);
				if (rc == 0)
					body = NULL; /* taken */
				else
					fprintf(stderr, _("karta: out of memory\n"));
			} else {
				rc = replica_outbox_set_body(b->r, o->op_id, body, blen, summary);
				if (rc != 0)
					fprintf(stderr, _("karta: cannot queue the change: %s\n"),
						replica_error(b->r));
			}
		}
		free(body);
	}
	if (rc == 0 && remember(b, o) != 0)
		rc = -1;
	if (rc != 0 && (!args || !hs))
		fprintf(stderr, _("karta: out of memory\n"));
	free(hs);
	free(args);
	list_clear(&o->main);
	list_clear(&o->late);
	if (rc != 0) /* the import stops: what is not committed is not queued */
		wops_clear(b);
	return rc;
}

int reg_batch_flush(struct reg_batch *b)
{
	return flush_open(b, &b->open);
}

long reg_batch_tag(const struct reg_batch *b, const struct replica_op *op)
{
	const struct reg_map_entry *e = op->row > 0 ? reg_map_get(&b->byop, op->op_id) : NULL;
	if (!e)
		return -1;
	const struct rb_op *o = &b->ops[e->num];
	return (size_t)op->row <= o->n ? o->tags[op->row - 1] : -1;
}

void reg_batch_free(struct reg_batch *b)
{
	struct rb_open *o = &b->open;
	list_clear(&o->main);
	list_clear(&o->late);
	free(o->main.text);
	free(o->main.tags);
	free(o->late.text);
	free(o->late.tags);
	free(b->row);
	held_free(o->held, o->nheld);
	wops_clear(b);
	free(b->wops);
	for (size_t i = 0; i < b->nops; i++)
		free(b->ops[i].tags);
	free(b->ops);
	reg_map_free(&b->byop);
	memset(b, 0, sizeof *b);
}
