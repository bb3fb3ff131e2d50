#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/writer.h"

static const kp_wcol cols[] = {
    {.name = "id", .title = "番号", .kind = KP_WK_INTEGER},
    {.name = "name", .title = "名称", .kind = KP_WK_STRING},
    {.name = "flag", .title = "重点", .kind = KP_WK_BOOLEAN},
    {.name = "type", .is_virtual = 1, .property_url = "rdf:type", .value_url = "ic:x"},
    {.name = "day", .title = "日付", .kind = KP_WK_DATE},
};
static const kp_wtable table = {.name = "t", .file = "t.csv", .ncols = 5, .cols = cols};

#define CELL(str)                                                                                  \
	{                                                                                          \
		.s = str, .len = sizeof str - 1                                                    \
	}
#define NUL                                                                                        \
	{                                                                                          \
		.null = 1                                                                          \
	}

static char *run(const kp_wopts *o, const kp_wcell (*rows)[5], size_t nrows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	kp_diag err;
	kp_diag_clear(&err);
	kp_writer *w = kp_write_csv_ops.open(fp, o, &err);
	assert_non_null(w);
	assert_int_equal(kp_write_csv_ops.start(w, &table, &err), 0);
	for (size_t i = 0; i < nrows; i++)
		assert_int_equal(kp_write_csv_ops.row(w, rows[i], (long)i + 2, &err), 0);
	assert_int_equal(kp_write_csv_ops.finish(w, &err), 0);
	assert_int_equal(kp_write_csv_ops.close(w, &err), 0);
	fclose(fp);
	return buf;
}

static void bom_crlf_titles_and_quoting(void **state)
{
	(void)state;
	const kp_wcell rows[][5] = {
	    {CELL("1"), CELL("a,b"), CELL("true"), NUL, CELL("2019-04-01")},
	    {CELL("-20"), CELL("say \"hi\""), CELL("false"), NUL, NUL},
	    {CELL("3"), CELL("two\r\nlines"), NUL, NUL, CELL("2022-03-31")},
	};
	kp_wopts o = {.bom = 1, .eol = "\r\n", .header_titles = 1};
	char *out = run(&o, rows, 3);
	assert_string_equal(out, "\xEF\xBB\xBF番号,名称,重点,日付\r\n"
				 "1,\"a,b\",true,2019-04-01\r\n"
				 "-20,\"say \"\"hi\"\"\",false,\r\n"
				 "3,\"two\r\nlines\",,2022-03-31\r\n");
	free(out);
}

static void no_bom_lf_names(void **state)
{
	(void)state;
	const kp_wcell rows[][5] = {{CELL("1500"), CELL("𠮷野家"), CELL("true"), NUL, NUL}};
	kp_wopts o = {.bom = 0, .eol = "\n", .header_titles = 0};
	char *out = run(&o, rows, 1);
	assert_string_equal(out, "id,name,flag,day\n1500,𠮷野家,true,\n");
	free(out);
}

static void empty_table_has_header(void **state)
{
	(void)state;
	kp_wopts o = {.eol = "\r\n", .header_titles = 1};
	char *out = run(&o, NULL, 0);
	assert_string_equal(out, "番号,名称,重点,日付\r\n");
	free(out);
}

static void list_items_split(void **state)
{
	(void)state;
	kp_wcell c = {.s = "1;22;;3", .len = 7};
	size_t pos = 0, n;
	const char *item;
	const char *want[] = {"1", "22", "", "3"};
	for (int i = 0; i < 4; i++) {
		assert_true(kp_writer_next_item(&c, ";", &pos, &item, &n));
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(item, want[i], n);
	}
	assert_false(kp_writer_next_item(&c, ";", &pos, &item, &n));
	kp_wcell e = {.s = "", .len = 0};
	pos = 0;
	assert_false(kp_writer_next_item(&e, ";", &pos, &item, &n));
}

static void kinds_and_xsd(void **state)
{
	(void)state;
	assert_int_equal(kp_writer_kind("integer"), KP_WK_INTEGER);
	assert_int_equal(kp_writer_kind("geopoint"), KP_WK_OTHER);
	assert_string_equal(kp_writer_xsd(KP_WK_NUMBER, "1.5", 3),
			    "http://www.w3.org/2001/XMLSchema#decimal");
	assert_string_equal(kp_writer_xsd(KP_WK_NUMBER, "1.5E3", 5),
			    "http://www.w3.org/2001/XMLSchema#double");
	assert_string_equal(kp_writer_xsd(KP_WK_YEAR, "2019", 4),
			    "http://www.w3.org/2001/XMLSchema#gYear");
	assert_null(kp_writer_xsd(KP_WK_STRING, "x", 1));
	assert_ptr_equal(kp_writer_find("rdf"), &kp_write_rdf_ops);
	assert_null(kp_writer_find("xlsx"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bom_crlf_titles_and_quoting),
	    cmocka_unit_test(no_bom_lf_names),
	    cmocka_unit_test(empty_table_has_header),
	    cmocka_unit_test(list_items_split),
	    cmocka_unit_test(kinds_and_xsd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
