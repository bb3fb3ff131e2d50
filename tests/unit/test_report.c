/* report: findings grouped by code, rule and severity with bounded lists; hostile text
 * escaped; the excerpt read again from the file; the same input gives the same page;
 * a diagnostic's message cut on a character boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/report.h"

static void finding(kp_report *r, kp_severity sev, const char *code, const char *rule, long row,
	long col, const char *cell, const char *msg)
{
	kp_diag d;
	kp_diag_set(&d, sev, code, "%s", msg);
	d.rule = rule;
	kp_diag_at(&d, "t.csv", row, col, -1);
	if (cell)
		kp_diag_set_cell(&d, cell, strlen(cell));
	assert_int_equal(kp_report_finding(r, &d), 0);
}

/* The page for one table at path (NULL: no excerpt), as a string the caller frees. */
static char *page(kp_report *r, const char *path, int valid)
{
	kp_validate_stats st;
	memset(&st, 0, sizeof st);
	st.rows = 3;
	st.errors = valid ? 0 : 2;
	st.encoding = "UTF-8";
	kp_score sc;
	kp_score_init(&sc);
	kp_report_table_info ti = {"t.csv", path, NULL, "schema.json", &st, &sc, valid};
	assert_int_equal(kp_report_table(r, &ti), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	kp_report_html_opts o = {"kplan-validate", "0.1.0", valid, 0};
	assert_int_equal(kp_report_write_html(r, m, &o), 0);
	fclose(m);
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void groups_and_limits(void **state)
{
	(void)state;
	kp_report *r = kp_report_new();
	assert_non_null(r);
	for (long i = 0; i < 30; i++)
		finding(r, KP_SEV_ERROR, "type-error", NULL, i + 2, 1, "x", "\"x\" is not an integer: write digits");
	finding(r, KP_SEV_WARNING, "type-error", NULL, 5, 1, "y", "the same code, another severity");
	finding(r, KP_SEV_ERROR, "halfwidth-kana", "L1-08", 3, 2, "ｱ", "use full-width katakana");
	assert_int_equal(kp_report_count(r), 32);
	char *html = page(r, NULL, 0);
	/* three groups, with their whole counts; at most KP_REPORT_KEEP findings listed */
	assert_int_equal(count(html, "<details class=\"group\""), 3);
	assert_non_null(strstr(html, "data-code=\"type-error\" data-severity=\"error\" data-count=\"30\""));
	assert_non_null(strstr(html, "data-count=\"1\" data-rule=\"L1-08\""));
	assert_int_equal(count(html, "<li class=\"finding\""), KP_REPORT_KEEP + 2);
	assert_non_null(strstr(html, "and 10 more like these"));
	/* errors first, the most frequent first */
	assert_true(strstr(html, "data-count=\"30\"") < strstr(html, "data-rule=\"L1-08\""));
	assert_true(strstr(html, "data-rule=\"L1-08\"") < strstr(html, "data-severity=\"warning\""));
	/* the rule is named and explained; no script, a CSP */
	assert_non_null(strstr(html, "id=\"rule-L1-08\""));
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "Content-Security-Policy"));
	free(html);
	kp_report_free(r);
}

static void hostile_text(void **state)
{
	(void)state;
	kp_report *r = kp_report_new();
	finding(r, KP_SEV_ERROR, "type-error", NULL, 2, 1, "<script>alert(1)</script>",
		"\"<img src=x onerror=alert(2)>\" is not a number: 'quote' & more");
	char *html = page(r, NULL, 0);
	assert_null(strstr(html, "<script>alert"));
	assert_null(strstr(html, "<img"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&quot;&lt;img src=x onerror=alert(2)&gt;&quot;"));
	assert_non_null(strstr(html, "&#39;quote&#39; &amp; more"));
	free(html);
	kp_report_free(r);
}

static void excerpt(void **state)
{
	(void)state;
	char path[] = "/tmp/kp_report_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char csv[] = "番号,名称\r\n1,ひまわり\r\n2,ｱｵｿﾞﾗ\r\n3,\xE3\x80\x80さくら  \r\n";
	assert_int_equal(write(fd, csv, sizeof csv - 1), (ssize_t)(sizeof csv - 1));
	close(fd);
	kp_report *r = kp_report_new();
	finding(r, KP_SEV_ERROR, "halfwidth-kana", "L1-08", 3, 2, "ｱｵｿﾞﾗ", "use full-width katakana");
	finding(r, KP_SEV_ERROR, "padding-space", "L1-06", 4, 2, NULL, "trailing spaces: remove them");
	char *html = page(r, path, 0);
	/* the header and the rows found, the offending cells outlined */
	assert_non_null(strstr(html, "<th scope=\"col\">番号</th><th scope=\"col\">名称</th>"));
	assert_non_null(strstr(html, "<tr data-row=\"3\"><th scope=\"row\">3</th><td>2</td><td class=\"bad\"><mark>ｱｵｿﾞﾗ</mark></td>"));
	assert_null(strstr(html, "data-row=\"2\"><th")); /* row 2 has no finding */
	/* what nobody sees is shown: U+3000 and the trailing spaces */
	assert_non_null(strstr(html, "<span class=\"inv\">[U+3000]</span>さくら<span class=\"inv\">␣</span><span class=\"inv\">␣</span>"));
	/* the same input, the same bytes */
	kp_report *r2 = kp_report_new();
	finding(r2, KP_SEV_ERROR, "halfwidth-kana", "L1-08", 3, 2, "ｱｵｿﾞﾗ", "use full-width katakana");
	finding(r2, KP_SEV_ERROR, "padding-space", "L1-06", 4, 2, NULL, "trailing spaces: remove them");
	char *html2 = page(r2, path, 0);
	assert_string_equal(html, html2);
	free(html);
	free(html2);
	kp_report_free(r);
	kp_report_free(r2);
	unlink(path);
}

static void message_cut_on_a_character(void **state)
{
	(void)state;
	char big[3 * KP_DIAG_MESSAGE_MAX];
	size_t n = 0;
	while (n + 3 < sizeof big - 1) {
		memcpy(big + n, "\xE3\x81\x82", 3); /* あ */
		n += 3;
	}
	big[n] = '\0';
	kp_diag d;
	kp_diag_set(&d, KP_SEV_ERROR, "x", "x%s", big);
	size_t len = strlen(d.message);
	assert_true(len < sizeof d.message);
	/* ends with … after whole characters */
	assert_memory_equal(d.message + len - 3, "\xE2\x80\xA6", 3);
	assert_int_equal((len - 1 - 3) % 3, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(groups_and_limits),
	    cmocka_unit_test(hostile_text),
	    cmocka_unit_test(excerpt),
	    cmocka_unit_test(message_cut_on_a_character),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
