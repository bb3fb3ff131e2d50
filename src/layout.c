/* layout — see layout.h. */
#include "layout.h"

#include <stdlib.h>
#include <string.h>

/* How a note below a table starts (a lone cell in the first column). */
static const char *const note_marks[] = {
    "※",      "＊",    "*",	 "注:",	  "注：",   "注)",    "注）",
    "(注",    "（注",  "【注",	 "〔注",  "備考:",  "備考：", "出典:",
    "出典：", "出所:", "出所：", "資料:", "資料：", "参考:",  "参考：",
};

static size_t filled(const kp_csvrecord *r, size_t *last)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ncells; i++)
		if (r->cells[i].len) {
			n++;
			*last = i;
		}
	return n;
}

/* Digits with signs and separators only: a value, not a label ("1,200", "2024-04-01"). */
static int numeric(const kp_csvcell *c)
{
	int digits = 0;
	for (size_t i = 0; i < c->len; i++) {
		unsigned char b = (unsigned char)c->data[i];
		if (b >= '0' && b <= '9')
			digits = 1;
		else if (!strchr("+-.,/:", b) || b == 0)
			return 0;
	}
	return digits;
}

static int has_note_mark(const kp_csvcell *c)
{
	for (size_t k = 0; k < sizeof note_marks / sizeof note_marks[0]; k++) {
		size_t n = strlen(note_marks[k]);
		if (c->len >= n && memcmp(c->data, note_marks[k], n) == 0)
			return 1;
	}
	return 0;
}

int kp_layout_init(kp_layout *l, const kp_csvrecord *h)
{
	memset(l, 0, sizeof *l);
	l->ncols = h->ncells;
	size_t total = 0;
	for (size_t i = 0; i < h->ncells; i++)
		total += h->cells[i].len + 1;
	if (!(l->labels = malloc(total + 1)) ||
	    !(l->label_at = malloc((h->ncells + 1) * sizeof *l->label_at)))
		return -1;
	char *p = l->labels;
	for (size_t i = 0; i < h->ncells; i++) {
		const kp_csvcell *c = &h->cells[i];
		l->label_at[i] = (size_t)(p - l->labels);
		memcpy(p, c->data, c->len);
		p[c->len] = '\0';
		if (c->len && kp_strset_add(&l->set, p, c->len, i, NULL) < 0)
			return -1;
		p += c->len + 1;
	}
	l->label_at[h->ncells] = (size_t)(p - l->labels); /* the end: lengths by difference */
	return 0;
}

/* Every filled cell is the header's label of its column (compared in place: a data
 * row differs at its first filled cell, so this costs one comparison a row). */
static int repeats_header(const kp_layout *l, const kp_csvrecord *r)
{
	if (r->ncells > l->ncols)
		return 0;
	for (size_t i = 0; i < r->ncells; i++) {
		const kp_csvcell *c = &r->cells[i];
		size_t len = l->label_at[i + 1] - l->label_at[i] - 1;
		if (c->len && (len != c->len || memcmp(l->labels + l->label_at[i], c->data, len) != 0))
			return 0;
	}
	return 1;
}

/* Labels (no number among them) that repeat one of the header's, or that fill the
 * first cells of a record narrower than the header (a table of fewer columns). */
static int looks_like_header(const kp_layout *l, const kp_csvrecord *r, size_t nfilled, size_t last)
{
	int shared = 0;
	for (size_t i = 0; i < r->ncells; i++) {
		const kp_csvcell *c = &r->cells[i];
		if (!c->len)
			continue;
		if (numeric(c))
			return 0;
		shared |= kp_strset_find(&l->set, c->data, c->len, NULL);
	}
	return shared || (nfilled == last + 1 && last + 1 < l->ncols);
}

kp_layout_kind kp_layout_next(kp_layout *l, const kp_csvrecord *r, kp_layout_run *split)
{
	split->first = 0;
	/* the common case first: a row of the table whose first two cells are filled */
	if (l->state == 0 && !l->held.first && r->ncells >= 2 && r->cells[0].len &&
	    r->cells[1].len && !((unsigned char)r->cells[0].data[0] >= 0xE2 && has_note_mark(&r->cells[0])))
		return repeats_header(l, r) ? KP_LAYOUT_AGAIN : KP_LAYOUT_DATA;
	size_t last = 0, n = filled(r, &last);
	if (n == 0) {
		if (l->state == 0) {
			if (!l->held.first)
				l->held = (kp_layout_run){r->number, r->number, r->offset};
			else
				l->held.last = r->number;
			return KP_LAYOUT_BLANK;
		}
		return KP_LAYOUT_SKIP;
	}
	if (l->state == 2)
		return KP_LAYOUT_SKIP;
	int after_blank = l->held.first != 0 || l->state == 1;
	kp_layout_run held = l->held;
	l->held.first = 0;
	if (n == 1 && last == 0 && l->ncols >= 2 && (after_blank || has_note_mark(&r->cells[0]))) {
		kp_layout_kind k = l->state == 1 ? KP_LAYOUT_SKIP : KP_LAYOUT_NOTE;
		l->state = 1;
		return k;
	}
	/* a footnote with its key in a cell of its own: "※a | 費用調整済み" */
	if (n >= 2 && n < l->ncols && has_note_mark(&r->cells[0])) {
		kp_layout_kind k = l->state == 1 ? KP_LAYOUT_SKIP : KP_LAYOUT_NOTE;
		l->state = 1;
		return k;
	}
	if (n >= 2 && repeats_header(l, r)) {
		l->state = 0;
		return KP_LAYOUT_AGAIN;
	}
	if (n >= 2 && after_blank && looks_like_header(l, r, n, last)) {
		l->state = 2;
		return KP_LAYOUT_TABLE;
	}
	if (l->state == 0)
		*split = held;
	l->state = 0;
	return KP_LAYOUT_DATA;
}

void kp_layout_end(kp_layout *l, kp_layout_run *split)
{
	*split = l->state == 0 ? l->held : (kp_layout_run){0, 0, 0};
	l->held.first = 0;
}

void kp_layout_release(kp_layout *l)
{
	kp_strset_free(&l->set);
	free(l->labels);
	free(l->label_at);
	l->labels = NULL;
	l->label_at = NULL;
}
