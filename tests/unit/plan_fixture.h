/* Helpers shared by the plan unit tests: the sample document and edits of it.
 * Included by tests/unit/test_plan*.c only (static functions, one copy per test). */
#ifndef KP_TEST_PLAN_FIXTURE_H
#define KP_TEST_PLAN_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/files.h"

#define SAMPLE_DIR "samples/kanazawa-2019"

/* Path under the checkout ($KPLAN_TOP, else the current directory). */
static __attribute__((unused)) char *top_path(const char *rel)
{
	const char *top = getenv("KPLAN_TOP");
	if (!top || !*top)
		top = ".";
	size_t n = strlen(top) + strlen(rel) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", top, rel);
	return p;
}

/* Whole file as a NUL-terminated string (caller frees); NULL when unreadable. */
static __attribute__((unused)) char *slurp(const char *rel, size_t *len)
{
	char *path = top_path(rel);
	char *data = NULL;
	size_t n = 0;
	kp_diag err;
	if (!path || kp_files_read_all(path, 64u << 20, &data, &n, &err))
		data = NULL;
	free(path);
	if (len)
		*len = n;
	return data;
}

static __attribute__((unused)) char *sample_text(void)
{
	return slurp(SAMPLE_DIR "/plan.md", NULL);
}

/* Offset of the start of 1-based line `line` in s, or strlen(s) when past the end. */
static __attribute__((unused)) size_t line_start(const char *s, long line)
{
	size_t i = 0;
	for (long l = 1; l < line && s[i]; i++)
		if (s[i] == '\n')
			l++;
	return i;
}

/* A copy of s with lines [from, to] (1-based, inclusive) removed. */
static __attribute__((unused)) char *without_lines(const char *s, long from, long to)
{
	size_t a = line_start(s, from), b = line_start(s, to + 1), n = strlen(s);
	char *r = malloc(n + 1);
	if (!r)
		return NULL;
	memcpy(r, s, a);
	memcpy(r + a, s + b, n - b + 1);
	return r;
}

/* A copy of s cut at the start of line `line` plus `extra` bytes of it. */
static __attribute__((unused)) char *cut_at(const char *s, long line, size_t extra)
{
	size_t a = line_start(s, line) + extra;
	char *r = malloc(a + 1);
	if (!r)
		return NULL;
	memcpy(r, s, a);
	r[a] = '\0';
	return r;
}

/* A copy of s with bytes inserted at the start of line `line` plus `extra`. */
static __attribute__((unused)) char *insert_at(const char *s, long line, size_t extra,
					       const char *ins, size_t inslen)
{
	size_t a = line_start(s, line) + extra, n = strlen(s);
	char *r = malloc(n + inslen + 1);
	if (!r)
		return NULL;
	memcpy(r, s, a);
	memcpy(r + a, ins, inslen);
	memcpy(r + a + inslen, s + a, n - a + 1);
	return r;
}

/* A copy of s with the first occurrence of `old` replaced by `new_`; NULL if absent. */
static __attribute__((unused)) char *replace_first(const char *s, const char *old, const char *new_)
{
	const char *p = strstr(s, old);
	if (!p)
		return NULL;
	size_t n = strlen(s), lo = strlen(old), ln = strlen(new_), a = (size_t)(p - s);
	char *r = malloc(n - lo + ln + 1);
	if (!r)
		return NULL;
	memcpy(r, s, a);
	memcpy(r + a, new_, ln);
	memcpy(r + a + ln, p + lo, n - a - lo + 1);
	return r;
}

/* A copy of s with every line transformed: suffix appended before its end of line,
 * and "\n" replaced by eol. */
static __attribute__((unused)) char *map_lines(const char *s, const char *suffix, const char *eol)
{
	size_t n = strlen(s), lines = 1;
	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n';
	char *r = malloc(n + lines * (strlen(suffix) + strlen(eol)) + 1);
	if (!r)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '\n') {
			memcpy(r + o, suffix, strlen(suffix));
			o += strlen(suffix);
			if (i == n)
				break;
			memcpy(r + o, eol, strlen(eol));
			o += strlen(eol);
		} else {
			r[o++] = s[i];
		}
	}
	r[o] = '\0';
	return r;
}

#endif
