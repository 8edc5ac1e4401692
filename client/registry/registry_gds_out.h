/* registry_gds_out: one row of karta as the columns of its rbd_* table of the federal
 * exchange package, for `karta registry export --layout giadbset -o PACKAGE.zip`
 * (docs/registries.md «GIADBSet export»). registry_gds_export.c runs the command: the
 * organization tree from the server (remembered in the replica for offline use), the rest
 * from the local replica, streamed table by table into kt_gds_write; registry_gds_out.c
 * maps the rows. */
#ifndef KT_REGISTRY_GDS_OUT_H
#define KT_REGISTRY_GDS_OUT_H

#include <jansson.h>
#include <stdbool.h>

#include "kt_gds.h"
#include "registry_gds_row.h"
#include "registry_rows.h" /* struct reg_map */

struct client;

/* What the mapping needs besides the row: the region's federal code and GUID, and ids → the
 * GUIDs and keys other rows name them by (hash maps: a row looks up to three). Keys of the
 * pair maps are "A|B". Read only while the tables are written, by two threads. */
struct gx {
	char region_code[16], region_guid[40], region_created[32];
	struct reg_map org_guid;   /* organization id → GUID */
	struct reg_map org_area;   /* organization id → its territory's GUID (schools) */
	struct reg_map part_guid;  /* participant id → its GUID */
	struct reg_map exam_gid;   /* exam id → ExamGlobalID */
	struct reg_map point_guid; /* exam point id → its GUID */
	struct reg_map aud_places; /* auditorium id → usable seats */
	struct reg_map pa;         /* exam id|point id → exam_point_assignment id */
	struct reg_map ea;         /* exam id|auditorium id → exam_auditorium id */
	struct reg_map dist;       /* exam id|participant id → distribution id */
	long no_global;          /* rows left out: their exam has no ExamGlobalID */
	long no_link;            /* planning rows left out: what they hang on is not held */
	long no_area;            /* exam points without a territory, their own or their host
	                            school's (AreaID written as zeros) */
	long unknown_cols;       /* rows with columns the schema does not know (kept) */
};

/* One row being mapped: val[] by the table's columns, the kept unknown columns, and a pool
 * the values live in until the next row. */
struct gds_out {
	const char *val[KT_GDS_MAX_COLS];
	int nx;
	const char *xname[32], *xval[32];
	char pool[64 << 10];
	size_t used;
};

/* Where a table's rows come from. */
enum gds_src { GS_REGION, GS_TERRITORY, GS_MUNICIPALITY, GS_SCHOOL, GS_ROW };

struct gds_out_table {
	const char *name;        /* rbd_Participants */
	enum gds_src src;
	const char *entity_type; /* GS_ROW: the replica's entity type */
	bool links;              /* needs the link maps of gx (participant, exam, point,
	                            auditorium, the planning pairs); else only the tree's */
	/* Fills o from row (a replica row, or an organization of the server's table as a row of
	 * its columns). 1 written, 0 left out (counted in x), -1 out of memory. */
	int (*map)(struct gx *x, struct gds_row *row, struct gds_out *o);
};

extern const struct gds_out_table gds_out_tables[];
extern const int gds_out_tables_count;

/* Starts a row of table t: every value NULL, the pool empty. */
void gds_out_reset(struct gds_out *o);
/* After map: what the row keeps of what karta does not model ("gds_extra" or "extra": an
 * array of [element, text] pairs, or an object) fills the schema's columns still empty and
 * the unknown ones; required columns still empty get the schema type's neutral value. -1
 * when out of room. */
int gds_out_finish(struct gx *x, const struct kt_gds_table *t, struct gds_row *row,
	struct gds_out *o);

/* A name-based UUID (version 5) of name in the namespace ns (a UUID): into buf, NULL when
 * the digest fails or buf has less than 37 bytes. */
const char *gds_out_uuid5(const char *ns, const char *name, char *buf, size_t n);

int registry_gds_export(struct client *cl, int argc, char **argv);

#endif
