/* export — kplan-export's work: validate the package's tables, then write the chosen
 * formats into an output folder, all or nothing.
 *
 * Every output file is written into a new folder beside OUT (stage.h); only when all of
 * them are complete and durable is that folder exchanged with OUT, in one rename, after
 * the other entries of OUT were linked into it.  A failure or a signal at any point
 * leaves the previous OUT as it was and no temporary files behind; a SIGKILL leaves a
 * hidden stage beside OUT, which the next run removes.  Two runs into one OUT take
 * turns (OUT is locked).
 *
 * File names come from the resource names and the package name: each must be a safe
 * file name (kp_stage_safe_name) and no two outputs may share a name (compared without
 * ASCII case, as on case-insensitive file systems), else exit 2 before anything runs.
 *
 * Output (OUT = opts.out_dir):
 *   csv   OUT/<resource>.csv and OUT/<resource>.csv-metadata.json (W3C CSVW)
 *   json  OUT/<resource>.json
 *   rdf   OUT/<package name>.rdf: the rows and the DCAT catalog/dataset/distributions
 *   all   all of the above and OUT/datapackage.json (bytes, sha256 hash, dialect, schema)
 * Output depends only on the input and the options: no clock unless opts.date is set.
 */
#ifndef KP_EXPORT_H
#define KP_EXPORT_H

#include <signal.h>

#include "diag.h"
#include "lgcode.h"
#include "validate.h"

enum {
	KP_EXPORT_CSV = 1u << 0,
	KP_EXPORT_JSON = 1u << 1,
	KP_EXPORT_RDF = 1u << 2,
	KP_EXPORT_PACKAGE = 1u << 3, /* datapackage.json */
	KP_EXPORT_ALL = 0xFu
};

typedef struct kp_export_opts {
	const char *package;  /* datapackage.json or its folder */
	const char *data_dir; /* folder of the source tables; NULL: the package's paths */
	unsigned formats;     /* KP_EXPORT_* bits */
	const char *out_dir;  /* created when missing */
	int bom;	      /* CSV starts with a UTF-8 BOM */
	const char *eol;      /* CSV line ending: "\r\n" or "\n" */
	int header_titles;    /* CSV header row: titles (1) or names (0) */
	const char *date;     /* YYYY-MM-DD stamped as issue/modification date, or NULL */
	const char *encoding; /* the tables' encoding for every resource, or NULL: each
			       * resource's "encoding", else what its bytes show (output is
			       * always UTF-8) */
	const char *sheet;    /* a workbook resource's sheet (name or number) for every
			       * resource, or NULL: each resource's "sheet", else its first
			       * visible worksheet */
	kp_diag_sink sink;    /* receives every finding and error */
	const volatile sig_atomic_t *interrupted; /* optional: set (to the signal number) by
				    * the caller's signal handler; the run then stops, removes
				    * what it wrote and returns KP_EXIT_IO */
	const kp_lgcode_list *lg_codes; /* optional: 総務省's codes (kp_validate_opts) */
	kp_validate_table_fn table_done; /* optional: each table's stats once it is checked
					  * (kp_validate_package), with table_ctx */
	void *table_ctx;
} kp_export_opts;

/* Sets the defaults: all formats, OUT "dist", BOM, CRLF, titles, no date. */
void kp_export_opts_init(kp_export_opts *o);

/* Runs the export.  Returns an exit status (status.h): 0 written; 1 the tables are
 * invalid (findings sent, nothing written); 2 bad package or schema; 3 I/O error
 * (nothing written). */
int kp_export_run(const kp_export_opts *o);

#endif
