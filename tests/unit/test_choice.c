/* choice: spelling variants of a choice (L2-04), その他 details (L2-05), free text dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/choice.h"

static void add(kp_choice *c, size_t col, long *row, const char *s, int times)
{
	while (times-- > 0)
		kp_choice_add(c, col, (*row)++, s, strlen(s));
}

static void variants(void **state)
{
	(void)state;
	kp_choice *c = kp_choice_new(2);
	assert_non_null(c);
	long row = 2;
	add(c, 0, &row, "取組済", 30);
	add(c, 0, &row, "取組予定", 30);
	add(c, 0, &row, "未定", 30);
	add(c, 0, &row, "取り組み予定", 2); /* reads 80 % like 取組予定 */
	add(c, 0, &row, "取組済（R6）", 1);  /* a note after the choice */
	add(c, 0, &row, "検討中", 1);        /* rare, but like no frequent value */
	kp_choice_variant v;
	assert_int_equal(kp_choice_variants(c, 0, &v), 1);
	assert_string_equal(v.rare, "取り組み予定");
	assert_string_equal(v.usual, "取組予定");
	assert_int_equal(v.rare_rows, 2);
	assert_int_equal(v.rare_first, 92);
	assert_int_equal(v.usual_rows, 30);
	assert_int_equal(v.others, 1); /* 取組済（R6） */
	/* too few cells: not judged */
	row = 2;
	add(c, 1, &row, "有", 10);
	add(c, 1, &row, "有り", 1);
	assert_int_equal(kp_choice_variants(c, 1, &v), 0);
	kp_choice_free(c);
}

static void free_text_dropped(void **state)
{
	(void)state;
	kp_choice *c = kp_choice_new(1);
	long row = 2;
	char name[32];
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "施設%02d", i);
		add(c, 0, &row, name, 1);
	}
	assert_true(kp_choice_active(c, 0)); /* dropped as choices, still counting その他 values */
	kp_choice_variant v;
	assert_int_equal(kp_choice_variants(c, 0, &v), 0);
	kp_choice_free(c);
}

static void others(void **state)
{
	(void)state;
	kp_choice *c = kp_choice_new(1);
	long row = 2;
	add(c, 0, &row, "その他", 5); /* the choice alone is fine */
	kp_choice_other o;
	assert_int_equal(kp_choice_others(c, 0, &o), 0);
	add(c, 0, &row, "その他: 委託のため", 1);
	assert_int_equal(kp_choice_others(c, 0, &o), 0); /* one such value */
	add(c, 0, &row, "その他（調査中）", 1);
	assert_int_equal(kp_choice_others(c, 0, &o), 1);
	assert_string_equal(o.first, "その他: 委託のため");
	assert_int_equal(o.first_row, 7);
	assert_int_equal(o.distinct, 2);
	kp_choice_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(variants),
		cmocka_unit_test(free_text_dropped),
		cmocka_unit_test(others),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
