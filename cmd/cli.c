#include "cli.h"

#include "../src/portal.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KPLAN_LOCALEDIR
#define KPLAN_LOCALEDIR "/usr/local/share/locale"
#endif

void kp_cli_init(void)
{
	char dir[4096];
	const char *env = getenv("KPLAN_LOCALEDIR");
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, ""); /* not LC_ALL: LC_NUMERIC would change strtod's point */
	if (env && *env) {
		kp_i18n_bind(env);
		return;
	}
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
	if (n > 0) {
		dir[n] = '\0';
		char *slash = strrchr(dir, '/');
		if (slash && (size_t)(slash - dir) + sizeof "/../locale" <= sizeof dir) {
			memcpy(slash, "/../locale", sizeof "/../locale");
			if (access(dir, R_OK | X_OK) == 0) {
				kp_i18n_bind(dir);
				return;
			}
		}
	}
	kp_i18n_bind(KPLAN_LOCALEDIR);
}

int kp_cli_usage_error(const char *tool, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", tool);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fprintf(stderr, _(" (try '%s --help')\n"), tool);
	return KP_EXIT_USAGE;
}

int kp_cli_version(const char *tool)
{
	printf("%s %s\n", tool, KPLAN_VERSION);
	return KP_EXIT_OK;
}

void kp_cli_print_diag(const char *tool, const kp_diag *d)
{
	kp_diag_write_text(stderr, tool, d);
}

void kp_cli_error(const char *tool, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, _("%s: error: "), tool);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
}

int kp_cli_common_option(const char *tool, int c, const char *usage, char **argv)
{
	switch (c) {
	case 'h':
		fputs(_(usage), stdout);
		return kp_cli_finish(tool, KP_EXIT_OK);
	case 'V':
		return kp_cli_finish(tool, kp_cli_version(tool));
	case ':':
		return kp_cli_usage_error(tool, "option '%s' needs an argument", argv[optind - 1]);
	case '?':
		return kp_cli_usage_error(tool, "unknown option '%s'", argv[optind - 1]);
	default:
		return -1;
	}
}

static volatile sig_atomic_t *caught;

static void on_signal(int sig)
{
	if (caught)
		*caught = sig;
}

void kp_cli_catch_signals(volatile sig_atomic_t *flag)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	caught = flag;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;
		/* a signal ignored by whoever started us (nohup) stays ignored */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void kp_cli_reraise(const volatile sig_atomic_t *flag)
{
	int sig = flag ? *flag : 0;
	if (!sig)
		return;
	fflush(stdout);
	signal(sig, SIG_DFL);
	raise(sig);
}

int kp_cli_finish(const char *tool, int status)
{
	/* A write to a closed pipe or a full disk must not pass as success.  A standard
	 * output that was closed before we started (`>&-`) is no failure when nothing was
	 * written to it: any write would have set the stream's error flag. */
	int bad = fflush(stdout) != 0 || ferror(stdout);
	int e = errno;
	if (!bad && fcntl(STDOUT_FILENO, F_GETFD) == -1 && errno == EBADF)
		return status;
	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		fprintf(stderr, _("%s: error: cannot write standard output: %s\n"), tool,
			strerror(e ? e : EIO));
		return KP_EXIT_IO;
	}
	return status;
}

int kp_cli_data_path(const char *rel, char *out, size_t outsz)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			/* a build tree (build/bin/..) or an install moved as a whole
			 * (PREFIX/bin/../share/kplan) */
			snprintf(out, outsz, "%s/../../schemas/%s", exe, rel);
			if (access(out, R_OK) == 0)
				return 0;
			snprintf(out, outsz, "%s/../share/kplan/schemas/%s", exe, rel);
			if (access(out, R_OK) == 0)
				return 0;
		}
	}
	snprintf(out, outsz, "%s/schemas/%s", KPLAN_DATADIR, rel);
	return access(out, R_OK) == 0 ? 0 : -1;
}

int kp_cli_portal_rules(const char *lg_code, char *out, size_t outsz)
{
	int digits = lg_code && strlen(lg_code) == 6;
	for (size_t i = 0; digits && i < 6; i++)
		digits = lg_code[i] >= '0' && lg_code[i] <= '9';
	if (digits) {
		char rel[64];
		snprintf(rel, sizeof rel, "portal/profiles/%s.json", lg_code);
		if (kp_cli_data_path(rel, out, outsz) == 0)
			return 0;
	}
	return kp_cli_data_path("portal/portal.json", out, outsz);
}

struct soften {
	const kp_diag_sink *inner;
	int strict;
	long errors;
	int collect;   /* gather the items into one finding */
	long missing;  /* items gathered */
	char names[300];
};

static int soften(void *ctx, const kp_diag *d)
{
	struct soften *s = ctx;
	if (s->collect) {
		if (d->severity != KP_SEV_ERROR)
			return 0; /* 推奨 items: the upload's own check names them */
		size_t k = strlen(s->names), n = strcspn(d->message, ":");
		if (s->missing < 8 && k + n + 3 < sizeof s->names)
			snprintf(s->names + k, sizeof s->names - k, "%s%.*s", k ? ", " : "", (int)n,
				 d->message);
		else if (s->missing == 8 && k + 5 < sizeof s->names)
			snprintf(s->names + k, sizeof s->names - k, ", …");
		s->missing++;
		return 0;
	}
	kp_diag copy = *d;
	if (!s->strict && copy.severity == KP_SEV_ERROR)
		copy.severity = KP_SEV_WARNING;
	s->errors += copy.severity == KP_SEV_ERROR;
	return kp_diag_emit(s->inner, &copy);
}

long kp_cli_portal_check(json_t *descriptor, const char *file, const char *rules_path,
	int strict, const kp_diag_sink *sink)
{
	char found[4200];
	if (!rules_path) {
		json_t *code = json_object_get(json_object_get(descriptor, "dcat"), "lg_code");
		if (kp_cli_portal_rules(json_string_value(code), found, sizeof found) != 0) {
			kp_diag d;
			kp_diag_set(&d, KP_SEV_ERROR, "usage",
				    "cannot find the portal rules (schemas/portal/portal.json); "
				    "give --portal-rules FILE");
			kp_diag_emit(sink, &d);
			return -1;
		}
		rules_path = found;
	}
	kp_portal *rules = NULL;
	if (kp_portal_load(rules_path, &rules, sink) != 0)
		return -1;
	struct soften s = {sink, strict, 0, 0, 0, ""};
	/* a package not yet meant for a portal (no code, no publisher): one finding that
	 * names what is missing, not one per item */
	json_t *dcat = json_object_get(descriptor, "dcat");
	s.collect = !strict && !json_is_string(json_object_get(dcat, "lg_code")) &&
		    !json_is_string(json_object_get(dcat, "publisher"));
	kp_diag_sink soft = {soften, &s};
	long bad = kp_portal_check_json(descriptor, file, rules, &soft);
	kp_portal_free(rules);
	if (bad >= 0 && s.collect && s.missing) {
		kp_diag d;
		kp_diag_set(&d, KP_SEV_WARNING, "portal-metadata",
			    "the package has no portal metadata yet: %ld items a CKAN portal needs "
			    "are missing or wrong (%s); kplan-upload refuses it until they are there "
			    "(kplan-describe --package drafts them, kplan-validate --package "
			    "--for-portal names each one)",
			    s.missing, s.names);
		kp_diag_at(&d, file, 0, 0, -1);
		kp_diag_emit(sink, &d);
	}
	return bad < 0 ? bad : s.errors;
}

json_t *kp_cli_as_exported(json_t *descriptor)
{
	json_t *d = json_deep_copy(descriptor);
	json_t *res = json_object_get(d, "resources");
	for (size_t i = 0; json_is_array(res) && i < json_array_size(res); i++) {
		json_t *r = json_array_get(res, i);
		const char *name = json_string_value(json_object_get(r, "name"));
		if (!json_is_object(r) || !name)
			continue;
		size_t n = strlen(name) + 5;
		char *path = malloc(n);
		if (path) {
			snprintf(path, n, "%s.csv", name);
			json_object_set_new(r, "path", json_string(path));
			free(path);
		}
		const char *t = json_string_value(json_object_get(r, "title"));
		if (!t || !*t)
			json_object_set_new(r, "title", json_string(name));
		const char *ds = json_string_value(json_object_get(r, "description"));
		if (!ds || !*ds)
			json_object_set(r, "description", json_object_get(r, "title"));
		json_object_set_new(r, "format", json_string("csv"));
		json_object_set_new(r, "mediatype", json_string("text/csv"));
		json_object_set_new(r, "encoding", json_string("utf-8"));
	}
	return d;
}

json_t *kp_cli_package_json(const char *path)
{
	char buf[4200];
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(buf, sizeof buf, "%s/datapackage.json", path);
		path = buf;
	}
	return json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
}

static kp_lgcode_list lg_list;

static void free_lg_list(void)
{
	kp_lgcode_list_free(&lg_list);
}

int kp_cli_lg_codes(const char *tool, const kp_lgcode_list **out)
{
	char path[4096], why[512];
	*out = NULL;
	if (kp_cli_data_path("lgcodes/local-gov-codes.json", path, sizeof path) != 0)
		return 0;
	if (!lg_list.n) {
		if (kp_lgcode_list_load(&lg_list, path, why, sizeof why) != 0) {
			kp_cli_error(tool, "%s", why);
			return -1;
		}
		atexit(free_lg_list);
	}
	*out = &lg_list;
	return 0;
}

int kp_cli_standards(const char *tool, kp_standards *out, int needed)
{
	char dir[4096];
	memset(out, 0, sizeof *out);
	if (kp_cli_data_path("standard/index.json", dir, sizeof dir) != 0) {
		if (!needed)
			return 0;
		kp_cli_error(tool, "cannot find the standard datasets (schemas/standard/index.json): "
				   "reinstall kplan");
		return -1;
	}
	*strrchr(dir, '/') = '\0';
	kp_diag err;
	kp_diag_clear(&err);
	if (kp_standards_load(out, dir, &err) != 0) {
		kp_cli_print_diag(tool, &err);
		return -1;
	}
	return 0;
}

int kp_cli_tables_expand(const char *tool, char **files, size_t nfiles, const char *sheet,
			 kp_cli_tables *out)
{
	memset(out, 0, sizeof *out);
	size_t cap = nfiles ? nfiles : 1;
	out->items = calloc(cap, sizeof *out->items);
	if (!out->items)
		goto oom;
	for (size_t i = 0; i < nfiles; i++) {
		char **names = NULL;
		size_t n = 0;
		kp_diag err;
		kp_diag_clear(&err);
		if (sheet || !kp_rows_is_workbook(files[i]) ||
		    kp_rows_sheets(files[i], NULL, NULL, &names, &n, &err) != 0 || n == 0) {
			n = 0;
			names = NULL;
		}
		size_t need = out->n + (n ? n : 1);
		if (need > cap) {
			while (cap < need)
				cap *= 2;
			kp_cli_table *items = realloc(out->items, cap * sizeof *items);
			if (!items) {
				kp_rows_sheets_free(names, n);
				goto oom;
			}
			out->items = items;
		}
		if (n) {
			char **all = realloc(out->names, (out->nnames + n) * sizeof *all);
			if (!all) {
				kp_rows_sheets_free(names, n);
				goto oom;
			}
			out->names = all;
		}
		for (size_t k = 0; k < n; k++) {
			out->names[out->nnames++] = names[k];
			out->items[out->n++] = (kp_cli_table){files[i], names[k], k == 0};
		}
		free(names); /* the names themselves now belong to out */
		if (!n)
			out->items[out->n++] = (kp_cli_table){files[i], sheet, 1};
	}
	return 0;
oom:
	kp_cli_error(tool, "out of memory");
	kp_cli_tables_free(out);
	return -1;
}

void kp_cli_tables_free(kp_cli_tables *t)
{
	for (size_t i = 0; i < t->nnames; i++)
		free(t->names[i]);
	free(t->names);
	free(t->items);
	memset(t, 0, sizeof *t);
}

int kp_cli_epoch_date(char out[11])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (!sde || !*sde)
		return 0;
	char *end;
	long long t = strtoll(sde, &end, 10);
	time_t tt = (time_t)t;
	struct tm tm;
	/* 253402300799 is 9999-12-31T23:59:59Z: --date takes no later day either */
	if (*end || t < 0 || t > 253402300799LL || !gmtime_r(&tt, &tm))
		return -1;
	strftime(out, 11, "%Y-%m-%d", &tm);
	return 1;
}
