#include "csvout.h"

#include <string.h>

void kp_csvout_init(kp_csvout *w, FILE *fp, const char *eol)
{
	w->fp = fp;
	w->eol = eol ? eol : "\r\n";
	w->first = 1;
	w->quote_all = 0;
}

static int needs_quotes(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t')
		return 1;
	for (size_t i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

void kp_csvout_cell(kp_csvout *w, const char *s, size_t len)
{
	if (!w->first)
		putc(',', w->fp);
	w->first = 0;
	if (!w->quote_all && !needs_quotes(s, len)) {
		fwrite(s, 1, len, w->fp);
		return;
	}
	putc('"', w->fp);
	const char *end = s + len;
	while (s < end) {
		const char *q = memchr(s, '"', (size_t)(end - s));
		size_t n = q ? (size_t)(q - s) + 1 : (size_t)(end - s);
		fwrite(s, 1, n, w->fp);
		if (q)
			putc('"', w->fp);
		s += n;
	}
	putc('"', w->fp);
}

void kp_csvout_str(kp_csvout *w, const char *s)
{
	kp_csvout_cell(w, s ? s : "", s ? strlen(s) : 0);
}

void kp_csvout_end_row(kp_csvout *w)
{
	fputs(w->eol, w->fp);
	w->first = 1;
}

int kp_csvout_status(const kp_csvout *w)
{
	return ferror(w->fp) ? -1 : 0;
}
