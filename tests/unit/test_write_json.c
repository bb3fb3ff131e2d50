#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/writer.h"

static const kp_wcol cols[] = {
    {.name = "id", .kind = KP_WK_INTEGER},
    {.name = "name", .kind = KP_WK_STRING},
    {.name = "ok", .kind = KP_WK_BOOLEAN},
    {.name = "v", .kind = KP_WK_NUMBER},
    {.name = "refs", .kind = KP_WK_INTEGER, .separator = ";"},
    {.name = "day", .kind = KP_WK_DATE},
};
static const kp_wtable table = {.name = "t", .file = "t.csv", .ncols = 6, .cols = cols};

#define CELL(str)                                                                                  \
	{                                                                                          \
		.s = str, .len = sizeof str - 1                                                    \
	}
#define NUL                                                                                        \
	{                                                                                          \
		.null = 1                                                                          \
	}

static char *run(const kp_wcell (*rows)[6], size_t nrows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	kp_diag err;
	kp_diag_clear(&err);
	kp_wopts o = {0};
	kp_writer *w = kp_write_json_ops.open(fp, &o, &err);
	assert_non_null(w);
	assert_int_equal(kp_write_json_ops.start(w, &table, &err), 0);
	for (size_t i = 0; i < nrows; i++)
		assert_int_equal(kp_write_json_ops.row(w, rows[i], (long)i + 2, &err), 0);
	assert_int_equal(kp_write_json_ops.finish(w, &err), 0);
	assert_int_equal(kp_write_json_ops.close(w, &err), 0);
	fclose(fp);
	return buf;
}

static void types_and_escapes(void **state)
{
	(void)state;
	const kp_wcell rows[][6] = {
	    {CELL("1"), CELL("a \"q\" \\ b\nc\t\x01"), CELL("true"), CELL("1.5"), CELL("1;3"),
	     CELL("2019-04-01")},
	    {CELL("2"), CELL("金沢市𠮷"), CELL("false"), CELL("-0.25"), NUL, NUL},
	    {CELL("3"), CELL(""), NUL, CELL("NaN"), CELL("7"), NUL},
	};
	char *out = run(rows, 3);
	assert_string_equal(
	    out, "[\n"
		 "{\"id\":1,\"name\":\"a \\\"q\\\" \\\\ b\\nc\\t\\u0001\",\"ok\":true,\"v\":1.5,"
		 "\"refs\":[1,3],\"day\":\"2019-04-01\"},\n"
		 "{\"id\":2,\"name\":\"金沢市𠮷\",\"ok\":false,\"v\":-0.25,\"refs\":null,\"day\":"
		 "null},\n"
		 "{\"id\":3,\"name\":\"\",\"ok\":null,\"v\":\"NaN\",\"refs\":[7],\"day\":null}\n"
		 "]\n");
	/* And it parses back to the same values. */
	json_error_t je;
	json_t *j = json_loads(out, 0, &je);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "name")),
			    "金沢市𠮷");
	assert_true(json_is_true(json_object_get(json_array_get(j, 0), "ok")));
	assert_int_equal(
	    json_integer_value(json_array_get(json_object_get(json_array_get(j, 0), "refs"), 1)),
	    3);
	json_decref(j);
	free(out);
}

/* A cell marked bare (a plain decimal the export's fast cast claimed) is copied as a
 * number; in a string or list column the mark changes nothing; unmarked numbers are
 * still checked (NaN stays a string, a leading '+' goes). */
static void bare_numbers_are_copied(void **state)
{
	(void)state;
	const kp_wcell rows[][6] = {
	    {{.s = "40524", .len = 5, .bare = 1}, {.s = "12", .len = 2, .bare = 1}, NUL,
	     {.s = "-0.25", .len = 5, .bare = 1}, {.s = "1;2", .len = 3, .bare = 1}, NUL},
	    {CELL("+7"), CELL("x"), NUL, CELL("INF"), NUL, NUL},
	};
	char *out = run(rows, 2);
	assert_string_equal(out, "[\n"
				 "{\"id\":40524,\"name\":\"12\",\"ok\":null,\"v\":-0.25,"
				 "\"refs\":[1,2],\"day\":null},\n"
				 "{\"id\":7,\"name\":\"x\",\"ok\":null,\"v\":\"INF\",\"refs\":null,"
				 "\"day\":null}\n"
				 "]\n");
	free(out);
}

static void empty_table_is_empty_array(void **state)
{
	(void)state;
	char *out = run(NULL, 0);
	assert_string_equal(out, "[\n]\n");
	free(out);
}

static void invalid_utf8_is_an_error_naming_the_cell(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	kp_diag err;
	kp_diag_clear(&err);
	kp_wopts o = {0};
	kp_writer *w = kp_write_json_ops.open(fp, &o, &err);
	assert_int_equal(kp_write_json_ops.start(w, &table, &err), 0);
	const kp_wcell row[6] = {CELL("1"), CELL("bad \"\xff\""), NUL, NUL, NUL, NUL};
	assert_int_equal(kp_write_json_ops.row(w, row, 9, &err), -1);
	assert_string_equal(err.code, "encoding-error");
	assert_int_equal(err.row, 9);
	assert_int_equal(err.column, 2);
	assert_string_equal(err.field, "name");
	kp_write_json_ops.close(w, &err);
	fclose(fp);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(types_and_escapes),
	    cmocka_unit_test(bare_numbers_are_copied),
	    cmocka_unit_test(empty_table_is_empty_array),
	    cmocka_unit_test(invalid_utf8_is_an_error_naming_the_cell),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
