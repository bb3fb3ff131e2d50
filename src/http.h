/* http — a small libcurl wrapper for talking to a portal safely.
 *
 * One kp_http holds one curl easy handle (connections are reused) and the settings
 * every request shares: the token (sent as `Authorization` and `X-CKAN-API-Key`),
 * the CA file, timeouts.  Guarantees, for every request:
 *   - TLS peer and host verification are on; there is no switch to turn them off.
 *   - Redirects are never followed (a 3xx comes back as an answer), so the token can
 *     never travel to another host and a POST body is never dropped by a redirect.
 *   - Only http:// and https:// URLs are accepted; a token is refused on http://
 *     unless allow_plain_http is set.
 *   - Files are streamed from disk (multipart part or PUT body), never read whole.
 *   - The token never appears in an error text this module produces
 *     (kp_http_scrub removes it from any text, e.g. an echoed body).
 * One request = one attempt; which failures may be retried is the caller's decision,
 * helped by kp_http_resp.fail and kp_http_backoff_ms.
 */
#ifndef KP_HTTP_H
#define KP_HTTP_H

#include <stddef.h>

#include "diag.h"

typedef struct kp_http kp_http;

/* Called while a request body is sent; total may be 0 when unknown. */
typedef void (*kp_http_progress_fn)(void *ctx, long long sent, long long total);

typedef struct kp_http_opts {
	const char *token;	/* borrowed; NULL = anonymous.  Copied by kp_http_new. */
	const char *cacert;	/* borrowed CA bundle path, or NULL for the system store */
	long connect_timeout_s; /* 0 = 10 s */
	long timeout_s;		/* 0 = 60 s.  JSON calls and GET/HEAD: the whole request.
				 * Uploads (multipart, PUT): the answer must be complete within
				 * timeout_s of the body being sent.  Any transfer slower than
				 * 1 KiB/s for timeout_s is abandoned. */
	int allow_plain_http;	/* permit sending the token over http:// */
	kp_http_progress_fn progress; /* optional, for uploads */
	void *progress_ctx;
} kp_http_opts;

/* Why a request produced no usable HTTP answer. */
typedef enum kp_http_fail {
	KP_HTTP_OK = 0,	   /* an HTTP status was received (it may be an error status) */
	KP_HTTP_E_CONNECT, /* no connection was made: nothing reached the server */
	KP_HTTP_E_TIMEOUT, /* timed out after connecting: the server may have acted */
	KP_HTTP_E_DROPPED, /* connection lost after sending: the server may have acted */
	KP_HTTP_E_TLS,	   /* certificate or TLS failure: not retryable */
	KP_HTTP_E_LOCAL,   /* refused before sending (bad URL, plain http with token, file) */
	KP_HTTP_E_OTHER	   /* any other transfer failure */
} kp_http_fail;

typedef struct kp_http_resp {
	long status; /* HTTP status, 0 when fail != KP_HTTP_OK */
	kp_http_fail fail;
	char *body; /* owned, NUL-terminated (empty string when no body) */
	size_t len;
	char content_type[128];
	char location[256]; /* Location header of a 3xx, scrubbed */
	char etag[128];
	long long content_length; /* of the answer, -1 when unknown */
	char error[256];	  /* transfer error text when fail != KP_HTTP_OK, scrubbed */
} kp_http_resp;

/* A multipart part: a text field (value) or a file streamed from file_path. */
typedef struct kp_http_part {
	const char *name;
	const char *value;     /* text part, or NULL for a file part */
	const char *file_path; /* file part: path on disk */
	const char *file_name; /* file part: name announced to the server */
	const char *type;      /* file part: media type, or NULL */
} kp_http_part;

/* Returns a new client, or NULL with err filled (code "http-error"). */
kp_http *kp_http_new(const kp_http_opts *o, kp_diag *err);
void kp_http_free(kp_http *h);

/* Each returns 0 when an HTTP answer arrived (any status), -1 otherwise; r is
 * filled either way and must be released with kp_http_resp_release. */
int kp_http_get(kp_http *h, const char *url, kp_http_resp *r);
int kp_http_head(kp_http *h, const char *url, kp_http_resp *r);
int kp_http_post_json(kp_http *h, const char *url, const char *json, kp_http_resp *r);
int kp_http_post_multipart(kp_http *h, const char *url, const kp_http_part *parts, size_t n,
			   kp_http_resp *r);
/* PUT the file at path (size bytes) as the body. */
int kp_http_put_file(kp_http *h, const char *url, const char *path, long long size,
		     kp_http_resp *r);
/* PUT a small in-memory body. */
int kp_http_put_data(kp_http *h, const char *url, const char *data, size_t len, const char *type,
		     kp_http_resp *r);

void kp_http_resp_release(kp_http_resp *r);

/* Replaces every occurrence of the client's token in buf (NUL-terminated, edited in
 * place) with "***".  A NULL h or a client without token leaves buf alone. */
void kp_http_scrub(const kp_http *h, char *buf);
/* The same for an explicit secret over buf[0..len) (which may hold NULs; buf[len] must
 * be writable): returns the new length and NUL-terminates there.  Linear in len. */
size_t kp_http_scrub_secret(char *buf, size_t len, const char *secret);

/* Back-off before retry number attempt (1 = first retry): base_ms * 2^(attempt-1),
 * capped at cap_ms, plus jitter in [0, that/2) taken from rnd (any 32-bit value). */
long kp_http_backoff_ms(int attempt, long base_ms, long cap_ms, unsigned rnd);

/* True for statuses a gateway gives when the origin is busy or unreachable. */
int kp_http_status_transient(long status);

/* "scheme://host[:port]" part of url copied into out; returns 0, or -1 if url is not
 * an absolute http(s) URL. */
int kp_http_origin(const char *url, char *out, size_t outsz);

#endif
