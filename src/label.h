/* label — how a column's label is matched to a field: folded so that width and dash
 * variants, spaces and line breaks (what a spreadsheet's cell layout adds) compare
 * equal, and, when they still differ, which character differs, by code point and name.
 * validate matches headers with it; standard recognises a standard dataset by it. */
#ifndef KP_LABEL_H
#define KP_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "schema.h"

/* s[0..n) folded into out (outsz bytes with the NUL).  Returns the length, 0 when the
 * label folds to nothing or does not fit. */
size_t kp_label_fold(const char *s, size_t n, char *out, size_t outsz);

/* The name of a character the fold changes ("FULLWIDTH LOW LINE"), else a class name
 ("FULLWIDTH FORM", "ASCII", "CHARACTER"). */
const char *kp_label_fold_name(uint32_t cp);

/* What cp folds to: a code point (itself when the fold keeps it), -1 when it is
 * dropped (spaces, line breaks). */
long kp_label_fold_char(uint32_t cp);

/* The fields' labels (name, title, titles) folded, each once: folded text -> field
 * (the first field, its name before its title, wins). */
typedef struct kp_label_index {
	kp_strset set;
	char **keys; /* owned: the folded texts the set borrows */
	size_t nkeys;
} kp_label_index;

/* Returns 0, or -1 out of memory (release with kp_label_index_free either way). */
int kp_label_index_build(const kp_schema *s, kp_label_index *ix);

/* The field whose label equals label up to the fold, or -1. */
long kp_label_index_find(const kp_label_index *ix, const char *label, size_t n);

void kp_label_index_free(kp_label_index *ix);

/* The first characters where label a and the schema's spelling b differ: *ca and *cb
 * (0 for none: a character only one side has). */
void kp_label_first_difference(const char *a, size_t an, const char *b, uint32_t *ca,
	uint32_t *cb);

/* For a label a that is a near miss of want (same start or same end), the clause
 * " (character N is 'X' U+XXXX … where the schema's 'want' has 'Y' …)" in out; else "". */
void kp_label_near_miss(const char *a, size_t an, const char *want, char *out, size_t cap);

#endif
