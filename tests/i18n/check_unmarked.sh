#!/usr/bin/env bash
# No English text reaches a person unmarked: in the folders listed below, a string literal
# with English words printed to the user (fprintf/printf/puts/fputs/opts_fail, snprintf into
# an error buffer, the import's kt_import_fail/set_err/kt_warn) or kept as a help text (.help = , .about = , an opt_cmd's paragraph, a
# subcommand table's line) must be wrapped in _() or N_() so that the Russian catalogue
# (check_catalogue.sh) has it. Fails naming file:line and the literal.
# What must stay English is allowed below: log lines, developer tools, machine formats.
#   usage: tests/i18n/check_unmarked.sh [SRC_DIR]
#          tests/i18n/check_unmarked.sh --self-test   (it fails on a planted bare string)
set -euo pipefail
if [ "${1:-}" = --self-test ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/client"
	printf '%s\n' '#include "kt_i18n.h"' 'void f(void) { printf(_("marked text\n")); }' \
		'void g(void) { fprintf(stderr, "%s: %d\n", "x", 1); }' >"$tmp/client/ok.c"
	bash "$0" "$tmp" >/dev/null || { echo "self-test: a marked tree was refused" >&2; exit 1; }
	printf '%s\n' 'void h(void) {' '	fprintf(stderr,' '		"karta: cannot do it\n");' '}' \
		>"$tmp/client/bad.c"
	if out=$(bash "$0" "$tmp" 2>&1); then
		echo "self-test: a bare English message passed" >&2
		exit 1
	fi
	grep -q 'client/bad.c:3: not marked' <<<"$out" ||
		{ echo "self-test: the bare string was not named: $out" >&2; exit 1; }
	echo "check_unmarked: self-test passed"
	exit 0
fi
src=${1:-${KT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}}
cd "$src"

# The folders whose text is translated (each part's fragment: po/ru/<part>.po).
folders=(
	client/*.c              # core.po
	client/local            # local.po
	client/plans            # plans.po
	client/reports          # reports.po
	client/dashboard/*.c    # dashboard.po
	common/*.c              # common.po
	common/import           # common.po
	server/admin            # admin.po
	client/registry         # registry.po
	client/exam             # exam.po
	client/print            # print.po
	common/registry         # registry.po
	common/giadbset         # registry.po, giadbset.po (the package)
)

# Files or "file:literal-start" that stay English, with the reason.
allow=(
	common/kt_log.c                  # log lines: English logfmt for operators
	common/kt_i18n.c                 # the catalogue's own binding
	common/kt_table.c                # machine renderings (CSV/JSON); headers are column keys
	common/kt_deadline_cues.c        # a programming error in a built-in pattern, not a user's
	common/import/kt_import_compare.c # the golden-file diff of the import tests (developers)
	'client/local/replica_read.c:"%s %s %s %"' # a SQLite trace line (--debug), not prose
	'common/kt_config.c:"; %s\n; Every key' # --dump-config writes a config file: comments stay English
)

mapfile -t files < <(for f in "${folders[@]}"; do
	if [ -d "$f" ]; then find "$f" -name '*.c'; else ls $f 2>/dev/null; fi
done | LC_ALL=C sort -u)
[ ${#files[@]} -gt 0 ] || { echo "check_unmarked: no sources under $src" >&2; exit 1; }

allowed_files=$(printf '%s\n' "${allow[@]}" | grep -v ':' || true)
allowed_lits=$(printf '%s\n' "${allow[@]}" | grep ':' || true)

bad=0
for f in "${files[@]}"; do
	grep -qxF "$f" <<<"$allowed_files" && continue
	# perl -0: the calls may span lines; a literal sequence ("a" "b") counts as one.
	out=$(perl -0777 -ne '
		my $lit = qr/"(?:[^"\\\n]|\\.)*"(?:\s*"(?:[^"\\\n]|\\.)*")*/;
		my @pre = (
			qr/\b(?:v?fprintf)\(\s*[^,()]+,\s*/,
			qr/\b(?:printf|puts|fputs)\(\s*/,
			qr/\bopts_fail\(\s*[^,()]+,\s*/,
			qr/\bsnprintf\(\s*(?:err|errbuf|why|msg|e)\w*(?:->\w+)?,\s*[^,()]+,\s*/,
			qr/\bkt_import_fail\(\s*[^,()]+,\s*[A-Z_]+,\s*/,
			qr/\bkt_warn\(\s*[^,()]+,\s*[^,()]+,\s*"[a-z_]+",\s*/,
			qr/\bset_err\(\s*[^,()]+,\s*[A-Z_]+,\s*[^,()]+,\s*/,
			qr/\.(?:help|about)\s*=\s*/,
			qr/struct opt_cmd \w+ = \{\s*"[^"]*",\s*"[^"]*",\s*\d+,\s*/,
			qr/\{\s*"[a-z][a-z-]*",\s*[a-z_]+,\s*/,
		);
		for my $p (@pre) {
			while (/($p)($lit)/g) {
				my ($call, $s) = ($1, $2);
				my $start = $-[2];
				my $t = $s;
				$t =~ s/%[-+ #0-9.*]*(?:l|ll|z|h)?[a-zA-Z]/ /g;
				$t =~ s/\\x[0-9a-fA-F]+|\\[nt"\\]/ /g;
				$t =~ s/\b(?:karta|kartad|karta-admin)\b/ /g;
				next unless $t =~ /[A-Za-z]{2,}/;
				my $line = 1 + (substr($_, 0, $start) =~ tr/\n//);
				(my $one = $s) =~ s/\s+/ /g;
				print "$line\t", substr($one, 0, 90), "\n";
			}
		}' "$f")
	[ -n "$out" ] || continue
	while IFS=$'\t' read -r line lit; do
		skip=0
		while IFS= read -r a; do
			[ -n "$a" ] || continue
			[ "${a%%:*}" = "$f" ] && [[ "$lit" == "${a#*:}"* ]] && skip=1
		done <<<"$allowed_lits"
		[ $skip = 1 ] && continue
		echo "$f:$line: not marked for translation: $lit" >&2
		bad=$((bad + 1))
	done <<<"$out"
done
if [ $bad -gt 0 ]; then
	echo "check_unmarked: $bad user-facing strings without _() / N_() (see kt_i18n.h)" >&2
	exit 1
fi
echo "check_unmarked: no unmarked user-facing strings in ${#files[@]} files"
