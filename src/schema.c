/* schema — Table Schema / Data Package loading (see schema.h for the contract).
 *
 * The loader walks the descriptor once and keeps going after a problem so that one
 * run reports every mistake; the JSON path of the value being read is kept in a small
 * buffer and prefixed to each message. */
#include "i18n.h"
#include "schema.h"
#include "hash.h"
#include "pattern.h"
#include "stage.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "files.h"

#define JP_MAX 256 /* bytes of JSON path kept; deeper paths are shortened with "…" */

typedef struct loader {
	const kp_diag_sink *sink;
	const char *file; /* borrowed: owned by the object being loaded */
	char jp[JP_MAX];
	size_t jplen;
	int errors;
	int oom;
} loader;

/* ---- JSON path and messages ---- */

static size_t jp_append(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t jp_append(loader *L, const char *fmt, ...)
{
	size_t old = L->jplen;
	if (L->jplen >= JP_MAX - 1)
		return old;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(L->jp + L->jplen, JP_MAX - L->jplen, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	L->jplen += (size_t)n;
	if (L->jplen >= JP_MAX - 1) {
		L->jplen = JP_MAX - 1;
		L->jp[L->jplen] = '\0';
	}
	return old;
}

static size_t jp_key(loader *L, const char *key)
{
	return jp_append(L, L->jplen ? ".%s" : "%s", key);
}

static size_t jp_index(loader *L, size_t i)
{
	return jp_append(L, "[%zu]", i);
}

static void jp_pop(loader *L, size_t old)
{
	L->jplen = old;
	L->jp[old] = '\0';
}

static void report(loader *L, kp_severity sev, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void report(loader *L, kp_severity sev, const char *fmt, va_list ap)
{
	char msg[KP_DIAG_MESSAGE_MAX];
	vsnprintf(msg, sizeof msg, _(fmt), ap);
	kp_diag d;
	if (L->jplen)
		kp_diag_set(&d, sev, "schema-error", "%s: %s", L->jp, msg);
	else
		kp_diag_set(&d, sev, "schema-error", "%s", msg);
	kp_diag_at(&d, L->file, 0, 0, -1);
	if (sev == KP_SEV_ERROR)
		L->errors++;
	kp_diag_emit(L->sink, &d);
}

static void fail(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(L, KP_SEV_ERROR, fmt, ap);
	va_end(ap);
}

static void warn(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(L, KP_SEV_WARNING, fmt, ap);
	va_end(ap);
}

static void out_of_memory(loader *L)
{
	if (!L->oom)
		fail(L, "out of memory");
	L->oom = 1;
}

/* A short description of a JSON value for "expected X, got Y". */
static const char *describe(const json_t *v, char *buf, size_t size)
{
	switch (json_typeof(v)) {
	case JSON_STRING: {
		const char *s = json_string_value(v);
		size_t n = strlen(s);
		if (n > 40)
			snprintf(buf, size, "\"%.37s...\"", s);
		else
			snprintf(buf, size, "\"%s\"", s);
		return buf;
	}
	case JSON_INTEGER:
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, size, "%.17g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	}
	return "a value";
}

static void expected(loader *L, const char *what, const json_t *got)
{
	char buf[64];
	fail(L, "expected %s, got %s", _(what), describe(got, buf, sizeof buf));
}

static char *dup_or_oom(loader *L, const char *s)
{
	char *d = strdup(s);
	if (!d)
		out_of_memory(L);
	return d;
}

/* Reads obj[key] as a string into *out (owned); absent → leaves *out.  Returns 1 when
 * the key was present and valid, 0 when absent, -1 when invalid (reported). */
static int get_string(loader *L, json_t *obj, const char *key, char **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	size_t old = jp_key(L, key);
	int rc = 1;
	if (!json_is_string(v)) {
		expected(L, "a string", v);
		rc = -1;
	} else {
		free(*out);
		*out = dup_or_oom(L, json_string_value(v));
	}
	jp_pop(L, old);
	return rc;
}

static int get_bool(loader *L, json_t *obj, const char *key, int *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v)) {
		size_t old = jp_key(L, key);
		expected(L, "true or false", v);
		jp_pop(L, old);
		return -1;
	}
	*out = json_is_true(v);
	return 1;
}

/* A one- to seven-byte option string such as decimalChar. */
static int get_char_option(loader *L, json_t *obj, const char *key, char out[KP_SCHEMA_MAX_CHAR],
	int allow_empty)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	size_t old = jp_key(L, key);
	int rc = 1;
	if (!json_is_string(v)) {
		expected(L, "a string", v);
		rc = -1;
	} else {
		size_t n = json_string_length(v);
		if (n >= KP_SCHEMA_MAX_CHAR || (n == 0 && !allow_empty) ||
		    memchr(json_string_value(v), '\0', n)) {
			char buf[64];
			fail(L, "expected a short separator string (1 to %d bytes), got %s",
				KP_SCHEMA_MAX_CHAR - 1, describe(v, buf, sizeof buf));
			rc = -1;
		} else {
			memcpy(out, json_string_value(v), n + 1);
		}
	}
	jp_pop(L, old);
	return rc;
}

/* ---- string lists ---- */

static void strlist_free(kp_strlist *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->items[i]);
	free(l->items);
	free(l->lens);
	memset(l, 0, sizeof *l);
}

static int strlist_push(kp_strlist *l, const char *s, size_t n)
{
	if ((l->len & (l->len - 1)) == 0) { /* grow at powers of two */
		size_t cap = l->len ? l->len * 2 : 1;
		char **items = realloc(l->items, cap * sizeof *items);
		if (!items)
			return -1;
		l->items = items;
		size_t *lens = realloc(l->lens, cap * sizeof *lens);
		if (!lens)
			return -1;
		l->lens = lens;
	}
	char *d = malloc(n + 1);
	if (!d)
		return -1;
	memcpy(d, s, n);
	d[n] = '\0';
	l->items[l->len] = d;
	l->lens[l->len] = n;
	l->len++;
	return 0;
}

static int strlist_set(kp_strlist *l, const char *const *items, size_t n)
{
	strlist_free(l);
	for (size_t i = 0; i < n; i++)
		if (strlist_push(l, items[i], strlen(items[i])) < 0)
			return -1;
	return 0;
}

/* Array of strings (or, with allow_labels, of {"value": s, "label": ...} objects as in
 * v2 missingValues).  A bare string is accepted when allow_single (primaryKey style). */
static int parse_strlist(loader *L, json_t *v, kp_strlist *out, int allow_labels,
	int allow_single)
{
	int rc = 1;
	strlist_free(out);
	if (allow_single && json_is_string(v)) {
		if (strlist_push(out, json_string_value(v), json_string_length(v)) < 0)
			out_of_memory(L);
		return rc;
	}
	if (!json_is_array(v)) {
		expected(L, allow_single ? N_("a string or an array of strings") : N_("an array of strings"), v);
		return -1;
	}
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item)
	{
		json_t *s = item;
		if (allow_labels && json_is_object(item))
			s = json_object_get(item, "value");
		if (!s || !json_is_string(s)) {
			size_t o2 = jp_index(L, i);
			expected(L, allow_labels ? N_("a string or {\"value\": string}") : N_("a string"), item);
			jp_pop(L, o2);
			rc = -1;
			continue;
		}
		if (strlist_push(out, json_string_value(s), json_string_length(s)) < 0) {
			out_of_memory(L);
			break;
		}
	}
	return rc;
}

static int get_strlist(loader *L, json_t *obj, const char *key, kp_strlist *out, int allow_labels,
	int allow_single)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	size_t old = jp_key(L, key);
	int rc = parse_strlist(L, v, out, allow_labels, allow_single);
	jp_pop(L, old);
	return rc;
}

/* CSVW "titles": a string, an array of strings, or a language map ({"ja": …, "en":
 * …}) whose values are either; every one is an alternative label. */
static int get_titles(loader *L, json_t *obj, kp_strlist *out)
{
	json_t *v = json_object_get(obj, "titles");
	if (!v)
		return 0;
	size_t old = jp_key(L, "titles");
	int rc = 1;
	if (!json_is_object(v)) {
		rc = parse_strlist(L, v, out, 0, 1);
	} else {
		const char *lang;
		json_t *x;
		json_object_foreach(v, lang, x)
		{
			size_t o2 = jp_key(L, lang);
			kp_strlist one = {0};
			if (parse_strlist(L, x, &one, 0, 1) < 0)
				rc = -1;
			for (size_t i = 0; i < one.len; i++)
				if (strlist_push(out, one.items[i], one.lens[i]) < 0) {
					out_of_memory(L);
					break;
				}
			strlist_free(&one);
			jp_pop(L, o2);
		}
	}
	jp_pop(L, old);
	return rc;
}

/* ---- name index (open addressing over field indices) ---- */

typedef struct name_index {
	size_t mask;
	long *by_name;  /* field index + 1, 0 = empty */
	long *by_title; /* same, first field with that title */
} name_index;

static void index_free(name_index *ix)
{
	if (!ix)
		return;
	free(ix->by_name);
	free(ix->by_title);
	free(ix);
}

size_t kp_field_nlabels(const kp_field *f)
{
	return 2 + f->titles.len;
}

const char *kp_field_label(const kp_field *f, size_t k, size_t *len)
{
	const char *l = k == 0 ? f->name : k == 1 ? f->title : NULL;
	if (k >= 2 && k - 2 < f->titles.len) {
		*len = f->titles.lens[k - 2];
		return f->titles.items[k - 2];
	}
	if (l)
		*len = strlen(l);
	return l;
}

/* An entry is (label number k << 32) | (field index + 1); 0 is an empty slot. */
static long index_find(const long *table, size_t mask, const kp_field *fields, const char *s,
	size_t n)
{
	/* keyed (hash.h): a schema's names cannot be chosen to collide */
	for (size_t h = kp_hash_text(s, n) & mask;; h = (h + 1) & mask) {
		long e = table[h];
		if (!e)
			return -1;
		long i = (e & 0xFFFFFFFFL) - 1;
		size_t kl = 0;
		const char *k = kp_field_label(&fields[i], (size_t)(e >> 32), &kl);
		if (k && kl == n && memcmp(k, s, n) == 0)
			return i;
	}
}

static void index_put(long *table, size_t mask, const kp_field *fields, size_t k, size_t i)
{
	size_t n = 0;
	const char *key = kp_field_label(&fields[i], k, &n);
	if (!key)
		return;
	if (index_find(table, mask, fields, key, n) >= 0)
		return; /* the first one wins */
	size_t h = kp_hash_text(key, n) & mask;
	while (table[h])
		h = (h + 1) & mask;
	table[h] = (long)((uint64_t)k << 32 | (i + 1));
}

static int index_build(kp_schema *s)
{
	kp_hash_init();
	name_index *ix = calloc(1, sizeof *ix);
	if (!ix)
		return -1;
	size_t cap = 8, labels = 0;
	for (size_t i = 0; i < s->nfields; i++)
		labels += 1 + s->fields[i].titles.len;
	while (cap < labels * 2 + 1)
		cap *= 2;
	ix->mask = cap - 1;
	ix->by_name = calloc(cap, sizeof *ix->by_name);
	ix->by_title = calloc(cap, sizeof *ix->by_title);
	if (!ix->by_name || !ix->by_title) {
		index_free(ix);
		return -1;
	}
	for (size_t i = 0; i < s->nfields; i++)
		index_put(ix->by_name, ix->mask, s->fields, 0, i);
	for (size_t k = 1;; k++) { /* every field's title before any alternative one */
		int more = 0;
		for (size_t i = 0; i < s->nfields; i++)
			if (k < kp_field_nlabels(&s->fields[i])) {
				index_put(ix->by_title, ix->mask, s->fields, k, i);
				more = 1;
			}
		if (!more)
			break;
	}
	s->index_ = ix;
	return 0;
}

long kp_schema_field_index(const kp_schema *s, const char *name)
{
	const name_index *ix = s ? s->index_ : NULL;
	if (!ix || !name)
		return -1;
	return index_find(ix->by_name, ix->mask, s->fields, name, strlen(name));
}

long kp_schema_field_by_label(const kp_schema *s, const char *label, size_t len)
{
	const name_index *ix = s ? s->index_ : NULL;
	if (!ix || !label)
		return -1;
	long i = index_find(ix->by_name, ix->mask, s->fields, label, len);
	if (i < 0)
		i = index_find(ix->by_title, ix->mask, s->fields, label, len);
	return i;
}

/* ---- fields ---- */

static const char *const default_true[] = {"true", "True", "TRUE", "1"};
static const char *const default_false[] = {"false", "False", "FALSE", "0"};

/* Which constraints each type supports (bit set of 1u << kp_constraint). */
#define C(x) (1u << KP_CONSTRAINT_##x)
#define C_ALL (C(REQUIRED) | C(UNIQUE) | C(ENUM))
#define C_RANGE (C(MINIMUM) | C(MAXIMUM) | C(EXCLUSIVE_MINIMUM) | C(EXCLUSIVE_MAXIMUM))
#define C_LEN (C(MIN_LENGTH) | C(MAX_LENGTH))
static const unsigned type_constraints[KP_TYPE_COUNT_] = {
	[KP_TYPE_ANY] = C_ALL,
	[KP_TYPE_STRING] = C_ALL | C_LEN | C(PATTERN),
	[KP_TYPE_INTEGER] = C_ALL | C_RANGE,
	[KP_TYPE_NUMBER] = C_ALL | C_RANGE,
	[KP_TYPE_BOOLEAN] = C_ALL,
	[KP_TYPE_DATE] = C_ALL | C_RANGE,
	[KP_TYPE_TIME] = C_ALL | C_RANGE,
	[KP_TYPE_DATETIME] = C_ALL | C_RANGE,
	[KP_TYPE_YEAR] = C_ALL | C_RANGE,
	[KP_TYPE_YEARMONTH] = C_ALL | C_RANGE,
	[KP_TYPE_DURATION] = C_ALL | C_RANGE,
	[KP_TYPE_GEOPOINT] = C_ALL,
	[KP_TYPE_GEOJSON] = C_ALL | C_LEN,
	[KP_TYPE_OBJECT] = C_ALL | C_LEN,
	[KP_TYPE_ARRAY] = C_ALL | C_LEN,
	[KP_TYPE_LIST] = C_ALL | C_LEN,
};

/* Formats each type accepts besides "default" (date/time/datetime also take patterns). */
typedef struct format_entry {
	kp_type type;
	const char *name;
	kp_format format;
} format_entry;

static const format_entry formats[] = {
	{KP_TYPE_STRING, "email", KP_FORMAT_EMAIL},
	{KP_TYPE_STRING, "uri", KP_FORMAT_URI},
	{KP_TYPE_STRING, "uuid", KP_FORMAT_UUID},
	{KP_TYPE_STRING, "binary", KP_FORMAT_BINARY},
	{KP_TYPE_STRING, "wkt", KP_FORMAT_WKT},
	{KP_TYPE_DATE, "any", KP_FORMAT_ANY},
	{KP_TYPE_TIME, "any", KP_FORMAT_ANY},
	{KP_TYPE_DATETIME, "any", KP_FORMAT_ANY},
	{KP_TYPE_GEOPOINT, "array", KP_FORMAT_ARRAY},
	{KP_TYPE_GEOPOINT, "object", KP_FORMAT_OBJECT},
	{KP_TYPE_GEOJSON, "topojson", KP_FORMAT_TOPOJSON},
};

static void load_format(loader *L, kp_field *f, json_t *jf)
{
	json_t *v = json_object_get(jf, "format");
	if (!v)
		return;
	size_t old = jp_key(L, "format");
	if (!json_is_string(v)) {
		expected(L, "a string", v);
		goto done;
	}
	const char *s = json_string_value(v);
	if (strncmp(s, "fmt:", 4) == 0) /* v0 compatibility: the prefix is dropped */
		s += 4;
	if (strcmp(s, "default") == 0 || *s == '\0')
		goto done;
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (formats[i].type == f->type && strcmp(formats[i].name, s) == 0) {
			f->format = formats[i].format;
			goto done;
		}
	if (f->type == KP_TYPE_DATE || f->type == KP_TYPE_TIME || f->type == KP_TYPE_DATETIME) {
		if (strchr(s, '%')) {
			f->format = KP_FORMAT_PATTERN;
			f->format_pattern = dup_or_oom(L, s);
			/* A directive kp_cast does not know would fail on every cell: say so now. */
			for (const char *c = s; *c; c++) {
				if (*c != '%')
					continue;
				c++;
				if (!*c || !strchr("YymdHIMSfpbBz%", *c)) {
					fail(L, "unsupported directive %%%c in \"%s\" (supported: %%Y %%y %%m "
						"%%d %%H %%I %%M %%S %%f %%p %%b %%B %%z %%%%)",
						*c ? *c : '?', s);
					break;
				}
			}
			goto done;
		}
		fail(L, "unknown %s format \"%s\": use \"default\", \"any\" or a strptime "
			"pattern such as \"%%d/%%m/%%Y\"",
			kp_cast_type_name(f->type), s);
		goto done;
	}
	fail(L, "format \"%s\" is not defined for type %s", s, kp_cast_type_name(f->type));
done:
	jp_pop(L, old);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* The enum's lookup structure (kp_constraints.enum_set / enum_ints). */
static int enum_index(const kp_field *f, kp_constraints *c)
{
	if (f->type == KP_TYPE_STRING || f->type == KP_TYPE_ANY) {
		for (size_t i = 0; i < c->enum_len; i++) {
			const kp_value *e = &c->enum_values[i];
			if (!e->is_null && e->type == f->type &&
			    kp_strset_add(&c->enum_set, e->text, e->len, i, NULL) < 0)
				return -1;
		}
	} else if (f->type == KP_TYPE_INTEGER) {
		c->enum_ints = malloc((c->enum_len + 1) * sizeof *c->enum_ints);
		if (!c->enum_ints)
			return -1;
		for (size_t i = 0; i < c->enum_len; i++) {
			if (c->enum_values[i].is_null || c->enum_values[i].type != KP_TYPE_INTEGER) {
				free(c->enum_ints);
				c->enum_ints = NULL; /* not all plain integers: the linear scan */
				return 0;
			}
			c->enum_ints[i] = c->enum_values[i].u.i;
		}
		qsort(c->enum_ints, c->enum_len, sizeof *c->enum_ints, cmp_ll);
	}
	return 0;
}

/* Casts a constraint value (JSON number or string) to the field's type. */
static int cast_constraint_value(loader *L, kp_field *f, json_t *v, char **text, kp_value *out)
{
	char buf[64];
	kp_diag err;
	int rc;
	if (json_is_string(v)) {
		*text = dup_or_oom(L, json_string_value(v));
		if (!*text)
			return -1;
		rc = kp_cast_value(f, *text, json_string_length(v), out, &err);
	} else if (json_is_integer(v) || json_is_real(v)) {
		if (json_is_integer(v))
			snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		else
			snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
		*text = dup_or_oom(L, buf);
		if (!*text)
			return -1;
		/* JSON numbers are written with '.', whatever decimalChar the cells use. */
		kp_type t = f->type == KP_TYPE_ANY ? KP_TYPE_STRING : f->type;
		rc = kp_cast_plain(t, KP_FORMAT_DEFAULT, *text, strlen(*text), out, &err);
	} else if (json_is_boolean(v) && (f->type == KP_TYPE_BOOLEAN || f->type == KP_TYPE_ANY)) {
		*text = dup_or_oom(L, json_is_true(v) ? "true" : "false");
		if (!*text)
			return -1;
		rc = kp_cast_plain(f->type, KP_FORMAT_DEFAULT, *text, strlen(*text), out, &err);
	} else if (json_is_object(v) || json_is_array(v)) {
		char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!dump) {
			out_of_memory(L);
			return -1;
		}
		*text = dump;
		rc = kp_cast_value(f, dump, strlen(dump), out, &err);
	} else {
		expected(L, f->type == KP_TYPE_INTEGER || f->type == KP_TYPE_NUMBER ? N_("a number") :
											N_("a string"),
			v);
		return -1;
	}
	if (rc != KP_CAST_OK) {
		if (json_is_string(v) && (f->type == KP_TYPE_INTEGER || f->type == KP_TYPE_NUMBER))
			expected(L, f->type == KP_TYPE_INTEGER ? N_("an integer") : N_("a number"), v);
		else
			fail(L, "%s is not a valid %s value: %s", describe(v, buf, sizeof buf),
				kp_cast_type_name(f->type), err.message);
		return -1;
	}
	return 0;
}

static void *compile_pattern(loader *L, const char *pattern, size_t n);

static void load_constraints(loader *L, kp_field *f, json_t *jf)
{
	json_t *jc = json_object_get(jf, "constraints");
	if (!jc)
		return;
	size_t old = jp_key(L, "constraints");
	if (!json_is_object(jc)) {
		expected(L, "an object", jc);
		jp_pop(L, old);
		return;
	}
	kp_constraints *c = &f->constraints;
	static const struct {
		const char *key;
		kp_constraint id;
	} keys[] = {
		{"required", KP_CONSTRAINT_REQUIRED},
		{"unique", KP_CONSTRAINT_UNIQUE},
		{"minimum", KP_CONSTRAINT_MINIMUM},
		{"maximum", KP_CONSTRAINT_MAXIMUM},
		{"exclusiveMinimum", KP_CONSTRAINT_EXCLUSIVE_MINIMUM},
		{"exclusiveMaximum", KP_CONSTRAINT_EXCLUSIVE_MAXIMUM},
		{"minLength", KP_CONSTRAINT_MIN_LENGTH},
		{"maxLength", KP_CONSTRAINT_MAX_LENGTH},
		{"pattern", KP_CONSTRAINT_PATTERN},
		{"enum", KP_CONSTRAINT_ENUM},
	};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		json_t *v = json_object_get(jc, keys[k].key);
		if (!v)
			continue;
		size_t o2 = jp_key(L, keys[k].key);
		unsigned bit = 1u << keys[k].id;
		if (!(type_constraints[f->type] & bit)) {
			fail(L, "constraint %s is not supported by type %s", keys[k].key,
				kp_cast_type_name(f->type));
			jp_pop(L, o2);
			continue;
		}
		int ok = 0;
		switch (keys[k].id) {
		case KP_CONSTRAINT_REQUIRED:
		case KP_CONSTRAINT_UNIQUE:
			if (!json_is_boolean(v)) {
				expected(L, "true or false", v);
				break;
			}
			if (keys[k].id == KP_CONSTRAINT_REQUIRED)
				c->required = json_is_true(v);
			else
				c->unique = json_is_true(v);
			ok = json_is_true(v);
			break;
		case KP_CONSTRAINT_MINIMUM:
			ok = cast_constraint_value(L, f, v, &c->minimum_text, &c->minimum) == 0;
			break;
		case KP_CONSTRAINT_MAXIMUM:
			ok = cast_constraint_value(L, f, v, &c->maximum_text, &c->maximum) == 0;
			break;
		case KP_CONSTRAINT_EXCLUSIVE_MINIMUM:
			ok = cast_constraint_value(L, f, v, &c->exclusive_minimum_text,
				     &c->exclusive_minimum) == 0;
			break;
		case KP_CONSTRAINT_EXCLUSIVE_MAXIMUM:
			ok = cast_constraint_value(L, f, v, &c->exclusive_maximum_text,
				     &c->exclusive_maximum) == 0;
			break;
		case KP_CONSTRAINT_MIN_LENGTH:
		case KP_CONSTRAINT_MAX_LENGTH:
			if (!json_is_integer(v) || json_integer_value(v) < 0) {
				expected(L, "a non-negative integer", v);
				break;
			}
			if (keys[k].id == KP_CONSTRAINT_MIN_LENGTH)
				c->min_length = json_integer_value(v);
			else
				c->max_length = json_integer_value(v);
			ok = 1;
			break;
		case KP_CONSTRAINT_PATTERN:
			if (!json_is_string(v)) {
				expected(L, "a string (an XML Schema regular expression)", v);
				break;
			}
			c->pattern_re = compile_pattern(L, json_string_value(v), json_string_length(v));
			if (c->pattern_re) {
				c->pattern = dup_or_oom(L, json_string_value(v));
				ok = c->pattern != NULL;
			}
			break;
		case KP_CONSTRAINT_ENUM: {
			if (!json_is_array(v) || json_array_size(v) == 0) {
				expected(L, "a non-empty array", v);
				break;
			}
			size_t n = json_array_size(v);
			c->enum_values = calloc(n, sizeof *c->enum_values);
			if (!c->enum_values) {
				out_of_memory(L);
				break;
			}
			ok = 1;
			for (size_t i = 0; i < n; i++) {
				size_t o3 = jp_index(L, i);
				char *text = NULL;
				if (cast_constraint_value(L, f, json_array_get(v, i), &text,
					    &c->enum_values[c->enum_len]) == 0) {
					/* The value's text points into the list's copy. */
					if (strlist_push(&c->enum_text, text, strlen(text)) < 0) {
						out_of_memory(L);
						ok = 0;
					} else {
						kp_value *ev = &c->enum_values[c->enum_len++];
						ev->text = c->enum_text.items[c->enum_text.len - 1];
						ev->len = c->enum_text.lens[c->enum_text.len - 1];
					}
				} else {
					ok = 0;
				}
				free(text);
				jp_pop(L, o3);
			}
			if (ok && enum_index(f, c) != 0) {
				out_of_memory(L);
				ok = 0;
			}
			break;
		}
		default:
			break;
		}
		if (ok)
			c->has |= bit;
		jp_pop(L, o2);
	}
	/* The typed bounds borrow the *_text strings just set. */
	if ((c->has & C(MIN_LENGTH)) && (c->has & C(MAX_LENGTH)) && c->min_length > c->max_length)
		fail(L, "minLength %lld is greater than maxLength %lld", c->min_length,
			c->max_length);
	if ((c->has & C(MINIMUM)) && (c->has & C(MAXIMUM)) &&
	    kp_cast_compare(&c->minimum, &c->maximum) > 0)
		fail(L, "minimum %s is greater than maximum %s", c->minimum_text, c->maximum_text);
	for (json_t *it = json_object_iter(jc); it; it = json_object_iter_next(jc, it)) {
		const char *k = json_object_iter_key(it);
		int known = strcmp(k, "jsonSchema") == 0;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !known; i++)
			known = strcmp(k, keys[i].key) == 0;
		if (!known)
			warn(L, "unknown constraint \"%s\" is ignored", k);
	}
	jp_pop(L, old);
}

static const kp_type list_item_types[] = {KP_TYPE_STRING, KP_TYPE_INTEGER, KP_TYPE_BOOLEAN,
	KP_TYPE_NUMBER, KP_TYPE_DATETIME, KP_TYPE_DATE, KP_TYPE_TIME};

static void load_field(loader *L, kp_schema *s, kp_field *f, json_t *jf)
{
	f->json = jf;
	strcpy(f->decimal_char, ".");
	strcpy(f->delimiter, ",");
	f->bare_number = 1;
	f->item_type = KP_TYPE_STRING;
	f->missing = &s->missing_values;
	if (strlist_set(&f->true_values, default_true, 4) < 0 ||
	    strlist_set(&f->false_values, default_false, 4) < 0)
		out_of_memory(L);
	if (!json_is_object(jf)) {
		expected(L, "a field object", jf);
		return;
	}
	json_t *name = json_object_get(jf, "name");
	if (!name) {
		fail(L, "missing required key \"name\"");
	} else if (!json_is_string(name)) {
		size_t old = jp_key(L, "name");
		expected(L, "a non-empty string", name);
		jp_pop(L, old);
	} else {
		/* An empty name is allowed with a warning (csvlint's fixtures have one for a
		 * trailing comma column); such a field is matched by position only. */
		if (json_string_length(name) == 0) {
			size_t old = jp_key(L, "name");
			warn(L, "an empty name: give the field a name");
			jp_pop(L, old);
		}
		f->name = dup_or_oom(L, json_string_value(name));
	}
	get_string(L, jf, "title", &f->title);
	get_titles(L, jf, &f->titles);
	get_string(L, jf, "description", &f->description);
	json_t *type = json_object_get(jf, "type");
	if (type) {
		size_t old = jp_key(L, "type");
		if (!json_is_string(type))
			expected(L, "a string", type);
		else if (kp_cast_type_parse(json_string_value(type), &f->type) < 0)
			fail(L, "unknown type \"%s\" (expected string, number, integer, boolean, "
				"date, time, datetime, year, yearmonth, duration, geopoint, geojson, "
				"object, array, list or any)",
				json_string_value(type));
		jp_pop(L, old);
	}
	get_char_option(L, jf, "decimalChar", f->decimal_char, 0);
	get_char_option(L, jf, "groupChar", f->group_char, 1);
	if (f->group_char[0] && strcmp(f->group_char, f->decimal_char) == 0) {
		size_t old = jp_key(L, "groupChar");
		fail(L, "groupChar and decimalChar are both \"%s\"", f->group_char);
		jp_pop(L, old);
	}
	get_bool(L, jf, "bareNumber", &f->bare_number);
	get_strlist(L, jf, "trueValues", &f->true_values, 0, 0);
	get_strlist(L, jf, "falseValues", &f->false_values, 0, 0);
	if (get_strlist(L, jf, "missingValues", &f->missing_values, 1, 0) > 0) {
		f->has_missing_values = 1;
		f->missing = &f->missing_values;
	}
	get_char_option(L, jf, "delimiter", f->delimiter, 0);
	json_t *it = json_object_get(jf, "itemType");
	if (it) {
		size_t old = jp_key(L, "itemType");
		kp_type t;
		int ok = json_is_string(it) && kp_cast_type_parse(json_string_value(it), &t) == 0;
		if (ok) {
			ok = 0;
			for (size_t i = 0; i < sizeof list_item_types / sizeof list_item_types[0]; i++)
				ok |= list_item_types[i] == t;
		}
		if (!ok)
			expected(L, "one of string, integer, boolean, number, datetime, date, time", it);
		else
			f->item_type = t;
		jp_pop(L, old);
	}
	get_string(L, jf, "aboutUrl", &f->about_url);
	get_string(L, jf, "propertyUrl", &f->property_url);
	get_string(L, jf, "valueUrl", &f->value_url);
	get_string(L, jf, "lang", &f->lang);
	get_string(L, jf, "rdfType", &f->rdf_type);
	load_format(L, f, jf);
	load_constraints(L, f, jf);
}

/* ---- patterns (pattern.h) ---- */

static void *compile_pattern(loader *L, const char *pattern, size_t n)
{
	if (n > KP_SCHEMA_MAX_PATTERN) {
		fail(L, "pattern is %zu bytes long; at most %d are supported", n,
			KP_SCHEMA_MAX_PATTERN);
		return NULL;
	}
	if (memchr(pattern, '\0', n)) {
		fail(L, "pattern contains a NUL character");
		return NULL;
	}
	char why[300];
	kp_pattern *re = kp_pattern_compile(pattern, n, why, sizeof why);
	if (!re) {
		if (strcmp(why, "out of memory") == 0)
			out_of_memory(L);
		else
			fail(L, "pattern \"%.200s\": %s", pattern, why);
	}
	return re;
}

/* ---- rules ---- */

static long field_ref(loader *L, kp_schema *s, json_t *v)
{
	if (!json_is_string(v)) {
		expected(L, "a field name", v);
		return -1;
	}
	long i = kp_schema_field_index(s, json_string_value(v));
	if (i < 0)
		fail(L, "no field named \"%s\" in the schema", json_string_value(v));
	return i;
}

/* A string or an array of strings naming fields → indices. */
static int fieldref_load(loader *L, kp_schema *s, json_t *v, kp_fieldref *out)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	if (!json_is_array(v) && !json_is_string(v)) {
		expected(L, "a field name or an array of field names", v);
		return -1;
	}
	out->idx = calloc(n ? n : 1, sizeof *out->idx);
	if (!out->idx) {
		out_of_memory(L);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		size_t old = json_is_array(v) ? jp_index(L, i) : L->jplen;
		long f = field_ref(L, s, json_is_array(v) ? json_array_get(v, i) : v);
		if (f < 0)
			rc = -1;
		else
			out->idx[out->len++] = (size_t)f;
		jp_pop(L, old);
	}
	return rc;
}

/* "where": {field: "v" | ["v", ...] | {"pattern": "..."}}.  With s == NULL the names
 * are kept unresolved (field = (size_t)-1). */
static void load_where(loader *L, kp_schema *s, json_t *w, kp_rule_where **out, size_t *n)
{
	if (!json_is_object(w)) {
		expected(L, "an object mapping field names to conditions", w);
		return;
	}
	if (!json_object_size(w))
		return;
	*out = calloc(json_object_size(w), sizeof **out);
	if (!*out) {
		out_of_memory(L);
		return;
	}
	const char *k;
	json_t *v;
	json_object_foreach(w, k, v)
	{
		size_t o2 = jp_key(L, k);
		kp_rule_where *rw = &(*out)[(*n)++];
		rw->field = (size_t)-1;
		rw->name = dup_or_oom(L, k);
		if (s) {
			long fi = kp_schema_field_index(s, k);
			if (fi < 0)
				fail(L, "no field named \"%s\" in the schema", k);
			else
				rw->field = (size_t)fi;
		}
		if (json_is_object(v)) {
			json_t *pat = json_object_get(v, "pattern");
			if (!json_is_string(pat) || json_object_size(v) != 1) {
				expected(L, "a string, an array of strings or {\"pattern\": \"...\"}", v);
			} else {
				size_t o3 = jp_key(L, "pattern");
				rw->pattern_re =
					compile_pattern(L, json_string_value(pat), json_string_length(pat));
				if (rw->pattern_re)
					rw->pattern = dup_or_oom(L, json_string_value(pat));
				jp_pop(L, o3);
			}
		} else {
			if (!json_is_string(v) && !json_is_array(v))
				expected(L, "a string, an array of strings or {\"pattern\": \"...\"}", v);
			else
				parse_strlist(L, v, &rw->values, 0, 1);
		}
		jp_pop(L, o2);
	}
}

static void load_rule(loader *L, kp_schema *s, kp_rule *r, json_t *jr)
{
	r->order_by = -1;
	r->severity = KP_SEV_ERROR;
	if (!json_is_object(jr)) {
		expected(L, "a rule object", jr);
		return;
	}
	if (get_string(L, jr, "id", &r->id) == 0)
		fail(L, "missing required key \"id\"");
	get_string(L, jr, "message", &r->message);
	json_t *t = json_object_get(jr, "type");
	size_t old = jp_key(L, "type");
	if (!t)
		fail(L, "missing: a rule needs \"type\": \"non-decreasing\" or \"consistent\"");
	else if (json_is_string(t) && strcmp(json_string_value(t), "non-decreasing") == 0)
		r->type = KP_RULE_NON_DECREASING;
	else if (json_is_string(t) && strcmp(json_string_value(t), "consistent") == 0)
		r->type = KP_RULE_CONSISTENT;
	else
		expected(L, "\"non-decreasing\" or \"consistent\"", t);
	jp_pop(L, old);
	json_t *f = json_object_get(jr, "field");
	old = jp_key(L, "field");
	if (!f) {
		fail(L, "missing: a rule needs the field it checks");
	} else {
		long i = field_ref(L, s, f);
		if (i >= 0)
			r->field = (size_t)i;
	}
	jp_pop(L, old);
	json_t *g = json_object_get(jr, "groupBy");
	if (g) {
		old = jp_key(L, "groupBy");
		fieldref_load(L, s, g, &r->group_by);
		jp_pop(L, old);
	}
	json_t *o = json_object_get(jr, "orderBy");
	old = jp_key(L, "orderBy");
	if (o)
		r->order_by = field_ref(L, s, o);
	else if (t && r->type == KP_RULE_NON_DECREASING)
		fail(L, "missing: a non-decreasing rule needs the field that orders rows");
	jp_pop(L, old);
	get_strlist(L, jr, "order", &r->order, 0, 0);
	get_bool(L, jr, "strict", &r->strict);
	json_t *sev = json_object_get(jr, "severity");
	if (sev) {
		old = jp_key(L, "severity");
		if (json_is_string(sev) && strcmp(json_string_value(sev), "warning") == 0)
			r->severity = KP_SEV_WARNING;
		else if (!json_is_string(sev) || strcmp(json_string_value(sev), "error") != 0)
			expected(L, "\"error\" or \"warning\"", sev);
		jp_pop(L, old);
	}
	json_t *w = json_object_get(jr, "where");
	if (w) {
		old = jp_key(L, "where");
		load_where(L, s, w, &r->where, &r->nwhere);
		jp_pop(L, old);
	}
	r->reference_key = -1;
	json_t *wr = json_object_get(jr, "whereReference");
	if (wr) {
		old = jp_key(L, "whereReference");
		json_t *res = json_object_get(wr, "resource");
		json_t *cond = json_object_get(wr, "where");
		if (!json_is_object(wr)) {
			expected(L, "an object {\"resource\": ..., \"where\": {...}}", wr);
		} else if (!json_is_string(res)) {
			size_t o2 = jp_key(L, "resource");
			expected(L, "the name of a resource this schema has a foreign key to",
				res ? res : json_null());
			jp_pop(L, o2);
		} else if (!cond) {
			fail(L, "missing: whereReference needs \"where\"");
		} else {
			const char *rn = json_string_value(res);
			r->reference_resource = dup_or_oom(L, rn);
			for (size_t k = 0; k < s->nforeign_keys && r->reference_key < 0; k++) {
				const char *fr = s->foreign_keys[k].resource ? s->foreign_keys[k].resource : "";
				if (strcmp(fr, rn) == 0)
					r->reference_key = (long)k;
			}
			if (r->reference_key < 0) {
				size_t o2 = jp_key(L, "resource");
				fail(L, "no foreign key of this schema refers to resource \"%s\"", rn);
				jp_pop(L, o2);
			}
			size_t o2 = jp_key(L, "where");
			/* Self references resolve now; others once the package is loaded. */
			load_where(L, *rn ? NULL : s, cond, &r->reference_where, &r->nreference_where);
			jp_pop(L, o2);
		}
		jp_pop(L, old);
	}
}

int kp_schema_rule_where_match(const kp_rule_where *w, const char *text, size_t len)
{
	if (w->pattern_re)
		return kp_pattern_match(w->pattern_re, text, len) == 1;
	for (size_t i = 0; i < w->values.len; i++)
		if (w->values.lens[i] == len && memcmp(w->values.items[i], text, len) == 0)
			return 1;
	return 0;
}

static void where_free(kp_rule_where *w, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		free(w[j].name);
		strlist_free(&w[j].values);
		free(w[j].pattern);
		kp_pattern_free(w[j].pattern_re);
	}
	free(w);
}

/* Resolves condition field names against schema s. */
static void resolve_where(loader *L, const kp_schema *s, kp_rule_where *w, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		long fi = kp_schema_field_index(s, w[j].name);
		if (fi < 0) {
			size_t o = jp_key(L, w[j].name);
			fail(L, "no field named \"%s\" in the referenced schema", w[j].name);
			jp_pop(L, o);
		} else {
			w[j].field = (size_t)fi;
		}
	}
}

/* ---- schema ---- */

static void field_free(kp_field *f)
{
	free(f->name);
	free(f->title);
	strlist_free(&f->titles);
	free(f->description);
	free(f->format_pattern);
	strlist_free(&f->true_values);
	strlist_free(&f->false_values);
	strlist_free(&f->missing_values);
	kp_constraints *c = &f->constraints;
	free(c->minimum_text);
	free(c->maximum_text);
	free(c->exclusive_minimum_text);
	free(c->exclusive_maximum_text);
	free(c->pattern);
	kp_pattern_free(c->pattern_re);
	free(c->enum_values);
	strlist_free(&c->enum_text);
	kp_strset_free(&c->enum_set);
	free(c->enum_ints);
	free(f->about_url);
	free(f->property_url);
	free(f->value_url);
	free(f->lang);
	free(f->rdf_type);
}

void kp_schema_free(kp_schema *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfields; i++)
		field_free(&s->fields[i]);
	free(s->fields);
	strlist_free(&s->missing_values);
	free(s->primary_key.idx);
	for (size_t i = 0; i < s->nunique_keys; i++)
		free(s->unique_keys[i].idx);
	free(s->unique_keys);
	for (size_t i = 0; i < s->nforeign_keys; i++) {
		kp_foreign_key *fk = &s->foreign_keys[i];
		free(fk->fields.idx);
		free(fk->resource);
		strlist_free(&fk->reference_names);
		free(fk->reference_fields.idx);
	}
	free(s->foreign_keys);
	for (size_t i = 0; i < s->nrules; i++) {
		kp_rule *r = &s->rules[i];
		free(r->id);
		free(r->message);
		free(r->group_by.idx);
		strlist_free(&r->order);
		where_free(r->where, r->nwhere);
		where_free(r->reference_where, r->nreference_where);
		free(r->reference_resource);
	}
	free(s->rules);
	free(s->about_url);
	free(s->property_url);
	free(s->lang);
	free(s->rdf_type);
	index_free(s->index_);
	free(s->path);
	json_decref(s->json);
	free(s);
}

static const char *const fields_match_names[] = {
	[KP_FIELDS_MATCH_EXACT] = "exact",
	[KP_FIELDS_MATCH_EQUAL] = "equal",
	[KP_FIELDS_MATCH_SUBSET] = "subset",
	[KP_FIELDS_MATCH_SUPERSET] = "superset",
	[KP_FIELDS_MATCH_PARTIAL] = "partial",
};

const char *kp_schema_fields_match_name(kp_fields_match m)
{
	return (unsigned)m < 5 ? fields_match_names[m] : "labels";
}

/* Resolves reference.fields of a foreign key against the target schema. */
static void resolve_reference(loader *L, kp_foreign_key *fk, const kp_schema *target)
{
	free(fk->reference_fields.idx);
	fk->reference_fields.idx = calloc(fk->reference_names.len + 1, sizeof(size_t));
	fk->reference_fields.len = 0;
	if (!fk->reference_fields.idx) {
		out_of_memory(L);
		return;
	}
	for (size_t i = 0; i < fk->reference_names.len; i++) {
		long j = kp_schema_field_index(target, fk->reference_names.items[i]);
		if (j < 0) {
			size_t o = jp_key(L, "reference.fields");
			fail(L, "no field named \"%s\" in the referenced %s", fk->reference_names.items[i],
				fk->resource && *fk->resource ? _("resource") : _("schema (self reference)"));
			jp_pop(L, o);
		} else {
			fk->reference_fields.idx[fk->reference_fields.len++] = (size_t)j;
		}
	}
}

static void load_foreign_key(loader *L, kp_schema *s, kp_foreign_key *fk, json_t *jk)
{
	fk->resource_index = -2;
	if (!json_is_object(jk)) {
		expected(L, "a foreign key object", jk);
		return;
	}
	json_t *f = json_object_get(jk, "fields");
	size_t old = jp_key(L, "fields");
	if (!f)
		fail(L, "missing: a foreign key needs \"fields\"");
	else
		fieldref_load(L, s, f, &fk->fields);
	jp_pop(L, old);
	json_t *ref = json_object_get(jk, "reference");
	old = jp_key(L, "reference");
	if (!ref || !json_is_object(ref)) {
		if (ref)
			expected(L, "an object {\"resource\": ..., \"fields\": ...}", ref);
		else
			fail(L, "missing: a foreign key needs \"reference\"");
		jp_pop(L, old);
		return;
	}
	get_string(L, ref, "resource", &fk->resource);
	if (!json_object_get(ref, "fields"))
		fail(L, "missing: the reference needs \"fields\"");
	else
		get_strlist(L, ref, "fields", &fk->reference_names, 0, 1);
	jp_pop(L, old);
	if (fk->fields.len && fk->reference_names.len && fk->fields.len != fk->reference_names.len)
		fail(L, "%zu fields refer to %zu reference fields; the counts must be equal",
			fk->fields.len, fk->reference_names.len);
	if (!fk->resource || !*fk->resource) {
		fk->resource_index = -1;
		resolve_reference(L, fk, s);
	}
}

static void check_unique_names(loader *L, kp_schema *s)
{
	/* The index keeps the first field of each name; any other holder is a duplicate. */
	for (size_t i = 0; i < s->nfields; i++) {
		if (!s->fields[i].name)
			continue;
		long first = kp_schema_field_index(s, s->fields[i].name);
		if (first >= 0 && (size_t)first != i) {
			size_t old = jp_key(L, "fields");
			jp_index(L, i);
			jp_key(L, "name");
			fail(L, "duplicate field name \"%s\" (also fields[%ld])", s->fields[i].name,
				first);
			jp_pop(L, old);
		}
	}
}

static void load_schema(loader *L, kp_schema *s, json_t *root)
{
	if (!json_is_object(root)) {
		expected(L, "a Table Schema object", root);
		return;
	}
	static const char *const default_missing[] = {""};
	if (strlist_set(&s->missing_values, default_missing, 1) < 0)
		out_of_memory(L);
	get_strlist(L, root, "missingValues", &s->missing_values, 1, 0);
	json_t *fields = json_object_get(root, "fields");
	if (!fields) {
		fail(L, "missing required key \"fields\"");
	} else if (!json_is_array(fields)) {
		size_t old = jp_key(L, "fields");
		expected(L, "an array of field objects", fields);
		jp_pop(L, old);
	} else {
		size_t n = json_array_size(fields);
		s->fields = calloc(n ? n : 1, sizeof *s->fields);
		if (!s->fields) {
			out_of_memory(L);
			return;
		}
		s->nfields = n;
		for (size_t i = 0; i < n && !L->oom; i++) {
			size_t old = jp_key(L, "fields");
			jp_index(L, i);
			load_field(L, s, &s->fields[i], json_array_get(fields, i));
			jp_pop(L, old);
		}
	}
	if (index_build(s) < 0) {
		out_of_memory(L);
		return;
	}
	check_unique_names(L, s);

	json_t *fm = json_object_get(root, "fieldsMatch");
	s->fields_match = KP_FIELDS_MATCH_LABELS;
	if (fm) {
		size_t old = jp_key(L, "fieldsMatch");
		int found = 0;
		for (unsigned i = 0; i < 5 && json_is_string(fm); i++)
			if (strcmp(json_string_value(fm), fields_match_names[i]) == 0) {
				s->fields_match = (kp_fields_match)i;
				found = 1;
			}
		if (!found)
			expected(L, "one of exact, equal, subset, superset, partial", fm);
		jp_pop(L, old);
	}

	json_t *pk = json_object_get(root, "primaryKey");
	if (pk) {
		size_t old = jp_key(L, "primaryKey");
		if (fieldref_load(L, s, pk, &s->primary_key) == 0)
			for (size_t i = 0; i < s->primary_key.len; i++)
				s->fields[s->primary_key.idx[i]].constraints.required = 1;
		jp_pop(L, old);
	}

	json_t *uk = json_object_get(root, "uniqueKeys");
	if (uk) {
		size_t old = jp_key(L, "uniqueKeys");
		if (!json_is_array(uk)) {
			expected(L, "an array of field-name arrays", uk);
		} else if (json_array_size(uk)) {
			s->unique_keys = calloc(json_array_size(uk), sizeof *s->unique_keys);
			if (!s->unique_keys)
				out_of_memory(L);
			for (size_t i = 0; s->unique_keys && i < json_array_size(uk); i++) {
				size_t o2 = jp_index(L, i);
				json_t *k = json_array_get(uk, i);
				if (!json_is_array(k))
					expected(L, "an array of field names", k);
				else
					fieldref_load(L, s, k, &s->unique_keys[s->nunique_keys++]);
				jp_pop(L, o2);
			}
		}
		jp_pop(L, old);
	}

	json_t *fks = json_object_get(root, "foreignKeys");
	if (fks) {
		size_t old = jp_key(L, "foreignKeys");
		if (!json_is_array(fks)) {
			expected(L, "an array of foreign keys", fks);
		} else if (json_array_size(fks)) {
			s->foreign_keys = calloc(json_array_size(fks), sizeof *s->foreign_keys);
			if (!s->foreign_keys)
				out_of_memory(L);
			for (size_t i = 0; s->foreign_keys && i < json_array_size(fks); i++) {
				size_t o2 = jp_index(L, i);
				load_foreign_key(L, s, &s->foreign_keys[s->nforeign_keys++],
					json_array_get(fks, i));
				jp_pop(L, o2);
			}
		}
		jp_pop(L, old);
	}

	json_t *rules = json_object_get(root, "rules");
	if (rules) {
		size_t old = jp_key(L, "rules");
		if (!json_is_array(rules)) {
			expected(L, "an array of rule objects", rules);
		} else if (json_array_size(rules)) {
			s->rules = calloc(json_array_size(rules), sizeof *s->rules);
			if (!s->rules)
				out_of_memory(L);
			kp_strset ids = {0};
			for (size_t i = 0; s->rules && i < json_array_size(rules); i++) {
				size_t o2 = jp_index(L, i);
				kp_rule *r = &s->rules[s->nrules++];
				load_rule(L, s, r, json_array_get(rules, i));
				size_t j;
				int added = r->id ? kp_strset_add(&ids, r->id, strlen(r->id), i, &j) : 1;
				if (added < 0) {
					out_of_memory(L);
				} else if (added == 0) {
					size_t o3 = jp_key(L, "id");
					fail(L, "duplicate rule id \"%s\" (also rules[%zu])", r->id, j);
					jp_pop(L, o3);
				}
				jp_pop(L, o2);
			}
			kp_strset_free(&ids);
		}
		jp_pop(L, old);
	}

	get_string(L, root, "aboutUrl", &s->about_url);
	get_string(L, root, "propertyUrl", &s->property_url);
	get_string(L, root, "lang", &s->lang);
	get_string(L, root, "rdfType", &s->rdf_type);
}

static kp_schema *schema_new(const char *path, json_t *obj)
{
	kp_schema *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->path = strdup(path ? path : "<inline>");
	if (!s->path) {
		free(s);
		return NULL;
	}
	s->json = json_incref(obj);
	return s;
}

static int schema_load_into(loader *L, json_t *obj, const char *path, kp_schema **out)
{
	kp_schema *s = schema_new(path, obj);
	*out = s;
	if (!s) {
		out_of_memory(L);
		return -1;
	}
	L->file = s->path;
	load_schema(L, s, obj);
	return L->errors ? -1 : 0;
}

int kp_schema_load_json(json_t *obj, const char *path, const char *json_path, kp_schema **out,
	const kp_diag_sink *sink)
{
	loader L = {.sink = sink};
	if (json_path)
		jp_append(&L, "%s", json_path);
	return schema_load_into(&L, obj, path, out);
}

/* JSON values in text[0..n), counted without parsing: every value but the first
 * follows a ',' or ':' or opens with '[' or '{' (an estimate that never undercounts by
 * more than one per container).  Strings are skipped. */
static size_t count_values(const char *t, size_t n)
{
	size_t count = 1;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (c == '"') {
			for (i++; i < n && t[i] != '"'; i++)
				if (t[i] == '\\')
					i++;
		} else if (c == ',' || c == ':' || c == '[' || c == '{') {
			count++;
		}
	}
	return count;
}

/* Reads and parses a JSON file; a parse error is a schema error with line and column. */
/* 1 when data is well-formed JSON text, checked without allocating: tells jansson's
 * failed allocations from real syntax errors.  Nesting past 2048 counts as malformed
 * (jansson's own limit). */
static int well_formed_json(const char *s, size_t n)
{
	char stack[2048]; /* '{' or '[' */
	size_t depth = 0, i = 0;
	enum { VALUE, KEY_OR_END, KEY, COLON, NEXT, DONE } want = VALUE;
	int first_in_array = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		if (want == DONE)
			return 0;
		if (want == COLON) {
			if (c != ':')
				return 0;
			i++;
			want = VALUE;
			continue;
		}
		if (want == NEXT || (want == VALUE && first_in_array && c == ']') ||
		    (want == KEY_OR_END && c == '}')) {
			first_in_array = 0;
			if (c == ',' && want == NEXT && depth) {
				want = stack[depth - 1] == '{' ? KEY : VALUE;
				i++;
				continue;
			}
			if ((c == '}' || c == ']') && depth && stack[depth - 1] == (c == '}' ? '{' : '[')) {
				depth--;
				i++;
				want = depth ? NEXT : DONE;
				continue;
			}
			return 0;
		}
		first_in_array = 0;
		if (want == KEY || want == KEY_OR_END) {
			if (c != '"')
				return 0;
		}
		if (c == '"') {
			for (i++; i < n && s[i] != '"'; i++) {
				if ((unsigned char)s[i] < 0x20)
					return 0;
				if (s[i] == '\\' && ++i >= n)
					return 0;
			}
			if (i >= n)
				return 0;
			i++;
			want = want == KEY || want == KEY_OR_END ? COLON : depth ? NEXT : DONE;
		} else if (c == '{' || c == '[') {
			if (depth == sizeof stack)
				return 0;
			stack[depth++] = (char)c;
			i++;
			want = c == '{' ? KEY_OR_END : VALUE;
			first_in_array = c == '[';
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			while (i < n && (strchr("+-.eE", s[i]) || (s[i] >= '0' && s[i] <= '9')))
				i++;
			want = depth ? NEXT : DONE;
		} else if (n - i >= 4 && (memcmp(s + i, "true", 4) == 0 || memcmp(s + i, "null", 4) == 0)) {
			i += 4;
			want = depth ? NEXT : DONE;
		} else if (n - i >= 5 && memcmp(s + i, "false", 5) == 0) {
			i += 5;
			want = depth ? NEXT : DONE;
		} else {
			return 0;
		}
	}
	return want == DONE;
}

static json_t *read_json(loader *L, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	kp_diag err;
	if (kp_files_read_all(path, KP_SCHEMA_MAX_FILE, &data, &len, &err) < 0) {
		err.file = L->file;
		if (strstr(err.message, strerror(EFBIG)))
			snprintf(err.message, sizeof err.message,
				 _("%.150s%s\"%.200s\" is larger than %zu MiB, the most a descriptor may be: "
				   "split the schema or shorten its lists"),
				 L->jp, L->jplen ? ": " : "", path, KP_SCHEMA_MAX_FILE >> 20);
		else if (L->jplen) {
			char msg[KP_DIAG_MESSAGE_MAX];
			memcpy(msg, err.message, sizeof msg);
			snprintf(err.message, sizeof err.message, "%s: %.250s", L->jp, msg);
		}
		if (strstr(err.message, strerror(ENOMEM)))
			L->oom = 1;
		L->errors++;
		kp_diag_emit(L->sink, &err);
		return NULL;
	}
	/* The parsed tree costs far more than the text (jansson: about 60 bytes a value, so
	 * 2 bytes of "[0,0,0,...]" become 60): the number of values is bounded, which bounds
	 * memory whatever the layout. */
	size_t nvalues = count_values(data, len);
	if (nvalues > KP_SCHEMA_MAX_VALUES) {
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "schema-error",
			    "%s%s\"%.200s\" holds about %zu JSON values; at most %d are supported "
			    "(an enum of a million codes fits): split the schema or shorten its lists",
			    L->jp, L->jplen ? ": " : "", path, nvalues, KP_SCHEMA_MAX_VALUES);
		kp_diag_at(&d, L->file, 0, 0, -1);
		free(data);
		L->errors++;
		kp_diag_emit(L->sink, &d);
		return NULL;
	}
	json_error_t je;
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	/* jansson names most failed allocations; one inside its parser (appending to an
	 * array or object) fails without setting any error, and one in its lexer says
	 * "invalid token": well-formed text that failed to parse ran out of memory */
	int oom = !root && (json_error_code(&je) == json_error_out_of_memory || !je.text[0] ||
			    (json_error_code(&je) != json_error_duplicate_key &&
			     well_formed_json(data, len)));
	free(data);
	if (oom) {
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "io-error",
			    "%s%sout of memory reading \"%.200s\" (%zu bytes): free memory or "
			    "split the schema",
			    L->jp, L->jplen ? ": " : "", path, len);
		kp_diag_at(&d, L->file, 0, 0, -1);
		L->oom = 1;
		L->errors++;
		kp_diag_emit(L->sink, &d);
	} else if (!root) {
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "schema-error", "%s%sinvalid JSON: %s", L->jp,
			L->jplen ? ": " : "", je.text);
		kp_diag_at(&d, L->file, je.line > 0 ? je.line : 0, je.column > 0 ? je.column : 0,
			je.position >= 0 ? je.position : -1);
		L->errors++;
		kp_diag_emit(L->sink, &d);
	}
	return root;
}

int kp_schema_load_file(const char *path, kp_schema **out, const kp_diag_sink *sink)
{
	loader L = {.sink = sink, .file = path};
	*out = NULL;
	json_t *root = read_json(&L, path);
	if (!root) {
		/* Hand back an empty schema so the contract "*out is set" holds. */
		*out = schema_new(path, NULL);
		return L.oom || !*out ? -2 : -1;
	}
	int rc = schema_load_into(&L, root, path, out);
	json_decref(root);
	return L.oom ? -2 : rc;
}

/* ---- JSON pointer ---- */

json_t *kp_schema_pointer(json_t *root, const char *pointer)
{
	if (!root || !pointer)
		return NULL;
	const char *p = pointer;
	if (*p == '/')
		p++;
	json_t *cur = root;
	char key[256];
	while (cur && *p) {
		size_t n = 0;
		while (*p && *p != '/') {
			char c = *p++;
			if (c == '~' && (*p == '0' || *p == '1'))
				c = *p++ == '0' ? '~' : '/';
			if (n + 1 >= sizeof key)
				return NULL;
			key[n++] = c;
		}
		key[n] = '\0';
		if (*p == '/')
			p++;
		if (json_is_object(cur)) {
			cur = json_object_get(cur, key);
		} else if (json_is_array(cur)) {
			char *end;
			errno = 0;
			unsigned long i = strtoul(key, &end, 10);
			if (n == 0 || *end || errno || (key[0] == '0' && n > 1))
				return NULL;
			cur = json_array_get(cur, i);
		} else {
			return NULL;
		}
	}
	return cur;
}

const char *kp_schema_pointer_string(json_t *root, const char *pointer)
{
	json_t *v = kp_schema_pointer(root, pointer);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- Data Package ---- */

static char *join_path(const char *dir, const char *rel)
{
	size_t a = strlen(dir), b = strlen(rel);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, rel, b + 1);
	return p;
}

/* The spec requires relative POSIX paths without ".." (or URLs, which kplan does not
 * fetch). */
static int check_rel_path(loader *L, const char *p, const char *what)
{
	if (strstr(p, "://")) {
		fail(L, "%s \"%s\" is a URL; kplan reads only files inside the package folder",
			what, p);
		return -1;
	}
	if (p[0] == '/' || p[0] == '\0' || strcmp(p, "..") == 0 || strncmp(p, "../", 3) == 0 ||
	    strstr(p, "/../") || (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0)) {
		fail(L, "%s \"%s\" must be a relative path inside the package folder (no leading "
			"'/', no \"..\")",
			what, p);
		return -1;
	}
	return 0;
}

static int get_dialect_char(loader *L, json_t *d, const char *key, char *out)
{
	json_t *v = json_object_get(d, key);
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) > 1 ||
	    (json_string_length(v) == 1 && (unsigned char)json_string_value(v)[0] >= 0x80)) {
		size_t old = jp_key(L, key);
		expected(L, "a one-character ASCII string", v);
		jp_pop(L, old);
		return -1;
	}
	*out = json_string_length(v) ? json_string_value(v)[0] : 0;
	return 1;
}

static void load_dialect(loader *L, kp_dialect *d, json_t *jd)
{
	d->delimiter = ',';
	d->quote_char = '"';
	d->double_quote = 1;
	d->header = 1;
	d->header_rows = 1;
	if (!jd)
		return;
	size_t old = jp_key(L, "dialect");
	if (!json_is_object(jd)) {
		expected(L, "a dialect object", jd);
		jp_pop(L, old);
		return;
	}
	d->json = jd;
	if (get_dialect_char(L, jd, "delimiter", &d->delimiter) > 0 && !d->delimiter) {
		size_t o = jp_key(L, "delimiter");
		fail(L, "the delimiter cannot be empty");
		jp_pop(L, o);
	}
	get_dialect_char(L, jd, "quoteChar", &d->quote_char);
	get_dialect_char(L, jd, "escapeChar", &d->escape_char);
	get_dialect_char(L, jd, "commentChar", &d->comment_char);
	get_bool(L, jd, "doubleQuote", &d->double_quote);
	get_bool(L, jd, "skipInitialSpace", &d->skip_initial_space);
	if (get_bool(L, jd, "header", &d->header) > 0 && !d->header)
		d->header_rows = 0;
	json_t *hr = json_object_get(jd, "headerRows");
	if (hr) {
		size_t o = jp_key(L, "headerRows");
		if (!json_is_array(hr) || json_array_size(hr) == 0 ||
		    !json_is_integer(json_array_get(hr, 0)) ||
		    json_integer_value(json_array_get(hr, 0)) < 1)
			expected(L, "an array of row numbers such as [1]", hr);
		else
			d->header_rows = (long)json_array_size(hr);
		jp_pop(L, o);
	}
	get_string(L, jd, "lineTerminator", &d->line_terminator);
	get_string(L, jd, "nullSequence", &d->null_sequence);
	jp_pop(L, old);
}

static void resource_free(kp_resource *r)
{
	free(r->name);
	free(r->path);
	free(r->full_path);
	free(r->title);
	free(r->description);
	free(r->format);
	free(r->mediatype);
	free(r->encoding);
	free(r->profile);
	free(r->hash);
	free(r->dialect.line_terminator);
	free(r->dialect.null_sequence);
	kp_schema_free(r->schema);
	free(r->schema_path);
	json_decref(r->dialect_file_);
}

void kp_schema_package_free(kp_package *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nresources; i++)
		resource_free(&p->resources[i]);
	free(p->resources);
	free(p->path);
	free(p->dir);
	free(p->name);
	free(p->title);
	free(p->description);
	free(p->version);
	strlist_free(&p->keywords);
	json_decref(p->json);
	free(p);
}

long kp_schema_package_resource(const kp_package *p, const char *name)
{
	if (!p || !name)
		return -1;
	for (size_t i = 0; i < p->nresources; i++)
		if (p->resources[i].name && strcmp(p->resources[i].name, name) == 0)
			return (long)i;
	return -1;
}

static void load_resource(loader *L, kp_package *p, kp_resource *r, json_t *jr)
{
	load_dialect(L, &r->dialect, NULL);
	if (!json_is_object(jr)) {
		expected(L, "a resource object", jr);
		return;
	}
	r->json = jr; /* borrowed from p->json, as schema.h promises */
	json_t *name = json_object_get(jr, "name");
	if (!name) {
		fail(L, "missing required key \"name\"");
	} else if (!json_is_string(name) || json_string_length(name) == 0) {
		size_t o = jp_key(L, "name");
		expected(L, "a non-empty string", name);
		jp_pop(L, o);
	} else {
		r->name = dup_or_oom(L, json_string_value(name));
		for (const char *c = r->name; c && *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
				    *c == '_' || *c == '.')) {
				size_t o = jp_key(L, "name");
				char shown[512];
				warn(L, "resource name \"%s\" should use only lower-case ASCII letters, "
					"digits, '-', '_' and '.'",
					kp_stage_show_name(r->name, shown, sizeof shown));
				jp_pop(L, o);
				break;
			}
	}
	json_t *path = json_object_get(jr, "path");
	if (path) {
		size_t o = jp_key(L, "path");
		if (!json_is_string(path)) {
			expected(L, "a relative file path (multipart resources are not supported)",
				path);
		} else if (check_rel_path(L, json_string_value(path), "path") == 0) {
			r->path = dup_or_oom(L, json_string_value(path));
			r->full_path = r->path ? join_path(p->dir, r->path) : NULL;
			if (r->path && !r->full_path)
				out_of_memory(L);
		}
		jp_pop(L, o);
	} else if (!json_object_get(jr, "data")) {
		fail(L, "missing: a resource needs \"path\" (or inline \"data\")");
	}
	get_string(L, jr, "title", &r->title);
	get_string(L, jr, "description", &r->description);
	get_string(L, jr, "format", &r->format);
	get_string(L, jr, "mediatype", &r->mediatype);
	get_string(L, jr, "encoding", &r->encoding);
	get_string(L, jr, "profile", &r->profile);
	get_string(L, jr, "hash", &r->hash);
	r->bytes = -1;
	json_t *bytes = json_object_get(jr, "bytes");
	if (bytes) {
		size_t o = jp_key(L, "bytes");
		if (!json_is_integer(bytes) || json_integer_value(bytes) < 0)
			expected(L, "a non-negative integer", bytes);
		else
			r->bytes = json_integer_value(bytes);
		jp_pop(L, o);
	}
	json_t *dialect = json_object_get(jr, "dialect");
	json_t *dialect_file = NULL;
	if (json_is_string(dialect)) {
		size_t o = jp_key(L, "dialect");
		if (check_rel_path(L, json_string_value(dialect), "dialect") == 0) {
			char *full = join_path(p->dir, json_string_value(dialect));
			dialect_file = full ? read_json(L, full) : NULL;
			free(full);
		}
		jp_pop(L, o);
		dialect = dialect_file;
		r->dialect_file_ = dialect_file; /* kept alive with the resource */
	}
	if (dialect)
		load_dialect(L, &r->dialect, dialect);
	json_t *schema = json_object_get(jr, "schema");
	if (!schema)
		return;
	size_t o = jp_key(L, "schema");
	if (json_is_string(schema)) {
		if (check_rel_path(L, json_string_value(schema), "schema") == 0) {
			r->schema_path = join_path(p->dir, json_string_value(schema));
			if (!r->schema_path) {
				out_of_memory(L);
			} else {
				/* Messages about an external schema name its file and start the JSON
				 * path at its root. */
				loader sub = {.sink = L->sink, .file = r->schema_path};
				json_t *root = read_json(&sub, r->schema_path);
				if (root) {
					schema_load_into(&sub, root, r->schema_path, &r->schema);
					json_decref(root);
				}
				L->errors += sub.errors;
				L->oom |= sub.oom;
			}
		}
	} else if (json_is_object(schema)) {
		loader sub = {.sink = L->sink};
		memcpy(sub.jp, L->jp, L->jplen + 1);
		sub.jplen = L->jplen;
		schema_load_into(&sub, schema, p->path, &r->schema);
		L->errors += sub.errors;
		L->oom |= sub.oom;
	} else {
		expected(L, "a schema object or a relative path to a schema file", schema);
	}
	jp_pop(L, o);
}

/* Resolves foreign keys that name another resource. */
static void resolve_package_keys(loader *L, kp_package *p)
{
	for (size_t i = 0; i < p->nresources; i++) {
		kp_schema *s = p->resources[i].schema;
		if (!s)
			continue;
		for (size_t k = 0; k < s->nforeign_keys; k++) {
			kp_foreign_key *fk = &s->foreign_keys[k];
			if (!fk->resource || !*fk->resource)
				continue;
			loader sub = {.sink = L->sink, .file = s->path};
			if (!p->resources[i].schema_path)
				jp_append(&sub, "resources[%zu].schema.", i);
			jp_append(&sub, "foreignKeys[%zu]", k);
			long t = kp_schema_package_resource(p, fk->resource);
			if (t < 0) {
				size_t o = jp_key(&sub, "reference.resource");
				fail(&sub, "no resource named \"%s\" in the package", fk->resource);
				jp_pop(&sub, o);
			} else if (!p->resources[t].schema) {
				size_t o = jp_key(&sub, "reference.resource");
				fail(&sub, "resource \"%s\" has no schema to refer to", fk->resource);
				jp_pop(&sub, o);
			} else {
				fk->resource_index = (size_t)t == i ? -1 : t;
				resolve_reference(&sub, fk, p->resources[t].schema);
			}
			L->errors += sub.errors;
		}
		for (size_t k = 0; k < s->nrules; k++) {
			kp_rule *r = &s->rules[k];
			if (r->reference_key < 0 || !r->reference_resource || !*r->reference_resource)
				continue;
			const kp_foreign_key *fk = &s->foreign_keys[r->reference_key];
			const kp_schema *target = fk->resource_index == -1 ? s :
						  fk->resource_index >= 0 ? p->resources[fk->resource_index].schema :
									    NULL;
			if (!target)
				continue; /* the foreign key's own error was reported */
			loader sub = {.sink = L->sink, .file = s->path};
			if (!p->resources[i].schema_path)
				jp_append(&sub, "resources[%zu].schema.", i);
			jp_append(&sub, "rules[%zu].whereReference.where", k);
			resolve_where(&sub, target, r->reference_where, r->nreference_where);
			L->errors += sub.errors;
		}
	}
}

int kp_schema_package_load(const char *path, kp_package **out, const kp_diag_sink *sink)
{
	*out = NULL;
	kp_package *p = calloc(1, sizeof *p);
	loader L = {.sink = sink, .file = path};
	if (!p) {
		out_of_memory(&L);
		return -2;
	}
	*out = p;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		p->dir = strdup(path);
		p->path = join_path(path, "datapackage.json");
	} else {
		p->path = strdup(path);
		const char *slash = strrchr(path, '/');
		p->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
	}
	if (!p->dir || !p->path) {
		out_of_memory(&L);
		return -2;
	}
	L.file = p->path;
	p->json = read_json(&L, p->path);
	if (!p->json)
		return L.oom ? -2 : -1;
	json_t *root = p->json;
	if (!json_is_object(root)) {
		expected(&L, "a Data Package object", root);
		return -1;
	}
	get_string(&L, root, "name", &p->name);
	get_string(&L, root, "title", &p->title);
	get_string(&L, root, "description", &p->description);
	get_string(&L, root, "version", &p->version);
	get_strlist(&L, root, "keywords", &p->keywords, 0, 0);
	json_t *dcat = json_object_get(root, "dcat");
	if (dcat && !json_is_object(dcat)) {
		size_t o = jp_key(&L, "dcat");
		expected(&L, "an object", dcat);
		jp_pop(&L, o);
	} else {
		p->dcat = dcat;
	}
	json_t *res = json_object_get(root, "resources");
	if (!res) {
		fail(&L, "missing required key \"resources\"");
	} else if (!json_is_array(res)) {
		size_t o = jp_key(&L, "resources");
		expected(&L, "an array of resources", res);
		jp_pop(&L, o);
	} else if (json_array_size(res)) {
		size_t n = json_array_size(res);
		p->resources = calloc(n, sizeof *p->resources);
		if (!p->resources) {
			out_of_memory(&L);
			return -1;
		}
		kp_strset names = {0};
		for (size_t i = 0; i < n && !L.oom; i++) {
			size_t o = jp_key(&L, "resources");
			jp_index(&L, i);
			load_resource(&L, p, &p->resources[p->nresources++], json_array_get(res, i));
			const char *nm = p->resources[i].name;
			size_t first;
			int added = nm ? kp_strset_add(&names, nm, strlen(nm), i, &first) : 1;
			if (added < 0) {
				out_of_memory(&L);
			} else if (added == 0) {
				jp_key(&L, "name");
				fail(&L, "duplicate resource name \"%s\" (also resources[%zu])", nm, first);
			}
			jp_pop(&L, o);
		}
		kp_strset_free(&names);
	}
	resolve_package_keys(&L, p);
	return L.oom ? -2 : L.errors ? -1 : 0;
}
