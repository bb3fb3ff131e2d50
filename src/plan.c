/* plan — the document parser.
 *
 * The document (Markdown headings, tab-separated tables, HTML fragments) is read line
 * by line; each line is one of:
 *
 *   heading   "#"… then: "II …" chapter | "N name" 基本方針 | "(N) name" 推進項目 (either
 *             bracket width, any level) | "用語解説" | "※N term" (in the glossary)
 *   header    "取組事項名 ⇥ ⇥ 2019 ⇥ 2020 …" opens a table of items; its year cells give
 *             the fiscal years.  "実施内容 ⇥ 担当課" opens a 実施内容 table.
 *   row       in a table of items: "○name" (取組項目) or "N[ 重点] ⇥ name ⇥ cell…";
 *             in a 実施内容 table: "text ⇥ departments"
 *   legend    "【取組事項の段階】" and its "- △：研究・検討" lines
 *   glossary  "- ※N term" entries and the paragraphs under each term
 *   blank
 *
 * 実施内容 tables follow their tables of items, in the same order (sometimes after a
 * heading), so each one is matched with the oldest table of items still without one;
 * its rows must cover exactly that table's items.  A row covers several items when its
 * cell was merged in the PDF: a list with one <li> per item, or several annotations
 * each led by a label "(画像) 【…】"; each part's label must name its item.
 *
 * Line ends (LF, CRLF, CR), trailing white space, extra blank lines, heading levels,
 * bracket widths and full-width digits do not change the result.
 */
#include "plan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "status.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_YEARS 32

typedef struct item_table {
	long line; /* header line */
	int years[MAX_YEARS];
	size_t year_col[MAX_YEARS]; /* cell index of each year */
	size_t nyears;
	size_t ncols; /* cells in the header */
	size_t first; /* index of its first item in plan->items */
	size_t count; /* items in it */
	int matched;  /* a 実施内容 table was matched with it */
} item_table;

typedef struct content_row {
	long line;
	char *text; /* owned raw cell */
	char *dept; /* owned raw cell */
} content_row;

enum mode { M_BODY, M_LEGEND, M_GLOSSARY };

typedef struct parser {
	const char *file;
	kp_diag *err;
	kp_plan *plan;
	int status; /* 0, KP_EXIT_INVALID, KP_EXIT_IO */
	enum mode mode;
	int policy_no, measure_no;
	const char *policy, *measure, *group;
	item_table *tabs;
	size_t ntabs;
	int in_items; /* the last table of items is open for rows */
	int in_content;
	long content_line;
	content_row *rows;
	size_t nrows;
	size_t items_cap, terms_cap;
	long term_line; /* current glossary term, 0 when none */
	kp_plan_buf term_text;
	size_t *title_notes; /* per item: how many footnotes came from the title */
} parser;

static int plan_fail(parser *p, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int plan_fail(parser *p, long line, const char *fmt, ...)
{
	if (p->status)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	kp_diag_vset(p->err, KP_SEV_ERROR, "plan-error", fmt, ap);
	va_end(ap);
	kp_diag_at(p->err, p->file, line, 0, -1);
	p->status = KP_EXIT_INVALID;
	return -1;
}

static int oom(parser *p)
{
	if (!p->status) {
		kp_diag_set(p->err, KP_SEV_ERROR, "io-error", "out of memory");
		kp_diag_at(p->err, p->file, 0, 0, -1);
		p->status = KP_EXIT_IO;
	}
	return -1;
}

static int eqs(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static size_t starts(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && memcmp(s, w, k) == 0 ? k : 0;
}

/* The first occurrence of w in s[0..n), or NULL. */
static const char *find(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, w, k) == 0)
			return s + i;
	return NULL;
}

/* Keeps a policy/measure/group name in the plan; items borrow it. */
static const char *keep(parser *p, char *s_own)
{
	if (!s_own)
		return oom(p), NULL;
	char **v = realloc(p->plan->strings, (p->plan->nstrings + 1) * sizeof *v);
	if (!v) {
		free(s_own);
		return oom(p), NULL;
	}
	p->plan->strings = v;
	v[p->plan->nstrings++] = s_own;
	return s_own;
}

/* Cleans a name cell (HTML, footnotes, spacing); footnotes go to notes if given. */
static char *clean_cell(parser *p, long line, const char *s, size_t n, kp_plan_ints *notes)
{
	kp_plan_flat f;
	char why[200];
	int r = kp_plan_html_flatten(s, n, &f, why, sizeof why);
	if (r < 0)
		return oom(p), NULL;
	if (r > 0)
		return plan_fail(p, line, "%s", why), NULL;
	kp_plan_buf all;
	kp_plan_buf_init(&all);
	kp_plan_buf_add(&all, kp_plan_buf_str(&f.intro), f.intro.len);
	for (size_t i = 0; i < f.nparts; i++) {
		kp_plan_buf_adds(&all, " ");
		kp_plan_buf_add(&all, kp_plan_buf_str(&f.parts[i]), f.parts[i].len);
	}
	kp_plan_flat_release(&f);
	if (all.oom) {
		kp_plan_buf_release(&all);
		return oom(p), NULL;
	}
	char *c = kp_plan_text_clean(kp_plan_buf_str(&all), all.len, notes);
	kp_plan_buf_release(&all);
	if (!c)
		return oom(p), NULL;
	return c;
}

/* ---- headings ---- */

static int parse_uint(const char *s, size_t n, size_t *i, int *out)
{
	size_t b = *i;
	long v = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		if (v > 1000000)
			return -1;
		(*i)++;
	}
	if (*i == b)
		return -1;
	*out = (int)v;
	return 0;
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n) {
		uint32_t cp;
		size_t k = kp_plan_u8_decode(s + i, n - i, &cp);
		if (k == 0 || !kp_plan_is_space(cp))
			break;
		i += k;
	}
	return i;
}

static const char *const roman[] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
				    "Ⅰ", "Ⅱ",  "Ⅲ",   "Ⅳ",  "Ⅴ", "Ⅵ",  "Ⅶ",   "Ⅷ",    "Ⅸ",  "Ⅹ"};
static const char *const open_brackets[] = {"(", "（"};
static const char *const close_brackets[] = {")", "）"};

static int begin_term(parser *p, long line, const char *s, size_t n);
static int close_content(parser *p);

static size_t match_any(const char *s, size_t n, const char *const *w, size_t nw)
{
	for (size_t k = 0; k < nw; k++) {
		size_t l = starts(s, n, w[k]);
		if (l)
			return l;
	}
	return 0;
}

static int heading(parser *p, long line, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == '#')
		i++;
	size_t j = skip_ws(s, n, i);
	if (j == i || j == n)
		return plan_fail(p, line, "malformed heading");
	const char *t = s + j;
	size_t tn = n - j;
	if (close_content(p))
		return -1;
	p->in_items = 0;
	if (p->mode == M_GLOSSARY) {
		if (starts(t, tn, "※"))
			return begin_term(p, line, t, tn);
		return plan_fail(p, line, "unexpected heading '%.*s' in the glossary", (int)tn, t);
	}
	p->mode = M_BODY;
	if (eqs(t, tn, "用語解説")) {
		p->mode = M_GLOSSARY;
		return 0;
	}
	/* chapter: a Roman numeral and its title */
	for (size_t k = 0; k < N(roman); k++) {
		size_t l = starts(t, tn, roman[k]);
		if (l && l < tn && skip_ws(t, tn, l) > l)
			return 0;
	}
	size_t k = 0;
	int num;
	if (t[0] >= '0' && t[0] <= '9') {
		if (parse_uint(t, tn, &k, &num))
			return plan_fail(p, line, "malformed 基本方針 number");
		size_t b = skip_ws(t, tn, k);
		if (b == k || b == tn)
			return plan_fail(p, line, "unknown heading '%.*s'", (int)tn, t);
		if (num != p->policy_no + 1)
			return plan_fail(p, line, "基本方針 %d follows 基本方針 %d", num, p->policy_no);
		const char *name = keep(p, clean_cell(p, line, t + b, tn - b, NULL));
		if (!name)
			return -1;
		p->policy_no = num;
		p->policy = name;
		p->measure_no = 0;
		p->measure = p->group = NULL;
		return 0;
	}
	size_t ob = match_any(t, tn, open_brackets, N(open_brackets));
	if (ob) {
		k = ob;
		if (parse_uint(t, tn, &k, &num))
			return plan_fail(p, line, "unknown heading '%.*s'", (int)tn, t);
		size_t cb = match_any(t + k, tn - k, close_brackets, N(close_brackets));
		if (!cb)
			return plan_fail(p, line, "unknown heading '%.*s'", (int)tn, t);
		size_t b = skip_ws(t, tn, k + cb);
		if (b == tn)
			return plan_fail(p, line, "推進項目 (%d) has no name", num);
		if (!p->policy)
			return plan_fail(p, line, "推進項目 (%d) before any 基本方針", num);
		if (num != p->measure_no + 1)
			return plan_fail(p, line, "推進項目 (%d) follows (%d) in 基本方針 %d", num,
				    p->measure_no, p->policy_no);
		const char *name = keep(p, clean_cell(p, line, t + b, tn - b, NULL));
		if (!name)
			return -1;
		p->measure_no = num;
		p->measure = name;
		p->group = NULL;
		return 0;
	}
	return plan_fail(p, line, "unknown heading '%.*s'", (int)(tn > 80 ? 80 : tn), t);
}

/* ---- tables ---- */

typedef struct cells {
	const char *b[64];
	size_t n[64];
	size_t count;
} cells;

static int split_cells(const char *s, size_t n, cells *c)
{
	c->count = 0;
	size_t b = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '\t') {
			if (c->count == N(c->b))
				return -1;
			const char *t;
			size_t len = kp_plan_trim(s + b, i - b, &t);
			c->b[c->count] = t;
			c->n[c->count++] = len;
			b = i + 1;
		}
	}
	/* trailing empty cells are the same as absent ones */
	while (c->count > 1 && c->n[c->count - 1] == 0)
		c->count--;
	return 0;
}

static int items_header(parser *p, long line, const cells *c)
{
	item_table *t = realloc(p->tabs, (p->ntabs + 1) * sizeof *t);
	if (!t)
		return oom(p);
	p->tabs = t;
	t = &p->tabs[p->ntabs];
	memset(t, 0, sizeof *t);
	if (p->ntabs && p->tabs[p->ntabs - 1].count == 0)
		return plan_fail(p, p->tabs[p->ntabs - 1].line, "table of items without any item");
	t->line = line;
	t->first = p->plan->nitems;
	for (size_t i = 1; i < c->count; i++) {
		const char *s = c->b[i];
		size_t n = c->n[i];
		if (n == 0 && t->nyears == 0)
			continue;
		size_t k = 0;
		int y;
		if (parse_uint(s, n, &k, &y) || k != 4 || (k != n && !eqs(s + k, n - k, "年度")))
			return plan_fail(p, line, "header cell %zu '%.*s' is not a fiscal year", i + 1,
				    (int)n, s);
		if (t->nyears && y <= t->years[t->nyears - 1])
			return plan_fail(p, line, "fiscal year %d after %d in the header", y,
				    t->years[t->nyears - 1]);
		if (i < 2)
			return plan_fail(p, line, "the header has no column for the item names");
		if (t->nyears == MAX_YEARS)
			return plan_fail(p, line, "too many fiscal years in the header");
		t->years[t->nyears] = y;
		t->year_col[t->nyears++] = i;
	}
	if (t->nyears == 0)
		return plan_fail(p, line, "the header of the table of items names no fiscal year");
	t->ncols = c->count;
	p->ntabs++;
	p->in_items = 1;
	return 0;
}

static int group_row(parser *p, long line, const cells *c)
{
	for (size_t i = 1; i < c->count; i++)
		if (c->n[i])
			return plan_fail(p, line, "取組項目 row has a value in cell %zu", i + 1);
	if (!p->measure)
		return plan_fail(p, line, "取組項目 before any 推進項目");
	size_t l = starts(c->b[0], c->n[0], "○");
	const char *name = keep(p, clean_cell(p, line, c->b[0] + l, c->n[0] - l, NULL));
	if (!name)
		return -1;
	if (!*name)
		return plan_fail(p, line, "取組項目 without a name");
	p->group = name;
	return 0;
}

/* Marks in front of an item's name. */
static const struct {
	const char *mark;
	int what; /* 1 continued, 2 numeric */
} name_marks[] = {{"(継)", 1}, {"（継）", 1}, {"■", 2}};

/* Marks after an item's number. */
static const char *const number_marks[] = {"重点"};

static int item_row(parser *p, long line, const cells *c)
{
	item_table *t = &p->tabs[p->ntabs - 1];
	size_t k = 0;
	int no;
	if (parse_uint(c->b[0], c->n[0], &k, &no))
		return plan_fail(p, line, "unknown row '%.*s' in a table of items", (int)c->n[0],
			    c->b[0]);
	k = skip_ws(c->b[0], c->n[0], k);
	int priority = 0;
	if (k < c->n[0]) {
		size_t l = match_any(c->b[0] + k, c->n[0] - k, number_marks, N(number_marks));
		if (!l || skip_ws(c->b[0], c->n[0], k + l) != c->n[0])
			return plan_fail(p, line, "unknown mark '%.*s' after item number %d",
				    (int)(c->n[0] - k), c->b[0] + k, no);
		priority = 1;
	}
	if (no != (int)p->plan->nitems + 1)
		return plan_fail(p, line, "item %d follows item %zu", no, p->plan->nitems);
	if (!p->group)
		return plan_fail(p, line, "item %d comes before any 取組項目 (○) of its 推進項目", no);
	if (c->count > t->ncols)
		return plan_fail(p, line, "item %d has %zu cells, the header at line %ld has %zu", no,
			    c->count, t->line, t->ncols);
	if (c->count < 2 || c->n[1] == 0)
		return plan_fail(p, line, "item %d has no name", no);
	if (p->plan->nitems == p->items_cap) {
		size_t cap = p->items_cap ? p->items_cap * 2 : 64;
		kp_plan_item *v = realloc(p->plan->items, cap * sizeof *v);
		size_t *tn = realloc(p->title_notes, cap * sizeof *tn);
		if (v)
			p->plan->items = v;
		if (tn)
			p->title_notes = tn;
		if (!v || !tn)
			return oom(p);
		p->items_cap = cap;
	}
	kp_plan_item *it = &p->plan->items[p->plan->nitems];
	memset(it, 0, sizeof *it);
	p->plan->nitems++;
	t->count++;
	it->no = no;
	it->line = line;
	it->priority = priority;
	it->policy_no = p->policy_no, it->policy = p->policy;
	it->measure_no = p->measure_no, it->measure = p->measure;
	it->group = p->group;
	/* the name: marks, then the name itself */
	const char *s = c->b[1];
	size_t n = c->n[1];
	for (;;) {
		size_t i = skip_ws(s, n, 0);
		s += i, n -= i;
		size_t m;
		for (m = 0; m < N(name_marks); m++) {
			size_t l = starts(s, n, name_marks[m].mark);
			if (l) {
				if (name_marks[m].what == 1)
					it->continued = 1;
				else
					it->numeric = 1;
				s += l, n -= l;
				break;
			}
		}
		if (m == N(name_marks))
			break;
	}
	if (find(s, n, "■") || find(s, n, "(継)") || find(s, n, "（継）"))
		return plan_fail(p, line, "item %d: a mark ■ or (継) inside the name", no);
	kp_plan_ints notes = {0};
	it->title = clean_cell(p, line, s, n, &notes);
	it->footnotes = notes.v;
	it->nfootnotes = notes.len;
	p->title_notes[p->plan->nitems - 1] = notes.len;
	if (!it->title)
		return -1;
	if (!*it->title)
		return plan_fail(p, line, "item %d has no name", no);
	/* the year cells */
	it->targets = calloc(t->nyears, sizeof *it->targets);
	if (!it->targets)
		return oom(p);
	it->ntargets = t->nyears;
	const kp_plan_target *last = NULL;
	for (size_t y = 0; y < t->nyears; y++) {
		kp_plan_target *g = &it->targets[y];
		g->fiscal_year = t->years[y];
		size_t col = t->year_col[y];
		const char *v = col < c->count ? c->b[col] : "";
		size_t vn = col < c->count ? c->n[col] : 0;
		if (vn == 0) {
			/* In the PDF an arrow carried a value into later years; the arrow was lost,
			 * so a blank after a filled cell continues it, a blank before is "not yet".
			 */
			if (last) {
				g->fig = last->fig;
				g->carried = 1;
			} else {
				g->fig.kind = KP_PLAN_NONE;
			}
			continue;
		}
		char why[300];
		if (kp_plan_copy(g->written, sizeof g->written, v, vn))
			return plan_fail(p, line, "item %d: cell for %d is too long", no,
				    g->fiscal_year);
		if (kp_plan_figure_parse(v, vn, 0, &g->fig, why, sizeof why))
			return plan_fail(p, line, "item %d, %d: %s", no, g->fiscal_year, why);
		last = g;
	}
	if (!last)
		return plan_fail(p, line, "item %d has no entry for any fiscal year", no);
	return 0;
}

/* ---- 実施内容 ---- */

typedef struct part {
	const char *label; /* borrowed; "" when none */
	size_t label_len;
	kp_plan_buf text; /* this item's own text (may be empty) */
	int has_ann;
	kp_plan_annotation ann;
} part;

/* Bullets in front of a list item's text. */
static const char *const bullets[] = {"・", "･", "•"};

/* Finds 【…】 in s from *from; returns 1 and the span, 0 when none. */
static int find_annotation(const char *s, size_t n, size_t from, size_t *b, size_t *e)
{
	const char *o = find(s + from, n - from, "【");
	if (!o)
		return 0;
	const char *c = find(o + 3, n - (size_t)(o + 3 - s), "】");
	if (!c)
		return -1;
	*b = (size_t)(o - s);
	*e = (size_t)(c - s) + 3;
	return 1;
}

/* Splits the text of one part: its annotation (at most one) out, the rest kept. */
static int part_from(parser *p, long line, const char *s, size_t n, part *pt)
{
	kp_plan_buf_init(&pt->text);
	size_t b, e;
	int r = find_annotation(s, n, 0, &b, &e);
	if (r < 0)
		return plan_fail(p, line, "【 without 】 in 実施内容");
	if (r == 0)
		return kp_plan_buf_add(&pt->text, s, n) ? oom(p) : 0;
	size_t b2, e2;
	int r2 = find_annotation(s, n, e, &b2, &e2);
	if (r2 != 0)
		return plan_fail(p, line, "two annotations 【…】 in one part of a 実施内容 cell");
	char why[300];
	if (kp_plan_annotation_parse(s + b + 3, e - b - 6, &pt->ann, why, sizeof why))
		return plan_fail(p, line, "%s", why);
	pt->has_ann = 1;
	if (kp_plan_buf_add(&pt->text, s, b) || kp_plan_buf_adds(&pt->text, " ") ||
	    kp_plan_buf_add(&pt->text, s + e, n - e))
		return oom(p);
	return 0;
}

static void parts_release(part *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kp_plan_buf_release(&v[i].text);
	free(v);
}

/* The parts of one 実施内容 cell: one per item it covers.  *shared gets the text that
 * applies to all of them. */
static int row_parts(parser *p, const content_row *row, kp_plan_flat *f, part **out, size_t *nout,
		     kp_plan_buf *shared)
{
	char why[200];
	int r = kp_plan_html_flatten(row->text, strlen(row->text), f, why, sizeof why);
	if (r < 0)
		return oom(p);
	if (r > 0)
		return plan_fail(p, row->line, "%s", why);
	kp_plan_buf_init(shared);
	const char *s = kp_plan_buf_str(&f->intro);
	size_t n = f->intro.len;
	if (f->nparts > 0) {
		/* a list: one item per <li>, the text outside the list applies to all */
		part *v = calloc(f->nparts, sizeof *v);
		if (!v)
			return oom(p);
		for (size_t i = 0; i < f->nparts; i++) {
			const char *ps;
			size_t pn =
			    kp_plan_trim(kp_plan_buf_str(&f->parts[i]), f->parts[i].len, &ps);
			size_t bl = match_any(ps, pn, bullets, N(bullets));
			ps += bl, pn -= bl;
			if (part_from(p, row->line, ps, pn, &v[i])) {
				parts_release(v, i + 1);
				return -1;
			}
			/* the label: the part's words up to its first bracket, after the bullet */
			const char *lb;
			size_t ln = kp_plan_trim(kp_plan_buf_str(&v[i].text), v[i].text.len, &lb);
			size_t e = 0;
			while (e < ln && lb[e] != '(' && !starts(lb + e, ln - e, "（"))
				e++;
			v[i].label = lb;
			v[i].label_len = kp_plan_trim(lb, e, &v[i].label);
		}
		if (find_annotation(s, n, 0, &(size_t){0}, &(size_t){0}))
			return parts_release(v, f->nparts),
			       plan_fail(p, row->line,
				    "annotation outside the list items of a 実施内容 cell");
		*out = v;
		*nout = f->nparts;
		return kp_plan_buf_add(shared, s, n) ? oom(p) : 0;
	}
	/* count the annotations */
	size_t spans[16][2], ns = 0, from = 0, b, e;
	for (;;) {
		int fr = find_annotation(s, n, from, &b, &e);
		if (fr < 0)
			return plan_fail(p, row->line, "【 without 】 in 実施内容");
		if (fr == 0)
			break;
		if (ns == N(spans))
			return plan_fail(p, row->line, "too many annotations in one 実施内容 cell");
		spans[ns][0] = b, spans[ns][1] = e;
		ns++;
		from = e;
	}
	if (ns <= 1) {
		part *v = calloc(1, sizeof *v);
		if (!v)
			return oom(p);
		if (part_from(p, row->line, s, n, v)) {
			parts_release(v, 1);
			return -1;
		}
		*out = v;
		*nout = 1;
		return 0;
	}
	/* labelled parts: "shared text (label1) 【…】 (label2) 【…】" */
	part *v = calloc(ns, sizeof *v);
	if (!v)
		return oom(p);
	size_t prev_end = 0;
	for (size_t i = 0; i < ns; i++) {
		/* the label ends right before the annotation */
		const char *t;
		size_t tl = kp_plan_trim(s + prev_end, spans[i][0] - prev_end, &t);
		size_t cb = 0;
		if (tl >= 1 && t[tl - 1] == ')')
			cb = 1;
		else if (tl >= 3 && memcmp(t + tl - 3, "）", 3) == 0)
			cb = 3;
		size_t ob = tl - cb, obl = 0;
		while (cb && ob > 0) {
			if (t[ob - 1] == '(') {
				ob--, obl = 1;
				break;
			}
			if (ob >= 3 && memcmp(t + ob - 3, "（", 3) == 0) {
				ob -= 3, obl = 3;
				break;
			}
			ob--;
		}
		if (!cb || !obl) {
			parts_release(v, i);
			return plan_fail(
			    p, row->line,
			    "a 実施内容 cell with %zu annotations needs a label (…) before each",
			    ns);
		}
		if (i == 0) {
			if (kp_plan_buf_add(shared, t, ob))
				return parts_release(v, i), oom(p);
		} else if (ob != 0) {
			parts_release(v, i);
			return plan_fail(p, row->line,
				    "text between the labelled parts of a 実施内容 cell");
		}
		v[i].label = t + ob + obl;
		v[i].label_len = tl - cb - ob - obl;
		kp_plan_buf_init(&v[i].text);
		char why2[300];
		if (kp_plan_annotation_parse(s + spans[i][0] + 3, spans[i][1] - spans[i][0] - 6,
					     &v[i].ann, why2, sizeof why2)) {
			parts_release(v, i + 1);
			return plan_fail(p, row->line, "%s", why2);
		}
		v[i].has_ann = 1;
		prev_end = spans[i][1];
	}
	const char *t;
	if (kp_plan_trim(s + prev_end, n - prev_end, &t)) {
		parts_release(v, ns);
		return plan_fail(p, row->line, "text after the last labelled part of a 実施内容 cell");
	}
	*out = v;
	*nout = ns;
	return 0;
}

/* note = label; basis; qualifier+suffix */
static void make_note(char *dst, size_t cap, const char *label, const kp_plan_figure *f)
{
	dst[0] = '\0';
	if (f->kind == KP_PLAN_TEXT) {
		snprintf(dst, cap, "%s", f->text);
		return;
	}
	const char *parts[3] = {label, f->basis, NULL};
	char q[2 * KP_PLAN_WORD_MAX];
	snprintf(q, sizeof q, "%s%s", f->qualifier, f->suffix);
	parts[2] = q;
	size_t o = 0;
	for (size_t i = 0; i < 3; i++) {
		if (!parts[i] || !*parts[i])
			continue;
		int w = snprintf(dst + o, cap - o, "%s%s", o ? ";" : "", parts[i]);
		if (w < 0 || (size_t)w >= cap - o)
			break;
		o += (size_t)w;
	}
}

static int assign(parser *p, const content_row *row, kp_plan_item *it, const part *pt,
		  const char *shared, size_t nparts, const char *dept)
{
	if (it->description)
		return plan_fail(p, row->line, "item %d has two 実施内容 rows", it->no);
	if (nparts > 1) {
		/* the label must name this item: the parts are in item order */
		char *label = kp_plan_text_clean(pt->label, pt->label_len, NULL);
		if (!label)
			return oom(p);
		int ok = *label && strstr(it->title, label) != NULL;
		if (!ok) {
			plan_fail(p, row->line,
			     "part '%s' of a merged 実施内容 cell does not match item %d '%s'",
			     label, it->no, it->title);
			free(label);
			return -1;
		}
		free(label);
	}
	kp_plan_buf d;
	kp_plan_buf_init(&d);
	kp_plan_buf_adds(&d, shared);
	kp_plan_buf_adds(&d, " ");
	kp_plan_buf_add(&d, kp_plan_buf_str(&pt->text), pt->text.len);
	if (d.oom)
		return kp_plan_buf_release(&d), oom(p);
	kp_plan_ints notes = {it->footnotes, it->nfootnotes, it->nfootnotes};
	it->description = kp_plan_text_clean(kp_plan_buf_str(&d), d.len, &notes);
	kp_plan_buf_release(&d);
	it->footnotes = notes.v;
	it->nfootnotes = notes.len;
	if (!it->description)
		return oom(p);
	if (!*it->description)
		return plan_fail(p, row->line, "the 実施内容 of item %d is empty", it->no);
	it->departments = strdup(dept);
	if (!it->departments)
		return oom(p);
	it->content_line = row->line;
	if (pt->has_ann) {
		it->baseline_year = pt->ann.base_year;
		it->baseline = pt->ann.base;
		make_note(it->baseline_note, sizeof it->baseline_note, pt->ann.base_label,
			  &pt->ann.base);
		it->goal_year = pt->ann.goal_year;
		it->goal = pt->ann.goal;
		make_note(it->goal_note, sizeof it->goal_note, pt->ann.goal_label, &pt->ann.goal);
	}
	return 0;
}

/* Matches the open 実施内容 table with the oldest table of items without one. */
static int close_content(parser *p)
{
	if (!p->in_content)
		return 0;
	p->in_content = 0;
	int rc = 0;
	item_table *t = NULL;
	for (size_t i = 0; i < p->ntabs; i++)
		if (!p->tabs[i].matched) {
			t = &p->tabs[i];
			break;
		}
	size_t nrows = p->nrows;
	content_row *rows = p->rows;
	p->rows = NULL;
	p->nrows = 0;
	if (!t || t->count == 0) {
		rc = plan_fail(p, p->content_line, "実施内容 table without a table of items before it");
		goto done;
	}
	t->matched = 1;
	/* first pass: how many items the rows cover */
	size_t covered = 0;
	for (size_t r = 0; r < nrows && !rc; r++) {
		kp_plan_flat f = {0};
		part *v = NULL;
		size_t nv = 0;
		kp_plan_buf shared;
		kp_plan_buf_init(&shared);
		rc = row_parts(p, &rows[r], &f, &v, &nv, &shared);
		if (rc)
			kp_plan_flat_release(&f);
		if (rc == 0) {
			if (covered + nv > t->count) {
				rc = plan_fail(p, rows[r].line,
					  "実施内容 table at line %ld has more rows than the %zu "
					  "items %d–%d of the table at line %ld",
					  p->content_line, t->count, p->plan->items[t->first].no,
					  p->plan->items[t->first + t->count - 1].no, t->line);
			} else {
				char *dept = NULL;
				kp_plan_flat df;
				char why[200];
				int dr = kp_plan_html_flatten(rows[r].dept, strlen(rows[r].dept),
							      &df, why, sizeof why);
				if (dr == 0) {
					dr = kp_plan_split_departments(kp_plan_buf_str(&df.intro),
								       &dept, why, sizeof why);
					kp_plan_flat_release(&df);
				}
				if (dr < 0)
					rc = oom(p);
				else if (dr > 0)
					rc = plan_fail(p, rows[r].line, "担当課: %s", why);
				for (size_t k = 0; k < nv && !rc; k++)
					rc = assign(p, &rows[r],
						    &p->plan->items[t->first + covered + k], &v[k],
						    kp_plan_buf_str(&shared), nv, dept);
				free(dept);
				covered += nv;
			}
			parts_release(v, nv);
			kp_plan_flat_release(&f);
		}
		kp_plan_buf_release(&shared);
	}
	if (!rc && covered != t->count)
		rc = plan_fail(p, p->content_line,
			  "実施内容 table has rows for %zu items, but the table of items at line "
			  "%ld has %zu (items %d–%d)",
			  covered, t->line, t->count, p->plan->items[t->first].no,
			  p->plan->items[t->first + t->count - 1].no);
done:
	for (size_t r = 0; r < nrows; r++) {
		free(rows[r].text);
		free(rows[r].dept);
	}
	free(rows);
	return rc;
}

static int content_row_add(parser *p, long line, const cells *c)
{
	if (c->count < 2 || c->n[1] == 0)
		return plan_fail(p, line, "実施内容 row without a 担当課 cell");
	if (c->count > 2)
		return plan_fail(p, line, "実施内容 row has %zu cells, expected 2", c->count);
	if (c->n[0] == 0)
		return plan_fail(p, line, "実施内容 row with an empty 実施内容 cell");
	content_row *v = realloc(p->rows, (p->nrows + 1) * sizeof *v);
	if (!v)
		return oom(p);
	p->rows = v;
	content_row *r = &v[p->nrows];
	r->line = line;
	r->text = strndup(c->b[0], c->n[0]);
	r->dept = strndup(c->b[1], c->n[1]);
	p->nrows++;
	if (!r->text || !r->dept)
		return oom(p);
	return 0;
}

/* ---- legend ---- */

static int legend_line(parser *p, long line, const char *s, size_t n)
{
	size_t i = skip_ws(s, n, 1);
	int st = 0;
	for (const char *const *sym = (const char *const[]){"△", "□", "○", "◯", "◎", NULL}; *sym;
	     sym++) {
		size_t l = starts(s + i, n - i, *sym);
		if (l) {
			st = kp_plan_stage_of(s + i, l);
			i += l;
			break;
		}
	}
	size_t cl = starts(s + i, n - i, "：") ? 3 : starts(s + i, n - i, ":");
	if (!cl)
		return plan_fail(p, line, "unknown legend line");
	i += cl;
	const char *lab;
	size_t ln = kp_plan_trim(s + i, n - i, &lab);
	for (int k = 1; k <= 4; k++)
		if (eqs(lab, ln, kp_plan_stage_label(k))) {
			if (st && st != k)
				return plan_fail(p, line, "legend gives '%.*s' a different symbol",
					    (int)ln, lab);
			return 0;
		}
	return plan_fail(p, line, "unknown stage '%.*s' in the legend", (int)ln, lab);
}

/* ---- glossary ---- */

static int end_term(parser *p)
{
	if (!p->term_line)
		return 0;
	kp_plan_term *t = &p->plan->terms[p->plan->nterms - 1];
	long line = p->term_line;
	p->term_line = 0;
	t->description =
	    clean_cell(p, line, kp_plan_buf_str(&p->term_text), p->term_text.len, NULL);
	kp_plan_buf_release(&p->term_text);
	if (!t->description)
		return -1;
	if (!*t->description)
		return plan_fail(p, line, "glossary term ※%d has no description", t->no);
	return 0;
}

static int begin_term(parser *p, long line, const char *s, size_t n)
{
	if (end_term(p))
		return -1;
	size_t k = 3; /* after ※ */
	int no;
	if (parse_uint(s, n, &k, &no))
		return plan_fail(p, line, "glossary entry without a number");
	size_t b = skip_ws(s, n, k);
	if (b == k || b == n)
		return plan_fail(p, line, "glossary entry ※%d has no term", no);
	if (no != (int)p->plan->nterms + 1)
		return plan_fail(p, line, "glossary entry ※%d follows ※%zu", no, p->plan->nterms);
	if (p->plan->nterms == p->terms_cap) {
		size_t cap = p->terms_cap ? p->terms_cap * 2 : 32;
		kp_plan_term *v = realloc(p->plan->terms, cap * sizeof *v);
		if (!v)
			return oom(p);
		p->plan->terms = v;
		p->terms_cap = cap;
	}
	kp_plan_term *t = &p->plan->terms[p->plan->nterms++];
	memset(t, 0, sizeof *t);
	t->no = no;
	t->line = line;
	t->term = clean_cell(p, line, s + b, n - b, NULL);
	if (!t->term)
		return -1;
	p->term_line = line;
	return 0;
}

static int glossary_line(parser *p, long line, const char *s, size_t n)
{
	if (memchr(s, '\t', n))
		return plan_fail(p, line, "table row in the glossary");
	if (n >= 1 && s[0] == '-') {
		size_t i = skip_ws(s, n, 1);
		if (starts(s + i, n - i, "※"))
			return begin_term(p, line, s + i, n - i);
		return plan_fail(p, line, "list entry in the glossary is not a term ※N");
	}
	if (!p->term_line)
		return plan_fail(p, line, "text in the glossary before any term");
	if ((p->term_text.len && kp_plan_buf_adds(&p->term_text, " ")) ||
	    kp_plan_buf_add(&p->term_text, s, n))
		return oom(p);
	return 0;
}

/* ---- lines ---- */

static int body_line(parser *p, long line, const char *s, size_t n)
{
	if (eqs(s, n, "【取組事項の段階】")) {
		if (close_content(p))
			return -1;
		p->in_items = 0;
		p->mode = M_LEGEND;
		return 0;
	}
	if (p->mode == M_LEGEND && s[0] == '-')
		return legend_line(p, line, s, n);
	cells c;
	if (split_cells(s, n, &c))
		return plan_fail(p, line, "too many cells");
	if (eqs(c.b[0], c.n[0], "取組事項名")) {
		if (close_content(p))
			return -1;
		p->mode = M_BODY;
		return items_header(p, line, &c);
	}
	if (c.count >= 2 && eqs(c.b[0], c.n[0], "実施内容") && eqs(c.b[1], c.n[1], "担当課")) {
		if (close_content(p))
			return -1;
		if (c.count > 2)
			return plan_fail(p, line, "実施内容 header has %zu cells, expected 2", c.count);
		p->mode = M_BODY;
		p->in_items = 0;
		p->in_content = 1;
		p->content_line = line;
		return 0;
	}
	if (p->in_items) {
		if (starts(c.b[0], c.n[0], "○"))
			return group_row(p, line, &c);
		if (c.count == 1 && !(c.b[0][0] >= '0' && c.b[0][0] <= '9'))
			return plan_fail(p, line, "unexpected line in a table of items");
		return item_row(p, line, &c);
	}
	if (p->in_content)
		return content_row_add(p, line, &c);
	return plan_fail(p, line, "unexpected line '%.*s'", (int)(n > 60 ? 60 : n), s);
}

static int one_line(parser *p, long line, const char *raw, size_t rn)
{
	kp_plan_buf b;
	kp_plan_buf_init(&b);
	if (kp_plan_text_fold(&b, raw, rn))
		return kp_plan_buf_release(&b), oom(p);
	const char *s;
	size_t n = kp_plan_trim(kp_plan_buf_str(&b), b.len, &s);
	/* keep leading tabs: they are empty cells */
	const char *full = kp_plan_buf_str(&b);
	while (n > 0 && s > full && s[-1] == '\t')
		s--, n++;
	int rc = 0;
	if (n == 0)
		rc = 0;
	else if (s[0] == '#')
		rc = heading(p, line, s, n);
	else if (p->mode == M_GLOSSARY)
		rc = glossary_line(p, line, s, n);
	else
		rc = body_line(p, line, s, n);
	kp_plan_buf_release(&b);
	return rc;
}

static int finish(parser *p, long last_line)
{
	if (close_content(p) || end_term(p))
		return -1;
	for (size_t i = 0; i < p->ntabs; i++) {
		item_table *t = &p->tabs[i];
		if (t->count == 0)
			return plan_fail(p, t->line, "table of items without any item");
		if (!t->matched)
			return plan_fail(p, t->line,
				    "items %d–%d (table at line %ld) have no 実施内容 table",
				    p->plan->items[t->first].no,
				    p->plan->items[t->first + t->count - 1].no, t->line);
	}
	if (p->plan->nitems == 0)
		return plan_fail(p, last_line, "the document has no action items");
	for (size_t i = 0; i < p->plan->nitems; i++) {
		kp_plan_item *it = &p->plan->items[i];
		for (size_t k = 0; k < it->nfootnotes; k++)
			if (it->footnotes[k] < 1 || (size_t)it->footnotes[k] > p->plan->nterms)
				return plan_fail(p, k < p->title_notes[i] ? it->line : it->content_line,
					    "item %d refers to ※%d, which has no entry in 用語解説",
					    it->no, it->footnotes[k]);
	}
	return 0;
}

int kp_plan_parse(const char *text, size_t len, const char *file, kp_plan *plan, kp_diag *err)
{
	memset(plan, 0, sizeof *plan);
	kp_diag_clear(err);
	parser p;
	memset(&p, 0, sizeof p);
	p.file = file;
	p.err = err;
	p.plan = plan;
	kp_plan_buf_init(&p.term_text);
	long bad_line, bad_col;
	long long bad_off;
	char what[300];
	if (kp_plan_text_check(text, len, &bad_line, &bad_col, &bad_off, what, sizeof what)) {
		kp_diag_set(err, KP_SEV_ERROR, "plan-error", "%s", what);
		kp_diag_at(err, file, bad_line, bad_col, bad_off);
		return KP_EXIT_INVALID;
	}
	size_t i = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	long line = 0;
	while (i < len && !p.status) {
		size_t e = i;
		while (e < len && text[e] != '\n' && text[e] != '\r')
			e++;
		line++;
		one_line(&p, line, text + i, e - i);
		if (e < len && text[e] == '\r' && e + 1 < len && text[e + 1] == '\n')
			e++;
		i = e + 1;
	}
	if (!p.status)
		finish(&p, line);
	/* leftovers of a failed parse */
	for (size_t r = 0; r < p.nrows; r++) {
		free(p.rows[r].text);
		free(p.rows[r].dept);
	}
	free(p.rows);
	free(p.tabs);
	free(p.title_notes);
	kp_plan_buf_release(&p.term_text);
	if (p.status) {
		kp_plan_release(plan);
		return p.status;
	}
	return 0;
}

void kp_plan_release(kp_plan *plan)
{
	for (size_t i = 0; i < plan->nitems; i++) {
		kp_plan_item *it = &plan->items[i];
		free(it->title);
		free(it->description);
		free(it->departments);
		free(it->footnotes);
		free(it->targets);
	}
	free(plan->items);
	for (size_t i = 0; i < plan->nterms; i++) {
		free(plan->terms[i].term);
		free(plan->terms[i].description);
	}
	free(plan->terms);
	for (size_t i = 0; i < plan->nstrings; i++)
		free(plan->strings[i]);
	free(plan->strings);
	memset(plan, 0, sizeof *plan);
}
