#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/csvout.h"

static void quoting_follows_rfc4180(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	kp_csvout w;
	kp_csvout_init(&w, fp, "\r\n");
	kp_csvout_str(&w, "plain");
	kp_csvout_str(&w, "a,b");
	kp_csvout_str(&w, "say \"hi\"");
	kp_csvout_str(&w, "two\nlines");
	kp_csvout_str(&w, NULL);
	kp_csvout_str(&w, " padded");
	kp_csvout_str(&w, "金沢市");
	kp_csvout_end_row(&w);
	kp_csvout_cell(&w, "abc", 2);
	kp_csvout_end_row(&w);
	assert_int_equal(kp_csvout_status(&w), 0);
	fclose(fp);
	assert_string_equal(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,\" padded\",金沢市\r\nab\r\n");
	free(buf);
}

static void lf_and_quote_all(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	kp_csvout w;
	kp_csvout_init(&w, fp, "\n");
	w.quote_all = 1;
	kp_csvout_str(&w, "x");
	kp_csvout_str(&w, "");
	kp_csvout_end_row(&w);
	fclose(fp);
	assert_string_equal(buf, "\"x\",\"\"\n");
	free(buf);
}

/* kp_csvout_format (the buffer form export's CSV writer uses) writes each cell exactly
 * as kp_csvout_cell does, quoted or not. */
static void format_matches_cell(void **state)
{
	(void)state;
	static const char *const cells[] = {"", "plain", "a,b", "say \"hi\"", "\"", "two\nlines",
		"cr\rhere", " lead", "trail ", "\ttab", "tab\t", "mid dle", "金沢市", "x\"", ",",
		"40524", "-0.5"};
	for (int all = 0; all <= 1; all++)
		for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *fp = open_memstream(&buf, &len);
			kp_csvout w;
			kp_csvout_init(&w, fp, "\n");
			w.quote_all = all;
			kp_csvout_str(&w, cells[i]);
			fclose(fp);
			size_t n = strlen(cells[i]);
			char *dst = malloc(2 * n + 2);
			size_t got = kp_csvout_format(dst, cells[i], n, all);
			assert_int_equal(got, len);
			assert_memory_equal(dst, buf, len);
			free(dst);
			free(buf);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting_follows_rfc4180),
		cmocka_unit_test(lf_and_quote_all),
		cmocka_unit_test(format_matches_cell),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
