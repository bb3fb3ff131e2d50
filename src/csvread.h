/* csvread — a streaming CSV reader over libcsv that knows where it is.
 *
 * The input is read in chunks (never whole) and handed to libcsv one physical line at a
 * time, so each record comes with its record number, the physical line it starts on and
 * its byte offsets.  Dialect facts are reported to the sink, never silently fixed:
 *   bom (info), line-endings (mixed CR/LF/CRLF), unclosed-quote, stray-quote,
 *   line-break-in-cell (L1-14), encoding-error (invalid UTF-8, with a CP932 hint, or a
 *   byte sequence invalid in --encoding), source-error (empty, binary, unreadable,
 *   a cell or a record over the limits).
 * Limits on a cell's bytes and a record's fields keep memory bounded; hitting one is a
 * source-error finding and the record is cut, not a crash.
 *
 * Empty lines are records with no cells (ncells == 0): a blank row is the caller's call.
 */
#ifndef KP_CSVREAD_H
#define KP_CSVREAD_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "files.h"

#define KP_CSVREAD_MAX_CELL_DEFAULT (4u << 20)  /* bytes in one cell */
#define KP_CSVREAD_MAX_FIELDS_DEFAULT 100000u   /* cells in one record */
#define KP_CSVREAD_CHUNK_DEFAULT (256u << 10)   /* bytes read at a time */

typedef struct kp_csvread_opts {
	const char *file;      /* name used in diagnostics (borrowed); "-" reads stdin */
	const char *encoding;  /* NULL or "UTF-8": checked as UTF-8; else converted by iconv */
	size_t max_cell_bytes; /* 0 = default */
	size_t max_fields;     /* 0 = default */
	size_t chunk_bytes;    /* 0 = default */
	int sha256;            /* compute the SHA-256 of the raw bytes */
	const char *root;      /* non-NULL: the file must be a regular file inside this folder
				* once symbolic links are resolved (kp_files_open_in) */
	int guess_encoding;    /* with encoding NULL and a file (not stdin): read it in the
				* encoding its first 64 KiB show (kp_text_guess_encoding) */
	kp_diag_sink sink;     /* receives the dialect facts; its non-zero answer stops reading */
} kp_csvread_opts;

typedef struct kp_csvcell {
	const char *data; /* NUL-terminated, unquoted and unescaped; valid until the next read */
	size_t len;
} kp_csvcell;

/* Record flags. */
enum {
	KP_CSVREC_QUOTE_PROBLEM = 1u << 0, /* a stray or unclosed quote: the cells are a guess */
	KP_CSVREC_CUT = 1u << 1,           /* a cell or field limit cut the record */
	KP_CSVREC_LINE_BREAK = 1u << 2,    /* a quoted cell holds a line break */
	KP_CSVREC_BAD_TEXT = 1u << 3,      /* the record's bytes hold an encoding error */
	/* The record is one line of valid UTF-8 in which no character has a class of the
	 * Japanese rules (kp_text_utf8_classes) and no two blanks (space, tab) follow each
	 * other: a cell of it is plain text (kp_text_plain) when it does not start or end
	 * with a blank.  Unset, nothing is claimed. */
	KP_CSVREC_PLAIN = 1u << 4
};

typedef struct kp_csvrecord {
	long number;          /* 1-based record number (the header is record 1) */
	long line;            /* physical line (1-based) where the record starts */
	long long offset;     /* byte offset of its first byte (after a BOM for record 1) */
	long long end;        /* byte offset just past its line terminator */
	size_t ncells;        /* 0 for an empty line */
	const kp_csvcell *cells;
	unsigned flags;
} kp_csvrecord;

typedef struct kp_csvread_stats {
	long long bytes; /* raw bytes read */
	long records;
	long lines;      /* physical lines (a last line without terminator counts) */
	long lf, crlf, cr; /* line terminators seen outside quoted cells */
	int bom;
	char sha256[KP_SHA256_HEX_LEN + 1]; /* set at end of input when opts.sha256 */
} kp_csvread_stats;

typedef struct kp_csvread kp_csvread;

/* Opens path ("-" = standard input).  Returns NULL with err filled (code "source-error",
 * or "usage" for an unknown encoding) when it cannot. */
kp_csvread *kp_csvread_open(const char *path, const kp_csvread_opts *opts, kp_diag *err);

/* Reads from an open stream (not closed by the reader). */
kp_csvread *kp_csvread_open_stream(FILE *fp, const kp_csvread_opts *opts, kp_diag *err);

/* Gives the next record in *rec (valid until the next call).  Returns 1 for a record,
 * 0 at end of input (or when the sink asked to stop), -1 on a read error (reported to
 * the sink as source-error, and kept in kp_csvread_failed). */
int kp_csvread_next(kp_csvread *r, kp_csvrecord *rec);

/* The encoding the file is read in ("UTF-8" unless converted), and whether it was
 * guessed (opts.guess_encoding) rather than given. */
const char *kp_csvread_encoding(const kp_csvread *r);
int kp_csvread_encoding_guessed(const kp_csvread *r);

/* Statistics so far; complete once kp_csvread_next has returned 0. */
const kp_csvread_stats *kp_csvread_stats_get(const kp_csvread *r);

/* 1 once a read error or a limit stopped the reader, 2 when the sink asked to stop. */
int kp_csvread_failed(const kp_csvread *r);

/* Closes the file (unless given as a stream) and frees everything. */
void kp_csvread_free(kp_csvread *r);

#endif
