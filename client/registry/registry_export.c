/* registry_export: `karta registry export` — a registry as the local replica holds it, as
 * CSV in karta's layout or the interop (РИС) layout, written so that the importer reads back
 * the same stored values (registry_map.c does the mapping; docs/registries.md «Export» says
 * what a round trip keeps) — or, --format xlsx, the same columns and values as one sheet
 * streamed row by row (kt_xlsx, constant memory), dates as dates and counts as numbers. Interop GUIDs of organizations are not synced at all:
 * --org-guids FILE supplies them. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "help.h"
#include "kt_csv.h"
#include "kt_table.h"
#include "kt_validate.h"
#include "opts.h"
#include "registry_cmds.h"
#include "registry_gds_out.h"
#include "registry_map.h"
#include "replica.h"
#include "replica_int.h" /* rp_eff_each, rp_prepare: rows with their feed */

#include "registry_view.h"
#include "table_out.h"
#include "kt_i18n.h"

/* ---- export -------------------------------------------------------------------------------- */

/* --org-guids FILE: CSV rows «organization code;GUID», an optional header line. */
static int load_guids(struct kvmap *m, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, _("karta: cannot open '%s': %s\n"), path, strerror(errno));
		return -1;
	}
	struct kt_csv_reader *rd = kt_csv_reader_file(f, NULL);
	struct kt_csv_row row;
	struct kt_csv_err err = {0};
	enum kt_csv_status st;
	int rc = rd ? 0 : -1;
	bool first = true;
	while (rc == 0 && (st = kt_csv_next(rd, &row, &err)) != KT_CSV_END) {
		if (st == KT_CSV_ERROR || st == KT_CSV_BAD_ROW || row.n != 2) {
			fprintf(stderr, "karta: %s: %s\n", path, st == KT_CSV_ERROR || st == KT_CSV_BAD_ROW
				? err.msg : "each line must be «organization code;GUID»");
			rc = -1;
			break;
		}
		bool ok = !kt_check_guid(row.f[1].s);
		if (!ok && first) { /* a header line */
			first = false;
			continue;
		}
		first = false;
		if (!ok) {
			fprintf(stderr, _("karta: %s: line %d: the second field is not a GUID\n"), path, row.line);
			rc = -1;
		} else if (rv_kv_add(m, row.f[0].s, row.f[1].s) != 0) {
			rc = -1;
		}
	}
	kt_csv_reader_free(rd);
	fclose(f);
	return rc;
}

static const char *guid_of(struct rx *x, const char *code)
{
	const char *g = code && *code ? rv_kv_get(&x->guids, code) : NULL;
	return g ? g : "";
}

/* The record of one row and its sort key (the layout's key). */
static int export_record(struct rx *x, enum rtype t, enum kt_reg_layout lay, struct item *it,
	struct regmap_rec *rec)
{
	struct regmap_refs refs = {.owner = it->owner, .owner_guid = guid_of(x, it->owner)};
	const char *other = NULL;
	if (t == T_PARTICIPANT) {
		other = rv_org_ref(x, it->row, "grad_org");
		refs.other_guid = other ? guid_of(x, other) : NULL; /* NULL: the owner is it */
	} else if (t == T_POINT) {
		other = rv_org_ref(x, it->row, "host_org");
		refs.other = other;
		refs.other_guid = guid_of(x, other);
	} else if (t == T_AUDITORIUM) {
		refs.point = rv_point_code(x, rv_jstr(it->row, "point_id"));
	} else if (t == T_STAFF) {
		refs.other = rv_org_ref(x, it->row, "workplace_org");
		refs.point = rv_staff_points(x, it->id);
	}
	if (x->oom || regmap_record((enum kt_reg_kind)rv_types[t].kind, lay, it->row, &refs, rec) != 0)
		return -1;
	const char *const *v = (const char *const *)rec->v;
	const json_t *r = it->row;
	char lower[64];
	if (lay == KT_LAYOUT_RIS) { /* by GUID, compared in lower case */
		const char *gid = v[t == T_PARTICIPANT ? KT_P_GUID : KT_E_GUID];
		size_t i = 0;
		for (; gid[i] && i < sizeof lower - 1; i++)
			lower[i] = (char)(gid[i] >= 'A' && gid[i] <= 'Z' ? gid[i] + 32 : gid[i]);
		lower[i] = '\0';
		const char *k[] = {lower};
		it->key = rv_key_join(k, 1);
	} else if (t == T_PARTICIPANT) {
		const char *k[] = {v[KT_P_SCHOOL], v[KT_P_LAST_NAME], v[KT_P_FIRST_NAME],
			v[KT_P_MIDDLE_NAME], rv_jstr(r, "birth_date"), v[KT_P_DOC_TYPE], v[KT_P_DOC_SERIES],
			v[KT_P_DOC_NUMBER]};
		it->key = rv_key_join(k, ARRAY_LEN(k));
	} else if (t == T_POINT) {
		const char *k[] = {v[KT_E_CODE]};
		it->key = rv_key_join(k, 1);
	} else if (t == T_AUDITORIUM) {
		const char *k[] = {v[KT_A_PPE], v[KT_A_CODE]};
		it->key = rv_key_join(k, 2);
	} else {
		const char *k[] = {v[KT_S_CODE]};
		it->key = rv_key_join(k, 1);
	}
	return it->key ? 0 : -1;
}

/* The xlsx type of a layout's column, from its documented format: dates (дд.ММ.гггг, with
 * the time too), counts ("1-50", "0 / 1"); codes with leading zeros ("4 digits"), classes
 * ("1-12 and a letter") and everything else stay text. */
static enum kt_col_type reg_col_type(const char *format)
{
	if (strncmp(format, "дд.", strlen("дд.")) == 0)
		return KT_COL_DATE;
	if (format[0] >= '0' && format[0] <= '9' && !strstr(format, "digit") &&
	    !strstr(format, "letter"))
		return KT_COL_INT;
	return KT_COL_TEXT;
}

/* Opens FILE.tmp-PID (0600: registry files are personal data); renamed over FILE at the end. */
static FILE *open_tmp(const char *path, char *tmp, size_t n)
{
	snprintf(tmp, n, "%s.tmp-%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		fprintf(stderr, _("karta: cannot create '%s': %s\n"), tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return f;
}

/* Writes the sorted records as CSV (w) or as one sheet of the workbook xl. */
static int export_run(struct rx *x, enum rtype t, enum kt_reg_layout lay,
	const struct kt_csv_wopts *wo, FILE *out, struct kt_xlsx *xl, size_t *written,
	size_t *no_guid)
{
	struct regmap_rec *recs = calloc(x->n ? x->n : 1, sizeof *recs);
	int rc = recs ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < x->n; i++) {
		x->it[i].rec = &recs[i]; /* carried through the sort with its item */
		rc = export_record(x, t, lay, &x->it[i], &recs[i]);
	}
	if (rc != 0) {
		fprintf(stderr, "karta: %s\n", *replica_error(x->r) ? replica_error(x->r) : "out of memory");
		goto done;
	}
	if (x->n) /* an empty registry has no array: qsort(NULL, 0) is undefined */
		qsort(x->it, x->n, sizeof *x->it, rv_item_cmp);
	enum kt_reg_kind kind = (enum kt_reg_kind)rv_types[t].kind;
	size_t ncols;
	const struct kt_reg_col *cols = kt_reg_columns(kind, lay, &ncols);
	const char *f[KT_REG_MAX_COLS];
	struct kt_col kc[KT_REG_MAX_COLS];
	for (size_t i = 0; i < ncols; i++) {
		f[i] = cols[i].name;
		kc[i] = (struct kt_col){cols[i].name, reg_col_type(cols[i].format), 0};
	}
	struct kt_csv_writer *w = xl ? NULL : kt_csv_writer_file(out, wo);
	if (xl && kt_xlsx_sheet(xl, rv_types[t].sheet, kc, ncols) != 0) {
		fprintf(stderr, _("karta: cannot write the header: %s\n"), kt_xlsx_error(xl));
		rc = -1;
	} else if (!xl && (!w || kt_csv_write_row(w, f, ncols) != 0)) {
		fprintf(stderr, _("karta: cannot write the header: %s\n"), w ? kt_csv_writer_error(w)
			: "out of memory");
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < x->n; i++) {
		const struct regmap_rec *rec = x->it[i].rec;
		regmap_fields(kind, lay, rec, f, ARRAY_LEN(f));
		if (lay == KT_LAYOUT_RIS && strcmp(f[1], "0") == 0 &&
		    !*rec->v[kind == KT_REG_PARTICIPANTS ? KT_P_SCHOOL : KT_E_MUNICIPALITY])
			++*no_guid;
		if (xl ? kt_xlsx_row(xl, f) != 0 : kt_csv_write_row(w, f, ncols) != 0) {
			/* the message names the field by position, never its value */
			fprintf(stderr, _("karta: cannot write data row %zu (%s %s): %s\n"), i + 1,
				_(rv_types[t].noun), x->it[i].id,
				xl ? kt_xlsx_error(xl) : kt_csv_writer_error(w));
			rc = -1;
		}
	}
	*written = rc == 0 ? x->n : 0;
	kt_csv_writer_free(w);
done:
	for (size_t i = 0; i < x->n; i++)
		x->it[i].rec = NULL;
	for (size_t i = 0; recs && i < x->n; i++)
		regmap_rec_release(&recs[i]);
	free(recs);
	return rc;
}

/* Whether argv asks for --layout giadbset (a package, not one registry: its own command). */
static bool wants_giadbset(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--layout=giadbset") == 0 ||
		    (strcmp(argv[i], "--layout") == 0 && i + 1 < argc && strcmp(argv[i + 1], "giadbset") == 0))
			return true;
	return false;
}

int registry_export_cmd(struct client *cl, int argc, char **argv)
{
	if (wants_giadbset(argc, argv))
		return registry_gds_export(cl, argc, argv);
	enum { O_LAYOUT, O_ENCODING, O_BOM, O_OUTPUT, O_ORG, O_ALL, O_GUIDS, O_FORMAT, O_N };
	struct opt o[O_N + 1] = {
		[O_LAYOUT] = {.name = "layout", .type = OPT_CHOICE, .choices = "karta|ris|giadbset",
			.help = N_("karta's columns (default), the interop РИС layout (domain.md §8) or\n"
				"giadbset: the whole region as the federal exchange package (see\n"
				"'karta registry export --layout giadbset --help')")},
		[O_ENCODING] = {.name = "encoding", .type = OPT_CHOICE, .choices = "utf-8|cp1251",
			.help = N_("text encoding (default utf-8)")},
		[O_BOM] = {.name = "bom", .type = OPT_FLAG,
			.help = N_("utf-8: start with a byte order mark (the default in a Russian locale)")},
		[O_OUTPUT] = {.name = "output", .type = OPT_STR, .meta = "FILE",
			.help = N_("write to FILE (also -o; made 0600, replaced at the end) instead of stdout")},
		[O_ORG] = {.name = "org", .type = OPT_STR, .meta = "CODE",
			.help = N_("only rows of this organization and those below it")},
		[O_ALL] = {.name = "all", .type = OPT_FLAG,
			.help = N_("deleted rows too: «Причина удаления» (ris: the deleted-row flag)")},
		[O_GUIDS] = {.name = "org-guids", .type = OPT_STR, .meta = "FILE",
			.help = N_("ris: CSV «organization code;GUID» lines for the Guid ОО / Guid МСУ columns")},
		[O_FORMAT] = {.name = "format", .type = OPT_CHOICE, .choices = "csv|xlsx",
			.help = N_("csv (default) or xlsx: the same columns as a spreadsheet")},
	};
	struct opt_cmd c = {"registry export", "participants|exam-points|auditoriums|staff", 1,
		help_registry_export, o};
	const char *pos[1];
	int rc;
	if (!opts_ok(&c, argc, argv, pos, &rc))
		return rc;
	int t = rv_type_parse(pos[0]);
	if (t < 0 || rv_types[t].kind < 0)
		return opts_fail(&c, _("'%s' is not a registry with a CSV layout (%s)"), pos[0],
			"participants, exam-points, auditoriums, staff");
	enum kt_reg_layout lay = o[O_LAYOUT].set && strcmp(o[O_LAYOUT].str, "ris") == 0
		? KT_LAYOUT_RIS : KT_LAYOUT_KARTA;
	size_t ncols;
	if (!kt_reg_columns((enum kt_reg_kind)rv_types[t].kind, lay, &ncols))
		return opts_fail(&c, _("the РИС layout has no %s registry (domain.md §8): use --layout karta"),
			rv_types[t].word);
	bool cp1251 = o[O_ENCODING].set && strcmp(o[O_ENCODING].str, "cp1251") == 0;
	if (cp1251 && o[O_BOM].set)
		return opts_fail(&c, _("--bom is for utf-8 (Windows-1251 has no byte order mark)"));
	if (lay == KT_LAYOUT_KARTA && o[O_GUIDS].set)
		return opts_fail(&c, _("--org-guids needs --layout ris"));
	struct plan_fmt_out fo = plan_fmt_out_of(o[O_FORMAT].str, false, false);
	if (fo.format == KT_TABLE_XLSX && (o[O_ENCODING].set || o[O_BOM].set))
		return opts_fail(&c, _("--%s is for csv (an xlsx file is always Unicode)"),
			o[O_ENCODING].set ? "encoding" : "bom");

	struct table_out xo = {0}; /* xlsx: the workbook's own temporary file and rename */
	if (fo.format == KT_TABLE_XLSX) {
		int orc = table_out_open(&xo, &fo, o[O_OUTPUT].str, &c);
		if (orc != EXIT_OK)
			return orc;
		xo.quiet = true;
	}
	struct replica *r = rv_synced_replica(cl);
	if (!r)
		return table_out_close(&xo, &fo, EXIT_RUNTIME);
	struct rx x = {.r = r, .all = o[O_ALL].set, .org = o[O_ORG].str};
	rc = EXIT_RUNTIME;
	FILE *out = stdout;
	char tmp[4096] = "";
	if (o[O_GUIDS].set && load_guids(&x.guids, o[O_GUIDS].str) != 0)
		goto done;
	if (rv_collect(&x, (enum rtype)t) != 0)
		goto done;
	/* CSV as every command writes it (kt_table): for people (a Russian locale,
	 * --csv-dialect excel) with a BOM; ',' only when --csv-dialect rfc4180 asks. The values
	 * keep the layout's own formats (dates дд.мм.гггг): the importer reads them back. */
	const struct kt_table_style *st = kt_table_get_style();
	struct kt_csv_wopts wo = {.sep = st->csv_chosen && !st->csv_people ? ',' : ';',
		.crlf = true, .bom = (o[O_BOM].set || st->csv_people) && !cp1251, .cp1251 = cp1251};
	size_t written = 0, no_guid = 0;
	int er;
	if (fo.format == KT_TABLE_XLSX) {
		er = export_run(&x, (enum rtype)t, lay, &wo, NULL, fo.xlsx, &written, &no_guid);
		er = table_out_close(&xo, &fo, er == 0 ? EXIT_OK : EXIT_RUNTIME) == EXIT_OK ? 0 : -1;
	} else if (o[O_OUTPUT].set && !(out = open_tmp(o[O_OUTPUT].str, tmp, sizeof tmp))) {
		goto done;
	} else {
		er = export_run(&x, (enum rtype)t, lay, &wo, out, NULL, &written, &no_guid);
	}
	if (fo.format == KT_TABLE_XLSX) {
		/* put in place (or removed) by table_out_close */
	} else if (out != stdout) {
		if (fclose(out) != 0 && er == 0) {
			fprintf(stderr, _("karta: cannot write '%s': %s\n"), tmp, strerror(errno));
			er = -1;
		}
		if (er == 0 && rename(tmp, o[O_OUTPUT].str) != 0) {
			fprintf(stderr, _("karta: cannot rename '%s' to '%s': %s\n"), tmp, o[O_OUTPUT].str,
				strerror(errno));
			er = -1;
		}
		if (er != 0)
			unlink(tmp);
	} else if (fflush(stdout) != 0 && er == 0) {
		table_out_fail(NULL);
		er = -1;
	}
	if (er != 0)
		goto done;
	if (no_guid)
		fprintf(stderr, P_("karta: warning: %zu row without «%s»: organization GUIDs are not "
				   "synced; give them with --org-guids FILE\n",
				"karta: warning: %zu rows without «%s»: organization GUIDs are not "
				"synced; give them with --org-guids FILE\n", no_guid), no_guid,
			kt_reg_field_name((enum kt_reg_kind)rv_types[t].kind, KT_LAYOUT_RIS,
				t == T_PARTICIPANT ? KT_P_SCHOOL : KT_E_MUNICIPALITY));
	if (o[O_OUTPUT].set)
		printf(_("%s written to %s\n"), rv_count(t, written), o[O_OUTPUT].str);
	rc = EXIT_OK;
done:
	if (fo.xlsx) /* failed before the workbook was finished: nothing is left */
		table_out_close(&xo, &fo, EXIT_RUNTIME);
	rv_rx_free(&x, 0);
	return rc;
}

