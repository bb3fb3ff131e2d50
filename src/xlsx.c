/* xlsx — see xlsx.h.  The package (ECMA-376 part 2) is read part by part:
 *   _rels/.rels → the workbook part → its rels (sheets, shared strings, styles)
 *   → each sheet part, and after its rows the sheet's rels (drawings, comments).
 * Element names are matched by local name: namespaces differ between writers
 * (a default namespace, an x: prefix, ISO strict). */
#include "xlsx.h"

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

#include <libxml/xmlreader.h>
#include <zip.h>

#include "files.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PATH_MAX_LEN 1024
#define MAX_SHEETS 4096
#define FIRST_MAX 3 /* cells named in a finding about many */

/* ------------------------------------------------------------------------------------ */
/* Small helpers */

/* snprintf for messages: a message cut at the buffer's end is fine */
static void say(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *out, size_t size, const char *fmt, ...)
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
		say(buf, size, "%ld:%ld", row, row);
		return;
	}
	for (long c = column; c > 0 && n < sizeof letters; c = (c - 1) / 26)
		letters[n++] = (char)('A' + (c - 1) % 26);
	size_t k = 0;
	while (n && k + 1 < size)
		buf[k++] = letters[--n];
	if (row > 0)
		say(buf + k, size - k, "%ld", row);
	else if (k < size)
		buf[k] = '\0';
}

static void column_name(long column, char *buf, size_t size)
{
	kp_xlsx_cell_name(column, 0, buf, size);
}

/* "B7" → column 2, row 7.  Returns 0, or -1 when it is not a reference inside XFD1048576. */
static int parse_ref(const char *s, long *col, long *row)
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

/* A growable byte buffer. */
typedef struct buf {
	char *p; /* owned */
	size_t len, cap;
} buf;

static int buf_add(buf *b, const char *s, size_t n)
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

/* ------------------------------------------------------------------------------------ */
/* The workbook */

typedef struct xf {
	unsigned char date; /* 0 a number, 1 date, 2 time, 3 date and time */
	unsigned char bold, italic;
	uint64_t font; /* the font colour's key; 0 = the default */
	uint64_t fill; /* the fill colour's key; 0 = none */
} xf;

typedef struct sheet_entry {
	char *name; /* owned, UTF-8 */
	char *part; /* owned: the part's path in the package, NULL when unresolved */
	kp_xlsx_state state;
	int table; /* a worksheet (not a chart or dialog sheet) */
} sheet_entry;

struct kp_xlsx {
	zip_t *za;
	const char *file; /* borrowed */
	kp_xlsx_limits lim;
	unsigned long long inflated; /* bytes of all parts read so far */
	int date1904;
	int macros; /* a vbaProject.bin in the package */
	sheet_entry *sheets; /* owned, nsheets */
	size_t nsheets;
	char *strings;       /* owned: the shared strings, each NUL-terminated */
	size_t *string_at;   /* owned: nstrings offsets into strings */
	size_t nstrings;
	xf *xfs; /* owned: cellXfs, nxfs */
	size_t nxfs;
	char *odd_entry; /* owned: the first entry named outside the package (../x, /x) */
};

/* ------------------------------------------------------------------------------------ */
/* Parts: a zip entry read through the limits, parsed by xmlReader */

typedef struct part {
	kp_xlsx *x;
	zip_file_t *zf;
	const char *name;            /* borrowed */
	unsigned long long read;     /* inflated bytes so far */
	unsigned long long limit;    /* of this part */
	int over;                    /* 1 a limit, 2 a zip error (CRC, truncated) */
	char why[160];               /* what went wrong, for the finding */
	char xml_error[160];         /* libxml2's first error, if any */
	xmlTextReaderPtr xr;
} part;

static int part_read(void *ctx, char *out, int len)
{
	part *p = ctx;
	if (p->over)
		return -1;
	zip_int64_t n = zip_fread(p->zf, out, (zip_uint64_t)len);
	if (n < 0) {
		zip_error_t *ze = zip_file_get_error(p->zf);
		p->over = 2;
		say(p->why, sizeof p->why, "the part '%s' cannot be read (%s)", p->name,
			 zip_error_strerror(ze));
		return -1;
	}
	p->read += (unsigned long long)n;
	p->x->inflated += (unsigned long long)n;
	if (p->read > p->limit) {
		p->over = 1;
		say(p->why, sizeof p->why,
			 "the part '%s' inflates past %llu MiB (a zip bomb, or a sheet too large "
			 "to check)",
			 p->name, p->limit >> 20);
		return -1;
	}
	if (p->x->inflated > p->x->lim.total_bytes) {
		p->over = 1;
		say(p->why, sizeof p->why,
			 "the workbook inflates past %llu MiB in all (a zip bomb?)",
			 p->x->lim.total_bytes >> 20);
		return -1;
	}
	return (int)n;
}

static void part_error(void *ctx, xmlErrorPtr e)
{
	part *p = ctx;
	if (!p->xml_error[0] && e && e->message) {
		say(p->xml_error, sizeof p->xml_error, "line %d: %s", e->line, e->message);
		size_t n = strlen(p->xml_error);
		while (n && (p->xml_error[n - 1] == '\n' || p->xml_error[n - 1] == ' '))
			p->xml_error[--n] = '\0';
	}
}

/* Opens the entry `name` (NOCASE: part names are case-insensitive in OPC).  Returns 1,
 * 0 when the package has no such entry, -1 with why set (a ratio or size over a limit,
 * a zip error). */
static int part_open(kp_xlsx *x, const char *name, part *p)
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
			say(p->why, sizeof p->why,
				 "the part '%s' is %llu MiB inflated, over the limit of %llu MiB",
				 name, (unsigned long long)(st.size >> 20), p->limit >> 20);
			return -1;
		}
		if (st.size > (1u << 20) && st.size / (st.comp_size ? st.comp_size : 1) > x->lim.ratio) {
			say(p->why, sizeof p->why,
				 "the part '%s' inflates %llu times (%llu bytes to %llu): a zip "
				 "bomb, refused",
				 name, (unsigned long long)(st.size / (st.comp_size ? st.comp_size : 1)),
				 (unsigned long long)st.comp_size, (unsigned long long)st.size);
			return -1;
		}
	}
	p->zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0);
	if (!p->zf) {
		say(p->why, sizeof p->why, "the part '%s' cannot be read (%s)", name,
			 zip_strerror(x->za));
		return -1;
	}
	/* no entity substitution (no XML_PARSE_NOENT), no DTD loading, no network */
	p->xr = xmlReaderForIO(part_read, NULL, p, NULL, NULL,
			       XML_PARSE_NONET | XML_PARSE_COMPACT | XML_PARSE_NOERROR |
				   XML_PARSE_NOWARNING);
	if (!p->xr) {
		zip_fclose(p->zf);
		p->zf = NULL;
		say(p->why, sizeof p->why, "out of memory");
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(p->xr, part_error, p);
	return 1;
}

static void part_close(part *p)
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
static int part_next(part *p)
{
	int rc = xmlTextReaderRead(p->xr);
	if (rc == 1) {
		int t = xmlTextReaderNodeType(p->xr);
		if (t == XML_READER_TYPE_DOCUMENT_TYPE || t == XML_READER_TYPE_ENTITY_REFERENCE ||
		    t == XML_READER_TYPE_ENTITY) {
			say(p->why, sizeof p->why,
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
		say(p->why, sizeof p->why, "the part '%s' is not well-formed XML%s%s",
			 p->name, p->xml_error[0] ? " (" : "", p->xml_error);
	if (p->xml_error[0] && !p->over) {
		size_t n = strlen(p->why);
		if (n + 1 < sizeof p->why && p->why[n - 1] != ')')
			say(p->why + n, sizeof p->why - n, ")");
	}
	return -1;
}

static const char *local(part *p)
{
	const xmlChar *n = xmlTextReaderConstLocalName(p->xr);
	return n ? (const char *)n : "";
}

static int is_start(part *p)
{
	return xmlTextReaderNodeType(p->xr) == XML_READER_TYPE_ELEMENT;
}

static int is_end(part *p)
{
	return xmlTextReaderNodeType(p->xr) == XML_READER_TYPE_END_ELEMENT;
}

static int is_text(part *p)
{
	int t = xmlTextReaderNodeType(p->xr);
	return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
	       t == XML_READER_TYPE_WHITESPACE || t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* The value of the current element's attribute with local name `name`, or NULL; valid
 * until the next part_next. */
static const char *attr(part *p, const char *name)
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

static int attr_true(part *p, const char *name)
{
	const char *v = attr(p, name);
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

/* ------------------------------------------------------------------------------------ */
/* Relationships */

typedef struct rel {
	char *id;     /* owned */
	char *type;   /* owned: the last segment of the Type URI ("worksheet") */
	char *target; /* owned: the resolved part name, NULL when outside the package */
} rel;

typedef struct rels {
	rel *items; /* owned */
	size_t len;
} rels;

static void rels_free(rels *r)
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
static void rels_name(const char *source, char *out, size_t size)
{
	const char *slash = strrchr(source, '/');
	if (slash)
		say(out, size, "%.*s_rels/%s.rels", (int)(slash - source + 1), source, slash + 1);
	else
		say(out, size, "_rels/%s.rels", source);
}

/* Reads the relationships of `source`.  Returns 0 (none is fine), -1 with why. */
static int rels_read(kp_xlsx *x, const char *source, rels *out, char *why, size_t whysize)
{
	char name[PATH_MAX_LEN + 16];
	memset(out, 0, sizeof *out);
	if (source[0])
		rels_name(source, name, sizeof name);
	else
		say(name, sizeof name, "_rels/.rels");
	part p;
	int rc = part_open(x, name, &p);
	if (rc <= 0) {
		if (rc < 0)
			say(why, whysize, "%s", p.why);
		return rc;
	}
	size_t cap = 0;
	while ((rc = part_next(&p)) == 1) {
		if (!is_start(&p) || strcmp(local(&p), "Relationship") != 0)
			continue;
		const char *id = attr(&p, "Id"), *type = attr(&p, "Type");
		const char *target = attr(&p, "Target"), *mode = attr(&p, "TargetMode");
		if (!id || !type || !target)
			continue;
		if (out->len == cap) {
			cap = cap ? cap * 2 : 8;
			if (cap > 100000) {
				rc = -1;
				say(p.why, sizeof p.why, "'%s' holds too many relationships", name);
				break;
			}
			rel *items = realloc(out->items, cap * sizeof *items);
			if (!items) {
				rc = -1;
				say(p.why, sizeof p.why, "out of memory");
				break;
			}
			out->items = items;
		}
		const char *slash = strrchr(type, '/');
		rel *r = &out->items[out->len++];
		r->id = strdup(id);
		r->type = strdup(slash ? slash + 1 : type);
		r->target = mode && strcmp(mode, "External") == 0 ? NULL : resolve(source, target);
		if (!r->id || !r->type) {
			rc = -1;
			say(p.why, sizeof p.why, "out of memory");
			break;
		}
	}
	if (rc < 0)
		say(why, whysize, "%s", p.why);
	part_close(&p);
	return rc < 0 ? -1 : 0;
}

static const rel *rels_by_id(const rels *r, const char *id)
{
	for (size_t i = 0; i < r->len; i++)
		if (strcmp(r->items[i].id, id) == 0)
			return &r->items[i];
	return NULL;
}

static const rel *rels_by_type(const rels *r, const char *type)
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
	part p;
	int rc = part_open(x, name, &p);
	if (rc <= 0) {
		if (rc < 0)
			say(why, whysize, "%s", p.why);
		return rc;
	}
	buf text = {0};
	size_t cap = 0;
	int in_si = 0, in_t = 0, skip = 0;
	while ((rc = part_next(&p)) == 1) {
		if (is_start(&p)) {
			const char *n = local(&p);
			int empty = xmlTextReaderIsEmptyElement(p.xr);
			if (strcmp(n, "si") == 0) {
				in_si = 1;
				if (x->nstrings == cap) {
					cap = cap ? cap * 2 : 1024;
					size_t *at = realloc(x->string_at, cap * sizeof *at);
					if (!at)
						goto oom;
					x->string_at = at;
				}
				x->string_at[x->nstrings++] = text.len;
				if (empty) {
					in_si = 0;
					if (buf_add(&text, "", 1) != 0)
						goto oom;
				}
			} else if (strcmp(n, "rPh") == 0 || strcmp(n, "phoneticPr") == 0) {
				if (!empty)
					skip++;
			} else if (strcmp(n, "t") == 0 && in_si && !empty) {
				in_t = 1;
			}
		} else if (is_end(&p)) {
			const char *n = local(&p);
			if (strcmp(n, "si") == 0 && in_si) {
				in_si = 0;
				if (buf_add(&text, "", 1) != 0) /* the NUL that ends the string */
					goto oom;
			} else if (strcmp(n, "rPh") == 0 || strcmp(n, "phoneticPr") == 0) {
				if (skip)
					skip--;
			} else if (strcmp(n, "t") == 0) {
				in_t = 0;
			}
		} else if (in_t && !skip && is_text(&p)) {
			const char *v = (const char *)xmlTextReaderConstValue(p.xr);
			if (v && buf_add(&text, v, strlen(v)) != 0)
				goto oom;
			if (text.len > x->lim.string_bytes) {
				say(why, whysize,
					 "the shared strings pass %zu MiB: too large to check",
					 x->lim.string_bytes >> 20);
				rc = -1;
				goto out;
			}
		}
	}
	if (rc < 0)
		say(why, whysize, "%s", p.why);
	goto out;
oom:
	say(why, whysize, "out of memory");
	rc = -1;
out:
	part_close(&p);
	x->strings = text.p;
	if (!x->strings && x->nstrings == 0)
		x->strings = NULL;
	return rc < 0 ? -1 : 0;
}

static const char *string_at(const kp_xlsx *x, size_t i)
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
static uint64_t colour_key(part *p, int fill)
{
	const char *rgb = attr(p, "rgb"), *theme = attr(p, "theme"), *indexed = attr(p, "indexed");
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
	part p;
	int rc = part_open(x, name, &p);
	if (rc <= 0) {
		if (rc < 0)
			say(why, whysize, "%s", p.why);
		return rc;
	}
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
	while ((rc = part_next(&p)) == 1) {
		const char *n = local(&p);
		if (is_end(&p)) {
			if (strcmp(n, "fonts") == 0 || strcmp(n, "fills") == 0 ||
			    strcmp(n, "cellXfs") == 0)
				sect = NONE;
			else if (strcmp(n, "font") == 0)
				in_font = 0;
			else if (strcmp(n, "fill") == 0)
				in_fill = 0;
			continue;
		}
		if (!is_start(&p))
			continue;
		int empty = xmlTextReaderIsEmptyElement(p.xr);
		if (strcmp(n, "numFmt") == 0) {
			const char *id = attr(&p, "numFmtId");
			const char *code = attr(&p, "formatCode");
			if (!id || !code)
				continue;
			if (nfmts == cfmts) {
				cfmts = cfmts ? cfmts * 2 : 16;
				struct fmt *f = realloc(fmts, cfmts * sizeof *f);
				if (!f)
					goto oom;
				fmts = f;
			}
			fmts[nfmts].id = strtol(id, NULL, 10);
			fmts[nfmts++].date = custom_date(code);
		} else if (strcmp(n, "fonts") == 0 && !empty) {
			sect = FONTS;
		} else if (strcmp(n, "fills") == 0 && !empty) {
			sect = FILLS;
		} else if (strcmp(n, "cellXfs") == 0 && !empty) {
			sect = XFS;
		} else if (sect == FONTS && strcmp(n, "font") == 0) {
			if (nfonts == cfonts) {
				cfonts = cfonts ? cfonts * 2 : 16;
				font *f = realloc(fonts, cfonts * sizeof *f);
				if (!f)
					goto oom;
				fonts = f;
			}
			memset(&fonts[nfonts++], 0, sizeof *fonts);
			in_font = !empty;
		} else if (sect == FONTS && in_font && nfonts) {
			font *f = &fonts[nfonts - 1];
			const char *val = attr(&p, "val");
			int on = !val || strcmp(val, "1") == 0 || strcmp(val, "true") == 0;
			if (strcmp(n, "b") == 0)
				f->bold = (unsigned char)on;
			else if (strcmp(n, "i") == 0)
				f->italic = (unsigned char)on;
			else if (strcmp(n, "color") == 0)
				f->colour = colour_key(&p, 0);
		} else if (sect == FILLS && strcmp(n, "fill") == 0) {
			if (nfills == cfills) {
				cfills = cfills ? cfills * 2 : 16;
				uint64_t *f = realloc(fills, cfills * sizeof *f);
				if (!f)
					goto oom;
				fills = f;
			}
			fills[nfills++] = 0;
			in_fill = !empty;
		} else if (sect == FILLS && in_fill && nfills && strcmp(n, "patternFill") == 0) {
			const char *pt = attr(&p, "patternType");
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
			const char *a = attr(&p, "numFmtId");
			long id = a ? strtol(a, NULL, 10) : 0;
			v->date = builtin_date(id);
			for (size_t k = 0; k < nfmts; k++)
				if (fmts[k].id == id)
					v->date = fmts[k].date;
			a = attr(&p, "fontId");
			size_t fi = a ? (size_t)strtoul(a, NULL, 10) : 0;
			if (fi < nfonts) {
				v->bold = fonts[fi].bold;
				v->italic = fonts[fi].italic;
				v->font = fonts[fi].colour;
			}
			a = attr(&p, "fillId");
			size_t li = a ? (size_t)strtoul(a, NULL, 10) : 0;
			if (li < nfills)
				v->fill = fills[li] == 1 ? 0 : fills[li] & ~(1ull << 40);
		}
	}
	if (rc < 0)
		say(why, whysize, "%s", p.why);
	goto out;
too_many:
	say(why, whysize, "the styles hold over a million cell formats");
	rc = -1;
	goto out;
oom:
	say(why, whysize, "out of memory");
	rc = -1;
out:
	free(fmts);
	free(fonts);
	free(fills);
	part_close(&p);
	return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------------------ */
/* Opening */

static void set_error(kp_diag *err, const char *code, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_error(kp_diag *err, const char *code, const char *file, const char *fmt, ...)
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
	static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
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
	static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	if (n == 8 && memcmp(b, ole, 8) == 0) {
		if (ole_is_encrypted(fp))
			set_error(err, "file-format", file,
				  "the workbook is protected by a password (encrypted): a program "
				  "cannot read it; remove the password (Excel: ファイル → 情報 → "
				  "ブックの保護 → パスワードを使用して暗号化, empty) and publish it "
				  "again");
		else
			set_error(err, "file-format", file,
				  "this is an Excel 97-2003 workbook (.xls): save it as an Excel "
				  "workbook (.xlsx) or as CSV UTF-8 (Excel: 名前を付けて保存 → "
				  "ファイルの種類) and publish that");
	} else if (n >= 4 && memcmp(b, "%PDF", 4) == 0) {
		set_error(err, "file-format", file,
			  "this is a PDF, not a workbook: a PDF cannot be read by a program; "
			  "publish the table it was made from as .xlsx or CSV");
	} else if (n >= 4 && b[0] == 'P' && b[1] == 'K' && (b[2] == 5 || b[2] == 7)) {
		set_error(err, "workbook-error", file,
			  "the workbook is an empty or split zip archive: save it again from Excel");
	} else if (n == 0) {
		set_error(err, "file-format", file, "the file is empty: it holds no workbook");
	} else {
		set_error(err, "file-format", file,
			  "the file is not an Excel workbook (no zip package inside): if it is "
			  "a CSV or a table of another kind, give it its real extension; publish "
			  "tables as .xlsx or CSV");
	}
}

/* The workbook part: sheets (name, state, r:id) and the date system. */
static int read_workbook(kp_xlsx *x, const char *name, const rels *wr, char *why, size_t whysize)
{
	part p;
	int rc = part_open(x, name, &p);
	if (rc <= 0) {
		say(why, whysize, "%s", rc < 0 ? p.why : "the workbook part is missing");
		return -1;
	}
	size_t cap = 0;
	while ((rc = part_next(&p)) == 1) {
		if (!is_start(&p))
			continue;
		const char *n = local(&p);
		if (strcmp(n, "workbookPr") == 0) {
			x->date1904 = attr_true(&p, "date1904");
		} else if (strcmp(n, "sheet") == 0) {
			const char *sname = attr(&p, "name");
			if (!sname)
				continue;
			if (x->nsheets == cap) {
				cap = cap ? cap * 2 : 8;
				if (cap > MAX_SHEETS) {
					say(p.why, sizeof p.why, "the workbook lists over %d sheets",
						 MAX_SHEETS);
					rc = -1;
					break;
				}
				sheet_entry *s = realloc(x->sheets, cap * sizeof *s);
				if (!s) {
					say(p.why, sizeof p.why, "out of memory");
					rc = -1;
					break;
				}
				x->sheets = s;
			}
			sheet_entry *e = &x->sheets[x->nsheets];
			memset(e, 0, sizeof *e);
			e->name = strdup(sname);
			if (!e->name) {
				say(p.why, sizeof p.why, "out of memory");
				rc = -1;
				break;
			}
			x->nsheets++;
			const char *state = attr(&p, "state");
			e->state = !state || strcmp(state, "visible") == 0 ? KP_XLSX_VISIBLE
				   : strcmp(state, "veryHidden") == 0      ? KP_XLSX_VERY_HIDDEN
									   : KP_XLSX_HIDDEN;
			const char *id = attr(&p, "id");
			const rel *r = id ? rels_by_id(wr, id) : NULL;
			if (r && !r->target) {
				say(p.why, sizeof p.why,
				    "the sheet '%.64s' names a part outside the package: refused", sname);
				rc = -1;
				break;
			}
			if (r && r->target) {
				e->table = strcmp(r->type, "worksheet") == 0;
				e->part = strdup(r->target);
				if (!e->part) {
					say(p.why, sizeof p.why, "out of memory");
					rc = -1;
					break;
				}
			}
		}
	}
	if (rc < 0)
		say(why, whysize, "%s", p.why);
	part_close(&p);
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
		set_error(err, "workbook-error", file, "out of memory");
		return NULL;
	}
	x->file = file;
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
		set_error(err, "workbook-error", file,
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
	rels root = {0}, wr = {0};
	const char *wb = NULL;
	zip_file_t *mf = zip_fopen(x->za, "mimetype", 0);
	if (mf) {
		char m[64] = "";
		zip_int64_t n = zip_fread(mf, m, sizeof m - 1);
		zip_fclose(mf);
		if (n > 0 && strncmp(m, "application/vnd.oasis.opendocument", 34) == 0) {
			set_error(err, "file-format", file,
				  "this is an OpenDocument file (.ods), not an Excel workbook: save "
				  "it as .xlsx or CSV UTF-8 and publish that");
			goto fail;
		}
	}
	if (rels_read(x, "", &root, why, sizeof why) != 0)
		goto damaged;
	const rel *main_rel = rels_by_type(&root, "officeDocument");
	wb = main_rel ? main_rel->target : "xl/workbook.xml";
	if (rels_read(x, wb, &wr, why, sizeof why) != 0 ||
	    read_workbook(x, wb, &wr, why, sizeof why) != 0)
		goto damaged;
	if (x->nsheets == 0) {
		set_error(err, "file-format", file,
			  "the package holds no worksheet: it is not an Excel workbook (a Word or "
			  "PowerPoint file?); publish tables as .xlsx or CSV");
		goto fail;
	}
	const rel *r = rels_by_type(&wr, "sharedStrings");
	if (r && read_strings(x, r->target, why, sizeof why) != 0)
		goto damaged;
	r = rels_by_type(&wr, "styles");
	if (r && read_styles(x, r->target, why, sizeof why) != 0)
		goto damaged;
	rels_free(&root);
	rels_free(&wr);
	return x;
damaged:
	set_error(err, "workbook-error", file, "%s: open it in Excel and save it again",
		  why[0] ? why : "the workbook is damaged");
fail:
	rels_free(&root);
	rels_free(&wr);
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
				    e->name, e->state == KP_XLSX_VERY_HIDDEN ? " (very hidden, by a macro)" : "");
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

/* ------------------------------------------------------------------------------------ */
/* Cell values */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t yy = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = (int)(yy + (*m <= 2));
}

/* Writes serial (a date/time style's number) as ISO 8601.  Returns the length, or 0 when
 * it is no date (negative, past 9999-12-31, the 1900 system's day 0). */
static size_t serial_text(double v, int kind, int date1904, char *out, size_t size)
{
	if (!(v >= 0) || v > 2958465.0)
		return 0;
	double day = floor(v);
	long secs = lround((v - day) * 86400.0);
	if (secs >= 86400) {
		secs -= 86400;
		day += 1;
	}
	long serial = (long)day;
	if (kind == 2 && v < 1)
		return (size_t)snprintf(out, size, "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60,
					secs % 60);
	int y;
	unsigned m, d;
	if (date1904) {
		civil_from_days(days_from_civil(1904, 1, 1) + serial, &y, &m, &d);
	} else if (serial == 60) {
		y = 1900, m = 2, d = 29; /* Lotus' leap day: not a date, and shown as such */
	} else if (serial == 0) {
		return 0;
	} else {
		civil_from_days(days_from_civil(1899, 12, 31) + serial - (serial > 60), &y, &m, &d);
	}
	if (kind == 2)
		return (size_t)snprintf(out, size, "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60,
					secs % 60);
	if (kind == 3 && secs)
		return (size_t)snprintf(out, size, "%04d-%02u-%02uT%02ld:%02ld:%02ld", y, m, d,
					secs / 3600, secs / 60 % 60, secs % 60);
	return (size_t)snprintf(out, size, "%04d-%02u-%02u", y, m, d);
}

/* A number as Excel shows it in General: 15 significant digits.  Short values are kept
 * as written (the common case: no parse). */
static size_t number_text(const char *v, char *out, size_t size)
{
	size_t n = strlen(v), digits = 0;
	int plain = n > 0 && n < 20;
	for (size_t i = 0; i < n && plain; i++) {
		if (isdigit((unsigned char)v[i]))
			digits++;
		else if (!(v[i] == '.' || (v[i] == '-' && i == 0)))
			plain = 0;
	}
	if (plain && v[0] == '-' && strspn(v + 1, "0.") == n - 1)
		plain = 0; /* -0 is shown as 0 */
	if (plain && digits <= 15 && !(n > 1 && v[n - 1] == '.')) {
		memcpy(out, v, n + 1);
		return n;
	}
	char *end;
	double d = strtod(v, &end);
	if (end == v || *end || !isfinite(d)) {
		say(out, size, "%s", v);
		return strlen(out);
	}
	int len = snprintf(out, size, "%.15g", d);
	if (strcmp(out, "-0") == 0)
		len = snprintf(out, size, "0");
	return (size_t)len;
}

/* ------------------------------------------------------------------------------------ */
/* Sheets */

/* What the Excel rules need of a column's body cells (below the header). */
typedef struct colstat {
	long cells;           /* non-empty */
	long bold, italic;    /* of them, bold / italic */
	long bold_row, italic_row;
	uint64_t fonts[3];    /* distinct colours seen (0 = the default) */
	unsigned char nfonts;
	uint64_t fills[3];
	unsigned char nfills;
	long font_row, fill_row; /* the first body cell of a non-default colour */
	long nums, dates;     /* cells typed as number / date */
	long numtext, datetext; /* text that reads as a number / a date */
	long numtext_row, datetext_row;
	char numtext_cell[32], datetext_cell[32];
} colstat;

typedef struct first_refs {
	long count;
	long row[FIRST_MAX], col[FIRST_MAX];
	char text[FIRST_MAX][48]; /* e.g. the formula */
} first_refs;

struct kp_xlsx_sheet {
	kp_xlsx *x;
	size_t index;
	const sheet_entry *e;
	kp_diag_sink sink;
	part p;
	int opened, done, failed, stopped;

	/* the row being returned */
	buf text;             /* owned: its cells' texts, each NUL-terminated */
	size_t *at;           /* owned: per column, offset into text + 1 (0: empty) */
	size_t *len;          /* owned: per column, the text's length */
	kp_csvcell *cells;    /* owned: the record's cells */
	size_t ccap;          /* allocated columns of at/len/cells */
	long row_cols;        /* columns the held row fills (its last filled column) */
	long held;            /* row number of the parsed row held, 0 when none */
	long next;            /* the next record number to return */
	long width;           /* the used width: the dimension, grown by wider rows */

	/* facts for the findings */
	long header_row;      /* the first row of two or more filled cells */
	long first_row, last_row, min_col, max_col; /* the table's extent (rows ≥ header) */
	first_refs hidden_rows, formulas, errors;
	long hidden_cols, hidden_col_first[FIRST_MAX];
	long nhidden_col_ranges;
	first_refs head_merges, data_merges, title_merges, comments, breaks;
	long uncached;        /* formulas with no saved result */
	colstat *cols;        /* owned: per column */
	size_t ncols;
	char *drawing_id;     /* owned: r:id of the sheet's drawing */
	int legacy_drawing;
	buf cell;             /* owned: the current cell's value */
	buf formula;          /* owned: the current cell's formula text (first 47 bytes) */
};

static void refs_add(first_refs *f, long row, long col, const char *text)
{
	if (f->count < FIRST_MAX) {
		f->row[f->count] = row;
		f->col[f->count] = col;
		say(f->text[f->count], sizeof f->text[0], "%s", text ? text : "");
	}
	f->count++;
}

/* "A2, B5 and 3 more" */
static void refs_list(const first_refs *f, char *out, size_t size, int with_text)
{
	size_t o = 0;
	long shown = f->count < FIRST_MAX ? f->count : FIRST_MAX;
	out[0] = '\0';
	for (long i = 0; i < shown && o < size; i++) {
		char ref[24];
		kp_xlsx_cell_name(f->col[i], f->row[i], ref, sizeof ref);
		int n = snprintf(out + o, size - o, "%s%s%s%s%s", i ? ", " : "", ref,
				 with_text && f->text[i][0] ? " (" : "",
				 with_text ? f->text[i] : "", with_text && f->text[i][0] ? ")" : "");
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (f->count > shown && o < size)
		say(out + o, size - o, " and %ld more", f->count - shown);
}

kp_xlsx_sheet *kp_xlsx_sheet_open(kp_xlsx *x, size_t i, const kp_diag_sink *sink, kp_diag *err)
{
	kp_diag_clear(err);
	if (!kp_xlsx_sheet_is_table(x, i)) {
		set_error(err, "workbook-error", x->file, "the sheet '%s' is not a worksheet",
			  i < x->nsheets ? x->sheets[i].name : "?");
		return NULL;
	}
	kp_xlsx_sheet *sh = calloc(1, sizeof *sh);
	if (!sh) {
		set_error(err, "workbook-error", x->file, "out of memory");
		return NULL;
	}
	sh->x = x;
	sh->index = i;
	sh->e = &x->sheets[i];
	if (sink)
		sh->sink = *sink;
	sh->next = 1;
	int rc = part_open(x, sh->e->part, &sh->p);
	if (rc <= 0) {
		set_error(err, "workbook-error", x->file,
			  "%s: open it in Excel and save it again",
			  rc < 0 ? sh->p.why : "the sheet's part is missing from the package");
		free(sh);
		return NULL;
	}
	sh->opened = 1;
	return sh;
}

static int sheet_emit(kp_xlsx_sheet *sh, kp_diag *d)
{
	kp_diag_at(d, sh->x->file, d->row, d->column, -1);
	d->sheet = sh->e->name;
	if (kp_diag_emit(&sh->sink, d)) {
		sh->stopped = 1;
		return 1;
	}
	return 0;
}

static void sheet_fail(kp_xlsx_sheet *sh, const char *why)
{
	kp_diag d;
	kp_diag_set(&d, KP_SEV_ERROR, "workbook-error", "%s: open it in Excel and save it again",
		    why);
	sh->failed = 1;
	sheet_emit(sh, &d);
}

static int grow_cols(kp_xlsx_sheet *sh, size_t need)
{
	if (need <= sh->ccap)
		return 0;
	size_t cap = sh->ccap ? sh->ccap : 16;
	while (cap < need)
		cap *= 2;
	size_t *at = realloc(sh->at, cap * sizeof *at);
	if (!at)
		return -1;
	sh->at = at;
	size_t *len = realloc(sh->len, cap * sizeof *len);
	if (!len)
		return -1;
	sh->len = len;
	kp_csvcell *cells = realloc(sh->cells, cap * sizeof *cells);
	if (!cells)
		return -1;
	sh->cells = cells;
	memset(sh->at + sh->ccap, 0, (cap - sh->ccap) * sizeof *at);
	sh->ccap = cap;
	return 0;
}

static colstat *col_stat(kp_xlsx_sheet *sh, long col)
{
	if ((size_t)col > sh->ncols) {
		size_t n = sh->ncols ? sh->ncols : 8;
		while (n < (size_t)col)
			n *= 2;
		colstat *c = realloc(sh->cols, n * sizeof *c);
		if (!c)
			return NULL;
		memset(c + sh->ncols, 0, (n - sh->ncols) * sizeof *c);
		sh->cols = c;
		sh->ncols = n;
	}
	return &sh->cols[col - 1];
}

static void colour_seen(uint64_t *set, unsigned char *n, uint64_t key, long *first, long row)
{
	for (unsigned char i = 0; i < *n; i++)
		if (set[i] == key)
			return;
	if (*n < 3)
		set[(*n)++] = key;
	if (key && !*first)
		*first = row;
}

/* Text that a person typed as a number, which Excel keeps as text: "1234", "-5.5", "1,500".
 * Not a code with leading zeros ("007"), not a phone number. */
static int reads_as_number(const char *s, size_t n)
{
	if (n == 0 || n > 20)
		return 0;
	size_t i = s[0] == '-' ? 1 : 0, digits = 0;
	if (i < n && s[i] == '0' && i + 1 < n && s[i + 1] != '.')
		return 0;
	int dot = 0;
	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (s[i] == '.' && !dot)
			dot = 1;
		else if (s[i] == ',' && digits)
			continue;
		else
			return 0;
	}
	return digits > 0 && digits <= 15;
}

/* Text that reads as a date: 2024/4/1, 2024-04-01, 2024年4月1日 (ASCII digits). */
static int reads_as_date(const char *s, size_t n)
{
	int y, m, d;
	char a[4], b[4];
	char tail;
	char tmp[40];
	if (n < 8 || n >= sizeof tmp || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[3]))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (sscanf(tmp, "%4d%1[/-]%2d%1[/-]%2d%c", &y, a, &m, b, &d, &tail) == 5)
		return y >= 1800 && m >= 1 && m <= 12 && d >= 1 && d <= 31 && a[0] == b[0];
	if (sscanf(tmp, "%4d\xE5\xB9\xB4%2d\xE6\x9C\x88%2d\xE6\x97\xA5%c", &y, &m, &d, &tail) == 3)
		return y >= 1800 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
	return 0;
}

/* One parsed cell: its value into the row, its facts into the column's stats. */
static int cell_done(kp_xlsx_sheet *sh, long row, long col, const char *type, long style,
		     int has_formula)
{
	kp_xlsx *x = sh->x;
	const xf *f = style >= 0 && (size_t)style < x->nxfs ? &x->xfs[style] : NULL;
	const char *v = sh->cell.p ? sh->cell.p : "";
	size_t vlen = sh->cell.len;
	char tmp[64];
	const char *out = v;
	size_t olen = vlen;
	int is_num = 0, is_date = 0, is_text = 0;
	if (has_formula) {
		char body[48];
		say(body, sizeof body, "=%.*s%s", 40, sh->formula.p ? sh->formula.p : "",
			 sh->formula.len > 40 ? "…" : "");
		refs_add(&sh->formulas, row, col, sh->formula.len ? body : "");
		if (vlen == 0 && strcmp(type, "e") != 0)
			sh->uncached++;
	}
	if (strcmp(type, "s") == 0) {
		char *end;
		unsigned long k = strtoul(v, &end, 10);
		const char *s = vlen && !*end ? string_at(x, k) : NULL;
		out = s ? s : "";
		olen = strlen(out);
		is_text = 1;
	} else if (strcmp(type, "inlineStr") == 0 || strcmp(type, "str") == 0) {
		is_text = strcmp(type, "inlineStr") == 0;
	} else if (strcmp(type, "b") == 0) {
		out = vlen ? (v[0] == '1' ? "TRUE" : "FALSE") : "";
		olen = strlen(out);
	} else if (strcmp(type, "e") == 0) {
		refs_add(&sh->errors, row, col, v);
	} else if (strcmp(type, "d") == 0) {
		/* an ISO 8601 date-time written as such: drop a midnight time */
		if (vlen >= 19 && strcmp(v + 10, "T00:00:00") == 0)
			olen = 10;
		is_date = 1;
	} else if (vlen) {
		size_t n = 0;
		if (f && f->date)
			n = serial_text(strtod(v, NULL), f->date, x->date1904, tmp, sizeof tmp);
		if (n) {
			is_date = 1;
		} else {
			n = number_text(v, tmp, sizeof tmp);
			is_num = 1;
		}
		out = tmp;
		olen = n;
	}
	if (olen > x->lim.cell_bytes)
		olen = x->lim.cell_bytes;
	if (olen == 0)
		return 0;
	if (grow_cols(sh, (size_t)col) != 0)
		return -1;
	sh->at[col - 1] = sh->text.len + 1;
	sh->len[col - 1] = olen;
	if (buf_add(&sh->text, out, olen) != 0 || buf_add(&sh->text, "", 1) != 0)
		return -1;
	if (col > sh->row_cols)
		sh->row_cols = col;
	if (memchr(out, '\n', olen) || memchr(out, '\r', olen)) {
		char shown[40];
		size_t k = 0, i = 0;
		for (; i < olen && k + 3 < sizeof shown; i++) {
			if (out[i] == '\n' || out[i] == '\r') {
				shown[k++] = '\\';
				shown[k++] = out[i] == '\n' ? 'n' : 'r';
			} else if ((unsigned char)out[i] < 0x80 || k + 6 < sizeof shown) {
				shown[k++] = out[i];
			} else {
				break;
			}
		}
		if (i < olen && (unsigned char)out[i] >= 0x80 && ((unsigned char)out[i] & 0xC0) == 0x80) {
			while (k && ((unsigned char)shown[k - 1] & 0xC0) == 0x80)
				k--; /* a character cut in the middle */
			if (k && (unsigned char)shown[k - 1] >= 0xC0)
				k--;
		}
		shown[k] = '\0';
		refs_add(&sh->breaks, row, col, shown);
	}
	/* body facts */
	if (sh->header_row && row > sh->header_row) {
		colstat *c = col_stat(sh, col);
		if (!c)
			return -1;
		c->cells++;
		if (f && f->bold && !c->bold++)
			c->bold_row = row;
		if (f && f->italic && !c->italic++)
			c->italic_row = row;
		colour_seen(c->fonts, &c->nfonts, f ? f->font : 0, &c->font_row, row);
		colour_seen(c->fills, &c->nfills, f ? f->fill : 0, &c->fill_row, row);
		if (is_num)
			c->nums++;
		if (is_date)
			c->dates++;
		if (is_text && reads_as_number(out, olen) && !c->numtext++) {
			c->numtext_row = row;
			say(c->numtext_cell, sizeof c->numtext_cell, "%.*s", (int)olen, out);
		}
		if (is_text && reads_as_date(out, olen) && !c->datetext++) {
			c->datetext_row = row;
			say(c->datetext_cell, sizeof c->datetext_cell, "%.*s", (int)olen, out);
		}
	}
	return 0;
}

/* Builds the record of the held row (number sh->held, sh->row_cols filled columns). */
static void make_record(kp_xlsx_sheet *sh, kp_csvrecord *rec)
{
	long w = sh->row_cols > sh->width ? sh->row_cols : sh->width;
	if (sh->row_cols > sh->width)
		sh->width = sh->row_cols;
	memset(rec, 0, sizeof *rec);
	rec->number = sh->held;
	rec->line = sh->held;
	rec->offset = -1;
	rec->end = -1;
	/* grow_cols was called up to row_cols; the width may be the dimension's */
	if ((size_t)w > sh->ccap && grow_cols(sh, (size_t)w) != 0)
		w = (long)sh->ccap;
	for (long i = 0; i < w; i++) {
		if (i < sh->row_cols && sh->at[i]) {
			sh->cells[i].data = sh->text.p + sh->at[i] - 1;
			sh->cells[i].len = sh->len[i];
		} else {
			sh->cells[i].data = "";
			sh->cells[i].len = 0;
		}
	}
	rec->cells = sh->cells;
	rec->ncells = (size_t)w;
}

static void row_reset(kp_xlsx_sheet *sh)
{
	if (sh->row_cols > 0 && sh->at)
		memset(sh->at, 0, (size_t)sh->row_cols * sizeof *sh->at);
	sh->row_cols = 0;
	sh->text.len = 0;
}

/* Notes the table's extent from a finished row. */
static void row_facts(kp_xlsx_sheet *sh, long row)
{
	long filled = 0, lo = 0;
	for (long i = 0; i < sh->row_cols; i++)
		if (sh->at[i]) {
			filled++;
			if (!lo)
				lo = i + 1;
		}
	if (!filled)
		return;
	if (!sh->header_row && filled >= 2)
		sh->header_row = row;
	if (!sh->first_row)
		sh->first_row = row;
	if (sh->header_row) {
		if (!sh->min_col || lo < sh->min_col)
			sh->min_col = lo;
		if (sh->row_cols > sh->max_col)
			sh->max_col = sh->row_cols;
		sh->last_row = row;
	}
}

static void findings(kp_xlsx_sheet *sh);

/* Parses up to the end of the next row that holds a value (or the end of the sheet).
 * Returns 1 with the row held, 0 at the end, -1 on an error. */
static int parse_row(kp_xlsx_sheet *sh)
{
	part *p = &sh->p;
	long row = 0, col = 0, style = -1;
	char type[16] = "n";
	int in_row = 0, in_c = 0, in_v = 0, in_f = 0, in_is = 0, in_t = 0, skip = 0, has_f = 0;
	int rc;
	while ((rc = part_next(p)) == 1) {
		int nt = xmlTextReaderNodeType(p->xr);
		if (nt == XML_READER_TYPE_ELEMENT) {
			const char *n = local(p);
			int empty = xmlTextReaderIsEmptyElement(p->xr);
			if (n[0] == 'c' && n[1] == '\0' && in_row) {
				const char *r = attr(p, "r"), *t = attr(p, "t"), *s = attr(p, "s");
				long rr = row;
				if (r) {
					if (parse_ref(r, &col, &rr) != 0 || (rr && rr != row)) {
						char why[160];
						say(why, sizeof why,
							 "the sheet's cell reference '%.20s' in row %ld "
							 "is not a cell of the row (past XFD, or out of order)",
							 r, row);
						sheet_fail(sh, why);
						return -1;
					}
				} else if (++col > KP_XLSX_MAX_COLS) {
					sheet_fail(sh, "a row of the sheet has more than 16,384 cells "
						       "(past column XFD)");
					return -1;
				}
				say(type, sizeof type, "%s", t ? t : "n");
				style = s ? strtol(s, NULL, 10) : -1;
				sh->cell.len = 0;
				if (sh->cell.p)
					sh->cell.p[0] = '\0';
				sh->formula.len = 0;
				has_f = 0;
				in_c = !empty;
				if (empty && cell_done(sh, row, col, type, style, 0) != 0)
					goto oom;
			} else if (in_c && n[0] == 'v' && n[1] == '\0') {
				in_v = !empty;
			} else if (in_c && n[0] == 'f' && n[1] == '\0') {
				has_f = 1;
				in_f = !empty;
			} else if (in_c && strcmp(n, "is") == 0) {
				in_is = !empty;
			} else if (in_is && n[0] == 't' && n[1] == '\0') {
				in_t = !empty;
			} else if (in_is && (strcmp(n, "rPh") == 0 || strcmp(n, "phoneticPr") == 0)) {
				if (!empty)
					skip++;
			} else if (strcmp(n, "row") == 0) {
				const char *r = attr(p, "r");
				long rn = r ? strtol(r, NULL, 10) : (sh->held ? sh->held : sh->next - 1) + 1;
				if (rn < 1 || rn > KP_XLSX_MAX_ROWS || rn < sh->next) {
					char why[120];
					say(why, sizeof why,
						 "the sheet's row %.12s is out of order or past row "
						 "1,048,576",
						 r ? r : "?");
					sheet_fail(sh, why);
					return -1;
				}
				row = rn;
				col = 0;
				if (attr_true(p, "hidden"))
					refs_add(&sh->hidden_rows, row, 0, NULL);
				row_reset(sh);
				in_row = !empty;
			} else if (strcmp(n, "dimension") == 0) {
				const char *ref = attr(p, "ref");
				const char *colon = ref ? strchr(ref, ':') : NULL;
				long c, r;
				/* the used width, trusted up to a sane size (real cells widen it) */
				if (colon && parse_ref(colon + 1, &c, &r) == 0 && c <= 1024)
					sh->width = c;
			} else if (strcmp(n, "col") == 0) {
				if (attr_true(p, "hidden")) {
					const char *mn = attr(p, "min"), *mx = attr(p, "max");
					long a = mn ? strtol(mn, NULL, 10) : 0;
					long b = mx ? strtol(mx, NULL, 10) : a;
					if (a >= 1 && b >= a && b <= KP_XLSX_MAX_COLS) {
						for (long k = a; k <= b && sh->hidden_cols < FIRST_MAX; k++)
							sh->hidden_col_first[sh->hidden_cols++] = k;
						if (sh->hidden_cols >= FIRST_MAX)
							sh->hidden_cols += 0;
						sh->nhidden_col_ranges += b - a + 1;
					}
				}
			} else if (strcmp(n, "mergeCell") == 0) {
				const char *ref = attr(p, "ref");
				const char *colon = ref ? strchr(ref, ':') : NULL;
				char a[16];
				long c1, r1, c2, r2;
				if (colon && (size_t)(colon - ref) < sizeof a) {
					memcpy(a, ref, (size_t)(colon - ref));
					a[colon - ref] = '\0';
					if (parse_ref(a, &c1, &r1) == 0 &&
					    parse_ref(colon + 1, &c2, &r2) == 0 && r1 && r2) {
						first_refs *f = !sh->header_row || r1 < sh->header_row
								    ? &sh->title_merges
							    : r1 == sh->header_row ? &sh->head_merges
										   : &sh->data_merges;
						refs_add(f, r1, c1, ref);
					}
				}
			} else if (strcmp(n, "drawing") == 0) {
				const char *id = attr(p, "id");
				if (id && !sh->drawing_id)
					sh->drawing_id = strdup(id);
			} else if (strcmp(n, "legacyDrawing") == 0) {
				sh->legacy_drawing = 1;
			}
		} else if (nt == XML_READER_TYPE_END_ELEMENT) {
			const char *n = local(p);
			if (n[0] == 'c' && n[1] == '\0' && in_c) {
				in_c = in_v = in_f = in_is = in_t = 0;
				skip = 0;
				if (cell_done(sh, row, col, type, style, has_f) != 0)
					goto oom;
			} else if (n[0] == 'v' && n[1] == '\0') {
				in_v = 0;
			} else if (n[0] == 'f' && n[1] == '\0') {
				in_f = 0;
			} else if (n[0] == 't' && n[1] == '\0') {
				in_t = 0;
			} else if (strcmp(n, "is") == 0) {
				in_is = 0;
			} else if (strcmp(n, "rPh") == 0 || strcmp(n, "phoneticPr") == 0) {
				if (skip)
					skip--;
			} else if (strcmp(n, "row") == 0 && in_row) {
				in_row = 0;
				row_facts(sh, row);
				if (sh->row_cols > 0) {
					sh->held = row;
					return 1;
				}
			}
		} else if ((in_v || (in_t && !skip)) && is_text(p)) {
			const char *v = (const char *)xmlTextReaderConstValue(p->xr);
			if (v && buf_add(&sh->cell, v, strlen(v)) != 0)
				goto oom;
			if (sh->cell.len > sh->x->lim.cell_bytes) {
				sheet_fail(sh, "a cell of the sheet holds more than the cell limit");
				return -1;
			}
		} else if (in_f && is_text(p) && sh->formula.len < 48) {
			const char *v = (const char *)xmlTextReaderConstValue(p->xr);
			if (v && buf_add(&sh->formula, v, strlen(v) < 48 ? strlen(v) : 48) != 0)
				goto oom;
		}
	}
	if (rc < 0) {
		sheet_fail(sh, p->why);
		return -1;
	}
	return 0;
oom:
	sheet_fail(sh, "out of memory");
	return -1;
}

int kp_xlsx_sheet_next(kp_xlsx_sheet *sh, kp_csvrecord *rec)
{
	if (sh->failed)
		return -1;
	if (sh->done || sh->stopped)
		return 0;
	if (!sh->held) {
		int rc = parse_row(sh);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			sh->done = 1;
			findings(sh);
			return 0;
		}
	}
	if (sh->next < sh->held) {
		/* a row the sheet leaves out: an empty record */
		memset(rec, 0, sizeof *rec);
		rec->number = rec->line = sh->next++;
		rec->offset = rec->end = -1;
		return 1;
	}
	make_record(sh, rec);
	sh->next = sh->held + 1;
	sh->held = 0;
	return 1;
}

int kp_xlsx_sheet_failed(const kp_xlsx_sheet *sh)
{
	return sh->failed;
}

void kp_xlsx_sheet_close(kp_xlsx_sheet *sh)
{
	if (!sh)
		return;
	part_close(&sh->p);
	free(sh->text.p);
	free(sh->cell.p);
	free(sh->formula.p);
	free(sh->at);
	free(sh->len);
	free(sh->cells);
	free(sh->cols);
	free(sh->drawing_id);
	free(sh);
}

/* ------------------------------------------------------------------------------------ */
/* The sheet's findings, once its rows are read */

typedef struct anchor {
	long row, col; /* 1-based; 0 for an absolute anchor */
	const char *kind;
	char name[64];
} anchor;

static const char *object_kind(const char *n)
{
	static const struct {
		const char *element, *kind;
	} kinds[] = {{"pic", "an image"},      {"graphicFrame", "a chart"},
		     {"sp", "a shape or text box"}, {"cxnSp", "a connector line"},
		     {"grpSp", "a group of shapes"}};
	for (size_t i = 0; i < NELEM(kinds); i++)
		if (strcmp(n, kinds[i].element) == 0)
			return kinds[i].kind;
	return NULL;
}

/* Reads the drawing part: each anchor's cell, kind and name; reports those over the
 * table (L1-10).  Objects beside the table are allowed, as in harunobu. */
static void drawing_findings(kp_xlsx_sheet *sh, const char *name)
{
	part p;
	if (part_open(sh->x, name, &p) <= 0)
		return;
	anchor a;
	memset(&a, 0, sizeof a);
	int depth = 0, in_from = 0, which = 0, in_anchor = 0;
	first_refs inside = {0};
	const char *first_kind = NULL;
	char first_name[64] = "";
	long outside = 0;
	int rc;
	while ((rc = part_next(&p)) == 1) {
		const char *n = local(&p);
		if (is_start(&p)) {
			int empty = xmlTextReaderIsEmptyElement(p.xr);
			if (strcmp(n, "twoCellAnchor") == 0 || strcmp(n, "oneCellAnchor") == 0 ||
			    strcmp(n, "absoluteAnchor") == 0) {
				memset(&a, 0, sizeof a);
				in_anchor = !empty;
				depth = xmlTextReaderDepth(p.xr);
			} else if (in_anchor && strcmp(n, "from") == 0) {
				in_from = !empty;
			} else if (in_from && strcmp(n, "col") == 0) {
				which = 1;
			} else if (in_from && strcmp(n, "row") == 0) {
				which = 2;
			} else if (in_anchor && !a.kind && xmlTextReaderDepth(p.xr) == depth + 1 &&
				   object_kind(n)) {
				a.kind = object_kind(n);
			} else if (in_anchor && strcmp(n, "cNvPr") == 0 && !a.name[0]) {
				const char *nm = attr(&p, "name");
				say(a.name, sizeof a.name, "%s", nm ? nm : "");
			}
		} else if (is_end(&p)) {
			if (strcmp(n, "from") == 0) {
				in_from = 0;
			} else if (strcmp(n, "col") == 0 || strcmp(n, "row") == 0) {
				which = 0;
			} else if (in_anchor && (strcmp(n, "twoCellAnchor") == 0 ||
						 strcmp(n, "oneCellAnchor") == 0 ||
						 strcmp(n, "absoluteAnchor") == 0)) {
				in_anchor = 0;
				if (!a.kind)
					continue;
				int over = a.row && sh->header_row && a.row >= sh->header_row &&
					   a.row <= sh->last_row && a.col >= sh->min_col &&
					   a.col <= sh->max_col;
				if (over) {
					if (!inside.count) {
						first_kind = a.kind;
						say(first_name, sizeof first_name, "%s", a.name);
					}
					refs_add(&inside, a.row, a.col, a.name);
				} else {
					outside++;
				}
			}
		} else if (which && is_text(&p)) {
			const char *v = (const char *)xmlTextReaderConstValue(p.xr);
			long k = v ? strtol(v, NULL, 10) : 0;
			if (k >= 0 && k < KP_XLSX_MAX_ROWS) {
				if (which == 1)
					a.col = k + 1;
				else
					a.row = k + 1;
			}
		}
	}
	part_close(&p);
	if (inside.count && !sh->stopped) {
		char list[200], ref[24];
		refs_list(&inside, list, sizeof list, 1);
		kp_xlsx_cell_name(inside.col[0], inside.row[0], ref, sizeof ref);
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "object",
			    "%ld object%s lie%s over the table (%s%s%s at %s; all: %s): a program "
			    "reading the cells never sees an image, a shape or a text box; delete "
			    "%s, and put what %s say%s in cells or in the dataset's description",
			    inside.count, inside.count == 1 ? "" : "s", inside.count == 1 ? "s" : "",
			    first_kind, first_name[0] ? " " : "", first_name, ref, list,
			    inside.count == 1 ? "it" : "them", inside.count == 1 ? "it" : "they",
			    inside.count == 1 ? "s" : "");
		d.rule = "L1-10";
		d.row = inside.row[0];
		d.column = inside.col[0];
		sheet_emit(sh, &d);
	}
	(void)outside;
}

static void comment_findings(kp_xlsx_sheet *sh, const char *name)
{
	part p;
	if (part_open(sh->x, name, &p) <= 0)
		return;
	int rc;
	while ((rc = part_next(&p)) == 1) {
		if (is_start(&p) && strcmp(local(&p), "comment") == 0) {
			const char *ref = attr(&p, "ref");
			long c, r;
			if (ref && parse_ref(ref, &c, &r) == 0)
				refs_add(&sh->comments, r, c, NULL);
		}
	}
	part_close(&p);
	if (sh->comments.count && !sh->stopped) {
		char list[160];
		refs_list(&sh->comments, list, sizeof list, 0);
		kp_diag d;
		kp_diag_set(&d, KP_SEV_WARNING, "comment",
			    "%ld cell%s carr%s a comment (%s): comments are not published with the "
			    "data; put what they say in a column or in the dataset's description",
			    sh->comments.count, sh->comments.count == 1 ? "" : "s",
			    sh->comments.count == 1 ? "ies" : "y", list);
		d.rule = "L1-04";
		d.row = sh->comments.row[0];
		d.column = sh->comments.col[0];
		sheet_emit(sh, &d);
	}
}

static void refs_finding(kp_xlsx_sheet *sh, const first_refs *f, kp_severity sev,
			 const char *code, const char *rule, const char *what, const char *fix,
			 int with_text)
{
	if (!f->count || sh->stopped)
		return;
	char list[220];
	refs_list(f, list, sizeof list, with_text);
	kp_diag d;
	kp_diag_set(&d, sev, code, "%ld %s (%s): %s", f->count, what, list, fix);
	d.rule = rule;
	d.row = f->row[0];
	d.column = f->col[0];
	sheet_emit(sh, &d);
}

static void column_findings(kp_xlsx_sheet *sh)
{
	for (size_t i = 0; i < sh->ncols && !sh->stopped; i++) {
		const colstat *c = &sh->cols[i];
		long col = (long)i + 1;
		char name[8];
		column_name(col, name, sizeof name);
		kp_diag d;
		if (c->cells < 2)
			continue;
		int fonts = c->nfonts >= 2 && c->font_row;
		int fills = c->nfills >= 2 && c->fill_row;
		int bold = c->bold && c->bold < c->cells;
		int italic = c->italic && c->italic < c->cells;
		if (fonts || fills) {
			kp_diag_set(&d, KP_SEV_ERROR, "format-as-meaning",
				    "column %s uses %s %s (from %s%ld): a colour is lost when the "
				    "table is read as data; say what it means in a column of its own "
				    "(e.g. 状態: 異常) and make the colours uniform",
				    name, fonts ? "font colours" : "fill colours",
				    fonts && fills ? "and fills" : "to mark cells", name,
				    fonts ? c->font_row : c->fill_row);
			d.rule = "L1-11";
			d.row = fonts ? c->font_row : c->fill_row;
			d.column = col;
			sheet_emit(sh, &d);
		} else if (bold || italic) {
			kp_diag_set(&d, KP_SEV_WARNING, "format-as-meaning",
				    "in column %s, %ld of %ld cells are %s (first %s%ld): if it "
				    "means something, say it in a column of its own; otherwise make "
				    "the column's cells alike",
				    name, bold ? c->bold : c->italic, c->cells, bold ? "bold" : "italic",
				    name, bold ? c->bold_row : c->italic_row);
			d.rule = "L1-11";
			d.row = bold ? c->bold_row : c->italic_row;
			d.column = col;
			sheet_emit(sh, &d);
		}
		if (c->numtext && c->nums && !sh->stopped) {
			kp_diag_set(&d, KP_SEV_WARNING, "number-as-text",
				    "%ld cell%s of column %s hold%s a number stored as text (first "
				    "%s%ld: %s) among %ld numbers: Excel sorts and sums them apart; "
				    "convert them (select the cells → the green triangle → 数値に変換)",
				    c->numtext, c->numtext == 1 ? "" : "s", name,
				    c->numtext == 1 ? "s" : "", name, c->numtext_row, c->numtext_cell,
				    c->nums);
			d.rule = "L2-01";
			d.row = c->numtext_row;
			d.column = col;
			sheet_emit(sh, &d);
		}
		if (c->datetext && c->dates && !sh->stopped) {
			kp_diag_set(&d, KP_SEV_WARNING, "date-as-text",
				    "%ld cell%s of column %s hold%s a date typed as text (first "
				    "%s%ld: %s) among %ld dates: retype them as dates (or use "
				    "データ → 区切り位置 → 日付) so the column is one type",
				    c->datetext, c->datetext == 1 ? "" : "s", name,
				    c->datetext == 1 ? "s" : "", name, c->datetext_row, c->datetext_cell,
				    c->dates);
			d.rule = "L2-01";
			d.row = c->datetext_row;
			d.column = col;
			sheet_emit(sh, &d);
		}
	}
}

static void findings(kp_xlsx_sheet *sh)
{
	if (!sh->header_row && sh->first_row) {
		sh->header_row = sh->first_row;
		sh->last_row = sh->first_row;
		sh->min_col = 1;
		sh->max_col = sh->width;
	}
	char fix[200];
	if (sh->formulas.count) {
		say(fix, sizeof fix,
			 "publish values: copy the cells, paste them as values (形式を選択して貼り"
			 "付け → 値)%s",
			 sh->uncached ? "; some have no saved result (never recalculated): they "
					"read empty"
				      : "");
		refs_finding(sh, &sh->formulas, KP_SEV_ERROR, "formula", "L2-06",
			     sh->formulas.count == 1 ? "cell holds a formula" : "cells hold formulas",
			     fix, 1);
	}
	refs_finding(sh, &sh->errors, KP_SEV_ERROR, "formula-error", "L2-06",
		     sh->errors.count == 1 ? "cell holds an error value" : "cells hold error values",
		     "a formula failed (a reference to a deleted cell, a division by zero); fix "
		     "the formula, then paste the values",
		     1);
	refs_finding(sh, &sh->data_merges, KP_SEV_ERROR, "merged-cell", "L1-12",
		     sh->data_merges.count == 1 ? "range of data cells is merged"
						: "ranges of data cells are merged",
		     "a merged range keeps its value in the first cell only, the others read "
		     "empty; unmerge (セルを結合して中央揃え off) and fill every cell",
		     1);
	refs_finding(sh, &sh->head_merges, KP_SEV_ERROR, "merged-cell", "L2-03",
		     sh->head_merges.count == 1 ? "range of header cells is merged"
						: "ranges of header cells are merged",
		     "the merged columns have no label of their own; unmerge and give each column "
		     "its own name in one header row (e.g. 人口_男, 人口_女)",
		     1);
	refs_finding(sh, &sh->title_merges, KP_SEV_WARNING, "merged-cell", "L1-12",
		     sh->title_merges.count == 1 ? "range above the header is merged"
						 : "ranges above the header are merged",
		     "titles belong in the dataset's description, not above the table; delete the "
		     "rows",
		     1);
	refs_finding(sh, &sh->hidden_rows, KP_SEV_ERROR, "hidden-row", "L1-13",
		     sh->hidden_rows.count == 1 ? "row is hidden" : "rows are hidden",
		     "hidden rows are still published; unhide them (select the rows around → "
		     "right-click → 再表示) and delete what must not be published",
		     0);
	if (sh->nhidden_col_ranges && !sh->stopped) {
		char list[120] = "";
		size_t o = 0;
		for (long i = 0; i < sh->hidden_cols && i < FIRST_MAX; i++) {
			char n[8];
			column_name(sh->hidden_col_first[i], n, sizeof n);
			o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", n);
		}
		if (sh->nhidden_col_ranges > FIRST_MAX && o < sizeof list)
			say(list + o, sizeof list - o, " and %ld more",
				 sh->nhidden_col_ranges - FIRST_MAX);
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "hidden-column",
			    "%ld column%s hidden (%s): hidden columns are still published; unhide "
			    "them (select the columns around → right-click → 再表示) and delete what "
			    "must not be published",
			    sh->nhidden_col_ranges, sh->nhidden_col_ranges == 1 ? " is" : "s are", list);
		d.rule = "L1-13";
		d.column = sh->hidden_col_first[0];
		d.row = 0;
		sheet_emit(sh, &d);
	}
	refs_finding(sh, &sh->breaks, KP_SEV_WARNING, "line-break", "L1-07",
		     sh->breaks.count == 1 ? "cell holds a line break" : "cells hold line breaks",
		     "one value per cell: split lines that are separate values into rows or "
		     "columns, and let Excel wrap long text (折り返して全体を表示) instead of "
		     "breaking it",
		     1);
	column_findings(sh);
	/* the sheet's relationships: drawings and comments */
	rels r;
	char why[200];
	if (!sh->stopped && rels_read(sh->x, sh->e->part, &r, why, sizeof why) == 0) {
		const rel *dr = sh->drawing_id ? rels_by_id(&r, sh->drawing_id) : NULL;
		if (dr && dr->target && strcmp(dr->type, "drawing") == 0)
			drawing_findings(sh, dr->target);
		const rel *cm = rels_by_type(&r, "comments");
		if (cm)
			comment_findings(sh, cm->target);
		rels_free(&r);
	}
}
