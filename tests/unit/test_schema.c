#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>

#include "../../src/schema.h"
#include "../../src/files.h"
/* The fuzz target itself, so that the corpus is replayed exactly as the fuzzer runs it. */
#include "../fuzz/fuzz_schema.c"
#include "fuzz_replay.h"

/* ---- helpers ---- */

static kp_diag_list diags;
static kp_diag_sink sink;

static int setup(void **state)
{
	(void)state;
	kp_diag_list_init(&diags);
	sink = kp_diag_list_sink(&diags);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kp_diag_list_release(&diags);
	return 0;
}

/* Loads a schema from JSON text; returns the loader's status. */
static int load_text(const char *text, kp_schema **s)
{
	kp_diag_list_release(&diags);
	kp_diag_list_init(&diags);
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
	if (!j)
		fail_msg("bad test JSON: %s", je.text);
	int rc = kp_schema_load_json(j, "schema.json", NULL, s, &sink);
	json_decref(j);
	return rc;
}

/* The message of the first error diagnostic, "" when none. */
static const char *first_error(void)
{
	for (size_t i = 0; i < diags.len; i++)
		if (diags.items[i].severity == KP_SEV_ERROR)
			return diags.items[i].message;
	return "";
}

static int has_message(const char *text)
{
	for (size_t i = 0; i < diags.len; i++)
		if (strstr(diags.items[i].message, text))
			return 1;
	return 0;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *make_dir(void)
{
	char tmpl[] = "/tmp/kplan-schema-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static void remove_dir(char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char path[512];
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

/* ---- tests ---- */

static void loads_fields_and_options(void **state)
{
	(void)state;
	kp_schema *s = NULL;
	int rc = load_text("{\"fields\": ["
			   "{\"name\": \"lg_code\", \"title\": \"全国地方公共団体コード\", \"type\": "
			   "\"string\", \"constraints\": {\"required\": true, \"pattern\": "
			   "\"[0-9]{6}\"}, \"propertyUrl\": \"ic:市区町村コード\"},"
			   "{\"name\": \"amount\", \"type\": \"number\", \"decimalChar\": \",\", "
			   "\"groupChar\": \".\", \"bareNumber\": false, \"missingValues\": [\"-\"]},"
			   "{\"name\": \"done\", \"type\": \"boolean\", \"trueValues\": [\"済\"]},"
			   "{\"name\": \"tags\", \"type\": \"list\", \"delimiter\": \";\", \"itemType\": "
			   "\"integer\"},"
			   "{\"name\": \"at\", \"type\": \"date\", \"format\": \"%d/%m/%Y\"}],"
			   "\"missingValues\": [\"\", \"NA\"], \"primaryKey\": \"lg_code\", "
			   "\"fieldsMatch\": \"subset\", \"aboutUrl\": \"http://ex/{lg_code}\"}",
		&s);
	assert_int_equal(rc, 0);
	assert_int_equal(diags.len, 0);
	assert_int_equal(s->nfields, 5);
	kp_field *f = &s->fields[0];
	assert_string_equal(f->name, "lg_code");
	assert_string_equal(f->title, "全国地方公共団体コード");
	assert_int_equal(f->type, KP_TYPE_STRING);
	assert_true(f->constraints.required);
	assert_true(f->constraints.has & (1u << KP_CONSTRAINT_PATTERN));
	assert_string_equal(f->property_url, "ic:市区町村コード");
	assert_string_equal(json_string_value(json_object_get(f->json, "name")), "lg_code");
	assert_ptr_equal(f->missing, &s->missing_values);
	assert_int_equal(s->missing_values.len, 2);
	f = &s->fields[1];
	assert_string_equal(f->decimal_char, ",");
	assert_string_equal(f->group_char, ".");
	assert_int_equal(f->bare_number, 0);
	assert_ptr_equal(f->missing, &f->missing_values);
	assert_int_equal(s->fields[2].true_values.len, 1);
	assert_string_equal(s->fields[3].delimiter, ";");
	assert_int_equal(s->fields[3].item_type, KP_TYPE_INTEGER);
	assert_int_equal(s->fields[4].format, KP_FORMAT_PATTERN);
	assert_string_equal(s->fields[4].format_pattern, "%d/%m/%Y");
	assert_int_equal(s->primary_key.len, 1);
	assert_int_equal(s->primary_key.idx[0], 0);
	assert_int_equal(s->fields_match, KP_FIELDS_MATCH_SUBSET);
	assert_string_equal(s->about_url, "http://ex/{lg_code}");
	assert_int_equal(kp_schema_field_index(s, "done"), 2);
	assert_int_equal(kp_schema_field_index(s, "nope"), -1);
	assert_int_equal(kp_schema_field_by_label(s, "全国地方公共団体コード",
				 strlen("全国地方公共団体コード")),
		0);
	assert_int_equal(kp_schema_field_by_label(s, "amount", 6), 1);
	kp_schema_free(s);
}

static void errors_carry_json_paths(void **state)
{
	(void)state;
	kp_schema *s = NULL;
	int rc = load_text("{\"fields\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"c\"},"
			   "{\"name\": \"d\", \"type\": \"integer\", \"constraints\": {\"minimum\": "
			   "\"abc\"}}]}",
		&s);
	assert_int_equal(rc, -1);
	assert_non_null(s); /* handed back so that diagnostics stay valid */
	assert_string_equal(diags.items[0].code, "schema-error");
	assert_string_equal(diags.items[0].file, "schema.json");
	assert_string_equal(first_error(), "fields[3].constraints.minimum: expected an integer, got "
					   "\"abc\"");
	kp_schema_free(s);

	struct {
		const char *json, *want;
	} cases[] = {
		{"[]", "expected a Table Schema object, got an array"},
		{"{}", "missing required key \"fields\""},
		{"{\"fields\": 3}", "fields: expected an array of field objects, got 3"},
		{"{\"fields\": [{}]}", "fields[0]: missing required key \"name\""},
		{"{\"fields\": [{\"name\": 5}]}", "fields[0].name: expected a non-empty string, got 5"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"decimal\"}]}",
			"fields[0].type: unknown type \"decimal\""},
		{"{\"fields\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",
			"fields[1].name: duplicate field name \"a\" (also fields[0])"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"integer\", \"format\": \"email\"}]}",
			"fields[0].format: format \"email\" is not defined for type integer"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"date\", \"format\": \"dd/mm/yyyy\"}]}",
			"fields[0].format: unknown date format"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"date\", \"format\": \"%Q\"}]}",
			"fields[0].format: unsupported directive %Q"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"date\", \"format\": \"%Y-%j\"}]}",
			"fields[0].format: unsupported directive %j"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"date\", \"format\": \"%Y%\"}]}",
			"fields[0].format: unsupported directive %?"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"integer\", \"constraints\": {\"pattern\": "
		 "\"x\"}}]}",
			"fields[0].constraints.pattern: constraint pattern is not supported by type integer"},
		{"{\"fields\": [{\"name\": \"a\", \"constraints\": {\"required\": \"yes\"}}]}",
			"fields[0].constraints.required: expected true or false, got \"yes\""},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"string\", \"constraints\": {\"pattern\": "
		 "\"[a-\"}}]}",
			"fields[0].constraints.pattern: pattern \"[a-\": invalid regular expression at "
			"character 4: missing terminating ] for character class"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"string\", \"constraints\": {\"pattern\": "
		 "\"([a-z]|é)\\\\1\"}}]}",
			"fields[0].constraints.pattern: pattern \"([a-z]|é)\\1\": backreferences, recursion "
			"and conditions are not supported in a pattern"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"string\", \"constraints\": {\"pattern\": "
		 "\"(\\\\i|x)*\\\\c\"}}]}",
			"fields[0].constraints.pattern: pattern \"(\\i|x)*\\c\": this XML Schema pattern can "
			"take exponential time to match"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"string\", \"constraints\": {\"minLength\": "
		 "5, \"maxLength\": 2}}]}",
			"minLength 5 is greater than maxLength 2"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"integer\", \"constraints\": {\"minimum\": "
		 "5, \"maximum\": 2}}]}",
			"minimum 5 is greater than maximum 2"},
		{"{\"fields\": [{\"name\": \"a\", \"type\": \"integer\", \"constraints\": {\"enum\": [1, "
		 "\"x\"]}}]}",
			"fields[0].constraints.enum[1]: expected an integer, got \"x\""},
		{"{\"fields\": [{\"name\": \"a\", \"decimalChar\": \"\"}]}", "fields[0].decimalChar"},
		{"{\"fields\": [{\"name\": \"a\", \"itemType\": \"geopoint\"}]}", "fields[0].itemType"},
		{"{\"fields\": [{\"name\": \"a\"}], \"primaryKey\": [\"a\", \"b\"]}",
			"primaryKey[1]: no field named \"b\" in the schema"},
		{"{\"fields\": [{\"name\": \"a\"}], \"uniqueKeys\": [\"a\"]}",
			"uniqueKeys[0]: expected an array of field names"},
		{"{\"fields\": [{\"name\": \"a\"}], \"fieldsMatch\": \"loose\"}",
			"fieldsMatch: expected one of exact, equal, subset, superset, partial"},
		{"{\"fields\": [{\"name\": \"a\"}], \"missingValues\": [1]}", "missingValues[0]"},
		{"{\"fields\": [{\"name\": \"a\"}, {\"name\": \"b\"}], \"foreignKeys\": [{\"fields\": "
		 "[\"a\", \"b\"], \"reference\": {\"fields\": \"a\"}}]}",
			"foreignKeys[0]: 2 fields refer to 1 reference fields"},
		{"{\"fields\": [{\"name\": \"a\"}], \"foreignKeys\": [{\"fields\": \"a\", "
		 "\"reference\": {\"fields\": \"zz\"}}]}",
			"foreignKeys[0].reference.fields: no field named \"zz\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = NULL;
		rc = load_text(cases[i].json, &s);
		if (rc != -1 || !has_message(cases[i].want))
			fail_msg("case %zu: want \"%s\", got rc %d \"%s\"", i, cases[i].want, rc,
				first_error());
		kp_schema_free(s);
	}
}

static void unknown_constraint_is_a_warning(void **state)
{
	(void)state;
	kp_schema *s = NULL;
	assert_int_equal(load_text("{\"fields\": [{\"name\": \"a\", \"constraints\": "
				   "{\"mustBeNice\": true}}]}",
				 &s),
		0);
	assert_int_equal(diags.len, 1);
	assert_int_equal(diags.items[0].severity, KP_SEV_WARNING);
	kp_schema_free(s);
}

static void keys_and_self_references(void **state)
{
	(void)state;
	kp_schema *s = NULL;
	int rc = load_text("{\"fields\": [{\"name\": \"id\"}, {\"name\": \"parent\"}, {\"name\": "
			   "\"y\"}], \"primaryKey\": [\"id\", \"y\"], \"uniqueKeys\": [[\"parent\", "
			   "\"y\"]], \"foreignKeys\": [{\"fields\": \"parent\", \"reference\": "
			   "{\"resource\": \"\", \"fields\": \"id\"}}]}",
		&s);
	assert_int_equal(rc, 0);
	assert_int_equal(s->primary_key.len, 2);
	assert_true(s->fields[2].constraints.required); /* primary key implies required */
	assert_int_equal(s->nunique_keys, 1);
	assert_int_equal(s->unique_keys[0].idx[1], 2);
	assert_int_equal(s->nforeign_keys, 1);
	kp_foreign_key *fk = &s->foreign_keys[0];
	assert_int_equal(fk->resource_index, -1);
	assert_int_equal(fk->fields.idx[0], 1);
	assert_int_equal(fk->reference_fields.len, 1);
	assert_int_equal(fk->reference_fields.idx[0], 0);
	kp_schema_free(s);
}

static void rules_are_parsed(void **state)
{
	(void)state;
	kp_schema *s = NULL;
	int rc = load_text(
		"{\"fields\": [{\"name\": \"item_id\"}, {\"name\": \"fiscal_year\", \"type\": "
		"\"year\"}, {\"name\": \"kind\"}, {\"name\": \"value\", \"type\": \"number\"}, "
		"{\"name\": \"unit\"}, {\"name\": \"stage\"}],"
		"\"rules\": ["
		"{\"id\": \"cumulative\", \"type\": \"non-decreasing\", \"field\": \"value\", "
		"\"groupBy\": \"item_id\", \"orderBy\": \"fiscal_year\", \"where\": {\"kind\": "
		"[\"累計\", \"cumulative\"]}, \"message\": \"累計の目標値が前年度より減っています\"},"
		"{\"id\": \"one-unit\", \"type\": \"consistent\", \"field\": \"unit\", \"groupBy\": "
		"[\"item_id\"], \"severity\": \"warning\"},"
		"{\"id\": \"stage\", \"type\": \"non-decreasing\", \"field\": \"stage\", \"groupBy\": "
		"[\"item_id\"], \"orderBy\": \"fiscal_year\", \"order\": [\"△\", \"□\", \"○\", "
		"\"◎\"], \"strict\": false}]}",
		&s);
	if (rc)
		fail_msg("%s", first_error());
	assert_int_equal(s->nrules, 3);
	kp_rule *r = &s->rules[0];
	assert_string_equal(r->id, "cumulative");
	assert_int_equal(r->type, KP_RULE_NON_DECREASING);
	assert_int_equal(r->field, 3);
	assert_int_equal(r->group_by.len, 1);
	assert_int_equal(r->group_by.idx[0], 0);
	assert_int_equal(r->order_by, 1);
	assert_int_equal(r->nwhere, 1);
	assert_int_equal(r->where[0].field, 2);
	assert_int_equal(r->where[0].values.len, 2);
	assert_string_equal(r->where[0].values.items[0], "累計");
	assert_non_null(r->message);
	r = &s->rules[1];
	assert_int_equal(r->type, KP_RULE_CONSISTENT);
	assert_int_equal(r->order_by, -1);
	assert_int_equal(r->severity, KP_SEV_WARNING);
	r = &s->rules[2];
	assert_int_equal(r->order.len, 4);
	assert_string_equal(r->order.items[3], "◎");
	kp_schema_free(s);

	const struct {
		const char *rules, *want;
	} bad[] = {
		{"[{\"type\": \"consistent\", \"field\": \"a\"}]", "rules[0]: missing required key \"id\""},
		{"[{\"id\": \"x\", \"type\": \"increasing\", \"field\": \"a\"}]",
			"rules[0].type: expected \"non-decreasing\" or \"consistent\""},
		{"[{\"id\": \"x\", \"type\": \"consistent\", \"field\": \"zz\"}]",
			"rules[0].field: no field named \"zz\""},
		{"[{\"id\": \"x\", \"type\": \"non-decreasing\", \"field\": \"a\"}]",
			"rules[0].orderBy: missing"},
		{"[{\"id\": \"x\", \"type\": \"consistent\", \"field\": \"a\", \"where\": {\"q\": "
		 "\"1\"}}]",
			"rules[0].where.q: no field named \"q\""},
		{"[{\"id\": \"x\", \"type\": \"consistent\", \"field\": \"a\"}, {\"id\": \"x\", "
		 "\"type\": \"consistent\", \"field\": \"a\"}]",
			"rules[1].id: duplicate rule id \"x\""},
		{"{}", "rules: expected an array of rule objects"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[1024];
		snprintf(text, sizeof text, "{\"fields\": [{\"name\": \"a\"}], \"rules\": %s}",
			bad[i].rules);
		s = NULL;
		rc = load_text(text, &s);
		if (rc != -1 || !has_message(bad[i].want))
			fail_msg("rule case %zu: want \"%s\", got \"%s\"", i, bad[i].want, first_error());
		kp_schema_free(s);
	}
}

static void limits(void **state)
{
	(void)state;
	/* 100,000 fields: loads, and lookups stay fast (hashed). */
	size_t n = 100000;
	json_t *fields = json_array();
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "f%zu", i);
		json_array_append_new(fields, json_pack("{s:s, s:s}", "name", name, "type", "integer"));
	}
	json_t *root = json_pack("{s:o}", "fields", fields);
	kp_schema *s = NULL;
	assert_int_equal(kp_schema_load_json(root, NULL, NULL, &s, &sink), 0);
	assert_int_equal(s->nfields, n);
	for (size_t i = 0; i < n; i += 997) {
		char name[32];
		snprintf(name, sizeof name, "f%zu", i);
		assert_int_equal(kp_schema_field_index(s, name), (long)i);
	}
	kp_schema_free(s);
	json_decref(root);

	/* A 20,000-character pattern compiles; one byte more is a clear error. */
	size_t plen = 20000;
	char *pat = malloc(plen + 2);
	memset(pat, 'a', plen);
	pat[plen] = '\0';
	root = json_pack("{s:[{s:s, s:s, s:{s:s}}]}", "fields", "name", "a", "type", "string",
		"constraints", "pattern", pat);
	s = NULL;
	assert_int_equal(kp_schema_load_json(root, NULL, NULL, &s, &sink), 0);
	kp_value v;
	assert_int_equal(kp_cast_cell(&s->fields[0], pat, plen, &v, NULL), KP_CAST_OK);
	assert_int_equal(kp_cast_check(&s->fields[0], &v, NULL), KP_CONSTRAINT_NONE);
	assert_int_equal(kp_cast_check(&s->fields[0], &(kp_value){.type = KP_TYPE_STRING, .text = "a",
							       .len = 1},
				 NULL),
		KP_CONSTRAINT_PATTERN);
	kp_schema_free(s);
	json_decref(root);
	pat[plen] = 'a';
	pat[plen + 1] = '\0';
	root = json_pack("{s:[{s:s, s:s, s:{s:s}}]}", "fields", "name", "a", "type", "string",
		"constraints", "pattern", pat);
	s = NULL;
	kp_diag_list_release(&diags);
	kp_diag_list_init(&diags);
	assert_int_equal(kp_schema_load_json(root, NULL, NULL, &s, &sink), -1);
	assert_true(has_message("fields[0].constraints.pattern: pattern is 20001 bytes long"));
	kp_schema_free(s);
	json_decref(root);
	free(pat);
}

static void deep_nesting_is_an_error_not_a_crash(void **state)
{
	(void)state;
	char *dir = make_dir();
	size_t depth = 100000;
	char *text = malloc(2 * depth + 64);
	size_t k = 0;
	k += (size_t)sprintf(text, "{\"fields\": ");
	for (size_t i = 0; i < depth; i++)
		text[k++] = '[';
	for (size_t i = 0; i < depth; i++)
		text[k++] = ']';
	strcpy(text + k, "}");
	write_file(dir, "deep.json", text);
	free(text);
	char path[512];
	snprintf(path, sizeof path, "%s/deep.json", dir);
	kp_schema *s = NULL;
	kp_diag_list_release(&diags);
	kp_diag_list_init(&diags);
	assert_int_equal(kp_schema_load_file(path, &s, &sink), -1);
	assert_true(has_message("invalid JSON"));
	assert_int_equal(diags.items[0].row, 1);
	kp_schema_free(s);

	/* Duplicate keys are an error too (which one would win is not obvious). */
	write_file(dir, "dup.json", "{\"fields\": [],\n \"fields\": []}");
	snprintf(path, sizeof path, "%s/dup.json", dir);
	s = NULL;
	assert_int_equal(kp_schema_load_file(path, &s, &sink), -1);
	assert_true(has_message("duplicate object key"));
	kp_schema_free(s);

	snprintf(path, sizeof path, "%s/absent.json", dir);
	s = NULL;
	assert_int_equal(kp_schema_load_file(path, &s, &sink), -1);
	kp_schema_free(s);
	remove_dir(dir);
}

static const char *package_json =
	"{\"name\": \"172014-gyozaisei-kaikaku\", \"title\": \"行財政改革実施計画\", "
	"\"keywords\": [\"行財政改革\"], \"licenses\": [{\"name\": \"CC-BY-4.0\"}],"
	"\"dcat\": {\"lg_code\": \"172014\", \"contact\": {\"email\": \"a@b.jp\"}},"
	"\"resources\": ["
	"{\"name\": \"items\", \"path\": \"items.csv\", \"format\": \"csv\", \"bytes\": 120, "
	"\"hash\": \"sha256:ab\", \"profile\": \"tabular-data-resource\", \"encoding\": "
	"\"utf-8\", \"schema\": \"items.schema.json\", \"dialect\": \"semicolon.json\"},"
	"{\"name\": \"targets\", \"path\": \"targets.csv\", \"schema\": {\"fields\": ["
	"{\"name\": \"item_id\"}, {\"name\": \"y\", \"type\": \"year\"}], \"foreignKeys\": "
	"[{\"fields\": \"item_id\", \"reference\": {\"resource\": \"items\", \"fields\": "
	"\"item_id\"}}]}}]}";

static const char *items_schema =
	"{\"fields\": [{\"name\": \"item_id\"}, {\"name\": \"parent\"}], \"primaryKey\": "
	"\"item_id\", \"foreignKeys\": [{\"fields\": \"parent\", \"reference\": {\"resource\": "
	"\"items\", \"fields\": \"item_id\"}}, {\"fields\": \"item_id\", \"reference\": "
	"{\"resource\": \"targets\", \"fields\": \"item_id\"}}]}";

static void package_loads_and_resolves_references(void **state)
{
	(void)state;
	char *dir = make_dir();
	write_file(dir, "datapackage.json", package_json);
	write_file(dir, "items.schema.json", items_schema);
	write_file(dir, "semicolon.json", "{\"delimiter\": \";\", \"header\": true}");
	kp_package *p = NULL;
	kp_diag_list_release(&diags);
	kp_diag_list_init(&diags);
	int rc = kp_schema_package_load(dir, &p, &sink); /* a folder works */
	if (rc)
		fail_msg("%s", first_error());
	assert_string_equal(p->name, "172014-gyozaisei-kaikaku");
	assert_string_equal(p->title, "行財政改革実施計画");
	assert_int_equal(p->keywords.len, 1);
	assert_non_null(p->dcat);
	assert_string_equal(kp_schema_pointer_string(p->json, "/dcat/lg_code"), "172014");
	assert_string_equal(kp_schema_pointer_string(p->json, "/dcat/contact/email"), "a@b.jp");
	assert_string_equal(kp_schema_pointer_string(p->json, "/licenses/0/name"), "CC-BY-4.0");
	assert_null(kp_schema_pointer(p->json, "/licenses/1"));
	assert_null(kp_schema_pointer(p->json, "/licenses/01"));
	assert_null(kp_schema_pointer(p->json, "/dcat/nope"));
	assert_int_equal(p->nresources, 2);
	kp_resource *r = &p->resources[0];
	assert_string_equal(r->name, "items");
	assert_string_equal(r->format, "csv");
	assert_string_equal(r->encoding, "utf-8");
	assert_int_equal(r->bytes, 120);
	assert_string_equal(r->hash, "sha256:ab");
	assert_string_equal(r->profile, "tabular-data-resource");
	assert_int_equal(p->resources[1].bytes, -1);
	assert_null(p->resources[1].hash);
	assert_string_equal(json_string_value(json_object_get(r->json, "path")), "items.csv");
	assert_int_equal(r->dialect.delimiter, ';');
	assert_int_equal(r->dialect.header, 1);
	assert_non_null(r->dialect.json);
	/* The descriptor itself is left as written (kplan-export re-emits it). */
	assert_true(json_is_string(json_object_get(r->json, "dialect")));
	assert_non_null(r->schema);
	char want[600];
	snprintf(want, sizeof want, "%s/items.csv", dir);
	assert_string_equal(r->full_path, want);
	/* Cycle: items → items (self), items → targets, targets → items. */
	assert_int_equal(r->schema->foreign_keys[0].resource_index, -1);
	assert_int_equal(r->schema->foreign_keys[1].resource_index, 1);
	assert_int_equal(r->schema->foreign_keys[1].reference_fields.idx[0], 0);
	kp_schema *ts = p->resources[1].schema;
	assert_int_equal(ts->foreign_keys[0].resource_index, 0);
	assert_int_equal(ts->foreign_keys[0].reference_fields.idx[0], 0);
	assert_int_equal(p->resources[1].dialect.delimiter, ',');
	assert_int_equal(kp_schema_package_resource(p, "targets"), 1);
	assert_int_equal(kp_schema_package_resource(p, "x"), -1);
	kp_schema_package_free(p);

	/* The same through the file path. */
	char path[600];
	snprintf(path, sizeof path, "%s/datapackage.json", dir);
	p = NULL;
	assert_int_equal(kp_schema_package_load(path, &p, &sink), 0);
	assert_string_equal(p->dir, dir);
	kp_schema_package_free(p);
	remove_dir(dir);
}

static void package_errors(void **state)
{
	(void)state;
	char *dir = make_dir();
	write_file(dir, "bad.schema.json", "{\"fields\": [{\"name\": \"a\", \"type\": 3}]}");
	write_file(dir, "datapackage.json",
		"{\"resources\": ["
		"{\"name\": \"a\", \"path\": \"../etc/passwd\", \"bytes\": -1},"
		"{\"name\": \"b\", \"path\": \"b.csv\", \"schema\": \"bad.schema.json\"},"
		"{\"name\": \"c\", \"path\": \"c.csv\", \"schema\": {\"fields\": [{\"name\": "
		"\"x\"}], \"foreignKeys\": [{\"fields\": \"x\", \"reference\": {\"resource\": "
		"\"zz\", \"fields\": \"x\"}}]}},"
		"{\"name\": \"c\", \"path\": \"http://example.com/c.csv\"},"
		"{\"name\": \"d\", \"path\": \"d.csv\", \"schema\": \"missing.json\", \"dialect\": "
		"{\"delimiter\": \";;\"}},"
		"{\"name\": \"e\", \"path\": \"e.csv\", \"schema\": {\"fields\": [{\"name\": "
		"\"x\"}], \"foreignKeys\": [{\"fields\": \"x\", \"reference\": {\"resource\": "
		"\"c\", \"fields\": \"nope\"}}]}}"
		"]}");
	kp_package *p = NULL;
	kp_diag_list_release(&diags);
	kp_diag_list_init(&diags);
	assert_int_equal(kp_schema_package_load(dir, &p, &sink), -1);
	assert_true(has_message("resources[0].path: path \"../etc/passwd\" must be a relative path"));
	assert_true(has_message("resources[0].bytes: expected a non-negative integer, got -1"));
	assert_true(has_message("fields[0].type: expected a string, got 3"));
	assert_true(has_message("resources[2].schema.foreignKeys[0].reference.resource: no resource "
				"named \"zz\""));
	assert_true(has_message("resources[3].name: duplicate resource name \"c\" (also resources[2])"));
	assert_true(has_message("resources[3].path: path \"http://example.com/c.csv\" is a URL"));
	assert_true(has_message("resources[4].dialect.delimiter: expected a one-character"));
	assert_true(has_message("resources[5].schema.foreignKeys[0].reference.fields: no field named "
				"\"nope\""));
	/* The external schema's errors name its own file. */
	int found = 0;
	for (size_t i = 0; i < diags.len; i++)
		if (strstr(diags.items[i].message, "type: expected a string") && diags.items[i].file &&
		    strstr(diags.items[i].file, "bad.schema.json"))
			found = 1;
	assert_true(found);
	kp_schema_package_free(p);

	write_file(dir, "datapackage.json", "{\"name\": 1}");
	p = NULL;
	assert_int_equal(kp_schema_package_load(dir, &p, &sink), -1);
	assert_true(has_message("missing required key \"resources\""));
	kp_schema_package_free(p);
	remove_dir(dir);
}

/* The shipped package loads cleanly, with its plan rules resolved across resources. */
static void kanazawa_plan_package_loads(void **state)
{
	(void)state;
	kp_package *p = NULL;
	kp_diag_list_release(&diags);
	kp_diag_list_init(&diags);
	int rc = kp_schema_package_load("schemas/kanazawa-plan", &p, &sink);
	if (rc || diags.len)
		fail_msg("%s: %s", diags.len ? diags.items[0].file : "", first_error());
	long t = kp_schema_package_resource(p, "targets");
	long it = kp_schema_package_resource(p, "items");
	assert_true(t >= 0 && it >= 0);
	kp_schema *ts = p->resources[t].schema, *is = p->resources[it].schema;
	assert_int_equal(ts->foreign_keys[0].resource_index, it);
	assert_int_equal(ts->nrules, 3);
	const kp_rule *cum = NULL;
	for (size_t i = 0; i < ts->nrules; i++)
		if (strcmp(ts->rules[i].id, "cumulative-target-never-decreases") == 0)
			cum = &ts->rules[i];
	assert_non_null(cum);
	assert_int_equal(cum->reference_key, 0);
	assert_int_equal(cum->nreference_where, 1);
	const kp_rule_where *w = &cum->reference_where[0];
	assert_int_equal(w->field, kp_schema_field_index(is, "title"));
	const char *yes = "地域コミュニティICT化推進員の育成人数（累計）";
	const char *no = "町会加入の促進";
	assert_true(kp_schema_rule_where_match(w, yes, strlen(yes)));
	assert_false(kp_schema_rule_where_match(w, no, strlen(no)));
	assert_int_equal(cum->nwhere, 1);
	assert_true(kp_schema_rule_where_match(&cum->where[0], "numeric", 7));
	assert_false(kp_schema_rule_where_match(&cum->where[0], "numeric2", 8));
	assert_false(kp_schema_rule_where_match(&cum->where[0], "", 0));
	kp_schema_package_free(p);
}

static void where_reference_errors(void **state)
{
	(void)state;
	char *dir = make_dir();
	write_file(dir, "datapackage.json",
		"{\"resources\": [{\"name\": \"items\", \"path\": \"i.csv\", \"schema\": "
		"{\"fields\": [{\"name\": \"no\"}]}}, {\"name\": \"t\", \"path\": \"t.csv\", "
		"\"schema\": {\"fields\": [{\"name\": \"no\"}, {\"name\": \"v\"}], "
		"\"foreignKeys\": [{\"fields\": \"no\", \"reference\": {\"resource\": \"items\", "
		"\"fields\": \"no\"}}], \"rules\": [{\"id\": \"a\", \"type\": \"consistent\", "
		"\"field\": \"v\", \"whereReference\": {\"resource\": \"items\", \"where\": "
		"{\"missing\": \"x\"}}}, {\"id\": \"b\", \"type\": \"consistent\", \"field\": "
		"\"v\", \"whereReference\": {\"resource\": \"other\", \"where\": {}}}, {\"id\": "
		"\"c\", \"type\": \"consistent\", \"field\": \"v\", \"where\": {\"v\": "
		"{\"pattern\": \"(\"}}}, {\"id\": \"d\", \"type\": \"consistent\", \"field\": "
		"\"v\", \"where\": {\"v\": 3}}]}}]}");
	kp_package *p = NULL;
	kp_diag_list_release(&diags);
	kp_diag_list_init(&diags);
	assert_int_equal(kp_schema_package_load(dir, &p, &sink), -1);
	assert_true(has_message("resources[1].schema.rules[0].whereReference.where.missing: no field "
				"named \"missing\" in the referenced schema"));
	assert_true(has_message("resources[1].schema.rules[1].whereReference.resource: no foreign key "
				"of this schema refers to resource \"other\""));
	assert_true(has_message("resources[1].schema.rules[2].where.v.pattern: pattern \""));
	assert_true(has_message("invalid regular expression at character"));
	assert_true(has_message("resources[1].schema.rules[3].where.v: expected a string, an array "
				"of strings or {\"pattern\": \"...\"}, got 3"));
	kp_schema_package_free(p);
	remove_dir(dir);
}

/* Every file of the fuzz corpus loads without crashing (the fuzz target's regression). */
static void fuzz_corpus_replays(void **state)
{
	(void)state;
	fuzz_replay("tests/fuzz/corpus/schema", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(loads_fields_and_options, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_carry_json_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_constraint_is_a_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(keys_and_self_references, setup, teardown),
		cmocka_unit_test_setup_teardown(rules_are_parsed, setup, teardown),
		cmocka_unit_test_setup_teardown(limits, setup, teardown),
		cmocka_unit_test_setup_teardown(deep_nesting_is_an_error_not_a_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(package_loads_and_resolves_references, setup, teardown),
		cmocka_unit_test_setup_teardown(package_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(kanazawa_plan_package_loads, setup, teardown),
		cmocka_unit_test_setup_teardown(where_reference_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(fuzz_corpus_replays, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
