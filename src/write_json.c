/* write_json — an array of objects keyed by field name, one object per line, with JSON
 * types: numbers and booleans bare, null for a missing value, arrays for list fields.
 *
 * Strings that need no escaping (the common case) are copied as they are; the others
 * go through jansson's encoder, so escaping follows one well-tested implementation.
 * Rows are assembled in the writer's own buffer (kp_wbuf) and reach the stream in
 * large blocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "writer.h"

typedef struct json_writer {
	kp_writer base;
	kp_wbuf out;	    /* on the borrowed stream */
	const kp_wtable *t; /* borrowed, current table */
	char **keys;	    /* owned: per column the encoded `"name":` */
	size_t *keylen;	    /* owned: their lengths */
	long rows;	    /* written in the current table */
} json_writer;

/* The caller (export) adds the file's name; errno still says why the write failed. */
static int io_fail(kp_diag *err, const json_writer *w)
{
	int e = errno ? errno : EIO;
	if (w->t)
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write JSON for \"%s\": %s",
			    w->t->name, strerror(e));
	else
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write JSON: %s", strerror(e));
	return -1;
}

/* Bytes a JSON string cannot hold as they are. */
static const unsigned char escape[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0A] = 1, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1,
    [0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1,
    [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1, ['"'] = 1,	[0x5C] = 1, [0x7F] = 1};

static int put_lit(kp_wbuf *b, const char *s)
{
	return kp_wbuf_put(b, s, strlen(s));
}

static int put_string(kp_wbuf *b, const char *s, size_t len)
{
	/* Copy and check in one go; only a string that needs escaping is redone. */
	char *d = kp_wbuf_room(b, len + 2);
	if (!d)
		return -1;
	unsigned char any = 0;
	d[0] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		d[i + 1] = (char)c;
		any |= escape[c];
	}
	if (!any) {
		d[len + 1] = '"';
		b->len += len + 2;
		return 0;
	}
	json_t *j = json_stringn(s, len);
	char *enc = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (!enc)
		return -1; /* not UTF-8: the validator lets no such cell through */
	int rc = put_lit(b, enc);
	free(enc);
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

static int put_value(kp_wbuf *b, kp_wkind kind, const char *s, size_t len)
{
	switch (kind) {
	case KP_WK_INTEGER:
	case KP_WK_NUMBER:
		if (!json_number_ok(s, len))
			return put_string(b, s, len);
		/* Canonical numbers are valid JSON numbers except for a leading '+'. */
		if (len > 0 && s[0] == '+') {
			s++;
			len--;
		}
		return kp_wbuf_put(b, s, len);
	case KP_WK_BOOLEAN:
		if ((len == 4 && memcmp(s, "true", 4) == 0) ||
		    (len == 5 && memcmp(s, "false", 5) == 0))
			return kp_wbuf_put(b, s, len);
		return put_string(b, s, len);
	default:
		return put_string(b, s, len);
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
	if (kp_wbuf_init(&w->out, fp, 1 << 16) != 0) {
		free(w);
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		return NULL;
	}
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
	return put_lit(&w->out, "[\n") == 0 ? 0 : io_fail(err, w);
}

static int json_row(kp_writer *base, const kp_wcell *cells, long row, kp_diag *err)
{
	json_writer *w = (json_writer *)base;
	kp_wbuf *b = &w->out;
	if (put_lit(b, w->rows++ > 0 ? ",\n{" : "{") != 0)
		return io_fail(err, w);
	int first = 1;
	for (size_t i = 0; i < w->t->ncols; i++) {
		const kp_wcol *c = &w->t->cols[i];
		const kp_wcell *cell = &cells[i];
		if (c->is_virtual)
			continue;
		char *d = kp_wbuf_room(b, w->keylen[i] + 1);
		if (!d)
			return io_fail(err, w);
		if (!first)
			*d++ = ',', b->len++;
		first = 0;
		memcpy(d, w->keys[i], w->keylen[i]);
		b->len += w->keylen[i];
		int rc = 0;
		if (cell->null) {
			rc = kp_wbuf_put(b, "null", 4);
		} else if (cell->bare && !c->separator &&
			   (c->kind == KP_WK_INTEGER || c->kind == KP_WK_NUMBER)) {
			/* A plain decimal, as export's fast cast found it: a JSON number as is. */
			rc = kp_wbuf_put(b, cell->s, cell->len);
		} else if (c->separator) {
			size_t pos = 0, ilen;
			const char *item;
			rc = kp_wbuf_put(b, "[", 1);
			for (int n = 0;
			     rc == 0 && kp_writer_next_item(cell, c->separator, &pos, &item, &ilen);
			     n++) {
				if (n)
					rc = kp_wbuf_put(b, ",", 1);
				if (rc == 0)
					rc = put_value(b, c->kind, item, ilen);
			}
			if (rc == 0)
				rc = kp_wbuf_put(b, "]", 1);
		} else {
			rc = put_value(b, c->kind, cell->s, cell->len);
		}
		if (rc != 0) {
			if (b->failed)
				return io_fail(err, w);
			kp_diag_set(err, KP_SEV_ERROR, "encoding-error",
				    "cell of field \"%s\" is not valid UTF-8", c->name);
			kp_diag_at(err, w->t->file, row, (long)i + 1, -1);
			err->field = c->name;
			kp_diag_set_cell(err, cell->s, cell->len);
			return -1;
		}
	}
	return kp_wbuf_put(b, "}", 1) == 0 ? 0 : io_fail(err, w);
}

static int json_finish(kp_writer *base, kp_diag *err)
{
	json_writer *w = (json_writer *)base;
	int rc = put_lit(&w->out, w->rows ? "\n]\n" : "]\n") == 0 && kp_wbuf_flush(&w->out) == 0
		     ? 0
		     : io_fail(err, w);
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
	int rc = kp_wbuf_flush(&w->out) == 0 && fflush(w->out.fp) == 0 && !ferror(w->out.fp)
		     ? 0
		     : io_fail(err, w);
	kp_wbuf_release(&w->out);
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
