/* rules — what people read about a finding: the Digital Agency's machine-readability
 * rules (「行政データにおける機械可読性に関するルール」, PDL 1.0) by id, and a short name for
 * each finding code.  Data, translated where used: the English texts are msgids whose
 * Japanese translations are the Agency's own titles, verbatim.
 */
#ifndef KP_RULES_H
#define KP_RULES_H

typedef struct kp_rule_text {
	const char *id;      /* "L1-08" */
	const char *title;   /* the checklist question (English msgid) */
	const char *summary; /* what the rule asks, one sentence (English msgid) */
} kp_rule_text;

/* The rule with this id, or NULL.  Texts are translated once the library is localized. */
const kp_rule_text *kp_rules_find(const char *id);

/* Rule number i (0-based, in the Agency's order), or NULL past the last. */
const kp_rule_text *kp_rules_at(unsigned i);

/* Translated title and summary of a rule (NULL-safe: "" for NULL). */
const char *kp_rules_title(const kp_rule_text *r);
const char *kp_rules_summary(const kp_rule_text *r);

/* A short name for a finding code ("type-error" → "a value of the wrong type"), translated;
 * the code itself when kplan has no name for it. */
const char *kp_rules_code_name(const char *code);

/* The attribution the Agency's licence asks for, translated. */
const char *kp_rules_source(void);

#endif
