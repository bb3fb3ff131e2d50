/* relink — see relink.h. */
#include "relink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"

/* An attribute value longer than this is copied as it is: no link is that long. */
#define MAX_VALUE (64 * 1024)

void kp_relink_init(kp_relink *m)
{
	memset(m, 0, sizeof *m);
}

void kp_relink_release(kp_relink *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].from);
		free(m->v[i].to);
	}
	free(m->v);
	for (size_t i = 0; i < m->nd; i++) {
		free(m->d[i].about);
		free(m->d[i].issued);
		free(m->d[i].modified);
	}
	free(m->d);
	memset(m, 0, sizeof *m);
}

/* XML attribute escaping, as libxml2 writes attribute values. */
static char *escape(const char *s)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += strchr("&<>\"", *p) ? 6 : 1;
	char *o = malloc(n), *q = o;
	if (!o)
		return NULL;
	for (; *s; s++) {
		const char *e = *s == '&'   ? "&amp;"
				: *s == '<' ? "&lt;"
				: *s == '>' ? "&gt;"
				: *s == '"' ? "&quot;"
					    : NULL;
		if (e)
			q += sprintf(q, "%s", e);
		else
			*q++ = *s;
	}
	*q = '\0';
	return o;
}

int kp_relink_add(kp_relink *m, const char *from, const char *to)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].from, from))
			return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		kp_relink_pair *v = realloc(m->v, cap * sizeof *v);
		if (!v)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	char *f = strdup(from), *t = escape(to);
	if (!f || !t) {
		free(f);
		free(t);
		return -1;
	}
	m->v[m->n++] = (kp_relink_pair){f, t};
	return 0;
}

int kp_relink_add_dates(kp_relink *m, const char *about, const char *issued, const char *modified)
{
	if (m->nd == m->dcap) {
		size_t cap = m->dcap ? 2 * m->dcap : 16;
		kp_relink_dates *d = realloc(m->d, cap * sizeof *d);
		if (!d)
			return -1;
		m->d = d;
		m->dcap = cap;
	}
	kp_relink_dates *d = &m->d[m->nd];
	d->about = strdup(about);
	d->issued = issued ? escape(issued) : NULL;
	d->modified = modified ? escape(modified) : NULL;
	if (!d->about || (issued && !d->issued) || (modified && !d->modified)) {
		free(d->about);
		free(d->issued);
		free(d->modified);
		return -1;
	}
	m->nd++;
	return 0;
}

/* Decodes the five predefined entities and character references in place; a value
 * with anything else after '&' is left undecoded (it then matches nothing). */
static int unescape(char *s, size_t *len)
{
	size_t r = 0, w = 0, n = *len;
	while (r < n) {
		if (s[r] != '&') {
			s[w++] = s[r++];
			continue;
		}
		const char *semi = memchr(s + r, ';', n - r);
		if (!semi)
			return -1;
		size_t el = (size_t)(semi - (s + r)) + 1;
		static const struct {
			const char *ent;
			char c;
		} ents[] = {{"&amp;", '&'},
			    {"&lt;", '<'},
			    {"&gt;", '>'},
			    {"&quot;", '"'},
			    {"&apos;", '\''}};
		int done = 0;
		for (size_t i = 0; i < sizeof ents / sizeof ents[0] && !done; i++)
			if (el == strlen(ents[i].ent) && !memcmp(s + r, ents[i].ent, el)) {
				s[w++] = ents[i].c;
				done = 1;
			}
		if (!done && el > 3 && s[r + 1] == '#') {
			int hex = s[r + 2] == 'x';
			char *end;
			unsigned long cp = strtoul(s + r + 2 + hex, &end, hex ? 16 : 10);
			if (end != semi || cp == 0 || cp > 0x10FFFF)
				return -1;
			char u[5];
			size_t ul = kp_text_utf8_encode((uint32_t)cp, u);
			memcpy(s + w, u, ul);
			w += ul;
			/* a reference is at least 4 bytes long, its UTF-8 at most 4 */
			done = 1;
		}
		if (!done)
			return -1;
		r += el;
	}
	s[w] = '\0';
	*len = w;
	return 0;
}

/* raw[0..len) decoded (NUL-terminated, the caller frees), or NULL when it holds an
 * entity other than XML's five and character references, or without memory. */
static char *decoded(const char *raw, size_t len)
{
	char *dec = malloc(len + 1);
	if (!dec)
		return NULL;
	memcpy(dec, raw, len);
	dec[len] = '\0';
	if (unescape(dec, &len) == 0)
		return dec;
	free(dec);
	return NULL;
}

/* The pair's replacement for a decoded value (NULL: none, or no value). */
static const char *lookup(const kp_relink *m, const char *dec)
{
	for (size_t i = 0; dec && i < m->n; i++)
		if (!strcmp(m->v[i].from, dec))
			return m->v[i].to;
	return NULL;
}

/* The dates set for the node whose decoded rdf:about is dec, or NULL. */
static const kp_relink_dates *dates_of(const kp_relink *m, const char *dec)
{
	for (size_t i = 0; dec && i < m->nd; i++)
		if (!strcmp(m->d[i].about, dec))
			return &m->d[i];
	return NULL;
}

/* Ends with " rdf:about=" or " rdf:resource=" (any white space before the name)? */
static int link_attr(const char *tail, size_t n)
{
	static const char *const names[] = {"rdf:about=", "rdf:resource="};
	for (size_t i = 0; i < 2; i++) {
		size_t k = strlen(names[i]);
		if (n > k && !memcmp(tail + n - k, names[i], k) &&
		    strchr(" \t\r\n", tail[n - k - 1]))
			return 1;
	}
	return 0;
}

enum state { S_TEXT, S_TAG, S_OTHER_VALUE, S_LINK_VALUE, S_DATE };

int kp_relink_file(const kp_relink *m, const char *src, char **out_path, size_t *replaced,
		   kp_diag *err)
{
	*out_path = NULL;
	*replaced = 0;
	const char *tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	size_t pl = strlen(tmpdir) + sizeof "/kplan-relink-XXXXXX.rdf";
	char *path = malloc(pl);
	char *val = malloc(MAX_VALUE);
	FILE *in = fopen(src, "rb"), *out = NULL;
	int fd = -1, rc = -1;
	if (!path || !val) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "out of memory");
		goto done;
	}
	if (!in) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot open '%s': %s", src,
			    strerror(errno));
		goto done;
	}
	snprintf(path, pl, "%s/kplan-relink-XXXXXX.rdf", tmpdir);
	fd = mkstemps(path, 4);
	if (fd < 0 || !(out = fdopen(fd, "wb"))) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot create a temporary file: %s",
			    strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		goto done;
	}
	enum state s = S_TEXT;
	char tail[16]; /* the tag's last bytes, for the attribute name */
	char name[32]; /* the tag's name ("dct:modified", "/dcat:Distribution") */
	size_t tn = 0, vn = 0, nn = 0;
	int in_name = 0;
	char quote = '"';
	const kp_relink_dates *node = NULL; /* the distribution being copied */
	const char *date = NULL;	    /* the text replacing the element's */
	int c;
	while ((c = getc(in)) != EOF) {
		switch (s) {
		case S_TEXT:
			if (c == '<') {
				s = S_TAG;
				tn = nn = 0;
				in_name = 1;
			}
			putc(c, out);
			break;
		case S_TAG:
			if (in_name && (strchr(" \t\r\n>", c) || (c == '/' && nn))) {
				in_name = 0;
				name[nn] = '\0';
				if (!strcmp(name, "/dcat:Distribution"))
					node = NULL;
			} else if (in_name && nn + 1 < sizeof name) {
				name[nn++] = (char)c;
			}
			if (c == '"' || c == '\'') {
				quote = (char)c;
				s = link_attr(tail, tn) ? S_LINK_VALUE : S_OTHER_VALUE;
				vn = 0;
			} else if (c == '>') {
				s = S_TEXT;
				date = NULL;
				int empty = tn && tail[tn - 1] == '/';
				if (node && !empty && !strcmp(name, "dct:issued"))
					date = node->issued;
				else if (node && !empty && !strcmp(name, "dct:modified"))
					date = node->modified;
				if (date) {
					putc(c, out);
					fputs(date, out);
					++*replaced;
					s = S_DATE;
					break;
				}
			} else {
				if (tn == sizeof tail)
					memmove(tail, tail + 1, --tn);
				tail[tn++] = (char)c;
			}
			putc(c, out);
			break;
		case S_DATE: /* the element's own text, replaced: dropped up to its end tag */
			if (c == '<') {
				putc(c, out);
				s = S_TAG;
				tn = nn = 0;
				in_name = 1;
			}
			break;
		case S_OTHER_VALUE:
			if (c == quote) {
				s = S_TAG;
				tn = 0;
			}
			putc(c, out);
			break;
		case S_LINK_VALUE:
			if (c != quote && vn < MAX_VALUE) {
				val[vn++] = (char)c;
				break;
			}
			if (c != quote) { /* too long to be a link: copy it */
				fwrite(val, 1, vn, out);
				putc(c, out);
				s = S_OTHER_VALUE;
				break;
			}
			{
				char *dec = decoded(val, vn);
				if (!strcmp(name, "dcat:Distribution") ||
				    !strcmp(name, "dcat:Dataset")) {
					const kp_relink_dates *d = dates_of(m, dec);
					if (d)
						node = d;
				}
				const char *to = lookup(m, dec);
				free(dec);
				if (to) {
					fputs(to, out);
					++*replaced;
				} else {
					fwrite(val, 1, vn, out);
				}
			}
			putc(c, out);
			s = S_TAG;
			tn = 0;
			break;
		}
	}
	if (s == S_LINK_VALUE)
		fwrite(val, 1, vn, out);
	if (ferror(in)) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot read '%s': %s", src,
			    strerror(errno));
	} else if (fflush(out) || ferror(out) || fsync(fileno(out))) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write \"%s\": %s", path,
			    strerror(errno));
	} else {
		rc = 0;
	}
	if (fclose(out) && rc == 0) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot write \"%s\": %s", path,
			    strerror(errno));
		rc = -1;
	}
	if (rc == 0) {
		*out_path = path;
		path = NULL;
	} else {
		unlink(path);
	}
done:
	if (in)
		fclose(in);
	free(path);
	free(val);
	return rc;
}
