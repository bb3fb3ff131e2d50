/* kplan-describe — a table → a draft Table Schema (or, for several tables, a Data
 * Package) to edit, inferred from every row. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/files.h"
#include "../src/infer.h"
#include "../src/stage.h"
#include "cli.h"

static const char tool[] = "kplan-describe";

static const char usage[] =
    "usage: kplan-describe FILE... [-o OUT] [--package] [options]\n"
    "Infer a draft Table Schema from a CSV table (every row is read), or a Data Package\n"
    "for several tables, to edit and then validate with.\n"
    "\n"
    "  -o, --output OUT      write the draft to OUT (default: standard output)\n"
    "      --package         a Data Package even for one table\n"
    "  -e, --encoding ENC    the tables' encoding (default: what the bytes show)\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "\n"
    "The draft keeps each column's label as its name; types come from every filled cell\n"
    "(codes with leading zeros stay text); a column with no blank cell is required; a\n"
    "small vocabulary becomes an enum; a column of 全国地方公共団体コード is marked lgCode.\n"
    "Check it before use: it describes the table as it is, mistakes included.\n"
    "\n"
    "exit status: 0 written, 2 usage error, 3 a table could not be read or OUT written\n";

/* A resource name from a file name: its base without the extension, if that is a safe
 * file name, else "table-N". */
static char *resource_name(const char *path, size_t i)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *n = strdup(base);
	if (!n)
		return NULL;
	char *dot = strrchr(n, '.');
	if (dot && dot != n)
		*dot = '\0';
	if (!kp_stage_safe_name(n, NULL)) {
		free(n);
		n = malloc(32);
		if (n)
			snprintf(n, 32, "table-%zu", i + 1);
	}
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"package", no_argument, NULL, 'P'},
	    {"encoding", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	int package = 0;
	kp_infer_opts io = {.draft = 1};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:e:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'P':
			package = 1;
			break;
		case 'e':
			if (!*optarg)
				return kp_cli_usage_error(tool, "--encoding needs an encoding name, e.g. cp932");
			io.encoding = optarg;
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
		return kp_cli_usage_error(tool, "no table given");
	package = package || argc - optind > 1;
	size_t ntables = (size_t)(argc - optind), done = 0;
	kp_infer_result *irs = calloc(ntables, sizeof *irs);
	const kp_infer_result **views = calloc(ntables, sizeof *views);
	json_t *resources = json_array(), *doc = NULL;
	int status = irs && views && resources ? KP_EXIT_OK : KP_EXIT_IO;
	for (int i = optind; i < argc && status == KP_EXIT_OK; i++) {
		kp_infer_result *ir = &irs[done];
		kp_diag err;
		kp_diag_clear(&err);
		if (kp_infer_table(argv[i], &io, ir, &err) != 0) {
			if (strcmp(err.code, "usage") == 0) {
				status = kp_cli_usage_error(tool, "%s", err.message);
				break;
			}
			kp_cli_print_diag(tool, &err);
			status = KP_EXIT_IO;
			break;
		}
		views[done++] = ir;
		if (!package) {
			doc = json_incref(ir->schema);
		} else {
			char *name = resource_name(argv[i], (size_t)(i - optind));
			json_t *r = name ? kp_infer_resource(ir, name, argv[i]) : NULL;
			if (!r || json_array_append_new(resources, r) != 0)
				status = KP_EXIT_IO;
			free(name);
		}
	}
	if (status == KP_EXIT_OK && package)
		doc = kp_infer_package(views, done, json_incref(resources));
	for (size_t k = 0; k < done; k++)
		kp_infer_release(&irs[k]);
	free(irs);
	free(views);
	json_decref(resources);
	if (status == KP_EXIT_USAGE)
		return status;
	if (status == KP_EXIT_OK && !doc) {
		kp_cli_error(tool, "out of memory");
		status = KP_EXIT_IO;
	}
	if (status == KP_EXIT_OK && out) {
		kp_atomic a;
		kp_diag err;
		if (kp_files_atomic_open(&a, out, &err) != 0 ||
		    json_dumpf(doc, a.fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
		    fputc('\n', a.fp) == EOF || kp_files_atomic_commit(&a, &err) != 0) {
			if (a.tmp)
				kp_files_atomic_abort(&a);
			kp_cli_print_diag(tool, &err);
			status = KP_EXIT_IO;
		}
	} else if (status == KP_EXIT_OK) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	}
	json_decref(doc);
	return kp_cli_finish(tool, status);
}
