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
#include "lgcode.h"

#define KP_INFER_VOCAB 12 /* distinct values kept per column for an enum */
#define KP_INFER_KEY_BUDGET ((size_t)1 << 22) /* value hashes kept for key candidates
					       * (8 bytes each: 32 MiB) */

typedef struct kp_infer_opts {
	const char *encoding; /* NULL: guessed from the file's bytes */
	int draft;            /* 1: also required, enum, lgCode and a description (kplan-
			       * describe); 0: types only (a schema to validate the table with) */
	const char *sheet;    /* a workbook's sheet (name or number); NULL: the first visible */
} kp_infer_opts;

typedef struct kp_infer_result {
	json_t *schema;       /* owned: the Table Schema */
	long rows;            /* data rows read (notes and blank rows below the table left out) */
	long second_table;    /* the record that starts a second table (not read), or 0 */
	const char *encoding; /* what the file was read as (static name, or opts.encoding) */
	int guessed;          /* the encoding was guessed */
	int workbook;         /* the table is a workbook's sheet */
	char sheet[128];      /* its name ("" for a CSV) */
	char lg_code[7];      /* the one 全国地方公共団体コード of the leftmost code column,
			       * when all its rows hold the same, else "" */
	char *lg_name;        /* owned: the one 地方公共団体名 of the rows, or NULL */
	char **labels;        /* owned: the header's labels, as read */
	size_t nlabels;
	int unreadable;       /* on failure: 1 the file could not be opened, 0 it was read
			       * and is no table (err says why) */
} kp_infer_result;

/* Infers a schema for the CSV file at path (not standard input: it is read again to be
 * validated).  Returns 0 with *out filled (release with kp_infer_release), or -1 with
 * err filled: the file cannot be read, or holds no header. */
int kp_infer_table(const char *path, const kp_infer_opts *o, kp_infer_result *out, kp_diag *err);

void kp_infer_release(kp_infer_result *r);

/* A Data Package resource for a described table: name, path, profile, format, the
 * encoding it was read in, the CSV dialect kplan reads, and its schema (a new reference).
 * NULL out of memory. */
json_t *kp_infer_resource(const kp_infer_result *r, const char *name, const char *path);

/* The dataset metadata a portal needs (name: the first table's when a portal can take
 * it, else "draft"; title, description, keywords, licenses, dcat:
 * lg_code, lg_name, publisher, contact, dates, frequency, spatial, theme, language),
 * with an empty string or list wherever the tables do not say: a person fills them in,
 * and kplan-validate --package names each one missing.  lg_code and lg_name come from
 * the tables when every row of every table states the same (and spatial from the code);
 * with codes (総務省's list, may be NULL) the code's entry gives lg_name when the tables
 * do not, and the publisher (the municipality's name).  lg_code, when not NULL, is
 * the code to use instead of the tables' (kplan-describe --lg-code).
 * res is the resources array (owned by the result).  NULL out of memory. */
json_t *kp_infer_package(const kp_infer_result *const *tables, size_t n, json_t *res,
	const kp_lgcode_list *codes, const char *lg_code);

#endif
