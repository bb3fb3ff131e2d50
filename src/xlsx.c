/* xlsx — see xlsx.h.  The package (ECMA-376 part 2) is read part by part:
 *   _rels/.rels → the workbook part → its rels (sheets, shared strings, styles)
 *   → each sheet part, and after its rows the sheet's rels (drawings, comments).
 * Element names are matched by local name: namespaces differ between writers
 * (a default namespace, an x: prefix, ISO strict). */
#include "i18n.h"
#include "xlsx.h"
#include "xlsx_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>


#include "files.h"

#define PATH_MAX_LEN 1024
#define MAX_SHEETS 4096

/* ------------------------------------------------------------------------------------ */
/* Small helpers */

/* snprintf for messages (translated) and for other text cut at the buffer's end */
void xl_say(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, size, _(fmt), ap);
	va_end(ap);
}

void xl_fmt(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}


void kp_xlsx_cell_name(long column, long row, char *buf, size_t size)
{
	char letters[8];
	size_t n = 0;
	if (column <= 0) {
		xl_fmt(buf, size, "%ld:%ld", row, row);
		return;
	}
	for (long c = column; c > 0 && n < sizeof letters; c = (c - 1) / 26)
		letters[n++] = (char)('A' + (c - 1) % 26);
	size_t k = 0;
	while (n && k + 1 < size)
		buf[k++] = letters[--n];
	if (row > 0)
		xl_fmt(buf + k, size - k, "%ld", row);
	else if (k < size)
		buf[k] = '\0';
}

void xl_column_name(long column, char *buf, size_t size)
{
	kp_xlsx_cell_name(column, 0, buf, size);
}

/* "B7" → column 2, row 7.  Returns 0, or -1 when it is not a reference inside XFD1048576. */
int xl_parse_ref(const char *s, long *col, long *row)
{
	long c = 0, r = 0;
	size_t i = 0;
	while (isalpha((unsigned char)s[i]) && i < 4)
		c = c * 26 + (toupper((unsigned char)s[i++]) - 'A' + 1);
	if (i == 0 || i > 3 || c > KP_XLSX_MAX_COLS)
		return -1;
	size_t j = i;
	while (isdigit((unsigned char)s[j]) && j - i < 8)
		r = r * 10 + (s[j++] - '0');
	if (s[j] || (j > i && (r < 1 || r > KP_XLSX_MAX_ROWS)))
		return -1;
	*col = c;
	*row = j > i ? r : 0;
	return 0;
}

static int ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}


int xl_buf_add(xl_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int xl_grow(void *array, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 16;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return -1;
		n *= 2;
	}
	void *old, *p;
	memcpy(&old, array, sizeof old);
	if (!(p = realloc(old, n * size)))
		return -1;
	memcpy(array, &p, sizeof p);
	*cap = n;
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* The workbook */




/* ------------------------------------------------------------------------------------ */
/* Parts: a zip entry read through the limits, parsed by xmlReader */


int xl_part_read(void *ctx, char *out, int len)
{
	xl_part *p = ctx;
	if (p->over)
		return -1;
	zip_int64_t n = zip_fread(p->zf, out, (zip_uint64_t)len);
	if (n < 0) {
		zip_error_t *ze = zip_file_get_error(p->zf);
		p->over = 2;
		xl_say(p->why, sizeof p->why, "the part '%s' cannot be read (%s)", p->name,
			 zip_error_strerror(ze));
		return -1;
	}
	p->read += (unsigned long long)n;
	p->x->inflated += (unsigned long long)n;
	if (p->read > p->limit) {
		p->over = 1;
		xl_say(p->why, sizeof p->why,
			 "the part '%s' inflates past %llu MiB (a zip bomb, or a sheet too large "
			 "to check)",
			 p->name, p->limit >> 20);
		return -1;
	}
	if (p->x->inflated > p->x->lim.total_bytes) {
		p->over = 1;
		xl_say(p->why, sizeof p->why,
			 "the workbook inflates past %llu MiB in all (a zip bomb?)",
			 p->x->lim.total_bytes >> 20);
		return -1;
	}
	return (int)n;
}

static void xl_part_error(void *ctx, xmlErrorPtr e)
{
	xl_part *p = ctx;
	if (!p->xml_error[0] && e && e->message) {
		xl_say(p->xml_error, sizeof p->xml_error, "line %d: %s", e->line, e->message);
		size_t n = strlen(p->xml_error);
		while (n && (p->xml_error[n - 1] == '\n' || p->xml_error[n - 1] == ' '))
			p->xml_error[--n] = '\0';
	}
}

/* Opens the entry `name` (NOCASE: part names are case-insensitive in OPC).  Returns 1,
 * 0 when the package has no such entry, -1 with why set (a ratio or size over a limit,
 * a zip error). */
int xl_part_open_raw(kp_xlsx *x, const char *name, xl_part *p)
{
	memset(p, 0, sizeof *p);
	p->x = x;
	p->name = name;
	p->limit = x->lim.part_bytes;
	zip_int64_t idx = zip_name_locate(x->za, name, ZIP_FL_NOCASE);
	if (idx < 0)
		return 0;
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(x->za, (zip_uint64_t)idx, 0, &st) == 0 &&
	    (st.valid & (ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE)) ==
		(ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE)) {
		if (st.size > p->limit) {
			xl_say(p->why, sizeof p->why,
				 "the part '%s' is %llu MiB inflated, over the limit of %llu MiB",
				 name, (unsigned long long)(st.size >> 20), p->limit >> 20);
			return -1;
		}
		if (st.size > (1u << 20) && st.size / (st.comp_size ? st.comp_size : 1) > x->lim.ratio) {
			xl_say(p->why, sizeof p->why,
				 "the part '%s' inflates %llu times (%llu bytes to %llu): a zip "
				 "bomb, refused",
				 name, (unsigned long long)(st.size / (st.comp_size ? st.comp_size : 1)),
				 (unsigned long long)st.comp_size, (unsigned long long)st.size);
			return -1;
		}
	}
	p->zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0);
	if (!p->zf) {
		xl_say(p->why, sizeof p->why, "the part '%s' cannot be read (%s)", name,
			 zip_strerror(x->za));
		return -1;
	}
	return 1;
}

int xl_part_open(kp_xlsx *x, const char *name, xl_part *p)
{
	int rc = xl_part_open_raw(x, name, p);
	if (rc <= 0)
		return rc;
	/* no entity substitution (no XML_PARSE_NOENT), no DTD loading, no network */
	p->xr = xmlReaderForIO(xl_part_read, NULL, p, NULL, NULL,
			       XML_PARSE_NONET | XML_PARSE_COMPACT | XML_PARSE_NOERROR |
				   XML_PARSE_NOWARNING);
	if (!p->xr) {
		zip_fclose(p->zf);
		p->zf = NULL;
		xl_say(p->why, sizeof p->why, "out of memory");
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(p->xr, xl_part_error, p);
	return 1;
}

void xl_part_close(xl_part *p)
{
	if (p->xr)
		xmlFreeTextReader(p->xr);
	if (p->zf)
		zip_fclose(p->zf);
	p->xr = NULL;
	p->zf = NULL;
}

/* The next node: 1, 0 at the end, -1 on an error (why set).  A DOCTYPE is refused:
 * SpreadsheetML never has one, and it is where entity bombs and external entities live. */
int xl_part_next(xl_part *p)
{
	int rc = xmlTextReaderRead(p->xr);
	if (rc == 1) {
		int t = xmlTextReaderNodeType(p->xr);
		if (t == XML_READER_TYPE_DOCUMENT_TYPE || t == XML_READER_TYPE_ENTITY_REFERENCE ||
		    t == XML_READER_TYPE_ENTITY) {
			xl_say(p->why, sizeof p->why,
				 "the part '%s' declares a DOCTYPE or entities, which no workbook "
				 "does: refused, nothing in it was expanded or loaded",
				 p->name);
			p->over = 1;
			return -1;
		}
		return 1;
	}
	if (rc == 0)
		return 0;
	if (!p->why[0])
		xl_say(p->why, sizeof p->why, "the part '%s' is not well-formed XML%s%s",
			 p->name, p->xml_error[0] ? " (" : "", p->xml_error);
	if (p->xml_error[0] && !p->over) {
		size_t n = strlen(p->why);
		if (n + 1 < sizeof p->why && p->why[n - 1] != ')')
			xl_fmt(p->why + n, sizeof p->why - n, ")");
	}
	return -1;
}

const char *xl_local(xl_part *p)
{
	const xmlChar *n = xmlTextReaderConstLocalName(p->xr);
	return n ? (const char *)n : "";
}

int xl_is_start(xl_part *p)
{
	return xmlTextReaderNodeType(p->xr) == XML_READER_TYPE_ELEMENT;
}

int xl_is_end(xl_part *p)
{
	return xmlTextReaderNodeType(p->xr) == XML_READER_TYPE_END_ELEMENT;
}

int xl_is_text(xl_part *p)
{
	int t = xmlTextReaderNodeType(p->xr);
	return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
	       t == XML_READER_TYPE_WHITESPACE || t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* The value of the current element's attribute with local name `name`, or NULL; valid
 * until the next part_next. */
const char *xl_attr(xl_part *p, const char *name)
{
	const char *v = NULL;
	if (xmlTextReaderMoveToFirstAttribute(p->xr) != 1)
		return NULL;
	do {
		const xmlChar *ln = xmlTextReaderConstLocalName(p->xr);
		if (ln && strcmp((const char *)ln, name) == 0) {
			v = (const char *)xmlTextReaderConstValue(p->xr);
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(p->xr) == 1);
	xmlTextReaderMoveToElement(p->xr);
	return v;
}

int xl_attr_true(xl_part *p, const char *name)
{
	const char *v = xl_attr(p, name);
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

/* ------------------------------------------------------------------------------------ */
/* Relationships */



void xl_rels_free(xl_rels *r)
{
	for (size_t i = 0; i < r->len; i++) {
		free(r->items[i].id);
		free(r->items[i].type);
		free(r->items[i].target);
	}
	free(r->items);
	memset(r, 0, sizeof *r);
}

/* Resolves target against the folder of the part `source` ("" for the package).  Returns
 * an owned part name, or NULL when it leaves the package (../ past the root). */
static char *resolve(const char *source, const char *target)
{
	char path[PATH_MAX_LEN];
	size_t n = 0;
	if (target[0] == '/') {
		target++;
	} else {
		const char *slash = strrchr(source, '/');
		if (slash) {
			n = (size_t)(slash - source) + 1;
			if (n >= sizeof path)
				return NULL;
			memcpy(path, source, n);
		}
	}
	if (n + strlen(target) >= sizeof path)
		return NULL;
	strcpy(path + n, target);
	/* normalise "." and ".." */
	char out[PATH_MAX_LEN];
	size_t o = 0;
	const char *s = path;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* skip */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			if (o == 0)
				return NULL;
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			if (o)
				out[o++] = '/';
			memcpy(out + o, s, len);
			o += len;
		}
		s += len + (e ? 1 : 0);
	}
	out[o] = '\0';
	return o ? strdup(out) : NULL;
}

/* The rels part of `source` ("xl/workbook.xml" → "xl/_rels/workbook.xml.rels"). */
static void xl_rels_name(const char *source, char *out, size_t size)
{
	const char *slash = strrchr(source, '/');
	if (slash)
		xl_fmt(out, size, "%.*s_rels/%s.rels", (int)(slash - source + 1), source, slash + 1);
	else
		xl_fmt(out, size, "_rels/%s.rels", source);
}

/* Opens a part for reading; a failure's reason goes to why.  As xl_part_open. */
static int open_part(kp_xlsx *x, const char *name, xl_part *p, char *why, size_t whysize)
{
	int rc = xl_part_open(x, name, p);
	if (rc < 0)
		xl_say(why, whysize, "%s", p->why);
	return rc;
}

/* Reads the relationships of `source`.  Returns 0 (none is fine), -1 with why. */
int xl_rels_read(kp_xlsx *x, const char *source, xl_rels *out, char *why, size_t whysize)
{
	char name[PATH_MAX_LEN + 16];
	memset(out, 0, sizeof *out);
	if (source[0])
		xl_rels_name(source, name, sizeof name);
	else
		xl_fmt(name, sizeof name, "_rels/.rels");
	xl_part p;
	int rc = open_part(x, name, &p, why, whysize);
	if (rc <= 0)
		return rc;
	size_t cap = 0;
	while ((rc = xl_part_next(&p)) == 1) {
		if (!xl_is_start(&p) || strcmp(xl_local(&p), "Relationship") != 0)
			continue;
		const char *id = xl_attr(&p, "Id"), *type = xl_attr(&p, "Type");
		const char *target = xl_attr(&p, "Target"), *mode = xl_attr(&p, "TargetMode");
		if (!id || !type || !target)
			continue;
		if (out->len == cap) {
			cap = cap ? cap * 2 : 8;
			if (cap > 100000) {
				rc = -1;
				xl_say(p.why, sizeof p.why, "'%s' holds too many relationships", name);
				break;
			}
			xl_rel *items = realloc(out->items, cap * sizeof *items);
			if (!items) {
				rc = -1;
				xl_say(p.why, sizeof p.why, "out of memory");
				break;
			}
			out->items = items;
		}
		const char *slash = strrchr(type, '/');
		xl_rel *r = &out->items[out->len++];
		r->id = strdup(id);
		r->type = strdup(slash ? slash + 1 : type);
		r->target = mode && strcmp(mode, "External") == 0 ? NULL : resolve(source, target);
		if (!r->id || !r->type) {
			rc = -1;
			xl_say(p.why, sizeof p.why, "out of memory");
			break;
		}
	}
	if (rc < 0)
		xl_say(why, whysize, "%s", p.why);
	xl_part_close(&p);
	return rc < 0 ? -1 : 0;
}

const xl_rel *xl_rels_by_id(const xl_rels *r, const char *id)
{
	for (size_t i = 0; i < r->len; i++)
		if (strcmp(r->items[i].id, id) == 0)
			return &r->items[i];
	return NULL;
}

const xl_rel *xl_rels_by_type(const xl_rels *r, const char *type)
{
	for (size_t i = 0; i < r->len; i++)
		if (strcmp(r->items[i].type, type) == 0 && r->items[i].target)
			return &r->items[i];
	return NULL;
}

/* ------------------------------------------------------------------------------------ */
/* Shared strings: <si> items; text of <t> outside <rPh> (furigana) and <phoneticPr> */

static int read_strings(kp_xlsx *x, const char *name, char *why, size_t whysize)
{
	xl_part p;
	int rc = open_part(x, name, &p, why, whysize);
	if (rc <= 0)
		return rc;
	xl_buf text = {0};
	size_t cap = 0;
	int in_si = 0, in_t = 0, skip = 0;
	while ((rc = xl_part_next(&p)) == 1) {
		if (xl_is_start(&p)) {
			const char *n = xl_local(&p);
			int empty = xmlTextReaderIsEmptyElement(p.xr);
			if (strcmp(n, "si") == 0) {
				in_si = 1;
				if (xl_grow(&x->string_at, &cap, x->nstrings + 1, sizeof *x->string_at) != 0)
					goto oom;
				x->string_at[x->nstrings++] = text.len;
				if (empty) {
					in_si = 0;
					if (xl_buf_add(&text, "", 1) != 0)
						goto oom;
				}
			} else if (strcmp(n, "rPh") == 0 || strcmp(n, "phoneticPr") == 0) {
				if (!empty)
					skip++;
			} else if (strcmp(n, "t") == 0 && in_si && !empty) {
				in_t = 1;
			}
		} else if (xl_is_end(&p)) {
			const char *n = xl_local(&p);
			if (strcmp(n, "si") == 0 && in_si) {
				in_si = 0;
				if (xl_buf_add(&text, "", 1) != 0) /* the NUL that ends the string */
					goto oom;
			} else if (strcmp(n, "rPh") == 0 || strcmp(n, "phoneticPr") == 0) {
				if (skip)
					skip--;
			} else if (strcmp(n, "t") == 0) {
				in_t = 0;
			}
		} else if (in_t && !skip && xl_is_text(&p)) {
			const char *v = (const char *)xmlTextReaderConstValue(p.xr);
			if (v && xl_buf_add(&text, v, strlen(v)) != 0)
				goto oom;
			if (text.len > x->lim.string_bytes) {
				xl_say(why, whysize,
					 "the shared strings pass %zu MiB: too large to check",
					 x->lim.string_bytes >> 20);
				rc = -1;
				goto out;
			}
		}
	}
	if (rc < 0)
		xl_say(why, whysize, "%s", p.why);
	goto out;
oom:
	xl_say(why, whysize, "out of memory");
	rc = -1;
out:
	xl_part_close(&p);
	x->strings = text.p;
	if (!x->strings && x->nstrings == 0)
		x->strings = NULL;
	return rc < 0 ? -1 : 0;
}

const char *xl_string_at(const kp_xlsx *x, size_t i)
{
	if (i >= x->nstrings || !x->strings)
		return NULL;
	return x->strings + x->string_at[i];
}

/* ------------------------------------------------------------------------------------ */
/* Styles: number formats (is it a date?), fonts (bold, italic, colour), fills */

/* Built-in formats that are dates or times (ECMA-376 18.8.30, with the ja-JP ids). */
static unsigned char builtin_date(long id)
{
	static const struct {
		short from, to;
		unsigned char kind;
	} table[] = {
	    {14, 17, 1}, {18, 21, 2}, {22, 22, 3}, {27, 31, 1}, {32, 33, 2}, {34, 36, 1},
	    {45, 45, 2}, {47, 47, 2}, {50, 54, 1}, {55, 56, 2}, {57, 58, 1},
	};
	for (size_t i = 0; i < NELEM(table); i++)
		if (id >= table[i].from && id <= table[i].to)
			return table[i].kind;
	return 0;
}

/* A custom format's first section: a date if it has y, d, e or g, a time if h or s, outside
 * quotes, [..] (colours, locales; [h] elapsed time is a duration: not a date) and
 * escapes; m alone is a month. */
static unsigned char custom_date(const char *f)
{
	if (strcasecmp(f, "General") == 0 || strcmp(f, "@") == 0)
		return 0;
	int date = 0, time = 0, month = 0;
	for (const char *s = f; *s && *s != ';'; s++) {
		char c = (char)tolower((unsigned char)*s);
		if (*s == '"') {
			const char *e = strchr(s + 1, '"');
			if (!e)
				break;
			s = e;
		} else if (*s == '[') {
			const char *e = strchr(s, ']');
			if (!e)
				break;
			if (s[1] == 'h' || s[1] == 'H' || s[1] == 'm' || s[1] == 'M' || s[1] == 's' ||
			    s[1] == 'S')
				return 0; /* elapsed time */
			s = e;
		} else if (*s == '\\' || *s == '_' || *s == '*') {
			if (!s[1])
				break;
			s++;
		} else if (c == 'e' && (s[1] == '+' || s[1] == '-')) {
			return 0; /* scientific */
		} else if (c == 'y' || c == 'd' || c == 'g' || c == 'e') {
			date = 1;
		} else if (c == 'h' || c == 's') {
			time = 1;
		} else if (c == 'm') {
			month = 1;
		} else if (c == '0' || c == '#' || c == '?') {
			if (!date && !time)
				return 0; /* a number format with a letter in a literal */
		}
	}
	if (month && !time)
		date = 1;
	return (unsigned char)(date && time ? 3 : date ? 1 : time ? 2 : 0);
}

/* A colour's key: 0 for none and for the defaults (black text, white or no fill). */
static uint64_t colour_key(xl_part *p, int fill)
{
	const char *rgb = xl_attr(p, "rgb"), *theme = xl_attr(p, "theme"), *indexed = xl_attr(p, "indexed");
	if (rgb) {
		unsigned long v = strtoul(rgb, NULL, 16) & 0xFFFFFFul;
		unsigned long a = strlen(rgb) == 8 ? strtoul(rgb, NULL, 16) >> 24 : 0xFF;
		if (!fill && v == 0)
			return 0;
		if (fill && (v == 0xFFFFFF || (v == 0 && a == 0)))
			return 0;
		return (1ull << 32) | v;
	}
	if (theme) {
		long t = strtol(theme, NULL, 10);
		if (!fill && t == 1) /* dk1: the text colour */
			return 0;
		if (fill && t == 0) /* lt1: the background */
			return 0;
		return (2ull << 32) | (uint64_t)(t & 0xFFFF);
	}
	if (indexed) {
		long i = strtol(indexed, NULL, 10);
		if ((!fill && (i == 8 || i == 64)) || (fill && (i == 9 || i == 64 || i == 65)))
			return 0; /* system foreground / background */
		return (3ull << 32) | (uint64_t)(i & 0xFFFF);
	}
	return 0;
}

typedef struct font {
	unsigned char bold, italic;
	uint64_t colour;
} font;

static int read_styles(kp_xlsx *x, const char *name, char *why, size_t whysize)
{
	xl_part p;
	int rc = open_part(x, name, &p, why, whysize);
	if (rc <= 0)
		return rc;
	/* custom formats: id → date kind (ids are 164 and up, but any id may be redefined) */
	struct fmt {
		long id;
		unsigned char date;
	} *fmts = NULL;
	size_t nfmts = 0, cfmts = 0;
	font *fonts = NULL;
	size_t nfonts = 0, cfonts = 0;
	uint64_t *fills = NULL;
	size_t nfills = 0, cfills = 0;
	size_t cxfs = 0;
	enum { NONE, FONTS, FILLS, XFS } sect = NONE;
	int in_font = 0, in_fill = 0;
	while ((rc = xl_part_next(&p)) == 1) {
		const char *n = xl_local(&p);
		if (xl_is_end(&p)) {
			if (strcmp(n, "fonts") == 0 || strcmp(n, "fills") == 0 ||
			    strcmp(n, "cellXfs") == 0)
				sect = NONE;
			else if (strcmp(n, "font") == 0)
				in_font = 0;
			else if (strcmp(n, "fill") == 0)
				in_fill = 0;
			continue;
		}
		if (!xl_is_start(&p))
			continue;
		int empty = xmlTextReaderIsEmptyElement(p.xr);
		if (strcmp(n, "numFmt") == 0) {
			const char *id = xl_attr(&p, "numFmtId");
			const char *code = xl_attr(&p, "formatCode");
			if (!id || !code)
				continue;
			if (xl_grow(&fmts, &cfmts, nfmts + 1, sizeof *fmts) != 0)
				goto oom;
			fmts[nfmts].id = strtol(id, NULL, 10);
			fmts[nfmts++].date = custom_date(code);
		} else if (strcmp(n, "fonts") == 0 && !empty) {
			sect = FONTS;
		} else if (strcmp(n, "fills") == 0 && !empty) {
			sect = FILLS;
		} else if (strcmp(n, "cellXfs") == 0 && !empty) {
			sect = XFS;
		} else if (sect == FONTS && strcmp(n, "font") == 0) {
			if (xl_grow(&fonts, &cfonts, nfonts + 1, sizeof *fonts) != 0)
				goto oom;
			memset(&fonts[nfonts++], 0, sizeof *fonts);
			in_font = !empty;
		} else if (sect == FONTS && in_font && nfonts) {
			font *f = &fonts[nfonts - 1];
			const char *val = xl_attr(&p, "val");
			int on = !val || strcmp(val, "1") == 0 || strcmp(val, "true") == 0;
			if (strcmp(n, "b") == 0)
				f->bold = (unsigned char)on;
			else if (strcmp(n, "i") == 0)
				f->italic = (unsigned char)on;
			else if (strcmp(n, "color") == 0)
				f->colour = colour_key(&p, 0);
		} else if (sect == FILLS && strcmp(n, "fill") == 0) {
			if (xl_grow(&fills, &cfills, nfills + 1, sizeof *fills) != 0)
				goto oom;
			fills[nfills++] = 0;
			in_fill = !empty;
		} else if (sect == FILLS && in_fill && nfills && strcmp(n, "patternFill") == 0) {
			const char *pt = xl_attr(&p, "patternType");
			if (pt && strcmp(pt, "none") != 0 && strcmp(pt, "gray125") != 0)
				fills[nfills - 1] = 1; /* a pattern: its colour follows */
		} else if (sect == FILLS && in_fill && nfills && strcmp(n, "fgColor") == 0) {
			if (fills[nfills - 1] == 1)
				fills[nfills - 1] = colour_key(&p, 1) | (1ull << 40);
		} else if (sect == XFS && strcmp(n, "xf") == 0) {
			if (x->nxfs == cxfs) {
				cxfs = cxfs ? cxfs * 2 : 16;
				if (cxfs > (1u << 20))
					goto too_many;
				xf *v = realloc(x->xfs, cxfs * sizeof *v);
				if (!v)
					goto oom;
				x->xfs = v;
			}
			xf *v = &x->xfs[x->nxfs++];
			memset(v, 0, sizeof *v);
			const char *a = xl_attr(&p, "numFmtId");
			long id = a ? strtol(a, NULL, 10) : 0;
			v->date = builtin_date(id);
			for (size_t k = 0; k < nfmts; k++)
				if (fmts[k].id == id)
					v->date = fmts[k].date;
			a = xl_attr(&p, "fontId");
			size_t fi = a ? (size_t)strtoul(a, NULL, 10) : 0;
			if (fi < nfonts) {
				v->bold = fonts[fi].bold;
				v->italic = fonts[fi].italic;
				v->font = fonts[fi].colour;
			}
			a = xl_attr(&p, "fillId");
			size_t li = a ? (size_t)strtoul(a, NULL, 10) : 0;
			if (li < nfills)
				v->fill = fills[li] == 1 ? 0 : fills[li] & ~(1ull << 40);
		}
	}
	if (rc < 0)
		xl_say(why, whysize, "%s", p.why);
	goto out;
too_many:
	xl_say(why, whysize, "the styles hold over a million cell formats");
	rc = -1;
	goto out;
oom:
	xl_say(why, whysize, "out of memory");
	rc = -1;
out:
	free(fmts);
	free(fonts);
	free(fills);
	xl_part_close(&p);
	return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------------------ */
/* Opening */

void xl_set_error(kp_diag *err, const char *code, const char *file, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kp_diag_vset(err, KP_SEV_ERROR, code, fmt, ap);
	va_end(ap);
	if (err) {
		kp_diag_at(err, file, 0, 0, -1);
		if (strcmp(code, "file-format") == 0)
			err->rule = "L1-01";
	}
}

/* The first bytes of an OLE2 compound file (an .xls, or an encrypted workbook). */
static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

int kp_xlsx_sniff(const char *path)
{
	static const char *const names[] = {".xlsx", ".xlsm", ".xls", ".ods", ".xltx", ".xltm"};
	for (size_t i = 0; i < NELEM(names); i++)
		if (ends_with_nocase(path, names[i]))
			return 1;
	if (strcmp(path, "-") == 0)
		return 0;
	/* never blocks on a FIFO, never reads a device: those are csvread's to refuse */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	unsigned char b[8];
	ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, b, sizeof b) : 0;
	close(fd);
	if (n >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
		return 1;
	return n == 8 && memcmp(b, ole, 8) == 0;
}

/* An OLE2 (compound file): an .xls, or an encrypted OOXML workbook (its streams
 * EncryptionInfo and EncryptedPackage, named in UTF-16 in the directory). */
static int ole_is_encrypted(FILE *fp)
{
	static const char name[] = "E\0n\0c\0r\0y\0p\0t\0i\0o\0n\0I\0n\0f\0o\0";
	const size_t m = sizeof name - 1;
	char chunk[1 << 16];
	size_t keep = 0, total = 0;
	rewind(fp);
	for (;;) {
		size_t n = fread(chunk + keep, 1, sizeof chunk - keep, fp);
		if (n == 0)
			break;
		n += keep;
		for (size_t i = 0; i + m <= n; i++)
			if (chunk[i] == 'E' && memcmp(chunk + i, name, m) == 0)
				return 1;
		keep = m - 1 < n ? m - 1 : n;
		memmove(chunk, chunk + n - keep, keep);
		total += n;
		if (total > (64u << 20))
			break;
	}
	return 0;
}

/* What a file that is not a zip looks like, for the message. */
static void not_a_workbook(FILE *fp, const char *file, kp_diag *err)
{
	unsigned char b[8] = {0};
	rewind(fp);
	size_t n = fread(b, 1, sizeof b, fp);
	if (n == 8 && memcmp(b, ole, 8) == 0) {
		if (ole_is_encrypted(fp))
			xl_set_error(err, "file-format", file,
				  "the workbook is protected by a password (encrypted): a program "
				  "cannot read it; remove the password (Excel: ファイル → 情報 → "
				  "ブックの保護 → パスワードを使用して暗号化, empty) and publish it "
				  "again");
		else
			xl_set_error(err, "file-format", file,
				  "this is an Excel 97-2003 workbook (.xls): save it as an Excel "
				  "workbook (.xlsx) or as CSV UTF-8 (Excel: 名前を付けて保存 → "
				  "ファイルの種類) and publish that");
	} else if (n >= 4 && memcmp(b, "%PDF", 4) == 0) {
		xl_set_error(err, "file-format", file,
			  "this is a PDF, not a workbook: a PDF cannot be read by a program; "
			  "publish the table it was made from as .xlsx or CSV");
	} else if (n >= 4 && b[0] == 'P' && b[1] == 'K' && (b[2] == 5 || b[2] == 7)) {
		xl_set_error(err, "workbook-error", file,
			  "the workbook is an empty or split zip archive: save it again from Excel");
	} else if (n == 0) {
		xl_set_error(err, "file-format", file, "the file is empty: it holds no workbook");
	} else {
		xl_set_error(err, "file-format", file,
			  "the file is not an Excel workbook (no zip package inside): if it is "
			  "a CSV or a table of another kind, give it its real extension; publish "
			  "tables as .xlsx or CSV");
	}
}

/* The workbook part: sheets (name, state, r:id) and the date system. */
static int read_workbook(kp_xlsx *x, const char *name, const xl_rels *wr, char *why, size_t whysize)
{
	xl_part p;
	int rc = xl_part_open(x, name, &p);
	if (rc <= 0) {
		xl_say(why, whysize, "%s", rc < 0 ? p.why : _("the workbook part is missing"));
		return -1;
	}
	size_t cap = 0;
	while ((rc = xl_part_next(&p)) == 1) {
		if (!xl_is_start(&p))
			continue;
		const char *n = xl_local(&p);
		if (strcmp(n, "workbookPr") == 0) {
			x->date1904 = xl_attr_true(&p, "date1904");
		} else if (strcmp(n, "sheet") == 0) {
			const char *sname = xl_attr(&p, "name");
			if (!sname)
				continue;
			if (x->nsheets == cap) {
				cap = cap ? cap * 2 : 8;
				if (cap > MAX_SHEETS) {
					xl_say(p.why, sizeof p.why, "the workbook lists over %d sheets",
						 MAX_SHEETS);
					rc = -1;
					break;
				}
				sheet_entry *s = realloc(x->sheets, cap * sizeof *s);
				if (!s) {
					xl_say(p.why, sizeof p.why, "out of memory");
					rc = -1;
					break;
				}
				x->sheets = s;
			}
			sheet_entry *e = &x->sheets[x->nsheets];
			memset(e, 0, sizeof *e);
			e->name = strdup(sname);
			if (!e->name) {
				xl_say(p.why, sizeof p.why, "out of memory");
				rc = -1;
				break;
			}
			x->nsheets++;
			const char *state = xl_attr(&p, "state");
			e->state = !state || strcmp(state, "visible") == 0 ? KP_XLSX_VISIBLE
				   : strcmp(state, "veryHidden") == 0      ? KP_XLSX_VERY_HIDDEN
									   : KP_XLSX_HIDDEN;
			const char *id = xl_attr(&p, "id");
			const xl_rel *r = id ? xl_rels_by_id(wr, id) : NULL;
			if (r && !r->target) {
				xl_say(p.why, sizeof p.why,
				    "the sheet '%.64s' names a part outside the package: refused", sname);
				rc = -1;
				break;
			}
			if (r && r->target) {
				e->table = strcmp(r->type, "worksheet") == 0;
				e->part = strdup(r->target);
				if (!e->part) {
					xl_say(p.why, sizeof p.why, "out of memory");
					rc = -1;
					break;
				}
			}
		}
	}
	if (rc < 0)
		xl_say(why, whysize, "%s", p.why);
	xl_part_close(&p);
	return rc < 0 ? -1 : 0;
}

static void scan_entries(kp_xlsx *x)
{
	zip_int64_t n = zip_get_num_entries(x->za, 0);
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(x->za, (zip_uint64_t)i, 0);
		if (!name)
			continue;
		if (ends_with_nocase(name, "vbaProject.bin"))
			x->macros = 1;
		if (!x->odd_entry && (name[0] == '/' || name[0] == '\\' || strstr(name, "../") ||
				      strstr(name, "..\\") || strcmp(name, "..") == 0))
			x->odd_entry = strdup(name);
	}
}

kp_xlsx *kp_xlsx_open(const char *path, const kp_xlsx_opts *opts, kp_diag *err)
{
	const char *file = opts && opts->file ? opts->file : path;
	kp_diag_clear(err);
	kp_xlsx *x = calloc(1, sizeof *x);
	if (!x) {
		xl_set_error(err, "workbook-error", file, "out of memory");
		return NULL;
	}
	x->file = file;
	x->names_only = opts && opts->names_only;
	x->values_only = opts && opts->values_only;
	if (opts && opts->limits)
		x->lim = *opts->limits;
	if (!x->lim.part_bytes)
		x->lim.part_bytes = 2ull << 30;
	if (!x->lim.total_bytes)
		x->lim.total_bytes = 8ull << 30;
	if (!x->lim.ratio)
		x->lim.ratio = 1000;
	if (!x->lim.string_bytes)
		x->lim.string_bytes = (size_t)512 << 20;
	if (!x->lim.cell_bytes)
		x->lim.cell_bytes = KP_CSVREAD_MAX_CELL_DEFAULT;

	/* a regular file only (libzip seeks; a FIFO or a device never is a workbook) */
	FILE *fp = kp_files_open_in(path, opts && opts->root ? opts->root : "/", err);
	if (!fp) {
		kp_diag_at(err, file, 0, 0, -1);
		free(x);
		return NULL;
	}
	unsigned char magic[4] = {0};
	size_t got = fread(magic, 1, 4, fp);
	if (got < 4 || magic[0] != 'P' || magic[1] != 'K' || magic[2] != 3 || magic[3] != 4) {
		not_a_workbook(fp, file, err);
		fclose(fp);
		free(x);
		return NULL;
	}
	int fd = dup(fileno(fp));
	fclose(fp);
	int zerr = 0;
	x->za = fd >= 0 ? zip_fdopen(fd, ZIP_RDONLY | ZIP_CHECKCONS, &zerr) : NULL;
	if (!x->za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		xl_set_error(err, "workbook-error", file,
			  "the workbook's zip package is damaged (%s): open it in Excel and save "
			  "it again",
			  fd < 0 ? strerror(errno) : zip_error_strerror(&ze));
		zip_error_fini(&ze);
		if (fd >= 0)
			close(fd);
		free(x);
		return NULL;
	}
	scan_entries(x);
	char why[200] = "";
	xl_rels root = {0}, wr = {0};
	const char *wb = NULL;
	zip_file_t *mf = zip_fopen(x->za, "mimetype", 0);
	if (mf) {
		char m[64] = "";
		zip_int64_t n = zip_fread(mf, m, sizeof m - 1);
		zip_fclose(mf);
		if (n > 0 && strncmp(m, "application/vnd.oasis.opendocument", 34) == 0) {
			xl_set_error(err, "file-format", file,
				  "this is an OpenDocument file (.ods), not an Excel workbook: save "
				  "it as .xlsx or CSV UTF-8 and publish that");
			goto fail;
		}
	}
	if (xl_rels_read(x, "", &root, why, sizeof why) != 0)
		goto damaged;
	const xl_rel *main_rel = xl_rels_by_type(&root, "officeDocument");
	wb = main_rel ? main_rel->target : "xl/workbook.xml";
	if (xl_rels_read(x, wb, &wr, why, sizeof why) != 0 ||
	    read_workbook(x, wb, &wr, why, sizeof why) != 0)
		goto damaged;
	if (x->nsheets == 0) {
		xl_set_error(err, "file-format", file,
			  "the package holds no worksheet: it is not an Excel workbook (a Word or "
			  "PowerPoint file?); publish tables as .xlsx or CSV");
		goto fail;
	}
	const xl_rel *r = x->names_only ? NULL : xl_rels_by_type(&wr, "sharedStrings");
	if (r && read_strings(x, r->target, why, sizeof why) != 0)
		goto damaged;
	r = x->names_only ? NULL : xl_rels_by_type(&wr, "styles");
	if (r && read_styles(x, r->target, why, sizeof why) != 0)
		goto damaged;
	xl_rels_free(&root);
	xl_rels_free(&wr);
	return x;
damaged:
	xl_set_error(err, "workbook-error", file, "%s: open it in Excel and save it again",
		  why[0] ? why : _("the workbook is damaged"));
fail:
	xl_rels_free(&root);
	xl_rels_free(&wr);
	kp_xlsx_free(x);
	return NULL;
}

void kp_xlsx_free(kp_xlsx *x)
{
	if (!x)
		return;
	if (x->za)
		zip_discard(x->za);
	for (size_t i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].part);
	}
	free(x->sheets);
	free(x->strings);
	free(x->string_at);
	free(x->xfs);
	free(x->odd_entry);
	free(x);
}

size_t kp_xlsx_nsheets(const kp_xlsx *x)
{
	return x->nsheets;
}

const char *kp_xlsx_sheet_name(const kp_xlsx *x, size_t i)
{
	return i < x->nsheets ? x->sheets[i].name : NULL;
}

kp_xlsx_state kp_xlsx_sheet_state(const kp_xlsx *x, size_t i)
{
	return i < x->nsheets ? x->sheets[i].state : KP_XLSX_VISIBLE;
}

int kp_xlsx_sheet_is_table(const kp_xlsx *x, size_t i)
{
	return i < x->nsheets && x->sheets[i].table && x->sheets[i].part;
}

long kp_xlsx_find_sheet(const kp_xlsx *x, const char *which)
{
	for (size_t i = 0; i < x->nsheets; i++)
		if (strcmp(x->sheets[i].name, which) == 0)
			return (long)i;
	char *end;
	long n = strtol(which, &end, 10);
	if (*which && !*end && n >= 1 && (size_t)n <= x->nsheets)
		return n - 1;
	return -1;
}

static void emit_at(const kp_diag_sink *sink, kp_diag *d, const char *file, const char *sheet)
{
	kp_diag_at(d, file, d->row, d->column, -1);
	d->sheet = sheet;
	kp_diag_emit(sink, d);
}

void kp_xlsx_report(const kp_xlsx *x, long checked, const kp_diag_sink *sink)
{
	kp_diag d;
	if (x->odd_entry) {
		kp_diag_set(&d, KP_SEV_WARNING, "workbook-error",
			    "the package holds an entry named '%s', outside the package: no program "
			    "that writes workbooks makes such a name; it was not read",
			    x->odd_entry);
		emit_at(sink, &d, x->file, NULL);
	}
	if (x->macros) {
		kp_diag_set(&d, KP_SEV_WARNING, "macros",
			    "the workbook holds macros (VBA): kplan reads its cells and never runs "
			    "them, but a portal's users are warned off macro workbooks; publish it "
			    "as .xlsx (Excel: 名前を付けて保存 → Excel ブック) or CSV");
		d.rule = "L1-01";
		emit_at(sink, &d, x->file, NULL);
	}
	for (size_t i = 0; i < x->nsheets; i++) {
		const sheet_entry *e = &x->sheets[i];
		if (e->state != KP_XLSX_VISIBLE && (checked < 0 || (size_t)checked != i)) {
			kp_diag_set(&d, KP_SEV_WARNING, "hidden-sheet",
				    "the sheet '%s' is hidden%s: it is published with the workbook "
				    "but nobody sees it and it was not checked; unhide it (right-"
				    "click a sheet tab → 再表示) or delete it",
				    e->name, e->state == KP_XLSX_VERY_HIDDEN ? _(" (very hidden, by a macro)") : "");
			d.rule = "L1-13";
			emit_at(sink, &d, x->file, e->name);
		} else if (!kp_xlsx_sheet_is_table(x, i) && (checked < 0 || (size_t)checked == i)) {
			kp_diag_set(&d, KP_SEV_WARNING, "chart-sheet",
				    "the sheet '%s' is a chart or dialog sheet, not a table: it "
				    "was not checked; publish the chart's data as a table",
				    e->name);
			d.rule = "L1-10";
			emit_at(sink, &d, x->file, e->name);
		}
	}
}
