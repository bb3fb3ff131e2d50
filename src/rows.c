#include "rows.h"

#include <stdlib.h>
#include <string.h>

#include "files.h"

struct kp_rows {
	kp_csvread *csv;     /* owned, or NULL */
	kp_xlsx *book;       /* owned, or NULL */
	kp_xlsx_sheet *sheet; /* owned, or NULL */
	const char *sheet_name; /* borrowed from book */
	long long bytes;
	char sha256[KP_SHA256_HEX_LEN + 1];
};

int kp_rows_is_workbook(const char *path)
{
	return kp_xlsx_sniff(path);
}

/* "the workbook has no sheet 'X': its sheets are A, B" */
static void no_sheet(kp_xlsx *x, const char *which, const char *file, kp_diag *err)
{
	char list[300] = "";
	size_t o = 0;
	for (size_t i = 0; i < kp_xlsx_nsheets(x) && o < sizeof list; i++) {
		int n = snprintf(list + o, sizeof list - o, "%s'%s'", i ? ", " : "",
				 kp_xlsx_sheet_name(x, i));
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (which)
		kp_diag_set(err, KP_SEV_ERROR, "usage",
			    "the workbook has no sheet '%s': give --sheet one of %s (or its number, "
			    "from 1)",
			    which, list);
	else
		kp_diag_set(err, KP_SEV_ERROR, "usage",
			    "the workbook has no visible worksheet (its sheets: %s): give --sheet", list);
	kp_diag_at(err, file, 0, 0, -1);
}

kp_rows *kp_rows_open(const char *path, const kp_rows_opts *opts, kp_diag *err)
{
	kp_rows *r = calloc(1, sizeof *r);
	if (!r) {
		kp_diag_set(err, KP_SEV_ERROR, "source-error", "out of memory");
		return NULL;
	}
	if (!kp_xlsx_sniff(path)) {
		r->csv = kp_csvread_open(path, &opts->csv, err);
		if (!r->csv) {
			free(r);
			return NULL;
		}
		return r;
	}
	const char *file = opts->csv.file ? opts->csv.file : path;
	kp_xlsx_opts xo = {.file = file, .root = opts->csv.root, .limits = opts->limits,
			   .values_only = opts->values_only};
	r->book = kp_xlsx_open(path, &xo, err);
	if (!r->book)
		goto fail;
	long idx = -1;
	if (opts->sheet) {
		idx = kp_xlsx_find_sheet(r->book, opts->sheet);
	} else {
		for (size_t i = 0; i < kp_xlsx_nsheets(r->book) && idx < 0; i++)
			if (kp_xlsx_sheet_state(r->book, i) == KP_XLSX_VISIBLE &&
			    kp_xlsx_sheet_is_table(r->book, i))
				idx = (long)i;
	}
	if (idx < 0 || !kp_xlsx_sheet_is_table(r->book, (size_t)idx)) {
		no_sheet(r->book, opts->sheet, file, err);
		goto fail;
	}
	if (opts->book_findings)
		kp_xlsx_report(r->book, opts->sheet ? idx : -1, &opts->csv.sink);
	if (opts->csv.sha256 &&
	    kp_files_sha256_file(path, opts->csv.root, r->sha256, &r->bytes, err) != 0) {
		kp_diag_at(err, file, 0, 0, -1);
		goto fail;
	}
	r->sheet = kp_xlsx_sheet_open(r->book, (size_t)idx, &opts->csv.sink, err);
	if (!r->sheet)
		goto fail;
	r->sheet_name = kp_xlsx_sheet_name(r->book, (size_t)idx);
	return r;
fail:
	kp_xlsx_free(r->book);
	free(r);
	return NULL;
}

int kp_rows_next(kp_rows *r, kp_csvrecord *rec)
{
	return r->csv ? kp_csvread_next(r->csv, rec) : kp_xlsx_sheet_next(r->sheet, rec);
}

const char *kp_rows_sheet(const kp_rows *r)
{
	return r->sheet_name;
}

const char *kp_rows_encoding(const kp_rows *r)
{
	return r->csv ? kp_csvread_encoding(r->csv) : "UTF-8";
}

int kp_rows_encoding_guessed(const kp_rows *r)
{
	return r->csv ? kp_csvread_encoding_guessed(r->csv) : 0;
}

long long kp_rows_bytes(const kp_rows *r)
{
	return r->csv ? kp_csvread_stats_get(r->csv)->bytes : r->bytes;
}

const char *kp_rows_sha256(const kp_rows *r)
{
	return r->csv ? kp_csvread_stats_get(r->csv)->sha256 : r->sha256;
}

int kp_rows_merge_slave(const kp_rows *r, long row, long col)
{
	return r->sheet ? kp_xlsx_sheet_merge_slave(r->sheet, row, col) : 0;
}

int kp_rows_failed(const kp_rows *r)
{
	return r->csv ? kp_csvread_failed(r->csv) : kp_xlsx_sheet_failed(r->sheet);
}

void kp_rows_free(kp_rows *r)
{
	if (!r)
		return;
	kp_csvread_free(r->csv);
	kp_xlsx_sheet_close(r->sheet);
	kp_xlsx_free(r->book);
	free(r);
}

int kp_rows_sheets(const char *path, const char *root, const char *display, char ***names,
		   size_t *n, kp_diag *err)
{
	*names = NULL;
	*n = 0;
	kp_xlsx_opts xo = {.file = display ? display : path, .root = root, .names_only = 1};
	kp_xlsx *x = kp_xlsx_open(path, &xo, err);
	if (!x)
		return -1;
	size_t total = kp_xlsx_nsheets(x), k = 0;
	char **out = calloc(total ? total : 1, sizeof *out);
	if (!out) {
		kp_xlsx_free(x);
		kp_diag_set(err, KP_SEV_ERROR, "source-error", "out of memory");
		return -1;
	}
	for (size_t i = 0; i < total; i++) {
		if (kp_xlsx_sheet_state(x, i) != KP_XLSX_VISIBLE || !kp_xlsx_sheet_is_table(x, i))
			continue;
		if (!(out[k] = strdup(kp_xlsx_sheet_name(x, i)))) {
			kp_rows_sheets_free(out, k);
			kp_xlsx_free(x);
			kp_diag_set(err, KP_SEV_ERROR, "source-error", "out of memory");
			return -1;
		}
		k++;
	}
	if (k == 0)
		no_sheet(x, NULL, xo.file, err);
	kp_xlsx_free(x);
	if (k == 0) {
		free(out);
		return -1;
	}
	*names = out;
	*n = k;
	return 0;
}

void kp_rows_sheets_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
