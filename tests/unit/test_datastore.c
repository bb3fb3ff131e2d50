#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/datastore.h"

static void types_follow_the_table_schema(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
	    {"string", "text"},	 {"integer", "int8"},	{"number", "numeric"},
	    {"boolean", "bool"}, {"date", "date"},	{"datetime", "timestamp"},
	    {"year", "int4"},	 {"yearmonth", "text"}, {"object", "json"},
	    {"list", "text"},	 {"nonsense", "text"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		assert_string_equal(kp_ds_pg_type(pairs[i][0]), pairs[i][1]);
	assert_string_equal(kp_ds_pg_type(NULL), "text");
}

static char *cell(const char *type, const char *text)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	assert_int_equal(kp_ds_cell_json(&buf, &len, &cap, type, text, strlen(text)), 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static void cells_become_json_values(void **state)
{
	(void)state;
	static const char *const cases[][3] = {
	    /* type, cell, JSON */
	    {"integer", "", "null"},
	    {"string", "", "null"},
	    {"integer", "42", "42"},
	    {"integer", "-7", "-7"},
	    {"integer", "007", "\"007\""}, /* not JSON: PostgreSQL decides */
	    {"integer", "12345678901234567890",
	     "\"12345678901234567890\""},     /* too long for a double */
	    {"number", "36.2311", "36.2311"}, /* as written, exactly */
	    {"number", "1e-3", "1e-3"},
	    {"number", "NaN", "\"NaN\""},
	    {"boolean", "true", "true"},
	    {"boolean", "false", "false"},
	    {"boolean", "はい", "\"はい\""},
	    {"object", "{\"a\":1}", "{\"a\":1}"},
	    {"object", "{broken", "\"{broken\""},
	    {"string", "松本城\"公園\"\\", "\"松本城\\\"公園\\\"\\\\\""},
	    {"string", "改行\r\nあり\t", "\"改行\\u000d\\u000aあり\\u0009\""},
	    {"date", "2026-04-01", "\"2026-04-01\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *j = cell(cases[i][0], cases[i][1]);
		assert_string_equal(j, cases[i][2]);
		free(j);
	}
}

static void cells_append(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	assert_int_equal(kp_ds_cell_json(&buf, &len, &cap, "integer", "1", 1), 0);
	assert_int_equal(kp_ds_cell_json(&buf, &len, &cap, "string", "a", 1), 0);
	assert_int_equal(kp_ds_cell_json(&buf, &len, &cap, "string", "", 0), 0);
	assert_string_equal(buf, "1\"a\"null");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(types_follow_the_table_schema),
	    cmocka_unit_test(cells_become_json_values),
	    cmocka_unit_test(cells_append),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
