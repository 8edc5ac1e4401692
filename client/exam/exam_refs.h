/* exam_refs: what the exam commands name, resolved to ids from the local replica (the
 * region's and municipalities' replicas hold the exams, exam points, auditoriums and staff
 * they may plan with; the exam commands pull first when the server is reachable):
 *   exam        its id, or DATE:SUBJECT (2025-06-01:2) when one exam has that date and
 *               subject code; DATE:SUBJECT:FORM (ege|oge|gve) picks among several
 *   point       its code (0001)
 *   room        an auditorium of a point, by its code (0101)
 *   staff       a staff member's code (000123)
 * Each prints what is wrong on stderr ("karta: no exam 2025-06-01:2 in the local replica
 * (run 'karta sync')") and returns an exit code; on EXIT_OK id holds the UUID. */
#ifndef KT_EXAM_REFS_H
#define KT_EXAM_REFS_H

#include <stddef.h>

struct replica;

#define EXAM_ID_LEN 37

int exam_ref_exam(struct replica *r, const char *ref, char id[EXAM_ID_LEN]);
int exam_ref_point(struct replica *r, const char *code, char id[EXAM_ID_LEN]);
int exam_ref_room(struct replica *r, const char *point_id, const char *point_code,
	const char *code, char id[EXAM_ID_LEN]);
int exam_ref_staff(struct replica *r, const char *code, char id[EXAM_ID_LEN]);

/* The person a participant id names in the replica ("Surname Name Patronymic"), "" when
 * this replica does not hold them. buf must hold n bytes. */
const char *exam_ref_person(struct replica *r, const char *participant_id, char *buf, size_t n);

#endif
