#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <dirent.h>

#include "../../src/files.h"
#include "../../src/relink.h"
#include "../fuzz/fuzz_relink.c"
#include "fuzz_replay.h"

/* Writes text to a temporary file, relinks it with m, returns the copy's text. */
static char *relink_text(const kp_relink *m, const char *text, size_t *replaced)
{
	char src[] = "/tmp/kplan-test-relink-XXXXXX";
	int fd = mkstemp(src);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char *out = NULL, *data = NULL;
	size_t len;
	kp_diag err = {0};
	assert_int_equal(kp_relink_file(m, src, &out, replaced, &err), 0);
	assert_int_equal(kp_files_read_all(out, 1 << 20, &data, &len, &err), 0);
	unlink(out);
	unlink(src);
	free(out);
	return data;
}

static void replaces_whole_link_values_only(void **state)
{
	(void)state;
	kp_relink m;
	kp_relink_init(&m);
	assert_int_equal(kp_relink_add(&m, "https://city.example/dl/a.csv",
				       "http://127.0.0.1/dataset/x/resource/1/download/a.csv"),
			 0);
	assert_int_equal(kp_relink_add(&m, "https://city.example/d?a=1&b=2", "https://p/d?x=<1>"),
			 0);
	const char *in =
	    "<?xml version=\"1.0\"?>\n<rdf:RDF>"
	    "<ex:Row rdf:about=\"https://city.example/dl/a.csv/1\">"
	    "<ex:note>rdf:about=\"https://city.example/dl/a.csv\"</ex:note></ex:Row>"
	    "<dcat:Distribution\n  rdf:about='https://city.example/dl/a.csv'>"
	    "<dcat:downloadURL rdf:resource=\"https://city.example/dl/a.csv\"/>"
	    "<dct:title xml:lang=\"ja\" ex:x=\"https://city.example/dl/a.csv\">t</dct:title>"
	    "<dcat:accessURL rdf:resource=\"https://city.example/d?a=1&amp;b=2\"/>"
	    "<dcat:accessURL rdf:resource=\"https://city.example/d?a=1&#38;b=2\"/>"
	    "</dcat:Distribution></rdf:RDF>\n";
	size_t n = 0;
	char *out = relink_text(&m, in, &n);
	assert_int_equal(n, 4);
	const char *want =
	    "<?xml version=\"1.0\"?>\n<rdf:RDF>"
	    "<ex:Row rdf:about=\"https://city.example/dl/a.csv/1\">"
	    "<ex:note>rdf:about=\"https://city.example/dl/a.csv\"</ex:note></ex:Row>"
	    "<dcat:Distribution\n  "
	    "rdf:about='http://127.0.0.1/dataset/x/resource/1/download/a.csv'>"
	    "<dcat:downloadURL "
	    "rdf:resource=\"http://127.0.0.1/dataset/x/resource/1/download/a.csv\"/>"
	    "<dct:title xml:lang=\"ja\" ex:x=\"https://city.example/dl/a.csv\">t</dct:title>"
	    "<dcat:accessURL rdf:resource=\"https://p/d?x=&lt;1&gt;\"/>"
	    "<dcat:accessURL rdf:resource=\"https://p/d?x=&lt;1&gt;\"/>"
	    "</dcat:Distribution></rdf:RDF>\n";
	assert_string_equal(out, want);
	free(out);
	kp_relink_release(&m);
}

static void sets_the_dates_of_a_distribution(void **state)
{
	(void)state;
	kp_relink m;
	kp_relink_init(&m);
	assert_int_equal(
	    kp_relink_add_dates(&m, "https://c/d/resource/a.csv", "2026-04-01", "2026-12-02"), 0);
	assert_int_equal(kp_relink_add_dates(&m, "https://c/d/resource/b.csv", NULL, "2026-05-05"),
			 0);
	const char *in =
	    "<dcat:Dataset rdf:about=\"https://c/d\">"
	    "<dct:modified rdf:datatype=\"x\">2020-01-01</dct:modified>"
	    "<dcat:distribution><dcat:Distribution rdf:about=\"https://c/d/resource/a.csv\">"
	    "<dct:issued rdf:datatype=\"x\">2020-01-01</dct:issued>"
	    "<dct:modified rdf:datatype=\"x\">2020-01-01</dct:modified><dct:modified/>"
	    "</dcat:Distribution></dcat:distribution>"
	    "<dcat:distribution><dcat:Distribution rdf:about=\"https://c/d/resource/b.csv\">"
	    "<dct:issued>2020-01-01</dct:issued><dct:modified>2020-01-01</dct:modified>"
	    "</dcat:Distribution></dcat:distribution>"
	    "<dct:modified>2020-01-01</dct:modified></dcat:Dataset>";
	size_t n = 0;
	char *out = relink_text(&m, in, &n);
	assert_int_equal(n, 3);
	const char *want =
	    "<dcat:Dataset rdf:about=\"https://c/d\">"
	    "<dct:modified rdf:datatype=\"x\">2020-01-01</dct:modified>"
	    "<dcat:distribution><dcat:Distribution rdf:about=\"https://c/d/resource/a.csv\">"
	    "<dct:issued rdf:datatype=\"x\">2026-04-01</dct:issued>"
	    "<dct:modified rdf:datatype=\"x\">2026-12-02</dct:modified><dct:modified/>"
	    "</dcat:Distribution></dcat:distribution>"
	    "<dcat:distribution><dcat:Distribution rdf:about=\"https://c/d/resource/b.csv\">"
	    "<dct:issued>2020-01-01</dct:issued><dct:modified>2026-05-05</dct:modified>"
	    "</dcat:Distribution></dcat:distribution>"
	    "<dct:modified>2020-01-01</dct:modified></dcat:Dataset>";
	assert_string_equal(out, want);
	free(out);
	kp_relink_release(&m);
}

static void no_pairs_copies_bytes(void **state)
{
	(void)state;
	kp_relink m;
	kp_relink_init(&m);
	/* truncated input: the copy is still byte for byte the same */
	const char *in = "<a rdf:about=\"x\">&bogus; <b rdf:resource=\"unterminated";
	size_t n = 7;
	char *out = relink_text(&m, in, &n);
	assert_int_equal(n, 0);
	assert_string_equal(out, in);
	free(out);
	kp_relink_release(&m);
}

static void missing_source_is_an_error(void **state)
{
	(void)state;
	kp_relink m;
	kp_relink_init(&m);
	char *out = (char *)1;
	size_t n;
	kp_diag err = {0};
	assert_int_equal(kp_relink_file(&m, "/nonexistent/x.rdf", &out, &n, &err), -1);
	assert_null(out);
	assert_string_equal(err.code, "io-error");
	assert_non_null(strstr(err.message, "/nonexistent/x.rdf"));
	kp_relink_release(&m);
}

/* Every fuzz corpus input (tests/fuzz/corpus/relink) through the fuzz target's checks:
 * none may crash or break its properties (under ASan with make check SANITIZE=1). */
static void fuzz_corpus_replays(void **state)
{
	(void)state;
	fuzz_replay("tests/fuzz/corpus/relink", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(replaces_whole_link_values_only),
	    cmocka_unit_test(sets_the_dates_of_a_distribution),
	    cmocka_unit_test(no_pairs_copies_bytes),
	    cmocka_unit_test(missing_source_is_an_error),
	    cmocka_unit_test(fuzz_corpus_replays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
