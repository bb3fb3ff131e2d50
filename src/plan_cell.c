/* plan_cell — the grammar of a year cell and of the 【…実績 → …目標】 annotation.
 *
 *   cell    = "" | dash | stage | figure | text
 *   figure  = [basis SP*] number SP* unit ["/" per] [qualifier]
 *   basis   = "対" … "比"                      (対H25比)
 *   number  = digits with "," every three digits, optional ".digits"
 *   text    = Japanese words with no digit, mark or symbol (前年度よりも削減)
 *
 * Every vocabulary (dashes, stage symbols, periods, qualifiers, annotation words) is a
 * table below.  A cell that fits none of the forms is an error: the importer never
 * guesses what a number or a symbol means. */
#include "i18n.h"
#include "plan_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const dashes[] = {"-", "—", "－", "―", "‐", "–", "ー"};

static const struct {
	const char *symbol;
	int stage;
} stage_symbols[] = {
    {"△", 1}, {"□", 2}, {"○", 3}, {"◯", 3}, {"◎", 4},
};

/* Index = stage; the legend of the document names them. */
static const char *const stage_labels[] = {
    "", "研究・検討", "方針決定", "試行・一部実施・策定", "施行・本格実施・充実",
};

/* "/年": the period a quantity is counted over. */
static const char *const periods[] = {"年"};

static const char *const qualifiers[] = {"以上", "以下", "未満", "程度"};

/* What an annotation may add after the qualifier: 10%未満を堅持. */
static const char *const goal_suffixes[] = {"を堅持"};

/* Characters a unit never contains (they mean the cell is something else). */
static const char *const unit_forbidden[] = {"<", ">",	"※", "【", "】", "△", "□",  "○", "◎",
					     "→", "：", ":", "■",  "(",	 ")", "（", "）"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void why_set(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, _(fmt), ap);
	va_end(ap);
}

const char *kp_plan_stage_label(int stage)
{
	return stage >= 1 && stage <= 4 ? stage_labels[stage] : "";
}

const char *kp_plan_kind_name(kp_plan_kind kind)
{
	switch (kind) {
	case KP_PLAN_STAGE:
		return "stage";
	case KP_PLAN_NUMERIC:
		return "numeric";
	case KP_PLAN_TEXT:
		return "text";
	case KP_PLAN_NONE:
		break;
	}
	return "none";
}

static int eq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static size_t starts(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && memcmp(s, w, k) == 0 ? k : 0;
}

int kp_plan_stage_of(const char *s, size_t n)
{
	for (size_t i = 0; i < N(stage_symbols); i++)
		if (eq(s, n, stage_symbols[i].symbol))
			return stage_symbols[i].stage;
	return 0;
}

/* Skips white space (ASCII and U+3000) from *i. */
static void skip_space(const char *s, size_t n, size_t *i)
{
	while (*i < n) {
		uint32_t cp;
		size_t k = kp_plan_u8_decode(s + *i, n - *i, &cp);
		if (k == 0 || !kp_plan_is_space(cp))
			break;
		*i += k;
	}
}

/* number = d{1,3}(,ddd)* | d+ ; then optional .d+ .  Writes the plain number. */
static int parse_number(const char *s, size_t n, size_t *i, char *out, size_t cap)
{
	size_t b = *i, o = 0, lead = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9')
		(*i)++, lead++;
	if (lead == 0)
		return -1;
	if (*i < n && s[*i] == ',') {
		if (lead > 3)
			return -1;
		while (*i + 3 < n && s[*i] == ',' && s[*i + 1] >= '0' && s[*i + 1] <= '9' &&
		       s[*i + 2] >= '0' && s[*i + 2] <= '9' && s[*i + 3] >= '0' &&
		       s[*i + 3] <= '9') {
			*i += 4;
			if (*i < n && s[*i] >= '0' && s[*i] <= '9')
				return -1; /* four digits after a comma */
		}
		if (*i < n && s[*i] == ',')
			return -1;
	}
	if (*i + 1 < n && s[*i] == '.' && s[*i + 1] >= '0' && s[*i + 1] <= '9') {
		(*i)++;
		while (*i < n && s[*i] >= '0' && s[*i] <= '9')
			(*i)++;
	}
	for (size_t k = b; k < *i; k++) {
		if (s[k] == ',')
			continue;
		if (o + 1 >= cap)
			return -1;
		out[o++] = s[k];
	}
	out[o] = '\0';
	return 0;
}

static size_t match_any(const char *s, size_t n, const char *const *words, size_t nw, size_t *which)
{
	for (size_t k = 0; k < nw; k++) {
		size_t l = starts(s, n, words[k]);
		if (l) {
			if (which)
				*which = k;
			return l;
		}
	}
	return 0;
}

/* A unit is "%" or a word of letters (人, 町会等, 地区, t): anything else glued to a
 * number ("%超", "人+") is a form this importer does not know. */
static int unit_ok(const char *s, size_t n)
{
	if (eq(s, n, "%") || eq(s, n, "％"))
		return 1;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = kp_plan_u8_decode(s + i, n - i, &cp);
		if (k == 0)
			return 0;
		int letter = (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
			     (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
			     (cp >= 0x4E00 && cp <= 0x9FFF) || cp == 0x3005 /* 々 */;
		if (!letter)
			return 0;
		i += k;
	}
	return 1;
}

/* A text goal: Japanese words, no digits, no symbols from the other forms. */
static int is_text_goal(const char *s, size_t n)
{
	int japanese = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = kp_plan_u8_decode(s + i, n - i, &cp);
		if (k == 0)
			return 0;
		if (cp >= '0' && cp <= '9')
			return 0;
		if (cp == '<' || cp == '>' || cp == 0x203B /* ※ */ || cp == 0x3010 ||
		    cp == 0x3011 || cp == 0x25A0 /* ■ */ || kp_plan_stage_of(s + i, k))
			return 0;
		if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF))
			japanese = 1;
		i += k;
	}
	return japanese;
}

int kp_plan_figure_parse(const char *s, size_t n, int in_annotation, kp_plan_figure *fig, char *why,
			 size_t whylen)
{
	memset(fig, 0, sizeof *fig);
	for (size_t k = 0; k < N(dashes); k++)
		if (eq(s, n, dashes[k])) {
			fig->kind = KP_PLAN_NONE;
			return 0;
		}
	int st = kp_plan_stage_of(s, n);
	if (st) {
		fig->kind = KP_PLAN_STAGE;
		fig->stage = st;
		return 0;
	}
	size_t i = 0;
	/* basis: 対…比 */
	size_t l = starts(s, n, "対");
	if (l) {
		const char *hi = NULL;
		for (size_t k = l; k + 3 <= n && k < 40; k++)
			if (memcmp(s + k, "比", 3) == 0) {
				hi = s + k;
				break;
			}
		if (hi) {
			i = (size_t)(hi - s) + 3;
			if (kp_plan_copy(fig->basis, sizeof fig->basis, s, i)) {
				why_set(why, whylen, "basis too long");
				return 1;
			}
			skip_space(s, n, &i);
		}
	}
	if (i < n && s[i] >= '0' && s[i] <= '9') {
		if (parse_number(s, n, &i, fig->value, sizeof fig->value)) {
			why_set(why, whylen, "malformed number in '%.*s'", (int)n, s);
			return 1;
		}
		skip_space(s, n, &i);
		/* unit: up to '/', a qualifier, or the end */
		size_t ub = i;
		while (i < n && s[i] != '/' && !starts(s + i, n - i, "／") &&
		       !match_any(s + i, n - i, qualifiers, N(qualifiers), NULL) &&
		       !(in_annotation &&
			 match_any(s + i, n - i, goal_suffixes, N(goal_suffixes), NULL))) {
			uint32_t cp;
			size_t k = kp_plan_u8_decode(s + i, n - i, &cp);
			if (k == 0 || (cp >= '0' && cp <= '9') || kp_plan_is_space(cp) ||
			    match_any(s + i, n - i, unit_forbidden, N(unit_forbidden), NULL)) {
				why_set(why, whylen,
					"unknown cell form '%.*s' (the unit holds '%.*s')", (int)n,
					s, (int)k, s + i);
				return 1;
			}
			i += k;
		}
		if (!unit_ok(s + ub, i - ub)) {
			why_set(why, whylen, "unknown unit '%.*s' in '%.*s'", (int)(i - ub), s + ub,
				(int)n, s);
			return 1;
		}
		/* ％ is the full-width percent sign */
		if (eq(s + ub, i - ub, "％"))
			strcpy(fig->unit, "%");
		else if (kp_plan_copy(fig->unit, sizeof fig->unit, s + ub, i - ub)) {
			why_set(why, whylen, "unit too long in '%.*s'", (int)n, s);
			return 1;
		}
		size_t sl = i < n && s[i] == '/' ? 1 : starts(s + i, n - i, "／");
		if (sl) {
			i += sl;
			size_t w;
			size_t pl = match_any(s + i, n - i, periods, N(periods), &w);
			if (!pl) {
				why_set(why, whylen, "unknown period in '%.*s' (known: /年)",
					(int)n, s);
				return 1;
			}
			strcpy(fig->per, periods[w]);
			i += pl;
		}
		size_t w;
		size_t ql = match_any(s + i, n - i, qualifiers, N(qualifiers), &w);
		if (ql) {
			strcpy(fig->qualifier, qualifiers[w]);
			i += ql;
		}
		if (in_annotation) {
			size_t sfl = match_any(s + i, n - i, goal_suffixes, N(goal_suffixes), &w);
			if (sfl) {
				strcpy(fig->suffix, goal_suffixes[w]);
				i += sfl;
			}
		}
		if (i != n) {
			why_set(why, whylen, "unknown cell form '%.*s' (cannot read '%.*s')",
				(int)n, s, (int)(n - i), s + i);
			return 1;
		}
		fig->kind = KP_PLAN_NUMERIC;
		return 0;
	}
	if (fig->basis[0] == '\0' && is_text_goal(s, n)) {
		if (kp_plan_copy(fig->text, sizeof fig->text, s, n)) {
			why_set(why, whylen, "text goal too long");
			return 1;
		}
		fig->kind = KP_PLAN_TEXT;
		return 0;
	}
	why_set(why, whylen, "unknown cell form '%.*s'", (int)(n > 80 ? 80 : n), s);
	return 1;
}

/* Words of the annotation. */
static const char *const base_words[] = {"年実績", "年度実績"};
static const char *const goal_words[] = {"年目標", "年度目標"};
static const char *const colons[] = {"：", ":"};
static const char *const arrows[] = {"→", "⇒", "->"};

/* year word [(label)] colon ; returns 0 and moves *i past the colon. */
static int side_head(const char *s, size_t n, size_t *i, const char *const *words, size_t nw,
		     int *year, char *label, size_t labcap)
{
	skip_space(s, n, i);
	if (*i + 4 > n)
		return -1;
	int y = 0;
	for (size_t k = 0; k < 4; k++) {
		char c = s[*i + k];
		if (c < '0' || c > '9')
			return -1;
		y = y * 10 + (c - '0');
	}
	*i += 4;
	size_t l = match_any(s + *i, n - *i, words, nw, NULL);
	if (!l)
		return -1;
	*i += l;
	*year = y;
	label[0] = '\0';
	size_t open = s[*i] == '(' ? 1 : starts(s + *i, n - *i, "（");
	if (*i < n && open) {
		size_t b = *i + open, e = b;
		while (e < n && s[e] != ')' && !starts(s + e, n - e, "）"))
			e++;
		if (e >= n)
			return -1;
		if (kp_plan_copy(label, labcap, s + b, e - b))
			return -1;
		*i = e + (s[e] == ')' ? 1 : 3);
	}
	skip_space(s, n, i);
	l = match_any(s + *i, n - *i, colons, N(colons), NULL);
	if (!l)
		return -1;
	*i += l;
	skip_space(s, n, i);
	return 0;
}

static int side_value(const char *s, size_t n, kp_plan_figure *fig, char *why, size_t whylen)
{
	const char *p;
	size_t len = kp_plan_trim(s, n, &p);
	if (len == 0) {
		why_set(why, whylen, "empty value in annotation");
		return 1;
	}
	if (kp_plan_figure_parse(p, len, 1, fig, why, whylen))
		return 1;
	if (fig->kind == KP_PLAN_STAGE || fig->kind == KP_PLAN_NONE) {
		why_set(why, whylen, "annotation value '%.*s' is not a figure", (int)len, p);
		return 1;
	}
	return 0;
}

int kp_plan_annotation_parse(const char *s, size_t n, kp_plan_annotation *a, char *why,
			     size_t whylen)
{
	memset(a, 0, sizeof *a);
	size_t i = 0;
	if (side_head(s, n, &i, base_words, N(base_words), &a->base_year, a->base_label,
		      sizeof a->base_label)) {
		why_set(why, whylen, "annotation does not start with 'YYYY年実績：' in 【%.*s】",
			(int)(n > 120 ? 120 : n), s);
		return 1;
	}
	/* the arrow ends the baseline */
	size_t arrow = n, alen = 0;
	for (size_t k = i; k < n && arrow == n; k++)
		for (size_t w = 0; w < N(arrows); w++) {
			size_t l = starts(s + k, n - k, arrows[w]);
			if (l) {
				arrow = k, alen = l;
				break;
			}
		}
	if (arrow == n) {
		why_set(why, whylen, "annotation has no arrow → in 【%.*s】",
			(int)(n > 120 ? 120 : n), s);
		return 1;
	}
	if (side_value(s + i, arrow - i, &a->base, why, whylen))
		return 1;
	i = arrow + alen;
	if (side_head(s, n, &i, goal_words, N(goal_words), &a->goal_year, a->goal_label,
		      sizeof a->goal_label)) {
		why_set(why, whylen, "annotation has no 'YYYY年目標：' after the arrow in 【%.*s】",
			(int)(n > 120 ? 120 : n), s);
		return 1;
	}
	return side_value(s + i, n - i, &a->goal, why, whylen);
}
