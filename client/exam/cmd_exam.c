/* cmd_exam: `karta exam plan|settings|distribute|seat|assign-staff|lock|unlock|seating` — the
 * planning of an exam (docs/exam-planning.md). Each step is one RecordOp (kind exam_*,
 * sql/0009) queued in the outbox like every write, so it is synced and audited; the server
 * does the work (distribution and seating are set operations over the whole exam there).
 * --dry-run asks the server what the step would change (TableRequest "preview") and
 * writes nothing. Names (exam, point, room, staff) resolve from the local replica. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "commands.h"
#include "exam_cmds.h"
#include "help.h"
#include "opts.h"
#include "plan_fmt.h"
#include "replica.h"
#include "report_cmds.h"
#include "report_render.h"
#include "table_out.h"
#include "kt_i18n.h"
#include "kt_server_text.h"

#define OPT_DRY                                                                           \
	{.name = "dry-run", .type = OPT_FLAG,                                             \
		.help = N_("print what would change; write nothing")}
#define OPT_CHANGES                                                                       \
	{.name = "changes", .type = OPT_FLAG,                                             \
		.help = N_("with --dry-run: every change, one line each (default: counts per place)")}

/* What a step needs: the replica and the exam's id; args starts as {exam_id}. */
struct step {
	struct client *cl;
	struct replica *r;
	char exam[EXAM_ID_LEN];
	json_t *a;
};

static int step_begin(struct step *s, struct client *cl, const char *exam_ref)
{
	memset(s, 0, sizeof *s);
	s->cl = cl;
	int rc = exam_resolve(cl, exam_ref, &s->r, s->exam);
	if (rc == EXIT_OK)
		s->a = json_pack("{s:s}", "exam_id", s->exam);
	return rc != EXIT_OK ? rc : s->a ? EXIT_OK : EXIT_RUNTIME;
}

/* --point CODE → args.point_id; id (may be NULL) gets the point's id too. */
static int step_point(struct step *s, const char *code, char *id)
{
	char pid[EXAM_ID_LEN];
	int rc = exam_ref_point(s->r, code, pid);
	if (rc == EXIT_OK) {
		json_object_set_new(s->a, "point_id", json_string(pid));
		if (id)
			memcpy(id, pid, EXAM_ID_LEN);
	}
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A change of a dry run ("add", "remove": the server's words) as the user reads it, padded to
 * one width (the Russian words are of one length, the English ones of seven columns). */
static const char *change_word(const char *c)
{
	if (strcmp(c, "add") == 0)
		return _("add    ");
	if (strcmp(c, "remove") == 0)
		return _("remove ");
	return c;
}

/* A dry run: the server's preview, as a summary and counts per (change, place), or every
 * change with the person when this replica holds them. */
static int preview(struct step *s, const char *kind, bool every)
{
	char *js = json_dumps(s->a, JSON_COMPACT);
	if (!js)
		return EXIT_RUNTIME;
	Karta__TableRequest req = KARTA__TABLE_REQUEST__INIT;
	req.name = (char *)"preview";
	req.kind = (char *)kind;
	req.args_json = js;
	Karta__Table *t;
	int rc = report_table(s->cl, &req, &t);
	free(js);
	if (rc != EXIT_OK)
		return rc;
	long n_changes = 0;
	json_t *per = json_object(); /* "change place" → count */
	for (size_t i = 0; i < t->n_rows; i++) {
		char **c = t->rows[i]->cells; /* change, participant, place */
		if (t->rows[i]->n_cells < 3)
			continue;
		if (strcmp(c[0], "summary") == 0 || strcmp(c[0], "would") == 0) {
			char said[1024];
			printf(_("dry run: %s%s\n"), strcmp(c[0], "would") == 0 ? _("the server would answer: ")
				: "", kt_server_text(c[2], said, sizeof said));
			continue;
		}
		n_changes++;
		if (every) {
			char person[256];
			printf("  %-7s %-22s %s  %s\n", change_word(c[0]), c[2], c[1],
				exam_ref_person(s->r, c[1], person, sizeof person));
			continue;
		}
		char key[96]; /* a seat counts for its room: point/room */
		snprintf(key, sizeof key, "%-7s %.*s", change_word(c[0]), (int)strcspn(c[2], ":"), c[2]);
		json_t *v = json_object_get(per, key);
		json_object_set_new(per, key, json_integer(v ? json_integer_value(v) + 1 : 1));
	}
	if (!every && n_changes > 0) {
		size_t nk = json_object_size(per), i = 0;
		const char **keys = calloc(nk, sizeof *keys);
		const char *k;
		json_t *v;
		json_object_foreach(per, k, v)
			if (keys)
				keys[i++] = k;
		if (keys)
			qsort(keys, nk, sizeof *keys, cmp_str);
		printf(_("changes by place (change, place, participants):\n"));
		for (i = 0; keys && i < nk; i++)
			printf("  %s  %lld\n", keys[i],
				(long long)json_integer_value(json_object_get(per, keys[i])));
		free(keys);
	}
	json_decref(per);
	printf(_("nothing written\n"));
	karta__table__free_unpacked(t, NULL);
	return EXIT_OK;
}

/* Sends the step (or previews it); prints the server's answer. Takes s->a. */
static int step_run(struct step *s, const char *kind, bool dry, bool every)
{
	if (dry) {
		int rc = preview(s, kind, every);
		json_decref(s->a);
		return rc;
	}
	Karta__OpResult *res;
	int rc = report_send_op(s->cl, kind, "", 0, s->a, &res);
	if (rc != EXIT_OK)
		return rc;
	if (res->outcome == KARTA__OP_OUTCOME__OP_RETRY_LATER)
		printf(_("queued: the server runs it at the next 'karta sync'\n"));
	else {
		char said[1024];
		printf("%s\n", kt_server_text(res->message, said, sizeof said));
	}
	karta__op_result__free_unpacked(res, NULL);
	return EXIT_OK;
}

/* --- plan: points and rooms ------------------------------------------------------------- */

static int add_rooms(struct step *s, const struct opt *o, const char *point_id,
	const char *point_code, const char *role, bool remove, json_t *rooms)
{
	for (size_t i = 0; i < o->n_list; i++) {
		char id[EXAM_ID_LEN];
		int rc = exam_ref_room(s->r, point_id, point_code, o->list[i], id);
		if (rc != EXIT_OK)
			return rc;
		json_array_append_new(rooms, remove ? json_pack("{s:s,s:b}", "auditorium_id", id,
			"delete", 1) : json_pack("{s:s,s:s}", "auditorium_id", id, "role", role));
	}
	return EXIT_OK;
}

int cmd_exam_plan(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_POINT, O_SEATS, O_ROOM, O_PREP, O_REMOVE, O_DRY, O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_POINT] = {.name = "point", .type = OPT_STR, .meta = "CODE", .required = true,
			.help = N_("the exam point")},
		[O_SEATS] = {.name = "seats", .type = OPT_INT, .meta = "N", .min = 1, .max = 5000,
			.help = N_("seats reserved for the exam at the point (default: the usable seats "
				"of its exam rooms)")},
		[O_ROOM] = {.name = "room", .type = OPT_LIST, .meta = "CODE",
			.help = N_("an auditorium of the point used as an exam room (repeatable)")},
		[O_PREP] = {.name = "prep-room", .type = OPT_LIST, .meta = "CODE",
			.help = N_("an auditorium used as the preparation room of an oral exam")},
		[O_REMOVE] = {.name = "remove", .type = OPT_FLAG,
			.help = N_("with --room/--prep-room: unassign those rooms; alone: unassign the "
				"point (its rooms, distribution, seats and staff go with it)")},
		[O_DRY] = OPT_DRY,
	};
	struct opt_cmd c = {"exam plan", "", 0, help_exam_plan, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	struct step s;
	char pid[EXAM_ID_LEN];
	bool rooms_given = o[O_ROOM].n_list + o[O_PREP].n_list > 0;
	rc = step_begin(&s, cl, o[O_EXAM].str);
	if (rc == EXIT_OK)
		rc = step_point(&s, o[O_POINT].str, pid);
	json_t *rooms = json_array();
	if (rc == EXIT_OK)
		rc = add_rooms(&s, &o[O_ROOM], pid, o[O_POINT].str, "exam", o[O_REMOVE].set, rooms);
	if (rc == EXIT_OK)
		rc = add_rooms(&s, &o[O_PREP], pid, o[O_POINT].str, "preparation", o[O_REMOVE].set,
			rooms);
	opts_free(&c);
	if (rc != EXIT_OK) {
		json_decref(rooms);
		json_decref(s.a);
		return rc;
	}
	json_object_set_new(s.a, "rooms", rooms);
	if (o[O_SEATS].set)
		json_object_set_new(s.a, "seats", json_integer(o[O_SEATS].num));
	if (o[O_REMOVE].set && !rooms_given)
		json_object_set_new(s.a, "delete", json_true());
	return step_run(&s, "exam_plan_point", o[O_DRY].set, false);
}

/* --- settings ------------------------------------------------------------------------------ */

int cmd_exam_settings(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_ORG, O_CROSS, O_DRY, O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_ORG] = {.name = "organizers", .type = OPT_INT, .meta = "N", .min = 0, .max = 10,
			.help = N_("organizers needed in each exam room (default 2)")},
		[O_CROSS] = {.name = "cross-municipal", .type = OPT_CHOICE, .choices = "yes|no",
			.help = N_("whether participants may go to points of another municipality")},
		[O_DRY] = OPT_DRY,
	};
	struct opt_cmd c = {"exam settings", "", 0, help_exam_settings, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	struct step s;
	rc = step_begin(&s, cl, o[O_EXAM].str);
	if (rc != EXIT_OK)
		return rc;
	if (o[O_ORG].set)
		json_object_set_new(s.a, "organizers_per_auditorium", json_integer(o[O_ORG].num));
	if (o[O_CROSS].set)
		json_object_set_new(s.a, "cross_municipal", json_boolean(strcmp(o[O_CROSS].str, "yes") == 0));
	return step_run(&s, "exam_settings", o[O_DRY].set, false);
}

/* --- distribute ---------------------------------------------------------------------------- */

int cmd_exam_distribute(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_CROSS, O_PART, O_POINT, O_CLEAR, O_DRY, O_CHANGES, O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_CROSS] = {.name = "cross-municipal", .type = OPT_FLAG,
			.help = N_("the region: participants left over may go to points of another "
				"municipality (default: the exam's setting)")},
		[O_PART] = {.name = "participant", .type = OPT_STR, .meta = "ID",
			.help = N_("one participant, by hand: with --point (kept by later runs) or --clear")},
		[O_POINT] = {.name = "point", .type = OPT_STR, .meta = "CODE",
			.help = N_("with --participant: the exam point")},
		[O_CLEAR] = {.name = "clear", .type = OPT_FLAG,
			.help = N_("with --participant: back to automatic distribution")},
		[O_DRY] = OPT_DRY,
		[O_CHANGES] = OPT_CHANGES,
	};
	struct opt_cmd c = {"exam distribute", "", 0, help_exam_distribute, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	bool manual = o[O_PART].set;
	if (o[O_CHANGES].set && !o[O_DRY].set)
		return opts_fail(&c, _("--changes goes with --dry-run"));
	if (!manual && (o[O_POINT].set || o[O_CLEAR].set))
		return opts_fail(&c, _("--point and --clear go with --participant"));
	if (manual && o[O_POINT].set == o[O_CLEAR].set)
		return opts_fail(&c, _("--participant needs --point CODE or --clear"));
	if (manual && opts_check_id("participant", &o[O_PART].str) != EXIT_OK)
		return EXIT_RUNTIME;
	struct step s;
	rc = step_begin(&s, cl, o[O_EXAM].str);
	if (rc == EXIT_OK && manual && o[O_POINT].set)
		rc = step_point(&s, o[O_POINT].str, NULL);
	if (rc != EXIT_OK) {
		json_decref(s.a);
		return rc;
	}
	if (manual) {
		json_object_set_new(s.a, "participant_id", json_string(o[O_PART].str));
		if (o[O_CLEAR].set)
			json_object_set_new(s.a, "point_id", json_null());
		return step_run(&s, "exam_distribute_manual", o[O_DRY].set, o[O_CHANGES].set);
	}
	if (o[O_CROSS].set)
		json_object_set_new(s.a, "cross_municipal", json_true());
	return step_run(&s, "exam_distribute", o[O_DRY].set, o[O_CHANGES].set);
}

/* --- seat ---------------------------------------------------------------------------------- */

int cmd_exam_seat(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_ORDER, O_POINT, O_PART, O_ROOM, O_ROW, O_SEAT, O_CLEAR, O_DRY, O_CHANGES,
		O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_ORDER] = {.name = "order", .type = OPT_CHOICE,
			.choices = "even|sequential|capacity-desc|capacity-asc",
			.help = N_("how rooms fill (default even): evenly across the rooms; one room after "
				"another by code; largest rooms first; smallest first")},
		[O_POINT] = {.name = "point", .type = OPT_STR, .meta = "CODE",
			.help = N_("only this exam point (default: every point this organization plans); "
				"with --room: the room's point")},
		[O_PART] = {.name = "participant", .type = OPT_STR, .meta = "ID",
			.help = N_("one participant, by hand: --point, --room, --row, --seat (kept by "
				"later runs), or --clear")},
		[O_ROOM] = {.name = "room", .type = OPT_STR, .meta = "CODE", .help = N_("the auditorium")},
		[O_ROW] = {.name = "row", .type = OPT_INT, .meta = "N", .min = 1, .max = 50,
			.help = N_("the row")},
		[O_SEAT] = {.name = "seat", .type = OPT_INT, .meta = "N", .min = 1, .max = 50,
			.help = N_("the seat in the row")},
		[O_CLEAR] = {.name = "clear", .type = OPT_FLAG,
			.help = N_("with --participant: drop the manual seat")},
		[O_DRY] = OPT_DRY,
		[O_CHANGES] = OPT_CHANGES,
	};
	struct opt_cmd c = {"exam seat", "", 0, help_exam_seat, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	bool manual = o[O_PART].set, place = o[O_ROOM].set || o[O_ROW].set || o[O_SEAT].set;
	if (o[O_CHANGES].set && !o[O_DRY].set)
		return opts_fail(&c, _("--changes goes with --dry-run"));
	if (!manual && (place || o[O_CLEAR].set))
		return opts_fail(&c, _("--room, --row, --seat and --clear go with --participant"));
	if (manual && !o[O_CLEAR].set && !(o[O_POINT].set && o[O_ROOM].set && o[O_ROW].set &&
	                                   o[O_SEAT].set))
		return opts_fail(&c, _("--participant needs --point, --room, --row and --seat, or --clear"));
	if (manual && o[O_CLEAR].set && place)
		return opts_fail(&c, _("--clear takes no seat"));
	if (manual && opts_check_id("participant", &o[O_PART].str) != EXIT_OK)
		return EXIT_RUNTIME;
	struct step s;
	char pid[EXAM_ID_LEN], aid[EXAM_ID_LEN];
	rc = step_begin(&s, cl, o[O_EXAM].str);
	if (rc == EXIT_OK && o[O_POINT].set)
		rc = step_point(&s, o[O_POINT].str, pid);
	if (rc == EXIT_OK && manual && o[O_ROOM].set)
		rc = exam_ref_room(s.r, pid, o[O_POINT].str, o[O_ROOM].str, aid);
	if (rc != EXIT_OK) {
		json_decref(s.a);
		return rc;
	}
	if (manual) {
		json_object_del(s.a, "point_id");
		json_object_set_new(s.a, "participant_id", json_string(o[O_PART].str));
		if (o[O_CLEAR].set)
			json_object_set_new(s.a, "clear", json_true());
		else
			json_object_update_new(s.a, json_pack("{s:s,s:I,s:I}", "auditorium_id", aid,
				"row", (json_int_t)o[O_ROW].num, "seat", (json_int_t)o[O_SEAT].num));
		return step_run(&s, "exam_seat_manual", o[O_DRY].set, o[O_CHANGES].set);
	}
	char order[16];
	snprintf(order, sizeof order, "%s", o[O_ORDER].set ? o[O_ORDER].str : "even");
	for (char *p = order; *p; p++)
		if (*p == '-')
			*p = '_';
	json_object_set_new(s.a, "order", json_string(order));
	return step_run(&s, "exam_seat", o[O_DRY].set, o[O_CHANGES].set);
}

/* --- staff --------------------------------------------------------------------------------- */

int cmd_exam_assign_staff(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_POINT, O_STAFF, O_ROLE, O_ROOM, O_RESP, O_REMOVE, O_DRY, O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_POINT] = {.name = "point", .type = OPT_STR, .meta = "CODE", .required = true,
			.help = N_("the exam point (the staff member must be attached to it)")},
		[O_STAFF] = {.name = "staff", .type = OPT_STR, .meta = "CODE", .required = true,
			.help = N_("the staff member's code")},
		[O_ROLE] = {.name = "role", .type = OPT_CHOICE,
			.choices = "head|organizer_in|organizer_out|technician|assistant|medic|gek",
			.help = N_("the role at this exam (one the staff member holds)")},
		[O_ROOM] = {.name = "room", .type = OPT_STR, .meta = "CODE",
			.help = N_("organizer_in: the auditorium")},
		[O_RESP] = {.name = "responsible", .type = OPT_FLAG,
			.help = N_("organizer_in: the responsible organizer of the room (one per room; "
				"without it the assignment is not responsible)")},
		[O_REMOVE] = {.name = "remove", .type = OPT_FLAG,
			.help = N_("take the staff member off the exam")},
		[O_DRY] = OPT_DRY,
	};
	struct opt_cmd c = {"exam assign-staff", "", 0, help_exam_assign_staff, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	if (!o[O_REMOVE].set && !o[O_ROLE].set)
		return opts_fail(&c, _("--role is needed (or --remove)"));
	if (o[O_RESP].set && o[O_REMOVE].set)
		return opts_fail(&c, _("--responsible goes with an assignment, not with --remove"));
	struct step s;
	char pid[EXAM_ID_LEN], sid[EXAM_ID_LEN], aid[EXAM_ID_LEN];
	rc = step_begin(&s, cl, o[O_EXAM].str);
	if (rc == EXIT_OK)
		rc = step_point(&s, o[O_POINT].str, pid);
	if (rc == EXIT_OK)
		rc = exam_ref_staff(s.r, o[O_STAFF].str, sid);
	if (rc == EXIT_OK && o[O_ROOM].set)
		rc = exam_ref_room(s.r, pid, o[O_POINT].str, o[O_ROOM].str, aid);
	if (rc != EXIT_OK) {
		json_decref(s.a);
		return rc;
	}
	json_object_set_new(s.a, "staff_id", json_string(sid));
	if (o[O_ROLE].set)
		json_object_set_new(s.a, "role", json_string(o[O_ROLE].str));
	if (o[O_ROOM].set)
		json_object_set_new(s.a, "auditorium_id", json_string(aid));
	if (o[O_RESP].set)
		json_object_set_new(s.a, "responsible", json_true());
	if (o[O_REMOVE].set)
		json_object_set_new(s.a, "delete", json_true());
	return step_run(&s, "exam_assign_staff", o[O_DRY].set, false);
}

/* --- lock, unlock -------------------------------------------------------------------------- */

static int lock_run(struct client *cl, const char *exam, const char *reason, bool dry,
	const char *kind)
{
	struct step s;
	int rc = step_begin(&s, cl, exam);
	if (rc != EXIT_OK)
		return rc;
	if (reason)
		json_object_set_new(s.a, "reason", json_string(reason));
	return step_run(&s, kind, dry, false);
}

int cmd_exam_lock(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_REASON, O_DRY, O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_REASON] = {.name = "reason", .type = OPT_STR, .meta = "TEXT",
			.help = N_("why (shown to whoever tries to change the planning)")},
		[O_DRY] = OPT_DRY,
	};
	struct opt_cmd c = {"exam lock", "", 0, help_exam_lock, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	return lock_run(cl, o[O_EXAM].str, o[O_REASON].set ? o[O_REASON].str : NULL,
		o[O_DRY].set, "exam_lock");
}

int cmd_exam_unlock(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_DRY, O_N };
	struct opt o[O_N + 1] = {[O_EXAM] = OPT_EXAM, [O_DRY] = OPT_DRY};
	struct opt_cmd c = {"exam unlock", "", 0, help_exam_unlock, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	return lock_run(cl, o[O_EXAM].str, NULL, o[O_DRY].set, "exam_unlock");
}

/* --- seating lists ------------------------------------------------------------------------- */

/* s, then spaces up to width display columns (UTF-8: one column per character). */
static void pad(const char *s, int width)
{
	int n = 0;
	for (const char *p = s; *p; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	printf("%s%*s", s, width > n ? width - n : 0, "");
}

/* The text list: one block per auditorium, printable. A participant this organization may
 * not read (from another municipality) is listed by id. */
static void seating_text(const Karta__Table *t)
{
	char last[64] = "";
	for (size_t i = 0; i < t->n_rows; i++) {
		char **c = t->rows[i]->cells; /* point auditorium row seat school person born id manual */
		if (t->rows[i]->n_cells < 9)
			continue;
		char head[64];
		snprintf(head, sizeof head, "%s/%s", c[0], c[1]);
		if (strcmp(head, last) != 0) {
			printf(_("%sexam point %s, auditorium %s\n"), i ? "\n" : "", c[0], c[1]);
			pad(_("row"), 5);
			pad(_("seat"), 6);
			pad(_("school"), 11);
			pad(_("participant"), 45);
			printf("%s\n", _("born"));
			memcpy(last, head, sizeof last);
		}
		pad(c[2], 5);
		pad(c[3], 6);
		pad(c[4], 11);
		pad(*c[5] ? c[5] : c[7], 44);
		printf(" %s%s\n", c[6], strcmp(c[8], "t") == 0 ? _("  (manual)") : "");
	}
}

int cmd_exam_seating(struct client *cl, int argc, char **argv)
{
	enum { O_EXAM, O_POINT, O_FORMAT, O_BOM, O_OUTPUT, O_N };
	struct opt o[O_N + 1] = {
		[O_EXAM] = OPT_EXAM,
		[O_POINT] = {.name = "point", .type = OPT_STR, .meta = "CODE",
			.help = N_("one exam point (default: every point this organization plans)")},
		[O_FORMAT] = OPTS_FORMAT("table|csv|json|xlsx"),
		[O_BOM] = OPTS_BOM,
		[O_OUTPUT] = OPTS_OUTPUT,
	};
	struct opt_cmd c = {"exam seating", "", 0, help_exam_seating, o};
	int rc;
	if (!opts_ok(&c, argc, argv, NULL, &rc))
		return rc;
	if (o[O_POINT].set && strlen(o[O_POINT].str) != 4)
		return opts_fail(&c, _("--point takes a 4-digit exam point code"));
	struct report_view v = {.title = "Рассадка"};
	struct table_out out;
	rc = table_out_start(&out, &v.fo, &c);
	if (rc != EXIT_OK)
		return rc;
	Karta__Table *t;
	rc = exam_table(cl, o[O_EXAM].str, "seating", o[O_POINT].set ? o[O_POINT].str : "", &t);
	if (rc != EXIT_OK)
		return table_out_close(&out, &v.fo, rc);
	if (v.fo.format != KT_TABLE_TEXT)
		rc = report_render_columns(t, &v, NULL, out.f);
	else if (t->n_rows == 0)
		printf(_("nobody seated\n"));
	else
		seating_text(t);
	karta__table__free_unpacked(t, NULL);
	return table_out_close(&out, &v.fo, rc);
}
