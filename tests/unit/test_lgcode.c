#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/lgcode.h"

static void known_codes(void **state)
{
	(void)state;
	/* 金沢市, 石川県, and the r = 0 / r = 1 cases from the reference list. */
	static const char *const good[] = {"172014", "170003", "110001", "220001", "090000", "200000", "011011"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(kp_lgcode_check(good[i], 6, NULL), KP_LGCODE_OK);
}

static void wrong_check_digit_reports_expected(void **state)
{
	(void)state;
	int want = -1;
	assert_int_equal(kp_lgcode_check("172015", 6, &want), KP_LGCODE_BAD_CHECK_DIGIT);
	assert_int_equal(want, 4);
}

static void not_six_digits(void **state)
{
	(void)state;
	assert_int_equal(kp_lgcode_check("17201", 5, NULL), KP_LGCODE_NOT_SIX_DIGITS);
	assert_int_equal(kp_lgcode_check("17201a", 6, NULL), KP_LGCODE_NOT_SIX_DIGITS);
	assert_int_equal(kp_lgcode_check("1720144", 7, NULL), KP_LGCODE_NOT_SIX_DIGITS);
	assert_int_equal(kp_lgcode_check("\xef\xbc\x91\x37\x32", 5, NULL), KP_LGCODE_NOT_SIX_DIGITS);
}

/* 法人番号: 国税庁's own numbers pass, a changed check digit names the right one */
static void corporate_numbers(void **state)
{
	(void)state;
	int want = -1;
	assert_int_equal(kp_lgcode_corporate_check("7000012050002", 13, NULL), 1); /* 国税庁 */
	assert_int_equal(kp_lgcode_corporate_check("8700110005901", 13, NULL), 1);
	assert_int_equal(kp_lgcode_corporate_check("4000020172014", 13, NULL), 1); /* 金沢市 */
	assert_int_equal(kp_lgcode_corporate_check("5000020172014", 13, &want), 0);
	assert_int_equal(want, 4);
	assert_int_equal(kp_lgcode_corporate_check("400002017201", 12, NULL), -1);
	assert_int_equal(kp_lgcode_corporate_check("40000201720x4", 13, NULL), -1);
}

/* 総務省's list: loaded from the shipped file; 018201 passes the check digit, is no code */
static void code_list(void **state)
{
	(void)state;
	kp_lgcode_list l;
	char why[256];
	assert_int_equal(kp_lgcode_list_load(&l, "schemas/lgcodes/local-gov-codes.json",
					     why, sizeof why),
			 0);
	assert_int_equal(l.n, 1965);
	const kp_lgcode_entry *e = kp_lgcode_list_find(&l, "172014");
	assert_non_null(e);
	assert_string_equal(e->name, "石川県金沢市");
	assert_string_equal(e->pref_name, "石川県");
	assert_string_equal(e->city_name, "金沢市");
	assert_int_equal(kp_lgcode_check("018201", 6, NULL), KP_LGCODE_OK);
	assert_null(kp_lgcode_list_find(&l, "018201"));
	e = kp_lgcode_list_find(&l, "011029"); /* a ward of 札幌市 */
	assert_non_null(e);
	assert_string_equal(e->city_name, "札幌市北区");
	kp_lgcode_list_free(&l);
	assert_int_equal(kp_lgcode_list_load(&l, "/nonexistent.json", why, sizeof why), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_codes),
		cmocka_unit_test(wrong_check_digit_reports_expected),
		cmocka_unit_test(not_six_digits),
		cmocka_unit_test(corporate_numbers),
		cmocka_unit_test(code_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
