/* Unit tests for stage: safe file names, names shown in messages, and the staged
 * folder's life (open, create, carry, commit or release). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/stage.h"

static void test_safe_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int ok;
		const char *why;
	} cases[] = {
	    {"items", 1, NULL},
	    {"aed-list_2024.v2", 1, NULL},
	    {"施設一覧", 1, NULL},
	    {"Items", 1, NULL},
	    {"", 0, "it is empty"},
	    {"../../pwned", 0, "it holds a slash"},
	    {"a/b", 0, "it holds a slash"},
	    {"a\\b", 0, "it holds a slash"},
	    {"..", 0, "it starts with '.'"},
	    {".", 0, "it starts with '.'"},
	    {".hidden", 0, "it starts with '.'"},
	    {"trailing.", 0, "it ends with '.'"},
	    {"a b", 0, "it holds a space"},
	    {"a\tb", 0, "it holds a control character"},
	    {"a\x7f", 0, "it holds a control character"},
	    {"a:b", 0, "it holds a character other than letters, digits, '-', '_' and '.'"},
	    {"t\xE2\x80\xAEgnp.exe", 0, "it holds a space, control or invisible formatting character"},
	    {"a\xE3\x80\x80" "b", 0, "it holds a space, control or invisible formatting character"},
	    {"zw\xE2\x80\x8Bj", 0, "it holds a space, control or invisible formatting character"},
	    {"bom\xEF\xBB\xBF", 0, "it holds a space, control or invisible formatting character"},
	    {"c1\xC2\x85", 0, "it holds a space, control or invisible formatting character"},
	    {"bad\xFF", 0, "it is not valid UTF-8"},
	    {"over\xC0\xAF", 0, "it is not valid UTF-8"},
	    {"sur\xED\xA0\x80", 0, "it is not valid UTF-8"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = "unset";
		int ok = kp_stage_safe_name(cases[i].name, &why);
		if (ok != cases[i].ok || (cases[i].why && (!why || strcmp(why, cases[i].why) != 0)) ||
		    (!cases[i].why && why))
			fail_msg("case %zu (%s): ok %d why \"%s\"", i, cases[i].name, ok,
				 why ? why : "(null)");
	}
	char long_name[260];
	memset(long_name, 'a', 201);
	long_name[201] = '\0';
	assert_false(kp_stage_safe_name(long_name, NULL));
	long_name[200] = '\0';
	assert_true(kp_stage_safe_name(long_name, NULL));
}

static void test_show_name(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(kp_stage_show_name("t\xE2\x80\xAEgnp", buf, sizeof buf), "t<U+202E>gnp");
	assert_string_equal(kp_stage_show_name("a\nb\xFF", buf, sizeof buf), "a<U+000A>b<0xFF>");
	assert_string_equal(kp_stage_show_name("施設", buf, sizeof buf), "施設");
	char tiny[8];
	kp_stage_show_name("abcdefghijklmnop", tiny, sizeof tiny);
	assert_true(strlen(tiny) < sizeof tiny);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[256];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int entries(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void test_stage_life(void **state)
{
	(void)state;
	char top[] = "/tmp/kplan-test-stage-XXXXXX";
	assert_non_null(mkdtemp(top));
	char out[128], p[256];
	snprintf(out, sizeof out, "%s/out", top);
	kp_diag err;

	/* A new OUT: created, written, committed. */
	kp_stage s;
	assert_int_equal(kp_stage_open(&s, out, &err), 0);
	FILE *f = kp_stage_create(&s, "a.csv", &err);
	assert_non_null(f);
	fputs("one\n", f);
	assert_int_equal(kp_stage_close_file(f, "a.csv", &err), 0);
	const char *mine[] = {"a.csv"};
	assert_int_equal(kp_stage_carry(&s, mine, 1, &err), 0);
	assert_int_equal(kp_stage_commit(&s, NULL, &err), 0);
	kp_stage_release(&s);
	snprintf(p, sizeof p, "%s/a.csv", out);
	assert_string_equal(slurp(p), "one\n");
	assert_int_equal(entries(top), 1); /* only OUT: no stage left */

	/* The city's own files (and an old temporary of ours) beside the outputs. */
	snprintf(p, sizeof p, "%s/README.txt", out);
	put(p, "ours\n");
	snprintf(p, sizeof p, "%s/docs", out);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/docs/notes.txt", out);
	put(p, "notes\n");
	snprintf(p, sizeof p, "%s/.a.csv.tmpAbC123", out);
	put(p, "stale\n");

	/* Released without commit: OUT as it was, nothing beside it. */
	assert_int_equal(kp_stage_open(&s, out, &err), 0);
	f = kp_stage_create(&s, "a.csv", &err);
	fputs("two\n", f);
	assert_int_equal(kp_stage_close_file(f, "a.csv", &err), 0);
	kp_stage_release(&s);
	snprintf(p, sizeof p, "%s/a.csv", out);
	assert_string_equal(slurp(p), "one\n");
	assert_int_equal(entries(top), 1);

	/* Interrupted just before the exchange: nothing changes. */
	static volatile sig_atomic_t sig = 15;
	assert_int_equal(kp_stage_open(&s, out, &err), 0);
	f = kp_stage_create(&s, "a.csv", &err);
	fputs("two\n", f);
	assert_int_equal(kp_stage_close_file(f, "a.csv", &err), 0);
	assert_int_equal(kp_stage_commit(&s, &sig, &err), -1);
	assert_string_equal(err.code, "interrupted");
	kp_stage_release(&s);
	assert_string_equal(slurp(p), "one\n");

	/* Committed: new a.csv, README and docs/ kept, the stale temporary gone. */
	assert_int_equal(kp_stage_open(&s, out, &err), 0);
	assert_true(kp_stage_out_has_dir(&s, "docs"));
	assert_false(kp_stage_out_has_dir(&s, "a.csv"));
	f = kp_stage_create(&s, "a.csv", &err);
	fputs("two\n", f);
	assert_int_equal(kp_stage_close_file(f, "a.csv", &err), 0);
	assert_int_equal(kp_stage_carry(&s, mine, 1, &err), 0);
	assert_int_equal(kp_stage_commit(&s, NULL, &err), 0);
	kp_stage_release(&s);
	assert_string_equal(slurp(p), "two\n");
	snprintf(p, sizeof p, "%s/README.txt", out);
	assert_string_equal(slurp(p), "ours\n");
	snprintf(p, sizeof p, "%s/docs/notes.txt", out);
	assert_string_equal(slurp(p), "notes\n");
	snprintf(p, sizeof p, "%s/.a.csv.tmpAbC123", out);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(entries(top), 1);

	/* OUT is a file: an error naming it. */
	snprintf(p, sizeof p, "%s/file", top);
	put(p, "x");
	assert_int_equal(kp_stage_open(&s, p, &err), -1);
	assert_string_equal(err.code, "io-error");
	assert_non_null(strstr(err.message, "Not a directory"));

	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_safe_names),
	    cmocka_unit_test(test_show_name),
	    cmocka_unit_test(test_stage_life),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
