/* write_csv — RFC 4180 CSV (csvout's quoting rules): optional BOM, chosen line ending,
 * one header row (titles for people or names for scripts), canonical cells.
 *
 * Rows are assembled in the writer's own buffer (kp_wbuf) and reach the stream in
 * large blocks: a cell costs one scan for the quoting decision and one copy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "writer.h"

typedef struct csv_writer {
	kp_writer base;
	kp_wbuf out;
	const char *eol;
	size_t eol_len;
	int header_titles;
	const kp_wtable *t; /* borrowed, current table */
	size_t *real;	    /* owned: indexes of t's non-virtual columns */
	size_t nreal;
} csv_writer;

enum { CSV_BUF = 1 << 16 };

/* The caller (export) adds the file's name; errno still says why the write failed. */
static int io_fail(kp_diag *err, const kp_wtable *t)
{
	int e = errno ? errno : EIO;
	if (t)
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write CSV for \"%s\": %s",
			    t->name, strerror(e));
	else
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write CSV: %s", strerror(e));
	return -1;
}

static kp_writer *csv_open(FILE *fp, const kp_wopts *o, kp_diag *err)
{
	csv_writer *w = calloc(1, sizeof *w);
	if (!w || kp_wbuf_init(&w->out, fp, CSV_BUF) != 0) {
		free(w);
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		return NULL;
	}
	w->base.ops = &kp_write_csv_ops;
	w->header_titles = o->header_titles;
	w->eol = o->eol ? o->eol : "\r\n";
	w->eol_len = strlen(w->eol);
	if (o->bom)
		kp_wbuf_put(&w->out, "\xEF\xBB\xBF", 3);
	return &w->base;
}

/* The header row: one text per column (NULL: empty), virtual columns skipped. */
static int put_header(csv_writer *w, const char *const *texts)
{
	const kp_wtable *t = w->t;
	int first = 1;
	for (size_t i = 0; i < t->ncols; i++) {
		if (t->cols[i].is_virtual)
			continue;
		const char *s = texts[i] ? texts[i] : "";
		size_t len = strlen(s);
		char *d = kp_wbuf_room(&w->out, 2 * len + 3);
		if (!d)
			return -1;
		size_t n = 0;
		if (!first)
			d[n++] = ',';
		first = 0;
		w->out.len += n + kp_csvout_format(d + n, s, len, 0);
	}
	return kp_wbuf_put(&w->out, w->eol, w->eol_len);
}

static int csv_start(kp_writer *base, const kp_wtable *t, kp_diag *err)
{
	csv_writer *w = (csv_writer *)base;
	w->t = t;
	free(w->real);
	w->real = calloc(t->ncols + 1, sizeof *w->real);
	if (!w->real) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		return -1;
	}
	w->nreal = 0;
	for (size_t i = 0; i < t->ncols; i++)
		if (!t->cols[i].is_virtual)
			w->real[w->nreal++] = i;
	const char **texts = calloc(t->ncols + 1, sizeof *texts);
	if (!texts) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		return -1;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		const kp_wcol *c = &t->cols[i];
		texts[i] = w->header_titles && c->title ? c->title : c->name;
	}
	int rc = put_header(w, texts);
	free(texts);
	return rc == 0 ? 0 : io_fail(err, t);
}

/* One cell at d (room for 2 * len + 2): copied and checked in one loop; the rare cell
 * that needs quotes is redone by csvout. */
static inline size_t put_cell(char *d, const char *s, size_t len)
{
	unsigned char any = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		d[i] = (char)c;
		any |= kp_csvout_class[c];
	}
	if (len && ((any & 1) || ((kp_csvout_class[(unsigned char)s[0]] |
				   kp_csvout_class[(unsigned char)s[len - 1]]) &
				  2)))
		return kp_csvout_format(d, s, len, 1);
	return len;
}

static int csv_row(kp_writer *base, const kp_wcell *cells, long row, kp_diag *err)
{
	(void)row;
	csv_writer *w = (csv_writer *)base;
	/* Room for the whole row at once (every cell quoted and doubled, at worst). */
	size_t need = w->eol_len;
	for (size_t k = 0; k < w->nreal; k++) {
		const kp_wcell *c = &cells[w->real[k]];
		need += 2 * (c->null ? 0 : c->len) + 3;
	}
	char *d = kp_wbuf_room(&w->out, need), *p = d;
	if (!d)
		return io_fail(err, w->t);
	for (size_t k = 0; k < w->nreal; k++) {
		const kp_wcell *c = &cells[w->real[k]];
		if (k)
			*p++ = ',';
		if (!c->null)
			p += put_cell(p, c->s, c->len);
	}
	memcpy(p, w->eol, w->eol_len);
	p += w->eol_len;
	w->out.len += (size_t)(p - d);
	return 0;
}

static int csv_finish(kp_writer *base, kp_diag *err)
{
	csv_writer *w = (csv_writer *)base;
	int rc = kp_wbuf_flush(&w->out) == 0 ? 0 : io_fail(err, w->t);
	w->t = NULL;
	return rc;
}

static int csv_close(kp_writer *base, kp_diag *err)
{
	csv_writer *w = (csv_writer *)base;
	if (!w)
		return 0;
	int rc = kp_wbuf_flush(&w->out) == 0 && fflush(w->out.fp) == 0 && !ferror(w->out.fp)
		     ? 0
		     : io_fail(err, w->t);
	kp_wbuf_release(&w->out);
	free(w->real);
	free(w);
	return rc;
}

const kp_writer_ops kp_write_csv_ops = {
    .format = "csv",
    .extension = "csv",
    .mediatype = "text/csv",
    .open = csv_open,
    .start = csv_start,
    .row = csv_row,
    .finish = csv_finish,
    .close = csv_close,
};
