#include "score.h"

#include <stdlib.h>
#include <string.h>

static const struct rule {
	char id[6];
	unsigned char sev;       /* the rule's class severity (KP_SCORE_NONE: not scored) */
	unsigned char error_sev; /* an error finding's severity when harunobu raises it */
	unsigned char warn_fails; /* a warning fails the rule */
} rules[KP_SCORE_RULES] = {
    /* an .xlsm's macros are a warning: harunobu reads .xlsm as it reads .xlsx */
    {"L1-01", KP_SCORE_FATAL, 0, 0},    {"L1-02", KP_SCORE_FATAL, 0, 1},
    {"L1-03", KP_SCORE_CRITICAL, 0, 1}, {"L1-04", KP_SCORE_MAJOR, 0, 1},
    {"L1-05", KP_SCORE_CRITICAL, 0, 1}, {"L1-06", KP_SCORE_CRITICAL, 0, 1},
    {"L1-07", KP_SCORE_CRITICAL, 0, 1},
    /* 機種依存文字: harunobu fails only a CP932 CSV (kplan's error), passes with warnings */
    {"L1-08", KP_SCORE_CRITICAL, 0, 0},
    {"L1-09", KP_SCORE_NONE, 0, 0}, /* only with its AI */
    {"L1-10", KP_SCORE_CRITICAL, 0, 1}, {"L1-11", KP_SCORE_CRITICAL, 0, 1},
    /* a merge in the data is FATAL at run time; above the header it passes */
    {"L1-12", KP_SCORE_CRITICAL, KP_SCORE_FATAL, 0},
    /* hidden rows and columns are errors; a hidden sheet (a warning) it never looks at */
    {"L1-13", KP_SCORE_CRITICAL, 0, 0}, {"L1-14", KP_SCORE_FATAL, 0, 1},
    {"L1-15", KP_SCORE_FATAL, 0, 1},
    /* numbers or dates stored as text (kplan's warnings) pass harunobu's L2-01 */
    {"L2-01", KP_SCORE_FATAL, 0, 0},    {"L2-02", KP_SCORE_FATAL, 0, 1},
    {"L2-03", KP_SCORE_FATAL, 0, 1},    {"L2-04", KP_SCORE_CRITICAL, 0, 1},
    {"L2-05", KP_SCORE_MAJOR, 0, 1},    {"L2-06", KP_SCORE_MAJOR, 0, 1},
    {"L3-01", KP_SCORE_FATAL, 0, 1},    {"L3-02", KP_SCORE_NONE, 0, 0},
    {"L3-03", KP_SCORE_NONE, 0, 0},     {"L3-04", KP_SCORE_MAJOR, 0, 1},
    {"L3-05", KP_SCORE_MAJOR, 0, 1},    {"L3-06", KP_SCORE_CRITICAL, 0, 1},
    {"L3-07", KP_SCORE_NONE, 0, 0}, /* only across files of several years */
    {"L3-08", KP_SCORE_NONE, 0, 0},     {"L3-09", KP_SCORE_MAJOR, 0, 1},
};

/* points per level (1..3) and severity (MINOR..CRITICAL) */
static const int points[3][4] = {{0, 2, 5, 10}, {0, 10, 30, 40}, {0, 5, 10, 15}};

void kp_score_init(kp_score *s)
{
	memset(s, 0, sizeof *s);
}

static int rule_index(const char *id)
{
	/* "L<level>-<nn>": level 1 holds 15 rules, level 2 six, level 3 nine */
	static const int first[3] = {0, 15, 21}, count[3] = {15, 6, 9};
	if (!id || id[0] != 'L' || id[1] < '1' || id[1] > '3' || id[2] != '-' || !id[3] || !id[4] ||
	    id[5])
		return -1;
	int lv = id[1] - '1', n = (id[3] - '0') * 10 + (id[4] - '0');
	if (n < 1 || n > count[lv])
		return -1;
	return first[lv] + n - 1;
}

/* findings whose severity harunobu sets apart from the rule's class */
static const struct {
	const char *code, *rule;
	unsigned char sev;
} by_code[] = {
    {"multi-row-header", "L3-01", KP_SCORE_MAJOR}, /* a header of three rows or more */
};

void kp_score_add(kp_score *s, const kp_diag *d)
{
	int i = rule_index(d->rule);
	if (i < 0 || !rules[i].sev || d->severity == KP_SEV_INFO)
		return;
	if (d->severity == KP_SEV_WARNING && !rules[i].warn_fails)
		return;
	unsigned char sev = d->severity == KP_SEV_ERROR && rules[i].error_sev ? rules[i].error_sev
									      : rules[i].sev;
	for (size_t k = 0; k < sizeof by_code / sizeof by_code[0]; k++)
		if (strcmp(d->code, by_code[k].code) == 0 && strcmp(d->rule, by_code[k].rule) == 0)
			sev = by_code[k].sev;
	if (sev > s->failed[i])
		s->failed[i] = sev;
}

int kp_score_level(const kp_score *s, int level)
{
	if (level < 1 || level > 3)
		return 0;
	int score = 100;
	for (int i = 0; i < KP_SCORE_RULES; i++) {
		if (rules[i].id[1] - '0' != level || !s->failed[i])
			continue;
		if (s->failed[i] == KP_SCORE_FATAL)
			return 0;
		score -= points[level - 1][s->failed[i]];
	}
	return score < 0 ? 0 : score;
}

const char *kp_score_failed(const kp_score *s, size_t i, kp_score_sev *sev)
{
	for (int k = 0; k < KP_SCORE_RULES; k++)
		if (s->failed[k] && i-- == 0) {
			if (sev)
				*sev = (kp_score_sev)s->failed[k];
			return rules[k].id;
		}
	return NULL;
}

const char *kp_score_sev_name(kp_score_sev sev)
{
	static const char *const names[] = {"", "MINOR", "MAJOR", "CRITICAL", "FATAL"};
	return (unsigned)sev < 5 ? names[sev] : "";
}
