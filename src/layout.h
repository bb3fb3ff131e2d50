/* layout — where a table ends and what lies outside it: blank rows that split it
 * (L1-03), notes below it (L1-04), a second table in the same file (L1-02).
 *
 * Fed the records that follow the header, one at a time, it says what each one is.
 * A blank row cannot be judged alone: a run of blank rows is held until the next
 * filled record shows whether it splits the table (data follows: the run is reported)
 * or only sets off notes or a second table below it (the run is part of that finding,
 * not one of its own).  Decisions are made on the record at hand, never later, so the
 * caller can stream.
 *
 * A note is a record with one filled cell, in the first column, of a table of two or
 * more columns, that follows a blank row or starts with a note mark (※, 注, 出典 …).
 * A second table is a record after a blank row with two or more filled cells, none a
 * number, that repeats a label of the header or fills the first cells of a record and
 * ends before the header's last column.  Everything after a second table's header belongs to it.
 * A record whose filled cells (two or more) are the header's labels in the header's
 * columns repeats the header; the rows after it are data again.
 */
#ifndef KP_LAYOUT_H
#define KP_LAYOUT_H

#include <stddef.h>

#include "csvread.h"
#include "hash.h"

typedef enum kp_layout_kind {
	KP_LAYOUT_DATA,	 /* a row of the table: check it */
	KP_LAYOUT_BLANK, /* a blank row, held (see kp_layout_next's split) */
	KP_LAYOUT_NOTE,	 /* the first of the notes below the table: report it */
	KP_LAYOUT_TABLE, /* the header of a second table: report it */
	KP_LAYOUT_AGAIN, /* the header again, label for label (a page break of a print
			  * layout): report it, the rows after it are data */
	KP_LAYOUT_SKIP	 /* a further note, or a row of the second table: not checked */
} kp_layout_kind;

/* A run of blank rows (record numbers); first == 0: none. */
typedef struct kp_layout_run {
	long first, last;
	long long offset; /* of the first */
} kp_layout_run;

typedef struct kp_layout {
	size_t ncols;	    /* cells of the header */
	char *labels;	    /* owned: the header's labels, each NUL-terminated */
	size_t *label_at;   /* owned: per column, the offset of its label in labels (one
			     * more entry: the end) */
	kp_strset set;	    /* the labels (keys point into labels) */
	int state;	    /* 0 in the table, 1 among notes, 2 in a second table */
	kp_layout_run held; /* blank rows not yet judged */
} kp_layout;

/* Starts with the header record.  Returns 0, or -1 out of memory. */
int kp_layout_init(kp_layout *l, const kp_csvrecord *header);

/* What record r is.  *split receives a run of blank rows that r shows to split the
 * table (first == 0 when none); report it before r. */
kp_layout_kind kp_layout_next(kp_layout *l, const kp_csvrecord *r, kp_layout_run *split);

/* At the end of the table: blank rows at its end, still held, are a run to report. */
void kp_layout_end(kp_layout *l, kp_layout_run *split);

void kp_layout_release(kp_layout *l);

#endif
