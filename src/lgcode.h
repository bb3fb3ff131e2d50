/* lgcode — 全国地方公共団体コード (local government code): 2-digit prefecture +
 * 3-digit municipality + 1 check digit (JIS X 0401/0402). */
#ifndef KP_LGCODE_H
#define KP_LGCODE_H

#include <stddef.h>

enum kp_lgcode_result {
	KP_LGCODE_OK = 0,
	KP_LGCODE_NOT_SIX_DIGITS, /* not exactly six ASCII digits */
	KP_LGCODE_BAD_CHECK_DIGIT /* six digits whose last is not the check digit */
};

/* Check digit for the first five digits d[0..4] (ASCII): (11 - S mod 11) mod 10
 * with S = 6d1 + 5d2 + 4d3 + 3d4 + 2d5.  Returns the digit as 0..9. */
int kp_lgcode_check_digit(const char *five);

/* Classifies s[0..len).  When the check digit is wrong, *expected (if non-NULL) gets it. */
enum kp_lgcode_result kp_lgcode_check(const char *s, size_t len, int *expected);

#endif
