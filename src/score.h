/* score — the Digital Agency's machine-readability score per level, as its checker
 * (harunobu) computes it from the rules a table fails.
 *
 * A rule fails when the table has an error finding of it, or a warning (harunobu counts
 * every violation) — except where harunobu passes with a warning: L1-08 outside legacy
 * encodings, L1-12 above the header.  Each failed rule deducts its severity's points from
 * its level's 100 once per table (L1: CRITICAL 10, MAJOR 5, MINOR 2; L2: 40, 30, 10; L3:
 * 15, 10, 5); a FATAL rule sets its level to 0.  Rules harunobu does not score (L1-09
 * without AI, L3-02, L3-03, L3-07 on one file, L3-08) are left out.  The table of rules
 * and severities is data (score.c), from harunobu's docs/rule_scoring_table.csv and the
 * severities its rules set at run time (a data merge is FATAL).
 */
#ifndef KP_SCORE_H
#define KP_SCORE_H

#include "diag.h"

typedef enum kp_score_sev {
	KP_SCORE_NONE = 0,
	KP_SCORE_MINOR,
	KP_SCORE_MAJOR,
	KP_SCORE_CRITICAL,
	KP_SCORE_FATAL
} kp_score_sev;

#define KP_SCORE_RULES 30 /* L1-01..L1-15, L2-01..L2-06, L3-01..L3-09 */

typedef struct kp_score {
	unsigned char failed[KP_SCORE_RULES]; /* per rule: the kp_score_sev it failed with */
} kp_score;

void kp_score_init(kp_score *s);

/* Counts one finding (any without a rule, or of a rule not scored, is ignored). */
void kp_score_add(kp_score *s, const kp_diag *d);

/* The score of level 1..3 (0..100). */
int kp_score_level(const kp_score *s, int level);

/* The i-th failed rule (0-based, in rule order): its id and severity; NULL past the end. */
const char *kp_score_failed(const kp_score *s, size_t i, kp_score_sev *sev);

/* "FATAL", "CRITICAL", "MAJOR", "MINOR". */
const char *kp_score_sev_name(kp_score_sev sev);

#endif
