/* csvout — RFC 4180 CSV writing, shared by every tool that writes CSV.
 * A cell is quoted when it holds the delimiter, a quote, CR or LF, or leading/
 * trailing space (so spreadsheet programs keep it); quotes inside are doubled. */
#ifndef KP_CSVOUT_H
#define KP_CSVOUT_H

#include <stddef.h>
#include <stdio.h>

typedef struct kp_csvout {
	FILE *fp;        /* borrowed */
	const char *eol; /* "\r\n" or "\n" */
	int first;       /* next cell is the first of its row */
	int quote_all;   /* quote every cell */
} kp_csvout;

void kp_csvout_init(kp_csvout *w, FILE *fp, const char *eol);
/* Writes one cell of len bytes (need not be NUL-terminated). */
void kp_csvout_cell(kp_csvout *w, const char *s, size_t len);
/* Writes a NUL-terminated cell; NULL writes an empty cell. */
void kp_csvout_str(kp_csvout *w, const char *s);
/* Ends the row. */
void kp_csvout_end_row(kp_csvout *w);
/* The quoting rule as data, for writers with their own loop: a cell needs quotes when
 * one of its bytes has bit 1 here, or its first or last byte has bit 2. */
extern const unsigned char kp_csvout_class[256];

/* Formats one cell into dst, which has room for at least 2 * len + 2 bytes, quoted by
 * the rules above (always when quote_all); returns the bytes written.  For writers
 * that assemble rows in their own buffer. */
size_t kp_csvout_format(char *dst, const char *s, size_t len, int quote_all);
/* 0 when every write so far succeeded, -1 when the stream reports an error. */
int kp_csvout_status(const kp_csvout *w);

#endif
