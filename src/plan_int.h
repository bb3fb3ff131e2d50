/* plan_int — private helpers of the plan module (src/plan*.c): a growable string,
 * UTF-8 scanning, the artefact repairs (full-width folding, HTML flattening, footnote
 * marks, spaced letters, brackets, department lists) and the cell grammar.
 * Not part of the library's public interface. */
#ifndef KP_PLAN_INT_H
#define KP_PLAN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"

/* ---- growable NUL-terminated string ---- */
typedef struct kp_plan_buf {
	char *s; /* owned, NUL-terminated once anything was added; NULL when empty */
	size_t len;
	size_t cap;
	int oom; /* an append failed; the content is then incomplete */
} kp_plan_buf;

void kp_plan_buf_init(kp_plan_buf *b);
void kp_plan_buf_release(kp_plan_buf *b);
int kp_plan_buf_add(kp_plan_buf *b, const char *s, size_t n);
int kp_plan_buf_adds(kp_plan_buf *b, const char *s);
/* The content as an owned string ("" when empty); b is left empty.  NULL on OOM. */
char *kp_plan_buf_take(kp_plan_buf *b);
/* The content, "" when empty (borrowed). */
const char *kp_plan_buf_str(const kp_plan_buf *b);

/* ---- a growable list of ints (footnote numbers) ---- */
typedef struct kp_plan_ints {
	int *v; /* owned */
	size_t len;
	size_t cap;
} kp_plan_ints;

void kp_plan_ints_release(kp_plan_ints *l);
/* Appends x unless already present.  Returns 0 or -1 on OOM. */
int kp_plan_ints_add_unique(kp_plan_ints *l, int x);

/* ---- UTF-8 ---- */
/* Decodes one code point at s[0..n); returns its byte length (1..4), or 0 when the
 * bytes are not valid UTF-8 (overlong, surrogate, out of range, truncated). */
size_t kp_plan_u8_decode(const char *s, size_t n, uint32_t *cp);

/* Checks a whole document before it is parsed: valid UTF-8; no control, invisible or
 * text-direction character (nor a character reference to one, "&#150;", "&#x202E;",
 * "&#0;", a surrogate); no unknown entity ("&foo;"); no markup declaration
 * ("<!DOCTYPE …>").  Returns 0, or -1 with *line and *column (1-based, in characters),
 * *offset (byte) and what (a message saying what to do). */
int kp_plan_text_check(const char *s, size_t n, long *line, long *column, long long *offset,
		       char *what, size_t whatlen);

/* Unicode white space as the document uses it: ASCII space/tab, U+3000, U+00A0. */
int kp_plan_is_space(uint32_t cp);

/* Appends s[0..n) to out with full-width ASCII letters and digits folded to ASCII. */
int kp_plan_text_fold(kp_plan_buf *out, const char *s, size_t n);

/* s[0..n) without leading and trailing white space: sets *start, returns the length. */
size_t kp_plan_trim(const char *s, size_t n, const char **start);

/* ---- HTML fragments ---- */
typedef struct kp_plan_flat {
	kp_plan_buf intro;  /* text outside list items */
	kp_plan_buf *parts; /* owned array, the text of each <li> */
	size_t nparts;
} kp_plan_flat;

/* Flattens a cell that may hold HTML (<p>, <ul>/<ol>/<li>, <sup>, <br>, entities) with
 * libxml2's HTML parser.  <sup>※N</sup> becomes " ※N ".  Returns 0; 1 with why
 * filled when the cell holds an element this importer does not know; -1 on OOM. */
int kp_plan_html_flatten(const char *s, size_t n, kp_plan_flat *f, char *why, size_t whylen);
void kp_plan_flat_release(kp_plan_flat *f);

/* Repairs a piece of text: removes footnote marks ※N (adding N to notes, if not NULL)
 * with the spaces around them, collapses white space, joins spaced letters
 * ("S N S" → "SNS", "P a r k-P F I" → "Park-PFI"), removes layout spaces between
 * Japanese characters, makes brackets full-width and trims.  Returns an owned string,
 * NULL on OOM. */
char *kp_plan_text_clean(const char *s, size_t n, kp_plan_ints *notes);

/* Splits a 担当課 cell ("人事課、情報政策課", "総務課・企業局企業総務課", "A課 B課") into
 * names joined by ';'.  Every name must end in a known organisational suffix (課, 室,
 * センター, 事務局, ...).  Returns 0 with *out owned; 1 with why filled when a piece is
 * not a division name; -1 on OOM. */
int kp_plan_split_departments(const char *s, char **out, char *why, size_t whylen);

/* ---- cells ---- */

/* Parses a year cell or one side of an annotation (already trimmed, non-empty).
 * in_annotation allows a suffix after the qualifier ("10%未満を堅持").  Returns 0,
 * or 1 with why filled when the form is unknown. */
int kp_plan_figure_parse(const char *s, size_t n, int in_annotation, kp_plan_figure *fig, char *why,
			 size_t whylen);

typedef struct kp_plan_annotation {
	int base_year;
	char base_label[KP_PLAN_WORD_MAX]; /* "モデル事業" from 2017年実績(モデル事業), or "" */
	kp_plan_figure base;
	int goal_year;
	char goal_label[KP_PLAN_WORD_MAX];
	kp_plan_figure goal;
} kp_plan_annotation;

/* Parses the inside of 【2017年実績：X → 2022年目標：Y】 (without the brackets).
 * Returns 0, or 1 with why filled. */
int kp_plan_annotation_parse(const char *s, size_t n, kp_plan_annotation *a, char *why,
			     size_t whylen);

/* The stage for a symbol (△ 1, □ 2, ○ 3, ◎ 4), 0 when s[0..n) is not one. */
int kp_plan_stage_of(const char *s, size_t n);

/* Copies s[0..n) into dst[cap]; returns 0, or -1 (dst = "") when it does not fit. */
int kp_plan_copy(char *dst, size_t cap, const char *s, size_t n);

#endif
