#include "lgcode.h"

int kp_lgcode_check_digit(const char *five)
{
	static const int weight[5] = {6, 5, 4, 3, 2};
	int sum = 0;
	for (int i = 0; i < 5; i++)
		sum += weight[i] * (five[i] - '0');
	return (11 - sum % 11) % 10;
}

enum kp_lgcode_result kp_lgcode_check(const char *s, size_t len, int *expected)
{
	if (len != 6)
		return KP_LGCODE_NOT_SIX_DIGITS;
	for (size_t i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return KP_LGCODE_NOT_SIX_DIGITS;
	int cd = kp_lgcode_check_digit(s);
	if (expected)
		*expected = cd;
	return cd == s[5] - '0' ? KP_LGCODE_OK : KP_LGCODE_BAD_CHECK_DIGIT;
}
