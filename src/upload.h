/* upload — what both publishing modes share: the package to publish (read from a
 * datapackage.json written by kplan-export), the plan/report of steps, and the plain
 * HTTP PUT mode.  The CKAN mode lives in ckan.h.
 *
 * Both modes work in two phases: first only reads (what does the server hold?), from
 * which the full plan is made; then the writes, each step marked done as it succeeds.
 * A dry run stops after the first phase.  On failure the report tells which steps were
 * done and which remain; running again converges because every step is decided from
 * what the server holds, not from what a previous run did.
 */
#ifndef KP_UPLOAD_H
#define KP_UPLOAD_H

#include <jansson.h>

#include "diag.h"
#include "files.h"
#include "http.h"

typedef struct kp_upload_file {
	char *name;	   /* owned: resource name in the package (stable key) */
	char *file;	   /* owned: file name relative to the descriptor ("plan.csv") */
	char *path;	   /* owned: path on disk (descriptor's folder + file) */
	char *title;	   /* owned, may be NULL */
	char *description; /* owned, may be NULL */
	char *format;	   /* owned, may be NULL */
	char *mediatype;   /* owned, may be NULL */
	long long bytes;   /* measured on disk */
	char sha256[KP_SHA256_HEX_LEN + 1]; /* measured on disk */
} kp_upload_file;

typedef struct kp_upload_pkg {
	json_t *root;	       /* owned: the whole descriptor */
	char *descriptor_path; /* owned copy */
	kp_upload_file *files; /* owned array of nfiles */
	size_t nfiles;
} kp_upload_pkg;

/* Status values of the loaders and publishers (map directly to exit statuses). */
enum { KP_UPLOAD_OK = 0, KP_UPLOAD_USAGE = 2, KP_UPLOAD_IO = 3, KP_UPLOAD_NET = 4 };

/* Reads the descriptor and measures every resource file (SHA-256 and size, streamed).
 * A resource whose declared `bytes`/`hash` disagree with the file on disk is refused:
 * the package was changed after export.  Returns KP_UPLOAD_OK, KP_UPLOAD_USAGE (not a
 * usable package: err names the field) or KP_UPLOAD_IO (unreadable file). */
int kp_upload_pkg_load(kp_upload_pkg *p, const char *path, kp_diag *err);
void kp_upload_pkg_release(kp_upload_pkg *p);

/* String member of the descriptor at a dotted path ("dcat.lg_code"), or NULL. */
const char *kp_upload_pkg_str(const kp_upload_pkg *p, const char *dotted);

/* One step of the plan. */
typedef struct kp_upload_step {
	const char *action; /* static: "create", "patch", "upload", "skip", "put" */
	const char *what;   /* static: "dataset", "resource", "file" */
	char *target;	    /* owned: dataset or resource name, or file name */
	char *detail;	    /* owned: e.g. changed fields, or NULL */
	int write;	    /* 1 when carrying it out writes to the server */
	int done;	    /* 1 once carried out (a skip is done from the start) */
} kp_upload_step;

typedef struct kp_upload_report {
	kp_upload_step *steps; /* owned array */
	size_t len, cap;
	long requests; /* HTTP requests sent */
	long writes;   /* of which writes */
	long retries;  /* retried attempts */
} kp_upload_report;

void kp_upload_report_init(kp_upload_report *r);
void kp_upload_report_release(kp_upload_report *r);
/* Appends a step (copies target and detail); returns its index or -1 without memory. */
long kp_upload_report_add(kp_upload_report *r, const char *action, const char *what,
			  const char *target, const char *detail, int write);
/* Number of write steps not yet done. */
size_t kp_upload_report_remaining(const kp_upload_report *r);
/* {"steps":[{action,what,target,detail?,done}], "requests", "writes", "remaining"}. */
json_t *kp_upload_report_json(const kp_upload_report *r);

/* Retry settings shared by both modes. */
typedef struct kp_upload_retry {
	int max_attempts; /* per request, >= 1 */
	long base_ms;	  /* first back-off */
	long cap_ms;	  /* longest back-off */
} kp_upload_retry;

/* Sleeps the back-off before retry `attempt` (1-based), with jitter. */
void kp_upload_backoff(const kp_upload_retry *rt, int attempt);

/* --put mode: each resource file, then datapackage.json itself, to base/<file>.
 * Identity check: a HEAD gives the stored size, and base/<file>.sha256 (written after
 * each file) the stored digest; both equal → skip.  PUT is idempotent, so connection
 * failures, timeouts and 502/503/504 are retried.  Returns a KP_UPLOAD_* status. */
int kp_upload_put(kp_http *h, const char *base, const kp_upload_pkg *pkg, int dry_run,
		  const kp_upload_retry *rt, kp_upload_report *rep, kp_diag *err);

/* Turns an HTTP answer that is not the expected success into one readable line:
 * CKAN envelopes (validation field errors, access denied, not found), bare JSON
 * strings, HTML pages from a proxy (their <title>), redirects, empty bodies. */
void kp_upload_describe(const kp_http_resp *r, char *out, size_t outsz);

#endif
