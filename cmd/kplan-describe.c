/* kplan-describe — a table → a draft Table Schema (or, for several tables, a Data
 * Package) to edit, inferred from every row. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/csvout.h"
#include "../src/files.h"
#include "../src/infer.h"
#include "../src/standard.h"
#include "../src/stage.h"
#include "cli.h"

static const char tool[] = "kplan-describe";

static const char usage[] =
    N_("usage: kplan-describe FILE... [-o OUT] [--package] [options]\n"
    "Infer a draft Table Schema from a CSV table (every row is read), or a Data Package\n"
    "for several tables, to edit and then validate with.\n"
    "\n"
    "  -o, --output OUT      write the draft to OUT (default: standard output)\n"
    "      --package         a Data Package even for one table\n"
    "      --lg-code CODE    the package's 全国地方公共団体コード (six digits), for a table\n"
    "                        that does not say it: fills in its name, publisher, area\n"
    "      --standard ID     write an empty table of a standard dataset instead (its\n"
    "                        header, UTF-8 with BOM, CRLF) to fill in: ID is its\n"
    "                        number (08: the new layout), key (08-aed-old) or name\n"
    "  -e, --encoding ENC    the tables' encoding (default: what the bytes show)\n"
    "      --sheet SHEET     a workbook's sheet, by name or number from 1 (default: the\n"
    "                        first visible worksheet)\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "\n"
    "The draft keeps each column's label as its name; types come from every filled cell\n"
    "(codes with leading zeros stay text); a column with no blank cell is required; a\n"
    "small vocabulary becomes an enum; a column of 全国地方公共団体コード is marked lgCode.\n"
    "Check it before use: it describes the table as it is, mistakes included.  A table\n"
    "whose header is a standard dataset's (kplan-validate --list-standards) gets that\n"
    "standard's schema instead.\n"
    "\n"
    "exit status: 0 written, 2 usage error, 3 a table could not be read or OUT written\n");

/* A resource name from a file name: its base without the extension, if that is a safe
 * file name, else "table-N". */
static int portal_name(const char *n)
{
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= '0' && *n <= '9') || *n == '-' || *n == '_' ||
		      *n == '.'))
			return 0;
	return 1;
}

/* The resource's name: the file's, else (a name a portal cannot take, such as
 * 公衆トイレ一覧) the standard dataset's own key without its number and layout
 * ("13-public_toilet-new" → "public_toilet"), else "table-N". */
static char *resource_name(const char *path, size_t i, const kp_standard *sd)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *n = strdup(base);
	if (!n)
		return NULL;
	char *dot = strrchr(n, '.');
	if (dot && dot != n)
		*dot = '\0';
	if (sd && !portal_name(n)) {
		const char *k = sd->key, *dash = strchr(k, '-');
		const char *last = strrchr(k, '-');
		if (dash && last > dash + 1) {
			free(n);
			n = strndup(dash + 1, (size_t)(last - dash - 1));
			if (!n)
				return NULL;
		}
	}
	if (!kp_stage_safe_name(n, NULL)) {
		free(n);
		n = malloc(32);
		if (n)
			snprintf(n, 32, "table-%zu", i + 1);
	}
	return n;
}

/* A table whose header is a standard dataset's gets the standard's schema, as shipped,
 * saying so in its description. */
/* The table's path as the package must name it: relative to the folder the descriptor
 * is written to (OUT's folder, or the current one for standard output), when the table
 * lies inside it; otherwise as given (validate then says why it cannot be used). */
static char *package_path(const char *table, const char *out)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = out && strcmp(out, "-") ? strrchr(out, '/') : NULL;
	int n = slash ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - out + 1), out)
		      : snprintf(dir, sizeof dir, ".");
	char *rdir = n > 0 && (size_t)n < sizeof dir ? realpath(dir, NULL) : NULL;
	const char *rel = table;
	size_t dl = rdir ? strlen(rdir) : 0;
	if (rdir && realpath(table, real) && !strncmp(real, rdir, dl) &&
	    (real[dl] == '/' || (dl == 1 && rdir[0] == '/')))
		rel = real + dl + (real[dl] == '/');
	char *r = strdup(rel);
	free(rdir);
	return r;
}

static const kp_standard *adopt_standard(const kp_standards *s, kp_infer_result *ir,
	const char *path)
{
	kp_standard_match m;
	kp_standard_recognise(s, (const char *const *)ir->labels, ir->nlabels, &m);
	if (m.index < 0)
		return NULL;
	const kp_standard *sd = &s->items[m.index];
	json_t *sch = json_deep_copy(sd->schema->json); /* as loaded: no second read */
	if (!sch)
		return NULL;
	char desc[1200];
	const char *was = json_string_value(json_object_get(sch, "description"));
	snprintf(desc, sizeof desc,
		 "The standard dataset %s %s（%s）: %zu of its %zu columns are in the header of "
		 "%s, so this is the standard's schema, unchanged (kplan-validate recognises the "
		 "table too). %s",
		 sd->id, sd->name, kp_standard_generation_name(sd), m.matched, m.columns, path,
		 was ? was : "");
	json_object_set_new(sch, "description", json_string(desc));
	json_object_del(sch, "$comment");
	json_decref(ir->schema);
	ir->schema = sch;
	return sd;
}

/* An empty table of a standard dataset: its header, UTF-8 with a BOM and CRLF (what
 * Excel opens right), to fill in. */
static int write_template(const kp_standards *s, const char *word, const char *out)
{
	size_t idx[64], n = s->n <= 64 ? kp_standard_find(s, word, idx) : 0;
	if (!n)
		return kp_cli_usage_error(tool, "no standard dataset '%s': see kplan-validate "
						"--list-standards",
					  word);
	const kp_standard *sd = &s->items[idx[0]];
	for (size_t k = 0; k < n; k++) /* a number names both layouts: the new one */
		if (strcmp(s->items[idx[k]].generation, "new") == 0)
			sd = &s->items[idx[k]];
	kp_atomic a;
	kp_diag err;
	FILE *fp = stdout;
	if (out) {
		if (kp_files_atomic_open(&a, out, &err) != 0) {
			kp_cli_print_diag(tool, &err);
			return kp_cli_finish(tool, KP_EXIT_IO);
		}
		fp = a.fp;
	}
	fputs("\xEF\xBB\xBF", fp);
	kp_csvout w;
	kp_csvout_init(&w, fp, "\r\n");
	for (size_t i = 0; i < sd->schema->nfields; i++) {
		const kp_field *f = &sd->schema->fields[i];
		kp_csvout_str(&w, f->title ? f->title : f->name);
	}
	kp_csvout_end_row(&w);
	if (out && kp_files_atomic_commit(&a, &err) != 0) {
		kp_cli_print_diag(tool, &err);
		return kp_cli_finish(tool, KP_EXIT_IO);
	}
	return kp_cli_finish(tool, KP_EXIT_OK);
}

int main(int argc, char **argv)
{
	kp_cli_init();
	kp_i18n_localize(1);
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"package", no_argument, NULL, 'P'},
	    {"encoding", required_argument, NULL, 'e'},
	    {"sheet", required_argument, NULL, 'W'},
	    {"standard", required_argument, NULL, 'S'},
	    {"lg-code", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	int package = 0;
	const char *template_of = NULL, *lg_code = NULL;
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
		case 'S':
			template_of = optarg;
			break;
		case 'L':
			lg_code = optarg;
			break;
		case 'e':
			if (!*optarg)
				return kp_cli_usage_error(tool, "--encoding needs an encoding name, e.g. cp932");
			io.encoding = optarg;
			break;
		case 'W':
			if (!*optarg)
				return kp_cli_usage_error(tool, "--sheet needs a sheet's name or number");
			io.sheet = optarg;
			break;
		default: {
			int st = kp_cli_common_option(tool, c, usage, argv);
			if (st >= 0)
				return st;
			break;
		}
		}
	}
	if (template_of && optind < argc)
		return kp_cli_usage_error(tool, "--standard writes an empty table: drop the table "
						"arguments");
	kp_standards stds;
	if (kp_cli_standards(tool, &stds, template_of != NULL) != 0)
		return kp_cli_finish(tool, KP_EXIT_IO);
	if (template_of) {
		int st = write_template(&stds, template_of, out);
		kp_standards_free(&stds);
		return st;
	}
	if (optind >= argc) {
		kp_standards_free(&stds);
		return kp_cli_usage_error(tool, "no table given");
	}
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
		const kp_standard *sd = adopt_standard(&stds, ir, argv[i]);
		if (!package) {
			doc = json_incref(ir->schema);
		} else {
			char *name = resource_name(argv[i], (size_t)(i - optind), sd);
			char *rel = package_path(argv[i], out);
			json_t *r = name && rel ? kp_infer_resource(ir, name, rel) : NULL;
			free(rel);
			if (r && sd) /* the standard's name is the table's title to start from */
				json_object_set_new(r, "title", json_string(sd->name));
			if (!r || json_array_append_new(resources, r) != 0)
				status = KP_EXIT_IO;
			free(name);
		}
	}
	const kp_lgcode_list *codes = NULL;
	if (status == KP_EXIT_OK && package && kp_cli_lg_codes(tool, &codes) != 0)
		status = KP_EXIT_IO;
	if (status == KP_EXIT_OK && package && lg_code &&
	    (!codes || !kp_lgcode_list_find(codes, lg_code))) {
		kp_cli_usage_error(tool,
				   "--lg-code %s is not in 総務省's list of 全国地方公共団体コード: give the "
				   "six digits with the check digit, e.g. 010006 for 北海道",
				   lg_code);
		status = KP_EXIT_USAGE;
	}
	if (status == KP_EXIT_OK && package)
		doc = kp_infer_package(views, done, json_incref(resources), codes, lg_code);
	for (size_t k = 0; k < done; k++)
		kp_infer_release(&irs[k]);
	free(irs);
	free(views);
	json_decref(resources);
	kp_standards_free(&stds);
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
