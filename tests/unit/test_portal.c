#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/portal.h"

static kp_diag_list diags;
static kp_diag_sink sink;
static kp_portal *rules;

static int setup(void **state)
{
	(void)state;
	kp_diag_list_init(&diags);
	sink = kp_diag_list_sink(&diags);
	if (kp_portal_load("schemas/portal/portal.json", &rules, &sink) != 0)
		fail_msg("portal.json: %s", diags.len ? diags.items[0].message : "?");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kp_portal_free(rules);
	kp_diag_list_release(&diags);
	return 0;
}

static void reset(void)
{
	kp_diag_list_release(&diags);
	kp_diag_list_init(&diags);
}

static int has_message(const char *text)
{
	for (size_t i = 0; i < diags.len; i++)
		if (strstr(diags.items[i].message, text))
			return 1;
	return 0;
}

/* The shipped package descriptor, to be broken one key at a time. */
static json_t *sample(void)
{
	json_error_t je;
	json_t *j = json_load_file("schemas/kanazawa-plan/datapackage.json", 0, &je);
	if (!j)
		fail_msg("datapackage.json: %s", je.text);
	return j;
}

static void shipped_package_passes(void **state)
{
	(void)state;
	assert_true(kp_portal_rule_count(rules) >= 30);
	kp_package *p = NULL;
	reset();
	assert_int_equal(kp_schema_package_load("schemas/kanazawa-plan", &p, &sink), 0);
	assert_int_equal(kp_portal_check(p, rules, &sink), 0);
	if (diags.len)
		fail_msg("unexpected: %s", diags.items[0].message);
	kp_schema_package_free(p);
}

static void each_broken_key_is_reported(void **state)
{
	(void)state;
	struct {
		const char *path; /* parent pointer */
		const char *key;
		const char *json; /* new value, NULL = delete */
		const char *want;
	} edits[] = {
		{"", "title", NULL, "title: missing: write the dataset's title"},
		{"", "title", "\"\"", "title: missing"},
		{"", "name", "\"Kanazawa Plan\"", "name: \"Kanazawa Plan\" does not match"},
		{"", "keywords", "[]", "keywords: too short (0, at least 1)"},
		{"", "keywords", "\"a\"", "keywords: expected an array"},
		{"/licenses/0", "name", "\"MIT\"", "licenses[0].name: \"MIT\" is not allowed (use one of "
						   "CC-BY-4.0"},
		{"/dcat", "lg_code", "\"172013\"", "dcat.lg_code: \"172013\" is not a six-digit"},
		{"/dcat", "lg_code", NULL, "dcat.lg_code: missing: write the 全国地方公共団体コード"},
		{"/dcat", "issued", "\"2019/04/01\"", "dcat.issued: \"2019/04/01\" is not a date"},
		{"/dcat", "modified", "\"2019-02-30\"", "dcat.modified: \"2019-02-30\" is not a date"},
		{"/dcat", "spatial", "\"金沢市\"", "dcat.spatial: \"金沢市\" is not an absolute URI"},
		{"/dcat/contact", "url", NULL, "dcat.contact: needs at least one of email, url, tel"},
		{"/dcat/contact", "email", "\"info at city\"", "dcat.contact.email: \"info at city\" is "
							     "not an e-mail address"},
		{"/dcat", "language", "\"jpn\"", "dcat.language: \"jpn\" is not allowed"},
		{"/resources/1", "encoding", "\"shift_jis\"", "resources[1].encoding: \"shift_jis\" is not "
								 "allowed"},
		{"/resources/2", "title", NULL, "resources[2].title: missing: write the resource's title"},
		{"/resources/0", "format", "\"xls\"", "resources[0].format: \"xls\" is not allowed"},
		{"", "resources", "[]", "resources: too short"},
	};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		json_t *d = sample();
		json_t *parent = kp_schema_pointer(d, edits[i].path);
		assert_non_null(parent);
		if (edits[i].json)
			json_object_set_new(parent, edits[i].key, json_loads(edits[i].json, JSON_DECODE_ANY, NULL));
		else
			json_object_del(parent, edits[i].key);
		reset();
		long n = kp_portal_check_json(d, "datapackage.json", rules, &sink);
		if (n < 0 || diags.len < 1 || !has_message(edits[i].want))
			fail_msg("edit %zu: want \"%s\", got %ld findings, first \"%s\"", i, edits[i].want,
				n, diags.len ? diags.items[0].message : "");
		assert_string_equal(diags.items[0].code, "portal-metadata");
		assert_string_equal(diags.items[0].file, "datapackage.json");
		json_decref(d);
	}
}

static void warnings_do_not_count_and_every_finding_is_sent(void **state)
{
	(void)state;
	json_t *d = sample();
	json_object_set_new(json_object_get(d, "dcat"), "frequency", json_string("sometimes"));
	reset();
	assert_int_equal(kp_portal_check_json(d, "p.json", rules, &sink), 0);
	assert_int_equal(diags.len, 1);
	assert_int_equal(diags.items[0].severity, KP_SEV_WARNING);
	/* Several problems: all reported. */
	json_object_del(d, "title");
	json_object_del(d, "description");
	json_object_del(json_object_get(d, "dcat"), "publisher");
	reset();
	assert_int_equal(kp_portal_check_json(d, "p.json", rules, &sink), 3);
	assert_int_equal(diags.len, 4);
	/* A sink that asks to stop. */
	reset();
	diags.limit = 1;
	assert_int_equal(kp_portal_check_json(d, "p.json", rules, &sink), -1);
	json_decref(d);
}

/* Another city's package: the shared rules name its own values, never 金沢市's; a
 * profile refines them ("extends"), replacing checks on the same path. */
static void profiles_and_the_package_s_own_words(void **state)
{
	(void)state;
	json_t *d = sample();
	json_t *dcat = json_object_get(d, "dcat");
	json_object_set_new(dcat, "lg_code", json_string("131016"));
	json_object_set_new(dcat, "lg_name", json_string("東京都千代田区"));
	json_object_set_new(dcat, "spatial", json_string("千代田区"));
	json_object_del(dcat, "publisher");
	json_object_set_new(d, "name", json_string("Toilets"));
	reset();
	assert_true(kp_portal_check_json(d, "p.json", rules, &sink) >= 3);
	for (size_t i = 0; i < diags.len; i++)
		if (strstr(diags.items[i].message, "金沢") || strstr(diags.items[i].message, "172014") ||
		    strstr(diags.items[i].message, "kanazawa"))
			fail_msg("another city's words: %s", diags.items[i].message);
	assert_true(has_message("dcat.publisher: missing: name the publisher (dcat.publisher), e.g. 東京都千代田区"));
	assert_true(has_message("(for 131016: http://data.e-stat.go.jp/lod/sac/C13101)"));
	assert_true(has_message("the portal adds \"131016-\" in front"));
	/* a value the message needs is missing: the part that names it is left out */
	json_object_del(dcat, "lg_name");
	reset();
	kp_portal_check_json(d, "p.json", rules, &sink);
	assert_true(has_message("dcat.publisher: missing: name the publisher (dcat.publisher)"));
	assert_false(has_message("e.g."));
	assert_true(has_message("starting with the prefecture (the name of 131016)"));

	/* 金沢市's profile: the shared rules plus its own */
	kp_portal *k = NULL;
	reset();
	assert_int_equal(kp_portal_load("schemas/portal/profiles/172014.json", &k, &sink), 0);
	assert_int_equal(kp_portal_rule_count(k), kp_portal_rule_count(rules));
	reset();
	assert_true(kp_portal_check_json(d, "p.json", k, &sink) >= 1);
	assert_true(has_message("dcat.lg_code: \"131016\" is not allowed"));
	assert_true(has_message("the portal adds \"172014-\" in front"));
	kp_portal_free(k);
	json_decref(d);
	/* and the shipped package of 金沢市 passes it */
	kp_package *p = NULL;
	reset();
	assert_int_equal(kp_portal_load("schemas/portal/profiles/172014.json", &k, &sink), 0);
	assert_int_equal(kp_schema_package_load("schemas/kanazawa-plan", &p, &sink), 0);
	assert_int_equal(kp_portal_check(p, k, &sink), 0);
	kp_schema_package_free(p);
	kp_portal_free(k);
	/* a broken "extends" is a schema error */
	json_t *j = json_loads("{\"extends\": \"no-such.json\", \"dataset\": []}", 0, NULL);
	reset();
	assert_int_equal(kp_portal_load_json(j, "schemas/portal/x.json", &k, &sink), -1);
	assert_null(k);
	json_decref(j);
}

static void bad_rules_are_schema_errors(void **state)
{
	(void)state;
	const struct {
		const char *json, *want;
	} cases[] = {
		{"[]", "expected a portal rules object"},
		{"{\"dataset\": {}}", "dataset: expected an array of checks"},
		{"{\"dataset\": [{\"message\": \"m\"}]}", "dataset[0]: missing \"path\""},
		{"{\"dataset\": [{\"path\": \"/a\"}]}", "dataset[0]: missing \"message\""},
		{"{\"dataset\": [{\"path\": \"a\", \"message\": \"m\"}]}", "dataset[0].path: invalid value"},
		{"{\"resource\": [{\"path\": \"/a\", \"message\": \"m\", \"type\": \"text\"}]}",
			"resource[0].type: invalid value"},
		{"{\"resource\": [{\"path\": \"/a\", \"message\": \"m\", \"pattern\": \"[\"}]}",
			"resource[0].pattern: invalid value"},
		{"{\"resource\": [{\"path\": \"/a\", \"message\": \"m\", \"color\": 1}]}",
			"resource[0].color: unknown key"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *j = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		kp_portal *p = NULL;
		reset();
		assert_int_equal(kp_portal_load_json(j, "r.json", &p, &sink), -1);
		assert_null(p);
		if (!has_message(cases[i].want))
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, cases[i].want,
				diags.len ? diags.items[0].message : "");
		assert_string_equal(diags.items[0].code, "schema-error");
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(shipped_package_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(each_broken_key_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(warnings_do_not_count_and_every_finding_is_sent, setup,
			teardown),
		cmocka_unit_test_setup_teardown(profiles_and_the_package_s_own_words, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_rules_are_schema_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
