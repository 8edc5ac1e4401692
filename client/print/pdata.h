/* pdata: what the print forms read from the local replica — the registries and the
 * exam planning this organization may read (the server puts nothing else in its replica:
 * a municipality holds its own points, rooms, staff, seating and its schools' people) —
 * loaded per entity type into arrays sorted by id, plus the organizations of the feeds.
 * Rows are the server's payloads (keys = SQL columns, sql/0008, sql/0009); deleted rows
 * are left out. */
#ifndef KT_PDATA_H
#define KT_PDATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct replica;

struct prow {
	char *id;
	char *feed; /* the owner's organization code ("" for rows only the outbox has) */
	json_t *row;
};

struct ptab {
	struct prow *r;
	size_t n, cap;
};

struct porg {
	char *code, *name, *parent;
	int level; /* Karta__OrgLevel */
};

struct pdata {
	struct replica *rep;
	struct ptab exams, points, rooms, people, regs, seats, staff, assign;
	struct porg *orgs;
	size_t n_orgs;
	struct ptab org_ids; /* id: organization id as text, feed: its code */
	char own[64];        /* this device's organization code (set by the caller) */
	int own_level;       /* its Karta__OrgLevel (set by the caller) */
};

/* What a form needs, as pdata_load's mask. */
enum {
	PD_EXAMS = 1 << 0, PD_POINTS = 1 << 1, PD_ROOMS = 1 << 2, PD_PEOPLE = 1 << 3,
	PD_REGS = 1 << 4, PD_SEATS = 1 << 5, PD_STAFF = 1 << 6, PD_ASSIGN = 1 << 7,
};

/* Loads the types in mask from r (the organizations always). school: participants and
 * registrations of this school only (NULL: all the replica holds) — a region printing one
 * school's notices reads its rows, not the region's. 0, or -1 with err. */
int pdata_load(struct pdata *p, struct replica *r, unsigned mask, const char *school, char *err,
	size_t n);
void pdata_free(struct pdata *p);

/* The row with this id in t, NULL when absent. */
const struct prow *pdata_find(const struct ptab *t, const char *id);
/* The organization of this code, NULL when the replica has no feed of it. */
const struct porg *pdata_org(const struct pdata *p, const char *code);
/* The code of an organization id a row names ("workplace_org_id": 17), "" when unknown. */
const char *pdata_org_code(const struct pdata *p, const json_t *id);
/* The exam point with this code, NULL when this replica has none. */
const struct prow *pdata_point(const struct pdata *p, const char *code);

/* A string field ("" when absent or null), an integer field (0). */
const char *pdata_str(const json_t *row, const char *key);
long long pdata_int(const json_t *row, const char *key);

/* "Фамилия Имя Отчество" of a participant or staff row into buf. */
const char *pdata_person(const json_t *row, char *buf, size_t n);
/* "дд.мм.гггг" of an ISO date (YYYY-MM-DD…) into buf; the text itself when not a date. */
const char *pdata_date(const char *iso, char *buf, size_t n);
/* The exam's title: "Математика (профильная), ЕГЭ" into buf. */
const char *pdata_exam_title(const json_t *exam, char *buf, size_t n);
/* The exam form's name: ЕГЭ, ОГЭ, ГВЭ. */
const char *pdata_exam_form(const json_t *exam);

/* The index of the first row of t whose key field equals v (t sorted by that field with
 * pdata_sort_by), or t->n. */
void pdata_sort_by(struct ptab *t, const char *key);
size_t pdata_first(const struct ptab *t, const char *key, const char *v);

#endif
