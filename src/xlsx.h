/* xlsx — a streaming reader of Excel workbooks (.xlsx, .xlsm).
 *
 * The package is opened with libzip; each part is streamed through libxml2's xmlReader,
 * so a sheet is never held whole: memory is the shared-string table, the styles and one
 * row.  A sheet gives records like csvread's (kp_csvrecord): record number = the sheet's
 * row number (rows the sheet leaves out are empty records), one cell per column from A to
 * the sheet's used width, each cell's text as Excel shows its value:
 *   shared and inline strings (furigana <rPh> runs left out, whitespace kept), numbers
 *   to Excel's 15 significant digits without display formatting, booleans TRUE/FALSE,
 *   error values (#REF!) as written, and numbers styled as dates or times as ISO 8601
 *   (YYYY-MM-DD, hh:mm:ss, YYYY-MM-DDThh:mm:ss; the 1900 leap-year bug and date1904
 *   honoured).  A formula cell gives Excel's saved result (none: an empty cell).
 *
 * What a CSV cannot carry is reported to the sink as findings, once the sheet is read
 * (merges come after the rows in the part), with the sheet in d.sheet:
 *   formula (L2-06) formula-error (L2-06) merged-cell (L1-12; L2-03 in the header)
 *   hidden-row hidden-column (L1-13) object (L1-10) format-as-meaning (L1-11)
 *   comment (L1-04) number-as-text date-as-text (L2-01)
 * and for the workbook (kp_xlsx_report): hidden-sheet (L1-13) macros chart-sheet.
 * Findings are one per cause: a sheet's formulas are one finding naming the first cells.
 *
 * Hostile packages: parts are read through size, ratio and total limits checked on the
 * bytes actually inflated (the zip's sizes may lie), CRCs are checked by libzip, a part
 * with a DOCTYPE is refused (no entity is ever declared or expanded, nothing is loaded
 * from the network), relationship targets outside the package are refused, and cell
 * references past XFD1048576 stop the sheet.  Each of these is a finding, never a crash.
 */
#ifndef KP_XLSX_H
#define KP_XLSX_H

#include <stddef.h>

#include "csvread.h"
#include "diag.h"

#define KP_XLSX_MAX_COLS 16384L  /* XFD */
#define KP_XLSX_MAX_ROWS 1048576L

typedef struct kp_xlsx_limits {
	unsigned long long part_bytes;  /* inflated bytes of one part; 0 = 2 GiB */
	unsigned long long total_bytes; /* inflated bytes of all parts read; 0 = 8 GiB */
	unsigned ratio;                 /* inflated / compressed, past 1 MiB; 0 = 1000 */
	size_t string_bytes;            /* the shared-string table in memory; 0 = 512 MiB */
	size_t cell_bytes;              /* one cell's text; 0 = KP_CSVREAD_MAX_CELL_DEFAULT */
} kp_xlsx_limits;

typedef struct kp_xlsx_opts {
	const char *file;              /* the name used in findings (borrowed) */
	const char *root;              /* non-NULL: the file must lie inside (kp_files_open_in) */
	const kp_xlsx_limits *limits;  /* NULL: the defaults */
	int names_only;  /* the sheet list alone: shared strings and styles are not read
			  * (no sheet can be opened) */
	int values_only; /* the cells alone: no findings about the sheets (no merge scan,
			  * no column facts, no drawings or comments read), for a pass that
			  * only infers */
} kp_xlsx_opts;

typedef enum kp_xlsx_state {
	KP_XLSX_VISIBLE = 0,
	KP_XLSX_HIDDEN = 1,
	KP_XLSX_VERY_HIDDEN = 2
} kp_xlsx_state;

typedef struct kp_xlsx kp_xlsx;
typedef struct kp_xlsx_sheet kp_xlsx_sheet;

/* 1 when the file's first bytes are a zip or an OLE2 container (an .xlsx, .xlsm, .ods,
 * .xls or an encrypted workbook), or its name ends in .xlsx/.xlsm/.xls/.ods: a file for
 * kp_xlsx_open, not for csvread.  Reads at most 8 bytes. */
int kp_xlsx_sniff(const char *path);

/* Opens a workbook and reads its sheet list, shared strings and styles.  NULL with err
 * filled when it cannot: code "file-format" (rule L1-01: not a workbook — a PDF, an .xls,
 * an .ods, a password-protected workbook — with what to do), "workbook-error" (a damaged
 * or hostile package, a limit), "io-error" (the file cannot be opened or read). */
kp_xlsx *kp_xlsx_open(const char *path, const kp_xlsx_opts *opts, kp_diag *err);
void kp_xlsx_free(kp_xlsx *x);

size_t kp_xlsx_nsheets(const kp_xlsx *x);
const char *kp_xlsx_sheet_name(const kp_xlsx *x, size_t i);
kp_xlsx_state kp_xlsx_sheet_state(const kp_xlsx *x, size_t i);
int kp_xlsx_sheet_is_table(const kp_xlsx *x, size_t i); /* a worksheet, not a chart sheet */

/* The sheet named `which`, else (all digits) the 1-based sheet number.  -1 if none. */
long kp_xlsx_find_sheet(const kp_xlsx *x, const char *which);

/* Findings about the workbook as a whole (macros, hidden sheets, chart sheets) to sink;
 * `checked` (may be NULL) is the sheet the caller checks, or -1 for every visible one. */
void kp_xlsx_report(const kp_xlsx *x, long checked, const kp_diag_sink *sink);

/* Opens sheet i.  The sink receives the sheet's findings (borrowed until close).
 * NULL with err filled (out of memory, a missing part). */
kp_xlsx_sheet *kp_xlsx_sheet_open(kp_xlsx *x, size_t i, const kp_diag_sink *sink, kp_diag *err);

/* The next record in *rec (valid until the next call): 1, 0 at the end of the sheet
 * (after its findings were sent), -1 when the part is damaged or over a limit (reported
 * to the sink as workbook-error).  A non-zero answer of the sink ends the sheet (0). */
int kp_xlsx_sheet_next(kp_xlsx_sheet *sh, kp_csvrecord *rec);

/* 1 when the cell (1-based) lies in a merged range but is not its first cell: it reads
 * empty because of the merge, which the sheet's findings report.  The ranges are known
 * from the open (read ahead of the rows). */
int kp_xlsx_sheet_merge_slave(const kp_xlsx_sheet *sh, long row, long col);

/* 1 once a damaged part or a limit stopped the sheet. */
int kp_xlsx_sheet_failed(const kp_xlsx_sheet *sh);

void kp_xlsx_sheet_close(kp_xlsx_sheet *sh);

/* "B7" for column 2, row 7 (column and row 1-based); buf holds at least 16 bytes. */
void kp_xlsx_cell_name(long column, long row, char *buf, size_t size);

#endif
