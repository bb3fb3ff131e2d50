/* label — see label.h. */
#include "i18n.h"
#include "label.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Characters a label may be spelt with in place of the schema's: width and dash
 * variants, and what a spreadsheet's cell layout adds (spaces, line breaks).  Each folds
 * to `to` (0: dropped); names are for the warning. */
static const struct {
	uint32_t cp, to;
	const char *name;
} label_fold[] = {
    {0x0020, 0, "SPACE"},
    {0x3000, 0, "IDEOGRAPHIC SPACE"},
    {0x0009, 0, "TAB"},
    {0x000A, 0, "LINE FEED"},
    {0x000D, 0, "CARRIAGE RETURN"},
    {0x002D, '-', "HYPHEN-MINUS"},
    {0x2010, '-', "HYPHEN"},
    {0x2012, '-', "FIGURE DASH"},
    {0x2013, '-', "EN DASH"},
    {0x2014, '-', "EM DASH"},
    {0x2015, '-', "HORIZONTAL BAR"},
    {0x2212, '-', "MINUS SIGN"},
    {0x30FC, '-', "KATAKANA-HIRAGANA PROLONGED SOUND MARK"},
    {0xFF0D, '-', "FULLWIDTH HYPHEN-MINUS"},
    {0xFF70, '-', "HALFWIDTH KATAKANA-HIRAGANA PROLONGED SOUND MARK"},
    {0x0028, '(', "LEFT PARENTHESIS"},
    {0xFF08, '(', "FULLWIDTH LEFT PARENTHESIS"},
    {0x0029, ')', "RIGHT PARENTHESIS"},
    {0xFF09, ')', "FULLWIDTH RIGHT PARENTHESIS"},
    {0x005F, '_', "LOW LINE"},
    {0xFF3F, '_', "FULLWIDTH LOW LINE"},
};

const char *kp_label_fold_name(uint32_t cp)
{
	for (size_t i = 0; i < NELEM(label_fold); i++)
		if (label_fold[i].cp == cp)
			return label_fold[i].name;
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		return "FULLWIDTH FORM";
	return cp < 0x80 ? "ASCII" : "CHARACTER";
}

/* One character of a label, folded: -1 when it is dropped. */
long kp_label_fold_char(uint32_t cp)
{
	for (size_t i = 0; i < NELEM(label_fold); i++)
		if (label_fold[i].cp == cp)
			return label_fold[i].to ? (long)label_fold[i].to : -1;
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		return (long)(cp - 0xFF01 + 0x21); /* full-width ASCII */
	return (long)cp;
}

/* s[0..n) folded into out (UTF-8; at most outsz - 1 bytes).  Returns its length. */
size_t kp_label_fold(const char *s, size_t n, char *out, size_t outsz)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = kp_text_utf8_decode(s + i, n - i, &cp);
		if (!l) {
			cp = (unsigned char)s[i];
			l = 1;
		}
		i += l;
		long f = kp_label_fold_char(cp);
		if (f < 0)
			continue;
		char buf[5];
		size_t k = kp_text_utf8_encode((uint32_t)f, buf);
		if (o + k >= outsz)
			break;
		memcpy(out + o, buf, k);
		o += k;
	}
	out[o] = '\0';
	return o;
}




void kp_label_index_free(kp_label_index *ix)
{
	kp_strset_free(&ix->set);
	for (size_t i = 0; i < ix->nkeys; i++)
		free(ix->keys[i]);
	free(ix->keys);
	memset(ix, 0, sizeof *ix);
}

int kp_label_index_build(const kp_schema *s, kp_label_index *ix)
{
	size_t nlabels = 0;
	for (size_t f = 0; f < s->nfields; f++)
		nlabels += kp_field_nlabels(&s->fields[f]);
	ix->keys = calloc(nlabels + 1, sizeof *ix->keys);
	if (!ix->keys)
		return -1;
	char buf[600];
	for (size_t f = 0; f < s->nfields; f++) {
		for (size_t k = 0; k < kp_field_nlabels(&s->fields[f]); k++) {
			size_t cl = 0;
			const char *cand = kp_field_label(&s->fields[f], k, &cl);
			size_t l = cand ? kp_label_fold(cand, cl, buf, sizeof buf) : 0;
			if (!l)
				continue;
			char *key = strdup(buf);
			if (!key)
				return -1;
			ix->keys[ix->nkeys++] = key;
			if (kp_strset_add(&ix->set, key, l, f, NULL) < 0)
				return -1;
		}
	}
	return 0;
}

/* The field whose name or title equals label up to the variants above, or -1. */
long kp_label_index_find(const kp_label_index *ix, const char *label, size_t n)
{
	char want[600];
	size_t wl = kp_label_fold(label, n, want, sizeof want), f;
	return wl && kp_strset_find(&ix->set, want, wl, &f) ? (long)f : -1;
}

/* The first character where a label and the schema's spelling differ. */
void kp_label_first_difference(const char *a, size_t an, const char *b, uint32_t *ca, uint32_t *cb)
{
	size_t i = 0, j = 0, bn = strlen(b);
	*ca = *cb = 0;
	while (i < an || j < bn) {
		uint32_t x = 0, y = 0;
		size_t lx = i < an ? kp_text_utf8_decode(a + i, an - i, &x) : 0;
		size_t ly = j < bn ? kp_text_utf8_decode(b + j, bn - j, &y) : 0;
		if (i < an && !lx)
			x = (unsigned char)a[i], lx = 1;
		if (j < bn && !ly)
			y = (unsigned char)b[j], ly = 1;
		if (x != y) {
			/* a dropped character on one side only: report it against nothing */
			if (lx && kp_label_fold_char(x) < 0 && (!ly || kp_label_fold_char(y) >= 0)) {
				*ca = x;
				return;
			}
			if (ly && kp_label_fold_char(y) < 0 && (!lx || kp_label_fold_char(x) >= 0)) {
				*cb = y;
				return;
			}
			*ca = x, *cb = y;
			return;
		}
		i += lx;
		j += ly;
	}
}

/* Characters of a and b shared at the start, and at the end (not overlapping). */
static void common_ends(const char *a, size_t an, const char *b, size_t bn, size_t *pre,
	size_t *pre_bytes_a, size_t *pre_bytes_b, size_t *suf)
{
	size_t i = 0, j = 0, n = 0;
	while (i < an && j < bn) {
		uint32_t x, y;
		size_t lx = kp_text_utf8_decode(a + i, an - i, &x);
		size_t ly = kp_text_utf8_decode(b + j, bn - j, &y);
		if (!lx || !ly || lx != ly || x != y)
			break;
		i += lx, j += ly, n++;
	}
	*pre = n, *pre_bytes_a = i, *pre_bytes_b = j;
	size_t ea = an, eb = bn, m = 0;
	while (ea > i && eb > j) {
		size_t ka = ea - 1, kb = eb - 1; /* back to the start of the last characters */
		while (ka > i && ((unsigned char)a[ka] & 0xC0) == 0x80)
			ka--;
		while (kb > j && ((unsigned char)b[kb] & 0xC0) == 0x80)
			kb--;
		if (ea - ka != eb - kb || memcmp(a + ka, b + kb, ea - ka) != 0)
			break;
		ea = ka, eb = kb, m++;
	}
	*suf = m;
}

/* For an incorrect label that is a near miss of the schema's spelling want (same
 * start or same end): " (character N is 'X' U+XXXX NAME where the schema has 'Y' …)";
 * else "". */
void kp_label_near_miss(const char *a, size_t an, const char *want, char *out, size_t cap)
{
	out[0] = '\0';
	size_t wn = strlen(want), pre, pa, pb, suf;
	common_ends(a, an, want, wn, &pre, &pa, &pb, &suf);
	if (pre + suf == 0)
		return;
	uint32_t x = 0, y = 0;
	size_t lx = pa < an ? kp_text_utf8_decode(a + pa, an - pa, &x) : 0;
	size_t ly = pb < wn ? kp_text_utf8_decode(want + pb, wn - pb, &y) : 0;
	const kp_text_range *rx = lx ? kp_text_range_of(x) : NULL, *ry = ly ? kp_text_range_of(y) : NULL;
	char cx[5] = "", cy[5] = "";
	if (lx)
		kp_text_utf8_encode(x, cx);
	if (ly)
		kp_text_utf8_encode(y, cy);
	if (lx && ly)
		snprintf(out, cap,
			 _(" (character %zu is '%s' U+%04X%s%s where the schema's '%s' has '%s' "
			   "U+%04X%s%s)"),
			 pre + 1, cx, (unsigned)x, rx ? ", " : "", rx ? _(rx->what) : "", want, cy,
			 (unsigned)y, ry ? ", " : "", ry ? _(ry->what) : "");
	else if (lx)
		snprintf(out, cap, _(" (it has '%s' U+%04X at character %zu, which the schema's '%s' lacks)"),
			 cx, (unsigned)x, pre + 1, want);
	else if (ly)
		snprintf(out, cap, _(" (it lacks the schema's '%s' U+%04X at character %zu of '%s')"),
			 cy, (unsigned)y, pre + 1, want);
}

