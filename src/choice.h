/* choice — columns of choices (a survey's answers, a status): spelling variants of one
 * choice (L2-04) and details written into the 「その他」 choice (L2-05), as the Digital
 * Agency's checker finds them.
 *
 * A column is a choice column while it has at most KP_CHOICE_MAX distinct values; past
 * that it is dropped (names, addresses, free text) and costs nothing more.  Once the table
 * is read, with at least KP_CHOICE_MIN_CELLS filled cells:
 *   variants  a rare value (at most 2 rows and 5 % of the cells) whose normal form
 *             (full-width letters and digits folded, spaces dropped, a note from ※ （ (
 *             「 【 on cut off) is a frequent value's, or reads ≥ 75 % like it
 *             (2·LCS / total characters, as difflib's ratio), is a variant of it;
 *   other     two or more distinct values holding 「その他」 (その他: 委託のため) are the
 *             choice with its detail in the same cell (counted whatever the column's size).
 */
#ifndef KP_CHOICE_H
#define KP_CHOICE_H

#include <stddef.h>

#define KP_CHOICE_MAX 20
#define KP_CHOICE_MIN_CELLS 20

typedef struct kp_choice kp_choice;

/* For ncols columns; NULL when out of memory. */
kp_choice *kp_choice_new(size_t ncols);
void kp_choice_free(kp_choice *c);

/* 1 while column col may still be a choice column (or holds その他 values to count). */
int kp_choice_active(const kp_choice *c, size_t col);

/* A filled cell of column col (row: its record number). */
void kp_choice_add(kp_choice *c, size_t col, long row, const char *s, size_t n);

typedef struct kp_choice_variant {
	const char *rare, *usual; /* borrowed until kp_choice_free */
	long rare_rows, usual_rows, rare_first;
	long others;              /* further variants in the column */
} kp_choice_variant;

/* The column's variants: 1 with the first one in *v, 0 when none. */
int kp_choice_variants(const kp_choice *c, size_t col, kp_choice_variant *v);

typedef struct kp_choice_other {
	const char *first;  /* borrowed: the first value with その他 and a detail */
	long first_row;
	long distinct;      /* distinct values holding その他 (up to 9 told apart) */
} kp_choice_other;

/* 1 when column col writes details into その他 (two or more distinct such values). */
int kp_choice_others(const kp_choice *c, size_t col, kp_choice_other *o);

#endif
