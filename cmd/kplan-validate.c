/* kplan-validate — check tables against a Table Schema or a Data Package. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/schema.h"
#include "../src/infer.h"
#include "../src/standard.h"
#include "../src/validate.h"
#include "cli.h"
#include "../src/files.h"
#include "../src/score.h"
#include "../src/report.h"
#include "../src/rules.h"

static const char tool[] = "kplan-validate";

static const char usage[] =
    N_("usage: kplan-validate [options] TABLE.csv...\n"
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
	"  -f, --format FMT      report format: text (default), json, github (workflow\n"
	"                        commands: an annotation per finding), gitlab (a Code\n"
	"                        Quality report) or html (a report for people: one file)\n"
	"  -o, --output FILE     write the html or json report to FILE (whole, or not at all)\n"
	"  -m, --max-errors N    stop a table after N errors (default 1000, 0 = no limit)\n"
	"      --standard ID     check against a standard dataset's schema: its number\n"
	"                        (08), key (08-aed-new) or name (AED設置箇所一覧); without\n"
	"                        a schema the header picks the standard, if it is one\n"
	"      --list-standards  list the standard datasets kplan knows and exit\n"
	"  -e, --encoding ENC    the tables' encoding, e.g. cp932 (converted with iconv;\n"
	"                        default: the resource's \"encoding\", else what the\n"
	"                        file's bytes show: UTF-8, UTF-16, CP932 or EUC-JP)\n"
	"      --sheet SHEET     a workbook's sheet, by name or number from 1 (default: every\n"
	"                        visible worksheet of a workbook; a package resource's \"sheet\",\n"
	"                        else its first visible one)\n"
	"      --strict          warnings count as failure too\n"
	"      --for-portal      the package is to be published on a CKAN portal: the portal's\n"
	"                        metadata rules are errors, as kplan-upload has them (without\n"
	"                        it they are warnings)\n"
	"      --portal-rules FILE  those rules from FILE (implies --for-portal; default: the\n"
	"                        profile of the package's dcat.lg_code, else\n"
	"                        schemas/portal/portal.json)\n"
	"  -q, --quiet           no progress line (shown on a terminal for long tables)\n"
	"      --summary         text: no finding lines, only the tables' summaries and one\n"
	"                        line per problem (a report of over 20 findings ends with\n"
	"                        those lines anyway)\n"
	"  -h, --help            show this help and exit\n"
	"  -V, --version         show the version and exit\n"
	"\n"
	"exit status: 0 valid, 1 invalid, 2 usage error or bad schema, 3 I/O error\n");

enum {
	OPT_STRICT = 256,
	OPT_STANDARD,
	OPT_LIST_STANDARDS,
	OPT_SHEET,
	OPT_SUMMARY,
	OPT_FOR_PORTAL,
	OPT_PORTAL_RULES
};

/* Collects one table's findings for the JSON report; text mode prints them at once. */
typedef struct report {
	int json;
	int ci;            /* 1 github annotations, 2 a GitLab Code Quality report (json = 0) */
	json_t *quality;   /* owned: the Code Quality issues (ci == 2) */
	long max_keep;   /* findings kept per list in JSON (bounded memory) */
	json_t *tables;  /* owned array */
	json_t *errors, *warnings, *infos; /* current table's lists (owned until attached) */
	long omitted;
	const char *sheet; /* the workbook's sheet of the current table, or NULL */
	kp_score score;    /* the current table's machine-readability score */
	int summary_only;  /* --summary: no finding lines in text, only the summaries */
	kp_report *html;   /* owned: --format html collects here, written at the end */
	struct problem {   /* findings counted by code, rule and severity, for the summary */
		const char *code, *rule; /* static */
		kp_severity sev;
		long count;
		char *where;    /* owned: the first one's position */
	} *problems;       /* owned */
	size_t nproblems;
} report;

/* Counts d under its problem; the first of each keeps where it was. */
static void count_problem(report *r, const kp_diag *d)
{
	for (size_t i = 0; i < r->nproblems; i++) {
		struct problem *p = &r->problems[i];
		if (p->sev == d->severity && strcmp(p->code, d->code) == 0 &&
		    (p->rule == d->rule || (p->rule && d->rule && strcmp(p->rule, d->rule) == 0))) {
			p->count++;
			return;
		}
	}
	struct problem *m = realloc(r->problems, (r->nproblems + 1) * sizeof *m);
	if (!m)
		return;
	r->problems = m;
	char where[400];
	int n = snprintf(where, sizeof where, "%s", d->file ? d->file : "");
	if (d->row > 0 && n >= 0 && (size_t)n < sizeof where)
		n += snprintf(where + n, sizeof where - (size_t)n, ":%ld", d->row);
	if (d->column > 0 && n >= 0 && (size_t)n < sizeof where)
		n += snprintf(where + n, sizeof where - (size_t)n, ":%ld", d->column);
	char ref[160];
	if (d->sheet && n >= 0 && (size_t)n < sizeof where) {
		if (kp_diag_ref(d, ref, sizeof ref))
			snprintf(where + n, sizeof where - (size_t)n, " (%s)", ref);
		else
			snprintf(where + n, sizeof where - (size_t)n, " (sheet '%s')", d->sheet);
	}
	m[r->nproblems++] = (struct problem){d->code, d->rule, d->severity, 1, strdup(where)};
}

/* GitHub's workflow commands: '%', CR and LF escaped in the message, and ',' and ':'
 * too in a property. */
static void put_escaped(const char *t, int property)
{
	for (; *t; t++) {
		if (*t == '%')
			fputs("%25", stdout);
		else if (*t == '\r')
			fputs("%0D", stdout);
		else if (*t == '\n')
			fputs("%0A", stdout);
		else if (property && *t == ':')
			fputs("%3A", stdout);
		else if (property && *t == ',')
			fputs("%2C", stdout);
		else
			putchar(*t);
	}
}

/* "::error file=t.csv,line=5,col=3,title=type-error::message": an annotation on the
 * file and line of the pull request (a workbook's sheet and cell are in the message). */
static void annotate(const kp_diag *d)
{
	static const char *const level[] = {"error", "warning", "notice"};
	printf("::%s ", level[(unsigned)d->severity < 3 ? d->severity : 0]);
	if (d->file) {
		fputs("file=", stdout);
		put_escaped(d->file, 1);
		fputc(',', stdout);
	}
	if (d->row > 0 && !d->sheet)
		printf("line=%ld,", d->row);
	if (d->column > 0 && !d->sheet)
		printf("col=%ld,", d->column);
	fputs("title=", stdout);
	put_escaped(d->code, 1);
	if (d->rule) {
		fputc(' ', stdout);
		put_escaped(d->rule, 1);
	}
	fputs("::", stdout);
	if (d->sheet) {
		char ref[160];
		put_escaped(kp_diag_ref(d, ref, sizeof ref) ? ref : d->sheet, 0);
		fputs(": ", stdout);
	}
	put_escaped(d->message, 0);
	if (d->has_cell) {
		fputs(" (cell \"", stdout);
		put_escaped(d->cell, 0);
		fputs("\")", stdout);
	}
	fputc('\n', stdout);
}

/* One issue of GitLab's Code Quality report: description, check_name, fingerprint (the
 * SHA-256 of what makes the finding itself), severity, location. */
static void quality_issue(report *r, const kp_diag *d)
{
	static const char *const sev[] = {"major", "minor", "info"};
	char key[KP_DIAG_MESSAGE_MAX + 512];
	snprintf(key, sizeof key, "%s\x1f%s\x1f%ld\x1f%ld\x1f%s\x1f%s", d->file ? d->file : "",
		 d->sheet ? d->sheet : "", d->row, d->column, d->code, d->message);
	kp_sha256 h;
	char hex[KP_SHA256_HEX_LEN + 1] = "";
	if (kp_files_sha256_init(&h) == 0) {
		kp_files_sha256_update(&h, key, strlen(key));
		kp_files_sha256_final(&h, hex);
	}
	char desc[KP_DIAG_MESSAGE_MAX + 200], ref[160];
	if (d->sheet)
		snprintf(desc, sizeof desc, "%s: %s", kp_diag_ref(d, ref, sizeof ref) ? ref : d->sheet,
			 d->message);
	else
		snprintf(desc, sizeof desc, "%s", d->message);
	char check[64];
	snprintf(check, sizeof check, "%s%s%s", d->code, d->rule ? " " : "", d->rule ? d->rule : "");
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:I}}}", "description", desc,
			      "check_name", check, "fingerprint", hex, "severity",
			      sev[(unsigned)d->severity < 3 ? d->severity : 0], "location", "path",
			      d->file ? d->file : "", "lines", "begin",
			      (json_int_t)(d->row > 0 && !d->sheet ? d->row : 1));
	if (o)
		json_array_append_new(r->quality, o);
}

static int by_count(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;
	if (x->sev != y->sev)
		return x->sev < y->sev ? -1 : 1;
	return x->count > y->count ? -1 : x->count < y->count;
}

/* The last screen of a long report: one line per problem, the most frequent first. */
static void print_summary(report *r)
{
	qsort(r->problems, r->nproblems, sizeof *r->problems, by_count);
	printf(Q_("%s: summary by problem (%zu kind):\n", "%s: summary by problem (%zu kinds):\n",
		  r->nproblems),
	       tool, r->nproblems);
	for (size_t i = 0; i < r->nproblems; i++) {
		const struct problem *p = &r->problems[i];
		/* the problem by name, and the Digital Agency's own title of its rule */
		char what[600];
		const kp_rule_text *rt = kp_rules_find(p->rule);
		if (rt)
			/* TRANSLATORS: the problem's name, the rule id, the rule's title */
			snprintf(what, sizeof what, _("%s (%s: %s)"), kp_rules_code_name(p->code),
				 rt->id, kp_rules_title(rt));
		else
			snprintf(what, sizeof what, "%s", kp_rules_code_name(p->code));
		/* TRANSLATORS: count, severity, [code rule], where the first one is, what it is */
		printf(_("%s: %8ld %-7s [%s%s%s] first at %s: %s\n"), tool, p->count,
		       kp_severity_label(p->sev), p->code, p->rule ? " " : "", p->rule ? p->rule : "",
		       p->where ? p->where : "", what);
	}
}

static void report_release(report *r)
{
	for (size_t i = 0; i < r->nproblems; i++)
		free(r->problems[i].where);
	free(r->problems);
	r->problems = NULL;
	r->nproblems = 0;
}


static int on_finding(void *ctx, const kp_diag *d)
{
	report *r = ctx;
	kp_score_add(&r->score, d);
	if (r->html) {
		kp_report_finding(r->html, d);
		return 0;
	}
	if (r->ci == 1) {
		annotate(d);
		return 0;
	}
	if (r->ci == 2) {
		quality_issue(r, d);
		return 0;
	}
	if (!r->json) {
		count_problem(r, d);
		if (!r->summary_only)
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

/* "FILE" or "FILE (sheet 'NAME')" */
static void table_name(char *out, size_t size, const char *file, const char *sheet)
{
	if (sheet)
		snprintf(out, size, _("%s (sheet '%s')"), file, sheet);
	else
		snprintf(out, size, "%s", file);
}

/* "kplan-validate: FILE: machine-readability L1 80/100, L2 100/100, L3 100/100 (L1-04 MAJOR, …)" */
static void print_score(FILE *out, const char *file, const char *sheet, const kp_score *sc)
{
	char what[1024];
	table_name(what, sizeof what, file, sheet);
	fprintf(out, _("%s: %s: machine-readability score (the Digital Agency's rules, scored as "
		       "its checker does): L1 %d/100, L2 %d/100, L3 %d/100"),
	       tool, what, kp_score_level(sc, 1), kp_score_level(sc, 2), kp_score_level(sc, 3));
	kp_score_sev sev;
	const char *id;
	for (size_t i = 0; (id = kp_score_failed(sc, i, &sev)); i++)
		fprintf(out, "%s%s %s", i ? ", " : _(" (failed: "), id, kp_score_sev_name(sev));
	fprintf(out, "%s\n", kp_score_failed(sc, 0, NULL) ? ")" : "");
}

/* {"L1": 80, "L2": 100, "L3": 100, "failed": {"L1-04": "MAJOR"}} */
static json_t *score_json(const kp_score *sc)
{
	json_t *failed = json_object();
	kp_score_sev sev;
	const char *id;
	for (size_t i = 0; failed && (id = kp_score_failed(sc, i, &sev)); i++)
		json_object_set_new(failed, id, json_string(kp_score_sev_name(sev)));
	return json_pack("{s:i, s:i, s:i, s:o}", "L1", kp_score_level(sc, 1), "L2",
			 kp_score_level(sc, 2), "L3", kp_score_level(sc, 3), "failed",
			 failed ? failed : json_object());
}

static void begin_table(report *r)
{
	kp_score_init(&r->score);
	if (!r->json)
		return;
	r->errors = json_array();
	r->warnings = json_array();
	r->infos = json_array();
	r->omitted = 0;
}

/* schema: the schema file the table was checked against, "inferred", or
 * "standard:KEY"; note: what the text summary adds about it. */
static void end_table_note(report *r, const char *file, const kp_validate_stats *st, int strict,
	const char *schema, const char *note)
{
	if (r->html) {
		const char *sheet = st->sheet[0] ? st->sheet : r->sheet;
		char against[700];
		if (note && note[0] == ' ' && note[1] == '(') /* the text summary's " (…)" */
			snprintf(against, sizeof against, "%.*s", (int)strlen(note + 2) - 1, note + 2);
		else
			snprintf(against, sizeof against, "%s", schema ? schema : "");
		kp_report_table_info ti = {file, file, sheet, against, st, &r->score,
					   st->errors == 0 && !(strict && st->warnings)};
		kp_report_table(r->html, &ti);
		return;
	}
	if (!r->json) {
		int ok = st->errors == 0 && !(strict && st->warnings);
		const char *sheet = st->sheet[0] ? st->sheet : r->sheet;
		FILE *out = r->ci == 2 ? stderr : stdout; /* stdout holds the report alone */
		char what[1024];
		table_name(what, sizeof what, file, sheet);
		/* TRANSLATORS: table, valid/invalid/unreadable, counts, " (stopped early)", a note */
		fprintf(out, _("%s: %s: %s: %ld rows, %ld fields, %lld bytes, %ld errors, %ld warnings%s%s\n"),
			tool, what, st->unreadable ? _("unreadable") : ok ? _("valid") : _("invalid"),
			st->rows, st->fields, st->bytes, st->errors, st->warnings,
			st->stopped ? _(" (stopped early)") : "", note);
		print_score(out, file, sheet, &r->score);
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
	if (t && (r->sheet || st->sheet[0]))
		json_object_set_new(t, "sheet", json_string(st->sheet[0] ? st->sheet : r->sheet));
	if (t)
		json_object_set_new(t, "score", score_json(&r->score));
	if (t)
		json_object_set_new(t, "encoding", st->encoding ? json_string(st->encoding) : json_null());
	if (t)
		json_object_set_new(t, "schema", schema ? json_string(schema) : json_null());
	if (t)
		json_array_append_new(r->tables, t);
	r->errors = r->warnings = r->infos = NULL;
}

static void end_table(report *r, const char *file, const kp_validate_stats *st, int strict,
	const char *schema)
{
	end_table_note(r, file, st, strict, schema, "");
}

/* The JSON report's table says which standard it was checked as, and how well. */
static void attach_standard(report *r, const kp_standard *sd, const kp_standard_match *m)
{
	json_t *t = json_array_get(r->tables, json_array_size(r->tables) - 1);
	if (t)
		json_object_set_new(t, "standard",
				    json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "key", sd->key, "id",
					      sd->id, "name", sd->name, "generation", sd->generation,
					      "matched", (json_int_t)m->matched, "columns",
					      (json_int_t)m->columns));
}

/* The standard a table is checked against: one of those --standard names (the best
 * match of its header among them), or the one its header is (none: -1). */
static long pick_standard(const kp_standards *s, const size_t *forced, size_t nforced,
	const kp_infer_result *ir, kp_standard_match *m)
{
	if (!nforced) {
		kp_standard_recognise(s, (const char *const *)ir->labels, ir->nlabels, m);
		return m->index;
	}
	kp_standard_match best = {.index = -1};
	for (size_t k = 0; k < nforced; k++) {
		kp_standard_match x;
		kp_standard_score(s, forced[k], (const char *const *)ir->labels, ir->nlabels, &x);
		if (best.index < 0 || x.matched > best.matched)
			best = x;
	}
	*m = best;
	return m->index;
}

/* Progress on a terminal: rows, megabytes and MB/s of the table being read, on one
 * line of stderr redrawn twice a second and cleared at the table's end.  Off when stderr
 * is not a terminal, and with --quiet. */
typedef struct progress {
	const char *file;
	long rows;
	long long bytes;
	double start, last;
	double delay; /* seconds between redraws (KPLAN_PROGRESS_DELAY, default 0.5) */
	int shown;
} progress;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int progress_start(void *ctx, const kp_resource *res, const kp_schema *s, const char *file)
{
	(void)res, (void)s;
	progress *p = ctx;
	p->file = file;
	p->rows = 0;
	p->bytes = 0;
	p->start = p->last = now();
	p->shown = 0;
	return 0;
}

static int progress_row(void *ctx, const kp_validate_row *row)
{
	progress *p = ctx;
	p->rows++;
	if (row->rec->end > 0)
		p->bytes = row->rec->end;
	if (p->rows % 16384)
		return 0;
	double t = now();
	if (t - p->last < p->delay)
		return 0;
	p->last = t;
	p->shown = 1;
	double mb = (double)p->bytes / 1e6, secs = t - p->start;
	fprintf(stderr, "\r\033[K%s: %s: %ld rows", tool, p->file, p->rows);
	if (p->bytes > 0)
		fprintf(stderr, ", %.1f MB (%.1f MB/s)", mb, secs > 0 ? mb / secs : 0.0);
	else
		fprintf(stderr, " (%.0f rows/s)", secs > 0 ? (double)p->rows / secs : 0.0);
	fflush(stderr);
	return 0;
}

static int progress_end(void *ctx, const kp_resource *res, const kp_validate_stats *st)
{
	(void)res, (void)st;
	progress *p = ctx;
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
	return 0;
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
	kp_cli_init();
	static const struct option opts[] = {
		{"schema", required_argument, NULL, 's'},
		{"package", required_argument, NULL, 'p'},
		{"data", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"max-errors", required_argument, NULL, 'm'},
		{"encoding", required_argument, NULL, 'e'},
		{"sheet", required_argument, NULL, OPT_SHEET},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"summary", no_argument, NULL, OPT_SUMMARY},
		{"for-portal", no_argument, NULL, OPT_FOR_PORTAL},
		{"portal-rules", required_argument, NULL, OPT_PORTAL_RULES},
		{"quiet", no_argument, NULL, 'q'},
		{"standard", required_argument, NULL, OPT_STANDARD},
		{"list-standards", no_argument, NULL, OPT_LIST_STANDARDS},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *schema_path = NULL, *package_path = NULL, *data_dir = NULL;
	const char *format = "text", *output = NULL, *portal_rules = NULL;
	int for_portal = 0;
	long max_errors = 1000;
	int strict = 0, list_standards = 0, summary_only = 0, quiet = 0;
	const char *standard_word = NULL;
	kp_validate_opts vo;
	memset(&vo, 0, sizeof vo);
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:p:d:f:m:e:o:qhV", opts, NULL)) != -1) {
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
		case 'o':
			output = optarg;
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
		case 'q':
			quiet = 1;
			break;
		case OPT_FOR_PORTAL:
			for_portal = 1;
			break;
		case OPT_PORTAL_RULES:
			portal_rules = optarg;
			for_portal = 1;
			break;
		case OPT_SUMMARY:
			summary_only = 1;
			break;
		case OPT_SHEET:
			if (!*optarg)
				return kp_cli_usage_error(tool, "--sheet needs a sheet's name or number");
			vo.sheet = optarg;
			break;
		case OPT_STANDARD:
			standard_word = optarg;
			break;
		case OPT_LIST_STANDARDS:
			list_standards = 1;
			break;
		default: {
			int st = kp_cli_common_option(tool, c, usage, argv);
			if (st >= 0)
				return st;
			break;
		}
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 &&
	    strcmp(format, "github") != 0 && strcmp(format, "gitlab") != 0 &&
	    strcmp(format, "html") != 0)
		return kp_cli_usage_error(tool, "unknown format '%s': use text, json, github, gitlab "
						"or html",
					  format);
	if (output && strcmp(format, "html") != 0 && strcmp(format, "json") != 0)
		return kp_cli_usage_error(tool, "-o goes with --format html or json (a report that is "
						"one document)");
	if (schema_path && package_path)
		return kp_cli_usage_error(tool, "give either --schema or --package, not both");
	if (package_path && optind < argc)
		return kp_cli_usage_error(tool, "--package validates the package's own resources: "
						"drop the table arguments");
	if (!package_path && optind >= argc && !list_standards)
		return kp_cli_usage_error(tool, "no table given");
	if (for_portal && !package_path)
		return kp_cli_usage_error(tool, "--for-portal and --portal-rules check a package's "
						"metadata: give --package");
	if (data_dir && !package_path)
		return kp_cli_usage_error(tool, "--data goes with --package");
	vo.max_errors = max_errors;
	progress prog = {.delay = 0.5};
	/* the redraw interval can be set, so a test needs no slow table to see a redraw */
	const char *delay = getenv("KPLAN_PROGRESS_DELAY");
	if (delay && *delay)
		prog.delay = strtod(delay, NULL);
	kp_validate_hooks prog_hooks = {&prog, progress_start, progress_row, progress_end};
	if (!quiet && isatty(STDERR_FILENO))
		vo.hooks = &prog_hooks;
	kp_standards stds = {0};
	if ((list_standards || standard_word || (!schema_path && !package_path)) &&
	    kp_cli_standards(tool, &stds, list_standards || standard_word) != 0)
		return kp_cli_finish(tool, KP_EXIT_IO);
	int have_stds = stds.n > 0;
	if (list_standards) {
		for (size_t i = 0; i < stds.n; i++)
			printf("%-24s %s %s（%s）, %zu columns\n", stds.items[i].key, stds.items[i].id,
			       stds.items[i].name, kp_standard_generation_name(&stds.items[i]),
			       stds.items[i].schema->nfields);
		kp_standards_free(&stds);
		return kp_cli_finish(tool, KP_EXIT_OK);
	}
	/* 総務省's codes, checked wherever a 全国地方公共団体コード is */
	if (kp_cli_lg_codes(tool, &vo.lg_codes) != 0) {
		kp_standards_free(&stds);
		return kp_cli_finish(tool, KP_EXIT_IO);
	}
	size_t forced[64], nforced = 0;
	if (standard_word) {
		if (schema_path || package_path) {
			kp_standards_free(&stds);
			return kp_cli_usage_error(tool, "--standard is a schema: give it instead of "
							"--schema or --package");
		}
		nforced = stds.n <= 64 ? kp_standard_find(&stds, standard_word, forced) : 0;
		if (!nforced) {
			kp_standards_free(&stds);
			return kp_cli_usage_error(tool, "no standard dataset '%s': see --list-standards",
						  standard_word);
		}
	}

	/* the tables: each file, or each visible sheet of a workbook (--sheet: that one) */
	kp_cli_tables tables = {0};
	if (!package_path && kp_cli_tables_expand(tool, argv + optind, (size_t)(argc - optind),
						  vo.sheet, &tables) != 0) {
		kp_standards_free(&stds);
		return kp_cli_finish(tool, KP_EXIT_USAGE);
	}
	report rep;
	memset(&rep, 0, sizeof rep);
	rep.json = strcmp(format, "json") == 0;
	/* findings for people follow the locale; a machine's report stays English */
	kp_i18n_localize(!rep.json && strcmp(format, "gitlab") != 0);
	rep.ci = strcmp(format, "github") == 0 ? 1 : strcmp(format, "gitlab") == 0 ? 2 : 0;
	if (rep.ci == 2 && !(rep.quality = json_array())) {
		kp_standards_free(&stds);
		kp_cli_tables_free(&tables);
		return kp_cli_finish(tool, KP_EXIT_IO);
	}
	if (strcmp(format, "html") == 0 && !(rep.html = kp_report_new())) {
		kp_standards_free(&stds);
		kp_cli_tables_free(&tables);
		return kp_cli_finish(tool, KP_EXIT_IO);
	}
	rep.max_keep = max_errors > 0 ? max_errors : 0;
	rep.summary_only = summary_only;
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
				lrc == -2 ? _("out of memory") : _("fix the problems above"));
			kp_cli_tables_free(&tables);
			return kp_cli_finish(tool, lrc == -2 ? KP_EXIT_IO : KP_EXIT_USAGE);
		}
		pkg_ctx pc = {&rep, strict, 0, pkg->path};
		begin_table(&rep);
		/* the portal's metadata, as kplan-upload will check it (errors only when the
		 * package is said to be for the portal: --for-portal, --portal-rules) */
		json_t *exported = kp_cli_as_exported(pkg->json);
		long pbad = exported ? kp_cli_portal_check(exported, pkg->path, portal_rules,
							   for_portal, &sink)
				     : -1;
		json_decref(exported);
		status = kp_validate_package(pkg, data_dir, &vo, &sink, pkg_table_done, &pc);
		if (pbad < 0)
			status = KP_EXIT_USAGE;
		else if (pbad > 0 && status == KP_EXIT_OK)
			status = KP_EXIT_INVALID;
		json_decref(rep.errors);
		json_decref(rep.warnings);
		json_decref(rep.infos);
		warnings = pc.warnings;
		kp_schema_package_free(pkg);
	} else if (!schema_path) {
		/* No schema: each table is checked against one inferred from itself, so every
		 * check that needs no schema still runs (encoding, structure, labels, Japan's
		 * character rules, numbers with units, codes). */
		for (size_t ti = 0; ti < tables.n; ti++) {
			const char *path = tables.items[ti].path;
			kp_validate_stats st;
			memset(&st, 0, sizeof st);
			begin_table(&rep);
			rep.sheet = tables.items[ti].sheet;
			vo.sheet = tables.items[ti].sheet;
			vo.book_findings = tables.items[ti].first;
			kp_infer_opts io = {.encoding = vo.encoding, .sheet = vo.sheet};
			kp_infer_result ir;
			kp_diag err;
			kp_diag_clear(&err);
			kp_schema *schema = NULL;
			int rc;
			long std = -1;
			kp_standard_match sm;
			char used[200] = "inferred", note[600];
			snprintf(note, sizeof note, "%s",
				 _(" (no schema given: checked against one inferred from the table)"));
			if (kp_infer_table(path, &io, &ir, &err) != 0) {
				if (strcmp(err.code, "usage") == 0) {
					json_decref(rep.tables);
					kp_standards_free(&stds);
					kp_cli_tables_free(&tables);
					return kp_cli_usage_error(tool, "%s", err.message);
				}
				on_finding(&rep, &err);
				st.unreadable = ir.unreadable;
				st.errors = 1;
				rc = ir.unreadable ? KP_EXIT_IO : KP_EXIT_INVALID;
			} else if (have_stds && (std = pick_standard(&stds, forced, nforced, &ir, &sm)) >= 0) {
				/* a standard dataset: checked against its schema */
				const kp_standard *sd = &stds.items[std];
				snprintf(used, sizeof used, "standard:%s", sd->key);
				snprintf(note, sizeof note,
					 _(" (checked as the standard dataset %s %s（%s）: %zu of its %zu "
					   "columns in the header)"),
					 sd->id, sd->name, kp_standard_generation_name(sd), sm.matched,
					 sm.columns);
				rc = kp_validate_table(path, NULL, sd->schema, &vo, &sink, &st);
			} else if (kp_schema_load_json(ir.schema, path, NULL, &schema, &schema_sink) != 0) {
				kp_diag_set(&err, KP_SEV_ERROR, "source-error",
					"no schema could be inferred from the table's header");
				kp_diag_at(&err, path, 1, 0, -1);
				on_finding(&rep, &err);
				st.errors = 1;
				rc = KP_EXIT_INVALID;
			} else {
				rc = kp_validate_table(path, NULL, schema, &vo, &sink, &st);
			}
			if (ir.schema)
				kp_infer_release(&ir);
			kp_schema_free(schema);
			end_table_note(&rep, path, &st, strict, used, note);
			if (std >= 0 && rep.json)
				attach_standard(&rep, &stds.items[std], &sm);
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
				lrc == -2 ? _("out of memory") : _("fix the problems above"));
			kp_cli_tables_free(&tables);
			return kp_cli_finish(tool, lrc == -2 ? KP_EXIT_IO : KP_EXIT_USAGE);
		}
		for (size_t ti = 0; ti < tables.n; ti++) {
			kp_validate_stats st;
			begin_table(&rep);
			rep.sheet = vo.sheet = tables.items[ti].sheet;
			vo.book_findings = tables.items[ti].first;
			int rc = kp_validate_table(tables.items[ti].path, NULL, schema, &vo, &sink, &st);
			end_table(&rep, tables.items[ti].path, &st, strict, schema_path);
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
	if (rep.json || rep.html) {
		/* one document: to stdout, or written whole to -o FILE (never half a file) */
		kp_atomic out = {0};
		kp_diag err;
		FILE *fp = stdout;
		if (output) {
			if (kp_files_atomic_open(&out, output, &err) != 0) {
				kp_cli_print_diag(tool, &err);
				status = KP_EXIT_IO;
				fp = NULL;
			} else {
				fp = out.fp;
			}
		}
		if (fp && rep.json) {
			json_t *doc = json_pack("{s:b, s:b, s:O}", "valid", status == KP_EXIT_OK,
						"strict", strict, "tables", rep.tables);
			if (doc) {
				json_dumpf(doc, fp, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
				fputc('\n', fp);
				json_decref(doc);
			}
		} else if (fp) {
			kp_report_html_opts ho = {tool, KPLAN_VERSION, status == KP_EXIT_OK,
						  status == KP_EXIT_IO};
			kp_report_write_html(rep.html, fp, &ho);
		}
		json_decref(rep.tables);
		if (fp && output && kp_files_atomic_commit(&out, &err) != 0) {
			kp_cli_print_diag(tool, &err);
			status = KP_EXIT_IO;
		}
		if (rep.html || output)
			fprintf(stderr, "%s: %s\n", tool,
				status == KP_EXIT_OK   ? _("valid")
				: status == KP_EXIT_IO ? _("not all tables could be read")
						       : _("invalid"));
	} else if (rep.ci) {
		json_decref(rep.tables);
		if (rep.ci == 2) {
			json_dumpf(rep.quality, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
			json_decref(rep.quality);
		}
		fprintf(rep.ci == 2 ? stderr : stdout, "%s: %s\n", tool,
			status == KP_EXIT_OK   ? _("valid")
			: status == KP_EXIT_IO ? _("not all tables could be read")
					       : _("invalid"));
	} else {
		json_decref(rep.tables);
		/* a long report ends with what it is about; a short one is its own summary */
		long total = 0;
		for (size_t i = 0; i < rep.nproblems; i++)
			total += rep.problems[i].count;
		if (rep.nproblems && (summary_only || total > 20))
			print_summary(&rep);
		printf("%s: %s\n", tool, status == KP_EXIT_OK ? _("valid") : status == KP_EXIT_IO ? _("not all tables could be read") : _("invalid"));
	}
	report_release(&rep);
	kp_report_free(rep.html);
	kp_standards_free(&stds);
	kp_cli_tables_free(&tables);
	return kp_cli_finish(tool, status);
}
