/* xlsx_sheet — the sheets of a workbook (see xlsx.h): the rows streamed, the cells'
 * values as Excel shows them, and the findings once the sheet is read. */
#include <ctype.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "xlsx.h"
#include "xlsx_int.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
/* ------------------------------------------------------------------------------------ */
/* Cell values */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t yy = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = (int)(yy + (*m <= 2));
}

/* Writes serial (a date/time style's number) as ISO 8601.  Returns the length, or 0 when
 * it is no date (negative, past 9999-12-31, the 1900 system's day 0). */
static size_t serial_text(double v, int kind, int date1904, char *out, size_t size)
{
	if (!(v >= 0) || v > 2958465.0)
		return 0;
	double day = floor(v);
	long secs = lround((v - day) * 86400.0);
	if (secs >= 86400) {
		secs -= 86400;
		day += 1;
	}
	long serial = (long)day;
	if (kind == 2 && v < 1)
		return (size_t)snprintf(out, size, "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60,
					secs % 60);
	int y;
	unsigned m, d;
	if (date1904) {
		civil_from_days(days_from_civil(1904, 1, 1) + serial, &y, &m, &d);
	} else if (serial == 60) {
		y = 1900, m = 2, d = 29; /* Lotus' leap day: not a date, and shown as such */
	} else if (serial == 0) {
		return 0;
	} else {
		civil_from_days(days_from_civil(1899, 12, 31) + serial - (serial > 60), &y, &m, &d);
	}
	if (kind == 2)
		return (size_t)snprintf(out, size, "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60,
					secs % 60);
	if (kind == 3 && secs)
		return (size_t)snprintf(out, size, "%04d-%02u-%02uT%02ld:%02ld:%02ld", y, m, d,
					secs / 3600, secs / 60 % 60, secs % 60);
	return (size_t)snprintf(out, size, "%04d-%02u-%02u", y, m, d);
}

/* A number as Excel shows it in General: 15 significant digits.  Short values are kept
 * as written (the common case: no parse). */
static size_t number_text(const char *v, char *out, size_t size)
{
	size_t n = strlen(v), digits = 0;
	int plain = n > 0 && n < 20;
	for (size_t i = 0; i < n && plain; i++) {
		if (isdigit((unsigned char)v[i]))
			digits++;
		else if (!(v[i] == '.' || (v[i] == '-' && i == 0)))
			plain = 0;
	}
	if (plain && v[0] == '-' && strspn(v + 1, "0.") == n - 1)
		plain = 0; /* -0 is shown as 0 */
	if (plain && digits <= 15 && !(n > 1 && v[n - 1] == '.')) {
		/* "1.50" and "1.0", as some writers store them, are shown 1.5 and 1 */
		if (memchr(v, '.', n))
			while (n > 1 && (v[n - 1] == '0' || v[n - 1] == '.'))
				if (v[--n] == '.')
					break;
		memcpy(out, v, n);
		out[n] = '\0';
		return n;
	}
	char *end;
	double d = strtod(v, &end);
	if (end == v || *end || !isfinite(d)) {
		xl_say(out, size, "%s", v);
		return strlen(out);
	}
	int len = snprintf(out, size, "%.15g", d);
	if (strcmp(out, "-0") == 0)
		len = snprintf(out, size, "0");
	return (size_t)len;
}

/* ------------------------------------------------------------------------------------ */
/* Sheets */

/* What the Excel rules need of a column's body cells (below the header). */
typedef struct colstat {
	long cells;           /* non-empty */
	long bold, italic;    /* of them, bold / italic */
	long bold_row, italic_row;
	uint64_t fonts[3];    /* distinct colours seen (0 = the default) */
	unsigned char nfonts;
	uint64_t fills[3];
	unsigned char nfills;
	long font_row, fill_row; /* the first body cell of a non-default colour */
	long nums, dates;     /* cells typed as number / date */
	long numtext, datetext; /* text that reads as a number / a date */
	long digittext, digittext_row; /* other text with a digit: ▲50,000, 350000円, (500) */
	char digittext_cell[32];
	long numtext_row, datetext_row;
	char numtext_cell[32], datetext_cell[32];
} colstat;

typedef struct first_refs {
	long count;
	long row[FIRST_MAX], col[FIRST_MAX];
	char text[FIRST_MAX][48]; /* e.g. the formula */
} first_refs;

struct kp_xlsx_sheet {
	kp_xlsx *x;
	size_t index;
	const sheet_entry *e;
	kp_diag_sink sink;
	xl_part p;            /* the sheet's entry, read raw into the push parser */
	xmlParserCtxtPtr sax; /* owned: libxml2's SAX2 push parser over p */
	int done, failed, stopped, eof;
	char why[200];        /* what stopped the parse, set inside a callback */
	char xml_error[160];  /* libxml2's first error */

	/* the parse's state inside sheetData */
	long prow, pcol, pstyle;
	char pkind;           /* the cell's type (ST_CellType): s shared string, i inline,
			       * S a formula's text, b, e, d, n a number (the default) */
	int in_row, in_c, in_v, in_f, in_is, in_t, skip, has_f;

	/* rows parsed and not yet returned: their cells are (offset + 1, length) pairs in
	 * qcells, into text; both are emptied when the queue has been returned */
	struct qrow {
		long number, ncols;
		size_t first; /* index of its first pair in qcells */
	} *q;                 /* owned */
	size_t qlen, qhead, qcap;
	size_t *qcells;       /* owned */
	size_t qcells_len, qcells_cap;

	/* the row being returned */
	xl_buf text;          /* owned: the queued rows' cell texts, each NUL-terminated */
	xl_buf rowtext;       /* owned: the texts of the row being parsed */
	size_t *at;           /* owned: per column, offset into text + 1 (0: empty) */
	size_t *len;          /* owned: per column, the text's length */
	kp_csvcell *cells;    /* owned: the record's cells */
	size_t ccap;          /* allocated columns of at/len/cells */
	long row_cols;        /* columns the row being parsed fills (its last filled column) */
	long next;            /* the next record number to return */
	long width;           /* the used width: the dimension, grown by wider rows */

	/* facts for the findings */
	long header_row;      /* the first row of two or more filled cells */
	long first_row, last_row, min_col, max_col; /* the table's extent (rows ≥ header) */
	first_refs hidden_rows, formulas, errors;
	long hidden_cols, hidden_col_first[FIRST_MAX];
	long nhidden_col_ranges;
	first_refs head_merges, data_merges, title_merges, group_merges, comments, breaks;
	/* the merged ranges, read ahead of the rows (they follow them in the part) */
	struct merge {
		long r1, c1, r2, c2;
		char text[48]; /* the first cell's text, once its row is read (header area) */
	} *merges;            /* owned */
	size_t nmerges, merges_cap;
	long merges_past;     /* ranges past MAX_MERGES, counted but not kept */
	/* a header of several rows: rows of text right below the header row, then numbers */
	int row_all_text, row_has_num; /* of the row being parsed */
	long extra_run;       /* text rows right below the header so far */
	int extra_done;
	long header_extra;    /* header rows after the first, once numbers followed */
	char extra_label[48]; /* the first label of the row below the header */
	struct fact {         /* a cell's facts held while its row may be a header row */
		long row, col;
		const xf *f;
		unsigned char kind; /* 1 number, 2 date, 4 text */
		size_t len;
		char text[44];
	} *facts;             /* owned */
	size_t nfacts, cfacts;
	long uncached;        /* formulas with no saved result */
	colstat *cols;        /* owned: per column */
	size_t ncols;
	char *drawing_id;     /* owned: r:id of the sheet's drawing */
	xl_buf cell;             /* owned: the current cell's value */
	xl_buf formula;          /* owned: the current cell's formula text (first 47 bytes) */
};

static void refs_add(first_refs *f, long row, long col, const char *text)
{
	if (f->count < FIRST_MAX) {
		f->row[f->count] = row;
		f->col[f->count] = col;
		xl_say(f->text[f->count], sizeof f->text[0], "%s", text ? text : "");
	}
	f->count++;
}

/* "A2, B5 and 3 more" */
static void refs_list(const first_refs *f, char *out, size_t size, int with_text)
{
	size_t o = 0;
	long shown = f->count < FIRST_MAX ? f->count : FIRST_MAX;
	out[0] = '\0';
	for (long i = 0; i < shown && o < size; i++) {
		char ref[24];
		kp_xlsx_cell_name(f->col[i], f->row[i], ref, sizeof ref);
		int n = snprintf(out + o, size - o, "%s%s%s%s%s", i ? ", " : "", ref,
				 with_text && f->text[i][0] ? " (" : "",
				 with_text ? f->text[i] : "", with_text && f->text[i][0] ? ")" : "");
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (f->count > shown && o < size)
		xl_say(out + o, size - o, " and %ld more", f->count - shown);
}

#define MAX_MERGES 100000

/* Adds the range "A1:B2" (ref, NUL-terminated). */
static void add_merge(kp_xlsx_sheet *sh, const char *ref)
{
	const char *colon = strchr(ref, ':');
	char a[16];
	long c1, r1, c2, r2;
	if (!colon || (size_t)(colon - ref) >= sizeof a)
		return;
	memcpy(a, ref, (size_t)(colon - ref));
	a[colon - ref] = '\0';
	if (xl_parse_ref(a, &c1, &r1) != 0 || xl_parse_ref(colon + 1, &c2, &r2) != 0 || !r1 || !r2 ||
	    r2 < r1 || c2 < c1)
		return;
	if (sh->nmerges >= MAX_MERGES) {
		sh->merges_past++;
		return;
	}
	if (xl_grow(&sh->merges, &sh->merges_cap, sh->nmerges + 1, sizeof *sh->merges) != 0)
		return;
	struct merge *m = &sh->merges[sh->nmerges++];
	memset(m, 0, sizeof *m);
	m->r1 = r1, m->c1 = c1, m->r2 = r2, m->c2 = c2;
}

/* Reads the sheet's merged ranges before its rows.  They come after the rows in the part,
 * so the part is inflated once more and scanned as bytes (no XML parse: text never holds
 * a raw '<', so "<mergeCell" or "<x:mergeCell" is the element).  A merge known up front
 * lets the header's covered cells be recognised as such, not as blank labels. */
static void prescan_merges(kp_xlsx_sheet *sh)
{
	xl_part p;
	if (xl_part_open_raw(sh->x, sh->e->part, &p) <= 0)
		return; /* the main pass reports it */
	char buf[(1 << 16) + 256];
	size_t keep = 0;
	int n;
	while ((n = xl_part_read(&p, buf + keep, 1 << 16)) > 0) {
		size_t len = keep + (size_t)n, i = 0;
		const char *end = buf + len;
		for (;;) {
			const char *q = memchr(buf + i, 'm', len - i);
			if (!q || end - q < 10)
				break;
			i = (size_t)(q - buf) + 1;
			if (memcmp(q, "mergeCell", 9) != 0 || (q[9] != ' ' && q[9] != '\t' && q[9] != '\n' && q[9] != '\r'))
				continue;
			const char *lt = q - 1;
			while (lt >= buf && lt > q - 16 && *lt != '<' && *lt != ' ' && *lt != '>')
				lt--;
			if (lt < buf || *lt != '<')
				continue;
			const char *gt = memchr(q, '>', (size_t)(end - q));
			if (!gt)
				break; /* the element ends in the next chunk */
			const char *r = q + 9;
			while ((r = memchr(r, 'r', (size_t)(gt - r))) && r < gt) {
				if (gt - r > 4 && (r[-1] == ' ' || r[-1] == '\t' || r[-1] == '\n') &&
				    r[1] == 'e' && r[2] == 'f' && r[3] == '=' && (r[4] == '"' || r[4] == '\'')) {
					const char *v = r + 5, *ve = memchr(v, r[4], (size_t)(gt - v));
					if (ve && ve - v < 32) {
						char ref[32];
						memcpy(ref, v, (size_t)(ve - v));
						ref[ve - v] = '\0';
						add_merge(sh, ref);
					}
					break;
				}
				r++;
			}
			i = (size_t)(gt - buf);
		}
		/* keep the tail: an element may straddle the chunks */
		keep = len - i < 256 ? len - i : 256;
		memmove(buf, buf + len - keep, keep);
	}
	xl_part_close(&p);
}

static struct merge *merge_at(const kp_xlsx_sheet *sh, long row, long col)
{
	for (size_t i = 0; i < sh->nmerges; i++) {
		struct merge *m = &sh->merges[i];
		if (row >= m->r1 && row <= m->r2 && col >= m->c1 && col <= m->c2)
			return m;
	}
	return NULL;
}

int kp_xlsx_sheet_merge_slave(const kp_xlsx_sheet *sh, long row, long col)
{
	const struct merge *m = merge_at(sh, row, col);
	return m && !(m->r1 == row && m->c1 == col);
}

static int xl_sheet_start(kp_xlsx_sheet *sh);

kp_xlsx_sheet *kp_xlsx_sheet_open(kp_xlsx *x, size_t i, const kp_diag_sink *sink, kp_diag *err)
{
	kp_diag_clear(err);
	if (!kp_xlsx_sheet_is_table(x, i) || x->names_only) {
		xl_set_error(err, "workbook-error", x->file, "the sheet '%s' is not a worksheet",
			  i < x->nsheets ? x->sheets[i].name : "?");
		return NULL;
	}
	kp_xlsx_sheet *sh = calloc(1, sizeof *sh);
	if (!sh) {
		xl_set_error(err, "workbook-error", x->file, "out of memory");
		return NULL;
	}
	sh->x = x;
	sh->index = i;
	sh->e = &x->sheets[i];
	if (sink)
		sh->sink = *sink;
	sh->next = 1;
	int rc = xl_part_open_raw(x, sh->e->part, &sh->p);
	if (rc > 0 && xl_sheet_start(sh) != 0) {
		xl_part_close(&sh->p);
		xl_set_error(err, "workbook-error", x->file, "out of memory");
		free(sh);
		return NULL;
	}
	if (rc <= 0) {
		xl_set_error(err, "workbook-error", x->file,
			  "%s: open it in Excel and save it again",
			  rc < 0 ? sh->p.why : _("the sheet's part is missing from the package"));
		free(sh);
		return NULL;
	}
	if (!x->values_only)
		prescan_merges(sh);
	return sh;
}

static int sheet_emit(kp_xlsx_sheet *sh, kp_diag *d)
{
	kp_diag_at(d, sh->x->file, d->row, d->column, -1);
	d->sheet = sh->e->name;
	if (kp_diag_emit(&sh->sink, d)) {
		sh->stopped = 1;
		return 1;
	}
	return 0;
}

/* Sends d, a finding about the cell (or the column, row 0) of the rule given. */
static void col_emit(kp_xlsx_sheet *sh, kp_diag *d, const char *rule, long row, long col)
{
	d->rule = rule;
	d->row = row;
	d->column = col;
	sheet_emit(sh, d);
}

static void sheet_fail(kp_xlsx_sheet *sh, const char *why)
{
	kp_diag d;
	kp_diag_set(&d, KP_SEV_ERROR, "workbook-error", "%s: open it in Excel and save it again",
		    why);
	sh->failed = 1;
	sheet_emit(sh, &d);
}

static int grow_cols(kp_xlsx_sheet *sh, size_t need)
{
	if (need <= sh->ccap)
		return 0;
	size_t cap = sh->ccap ? sh->ccap : 16;
	while (cap < need)
		cap *= 2;
	size_t *at = realloc(sh->at, cap * sizeof *at);
	if (!at)
		return -1;
	sh->at = at;
	size_t *len = realloc(sh->len, cap * sizeof *len);
	if (!len)
		return -1;
	sh->len = len;
	kp_csvcell *cells = realloc(sh->cells, cap * sizeof *cells);
	if (!cells)
		return -1;
	sh->cells = cells;
	memset(sh->at + sh->ccap, 0, (cap - sh->ccap) * sizeof *at);
	sh->ccap = cap;
	return 0;
}

static colstat *col_stat(kp_xlsx_sheet *sh, long col)
{
	if ((size_t)col > sh->ncols) {
		size_t n = sh->ncols ? sh->ncols : 8;
		while (n < (size_t)col)
			n *= 2;
		colstat *c = realloc(sh->cols, n * sizeof *c);
		if (!c)
			return NULL;
		memset(c + sh->ncols, 0, (n - sh->ncols) * sizeof *c);
		sh->cols = c;
		sh->ncols = n;
	}
	return &sh->cols[col - 1];
}

static void colour_seen(uint64_t *set, unsigned char *n, uint64_t key, long *first, long row)
{
	for (unsigned char i = 0; i < *n; i++)
		if (set[i] == key)
			return;
	if (*n < 3)
		set[(*n)++] = key;
	if (key && !*first)
		*first = row;
}

/* Text that a person typed as a number, which Excel keeps as text: "1234", "-5.5", "1,500".
 * Not a code with leading zeros ("007"), not a phone number. */
static int reads_as_number(const char *s, size_t n)
{
	if (n == 0 || n > 20)
		return 0;
	size_t i = s[0] == '-' ? 1 : 0, digits = 0;
	if (i < n && s[i] == '0' && i + 1 < n && s[i + 1] != '.')
		return 0;
	int dot = 0;
	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (s[i] == '.' && !dot)
			dot = 1;
		else if (s[i] == ',' && digits)
			continue;
		else
			return 0;
	}
	return digits > 0 && digits <= 15;
}

static int memchr_digit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return 1;
	return 0;
}

/* Text that reads as a date: 2024/4/1, 2024-04-01, 2024年4月1日 (ASCII digits). */
static int reads_as_date(const char *s, size_t n)
{
	int y, m, d;
	char a[4], b[4];
	char tail;
	char tmp[40];
	if (n < 8 || n >= sizeof tmp || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[3]))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (sscanf(tmp, "%4d%1[/-]%2d%1[/-]%2d%c", &y, a, &m, b, &d, &tail) == 5)
		return y >= 1800 && m >= 1 && m <= 12 && d >= 1 && d <= 31 && a[0] == b[0];
	if (sscanf(tmp, "%4d\xE5\xB9\xB4%2d\xE6\x9C\x88%2d\xE6\x97\xA5%c", &y, &m, &d, &tail) == 3)
		return y >= 1800 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
	return 0;
}

/* One body cell's facts into its column's stats. */
static int col_facts(kp_xlsx_sheet *sh, long row, long col, const xf *f, int is_num, int is_date,
		     int is_text, const char *out, size_t olen)
{
	colstat *c = col_stat(sh, col);
	if (!c)
		return -1;
	c->cells++;
	if (f && f->bold && !c->bold++)
		c->bold_row = row;
	if (f && f->italic && !c->italic++)
		c->italic_row = row;
	colour_seen(c->fonts, &c->nfonts, f ? f->font : 0, &c->font_row, row);
	colour_seen(c->fills, &c->nfills, f ? f->fill : 0, &c->fill_row, row);
	if (is_num)
		c->nums++;
	if (is_date)
		c->dates++;
	if (!is_text)
		return 0;
	int number = reads_as_number(out, olen), date = reads_as_date(out, olen);
	if (number && !c->numtext++) {
		c->numtext_row = row;
		xl_fmt(c->numtext_cell, sizeof c->numtext_cell, "%.*s", (int)olen, out);
	}
	if (!number && !date && memchr_digit(out, olen) && !c->digittext++) {
		c->digittext_row = row;
		xl_fmt(c->digittext_cell, sizeof c->digittext_cell, "%.*s", (int)olen, out);
	}
	if (date && !c->datetext++) {
		c->datetext_row = row;
		xl_fmt(c->datetext_cell, sizeof c->datetext_cell, "%.*s", (int)olen, out);
	}
	return 0;
}

/* Holds a cell's facts until its row is known to be data (applied) or a header row
 * (dropped): see row_facts. */
static int defer_fact(kp_xlsx_sheet *sh, long row, long col, const xf *f, int is_num, int is_date,
		      int is_text, const char *out, size_t olen)
{
	if (xl_grow(&sh->facts, &sh->cfacts, sh->nfacts + 1, sizeof *sh->facts) != 0)
		return -1;
	struct fact *k = &sh->facts[sh->nfacts++];
	k->row = row;
	k->col = col;
	k->f = f;
	k->kind = (unsigned char)(is_num | is_date << 1 | is_text << 2);
	k->len = olen < sizeof k->text - 1 ? olen : sizeof k->text - 1;
	memcpy(k->text, out, k->len);
	k->text[k->len] = '\0';
	return 0;
}

/* The held facts: applied (their rows were data), or dropped (header rows). */
static void held_facts(kp_xlsx_sheet *sh, int apply)
{
	for (size_t i = 0; apply && i < sh->nfacts; i++) {
		const struct fact *k = &sh->facts[i];
		col_facts(sh, k->row, k->col, k->f, k->kind & 1, k->kind >> 1 & 1, k->kind >> 2 & 1,
			  k->text, k->len);
	}
	sh->nfacts = 0;
}

/* One parsed cell: its value into the row, its facts into the column's stats. */
static int cell_done(kp_xlsx_sheet *sh, long row, long col, char kind, long style,
		     int has_formula)
{
	kp_xlsx *x = sh->x;
	const xf *f = style >= 0 && (size_t)style < x->nxfs ? &x->xfs[style] : NULL;
	const char *v = sh->cell.p ? sh->cell.p : "";
	size_t vlen = sh->cell.len;
	char tmp[64];
	const char *out = v;
	size_t olen = vlen;
	int is_num = 0, is_date = 0, is_text = 0;
	if (has_formula) {
		char body[48];
		xl_fmt(body, sizeof body, "=%.*s%s", 40, sh->formula.p ? sh->formula.p : "",
			 sh->formula.len > 40 ? "…" : "");
		refs_add(&sh->formulas, row, col, sh->formula.len ? body : "");
		if (vlen == 0 && kind != 'e')
			sh->uncached++;
	}
	if (kind == 's') {
		char *end;
		unsigned long k = strtoul(v, &end, 10);
		const char *s = vlen && !*end ? xl_string_at(x, k) : NULL;
		out = s ? s : "";
		olen = strlen(out);
		is_text = 1;
	} else if (kind == 'i' || kind == 'S') {
		is_text = kind == 'i';
	} else if (kind == 'b') {
		out = vlen ? (v[0] == '1' ? "TRUE" : "FALSE") : "";
		olen = strlen(out);
	} else if (kind == 'e') {
		refs_add(&sh->errors, row, col, v);
	} else if (kind == 'd') {
		/* an ISO 8601 date-time written as such: drop a midnight time */
		if (vlen >= 19 && strcmp(v + 10, "T00:00:00") == 0)
			olen = 10;
		is_date = 1;
	} else if (vlen) {
		size_t n = 0;
		if (f && f->date)
			n = serial_text(strtod(v, NULL), f->date, x->date1904, tmp, sizeof tmp);
		if (n) {
			is_date = 1;
		} else {
			n = number_text(v, tmp, sizeof tmp);
			is_num = 1;
		}
		out = tmp;
		olen = n;
	}
	if (olen > x->lim.cell_bytes)
		olen = x->lim.cell_bytes;
	if (olen == 0)
		return 0;
	if (is_num || is_date)
		sh->row_has_num = 1;
	if (!is_text)
		sh->row_all_text = 0;
	if (grow_cols(sh, (size_t)col) != 0)
		return -1;
	sh->at[col - 1] = sh->rowtext.len + 1;
	sh->len[col - 1] = olen;
	if (xl_buf_add(&sh->rowtext, out, olen) != 0 || xl_buf_add(&sh->rowtext, "", 1) != 0)
		return -1;
	if (col > sh->row_cols)
		sh->row_cols = col;
	if (sh->nmerges && row <= 20) {
		struct merge *m = merge_at(sh, row, col);
		if (m && m->r1 == row && m->c1 == col)
			snprintf(m->text, sizeof m->text, "%.*s", (int)(olen < 40 ? olen : 40), out);
	}
	if (memchr(out, '\n', olen) || memchr(out, '\r', olen)) {
		char shown[40];
		size_t k = 0, i = 0;
		for (; i < olen && k + 3 < sizeof shown; i++) {
			if (out[i] == '\n' || out[i] == '\r') {
				shown[k++] = '\\';
				shown[k++] = out[i] == '\n' ? 'n' : 'r';
			} else if ((unsigned char)out[i] < 0x80 || k + 6 < sizeof shown) {
				shown[k++] = out[i];
			} else {
				break;
			}
		}
		if (i < olen && (unsigned char)out[i] >= 0x80 && ((unsigned char)out[i] & 0xC0) == 0x80) {
			while (k && ((unsigned char)shown[k - 1] & 0xC0) == 0x80)
				k--; /* a character cut in the middle */
			if (k && (unsigned char)shown[k - 1] >= 0xC0)
				k--;
		}
		shown[k] = '\0';
		refs_add(&sh->breaks, row, col, shown);
	}
	/* body facts: a row that may still be a further header row (right below the header,
	 * all text so far) waits until that is known */
	if (sh->header_row && row > sh->header_row && !x->values_only) {
		if (!sh->extra_done && row == sh->header_row + 1 + sh->extra_run && sh->extra_run < 4)
			return defer_fact(sh, row, col, f, is_num, is_date, is_text, out, olen);
		if (col_facts(sh, row, col, f, is_num, is_date, is_text, out, olen) != 0)
			return -1;
	}
	return 0;
}

/* Builds the record of the queued row q (its cells padded to the used width). */
static void make_record(kp_xlsx_sheet *sh, const struct qrow *q, kp_csvrecord *rec)
{
	long w = q->ncols > sh->width ? q->ncols : sh->width;
	memset(rec, 0, sizeof *rec);
	rec->number = q->number;
	rec->line = q->number;
	rec->offset = -1;
	rec->end = -1;
	if ((size_t)w > sh->ccap && grow_cols(sh, (size_t)w) != 0)
		w = (long)sh->ccap;
	const size_t *pair = sh->qcells + q->first;
	for (long i = 0; i < w; i++) {
		if (i < q->ncols && pair[2 * i]) {
			sh->cells[i].data = sh->text.p + pair[2 * i] - 1;
			sh->cells[i].len = pair[2 * i + 1];
		} else {
			sh->cells[i].data = "";
			sh->cells[i].len = 0;
		}
	}
	rec->cells = sh->cells;
	rec->ncells = (size_t)w;
}

/* Queues the row just parsed (it fills row_cols columns) and clears its columns. */
static int queue_row(kp_xlsx_sheet *sh, long row)
{
	if (xl_grow(&sh->q, &sh->qcap, sh->qlen + 1, sizeof *sh->q) != 0 ||
	    xl_grow(&sh->qcells, &sh->qcells_cap, sh->qcells_len + 2 * (size_t)sh->row_cols,
		    sizeof *sh->qcells) != 0)
		return -1;
	/* the row's texts join the queue's (a row may span chunks: it is kept apart until
	 * it is whole, so emptying the queue never cuts it) */
	size_t base = sh->text.len;
	if (sh->rowtext.len && xl_buf_add(&sh->text, sh->rowtext.p, sh->rowtext.len) != 0)
		return -1;
	struct qrow *q = &sh->q[sh->qlen++];
	q->number = row;
	q->ncols = sh->row_cols;
	q->first = sh->qcells_len;
	for (long i = 0; i < sh->row_cols; i++) {
		sh->qcells[sh->qcells_len++] = sh->at[i] ? sh->at[i] + base : 0;
		sh->qcells[sh->qcells_len++] = sh->len[i];
	}
	if (sh->row_cols > sh->width)
		sh->width = sh->row_cols;
	return 0;
}

static void row_reset(kp_xlsx_sheet *sh)
{
	if (sh->row_cols > 0 && sh->at)
		memset(sh->at, 0, (size_t)sh->row_cols * sizeof *sh->at);
	sh->row_cols = 0;
	sh->rowtext.len = 0;
	sh->row_all_text = 1;
	sh->row_has_num = 0;
}

/* Notes the table's extent from a finished row. */
static void row_facts(kp_xlsx_sheet *sh, long row)
{
	long filled = 0, lo = 0;
	for (long i = 0; i < sh->row_cols; i++)
		if (sh->at[i]) {
			filled++;
			if (!lo)
				lo = i + 1;
		}
	if (!filled)
		return;
	if (!sh->header_row && filled >= 2)
		sh->header_row = row;
	if (!sh->first_row)
		sh->first_row = row;
	if (sh->header_row && row > sh->header_row && !sh->extra_done) {
		if (row == sh->header_row + 1 + sh->extra_run && filled >= 2 && sh->row_all_text &&
		    sh->extra_run < 4) {
			if (!sh->extra_run++)
				xl_fmt(sh->extra_label, sizeof sh->extra_label, "%.40s",
				       sh->rowtext.p + sh->at[lo - 1] - 1);
		} else {
			/* text rows, then numbers: the text rows were header rows (their facts
			 * go); otherwise they were data, as this row is */
			size_t mine = 0;
			while (mine < sh->nfacts && sh->facts[sh->nfacts - 1 - mine].row == row)
				mine++;
			if (sh->extra_run && sh->row_has_num) {
				sh->header_extra = sh->extra_run;
				if (mine) /* (no facts held: no array either) */
					memmove(sh->facts, sh->facts + sh->nfacts - mine,
						mine * sizeof *sh->facts);
				sh->nfacts = mine;
			}
			held_facts(sh, 1);
			sh->extra_done = 1;
		}
	}
	if (sh->header_row) {
		if (!sh->min_col || lo < sh->min_col)
			sh->min_col = lo;
		if (sh->row_cols > sh->max_col)
			sh->max_col = sh->row_cols;
		sh->last_row = row;
	}
}

static void findings(kp_xlsx_sheet *sh);

/* ---- the SAX2 callbacks: sheetData's rows into the queue, the rest into the facts ---- */

/* Stops the parse with why (reported once the chunk is parsed). */
static void sax_stop(kp_xlsx_sheet *sh, const char *why)
{
	if (!sh->why[0])
		snprintf(sh->why, sizeof sh->why, "%s", _(why));
	xmlStopParser(sh->sax);
}

/* The value of attribute `name` (SAX2's five pointers per attribute) copied into out;
 * NULL when absent. */
static const char *sax_attr(const xmlChar **attrs, int n, const char *name, char *out,
			    size_t size)
{
	for (int i = 0; i < n; i++) {
		const xmlChar **a = attrs + 5 * i;
		if (a[0][0] == (xmlChar)name[0] && strcmp((const char *)a[0], name) == 0) {
			size_t len = (size_t)(a[4] - a[3]);
			if (len >= size)
				len = size - 1;
			memcpy(out, a[3], len);
			out[len] = '\0';
			return out;
		}
	}
	return NULL;
}

static int sax_true(const xmlChar **attrs, int n, const char *name)
{
	char v[8];
	return sax_attr(attrs, n, name, v, sizeof v) && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		     const xmlChar *uri, int nns, const xmlChar **ns, int nattrs, int ndefaulted,
		     const xmlChar **attrs)
{
	(void)prefix, (void)uri, (void)nns, (void)ns, (void)ndefaulted;
	kp_xlsx_sheet *sh = ctx;
	const char *n = (const char *)localname;
	char a1[32], a2[32], a3[32];
	if (n[0] == 'c' && n[1] == '\0' && sh->in_row) {
		const char *r = sax_attr(attrs, nattrs, "r", a1, sizeof a1);
		const char *t = sax_attr(attrs, nattrs, "t", a2, sizeof a2);
		const char *s = sax_attr(attrs, nattrs, "s", a3, sizeof a3);
		long rr = sh->prow;
		if (r) {
			if (xl_parse_ref(r, &sh->pcol, &rr) != 0 || (rr && rr != sh->prow)) {
				char why[160];
				xl_say(why, sizeof why,
				       "the sheet's cell reference '%.20s' in row %ld is not a cell of "
				       "the row (past XFD, or out of order)",
				       r, sh->prow);
				sax_stop(sh, why);
				return;
			}
		} else if (++sh->pcol > KP_XLSX_MAX_COLS) {
			sax_stop(sh, "a row of the sheet has more than 16,384 cells (past column XFD)");
			return;
		}
		sh->pkind = !t			      ? 'n'
			    : strcmp(t, "inlineStr") == 0 ? 'i'
			    : strcmp(t, "str") == 0	      ? 'S'
			    : t[0] && !t[1] && strchr("sbed", t[0]) ? t[0]
								     : 'n';
		sh->pstyle = s ? strtol(s, NULL, 10) : -1;
		sh->cell.len = 0;
		if (sh->cell.p)
			sh->cell.p[0] = '\0';
		sh->formula.len = 0;
		sh->has_f = 0;
		sh->in_c = 1;
	} else if (sh->in_c && n[0] == 'v' && n[1] == '\0') {
		sh->in_v = 1;
	} else if (sh->in_c && n[0] == 'f' && n[1] == '\0') {
		sh->has_f = 1;
		sh->in_f = 1;
	} else if (sh->in_c && n[0] == 'i' && n[1] == 's' && n[2] == '\0') {
		sh->in_is = 1;
	} else if (sh->in_is && n[0] == 't' && n[1] == '\0') {
		sh->in_t = 1;
	} else if (sh->in_is && (strcmp(n, "rPh") == 0 || strcmp(n, "phoneticPr") == 0)) {
		sh->skip++;
	} else if (strcmp(n, "row") == 0) {
		const char *r = sax_attr(attrs, nattrs, "r", a1, sizeof a1);
		long last = sh->qlen ? sh->q[sh->qlen - 1].number : sh->next - 1;
		if (sh->prow > last)
			last = sh->prow;
		long rn = r ? strtol(r, NULL, 10) : last + 1;
		if (rn < 1 || rn > KP_XLSX_MAX_ROWS || rn <= last) {
			char why[120];
			xl_say(why, sizeof why,
			       "the sheet's row %.12s is out of order or past row 1,048,576",
			       r ? r : "?");
			sax_stop(sh, why);
			return;
		}
		sh->prow = rn;
		sh->pcol = 0;
		if (sax_true(attrs, nattrs, "hidden"))
			refs_add(&sh->hidden_rows, rn, 0, NULL);
		row_reset(sh);
		sh->in_row = 1;
	} else if (strcmp(n, "dimension") == 0) {
		const char *ref = sax_attr(attrs, nattrs, "ref", a1, sizeof a1);
		const char *colon = ref ? strchr(ref, ':') : NULL;
		long c, r;
		/* the used width, trusted up to a sane size (real cells widen it) */
		if (colon && xl_parse_ref(colon + 1, &c, &r) == 0 && c <= 1024)
			sh->width = c;
	} else if (strcmp(n, "col") == 0) {
		if (sax_true(attrs, nattrs, "hidden")) {
			const char *mn = sax_attr(attrs, nattrs, "min", a1, sizeof a1);
			const char *mx = sax_attr(attrs, nattrs, "max", a2, sizeof a2);
			long a = mn ? strtol(mn, NULL, 10) : 0;
			long b = mx ? strtol(mx, NULL, 10) : a;
			if (a >= 1 && b >= a && b <= KP_XLSX_MAX_COLS) {
				for (long k = a; k <= b && sh->hidden_cols < FIRST_MAX; k++)
					sh->hidden_col_first[sh->hidden_cols++] = k;
				sh->nhidden_col_ranges += b - a + 1;
			}
		}
	} else if (strcmp(n, "drawing") == 0) {
		const char *id = sax_attr(attrs, nattrs, "id", a1, sizeof a1);
		if (id && !sh->drawing_id && !(sh->drawing_id = strdup(id)))
			sax_stop(sh, "out of memory");
	}
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	(void)prefix, (void)uri;
	kp_xlsx_sheet *sh = ctx;
	const char *n = (const char *)localname;
	if (n[0] == 'c' && n[1] == '\0' && sh->in_c) {
		sh->in_c = sh->in_v = sh->in_f = sh->in_is = sh->in_t = 0;
		sh->skip = 0;
		if (cell_done(sh, sh->prow, sh->pcol, sh->pkind, sh->pstyle, sh->has_f) != 0)
			sax_stop(sh, "out of memory");
	} else if (n[0] == 'v' && n[1] == '\0') {
		sh->in_v = 0;
	} else if (n[0] == 'f' && n[1] == '\0') {
		sh->in_f = 0;
	} else if (n[0] == 't' && n[1] == '\0') {
		sh->in_t = 0;
	} else if (n[0] == 'i' && n[1] == 's' && n[2] == '\0') {
		sh->in_is = 0;
	} else if (strcmp(n, "rPh") == 0 || strcmp(n, "phoneticPr") == 0) {
		if (sh->skip)
			sh->skip--;
	} else if (strcmp(n, "row") == 0 && sh->in_row) {
		sh->in_row = 0;
		row_facts(sh, sh->prow);
		if (sh->row_cols > 0 && queue_row(sh, sh->prow) != 0)
			sax_stop(sh, "out of memory");
		row_reset(sh);
	}
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
	kp_xlsx_sheet *sh = ctx;
	if (sh->in_v || (sh->in_t && !sh->skip)) {
		if (xl_buf_add(&sh->cell, (const char *)ch, (size_t)len) != 0)
			sax_stop(sh, "out of memory");
		else if (sh->cell.len > sh->x->lim.cell_bytes)
			sax_stop(sh, "a cell of the sheet holds more than the cell limit");
	} else if (sh->in_f && sh->formula.len < 48) {
		size_t n = (size_t)len < 48 ? (size_t)len : 48;
		if (xl_buf_add(&sh->formula, (const char *)ch, n) != 0)
			sax_stop(sh, "out of memory");
	}
}

/* SpreadsheetML has no DOCTYPE: one is where entity bombs and external entities live */
static void on_dtd(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
	(void)name, (void)eid, (void)sid;
	kp_xlsx_sheet *sh = ctx;
	char why[200];
	xl_say(why, sizeof why,
	       "the part '%s' declares a DOCTYPE or entities, which no workbook does: refused, "
	       "nothing in it was expanded or loaded",
	       sh->e->part);
	sax_stop(sh, why);
}

static xmlEntityPtr on_entity(void *ctx, const xmlChar *name)
{
	(void)ctx, (void)name;
	return NULL; /* never resolved */
}

static void on_error(void *ctx, xmlErrorPtr e)
{
	kp_xlsx_sheet *sh = ctx;
	if (!sh->xml_error[0] && e && e->message) {
		xl_say(sh->xml_error, sizeof sh->xml_error, "line %d: %s", e->line, e->message);
		size_t n = strlen(sh->xml_error);
		while (n && (sh->xml_error[n - 1] == '\n' || sh->xml_error[n - 1] == ' '))
			sh->xml_error[--n] = '\0';
	}
}

static int xl_sheet_start(kp_xlsx_sheet *sh)
{
	xmlSAXHandler h;
	memset(&h, 0, sizeof h);
	h.initialized = XML_SAX2_MAGIC;
	h.startElementNs = on_start;
	h.endElementNs = on_end;
	h.characters = on_text;
	h.cdataBlock = on_text;
	h.internalSubset = on_dtd;
	h.externalSubset = on_dtd;
	h.getEntity = on_entity;
	h.getParameterEntity = on_entity;
	h.serror = on_error;
	sh->sax = xmlCreatePushParserCtxt(&h, sh, NULL, 0, sh->e->part);
	if (!sh->sax)
		return -1;
	/* no entity substitution (no XML_PARSE_NOENT), no DTD loading, no network */
	xmlCtxtUseOptions(sh->sax, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	return 0;
}

/* Parses the next chunk of the part.  1 parsed, 0 at the end, -1 (why set). */
static int feed(kp_xlsx_sheet *sh)
{
	char chunk[1 << 16];
	if (sh->eof)
		return 0;
	int n = xl_part_read(&sh->p, chunk, (int)sizeof chunk);
	if (n < 0) {
		xl_say(sh->why, sizeof sh->why, "%s", sh->p.why);
		return -1;
	}
	int rc = xmlParseChunk(sh->sax, chunk, n, n == 0);
	if (n == 0)
		sh->eof = 1;
	if (sh->why[0])
		return -1;
	if (rc != 0 || !sh->sax->wellFormed) {
		xl_say(sh->why, sizeof sh->why, "the part '%s' is not well-formed XML%s%s%s",
		       sh->e->part, sh->xml_error[0] ? " (" : "", sh->xml_error,
		       sh->xml_error[0] ? ")" : "");
		return -1;
	}
	return 1;
}

int kp_xlsx_sheet_next(kp_xlsx_sheet *sh, kp_csvrecord *rec)
{
	if (sh->failed)
		return -1;
	if (sh->done || sh->stopped)
		return 0;
	while (sh->qhead == sh->qlen) {
		/* every queued row was returned: their texts can go */
		sh->qhead = sh->qlen = 0;
		sh->qcells_len = 0;
		sh->text.len = 0;
		int rc = feed(sh);
		if (rc < 0) {
			sheet_fail(sh, sh->why);
			return -1;
		}
		if (rc == 0) {
			sh->done = 1;
			if (!sh->x->values_only)
				findings(sh);
			return 0;
		}
	}
	const struct qrow *q = &sh->q[sh->qhead];
	if (sh->next < q->number) {
		/* a row the sheet leaves out: an empty record */
		memset(rec, 0, sizeof *rec);
		rec->number = rec->line = sh->next++;
		rec->offset = rec->end = -1;
		return 1;
	}
	make_record(sh, q, rec);
	sh->next = q->number + 1;
	sh->qhead++;
	return 1;
}

int kp_xlsx_sheet_failed(const kp_xlsx_sheet *sh)
{
	return sh->failed;
}

void kp_xlsx_sheet_close(kp_xlsx_sheet *sh)
{
	if (!sh)
		return;
	if (sh->sax) {
		if (sh->sax->myDoc)
			xmlFreeDoc(sh->sax->myDoc);
		xmlFreeParserCtxt(sh->sax);
	}
	xl_part_close(&sh->p);
	free(sh->q);
	free(sh->qcells);
	free(sh->merges);
	free(sh->facts);
	free(sh->text.p);
	free(sh->rowtext.p);
	free(sh->cell.p);
	free(sh->formula.p);
	free(sh->at);
	free(sh->len);
	free(sh->cells);
	free(sh->cols);
	free(sh->drawing_id);
	free(sh);
}

/* ------------------------------------------------------------------------------------ */
/* The sheet's findings, once its rows are read */

typedef struct anchor {
	long row, col; /* 1-based; 0 for an absolute anchor */
	const char *kind;
	char name[64];
} anchor;

static const char *object_kind(const char *n)
{
	static const struct {
		const char *element, *kind;
	} kinds[] = {{"pic", N_("an image")},	     {"graphicFrame", N_("a chart")},
		     {"sp", N_("a shape or text box")}, {"cxnSp", N_("a connector line")},
		     {"grpSp", N_("a group of shapes")}};
	for (size_t i = 0; i < NELEM(kinds); i++)
		if (strcmp(n, kinds[i].element) == 0)
			return _(kinds[i].kind);
	return NULL;
}

/* Reads the drawing part: each anchor's cell, kind and name; reports those over the
 * table (L1-10).  Objects beside the table are allowed, as in harunobu. */
static void drawing_findings(kp_xlsx_sheet *sh, const char *name)
{
	xl_part p;
	if (xl_part_open(sh->x, name, &p) <= 0)
		return;
	anchor a;
	memset(&a, 0, sizeof a);
	int depth = 0, in_from = 0, which = 0, in_anchor = 0;
	first_refs inside = {0};
	const char *first_kind = NULL;
	char first_name[64] = "";
	long outside = 0;
	int rc;
	while ((rc = xl_part_next(&p)) == 1) {
		const char *n = xl_local(&p);
		if (xl_is_start(&p)) {
			int empty = xmlTextReaderIsEmptyElement(p.xr);
			if (strcmp(n, "twoCellAnchor") == 0 || strcmp(n, "oneCellAnchor") == 0 ||
			    strcmp(n, "absoluteAnchor") == 0) {
				memset(&a, 0, sizeof a);
				in_anchor = !empty;
				depth = xmlTextReaderDepth(p.xr);
			} else if (in_anchor && strcmp(n, "from") == 0) {
				in_from = !empty;
			} else if (in_from && strcmp(n, "col") == 0) {
				which = 1;
			} else if (in_from && strcmp(n, "row") == 0) {
				which = 2;
			} else if (in_anchor && !a.kind && xmlTextReaderDepth(p.xr) == depth + 1 &&
				   object_kind(n)) {
				a.kind = object_kind(n);
			} else if (in_anchor && strcmp(n, "cNvPr") == 0 && !a.name[0]) {
				const char *nm = xl_attr(&p, "name");
				xl_say(a.name, sizeof a.name, "%s", nm ? nm : "");
			}
		} else if (xl_is_end(&p)) {
			if (strcmp(n, "from") == 0) {
				in_from = 0;
			} else if (strcmp(n, "col") == 0 || strcmp(n, "row") == 0) {
				which = 0;
			} else if (in_anchor && (strcmp(n, "twoCellAnchor") == 0 ||
						 strcmp(n, "oneCellAnchor") == 0 ||
						 strcmp(n, "absoluteAnchor") == 0)) {
				in_anchor = 0;
				if (!a.kind)
					continue;
				int over = a.row && sh->header_row && a.row >= sh->header_row &&
					   a.row <= sh->last_row && a.col >= sh->min_col &&
					   a.col <= sh->max_col;
				if (over) {
					if (!inside.count) {
						first_kind = a.kind;
						xl_say(first_name, sizeof first_name, "%s", a.name);
					}
					refs_add(&inside, a.row, a.col, a.name);
				} else {
					outside++;
				}
			}
		} else if (which && xl_is_text(&p)) {
			const char *v = (const char *)xmlTextReaderConstValue(p.xr);
			long k = v ? strtol(v, NULL, 10) : 0;
			if (k >= 0 && k < KP_XLSX_MAX_ROWS) {
				if (which == 1)
					a.col = k + 1;
				else
					a.row = k + 1;
			}
		}
	}
	xl_part_close(&p);
	if (inside.count && !sh->stopped) {
		char list[200], ref[24];
		refs_list(&inside, list, sizeof list, 1);
		kp_xlsx_cell_name(inside.col[0], inside.row[0], ref, sizeof ref);
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "object",
			    "%ld object%s lie%s over the table (%s%s%s at %s; all: %s): a program "
			    "reading the cells never sees an image, a shape or a text box; delete "
			    "%s, and put what %s say%s in cells or in the dataset's description",
			    inside.count, inside.count == 1 ? "" : "s", inside.count == 1 ? "s" : "",
			    first_kind, first_name[0] ? " " : "", first_name, ref, list,
			    inside.count == 1 ? "it" : "them", inside.count == 1 ? "it" : "they",
			    inside.count == 1 ? "s" : "");
		col_emit(sh, &d, "L1-10", inside.row[0], inside.col[0]);
	}
	(void)outside;
}

static void comment_findings(kp_xlsx_sheet *sh, const char *name)
{
	xl_part p;
	if (xl_part_open(sh->x, name, &p) <= 0)
		return;
	int rc;
	while ((rc = xl_part_next(&p)) == 1) {
		if (xl_is_start(&p) && strcmp(xl_local(&p), "comment") == 0) {
			const char *ref = xl_attr(&p, "ref");
			long c, r;
			if (ref && xl_parse_ref(ref, &c, &r) == 0)
				refs_add(&sh->comments, r, c, NULL);
		}
	}
	xl_part_close(&p);
	if (sh->comments.count && !sh->stopped) {
		char list[160];
		refs_list(&sh->comments, list, sizeof list, 0);
		kp_diag d;
		kp_diag_set(&d, KP_SEV_WARNING, "comment",
			    "%ld cell%s carr%s a comment (%s): comments are not published with the "
			    "data; put what they say in a column or in the dataset's description",
			    sh->comments.count, sh->comments.count == 1 ? "" : "s",
			    sh->comments.count == 1 ? "ies" : "y", list);
		col_emit(sh, &d, "L1-04", sh->comments.row[0], sh->comments.col[0]);
	}
}

static void refs_finding(kp_xlsx_sheet *sh, const first_refs *f, kp_severity sev,
			 const char *code, const char *rule, const char *what, const char *fix,
			 int with_text)
{
	if (!f->count || sh->stopped)
		return;
	char list[220];
	refs_list(f, list, sizeof list, with_text);
	kp_diag d;
	kp_diag_set(&d, sev, code, "%ld %s (%s): %s", f->count, what, list, fix);
	d.rule = rule;
	d.row = f->row[0];
	d.column = f->col[0];
	sheet_emit(sh, &d);
}

static void column_findings(kp_xlsx_sheet *sh)
{
	for (size_t i = 0; i < sh->ncols && !sh->stopped; i++) {
		const colstat *c = &sh->cols[i];
		long col = (long)i + 1;
		char name[8];
		xl_column_name(col, name, sizeof name);
		kp_diag d;
		if (c->cells < 2)
			continue;
		int fonts = c->nfonts >= 2 && c->font_row;
		int fills = c->nfills >= 2 && c->fill_row;
		int bold = c->bold && c->bold < c->cells;
		int italic = c->italic && c->italic < c->cells;
		if (fonts || fills) {
			kp_diag_set(&d, KP_SEV_ERROR, "format-as-meaning",
				    "column %s uses %s %s (from %s%ld): a colour is lost when the "
				    "table is read as data; say what it means in a column of its own "
				    "(e.g. 状態: 異常) and make the colours uniform",
				    name, fonts ? _("font colours") : _("fill colours"),
				    fonts && fills ? _("and fills") : _("to mark cells"), name,
				    fonts ? c->font_row : c->fill_row);
			col_emit(sh, &d, "L1-11", fonts ? c->font_row : c->fill_row, col);
		} else if (bold || italic) {
			kp_diag_set(&d, KP_SEV_WARNING, "format-as-meaning",
				    "in column %s, %ld of %ld cells are %s (first %s%ld): if it "
				    "means something, say it in a column of its own; otherwise make "
				    "the column's cells alike",
				    name, bold ? c->bold : c->italic, c->cells, bold ? "bold" : "italic",
				    name, bold ? c->bold_row : c->italic_row);
			col_emit(sh, &d, "L1-11", bold ? c->bold_row : c->italic_row, col);
		}
		if (c->numtext && c->nums && !sh->stopped) {
			kp_diag_set(&d, KP_SEV_WARNING, "number-as-text",
				    "%ld cell%s of column %s hold%s a number stored as text (first "
				    "%s%ld: %s) among %ld numbers: Excel sorts and sums them apart; "
				    "convert them (select the cells → the green triangle → 数値に変換)",
				    c->numtext, c->numtext == 1 ? "" : "s", name,
				    c->numtext == 1 ? "s" : "", name, c->numtext_row, c->numtext_cell,
				    c->nums);
			col_emit(sh, &d, "L2-01", c->numtext_row, col);
		}
		/* a column of numbers, some cells of which are text around a number: the cell
		 * says what a number cannot (a sign, a unit, a note) — harunobu's L2-01 */
		if (c->digittext && c->nums && 2 * (c->nums + c->digittext) > c->cells &&
		    !sh->stopped) {
			kp_diag_set(&d, KP_SEV_ERROR, "text-in-number-column",
				    "column %s holds numbers, but %ld of its cells hold text with a "
				    "number (first %s%ld: %s): write the number alone (▲500 → -500, "
				    "350000円 → 350000 with the unit in the header) and move notes to "
				    "a column of their own",
				    name, c->digittext, name, c->digittext_row, c->digittext_cell);
			col_emit(sh, &d, "L2-01", c->digittext_row, col);
		}
		if (c->datetext && c->dates && !sh->stopped) {
			kp_diag_set(&d, KP_SEV_WARNING, "date-as-text",
				    "%ld cell%s of column %s hold%s a date typed as text (first "
				    "%s%ld: %s) among %ld dates: retype them as dates (or use "
				    "データ → 区切り位置 → 日付) so the column is one type",
				    c->datetext, c->datetext == 1 ? "" : "s", name,
				    c->datetext == 1 ? "s" : "", name, c->datetext_row, c->datetext_cell,
				    c->dates);
			col_emit(sh, &d, "L2-01", c->datetext_row, col);
		}
	}
}

/* The findings that name the first cells of many (see refs_finding), in their order. */
static const struct {
	size_t at; /* the first_refs in kp_xlsx_sheet */
	kp_severity sev;
	const char *code, *rule, *one, *many, *fix;
	int with_text;
} sheet_refs[] = {
    {offsetof(kp_xlsx_sheet, errors), KP_SEV_ERROR, "formula-error", "L2-06",
     N_("cell holds an error value"), N_("cells hold error values"),
     N_("a formula failed (a reference to a deleted cell, a division by zero); fix the formula, "
     "then paste the values"),
     1},
    {offsetof(kp_xlsx_sheet, data_merges), KP_SEV_ERROR, "merged-cell", "L1-12",
     N_("range of data cells is merged"), N_("ranges of data cells are merged"),
     N_("a merged range keeps its value in the first cell only, the others read empty; unmerge "
     "(セルを結合して中央揃え off) and fill every cell"),
     1},
    {offsetof(kp_xlsx_sheet, head_merges), KP_SEV_ERROR, "merged-cell", "L2-03",
     N_("range of header cells is merged"), N_("ranges of header cells are merged"),
     N_("the merged columns have no label of their own; unmerge and give each column its own "
     "name in one header row (e.g. 人口_男, 人口_女)"),
     1},
    {offsetof(kp_xlsx_sheet, title_merges), KP_SEV_WARNING, "merged-cell", "L1-12",
     N_("range above the header is merged"), N_("ranges above the header are merged"),
     N_("titles belong in the dataset's description, not above the table; delete the rows"), 1},
    {offsetof(kp_xlsx_sheet, hidden_rows), KP_SEV_ERROR, "hidden-row", "L1-13", N_("row is hidden"),
     N_("rows are hidden"),
     N_("hidden rows are still published; unhide them (select the rows around → right-click → "
     "再表示) and delete what must not be published"),
     0},
    {offsetof(kp_xlsx_sheet, breaks), KP_SEV_WARNING, "line-break", "L1-07",
     N_("cell holds a line break"), N_("cells hold line breaks"),
     N_("one value per cell: split lines that are separate values into rows or columns, and let "
     "Excel wrap long text (折り返して全体を表示) instead of breaking it"),
     1},
};

static void findings(kp_xlsx_sheet *sh)
{
	if (!sh->extra_done)
		held_facts(sh, 1); /* no numbers followed: the rows held were data */
	if (!sh->header_row && sh->first_row) {
		sh->header_row = sh->first_row;
		sh->last_row = sh->first_row;
		sh->min_col = 1;
		sh->max_col = sh->width;
	}
	char fix[200];
	if (sh->formulas.count) {
		xl_say(fix, sizeof fix,
			 "publish values: copy the cells, paste them as values (形式を選択して貼り"
			 "付け → 値)%s",
			 sh->uncached ? _("; some have no saved result (never recalculated): they "
					  "read empty")
				      : "");
		refs_finding(sh, &sh->formulas, KP_SEV_ERROR, "formula", "L2-06",
			     sh->formulas.count == 1 ? _("cell holds a formula") : _("cells hold formulas"),
			     fix, 1);
	}
	for (size_t i = 0; i < sh->nmerges; i++) {
		const struct merge *m = &sh->merges[i];
		char ref[64], a[24], b[24];
		kp_xlsx_cell_name(m->c1, m->r1, a, sizeof a);
		kp_xlsx_cell_name(m->c2, m->r2, b, sizeof b);
		long h = sh->header_row;
		first_refs *f;
		if (!h || m->r2 < h - 1 || (m->r2 < h && m->c1 == m->c2)) {
			f = &sh->title_merges;
		} else if (m->r2 == h - 1) {
			/* a heading over the columns of the header row below it */
			f = &sh->group_merges;
		} else if (m->r1 <= h) {
			f = &sh->head_merges;
		} else {
			f = &sh->data_merges;
		}
		if (f == &sh->group_merges && m->text[0])
			xl_fmt(ref, sizeof ref, "%s:%s '%s'", a, b, m->text);
		else
			xl_fmt(ref, sizeof ref, "%s:%s", a, b);
		refs_add(f, m->r1, m->c1, ref);
	}
	if (sh->group_merges.count && !sh->stopped) {
		char list[220];
		refs_list(&sh->group_merges, list, sizeof list, 1);
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "merged-cell",
			    "the header spans rows %ld-%ld: %ld merged heading%s over the columns of "
			    "row %ld (%s): a column's name is then split across rows; make one header "
			    "row whose labels carry both (e.g. 財務情報_売上高) and delete the heading row",
			    sh->group_merges.row[0], sh->header_row, sh->group_merges.count,
			    sh->group_merges.count == 1 ? "" : "s", sh->header_row, list);
		col_emit(sh, &d, "L2-03", sh->group_merges.row[0], sh->group_merges.col[0]);
	}
	if (sh->header_extra && !sh->stopped) {
		char merged[160] = "";
		if (sh->head_merges.count) {
			char list[140];
			refs_list(&sh->head_merges, list, sizeof list, 1);
			xl_say(merged, sizeof merged, ", with merged headings %s", list);
		}
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "multi-row-header",
			    "the header spans rows %ld-%ld (row %ld starts '%s'%s): a program takes "
			    "row %ld for data; make one header row whose labels carry every row's "
			    "words (e.g. 売上高（千円）, 売上_国内) and delete the others",
			    sh->header_row, sh->header_row + sh->header_extra, sh->header_row + 1,
			    sh->extra_label, merged, sh->header_row + 1);
		/* harunobu: two rows break the names' uniqueness (L2-03), three or more are
		 * a header that does not start the data (L3-01) */
		d.rule = sh->header_extra == 1 ? "L2-03" : "L3-01";
		d.row = sh->header_row;
		sheet_emit(sh, &d);
		sh->head_merges.count = 0; /* said here */
	}
	for (size_t k = 0; k < NELEM(sheet_refs); k++) {
		const first_refs *f = (const first_refs *)((const char *)sh + sheet_refs[k].at);
		refs_finding(sh, f, sheet_refs[k].sev, sheet_refs[k].code, sheet_refs[k].rule,
			     _(f->count == 1 ? sheet_refs[k].one : sheet_refs[k].many),
			     _(sheet_refs[k].fix),
			     sheet_refs[k].with_text);
	}
	if (sh->nhidden_col_ranges && !sh->stopped) {
		char list[120] = "";
		size_t o = 0;
		for (long i = 0; i < sh->hidden_cols && i < FIRST_MAX; i++) {
			char n[8];
			xl_column_name(sh->hidden_col_first[i], n, sizeof n);
			o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", n);
		}
		if (sh->nhidden_col_ranges > FIRST_MAX && o < sizeof list)
			xl_say(list + o, sizeof list - o, " and %ld more",
				 sh->nhidden_col_ranges - FIRST_MAX);
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "hidden-column",
			    "%ld column%s hidden (%s): hidden columns are still published; unhide "
			    "them (select the columns around → right-click → 再表示) and delete what "
			    "must not be published",
			    sh->nhidden_col_ranges, sh->nhidden_col_ranges == 1 ? " is" : "s are", list);
		d.rule = "L1-13";
		d.column = sh->hidden_col_first[0];
		d.row = 0;
		sheet_emit(sh, &d);
	}
	column_findings(sh);
	/* the sheet's relationships: drawings and comments */
	xl_rels r;
	char why[200];
	if (!sh->stopped && xl_rels_read(sh->x, sh->e->part, &r, why, sizeof why) == 0) {
		const xl_rel *dr = sh->drawing_id ? xl_rels_by_id(&r, sh->drawing_id) : NULL;
		if (dr && dr->target && strcmp(dr->type, "drawing") == 0)
			drawing_findings(sh, dr->target);
		const xl_rel *cm = xl_rels_by_type(&r, "comments");
		if (cm)
			comment_findings(sh, cm->target);
		xl_rels_free(&r);
	}
}
