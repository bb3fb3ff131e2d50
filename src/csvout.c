#include "csvout.h"

#include <string.h>

void kp_csvout_init(kp_csvout *w, FILE *fp, const char *eol)
{
	w->fp = fp;
	w->eol = eol ? eol : "\r\n";
	w->first = 1;
	w->quote_all = 0;
}

/* Bytes that force quotes anywhere in a cell (1), or at its start or end (2). */
const unsigned char kp_csvout_class[256] = {
    [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1, [' '] = 2, ['\t'] = 2};
#define special(c) (kp_csvout_class[c] & 1)

static int needs_quotes(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t')
		return 1;
	for (size_t i = 0; i < len; i++)
		if (special((unsigned char)s[i]))
			return 1;
	return 0;
}

/* A writer owns its stream and is used from one thread: the unlocked stdio calls save
 * a lock round trip per cell (exports write millions of cells). */
void kp_csvout_cell(kp_csvout *w, const char *s, size_t len)
{
	if (!w->first)
		putc_unlocked(',', w->fp);
	w->first = 0;
	if (!w->quote_all && !needs_quotes(s, len)) {
		fwrite_unlocked(s, 1, len, w->fp);
		return;
	}
	putc_unlocked('"', w->fp);
	const char *end = s + len;
	while (s < end) {
		const char *q = memchr(s, '"', (size_t)(end - s));
		size_t n = q ? (size_t)(q - s) + 1 : (size_t)(end - s);
		fwrite_unlocked(s, 1, n, w->fp);
		if (q)
			putc_unlocked('"', w->fp);
		s += n;
	}
	putc_unlocked('"', w->fp);
}

size_t kp_csvout_format(char *dst, const char *s, size_t len, int quote_all)
{
	if (!quote_all) {
		/* Copy and look for the bytes that force quotes in one go: most cells need
		 * none, and then the copy is the result. */
		unsigned char any = 0;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)s[i];
			dst[i] = (char)c;
			any |= special(c);
		}
		if (len == 0 || (!any && s[0] != ' ' && s[0] != '\t' && s[len - 1] != ' ' &&
				 s[len - 1] != '\t'))
			return len;
	}
	char *d = dst;
	*d++ = '"';
	for (size_t i = 0; i < len; i++) {
		*d++ = s[i];
		if (s[i] == '"')
			*d++ = '"';
	}
	*d++ = '"';
	return (size_t)(d - dst);
}

void kp_csvout_str(kp_csvout *w, const char *s)
{
	kp_csvout_cell(w, s ? s : "", s ? strlen(s) : 0);
}

void kp_csvout_end_row(kp_csvout *w)
{
	fwrite_unlocked(w->eol, 1, strlen(w->eol), w->fp);
	w->first = 1;
}

int kp_csvout_status(const kp_csvout *w)
{
	return ferror(w->fp) ? -1 : 0;
}
