# Writes OUT: a C file holding every migration SQL_DIR/NNNN_*.sql (sorted) as
#   const struct kt_migration kt_migrations[]; const int kt_migrations_count;
# Each migration is {version, name, sql}; version comes from the 4-digit file prefix.
# And every function file SQL_DIR/functions/*.sql (sorted) as
#   const struct kt_sqlfile kt_sqlfuncs[]; const int kt_sqlfuncs_count;
#   const char kt_sqlfuncs_hash[];  (SHA-256 of the files' names and contents, in order)
set(body "/* generated from sql/ by cmake/embed_sql.cmake: do not edit */\n#include \"kt_migrations.h\"\n\n")

# embed(VAR FILE): appends to body FILE's bytes as "static const char VAR[]", NUL-terminated.
function(embed var f)
	file(READ ${f} hex HEX)
	string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
	set(body "${body}static const char ${var}[] = {${hex}0x00};\n" PARENT_SCOPE)
endfunction()

file(GLOB FILES ${SQL_DIR}/[0-9][0-9][0-9][0-9]_*.sql)
list(SORT FILES)
set(table "const struct kt_migration kt_migrations[] = {\n")
set(n 0)
foreach(f ${FILES})
	get_filename_component(name ${f} NAME)
	string(SUBSTRING ${name} 0 4 ver)
	math(EXPR ver "1${ver} - 10000")
	embed(m${n} ${f})
	string(APPEND table "\t{${ver}, \"${name}\", m${n}},\n")
	math(EXPR n "${n} + 1")
endforeach()
string(APPEND table "};\nconst int kt_migrations_count = ${n};\n")

file(GLOB FUNCS ${SQL_DIR}/functions/*.sql)
list(SORT FUNCS)
string(APPEND table "\nconst struct kt_sqlfile kt_sqlfuncs[] = {\n")
set(all "")
set(n 0)
foreach(f ${FUNCS})
	get_filename_component(name ${f} NAME)
	file(READ ${f} text)
	string(APPEND all "${name}\n${text}\n")
	embed(f${n} ${f})
	string(APPEND table "\t{\"${name}\", f${n}},\n")
	math(EXPR n "${n} + 1")
endforeach()
if(n EQUAL 0)
	string(APPEND table "\t{NULL, NULL},\n")
endif()
string(SHA256 hash "${all}")
string(APPEND table "};\nconst int kt_sqlfuncs_count = ${n};\nconst char kt_sqlfuncs_hash[] = \"${hash}\";\n")
file(WRITE ${OUT} "${body}\n${table}")
