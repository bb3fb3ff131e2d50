/* kplan-import — the plan document into clean source tables (items, targets, glossary). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../src/files.h"
#include "../src/lgcode.h"
#include "../src/plan.h"
#include "cli.h"

static const char tool[] = "kplan-import";

static const char usage[] =
    N_("usage: kplan-import [options] PLAN|-\n"
    "Read the action-plan document PLAN (- for standard input) and write the source\n"
    "tables items.csv, targets.csv and glossary.csv (UTF-8, CRLF, RFC 4180, one header\n"
    "row of field titles).  Nothing is written unless the whole document parsed.\n"
    "\n"
    "  -o, --output DIR      write the tables into DIR (created if missing; default .)\n"
    "      --format FMT      csv (default) or json: the three tables as one JSON\n"
    "                        document {items, targets, glossary} on standard output\n"
    "      --lg-code CODE    全国地方公共団体コード for the items (default 172014)\n"
    "      --lg-name NAME    地方公共団体名 for the items (default 石川県金沢市)\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "\n"
    "exit status: 0 written, 1 the document has a problem (nothing written),\n"
    "2 usage error, 3 I/O error\n");

#define MAX_PLAN_BYTES (64u * 1024 * 1024)

enum { OPT_LG_CODE = 256, OPT_LG_NAME, OPT_FORMAT };

/* Creates dir and its missing parents (like mkdir -p). */
static int ensure_dir(const char *dir)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		kp_cli_error(tool, "output path too long");
		return -1;
	}
	for (char *p = path + 1;; p++) {
		int end = *p == '\0';
		if (*p == '/' || end) {
			char c = *p;
			*p = '\0';
			struct stat st;
			if (stat(path, &st) != 0) {
				if (mkdir(path, 0777) != 0 && errno != EEXIST) {
					kp_cli_error(tool, "cannot create directory '%s': %s", path,
						     strerror(errno));
					return -1;
				}
			} else if (!S_ISDIR(st.st_mode)) {
				kp_cli_error(tool, "'%s' is not a directory", path);
				return -1;
			}
			*p = c;
			if (end)
				break;
		}
	}
	return 0;
}

static int write_tables(const char *dir, kp_plan_table *tabs, size_t n)
{
	kp_atomic a[3];
	char paths[3][4096];
	size_t opened = 0;
	kp_diag err;
	int rc = KP_EXIT_OK;
	if (n > 3)
		return KP_EXIT_IO;
	/* Write all three to temporary files first, then rename them: a failure while
	 * writing leaves none of the tables changed. */
	for (size_t i = 0; i < n; i++) {
		char *path = paths[i];
		snprintf(path, sizeof paths[i], "%s/%s.csv", dir, tabs[i].name);
		if (kp_files_atomic_open(&a[i], path, &err)) {
			kp_cli_print_diag(tool, &err);
			rc = KP_EXIT_IO;
			break;
		}
		opened++;
		if (kp_plan_table_write_csv(&tabs[i], a[i].fp, "\r\n")) {
			kp_cli_error(tool, "cannot write '%s'", path);
			rc = KP_EXIT_IO;
			break;
		}
	}
	/* The three renames are not one atomic step: refuse targets a rename cannot
	 * replace before renaming any of them. */
	for (size_t i = 0; i < opened && rc == KP_EXIT_OK; i++) {
		struct stat st;
		if (stat(paths[i], &st) == 0 && !S_ISREG(st.st_mode)) {
			kp_cli_error(tool, "'%s' exists and is not a regular file", paths[i]);
			rc = KP_EXIT_IO;
		}
	}
	for (size_t i = 0; i < opened; i++) {
		if (rc == KP_EXIT_OK) {
			if (kp_files_atomic_commit(&a[i], &err)) {
				/* the diagnostic borrowed the kp_atomic's own copy of the path,
				 * which the failed commit has freed */
				err.file = paths[i];
				kp_cli_print_diag(tool, &err);
				rc = KP_EXIT_IO;
			}
		} else {
			kp_files_atomic_abort(&a[i]);
		}
	}
	return rc;
}

static int write_json(kp_plan_table *tabs, size_t n)
{
	json_t *doc = json_object();
	if (!doc)
		return KP_EXIT_IO;
	for (size_t i = 0; i < n; i++) {
		json_t *a = kp_plan_table_to_json(&tabs[i]);
		if (!a || json_object_set_new(doc, tabs[i].name, a)) {
			json_decref(doc);
			kp_cli_error(tool, "out of memory");
			return KP_EXIT_IO;
		}
	}
	int r = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	json_decref(doc);
	if (r || fputc('\n', stdout) == EOF)
		return KP_EXIT_IO;
	return KP_EXIT_OK;
}

int main(int argc, char **argv)
{
	kp_cli_init();
	kp_i18n_localize(1);
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"lg-code", required_argument, NULL, OPT_LG_CODE},
	    {"lg-name", required_argument, NULL, OPT_LG_NAME},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *outdir = ".", *lg_code = "172014", *lg_name = "石川県金沢市";
	int json = 0;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outdir = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "csv") == 0)
				json = 0;
			else
				return kp_cli_usage_error(tool, "unknown format '%s' (csv or json)",
							  optarg);
			break;
		case OPT_LG_CODE: {
			int expected;
			enum kp_lgcode_result r =
			    kp_lgcode_check(optarg, strlen(optarg), &expected);
			if (r == KP_LGCODE_NOT_SIX_DIGITS)
				return kp_cli_usage_error(tool, "--lg-code '%s' is not six digits",
							  optarg);
			if (r == KP_LGCODE_BAD_CHECK_DIGIT)
				return kp_cli_usage_error(
				    tool, "--lg-code '%s' has a wrong check digit (expected %d)",
				    optarg, expected);
			lg_code = optarg;
			break;
		}
		case OPT_LG_NAME:
			if (!*optarg)
				return kp_cli_usage_error(tool, "--lg-name is empty");
			lg_name = optarg;
			break;
		default: {
			int st = kp_cli_common_option(tool, c, usage, argv);
			if (st >= 0)
				return st;
			break;
		}
		}
	}
	if (optind >= argc)
		return kp_cli_usage_error(tool, "no plan document given");
	if (optind + 1 < argc)
		return kp_cli_usage_error(tool, "more than one plan document given");
	const char *path = argv[optind];
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;

	char *text = NULL;
	size_t len = 0;
	kp_diag err;
	if (kp_files_read_all(path, MAX_PLAN_BYTES, &text, &len, &err)) {
		kp_cli_print_diag(tool, &err);
		return kp_cli_finish(tool, KP_EXIT_IO);
	}
	kp_plan plan;
	int rc = kp_plan_parse(text, len, name, &plan, &err);
	free(text);
	if (rc) {
		kp_cli_print_diag(tool, &err);
		return kp_cli_finish(tool, rc);
	}
	kp_plan_table tabs[3];
	memset(tabs, 0, sizeof tabs);
	if (kp_plan_build_items(&plan, lg_code, lg_name, &tabs[0]) ||
	    kp_plan_build_targets(&plan, &tabs[1]) || kp_plan_build_glossary(&plan, &tabs[2])) {
		kp_cli_error(tool, "out of memory");
		rc = KP_EXIT_IO;
	} else if (json) {
		rc = write_json(tabs, 3);
	} else if (ensure_dir(outdir)) {
		rc = KP_EXIT_IO;
	} else {
		rc = write_tables(outdir, tabs, 3);
	}
	for (size_t i = 0; i < 3; i++)
		kp_plan_table_release(&tabs[i]);
	kp_plan_release(&plan);
	return kp_cli_finish(tool, rc);
}
