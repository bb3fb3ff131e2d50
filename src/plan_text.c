/* plan_text — the artefact repairs of the plan importer.  The document is text
 * extracted from a PDF, so its words carry the extraction's damage: letters spaced
 * apart, stray spaces around footnote marks, HTML wrappers and entities, full-width
 * digits, mixed bracket widths.  Each repair is a small pass over UTF-8 text; what is
 * data (which characters are spaces, which suffixes make a division name) is a table. */
#include "i18n.h"
#include "plan_int.h"
#include "text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

/* ---- buffers ---- */

void kp_plan_buf_init(kp_plan_buf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

void kp_plan_buf_release(kp_plan_buf *b)
{
	free(b->s);
	kp_plan_buf_init(b);
}

int kp_plan_buf_add(kp_plan_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = 1;
			return -1;
		}
		b->s = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int kp_plan_buf_adds(kp_plan_buf *b, const char *s)
{
	return kp_plan_buf_add(b, s, strlen(s));
}

char *kp_plan_buf_take(kp_plan_buf *b)
{
	if (b->oom) {
		kp_plan_buf_release(b);
		return NULL;
	}
	char *s = b->s ? b->s : strdup("");
	kp_plan_buf_init(b);
	return s;
}

const char *kp_plan_buf_str(const kp_plan_buf *b)
{
	return b->s ? b->s : "";
}

void kp_plan_ints_release(kp_plan_ints *l)
{
	free(l->v);
	l->v = NULL;
	l->len = l->cap = 0;
}

int kp_plan_ints_add_unique(kp_plan_ints *l, int x)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->v[i] == x)
			return 0;
	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		int *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->len++] = x;
	return 0;
}

int kp_plan_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n + 1 > cap) {
		dst[0] = '\0';
		return -1;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* ---- UTF-8 ---- */

size_t kp_plan_u8_decode(const char *str, size_t n, uint32_t *cp)
{
	return n ? kp_text_utf8_decode(str, n, cp) : 0;
}

/* Characters no published cell may carry, and why: the name a person can act on. */
static const struct {
	uint32_t lo, hi;
	const char *what;
} junk[] = {
    {0x0000, 0x0000, "a NUL (binary data)"},
    {0x0001, 0x0008, "a control character (binary data)"},
    {0x000B, 0x000C, "a control character (binary data)"},
    {0x000E, 0x001F, "a control character (binary data)"},
    {0x007F, 0x007F, "the control character DEL (binary data)"},
    {0x0080, 0x009F, "a C1 control character (in Windows-1252 these numbers were "
		     "punctuation: &#150; was the en dash \u2013)"},
    {0x061C, 0x061C, "an invisible text-direction mark"},
    {0x200B, 0x200F, "an invisible zero-width or text-direction character"},
    {0x2028, 0x2029, "a line or paragraph separator"},
    {0x202A, 0x202E, "an invisible text-direction override, which reorders how the text "
		     "reads"},
    {0x2060, 0x2064, "an invisible formatting character"},
    {0x2066, 0x2069, "an invisible text-direction isolate"},
    {0xD800, 0xDFFF, "a surrogate (not a character)"},
    {0xFEFF, 0xFEFF, "a byte order mark inside the text"},
    {0xFFF9, 0xFFFB, "an invisible annotation character"},
    {0xFFFD, 0xFFFD, "the replacement character (a character was lost in a conversion)"},
    {0xFFFE, 0xFFFF, "a noncharacter"},
};

static const char *junk_what(uint32_t cp)
{
	if (cp > 0x10FFFF)
		return "beyond Unicode";
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
		if (cp >= junk[i].lo && cp <= junk[i].hi)
			return junk[i].what;
	return NULL;
}

/* A character reference "&#N;" / "&#xH;" at s (s[0] == '&'): its length (0 if none)
 * and value (UINT32_MAX if too large). */
static size_t char_ref(const char *s, size_t n, uint32_t *value)
{
	if (n < 4 || s[1] != '#')
		return 0;
	int hex = s[2] == 'x' || s[2] == 'X';
	size_t i = hex ? 3 : 2, digits = 0;
	uint64_t v = 0;
	for (; i < n && digits < 16; i++, digits++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0'
			: hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
			: hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
						      : -1;
		if (d < 0)
			break;
		v = v * (hex ? 16 : 10) + (uint64_t)d;
	}
	if (!digits || i >= n || s[i] != ';')
		return 0;
	*value = v > 0x10FFFF ? UINT32_MAX : (uint32_t)v;
	return i + 1;
}

static int starts_ci(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != w[i])
			return 0;
	}
	return 1;
}

int kp_plan_text_check(const char *s, size_t n, long *line, long *column, long long *offset,
		       char *what, size_t whatlen)
{
	long ln = 1, col = 1;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = kp_plan_u8_decode(s + i, n - i, &cp);
		const char *bad = NULL;
		char buf[200];
		if (k == 0) {
			bad = "invalid UTF-8: save the document as UTF-8";
		} else if (cp != '\t' && cp != '\n' && cp != '\r' && !(cp == 0xFEFF && i == 0) &&
			   junk_what(cp)) {
			snprintf(buf, sizeof buf, "U+%04X, %s: remove it from the document", (unsigned)cp,
				 junk_what(cp));
			bad = buf;
		} else if (cp == '&') {
			uint32_t v;
			size_t rl = char_ref(s + i, n - i, &v);
			size_t nl = 0;
			while (!rl && i + 1 + nl < n && nl < 32 &&
			       ((s[i + 1 + nl] >= 'a' && s[i + 1 + nl] <= 'z') ||
				(s[i + 1 + nl] >= 'A' && s[i + 1 + nl] <= 'Z') ||
				(nl && s[i + 1 + nl] >= '0' && s[i + 1 + nl] <= '9')))
				nl++;
			if (rl && (v == 0 || v == UINT32_MAX || (v != '\t' && v != '\n' && junk_what(v)))) {
				snprintf(buf, sizeof buf, "\"%.*s\" stands for %s%s: write the character "
					 "meant, or nothing",
					 (int)rl, s + i, v == 0 ? "a NUL" : v == UINT32_MAX ? "no character" : "",
					 v == 0 || v == UINT32_MAX ? "" : junk_what(v));
				bad = buf;
			} else if (!rl && nl && i + 1 + nl < n && s[i + 1 + nl] == ';') {
				char name[40];
				memcpy(name, s + i + 1, nl);
				name[nl] = '\0';
				if (!htmlEntityLookup((const xmlChar *)name)) {
					snprintf(buf, sizeof buf, "unknown entity \"&%s;\": write the character "
						 "meant (or &amp; for '&')", name);
					bad = buf;
				}
			}
		} else if (cp == '<' && (starts_ci(s + i, n - i, "<!DOCTYPE") ||
					 starts_ci(s + i, n - i, "<!ENTITY") ||
					 starts_ci(s + i, n - i, "<!ELEMENT") ||
					 starts_ci(s + i, n - i, "<!ATTLIST"))) {
			bad = "a markup declaration (<!DOCTYPE …>, <!ENTITY …>): the plan document is "
			      "text, remove the declaration";
		}
		if (bad) {
			*line = ln, *column = col, *offset = (long long)i;
			snprintf(what, whatlen, "%s", bad);
			return -1;
		}
		if (cp == '\n' || (cp == '\r' && !(i + 1 < n && s[i + 1] == '\n'))) {
			ln++;
			col = 0;
		}
		if (cp != '\r' || !(i + 1 < n && s[i + 1] == '\n'))
			col++;
		i += k;
	}
	return 0;
}

/* White space the PDF extraction leaves between words. */
static const uint32_t space_chars[] = {' ', '\t', 0x3000 /* ideographic */, 0x00A0 /* nbsp */};

int kp_plan_is_space(uint32_t cp)
{
	for (size_t i = 0; i < sizeof space_chars / sizeof space_chars[0]; i++)
		if (cp == space_chars[i])
			return 1;
	return 0;
}

size_t kp_plan_trim(const char *s, size_t n, const char **start)
{
	size_t b = 0, e = n;
	while (b < e) {
		uint32_t cp;
		size_t k = kp_plan_u8_decode(s + b, e - b, &cp);
		if (k == 0 || !kp_plan_is_space(cp))
			break;
		b += k;
	}
	while (e > b) {
		/* step back to the start of the last code point */
		size_t p = e - 1;
		while (p > b && ((unsigned char)s[p] & 0xC0) == 0x80)
			p--;
		uint32_t cp;
		size_t k = kp_plan_u8_decode(s + p, e - p, &cp);
		if (k == 0 || !kp_plan_is_space(cp))
			break;
		e = p;
	}
	*start = s + b;
	return e - b;
}

static int put_cp(kp_plan_buf *b, uint32_t cp)
{
	char u[4];
	size_t k;
	if (cp < 0x80) {
		u[0] = (char)cp, k = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), k = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F)), k = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), k = 4;
	}
	return kp_plan_buf_add(b, u, k);
}

int kp_plan_text_fold(kp_plan_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = kp_plan_u8_decode(s + i, n - i, &cp);
		if (k == 0) { /* checked before; copy the byte as is */
			if (kp_plan_buf_add(out, s + i, 1))
				return -1;
			i++;
			continue;
		}
		/* Full-width digits and Latin letters (U+FF10–19, FF21–3A, FF41–5A) are the
		 * platform-dependent forms the national rules ask to avoid: fold them. */
		if ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
		    (cp >= 0xFF41 && cp <= 0xFF5A)) {
			if (put_cp(out, cp - 0xFEE0))
				return -1;
		} else if (kp_plan_buf_add(out, s + i, k)) {
			return -1;
		}
		i += k;
	}
	return 0;
}

/* ---- HTML ---- */

static void why_set(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, _(fmt), ap);
	va_end(ap);
}

/* Elements a cell may carry, and what they mean for the text. */
enum html_role { H_WRAP, H_BLOCK, H_LIST, H_ITEM, H_SUP, H_BREAK };
static const struct {
	const char *name;
	enum html_role role;
} html_elements[] = {
    {"html", H_WRAP}, {"body", H_WRAP}, {"span", H_WRAP}, {"p", H_BLOCK}, {"div", H_BLOCK},
    {"ul", H_LIST},   {"ol", H_LIST},	{"li", H_ITEM},	  {"sup", H_SUP}, {"br", H_BREAK},
};

struct flat_walk {
	kp_plan_flat *f;
	kp_plan_buf *cur; /* intro or the open list item */
	char *why;
	size_t whylen;
	int depth_li;
};

static int walk(struct flat_walk *w, xmlNode *n);

static int walk_children(struct flat_walk *w, xmlNode *n)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		int r = walk(w, c);
		if (r)
			return r;
	}
	return 0;
}

static int walk(struct flat_walk *w, xmlNode *n)
{
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		const char *t = (const char *)n->content;
		return t && kp_plan_buf_adds(w->cur, t) ? -1 : 0;
	}
	if (n->type == XML_COMMENT_NODE)
		return 0;
	if (n->type != XML_ELEMENT_NODE)
		return walk_children(w, n);
	const char *name = (const char *)n->name;
	size_t i;
	for (i = 0; i < sizeof html_elements / sizeof html_elements[0]; i++)
		if (strcmp(name, html_elements[i].name) == 0)
			break;
	if (i == sizeof html_elements / sizeof html_elements[0]) {
		why_set(w->why, w->whylen, "unknown HTML element <%s>", name);
		return 1;
	}
	switch (html_elements[i].role) {
	case H_WRAP:
	case H_LIST:
		return walk_children(w, n);
	case H_BLOCK:
	case H_BREAK:
		if (kp_plan_buf_adds(w->cur, " "))
			return -1;
		{
			int r = walk_children(w, n);
			if (r)
				return r;
		}
		return kp_plan_buf_adds(w->cur, " ") ? -1 : 0;
	case H_SUP: {
		/* A superscript is a footnote mark ※N and nothing else. */
		xmlChar *t = xmlNodeGetContent(n);
		const char *p = NULL;
		size_t len = kp_plan_trim((const char *)t, t ? strlen((const char *)t) : 0, &p);
		int ok = len > 3 && strncmp(p, "※", 3) == 0;
		for (size_t k = 3; ok && k < len; k++)
			ok = p[k] >= '0' && p[k] <= '9';
		int r = 0;
		if (!ok) {
			why_set(w->why, w->whylen, "<sup> holds '%.*s', not a footnote mark ※N",
				(int)(len > 40 ? 40 : len), p ? p : "");
			r = 1;
		} else if (kp_plan_buf_adds(w->cur, " ") || kp_plan_buf_add(w->cur, p, len) ||
			   kp_plan_buf_adds(w->cur, " ")) {
			r = -1;
		}
		xmlFree(t);
		return r;
	}
	case H_ITEM: {
		if (w->depth_li) {
			why_set(w->why, w->whylen, "nested list items");
			return 1;
		}
		kp_plan_buf *parts = realloc(w->f->parts, (w->f->nparts + 1) * sizeof *parts);
		if (!parts)
			return -1;
		w->f->parts = parts;
		kp_plan_buf_init(&parts[w->f->nparts]);
		w->cur = &parts[w->f->nparts++];
		w->depth_li = 1;
		int r = walk_children(w, n);
		w->depth_li = 0;
		w->cur = &w->f->intro;
		return r;
	}
	}
	return 0;
}

int kp_plan_html_flatten(const char *s, size_t n, kp_plan_flat *f, char *why, size_t whylen)
{
	kp_plan_buf_init(&f->intro);
	f->parts = NULL;
	f->nparts = 0;
	if (!memchr(s, '<', n) && !memchr(s, '&', n))
		return kp_plan_buf_add(&f->intro, s, n) ? -1 : 0;
	if (n > 1000000) {
		why_set(why, whylen, "cell too long");
		return 1;
	}
	/* libxml2 knows HTML's entities and its recovery rules; a fragment is parsed
	 * as the body of an implied document. */
	htmlDocPtr doc = htmlReadMemory(
	    s, (int)n, NULL, "UTF-8", HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (!doc) {
		why_set(why, whylen, "HTML that cannot be parsed");
		return 1;
	}
	struct flat_walk w = {f, &f->intro, why, whylen, 0};
	int r = 0;
	for (xmlNode *c = doc->children; c && !r; c = c->next)
		r = walk(&w, c);
	xmlFreeDoc(doc);
	if (r == 0 && f->intro.oom)
		r = -1;
	if (r)
		kp_plan_flat_release(f);
	return r;
}

void kp_plan_flat_release(kp_plan_flat *f)
{
	kp_plan_buf_release(&f->intro);
	for (size_t i = 0; i < f->nparts; i++)
		kp_plan_buf_release(&f->parts[i]);
	free(f->parts);
	f->parts = NULL;
	f->nparts = 0;
}

/* ---- clean-up of text ---- */

/* Decoded text: one code point per element, so the passes can look both ways. */
typedef struct cps {
	uint32_t *v;
	size_t len;
} cps;

static int decode_all(const char *s, size_t n, cps *c)
{
	c->v = malloc((n + 1) * sizeof *c->v);
	c->len = 0;
	if (!c->v)
		return -1;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = kp_plan_u8_decode(s + i, n - i, &cp);
		if (k == 0)
			cp = 0xFFFD, k = 1;
		c->v[c->len++] = cp;
		i += k;
	}
	return 0;
}

static int is_ascii_alnum(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_ascii_letter(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Characters that may sit inside a spaced-apart word: "k-P" in "P a r k-P F I",
 * "P/" in "P P P/ P F I" once a footnote mark was taken out. */
static int is_joiner(uint32_t c)
{
	return c == '-' || c == '/' || c == '&' || c == '.';
}

/* Pass 1: footnote marks ※N out (numbers to notes), with the spaces around them. */
static int strip_marks(cps *c, kp_plan_ints *notes)
{
	size_t o = 0;
	for (size_t i = 0; i < c->len;) {
		if (c->v[i] == 0x203B && i + 1 < c->len && c->v[i + 1] >= '0' &&
		    c->v[i + 1] <= '9') {
			size_t j = i + 1;
			int num = 0;
			while (j < c->len && c->v[j] >= '0' && c->v[j] <= '9') {
				if (num < 100000)
					num = num * 10 + (int)(c->v[j] - '0');
				j++;
			}
			if (notes && kp_plan_ints_add_unique(notes, num))
				return -1;
			while (o > 0 && kp_plan_is_space(c->v[o - 1]))
				o--;
			while (j < c->len && kp_plan_is_space(c->v[j]))
				j++;
			/* keep words apart: "word ※1 word" → "word word" */
			if (o > 0 && j < c->len && is_ascii_alnum(c->v[o - 1]) &&
			    is_ascii_alnum(c->v[j]))
				c->v[o++] = ' ';
			i = j;
			continue;
		}
		c->v[o++] = c->v[i++];
	}
	c->len = o;
	return 0;
}

/* Pass 2: runs of white space become one ASCII space; ends trimmed. */
static void collapse_spaces(cps *c)
{
	size_t o = 0;
	for (size_t i = 0; i < c->len; i++) {
		if (kp_plan_is_space(c->v[i]) || c->v[i] == '\n' || c->v[i] == '\r') {
			if (o > 0 && c->v[o - 1] != ' ')
				c->v[o++] = ' ';
		} else {
			c->v[o++] = c->v[i];
		}
	}
	while (o > 0 && c->v[o - 1] == ' ')
		o--;
	c->len = o;
}

/* An ASCII word [b, e) whose letters were spaced apart by the extraction: no two
 * letters adjacent, no digits ("S", "k-P", "P/", "/"). */
static int spaced_word(const cps *c, size_t b, size_t e, int *letters)
{
	*letters = 0;
	for (size_t i = b; i < e; i++) {
		uint32_t x = c->v[i];
		if (is_ascii_letter(x)) {
			if (i > b && is_ascii_letter(c->v[i - 1]))
				return 0;
			(*letters)++;
		} else if (!is_joiner(x)) {
			return 0;
		}
	}
	return 1;
}

/* Japanese text: kana, kanji and CJK punctuation.  A space between two of these is
 * layout left over from the PDF, not a word break. */
static int is_japanese(uint32_t c)
{
	return (c >= 0x3000 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x9FFF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF01 && c <= 0xFF60);
}

/* Pass 3: "S N S" → "SNS", "P a r k-P F I" → "Park-PFI", "A Iを" → "AIを".  A chain is
 * a sequence of spaced words separated by single spaces, with at least two letters;
 * its spaces go.  Ordinary words ("Information and Communication") are never single
 * letters, so they are left alone. */
static void join_spaced_letters(cps *c)
{
	size_t i = 0;
	while (i < c->len) {
		uint32_t x = c->v[i];
		if (x == ' ' || x >= 0x80 || !(is_ascii_letter(x) || is_joiner(x))) {
			i++;
			continue;
		}
		/* words from i: [wb, we) separated by single spaces */
		size_t wb = i, chain_end = i, nwords = 0;
		int letters_total = 0;
		size_t last_ok_end = i;
		for (;;) {
			size_t we = wb;
			while (we < c->len && c->v[we] != ' ' && c->v[we] < 0x80)
				we++;
			int letters;
			if (we == wb || !spaced_word(c, wb, we, &letters))
				break;
			nwords++;
			letters_total += letters;
			last_ok_end = we;
			if (we < c->len && c->v[we] == ' ' && we + 1 < c->len &&
			    c->v[we + 1] < 0x80 && c->v[we + 1] != ' ')
				wb = we + 1;
			else
				break;
		}
		chain_end = last_ok_end;
		/* a chain must start at a word boundary */
		int starts_clean = i == 0 || c->v[i - 1] >= 0x80 || c->v[i - 1] == ' ' ||
				   !is_ascii_alnum(c->v[i - 1]);
		if (nwords >= 2 && letters_total >= 2 && starts_clean) {
			/* the spaces that set the letters apart also set the word apart from
			 * Japanese neighbours: "S N S を活用" → "SNSを活用" */
			size_t b = i, e = chain_end;
			if (b >= 2 && c->v[b - 1] == ' ' && is_japanese(c->v[b - 2]))
				b--;
			if (e + 1 < c->len && c->v[e] == ' ' && is_japanese(c->v[e + 1]))
				e++;
			size_t o = b;
			for (size_t k = b; k < e; k++)
				if (c->v[k] != ' ')
					c->v[o++] = c->v[k];
			size_t removed = e - o;
			memmove(c->v + o, c->v + e, (c->len - e) * sizeof *c->v);
			c->len -= removed;
			i = o;
		} else {
			/* skip this ASCII word */
			while (i < c->len && c->v[i] != ' ' && c->v[i] < 0x80)
				i++;
		}
	}
}

/* Pass 4: a space between two Japanese characters is layout, and brackets become
 * full-width (the document mixes （累計） and (累計)). */
static void japanese_spaces_and_brackets(cps *c)
{
	size_t o = 0;
	for (size_t i = 0; i < c->len; i++) {
		uint32_t x = c->v[i];
		if (x == ' ' && o > 0 && i + 1 < c->len && is_japanese(c->v[o - 1]) &&
		    is_japanese(c->v[i + 1]))
			continue;
		if (x == '(')
			x = 0xFF08;
		else if (x == ')')
			x = 0xFF09;
		c->v[o++] = x;
	}
	c->len = o;
}

char *kp_plan_text_clean(const char *s, size_t n, kp_plan_ints *notes)
{
	cps c;
	if (decode_all(s, n, &c))
		return NULL;
	if (strip_marks(&c, notes)) {
		free(c.v);
		return NULL;
	}
	collapse_spaces(&c);
	join_spaced_letters(&c);
	japanese_spaces_and_brackets(&c);
	kp_plan_buf b;
	kp_plan_buf_init(&b);
	for (size_t i = 0; i < c.len; i++)
		put_cp(&b, c.v[i]);
	free(c.v);
	return kp_plan_buf_take(&b);
}

/* ---- departments ---- */

/* What separates names in a 担当課 cell. */
static const char *const dept_separators[] = {"、", "・", "，", ",", "；", ";", " ", "　"};

/* How a division's name ends.  A piece that ends otherwise means a separator was
 * part of a name (or the cell is not a department list): an error, never a guess. */
static const char *const dept_suffixes[] = {
    "課", "室", "局", "センター", "事務局", "所", "部", "館", "署", "園", "場", "会", "校", "係",
};

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

int kp_plan_split_departments(const char *s, char **out, char *why, size_t whylen)
{
	kp_plan_buf b;
	kp_plan_buf_init(&b);
	const char *p = s;
	size_t n = strlen(s), start = 0, count = 0;
	int rc = 0;
	for (size_t i = 0; i <= n && rc == 0;) {
		size_t seplen = 0;
		if (i < n) {
			for (size_t k = 0; k < sizeof dept_separators / sizeof dept_separators[0];
			     k++) {
				size_t l = strlen(dept_separators[k]);
				if (i + l <= n && memcmp(p + i, dept_separators[k], l) == 0) {
					seplen = l;
					break;
				}
			}
		}
		if (i == n || seplen) {
			const char *w;
			size_t wl = kp_plan_trim(p + start, i - start, &w);
			if (wl) {
				int ok = 0;
				for (size_t k = 0;
				     k < sizeof dept_suffixes / sizeof dept_suffixes[0]; k++)
					ok |= ends_with(w, wl, dept_suffixes[k]);
				if (!ok) {
					why_set(why, whylen,
						"'%.*s' is not a division name (known endings: 課, "
						"室, センター, 事務局, ...)",
						(int)(wl > 60 ? 60 : wl), w);
					rc = 1;
					break;
				}
				if ((count++ && kp_plan_buf_adds(&b, ";")) ||
				    kp_plan_buf_add(&b, w, wl)) {
					rc = -1;
					break;
				}
			}
			if (i == n)
				break;
			i += seplen;
			start = i;
		} else {
			i++;
		}
	}
	if (rc == 0 && count == 0) {
		why_set(why, whylen, "empty 担当課 cell");
		rc = 1;
	}
	if (rc) {
		kp_plan_buf_release(&b);
		return rc;
	}
	*out = kp_plan_buf_take(&b);
	return *out ? 0 : -1;
}
