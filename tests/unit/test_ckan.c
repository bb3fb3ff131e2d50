/* Unit tests for the pure parts of http, upload and ckan: token scrubbing, back-off,
 * URL origin, describing portal answers, the desired dataset and its diff, resource
 * matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/ckan.h"
#include "../../src/http.h"
#include "../../src/upload.h"

static void test_scrub(void **state)
{
	(void)state;
	char buf[128] = "Authorization: s3cr3t-tok and again s3cr3t-tok.";
	assert_int_equal(kp_http_scrub_secret(buf, strlen(buf), "s3cr3t-tok"), 33);
	assert_string_equal(buf, "Authorization: *** and again ***.");
	char one[16] = "abc";
	assert_int_equal(kp_http_scrub_secret(one, 3, ""), 3);
	assert_string_equal(one, "abc");
	assert_int_equal(kp_http_scrub_secret(one, 3, NULL), 3);
	assert_string_equal(one, "abc");
	char overlap[32] = "aaaa";
	assert_int_equal(kp_http_scrub_secret(overlap, 4, "aa"), 4);
	assert_null(strstr(overlap, "aa"));
	/* NULs inside the body do not end the scan */
	char bin[32];
	memcpy(bin, "x\0tokentoken\0y", 14);
	assert_int_equal(kp_http_scrub_secret(bin, 14, "tokentoken"), 7);
	assert_memory_equal(bin, "x\0***\0y", 8);
}

/* A 32 MiB answer that echoes the token every 16 bytes: the old scrubber restarted its
 * search and moved the rest of the text per occurrence (about 20 minutes for this);
 * one pass takes milliseconds.  The alarm turns a regression into a failure, not a
 * hang. */
static void test_scrub_linear(void **state)
{
	(void)state;
	const char tok[] = "0123456789abcdef0123456789abcdef";
	size_t n = 32u << 20, occ = 0;
	char *big = malloc(n + 1);
	assert_non_null(big);
	for (size_t i = 0; i + 48 <= n; i += 48, occ++) {
		memcpy(big + i, tok, 32);
		memcpy(big + i + 32, " ...echoed...  \n", 16);
	}
	memset(big + occ * 48, '.', n - occ * 48);
	big[n] = '\0';
	alarm(60);
	size_t len = kp_http_scrub_secret(big, n, tok);
	alarm(0);
	assert_int_equal(len, n - occ * (32 - 3));
	assert_int_equal(strlen(big), len);
	assert_null(strstr(big, tok));
	assert_memory_equal(big, "*** ...echoed...  \n***", 22);
	free(big);
}

static void test_backoff(void **state)
{
	(void)state;
	/* no jitter when rnd is 0: base, doubled, capped */
	assert_int_equal(kp_http_backoff_ms(1, 500, 30000, 0), 500);
	assert_int_equal(kp_http_backoff_ms(2, 500, 30000, 0), 1000);
	assert_int_equal(kp_http_backoff_ms(4, 500, 30000, 0), 4000);
	assert_int_equal(kp_http_backoff_ms(20, 500, 30000, 0), 30000);
	/* jitter stays below half the delay */
	for (unsigned r = 0; r < 1000; r += 37) {
		long d = kp_http_backoff_ms(2, 500, 30000, r * 2654435761u);
		assert_true(d >= 1000 && d < 1500);
	}
}

static void test_origin_and_transient(void **state)
{
	(void)state;
	char o[64];
	assert_int_equal(kp_http_origin("https://catalog.example.jp/api/3", o, sizeof o), 0);
	assert_string_equal(o, "https://catalog.example.jp");
	assert_int_equal(kp_http_origin("http://127.0.0.1:8080", o, sizeof o), 0);
	assert_string_equal(o, "http://127.0.0.1:8080");
	assert_int_equal(kp_http_origin("ftp://x/", o, sizeof o), -1);
	assert_int_equal(kp_http_origin("https:///x", o, sizeof o), -1);
	assert_true(kp_http_status_transient(503));
	assert_true(kp_http_status_transient(502));
	assert_true(kp_http_status_transient(504));
	assert_false(kp_http_status_transient(500));
	assert_false(kp_http_status_transient(409));
}

/* Refusals happen before anything is sent, and their text never holds the token. */
static void test_http_refusals(void **state)
{
	(void)state;
	kp_diag err;
	kp_http_opts o = {.token = "tok-SECRET-123"};
	kp_http *h = kp_http_new(&o, &err);
	assert_non_null(h);
	kp_http_resp r;
	assert_int_equal(kp_http_get(h, "http://127.0.0.1:9/api", &r), -1);
	assert_int_equal(r.fail, KP_HTTP_E_LOCAL);
	assert_non_null(strstr(r.error, "refusing to send the token over plain http"));
	kp_http_resp_release(&r);
	assert_int_equal(kp_http_get(h, "file:///etc/passwd", &r), -1);
	assert_int_equal(r.fail, KP_HTTP_E_LOCAL);
	kp_http_resp_release(&r);
	/* the token, echoed by a server into a URL we report, is scrubbed */
	assert_int_equal(kp_http_get(h, "ftp://x/tok-SECRET-123", &r), -1);
	assert_null(strstr(r.error, "SECRET"));
	kp_http_resp_release(&r);
	char msg[64] = "bad tok-SECRET-123!";
	kp_http_scrub(h, msg);
	assert_string_equal(msg, "bad ***!");
	kp_http_free(h);

	/* without a token plain http is allowed; nothing listens on port 9 */
	kp_http_opts anon = {.connect_timeout_s = 2};
	h = kp_http_new(&anon, &err);
	assert_int_equal(kp_http_get(h, "http://127.0.0.1:9/", &r), -1);
	assert_int_equal(r.fail, KP_HTTP_E_CONNECT);
	kp_http_resp_release(&r);
	kp_http_free(h);
}

static void describe(long status, const char *body, char *out, size_t sz)
{
	kp_http_resp r;
	memset(&r, 0, sizeof r);
	r.status = status;
	r.body = (char *)(uintptr_t)body;
	r.len = strlen(body);
	kp_upload_describe(&r, out, sz);
}

static void test_describe(void **state)
{
	(void)state;
	char out[512];
	describe(409,
		 "{\"help\":\"h\",\"success\":false,\"error\":{\"name\":[\"That URL is already in "
		 "use.\"],"
		 "\"__type\":\"Validation Error\"}}",
		 out, sizeof out);
	assert_string_equal(
	    out, "HTTP 409, the portal refused the values: name: That URL is already in use.");
	describe(409,
		 "{\"success\":false,\"error\":{\"__type\":\"Validation Error\",\"upload\":[\"File "
		 "upload too large\"],"
		 "\"tags\":[\"Tag \\\"x\\\" length is less than minimum 2\",\"b\"]}}",
		 out, sizeof out);
	assert_string_equal(
	    out, "HTTP 409, the portal refused the values: upload: File upload too large; "
		 "tags: Tag \"x\" length is less than minimum 2, b");
	describe(403,
		 "{\"success\":false,\"error\":{\"__type\":\"Authorization "
		 "Error\",\"message\":\"Access denied: "
		 "User  not authorized to create packages\"}}",
		 out, sizeof out);
	assert_non_null(strstr(
	    out, "HTTP 403, Access denied: User  not authorized to create packages (is the token"));
	describe(400, "\"Bad request: Action name not known: nope\"", out, sizeof out);
	assert_string_equal(out, "HTTP 400: Bad request: Action name not known: nope");
	describe(
	    502,
	    "<html>\r\n<head><title>502 Bad Gateway</title></head><body><h1>x</h1></body></html>",
	    out, sizeof out);
	assert_string_equal(
	    out, "HTTP 502 (502 Bad Gateway), an HTML page, not an API answer: a proxy in front "
		 "of the portal answered");
	describe(413, "<html><body><h1>413   Request\n Entity Too Large</h1></body></html>", out,
		 sizeof out);
	assert_non_null(strstr(out, "HTTP 413 (413 Request Entity Too Large)"));
	assert_non_null(strstr(out, "larger than the server accepts"));
	describe(504, "", out, sizeof out);
	assert_string_equal(out, "HTTP 504 with an empty body");
	describe(500,
		 "{\"success\":false,\"error\":{\"__type\":\"Internal Server "
		 "Error\",\"message\":\"Internal Server Error\"}}",
		 out, sizeof out);
	assert_string_equal(out, "HTTP 500, Internal Server Error: Internal Server Error");

	kp_http_resp r;
	memset(&r, 0, sizeof r);
	r.body = (char *)(uintptr_t) "";
	r.status = 301;
	strcpy(r.location, "https://other.example/x");
	kp_upload_describe(&r, out, sizeof out);
	assert_string_equal(out, "HTTP 301 redirect to \"https://other.example/x\": redirects are "
				 "not followed; give the final URL");
	r.status = 0;
	r.fail = KP_HTTP_E_TIMEOUT;
	strcpy(r.error, "Operation timed out after 2001 milliseconds");
	kp_upload_describe(&r, out, sizeof out);
	assert_string_equal(out, "timed out: Operation timed out after 2001 milliseconds");
}

/* A package in memory, as kp_upload_pkg_load would give it (files measured). */
static kp_upload_pkg make_pkg(void)
{
	kp_upload_pkg p;
	memset(&p, 0, sizeof p);
	p.root = json_loads(
	    "{\"name\":\"Plan-A\",\"title\":\"計画\",\"description\":\"説明\","
	    "\"keywords\":[\"行財政改革\",\"計画\"],\"version\":\"1.0\","
	    "\"licenses\":[{\"name\":\"CC-BY-4.0\"}],"
	    "\"dcat\":{\"lg_code\":\"172014\",\"publisher\":\"金沢市\",\"author\":\"行政経営課\","
	    "\"contact\":{\"name\":\"係\",\"email\":\"a@b.jp\"},\"language\":[\"ja\"],"
	    "\"temporal_start\":\"2019-04-01\",\"spatial\":\"\"}}",
	    0, NULL);
	p.files = calloc(1, sizeof *p.files);
	p.nfiles = 1;
	p.files[0].name = strdup("items");
	p.files[0].file = strdup("items.csv");
	p.files[0].path = strdup("/nonexistent/items.csv");
	p.files[0].title = strdup("取組事項");
	p.files[0].format = strdup("csv");
	p.files[0].mediatype = strdup("text/csv");
	p.files[0].bytes = 197;
	strcpy(p.files[0].sha256,
	       "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	return p;
}

static void test_default_name(void **state)
{
	(void)state;
	kp_upload_pkg p = make_pkg();
	char name[64];
	assert_int_equal(kp_ckan_default_name(&p, name, sizeof name), 0);
	assert_string_equal(name, "172014-plan-a");
	assert_true(kp_ckan_valid_name("ab"));
	assert_false(kp_ckan_valid_name("a"));
	assert_false(kp_ckan_valid_name("Has-Upper"));
	assert_false(kp_ckan_valid_name("new"));
	assert_false(kp_ckan_valid_name("日本"));
	json_object_set_new(p.root, "name", json_string("計画"));
	assert_int_equal(kp_ckan_default_name(&p, name, sizeof name), -1);
	kp_upload_pkg_release(&p);
}

static const char *extra(const json_t *d, const char *key)
{
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(d, "extras"), i, e)
	{
		if (!strcmp(json_string_value(json_object_get(e, "key")), key))
			return json_string_value(json_object_get(e, "value"));
	}
	return NULL;
}

/* A table of a standard dataset gets the tags BODIK recognises it by, once, beside the
 * package's keywords; the old layout gets 推奨データセット. */
static void test_standard_tags(void **state)
{
	(void)state;
	kp_upload_pkg p = make_pkg();
	json_t *res = json_pack("[{s:s, s:{s:{s:s, s:s}}}, {s:s, s:{s:{s:s, s:s}}}, {s:s}]",
				"name", "aed", "schema", "standard", "name", "AED設置箇所一覧",
				"generation", "new", "name", "aed2", "schema", "standard", "name",
				"AED設置箇所一覧", "generation", "new", "name", "other");
	json_object_set_new(p.root, "resources", res);
	json_t *d = kp_ckan_desired(&p, "172014-aed", "org-uuid");
	json_t *tags = json_object_get(d, "tags");
	assert_int_equal(json_array_size(tags), 4); /* 2 keywords + 自治体標準ODS + AED設置箇所 */
	assert_string_equal(json_string_value(json_object_get(json_array_get(tags, 2), "name")),
			    "自治体標準ODS");
	assert_string_equal(json_string_value(json_object_get(json_array_get(tags, 3), "name")),
			    "AED設置箇所");
	json_decref(d);
	json_object_set_new(json_object_get(json_object_get(json_array_get(res, 0), "schema"),
					    "standard"),
			    "generation", json_string("old"));
	json_array_remove(res, 1);
	d = kp_ckan_desired(&p, "172014-aed", "org-uuid");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(d, "tags"), 2), "name")),
	    "推奨データセット");
	json_decref(d);
	kp_upload_pkg_release(&p);
}

static void test_desired_and_diff(void **state)
{
	(void)state;
	kp_upload_pkg p = make_pkg();
	json_t *d = kp_ckan_desired(&p, "172014-plan-a", "org-uuid");
	assert_string_equal(json_string_value(json_object_get(d, "owner_org")), "org-uuid");
	assert_string_equal(json_string_value(json_object_get(d, "notes")), "説明");
	assert_string_equal(json_string_value(json_object_get(d, "license_id")), "CC-BY-4.0");
	assert_string_equal(json_string_value(json_object_get(d, "author")), "行政経営課");
	assert_string_equal(json_string_value(json_object_get(d, "maintainer_email")), "a@b.jp");
	assert_null(json_object_get(d, "url")); /* no landing page: not sent */
	assert_int_equal(json_array_size(json_object_get(d, "tags")), 2);
	assert_string_equal(extra(d, "publisher_name"), "金沢市");
	assert_string_equal(extra(d, "language"), "[\"ja\"]"); /* a list becomes JSON text */
	assert_string_equal(extra(d, "lg_code"), "172014");
	assert_null(extra(d, "spatial_uri")); /* empty values are left out */

	/* the portal's copy: same values, tags and extras in another order, plus server fields */
	json_t *cur = json_deep_copy(d);
	json_object_set_new(cur, "id", json_string("pkg-uuid"));
	json_object_set_new(cur, "state", json_string("active"));
	json_object_set_new(cur, "metadata_modified", json_string("2026-01-01T00:00:00"));
	json_t *tags = json_object_get(cur, "tags");
	json_t *t0 = json_incref(json_array_get(tags, 0));
	json_array_remove(tags, 0);
	json_array_append_new(tags, t0);
	json_object_set_new(json_array_get(tags, 0), "id", json_string("tag-uuid"));
	json_t *ex = json_object_get(cur, "extras");
	json_t *e0 = json_incref(json_array_get(ex, 0));
	json_array_remove(ex, 0);
	json_array_append_new(ex, e0);
	char changed[200];
	json_t *patch = kp_ckan_diff(d, cur, changed, sizeof changed);
	assert_int_equal(json_object_size(patch), 0);
	assert_string_equal(changed, "");
	json_decref(patch);

	/* one tag and one extra differ, the title differs, the dataset was deleted */
	json_object_set_new(json_array_get(tags, 0), "name", json_string("別"));
	json_object_set_new(json_array_get(ex, 1), "value", json_string("changed"));
	json_object_set_new(cur, "title", json_string("old"));
	json_object_set_new(cur, "state", json_string("deleted"));
	patch = kp_ckan_diff(d, cur, changed, sizeof changed);
	assert_string_equal(changed, "title, tags, extras, state");
	/* complete lists are sent, and never resources */
	assert_true(json_equal(json_object_get(patch, "tags"), json_object_get(d, "tags")));
	assert_true(json_equal(json_object_get(patch, "extras"), json_object_get(d, "extras")));
	assert_null(json_object_get(patch, "resources"));
	assert_null(json_object_get(patch, "name"));
	assert_string_equal(json_string_value(json_object_get(patch, "state")), "active");
	json_decref(patch);

	/* a foreign extra on the portal is a difference too: the package is the truth */
	json_object_set_new(cur, "state", json_string("active"));
	json_t *cur2 = json_deep_copy(d);
	json_array_append_new(json_object_get(cur2, "extras"),
			      json_pack("{s:s,s:s}", "key", "x", "value", "y"));
	patch = kp_ckan_diff(d, cur2, changed, sizeof changed);
	assert_string_equal(changed, "extras");
	json_decref(patch);
	json_decref(cur2);
	json_decref(cur);
	json_decref(d);
	kp_upload_pkg_release(&p);
}

static void test_resources(void **state)
{
	(void)state;
	kp_upload_pkg p = make_pkg();
	const kp_upload_file *f = &p.files[0];
	json_t *cur = json_loads(
	    "{\"resources\":["
	    "{\"id\":\"r1\",\"kplan_name\":\"other\",\"size\":197},"
	    "{\"id\":\"r2\",\"kplan_name\":\"items\",\"state\":\"active\",\"size\":197,\"name\":"
	    "\"取組事項\","
	    "\"format\":\"CSV\",\"mimetype\":\"text/csv\","
	    "\"kplan_sha256\":\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\","
	    "\"hash\":\"md5-from-xloader\"},"
	    "{\"id\":\"r3\",\"kplan_name\":\"items\",\"state\":\"deleted\"}]}",
	    0, NULL);
	size_t n;
	const json_t *r = kp_ckan_find_resource(cur, "items", &n);
	assert_int_equal(n, 1); /* the deleted one does not count */
	assert_string_equal(json_string_value(json_object_get(r, "id")), "r2");
	assert_true(kp_ckan_resource_same(r, f)); /* our key wins over a foreign hash */
	json_t *m = kp_ckan_resource_meta_diff(r, f);
	assert_int_equal(json_object_size(m), 0); /* format compared case-insensitively */
	json_decref(m);

	json_t *rw = json_array_get(json_object_get(cur, "resources"), 1);
	json_object_set_new(rw, "size", json_string("197")); /* some versions give a string */
	assert_true(kp_ckan_resource_same(rw, f));
	json_object_set_new(rw, "size", json_integer(198));
	assert_false(kp_ckan_resource_same(rw, f)); /* same digest, other size: not the same */
	json_object_set_new(rw, "size", json_integer(197));
	json_object_del(rw, "kplan_sha256");
	assert_false(kp_ckan_resource_same(rw, f)); /* only a foreign hash left */
	json_object_set_new(rw, "hash", json_string(f->sha256));
	assert_true(kp_ckan_resource_same(rw, f)); /* a plain-hex hash of ours counts */
	json_object_set_new(rw, "name", json_string("old title"));
	m = kp_ckan_resource_meta_diff(rw, f);
	assert_int_equal(json_object_size(m), 1);
	assert_string_equal(json_string_value(json_object_get(m, "name")), "取組事項");
	json_decref(m);

	json_array_append_new(json_object_get(cur, "resources"),
			      json_pack("{s:s,s:s}", "id", "r4", "kplan_name", "items"));
	kp_ckan_find_resource(cur, "items", &n);
	assert_int_equal(n, 2);
	assert_null(kp_ckan_find_resource(cur, "missing", &n));
	assert_int_equal(n, 0);
	json_decref(cur);
	kp_upload_pkg_release(&p);
}

static void test_pkg_load(void **state)
{
	(void)state;
	kp_upload_pkg p;
	kp_diag err;
	kp_diag_clear(&err);
	assert_int_equal(kp_upload_pkg_load(&p, "tests/fixtures/upload/pkg/datapackage.json", &err),
			 KP_UPLOAD_OK);
	assert_int_equal(p.nfiles, 3);
	assert_string_equal(p.files[0].name, "items");
	assert_string_equal(p.files[0].path, "tests/fixtures/upload/pkg/items.csv");
	assert_int_equal(p.files[0].bytes, 197);
	assert_string_equal(kp_upload_pkg_str(&p, "dcat.lg_code"), "172014");
	assert_null(kp_upload_pkg_str(&p, "dcat.contact"));
	kp_upload_pkg_release(&p);

	assert_int_equal(kp_upload_pkg_load(&p, "tests/fixtures/upload/none.json", &err),
			 KP_UPLOAD_IO);
	assert_string_equal(err.code, "io-error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scrub),
	    cmocka_unit_test(test_scrub_linear),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_origin_and_transient),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_http_refusals),
	    cmocka_unit_test(test_default_name),
	    cmocka_unit_test(test_desired_and_diff),
	    cmocka_unit_test(test_standard_tags),
	    cmocka_unit_test(test_resources),
	    cmocka_unit_test(test_pkg_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
