/* export — validate and write every chosen format in one pass over each table, into
 * temporary files that are renamed into OUT only when the whole package validated
 * clean and all of them are complete. */
#define _GNU_SOURCE /* fopencookie */
#include "export.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "csvread.h"
#include "files.h"
#include "schema.h"
#include "stage.h"
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

/* One output file.  Writers write to `fp`, a stream of our own over the temporary file
 * (fopencookie): each block it flushes is hashed on its way to the file, so the SHA-256
 * the catalog needs costs no second read of what was written. */
typedef struct out_file {
	char *name;   /* owned: file name in OUT */
	char *path;   /* owned: OUT/name, for messages (the file is made in the stage) */
	FILE *raw;    /* owned: the file in the stage, unbuffered, written by fp; closed
		       * (and fsynced) by close_file */
	FILE *fp;     /* owned: the stream writers use, until close_file */
	char *iobuf;  /* owned: fp's buffer */
	kp_sha256 h;  /* while fp is open and hashing */
	int hashing;  /* compute bytes and SHA-256 while writing */
	int discard;  /* aborting: fp's last flush goes nowhere */
	long long kicked; /* bytes whose write-back to disk was started */
	kp_catalog_file info;
} out_file;

/* How a field's cells become canonical text, decided once per table. */
enum { CELL_TEXT, CELL_FAST, CELL_BOOL, CELL_CAST };
struct fplan {
	unsigned char how;
	unsigned char missing_empty; /* missingValues is [""]: a cell is missing iff empty */
	unsigned char true_ok, false_ok; /* CELL_BOOL: "true" / "false" are canonical */
	unsigned char numeric;		 /* integer or number: fast-cast cells are bare */
};

/* One table to export. */
typedef struct table {
	const kp_resource *res; /* borrowed from the package */
	char *source;		/* owned: the CSV to read */
	kp_wcol *cols;		/* owned array; strings borrowed from the schema */
	kp_wtable wt;
	kp_writer *csv, *json; /* open while the table is written */
	out_file *csv_file, *json_file;
	struct fplan *plan; /* owned: per field, how its cells are converted */
	kp_wcell *cells; /* owned: one row's cells, while the table is written */
	size_t *off;	 /* owned: per field its arena offset, or SIZE_MAX */
	FILE *spool;	 /* owned: its RDF, when validated before its turn in the file */
	int started;	 /* the validation pass reached it */
	int dirty;	 /* it has an error: its output will be thrown away */
	int rdf_done;	 /* its RDF part is complete (in the file or in spool) */
} table;

/* A batch of records on their way to the writing thread. */
#define NO_CELL UINT32_MAX
typedef struct bcell {
	uint32_t off, len; /* in the batch's text; off == NO_CELL: the record lacks the field */
	unsigned char as_is; /* KP_VALIDATE_CELL_*: what the validator already knows */
} bcell;

typedef struct batch {
	char *text; /* owned: the cells' bytes */
	size_t used, cap;
	bcell *cells; /* owned: nfields per row */
	struct brow {
		long number;	  /* record number */
		long long offset; /* byte offset of the record */
	} *rows;		  /* owned */
	size_t nrows;
} batch;

enum { NBATCH = 4, BATCH_ROWS = 2048, BATCH_TEXT = 256 << 10 };
#define BATCH_TEXT_MAX ((size_t)1 << 30) /* a record's cells, at most (offsets are 32-bit) */

typedef struct wpipe {
	pthread_t th;
	int running; /* th is the writing thread of the current table */
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_free;
	batch b[NBATCH];
	batch *full[NBATCH]; /* ring: head, nfull */
	size_t head, nfull;
	batch *freeb[NBATCH];
	size_t nfree;
	batch *cur;   /* the validation thread fills this one */
	int quit;     /* no more batches for this table */
	int stop;     /* the writing thread failed: enqueue no more */
	table *t;     /* the table being written, or NULL */
	const long *field_col; /* the engine's field → column map of t (for diagnostics) */
} wpipe;

typedef struct export_ctx {
	const kp_export_opts *o;
	kp_package *pkg;
	table *tables; /* owned array, in package order */
	size_t ntables;
	const kp_wtable **wtables; /* owned array of pointers into tables */
	kp_wprefix *prefixes;	   /* owned array; strings borrowed from the package */
	size_t nprefixes;
	kp_wopts wopts;
	out_file *files; /* owned array of nfiles (capacity fixed up front) */
	size_t nfiles;
	kp_writer *rdf;
	out_file *rdf_file;
	size_t rdf_next; /* index of the next table due in the RDF file */
	table *cur;	 /* the table being validated, or NULL */
	kp_stage stage;	 /* the new OUT, swapped in by the commit */
	int staged;	 /* stage is open */
	int failed; /* a write failed (c->err): nothing more is written */
	wpipe pipe;
	int async_failed; /* set by the writing thread, under pipe.mu */
	kp_diag async_err; /* the writing thread's error; read after the join */
	char *arena; /* owned: canonical texts of one row (writing thread) */
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

/* The names kp_export_run will write, planned from the options alone. */
static int name_error(export_ctx *c)
{
	kp_diag_at(&c->err, c->pkg->path, 0, 0, -1);
	return report(c, KP_EXIT_USAGE);
}

/* Every output's name must be a safe file name, and no two the same (ASCII case
 * aside: "Items.csv" and "items.csv" are one file on macOS and Windows). */
static int check_names(export_ctx *c)
{
	const kp_export_opts *o = c->o;
	const char *why;
	char shown[512];
	for (size_t i = 0; i < c->ntables; i++)
		if (!kp_stage_safe_name(c->tables[i].res->name, &why)) {
			kp_diag_set(&c->err, KP_SEV_ERROR, "schema-error",
				    "resource name \"%s\" cannot name a file: %s; use letters, digits, "
				    "'-', '_' and '.', not starting or ending with '.'",
				    kp_stage_show_name(c->tables[i].res->name, shown, sizeof shown),
				    why);
			return name_error(c);
		}
	const char *pname = c->pkg->name ? c->pkg->name : "dataset";
	if ((o->formats & KP_EXPORT_RDF) && !kp_stage_safe_name(pname, &why)) {
		kp_diag_set(&c->err, KP_SEV_ERROR, "schema-error",
			    "package name \"%s\" cannot name a file: %s; use letters, digits, '-', "
			    "'_' and '.', not starting or ending with '.'",
			    kp_stage_show_name(pname, shown, sizeof shown), why);
		return name_error(c);
	}
	size_t cap = 3 * c->ntables + 2, n = 0;
	struct owner {
		char *file;
		const char *from;
	} *all = calloc(cap, sizeof *all);
	if (!all)
		return oom(c);
	char buf[1024];
#define PLAN(fmt, nm, who)                                                                     \
	do {                                                                                   \
		snprintf(buf, sizeof buf, fmt, nm);                                            \
		all[n].from = who;                                                             \
		if (!(all[n++].file = strdup(buf)))                                            \
			goto nomem;                                                            \
	} while (0)
	for (size_t i = 0; i < c->ntables; i++) {
		const char *r = c->tables[i].res->name;
		if (o->formats & KP_EXPORT_CSV) {
			PLAN("%s.csv", r, r);
			PLAN("%s.csv-metadata.json", r, r);
		}
		if (o->formats & KP_EXPORT_JSON)
			PLAN("%s.json", r, r);
	}
	if (o->formats & KP_EXPORT_RDF)
		PLAN("%s.rdf", pname, "the package");
	if (o->formats & KP_EXPORT_PACKAGE)
		PLAN("%s", "datapackage.json", "the package");
#undef PLAN
	int rc = KP_EXIT_OK;
	for (size_t i = 0; i < n && rc == KP_EXIT_OK; i++)
		for (size_t j = 0; j < i && rc == KP_EXIT_OK; j++)
			if (strcasecmp(all[i].file, all[j].file) == 0) {
				char who[2][300];
				for (int k = 0; k < 2; k++) {
					const struct owner *ow = k ? &all[i] : &all[j];
					if (strcmp(ow->from, "the package") == 0)
						snprintf(who[k], sizeof who[k], "the package");
					else
						snprintf(who[k], sizeof who[k], "resource \"%.200s\"",
							 ow->from);
				}
				kp_diag_set(&c->err, KP_SEV_ERROR, "schema-error",
					    "\"%s\" (for %s) and \"%s\" (for %s) would be one file: "
					    "rename the resource",
					    all[j].file, who[0], all[i].file, who[1]);
				rc = name_error(c);
			}
	for (size_t i = 0; i < n; i++)
		free(all[i].file);
	free(all);
	return rc;
nomem:
	for (size_t i = 0; i < n; i++)
		free(all[i].file);
	free(all);
	return oom(c);
}

static int load(export_ctx *c)
{
	const kp_export_opts *o = c->o;
	int lrc = kp_schema_package_load(o->package, &c->pkg, &o->sink);
	if (lrc != 0)
		return lrc == -2 || !c->pkg ? KP_EXIT_IO : KP_EXIT_USAGE;
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
	int names = check_names(c);
	if (names != KP_EXIT_OK)
		return names;
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
	/* Only the DCAT distributions and datapackage.json use bytes and hashes. */
	f->hashing = (c->o->formats & (KP_EXPORT_RDF | KP_EXPORT_PACKAGE)) != 0;
	return f;
}

enum { KICK = 4 << 20 };

static ssize_t out_write(void *cookie, const char *buf, size_t size)
{
	out_file *f = cookie;
	if (f->discard)
		return (ssize_t)size;
	if (f->hashing && kp_files_sha256_update(&f->h, buf, size) != 0) {
		errno = ENOMEM;
		return -1;
	}
	if (fwrite_unlocked(buf, 1, size, f->raw) != size)
		return -1;
	f->info.bytes += (long long)size;
#ifdef SYNC_FILE_RANGE_WRITE
	/* Start the write-back of each few MiB now, and wait for the previous few (long
	 * done, as the disk is faster than we are): the fsync at commit then has only the
	 * last part left, and the disk works while we compute. */
	if (f->info.bytes - f->kicked >= KICK) {
		int fd = fileno(f->raw);
		if (f->kicked >= KICK)
			(void)sync_file_range(fd, f->kicked - KICK, KICK,
					      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
						  SYNC_FILE_RANGE_WAIT_AFTER);
		(void)sync_file_range(fd, f->kicked, f->info.bytes - f->kicked,
				      SYNC_FILE_RANGE_WRITE);
		f->kicked = f->info.bytes;
	}
#endif
	return (ssize_t)size;
}

static int open_file(export_ctx *c, out_file *f)
{
	/* A folder in the way could only be replaced by losing it: refuse before writing. */
	if (kp_stage_out_has_dir(&c->stage, f->name)) {
		kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "cannot replace \"%s\": %s", f->path,
			    strerror(EISDIR));
		kp_diag_at(&c->err, f->path, 0, 0, -1);
		return -1;
	}
	f->raw = kp_stage_create(&c->stage, f->name, &c->err);
	if (!f->raw)
		return -1;
	/* Our stream buffers; the file's own stream passes each block straight through. */
	setvbuf(f->raw, NULL, _IONBF, 0);
	if (f->hashing && kp_files_sha256_init(&f->h) != 0)
		return set_oom(c);
	f->iobuf = malloc(1 << 20);
	f->fp = f->iobuf ? fopencookie(f, "w", (cookie_io_functions_t){.write = out_write})
			 : NULL;
	if (!f->fp)
		return set_oom(c);
	setvbuf(f->fp, f->iobuf, _IOFBF, 1 << 20);
	return 0;
}

/* Flushes and closes f's streams (the file is fsynced: the commit needs it durable)
 * and records its size and SHA-256. */
static int close_file(export_ctx *c, out_file *f)
{
	FILE *fp = f->fp, *raw = f->raw;
	f->fp = NULL;
	errno = 0;
	int bad = fp && (ferror(fp) || fclose(fp) != 0); /* its last block goes to raw */
	int e = errno;
	f->raw = NULL;
	if (bad || (raw && ferror(raw))) {
		if (raw)
			fclose(raw);
		kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "cannot write \"%s\": %s", f->path,
			    strerror(e ? e : EIO));
		kp_diag_at(&c->err, f->path, 0, 0, -1);
		return -1;
	}
	if (raw && kp_stage_close_file(raw, f->path, &c->err) != 0)
		return -1;
	if (f->hashing) {
		if (kp_files_sha256_final(&f->h, f->info.sha256) != 0)
			return set_oom(c);
		f->info.hashed = 1;
	}
	return 0;
}

static int write_json_file(export_ctx *c, out_file *f, json_t *j)
{
	if (!j)
		return set_oom(c);
	int rc = open_file(c, f);
	if (rc == 0 && (json_dumpf(j, f->fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
			fputc('\n', f->fp) == EOF)) {
		kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "cannot write \"%s\"", f->path);
		rc = -1;
	}
	json_decref(j);
	return rc == 0 ? close_file(c, f) : -1;
}

/* A writer's error names what failed; this adds which file it was writing. */
static int in_file(kp_diag *d, const out_file *f)
{
	if (d && f && !d->file)
		kp_diag_at(d, f->path, 0, 0, -1);
	return -1;
}

/* ---- one pass: the validation engine calls these while it reads each table ---- */

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

static table *table_of(export_ctx *c, const kp_resource *res)
{
	for (size_t i = 0; res && i < c->ntables; i++)
		if (c->tables[i].res == res)
			return &c->tables[i];
	return NULL;
}

/* The RDF parts of tables validated before their turn wait in spools; copies every part
 * that is due now into the file, in package order. */
static int drain_rdf(export_ctx *c)
{
	while (c->rdf_next < c->ntables && c->tables[c->rdf_next].rdf_done) {
		table *t = &c->tables[c->rdf_next];
		if (t->spool) {
			char buf[65536];
			size_t n;
			rewind(t->spool);
			while ((n = fread(buf, 1, sizeof buf, t->spool)) > 0)
				if (fwrite_unlocked(buf, 1, n, c->rdf_file->fp) != n)
					break;
			int bad = ferror(t->spool) || ferror(c->rdf_file->fp);
			fclose(t->spool);
			t->spool = NULL;
			if (bad) {
				kp_diag_set(&c->err, KP_SEV_ERROR, "io-error",
					    "cannot write \"%s\": %s", c->rdf_file->path,
					    strerror(errno ? errno : EIO));
				kp_diag_at(&c->err, c->rdf_file->path, 0, 0, -1);
				return -1;
			}
		}
		c->rdf_next++;
	}
	return 0;
}

static int begin_table(export_ctx *c, table *t)
{
	size_t nf = t->res->schema->nfields;
	t->cells = calloc(t->wt.ncols + 1, sizeof *t->cells);
	t->off = calloc(nf + 1, sizeof *t->off);
	t->plan = calloc(nf + 1, sizeof *t->plan);
	if (!t->cells || !t->off || !t->plan)
		return set_oom(c);
	for (size_t i = 0; i < nf; i++) {
		const kp_field *f = &t->res->schema->fields[i];
		struct fplan *p = &t->plan[i];
		const kp_strlist *m = f->missing;
		p->missing_empty = !m || (m->len == 1 && m->lens[0] == 0);
		kp_value v;
		/* Validated text is its own canonical form (lists keep their items as written,
		 * joined by the delimiter); for the other types the fast cast decides, and
		 * for booleans it is asked once here about the two canonical spellings. */
		if (f->type == KP_TYPE_STRING || f->type == KP_TYPE_ANY || f->type == KP_TYPE_LIST) {
			p->how = CELL_TEXT;
		} else if (f->type == KP_TYPE_BOOLEAN) {
			p->how = CELL_BOOL;
			p->true_ok = (unsigned char)kp_cast_fast(f, "true", 4, &v);
			p->false_ok = (unsigned char)kp_cast_fast(f, "false", 5, &v);
		} else {
			p->how = CELL_FAST;
			p->numeric = f->type == KP_TYPE_INTEGER || f->type == KP_TYPE_NUMBER;
		}
	}
	for (size_t i = nf; i < t->wt.ncols; i++)
		t->cells[i] = (kp_wcell){.null = 1}; /* virtual columns have no cell */
	if (t->csv_file &&
	    (open_file(c, t->csv_file) != 0 ||
	     !(t->csv = kp_write_csv_ops.open(t->csv_file->fp, &c->wopts, &c->err)) ||
	     kp_write_csv_ops.start(t->csv, &t->wt, &c->err) != 0))
		return in_file(&c->err, t->csv_file);
	if (t->json_file &&
	    (open_file(c, t->json_file) != 0 ||
	     !(t->json = kp_write_json_ops.open(t->json_file->fp, &c->wopts, &c->err)) ||
	     kp_write_json_ops.start(t->json, &t->wt, &c->err) != 0))
		return in_file(&c->err, t->json_file);
	if (c->rdf) {
		/* Validation goes in dependency order; the file keeps the package's order. */
		if (t != &c->tables[c->rdf_next]) {
			t->spool = tmpfile();
			if (!t->spool) {
				kp_diag_set(&c->err, KP_SEV_ERROR, "io-error",
					    "cannot create a temporary file: %s", strerror(errno));
				return -1;
			}
			if (kp_write_rdf_divert(c->rdf, t->spool, &c->err) != 0)
				return -1;
		}
		if (kp_write_rdf_ops.start(c->rdf, &t->wt, &c->err) != 0)
			return in_file(&c->err, c->rdf_file);
	}
	return 0;
}

static int end_table(export_ctx *c, table *t)
{
	int rc = 0;
	if (t->csv) {
		rc = kp_write_csv_ops.finish(t->csv, &c->err);
		if (kp_write_csv_ops.close(t->csv, rc ? NULL : &c->err) != 0)
			rc = in_file(&c->err, t->csv_file);
		t->csv = NULL;
		if (rc == 0)
			rc = close_file(c, t->csv_file);
		else
			in_file(&c->err, t->csv_file);
	}
	if (t->json && rc == 0) {
		rc = kp_write_json_ops.finish(t->json, &c->err);
		if (kp_write_json_ops.close(t->json, rc ? NULL : &c->err) != 0)
			rc = -1;
		t->json = NULL;
		if (rc == 0)
			rc = close_file(c, t->json_file);
		else
			in_file(&c->err, t->json_file);
	}
	if (c->rdf && rc == 0) {
		rc = kp_write_rdf_ops.finish(c->rdf, &c->err);
		if (rc == 0 && t->spool)
			rc = kp_write_rdf_divert(c->rdf, NULL, &c->err);
		if (rc != 0)
			in_file(&c->err, c->rdf_file);
		t->rdf_done = 1;
		if (rc == 0)
			rc = drain_rdf(c);
	}
	return rc;
}

/* The cells of one record as the writers want them: canonical text or null. */
static int convert_row(export_ctx *c, table *t, const batch *bt, size_t row, kp_diag *err)
{
	const bcell *bc = &bt->cells[row * t->res->schema->nfields];
	const kp_schema *s = t->res->schema;
	size_t nf = s->nfields, used = 0;
	kp_wcell *cells = t->cells;
	for (size_t i = 0; i < nf; i++) {
		const kp_field *f = &s->fields[i];
		const struct fplan *p = &t->plan[i];
		kp_wcell *cell = &cells[i];
		t->off[i] = (size_t)-1;
		if (bc[i].off == NO_CELL) {
			*cell = (kp_wcell){.null = 1};
			continue;
		}
		const char *d = bt->text + bc[i].off;
		size_t len = bc[i].len;
		/* the validator's fast path already cast it: no second look */
		if (bc[i].as_is == KP_VALIDATE_CELL_NULL) {
			*cell = (kp_wcell){.null = 1};
			continue;
		}
		if (bc[i].as_is == KP_VALIDATE_CELL_AS_IS) {
			*cell = (kp_wcell){.s = d, .len = len, .bare = p->numeric};
			continue;
		}
		if (p->missing_empty ? len == 0 : kp_cast_is_missing(f, d, len)) {
			*cell = (kp_wcell){.null = 1};
			continue;
		}
		kp_value v;
		if (p->how == CELL_FAST && kp_cast_fast(f, d, len, &v)) {
			*cell = (kp_wcell){.s = d, .len = len, .bare = p->numeric};
			continue;
		}
		if (p->how == CELL_TEXT ||
		    (p->how == CELL_BOOL && ((len == 4 && p->true_ok && memcmp(d, "true", 4) == 0) ||
					     (len == 5 && p->false_ok && memcmp(d, "false", 5) == 0)))) {
			*cell = (kp_wcell){.s = d, .len = len};
			continue;
		}
		int cr = kp_cast_cell(f, d, len, &v, err);
		if (cr == KP_CAST_MISSING) {
			*cell = (kp_wcell){.null = 1};
			continue;
		}
		if (cr != KP_CAST_OK) {
			kp_diag_at(err, t->source, bt->rows[row].number, c->pipe.field_col[i] + 1,
				   bt->rows[row].offset);
			err->field = f->name;
			kp_diag_set_cell(err, d, len);
			return -1;
		}
		for (;;) {
			size_t room = c->arena_cap - used;
			int n = kp_cast_canonical(f, &v, c->arena ? c->arena + used : NULL,
						  c->arena ? room : 0);
			if (n >= 0 && (size_t)n < room && c->arena) {
				t->off[i] = used;
				*cell = (kp_wcell){.s = c->arena, .len = (size_t)n};
				used += (size_t)n + 1;
				break;
			}
			if (n < 0 || grow_arena(c, used + (size_t)(n < 0 ? 0 : n) + 64) != 0) {
				kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
				return -1;
			}
		}
	}
	/* The arena may have moved while it grew: point the cells only now. */
	for (size_t i = 0; used && i < nf; i++)
		if (t->off[i] != (size_t)-1)
			cells[i].s = c->arena + t->off[i];
	return 0;
}

/* ---- the writing thread ----
 *
 * Converting and writing a row costs about a third of what validating it does, and the
 * machine has more than one core: the validation thread (the hooks) copies each clean
 * record's cells into a batch and hands full batches to a writing thread, which
 * converts and writes them in order.  A few batches of fixed size circulate, so memory
 * stays flat in the number of rows.  The writers are only touched by the writing
 * thread between a table's start and end (the hooks join it before finishing). */

/* Returns 0, or -1 with c->async_err filled (the rest of the batch is not written). */
static int write_batch(export_ctx *c, table *t, const batch *bt)
{
	kp_writer *ws[3] = {t->csv, t->json, c->rdf};
	const out_file *fs[3] = {t->csv_file, t->json_file, c->rdf_file};
	kp_diag *err = &c->async_err;
	for (size_t r = 0; r < bt->nrows; r++) {
		if (convert_row(c, t, bt, r, err) != 0)
			return -1;
		for (size_t i = 0; i < 3; i++)
			if (ws[i] && ws[i]->ops->row(ws[i], t->cells, bt->rows[r].number, err) != 0)
				return strcmp(err->code, "io-error") == 0 ? in_file(err, fs[i]) : -1;
	}
	return 0;
}

static void *writer_main(void *arg)
{
	export_ctx *c = arg;
	wpipe *w = &c->pipe;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->nfull == 0 && !w->quit)
			pthread_cond_wait(&w->cv_work, &w->mu);
		if (w->nfull == 0)
			break;
		batch *bt = w->full[w->head];
		w->head = (w->head + 1) % NBATCH;
		w->nfull--;
		int skip = c->async_failed;
		pthread_mutex_unlock(&w->mu);
		int bad = !skip && write_batch(c, w->t, bt) != 0;
		bt->nrows = bt->used = 0;
		pthread_mutex_lock(&w->mu);
		if (bad)
			c->async_failed = 1;
		w->freeb[w->nfree++] = bt;
		pthread_cond_signal(&w->cv_free);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Hands the current batch to the writing thread (or writes it here when there is no
 * thread) and takes an empty one. */
static void submit(export_ctx *c)
{
	wpipe *w = &c->pipe;
	batch *bt = w->cur;
	if (!bt || bt->nrows == 0)
		return;
	if (!w->running) {
		if (!c->async_failed && write_batch(c, w->t, bt) != 0)
			c->async_failed = 1;
		bt->nrows = bt->used = 0;
		w->stop = c->async_failed;
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->full[(w->head + w->nfull) % NBATCH] = bt;
	w->nfull++;
	pthread_cond_signal(&w->cv_work);
	while (w->nfree == 0)
		pthread_cond_wait(&w->cv_free, &w->mu);
	w->cur = w->freeb[--w->nfree];
	w->stop = c->async_failed;
	pthread_mutex_unlock(&w->mu);
}

static int pipe_start(export_ctx *c, table *t)
{
	wpipe *w = &c->pipe;
	size_t nf = t->res->schema->nfields;
	w->t = t;
	w->stop = 0;
	w->nfree = w->nfull = w->head = 0;
	for (size_t i = 0; i < NBATCH; i++) {
		batch *bt = &w->b[i];
		free(bt->cells);
		bt->cells = calloc(BATCH_ROWS * (nf ? nf : 1), sizeof *bt->cells);
		if (!bt->text) {
			bt->text = malloc(BATCH_TEXT);
			bt->cap = bt->text ? BATCH_TEXT : 0;
		}
		if (!bt->rows)
			bt->rows = calloc(BATCH_ROWS, sizeof *bt->rows);
		if (!bt->cells || !bt->text || !bt->rows)
			return set_oom(c);
		bt->nrows = bt->used = 0;
		if (i > 0)
			w->freeb[w->nfree++] = bt;
	}
	w->cur = &w->b[0];
	w->quit = 0;
	/* Without a second thread the batches are written in this one: same output. */
	w->running = pthread_create(&w->th, NULL, writer_main, c) == 0;
	return 0;
}

/* Writes what is left and waits for the writing thread; then c->failed says whether
 * every row was written. */
static void pipe_stop(export_ctx *c)
{
	wpipe *w = &c->pipe;
	if (!w->t)
		return;
	if (!c->failed && !w->stop)
		submit(c);
	if (w->running) {
		pthread_mutex_lock(&w->mu);
		w->quit = 1;
		pthread_cond_signal(&w->cv_work);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		w->running = 0;
	}
	if (c->async_failed && !c->failed) {
		c->err = c->async_err; /* the writing thread's error, now that it is joined */
		c->failed = 1;
	}
	w->t = NULL;
}

/* Copies a clean record's cells into the current batch.  When the reader left them in
 * order in one line buffer, at most a NUL and two quotes apart (as it does for
 * well-formed lines), one copy of that span takes them all.  Cells apart by more (an
 * unescaped copy elsewhere, or any other layout) are copied one by one. */
static int enqueue(export_ctx *c, table *t, const kp_validate_row *row)
{
	const kp_csvrecord *rec = row->rec;
	const long *field_col = row->field_col;
	wpipe *w = &c->pipe;
	size_t nf = t->res->schema->nfields, n = rec->ncells, need = 0;
	const kp_csvcell *cl = rec->cells;
	int block = 1;
	for (size_t k = 1; k < n && block; k++) {
		const char *end = cl[k - 1].data + cl[k - 1].len;
		block = cl[k].data > end && cl[k].data - end <= 3;
	}
	if (block) {
		need = (size_t)(cl[n - 1].data - cl[0].data) + cl[n - 1].len;
	} else {
		for (size_t i = 0; i < nf; i++)
			if (field_col[i] >= 0 && (size_t)field_col[i] < n)
				need += cl[field_col[i]].len;
	}
	if (need > BATCH_TEXT_MAX) {
		kp_diag_set(&c->err, KP_SEV_ERROR, "io-error", "record %ld is too long to export",
			    rec->number);
		return -1;
	}
	w->field_col = field_col;
	batch *bt = w->cur;
	if (bt->nrows == BATCH_ROWS || bt->cap - bt->used < need) {
		submit(c);
		bt = w->cur;
		if (w->stop)
			return 0;
	}
	if (bt->cap < need) {
		char *p = realloc(bt->text, need);
		if (!p)
			return set_oom(c);
		bt->text = p;
		bt->cap = need;
	}
	bcell *bc = &bt->cells[bt->nrows * nf];
	if (block)
		memcpy(bt->text + bt->used, cl[0].data, need);
	for (size_t i = 0; i < nf; i++) {
		long col = field_col[i];
		if (col < 0 || (size_t)col >= n) {
			bc[i] = (bcell){.off = NO_CELL};
			continue;
		}
		const kp_csvcell *src = &cl[col];
		size_t off = bt->used;
		if (block) {
			off += (size_t)(src->data - cl[0].data);
		} else {
			memcpy(bt->text + off, src->data, src->len);
			bt->used += src->len;
		}
		bc[i] = (bcell){.off = (uint32_t)off, .len = (uint32_t)src->len, .as_is = row->as_is[i]};
	}
	if (block)
		bt->used += need;
	bt->rows[bt->nrows].number = rec->number;
	bt->rows[bt->nrows].offset = rec->offset;
	bt->nrows++;
	return 0;
}

/* The hooks never stop the validation: it reports every finding, as kplan-validate does.
 * After a failed write (c->failed) or in a table with an error (t->dirty) they only
 * stop writing; kp_export_run then throws every temporary file away. */

static int hook_start(void *ctx, const kp_resource *res, const kp_schema *s, const char *file)
{
	(void)s;
	(void)file;
	export_ctx *c = ctx;
	table *t = c->cur = table_of(c, res);
	if (!t || c->failed)
		return 0;
	t->started = 1;
	if (begin_table(c, t) != 0 || pipe_start(c, t) != 0)
		c->failed = 1;
	return 0;
}

static int hook_row(void *ctx, const kp_validate_row *row)
{
	export_ctx *c = ctx;
	table *t = c->cur;
	if (!t || c->failed || t->dirty)
		return 0;
	if (!row->clean) {
		t->dirty = 1;
		return 0;
	}
	if (row->rec->ncells == 0 || c->pipe.stop)
		return 0;
	if (enqueue(c, t, row) != 0)
		c->failed = 1;
	return 0;
}

static int hook_end(void *ctx, const kp_resource *res, const kp_validate_stats *st)
{
	(void)res;
	export_ctx *c = ctx;
	table *t = c->cur;
	c->cur = NULL;
	pipe_stop(c);
	if (!t || c->failed)
		return 0;
	if (st->errors)
		t->dirty = 1;
	if (end_table(c, t) != 0)
		c->failed = 1;
	return 0;
}

/* Plans every output file (order = datapackage.json resource order) and opens the RDF
 * file, whose root comes before any table. */
static int plan_files(export_ctx *c)
{
	const kp_export_opts *o = c->o;
	char name[1024];
	/* Files per table: csv, json, csvw; plus rdf and datapackage.json. */
	c->files = calloc(3 * c->ntables + 3, sizeof *c->files);
	if (!c->files)
		return set_oom(c);
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
		c->rdf = kp_write_rdf_ops.open(c->rdf_file->fp, &c->wopts, &c->err);
		if (!c->rdf)
			return strcmp(c->err.code, "io-error") == 0 ? in_file(&c->err, c->rdf_file) : -1;
	}
	return 0;
}

/* ---- all or nothing ---- */

static void abort_all(export_ctx *c)
{
	for (size_t i = 0; i < c->nfiles; i++) {
		out_file *f = &c->files[i];
		if (f->fp) {
			f->discard = 1;
			fclose(f->fp);
			f->fp = NULL;
		}
		if (f->raw) {
			fclose(f->raw);
			f->raw = NULL;
		}
		kp_files_sha256_release(&f->h);
	}
}

/* Every file is complete and durable in the stage: carry over what else OUT holds, then
 * exchange the stage with OUT in one step. */
static int commit_all(export_ctx *c)
{
	const char **names = calloc(c->nfiles + 1, sizeof *names);
	if (!names)
		return set_oom(c);
	for (size_t i = 0; i < c->nfiles; i++)
		names[i] = c->files[i].name;
	int rc = kp_stage_carry(&c->stage, names, c->nfiles, &c->err);
	free(names);
	if (rc == 0)
		rc = kp_stage_commit(&c->stage, c->o->interrupted, &c->err);
	return rc;
}

/* After a clean validation pass: the metadata files, the DCAT part of the RDF file. */
static int write_rest(export_ctx *c)
{
	const kp_export_opts *o = c->o;
	kp_catalog_opts co = {
	    .bom = o->bom, .eol = o->eol, .header_titles = o->header_titles, .date = o->date};
	char name[1024];
	for (size_t i = 0; i < c->ntables; i++)
		if (!c->tables[i].started) {
			/* The engine validates every table of the package; this is a bug. */
			kp_diag_set(&c->err, KP_SEV_ERROR, "io-error",
				    "table \"%s\" was not read by the validation pass",
				    c->tables[i].res->name);
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
		if (rc != 0 || rc2 != 0)
			return in_file(&c->err, c->rdf_file);
		if (close_file(c, c->rdf_file) != 0)
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
	c->failed = 1; /* nothing more to write: just stop the writing thread */
	pipe_stop(c);
	for (size_t i = 0; i < NBATCH; i++) {
		free(c->pipe.b[i].text);
		free(c->pipe.b[i].cells);
		free(c->pipe.b[i].rows);
	}
	pthread_mutex_destroy(&c->pipe.mu);
	pthread_cond_destroy(&c->pipe.cv_work);
	pthread_cond_destroy(&c->pipe.cv_free);
	if (c->rdf)
		kp_write_rdf_ops.close(c->rdf, NULL);
	for (size_t i = 0; i < c->ntables; i++) {
		table *t = &c->tables[i];
		if (t->csv)
			kp_write_csv_ops.close(t->csv, NULL);
		if (t->json)
			kp_write_json_ops.close(t->json, NULL);
		if (t->spool)
			fclose(t->spool);
		free(t->cells);
		free(t->off);
		free(t->plan);
		free(t->cols);
		free(t->source);
	}
	abort_all(c);
	if (c->staged)
		kp_stage_release(&c->stage);
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
	kp_diag_clear(&c.async_err);
	pthread_mutex_init(&c.pipe.mu, NULL);
	pthread_cond_init(&c.pipe.cv_work, NULL);
	pthread_cond_init(&c.pipe.cv_free, NULL);
	int status = load(&c);
	if (status == KP_EXIT_OK) {
		/* The outputs are written while the tables are validated, into temporary files
		 * that only a clean pass commits.  When OUT cannot be prepared, validation
		 * still runs first, so invalid data is reported as such (exit 1). */
		int ready = kp_stage_open(&c.stage, o->out_dir, &c.err) == 0;
		c.staged = ready;
		ready = ready && plan_files(&c) == 0;
		if (!ready)
			c.failed = 1;
		kp_validate_hooks hooks = {&c, hook_start, hook_row, hook_end};
		kp_validate_opts vo = {.max_errors = 1000,
				       .encoding = o->encoding,
				       .sheet = o->sheet,
				       .no_sha256 = 1,
				       .hooks = ready ? &hooks : NULL,
				       .interrupted = o->interrupted,
				       .lg_codes = o->lg_codes};
		int rc = kp_validate_package(c.pkg, o->data_dir, &vo, &o->sink, o->table_done,
					     o->table_ctx);
		status = rc == 0 ? KP_EXIT_OK : rc == 1 ? KP_EXIT_INVALID : KP_EXIT_IO;
		if (o->interrupted && *o->interrupted) {
			kp_diag_set(&c.err, KP_SEV_ERROR, "interrupted", "interrupted by signal %d",
				    (int)*o->interrupted);
			status = report(&c, KP_EXIT_IO);
		}
	}
	if (status == KP_EXIT_OK && (c.failed || write_rest(&c) != 0 || commit_all(&c) != 0)) {
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
	ctx_release(&c); /* a failed run leaves no trace: the stage goes, and OUT if we made it */
	return status;
}
