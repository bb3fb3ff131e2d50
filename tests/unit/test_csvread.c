#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "../../src/csvread.h"
#include "../../src/schema.h"
#include "../../src/validate.h"

/* Reads all of data through a reader with the given chunk size; the records and the
 * findings are serialised into out (for comparison) and findings kept in list. */
typedef struct run {
	char out[8192];
	size_t len;
	kp_diag_list list;
	kp_csvread_stats st;
	int last_rc;
	char plain[64]; /* KP_CSVREC_PLAIN per record: "P" or "-" */
} run;

static void put(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(r->out + r->len, sizeof r->out - r->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof r->out - r->len)
		r->len += (size_t)n;
}

static int sink_fn(void *ctx, const kp_diag *d)
{
	run *r = ctx;
	kp_diag_list_push(&r->list, d);
	put(r, "{%s %ld:%ld @%lld}", d->code, d->row, d->column, d->offset);
	return 0;
}

static void read_all(run *r, const char *data, size_t n, size_t chunk, size_t max_cell,
	size_t max_fields)
{
	memset(r, 0, sizeof *r);
	kp_diag_list_init(&r->list);
	FILE *fp = fmemopen((void *)(uintptr_t)data, n ? n : 1, "rb");
	assert_non_null(fp);
	if (n == 0) {
		fclose(fp);
		fp = fopen("/dev/null", "rb");
	}
	kp_csvread_opts o;
	memset(&o, 0, sizeof o);
	o.file = "t.csv";
	o.chunk_bytes = chunk;
	o.max_cell_bytes = max_cell;
	o.max_fields = max_fields;
	o.sha256 = 1;
	o.sink.fn = sink_fn;
	o.sink.ctx = r;
	kp_diag err;
	kp_csvread *rd = kp_csvread_open_stream(fp, &o, &err);
	assert_non_null(rd);
	kp_csvrecord rec;
	int rc;
	r->plain[0] = '\0';
	while ((rc = kp_csvread_next(rd, &rec)) == 1) {
		/* the PLAIN hint is listed apart: one letter per record, P or - */
		strncat(r->plain, rec.flags & KP_CSVREC_PLAIN ? "P" : "-", sizeof r->plain - strlen(r->plain) - 1);
		put(r, "[#%ld L%ld %lld-%lld f%u", rec.number, rec.line, rec.offset, rec.end,
			rec.flags & ~(unsigned)KP_CSVREC_PLAIN);
		for (size_t i = 0; i < rec.ncells; i++)
			put(r, "|%s", rec.cells[i].data);
		put(r, "]");
	}
	r->last_rc = rc;
	r->st = *kp_csvread_stats_get(rd);
	kp_csvread_free(rd);
	fclose(fp);
}

static const kp_diag *find(const run *r, const char *code)
{
	for (size_t i = 0; i < r->list.len; i++)
		if (strcmp(r->list.items[i].code, code) == 0)
			return &r->list.items[i];
	return NULL;
}

static void crlf_records_positions(void **state)
{
	(void)state;
	static const char in[] = "a,b\r\nc,\"d\"\r\n\r\ne,f";
	run r;
	read_all(&r, in, sizeof in - 1, 0, 0, 0);
	assert_string_equal(r.out, "[#1 L1 0-5 f0|a|b][#2 L2 5-12 f0|c|d][#3 L3 12-14 f0][#4 L4 14-17 f0|e|f]");
	assert_int_equal(r.st.crlf, 3);
	assert_int_equal(r.st.lf, 0);
	assert_int_equal(r.st.records, 4);
	assert_int_equal(r.st.lines, 4);
	assert_int_equal(r.st.bytes, 17);
	assert_null(find(&r, "line-endings"));
	kp_diag_list_release(&r.list);
}

static void mixed_line_endings(void **state)
{
	(void)state;
	static const char in[] = "a,b\r\nc,d\ne,f\r\ng,h\r";
	run r;
	read_all(&r, in, sizeof in - 1, 0, 0, 0);
	const kp_diag *d = find(&r, "line-endings");
	assert_non_null(d);
	assert_int_equal(d->severity, KP_SEV_ERROR);
	assert_non_null(strstr(d->message, "1 LF, 2 CRLF, 1 CR"));
	assert_non_null(strstr(d->message, "first LF on line 2"));
	kp_diag_list_release(&r.list);
}

static void quotes_and_line_breaks(void **state)
{
	(void)state;
	static const char in[] = "h1,h2\n1,\"two\nlines\"\n2,ab\"c\n3,\"x\"y\n4,ok\n";
	run r;
	read_all(&r, in, sizeof in - 1, 0, 0, 0);
	const kp_diag *d = find(&r, "line-break-in-cell");
	assert_non_null(d);
	assert_int_equal(d->row, 2);
	assert_int_equal(d->column, 2);
	assert_string_equal(d->rule, "L1-14");
	/* record 3 starts on physical line 4 */
	assert_non_null(strstr(r.out, "[#3 L4 "));
	assert_non_null(strstr(r.out, "|2|ab\"c]"));
	size_t stray = 0;
	for (size_t i = 0; i < r.list.len; i++)
		if (strcmp(r.list.items[i].code, "stray-quote") == 0) {
			stray++;
			assert_int_equal(r.list.items[i].column, 2);
			assert_true(r.list.items[i].row == 3 || r.list.items[i].row == 4);
		}
	assert_int_equal(stray, 2);
	d = find(&r, "stray-quote");
	assert_int_equal(d->offset, 24); /* the quote after "ab" */
	/* after the stray quotes the reader is back in step */
	assert_non_null(strstr(r.out, "[#5 L6 "));
	assert_non_null(strstr(r.out, "|4|ok]"));
	kp_diag_list_release(&r.list);
}

/* Well-formed quoted cells are unescaped by the reader's own splitter (the fast path),
 * irregular ones by libcsv: the cells and positions must be the same either way, at any
 * chunk size. */
static void quoted_cells_fast_path(void **state)
{
	(void)state;
	static const char in[] = "h1,h2,h3\r\n\"1,500\",\"a\"\"b\",\"\"\r\n,\"\"\"\",x\r\n"
				 "\"\u3042\",\"p\"q,r\r\n\"s\",t,\"\"\r\n";
	static const char want[] = "[#1 L1 0-10 f0|h1|h2|h3][#2 L2 10-29 f0|1,500|a\"b|]"
				   "[#3 L3 29-38 f0||\"|x]";
	for (size_t chunk = 16; chunk <= 64; chunk += 48) {
		run r;
		read_all(&r, in, sizeof in - 1, chunk, 0, 0);
		assert_non_null(strstr(r.out, want));
		/* "p"q is a stray quote: libcsv's finding, then the record read on */
		const kp_diag *d = find(&r, "stray-quote");
		assert_non_null(d);
		assert_int_equal(d->row, 4);
		assert_int_equal(d->column, 2);
		assert_non_null(strstr(r.out, "|s|t|]"));
		kp_diag_list_release(&r.list);
	}
}

static void unclosed_quote(void **state)
{
	(void)state;
	static const char in[] = "a,b\n1,\"open\n2,3\n";
	run r;
	read_all(&r, in, sizeof in - 1, 0, 0, 0);
	const kp_diag *d = find(&r, "unclosed-quote");
	assert_non_null(d);
	assert_int_equal(d->row, 2);
	assert_int_equal(d->column, 2);
	assert_null(find(&r, "line-break-in-cell")); /* explained by the unclosed quote */
	assert_int_equal(r.st.records, 2);
	kp_diag_list_release(&r.list);
}

static void chunk_size_does_not_matter(void **state)
{
	(void)state;
	/* Japanese text (3-byte characters), CRLF, quotes, a line break in a cell and an
	 * encoding error, read with every chunk size from 16 to 80 bytes. */
	static const char in[] = "番号,名称,備考\r\n1,\"金沢市, 石川県\",\"改行\r\nあり\"\r\n"
				 "2,犀川\xE9,浅野川\r\n3,\"引用\"\"符\",\r\n\r\n4,最後,行";
	run ref;
	read_all(&ref, in, sizeof in - 1, 4096, 0, 0);
	assert_int_equal(ref.st.records, 6);
	const kp_diag *e = find(&ref, "encoding-error");
	assert_non_null(e);
	assert_int_equal(e->row, 3);
	assert_int_equal(e->column, 2); /* 犀川\xE9: the second cell (same for every chunk size) */
	for (size_t chunk = 16; chunk <= 80; chunk++) {
		run r;
		read_all(&r, in, sizeof in - 1, chunk, 0, 0);
		if (strcmp(r.out, ref.out) != 0)
			fail_msg("chunk %zu:\n%s\n%s", chunk, r.out, ref.out);
		assert_string_equal(r.st.sha256, ref.st.sha256);
		kp_diag_list_release(&r.list);
	}
	kp_diag_list_release(&ref.list);
}

static void encoding_error_offset_and_hint(void **state)
{
	(void)state;
	static const char in[] = "id,name\n1,\x8B\xE0\x91\xF2\n";
	run r;
	read_all(&r, in, sizeof in - 1, 0, 0, 0);
	const kp_diag *d = find(&r, "encoding-error");
	assert_non_null(d);
	assert_int_equal(d->offset, 10);
	assert_int_equal(d->row, 2);
	assert_int_equal(d->column, 2);
	assert_non_null(strstr(d->message, "Shift_JIS"));
	kp_diag_list_release(&r.list);
	/* a comma inside quotes does not start a cell */
	static const char q[] = "a,b,c\n1,\"x,y\xFF\",z\n";
	read_all(&r, q, sizeof q - 1, 0, 0, 0);
	d = find(&r, "encoding-error");
	assert_non_null(d);
	assert_int_equal(d->column, 2);
	kp_diag_list_release(&r.list);
}

static void bom_empty_nul(void **state)
{
	(void)state;
	run r;
	read_all(&r, "\xEF\xBB\xBFid\n1\n", 8, 0, 0, 0);
	const kp_diag *d = find(&r, "bom");
	assert_non_null(d);
	assert_int_equal(d->severity, KP_SEV_INFO);
	assert_true(r.st.bom);
	assert_non_null(strstr(r.out, "[#1 L1 3-6 f0|id]"));
	kp_diag_list_release(&r.list);

	read_all(&r, "", 0, 0, 0, 0);
	d = find(&r, "source-error");
	assert_non_null(d);
	assert_non_null(strstr(d->message, "empty"));
	kp_diag_list_release(&r.list);

	read_all(&r, "a,b\n1,\0\0\n", 9, 0, 0, 0);
	d = find(&r, "source-error");
	assert_non_null(d);
	assert_int_equal(d->offset, 6);
	kp_diag_list_release(&r.list);
}

static void limits_are_findings(void **state)
{
	(void)state;
	/* a cell longer than the limit stops the reader with a finding */
	size_t n = 5000;
	char *big = malloc(n + 16);
	assert_non_null(big);
	memcpy(big, "a\n\"", 3);
	memset(big + 3, 'x', n);
	memcpy(big + 3 + n, "\"\n", 2);
	run r;
	read_all(&r, big, n + 5, 64, 1000, 0);
	const kp_diag *d = find(&r, "source-error");
	assert_non_null(d);
	assert_int_equal(d->row, 2);
	assert_int_equal(r.last_rc, -1);
	kp_diag_list_release(&r.list);
	free(big);

	/* a record with too many fields is cut */
	read_all(&r, "a,b,c,d,e,f\n1\n", 14, 0, 0, 3);
	d = find(&r, "source-error");
	assert_non_null(d);
	assert_int_equal(d->row, 1);
	assert_int_equal(d->column, 4);
	assert_non_null(strstr(r.out, "[#1 L1 0-12 f2|a|b|c]"));
	assert_non_null(strstr(r.out, "[#2 L2 12-14 f0|1]"));
	kp_diag_list_release(&r.list);
}

static void truncated_utf8_at_end(void **state)
{
	(void)state;
	run r;
	read_all(&r, "a\n\xE9\x87", 4, 16, 0, 0);
	const kp_diag *d = find(&r, "encoding-error");
	assert_non_null(d);
	assert_int_equal(d->row, 2);
	kp_diag_list_release(&r.list);
}

/* Replays every fuzz corpus input (tests/fuzz/corpus/csv) through the reader and the
 * validator: none may crash (run under ASan with make check SANITIZE=1). */
static void fuzz_corpus_replay(void **state)
{
	(void)state;
	DIR *dir = opendir("tests/fuzz/corpus/csv");
	if (!dir)
		skip();
	kp_schema *s = NULL;
	json_t *j = json_loads("{\"fields\":[{\"name\":\"id\",\"type\":\"integer\",\"constraints\":"
			       "{\"unique\":true}},{\"name\":\"name\"},{\"name\":\"n\",\"type\":\"number\"}],"
			       "\"primaryKey\":[\"id\"]}",
		0, NULL);
	assert_non_null(j);
	assert_int_equal(kp_schema_load_json(j, NULL, NULL, &s, NULL), 0);
	json_decref(j);
	struct dirent *de;
	size_t files = 0;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof path, "tests/fuzz/corpus/csv/%s", de->d_name);
		kp_diag_list l;
		kp_diag_list_init(&l);
		kp_diag_sink sink = kp_diag_list_sink(&l);
		kp_validate_opts o = {.max_errors = 100};
		kp_validate_stats st;
		int rc = kp_validate_table(path, NULL, s, &o, &sink, &st);
		assert_true(rc == 0 || rc == 1);
		kp_diag_list_release(&l);
		files++;
	}
	closedir(dir);
	kp_schema_free(s);
	assert_true(files > 0);
}

/* KP_CSVREC_PLAIN: one line of valid UTF-8 with no classed character and no two blanks
 * in a row; everything else is left unclaimed. */
static void plain_records(void **state)
{
	(void)state;
	static run r;
	static const char in[] = "a,b\n金沢,\"1,5\"\na  b,c\nａ,b\n\"x\ny\",z\n金沢　市,b\n1,\tb\ne,f";
	read_all(&r, in, sizeof in - 1, 0, 0, 0);
	/* a,b  金沢,"1,5"  blanks  ａ  two-line  U+3000  a lone tab (plain: its cell's edge is
	 * the validator's to see)  the last line without a line end (read by libcsv) */
	assert_string_equal(r.plain, "PP----P-");
	kp_diag_list_release(&r.list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crlf_records_positions),
		cmocka_unit_test(mixed_line_endings),
		cmocka_unit_test(quotes_and_line_breaks),
		cmocka_unit_test(quoted_cells_fast_path),
		cmocka_unit_test(unclosed_quote),
		cmocka_unit_test(chunk_size_does_not_matter),
		cmocka_unit_test(encoding_error_offset_and_hint),
		cmocka_unit_test(bom_empty_nul),
		cmocka_unit_test(limits_are_findings),
		cmocka_unit_test(truncated_utf8_at_end),
		cmocka_unit_test(fuzz_corpus_replay),
		cmocka_unit_test(plain_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
