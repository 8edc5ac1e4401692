/* kt_table_int: what kt_table.c (the table, UTF-8, CSV, JSON) shares with kt_table_text.c
 * (the text rendering). Not for other modules. */
#ifndef KT_TABLE_INT_H
#define KT_TABLE_INT_H

#include "kt_table.h"

struct kt_table {
	struct kt_col *cols;
	size_t ncols;
	char **cells; /* nrows * ncols, row-major */
	size_t nrows, cap;
};

/* Bytes and display columns of the character at s (len bytes left): an invalid byte is
 * one byte of one column. */
size_t kt_table_char_at(const char *s, size_t len, unsigned *w);

/* Cell s of column c as people read it (people: dates дд.мм.гггг, decimal comma): s
 * itself, or buf (n bytes) holding the changed text. */
const char *kt_table_people_cell(const struct kt_col *c, const char *s, bool people, char *buf,
	size_t n);

int kt_table_write_text(const struct kt_table *t, const struct kt_table_opts *o, FILE *out);

#endif
