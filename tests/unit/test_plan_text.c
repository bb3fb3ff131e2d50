/* The plan importer's artefact repairs and cell grammar, case by case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/plan.h"
#include "../../src/plan_int.h"

static void check_clean(const char *in, const char *want, const char *want_notes)
{
	kp_plan_ints notes = {0};
	char *got = kp_plan_text_clean(in, strlen(in), &notes);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("clean('%s') = '%s', want '%s'", in, got, want);
	char buf[64] = "";
	size_t o = 0;
	for (size_t i = 0; i < notes.len; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%d", i ? ";" : "", notes.v[i]);
	assert_string_equal(buf, want_notes);
	free(got);
	kp_plan_ints_release(&notes);
}

static void spaced_letters(void **state)
{
	(void)state;
	check_clean("S N S を活用した", "SNSを活用した", "");
	check_clean("P a r k-P F I ※21 制度等の活用検討", "Park-PFI制度等の活用検討", "21");
	check_clean("P P P ※19 / P F I ※20 整備手法", "PPP/PFI整備手法", "19;20");
	check_clean("P P P / P F I手法", "PPP/PFI手法", "");
	check_clean("手書きA Iを活用します", "手書きAIを活用します", "");
	check_clean("G P S 及びスマートフォン", "GPS及びスマートフォン", "");
	check_clean("R P A", "RPA", "");
	/* ordinary words are left alone */
	check_clean("Information and Communication Technology の略。",
		    "Information and Communication Technology の略。", "");
	check_clean("Total Cost Ownership の略", "Total Cost Ownership の略", "");
	check_clean("AIやIoTを活用", "AIやIoTを活用", "");
	/* a single letter is not a spaced word */
	check_clean("ビタミン C の", "ビタミン C の", "");
	/* digits are never joined */
	check_clean("4 5 6", "4 5 6", "");
}

static void footnote_marks_and_spaces(void **state)
{
	(void)state;
	check_clean("ICT ※1 化推進員", "ICT化推進員", "1");
	check_clean("善隣館 ※2 活動の活性化", "善隣館活動の活性化", "2");
	check_clean("TCO※15の削減", "TCOの削減", "15");
	check_clean("word ※3 word", "word word", "3");
	check_clean("オープンデータ ※9 ポータルサイト ※10 の再構築",
		    "オープンデータポータルサイトの再構築", "9;10");
	check_clean("※ だけ", "※ だけ", ""); /* ※ without a number is text */
	check_clean("  両端の  空白\u3000 ", "両端の空白", "");
	check_clean("(累計)", "（累計）", "");
	check_clean("A  B", "AB", ""); /* collapsed to "A B", then a spaced pair */
}

static void html_fragments(void **state)
{
	(void)state;
	kp_plan_flat f;
	char why[200];
	const char *s = "<p>テキスト&amp;記号&lt;x&gt;</p>";
	assert_int_equal(kp_plan_html_flatten(s, strlen(s), &f, why, sizeof why), 0);
	char *c = kp_plan_text_clean(kp_plan_buf_str(&f.intro), f.intro.len, NULL);
	assert_string_equal(c, "テキスト&記号<x>");
	free(c);
	assert_int_equal(f.nparts, 0);
	kp_plan_flat_release(&f);

	s = "<ul style=\"list-style-type: none\"> <li>・一 【a】</li> <li>・二</li> </ul>";
	assert_int_equal(kp_plan_html_flatten(s, strlen(s), &f, why, sizeof why), 0);
	assert_int_equal(f.nparts, 2);
	assert_string_equal(kp_plan_buf_str(&f.parts[0]), "・一 【a】");
	assert_string_equal(kp_plan_buf_str(&f.parts[1]), "・二");
	kp_plan_flat_release(&f);

	s = "名称<sup>※12</sup>型&nbsp;の";
	assert_int_equal(kp_plan_html_flatten(s, strlen(s), &f, why, sizeof why), 0);
	kp_plan_ints notes = {0};
	c = kp_plan_text_clean(kp_plan_buf_str(&f.intro), f.intro.len, &notes);
	assert_string_equal(c, "名称型の");
	assert_int_equal(notes.len, 1);
	assert_int_equal(notes.v[0], 12);
	free(c);
	kp_plan_ints_release(&notes);
	kp_plan_flat_release(&f);

	s = "<table><tr><td>x</td></tr></table>";
	assert_int_equal(kp_plan_html_flatten(s, strlen(s), &f, why, sizeof why), 1);
	assert_non_null(strstr(why, "<table>"));
	s = "m<sup>2</sup>";
	assert_int_equal(kp_plan_html_flatten(s, strlen(s), &f, why, sizeof why), 1);
	assert_non_null(strstr(why, "not a footnote mark"));
	s = "<ul><li>a<ul><li>b</li></ul></li></ul>";
	assert_int_equal(kp_plan_html_flatten(s, strlen(s), &f, why, sizeof why), 1);
	assert_non_null(strstr(why, "nested"));
}

static void departments(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} ok[] = {
	    {"人事課、情報政策課", "人事課;情報政策課"},
	    {"総務課・企業局企業総務課", "総務課;企業局企業総務課"},
	    {"市民協働推進課 市民課", "市民協働推進課;市民課"},
	    {" 農業水産振興課 中央卸売市場事務局　公設花き地方卸売市場事務局 ",
	     "農業水産振興課;中央卸売市場事務局;公設花き地方卸売市場事務局"},
	    {"オリンピック関連事業推進室", "オリンピック関連事業推進室"},
	    {"こども総合相談センター", "こども総合相談センター"},
	    {"緑と花の課", "緑と花の課"},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char *out = NULL, why[200];
		assert_int_equal(kp_plan_split_departments(ok[i].in, &out, why, sizeof why), 0);
		assert_string_equal(out, ok[i].out);
		free(out);
	}
	static const char *const bad[] = {"道路・河川課", "市民協働推進課 市民", "", "担当なし"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *out = NULL, why[200];
		assert_int_equal(kp_plan_split_departments(bad[i], &out, why, sizeof why), 1);
		assert_null(out);
	}
}

static void figures(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		kp_plan_kind kind;
		int stage;
		const char *value, *unit, *per, *qualifier, *basis, *text;
	} ok[] = {
	    {"30町会等/年", KP_PLAN_NUMERIC, 0, "30", "町会等", "年", "", "", ""},
	    {"1,500人", KP_PLAN_NUMERIC, 0, "1500", "人", "", "", "", ""},
	    {"70%程度", KP_PLAN_NUMERIC, 0, "70", "%", "", "程度", "", ""},
	    {"10%未満", KP_PLAN_NUMERIC, 0, "10", "%", "", "未満", "", ""},
	    {"154,000 t/年", KP_PLAN_NUMERIC, 0, "154000", "t", "年", "", "", ""},
	    {"対H25比 6%", KP_PLAN_NUMERIC, 0, "6", "%", "", "", "対H25比", ""},
	    {"97.0%以上", KP_PLAN_NUMERIC, 0, "97.0", "%", "", "以上", "", ""},
	    {"99.70%", KP_PLAN_NUMERIC, 0, "99.70", "%", "", "", "", ""},
	    {"70％程度", KP_PLAN_NUMERIC, 0, "70", "%", "", "程度", "", ""},
	    {"1,234,567件", KP_PLAN_NUMERIC, 0, "1234567", "件", "", "", "", ""},
	    {"0%", KP_PLAN_NUMERIC, 0, "0", "%", "", "", "", ""},
	    {"前年度よりも削減", KP_PLAN_TEXT, 0, "", "", "", "", "", "前年度よりも削減"},
	    {"職員定数を適正に管理", KP_PLAN_TEXT, 0, "", "", "", "", "", "職員定数を適正に管理"},
	    {"△", KP_PLAN_STAGE, 1, "", "", "", "", "", ""},
	    {"□", KP_PLAN_STAGE, 2, "", "", "", "", "", ""},
	    {"○", KP_PLAN_STAGE, 3, "", "", "", "", "", ""},
	    {"◎", KP_PLAN_STAGE, 4, "", "", "", "", "", ""},
	    {"-", KP_PLAN_NONE, 0, "", "", "", "", "", ""},
	    {"—", KP_PLAN_NONE, 0, "", "", "", "", "", ""},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		kp_plan_figure f;
		char why[300];
		if (kp_plan_figure_parse(ok[i].in, strlen(ok[i].in), 0, &f, why, sizeof why))
			fail_msg("'%s': %s", ok[i].in, why);
		assert_int_equal(f.kind, ok[i].kind);
		assert_int_equal(f.stage, ok[i].stage);
		assert_string_equal(f.value, ok[i].value);
		assert_string_equal(f.unit, ok[i].unit);
		assert_string_equal(f.per, ok[i].per);
		assert_string_equal(f.qualifier, ok[i].qualifier);
		assert_string_equal(f.basis, ok[i].basis);
		assert_string_equal(f.text, ok[i].text);
	}
	static const char *const bad[] = {
	    "30町会等/月",
	    "1,50人",
	    "12,3456人",
	    "1,000,00人",
	    "15人+",
	    "30%超",
	    "◎◎",
	    "○ △",
	    "abc",
	    "2地区※1",
	    "30 町会 等",
	    "対H25比",
	    "H25年度比で削減",
	    "<b>3</b>",
	    "10%未満を堅持",
	    "10人以上です",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		kp_plan_figure f;
		char why[300] = "";
		if (kp_plan_figure_parse(bad[i], strlen(bad[i]), 0, &f, why, sizeof why) != 1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_true(why[0] != '\0');
	}
}

static void annotations(void **state)
{
	(void)state;
	kp_plan_annotation a;
	char why[300];
	const char *s = "2017年実績(モデル事業)：19町会等/年 → 2022年目標：30町会等/年";
	assert_int_equal(kp_plan_annotation_parse(s, strlen(s), &a, why, sizeof why), 0);
	assert_int_equal(a.base_year, 2017);
	assert_string_equal(a.base_label, "モデル事業");
	assert_string_equal(a.base.value, "19");
	assert_string_equal(a.base.unit, "町会等");
	assert_string_equal(a.base.per, "年");
	assert_int_equal(a.goal_year, 2022);
	assert_string_equal(a.goal.value, "30");

	s = "2017年実績：8.3% → 2022年目標：10%未満を堅持";
	assert_int_equal(kp_plan_annotation_parse(s, strlen(s), &a, why, sizeof why), 0);
	assert_string_equal(a.goal.qualifier, "未満");
	assert_string_equal(a.goal.suffix, "を堅持");

	s = "2017年実績：90.6% → 2022年目標：中核市平均以下に抑制";
	assert_int_equal(kp_plan_annotation_parse(s, strlen(s), &a, why, sizeof why), 0);
	assert_int_equal(a.goal.kind, KP_PLAN_TEXT);
	assert_string_equal(a.goal.text, "中核市平均以下に抑制");

	s = "2017年実績：対H25比 4.6% → 2022年目標：対H25比 9%";
	assert_int_equal(kp_plan_annotation_parse(s, strlen(s), &a, why, sizeof why), 0);
	assert_string_equal(a.base.basis, "対H25比");
	assert_string_equal(a.base.value, "4.6");

	s = "2017年度実績:172,827 t/年→2024年度目標:151,000 t/年";
	assert_int_equal(kp_plan_annotation_parse(s, strlen(s), &a, why, sizeof why), 0);
	assert_string_equal(a.base.value, "172827");
	assert_int_equal(a.goal_year, 2024);

	static const char *const bad[] = {
	    "2017年：19人 → 2022年目標：30人",	 /* no 実績 */
	    "2017年実績：19人 2022年目標：30人", /* no arrow */
	    "2017年実績：19人 → 2022年：30人",	 /* no 目標 */
	    "2017年実績： → 2022年目標：30人",	 /* empty value */
	    "2017年実績：◎ → 2022年目標：30人",	 /* a stage is not a figure */
	    "17年実績：19人 → 2022年目標：30人", /* two-digit year */
	    "2017年実績：19人/月 → 2022年目標：30人",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (kp_plan_annotation_parse(bad[i], strlen(bad[i]), &a, why, sizeof why) != 1)
			fail_msg("'%s' was accepted", bad[i]);
}

static void document_check(void **state)
{
	(void)state;
	long line;
	long long off;
	long col;
	char what[300];
#define CHECK(t) kp_plan_text_check(t, sizeof t - 1, &line, &col, &off, what, sizeof what)
	const char ok[] = "\xEF\xBB\xBF" "a\r\nb\tc\n日本語 &amp; &lt;p&gt; &#12354; R&D\n";
	assert_int_equal(CHECK(ok), 0);
	const char bad[] = "a\nb\r\nc\rd\xff";
	assert_int_equal(CHECK(bad), -1);
	assert_int_equal(line, 4);
	assert_int_equal(col, 2);
	assert_int_equal(off, 8);
	assert_string_equal(what, "invalid UTF-8: save the document as UTF-8");
	const char nul[] = "x\ny\0z";
	assert_int_equal(CHECK(nul), -1);
	assert_int_equal(line, 2);
	assert_int_equal(off, 3);
	/* surrogates and overlong forms */
	assert_int_equal(kp_plan_text_check("\xED\xA0\x80", 3, &line, &col, &off, what, sizeof what), -1);
	assert_int_equal(kp_plan_text_check("\xE0\x80\xAF", 3, &line, &col, &off, what, sizeof what), -1);
	/* C1 controls, text-direction and invisible characters, written or referenced */
	static const struct {
		const char *text;
		long line, col;
		const char *says;
	} refused[] = {
	    {"\xC2\x85", 1, 1, "U+0085, a C1 control character"},
	    {"名前\xE2\x80\xAE", 1, 3, "U+202E, an invisible text-direction override"},
	    {"a\n1 &#150; 2", 2, 3, "\"&#150;\" stands for a C1 control character"},
	    {"&#x202E;", 1, 1, "\"&#x202E;\" stands for an invisible text-direction override"},
	    {"&#x7F;", 1, 1, "\"&#x7F;\" stands for the control character DEL"},
	    {"&#x85;", 1, 1, "\"&#x85;\" stands for a C1 control"},
	    {"&#xFEFF;", 1, 1, "\"&#xFEFF;\" stands for a byte order mark inside the text"},
	    {"&#x2028;", 1, 1, "\"&#x2028;\" stands for a line or paragraph separator"},
	    {"&#0;", 1, 1, "\"&#0;\" stands for a NUL"},
	    {"&#xD800;", 1, 1, "\"&#xD800;\" stands for a surrogate"},
	    {"&#x110000;", 1, 1, "\"&#x110000;\" stands for no character"},
	    {"用語 &bogus; です", 1, 4, "unknown entity \"&bogus;\""},
	    {"x\n<!DOCTYPE x [<!ENTITY a \"b\">]>", 2, 1, "a markup declaration"},
	    {"\xEF\xBF\xBD", 1, 1, "U+FFFD, the replacement character"},
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		int rc = kp_plan_text_check(refused[i].text, strlen(refused[i].text), &line, &col, &off,
					    what, sizeof what);
		if (rc != -1 || line != refused[i].line || col != refused[i].col ||
		    !strstr(what, refused[i].says))
			fail_msg("case %zu: rc %d at %ld:%ld \"%s\"", i, rc, line, col, what);
	}
#undef CHECK
}

static void full_width_folding(void **state)
{
	(void)state;
	kp_plan_buf b;
	kp_plan_buf_init(&b);
	const char *s = "（３）ＡＢｃ１２３　全角";
	assert_int_equal(kp_plan_text_fold(&b, s, strlen(s)), 0);
	assert_string_equal(kp_plan_buf_str(&b), "（3）ABc123　全角");
	kp_plan_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(spaced_letters), cmocka_unit_test(footnote_marks_and_spaces),
	    cmocka_unit_test(html_fragments), cmocka_unit_test(departments),
	    cmocka_unit_test(figures),	      cmocka_unit_test(annotations),
	    cmocka_unit_test(document_check), cmocka_unit_test(full_width_folding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
