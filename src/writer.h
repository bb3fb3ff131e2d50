/* writer — the output formats of kplan-export, one file per format, each a table of
 * functions: open (the file) → start (a table) → row … → finish (the table) → close.
 *
 * Writers see a table through kp_wtable: plain column descriptions (built by export.c
 * from the loaded Table Schema) and, per row, one kp_wcell per column holding the
 * cell's canonical text (numbers without separators, booleans "true"/"false", dates
 * ISO 8601) or null.  A list field keeps its items joined by the column's separator;
 * each writer splits it the way its format needs (JSON array, one triple per item).
 *
 * CSV and JSON files hold one table each; the RDF/XML file holds every table of the
 * package and, through write_rdf.h, the DCAT metadata.  Every function returns 0, or
 * -1 with err filled (code "io-error" for a failed write, "xml-char" for text XML 1.0
 * cannot carry, naming the cell).  The writer never closes the FILE it was given.
 */
#ifndef KP_WRITER_H
#define KP_WRITER_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

/* What a value is, for typing it in JSON and RDF.  CSV writes the text as it is. */
typedef enum kp_wkind {
	KP_WK_STRING = 0,
	KP_WK_INTEGER,
	KP_WK_NUMBER,
	KP_WK_BOOLEAN,
	KP_WK_DATE,
	KP_WK_TIME,
	KP_WK_DATETIME,
	KP_WK_YEAR,
	KP_WK_YEARMONTH,
	KP_WK_DURATION,
	KP_WK_OTHER /* any other Table Schema type: a string in JSON, a plain literal in RDF */
} kp_wkind;

/* One column.  All strings are borrowed (normally from the loaded schema) and must
 * outlive the writer; NULL means "not given". */
typedef struct kp_wcol {
	const char *name;	  /* field name: JSON key, CSV header with --header names */
	const char *title;	  /* CSV header with --header titles (name when NULL) */
	kp_wkind kind;		  /* of the value, or of each item of a list */
	const char *separator;	  /* list field: items are joined by this; NULL: scalar */
	int is_virtual;		  /* CSVW virtual column: no cell, only value_url */
	const char *about_url;	  /* URI template of the subject; NULL: the table's */
	const char *property_url; /* IRI or prefixed name of the property; NULL: no triple */
	const char *value_url;	  /* URI template: the cell names a resource, not a literal */
	const char *lang;	  /* language tag of string literals */
	/* rdfType: space-separated classes of the resource value_url names, which is then
	 * written as a node typed so and, for a string column, labelled (rdfs:label) with
	 * the cell text; without value_url, classes of the column's own subject. */
	const char *value_type;
} kp_wcol;

typedef struct kp_wtable {
	const char *name;      /* resource name */
	const char *file;      /* source path, for diagnostics */
	const char *about_url; /* URI template of each row's subject; NULL: blank nodes */
	const char *row_type;  /* space-separated classes of each row's subject, or NULL */
	size_t ncols;	       /* real columns first, then virtual ones */
	const kp_wcol *cols;
} kp_wtable;

typedef struct kp_wcell {
	const char *s; /* canonical text, not necessarily NUL-terminated; ignored when null */
	size_t len;
	int null; /* missing value */
	/* The text is known to be a plain decimal ("[-]digits[.digits]", what kp_cast_fast
	 * claims for integers and numbers): writers may copy it without checking.  0 when
	 * not known. */
	int bare;
} kp_wcell;

/* A prefix for RDF names ("dct" → "http://purl.org/dc/terms/"). */
typedef struct kp_wprefix {
	const char *prefix;
	const char *iri;
} kp_wprefix;

typedef struct kp_wopts {
	int bom;	   /* CSV: start with a UTF-8 byte order mark */
	const char *eol;   /* CSV: "\r\n" or "\n" */
	int header_titles; /* CSV: header row from titles (else names) */
	/* RDF: every table that will be written (their namespaces are declared on the root)
	 * and prefixes beyond the built-in ones (rdf rdfs xsd dcat dct foaf vcard spdx
	 * skos org ic qb sdmx-dimension sdmx-attribute cd-dimension owl schema). */
	const kp_wtable *const *tables;
	size_t ntables;
	const kp_wprefix *prefixes;
	size_t nprefixes;
} kp_wopts;

typedef struct kp_writer kp_writer; /* a format's private state; first member is its ops */

typedef struct kp_writer_ops {
	const char *format;    /* "csv", "json", "rdf" */
	const char *extension; /* of the file it writes: "csv", "json", "rdf" */
	const char *mediatype; /* IANA media type */
	/* Begins a file on fp (borrowed).  NULL with err filled on failure. */
	kp_writer *(*open)(FILE *fp, const kp_wopts *opts, kp_diag *err);
	/* Begins table t (borrowed until finish). */
	int (*start)(kp_writer *w, const kp_wtable *t, kp_diag *err);
	/* Writes one row: t->ncols cells (virtual columns' cells are ignored); row is the
	 * 1-based record number in the source, for diagnostics. */
	int (*row)(kp_writer *w, const kp_wcell *cells, long row, kp_diag *err);
	/* Ends the current table. */
	int (*finish)(kp_writer *w, kp_diag *err);
	/* Ends the file and frees w (always, even on failure; NULL is fine). */
	int (*close)(kp_writer *w, kp_diag *err);
} kp_writer_ops;

struct kp_writer {
	const kp_writer_ops *ops;
};

extern const kp_writer_ops kp_write_csv_ops;
extern const kp_writer_ops kp_write_json_ops;
extern const kp_writer_ops kp_write_rdf_ops;

/* A writer's output buffer: rows are assembled in memory and handed to the stream in
 * large blocks, one fwrite per block instead of several stdio calls per cell. */
typedef struct kp_wbuf {
	char *p; /* owned */
	size_t len, cap;
	FILE *fp;   /* borrowed */
	int failed; /* a write to fp failed */
} kp_wbuf;

/* Allocates the buffer (cap bytes).  Returns 0 or -1 (out of memory). */
int kp_wbuf_init(kp_wbuf *b, FILE *fp, size_t cap);
/* Writes what is buffered to fp.  Returns 0, or -1 when a write has failed. */
int kp_wbuf_flush(kp_wbuf *b);
/* Flushes when the buffer cannot take n more bytes, and grows it when n exceeds its
 * size.  Returns where the n bytes go, or NULL (write failed or out of memory). */
char *kp_wbuf_make_room(kp_wbuf *b, size_t n);
/* Frees the buffer without writing it. */
void kp_wbuf_release(kp_wbuf *b);

/* Room for n bytes at the end of the buffer (the caller then adds to b->len). */
static inline char *kp_wbuf_room(kp_wbuf *b, size_t n)
{
	return b->cap - b->len >= n ? b->p + b->len : kp_wbuf_make_room(b, n);
}

/* Appends s[0..n).  Returns 0 or -1. */
static inline int kp_wbuf_put(kp_wbuf *b, const char *s, size_t n)
{
	char *d = kp_wbuf_room(b, n);
	if (!d)
		return -1;
	memcpy(d, s, n);
	b->len += n;
	return 0;
}

/* The writer of a format name, or NULL. */
const kp_writer_ops *kp_writer_find(const char *format);

/* XSD datatype IRI of a kind (NULL for strings and KP_WK_OTHER).  For numbers the
 * text decides: xsd:decimal, or xsd:double when it has an exponent or is NaN/INF. */
const char *kp_writer_xsd(kp_wkind kind, const char *s, size_t len);

/* Table Schema type name → kind (unknown names give KP_WK_OTHER). */
kp_wkind kp_writer_kind(const char *type);

/* Splits a list cell: on each call stores the next item in *item and *ilen and returns 1;
 * returns 0 when none is left.  *pos starts at 0.  An empty cell has no items. */
int kp_writer_next_item(const kp_wcell *c, const char *sep, size_t *pos, const char **item,
			size_t *ilen);

#endif
