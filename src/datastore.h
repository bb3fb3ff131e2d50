/* datastore — each table of a package loaded into the CKAN DataStore, typed from its
 * Table Schema, idempotently (shared/reference/ckan-datastore-quality.md §A).
 *
 * One DataStore-only resource per table (datastore_create with "resource": url_type
 * "datastore"), so xloader and datapusher never load it and never truncate it; the
 * uploaded CSV stays the file people download.  The resource carries the key
 * "kplan_datastore" (the table's name) and the state kplan loaded: digests of the
 * columns, of the data dictionary and of each chunk of rows.
 *
 * Columns: the Table Schema's field names as ids, its types as PostgreSQL types
 * (integer → int8, number → numeric, date → date, …), titles as the data dictionary's
 * "label" and descriptions as its "notes".  Cells: JSON null when empty, numbers and
 * booleans bare, the rest as text; numbers are sent as written (exact).
 *
 * Rows are cut into chunks by their content (a chunk ends after a row whose hash has
 * its low bits zero, between 512 and 4096 rows and under 4 MiB), so an edit, insertion
 * or deletion changes the chunks around it only.  A run sends only the chunks whose
 * digest the portal does not hold, one datastore_upsert each, keyed by the table's
 * key: its primaryKey, else its standard's identifying columns (全国地方公共団体コード and
 * ID) when they are filled and unique.  Rows the table no longer has are found by
 * comparing the DataStore's count and then its keys, and deleted.  A table with no key,
 * or whose columns changed, is reloaded whole.  The digests are written last, so a run
 * cut off anywhere is finished by the next one: upserts are idempotent.
 */
#ifndef KP_DATASTORE_H
#define KP_DATASTORE_H

#include <jansson.h>

#include "ckan_call.h"
#include "upload.h"

typedef struct kp_ds_plan kp_ds_plan;

/* Reads every table of pkg once and plans it against the dataset as shown (cur, NULL
 * when it does not exist yet); adds one report step per table, and one per DataStore
 * table kplan made that the package no longer has.  Returns KP_UPLOAD_OK with *out,
 * or an error status with c->err filled (a field name the DataStore refuses, an
 * unreadable table). */
int kp_ds_plan_make(kp_ck *c, const kp_upload_pkg *pkg, const json_t *cur, kp_ds_plan **out);

/* Carries the plan out in dataset pkg_id, marking its steps done.  Returns a
 * KP_UPLOAD_* status. */
int kp_ds_apply(kp_ck *c, kp_ds_plan *p, const char *pkg_id);

/* Checks the dataset as shown after the run: one DataStore resource per table, in the
 * state planned, and for a table written the DataStore's row count. */
int kp_ds_verify(kp_ck *c, const kp_ds_plan *p, const json_t *shown);

void kp_ds_plan_free(kp_ds_plan *p);

/* ---- pure parts (exposed for tests) ---- */

/* The PostgreSQL type for a Table Schema type ("text" for an unknown one). */
const char *kp_ds_pg_type(const char *table_schema_type);

/* Appends the JSON value of a cell of a column of that Table Schema type to buf
 * (NUL-terminated, grown as needed).  Returns 0 or -1 without memory. */
int kp_ds_cell_json(char **buf, size_t *len, size_t *cap, const char *type, const char *cell,
		    size_t n);

#endif
