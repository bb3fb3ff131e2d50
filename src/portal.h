/* portal — what the city's CKAN portal requires of every dataset's metadata.
 *
 * The requirements are data, not code: a rules file (schemas/portal/portal.json; its
 * JSON Schema twin for outside tools is schemas/portal/dataset.schema.json) lists
 * checks on JSON-pointer paths of datapackage.json, for the package ("dataset") and
 * for each resource ("resource"):
 *
 *   {"path": "/dcat/contact/email",   JSON pointer (RFC 6901) into the descriptor
 *    "required": true,                default true; false = check only when present
 *    "type": "string",                string | array | object | number | boolean
 *    "minLength": 1,                  string: characters; array: items
 *    "pattern": "172014-[a-z0-9-]+",  XSD regex over the whole string (libxml2)
 *    "enum": ["CC-BY-4.0", ...],      allowed string values
 *    "format": "email",               date | uri | email | lgcode (with check digit)
 *    "anyOf": ["email", "url"],       object: at least one of these members is present
 *    "severity": "error",             error (default) | warning
 *    "message": "..."}                what to write there, shown to the person fixing it
 *
 * Every failing check is one diagnostic with code "portal-metadata", file = the
 * package path, and a message "<dotted path>: <what is wrong>: <message>", e.g.
 *   dcat.contact.email: missing: 問い合わせ先のメールアドレスを書いてください
 * Ownership: a kp_portal owns everything it holds; diagnostics borrow the package path.
 */
#ifndef KP_PORTAL_H
#define KP_PORTAL_H

#include <stddef.h>

#include <jansson.h>

#include "diag.h"
#include "schema.h"

typedef struct kp_portal kp_portal;

/* Loads a rules file.  Returns 0, or -1 with every problem sent to sink (code
 * "schema-error", JSON path first); *out is then NULL. */
int kp_portal_load(const char *path, kp_portal **out, const kp_diag_sink *sink);

/* Same from a parsed object (not stolen). `path` names it in diagnostics (borrowed: it
 * must outlive the diagnostics). */
int kp_portal_load_json(json_t *obj, const char *path, kp_portal **out, const kp_diag_sink *sink);

void kp_portal_free(kp_portal *p);

/* Number of dataset and resource checks (for reports and tests). */
size_t kp_portal_rule_count(const kp_portal *p);

/* Checks a loaded package (its descriptor as read, p->json).  Sends every finding to
 * sink and returns the number of error-severity findings (0 = the portal will accept
 * the metadata), or -1 when the sink asked to stop. */
long kp_portal_check(const kp_package *pkg, const kp_portal *rules, const kp_diag_sink *sink);

/* Same over a bare descriptor object; `file` (borrowed) goes into the diagnostics. */
long kp_portal_check_json(json_t *descriptor, const char *file, const kp_portal *rules,
	const kp_diag_sink *sink);

#endif
