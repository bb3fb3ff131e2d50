/* write_csv — RFC 4180 CSV (csvout's quoting rules): optional BOM, chosen line ending,
 * one header row (titles for people or names for scripts), canonical cells.
 *
 * Rows are assembled in the writer's own buffer (kp_wbuf) and reach the stream in
 * large blocks: a cell costs one scan for the quoting decision and one copy. */
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
} csv_writer;

enum { CSV_BUF = 1 << 16 };

static int io_fail(kp_diag *err, const kp_wtable *t)
{
	kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write CSV for \"%s\"",
		    t ? t->name : "?");
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

/* One row of n texts (NULL: empty cell), virtual columns skipped. */
static int put_row(csv_writer *w, const kp_wcell *cells, const char *const *texts)
{
	const kp_wtable *t = w->t;
	int first = 1;
	for (size_t i = 0; i < t->ncols; i++) {
		if (t->cols[i].is_virtual)
			continue;
		const char *s;
		size_t len;
		if (cells) {
			s = cells[i].null ? "" : cells[i].s;
			len = cells[i].null ? 0 : cells[i].len;
		} else {
			s = texts[i] ? texts[i] : "";
			len = strlen(s);
		}
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
	const char **texts = calloc(t->ncols + 1, sizeof *texts);
	if (!texts) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		return -1;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		const kp_wcol *c = &t->cols[i];
		texts[i] = w->header_titles && c->title ? c->title : c->name;
	}
	int rc = put_row(w, NULL, texts);
	free(texts);
	return rc == 0 ? 0 : io_fail(err, t);
}

static int csv_row(kp_writer *base, const kp_wcell *cells, long row, kp_diag *err)
{
	(void)row;
	csv_writer *w = (csv_writer *)base;
	return put_row(w, cells, NULL) == 0 ? 0 : io_fail(err, w->t);
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
