/* ckan — publish a package to a CKAN portal through its Action API, idempotently.
 *
 * Order (see shared/reference/ckan-dcat.md §2):
 *   organization_show → package_show → package_create only after a 404 →
 *   package_patch only for top-level fields that differ (complete tags and extras
 *   lists, never resources) → per file: nothing when SHA-256 and size match,
 *   resource_patch with a multipart `upload` when they differ, resource_create when
 *   the resource is missing → resource_delete for resources kplan made (kplan_name) for
 *   files no longer in the package → package_show once more to verify, when anything
 *   was written.
 *
 * Resources are matched on the key `kplan_name` (the resource name in the package);
 * the CKAN `name` carries the human title.  The digest is stored both in `hash`
 * (plain lower-case hex, as ckanext-dcat emits it as xsd:hexBinary) and in
 * `kplan_sha256`, because harvesters such as xloader overwrite `hash`.
 *
 * Retries: connection failures anywhere; timeouts, dropped connections and
 * 502/503/504 on reads and patches.  After an uncertain package_create or
 * resource_create (timeout, dropped connection, 5xx) the dataset is shown again and
 * the create is repeated only when its result is absent, so no duplicate is made.
 * 4xx answers are never retried.
 */
#ifndef KP_CKAN_H
#define KP_CKAN_H

#include <jansson.h>

#include "http.h"
#include "upload.h"

typedef struct kp_ckan_opts {
	const char *portal;  /* site URL, e.g. https://catalog.example.jp */
	const char *org;     /* organization name or id */
	const char *dataset; /* dataset name */
	int dry_run;
	int datastore;	   /* also load each table into the DataStore (datastore.h) */
	const char *today; /* YYYY-MM-DD: the date a file stored or changed now gets */
	kp_upload_retry retry;
} kp_ckan_opts;

/* Publishes pkg.  Returns KP_UPLOAD_OK when the portal holds exactly the package,
 * else KP_UPLOAD_NET / KP_UPLOAD_USAGE / KP_UPLOAD_IO with err filled; rep lists the
 * steps, done or remaining, either way. */
int kp_ckan_publish(kp_http *h, const kp_ckan_opts *o, const kp_upload_pkg *pkg,
		    kp_upload_report *rep, kp_diag *err);

/* ---- pure parts (exposed for tests) ---- */

/* "<lg_code>-<package name>", lower-cased; 0, or -1 when the package lacks either
 * part or the result is not a valid CKAN name. */
int kp_ckan_default_name(const kp_upload_pkg *pkg, char *out, size_t outsz);

/* True when name is a valid CKAN dataset name (2–100 of [a-z0-9_-]). */
int kp_ckan_valid_name(const char *name);

/* The dataset's top-level fields as the package says: name, title, notes, owner_org,
 * license_id, url, version, author, maintainer, maintainer_email, tags, extras (only
 * non-empty values).  New reference. */
json_t *kp_ckan_desired(const kp_upload_pkg *pkg, const char *name, const char *org_id);

/* Fields of desired that current (a package_show result) does not already hold:
 * strings compared exactly, tags as a set of names, extras as a key→value map.
 * A deleted dataset also gets "state":"active".  Returns a new object (without "id"),
 * empty when nothing differs; changed (may be NULL) receives "title, tags, ...". */
json_t *kp_ckan_diff(const json_t *desired, const json_t *current, char *changed, size_t sz);

/* The resources of current whose kplan_name is name: the first one, and their count. */
const json_t *kp_ckan_find_resource(const json_t *current, const char *name, size_t *count);

/* True when res holds exactly f's bytes: size equal and kplan_sha256 (or hash) equal. */
int kp_ckan_resource_same(const json_t *res, const kp_upload_file *f);

/* Resource metadata fields that differ (name/title, description, format
 * case-insensitively, mimetype); returns a new object, empty when none differ. */
json_t *kp_ckan_resource_meta_diff(const json_t *res, const kp_upload_file *f);

#endif
