/* kt_csv_int: the reader state shared by kt_csv_decode.c (bytes -> UTF-8) and
 * kt_csv_read.c (UTF-8 -> records). Nothing outside common/registry uses it. */
#ifndef KT_CSV_INT_H
#define KT_CSV_INT_H

#include <iconv.h>
#include <stdarg.h>

#include "kt_csv.h"

#define KT_CSV_RAW_CAP (64u * 1024u) /* one read window; the encoding is sniffed on it */

enum kt_csv_enc { KT_ENC_NONE, KT_ENC_UTF8, KT_ENC_ICONV };

struct kt_csv_reader {
	kt_csv_read_fn *read;
	void *ctx;
	const unsigned char *mem; /* kt_csv_reader_mem */
	size_t mem_len, mem_pos;
	struct kt_csv_opts o;

	/* raw input window */
	unsigned char *raw;
	size_t raw_len, raw_pos, consumed;
	bool raw_eof;

	/* decoded UTF-8, consumed by the parser from dec_pos */
	char *dec;
	size_t dec_len, dec_pos, dec_cap;
	bool dec_done;       /* no more decoded bytes will come */
	enum kt_csv_enc enc;
	const char *enc_name;
	iconv_t cd;
	int dline;           /* line of the next decoded byte (for decoding errors) */
	bool dprev_cr;
	bool has_pending;    /* an error to report once the parser reaches dec_len */
	struct kt_csv_err pending;
	/* UTF-8 files: lines where an invalid sequence was replaced by U+FFFD, ascending; the
	 * record holding one is a bad row (kt_csv_next), not the end of the file */
	int *bad_lines;
	size_t nbad, bad_cap, bad_pos;

	/* parser: the record being built survives decode_more() calls, which move dec */
	int line;           /* line of the next byte dec[dec_pos] */
	bool prev_cr;       /* the last byte consumed was CR (a following LF ends no line) */
	char sep;
	size_t ncols;
	bool have_header;
	int st;             /* enum pstate in kt_csv_read.c */
	int rec_line;       /* where the record being built starts */
	int last_line;      /* where the last complete record ended */
	int quote_line;     /* where the open quoted field started (for the error) */
	char *rec;          /* the record's fields, each NUL-terminated */
	size_t rec_len, rec_cap;
	struct kt_csv_field *fields;
	size_t *fstart;
	size_t nf, fcap;
	bool failed;
	struct kt_csv_err err;
	bool skipping;          /* the record went bad: its line is skipped, then it is a bad row */
	struct kt_csv_err bad;  /* why */
};


/* Decodes more input into r->dec (compacting the consumed part first). 1 when bytes were
 * added, 0 when none will come (r->has_pending may hold the reason), -1 on a fatal error
 * (r->err set: I/O, memory, or the file's start cannot be read as text). */
int kt_csv_decode_more(struct kt_csv_reader *r);
void kt_csv_decode_release(struct kt_csv_reader *r);
/* True (and the lines passed) when a line first..last held an invalid UTF-8 sequence. */
bool kt_csv_bad_encoding(struct kt_csv_reader *r, int first, int last);

/* Sets r->sep from the header line (decoding as much as that line needs). -1 on a fatal
 * error (r->err set). */
int kt_csv_detect_sep(struct kt_csv_reader *r);

#endif
