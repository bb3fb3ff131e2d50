/* catalog — metadata about what kplan-export wrote: the DCAT description in the RDF/XML
 * file (the shape ckanext-dcat reads, DCAT-AP 3 typing), the output datapackage.json and
 * the W3C CSVW description beside each CSV file.
 *
 * Dataset metadata comes from the package: name, title, description, keywords,
 * licenses, version and the "dcat" object (lg_code, lg_name, publisher, author,
 * contact{name,email,url}, issued, modified, frequency, spatial, spatial_label,
 * temporal_start, temporal_end, theme, language, landing_page, download_base).
 */
#ifndef KP_CATALOG_H
#define KP_CATALOG_H

#include <jansson.h>

#include "files.h"
#include "schema.h"
#include "writer.h"

/* One file written to OUT. */
typedef struct kp_catalog_file {
	const char *name;	/* file name in OUT (borrowed) */
	const char *format;	/* "csv", "json", "rdf", "csvw" */
	const char *mediatype;	/* IANA media type */
	const kp_resource *res; /* the table it holds, or NULL */
	int hashed;		/* bytes and sha256 are known */
	long long bytes;
	char sha256[KP_SHA256_HEX_LEN + 1];
} kp_catalog_file;

typedef struct kp_catalog_opts {
	int bom;	   /* CSV files start with a BOM */
	const char *eol;   /* CSV line ending */
	int header_titles; /* CSV header row holds titles */
	const char *date;  /* YYYY-MM-DD or NULL */
} kp_catalog_opts;

/* Writes dcat:Catalog ⊃ dcat:Dataset ⊃ one dcat:Distribution per file of format csv,
 * json or rdf (a file that is not hashed gets no byte size and checksum: the RDF file
 * cannot describe its own digest).  Returns 0 or -1 with err filled. */
int kp_catalog_write_dcat(kp_writer *rdf, const kp_package *pkg, const kp_catalog_file *files,
			  size_t nfiles, const kp_catalog_opts *o, kp_diag *err);

/* The Table Schema as exported: the source schema with the options that only told how
 * the source spelled values (date formats, true/false values, decimal and group
 * characters, per-field missing values, a stray dialect) removed, since the output
 * holds canonical text.  New reference; NULL when out of memory. */
json_t *kp_catalog_export_schema(const kp_resource *r);

/* The datapackage.json describing files (every one hashed).  A table's JSON file gets
 * "jsonSchema": the JSON Schema shipped beside the package as json/<name>.schema.json,
 * embedded (none when that file is missing or not a JSON object).  New reference or
 * NULL. */
json_t *kp_catalog_package_json(const kp_package *pkg, const kp_catalog_file *files, size_t nfiles,
				const kp_catalog_opts *o);

/* The CSVW metadata (csv-metadata.json) of the CSV file csv_name holding table t of r;
 * prefixes expand prefixed names into full IRIs.  New reference or NULL. */
json_t *kp_catalog_csvw(const kp_package *pkg, const kp_resource *r, const kp_wtable *t,
			const char *csv_name, const kp_wopts *prefixes, const kp_catalog_opts *o);

#endif
