/* catalog — DCAT in RDF/XML, datapackage.json and CSVW metadata for an export.
 *
 * The DCAT part follows ckanext-dcat's DCAT-AP 3 profile (see
 * shared/reference/ckan-dcat.md §4): object IRIs carry their class (dct:Frequency,
 * dct:Location, dct:MediaType, ...), byte sizes are xsd:nonNegativeInteger and
 * checksums spdx:Checksum with a lower-case xsd:hexBinary value.
 */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "write_rdf.h"

#define EU_AUTH "http://publications.europa.eu/resource/authority/"

/* DCAT-GoJ frequency words → EU frequency authority (what CKAN harvesters expect). */
static const struct {
	const char *word, *code;
} frequencies[] = {
    {"daily", "DAILY"},		{"weekly", "WEEKLY"},	    {"monthly", "MONTHLY"},
    {"quarterly", "QUARTERLY"}, {"semiannual", "ANNUAL_2"}, {"annual", "ANNUAL"},
    {"yearly", "ANNUAL"},	{"irregular", "IRREG"},	    {"never", "NEVER"},
    {"continuous", "CONT"},	{"unknown", "UNKNOWN"},	    {"other", "OTHER"},
};

static const struct {
	const char *tag, *code;
} languages[] = {{"ja", "JPN"}, {"en", "ENG"}, {"zh", "ZHO"}, {"ko", "KOR"}};

/* Output formats: EU file-type code, CSVW/Frictionless name. */
static const struct {
	const char *format, *eu_type, *title;
} formats[] = {
    {"csv", "CSV", "CSV"},
    {"json", "JSON", "JSON"},
    {"rdf", "RDF_XML", "RDF/XML"},
    {"csvw", "JSON", "CSVW メタデータ"},
};

static const char *format_field(const char *format, int which)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i].format, format) == 0)
			return which == 0 ? formats[i].eu_type : formats[i].title;
	return NULL;
}

static const char *str(json_t *root, const char *pointer)
{
	return kp_schema_pointer_string(root, pointer);
}

/* Title and description of a file, the same in DCAT and datapackage.json: the table's
 * (or the dataset's) with the format named, since the portal lists files side by side. */
static void file_text(const kp_package *pkg, const kp_catalog_file *f, char *title, size_t tsize,
		      char *desc, size_t dsize)
{
	const char *fmt = format_field(f->format, 1);
	if (f->res) {
		/* an empty title or description (a skeleton's) is a missing one, as
		 * kp_cli_as_exported assumes when the portal rules are checked early */
		const char *rt = f->res->title && *f->res->title ? f->res->title : NULL;
		const char *rd = f->res->description && *f->res->description ? f->res->description
									     : NULL;
		snprintf(title, tsize, "%s（%s）", rt ? rt : f->res->name, fmt);
		if (strcmp(f->format, "csvw") == 0)
			snprintf(desc, dsize,
				 "%s.csv の列・型・RDF への対応を記した W3C CSVW メタデータ",
				 f->res->name);
		else
			snprintf(desc, dsize, "%s", rd ? rd : title);
	} else {
		const char *t = pkg->title ? pkg->title : pkg->name ? pkg->name : f->name;
		snprintf(title, tsize, "%s（%s）", t, fmt);
		snprintf(desc, dsize, "%sの全データと DCAT メタデータ（%s）", t, fmt);
	}
}

/* Joins a and b into buf (malloc'd, caller frees). */
static char *join(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s", a, b, c ? c : "");
	return s;
}

/* The site root of an http(s) IRI ("https://host/"), or a copy of the IRI. */
static char *site_of(const char *iri)
{
	const char *p = strstr(iri, "://");
	const char *slash = p ? strchr(p + 3, '/') : NULL;
	size_t n = slash ? (size_t)(slash - iri) + 1 : strlen(iri);
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, iri, n);
		s[n] = '\0';
	}
	return s;
}

typedef struct dcat_ctx {
	kp_writer *w;
	kp_diag *err;
	int rc;
} dcat_ctx;

/* The helpers below do nothing once a write has failed, so the description reads as
 * straight-line code and the first error is the one reported. */
static void lit(dcat_ctx *c, const char *prop, const char *text, const char *dt, const char *lang)
{
	if (c->rc == 0 && text)
		c->rc = kp_write_rdf_literal(c->w, prop, text, dt, lang, c->err);
}

static void ref(dcat_ctx *c, const char *prop, const char *iri)
{
	if (c->rc == 0 && iri)
		c->rc = kp_write_rdf_ref(c->w, prop, iri, c->err);
}

static void open_node(dcat_ctx *c, const char *prop, const char *type, const char *about)
{
	if (c->rc == 0 && prop)
		c->rc = kp_write_rdf_prop_start(c->w, prop, c->err);
	if (c->rc == 0)
		c->rc = kp_write_rdf_node_start(c->w, type, about, c->err);
}

static void close_node(dcat_ctx *c, int in_prop)
{
	if (c->rc == 0)
		c->rc = kp_write_rdf_node_end(c->w, c->err);
	if (c->rc == 0 && in_prop)
		c->rc = kp_write_rdf_prop_end(c->w, c->err);
}

/* A property whose object is an IRI typed with a class (DCAT-AP 3 wants the class). */
static void typed_ref(dcat_ctx *c, const char *prop, const char *type, const char *iri)
{
	if (!iri)
		return;
	open_node(c, prop, type, iri);
	close_node(c, 1);
}

static void date_lit(dcat_ctx *c, const char *prop, const char *date)
{
	lit(c, prop, date, "xsd:date", NULL);
}

static void write_distribution(dcat_ctx *c, const kp_package *pkg, const kp_catalog_file *f,
			       const char *dataset_iri, const char *download_base,
			       const kp_catalog_opts *o)
{
	char *about = join(dataset_iri, "/resource/", f->name);
	char *url = join(download_base, f->name, NULL);
	char *media = join("http://www.iana.org/assignments/media-types/", f->mediatype, NULL);
	char *eu = join(EU_AUTH "file-type/", format_field(f->format, 0), NULL);
	char title[512], desc[2048], size[32];
	if (!about || !url || !media || !eu) {
		c->rc = -1;
		kp_diag_set(c->err, KP_SEV_ERROR, "io-error", "out of memory");
		goto out;
	}
	file_text(pkg, f, title, sizeof title, desc, sizeof desc);
	open_node(c, "dcat:distribution", "dcat:Distribution", about);
	lit(c, "dct:title", title, NULL, "ja");
	lit(c, "dct:description", desc, NULL, "ja");
	typed_ref(c, "dcat:accessURL", "rdfs:Resource", url);
	ref(c, "dcat:downloadURL", url);
	typed_ref(c, "dct:format", "dct:MediaTypeOrExtent", eu);
	typed_ref(c, "dcat:mediaType", "dct:MediaType", media);
	const char *license = str(pkg->json, "/licenses/0/path");
	typed_ref(c, "dct:license", "dct:LicenseDocument", license);
	date_lit(c, "dct:issued", o->date);
	date_lit(c, "dct:modified", o->date);
	if (f->hashed) {
		snprintf(size, sizeof size, "%lld", f->bytes);
		lit(c, "dcat:byteSize", size, "xsd:nonNegativeInteger", NULL);
		open_node(c, "spdx:checksum", "spdx:Checksum", NULL);
		typed_ref(c, "spdx:algorithm", "spdx:ChecksumAlgorithm",
			  "spdx:checksumAlgorithm_sha256");
		lit(c, "spdx:checksumValue", f->sha256, "xsd:hexBinary", NULL);
		close_node(c, 1);
	}
	close_node(c, 1);
out:
	free(about);
	free(url);
	free(media);
	free(eu);
}

int kp_catalog_write_dcat(kp_writer *rdf, const kp_package *pkg, const kp_catalog_file *files,
			  size_t nfiles, const kp_catalog_opts *o, kp_diag *err)
{
	json_t *j = pkg->json;
	const char *landing = str(j, "/dcat/landing_page");
	const char *base = str(j, "/dcat/download_base");
	if (!landing || !base) {
		kp_diag_set(
		    err, KP_SEV_ERROR, "schema-error",
		    "the package's \"dcat\" object needs \"landing_page\" and \"download_base\"");
		kp_diag_at(err, pkg->path, 0, 0, -1);
		return -1;
	}
	size_t bl = strlen(base);
	char *dl = join(base, bl && base[bl - 1] == '/' ? "" : "/", NULL);
	char *site = site_of(landing);
	/* The dataset IRI is the landing page without a final slash, so resource IRIs nest. */
	char *ds = join(landing, "", NULL);
	if (!dl || !site || !ds) {
		free(dl);
		free(site);
		free(ds);
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		return -1;
	}
	size_t dn = strlen(ds);
	while (dn > 0 && ds[dn - 1] == '/')
		ds[--dn] = '\0';
	dcat_ctx c = {rdf, err, 0};
	const char *publisher = str(j, "/dcat/publisher");
	const char *lang = str(j, "/dcat/language");
	const char *lang_iri = NULL;
	char lang_buf[128];
	for (size_t i = 0; lang && i < sizeof languages / sizeof languages[0]; i++)
		if (strcmp(languages[i].tag, lang) == 0) {
			snprintf(lang_buf, sizeof lang_buf, EU_AUTH "language/%s",
				 languages[i].code);
			lang_iri = lang_buf;
		}

	open_node(&c, NULL, "dcat:Catalog", site);
	if (publisher) {
		char t[256];
		snprintf(t, sizeof t, "%s オープンデータカタログ", publisher);
		lit(&c, "dct:title", t, NULL, "ja");
		lit(&c, "dct:description", t, NULL, "ja");
	}
	typed_ref(&c, "foaf:homepage", "foaf:Document", site);
	typed_ref(&c, "dct:language", "dct:LinguisticSystem", lang_iri);
	if (publisher) {
		open_node(&c, "dct:publisher", "foaf:Agent", NULL);
		lit(&c, "foaf:name", publisher, NULL, "ja");
		close_node(&c, 1);
	}

	open_node(&c, "dcat:dataset", "dcat:Dataset", ds);
	lit(&c, "dct:title", pkg->title, NULL, "ja");
	lit(&c, "dct:description", pkg->description, NULL, "ja");
	lit(&c, "dct:identifier", pkg->name, NULL, NULL);
	for (size_t i = 0; i < pkg->keywords.len; i++)
		lit(&c, "dcat:keyword", pkg->keywords.items[i], NULL, "ja");
	date_lit(&c, "dct:issued", str(j, "/dcat/issued"));
	date_lit(&c, "dct:modified", str(j, "/dcat/modified"));
	lit(&c, "dcat:version", pkg->version, NULL, NULL);
	typed_ref(&c, "dct:language", "dct:LinguisticSystem", lang_iri);
	if (publisher) {
		open_node(&c, "dct:publisher", "foaf:Agent", NULL);
		lit(&c, "foaf:name", publisher, NULL, "ja");
		close_node(&c, 1);
	}
	const char *author = str(j, "/dcat/author");
	if (author) {
		open_node(&c, "dct:creator", "foaf:Agent", NULL);
		lit(&c, "foaf:name", author, NULL, "ja");
		close_node(&c, 1);
	}
	json_t *contact = kp_schema_pointer(j, "/dcat/contact");
	if (json_is_object(contact)) {
		open_node(&c, "dcat:contactPoint", "vcard:Kind", NULL);
		lit(&c, "vcard:fn", str(contact, "/name"), NULL, "ja");
		const char *email = str(contact, "/email");
		if (email) {
			char *mailto = join("mailto:", email, NULL);
			ref(&c, "vcard:hasEmail", mailto);
			free(mailto);
		}
		ref(&c, "vcard:hasURL", str(contact, "/url"));
		close_node(&c, 1);
	}
	const char *freq = str(j, "/dcat/frequency");
	for (size_t i = 0; freq && i < sizeof frequencies / sizeof frequencies[0]; i++)
		if (strcmp(frequencies[i].word, freq) == 0) {
			char iri[128];
			snprintf(iri, sizeof iri, EU_AUTH "frequency/%s", frequencies[i].code);
			typed_ref(&c, "dct:accrualPeriodicity", "dct:Frequency", iri);
		}
	const char *spatial = str(j, "/dcat/spatial");
	if (spatial) {
		open_node(&c, "dct:spatial", "dct:Location", spatial);
		lit(&c, "skos:prefLabel", str(j, "/dcat/spatial_label"), NULL, "ja");
		close_node(&c, 1);
	}
	const char *t0 = str(j, "/dcat/temporal_start"), *t1 = str(j, "/dcat/temporal_end");
	if (t0 || t1) {
		open_node(&c, "dct:temporal", "dct:PeriodOfTime", NULL);
		date_lit(&c, "dcat:startDate", t0);
		date_lit(&c, "dcat:endDate", t1);
		close_node(&c, 1);
	}
	json_t *themes = kp_schema_pointer(j, "/dcat/theme");
	size_t ti;
	json_t *th;
	json_array_foreach(themes, ti, th)
	{
		if (!json_is_string(th))
			continue;
		open_node(&c, "dcat:theme", "skos:Concept", NULL);
		lit(&c, "skos:prefLabel", json_string_value(th), NULL, "ja");
		close_node(&c, 1);
	}
	/* a table of a standard dataset: the dataset conforms to that standard (its
	 * schema's "standard", as schemas/standard/build.py writes it) */
	for (size_t i = 0; i < pkg->nresources; i++) {
		const kp_schema *rs = pkg->resources[i].schema;
		const char *std = rs ? kp_schema_pointer_string(rs->json, "/standard/conformsTo") : NULL;
		int seen = 0;
		for (size_t k = 0; std && k < i && !seen; k++) {
			const kp_schema *ks = pkg->resources[k].schema;
			const char *o2 = ks ? kp_schema_pointer_string(ks->json, "/standard/conformsTo") : NULL;
			seen = o2 && strcmp(o2, std) == 0;
		}
		if (!std || seen)
			continue;
		open_node(&c, "dct:conformsTo", "dct:Standard", NULL);
		lit(&c, "dct:title", std, NULL, "ja");
		close_node(&c, 1);
	}
	typed_ref(&c, "dcat:landingPage", "foaf:Document", landing);
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(files[i].format, "csvw") != 0)
			write_distribution(&c, pkg, &files[i], ds, dl, o);
	close_node(&c, 1); /* dataset */
	close_node(&c, 0); /* catalog */
	free(dl);
	free(site);
	free(ds);
	return c.rc;
}

/* ---- JSON descriptors ---- */

static const char *const source_only_keys[] = {"format",       "trueValues", "falseValues",
					       "decimalChar",  "groupChar",  "bareNumber",
					       "missingValues"};

json_t *kp_catalog_export_schema(const kp_resource *r)
{
	if (!r->schema)
		return NULL;
	json_t *s = json_deep_copy(r->schema->json);
	if (!s)
		return NULL;
	json_object_del(s, "dialect");
	json_object_del(s, "$schema");
	json_object_set_new(s, "missingValues", json_pack("[s]", ""));
	json_t *fields = json_object_get(s, "fields");
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		const char *type = json_string_value(json_object_get(f, "type"));
		const char *fmt = json_string_value(json_object_get(f, "format"));
		for (size_t k = 0; k < sizeof source_only_keys / sizeof source_only_keys[0]; k++) {
			/* string formats (email, uri, ...) describe values, not spelling: keep
			 * them. */
			if (strcmp(source_only_keys[k], "format") == 0 && type &&
			    (strcmp(type, "string") == 0 || strcmp(type, "geopoint") == 0 ||
			     strcmp(type, "geojson") == 0) &&
			    fmt)
				continue;
			json_object_del(f, source_only_keys[k]);
		}
	}
	return s;
}

static json_t *dialect_json(const kp_catalog_opts *o)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:b}", "delimiter", ",", "lineTerminator",
			 o->eol, "quoteChar", "\"", "doubleQuote", 1, "header", 1,
			 "skipInitialSpace", 0);
}

/* The JSON Schema shipped for a table's JSON file: <package folder>/json/<name>.schema.json
 * (schemas/kanazawa-plan/json/), or NULL when there is none. */
static json_t *shipped_json_schema(const kp_package *pkg, const kp_resource *r)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/json/%s.schema.json", pkg->dir ? pkg->dir : ".",
			 r->name);
	if (n < 0 || (size_t)n >= sizeof path)
		return NULL;
	json_t *j = json_load_file(path, 0, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

json_t *kp_catalog_package_json(const kp_package *pkg, const kp_catalog_file *files, size_t nfiles,
				const kp_catalog_opts *o)
{
	json_t *out = json_object();
	if (!out)
		return NULL;
	const char *key;
	json_t *v;
	json_object_foreach(pkg->json, key, v)
	{
		if (strcmp(key, "resources") == 0)
			continue;
		json_object_set(out, key, v);
	}
	json_object_set_new(out, "profile", json_string("data-package"));
	if (o->date) {
		char created[40];
		snprintf(created, sizeof created, "%sT00:00:00Z", o->date);
		json_object_set_new(out, "created", json_string(created));
	}
	json_t *res = json_array();
	json_object_set_new(out, "resources", res);
	for (size_t i = 0; i < nfiles; i++) {
		const kp_catalog_file *f = &files[i];
		char name[256], hash[80];
		const char *dot = strrchr(f->name, '.');
		size_t stem = dot ? (size_t)(dot - f->name) : strlen(f->name);
		/* Resource names: the table's name for its CSV (what validators look up),
		 * "<name>-<format>" for the other files. */
		if (f->res && strcmp(f->format, "csv") == 0)
			snprintf(name, sizeof name, "%s", f->res->name);
		else if (f->res)
			snprintf(name, sizeof name, "%s-%s", f->res->name, f->format);
		else
			snprintf(name, sizeof name, "%.*s-%s", (int)stem, f->name, f->format);
		snprintf(hash, sizeof hash, "sha256:%s", f->sha256);
		json_t *r = json_object();
		json_object_set_new(r, "name", json_string(name));
		json_object_set_new(r, "path", json_string(f->name));
		char title[512], desc[2048];
		file_text(pkg, f, title, sizeof title, desc, sizeof desc);
		json_object_set_new(r, "title", json_string(title));
		json_object_set_new(r, "description", json_string(desc));
		int tabular = f->res && strcmp(f->format, "csv") == 0;
		json_object_set_new(
		    r, "profile", json_string(tabular ? "tabular-data-resource" : "data-resource"));
		json_object_set_new(
		    r, "format", json_string(strcmp(f->format, "csvw") == 0 ? "json" : f->format));
		json_object_set_new(r, "mediatype", json_string(f->mediatype));
		json_object_set_new(r, "encoding", json_string("utf-8"));
		json_object_set_new(r, "bytes", json_integer(f->bytes));
		json_object_set_new(r, "hash", json_string(hash));
		if (tabular) {
			json_t *d = dialect_json(o);
			/* L3-08: say whether the file starts with a byte order mark. */
			json_object_set_new(d, "byteOrderMark", json_boolean(o->bom));
			json_object_set_new(r, "dialect", d);
			json_t *s = kp_catalog_export_schema(f->res);
			if (s)
				json_object_set_new(r, "schema", s);
		}
		if (f->res && strcmp(f->format, "json") == 0) {
			/* The JSON file's own schema, so consumers can validate it.  Embedded like
			 * the CSV files' Table Schema (the descriptor stays self-contained; its
			 * "$id" names the published original).  "jsonSchema", not "schema": a
			 * Data Package reader takes "schema" for a Table Schema. */
			json_t *js = shipped_json_schema(pkg, f->res);
			if (js)
				json_object_set_new(r, "jsonSchema", js);
		}
		json_array_append_new(res, r);
	}
	return out;
}

/* Table Schema type → CSVW datatype base. */
static const struct {
	const char *type, *csvw;
} csvw_types[] = {
    {"string", "string"},     {"integer", "integer"}, {"number", "decimal"},
    {"boolean", "boolean"},   {"date", "date"},	      {"time", "time"},
    {"datetime", "datetime"}, {"year", "gYear"},      {"yearmonth", "gYearMonth"},
    {"duration", "duration"},
};

static const char *csvw_type(const char *type)
{
	for (size_t i = 0; type && i < sizeof csvw_types / sizeof csvw_types[0]; i++)
		if (strcmp(csvw_types[i].type, type) == 0)
			return csvw_types[i].csvw;
	return "string";
}

static void set_iri(json_t *obj, const char *key, const char *name, const kp_wopts *p)
{
	if (!name)
		return;
	char *full = kp_write_rdf_expand_name(p, name);
	if (full)
		json_object_set_new(obj, key, json_string(full));
	free(full);
}

json_t *kp_catalog_csvw(const kp_package *pkg, const kp_resource *r, const kp_wtable *t,
			const char *csv_name, const kp_wopts *prefixes, const kp_catalog_opts *o)
{
	(void)pkg;
	json_t *m = json_object();
	json_object_set_new(m, "@context", json_string("http://www.w3.org/ns/csvw"));
	json_object_set_new(m, "url", json_string(csv_name));
	if (r->title)
		json_object_set_new(m, "dc:title", json_string(r->title));
	if (r->description)
		json_object_set_new(m, "dc:description", json_string(r->description));
	json_object_set_new(m, "dialect",
			    json_pack("{s:s, s:[s], s:s, s:s, s:b, s:b, s:i}", "encoding", "utf-8",
				      "lineTerminators", o->eol, "delimiter", ",", "quoteChar",
				      "\"", "doubleQuote", 1, "header", 1, "headerRowCount", 1));
	json_t *schema = json_object();
	json_t *cols = json_array();
	json_object_set_new(m, "tableSchema", schema);
	json_object_set_new(schema, "columns", cols);
	const kp_schema *s = r->schema;
	for (size_t i = 0; i < t->ncols; i++) {
		const kp_wcol *c = &t->cols[i];
		json_t *col = json_object();
		json_object_set_new(col, "name", json_string(c->name));
		if (c->is_virtual) {
			json_object_set_new(col, "virtual", json_true());
		} else {
			const kp_field *f = &s->fields[i];
			json_object_set_new(
			    col, "titles",
			    json_string(o->header_titles && c->title ? c->title : c->name));
			const char *type = json_string_value(json_object_get(f->json, "type"));
			if (f->type == KP_TYPE_LIST)
				type = kp_cast_type_name(f->item_type);
			json_object_set_new(col, "datatype", json_string(csvw_type(type)));
			if (f->constraints.required)
				json_object_set_new(col, "required", json_true());
			if (f->description)
				json_object_set_new(col, "dc:description",
						    json_string(f->description));
			if (c->separator)
				json_object_set_new(col, "separator", json_string(c->separator));
			if (c->lang && c->kind == KP_WK_STRING)
				json_object_set_new(col, "lang", json_string(c->lang));
		}
		if (c->about_url)
			set_iri(col, "aboutUrl", c->about_url, prefixes);
		if (c->property_url)
			set_iri(col, "propertyUrl", c->property_url, prefixes);
		else if (!c->is_virtual)
			json_object_set_new(col, "suppressOutput", json_true());
		if (c->value_url)
			set_iri(col, "valueUrl", c->value_url, prefixes);
		json_array_append_new(cols, col);
	}
	/* The rows' classes: CSVW says "a" with virtual columns. */
	for (const char *p = t->row_type; p && *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n == 0)
			break;
		char cls[512];
		snprintf(cls, sizeof cls, "%.*s", (int)n, p);
		json_t *col = json_object();
		json_object_set_new(col, "virtual", json_true());
		json_object_set_new(col, "propertyUrl", json_string("rdf:type"));
		set_iri(col, "valueUrl", cls, prefixes);
		json_array_append_new(cols, col);
		p += n;
	}
	if (t->about_url)
		set_iri(schema, "aboutUrl", t->about_url, prefixes);
	if (s->primary_key.len) {
		json_t *pk = json_array();
		for (size_t i = 0; i < s->primary_key.len; i++)
			json_array_append_new(pk,
					      json_string(s->fields[s->primary_key.idx[i]].name));
		json_object_set_new(schema, "primaryKey", pk);
	}
	return m;
}
