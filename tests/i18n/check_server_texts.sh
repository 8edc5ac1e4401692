#!/usr/bin/env bash
# The server's texts are found where they are written and a new one fails the catalogue
# check (po/server_texts.py, tests/i18n/check_catalogue.sh): in a copy of the tree, a SQL
# function file of the coming layout (sql/functions/) with each form the SQL uses —
# format('…'), RAISE EXCEPTION '… %', a 'a' || x || 'b' chain, a literal message, a
# 'status|message' pair, the one-word result after 'ok' and the words of a CASE — and a
# handler's C message must each become the expected template (and SQL, patterns and log
# lines must not); check_catalogue.sh must then fail naming the new, untranslated ones.
#   usage: tests/i18n/check_server_texts.sh [SRC_DIR]
set -euo pipefail
src=${1:-${KT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_server_texts: $*" >&2; exit 1; }

cd "$src"
cp -r client common server po sql "$tmp/"
mkdir -p "$tmp/tests/i18n" "$tmp/sql/functions"
cp tests/i18n/check_catalogue.sh "$tmp/tests/i18n/"
cat >"$tmp/sql/functions/planted.sql" <<'SQL'
-- a comment with 'a quoted phrase in it' is not a message
CREATE OR REPLACE FUNCTION planted_fn(p jsonb) RETURNS TABLE (status text, message text)
LANGUAGE plpgsql AS $fn$
BEGIN
	IF p IS NULL THEN
		RAISE EXCEPTION 'planted raise for % and %', 1, 2;
	END IF;
	IF p ? 'x' THEN
		RETURN QUERY SELECT 'bad', format('planted format %s of %L', p->>'x', 'y'); RETURN;
	END IF;
	IF p ? 'y' THEN
		RETURN QUERY SELECT 'denied', 'planted chain ' || (p->>'y')::text || ' ends here'; RETURN;
	END IF;
	IF p ? 'z' THEN
		RETURN QUERY SELECT 'denied', 'planted literal refusal'; RETURN;
	END IF;
	IF p ? 'w' THEN
		RETURN QUERY SELECT 'ok', 'plantedword'; RETURN;
	END IF;
	PERFORM 'precondition|planted pair %s'::text;
	EXECUTE format('SELECT planted FROM %I WHERE id = $1', 'tbl') USING 1;
	RAISE NOTICE 'planted notice goes to the log';
	RETURN QUERY SELECT 'ok', CASE WHEN p ? 'v' THEN 'plantedon' ELSE 'plantedoff' END;
END $fn$;
SQL
cat >"$tmp/server/handlers/h_planted.c" <<'C'
static void f(struct session *sess, unsigned rid, int n)
{
	session_error(sess, rid, KARTA__STATUS__STATUS_BAD_REQUEST, "planted handler refusal %d", n);
	kt_log(KT_LOG_INFO, "event=planted reason=\"planted log line\"");
}
C
list=$(python3 "$tmp/po/server_texts.py" "$tmp" --list | grep -i planted | cut -f2 | LC_ALL=C sort)
want=$(printf '%s\n' 'planted raise for %s and %s' 'planted format %s of %s' \
	'planted chain %s ends here' 'planted literal refusal' 'plantedword' 'planted pair %s' \
	'plantedon' 'plantedoff' 'planted handler refusal %s' | LC_ALL=C sort)
[ "$list" = "$want" ] || fail "extracted:
$list
expected:
$want"

if out=$(bash "$tmp/tests/i18n/check_catalogue.sh" "$tmp" 2>&1); then
	fail "the catalogue check passed with untranslated server texts"
fi
for s in 'planted raise for %s and %s' 'planted chain %s ends here' 'plantedword' 'planted handler refusal %s'; do
	grep -qF "msgid \"$s\"" <<<"$out" || fail "the catalogue check did not name '$s': $out"
done
# and the tree as it is passes
bash tests/i18n/check_catalogue.sh "$src" >/dev/null 2>&1 || fail "the catalogue check fails on the tree itself"
echo "check_server_texts: new server texts are extracted and refused untranslated"
