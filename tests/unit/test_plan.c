/* The plan parser on the real document (samples/kanazawa-2019/plan.md): the hard
 * cases item by item, layout variants that must not change anything, and broken
 * documents that must fail with the right line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "../../src/plan.h"
#include "../../src/status.h"
#include "plan_fixture.h"

static kp_plan plan;
static char *doc;

static int setup(void **state)
{
	(void)state;
	doc = sample_text();
	if (!doc)
		return -1;
	kp_diag err;
	return kp_plan_parse(doc, strlen(doc), "plan.md", &plan, &err) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	kp_plan_release(&plan);
	free(doc);
	return 0;
}

static const kp_plan_item *item(int no)
{
	assert_true(no >= 1 && (size_t)no <= plan.nitems);
	const kp_plan_item *it = &plan.items[no - 1];
	assert_int_equal(it->no, no);
	return it;
}

static void whole_document(void **state)
{
	(void)state;
	assert_int_equal(plan.nitems, 145);
	assert_int_equal(plan.nterms, 22);
	int policies = 0, groups = 0;
	const char *last_group = NULL;
	for (size_t i = 0; i < plan.nitems; i++) {
		const kp_plan_item *it = &plan.items[i];
		assert_int_equal(it->no, (int)i + 1);
		assert_int_equal(it->ntargets, 4);
		for (size_t y = 0; y < 4; y++)
			assert_int_equal(it->targets[y].fiscal_year, 2019 + (int)y);
		assert_non_null(it->description);
		assert_true(strlen(it->description) > 0);
		assert_non_null(it->departments);
		/* no artefacts left in any name or text */
		const char *texts[] = {it->title, it->description, it->departments};
		for (size_t k = 0; k < 3; k++) {
			assert_null(strstr(texts[k], "<"));
			assert_null(strstr(texts[k], "※"));
			assert_null(strstr(texts[k], "【"));
			assert_null(strstr(texts[k], "  "));
			assert_null(strstr(texts[k], "("));
		}
		if (it->policy_no > policies)
			policies = it->policy_no;
		if (it->group != last_group)
			groups++, last_group = it->group;
	}
	assert_int_equal(policies, 3);
	assert_int_equal(groups, 24);
	/* 9 推進項目 */
	int measures = 0, lp = 0, lm = 0;
	for (size_t i = 0; i < plan.nitems; i++)
		if (plan.items[i].policy_no != lp || plan.items[i].measure_no != lm) {
			measures++;
			lp = plan.items[i].policy_no, lm = plan.items[i].measure_no;
		}
	assert_int_equal(measures, 9);
}

static void item_1_heading_marks_and_annotation_label(void **state)
{
	(void)state;
	const kp_plan_item *it = item(1);
	assert_string_equal(it->policy, "市民協働と広域連携の推進");
	assert_string_equal(it->measure, "地域コミュニティの充実と市民協働の推進");
	assert_string_equal(it->group, "地域コミュニティの活性化");
	assert_string_equal(it->title, "地域コミュニティ活性化事業に取り組む町会等数");
	assert_true(it->priority);
	assert_true(it->numeric);
	assert_false(it->continued);
	assert_int_equal(it->line, 11);
	assert_int_equal(it->content_line, 35);
	assert_int_equal(it->baseline_year, 2017);
	assert_string_equal(it->baseline.value, "19");
	assert_string_equal(it->baseline.unit, "町会等");
	assert_string_equal(it->baseline.per, "年");
	assert_string_equal(it->baseline_note, "モデル事業");
	assert_int_equal(it->goal_year, 2022);
	assert_string_equal(it->goal.value, "30");
	assert_string_equal(it->goal_note, "");
	assert_string_equal(it->description,
			    "地域コミュニティ活性化推進計画に基づき、各校下（地区）の町会等への加入"
			    "促進や活性化に向けた取組を支援します。");
	assert_string_equal(it->targets[0].written, "30町会等/年");
	assert_int_equal(it->targets[0].fig.kind, KP_PLAN_NUMERIC);
	assert_string_equal(it->targets[0].fig.per, "年");
}

static void merged_34_to_36(void **state)
{
	(void)state;
	static const struct {
		int no;
		const char *title, *desc, *base, *goal, *unit, *per;
	} want[] = {
	    {34, "ごみ総排出量", "ごみ総排出量（一般家庭や事業所から排出される一般廃棄物の総量）",
	     "172827", "151000", "t", "年"},
	    {35, "資源化率", "資源化率（ごみ総排出量のうち資源化される割合）", "11.7", "26", "%",
	     ""},
	    {36, "焼却処理量", "焼却処理量（環境エネルギーセンターで処理される燃やすごみの重量）",
	     "148864", "106000", "t", "年"},
	};
	for (size_t i = 0; i < 3; i++) {
		const kp_plan_item *it = item(want[i].no);
		assert_string_equal(it->title, want[i].title);
		assert_string_equal(it->description, want[i].desc);
		assert_int_equal(it->content_line, 112);
		assert_string_equal(it->departments, "リサイクル推進課");
		assert_int_equal(it->baseline_year, 2017);
		assert_int_equal(it->goal_year, 2024);
		assert_string_equal(it->baseline.value, want[i].base);
		assert_string_equal(it->goal.value, want[i].goal);
		assert_string_equal(it->goal.unit, want[i].unit);
		assert_string_equal(it->goal.per, want[i].per);
		assert_true(it->continued && it->numeric);
		/* first year a number, then a text goal that continues */
		assert_int_equal(it->targets[0].fig.kind, KP_PLAN_NUMERIC);
		assert_int_equal(it->targets[1].fig.kind, KP_PLAN_TEXT);
		assert_false(it->targets[1].carried);
		for (size_t y = 2; y < 4; y++) {
			assert_int_equal(it->targets[y].fig.kind, KP_PLAN_TEXT);
			assert_true(it->targets[y].carried);
			assert_string_equal(it->targets[y].written, "");
			assert_string_equal(it->targets[y].fig.text, it->targets[1].fig.text);
		}
	}
	assert_string_equal(item(34)->targets[0].fig.value, "154000");
	assert_string_equal(item(34)->targets[0].fig.unit, "t");
	assert_string_equal(item(34)->targets[1].fig.text, "前年度よりも削減");
	assert_string_equal(item(35)->targets[1].fig.text, "前年度よりも増加");
}

static void merged_72_73_labelled_parts(void **state)
{
	(void)state;
	const kp_plan_item *a = item(72), *b = item(73);
	const char *shared = "オープンデータの多様な活用による行政の透明性の向上や、市民協働・企業"
			     "活動の活性化をめざし、公共データのオープンデータ化を推進します。";
	assert_string_equal(a->description, shared);
	assert_string_equal(b->description, shared);
	assert_int_equal(a->content_line, 208);
	assert_int_equal(b->content_line, 208);
	assert_string_equal(a->baseline.value, "912");
	assert_string_equal(a->goal.value, "1110");
	assert_string_equal(a->goal.unit, "件");
	assert_string_equal(b->baseline.value, "303");
	assert_string_equal(b->goal.value, "590");
	assert_string_equal(a->departments, "情報政策課");
	assert_string_equal(b->targets[3].fig.value, "590");
}

static void merged_89_90_with_qualifiers(void **state)
{
	(void)state;
	const kp_plan_item *a = item(89), *b = item(90);
	assert_int_equal(a->content_line, 270);
	assert_int_equal(b->content_line, 270);
	assert_string_equal(a->baseline.value, "41");
	assert_string_equal(a->baseline_note, "以上");
	assert_string_equal(a->goal.value, "45");
	assert_string_equal(a->goal_note, "以上");
	assert_string_equal(b->baseline.value, "65");
	assert_string_equal(b->goal.value, "70");
	assert_string_equal(b->departments, "市民税課");
	assert_string_equal(a->targets[0].fig.qualifier, "以上");
	assert_string_equal(b->targets[2].fig.value, "70");
	/* the next item keeps its own row */
	assert_int_equal(item(91)->content_line, 271);
	assert_null(strstr(a->description, "給与支払報告書）"));
}

static void item_10_goal_2021_and_dash(void **state)
{
	(void)state;
	const kp_plan_item *it = item(10);
	assert_true(it->continued);
	assert_int_equal(it->goal_year, 2021);
	assert_string_equal(it->goal.value, "54");
	assert_string_equal(it->goal.unit, "地区");
	assert_int_equal(it->targets[3].fig.kind, KP_PLAN_NONE);
	assert_string_equal(it->targets[3].written, "-");
	assert_false(it->targets[3].carried);
	assert_int_equal(item(20)->targets[3].fig.kind, KP_PLAN_NONE);
	assert_string_equal(item(20)->targets[3].written, "—");
}

static void item_37_basis(void **state)
{
	(void)state;
	const kp_plan_item *it = item(37);
	for (size_t y = 0; y < 4; y++) {
		assert_string_equal(it->targets[y].fig.basis, "対H25比");
		assert_string_equal(it->targets[y].fig.unit, "%");
	}
	assert_string_equal(it->targets[0].fig.value, "6");
	assert_string_equal(it->targets[3].fig.value, "9");
	assert_string_equal(it->baseline.value, "4.6");
	assert_string_equal(it->baseline_note, "対H25比");
	assert_string_equal(it->goal_note, "対H25比");
}

static void spaced_letters_and_footnotes(void **state)
{
	(void)state;
	assert_string_equal(item(110)->title, "PPP/PFI整備手法の活用検討");
	assert_int_equal(item(110)->nfootnotes, 2);
	assert_int_equal(item(110)->footnotes[0], 19);
	assert_int_equal(item(110)->footnotes[1], 20);
	assert_string_equal(
	    item(110)->description,
	    "公共施設等の建設、維持管理、運営等におけるPPP/PFI手法の活用を検討します。");
	for (size_t y = 0; y < 4; y++)
		assert_int_equal(item(110)->targets[y].fig.stage, 1);
	assert_string_equal(item(112)->title, "Park-PFI制度等の活用検討");
	assert_string_equal(item(75)->title, "SNSを活用した即時性の高い情報発信媒体の導入");
	assert_string_equal(item(104)->title,
			    "GPS及びスマートフォンを活用した道路補修等情報システムの導入検討");
	assert_string_equal(item(2)->title, "地域コミュニティICT化推進員の育成人数（累計）");
	assert_int_equal(item(2)->footnotes[0], 1);
	assert_string_equal(
	    item(77)->description,
	    "各種申請（支給認定申請書、現況届など）の入力業務に手書きAIを活用します。");
	/* a mark in the 実施内容 counts too */
	assert_int_equal(item(42)->nfootnotes, 1);
	assert_int_equal(item(42)->footnotes[0], 5);
	assert_int_equal(item(71)->nfootnotes, 2);
	assert_string_equal(plan.terms[13].term, "RPA");
	assert_string_equal(plan.terms[20].term, "Park-PFI");
	assert_int_equal(plan.terms[20].no, 21);
	assert_int_equal(plan.terms[21].line, 494);
}

static void item_113_first_year_blank(void **state)
{
	(void)state;
	const kp_plan_item *it = item(113);
	assert_int_equal(it->targets[0].fig.kind, KP_PLAN_NONE);
	assert_false(it->targets[0].carried);
	assert_string_equal(it->targets[0].written, "");
	assert_int_equal(it->targets[1].fig.stage, 4);
	assert_false(it->targets[1].carried);
	assert_int_equal(it->targets[2].fig.stage, 4);
	assert_true(it->targets[2].carried);
	assert_true(it->targets[3].carried);
}

static void text_goals_123_135(void **state)
{
	(void)state;
	static const struct {
		int no;
		const char *text;
	} want[] = {{123, "中核市平均以下に抑制"}, {135, "職員定数を適正に管理"}};
	for (size_t i = 0; i < 2; i++) {
		const kp_plan_item *it = item(want[i].no);
		assert_true(it->priority && it->continued && it->numeric);
		for (size_t y = 0; y < 4; y++) {
			assert_int_equal(it->targets[y].fig.kind, KP_PLAN_TEXT);
			assert_string_equal(it->targets[y].fig.text, want[i].text);
			assert_int_equal(it->targets[y].carried, y > 0);
		}
	}
	assert_string_equal(item(123)->goal_note, "中核市平均以下に抑制");
	assert_string_equal(item(123)->goal.value, "");
	assert_string_equal(item(123)->baseline.value, "90.6");
	assert_int_equal(item(135)->goal_year, 0);
	assert_string_equal(item(120)->goal_note, "未満を堅持");
	assert_string_equal(item(125)->targets[3].fig.value, "97.0");
	assert_true(item(125)->targets[3].carried);
}

static void item_65_stage_progression(void **state)
{
	(void)state;
	const kp_plan_item *it = item(65);
	for (size_t y = 0; y < 4; y++) {
		assert_int_equal(it->targets[y].fig.kind, KP_PLAN_STAGE);
		assert_int_equal(it->targets[y].fig.stage, (int)y + 1);
		assert_false(it->targets[y].carried);
	}
	assert_string_equal(it->targets[0].written, "△");
	assert_string_equal(it->targets[3].written, "◎");
}

static void departments_split(void **state)
{
	(void)state;
	assert_string_equal(item(4)->departments, "市民協働推進課;市民課");
	assert_string_equal(item(79)->departments, "情報政策課;人事課");
	assert_string_equal(item(134)->departments, "総務課;企業局企業総務課");
	assert_string_equal(item(143)->departments,
			    "農業水産振興課;中央卸売市場事務局;公設花き地方卸売市場事務局");
	assert_string_equal(item(140)->departments, "企業局経営企画課;関係課");
	assert_string_equal(item(115)->departments, "健康政策課;長寿福祉課");
}

static void content_after_heading_matches_older_table(void **state)
{
	(void)state;
	/* items 103–107 sit under 推進項目 (2); their 実施内容 comes after the (3) heading */
	assert_int_equal(item(103)->measure_no, 2);
	assert_int_equal(item(103)->content_line, 309);
	assert_string_equal(item(107)->departments, "教育総務課");
	assert_int_equal(item(108)->measure_no, 3);
	assert_int_equal(item(108)->content_line, 316);
	assert_string_equal(item(106)->group, "効率的な組織運営");
	assert_int_equal(item(29)->content_line, 107);
	assert_string_equal(item(29)->group, "市民協働による地域課題の解決");
}

/* ---- variants that must give the same plan ---- */

static void assert_same_plan(const kp_plan *a, const kp_plan *b)
{
	assert_int_equal(a->nitems, b->nitems);
	assert_int_equal(a->nterms, b->nterms);
	for (size_t i = 0; i < a->nitems; i++) {
		const kp_plan_item *x = &a->items[i], *y = &b->items[i];
		assert_string_equal(x->title, y->title);
		assert_string_equal(x->description, y->description);
		assert_string_equal(x->departments, y->departments);
		assert_string_equal(x->policy, y->policy);
		assert_string_equal(x->measure, y->measure);
		assert_string_equal(x->group, y->group);
		assert_int_equal(x->measure_no, y->measure_no);
		assert_int_equal(x->goal_year, y->goal_year);
		assert_string_equal(x->goal_note, y->goal_note);
		assert_int_equal(x->nfootnotes, y->nfootnotes);
		assert_int_equal(x->ntargets, y->ntargets);
		for (size_t t = 0; t < x->ntargets; t++) {
			assert_string_equal(x->targets[t].written, y->targets[t].written);
			assert_memory_equal(&x->targets[t].fig, &y->targets[t].fig,
					    sizeof x->targets[t].fig);
			assert_int_equal(x->targets[t].carried, y->targets[t].carried);
		}
	}
	for (size_t i = 0; i < a->nterms; i++) {
		assert_string_equal(a->terms[i].term, b->terms[i].term);
		assert_string_equal(a->terms[i].description, b->terms[i].description);
	}
}

static void parse_variant_same(char *text)
{
	assert_non_null(text);
	kp_plan v;
	kp_diag err;
	int rc = kp_plan_parse(text, strlen(text), "variant.md", &v, &err);
	if (rc)
		fail_msg("variant failed: line %ld: %s", err.row, err.message);
	assert_same_plan(&plan, &v);
	kp_plan_release(&v);
	free(text);
}

/* Replaces every occurrence at line starts: "#### (" and friends. */
static char *replace_all(const char *s, const char *old, const char *new_)
{
	char *cur = strdup(s), *next;
	while (cur && (next = replace_first(cur, old, new_)) != NULL) {
		free(cur);
		cur = next;
	}
	return cur;
}

static void layout_variants_give_same_plan(void **state)
{
	(void)state;
	parse_variant_same(map_lines(doc, "", "\r\n"));	   /* CRLF */
	parse_variant_same(map_lines(doc, "  \t ", "\n")); /* trailing white space */
	parse_variant_same(map_lines(doc, "", "\n\n"));	   /* a blank line after every line */
	parse_variant_same(map_lines(doc, "", "\r"));	   /* old Mac line ends */
	/* heading levels */
	char *t = replace_all(doc, "\n#### (", "\n## (");
	parse_variant_same(replace_all(t, "\n### ", "\n#### "));
	free(t);
	/* bracket widths and full-width digits in headings */
	t = replace_all(doc, "## (1)", "## （１）");
	char *t2 = replace_all(t, "## (2)", "## （２） ");
	parse_variant_same(replace_all(t2, "### 3 ", "### ３　"));
	free(t);
	free(t2);
	/* a UTF-8 byte-order mark */
	size_t n = strlen(doc);
	char *bom = malloc(n + 4);
	assert_non_null(bom);
	memcpy(bom, "\xEF\xBB\xBF", 3);
	memcpy(bom + 3, doc, n + 1);
	parse_variant_same(bom);
}

/* ---- broken documents ---- */

static void expect_error(char *text, long line, const char *fragment)
{
	assert_non_null(text);
	kp_plan v;
	kp_diag err;
	int rc = kp_plan_parse(text, strlen(text), "broken.md", &v, &err);
	free(text);
	assert_int_equal(rc, KP_EXIT_INVALID);
	assert_string_equal(err.code, "plan-error");
	assert_int_equal(err.severity, KP_SEV_ERROR);
	assert_string_equal(err.file, "broken.md");
	if (err.row != line || !strstr(err.message, fragment))
		fail_msg("got line %ld '%s', want line %ld with '%s'", err.row, err.message, line,
			 fragment);
	assert_int_equal(v.nitems, 0);
	assert_null(v.items);
}

static void missing_content_row(void **state)
{
	(void)state;
	/* line 40 is the 実施内容 of item 6 */
	expect_error(without_lines(doc, 40, 40), 34, "rows for 12 items");
	/* the whole 実施内容 table of items 43–55: the next one would be matched with them */
	expect_error(without_lines(doc, 137, 152), 177 - 16, "has 13 (items 43–55)");
}

static void truncated_documents(void **state)
{
	(void)state;
	/* cut inside the table of items 43–55 */
	expect_error(cut_at(doc, 131, 0), 122, "items 43–49 (table at line 122) have no 実施内容");
	/* cut inside an item row: the name survives, the year cells do not */
	expect_error(cut_at(doc, 136, 9), 136, "item 55 has no entry for any fiscal year");
	/* cut before the glossary: footnote marks have no entry */
	expect_error(cut_at(doc, 424, 0), 12, "refers to ※1, which has no entry");
	/* cut inside the glossary */
	expect_error(cut_at(doc, 494, 0), 375, "item 133 refers to ※22");
	/* cut after a 実施内容 header */
	expect_error(cut_at(doc, 35, 0), 34, "rows for 0 items");
}

static void binary_junk_and_bad_utf8(void **state)
{
	(void)state;
	expect_error(insert_at(doc, 200, 3, "\x01\x02junk", 6), 200, "binary data");
	char *t = insert_at(doc, 300, 0, "x", 1);
	assert_non_null(t);
	t[line_start(t, 300)] = '\0'; /* a NUL byte */
	size_t n = strlen(doc) + 1;
	kp_plan v;
	kp_diag err;
	assert_int_equal(kp_plan_parse(t, n, "broken.md", &v, &err), KP_EXIT_INVALID);
	assert_int_equal(err.row, 300);
	assert_non_null(strstr(err.message, "NUL"));
	assert_int_equal(err.offset, (long long)line_start(t, 300));
	free(t);
	/* invalid UTF-8: a lone continuation byte, a truncated sequence, an overlong form */
	expect_error(insert_at(doc, 77, 5, "\x80", 1), 77, "invalid UTF-8");
	expect_error(insert_at(doc, 250, 0, "\xE3\x81", 2), 250, "invalid UTF-8");
	expect_error(insert_at(doc, 3, 0, "\xC0\xAF", 2), 3, "invalid UTF-8");
	/* a binary file */
	expect_error(strdup("\x7F"
			    "ELF\x02\x01"),
		     1, "binary data");
}

static void unknown_forms(void **state)
{
	(void)state;
	expect_error(replace_first(doc, "30町会等/年", "30町会等/月"), 11, "unknown period");
	expect_error(replace_first(doc, "15人", "15人+"), 12, "unknown unit");
	expect_error(replace_first(doc, "1,500人", "1,50人"), 101, "malformed number");
	expect_error(replace_first(doc, "\t◎\t\t\t\n4\t", "\t◎?\t\t\t\n4\t"), 13,
		     "unknown cell form");
	expect_error(replace_first(doc, "### （3）広域連携", "### 広域連携"), 162,
		     "unknown heading");
	expect_error(replace_first(doc, "\n4\t町会加入", "\n5\t町会加入"), 14,
		     "item 5 follows item 3");
	expect_error(replace_first(doc, "1 重点\t", "1 最重点\t"), 11, "unknown mark");
	expect_error(replace_first(doc, "【2017年実績：69.2% →", "【2017年実績：69.2% ⇔"), 39,
		     "no arrow");
	expect_error(replace_first(doc, "\t市民協働推進課 市民課", "\t市民協働推進課 市民"), 38,
		     "not a division name");
	expect_error(replace_first(doc, "\t学校職員課\n", "\n"), 80, "without a 担当課");
	expect_error(replace_first(doc, "<p>情報政策課</p>", "<table>情報政策課</table>"), 207,
		     "unknown HTML element");
	expect_error(replace_first(doc, "### ※5 認知症", "### ※6 認知症"), 442, "※6 follows ※4");
	expect_error(strdup(""), 0, "no action items");
}

static void merged_parts_must_name_their_items(void **state)
{
	(void)state;
	/* the labels swapped: each part would go to the wrong item */
	char *t =
	    replace_first(doc, "(画像) 【2017年実績：912件", "(画像以外) 【2017年実績：912件");
	assert_non_null(t);
	expect_error(
	    replace_first(t, "(画像以外) 【2017年実績：303件", "(画像) 【2017年実績：303件"), 208,
	    "does not match item 72");
	free(t);
	/* one bullet too many */
	expect_error(
	    replace_first(
		doc, "</li> </ul>",
		"</li> <li>・粗大ごみ 【2017年実績：1 t/年 → 2024年目標：1 t/年】</li> </ul>"),
	    112, "part '粗大ごみ' of a merged 実施内容 cell does not match item 37");
	/* a second annotation without a label */
	expect_error(replace_first(doc, "(画像以外) 【", "【"), 208, "needs a label");
}

/* The fuzz corpus (tests/fuzz/corpus/plan): every input parses or fails cleanly. */
static void fuzz_corpus_replays(void **state)
{
	(void)state;
	char *dir = top_path("tests/fuzz/corpus/plan");
	assert_non_null(dir);
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char rel[512];
		snprintf(rel, sizeof rel, "tests/fuzz/corpus/plan/%s", e->d_name);
		size_t len;
		char *text = slurp(rel, &len);
		assert_non_null(text);
		kp_plan v;
		kp_diag err;
		int rc = kp_plan_parse(text, len, e->d_name, &v, &err);
		assert_true(rc == 0 || rc == KP_EXIT_INVALID);
		if (rc == 0)
			kp_plan_release(&v);
		else
			assert_string_equal(err.code, "plan-error");
		free(text);
		n++;
	}
	closedir(d);
	free(dir);
	assert_true(n >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(whole_document),
	    cmocka_unit_test(item_1_heading_marks_and_annotation_label),
	    cmocka_unit_test(merged_34_to_36),
	    cmocka_unit_test(merged_72_73_labelled_parts),
	    cmocka_unit_test(merged_89_90_with_qualifiers),
	    cmocka_unit_test(item_10_goal_2021_and_dash),
	    cmocka_unit_test(item_37_basis),
	    cmocka_unit_test(spaced_letters_and_footnotes),
	    cmocka_unit_test(item_113_first_year_blank),
	    cmocka_unit_test(text_goals_123_135),
	    cmocka_unit_test(item_65_stage_progression),
	    cmocka_unit_test(departments_split),
	    cmocka_unit_test(content_after_heading_matches_older_table),
	    cmocka_unit_test(layout_variants_give_same_plan),
	    cmocka_unit_test(missing_content_row),
	    cmocka_unit_test(truncated_documents),
	    cmocka_unit_test(binary_junk_and_bad_utf8),
	    cmocka_unit_test(unknown_forms),
	    cmocka_unit_test(merged_parts_must_name_their_items),
	    cmocka_unit_test(fuzz_corpus_replays),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
