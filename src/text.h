/* text — UTF-8 checking and decoding, BOM, character classes for Japan's open-data
 * rules, a Shift_JIS-looking heuristic, and iconv conversion to UTF-8.
 *
 * Character classes come from one data table of Unicode ranges (text.c) drawn from the
 * reference ranges of the Digital Agency's machine-readability checker (L1-08) and the
 * width rules; kp_text_class() looks a code point up in a table built from it.
 */
#ifndef KP_TEXT_H
#define KP_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Class bits of a code point. */
enum {
	KP_TEXT_PLATFORM = 1u << 0,      /* platform-dependent character (L1-08) */
	KP_TEXT_PLATFORM_INFO = 1u << 1, /* platform-dependent but tolerated (unit symbols ㎡ ㎏ …) */
	KP_TEXT_HALFWIDTH_KANA = 1u << 2, /* U+FF61–FF9F */
	KP_TEXT_FULLWIDTH_ALNUM = 1u << 3, /* U+FF10–19, FF21–3A, FF41–5A */
	KP_TEXT_LAYOUT_SPACE = 1u << 4,  /* U+3000 and other non-ASCII spaces used for layout */
	KP_TEXT_FULLWIDTH_DIGIT = 1u << 5, /* U+FF10–FF19 (also FULLWIDTH_ALNUM) */
	KP_TEXT_CONTROL = 1u << 6, /* control, invisible formatting and text-direction characters
				    * (C0 but TAB, DEL, C1, bidi controls, separators) */
	KP_TEXT_LOSSY = 1u << 7 /* U+FFFD: a character lost in a conversion */
};
#define KP_TEXT_NCLASSES 8

/* One row of the class table: [lo, hi] carries `cls`; `what` names it for messages. */
typedef struct kp_text_range {
	uint32_t lo, hi;
	unsigned cls;
	const char *what;
} kp_text_range;

/* Class bits of cp (0 for ASCII and unlisted characters). */
unsigned kp_text_class(uint32_t cp);

/* The table row that classifies cp, or NULL. */
const kp_text_range *kp_text_range_of(uint32_t cp);

/* Decodes one UTF-8 character at s[0..n): returns its length (1–4) and stores the code
 * point, or returns 0 when the bytes there are not a valid, shortest-form sequence of a
 * scalar value (then *cp is untouched).  n must be > 0. */
size_t kp_text_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Characters in s[0..n): the bytes that are not UTF-8 continuation bytes (positions in
 * messages are in characters, as people count them). */
size_t kp_text_utf8_length(const char *s, size_t n);

/* Returns 1 when s[0..n) is valid UTF-8; otherwise 0 and *bad (if non-NULL) gets the
 * offset of the first byte of the first invalid sequence.  An incomplete sequence at the
 * very end counts as invalid. */
int kp_text_utf8_valid(const char *s, size_t n, size_t *bad);

/* Length of the UTF-8 byte order mark at s (3) or 0. */
size_t kp_text_bom_len(const char *s, size_t n);

/* Returns 1 when s[0..n) decodes as Shift_JIS/CP932 with at least one double-byte or
 * half-width kana character and no invalid byte: the likely reason for a UTF-8 error. */
int kp_text_looks_sjis(const char *s, size_t n);

/* The encoding a file's first bytes s[0..n) are most likely in, as an iconv name:
 * "UTF-8" (a UTF-8 byte order mark, or valid UTF-8: pure ASCII too), "UTF-16" (a UTF-16
 * byte order mark, either order), "CP932" (Shift_JIS as Excel saves it), "EUC-JP", or
 * NULL when none fits (the file is then read as UTF-8 and its errors reported).  A
 * sequence cut by the end of the sample does not count against an encoding. */
const char *kp_text_guess_encoding(const char *s, size_t n);

/* One pass over a cell for the character rules. */
typedef struct kp_text_scan {
	int ascii;           /* every byte < 0x80 */
	int valid;           /* valid UTF-8 */
	unsigned classes;    /* union of class bits met */
	int lead_space;      /* starts with ASCII space/tab or a layout space */
	int trail_space;     /* ends with one */
	int inner_layout;    /* a layout space (U+3000 …) or a run of 2+ spaces inside */
	size_t lost_mark;    /* offset + 1 of a '?' standing where a conversion lost a
			      * character (between digits, next to Japanese text), or 0 */
	uint32_t first[KP_TEXT_NCLASSES]; /* first code point met per class bit index (set
					   * only for the bits in `classes`) */
	size_t first_at[KP_TEXT_NCLASSES];  /* its byte offset in the cell */
} kp_text_scan;

void kp_text_scan_cell(const char *s, size_t n, kp_text_scan *out);

/* kp_text_utf8_valid that also says whether some character has a class (any of the
 * ranges above: the Japanese rules would flag it): *dirty is set to 1 then, else 0.
 * Blanks are not looked at. */
int kp_text_utf8_classes(const char *s, size_t n, size_t *bad, int *dirty);

/* The quick answer for most cells: 1 when kp_text_scan_cell would find no class and no
 * leading, trailing or layout space in s[0..n) (and the text is valid UTF-8).  It may
 * answer 0 for a cell that is fine (rare characters, tabs next to spaces): then run
 * kp_text_scan_cell.  Never 1 for a cell that scan would flag. */
int kp_text_plain(const char *s, size_t n);

/* Index of a single class bit (0..KP_TEXT_NCLASSES-1), for kp_text_scan.first[]. */
int kp_text_class_index(unsigned bit);

/* Writes cp as UTF-8 plus NUL into buf (5 bytes); returns the length. */
size_t kp_text_utf8_encode(uint32_t cp, char buf[5]);

/* Conversion to UTF-8 over iconv, streamed.  Invalid input is reported, not replaced. */
typedef struct kp_text_conv {
	void *cd; /* owned iconv_t */
} kp_text_conv;

/* Opens a converter from `encoding` (an iconv name such as "CP932") to UTF-8.
 * Returns 0, or -1 when iconv does not know the encoding. */
int kp_text_conv_open(kp_text_conv *c, const char *encoding);

/* Converts as much of in[0..*inlen) as fits into out[0..*outlen).  On return *inlen is
 * the number of input bytes consumed and *outlen the number of output bytes written.
 * Returns 0 when it stopped because input ran out or output is full, 1 when an
 * incomplete sequence ends the input (feed more, or it is truncated at end of input),
 * -1 when the input holds a sequence invalid in the source encoding (at in + *inlen). */
int kp_text_conv_run(kp_text_conv *c, const char *in, size_t *inlen, char *out, size_t *outlen);

void kp_text_conv_close(kp_text_conv *c);

/* Returns 1 when the name means UTF-8 (case-insensitive "utf-8", "utf8"). */
int kp_text_is_utf8_name(const char *encoding);

/* Copies s[0..n) into out (room for cap bytes, NUL included), each byte that does not
 * start a valid UTF-8 sequence replaced by U+FFFD; stops before a character that would
 * not fit.  Returns the length written. */
size_t kp_text_utf8_repair(const char *s, size_t n, char *out, size_t cap);

/* 1 when the text holds what may join several values in one cell (L1-07): a comma
 * (, or ，), 、, ・ or （.  One pass over the bytes, no decoding. */
int kp_text_list_mark(const char *s, size_t n);

#endif
