/* ckan_call — see ckan_call.h. */
#include "i18n.h"
#include "ckan_call.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kp_ck_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static char *url_escape(const char *s)
{
	size_t n = strlen(s);
	char *o = malloc(3 * n + 1), *p = o;
	if (!o)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			*p++ = (char)c;
		else
			p += sprintf(p, "%%%02X", c);
	}
	*p = '\0';
	return o;
}

/* One action, with the retries that are safe for its kind.  Reads and patches are
 * retried on connection failures, timeouts and 502/503/504; creates only on failures
 * to connect (nothing was sent) — any other failure of a create is KP_CK_UNCERTAIN and
 * the caller must look before repeating it. */
static int run(kp_ck *c, const char *action, enum kp_ck_kind kind, const char *id, const char *json,
	       const kp_http_part *parts, size_t nparts, kp_ck_answer *a)
{
	char *url = NULL;
	if (kind == KP_CK_READ) {
		char *eid = url_escape(id);
		size_t n = strlen(c->api) + strlen(action) + (eid ? strlen(eid) : 0) + 8;
		url = malloc(n);
		if (url && eid)
			snprintf(url, n, "%s%s?id=%s", c->api, action, eid);
		free(eid);
	} else {
		size_t n = strlen(c->api) + strlen(action) + 1;
		url = malloc(n);
		if (url)
			snprintf(url, n, "%s%s", c->api, action);
	}
	int out = KP_CK_FAIL;
	if (!url) {
		snprintf(a->why, sizeof a->why, "out of memory");
		goto done;
	}
	for (int attempt = 1;; attempt++) {
		kp_http_resp r;
		c->rep->requests++;
		if (kind == KP_CK_PATCH || kind == KP_CK_CREATE)
			c->rep->writes++;
		if (kind == KP_CK_READ)
			kp_http_get(c->h, url, &r);
		else if (parts)
			kp_http_post_multipart(c->h, url, parts, nparts, &r);
		else
			kp_http_post_json(c->h, url, json, &r);
		a->status = r.status;
		json_t *env = NULL;
		if (r.fail == KP_HTTP_OK && r.len)
			env = json_loadb(r.body, r.len, JSON_DECODE_ANY, NULL);
		const json_t *err = json_object_get(env, "error");
		if (r.fail == KP_HTTP_OK && r.status == 200 &&
		    json_is_true(json_object_get(env, "success"))) {
			a->result = json_incref(json_object_get(env, "result"));
			json_decref(env);
			kp_http_resp_release(&r);
			out = KP_CK_OK;
			break;
		}
		/* A 500 "Search Index Error" means the database write may be committed while
		 * the index is not: as uncertain as a timeout. */
		int index_err = r.status == 500 && kp_ck_str(err, "__type") &&
				!strcmp(kp_ck_str(err, "__type"), "Search Index Error");
		int transient = r.fail == KP_HTTP_E_TIMEOUT || r.fail == KP_HTTP_E_DROPPED ||
				kp_http_status_transient(r.status) || index_err;
		int nothing_sent = r.fail == KP_HTTP_E_CONNECT;
		kp_upload_describe(&r, a->why, sizeof a->why);
		json_decref(env);
		kp_http_resp_release(&r);
		if (kind == KP_CK_CREATE && !nothing_sent && (transient || r.status >= 500)) {
			a->retry_ok = transient;
			out = KP_CK_UNCERTAIN;
			break;
		}
		if (!(nothing_sent || transient) || attempt >= c->o->retry.max_attempts)
			break;
		c->rep->retries++;
		kp_upload_backoff(&c->o->retry, attempt);
	}
done:
	free(url);
	return out;
}

int kp_ck_call(kp_ck *c, const char *action, enum kp_ck_kind kind, const char *id,
	       const json_t *body, const kp_http_part *parts, size_t nparts, kp_ck_answer *a)
{
	memset(a, 0, sizeof *a);
	char *json = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (body && !json) {
		snprintf(a->why, sizeof a->why, "out of memory");
		return KP_CK_FAIL;
	}
	int out = run(c, action, kind, id, json, parts, nparts, a);
	free(json);
	return out;
}

int kp_ck_call_text(kp_ck *c, const char *action, enum kp_ck_kind kind, const char *json,
		    kp_ck_answer *a)
{
	memset(a, 0, sizeof *a);
	return run(c, action, kind, NULL, json, NULL, 0, a);
}

/* Fills the error as `what "name": why` and returns status. */
int kp_ck_fail(kp_ck *c, int status, const char *what, const char *name, const char *why)
{
	if (name)
		kp_diag_set(c->err, KP_SEV_ERROR, "portal-error", "%s \"%s\"%s%s", _(what), name,
			    why ? ": " : "", why ? _(why) : "");
	else
		kp_diag_set(c->err, KP_SEV_ERROR, "portal-error", "%s", _(what));
	return status;
}

/* package_show; 404 gives KP_CK_FAIL with status 404 and *pkg NULL. */
int kp_ck_show(kp_ck *c, json_t **pkg, kp_ck_answer *a)
{
	int o = kp_ck_call(c, "package_show", KP_CK_READ, c->o->dataset, NULL, NULL, 0, a);
	*pkg = o == KP_CK_OK ? a->result : NULL;
	return o;
}
