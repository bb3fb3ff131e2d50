#include "i18n.h"
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "text.h"

/* libcsv's parser states (csv.c); struct csv_parser is public in csv.h and the reader
 * reads pstate/quoted to tell a line break inside a quoted cell and an unclosed quote. */
enum { LIBCSV_ROW_NOT_BEGUN = 0, LIBCSV_FIELD_BEGUN = 2, LIBCSV_FIELD_MIGHT_HAVE_ENDED = 3 };

#define MAX_RECORD_FACTOR 4 /* a record may hold this many max-size cells in all */
#define SLACK 16 /* readable bytes kept past the text in buf, zeroed: scan_line reads
		  * whole blocks */

struct kp_csvread {
	FILE *fp;
	int own_fp;
	const char *file;
	kp_diag_sink sink;
	size_t max_cell, max_fields, max_record, chunk;
	int want_sha;
	kp_sha256 sha;
	int sha_open;

	struct csv_parser p;
	int p_open;

	/* input: raw bytes, and the UTF-8 text the parser sees (== raw unless converting) */
	char *raw;       /* owned, chunk bytes (+ leftover of an incomplete converted char) */
	size_t raw_len;
	kp_text_conv conv;
	int converting;
	const char *encoding; /* borrowed name of what is read ("UTF-8" unless converting) */
	int guessed;          /* encoding came from kp_text_guess_encoding */
	char *buf;       /* owned when converting, else == raw */
	size_t cap, len, pos;
	long long base;  /* offset of buf[0] in the (converted) text */
	int eof;
	int started;

	/* the record being built */
	char *arena;     /* owned: cell bytes, each NUL-terminated */
	size_t arena_len, arena_cap;
	size_t *off;     /* owned: cell offsets into arena */
	kp_csvcell *cells; /* owned: filled when a record is delivered */
	size_t cells_cap;
	size_t nfields, fields_cap;
	unsigned flags;
	long break_col; /* field holding the first line break inside quotes */
	int rec_done;
	int last_term_cr;
	long rec_line;
	long long rec_start;

	/* the line being split: offsets of its commas and quotes (see scan_line) */
	uint32_t *sp;    /* owned */
	size_t nsp, capsp;
	unsigned char *quoted; /* owned, per cell of a line split here: 1 quoted, 2 with "" */
	size_t quoted_cap;
	int direct;      /* the cells were set by split_*, pointing into buf */
	int not_plain;   /* the record's text has a classed character or two blanks in a
			  * row (see KP_CSVREC_PLAIN) */

	/* UTF-8 bytes of a character split by the end of a chunk */
	char carry[4];
	size_t carry_len;

	long line; /* physical line of buf[pos] */
	long bad_lines;     /* lines with bytes that are not UTF-8 (the first few reported) */
	long last_bad_line;
	long first_line_of[3];
	kp_csvread_stats st;
	int failed;
	int finished;
	int nul_reported;
};

static _Thread_local size_t tl_cell_limit;

/* libcsv grows its cell buffer through this: refusing past the limit makes csv_parse
 * stop with CSV_ENOMEM instead of holding a gigabyte cell. */
static void *limited_realloc(void *ptr, size_t size)
{
	if (size > tl_cell_limit + 128)
		return NULL;
	return realloc(ptr, size);
}

static int emit(kp_csvread *r, kp_diag *d)
{
	if (r->failed == 2)
		return 1;
	if (kp_diag_emit(&r->sink, d)) {
		r->failed = 2;
		return 1;
	}
	return 0;
}

static void report(kp_csvread *r, kp_severity sev, const char *code, const char *rule, long row,
	long col, long long off, const char *fmt, ...) __attribute__((format(printf, 8, 9)));
static void report(kp_csvread *r, kp_severity sev, const char *code, const char *rule, long row,
	long col, long long off, const char *fmt, ...)
{
	kp_diag d;
	va_list ap;
	va_start(ap, fmt);
	kp_diag_vset(&d, sev, code, fmt, ap);
	va_end(ap);
	d.rule = rule;
	kp_diag_at(&d, r->file, row, col, off);
	emit(r, &d);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* A record over the field or byte limit: cut, and said once, at column col. */
static void too_many(kp_csvread *r, size_t col)
{
	r->flags |= KP_CSVREC_CUT;
	report(r, KP_SEV_ERROR, "source-error", NULL, r->st.records + 1, (long)col,
		r->rec_start,
		"record has more than %zu fields or %zu bytes: the rest of it is not read; check "
		"the delimiter and the quotes",
		r->max_fields, r->max_record);
}

static void on_field(void *s, size_t n, void *ctx)
{
	kp_csvread *r = ctx;
	if (r->flags & KP_CSVREC_CUT)
		return;
	if (r->nfields >= r->max_fields || r->arena_len + n + 1 > r->max_record) {
		too_many(r, r->nfields + 1);
		return;
	}
	if (grow((void **)&r->off, &r->fields_cap, r->nfields + 1, sizeof *r->off) ||
		grow((void **)&r->arena, &r->arena_cap, r->arena_len + n + 1, 1)) {
		r->flags |= KP_CSVREC_CUT;
		return;
	}
	r->off[r->nfields++] = r->arena_len;
	if (n)
		memcpy(r->arena + r->arena_len, s, n);
	r->arena[r->arena_len + n] = '\0';
	r->arena_len += n + 1;
}

static void on_record(int c, void *ctx)
{
	kp_csvread *r = ctx;
	/* With CSV_REPALL_NL libcsv ends a record at the CR of a CRLF and reports the LF as an
	 * empty record of its own: fold it back into the CRLF. */
	if (c == '\n' && r->last_term_cr && r->nfields == 0 && !r->rec_done) {
		r->last_term_cr = 0;
		return;
	}
	r->last_term_cr = c == '\r';
	r->rec_done = 1;
}

static void reset_record(kp_csvread *r)
{
	r->arena_len = 0;
	r->nfields = 0;
	r->flags = 0;
	r->direct = 0;
	r->not_plain = 0;
	r->rec_done = 0;
	r->rec_line = r->line;
	r->rec_start = r->base + (long long)r->pos;
}

static int setup(kp_csvread *r, const kp_csvread_opts *o, kp_diag *err)
{
	r->file = o->file ? o->file : "-";
	r->sink = o->sink;
	r->max_cell = o->max_cell_bytes ? o->max_cell_bytes : KP_CSVREAD_MAX_CELL_DEFAULT;
	r->max_fields = o->max_fields ? o->max_fields : KP_CSVREAD_MAX_FIELDS_DEFAULT;
	r->max_record = r->max_cell * MAX_RECORD_FACTOR;
	r->chunk = o->chunk_bytes ? o->chunk_bytes : KP_CSVREAD_CHUNK_DEFAULT;
	if (r->chunk < 16)
		r->chunk = 16;
	r->line = 1;
	r->encoding = "UTF-8";
	if (o->encoding && !kp_text_is_utf8_name(o->encoding)) {
		r->encoding = o->encoding;
		if (kp_text_conv_open(&r->conv, o->encoding) != 0) {
			kp_diag_set(err, KP_SEV_ERROR, "usage", "unknown encoding '%s' (try cp932, shift_jis, euc-jp, latin1)",
				o->encoding);
			return -1;
		}
		r->converting = 1;
	}
	/* The text buffer holds a chunk plus the unfinished line carried over; when
	 * converting, up to 4 output bytes per input byte (UTF-8 of a 1-byte char). */
	r->cap = r->chunk * (r->converting ? 4 : 1) + 64 + SLACK;
	r->raw = malloc(r->chunk + 16 + SLACK);
	r->buf = r->converting ? malloc(r->cap) : r->raw;
	if (!r->converting)
		r->cap = r->chunk + 16 + SLACK;
	if (!r->raw || !r->buf) {
		kp_diag_set(err, KP_SEV_ERROR, "source-error", "out of memory");
		return -1;
	}
	if (csv_init(&r->p, CSV_REPALL_NL | CSV_STRICT | CSV_APPEND_NULL) != 0) {
		kp_diag_set(err, KP_SEV_ERROR, "source-error", "out of memory");
		return -1;
	}
	r->p_open = 1;
	csv_set_realloc_func(&r->p, limited_realloc);
	csv_set_space_func(&r->p, NULL);
	r->want_sha = o->sha256;
	if (r->want_sha) {
		if (kp_files_sha256_init(&r->sha) != 0) {
			kp_diag_set(err, KP_SEV_ERROR, "source-error", "cannot start SHA-256");
			return -1;
		}
		r->sha_open = 1;
	}
	r->first_line_of[0] = r->first_line_of[1] = r->first_line_of[2] = 0;
	return 0;
}

/* libcsv trims spaces around unquoted cells by default; the reader must see them
 * (padding-space is a finding), so no byte is a space to it. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

kp_csvread *kp_csvread_open_stream(FILE *fp, const kp_csvread_opts *opts, kp_diag *err)
{
	kp_csvread *r = calloc(1, sizeof *r);
	if (!r) {
		kp_diag_set(err, KP_SEV_ERROR, "source-error", "out of memory");
		return NULL;
	}
	r->fp = fp;
	if (setup(r, opts, err) != 0) {
		kp_csvread_free(r);
		return NULL;
	}
	csv_set_space_func(&r->p, no_space);
	return r;
}

kp_csvread *kp_csvread_open(const char *path, const kp_csvread_opts *opts, kp_diag *err)
{
	FILE *fp = stdin;
	if (strcmp(path, "-") != 0) {
		fp = opts->root ? kp_files_open_in(path, opts->root, err) : fopen(path, "rb");
		if (!fp) {
			if (!opts->root)
				kp_diag_set(err, KP_SEV_ERROR, "source-error", "cannot open '%s': %s",
					path, strerror(errno));
			err->code = "source-error";
			kp_diag_at(err, path, 0, 0, -1);
			return NULL;
		}
	}
	kp_csvread_opts o = *opts;
	if (!o.file)
		o.file = path;
	const char *guess = NULL;
	if (o.guess_encoding && !o.encoding && fp != stdin) {
		/* pread leaves the stream where it is: nothing read through it yet */
		char *sample = malloc(65536);
		ssize_t k = sample ? pread(fileno(fp), sample, 65536, 0) : -1;
		guess = k > 0 ? kp_text_guess_encoding(sample, (size_t)k) : NULL;
		if (guess && strcmp(guess, "UTF-8") == 0)
			guess = NULL;
		free(sample);
		o.encoding = guess;
	}
	kp_csvread *r = kp_csvread_open_stream(fp, &o, err);
	if (!r) {
		if (fp != stdin)
			fclose(fp);
		return NULL;
	}
	r->own_fp = fp != stdin;
	r->guessed = guess != NULL;
	return r;
}

const char *kp_csvread_encoding(const kp_csvread *r)
{
	return r->encoding;
}

int kp_csvread_encoding_guessed(const kp_csvread *r)
{
	return r->guessed;
}

/* Reads more input, keeping buf[pos..len) (moved to the front).  Returns 1 when bytes
 * were added, 0 at end of input, -1 on a read error (reported). */
static int fill(kp_csvread *r)
{
	if (r->eof)
		return 0;
	size_t keep = r->len - r->pos;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, keep);
		r->base += (long long)r->pos;
		r->pos = 0;
		r->len = keep;
	}
	/* A line longer than the buffer: grow it (bounded by the record limit, past which
	 * the parser is fed partial lines anyway). */
	size_t room_needed = (r->converting ? r->chunk * 4 + 64 : r->chunk) + SLACK;
	if (r->cap - r->len < room_needed) {
		size_t ncap = r->len + room_needed + 16;
		char *nb = realloc(r->buf, ncap);
		if (!nb) {
			r->failed = 1;
			report(r, KP_SEV_ERROR, "source-error", NULL, 0, 0, -1, "out of memory");
			return -1;
		}
		if (!r->converting)
			r->raw = nb;
		r->buf = nb;
		r->cap = ncap;
	}
	char *dst = r->converting ? r->raw + r->raw_len : r->buf + r->len;
	size_t want = r->chunk;
	if (r->converting && r->raw_len + want > r->chunk + 16)
		want = r->chunk + 16 - r->raw_len;
	size_t got = fread(dst, 1, want, r->fp);
	if (got < want && ferror(r->fp)) {
		r->failed = 1;
		report(r, KP_SEV_ERROR, "source-error", NULL, 0, 0, r->st.bytes,
			"cannot read '%s': %s", r->file, strerror(errno));
		return -1;
	}
	if (got < want)
		r->eof = 1;
	r->st.bytes += (long long)got;
	if (r->sha_open)
		kp_files_sha256_update(&r->sha, dst, got);
	if (!r->converting) {
		r->len += got;
		memset(r->buf + r->len, 0, SLACK);
		return got > 0;
	}
	r->raw_len += got;
	size_t in = r->raw_len, out = r->cap - r->len - SLACK;
	int rc = kp_text_conv_run(&r->conv, r->raw, &in, r->buf + r->len, &out);
	r->len += out;
	memset(r->buf + r->len, 0, SLACK);
	memmove(r->raw, r->raw + in, r->raw_len - in);
	r->raw_len -= in;
	if (rc < 0 || (rc == 1 && r->eof)) {
		/* Offsets in findings are in the converted text; the bad byte is reported and
		 * skipped so that the rest of the file is still checked. */
		report(r, KP_SEV_ERROR, "encoding-error", NULL, r->st.records + 1, 0,
			r->base + (long long)r->len,
			"byte 0x%02X is not valid in the encoding given with --encoding; check "
			"the encoding the file was saved in",
			r->raw_len ? (unsigned char)r->raw[0] : 0);
		if (r->raw_len) {
			memmove(r->raw, r->raw + 1, r->raw_len - 1);
			r->raw_len--;
		}
		if (rc == 1)
			r->raw_len = 0;
	}
	return out > 0 || got > 0 || r->raw_len > 0;
}

/* UTF-8 check of the text the parser is about to see, across chunk boundaries. */
enum { BAD_LINES_SHOWN = 3 }; /* lines whose encoding error is reported one by one */

static void check_text(kp_csvread *r, const char *s, size_t n, int complete)
{
	size_t i = 0;
	if (r->carry_len) {
		r->not_plain = 1; /* a character across reads: not worth the bookkeeping */
		char tmp[8];
		size_t take = n < 4 - r->carry_len ? n : 4 - r->carry_len;
		memcpy(tmp, r->carry, r->carry_len);
		memcpy(tmp + r->carry_len, s, take);
		uint32_t cp;
		size_t l = kp_text_utf8_decode(tmp, r->carry_len + take, &cp);
		if (l > r->carry_len) {
			i = l - r->carry_len;
			r->carry_len = 0;
		} else if (!complete && r->carry_len + take < 4 && take == n) {
			memcpy(r->carry + r->carry_len, s, take);
			r->carry_len += take;
			return;
		} else {
			r->carry_len = 0; /* reported below from s[0] as part of the same line */
		}
	}
	size_t bad;
	const char *t = s + i;
	size_t tn = n - i;
	int dirty;
	int ok = kp_text_utf8_classes(t, tn, &bad, &dirty);
	r->not_plain |= dirty;
	if (ok)
		return;
	if (!complete && tn - bad < 4) {
		/* maybe a character cut by the chunk end: keep it for the next piece */
		uint32_t cp;
		unsigned c = (unsigned char)t[bad];
		size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
		if (need > tn - bad && kp_text_utf8_valid(t + bad + 1, 0, NULL) &&
			kp_text_utf8_decode(t + bad, tn - bad, &cp) == 0) {
			int prefix_ok = 1;
			for (size_t k = bad + 1; k < tn; k++)
				if (((unsigned char)t[k] & 0xC0) != 0x80)
					prefix_ok = 0;
			if (prefix_ok) {
				memcpy(r->carry, t + bad, tn - bad);
				r->carry_len = tn - bad;
				return;
			}
		}
	}
	if (r->flags & KP_CSVREC_BAD_TEXT)
		return;
	r->flags |= KP_CSVREC_BAD_TEXT;
	/* One cause, the file's encoding: the first lines show it, the rest are counted
	 * (see finish) */
	r->last_bad_line = r->line;
	if (++r->bad_lines > BAD_LINES_SHOWN)
		return;
	long long off = r->base + (long long)(t + bad - r->buf);
	int sjis = kp_text_looks_sjis(s, n);
	/* the cell it is in, when the record starts on this line (a quoted cell carried over
	 * from an earlier line leaves the column unknown: 0) */
	long col = 0;
	if (r->rec_line == r->line && r->nfields == 0) {
		int quoted = 0;
		col = 1;
		for (const char *p = s; p < t + bad; p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == ',' && !quoted)
				col++;
		}
	}
	report(r, KP_SEV_ERROR, "encoding-error", NULL, r->st.records + 1, col, off,
		"invalid UTF-8 byte 0x%02X at byte offset %lld (line %ld)%s", (unsigned char)t[bad],
		off, r->line,
		sjis ? _(": the bytes look like Shift_JIS (CP932); save the file as UTF-8, or "
			 "read it with --encoding cp932")
		     : _(": save the file as UTF-8"));
}

static void count_ending(kp_csvread *r, int kind)
{
	long *c[3] = {&r->st.lf, &r->st.crlf, &r->st.cr};
	if ((*c[kind])++ == 0)
		r->first_line_of[kind] = r->line;
}

enum { SEEN_HIGH = 1, SEEN_NUL = 2, SEEN_QUOTE = 4, SEEN_MANY = 8, SEEN_BLANKS = 16, SEEN_CTL = 32 };

/* Specials recorded per line at most: beyond, the line goes through libcsv (which
 * applies the field limit), so the array stays small whatever the input. */
#define MAX_SPECIALS(r) ((r)->max_fields * 2 + 64)

#ifdef __SSE2__
#include <emmintrin.h>
#define BLOCK 16

/* Bit masks of the 16 bytes at s: line ends (CR, LF), specials (comma, quote), quotes,
 * NULs, bytes >= 0x80, blanks (space, tab) and control bytes (below 0x20 but TAB, CR,
 * LF and NUL, or DEL). */
static inline void block_masks(const char *s, unsigned *eol, unsigned *spc, unsigned *quo,
	unsigned *nul, unsigned *high, unsigned *blank, unsigned *ctl)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	/* signed bytes: below 0x20 and not negative (>= 0x80) */
	*ctl = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		   _mm_andnot_si128(_mm_cmplt_epi8(v, _mm_setzero_si128()),
				    _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))),
		   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)),
				_mm_cmpeq_epi8(v, _mm_set1_epi8('?')))));
	*blank = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))) |
		 (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
	*eol = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))) |
	       (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
	*quo = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
	*spc = *quo | (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
	*nul = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
	*high = (unsigned)_mm_movemask_epi8(v);
	*ctl &= ~(*eol | *nul) &
		~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
}
#else
#define BLOCK 8
static inline void block_masks(const char *s, unsigned *eol, unsigned *spc, unsigned *quo,
	unsigned *nul, unsigned *high, unsigned *blank, unsigned *ctl)
{
	*eol = *spc = *quo = *nul = *high = *blank = *ctl = 0;
	for (unsigned i = 0; i < BLOCK; i++) {
		unsigned char c = (unsigned char)s[i];
		*ctl |= (unsigned)((c > 0 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
				   c == 0x7F || c == '?') << i;
		*blank |= (unsigned)(c == ' ' || c == '\t') << i;
		*eol |= (unsigned)(c == '\n' || c == '\r') << i;
		*quo |= (unsigned)(c == '"') << i;
		*spc |= (unsigned)(c == '"' || c == ',') << i;
		*nul |= (unsigned)(c == 0) << i;
		*high |= (unsigned)(c >= 0x80) << i;
	}
}
#endif

/* Offset of the first CR or LF in s[0..n) (n when none).  On the way it notes in *seen
 * whether a byte >= 0x80 (text to check as UTF-8), a NUL, a quote or two blanks in a row
 * came before it, and
 * records in r->sp the offsets of the commas and quotes before it: the splitters walk
 * those instead of the bytes.  One pass, a block at a time.  The buffer has BLOCK
 * readable bytes past n (see fill), masked off here. */
static size_t scan_line(kp_csvread *r, const char *s, size_t n, unsigned *seen_out)
{
	size_t limit = MAX_SPECIALS(r);
	unsigned carry_blank = 0, seen = *seen_out; /* a local: the stores to sp cannot alias it */
	size_t nsp = 0, cap = r->capsp;
	uint32_t *sp = r->sp;
	size_t i = 0;
	for (; i < n; i += BLOCK) {
		unsigned eol, spc, quo, nul, high, blank, ctl;
		block_masks(s + i, &eol, &spc, &quo, &nul, &high, &blank, &ctl);
		unsigned valid = n - i >= BLOCK ? (1u << BLOCK) - 1 : (1u << (n - i)) - 1;
		eol &= valid;
		unsigned before = eol ? (eol & (0u - eol)) - 1 : valid;
		/* two blanks in a row, also across blocks */
		blank &= before;
		if ((blank & ((blank << 1) | carry_blank)) != 0)
			seen |= SEEN_BLANKS;
		carry_blank = (blank >> (BLOCK - 1)) & 1;
		spc &= before;
		if (high & before)
			seen |= SEEN_HIGH;
		if (nul & before)
			seen |= SEEN_NUL;
		if (ctl & before)
			seen |= SEEN_CTL;
		if (quo & before)
			seen |= SEEN_QUOTE;
		if (spc && !(seen & SEEN_MANY)) {
			if (nsp + BLOCK > cap) {
				size_t nc = cap ? cap * 2 : 256;
				uint32_t *p = nsp + BLOCK <= limit ? realloc(sp, nc * sizeof *p) : NULL;
				if (!p) {
					seen |= SEEN_MANY;
					spc = 0;
				} else {
					sp = r->sp = p;
					cap = r->capsp = nc;
				}
			}
			while (spc) {
				sp[nsp++] = (uint32_t)(i + (unsigned)__builtin_ctz(spc));
				spc &= spc - 1;
			}
		}
		if (eol) {
			i += (unsigned)__builtin_ctz(eol);
			break;
		}
	}
	r->nsp = nsp;
	*seen_out = seen;
	return i < n ? i : n;
}

/* Feeds s[0..n) to libcsv, recovering from strict-mode errors: a stray quote is reported
 * once per record and then read the way a lenient reader would. */
static int parse_piece(kp_csvread *r, const char *s, size_t n)
{
	tl_cell_limit = r->max_cell;
	while (n > 0) {
		/* libcsv grows its cell buffer by blk_size (128 bytes by default): a cell of a
		 * few MB costs tens of thousands of reallocs, each copying the cell, which is
		 * very slow under ASan.  The increment follows the buffer, so it doubles, and
		 * never takes it past the cell limit. */
		size_t have = r->p.entry_size, lim = tl_cell_limit + 128;
		size_t blk = have > n ? have : n;
		if (blk < 128)
			blk = 128;
		if (have < lim && blk > lim - have)
			blk = lim - have > 128 ? lim - have : 128;
		csv_set_blk_size(&r->p, blk);
		size_t k = csv_parse(&r->p, s, n, on_field, on_record, r);
		if (k == n)
			return 0;
		int e = csv_error(&r->p);
		long long off = r->base + (long long)(s + k - r->buf);
		if (e != CSV_EPARSE) {
			r->failed = 1;
			report(r, KP_SEV_ERROR, "source-error", NULL, r->st.records + 1,
				(long)r->nfields + 1, off,
				"a cell is longer than %zu bytes: the file is not read further; check "
				"for a missing closing quote",
				r->max_cell);
			return -1;
		}
		if (!(r->flags & KP_CSVREC_QUOTE_PROBLEM)) {
			r->flags |= KP_CSVREC_QUOTE_PROBLEM;
			int after_close = r->p.pstate == LIBCSV_FIELD_MIGHT_HAVE_ENDED;
			report(r, KP_SEV_ERROR, "stray-quote", "L1-15", r->st.records + 1,
				(long)r->nfields + 1, off,
				after_close ? "text follows the closing quote of a quoted cell (at byte "
					      "offset %lld): quote the whole cell and double any quote "
					      "inside it (\"\")"
					    : _("a quote inside an unquoted cell (at byte offset %lld): "
						"quote the whole cell and double the quote (\"\"), or "
						"remove the spaces before the opening quote"),
				off);
		}
		if (r->p.pstate == LIBCSV_FIELD_MIGHT_HAVE_ENDED) {
			/* libcsv would go back into the quoted cell and swallow the rest of the
			 * file; continue the cell as unquoted text up to the next delimiter. */
			r->p.pstate = LIBCSV_FIELD_BEGUN;
			r->p.quoted = 0;
		}
		csv_set_opts(&r->p, CSV_REPALL_NL | CSV_APPEND_NULL);
		size_t k2 = csv_parse(&r->p, s + k, 1, on_field, on_record, r);
		csv_set_opts(&r->p, CSV_REPALL_NL | CSV_STRICT | CSV_APPEND_NULL);
		if (k2 != 1) {
			r->failed = 1;
			return -1;
		}
		s += k + 1;
		n -= k + 1;
	}
	return 0;
}


static int cells_room(kp_csvread *r, size_t n)
{
	return grow((void **)&r->cells, &r->cells_cap, n, sizeof *r->cells) == 0 &&
	       grow((void **)&r->quoted, &r->quoted_cap, n, 1) == 0;
}

static void line_done(kp_csvread *r, int kind)
{
	r->last_term_cr = kind == 2;
	r->rec_done = 1;
	r->direct = 1;
}

/* A whole line without any quote, read while libcsv is between records: its cells are
 * exactly the text between the commas scan_line found.  They stay in the read buffer
 * (each comma and the line end become the cells' NULs): no copy.  Lines with a quote or
 * a NUL go to split_quoted or libcsv. */
static int split_plain(kp_csvread *r, char *s, size_t n, int kind)
{
	line_done(r, kind);
	r->nfields = 0;
	if (n == 0)
		return 0; /* an empty line: a record without cells, as libcsv reports it */
	if (n + 1 > r->max_record) {
		too_many(r, 1);
		return 0;
	}
	size_t nf = r->nsp + 1;
	if (nf > r->max_fields) {
		nf = r->max_fields;
		too_many(r, nf + 1);
	}
	if (!cells_room(r, nf)) {
		r->flags |= KP_CSVREC_CUT;
		return 0;
	}
	size_t start = 0;
	for (size_t k = 0; k < nf; k++) {
		size_t end = k < r->nsp ? r->sp[k] : n;
		r->cells[k].data = s + start;
		r->cells[k].len = end - start;
		s[end] = '\0';
		start = end + 1;
	}
	r->nfields = nf;
	return 0;
}

/* A whole line with quotes, read while libcsv is between records: when every quoted cell
 * is well formed (the quote opens the cell, "" stands for one quote, the closing quote
 * is followed by a comma or the end of the line) its cells are read here from the
 * commas and quotes scan_line found, with the result libcsv would give, in place (a
 * quoted cell without "" is the text between its quotes; one with "" is unescaped where
 * it lies: the result is never longer).  Anything else (a stray quote, a quote still open
 * at the end of the line, a line longer than a cell may be, too many cells) returns -1
 * before changing a byte, and libcsv reads the line and reports what is wrong.  Quoted
 * numbers ("1,500") make this the common case of many tables. */
static int split_quoted(kp_csvread *r, char *s, size_t n, int kind)
{
	if (n + 1 > r->max_cell)
		return -1;
	const uint32_t *sp = r->sp;
	size_t nsp = r->nsp, k = 0, i = 0, nf = 0;
	if (!cells_room(r, nsp + 1)) /* at most one cell per comma, plus one */
		return -1;
	/* pass 1: the cells' bounds, checking the form; nothing is written to s */
	for (;;) {
		if (nf >= r->max_fields)
			return -1;
		unsigned char q = 0;
		size_t end;
		if (i < n && s[i] == '"') {
			q = 1;
			k++; /* the opening quote is sp[k] */
			for (;;) {
				while (k < nsp && s[sp[k]] == ',')
					k++;
				if (k >= nsp)
					return -1; /* still open at the end of the line */
				size_t at = sp[k];
				if (at + 1 < n && s[at + 1] == '"') {
					q = 2;
					k += 2;
					continue;
				}
				end = at + 1;
				k++;
				break;
			}
			if (end < n && s[end] != ',')
				return -1;
		} else {
			if (k < nsp && s[sp[k]] == '"')
				return -1; /* a quote inside an unquoted cell */
			end = k < nsp ? sp[k] : n;
		}
		r->cells[nf].data = s + i;
		r->cells[nf].len = end - i;
		r->quoted[nf++] = q;
		if (end >= n)
			break;
		k++; /* the comma at end */
		i = end + 1;
	}
	/* pass 2: unquote in place */
	for (size_t c = 0; c < nf; c++) {
		char *p = (char *)(uintptr_t)r->cells[c].data;
		size_t len = r->cells[c].len;
		if (r->quoted[c] == 0) {
			p[len] = '\0';
			continue;
		}
		char *e = p + len - 1; /* the closing quote */
		size_t o = 0;
		if (r->quoted[c] == 1) {
			o = len - 2;
			r->cells[c].data = p + 1;
			*e = '\0';
			r->cells[c].len = o;
			continue;
		}
		for (const char *q = p + 1; q < e; q++) {
			p[o++] = *q;
			if (*q == '"')
				q++; /* the second quote of "" */
		}
		p[o] = '\0';
		r->cells[c].len = o;
	}
	r->nfields = nf;
	line_done(r, kind);
	return 0;
}

static void deliver(kp_csvread *r, kp_csvrecord *rec)
{
	if (!r->direct && grow((void **)&r->cells, &r->cells_cap, r->nfields + 1, sizeof *r->cells) != 0) {
		r->nfields = 0; /* out of memory: deliver the record without its cells */
		r->flags |= KP_CSVREC_CUT;
	}
	for (size_t i = 0; i < r->nfields && !r->direct; i++) {
		r->cells[i].data = r->arena + r->off[i];
		r->cells[i].len = (i + 1 < r->nfields ? r->off[i + 1] : r->arena_len) - r->off[i] - 1;
	}
	if ((r->flags & (KP_CSVREC_LINE_BREAK | KP_CSVREC_QUOTE_PROBLEM)) == KP_CSVREC_LINE_BREAK)
		report(r, KP_SEV_ERROR, "line-break-in-cell", "L1-14", r->st.records + 1, r->break_col,
			r->rec_start,
			"a quoted cell holds a line break (record starting on line %ld): keep each "
			"record on one line; put the parts in separate columns or join them with a "
			"separator",
			r->rec_line);
	rec->number = ++r->st.records;
	rec->line = r->rec_line;
	rec->offset = r->rec_start;
	rec->end = r->base + (long long)r->pos;
	rec->ncells = r->nfields;
	rec->cells = r->cells;
	rec->flags = r->flags | (r->direct && !r->not_plain ? KP_CSVREC_PLAIN : 0);
}

static void finish(kp_csvread *r)
{
	if (r->finished)
		return;
	r->finished = 1;
	if (r->sha_open) {
		kp_files_sha256_final(&r->sha, r->st.sha256);
		r->sha_open = 0;
	}
	if (r->bad_lines > BAD_LINES_SHOWN)
		report(r, KP_SEV_ERROR, "encoding-error", NULL, 0, 0, -1,
			"%ld more lines hold bytes that are not UTF-8 (the last on line %ld): the "
			"file is in another encoding; save it as UTF-8 (in Excel: CSV UTF-8), or "
			"give its encoding with --encoding (e.g. latin1, cp932)",
			r->bad_lines - BAD_LINES_SHOWN, r->last_bad_line);
	int kinds = (r->st.lf > 0) + (r->st.crlf > 0) + (r->st.cr > 0);
	if (kinds > 1) {
		static const char *const names[3] = {"LF", "CRLF", "CR"};
		long n[3] = {r->st.lf, r->st.crlf, r->st.cr};
		int major = 0;
		for (int k = 1; k < 3; k++)
			if (n[k] > n[major])
				major = k;
		int minor = -1;
		for (int k = 0; k < 3; k++)
			if (k != major && n[k] > 0 && (minor < 0 || r->first_line_of[k] < r->first_line_of[minor]))
				minor = k;
		report(r, KP_SEV_ERROR, "line-endings", NULL, 0, 0, -1,
			"mixed line endings: %ld LF, %ld CRLF, %ld CR (first %s on line %ld); save the "
			"file with one kind of line ending (CRLF or LF)",
			n[0], n[1], n[2], names[minor], r->first_line_of[minor]);
	}
}

int kp_csvread_next(kp_csvread *r, kp_csvrecord *rec)
{
	if (r->failed)
		return r->failed == 1 ? -1 : 0;
	if (!r->started) {
		r->started = 1;
		if (fill(r) < 0)
			return -1;
		while (r->len < 3 && !r->eof)
			if (fill(r) < 0)
				return -1;
		/* A file that is no text table at all: one finding saying what it is */
		static const struct {
			const char *magic;
			size_t len;
			const char *what;
		} kinds[] = {
		    {"PK\x03\x04", 4, N_("a zip archive (an Excel .xlsx or .ods workbook?): save the sheet "
					"as CSV UTF-8 from Excel")},
		    {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8,
		     N_("an old Excel .xls workbook: save the sheet as CSV UTF-8 from Excel")},
		    {"%PDF-", 5, N_("a PDF document, not a table: publish the table itself as CSV")},
		};
		for (size_t k = 0; !r->converting && k < sizeof kinds / sizeof kinds[0]; k++)
			if (r->len >= kinds[k].len && memcmp(r->buf, kinds[k].magic, kinds[k].len) == 0) {
				report(r, KP_SEV_ERROR, "source-error", NULL, 0, 0, 0,
					"the file is %s; it was not read further", _(kinds[k].what));
				r->failed = 1;
				return -1;
			}
		size_t bl = kp_text_bom_len(r->buf, r->len);
		if (bl) {
			r->st.bom = 1;
			r->pos = bl;
			report(r, KP_SEV_INFO, "bom", "L3-08", 0, 0, 0,
				"the file starts with a UTF-8 byte order mark; fine for Excel, but say "
				"so in the dataset's description (some tools read it as part of the "
				"first label)");
		}
		if (r->len - r->pos == 0 && r->eof) {
			report(r, KP_SEV_ERROR, "source-error", NULL, 0, 0, -1,
				"the file is empty: it needs at least a header row");
			finish(r);
			return 0;
		}
	}
	reset_record(r);
	for (;;) {
		if (r->failed)
			return r->failed == 1 ? -1 : 0;
		if (r->pos >= r->len) {
			int f = fill(r);
			if (f < 0)
				return -1;
			if (f == 0 && r->pos >= r->len) {
				if (r->carry_len) {
					r->carry_len = 0;
					if (!(r->flags & KP_CSVREC_BAD_TEXT)) {
						r->flags |= KP_CSVREC_BAD_TEXT;
						report(r, KP_SEV_ERROR, "encoding-error", NULL,
							r->st.records + 1, 0, r->base + (long long)r->len,
							"the file ends inside a UTF-8 character: it was cut "
							"short; save it again as UTF-8");
					}
				}
				int open_quote = r->p.pstate == LIBCSV_FIELD_BEGUN && r->p.quoted;
				if (open_quote) {
					r->flags |= KP_CSVREC_QUOTE_PROBLEM;
					report(r, KP_SEV_ERROR, "unclosed-quote", "L1-15", r->st.records + 1,
						(long)r->nfields + 1, r->rec_start,
						"a quoted cell starting on line %ld is never closed: add "
						"the closing quote (\") at the end of the cell",
						r->rec_line);
				}
				csv_set_opts(&r->p, CSV_REPALL_NL | CSV_APPEND_NULL);
				tl_cell_limit = r->max_cell;
				csv_fini(&r->p, on_field, on_record, r);
				if (r->rec_done) {
					if (r->base + (long long)r->pos > r->rec_start)
						r->st.lines++;
					deliver(r, rec);
					r->rec_done = 0;
					return r->failed == 2 ? 0 : 1;
				}
				finish(r);
				return 0;
			}
			continue;
		}
		char *seg = r->buf + r->pos;
		size_t rem = r->len - r->pos;
		unsigned seen = 0;
		size_t eol = scan_line(r, seg, rem, &seen);
		const char *lf = eol < rem && seg[eol] == '\n' ? seg + eol : NULL;
		const char *cr = eol < rem && seg[eol] == '\r' ? seg + eol : NULL;
		size_t n;
		int kind = -1; /* 0 LF, 1 CRLF, 2 CR */
		if (cr) {
			if ((size_t)(cr - seg) + 1 == rem && !r->eof) {
				/* a CR at the end of the buffer: read on to see whether LF follows */
				if (fill(r) < 0)
					return -1;
				continue;
			}
			n = (size_t)(cr - seg) + 1;
			kind = 2;
			if (n < rem && seg[n] == '\n') {
				n++;
				kind = 1;
			}
		} else if (lf) {
			n = (size_t)(lf - seg) + 1;
			kind = 0;
		} else {
			n = rem;
			if (!r->eof && rem < r->max_cell) {
				/* an unfinished line: read more first so the whole line is parsed
				 * in one piece (up to the record limit) */
				size_t before = r->len - r->pos;
				int f = fill(r);
				if (f < 0)
					return -1;
				if (r->len - r->pos > before || f == 0)
					continue;
			}
		}
		if (!r->nul_reported && (seen & SEEN_NUL) && memchr(seg, '\0', n)) {
			/* A text table holds no NUL: this is UTF-16 or not text at all.  One
			 * finding says so and the reading stops (what follows would only be
			 * mojibake findings of the same cause). */
			r->nul_reported = 1;
			const char *z = memchr(seg, '\0', n);
			long long at = r->base + (long long)(z - r->buf);
			const unsigned char *b = (const unsigned char *)r->buf;
			int bom16 = r->base == 0 && r->len >= 2 &&
				    ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF));
			report(r, KP_SEV_ERROR, "source-error", NULL, r->st.records + 1, 0, at,
				bom16 ? "the file is UTF-16 text (it starts with a UTF-16 byte order "
					"mark): save it as UTF-8 CSV (in Excel: CSV UTF-8); the file "
					"was not read further"
				      : _("the file holds NUL bytes (first at byte offset %lld): it is "
					  "binary or saved as UTF-16; save it as UTF-8 CSV; the file was "
					  "not read further"),
				at);
			r->failed = 1;
			return -1;
		}
		if (seen & (SEEN_BLANKS | SEEN_CTL))
			r->not_plain = 1;
		if ((seen & SEEN_HIGH) || r->carry_len)
			check_text(r, seg, n, kind >= 0);
		int rc;
		int between = kind >= 0 && !(seen & (SEEN_NUL | SEEN_MANY)) && r->nfields == 0 &&
			      r->p.pstate == LIBCSV_ROW_NOT_BEGUN && !r->rec_done;
		size_t body = kind >= 0 ? n - (kind == 1 ? 2 : 1) : n;
		if (between && !(seen & SEEN_QUOTE))
			rc = split_plain(r, seg, body, kind);
		else if (between && split_quoted(r, seg, body, kind) == 0)
			rc = 0;
		else
			rc = parse_piece(r, seg, n);
		r->pos += n;
		if (rc < 0)
			return -1;
		if (kind >= 0) {
			if (r->rec_done) {
				count_ending(r, kind);
			} else if (!r->rec_done && r->p.quoted && !(r->flags & KP_CSVREC_LINE_BREAK)) {
				/* reported when the record ends: an unclosed quote explains it */
				r->flags |= KP_CSVREC_LINE_BREAK;
				r->break_col = (long)r->nfields + 1;
			}
			r->line++;
			r->st.lines++;
		}
		if (r->rec_done) {
			deliver(r, rec);
			return r->failed == 2 ? 0 : 1;
		}
	}
}

const kp_csvread_stats *kp_csvread_stats_get(const kp_csvread *r)
{
	return &r->st;
}

int kp_csvread_failed(const kp_csvread *r)
{
	return r->failed;
}

void kp_csvread_free(kp_csvread *r)
{
	if (!r)
		return;
	if (r->p_open)
		csv_free(&r->p);
	if (r->sha_open)
		kp_files_sha256_release(&r->sha);
	if (r->converting) {
		kp_text_conv_close(&r->conv);
		free(r->buf);
	}
	free(r->raw);
	free(r->arena);
	free(r->off);
	free(r->cells);
	free(r->sp);
	free(r->quoted);
	if (r->own_fp && r->fp)
		fclose(r->fp);
	free(r);
}
