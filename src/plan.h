/* plan — the 金沢市 action-plan document (chapter II 具体的取組事項 as text extracted
 * from the PDF) parsed into action items, yearly targets and glossary terms, and the
 * three source tables (items, targets, glossary) built from them.
 *
 * The parser is strict: every line of the document must be understood.  Whatever it
 * cannot resolve (an unknown heading or cell form, a 実施内容 table whose rows do not
 * match its items, a footnote without a glossary entry, invalid UTF-8, binary data)
 * is reported as one diagnostic (code "plan-error") naming the document line, and no
 * plan is returned.  See src/plan.c for the document grammar.
 *
 * Ownership: a kp_plan owns everything reachable from it; kp_plan_release frees it.
 * A kp_plan_table owns its cells; kp_plan_table_release frees them.
 */
#ifndef KP_PLAN_H
#define KP_PLAN_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "diag.h"

/* What a yearly cell holds. */
typedef enum kp_plan_kind {
	KP_PLAN_NONE = 0, /* "-"/"—", or blank before any filled cell */
	KP_PLAN_STAGE,	  /* △ □ ○ ◎ */
	KP_PLAN_NUMERIC,  /* 30町会等/年, 1,500人, 70%程度, 対H25比 6% ... */
	KP_PLAN_TEXT	  /* 前年度よりも削減, 中核市平均以下に抑制 ... */
} kp_plan_kind;

#define KP_PLAN_CELL_MAX 256 /* bytes of a year cell or annotation part, NUL included */
#define KP_PLAN_WORD_MAX 64  /* bytes of a unit, qualifier, basis ..., NUL included */

/* A figure as printed in a year cell or in an annotation 【…実績 → …目標】. */
typedef struct kp_plan_figure {
	kp_plan_kind kind;
	int stage;			  /* 1..4 for KP_PLAN_STAGE, else 0 */
	char value[KP_PLAN_WORD_MAX];	  /* plain number ("154000", "97.0"), or "" */
	char unit[KP_PLAN_WORD_MAX];	  /* "人", "%", "t", or "" */
	char per[KP_PLAN_WORD_MAX];	  /* "年" for "/年", or "" */
	char qualifier[KP_PLAN_WORD_MAX]; /* 以上 未満 以下 程度, or "" */
	char suffix[KP_PLAN_WORD_MAX]; /* text after the qualifier in annotations ("を堅持"), or ""
					*/
	char basis[KP_PLAN_WORD_MAX]; /* "対H25比", or "" */
	char text[KP_PLAN_CELL_MAX];  /* the goal text for KP_PLAN_TEXT, else "" */
} kp_plan_figure;

typedef struct kp_plan_target {
	int fiscal_year;		/* from the table's header row */
	char written[KP_PLAN_CELL_MAX]; /* the cell as printed (trimmed), "" when blank */
	int carried;			/* blank cell continuing an earlier year's value */
	kp_plan_figure fig;
} kp_plan_target;

typedef struct kp_plan_item {
	int no;
	int policy_no, measure_no;
	const char *policy, *measure, *group; /* borrowed from kp_plan.strings */
	char *title;			      /* owned, cleaned */
	int priority, continued, numeric;     /* 重点, (継), ■ */
	char *description;		      /* owned, cleaned, without the annotation */
	char *departments;		      /* owned, names separated by ';' */
	int baseline_year;		      /* 0 when the item has no annotation */
	kp_plan_figure baseline;
	char baseline_note[KP_PLAN_CELL_MAX]; /* label; basis; qualifier — ';'-joined */
	int goal_year;			      /* 0 when the item has no annotation */
	kp_plan_figure goal;
	char goal_note[KP_PLAN_CELL_MAX]; /* label; basis; qualifier+suffix, or the goal text */
	int *footnotes;			  /* owned, glossary numbers in order of appearance */
	size_t nfootnotes;
	kp_plan_target *targets; /* owned, one per fiscal year of the table header */
	size_t ntargets;
	long line;	   /* document line of the item row */
	long content_line; /* document line of its 実施内容 row */
} kp_plan_item;

typedef struct kp_plan_term {
	int no;
	char *term;	   /* owned, cleaned */
	char *description; /* owned, cleaned */
	long line;
} kp_plan_term;

typedef struct kp_plan {
	kp_plan_item *items; /* owned array, in document order (item numbers 1..nitems) */
	size_t nitems;
	kp_plan_term *terms; /* owned array, term numbers 1..nterms */
	size_t nterms;
	char **strings; /* owned policy/measure/group names the items borrow */
	size_t nstrings;
} kp_plan;

/* Parses the document text[0..len) (need not be NUL-terminated).  `file` names the
 * document in diagnostics (borrowed; it must outlive err).  Returns 0 and fills *plan;
 * or KP_EXIT_INVALID (1) with err filled (code "plan-error", row = document line) and
 * *plan empty; or KP_EXIT_IO (3) when memory runs out. */
int kp_plan_parse(const char *text, size_t len, const char *file, kp_plan *plan, kp_diag *err);

void kp_plan_release(kp_plan *plan);

/* ---- tables ---- */

typedef enum kp_plan_type {
	KP_PLAN_T_STRING = 0,
	KP_PLAN_T_INTEGER,
	KP_PLAN_T_NUMBER,
	KP_PLAN_T_BOOLEAN
} kp_plan_type;

/* One column; mirrors schemas/kanazawa-plan/<table>.schema.json (a unit test checks). */
typedef struct kp_plan_field {
	const char *name;  /* ASCII name: JSON key */
	const char *title; /* Japanese title: CSV header */
	kp_plan_type type;
} kp_plan_field;

typedef struct kp_plan_table {
	const char *name; /* "items", "targets", "glossary" */
	const kp_plan_field *fields;
	size_t nfields;
	size_t nrows;
	char **cells; /* owned, nrows * nfields strings; "" for an empty cell, never NULL */
} kp_plan_table;

/* Builds a table from a parsed plan.  lg_code/lg_name fill the items' leading columns.
 * Returns 0, or -1 when memory runs out (*t is then empty). */
int kp_plan_build_items(const kp_plan *plan, const char *lg_code, const char *lg_name,
			kp_plan_table *t);
int kp_plan_build_targets(const kp_plan *plan, kp_plan_table *t);
int kp_plan_build_glossary(const kp_plan *plan, kp_plan_table *t);

/* Cell (row, column), both 0-based. */
const char *kp_plan_table_cell(const kp_plan_table *t, size_t row, size_t col);

void kp_plan_table_release(kp_plan_table *t);

/* Writes the header (field titles) and rows as RFC 4180 CSV with the given line end.
 * Returns 0, or -1 when the stream reports an error. */
int kp_plan_table_write_csv(const kp_plan_table *t, FILE *fp, const char *eol);

/* A JSON array of objects keyed by field name, typed (integer, number, boolean; null
 * for an empty cell).  NULL when memory runs out.  Caller owns the reference. */
json_t *kp_plan_table_to_json(const kp_plan_table *t);

/* The fiscal-year stage names, index 1..4 (index 0 is ""). */
const char *kp_plan_stage_label(int stage);

/* "stage", "numeric", "text", "none". */
const char *kp_plan_kind_name(kp_plan_kind kind);

#endif
