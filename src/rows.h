/* rows — a table's records from a CSV file or from a workbook's sheet, so that the
 * engine (validate, infer, export) reads both through one door.
 *
 * A CSV goes to csvread; a workbook (kp_xlsx_sniff: its extension or its first bytes) to
 * xlsx, one sheet at a time.  Records are csvread's: for a sheet, record number = row
 * number and every record is as wide as the sheet's used range (what Excel writes when
 * it saves the sheet as CSV).  Findings of either reader go to opts.csv.sink.
 */
#ifndef KP_ROWS_H
#define KP_ROWS_H

#include "csvread.h"
#include "diag.h"
#include "xlsx.h"

typedef struct kp_rows_opts {
	kp_csvread_opts csv;          /* file, root, sink and sha256 serve a workbook too */
	const char *sheet;            /* a workbook's sheet: its name or 1-based number;
				       * NULL: the first visible worksheet */
	int book_findings;            /* also send the workbook's own findings (macros,
				       * hidden sheets: kp_xlsx_report) */
	const kp_xlsx_limits *limits; /* NULL: the defaults */
	int values_only;              /* a sheet's cells alone, no findings about it (for a
				       * pass that infers: kp_xlsx_opts.values_only) */
} kp_rows_opts;

typedef struct kp_rows kp_rows;

/* Opens path.  NULL with err filled when it cannot: a CSV's csvread error, or for a
 * workbook "file-format" (L1-01), "workbook-error", "io-error", or "usage" for a sheet
 * the workbook does not have (the message lists those it has). */
kp_rows *kp_rows_open(const char *path, const kp_rows_opts *opts, kp_diag *err);

/* As kp_csvread_next. */
int kp_rows_next(kp_rows *r, kp_csvrecord *rec);

/* The sheet being read (borrowed, valid until free), NULL for a CSV. */
const char *kp_rows_sheet(const kp_rows *r);

/* The text encoding ("UTF-8" for a workbook) and whether it was guessed. */
const char *kp_rows_encoding(const kp_rows *r);
int kp_rows_encoding_guessed(const kp_rows *r);

/* Bytes of the file and its SHA-256 ("" unless opts.csv.sha256); complete at the end. */
long long kp_rows_bytes(const kp_rows *r);
const char *kp_rows_sha256(const kp_rows *r);

/* 1 when the cell (1-based) is covered by a merged range of a sheet (not its first cell):
 * it reads empty because of the merge, which the reader reports.  0 for a CSV. */
int kp_rows_merge_slave(const kp_rows *r, long row, long col);

/* As kp_csvread_failed (a damaged sheet: 1). */
int kp_rows_failed(const kp_rows *r);

void kp_rows_free(kp_rows *r);

/* 1 when path is read as a workbook. */
int kp_rows_is_workbook(const char *path);

/* The visible worksheets of the workbook at path, in order: an owned array of owned
 * names (free with kp_rows_sheets_free).  Returns 0, or -1 with err (as kp_rows_open). */
int kp_rows_sheets(const char *path, const char *root, const char *display, char ***names,
	size_t *n, kp_diag *err);
void kp_rows_sheets_free(char **names, size_t n);

#endif
