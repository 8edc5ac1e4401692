/* import_accuracy: the importer's figures per seed, for docs/import.md. For each
 * golden/NNN.json in the seeds directory (argument, $KT_SEEDS, or tests/fixtures/seeds)
 * it parses the matching NNN_*.txt and prints items found / missing / invented, the share
 * of titles, deadlines and responsible cells equal to the golden extraction, sections,
 * and the parse time (median of 21 runs). -v lists every difference.
 * --docx DIR adds a row for DIR/NNN.docx, the Word form of each seed; --file FILE GOLDEN
 * scores one document (text or Word) against its golden extraction, plan by plan when the
 * golden file holds {"documents": [...]} (one per plan of the document).
 * Exit status: 0 when every seed meets the targets (all items found, none invented,
 * >= 98 % of titles and deadlines exact), 1 otherwise. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kt_import.h"

#define RUNS 21

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(size_t a, size_t b) { return b ? 100.0 * (double)a / (double)b : 100.0; }

/* The seed text whose name starts with the golden file's "NNN_". */
static int seed_for(const char *dir, const char *stem, char *out, size_t n)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	int rc = -1;
	size_t sl = strlen(stem);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (strncmp(e->d_name, stem, sl) == 0 && e->d_name[sl] == '_' && l > 4 &&
			strcmp(e->d_name + l - 4, ".txt") == 0) {
			snprintf(out, n, "%s/%s", dir, e->d_name);
			rc = 0;
			break;
		}
	}
	closedir(d);
	return rc;
}

static int names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parses path (timed) and prints one row per plan; returns 0 when the targets are met. */
static int score(const char *label, const char *path, json_t *golden, bool verbose)
{
	double ms[RUNS];
	struct kt_import_plan **plans = NULL;
	size_t n = 0;
	struct kt_import_err err;
	for (int r = 0; r < RUNS; r++) {
		kt_import_plans_free(plans, n);
		double t0 = now_ms();
		if (kt_import_parse_all(path, &plans, &n, &err) != 0) {
			fprintf(stderr, "import_accuracy: cannot import '%s': %s\n", path, err.msg);
			return 1;
		}
		ms[r] = now_ms() - t0;
	}
	qsort(ms, RUNS, sizeof ms[0], cmp_double);
	json_t *docs = json_object_get(golden, "documents");
	size_t ng = json_is_array(docs) ? json_array_size(docs) : 1;
	int status = n == ng ? 0 : 1;
	if (n != ng)
		fprintf(stderr, "import_accuracy: %s: %zu plans read, %zu in the golden file\n", label,
			n, ng);
	for (size_t i = 0; i < n && i < ng; i++) {
		json_t *g = json_is_array(docs) ? json_array_get(docs, i) : golden;
		struct kt_import_score sc;
		char name[200];
		if (ng > 1)
			snprintf(name, sizeof name, "%s plan %zu", label, i + 1);
		else
			snprintf(name, sizeof name, "%s", label);
		if (verbose)
			printf("differences for %s:\n", name);
		if (kt_import_compare(plans[i], g, &sc, verbose ? stdout : NULL) != 0) {
			fprintf(stderr, "import_accuracy: %s: the golden file has no sections\n", name);
			status = 1;
			continue;
		}
		printf("| %s | %zu | %zu | %zu | %zu | %.1f %% | %.1f %% | %.1f %% | %zu (%zu) | %zu | %.2f |\n",
			name, sc.golden_items, sc.found, sc.missing, sc.invented,
			pct(sc.titles_equal, sc.found), pct(sc.deadlines_equal, sc.found),
			pct(sc.responsible_equal, sc.found), sc.sections, sc.golden_sections,
			plans[i]->n_warnings, ms[RUNS / 2]);
		if (sc.missing || sc.invented || pct(sc.titles_equal, sc.found) < 98.0 ||
			pct(sc.deadlines_equal, sc.found) < 98.0)
			status = 1;
	}
	kt_import_plans_free(plans, n);
	return status;
}

static const char *const header =
	"| seed | golden items | found | missing | invented | titles exact | deadlines exact "
	"| responsible exact | sections (golden) | warnings | parse ms |\n"
	"|---|---|---|---|---|---|---|---|---|---|---|\n";

int main(int argc, char **argv)
{
	bool verbose = false;
	const char *dir = getenv("KT_SEEDS"), *docx = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else if (strcmp(argv[i], "--docx") == 0 && i + 1 < argc) {
			docx = argv[++i];
		} else if (strcmp(argv[i], "--file") == 0 && i + 2 < argc) {
			json_error_t je;
			json_t *g = json_load_file(argv[i + 2], 0, &je);
			if (!g) {
				fprintf(stderr, "import_accuracy: cannot read '%s': %s\n", argv[i + 2], je.text);
				return 2;
			}
			const char *base = strrchr(argv[i + 1], '/');
			fputs(header, stdout);
			int st = score(base ? base + 1 : argv[i + 1], argv[i + 1], g, verbose);
			json_decref(g);
			return st;
		} else {
			dir = argv[i];
		}
	}
	if (!dir || !*dir)
		dir = "tests/fixtures/seeds";
	char gdir[1024];
	snprintf(gdir, sizeof gdir, "%s/golden", dir);
	DIR *d = opendir(gdir);
	if (!d) {
		fprintf(stderr, "import_accuracy: cannot open '%s'\n", gdir);
		return 2;
	}
	char *names[64];
	size_t nn = 0;
	struct dirent *e;
	while ((e = readdir(d)) && nn < 64) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
			names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof names[0], names_cmp);
	int status = 0;
	fputs(header, stdout);
	for (size_t k = 0; k < nn; k++) {
		char stem[64], gpath[1400], tpath[1400];
		snprintf(stem, sizeof stem, "%.*s", (int)(strlen(names[k]) - 5), names[k]);
		snprintf(gpath, sizeof gpath, "%s/%s", gdir, names[k]);
		if (seed_for(dir, stem, tpath, sizeof tpath) != 0) {
			fprintf(stderr, "import_accuracy: no seed text for %s\n", names[k]);
			status = 1;
			continue;
		}
		json_error_t je;
		json_t *golden = json_load_file(gpath, 0, &je);
		if (!golden) {
			fprintf(stderr, "import_accuracy: cannot read '%s': %s\n", gpath, je.text);
			status = 1;
			continue;
		}
		status |= score(stem, tpath, golden, verbose);
		if (docx) {
			char dpath[1400], label[80];
			snprintf(dpath, sizeof dpath, "%s/%s.docx", docx, stem);
			snprintf(label, sizeof label, "%s.docx", stem);
			status |= score(label, dpath, golden, verbose);
		}
		json_decref(golden);
	}
	for (size_t k = 0; k < nn; k++)
		free(names[k]);
	return status;
}
