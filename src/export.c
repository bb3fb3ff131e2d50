/* export — validate, then write every chosen format in one pass over each table, into
 * temporary files that are renamed into OUT only when all of them are complete. */
#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "csvread.h"
#include "files.h"
#include "schema.h"
#include "status.h"
#include "validate.h"
#include "write_rdf.h"
#include "writer.h"

void kp_export_opts_init(kp_export_opts *o)
{
	memset(o, 0, sizeof *o);
	o->formats = KP_EXPORT_ALL;
	o->out_dir = "dist";
	o->bom = 1;
	o->eol = "\r\n";
	o->header_titles = 1;
}

/* One output file. */
typedef struct out_file {
	char *name;   /* owned: file name in OUT */
	char *path;   /* owned: OUT/name */
	char *backup; /* owned: hard link to the previous file during commit, or NULL */
	kp_atomic a;  /* open until committed or aborted */
	char *iobuf;  /* owned: a.fp's buffer (glibc ignores setvbuf's size without one) */
	int is_open;
	int committed;
	kp_catalog_file info;
} out_file;

/* One table to export. */
typedef struct table {
	const kp_resource *res; /* borrowed from the package */
	char *source;		/* owned: the CSV to read */
	kp_wcol *cols;		/* owned array; strings borrowed from the schema */
	kp_wtable wt;
	kp_writer *csv, *json; /* open while the table is written */
	out_file *csv_file, *json_file;
} table;

typedef struct export_ctx {
	const kp_export_opts *o;
	kp_package *pkg;
	table *tables; /* owned array */
	size_t ntables;
	const kp_wtable **wtables; /* owned array of pointers into tables */
	kp_wprefix *prefixes;	   /* owned array; strings borrowed from the package */
	size_t nprefixes;
	kp_wopts wopts;
	out_file *files; /* owned array of nfiles (capacity fixed up front) */
	size_t nfiles;
	kp_writer *rdf;
	out_file *rdf_file;
	int made_out_dir;
	char *arena; /* owned: canonical texts of one row */
	size_t arena_cap;
	kp_diag err;
} export_ctx;

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
			 name);
	return s;
}

static int report(export_ctx *c, int status)
{
	kp_diag_emit(&c->o->sink, &c->err);
	return status;
}

static int oom(export_ctx *c)
{
	kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "out of memory");
	return report(c, KP_EXIT_IO);
}

/* For the writing stage, whose caller reports c->err once. */
static int set_oom(export_ctx *c)
{
	kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "out of memory");
	return -1;
}

/* ---- tables as the writers see them ---- */

/* Reads a schema's extra keys and turns each field into a writer column. */
static int build_table(export_ctx *c, table *t)
{
	const kp_schema *s = t->res->schema;
	json_t *virt = json_object_get(s->json, "virtualColumns");
	size_t nvirt = json_is_array(virt) ? json_array_size(virt) : 0;
	t->cols = calloc(s->nfields + nvirt + 1, sizeof *t->cols);
	if (!t->cols)
		return -1;
	for (size_t i = 0; i < s->nfields; i++) {
		const kp_field *f = &s->fields[i];
		kp_wcol *w = &t->cols[i];
		w->name = f->name;
		w->title = f->title;
		if (f->type == KP_TYPE_LIST) {
			w->kind = kp_writer_kind(kp_cast_type_name(f->item_type));
			w->separator = f->delimiter;
		} else {
			w->kind = kp_writer_kind(kp_cast_type_name(f->type));
			/* CSVW "separator": a string field holding several values. */
			w->separator = json_string_value(json_object_get(f->json, "separator"));
		}
		w->about_url = f->about_url;
		w->property_url = f->property_url;
		w->value_url = f->value_url;
		w->lang = f->lang ? f->lang : s->lang;
		w->value_type = f->rdf_type;
	}
	size_t n = s->nfields, i;
	json_t *v;
	json_array_foreach(virt, i, v)
	{
		kp_wcol *w = &t->cols[n++];
		w->is_virtual = 1;
		w->name = json_string_value(json_object_get(v, "name"));
		if (!w->name)
			w->name = "virtual";
		w->about_url = json_string_value(json_object_get(v, "aboutUrl"));
		w->property_url = json_string_value(json_object_get(v, "propertyUrl"));
		w->value_url = json_string_value(json_object_get(v, "valueUrl"));
		w->value_type = json_string_value(json_object_get(v, "rdfType"));
		if (!w->property_url || !w->value_url) {
			kp_diag_set(&c->err, KP_SEV_ERROR, "schema-error",
				    "virtualColumns[%zu]: needs \"propertyUrl\" and \"valueUrl\"",
				    i);
			kp_diag_at(&c->err, s->path, 0, 0, -1);
			return -2;
		}
	}
	t->wt.name = t->res->name;
	t->wt.file = t->source;
	t->wt.about_url = s->about_url;
	t->wt.row_type = s->rdf_type;
	t->wt.ncols = n;
	t->wt.cols = t->cols;
	return 0;
}

static int load(export_ctx *c)
{
	const kp_export_opts *o = c->o;
	if (kp_schema_package_load(o->package, &c->pkg, &o->sink) != 0)
		return c->pkg ? KP_EXIT_USAGE : oom(c);
	kp_package *p = c->pkg;
	c->tables = calloc(p->nresources + 1, sizeof *c->tables);
	c->wtables = calloc(p->nresources + 1, sizeof *c->wtables);
	if (!c->tables || !c->wtables)
		return oom(c);
	for (size_t i = 0; i < p->nresources; i++) {
		const kp_resource *r = &p->resources[i];
		if (!r->schema || !r->path)
			continue; /* not a table in a file: nothing to export */
		table *t = &c->tables[c->ntables];
		t->res = r;
		if (o->data_dir) {
			/* As the validator resolves it: the same file is checked and exported. */
			t->source = path_join(o->data_dir, r->path);
		} else {
			t->source = strdup(r->full_path ? r->full_path : r->path);
		}
		c->ntables++; /* counted now, so ctx_release frees what it holds */
		if (!t->source)
			return oom(c);
		int rc = build_table(c, t);
		if (rc == -1)
			return oom(c);
		if (rc != 0)
			return report(c, KP_EXIT_USAGE);
		c->wtables[c->ntables - 1] = &t->wt;
	}
	json_t *pfx = json_object_get(p->json, "rdfPrefixes");
	c->prefixes = calloc(json_object_size(pfx) + 1, sizeof *c->prefixes);
	if (!c->prefixes)
		return oom(c);
	const char *key;
	json_t *v;
	json_object_foreach(pfx, key, v)
	{
		if (!json_is_string(v))
			continue;
		c->prefixes[c->nprefixes].prefix = key;
		c->prefixes[c->nprefixes].iri = json_string_value(v);
		c->nprefixes++;
	}
	c->wopts = (kp_wopts){.bom = o->bom,
			      .eol = o->eol,
			      .header_titles = o->header_titles,
			      .tables = c->wtables,
			      .ntables = c->ntables,
			      .prefixes = c->prefixes,
			      .nprefixes = c->nprefixes};
	return KP_EXIT_OK;
}

/* ---- validation: the one call into the engine kplan-validate uses ---- */

static int validate_first(export_ctx *c)
{
	kp_validate_opts vo = {.max_errors = 1000, .no_sha256 = 1};
	int rc = kp_validate_package(c->pkg, c->o->data_dir, &vo, &c->o->sink, NULL, NULL);
	return rc == 0 ? KP_EXIT_OK : rc == 1 ? KP_EXIT_INVALID : KP_EXIT_IO;
}

/* ---- output files ---- */

static out_file *add_file(export_ctx *c, const char *name, const char *format,
			  const char *mediatype, const kp_resource *res)
{
	out_file *f = &c->files[c->nfiles];
	memset(f, 0, sizeof *f);
	f->name = strdup(name);
	f->path = f->name ? path_join(c->o->out_dir, name) : NULL;
	if (!f->path) {
		free(f->name);
		return NULL;
	}
	c->nfiles++;
	f->info.name = f->name;
	f->info.format = format;
	f->info.mediatype = mediatype;
	f->info.res = res;
	return f;
}

static int open_file(export_ctx *c, out_file *f)
{
	struct stat st;
	/* A directory in the way would only fail at the rename: refuse before writing. */
	if (lstat(f->path, &st) == 0 && S_ISDIR(st.st_mode)) {
		kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "cannot replace \"%s\": %s", f->path,
			    strerror(EISDIR));
		kp_diag_at(&c->err, f->path, 0, 0, -1);
		return -1;
	}
	if (kp_files_atomic_open(&f->a, f->path, &c->err) != 0)
		return -1;
	f->is_open = 1;
	/* Large buffer: rows are many small writes. */
	f->iobuf = malloc(1 << 20);
	if (f->iobuf)
		setvbuf(f->a.fp, f->iobuf, _IOFBF, 1 << 20);
	return 0;
}

/* Flushes f and records its size and SHA-256 (read back from the temporary file). */
static int hash_file(export_ctx *c, out_file *f)
{
	if (fflush(f->a.fp) != 0 || ferror(f->a.fp)) {
		kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "cannot write \"%s\": %s", f->path,
			    strerror(errno ? errno : EIO));
		kp_diag_at(&c->err, f->path, 0, 0, -1);
		return -1;
	}
	if (kp_files_sha256_file(f->a.tmp, f->info.sha256, &f->info.bytes, &c->err) != 0)
		return -1;
	f->info.hashed = 1;
	return 0;
}

static int write_json_file(export_ctx *c, out_file *f, json_t *j)
{
	if (!j)
		return set_oom(c);
	int rc = open_file(c, f);
	if (rc == 0 && (json_dumpf(j, f->a.fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
			fputc('\n', f->a.fp) == EOF)) {
		kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "cannot write \"%s\"", f->path);
		rc = -1;
	}
	json_decref(j);
	return rc == 0 ? hash_file(c, f) : -1;
}

/* ---- one pass over a table ---- */

static int grow_arena(export_ctx *c, size_t need)
{
	if (need <= c->arena_cap)
		return 0;
	size_t cap = c->arena_cap ? c->arena_cap : 4096;
	while (cap < need)
		cap *= 2;
	char *a = realloc(c->arena, cap);
	if (!a)
		return -1;
	c->arena = a;
	c->arena_cap = cap;
	return 0;
}

typedef struct row_writer {
	kp_writer *w;
} row_writer;

static int null_sink(void *ctx, const kp_diag *d)
{
	(void)ctx;
	(void)d;
	return 0;
}

static int export_table(export_ctx *c, table *t)
{
	const kp_schema *s = t->res->schema;
	kp_writer *ws[3];
	size_t nw = 0;
	if (t->csv)
		ws[nw++] = t->csv;
	if (t->json)
		ws[nw++] = t->json;
	if (c->rdf)
		ws[nw++] = c->rdf;
	for (size_t i = 0; i < nw; i++)
		if (ws[i]->ops->start(ws[i], &t->wt, &c->err) != 0)
			return -1;

	/* Findings were reported by the validation pass: here they are only noise. */
	kp_csvread_opts ro = {.file = t->source, .sink = {null_sink, NULL}};
	kp_csvread *r = kp_csvread_open(t->source, &ro, &c->err);
	if (!r)
		return -1;
	size_t nf = s->nfields, ncols = t->wt.ncols;
	long *map = calloc(nf + 1, sizeof *map); /* field → source column, -1 none */
	kp_wcell *cells = calloc(ncols + 1, sizeof *cells);
	size_t *off = calloc(nf + 1, sizeof *off); /* arena offset, or SIZE_MAX */
	int rc = map && cells && off ? 0 : -1;
	if (rc)
		kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "out of memory");
	kp_csvrecord rec;
	int header = 1, got;
	while (rc == 0 && (got = kp_csvread_next(r, &rec)) == 1) {
		if (header) {
			for (size_t i = 0; i < nf; i++)
				map[i] = -1;
			for (size_t k = 0; k < rec.ncells; k++) {
				long fi = kp_schema_field_by_label(s, rec.cells[k].data,
								   rec.cells[k].len);
				if (fi >= 0 && map[fi] < 0)
					map[fi] = (long)k;
			}
			header = 0;
			continue;
		}
		if (rec.ncells == 0)
			continue;
		size_t used = 0;
		for (size_t i = 0; i < nf && rc == 0; i++) {
			const kp_field *f = &s->fields[i];
			kp_wcell *cell = &cells[i];
			off[i] = (size_t)-1;
			if (map[i] < 0 || (size_t)map[i] >= rec.ncells) {
				*cell = (kp_wcell){.null = 1};
				continue;
			}
			const kp_csvcell *src = &rec.cells[map[i]];
			if (f->type == KP_TYPE_STRING || f->type == KP_TYPE_ANY) {
				/* Validated text is its own canonical form: no cast, no copy. */
				if (kp_cast_is_missing(f, src->data, src->len))
					*cell = (kp_wcell){.null = 1};
				else
					*cell = (kp_wcell){.s = src->data, .len = src->len};
				continue;
			}
			kp_value v;
			int cr = kp_cast_cell(f, src->data, src->len, &v, &c->err);
			if (cr == KP_CAST_MISSING) {
				*cell = (kp_wcell){.null = 1};
				continue;
			}
			if (cr != KP_CAST_OK) {
				kp_diag_at(&c->err, t->source, rec.number, map[i] + 1, rec.offset);
				c->err.field = f->name;
				kp_diag_set_cell(&c->err, src->data, src->len);
				rc = -1;
				break;
			}
			if (f->type == KP_TYPE_LIST) {
				/* Items as written (validated), joined by the delimiter. */
				*cell = (kp_wcell){.s = src->data, .len = src->len};
				continue;
			}
			for (;;) {
				size_t room = c->arena_cap - used;
				int n = kp_cast_canonical(f, &v, c->arena ? c->arena + used : NULL,
							  c->arena ? room : 0);
				if (n >= 0 && (size_t)n < room && c->arena) {
					off[i] = used;
					cell->len = (size_t)n;
					cell->null = 0;
					used += (size_t)n + 1;
					break;
				}
				if (n < 0 ||
				    grow_arena(c, used + (size_t)(n < 0 ? 0 : n) + 64) != 0) {
					kp_diag_set(&c->err, KP_SEV_ERROR, "io-error",
						    "out of memory");
					rc = -1;
					break;
				}
			}
		}
		if (rc != 0)
			break;
		/* The arena may have moved while it grew: point the cells only now. */
		for (size_t i = 0; i < nf; i++)
			if (off[i] != (size_t)-1)
				cells[i].s = c->arena + off[i];
		for (size_t i = nf; i < ncols; i++)
			cells[i] = (kp_wcell){.null = 1};
		for (size_t i = 0; i < nw && rc == 0; i++)
			rc = ws[i]->ops->row(ws[i], cells, rec.number, &c->err);
	}
	if (rc == 0 && kp_csvread_failed(r) == 1) {
		kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "cannot read \"%s\"", t->source);
		kp_diag_at(&c->err, t->source, 0, 0, -1);
		rc = -1;
	}
	kp_csvread_free(r);
	free(map);
	free(cells);
	free(off);
	for (size_t i = 0; i < nw && rc == 0; i++)
		rc = ws[i]->ops->finish(ws[i], &c->err);
	return rc;
}

/* ---- all or nothing ---- */

static void abort_all(export_ctx *c)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (c->files[i].is_open) {
			kp_files_atomic_abort(&c->files[i].a);
			c->files[i].is_open = 0;
		}
}

/* Renames every temporary file into place.  Previous files are kept as hard links
 * until all renames succeeded, and put back if one fails. */
static int commit_all(export_ctx *c)
{
	int rc = 0;
	for (size_t i = 0; i < c->nfiles && rc == 0; i++) {
		out_file *f = &c->files[i];
		struct stat st;
		if (lstat(f->path, &st) != 0)
			continue;
		f->backup = malloc(strlen(f->path) + 16);
		if (!f->backup) {
			rc = set_oom(c);
			break;
		}
		/* mkstemp reserves a unique name; link() needs it free again. */
		snprintf(f->backup, strlen(f->path) + 16, "%s.bakXXXXXX", f->path);
		int fd = mkstemp(f->backup);
		if (fd < 0 || close(fd) != 0 || unlink(f->backup) != 0 ||
		    link(f->path, f->backup) != 0) {
			kp_diag_set(&c->err, KP_SEV_ERROR, "io-error",
				    "cannot keep a backup of \"%s\": %s", f->path, strerror(errno));
			kp_diag_at(&c->err, f->path, 0, 0, -1);
			if (fd >= 0)
				unlink(f->backup);
			free(f->backup);
			f->backup = NULL;
			rc = -1;
		}
	}
	for (size_t i = 0; i < c->nfiles && rc == 0; i++) {
		out_file *f = &c->files[i];
		f->is_open = 0;
		if (kp_files_atomic_commit(&f->a, &c->err) != 0)
			rc = -1;
		else
			f->committed = 1;
	}
	for (size_t i = 0; i < c->nfiles; i++) {
		out_file *f = &c->files[i];
		if (rc != 0 && f->committed) {
			if (f->backup)
				rename(f->backup, f->path);
			else
				unlink(f->path);
		} else if (f->backup) {
			unlink(f->backup);
		}
		free(f->backup);
		f->backup = NULL;
	}
	if (rc != 0)
		abort_all(c);
	return rc;
}

static int write_all(export_ctx *c)
{
	const kp_export_opts *o = c->o;
	kp_catalog_opts co = {
	    .bom = o->bom, .eol = o->eol, .header_titles = o->header_titles, .date = o->date};
	char name[1024];
	/* Plan every file first (order = datapackage.json resource order). */
	for (size_t i = 0; i < c->ntables; i++) {
		table *t = &c->tables[i];
		if (o->formats & KP_EXPORT_CSV) {
			snprintf(name, sizeof name, "%s.csv", t->res->name);
			if (!(t->csv_file =
				  add_file(c, name, "csv", kp_write_csv_ops.mediatype, t->res)))
				return set_oom(c);
		}
		if (o->formats & KP_EXPORT_JSON) {
			snprintf(name, sizeof name, "%s.json", t->res->name);
			if (!(t->json_file =
				  add_file(c, name, "json", kp_write_json_ops.mediatype, t->res)))
				return set_oom(c);
		}
	}
	if (o->formats & KP_EXPORT_RDF) {
		snprintf(name, sizeof name, "%s.rdf", c->pkg->name ? c->pkg->name : "dataset");
		if (!(c->rdf_file = add_file(c, name, "rdf", kp_write_rdf_ops.mediatype, NULL)))
			return set_oom(c);
		if (open_file(c, c->rdf_file) != 0)
			return -1;
		c->rdf = kp_write_rdf_ops.open(c->rdf_file->a.fp, &c->wopts, &c->err);
		if (!c->rdf)
			return -1;
	}
	for (size_t i = 0; i < c->ntables; i++) {
		table *t = &c->tables[i];
		int rc = 0;
		if (t->csv_file && (rc = open_file(c, t->csv_file)) == 0 &&
		    !(t->csv = kp_write_csv_ops.open(t->csv_file->a.fp, &c->wopts, &c->err)))
			rc = -1;
		if (rc == 0 && t->json_file && (rc = open_file(c, t->json_file)) == 0 &&
		    !(t->json = kp_write_json_ops.open(t->json_file->a.fp, &c->wopts, &c->err)))
			rc = -1;
		if (rc == 0)
			rc = export_table(c, t);
		if (t->csv && kp_write_csv_ops.close(t->csv, rc ? NULL : &c->err) != 0)
			rc = -1;
		if (t->json && kp_write_json_ops.close(t->json, rc ? NULL : &c->err) != 0)
			rc = -1;
		t->csv = t->json = NULL;
		if (rc == 0 && t->csv_file)
			rc = hash_file(c, t->csv_file);
		if (rc == 0 && t->json_file)
			rc = hash_file(c, t->json_file);
		if (rc != 0)
			return -1;
	}
	if (o->formats & KP_EXPORT_CSV)
		for (size_t i = 0; i < c->ntables; i++) {
			table *t = &c->tables[i];
			snprintf(name, sizeof name, "%s.csv-metadata.json", t->res->name);
			out_file *f = add_file(c, name, "csvw", "application/csvm+json", t->res);
			if (!f)
				return set_oom(c);
			if (write_json_file(c, f,
					    kp_catalog_csvw(c->pkg, t->res, &t->wt,
							    t->csv_file->name, &c->wopts, &co)) !=
			    0)
				return -1;
		}
	if (c->rdf) {
		kp_catalog_file *cf = calloc(c->nfiles + 1, sizeof *cf);
		if (!cf)
			return set_oom(c);
		for (size_t i = 0; i < c->nfiles; i++)
			cf[i] = c->files[i].info;
		int rc = kp_catalog_write_dcat(c->rdf, c->pkg, cf, c->nfiles, &co, &c->err);
		free(cf);
		int rc2 = kp_write_rdf_ops.close(c->rdf, rc ? NULL : &c->err);
		c->rdf = NULL;
		if (rc != 0 || rc2 != 0 || hash_file(c, c->rdf_file) != 0)
			return -1;
	}
	if (o->formats & KP_EXPORT_PACKAGE) {
		kp_catalog_file *cf = calloc(c->nfiles + 1, sizeof *cf);
		if (!cf)
			return set_oom(c);
		size_t n = c->nfiles;
		for (size_t i = 0; i < n; i++)
			cf[i] = c->files[i].info;
		out_file *f = add_file(c, "datapackage.json", "json", "application/json", NULL);
		int rc =
		    f ? write_json_file(c, f, kp_catalog_package_json(c->pkg, cf, n, &co)) : -1;
		free(cf);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static void ctx_release(export_ctx *c)
{
	if (c->rdf)
		kp_write_rdf_ops.close(c->rdf, NULL);
	for (size_t i = 0; i < c->ntables; i++) {
		table *t = &c->tables[i];
		if (t->csv)
			kp_write_csv_ops.close(t->csv, NULL);
		if (t->json)
			kp_write_json_ops.close(t->json, NULL);
		free(t->cols);
		free(t->source);
	}
	abort_all(c);
	for (size_t i = 0; i < c->nfiles; i++) {
		free(c->files[i].name);
		free(c->files[i].path);
		free(c->files[i].iobuf);
	}
	free(c->files);
	free(c->tables);
	free(c->wtables);
	free(c->prefixes);
	free(c->arena);
	kp_schema_package_free(c->pkg);
}

int kp_export_run(const kp_export_opts *o)
{
	export_ctx c = {.o = o};
	kp_diag_clear(&c.err);
	int status = load(&c);
	if (status == KP_EXIT_OK)
		status = validate_first(&c);
	if (status == KP_EXIT_OK) {
		/* Files per table: csv, json, csvw; plus rdf and datapackage.json. */
		c.files = calloc(3 * c.ntables + 3, sizeof *c.files);
		if (!c.files)
			status = oom(&c);
	}
	if (status == KP_EXIT_OK) {
		struct stat st;
		if (stat(o->out_dir, &st) != 0) {
			if (mkdir(o->out_dir, 0777) != 0) {
				kp_diag_set(&c.err, KP_SEV_ERROR, "io-error",
					    "cannot create \"%s\": %s", o->out_dir,
					    strerror(errno));
				status = report(&c, KP_EXIT_IO);
			} else {
				c.made_out_dir = 1;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			kp_diag_set(&c.err, KP_SEV_ERROR, "io-error", "\"%s\" is not a folder",
				    o->out_dir);
			status = report(&c, KP_EXIT_IO);
		}
	}
	if (status == KP_EXIT_OK && (write_all(&c) != 0 || commit_all(&c) != 0)) {
		/* An xml-char or cast error is about the data; anything else is I/O. */
		int data = c.err.code && (strcmp(c.err.code, "xml-char") == 0 ||
					  strcmp(c.err.code, "type-error") == 0 ||
					  strcmp(c.err.code, "encoding-error") == 0 ||
					  strcmp(c.err.code, "schema-error") == 0);
		status = c.err.code && strcmp(c.err.code, "schema-error") == 0 ? KP_EXIT_USAGE
			 : data						       ? KP_EXIT_INVALID
									       : KP_EXIT_IO;
		report(&c, status);
	}
	int made = c.made_out_dir;
	ctx_release(&c);
	if (status != KP_EXIT_OK && made)
		rmdir(o->out_dir); /* leave no trace of a failed run */
	return status;
}
