#include "i18n.h"
#include "http.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <time.h>

/* Answers larger than this are cut off: a portal's JSON answer is far smaller, and an
 * HTML error page needs only its start to be reported. */
#define BODY_MAX (32u << 20)

/* A transfer slower than this for timeout_s is abandoned (a stall, or a server that
 * reads or answers a few bytes at a time). */
#define LOW_SPEED_BPS 1024L

#ifndef KPLAN_VERSION
#define KPLAN_VERSION "0.0.0"
#endif

struct kp_http {
	CURL *curl;
	char *token;  /* owned copy, wiped on free */
	char *cacert; /* owned copy or NULL */
	long connect_timeout_s;
	long timeout_s;
	int allow_plain_http;
	kp_http_progress_fn progress;
	void *progress_ctx;
	/* the request under way (uploads): when its body was sent, and whether the
	 * answer deadline cut it */
	double sent_at; /* CLOCK_MONOTONIC seconds, 0 while sending */
	int answer_late;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int curl_ready;

/* strdup that passes NULL through. */
static char *dup_str(const char *s)
{
	return s ? strdup(s) : NULL;
}

kp_http *kp_http_new(const kp_http_opts *o, kp_diag *err)
{
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			kp_diag_set(err, KP_SEV_ERROR, "http-error", "cannot initialise libcurl");
			return NULL;
		}
		curl_ready = 1;
	}
	kp_http *h = calloc(1, sizeof *h);
	if (!h)
		goto nomem;
	h->curl = curl_easy_init();
	if (!h->curl)
		goto nomem;
	if (o->token && *o->token && !(h->token = dup_str(o->token)))
		goto nomem;
	if (o->cacert && !(h->cacert = dup_str(o->cacert)))
		goto nomem;
	h->connect_timeout_s = o->connect_timeout_s > 0 ? o->connect_timeout_s : 10;
	h->timeout_s = o->timeout_s > 0 ? o->timeout_s : 60;
	h->allow_plain_http = o->allow_plain_http;
	h->progress = o->progress;
	h->progress_ctx = o->progress_ctx;
	return h;
nomem:
	kp_http_free(h);
	kp_diag_set(err, KP_SEV_ERROR, "http-error", "out of memory");
	return NULL;
}

void kp_http_free(kp_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	if (h->token) {
		/* volatile so the wipe is not optimised away */
		volatile char *p = h->token;
		while (*p)
			*p++ = 0;
		free(h->token);
	}
	free(h->cacert);
	free(h);
}

void kp_http_resp_release(kp_http_resp *r)
{
	if (!r)
		return;
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

size_t kp_http_scrub_secret(char *buf, size_t len, const char *secret)
{
	if (!buf)
		return 0;
	size_t sl = secret ? strlen(secret) : 0;
	if (sl == 0 || len < sl)
		return len;
	/* One pass: each occurrence is replaced by a mark as it is found and the text
	 * between occurrences is moved down once, so the cost is linear in len whatever
	 * the number of occurrences.  "***" is never longer than a token worth the name;
	 * a 1-2 byte token gets shorter marks. */
	size_t mark = sl < 3 ? sl : 3;
	char *w = buf;
	const char *r = buf, *end = buf + len;
	const char *p;
	/* memchr for the first byte, then a compare: at most len * sl work, and (unlike
	 * memmem, whose sanitizer interceptor re-reads the rest of the text per call)
	 * linear under ASan too. */
	const char *from = r;
	while ((p = memchr(from, secret[0], (size_t)(end - from)))) {
		if ((size_t)(end - p) < sl)
			break;
		if (memcmp(p, secret, sl) != 0) {
			from = p + 1;
			continue;
		}
		size_t n = (size_t)(p - r);
		memmove(w, r, n);
		w += n;
		memset(w, '*', mark);
		w += mark;
		r = from = p + sl;
	}
	size_t n = (size_t)(end - r);
	memmove(w, r, n);
	w += n;
	*w = '\0';
	return (size_t)(w - buf);
}

void kp_http_scrub(const kp_http *h, char *buf)
{
	if (h && buf)
		kp_http_scrub_secret(buf, strlen(buf), h->token);
}

long kp_http_backoff_ms(int attempt, long base_ms, long cap_ms, unsigned rnd)
{
	if (attempt < 1)
		attempt = 1;
	long d = base_ms;
	for (int i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	/* Jitter spreads clients that failed together, so they do not retry together. */
	long half = d / 2;
	return d + (half > 0 ? (long)(rnd % (unsigned long)half) : 0);
}

int kp_http_status_transient(long status)
{
	return status == 502 || status == 503 || status == 504;
}

int kp_http_origin(const char *url, char *out, size_t outsz)
{
	const char *rest;
	if (!strncasecmp(url, "https://", 8))
		rest = url + 8;
	else if (!strncasecmp(url, "http://", 7))
		rest = url + 7;
	else
		return -1;
	size_t hostlen = strcspn(rest, "/?#");
	if (hostlen == 0)
		return -1;
	size_t n = (size_t)(rest - url) + hostlen;
	if (n + 1 > outsz)
		return -1;
	memcpy(out, url, n);
	out[n] = '\0';
	return 0;
}

/* ---- one request ---------------------------------------------------------------- */

struct sink {
	char *buf;
	size_t len, cap;
	int truncated;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct sink *s = ctx;
	size_t n = size * nmemb;
	if (s->len + n + 1 > s->cap) {
		if (s->len + n + 1 > BODY_MAX) {
			s->truncated = 1;
			return n; /* keep the start, drop the rest */
		}
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *b = realloc(s->buf, cap);
		if (!b)
			return 0;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

static void copy_header_value(char *dst, size_t dstsz, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	kp_http_resp *r = ctx;
	size_t n = size * nmemb;
	static const struct {
		const char *name;
		size_t off, sz;
	} keep[] = {
	    {"location:", offsetof(kp_http_resp, location), sizeof r->location},
	    {"etag:", offsetof(kp_http_resp, etag), sizeof r->etag},
	    {"content-type:", offsetof(kp_http_resp, content_type), sizeof r->content_type},
	};
	if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* a new status line (e.g. after "100 Continue") starts a new header block */
		r->location[0] = r->etag[0] = r->content_type[0] = '\0';
		r->content_length = -1;
		return n;
	}
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		size_t kl = strlen(keep[i].name);
		if (n > kl && !strncasecmp(data, keep[i].name, kl))
			copy_header_value((char *)r + keep[i].off, keep[i].sz, data + kl, n - kl);
	}
	if (n > 15 && !strncasecmp(data, "content-length:", 15)) {
		char tmp[32];
		copy_header_value(tmp, sizeof tmp, data + 15, n - 15);
		r->content_length = strtoll(tmp, NULL, 10);
	}
	return n;
}

/* Uploads have no total time limit (a big file may take long), so the answer gets its
 * own: once the body is sent, the server has timeout_s to finish its answer.  A server
 * that trickles its answer a few bytes at a time would pass any low-speed limit. */
static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	kp_http *h = ctx;
	if (h->progress && ultotal > 0)
		h->progress(h->progress_ctx, (long long)ulnow, (long long)ultotal);
	if (ultotal > 0 && ulnow >= ultotal) {
		double t = now_s();
		if (h->sent_at == 0)
			h->sent_at = t;
		else if (t - h->sent_at > (double)h->timeout_s) {
			h->answer_late = 1;
			return 1; /* CURLE_ABORTED_BY_CALLBACK */
		}
	}
	return 0;
}

static kp_http_fail classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return KP_HTTP_E_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return KP_HTTP_E_TIMEOUT;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		return KP_HTTP_E_DROPPED;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return KP_HTTP_E_TLS;
	case CURLE_READ_ERROR:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return KP_HTTP_E_LOCAL;
	default:
		return KP_HTTP_E_OTHER;
	}
}

static void local_fail(kp_http_resp *r, const char *what, const char *arg)
{
	r->fail = KP_HTTP_E_LOCAL;
	snprintf(r->error, sizeof r->error, "%s \"%s\"", _(what), arg);
}

enum body_kind { B_NONE, B_HEAD, B_JSON, B_MIME, B_PUTFILE, B_PUTDATA };

struct request {
	enum body_kind kind;
	const char *json;
	const kp_http_part *parts;
	size_t nparts;
	const char *path;
	long long size;
	const char *data;
	size_t len;
	const char *type;
};

static int perform(kp_http *h, const char *url, const struct request *q, kp_http_resp *r)
{
	memset(r, 0, sizeof *r);
	r->content_length = -1;
	int plain = !strncasecmp(url, "http://", 7);
	if (!plain && strncasecmp(url, "https://", 8)) {
		local_fail(r, "not an http(s) URL:", url);
		goto fail_early;
	}
	if (plain && h->token && !h->allow_plain_http) {
		local_fail(
		    r,
		    "refusing to send the token over plain http (use https, or --insecure-http) to",
		    url);
		goto fail_early;
	}

	CURL *c = h->curl;
	curl_easy_reset(c);
	struct sink body = {0};
	struct curl_slist *hdr = NULL;
	curl_mime *mime = NULL;
	FILE *fp = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->cacert);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->connect_timeout_s);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kplan-upload/" KPLAN_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	/* A transfer slower than LOW_SPEED_BPS for timeout_s is abandoned; JSON calls also
	 * get a total limit, while a big upload may legitimately take longer and gets
	 * timeout_s for its answer once it is sent (on_progress). */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_BPS);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->timeout_s);
	if (q->kind != B_MIME && q->kind != B_PUTFILE)
		curl_easy_setopt(c, CURLOPT_TIMEOUT, h->timeout_s);

	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (h->token) {
		/* CKAN 2.10+ reads Authorization (raw token, no "Bearer"); 2.9 reads
		 * X-CKAN-API-Key.  Sending both works on every version, as ckanapi does. */
		size_t n = strlen(h->token) + 32;
		char *line = malloc(n);
		if (line) {
			snprintf(line, n, "Authorization: %s", h->token);
			hdr = curl_slist_append(hdr, line);
			snprintf(line, n, "X-CKAN-API-Key: %s", h->token);
			hdr = curl_slist_append(hdr, line);
			memset(line, 0, n);
			free(line);
		}
	}

	/* libcurl silently re-sends a request when a reused connection turns out dead
	 * before any answer byte, which is exactly what a server that committed the write
	 * and then dropped the connection looks like.  A POST may create something, so it
	 * always gets a connection of its own: then the caller alone decides on retries. */
	if (q->kind == B_JSON || q->kind == B_MIME)
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);

	switch (q->kind) {
	case B_NONE:
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		break;
	case B_HEAD:
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		break;
	case B_JSON:
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->json);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(q->json));
		break;
	case B_MIME:
		mime = curl_mime_init(c);
		for (size_t i = 0; i < q->nparts; i++) {
			const kp_http_part *p = &q->parts[i];
			curl_mimepart *mp = curl_mime_addpart(mime);
			curl_mime_name(mp, p->name);
			if (p->value) {
				curl_mime_data(mp, p->value, CURL_ZERO_TERMINATED);
			} else {
				/* streamed: libcurl reads the file while sending */
				if (curl_mime_filedata(mp, p->file_path) != CURLE_OK) {
					local_fail(r, "cannot read", p->file_path);
					goto done;
				}
				curl_mime_filename(mp, p->file_name);
				if (p->type)
					curl_mime_type(mp, p->type);
			}
		}
		curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
		break;
	case B_PUTFILE:
		fp = fopen(q->path, "rb");
		if (!fp) {
			local_fail(r, "cannot open", q->path);
			goto done;
		}
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READDATA, fp);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->size);
		break;
	case B_PUTDATA:
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->data);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
		break;
	}
	if (q->type && q->kind == B_PUTDATA) {
		char line[160];
		snprintf(line, sizeof line, "Content-Type: %s", q->type);
		hdr = curl_slist_append(hdr, line);
	}
	h->sent_at = 0;
	h->answer_late = 0;
	if (q->kind == B_MIME || q->kind == B_PUTFILE) {
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);

	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
		r->fail = KP_HTTP_OK;
	} else {
		r->fail = classify(rc);
		/* the whole body was sent and the answer did not come in time: whichever of
		 * the two clocks (ours, or libcurl's low-speed limit) saw it first, one cause */
		if ((rc == CURLE_ABORTED_BY_CALLBACK && h->answer_late) ||
		    (rc == CURLE_OPERATION_TIMEDOUT && h->sent_at != 0)) {
			r->fail = KP_HTTP_E_TIMEOUT;
			snprintf(r->error, sizeof r->error,
				 _("no complete answer within %ld s after the upload was sent"),
				 h->timeout_s);
		} else {
			snprintf(r->error, sizeof r->error, "%s",
				 errbuf[0] ? errbuf : curl_easy_strerror(rc));
		}
		size_t el = strlen(r->error);
		while (el && r->error[el - 1] == '\n')
			r->error[--el] = '\0';
	}
done:
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, NULL);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hdr); /* holds the token: freed right away */
	curl_mime_free(mime);
	if (fp)
		fclose(fp);
	r->body = body.buf ? body.buf : dup_str("");
	r->len = body.len;
	if (h->token)
		r->len = kp_http_scrub_secret(r->body, r->len, h->token);
	kp_http_scrub(h, r->error);
	kp_http_scrub(h, r->location);
	return r->fail == KP_HTTP_OK ? 0 : -1;
fail_early:
	r->body = dup_str("");
	kp_http_scrub(h, r->error); /* the refused URL may carry the token */
	return -1;
}

int kp_http_get(kp_http *h, const char *url, kp_http_resp *r)
{
	struct request q = {.kind = B_NONE};
	return perform(h, url, &q, r);
}

int kp_http_head(kp_http *h, const char *url, kp_http_resp *r)
{
	struct request q = {.kind = B_HEAD};
	return perform(h, url, &q, r);
}

int kp_http_post_json(kp_http *h, const char *url, const char *json, kp_http_resp *r)
{
	struct request q = {.kind = B_JSON, .json = json};
	return perform(h, url, &q, r);
}

int kp_http_post_multipart(kp_http *h, const char *url, const kp_http_part *parts, size_t n,
			   kp_http_resp *r)
{
	struct request q = {.kind = B_MIME, .parts = parts, .nparts = n};
	return perform(h, url, &q, r);
}

int kp_http_put_file(kp_http *h, const char *url, const char *path, long long size, kp_http_resp *r)
{
	struct request q = {.kind = B_PUTFILE, .path = path, .size = size};
	return perform(h, url, &q, r);
}

int kp_http_put_data(kp_http *h, const char *url, const char *data, size_t len, const char *type,
		     kp_http_resp *r)
{
	struct request q = {.kind = B_PUTDATA, .data = data, .len = len, .type = type};
	return perform(h, url, &q, r);
}
