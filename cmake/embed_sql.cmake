# Writes OUT: a C file holding every migration in FILES (sorted) as
#   const struct kt_migration kt_migrations[]; const int kt_migrations_count;
# Each migration is {version, name, sql}; version comes from the 4-digit file prefix.
set(body "/* generated from sql/ by cmake/embed_sql.cmake: do not edit */\n#include \"kt_migrations.h\"\n\n")
set(table "const struct kt_migration kt_migrations[] = {\n")
set(n 0)
foreach(f ${FILES})
	get_filename_component(name ${f} NAME)
	string(SUBSTRING ${name} 0 4 ver)
	math(EXPR ver "1${ver} - 10000")
	file(READ ${f} hex HEX)
	string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
	string(APPEND body "static const char m${n}[] = {${hex}0x00};\n")
	string(APPEND table "\t{${ver}, \"${name}\", m${n}},\n")
	math(EXPR n "${n} + 1")
endforeach()
string(APPEND table "};\nconst int kt_migrations_count = ${n};\n")
file(WRITE ${OUT} "${body}\n${table}")
