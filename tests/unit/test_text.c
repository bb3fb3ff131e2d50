#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/text.h"

static void decode_valid_and_invalid(void **state)
{
	(void)state;
	uint32_t cp = 0;
	assert_int_equal(kp_text_utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(kp_text_utf8_decode("金", 3, &cp), 3);
	assert_int_equal(cp, 0x91D1);
	assert_int_equal(kp_text_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
	/* overlong, surrogate, beyond U+10FFFF, truncated, lone continuation */
	assert_int_equal(kp_text_utf8_decode("\xC0\x80", 2, &cp), 0);
	assert_int_equal(kp_text_utf8_decode("\xE0\x80\x80", 3, &cp), 0);
	assert_int_equal(kp_text_utf8_decode("\xED\xA0\x80", 3, &cp), 0);
	assert_int_equal(kp_text_utf8_decode("\xF4\x90\x80\x80", 4, &cp), 0);
	assert_int_equal(kp_text_utf8_decode("\xE9\x87", 2, &cp), 0);
	assert_int_equal(kp_text_utf8_decode("\x80", 1, &cp), 0);
}

static void valid_reports_offset(void **state)
{
	(void)state;
	size_t bad = 99;
	assert_true(kp_text_utf8_valid("plain ascii text, long enough for the fast path", 47, &bad));
	assert_true(kp_text_utf8_valid("金沢市", 9, &bad));
	assert_false(kp_text_utf8_valid("abcdefghij\xE9klm", 14, &bad));
	assert_int_equal(bad, 10);
	assert_false(kp_text_utf8_valid("金\xE6\xB2", 5, &bad)); /* truncated at the end */
	assert_int_equal(bad, 3);
}

static void classes_from_the_table(void **state)
{
	(void)state;
	assert_int_equal(kp_text_class('A'), 0);
	assert_int_equal(kp_text_class(0x3042), 0); /* あ */
	assert_int_equal(kp_text_class(0x91D1), 0); /* 金 */
	assert_true(kp_text_class(0x2460) & KP_TEXT_PLATFORM);      /* ① */
	assert_true(kp_text_class(0x2161) & KP_TEXT_PLATFORM);      /* Ⅱ */
	assert_true(kp_text_class(0x3231) & KP_TEXT_PLATFORM);      /* ㈱ */
	assert_true(kp_text_class(0x32FF) & KP_TEXT_PLATFORM);      /* ㋿ */
	assert_true(kp_text_class(0x301C) & KP_TEXT_PLATFORM);      /* 〜 */
	assert_true(kp_text_class(0x2F00) & KP_TEXT_PLATFORM);      /* ⼀ Kangxi radical */
	assert_int_equal(kp_text_class(0x33A1), KP_TEXT_PLATFORM_INFO); /* ㎡ */
	assert_int_equal(kp_text_class(0x3300), KP_TEXT_PLATFORM);      /* ㌀ */
	assert_int_equal(kp_text_class(0xFF76), KP_TEXT_HALFWIDTH_KANA); /* ｶ */
	assert_int_equal(kp_text_class(0xFF21), KP_TEXT_FULLWIDTH_ALNUM); /* Ａ */
	assert_int_equal(kp_text_class(0xFF11), KP_TEXT_FULLWIDTH_ALNUM | KP_TEXT_FULLWIDTH_DIGIT);
	assert_int_equal(kp_text_class(0x3000), KP_TEXT_LAYOUT_SPACE);
	const kp_text_range *r = kp_text_range_of(0x33A1);
	assert_non_null(r);
	assert_string_equal(r->what, "unit symbol");
	assert_null(kp_text_range_of(0x3042));
}

static void scan_cell_spaces_and_classes(void **state)
{
	(void)state;
	kp_text_scan s;
	kp_text_scan_cell(" a", 2, &s);
	assert_true(s.ascii && s.lead_space && !s.trail_space && !s.inner_layout);
	kp_text_scan_cell("a b", 3, &s);
	assert_true(!s.lead_space && !s.trail_space && !s.inner_layout);
	kp_text_scan_cell("ab  cd ", 7, &s);
	assert_true(s.inner_layout && s.trail_space && !s.lead_space);
	kp_text_scan_cell("山田　太郎", 15, &s);
	assert_true(!s.ascii && s.valid && s.inner_layout && !s.lead_space && !s.trail_space);
	kp_text_scan_cell("　金沢", 9, &s);
	assert_true(s.lead_space);
	kp_text_scan_cell("第①期Ａ", 12, &s);
	assert_true(s.classes & KP_TEXT_PLATFORM);
	assert_int_equal(s.first[kp_text_class_index(KP_TEXT_PLATFORM)], 0x2460);
	assert_int_equal(s.first_at[kp_text_class_index(KP_TEXT_PLATFORM)], 3);
	assert_int_equal(s.first[kp_text_class_index(KP_TEXT_FULLWIDTH_ALNUM)], 0xFF21);
	kp_text_scan_cell("a\xFFz", 3, &s);
	assert_false(s.valid);
}

static void shift_jis_heuristic(void **state)
{
	(void)state;
	assert_true(kp_text_looks_sjis("\x8B\xE0\x91\xF2\x8E\x73", 6)); /* 金沢市 in CP932 */
	assert_false(kp_text_looks_sjis("caf\xE9 ol\xE9", 8));             /* Latin-1 */
	assert_false(kp_text_looks_sjis("Hist\xF3rico", 9));
	assert_false(kp_text_looks_sjis("金沢", 6)); /* UTF-8 */
	assert_false(kp_text_looks_sjis("ascii", 5));
}

static void bom_and_encode(void **state)
{
	(void)state;
	assert_int_equal(kp_text_bom_len("\xEF\xBB\xBFid", 5), 3);
	assert_int_equal(kp_text_bom_len("id", 2), 0);
	char b[5];
	assert_int_equal(kp_text_utf8_encode(0x2460, b), 3);
	assert_string_equal(b, "①");
	assert_int_equal(kp_text_utf8_encode('x', b), 1);
}

static void iconv_cp932(void **state)
{
	(void)state;
	kp_text_conv c;
	assert_int_equal(kp_text_conv_open(&c, "no-such-encoding-xyz"), -1);
	assert_int_equal(kp_text_conv_open(&c, "CP932"), 0);
	char out[32];
	size_t in = 6, outlen = sizeof out;
	assert_int_equal(kp_text_conv_run(&c, "\x8B\xE0\x91\xF2\x8E\x73", &in, out, &outlen), 0);
	assert_int_equal(in, 6);
	assert_int_equal(outlen, 9);
	assert_memory_equal(out, "金沢市", 9);
	/* an incomplete double-byte character at the end of the input */
	in = 3, outlen = sizeof out;
	assert_int_equal(kp_text_conv_run(&c, "\x8B\xE0\x91", &in, out, &outlen), 1);
	assert_int_equal(in, 2);
	kp_text_conv_close(&c);
	assert_true(kp_text_is_utf8_name("UTF-8"));
	assert_true(kp_text_is_utf8_name("utf8"));
	assert_false(kp_text_is_utf8_name("cp932"));
}

/* kp_text_plain never calls a cell plain that the full scan would flag, and it does
 * call ordinary Japanese and ASCII text plain. */
static void plain_agrees_with_scan(void **state)
{
	(void)state;
	static const char *const cells[] = {"", "a", "a b", "a  b", " a", "a ", "\ta", "a\t b",
		"金沢市", "中核市平均以下に抑制", "施行・本格実施・充実", "、。「」", "金沢　市",
		"①", "Ⅱ", "㈱", "㎡", "ｶﾅ", "Ａ１", "１", "〜", "～", "⻲", "é", "\xC2\xA0", "x\xE2\x80\x83y",
		"\xEF\xBB\xBFx", "\xF0\x9F\x98\x80", "\xE6\x97", "\xFF", "a\x01" "b", "年度/年",
		"40,524人", "対H25比", "\xE3\x80\x80", "\xE3\x8B\xBF"};
	int plain = 0;
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		const char *c = cells[i];
		size_t n = strlen(c);
		if (!kp_text_plain(c, n))
			continue;
		plain++;
		kp_text_scan sc;
		kp_text_scan_cell(c, n, &sc);
		if (sc.classes || sc.lead_space || sc.trail_space || sc.inner_layout || !sc.valid ||
		    sc.lost_mark)
			fail_msg("'%s' called plain, but the scan flags it", c);
	}
	assert_true(kp_text_plain("中核市平均以下に抑制", strlen("中核市平均以下に抑制")));
	assert_true(kp_text_plain("施行・本格実施・充実", strlen("施行・本格実施・充実")));
	assert_true(kp_text_plain("、。「」", strlen("、。「」")));
	assert_true(kp_text_plain("a b", 3));
	assert_false(kp_text_plain("金沢　市", strlen("金沢　市")));
	assert_false(kp_text_plain("Ａ１", strlen("Ａ１")));
	assert_true(plain >= 10);
}

/* '?' where a character was lost, and '?' as a question mark or in a URL */
static void lost_question_marks(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t at; /* byte offset + 1, or 0 */
	} cases[] = {
	    {"047?335?6481", 4},	{"caf?オレ", 4},	 {"株式会社?山", 13},
	    {"第?1回", 4},		{"ですか?", 0},	 {"本当? はい", 0},
	    {"https://x.jp/a?id=3", 0}, {"?", 0},	 {"what?", 0},
	    {"a?b", 0},		{"12?", 0},		 {"?12", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		kp_text_scan sc;
		kp_text_scan_cell(cases[i].s, strlen(cases[i].s), &sc);
		if (sc.lost_mark != cases[i].at)
			fail_msg("'%s': lost mark at %zu, want %zu", cases[i].s, sc.lost_mark,
				 cases[i].at);
		/* the quick answer never calls such a cell plain */
		if (cases[i].at)
			assert_false(kp_text_plain(cases[i].s, strlen(cases[i].s)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_valid_and_invalid),
		cmocka_unit_test(valid_reports_offset),
		cmocka_unit_test(classes_from_the_table),
		cmocka_unit_test(scan_cell_spaces_and_classes),
		cmocka_unit_test(shift_jis_heuristic),
		cmocka_unit_test(bom_and_encode),
		cmocka_unit_test(iconv_cp932),
		cmocka_unit_test(plain_agrees_with_scan),
		cmocka_unit_test(lost_question_marks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
