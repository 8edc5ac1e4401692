/* kt_rules: the C registry rules (common/registry/kt_validate.h) over a corpus, for the parity
 * test that runs the SQL checks (sql/0008) over the same values (t_rule_parity.sh).
 *
 * stdin: lines "RULE<TAB>VALUE" (the corpus, tests/fixtures/rules/corpus.tsv; '#' lines and
 * blank lines skipped). stdout: "RULE<TAB>VALUE<TAB>VERDICT" for each, VERDICT "ok" or
 * "bad" (grade: the grade 0..12). RULE is one of snils, name, series:T, number:T (T the
 * document type code), guid, ppe, aud, emails, grade, deleted. An unknown rule is an error
 * (exit 2), so the corpus and the test cannot drift apart silently.
 *
 * A blank value is judged as the record checks judge it (kt_check_util.c kt_v_field,
 * kt_v_doc): fine where the column is optional (СНИЛС, a GUID, e-mails, the series of a
 * document that has none), refused where it is required. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_validate.h"
#include "kt_validate_int.h" /* kt_v_blank */

static const char *verdict(const char *rule, const char *v, char *buf, size_t cap)
{
	const char *e;
	if (kt_v_blank(v) && strcmp(rule, "grade") != 0) {
		int t = strncmp(rule, "series:", 7) == 0 ? atoi(rule + 7) : 0;
		bool optional = strcmp(rule, "snils") == 0 || strcmp(rule, "guid") == 0 ||
			strcmp(rule, "emails") == 0 ||
			(t && t != KT_DOC_PASSPORT_RF && t != KT_DOC_BIRTH_CERT && t != KT_DOC_PASSPORT_RF_INTL);
		return optional ? "ok" : "bad";
	}
	if (strcmp(rule, "snils") == 0)
		e = kt_check_snils(v);
	else if (strcmp(rule, "name") == 0)
		e = kt_check_name(v);
	else if (strncmp(rule, "series:", 7) == 0)
		e = kt_check_doc_series(atoi(rule + 7), v);
	else if (strncmp(rule, "number:", 7) == 0)
		e = kt_check_doc_number(atoi(rule + 7), v);
	else if (strcmp(rule, "guid") == 0)
		e = kt_check_guid(v);
	else if (strcmp(rule, "ppe") == 0)
		e = kt_check_ppe_code(v, false);
	else if (strcmp(rule, "aud") == 0)
		e = kt_check_aud_code(v);
	else if (strcmp(rule, "emails") == 0)
		e = kt_check_emails(v);
	else if (strcmp(rule, "deleted") == 0)
		e = kt_check_deleted(v, NULL);
	else if (strcmp(rule, "grade") == 0) {
		snprintf(buf, cap, "%d", kt_grade_parse(v));
		return buf;
	} else
		return NULL;
	return e ? "bad" : "ok";
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		if (!tab) {
			fprintf(stderr, "kt_rules: line %d: no tab between rule and value\n", lineno);
			return 2;
		}
		*tab = '\0';
		char buf[16];
		const char *v = verdict(line, tab + 1, buf, sizeof buf);
		if (!v) {
			fprintf(stderr, "kt_rules: line %d: unknown rule '%s'\n", lineno, line);
			return 2;
		}
		printf("%s\t%s\t%s\n", line, tab + 1, v);
	}
	free(line);
	return 0;
}
