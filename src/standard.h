/* standard — the Digital Agency's standard datasets (schemas/standard/), and which one a
 * table is, from its header.
 *
 * schemas/standard/index.json lists the schemas (built by schemas/standard/build.py):
 * one per dataset and generation (the new 自治体標準オープンデータセット and the old
 * 推奨データセット layouts are both published today).  A header is matched against each
 * by label, folded as columns are matched to fields (width and dash variants, spaces),
 * through every label a field may carry (name, title, titles).  The standard with the
 * most of its columns in the header wins, if they are at least half of its columns and
 * half of the header's labels (at least five): below that the table is not taken for a
 * standard dataset.
 */
#ifndef KP_STANDARD_H
#define KP_STANDARD_H

#include <stddef.h>

#include "diag.h"
#include "schema.h"

typedef struct kp_standard {
	char *key;        /* owned: the schema's name, e.g. "08-aed-new" */
	char *id;         /* owned: the dataset's number, "08" */
	char *name;       /* owned: "AED設置箇所一覧" */
	char *generation; /* owned: "new" or "old" */
	char *path;       /* owned: the schema file */
	kp_schema *schema; /* owned */
} kp_standard;

typedef struct kp_standards {
	kp_standard *items; /* owned array of n */
	size_t n;
} kp_standards;

typedef struct kp_standard_match {
	long index;     /* into items, or -1: no standard */
	size_t matched; /* the standard's columns found in the header */
	size_t columns; /* the standard's columns */
	size_t labels;  /* the header's filled labels */
} kp_standard_match;

/* Loads every standard listed in dir/index.json.  Returns 0, or -1 with err set (a file
 * missing or broken: the installation is). */
int kp_standards_load(kp_standards *s, const char *dir, kp_diag *err);

void kp_standards_free(kp_standards *s);

/* The standard a header is (see above); m->index -1 when none. */
void kp_standard_recognise(const kp_standards *s, const char *const *labels, size_t n,
	kp_standard_match *m);

/* How well the header matches standard i (m->index = i whatever the score). */
void kp_standard_score(const kp_standards *s, size_t i, const char *const *labels, size_t n,
	kp_standard_match *m);

/* The standards a user's word names: a key ("08-aed-new"), a number ("08" or "8": both
 * generations), or a dataset name ("AED設置箇所一覧").  Fills idx (room for s->n) and
 * returns how many. */
size_t kp_standard_find(const kp_standards *s, const char *word, size_t *idx);

/* The generation's name as people write it: 自治体標準オープンデータセット / 推奨データセット. */
const char *kp_standard_generation_name(const kp_standard *st);

#endif
