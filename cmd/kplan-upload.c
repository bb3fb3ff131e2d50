/* kplan-upload — publish an exported package to a CKAN portal or an HTTP PUT target. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/ckan.h"
#include "../src/http.h"
#include "../src/portal.h"
#include "../src/upload.h"
#include "cli.h"

static const char tool[] = "kplan-upload";

static const char usage[] =
    N_("usage: kplan-upload [options] OUT/datapackage.json\n"
    "Publish the files of an exported Data Package, converging: a second run changes nothing.\n"
    "\n"
    "Where to:\n"
    "      --portal URL      CKAN portal site URL (Action API at URL/api/3/action/)\n"
    "      --org ORG         CKAN organization (name or id) that owns the dataset\n"
    "      --dataset NAME    CKAN dataset name (default: <lg_code>-<package name>)\n"
    "      --portal-rules FILE  the portal's metadata requirements (default: the\n"
    "                        profile of the package's dcat.lg_code, schemas/portal/\n"
    "                        profiles/<lg_code>.json, else schemas/portal/portal.json,\n"
    "                        the rules every Japanese municipality's portal shares); a\n"
    "                        package that fails them is refused before anything is sent\n"
    "      --datastore       also load each table into the portal's DataStore (its data\n"
    "                        API): typed from the Table Schema, titles and descriptions\n"
    "                        as the data dictionary; only changed rows are sent\n"
    "      --put URL         instead of CKAN: HTTP PUT each file to URL/<file>\n"
    "How:\n"
    "      --token-file FILE read the API token from FILE (must not be readable by\n"
    "                        group or others); otherwise from $KPLAN_TOKEN\n"
    "  -n, --dry-run         print the plan (create/patch/upload/skip) and write nothing\n"
    "  -f, --format FMT      summary format: text (default) or json\n"
    "  -q, --quiet           no summary on success, no progress bar\n"
    "      --cacert FILE     trust this CA bundle (TLS verification is always on)\n"
    "      --timeout SECONDS request timeout; for uploads the longest stall (default 60)\n"
    "      --retries N       attempts per request where retrying is safe (default 4)\n"
    "      --retry-delay MS  first back-off, doubled each retry, with jitter (default 500)\n"
    "      --insecure-http   allow sending the token over plain http:// (tests only)\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "\n"
    "exit status: 0 the target holds exactly the package, 1 the package lacks metadata\n"
    "the portal requires, 2 usage error, 3 local I/O error, 4 network or portal error\n"
    "(the summary says what was done and what remains)\n");

enum {
	OPT_PORTAL = 256,
	OPT_ORG,
	OPT_DATASET,
	OPT_PUT,
	OPT_TOKEN_FILE,
	OPT_CACERT,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_RETRY_DELAY,
	OPT_INSECURE,
	OPT_RULES,
	OPT_DATASTORE
};

struct progress {
	int on;
	int shown;
};

static void on_progress(void *ctx, long long sent, long long total)
{
	struct progress *p = ctx;
	if (!p->on || total < (1 << 20))
		return; /* small files finish before a bar is worth drawing */
	int pct = (int)(sent * 100 / total);
	fprintf(stderr, "\r");
	fprintf(stderr, _("%s: uploading %3d%% (%lld of %lld MB)"), tool, pct, sent >> 20,
		total >> 20);
	p->shown = 1;
	if (sent == total) {
		fputc('\n', stderr);
		p->shown = 0;
	}
}

/* Before the token is held: no core dump may carry it, and the process is not
 * dumpable, which also keeps same-user ptrace and /proc/PID/mem away from it. */
static void protect_memory(void)
{
	struct rlimit no_core = {0, 0};
	(void)setrlimit(RLIMIT_CORE, &no_core);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

extern char **environ;

/* getenv points into the process's initial environment block, which is what
 * /proc/PID/environ and `ps e` show.  The environment is moved to the heap without the
 * variable `drop` and the whole block is zeroed: the token is not on view there, nor
 * its length among the others (only the block's total size, fixed by the kernel,
 * stays).  Returns -1 when memory runs out (the block is then left as it was). */
static int wipe_initial_environment(const char *drop)
{
	size_t n = 0;
	char *lo = NULL, *hi = NULL;
	for (char **e = environ; *e; e++, n++) {
		char *end = *e + strlen(*e) + 1;
		if (!lo || *e < lo)
			lo = *e;
		if (!hi || end > hi)
			hi = end;
	}
	char **copy = calloc(n + 1, sizeof *copy);
	if (!copy)
		return -1;
	size_t dl = strlen(drop), m = 0;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], drop, dl) == 0 && environ[i][dl] == '=')
			continue; /* the token: held by the caller, gone from the environment */
		if (!(copy[m++] = strdup(environ[i]))) {
			while (m)
				free(copy[--m]);
			free(copy);
			return -1;
		}
	}
	environ = copy; /* kept for the life of the process */
	if (lo)
		memset(lo, 0, (size_t)(hi - lo));
	return 0;
}

/* Reads the token from a file only its owner can read; trailing white space is
 * dropped.  Returns a malloc'd token or NULL after printing why. */
static char *read_token_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kp_cli_error(tool, "cannot open token file \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		kp_cli_error(tool, "token file \"%s\" is not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		kp_cli_error(
		    tool, "token file \"%s\" is accessible by group or others; run: chmod 600 %s",
		    path, path);
		close(fd);
		return NULL;
	}
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		kp_cli_error(tool, "cannot read token file \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	char *t = strdup(buf);
	memset(buf, 0, sizeof buf);
	return t;
}

/* A token ends at trailing white space and must be one printable line: anything
 * else would break (or inject into) the HTTP header it travels in. */
static int clean_token(char *t)
{
	size_t n = strlen(t);
	while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' ' || t[n - 1] == '\t'))
		t[--n] = '\0';
	if (!n)
		return -1;
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	return 0;
}

struct findings {
	long errors;
};

static int print_finding(void *ctx, const kp_diag *d)
{
	struct findings *f = ctx;
	f->errors += d->severity == KP_SEV_ERROR;
	kp_cli_print_diag(tool, d);
	return 0;
}

static void print_text(const kp_upload_report *r, int dry_run, int failed)
{
	for (size_t i = 0; i < r->len; i++) {
		const kp_upload_step *s = &r->steps[i];
		const char *state = !s->write ? ""
				    : s->done ? _(" (done)")
				    : dry_run ? _(" (planned)")
					      : _(" (remaining)");
		/* TRANSLATORS: action (create, skip, ...), what (dataset, resource, file), its
		 * name, ": " and a detail or nothing twice, then (done) or the like */
		printf(_("%s %s \"%s\"%s%s%s\n"), _(s->action), _(s->what), s->target ? s->target : "",
		       s->detail ? ": " : "", s->detail ? _(s->detail) : "", state);
	}
	size_t rem = kp_upload_report_remaining(r);
	if (failed && dry_run)
		printf(_("stopped: the plan is incomplete (%zu write step(s) known); nothing written\n"),
		       rem);
	else if (failed && rem == 0 && r->writes == 0)
		fputs(_("stopped before the first write: nothing was written and nothing remains half "
			"done; fix the problem above and run again\n"),
		      stdout);
	else if (failed)
		printf(_("stopped: %zu write step(s) remain; run again to finish\n"), rem);
	else if (dry_run)
		printf(_("dry run: %zu write step(s) planned, nothing written\n"), rem);
	else
		printf(Q_("done: %ld request(s), %ld write(s), %ld retry\n",
			  "done: %ld request(s), %ld write(s), %ld retries\n", (unsigned long)r->retries),
		       r->requests, r->writes, r->retries);
}

int main(int argc, char **argv)
{
	kp_cli_init();
	static const struct option opts[] = {
	    {"portal", required_argument, NULL, OPT_PORTAL},
	    {"org", required_argument, NULL, OPT_ORG},
	    {"dataset", required_argument, NULL, OPT_DATASET},
	    {"put", required_argument, NULL, OPT_PUT},
	    {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"format", required_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"cacert", required_argument, NULL, OPT_CACERT},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"retries", required_argument, NULL, OPT_RETRIES},
	    {"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
	    {"insecure-http", no_argument, NULL, OPT_INSECURE},
	    {"portal-rules", required_argument, NULL, OPT_RULES},
	    {"datastore", no_argument, NULL, OPT_DATASTORE},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *portal = NULL, *org = NULL, *dataset = NULL, *put = NULL, *token_file = NULL;
	const char *format = "text", *cacert = NULL, *rules_path = NULL;
	int dry_run = 0, quiet = 0, insecure = 0, datastore = 0;
	long timeout = 60, retries = 4, delay = 500;
	int c;
	char *end;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":nf:qhV", opts, NULL)) != -1) {
		switch (c) {
		case OPT_PORTAL:
			portal = optarg;
			break;
		case OPT_ORG:
			org = optarg;
			break;
		case OPT_DATASET:
			dataset = optarg;
			break;
		case OPT_PUT:
			put = optarg;
			break;
		case OPT_TOKEN_FILE: {
			/* getopt_long takes any unique prefix, so "--token SECRET" would land here
			 * and the secret would be echoed as a file name: accept the full name only. */
			const char *word = optarg == argv[optind - 1] ? argv[optind - 2] : argv[optind - 1];
			if (strncmp(word, "--token-file", 12) != 0 || (word[12] != '\0' && word[12] != '='))
				return kp_cli_usage_error(tool, "there is no option '--token': put the token "
								"in KPLAN_TOKEN or in a file named with --token-file");
			token_file = optarg;
			break;
		}
		case OPT_CACERT:
			cacert = optarg;
			break;
		case OPT_INSECURE:
			insecure = 1;
			break;
		case OPT_RULES:
			rules_path = optarg;
			break;
		case OPT_DATASTORE:
			datastore = 1;
			break;
		case 'n':
			dry_run = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return kp_cli_usage_error(tool, "unknown format '%s'", optarg);
			format = optarg;
			break;
		case OPT_TIMEOUT:
			timeout = strtol(optarg, &end, 10);
			if (*end || timeout < 1 || timeout > 86400)
				return kp_cli_usage_error(
				    tool, "--timeout needs seconds between 1 and 86400");
			break;
		case OPT_RETRIES:
			retries = strtol(optarg, &end, 10);
			if (*end || retries < 1 || retries > 20)
				return kp_cli_usage_error(
				    tool, "--retries needs a number between 1 and 20");
			break;
		case OPT_RETRY_DELAY:
			delay = strtol(optarg, &end, 10);
			if (*end || delay < 1 || delay > 60000)
				return kp_cli_usage_error(
				    tool, "--retry-delay needs milliseconds between 1 and 60000");
			break;
		default: {
			int st = kp_cli_common_option(tool, c, usage, argv);
			if (st >= 0)
				return st;
			break;
		}
		}
	}
	kp_i18n_localize(strcmp(format, "json") != 0); /* JSON: English, as machines read it */
	if (optind >= argc)
		return kp_cli_usage_error(tool, "no datapackage.json given");
	if (optind + 1 < argc)
		return kp_cli_usage_error(tool, "one datapackage.json at a time");
	if (!portal == !put)
		return kp_cli_usage_error(tool,
					  "give either --portal URL (with --org) or --put URL");
	if (portal && !org)
		return kp_cli_usage_error(tool, "--portal needs --org ORG");
	if (put && (org || dataset || datastore))
		return kp_cli_usage_error(tool, "--org, --dataset and --datastore belong to --portal, "
						"not --put");
	/* the day of this publication: SOURCE_DATE_EPOCH's (reproducible, and in CI
	 * the data's own history), else today's (UTC) */
	char today[11];
	int e = kp_cli_epoch_date(today);
	if (e < 0)
		return kp_cli_usage_error(tool,
					  "SOURCE_DATE_EPOCH '%s' is not a number of seconds up to "
					  "253402300799 (9999-12-31)",
					  getenv("SOURCE_DATE_EPOCH"));
	if (e == 0) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(today, sizeof today, "%Y-%m-%d", &tm);
	}
	char origin[512];
	if (kp_http_origin(portal ? portal : put, origin, sizeof origin) != 0)
		return kp_cli_usage_error(tool, "'%s' is not an http:// or https:// URL",
					  portal ? portal : put);

	char *token = NULL;
	protect_memory();
	if (token_file) {
		if (!(token = read_token_file(token_file)))
			return kp_cli_finish(tool, KP_EXIT_USAGE);
	} else if (getenv("KPLAN_TOKEN") && *getenv("KPLAN_TOKEN")) {
		char *env = getenv("KPLAN_TOKEN");
		token = strdup(env);
		if (!token || wipe_initial_environment("KPLAN_TOKEN") != 0) {
			kp_cli_error(tool, "out of memory");
			free(token);
			return kp_cli_finish(tool, KP_EXIT_IO);
		}
	}
	if (token && clean_token(token) != 0) {
		kp_cli_error(tool, "the token is empty or holds control characters");
		free(token);
		return kp_cli_finish(tool, KP_EXIT_USAGE);
	}
	if (!token && portal && !dry_run) {
		kp_cli_error(tool, "no token: set KPLAN_TOKEN or give --token-file FILE");
		return kp_cli_finish(tool, KP_EXIT_USAGE);
	}
	if (token && !strncmp(origin, "http://", 7) && !insecure) {
		kp_cli_error(tool,
			     "refusing to send the token over plain http to %s; use https "
			     "(or --insecure-http for a test server)",
			     origin);
		free(token);
		return kp_cli_finish(tool, KP_EXIT_USAGE);
	}

	int status = KP_EXIT_OK;
	kp_diag err;
	kp_diag_clear(&err);
	kp_upload_pkg pkg;
	kp_upload_report rep;
	kp_upload_report_init(&rep);
	kp_http *h = NULL;
	char name[128];
	int loaded = 0;

	int st = kp_upload_pkg_load(&pkg, argv[optind], &err);
	if (st != KP_UPLOAD_OK) {
		kp_cli_print_diag(tool, &err);
		status = st;
		goto out;
	}
	loaded = 1;
	if (portal) {
		/* The portal's metadata requirements: refuse before sending anything (the
		 * same check as kplan-validate --package and kplan-export run, strict here) */
		struct findings fs = {0};
		kp_diag_sink sink = {print_finding, &fs};
		long bad = kp_cli_portal_check(pkg.root, argv[optind], rules_path, 1, &sink);
		if (bad < 0) {
			status = KP_EXIT_USAGE;
			goto out;
		}
		if (bad != 0) {
			kp_cli_error(
			    tool,
			    "the package lacks metadata the portal requires (%ld error%s above); "
			    "nothing was sent",
			    bad, bad == 1 ? "" : "s");
			status = KP_EXIT_INVALID;
			goto out;
		}
	}

	if (portal && !dataset) {
		if (kp_ckan_default_name(&pkg, name, sizeof name) != 0) {
			kp_cli_error(
			    tool,
			    "cannot make a dataset name from dcat.lg_code and name in \"%s\"; "
			    "give --dataset NAME",
			    argv[optind]);
			status = KP_EXIT_USAGE;
			goto out;
		}
		dataset = name;
	}
	if (dataset && !kp_ckan_valid_name(dataset)) {
		kp_cli_error(tool, "dataset name \"%s\" is not valid on CKAN: 2-100 of a-z 0-9 - _",
			     dataset);
		status = KP_EXIT_USAGE;
		goto out;
	}
	struct progress prog = {.on = !quiet && isatty(STDERR_FILENO)};
	kp_http_opts ho = {.token = token,
			   .cacert = cacert,
			   .timeout_s = timeout,
			   .allow_plain_http = insecure,
			   .progress = on_progress,
			   .progress_ctx = &prog};
	h = kp_http_new(&ho, &err);
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
		token = NULL;
	}
	if (!h) {
		kp_cli_print_diag(tool, &err);
		status = KP_EXIT_IO;
		goto out;
	}
	kp_upload_retry rt = {.max_attempts = (int)retries, .base_ms = delay, .cap_ms = 30000};
	if (portal) {
		kp_ckan_opts co = {.portal = portal,
				   .today = today,
				   .org = org,
				   .dataset = dataset,
				   .dry_run = dry_run,
				   .datastore = datastore,
				   .retry = rt};
		st = kp_ckan_publish(h, &co, &pkg, &rep, &err);
	} else {
		/* the record's download URLs are download_base + file: they resolve only
		 * where the PUT server's files are public at that address */
		const char *base = kp_upload_pkg_str(&pkg, "dcat.download_base");
		size_t bl = base ? strlen(base) : 0, pl = strlen(put);
		while (bl && base[bl - 1] == '/')
			bl--;
		while (pl && put[pl - 1] == '/')
			pl--;
		if (base && (bl != pl || strncmp(base, put, pl))) {
			kp_diag d;
			kp_diag_clear(&d);
			kp_diag_set(&d, KP_SEV_WARNING, "download-base",
				    "the published record names the files at %.*s/ (dcat.download_base) "
				    "and --put stores them at %.*s/: the record's download URLs work "
				    "only if the first serves what the second stores; else set "
				    "dcat.download_base to where these files are public",
				    (int)bl, base, (int)pl, put);
			kp_diag_at(&d, pkg.descriptor_path, 0, 0, -1);
			kp_cli_print_diag(tool, &d);
		}
		st = kp_upload_put(h, put, &pkg, dry_run, &rt, &rep, &err);
	}
	if (prog.shown)
		fputc('\n', stderr);
	status = st;
	if (st != KP_UPLOAD_OK) {
		kp_http_scrub(h, err.message);
		kp_cli_print_diag(tool, &err);
	}
	if (!strcmp(format, "json")) {
		json_t *j = kp_upload_report_json(&rep);
		json_object_set_new(j, "mode", json_string(portal ? "ckan" : "put"));
		json_object_set_new(j, "target", json_string(portal ? portal : put));
		if (dataset)
			json_object_set_new(j, "dataset", json_string(dataset));
		json_object_set_new(j, "dry_run", json_boolean(dry_run));
		json_object_set_new(j, "ok", json_boolean(st == KP_UPLOAD_OK));
		json_object_set_new(j, "error",
				    st == KP_UPLOAD_OK ? json_null() : kp_diag_to_json(&err));
		char *s = json_dumps(j, JSON_INDENT(2));
		if (s) {
			kp_http_scrub(h, s);
			puts(s);
			free(s);
		}
		json_decref(j);
	} else if (!quiet || st != KP_UPLOAD_OK || dry_run) {
		print_text(&rep, dry_run, st != KP_UPLOAD_OK);
	}
out:
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	kp_http_free(h);
	kp_upload_report_release(&rep);
	if (loaded)
		kp_upload_pkg_release(&pkg);
	return kp_cli_finish(tool, status);
}
