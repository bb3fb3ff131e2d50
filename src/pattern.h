/* pattern — Table Schema `pattern` constraints, matched in time linear in the cell.
 *
 * A pattern must match the whole value.  It is compiled with PCRE2 in UTF mode with
 * Unicode classes (\d is any decimal digit, as in XML Schema and in Python, so a
 * full-width digit is one) and matched with PCRE2's DFA matcher, which never
 * backtracks: `(a|aa)*c` on a 4 MiB cell costs what `a*c` does.  Written as
 * frictionless-py users write them, `^…$` anchors are anchors.
 *
 * XML Schema syntax PCRE2 does not read (\i, \c, \p{IsBlock}, class subtraction
 * `[a-z-[aeiou]]`) is compiled by libxml2 instead, but only when its automaton is
 * deterministic (then its matching is linear too); any other such pattern is refused
 * at load with a message saying how to rewrite it.
 */
#ifndef KP_PATTERN_H
#define KP_PATTERN_H

#include <stddef.h>

typedef struct kp_pattern kp_pattern;

/* Compiles pattern[0..n).  Returns the pattern, or NULL with why (at most whylen bytes)
 * saying what is wrong (why is "out of memory" when that is the reason). */
kp_pattern *kp_pattern_compile(const char *pattern, size_t n, char *why, size_t whylen);

/* 1 when s[0..n) matches as a whole, 0 when it does not, -1 when the match could not be
 * decided within the matcher's bounds (a pathological pattern; the caller reports it). */
int kp_pattern_match(const kp_pattern *p, const char *s, size_t n);

void kp_pattern_free(kp_pattern *p);

#endif
