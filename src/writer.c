#include "writer.h"

#include <stdlib.h>
#include <string.h>

static const kp_writer_ops *const formats[] = {&kp_write_csv_ops, &kp_write_json_ops,
					       &kp_write_rdf_ops};

const kp_writer_ops *kp_writer_find(const char *format)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i]->format, format) == 0)
			return formats[i];
	return NULL;
}

#define XSD "http://www.w3.org/2001/XMLSchema#"

static const struct {
	const char *type;
	kp_wkind kind;
	const char *xsd;
} kinds[] = {
    {"string", KP_WK_STRING, NULL},
    {"integer", KP_WK_INTEGER, XSD "integer"},
    {"number", KP_WK_NUMBER, XSD "decimal"},
    {"boolean", KP_WK_BOOLEAN, XSD "boolean"},
    {"date", KP_WK_DATE, XSD "date"},
    {"time", KP_WK_TIME, XSD "time"},
    {"datetime", KP_WK_DATETIME, XSD "dateTime"},
    {"year", KP_WK_YEAR, XSD "gYear"},
    {"yearmonth", KP_WK_YEARMONTH, XSD "gYearMonth"},
    {"duration", KP_WK_DURATION, XSD "duration"},
};

kp_wkind kp_writer_kind(const char *type)
{
	for (size_t i = 0; type && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].type, type) == 0)
			return kinds[i].kind;
	return KP_WK_OTHER;
}

const char *kp_writer_xsd(kp_wkind kind, const char *s, size_t len)
{
	if (kind == KP_WK_NUMBER) {
		/* xsd:decimal has no exponent and no special values; those are xsd:double. */
		for (size_t i = 0; i < len; i++)
			if (s[i] == 'e' || s[i] == 'E' || s[i] == 'N' || s[i] == 'I')
				return XSD "double";
	}
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].kind == kind)
			return kinds[i].xsd;
	return NULL;
}

int kp_writer_next_item(const kp_wcell *c, const char *sep, size_t *pos, const char **item,
			size_t *ilen)
{
	if (c->null || *pos > c->len || c->len == 0)
		return 0;
	size_t slen = strlen(sep);
	const char *start = c->s + *pos;
	size_t left = c->len - *pos;
	size_t n = left;
	for (size_t i = 0; slen && i + slen <= left; i++)
		if (memcmp(start + i, sep, slen) == 0) {
			n = i;
			break;
		}
	*item = start;
	*ilen = n;
	/* Past the end once the last item is taken, so the next call returns 0. */
	*pos += n + (n < left ? slen : 1);
	return 1;
}

int kp_wbuf_init(kp_wbuf *b, FILE *fp, size_t cap)
{
	b->p = malloc(cap ? cap : 1);
	b->len = 0;
	b->cap = b->p ? cap : 0;
	b->fp = fp;
	b->failed = 0;
	return b->p ? 0 : -1;
}

int kp_wbuf_flush(kp_wbuf *b)
{
	/* Writers own their stream, from one thread: no lock round trip. */
	if (b->len && !b->failed && fwrite_unlocked(b->p, 1, b->len, b->fp) != b->len)
		b->failed = 1;
	b->len = 0;
	return b->failed || ferror(b->fp) ? -1 : 0;
}

char *kp_wbuf_make_room(kp_wbuf *b, size_t n)
{
	if (kp_wbuf_flush(b) != 0)
		return NULL;
	if (n > b->cap) {
		char *p = realloc(b->p, n);
		if (!p)
			return NULL;
		b->p = p;
		b->cap = n;
	}
	return b->p;
}

void kp_wbuf_release(kp_wbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
