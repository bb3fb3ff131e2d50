/* infer — a draft Table Schema from a table itself, over every row, in one streaming pass.
 *
 * The header is the first record with two or more filled cells (title lines above it
 * are left to the validator, which reports them); a table of one column takes its first
 * filled record.  Per column a few counters are kept, and a small vocabulary (at most
 * KP_INFER_VOCAB distinct values), so memory is flat in the number of rows.
 *
 * Types, from the filled cells of a column:
 *   integer  every cell an integer without leading zeros ("007" is a code: string);
 *   number   every cell a decimal number; or at least 80 % of five or more, the rest
 *            numbers written with a unit, digit-group commas or a note ("1,200円"),
 *            so that the validator names those cells (number-with-unit);
 *   date     every cell YYYY-MM-DD;
 *   string   anything else, codes with leading zeros included.
 * Names keep the labels (a blank label becomes "field_N", a repeated one gets "_2");
 * nothing is renamed or translated: a person edits the draft.
 */
#ifndef KP_INFER_H
#define KP_INFER_H

#include <jansson.h>

#include "diag.h"

#define KP_INFER_VOCAB 12 /* distinct values kept per column for an enum */

typedef struct kp_infer_opts {
	const char *encoding; /* NULL: guessed from the file's bytes */
	int draft;            /* 1: also required, enum, lgCode and a description (kplan-
			       * describe); 0: types only (a schema to validate the table with) */
} kp_infer_opts;

typedef struct kp_infer_result {
	json_t *schema;       /* owned: the Table Schema */
	long rows;            /* data rows read (notes and blank rows below the table left out) */
	long second_table;    /* the record that starts a second table (not read), or 0 */
	const char *encoding; /* what the file was read as (static name, or opts.encoding) */
	int guessed;          /* the encoding was guessed */
	int unreadable;       /* on failure: 1 the file could not be opened, 0 it was read
			       * and is no table (err says why) */
} kp_infer_result;

/* Infers a schema for the CSV file at path (not standard input: it is read again to be
 * validated).  Returns 0 with *out filled (release with kp_infer_release), or -1 with
 * err filled: the file cannot be read, or holds no header. */
int kp_infer_table(const char *path, const kp_infer_opts *o, kp_infer_result *out, kp_diag *err);

void kp_infer_release(kp_infer_result *r);

#endif
