/* datastore — see datastore.h. */
#include "i18n.h"
#include "datastore.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvread.h"
#include "files.h"

#define CHUNK_MIN_ROWS 512
#define CHUNK_MAX_ROWS 4096
#define CHUNK_MASK 1023u /* a chunk ends after a row whose hash & CHUNK_MASK == 0 */
#define CHUNK_MAX_BYTES (4u << 20)
#define DIGEST_HEX 16	/* hex digits kept of a chunk's SHA-256 */
#define SCAN_PAGE 32000 /* datastore_search's cap (ckan.datastore.search.rows_max) */
#define DELETE_BATCH 500

/* ---- types and values --------------------------------------------------------------- */

enum vkind { V_TEXT, V_INT, V_NUM, V_BOOL, V_JSON };

static const struct {
	const char *ts, *pg;
	enum vkind kind;
} types[] = {
    {"string", "text", V_TEXT},	       {"integer", "int8", V_INT},   {"number", "numeric", V_NUM},
    {"boolean", "bool", V_BOOL},       {"date", "date", V_TEXT},     {"time", "time", V_TEXT},
    {"datetime", "timestamp", V_TEXT}, {"year", "int4", V_INT},	     {"yearmonth", "text", V_TEXT},
    {"duration", "interval", V_TEXT},  {"geopoint", "text", V_TEXT}, {"geojson", "json", V_JSON},
    {"object", "json", V_JSON},	       {"array", "json", V_JSON},    {"list", "text", V_TEXT},
    {"any", "text", V_TEXT},
};

static int type_index(const char *ts)
{
	for (size_t i = 0; ts && i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(types[i].ts, ts))
			return (int)i;
	return 0;
}

const char *kp_ds_pg_type(const char *ts)
{
	return types[type_index(ts)].pg;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 4096;
	while (n < need)
		n *= 2;
	char *b = realloc(*buf, n);
	if (!b)
		return -1;
	*buf = b;
	*cap = n;
	return 0;
}

static int put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (grow(buf, cap, *len + n + 1))
		return -1;
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* A JSON string of s[0..n). */
static int put_string(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (grow(buf, cap, *len + 6 * n + 3))
		return -1;
	char *o = *buf + *len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			*o++ = '\\';
			*o++ = (char)ch;
		} else if (ch < 0x20) {
			o += sprintf(o, "\\u%04x", ch);
		} else {
			*o++ = (char)ch;
		}
	}
	*o++ = '"';
	*o = '\0';
	*len = (size_t)(o - *buf);
	return 0;
}

/* JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number(const char *s, size_t n, int integer_only)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n || !isdigit((unsigned char)s[i]))
		return 0;
	if (s[i] == '0')
		i++;
	else
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
	if (integer_only)
		return i == n && n <= 18;
	if (i < n && s[i] == '.') {
		size_t d = ++i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t d = i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		if (i == d)
			return 0;
	}
	return i == n;
}

int kp_ds_cell_json(char **buf, size_t *len, size_t *cap, const char *type, const char *cell,
		    size_t n)
{
	if (n == 0)
		return put(buf, len, cap, "null", 4);
	switch (types[type_index(type)].kind) {
	case V_INT:
		if (json_number(cell, n, 1))
			return put(buf, len, cap, cell, n);
		break;
	case V_NUM:
		if (json_number(cell, n, 0))
			return put(buf, len, cap, cell, n);
		break;
	case V_BOOL:
		if ((n == 4 && !memcmp(cell, "true", 4)) || (n == 5 && !memcmp(cell, "false", 5)))
			return put(buf, len, cap, cell, n);
		break;
	case V_JSON: {
		json_t *j = json_loadb(cell, n, JSON_DECODE_ANY, NULL);
		json_decref(j);
		if (j)
			return put(buf, len, cap, cell, n);
		break;
	}
	case V_TEXT:
		break;
	}
	/* anything else as text: the DataStore says what it cannot take */
	return put_string(buf, len, cap, cell, n);
}

/* ---- hashing ------------------------------------------------------------------------- */

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	/* splitmix64 finaliser: the low bits depend on every byte */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int digest_hex(const char *data, size_t n, char out[DIGEST_HEX + 1])
{
	kp_sha256 h;
	char hex[KP_SHA256_HEX_LEN + 1];
	if (kp_files_sha256_init(&h) || kp_files_sha256_update(&h, data, n) ||
	    kp_files_sha256_final(&h, hex)) {
		kp_files_sha256_release(&h);
		return -1;
	}
	memcpy(out, hex, DIGEST_HEX);
	out[DIGEST_HEX] = '\0';
	return 0;
}

/* ---- the plan -------------------------------------------------------------------------- */

typedef struct ds_col {
	const char *id, *type; /* borrowed from the descriptor */
} ds_col;

enum ds_act { T_SKIP, T_CREATE, T_RELOAD, T_UPDATE };

typedef struct ds_table {
	const kp_upload_file *f; /* the CSV */
	ds_col *cols;
	size_t ncols;
	size_t key[8], nkey; /* indexes of the key columns; nkey 0: none */
	int key_declared;
	json_t *fields; /* owned: [{id, type, info}] */
	char cols_digest[DIGEST_HEX + 1], info_digest[DIGEST_HEX + 1];
	char digest[KP_SHA256_HEX_LEN + 1]; /* of everything below: the table's state */
	char *chunks;			    /* owned: DIGEST_HEX hex digits per chunk */
	size_t nchunks;
	long long rows;
	uint64_t *keys; /* owned, sorted: hashes of the rows' keys */
	/* the portal's */
	char *rid;     /* owned: the DataStore resource, or NULL */
	uint64_t *old; /* owned, sorted: the chunks it holds */
	size_t nold;
	long long old_rows;
	int info_changed;
	enum ds_act act;
	size_t send; /* chunks to send */
	long step;
	char why[120]; /* when reloaded: why */
} ds_table;

struct kp_ds_plan {
	const kp_upload_pkg *pkg;
	ds_table *t;
	size_t n;
	char **stale; /* owned ids of DataStore resources of tables no longer in the package */
	long *stale_step;
	size_t nstale;
};

/* The resource of the package's descriptor that f is. */
static const json_t *descriptor_of(const kp_upload_pkg *pkg, const kp_upload_file *f)
{
	size_t i;
	const json_t *r;
	json_array_foreach(json_object_get(pkg->root, "resources"), i, r)
	{
		const char *n = kp_ck_str(r, "name");
		if (n && !strcmp(n, f->name))
			return r;
	}
	return NULL;
}

/* CKAN's rule for a column id (ckanext/datastore/helpers.py is_valid_field_name), and
 * PostgreSQL's 63-byte identifiers.  NULL when fine, else why not. */
static const char *bad_id(const char *id)
{
	size_t n = strlen(id);
	if (!n)
		return N_("it is empty");
	if (id[0] == '_')
		return N_("CKAN reserves names starting with _");
	if (isspace((unsigned char)id[0]) || isspace((unsigned char)id[n - 1]))
		return N_("it starts or ends with a space");
	if (n > 63)
		return N_("PostgreSQL keeps only 63 bytes of a column name (21 kanji)");
	for (size_t i = 0; i < n; i++)
		if (id[i] == '"' || (unsigned char)id[i] < 0x20)
			return N_("it holds a double quote or a control character");
	return NULL;
}

/* The table's key: the primaryKey; else its 全国地方公共団体コード column (if any) and its
 * ID column, the columns a standard dataset's rows are identified by (checked to be
 * filled and unique once the rows are read). */
static void choose_key(ds_table *t, const json_t *schema)
{
	const json_t *pk = json_object_get(schema, "primaryKey");
	const json_t *fields = json_object_get(schema, "fields");
	t->nkey = 0;
	t->key_declared = 0;
	size_t i;
	const json_t *v;
	if (json_is_string(pk) || json_is_array(pk)) {
		json_t *one = json_is_string(pk) ? json_pack("[O]", kp_ck_unconst(pk)) : NULL;
		json_array_foreach(one ? one : kp_ck_unconst(pk), i, v)
		{
			for (size_t k = 0; k < t->ncols && t->nkey < 8; k++)
				if (json_is_string(v) &&
				    !strcmp(t->cols[k].id, json_string_value(v)))
					t->key[t->nkey++] = k;
		}
		json_decref(one);
		t->key_declared = t->nkey > 0;
		return;
	}
	long lg = -1, id = -1;
	json_array_foreach(fields, i, v)
	{
		const char *n = kp_ck_str(v, "name"), *title = kp_ck_str(v, "title");
		if (lg < 0 && json_is_true(json_object_get(v, "lgCode")) && i == 0)
			lg = (long)i;
		if (id < 0 && ((n && !strcasecmp(n, "id")) || (title && !strcmp(title, "ID"))))
			id = (long)i;
	}
	if (id < 0)
		return;
	if (lg >= 0)
		t->key[t->nkey++] = (size_t)lg;
	t->key[t->nkey++] = (size_t)id;
}

static int is_key(const ds_table *t, size_t col)
{
	for (size_t i = 0; i < t->nkey; i++)
		if (t->key[i] == col)
			return 1;
	return 0;
}

/* The DataStore fields of a schema; fills t->cols. */
static int make_fields(kp_ck *c, ds_table *t, const json_t *schema)
{
	const json_t *fields = json_object_get(schema, "fields");
	size_t n = json_array_size(fields);
	t->cols = calloc(n ? n : 1, sizeof *t->cols);
	t->fields = json_array();
	if (!t->cols || !t->fields)
		return kp_ck_fail(c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
	size_t i;
	const json_t *f;
	json_array_foreach(fields, i, f)
	{
		const char *id = kp_ck_str(f, "name"), *type = kp_ck_str(f, "type");
		const char *why = id ? bad_id(id) : N_("it has no name");
		for (size_t k = 0; !why && k < i; k++)
			if (!strcmp(t->cols[k].id, id))
				why = N_("two fields have that name");
		if (why) {
			char what[300];
			snprintf(what, sizeof what,
				 _("%s: field \"%s\" cannot be a DataStore column"), t->f->name,
				 id ? id : "");
			kp_diag_set(
			    c->err, KP_SEV_ERROR, "datastore-field",
			    "%s: %s; rename the field in the Table Schema (its title, shown as "
			    "the column's label, can stay)",
			    what, _(why));
			return KP_UPLOAD_USAGE;
		}
		t->cols[i] = (ds_col){id, type ? type : "string"};
		json_t *info = json_object();
		if (kp_ck_str(f, "title"))
			json_object_set_new(info, "label", json_string(kp_ck_str(f, "title")));
		if (kp_ck_str(f, "description"))
			json_object_set_new(info, "notes",
					    json_string(kp_ck_str(f, "description")));
		json_array_append_new(t->fields, json_pack("{s:s, s:s, s:o}", "id", id, "type",
							   kp_ds_pg_type(type), "info", info));
	}
	t->ncols = n;
	return KP_UPLOAD_OK;
}

/* ---- reading a table ---------------------------------------------------------------------- */

typedef struct scan {
	ds_table *t;
	char *rows; /* the chunk's records, comma separated */
	size_t len, cap;
	size_t nrows;
	char *row;
	size_t rlen, rcap;
	char *keybuf;
	size_t klen, kcap;
	/* called per chunk; non-zero stops */
	int (*chunk)(struct scan *s, const char digest[DIGEST_HEX + 1]);
	void *ctx;
	uint64_t *keys; /* collected key hashes */
	size_t nkeys, keycap;
	int key_bad;   /* a key cell was empty */
	kp_diag first; /* the reader's first error */
	int failed;
} scan;

static int scan_sink(void *ctx, const kp_diag *d)
{
	scan *s = ctx;
	if (d->severity == KP_SEV_ERROR && !s->failed) {
		s->first = *d;
		s->failed = 1;
		return 1;
	}
	return 0;
}

static int end_chunk(scan *s)
{
	char digest[DIGEST_HEX + 1];
	if (!s->nrows)
		return 0;
	if (digest_hex(s->rows, s->len, digest))
		return -1;
	int rc = s->chunk(s, digest);
	s->len = 0;
	s->nrows = 0;
	if (s->rows)
		s->rows[0] = '\0';
	return rc;
}

/* Reads the CSV: builds each row's record, cuts the chunks, hands each to s->chunk.
 * Returns 0, or a KP_UPLOAD_* status with c->err. */
static int scan_table(kp_ck *c, scan *s, int collect_keys)
{
	ds_table *t = s->t;
	kp_csvread_opts ro = {.file = t->f->path, .sink = {scan_sink, s}};
	kp_diag err;
	kp_diag_clear(&err);
	kp_csvread *r = kp_csvread_open(t->f->path, &ro, &err);
	if (!r) {
		*c->err = err;
		return KP_UPLOAD_IO;
	}
	kp_csvrecord rec;
	int got, st = KP_UPLOAD_OK;
	long long rows = 0;
	while (st == KP_UPLOAD_OK && (got = kp_csvread_next(r, &rec)) == 1) {
		if (rec.number == 1 || rec.ncells == 0)
			continue; /* the header; kplan-export writes no blank line */
		if (rec.ncells != t->ncols) {
			kp_diag_set(
			    c->err, KP_SEV_ERROR, "datastore-row",
			    "row %ld has %zu cells, the schema %zu fields: export the package "
			    "again (kplan-export)",
			    rec.number, rec.ncells, t->ncols);
			kp_diag_at(c->err, t->f->path, rec.line, 0, rec.offset);
			st = KP_UPLOAD_USAGE;
			break;
		}
		s->rlen = 0;
		int bad = put(&s->row, &s->rlen, &s->rcap, "{", 1);
		s->klen = 0;
		for (size_t i = 0; i < t->ncols && !bad; i++) {
			const kp_csvcell *cell = &rec.cells[i];
			bad = (i && put(&s->row, &s->rlen, &s->rcap, ",", 1)) ||
			      put_string(&s->row, &s->rlen, &s->rcap, t->cols[i].id,
					 strlen(t->cols[i].id)) ||
			      put(&s->row, &s->rlen, &s->rcap, ":", 1) ||
			      kp_ds_cell_json(&s->row, &s->rlen, &s->rcap, t->cols[i].type,
					      cell->data, cell->len);
			if (!bad && collect_keys && is_key(t, i)) {
				if (!cell->len)
					s->key_bad = 1;
				bad = put(&s->keybuf, &s->klen, &s->kcap, cell->data, cell->len) ||
				      put(&s->keybuf, &s->klen, &s->kcap, "\x1f", 1);
			}
		}
		bad = bad || put(&s->row, &s->rlen, &s->rcap, "}", 1);
		if (!bad && collect_keys && t->nkey) {
			if (s->nkeys == s->keycap) {
				size_t cap = s->keycap ? 2 * s->keycap : 1024;
				uint64_t *k = realloc(s->keys, cap * sizeof *k);
				if (!k)
					bad = 1;
				else {
					s->keys = k;
					s->keycap = cap;
				}
			}
			if (!bad)
				s->keys[s->nkeys++] = fnv(s->keybuf, s->klen);
		}
		if (bad) {
			st = kp_ck_fail(c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
			break;
		}
		if (s->len + s->rlen + 1 > CHUNK_MAX_BYTES && (st = end_chunk(s)) != 0)
			break;
		if ((s->nrows && put(&s->rows, &s->len, &s->cap, ",", 1)) ||
		    put(&s->rows, &s->len, &s->cap, s->row, s->rlen)) {
			st = kp_ck_fail(c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
			break;
		}
		s->nrows++;
		rows++;
		uint64_t h = fnv(s->row, s->rlen);
		if ((s->nrows >= CHUNK_MIN_ROWS && (h & CHUNK_MASK) == 0) ||
		    s->nrows >= CHUNK_MAX_ROWS)
			st = end_chunk(s);
	}
	if (st == KP_UPLOAD_OK)
		st = end_chunk(s);
	if (st == KP_UPLOAD_OK && (kp_csvread_failed(r) || s->failed)) {
		*c->err = s->first;
		st = KP_UPLOAD_IO;
	}
	kp_csvread_free(r);
	t->rows = rows;
	return st < 0 ? KP_UPLOAD_NET : st;
}

static void scan_release(scan *s)
{
	free(s->rows);
	free(s->row);
	free(s->keybuf);
	free(s->keys);
}

static int collect_chunk(scan *s, const char digest[DIGEST_HEX + 1])
{
	ds_table *t = s->t;
	char *c = realloc(t->chunks, (t->nchunks + 1) * DIGEST_HEX + 1);
	if (!c)
		return -1;
	t->chunks = c;
	memcpy(c + t->nchunks * DIGEST_HEX, digest, DIGEST_HEX + 1);
	t->nchunks++;
	return 0;
}

static uint64_t hex64(const char *h)
{
	uint64_t v = 0;
	for (int i = 0; i < DIGEST_HEX; i++) {
		int c = h[i];
		v = v << 4 | (uint64_t)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10) & 15);
	}
	return v;
}

static int held(const ds_table *t, const char *digest)
{
	uint64_t v = hex64(digest);
	return t->old && bsearch(&v, t->old, t->nold, sizeof v, cmp_u64) != NULL;
}

/* The DataStore resource kplan made for table name, and how many there are. */
static const json_t *find_ds(const json_t *pkg, const char *name, size_t *count)
{
	const json_t *first = NULL, *r;
	size_t i;
	*count = 0;
	json_array_foreach(json_object_get(pkg, "resources"), i, r)
	{
		const char *k = kp_ck_str(r, "kplan_datastore"), *state = kp_ck_str(r, "state");
		if (k && !strcmp(k, name) && (!state || !strcmp(state, "active"))) {
			if (!first)
				first = r;
			++*count;
		}
	}
	return first;
}

static void table_state(ds_table *t)
{
	kp_sha256 h;
	kp_files_sha256_init(&h);
	char keys[64];
	snprintf(keys, sizeof keys, "%zu:%d:", t->nkey, t->key_declared);
	kp_files_sha256_update(&h, t->cols_digest, DIGEST_HEX);
	kp_files_sha256_update(&h, t->info_digest, DIGEST_HEX);
	kp_files_sha256_update(&h, keys, strlen(keys));
	if (t->chunks)
		kp_files_sha256_update(&h, t->chunks, t->nchunks * DIGEST_HEX);
	if (kp_files_sha256_final(&h, t->digest))
		t->digest[0] = '\0';
}

static int fields_digests(ds_table *t)
{
	json_t *cols = json_array(), *info = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(t->fields, i, f)
	{
		json_array_append_new(cols, json_pack("[O,O,b]", json_object_get(f, "id"),
						      json_object_get(f, "type"), is_key(t, i)));
		json_array_append(info, json_object_get(f, "info"));
	}
	char *a = json_dumps(cols, JSON_COMPACT | JSON_SORT_KEYS);
	char *b = json_dumps(info, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = a && b && !digest_hex(a, strlen(a), t->cols_digest) &&
			 !digest_hex(b, strlen(b), t->info_digest)
		     ? 0
		     : -1;
	free(a);
	free(b);
	json_decref(cols);
	json_decref(info);
	return rc;
}

static long long jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return -1;
}

static int plan_table(kp_ck *c, const kp_upload_pkg *pkg, const json_t *cur, ds_table *t)
{
	const json_t *d = descriptor_of(pkg, t->f);
	const json_t *schema = json_object_get(d, "schema");
	int st = make_fields(c, t, schema);
	if (st)
		return st;
	choose_key(t, schema);
	scan s = {.t = t, .chunk = collect_chunk};
	st = scan_table(c, &s, 1);
	if (st == KP_UPLOAD_OK && t->nkey) {
		qsort(s.keys, s.nkeys, sizeof *s.keys, cmp_u64);
		int dup = 0;
		for (size_t i = 1; i < s.nkeys && !dup; i++)
			dup = s.keys[i] == s.keys[i - 1];
		if (dup || s.key_bad) {
			if (t->key_declared) {
				st = kp_ck_fail(
				    c, KP_UPLOAD_USAGE,
				    "the primary key of the table is not unique or not filled",
				    t->f->name, N_("validate the package (kplan-validate)"));
			} else {
				t->nkey =
				    0; /* the ID column is no key: reloaded whole when it changes */
			}
		} else {
			t->keys = s.keys;
			s.keys = NULL;
		}
	}
	scan_release(&s);
	if (st)
		return st;
	if (fields_digests(t))
		return kp_ck_fail(c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
	table_state(t);

	size_t count = 0;
	const json_t *res = cur ? find_ds(cur, t->f->name, &count) : NULL;
	if (count > 1)
		return kp_ck_fail(
		    c, KP_UPLOAD_NET, "the dataset holds DataStore table", t->f->name,
		    N_("more than one resource carries it; remove the extra ones on the portal"));
	if (!res) {
		t->act = T_CREATE;
		t->send = t->nchunks;
		return KP_UPLOAD_OK;
	}
	t->rid = kp_ck_str(res, "id") ? strdup(kp_ck_str(res, "id")) : NULL;
	if (!t->rid)
		return kp_ck_fail(c, KP_UPLOAD_NET, "the portal's resource has no id", t->f->name,
				  NULL);
	const char *held_state = kp_ck_str(res, "kplan_sha256");
	/* not datastore_active: CKAN 2.9's package_show may not show it (ckan/ckan#7834) */
	if (held_state && !strcmp(held_state, t->digest)) {
		t->act = T_SKIP;
		return KP_UPLOAD_OK;
	}
	const char *oc = kp_ck_str(res, "kplan_ds_columns"), *oi = kp_ck_str(res, "kplan_ds_info");
	const char *ochunks = kp_ck_str(res, "kplan_ds_chunks");
	t->old_rows = jint(res, "kplan_ds_rows");
	if (!oc || strcmp(oc, t->cols_digest) || !t->nkey || !ochunks) {
		t->act = T_RELOAD;
		t->send = t->nchunks;
		snprintf(t->why, sizeof t->why, "%s",
			 !oc || !ochunks	      ? N_("not loaded by kplan")
			 : strcmp(oc, t->cols_digest) ? N_("the columns changed")
						      : N_("no key to update rows by"));
		return KP_UPLOAD_OK;
	}
	t->act = T_UPDATE;
	t->info_changed = !oi || strcmp(oi, t->info_digest);
	size_t n = strlen(ochunks) / DIGEST_HEX;
	t->old = malloc((n ? n : 1) * sizeof *t->old);
	if (!t->old)
		return kp_ck_fail(c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
	for (size_t i = 0; i < n; i++)
		t->old[i] = hex64(ochunks + i * DIGEST_HEX);
	t->nold = n;
	qsort(t->old, n, sizeof *t->old, cmp_u64);
	for (size_t i = 0; i < t->nchunks; i++)
		t->send += !held(t, t->chunks + i * DIGEST_HEX);
	return KP_UPLOAD_OK;
}

/* "lg_code + id", or "none". */
static const char *key_names(const ds_table *t, char *buf, size_t sz)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < t->nkey && k < sz; i++) {
		int w = snprintf(buf + k, sz - k, "%s%s", i ? " + " : "", t->cols[t->key[i]].id);
		k += w > 0 ? (size_t)w : 0;
	}
	return t->nkey ? buf : _("none");
}

static void add_step(kp_ck *c, ds_table *t)
{
	char detail[300], keys[200];
	switch (t->act) {
	case T_SKIP:
		t->step = kp_upload_report_add(c->rep, N_("skip"), N_("DataStore table"),
					       t->f->name, N_("same rows and columns"), 0);
		return;
	case T_CREATE:
		snprintf(detail, sizeof detail, _("%lld rows, %zu columns, key %s"), t->rows,
			 t->ncols, key_names(t, keys, sizeof keys));
		t->step = kp_upload_report_add(c->rep, N_("create"), N_("DataStore table"),
					       t->f->name, detail, 1);
		return;
	case T_RELOAD:
		snprintf(detail, sizeof detail, _("%lld rows: %s"), t->rows, _(t->why));
		t->step = kp_upload_report_add(c->rep, N_("reload"), N_("DataStore table"),
					       t->f->name, detail, 1);
		return;
	case T_UPDATE:
		snprintf(detail, sizeof detail, _("%zu of %zu chunks of rows differ%s"), t->send,
			 t->nchunks, t->info_changed ? _(", and the data dictionary") : "");
		t->step = kp_upload_report_add(c->rep, N_("upsert"), N_("DataStore table"),
					       t->f->name, detail, 1);
		return;
	}
}

/* Is f a table for the DataStore: a CSV with a Table Schema? */
static int is_table(const kp_upload_pkg *pkg, const kp_upload_file *f)
{
	const json_t *d = descriptor_of(pkg, f);
	return d && json_is_object(json_object_get(d, "schema")) &&
	       ((f->format && !strcasecmp(f->format, "csv")) ||
		(f->mediatype && !strcasecmp(f->mediatype, "text/csv")));
}

int kp_ds_plan_make(kp_ck *c, const kp_upload_pkg *pkg, const json_t *cur, kp_ds_plan **out)
{
	kp_ds_plan *p = calloc(1, sizeof *p);
	*out = p;
	if (!p || !(p->t = calloc(pkg->nfiles ? pkg->nfiles : 1, sizeof *p->t)))
		return kp_ck_fail(c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
	p->pkg = pkg;
	for (size_t i = 0; i < pkg->nfiles; i++) {
		if (!is_table(pkg, &pkg->files[i]))
			continue;
		ds_table *t = &p->t[p->n++];
		t->f = &pkg->files[i];
		int st = plan_table(c, pkg, cur, t);
		if (st)
			return st;
		add_step(c, t);
	}
	/* DataStore tables kplan made for tables the package no longer has */
	size_t i;
	const json_t *r;
	json_array_foreach(json_object_get(cur, "resources"), i, r)
	{
		const char *k = kp_ck_str(r, "kplan_datastore"), *rid = kp_ck_str(r, "id");
		const char *state = kp_ck_str(r, "state");
		int known = 0;
		for (size_t j = 0; k && j < p->n && !known; j++)
			known = !strcmp(p->t[j].f->name, k);
		if (!k || !rid || known || (state && strcmp(state, "active")))
			continue;
		char **ids = realloc(p->stale, (p->nstale + 1) * sizeof *ids);
		long *steps = ids ? realloc(p->stale_step, (p->nstale + 1) * sizeof *steps) : NULL;
		if (ids)
			p->stale = ids;
		if (steps)
			p->stale_step = steps;
		if (!ids || !steps || !(p->stale[p->nstale] = strdup(rid)))
			return kp_ck_fail(c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
		p->stale_step[p->nstale++] =
		    kp_upload_report_add(c->rep, N_("delete"), N_("DataStore table"), k,
					 N_("no longer in the package"), 1);
	}
	return KP_UPLOAD_OK;
}

/* ---- carrying it out --------------------------------------------------------------------- */

typedef struct sender {
	kp_ck *c;
	ds_table *t;
	int all;     /* send every chunk (a new or reloaded table) */
	int insert;  /* method insert (no key) */
	size_t sent; /* chunks sent */
	int st;
	char *body;
	size_t len, cap;
} sender;

static int send_rows(kp_ck *c, ds_table *t, const char *records, size_t len, int insert, int last,
		     char **body, size_t *blen, size_t *bcap)
{
	char head[300];
	snprintf(head, sizeof head,
		 "{\"resource_id\":\"%s\",\"method\":\"%s\",\"calculate_record_count\":%s,"
		 "\"records\":[",
		 t->rid, insert ? "insert" : "upsert", last ? "true" : "false");
	*blen = 0;
	if (put(body, blen, bcap, head, strlen(head)) || put(body, blen, bcap, records, len) ||
	    put(body, blen, bcap, "]}", 2))
		return kp_ck_fail(c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
	kp_ck_answer a;
	/* an upsert is idempotent (retried like a patch); an insert is not: a lost answer
	 * leaves the table in doubt, and the next run reloads it (its state is not yet
	 * the new one) */
	int o =
	    kp_ck_call_text(c, "datastore_upsert", insert ? KP_CK_CREATE : KP_CK_PATCH, *body, &a);
	if (o == KP_CK_OK) {
		json_decref(a.result);
		return KP_UPLOAD_OK;
	}
	return kp_ck_fail(c, KP_UPLOAD_NET, "cannot load rows into DataStore table", t->f->name,
			  a.why);
}

static int send_chunk(scan *s, const char digest[DIGEST_HEX + 1])
{
	sender *x = s->ctx;
	if (!x->all && held(x->t, digest))
		return 0;
	x->sent++;
	x->st = send_rows(x->c, x->t, s->rows, s->len, x->insert, x->sent == x->t->send, &x->body,
			  &x->len, &x->cap);
	return x->st ? 1 : 0;
}

/* Sends the chunks the portal lacks (all of them with all set). */
static int send_table(kp_ck *c, ds_table *t, int all)
{
	sender x = {.c = c, .t = t, .all = all, .insert = !t->nkey};
	scan s = {.t = t, .chunk = send_chunk, .ctx = &x};
	int st = scan_table(c, &s, 0);
	scan_release(&s);
	free(x.body);
	return x.st ? x.st : st;
}

static json_t *create_body(const ds_table *t)
{
	json_t *b = json_pack("{s:O}", "fields", t->fields);
	if (t->nkey) {
		json_t *pk = json_array();
		for (size_t i = 0; i < t->nkey; i++)
			json_array_append_new(pk, json_string(t->cols[t->key[i]].id));
		json_object_set_new(b, "primary_key", pk);
	}
	return b;
}

/* The resource's name and description on the portal. */
static void resource_text(const kp_upload_pkg *pkg, const ds_table *t, char *name, size_t nsz,
			  char *desc, size_t dsz)
{
	const json_t *d = descriptor_of(pkg, t->f);
	const char *title = kp_ck_str(d, "title");
	/* the exported CSV's title ends with its format: "公衆トイレ一覧（CSV）" */
	char base[400];
	snprintf(base, sizeof base, "%s", title && *title ? title : t->f->name);
	char *paren = strstr(base, "（CSV）");
	if (paren && !paren[strlen("（CSV）")])
		*paren = '\0';
	snprintf(name, nsz, "%s（データAPI）", base);
	snprintf(desc, dsz,
		 "%sの全行を、列の型と項目の説明つきで収めた CKAN DataStore の表。"
		 "datastore_search で検索・取得でき、CSV は /datastore/dump/ から取り出せます。",
		 base);
}

/* One write whose answer is not needed: body (taken) to action; on failure
 * `what "table": why`. */
static int ds_write(kp_ck *c, const ds_table *t, const char *action, json_t *body, const char *what)
{
	kp_ck_answer a;
	int o = kp_ck_call(c, action, KP_CK_PATCH, NULL, body, NULL, 0, &a);
	json_decref(body);
	if (o != KP_CK_OK)
		return kp_ck_fail(c, KP_UPLOAD_NET, what, t->f->name, a.why);
	json_decref(a.result);
	return KP_UPLOAD_OK;
}

/* The table made on the resource that exists (datastore_create with resource_id). */
static int make_table(kp_ck *c, const ds_table *t)
{
	json_t *b = create_body(t);
	json_object_set_new(b, "resource_id", json_string(t->rid));
	return ds_write(c, t, "datastore_create", b, "cannot create DataStore table");
}

/* The DataStore's row count of the table (datastore_search limit 0); -1 with *st set
 * and *http the answer's status when it cannot be read. */
static long long ds_count(kp_ck *c, ds_table *t, int *st, long *http)
{
	kp_ck_answer a;
	json_t *b = json_pack("{s:s, s:i}", "resource_id", t->rid, "limit", 0);
	int o = kp_ck_call(c, "datastore_search", KP_CK_QUERY, NULL, b, NULL, 0, &a);
	json_decref(b);
	*http = a.status;
	if (o != KP_CK_OK) {
		*st = kp_ck_fail(c, KP_UPLOAD_NET, "cannot count the rows of DataStore table",
				 t->f->name, a.why);
		return -1;
	}
	long long n = jint(a.result, "total");
	json_decref(a.result);
	*st = KP_UPLOAD_OK;
	return n;
}

/* A new table: datastore_create with "resource" makes the resource (url_type
 * "datastore") and the table at once.  Its outcome in doubt, the dataset is shown
 * again: the resource found is used (its table made if missing), none found → again. */
static int create_table(kp_ck *c, const kp_upload_pkg *pkg, const char *pkg_id, ds_table *t)
{
	char name[512], desc[1200];
	resource_text(pkg, t, name, sizeof name, desc, sizeof desc);
	for (int attempt = 1;; attempt++) {
		json_t *b = create_body(t);
		json_object_set_new(b, "resource",
				    json_pack("{s:s, s:s, s:s, s:s}", "package_id", pkg_id, "name",
					      name, "description", desc, "kplan_datastore",
					      t->f->name));
		kp_ck_answer a;
		int o = kp_ck_call(c, "datastore_create", KP_CK_CREATE, NULL, b, NULL, 0, &a);
		json_decref(b);
		if (o == KP_CK_OK) {
			const char *rid = kp_ck_str(a.result, "resource_id");
			t->rid = rid ? strdup(rid) : NULL;
			json_decref(a.result);
			if (!t->rid)
				return kp_ck_fail(c, KP_UPLOAD_NET,
						  "the portal's DataStore table has no resource id",
						  t->f->name, NULL);
			return KP_UPLOAD_OK;
		}
		if (o == KP_CK_FAIL)
			return kp_ck_fail(c, KP_UPLOAD_NET, "cannot create DataStore table",
					  t->f->name, a.why);
		char why[sizeof a.why];
		memcpy(why, a.why, sizeof why);
		int retry_ok = a.retry_ok;
		json_t *now;
		if (kp_ck_show(c, &now, &a) != KP_CK_OK)
			return kp_ck_fail(c, KP_UPLOAD_NET,
					  "cannot check the dataset after a failed create of",
					  t->f->name, a.why);
		size_t count;
		const json_t *res = find_ds(now, t->f->name, &count);
		t->rid = res && kp_ck_str(res, "id") ? strdup(kp_ck_str(res, "id")) : NULL;
		json_decref(now);
		int st = KP_UPLOAD_OK;
		long http = 0;
		if (t->rid && ds_count(c, t, &st, &http) < 0 && http != 404)
			return st;
		if (t->rid && st != KP_UPLOAD_OK) {
			/* the resource is there, its table is not (404) */
			kp_diag_clear(c->err);
			if ((st = make_table(c, t)) != KP_UPLOAD_OK)
				return st;
		}
		if (t->rid)
			return KP_UPLOAD_OK;
		if (!retry_ok || attempt >= c->o->retry.max_attempts)
			return kp_ck_fail(c, KP_UPLOAD_NET, "cannot create DataStore table",
					  t->f->name, why);
		c->rep->retries++;
		kp_upload_backoff(&c->o->retry, attempt);
	}
}

/* A reload: the table dropped (datastore_delete without filters; the resource stays)
 * and made again with the columns. */
static int recreate_table(kp_ck *c, ds_table *t)
{
	kp_ck_answer a;
	json_t *b = json_pack("{s:s}", "resource_id", t->rid);
	int o = kp_ck_call(c, "datastore_delete", KP_CK_PATCH, NULL, b, NULL, 0, &a);
	json_decref(b);
	if (o != KP_CK_OK && a.status != 404)
		return kp_ck_fail(c, KP_UPLOAD_NET, "cannot empty DataStore table", t->f->name,
				  a.why);
	if (o == KP_CK_OK)
		json_decref(a.result);
	return make_table(c, t);
}

/* The data dictionary alone: datastore_create on the existing table with every field,
 * in the table's order (2.9 and 2.10 insist), and no records. */
static int update_info(kp_ck *c, ds_table *t)
{
	return ds_write(c, t, "datastore_create",
			json_pack("{s:s, s:O}", "resource_id", t->rid, "fields", t->fields),
			"cannot update the data dictionary of");
}

/* The key text of a record from the DataStore, as scan_table makes it from cells. */
static int key_of(const ds_table *t, const json_t *rec, char **buf, size_t *len, size_t *cap)
{
	*len = 0;
	for (size_t i = 0; i < t->nkey; i++) {
		const json_t *v = json_object_get(rec, t->cols[t->key[i]].id);
		char num[64];
		const char *s = NULL;
		char *dumped = NULL;
		if (json_is_string(v))
			s = json_string_value(v);
		else if (json_is_integer(v))
			snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v)),
			    s = num;
		else if (v && !json_is_null(v))
			s = dumped = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		int bad = put(buf, len, cap, s ? s : "", s ? strlen(s) : 0) ||
			  put(buf, len, cap, "\x1f", 1);
		free(dumped);
		if (bad)
			return -1;
	}
	return 0;
}

/* Deletes the rows whose keys are in del (JSON array of records): with one key column
 * DELETE_BATCH at a time (filters {key: [values]}), with several one by one. */
static int delete_rows(kp_ck *c, ds_table *t, const json_t *del)
{
	size_t n = json_array_size(del);
	for (size_t i = 0; i < n;) {
		json_t *filters = json_object();
		size_t take = t->nkey == 1 ? DELETE_BATCH : 1;
		if (t->nkey == 1) {
			json_t *vals = json_array();
			const char *id = t->cols[t->key[0]].id;
			for (size_t k = i; k < n && k < i + take; k++)
				json_array_append(vals,
						  json_object_get(json_array_get(del, k), id));
			json_object_set_new(filters, id, vals);
		} else {
			for (size_t k = 0; k < t->nkey; k++) {
				const char *id = t->cols[t->key[k]].id;
				json_object_set(filters, id,
						json_object_get(json_array_get(del, i), id));
			}
		}
		int st =
		    ds_write(c, t, "datastore_delete",
			     json_pack("{s:s, s:o}", "resource_id", t->rid, "filters", filters),
			     "cannot delete rows of DataStore table");
		if (st != KP_UPLOAD_OK)
			return st;
		i += take;
	}
	return KP_UPLOAD_OK;
}

/* Rows the DataStore holds that the table does not: found by their keys (read page by
 * page, keys only, as many pages as its count of held rows needs and no more, whatever
 * the portal answers) and deleted. */
static int delete_stale_rows(kp_ck *c, ds_table *t, long long held)
{
	json_t *fields = json_array(), *del = json_array();
	for (size_t i = 0; i < t->nkey; i++)
		json_array_append_new(fields, json_string(t->cols[t->key[i]].id));
	char *kb = NULL;
	size_t kl = 0, kc = 0;
	int st = KP_UPLOAD_OK;
	for (long long offset = 0; offset < held; offset += SCAN_PAGE) {
		json_t *b = json_pack("{s:s, s:O, s:i, s:I, s:s, s:b}", "resource_id", t->rid,
				      "fields", fields, "limit", SCAN_PAGE, "offset",
				      (json_int_t)offset, "sort", "_id", "include_total", 0);
		kp_ck_answer a;
		int o = kp_ck_call(c, "datastore_search", KP_CK_QUERY, NULL, b, NULL, 0, &a);
		json_decref(b);
		if (o != KP_CK_OK) {
			st = kp_ck_fail(c, KP_UPLOAD_NET, "cannot read the keys of DataStore table",
					t->f->name, a.why);
			break;
		}
		const json_t *recs = json_object_get(a.result, "records");
		size_t i;
		const json_t *r;
		json_array_foreach(recs, i, r)
		{
			if (key_of(t, r, &kb, &kl, &kc)) {
				st = kp_ck_fail(c, KP_UPLOAD_IO, "out of memory", NULL, NULL);
				break;
			}
			uint64_t h = fnv(kb, kl);
			if (!bsearch(&h, t->keys, (size_t)t->rows, sizeof h, cmp_u64))
				json_array_append(del, kp_ck_unconst(r));
		}
		size_t got = json_array_size(recs);
		json_decref(a.result);
		if (st || got < SCAN_PAGE)
			break;
	}
	free(kb);
	json_decref(fields);
	if (!st && json_array_size(del))
		st = delete_rows(c, t, del);
	json_decref(del);
	return st;
}

/* The state loaded, written last: until then a run cut off is finished by the next. */
static int record_state(kp_ck *c, const kp_upload_pkg *pkg, ds_table *t)
{
	char name[512], desc[1200], rows[32];
	resource_text(pkg, t, name, sizeof name, desc, sizeof desc);
	snprintf(rows, sizeof rows, "%lld", t->rows);
	json_t *b =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", t->rid, "name", name,
		      "description", desc, "kplan_datastore", t->f->name, "kplan_ds_columns",
		      t->cols_digest, "kplan_ds_info", t->info_digest, "kplan_ds_chunks",
		      t->chunks ? t->chunks : "", "kplan_ds_rows", rows, "kplan_sha256", t->digest);
	return ds_write(c, t, "resource_patch", b, "cannot record the state of DataStore table");
}

static int apply_table(kp_ck *c, const kp_upload_pkg *pkg, const char *pkg_id, ds_table *t)
{
	int st = KP_UPLOAD_OK;
	switch (t->act) {
	case T_SKIP:
		return KP_UPLOAD_OK;
	case T_CREATE:
		if ((st = create_table(c, pkg, pkg_id, t)) || (st = send_table(c, t, 1)))
			return st;
		break;
	case T_RELOAD:
		if ((st = recreate_table(c, t)) || (st = send_table(c, t, 1)))
			return st;
		break;
	case T_UPDATE:
		if (t->info_changed && (st = update_info(c, t)))
			return st;
		if (t->send && (st = send_table(c, t, 0)))
			return st;
		/* rows changed or gone: does the DataStore hold exactly the table's rows? */
		if (t->send || t->old_rows != t->rows || t->nold != t->nchunks) {
			long http;
			long long n = ds_count(c, t, &st, &http);
			if (st)
				return st;
			if (n < t->rows && (st = send_table(c, t, 1)))
				return st; /* rows lost on the portal: every chunk again */
			if (n > t->rows && (st = delete_stale_rows(c, t, n)))
				return st;
		}
		break;
	}
	return record_state(c, pkg, t);
}

int kp_ds_apply(kp_ck *c, kp_ds_plan *p, const char *pkg_id)
{
	for (size_t i = 0; i < p->n; i++) {
		int st = apply_table(c, p->pkg, pkg_id, &p->t[i]);
		if (st)
			return st;
		if (p->t[i].step >= 0)
			c->rep->steps[p->t[i].step].done = 1;
	}
	for (size_t i = 0; i < p->nstale; i++) {
		json_t *body = json_pack("{s:s}", "id", p->stale[i]);
		kp_ck_answer a;
		int o = kp_ck_call(c, "resource_delete", KP_CK_PATCH, NULL, body, NULL, 0, &a);
		json_decref(body);
		if (o != KP_CK_OK && a.status != 404)
			return kp_ck_fail(c, KP_UPLOAD_NET, "cannot delete resource",
					  c->rep->steps[p->stale_step[i]].target, a.why);
		if (o == KP_CK_OK)
			json_decref(a.result);
		c->rep->steps[p->stale_step[i]].done = 1;
	}
	return KP_UPLOAD_OK;
}

int kp_ds_verify(kp_ck *c, const kp_ds_plan *p, const json_t *shown)
{
	for (size_t i = 0; i < p->n; i++) {
		ds_table *t = &p->t[i];
		size_t count;
		const json_t *res = find_ds(shown, t->f->name, &count);
		const char *state = kp_ck_str(res, "kplan_sha256");
		if (!res || count != 1 || !state || strcmp(state, t->digest))
			return kp_ck_fail(c, KP_UPLOAD_NET,
					  "after upload the dataset does not hold DataStore table",
					  t->f->name, N_("as loaded"));
		if (t->act == T_SKIP)
			continue;
		int st;
		long http;
		long long n = ds_count(c, t, &st, &http);
		if (st)
			return st;
		if (n != t->rows) {
			char why[120];
			snprintf(why, sizeof why, _("it holds %lld rows, the table %lld"), n,
				 t->rows);
			return kp_ck_fail(c, KP_UPLOAD_NET, "after upload the DataStore table",
					  t->f->name, why);
		}
	}
	for (size_t i = 0; i < p->nstale; i++) {
		size_t j;
		const json_t *r;
		json_array_foreach(json_object_get(shown, "resources"), j, r)
		{
			const char *id = kp_ck_str(r, "id"), *state = kp_ck_str(r, "state");
			if (id && !strcmp(id, p->stale[i]) && (!state || !strcmp(state, "active")))
				return kp_ck_fail(c, KP_UPLOAD_NET,
						  "after upload the dataset still holds resource",
						  c->rep->steps[p->stale_step[i]].target,
						  N_("it is no longer in the package"));
		}
	}
	return KP_UPLOAD_OK;
}

void kp_ds_plan_free(kp_ds_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		ds_table *t = &p->t[i];
		free(t->cols);
		json_decref(t->fields);
		free(t->chunks);
		free(t->keys);
		free(t->rid);
		free(t->old);
	}
	free(p->t);
	for (size_t i = 0; i < p->nstale; i++)
		free(p->stale[i]);
	free(p->stale);
	free(p->stale_step);
	free(p);
}
