#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/schema.h"
#include "../../src/status.h"
#include "../../src/validate.h"

static char tmpdir[] = "/tmp/kp-test-validate-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *data)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ % 4];
	snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
	FILE *fp = fopen(p, "wb");
	assert_non_null(fp);
	fputs(data, fp);
	assert_int_equal(fclose(fp), 0);
	return p;
}

static kp_schema *schema(const char *json)
{
	json_error_t je;
	json_t *j = json_loads(json, 0, &je);
	if (!j)
		fail_msg("bad test schema: %s", je.text);
	kp_schema *s = NULL;
	assert_int_equal(kp_schema_load_json(j, NULL, NULL, &s, NULL), 0);
	json_decref(j);
	return s;
}

/* Findings borrow field names and rule ids from the schema: it lives in the result
 * until release(). */
typedef struct result {
	kp_schema *s;
	kp_diag_list list;
	kp_validate_stats st;
	int rc;
} result;

static void validate(result *r, const char *schema_json, const char *csv, long max_errors)
{
	r->s = schema(schema_json);
	const char *path = write_file("t.csv", csv);
	kp_diag_list_init(&r->list);
	kp_diag_sink sink = kp_diag_list_sink(&r->list);
	kp_validate_opts o = {.max_errors = max_errors};
	r->rc = kp_validate_table(path, "t.csv", r->s, &o, &sink, &r->st);
}

static void release(result *r)
{
	kp_diag_list_release(&r->list);
	kp_schema_free(r->s);
	r->s = NULL;
}

/* The n-th finding with this code (0-based), or NULL. */
static const kp_diag *nth(const result *r, const char *code, size_t n)
{
	for (size_t i = 0; i < r->list.len; i++)
		if (strcmp(r->list.items[i].code, code) == 0 && n-- == 0)
			return &r->list.items[i];
	return NULL;
}

static void assert_at(const kp_diag *d, long row, long col)
{
	assert_non_null(d);
	assert_int_equal(d->row, row);
	assert_int_equal(d->column, col);
	assert_string_equal(d->file, "t.csv");
}

static const char people[] = "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\",\"constraints\":"
			     "{\"required\":true}},{\"name\":\"name\",\"title\":\"名称\"},"
			     "{\"name\":\"age\",\"type\":\"integer\",\"constraints\":{\"minimum\":0}}]}";

static void clean_table_and_stats(void **state)
{
	(void)state;
	result r;
	validate(&r, people, "id,名称,age\r\n1,金沢,30\r\n2,\"a, b\",\r\n", 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.list.len, 0);
	assert_int_equal(r.st.rows, 2);
	assert_int_equal(r.st.fields, 3);
	assert_int_equal(r.st.bytes, 39);
	assert_int_equal(strlen(r.st.sha256), 64);
	release(&r);
}

static void cells_rows_positions(void **state)
{
	(void)state;
	result r;
	validate(&r, people, "id,name,age\nx,a,1\n2,b,-1\n\n3,c\n4,d,5,6\n", 0);
	assert_int_equal(r.rc, 1);
	const kp_diag *d = nth(&r, "type-error", 0);
	assert_at(d, 2, 1);
	assert_string_equal(d->field, "id");
	assert_string_equal(d->cell, "x");
	d = nth(&r, "constraint-error", 0);
	assert_at(d, 3, 3);
	assert_non_null(strstr(d->message, "minimum"));
	assert_at(nth(&r, "blank-row", 0), 4, 0);
	assert_string_equal(nth(&r, "blank-row", 0)->rule, "L1-03");
	assert_at(nth(&r, "missing-cell", 0), 5, 3);
	d = nth(&r, "extra-cell", 0);
	assert_at(d, 6, 4);
	assert_string_equal(d->rule, "L1-15");
	assert_string_equal(d->cell, "6");
	assert_int_equal(r.st.rows, 5);
	assert_int_equal(r.st.errors, 5);
	release(&r);
}

static void header_labels(void **state)
{
	(void)state;
	result r;
	validate(&r, people, "id,,id,extra\n1,a,2,3\n", 0);
	assert_at(nth(&r, "blank-label", 0), 1, 2);
	assert_at(nth(&r, "duplicate-label", 0), 1, 3);
	assert_at(nth(&r, "extra-label", 0), 1, 4);
	assert_null(nth(&r, "incorrect-label", 0));
	release(&r);

	validate(&r, people, "id,nom\n1,a\n", 0);
	assert_at(nth(&r, "incorrect-label", 0), 1, 2);
	assert_at(nth(&r, "missing-label", 0), 1, 3);
	release(&r);

	/* fieldsMatch equal: by name, any order */
	validate(&r,
		"{\"fieldsMatch\":\"equal\",\"fields\":[{\"name\":\"a\",\"type\":\"integer\"},"
		"{\"name\":\"b\",\"type\":\"integer\"}]}",
		"b,a\nx,1\n", 0);
	assert_null(nth(&r, "incorrect-label", 0));
	const kp_diag *d = nth(&r, "type-error", 0);
	assert_at(d, 2, 1);
	assert_string_equal(d->field, "b");
	release(&r);
}

static void title_row_then_header(void **state)
{
	(void)state;
	result r;
	validate(&r, people, "年度別一覧,,\nid,name,age\n1,a,2\n", 0);
	const kp_diag *d = nth(&r, "title-row", 0);
	assert_at(d, 1, 0);
	assert_string_equal(d->rule, "L3-01");
	assert_int_equal(r.list.len, 1); /* the header on line 2 is then used */
	assert_int_equal(r.st.rows, 1);
	release(&r);
}

static void unique_primary_foreign(void **state)
{
	(void)state;
	result r;
	validate(&r,
		"{\"fields\":[{\"name\":\"id\",\"type\":\"integer\",\"constraints\":{\"unique\":true}},"
		"{\"name\":\"y\",\"type\":\"year\"},{\"name\":\"parent\",\"type\":\"integer\"}],"
		"\"primaryKey\":[\"id\",\"y\"],\"foreignKeys\":[{\"fields\":\"parent\",\"reference\":"
		"{\"resource\":\"\",\"fields\":\"id\"}}]}",
		"id,y,parent\n1,2019,\n2,2019,5\n01,2019,1\n5,2020,7\n", 0);
	const kp_diag *d = nth(&r, "unique-error", 0);
	assert_at(d, 4, 1);
	assert_non_null(strstr(d->message, "row 2"));
	d = nth(&r, "primary-key", 0);
	assert_non_null(d);
	assert_int_equal(d->row, 4);
	assert_non_null(strstr(d->message, "row 2"));
	/* parent 5 appears later (row 5): not an error; parent 7 never does */
	d = nth(&r, "foreign-key", 0);
	assert_at(d, 5, 3);
	assert_null(nth(&r, "foreign-key", 1));
	release(&r);
}

static void japanese_rules(void **state)
{
	(void)state;
	result r;
	validate(&r,
		"{\"fields\":[{\"name\":\"lg_code\",\"type\":\"string\"},{\"name\":\"name\"},"
		"{\"name\":\"n\",\"type\":\"number\",\"missingValues\":[\"-\"]}]}",
		"lg_code,name,n\n172014,金沢,1\n172015,①,\"1,500人\"\n170003,〃,\n172014, ｶﾅ,-\n", 0);
	assert_at(nth(&r, "lg-code", 0), 3, 1);
	assert_null(nth(&r, "lg-code", 1));
	const kp_diag *d = nth(&r, "platform-dependent-char", 0);
	assert_at(d, 3, 2);
	assert_string_equal(d->rule, "L1-08");
	d = nth(&r, "number-with-unit", 0);
	assert_at(d, 3, 3);
	assert_non_null(strstr(d->message, "1500"));
	assert_at(nth(&r, "repeat-mark", 0), 4, 2);
	assert_at(nth(&r, "blank-vs-zero", 0), 4, 3);
	assert_at(nth(&r, "padding-space", 0), 5, 2);
	assert_at(nth(&r, "halfwidth-kana", 0), 5, 2);
	assert_null(nth(&r, "type-error", 0));
	release(&r);
}

static void wide_format_warning(void **state)
{
	(void)state;
	result r;
	validate(&r,
		"{\"fieldsMatch\":\"subset\",\"fields\":[{\"name\":\"item\"}]}",
		"item,2019,令和2年度,H30,note\nx,1,2,3,y\n", 0);
	const kp_diag *d = nth(&r, "wide-format", 0);
	assert_at(d, 1, 2);
	assert_int_equal(d->severity, KP_SEV_WARNING);
	assert_non_null(strstr(d->message, "3 column labels"));
	assert_int_equal(r.rc, 0);
	release(&r);
}

static void plan_rules(void **state)
{
	(void)state;
	result r;
	validate(&r,
		"{\"fields\":[{\"name\":\"item\",\"type\":\"integer\"},{\"name\":\"year\",\"type\":"
		"\"integer\"},{\"name\":\"v\",\"type\":\"number\"},{\"name\":\"stage\"}],\"rules\":["
		"{\"id\":\"cum\",\"type\":\"non-decreasing\",\"field\":\"v\",\"groupBy\":\"item\","
		"\"orderBy\":\"year\"},{\"id\":\"st\",\"type\":\"non-decreasing\",\"field\":\"stage\","
		"\"groupBy\":\"item\",\"orderBy\":\"year\",\"order\":[\"△\",\"○\",\"◎\"]}]}",
		"item,year,v,stage\n1,2021,9,◎\n1,2019,10,△\n1,2020,8,○\n2,2019,1,◎\n2,2020,2,△\n", 0);
	/* item 1 sorted by year: 10 (2019), 8 (2020) < 10, 9 (2021) */
	const kp_diag *d = nth(&r, "rule-error", 0);
	assert_at(d, 4, 3);
	assert_string_equal(d->rule, "cum");
	assert_null(nth(&r, "rule-error", 2));
	d = nth(&r, "rule-error", 1);
	assert_at(d, 6, 4);
	assert_string_equal(d->rule, "st");
	release(&r);
}

static void max_errors_stops_early(void **state)
{
	(void)state;
	result r;
	validate(&r, people, "id,name,age\nx,a,1\ny,b,2\nz,c,3\n", 2);
	assert_int_equal(r.st.errors, 2);
	assert_true(r.st.stopped);
	const kp_diag *d = nth(&r, "stopped-early", 0);
	assert_non_null(d);
	assert_null(nth(&r, "type-error", 2));
	release(&r);
}

static void unreadable_is_io(void **state)
{
	(void)state;
	kp_schema *s = schema(people);
	kp_diag_list l;
	kp_diag_list_init(&l);
	kp_diag_sink sink = kp_diag_list_sink(&l);
	kp_validate_stats st;
	int rc = kp_validate_table("/nonexistent/x.csv", NULL, s, NULL, &sink, &st);
	assert_int_equal(rc, KP_EXIT_IO);
	assert_true(st.unreadable);
	assert_string_equal(l.items[0].code, "source-error");
	kp_diag_list_release(&l);
	kp_schema_free(s);
}

static char last_file[512];

static int copy_file_sink(void *ctx, const kp_diag *d)
{
	snprintf(last_file, sizeof last_file, "%s", d->file ? d->file : "");
	return kp_diag_emit(ctx, d);
}

static void package_foreign_keys(void **state)
{
	(void)state;
	/* targets refers to items; items is listed second, so it must be validated first */
	write_file("datapackage.json",
		"{\"name\":\"p\",\"resources\":[{\"name\":\"targets\",\"path\":\"targets.csv\","
		"\"schema\":{\"fields\":[{\"name\":\"item\",\"type\":\"integer\"}],\"foreignKeys\":"
		"[{\"fields\":\"item\",\"reference\":{\"resource\":\"items\",\"fields\":\"id\"}}]}},"
		"{\"name\":\"items\",\"path\":\"items.csv\",\"schema\":{\"fields\":[{\"name\":\"id\","
		"\"type\":\"integer\"}]}}]}");
	write_file("items.csv", "id\n1\n2\n");
	write_file("targets.csv", "item\n1\n3\n2\n");
	char path[512];
	snprintf(path, sizeof path, "%s/datapackage.json", tmpdir);
	kp_package *p = NULL;
	assert_int_equal(kp_schema_package_load(path, &p, NULL), 0);
	kp_diag_list l;
	kp_diag_list_init(&l);
	kp_diag_sink inner = kp_diag_list_sink(&l);
	kp_diag_sink sink = {copy_file_sink, &inner};
	int rc = kp_validate_package(p, NULL, NULL, &sink, NULL, NULL);
	assert_int_equal(rc, 1);
	assert_int_equal(l.len, 1);
	assert_string_equal(l.items[0].code, "foreign-key");
	assert_int_equal(l.items[0].row, 3);
	assert_non_null(strstr(last_file, "targets.csv"));
	kp_diag_list_release(&l);
	kp_schema_package_free(p);
}

/* The hostile inputs of the issue: a 10 MB cell, a million columns, a truncated file,
 * NUL bytes.  Each must end as findings with bounded memory, never a crash. */
static void hostile_inputs(void **state)
{
	(void)state;
	size_t big = 10u << 20;
	char *buf = malloc(big + 64);
	assert_non_null(buf);
	strcpy(buf, "id,name,age\n1,\"");
	size_t n = strlen(buf);
	memset(buf + n, 'x', big);
	strcpy(buf + n + big, "\",2\n");
	result r;
	validate(&r, people, buf, 0);
	const kp_diag *d = nth(&r, "source-error", 0);
	assert_non_null(d);
	assert_int_equal(d->row, 2);
	assert_int_equal(r.rc, 1);
	release(&r);

	/* a million columns in the header */
	size_t cols = 1000000;
	char *wide = malloc(cols * 2 + 16);
	assert_non_null(wide);
	for (size_t i = 0; i < cols; i++)
		wide[2 * i] = 'c', wide[2 * i + 1] = ',';
	strcpy(wide + 2 * cols - 1, "\n1\n");
	validate(&r, people, wide, 50);
	d = nth(&r, "source-error", 0);
	assert_non_null(d);
	assert_int_equal(d->row, 1);
	assert_true(r.st.stopped);
	release(&r);
	free(wide);

	/* truncated inside a quoted cell and inside a character */
	validate(&r, people, "id,name,age\n1,\"金\xE6", 0);
	assert_non_null(nth(&r, "unclosed-quote", 0));
	assert_non_null(nth(&r, "encoding-error", 0));
	release(&r);

	/* NUL bytes */
	static const char nul[] = "id,name,age\n1,a\0b,2\n";
	memcpy(buf, nul, sizeof nul - 1);
	const char *path = write_file("nul.csv", "");
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, sizeof nul - 1, fp), sizeof nul - 1);
	fclose(fp);
	kp_schema *s = schema(people);
	kp_diag_list l;
	kp_diag_list_init(&l);
	kp_diag_sink sink = kp_diag_list_sink(&l);
	assert_int_equal(kp_validate_table(path, NULL, s, NULL, &sink, NULL), 1);
	assert_string_equal(l.items[0].code, "source-error");
	assert_int_equal(l.items[0].offset, 15);
	kp_diag_list_release(&l);
	kp_schema_free(s);
	free(buf);
}

/* The hooks see every data record with the field → column map, in order, and the
 * table's start and end; a failing row hook stops the table with KP_EXIT_IO. */
typedef struct seen {
	int starts, ends, rows, clean_rows;
	long last_number;
	char ages[64];
	long end_errors;
	int fail_at;
} seen;

static int hk_start(void *ctx, const kp_resource *res, const kp_schema *s, const char *file)
{
	seen *z = ctx;
	assert_null(res);
	assert_int_equal(s->nfields, 3);
	assert_string_equal(file, "t.csv");
	z->starts++;
	return 0;
}

static int hk_row(void *ctx, const kp_validate_row *row)
{
	seen *z = ctx;
	const kp_csvrecord *rec = row->rec;
	const long *field_col = row->field_col;
	z->rows++;
	z->clean_rows += row->clean;
	assert_true(rec->number > z->last_number);
	z->last_number = rec->number;
	assert_int_equal(field_col[0], 0);
	assert_int_equal(field_col[2], 2);
	if (rec->ncells > 2)
		strncat(z->ages, rec->cells[field_col[2]].data, sizeof z->ages - strlen(z->ages) - 1);
	/* id "1" and "3" are their own canonical text; "x" went through the general path */
	int want = rec->cells[0].data[0] == 'x' ? KP_VALIDATE_CELL_CHECKED : KP_VALIDATE_CELL_AS_IS;
	assert_int_equal(row->as_is[0], want);
	return z->fail_at && z->rows == z->fail_at ? -1 : 0;
}

static int hk_end(void *ctx, const kp_resource *res, const kp_validate_stats *st)
{
	seen *z = ctx;
	(void)res;
	z->ends++;
	z->end_errors = st->errors;
	return 0;
}

static void hooks_see_records(void **state)
{
	(void)state;
	kp_schema *s = schema(people);
	const char *path = write_file("t.csv", "id,name,age\n1,a,7\nx,b,8\n3,c,9\n");
	kp_diag_list l;
	kp_diag_list_init(&l);
	kp_diag_sink sink = kp_diag_list_sink(&l);
	seen z;
	memset(&z, 0, sizeof z);
	kp_validate_hooks hk = {&z, hk_start, hk_row, hk_end};
	kp_validate_opts o = {.hooks = &hk};
	kp_validate_stats st;
	assert_int_equal(kp_validate_table(path, "t.csv", s, &o, &sink, &st), 1);
	assert_int_equal(z.starts, 1);
	assert_int_equal(z.ends, 1);
	assert_int_equal(z.rows, 3);
	assert_int_equal(z.clean_rows, 1); /* row 3 has the type error; row 4 comes after it */
	assert_string_equal(z.ages, "789");
	assert_int_equal(z.end_errors, 1);
	kp_diag_list_release(&l);

	memset(&z, 0, sizeof z);
	z.fail_at = 2;
	kp_diag_list_init(&l);
	assert_int_equal(kp_validate_table(path, "t.csv", s, &o, &sink, &st), KP_EXIT_IO);
	assert_int_equal(z.rows, 2);
	assert_int_equal(z.ends, 1);
	kp_diag_list_release(&l);
	kp_schema_free(s);
}

/* The fast path never changes a finding: random tables of tricky cells give the same
 * findings (code, place, message, cell) with and without it. */
static void fast_path_changes_nothing(void **state)
{
	(void)state;
	static const char sch[] =
		"{\"fields\":["
		"{\"name\":\"id\",\"type\":\"integer\",\"constraints\":{\"required\":true,\"minimum\":1}},"
		"{\"name\":\"name\",\"constraints\":{\"enum\":[\"金沢\",\"a b\",\"abcdefghij\"]}},"
		"{\"name\":\"note\",\"type\":\"string\"},"
		"{\"name\":\"n\",\"type\":\"number\",\"constraints\":{\"minimum\":0,\"maximum\":1000}},"
		"{\"name\":\"b\",\"type\":\"boolean\",\"constraints\":{\"required\":true}},"
		"{\"name\":\"stage\",\"type\":\"integer\",\"constraints\":{\"enum\":[1,2,3],\"exclusiveMaximum\":3}},"
		"{\"name\":\"k\",\"type\":\"string\",\"constraints\":{\"maxLength\":3,\"pattern\":\"[a-z金沢]*\"}},"
		"{\"name\":\"m\",\"type\":\"integer\",\"missingValues\":[\"-\",\"\"]},"
		"{\"name\":\"lg_code\",\"type\":\"string\"},"
		"{\"name\":\"u\",\"type\":\"string\",\"format\":\"email\",\"constraints\":{\"unique\":true}}],"
		"\"primaryKey\":[\"id\",\"name\"]}";
	static const char *const vocab[] = {"", "-", " ", "1", "2", "3", "01", "-0", "+1", "1.50",
		"1.5", "0", "1,000", "１", "abc", "a b", "a  b", " a", "a ", "金沢", "金沢　市", "ｶﾅ",
		"①", "〃", "同上", "true", "false", "TRUE", "x\"y", "a,b", "é", "2019", "172014",
		"172015", "9999999999999999999", "NaN", "\t", "abcdefghij", "a@b.jp", "㎡", "、。"};
	const size_t nv = sizeof vocab / sizeof vocab[0];
	kp_schema *s = schema(sch);
	uint32_t seed = 12345;
	char *csv = malloc(1 << 16);
	assert_non_null(csv);
	for (int round = 0; round < 40; round++) {
		size_t o = (size_t)snprintf(csv, 256, "id,name,note,n,b,stage,k,m,lg_code,u\n");
		for (int row = 0; row < 30; row++) {
			for (int col = 0; col < 10; col++) {
				seed = seed * 1103515245u + 12345u;
				const char *v = vocab[(seed >> 8) % nv];
				if (col == 0 && (seed & 1))
					v = (seed >> 20) % 2 ? "7" : "12"; /* keys repeat now and then */
				int q = strpbrk(v, ",\"\n") != NULL;
				if (col)
					csv[o++] = ',';
				if (q)
					csv[o++] = '"';
				for (const char *c = v; *c; c++) {
					if (*c == '"')
						csv[o++] = '"';
					csv[o++] = *c;
				}
				if (q)
					csv[o++] = '"';
			}
			csv[o++] = '\n';
		}
		csv[o] = '\0';
		const char *path = write_file("fast.csv", csv);
		kp_diag_list fast, general;
		kp_diag_list_init(&fast);
		kp_diag_list_init(&general);
		kp_diag_sink fs = kp_diag_list_sink(&fast), gs = kp_diag_list_sink(&general);
		kp_validate_opts fo = {.max_errors = 0}, go = {.max_errors = 0, .general_only = 1};
		int frc = kp_validate_table(path, "t.csv", s, &fo, &fs, NULL);
		int grc = kp_validate_table(path, "t.csv", s, &go, &gs, NULL);
		assert_int_equal(frc, grc);
		assert_int_equal(fast.len, general.len);
		for (size_t i = 0; i < fast.len; i++) {
			const kp_diag *a = &fast.items[i], *b = &general.items[i];
			if (strcmp(a->code, b->code) != 0 || a->row != b->row || a->column != b->column ||
				strcmp(a->message, b->message) != 0 || strcmp(a->cell, b->cell) != 0)
				fail_msg("round %d finding %zu: fast [%s %ld:%ld %s] general [%s %ld:%ld %s]",
					round, i, a->code, a->row, a->column, a->message, b->code, b->row,
					b->column, b->message);
		}
		assert_true(general.len > 0); /* the vocabulary is meant to provoke findings */
		kp_diag_list_release(&fast);
		kp_diag_list_release(&general);
	}
	free(csv);
	kp_schema_free(s);
}

/* Primary keys that come in order are listed, not hashed into a set, until one comes out
 * of order: the duplicates found must be the same as with the set from the start. */
static void keys_in_order_then_not(void **state)
{
	(void)state;
	static const struct {
		const char *schema, *csv;
		long dup_row;      /* the row of the first primary-key finding (0: none) */
		const char *first; /* "row N" in its message */
	} cases[] = {
		/* in order (numeric, across digit counts), then a repeat of an earlier key */
		{"{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"}],\"primaryKey\":\"id\"}",
			"id\n8\n9\n10\n11\n9\n", 6, "row 3"},
		/* in byte order only (text) */
		{"{\"fields\":[{\"name\":\"id\"}],\"primaryKey\":\"id\"}", "id\na\nb\nba\nc\nb\n", 6, "row 3"},
		/* out of order first (no repeat), a repeat of a listed key later */
		{"{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"}],\"primaryKey\":\"id\"}",
			"id\n1\n2\n3\n0\n4\n2\n", 7, "row 3"},
		/* two fields; the same first field, the second decides */
		{"{\"fields\":[{\"name\":\"a\",\"type\":\"integer\"},{\"name\":\"y\",\"type\":\"integer\"}],"
		 "\"primaryKey\":[\"a\",\"y\"]}",
			"a,y\n1,2019\n1,2020\n2,2019\n2,2019\n", 5, "row 4"},
		/* an immediate repeat ends the run at once */
		{"{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"}],\"primaryKey\":\"id\"}", "id\n5\n5\n", 3,
			"row 2"},
		/* all in order: nothing */
		{"{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"}],\"primaryKey\":\"id\"}",
			"id\n1\n2\n3\n10\n200\n", 0, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		result r;
		validate(&r, cases[i].schema, cases[i].csv, 0);
		const kp_diag *d = nth(&r, "primary-key", 0);
		if (!cases[i].dup_row) {
			assert_null(d);
			assert_int_equal(r.rc, 0);
		} else {
			if (!d)
				fail_msg("case %zu: no primary-key finding", i);
			assert_int_equal(d->row, cases[i].dup_row);
			if (!strstr(d->message, cases[i].first))
				fail_msg("case %zu: %s", i, d->message);
			assert_null(nth(&r, "primary-key", 1));
		}
		release(&r);
	}
}

/* A consistent rule's groups while they come in order, and once a group comes back after
 * another one: the same finding as with the set from the start. */
static void groups_in_order_then_back(void **state)
{
	(void)state;
	static const char sch[] =
		"{\"fields\":[{\"name\":\"item\",\"type\":\"integer\"},{\"name\":\"unit\"}],"
		"\"rules\":[{\"id\":\"one-unit\",\"type\":\"consistent\",\"field\":\"unit\","
		"\"groupBy\":\"item\"}]}";
	static const struct {
		const char *csv;
		long row;          /* the row of the first rule-error (0: none) */
		const char *first; /* in its message */
	} cases[] = {
		{"item,unit\n1,人\n1,人\n2,件\n2,件\n10,t\n", 0, NULL},
		{"item,unit\n1,人\n1,人\n2,件\n1,件\n", 5, "'人' in row 2"},
		{"item,unit\n1,人\n2,件\n2,回\n", 4, "'件' in row 3"},
		{"item,unit\n2,人\n1,件\n3,t\n2,t\n1,件\n", 5, "'人' in row 2"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		result r;
		validate(&r, sch, cases[i].csv, 0);
		const kp_diag *d = nth(&r, "rule-error", 0);
		if (!cases[i].row) {
			assert_null(d);
		} else {
			if (!d)
				fail_msg("case %zu: no rule-error", i);
			assert_int_equal(d->row, cases[i].row);
			if (!strstr(d->message, cases[i].first))
				fail_msg("case %zu: %s", i, d->message);
			assert_null(nth(&r, "rule-error", 1));
		}
		release(&r);
	}
	/* a non-decreasing rule: groups in order, and a group that comes back */
	static const char nd[] =
		"{\"fields\":[{\"name\":\"item\",\"type\":\"integer\"},{\"name\":\"y\",\"type\":\"integer\"},"
		"{\"name\":\"v\",\"type\":\"integer\"}],\"rules\":[{\"id\":\"up\",\"type\":\"non-decreasing\","
		"\"field\":\"v\",\"groupBy\":\"item\",\"orderBy\":\"y\"}]}";
	result r;
	validate(&r, nd, "item,y,v\n1,2019,1\n1,2020,2\n2,2019,5\n2,2020,4\n", 0);
	assert_at(nth(&r, "rule-error", 0), 5, 3);
	assert_null(nth(&r, "rule-error", 1));
	release(&r);
	validate(&r, nd, "item,y,v\n1,2020,2\n2,2019,5\n1,2019,3\n2,2020,6\n", 0);
	/* item 1 sorted by year: 3 (2019, row 4) then 2 (2020, row 2): row 2 goes back */
	assert_at(nth(&r, "rule-error", 0), 2, 3);
	assert_null(nth(&r, "rule-error", 1));
	release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_table_and_stats),
		cmocka_unit_test(cells_rows_positions),
		cmocka_unit_test(header_labels),
		cmocka_unit_test(title_row_then_header),
		cmocka_unit_test(unique_primary_foreign),
		cmocka_unit_test(japanese_rules),
		cmocka_unit_test(wide_format_warning),
		cmocka_unit_test(plan_rules),
		cmocka_unit_test(max_errors_stops_early),
		cmocka_unit_test(unreadable_is_io),
		cmocka_unit_test(package_foreign_keys),
		cmocka_unit_test(hostile_inputs),
		cmocka_unit_test(hooks_see_records),
		cmocka_unit_test(fast_path_changes_nothing),
		cmocka_unit_test(keys_in_order_then_not),
		cmocka_unit_test(groups_in_order_then_back),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
