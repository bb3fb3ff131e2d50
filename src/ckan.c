#include "i18n.h"
#include "ckan.h"
#include "ckan_call.h"
#include "datastore.h"
#include "relink.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SPDX_SHA256 "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"

/* ---- desired state ---------------------------------------------------------------- */

int kp_ckan_valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n < 2 || n > 100)
		return 0;
	for (const char *p = name; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' ||
		      *p == '_'))
			return 0;
	return strcmp(name, "new") && strcmp(name, "edit") && strcmp(name, "search");
}

int kp_ckan_default_name(const kp_upload_pkg *pkg, char *out, size_t outsz)
{
	const char *lg = kp_upload_pkg_str(pkg, "dcat.lg_code");
	const char *name = kp_upload_pkg_str(pkg, "name");
	if (!lg || !*lg || !name || !*name)
		return -1;
	int n = snprintf(out, outsz, "%s-%s", lg, name);
	if (n < 0 || (size_t)n >= outsz)
		return -1;
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return kp_ckan_valid_name(out) ? 0 : -1;
}

/* Top-level dataset fields taken from the descriptor: CKAN key ← dotted source. */
static const struct {
	const char *key, *src;
} dataset_fields[] = {
    {"title", "title"},
    {"notes", "description"},
    {"url", "dcat.landing_page"},
    {"version", "version"},
    {"author", "dcat.author"},
    {"maintainer", "dcat.contact.name"},
    {"maintainer_email", "dcat.contact.email"},
};

/* DCAT-GoJ items kept as extras, under the keys ckanext-dcat's profiles read. */
static const struct {
	const char *key, *src;
} extra_fields[] = {
    {"publisher_name", "publisher"},
    {"contact_name", "contact.name"},
    {"contact_email", "contact.email"},
    {"contact_uri", "contact.url"},
    {"issued", "issued"},
    {"modified", "modified"},
    {"frequency", "frequency"},
    {"spatial_uri", "spatial"},
    {"spatial_text", "spatial_label"},
    {"temporal_start", "temporal_start"},
    {"temporal_end", "temporal_end"},
    {"theme", "theme"},
    {"language", "language"},
    {"lg_code", "lg_code"},
    {"lg_name", "lg_name"},
};

static const json_t *dotted(const json_t *o, const char *path)
{
	char key[64];
	for (;;) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		if (!path[n] || !o)
			return o;
		path += n + 1;
	}
}

/* A descriptor value as an extra's string: strings as they are, anything else
 * (a language list, a number) as compact JSON, which ckanext-dcat also accepts. */
static json_t *as_text(const json_t *v)
{
	if (json_is_string(v))
		return json_string_length(v) ? json_incref(kp_ck_unconst(v)) : NULL;
	if (!v || json_is_null(v))
		return NULL;
	char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_t *s = d ? json_string(d) : NULL;
	free(d);
	return s;
}

static int has_tag(const json_t *tags, const char *name)
{
	size_t i;
	const json_t *t;
	json_array_foreach(tags, i, t)
	{
		const char *n = kp_ck_str(t, "name");
		if (n && strcmp(n, name) == 0)
			return 1;
	}
	return 0;
}

static void add_tag(json_t *tags, const char *name)
{
	if (!has_tag(tags, name))
		json_array_append_new(tags, json_pack("{s:s}", "name", name));
}

/* A table of a standard dataset (its schema's "standard", see schemas/standard/) gets
 * the tags aggregators such as BODIK recognise it by: 自治体標準ODS (推奨データセット for
 * the old layout) and the dataset's name without 一覧 ("AED設置箇所"). */
static void add_standard_tags(const json_t *root, json_t *tags)
{
	size_t i;
	const json_t *r;
	json_array_foreach(json_object_get(root, "resources"), i, r)
	{
		const json_t *st = json_object_get(json_object_get(r, "schema"), "standard");
		const char *name = kp_ck_str(st, "name"), *gen = kp_ck_str(st, "generation");
		if (!name || !gen)
			continue;
		add_tag(tags, strcmp(gen, "new") == 0 ? "自治体標準ODS" : "推奨データセット");
		char tag[200];
		size_t n = strlen(name), suffix = strlen("一覧");
		if (n > suffix && strcmp(name + n - suffix, "一覧") == 0)
			n -= suffix;
		snprintf(tag, sizeof tag, "%.*s", (int)n, name);
		add_tag(tags, tag);
	}
}

json_t *kp_ckan_desired(const kp_upload_pkg *pkg, const char *name, const char *org_id)
{
	json_t *d = json_object();
	json_object_set_new(d, "name", json_string(name));
	json_object_set_new(d, "owner_org", json_string(org_id));
	for (size_t i = 0; i < sizeof dataset_fields / sizeof dataset_fields[0]; i++) {
		json_t *v = as_text(dotted(pkg->root, dataset_fields[i].src));
		if (v)
			json_object_set_new(d, dataset_fields[i].key, v);
	}
	const json_t *lic = json_array_get(json_object_get(pkg->root, "licenses"), 0);
	if (kp_ck_str(lic, "name") && *kp_ck_str(lic, "name"))
		json_object_set_new(d, "license_id", json_string(kp_ck_str(lic, "name")));
	json_t *tags = json_array();
	size_t i;
	const json_t *k;
	json_array_foreach(json_object_get(pkg->root, "keywords"), i, k)
	{
		if (json_is_string(k) && json_string_length(k))
			json_array_append_new(tags, json_pack("{s:O}", "name", k));
	}
	add_standard_tags(pkg->root, tags);
	json_object_set_new(d, "tags", tags);
	json_t *extras = json_array();
	const json_t *dcat = json_object_get(pkg->root, "dcat");
	for (size_t e = 0; e < sizeof extra_fields / sizeof extra_fields[0]; e++) {
		json_t *v = as_text(dotted(dcat, extra_fields[e].src));
		if (v)
			json_array_append_new(
			    extras, json_pack("{s:s,s:o}", "key", extra_fields[e].key, "value", v));
	}
	json_object_set_new(d, "extras", extras);
	return d;
}

static int str_eq(const json_t *a, const json_t *b)
{
	const char *x = json_is_string(a) ? json_string_value(a) : "";
	const char *y = json_is_string(b) ? json_string_value(b) : "";
	return !strcmp(x, y);
}

/* Same members regardless of order: each object of want has one in have that agrees on
 * `key` and, when given, `value_key` (tags compare by name, extras by key and value). */
static int set_eq(const json_t *want, const json_t *have, const char *key, const char *value_key)
{
	if (json_array_size(want) != json_array_size(have))
		return 0;
	size_t i, j;
	const json_t *w, *h;
	json_array_foreach(want, i, w)
	{
		int found = 0;
		json_array_foreach(have, j, h) found |=
		    str_eq(json_object_get(w, key), json_object_get(h, key)) &&
		    (!value_key || str_eq(json_object_get(w, value_key), json_object_get(h, value_key)));
		if (!found)
			return 0;
	}
	return 1;
}

static void add_changed(char *changed, size_t sz, const char *key)
{
	if (!changed)
		return;
	size_t n = strlen(changed);
	snprintf(changed + n, sz > n ? sz - n : 0, "%s%s", n ? ", " : "", key);
}

json_t *kp_ckan_diff(const json_t *desired, const json_t *current, char *changed, size_t sz)
{
	json_t *patch = json_object();
	if (changed && sz)
		changed[0] = '\0';
	const char *key;
	json_t *want;
	json_object_foreach(kp_ck_unconst(desired), key, want)
	{
		const json_t *have = json_object_get(current, key);
		int same;
		if (!strcmp(key, "name"))
			continue; /* the dataset was found by this name */
		if (!strcmp(key, "tags"))
			same = set_eq(want, have, "name", NULL);
		else if (!strcmp(key, "extras"))
			same = set_eq(want, have, "key", "value");
		else
			same = str_eq(want, have);
		if (!same) {
			json_object_set(patch, key, want);
			add_changed(changed, sz, key);
		}
	}
	const char *state = kp_ck_str(current, "state");
	if (state && strcmp(state, "active")) {
		json_object_set_new(patch, "state", json_string("active"));
		add_changed(changed, sz, "state");
	}
	return patch;
}

const json_t *kp_ckan_find_resource(const json_t *current, const char *name, size_t *count)
{
	const json_t *first = NULL;
	size_t n = 0, i;
	const json_t *r;
	json_array_foreach(json_object_get(current, "resources"), i, r)
	{
		const char *k = kp_ck_str(r, "kplan_name");
		const char *state = kp_ck_str(r, "state");
		if (k && !strcmp(k, name) && (!state || !strcmp(state, "active"))) {
			if (!first)
				first = r;
			n++;
		}
	}
	if (count)
		*count = n;
	return first;
}

static long long size_of(const json_t *res)
{
	const json_t *s = json_object_get(res, "size");
	if (json_is_integer(s))
		return json_integer_value(s);
	if (json_is_string(s) && *json_string_value(s)) {
		char *end;
		long long v = strtoll(json_string_value(s), &end, 10);
		return *end ? -1 : v;
	}
	return -1;
}

int kp_ckan_resource_same(const json_t *res, const kp_upload_file *f)
{
	if (size_of(res) != f->bytes)
		return 0;
	const char *ours = kp_ck_str(res, "kplan_sha256");
	const char *hash = kp_ck_str(res, "hash");
	return (ours && !strcasecmp(ours, f->sha256)) || (hash && !strcasecmp(hash, f->sha256));
}

/* The resource fields kplan manages besides the file, as the package says. */
static json_t *resource_meta(const kp_upload_file *f)
{
	json_t *m = json_object();
	json_object_set_new(m, "name", json_string(f->title && *f->title ? f->title : f->name));
	if (f->description)
		json_object_set_new(m, "description", json_string(f->description));
	if (f->format)
		json_object_set_new(m, "format", json_string(f->format));
	if (f->mediatype)
		json_object_set_new(m, "mimetype", json_string(f->mediatype));
	return m;
}

json_t *kp_ckan_resource_meta_diff(const json_t *res, const kp_upload_file *f)
{
	json_t *want = resource_meta(f);
	json_t *patch = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(want, key, v)
	{
		const json_t *have = json_object_get(res, key);
		/* CKAN normalises formats (csv → CSV) */
		int same = !strcmp(key, "format")
			       ? json_is_string(have) &&
				     !strcasecmp(json_string_value(v), json_string_value(have))
			       : str_eq(v, have);
		if (!same)
			json_object_set(patch, key, v);
	}
	json_decref(want);
	return patch;
}

/* Multipart parts for a resource upload: every value is a flat string (multipart
 * cannot nest), the file is a streamed part named "upload".  size is never sent:
 * some CKAN versions would keep a client-sent size instead of measuring. */
static size_t upload_parts(kp_http_part *p, const char *idkey, const char *id,
			   const kp_upload_file *f, const json_t *meta, const char *issued,
			   const char *modified)
{
	size_t n = 0;
	p[n++] = (kp_http_part){.name = idkey, .value = id};
	const char *key;
	json_t *v;
	json_object_foreach(kp_ck_unconst(meta), key, v) p[n++] =
	    (kp_http_part){.name = key, .value = json_string_value(v)};
	p[n++] = (kp_http_part){.name = "hash", .value = f->sha256};
	p[n++] = (kp_http_part){.name = "hash_algorithm", .value = SPDX_SHA256};
	p[n++] = (kp_http_part){.name = "kplan_sha256", .value = f->sha256};
	p[n++] = (kp_http_part){.name = "kplan_name", .value = f->name};
	/* the dates the published DCAT record gives this file (portal_links) */
	if (issued)
		p[n++] = (kp_http_part){.name = "kplan_issued", .value = issued};
	if (modified)
		p[n++] = (kp_http_part){.name = "kplan_modified", .value = modified};
	p[n++] = (kp_http_part){
	    .name = "upload", .file_path = f->path, .file_name = f->file, .type = f->mediatype};
	return n;
}

/* The portal must have stored exactly our bytes. */
static int check_stored(kp_ck *c, const json_t *res, const kp_upload_file *f)
{
	if (kp_ckan_resource_same(res, f))
		return KP_UPLOAD_OK;
	char why[160];
	snprintf(why, sizeof why, _("stored size %lld and digest %.12s…, expected %lld and %.12s…"),
		 size_of(res), kp_ck_str(res, "kplan_sha256") ? kp_ck_str(res, "kplan_sha256") : "(none)",
		 f->bytes, f->sha256);
	return kp_ck_fail(c, KP_UPLOAD_NET, "the portal did not store resource", f->name, why);
}

enum res_action { RA_SKIP, RA_META, RA_UPLOAD, RA_CREATE };

struct res_plan {
	enum res_action act;
	char *id;     /* owned resource id for META/UPLOAD */
	json_t *meta; /* owned metadata to send */
	long step;
	/* An RDF file is published with its links rewritten to the portal's URLs
	 * (relink.h): pub is the file as published, a copy whose path is pub_path. */
	kp_upload_file pub;
	char *pub_path;	  /* owned temporary file, or NULL */
	int relink_after; /* the URLs are known only once the other files are stored */
};

/* Decides what a file needs, from the dataset as shown. */
static int plan_resource(kp_ck *c, const json_t *pkg, const kp_upload_file *f,
			 struct res_plan *rp)
{
	size_t count = 0;
	const json_t *res = pkg ? kp_ckan_find_resource(pkg, f->name, &count) : NULL;
	if (count > 1) {
		char why[120];
		snprintf(why, sizeof why,
			 _("%zu resources carry it; remove the extra ones on the portal"), count);
		return kp_ck_fail(c, KP_UPLOAD_NET, "the dataset holds resource", f->name, why);
	}
	free(rp->id);
	json_decref(rp->meta);
	rp->id = NULL;
	rp->meta = NULL;
	if (!res) {
		rp->act = RA_CREATE;
		rp->meta = resource_meta(f);
		return KP_UPLOAD_OK;
	}
	const char *id = kp_ck_str(res, "id");
	if (!id)
		return kp_ck_fail(c, KP_UPLOAD_NET, "the portal's resource has no id", f->name, NULL);
	rp->id = strdup(id);
	if (!kp_ckan_resource_same(res, f)) {
		rp->act = RA_UPLOAD;
		rp->meta = resource_meta(f);
		return KP_UPLOAD_OK;
	}
	rp->meta = kp_ckan_resource_meta_diff(res, f);
	rp->act = json_object_size(rp->meta) ? RA_META : RA_SKIP;
	return KP_UPLOAD_OK;
}

/* True when the package has a file whose resource name is name. */
static int in_package(const kp_upload_pkg *pkg, const char *name)
{
	for (size_t i = 0; i < pkg->nfiles; i++)
		if (!strcmp(pkg->files[i].name, name))
			return 1;
	return 0;
}

static char *keys_of(const json_t *o)
{
	char buf[300] = "";
	const char *k;
	json_t *v;
	json_object_foreach(kp_ck_unconst(o), k, v) add_changed(buf, sizeof buf, k);
	return strdup(buf);
}

static long add_res_step(kp_ck *c, const kp_upload_file *f, struct res_plan *rp)
{
	char detail[200];
	switch (rp->act) {
	case RA_SKIP:
		return kp_upload_report_add(c->rep, N_("skip"), N_("resource"), f->name,
					    N_("same size and SHA-256"), 0);
	case RA_META: {
		char *k = keys_of(rp->meta);
		long s = kp_upload_report_add(c->rep, N_("patch"), N_("resource"), f->name, k, 1);
		free(k);
		return s;
	}
	case RA_UPLOAD:
		snprintf(detail, sizeof detail, _("%s, %lld bytes, file differs"), f->file, f->bytes);
		return kp_upload_report_add(c->rep, N_("upload"), N_("resource"), f->name, detail, 1);
	case RA_CREATE:
		snprintf(detail, sizeof detail, _("%s, %lld bytes"), f->file, f->bytes);
		return kp_upload_report_add(c->rep, N_("create"), N_("resource"), f->name, detail, 1);
	}
	return -1;
}

/* Carries out one resource step.  A create whose outcome is uncertain is followed by
 * a package_show: found with our bytes → done; found otherwise → upload onto it;
 * absent → create again (only if the failure was of the retryable kind). */
static int do_resource(kp_ck *c, const char *pkg_id, const kp_upload_file *f,
		       struct res_plan *rp)
{
	kp_http_part parts[16];
	kp_ck_answer a;
	for (int attempt = 1;; attempt++) {
		if (rp->act == RA_SKIP)
			return KP_UPLOAD_OK;
		if (rp->act == RA_META) {
			json_t *body = json_deep_copy(rp->meta);
			json_object_set_new(body, "id", json_string(rp->id));
			int o = kp_ck_call(c, "resource_patch", KP_CK_PATCH, NULL, body, NULL, 0, &a);
			json_decref(body);
			if (o != KP_CK_OK)
				return kp_ck_fail(c, KP_UPLOAD_NET, "cannot update resource", f->name,
					    a.why);
			json_decref(a.result);
			return KP_UPLOAD_OK;
		}
		int create = rp->act == RA_CREATE;
		const char *today = c->o->today;
		size_t n = create ? upload_parts(parts, "package_id", pkg_id, f, rp->meta, today, today)
				  : upload_parts(parts, "id", rp->id, f, rp->meta, NULL, today);
		int o = kp_ck_call(c, create ? "resource_create" : "resource_patch",
			     create ? KP_CK_CREATE : KP_CK_PATCH, NULL, NULL, parts, n, &a);
		if (o == KP_CK_OK) {
			int st = check_stored(c, a.result, f);
			json_decref(a.result);
			return st;
		}
		if (o == KP_CK_FAIL)
			return kp_ck_fail(c, KP_UPLOAD_NET,
				    create ? N_("cannot create resource") : N_("cannot upload resource"),
				    f->name, a.why);
		/* Uncertain create: look before doing anything else. */
		char why[sizeof a.why];
		memcpy(why, a.why, sizeof why);
		int retry_ok = a.retry_ok;
		json_t *pkg;
		if (kp_ck_show(c, &pkg, &a) != KP_CK_OK)
			return kp_ck_fail(c, KP_UPLOAD_NET,
				    "cannot check the dataset after a failed create of", f->name,
				    a.why);
		int st = plan_resource(c, pkg, f, rp);
		json_decref(pkg);
		if (st != KP_UPLOAD_OK)
			return st;
		if (rp->act == RA_SKIP || rp->act == RA_META)
			continue; /* the create did happen */
		if (!retry_ok || attempt >= c->o->retry.max_attempts)
			return kp_ck_fail(c, KP_UPLOAD_NET, "cannot create resource", f->name, why);
		c->rep->retries++;
		kp_upload_backoff(&c->o->retry, attempt);
	}
}

/* ---- the published RDF's links ------------------------------------------------------ */

/* RDF files carry the DCAT record whose links must be the portal's. */
static int is_rdf(const kp_upload_file *f)
{
	return (f->format && !strcasecmp(f->format, "rdf")) ||
	       (f->mediatype && !strcasecmp(f->mediatype, "application/rdf+xml"));
}

/* Length of "scheme://host[:port]/" at the start of url, or 0. */
static size_t site_len(const char *url)
{
	const char *p = url ? strstr(url, "://") : NULL;
	const char *slash = p ? strchr(p + 3, '/') : NULL;
	return slash ? (size_t)(slash - url) + 1 : 0;
}

static char *cat3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

/* Adds the pair a+b → c+d. */
static int add_link(kp_relink *m, const char *a, const char *b, const char *c, const char *d)
{
	char *from = cat3(a, b, ""), *to = cat3(c, d, "");
	int rc = from && to ? kp_relink_add(m, from, to) : -1;
	free(from);
	free(to);
	return rc;
}

/* A resource's dates for the record: kplan_issued and kplan_modified as the upload
 * set them, else CKAN's own (created, last_modified), else today. */
static void res_dates(const kp_ck *c, const json_t *res, char issued[11], char modified[11])
{
	const char *i = kp_ck_str(res, "kplan_issued"), *m = kp_ck_str(res, "kplan_modified");
	if (!i)
		i = kp_ck_str(res, "created");
	if (!m)
		m = kp_ck_str(res, "last_modified");
	snprintf(issued, 11, "%.10s", i && strlen(i) >= 10 ? i : c->o->today);
	snprintf(modified, 11, "%.10s", m && strlen(m) >= 10 ? m : issued);
}

/* The links of the exported RDF (catalog.c writes them from dcat.download_base and
 * dcat.landing_page) → the portal's: each file's download URL → its resource's url;
 * each distribution IRI → the resource's page; and, when the landing page is on the
 * portal's site, the dataset IRI and landing page → the dataset's page and the catalog
 * IRI → the portal.  A landing page elsewhere is the city's own page and stays.
 * Returns 0, 1 when a file of the package has no resource in pj yet, or -1 without
 * memory. */
static int portal_links(const kp_ck *c, const kp_upload_pkg *pkg, const json_t *pj,
			const kp_upload_file *self, int self_today, kp_relink *m)
{
	const char *landing = kp_upload_pkg_str(pkg, "dcat.landing_page");
	const char *base = kp_upload_pkg_str(pkg, "dcat.download_base");
	char ds[2048] = "", dl[2048] = "";
	if (landing)
		snprintf(ds, sizeof ds, "%s", landing);
	for (size_t n = strlen(ds); n && ds[n - 1] == '/';)
		ds[--n] = '\0';
	if (base)
		snprintf(dl, sizeof dl, "%s%s", base,
			 *base && base[strlen(base) - 1] == '/' ? "" : "/");
	char *res_iri = cat3(ds, "/resource/", ""), *res_page = cat3(c->page, "/resource/", "");
	int rc = res_iri && res_page ? 0 : -1;
	for (size_t i = 0; i < pkg->nfiles && !rc; i++) {
		const kp_upload_file *f = &pkg->files[i];
		size_t count;
		const json_t *res = kp_ckan_find_resource(pj, f->name, &count);
		const char *url = kp_ck_str(res, "url"), *rid = kp_ck_str(res, "id");
		if (!url || !rid || !*url) {
			rc = 1;
			break;
		}
		/* a file's dates: when the portal first got it, when its bytes last changed;
		 * the record itself changed today when it is to be stored anew */
		char issued[11], modified[11], *about = cat3(res_iri, f->file, "");
		res_dates(c, res, issued, modified);
		if ((base && add_link(m, dl, f->file, url, "")) ||
		    (landing && add_link(m, res_iri, f->file, res_page, rid)) || !about ||
		    kp_relink_add_dates(m, about, issued,
					f == self && self_today ? c->o->today : modified))
			rc = -1;
		free(about);
	}
	if (!rc && landing && c->modified[0] && kp_relink_add_dates(m, ds, NULL, c->modified))
		rc = -1;
	if (!rc && c->landing_on_portal) {
		char site[2048];
		snprintf(site, sizeof site, "%.*s", (int)site_len(landing), landing);
		if (kp_relink_add(m, landing, c->page) || kp_relink_add(m, ds, c->page) ||
		    kp_relink_add(m, site, c->root))
			rc = -1;
	}
	free(res_iri);
	free(res_page);
	return rc;
}

static void drop_pub(struct res_plan *rp)
{
	if (rp->pub_path) {
		remove(rp->pub_path);
		free(rp->pub_path);
	}
	rp->pub_path = NULL;
	memset(&rp->pub, 0, sizeof rp->pub);
}

/* Makes rp->pub: the RDF file f with the links of the resources in pj.  Returns
 * KP_UPLOAD_OK (with *missing set when some file has no resource in pj yet, and no
 * copy made) or an error status. */
static int relink_rdf(kp_ck *c, const kp_upload_pkg *pkg, const json_t *pj,
		      const kp_upload_file *f, int self_today, struct res_plan *rp, int *missing)
{
	kp_relink m;
	kp_relink_init(&m);
	drop_pub(rp);
	*missing = 0;
	int r = portal_links(c, pkg, pj, f, self_today, &m), st = KP_UPLOAD_OK;
	char *path = NULL;
	size_t n;
	if (r < 0) {
		st = kp_ck_fail(c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
	} else if (r > 0) {
		*missing = 1;
	} else if (kp_relink_file(&m, f->path, &path, &n, c->err)) {
		st = KP_UPLOAD_IO;
	} else {
		rp->pub = *f;
		rp->pub.path = rp->pub_path = path;
		if (kp_files_sha256_file(path, NULL, rp->pub.sha256, &rp->pub.bytes, c->err)) {
			drop_pub(rp);
			st = KP_UPLOAD_IO;
		}
	}
	kp_relink_release(&m);
	return st;
}

/* Plans the relinked copy in rp->pub: when it differs from what the portal holds, it
 * is stored anew, and so its own dct:modified is today's. */
static int plan_relinked(kp_ck *c, const kp_upload_pkg *pkg, const json_t *pj,
			 const kp_upload_file *f, struct res_plan *rp)
{
	int st = plan_resource(c, pj, &rp->pub, rp), missing;
	if (st || (rp->act != RA_UPLOAD && rp->act != RA_CREATE))
		return st;
	if ((st = relink_rdf(c, pkg, pj, f, 1, rp, &missing)) || missing)
		return st;
	return plan_resource(c, pj, &rp->pub, rp);
}

/* Plans an RDF file.  When every file already has its resource and none of them is
 * to be stored anew, the links are known now: the relinked copy is compared with
 * what the portal holds.  Otherwise the RDF must change anyway (its digests or links
 * do), and it is relinked once the other files are stored. */
static int plan_rdf(kp_ck *c, const kp_upload_pkg *pkg, const json_t *cur,
		    const kp_upload_file *f, int files_change, struct res_plan *rp)
{
	int missing = 1, st;
	if (cur && !files_change && (st = relink_rdf(c, pkg, cur, f, 0, rp, &missing)))
		return st;
	if (!missing)
		return plan_relinked(c, pkg, cur, f, rp);
	if ((st = plan_resource(c, cur, f, rp)) != KP_UPLOAD_OK)
		return st;
	if (rp->act != RA_CREATE) {
		rp->act = RA_UPLOAD;
		json_decref(rp->meta);
		rp->meta = resource_meta(f);
	}
	rp->relink_after = 1;
	return KP_UPLOAD_OK;
}

/* The dataset's modified as published: the package's dcat.modified, or the day a data
 * file last changed when that is later: today when this run stores one anew, else the
 * latest kplan_modified the portal holds.  Set in c->modified and in desired's extras,
 * so the portal's field and the published record agree. */
static void data_modified(kp_ck *c, const kp_upload_pkg *pkg, const json_t *cur,
			  json_t *desired)
{
	const char *declared = kp_upload_pkg_str(pkg, "dcat.modified");
	snprintf(c->modified, sizeof c->modified, "%.10s", declared ? declared : "");
	for (size_t i = 0; i < pkg->nfiles; i++) {
		const kp_upload_file *f = &pkg->files[i];
		if (is_rdf(f))
			continue;
		size_t count;
		const json_t *res = cur ? kp_ckan_find_resource(cur, f->name, &count) : NULL;
		char issued[11], changed[11];
		if (!res || !kp_ckan_resource_same(res, f))
			snprintf(changed, sizeof changed, "%s", c->o->today);
		else
			res_dates(c, res, issued, changed);
		if (strcmp(changed, c->modified) > 0)
			memcpy(c->modified, changed, sizeof changed);
	}
	if (!c->modified[0])
		return;
	json_t *extras = json_object_get(desired, "extras");
	size_t i;
	json_t *e;
	json_array_foreach(extras, i, e) if (!strcmp(kp_ck_str(e, "key") ? kp_ck_str(e, "key") : "",
						    "modified"))
	{
		json_object_set_new(e, "value", json_string(c->modified));
		return;
	}
	json_array_append_new(extras, json_pack("{s:s,s:s}", "key", "modified", "value", c->modified));
}

/* An RDF file whose links were not known at planning: created first as exported when
 * its resource is missing (its own URL is then known), relinked from the dataset as
 * it now stands, and stored unless the portal already holds that copy. */
static int store_relinked(kp_ck *c, const kp_upload_pkg *pkg, const char *pkg_id,
			  const kp_upload_file *f, struct res_plan *rp)
{
	kp_ck_answer a;
	json_t *now = NULL;
	int st, missing;
	if (rp->act == RA_CREATE && (st = do_resource(c, pkg_id, f, rp)) != KP_UPLOAD_OK)
		return st;
	if (kp_ck_show(c, &now, &a) != KP_CK_OK)
		return kp_ck_fail(c, KP_UPLOAD_NET, "cannot look up dataset", c->o->dataset, a.why);
	st = relink_rdf(c, pkg, now, f, 0, rp, &missing);
	if (st == KP_UPLOAD_OK && missing)
		st = kp_ck_fail(c, KP_UPLOAD_NET, "the portal's dataset lacks a resource for a file of",
			     f->name, NULL);
	if (st == KP_UPLOAD_OK)
		st = plan_relinked(c, pkg, now, f, rp);
	json_decref(now);
	return st == KP_UPLOAD_OK ? do_resource(c, pkg_id, &rp->pub, rp) : st;
}

int kp_ckan_publish(kp_http *h, const kp_ckan_opts *o, const kp_upload_pkg *pkg,
		    kp_upload_report *rep, kp_diag *err)
{
	kp_ck c = {.h = h, .o = o, .rep = rep, .err = err};
	kp_ck_answer a;
	json_t *cur = NULL, *desired = NULL, *patch = NULL;
	struct res_plan *rp = calloc(pkg->nfiles, sizeof *rp);
	char *org_id = NULL;
	kp_ds_plan *ds = NULL;
	char **stale = NULL; /* owned ids of resources to delete */
	long *stale_step = NULL;
	size_t nstale = 0;
	int st = KP_UPLOAD_OK;
	size_t pl = strlen(o->portal);
	while (pl && o->portal[pl - 1] == '/')
		pl--;
	c.api = malloc(pl + sizeof "/api/3/action/");
	if (!rp || !c.api) {
		st = kp_ck_fail(&c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
		goto out;
	}
	snprintf(c.api, pl + sizeof "/api/3/action/", "%.*s/api/3/action/", (int)pl, o->portal);
	size_t rl = pl + 2, gl = pl + strlen(o->dataset) + sizeof "/dataset/";
	c.root = malloc(rl);
	c.page = malloc(gl);
	if (!c.root || !c.page) {
		st = kp_ck_fail(&c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
		goto out;
	}
	snprintf(c.root, rl, "%.*s/", (int)pl, o->portal);
	snprintf(c.page, gl, "%.*s/dataset/%s", (int)pl, o->portal, o->dataset);
	const char *landing = kp_upload_pkg_str(pkg, "dcat.landing_page");
	size_t ll = site_len(landing);
	c.landing_on_portal = ll && ll == site_len(c.root) && !strncasecmp(landing, c.root, ll);

	/* 1. the organization: a wrong name fails here, before any write */
	if (kp_ck_call(&c, "organization_show", KP_CK_READ, o->org, NULL, NULL, 0, &a) != KP_CK_OK) {
		st = kp_ck_fail(&c, KP_UPLOAD_NET,
			  a.status == 404 ? N_("no organization \"") : N_("cannot look up organization"),
			  o->org, a.why);
		goto out;
	}
	org_id = kp_ck_str(a.result, "id") ? strdup(kp_ck_str(a.result, "id")) : NULL;
	json_decref(a.result);
	if (!org_id) {
		st = kp_ck_fail(&c, KP_UPLOAD_NET, "the portal's organization has no id", o->org, NULL);
		goto out;
	}

	/* 2. the dataset */
	int so = kp_ck_show(&c, &cur, &a);
	if (so != KP_CK_OK && a.status != 404) {
		st = kp_ck_fail(&c, KP_UPLOAD_NET, "cannot look up dataset", o->dataset, a.why);
		goto out;
	}
	desired = kp_ckan_desired(pkg, o->dataset, org_id);
	data_modified(&c, pkg, cur, desired);
	/* ckanext-dcat publishes "url" as dcat:landingPage: the dataset's real page */
	if (c.landing_on_portal)
		json_object_set_new(desired, "url", json_string(c.page));
	long create_step = -1, patch_step = -1;
	if (!cur) {
		create_step =
		    kp_upload_report_add(rep, N_("create"), N_("dataset"), o->dataset, NULL, 1);
	} else {
		const char *owner = kp_ck_str(cur, "owner_org");
		if (!owner || strcmp(owner, org_id)) {
			st = kp_ck_fail(&c, KP_UPLOAD_NET, "dataset", o->dataset,
				  N_("belongs to another organization; choose another --dataset name"));
			goto out;
		}
		char changed[300];
		patch = kp_ckan_diff(desired, cur, changed, sizeof changed);
		if (json_object_size(patch))
			patch_step =
			    kp_upload_report_add(rep, N_("patch"), N_("dataset"), o->dataset, changed, 1);
		else
			kp_upload_report_add(rep, N_("skip"), N_("dataset"), o->dataset,
					     N_("metadata unchanged"), 0);
	}
	/* the data files first: the RDF's links depend on their resources */
	int files_change = 0;
	for (size_t i = 0; i < pkg->nfiles; i++) {
		if (is_rdf(&pkg->files[i]))
			continue;
		if ((st = plan_resource(&c, cur, &pkg->files[i], &rp[i])) != KP_UPLOAD_OK)
			goto out;
		files_change |= rp[i].act == RA_CREATE || rp[i].act == RA_UPLOAD;
	}
	for (size_t i = 0; i < pkg->nfiles; i++) {
		if (is_rdf(&pkg->files[i]) &&
		    (st = plan_rdf(&c, pkg, cur, &pkg->files[i], files_change, &rp[i])) !=
			KP_UPLOAD_OK)
			goto out;
		rp[i].step = add_res_step(&c, &pkg->files[i], &rp[i]);
	}
	if (o->datastore && (st = kp_ds_plan_make(&c, pkg, cur, &ds)) != KP_UPLOAD_OK)
		goto out;
	/* Resources kplan made for files the package no longer has: removed, after the
	 * uploads, so an interrupted run never leaves the dataset short of a file.
	 * Resources without kplan_name (added by hand) are not kplan's to remove. */
	size_t i_res;
	const json_t *r_old;
	json_array_foreach(json_object_get(cur, "resources"), i_res, r_old)
	{
		const char *k = kp_ck_str(r_old, "kplan_name"), *rid = kp_ck_str(r_old, "id");
		const char *state = kp_ck_str(r_old, "state");
		if (!k || !rid || in_package(pkg, k) || (state && strcmp(state, "active")))
			continue;
		char **ids = realloc(stale, (nstale + 1) * sizeof *ids);
		long *steps = realloc(stale_step, (nstale + 1) * sizeof *steps);
		if (ids)
			stale = ids;
		if (steps)
			stale_step = steps;
		if (!ids || !steps || !(stale[nstale] = strdup(rid))) {
			st = kp_ck_fail(&c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
			goto out;
		}
		stale_step[nstale++] = kp_upload_report_add(rep, N_("delete"), N_("resource"), k,
							    N_("no longer in the package"), 1);
	}
	if (o->dry_run)
		goto out;

	/* 3. create or patch the dataset */
	if (create_step >= 0) {
		for (int attempt = 1;; attempt++) {
			int co = kp_ck_call(&c, "package_create", KP_CK_CREATE, NULL, desired, NULL, 0, &a);
			if (co == KP_CK_OK) {
				cur = a.result;
				break;
			}
			/* 409 "That URL is already in use" after a lost race or a create that
			 * succeeded unseen, or an uncertain outcome: look again. */
			int look = co == KP_CK_UNCERTAIN ||
				   (a.status == 409 && strstr(a.why, "already in use"));
			if (!look) {
				st = kp_ck_fail(&c, KP_UPLOAD_NET, "cannot create dataset", o->dataset,
					  a.why);
				goto out;
			}
			char why[sizeof a.why];
			memcpy(why, a.why, sizeof why);
			int retry_ok = co == KP_CK_UNCERTAIN && a.retry_ok;
			if (kp_ck_show(&c, &cur, &a) == KP_CK_OK)
				break;
			if (a.status != 404 || !retry_ok || attempt >= o->retry.max_attempts) {
				st = kp_ck_fail(&c, KP_UPLOAD_NET, "cannot create dataset", o->dataset,
					  a.status == 404 ? why : a.why);
				goto out;
			}
			rep->retries++;
			kp_upload_backoff(&o->retry, attempt);
		}
		rep->steps[create_step].done = 1;
		/* A dataset found after an uncertain create holds what was sent; should its
		 * metadata differ (someone edited it meanwhile), patch it now. */
		json_decref(patch);
		patch = kp_ckan_diff(desired, cur, NULL, 0);
	}
	if (json_object_size(patch)) {
		json_object_set_new(patch, "id",
				    json_string(kp_ck_str(cur, "id") ? kp_ck_str(cur, "id") : o->dataset));
		if (kp_ck_call(&c, "package_patch", KP_CK_PATCH, NULL, patch, NULL, 0, &a) != KP_CK_OK) {
			st = kp_ck_fail(&c, KP_UPLOAD_NET, "cannot update dataset", o->dataset, a.why);
			goto out;
		}
		json_decref(a.result);
		if (patch_step >= 0)
			rep->steps[patch_step].done = 1;
	}

	/* 4. the files */
	const char *pkg_id = kp_ck_str(cur, "id");
	if (!pkg_id) {
		st = kp_ck_fail(&c, KP_UPLOAD_NET, "the portal's dataset has no id", o->dataset, NULL);
		goto out;
	}
	for (int rdf = 0; rdf < 2; rdf++)
		for (size_t i = 0; i < pkg->nfiles; i++) {
			const kp_upload_file *f = &pkg->files[i];
			if (is_rdf(f) != rdf)
				continue;
			if (rp[i].relink_after &&
			    (st = store_relinked(&c, pkg, pkg_id, f, &rp[i])) != KP_UPLOAD_OK)
				goto out;
			if (!rp[i].relink_after &&
			    (st = do_resource(&c, pkg_id, rp[i].pub_path ? &rp[i].pub : f,
					      &rp[i])) != KP_UPLOAD_OK)
				goto out;
			if (rp[i].step >= 0)
				rep->steps[rp[i].step].done = 1;
		}

	for (size_t i = 0; i < nstale; i++) {
		json_t *body = json_pack("{s:s}", "id", stale[i]);
		int dr = kp_ck_call(&c, "resource_delete", KP_CK_PATCH, NULL, body, NULL, 0, &a);
		json_decref(body);
		/* 404: already gone (a previous run deleted it and was cut off) */
		if (dr != KP_CK_OK && a.status != 404) {
			st = kp_ck_fail(&c, KP_UPLOAD_NET, "cannot delete resource",
				  rep->steps[stale_step[i]].target, a.why);
			goto out;
		}
		if (dr == KP_CK_OK)
			json_decref(a.result);
		rep->steps[stale_step[i]].done = 1;
	}

	/* 4b. the DataStore tables */
	if (ds && (st = kp_ds_apply(&c, ds, pkg_id)) != KP_UPLOAD_OK)
		goto out;

	/* 5. verify, when anything was written: exit 0 promises the portal holds it all */
	if (rep->writes) {
		json_decref(cur);
		if (kp_ck_show(&c, &cur, &a) != KP_CK_OK) {
			st = kp_ck_fail(&c, KP_UPLOAD_NET, "cannot verify dataset", o->dataset, a.why);
			goto out;
		}
		for (size_t i = 0; i < pkg->nfiles; i++) {
			size_t count;
			const json_t *res = kp_ckan_find_resource(cur, pkg->files[i].name, &count);
			if (!res || count != 1) {
				st = kp_ck_fail(
				    &c, KP_UPLOAD_NET,
				    "after upload the dataset does not hold exactly one resource",
				    pkg->files[i].name, NULL);
				goto out;
			}
			if ((st = check_stored(&c, res,
					       rp[i].pub_path ? &rp[i].pub : &pkg->files[i])) !=
			    KP_UPLOAD_OK)
				goto out;
		}
		json_array_foreach(json_object_get(cur, "resources"), i_res, r_old)
		{
			const char *k = kp_ck_str(r_old, "kplan_name"), *state = kp_ck_str(r_old, "state");
			if (k && !in_package(pkg, k) && (!state || !strcmp(state, "active"))) {
				st = kp_ck_fail(&c, KP_UPLOAD_NET,
					  "after upload the dataset still holds resource", k,
					  N_("it is no longer in the package"));
				goto out;
			}
		}
		if (ds && (st = kp_ds_verify(&c, ds, cur)) != KP_UPLOAD_OK)
			goto out;
	}
out:
	if (rp)
		for (size_t i = 0; i < pkg->nfiles; i++) {
			free(rp[i].id);
			json_decref(rp[i].meta);
			drop_pub(&rp[i]);
		}
	free(rp);
	for (size_t i = 0; i < nstale; i++)
		free(stale[i]);
	free(stale);
	free(stale_step);
	free(org_id);
	kp_ds_plan_free(ds);
	free(c.api);
	free(c.root);
	free(c.page);
	json_decref(cur);
	json_decref(desired);
	json_decref(patch);
	return st;
}
