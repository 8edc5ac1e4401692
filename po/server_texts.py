#!/usr/bin/env python3
"""The server's message templates, read from where they are written.

kartad never translates: the texts its SQL builds (refusals, summaries, check messages) and
the deadline warnings stored with an item are English, and the SQL stays the one place of
each. This script reads them out of the sources at build time so that the client can show
them in the user's language (common/kt_server_text.c):

  sql/**/*.sql          format('…', …) literals, RAISE EXCEPTION '…' (% = an argument),
                        'a' || x || 'b' chains (each non-literal part an argument), literal
                        messages ('the item was deleted', 'denied|no plan %s' of the set-wise
                        upload), the one-word results after 'ok' ('locked', 'created')
  server/admin/*.c      the same inside the SQL karta-admin embeds (org import's refusals)
  common/kt_deadline*.c kt_dl_warn("…") printf formats (the warnings stored as data)
  server/auth.c, guard.c, session.c, handlers/*.c   kartad's own C messages to a client
                        (every prose literal outside a log call; %d, %s … an argument)
  WORDS below           identifiers that travel as arguments (states, levels, kinds)

Each template becomes a gettext msgid: its arguments %s, a literal percent %%. Output:
  --c FILE    a C table (struct kt_stext, kt_server_text.h), most specific first
  --pot FILE  a .pot of the msgids, for tests/i18n/check_catalogue.sh (every one translated)
  --list      the msgids, one a line, with where they come from
usage: server_texts.py SRC_DIR [--c FILE] [--pot FILE] [--list]
"""
import glob
import os
import re
import sys

# Words the server puts into its messages as arguments (a plan's status, a registry type, a
# level): translated when an argument is exactly one of them.
WORDS = """draft approved archived submitted resubmitted returned accepted cancelled
region municipality school
participant exam exam_registration exam_point auditorium staff staff_point
exam_point_assignment exam_auditorium distribution seating staff_assignment
even sequential capacity_desc capacity_asc""".split()

SQL_START = re.compile(r'^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|COMMENT|WHEN|'
                       r'WHERE|FROM|EXECUTE|OLD TABLE|FOR EACH|RETURNING|SET|AND|OR|JOIN)\b|^\s*[,{(^]|'
                       r'\$\d|\$I|%I|%L|\\_|::|\{"|\(NULL')
# 'denied|no plan %s' (sql/0021), 'precondition:…' (a RAISE carrying the status word)
STATUS_PREFIX = re.compile(r'^(?:ok|denied|precondition|bad|conflict|not_found|busy)[|:](?=\S)')
PROSE = re.compile(r'[A-Za-z]{2,}[^\n]*?[ ][^\n]*?[A-Za-z]{2,}', re.S)


def tokens(sql):
    """SQL → tokens (kind, text): 's' literal (value), 'w' word, 'o' operator/punctuation.
    Dollar quotes are transparent (function bodies hold the messages); comments dropped."""
    out, i, n, last_end = [], 0, len(sql), 0
    while i < n:
        c = sql[i]
        if sql.startswith('--', i):
            j = sql.find('\n', i)
            i = n if j < 0 else j
        elif sql.startswith('/*', i):
            j = sql.find('*/', i + 2)
            i = n if j < 0 else j + 2
        elif c == "'" or (c in 'eE' and sql.startswith("'", i + 1) and
                          (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == '_'))):
            esc = c != "'"
            j = i + (2 if esc else 1)
            buf = []
            while j < n:
                if esc and sql[j] == '\\' and j + 1 < n:
                    buf.append({'n': '\n', 't': '\t'}.get(sql[j + 1], sql[j + 1]))
                    j += 2
                elif sql[j] == "'":
                    if sql.startswith("''", j):
                        buf.append("'")
                        j += 2
                    else:
                        break
                else:
                    buf.append(sql[j])
                    j += 1
            if out and out[-1][0] == 's' and '\n' in sql[last_end:i]:
                out[-1] = ('s', out[-1][1] + ''.join(buf))  # 'a'<newline>'b' is one literal
            else:
                out.append(('s', ''.join(buf)))
            i = last_end = j + 1
        elif c == '$' and re.match(r'\$[A-Za-z_]*\$', sql[i:]):
            i += len(re.match(r'\$[A-Za-z_]*\$', sql[i:]).group(0))
        elif c.isalpha() or c == '_':
            m = re.match(r'[A-Za-z_][A-Za-z_0-9]*', sql[i:])
            out.append(('w', m.group(0)))
            i += len(m.group(0))
        elif c.isspace():
            i += 1
        else:
            for op in ('||', '::', '->>', '->', ':=', '<>', '>=', '<='):
                if sql.startswith(op, i):
                    out.append(('o', op))
                    i += len(op)
                    break
            else:
                out.append(('o', c))
                i += 1
    return out


def esc_pct(s):
    return s.replace('%', '%%')


def fmt_template(lit):
    """format()'s string: %s %I %L (and %n$s) are arguments, %% a percent."""
    return re.sub(r'%(?:\d+\$)?-?\d*([sIL%])', lambda m: '%%' if m.group(1) == '%' else '%s', lit)


def raise_template(lit):
    """RAISE's string: % is an argument, %% a percent."""
    return re.sub(r'%%|%', lambda m: '%%' if m.group(0) == '%%' else '%s', lit)


class Scan:
    def __init__(self, toks):
        self.t = toks
        self.used = set()

    def w(self, i, word):
        return i < len(self.t) and self.t[i][0] == 'w' and self.t[i][1].upper() == word

    def o(self, i, op):
        return i < len(self.t) and self.t[i][0] == 'o' and self.t[i][1] == op

    def after(self, i, opens, closes):
        """i at a token opens(i) is true of → index after the closes() token matching it."""
        depth = 0
        while i < len(self.t):
            if opens(i):
                depth += 1
            elif closes(i):
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return i

    def close(self, i):
        """i at '(' → index after its ')'."""
        return self.after(i, lambda k: self.o(k, '('), lambda k: self.o(k, ')'))

    def case_end(self, i):
        """i at CASE → index after its END."""
        return self.after(i, lambda k: self.w(k, 'CASE'), lambda k: self.w(k, 'END'))

    def operand(self, i):
        """One operand of || from i: (template or None, index after it)."""
        tmpl = None
        if i < len(self.t) and self.t[i][0] == 's':
            tmpl = esc_pct(self.t[i][1])
            self.used.add(i)
            i += 1
        elif self.w(i, 'FORMAT') and self.o(i + 1, '(') and i + 2 < len(self.t) and self.t[i + 2][0] == 's':
            tmpl = fmt_template(self.t[i + 2][1])
            self.used.add(i + 2)
            i = self.close(i + 1)
        elif self.w(i, 'CASE'):
            i = self.case_end(i)
        elif self.o(i, '('):
            i = self.close(i)
        elif i < len(self.t) and self.t[i][0] == 'w':
            i += 1
            while self.o(i, '.') and i + 1 < len(self.t):
                i += 2
            if self.o(i, '('):
                i = self.close(i)
        else:
            return None, i + 1
        while True:  # postfix: casts, json arrows, fields
            if self.o(i, '::'):
                i += 2
                if self.o(i, '('):
                    i = self.close(i)
                if self.o(i, '[') and self.o(i + 1, ']'):
                    i += 2
            elif self.o(i, '->>') or self.o(i, '->'):
                _, i = self.operand(i + 1)
            else:
                return tmpl, i

    def chain(self, i, first):
        """A template starting with the operand at i; first: its template. Follows ||."""
        parts = [first]
        _, j = self.operand(i)
        while self.o(j, '||'):
            t, j = self.operand(j + 1)
            parts.append(t if t is not None else '%s')
        if i > 0 and self.o(i - 1, '||'):
            parts.insert(0, '%s')
        return ''.join(parts)

    def templates(self):
        t = self.t
        for i, (kind, text) in enumerate(t):
            if i in self.used:
                continue
            if kind == 'w' and text.upper() == 'FORMAT' and self.o(i + 1, '(') and \
                    i + 2 < len(t) and t[i + 2][0] == 's':
                self.used.add(i + 2)
                yield self.chain(i, fmt_template(t[i + 2][1])), False
            elif kind == 'w' and text.upper() == 'RAISE':
                j = i + 1
                while j < len(t) and t[j][0] == 'w' and t[j][1].upper() in ('EXCEPTION', 'NOTICE', 'WARNING', 'INFO'):
                    j += 1
                if j < len(t) and t[j][0] == 's':
                    self.used.add(j)  # NOTICE and WARNING go to the log, not to a person
                    if self.w(i + 1, 'EXCEPTION'):
                        yield raise_template(t[j][1]), False
            elif kind == 's':
                if self.o(i + 1, '||') or self.o(i - 1, '||'):
                    yield self.chain(i, esc_pct(text)), False
                    continue
                m = re.match(r'^[a-z_]+\|(.+)$', text, re.S)  # 'denied|no plan %s' (sql/0021)
                if m:
                    yield fmt_template(m.group(1)), False
                elif self.o(i - 1, ',') and i >= 2 and t[i - 2] == ('s', 'ok') and re.match(r'^[a-z]+$', text):
                    yield text, True  # SELECT 'ok', 'created'
                else:
                    yield esc_pct(text), False
            elif kind == 'w' and text.upper() == 'CASE' and self.o(i - 1, ',') and i >= 2 and t[i - 2] == ('s', 'ok'):
                end = self.case_end(i)  # SELECT 'ok', CASE … THEN 'locked' ELSE 'unlocked' END
                for k in range(i, end):
                    if t[k][0] == 's' and re.match(r'^[a-z]+$', t[k][1]) and \
                            (self.w(k - 1, 'THEN') or self.w(k - 1, 'ELSE')):
                        self.used.add(k)
                        yield t[k][1], True


def is_message(tm):
    """Whether a template is text people read (not SQL, a pattern or an identifier)."""
    if SQL_START.search(tm):
        return False
    lit = tm.replace('%s', ' ')
    return bool(PROSE.search(lit)) and len(re.sub(r'\s', '', lit)) >= 6


def c_literals(src):
    """The C string literals of src joined as the compiler joins adjacent ones."""
    s = re.sub(r'/\*.*?\*/', ' ', src, flags=re.S)
    return s


def c_unescape(s):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(m.group(1), m.group(1)), s)


def c_sql_blocks(src):
    """static const char sql_x[] = "…" "…"; → the SQL texts."""
    for m in re.finditer(r'static const char \w+\[\]\s*=\s*((?:"(?:[^"\\\n]|\\.)*"\s*)+);',
                         c_literals(src)):
        yield ''.join(c_unescape(x) for x in re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(1)))


def c_warn_formats(src):
    """kt_dl_warn(x, "…" "…", …) → the printf formats as templates."""
    for m in re.finditer(r'\bkt_dl_warn\(\s*[^,]+,\s*((?:"(?:[^"\\\n]|\\.)*"\s*)+)', c_literals(src)):
        f = ''.join(c_unescape(x) for x in re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(1)))
        yield re.sub(r'%%|%[-+ #0-9.*]*(?:l|ll|z|h)?[a-zA-Z]',
                     lambda x: '%%' if x.group(0) == '%%' else '%s', f)
    for m in re.finditer(r'strcpy\([^,]*warnings[^,]*,\s*"((?:[^"\\\n]|\\.)*)"\)', src):
        yield esc_pct(c_unescape(m.group(1)))


# kartad's own C messages that reach a client (Error replies, op refusals); not its log
# lines (kt_log …, "event=…") nor its configuration and --help (the operator's, English).
SERVER_C = ['server/auth.c', 'server/guard.c', 'server/session.c', 'server/handlers/*.c']
LOG_CALL = re.compile(r'(?:kt_log\w*|log_limited|conn_log\w*|session_log\w*|LOG\w*)\([^;]*$')


def c_messages(src):
    """Every prose C literal (adjacent ones joined) that is not part of a log call."""
    text = re.sub(r'//[^\n]*', '', c_literals(src))
    for m in re.finditer(r'((?:"(?:[^"\\\n]|\\.)*"\s*)+)', text):
        lit = ''.join(c_unescape(x) for x in re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(1)))
        stmt = text[text.rfind(';', 0, m.start()) + 1:m.start()]
        if '=' in lit or LOG_CALL.search(stmt):
            continue
        yield re.sub(r'%%|%[-+ #0-9.*]*(?:ll|l|z|h|j)?[a-zA-Z]',
                     lambda x: '%%' if x.group(0) == '%%' else '%s', lit)


def collect(src):
    found = {}  # msgid → first origin

    def add(tm, origin, force=False):
        tm = re.sub(r'(%s)+', '%s', tm)  # two arguments side by side cannot be told apart
        tm = STATUS_PREFIX.sub('', tm)
        if (force or is_message(tm)) and tm not in found:
            found[tm] = origin
    sqls = sorted(glob.glob(os.path.join(src, 'sql', '**', '*.sql'), recursive=True))
    for f in sqls:
        with open(f, encoding='utf-8') as fh:
            sc = Scan(tokens(fh.read()))
        rel = os.path.relpath(f, src)
        for tm, force in sc.templates():
            add(tm, rel, force)
    for f in sorted(glob.glob(os.path.join(src, 'server', 'admin', '*.c'))):
        with open(f, encoding='utf-8') as fh:
            text = fh.read()
        for sql in c_sql_blocks(text):
            for tm, force in Scan(tokens(sql)).templates():
                add(tm, os.path.relpath(f, src), force)
    for f in sorted(glob.glob(os.path.join(src, 'common', 'kt_deadline*.c'))):
        with open(f, encoding='utf-8') as fh:
            for tm in c_warn_formats(fh.read()):
                add(tm, os.path.relpath(f, src), force=True)
    for pat in SERVER_C:
        for f in sorted(glob.glob(os.path.join(src, pat))):
            with open(f, encoding='utf-8') as fh:
                for tm in c_messages(fh.read()):
                    add(tm, os.path.relpath(f, src))
    for w in WORDS:
        add(w, 'po/server_texts.py (an argument)', force=True)
    return found


def specificity(tm):
    """More literal text first; then fewer arguments; then the text (stable order)."""
    lit = len(tm.replace('%s', '').replace('%%', '%'))
    return (-lit, tm.count('%s'), tm)


def c_string(s):
    out = []
    for b in s.encode('utf-8'):
        ch = chr(b)
        if ch == '"' or ch == '\\':
            out.append('\\' + ch)
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\t':
            out.append('\\t')
        elif b < 0x20:
            out.append('\\%03o' % b)
        else:
            out.append(ch)
    return '"' + ''.join(out).encode('latin-1').decode('utf-8') + '"'


def write_c(found, path):
    rows = sorted(found, key=specificity)
    with open(path + '.tmp', 'w', encoding='utf-8') as fh:
        fh.write('/* Generated by po/server_texts.py from sql/, server/admin/ and common/kt_deadline*.c:\n'
                 ' * the server\'s message templates, most specific first. Do not edit. */\n'
                 '#include "kt_server_text.h"\n\n'
                 'const struct kt_stext kt_server_texts[] = {\n')
        for tm in rows:
            fh.write('\t{%s, %d},\n' % (c_string(tm), tm.count('%s')))
        fh.write('};\n\nconst size_t kt_server_texts_n = sizeof kt_server_texts / sizeof kt_server_texts[0];\n')
    os.replace(path + '.tmp', path)


def write_pot(found, path):
    with open(path, 'w', encoding='utf-8') as fh:
        fh.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n')
        for tm in sorted(found):
            fh.write('#: %s\n' % found[tm])
            if '%' in tm:
                fh.write('#, c-format\n')
            fh.write('msgid %s\nmsgstr ""\n\n' % c_string(tm))


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    found = collect(argv[1])
    args = argv[2:]
    while args:
        a = args.pop(0)
        if a == '--c':
            write_c(found, args.pop(0))
        elif a == '--pot':
            write_pot(found, args.pop(0))
        elif a == '--list':
            for tm in sorted(found, key=specificity):
                print('%s\t%s' % (found[tm], tm.replace('\n', '\\n')))
        else:
            sys.stderr.write('server_texts.py: unknown option %s\n' % a)
            return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
