#include "i18n.h"
#include "upload.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* strdup that passes NULL through. */
static char *dup_str(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* jansson's iteration macros and incref take non-const pointers although they do not
 * modify the value; this drops the qualifier without a cast warning. */
static json_t *unconst(const json_t *j)
{
	json_t *p;
	memcpy(&p, &j, sizeof p);
	return p;
}

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- the package ----------------------------------------------------------------- */

static int bad(kp_diag *err, const char *path, const char *fmt, const char *a, const char *b)
{
	kp_diag_set(err, KP_SEV_ERROR, "bad-package", "%s%s%s", _(fmt), a ? a : "", b ? _(b) : "");
	kp_diag_at(err, path, 0, 0, -1);
	return KP_UPLOAD_USAGE;
}

/* A resource path must stay inside the package folder: it becomes a URL path too. */
static int safe_relative(const char *f)
{
	if (!*f || f[0] == '/' || strstr(f, "..") || strchr(f, '\\'))
		return 0;
	for (const unsigned char *p = (const unsigned char *)f; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '?' || *p == '#' || *p == '%' || *p == ' ')
			return 0;
	return 1;
}

int kp_upload_pkg_load(kp_upload_pkg *p, const char *path, kp_diag *err)
{
	memset(p, 0, sizeof *p);
	char *text = NULL;
	size_t len = 0;
	if (kp_files_read_all(path, 64u << 20, &text, &len, err) != 0)
		return KP_UPLOAD_IO;
	json_error_t je;
	p->root = json_loadb(text, len, 0, &je);
	free(text);
	if (!p->root || !json_is_object(p->root)) {
		kp_diag_set(err, KP_SEV_ERROR, "bad-package", "not a JSON object: %s",
			    p->root ? _("top level is not an object") : je.text);
		kp_diag_at(err, path, p->root ? 0 : je.line, p->root ? 0 : je.column, -1);
		kp_upload_pkg_release(p);
		return KP_UPLOAD_USAGE;
	}
	p->descriptor_path = dup_str(path);
	const json_t *res = json_object_get(p->root, "resources");
	int st = KP_UPLOAD_OK;
	if (!json_is_array(res) || json_array_size(res) == 0) {
		st = bad(err, path, "the package has no \"resources\" list", NULL, NULL);
		goto out;
	}
	p->files = calloc(json_array_size(res), sizeof *p->files);
	if (!p->files) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		st = KP_UPLOAD_IO;
		goto out;
	}
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) + 1 : 0;
	char root[4096];
	snprintf(root, sizeof root, "%.*s", dirlen ? dirlen : 1, dirlen ? path : ".");
	size_t i;
	json_t *r;
	json_array_foreach(res, i, r)
	{
		kp_upload_file *f = &p->files[p->nfiles];
		const char *name = jstr(r, "name"), *file = jstr(r, "path");
		if (!name || !*name) {
			st = bad(err, path, "a resource has no \"name\"", NULL, NULL);
			goto out;
		}
		if (!file || !safe_relative(file)) {
			st =
			    bad(err, path, "resource \"", name,
				N_("\" needs a \"path\": a plain file name inside the package folder"));
			goto out;
		}
		for (size_t k = 0; k < p->nfiles; k++)
			if (!strcmp(p->files[k].name, name) || !strcmp(p->files[k].file, file)) {
				st = bad(err, path, "two resources share the name or path of ",
					 name, "");
				goto out;
			}
		p->nfiles++;
		f->name = dup_str(name);
		f->file = dup_str(file);
		size_t n = (size_t)dirlen + strlen(file) + 1;
		f->path = malloc(n);
		if (f->path)
			snprintf(f->path, n, "%.*s%s", dirlen, path, file);
		f->title = dup_str(jstr(r, "title"));
		f->description = dup_str(jstr(r, "description"));
		f->format = dup_str(jstr(r, "format"));
		f->mediatype = dup_str(jstr(r, "mediatype"));
		if (!f->name || !f->file || !f->path) {
			kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
			st = KP_UPLOAD_IO;
			goto out;
		}
		/* Only regular files inside the package folder: a symbolic link in it must not
		 * send a file from elsewhere to the portal. */
		if (kp_files_sha256_file(f->path, root, f->sha256, &f->bytes, err) != 0) {
			err->file = path; /* f->path is freed below; the message names it */
			st = KP_UPLOAD_IO;
			goto out;
		}
		/* The descriptor's own figures must describe these very files: a mismatch
		 * means the folder was edited after export and the metadata would lie. */
		const json_t *b = json_object_get(r, "bytes");
		if (json_is_integer(b) && json_integer_value(b) != f->bytes) {
			st = bad(err, path,
				 "resource file differs from its \"bytes\" in the package: ",
				 f->file, "");
			goto out;
		}
		const char *h = jstr(r, "hash");
		if (h) {
			const char *hex = !strncmp(h, "sha256:", 7) ? h + 7 : h;
			if (strlen(hex) == KP_SHA256_HEX_LEN && strcasecmp(hex, f->sha256) != 0) {
				st = bad(err, path,
					 "resource file differs from its \"hash\" in the package: ",
					 f->file, "");
				goto out;
			}
		}
	}
out:
	if (st != KP_UPLOAD_OK)
		kp_upload_pkg_release(p);
	return st;
}

void kp_upload_pkg_release(kp_upload_pkg *p)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		kp_upload_file *f = &p->files[i];
		free(f->name);
		free(f->file);
		free(f->path);
		free(f->title);
		free(f->description);
		free(f->format);
		free(f->mediatype);
	}
	free(p->files);
	free(p->descriptor_path);
	json_decref(p->root);
	memset(p, 0, sizeof *p);
}

const char *kp_upload_pkg_str(const kp_upload_pkg *p, const char *dotted)
{
	const json_t *o = p->root;
	char key[64];
	const char *s = dotted;
	for (;;) {
		size_t n = strcspn(s, ".");
		if (n >= sizeof key)
			return NULL;
		memcpy(key, s, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		if (!s[n])
			break;
		s += n + 1;
	}
	return json_is_string(o) ? json_string_value(o) : NULL;
}

/* ---- the report ------------------------------------------------------------------- */

void kp_upload_report_init(kp_upload_report *r)
{
	memset(r, 0, sizeof *r);
}

void kp_upload_report_release(kp_upload_report *r)
{
	for (size_t i = 0; i < r->len; i++) {
		free(r->steps[i].target);
		free(r->steps[i].detail);
	}
	free(r->steps);
	memset(r, 0, sizeof *r);
}

long kp_upload_report_add(kp_upload_report *r, const char *action, const char *what,
			  const char *target, const char *detail, int write)
{
	if (r->len == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		kp_upload_step *s = realloc(r->steps, cap * sizeof *s);
		if (!s)
			return -1;
		r->steps = s;
		r->cap = cap;
	}
	kp_upload_step *s = &r->steps[r->len];
	s->action = action;
	s->what = what;
	s->target = dup_str(target);
	s->detail = dup_str(detail);
	s->write = write;
	s->done = !write;
	return (long)r->len++;
}

size_t kp_upload_report_remaining(const kp_upload_report *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->len; i++)
		n += !r->steps[i].done;
	return n;
}

json_t *kp_upload_report_json(const kp_upload_report *r)
{
	json_t *steps = json_array();
	for (size_t i = 0; i < r->len; i++) {
		const kp_upload_step *s = &r->steps[i];
		json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "action", s->action, "what", s->what,
				      "target", s->target ? s->target : "", "done", s->done);
		if (o && s->detail)
			json_object_set_new(o, "detail", json_string(s->detail));
		json_array_append_new(steps, o);
	}
	return json_pack("{s:o,s:I,s:I,s:I,s:I}", "steps", steps, "requests",
			 (json_int_t)r->requests, "writes", (json_int_t)r->writes, "retries",
			 (json_int_t)r->retries, "remaining",
			 (json_int_t)kp_upload_report_remaining(r));
}

void kp_upload_backoff(const kp_upload_retry *rt, int attempt)
{
	static unsigned seed;
	if (!seed)
		seed = (unsigned)time(NULL) ^ (unsigned)clock();
	seed = seed * 1103515245u + 12345u;
	long ms = kp_http_backoff_ms(attempt, rt->base_ms, rt->cap_ms, seed >> 8);
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* ---- describing an answer ------------------------------------------------------- */

static const char *find_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return hay;
	return NULL;
}

/* Copies the text of the first <tag>…</tag> (case-insensitive) into out, squeezed. */
static int html_text(const char *body, const char *tag, char *out, size_t outsz)
{
	char open[16];
	snprintf(open, sizeof open, "<%s", tag);
	const char *p = find_nocase(body, open);
	if (!p || !(p = strchr(p, '>')))
		return 0;
	p++;
	size_t o = 0;
	int space = 0;
	for (; *p && *p != '<' && o + 1 < outsz; p++) {
		if (isspace((unsigned char)*p)) {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < outsz)
			out[o++] = ' ';
		space = 0;
		out[o++] = *p;
	}
	out[o] = '\0';
	return o > 0;
}

static void append(char *out, size_t outsz, const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(out);
	if (n + 1 < outsz)
		snprintf(out + n, outsz - n, "%s%s%s", fmt, a ? a : "", b ? b : "");
}

/* "field: msg; field2: msg" from a CKAN validation error object. */
static void field_errors(const json_t *e, char *out, size_t outsz)
{
	const char *k;
	const json_t *v;
	int first = 1;
	json_object_foreach(unconst(e), k, v)
	{
		if (!strcmp(k, "__type"))
			continue;
		append(out, outsz, first ? "" : "; ", k, ": ");
		first = 0;
		if (json_is_string(v)) {
			append(out, outsz, json_string_value(v), NULL, NULL);
		} else if (json_is_array(v)) {
			size_t i;
			const json_t *m;
			json_array_foreach(v, i, m)
			{
				if (i)
					append(out, outsz, ", ", NULL, NULL);
				if (json_is_string(m)) {
					append(out, outsz, json_string_value(m), NULL, NULL);
				} else {
					char *d = json_dumps(m, JSON_COMPACT);
					append(out, outsz, d ? d : "?", NULL, NULL);
					free(d);
				}
			}
		} else {
			char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			append(out, outsz, d ? d : "?", NULL, NULL);
			free(d);
		}
	}
}

void kp_upload_describe(const kp_http_resp *r, char *out, size_t outsz)
{
	out[0] = '\0';
	if (r->fail != KP_HTTP_OK) {
		static const char *const why[] = {
		    [KP_HTTP_E_CONNECT] = N_("cannot connect"),
		    [KP_HTTP_E_TIMEOUT] = N_("timed out"),
		    [KP_HTTP_E_DROPPED] = N_("connection lost"),
		    [KP_HTTP_E_TLS] = N_("TLS failure"),
		    [KP_HTTP_E_LOCAL] = N_("not sent"),
		    [KP_HTTP_E_OTHER] = N_("transfer failed"),
		};
		snprintf(out, outsz, "%s: %s", _(why[r->fail]), r->error);
		return;
	}
	char status[48];
	snprintf(status, sizeof status, "HTTP %ld", r->status);
	if (r->status >= 300 && r->status < 400) {
		snprintf(out, outsz,
			 _("%s redirect to \"%s\": redirects are not followed; give the final URL"),
			 status, r->location[0] ? r->location : "?");
		return;
	}
	json_error_t je;
	json_t *j = r->len ? json_loadb(r->body, r->len, JSON_DECODE_ANY, &je) : NULL;
	if (json_is_object(j) && json_is_object(json_object_get(j, "error"))) {
		const json_t *e = json_object_get(j, "error");
		const char *type = jstr(e, "__type");
		const char *msg = jstr(e, "message");
		if (type && !strcmp(type, "Validation Error")) {
			snprintf(out, outsz, _("%s, the portal refused the values: "), status);
			field_errors(e, out, outsz);
		} else if (type && !strcmp(type, "Authorization Error")) {
			snprintf(
			    out, outsz,
			    _("%s, %s (is the token right, and may it write to this organization?)"),
			    status, msg ? msg : _("Access denied"));
		} else {
			snprintf(out, outsz, "%s, %s: %s", status, type ? type : "error",
				 msg ? msg : "");
		}
	} else if (json_is_string(j)) {
		snprintf(out, outsz, "%s: %s", status, json_string_value(j));
	} else if (j) {
		snprintf(out, outsz, _("%s with an unexpected JSON answer"), status);
	} else if (r->len == 0) {
		snprintf(out, outsz, _("%s with an empty body"), status);
	} else {
		char t[160] = "";
		if (!html_text(r->body, "title", t, sizeof t))
			html_text(r->body, "h1", t, sizeof t);
		if (t[0])
			snprintf(out, outsz,
				 _("%s (%s), an HTML page, not an API answer: a proxy in front of "
				   "the portal answered"),
				 status, t);
		else
			snprintf(out, outsz, _("%s, not an API answer (%s)"), status,
				 r->content_type[0] ? r->content_type : _("no content type"));
	}
	if (r->status == 413)
		append(out, outsz, _("; the request body is larger than the server accepts"), NULL,
		       NULL);
	json_decref(j);
}

/* ---- PUT mode --------------------------------------------------------------------- */

struct put_item {
	const char *file; /* URL-relative name */
	const char *path; /* on disk */
	long long bytes;
	const char *sha256;
};

static char *join_url(const char *base, const char *file, const char *suffix)
{
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	size_t n = bl + 1 + strlen(file) + strlen(suffix) + 1;
	char *u = malloc(n);
	if (u)
		snprintf(u, n, "%.*s/%s%s", (int)bl, base, file, suffix);
	return u;
}

/* One request with retries; PUT/HEAD/GET are all idempotent.  Returns 0 when an
 * answer arrived (any status), -1 when the transfer failed for good. */
static int put_call(kp_http *h, int kind, const char *url, const struct put_item *it,
		    const char *data, const kp_upload_retry *rt, kp_upload_report *rep,
		    kp_http_resp *r)
{
	for (int attempt = 1;; attempt++) {
		int rc;
		rep->requests++;
		if (kind == 'H')
			rc = kp_http_head(h, url, r);
		else if (kind == 'G')
			rc = kp_http_get(h, url, r);
		else if (kind == 'P') {
			rep->writes++;
			rc = kp_http_put_file(h, url, it->path, it->bytes, r);
		} else {
			rep->writes++;
			rc = kp_http_put_data(h, url, data, strlen(data), "text/plain", r);
		}
		int retry = rc != 0 ? (r->fail == KP_HTTP_E_CONNECT ||
				       r->fail == KP_HTTP_E_TIMEOUT || r->fail == KP_HTTP_E_DROPPED)
				    : kp_http_status_transient(r->status);
		if (!retry || attempt >= rt->max_attempts)
			return rc;
		kp_http_resp_release(r);
		rep->retries++;
		kp_upload_backoff(rt, attempt);
	}
}

static int put_fail(kp_diag *err, const char *what, const char *url, const kp_http_resp *r)
{
	char why[400];
	kp_upload_describe(r, why, sizeof why);
	kp_diag_set(err, KP_SEV_ERROR, "put-failed", "%s \"%s\": %s", _(what), url, why);
	return r->fail == KP_HTTP_E_LOCAL ? KP_UPLOAD_USAGE : KP_UPLOAD_NET;
}

int kp_upload_put(kp_http *h, const char *base, const kp_upload_pkg *pkg, int dry_run,
		  const kp_upload_retry *rt, kp_upload_report *rep, kp_diag *err)
{
	size_t n = pkg->nfiles + 1;
	struct put_item *items = calloc(n, sizeof *items);
	char(*digest)[KP_SHA256_HEX_LEN + 1] = NULL;
	char **urls = calloc(n, sizeof *urls);
	long *step = calloc(n, sizeof *step);
	int st = KP_UPLOAD_OK;
	if (!items || !urls || !step) {
		st = KP_UPLOAD_IO;
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < pkg->nfiles; i++)
		items[i] = (struct put_item){pkg->files[i].file, pkg->files[i].path,
					     pkg->files[i].bytes, pkg->files[i].sha256};
	/* The descriptor goes last: it must never point at files not yet there. */
	digest = malloc(sizeof *digest);
	long long dbytes = 0;
	const char *slash = strrchr(pkg->descriptor_path, '/');
	if (!digest || kp_files_sha256_file(pkg->descriptor_path, NULL, *digest, &dbytes, err) != 0) {
		st = KP_UPLOAD_IO;
		goto out;
	}
	items[n - 1] = (struct put_item){slash ? slash + 1 : pkg->descriptor_path,
					 pkg->descriptor_path, dbytes, *digest};

	/* Phase 1: what does the server hold? */
	for (size_t i = 0; i < n; i++) {
		kp_http_resp r;
		urls[i] = join_url(base, items[i].file, "");
		char *sum_url = join_url(base, items[i].file, ".sha256");
		if (!urls[i] || !sum_url) {
			free(sum_url);
			st = KP_UPLOAD_IO;
			goto out;
		}
		int same = 0;
		if (put_call(h, 'H', urls[i], NULL, NULL, rt, rep, &r) != 0) {
			st = put_fail(err, N_("cannot look at"), urls[i], &r);
			kp_http_resp_release(&r);
			free(sum_url);
			goto out;
		}
		if (r.status == 200 && r.content_length == items[i].bytes) {
			kp_http_resp_release(&r);
			if (put_call(h, 'G', sum_url, NULL, NULL, rt, rep, &r) == 0 &&
			    r.status == 200 &&
			    !strncasecmp(r.body, items[i].sha256, KP_SHA256_HEX_LEN))
				same = 1;
		} else if (r.status != 200 && r.status != 404) {
			st = put_fail(err, N_("cannot look at"), urls[i], &r);
			kp_http_resp_release(&r);
			free(sum_url);
			goto out;
		}
		kp_http_resp_release(&r);
		free(sum_url);
		step[i] = kp_upload_report_add(rep, same ? N_("skip") : N_("put"), N_("file"),
					       items[i].file, same ? N_("same size and SHA-256") : NULL,
					       !same);
	}
	if (dry_run)
		goto out;

	/* Phase 2: the writes. */
	for (size_t i = 0; i < n; i++) {
		if (rep->steps[step[i]].done)
			continue;
		kp_http_resp r;
		if (put_call(h, 'P', urls[i], &items[i], NULL, rt, rep, &r) != 0 ||
		    (r.status != 200 && r.status != 201 && r.status != 204)) {
			st = put_fail(err, N_("cannot put"), urls[i], &r);
			kp_http_resp_release(&r);
			goto out;
		}
		kp_http_resp_release(&r);
		/* The digest is written after the file, so an interruption in between leaves
		 * a stale or missing digest and the next run uploads the file again. */
		char *sum_url = join_url(base, items[i].file, ".sha256");
		char line[KP_SHA256_HEX_LEN + 2];
		snprintf(line, sizeof line, "%s\n", items[i].sha256);
		memset(&r, 0, sizeof r);
		int rc = sum_url ? put_call(h, 'D', sum_url, NULL, line, rt, rep, &r) : -1;
		if (rc != 0 || (r.status != 200 && r.status != 201 && r.status != 204)) {
			st = put_fail(err, N_("cannot put"), sum_url ? sum_url : "?", &r);
			kp_http_resp_release(&r);
			free(sum_url);
			goto out;
		}
		kp_http_resp_release(&r);
		free(sum_url);
		rep->steps[step[i]].done = 1;
	}
out:
	if (urls)
		for (size_t i = 0; i < n; i++)
			free(urls[i]);
	free(urls);
	free(items);
	free(digest);
	free(step);
	return st;
}
