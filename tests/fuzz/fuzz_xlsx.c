/* libFuzzer target: the workbook reader on arbitrary parts.
 * Fuzzing zip bytes would spend the run in inflate's checks, so the input is the text of
 * the parts, separated by "\n@@\n": the sheet, the shared strings, the styles, the
 * workbook, the sheet's rels and a drawing (missing ones get a minimal default).  They are
 * stored (not deflated) in a zip made with libzip, and the workbook is read through
 * kp_rows as the validator reads it, every record and finding taken.  An input that starts
 * with "PK" is also tried as a whole package. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "../../src/rows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ctx, const kp_diag *d)
{
	(void)d;
	(*(long *)ctx)++;
	return 0;
}

static void read_all(const char *path)
{
	long n = 0;
	kp_rows_opts o = {.csv = {.file = path, .sink = {count, &n}}, .book_findings = 1};
	kp_xlsx_limits lim = {.part_bytes = 1 << 20, .total_bytes = 4 << 20, .string_bytes = 1 << 20,
			      .cell_bytes = 1 << 16};
	o.limits = &lim;
	kp_diag err;
	kp_rows *r = kp_rows_open(path, &o, &err);
	if (!r)
		return;
	kp_csvrecord rec;
	long rows = 0;
	while (kp_rows_next(r, &rec) == 1 && rows++ < 2000000)
		for (size_t i = 0; i < rec.ncells; i++)
			if (strlen(rec.cells[i].data) != rec.cells[i].len)
				abort(); /* a cell's length is its text's */
	kp_rows_free(r);
}

static const char *const names[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
				    "xl/styles.xml", "xl/workbook.xml",
				    "xl/worksheets/_rels/sheet1.xml.rels", "xl/drawings/drawing1.xml"};
static const char *const defaults[] = {
    "<worksheet><sheetData/></worksheet>", "<sst/>", "<styleSheet/>",
    "<workbook><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"/>"
    "</sheets></workbook>",
    "<Relationships><Relationship Id=\"rId1\" Type=\"x/drawing\" "
    "Target=\"../drawings/drawing1.xml\"/></Relationships>",
    "<wsDr/>"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz-xlsx-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	close(fd);
	if (size > 2 && data[0] == 'P' && data[1] == 'K') {
		FILE *fp = fopen(path, "wb");
		if (fp) {
			fwrite(data, 1, size, fp);
			fclose(fp);
			read_all(path);
		}
	}
	int zerr;
	zip_t *z = zip_open(path, ZIP_TRUNCATE | ZIP_CREATE, &zerr);
	if (!z) {
		unlink(path);
		return 0;
	}
	const char *p = (const char *)data, *end = p + size;
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		const char *part = defaults[k];
		size_t len = strlen(part);
		if (p && p <= end) {
			const char *sep = NULL;
			for (const char *q = p; q + 4 <= end; q++)
				if (memcmp(q, "\n@@\n", 4) == 0) {
					sep = q;
					break;
				}
			part = p;
			len = (size_t)((sep ? sep : end) - p);
			p = sep ? sep + 4 : NULL;
		}
		zip_source_t *src = zip_source_buffer(z, part, len, 0);
		zip_int64_t idx = src ? zip_file_add(z, names[k], src, ZIP_FL_OVERWRITE) : -1;
		if (idx < 0)
			zip_source_free(src);
		else
			zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
	}
	static const char wb_rels[] =
	    "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" "
	    "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"x/sharedStrings\" "
	    "Target=\"sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"x/styles\" "
	    "Target=\"styles.xml\"/></Relationships>";
	zip_source_t *rels = zip_source_buffer(z, wb_rels, sizeof wb_rels - 1, 0);
	if (rels && zip_file_add(z, "xl/_rels/workbook.xml.rels", rels, 0) < 0)
		zip_source_free(rels);
	if (zip_close(z) != 0)
		zip_discard(z);
	else
		read_all(path);
	unlink(path);
	return 0;
}
