/* write_json — an array of objects keyed by field name, one object per line, with JSON
 * types: numbers and booleans bare, null for a missing value, arrays for list fields.
 *
 * Strings that need no escaping (the common case) are copied as they are; the others
 * go through jansson's encoder, so escaping follows one well-tested implementation.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "writer.h"

typedef struct json_writer {
	kp_writer base;
	FILE *fp;	    /* borrowed */
	const kp_wtable *t; /* borrowed, current table */
	char **keys;	    /* owned: per column the encoded `"name":` */
	size_t *keylen;	    /* owned: their lengths */
	long rows;	    /* written in the current table */
} json_writer;

static int io_fail(kp_diag *err, const json_writer *w)
{
	kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write JSON for \"%s\"",
		    w->t ? w->t->name : "?");
	return -1;
}

/* The writer owns its stream, from one thread: unlocked stdio calls (a lock round trip
 * per call adds up over millions of cells).  Literals go through here. */
static void put_lit(FILE *fp, const char *s)
{
	fwrite_unlocked(s, 1, strlen(s), fp);
}

static int plain(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\' || c == 0x7F)
			return 0;
	}
	return 1;
}

static int put_string(FILE *fp, const char *s, size_t len)
{
	if (plain(s, len)) {
		putc_unlocked('"', fp);
		fwrite_unlocked(s, 1, len, fp);
		putc_unlocked('"', fp);
		return 0;
	}
	json_t *j = json_stringn(s, len);
	if (!j)
		return -1; /* not UTF-8: the validator lets no such cell through */
	int rc = json_dumpf(j, fp, JSON_ENCODE_ANY);
	json_decref(j);
	return rc;
}

/* Numbers JSON cannot spell (NaN, INF) stay strings rather than turning into null. */
static int json_number_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == 'N' || s[i] == 'I' || s[i] == 'n' || s[i] == 'i')
			return 0;
	return len > 0;
}

static int put_value(FILE *fp, kp_wkind kind, const char *s, size_t len)
{
	switch (kind) {
	case KP_WK_INTEGER:
	case KP_WK_NUMBER:
		if (!json_number_ok(s, len))
			return put_string(fp, s, len);
		/* Canonical numbers are valid JSON numbers except for a leading '+'. */
		if (len > 0 && s[0] == '+') {
			s++;
			len--;
		}
		fwrite_unlocked(s, 1, len, fp);
		return 0;
	case KP_WK_BOOLEAN:
		if ((len == 4 && memcmp(s, "true", 4) == 0) ||
		    (len == 5 && memcmp(s, "false", 5) == 0)) {
			fwrite_unlocked(s, 1, len, fp);
			return 0;
		}
		return put_string(fp, s, len);
	default:
		return put_string(fp, s, len);
	}
}

static void free_keys(json_writer *w)
{
	if (w->keys && w->t)
		for (size_t i = 0; i < w->t->ncols; i++)
			free(w->keys[i]);
	free(w->keys);
	free(w->keylen);
	w->keys = NULL;
	w->keylen = NULL;
}

static kp_writer *json_open(FILE *fp, const kp_wopts *o, kp_diag *err)
{
	(void)o;
	json_writer *w = calloc(1, sizeof *w);
	if (!w) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		return NULL;
	}
	w->base.ops = &kp_write_json_ops;
	w->fp = fp;
	return &w->base;
}

static int json_start(kp_writer *base, const kp_wtable *t, kp_diag *err)
{
	json_writer *w = (json_writer *)base;
	w->t = t;
	w->rows = 0;
	w->keys = calloc(t->ncols ? t->ncols : 1, sizeof *w->keys);
	w->keylen = calloc(t->ncols ? t->ncols : 1, sizeof *w->keylen);
	if (!w->keys || !w->keylen)
		return io_fail(err, w);
	for (size_t i = 0; i < t->ncols; i++) {
		if (t->cols[i].is_virtual)
			continue;
		json_t *k = json_string(t->cols[i].name);
		char *enc = k ? json_dumps(k, JSON_ENCODE_ANY) : NULL;
		json_decref(k);
		size_t n = enc ? strlen(enc) : 0;
		w->keys[i] = enc ? malloc(n + 2) : NULL;
		if (!w->keys[i]) {
			free(enc);
			return io_fail(err, w);
		}
		memcpy(w->keys[i], enc, n);
		w->keys[i][n] = ':';
		w->keys[i][n + 1] = '\0';
		w->keylen[i] = n + 1;
		free(enc);
	}
	put_lit(w->fp, "[\n");
	return ferror(w->fp) ? io_fail(err, w) : 0;
}

static int json_row(kp_writer *base, const kp_wcell *cells, long row, kp_diag *err)
{
	json_writer *w = (json_writer *)base;
	FILE *fp = w->fp;
	if (w->rows++ > 0)
		put_lit(fp, ",\n");
	putc_unlocked('{', fp);
	int first = 1;
	for (size_t i = 0; i < w->t->ncols; i++) {
		const kp_wcol *c = &w->t->cols[i];
		const kp_wcell *cell = &cells[i];
		if (c->is_virtual)
			continue;
		if (!first)
			putc_unlocked(',', fp);
		first = 0;
		fwrite_unlocked(w->keys[i], 1, w->keylen[i], fp);
		int rc = 0;
		if (cell->null) {
			put_lit(fp, "null");
		} else if (c->separator) {
			size_t pos = 0, ilen;
			const char *item;
			putc_unlocked('[', fp);
			for (int n = 0; kp_writer_next_item(cell, c->separator, &pos, &item, &ilen);
			     n++) {
				if (n)
					putc_unlocked(',', fp);
				rc |= put_value(fp, c->kind, item, ilen);
			}
			putc_unlocked(']', fp);
		} else {
			rc = put_value(fp, c->kind, cell->s, cell->len);
		}
		if (rc != 0) {
			kp_diag_set(err, KP_SEV_ERROR, "encoding-error",
				    "cell of field \"%s\" is not valid UTF-8", c->name);
			kp_diag_at(err, w->t->file, row, (long)i + 1, -1);
			err->field = c->name;
			kp_diag_set_cell(err, cell->s, cell->len);
			return -1;
		}
	}
	putc_unlocked('}', fp);
	return ferror(fp) ? io_fail(err, w) : 0;
}

static int json_finish(kp_writer *base, kp_diag *err)
{
	json_writer *w = (json_writer *)base;
	fputs(w->rows ? "\n]\n" : "]\n", w->fp);
	int rc = ferror(w->fp) ? io_fail(err, w) : 0;
	free_keys(w);
	w->t = NULL;
	return rc;
}

static int json_close(kp_writer *base, kp_diag *err)
{
	json_writer *w = (json_writer *)base;
	if (!w)
		return 0;
	free_keys(w);
	int rc = fflush(w->fp) == 0 && !ferror(w->fp) ? 0 : io_fail(err, w);
	free(w);
	return rc;
}

const kp_writer_ops kp_write_json_ops = {
    .format = "json",
    .extension = "json",
    .mediatype = "application/json",
    .open = json_open,
    .start = json_start,
    .row = json_row,
    .finish = json_finish,
    .close = json_close,
};
