/* validate — the streaming validation engine.
 *
 * A table is read once through csvread; per row only what a check needs is kept: the
 * previous row's cells (repeat marks), and for unique / primaryKey / uniqueKeys /
 * foreign-key targets one 64-bit hash of the key plus the first row that had it
 * (memory proportional to distinct keys, not to the file).  Plan rules declared in the
 * schema keep the few cells they compare.
 *
 * Every finding goes to the caller's sink as a kp_diag with code, severity, rule id,
 * file, row (record number; the header is row 1), column (1-based field number), field
 * name, the shortened cell and a message saying how to fix it.  Codes:
 *   source   encoding-error source-error bom line-endings unclosed-quote stray-quote
 *            line-break-in-cell
 *   header   title-row blank-label duplicate-label missing-label extra-label label-variant
 *            incorrect-label wide-format
 *   rows     blank-row missing-cell extra-cell type-error constraint-error unique-error
 *            primary-key foreign-key
 *   Japan    platform-dependent-char halfwidth-kana fullwidth-alnum padding-space control-char
 *            lossy-char
 *            repeat-mark number-with-unit blank-vs-zero lg-code
 *   plan     rule-error (rule = the schema rule's id)
 *   package  byte-count hash-count (the resource's declared bytes / sha256 hash differ)
 *   limit    stopped-early (max_errors reached; the table was not read to the end)
 *   encoding encoding (L3-08: the file is not UTF-8 and was read in the encoding its bytes
 *            show, or the resource's "encoding", or opts.encoding)
 *
 * Lifetimes: a finding's `field` and `rule` are borrowed from the schema (valid while
 * it lives); its `file` is the caller's path/display string for kp_validate_table, but
 * a string owned by kp_validate_package during the sink call only (copy it to keep it).
 */
#ifndef KP_VALIDATE_H
#define KP_VALIDATE_H

#include <signal.h>

#include "csvread.h"
#include "diag.h"
#include "files.h"
#include "lgcode.h"
#include "schema.h"

struct kp_validate_stats;

/* What the row hook sees of a record. */
enum {
	KP_VALIDATE_CELL_CHECKED = 0, /* checked by the general path: cast it again to use it */
	KP_VALIDATE_CELL_NULL = 1,    /* a missing value */
	KP_VALIDATE_CELL_AS_IS = 2    /* casts to the field's type and the cell is its own
				       * canonical text (kp_cast_fast's answer) */
};

typedef struct kp_validate_row {
	const kp_csvrecord *rec;
	const long *field_col;      /* per field: the record's column holding it, or -1 when
				     * the header lacks it */
	const unsigned char *as_is; /* per field: KP_VALIDATE_CELL_* */
	int clean;                  /* 1 while the table has no error so far (a duplicate key
				     * of this very row may still be reported with the next
				     * one: look at the final status, not at `clean`) */
} kp_validate_row;

/* Hooks that see the records while they are validated, so that a caller (kplan-export)
 * can write its output in the same pass instead of reading the tables again.  Any hook
 * may be NULL.  A non-zero return stops the table: the run then returns KP_EXIT_IO
 * (the hook reports its own error).  `res` is NULL for kp_validate_table. */
typedef struct kp_validate_hooks {
	void *ctx;
	/* before the first record of a table */
	int (*table_start)(void *ctx, const kp_resource *res, const kp_schema *s, const char *file);
	/* after the checks of each data record (not the header or title rows) */
	int (*row)(void *ctx, const struct kp_validate_row *row);
	/* after the table, with its final stats (errors included) */
	int (*table_end)(void *ctx, const kp_resource *res, const struct kp_validate_stats *st);
} kp_validate_hooks;

typedef struct kp_validate_opts {
	long max_errors;      /* per table; 0 = no limit (the tool's default is 1000) */
	const char *encoding; /* NULL = UTF-8; else converted with iconv */
	int no_sha256;        /* skip the SHA-256 of the file */
	const kp_validate_hooks *hooks; /* NULL: none */
	int general_only;     /* for tests: every cell through the general path (the fast
			       * path must never change a finding) */
	const volatile sig_atomic_t *interrupted; /* optional: once set, the run stops at the
				       * next record and returns KP_EXIT_IO, reporting nothing */
	const char *sheet;    /* a workbook's sheet (name or 1-based number); NULL: the
			       * resource's "sheet", else the first visible worksheet */
	int book_findings;    /* also report the workbook's own findings (macros, hidden
			       * sheets); always on for a package's resource without --sheet */
	const kp_lgcode_list *lg_codes; /* optional: 総務省's codes; a 全国地方公共団体コード
				       * must be one of them, and 地方公共団体名 (or the old
				       * layout's 都道府県名/市区町村名) its name */
} kp_validate_opts;

typedef struct kp_validate_stats {
	long rows;       /* data rows read (after the header) */
	long fields;     /* fields in the schema */
	long long bytes; /* bytes of the file */
	char sha256[KP_SHA256_HEX_LEN + 1]; /* "" when not computed */
	long errors, warnings, infos;
	int stopped;     /* 1 when max_errors stopped the table early */
	const char *encoding; /* what the file was read as ("UTF-8", "CP932", …; borrowed:
			       * a static name or the caller's), NULL if it was not opened */
	int unreadable;  /* 1 when the file could not be opened or read (I/O) */
	char sheet[128]; /* the workbook's sheet that was read (Excel's names are at most 31
			  * characters), "" for a CSV */
} kp_validate_stats;

/* Validates one CSV file ("-" = standard input) against schema.  `display` names the
 * file in findings (NULL: path).  Foreign keys to other resources are not checked here
 * (only self references); use kp_validate_package for those.
 * Returns 0 when the table has no errors, 1 when it has, 3 (KP_EXIT_IO) when it could
 * not be read at all.  stats may be NULL. */
int kp_validate_table(const char *path, const char *display, const kp_schema *schema,
	const kp_validate_opts *opts, const kp_diag_sink *sink, kp_validate_stats *stats);

/* Callback for each table of a package, after it was validated. */
typedef void (*kp_validate_table_fn)(void *ctx, const kp_resource *res, const char *file,
	const kp_validate_stats *stats);

/* Validates every resource of a loaded package, referenced resources first, with
 * foreign keys across resources.  data_dir (NULL: the package folder) locates the
 * resource files.  Findings go to sink (each with d.file = the resource's file);
 * after each table, done() (if non-NULL) gets its stats.  Returns 0 valid, 1 invalid,
 * 3 when a file could not be read. */
int kp_validate_package(const kp_package *pkg, const char *data_dir,
	const kp_validate_opts *opts, const kp_diag_sink *sink, kp_validate_table_fn done,
	void *ctx);

#endif
