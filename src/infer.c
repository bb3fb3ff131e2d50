/* infer — see infer.h.  The per-cell tests are plain byte scans: inference reads every
 * row, so it must cost about what reading does. */
#include "infer.h"

#include "rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ckan.h"
#include "csvread.h"
#include "hash.h"
#include "layout.h"
#include "lgcode.h"
#include "text.h"

enum { HEAD_SCAN = 20 }; /* records looked at for the header */

typedef struct col {
	long filled, ints, lead_zero, numbers, with_unit, dates, bools, lg;
	long longest;
	/* unique-key candidate: the hash of every value, checked for repeats at the end */
	uint64_t *keys; /* owned */
	size_t nkeys, capkeys;
	int not_key; /* a value repeats, or the budget ran out (key_unknown) */
	int key_unknown;
	int non_ascii; /* a candidate's value held a byte >= 0x80 (codes and IDs do not) */
	int vocab_full;
	size_t nvocab;
	char *vocab[KP_INFER_VOCAB]; /* owned */
	size_t vocab_len[KP_INFER_VOCAB];
} col;

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* [+-]?digits; *lead_zero when more than one digit and the first is 0 */
static int is_int(const char *s, size_t n, int *lead_zero)
{
	size_t i = n && (s[0] == '-' || s[0] == '+') ? 1 : 0;
	if (i == n)
		return 0;
	for (size_t k = i; k < n; k++)
		if (!is_digit(s[k]))
			return 0;
	*lead_zero = n - i > 1 && s[i] == '0';
	return 1;
}

/* [+-]?digits.digits, [+-]?.digits or digits. (a decimal number, no exponent) */
static int is_decimal(const char *s, size_t n)
{
	size_t i = n && (s[0] == '-' || s[0] == '+') ? 1 : 0, digits = 0, dots = 0;
	for (; i < n; i++) {
		if (is_digit(s[i]))
			digits++;
		else if (s[i] == '.' && !dots)
			dots++;
		else
			return 0;
	}
	return digits > 0;
}

/* A number written with what the number-with-unit rule names: digit-group commas,
 * a unit or note before or after it (at most 12 bytes: 4 kanji), "1,200円", "約30",
 * "12人", "45%". */
static int is_number_with_unit(const char *s, size_t n)
{
	size_t a = 0;
	while (a < n && !is_digit(s[a]))
		a++;
	if (a == n || a > 12)
		return 0;
	size_t e = a;
	while (e < n && (is_digit(s[e]) || s[e] == ',' || s[e] == '.'))
		e++;
	for (size_t k = e; k < n; k++)
		if (is_digit(s[k]))
			return 0; /* "3;5", "1-2": more than one number, not a unit */
	return n - e <= 12 && (a > 0 || e < n || memchr(s, ',', n));
}

static int is_date(const char *s, size_t n)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit(s[i]))
			return 0;
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Keeps the hash of a value of a column that may be a key.  At most *budget hashes
 * are kept over all columns (the columns on the left first: keys are there); a column
 * that needs more is left out, its uniqueness unknown. */
static void key_see(col *c, const char *s, size_t n, size_t *budget)
{
	if (c->nkeys == c->capkeys) {
		size_t nc = c->capkeys ? c->capkeys * 2 : 1024;
		uint64_t *k = nc - c->capkeys <= *budget ? realloc(c->keys, nc * sizeof *k) : NULL;
		if (!k) {
			free(c->keys);
			c->keys = NULL;
			*budget += c->capkeys;
			c->nkeys = c->capkeys = 0;
			c->not_key = c->key_unknown = 1;
			return;
		}
		*budget -= nc - c->capkeys;
		c->keys = k;
		c->capkeys = nc;
	}
	c->keys[c->nkeys++] = kp_hash_text(s, n);
}

static void key_drop(col *c, size_t *budget)
{
	*budget += c->capkeys;
	free(c->keys);
	c->keys = NULL;
	c->nkeys = c->capkeys = 0;
	c->not_key = 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* At the end: a candidate is a key when no hash repeats (keyed hashes, so a chance
 * collision, about n^2 / 2^65, could only make a key look repeated, never the reverse). */
static int is_key(col *c, long rows)
{
	if (c->not_key || rows < 2 || c->filled != rows || (long)c->nkeys != rows)
		return 0;
	qsort(c->keys, c->nkeys, sizeof *c->keys, cmp_u64);
	for (size_t i = 1; i < c->nkeys; i++)
		if (c->keys[i] == c->keys[i - 1])
			return 0;
	return 1;
}

/* Labels that name a key: an ASCII word of them, or a Japanese part; and parts that
 * say the column is a contact number, unique as it may be. */
static const char *const key_words[] = {"id", "no", "code", "key", "number", "num"};
static const char *const key_parts[] = {"番号", "コード", "識別", "ＩＤ", "ＮＯ", "Ｎｏ"};
static const char *const not_key_parts[] = {"電話", "FAX", "Fax", "fax", "ＦＡＸ",
					    "ファクス", "内線", "郵便", "携帯", "法人番号"};

static int names_a_key(const char *label)
{
	for (size_t k = 0; k < sizeof not_key_parts / sizeof *not_key_parts; k++)
		if (strstr(label, not_key_parts[k]))
			return 0;
	for (size_t k = 0; k < sizeof key_parts / sizeof *key_parts; k++)
		if (strstr(label, key_parts[k]))
			return 1;
	for (const char *p = label; *p;) {
		while (*p && !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
			p++;
		const char *w = p;
		while ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')
			p++;
		for (size_t k = 0; p > w && k < sizeof key_words / sizeof *key_words; k++)
			if (strlen(key_words[k]) == (size_t)(p - w) &&
			    strncasecmp(w, key_words[k], (size_t)(p - w)) == 0)
				return 1;
	}
	return 0;
}

static void see(col *c, const char *s, size_t n, size_t *budget)
{
	if (n == 0) {
		if (!c->not_key)
			key_drop(c, budget); /* a key has no blank */
		return;
	}
	c->filled++;
	if (!c->not_key) {
		key_see(c, s, n, budget);
		for (size_t i = 0; i < n && !c->non_ascii; i++)
			c->non_ascii = (unsigned char)s[i] >= 0x80;
	}
	if ((long)n > c->longest)
		c->longest = (long)n;
	int lz = 0;
	if (is_int(s, n, &lz)) {
		if (lz)
			c->lead_zero++;
		else
			c->ints++;
		if (n == 6 && kp_lgcode_check(s, n, NULL) == KP_LGCODE_OK)
			c->lg++;
	} else if (is_decimal(s, n)) {
		c->numbers++;
	} else if (is_date(s, n)) {
		c->dates++;
	} else if ((n == 4 && memcmp(s, "true", 4) == 0) ||
		   (n == 5 && memcmp(s, "false", 5) == 0)) {
		c->bools++; /* Table Schema's default spellings */
	} else if (is_number_with_unit(s, n)) {
		c->with_unit++;
	}
	if (c->vocab_full)
		return;
	for (size_t i = 0; i < c->nvocab; i++)
		if (c->vocab_len[i] == n && memcmp(c->vocab[i], s, n) == 0) {
			if (!c->not_key)
				key_drop(c, budget); /* a value repeats */
			return;
		}
	if (c->nvocab == KP_INFER_VOCAB || n > 64) {
		c->vocab_full = 1;
		return;
	}
	char *v = malloc(n + 1);
	if (!v) {
		c->vocab_full = 1;
		return;
	}
	memcpy(v, s, n);
	v[n] = '\0';
	c->vocab[c->nvocab] = v;
	c->vocab_len[c->nvocab++] = n;
}

static const char *type_of(const col *c)
{
	long f = c->filled;
	if (f == 0 || c->lead_zero || c->lg == f)
		return "string"; /* codes (leading zeros, 全国地方公共団体コード) stay text */
	if (c->ints == f)
		return "integer";
	if (c->ints + c->numbers == f)
		return "number";
	if (c->dates == f)
		return "date";
	if (c->bools == f)
		return "boolean";
	if (f >= 5 && (c->ints + c->numbers) * 10 >= f * 8 &&
	    c->ints + c->numbers + c->with_unit == f)
		return c->numbers ? "number" : "integer";
	return "string";
}

/* The reader's findings are the validator's to report; the first source error is kept
 * to say why a table could not be inferred at all. */
typedef struct first_error {
	kp_diag d;
	int set;
} first_error;

static int keep_first_error(void *ctx, const kp_diag *d)
{
	first_error *fe = ctx;
	if (!fe->set && d->severity == KP_SEV_ERROR &&
	    (strcmp(d->code, "source-error") == 0 || strcmp(d->code, "workbook-error") == 0)) {
		fe->d = *d;
		fe->d.sheet = NULL; /* borrowed from the workbook, which is closed first */
		fe->set = 1;
	}
	return 0;
}

/* The header's labels, kept while the columns are counted. */
typedef struct saved {
	char **cells; /* owned */
	size_t n;
} saved;

static void saved_free(saved *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->cells[i]);
	free(s->cells);
	s->cells = NULL;
	s->n = 0;
}

static int save(saved *s, const kp_csvrecord *r)
{
	s->cells = calloc(r->ncells + 1, sizeof *s->cells);
	if (!s->cells)
		return -1;
	for (size_t i = 0; i < r->ncells; i++) {
		if (!(s->cells[i] = strndup(r->cells[i].data, r->cells[i].len)))
			return -1;
		s->n = i + 1;
	}
	return 0;
}

static size_t filled_cells(const kp_csvrecord *r)
{
	size_t k = 0;
	for (size_t i = 0; i < r->ncells; i++)
		k += r->cells[i].len > 0;
	return k;
}

/* A label as a field name.  Bytes that are not UTF-8 (the validator reports them) stay
 * as they are in a schema to validate with, so that the name is the label; a draft to
 * write down gets U+FFFD for each, as JSON must be UTF-8. */
static json_t *name_json(const kp_infer_opts *o, const char *name)
{
	size_t n = strlen(name);
	if (!o->draft)
		return json_stringn_nocheck(name, n);
	char out[300 * 3 + 4];
	size_t k = kp_text_utf8_repair(name, n, out, sizeof out);
	return json_stringn(out, k);
}

static json_t *field_json(const kp_infer_opts *o, const col *c, const char *name, long rows)
{
	json_t *f = json_pack("{s:o, s:s}", "name", name_json(o, name), "type", type_of(c));
	if (!f || !o->draft)
		return f;
	json_t *cons = json_object();
	if (c->filled == rows && rows > 0)
		json_object_set_new(cons, "required", json_true());
	/* a small vocabulary over many rows reads as a code list */
	if (!c->vocab_full && c->nvocab >= 2 && rows >= 4 * (long)c->nvocab &&
	    strcmp(type_of(c), "string") == 0) {
		json_t *e = json_array();
		for (size_t i = 0; i < c->nvocab; i++)
			json_array_append_new(e, json_string(c->vocab[i]));
		json_object_set_new(cons, "enum", e);
	}
	if (json_object_size(cons))
		json_object_set_new(f, "constraints", cons);
	else
		json_decref(cons);
	if (c->lg && c->lg == c->filled)
		json_object_set_new(f, "lgCode", json_true());
	return f;
}

/* The counters of n columns.  A schema to validate with needs only the types: no
 * vocabularies, no key hashes. */
static col *new_columns(const kp_infer_opts *o, size_t n)
{
	col *cols = calloc(n + 1, sizeof *cols);
	for (size_t i = 0; cols && i < n && !o->draft; i++)
		cols[i].vocab_full = cols[i].not_key = 1;
	return cols;
}

int kp_infer_table(const char *path, const kp_infer_opts *o, kp_infer_result *out, kp_diag *err)
{
	memset(out, 0, sizeof *out);
	if (strcmp(path, "-") == 0) {
		kp_diag_set(err, KP_SEV_ERROR, "usage",
			    "a table on standard input cannot be read twice (once to infer its "
			    "schema, once to check it): give it as a file");
		return -1;
	}
	kp_rows_opts ro = {.csv = {.file = path, .encoding = o->encoding,
				   .guess_encoding = !o->encoding},
			   .sheet = o->sheet,
			   .values_only = 1}; /* the check reports the sheet's findings */
	first_error fe = {.set = 0};
	ro.csv.sink = (kp_diag_sink){keep_first_error, &fe};
	kp_rows *rd = kp_rows_open(path, &ro, err);
	if (!rd) {
		/* not a workbook, or a damaged one, is the table's fault, not an I/O error */
		out->unreadable = strcmp(err->code, "file-format") != 0 &&
				  strcmp(err->code, "workbook-error") != 0;
		return -1;
	}
	out->encoding = kp_rows_encoding(rd);
	out->guessed = kp_rows_encoding_guessed(rd);
	out->workbook = kp_rows_sheet(rd) != NULL;
	if (out->workbook)
		snprintf(out->sheet, sizeof out->sheet, "%s", kp_rows_sheet(rd));
	saved head = {0}, first = {0};
	kp_layout lay;
	int lay_on = 0;
	size_t budget = KP_INFER_KEY_BUDGET;
	col *cols = NULL;
	size_t ncols = 0;
	long seen = 0;
	int rc = 0;
	kp_csvrecord rec;
	while ((rc = kp_rows_next(rd, &rec)) == 1) {
		if (!cols) {
			size_t k = filled_cells(&rec);
			if (k && !first.cells && save(&first, &rec) != 0)
				goto nomem;
			if (k < 2 && ++seen < HEAD_SCAN)
				continue;
			/* two filled cells, or no such record early on: the first filled one */
			if (k >= 2) {
				if (save(&head, &rec) != 0)
					goto nomem;
			} else {
				head = first;
				first = (saved){0};
			}
			ncols = head.n;
			if (!(cols = new_columns(o, ncols)))
				goto nomem;
			if (k >= 2) {
				/* the table ends where the validator says it does (layout.h) */
				lay_on = 1; /* released even if it fails half way */
				if (kp_layout_init(&lay, &rec) != 0)
					goto nomem;
				continue;
			}
		}
		if (rec.ncells == 0)
			continue;
		if (lay_on) {
			kp_layout_run split;
			kp_layout_kind kind = kp_layout_next(&lay, &rec, &split);
			if (kind == KP_LAYOUT_TABLE) {
				out->second_table = rec.number;
				break; /* a second table is not this one's */
			}
			if (kind != KP_LAYOUT_DATA)
				continue;
		}
		out->rows++;
		for (size_t i = 0; i < ncols && i < rec.ncells; i++)
			see(&cols[i], rec.cells[i].data, rec.cells[i].len, &budget);
		for (size_t i = rec.ncells; i < ncols; i++)
			if (!cols[i].not_key)
				key_drop(&cols[i], &budget); /* a missing cell is a blank */
	}
	if (!cols && first.cells) {
		head = first; /* only single-cell records: one column */
		first = (saved){0};
		ncols = head.n;
		if (!(cols = new_columns(o, ncols)))
			goto nomem;
	}
	kp_rows_free(rd);
	rd = NULL;
	if (lay_on)
		kp_layout_release(&lay);
	lay_on = 0;
	if (rc < 0 && !cols) {
		if (fe.set) {
			*err = fe.d; /* what the reader found (its file is path) */
			err->file = path;
		} else {
			kp_diag_set(err, KP_SEV_ERROR, "source-error", "cannot read \"%s\"", path);
		}
		goto fail;
	}
	if (!cols || ncols == 0) {
		kp_diag_set(err, KP_SEV_ERROR, "source-error",
			    "\"%s\" holds no header: the first line with labels is missing", path);
		goto fail;
	}
	json_t *fields = json_array();
	kp_strset used = {0}; /* the names so far (keys borrowed from fields) */
	for (size_t i = 0; fields && i < ncols; i++) {
		char name[300];
		if (head.cells[i][0])
			snprintf(name, sizeof name, "%.280s", head.cells[i]);
		else
			snprintf(name, sizeof name, "field_%zu", i + 1);
		/* a repeated label gets a suffix: names are unique in a schema */
		for (int k = 2; k < 1000 && kp_strset_find(&used, name, strlen(name), NULL); k++)
			snprintf(name, sizeof name, "%.280s_%d",
				 head.cells[i][0] ? head.cells[i] : "field", k);
		json_t *fj = field_json(o, &cols[i], name, out->rows);
		const char *kept = json_string_value(json_object_get(fj, "name"));
		json_array_append_new(fields, fj);
		if (kept && kp_strset_add(&used, kept, strlen(kept), i, NULL) < 0) {
			json_decref(fields);
			fields = NULL;
		}
	}
	kp_strset_free(&used);
	out->schema = fields ? json_pack("{s:o}", "fields", fields) : NULL;
	if (out->schema && o->draft) {
		/* Key candidates: columns where every row has a value of its own.  The
		 * primary key proposed is the leftmost that reads as a code or an ID: an
		 * integer or ASCII text, labelled as one (ID, NO, 番号, コード …, not a phone
		 * number); the others are named in the description. */
		const char *pk = NULL;
		char others[600] = "";
		size_t ol = 0;
		int unknown = 0;
		for (size_t i = 0; i < ncols; i++) {
			unknown |= cols[i].key_unknown && cols[i].filled == out->rows;
			if (!is_key(&cols[i], out->rows))
				continue;
			const char *t = type_of(&cols[i]);
			const char *nm =
			    json_string_value(json_object_get(json_array_get(fields, i), "name"));
			if (!pk && !cols[i].non_ascii && nm && names_a_key(head.cells[i]) &&
			    (strcmp(t, "integer") == 0 || strcmp(t, "string") == 0)) {
				pk = nm;
				continue;
			}
			if (nm && ol + strlen(nm) + 8 < sizeof others)
				ol += (size_t)snprintf(others + ol, sizeof others - ol, "%s'%s'",
						       ol ? ", " : "", nm);
		}
		if (pk)
			json_object_set_new(out->schema, "primaryKey", json_string(pk));
		char desc[1200];
		char tail[100] = "";
		if (out->second_table)
			snprintf(tail, sizeof tail, " (a second table starts on row %ld: left out)",
				 out->second_table);
		size_t dl = (size_t)snprintf(
		    desc, sizeof desc,
		    "Draft inferred by kplan-describe from %ld row%s of %s%s: check every type, "
		    "add titles, descriptions and constraints%s",
		    out->rows, out->rows == 1 ? "" : "s", path, tail,
		    pk ? "; the primaryKey is a guess from values that never repeat"
		       : ", and a primaryKey");
		if (ol && dl < sizeof desc)
			dl += (size_t)snprintf(desc + dl, sizeof desc - dl,
					       "; also unique in every row: %s", others);
		if (unknown && dl < sizeof desc)
			snprintf(desc + dl, sizeof desc - dl,
				 "; some columns were too large to check for repeats");
		json_object_set_new(out->schema, "description", json_string(desc));
		json_t *mv = json_array();
		json_array_append_new(mv, json_string(""));
		json_object_set_new(out->schema, "missingValues", mv);
	}
	/* what the rows say of who publishes them */
	for (size_t i = 0; i < ncols; i++) {
		const col *c = &cols[i];
		int one = c->filled == out->rows && c->filled && !c->vocab_full && c->nvocab == 1;
		if (one && c->lg == c->filled && !out->lg_code[0] && c->vocab_len[0] == 6)
			memcpy(out->lg_code, c->vocab[0], 7);
		if (one && !out->lg_name && strcmp(head.cells[i], "地方公共団体名") == 0)
			out->lg_name = strdup(c->vocab[0]);
	}
	for (size_t i = 0; i < ncols; i++) {
		for (size_t k = 0; k < cols[i].nvocab; k++)
			free(cols[i].vocab[k]);
		free(cols[i].keys);
	}
	free(cols);
	out->labels = head.cells; /* the header's labels go to the caller */
	out->nlabels = head.n;
	head = (saved){0};
	saved_free(&first);
	if (!out->schema) {
		kp_infer_release(out);
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		return -1;
	}
	return 0;
nomem:
	kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
fail:
	if (rd)
		kp_rows_free(rd);
	if (lay_on)
		kp_layout_release(&lay);
	for (size_t i = 0; cols && i < ncols; i++) {
		for (size_t k = 0; k < cols[i].nvocab; k++)
			free(cols[i].vocab[k]);
		free(cols[i].keys);
	}
	free(cols);
	saved_free(&head);
	saved_free(&first);
	kp_diag_at(err, path, 0, 0, -1);
	return -1;
}

void kp_infer_release(kp_infer_result *r)
{
	json_decref(r->schema);
	r->schema = NULL;
	free(r->lg_name);
	r->lg_name = NULL;
	for (size_t i = 0; i < r->nlabels; i++)
		free(r->labels[i]);
	free(r->labels);
	r->labels = NULL;
	r->nlabels = 0;
}

json_t *kp_infer_resource(const kp_infer_result *r, const char *name, const char *path)
{
	if (r->workbook) /* a sheet: no text encoding or CSV dialect to state */
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "name", name,
				 "path", path, "profile", "tabular-data-resource", "title", "",
				 "description", "", "format", "xlsx", "mediatype",
				 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				 "sheet", r->sheet, "schema", r->schema);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:b, s:b}, s:O}", "name",
			 name, "path", path, "profile", "tabular-data-resource", "title", "",
			 "description", "", "format", "csv", "encoding", r->encoding, "dialect",
			 "delimiter", ",", "quoteChar", "\"", "doubleQuote", 1, "header", 1,
			 "schema", r->schema);
}

json_t *kp_infer_package(const kp_infer_result *const *tables, size_t n, json_t *res,
	const kp_lgcode_list *codes, const char *lg_code)
{
	const char *code = n ? tables[0]->lg_code : "", *lg_name = n ? tables[0]->lg_name : NULL;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(tables[i]->lg_code, code) != 0)
			code = "";
		if (!tables[i]->lg_name || !lg_name || strcmp(tables[i]->lg_name, lg_name) != 0)
			lg_name = NULL;
	}
	if (lg_code) { /* given: the tables' own do not count */
		code = lg_code;
		lg_name = NULL;
	}
	/* the dataset's name: the first table's, if a portal can take it (lower-case
	 * ASCII, digits, '-', '_'), else "draft" */
	const char *name = json_string_value(json_object_get(json_array_get(res, 0), "name"));
	if (!name || !kp_ckan_valid_name(name))
		name = "draft";
	char spatial[64] = "";
	if (code[0]) /* e-Stat's area code URI: the code without its check digit */
		snprintf(spatial, sizeof spatial, "http://data.e-stat.go.jp/lod/sac/C%.5s", code);
	/* what 総務省's list says of the code: the name, and the municipality as publisher */
	const kp_lgcode_entry *e = code[0] && codes ? kp_lgcode_list_find(codes, code) : NULL;
	const char *publisher = "";
	if (e) {
		if (!lg_name)
			lg_name = e->name;
		publisher = e->city_name && e->city_name[0] ? e->city_name : e->name;
	}
	return json_pack(
	    "{s:s, s:s, s:s, s:[], s:[{s:s, s:s, s:s}], s:{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, "
	    "s:s, s:s, s:s, s:s, s:s, s:[], s:s}, s:o}",
	    "name", name, "title", "", "description", "", "keywords", "licenses", "name", "CC-BY-4.0",
	    "title", "Creative Commons Attribution 4.0", "path",
	    "https://creativecommons.org/licenses/by/4.0/", "dcat", "lg_code", code, "lg_name",
	    lg_name ? lg_name : "", "publisher", publisher, "author", "", "contact", "name", "", "email", "",
	    "issued", "", "modified", "", "frequency", "irregular", "spatial", spatial, "landing_page", "", "download_base", "", "theme",
	    "language", "ja", "resources", res);
}
