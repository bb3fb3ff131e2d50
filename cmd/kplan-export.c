/* kplan-export — validated tables → portal-ready CSV, JSON, RDF/XML with DCAT metadata. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/export.h"
#include "../src/files.h"
#include "../src/report.h"
#include "../src/score.h"
#include "cli.h"

static const char tool[] = "kplan-export";

static const char usage[] =
    N_("usage: kplan-export --package PKG [--data DIR] [--format FMT] [-o OUT] [options]\n"
    "Validate the tables of a Data Package, then publish them as CSV, JSON and RDF/XML\n"
    "with DCAT metadata.  Nothing is written unless every file can be.\n"
    "\n"
    "  -p, --package PKG     datapackage.json or its folder\n"
    "  -d, --data DIR        folder of the source tables (default: the package's paths)\n"
    "  -f, --format FMT      csv, json, rdf or all (default all; a comma list works too)\n"
    "  -o, --output OUT      output folder (default dist; created when missing)\n"
    "      --bom, --no-bom   start CSV files with a UTF-8 byte order mark (default --bom)\n"
    "      --eol EOL         CSV line ending: crlf (default) or lf\n"
    "      --header HDR      CSV header row: titles (default) or names\n"
    "  -e, --encoding ENC    the tables' encoding, e.g. cp932 (default: each resource's\n"
    "                        \"encoding\", else what the file's bytes show; output is UTF-8)\n"
    "      --sheet SHEET     a workbook's sheet, by name or number from 1 (default: each\n"
    "                        resource's \"sheet\", else its first visible worksheet)\n"
    "      --date DATE       YYYY-MM-DD stamped as the files' issue date (default:\n"
    "                        $SOURCE_DATE_EPOCH when set, else no date at all)\n"
    "      --for-portal      the output is for a CKAN portal: write nothing unless the\n"
    "                        package has the metadata the portal requires (as\n"
    "                        kplan-upload checks it; without it, those are warnings)\n"
    "      --portal-rules FILE  the portal's rules from FILE (implies --for-portal;\n"
    "                        default: the profile of the package's dcat.lg_code, else\n"
    "                        schemas/portal/portal.json)\n"
    "      --report FILE     also write the findings as an HTML report for people\n"
    "                        (as kplan-validate --format html), whether or not the\n"
    "                        export is written\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "\n"
    "Files: OUT/<resource>.csv, OUT/<resource>.csv-metadata.json (csv); OUT/<resource>.json\n"
    "(json); OUT/<package>.rdf (rdf); all adds OUT/datapackage.json.\n"
    "\n"
    "exit status: 0 written, 1 invalid data (nothing written), 2 usage or schema error,\n"
    "3 I/O error (nothing written)\n");

enum {
	OPT_BOM = 256,
	OPT_NO_BOM,
	OPT_EOL,
	OPT_HEADER,
	OPT_DATE,
	OPT_SHEET,
	OPT_REPORT,
	OPT_FOR_PORTAL,
	OPT_PORTAL_RULES
};

static const struct {
	const char *name;
	unsigned bits;
} format_names[] = {
    {"csv", KP_EXPORT_CSV},
    {"json", KP_EXPORT_JSON},
    {"rdf", KP_EXPORT_RDF},
    {"all", KP_EXPORT_ALL},
};

static int parse_formats(const char *arg, unsigned *bits)
{
	*bits = 0;
	const char *p = arg;
	while (*p) {
		size_t n = strcspn(p, ",");
		size_t i;
		for (i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
			if (strlen(format_names[i].name) == n &&
			    strncmp(format_names[i].name, p, n) == 0)
				break;
		if (i == sizeof format_names / sizeof format_names[0])
			return -1;
		*bits |= format_names[i].bits;
		p += n + (p[n] == ',');
	}
	return *bits ? 0 : -1;
}

static int valid_date(const char *s)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' ||
	    s[7] != '-')
		return 0;
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return 0;
	return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* --report FILE: the findings as kplan-validate --format html shows them */
struct html {
	kp_report *report; /* owned, NULL without --report */
	kp_score score;    /* the table being checked */
	const char *package;
	size_t tables;
	long counted; /* findings in the tables reported so far */
};

/* One finding per line, the way kplan-validate's text report writes it (house format,
 * then the field and the cell), so an export that stops on invalid data reads the same. */
static int print_diag(void *ctx, const kp_diag *d)
{
	struct html *h = ctx;
	kp_cli_print_diag(tool, d);
	if (h->report) {
		kp_score_add(&h->score, d);
		kp_report_finding(h->report, d);
	}
	return 0;
}

/* --report: each table's findings and facts, then the page at the end */
static void table_done(void *ctx, const kp_resource *res, const char *file,
	const kp_validate_stats *st)
{
	struct html *h = ctx;
	(void)res;
	kp_report_table_info ti = {file, file, st->sheet[0] ? st->sheet : NULL,
				   res && res->schema_path ? res->schema_path : h->package, st,
				   &h->score, st->errors == 0};
	kp_report_table(h->report, &ti);
	h->tables++;
	h->counted = kp_report_count(h->report);
	kp_score_init(&h->score);
}

/* Writes the page whole to path, or nothing.  Returns status, or KP_EXIT_IO. */
static int write_report(struct html *h, const char *path, int status)
{
	if (!h->tables || kp_report_count(h->report) > h->counted) {
		/* findings about the package itself (before or after its tables) */
		kp_validate_stats st;
		memset(&st, 0, sizeof st);
		kp_report_table_info ti = {h->package, NULL, NULL, h->package, &st, &h->score,
					   status == KP_EXIT_OK};
		kp_report_table(h->report, &ti);
	}
	kp_atomic out;
	kp_diag err;
	if (kp_files_atomic_open(&out, path, &err) != 0) {
		kp_cli_print_diag(tool, &err);
		return KP_EXIT_IO;
	}
	kp_report_html_opts ho = {tool, KPLAN_VERSION, status == KP_EXIT_OK, status == KP_EXIT_IO};
	kp_report_write_html(h->report, out.fp, &ho);
	if (kp_files_atomic_commit(&out, &err) != 0) {
		kp_cli_print_diag(tool, &err);
		return KP_EXIT_IO;
	}
	return status;
}

int main(int argc, char **argv)
{
	kp_cli_init();
	kp_i18n_localize(1);
	static const struct option opts[] = {
	    {"package", required_argument, NULL, 'p'},
	    {"data", required_argument, NULL, 'd'},
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"bom", no_argument, NULL, OPT_BOM},
	    {"no-bom", no_argument, NULL, OPT_NO_BOM},
	    {"eol", required_argument, NULL, OPT_EOL},
	    {"header", required_argument, NULL, OPT_HEADER},
	    {"date", required_argument, NULL, OPT_DATE},
	    {"encoding", required_argument, NULL, 'e'},
	    {"sheet", required_argument, NULL, OPT_SHEET},
	    {"report", required_argument, NULL, OPT_REPORT},
	    {"for-portal", no_argument, NULL, OPT_FOR_PORTAL},
	    {"portal-rules", required_argument, NULL, OPT_PORTAL_RULES},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	kp_export_opts o;
	kp_export_opts_init(&o);
	const char *report_path = NULL, *portal_rules = NULL;
	int for_portal = 0;
	static char epoch_date[16];
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:d:f:o:e:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.package = optarg;
			break;
		case 'd':
			o.data_dir = optarg;
			break;
		case 'f':
			if (parse_formats(optarg, &o.formats) != 0)
				return kp_cli_usage_error(
				    tool, "unknown format '%s' (expected csv, json, rdf or all)",
				    optarg);
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'e':
			if (!*optarg)
				return kp_cli_usage_error(
				    tool, "--encoding needs an encoding name, e.g. cp932 or utf-8");
			o.encoding = optarg;
			break;
		case OPT_BOM:
			o.bom = 1;
			break;
		case OPT_NO_BOM:
			o.bom = 0;
			break;
		case OPT_EOL:
			if (strcmp(optarg, "crlf") == 0)
				o.eol = "\r\n";
			else if (strcmp(optarg, "lf") == 0)
				o.eol = "\n";
			else
				return kp_cli_usage_error(
				    tool, "unknown line ending '%s' (expected crlf or lf)", optarg);
			break;
		case OPT_HEADER:
			if (strcmp(optarg, "titles") == 0)
				o.header_titles = 1;
			else if (strcmp(optarg, "names") == 0)
				o.header_titles = 0;
			else
				return kp_cli_usage_error(
				    tool, "unknown header '%s' (expected titles or names)", optarg);
			break;
		case OPT_SHEET:
			if (!*optarg)
				return kp_cli_usage_error(tool, "--sheet needs a sheet's name or number");
			o.sheet = optarg;
			break;
		case OPT_FOR_PORTAL:
			for_portal = 1;
			break;
		case OPT_PORTAL_RULES:
			portal_rules = optarg;
			for_portal = 1;
			break;
		case OPT_REPORT:
			if (!*optarg)
				return kp_cli_usage_error(tool, "--report needs a file name");
			report_path = optarg;
			break;
		case OPT_DATE:
			if (!valid_date(optarg))
				return kp_cli_usage_error(
				    tool, "date '%s' is not a YYYY-MM-DD date", optarg);
			o.date = optarg;
			break;
		default: {
			int st = kp_cli_common_option(tool, c, usage, argv);
			if (st >= 0)
				return st;
			break;
		}
		}
	}
	if (optind < argc)
		return kp_cli_usage_error(tool, "unexpected argument '%s'", argv[optind]);
	if (!o.package)
		return kp_cli_usage_error(tool, "no package given (--package PKG)");
	if (!o.date) {
		int e = kp_cli_epoch_date(epoch_date);
		if (e < 0)
			return kp_cli_usage_error(
			    tool,
			    "SOURCE_DATE_EPOCH '%s' is not a number of seconds up to 253402300799 "
			    "(9999-12-31)",
			    getenv("SOURCE_DATE_EPOCH"));
		if (e > 0)
			o.date = epoch_date;
	}
	struct html h = {.package = o.package};
	kp_score_init(&h.score);
	if (report_path) {
		if (!(h.report = kp_report_new()))
			return kp_cli_finish(tool, KP_EXIT_IO);
		o.table_done = table_done;
		o.table_ctx = &h;
	}
	o.sink = (kp_diag_sink){print_diag, &h};
	/* A signal stops the run; the library removes what it wrote, then the signal ends
	 * the process. */
	static volatile sig_atomic_t interrupted;
	kp_cli_catch_signals(&interrupted);
	o.interrupted = &interrupted;
	/* 総務省's codes, checked wherever a 全国地方公共団体コード is */
	if (kp_cli_lg_codes(tool, &o.lg_codes) != 0) {
		kp_report_free(h.report);
		return kp_cli_finish(tool, KP_EXIT_IO);
	}
	/* the portal's metadata, checked before anything is written, as kplan-upload will
	 * check the output: warnings, or (--for-portal) a reason to write nothing */
	int status = KP_EXIT_OK;
	json_t *desc = kp_cli_package_json(o.package);
	if (desc) {
		json_t *exported = kp_cli_as_exported(desc);
		long bad = exported ? kp_cli_portal_check(exported, o.package, portal_rules, for_portal,
							  &o.sink)
				    : -1;
		json_decref(exported);
		json_decref(desc);
		if (bad < 0)
			status = KP_EXIT_USAGE;
		else if (bad > 0)
			status = KP_EXIT_INVALID;
	}
	if (status == KP_EXIT_OK)
		status = kp_export_run(&o);
	if (h.report) {
		status = write_report(&h, report_path, status);
		kp_report_free(h.report);
	}
	if (status == KP_EXIT_INVALID)
		fprintf(stderr, _("%s: invalid: nothing written to %s\n"), tool, o.out_dir);
	else if (interrupted && status != KP_EXIT_OK)
		fprintf(stderr, _("%s: nothing written to %s\n"), tool, o.out_dir);
	status = kp_cli_finish(tool, status);
	kp_cli_reraise(&interrupted);
	return status;
}
