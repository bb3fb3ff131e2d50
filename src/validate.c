#include "i18n.h"
#include "validate.h"

#include "choice.h"
#include "rows.h"

#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "csvread.h"
#include "hash.h"
#include "label.h"
#include "layout.h"
#include "pattern.h"
#include "lgcode.h"
#include "status.h"
#include "text.h"

/* ------------------------------------------------------------------------------------ */
/* Key sets: 64-bit hash of a key -> first row that had it.  Open addressing, linear
 * probing; the hash 0 marks an empty slot (a real 0 is mapped to 1).
 *
 * The hash is keyed at random for each run (hash.h), so no crafted pair of keys can
 * collide; kp_hash_bytes reads the last word whole, which the canonical-text arena
 * allows (CANON_SLACK). */

#define HASH_SEED 0ull /* the first field's "earlier fields" */

/* 12 bytes a slot: a row number above 4,294,967,295 is kept as that maximum. */
typedef struct __attribute__((packed)) keyslot {
	uint64_t h;
	uint32_t row;
} keyslot;

typedef struct keyset {
	keyslot *slots; /* owned */
	size_t cap, len;
	int failed; /* out of memory: the set stopped growing */
} keyset;

/* Large tables are probed at random: back them with huge pages where the kernel allows
 * (fewer TLB misses).  mmap gives zeroed memory, so no calloc pass is needed either. */
static keyslot *slots_alloc(size_t n)
{
	size_t bytes = n * sizeof(keyslot);
	if (bytes < ((size_t)2 << 20))
		return calloc(n, sizeof(keyslot));
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

static void slots_free(keyslot *p, size_t n)
{
	size_t bytes = n * sizeof(keyslot);
	if (!p)
		return;
	if (bytes < ((size_t)2 << 20))
		free(p);
	else
		munmap(p, bytes);
}

static int ks_grow_to(keyset *k, size_t ncap)
{
	keyslot *ns = slots_alloc(ncap);
	if (!ns) {
		k->failed = 1;
		return -1;
	}
	for (size_t i = 0; i < k->cap; i++) {
		if (!k->slots[i].h)
			continue;
		size_t j = k->slots[i].h & (ncap - 1);
		while (ns[j].h)
			j = (j + 1) & (ncap - 1);
		ns[j] = k->slots[i];
	}
	slots_free(k->slots, k->cap);
	k->slots = ns;
	k->cap = ncap;
	return 0;
}

static int ks_grow(keyset *k)
{
	return ks_grow_to(k, k->cap ? k->cap * 2 : 1024);
}

/* Grows the table at once to hold n keys (avoids repeated rehashing of a large set). */
static void ks_reserve(keyset *k, size_t n)
{
	size_t cap = k->cap ? k->cap : 1024;
	while ((n + 1) * 10 > cap * 7)
		cap *= 2;
	if (cap > k->cap && !k->failed)
		ks_grow_to(k, cap);
}

/* Returns the row that had h first, or 0 after inserting it with `row`. */
static long ks_insert(keyset *k, uint64_t h, long row)
{
	if ((k->len + 1) * 10 > k->cap * 7 && ks_grow(k) != 0)
		return 0;
	size_t j = h & (k->cap - 1);
	while (k->slots[j].h) {
		if (k->slots[j].h == h)
			return k->slots[j].row;
		j = (j + 1) & (k->cap - 1);
	}
	k->slots[j].h = h;
	k->slots[j].row = row > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)row;
	k->len++;
	return 0;
}

static long ks_find(const keyset *k, uint64_t h)
{
	if (!k->cap)
		return 0;
	size_t j = h & (k->cap - 1);
	while (k->slots[j].h) {
		if (k->slots[j].h == h)
			return k->slots[j].row;
		j = (j + 1) & (k->cap - 1);
	}
	return 0;
}

static void ks_free(keyset *k)
{
	slots_free(k->slots, k->cap);
	memset(k, 0, sizeof *k);
}

/* Inserts n keys known to be distinct, prefetching sixteen ahead (a bulk build). */
static void ks_bulk(keyset *k, const keyslot *e, size_t n)
{
	ks_reserve(k, k->len + n);
	for (size_t i = 0; i < n && !k->failed; i++) {
		if (i + 16 < n && k->cap)
			__builtin_prefetch(&k->slots[e[i + 16].h & (k->cap - 1)], 1);
		ks_insert(k, e[i].h, (long)e[i].row);
	}
}

/* Keys that come in order need no set.  While every key of a table comes strictly after
 * the one before it, in shortlex order (shorter text first, then bytes: numeric order for
 * canonical integers) or in plain byte order, field by field, no key can repeat: the keys
 * are only listed (12 bytes each, written in sequence) instead of inserted into the set
 * (a random slot of a large table costs a trip to memory per row).  The first key out of
 * order builds the set from the list and the table goes on as usual, so the findings are
 * the same either way. */
typedef struct keyrun {
	int active; /* the keys so far came in one of the two orders */
	int shortlex, lex;
	char *prev; /* owned: the previous key, each field as a length (size_t) + bytes */
	size_t prev_len, prev_cap;
	keyslot *list; /* owned: (hash, row) of the keys so far */
	size_t n, cap;
} keyrun;

static void keyrun_free(keyrun *kr)
{
	free(kr->prev);
	free(kr->list);
	memset(kr, 0, sizeof *kr);
}

/* Cells that stand for "same as above" (L2-02). */
static const struct {
	const char *s;
	size_t n; /* bytes, kept beside the text: the check runs on every cell */
} repeat_marks[] = {
#define MARK(x)                                                                                    \
	{                                                                                          \
		x, sizeof x - 1                                                                    \
	}
    MARK("〃"), MARK("″"),  MARK("同上"), MARK("同左"),
    MARK("仝"), MARK("々"), MARK("ゝ"),	  MARK("ヽ"),
#undef MARK
};

/* Fields holding a 全国地方公共団体コード, recognised by name or title; a field may also
 * say so itself with the property "lgCode": true. */
static const char *const lgcode_names[] = {"lg_code",
					   "lgcode",
					   "local_government_code",
					   "municipality_code",
					   "全国地方公共団体コード",
					   "地方公共団体コード",
					   "団体コード"};

/* Prefixes and suffixes of year-like column labels (wide format, L3-09). */
static const char *const year_prefixes[] = {"FY", "令和", "平成", "昭和", "西暦", "R", "H", "S"};
static const char *const year_suffixes[] = {"年度", "年", "度"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------------------ */

typedef struct fk_state {
	const kp_foreign_key *fk;
	const keyset *target; /* borrowed: the referenced key set (other resource), or NULL */
	keyset self;	      /* self reference: keys of the reference fields seen so far */
	/* self reference: misses to re-check at the end (row, hash, first field's cell) */
	struct fk_miss {
		uint64_t h;
		long row;
		char cell[KP_DIAG_CELL_MAX];
	} * miss;
	size_t nmiss, capmiss;
	const char *target_name;
} fk_state;

typedef struct rule_entry {
	long row;
	uint64_t group; /* hash of the groupBy canonical texts */
	union {
		double okey;  /* numeric orderBy value, when order_numeric */
		size_t order; /* else: offset of its canonical text in the arena */
	} o;
	size_t value; /* offset of the value's canonical text in the arena */
} rule_entry;

typedef struct rule_state {
	const kp_rule *rule;
	long group_col;	  /* the last column of the groupBy fields (-1: none or absent) */
	uint64_t early_g; /* the row's group hash when early_known (see early_keys) */
	long group_twin;  /* an earlier rule with the same groupBy (its hash is reused), or -1 */
	int early_known;
	int order_numeric; /* orderBy is an integer, number or year: sort by okey */
	const keyset *ref; /* whereReference: keys of the referenced rows that qualify */
	rule_entry *e;	   /* owned */
	size_t n, cap;
	char *arena; /* owned */
	size_t alen, acap;
	int failed;
	/* consistent rules are checked as rows come: group hash -> index+1 into first[],
	 * the group's first value (memory grows with groups, not rows) */
	keyset groups;
	keyrun run; /* the groups while they come in order (see keyrun) */
	struct rule_first {
		uint64_t vhash;
		long row;
		size_t text; /* offset in arena */
	} * first;	     /* owned */
	size_t nfirst, capfirst;
} rule_state;

/* A key set another table wants filled from this one (foreign-key target). */
typedef struct want_keys {
	const kp_fieldref *fields;
	keyset *ks;
	const kp_rule_where *cond; /* only rows meeting these conditions (whereReference) */
	size_t ncond;
} want_keys;

/* Per field, decided once: whether the fast path (kp_cast_fast, kp_text_plain and the
 * constraints below) may take its cells.  The fast path only ever accepts a cell; a
 * cell it does not accept goes through the general path, which reports.  So a cell
 * the fast path takes must be one the general path finds nothing wrong with. */
enum {
	FC_ENUM_TEXT = 1u << 0, /* enum over text: compare bytes */
	FC_INT_RANGE = 1u << 1, /* integer minimum/maximum/exclusive*: compare integers */
	FC_INT_ENUM = 1u << 2,	/* enum over integers */
	FC_GENERAL = 1u << 3	/* other constraints: kp_cast_check without a message */
};

/* An allowed text of an enum, with its first eight bytes as one word: a cell is
 * compared with one load and compare per value before any byte loop. */
typedef struct ehead {
	uint64_t head;
	size_t len;
	const char *text; /* borrowed from the schema */
} ehead;

enum { FP_GENERAL = 0, FP_TEXT, FP_INTEGER, FP_CAST };

typedef struct fplan {
	const kp_field *f;	      /* borrowed */
	ehead *enums;		      /* owned: FC_ENUM_TEXT values */
	unsigned char kind;	      /* FP_*: text, integers, other kp_cast_fast types, or none */
	unsigned char empty_ok;	      /* an empty cell is a null and nothing to report */
	unsigned char custom_missing; /* missing values other than exactly [""] */
	unsigned char checks;	      /* FC_* */
	unsigned char canon;	      /* keep the canonical text (keys, rules) */
	unsigned char unique;
	unsigned char lists;	      /* a text field whose cells may hold lists (L1-07) */
	long long lo, hi; /* FC_INT_RANGE: allowed integers, inclusive */
} fplan;

typedef struct tctx {
	const kp_schema *s;
	const char *file;
	const kp_diag_sink *sink;
	long max_errors;
	long counts[3];
	int stop;
	int stopped_reported;

	size_t ncols;		    /* header cells */
	long *col_field;	    /* owned: column -> field index or -1 */
	long *field_col;	    /* owned: field -> column or -1 */
	unsigned char *prev_filled; /* owned: column had a non-empty cell in the previous row */
	unsigned char *early_at;    /* owned: per column: a key is known once it is read */
	int general_only;	    /* kp_validate_opts.general_only */
	uint64_t marks;		    /* mark_filter() */
	long pk_col;		    /* the last column of the primary key's fields, or -1:
				     * once past it the key is known, and its slot is
				     * prefetched long before the insert (see pend) */
	uint64_t pk_h;		    /* the row's primary-key hash, once known (0: null) */
	int pk_known;
	size_t *req_cols; /* owned: the columns of required fields (only those need
			   * prev_filled) */
	size_t nreq_cols;
	unsigned char *is_lg;	   /* owned: per field */
	unsigned char *typed;	   /* owned: per field: a type with a fixed lexical form */
	unsigned char *need_canon; /* owned: per field: canonical text needed for keys */
	struct fplan *plan;	   /* owned: per field: what the fast path may do */

	/* the current row's canonical texts for the fields that need them */
	char *canon; /* owned */
	size_t canon_cap, canon_len;
	size_t *canon_off;	    /* owned, per field */
	size_t *canon_n;	    /* owned, per field */
	unsigned char *canon_state; /* per field: 0 absent, 1 value, 2 null, 3 error */
	unsigned char *as_is;	    /* owned, per field: KP_VALIDATE_CELL_* of this row */

	keyset *unique; /* owned array per field (used where the field is unique) */
	keyset pk;
	keyrun pk_run; /* the primary keys while they come in order (see keyrun) */
	keyset *uk;    /* owned array per unique key */
	fk_state *fks; /* owned array per foreign key */
	rule_state *rules;
	want_keys *wants;
	size_t nwants;

	long rows;
	long long file_size; /* bytes of a regular file, or 0 */
	kp_layout layout;    /* where the table ends (see layout.h) */
	const kp_lgcode_list *lg_codes; /* kp_validate_opts.lg_codes */
	int legacy_text;     /* the file is not in a Unicode encoding (see run_table) */
	const char *sheet;   /* a workbook's sheet (borrowed from the reader), or NULL */
	const kp_rows *src;  /* the reader (borrowed), for what only it knows (merges) */
	const char **sep;    /* owned array (or NULL): per field, the list separator its
			      * schema names ("separator"), borrowed from the schema */
	long lg_name_bad[2]; /* rows whose names are not their code's: [0] another name,
			      * [1] the municipality without its prefecture */
	long lg_col, lg_name_col, pref_col, city_col; /* the code of the body that publishes
				      * the rows and its names (-1: none), see lg_names */
	size_t *blank_cols;  /* owned: columns without a label, no value seen yet */
	struct rec_field {   /* a field the schema recommends ("recommended": ○ 推奨) */
		size_t field;
		long empty, first; /* rows where it is empty, the first of them */
	} *recs;             /* owned */
	size_t nrecs;
	size_t nblank_cols;
	long header_row;
	long long header_offset;
	int layout_on; /* layout holds what it owns */

	/* Key inserts are deferred by one row: the slot is prefetched when the key is
	 * known and the insert (and its finding) happens when the next row starts, so the
	 * cache miss on a large key set overlaps the next row's work.  The canonical texts
	 * of the row are still in place then (they are reset after the pending inserts). */
	struct pending {
		keyset *ks;
		uint64_t h;
		long row;
		int kind;   /* PEND_UNIQUE, PEND_PK, PEND_UK, PEND_WANT */
		size_t idx; /* field (unique) or unique key index */
	} * pend;	    /* owned */
	size_t npend, cappend;
	/* L2-02: the first column left blank after a value, in rows that are filled (a
	 * value left out because it is the one above: 都道府県 written once per group) */
	int stub_seen;       /* the first column has had a value */
	long stub_blank;     /* rows since that leave it blank */
	long stub_first;     /* the first of them */
	/* L1-07: cells holding several values (lists joined by 、 ・ or commas), per column */
	struct list_col {
		long count, first;
		char cell[48];
		const char *kind;
	} *lists;            /* owned, ncols entries once a list is met */
	/* L2-04, L2-05: the text columns that may be columns of choices */
	kp_choice *choice;   /* owned */
	size_t *choice_cols; /* owned: the columns still fed to it */
	size_t nchoice;
	int choice_init;
} tctx;

enum { PEND_UNIQUE, PEND_PK, PEND_UK, PEND_WANT };

/* Bytes allocated past canon_cap: hash_bytes reads whole words. */
#define CANON_SLACK 8

/* Replaces bytes that are not UTF-8 by U+FFFD in a NUL-terminated buffer of `size`
 * (messages quote cells, and JSON needs valid text). */
static void sanitize(char *s, size_t size)
{
	size_t n = strlen(s);
	if (kp_text_utf8_valid(s, n, NULL))
		return;
	char tmp[KP_DIAG_MESSAGE_MAX];
	size_t o = kp_text_utf8_repair(s, n, tmp, size < sizeof tmp ? size : sizeof tmp);
	memcpy(s, tmp, o + 1);
}

static int emit(tctx *t, kp_diag *d)
{
	if (t->stop)
		return 1;
	sanitize(d->message, sizeof d->message);
	if (!d->file)
		d->file = t->file;
	if (!d->sheet)
		d->sheet = t->sheet;
	if ((unsigned)d->severity < 3)
		t->counts[d->severity]++;
	if (kp_diag_emit(t->sink, d)) {
		t->stop = 1;
		return 1;
	}
	if (t->max_errors > 0 && d->severity == KP_SEV_ERROR &&
	    t->counts[KP_SEV_ERROR] >= t->max_errors) {
		t->stop = 1;
		if (!t->stopped_reported) {
			t->stopped_reported = 1;
			kp_diag s;
			kp_diag_set(&s, KP_SEV_WARNING, "stopped-early",
				    "stopped after %ld errors (--max-errors): the rest of the "
				    "table was not "
				    "checked; fix these and run again, or raise --max-errors",
				    t->max_errors);
			kp_diag_at(&s, t->file, 0, 0, -1);
			t->counts[KP_SEV_WARNING]++;
			kp_diag_emit(t->sink, &s);
		}
		return 1;
	}
	return 0;
}

static int reader_sink(void *ctx, const kp_diag *d)
{
	tctx *t = ctx;
	kp_diag c = *d;
	/* a finding of the reader in a data row's cell: name its field too */
	if (c.column > 0 && !c.field && t->col_field && (size_t)c.column <= t->ncols &&
	    t->col_field[c.column - 1] >= 0)
		c.field = t->s->fields[t->col_field[c.column - 1]].name;
	return emit(t, &c);
}

/* Copies a cell into d, replacing bytes that are not UTF-8 (JSON needs valid text). */
static void set_cell(kp_diag *d, const char *s, size_t n)
{
	if (kp_text_utf8_valid(s, n < 256 ? n : 256, NULL) || n > 256) {
		size_t bad;
		if (n <= 256 || kp_text_utf8_valid(s, 256, &bad)) {
			kp_diag_set_cell(d, s, n);
			/* set_cell cut on a character boundary; a cut inside a bad byte run is
			 * handled below */
			if (kp_text_utf8_valid(d->cell, strlen(d->cell), NULL))
				return;
		}
	}
	char tmp[KP_DIAG_CELL_MAX * 2];
	kp_diag_set_cell(d, tmp, kp_text_utf8_repair(s, n, tmp, sizeof tmp));
}

static void at_cell(tctx *t, kp_diag *d, long row, size_t col, const kp_csvcell *cell)
{
	kp_diag_at(d, t->file, row, (long)col + 1, -1);
	long f = col < t->ncols ? t->col_field[col] : -1;
	if (f >= 0)
		d->field = t->s->fields[f].name;
	if (cell)
		set_cell(d, cell->data, cell->len);
}

/* ------------------------------------------------------------------------------------ */
/* Header */

static int is_year_like(const char *s, size_t n)
{
	size_t i = 0;
	int affixed = 0;
	for (size_t k = 0; k < NELEM(year_prefixes); k++) {
		size_t pl = strlen(year_prefixes[k]);
		if (n > pl && memcmp(s, year_prefixes[k], pl) == 0) {
			i = pl;
			affixed = 1;
			break;
		}
	}
	size_t d0 = i;
	if (n - i >= 3 && memcmp(s + i, "元", 3) == 0 && affixed) {
		i += 3;
	} else {
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	size_t nd = i - d0;
	if (nd == 0 || nd > 4)
		return 0;
	if (i < n) {
		int ok = 0;
		for (size_t k = 0; k < NELEM(year_suffixes); k++) {
			size_t sl = strlen(year_suffixes[k]);
			if (n - i == sl && memcmp(s + i, year_suffixes[k], sl) == 0)
				ok = 1;
		}
		if (!ok)
			return 0;
		affixed = 1;
	}
	if (!affixed) {
		if (nd != 4)
			return 0;
		int y = atoi(s + d0);
		return y >= 1900 && y <= 2100;
	}
	return 1;
}

static int typed_kind(kp_type ty)
{
	switch (ty) {
	case KP_TYPE_INTEGER:
	case KP_TYPE_NUMBER:
	case KP_TYPE_BOOLEAN:
	case KP_TYPE_DATE:
	case KP_TYPE_TIME:
	case KP_TYPE_DATETIME:
	case KP_TYPE_YEAR:
	case KP_TYPE_YEARMONTH:
	case KP_TYPE_DURATION:
	case KP_TYPE_GEOPOINT:
		return 1;
	default:
		return 0;
	}
}

/* 2 for a field of 法人番号 ("corporateNumber": true), 1 for 全国地方公共団体コード. */
static int field_is_lgcode(const kp_field *f)
{
	if (f->json) {
		if (json_is_true(json_object_get(f->json, "corporateNumber")))
			return 2;
		json_t *v = json_object_get(f->json, "lgCode");
		if (v)
			return json_is_true(v);
	}
	for (size_t k = 0; k < NELEM(lgcode_names); k++)
		if (strcmp(f->name, lgcode_names[k]) == 0 ||
		    (f->title && strcmp(f->title, lgcode_names[k]) == 0))
			return 1;
	return 0;
}

static int label_matches(const kp_field *f, const kp_csvcell *c)
{
	for (size_t k = 0; k < kp_field_nlabels(f); k++) {
		size_t n = 0;
		const char *l = kp_field_label(f, k, &n);
		if (l && n == c->len && memcmp(l, c->data, n) == 0)
			return 1;
	}
	return 0;
}

/* Per data row only emptiness matters: stop at the first cell with text. */
static size_t nonempty_cells(const kp_csvrecord *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ncells; i++)
		if (r->cells[i].len)
			n++;
	return n;
}

static size_t matching_labels(const tctx *t, const kp_csvrecord *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ncells; i++)
		if (r->cells[i].len &&
		    kp_schema_field_by_label(t->s, r->cells[i].data, r->cells[i].len) >= 0)
			n++;
	return n;
}

/* A first line that is blank, or one lone cell matching no field while the schema has
 * several: a title above the header (L3-01). */
static int looks_like_title(const tctx *t, const kp_csvrecord *r)
{
	size_t ne = nonempty_cells(r);
	if (ne == 0)
		return 1;
	return ne == 1 && t->s->nfields >= 2 && matching_labels(t, r) == 0;
}

/* The last column holding one of the fields, or -1 when one has no column (or none
 * is given). */
static long last_col(const tctx *t, const kp_fieldref *fr)
{
	long last = -1;
	for (size_t k = 0; k < fr->len; k++) {
		long c = t->field_col[fr->idx[k]];
		if (c < 0)
			return -1;
		if (c > last)
			last = c;
	}
	return last;
}

/* The name an inferred schema gives column i when it has no label ("field_3"). */
static int placeholder(const kp_field *f, size_t i)
{
	char want[32];
	snprintf(want, sizeof want, "field_%zu", i + 1);
	return !f->title && strcmp(f->name, want) == 0;
}

enum { MISSING_ONE_BY_ONE = 3 }; /* missing fields reported one by one, at most */

static int cell_is(const kp_csvcell *c, const char *text)
{
	return c->len == strlen(text) && memcmp(c->data, text, c->len) == 0;
}

static int is_numeric_type(kp_type ty);

/* Labels that are a run of numbers (001, 002, …) name nothing (L1-05). */
static void numbered_labels(tctx *t, const kp_csvrecord *h)
{
	if (t->ncols < 3)
		return;
	long prev = -1;
	for (size_t i = 0; i < t->ncols; i++) {
		const kp_csvcell *c = &h->cells[i];
		if (!c->len || c->len > 9 || strspn(c->data, "0123456789") != c->len)
			return;
		long v = strtol(c->data, NULL, 10);
		if (i && v != prev + 1)
			return;
		prev = v;
	}
	kp_diag d;
	kp_diag_set(&d, KP_SEV_ERROR, "numbered-labels",
		    "the labels are a run of numbers ('%s' to '%s'): they say nothing of what "
		    "the columns hold; give each column a name",
		    h->cells[0].data, h->cells[t->ncols - 1].data);
	d.rule = "L1-05";
	kp_diag_at(&d, t->file, h->number, 1, h->offset);
	emit(t, &d);
}

/* Whether a number column's label says its unit, or implies one (L3-04): a unit in
 * brackets, a count (…数), a rate, an amount of money, a code, a year … — harunobu's
 * words, as data. */
static int unit_named(const char *s, size_t n)
{
	static const char *const contains[] = {
	    "（", "(", "［", "[", "【", "〔", "金額", "人口", "年齢", "緯度", "経度", "コード",
	    "番号", "指数", "区分", "順位", "単位", "割合", "ID", "Id", "id", "No", "NO", "no.",
	    "code", "Code", "year", "Year", "count", "Count", "number", "Number", "%", "％"};
	static const char *const ends[] = {"数", "率", "年", "年度", "月", "日", "歳", "円",
					   "人", "件", "回", "号", "番", "時", "分", "秒"};
	if (strspn(s, "0123456789") == n)
		return 1; /* a year, a code */
	for (size_t k = 0; k < NELEM(contains); k++) {
		size_t m = strlen(contains[k]);
		for (size_t i = 0; i + m <= n; i++)
			if (memcmp(s + i, contains[k], m) == 0)
				return 1;
	}
	for (size_t k = 0; k < NELEM(ends); k++) {
		size_t m = strlen(ends[k]);
		if (n >= m && memcmp(s + n - m, ends[k], m) == 0)
			return 1;
	}
	return 0;
}

static int in_ref(const kp_fieldref *r, long f)
{
	for (size_t k = 0; k < r->len; k++)
		if ((long)r->idx[k] == f)
			return 1;
	return 0;
}

/* A key names a row, it measures nothing: a primary or foreign key, a unique field, or
 * a label with an ASCII word such as id, no, code (item_no, ID, No.); a rate or a
 * position implies its unit (ratio, latitude). */
static int is_key_column(const tctx *t, long f, const char *label)
{
	const kp_schema *s = t->s;
	if (s->fields[f].constraints.unique || in_ref(&s->primary_key, f))
		return 1;
	for (size_t k = 0; k < s->nforeign_keys; k++)
		if (in_ref(&s->foreign_keys[k].fields, f))
			return 1;
	static const char *const words[] = {"id", "no", "code", "cd", "key", "num", "number", "nr",
					    "year", "count", "rank", "seq", "rate", "ratio", "percent",
					    "pct", "lat", "lon", "lng", "latitude", "longitude", "age"};
	for (const char *p = label; *p;) {
		while (*p && !isalnum((unsigned char)*p))
			p++;
		const char *w = p;
		while (isalnum((unsigned char)*p))
			p++;
		for (size_t k = 0; k < NELEM(words) && p > w; k++)
			if ((size_t)(p - w) == strlen(words[k]) && strncasecmp(w, words[k], (size_t)(p - w)) == 0)
				return 1;
	}
	return 0;
}

/* Number columns whose label names no unit: one warning for the table.  A field the
 * schema describes (a title or a description) may say its unit there. */
static void units_named(tctx *t, const kp_csvrecord *h)
{
	size_t bad = 0, first = 0;
	char names[160] = "";
	size_t o = 0;
	for (size_t i = 0; i < t->ncols; i++) {
		long f = t->col_field[i];
		const kp_field *fd = f >= 0 ? &t->s->fields[f] : NULL;
		const kp_csvcell *c = &h->cells[i];
		if (!fd || !is_numeric_type(fd->type) || fd->description || fd->title || !c->len ||
		    unit_named(c->data, c->len) || is_key_column(t, f, c->data))
			continue;
		if (bad++ == 0)
			first = i;
		if (bad <= 3 && o < sizeof names)
			o += (size_t)snprintf(names + o, sizeof names - o, "%s%.40s", bad > 1 ? ", " : "",
					      c->data);
	}
	if (!bad)
		return;
	kp_diag d;
	kp_diag_set(&d, KP_SEV_WARNING, "no-unit",
		    "%zu number column%s name%s no unit (%s%s): say the unit in the label "
		    "(数量（個）, 面積（㎡）) or in the field's description",
		    bad, bad == 1 ? "" : "s", bad == 1 ? "s" : "", names, bad > 3 ? ", …" : "");
	d.rule = "L3-04";
	kp_diag_at(&d, t->file, h->number, (long)first + 1, h->offset);
	emit(t, &d);
}

static int header(tctx *t, const kp_csvrecord *h)
{
	const kp_schema *s = t->s;
	t->ncols = h->ncells;
	size_t nc = t->ncols ? t->ncols : 1;
	t->col_field = malloc(nc * sizeof *t->col_field);
	t->prev_filled = calloc(nc, 1);
	t->req_cols = calloc(nc, sizeof *t->req_cols);
	t->early_at = calloc(nc, 1);
	t->blank_cols = malloc(nc * sizeof *t->blank_cols);
	if (!t->col_field || !t->prev_filled || !t->req_cols || !t->early_at || !t->blank_cols)
		return -1;
	t->header_row = h->number;
	t->header_offset = h->offset;
	for (size_t f = 0; f < s->nfields; f++)
		t->field_col[f] = -1;
	int by_position = s->fields_match == KP_FIELDS_MATCH_EXACT;
	int by_labels = s->fields_match == KP_FIELDS_MATCH_LABELS;
	/* every mode but exact matches by label, variants included; only the default one
	 * also pairs the columns and fields left over (renamed columns) */
	int by_names = !by_position;
	size_t matched = 0;
	size_t lcap = 16;
	while (lcap < 2 * nc)
		lcap *= 2;
	size_t *labels = calloc(lcap, sizeof *labels); /* column + 1 of each label, or 0 */
	/* by_labels: each column's field, decided before the findings (see schema.h) */
	long *assign = by_names ? malloc(nc * sizeof *assign) : NULL;
	unsigned char *paired = by_names ? calloc(nc, 1) : NULL;
	if (!labels || (by_names && (!assign || !paired))) {
		free(labels);
		free(assign);
		free(paired);
		return -1;
	}
	unsigned char *variant = by_names ? calloc(nc, 1) : NULL;
	if (by_names && !variant) {
		free(labels);
		free(assign);
		free(paired);
		return -1;
	}
	if (by_names) {
		for (size_t i = 0; i < t->ncols; i++) {
			const kp_csvcell *c = &h->cells[i];
			long f = c->len ? kp_schema_field_by_label(s, c->data, c->len) : -1;
			assign[i] = f >= 0 && t->field_col[f] < 0 ? f : -1;
			if (assign[i] >= 0)
				t->field_col[f] = (long)i;
		}
		/* then labels spelt with width or dash variants, spaces or line breaks */
		kp_label_index fx = {0};
		int built = 0;
		for (size_t i = 0; i < t->ncols && s->nfields <= 2000; i++) {
			const kp_csvcell *c = &h->cells[i];
			if (assign[i] >= 0 || !c->len)
				continue;
			if (!built) {
				built = 1;
				if (kp_label_index_build(s, &fx) != 0) {
					kp_label_index_free(&fx);
					free(labels);
					free(assign);
					free(paired);
					free(variant);
					return -1;
				}
			}
			long f = kp_label_index_find(&fx, c->data, c->len);
			if (f >= 0 && t->field_col[f] < 0) {
				assign[i] = f;
				variant[i] = 1;
				t->field_col[f] = (long)i;
			}
		}
		kp_label_index_free(&fx);
		/* what is left over, in order: renamed columns */
		size_t nf = 0;
		for (size_t i = 0; i < t->ncols && by_labels; i++) {
			if (assign[i] >= 0)
				continue; /* (a repeated label is left over too: its cells are
					   * checked against the field left at its place) */
			while (nf < s->nfields && t->field_col[nf] >= 0)
				nf++;
			if (nf == s->nfields)
				break;
			assign[i] = (long)nf;
			paired[i] = 1;
			t->field_col[nf] = (long)i;
		}
		for (size_t f = 0; f < s->nfields; f++)
			t->field_col[f] = -1; /* set again below, column by column */
	}
	for (size_t i = 0; i < t->ncols; i++) {
		const kp_csvcell *c = &h->cells[i];
		t->col_field[i] = -1;
		long f = -1;
		if (by_position) {
			if (i < s->nfields)
				f = (long)i;
		} else {
			f = assign[i];
		}
		if (f >= 0) {
			t->col_field[i] = f;
			t->field_col[f] = (long)i;
		}
		kp_diag d;
		int dup = 0;
		size_t first = 0;
		/* Repeated labels through a set of the labels so far (a header of 100,000
		 * columns must not cost 100,000^2 comparisons). */
		if (c->len && labels) {
			size_t j = kp_hash_text(c->data, c->len) & (lcap - 1);
			for (; labels[j]; j = (j + 1) & (lcap - 1)) {
				const kp_csvcell *o = &h->cells[labels[j] - 1];
				if (o->len == c->len && memcmp(o->data, c->data, c->len) == 0) {
					dup = 1;
					first = labels[j] - 1;
					break;
				}
			}
			if (!dup)
				labels[j] = i + 1;
		}
		if (c->len == 0 && t->src && kp_rows_merge_slave(t->src, h->number, (long)i + 1))
			continue; /* covered by a merged range: the reader's merged-cell finding */
		if (c->len == 0 && (f < 0 || placeholder(&s->fields[f], i)) && !t->stop) {
			/* reported once its column is known to hold a value, or to hold none */
			t->blank_cols[t->nblank_cols++] = i;
			continue;
		} else if (c->len == 0) {
			kp_diag_set(&d, KP_SEV_ERROR, "blank-label",
				    "column %zu has no label: give every column a name%s%s%s",
				    i + 1, f >= 0 ? _(" (the schema expects '") : "",
				    f >= 0 ? s->fields[f].name : "", f >= 0 ? "')" : "");
			d.rule = "L1-05";
		} else if (dup) {
			kp_diag_set(
			    &d, KP_SEV_ERROR, "duplicate-label",
			    "label '%.*s' is also the label of column %zu: column names must be "
			    "unique; join multi-row headings into one name",
			    (int)(c->len > 200 ? 200 : c->len), c->data, first + 1);
			d.rule = "L2-03";
		} else if (by_position && i >= s->nfields) {
			kp_diag_set(&d, KP_SEV_ERROR, "extra-label",
				    "column %zu '%.*s' is not in the schema (it has %zu fields): "
				    "remove the "
				    "column or add the field to the schema",
				    i + 1, (int)(c->len > 200 ? 200 : c->len), c->data, s->nfields);
		} else if ((by_position && !label_matches(&s->fields[i], c)) ||
			   (by_labels && paired[i])) {
			const kp_field *fd = &s->fields[by_labels ? f : (long)i];
			/* the spelling the label is nearest to: the title, else the name */
			char miss[400];
			kp_label_near_miss(c->data, c->len, fd->title ? fd->title : fd->name, miss,
					sizeof miss);
			if (!miss[0] && fd->title)
				kp_label_near_miss(c->data, c->len, fd->name, miss, sizeof miss);
			kp_diag_set(
			    &d, KP_SEV_ERROR, "incorrect-label",
			    "column %zu is labelled '%.*s' but the schema expects '%s'%s%s%s here%s: "
			    "rename the column or reorder the columns",
			    i + 1, (int)(c->len > 200 ? 200 : c->len), c->data, fd->name,
			    fd->title ? _(" (or '") : "", fd->title ? fd->title : "",
			    fd->title ? "')" : "", miss);
		} else if (!by_position && f < 0 && s->fields_match != KP_FIELDS_MATCH_SUBSET &&
			   s->fields_match != KP_FIELDS_MATCH_PARTIAL) {
			/* (by_labels too: a column no field is left for) */
			kp_diag_set(
			    &d, KP_SEV_ERROR, "extra-label",
			    "column %zu '%.*s' is not a field of the schema: remove the column or "
			    "add the field",
			    i + 1, (int)(c->len > 200 ? 200 : c->len), c->data);
		} else if (by_names && variant[i]) {
			const kp_field *fd = &s->fields[f];
			/* the schema's spelling the label folds equal to: its title, else its name
			 */
			const char *want = fd->name;
			char a[600], b[600];
			size_t al = kp_label_fold(c->data, c->len, a, sizeof a);
			for (size_t k = kp_field_nlabels(fd); k-- > 1;) {
				size_t wl = 0;
				const char *w = kp_field_label(fd, k, &wl);
				if (w && kp_label_fold(w, wl, b, sizeof b) == al && memcmp(a, b, al) == 0)
					want = w; /* the title, before any alternative one */
			}
			uint32_t x, y;
			kp_label_first_difference(c->data, c->len, want, &x, &y);
			char where[160];
			if (x && y)
				snprintf(where, sizeof where,
					 _("U+%04X %s where the schema has U+%04X %s"), (unsigned)x,
					 kp_label_fold_name(x), (unsigned)y, kp_label_fold_name(y));
			else if (x)
				snprintf(where, sizeof where, _("an extra U+%04X %s"), (unsigned)x,
					 kp_label_fold_name(x));
			else
				snprintf(where, sizeof where,
					 _("no U+%04X %s where the schema has one"), (unsigned)y,
					 kp_label_fold_name(y));
			kp_diag_set(
			    &d, KP_SEV_WARNING, "label-variant",
			    "column %zu is labelled '%.*s', the schema's '%s' written with %s: the "
			    "column is read as that field; use the schema's spelling",
			    i + 1, (int)(c->len > 200 ? 200 : c->len), c->data, want, where);
		} else {
			if (f >= 0)
				matched++;
			continue;
		}
		if (f >= 0)
			matched++;
		kp_diag_at(&d, t->file, h->number, (long)i + 1, h->offset);
		if (f >= 0)
			d.field = s->fields[f].name;
		set_cell(&d, c->data, c->len);
		if (emit(t, &d)) {
			free(labels);
			free(assign);
			free(paired);
			free(variant);
			return 0;
		}
	}
	free(labels);
	free(assign);
	free(paired);
	free(variant);
	for (size_t i = 0; i < t->ncols; i++)
		if (t->col_field[i] >= 0 && s->fields[t->col_field[i]].constraints.required)
			t->req_cols[t->nreq_cols++] = i;
	t->pk_col = last_col(t, &s->primary_key);
	if (t->pk_col >= 0)
		t->early_at[t->pk_col] = 1;
	for (size_t k = 0; k < s->nrules; k++) {
		rule_state *rs = &t->rules[k];
		rs->group_col = last_col(t, &rs->rule->group_by);
		rs->group_twin = -1;
		for (size_t j = 0; j < k && rs->group_twin < 0; j++) {
			const kp_fieldref *a = &t->rules[j].rule->group_by,
					  *b = &rs->rule->group_by;
			if (a->len == b->len &&
			    (!a->len || !memcmp(a->idx, b->idx, a->len * sizeof *a->idx)))
				rs->group_twin = (long)j;
		}
		if (rs->group_col >= 0)
			t->early_at[rs->group_col] = 1;
	}
	/* Fields without a column. */
	int want_all = s->fields_match == KP_FIELDS_MATCH_EXACT ||
		       s->fields_match == KP_FIELDS_MATCH_EQUAL ||
		       s->fields_match == KP_FIELDS_MATCH_SUBSET || by_labels;
	/* Several missing are one finding (a table that keeps only part of a standard's
	 * columns is one cause); a few are one each, with the unmatched column at that
	 * place named when there is one (a renamed column, in modes that do not pair). */
	size_t nmissing = 0, first_missing = 0;
	for (size_t f = 0; f < s->nfields && want_all; f++)
		if (t->field_col[f] < 0 && nmissing++ == 0)
			first_missing = f;
	if (nmissing > MISSING_ONE_BY_ONE && !by_position) {
		char list[600];
		size_t k = 0, shown = 0;
		for (size_t f = 0; f < s->nfields && k + 8 < sizeof list; f++) {
			if (t->field_col[f] >= 0)
				continue;
			const char *l = s->fields[f].title ? s->fields[f].title : s->fields[f].name;
			int w = snprintf(list + k, sizeof list - k, "%s'%s'", shown ? ", " : "", l);
			if (w < 0 || (size_t)w >= sizeof list - k)
				break;
			k += (size_t)w;
			shown++;
		}
		kp_diag d;
		kp_diag_set(&d, KP_SEV_ERROR, "missing-label",
			    "%zu of the schema's %zu fields have no column in the header: %s%s; add "
			    "the columns (empty where there is no value)",
			    nmissing, s->nfields, list, shown < nmissing ? ", …" : "");
		kp_diag_at(&d, t->file, h->number, (long)first_missing + 1, h->offset);
		d.field = s->fields[first_missing].name;
		if (emit(t, &d))
			return 0;
		nmissing = 0;
	}
	for (size_t f = 0; f < s->nfields && want_all && nmissing; f++) {
		if (t->field_col[f] >= 0)
			continue;
		kp_diag d;
		char near[300] = "";
		if (!by_labels && !by_position && f < t->ncols && t->col_field[f] < 0 &&
		    h->cells[f].len)
			snprintf(near, sizeof near, _(" (column %zu '%.*s', at its place, is no field: "
						"is it this one?)"),
				 f + 1, (int)(h->cells[f].len > 100 ? 100 : h->cells[f].len),
				 h->cells[f].data);
		kp_diag_set(&d, KP_SEV_ERROR, "missing-label",
			    "the schema's field %zu '%s'%s%s%s has no column in the header: add "
			    "the column%s%s",
			    f + 1, s->fields[f].name, s->fields[f].title ? _(" ('") : "",
			    s->fields[f].title ? s->fields[f].title : "",
			    s->fields[f].title ? "')" : "", by_position ? _(" at this position") : "", near);
		kp_diag_at(&d, t->file, h->number, (long)f + 1, h->offset);
		d.field = s->fields[f].name;
		if (emit(t, &d))
			return 0;
	}
	if (s->fields_match == KP_FIELDS_MATCH_PARTIAL && matched == 0 && s->nfields) {
		kp_diag d;
		kp_diag_set(
		    &d, KP_SEV_ERROR, "missing-label",
		    "none of the schema's fields is in the header (fieldsMatch is 'partial'): "
		    "check that the header row holds the field names or titles");
		kp_diag_at(&d, t->file, h->number, 0, h->offset);
		if (emit(t, &d))
			return 0;
	}
	/* The columns that say who publishes the rows (see lg_names) */
	t->lg_col = t->lg_name_col = t->pref_col = t->city_col = -1;
	for (size_t i = 0; i < t->ncols; i++) {
		const kp_csvcell *c = &h->cells[i];
		long f = t->col_field[i];
		if (t->lg_col < 0 && f >= 0 && t->is_lg[f] == 1 &&
		    (cell_is(c, "全国地方公共団体コード") || cell_is(c, "都道府県コード又は市区町村コード")))
			t->lg_col = (long)i;
		else if (t->lg_name_col < 0 && cell_is(c, "地方公共団体名"))
			t->lg_name_col = (long)i;
		else if (t->pref_col < 0 && cell_is(c, "都道府県名"))
			t->pref_col = (long)i;
		else if (t->city_col < 0 && cell_is(c, "市区町村名"))
			t->city_col = (long)i;
	}
	/* Years as column headings: wide format (L3-09). */
	size_t years = 0, first_year = 0;
	for (size_t i = 0; i < t->ncols; i++)
		if (is_year_like(h->cells[i].data, h->cells[i].len) && years++ == 0)
			first_year = i;
	if (years >= 2) {
		kp_diag d;
		kp_diag_set(
		    &d, KP_SEV_WARNING, "wide-format",
		    "%zu column labels look like years (from column %zu '%s'): publish one row "
		    "per year (long format) with a year column and a value column",
		    years, first_year + 1, h->cells[first_year].data);
		d.rule = "L3-09";
		kp_diag_at(&d, t->file, h->number, (long)first_year + 1, h->offset);
		emit(t, &d);
	}
	numbered_labels(t, h);
	units_named(t, h);
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Cells */

static int is_numeric_type(kp_type ty)
{
	return ty == KP_TYPE_INTEGER || ty == KP_TYPE_NUMBER;
}

/* For a numeric cell that failed to cast: when it holds a number plus something else
 * (a unit, group commas, a footnote mark, a prefix such as 約), say what to move where
 * (L2-01).  Returns 0 when the cell holds no digit at all (a plain type error). */
static int number_with_unit(tctx *t, long row, size_t col, const kp_csvcell *c, const kp_field *f)
{
	const char *s = c->data;
	size_t n = c->len;
	size_t best_a = 0, best_e = 0;
	int fullwidth = 0;
	for (size_t i = 0; i < n;) {
		if ((s[i] >= '0' && s[i] <= '9')) {
			size_t a = i;
			if (a > 0 && (s[a - 1] == '-' || s[a - 1] == '+'))
				a--;
			size_t e = i;
			while (e < n && ((s[e] >= '0' && s[e] <= '9') ||
					 ((s[e] == ',' || s[e] == '.') && e + 1 < n &&
					  s[e + 1] >= '0' && s[e + 1] <= '9')))
				e++;
			if (e - a > best_e - best_a)
				best_a = a, best_e = e;
			i = e;
			continue;
		}
		if (n - i >= 3 && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBC &&
		    (unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0x99)
			fullwidth = 1;
		i++;
	}
	if (best_e == best_a && !fullwidth)
		return 0;
	/* numbers joined by '_', '-', '/' or ':' ("1_000", "3-5", "2024/4"): no single
	 * number to keep, so no unit to move: a type error ("12※1" keeps its footnote) */
	if ((best_a >= 2 && strchr("_-/:", s[best_a - 1]) && s[best_a - 2] >= '0' &&
	     s[best_a - 2] <= '9') ||
	    (best_e + 1 < n && strchr("_-/:", s[best_e]) && s[best_e + 1] >= '0' &&
	     s[best_e + 1] <= '9'))
		return 0;
	/* "2.5" in an integer field holds no unit: it is not an integer (a type error) */
	if (f->type == KP_TYPE_INTEGER && best_a == 0 && best_e == n && memchr(s, '.', n) &&
	    !memchr(s, ',', n))
		return 0;
	kp_diag d;
	if (best_e == best_a) {
		kp_diag_set(
		    &d, KP_SEV_ERROR, "number-with-unit",
		    "the number is written with full-width digits: write it with half-width "
		    "digits 0-9 only (field '%s' is %s)",
		    f->name, f->type == KP_TYPE_INTEGER ? _("an integer") : _("a number"));
	} else {
		char num[64];
		size_t k = 0;
		int commas = 0;
		for (size_t i = best_a; i < best_e && k + 1 < sizeof num; i++) {
			if (s[i] == ',' && !(f->group_char[0] == ',')) {
				commas = 1;
				continue;
			}
			num[k++] = s[i];
		}
		num[k] = '\0';
		int before = best_a > 0, after = best_e < n;
		if (!before && !after && commas) {
			kp_diag_set(
			    &d, KP_SEV_ERROR, "number-with-unit",
			    "digit-group commas in a number: write %s (without commas) in this %s "
			    "column",
			    num, f->type == KP_TYPE_INTEGER ? _("integer") : _("number"));
		} else {
			kp_diag_set(&d, KP_SEV_ERROR, "number-with-unit",
				    "the cell mixes the number %s with text%s%.*s%s%s%.*s%s: put "
				    "only %s in "
				    "'%s', and move the unit, note or footnote mark to its own "
				    "column (e.g. "
				    "a unit column)%s",
				    num, before ? _(" before it ('") : "", (int)(before ? best_a : 0),
				    s, before ? "')" : "", after ? _(" after it ('") : "",
				    (int)(after ? n - best_e : 0), s + best_e, after ? "')" : "",
				    num, f->name, commas ? _("; drop the digit-group commas") : "");
		}
	}
	d.rule = "L2-01";
	at_cell(t, &d, row, col, c);
	emit(t, &d);
	return 1;
}

/* Reports the character rules a cell breaks; returns the classes it met (text.h). */
static unsigned char_checks(tctx *t, long row, size_t col, const kp_csvcell *c)
{
	if (c->len == 0)
		return 0; /* no character to check: skip the scan (many cells are empty) */
	kp_text_scan sc;
	kp_text_scan_cell(c->data, c->len, &sc);
	if (sc.ascii && !sc.classes && !sc.lead_space && !sc.trail_space && !sc.inner_layout &&
	    !sc.lost_mark)
		return 0;
	if (sc.lost_mark && !(sc.classes & KP_TEXT_LOSSY)) {
		kp_diag d;
		kp_diag_set(&d, KP_SEV_WARNING, "lossy-char",
			    "'?' at character %zu of the cell stands where a character seems lost: "
			    "saving as Shift_JIS turns characters it cannot hold (the dash "
			    "'–', 'é', some kanji) into '?'; retype it from the original, and save "
			    "as CSV UTF-8",
			    kp_text_utf8_length(c->data, sc.lost_mark - 1) + 1);
		at_cell(t, &d, row, col, c);
		if (emit(t, &d))
			return sc.classes;
	}
	static const struct {
		unsigned bit;
		const char *code;
		kp_severity sev;
		const char *rule;
		const char *fix;
	} classes[] = {
	    {KP_TEXT_PLATFORM, "platform-dependent-char", KP_SEV_ERROR, "L1-08",
	     N_("replace it with ordinary characters (e.g. ① → 1, Ⅱ → II, ㈱ → (株), ㎡ → m2)")},
	    {KP_TEXT_PLATFORM_INFO, "platform-dependent-char", KP_SEV_INFO, "L1-08",
	     N_("a unit symbol is tolerated, but plain letters (m2, kg, cm) are safer")},
	    {KP_TEXT_HALFWIDTH_KANA, "halfwidth-kana", KP_SEV_ERROR, "L1-08",
	     N_("use full-width katakana (ｶﾅ → カナ)")},
	    {KP_TEXT_FULLWIDTH_ALNUM, "fullwidth-alnum", KP_SEV_WARNING, NULL,
	     N_("use half-width letters and digits (Ａ１ → A1)")},
	    {KP_TEXT_LOSSY, "lossy-char", KP_SEV_WARNING, NULL,
	     N_("a character was lost when the text was converted (often from Shift_JIS): "
		"retype it from the original")},
	    {KP_TEXT_CONTROL, "control-char", KP_SEV_ERROR, NULL,
	     N_("remove it: it is invisible, and may change how the text reads or break the "
		"files made from the table")},
	};
	/* full-width digits in a number column: the number's own check reports them (L2-01),
	 * once */
	long fi = col < t->ncols ? t->col_field[col] : -1;
	int numeric = fi >= 0 && is_numeric_type(t->s->fields[fi].type);
	for (size_t k = 0; k < NELEM(classes); k++) {
		if (!(sc.classes & classes[k].bit))
			continue;
		if (numeric && classes[k].bit == KP_TEXT_FULLWIDTH_ALNUM)
			continue;
		int b = kp_text_class_index(classes[k].bit);
		uint32_t cp = sc.first[b];
		const kp_text_range *rg = kp_text_range_of(cp);
		char ch[5];
		kp_text_utf8_encode(cp, ch);
		size_t at = kp_text_utf8_length(c->data, sc.first_at[b]) + 1;
		kp_diag d;
		size_t o = sc.first_at[b];
		const char *fix = _(classes[k].fix);
		kp_severity sev = classes[k].sev;
		if (classes[k].bit == KP_TEXT_PLATFORM && !t->legacy_text) {
			/* as the Digital Agency's checker decides L1-08: a warning in UTF-8 */
			sev = KP_SEV_WARNING;
			fix = _("in UTF-8 it reaches every reader, but a Shift_JIS copy loses it and "
				"it reads badly in plain text: prefer ordinary characters (① → 1, "
				"Ⅱ → II, ㈱ → (株))");
		}
		/* ｰ between digits stands for a dash ("076ｰ220ｰ2111"), not for ー */
		if (cp == 0xFF70 && o > 0 && o + 3 < c->len && c->data[o - 1] >= '0' &&
		    c->data[o - 1] <= '9' && c->data[o + 3] >= '0' && c->data[o + 3] <= '9')
			fix = _("between digits it stands for a dash: write '-' (076-220-2111)");
		if (classes[k].bit == KP_TEXT_CONTROL) /* never shown as it is */
			kp_diag_set(&d, classes[k].sev, classes[k].code,
				    "U+%04X (%s) at character %zu of the cell: %s", (unsigned)cp,
				    rg ? _(rg->what) : _("control character"), at, _(classes[k].fix));
		else
			kp_diag_set(&d, sev, classes[k].code,
				    "'%s' (U+%04X, %s) at character %zu of the cell: %s", ch,
				    (unsigned)cp, rg ? _(rg->what) : _("character"), at, fix);
		d.rule = classes[k].rule;
		at_cell(t, &d, row, col, c);
		if (emit(t, &d))
			return sc.classes;
	}
	if (sc.lead_space || sc.trail_space || sc.inner_layout) {
		kp_diag d;
		if (sc.lead_space || sc.trail_space)
			kp_diag_set(&d, KP_SEV_ERROR, "padding-space",
				    "%s space%s: remove spaces used for layout",
				    sc.lead_space && sc.trail_space ? _("leading and trailing")
				    : sc.lead_space		    ? _("leading")
								    : _("trailing"),
				    sc.lead_space && sc.trail_space ? "s" : "");
		else
			kp_diag_set(
			    &d, KP_SEV_WARNING, "padding-space",
			    "spaces used for layout inside the text (a full-width space U+3000 or "
			    "several spaces): write the text without them, or split the parts into "
			    "separate columns");
		d.rule = "L1-06";
		at_cell(t, &d, row, col, c);
		emit(t, &d);
	}
	return sc.classes;
}

/* Equal byte strings of the same length, compared inline: the calls are per cell and
 * the strings a few bytes long. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* The first (up to) eight bytes of s as a word, zero-padded. */
static inline uint64_t head_word(const char *s, size_t n)
{
	uint64_t w = 0;
	if (n >= 8) {
		memcpy(&w, s, 8);
		return w;
	}
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	return w;
}

/* Fills the fast-path plan of a field (see fplan).  Out of memory leaves the field to
 * the general path. */
static void plan_field(fplan *p, const kp_field *f, int is_lg)
{
	memset(p, 0, sizeof *p);
	p->f = f;
	const kp_strlist *m = f->missing;
	int empty_null = !m || (m->len == 1 && m->lens[0] == 0);
	int text =
	    (f->type == KP_TYPE_STRING || f->type == KP_TYPE_ANY) && f->format == KP_FORMAT_DEFAULT;
	p->kind = is_lg							    ? FP_GENERAL
		  : text						    ? FP_TEXT
		  : f->type == KP_TYPE_INTEGER				    ? FP_INTEGER
		  : f->type == KP_TYPE_NUMBER || f->type == KP_TYPE_BOOLEAN ? FP_CAST
									    : FP_GENERAL;
	p->empty_ok = p->kind != FP_GENERAL && empty_null && !f->constraints.required;
	p->custom_missing = !empty_null;
	p->unique = (unsigned char)f->constraints.unique;
	p->lists = text && !f->constraints.enum_len; /* an enum names each value whole */
	const kp_constraints *c = &f->constraints;
	unsigned has = c->has & ~(1u << KP_CONSTRAINT_REQUIRED) & ~(1u << KP_CONSTRAINT_UNIQUE);
#define BIT(x) (1u << KP_CONSTRAINT_##x)
	if (has & BIT(ENUM)) {
		int all = 1;
		for (size_t i = 0; i < c->enum_len; i++)
			all &= !c->enum_values[i].is_null;
		if (all && text && (p->enums = calloc(c->enum_len + 1, sizeof *p->enums))) {
			for (size_t i = 0; i < c->enum_len; i++) {
				const kp_value *e = &c->enum_values[i];
				p->enums[i] = (ehead){head_word(e->text, e->len), e->len, e->text};
			}
			p->checks |= FC_ENUM_TEXT, has &= ~BIT(ENUM);
		} else if (all && f->type == KP_TYPE_INTEGER)
			p->checks |= FC_INT_ENUM, has &= ~BIT(ENUM);
	}
	if (f->type == KP_TYPE_INTEGER) {
		static const struct {
			unsigned bit;
			size_t off;
			int lower, exclusive;
		} bounds[] = {
		    {BIT(MINIMUM), offsetof(kp_constraints, minimum), 1, 0},
		    {BIT(MAXIMUM), offsetof(kp_constraints, maximum), 0, 0},
		    {BIT(EXCLUSIVE_MINIMUM), offsetof(kp_constraints, exclusive_minimum), 1, 1},
		    {BIT(EXCLUSIVE_MAXIMUM), offsetof(kp_constraints, exclusive_maximum), 0, 1},
		};
		p->lo = LLONG_MIN;
		p->hi = LLONG_MAX;
		for (size_t k = 0; k < NELEM(bounds); k++) {
			if (!(has & bounds[k].bit))
				continue;
			const kp_value *b =
			    (const kp_value *)(const void *)((const char *)c + bounds[k].off);
			if (b->is_null || b->type != KP_TYPE_INTEGER)
				continue; /* left to kp_cast_check */
			long long x = b->u.i;
			if (bounds[k].exclusive) {
				if (x == (bounds[k].lower ? LLONG_MAX : LLONG_MIN))
					continue;
				x += bounds[k].lower ? 1 : -1;
			}
			if (bounds[k].lower && x > p->lo)
				p->lo = x;
			if (!bounds[k].lower && x < p->hi)
				p->hi = x;
			has &= ~bounds[k].bit;
			p->checks |= FC_INT_RANGE;
		}
	}
#undef BIT
	if (has)
		p->checks |= FC_GENERAL;
}

/* The constraints of a value the fast path cast: 1 when all pass, 0 when one fails
 * (the general path then reports it). */
static int plan_check(const fplan *p, const kp_value *v)
{
	const kp_field *f = p->f;
	const kp_constraints *c = &f->constraints;
	if ((p->checks & FC_INT_RANGE) && (v->u.i < p->lo || v->u.i > p->hi))
		return 0;
	if ((p->checks & FC_ENUM_TEXT) && c->enum_len > 16) {
		if (!kp_strset_find(&c->enum_set, v->text, v->len, NULL))
			return 0;
	} else if (p->checks & FC_ENUM_TEXT) {
		uint64_t h = head_word(v->text, v->len);
		size_t i = 0;
		for (; i < c->enum_len; i++) {
			const ehead *e = &p->enums[i];
			if (e->head == h && e->len == v->len &&
			    (v->len <= 8 || memcmp(e->text + 8, v->text + 8, v->len - 8) == 0))
				break;
		}
		if (i == c->enum_len)
			return 0;
	}
	if (p->checks & FC_INT_ENUM) {
		if (c->enum_ints) {
			size_t lo = 0, hi = c->enum_len;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (c->enum_ints[mid] < v->u.i)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo == c->enum_len || c->enum_ints[lo] != v->u.i)
				return 0;
		} else {
			size_t i = 0;
			for (; i < c->enum_len; i++)
				if (c->enum_values[i].u.i == v->u.i)
					break;
			if (i == c->enum_len)
				return 0;
		}
	}
	if ((p->checks & FC_GENERAL) && kp_cast_check(f, v, NULL) != KP_CONSTRAINT_NONE)
		return 0;
	return 1;
}

/* A bit of a 64-bit filter for the first character of a cell (its first 3 bytes). */
static inline uint64_t mark_bit(const char *s)
{
	uint32_t c = (uint32_t)(unsigned char)s[0] << 16 | (uint32_t)(unsigned char)s[1] << 8 |
		     (unsigned char)s[2];
	return 1ull << ((c * 0x9E3779B1u) >> 26);
}

/* The filter of the repeat marks' first characters: most cells of 3 or 6 bytes (units,
 * short Japanese words) are turned away by one test. */
static uint64_t mark_filter(void)
{
	uint64_t m = 0;
	for (size_t k = 0; k < NELEM(repeat_marks); k++)
		m |= mark_bit(repeat_marks[k].s);
	return m;
}

static int is_repeat_mark(const tctx *t, const kp_csvcell *c)
{
	/* every mark is one or two 3-byte characters: most cells are rejected here */
	if ((c->len != 3 && c->len != 6) || (unsigned char)c->data[0] < 0xE2 ||
	    !(t->marks & mark_bit(c->data)))
		return 0;
	for (size_t k = 0; k < NELEM(repeat_marks); k++)
		if (repeat_marks[k].n == c->len && same_bytes(c->data, repeat_marks[k].s, c->len))
			return 1;
	return 0;
}

static int missing_has_empty(const kp_field *f)
{
	const kp_strlist *m = f->missing;
	if (!m)
		return 1;
	for (size_t k = 0; k < m->len; k++)
		if (m->lens[k] == 0)
			return 1;
	return 0;
}

/* The canonical text of a cell that is its own canonical form. */
static inline int canon_copy(tctx *t, size_t f, const char *src, size_t n)
{
	if (t->canon_len + n + 1 > t->canon_cap) {
		size_t nc = (t->canon_cap ? t->canon_cap * 2 : 1024);
		while (nc < t->canon_len + n + 1)
			nc *= 2;
		char *p = realloc(t->canon, nc + CANON_SLACK);
		if (!p)
			return -1;
		t->canon = p;
		t->canon_cap = nc;
	}
	memcpy(t->canon + t->canon_len, src, n);
	t->canon[t->canon_len + n] = '\0';
	t->canon_off[f] = t->canon_len;
	t->canon_n[f] = n;
	t->canon_len += n + 1;
	t->canon_state[f] = 1;
	return 0;
}

static int canon_put(tctx *t, size_t f, const kp_field *fd, const kp_value *v)
{
	char tmp[256];
	int n;
	if (v->type == KP_TYPE_INTEGER) {
		/* the canonical text of an integer (kp_cast_canonical's contract: digits with
		 * '-'), written here because snprintf was a tenth of the run time */
		char d[24];
		int k = 0;
		unsigned long long u =
		    v->u.i < 0 ? 0ull - (unsigned long long)v->u.i : (unsigned long long)v->u.i;
		do
			d[k++] = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		n = 0;
		if (v->u.i < 0)
			tmp[n++] = '-';
		while (k)
			tmp[n++] = d[--k];
		tmp[n] = '\0';
	} else {
		n = kp_cast_canonical(fd, v, tmp, sizeof tmp);
	}
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof tmp)
		return canon_copy(t, f, v->text, v->len); /* long text: the cell itself */
	return canon_copy(t, f, tmp, (size_t)n);
}

static void defer(tctx *t, keyset *ks, uint64_t h, long row, int kind, size_t idx)
{
	if (t->npend == t->cappend) {
		size_t nc = t->cappend ? t->cappend * 2 : 16;
		struct pending *p = realloc(t->pend, nc * sizeof *p);
		if (!p) {
			ks_insert(ks, h, row); /* no room to defer: insert now, without a finding */
			return;
		}
		t->pend = p;
		t->cappend = nc;
	}
	if (ks->cap)
		__builtin_prefetch(&ks->slots[h & (ks->cap - 1)], 1);
	t->pend[t->npend++] = (struct pending){ks, h, row, kind, idx};
}

static void key_text(const tctx *t, const kp_fieldref *fr, char *buf, size_t size);
static void field_names(const kp_schema *s, const kp_fieldref *fr, char *buf, size_t size);

/* Inserts the keys deferred from the previous row and reports its duplicates. */
static void flush_pending(tctx *t)
{
	const kp_schema *s = t->s;
	for (size_t i = 0; i < t->npend && !t->stop; i++) {
		struct pending *p = &t->pend[i];
		long first = ks_insert(p->ks, p->h, p->row);
		if (!first || p->kind == PEND_WANT)
			continue;
		kp_diag d;
		char buf[200], names[200];
		long col;
		if (p->kind == PEND_UNIQUE) {
			const kp_field *f = &s->fields[p->idx];
			const char *txt = t->canon + t->canon_off[p->idx];
			kp_diag_set(
			    &d, KP_SEV_ERROR, "unique-error",
			    "'%s' repeats the value of row %ld: every value of '%s' must be unique",
			    txt, first, f->name);
			col = t->field_col[p->idx];
			at_cell(t, &d, p->row, col >= 0 ? (size_t)col : 0, NULL);
			set_cell(&d, txt, t->canon_n[p->idx]);
		} else {
			const kp_fieldref *fr =
			    p->kind == PEND_PK ? &s->primary_key : &s->unique_keys[p->idx];
			key_text(t, fr, buf, sizeof buf);
			field_names(s, fr, names, sizeof names);
			if (p->kind == PEND_PK)
				kp_diag_set(&d, KP_SEV_ERROR, "primary-key",
					    "primary key (%s) = (%s) repeats row %ld: each row "
					    "needs its own key",
					    names, buf, first);
			else
				kp_diag_set(&d, KP_SEV_ERROR, "unique-error",
					    "(%s) = (%s) repeats row %ld: the schema's uniqueKeys "
					    "make this "
					    "combination unique",
					    names, buf, first);
			col = t->field_col[fr->idx[0]];
			at_cell(t, &d, p->row, col >= 0 ? (size_t)col : 0, NULL);
		}
		emit(t, &d);
	}
	t->npend = 0;
}

/* A byte that may start or end padding: a space, a control, or any non-ASCII byte
 * (U+3000 and the other layout spaces are multi-byte). */
static int plain_edge(char ch)
{
	unsigned char u = (unsigned char)ch;
	return u <= ' ' || u >= 0x80;
}

/* The key of a unique field, deferred (see tctx.pend). */
static void unique_key(tctx *t, size_t fi, long row)
{
	uint64_t h =
	    kp_hash_nonzero(kp_hash_bytes(HASH_SEED, t->canon + t->canon_off[fi], t->canon_n[fi]));
	defer(t, &t->unique[fi], h, row, PEND_UNIQUE, fi);
}

static inline int blank_byte(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The fast path: 1 when the cell is taken (nothing to report), 0 when the general path
 * must look at it. */
static void list_seen(tctx *t, long row, size_t col, const kp_csvcell *c);

static inline __attribute__((always_inline)) int cell_fast(tctx *t, const kp_csvrecord *r,
							   const kp_csvcell *c, size_t fi)
{
	const fplan *p = &t->plan[fi];
	size_t n = c->len;
	if (n == 0) {
		if (!p->empty_ok)
			return 0;
		t->canon_state[fi] = 2;
		t->as_is[fi] = KP_VALIDATE_CELL_NULL;
		return 1;
	}
	if (p->custom_missing && kp_cast_is_missing(p->f, c->data, n))
		return 0;
	kp_value v;
	switch (p->kind) {
	case FP_TEXT: {
		/* a plain record (see KP_CSVREC_PLAIN) leaves only the cell's ends to look at */
		int plain = r->flags & KP_CSVREC_PLAIN
				? !blank_byte(c->data[0]) && !blank_byte(c->data[n - 1])
				: kp_text_plain(c->data, n);
		if (!plain || is_repeat_mark(t, c))
			return 0;
		if (p->lists && kp_text_list_mark(c->data, n))
			list_seen(t, r->number, (size_t)t->field_col[fi], c);
		v.text = c->data; /* plain text is its own value (kp_cast_fast's answer) */
		v.len = n;
		break;
	}
	case FP_INTEGER:
		if (!kp_cast_fast_integer(c->data, n, &v.u.i))
			return 0;
		break;
	case FP_CAST:
		if (!kp_cast_fast(p->f, c->data, n, &v))
			return 0;
		break;
	default:
		return 0;
	}
	if (p->checks) {
		v.type = p->f->type;
		v.is_null = 0;
		v.text = c->data;
		v.len = n;
		if (!plan_check(p, &v))
			return 0;
	}
	if (p->canon && canon_copy(t, fi, c->data, n) != 0)
		t->canon_state[fi] = 3;
	if (p->unique && t->canon_state[fi] == 1)
		unique_key(t, fi, r->number);
	t->as_is[fi] = KP_VALIDATE_CELL_AS_IS;
	return 1;
}

static int five_digits(const kp_csvcell *c)
{
	if (c->len != 5)
		return 0;
	for (size_t i = 0; i < 5; i++)
		if (c->data[i] < '0' || c->data[i] > '9')
			return 0;
	return 1;
}

/* The five digits of c with their check digit, in out (7 bytes). */
static const char *with_digit(const kp_csvcell *c, char *out)
{
	memcpy(out, c->data, 5);
	out[5] = (char)('0' + kp_lgcode_check_digit(c->data));
	out[6] = '\0';
	return out;
}

/* A cell with half-width katakana fails its pattern only because of them when it
 * matches with each written full-width (ｶﾞ → ア, ｰ → ー: any katakana stands in): the
 * halfwidth-kana finding already says so, and one cause is one finding. */
static int kana_is_the_cause(const kp_field *f, const kp_csvcell *c)
{
	char buf[1024];
	size_t k = 0;
	for (size_t i = 0; i < c->len && k + 4 < sizeof buf;) {
		uint32_t cp;
		size_t l = kp_text_utf8_decode(c->data + i, c->len - i, &cp);
		if (!l)
			return 0;
		if (cp == 0xFF9E || cp == 0xFF9F) { /* a voiced mark: part of the kana before */
			i += l;
			continue;
		}
		if (cp >= 0xFF61 && cp <= 0xFF9D)
			kp_text_utf8_encode(cp == 0xFF70 ? 0x30FC : cp <= 0xFF65 ? 0x30FB : 0x30A2, buf + k);
		else
			memcpy(buf + k, c->data + i, l);
		k += cp >= 0xFF61 && cp <= 0xFF9D ? 3 : l;
		i += l;
	}
	return f->constraints.pattern_re && kp_pattern_match(f->constraints.pattern_re, buf, k) == 1;
}

/* Separators people write between the values of a list cell instead of the one the
 * schema names (the standards' 「;」（半角のセミコロン）区切り). */
static const char *const other_separators[] = {"、", "，", ",", "／", "/", "\n", "；"};

static int holds(const kp_csvcell *c, const char *text)
{
	size_t n = strlen(text);
	for (const char *p = c->data; p && (size_t)(c->data + c->len - p) >= n;
	     p = memchr(p + 1, text[0], (size_t)(c->data + c->len - p - 1)))
		if (*p == text[0] && memcmp(p, text, n) == 0)
			return 1;
	return 0;
}

static void list_separator(tctx *t, long row, size_t col, const kp_csvcell *c, const char *sep)
{
	for (size_t k = 0; k < NELEM(other_separators); k++) {
		const char *o = other_separators[k];
		if (strcmp(o, sep) == 0 || !holds(c, o))
			continue;
		kp_diag d;
		kp_diag_set(&d, KP_SEV_WARNING, "list-separator",
			    "the values are separated by '%s': write them joined by '%s' only (as "
			    "the schema says), e.g. 内科%s外科",
			    strcmp(o, "\n") == 0 ? _("a line break") : o, sep, sep);
		at_cell(t, &d, row, col, c);
		emit(t, &d);
		return;
	}
}

/* The general path: every check, every finding. */
/* Whether a text cell joins several values: "窓口・電話・メール", "総務課, 企画課",
 * "373（H27）、434（H28）", "391445（355943）".  A sentence is not a list: the cell has no
 * "。" and its parts are short (20 characters at most); "1,200" is a number. */
static const char *list_kind(const char *s, size_t n)
{
	/* ・ also joins the words of one name (医療・介護・障害者福祉の連携推進): its parts
	 * must be short words to make a list (窓口・電話・メール) */
	static const struct {
		const char *sep;
		size_t len;
		int min;      /* separators needed */
		size_t part;  /* characters a part may have */
		const char *kind;
	} seps[] = {{"\xE3\x80\x81", 3, 2, 20, N_("joined by 「、」")},
		    {"\xE3\x83\xBB", 3, 2, 6, N_("joined by 「・」")},
		    {",", 1, 1, 20, N_("joined by commas")}, /* 2 in Latin text (see below) */
		    {"\xEF\xBC\x8C", 3, 1, 20, N_("joined by commas")}};
	if (n < 3 || n > 400)
		return NULL;
	/* a number with another number in parentheses: 391445（355943） */
	size_t i = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i && n - i > 6 && memcmp(s + i, "\xEF\xBC\x88", 3) == 0 &&
	    memcmp(s + n - 3, "\xEF\xBC\x89", 3) == 0) {
		size_t j = i + 3;
		while (j < n - 3 && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j == n - 3 && j > i + 3)
			return N_("a number and another in （）");
	}
	/* one pass first: which separators are there, enough times, and no 。 */
	int seen[4] = {0};
	for (size_t p = 0; p < n; p++) {
		unsigned char c = (unsigned char)s[p];
		if (c == ',') {
			if (!(p > 0 && p + 1 < n && s[p - 1] >= '0' && s[p - 1] <= '9' &&
			      s[p + 1] >= '0' && s[p + 1] <= '9'))
				seen[2]++;
		} else if (c == 0xE3 && p + 2 < n) {
			if (s[p + 1] == '\x80' && s[p + 2] == '\x81')
				seen[0]++;
			else if (s[p + 1] == '\x83' && s[p + 2] == '\xBB')
				seen[1]++;
			else if (s[p + 1] == '\x80' && s[p + 2] == '\x82')
				return NULL; /* 。: a sentence */
		} else if (c == 0xEF && p + 2 < n && s[p + 1] == '\xBC' && s[p + 2] == '\x8C') {
			seen[3]++;
		}
	}
	for (size_t k = 0; k < 4; k++) {
		if (seen[k] < seps[k].min)
			continue;
		int count = 0, bad = 0;
		size_t part = 0; /* characters since the last separator */
		for (size_t p = 0; p < n && !bad;) {
			if (p + 3 <= n && memcmp(s + p, "\xE3\x80\x82", 3) == 0) {
				bad = 1; /* 。: a sentence */
				break;
			}
			if (p + seps[k].len <= n && memcmp(s + p, seps[k].sep, seps[k].len) == 0) {
				/* a comma between digits is a thousands separator */
				int thousands = seps[k].len == 1 && p > 0 && p + 1 < n &&
						s[p - 1] >= '0' && s[p - 1] <= '9' && s[p + 1] >= '0' &&
						s[p + 1] <= '9';
				if (!thousands) {
					if (part == 0)
						bad = 1;
					count++;
					part = 0;
				} else {
					part++;
				}
				p += seps[k].len;
				continue;
			}
			unsigned char c = (unsigned char)s[p];
			p += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
			if (c != ' ' && ++part > seps[k].part)
				bad = 1;
		}
		/* a comma in Latin text is often prose ("Kanazawa, Ishikawa"): two make a list */
		int min = seps[k].min;
		if (seps[k].len == 1)
			for (size_t p = 0; p < n && min == 1; p++)
				if ((s[p] | 0x20) >= 'a' && (s[p] | 0x20) <= 'z')
					min = 2;
		if (!bad && count >= min && part > 0)
			return seps[k].kind;
	}
	return NULL;
}

static void list_seen(tctx *t, long row, size_t col, const kp_csvcell *c)
{
	long fi = t->col_field[col];
	if (fi >= 0 && t->sep && t->sep[fi])
		return; /* a list by the schema's own word ("separator") */
	const char *kind = list_kind(c->data, c->len);
	if (!kind)
		return;
	if (!t->lists && !(t->lists = calloc(t->ncols, sizeof *t->lists)))
		return;
	struct list_col *l = &t->lists[col];
	if (!l->count++) {
		l->first = row;
		l->kind = kind;
		size_t k = c->len < sizeof l->cell - 1 ? c->len : sizeof l->cell - 1;
		while (k && k < c->len && ((unsigned char)c->data[k] & 0xC0) == 0x80)
			k--; /* not inside a character */
		memcpy(l->cell, c->data, k);
		l->cell[k] = '\0';
	}
}

static void lists_end(tctx *t)
{
	for (size_t i = 0; t->lists && i < t->ncols && !t->stop; i++) {
		const struct list_col *l = &t->lists[i];
		if (!l->count)
			continue;
		long f = t->col_field[i];
		kp_diag d;
		kp_diag_set(&d, KP_SEV_WARNING, "multiple-values",
			    "%ld cell%s of column %zu hold%s several values (%s; first row %ld: "
			    "'%s'): one value per cell; put each value in a row of its own, or give "
			    "each its own column (e.g. 窓口: ○)",
			    l->count, l->count == 1 ? "" : "s", i + 1, l->count == 1 ? "s" : "",
			    _(l->kind), l->first, l->cell);
		d.rule = "L1-07";
		kp_diag_at(&d, t->file, l->first, (long)i + 1, -1);
		if (f >= 0)
			d.field = t->s->fields[f].name;
		emit(t, &d);
	}
}

static void cell(tctx *t, const kp_csvrecord *r, size_t col)
{
	const kp_csvcell *c = &r->cells[col];
	long fi = t->col_field[col];
	/* A cell that casts to a number, date, boolean … holds only what its format allows:
	 * the character rules matter for text, and for typed cells only when the cast fails
	 * (then they come first, to explain it). */
	int typed = fi >= 0 && t->typed[fi];
	unsigned met = 0;
	if (!typed || (c->len && (plain_edge(c->data[0]) || plain_edge(c->data[c->len - 1]))))
		met = char_checks(t, r->number, col, c);
	if (fi < 0)
		return;
	const kp_field *f = &t->s->fields[fi];
	kp_diag d;
	if (is_repeat_mark(t, c)) {
		kp_diag_set(&d, KP_SEV_ERROR, "repeat-mark",
			    "'%s' stands for the value above: write the value itself in every row",
			    c->data);
		d.rule = "L2-02";
		at_cell(t, &d, r->number, col, c);
		emit(t, &d);
		t->canon_state[fi] = 3;
		return;
	}
	if (c->len == 0 && is_numeric_type(f->type) && !missing_has_empty(f)) {
		const kp_strlist *m = f->missing;
		kp_diag_set(
		    &d, KP_SEV_ERROR, "blank-vs-zero",
		    "empty cell in the %s field '%s', whose schema marks missing data as '%s': "
		    "write 0 for zero or '%s' for no data",
		    f->type == KP_TYPE_INTEGER ? _("integer") : _("number"), f->name,
		    m && m->len ? m->items[0] : "",
		    m && m->len ? m->items[0] : "");
		d.rule = "L1-09";
		at_cell(t, &d, r->number, col, c);
		emit(t, &d);
		t->canon_state[fi] = 3;
		return;
	}
	kp_value v;
	kp_diag err;
	int rc;
	if ((f->type == KP_TYPE_STRING || f->type == KP_TYPE_ANY) &&
	    f->format == KP_FORMAT_DEFAULT) {
		/* plain text casts to itself: skip the general caster (a fifth of the time) */
		v.type = f->type;
		v.text = c->data;
		v.len = c->len;
		v.is_null = kp_cast_is_missing(f, c->data, c->len);
		rc = v.is_null ? KP_CAST_MISSING : KP_CAST_OK;
		/* (a field with a separator is a list by the schema's own word; one with an enum
		 * names each allowed value: 研究・検討 is one) */
		if (!v.is_null && !f->constraints.enum_len && kp_text_list_mark(c->data, c->len))
			list_seen(t, r->number, col, c);
	} else {
		rc = kp_cast_cell(f, c->data, c->len, &v, &err);
	}
	if (rc == KP_CAST_ERROR) {
		t->canon_state[fi] = 3;
		if (typed &&
		    !(c->len && (plain_edge(c->data[0]) || plain_edge(c->data[c->len - 1]))))
			char_checks(t, r->number, col, c);
		if (is_numeric_type(f->type) && number_with_unit(t, r->number, col, c, f))
			return;
		err.severity = KP_SEV_ERROR;
		err.code = "type-error";
		at_cell(t, &err, r->number, col, c);
		emit(t, &err);
		return;
	}
	kp_constraint why;
	if ((f->constraints.has || f->constraints.required) &&
	    (why = kp_cast_check(f, &v, &err)) != KP_CONSTRAINT_NONE &&
	    !(why == KP_CONSTRAINT_PATTERN && (met & KP_TEXT_HALFWIDTH_KANA) &&
	      kana_is_the_cause(f, c))) {
		err.code = "constraint-error";
		err.severity = KP_SEV_ERROR;
		at_cell(t, &err, r->number, col, c);
		if (emit(t, &err))
			return;
	}
	if (rc == KP_CAST_MISSING) {
		t->canon_state[fi] = 2;
		if (c->len == 0 && f->constraints.required && t->prev_filled[col]) {
			kp_diag_set(
			    &d, KP_SEV_WARNING, "repeat-mark",
			    "empty cell under a filled one in the required field '%s': if it means "
			    "\"same as above\", write the value again",
			    f->name);
			d.rule = "L2-02";
			at_cell(t, &d, r->number, col, c);
			emit(t, &d);
		}
		return;
	}
	if (t->sep && t->sep[fi])
		list_separator(t, r->number, col, c, t->sep[fi]);
	if (t->is_lg[fi] == 2) {
		int want = 0;
		int cr = kp_lgcode_corporate_check(c->data, c->len, &want);
		if (cr == 0) {
			kp_diag_set(&d, KP_SEV_ERROR, "corporate-number",
				    "'%s' has a wrong check digit for a 法人番号: the first digit "
				    "should be %d for the twelve after it; check the number (国税庁's "
				    "法人番号公表サイト)",
				    c->data, want);
			at_cell(t, &d, r->number, col, c);
			if (emit(t, &d))
				return;
		}
	} else if (t->is_lg[fi]) {
		int want = 0;
		char code6[7];
		enum kp_lgcode_result lr = kp_lgcode_check(c->data, c->len, &want);
		if (lr != KP_LGCODE_OK) {
			if (lr == KP_LGCODE_BAD_CHECK_DIGIT)
				kp_diag_set(
				    &d, KP_SEV_ERROR, "lg-code",
				    "'%s' has a wrong check digit for 全国地方公共団体コード: it "
				    "should end "
				    "in %d (%.5s%d); check the code against the official list",
				    c->data, want, c->data, want);
			else if (five_digits(c) && kp_lgcode_list_find(t->lg_codes, with_digit(c, code6)))
				kp_diag_set(&d, KP_SEV_ERROR, "lg-code",
					    "'%s' has 5 digits: a 全国地方公共団体コード has 6, the check "
					    "digit last: write %s (%s)",
					    c->data, code6, kp_lgcode_list_find(t->lg_codes, code6)->name);
			else
				kp_diag_set(&d, KP_SEV_ERROR, "lg-code",
					    "'%s' is not a 6-digit 全国地方公共団体コード (5 "
					    "digits and a check digit, as 総務省's list writes "
					    "them)",
					    c->data);
			at_cell(t, &d, r->number, col, c);
			if (emit(t, &d))
				return;
		} else if (t->lg_codes && !kp_lgcode_list_find(t->lg_codes, c->data)) {
			kp_diag_set(&d, KP_SEV_ERROR, "lg-code",
				    "'%s' has a right check digit but is no 全国地方公共団体コード in "
				    "総務省's list (%zu codes, as of 令和6年1月1日): check the code",
				    c->data, t->lg_codes->n);
			at_cell(t, &d, r->number, col, c);
			if (emit(t, &d))
				return;
		}
	}
	if (t->need_canon[fi] && canon_put(t, (size_t)fi, f, &v) != 0)
		t->canon_state[fi] = 3;
	if (f->constraints.unique && t->canon_state[fi] == 1)
		unique_key(t, (size_t)fi, r->number);
}

/* Hash of the canonical texts of fields[]; returns 0 when one of them is null or bad
 * (the key then takes no part in the check). */
static uint64_t key_hash(const tctx *t, const kp_fieldref *fr)
{
	uint64_t h = HASH_SEED;
	for (size_t k = 0; k < fr->len; k++) {
		size_t f = fr->idx[k];
		if (t->canon_state[f] != 1)
			return 0;
		h = kp_hash_bytes(h, t->canon + t->canon_off[f], t->canon_n[f]); /* length-tagged */
	}
	return kp_hash_nonzero(h);
}

static void key_text(const tctx *t, const kp_fieldref *fr, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < fr->len && o + 1 < size; k++) {
		size_t f = fr->idx[k];
		int n = snprintf(buf + o, size - o, "%s%s", k ? ", " : "",
				 t->canon_state[f] == 1 ? t->canon + t->canon_off[f] : "");
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static void field_names(const kp_schema *s, const kp_fieldref *fr, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < fr->len && o + 1 < size; k++) {
		int n =
		    snprintf(buf + o, size - o, "%s%s", k ? ", " : "", s->fields[fr->idx[k]].name);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static size_t arena_add(rule_state *rs, const char *s, size_t n)
{
	if (rs->alen + n + 1 > rs->acap) {
		size_t nc = rs->acap ? rs->acap * 2 : 4096;
		while (nc < rs->alen + n + 1)
			nc *= 2;
		char *p = realloc(rs->arena, nc);
		if (!p) {
			rs->failed = 1;
			return 0;
		}
		rs->arena = p;
		rs->acap = nc;
	}
	size_t off = rs->alen;
	memcpy(rs->arena + off, s, n);
	rs->arena[off + n] = '\0';
	rs->alen += n + 1;
	return off;
}

/* 1 when the current row meets every condition (a null cell has the text ""). */
static int conditions_hold(const tctx *t, const kp_rule_where *w, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		size_t f = w[k].field;
		if (f >= t->s->nfields)
			return 0;
		const char *txt = t->canon_state[f] == 1 ? t->canon + t->canon_off[f] : "";
		size_t len = t->canon_state[f] == 1 ? t->canon_n[f] : 0;
		if (!kp_schema_rule_where_match(&w[k], txt, len))
			return 0;
	}
	return 1;
}

static size_t arena_add(rule_state *rs, const char *s, size_t n);

enum { KR_NEW, KR_SAME, KR_OVER };

/* The text of a key field in the current row (a null is ""). */
static inline const char *field_text(const tctx *t, size_t f, size_t *n)
{
	if (t->canon_state[f] != 1) {
		*n = 0;
		return "";
	}
	*n = t->canon_n[f];
	return t->canon + t->canon_off[f];
}

/* One key of a run (see keyrun) over the fields fr, with its hash h and the value the
 * set would map it to (ks NULL: only the order is followed, nothing is listed).  Returns KR_NEW
 * when it came after the previous key and was listed, KR_SAME when it equals the previous key and
 * same_ok (rule groups: rows of one group in a row), else KR_OVER: the run is over and ks now holds
 * every listed key (treat this key as usual). */
static int keyrun_step(tctx *t, keyrun *kr, const kp_fieldref *fr, keyset *ks, uint64_t h, long val,
		       int same_ok)
{
	if (kr->n > 0) {
		/* the first field whose text differs decides both orders; none: the same key */
		int sl = 0, lx = 0;
		const char *q = kr->prev;
		for (size_t k = 0; k < fr->len && !sl; k++) {
			size_t an, bn;
			const char *a = field_text(t, fr->idx[k], &an);
			memcpy(&bn, q, sizeof bn);
			const char *b = q + sizeof bn;
			q = b + bn;
			int c = memcmp(a, b, an < bn ? an : bn);
			lx = c ? c : (an > bn) - (an < bn);
			sl = an != bn ? (an > bn ? 1 : -1) : c;
		}
		if (!sl && same_ok)
			return KR_SAME;
		kr->shortlex &= sl > 0;
		kr->lex &= lx > 0;
	}
	if (kr->shortlex || kr->lex) {
		size_t need = 0, n;
		for (size_t k = 0; k < fr->len; k++)
			need += sizeof(size_t) + (field_text(t, fr->idx[k], &n), n);
		if (need > kr->prev_cap) {
			char *p = realloc(kr->prev, need * 2);
			if (!p)
				goto over;
			kr->prev = p;
			kr->prev_cap = need * 2;
		}
		if (ks && kr->n == kr->cap) {
			size_t nc = kr->cap ? kr->cap * 2 : 4096;
			keyslot *l = realloc(kr->list, nc * sizeof *l);
			if (!l)
				goto over;
			kr->list = l;
			kr->cap = nc;
		}
		char *q = kr->prev;
		for (size_t k = 0; k < fr->len; k++) {
			const char *a = field_text(t, fr->idx[k], &n);
			memcpy(q, &n, sizeof n);
			memcpy(q + sizeof n, a, n);
			q += sizeof n + n;
		}
		if (ks) {
			kr->list[kr->n].h = h;
			kr->list[kr->n].row = val > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)val;
		}
		kr->n++;
		return KR_NEW;
	}
over:
	if (ks)
		ks_bulk(ks, kr->list, kr->n);
	keyrun_free(kr);
	return KR_OVER;
}

/* A consistent rule: the row's value must equal its group's first value. */
static void consistent_row(tctx *t, rule_state *rs, uint64_t group, long row)
{
	const kp_rule *ru = rs->rule;
	const char *val = t->canon + t->canon_off[ru->field];
	size_t vlen = t->canon_n[ru->field];
	uint64_t vh = kp_hash_nonzero(kp_hash_bytes(HASH_SEED, val, vlen));
	if (rs->nfirst == rs->capfirst) {
		size_t nc = rs->capfirst ? rs->capfirst * 2 : 64;
		struct rule_first *f = realloc(rs->first, nc * sizeof *f);
		if (!f) {
			rs->failed = 1;
			return;
		}
		rs->first = f;
		rs->capfirst = nc;
	}
	/* groups that come in order (see keyrun): the previous row's group, a new one, or
	 * the set once they do not */
	int k = rs->run.active ? keyrun_step(t, &rs->run, &ru->group_by, &rs->groups, group,
					     (long)rs->nfirst + 1, 1)
			       : KR_OVER;
	long idx = k == KR_SAME	 ? (long)rs->nfirst
		   : k == KR_NEW ? 0
				 : ks_insert(&rs->groups, group, (long)rs->nfirst + 1);
	if (!idx) {
		struct rule_first *f = &rs->first[rs->nfirst++];
		f->vhash = vh;
		f->row = row;
		f->text = arena_add(rs, val, vlen);
		return;
	}
	const struct rule_first *f = &rs->first[idx - 1];
	if (f->vhash == vh)
		return;
	kp_diag d;
	kp_diag_set(&d, ru->severity, "rule-error",
		    "'%s' differs from '%s' in row %ld of the same group: %s", val,
		    rs->arena + f->text, f->row,
		    ru->message ? ru->message : _("use one value for the whole group"));
	d.rule = ru->id;
	long col = t->field_col[ru->field];
	kp_diag_at(&d, t->file, row, col >= 0 ? col + 1 : 0, -1);
	d.field = t->s->fields[ru->field].name;
	kp_diag_set_cell(&d, val, vlen);
	emit(t, &d);
}

/* strtod of a canonical number; whole numbers of up to 15 digits (years, counts) are
 * read directly: they are exact in a double, so the result is strtod's. */
static double order_key(const char *s)
{
	const char *p = s + (*s == '-');
	long long v = 0;
	int k = 0;
	for (; k < 16 && *p >= '0' && *p <= '9'; p++, k++)
		v = v * 10 + (*p - '0');
	if (*p == '\0' && k > 0 && k <= 15)
		return (double)(*s == '-' ? -v : v);
	return strtod(s, NULL);
}

/* The group of the current row for a rule: its groupBy texts (a null is ""). */
static uint64_t group_hash(const tctx *t, const kp_fieldref *fr)
{
	uint64_t g = HASH_SEED;
	for (size_t k = 0; k < fr->len; k++) {
		size_t n; /* a null counts as "" (length-tagged: the fields stay apart) */
		const char *txt = field_text(t, fr->idx[k], &n);
		g = kp_hash_bytes(g, txt, n);
	}
	return kp_hash_nonzero(g);
}

/* Column `col` completes a key: hash it now and prefetch its slot, so that the insert
 * at the end of the row (or the next one) finds it in the cache. */
static void early_keys(tctx *t, size_t col)
{
	const kp_schema *s = t->s;
	if ((long)col == t->pk_col) {
		t->pk_h = key_hash(t, &s->primary_key);
		t->pk_known = 1;
		if (t->pk_h && t->pk.cap && !t->pk_run.active)
			__builtin_prefetch(&t->pk.slots[t->pk_h & (t->pk.cap - 1)], 1);
	}
	for (size_t k = 0; k < s->nrules; k++) {
		rule_state *rs = &t->rules[k];
		if (rs->group_col != (long)col)
			continue;
		rs->early_g = rs->group_twin >= 0 ? t->rules[rs->group_twin].early_g
						  : group_hash(t, &rs->rule->group_by);
		rs->early_known = 1;
		if (rs->groups.cap && !rs->run.active)
			__builtin_prefetch(&rs->groups.slots[rs->early_g & (rs->groups.cap - 1)],
					   1);
	}
}

static void rule_collect(tctx *t, rule_state *rs, long row)
{
	const kp_rule *ru = rs->rule;
	if (rs->failed)
		return;
	if (ru->reference_key >= 0 && !rs->ref)
		return; /* whereReference without the other resource: skipped */
	if (!conditions_hold(t, ru->where, ru->nwhere))
		return;
	if (ru->reference_key >= 0) {
		/* whereReference: considered only when the referenced row qualifies; without
		 * the other resource (a table checked alone) the rule is skipped */
		if (!rs->ref || (size_t)ru->reference_key >= t->s->nforeign_keys)
			return;
		uint64_t h = key_hash(t, &t->s->foreign_keys[ru->reference_key].fields);
		if (!h || !ks_find(rs->ref, h))
			return;
	}
	if (t->canon_state[ru->field] != 1)
		return;
	if (ru->order_by >= 0 && t->canon_state[ru->order_by] != 1)
		return;
	uint64_t g = rs->early_known ? rs->early_g : group_hash(t, &ru->group_by);
	if (ru->type == KP_RULE_CONSISTENT) {
		consistent_row(t, rs, g, row);
		return;
	}
	/* groups in order (each a contiguous run, none coming back): known at the end
	 * without a set of them (already_grouped) */
	if (rs->run.active)
		keyrun_step(t, &rs->run, &ru->group_by, NULL, g, 0, 1);
	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? rs->cap * 2 : 64;
		rule_entry *e = realloc(rs->e, nc * sizeof *e);
		if (!e) {
			rs->failed = 1;
			return;
		}
		rs->e = e;
		rs->cap = nc;
	}
	rule_entry *e = &rs->e[rs->n];
	e->row = row;
	e->group = g;
	if (rs->order_numeric)
		e->o.okey = order_key(t->canon + t->canon_off[ru->order_by]);
	else
		e->o.order = ru->order_by >= 0
				 ? arena_add(rs, t->canon + t->canon_off[ru->order_by],
					     t->canon_n[ru->order_by])
				 : 0;
	e->value = arena_add(rs, t->canon + t->canon_off[ru->field], t->canon_n[ru->field]);
	if (!rs->failed)
		rs->n++;
}

/* After a few thousand rows the file size tells roughly how many keys will come: size
 * the key sets once instead of doubling them (and rehashing) many times. */
static void reserve_keys(tctx *t, const kp_csvrecord *r)
{
	if (t->file_size <= 0 || r->end <= 0)
		return;
	double per_row = (double)r->end / (double)r->number;
	size_t est = (size_t)((double)t->file_size / per_row * 1.05);
	if (est > (size_t)1 << 26)
		est = (size_t)1 << 26;
	const kp_schema *s = t->s;
	for (size_t f = 0; f < s->nfields; f++)
		if (s->fields[f].constraints.unique)
			ks_reserve(&t->unique[f], est);
	if (s->primary_key.len)
		ks_reserve(&t->pk, est);
	for (size_t u = 0; u < s->nunique_keys; u++)
		ks_reserve(&t->uk[u], est);
	for (size_t w = 0; w < t->nwants; w++)
		ks_reserve(t->wants[w].ks, est);
	/* rule entries: the share of rows each rule has taken so far, for the whole file */
	for (size_t k = 0; k < s->nrules; k++) {
		rule_state *rs = &t->rules[k];
		if (!rs->n || rs->rule->type == KP_RULE_CONSISTENT)
			continue;
		size_t want = (size_t)((double)rs->n / (double)r->number * (double)est) + 64;
		if (want > rs->cap) {
			rule_entry *e = realloc(rs->e, want * sizeof *e);
			if (e) {
				rs->e = e;
				rs->cap = want;
			}
		}
		size_t awant = (size_t)((double)rs->alen / (double)r->number * (double)est) + 4096;
		if (awant > rs->acap) {
			char *a = realloc(rs->arena, awant);
			if (a) {
				rs->arena = a;
				rs->acap = awant;
			}
		}
	}
}

/* Column i has no label.  Once a value is seen in it: blank-label, as any tool says
 * (L1-05).  A column with neither (hold == 0: at the end of the table) is reported
 * with the blank columns beside it in one finding: it splits the table (L1-03). */
static void blank_label(tctx *t, size_t i, size_t last)
{
	kp_diag d;
	if (last == i)
		kp_diag_set(&d, KP_SEV_ERROR, "blank-label",
			    "column %zu has no label: give every column a name", i + 1);
	else
		kp_diag_set(
		    &d, KP_SEV_ERROR, "blank-label",
		    "columns %zu to %zu have no label and no value: remove the empty columns",
		    i + 1, last + 1);
	d.rule = last == i ? "L1-05" : "L1-03";
	kp_diag_at(&d, t->file, t->header_row, (long)i + 1, t->header_offset);
	set_cell(&d, "", 0);
	emit(t, &d);
}

static void blank_cols_seen(tctx *t, const kp_csvrecord *r)
{
	for (size_t k = 0; k < t->nblank_cols;) {
		size_t i = t->blank_cols[k];
		if (i < r->ncells && r->cells[i].len) {
			blank_label(t, i, i);
			t->blank_cols[k] = t->blank_cols[--t->nblank_cols];
		} else {
			k++;
		}
	}
}

/* At the end of the table: the columns with no label and no value, in runs. */
static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static void blank_cols_end(tctx *t)
{
	qsort(t->blank_cols, t->nblank_cols, sizeof *t->blank_cols, cmp_size);
	for (size_t k = 0; k < t->nblank_cols && !t->stop;) {
		size_t j = k;
		while (j + 1 < t->nblank_cols && t->blank_cols[j + 1] == t->blank_cols[j] + 1)
			j++;
		if (t->rows == 0 || j == k) {
			/* nothing to tell it from a column yet to be filled: blank-label; a
			 * lone empty column: the same finding, with the fix for both */
			kp_diag d;
			kp_diag_set(&d, KP_SEV_ERROR, "blank-label",
				    t->rows
					? "column %zu has no label and no value: remove the empty "
					  "column, or name it and fill it in"
					: "column %zu has no label: give every column a name",
				    t->blank_cols[k] + 1);
			d.rule = t->rows ? "L1-03" : "L1-05";
			kp_diag_at(&d, t->file, t->header_row, (long)t->blank_cols[k] + 1,
				   t->header_offset);
			set_cell(&d, "", 0);
			emit(t, &d);
		} else {
			blank_label(t, t->blank_cols[k], t->blank_cols[j]);
		}
		k = j + 1;
	}
	t->nblank_cols = 0;
}

/* A run of blank rows that splits the table: one finding. */
static void blank_run(tctx *t, const kp_layout_run *run)
{
	kp_diag d;
	t->rows += run->last - run->first + 1; /* rows of the table, if blank */
	if (run->first == run->last)
		kp_diag_set(&d, KP_SEV_ERROR, "blank-row",
			    "row %ld is empty: remove blank rows, the table must not be split",
			    run->first);
	else
		kp_diag_set(
		    &d, KP_SEV_ERROR, "blank-row",
		    "rows %ld to %ld are empty: remove blank rows, the table must not be split",
		    run->first, run->last);
	d.rule = "L1-03";
	if (run->first == t->header_row + 1) {
		/* between the header and the data: the data does not start on the next line */
		if (run->first == run->last)
			kp_diag_set(&d, KP_SEV_ERROR, "blank-row",
				    "row %ld is empty, between the header and the data: the data must "
				    "start on the line after the header; remove it",
				    run->first);
		else
			kp_diag_set(&d, KP_SEV_ERROR, "blank-row",
				    "rows %ld to %ld are empty, between the header and the data: the "
				    "data must start on the line after the header; remove them",
				    run->first, run->last);
		d.rule = "L3-01";
	}
	kp_diag_at(&d, t->file, run->first, 0, run->offset);
	emit(t, &d);
}

/* What lies outside the table (a note, a second table, the header again): one finding
 * each, on the record that starts it. */
static void outside(tctx *t, const kp_csvrecord *r, kp_layout_kind k)
{
	kp_diag d;
	size_t first = 0;
	while (first < r->ncells && !r->cells[first].len)
		first++;
	static const struct {
		kp_layout_kind kind;
		const char *code, *rule, *text; /* the message, after "row N " */
	} what[] = {
	    {KP_LAYOUT_NOTE, "note-row", "L1-04",
	     N_("is a note below the table, not data: move notes (and any below it) to the "
		"dataset's description, or into a column of their own")},
	    {KP_LAYOUT_TABLE, "second-table", "L1-02",
	     N_("starts a second table below a blank row: put each table in a file of its "
		"own (one table per file); the rows from here on were not checked")},
	    {KP_LAYOUT_AGAIN, "repeated-header", "L1-03",
	     N_("repeats the header: remove it, the header belongs on the first line only "
		"and the table must not be split")},
	};
	size_t w = 0;
	while (w + 1 < NELEM(what) && what[w].kind != k)
		w++;
	kp_diag_set(&d, KP_SEV_ERROR, what[w].code, "row %ld %s", r->number, _(what[w].text));
	d.rule = what[w].rule;
	kp_diag_at(&d, t->file, r->number, first < r->ncells ? first + 1 : 0, r->offset);
	if (first < r->ncells)
		set_cell(&d, r->cells[first].data, r->cells[first].len);
	emit(t, &d);
}

/* The names beside a 全国地方公共団体コード are its names in 総務省's list:
 * 地方公共団体名 is prefecture and municipality ("千葉県市川市"); the old layout's
 * 都道府県名 and 市区町村名 are the two parts.  The first row that differs is reported,
 * the others counted (lg_names_end). */
static void lg_names(tctx *t, const kp_csvrecord *r)
{
	if ((size_t)t->lg_col >= r->ncells || r->cells[t->lg_col].len != 6)
		return;
	const kp_lgcode_entry *e = kp_lgcode_list_find(t->lg_codes, r->cells[t->lg_col].data);
	if (!e)
		return; /* the code's own finding says so */
	const struct {
		long col;
		const char *want, *what;
	} checks[] = {{t->lg_name_col, e->name, "地方公共団体名"},
		      {t->pref_col, e->pref_name, "都道府県名"},
		      {t->city_col, e->city_name, "市区町村名"}};
	for (size_t k = 0; k < NELEM(checks); k++) {
		long col = checks[k].col;
		if (col < 0 || (size_t)col >= r->ncells || !r->cells[col].len ||
		    cell_is(&r->cells[col], checks[k].want))
			continue;
		const kp_csvcell *c = &r->cells[col];
		kp_diag d;
		int short_form = k == 0 && strcmp(e->city_name, "") != 0 && cell_is(c, e->city_name);
		if (t->lg_name_bad[short_form]++)
			return;
		kp_diag_set(&d, short_form ? KP_SEV_WARNING : KP_SEV_ERROR, "lg-name",
			    short_form ? "%s '%.*s' lacks the prefecture: write '%s' (the prefecture "
					 "and the municipality of %s)"
				       : "%s '%.*s' is not the name of %s beside it: 総務省's list "
					 "has '%s'; correct the name or the code",
			    checks[k].what, (int)(c->len > 100 ? 100 : c->len), c->data,
			    short_form ? e->name : e->code, short_form ? e->code : checks[k].want);
		at_cell(t, &d, r->number, (size_t)col, c);
		emit(t, &d);
		return;
	}
}

/* A recommended (○ 推奨) column left empty: one finding per column, with how often. */
static void recommended_end(tctx *t)
{
	for (size_t k = 0; k < t->nrecs && !t->stop; k++) {
		const struct rec_field *rf = &t->recs[k];
		if (!rf->empty)
			continue;
		const kp_field *f = &t->s->fields[rf->field];
		kp_diag d;
		kp_diag_set(&d, KP_SEV_WARNING, "recommended-empty",
			    "'%s' is recommended (○ 推奨) by the standard but empty in %ld of %ld rows "
			    "(first row %ld): fill it in where the value is known",
			    f->title ? f->title : f->name, rf->empty, t->rows, rf->first);
		kp_diag_at(&d, t->file, t->header_row, t->field_col[rf->field] + 1, t->header_offset);
		d.field = f->name;
		emit(t, &d);
	}
}

/* Feeds the text cells of the columns that may hold choices (see choice.h). */
static void choices_seen(tctx *t, const kp_csvrecord *r)
{
	if (!t->choice_init) {
		t->choice_init = 1;
		t->choice = kp_choice_new(t->ncols);
		t->choice_cols = calloc(t->ncols ? t->ncols : 1, sizeof *t->choice_cols);
		if (!t->choice || !t->choice_cols)
			return;
		for (size_t i = 0; i < t->ncols; i++) {
			long f = t->col_field[i];
			const kp_field *fd = f >= 0 ? &t->s->fields[f] : NULL;
			if (fd && (fd->type == KP_TYPE_STRING || fd->type == KP_TYPE_ANY) &&
			    !fd->constraints.enum_len && !(t->sep && t->sep[f]))
				t->choice_cols[t->nchoice++] = i;
		}
	}
	for (size_t k = 0; k < t->nchoice;) {
		size_t i = t->choice_cols[k];
		if (!kp_choice_active(t->choice, i)) {
			t->choice_cols[k] = t->choice_cols[--t->nchoice];
			continue;
		}
		if (i < r->ncells && r->cells[i].len)
			kp_choice_add(t->choice, i, r->number, r->cells[i].data, r->cells[i].len);
		k++;
	}
}

static void choices_end(tctx *t)
{
	for (size_t i = 0; t->choice && i < t->ncols && !t->stop; i++) {
		long f = t->col_field[i];
		kp_choice_variant v;
		kp_choice_other o;
		kp_diag d;
		if (kp_choice_variants(t->choice, i, &v)) {
			char more[64] = "";
			if (v.others)
				snprintf(more, sizeof more, _(", and %ld more such"), v.others);
			kp_diag_set(&d, KP_SEV_WARNING, "choice-variant",
				    "column %zu holds choices written more than one way: '%s' (%ld "
				    "row%s, first row %ld) is likely '%s' (%ld rows)%s; write each "
				    "choice one way (a code list helps), and notes in a column of their "
				    "own",
				    i + 1, v.rare, v.rare_rows, v.rare_rows == 1 ? "" : "s", v.rare_first,
				    v.usual, v.usual_rows, more);
			d.rule = "L2-04";
			kp_diag_at(&d, t->file, v.rare_first, (long)i + 1, -1);
			if (f >= 0)
				d.field = t->s->fields[f].name;
			if (emit(t, &d))
				return;
		}
		if (kp_choice_others(t->choice, i, &o)) {
			size_t k = strlen(o.first);
			if (k > 60)
				for (k = 60; k && ((unsigned char)o.first[k] & 0xC0) == 0x80; k--)
					; /* not inside a character */
			kp_diag_set(&d, KP_SEV_WARNING, "other-detail",
				    "column %zu writes the detail of 「その他」 in the same cell (%ld "
				    "different values, first row %ld: '%.*s'): keep 「その他」 as the "
				    "choice, and put the detail in a column of its own (e.g. その他の内容)",
				    i + 1, o.distinct, o.first_row, (int)k, o.first);
			d.rule = "L2-05";
			kp_diag_at(&d, t->file, o.first_row, (long)i + 1, -1);
			if (f >= 0)
				d.field = t->s->fields[f].name;
			if (emit(t, &d))
				return;
		}
	}
}

static void stub_seen(tctx *t, const kp_csvrecord *r)
{
	if (r->ncells < 3 || t->ncols < 3)
		return;
	if (r->cells[0].len) {
		t->stub_seen = 1;
		return;
	}
	size_t filled = 0;
	for (size_t i = 1; i < r->ncells && filled < 2; i++)
		filled += r->cells[i].len > 0;
	if (t->stub_seen && filled >= 2 && !t->stub_blank++)
		t->stub_first = r->number;
}

static void stub_end(tctx *t)
{
	long f = t->col_field ? t->col_field[0] : -1;
	/* a required field already reports each blank */
	if (!t->stub_blank || t->stop || (f >= 0 && t->s->fields[f].constraints.required))
		return;
	kp_diag d;
	kp_diag_set(&d, KP_SEV_WARNING, "omitted-value",
		    "%ld row%s leave%s column 1 blank below a value (first row %ld): if a blank "
		    "means \"the same as above\", write the value in every row, so that each row "
		    "can be read alone",
		    t->stub_blank, t->stub_blank == 1 ? "" : "s", t->stub_blank == 1 ? "s" : "",
		    t->stub_first);
	d.rule = "L2-02";
	kp_diag_at(&d, t->file, t->stub_first, 1, -1);
	if (f >= 0)
		d.field = t->s->fields[f].name;
	emit(t, &d);
}

static void lg_names_end(tctx *t)
{
	for (int k = 0; k < 2 && !t->stop; k++) {
		if (t->lg_name_bad[k] <= 1)
			continue;
		kp_diag d;
		kp_diag_set(&d, k ? KP_SEV_WARNING : KP_SEV_ERROR, "lg-name",
			    k ? "%ld more rows write 地方公共団体名 without the prefecture (as the first "
				"one reported)"
			      : "%ld more rows have a name that is not their code's in 総務省's list "
				"(as the first one reported)",
			    t->lg_name_bad[k] - 1);
		kp_diag_at(&d, t->file, 0, 0, -1);
		emit(t, &d);
	}
}

static void row(tctx *t, const kp_csvrecord *r)
{
	const kp_schema *s = t->s;
	flush_pending(t);
	if (++t->rows == 4096)
		reserve_keys(t, r);
	/* Quote problems make the cells a guess: report them, but do not pile up findings
	 * on guessed cells. */
	if (r->flags & (KP_CSVREC_QUOTE_PROBLEM | KP_CSVREC_CUT))
		return;
	if (t->nblank_cols)
		blank_cols_seen(t, r);
	memset(t->canon_state, 0, s->nfields);
	memset(t->as_is, 0, s->nfields);
	t->canon_len = 0;
	size_t n = r->ncells < t->ncols ? r->ncells : t->ncols;
	t->pk_known = 0;
	for (size_t k = 0; k < s->nrules; k++)
		t->rules[k].early_known = 0;
	for (size_t i = 0; i < n && !t->stop; i++) {
		long fi = t->col_field[i];
		if (fi < 0 || t->general_only || !cell_fast(t, r, &r->cells[i], (size_t)fi))
			cell(t, r, i);
		if (t->early_at[i])
			early_keys(t, i);
	}
	for (size_t i = r->ncells; i < t->ncols && !t->stop; i++) {
		kp_diag d;
		long f = t->col_field[i];
		kp_diag_set(
		    &d, KP_SEV_ERROR, "missing-cell",
		    "row has %zu cells, the header %zu: cell %zu%s%s%s is missing; add it (empty "
		    "if there is no value)",
		    r->ncells, t->ncols, i + 1, f >= 0 ? _(" ('") : "",
		    f >= 0 ? s->fields[f].name : "", f >= 0 ? "')" : "");
		d.rule =
		    "L1-15"; /* a record of the wrong width: quoting (a comma) or a lost cell */
		at_cell(t, &d, r->number, i, NULL);
		emit(t, &d);
		if (f >= 0) {
			/* an absent cell of a required field is also a missing value */
			kp_value v;
			kp_diag err;
			if (kp_cast_cell(&s->fields[f], "", 0, &v, &err) != KP_CAST_ERROR &&
			    kp_cast_check(&s->fields[f], &v, &err) != KP_CONSTRAINT_NONE) {
				err.code = "constraint-error";
				at_cell(t, &err, r->number, i, NULL);
				emit(t, &err);
			}
			t->canon_state[f] = 2;
		}
	}
	for (size_t i = t->ncols; i < r->ncells && !t->stop; i++) {
		kp_diag d;
		kp_diag_set(
		    &d, KP_SEV_ERROR, "extra-cell",
		    "row has %zu cells, the header %zu: cell %zu is extra; a comma inside a value "
		    "must be quoted (\"1,500\"), or remove the extra cell",
		    r->ncells, t->ncols, i + 1);
		d.rule = "L1-15";
		at_cell(t, &d, r->number, i, &r->cells[i]);
		emit(t, &d);
	}
	if (t->stop)
		return;
	if (t->lg_codes && t->lg_col >= 0)
		lg_names(t, r);
	stub_seen(t, r);
	choices_seen(t, r);
	for (size_t k = 0; k < t->nrecs; k++) {
		long c = t->field_col[t->recs[k].field];
		if (c >= 0 && ((size_t)c >= r->ncells || !r->cells[c].len) && !t->recs[k].empty++)
			t->recs[k].first = r->number;
	}
	for (size_t k = 0; k < t->nreq_cols; k++) {
		size_t i = t->req_cols[k];
		t->prev_filled[i] = i < r->ncells && r->cells[i].len > 0;
	}

	char buf[200], names[200];
	if (s->primary_key.len) {
		uint64_t h = t->pk_known ? t->pk_h : key_hash(t, &s->primary_key);
		if (h && !(t->pk_run.active && keyrun_step(t, &t->pk_run, &s->primary_key, &t->pk,
							   h, r->number, 0) == KR_NEW))
			defer(t, &t->pk, h, r->number, PEND_PK, 0);
	}
	for (size_t u = 0; u < s->nunique_keys; u++) {
		uint64_t h = key_hash(t, &s->unique_keys[u]);
		if (h)
			defer(t, &t->uk[u], h, r->number, PEND_UK, u);
	}
	for (size_t w = 0; w < t->nwants; w++) {
		if (!conditions_hold(t, t->wants[w].cond, t->wants[w].ncond))
			continue;
		uint64_t h = key_hash(t, t->wants[w].fields);
		if (h)
			defer(t, t->wants[w].ks, h, r->number, PEND_WANT, w);
	}
	for (size_t k = 0; k < s->nforeign_keys; k++) {
		fk_state *fs = &t->fks[k];
		const kp_foreign_key *fk = fs->fk;
		if (fk->resource_index == -1) /* self: the referenced keys of this row count */ {
			uint64_t th = key_hash(t, &fk->reference_fields);
			if (th)
				ks_insert(&fs->self, th, r->number);
		}
		if (fk->resource_index != -1 && !fs->target)
			continue; /* the other resource is not at hand (a table checked alone) */
		uint64_t h = key_hash(t, &fk->fields);
		if (!h)
			continue;
		if (fk->resource_index == -1) {
			if (ks_find(&fs->self, h))
				continue;
			if (fs->nmiss == fs->capmiss) {
				size_t nc = fs->capmiss ? fs->capmiss * 2 : 16;
				struct fk_miss *m = realloc(fs->miss, nc * sizeof *m);
				if (!m)
					continue;
				fs->miss = m;
				fs->capmiss = nc;
			}
			struct fk_miss *m = &fs->miss[fs->nmiss++];
			m->h = h;
			m->row = r->number;
			key_text(t, &fk->fields, m->cell, sizeof m->cell);
			continue;
		}
		if (!fs->target || ks_find(fs->target, h))
			continue;
		key_text(t, &fk->fields, buf, sizeof buf);
		field_names(s, &fk->fields, names, sizeof names);
		kp_diag d;
		kp_diag_set(
		    &d, KP_SEV_ERROR, "foreign-key",
		    "(%s) = (%s) is not found in resource '%s': add that row there or correct "
		    "the value",
		    names, buf, fs->target_name ? fs->target_name : "?");
		long col = t->field_col[fk->fields.idx[0]];
		at_cell(t, &d, r->number, col >= 0 ? (size_t)col : 0, NULL);
		kp_diag_set_cell(&d, buf, strlen(buf));
		if (emit(t, &d))
			return;
	}
	for (size_t k = 0; k < s->nrules; k++)
		rule_collect(t, &t->rules[k], r->number);
}

/* ------------------------------------------------------------------------------------ */
/* End of table: self foreign keys and plan rules. */

static void finish_self_fks(tctx *t)
{
	const kp_schema *s = t->s;
	for (size_t k = 0; k < s->nforeign_keys && !t->stop; k++) {
		fk_state *fs = &t->fks[k];
		char names[200], ref[200];
		field_names(s, &fs->fk->fields, names, sizeof names);
		field_names(s, &fs->fk->reference_fields, ref, sizeof ref);
		for (size_t m = 0; m < fs->nmiss && !t->stop; m++) {
			if (ks_find(&fs->self, fs->miss[m].h))
				continue;
			kp_diag d;
			kp_diag_set(&d, KP_SEV_ERROR, "foreign-key",
				    "(%s) = (%s) is not a value of (%s) in this table: correct the "
				    "reference "
				    "or add the row it points to",
				    names, fs->miss[m].cell, ref);
			long col = t->field_col[fs->fk->fields.idx[0]];
			kp_diag_at(&d, t->file, fs->miss[m].row, col >= 0 ? col + 1 : 0, -1);
			d.field = s->fields[fs->fk->fields.idx[0]].name;
			kp_diag_set_cell(&d, fs->miss[m].cell, strlen(fs->miss[m].cell));
			emit(t, &d);
		}
	}
}

/* qsort has no context argument: the rule being sorted is kept here. */
static const rule_state *sort_rs;
static const kp_field *sort_order_field;

static int cmp_typed(const kp_field *f, const char *a, const char *b)
{
	kp_value va, vb;
	if (f && f->type != KP_TYPE_STRING && f->type != KP_TYPE_ANY &&
	    kp_cast_plain(f->type, KP_FORMAT_DEFAULT, a, strlen(a), &va, NULL) == KP_CAST_OK &&
	    kp_cast_plain(f->type, KP_FORMAT_DEFAULT, b, strlen(b), &vb, NULL) == KP_CAST_OK)
		return kp_cast_compare(&va, &vb);
	return strcmp(a, b);
}

static int cmp_entry(const void *pa, const void *pb)
{
	const rule_entry *a = pa, *b = pb;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (sort_order_field && sort_rs->order_numeric) {
		if (a->o.okey != b->o.okey)
			return a->o.okey < b->o.okey ? -1 : 1;
	} else if (sort_order_field) {
		int c;
		c = cmp_typed(sort_order_field, sort_rs->arena + a->o.order,
			      sort_rs->arena + b->o.order);
		if (c)
			return c;
	}
	return a->row < b->row ? -1 : a->row > b->row;
}

/* 1 when the entries already come the way the sort would put them within each group
 * (every group one contiguous run, each run in cmp_entry order): rows of one item are
 * usually written together, year after year.  Then the sort can be skipped; only the
 * order of the groups differs, and findings are put in row order afterwards anyway.
 * Costs one key-set insert per run (memory in proportion to the groups). */
static int already_grouped(const rule_state *rs)
{
	const rule_entry *e = rs->e;
	size_t n = rs->n, runs = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && e[i].group == e[i - 1].group) {
			if (cmp_entry(&e[i - 1], &e[i]) >= 0)
				return 0;
		} else {
			runs++;
		}
	}
	/* Each run's group must be new: known when the groups came in order (rs->run),
	 * else one insert per run into a set sized once, its slots prefetched eight runs
	 * ahead (the groups come in no useful order). */
	if (rs->run.active)
		return 1;
	keyset seen = {0};
	ks_reserve(&seen, runs);
	int ok = !seen.failed;
	size_t ahead = 0, lead = 0;
	for (size_t i = 0; i < n && ok; i++) {
		if (i > 0 && e[i].group == e[i - 1].group)
			continue;
		for (; ahead < n && lead < 8; ahead++)
			if (ahead == 0 || e[ahead].group != e[ahead - 1].group) {
				__builtin_prefetch(&seen.slots[e[ahead].group & (seen.cap - 1)], 1);
				lead++;
			}
		lead--;
		ok = ks_insert(&seen, e[i].group, 1) == 0 && !seen.failed;
	}
	ks_free(&seen);
	return ok;
}

static long rank_of(const kp_rule *ru, const char *v)
{
	for (size_t k = 0; k < ru->order.len; k++)
		if (strcmp(ru->order.items[k], v) == 0)
			return (long)k;
	return -1;
}

static int cmp_diag_row(const void *pa, const void *pb)
{
	const kp_diag *a = pa, *b = pb;
	return a->row < b->row ? -1 : a->row > b->row;
}

static void finish_rules(tctx *t)
{
	const kp_schema *s = t->s;
	kp_diag *out = NULL;
	size_t nout = 0, capout = 0;
	for (size_t k = 0; k < s->nrules && !t->stop; k++) {
		rule_state *rs = &t->rules[k];
		const kp_rule *ru = rs->rule;
		const kp_field *vf = &s->fields[ru->field];
		sort_rs = rs;
		sort_order_field = ru->type == KP_RULE_NON_DECREASING && ru->order_by >= 0
				       ? &s->fields[ru->order_by]
				       : NULL;
		/* Unsorted (already grouped) entries give the same findings, but the cap on
		 * findings must cut the same ones: when it is reached, sort and start over. */
		int unsorted = rs->n > 1 && already_grouped(rs);
		if (rs->n > 1 && !unsorted)
			qsort(rs->e, rs->n, sizeof *rs->e, cmp_entry);
		long col = t->field_col[ru->field];
		int restart = 0;
	again:;
		size_t gstart = 0;
		for (size_t i = 0; i < rs->n && !t->stop; i++) {
			const rule_entry *e = &rs->e[i];
			const char *val = rs->arena + e->value;
			if (i > 0 && rs->e[i - 1].group != e->group)
				gstart = i;
			kp_diag d;
			int bad = 0;
			const rule_entry *p = i > gstart ? &rs->e[i - 1] : NULL;
			if (ru->type == KP_RULE_CONSISTENT) {
				const char *first = rs->arena + rs->e[gstart].value;
				if (i > gstart && strcmp(first, val) != 0) {
					bad = 1;
					kp_diag_set(&d, ru->severity, "rule-error",
						    "'%s' differs from '%s' in row %ld of the same "
						    "group: %s",
						    val, first, rs->e[gstart].row,
						    ru->message
							? ru->message
							: _("use one value for the whole group"));
				}
			} else if (ru->order.len) {
				long rk = rank_of(ru, val);
				if (rk < 0) {
					bad = 1;
					kp_diag_set(&d, ru->severity, "rule-error",
						    "'%s' is not one of the ranked values of rule "
						    "'%s': use one of "
						    "the listed values",
						    val, ru->id);
				} else if (p) {
					long rp = rank_of(ru, rs->arena + p->value);
					if (rp >= 0 && (rk < rp || (ru->strict && rk == rp))) {
						bad = 1;
						kp_diag_set(&d, ru->severity, "rule-error",
							    "'%s' comes after '%s' (row %ld) but "
							    "ranks lower: %s",
							    val, rs->arena + p->value, p->row,
							    ru->message
								? ru->message
								: _("values must not go backwards"));
					}
				}
			} else if (p) {
				int c = cmp_typed(vf, val, rs->arena + p->value);
				if (c < 0 || (ru->strict && c == 0)) {
					bad = 1;
					kp_diag_set(
					    &d, ru->severity, "rule-error",
					    "%s is less than %s in row %ld of the same group: %s",
					    val, rs->arena + p->value, p->row,
					    ru->message ? ru->message : _("values must not decrease"));
				}
			}
			if (!bad)
				continue;
			d.rule = ru->id;
			kp_diag_at(&d, t->file, e->row, col >= 0 ? col + 1 : 0, -1);
			d.field = vf->name;
			kp_diag_set_cell(&d, val, strlen(val));
			/* held back so that the rule's findings come out in row order */
			if (nout == capout) {
				size_t nc = capout ? capout * 2 : 16;
				kp_diag *o = realloc(out, nc * sizeof *o);
				if (!o && unsorted) {
					restart = 1; /* findings go out now: in the sorted order */
					break;
				}
				if (!o) {
					emit(t, &d);
					continue;
				}
				out = o;
				capout = nc;
			}
			out[nout++] = d;
			if (t->max_errors > 0 && nout >= (size_t)t->max_errors) {
				restart = unsorted;
				break;
			}
		}
		if (restart) {
			restart = unsorted = 0;
			nout = 0;
			qsort(rs->e, rs->n, sizeof *rs->e, cmp_entry);
			goto again;
		}
		if (nout > 1)
			qsort(out, nout, sizeof *out, cmp_diag_row);
		for (size_t i = 0; i < nout && !t->stop; i++)
			emit(t, &out[i]);
		nout = 0;
		if (rs->failed) {
			kp_diag d;
			kp_diag_set(&d, KP_SEV_WARNING, "rule-error",
				    "out of memory: rule '%s' was checked on part of the rows only",
				    ru->id);
			kp_diag_at(&d, t->file, 0, 0, -1);
			emit(t, &d);
		}
	}
	free(out);
}

/* ------------------------------------------------------------------------------------ */

typedef struct table_env {
	const keyset **targets;	   /* per foreign key: the other resource's key set or NULL */
	const char **target_names; /* per foreign key */
	want_keys *wants;
	size_t nwants;
	const keyset **rule_refs; /* per rule: the whereReference key set or NULL */
	const char *root;	  /* the folder the file must lie in (a package's), or NULL */
} table_env;

static void tctx_release(tctx *t)
{
	kp_choice_free(t->choice);
	free(t->choice_cols);
	free(t->lists);
	const kp_schema *s = t->s;
	if (t->layout_on)
		kp_layout_release(&t->layout);
	free(t->col_field);
	free(t->field_col);
	free(t->prev_filled);
	free(t->req_cols);
	free(t->early_at);
	free(t->blank_cols);
	free(t->recs);
	free(t->sep);
	free(t->is_lg);
	free(t->typed);
	free(t->need_canon);
	for (size_t f = 0; t->plan && f < s->nfields; f++)
		free(t->plan[f].enums);
	free(t->plan);
	free(t->pend);
	free(t->canon);
	free(t->canon_off);
	free(t->canon_n);
	free(t->canon_state);
	free(t->as_is);
	if (t->unique)
		for (size_t f = 0; f < s->nfields; f++)
			ks_free(&t->unique[f]);
	free(t->unique);
	ks_free(&t->pk);
	keyrun_free(&t->pk_run);
	if (t->uk)
		for (size_t u = 0; u < s->nunique_keys; u++)
			ks_free(&t->uk[u]);
	free(t->uk);
	if (t->fks)
		for (size_t k = 0; k < s->nforeign_keys; k++) {
			ks_free(&t->fks[k].self);
			free(t->fks[k].miss);
		}
	free(t->fks);
	if (t->rules)
		for (size_t k = 0; k < s->nrules; k++) {
			free(t->rules[k].e);
			free(t->rules[k].arena);
			free(t->rules[k].first);
			ks_free(&t->rules[k].groups);
			keyrun_free(&t->rules[k].run);
		}
	free(t->rules);
}

static void mark_canon(tctx *t, const kp_fieldref *fr)
{
	for (size_t k = 0; k < fr->len; k++)
		if (fr->idx[k] < t->s->nfields)
			t->need_canon[fr->idx[k]] = 1;
}

static int tctx_init(tctx *t, const kp_schema *s, const table_env *env)
{
	size_t nf = s->nfields ? s->nfields : 1;
	kp_hash_init();
	t->s = s;
	t->field_col = malloc(nf * sizeof *t->field_col);
	t->is_lg = calloc(nf, 1);
	t->typed = calloc(nf, 1);
	t->need_canon = calloc(nf, 1);
	t->canon_off = calloc(nf, sizeof *t->canon_off);
	t->canon_n = calloc(nf, sizeof *t->canon_n);
	t->canon_state = calloc(nf, 1);
	t->as_is = calloc(nf, 1);
	t->unique = calloc(nf, sizeof *t->unique);
	t->uk = calloc(s->nunique_keys + 1, sizeof *t->uk);
	t->fks = calloc(s->nforeign_keys + 1, sizeof *t->fks);
	t->rules = calloc(s->nrules + 1, sizeof *t->rules);
	if (!t->field_col || !t->is_lg || !t->typed || !t->need_canon || !t->canon_off ||
	    !t->canon_n || !t->canon_state || !t->as_is || !t->unique || !t->uk || !t->fks ||
	    !t->rules)
		return -1;
	t->marks = mark_filter();
	t->pk_run.active = t->pk_run.shortlex = t->pk_run.lex = s->primary_key.len > 0;
	t->plan = calloc(nf, sizeof *t->plan);
	t->recs = calloc(nf, sizeof *t->recs);
	if (!t->plan || !t->recs)
		return -1;
	for (size_t f = 0; f < s->nfields; f++)
		if (s->fields[f].json && json_is_true(json_object_get(s->fields[f].json, "recommended")))
			t->recs[t->nrecs++] = (struct rec_field){f, 0, 0};
	for (size_t f = 0; f < s->nfields; f++) {
		t->field_col[f] = -1;
		t->is_lg[f] = (unsigned char)field_is_lgcode(&s->fields[f]);
		const char *sep = s->fields[f].json ? json_string_value(json_object_get(
							  s->fields[f].json, "separator"))
						    : NULL;
		if (sep && *sep && (t->sep || (t->sep = calloc(nf, sizeof *t->sep))))
			t->sep[f] = sep;
		/* a list separator to check: the general path sees every cell */
		plan_field(&t->plan[f], &s->fields[f], t->is_lg[f] || (t->sep && t->sep[f]));
		t->typed[f] = (unsigned char)typed_kind(s->fields[f].type);
		if (s->fields[f].constraints.unique)
			t->need_canon[f] = 1;
	}
	mark_canon(t, &s->primary_key);
	for (size_t u = 0; u < s->nunique_keys; u++)
		mark_canon(t, &s->unique_keys[u]);
	for (size_t k = 0; k < s->nforeign_keys; k++) {
		t->fks[k].fk = &s->foreign_keys[k];
		mark_canon(t, &s->foreign_keys[k].fields);
		if (s->foreign_keys[k].resource_index == -1)
			mark_canon(t, &s->foreign_keys[k].reference_fields);
		if (env && env->targets) {
			t->fks[k].target = env->targets[k];
			t->fks[k].target_name = env->target_names[k];
		}
	}
	for (size_t k = 0; k < s->nrules; k++) {
		const kp_rule *ru = &s->rules[k];
		t->rules[k].rule = ru;
		t->rules[k].run.active = t->rules[k].run.shortlex = t->rules[k].run.lex = 1;
		t->need_canon[ru->field] = 1;
		if (ru->order_by >= 0)
			t->need_canon[ru->order_by] = 1;
		mark_canon(t, &ru->group_by);
		for (size_t w = 0; w < ru->nwhere; w++)
			if (ru->where[w].field < s->nfields)
				t->need_canon[ru->where[w].field] = 1;
		if (ru->reference_key >= 0 && (size_t)ru->reference_key < s->nforeign_keys)
			mark_canon(t, &s->foreign_keys[ru->reference_key].fields);
		if (env && env->rule_refs)
			t->rules[k].ref = env->rule_refs[k];
		if (ru->order_by >= 0) {
			kp_type ot = s->fields[ru->order_by].type;
			t->rules[k].order_numeric =
			    ot == KP_TYPE_INTEGER || ot == KP_TYPE_NUMBER || ot == KP_TYPE_YEAR;
		}
	}
	if (env) {
		t->wants = env->wants;
		t->nwants = env->nwants;
		for (size_t w = 0; w < env->nwants; w++) {
			mark_canon(t, env->wants[w].fields);
			for (size_t c = 0; c < env->wants[w].ncond; c++)
				if (env->wants[w].cond[c].field < s->nfields)
					t->need_canon[env->wants[w].cond[c].field] = 1;
		}
	}
	for (size_t f = 0; f < s->nfields; f++)
		t->plan[f].canon =
		    t->need_canon[f]; /* final once keys, rules and wants are known */
	return 0;
}

static int run_table(const char *path, const char *display, const kp_schema *s,
		     const kp_validate_opts *opts, const kp_diag_sink *sink, kp_validate_stats *st,
		     const table_env *env, const kp_resource *res)
{
	const kp_validate_hooks *hk = opts ? opts->hooks : NULL;
	int hk_started = 0;
	tctx t;
	memset(&t, 0, sizeof t);
	t.file = display ? display : path;
	t.sink = sink;
	t.max_errors = opts ? opts->max_errors : 0;
	t.general_only = opts && opts->general_only;
	t.lg_codes = opts ? opts->lg_codes : NULL;
	kp_validate_stats local;
	if (!st)
		st = &local;
	memset(st, 0, sizeof *st);
	st->fields = (long)s->nfields;
	int status = 0;

	kp_rows_opts ro;
	memset(&ro, 0, sizeof ro);
	ro.csv.file = t.file;
	/* --encoding, else the resource's "encoding", else what the file's bytes show */
	ro.csv.encoding = opts && opts->encoding ? opts->encoding
		      : res && res->encoding ? res->encoding
					     : NULL;
	ro.csv.guess_encoding = !ro.csv.encoding;
	ro.csv.sha256 = !(opts && opts->no_sha256);
	ro.csv.root = env ? env->root : NULL;
	ro.csv.sink.fn = reader_sink;
	ro.csv.sink.ctx = &t;
	/* a workbook's sheet: --sheet, else the resource's "sheet" */
	ro.sheet = opts && opts->sheet ? opts->sheet : NULL;
	json_t *jsheet = !ro.sheet && res && res->json ? json_object_get(res->json, "sheet") : NULL;
	char sheet_no[24];
	if (json_is_string(jsheet))
		ro.sheet = json_string_value(jsheet);
	else if (json_is_integer(jsheet)) {
		snprintf(sheet_no, sizeof sheet_no, "%lld", (long long)json_integer_value(jsheet));
		ro.sheet = sheet_no;
	}
	ro.book_findings = opts ? opts->book_findings || (res && !opts->sheet) : 1;
	kp_diag err;
	kp_diag_clear(&err);
	kp_rows *rd = NULL;
	if (tctx_init(&t, s, env) != 0) {
		kp_diag_set(&err, KP_SEV_ERROR, "source-error", "out of memory");
		kp_diag_at(&err, t.file, 0, 0, -1);
		emit(&t, &err);
		status = KP_EXIT_IO;
		goto done;
	}
	if (hk && hk->table_start) {
		if (hk->table_start(hk->ctx, res, s, t.file) != 0) {
			status = KP_EXIT_IO;
			goto done;
		}
	}
	hk_started = 1;
	struct stat sb;
	if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		t.file_size = (long long)sb.st_size;
	rd = kp_rows_open(path, &ro, &err);
	if (!rd) {
		kp_diag_at(&err, t.file, 0, 0, -1);
		if (strcmp(err.code, "usage") == 0)
			err.code = "source-error";
		emit(&t, &err);
		/* not a workbook, or a damaged one: the file was read, its content is wrong */
		if (strcmp(err.code, "file-format") == 0 || strcmp(err.code, "workbook-error") == 0)
			goto done;
		st->unreadable = 1;
		status = KP_EXIT_IO;
		goto done;
	}
	t.sheet = kp_rows_sheet(rd);
	t.src = rd;
	if (t.sheet)
		snprintf(st->sheet, sizeof st->sheet, "%s", t.sheet);
	st->encoding = kp_rows_encoding(rd);
	/* a file in a legacy encoding (CP932, EUC-JP) holds 機種依存文字 only as a vendor's
	 * extension: there they are errors; UTF-8 and UTF-16 hold them for every reader */
	t.legacy_text = st->encoding && strncasecmp(st->encoding, "UTF", 3) != 0;
	if (kp_rows_encoding_guessed(rd)) {
		/* Read as it is (no flood of mojibake findings); one finding says what it was */
		static const struct {
			const char *name, *shown, *option;
		} names[] = {{"CP932", "Shift_JIS (CP932)", "cp932"},
			     {"EUC-JP", "EUC-JP", "euc-jp"},
			     {"UTF-16", "UTF-16", "utf-16"}};
		const char *shown = st->encoding, *option = st->encoding;
		for (size_t i = 0; i < NELEM(names); i++)
			if (strcmp(names[i].name, st->encoding) == 0)
				shown = names[i].shown, option = names[i].option;
		kp_diag d;
		kp_diag_set(
		    &d, KP_SEV_WARNING, "encoding",
		    "the file is %s, not UTF-8, and was read as such: publish it as UTF-8 (in "
		    "Excel: save as \"CSV UTF-8\"), or declare the encoding (the resource's "
		    "\"encoding\", or --encoding %s)",
		    shown, option);
		d.rule = "L3-08";
		kp_diag_at(&d, t.file, 0, 0, -1);
		emit(&t, &d);
	}
	kp_csvrecord rec;
	int rc;
	int have_header = 0, titles = 0;
	const volatile sig_atomic_t *intr = opts ? opts->interrupted : NULL;
	while (!t.stop && (rc = kp_rows_next(rd, &rec)) == 1) {
		if (intr && *intr) {
			status = KP_EXIT_IO;
			goto done; /* no end-of-table findings either */
		}
		if (!have_header) {
			if (titles < 20 && looks_like_title(&t, &rec)) {
				if (titles++ == 0) {
					kp_diag d;
					kp_diag_set(
					    &d, KP_SEV_ERROR, "title-row",
					    "row %ld is %s, not the header: put the header (the "
					    "field "
					    "names) on the first line and the data from the second "
					    "line; "
					    "move titles and notes to the dataset's description",
					    rec.number, nonempty_cells(&rec) ? "a title" : "blank");
					d.rule = "L3-01";
					kp_diag_at(&d, t.file, rec.number, 0, rec.offset);
					if (rec.ncells)
						set_cell(&d, rec.cells[0].data, rec.cells[0].len);
					emit(&t, &d);
				}
				continue;
			}
			have_header = 1;
			int hr = header(&t, &rec);
			if (hr == 0)
				t.layout_on = 1; /* released even when it fails half way */
			if (hr != 0 || kp_layout_init(&t.layout, &rec) != 0) {
				kp_diag_set(&err, KP_SEV_ERROR, "source-error", "out of memory");
				emit(&t, &err);
				status = KP_EXIT_IO;
				goto done;
			}
			continue;
		}
		kp_layout_run split;
		kp_layout_kind kind = kp_layout_next(&t.layout, &rec, &split);
		if (split.first)
			blank_run(&t, &split);
		if (kind == KP_LAYOUT_BLANK)
			continue;
		if (kind != KP_LAYOUT_DATA) {
			if (kind != KP_LAYOUT_SKIP)
				outside(&t, &rec, kind);
			continue;
		}
		row(&t, &rec);
		kp_validate_row vr = {&rec, t.field_col, t.as_is, t.counts[KP_SEV_ERROR] == 0};
		if (hk && hk->row && !t.stop && hk->row(hk->ctx, &vr) != 0) {
			status = KP_EXIT_IO;
			break;
		}
	}
	if (kp_rows_failed(rd) == 1 && kp_rows_bytes(rd) == 0 && !have_header)
		st->unreadable = 1;
	flush_pending(&t);
	if (have_header && !t.stop) {
		kp_layout_run split;
		kp_layout_end(&t.layout, &split);
		if (split.first)
			blank_run(&t, &split);
		blank_cols_end(&t);
		lg_names_end(&t);
		recommended_end(&t);
		stub_end(&t);
		lists_end(&t);
		choices_end(&t);
	}
	if (!t.stop) {
		finish_self_fks(&t);
		finish_rules(&t);
	}
	st->bytes = kp_rows_bytes(rd);
	snprintf(st->sha256, sizeof st->sha256, "%s", kp_rows_sha256(rd));
done:
	st->rows = t.rows;
	st->errors = t.counts[KP_SEV_ERROR];
	st->warnings = t.counts[KP_SEV_WARNING];
	st->infos = t.counts[KP_SEV_INFO];
	st->stopped = t.stopped_reported;
	kp_rows_free(rd);
	tctx_release(&t);
	if (hk_started && hk && hk->table_end && hk->table_end(hk->ctx, res, st) != 0 && !status)
		status = KP_EXIT_IO;
	if (status)
		return status;
	if (st->unreadable)
		return KP_EXIT_IO;
	return st->errors ? 1 : 0;
}

int kp_validate_table(const char *path, const char *display, const kp_schema *schema,
		      const kp_validate_opts *opts, const kp_diag_sink *sink,
		      kp_validate_stats *stats)
{
	return run_table(path, display, schema, opts, sink, stats, NULL, NULL);
}

/* ------------------------------------------------------------------------------------ */
/* Packages */

typedef struct pkg_want {
	size_t resource;	   /* referenced resource */
	const kp_fieldref *fields; /* its fields */
	const kp_rule_where *cond; /* whereReference conditions (NULL: a foreign key) */
	size_t ncond;
	keyset ks;
	int filled;
} pkg_want;

static int sink_discard(void *ctx, const kp_diag *d)
{
	(void)ctx;
	(void)d;
	return 0;
}

static char *join_path(const char *dir, const char *rel)
{
	if (!rel)
		return NULL;
	if (rel[0] == '/' || !dir || !*dir || strcmp(dir, ".") == 0)
		return strdup(rel);
	size_t a = strlen(dir), b = strlen(rel);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, rel, b + 1);
	return p;
}

/* The file of a resource: its path under data_dir when given, else the package's. */
static char *resource_file(const kp_package *pkg, const kp_resource *r, const char *data_dir)
{
	if (data_dir && r->path)
		return join_path(data_dir, r->path);
	if (r->full_path)
		return strdup(strncmp(r->full_path, "./", 2) == 0 ? r->full_path + 2
								  : r->full_path);
	return join_path(pkg->dir, r->path);
}

/* The resource's declared `bytes` and `hash` (sha256) against the file read
 * (Frictionless byte-count / hash-count).  Returns the number of errors reported. */
static int integrity(const kp_resource *res, const char *file, kp_validate_stats *st,
		     const kp_diag_sink *sink)
{
	int n = 0;
	kp_diag d;
	if (res->bytes >= 0 && st->bytes != res->bytes) {
		kp_diag_set(
		    &d, KP_SEV_ERROR, "byte-count",
		    "the file has %lld bytes but the package says %lld: update \"bytes\" in "
		    "datapackage.json (or the file is not the one described)",
		    st->bytes, res->bytes);
		kp_diag_at(&d, file, 0, 0, -1);
		kp_diag_emit(sink, &d);
		n++;
	}
	if (res->hash && st->sha256[0] && strncmp(res->hash, "sha256:", 7) == 0 &&
	    strcasecmp(res->hash + 7, st->sha256) != 0) {
		kp_diag_set(&d, KP_SEV_ERROR, "hash-count",
			    "the file's SHA-256 is %s but the package says %s: update \"hash\" in "
			    "datapackage.json (or the file is not the one described)",
			    st->sha256, res->hash + 7);
		kp_diag_at(&d, file, 0, 0, -1);
		kp_diag_emit(sink, &d);
		n++;
	}
	st->errors += n;
	return n;
}

/* Appends the key set a foreign key (with whereReference conditions, if any) needs from
 * its target resource.  Returns 0 when memory runs out. */
static int want_push(pkg_want **wants, size_t *nw, size_t *capw, const kp_foreign_key *fk,
		     const kp_rule_where *cond, size_t ncond)
{
	if (*nw == *capw) {
		size_t nc = *capw ? *capw * 2 : 8;
		pkg_want *p = realloc(*wants, nc * sizeof *p);
		if (!p)
			return 0;
		*wants = p;
		*capw = nc;
	}
	pkg_want *w = &(*wants)[(*nw)++];
	memset(w, 0, sizeof *w);
	w->resource = (size_t)fk->resource_index;
	w->fields = &fk->reference_fields;
	w->cond = cond;
	w->ncond = ncond;
	return 1;
}

int kp_validate_package(const kp_package *pkg, const char *data_dir, const kp_validate_opts *opts,
			const kp_diag_sink *sink, kp_validate_table_fn done, void *ctx)
{
	size_t nr = pkg->nresources;
	int status = 0;
	/* Resource files are read only inside this folder (a symbolic link may not lead out
	 * of it) and only when they are regular files. */
	const char *root = data_dir ? data_dir : pkg->dir && *pkg->dir ? pkg->dir : ".";
	/* Every (resource, fields) some foreign key points at: its key set is filled while
	 * that resource is validated (or by a keys-only pass when a cycle prevents it). */
	size_t nw = 0, capw = 0;
	pkg_want *wants = NULL;
	size_t *order = calloc(nr + 1, sizeof *order);
	unsigned char *placed = calloc(nr + 1, 1);
	char **files = calloc(nr + 1, sizeof *files);
	if (!order || !placed || !files) {
		status = KP_EXIT_IO;
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {
		const kp_schema *s = pkg->resources[i].schema;
		files[i] = resource_file(pkg, &pkg->resources[i], data_dir);
		for (size_t k = 0; s && k < s->nforeign_keys; k++) {
			const kp_foreign_key *fk = &s->foreign_keys[k];
			if (fk->resource_index < 0 || (size_t)fk->resource_index >= nr)
				continue;
			if (!want_push(&wants, &nw, &capw, fk, NULL, 0)) {
				status = KP_EXIT_IO;
				goto out;
			}
		}
		/* whereReference: the keys of the referenced rows meeting the conditions */
		for (size_t k = 0; s && k < s->nrules; k++) {
			const kp_rule *ru = &s->rules[k];
			if (ru->reference_key < 0 || (size_t)ru->reference_key >= s->nforeign_keys)
				continue;
			const kp_foreign_key *fk = &s->foreign_keys[ru->reference_key];
			if (fk->resource_index < 0 || (size_t)fk->resource_index >= nr)
				continue;
			if (!want_push(&wants, &nw, &capw, fk, ru->reference_where,
				       ru->nreference_where)) {
				status = KP_EXIT_IO;
				goto out;
			}
		}
	}
	/* Dependency order: a resource after those it refers to; a cycle is broken by
	 * taking the first unplaced resource (its targets then get a keys-only pass). */
	for (size_t placed_n = 0; placed_n < nr;) {
		int progress = 0;
		for (size_t i = 0; i < nr; i++) {
			if (placed[i])
				continue;
			const kp_schema *s = pkg->resources[i].schema;
			int ready = 1;
			for (size_t k = 0; s && k < s->nforeign_keys; k++) {
				long ri = s->foreign_keys[k].resource_index;
				if (ri >= 0 && (size_t)ri < nr && (size_t)ri != i && !placed[ri])
					ready = 0;
			}
			if (ready) {
				placed[i] = 1;
				order[placed_n++] = i;
				progress = 1;
			}
		}
		if (!progress)
			for (size_t i = 0; i < nr; i++)
				if (!placed[i]) {
					placed[i] = 1;
					order[placed_n++] = i;
					break;
				}
	}
	for (size_t oi = 0; oi < nr; oi++) {
		size_t i = order[oi];
		if (opts && opts->interrupted && *opts->interrupted) {
			status = KP_EXIT_IO;
			goto out;
		}
		const kp_resource *res = &pkg->resources[i];
		const kp_schema *s = res->schema;
		kp_validate_stats st;
		memset(&st, 0, sizeof st);
		/* A resource that says it is not a table (e.g. the JSON and RDF files listed in
		 * kplan-export's datapackage.json) has nothing to check here. */
		const char *profile =
		    res->json ? json_string_value(json_object_get(res->json, "profile")) : NULL;
		if (!s && profile && strcmp(profile, "data-resource") == 0)
			continue;
		if (!s || !files[i]) {
			kp_diag d;
			kp_diag_set(&d, KP_SEV_ERROR, "source-error",
				    "resource '%s' has %s: give it a path and a schema", res->name,
				    !files[i] ? _("no path (inline data is not validated)")
					      : "no schema");
			kp_diag_at(&d, files[i] ? files[i] : res->name, 0, 0, -1);
			kp_diag_emit(sink, &d);
			st.errors = 1;
			if (!status)
				status = 1;
			if (done)
				done(ctx, res, files[i] ? files[i] : res->name, &st);
			continue;
		}
		const keyset **targets = calloc(s->nforeign_keys + 1, sizeof *targets);
		const char **tnames = calloc(s->nforeign_keys + 1, sizeof *tnames);
		want_keys *mine = calloc(nw + 1, sizeof *mine);
		if (!targets || !tnames || !mine) {
			free(targets);
			free(tnames);
			free(mine);
			status = KP_EXIT_IO;
			goto out;
		}
		size_t nmine = 0;
		for (size_t w = 0; w < nw; w++)
			if (wants[w].resource == i && !wants[w].filled) {
				mine[nmine].fields = wants[w].fields;
				mine[nmine].ks = &wants[w].ks;
				mine[nmine].cond = wants[w].cond;
				mine[nmine].ncond = wants[w].ncond;
				nmine++;
				wants[w].filled = 1;
			}
		size_t w = 0;
		for (size_t k = 0; k < s->nforeign_keys; k++) {
			const kp_foreign_key *fk = &s->foreign_keys[k];
			if (fk->resource_index < 0 || (size_t)fk->resource_index >= nr)
				continue;
			/* wants[] were appended in resource/fk order: find this fk's entry */
			for (w = 0;
			     w < nw && (wants[w].fields != &fk->reference_fields || wants[w].cond);
			     w++)
				;
			if (w == nw)
				continue;
			size_t ti = (size_t)fk->resource_index;
			if (!wants[w].filled && ti != i) {
				/* a cycle: collect the target's keys with a quiet pass */
				want_keys one = {wants[w].fields, &wants[w].ks, NULL, 0};
				table_env e2 = {NULL, NULL, &one, 1, NULL, root};
				kp_diag_sink quiet = {sink_discard, NULL};
				kp_validate_opts o2 = opts ? *opts : (kp_validate_opts){0};
				o2.max_errors = 0;
				o2.no_sha256 = 1;
				o2.hooks = NULL;
				run_table(files[ti], NULL, pkg->resources[ti].schema, &o2, &quiet,
					  NULL, &e2, NULL);
				wants[w].filled = 1;
			}
			targets[k] = &wants[w].ks;
			tnames[k] = pkg->resources[ti].name;
		}
		const keyset **rule_refs = calloc(s->nrules + 1, sizeof *rule_refs);
		for (size_t k = 0; rule_refs && k < s->nrules; k++) {
			const kp_rule *ru = &s->rules[k];
			for (size_t x = 0; x < nw; x++)
				if (wants[x].cond && wants[x].cond == ru->reference_where &&
				    wants[x].ncond == ru->nreference_where) {
					if (!wants[x].filled && wants[x].resource != i) {
						want_keys one = {wants[x].fields, &wants[x].ks,
								 wants[x].cond, wants[x].ncond};
						table_env e2 = {NULL, NULL, &one, 1, NULL, root};
						kp_diag_sink quiet = {sink_discard, NULL};
						kp_validate_opts o2 =
						    opts ? *opts : (kp_validate_opts){0};
						o2.max_errors = 0;
						o2.no_sha256 = 1;
						o2.hooks = NULL;
						run_table(files[wants[x].resource], NULL,
							  pkg->resources[wants[x].resource].schema,
							  &o2, &quiet, NULL, &e2, NULL);
						wants[x].filled = 1;
					}
					rule_refs[k] = &wants[x].ks;
				}
		}
		table_env env = {targets, tnames, mine, nmine, rule_refs, root};
		/* a self-targeted want (resource refers to itself by name) fills while it runs */
		int rc = run_table(files[i], NULL, s, opts, sink, &st, &env, res);
		if (rc != KP_EXIT_IO && integrity(res, files[i], &st, sink) && !rc)
			rc = 1;
		if (rc == KP_EXIT_IO)
			status = KP_EXIT_IO;
		else if (rc && !status)
			status = 1;
		if (done)
			done(ctx, res, files[i], &st);
		free(targets);
		free(tnames);
		free(mine);
		free(rule_refs);
	}
out:
	for (size_t w = 0; w < nw; w++)
		ks_free(&wants[w].ks);
	free(wants);
	if (files)
		for (size_t i = 0; i < nr; i++)
			free(files[i]);
	free(files);
	free(order);
	free(placed);
	return status;
}
