#!/usr/bin/env python3
"""sql_layout: the SQL layout rules (sql/functions/README, issue 15).

 - a numbered migration (sql/NNNN_*.sql) defines no function, view or trigger, renames or
   alters no function and registers no op kind: those live in sql/functions/ (fold an
   old-style migration with tools/sql_fold.py);
 - every function and view is defined once across sql/functions/, every trigger once;
 - what the migrations call (CHECK, DEFAULT, index expressions, backfills) is defined, with
   what it calls, in sql/functions/00_schema.sql, which migrate applies before them;
 - no file in sql/ is over 800 lines.

Usage: sql_layout.py SRC_DIR     (exit 1 with one line per broken rule)
       sql_layout.py --self-test SRC_DIR   (breaks each rule in a scratch copy, expects it caught)
       sql_layout.py --fold-test SRC_DIR   (tools/sql_fold.py on an old-style migration)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def check(src):
	sys.path.insert(0, os.path.join(src, 'tools'))
	import sql_fold as sf
	sql = os.path.join(src, 'sql')
	bad = []
	migs = sorted(f for f in os.listdir(sql) if re.match(r'^\d{4}_.*\.sql$', f))
	tree = sf.Tree(sql)
	for f in migs + [os.path.join('functions', x) for x in tree.files]:
		with open(os.path.join(sql, f), encoding='utf-8') as fh:
			n = fh.read().count('\n')
		if n > 800:
			bad.append(f'sql/{f}: {n} lines (at most 800: split it)')
	defs = {}
	for f, text in tree.files.items():
		for st in sf.statements(text):
			kind, key, _ = sf.classify(st['sql'])
			if kind in ('function', 'view', 'trigger'):
				if (kind, key) in defs:
					bad.append(f'sql/functions/{f}: {kind} {key} is defined again '
						f'(first in {defs[(kind, key)]})')
				defs[(kind, key)] = f
	funcs = {k[1] for k in defs if k[0] == 'function'}
	schema = {k[1] for k, f in defs.items() if k[0] == 'function' and f == sf.SCHEMA_FILE}
	for m in migs:
		with open(os.path.join(sql, m), encoding='utf-8') as fh:
			text = fh.read()
		for st in sf.statements(text):
			kind, key, _ = sf.classify(st['sql'])
			if kind is not None:
				line = text.count('\n', 0, st['start']) + 1
				bad.append(f'sql/{m}:{line}: {kind} {key or ""} in a migration: it belongs in '
					'sql/functions/ (tools/sql_fold.py sql/' + m + ')')
		for fn in sorted(sf._calls(text, funcs) - schema):
			bad.append(f'sql/{m}: calls {fn}, which is not in sql/functions/{sf.SCHEMA_FILE} '
				'(migrate applies only that file before the migrations)')
	for fn in sorted(schema):
		f = defs[('function', fn)]
		for st in sf.statements(tree.files[f]):
			kind, key, _ = sf.classify(st['sql'])
			if kind == 'function' and key == fn:
				for c in sorted(sf._calls(st['sql'], funcs) - schema):
					bad.append(f'sql/functions/{sf.SCHEMA_FILE}: {fn} calls {c}, which is not in it')
	return bad


def self_test(src):
	"""Each rule broken once in a scratch copy of sql/ and tools/: each must be reported."""
	cases = {
		'function in a migration': ('sql/9999_x.sql',
			'CREATE OR REPLACE FUNCTION karta_x() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n'),
		'trigger in a migration': ('sql/9999_x.sql',
			'CREATE TRIGGER x AFTER INSERT ON plan FOR EACH ROW EXECUTE FUNCTION karta_x();\n'),
		'defined twice': ('sql/functions/99_x.sql',
			'CREATE OR REPLACE FUNCTION karta_norm(t text) RETURNS text LANGUAGE sql AS $$ SELECT t $$;\n'),
		'migration calls a non-schema function': ('sql/9999_x.sql',
			'CREATE TABLE x (a text CHECK (karta_history(a) IS NULL));\n'),
		'over 800 lines': ('sql/9999_x.sql', 'SELECT 1;\n' * 801),
	}
	failed = 0
	for what, (path, text) in cases.items():
		with tempfile.TemporaryDirectory() as d:
			shutil.copytree(os.path.join(src, 'sql'), os.path.join(d, 'sql'))
			shutil.copytree(os.path.join(src, 'tools'), os.path.join(d, 'tools'))
			with open(os.path.join(d, path), 'w', encoding='utf-8') as fh:
				fh.write(text)
			r = subprocess.run([sys.executable, __file__, d], capture_output=True, text=True)
			if r.returncode != 1:
				print(f'self-test: "{what}" was not caught (exit {r.returncode}): {r.stdout}{r.stderr}')
				failed = 1
			else:
				print(f'self-test: "{what}" caught: {r.stdout.splitlines()[0]}')
	return failed


FOLD_MIGRATION = """-- 0025_x: an old-style migration.
CREATE TABLE x_thing (id int PRIMARY KEY, label text NOT NULL CHECK (karta_norm(label) <> ''));

-- Normalizes a label (restated: new body).
CREATE OR REPLACE FUNCTION karta_norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT lower(btrim(t))
$$;
CREATE FUNCTION karta_exam_thing(p_device bigint, a jsonb)
RETURNS TABLE (status text, message text, id uuid, version bigint) LANGUAGE sql AS $$
	SELECT 'ok', ';', NULL::uuid, 0::bigint
$$;
ALTER FUNCTION karta_exam_thing(bigint, jsonb) SET work_mem = '64MB';
CREATE TRIGGER x_thing_feed_insert AFTER INSERT ON x_thing REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION karta_feed_stmt('x_thing', 'org_id', 'updated_by', 'soft');
INSERT INTO op_kind(kind, fn) VALUES ('exam_thing', 'karta_exam_thing');
INSERT INTO x_thing VALUES (1, 'a');
"""


def fold_test(src):
	"""tools/sql_fold.py on an old-style migration in a scratch copy: the table and data stay,
	the restated function is replaced where it lives, the new one joins its domain file with
	its ALTER folded in, the trigger and the op kind move; the layout rules then hold."""
	with tempfile.TemporaryDirectory() as d:
		shutil.copytree(os.path.join(src, 'sql'), os.path.join(d, 'sql'))
		shutil.copytree(os.path.join(src, 'tools'), os.path.join(d, 'tools'))
		mig = os.path.join(d, 'sql', '0025_x.sql')
		with open(mig, 'w', encoding='utf-8') as fh:
			fh.write(FOLD_MIGRATION)
		r = subprocess.run([sys.executable, os.path.join(d, 'tools', 'sql_fold.py'), '-q', mig],
			capture_output=True, text=True)
		problems = [] if r.returncode == 0 else [f'sql_fold exit {r.returncode}: {r.stderr}']
		text = open(mig, encoding='utf-8').read()
		fdir = os.path.join(d, 'sql', 'functions')
		files = {f: open(os.path.join(fdir, f), encoding='utf-8').read() for f in os.listdir(fdir)}
		expect = [
			('CREATE TABLE x_thing' in text and 'INSERT INTO x_thing' in text, 'table and data stay'),
			('FUNCTION' not in text and 'TRIGGER' not in text and 'op_kind' not in text,
			 'no definition left in the migration'),
			('lower(btrim(t))' in files['00_schema.sql'] and
			 sum('FUNCTION karta_norm(' in x for x in files.values()) == 1,
			 'karta_norm replaced once, moved to 00_schema.sql (a CHECK calls it)'),
			('-- Normalizes a label (restated: new body).' in files['00_schema.sql'],
			 'its comment goes with it'),
			("LANGUAGE sql SET work_mem = '64MB' AS" in files['60_exam.sql'],
			 'karta_exam_thing in 60_exam.sql with its ALTER folded in'),
			('x_thing_feed_insert' in files['30_feeds.sql'], 'the trigger goes to its function\'s file'),
			("('exam_thing', 'karta_exam_thing')" in files['90_op_kinds.sql'], 'the op kind moves'),
		]
		problems += [f'fold: {w}: not so' for ok, w in expect if not ok]
		problems += check(d)
		for p in problems:
			print(p)
		if not problems:
			print('sql_fold: an old-style migration folded as expected; layout rules hold after')
		return 1 if problems else 0


def main():
	if len(sys.argv) == 3 and sys.argv[1] == '--self-test':
		return self_test(sys.argv[2])
	if len(sys.argv) == 3 and sys.argv[1] == '--fold-test':
		return fold_test(sys.argv[2])
	if len(sys.argv) != 2:
		print(__doc__, file=sys.stderr)
		return 2
	bad = check(sys.argv[1])
	for b in bad:
		print(b)
	if not bad:
		print('sql layout: migrations define no functions; each function, view and trigger '
			'defined once in sql/functions/')
	return 1 if bad else 0


if __name__ == '__main__':
	sys.exit(main())
