/* schema — Frictionless Table Schema and Data Package descriptors as plain structs.
 *
 * Loading checks the whole descriptor and reports EVERY problem found to the sink as a
 * diagnostic with code "schema-error" (severity error, or warning for things that are
 * ignored, e.g. an unknown type option), `file` set to the descriptor's path and a
 * message that starts with the JSON path of the offending value:
 *     fields[3].constraints.minimum: expected a number, got "abc"
 * A package adds the resource: resources[1].schema.fields[0].type: ...
 *
 * Ownership and lifetimes
 *   - Every char * in these structs is owned by the struct that holds it (freed by
 *     kp_schema_free / kp_schema_package_free) unless the comment says "borrowed".
 *   - json_t pointers marked "borrowed" point into the descriptor object that the
 *     schema/package holds a reference to (kp_schema.json, kp_package.json): valid
 *     while the schema/package lives.  Use them to read keys this header does not
 *     model (e.g. a field's "unit" or "example").
 *   - Diagnostics emitted while loading may point (d.file) at paths owned by the
 *     object being loaded.  The loaders therefore hand back the object EVEN WHEN THEY
 *     FAIL (unless memory ran out, *out is non-NULL): render the diagnostics first,
 *     then free it.  A failed object is partially filled; do not use it for checks.
 *
 * Limits (a bad schema is an error, never a crash, hang or unbounded memory)
 *   - descriptor files up to KP_SCHEMA_MAX_FILE bytes; jansson rejects nesting beyond
 *     its own depth limit (2048) with a parse error;
 *   - fields: any number (name and title lookups are hashed);
 *   - pattern: up to KP_SCHEMA_MAX_PATTERN bytes (pattern.h: the common regular-expression syntax, XML Schema where it differs)
 *     (the full XSD 1.0 regex language as implemented by libxml2's xmlregexp: character
 *     classes, \d \w \s \i \c and negations, \p{..} Unicode categories and blocks,
 *     class subtraction, {n,m}); always matched against the whole value.  A pattern
 *     that libxml2 cannot compile is a schema error quoting libxml2's reason.  Compile
 *     time grows with the number of alternatives (a 50,000-byte alternation of ~7,000
 *     words compiles in about half a second), once per load;
 *   - foreign keys and rules refer to fields and resources by name; they are resolved
 *     to indices once, so reference cycles (a resource referring to itself, two
 *     resources referring to each other) are harmless.
 */
#ifndef KP_SCHEMA_H
#define KP_SCHEMA_H

#include <stddef.h>

#include <jansson.h>

#include "cast.h"
#include "diag.h"
#include "hash.h"

#define KP_SCHEMA_MAX_FILE ((size_t)64 << 20) /* 64 MiB */
#define KP_SCHEMA_MAX_VALUES 3000000 /* JSON values in one descriptor file: bounds memory */
#define KP_SCHEMA_MAX_PATTERN 20000           /* bytes */
#define KP_SCHEMA_MAX_CHAR 8                  /* bytes of decimalChar/groupChar + NUL */

/* A list of owned strings. */
typedef struct kp_strlist {
	char **items; /* owned array of owned strings */
	size_t *lens; /* owned array: byte length of each item (items may hold no NUL) */
	size_t len;
} kp_strlist;

/* A field's constraints.  `has` is a bit set of (1u << kp_constraint). */
typedef struct kp_constraints {
	unsigned has;
	int required; /* also 1 for primaryKey fields */
	int unique;
	/* minimum, maximum, exclusiveMinimum, exclusiveMaximum cast to the field's type;
	 * their `text` points into the *_text strings below. */
	kp_value minimum, maximum, exclusive_minimum, exclusive_maximum;
	char *minimum_text, *maximum_text, *exclusive_minimum_text, *exclusive_maximum_text;
	long long min_length, max_length;
	char *pattern;         /* owned source text of the pattern */
	struct kp_pattern *pattern_re; /* owned compiled pattern (pattern.h) */
	kp_value *enum_values; /* owned array of enum_len values cast to the field type */
	kp_strlist enum_text;  /* owned texts the enum_values point into */
	size_t enum_len;
	/* enum lookups in constant or log time (an enum may hold a million values):
	 * string and any fields: text -> index (keys borrowed from enum_values);
	 * integer fields: the values, sorted */
	kp_strset enum_set;
	long long *enum_ints; /* owned, enum_len of them, or NULL */
} kp_constraints;

typedef struct kp_field {
	char *name;        /* required, unique within the schema */
	char *title;       /* or NULL */
	kp_strlist titles; /* alternative labels (CSVW "titles": a string, an array, or a
			    * language map of either) */
	char *description; /* or NULL */
	kp_type type;
	kp_format format;
	char *format_pattern; /* strptime-style pattern when format == KP_FORMAT_PATTERN */
	/* number/integer options */
	char decimal_char[KP_SCHEMA_MAX_CHAR]; /* default "." */
	char group_char[KP_SCHEMA_MAX_CHAR];   /* default "" (none) */
	int bare_number;                       /* default 1 */
	/* boolean options: defaults true/True/TRUE/1 and false/False/FALSE/0 */
	kp_strlist true_values, false_values;
	/* list options (v2): default delimiter ",", item type string */
	char delimiter[KP_SCHEMA_MAX_CHAR];
	kp_type item_type;
	/* missing values: the field's own list when has_missing_values, else the schema's */
	int has_missing_values;
	kp_strlist missing_values;
	const kp_strlist *missing; /* borrowed: the effective list (field's or schema's) */
	kp_constraints constraints;
	/* CSVW-style RDF mapping, strings as written (URI templates not expanded), or NULL */
	char *about_url, *property_url, *value_url, *lang, *rdf_type;
	json_t *json; /* borrowed: the field's descriptor object */
} kp_field;

/* A list of field indices into kp_schema.fields (or into a referenced resource's). */
typedef struct kp_fieldref {
	size_t *idx; /* owned array of len indices */
	size_t len;
} kp_fieldref;

typedef struct kp_foreign_key {
	kp_fieldref fields;          /* in this schema */
	char *resource;              /* reference.resource as written; NULL or "" = self */
	kp_strlist reference_names;  /* reference.fields as written */
	/* Resolved: -1 = this same resource (self reference); otherwise an index into
	 * kp_package.resources.  Set by kp_schema_package_load; a schema loaded alone
	 * resolves only self references (reference fields resolved into this schema) and
	 * leaves resource_index = -2 ("unresolved") for the others. */
	long resource_index;
	kp_fieldref reference_fields; /* indices into the referenced schema, once resolved */
} kp_foreign_key;

/* How header columns find their fields (Table Schema v2 `fieldsMatch`).  Without the
 * key, kplan matches by label first: each column goes to the field its label names
 * (name or title), whatever its position; columns and fields left over are paired in
 * order (a renamed column: one incorrect-label, its cells checked against that field);
 * what is still left is an extra-label or a missing-label.  So one inserted, dropped or
 * moved column is one finding, never one per column to its right.  An explicit "exact"
 * matches by position, as Frictionless v1 does. */
typedef enum kp_fields_match {
	KP_FIELDS_MATCH_EXACT = 0,
	KP_FIELDS_MATCH_EQUAL,
	KP_FIELDS_MATCH_SUBSET,
	KP_FIELDS_MATCH_SUPERSET,
	KP_FIELDS_MATCH_PARTIAL,
	KP_FIELDS_MATCH_LABELS /* the default, when the schema says nothing */
} kp_fields_match;

/* Plan rules: a custom Table Schema property "rules" (see README "## Schemas").
 *
 *   "rules": [{
 *     "id": "cumulative-targets-never-decrease",   required, unique in the schema
 *     "type": "non-decreasing" | "consistent",     required
 *     "field": "value",                            required: the checked field
 *     "groupBy": ["item_no"],                      optional: string or array of names
 *     "orderBy": "fiscal_year",                    required for non-decreasing
 *     "order": ["△", "□", "○", "◎"],               optional: rank by position in this list
 *     "strict": false,                             optional: strictly increasing
 *     "where": {"kind": "numeric"},                optional: field → condition
 *     "whereReference": {                          optional: conditions on the row that
 *       "resource": "items",                         this row's foreign key to "items"
 *       "where": {"title": {"pattern": ".*（累計）.*"}}   points at
 *     },
 *     "severity": "error" | "warning",             optional, default error
 *     "message": "..."                             optional: how to fix, shown to the user
 *   }]
 *   A condition is a string, an array of strings (any of them), or {"pattern": XSD regex}.
 *
 * Semantics, for the validator (VALIDATE engineer implements the check):
 *   A row is considered when every `where` condition holds for it (test a condition
 *   with kp_schema_rule_where_match on the cell's canonical text, kp_cast_canonical; a
 *   null cell has the text "") and, with whereReference, every reference condition
 *   holds for the referenced row (the row of resource reference_resource whose
 *   foreign-key fields equal this row's; no such row → not considered).  Rows whose
 *   `field` (or `orderBy`) value is null are skipped.  Rows are partitioned by the
 *   canonical texts of the `groupBy` fields (no groupBy: one group).
 *   - non-decreasing: within a group, sorted by `orderBy` (kp_cast_compare), each value
 *     of `field` must be >= (strict: >) the value of the previous row (kp_cast_compare,
 *     or, when `order` is given, the rank of its canonical text in `order`; a value not
 *     in `order` is reported by the rule as not rankable).  Rows need not arrive sorted.
 *   - consistent: within a group, every value of `field` must equal (canonical text)
 *     the first one seen.
 *   Suggested diagnostic: code "rule-error", rule = kp_rule.id (borrowed from the
 *   schema), message = kp_rule.message or a generated one.
 */
typedef enum kp_rule_type { KP_RULE_NON_DECREASING = 0, KP_RULE_CONSISTENT } kp_rule_type;

typedef struct kp_rule_where {
	char *name;        /* the field name as written */
	size_t field;      /* index into the schema's fields (for reference conditions: into
	                    * the referenced resource's schema; (size_t)-1 until resolved) */
	kp_strlist values; /* canonical texts that match (empty when pattern is used) */
	char *pattern;     /* XSD regex over the whole canonical text, or NULL */
	struct kp_pattern *pattern_re; /* owned compiled pattern (pattern.h) */
} kp_rule_where;

typedef struct kp_rule {
	char *id;
	kp_rule_type type;
	size_t field;         /* index into kp_schema.fields */
	kp_fieldref group_by; /* possibly empty */
	long order_by;        /* field index, or -1 when absent (consistent rules) */
	kp_strlist order;     /* empty = compare typed values */
	int strict;
	kp_rule_where *where; /* owned array of nwhere */
	size_t nwhere;
	/* whereReference: the foreign key used (index into kp_schema.foreign_keys) or -1,
	 * and the conditions on the referenced row. */
	long reference_key;
	char *reference_resource; /* as written */
	kp_rule_where *reference_where; /* owned array of nreference_where */
	size_t nreference_where;
	kp_severity severity;
	char *message; /* or NULL */
} kp_rule;

/* 1 when the canonical text text[0..len) satisfies the condition, else 0. */
int kp_schema_rule_where_match(const kp_rule_where *w, const char *text, size_t len);

typedef struct kp_schema {
	kp_field *fields; /* owned array of nfields */
	size_t nfields;
	kp_strlist missing_values; /* schema-level, default [""] */
	kp_fieldref primary_key;   /* empty when none */
	kp_fieldref *unique_keys;  /* owned array of nunique_keys */
	size_t nunique_keys;
	kp_foreign_key *foreign_keys; /* owned array of nforeign_keys */
	size_t nforeign_keys;
	kp_fields_match fields_match;
	kp_rule *rules; /* owned array of nrules */
	size_t nrules;
	/* CSVW-style schema-level RDF keys, as written, or NULL */
	char *about_url, *property_url, *lang, *rdf_type;
	char *path;   /* owned copy of the file it came from ("<inline>" when from JSON) */
	json_t *json; /* owned reference to the descriptor */
	void *index_; /* private: hashed name and title lookup */
} kp_schema;

/* Loads a Table Schema file (JSON).  Returns 0 when valid, -1 when not, -2 when memory
 * ran out (every problem sent to sink; see the top of this header for what *out holds
 * then). */
int kp_schema_load_file(const char *path, kp_schema **out, const kp_diag_sink *sink);

/* Same, from a descriptor object (not stolen: the schema takes its own reference).
 * `path` names the source in diagnostics (copied); NULL gives "<inline>".
 * `json_path` prefixes every JSON path in messages (e.g. "resources[0].schema"), or NULL. */
int kp_schema_load_json(json_t *obj, const char *path, const char *json_path, kp_schema **out,
	const kp_diag_sink *sink);

/* Frees a schema and everything it owns; NULL is fine. */
void kp_schema_free(kp_schema *s);

/* Index of the field with this name, or -1. O(1) on average. */
long kp_schema_field_index(const kp_schema *s, const char *name);
/* Index of the field whose name or, failing that, title equals label (header cells
 * may use either), or -1. */
long kp_schema_field_by_label(const kp_schema *s, const char *label, size_t len);

/* The labels a column of field f may carry: k = 0 its name, 1 its title, 2 … its
 * alternative titles; NULL for k past the last (or k = 1 without a title), with *len
 * its byte length otherwise.  Loop k from 0 to kp_field_nlabels(f). */
size_t kp_field_nlabels(const kp_field *f);
const char *kp_field_label(const kp_field *f, size_t k, size_t *len);

const char *kp_schema_fields_match_name(kp_fields_match m);

/* ---- Data Package ---- */

/* Table Dialect (v1 CSV Dialect keys, v2 names); defaults as in the spec. */
typedef struct kp_dialect {
	char delimiter;       /* default ',' */
	char quote_char;      /* default '"' */
	int double_quote;     /* default 1 */
	char escape_char;     /* default 0 (none) */
	char comment_char;    /* default 0 (none) */
	int header;           /* default 1 */
	long header_rows;     /* v2, default 1 (first row), 0 when header is false */
	int skip_initial_space; /* default 0 */
	char *line_terminator;  /* default "\r\n" */
	char *null_sequence;    /* or NULL */
	json_t *json;           /* borrowed, or NULL when the resource has no dialect */
} kp_dialect;

typedef struct kp_resource {
	char *name;        /* required, unique in the package */
	char *path;        /* as written (relative to the package folder), or NULL (inline data) */
	char *full_path;   /* path joined to the package folder, or NULL */
	char *title, *description, *format, *mediatype, *encoding; /* or NULL */
	char *profile;     /* e.g. "tabular-data-resource", or NULL */
	char *hash;        /* integrity as written ("sha256:..." or a bare MD5 hex), or NULL */
	long long bytes;   /* declared size, or -1 */
	kp_dialect dialect;
	kp_schema *schema;   /* owned, NULL when the resource has none */
	char *schema_path;   /* full path of an external schema file, or NULL (inline) */
	json_t *json;        /* borrowed: the resource descriptor */
	json_t *dialect_file_; /* private: owned dialect object read from a "dialect" path */
} kp_resource;

typedef struct kp_package {
	char *path;        /* the datapackage.json path that was read */
	char *dir;         /* its folder ("." for a bare name) */
	char *name, *title, *description, *version; /* or NULL */
	kp_strlist keywords;
	kp_resource *resources; /* owned array of nresources */
	size_t nresources;
	json_t *json;      /* owned: the whole descriptor (licenses, contributors, ...) */
	json_t *dcat;      /* borrowed: the "dcat" object (lg_code, publisher, contact, ...) or NULL */
} kp_package;

/* Loads a Data Package from a datapackage.json file or a folder holding one: the
 * descriptor, every resource, their schemas (inline or a relative path, loaded from the
 * package folder; URLs are not fetched: schema error), and resolves foreign keys across
 * resources (resource names → indices, field names → indices in the referenced schema).
 * Returns 0 when everything is valid, -1 otherwise, -2 when memory ran out (see the top
 * about *out). */
int kp_schema_package_load(const char *path, kp_package **out, const kp_diag_sink *sink);

void kp_schema_package_free(kp_package *p);

/* Index of the resource with this name, or -1. */
long kp_schema_package_resource(const kp_package *p, const char *name);

/* Looks a value up in a JSON tree by a JSON-pointer-like path ("/dcat/contact/email",
 * "/licenses/0/name", "~1" and "~0" escapes as in RFC 6901).  Returns a borrowed value
 * or NULL. */
json_t *kp_schema_pointer(json_t *root, const char *pointer);

/* The string at a pointer, or NULL when absent or not a string. */
const char *kp_schema_pointer_string(json_t *root, const char *pointer);

#endif
