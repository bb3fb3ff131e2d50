#include "choice.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "text.h"

#define OTHER_MAX 9

typedef struct value {
	char *text; /* owned */
	size_t len;
	long rows, first;
} value;

typedef struct column {
	value v[KP_CHOICE_MAX];
	size_t n;
	long cells;
	int dropped;             /* more than KP_CHOICE_MAX distinct values */
	uint64_t other[OTHER_MAX]; /* hashes of the distinct values holding その他 */
	size_t nother;
	char *other_first;       /* owned */
	long other_row;
} column;

struct kp_choice {
	column *cols; /* owned */
	size_t ncols;
};

static const char sonota[] = "\xE3\x81\x9D\xE3\x81\xAE\xE4\xBB\x96"; /* その他 */

kp_choice *kp_choice_new(size_t ncols)
{
	kp_choice *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->cols = calloc(ncols ? ncols : 1, sizeof *c->cols);
	if (!c->cols) {
		free(c);
		return NULL;
	}
	c->ncols = ncols;
	kp_hash_init();
	return c;
}

void kp_choice_free(kp_choice *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ncols; i++) {
		for (size_t k = 0; k < c->cols[i].n; k++)
			free(c->cols[i].v[k].text);
		free(c->cols[i].other_first);
	}
	free(c->cols);
	free(c);
}

int kp_choice_active(const kp_choice *c, size_t col)
{
	return col < c->ncols && (!c->cols[col].dropped || c->cols[col].nother < OTHER_MAX);
}

static int has_sonota(const char *s, size_t n)
{
	for (size_t i = 0; i + sizeof sonota - 1 <= n; i++)
		if (s[i] == sonota[0] && memcmp(s + i, sonota, sizeof sonota - 1) == 0)
			return 1;
	return 0;
}

void kp_choice_add(kp_choice *c, size_t col, long row, const char *s, size_t n)
{
	if (col >= c->ncols || n == 0)
		return;
	column *k = &c->cols[col];
	/* その他 with a detail: only values longer than the choice itself */
	if (k->nother < OTHER_MAX && n > sizeof sonota + 2 && has_sonota(s, n)) {
		uint64_t h = kp_hash_text(s, n);
		size_t i = 0;
		while (i < k->nother && k->other[i] != h)
			i++;
		if (i == k->nother) {
			k->other[k->nother++] = h;
			if (!k->other_first && (k->other_first = malloc(n + 1))) {
				memcpy(k->other_first, s, n);
				k->other_first[n] = '\0';
				k->other_row = row;
			}
		}
	}
	if (k->dropped)
		return;
	k->cells++;
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].len == n && memcmp(k->v[i].text, s, n) == 0) {
			k->v[i].rows++;
			return;
		}
	if (k->n == KP_CHOICE_MAX) {
		k->dropped = 1; /* not a column of choices: free what it held */
		for (size_t i = 0; i < k->n; i++)
			free(k->v[i].text);
		k->n = 0;
		return;
	}
	char *t = malloc(n + 1);
	if (!t) {
		k->dropped = 1;
		return;
	}
	memcpy(t, s, n);
	t[n] = '\0';
	k->v[k->n++] = (value){t, n, 1, row};
}

/* The normal form as code points: full-width ASCII folded, spaces dropped, a note cut. */
static size_t normal(const char *s, size_t n, uint32_t *out, size_t max)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o < max;) {
		uint32_t cp;
		size_t l = kp_text_utf8_decode(s + i, n - i, &cp);
		if (!l)
			break;
		i += l;
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0; /* Ａ１（ → A1( */
		if (cp == ' ' || cp == 0x3000 || cp == '\t')
			continue;
		if (o > 0 && (cp == 0x203B || cp == '(' || cp == 0x300C || cp == 0x3010))
			break; /* ※ ( 「 【: a note after the choice */
		out[o++] = cp;
	}
	return o;
}

/* 2·LCS / (|a| + |b|), as difflib's ratio for short strings. */
static double ratio(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	if (!na || !nb)
		return 0;
	unsigned short row[65] = {0};
	unsigned short prev[65] = {0};
	for (size_t i = 1; i <= na; i++) {
		for (size_t j = 1; j <= nb; j++)
			row[j] = a[i - 1] == b[j - 1] ? (unsigned short)(prev[j - 1] + 1)
			       : row[j - 1] > prev[j]  ? row[j - 1]
						       : prev[j];
		memcpy(prev, row, sizeof prev);
	}
	return 2.0 * prev[nb] / (double)(na + nb);
}

int kp_choice_variants(const kp_choice *c, size_t col, kp_choice_variant *out)
{
	if (col >= c->ncols)
		return 0;
	const column *k = &c->cols[col];
	if (k->dropped || k->cells < KP_CHOICE_MIN_CELLS || k->n < 2)
		return 0;
	int found = 0;
	for (size_t i = 0; i < k->n; i++) {
		const value *r = &k->v[i];
		if (r->rows > 2 || r->rows * 20 > k->cells)
			continue; /* not rare */
		uint32_t a[64], b[64];
		size_t na = normal(r->text, r->len, a, 64);
		const value *best = NULL;
		for (size_t j = 0; j < k->n; j++) {
			const value *u = &k->v[j];
			if (j == i || u->rows <= 2 || u->rows * 20 <= k->cells)
				continue; /* compared with the frequent values only */
			size_t nb = normal(u->text, u->len, b, 64);
			int same = na == nb && memcmp(a, b, na * sizeof *a) == 0;
			if ((same || ratio(a, na, b, nb) >= 0.75) && (!best || u->rows > best->rows))
				best = u;
		}
		if (!best)
			continue;
		if (found++ == 0)
			*out = (kp_choice_variant){r->text, best->text, r->rows, best->rows, r->first, 0};
		else
			out->others++;
	}
	return found > 0;
}

int kp_choice_others(const kp_choice *c, size_t col, kp_choice_other *o)
{
	if (col >= c->ncols || c->cols[col].nother < 2 || !c->cols[col].other_first)
		return 0;
	const column *k = &c->cols[col];
	*o = (kp_choice_other){k->other_first, k->other_row, (long)k->nother};
	return 1;
}
