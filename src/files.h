/* files — atomic output files, SHA-256 (OpenSSL EVP) and checked reads.
 *
 * An atomic file is written to a temporary file in the target's directory and
 * renamed over the target only by kp_files_atomic_commit, after fflush, a stream
 * error check, fsync and fclose.  Until then the previous target is untouched; on
 * any failure, or on kp_files_atomic_abort, the temporary file is removed.
 */
#ifndef KP_FILES_H
#define KP_FILES_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

typedef struct kp_atomic {
	const char *path; /* borrowed target path: must outlive the kp_atomic and any error
	                     diagnostic filled from it */
	char *tmp;  /* owned path of the temporary file, NULL once renamed or removed */
	FILE *fp;   /* write here between open and commit/abort */
} kp_atomic;

/* Creates the temporary file (mode 0644 minus umask).  On failure returns -1 and fills
 * err (code "io-error"); *a is then left empty and needs no abort. */
int kp_files_atomic_open(kp_atomic *a, const char *path, kp_diag *err);

/* Flushes, checks, fsyncs, closes and renames over the target, then fsyncs the
 * directory.  Returns 0; or -1 with err filled, the temporary file removed and the
 * previous target untouched.  *a is released either way. */
int kp_files_atomic_commit(kp_atomic *a, kp_diag *err);

/* Closes and removes the temporary file; safe on a released or empty kp_atomic. */
void kp_files_atomic_abort(kp_atomic *a);

/* Streaming SHA-256 over OpenSSL EVP. */
typedef struct kp_sha256 {
	void *md; /* owned EVP_MD_CTX */
} kp_sha256;

#define KP_SHA256_HEX_LEN 64

int kp_files_sha256_init(kp_sha256 *h);
int kp_files_sha256_update(kp_sha256 *h, const void *data, size_t len);
/* Writes 64 lower-case hex digits and a NUL to hex, and releases h.  Returns 0 or -1. */
int kp_files_sha256_final(kp_sha256 *h, char hex[KP_SHA256_HEX_LEN + 1]);
/* Releases h without a digest (safe after final). */
void kp_files_sha256_release(kp_sha256 *h);

/* SHA-256 and size of a whole file, streamed; with root non-NULL only a regular file
 * inside root (kp_files_open_in).  Returns 0, or -1 with err filled. */
int kp_files_sha256_file(const char *path, const char *root, char hex[KP_SHA256_HEX_LEN + 1],
	long long *bytes, kp_diag *err);

/* Opens path for reading only if it is a regular file lying inside the folder root once
 * every symbolic link is resolved: a FIFO, device or folder, or a link leading out of
 * root, is refused with err filled (code "io-error") and NULL returned.  Opening never
 * blocks (a FIFO is not waited on). */
FILE *kp_files_open_in(const char *path, const char *root, kp_diag *err);

/* Reads a whole file (or standard input for "-") into a NUL-terminated buffer the
 * caller frees.  Refuses files larger than max bytes.  Returns 0, or -1 with err. */
int kp_files_read_all(const char *path, size_t max, char **data, size_t *len, kp_diag *err);

#endif
