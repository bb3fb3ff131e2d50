/* kplan-validate — check tables against a Table Schema or a Data Package. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/schema.h"
#include "../src/infer.h"
#include "../src/validate.h"
#include "cli.h"

static const char tool[] = "kplan-validate";

static const char usage[] =
	"usage: kplan-validate [options] TABLE.csv...\n"
	"       kplan-validate --package DIR|datapackage.json [--data DIR] [options]\n"
	"Check CSV tables against a Table Schema or every resource of a Data Package\n"
	"(Frictionless checks, csvlint's dialect checks and Japan's machine-readability\n"
	"rules).  With neither, each table is checked against a schema inferred from\n"
	"itself (kplan-describe writes it down).  TABLE may be '-' for standard input\n"
	"(with --schema).\n"
	"\n"
	"  -s, --schema FILE     Table Schema for the table(s)\n"
	"  -p, --package PATH    Data Package (datapackage.json or its folder)\n"
	"  -d, --data DIR        folder holding the package's resource files\n"
	"                        (default: the descriptor's folder)\n"
	"  -f, --format FMT      report format: text (default) or json\n"
	"  -m, --max-errors N    stop a table after N errors (default 1000, 0 = no limit)\n"
	"  -e, --encoding ENC    the tables' encoding, e.g. cp932 (converted with iconv;\n"
	"                        default: the resource's \"encoding\", else what the\n"
	"                        file's bytes show: UTF-8, UTF-16, CP932 or EUC-JP)\n"
	"      --strict          warnings count as failure too\n"
	"  -h, --help            show this help and exit\n"
	"  -V, --version         show the version and exit\n"
	"\n"
	"exit status: 0 valid, 1 invalid, 2 usage error or bad schema, 3 I/O error\n";

enum { OPT_STRICT = 256 };

/* Collects one table's findings for the JSON report; text mode prints them at once. */
typedef struct report {
	int json;
	long max_keep;   /* findings kept per list in JSON (bounded memory) */
	json_t *tables;  /* owned array */
	json_t *errors, *warnings, *infos; /* current table's lists (owned until attached) */
	long omitted;
} report;


static int on_finding(void *ctx, const kp_diag *d)
{
	report *r = ctx;
	if (!r->json) {
		kp_diag_write_text(stdout, tool, d);
		return 0;
	}
	json_t *list = d->severity == KP_SEV_ERROR ? r->errors
		       : d->severity == KP_SEV_WARNING ? r->warnings
						       : r->infos;
	if (r->max_keep > 0 && (long)json_array_size(list) >= r->max_keep &&
		strcmp(d->code, "stopped-early") != 0) {
		r->omitted++;
		return 0;
	}
	json_t *o = kp_diag_to_json(d);
	if (!o || json_array_append_new(list, o) != 0)
		r->omitted++;
	return 0;
}

static void begin_table(report *r)
{
	if (!r->json)
		return;
	r->errors = json_array();
	r->warnings = json_array();
	r->infos = json_array();
	r->omitted = 0;
}

/* schema: the schema file the table was checked against, or "inferred". */
static void end_table(report *r, const char *file, const kp_validate_stats *st, int strict,
	const char *schema)
{
	if (!r->json) {
		int ok = st->errors == 0 && !(strict && st->warnings);
		printf("%s: %s: %s: %ld rows, %ld fields, %lld bytes, %ld errors, %ld warnings%s%s\n",
			tool, file, st->unreadable ? "unreadable" : ok ? "valid" : "invalid", st->rows, st->fields, st->bytes,
			st->errors, st->warnings, st->stopped ? " (stopped early)" : "",
			schema && strcmp(schema, "inferred") == 0 ? " (no schema given: checked against "
								    "one inferred from the table)"
								  : "");
		return;
	}
	json_t *stats = json_pack("{s:I, s:I, s:I, s:s, s:I, s:I, s:I}", "rows", (json_int_t)st->rows,
		"fields", (json_int_t)st->fields, "bytes", (json_int_t)st->bytes, "sha256", st->sha256,
		"errors", (json_int_t)st->errors, "warnings", (json_int_t)st->warnings, "infos",
		(json_int_t)st->infos);
	json_t *t = json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:b}", "file", file, "valid",
		st->errors == 0 && !(strict && st->warnings), "stats", stats, "errors", r->errors,
		"warnings", r->warnings, "infos", r->infos, "stopped", st->stopped);
	if (t && r->omitted)
		json_object_set_new(t, "omitted", json_integer(r->omitted));
	if (t)
		json_object_set_new(t, "encoding", st->encoding ? json_string(st->encoding) : json_null());
	if (t)
		json_object_set_new(t, "schema", schema ? json_string(schema) : json_null());
	if (t)
		json_array_append_new(r->tables, t);
	r->errors = r->warnings = r->infos = NULL;
}

typedef struct pkg_ctx {
	report *r;
	int strict;
	long warnings;
	const char *package_path; /* the descriptor: where inline schemas live */
} pkg_ctx;

static void pkg_table_done(void *ctx, const kp_resource *res, const char *file,
	const kp_validate_stats *st)
{
	pkg_ctx *p = ctx;
	end_table(p->r, file, st, p->strict,
		  res && res->schema_path ? res->schema_path : p->package_path);
	p->warnings += st->warnings;
	begin_table(p->r);
}

static int print_schema_diag(void *ctx, const kp_diag *d)
{
	(void)ctx;
	kp_cli_print_diag(tool, d);
	return 0;
}

/* A count from 0 to max: no sign, no overflow (strtol's LONG_MAX on overflow is not a
 * number anyone gave). */
static int parse_count(const char *s, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > max || errno == ERANGE || *s == '+' || *s == ' ')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"schema", required_argument, NULL, 's'},
		{"package", required_argument, NULL, 'p'},
		{"data", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"max-errors", required_argument, NULL, 'm'},
		{"encoding", required_argument, NULL, 'e'},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *schema_path = NULL, *package_path = NULL, *data_dir = NULL;
	const char *format = "text";
	long max_errors = 1000;
	int strict = 0;
	kp_validate_opts vo;
	memset(&vo, 0, sizeof vo);
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:p:d:f:m:e:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			schema_path = optarg;
			break;
		case 'p':
			package_path = optarg;
			break;
		case 'd':
			data_dir = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'm':
			if (parse_count(optarg, 1000000000L, &max_errors) != 0)
				return kp_cli_usage_error(tool,
					"--max-errors needs a number from 0 to 1000000000, not '%s'",
					optarg);
			break;
		case 'e':
			if (!*optarg)
				return kp_cli_usage_error(tool,
					"--encoding needs an encoding name, e.g. cp932 or utf-8");
			vo.encoding = optarg;
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		default: {
			int st = kp_cli_common_option(tool, c, usage, argv);
			if (st >= 0)
				return st;
			break;
		}
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return kp_cli_usage_error(tool, "unknown format '%s': use text or json", format);
	if (schema_path && package_path)
		return kp_cli_usage_error(tool, "give either --schema or --package, not both");
	if (package_path && optind < argc)
		return kp_cli_usage_error(tool, "--package validates the package's own resources: "
						"drop the table arguments");
	if (!package_path && optind >= argc)
		return kp_cli_usage_error(tool, "no table given");
	if (data_dir && !package_path)
		return kp_cli_usage_error(tool, "--data goes with --package");
	vo.max_errors = max_errors;

	report rep;
	memset(&rep, 0, sizeof rep);
	rep.json = strcmp(format, "json") == 0;
	rep.max_keep = max_errors > 0 ? max_errors : 0;
	rep.tables = json_array();
	kp_diag_sink sink = {on_finding, &rep};
	kp_diag_sink schema_sink = {print_schema_diag, NULL};
	int status = KP_EXIT_OK;
	long warnings = 0;

	if (package_path) {
		kp_package *pkg = NULL;
		int lrc = kp_schema_package_load(package_path, &pkg, &schema_sink);
		if (lrc != 0) {
			kp_schema_package_free(pkg);
			json_decref(rep.tables);
			kp_cli_error(tool, "cannot use the package '%s': %s", package_path,
				lrc == -2 ? "out of memory" : "fix the problems above");
			return kp_cli_finish(tool, lrc == -2 ? KP_EXIT_IO : KP_EXIT_USAGE);
		}
		pkg_ctx pc = {&rep, strict, 0, pkg->path};
		begin_table(&rep);
		status = kp_validate_package(pkg, data_dir, &vo, &sink, pkg_table_done, &pc);
		json_decref(rep.errors);
		json_decref(rep.warnings);
		json_decref(rep.infos);
		warnings = pc.warnings;
		kp_schema_package_free(pkg);
	} else if (!schema_path) {
		/* No schema: each table is checked against one inferred from itself, so every
		 * check that needs no schema still runs (encoding, structure, labels, Japan's
		 * character rules, numbers with units, codes). */
		for (int i = optind; i < argc; i++) {
			kp_validate_stats st;
			memset(&st, 0, sizeof st);
			begin_table(&rep);
			kp_infer_opts io = {.encoding = vo.encoding};
			kp_infer_result ir;
			kp_diag err;
			kp_diag_clear(&err);
			kp_schema *schema = NULL;
			int rc;
			if (kp_infer_table(argv[i], &io, &ir, &err) != 0) {
				if (strcmp(err.code, "usage") == 0) {
					json_decref(rep.tables);
					return kp_cli_usage_error(tool, "%s", err.message);
				}
				on_finding(&rep, &err);
				st.unreadable = ir.unreadable;
				st.errors = 1;
				rc = ir.unreadable ? KP_EXIT_IO : KP_EXIT_INVALID;
			} else if (kp_schema_load_json(ir.schema, argv[i], NULL, &schema, &schema_sink) != 0) {
				kp_diag_set(&err, KP_SEV_ERROR, "source-error",
					"no schema could be inferred from the table's header");
				kp_diag_at(&err, argv[i], 1, 0, -1);
				on_finding(&rep, &err);
				st.errors = 1;
				rc = KP_EXIT_INVALID;
			} else {
				rc = kp_validate_table(argv[i], NULL, schema, &vo, &sink, &st);
			}
			if (ir.schema)
				kp_infer_release(&ir);
			kp_schema_free(schema);
			end_table(&rep, argv[i], &st, strict, "inferred");
			warnings += st.warnings;
			if (rc == KP_EXIT_IO)
				status = KP_EXIT_IO;
			else if (rc && status == KP_EXIT_OK)
				status = KP_EXIT_INVALID;
		}
	} else {
		kp_schema *schema = NULL;
		int lrc = kp_schema_load_file(schema_path, &schema, &schema_sink);
		if (lrc != 0) {
			kp_schema_free(schema);
			json_decref(rep.tables);
			kp_cli_error(tool, "cannot use the schema '%s': %s", schema_path,
				lrc == -2 ? "out of memory" : "fix the problems above");
			return kp_cli_finish(tool, lrc == -2 ? KP_EXIT_IO : KP_EXIT_USAGE);
		}
		for (int i = optind; i < argc; i++) {
			kp_validate_stats st;
			begin_table(&rep);
			int rc = kp_validate_table(argv[i], NULL, schema, &vo, &sink, &st);
			end_table(&rep, argv[i], &st, strict, schema_path);
			warnings += st.warnings;
			if (rc == KP_EXIT_IO)
				status = KP_EXIT_IO;
			else if (rc && status == KP_EXIT_OK)
				status = KP_EXIT_INVALID;
		}
		kp_schema_free(schema);
	}
	if (status == KP_EXIT_OK && strict && warnings)
		status = KP_EXIT_INVALID;
	if (rep.json) {
		json_t *doc = json_pack("{s:b, s:b, s:o}", "valid", status == KP_EXIT_OK, "strict",
			strict, "tables", rep.tables);
		if (doc) {
			json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
			json_decref(doc);
		}
	} else {
		json_decref(rep.tables);
		printf("%s: %s\n", tool, status == KP_EXIT_OK ? "valid" : status == KP_EXIT_IO ? "not all tables could be read" : "invalid");
	}
	return kp_cli_finish(tool, status);
}
