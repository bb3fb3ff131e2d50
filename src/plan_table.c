/* plan_table — the three source tables built from a parsed plan, and their CSV and
 * JSON forms.  The column lists mirror schemas/kanazawa-plan/<table>.schema.json (names,
 * titles, order, types); tests/unit/test_plan_table.c checks that they agree. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "plan_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const kp_plan_field items_fields[] = {
    {"lg_code", "全国地方公共団体コード", KP_PLAN_T_STRING},
    {"lg_name", "地方公共団体名", KP_PLAN_T_STRING},
    {"item_no", "取組番号", KP_PLAN_T_INTEGER},
    {"policy_no", "基本方針番号", KP_PLAN_T_INTEGER},
    {"policy", "基本方針", KP_PLAN_T_STRING},
    {"measure_no", "推進項目番号", KP_PLAN_T_INTEGER},
    {"measure", "推進項目", KP_PLAN_T_STRING},
    {"group", "取組項目", KP_PLAN_T_STRING},
    {"title", "取組事項名", KP_PLAN_T_STRING},
    {"priority", "重点", KP_PLAN_T_BOOLEAN},
    {"continued", "継続", KP_PLAN_T_BOOLEAN},
    {"numeric", "数値目標", KP_PLAN_T_BOOLEAN},
    {"description", "実施内容", KP_PLAN_T_STRING},
    {"departments", "担当課", KP_PLAN_T_STRING},
    {"baseline_year", "基準年", KP_PLAN_T_INTEGER},
    {"baseline_value", "基準値", KP_PLAN_T_NUMBER},
    {"baseline_unit", "基準値単位", KP_PLAN_T_STRING},
    {"baseline_note", "基準値注記", KP_PLAN_T_STRING},
    {"goal_year", "目標年", KP_PLAN_T_INTEGER},
    {"goal_value", "目標値", KP_PLAN_T_NUMBER},
    {"goal_unit", "目標値単位", KP_PLAN_T_STRING},
    {"goal_note", "目標値注記", KP_PLAN_T_STRING},
    {"footnotes", "注記番号", KP_PLAN_T_STRING},
};

static const kp_plan_field targets_fields[] = {
    {"item_no", "取組番号", KP_PLAN_T_INTEGER}, {"fiscal_year", "年度", KP_PLAN_T_INTEGER},
    {"written", "記載", KP_PLAN_T_STRING},	{"kind", "区分", KP_PLAN_T_STRING},
    {"stage", "段階", KP_PLAN_T_INTEGER},	{"stage_label", "段階名", KP_PLAN_T_STRING},
    {"value", "目標値", KP_PLAN_T_NUMBER},	{"unit", "単位", KP_PLAN_T_STRING},
    {"per", "期間", KP_PLAN_T_STRING},		{"qualifier", "条件", KP_PLAN_T_STRING},
    {"basis", "比較基準", KP_PLAN_T_STRING},	{"text", "文言目標", KP_PLAN_T_STRING},
    {"carried", "継続表示", KP_PLAN_T_BOOLEAN},
};

static const kp_plan_field glossary_fields[] = {
    {"term_no", "用語番号", KP_PLAN_T_INTEGER},
    {"term", "用語", KP_PLAN_T_STRING},
    {"description", "説明", KP_PLAN_T_STRING},
};

/* Row-at-a-time filling: cells are appended in field order. */
typedef struct filler {
	kp_plan_table *t;
	size_t n; /* cells filled */
	int oom;
} filler;

static int table_init(kp_plan_table *t, const char *name, const kp_plan_field *f, size_t nf,
		      size_t nrows)
{
	t->name = name;
	t->fields = f;
	t->nfields = nf;
	t->nrows = nrows;
	t->cells = calloc(nrows * nf + 1, sizeof *t->cells);
	return t->cells ? 0 : -1;
}

static void put(filler *f, const char *s)
{
	char *c = strdup(s ? s : "");
	if (!c)
		f->oom = 1;
	f->t->cells[f->n++] = c;
}

static void put_int(filler *f, long v, int empty_if_zero)
{
	char b[32];
	if (empty_if_zero && v == 0)
		b[0] = '\0';
	else
		snprintf(b, sizeof b, "%ld", v);
	put(f, b);
}

static void put_bool(filler *f, int v)
{
	put(f, v ? "true" : "false");
}

static int done(filler *f)
{
	if (f->oom) {
		kp_plan_table_release(f->t);
		return -1;
	}
	return 0;
}

/* The unit of an items figure: "t/年" keeps the period with the unit. */
static void unit_of(const kp_plan_figure *g, char *b, size_t cap)
{
	if (g->per[0])
		snprintf(b, cap, "%s/%s", g->unit, g->per);
	else
		snprintf(b, cap, "%s", g->unit);
}

int kp_plan_build_items(const kp_plan *plan, const char *lg_code, const char *lg_name,
			kp_plan_table *t)
{
	if (table_init(t, "items", items_fields, N(items_fields), plan->nitems))
		return -1;
	filler f = {t, 0, 0};
	for (size_t i = 0; i < plan->nitems; i++) {
		const kp_plan_item *it = &plan->items[i];
		char u[2 * KP_PLAN_WORD_MAX + 2];
		put(&f, lg_code);
		put(&f, lg_name);
		put_int(&f, it->no, 0);
		put_int(&f, it->policy_no, 0);
		put(&f, it->policy);
		put_int(&f, it->measure_no, 0);
		put(&f, it->measure);
		put(&f, it->group);
		put(&f, it->title);
		put_bool(&f, it->priority);
		put_bool(&f, it->continued);
		put_bool(&f, it->numeric);
		put(&f, it->description);
		put(&f, it->departments);
		put_int(&f, it->baseline_year, 1);
		put(&f, it->baseline.value);
		unit_of(&it->baseline, u, sizeof u);
		put(&f, u);
		put(&f, it->baseline_note);
		put_int(&f, it->goal_year, 1);
		put(&f, it->goal.value);
		unit_of(&it->goal, u, sizeof u);
		put(&f, u);
		put(&f, it->goal_note);
		char notes[256];
		size_t o = 0;
		notes[0] = '\0';
		for (size_t k = 0; k < it->nfootnotes && o < sizeof notes - 16; k++)
			o += (size_t)snprintf(notes + o, sizeof notes - o, "%s%d", k ? ";" : "",
					      it->footnotes[k]);
		put(&f, notes);
	}
	return done(&f);
}

int kp_plan_build_targets(const kp_plan *plan, kp_plan_table *t)
{
	size_t rows = 0;
	for (size_t i = 0; i < plan->nitems; i++)
		rows += plan->items[i].ntargets;
	if (table_init(t, "targets", targets_fields, N(targets_fields), rows))
		return -1;
	filler f = {t, 0, 0};
	for (size_t i = 0; i < plan->nitems; i++) {
		const kp_plan_item *it = &plan->items[i];
		for (size_t y = 0; y < it->ntargets; y++) {
			const kp_plan_target *g = &it->targets[y];
			put_int(&f, it->no, 0);
			put_int(&f, g->fiscal_year, 0);
			put(&f, g->written);
			put(&f, kp_plan_kind_name(g->fig.kind));
			put_int(&f, g->fig.stage, 1);
			put(&f, kp_plan_stage_label(g->fig.stage));
			put(&f, g->fig.value);
			put(&f, g->fig.unit);
			put(&f, g->fig.per);
			put(&f, g->fig.qualifier);
			put(&f, g->fig.basis);
			put(&f, g->fig.text);
			put_bool(&f, g->carried);
		}
	}
	return done(&f);
}

int kp_plan_build_glossary(const kp_plan *plan, kp_plan_table *t)
{
	if (table_init(t, "glossary", glossary_fields, N(glossary_fields), plan->nterms))
		return -1;
	filler f = {t, 0, 0};
	for (size_t i = 0; i < plan->nterms; i++) {
		put_int(&f, plan->terms[i].no, 0);
		put(&f, plan->terms[i].term);
		put(&f, plan->terms[i].description);
	}
	return done(&f);
}

const char *kp_plan_table_cell(const kp_plan_table *t, size_t row, size_t col)
{
	return t->cells[row * t->nfields + col];
}

void kp_plan_table_release(kp_plan_table *t)
{
	if (t->cells) {
		for (size_t i = 0; i < t->nrows * t->nfields; i++)
			free(t->cells[i]);
		free(t->cells);
	}
	memset(t, 0, sizeof *t);
}

int kp_plan_table_write_csv(const kp_plan_table *t, FILE *fp, const char *eol)
{
	kp_csvout w;
	kp_csvout_init(&w, fp, eol);
	for (size_t c = 0; c < t->nfields; c++)
		kp_csvout_str(&w, t->fields[c].title);
	kp_csvout_end_row(&w);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->nfields; c++)
			kp_csvout_str(&w, kp_plan_table_cell(t, r, c));
		kp_csvout_end_row(&w);
	}
	return kp_csvout_status(&w);
}

static json_t *typed(kp_plan_type type, const char *s)
{
	if (!*s)
		return json_null();
	switch (type) {
	case KP_PLAN_T_INTEGER:
		return json_integer(strtoll(s, NULL, 10));
	case KP_PLAN_T_NUMBER:
		return strchr(s, '.') ? json_real(strtod(s, NULL))
				      : json_integer(strtoll(s, NULL, 10));
	case KP_PLAN_T_BOOLEAN:
		return json_boolean(strcmp(s, "true") == 0);
	case KP_PLAN_T_STRING:
		break;
	}
	return json_string(s);
}

json_t *kp_plan_table_to_json(const kp_plan_table *t)
{
	json_t *a = json_array();
	if (!a)
		return NULL;
	for (size_t r = 0; r < t->nrows; r++) {
		json_t *o = json_object();
		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
		for (size_t c = 0; c < t->nfields; c++) {
			json_t *v = typed(t->fields[c].type, kp_plan_table_cell(t, r, c));
			if (!v || json_object_set_new(o, t->fields[c].name, v)) {
				json_decref(a);
				return NULL;
			}
		}
	}
	return a;
}
