/* portal — the portal's metadata requirements, read from a rules file (see portal.h). */
#include "i18n.h"
#include "portal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlregexp.h>

#include "cast.h"
#include "files.h"
#include "lgcode.h"

typedef enum check_type {
	CT_ANY = 0,
	CT_STRING,
	CT_ARRAY,
	CT_OBJECT,
	CT_NUMBER,
	CT_BOOLEAN
} check_type;

typedef enum check_format { CF_NONE = 0, CF_DATE, CF_URI, CF_EMAIL, CF_LGCODE } check_format;

static const char *const type_names[] = {"any", "string", "array", "object", "number", "boolean"};
static const char *const type_labels[] = {N_("a value"), N_("a string"), N_("an array"),
	N_("an object"), N_("a number"), N_("true or false")};
static const char *const format_names[] = {"", "date", "uri", "email", "lgcode"};

typedef struct check {
	char *path; /* JSON pointer */
	int required;
	check_type type;
	long long min_length; /* -1 = none */
	char *pattern;
	xmlRegexpPtr pattern_re;
	char **enum_values;
	size_t enum_len;
	check_format format;
	char **any_of; /* member names of which at least one must be present */
	size_t any_of_len;
	kp_severity severity;
	char *message;
} check;

struct kp_portal {
	check *dataset;
	size_t ndataset;
	check *resource;
	size_t nresource;
};

/* ---- loading ---- */

typedef struct loader {
	const kp_diag_sink *sink;
	const char *file;
	int errors;
} loader;

static void fail(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(loader *L, const char *fmt, ...)
{
	kp_diag d;
	va_list ap;
	va_start(ap, fmt);
	kp_diag_vset(&d, KP_SEV_ERROR, "schema-error", fmt, ap);
	va_end(ap);
	kp_diag_at(&d, L->file, 0, 0, -1);
	L->errors++;
	kp_diag_emit(L->sink, &d);
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static void noop_error(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

static void load_check(loader *L, const char *list, size_t i, check *c, json_t *j)
{
	c->required = 1;
	c->min_length = -1;
	c->severity = KP_SEV_ERROR;
	if (!json_is_object(j)) {
		fail(L, "%s[%zu]: expected a check object", list, i);
		return;
	}
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	{
		int ok = 1;
		if (strcmp(k, "path") == 0) {
			ok = json_is_string(v) && json_string_value(v)[0] == '/';
			if (ok)
				c->path = strdup(json_string_value(v));
		} else if (strcmp(k, "required") == 0) {
			ok = json_is_boolean(v);
			c->required = json_is_true(v);
		} else if (strcmp(k, "type") == 0) {
			int t = json_is_string(v) ? name_index(type_names, 6, json_string_value(v)) : -1;
			ok = t > 0;
			c->type = ok ? (check_type)t : CT_ANY;
		} else if (strcmp(k, "minLength") == 0) {
			ok = json_is_integer(v) && json_integer_value(v) >= 0;
			c->min_length = ok ? json_integer_value(v) : -1;
		} else if (strcmp(k, "pattern") == 0) {
			ok = json_is_string(v) && json_string_length(v) <= KP_SCHEMA_MAX_PATTERN;
			if (ok) {
				xmlStructuredErrorFunc saved = xmlStructuredError;
				void *saved_ctx = xmlStructuredErrorContext;
				xmlSetStructuredErrorFunc(NULL, noop_error);
				c->pattern_re = xmlRegexpCompile((const xmlChar *)json_string_value(v));
				xmlSetStructuredErrorFunc(saved_ctx, saved);
				ok = c->pattern_re != NULL;
				c->pattern = strdup(json_string_value(v));
			}
		} else if (strcmp(k, "enum") == 0) {
			ok = json_is_array(v) && json_array_size(v) > 0;
			if (ok) {
				c->enum_values = calloc(json_array_size(v), sizeof *c->enum_values);
				for (size_t e = 0; c->enum_values && e < json_array_size(v); e++) {
					json_t *s = json_array_get(v, e);
					if (!json_is_string(s)) {
						ok = 0;
						break;
					}
					c->enum_values[c->enum_len++] = strdup(json_string_value(s));
				}
			}
		} else if (strcmp(k, "anyOf") == 0) {
			ok = json_is_array(v) && json_array_size(v) > 0;
			if (ok) {
				c->any_of = calloc(json_array_size(v), sizeof *c->any_of);
				for (size_t e = 0; c->any_of && e < json_array_size(v); e++) {
					json_t *s = json_array_get(v, e);
					if (!json_is_string(s)) {
						ok = 0;
						break;
					}
					c->any_of[c->any_of_len++] = strdup(json_string_value(s));
				}
			}
		} else if (strcmp(k, "format") == 0) {
			int f = json_is_string(v) ? name_index(format_names, 5, json_string_value(v)) : -1;
			ok = f > 0;
			c->format = ok ? (check_format)f : CF_NONE;
		} else if (strcmp(k, "severity") == 0) {
			ok = json_is_string(v) && (strcmp(json_string_value(v), "error") == 0 ||
						     strcmp(json_string_value(v), "warning") == 0);
			c->severity = ok && json_string_value(v)[0] == 'w' ? KP_SEV_WARNING : KP_SEV_ERROR;
		} else if (strcmp(k, "message") == 0) {
			/* one text, or one per language {"ja": …, "en": …}: the locale's, else
			 * English, else the first */
			const char *m = json_is_string(v) ? json_string_value(v) : NULL;
			if (json_is_object(v) && json_object_size(v)) {
				json_t *w = json_object_get(v, _("en"));
				if (!json_is_string(w))
					w = json_object_get(v, "en");
				if (!json_is_string(w))
					w = json_object_iter_value(json_object_iter(v));
				m = json_is_string(w) ? json_string_value(w) : NULL;
			}
			ok = m != NULL;
			if (ok)
				c->message = strdup(m);
		} else if (strcmp(k, "$comment") == 0) {
			ok = 1;
		} else {
			fail(L, "%s[%zu].%s: unknown key (expected path, required, type, minLength, "
				"pattern, enum, format, anyOf, severity, message)",
				list, i, k);
			continue;
		}
		if (!ok)
			fail(L, "%s[%zu].%s: invalid value", list, i, k);
	}
	if (!c->path)
		fail(L, "%s[%zu]: missing \"path\" (a JSON pointer such as \"/dcat/lg_code\")", list, i);
	if (!c->message)
		fail(L, "%s[%zu]: missing \"message\" (tell the person what to write)", list, i);
}

static void check_free(check *c)
{
	free(c->path);
	free(c->pattern);
	if (c->pattern_re)
		xmlRegFreeRegexp(c->pattern_re);
	for (size_t i = 0; i < c->enum_len; i++)
		free(c->enum_values[i]);
	free(c->enum_values);
	for (size_t i = 0; i < c->any_of_len; i++)
		free(c->any_of[i]);
	free(c->any_of);
	free(c->message);
}

void kp_portal_free(kp_portal *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ndataset; i++)
		check_free(&p->dataset[i]);
	for (size_t i = 0; i < p->nresource; i++)
		check_free(&p->resource[i]);
	free(p->dataset);
	free(p->resource);
	free(p);
}

size_t kp_portal_rule_count(const kp_portal *p)
{
	return p ? p->ndataset + p->nresource : 0;
}

static void load_list(loader *L, json_t *root, const char *key, check **out, size_t *n)
{
	json_t *a = json_object_get(root, key);
	if (!a)
		return;
	if (!json_is_array(a)) {
		fail(L, "%s: expected an array of checks", key);
		return;
	}
	*out = calloc(json_array_size(a) + 1, sizeof **out);
	if (!*out) {
		fail(L, "out of memory");
		return;
	}
	for (size_t i = 0; i < json_array_size(a); i++)
		load_check(L, key, i, &(*out)[(*n)++], json_array_get(a, i));
}

/* A profile's list over its base's: a check on the same path replaces the base's, the
 * others are added after them.  Takes the checks of *add (emptied). */
static int merge_list(check **base, size_t *nbase, check **add, size_t *nadd)
{
	check *m = realloc(*base, (*nbase + *nadd + 1) * sizeof *m);
	if (!m)
		return -1;
	*base = m;
	for (size_t i = 0; i < *nadd; i++) {
		check *c = &(*add)[i];
		size_t k = 0;
		while (k < *nbase && strcmp(m[k].path, c->path) != 0)
			k++;
		if (k < *nbase)
			check_free(&m[k]);
		else
			(*nbase)++;
		m[k] = *c;
	}
	free(*add);
	*add = NULL;
	*nadd = 0;
	return 0;
}

static int load_depth;

/* "extends": the rules file this one refines, relative to this one's folder. */
static int load_base(loader *L, json_t *obj, const char *path, kp_portal **base)
{
	json_t *e = json_object_get(obj, "extends");
	*base = NULL;
	if (!e)
		return 0;
	if (!json_is_string(e) || !json_string_length(e)) {
		fail(L, "\"extends\": expected the path of the rules file this one refines");
		return -1;
	}
	if (load_depth >= 4) {
		fail(L, "\"extends\" goes more than 4 files deep (a loop?)");
		return -1;
	}
	const char *slash = path ? strrchr(path, '/') : NULL;
	const char *rel = json_string_value(e);
	size_t dl = slash && rel[0] != '/' ? (size_t)(slash - path + 1) : 0;
	char *full = malloc(dl + strlen(rel) + 1);
	if (!full) {
		fail(L, "out of memory");
		return -1;
	}
	memcpy(full, path, dl);
	strcpy(full + dl, rel);
	load_depth++;
	int rc = kp_portal_load(full, base, L->sink);
	load_depth--;
	free(full);
	if (rc != 0)
		L->errors++;
	return rc;
}

int kp_portal_load_json(json_t *obj, const char *path, kp_portal **out, const kp_diag_sink *sink)
{
	loader L = {sink, path, 0};
	*out = NULL;
	if (!json_is_object(obj)) {
		fail(&L, "expected a portal rules object {\"dataset\": [...], \"resource\": [...]}");
		return -1;
	}
	kp_portal *p = calloc(1, sizeof *p);
	if (!p) {
		fail(&L, "out of memory");
		return -1;
	}
	load_list(&L, obj, "dataset", &p->dataset, &p->ndataset);
	load_list(&L, obj, "resource", &p->resource, &p->nresource);
	kp_portal *base = NULL;
	if (L.errors || load_base(&L, obj, path, &base) != 0) {
		kp_portal_free(p);
		return -1;
	}
	if (base) {
		if (merge_list(&base->dataset, &base->ndataset, &p->dataset, &p->ndataset) != 0 ||
		    merge_list(&base->resource, &base->nresource, &p->resource, &p->nresource) != 0) {
			fail(&L, "out of memory");
			kp_portal_free(base);
			kp_portal_free(p);
			return -1;
		}
		kp_portal_free(p);
		p = base;
	}
	*out = p;
	return 0;
}

int kp_portal_load(const char *path, kp_portal **out, const kp_diag_sink *sink)
{
	char *data = NULL;
	size_t len = 0;
	kp_diag err;
	*out = NULL;
	if (kp_files_read_all(path, KP_SCHEMA_MAX_FILE, &data, &len, &err) < 0) {
		kp_diag_emit(sink, &err);
		return -1;
	}
	json_error_t je;
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	free(data);
	if (!root) {
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "schema-error", "invalid JSON: %s", je.text);
		kp_diag_at(&d, path, je.line > 0 ? je.line : 0, je.column > 0 ? je.column : 0, -1);
		kp_diag_emit(sink, &d);
		return -1;
	}
	int rc = kp_portal_load_json(root, path, out, sink);
	json_decref(root);
	return rc;
}

/* ---- checking ---- */

/* "/dcat/contact/email" → "dcat.contact.email"; "/licenses/0/name" → "licenses[0].name",
 * with an optional prefix such as "resources[2]". */
static void dotted(const char *prefix, const char *pointer, char *buf, size_t size)
{
	size_t k = 0;
	buf[0] = '\0';
	if (prefix)
		k = (size_t)snprintf(buf, size, "%s", prefix);
	const char *p = pointer;
	while (*p == '/' && k + 1 < size) {
		p++;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int numeric = n > 0;
		for (size_t i = 0; i < n; i++)
			numeric &= p[i] >= '0' && p[i] <= '9';
		int w = numeric ? snprintf(buf + k, size - k, "[%.*s]", (int)n, p) :
				  snprintf(buf + k, size - k, "%s%.*s", k ? "." : "", (int)n, p);
		if (w < 0 || (size_t)w >= size - k)
			break;
		k += (size_t)w;
		p += n;
	}
}

typedef struct checker {
	const kp_diag_sink *sink;
	const char *file;
	json_t *root; /* the descriptor: the messages' {/pointer} values */
	long errors;
	int stopped;
} checker;

/* The message with each {/json/pointer} (or {/pointer:N}, its first N characters) set
 * to the package's own string there; a [...] part holding one that is missing is left
 * out, so a message never names another city's values. */
static void expand(const char *msg, json_t *root, char *out, size_t size)
{
	size_t k = 0, mark = 0;
	int in_opt = 0, opt_ok = 1;
	for (const char *p = msg; *p && k + 1 < size; p++) {
		if (*p == '[' && !in_opt) {
			in_opt = 1, opt_ok = 1, mark = k;
			continue;
		}
		if (*p == ']' && in_opt) {
			if (!opt_ok)
				k = mark;
			in_opt = 0;
			continue;
		}
		const char *close = *p == '{' && p[1] == '/' ? strchr(p, '}') : NULL;
		if (!close) {
			out[k++] = *p;
			continue;
		}
		char ptr[200];
		size_t n = (size_t)(close - p - 1), keep = (size_t)-1;
		if (n >= sizeof ptr)
			n = sizeof ptr - 1;
		memcpy(ptr, p + 1, n);
		ptr[n] = '\0';
		char *colon = strchr(ptr, ':');
		if (colon) {
			*colon = '\0';
			keep = (size_t)strtoul(colon + 1, NULL, 10);
		}
		json_t *v = root ? kp_schema_pointer(root, ptr) : NULL;
		const char *s = json_is_string(v) ? json_string_value(v) : "";
		if (!*s)
			opt_ok = 0;
		size_t len = strlen(s);
		if (keep < len)
			len = keep;
		for (size_t i = 0; i < len && k + 1 < size; i++)
			out[k++] = s[i];
		p = close;
	}
	if (in_opt && !opt_ok)
		k = mark;
	out[k] = '\0';
}

static void finding(checker *C, const check *c, const char *where, const char *what, ...)
	__attribute__((format(printf, 4, 5)));
static void finding(checker *C, const check *c, const char *where, const char *what, ...)
{
	if (C->stopped)
		return;
	char problem[256];
	va_list ap;
	va_start(ap, what);
	vsnprintf(problem, sizeof problem, _(what), ap);
	va_end(ap);
	char message[700];
	expand(c->message ? c->message : "", C->root, message, sizeof message);
	kp_diag d;
	kp_diag_set(&d, c->severity, "portal-metadata", "%s: %s: %s", where, problem, message);
	kp_diag_at(&d, C->file, 0, 0, -1);
	if (c->severity == KP_SEV_ERROR)
		C->errors++;
	if (kp_diag_emit(C->sink, &d))
		C->stopped = 1;
}

static int type_ok(check_type t, const json_t *v)
{
	switch (t) {
	case CT_STRING:
		return json_is_string(v);
	case CT_ARRAY:
		return json_is_array(v);
	case CT_OBJECT:
		return json_is_object(v);
	case CT_NUMBER:
		return json_is_number(v);
	case CT_BOOLEAN:
		return json_is_boolean(v);
	default:
		return 1;
	}
}

static size_t utf8_chars(const char *s)
{
	size_t k = 0;
	for (; *s; s++)
		k += ((unsigned char)*s & 0xC0) != 0x80;
	return k;
}

static int format_ok(check_format f, const char *s)
{
	kp_value v;
	size_t n = strlen(s);
	switch (f) {
	case CF_DATE:
		return kp_cast_plain(KP_TYPE_DATE, KP_FORMAT_DEFAULT, s, n, &v, NULL) == KP_CAST_OK;
	case CF_URI:
		return kp_cast_plain(KP_TYPE_STRING, KP_FORMAT_URI, s, n, &v, NULL) == KP_CAST_OK;
	case CF_EMAIL:
		return kp_cast_plain(KP_TYPE_STRING, KP_FORMAT_EMAIL, s, n, &v, NULL) == KP_CAST_OK;
	case CF_LGCODE:
		return kp_lgcode_check(s, n, NULL) == KP_LGCODE_OK;
	default:
		return 1;
	}
}

static const char *const format_hints[] = {"", N_("a date YYYY-MM-DD"), N_("an absolute URI"),
	N_("an e-mail address"), N_("a six-digit 全国地方公共団体コード with its check digit")};

static void run_check(checker *C, const check *c, json_t *root, const char *prefix)
{
	char where[300];
	dotted(prefix, c->path, where, sizeof where);
	json_t *v = kp_schema_pointer(root, c->path);
	if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
		if (c->required)
			finding(C, c, where, "missing");
		return;
	}
	if (!type_ok(c->type, v)) {
		finding(C, c, where, "expected %s", _(type_labels[c->type]));
		return;
	}
	if (c->min_length >= 0) {
		long long n = json_is_string(v) ? (long long)utf8_chars(json_string_value(v)) :
			      json_is_array(v)  ? (long long)json_array_size(v) :
			      json_is_object(v) ? (long long)json_object_size(v) :
						  c->min_length;
		if (n < c->min_length) {
			finding(C, c, where, "too short (%lld, at least %lld)", n, c->min_length);
			return;
		}
	}
	if (c->any_of_len && json_is_object(v)) {
		int found = 0;
		for (size_t i = 0; i < c->any_of_len && !found; i++) {
			json_t *m = json_object_get(v, c->any_of[i]);
			found = m && !json_is_null(m) && !(json_is_string(m) && json_string_length(m) == 0);
		}
		if (!found) {
			char list[160];
			size_t k = 0;
			list[0] = '\0';
			for (size_t i = 0; i < c->any_of_len && k < sizeof list - 1; i++) {
				int w = snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", c->any_of[i]);
				if (w < 0)
					break;
				k += (size_t)w;
			}
			finding(C, c, where, "needs at least one of %s", list);
			return;
		}
	}
	if (!json_is_string(v))
		return;
	const char *s = json_string_value(v);
	if (c->pattern_re && xmlRegexpExec(c->pattern_re, (const xmlChar *)s) != 1) {
		finding(C, c, where, "\"%.60s\" does not match %.80s", s, c->pattern);
		return;
	}
	if (c->enum_len) {
		int found = 0;
		for (size_t i = 0; i < c->enum_len && !found; i++)
			found = strcmp(c->enum_values[i], s) == 0;
		if (!found) {
			char list[160];
			size_t k = 0;
			list[0] = '\0';
			for (size_t i = 0; i < c->enum_len && k < sizeof list - 1; i++) {
				int w = snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "",
					c->enum_values[i]);
				if (w < 0)
					break;
				k += (size_t)w;
			}
			finding(C, c, where, "\"%.60s\" is not allowed (use one of %s)", s, list);
			return;
		}
	}
	if (c->format && !format_ok(c->format, s))
		finding(C, c, where, "\"%.60s\" is not %s", s, _(format_hints[c->format]));
}

long kp_portal_check_json(json_t *descriptor, const char *file, const kp_portal *rules,
	const kp_diag_sink *sink)
{
	checker C = {sink, file, descriptor, 0, 0};
	for (size_t i = 0; i < rules->ndataset && !C.stopped; i++)
		run_check(&C, &rules->dataset[i], descriptor, NULL);
	json_t *res = json_object_get(descriptor, "resources");
	for (size_t r = 0; json_is_array(res) && r < json_array_size(res) && !C.stopped; r++) {
		char prefix[32];
		snprintf(prefix, sizeof prefix, "resources[%zu]", r);
		for (size_t i = 0; i < rules->nresource && !C.stopped; i++)
			run_check(&C, &rules->resource[i], json_array_get(res, r), prefix);
	}
	return C.stopped ? -1 : C.errors;
}

long kp_portal_check(const kp_package *pkg, const kp_portal *rules, const kp_diag_sink *sink)
{
	return kp_portal_check_json(pkg->json, pkg->path, rules, sink);
}
