/* admin_org_import: `karta-admin org import PACKAGE [--dry-run]` — the organization tree from
 * the federal exchange package (common/giadbset): the region (rbd_CurrentRegion), its
 * municipalities (rbd_Governments), territories (rbd_Areas, kept as an attribute of schools)
 * and schools (rbd_Schools, under their GovernmentID).
 *
 * The four files are streamed into one temporary table by COPY inside one transaction; the
 * checks that span the package (duplicate GUIDs, references to GUIDs neither the package nor
 * karta has, codes already taken) and the plan (add, update, mark deleted, restore, skip,
 * unchanged) are SQL over it. Any error rolls everything back and names the file and row;
 * --dry-run prints the plan and rolls back. An organization is matched by its GUID and keeps
 * its code; a new one gets a code from the federal codes: reg<REGION>, mun<REGION>-<GovernmentCode>,
 * oo<REGION>-<SchoolCode> — or the one --codes FILE gives its GUID; an organization added
 * by hand before (no GUID) whose code --codes names is adopted: it gets the GUID. A row deleted in the package (DeleteType ≠ 0) marks an existing
 * organization (federal_delete) without removing it or its devices, and is skipped when
 * karta does not have it. Organization names are not personal data; messages quote them. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "admin.h"
#include "kt_csv.h"
#include "kt_gds.h"
#include "kt_i18n.h"
#include "kt_server_text.h"

/* What one file gives to the gds_org table. */
struct org_src {
	const char *table;
	char kind; /* r region, a territory, m municipality, s school */
	bool required;
	const char *guid, *parent, *area, *code, *name, *name2, *del;
};

static const struct org_src srcs[] = {
	{"rbd_CurrentRegion", 'r', true, "ID", NULL, NULL, "REGION", "Name", NULL, NULL},
	{"rbd_Areas", 'a', false, "AreaID", NULL, NULL, "AreaCode", "AreaName", NULL, "IsDeleted"},
	{"rbd_Governments", 'm', true, "GovernmentID", "RegionID", NULL, "GovernmentCode",
		"GovernmentName", NULL, "DeleteType"},
	{"rbd_Schools", 's', true, "SchoolID", "GovernmentID", "AreaFK", "SchoolCode", "SchoolName",
		"ShortName", "DeleteType"},
};

/* Appends v to buf in COPY's text format (\N for NULL). */
static void copy_field(char *buf, size_t cap, size_t *n, const char *v, bool last)
{
	if (!v) {
		*n += (size_t)snprintf(buf + *n, *n < cap ? cap - *n : 0, "\\N");
	} else {
		for (const char *c = v; *c && *n + 3 < cap; c++) {
			const char *esc = *c == '\\' ? "\\\\" : *c == '\t' ? "\\t" : *c == '\n' ? "\\n"
				: *c == '\r' ? "\\r" : NULL;
			if (esc)
				buf[(*n)++] = esc[0], buf[(*n)++] = esc[1];
			else
				buf[(*n)++] = *c;
		}
	}
	if (*n + 1 < cap)
		buf[(*n)++] = last ? '\n' : '\t';
	buf[*n < cap ? *n : cap - 1] = '\0';
}

/* What the row says that karta does not model — the schema's other columns, then the unknown
 * ones — as the JSON array of [element, text] pairs organization.gds_extra keeps (sql/0020),
 * in the file's order, so that an export hands it back verbatim. NULL when out of memory. */
static char *extra_json(const struct org_src *s, const struct kt_gds_table *t,
	const struct kt_gds_row *row)
{
	const char *mapped[] = {s->guid, s->parent, s->area, s->code, s->name, s->del};
	json_t *a = json_array();
	for (int i = 0; a && i < t->ncols; i++) {
		bool is_mapped = false;
		for (size_t m = 0; m < sizeof mapped / sizeof mapped[0]; m++)
			is_mapped |= mapped[m] && strcmp(mapped[m], t->cols[i].name) == 0;
		if (!is_mapped && row->val[i] &&
		    json_array_append_new(a, json_pack("[ss]", t->cols[i].name, row->val[i])) != 0)
			json_decref(a), a = NULL;
	}
	for (int i = 0; a && i < row->nunknown; i++)
		if (json_array_append_new(a, json_pack("[ss]", row->unknown_name[i], row->unknown_val[i])) != 0)
			json_decref(a), a = NULL;
	char *out = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return out;
}

static const char *col(const struct kt_gds_table *t, const struct kt_gds_row *row, const char *name)
{
	int i = name ? kt_gds_col(t, name) : -1;
	return i >= 0 ? row->val[i] : NULL;
}

/* Streams one file's rows into COPY gds_org. 0, or -1 with err. */
static int load_file(PGconn *pg, struct kt_gds_pkg *pkg, const struct org_src *s, char *err,
	size_t errlen)
{
	struct kt_gds_reader *r = kt_gds_open(pkg, s->table, err, errlen);
	if (!r)
		return -1;
	const struct kt_gds_table *t = kt_gds_table(s->table);
	char file[64];
	snprintf(file, sizeof file, "%s.xml", s->table);
	struct kt_gds_row row;
	static char buf[256 << 10]; /* a school's unmodelled columns included */
	int k;
	while ((k = kt_gds_next(r, &row, err, errlen)) == 1) {
		char rowno[24], kind[2] = {s->kind, '\0'};
		snprintf(rowno, sizeof rowno, "%ld", row.index);
		const char *name = col(t, &row, s->name);
		const char *name2 = col(t, &row, s->name2);
		/* a school's full name may exceed karta's 500 characters: its short name then */
		if ((!name || !*name || strlen(name) > 1000) && name2 && *name2)
			name = name2;
		const char *del = col(t, &row, s->del);
		if (s->kind == 'a')
			del = del && (strcmp(del, "true") == 0 || strcmp(del, "1") == 0) ? "1" : "0";
		size_t n = 0;
		copy_field(buf, sizeof buf, &n, file, false);
		copy_field(buf, sizeof buf, &n, rowno, false);
		copy_field(buf, sizeof buf, &n, kind, false);
		copy_field(buf, sizeof buf, &n, col(t, &row, s->guid), false);
		copy_field(buf, sizeof buf, &n, col(t, &row, s->parent), false);
		copy_field(buf, sizeof buf, &n, col(t, &row, s->area), false);
		copy_field(buf, sizeof buf, &n, col(t, &row, s->code), false);
		copy_field(buf, sizeof buf, &n, name ? name : "", false);
		copy_field(buf, sizeof buf, &n, del && *del ? del : "0", false);
		char *extra = extra_json(s, t, &row);
		if (!extra) {
			snprintf(err, errlen, _("%s: out of memory"), file);
			k = -1;
			break;
		}
		copy_field(buf, sizeof buf, &n, extra, true);
		free(extra);
		if (n + 1 >= sizeof buf) {
			snprintf(err, errlen, _("%s: row %ld: the row is too long to keep whole"), file,
				row.index);
			k = -1;
			break;
		}
		if (PQputCopyData(pg, buf, (int)n) != 1) {
			snprintf(err, errlen, "%s: %s", file, PQerrorMessage(pg));
			k = -1;
			break;
		}
	}
	kt_gds_close(r);
	return k < 0 ? -1 : 0;
}

/* Loads the package into gds_org. 0, or -1 (message printed). */
static int load(PGconn *pg, const char *path)
{
	char err[512];
	struct kt_gds_limits lim;
	kt_gds_limits_default(&lim);
	struct kt_gds_pkg *pkg = kt_gds_pkg_open(path, &lim, err, sizeof err);
	if (!pkg) {
		fprintf(stderr, _("karta-admin: cannot import '%s': %s; nothing imported\n"), path, err);
		return -1;
	}
	for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++)
		if (srcs[i].required && !kt_gds_pkg_has(pkg, srcs[i].table)) {
			fprintf(stderr, _("karta-admin: cannot import '%s': the package has no %s.xml "
					"(an organization tree needs rbd_CurrentRegion, rbd_Governments and "
					"rbd_Schools); nothing imported\n"), path, srcs[i].table);
			kt_gds_pkg_free(pkg);
			return -1;
		}
	PGresult *r = PQexec(pg, "COPY gds_org FROM STDIN");
	bool ok = PQresultStatus(r) == PGRES_COPY_IN;
	PQclear(r);
	err[0] = '\0';
	for (size_t i = 0; ok && i < sizeof srcs / sizeof srcs[0]; i++)
		if (kt_gds_pkg_has(pkg, srcs[i].table) && load_file(pg, pkg, &srcs[i], err, sizeof err) != 0)
			ok = false;
	kt_gds_pkg_free(pkg);
	PQputCopyEnd(pg, ok ? NULL : "the package is refused");
	while ((r = PQgetResult(pg))) {
		if (ok && PQresultStatus(r) != PGRES_COMMAND_OK) {
			snprintf(err, sizeof err, "%s", PQresultErrorMessage(r));
			ok = false;
		}
		PQclear(r);
	}
	if (!ok) {
		size_t n = strlen(err);
		while (n && err[n - 1] == '\n')
			err[--n] = '\0';
		fprintf(stderr, _("karta-admin: cannot import '%s': %s; nothing imported\n"), path,
			*err ? err : PQerrorMessage(pg));
		return -1;
	}
	return 0;
}

static const char sql_temp[] =
	"CREATE TEMP TABLE gds_org (file text, row int, kind text, guid uuid, parent uuid,"
	" area uuid, code text, name text, del int, extra jsonb) ON COMMIT DROP;"
	"CREATE TEMP TABLE gds_codes (line int, guid text, code text) ON COMMIT DROP";

/* --codes FILE: "GUID;code" lines (a header first) into gds_codes, GUIDs as PostgreSQL
 * prints them (lower case, no braces). 0, or -1 (message printed). */
static int load_codes(PGconn *pg, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, _("karta-admin: cannot read '%s': %m; nothing imported\n"), path);
		return -1;
	}
	struct kt_csv_reader *rd = kt_csv_reader_file(f, NULL);
	struct kt_csv_row row;
	struct kt_csv_err err = {0};
	enum kt_csv_status st = rd ? kt_csv_next(rd, &row, &err) : KT_CSV_END; /* the header */
	int rc = st == KT_CSV_ROW && row.n == 2 ? 0 : -1;
	if (rc != 0)
		fprintf(stderr, _("karta-admin: %s: %s; nothing imported\n"), path, *err.msg ? err.msg
			: "must have two columns: the GUID and the karta code");
	while (rc == 0 && (st = kt_csv_next(rd, &row, &err)) != KT_CSV_END) {
		if (st != KT_CSV_ROW) {
			fprintf(stderr, _("karta-admin: %s: %s; nothing imported\n"), path, err.msg);
			rc = -1;
			break;
		}
		char line[16], guid[64];
		snprintf(line, sizeof line, "%d", row.line);
		const char *g = row.f[0].s + (row.f[0].s[0] == '{');
		snprintf(guid, sizeof guid, "%s", g);
		for (char *c = guid; *c; c++)
			*c = *c == '}' ? '\0' : *c >= 'A' && *c <= 'Z' ? (char)(*c + 32) : *c;
		const char *p[3] = {line, guid, row.f[1].s};
		PGresult *r = admin_exec(pg, N_("read the codes"), "INSERT INTO gds_codes VALUES ($1::int, "
			"btrim($2), btrim($3))", 3, p);
		rc = r ? 0 : -1;
		PQclear(r);
	}
	kt_csv_reader_free(rd);
	fclose(f);
	return rc;
}

/* One row per organization of the package, matched to karta's by GUID — or, for an
 * organization added by hand (no GUID), by the code --codes gives it: adopted — then its
 * parent's organization and its action. */
static const char sql_plan[] =
	"CREATE TEMP TABLE gds_plan ON COMMIT DROP AS"
	" WITH reg AS (SELECT max(code) AS rcode FROM gds_org WHERE kind = 'r')"
	" SELECT g.*, o.id AS org_id, o.code AS old_code, o.name AS old_name, o.level AS old_level,"
	"  o.federal_code AS old_fcode, o.federal_delete AS old_del, o.territory_guid AS old_area,"
	"  o.parent_id AS old_parent_id, op.code AS old_parent_code, o.id IS NOT NULL AND o.guid IS NULL AS adopt,"
	"  coalesce(o.code, c.code, CASE g.kind WHEN 'r' THEN 'reg' || g.code"
	"   WHEN 'm' THEN 'mun' || reg.rcode || '-' || g.code ELSE 'oo' || reg.rcode || '-' || g.code END)"
	"   AS new_code,"
	"  CASE g.kind WHEN 'r' THEN 'region' WHEN 'm' THEN 'municipality' ELSE 'school' END AS level,"
	"  NULL::bigint AS parent_org, ''::text AS action"
	" FROM gds_org g CROSS JOIN reg"
	" LEFT JOIN gds_codes c ON c.guid = g.guid::text"
	" LEFT JOIN LATERAL (SELECT x.*, 0 AS pri FROM organization x WHERE x.guid = g.guid"
	"  UNION ALL SELECT x.*, 1 FROM organization x WHERE x.guid IS NULL AND x.code = c.code"
	"  ORDER BY pri LIMIT 1) o ON true"
	" LEFT JOIN organization op ON op.id = o.parent_id"
	" WHERE g.kind <> 'a'";

static const char sql_plan_actions[] =
	"CREATE INDEX ON gds_plan(guid); ANALYZE gds_plan;"
	"UPDATE gds_plan p SET parent_org = coalesce((SELECT q.org_id FROM gds_plan q"
	"  WHERE q.guid = p.parent LIMIT 1), (SELECT o.id FROM organization o WHERE o.guid = p.parent));"
	"UPDATE gds_plan SET action = CASE WHEN org_id IS NULL THEN"
	"  CASE WHEN del <> 0 THEN 'skip' ELSE 'add' END"
	" WHEN del <> 0 AND old_del = 0 THEN 'delete'"
	" WHEN del = 0 AND old_del <> 0 THEN 'restore'"
	" WHEN adopt OR (old_name, old_fcode, old_del, old_parent_id, old_area)"
	"  IS DISTINCT FROM (name, code, del::smallint, parent_org, area) THEN 'update'"
	" ELSE 'same' END";

/* Everything that refuses the package, as file, row (0: the file as a whole), message. */
static const char sql_errors[] =
	"CREATE TEMP TABLE gds_err ON COMMIT DROP AS SELECT file, row, msg FROM ("
	" SELECT 'rbd_CurrentRegion.xml' AS file, 0 AS row,"
	"  format('must hold exactly one region (it holds %s)', count(*)) AS msg"
	"  FROM gds_org WHERE kind = 'r' HAVING count(*) <> 1"
	" UNION ALL SELECT b.file, b.row, format('duplicate GUID: the same as %s row %s', a.file, a.row)"
	"  FROM gds_org a JOIN gds_org b ON a.guid = b.guid AND (a.file, a.row) < (b.file, b.row)"
	" UNION ALL SELECT file, row, 'the federal code must be a whole number of 1 to 9 digits'"
	"  FROM gds_org WHERE code !~ '^[0-9]{1,9}$'"
	" UNION ALL SELECT file, row, 'the name is empty' FROM gds_org WHERE btrim(name) = ''"
	" UNION ALL SELECT g.file, g.row, 'RegionID: not the GUID of the package''s region"
	" (rbd_CurrentRegion.xml)' FROM gds_org g WHERE g.kind = 'm'"
	"  AND g.parent IS DISTINCT FROM (SELECT max(guid::text)::uuid FROM gds_org WHERE kind = 'r')"
	" UNION ALL SELECT s.file, s.row, 'GovernmentID: no municipality with this GUID in the"
	" package (rbd_Governments.xml) or in karta' FROM gds_org s WHERE s.kind = 's'"
	"  AND NOT EXISTS (SELECT 1 FROM gds_org m WHERE m.kind = 'm' AND m.guid = s.parent)"
	"  AND NOT EXISTS (SELECT 1 FROM organization o WHERE o.guid = s.parent"
	"   AND o.level = 'municipality')"
	" UNION ALL SELECT s.file, s.row, format('GovernmentID: the municipality is deleted in the"
	" package (%s row %s) and karta does not have it', m.file, m.row)"
	"  FROM gds_org s JOIN gds_plan m ON m.kind = 'm' AND m.guid = s.parent AND m.action = 'skip'"
	"  WHERE s.kind = 's' AND s.del = 0"
	" UNION ALL SELECT s.file, s.row, 'AreaFK: no territory with this GUID in the package"
	" (rbd_Areas.xml) or in karta' FROM gds_org s WHERE s.kind = 's' AND s.area IS NOT NULL"
	"  AND NOT EXISTS (SELECT 1 FROM gds_org a WHERE a.kind = 'a' AND a.guid = s.area)"
	"  AND NOT EXISTS (SELECT 1 FROM territory t WHERE t.guid = s.area)"
	" UNION ALL SELECT a.file, a.row, 'AreaID: karta has this territory in another region'"
	"  FROM gds_org a JOIN territory t ON t.guid = a.guid JOIN gds_plan r ON r.kind = 'r'"
	"  WHERE a.kind = 'a' AND r.org_id IS DISTINCT FROM t.region_id"
	" UNION ALL SELECT file, row, format('the GUID is a %s in karta (%s); the package makes it a %s',"
	"  old_level, old_code, level) FROM gds_plan WHERE org_id IS NOT NULL AND old_level <> level"
	" UNION ALL SELECT file, row, format('karta has this municipality (%s) in another region (%s)',"
	"  old_code, old_parent_code) FROM gds_plan WHERE kind = 'm' AND org_id IS NOT NULL"
	"  AND old_parent_id IS DISTINCT FROM (SELECT max(r.org_id) FROM gds_plan r WHERE r.kind = 'r')"
	" UNION ALL SELECT 'codes', c.line, format('%s: no organization of the package has this GUID',"
	"  c.guid) FROM gds_codes c WHERE NOT EXISTS (SELECT 1 FROM gds_org g WHERE g.guid::text = c.guid)"
	" UNION ALL SELECT 'codes', c.line, format('%s: not a karta organization code (letters, digits,"
	" _ . -, at most 32)', c.code) FROM gds_codes c"
	"  WHERE c.code !~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'"
	" UNION ALL SELECT 'codes', b.line, format('the code %s is also given on line %s', b.code, a.line)"
	"  FROM gds_codes a JOIN gds_codes b ON a.code = b.code AND a.line < b.line"
	" UNION ALL SELECT p.file, p.row, format('--codes gives it %s, but it is %s in karta',"
	"  c.code, p.old_code) FROM gds_plan p JOIN gds_codes c ON c.guid = p.guid::text"
	"  WHERE p.org_id IS NOT NULL AND p.old_code <> c.code"
	" UNION ALL SELECT p.file, p.row, format('the code karta gives a new %s, %s, is taken by"
	" organization %s (%s)', p.level, p.new_code, o.name, CASE WHEN o.guid IS NULL"
	"  THEN 'added by hand, without a GUID' ELSE 'another GUID' END)"
	"  FROM gds_plan p JOIN organization o ON o.code = p.new_code WHERE p.action = 'add'"
	" UNION ALL SELECT b.file, b.row, format('the code %s (from its federal code) is also"
	" %s row %s''s', b.new_code, a.file, a.row)"
	"  FROM gds_plan a JOIN gds_plan b ON a.new_code = b.new_code AND (a.file, a.row) < (b.file, b.row)"
	"  WHERE a.action = 'add' OR b.action = 'add'"
	") e";

/* --partial: the refused rows stay out, and so do the schools that hang on a refused new
 * municipality or territory. */
static const char sql_partial[] =
	"UPDATE gds_plan p SET action = 'refused' WHERE EXISTS (SELECT 1 FROM gds_err e"
	" WHERE e.file = p.file AND e.row = p.row);"
	"INSERT INTO gds_err SELECT s.file, s.row, format('not imported: its municipality is refused"
	" (%s row %s)', m.file, m.row) FROM gds_plan s JOIN gds_plan m ON m.guid = s.parent"
	" AND m.action = 'refused' AND m.org_id IS NULL WHERE s.kind = 's' AND s.action <> 'refused';"
	"INSERT INTO gds_err SELECT s.file, s.row, format('not imported: its territory is refused"
	" (%s row %s)', a.file, a.row) FROM gds_plan s JOIN gds_org a ON a.kind = 'a' AND a.guid = s.area"
	" JOIN gds_err ea ON ea.file = a.file AND ea.row = a.row WHERE s.kind = 's'"
	" AND s.action <> 'refused' AND NOT EXISTS (SELECT 1 FROM territory t WHERE t.guid = s.area);"
	"UPDATE gds_plan p SET action = 'refused' WHERE EXISTS (SELECT 1 FROM gds_err e"
	" WHERE e.file = p.file AND e.row = p.row)";

/* The plan as lines a person reads, and the counts. The words are parameters (report():
 * the catalogue's, in the user's language): $1-$3 the levels, $4-$16 the phrases. */
static const char sql_report[] =
	"SELECT ord, line FROM ("
	" SELECT CASE kind WHEN 'r' THEN 1 WHEN 'm' THEN 3 ELSE 4 END AS ord, file, row, CASE action"
	"  WHEN 'add' THEN format($4::text, lv, new_code, name, CASE WHEN parent IS NULL"
	"   THEN '' ELSE format($5::text, coalesce((SELECT q.new_code FROM gds_plan q WHERE q.guid = p.parent),"
	"    (SELECT o.code FROM organization o WHERE o.guid = p.parent))) END)"
	"  WHEN 'skip' THEN format($6::text, file, row, del)"
	"  WHEN 'delete' THEN format($7::text, lv, new_code, name, del)"
	"  ELSE format('~ %s %s «%s»:%s%s%s%s%s', lv, new_code, name,"
	"   CASE WHEN action = 'restore' THEN $8::text WHEN adopt THEN $9::text ELSE '' END,"
	"   CASE WHEN old_name IS DISTINCT FROM name THEN format($10::text, old_name) END,"
	"   CASE WHEN old_fcode IS DISTINCT FROM code THEN format($11::text,"
	"    coalesce(old_fcode, '—'), code) END,"
	"   CASE WHEN old_parent_id IS DISTINCT FROM parent_org THEN format($12::text,"
	"    coalesce(old_parent_code, '—'), coalesce((SELECT q.new_code FROM gds_plan q"
	"     WHERE q.guid = p.parent), (SELECT o.code FROM organization o WHERE o.guid = p.parent))) END,"
	"   CASE WHEN old_area IS DISTINCT FROM area THEN $13::text END) END AS line"
	" FROM (SELECT *, CASE level WHEN 'region' THEN $1::text WHEN 'municipality' THEN $2::text"
	"  ELSE $3::text END AS lv FROM gds_plan) p WHERE action NOT IN ('same', 'refused')"
	" UNION ALL SELECT 2, g.file, g.row, CASE WHEN t.guid IS NULL"
	"  THEN format($14::text, g.code, g.name, CASE WHEN g.del <> 0 THEN $15::text ELSE '' END)"
	"  ELSE format($16::text, g.code, g.name) END"
	" FROM gds_org g LEFT JOIN territory t ON t.guid = g.guid WHERE g.kind = 'a'"
	"  AND NOT EXISTS (SELECT 1 FROM gds_err e WHERE e.file = g.file AND e.row = g.row)"
	"  AND (t.guid IS NULL OR (t.code::text, t.name, t.deleted) IS DISTINCT FROM (g.code, g.name, g.del <> 0))"
	") x ORDER BY ord, file, row";

static const char sql_counts[] =
	"SELECT count(*) FILTER (WHERE action = 'add'), count(*) FILTER (WHERE action = 'update'),"
	" count(*) FILTER (WHERE action = 'delete'), count(*) FILTER (WHERE action = 'restore'),"
	" count(*) FILTER (WHERE action = 'skip'), count(*) FILTER (WHERE action = 'same'),"
	" (SELECT count(*) FROM gds_org WHERE kind = 'a'), (SELECT count(*) FROM gds_err) FROM gds_plan";

/* The writes, in tree order: the region, its territories, municipalities, schools. */
static const char sql_put_orgs[] =
	"WITH ins AS (INSERT INTO organization(code, name, level, parent_id, guid, federal_code,"
	"  territory_guid, gds_extra)"
	" SELECT p.new_code, p.name, p.level, (SELECT o.id FROM organization o WHERE o.guid = p.parent),"
	"  p.guid, p.code, p.area, p.extra FROM gds_plan p WHERE p.kind = $1 AND p.action = 'add'"
	"  ORDER BY p.row RETURNING id)"
	" UPDATE organization o SET guid = p.guid, name = p.name, federal_code = p.code,"
	"  federal_delete = p.del,"
	"  parent_id = (SELECT x.id FROM organization x WHERE x.guid = p.parent), territory_guid = p.area,"
	"  gds_extra = p.extra"
	" FROM gds_plan p WHERE p.kind = $1 AND p.org_id = o.id"
	"  AND p.action IN ('update', 'delete', 'restore')";

/* What karta does not model follows the package without being a change of its own (the
 * plan lists what karta shows; the rest is kept for the export, sql/0020). */
static const char sql_put_extra[] =
	"UPDATE organization o SET gds_extra = p.extra FROM gds_plan p"
	" WHERE p.org_id = o.id AND p.action = 'same' AND o.gds_extra IS DISTINCT FROM p.extra";

static const char sql_put_territories[] =
	"INSERT INTO territory(guid, region_id, code, name, deleted, gds_extra)"
	" SELECT g.guid, (SELECT o.id FROM organization o JOIN gds_org r ON r.guid = o.guid"
	"   WHERE r.kind = 'r'), g.code::int, g.name, g.del <> 0, g.extra FROM gds_org g WHERE g.kind = 'a'"
	"  AND NOT EXISTS (SELECT 1 FROM gds_err e WHERE e.file = g.file AND e.row = g.row)"
	" ON CONFLICT (guid) DO UPDATE SET code = excluded.code, name = excluded.name,"
	"  deleted = excluded.deleted, gds_extra = excluded.gds_extra, updated_at = now()"
	" WHERE (territory.code, territory.name, territory.deleted, territory.gds_extra)"
	"  IS DISTINCT FROM (excluded.code, excluded.name, excluded.deleted, excluded.gds_extra)";

/* Runs sql (several statements when it has no parameters). 0, or -1 (message printed). */
static int exec_ok(PGconn *pg, const char *what, const char *sql, int n, const char *const *p)
{
	if (n > 0) {
		PGresult *r = admin_exec(pg, what, sql, n, p);
		PQclear(r);
		return r ? 0 : -1;
	}
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		fprintf(stderr, _("karta-admin: cannot %s: %s\n"), _(what), msg ? msg : PQerrorMessage(pg));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

/* Prints the refusals (gds_err); 1 when there were any, 0 none, -1 on a database error. */
static int refusals(PGconn *pg, const char *path, const char *codes)
{
	PGresult *r = admin_exec(pg, N_("check the package"), "SELECT file, row, msg FROM gds_err"
		" ORDER BY file, row, msg LIMIT 50", 0, NULL);
	if (!r)
		return -1;
	int n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		char said[1024]; /* the reason is the SQL's English: the user's language here */
		const char *msg = kt_server_text(PQgetvalue(r, i, 2), said, sizeof said);
		if (strcmp(PQgetvalue(r, i, 0), "codes") == 0)
			fprintf(stderr, _("karta-admin: %s:%s: %s\n"), codes, PQgetvalue(r, i, 1), msg);
		else if (strcmp(PQgetvalue(r, i, 1), "0") == 0)
			fprintf(stderr, _("karta-admin: %s: %s: %s\n"), path, PQgetvalue(r, i, 0), msg);
		else
			fprintf(stderr, _("karta-admin: %s: %s: row %s: %s\n"), path, PQgetvalue(r, i, 0),
				PQgetvalue(r, i, 1), msg);
	}
	if (n == 50)
		fprintf(stderr, _("karta-admin: %s: (only the first 50 errors are shown)\n"), path);
	PQclear(r);
	return n > 0;
}

/* Errors --partial cannot leave out: of the package as a whole, the region, --codes. 1 when
 * there are any, 0 none, -1 on a database error. */
static int package_wide(PGconn *pg)
{
	PGresult *r = admin_exec(pg, N_("check the package"), "SELECT 1 FROM gds_err WHERE row = 0"
		" OR file IN ('codes', 'rbd_CurrentRegion.xml') LIMIT 1", 0, NULL);
	int n = r ? PQntuples(r) : -1;
	PQclear(r);
	return n;
}

static int report(PGconn *pg, bool dry)
{
	/* the words of sql_report's lines ($1-$16), as the user reads them */
	const char *words[] = {_("region"), _("municipality"), _("school"), _("+ %s %s «%s»%s"),
		_(" in %s"), _("  skipped %s row %s: deleted in the package (DeleteType %s) and not in "
		"karta"), _("- %s %s «%s»: deleted in the package (DeleteType %s): marked deleted; its "
		"data and devices are kept (revoke them with 'karta-admin device revoke')"),
		_(" live again in the package;"), _(" added by hand before: the package's GUID attached;"),
		_(" name was «%s»;"), _(" federal code %s → %s;"), _(" moves from %s to %s;"),
		_(" territory changed;"), _("+ territory %s «%s»%s"), _(" (deleted in the package)"),
		_("~ territory %s «%s»")};
	PGresult *r = admin_exec(pg, N_("plan the import"), sql_report, 16, words);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		printf("%s\n", PQgetvalue(r, i, 1));
	PQclear(r);
	if (!(r = admin_exec(pg, N_("count the changes"), sql_counts, 0, NULL)))
		return -1;
	bool refused = strcmp(PQgetvalue(r, 0, 7), "0") != 0;
	printf(_("%s: %s added, %s updated, %s marked deleted, %s live again, %s skipped (deleted in "
	       "the package), %s unchanged; %s territories%s%s%s\n"), dry ? _("dry run") : _("org import"),
		PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3),
		PQgetvalue(r, 0, 4), PQgetvalue(r, 0, 5), PQgetvalue(r, 0, 6),
		refused ? _("; rows refused (--partial): ") : "", refused ? PQgetvalue(r, 0, 7) : "",
		dry ? _("; nothing written") : "");
	PQclear(r);
	return 0;
}

int admin_org_import(PGconn *pg, int argc, char **argv)
{
	const char *path = NULL, *codes = NULL;
	bool dry = false, partial = false;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0) {
			dry = true;
		} else if (strcmp(argv[i], "--partial") == 0) {
			partial = true;
		} else if (strcmp(argv[i], "--codes") == 0 && i + 1 < argc) {
			codes = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0) {
			printf(_("usage: karta-admin org import PACKAGE [--dry-run] [--partial] [--codes FILE.csv]\n\n"
			       "Reads the organization tree from a federal exchange package (a folder or a\n"
			       ".zip of GIADBSet XML files): rbd_CurrentRegion (the region), rbd_Governments\n"
			       "(municipalities), rbd_Areas (territories) and rbd_Schools (schools). An\n"
			       "organization is matched by its GUID and keeps its code; a new one is coded\n"
			       "reg<REGION>, mun<REGION>-<GovernmentCode>, oo<REGION>-<SchoolCode>. Rows with\n"
			       "DeleteType not 0 mark existing organizations deleted (kept, with their\n"
			       "devices) and are skipped otherwise. Any error names the file and row, and\n"
			       "nothing is written. --dry-run prints what would change. --codes FILE.csv\n"
			       "(two columns: GUID; karta code) names the codes of new organizations, or\n"
			       "of organizations added by hand before, which then get the package's GUID.\n"
			       "--partial imports the rows that pass (and the schools whose municipality\n"
			       "does), exit 1 all the same; a package-wide error still refuses it all.\n"));
			return 0;
		} else if (argv[i][0] == '-' || path) {
			fprintf(stderr, _("karta-admin: unexpected argument '%s'\n"), argv[i]);
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		fprintf(stderr, _("usage: karta-admin org import PACKAGE [--dry-run] [--partial] [--codes FILE.csv]\n"));
		return 2;
	}
	if (exec_ok(pg, N_("start a transaction"), "BEGIN", 0, NULL) != 0)
		return 1;
	int rc = 1;
	const char *kinds[] = {"r", "m", "s"};
	/* jit off: the temporary tables' estimates make the planner JIT-compile queries that
	 * then run in milliseconds — the compiling took seconds (bench/giadbset.sh) */
	if (exec_ok(pg, N_("lock the organizations"), "SET LOCAL jit = off; LOCK TABLE organization, "
			"territory IN SHARE ROW EXCLUSIVE MODE", 0, NULL) != 0 ||
	    exec_ok(pg, N_("prepare the import"), sql_temp, 0, NULL) != 0 ||
	    (codes && load_codes(pg, codes) != 0) || load(pg, path) != 0 ||
	    exec_ok(pg, N_("plan the import"), "CREATE INDEX ON gds_org(guid); ANALYZE gds_org", 0, NULL) != 0 ||
	    exec_ok(pg, N_("plan the import"), sql_plan, 0, NULL) != 0 ||
	    exec_ok(pg, N_("plan the import"), sql_plan_actions, 0, NULL) != 0 ||
	    exec_ok(pg, N_("check the package"), sql_errors, 0, NULL) != 0)
		goto out;
	int wide = partial ? package_wide(pg) : 0;
	if (wide < 0 || (partial && wide == 0 &&
			exec_ok(pg, N_("leave out the refused rows"), sql_partial, 0, NULL) != 0))
		goto out;
	int shown = refusals(pg, path, codes);
	if (shown < 0)
		goto out;
	if (shown > 0 && (!partial || wide > 0)) {
		fprintf(stderr, _("karta-admin: %s: refused (above)%s; nothing imported\n"), path,
			partial ? _(" — an error of the package as a whole, which --partial cannot leave out")
				: "");
		goto out;
	}
	bool left_out = shown > 0;
	if (report(pg, dry) != 0)
		goto out;
	if (dry) {
		rc = left_out ? 1 : 0;
		goto out;
	}
	if (exec_ok(pg, N_("add the region"), sql_put_orgs, 1, &kinds[0]) != 0 ||
	    exec_ok(pg, N_("add the territories"), sql_put_territories, 0, NULL) != 0 ||
	    exec_ok(pg, N_("add the municipalities"), sql_put_orgs, 1, &kinds[1]) != 0 ||
	    exec_ok(pg, N_("add the schools"), sql_put_orgs, 1, &kinds[2]) != 0 ||
	    exec_ok(pg, N_("keep what karta does not model"), sql_put_extra, 0, NULL) != 0 ||
	    exec_ok(pg, N_("commit"), "COMMIT", 0, NULL) != 0) {
		fprintf(stderr, _("karta-admin: %s: nothing imported\n"), path);
		goto out;
	}
	if (left_out)
		fprintf(stderr, _("karta-admin: %s: the rows above were not imported (--partial: the "
				"others were)\n"), path);
	return left_out ? 1 : 0;
out:;
	PGresult *r = PQexec(pg, "ROLLBACK");
	PQclear(r);
	return rc;
}
