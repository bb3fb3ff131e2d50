/* write_rdf — RDF/XML through libxml2's xmlTextWriter, so escaping and well-formedness
 * are the library's job.  Each table row becomes rdf:Description elements: one for the
 * row's subject (the table's aboutUrl) and one for each other subject a column names
 * with its own aboutUrl (CSVW style).  A column is one property element per value: a
 * typed or language-tagged literal, or rdf:resource when it has a valueUrl.
 *
 * URI templates are the RFC 6570 subset CSVW metadata uses: {name}, {+name} (reserved
 * characters kept), {name:N} (first N characters) and {_row}.  A template that names a
 * missing value yields no subject or no triple, never an IRI with a hole.
 *
 * Every namespace is declared on rdf:RDF, so element names are plain "prefix:local"
 * strings; namespaces the schemas use beyond the built-in ones get ns1, ns2, ... in
 * the order they are first met, which keeps the output deterministic.
 */
#include "write_rdf.h"

#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

typedef struct sbuf {
	char *p; /* owned, NUL-terminated */
	size_t len, cap;
} sbuf;

static int sb_reserve(sbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int sb_add(sbuf *b, const char *s, size_t n)
{
	if (sb_reserve(b, n) != 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* The prefixes every output may use; data, not code (STYLE 13). */
static const kp_wprefix builtin[] = {
    {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
    {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
    {"xsd", "http://www.w3.org/2001/XMLSchema#"},
    {"owl", "http://www.w3.org/2002/07/owl#"},
    {"dcat", "http://www.w3.org/ns/dcat#"},
    {"dct", "http://purl.org/dc/terms/"},
    {"foaf", "http://xmlns.com/foaf/0.1/"},
    {"vcard", "http://www.w3.org/2006/vcard/ns#"},
    {"spdx", "http://spdx.org/rdf/terms#"},
    {"skos", "http://www.w3.org/2004/02/skos/core#"},
    {"org", "http://www.w3.org/ns/org#"},
    {"schema", "http://schema.org/"},
    {"ic", "http://imi.go.jp/ns/core/rdf#"},
    {"qb", "http://purl.org/linked-data/cube#"},
    {"sdmx-dimension", "http://purl.org/linked-data/sdmx/2009/dimension#"},
    {"sdmx-attribute", "http://purl.org/linked-data/sdmx/2009/attribute#"},
    {"cd-dimension", "http://data.e-stat.go.jp/lod/ontology/crossDomain/dimension/"},
    {"sac", "http://data.e-stat.go.jp/lod/sac/"},
};

typedef struct ns {
	char *prefix; /* owned */
	char *iri;    /* owned */
} ns;

typedef struct seg {
	const char *lit; /* borrowed from the template text; NULL for a variable */
	size_t len;
	long col;	 /* variable: column index, or -1 for _row */
	int reserved;	 /* {+var} */
	size_t maxchars; /* {var:N}; 0 = all */
} seg;

typedef struct tmpl {
	char *text; /* owned: the template with its prefix expanded */
	seg *segs;  /* owned */
	size_t n;
} tmpl;

typedef struct rcol {
	char *qname;  /* owned element name of the property, NULL: no triple */
	tmpl value;   /* valueUrl, n == 0 when none */
	size_t group; /* index of its subject */
} rcol;

typedef struct rdf_writer {
	kp_writer base;
	FILE *fp;	    /* borrowed: the file given to open */
	FILE *to;	    /* borrowed: where output goes now (fp, or a diverted stream) */
	xmlTextWriterPtr x; /* owned */
	ns *nss;	    /* owned array */
	size_t nns;
	size_t nauto;	    /* namespaces declared as ns1, ns2, ... */
	const kp_wtable *t; /* borrowed, current table */
	rcol *cols;	    /* owned, per column of t */
	tmpl *groups;	    /* owned: subject templates; groups[0] is the table's */
	size_t ngroups;
	sbuf subj, val, text; /* scratch */
	int depth;	      /* open node/property elements from the node API */
} rdf_writer;

static int oom(kp_diag *err)
{
	kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
	return -1;
}

/* The caller (export) adds the file's name.  errno says why when our output callback
 * failed (libxml2 keeps the first failure and refuses every later write). */
static int xml_fail(kp_diag *err)
{
	int e = errno;
	if (e)
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write RDF/XML: %s", strerror(e));
	else
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write RDF/XML");
	return -1;
}

/* libxml2 prints its own "I/O error" line on a failed write; the failure is ours to
 * report, once, with the file's name.  Its handlers are per thread. */
static void no_print(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void quiet_libxml(void)
{
	xmlSetGenericErrorFunc(NULL, no_print);
}

static int add_ns(rdf_writer *w, const char *prefix, const char *iri)
{
	ns *n = realloc(w->nss, (w->nns + 1) * sizeof *n);
	if (!n)
		return -1;
	w->nss = n;
	n[w->nns].prefix = strdup(prefix);
	n[w->nns].iri = strdup(iri);
	if (!n[w->nns].prefix || !n[w->nns].iri) {
		free(n[w->nns].prefix);
		free(n[w->nns].iri);
		return -1;
	}
	w->nns++;
	return 0;
}

static const ns *find_prefix(const rdf_writer *w, const char *name, size_t plen)
{
	for (size_t i = 0; i < w->nns; i++)
		if (strlen(w->nss[i].prefix) == plen && memcmp(w->nss[i].prefix, name, plen) == 0)
			return &w->nss[i];
	return NULL;
}

char *kp_write_rdf_expand(const kp_writer *base, const char *name)
{
	const rdf_writer *w = (const rdf_writer *)base;
	const char *colon = strchr(name, ':');
	const ns *n = colon && strncmp(colon + 1, "//", 2) != 0
			  ? find_prefix(w, name, (size_t)(colon - name))
			  : NULL;
	if (!n)
		return strdup(name);
	size_t a = strlen(n->iri), b = strlen(colon + 1);
	char *s = malloc(a + b + 1);
	if (s) {
		memcpy(s, n->iri, a);
		memcpy(s + a, colon + 1, b + 1);
	}
	return s;
}

char *kp_write_rdf_expand_name(const kp_wopts *opts, const char *name)
{
	const char *colon = strchr(name, ':');
	if (!colon || strncmp(colon + 1, "//", 2) == 0)
		return strdup(name);
	size_t plen = (size_t)(colon - name);
	const char *iri = NULL;
	for (size_t i = 0; !iri && i < sizeof builtin / sizeof builtin[0]; i++)
		if (strlen(builtin[i].prefix) == plen && memcmp(builtin[i].prefix, name, plen) == 0)
			iri = builtin[i].iri;
	for (size_t i = 0; !iri && opts && i < opts->nprefixes; i++)
		if (strlen(opts->prefixes[i].prefix) == plen &&
		    memcmp(opts->prefixes[i].prefix, name, plen) == 0)
			iri = opts->prefixes[i].iri;
	if (!iri)
		return strdup(name);
	size_t a = strlen(iri), b = strlen(colon + 1);
	char *s = malloc(a + b + 1);
	if (s) {
		memcpy(s, iri, a);
		memcpy(s + a, colon + 1, b + 1);
	}
	return s;
}

static int is_ncname(const char *s)
{
	return *s && xmlValidateNCName((const xmlChar *)s, 0) == 0;
}

/* "prefix:local" for a full IRI, using the longest declared namespace that leaves an
 * NCName; NULL when none does (or out of memory). */
static char *qname_of(const rdf_writer *w, const char *iri)
{
	const ns *best = NULL;
	size_t bestlen = 0;
	for (size_t i = 0; i < w->nns; i++) {
		size_t n = strlen(w->nss[i].iri);
		if (n > bestlen && strncmp(iri, w->nss[i].iri, n) == 0 && is_ncname(iri + n)) {
			best = &w->nss[i];
			bestlen = n;
		}
	}
	if (!best)
		return NULL;
	size_t p = strlen(best->prefix), l = strlen(iri + bestlen);
	char *q = malloc(p + l + 2);
	if (q) {
		memcpy(q, best->prefix, p);
		q[p] = ':';
		memcpy(q + p + 1, iri + bestlen, l + 1);
	}
	return q;
}

/* Element name of a property or class given as IRI or prefixed name; declares a new
 * namespace (ns1, ...) when allowed and needed.  NULL with err filled when the IRI
 * cannot be an XML element name. */
static char *name_of(rdf_writer *w, const char *name, int may_declare, kp_diag *err)
{
	char *iri = kp_write_rdf_expand(&w->base, name);
	if (!iri) {
		oom(err);
		return NULL;
	}
	char *q = qname_of(w, iri);
	if (!q && may_declare) {
		char *cut = strrchr(iri, '#');
		if (!cut)
			cut = strrchr(iri, '/');
		if (cut && is_ncname(cut + 1)) {
			char prefix[32], save = cut[1];
			snprintf(prefix, sizeof prefix, "ns%zu", ++w->nauto);
			cut[1] = '\0';
			int rc =
			    find_prefix(w, prefix, strlen(prefix)) ? -1 : add_ns(w, prefix, iri);
			cut[1] = save;
			if (rc == 0)
				q = qname_of(w, iri);
		}
	}
	if (!q)
		kp_diag_set(err, KP_SEV_ERROR, "schema-error",
			    "\"%s\" cannot be written as an RDF/XML element name", name);
	free(iri);
	return q;
}

long kp_write_rdf_bad_char(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x80) {
			i++;
			continue;
		}
		if (c < 0x20) {
			if (c != '\t' && c != '\n' && c != '\r')
				return (long)i;
			i++;
			continue;
		}
		size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
		if (n == 0 || c > 0xF4 || i + n > len)
			return (long)i;
		for (size_t k = 1; k < n; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return (long)i;
		if (n == 3) {
			unsigned cp =
			    ((c & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu);
			if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE ||
			    cp == 0xFFFF)
				return (long)i;
		} else if (n == 4) {
			unsigned cp = ((c & 0x07u) << 18) | ((p[i + 1] & 0x3Fu) << 12);
			if (cp < 0x10000 || cp > 0x10FFFF)
				return (long)i;
		}
		i += n;
	}
	return -1;
}

/* ---- URI templates ---- */

static void tmpl_free(tmpl *t)
{
	free(t->text);
	free(t->segs);
	memset(t, 0, sizeof *t);
}

static long find_col(const kp_wtable *t, const char *name, size_t len)
{
	if (len == 4 && memcmp(name, "_row", 4) == 0)
		return -1;
	for (size_t i = 0; i < t->ncols; i++)
		if (!t->cols[i].is_virtual && strlen(t->cols[i].name) == len &&
		    memcmp(t->cols[i].name, name, len) == 0)
			return (long)i;
	return -2;
}

static int tmpl_compile(rdf_writer *w, tmpl *out, const char *src, kp_diag *err)
{
	memset(out, 0, sizeof *out);
	out->text = kp_write_rdf_expand(&w->base, src);
	size_t cap = 1;
	for (const char *p = src; *p; p++)
		cap += *p == '{' ? 2 : 0;
	out->segs = calloc(cap + 1, sizeof *out->segs);
	if (!out->text || !out->segs)
		return oom(err);
	const char *p = out->text;
	while (*p) {
		const char *open = strchr(p, '{');
		if (open != p) {
			size_t n = open ? (size_t)(open - p) : strlen(p);
			out->segs[out->n++] = (seg){.lit = p, .len = n};
			p += n;
			continue;
		}
		const char *close = strchr(open, '}');
		if (!close)
			goto bad;
		seg s = {0};
		const char *v = open + 1;
		if (*v == '+') {
			s.reserved = 1;
			v++;
		}
		const char *colon = memchr(v, ':', (size_t)(close - v));
		const char *vend = colon ? colon : close;
		if (colon) {
			char *e;
			long m = strtol(colon + 1, &e, 10);
			if (e != close || m <= 0)
				goto bad;
			s.maxchars = (size_t)m;
		}
		s.col = find_col(w->t, v, (size_t)(vend - v));
		if (s.col == -2) {
			kp_diag_set(err, KP_SEV_ERROR, "schema-error",
				    "URI template \"%s\" of table \"%s\" names no field \"%.*s\"",
				    src, w->t->name, (int)(vend - v), v);
			return -1;
		}
		out->segs[out->n++] = s;
		p = close + 1;
	}
	return 0;
bad:
	kp_diag_set(err, KP_SEV_ERROR, "schema-error",
		    "malformed URI template \"%s\" in table \"%s\"", src, w->t->name);
	return -1;
}

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static int reserved_char(unsigned char c)
{
	return c && strchr(":/?#[]@!$&'()*+,;=%", c) != NULL;
}

static int encode(sbuf *b, const char *s, size_t len, int reserved, size_t maxchars)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t chars = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80 && maxchars && chars++ == maxchars)
			break;
		if (unreserved(c) || (reserved && reserved_char(c))) {
			if (sb_add(b, (const char *)&c, 1) != 0)
				return -1;
		} else {
			char t[3] = {'%', hex[c >> 4], hex[c & 15]};
			if (sb_add(b, t, 3) != 0)
				return -1;
		}
	}
	return 0;
}

/* Expands t for a row into b.  self/item/ilen bind the column self to one list item.
 * Returns 1 when expanded, 0 when a value it names is missing, -1 out of memory. */
static int tmpl_expand(const tmpl *t, sbuf *b, const kp_wcell *cells, long row, long self,
		       const char *item, size_t ilen)
{
	b->len = 0;
	if (sb_reserve(b, 0) != 0)
		return -1;
	b->p[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		const seg *s = &t->segs[i];
		int rc;
		if (s->lit) {
			rc = sb_add(b, s->lit, s->len);
		} else if (s->col == -1) {
			char num[32];
			rc = sb_add(b, num, (size_t)snprintf(num, sizeof num, "%ld", row));
		} else if (s->col == self) {
			rc = encode(b, item, ilen, s->reserved, s->maxchars);
		} else {
			const kp_wcell *c = &cells[s->col];
			if (c->null || c->len == 0)
				return 0;
			rc = encode(b, c->s, c->len, s->reserved, s->maxchars);
		}
		if (rc != 0)
			return -1;
	}
	return 1;
}

/* ---- writer ---- */

static void table_release(rdf_writer *w)
{
	if (w->cols && w->t)
		for (size_t i = 0; i < w->t->ncols; i++) {
			free(w->cols[i].qname);
			tmpl_free(&w->cols[i].value);
		}
	free(w->cols);
	w->cols = NULL;
	for (size_t i = 0; i < w->ngroups; i++)
		tmpl_free(&w->groups[i]);
	free(w->groups);
	w->groups = NULL;
	w->ngroups = 0;
}

static void rdf_free(rdf_writer *w)
{
	table_release(w);
	if (w->x)
		xmlFreeTextWriter(w->x);
	for (size_t i = 0; i < w->nns; i++) {
		free(w->nss[i].prefix);
		free(w->nss[i].iri);
	}
	free(w->nss);
	free(w->subj.p);
	free(w->val.p);
	free(w->text.p);
	free(w);
}

static int out_write(void *ctx, const char *buf, int len)
{
	rdf_writer *w = ctx;
	if (len > 0 && fwrite_unlocked(buf, 1, (size_t)len, w->to) != (size_t)len)
		return -1;
	return len;
}

static kp_writer *rdf_open(FILE *fp, const kp_wopts *o, kp_diag *err)
{
	quiet_libxml();
	rdf_writer *w = calloc(1, sizeof *w);
	if (!w) {
		oom(err);
		return NULL;
	}
	w->base.ops = &kp_write_rdf_ops;
	w->fp = fp;
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		if (add_ns(w, builtin[i].prefix, builtin[i].iri) != 0)
			goto nomem;
	for (size_t i = 0; i < o->nprefixes; i++) {
		const kp_wprefix *p = &o->prefixes[i];
		if (find_prefix(w, p->prefix, strlen(p->prefix)))
			continue; /* the built-in meaning wins: one prefix, one namespace */
		if (add_ns(w, p->prefix, p->iri) != 0)
			goto nomem;
	}
	/* Declare up front every namespace a property of any table will need. */
	for (size_t t = 0; t < o->ntables; t++)
		for (size_t i = 0; i < o->tables[t]->ncols; i++) {
			const char *prop = o->tables[t]->cols[i].property_url;
			if (!prop)
				continue;
			char *q = name_of(w, prop, 1, err);
			if (!q) {
				err->file = o->tables[t]->file;
				err->field = o->tables[t]->cols[i].name;
				rdf_free(w);
				return NULL;
			}
			free(q);
		}
	w->to = fp;
	/* Through our callback rather than xmlOutputBufferCreateFile, so the output can be
	 * diverted between tables (kp_write_rdf_divert). */
	xmlOutputBufferPtr out = xmlOutputBufferCreateIO(out_write, NULL, w, NULL);
	if (!out)
		goto nomem;
	w->x = xmlNewTextWriter(out);
	if (!w->x) {
		xmlOutputBufferClose(out);
		goto nomem;
	}
	xmlTextWriterSetIndent(w->x, 1);
	xmlTextWriterSetIndentString(w->x, (const xmlChar *)"  ");
	if (xmlTextWriterStartDocument(w->x, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w->x, (const xmlChar *)"rdf:RDF") < 0)
		goto xmlerr;
	for (size_t i = 0; i < w->nns; i++) {
		char attr[80];
		snprintf(attr, sizeof attr, "xmlns:%s", w->nss[i].prefix);
		if (xmlTextWriterWriteAttribute(w->x, (const xmlChar *)attr,
						(const xmlChar *)w->nss[i].iri) < 0)
			goto xmlerr;
	}
	/* Close the root's start tag now (">" and the newline the writer would put before
	 * the first child), so every later part of the file (a table, the DCAT metadata)
	 * starts the same wherever it is written: a diverted table can be moved. */
	if (xmlTextWriterWriteRaw(w->x, (const xmlChar *)"\n") < 0)
		goto xmlerr;
	return &w->base;
nomem:
	oom(err);
	rdf_free(w);
	return NULL;
xmlerr:
	xml_fail(err);
	rdf_free(w);
	return NULL;
}

static size_t group_of(rdf_writer *w, const char *about, kp_diag *err, int *fail)
{
	for (size_t g = 0; g < w->ngroups; g++)
		if (strcmp(w->groups[g].text ? w->groups[g].text : "", about ? about : "") == 0)
			return g;
	/* Compare with the expanded form too: "kp:x/{a}" and its full IRI are one subject. */
	char *full = about ? kp_write_rdf_expand(&w->base, about) : NULL;
	for (size_t g = 0; full && g < w->ngroups; g++)
		if (w->groups[g].text && strcmp(w->groups[g].text, full) == 0) {
			free(full);
			return g;
		}
	free(full);
	tmpl *ng = realloc(w->groups, (w->ngroups + 1) * sizeof *ng);
	if (!ng) {
		*fail = oom(err);
		return 0;
	}
	w->groups = ng;
	memset(&ng[w->ngroups], 0, sizeof *ng);
	if (about && tmpl_compile(w, &ng[w->ngroups], about, err) != 0) {
		tmpl_free(&ng[w->ngroups]);
		*fail = -1;
		return 0;
	}
	return w->ngroups++;
}

static int rdf_start(kp_writer *base, const kp_wtable *t, kp_diag *err)
{
	quiet_libxml();
	rdf_writer *w = (rdf_writer *)base;
	table_release(w);
	w->t = t;
	w->cols = calloc(t->ncols ? t->ncols : 1, sizeof *w->cols);
	if (!w->cols)
		return oom(err);
	int fail = 0;
	group_of(w, t->about_url, err, &fail);
	for (size_t i = 0; i < t->ncols && !fail; i++) {
		const kp_wcol *c = &t->cols[i];
		rcol *r = &w->cols[i];
		r->group = group_of(w, c->about_url ? c->about_url : t->about_url, err, &fail);
		if (fail)
			break;
		if (c->property_url && !(r->qname = name_of(w, c->property_url, 0, err)))
			fail = -1;
		else if (c->value_url && tmpl_compile(w, &r->value, c->value_url, err) != 0)
			fail = -1;
		if (fail) {
			err->file = t->file;
			err->field = c->name;
		}
	}
	return fail ? -1 : 0;
}

static int cell_error(rdf_writer *w, kp_diag *err, size_t col, long row, const char *s, size_t len,
		      long bad)
{
	const kp_wcol *c = &w->t->cols[col];
	uint32_t cp = (unsigned char)s[bad];
	if (cp >= 0x80 && kp_text_utf8_decode(s + bad, len - (size_t)bad, &cp) == 0)
		cp = 0xFFFD;
	long at = (long)kp_text_utf8_length(s, (size_t)bad) + 1;
	kp_diag_set(err, KP_SEV_ERROR, "xml-char",
		    "cell of field \"%s\" holds U+%04X at character %ld, which XML 1.0 cannot carry: "
		    "remove it",
		    c->name, (unsigned)cp, at);
	kp_diag_at(err, w->t->file, row, (long)col + 1, -1);
	err->field = c->name;
	kp_diag_set_cell(err, s, len);
	return -1;
}

static int write_ref(rdf_writer *w, const char *qname, const char *iri)
{
	return xmlTextWriterStartElement(w->x, (const xmlChar *)qname) < 0 ||
		       xmlTextWriterWriteAttribute(w->x, (const xmlChar *)"rdf:resource",
						   (const xmlChar *)iri) < 0 ||
		       xmlTextWriterEndElement(w->x) < 0
		   ? -1
		   : 0;
}

static int write_literal(rdf_writer *w, const char *qname, const char *text, const char *dt,
			 const char *lang)
{
	if (xmlTextWriterStartElement(w->x, (const xmlChar *)qname) < 0)
		return -1;
	if (dt && xmlTextWriterWriteAttribute(w->x, (const xmlChar *)"rdf:datatype",
					      (const xmlChar *)dt) < 0)
		return -1;
	if (!dt && lang &&
	    xmlTextWriterWriteAttribute(w->x, (const xmlChar *)"xml:lang", (const xmlChar *)lang) <
		0)
		return -1;
	if (xmlTextWriterWriteString(w->x, (const xmlChar *)text) < 0)
		return -1;
	return xmlTextWriterEndElement(w->x) < 0 ? -1 : 0;
}

/* rdf:type for each class in a space-separated list. */
static int write_types(rdf_writer *w, const char *classes, kp_diag *err)
{
	const char *p = classes;
	while (p && *p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n == 0)
			break;
		w->text.len = 0;
		if (sb_add(&w->text, p, n) != 0)
			return oom(err);
		char *iri = kp_write_rdf_expand(&w->base, w->text.p);
		if (!iri)
			return oom(err);
		int rc = write_ref(w, "rdf:type", iri);
		free(iri);
		if (rc != 0)
			return xml_fail(err);
		p += n;
	}
	return 0;
}

/* One value of column i: a reference through its valueUrl, or a literal. */
static int write_value(rdf_writer *w, size_t i, const kp_wcell *cells, long row, const char *s,
		       size_t len, kp_diag *err)
{
	const kp_wcol *c = &w->t->cols[i];
	const rcol *r = &w->cols[i];
	if (r->value.n) {
		int rc = tmpl_expand(&r->value, &w->val, cells, row, (long)i, s, len);
		if (rc < 0)
			return oom(err);
		if (rc == 0)
			return 0;
		long bad = kp_write_rdf_bad_char(w->val.p, w->val.len);
		if (bad >= 0)
			return cell_error(w, err, i, row, s, len, 0);
		if (!c->value_type)
			return write_ref(w, r->qname, w->val.p) == 0 ? 0 : xml_fail(err);
		/* A typed value: the node nests in the property element (striped RDF/XML). */
		int label = c->kind == KP_WK_STRING && !c->is_virtual;
		if (label && (bad = kp_write_rdf_bad_char(s, len)) >= 0)
			return cell_error(w, err, i, row, s, len, bad);
		if (xmlTextWriterStartElement(w->x, (const xmlChar *)r->qname) < 0 ||
		    xmlTextWriterStartElement(w->x, (const xmlChar *)"rdf:Description") < 0 ||
		    xmlTextWriterWriteAttribute(w->x, (const xmlChar *)"rdf:about",
						(const xmlChar *)w->val.p) < 0)
			return xml_fail(err);
		if (write_types(w, c->value_type, err) != 0)
			return -1;
		if (label) {
			w->text.len = 0;
			if (sb_add(&w->text, s, len) != 0)
				return oom(err);
			if (write_literal(w, "rdfs:label", w->text.p, NULL, c->lang) != 0)
				return xml_fail(err);
		}
		return xmlTextWriterEndElement(w->x) < 0 || xmlTextWriterEndElement(w->x) < 0
			   ? xml_fail(err)
			   : 0;
	}
	long bad = kp_write_rdf_bad_char(s, len);
	if (bad >= 0)
		return cell_error(w, err, i, row, s, len, bad);
	w->text.len = 0;
	if (sb_add(&w->text, s, len) != 0)
		return oom(err);
	const char *dt = kp_writer_xsd(c->kind, s, len);
	return write_literal(w, r->qname, w->text.p, dt,
			     c->kind == KP_WK_STRING ? c->lang : NULL) == 0
		   ? 0
		   : xml_fail(err);
}

static int rdf_row(kp_writer *base, const kp_wcell *cells, long row, kp_diag *err)
{
	quiet_libxml();
	rdf_writer *w = (rdf_writer *)base;
	const kp_wtable *t = w->t;
	for (size_t g = 0; g < w->ngroups; g++) {
		if (w->groups[g].n) {
			int rc = tmpl_expand(&w->groups[g], &w->subj, cells, row, -2, NULL, 0);
			if (rc < 0)
				return oom(err);
			if (rc == 0)
				continue; /* no key, no subject */
		} else if (g > 0) {
			continue;
		}
		if (xmlTextWriterStartElement(w->x, (const xmlChar *)"rdf:Description") < 0)
			return xml_fail(err);
		if (w->groups[g].n &&
		    xmlTextWriterWriteAttribute(w->x, (const xmlChar *)"rdf:about",
						(const xmlChar *)w->subj.p) < 0)
			return xml_fail(err);
		if (g == 0 && t->row_type && write_types(w, t->row_type, err) != 0)
			return -1;
		for (size_t i = 0; i < t->ncols; i++)
			if (w->cols[i].group == g && t->cols[i].value_type &&
			    !t->cols[i].value_url &&
			    write_types(w, t->cols[i].value_type, err) != 0)
				return -1;
		for (size_t i = 0; i < t->ncols; i++) {
			const kp_wcol *c = &t->cols[i];
			const kp_wcell *cell = &cells[i];
			if (w->cols[i].group != g || !w->cols[i].qname)
				continue;
			int rc = 0;
			if (c->is_virtual) {
				rc = write_value(w, i, cells, row, "", 0, err);
			} else if (cell->null) {
				continue;
			} else if (c->separator) {
				size_t pos = 0, ilen;
				const char *item;
				while (rc == 0 &&
				       kp_writer_next_item(cell, c->separator, &pos, &item, &ilen))
					rc = write_value(w, i, cells, row, item, ilen, err);
			} else {
				rc = write_value(w, i, cells, row, cell->s, cell->len, err);
			}
			if (rc != 0)
				return -1;
		}
		if (xmlTextWriterEndElement(w->x) < 0)
			return xml_fail(err);
	}
	return 0;
}

static int rdf_finish(kp_writer *base, kp_diag *err)
{
	quiet_libxml();
	rdf_writer *w = (rdf_writer *)base;
	table_release(w);
	w->t = NULL;
	return xmlTextWriterFlush(w->x) < 0 ? xml_fail(err) : 0;
}

static int rdf_close(kp_writer *base, kp_diag *err)
{
	quiet_libxml();
	rdf_writer *w = (rdf_writer *)base;
	if (!w)
		return 0;
	int rc = xmlTextWriterEndDocument(w->x) < 0 || xmlTextWriterFlush(w->x) < 0 ? -1 : 0;
	xmlFreeTextWriter(w->x);
	w->x = NULL;
	if (rc == 0 && (w->to != w->fp || fflush(w->fp) != 0 || ferror(w->fp)))
		rc = -1;
	rdf_free(w);
	return rc == 0 ? 0 : xml_fail(err);
}

const kp_writer_ops kp_write_rdf_ops = {
    .format = "rdf",
    .extension = "rdf",
    .mediatype = "application/rdf+xml",
    .open = rdf_open,
    .start = rdf_start,
    .row = rdf_row,
    .finish = rdf_finish,
    .close = rdf_close,
};

/* ---- node API for catalog.c ---- */

static rdf_writer *as_rdf(kp_writer *base)
{
	return base && base->ops == &kp_write_rdf_ops ? (rdf_writer *)base : NULL;
}

int kp_write_rdf_divert(kp_writer *base, FILE *fp, kp_diag *err)
{
	quiet_libxml();
	rdf_writer *w = as_rdf(base);
	if (!w || w->t || w->depth)
		return xml_fail(err);
	if (xmlTextWriterFlush(w->x) < 0 || fflush(w->to) != 0 || ferror(w->to))
		return xml_fail(err);
	w->to = fp ? fp : w->fp;
	return 0;
}

int kp_write_rdf_node_start(kp_writer *base, const char *type, const char *about, kp_diag *err)
{
	quiet_libxml();
	rdf_writer *w = as_rdf(base);
	if (!w)
		return xml_fail(err);
	char *q = type ? name_of(w, type, 0, err) : NULL;
	if (type && !q)
		return -1;
	int rc = xmlTextWriterStartElement(w->x, (const xmlChar *)(q ? q : "rdf:Description"));
	free(q);
	if (rc < 0)
		return xml_fail(err);
	if (about) {
		long bad = kp_write_rdf_bad_char(about, strlen(about));
		if (bad >= 0) {
			kp_diag_set(err, KP_SEV_ERROR, "xml-char",
				    "IRI \"%s\" holds a character XML 1.0 cannot carry", about);
			return -1;
		}
		char *full = kp_write_rdf_expand(base, about);
		int bad_write =
		    !full || xmlTextWriterWriteAttribute(w->x, (const xmlChar *)"rdf:about",
							 (const xmlChar *)full) < 0;
		free(full);
		if (bad_write)
			return xml_fail(err);
	}
	w->depth++;
	return 0;
}

static int end_element(rdf_writer *w, kp_diag *err)
{
	if (!w || w->depth <= 0)
		return xml_fail(err);
	w->depth--;
	return xmlTextWriterEndElement(w->x) < 0 ? xml_fail(err) : 0;
}

int kp_write_rdf_node_end(kp_writer *base, kp_diag *err)
{
	return end_element(as_rdf(base), err);
}

int kp_write_rdf_prop_end(kp_writer *base, kp_diag *err)
{
	return end_element(as_rdf(base), err);
}

int kp_write_rdf_prop_start(kp_writer *base, const char *prop, kp_diag *err)
{
	rdf_writer *w = as_rdf(base);
	if (!w)
		return xml_fail(err);
	char *q = name_of(w, prop, 0, err);
	if (!q)
		return -1;
	int rc = xmlTextWriterStartElement(w->x, (const xmlChar *)q);
	free(q);
	if (rc < 0)
		return xml_fail(err);
	w->depth++;
	return 0;
}

int kp_write_rdf_literal(kp_writer *base, const char *prop, const char *text, const char *datatype,
			 const char *lang, kp_diag *err)
{
	rdf_writer *w = as_rdf(base);
	if (!w)
		return xml_fail(err);
	long bad = kp_write_rdf_bad_char(text, strlen(text));
	if (bad >= 0) {
		long at = 1; /* people count characters, not bytes */
		for (long i = 0; i < bad; i++)
			at += ((unsigned char)text[i] & 0xC0) != 0x80;
		kp_diag_set(err, KP_SEV_ERROR, "xml-char",
			    "value of \"%s\" holds a character XML 1.0 cannot carry at character %ld",
			    prop, at);
		kp_diag_set_cell(err, text, strlen(text));
		return -1;
	}
	char *q = name_of(w, prop, 0, err);
	if (!q)
		return -1;
	char *dt = datatype ? kp_write_rdf_expand(base, datatype) : NULL;
	int rc = datatype && !dt ? -1 : write_literal(w, q, text, dt, lang);
	free(q);
	free(dt);
	return rc == 0 ? 0 : xml_fail(err);
}

int kp_write_rdf_ref(kp_writer *base, const char *prop, const char *iri, kp_diag *err)
{
	rdf_writer *w = as_rdf(base);
	if (!w)
		return xml_fail(err);
	if (kp_write_rdf_bad_char(iri, strlen(iri)) >= 0) {
		kp_diag_set(err, KP_SEV_ERROR, "xml-char",
			    "IRI \"%s\" holds a character XML 1.0 cannot carry", iri);
		return -1;
	}
	char *q = name_of(w, prop, 0, err);
	if (!q)
		return -1;
	char *full = kp_write_rdf_expand(base, iri);
	int rc = full ? write_ref(w, q, full) : -1;
	free(q);
	free(full);
	return rc == 0 ? 0 : xml_fail(err);
}
