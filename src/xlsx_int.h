/* xlsx_int — what the parts of the workbook reader share (xlsx.c: the package, its
 * parts, relationships, strings and styles; xlsx_sheet.c: the sheets).  Not public. */
#ifndef KP_XLSX_INT_H
#define KP_XLSX_INT_H

#include <stdint.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "xlsx.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define FIRST_MAX 3 /* cells named in a finding about many */

/* A growable byte buffer. */
typedef struct xl_buf {
	char *p; /* owned */
	size_t len, cap;
} xl_buf;

typedef struct xf {
	unsigned char date; /* 0 a number, 1 date, 2 time, 3 date and time */
	unsigned char bold, italic;
	uint64_t font; /* the font colour's key; 0 = the default */
	uint64_t fill; /* the fill colour's key; 0 = none */
} xf;

typedef struct sheet_entry {
	char *name; /* owned, UTF-8 */
	char *part; /* owned: the part's path in the package, NULL when unresolved */
	kp_xlsx_state state;
	int table; /* a worksheet (not a chart or dialog sheet) */
} sheet_entry;

struct kp_xlsx {
	zip_t *za;
	const char *file; /* borrowed */
	kp_xlsx_limits lim;
	unsigned long long inflated; /* bytes of all parts read so far */
	int date1904;
	int macros; /* a vbaProject.bin in the package */
	sheet_entry *sheets; /* owned, nsheets */
	size_t nsheets;
	char *strings;       /* owned: the shared strings, each NUL-terminated */
	size_t *string_at;   /* owned: nstrings offsets into strings */
	size_t nstrings;
	xf *xfs; /* owned: cellXfs, nxfs */
	size_t nxfs;
	char *odd_entry; /* owned: the first entry named outside the package (../x, /x) */
	int names_only, values_only; /* kp_xlsx_opts' */
};

typedef struct xl_part {
	kp_xlsx *x;
	zip_file_t *zf;
	const char *name;            /* borrowed */
	unsigned long long read;     /* inflated bytes so far */
	unsigned long long limit;    /* of this part */
	int over;                    /* 1 a limit, 2 a zip error (CRC, truncated) */
	char why[160];               /* what went wrong, for the finding */
	char xml_error[160];         /* libxml2's first error, if any */
	xmlTextReaderPtr xr;
} xl_part;

typedef struct xl_rel {
	char *id;     /* owned */
	char *type;   /* owned: the last segment of the Type URI ("worksheet") */
	char *target; /* owned: the resolved part name, NULL when outside the package */
} xl_rel;

typedef struct xl_rels {
	xl_rel *items; /* owned */
	size_t len;
} xl_rels;

/* snprintf for messages: a message cut at the buffer's end is fine */
void xl_say(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* the same without translation: names, references, cut cells */
void xl_fmt(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* err's code, message, file and (for file-format) rule L1-01 */
void xl_set_error(kp_diag *err, const char *code, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "B7" → column 2, row 7 (row 0 for "B").  Returns 0, or -1 when it is not a reference
 * inside XFD1048576. */
int xl_parse_ref(const char *s, long *col, long *row);
/* "B" for column 2 */
void xl_column_name(long column, char *buf, size_t size);
/* Appends n bytes and keeps a NUL after them.  Returns 0, or -1 out of memory. */
int xl_buf_add(xl_buf *b, const char *s, size_t n);

/* Makes room for need elements of size bytes in the array *array points to (a T **;
 * *cap elements allocated, doubled from 16).  0, or -1 out of memory (*array kept). */
int xl_grow(void *array, size_t *cap, size_t need, size_t size);

/* A part: 1 opened, 0 no such entry, -1 with p->why (a limit, a zip error). */
int xl_part_open(kp_xlsx *x, const char *name, xl_part *p);
/* The same without the xmlReader: the entry alone, read with xl_part_read. */
int xl_part_open_raw(kp_xlsx *x, const char *name, xl_part *p);
void xl_part_close(xl_part *p);
/* The next node of an xmlReader part: 1, 0 at the end, -1 (why set; a DOCTYPE too). */
int xl_part_next(xl_part *p);
/* Reads inflated bytes through the limits (xmlInputReadCallback): n, or -1. */
int xl_part_read(void *ctx, char *out, int len);
const char *xl_local(xl_part *p);
int xl_is_start(xl_part *p);
int xl_is_end(xl_part *p);
int xl_is_text(xl_part *p);
const char *xl_attr(xl_part *p, const char *name);
int xl_attr_true(xl_part *p, const char *name);

/* The relationships of the part `source` ("" the package's).  0 (none is fine), -1. */
int xl_rels_read(kp_xlsx *x, const char *source, xl_rels *out, char *why, size_t whysize);
const xl_rel *xl_rels_by_id(const xl_rels *r, const char *id);
const xl_rel *xl_rels_by_type(const xl_rels *r, const char *type);
void xl_rels_free(xl_rels *r);

/* The shared string i, or NULL. */
const char *xl_string_at(const kp_xlsx *x, size_t i);

#endif
