/* Unit tests for standard: the shipped index loads, a header is taken for the standard
 * it is (and a table that is none falls back), and users' words name standards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/standard.h"

static kp_standards S;

static int load(void **state)
{
	(void)state;
	kp_diag err;
	kp_diag_clear(&err);
	return kp_standards_load(&S, "schemas/standard", &err);
}

static int unload(void **state)
{
	(void)state;
	kp_standards_free(&S);
	return 0;
}

/* The labels of standard key, as a header; drop removes its last columns. */
static size_t header_of(const char *key, const char **labels, size_t drop)
{
	size_t idx[8];
	assert_int_equal(kp_standard_find(&S, key, idx), 1);
	const kp_schema *s = S.items[idx[0]].schema;
	size_t n = s->nfields - drop;
	for (size_t i = 0; i < n; i++)
		labels[i] = s->fields[i].title ? s->fields[i].title : s->fields[i].name; /* owned by S */
	return n;
}

static void recognises_each_from_its_header(void **state)
{
	(void)state;
	assert_int_equal(S.n, 27);
	const char *labels[80];
	for (size_t i = 0; i < S.n; i++) {
		size_t n = header_of(S.items[i].key, labels, 0);
		kp_standard_match m;
		kp_standard_recognise(&S, labels, n, &m);
		if (m.index != (long)i)
			fail_msg("%s taken for %s", S.items[i].key,
				 m.index < 0 ? "none" : S.items[m.index].key);
		assert_int_equal(m.matched, n);
	}
}

static void partial_and_foreign_headers(void **state)
{
	(void)state;
	const char *labels[80];
	kp_standard_match m;
	/* the old AED list keeping 16 of its 22 columns: still itself */
	size_t n = header_of("08-aed-old", labels, 6);
	kp_standard_recognise(&S, labels, n, &m);
	assert_true(m.index >= 0);
	assert_string_equal(S.items[m.index].key, "08-aed-old");
	assert_int_equal(m.matched, 16);
	/* a few common columns are no standard */
	const char *few[] = {"名称", "住所", "緯度", "経度", "電話番号"};
	kp_standard_recognise(&S, few, 5, &m);
	assert_int_equal(m.index, -1);
	/* the plan's own table is none either */
	const char *plan[] = {"取組番号", "年度", "記載", "区分", "段階", "目標値", "単位"};
	kp_standard_recognise(&S, plan, 7, &m);
	assert_int_equal(m.index, -1);
	/* labels written with variants still match: ＿ for _, ― for ー */
	n = header_of("13-public_toilet-new", labels, 0);
	const char *v[80];
	memcpy(v, labels, n * sizeof *v);
	v[4] = "名称＿カナ";
	v[0] = "全国地方公共団体コ―ド";
	kp_standard_recognise(&S, v, n, &m);
	assert_string_equal(S.items[m.index].key, "13-public_toilet-new");
	assert_int_equal(m.matched, n);
}

static void words_name_standards(void **state)
{
	(void)state;
	size_t idx[64];
	assert_int_equal(kp_standard_find(&S, "08", idx), 2); /* both layouts */
	assert_int_equal(kp_standard_find(&S, "8", idx), 2);
	assert_int_equal(kp_standard_find(&S, "AED設置箇所一覧", idx), 2);
	assert_int_equal(kp_standard_find(&S, "08-aed-new", idx), 1);
	assert_string_equal(S.items[idx[0]].generation, "new");
	assert_int_equal(kp_standard_find(&S, "10", idx), 1); /* old layout only */
	assert_int_equal(kp_standard_find(&S, "99", idx), 0);
	assert_int_equal(kp_standard_find(&S, "aed", idx), 0);
}

static void broken_index_is_reported(void **state)
{
	(void)state;
	kp_standards s;
	kp_diag err;
	kp_diag_clear(&err);
	assert_int_equal(kp_standards_load(&s, "/nonexistent", &err), -1);
	assert_string_equal(err.code, "source-error");
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(recognises_each_from_its_header),
	    cmocka_unit_test(partial_and_foreign_headers),
	    cmocka_unit_test(words_name_standards),
	    cmocka_unit_test(broken_index_is_reported),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
