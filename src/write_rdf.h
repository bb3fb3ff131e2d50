/* write_rdf — the RDF/XML writer's node-level interface, for metadata that is not a
 * table row (catalog.c writes the DCAT description through it).
 *
 * The writer is the one kp_write_rdf_ops opened; call these between tables (never
 * between start and finish).  Names (types, properties, datatypes) are IRIs or
 * prefixed names with a declared prefix ("dct:title"); every namespace they use must
 * be declared on the root, which the built-in prefixes are.  IRIs may be prefixed names too.
 * Text is checked for characters XML 1.0 cannot carry (error "xml-char").
 */
#ifndef KP_WRITE_RDF_H
#define KP_WRITE_RDF_H

#include "writer.h"

/* Opens a node element: typed (type = class name) or rdf:Description (type NULL),
 * about = IRI or NULL for a blank node.  Nodes nest only inside a property element. */
int kp_write_rdf_node_start(kp_writer *w, const char *type, const char *about, kp_diag *err);
int kp_write_rdf_node_end(kp_writer *w, kp_diag *err);

/* A literal property: datatype (IRI or prefixed) or lang or neither. */
int kp_write_rdf_literal(kp_writer *w, const char *prop, const char *text, const char *datatype,
			 const char *lang, kp_diag *err);

/* A property whose value is the resource iri. */
int kp_write_rdf_ref(kp_writer *w, const char *prop, const char *iri, kp_diag *err);

/* A property whose value is the node that follows (node_start … node_end). */
int kp_write_rdf_prop_start(kp_writer *w, const char *prop, kp_diag *err);
int kp_write_rdf_prop_end(kp_writer *w, kp_diag *err);

/* Sends the writer's further output to fp (borrowed; NULL: back to the file given to
 * open), after flushing what it holds to the current stream.  Call between tables only.
 * Every table written this way is a self-contained part of the file (the root's start
 * tag is closed at open), so a caller may write a table to a spool and copy it into the
 * file later, keeping the tables in the order it wants.  The writer must be back on its
 * own file before close.  Returns 0, or -1 with err filled. */
int kp_write_rdf_divert(kp_writer *w, FILE *fp, kp_diag *err);

/* The full IRI of a prefixed name ("dct:title"), or a copy of name when its prefix is
 * not declared.  Caller frees; NULL on allocation failure. */
char *kp_write_rdf_expand(const kp_writer *w, const char *name);

/* The full IRI of a prefixed name using the built-in prefixes and those in opts (no
 * writer needed: the CSVW metadata uses it).  Caller frees; NULL when out of memory. */
char *kp_write_rdf_expand_name(const kp_wopts *opts, const char *name);

/* Checks text for characters XML 1.0 cannot carry (C0 controls other than tab, LF and
 * CR; U+FFFE, U+FFFF; malformed UTF-8).  Returns the byte offset of the first one, or
 * -1 when all can be carried. */
long kp_write_rdf_bad_char(const char *s, size_t len);

#endif
