/* ckan_call — one CKAN Action API call, with the retries that are safe for its kind.
 * Shared by the dataset and resource steps (ckan.c) and the DataStore (datastore.c).
 *
 * Reads (GET ?id=) and queries (POST JSON that writes nothing, e.g. datastore_search)
 * and patches (idempotent writes) are retried on connection failures, timeouts and
 * 502/503/504; creates only on failures to connect (nothing was sent) — any other
 * failure of a create is KP_CK_UNCERTAIN and the caller must look before repeating
 * it.  A 500 "Search Index Error" is as uncertain as a timeout.
 */
#ifndef KP_CKAN_CALL_H
#define KP_CKAN_CALL_H

#include <jansson.h>
#include <string.h>

#include "ckan.h"
#include "http.h"
#include "upload.h"

typedef struct kp_ck {
	kp_http *h;
	const kp_ckan_opts *o;
	kp_upload_report *rep;
	kp_diag *err;
	char *api;	       /* owned: "<portal>/api/3/action/" */
	char *root;	       /* owned: "<portal>/" */
	char *page;	       /* owned: "<portal>/dataset/<name>", the dataset's page */
	int landing_on_portal; /* dcat.landing_page is on the portal's site */
	char modified[11];     /* the dataset's dct:modified as published (data_modified) */
} kp_ck;

enum kp_ck_kind { KP_CK_READ, KP_CK_QUERY, KP_CK_PATCH, KP_CK_CREATE };
enum kp_ck_outcome { KP_CK_OK, KP_CK_FAIL, KP_CK_UNCERTAIN };

typedef struct kp_ck_answer {
	json_t *result; /* owned, on KP_CK_OK */
	long status;	/* HTTP status, 0 when none */
	int retry_ok;	/* on KP_CK_UNCERTAIN: may the create be repeated after a re-show? */
	char why[600];	/* on failure: readable reason */
} kp_ck_answer;

/* Calls action: KP_CK_READ as GET ?id=id, the others as POST of body (JSON) or of
 * parts (multipart).  Counts requests, writes (PATCH, CREATE) and retries in c->rep.
 * Returns a kp_ck_outcome; the caller releases a->result. */
int kp_ck_call(kp_ck *c, const char *action, enum kp_ck_kind kind, const char *id,
	       const json_t *body, const kp_http_part *parts, size_t nparts, kp_ck_answer *a);

/* The same with the body as JSON text already made (a DataStore batch). */
int kp_ck_call_text(kp_ck *c, const char *action, enum kp_ck_kind kind, const char *json,
		    kp_ck_answer *a);

/* Fills c->err as `what "name": why` (what and why translated) and returns status. */
int kp_ck_fail(kp_ck *c, int status, const char *what, const char *name, const char *why);

/* package_show of c->o->dataset; a 404 gives KP_CK_FAIL, status 404, *pkg NULL. */
int kp_ck_show(kp_ck *c, json_t **pkg, kp_ck_answer *a);

/* The string member key of o, or NULL. */
const char *kp_ck_str(const json_t *o, const char *key);

/* jansson's iteration macros and incref take non-const pointers although they do not
 * modify the value; this drops the qualifier without a cast warning. */
static inline json_t *kp_ck_unconst(const json_t *j)
{
	json_t *p;
	memcpy(&p, &j, sizeof p);
	return p;
}

#endif
