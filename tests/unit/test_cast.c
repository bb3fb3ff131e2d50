#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "../../src/cast.h"
#include "../../src/schema.h"

/* A schema with one field described by the JSON text of the field object. */
static kp_schema *field_schema(const char *field_json)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "{\"fields\": [%s]}", field_json);
	json_error_t je;
	json_t *j = json_loads(buf, 0, &je);
	if (!j)
		fail_msg("bad test JSON: %s: %s", je.text, buf);
	kp_diag_list l;
	kp_diag_list_init(&l);
	kp_diag_sink sink = kp_diag_list_sink(&l);
	kp_schema *s = NULL;
	int rc = kp_schema_load_json(j, "t.json", NULL, &s, &sink);
	if (rc != 0)
		fail_msg("schema did not load: %s", l.len ? l.items[0].message : "?");
	kp_diag_list_release(&l);
	json_decref(j);
	return s;
}

/* Casts and returns the result code; fills canonical text into canon when OK. */
static int cast(const char *field_json, const char *cell, char *canon, size_t size, kp_diag *err)
{
	kp_schema *s = field_schema(field_json);
	kp_value v;
	int rc = kp_cast_cell(&s->fields[0], cell, strlen(cell), &v, err);
	if (rc == KP_CAST_OK && canon)
		kp_cast_canonical(&s->fields[0], &v, canon, size);
	kp_schema_free(s);
	return rc;
}

#define OK_AS(field, cell, want)                                                   \
	do {                                                                           \
		char c_[256];                                                              \
		kp_diag e_;                                                                \
		int rc_ = cast(field, cell, c_, sizeof c_, &e_);                           \
		if (rc_ != KP_CAST_OK)                                                     \
			fail_msg("%s: \"%s\" should cast: %s", field, cell, e_.message);       \
		assert_string_equal(c_, want);                                             \
	} while (0)

#define BAD(field, cell)                                                           \
	do {                                                                           \
		kp_diag e_;                                                                \
		int rc_ = cast(field, cell, NULL, 0, &e_);                                 \
		if (rc_ != KP_CAST_ERROR)                                                  \
			fail_msg("%s: \"%s\" should be a type error", field, cell);            \
		assert_string_equal(e_.code, "type-error");                                \
	} while (0)

static void integers(void **state)
{
	(void)state;
	const char *f = "{\"name\": \"n\", \"type\": \"integer\"}";
	OK_AS(f, "0", "0");
	OK_AS(f, "-17", "-17");
	OK_AS(f, "+17", "17");
	OK_AS(f, "0042", "42");
	OK_AS(f, "9223372036854775807", "9223372036854775807");
	OK_AS(f, "-9223372036854775808", "-9223372036854775808");
	BAD(f, "9223372036854775808");
	BAD(f, "-9223372036854775809");
	BAD(f, "123456789012345678901234567890");
	BAD(f, "1.0");
	BAD(f, "1e3");
	BAD(f, "1,000");
	BAD(f, "abc");
	BAD(f, "-");
	OK_AS(f, " 1 ", "1"); /* padding is the validator's padding-space finding */
	OK_AS("{\"name\": \"n\", \"type\": \"integer\", \"groupChar\": \",\"}", "1,000,000",
		"1000000");
	OK_AS("{\"name\": \"n\", \"type\": \"integer\", \"bareNumber\": false}", "€10", "10");
	OK_AS("{\"name\": \"n\", \"type\": \"integer\", \"bareNumber\": false}", "1500人", "1500");
	BAD("{\"name\": \"n\", \"type\": \"integer\"}", "€10");
}

static void numbers(void **state)
{
	(void)state;
	const char *f = "{\"name\": \"n\", \"type\": \"number\"}";
	OK_AS(f, "1", "1");
	OK_AS(f, "-1.25", "-1.25");
	OK_AS(f, "0.5", "0.5");
	OK_AS(f, "-0.5", "-0.5");
	OK_AS(f, "-0", "0");
	OK_AS(f, "10", "10");
	OK_AS(f, "1.0", "1");
	OK_AS(f, "1.50", "1.5");
	OK_AS(f, "-0.0", "0");
	OK_AS(f, ".5", "0.5");
	OK_AS(f, "007.250", "7.25");
	OK_AS(f, "1.5e3", "1.5E3");
	OK_AS(f, "1.5E-03", "1.5E-3");
	OK_AS(f, "NaN", "NaN");
	OK_AS(f, "INF", "INF");
	OK_AS(f, "-INF", "-INF");
	OK_AS(f, "-inf", "-INF");
	OK_AS(f, "1e999", "1E999"); /* a decimal beyond double range is still a number */
	BAD(f, "1,000.5");
	BAD(f, "1.2.3");
	BAD(f, "e5");
	BAD(f, "10%");
	/* Messages quote at most 40 bytes of the cell, cut between characters. */
	{
		kp_diag e1;
		assert_int_equal(cast(f, "金沢市金沢市金沢市金沢市金沢市金沢市", NULL, 0, &e1), KP_CAST_ERROR);
		const char *q = strchr(e1.message, '"') + 1;
		const char *end = strchr(q, '"');
		assert_true(end - q <= 40);
		assert_int_equal((end - q) % 3, 0);
	}
	BAD(f, "70%程度");
	OK_AS("{\"name\": \"n\", \"type\": \"number\", \"groupChar\": \",\"}", "1,000.5", "1000.5");
	OK_AS("{\"name\": \"n\", \"type\": \"number\", \"decimalChar\": \",\", \"groupChar\": \".\"}",
		"1.000,25", "1000.25");
	OK_AS("{\"name\": \"n\", \"type\": \"number\", \"groupChar\": \" \"}", "154 000", "154000");
	OK_AS("{\"name\": \"n\", \"type\": \"number\", \"bareNumber\": false}", "10%", "10");
	OK_AS("{\"name\": \"n\", \"type\": \"number\", \"bareNumber\": false}", "€10.50", "10.5");
	OK_AS("{\"name\": \"n\", \"type\": \"number\", \"bareNumber\": false}", "-12 EUR", "-12");
	/* A message that says what to do with the unit. */
	kp_diag e;
	kp_value v;
	assert_int_equal(kp_cast_plain(KP_TYPE_NUMBER, KP_FORMAT_DEFAULT, "", 0, &v, &e),
		KP_CAST_ERROR);
	assert_int_equal(cast(f, "1500人", NULL, 0, &e), KP_CAST_ERROR);
	assert_non_null(strstr(e.message, "move the unit"));
	assert_non_null(strstr(e.message, "人"));
	assert_int_equal(cast(f, "1,500", NULL, 0, &e), KP_CAST_ERROR);
	assert_non_null(strstr(e.message, "thousands separators"));
	assert_non_null(strstr(e.message, "groupChar"));
	/* A very long number is handled without overflowing a buffer. */
	char big[600];
	memset(big, '9', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char canon[700];
	assert_int_equal(cast(f, big, canon, sizeof canon, &e), KP_CAST_OK);
	assert_string_equal(canon, big);
	BAD("{\"name\": \"n\", \"type\": \"integer\"}", big);
}

/* Cases adapted from frictionless-py's number field tests (fields/__spec__/test_number.py,
 * MIT): cell, options, canonical result or NULL for a type error. */
static void frictionless_number_cases(void **state)
{
	(void)state;
	static const struct {
		const char *cell, *options, *want;
	} cases[] = {
		{"1", "", "1"},
		{"10.00", "", "10"},
		{"10.50", "", "10.5"},
		{"000835", "", "835"},
		{"0", "", "0"},
		{"00", "", "0"},
		{"01", "", "1"},
		{" 01 ", "", "1"},
		{"0.003", "", "0.003"},
		{"-12.3 €", ", \"bareNumber\": false", "-12.3"},
		{"-12.3€", ", \"bareNumber\": false", "-12.3"},
		{"€-12.3", ", \"bareNumber\": false", "-12.3"},
		{"€ -12.3", ", \"bareNumber\": false", "-12.3"},
		{"100%", ", \"bareNumber\": false", "100"},
		{"1000‰", ", \"bareNumber\": false", "1000"},
		{"-1000", "", "-1000"},
		{"1,000", ", \"groupChar\": \",\"", "1000"},
		{"10,000.00", ", \"groupChar\": \",\"", "10000"},
		{"10,000,000.50", ", \"groupChar\": \",\"", "10000000.5"},
		{"10#000.00", ", \"groupChar\": \"#\"", "10000"},
		{"10#000#000.50", ", \"groupChar\": \"#\"", "10000000.5"},
		{"10.50", ", \"groupChar\": \"#\"", "10.5"},
		{"1#000", ", \"groupChar\": \"#\"", "1000"},
		{"10#000@00", ", \"groupChar\": \"#\", \"decimalChar\": \"@\"", "10000"},
		{"10#000#000@50", ", \"groupChar\": \"#\", \"decimalChar\": \"@\"", "10000000.5"},
		{"10@50", ", \"groupChar\": \"#\", \"decimalChar\": \"@\"", "10.5"},
		{"10,000.00", ", \"groupChar\": \",\", \"bareNumber\": false", "10000"},
		{"10.000.000,00", ", \"groupChar\": \".\", \"decimalChar\": \",\"", "10000000"},
		{"$10000.00", ", \"bareNumber\": false", "10000"},
		{"  10,000.00 €", ", \"groupChar\": \",\", \"bareNumber\": false", "10000"},
		{"10 000,00", ", \"groupChar\": \" \", \"decimalChar\": \",\"", "10000"},
		{"10000,00 ₪", ", \"groupChar\": \" \", \"decimalChar\": \",\", \"bareNumber\": false",
			"10000"},
		{"  10 000,00 £", ", \"groupChar\": \" \", \"decimalChar\": \",\", \"bareNumber\": false",
			"10000"},
		{"8.699,8", ", \"groupChar\": \".\", \"decimalChar\": \",\"", "8699.8"},
		{"10,000a.00", "", NULL},
		{"10+000.00", "", NULL},
		{"$10:000.00", "", NULL},
		{"string", "", NULL},
		{"1.234", ", \"decimalChar\": \",\"", NULL},
		{"1.234.", ", \"decimalChar\": \",\", \"bareNumber\": false", NULL},
		{"1234.", ", \"decimalChar\": \",\", \"bareNumber\": false", "1234"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char field[256], canon[64];
		snprintf(field, sizeof field, "{\"name\": \"n\", \"type\": \"number\"%s}",
			cases[i].options);
		kp_diag e;
		int rc = cast(field, cases[i].cell, canon, sizeof canon, &e);
		if (cases[i].want == NULL) {
			if (rc != KP_CAST_ERROR)
				fail_msg("case %zu \"%s\": want a type error, got %d", i, cases[i].cell, rc);
		} else if (rc != KP_CAST_OK || strcmp(canon, cases[i].want) != 0) {
			fail_msg("case %zu \"%s\": want %s, got rc %d \"%s\" %s", i, cases[i].cell,
				cases[i].want, rc, rc == KP_CAST_OK ? canon : "", rc ? e.message : "");
		}
	}
}

/* Cases adapted from frictionless-py's integer and datetime field tests (MIT).  Left
 * out: dateutil's free-text parsing for "any" ("10th Jan 1969 9 am"). */
static void frictionless_integer_datetime_cases(void **state)
{
	(void)state;
	static const struct {
		const char *field, *cell, *want;
	} cases[] = {
		{"\"type\": \"integer\"", "1", "1"},
		{"\"type\": \"integer\"", "000835", "835"},
		{"\"type\": \"integer\"", "00", "0"},
		{"\"type\": \"integer\"", " 01 ", "1"},
		{"\"type\": \"integer\"", "0.0003", NULL},
		{"\"type\": \"integer\"", "3.14", NULL},
		{"\"type\": \"integer\", \"bareNumber\": false", "01", "1"},
		{"\"type\": \"integer\", \"bareNumber\": false", "1$", "1"},
		{"\"type\": \"integer\", \"bareNumber\": false", "ab1$", "1"},
		{"\"type\": \"integer\", \"bareNumber\": false", "-12 €", "-12"},
		{"\"type\": \"integer\", \"bareNumber\": false", "€-12", "-12"},
		{"\"type\": \"integer\", \"bareNumber\": false", "€ -12", "-12"},
		{"\"type\": \"datetime\"", "2014-01-01T06:00:00", "2014-01-01T06:00:00"},
		{"\"type\": \"datetime\"", "2014-01-01T06:00:00Z", "2014-01-01T06:00:00Z"},
		{"\"type\": \"datetime\"", "2014-01-01T06:00:00+01:00", "2014-01-01T06:00:00+01:00"},
		{"\"type\": \"datetime\"", "2014-01-01T06:00:00+1:00", NULL},
		{"\"type\": \"datetime\"", "Mon 1st Jan 2014 9 am", NULL},
		{"\"type\": \"datetime\"", "invalid", NULL},
		{"\"type\": \"datetime\", \"format\": \"any\"", "2014-01-01T06:00:00Z",
			"2014-01-01T06:00:00Z"},
		{"\"type\": \"datetime\", \"format\": \"any\"", "invalid", NULL},
		{"\"type\": \"datetime\", \"format\": \"%d/%m/%y %H:%M\"", "21/11/06 16:30",
			"2006-11-21T16:30:00"},
		{"\"type\": \"datetime\", \"format\": \"%H:%M %d/%m/%y\"", "21/11/06 16:30", NULL},
		{"\"type\": \"datetime\", \"format\": \"fmt:%d/%m/%y %H:%M\"", "21/11/06 16:30",
			"2006-11-21T16:30:00"},
		{"\"type\": \"datetime\", \"format\": \"fmt:%d/%m/%y %H:%M\"", "invalid", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char field[256], canon[64];
		snprintf(field, sizeof field, "{\"name\": \"x\", %s}", cases[i].field);
		kp_diag e;
		int rc = cast(field, cases[i].cell, canon, sizeof canon, &e);
		if (cases[i].want == NULL) {
			if (rc != KP_CAST_ERROR)
				fail_msg("case %zu \"%s\": want a type error, got %d", i, cases[i].cell, rc);
		} else if (rc != KP_CAST_OK || strcmp(canon, cases[i].want) != 0) {
			fail_msg("case %zu \"%s\": want %s, got rc %d \"%s\" %s", i, cases[i].cell,
				cases[i].want, rc, rc == KP_CAST_OK ? canon : "", rc ? e.message : "");
		}
	}
}

/* The fast path for short decimals gives exactly what strtod gives. */
static void number_fast_path_matches_strtod(void **state)
{
	(void)state;
	const char *cells[] = {"0.1", "0.3", "-2.675", "123456789012345", "99999999999999.9",
		"1.000000000000001", "0.000000000000001", "3.14159265358979", "1234567890123456",
		"-0", "5e-324", "42"};
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		kp_value v;
		assert_int_equal(kp_cast_plain(KP_TYPE_NUMBER, KP_FORMAT_DEFAULT, cells[i],
					 strlen(cells[i]), &v, NULL),
			KP_CAST_OK);
		double want = strtod(cells[i], NULL);
		if (memcmp(&v.u.n, &want, sizeof want) != 0)
			fail_msg("%s: got %.17g, strtod %.17g", cells[i], v.u.n, want);
	}
	kp_value v;
	assert_int_equal(kp_cast_plain(KP_TYPE_INTEGER, KP_FORMAT_DEFAULT, "-999999999999999999", 19,
				 &v, NULL),
		KP_CAST_OK);
	assert_true(v.u.i == -999999999999999999LL);
}

static void booleans(void **state)
{
	(void)state;
	const char *f = "{\"name\": \"b\", \"type\": \"boolean\"}";
	OK_AS(f, "true", "true");
	OK_AS(f, "TRUE", "true");
	OK_AS(f, "1", "true");
	OK_AS(f, "False", "false");
	OK_AS(f, "0", "false");
	BAD(f, "yes");
	BAD(f, "tRuE");
	const char *g = "{\"name\": \"b\", \"type\": \"boolean\", \"trueValues\": [\"はい\", \"○\"], "
			"\"falseValues\": [\"いいえ\"]}";
	OK_AS(g, "はい", "true");
	OK_AS(g, "○", "true");
	OK_AS(g, "いいえ", "false");
	BAD(g, "true");
}

static void dates(void **state)
{
	(void)state;
	const char *f = "{\"name\": \"d\", \"type\": \"date\"}";
	OK_AS(f, "2019-04-01", "2019-04-01");
	OK_AS(f, "2020-02-29", "2020-02-29"); /* leap day */
	OK_AS(f, "2000-02-29", "2000-02-29"); /* 400-year leap */
	BAD(f, "2019-02-29");
	BAD(f, "1900-02-29"); /* century, not a leap year */
	BAD(f, "2019-13-01");
	BAD(f, "2019-04-31");
	BAD(f, "2019-4-1");
	BAD(f, "2019/04/01");
	BAD(f, "0000-01-01");
	BAD(f, "2019-04-01T00:00:00");
	const char *p = "{\"name\": \"d\", \"type\": \"date\", \"format\": \"%d/%m/%Y\"}";
	OK_AS(p, "01/04/2019", "2019-04-01");
	OK_AS(p, "1/4/2019", "2019-04-01");
	BAD(p, "2019-04-01");
	BAD(p, "31/02/2019");
	OK_AS("{\"name\": \"d\", \"type\": \"date\", \"format\": \"fmt:%Y年%m月%d日\"}", "2019年4月1日",
		"2019-04-01");
	const char *a = "{\"name\": \"d\", \"type\": \"date\", \"format\": \"any\"}";
	OK_AS(a, "2019/4/1", "2019-04-01");
	OK_AS(a, "2019年4月1日", "2019-04-01");
	OK_AS(a, "1 Apr 2019", "2019-04-01");
	BAD(a, "next tuesday");
}

static void times_and_datetimes(void **state)
{
	(void)state;
	const char *t = "{\"name\": \"t\", \"type\": \"time\"}";
	OK_AS(t, "09:30:00", "09:30:00");
	OK_AS(t, "24:00:00", "24:00:00");
	OK_AS(t, "23:59:59.5", "23:59:59.5");
	OK_AS(t, "12:00:00+09:00", "12:00:00+09:00");
	OK_AS(t, "12:00:00Z", "12:00:00Z");
	BAD(t, "24:00:01");
	BAD(t, "23:60:00");
	BAD(t, "23:59:60");
	BAD(t, "9:30");
	const char *d = "{\"name\": \"t\", \"type\": \"datetime\"}";
	OK_AS(d, "2019-04-01T09:30:00", "2019-04-01T09:30:00");
	OK_AS(d, "2019-04-01T09:30:00.123Z", "2019-04-01T09:30:00.123Z");
	OK_AS(d, "2019-04-01T09:30:00+09:00", "2019-04-01T09:30:00+09:00");
	OK_AS(d, "2019-04-01T09:30:00+0000", "2019-04-01T09:30:00Z");
	BAD(d, "2019-04-01 09:30:00");
	BAD(d, "2019-04-01T09:30:00+25:00");
	BAD(d, "2019-02-29T00:00:00");
	OK_AS("{\"name\": \"t\", \"type\": \"datetime\", \"format\": \"%Y/%m/%d %H:%M\"}",
		"2019/04/01 09:30", "2019-04-01T09:30:00");
	OK_AS("{\"name\": \"t\", \"type\": \"time\", \"format\": \"%I:%M %p\"}", "09:30 PM",
		"21:30:00");
	/* Zones are compared as instants. */
	kp_schema *s = field_schema(d);
	kp_value a, b;
	assert_int_equal(kp_cast_cell(&s->fields[0], "2019-04-01T09:00:00+09:00", 25, &a, NULL),
		KP_CAST_OK);
	assert_int_equal(kp_cast_cell(&s->fields[0], "2019-04-01T00:00:00Z", 20, &b, NULL), KP_CAST_OK);
	assert_int_equal(kp_cast_compare(&a, &b), 0);
	kp_schema_free(s);
}

static void year_yearmonth_duration(void **state)
{
	(void)state;
	const char *y = "{\"name\": \"y\", \"type\": \"year\"}";
	OK_AS(y, "2019", "2019");
	BAD(y, "19");
	BAD(y, "2019年");
	BAD(y, "R1");
	const char *ym = "{\"name\": \"y\", \"type\": \"yearmonth\"}";
	OK_AS(ym, "2019-04", "2019-04");
	BAD(ym, "2019-13");
	BAD(ym, "2019-4");
	const char *du = "{\"name\": \"d\", \"type\": \"duration\"}";
	OK_AS(du, "P1Y2M3DT4H5M6.5S", "P1Y2M3DT4H5M6.5S");
	OK_AS(du, "PT36H", "PT36H");
	OK_AS(du, "-P1D", "-P1D");
	BAD(du, "P");
	BAD(du, "PT");
	BAD(du, "P1H");
	BAD(du, "1Y");
	BAD(du, "P1M1Y");
	BAD(du, "P99999999999999999999Y");
	BAD(du, "PT99999999999999H");   /* would overflow 64-bit microseconds */
	BAD(du, "P9999999999999W");
	OK_AS(du, "PT2562047H", "PT2562047H"); /* about 292 years: still fits */
}

static void strings_and_formats(void **state)
{
	(void)state;
	OK_AS("{\"name\": \"s\"}", "anything at all", "anything at all");
	OK_AS("{\"name\": \"s\", \"type\": \"string\"}", "金沢市", "金沢市");
	const char *em = "{\"name\": \"s\", \"type\": \"string\", \"format\": \"email\"}";
	OK_AS(em, "joho@city.kanazawa.lg.jp", "joho@city.kanazawa.lg.jp");
	BAD(em, "joho@");
	BAD(em, "joho city@kanazawa.jp");
	BAD(em, "a@b@c.jp");
	BAD(em, "joho@localhost");
	const char *uri = "{\"name\": \"s\", \"type\": \"string\", \"format\": \"uri\"}";
	OK_AS(uri, "https://example.jp/a?b=c", "https://example.jp/a?b=c");
	OK_AS(uri, "urn:isbn:0451450523", "urn:isbn:0451450523");
	BAD(uri, "example.jp");
	BAD(uri, "https://exa mple.jp");
	const char *uu = "{\"name\": \"s\", \"type\": \"string\", \"format\": \"uuid\"}";
	OK_AS(uu, "95ecc380-afe9-11e4-9b6c-751b66dd541e", "95ecc380-afe9-11e4-9b6c-751b66dd541e");
	BAD(uu, "95ecc380afe911e49b6c751b66dd541e");
	const char *bin = "{\"name\": \"s\", \"type\": \"string\", \"format\": \"binary\"}";
	OK_AS(bin, "aGVsbG8=", "aGVsbG8=");
	BAD(bin, "aGVsbG8");
	BAD(bin, "a=Vs");
}

static void geo_json_list(void **state)
{
	(void)state;
	const char *g = "{\"name\": \"g\", \"type\": \"geopoint\"}";
	OK_AS(g, "136.65, 36.56", "136.65,36.56");
	BAD(g, "36.56");
	BAD(g, "200, 10");
	BAD(g, "10, 95");
	OK_AS("{\"name\": \"g\", \"type\": \"geopoint\", \"format\": \"array\"}", "[136.65, 36.56]",
		"136.65,36.56");
	OK_AS("{\"name\": \"g\", \"type\": \"geopoint\", \"format\": \"object\"}",
		"{\"lon\": 136.65, \"lat\": 36.56}", "136.65,36.56");
	BAD("{\"name\": \"g\", \"type\": \"geopoint\", \"format\": \"object\"}", "{\"lon\": 136.65}");
	OK_AS("{\"name\": \"o\", \"type\": \"object\"}", "{\"a\": 1}", "{\"a\": 1}");
	BAD("{\"name\": \"o\", \"type\": \"object\"}", "[1]");
	BAD("{\"name\": \"o\", \"type\": \"object\"}", "{\"a\": ");
	OK_AS("{\"name\": \"o\", \"type\": \"array\"}", "[1, 2]", "[1, 2]");
	BAD("{\"name\": \"o\", \"type\": \"array\"}", "{}");
	OK_AS("{\"name\": \"o\", \"type\": \"geojson\"}", "{\"type\": \"Point\", \"coordinates\": [1, 2]}",
		"{\"type\": \"Point\", \"coordinates\": [1, 2]}");
	BAD("{\"name\": \"o\", \"type\": \"geojson\"}", "{\"type\": \"Circle\"}");
	const char *l = "{\"name\": \"l\", \"type\": \"list\", \"itemType\": \"integer\", "
			"\"delimiter\": \";\"}";
	OK_AS(l, "1;2;3", "1;2;3");
	BAD(l, "1;x;3");
	BAD(l, "1,2");
	OK_AS("{\"name\": \"l\", \"type\": \"list\"}", "a,b", "a,b");
}

static void missing_values(void **state)
{
	(void)state;
	char buf[8];
	kp_diag e;
	assert_int_equal(cast("{\"name\": \"n\", \"type\": \"integer\"}", "", buf, sizeof buf, &e),
		KP_CAST_MISSING);
	/* Field-level missingValues replace the schema's (v2), labels allowed. */
	const char *f = "{\"name\": \"n\", \"type\": \"integer\", \"missingValues\": [\"-\", "
			"{\"value\": \"—\", \"label\": \"none\"}]}";
	assert_int_equal(cast(f, "-", buf, sizeof buf, &e), KP_CAST_MISSING);
	assert_int_equal(cast(f, "—", buf, sizeof buf, &e), KP_CAST_MISSING);
	assert_int_equal(cast(f, "", buf, sizeof buf, &e), KP_CAST_ERROR);
	/* Schema-level list; [] disables. */
	json_t *j = json_loads("{\"missingValues\": [\"NA\"], \"fields\": [{\"name\": \"a\", "
			       "\"type\": \"integer\"}, {\"name\": \"b\", \"missingValues\": []}]}",
		0, NULL);
	kp_schema *s = NULL;
	assert_int_equal(kp_schema_load_json(j, NULL, NULL, &s, NULL), 0);
	kp_value v;
	assert_int_equal(kp_cast_cell(&s->fields[0], "NA", 2, &v, NULL), KP_CAST_MISSING);
	assert_true(v.is_null);
	assert_int_equal(kp_cast_cell(&s->fields[0], "", 0, &v, NULL), KP_CAST_ERROR);
	assert_int_equal(kp_cast_cell(&s->fields[1], "", 0, &v, NULL), KP_CAST_OK);
	kp_schema_free(s);
	json_decref(j);
}

/* Casts then checks constraints; returns the failing constraint. */
static kp_constraint check(const char *field_json, const char *cell, kp_diag *err)
{
	kp_schema *s = field_schema(field_json);
	kp_value v;
	int rc = kp_cast_cell(&s->fields[0], cell, strlen(cell), &v, err);
	if (rc == KP_CAST_ERROR)
		fail_msg("\"%s\" did not cast: %s", cell, err->message);
	kp_constraint c = kp_cast_check(&s->fields[0], &v, err);
	kp_schema_free(s);
	return c;
}

static void constraints(void **state)
{
	(void)state;
	kp_diag e;
	const char *req = "{\"name\": \"n\", \"type\": \"integer\", \"constraints\": {\"required\": true}}";
	assert_int_equal(check(req, "", &e), KP_CONSTRAINT_REQUIRED);
	assert_string_equal(e.code, "constraint-error");
	assert_int_equal(check(req, "3", &e), KP_CONSTRAINT_NONE);
	const char *rng = "{\"name\": \"n\", \"type\": \"integer\", \"constraints\": {\"minimum\": 1, "
			  "\"maximum\": 10}}";
	assert_int_equal(check(rng, "0", &e), KP_CONSTRAINT_MINIMUM);
	assert_non_null(strstr(e.message, "minimum 1"));
	assert_int_equal(check(rng, "1", &e), KP_CONSTRAINT_NONE);
	assert_int_equal(check(rng, "10", &e), KP_CONSTRAINT_NONE);
	assert_int_equal(check(rng, "11", &e), KP_CONSTRAINT_MAXIMUM);
	assert_int_equal(check(rng, "", &e), KP_CONSTRAINT_NONE); /* nulls skip */
	const char *ex = "{\"name\": \"n\", \"type\": \"number\", \"constraints\": "
			 "{\"exclusiveMinimum\": 0, \"exclusiveMaximum\": 100}}";
	assert_int_equal(check(ex, "0", &e), KP_CONSTRAINT_EXCLUSIVE_MINIMUM);
	assert_int_equal(check(ex, "0.001", &e), KP_CONSTRAINT_NONE);
	assert_int_equal(check(ex, "100", &e), KP_CONSTRAINT_EXCLUSIVE_MAXIMUM);
	const char *dt = "{\"name\": \"d\", \"type\": \"date\", \"constraints\": {\"minimum\": "
			 "\"2019-04-01\", \"maximum\": \"2023-03-31\"}}";
	assert_int_equal(check(dt, "2019-03-31", &e), KP_CONSTRAINT_MINIMUM);
	assert_int_equal(check(dt, "2020-02-29", &e), KP_CONSTRAINT_NONE);
	assert_int_equal(check(dt, "2023-04-01", &e), KP_CONSTRAINT_MAXIMUM);
	const char *len = "{\"name\": \"s\", \"constraints\": {\"minLength\": 2, \"maxLength\": 3}, "
			  "\"type\": \"string\"}";
	assert_int_equal(check(len, "金", &e), KP_CONSTRAINT_MIN_LENGTH);
	assert_int_equal(check(len, "金沢市", &e), KP_CONSTRAINT_NONE); /* characters, not bytes */
	assert_int_equal(check(len, "金沢市役", &e), KP_CONSTRAINT_MAX_LENGTH);
	const char *pat = "{\"name\": \"s\", \"type\": \"string\", \"constraints\": {\"pattern\": "
			  "\"[0-9]{6}\"}}";
	assert_int_equal(check(pat, "172014", &e), KP_CONSTRAINT_NONE);
	assert_int_equal(check(pat, "x172014", &e), KP_CONSTRAINT_PATTERN); /* whole value */
	assert_int_equal(check(pat, "17201", &e), KP_CONSTRAINT_PATTERN);
	const char *hira = "{\"name\": \"s\", \"type\": \"string\", \"constraints\": {\"pattern\": "
			   "\"\\\\p{IsHiragana}+\"}}";
	assert_int_equal(check(hira, "かなざわ", &e), KP_CONSTRAINT_NONE);
	assert_int_equal(check(hira, "カナザワ", &e), KP_CONSTRAINT_PATTERN);
	const char *en = "{\"name\": \"s\", \"type\": \"string\", \"constraints\": {\"enum\": "
			 "[\"△\", \"□\", \"○\", \"◎\"]}}";
	assert_int_equal(check(en, "○", &e), KP_CONSTRAINT_NONE);
	assert_int_equal(check(en, "●", &e), KP_CONSTRAINT_ENUM);
	assert_non_null(strstr(e.message, "\"◎\""));
	/* enum values are compared as typed values: 1.0 is in [1, 2]. */
	const char *ne = "{\"name\": \"n\", \"type\": \"number\", \"constraints\": {\"enum\": [1, 2]}}";
	assert_int_equal(check(ne, "1.0", &e), KP_CONSTRAINT_NONE);
	assert_int_equal(check(ne, "3", &e), KP_CONSTRAINT_ENUM);
	const char *ll = "{\"name\": \"l\", \"type\": \"list\", \"constraints\": {\"maxLength\": 2}}";
	assert_int_equal(check(ll, "a,b", &e), KP_CONSTRAINT_NONE);
	assert_int_equal(check(ll, "a,b,c", &e), KP_CONSTRAINT_MAX_LENGTH);
	const char *al = "{\"name\": \"l\", \"type\": \"array\", \"constraints\": {\"minLength\": 2}}";
	assert_int_equal(check(al, "[1]", &e), KP_CONSTRAINT_MIN_LENGTH);
	assert_int_equal(check(al, "[1, 2]", &e), KP_CONSTRAINT_NONE);
}

static void compare_orders_values(void **state)
{
	(void)state;
	kp_value a, b;
	assert_int_equal(kp_cast_plain(KP_TYPE_NUMBER, KP_FORMAT_DEFAULT, "NaN", 3, &a, NULL), 0);
	assert_int_equal(kp_cast_plain(KP_TYPE_NUMBER, KP_FORMAT_DEFAULT, "INF", 3, &b, NULL), 0);
	assert_true(kp_cast_compare(&a, &b) > 0);
	assert_int_equal(kp_cast_compare(&a, &a), 0);
	assert_int_equal(kp_cast_plain(KP_TYPE_DURATION, KP_FORMAT_DEFAULT, "P1M", 3, &a, NULL), 0);
	assert_int_equal(kp_cast_plain(KP_TYPE_DURATION, KP_FORMAT_DEFAULT, "P40D", 4, &b, NULL), 0);
	assert_true(kp_cast_compare(&a, &b) > 0);
	assert_int_equal(kp_cast_plain(KP_TYPE_YEARMONTH, KP_FORMAT_DEFAULT, "2019-12", 7, &a, NULL), 0);
	assert_int_equal(kp_cast_plain(KP_TYPE_YEARMONTH, KP_FORMAT_DEFAULT, "2020-01", 7, &b, NULL), 0);
	assert_true(kp_cast_compare(&a, &b) < 0);
	a.is_null = 1;
	assert_true(kp_cast_compare(&a, &b) < 0);
}

static void canonical_truncates_like_snprintf(void **state)
{
	(void)state;
	kp_value v;
	assert_int_equal(kp_cast_plain(KP_TYPE_STRING, KP_FORMAT_DEFAULT, "abcdef", 6, &v, NULL), 0);
	char buf[4];
	assert_int_equal(kp_cast_canonical(NULL, &v, buf, sizeof buf), 6);
	assert_string_equal(buf, "abc");
	v.is_null = 1;
	assert_int_equal(kp_cast_canonical(NULL, &v, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
}

static void names(void **state)
{
	(void)state;
	kp_type t;
	assert_int_equal(kp_cast_type_parse("yearmonth", &t), 0);
	assert_int_equal(t, KP_TYPE_YEARMONTH);
	assert_int_equal(kp_cast_type_parse("decimal", &t), -1);
	assert_string_equal(kp_cast_type_name(KP_TYPE_GEOPOINT), "geopoint");
	assert_string_equal(kp_cast_constraint_name(KP_CONSTRAINT_EXCLUSIVE_MAXIMUM),
		"exclusiveMaximum");
	assert_string_equal(kp_cast_format_name(KP_FORMAT_UUID), "uuid");
}

/* kp_cast_fast claims a cell only when the general path agrees: the cast succeeds, the
 * value is the same and the canonical text is the cell itself.  Checked over fields of
 * every fast type and cells around the edges (signs, zeros, separators, lengths). */
static void fast_path_agrees_with_general(void **state)
{
	(void)state;
	static const char *const fields[] = {
		"{\"name\":\"a\"}",
		"{\"name\":\"a\",\"type\":\"string\"}",
		"{\"name\":\"a\",\"type\":\"string\",\"format\":\"email\"}",
		"{\"name\":\"a\",\"type\":\"integer\"}",
		"{\"name\":\"a\",\"type\":\"integer\",\"bareNumber\":false}",
		"{\"name\":\"a\",\"type\":\"integer\",\"groupChar\":\",\"}",
		"{\"name\":\"a\",\"type\":\"number\"}",
		"{\"name\":\"a\",\"type\":\"number\",\"decimalChar\":\",\"}",
		"{\"name\":\"a\",\"type\":\"number\",\"groupChar\":\".\",\"decimalChar\":\",\"}",
		"{\"name\":\"a\",\"type\":\"boolean\"}",
		"{\"name\":\"a\",\"type\":\"boolean\",\"trueValues\":[\"yes\"],\"falseValues\":[\"no\"]}",
		"{\"name\":\"a\",\"type\":\"boolean\",\"trueValues\":[\"false\"],\"falseValues\":[\"true\"]}",
		"{\"name\":\"a\",\"type\":\"date\"}",
	};
	static const char *const cells[] = {"0", "-0", "00", "007", "1", "-1", "+1", "12", "1.5",
		"1.50", "0.5", ".5", "5.", "-0.5", "-0.0", "1e3", "1,000", "1.000,5",
		"123456789012345678", "1234567890123456789", "123456789012345", "1234567890.123456",
		"true", "false", "True", "yes", "no", "1 ", " 1", "金沢", "a b", "2019-04-01", "NaN",
		"INF", "-", "9223372036854775807"};
	int claimed = 0;
	for (size_t fi = 0; fi < sizeof fields / sizeof fields[0]; fi++) {
		kp_schema *s = field_schema(fields[fi]);
		const kp_field *f = &s->fields[0];
		for (size_t ci = 0; ci < sizeof cells / sizeof cells[0]; ci++) {
			const char *c = cells[ci];
			kp_value fv, gv;
			if (!kp_cast_fast(f, c, strlen(c), &fv))
				continue;
			claimed++;
			if (kp_cast_cell(f, c, strlen(c), &gv, NULL) != KP_CAST_OK)
				fail_msg("%s: fast path took \"%s\", the general cast refuses it", fields[fi], c);
			char canon[256];
			kp_cast_canonical(f, &gv, canon, sizeof canon);
			if (strcmp(canon, c) != 0)
				fail_msg("%s: fast path took \"%s\", canonical is \"%s\"", fields[fi], c, canon);
			assert_int_equal(kp_cast_compare(&fv, &gv), 0);
			assert_int_equal(fv.type, gv.type);
		}
		kp_schema_free(s);
	}
	/* and it does take the common spellings */
	kp_schema *s = field_schema("{\"name\":\"a\",\"type\":\"integer\"}");
	kp_value v;
	assert_true(kp_cast_fast(&s->fields[0], "-42", 3, &v));
	assert_int_equal(v.u.i, -42);
	assert_false(kp_cast_fast(&s->fields[0], "042", 3, &v));
	kp_schema_free(s);
	s = field_schema("{\"name\":\"a\",\"type\":\"number\"}");
	assert_true(kp_cast_fast(&s->fields[0], "40524.5", 7, &v));
	assert_true(v.u.n == 40524.5);
	kp_schema_free(s);
	assert_true(claimed > 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(integers),
		cmocka_unit_test(numbers),
		cmocka_unit_test(number_fast_path_matches_strtod),
		cmocka_unit_test(frictionless_number_cases),
		cmocka_unit_test(frictionless_integer_datetime_cases),
		cmocka_unit_test(booleans),
		cmocka_unit_test(dates),
		cmocka_unit_test(times_and_datetimes),
		cmocka_unit_test(year_yearmonth_duration),
		cmocka_unit_test(strings_and_formats),
		cmocka_unit_test(geo_json_list),
		cmocka_unit_test(missing_values),
		cmocka_unit_test(constraints),
		cmocka_unit_test(compare_orders_values),
		cmocka_unit_test(canonical_truncates_like_snprintf),
		cmocka_unit_test(names),
		cmocka_unit_test(fast_path_agrees_with_general),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
