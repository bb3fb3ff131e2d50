#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/catalog.h"
#include "../../src/write_rdf.h"

static const char descriptor[] =
    "{\"name\": \"tiny\", \"title\": \"小さな表\", \"keywords\": [\"a\", \"b\"],"
    " \"licenses\": [{\"name\": \"CC-BY-4.0\", \"path\": "
    "\"https://creativecommons.org/licenses/by/4.0/\"}],"
    " \"dcat\": {\"publisher\": \"金沢市\", \"frequency\": \"annual\", \"language\": \"ja\","
    "  \"spatial\": \"http://data.e-stat.go.jp/lod/sac/C17201\", \"temporal_start\": "
    "\"2019-04-01\","
    "  \"contact\": {\"name\": \"行政経営課\", \"email\": \"a@example.org\"},"
    "  \"landing_page\": \"https://example.org/dataset/tiny/\", \"download_base\": "
    "\"https://example.org/dl\"},"
    " \"resources\": [{\"name\": \"t\", \"path\": \"t.csv\", \"title\": \"表\", \"schema\": {"
    "  \"fields\": [{\"name\": \"d\", \"type\": \"date\", \"format\": \"%Y/%m/%d\"},"
    "   {\"name\": \"b\", \"type\": \"boolean\", \"trueValues\": [\"○\"], \"falseValues\": "
    "[\"×\"]},"
    "   {\"name\": \"n\", \"type\": \"number\", \"groupChar\": \",\", \"missingValues\": [\"-\"]},"
    "   {\"name\": \"e\", \"type\": \"string\", \"format\": \"email\"}],"
    "  \"dialect\": {\"delimiter\": \";\"}}}]}";

static kp_package *load(char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/datapackage.json", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(descriptor, fp);
	fclose(fp);
	kp_package *p = NULL;
	assert_int_equal(kp_schema_package_load(path, &p, NULL), 0);
	return p;
}

static void export_schema_is_canonical(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_catalogXXXXXX";
	assert_non_null(mkdtemp(dir));
	kp_package *p = load(dir);
	json_t *s = kp_catalog_export_schema(&p->resources[0]);
	char *text = json_dumps(s, JSON_COMPACT);
	assert_string_equal(
	    text,
	    "{\"fields\":[{\"name\":\"d\",\"type\":\"date\"},{\"name\":\"b\",\"type\":\"boolean\"},"
	    "{\"name\":\"n\",\"type\":\"number\"},{\"name\":\"e\",\"type\":\"string\",\"format\":"
	    "\"email\"}],"
	    "\"missingValues\":[\"\"]}");
	free(text);
	json_decref(s);
	kp_schema_package_free(p);
	char path[512];
	snprintf(path, sizeof path, "%s/datapackage.json", dir);
	remove(path);
	remove(dir);
}

static void dcat_distributions_carry_size_and_checksum(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_catalogXXXXXX";
	assert_non_null(mkdtemp(dir));
	kp_package *p = load(dir);
	kp_catalog_file files[2] = {
	    {.name = "t.csv",
	     .format = "csv",
	     .mediatype = "text/csv",
	     .res = &p->resources[0],
	     .hashed = 1,
	     .bytes = 42},
	    {.name = "tiny.rdf", .format = "rdf", .mediatype = "application/rdf+xml"},
	};
	memset(files[0].sha256, 'a', 64);
	files[0].sha256[64] = '\0';
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	kp_diag err;
	kp_diag_clear(&err);
	kp_wopts o = {0};
	kp_writer *w = kp_write_rdf_ops.open(fp, &o, &err);
	kp_catalog_opts co = {.bom = 1, .eol = "\r\n", .header_titles = 1, .date = "2026-01-15"};
	assert_int_equal(kp_catalog_write_dcat(w, p, files, 2, &co, &err), 0);
	assert_int_equal(kp_write_rdf_ops.close(w, &err), 0);
	fclose(fp);
	const char *want[] = {
	    "<dcat:Catalog rdf:about=\"https://example.org/\">",
	    "<dcat:Dataset rdf:about=\"https://example.org/dataset/tiny\">",
	    "<dcat:Distribution rdf:about=\"https://example.org/dataset/tiny/resource/t.csv\">",
	    "<dcat:downloadURL rdf:resource=\"https://example.org/dl/t.csv\"/>",
	    "<dcat:byteSize "
	    "rdf:datatype=\"http://www.w3.org/2001/XMLSchema#nonNegativeInteger\">42</"
	    "dcat:byteSize>",
	    "<spdx:ChecksumAlgorithm "
	    "rdf:about=\"http://spdx.org/rdf/terms#checksumAlgorithm_sha256\"/>",
	    "<spdx:checksumValue rdf:datatype=\"http://www.w3.org/2001/XMLSchema#hexBinary\">aaaa",
	    "<dct:Frequency "
	    "rdf:about=\"http://publications.europa.eu/resource/authority/frequency/ANNUAL\"/>",
	    "<vcard:hasEmail rdf:resource=\"mailto:a@example.org\"/>",
	    "<dct:issued "
	    "rdf:datatype=\"http://www.w3.org/2001/XMLSchema#date\">2026-01-15</dct:issued>",
	    "<dct:title xml:lang=\"ja\">表（CSV）</dct:title>",
	    "<dcat:downloadURL rdf:resource=\"https://example.org/dl/tiny.rdf\"/>",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(buf, want[i]))
			fail_msg("missing %s", want[i]);
	/* One checksum: the RDF file does not describe its own digest. */
	const char *first = strstr(buf, "spdx:Checksum>");
	assert_non_null(first);
	assert_null(strstr(first + 1, "<spdx:Checksum>"));
	free(buf);
	kp_schema_package_free(p);
	char path[512];
	snprintf(path, sizeof path, "%s/datapackage.json", dir);
	remove(path);
	remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(export_schema_is_canonical),
	    cmocka_unit_test(dcat_distributions_carry_size_and_checksum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
