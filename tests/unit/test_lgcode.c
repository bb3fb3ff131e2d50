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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_codes),
		cmocka_unit_test(wrong_check_digit_reports_expected),
		cmocka_unit_test(not_six_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
