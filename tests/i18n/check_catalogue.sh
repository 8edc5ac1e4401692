#!/usr/bin/env bash
# The Russian catalogue is complete: every string marked for translation (_(), N_(), P_())
# in the programs people use — karta (client/), karta-admin (server/admin/) and the code
# they share (common/) — and every server text template (po/server_texts.py) has a Russian translation in po/ru/*.po, no fragment contradicts
# another, and msgfmt --check accepts it (printf formats agree). Fails naming each string.
#   usage: tests/i18n/check_catalogue.sh [SRC_DIR]
set -euo pipefail
src=${1:-${KT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"

find client common server/admin -name '*.c' -o -name '*.h' | LC_ALL=C sort >"$tmp/files"
LC_ALL=C.UTF-8 xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=P_:1,2 \
	--add-location=file -o "$tmp/karta.pot" -f "$tmp/files" 2>"$tmp/xgettext.err" ||
	{ cat "$tmp/xgettext.err" >&2; exit 1; }
# (msgids in UTF-8 with Cyrillic — ППЭ, РИС — are intended: xgettext's warning about them is dropped)
grep -v -e 'non-ASCII characters' -e 'This will cause problems' -e 'different from yours' -e '^  \+[^ ]' "$tmp/xgettext.err" >&2 || true
# and every text the server builds (po/server_texts.py: the templates of sql/, karta-admin's
# embedded SQL and the stored deadline warnings, shown translated by kt_server_text.c): a
# message another branch adds to the SQL fails here until po/ru/server.po has it
python3 po/server_texts.py . --pot "$tmp/server.pot"
msgcat --use-first -o "$tmp/all.pot" "$tmp/karta.pot" "$tmp/server.pot"
mv "$tmp/all.pot" "$tmp/karta.pot"
marked=$(($(grep -c "^msgid \"" "$tmp/karta.pot" || true) - 1)) # less the header

shopt -s nullglob
pos=(po/ru/*.po)
[ ${#pos[@]} -gt 0 ] || { echo "check_catalogue: no po/ru/*.po" >&2; exit 1; }
for f in "${pos[@]}"; do
	msgfmt --check -o /dev/null "$f" || { echo "check_catalogue: $f is not a valid catalogue" >&2; exit 1; }
done
# Without --use-first, msgcat marks a msgid translated differently in two fragments (inside
# its msgstr; the header comments, one per fragment, differ by design and are not looked at).
# (read from a file, not a pipe: grep -q closing a pipe early fails it under pipefail, and a
# conflict would then pass unseen)
msgcat -o "$tmp/ru.po" "${pos[@]}"
grep -v '^#' "$tmp/ru.po" >"$tmp/body" || true
if grep -q '#-#-#-#-#' "$tmp/body"; then
	echo "check_catalogue: fragments translate a string differently:" >&2
	grep -B3 -A2 "#-#-#-#-#" "$tmp/body" >&2 || true
	exit 1
fi
msgfmt --check --statistics -o /dev/null "$tmp/ru.po"

# msgcmp: every msgid of the sources must be translated (untranslated and fuzzy ones count
# as missing).
if ! msgcmp "$tmp/ru.po" "$tmp/karta.pot" 2>"$tmp/missing"; then
	n=$(grep -c 'this message is used but not defined' "$tmp/missing" || true)
	echo "check_catalogue: $n of $marked marked strings have no Russian translation:" >&2
	# name each missing string: the pot's line numbers point at its msgid
	grep -o 'karta.pot:[0-9]*' "$tmp/missing" | cut -d: -f2 | head -60 | while read -r l; do
		sed -n "$((l - 2)),$((l + 1))p" "$tmp/karta.pot" | grep -E '^(#:|msgid|")' | tr '\n' ' '
		echo
	done >&2
	exit 1
fi
echo "check_catalogue: all $marked marked strings translated (${#pos[@]} fragments)"
