/* The tables built from the plan: columns agree with schemas/kanazawa-plan, cells are
 * right, the committed samples equal a fresh import, JSON is typed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/plan.h"
#include "plan_fixture.h"

static kp_plan plan;
static kp_plan_table tabs[3];

static int setup(void **state)
{
	(void)state;
	char *doc = sample_text();
	if (!doc)
		return -1;
	kp_diag err;
	int rc = kp_plan_parse(doc, strlen(doc), "plan.md", &plan, &err);
	free(doc);
	if (rc)
		return -1;
	if (kp_plan_build_items(&plan, "172014", "石川県金沢市", &tabs[0]) ||
	    kp_plan_build_targets(&plan, &tabs[1]) || kp_plan_build_glossary(&plan, &tabs[2]))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++)
		kp_plan_table_release(&tabs[i]);
	kp_plan_release(&plan);
	return 0;
}

static size_t col(const kp_plan_table *t, const char *name)
{
	for (size_t c = 0; c < t->nfields; c++)
		if (strcmp(t->fields[c].name, name) == 0)
			return c;
	fail_msg("no field %s in %s", name, t->name);
	return 0;
}

static const char *cell(const kp_plan_table *t, size_t row, const char *name)
{
	return kp_plan_table_cell(t, row, col(t, name));
}

static const char *type_name(kp_plan_type t)
{
	switch (t) {
	case KP_PLAN_T_INTEGER:
		return "integer";
	case KP_PLAN_T_NUMBER:
		return "number";
	case KP_PLAN_T_BOOLEAN:
		return "boolean";
	case KP_PLAN_T_STRING:
		break;
	}
	return "string";
}

static void columns_match_schemas(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char rel[128];
		snprintf(rel, sizeof rel, "schemas/kanazawa-plan/%s.schema.json", tabs[i].name);
		char *text = slurp(rel, NULL);
		assert_non_null(text);
		json_error_t je;
		json_t *s = json_loads(text, 0, &je);
		free(text);
		assert_non_null(s);
		json_t *fields = json_object_get(s, "fields");
		assert_int_equal(json_array_size(fields), tabs[i].nfields);
		for (size_t c = 0; c < tabs[i].nfields; c++) {
			json_t *f = json_array_get(fields, c);
			assert_string_equal(json_string_value(json_object_get(f, "name")),
					    tabs[i].fields[c].name);
			assert_string_equal(json_string_value(json_object_get(f, "title")),
					    tabs[i].fields[c].title);
			assert_string_equal(json_string_value(json_object_get(f, "type")),
					    type_name(tabs[i].fields[c].type));
		}
		json_decref(s);
	}
	/* the package names the three resources with these schemas */
	char *text = slurp("schemas/kanazawa-plan/datapackage.json", NULL);
	assert_non_null(text);
	json_error_t je;
	json_t *p = json_loads(text, 0, &je);
	free(text);
	assert_non_null(p);
	json_t *res = json_object_get(p, "resources");
	assert_int_equal(json_array_size(res), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *r = json_array_get(res, i);
		char want[64];
		assert_string_equal(json_string_value(json_object_get(r, "name")), tabs[i].name);
		snprintf(want, sizeof want, "%s.csv", tabs[i].name);
		assert_string_equal(json_string_value(json_object_get(r, "path")), want);
		snprintf(want, sizeof want, "%s.schema.json", tabs[i].name);
		assert_string_equal(json_string_value(json_object_get(r, "schema")), want);
	}
	json_t *dcat = json_object_get(p, "dcat");
	assert_string_equal(json_string_value(json_object_get(dcat, "lg_code")), "172014");
	assert_string_equal(json_string_value(json_object_get(dcat, "temporal_start")),
			    "2019-04-01");
	assert_string_equal(json_string_value(json_object_get(dcat, "temporal_end")), "2023-03-31");
	json_decref(p);
}

static void row_counts_and_cells(void **state)
{
	(void)state;
	const kp_plan_table *it = &tabs[0], *tg = &tabs[1], *gl = &tabs[2];
	assert_int_equal(it->nrows, 145);
	assert_int_equal(tg->nrows, 580);
	assert_int_equal(gl->nrows, 22);
	assert_string_equal(cell(it, 0, "lg_code"), "172014");
	assert_string_equal(cell(it, 0, "lg_name"), "石川県金沢市");
	assert_string_equal(cell(it, 0, "priority"), "true");
	assert_string_equal(cell(it, 0, "baseline_unit"), "町会等/年");
	assert_string_equal(cell(it, 0, "baseline_note"), "モデル事業");
	assert_string_equal(cell(it, 33, "baseline_value"), "172827");
	assert_string_equal(cell(it, 33, "goal_unit"), "t/年");
	assert_string_equal(cell(it, 33, "goal_year"), "2024");
	assert_string_equal(cell(it, 1, "baseline_year"), ""); /* no annotation: empty, not 0 */
	assert_string_equal(cell(it, 109, "footnotes"), "19;20");
	assert_string_equal(cell(it, 70, "footnotes"), "9;10");
	assert_string_equal(cell(it, 3, "departments"), "市民協働推進課;市民課");
	assert_string_equal(cell(it, 122, "goal_note"), "中核市平均以下に抑制");
	assert_string_equal(cell(it, 122, "goal_value"), "");
	/* targets: item 113 (rows 448..451), item 37 (rows 144..147) */
	assert_string_equal(cell(tg, 448, "item_no"), "113");
	assert_string_equal(cell(tg, 448, "fiscal_year"), "2019");
	assert_string_equal(cell(tg, 448, "kind"), "none");
	assert_string_equal(cell(tg, 448, "carried"), "false");
	assert_string_equal(cell(tg, 449, "stage"), "4");
	assert_string_equal(cell(tg, 449, "stage_label"), "施行・本格実施・充実");
	assert_string_equal(cell(tg, 450, "written"), "");
	assert_string_equal(cell(tg, 450, "carried"), "true");
	assert_string_equal(cell(tg, 144, "basis"), "対H25比");
	assert_string_equal(cell(tg, 144, "value"), "6");
	assert_string_equal(cell(tg, 144, "stage"), "");
	assert_string_equal(cell(tg, 132, "value"), "154000");
	assert_string_equal(cell(tg, 132, "unit"), "t");
	assert_string_equal(cell(tg, 132, "per"), "年");
	assert_string_equal(cell(tg, 135, "text"), "前年度よりも削減");
	assert_string_equal(cell(gl, 13, "term"), "RPA");
	assert_string_equal(cell(gl, 21, "term_no"), "22");
}

/* CSV of a table in memory. */
static char *csv_of(const kp_plan_table *t, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	assert_non_null(fp);
	assert_int_equal(kp_plan_table_write_csv(t, fp, "\r\n"), 0);
	fclose(fp);
	return buf;
}

static void samples_equal_fresh_import(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		size_t n, m;
		char *fresh = csv_of(&tabs[i], &n);
		char rel[128];
		snprintf(rel, sizeof rel, SAMPLE_DIR "/%s.csv", tabs[i].name);
		char *committed = slurp(rel, &m);
		assert_non_null(committed);
		if (n != m || memcmp(fresh, committed, n) != 0)
			fail_msg("%s differs from a fresh import of plan.md (run kplan-import -o "
				 "%s %s/plan.md)",
				 rel, SAMPLE_DIR, SAMPLE_DIR);
		free(fresh);
		free(committed);
	}
}

static void csv_header_and_quoting(void **state)
{
	(void)state;
	size_t n;
	char *csv = csv_of(&tabs[2], &n);
	const char *want =
	    "用語番号,用語,説明\r\n1,ICT,Information and Communication Technology の略。";
	assert_memory_equal(csv, want, strlen(want));
	free(csv);
	csv = csv_of(&tabs[0], &n);
	/* a description with a comma-free Japanese text stays unquoted; the 、 is not a comma */
	assert_non_null(strstr(csv, "\r\n172014,石川県金沢市,1,1,市民協働と広域連携の推進,1,"));
	/* every line ends in CRLF, no bare LF */
	for (size_t i = 0; i < n; i++)
		if (csv[i] == '\n')
			assert_true(i > 0 && csv[i - 1] == '\r');
	free(csv);
}

static void json_is_typed(void **state)
{
	(void)state;
	json_t *a = kp_plan_table_to_json(&tabs[0]);
	assert_non_null(a);
	assert_int_equal(json_array_size(a), 145);
	json_t *r = json_array_get(a, 4); /* item 5: 69.2% → 72%程度 */
	assert_true(json_is_integer(json_object_get(r, "item_no")));
	assert_int_equal(json_integer_value(json_object_get(r, "item_no")), 5);
	assert_true(json_is_false(json_object_get(r, "priority")));
	assert_true(json_is_real(json_object_get(r, "baseline_value")));
	assert_true(json_real_value(json_object_get(r, "baseline_value")) == 69.2);
	assert_true(json_is_integer(json_object_get(r, "goal_value")));
	assert_string_equal(json_string_value(json_object_get(r, "goal_note")), "程度");
	assert_true(json_is_null(json_object_get(r, "footnotes")));
	assert_string_equal(json_string_value(json_object_get(r, "lg_code")), "172014");
	json_decref(a);
	a = kp_plan_table_to_json(&tabs[1]);
	r = json_array_get(a, 8); /* item 3, 2019: ◎ */
	assert_int_equal(json_integer_value(json_object_get(r, "stage")), 4);
	assert_true(json_is_null(json_object_get(r, "value")));
	assert_true(json_is_false(json_object_get(r, "carried")));
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(columns_match_schemas),
	    cmocka_unit_test(row_counts_and_cells),
	    cmocka_unit_test(samples_equal_fresh_import),
	    cmocka_unit_test(csv_header_and_quoting),
	    cmocka_unit_test(json_is_typed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
