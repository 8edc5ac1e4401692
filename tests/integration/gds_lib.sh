# gds_lib.sh: editing a generated federal package (tests/tools/gds_gen.py) by text, for the
# tests of `karta-admin org import` and `karta registry import --layout giadbset`. Each
# function rewrites one table file in place; ROW counts the file's rows from 1, and the rest
# of the file stays byte for byte as generated.
#   edit FILE ROW COL VALUE   the ROW-th row's element COL set to VALUE
#   drop FILE ROW COL         the ROW-th row's element COL removed
#   dup FILE ROW              the ROW-th row written twice
# and, for the tests' setup and refusals:
#   gds_setup NAME            kt_setup NAME and kartad; D (the packages' folder), GEN (gds_gen.py)
#   other_ns FILE             the file's root element in another namespace
#   climb_zip DIR ZIP MEMBER  DIR zipped into ZIP with MEMBER's entry named ../MEMBER
edit() {
	python3 - "$@" <<-'EOF'
		import re, sys
		path, row, col, val = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
		s = open(path, encoding='utf-8').read()
		parts = re.split(r'(?=\n  <rbd_)', s)
		parts[row] = re.sub(r'<%s>[^<]*</%s>' % (col, col), '<%s>%s</%s>' % (col, val, col), parts[row])
		open(path, 'w', encoding='utf-8').write(''.join(parts))
	EOF
}
drop() {
	python3 - "$@" <<-'EOF'
		import re, sys
		path, row, col = sys.argv[1], int(sys.argv[2]), sys.argv[3]
		s = open(path, encoding='utf-8').read()
		parts = re.split(r'(?=\n  <rbd_)', s)
		parts[row] = re.sub(r'\n *<%s>[^<]*</%s>' % (col, col), '', parts[row])
		open(path, 'w', encoding='utf-8').write(''.join(parts))
	EOF
}
dup() {
	python3 - "$@" <<-'EOF'
		import re, sys
		path, row = sys.argv[1], int(sys.argv[2])
		s = open(path, encoding='utf-8').read()
		body, end = s.rsplit('\n</GIADBSet>', 1)
		parts = re.split(r'(?=\n  <rbd_)', body) + ['\n</GIADBSet>' + end]
		parts.insert(row, parts[row])
		open(path, 'w', encoding='utf-8').write(''.join(parts))
	EOF
}
gds_setup() {
	kt_setup "$1"
	kt_start_kartad
	D=$KT_WORK/pkg
	GEN=$KT_SRC/tests/tools/gds_gen.py
}
other_ns() {
	sed -i 's|http://www.rustest.ru/giadbset|http://example.org/other|' "$1"
}
climb_zip() {
	python3 - "$@" <<-'EOF'
		import os, sys, zipfile
		with zipfile.ZipFile(sys.argv[2], 'w') as z:
		    for f in sorted(os.listdir(sys.argv[1])):
		        z.write(os.path.join(sys.argv[1], f), ('../' if f == sys.argv[3] else '') + f)
	EOF
}
