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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting_follows_rfc4180),
		cmocka_unit_test(lf_and_quote_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
