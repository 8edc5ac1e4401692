#!/usr/bin/env python3
"""sql_fold: moves what a numbered migration says about functions into sql/functions/.

Tables, constraints, indexes and data live in the numbered forward-only migrations
(sql/NNNN_*.sql); every function, trigger function, view and trigger lives once, in its current
definition, in sql/functions/<domain>.sql, which `karta-admin migrate` re-applies after the
migrations (sql/functions/README). A migration written in the old style restates functions
(CREATE OR REPLACE FUNCTION …); this tool folds such a migration:

  CREATE [OR REPLACE] FUNCTION f   replaces f's definition where it lives (with the comment
                                   lines right above it), or is appended to f's domain file
  CREATE [OR REPLACE] VIEW v       the same, for views
  CREATE TRIGGER t … ON tab        the same, keyed by (tab, t); a new one goes to the file of
                                   the function it executes
  ALTER TABLE tab ENABLE … TRIGGER goes right after that trigger (its state is part of it)
  ALTER FUNCTION f(…) attrs        folded into f's definition (before its AS)
  DROP FUNCTION / VIEW / TRIGGER   removes the definition (the migrate pass drops what left)
  INSERT INTO op_kind(kind, fn)    goes to 90_op_kinds.sql (op_kind.fn is a regproc: the
                                   list is filled after every function exists)

and leaves the rest (tables, data) in the migration. A DO block that creates functions or
triggers is not folded: the tool names it and exits 2, for a hand fix.

Usage: tools/sql_fold.py [--sql DIR] [--domain FILE] [--check] MIGRATION…
  --domain FILE   the file (in sql/functions/) for new definitions no rule below places
  --check         change nothing; exit 1 if any given migration still defines something
"""
import argparse
import os
import re
import sys

# A new function's domain file, by name (the first match); an existing one stays where it is.
DOMAIN_RULES = [
	(r'^karta_(actor|norm|changed_fields|jsonb_pick|fold)$', '05_common.sql'),
	(r'^karta_(pull|snapshot|feed_visible)', '32_pull.sql'),
	(r'^karta_(feed_|abbreviation_id$|plan_entity$)', '30_feeds.sql'),
	(r'^karta_(up_|upload)', '34_upload.sql'),
	(r'^karta_(op_|merge|conflict|edit_fields|with_derived)', '33_sync.sql'),
	(r'^karta_(report_|request_|submission_)', '41_reports.sql'),
	(r'^karta_(rollup|item_rollup|org_rows|scope_ids|overdue|dated_kind)', '42_rollup.sql'),
	(r'^karta_(status|item_status|evidence)', '40_status.sql'),
	(r'^karta_org_|^organization_', '10_orgs.sql'),
	(r'^karta_(gds_|registry_gds)', '70_giadbset.sql'),
	(r'^karta_(name_ok|snils_ok|grade|doc_|guid_text_ok|seats_ok|staff_roles|person_key|'
	 r'registration_ok|participant_duplicates)', '50_registry_rules.sql'),
	(r'^karta_(registry_|registration_recheck)', '51_registry.sql'),
	(r'^karta_(exam_seat|exam_distribute|seating|own_seats|aud_capacity)', '62_exam_seating.sql'),
	(r'^karta_(exam_|plan_(ctx|audit|preview|scope|point)|control|planning_)', '60_exam.sql'),
	(r'^karta_plan_import', '21_plan_import.sql'),
	(r'^karta_(plan_|item_|section_|history|parent_ok|resolve_parties)', '20_plans.sql'),
]

FUNC_DIR = 'functions'
OP_KINDS_FILE = '90_op_kinds.sql'


# ---- splitting SQL into statements ---------------------------------------------------------

def _skip_quoted(text, i):
	"""i at a quote, dollar quote or comment opener: returns the index after it, or None."""
	c = text[i]
	if c == '-' and text.startswith('--', i):
		j = text.find('\n', i)
		return len(text) if j < 0 else j + 1
	if c == '/' and text.startswith('/*', i):
		j = text.find('*/', i + 2)
		return len(text) if j < 0 else j + 2
	if c == "'" or c == '"':
		j = i + 1
		while True:
			j = text.find(c, j)
			if j < 0:
				return len(text)
			if text.startswith(c + c, j):
				j += 2
				continue
			return j + 1
	if c == '$':
		m = re.match(r'\$([A-Za-z_][A-Za-z_0-9]*)?\$', text[i:])
		if m and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == '_')):
			tag = m.group(0)
			j = text.find(tag, i + len(tag))
			return len(text) if j < 0 else j + len(tag)
	return None


def statements(text):
	"""The statements of TEXT as dicts: start/end (the statement, through ';' and the rest of
	its line), lead (where the comment lines right above it begin), sql (its text)."""
	out = []
	i, n = 0, len(text)
	stmt_start = None
	prev_end = 0
	while i < n:
		c = text[i]
		if stmt_start is None:
			if c.isspace():
				i += 1
				continue
			if text.startswith('--', i) or text.startswith('/*', i):
				i = _skip_quoted(text, i)
				continue
			stmt_start = i
		j = _skip_quoted(text, i) if c in '-/\'"$' else None
		if j is not None:
			i = j
			continue
		if c == ';':
			end = i + 1
			nl = text.find('\n', end)
			if nl >= 0 and text[end:nl].strip() == '':
				end = nl + 1
			out.append({'start': stmt_start, 'end': end, 'sql': text[stmt_start:i + 1],
				'lead': _lead(text, prev_end, stmt_start)})
			prev_end = end
			stmt_start = None
			i = end
			continue
		i += 1
	if stmt_start is not None and text[stmt_start:].strip():
		out.append({'start': stmt_start, 'end': n, 'sql': text[stmt_start:].rstrip(),
			'lead': _lead(text, prev_end, stmt_start)})
	return out


def _lead(text, lo, start):
	"""Start of the '--' comment lines directly above START (no blank line between)."""
	line0 = text.rfind('\n', 0, start) + 1
	pos = line0
	while pos > lo:
		p = text.rfind('\n', 0, pos - 1) + 1
		if p < lo:
			break
		line = text[p:pos].strip()
		if not line.startswith('--'):
			break
		pos = p
	return pos


# ---- what a statement defines --------------------------------------------------------------

ID = r'"?([A-Za-z_][A-Za-z_0-9]*)"?'
RE_FUNC = re.compile(r'CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:public\.)?' + ID + r'\s*\(', re.I)
RE_VIEW = re.compile(r'CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:public\.)?' + ID, re.I)
RE_TRIG = re.compile(r'CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+' + ID +
	r'\s.*?\bON\s+(?:public\.)?' + ID + r'.*?\bEXECUTE\s+(?:FUNCTION|PROCEDURE)\s+' + ID, re.I | re.S)
RE_DROP_TRIG = re.compile(r'DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?' + ID + r'\s+ON\s+' + ID, re.I)
RE_DROP_FUNC = re.compile(r'DROP\s+FUNCTION\s', re.I)
RE_DROP_VIEW = re.compile(r'DROP\s+VIEW\s+(?:IF\s+EXISTS\s+)?(.*?)(?:\s+CASCADE|\s+RESTRICT)?\s*;',
	re.I | re.S)
RE_RENAME_FUNC = re.compile(r'ALTER\s+FUNCTION\s+' + ID + r'\s*\([^)]*\)\s+RENAME\s+TO\s+' + ID +
	r'\s*;\s*$', re.I)
RE_ALTER_FUNC = re.compile(r'ALTER\s+FUNCTION\s+' + ID + r'\s*\([^)]*\)\s+(.*?)\s*;\s*$', re.I | re.S)
RE_TRIG_STATE = re.compile(r'ALTER\s+TABLE\s+(?:ONLY\s+)?' + ID +
	r'\s+((?:(?:ENABLE|DISABLE)(?:\s+(?:ALWAYS|REPLICA))?\s+TRIGGER\s+\w+\s*,?\s*)+);\s*$', re.I | re.S)
RE_OP_KIND = re.compile(r'INSERT\s+INTO\s+op_kind\s*\(\s*kind\s*,\s*fn\s*\)\s*VALUES\s', re.I)
RE_DO = re.compile(r'DO\s', re.I)
RE_DEFINES = re.compile(r'CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?(FUNCTION|VIEW|TRIGGER)\b',
	re.I)


def classify(sql):
	"""(kind, key, extra) of a statement; kind None for what stays in the migration."""
	s = sql.lstrip()
	m = RE_FUNC.match(s)
	if m:
		return 'function', m.group(1).lower(), None
	m = RE_VIEW.match(s)
	if m:
		return 'view', m.group(1).lower(), None
	m = RE_TRIG.match(s)
	if m:
		return 'trigger', (m.group(2).lower(), m.group(1).lower()), m.group(3).lower()
	m = RE_DROP_TRIG.match(s)
	if m:
		return 'drop_trigger', (m.group(2).lower(), m.group(1).lower()), None
	if RE_DROP_FUNC.match(s):
		names = [x.lower() for x in re.findall(ID + r'\s*\(', s[len('DROP FUNCTION'):])]
		return 'drop_function', names, None
	m = RE_DROP_VIEW.match(s)
	if m:
		return 'drop_view', [x.strip().lower() for x in m.group(1).split(',')], None
	m = RE_RENAME_FUNC.match(s)
	if m:
		return 'rename_function', m.group(1).lower(), m.group(2).lower()
	m = RE_ALTER_FUNC.match(s)
	if m:
		return 'alter_function', m.group(1).lower(), m.group(2)
	m = RE_TRIG_STATE.match(s)
	if m:
		return 'trigger_state', (m.group(1).lower(),
			[t.lower() for t in re.findall(r'TRIGGER\s+(\w+)', m.group(2), re.I)]), None
	if RE_OP_KIND.match(s):
		return 'op_kind', re.findall(r"\(\s*'[^']*'\s*,\s*'(\w+)'\s*\)", s)[0].lower(), None
	if RE_DO.match(s) and RE_DEFINES.search(s):
		return 'do_defines', None, None
	return None, None, None


# ---- the function files --------------------------------------------------------------------

class Tree:
	"""sql/functions/*.sql in memory: file name -> text."""

	def __init__(self, sqldir):
		self.dir = os.path.join(sqldir, FUNC_DIR)
		self.files = {}
		if os.path.isdir(self.dir):
			for f in sorted(os.listdir(self.dir)):
				if f.endswith('.sql'):
					with open(os.path.join(self.dir, f), encoding='utf-8') as fh:
						self.files[f] = fh.read()
		self.changed = set()

	def find(self, kind, key):
		"""(file, statement) defining KIND KEY, or (None, None)."""
		for f, text in self.files.items():
			for st in statements(text):
				k, kk, _ = classify(st['sql'])
				if k == kind and kk == key:
					return f, st
		return None, None

	def file_of_function(self, name):
		f, _ = self.find('function', name)
		return f

	def set(self, f, text):
		text = re.sub(r'\n{3,}', '\n\n', text).lstrip('\n')
		self.files[f] = text
		self.changed.add(f)

	def replace(self, f, st, new, keep_lead):
		text = self.files[f]
		lo = st['start'] if keep_lead else st['lead']
		self.set(f, text[:lo] + new + text[st['end']:])

	def remove(self, f, st):
		text = self.files[f]
		self.set(f, text[:st['lead']] + text[st['end']:])

	def append(self, f, block, after=None):
		text = self.files.get(f, '')
		if after is not None:
			self.set(f, text[:after] + block + text[after:])
		else:
			self.set(f, text.rstrip('\n') + '\n\n' + block if text.strip() else block)

	def write(self):
		os.makedirs(self.dir, exist_ok=True)
		for f in sorted(self.changed):
			path = os.path.join(self.dir, f)
			if self.files[f].strip():
				with open(path, 'w', encoding='utf-8') as fh:
					fh.write(self.files[f].rstrip('\n') + '\n')
			elif os.path.exists(path):
				os.remove(path)


def domain_of(name, default):
	for rx, f in DOMAIN_RULES:
		if re.search(rx, name):
			return f
	return default


def as_repeatable(kind, sql):
	"""The statement as the function files write it: functions CREATE OR REPLACE (the pass
	re-applies them), views and triggers plain CREATE (the pass drops them first)."""
	if kind == 'function':
		return re.sub(r'^CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION', 'CREATE OR REPLACE FUNCTION',
			sql, count=1, flags=re.I)
	if kind == 'view':
		return re.sub(r'^CREATE\s+(?:OR\s+REPLACE\s+)?VIEW', 'CREATE VIEW', sql, count=1, flags=re.I)
	if kind == 'trigger':
		return re.sub(r'^CREATE\s+OR\s+REPLACE\s+', 'CREATE ', sql, count=1, flags=re.I)
	return sql


def add_attribute(sql, attrs):
	"""ALTER FUNCTION's attributes (PARALLEL SAFE, SET x = y, …) written into the definition."""
	m = re.search(r'\bAS\s+(\$[A-Za-z_0-9]*\$|\')', sql)
	if not m:
		return None
	for a in re.split(r'\s+(?=(?:SET|PARALLEL|COST|ROWS|STRICT|IMMUTABLE|STABLE|VOLATILE|'
			r'SECURITY|LEAKPROOF)\b)', attrs.strip()):
		word = a.split()[0].upper()
		if word == 'SET':
			var = a.split()[1].lower()
			sql = re.sub(r'\s+SET\s+' + var + r'\s*(=|TO)\s*(\'[^\']*\'|\S+)(?=\s)', '',
				sql[:m.start()], flags=re.I) + sql[m.start():]
		elif word == 'PARALLEL':
			sql = re.sub(r'\s+PARALLEL\s+\w+(?=\s)', '', sql[:m.start()], flags=re.I) + \
				sql[m.start():]
		m = re.search(r'\bAS\s+(\$[A-Za-z_0-9]*\$|\')', sql)
		sql = sql[:m.start()] + a + ' ' + sql[m.start():]
	return sql


def fold(tree, path, default_domain, log):
	"""Folds one migration into TREE; returns (new migration text, number folded, problems)."""
	with open(path, encoding='utf-8') as fh:
		text = fh.read()
	keep = []
	pos = 0
	folded = 0
	problems = []
	name = os.path.basename(path)
	for st in statements(text):
		kind, key, extra = classify(st['sql'])
		if kind is None:
			continue
		lead = text[st['lead']:st['start']]
		block = lead + as_repeatable(kind, st['sql']) + '\n'
		if kind == 'do_defines':
			line = text.count('\n', 0, st['start']) + 1
			problems.append(f'{name}:{line}: a DO block creates functions, views or triggers: '
				'fold it by hand')
			continue
		if kind in ('function', 'view', 'trigger'):
			what = f'trigger {key[1]} on {key[0]}' if kind == 'trigger' else f'{kind} {key}'
			f, old = tree.find(kind, key)
			if f:
				tree.replace(f, old, block if lead.strip() else as_repeatable(kind, st['sql']) + '\n',
					keep_lead=not lead.strip())
				log(f'{name}: {what} replaced in {f}')
			else:
				# a new trigger goes with the function it executes
				f = (tree.file_of_function(extra) or domain_of(extra, default_domain)
					if kind == 'trigger' else domain_of(key, default_domain))
				if f is None:
					problems.append(f'{name}: no domain for {what}: give --domain FILE')
					continue
				tree.append(f, block)
				log(f'{name}: {what} added to {f}')
		elif kind == 'trigger_state':
			table, trigs = key
			f, old = tree.find('trigger', (table, trigs[-1]))
			if not f:
				problems.append(f'{name}: ALTER TABLE {table} … TRIGGER {trigs[-1]}: no such trigger '
					'in sql/functions')
				continue
			if st['sql'] not in tree.files[f]:
				tree.append(f, st['sql'] + '\n', after=old['end'])
			log(f'{name}: trigger state of {table} placed in {f}')
		elif kind == 'op_kind':
			tree.append(OP_KINDS_FILE, block)
			log(f'{name}: op kinds of {key} added to {OP_KINDS_FILE}')
		elif kind == 'rename_function':
			f, old = tree.find('function', key)
			if not f:
				problems.append(f'{name}: ALTER FUNCTION {key} RENAME: no definition to rename')
				continue
			new = re.sub(r'(FUNCTION\s+(?:public\.)?)"?' + key + r'"?(?=\s*\()', r'\g<1>' + extra,
				old['sql'], count=1, flags=re.I)
			tree.replace(f, old, new, keep_lead=True)
			log(f'{name}: function {key} renamed {extra} in {f}')
		elif kind == 'alter_function':
			f, old = tree.find('function', key)
			new = add_attribute(old['sql'], extra) if f else None
			if new is None:
				problems.append(f'{name}: ALTER FUNCTION {key}: no definition to fold it into')
				continue
			tree.replace(f, old, new, keep_lead=True)
			log(f'{name}: ALTER FUNCTION {key} folded into {f}')
		elif kind == 'drop_trigger':
			f, old = tree.find('trigger', key)
			if f:
				tree.remove(f, old)
				_drop_states(tree, f, key)
			log(f'{name}: trigger {key[1]} on {key[0]} dropped')
		elif kind in ('drop_function', 'drop_view'):
			for k in key:
				f, old = tree.find(kind[5:], k)
				if f:
					tree.remove(f, old)
				log(f'{name}: {kind[5:]} {k} dropped')
		keep.append(text[pos:st['lead']])
		pos = st['end']
		folded += 1
	keep.append(text[pos:])
	out = re.sub(r'\n{3,}', '\n\n', ''.join(keep))
	if folded and not statements(out):
		out = (f'-- {name}: this migration only defined functions; they live in sql/functions/ '
			'now.\n')
	for fn in schema_rules(tree, out):
		log(f'{name}: function {fn} moved to {SCHEMA_FILE} (the schema calls it)')
	return out, folded, problems


SCHEMA_FILE = '00_schema.sql'


def _code(sql):
	"""SQL without its comments and '…' literals (dollar-quoted bodies stay: they are code)."""
	out, i = [], 0
	while i < len(sql):
		c = sql[i]
		if c in '-/\'"' and (c in '\'"' or sql.startswith('--', i) or sql.startswith('/*', i)):
			j = _skip_quoted(sql, i)
			out.append(' ' if c != '"' else sql[i:j])
			i = j
			continue
		out.append(c)
		i += 1
	return ''.join(out)


def _calls(sql, known):
	sql = _code(sql)
	return {n.lower() for n in re.findall(r'\b([A-Za-z_][A-Za-z_0-9]*)\s*\(', sql)} & known


def schema_rules(tree, migration):
	"""Moves to SCHEMA_FILE every function the migration's remaining text (CHECK, DEFAULT,
	index, backfill) calls, and what those call: migrate applies that file before the
	migrations too, so a fresh database has them when the tables need them."""
	defs = {}
	for f, text in tree.files.items():
		for st in statements(text):
			k, key, _ = classify(st['sql'])
			if k == 'function':
				defs[key] = (f, st)
	need = _calls(migration, set(defs))
	todo = list(need)
	while todo:
		for c in _calls(defs[todo.pop()][1]['sql'], set(defs)) - need:
			need.add(c)
			todo.append(c)
	moved = []
	for fn in sorted(need):
		f, st = tree.find('function', fn)
		if f == SCHEMA_FILE:
			continue
		block = tree.files[f][st['lead']:st['end']]
		tree.remove(f, st)
		tree.append(SCHEMA_FILE, block)
		moved.append(fn)
	return moved


def _drop_states(tree, f, key):
	table, trig = key
	text = tree.files[f]
	for st in statements(text):
		k, kk, _ = classify(st['sql'])
		if k == 'trigger_state' and kk[0] == table and trig in kk[1]:
			tree.remove(f, st)
			return


def main():
	ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
	ap.add_argument('--sql', default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
		'..', 'sql'), help='the sql/ folder (default: the one next to tools/)')
	ap.add_argument('--domain', help='file in sql/functions/ for new definitions no rule places')
	ap.add_argument('--check', action='store_true',
		help='change nothing; exit 1 when a migration still defines something')
	ap.add_argument('-q', '--quiet', action='store_true')
	ap.add_argument('migrations', nargs='+')
	a = ap.parse_args()
	tree = Tree(a.sql)
	log = (lambda s: None) if a.quiet else (lambda s: print(s))
	rc = 0
	outs = {}
	for m in a.migrations:
		if not re.match(r'^\d{4}_.*\.sql$', os.path.basename(m)):
			print(f'sql_fold: cannot fold {m!r}: not a sql/NNNN_*.sql migration', file=sys.stderr)
			return 2
		out, n, problems = fold(tree, m, a.domain, log)
		for p in problems:
			print('sql_fold: ' + p, file=sys.stderr)
			rc = 2
		if n:
			outs[m] = out
			if a.check:
				print(f'sql_fold: {m}: {n} definition(s) to fold into sql/functions/',
					file=sys.stderr)
				rc = max(rc, 1)
	if a.check or rc == 2:
		return rc
	for m, out in outs.items():
		with open(m, 'w', encoding='utf-8') as fh:
			fh.write(out)
	tree.write()
	return rc


if __name__ == '__main__':
	sys.exit(main())
