/* cli — what every kplan tool does the same way: --help/--version, usage hints,
 * diagnostics to stderr, and a checked stdout at exit.  Tool layer only: this is
 * the one place besides the mains that prints. */
#ifndef KP_CLI_H
#define KP_CLI_H

#include <signal.h>

#include "../src/diag.h"
#define KP_I18N_NO_MACROS
#include "../src/i18n.h"
#include "../src/lgcode.h"
#include "../src/rows.h"
#include "../src/standard.h"
#include "../src/status.h"

#ifndef KPLAN_VERSION
#define KPLAN_VERSION "0.0.0"
#endif

/* A tool's own words follow the locale always (the library's only once the tool calls
 * kp_i18n_localize(1)). */
#define _(msgid) kp_i18n_ui(msgid)
#define Q_(one, many, n) kp_i18n_ui_plural(one, many, n)
#define N_(msgid) msgid

/* First thing in every main: the locale's character type and language (never its
 * numbers or dates: strtod must keep reading "1.5"), and kplan's catalog from
 * $KPLAN_LOCALEDIR, else the build tree's (build/locale beside build/bin), else the
 * installed one. */
void kp_cli_init(void);

/* Prints "tool: <message> (try 'tool --help')" on one line to stderr; returns KP_EXIT_USAGE. */
int kp_cli_usage_error(const char *tool, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The options every tool shares, once getopt_long (with opterr = 0 and a leading ':' in
 * its option string) returned c: 'h' prints usage to stdout, 'V' the version; ':' (a
 * missing argument) and '?' (an unknown option) are usage errors.  Returns the status
 * main returns, or -1 when c is none of these. */
int kp_cli_common_option(const char *tool, int c, const char *usage, char **argv);

/* Prints "tool <version>" to stdout; returns KP_EXIT_OK. */
int kp_cli_version(const char *tool);

/* Prints one diagnostic in the house text format to stderr. */
void kp_cli_print_diag(const char *tool, const kp_diag *d);

/* Prints "tool: error: <message>" to stderr (no position). */
void kp_cli_error(const char *tool, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Catches SIGINT, SIGTERM and SIGHUP: each sets *flag to its number (the library then
 * stops and cleans up); kp_cli_reraise ends the process by that signal afterwards. */
void kp_cli_catch_signals(volatile sig_atomic_t *flag);

/* When *flag is set: the signal's default action (the process ends as the shell
 * expects from a killed command).  Returns otherwise. */
void kp_cli_reraise(const volatile sig_atomic_t *flag);

/* Flushes and closes stdout; a failed write turns status into KP_EXIT_IO with a message.
 * Every main returns through this. */
int kp_cli_finish(const char *tool, int status);

/* A file of kplan's data (rel is under schemas/, e.g. "portal/portal.json"): the
 * schemas/ of the build tree this tool runs from (build/bin/../../schemas), else the
 * installed copy under KPLAN_DATADIR.  Returns 0 with out filled when it is readable. */
int kp_cli_data_path(const char *rel, char *out, size_t outsz);

/* The portal rules for a package of the municipality lg_code (may be NULL): its profile
 * (schemas/portal/profiles/<lg_code>.json: that city's own choices over the rules every
 * Japanese portal shares), else schemas/portal/portal.json.  Returns 0 with out filled. */
int kp_cli_portal_rules(const char *lg_code, char *out, size_t outsz);

/* The portal's metadata rules on a package descriptor, exactly as kplan-upload checks
 * them: rules_path, else the package's own (kp_cli_portal_rules).  Findings go to sink
 * (code portal-metadata), errors as warnings unless strict (a package told it is for the
 * portal).  Returns the number of error findings, or -1 when the rules cannot be read
 * (reported to sink). */
long kp_cli_portal_check(json_t *descriptor, const char *file, const char *rules_path,
	int strict, const kp_diag_sink *sink);

/* A source package's descriptor as kplan-export will write it, for the check above:
 * each resource's file named after it (name.csv), in UTF-8 CSV, its title and
 * description never empty (export fills them in).  A new reference, NULL out of memory. */
json_t *kp_cli_as_exported(json_t *descriptor);

/* The descriptor of the package at path (datapackage.json, or the folder holding one),
 * parsed; NULL when it cannot be read (the package loader says why). */
json_t *kp_cli_package_json(const char *path);

/* 総務省's list of codes (schemas/lgcodes/local-gov-codes.json), loaded once and freed
 * at exit: *out gets it, or stays NULL when kplan's data is not found.  Returns 0, or
 * -1 (reported) when the file is there but broken. */
int kp_cli_lg_codes(const char *tool, const kp_lgcode_list **out);

/* The standard datasets (schemas/standard/index.json) into *out.  Not found: *out stays
 * empty and 0 is returned, unless needed (then it is reported, -1).  A broken index or
 * schema is reported, -1. */
int kp_cli_standards(const char *tool, kp_standards *out, int needed);

/* The tables a tool was given: each file, or for a workbook each visible worksheet (with
 * sheet non-NULL: that sheet of every file).  A workbook that cannot be listed stays one
 * table (sheet NULL): checking it reports why. */
typedef struct kp_cli_table {
	const char *path;  /* borrowed from argv */
	const char *sheet; /* owned by the list (or the caller's --sheet), NULL for a CSV */
	int first;         /* the first table of its file: it reports the workbook's own findings */
} kp_cli_table;

typedef struct kp_cli_tables {
	kp_cli_table *items; /* owned */
	size_t n;
	char **names;        /* owned sheet names */
	size_t nnames;
} kp_cli_tables;

/* Returns 0, or -1 (out of memory, reported). */
int kp_cli_tables_expand(const char *tool, char **files, size_t nfiles, const char *sheet,
	kp_cli_tables *out);
void kp_cli_tables_free(kp_cli_tables *t);

/* The day $SOURCE_DATE_EPOCH names, as YYYY-MM-DD (UTC), into out: 1; 0 when it is
 * not set; -1 when it is not a number of seconds up to 9999-12-31. */
int kp_cli_epoch_date(char out[11]);

#endif
