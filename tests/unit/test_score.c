/* score: harunobu's deductions per level, FATAL to 0, warnings that pass, unscored rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/score.h"

static void add(kp_score *s, kp_severity sev, const char *rule)
{
	kp_diag d;
	kp_diag_set(&d, sev, "x", "x");
	d.rule = rule;
	kp_score_add(s, &d);
}

static void deductions(void **state)
{
	(void)state;
	kp_score s;
	kp_score_init(&s);
	assert_int_equal(kp_score_level(&s, 1), 100);
	add(&s, KP_SEV_ERROR, "L1-03");   /* CRITICAL: -10 */
	add(&s, KP_SEV_ERROR, "L1-03");   /* once per rule */
	add(&s, KP_SEV_WARNING, "L1-04"); /* MAJOR: -5, warnings fail */
	add(&s, KP_SEV_ERROR, "L2-06");   /* MAJOR in L2: -30 */
	add(&s, KP_SEV_ERROR, "L2-05");   /* MAJOR: -30 */
	add(&s, KP_SEV_ERROR, "L2-04");   /* CRITICAL: -40 → 0 at most */
	add(&s, KP_SEV_WARNING, "L3-09"); /* MAJOR in L3: -10 */
	assert_int_equal(kp_score_level(&s, 1), 85);
	assert_int_equal(kp_score_level(&s, 2), 0);
	assert_int_equal(kp_score_level(&s, 3), 90);
	kp_score_sev sev;
	assert_string_equal(kp_score_failed(&s, 0, &sev), "L1-03");
	assert_int_equal(sev, KP_SCORE_CRITICAL);
	assert_string_equal(kp_score_failed(&s, 1, &sev), "L1-04");
	assert_null(kp_score_failed(&s, 6, &sev));
}

static void fatal_and_exceptions(void **state)
{
	(void)state;
	kp_score s;
	kp_score_init(&s);
	add(&s, KP_SEV_WARNING, "L1-08"); /* UTF-8: harunobu passes with warnings */
	add(&s, KP_SEV_WARNING, "L1-12"); /* a merge above the header passes */
	add(&s, KP_SEV_ERROR, "L1-09");   /* not scored without AI */
	add(&s, KP_SEV_ERROR, "L3-08");   /* not scored */
	add(&s, KP_SEV_INFO, "L1-02");    /* infos never fail */
	add(&s, KP_SEV_ERROR, NULL);
	add(&s, KP_SEV_ERROR, "L9-99");
	add(&s, KP_SEV_ERROR, "L1-16");
	assert_int_equal(kp_score_level(&s, 1), 100);
	assert_int_equal(kp_score_level(&s, 3), 100);
	assert_null(kp_score_failed(&s, 0, NULL));
	add(&s, KP_SEV_ERROR, "L1-08"); /* a CP932 CSV: CRITICAL */
	assert_int_equal(kp_score_level(&s, 1), 90);
	add(&s, KP_SEV_ERROR, "L1-12"); /* a data merge: FATAL at run time */
	assert_int_equal(kp_score_level(&s, 1), 0);
	kp_score_sev sev;
	assert_string_equal(kp_score_failed(&s, 1, &sev), "L1-12");
	assert_string_equal(kp_score_sev_name(sev), "FATAL");
	add(&s, KP_SEV_ERROR, "L3-01"); /* a title row */
	assert_int_equal(kp_score_level(&s, 3), 0);
	assert_int_equal(kp_score_level(&s, 2), 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deductions),
		cmocka_unit_test(fatal_and_exceptions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
