#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "rows.h"
#include "rules.h"
#include "text.h"
#include "xlsx.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CELL_SHOWN 120   /* bytes of a cell shown in an excerpt (cut on a character) */
#define EXCERPT_COLS 60  /* columns shown in an excerpt */

/* One finding kept for the list: copies, since the schema (field names) and the
 * table's name go away once the table is done. */
struct kept {
	long row, col;
	char *field; /* owned, or NULL */
	char ref[48]; /* Sheet!B7, or "" */
	int has_cell;
	char cell[KP_DIAG_CELL_MAX];
	char message[KP_DIAG_MESSAGE_MAX];
};

struct group {
	const char *code, *rule; /* static (kp_diag's promise) */
	kp_severity sev;
	long count;
	struct kept *kept; /* owned, up to KP_REPORT_KEEP */
	size_t nkept;
	long rows[KP_REPORT_EXCERPT]; /* distinct rows, in the order found */
	size_t nrows;
};

/* A row of a table's excerpt. */
struct exrow {
	long number;
	size_t ncells;
	char **cells; /* owned, each cut to CELL_SHOWN */
};

struct table {
	char *file, *path, *sheet, *schema, *encoding; /* owned */
	kp_validate_stats stats;
	kp_score score;
	int valid;
	struct group *groups; /* owned */
	size_t ngroups;
	long findings;
	struct exrow header; /* filled when the page is written */
	struct exrow *rows;
	size_t nrows;
};

struct kp_report {
	struct table *tables; /* owned, ntables done */
	size_t ntables;
	struct table cur;     /* the table being read */
	long count;
};

static char *dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void exrow_free(struct exrow *e)
{
	for (size_t i = 0; i < e->ncells; i++)
		free(e->cells[i]);
	free(e->cells);
	memset(e, 0, sizeof *e);
}

static void table_free(struct table *t)
{
	for (size_t g = 0; g < t->ngroups; g++) {
		for (size_t k = 0; k < t->groups[g].nkept; k++)
			free(t->groups[g].kept[k].field);
		free(t->groups[g].kept);
	}
	free(t->groups);
	for (size_t i = 0; i < t->nrows; i++)
		exrow_free(&t->rows[i]);
	free(t->rows);
	exrow_free(&t->header);
	free(t->file);
	free(t->path);
	free(t->sheet);
	free(t->schema);
	free(t->encoding);
	memset(t, 0, sizeof *t);
}

kp_report *kp_report_new(void)
{
	return calloc(1, sizeof(kp_report));
}

void kp_report_free(kp_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntables; i++)
		table_free(&r->tables[i]);
	free(r->tables);
	table_free(&r->cur);
	free(r);
}

long kp_report_count(const kp_report *r)
{
	return r ? r->count : 0;
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

int kp_report_finding(kp_report *r, const kp_diag *d)
{
	struct table *t = &r->cur;
	r->count++;
	t->findings++;
	struct group *g = NULL;
	for (size_t i = 0; i < t->ngroups && !g; i++)
		if (t->groups[i].sev == d->severity && same(t->groups[i].code, d->code) &&
		    same(t->groups[i].rule, d->rule))
			g = &t->groups[i];
	if (!g) {
		struct group *m = realloc(t->groups, (t->ngroups + 1) * sizeof *m);
		if (!m)
			return -1;
		t->groups = m;
		g = &t->groups[t->ngroups++];
		memset(g, 0, sizeof *g);
		g->code = d->code;
		g->rule = d->rule;
		g->sev = d->severity;
	}
	g->count++;
	if (d->row > 0 && g->nrows < KP_REPORT_EXCERPT) {
		size_t i = 0;
		while (i < g->nrows && g->rows[i] != d->row)
			i++;
		if (i == g->nrows)
			g->rows[g->nrows++] = d->row;
	}
	if (g->nkept >= KP_REPORT_KEEP)
		return 0;
	if (!g->kept && !(g->kept = calloc(KP_REPORT_KEEP, sizeof *g->kept)))
		return -1;
	struct kept *k = &g->kept[g->nkept];
	k->row = d->row;
	k->col = d->column;
	k->field = dup(d->field);
	if (d->field && !k->field)
		return -1;
	if (!kp_diag_ref(d, k->ref, sizeof k->ref))
		k->ref[0] = '\0';
	k->has_cell = d->has_cell;
	memcpy(k->cell, d->cell, sizeof k->cell);
	memcpy(k->message, d->message, sizeof k->message);
	g->nkept++;
	return 0;
}

int kp_report_table(kp_report *r, const kp_report_table_info *ti)
{
	struct table *t = &r->cur;
	t->file = dup(ti->file);
	t->path = ti->path && strcmp(ti->path, "-") ? dup(ti->path) : NULL;
	t->sheet = dup(ti->sheet);
	t->schema = dup(ti->schema);
	if (ti->stats) {
		t->stats = *ti->stats;
		t->stats.encoding = NULL; /* borrowed: the copy below is the table's */
		t->encoding = dup(ti->stats->encoding);
	}
	if (ti->score)
		t->score = *ti->score;
	else
		kp_score_init(&t->score);
	t->valid = ti->valid;
	struct table *m = realloc(r->tables, (r->ntables + 1) * sizeof *m);
	if (!m) {
		table_free(t);
		return -1;
	}
	r->tables = m;
	r->tables[r->ntables++] = *t;
	memset(t, 0, sizeof *t);
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* The excerpt: the table read again, keeping its header and the rows the groups show. */

static int discard(void *ctx, const kp_diag *d)
{
	(void)ctx, (void)d;
	return 0;
}

static int by_row(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* The rows the groups show, sorted, each once, into *out (owned): their number. */
static size_t wanted_rows(const struct table *t, long **out)
{
	size_t n = 0;
	for (size_t g = 0; g < t->ngroups; g++)
		n += t->groups[g].nrows;
	long *rows = n ? malloc(n * sizeof *rows) : NULL;
	*out = rows;
	if (!rows)
		return 0;
	n = 0;
	for (size_t g = 0; g < t->ngroups; g++)
		for (size_t i = 0; i < t->groups[g].nrows; i++)
			rows[n++] = t->groups[g].rows[i];
	qsort(rows, n, sizeof *rows, by_row);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || rows[u - 1] != rows[i])
			rows[u++] = rows[i];
	return u;
}

/* Copies a record's cells, each cut on a character boundary (a cut cell ends in …). */
static int keep_row(struct exrow *e, const kp_csvrecord *rec)
{
	size_t n = rec->ncells < EXCERPT_COLS ? rec->ncells : EXCERPT_COLS;
	e->number = rec->number;
	e->cells = calloc(n ? n : 1, sizeof *e->cells);
	if (!e->cells)
		return -1;
	e->ncells = n;
	for (size_t i = 0; i < n; i++) {
		size_t len = rec->cells[i].len, keep = len;
		if (keep > CELL_SHOWN) {
			keep = CELL_SHOWN;
			while (keep && ((unsigned char)rec->cells[i].data[keep] & 0xC0) == 0x80)
				keep--;
		}
		char *c = malloc(keep + 4);
		if (!c)
			return -1;
		memcpy(c, rec->cells[i].data, keep);
		if (keep < len)
			memcpy(c + keep, "\xE2\x80\xA6", 3), keep += 3;
		c[keep] = '\0';
		e->cells[i] = c;
	}
	return 0;
}

static void read_excerpt(struct table *t)
{
	long *need = NULL;
	size_t nneed = t->path ? wanted_rows(t, &need) : 0, next = 0;
	if (!nneed) {
		free(need);
		return;
	}
	kp_rows_opts o;
	memset(&o, 0, sizeof o);
	o.csv.file = t->path;
	o.csv.encoding = t->encoding && strcmp(t->encoding, "UTF-8") ? t->encoding : NULL;
	o.csv.guess_encoding = 1;
	o.csv.sink.fn = discard;
	o.sheet = t->sheet;
	o.values_only = 1;
	kp_diag err;
	kp_rows *rd = kp_rows_open(t->path, &o, &err);
	if (!rd) {
		free(need);
		return; /* the page says the rows could not be shown */
	}
	kp_csvrecord rec;
	int have_header = 0;
	while (kp_rows_next(rd, &rec) > 0) {
		int blank = 1;
		for (size_t i = 0; i < rec.ncells && blank; i++)
			blank = rec.cells[i].len == 0;
		if (!have_header && !blank) {
			have_header = 1;
			if (keep_row(&t->header, &rec) != 0)
				break;
		}
		while (next < nneed && need[next] < rec.number)
			next++;
		if (next < nneed && need[next] == rec.number) {
			struct exrow *m = realloc(t->rows, (t->nrows + 1) * sizeof *m);
			if (!m)
				break;
			t->rows = m;
			memset(&t->rows[t->nrows], 0, sizeof *t->rows);
			if (keep_row(&t->rows[t->nrows++], &rec) != 0)
				break;
		}
		if (rec.number >= need[nneed - 1] && have_header)
			break;
	}
	kp_rows_free(rd);
	free(need);
}

static const struct exrow *excerpt_row(const struct table *t, long number)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].number == number)
			return &t->rows[i];
	return NULL;
}

/* ------------------------------------------------------------------------------------ */
/* HTML */

/* Text escaped for an element or a quoted attribute (& < > " ' as OWASP asks), with
 * characters nobody sees made visible: controls and odd spaces as [U+XXXX], a line break
 * as ↵. */
static void put_text(FILE *fp, const char *s, size_t n, int mark_invisible)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80) {
			uint32_t cp = 0;
			size_t l = kp_text_utf8_decode(s + i, n - i, &cp);
			if (!l) {
				fputs("\xEF\xBF\xBD", fp); /* not UTF-8: shown as U+FFFD */
				i++;
				continue;
			}
			if (mark_invisible &&
			    (kp_text_class(cp) & (KP_TEXT_CONTROL | KP_TEXT_LAYOUT_SPACE)))
				fprintf(fp, "<span class=\"inv\">[U+%04X]</span>", (unsigned)cp);
			else
				fwrite(s + i, 1, l, fp);
			i += l;
			continue;
		}
		/* a space at either end, or beside another, is a layout space: show it */
		if (c == ' ' && mark_invisible &&
		    (i == 0 || i + 1 == n || s[i + 1] == ' ' || s[i - 1] == ' ')) {
			fputs("<span class=\"inv\">\xE2\x90\xA3</span>", fp); /* ␣ */
			i++;
			continue;
		}
		switch (c) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		case '\n': fputs(mark_invisible ? "<span class=\"inv\">\xE2\x86\xB5</span>" : " ", fp); break;
		case '\r': if (mark_invisible) fputs("<span class=\"inv\">[CR]</span>", fp); break;
		case '\t': fputs(mark_invisible ? "<span class=\"inv\">[TAB]</span>" : " ", fp); break;
		default:
			if (c < 0x20 || c == 0x7F)
				fprintf(fp, "<span class=\"inv\">[U+%04X]</span>", c);
			else
				putc(c, fp);
		}
		i++;
	}
}

static void esc(FILE *fp, const char *s)
{
	if (s)
		put_text(fp, s, strlen(s), 0);
}

/* A printf-style sentence, escaped as a whole. */
static void escf(FILE *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void escf(FILE *fp, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	esc(fp, buf);
}

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font-family:\"BIZ UDPGothic\",\"Hiragino Sans\",\"Yu Gothic UI\",Meiryo,"
    "\"Noto Sans CJK JP\",\"IPAexGothic\",sans-serif;color:#1a1a1a;background:#fff;"
    "line-height:1.6}"
    "header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}"
    "h1{font-size:1.6rem;margin:1rem 0 .25rem}h2{font-size:1.3rem;margin:2rem 0 .5rem;"
    "border-bottom:2px solid #1a1a1a}h3{font-size:1.05rem;margin:.5rem 0}"
    ".verdict{font-size:1.15rem;font-weight:bold;padding:.5rem .75rem;border-left:.4rem solid}"
    ".verdict.ok{border-color:#0b6e2f;background:#e6f4ea}"
    ".verdict.ng{border-color:#a4001d;background:#fdecee}"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0}"
    "dl.facts dt{font-weight:bold}dl.facts dd{margin:0;overflow-wrap:anywhere}"
    ".cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:.75rem 0}"
    ".card{border:1px solid #767676;border-radius:.4rem;padding:.5rem .9rem;min-width:11rem}"
    ".card .score{font-size:1.8rem;font-weight:bold;margin:0}.card p{margin:.1rem 0}"
    "table{border-collapse:collapse;margin:.5rem 0}caption{text-align:left;font-weight:bold;padding:.2rem 0}"
    "th,td{border:1px solid #767676;padding:.2rem .45rem;text-align:left;vertical-align:top}"
    "thead th{background:#eef0f3}tbody th{background:#f6f7f9;font-weight:normal}"
    ".wrap{overflow-x:auto}"
    "td.bad{background:#fdecee;outline:3px solid #a4001d;outline-offset:-3px}"
    "td.bad mark{background:transparent;color:inherit}"
    ".badge{display:inline-block;padding:0 .5rem;border-radius:.3rem;font-weight:bold;"
    "font-size:.9rem}"
    ".sev-error{background:#a4001d;color:#fff}.sev-warning{background:#ffe8a3;color:#3d2c00}"
    ".sev-info{background:#dde7f3;color:#13294b}"
    "details.group{border:1px solid #767676;border-radius:.4rem;margin:.75rem 0;padding:.25rem .75rem}"
    "details.group>summary{cursor:pointer;font-weight:bold;padding:.25rem 0}"
    ".fix{background:#eef6ee;border-left:.3rem solid #0b6e2f;padding:.3rem .6rem}"
    "ol.findings{padding-left:1.5rem}ol.findings li{margin:.2rem 0}"
    ".empty{color:#454545;font-style:italic}.where{font-weight:bold}.inv{outline:1px dashed #a4001d;color:#a4001d;font-size:.85em}"
    "a{color:#0b4fa8}footer{color:#454545;font-size:.9rem;margin-top:2rem;padding-bottom:2rem}"
    "@media print{details.group{break-inside:avoid}details:not([open])>*{display:block}}";

static const char *sev_class(kp_severity s)
{
	return s == KP_SEV_ERROR ? "sev-error" : s == KP_SEV_WARNING ? "sev-warning" : "sev-info";
}

static int by_weight(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->sev != y->sev)
		return x->sev < y->sev ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->code, y->code);
}

/* "row 3, column 2 (B3)", "row 3", or nothing */
static void put_where(FILE *fp, const struct kept *k)
{
	if (k->row <= 0)
		return;
	fputs("<span class=\"where\">", fp);
	if (k->col > 0)
		escf(fp, _("row %ld, column %ld"), k->row, k->col);
	else
		escf(fp, _("row %ld"), k->row);
	if (k->ref[0]) {
		fputs(" (", fp);
		esc(fp, k->ref);
		fputc(')', fp);
	}
	fputs("</span> ", fp);
}

static void put_finding(FILE *fp, const struct group *g, const struct kept *k)
{
	fprintf(fp, "<li class=\"finding\" data-code=\"%s\"", g->code);
	if (k->row > 0)
		fprintf(fp, " data-row=\"%ld\"", k->row);
	if (k->col > 0)
		fprintf(fp, " data-column=\"%ld\"", k->col);
	fputc('>', fp);
	put_where(fp, k);
	esc(fp, k->message);
	if (k->field) {
		fputs(" <span class=\"field\">", fp);
		escf(fp, _("(field '%s')"), k->field);
		fputs("</span>", fp);
	}
	if (k->has_cell && k->cell[0]) {
		fputs(" <q class=\"cell\">", fp);
		put_text(fp, k->cell, strlen(k->cell), 1);
		fputs("</q>", fp);
	}
	fputs("</li>\n", fp);
}

/* The rows of a group with the offending cells outlined. */
static void put_excerpt(FILE *fp, const struct table *t, const struct group *g)
{
	if (!g->nrows)
		return;
	size_t cols = t->header.ncells;
	for (size_t i = 0; i < g->nrows; i++) {
		const struct exrow *e = excerpt_row(t, g->rows[i]);
		if (e && e->ncells > cols)
			cols = e->ncells;
	}
	if (!cols) {
		if (!t->path)
			fprintf(fp, "<p>%s</p>\n", _("The rows cannot be shown: the table was read from "
						    "standard input."));
		return;
	}
	fputs("<div class=\"wrap\"><table class=\"excerpt\">", fp);
	fprintf(fp, "<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th>", _("The rows it was found in"),
		_("Row"));
	for (size_t c = 0; c < cols; c++) {
		fputs("<th scope=\"col\">", fp);
		if (c < t->header.ncells && t->header.cells[c][0])
			put_text(fp, t->header.cells[c], strlen(t->header.cells[c]), 1);
		else /* a header cell says what its column is, even when the table does not */
			fprintf(fp, "<span class=\"empty\">%s</span>", _("(no label)"));
		fputs("</th>", fp);
	}
	fputs("</tr></thead>\n<tbody>\n", fp);
	for (size_t i = 0; i < g->nrows; i++) {
		const struct exrow *e = excerpt_row(t, g->rows[i]);
		fprintf(fp, "<tr data-row=\"%ld\"><th scope=\"row\">%ld</th>", g->rows[i], g->rows[i]);
		for (size_t c = 0; c < cols; c++) {
			int bad = 0, whole = 0;
			for (size_t k = 0; k < g->nkept && !bad; k++)
				if (g->kept[k].row == g->rows[i]) {
					if (g->kept[k].col == (long)c + 1)
						bad = 1;
					else if (g->kept[k].col <= 0)
						whole = 1;
				}
			bad = bad || whole;
			const char *text = e && c < e->ncells ? e->cells[c] : "";
			if (bad && !*text)
				fprintf(fp, "<td class=\"bad\"><span class=\"empty\">%s</span></td>",
					_("(empty)"));
			else if (bad)
				fputs("<td class=\"bad\"><mark>", fp);
			else
				fputs("<td>", fp);
			if (*text)
				put_text(fp, text, strlen(text), 1);
			if (*text)
				fputs(bad ? "</mark></td>" : "</td>", fp);
			else if (!bad)
				fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table></div>\n", fp);
}

static void put_group(FILE *fp, const struct table *t, const struct group *g, size_t ti, size_t gi)
{
	char id[48];
	snprintf(id, sizeof id, "t%zu-g%zu", ti + 1, gi + 1);
	fprintf(fp, "<details class=\"group\" id=\"%s\" data-code=\"%s\" data-severity=\"%s\" "
		    "data-count=\"%ld\"%s%s%s%s>\n<summary>",
		id, g->code, kp_severity_name(g->sev), g->count, g->rule ? " data-rule=\"" : "",
		g->rule ? g->rule : "", g->rule ? "\"" : "", gi < 8 ? " open" : "");
	fprintf(fp, "<span class=\"badge %s\">", sev_class(g->sev));
	esc(fp, kp_severity_label(g->sev));
	fputs("</span> ", fp);
	esc(fp, kp_rules_code_name(g->code));
	fputs(" — ", fp);
	escf(fp, Q_("%ld finding", "%ld findings", (unsigned long)g->count), g->count);
	fprintf(fp, " <code>%s</code></summary>\n", g->code);
	const kp_rule_text *rt = kp_rules_find(g->rule);
	if (rt) {
		fprintf(fp, "<p class=\"rule\"><a href=\"#rule-%s\">%s</a> ", rt->id, rt->id);
		esc(fp, kp_rules_title(rt));
		fputs("</p>\n", fp);
	}
	if (g->nkept) {
		const char *m = g->kept[0].message, *fix = strstr(m, ": ");
		if (fix && fix[2]) {
			fprintf(fp, "<p class=\"fix\"><strong>%s</strong> ", _("How to fix it:"));
			esc(fp, fix + 2);
			fputs("</p>\n", fp);
		}
	}
	fputs("<ol class=\"findings\">\n", fp);
	for (size_t k = 0; k < g->nkept; k++)
		put_finding(fp, g, &g->kept[k]);
	fputs("</ol>\n", fp);
	if (g->count > (long)g->nkept) {
		fputs("<p class=\"more\">", fp);
		escf(fp, _("…and %ld more like these: the JSON report (--format json) lists them all."),
		     g->count - (long)g->nkept);
		fputs("</p>\n", fp);
	}
	put_excerpt(fp, t, g);
	fputs("</details>\n", fp);
}

static void put_fact(FILE *fp, const char *term, const char *value)
{
	fputs("<dt>", fp);
	esc(fp, term);
	fputs("</dt><dd>", fp);
	esc(fp, value);
	fputs("</dd>\n", fp);
}

static void put_table(FILE *fp, struct table *t, size_t ti)
{
	if (t->ngroups > 1)
		qsort(t->groups, t->ngroups, sizeof *t->groups, by_weight);
	read_excerpt(t);
	const kp_validate_stats *st = &t->stats;
	fprintf(fp, "<section class=\"table\" id=\"t%zu\" aria-labelledby=\"t%zu-h\" data-findings=\"%ld\">\n"
		    "<h2 id=\"t%zu-h\">", ti + 1, ti + 1, t->findings, ti + 1);
	esc(fp, t->file);
	if (t->sheet) {
		fputs(" ", fp);
		escf(fp, _("(sheet '%s')"), t->sheet);
	}
	fputs("</h2>\n", fp);
	fprintf(fp, "<p class=\"verdict %s\">", t->valid ? "ok" : "ng");
	if (t->valid)
		escf(fp, _("No errors: this table can be published (warnings: %ld)."), st->warnings);
	else
		escf(fp, _("Fix before publishing (errors: %ld, warnings: %ld)."), st->errors, st->warnings);
	fputs("</p>\n<dl class=\"facts\">\n", fp);
	char buf[128];
	put_fact(fp, _("Checked against"), t->schema ? t->schema : "");
	put_fact(fp, _("Encoding"), t->encoding ? t->encoding : _("not read"));
	snprintf(buf, sizeof buf, "%ld", st->rows);
	put_fact(fp, _("Data rows"), buf);
	snprintf(buf, sizeof buf, "%ld", st->fields);
	put_fact(fp, _("Columns"), buf);
	snprintf(buf, sizeof buf, "%lld", st->bytes);
	put_fact(fp, _("Bytes"), buf);
	if (st->sha256[0])
		put_fact(fp, "SHA-256", st->sha256);
	fputs("</dl>\n", fp);

	/* the Digital Agency's score, per level, as its checker gives it */
	fprintf(fp, "<h3>%s</h3>\n<div class=\"cards\">\n",
		_("Machine-readability score (the Digital Agency's rules)"));
	for (int level = 1; level <= 3; level++) {
		fprintf(fp, "<div class=\"card\" data-level=\"%d\"><p>", level);
		escf(fp, _("Level %d"), level);
		fprintf(fp, "</p><p class=\"score\">%d<span> / 100</span></p>", kp_score_level(&t->score, level));
		kp_score_sev sev;
		const char *rid;
		int any = 0;
		for (size_t i = 0; (rid = kp_score_failed(&t->score, i, &sev)); i++) {
			if (rid[1] - '0' != level)
				continue;
			fputs(any ? ", " : "<p>", fp);
			if (!any)
				escf(fp, "%s ", _("Failed:"));
			fprintf(fp, "<a href=\"#rule-%s\">%s</a> (%s)", rid, rid, kp_score_sev_name(sev));
			any = 1;
		}
		fputs(any ? "</p></div>\n" : "</div>\n", fp);
	}
	fputs("</div>\n", fp);
	if (!t->ngroups) {
		fprintf(fp, "<p>%s</p>\n</section>\n", _("No findings."));
		return;
	}
	/* counts per problem, linked to its group */
	fprintf(fp, "<h3>%s</h3>\n<table class=\"counts\"><thead><tr><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "</tr></thead>\n<tbody>\n",
		_("Problems found"), _("Severity"), _("Problem"), _("Rule"), _("Count"));
	for (size_t g = 0; g < t->ngroups; g++) {
		const struct group *gr = &t->groups[g];
		fprintf(fp, "<tr><td><span class=\"badge %s\">", sev_class(gr->sev));
		esc(fp, kp_severity_label(gr->sev));
		fprintf(fp, "</span></td><td><a href=\"#t%zu-g%zu\">", ti + 1, g + 1);
		esc(fp, kp_rules_code_name(gr->code));
		fputs("</a></td><td>", fp);
		if (gr->rule)
			fprintf(fp, "<a href=\"#rule-%s\">%s</a>", gr->rule, gr->rule);
		fprintf(fp, "</td><td>%ld</td></tr>\n", gr->count);
	}
	fputs("</tbody></table>\n", fp);
	for (size_t g = 0; g < t->ngroups; g++)
		put_group(fp, t, &t->groups[g], ti, g);
	fputs("</section>\n", fp);
}

int kp_report_write_html(kp_report *r, FILE *fp, const kp_report_html_opts *o)
{
	long errors = 0, warnings = 0;
	for (size_t i = 0; i < r->ntables; i++) {
		errors += r->tables[i].stats.errors;
		warnings += r->tables[i].stats.warnings;
	}
	/* TRANSLATORS: the language of this translation as an HTML lang code ("ja") */
	const char *lang = _("en");
	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		    "style-src 'unsafe-inline'; img-src data:\">\n<title>",
		lang);
	if (r->ntables == 1)
		escf(fp, _("Check report: %s"), r->tables[0].file);
	else
		esc(fp, _("Check report"));
	fprintf(fp, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>", css);
	esc(fp, _("Check report"));
	fprintf(fp, "</h1>\n<p class=\"verdict %s\" id=\"verdict\" data-valid=\"%s\">",
		o->valid ? "ok" : "ng", o->valid ? "true" : "false");
	if (o->io_failed)
		esc(fp, _("Some tables could not be read: see below."));
	else if (o->valid)
		escf(fp, _("The tables can be published: no errors (warnings: %ld)."), warnings);
	else
		escf(fp, _("Problems to fix before publishing (errors: %ld, warnings: %ld)."), errors,
		     warnings);
	fprintf(fp, "</p>\n<p data-findings=\"%ld\">", r->count);
	escf(fp, Q_("%zu table checked, %ld findings in all.", "%zu tables checked, %ld findings in all.",
		    (unsigned long)r->ntables),
	     r->ntables, r->count);
	fputs("</p>\n</header>\n<main>\n", fp);
	if (r->ntables > 1) {
		/* several tables: where each stands, linked to its section */
		fprintf(fp, "<nav aria-labelledby=\"toc-h\">\n<h2 id=\"toc-h\">%s</h2>\n"
			    "<table class=\"toc\"><thead><tr><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
			_("Tables"), _("Table"), _("Verdict"), _("Errors"), _("Warnings"));
		for (size_t i = 0; i < r->ntables; i++) {
			const struct table *t = &r->tables[i];
			fprintf(fp, "<tr><td><a href=\"#t%zu\">", i + 1);
			esc(fp, t->file);
			if (t->sheet) {
				fputs(" ", fp);
				escf(fp, _("(sheet '%s')"), t->sheet);
			}
			fprintf(fp, "</a></td><td>%s</td><td>%ld</td><td>%ld</td></tr>\n",
				t->valid ? _("valid") : _("invalid"), t->stats.errors, t->stats.warnings);
		}
		fputs("</tbody></table>\n</nav>\n", fp);
	}
	for (size_t i = 0; i < r->ntables; i++)
		put_table(fp, &r->tables[i], i);

	/* the rules the findings name, in the Agency's words */
	fprintf(fp, "<section class=\"rules\" aria-labelledby=\"rules-h\">\n<h2 id=\"rules-h\">%s</h2>\n<dl>\n",
		_("The rules"));
	const kp_rule_text *rt;
	for (unsigned i = 0; (rt = kp_rules_at(i)); i++) {
		fprintf(fp, "<dt id=\"rule-%s\"><strong>%s</strong> ", rt->id, rt->id);
		esc(fp, kp_rules_title(rt));
		fputs("</dt><dd>", fp);
		esc(fp, kp_rules_summary(rt));
		fputs("</dd>\n", fp);
	}
	fputs("</dl>\n<p class=\"source\">", fp);
	esc(fp, kp_rules_source());
	fputs("</p>\n</section>\n</main>\n<footer>", fp);
	escf(fp, _("Made by %s %s. Every finding, with its code, is in the JSON report (--format json)."),
	     o->tool, o->version);
	fputs("</footer>\n</body>\n</html>\n", fp);
	return ferror(fp) ? -1 : 0;
}
