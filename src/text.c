#include "i18n.h"
#include "text.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

/* The class table.  Later rows override earlier ones (kp_text_range_of searches from the
 * end), so the tolerated unit symbols sit after the CJK compatibility block they belong to.
 * Ranges for L1-08 follow the Digital Agency checker's sample implementation
 * (reference/jp-opendata.md §2.3); the radical blocks are added because they slip into
 * kanji text unseen (the reference's note on ⻲⻑). */
static const kp_text_range ranges[] = {
	{0x0001, 0x0008, KP_TEXT_CONTROL, N_("control character")},
	{0x000B, 0x000C, KP_TEXT_CONTROL, N_("control character")},
	{0x000E, 0x001F, KP_TEXT_CONTROL, N_("control character")},
	{0x007F, 0x007F, KP_TEXT_CONTROL, N_("control character DEL")},
	{0x0080, 0x009F, KP_TEXT_CONTROL, N_("C1 control character")},
	{0x061C, 0x061C, KP_TEXT_CONTROL, N_("Arabic letter mark (text direction)")},
	{0x200C, 0x200D, KP_TEXT_CONTROL, N_("zero-width joiner or non-joiner")},
	{0x200E, 0x200F, KP_TEXT_CONTROL, N_("left-to-right or right-to-left mark (text direction)")},
	{0x2028, 0x2029, KP_TEXT_CONTROL, N_("line or paragraph separator")},
	{0x202A, 0x202E, KP_TEXT_CONTROL, N_("text-direction embedding or override")},
	{0x2060, 0x2064, KP_TEXT_CONTROL, N_("invisible formatting character")},
	{0x2066, 0x2069, KP_TEXT_CONTROL, N_("text-direction isolate")},
	{0xFFF9, 0xFFFB, KP_TEXT_CONTROL, N_("interlinear annotation character")},
	{0xFFFD, 0xFFFD, KP_TEXT_LOSSY, N_("replacement character")},
	{0x00A0, 0x00A0, KP_TEXT_LAYOUT_SPACE, N_("no-break space")},
	{0x2000, 0x200B, KP_TEXT_LAYOUT_SPACE, N_("typographic space")},
	{0x202F, 0x202F, KP_TEXT_LAYOUT_SPACE, N_("narrow no-break space")},
	{0x205F, 0x205F, KP_TEXT_LAYOUT_SPACE, N_("mathematical space")},
	{0x3000, 0x3000, KP_TEXT_LAYOUT_SPACE, N_("ideographic space (U+3000)")},
	{0xFEFF, 0xFEFF, KP_TEXT_LAYOUT_SPACE, N_("zero-width no-break space (a BOM inside the text)")},
	{0x2160, 0x217F, KP_TEXT_PLATFORM, N_("roman numeral")},
	{0x2460, 0x2473, KP_TEXT_PLATFORM, N_("circled number")},
	{0x3251, 0x325F, KP_TEXT_PLATFORM, N_("circled number")},
	{0x32B1, 0x32BF, KP_TEXT_PLATFORM, N_("circled number")},
	{0x3220, 0x3243, KP_TEXT_PLATFORM, N_("parenthesized character")},
	{0x3280, 0x32FE, KP_TEXT_PLATFORM, N_("circled ideograph")},
	{0x32FF, 0x32FF, KP_TEXT_PLATFORM, N_("era-name ligature ㋿")},
	{0x3300, 0x33FF, KP_TEXT_PLATFORM, N_("squared CJK compatibility character")},
	{0x338F, 0x338F, KP_TEXT_PLATFORM_INFO, N_("unit symbol")},
	{0x339D, 0x339E, KP_TEXT_PLATFORM_INFO, N_("unit symbol")},
	{0x33A1, 0x33A1, KP_TEXT_PLATFORM_INFO, N_("unit symbol")},
	{0x33A5, 0x33A5, KP_TEXT_PLATFORM_INFO, N_("unit symbol")},
	{0x33C4, 0x33C4, KP_TEXT_PLATFORM_INFO, N_("unit symbol")},
	{0xFE30, 0xFE4F, KP_TEXT_PLATFORM, N_("vertical form")},
	{0x301C, 0x301C, KP_TEXT_PLATFORM, N_("wave dash 〜 (U+301C)")},
	{0xFF5E, 0xFF5E, KP_TEXT_PLATFORM, N_("full-width tilde ～ (U+FF5E)")},
	{0x2E80, 0x2EFF, KP_TEXT_PLATFORM, N_("CJK radical (looks like a kanji but is not one)")},
	{0x2F00, 0x2FDF, KP_TEXT_PLATFORM, N_("Kangxi radical (looks like a kanji but is not one)")},
	{0xFF61, 0xFF9F, KP_TEXT_HALFWIDTH_KANA, N_("half-width katakana")},
	{0xFF10, 0xFF19, KP_TEXT_FULLWIDTH_ALNUM | KP_TEXT_FULLWIDTH_DIGIT, N_("full-width digit")},
	{0xFF21, 0xFF3A, KP_TEXT_FULLWIDTH_ALNUM, N_("full-width Latin letter")},
	{0xFF41, 0xFF5A, KP_TEXT_FULLWIDTH_ALNUM, N_("full-width Latin letter")},
};
#define NRANGES (sizeof ranges / sizeof ranges[0])

/* BMP lookup built once from `ranges`: one byte of class bits per code point, so that
 * a cell of Japanese text costs one load per character. */
static unsigned char bmp_class[0x10000];
static int bmp_built;

static void build_bmp(void)
{
	for (size_t i = 0; i < NRANGES; i++)
		for (uint32_t cp = ranges[i].lo; cp <= ranges[i].hi && cp < 0x10000; cp++)
			bmp_class[cp] = (unsigned char)ranges[i].cls;
	bmp_built = 1;
}

unsigned kp_text_class(uint32_t cp)
{
	if (cp < 0x10000 && bmp_built)
		return bmp_class[cp];
	if (cp < 0x80)
		return 0;
	if (cp < 0x10000) {
		if (!bmp_built)
			build_bmp();
		return bmp_class[cp];
	}
	const kp_text_range *r = kp_text_range_of(cp);
	return r ? r->cls : 0;
}

const kp_text_range *kp_text_range_of(uint32_t cp)
{
	for (size_t i = NRANGES; i-- > 0;)
		if (cp >= ranges[i].lo && cp <= ranges[i].hi)
			return &ranges[i];
	return NULL;
}

int kp_text_class_index(unsigned bit)
{
	for (int i = 0; i < KP_TEXT_NCLASSES; i++)
		if (bit == 1u << i)
			return i;
	return -1;
}

size_t kp_text_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

size_t kp_text_utf8_length(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* Eight bytes at a time while they are all ASCII: most cells and lines are. */
static size_t ascii_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i + 8 <= n) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ull)
			break;
		i += 8;
	}
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

/* 1 when s[0..3) is a 3-byte sequence led by E1–EC or EE–EF: kana, kanji and most
 * symbols.  Those leads have no overlong or surrogate forms, so two continuation bytes
 * make a valid character (E0 and ED, which do, go the long way). */
static int plain_3byte(const unsigned char *s)
{
	unsigned c = s[0];
	return c >= 0xE1 && c <= 0xEF && c != 0xED && (s[1] & 0xC0) == 0x80 &&
	       (s[2] & 0xC0) == 0x80;
}

int kp_text_utf8_valid(const char *str, size_t n, size_t *bad)
{
	int dirty;
	return kp_text_utf8_classes(str, n, bad, &dirty);
}

size_t kp_text_bom_len(const char *s, size_t n)
{
	return n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

int kp_text_looks_sjis(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	/* Latin-1 text also parses as Shift_JIS now and then (é + a letter is a valid pair),
	 * but it never holds 0x81–0x9F, the leads of kana, symbols and most kanji. */
	int wide = 0;
	if (kp_text_utf8_valid(str, n, NULL))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c < 0x80)
			continue;
		if (c >= 0xA1 && c <= 0xDF) /* half-width katakana */
			continue;
		/* JIS X 0208 leads plus CP932's NEC/IBM rows; F0–F9 is the user-defined
		 * (外字) area, which real files rarely hold and Latin-1 text often does. */
		int lead = (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xEF) ||
			   (c >= 0xFA && c <= 0xFC);
		if (!lead || i + 1 >= n)
			return 0;
		unsigned t = s[i + 1];
		if (!((t >= 0x40 && t <= 0x7E) || (t >= 0x80 && t <= 0xFC)))
			return 0;
		if (c <= 0x9F)
			wide = 1;
		i++;
	}
	return wide;
}

/* 1 when s[0..n) is EUC-JP with at least one two-byte character: JIS X 0208 pairs
 * (A1–FE A1–FE), half-width kana (8E A1–DF) and JIS X 0212 triples (8F …). */
static int looks_eucjp(const unsigned char *s, size_t n)
{
	int wide = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c < 0x80)
			continue;
		size_t need = c == 0x8F ? 3 : 2;
		if (i + need > n)
			return wide; /* cut by the end of the sample */
		if (c == 0x8E) {
			if (s[i + 1] < 0xA1 || s[i + 1] > 0xDF)
				return 0;
		} else if ((c >= 0xA1 && c <= 0xFE) || c == 0x8F) {
			for (size_t k = 1; k < need; k++)
				if (s[i + k] < 0xA1 || s[i + k] > 0xFE)
					return 0;
			wide = 1;
		} else {
			return 0;
		}
		i += need - 1;
	}
	return wide;
}

const char *kp_text_guess_encoding(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		return "UTF-8";
	if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
		return "UTF-16";
	/* a PDF, zip or OLE file is no text: the reader names it */
	if ((n >= 5 && memcmp(s, "%PDF-", 5) == 0) || (n >= 4 && memcmp(s, "PK\x03\x04", 4) == 0) ||
	    (n >= 4 && memcmp(s, "\xD0\xCF\x11\xE0", 4) == 0))
		return NULL;
	/* a multi-byte character cut by the end of the sample is no error */
	size_t m = n;
	for (size_t k = 0; k < 3 && m > 0 && (s[m - 1] & 0xC0) == 0x80; k++)
		m--;
	if (m > 0 && s[m - 1] >= 0xC0)
		m--;
	if (memchr(str, '\0', n))
		return NULL; /* UTF-16 without a mark, or binary: the reader says so */
	if (kp_text_utf8_valid(str, m, NULL))
		return "UTF-8";
	/* the last byte may be a lead whose trail was cut off */
	if (kp_text_looks_sjis(str, n) || (n > 1 && kp_text_looks_sjis(str, n - 1)))
		return "CP932";
	if (looks_eucjp(s, n))
		return "EUC-JP";
	return NULL;
}

static int is_ascii_space(unsigned c)
{
	return c == ' ' || c == '\t';
}

static int ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* A '?' where a conversion lost a character: between two digits ("047?335?6481": a
 * dash Shift_JIS cannot hold), before Japanese text, or after it before a letter or
 * digit ("caf?オレ").  A '?' at the end of the text, or before a space, is a question
 * mark.  Returns its offset + 1, or 0. */
static size_t lost_mark(const unsigned char *s, size_t n)
{
	for (const unsigned char *q = memchr(s, '?', n); q;
	     q = memchr(q + 1, '?', (size_t)(s + n - q - 1))) {
		size_t i = (size_t)(q - s);
		if (i == 0 || i + 1 >= n)
			continue;
		unsigned char a = s[i - 1], b = s[i + 1];
		if ((a >= '0' && a <= '9' && b >= '0' && b <= '9') || (b >= 0x80 && a != ' ') ||
		    (a >= 0x80 && ascii_alnum(b)))
			return i + 1;
	}
	return 0;
}

void kp_text_scan_cell(const char *str, size_t n, kp_text_scan *o)
{
	const unsigned char *s = (const unsigned char *)str;
	o->lost_mark = n ? lost_mark(s, n) : 0;
	/* first[]/first_at[] are only read for classes met: not cleared (hot path) */
	o->classes = 0;
	o->lead_space = o->trail_space = o->inner_layout = 0;
	o->valid = 1;
	size_t i = ascii_prefix(s, n);
	o->ascii = i == n;
	if (n == 0)
		return;
	if (o->ascii) {
		/* Fast path: trim the ends, then look for a run of two spaces inside. */
		size_t a = 0, e = n;
		while (a < n && is_ascii_space(s[a]))
			a++;
		while (e > a && is_ascii_space(s[e - 1]))
			e--;
		o->lead_space = a > 0;
		o->trail_space = e < n;
		/* control characters (TAB is a blank): the first one is reported */
		for (size_t k = 0; k < n; k++)
			if ((s[k] < 0x20 && s[k] != '\t' && s[k] != 0) || s[k] == 0x7F) {
				int b = kp_text_class_index(KP_TEXT_CONTROL);
				o->classes |= KP_TEXT_CONTROL;
				o->first[b] = s[k];
				o->first_at[b] = k;
				break;
			}
		for (const unsigned char *q = s + a; q && q + 1 < s + e;) {
			q = memchr(q, ' ', (size_t)(s + e - q));
			if (q && q[1] == ' ') {
				o->inner_layout = 1;
				break;
			}
			if (q)
				q++;
		}
		return;
	}
	/* General path: spaces (ASCII or layout) between two other characters count as
	 * layout when there are two ASCII spaces or any layout space.  The class table is
	 * read directly (built once here) rather than through kp_text_class per character. */
	if (!bmp_built)
		build_bmp();
	int seen_text = 0, pending = 0, pending_layout = 0;
	i = 0;
	while (i < n) {
		uint32_t cp = s[i];
		size_t l = 1;
		if (i + 2 < n && plain_3byte(s + i)) {
			/* the 3-byte sequences of kana and kanji, without the overlong and
			 * surrogate corner cases (E0, ED) */
			cp = ((cp & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
			l = 3;
		} else if (cp >= 0x80) {
			l = kp_text_utf8_decode(str + i, n - i, &cp);
			if (l == 0) {
				o->valid = 0;
				l = 1;
				cp = 0xFFFE; /* an encoding error (reported as such): no class */
			}
		}
		unsigned cls = cp < 0x10000 ? bmp_class[cp] : kp_text_class(cp);
		if (cls) {
			unsigned fresh = cls & ~o->classes;
			for (int b = 0; fresh; b++, fresh >>= 1)
				if (fresh & 1) {
					o->first[b] = cp;
					o->first_at[b] = i;
				}
			o->classes |= cls;
		}
		if (is_ascii_space(cp) || (cls & KP_TEXT_LAYOUT_SPACE)) {
			if (!seen_text)
				o->lead_space = 1;
			if (cls & KP_TEXT_LAYOUT_SPACE)
				pending_layout = 1;
			else
				pending++;
		} else {
			if (seen_text && (pending >= 2 || pending_layout))
				o->inner_layout = 1;
			seen_text = 1;
			pending = 0;
			pending_layout = 0;
		}
		i += l;
	}
	if (seen_text && (pending || pending_layout))
		o->trail_space = 1;
}

/* One bit per 64 code points of U+0000–U+FFFF: set when some code point of the block
 * has a class.  Kanji and kana blocks are clear, so most characters cost one load. */
static uint64_t dirty_block[0x10000 / 64 / 64];

static void build_dirty(void)
{
	static int built;
	if (built)
		return;
	built = 1;
	if (!bmp_built)
		build_bmp();
	for (uint32_t cp = 0; cp < 0x10000; cp++)
		if (bmp_class[cp])
			dirty_block[cp >> 12] |= 1ull << ((cp >> 6) & 63);
}

int kp_text_utf8_classes(const char *str, size_t n, size_t *bad, int *dirty)
{
	build_dirty();
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	int d = 0;
	for (;;) {
		i += ascii_prefix(s + i, n - i);
		if (i >= n)
			break;
		/* Japanese text: runs of 3-byte characters, checked inline, their class looked
		 * up only in the few blocks that have one */
		while (i + 3 <= n && plain_3byte(s + i)) {
			uint32_t b = ((uint32_t)(s[i] & 0x0F) << 6) | (s[i + 1] & 0x3F);
			if (dirty_block[b >> 6] & (1ull << (b & 63)))
				d |= bmp_class[(b << 6) | (s[i + 2] & 0x3Fu)] != 0;
			i += 3;
		}
		if (i >= n)
			break;
		if (s[i] < 0x80)
			continue;
		uint32_t cp;
		size_t l = kp_text_utf8_decode(str + i, n - i, &cp);
		if (l == 0) {
			if (bad)
				*bad = i;
			*dirty = 1;
			return 0;
		}
		d |= kp_text_class(cp) != 0;
		i += l;
	}
	*dirty = d;
	return 1;
}

static int is_blank_byte(unsigned char c)
{
	return c == ' ' || c == '\t';
}

int kp_text_plain(const char *str, size_t n)
{
	build_dirty();
	const unsigned char *s = (const unsigned char *)str;
	if (n == 0)
		return 1;
	if (is_blank_byte(s[0]) || is_blank_byte(s[n - 1]))
		return 0;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			/* two blanks in a row are layout; one between words is not */
			if (is_blank_byte((unsigned char)c) && is_blank_byte(s[i + 1]))
				return 0;
			if ((c < 0x20 && c != '\t') || c == 0x7F || c == '?')
				return 0; /* a control character (or a NUL: the reader reports it);
					   * '?' may stand for a lost character */
			i++;
			continue;
		}
		uint32_t cp;
		if (i + 2 < n && plain_3byte(s + i)) {
			cp = ((c & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6);
			if (dirty_block[cp >> 12] & (1ull << ((cp >> 6) & 63))) {
				cp |= s[i + 2] & 0x3F;
				if (bmp_class[cp])
					return 0;
			}
			i += 3;
			continue;
		}
		size_t l = kp_text_utf8_decode(str + i, n - i, &cp);
		if (l == 0 || cp >= 0x10000 || bmp_class[cp])
			return 0;
		i += l;
	}
	return 1;
}

size_t kp_text_utf8_encode(uint32_t cp, char buf[5])
{
	size_t n;
	if (cp < 0x80) {
		buf[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		buf[0] = (char)(0xC0 | (cp >> 6)), buf[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
	} else if (cp < 0x10000) {
		buf[0] = (char)(0xE0 | (cp >> 12)), buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
	} else {
		buf[0] = (char)(0xF0 | (cp >> 18)), buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), buf[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
	}
	buf[n] = '\0';
	return n;
}

int kp_text_is_utf8_name(const char *e)
{
	return e && (strcasecmp(e, "utf-8") == 0 || strcasecmp(e, "utf8") == 0);
}

int kp_text_conv_open(kp_text_conv *c, const char *encoding)
{
	iconv_t cd = iconv_open("UTF-8", encoding);
	if (cd == (iconv_t)-1) {
		c->cd = NULL;
		return -1;
	}
	c->cd = cd;
	return 0;
}

int kp_text_conv_run(kp_text_conv *c, const char *in, size_t *inlen, char *out, size_t *outlen)
{
	char *ip = (char *)(uintptr_t)in; /* iconv's prototype lacks const; it does not write */
	size_t il = *inlen, ol = *outlen;
	char *op = out;
	size_t r = iconv((iconv_t)c->cd, &ip, &il, &op, &ol);
	int e = errno;
	*inlen = (size_t)(ip - in);
	*outlen = (size_t)(op - out);
	if (r != (size_t)-1)
		return 0;
	if (e == EILSEQ)
		return -1;
	if (e == EINVAL)
		return 1;
	return 0; /* E2BIG: output full */
}

void kp_text_conv_close(kp_text_conv *c)
{
	if (c->cd)
		iconv_close((iconv_t)c->cd);
	c->cd = NULL;
}

size_t kp_text_utf8_repair(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 4 < cap;) {
		uint32_t cp;
		size_t l = kp_text_utf8_decode(s + i, n - i, &cp);
		if (l == 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, l);
			o += l;
			i += l;
		}
	}
	out[o] = '\0';
	return o;
}

int kp_text_list_mark(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == ',')
			return 1;
		if (c == 0xE3 && i + 2 < n &&
		    ((s[i + 1] == 0x80 && s[i + 2] == 0x81) || (s[i + 1] == 0x83 && s[i + 2] == 0xBB)))
			return 1; /* 、 ・ */
		if (c == 0xEF && i + 2 < n && s[i + 1] == 0xBC && (s[i + 2] == 0x88 || s[i + 2] == 0x8C))
			return 1; /* （ ， */
	}
	return 0;
}
