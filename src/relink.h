/* relink — rewrites the links of a published RDF/XML file to the portal's real URLs.
 *
 * An export is deterministic: its DCAT record names each file at dcat.download_base +
 * file.  A portal decides the real address only when it stores the file (CKAN serves
 * uploads at /dataset/{id}/resource/{rid}/download/{file}).  The upload therefore
 * learns each resource's URL and publishes a copy of the RDF whose links are those
 * URLs: every rdf:about and rdf:resource attribute whose whole value equals a pair's
 * `from` is written as its `to`, and a distribution's dates as the portal has them
 * (kp_relink_add_dates); nothing else of the file changes (row IRIs, text, layout).  The copy is
 * streamed, so a large RDF file costs no more memory than a small one.
 */
#ifndef KP_RELINK_H
#define KP_RELINK_H
#include <stddef.h>
#include "diag.h"

typedef struct kp_relink_pair {
	char *from; /* owned, XML-escaped as the writer escapes attribute values */
	char *to;   /* owned, XML-escaped */
} kp_relink_pair;

/* The dates of one distribution: the text of its dct:issued and dct:modified. */
typedef struct kp_relink_dates {
	char *about;		 /* owned: the distribution's IRI in the file as exported */
	char *issued, *modified; /* owned, XML-escaped; NULL leaves that one as it is */
} kp_relink_dates;

typedef struct kp_relink {
	kp_relink_pair *v; /* owned array */
	size_t n, cap;
	kp_relink_dates *d; /* owned array */
	size_t nd, dcap;
} kp_relink;

void kp_relink_init(kp_relink *m);
void kp_relink_release(kp_relink *m);

/* Adds a pair (copied); a `from` already present keeps its first `to`.  Returns 0 or
 * -1 without memory. */
int kp_relink_add(kp_relink *m, const char *from, const char *to);

/* Sets the dates of the dcat:Distribution (or dcat:Dataset) whose rdf:about (as
 * exported) is about:
 * the text of its dct:issued and dct:modified elements.  Returns 0 or -1. */
int kp_relink_add_dates(kp_relink *m, const char *about, const char *issued, const char *modified);

/* Copies the file at src to a new file in $TMPDIR (or /tmp) with the pairs applied.
 * Returns 0 with *out_path (owned; the caller unlinks and frees it) and *replaced (how
 * many attribute values changed), or -1 with err filled and nothing left behind. */
int kp_relink_file(const kp_relink *m, const char *src, char **out_path, size_t *replaced,
		   kp_diag *err);

#endif
