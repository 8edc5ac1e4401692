#!/usr/bin/env bash
# forms-png.sh: pictures of the print forms for docs/forms/ — runs the t_print_forms
# integration test (a generated region, real kartad, PostgreSQL and TLS) keeping the PDFs
# it prints, then renders the first page of each with pdftoppm (and the second page of
# ППЭ-06-02, whose table header repeats there). Needs a build (cmake -S . -B build …).
#   deploy/forms-png.sh [BUILD_DIR]      default: build
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
[ -x "$BUILD/client/karta" ] || { echo "forms-png: no $BUILD/client/karta: build first" >&2; exit 1; }
command -v pdftoppm >/dev/null || { echo "forms-png: pdftoppm is missing (poppler-utils)" >&2; exit 1; }
KEEP=$(mktemp -d)
trap 'rm -rf -- "$KEEP"' EXIT
chmod 755 "$KEEP"
(cd "$BUILD" && KT_FORMS_KEEP=$KEEP ctest -R 'integration/t_print_forms$' --output-on-failure >/dev/null) ||
	{ echo "forms-png: t_print_forms failed (cd $BUILD && ctest -R t_print_forms --output-on-failure)" >&2; exit 1; }
mkdir -p docs/forms
for f in ppe-05-01 ppe-06-01 ppe-06-02 notice notice-2 plan rollup; do
	pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$KEEP/$f.pdf" "docs/forms/$f"
	echo "forms-png: docs/forms/$f.png"
done
pdftoppm -png -r 80 -f 2 -l 2 -singlefile "$KEEP/ppe-06-02.pdf" docs/forms/ppe-06-02-page2
echo "forms-png: docs/forms/ppe-06-02-page2.png"
# ППЭ-07 with its responsible organizer flagged (karta exam assign-staff --responsible)
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$KEEP/ppe-07-responsible.pdf" docs/forms/ppe-07
echo "forms-png: docs/forms/ppe-07.png"
