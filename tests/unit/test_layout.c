/* Unit tests for layout: what each record after the header is, and when a run of
 * blank rows is reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/hash.h"
#include "../../src/layout.h"

/* A record from a comma-separated line (no quoting); cells point into a copy. */
typedef struct rec {
	kp_csvrecord r;
	kp_csvcell cells[16];
	char buf[256];
} rec;

static const kp_csvrecord *mk(rec *x, long number, const char *line)
{
	memset(x, 0, sizeof *x);
	snprintf(x->buf, sizeof x->buf, "%s", line);
	x->r.number = number;
	x->r.offset = number * 100;
	x->r.cells = x->cells;
	if (!*line)
		return &x->r;
	char *p = x->buf;
	for (;;) {
		char *c = strchr(p, ',');
		x->cells[x->r.ncells].data = p;
		x->cells[x->r.ncells].len = c ? (size_t)(c - p) : strlen(p);
		x->r.ncells++;
		if (!c)
			break;
		*c = '\0';
		p = c + 1;
	}
	return &x->r;
}

typedef struct step {
	const char *line;
	kp_layout_kind kind;
	long split_first, split_last; /* run reported before this record (0: none) */
} step;

static void run(const char *header, const step *steps, size_t n, long end_first, long end_last)
{
	rec h, x;
	kp_layout l;
	assert_int_equal(kp_layout_init(&l, mk(&h, 1, header)), 0);
	for (size_t i = 0; i < n; i++) {
		kp_layout_run split;
		kp_layout_kind k = kp_layout_next(&l, mk(&x, (long)i + 2, steps[i].line), &split);
		if (k != steps[i].kind || split.first != steps[i].split_first ||
		    (split.first && split.last != steps[i].split_last))
			fail_msg(
			    "record %zu \"%s\": kind %d split %ld-%ld, want kind %d split %ld-%ld",
			    i + 2, steps[i].line, k, split.first, split.last, steps[i].kind,
			    steps[i].split_first, steps[i].split_last);
		if (split.first)
			assert_int_equal(split.offset, split.first * 100);
	}
	kp_layout_run end;
	kp_layout_end(&l, &end);
	assert_int_equal(end.first, end_first);
	if (end_first)
		assert_int_equal(end.last, end_last);
	kp_layout_release(&l);
}

static void test_blank_runs(void **state)
{
	(void)state;
	const step s[] = {{"a,1", KP_LAYOUT_DATA, 0, 0}, {"", KP_LAYOUT_BLANK, 0, 0},
			  {",", KP_LAYOUT_BLANK, 0, 0},	 {"b,2", KP_LAYOUT_DATA, 3, 4},
			  {"c,3", KP_LAYOUT_DATA, 0, 0}, {"", KP_LAYOUT_BLANK, 0, 0}};
	run("name,n", s, sizeof s / sizeof s[0], 7, 7); /* the trailing blank row too */
}

static void test_notes(void **state)
{
	(void)state;
	/* a lone first cell below a blank row, or marked, is a note; one finding for all */
	const step s[] = {{"a,1,x", KP_LAYOUT_DATA, 0, 0},
			  {"", KP_LAYOUT_BLANK, 0, 0},
			  {"出典は市の統計です,,", KP_LAYOUT_NOTE, 0, 0},
			  {"", KP_LAYOUT_SKIP, 0, 0},
			  {"もう一つの注記", KP_LAYOUT_SKIP, 0, 0}};
	run("name,n,memo", s, sizeof s / sizeof s[0], 0, 0);
	const step m[] = {{"a,1,x", KP_LAYOUT_DATA, 0, 0},
			  {"資料館,,", KP_LAYOUT_DATA, 0, 0}, /* a name, not 資料： */
			  {"※ 件数は速報値,,", KP_LAYOUT_NOTE, 0, 0},
			  {"注：令和6年,,", KP_LAYOUT_SKIP, 0, 0}, /* among the notes */
			  {"b,2,y", KP_LAYOUT_DATA, 0, 0},	   /* data again */
			  {"注：二つ目,,", KP_LAYOUT_NOTE, 0, 0}};
	run("name,n,memo", m, sizeof m / sizeof m[0], 0, 0);
	/* a footnote with its key in a cell of its own; a full row starting with ※ is data */
	const step k[] = {{"a,1,x", KP_LAYOUT_DATA, 0, 0},
			  {"※印,1,x", KP_LAYOUT_DATA, 0, 0},
			  {"※a,費用調整済み,", KP_LAYOUT_NOTE, 0, 0}};
	run("name,n,memo", k, sizeof k / sizeof k[0], 0, 0);
	/* a row with only its name filled, without a blank row above, is data */
	const step d[] = {{"a,1,x", KP_LAYOUT_DATA, 0, 0}, {"b,,", KP_LAYOUT_DATA, 0, 0}};
	run("name,n,memo", d, sizeof d / sizeof d[0], 0, 0);
}

static void test_second_table(void **state)
{
	(void)state;
	/* harunobu's rule_02 NG-01: a narrower table of other labels below a blank row */
	const step s[] = {{"北海道,5250,5224", KP_LAYOUT_DATA, 0, 0},
			  {"", KP_LAYOUT_BLANK, 0, 0},
			  {"面積,値", KP_LAYOUT_TABLE, 0, 0},
			  {"北海道,83424", KP_LAYOUT_SKIP, 0, 0},
			  {"", KP_LAYOUT_SKIP, 0, 0}};
	run("都道府県,2020年,2021年", s, sizeof s / sizeof s[0], 0, 0);
	/* a shared label makes a second table whatever its width */
	const step w[] = {{"a,1,x", KP_LAYOUT_DATA, 0, 0},
			  {"", KP_LAYOUT_BLANK, 0, 0},
			  {"name,開館時間,休館日", KP_LAYOUT_TABLE, 0, 0}};
	run("name,n,memo", w, sizeof w / sizeof w[0], 0, 0);
	/* frictionless' capital-invalid: a wider text row after a blank row is data */
	const step c[] = {{"8,Warsaw", KP_LAYOUT_DATA, 0, 0},
			  {"", KP_LAYOUT_BLANK, 0, 0},
			  {"x,Tokio,Japan,review", KP_LAYOUT_DATA, 3, 3}};
	run("id,name,name", c, sizeof c / sizeof c[0], 0, 0);
	/* numbers are values, never labels */
	const step v[] = {{"a,1,x", KP_LAYOUT_DATA, 0, 0},
			  {"", KP_LAYOUT_BLANK, 0, 0},
			  {"b,2", KP_LAYOUT_DATA, 3, 3}};
	run("name,n,memo", v, sizeof v / sizeof v[0], 0, 0);
}

static void test_header_again(void **state)
{
	(void)state;
	const step s[] = {{"a,1", KP_LAYOUT_DATA, 0, 0},     {"", KP_LAYOUT_BLANK, 0, 0},
			  {"name,n", KP_LAYOUT_AGAIN, 0, 0}, {"b,2", KP_LAYOUT_DATA, 0, 0},
			  {"name,n", KP_LAYOUT_AGAIN, 0, 0}, {"c,3", KP_LAYOUT_DATA, 0, 0}};
	run("name,n", s, sizeof s / sizeof s[0], 0, 0);
}

int main(void)
{
	kp_hash_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blank_runs),
	    cmocka_unit_test(test_notes),
	    cmocka_unit_test(test_second_table),
	    cmocka_unit_test(test_header_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
