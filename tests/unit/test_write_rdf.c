#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../../src/write_rdf.h"

#define EX "http://example.org/"

static const kp_wcol cols[] = {
    {.name = "lg_code",
     .kind = KP_WK_STRING,
     .property_url = "sdmx-dimension:refArea",
     .value_url = "http://data.e-stat.go.jp/lod/sac/C{lg_code:5}"},
    {.name = "no", .kind = KP_WK_INTEGER, .property_url = "ex:number"},
    {.name = "title", .kind = KP_WK_STRING, .property_url = "dct:title", .lang = "ja"},
    {.name = "division",
     .kind = KP_WK_STRING,
     .about_url = EX "org/{division}",
     .property_url = "rdfs:label",
     .lang = "ja"},
    {.name = "terms",
     .kind = KP_WK_INTEGER,
     .separator = ";",
     .property_url = "ex:term",
     .value_url = EX "term/{terms}"},
    {.name = "ratio", .kind = KP_WK_NUMBER, .property_url = "ex:ratio"},
    {.name = "flag", .kind = KP_WK_BOOLEAN, .property_url = "ex:flag"},
    {.name = "fy", .kind = KP_WK_YEAR, .property_url = "cd-dimension:timePeriod"},
    {.name = "day", .kind = KP_WK_DATE, .property_url = "http://other.example/v#day"},
    {.name = "note", .kind = KP_WK_STRING}, /* no propertyUrl: no triple */
    {.name = "depts",
     .kind = KP_WK_STRING,
     .separator = ";",
     .property_url = "ex:dept",
     .value_url = EX "org/{depts}",
     .value_type = "org:OrganizationalUnit ex:Unit",
     .lang = "ja"},
    {.name = "t2",
     .is_virtual = 1,
     .property_url = "ex:division",
     .value_url = EX "org/{division}"},
    {.name = "t3",
     .is_virtual = 1,
     .about_url = EX "org/{division}",
     .property_url = "rdf:type",
     .value_url = "org:Organization"},
};
#define NCOLS (sizeof cols / sizeof cols[0])
static const kp_wtable table = {.name = "items",
				.file = "items.csv",
				.about_url = EX "item/{no}",
				.row_type = "ex:Item ex:Thing",
				.ncols = NCOLS,
				.cols = cols};

#define CELL(str)                                                                                  \
	{                                                                                          \
		.s = str, .len = sizeof str - 1                                                    \
	}
#define NUL                                                                                        \
	{                                                                                          \
		.null = 1                                                                          \
	}

static const kp_wprefix prefixes[] = {{"ex", EX "ns#"}};

static kp_writer *open_w(FILE *fp, kp_diag *err)
{
	const kp_wtable *tables[] = {&table};
	kp_wopts o = {.tables = tables, .ntables = 1, .prefixes = prefixes, .nprefixes = 1};
	return kp_write_rdf_ops.open(fp, &o, err);
}

static char *run(const kp_wcell (*rows)[NCOLS], size_t nrows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	kp_diag err;
	kp_diag_clear(&err);
	kp_writer *w = open_w(fp, &err);
	assert_non_null(w);
	assert_int_equal(kp_write_rdf_ops.start(w, &table, &err), 0);
	for (size_t i = 0; i < nrows; i++)
		assert_int_equal(kp_write_rdf_ops.row(w, rows[i], (long)i + 2, &err), 0);
	assert_int_equal(kp_write_rdf_ops.finish(w, &err), 0);
	/* Node API: what catalog.c uses. */
	assert_int_equal(kp_write_rdf_node_start(w, "dcat:Dataset", EX "ds?a=1&b=<2>", &err), 0);
	assert_int_equal(kp_write_rdf_literal(w, "dct:title", "x < y & z > w", NULL, "en", &err),
			 0);
	/* a character XML cannot carry: refused, at its place in characters */
	assert_int_equal(kp_write_rdf_literal(w, "dct:title", "公衆\x01便所", NULL, "ja", &err), -1);
	assert_string_equal(err.code, "xml-char");
	assert_non_null(strstr(err.message, "at character 3"));
	kp_diag_clear(&err);
	assert_int_equal(
	    kp_write_rdf_literal(w, "dcat:byteSize", "12", "xsd:nonNegativeInteger", NULL, &err),
	    0);
	assert_int_equal(kp_write_rdf_prop_start(w, "dct:temporal", &err), 0);
	assert_int_equal(kp_write_rdf_node_start(w, "dct:PeriodOfTime", NULL, &err), 0);
	assert_int_equal(
	    kp_write_rdf_literal(w, "dcat:startDate", "2019-04-01", "xsd:date", NULL, &err), 0);
	assert_int_equal(kp_write_rdf_node_end(w, &err), 0);
	assert_int_equal(kp_write_rdf_prop_end(w, &err), 0);
	assert_int_equal(kp_write_rdf_ref(w, "dct:spatial", "sac:C17201", &err), 0);
	assert_int_equal(kp_write_rdf_node_end(w, &err), 0);
	assert_int_equal(kp_write_rdf_ops.close(w, &err), 0);
	fclose(fp);
	return buf;
}

static void has(const char *doc, const char *needle)
{
	if (!strstr(doc, needle))
		fail_msg("missing %s", needle);
}

static void rows_become_typed_triples(void **state)
{
	(void)state;
	const kp_wcell rows[][NCOLS] = {
	    {CELL("172014"), CELL("1"), CELL("<事務> & \"見直し\""), CELL("財政課"), CELL("1;22"),
	     CELL("1.50"), CELL("true"), CELL("2019"), CELL("2019-04-01"), CELL("memo"),
	     CELL("財政課;総務課"), NUL, NUL},
	    {CELL("172014"), CELL("2"), CELL("𠮷 non-BMP"), NUL, NUL, NUL, CELL("false"), NUL, NUL,
	     NUL, NUL, NUL, NUL},
	};
	char *out = run(rows, 2);
	if (getenv("DUMP"))
		fputs(out, stderr);
	/* Well-formed, and the text survives the round trip. */
	xmlDocPtr doc = xmlReadMemory(out, (int)strlen(out), "t.rdf", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlFreeDoc(doc);
	has(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
	has(out, "xmlns:ex=\"http://example.org/ns#\"");
	has(out, "xmlns:ns1=\"http://other.example/v#\"");
	has(out, "<rdf:Description rdf:about=\"http://example.org/item/1\">");
	has(out,
	    "<sdmx-dimension:refArea rdf:resource=\"http://data.e-stat.go.jp/lod/sac/C17201\"/>");
	has(out,
	    "<ex:number rdf:datatype=\"http://www.w3.org/2001/XMLSchema#integer\">1</ex:number>");
	has(out, "<dct:title xml:lang=\"ja\">&lt;事務&gt; &amp; &quot;見直し&quot;</dct:title>");
	has(out, "<ex:term rdf:resource=\"http://example.org/term/1\"/>");
	has(out, "<ex:term rdf:resource=\"http://example.org/term/22\"/>");
	has(out,
	    "<ex:ratio rdf:datatype=\"http://www.w3.org/2001/XMLSchema#decimal\">1.50</ex:ratio>");
	has(out,
	    "<ex:flag rdf:datatype=\"http://www.w3.org/2001/XMLSchema#boolean\">true</ex:flag>");
	has(out, "<cd-dimension:timePeriod "
		 "rdf:datatype=\"http://www.w3.org/2001/XMLSchema#gYear\">2019<");
	has(out,
	    "<ns1:day rdf:datatype=\"http://www.w3.org/2001/XMLSchema#date\">2019-04-01</ns1:day>");
	has(out, "<rdf:Description rdf:about=\"http://example.org/item/1\">\n"
		 "    <rdf:type rdf:resource=\"http://example.org/ns#Item\"/>\n"
		 "    <rdf:type rdf:resource=\"http://example.org/ns#Thing\"/>\n");
	has(out,
	    "<ex:dept>\n"
	    "      <rdf:Description "
	    "rdf:about=\"http://example.org/org/%E7%B7%8F%E5%8B%99%E8%AA%B2\">\n"
	    "        <rdf:type rdf:resource=\"http://www.w3.org/ns/org#OrganizationalUnit\"/>\n"
	    "        <rdf:type rdf:resource=\"http://example.org/ns#Unit\"/>\n"
	    "        <rdfs:label xml:lang=\"ja\">総務課</rdfs:label>\n"
	    "      </rdf:Description>\n"
	    "    </ex:dept>");
	/* Non-ASCII in a template value is percent-encoded (UTF-8), so the IRI is ASCII. */
	has(out,
	    "<ex:division rdf:resource=\"http://example.org/org/%E8%B2%A1%E6%94%BF%E8%AA%B2\"/>");
	has(out,
	    "<rdf:Description rdf:about=\"http://example.org/org/%E8%B2%A1%E6%94%BF%E8%AA%B2\">");
	has(out, "<rdfs:label xml:lang=\"ja\">財政課</rdfs:label>");
	has(out, "<rdf:type rdf:resource=\"http://www.w3.org/ns/org#Organization\"/>");
	has(out, "<dct:title xml:lang=\"ja\">𠮷 non-BMP</dct:title>");
	/* Missing values give no triple and no subject. */
	assert_null(strstr(out, "memo"));
	const char *second = strstr(out, "item/2");
	assert_non_null(second);
	assert_null(strstr(second, "ex:division"));
	assert_null(strstr(second, "ex:ratio"));
	/* Node API escaping. */
	has(out, "<dcat:Dataset rdf:about=\"http://example.org/ds?a=1&amp;b=&lt;2&gt;\">");
	has(out, "<dct:title xml:lang=\"en\">x &lt; y &amp; z &gt; w</dct:title>");
	has(out, "<dct:PeriodOfTime>");
	has(out, "<dct:spatial rdf:resource=\"http://data.e-stat.go.jp/lod/sac/C17201\"/>");
	free(out);
}

static void control_character_is_an_error_naming_the_cell(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	kp_diag err;
	kp_diag_clear(&err);
	kp_writer *w = open_w(fp, &err);
	assert_int_equal(kp_write_rdf_ops.start(w, &table, &err), 0);
	const kp_wcell row[NCOLS] = {CELL("172014"),
				     CELL("3"),
				     CELL("bell\x07here"),
				     NUL,
				     NUL,
				     NUL,
				     NUL,
				     NUL,
				     NUL,
				     NUL,
				     NUL,
				     NUL,
				     NUL};
	assert_int_equal(kp_write_rdf_ops.row(w, row, 7, &err), -1);
	assert_string_equal(err.code, "xml-char");
	assert_string_equal(err.file, "items.csv");
	assert_int_equal(err.row, 7);
	assert_int_equal(err.column, 3);
	assert_string_equal(err.field, "title");
	assert_true(err.has_cell);
	assert_non_null(strstr(err.message, "U+0007"));
	kp_write_rdf_ops.close(w, &err);
	fclose(fp);
	free(buf);
}

static void bad_char_scanner(void **state)
{
	(void)state;
	assert_int_equal(kp_write_rdf_bad_char("ok\t\r\n金𠮷", strlen("ok\t\r\n金𠮷")), -1);
	assert_int_equal(kp_write_rdf_bad_char("a\x1b", 2), 1);
	assert_int_equal(kp_write_rdf_bad_char("a\xef\xbf\xbe", 4), 1); /* U+FFFE */
	assert_int_equal(kp_write_rdf_bad_char("\xed\xa0\x80", 3), 0);	/* a surrogate */
	assert_int_equal(kp_write_rdf_bad_char("x\xc3", 2), 1);		/* truncated */
	assert_int_equal(kp_write_rdf_bad_char("\0", 1), 0);
}

static void unknown_template_field_is_a_schema_error(void **state)
{
	(void)state;
	static const kp_wcol bad[] = {{.name = "a", .property_url = "ex:a"}};
	static const kp_wtable bt = {
	    .name = "b", .file = "b.csv", .about_url = EX "b/{nope}", .ncols = 1, .cols = bad};
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	kp_diag err;
	kp_diag_clear(&err);
	const kp_wtable *tables[] = {&bt};
	kp_wopts o = {.tables = tables, .ntables = 1, .prefixes = prefixes, .nprefixes = 1};
	kp_writer *w = kp_write_rdf_ops.open(fp, &o, &err);
	assert_non_null(w);
	assert_int_equal(kp_write_rdf_ops.start(w, &bt, &err), -1);
	assert_string_equal(err.code, "schema-error");
	assert_non_null(strstr(err.message, "\"nope\""));
	kp_write_rdf_ops.close(w, &err);
	fclose(fp);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rows_become_typed_triples),
	    cmocka_unit_test(control_character_is_an_error_naming_the_cell),
	    cmocka_unit_test(bad_char_scanner),
	    cmocka_unit_test(unknown_template_field_is_a_schema_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
