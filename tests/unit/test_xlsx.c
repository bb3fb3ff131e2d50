/* xlsx: cell names, and the fuzz corpus (tests/fuzz/corpus/xlsx) replayed as regression
 * tests: a whole package (seed-*.xlsx) is read to the end with every cell's length its
 * text's; the values seed gives the values the integration test expects. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/rows.h"
#include "../../src/xlsx.h"

static void cell_names(void **state)
{
	(void)state;
	char b[24];
	kp_xlsx_cell_name(1, 1, b, sizeof b);
	assert_string_equal(b, "A1");
	kp_xlsx_cell_name(26, 7, b, sizeof b);
	assert_string_equal(b, "Z7");
	kp_xlsx_cell_name(27, 7, b, sizeof b);
	assert_string_equal(b, "AA7");
	kp_xlsx_cell_name(KP_XLSX_MAX_COLS, KP_XLSX_MAX_ROWS, b, sizeof b);
	assert_string_equal(b, "XFD1048576");
	kp_xlsx_cell_name(0, 4, b, sizeof b);
	assert_string_equal(b, "4:4");
}

static int count(void *ctx, const kp_diag *d)
{
	(void)d;
	(*(long *)ctx)++;
	return 0;
}

static void values_seed(void **state)
{
	(void)state;
	long n = 0;
	kp_rows_opts o = {.csv = {.sink = {count, &n}}};
	kp_diag err;
	kp_rows *r = kp_rows_open("tests/fuzz/corpus/xlsx/seed-values.xlsx", &o, &err);
	assert_non_null(r);
	assert_string_equal(kp_rows_sheet(r), "施設一覧");
	kp_csvrecord rec;
	assert_int_equal(kp_rows_next(r, &rec), 1);
	assert_int_equal(rec.number, 1);
	assert_int_equal(rec.ncells, 9);
	assert_string_equal(rec.cells[1].data, "名称");
	assert_int_equal(kp_rows_next(r, &rec), 1);
	assert_string_equal(rec.cells[1].data, "金沢市役所"); /* no furigana */
	assert_string_equal(rec.cells[2].data, "2024-04-01");
	assert_string_equal(rec.cells[3].data, "12:00:00");
	assert_string_equal(rec.cells[4].data, "2024-04-01T18:00:00");
	assert_string_equal(rec.cells[5].data, "0.3");
	assert_string_equal(rec.cells[7].data, "TRUE");
	assert_int_equal(rec.cells[8].len, 0);
	int rc;
	long rows = 2;
	while ((rc = kp_rows_next(r, &rec)) == 1)
		rows++;
	assert_int_equal(rc, 0);
	assert_int_equal(rows, 5);
	assert_int_equal(n, 1); /* the line break in I3 */
	kp_rows_free(r);
}

static void corpus_replay(void **state)
{
	(void)state;
	DIR *dir = opendir("tests/fuzz/corpus/xlsx");
	assert_non_null(dir);
	struct dirent *de;
	int seen = 0;
	while ((de = readdir(dir))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 5, ".xlsx") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "tests/fuzz/corpus/xlsx/%s", de->d_name);
		long n = 0;
		kp_rows_opts o = {.csv = {.sink = {count, &n}}, .book_findings = 1};
		kp_diag err;
		kp_rows *r = kp_rows_open(path, &o, &err);
		if (!r)
			continue;
		kp_csvrecord rec;
		while (kp_rows_next(r, &rec) == 1)
			for (size_t i = 0; i < rec.ncells; i++)
				assert_int_equal(strlen(rec.cells[i].data), rec.cells[i].len);
		kp_rows_free(r);
		seen++;
	}
	closedir(dir);
	assert_true(seen > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cell_names),
		cmocka_unit_test(values_seed),
		cmocka_unit_test(corpus_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
