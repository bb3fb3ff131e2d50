/* pattern — see pattern.h. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "i18n.h"
#include "pattern.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlregexp.h>
#include <pcre2.h>

/* Bounds of one DFA match: the states it may keep at once and the work it may do.
 * Real patterns stay far below; reaching one is reported, never waited out. */
enum { DFA_WORKSPACE = 4096, MATCH_LIMIT = 10000000, HEAP_LIMIT_KIB = 65536 };

struct kp_pattern {
	pcre2_code *code;	  /* owned, or NULL when xsd is used */
	pcre2_match_context *mc;  /* owned: the limits */
	xmlRegexpPtr xsd;	  /* owned: an XML Schema-only pattern (deterministic) */
};

/* Syntax only XML Schema has: multi-character escapes \i \I \c \C, block escapes
 * \p{IsX}, and class subtraction "-[" inside a class. */
static int xsd_only(const char *p, size_t n)
{
	int in_class = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n) {
			char e = p[i + 1];
			if (e == 'i' || e == 'I' || e == 'c' || e == 'C')
				return 1;
			if ((e == 'p' || e == 'P') && i + 4 < n && p[i + 2] == '{' && p[i + 3] == 'I' &&
			    p[i + 4] == 's')
				return 1;
			i++;
			continue;
		}
		if (p[i] == '[')
			in_class = 1;
		else if (p[i] == ']')
			in_class = 0;
		if (in_class && p[i] == '-' && i + 1 < n && p[i + 1] == '[')
			return 1;
	}
	return 0;
}

struct xsd_error {
	char *why;
	size_t len;
	int set;
};

static void xsd_error_handler(void *ctx, xmlErrorPtr e)
{
	struct xsd_error *x = ctx;
	if (x->set || !e || !e->message)
		return;
	snprintf(x->why, x->len, _("invalid XML Schema regular expression: %s"), e->message);
	size_t l = strlen(x->why);
	while (l && x->why[l - 1] == '\n')
		x->why[--l] = '\0';
	x->set = 1;
}

static kp_pattern *compile_xsd(kp_pattern *p, const char *pattern, char *why, size_t whylen)
{
	/* libxml2 reports compile errors through its handler, which prints by default;
	 * the library never prints, so the message is captured instead. */
	struct xsd_error x = {why, whylen, 0};
	xmlStructuredErrorFunc saved = xmlStructuredError;
	void *saved_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(&x, xsd_error_handler);
	p->xsd = xmlRegexpCompile((const xmlChar *)pattern);
	xmlSetStructuredErrorFunc(saved_ctx, saved);
	if (!p->xsd) {
		if (!x.set)
			snprintf(why, whylen, _("invalid XML Schema regular expression"));
		kp_pattern_free(p);
		return NULL;
	}
	if (xmlRegexpIsDeterminist(p->xsd) != 1) {
		snprintf(why, whylen,
			 "%s", _("this XML Schema pattern can take exponential time to match; write it "
			 "without \\i, \\c, \\p{Is…} and class subtraction (for example "
			 "[a-z-[aeiou]] as [b-df-hj-np-tv-z])"));
		kp_pattern_free(p);
		return NULL;
	}
	return p;
}

kp_pattern *kp_pattern_compile(const char *pattern, size_t n, char *why, size_t whylen)
{
	kp_pattern *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (xsd_only(pattern, n))
		return compile_xsd(p, pattern, why, whylen);
	/* Its own syntax first, so a message points into the pattern as written. */
	int code;
	PCRE2_SIZE at;
	pcre2_code *raw = pcre2_compile((PCRE2_SPTR)pattern, n, PCRE2_UTF | PCRE2_UCP, &code, &at, NULL);
	if (!raw) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		/* the offset is in bytes; people count characters */
		snprintf(why, whylen, _("invalid regular expression at character %zu: %s"),
			 kp_text_utf8_length(pattern, at < n ? at : n) + 1, (const char *)msg);
		kp_pattern_free(p);
		return NULL;
	}
	pcre2_code_free(raw);
	/* The whole value must match: the pattern in a group, anchored at both ends by
	 * the match options (so "a|b" is (?:a|b), not ^a|b$). */
	char *wrapped = malloc(n + 8);
	if (!wrapped) {
		kp_pattern_free(p);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	memcpy(wrapped, "(?:", 3);
	memcpy(wrapped + 3, pattern, n);
	memcpy(wrapped + 3 + n, ")", 2);
	p->code = pcre2_compile((PCRE2_SPTR)wrapped, n + 4, PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK,
				&code, &at, NULL);
	free(wrapped);
	if (!p->code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		snprintf(why, whylen, _("cannot compile: %s"), (const char *)msg);
		kp_pattern_free(p);
		return NULL;
	}
	p->mc = pcre2_match_context_create(NULL);
	if (!p->mc) {
		kp_pattern_free(p);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	pcre2_set_match_limit(p->mc, MATCH_LIMIT);
	pcre2_set_heap_limit(p->mc, HEAP_LIMIT_KIB);
	pcre2_set_depth_limit(p->mc, 10000);
	/* The DFA matcher refuses a few Perl items (backreferences, conditions on groups):
	 * find out now, on the empty text, not on every cell. */
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int ws[64];
	int rc = md ? pcre2_dfa_match(p->code, (PCRE2_SPTR) "", 0, 0, 0, md, p->mc, ws, 64)
		    : PCRE2_ERROR_NOMEMORY;
	pcre2_match_data_free(md);
	uint32_t backrefs = 0;
	pcre2_pattern_info(p->code, PCRE2_INFO_BACKREFMAX, &backrefs);
	if (backrefs || rc == PCRE2_ERROR_DFA_UITEM || rc == PCRE2_ERROR_DFA_UCOND ||
	    rc == PCRE2_ERROR_DFA_UINVALID_UTF || rc == PCRE2_ERROR_DFA_RECURSE) {
		snprintf(why, whylen,
			 _("backreferences, recursion and conditions are not supported in a pattern"));
		kp_pattern_free(p);
		return NULL;
	}
	return p;
}

int kp_pattern_match(const kp_pattern *p, const char *s, size_t n)
{
	if (p->xsd) {
		/* A NUL inside the cell cannot match an XSD pattern over the whole value. */
		if (memchr(s, '\0', n))
			return 0;
		char stack[1024], *buf = n < sizeof stack ? stack : malloc(n + 1);
		if (!buf)
			return -1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		int m = xmlRegexpExec(p->xsd, (const xmlChar *)buf);
		if (buf != stack)
			free(buf);
		return m == 1 ? 1 : m == 0 ? 0 : -1;
	}
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	if (!md)
		return -1;
	int ws[DFA_WORKSPACE];
	int rc = pcre2_dfa_match(p->code, (PCRE2_SPTR)s, n, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED,
				 md, p->mc, ws, DFA_WORKSPACE);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	/* text that is not UTF-8 (reported as such elsewhere) matches no pattern */
	if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL ||
	    (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21))
		return 0;
	return -1;
}

void kp_pattern_free(kp_pattern *p)
{
	if (!p)
		return;
	pcre2_code_free(p->code);
	pcre2_match_context_free(p->mc);
	if (p->xsd)
		xmlRegFreeRegexp(p->xsd);
	free(p);
}
