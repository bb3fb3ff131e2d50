/* report — a validation report for people: one self-contained HTML file.
 *
 * The tool feeds every finding of a table (kp_report_finding), then the table's facts
 * (kp_report_table), table after table; kp_report_write_html writes the page.  Findings
 * are grouped by code, rule and severity: each group keeps its count and its first
 * KP_REPORT_KEEP findings (memory is bounded whatever the table's size).  For the
 * excerpt of offending rows, the writer reads each table again through rows (only the
 * rows it shows are kept); a table on standard input has no excerpt.
 *
 * The page needs nothing else: inline CSS, no script, a Content-Security-Policy that
 * allows nothing to load, every cell and name escaped.  Its words follow the library's
 * language (i18n.h); it holds no date, so the same input gives the same bytes.
 * Ownership: a kp_report copies all it is given.
 */
#ifndef KP_REPORT_H
#define KP_REPORT_H

#include <stdio.h>

#include "diag.h"
#include "score.h"
#include "validate.h"

#define KP_REPORT_KEEP 20    /* findings listed per group */
#define KP_REPORT_EXCERPT 10 /* rows shown per group */

typedef struct kp_report kp_report;

/* What the report says of a table (all borrowed for the call only). */
typedef struct kp_report_table_info {
	const char *file;     /* the name people know it by */
	const char *path;     /* where to read it again for the excerpt; NULL or "-": none */
	const char *sheet;    /* a workbook's sheet, or NULL */
	const char *schema;   /* what it was checked against (a path, or a sentence) */
	const kp_validate_stats *stats;
	const kp_score *score;
	int valid;
} kp_report_table_info;

typedef struct kp_report_html_opts {
	const char *tool;    /* "kplan-validate" */
	const char *version; /* "0.1.0" */
	int valid;           /* the run's verdict */
	int io_failed;       /* some table could not be read */
} kp_report_html_opts;

/* NULL when out of memory. */
kp_report *kp_report_new(void);

/* A finding of the table being read.  Returns 0, or -1 when out of memory (the finding
 * is then counted but not kept). */
int kp_report_finding(kp_report *r, const kp_diag *d);

/* Ends the table being read with its facts.  Returns 0 or -1 (out of memory). */
int kp_report_table(kp_report *r, const kp_report_table_info *t);

/* Writes the page.  Returns 0, or -1 when the stream reports an error. */
int kp_report_write_html(kp_report *r, FILE *fp, const kp_report_html_opts *o);

/* Findings counted so far (all tables). */
long kp_report_count(const kp_report *r);

void kp_report_free(kp_report *r);

#endif
