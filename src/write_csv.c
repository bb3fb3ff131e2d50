/* write_csv — RFC 4180 CSV through csvout: optional BOM, chosen line ending, one header
 * row (titles for people or names for scripts), canonical cells. */
#include <stdlib.h>

#include "csvout.h"
#include "writer.h"

typedef struct csv_writer {
	kp_writer base;
	FILE *fp; /* borrowed */
	kp_csvout out;
	int header_titles;
	const kp_wtable *t; /* borrowed, current table */
} csv_writer;

static int io_fail(kp_diag *err, const kp_wtable *t)
{
	kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write CSV for \"%s\"",
		    t ? t->name : "?");
	return -1;
}

static kp_writer *csv_open(FILE *fp, const kp_wopts *o, kp_diag *err)
{
	csv_writer *w = calloc(1, sizeof *w);
	if (!w) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		return NULL;
	}
	w->base.ops = &kp_write_csv_ops;
	w->fp = fp;
	w->header_titles = o->header_titles;
	kp_csvout_init(&w->out, fp, o->eol ? o->eol : "\r\n");
	if (o->bom)
		fputs("\xEF\xBB\xBF", fp);
	return &w->base;
}

static int csv_start(kp_writer *base, const kp_wtable *t, kp_diag *err)
{
	csv_writer *w = (csv_writer *)base;
	w->t = t;
	for (size_t i = 0; i < t->ncols; i++) {
		const kp_wcol *c = &t->cols[i];
		if (c->is_virtual)
			continue;
		kp_csvout_str(&w->out, w->header_titles && c->title ? c->title : c->name);
	}
	kp_csvout_end_row(&w->out);
	return kp_csvout_status(&w->out) == 0 ? 0 : io_fail(err, t);
}

static int csv_row(kp_writer *base, const kp_wcell *cells, long row, kp_diag *err)
{
	(void)row;
	csv_writer *w = (csv_writer *)base;
	for (size_t i = 0; i < w->t->ncols; i++) {
		if (w->t->cols[i].is_virtual)
			continue;
		if (cells[i].null)
			kp_csvout_cell(&w->out, "", 0);
		else
			kp_csvout_cell(&w->out, cells[i].s, cells[i].len);
	}
	kp_csvout_end_row(&w->out);
	return kp_csvout_status(&w->out) == 0 ? 0 : io_fail(err, w->t);
}

static int csv_finish(kp_writer *base, kp_diag *err)
{
	csv_writer *w = (csv_writer *)base;
	int rc = kp_csvout_status(&w->out) == 0 ? 0 : io_fail(err, w->t);
	w->t = NULL;
	return rc;
}

static int csv_close(kp_writer *base, kp_diag *err)
{
	csv_writer *w = (csv_writer *)base;
	if (!w)
		return 0;
	int rc = fflush(w->fp) == 0 && !ferror(w->fp) ? 0 : io_fail(err, w->t);
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
