/* standard — see standard.h. */
#include "standard.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "label.h"

enum { FOLD_MAX = 600, MIN_MATCH = 5 };

static char *dup_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? strdup(v) : NULL;
}

static int keep_first(void *ctx, const kp_diag *d)
{
	kp_diag *first = ctx;
	if (d->severity == KP_SEV_ERROR && !first->code[0])
		*first = *d;
	return 0;
}

int kp_standards_load(kp_standards *s, const char *dir, kp_diag *err)
{
	memset(s, 0, sizeof *s);
	char path[4096];
	snprintf(path, sizeof path, "%s/index.json", dir);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	json_t *list = json_object_get(root, "standards");
	if (!json_is_array(list)) {
		kp_diag_set(err, KP_SEV_ERROR, "source-error",
			    "cannot read the standard datasets' index \"%s\": %s", path,
			    root ? "no \"standards\" list" : je.text);
		json_decref(root);
		return -1;
	}
	s->items = calloc(json_array_size(list) + 1, sizeof *s->items);
	if (!s->items) {
		json_decref(root);
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		return -1;
	}
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
	{
		kp_standard *st = &s->items[s->n++];
		const char *file = json_string_value(json_object_get(e, "file"));
		st->id = dup_str(e, "id");
		st->name = dup_str(e, "name");
		st->generation = dup_str(e, "generation");
		size_t need = strlen(dir) + (file ? strlen(file) : 0) + 2;
		st->path = file ? malloc(need) : NULL;
		if (st->path)
			snprintf(st->path, need, "%s/%s", dir, file);
		kp_diag first;
		kp_diag_clear(&first);
		kp_diag_sink sink = {keep_first, &first};
		if (!st->id || !st->name || !st->generation || !st->path ||
		    kp_schema_load_file(st->path, &st->schema, &sink) != 0) {
			if (first.code[0])
				*err = first;
			else
				kp_diag_set(err, KP_SEV_ERROR, "source-error",
					    "entry %zu of \"%s\" is incomplete or its schema cannot be "
					    "read",
					    i, path);
			json_decref(root);
			kp_standards_free(s);
			return -1;
		}
		/* the key is the file's name without ".schema.json" */
		const char *dot = strstr(file, ".schema.json");
		st->key = strndup(file, dot ? (size_t)(dot - file) : strlen(file));
		if (!st->key) {
			kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
			json_decref(root);
			kp_standards_free(s);
			return -1;
		}
	}
	json_decref(root);
	return 0;
}

void kp_standards_free(kp_standards *s)
{
	for (size_t i = 0; i < s->n; i++) {
		kp_standard *st = &s->items[i];
		free(st->key);
		free(st->id);
		free(st->name);
		free(st->generation);
		free(st->path);
		kp_schema_free(st->schema);
	}
	free(s->items);
	memset(s, 0, sizeof *s);
}

/* The header's folded labels, as a set; keys point into bufs. */
typedef struct folded {
	kp_strset set;
	char **bufs; /* owned */
	size_t n, labels;
} folded;

static int fold_header(const char *const *labels, size_t n, folded *f)
{
	memset(f, 0, sizeof *f);
	f->bufs = calloc(n + 1, sizeof *f->bufs);
	if (!f->bufs)
		return -1;
	char tmp[FOLD_MAX];
	for (size_t i = 0; i < n; i++) {
		size_t l = labels[i] ? kp_label_fold(labels[i], strlen(labels[i]), tmp, sizeof tmp)
				     : 0;
		if (!l)
			continue;
		f->labels++;
		if (!(f->bufs[f->n] = strdup(tmp)))
			return -1;
		if (kp_strset_add(&f->set, f->bufs[f->n], l, i, NULL) < 0)
			return -1;
		f->n++;
	}
	return 0;
}

static void folded_free(folded *f)
{
	kp_strset_free(&f->set);
	for (size_t i = 0; i < f->n; i++)
		free(f->bufs[i]);
	free(f->bufs);
}

static void score(const kp_standard *st, const folded *f, size_t *matched)
{
	char tmp[FOLD_MAX];
	*matched = 0;
	for (size_t k = 0; k < st->schema->nfields; k++) {
		const kp_field *fd = &st->schema->fields[k];
		for (size_t j = 0; j < kp_field_nlabels(fd); j++) {
			size_t ln = 0;
			const char *l = kp_field_label(fd, j, &ln);
			size_t fl = l ? kp_label_fold(l, ln, tmp, sizeof tmp) : 0;
			if (fl && kp_strset_find(&f->set, tmp, fl, NULL)) {
				(*matched)++;
				break;
			}
		}
	}
}

void kp_standard_score(const kp_standards *s, size_t i, const char *const *labels, size_t n,
	kp_standard_match *m)
{
	folded f;
	memset(m, 0, sizeof *m);
	m->index = (long)i;
	m->columns = s->items[i].schema->nfields;
	if (fold_header(labels, n, &f) == 0)
		score(&s->items[i], &f, &m->matched);
	m->labels = f.labels;
	folded_free(&f);
}

void kp_standard_recognise(const kp_standards *s, const char *const *labels, size_t n,
	kp_standard_match *m)
{
	memset(m, 0, sizeof *m);
	m->index = -1;
	folded f;
	if (fold_header(labels, n, &f) != 0) {
		folded_free(&f);
		return;
	}
	m->labels = f.labels;
	for (size_t i = 0; i < s->n; i++) {
		size_t got;
		score(&s->items[i], &f, &got);
		size_t cols = s->items[i].schema->nfields;
		if (got < MIN_MATCH || got * 2 < cols || got * 2 < f.labels)
			continue;
		/* most columns found; at a tie, the one with fewer columns missing */
		if (m->index < 0 || got > m->matched ||
		    (got == m->matched && cols - got < m->columns - m->matched)) {
			m->index = (long)i;
			m->matched = got;
			m->columns = cols;
		}
	}
	folded_free(&f);
}

size_t kp_standard_find(const kp_standards *s, const char *word, size_t *idx)
{
	size_t k = 0;
	char num[8] = "";
	if (strlen(word) <= 2 && word[0] >= '0' && word[0] <= '9')
		snprintf(num, sizeof num, "%02d", atoi(word));
	for (size_t i = 0; i < s->n; i++) {
		const kp_standard *st = &s->items[i];
		if (strcmp(st->key, word) == 0 || strcmp(st->name, word) == 0 ||
		    (num[0] && strcmp(st->id, num) == 0))
			idx[k++] = i;
	}
	return k;
}

const char *kp_standard_generation_name(const kp_standard *st)
{
	return strcmp(st->generation, "new") == 0 ? "自治体標準オープンデータセット" : "推奨データセット";
}
