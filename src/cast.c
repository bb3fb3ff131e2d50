/* cast — cell text to typed values (see cast.h for the contract).
 *
 * The parsers are written by hand over (pointer, length) so that the common types cost
 * no allocation and no locale lookups: strtod is only called on a small cleaned copy
 * in the C locale's format ('.' decimal point), which the library never changes. */
#include "i18n.h"
#include "cast.h"
#include "pattern.h"
#include "schema.h"
#include "text.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const char *const type_names[KP_TYPE_COUNT_] = {
	[KP_TYPE_ANY] = "any",
	[KP_TYPE_STRING] = "string",
	[KP_TYPE_INTEGER] = "integer",
	[KP_TYPE_NUMBER] = "number",
	[KP_TYPE_BOOLEAN] = "boolean",
	[KP_TYPE_DATE] = "date",
	[KP_TYPE_TIME] = "time",
	[KP_TYPE_DATETIME] = "datetime",
	[KP_TYPE_YEAR] = "year",
	[KP_TYPE_YEARMONTH] = "yearmonth",
	[KP_TYPE_DURATION] = "duration",
	[KP_TYPE_GEOPOINT] = "geopoint",
	[KP_TYPE_GEOJSON] = "geojson",
	[KP_TYPE_OBJECT] = "object",
	[KP_TYPE_ARRAY] = "array",
	[KP_TYPE_LIST] = "list",
};

static const char *const format_names[KP_FORMAT_COUNT_] = {
	[KP_FORMAT_DEFAULT] = "default",
	[KP_FORMAT_EMAIL] = "email",
	[KP_FORMAT_URI] = "uri",
	[KP_FORMAT_UUID] = "uuid",
	[KP_FORMAT_BINARY] = "binary",
	[KP_FORMAT_WKT] = "wkt",
	[KP_FORMAT_ANY] = "any",
	[KP_FORMAT_PATTERN] = "pattern",
	[KP_FORMAT_ARRAY] = "array",
	[KP_FORMAT_OBJECT] = "object",
	[KP_FORMAT_TOPOJSON] = "topojson",
};

static const char *const constraint_names[KP_CONSTRAINT_COUNT_] = {
	[KP_CONSTRAINT_NONE] = "",
	[KP_CONSTRAINT_REQUIRED] = "required",
	[KP_CONSTRAINT_UNIQUE] = "unique",
	[KP_CONSTRAINT_MINIMUM] = "minimum",
	[KP_CONSTRAINT_MAXIMUM] = "maximum",
	[KP_CONSTRAINT_EXCLUSIVE_MINIMUM] = "exclusiveMinimum",
	[KP_CONSTRAINT_EXCLUSIVE_MAXIMUM] = "exclusiveMaximum",
	[KP_CONSTRAINT_MIN_LENGTH] = "minLength",
	[KP_CONSTRAINT_MAX_LENGTH] = "maxLength",
	[KP_CONSTRAINT_PATTERN] = "pattern",
	[KP_CONSTRAINT_ENUM] = "enum",
};

const char *kp_cast_type_name(kp_type t)
{
	return (unsigned)t < KP_TYPE_COUNT_ ? type_names[t] : "any";
}

int kp_cast_type_parse(const char *name, kp_type *t)
{
	for (unsigned i = 0; i < KP_TYPE_COUNT_; i++)
		if (strcmp(name, type_names[i]) == 0) {
			*t = (kp_type)i;
			return 0;
		}
	return -1;
}

const char *kp_cast_format_name(kp_format f)
{
	return (unsigned)f < KP_FORMAT_COUNT_ ? format_names[f] : "default";
}

const char *kp_cast_constraint_name(kp_constraint c)
{
	return (unsigned)c < KP_CONSTRAINT_COUNT_ ? constraint_names[c] : "";
}

/* The options a cast needs; built from a field or from the defaults. */
typedef struct opts {
	kp_type type;
	kp_format format;
	const char *pattern; /* strptime-style, for KP_FORMAT_PATTERN */
	const char *dec;     /* decimalChar */
	const char *grp;     /* groupChar, "" = none */
	int bare;
	const kp_strlist *tv, *fv;
	const char *delim;
	kp_type item;
} opts;

static char t0[] = "true", t1[] = "True", t2[] = "TRUE", t3[] = "1";
static char f0[] = "false", f1[] = "False", f2[] = "FALSE", f3[] = "0";
static char *default_true_items[] = {t0, t1, t2, t3};
static char *default_false_items[] = {f0, f1, f2, f3};
static size_t default_bool_lens_t[] = {4, 4, 4, 1};
static size_t default_bool_lens_f[] = {5, 5, 5, 1};
static const kp_strlist default_true = {default_true_items, default_bool_lens_t, 4};
static const kp_strlist default_false = {default_false_items, default_bool_lens_f, 4};

static opts default_opts(kp_type type, kp_format format)
{
	opts o = {type, format, NULL, ".", "", 1, &default_true, &default_false, ",",
		KP_TYPE_STRING};
	return o;
}

static opts field_opts(const kp_field *f)
{
	opts o = {f->type, f->format, f->format_pattern, f->decimal_char, f->group_char,
		f->bare_number, &f->true_values, &f->false_values, f->delimiter, f->item_type};
	return o;
}

static int type_error(kp_diag *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int type_error(kp_diag *err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		kp_diag_vset(err, KP_SEV_ERROR, "type-error", fmt, ap);
		va_end(ap);
	}
	return KP_CAST_ERROR;
}

/* Bytes of s[0..n) to show in a message: at most 40, cut on a UTF-8 boundary. */
static int shown_len(const char *s, size_t n)
{
	if (n <= 40)
		return (int)n;
	size_t k = 40;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return (int)k;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ---- numbers ---- */

/* Case-insensitive comparison of s[0..n) with a lower-case word. */
static int word_eq(const char *s, size_t n, const char *w)
{
	size_t m = strlen(w);
	if (n != m)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return 0;
	}
	return 1;
}

/* Drops the text around a number when bareNumber is false ("€10", "10%", "約 5 件"):
 * leading bytes up to the first digit, sign or decimal char, trailing bytes after the
 * last digit. */
static void strip_non_bare(const char **s, size_t *n, const char *dec)
{
	const char *p = *s, *e = *s + *n;
	while (p < e && !is_digit(*p) && *p != '-' && *p != '+' && *p != dec[0])
		p++;
	while (e > p && !is_digit(e[-1]))
		e--;
	*s = p;
	*n = (size_t)(e - p);
}

enum { NUM_OK = 0, NUM_BAD, NUM_GROUP, NUM_UNIT, NUM_EMPTY };

/* Cleans a number into out as "[-]digits[.digits][e[-]digits]" (or "nan", "inf",
 * "-inf"), removing group chars and mapping decimalChar to '.'.  The cleaned text is at
 * most n + 1 bytes long; out must hold n + 2.  *is_int is set when there is neither a
 * fraction nor an exponent.  Returns NUM_OK or the reason it is not a number. */
static int clean_number(const opts *o, const char *s, size_t n, char *out, int *is_int,
	const char **unit, size_t *unit_len)
{
	/* Surrounding ASCII spaces are accepted, as Frictionless does; the validator reports
	 * them separately (padding-space, L1-06) with its own fix. */
	while (n && s[0] == ' ')
		s++, n--;
	while (n && s[n - 1] == ' ')
		n--;
	if (!o->bare)
		strip_non_bare(&s, &n, o->dec);
	if (n == 0)
		return NUM_EMPTY;
	size_t k = 0, i = 0;
	int neg = 0;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	if (word_eq(s + i, n - i, "nan") || word_eq(s + i, n - i, "inf") ||
	    word_eq(s + i, n - i, "infinity")) {
		if ((s[i] | 0x20) == 'n')
			strcpy(out, "nan");
		else
			strcpy(out, neg ? "-inf" : "inf");
		*is_int = 0;
		return NUM_OK;
	}
	if (neg)
		out[k++] = '-';
	size_t dl = strlen(o->dec), gl = strlen(o->grp);
	int digits = 0, frac = 0, expo = 0, saw_group = 0;
	while (i < n) {
		if (is_digit(s[i])) {
			out[k++] = s[i++];
			digits++;
		} else if (gl && !frac && !expo && n - i >= gl && memcmp(s + i, o->grp, gl) == 0 &&
			   digits) {
			i += gl;
			saw_group = 1;
		} else if (!frac && !expo && n - i >= dl && memcmp(s + i, o->dec, dl) == 0) {
			out[k++] = '.';
			i += dl;
			frac = 1;
		} else if ((s[i] == 'e' || s[i] == 'E') && digits && !expo) {
			out[k++] = 'e';
			i++;
			if (i < n && (s[i] == '-' || s[i] == '+'))
				out[k++] = s[i++];
			expo = 1;
			digits = 0;
		} else {
			break;
		}
	}
	out[k] = '\0';
	if (i < n) {
		/* Say what was wrong: a separator, or text such as a unit after the digits. */
		if (s[i] == ',' || s[i] == '.' || (unsigned char)s[i] == 0xEF)
			return NUM_GROUP;
		if (digits && unit) {
			*unit = s + i;
			*unit_len = n - i;
			return NUM_UNIT;
		}
		return NUM_BAD;
	}
	(void)saw_group;
	if (!digits)
		return NUM_BAD;
	*is_int = !frac && !expo;
	return NUM_OK;
}

static int number_error(kp_diag *err, const opts *o, int why, const char *s, size_t n,
	const char *unit, size_t unit_len, const char *what)
{
	if (!err)
		return KP_CAST_ERROR;
	int shown = shown_len(s, n);
	switch (why) {
	case NUM_GROUP:
		if (o->grp[0])
			return type_error(err, "\"%.*s\" is not %s: write it with '%s' as the decimal "
				"mark and '%s' between thousands only",
				shown, s, _(what), o->dec, o->grp);
		return type_error(err, "\"%.*s\" is not %s: remove the thousands separators "
			"(write 1000, not 1,000) or declare \"groupChar\" in the schema",
			shown, s, _(what));
	case NUM_UNIT:
		if (unit_len >= 2 && strchr("_-/:", unit[0]) && unit[1] >= '0' && unit[1] <= '9')
			break; /* "1_000", "3-5": numbers joined, no unit */
		return type_error(err, "\"%.*s\" is not %s: move the unit or note \"%.*s\" to its "
			"own column and keep only the number here",
			shown, s, _(what), shown_len(unit, unit_len), unit);
	default:
		break;
	}
	return type_error(err, "\"%.*s\" is not %s: write digits only, e.g. %s", shown, s,
		_(what), strcmp(what, "an integer") == 0 ? _("1500 or -3") : _("1500, -3 or 2.5"));
}

#define NUM_STACK 128

/* Fast path for the common "[-]digits[.digits]" spelling with at most 15 significant
 * digits: the mantissa and the power of ten are exact doubles, so one division gives
 * the correctly rounded value (Clinger's fast path), as strtod would.  Returns 0 when
 * the text needs the general path. */
static int simple_decimal(const char *s, size_t n, char dec, double *out)
{
	static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15};
	size_t i = 0;
	int neg = 0, digits = 0, frac = -1;
	unsigned long long m = 0;
	if (n && s[0] == '-')
		neg = 1, i = 1;
	for (; i < n; i++) {
		char c = s[i];
		if (is_digit(c)) {
			if (++digits > 15)
				return 0;
			m = m * 10 + (unsigned)(c - '0');
			if (frac >= 0)
				frac++;
		} else if (c == dec && frac < 0) {
			frac = 0;
		} else {
			return 0;
		}
	}
	if (!digits || frac == 0)
		return 0;
	double d = (double)m;
	if (frac > 0)
		d /= pow10[frac];
	*out = neg ? -d : d;
	return 1;
}

static int cast_number(const opts *o, const char *s, size_t n, kp_value *v, kp_diag *err)
{
	if (o->bare && o->dec[1] == '\0' && simple_decimal(s, n, o->dec[0], &v->u.n))
		return KP_CAST_OK;
	char stack[NUM_STACK], *buf = n + 2 <= NUM_STACK ? stack : malloc(n + 2);
	if (!buf)
		return type_error(err, "out of memory");
	int is_int;
	const char *unit = NULL;
	size_t ul = 0;
	int why = clean_number(o, s, n, buf, &is_int, &unit, &ul);
	int rc = KP_CAST_OK;
	if (why != NUM_OK) {
		rc = number_error(err, o, why, s, n, unit, ul, N_("a number"));
	} else if (buf[0] == 'n') {
		v->u.n = NAN;
	} else if (strcmp(buf, "inf") == 0 || strcmp(buf, "-inf") == 0) {
		v->u.n = buf[0] == '-' ? -INFINITY : INFINITY;
	} else {
		v->u.n = strtod(buf, NULL); /* overflow gives ±HUGE_VAL = ±INF: still a number */
	}
	if (buf != stack)
		free(buf);
	return rc;
}

static int cast_integer(const opts *o, const char *s, size_t n, kp_value *v, kp_diag *err)
{
	/* Fast path: "[-]digits", at most 18 of them (cannot overflow). */
	size_t sign = n && s[0] == '-';
	if (o->bare && n > sign && n - sign <= 18) {
		size_t i = sign;
		long long acc = 0;
		for (; i < n && is_digit(s[i]); i++)
			acc = acc * 10 + (s[i] - '0');
		if (i == n) {
			v->u.i = s[0] == '-' ? -acc : acc;
			return KP_CAST_OK;
		}
	}
	char stack[NUM_STACK], *buf = n + 2 <= NUM_STACK ? stack : malloc(n + 2);
	if (!buf)
		return type_error(err, "out of memory");
	int is_int = 0;
	const char *unit = NULL;
	size_t ul = 0;
	int why = clean_number(o, s, n, buf, &is_int, &unit, &ul);
	int rc = KP_CAST_OK;
	if (why != NUM_OK) {
		rc = number_error(err, o, why, s, n, unit, ul, N_("an integer"));
	} else if (!is_int) {
		rc = type_error(err, "\"%.*s\" is not an integer: write a whole number without a "
			"decimal part or exponent",
			shown_len(s, n), s);
	} else {
		const char *p = buf;
		int neg = *p == '-';
		p += neg;
		unsigned long long acc = 0;
		int over = 0;
		for (; *p; p++) {
			if (acc > (ULLONG_MAX - 9) / 10) {
				over = 1;
				break;
			}
			acc = acc * 10 + (unsigned)(*p - '0');
		}
		if (over || (!neg && acc > (unsigned long long)LLONG_MAX) ||
		    (neg && acc > (unsigned long long)LLONG_MAX + 1))
			rc = type_error(err, "\"%.*s\" is not an integer kplan can hold: it is outside "
				"the 64-bit range -9223372036854775808..9223372036854775807; declare "
				"the field as \"number\" or \"string\"",
				shown_len(s, n), s);
		else if (neg)
			v->u.i = acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)acc;
		else
			v->u.i = (long long)acc;
	}
	if (buf != stack)
		free(buf);
	return rc;
}

/* ---- boolean ---- */

static int in_list(const kp_strlist *l, const char *s, size_t n)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->lens[i] == n && (n == 0 || memcmp(l->items[i], s, n) == 0))
			return 1;
	return 0;
}

static int cast_boolean(const opts *o, const char *s, size_t n, kp_value *v, kp_diag *err)
{
	if (in_list(o->tv, s, n)) {
		v->u.b = 1;
		return KP_CAST_OK;
	}
	if (in_list(o->fv, s, n)) {
		v->u.b = 0;
		return KP_CAST_OK;
	}
	return type_error(err, "\"%.*s\" is not a boolean: write %s or %s (as listed in "
		"trueValues/falseValues)",
		shown_len(s, n), s, o->tv->len ? o->tv->items[0] : "true",
		o->fv->len ? o->fv->items[0] : "false");
}

/* ---- dates and times ---- */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm). */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads exactly `width` digits (width > 0) or 1..-width digits (width < 0). */
static int read_digits(const char **p, const char *e, int width, int *out)
{
	int max = width < 0 ? -width : width, k = 0, val = 0;
	while (*p < e && k < max && is_digit(**p)) {
		val = val * 10 + (**p - '0');
		(*p)++;
		k++;
	}
	if (k == 0 || (width > 0 && k != width))
		return -1;
	*out = val;
	return 0;
}

/* Optional ".ffffff" (any number of digits, kept to microseconds). */
static int read_fraction(const char **p, const char *e, kp_datetime *t)
{
	if (*p >= e || **p != '.')
		return 0;
	(*p)++;
	int k = 0;
	long us = 0;
	while (*p < e && is_digit(**p)) {
		if (k < 6)
			us = us * 10 + (**p - '0');
		k++;
		(*p)++;
	}
	if (!k)
		return -1;
	for (int i = k; i < 6; i++)
		us *= 10;
	t->usec = us;
	t->frac_digits = (unsigned char)(k < 6 ? k : 6);
	return 0;
}

/* Optional zone: "Z", "+hh:mm", "-hh:mm", "+hhmm", "+hh". */
static int read_zone(const char **p, const char *e, kp_datetime *t)
{
	if (*p >= e)
		return 0;
	if (**p == 'Z') {
		(*p)++;
		t->has_tz = 1;
		t->tz_minutes = 0;
		return 0;
	}
	if (**p != '+' && **p != '-')
		return 0;
	int sign = **p == '-' ? -1 : 1, hh, mm = 0;
	(*p)++;
	if (read_digits(p, e, 2, &hh) < 0)
		return -1;
	if (*p < e && **p == ':')
		(*p)++;
	if (*p < e && is_digit(**p) && read_digits(p, e, 2, &mm) < 0)
		return -1;
	if (hh > 14 || mm > 59)
		return -1;
	t->has_tz = 1;
	t->tz_minutes = sign * (hh * 60 + mm);
	return 0;
}

static int valid_date(const kp_datetime *t)
{
	return t->year >= 1 && t->year <= 9999 && t->month >= 1 && t->month <= 12 && t->day >= 1 &&
	       t->day <= days_in_month(t->year, t->month);
}

static int valid_time(const kp_datetime *t)
{
	if (t->hour == 24)
		return t->minute == 0 && t->second == 0 && t->usec == 0;
	return t->hour >= 0 && t->hour <= 23 && t->minute >= 0 && t->minute <= 59 &&
	       t->second >= 0 && t->second <= 59;
}

static int parse_iso_date(const char **p, const char *e, kp_datetime *t)
{
	if (read_digits(p, e, 4, &t->year) < 0 || *p >= e || **p != '-')
		return -1;
	(*p)++;
	if (read_digits(p, e, 2, &t->month) < 0 || *p >= e || **p != '-')
		return -1;
	(*p)++;
	return read_digits(p, e, 2, &t->day);
}

static int parse_iso_time(const char **p, const char *e, kp_datetime *t)
{
	if (read_digits(p, e, 2, &t->hour) < 0 || *p >= e || **p != ':')
		return -1;
	(*p)++;
	if (read_digits(p, e, 2, &t->minute) < 0 || *p >= e || **p != ':')
		return -1;
	(*p)++;
	if (read_digits(p, e, 2, &t->second) < 0)
		return -1;
	if (read_fraction(p, e, t) < 0)
		return -1;
	return read_zone(p, e, t);
}

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
	"aug", "sep", "oct", "nov", "dec"};
static const char *const month_full[] = {"january", "february", "march", "april", "may",
	"june", "july", "august", "september", "october", "november", "december"};

/* strptime-style matching without locale: %Y %y %m %d %H %I %M %S %f %p %b %B %z %j is
 * not supported; %% and literal text match themselves; a space matches any run of
 * spaces.  Returns 0, -1 on mismatch, -2 on an unsupported directive (*bad set). */
static int match_pattern(const char *fmt, const char *s, size_t n, kp_datetime *t, int *has_date,
	int *has_time, char *bad)
{
	const char *p = s, *e = s + n;
	int pm = -1, hour12 = 0;
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			if (*f == ' ') {
				while (p < e && *p == ' ')
					p++;
				continue;
			}
			if (p >= e || *p != *f)
				return -1;
			p++;
			continue;
		}
		f++;
		int ok = 0;
		switch (*f) {
		case 'Y':
			ok = read_digits(&p, e, 4, &t->year) == 0;
			*has_date = 1;
			break;
		case 'y': {
			int yy = 0;
			ok = read_digits(&p, e, 2, &yy) == 0;
			t->year = yy < 69 ? 2000 + yy : 1900 + yy; /* as Python's strptime */
			*has_date = 1;
			break;
		}
		case 'm':
			ok = read_digits(&p, e, -2, &t->month) == 0;
			*has_date = 1;
			break;
		case 'd':
			ok = read_digits(&p, e, -2, &t->day) == 0;
			*has_date = 1;
			break;
		case 'H':
			ok = read_digits(&p, e, -2, &t->hour) == 0;
			*has_time = 1;
			break;
		case 'I':
			ok = read_digits(&p, e, -2, &t->hour) == 0 && t->hour >= 1 && t->hour <= 12;
			hour12 = 1;
			*has_time = 1;
			break;
		case 'M':
			ok = read_digits(&p, e, -2, &t->minute) == 0;
			*has_time = 1;
			break;
		case 'S':
			ok = read_digits(&p, e, -2, &t->second) == 0;
			*has_time = 1;
			break;
		case 'f': {
			int k = 0;
			long us = 0;
			while (p < e && is_digit(*p) && k < 6) {
				us = us * 10 + (*p++ - '0');
				k++;
			}
			ok = k > 0;
			t->frac_digits = (unsigned char)k;
			for (; k < 6; k++)
				us *= 10;
			t->usec = us;
			break;
		}
		case 'p':
			if (e - p >= 2 && word_eq(p, 2, "am"))
				pm = 0;
			else if (e - p >= 2 && word_eq(p, 2, "pm"))
				pm = 1;
			ok = pm >= 0;
			p += ok ? 2 : 0;
			break;
		case 'b':
		case 'B':
			for (int m = 0; m < 12 && !ok; m++) {
				const char *nm = month_full[m];
				size_t l = strlen(nm);
				if ((size_t)(e - p) >= l && word_eq(p, l, nm)) {
					p += l;
					ok = 1;
				} else if (e - p >= 3 && word_eq(p, 3, month_names[m])) {
					p += 3;
					ok = 1;
				}
				if (ok)
					t->month = m + 1;
			}
			*has_date = 1;
			break;
		case 'z':
			ok = p < e && read_zone(&p, e, t) == 0 && t->has_tz;
			break;
		case '%':
			ok = p < e && *p == '%';
			p += ok;
			break;
		default:
			*bad = *f ? *f : '?';
			return -2;
		}
		if (!ok)
			return -1;
		if (!*f)
			break;
	}
	if (p != e)
		return -1;
	if (hour12)
		t->hour = t->hour % 12 + (pm == 1 ? 12 : 0);
	return 0;
}

static void date_ord(kp_value *v)
{
	const kp_datetime *t = &v->u.t.parts;
	long long day = days_from_civil(t->year, t->month, t->day);
	long long tod = ((long long)t->hour * 3600 + t->minute * 60 + t->second) * 1000000LL + t->usec;
	switch (v->type) {
	case KP_TYPE_DATE:
		v->u.t.ord = day;
		break;
	case KP_TYPE_TIME:
		v->u.t.ord = tod - (t->has_tz ? t->tz_minutes * 60000000LL : 0);
		break;
	default:
		v->u.t.ord = day * 86400000000LL + tod - (t->has_tz ? t->tz_minutes * 60000000LL : 0);
		break;
	}
}

/* Layouts tried by format "any", in order. */
static const char *const any_date[] = {"%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日",
	"%Y%m%d", "%d %b %Y", "%b %d, %Y", NULL};
static const char *const any_time[] = {"%H:%M:%S", "%H:%M", "%H時%M分%S秒", "%H時%M分",
	"%I:%M %p", "%I:%M:%S %p", NULL};
static const char *const any_datetime[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
	"%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
	"%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", NULL};

/* A 5-digit number a date cell becomes when Excel saves it as a number: days since
 * 1899-12-30 (Excel's 1900 system, its leap day 1900-02-29 counted), for the years
 * 1955-2099.  Fills the date it stands for. */
static int excel_serial(const char *s, size_t n, int *y, int *m, int *d)
{
	if (n != 5)
		return 0;
	long days = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		days = days * 10 + (s[i] - '0');
	}
	if (days < 20090 || days > 73050)
		return 0;
	/* days from 1970-01-01, then the civil date (H. Hinnant's algorithm) */
	long z = days - 25569 + 719468;
	long era = z / 146097, doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
	return 1;
}

static int cast_temporal(const opts *o, const char *s, size_t n, kp_value *v, kp_diag *err)
{
	kp_datetime *t = &v->u.t.parts;
	memset(t, 0, sizeof *t);
	const char *what = o->type == KP_TYPE_DATE ? _("a date") :
			   o->type == KP_TYPE_TIME ? _("a time") :
						     _("a datetime");
	const char *example = o->type == KP_TYPE_DATE ? "2019-04-01 (YYYY-MM-DD)" :
			      o->type == KP_TYPE_TIME ? "09:30:00 (hh:mm:ss)" :
							_("2019-04-01T09:30:00 (YYYY-MM-DDThh:mm:ss, "
							  "optionally with Z or +09:00)");
	int shown = shown_len(s, n);
	int ok = 0;
	if (o->format == KP_FORMAT_DEFAULT) {
		const char *p = s, *e = s + n;
		if (o->type == KP_TYPE_DATE)
			ok = parse_iso_date(&p, e, t) == 0;
		else if (o->type == KP_TYPE_TIME)
			ok = parse_iso_time(&p, e, t) == 0;
		else
			ok = parse_iso_date(&p, e, t) == 0 && p < e && *p++ == 'T' &&
			     parse_iso_time(&p, e, t) == 0;
		ok = ok && p == e;
	} else {
		const char *single[2] = {o->pattern ? o->pattern : "", NULL};
		const char *const *list = o->format == KP_FORMAT_PATTERN ? single :
					  o->type == KP_TYPE_DATE	 ? any_date :
					  o->type == KP_TYPE_TIME	 ? any_time :
									   any_datetime;
		for (; *list && !ok; list++) {
			int hd = 0, ht = 0;
			char bad = 0;
			memset(t, 0, sizeof *t);
			int rc = match_pattern(*list, s, n, t, &hd, &ht, &bad);
			if (rc == -2)
				return type_error(err, "format pattern \"%s\" uses the unsupported "
					"directive %%%c (supported: %%Y %%y %%m %%d %%H %%I %%M %%S "
					"%%f %%p %%b %%B %%z %%%%)",
					*list, bad);
			if (rc == 0) {
				if (!hd)
					t->year = 1900, t->month = 1, t->day = 1;
				ok = 1;
			}
		}
		if (!ok && o->format == KP_FORMAT_PATTERN)
			return type_error(err, "\"%.*s\" is not %s in the format \"%s\" declared by "
				"the schema",
				shown, s, what, o->pattern ? o->pattern : "");
	}
	int y, m, d;
	if (!ok && o->type == KP_TYPE_DATE && excel_serial(s, n, &y, &m, &d))
		return type_error(err, "\"%.*s\" is not a date: it is Excel's serial number for "
			"%04d-%02d-%02d (a date cell saved as a number); write %04d-%02d-%02d, or "
			"format the column as dates (yyyy-mm-dd) before saving the CSV",
			shown, s, y, m, d, y, m, d);
	if (!ok)
		return type_error(err, "\"%.*s\" is not %s: write it as %s", shown, s, what, example);
	if ((o->type != KP_TYPE_TIME && !valid_date(t)) || !valid_time(t))
		return type_error(err, "\"%.*s\" is not %s: no such %s", shown, s, what,
			o->type == KP_TYPE_TIME ? _("time of day") : _("calendar date or time"));
	date_ord(v);
	return KP_CAST_OK;
}

static int cast_year(const char *s, size_t n, kp_value *v, kp_diag *err)
{
	const char *p = s, *e = s + n;
	int y;
	if (read_digits(&p, e, 4, &y) < 0 || p != e)
		return type_error(err, "\"%.*s\" is not a year: write four digits, e.g. 2019",
			shown_len(s, n), s);
	v->u.i = y;
	return KP_CAST_OK;
}

static int cast_yearmonth(const char *s, size_t n, kp_value *v, kp_diag *err)
{
	const char *p = s, *e = s + n;
	int y, m;
	if (read_digits(&p, e, 4, &y) < 0 || p >= e || *p++ != '-' || read_digits(&p, e, 2, &m) < 0 ||
	    p != e || m < 1 || m > 12)
		return type_error(err, "\"%.*s\" is not a year and month: write YYYY-MM, e.g. 2019-04",
			shown_len(s, n), s);
	v->u.i = (long long)y * 12 + (m - 1);
	return KP_CAST_OK;
}

/* ISO 8601 / XSD duration: [-]P[nY][nM][nW][nD][T[nH][nM][n[.f]S]]. */
static int cast_duration(const char *s, size_t n, kp_value *v, kp_diag *err)
{
	const char *p = s, *e = s + n;
	int neg = 0, any = 0, in_time = 0, time_any = 0;
	long long months = 0, usec = 0;
	const char *units_date = "YMWD", *units_time = "HMS";
	const char *last_unit = NULL;
	if (p < e && *p == '-')
		neg = 1, p++;
	if (p >= e || *p++ != 'P')
		goto bad;
	while (p < e) {
		if (*p == 'T') {
			if (in_time)
				goto bad;
			in_time = 1;
			last_unit = NULL;
			p++;
			continue;
		}
		unsigned long long num = 0;
		int digits = 0;
		while (p < e && is_digit(*p)) {
			if (num > 100000000000000ULL)
				goto bad; /* beyond 10^15 units: refuse before the accumulator overflows */
			num = num * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		long frac_us = 0;
		int frac = 0;
		if (p < e && *p == '.') {
			p++;
			int k = 0;
			while (p < e && is_digit(*p)) {
				if (k < 6)
					frac_us = frac_us * 10 + (*p - '0');
				k++;
				p++;
			}
			if (!k)
				goto bad;
			for (; k < 6; k++)
				frac_us *= 10;
			frac = 1;
		}
		if (!digits || p >= e)
			goto bad;
		const char *units = in_time ? units_time : units_date;
		const char *u = strchr(units, *p);
		if (!u || *p == '\0' || (last_unit && u <= last_unit) || (frac && *p != 'S'))
			goto bad;
		last_unit = u;
		long long k = (long long)num, unit_months = 0, unit_usec = 0, add;
		switch (*p) {
		case 'Y':
			unit_months = 12;
			break;
		case 'M':
			if (in_time)
				unit_usec = 60000000LL;
			else
				unit_months = 1;
			break;
		case 'W':
			unit_usec = 7 * 86400000000LL;
			break;
		case 'D':
			unit_usec = 86400000000LL;
			break;
		case 'H':
			unit_usec = 3600000000LL;
			break;
		case 'S':
			unit_usec = 1000000LL;
			break;
		}
		/* Refuse what does not fit in 64 bits instead of overflowing. */
		if (unit_months && (__builtin_mul_overflow(k, unit_months, &add) ||
					   __builtin_add_overflow(months, add, &months)))
			goto bad;
		if (unit_usec && (__builtin_mul_overflow(k, unit_usec, &add) ||
					 __builtin_add_overflow(usec, add, &usec) ||
					 __builtin_add_overflow(usec, (long long)frac_us, &usec)))
			goto bad;
		any = 1;
		time_any |= in_time;
		p++;
	}
	if (!any || (in_time && !time_any))
		goto bad;
	v->u.dur.months = neg ? -months : months;
	v->u.dur.usec = neg ? -usec : usec;
	return KP_CAST_OK;
bad:
	return type_error(err, "\"%.*s\" is not a duration: write ISO 8601 such as P1Y2M, P3D or "
		"PT1H30M",
		shown_len(s, n), s);
}

/* ---- geopoint ---- */

/* A plain decimal such as "-12.5" between p and e (spaces around allowed). */
static int read_coord(const char *p, const char *e, double *out)
{
	while (p < e && *p == ' ')
		p++;
	while (e > p && e[-1] == ' ')
		e--;
	char buf[64];
	size_t n = (size_t)(e - p);
	if (n == 0 || n >= sizeof buf)
		return -1;
	size_t i = 0;
	int digits = 0, dot = 0;
	if (p[0] == '-' || p[0] == '+')
		i++;
	for (; i < n; i++) {
		if (is_digit(p[i]))
			digits++;
		else if (p[i] == '.' && !dot)
			dot = 1;
		else
			return -1;
	}
	if (!digits)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*out = strtod(buf, NULL);
	return 0;
}

static int cast_geopoint(const opts *o, const char *s, size_t n, kp_value *v, kp_diag *err)
{
	int shown = shown_len(s, n);
	double lon = 0, lat = 0;
	int ok = 0;
	if (o->format == KP_FORMAT_OBJECT) {
		json_t *j = json_loadb(s, n, 0, NULL);
		json_t *a = j ? json_object_get(j, "lon") : NULL, *b = j ? json_object_get(j, "lat") : NULL;
		if (json_is_object(j) && json_object_size(j) == 2 && json_is_number(a) && json_is_number(b)) {
			lon = json_number_value(a);
			lat = json_number_value(b);
			ok = 1;
		}
		json_decref(j);
	} else {
		const char *p = s, *e = s + n;
		if (o->format == KP_FORMAT_ARRAY) {
			while (p < e && *p == ' ')
				p++;
			while (e > p && e[-1] == ' ')
				e--;
			if (e - p >= 2 && *p == '[' && e[-1] == ']')
				p++, e--;
			else
				p = e = NULL;
		}
		const char *comma = p ? memchr(p, ',', (size_t)(e - p)) : NULL;
		ok = comma && read_coord(p, comma, &lon) == 0 && read_coord(comma + 1, e, &lat) == 0;
	}
	if (!ok)
		return type_error(err, "\"%.*s\" is not a geopoint: write %s", shown, s,
			o->format == KP_FORMAT_OBJECT ? "{\"lon\": 136.65, \"lat\": 36.56}" :
			o->format == KP_FORMAT_ARRAY  ? _("[136.65, 36.56] (longitude first)") :
							_("\"136.65, 36.56\" (longitude, latitude)"));
	if (!(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90))
		return type_error(err, "\"%.*s\" is not a geopoint: longitude must be within "
			"-180..180 and latitude within -90..90 (longitude comes first)",
			shown, s);
	v->u.geo.lon = lon;
	v->u.geo.lat = lat;
	return KP_CAST_OK;
}

/* ---- strings ---- */

static int valid_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	if (!at || at == s || at == s + n - 1 || memchr(at + 1, '@', (size_t)(s + n - at - 1)))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ')
			return 0;
	const char *dom = at + 1;
	size_t dl = (size_t)(s + n - dom);
	const char *dot = memchr(dom, '.', dl);
	return dot && dot != dom && dom[dl - 1] != '.';
}

static int valid_uri(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 0;
	while (i < n && (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || is_digit(s[i]) ||
			   s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	if (i >= n || s[i] != ':' || i + 1 == n)
		return 0;
	for (; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '"' || s[i] == '<' || s[i] == '>' ||
		    s[i] == '\\' || s[i] == '^' || s[i] == '`' || s[i] == '{' || s[i] == '|' ||
		    s[i] == '}')
			return 0;
	return 1;
}

static int is_hex(char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static int valid_uuid(const char *s, size_t n)
{
	if (n != 36)
		return 0;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex(s[i])) {
			return 0;
		}
	}
	return 1;
}

static int valid_base64(const char *s, size_t n)
{
	if (n % 4)
		return 0;
	size_t pad = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '=') {
			pad++;
			if (i + 2 < n)
				return 0;
		} else if (pad || !(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || is_digit(c) ||
					   c == '+' || c == '/')) {
			return 0;
		}
	}
	return pad <= 2;
}

static int cast_string(const opts *o, const char *s, size_t n, kp_diag *err)
{
	int shown = shown_len(s, n);
	switch (o->format) {
	case KP_FORMAT_EMAIL:
		if (!valid_email(s, n))
			return type_error(err, "\"%.*s\" is not an e-mail address: write it as "
				"name@example.jp, without spaces",
				shown, s);
		break;
	case KP_FORMAT_URI:
		if (!valid_uri(s, n))
			return type_error(err, "\"%.*s\" is not a URI: write an absolute address such "
				"as https://www.city.example.lg.jp/, with spaces encoded",
				shown, s);
		break;
	case KP_FORMAT_UUID:
		if (!valid_uuid(s, n))
			return type_error(err, "\"%.*s\" is not a UUID: write 8-4-4-4-12 hexadecimal "
				"digits",
				shown, s);
		break;
	case KP_FORMAT_BINARY:
		if (!valid_base64(s, n))
			return type_error(err, "\"%.*s\" is not base64 binary data", shown, s);
		break;
	default:
		break;
	}
	return KP_CAST_OK;
}

/* ---- JSON-shaped values ---- */

static const char *const geojson_types[] = {"Point", "MultiPoint", "LineString",
	"MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection", "Feature",
	"FeatureCollection", NULL};

static int cast_json(const opts *o, const char *s, size_t n, kp_diag *err)
{
	json_error_t je;
	json_t *j = json_loadb(s, n, JSON_DECODE_ANY, &je);
	if (!j && json_error_code(&je) == json_error_stack_overflow)
		return type_error(err, "\"%.*s\" nests arrays or objects deeper than %d levels: "
				       "flatten the value",
				  shown_len(s, n), s, JSON_PARSER_MAX_DEPTH);
	if (!j && json_error_code(&je) == json_error_out_of_memory)
		return type_error(err, "\"%.*s\" is too large to read as JSON (out of memory)",
				  shown_len(s, n), s);
	int ok = 0;
	const char *want = _("a JSON object such as {\"key\": \"value\"}");
	switch (o->type) {
	case KP_TYPE_ARRAY:
		ok = json_is_array(j);
		want = _("a JSON array such as [1, 2]");
		break;
	case KP_TYPE_OBJECT:
		ok = json_is_object(j);
		break;
	default: { /* geojson */
		const char *t = json_is_object(j) ? json_string_value(json_object_get(j, "type")) : NULL;
		if (t && o->format == KP_FORMAT_TOPOJSON) {
			ok = strcmp(t, "Topology") == 0;
		} else if (t) {
			for (int i = 0; geojson_types[i] && !ok; i++)
				ok = strcmp(t, geojson_types[i]) == 0;
		}
		want = o->format == KP_FORMAT_TOPOJSON ? _("a TopoJSON object {\"type\": \"Topology\", ...}") :
							 _("a GeoJSON object such as {\"type\": \"Point\", "
							   "\"coordinates\": [136.65, 36.56]}");
		break;
	}
	}
	json_decref(j);
	if (!ok)
		return type_error(err, "\"%.*s\" is not %s", shown_len(s, n), s, want);
	return KP_CAST_OK;
}

/* ---- dispatch ---- */

static int cast_with(const opts *o, const char *s, size_t n, kp_value *v, kp_diag *err);

static int cast_list(const opts *o, const char *s, size_t n, kp_diag *err)
{
	if (o->item == KP_TYPE_STRING)
		return KP_CAST_OK;
	opts io = default_opts(o->item, KP_FORMAT_DEFAULT);
	const char *delim = o->delim && *o->delim ? o->delim : ",";
	size_t dl = strlen(delim);
	const char *p = s, *e = s + n;
	for (;;) {
		const char *q = p;
		while (q < e && !((size_t)(e - q) >= dl && memcmp(q, delim, dl) == 0))
			q++;
		kp_value item;
		if (cast_with(&io, p, (size_t)(q - p), &item, err) != KP_CAST_OK) {
			if (err) {
				char m[KP_DIAG_MESSAGE_MAX];
				memcpy(m, err->message, sizeof m);
				snprintf(err->message, sizeof err->message, _("list item %.490s"), m);
			}
			return KP_CAST_ERROR;
		}
		if (q >= e)
			break;
		p = q + dl;
	}
	return KP_CAST_OK;
}

static int cast_with(const opts *o, const char *s, size_t n, kp_value *v, kp_diag *err)
{
	v->type = o->type;
	v->is_null = 0;
	v->text = s;
	v->len = n;
	switch (o->type) {
	case KP_TYPE_ANY:
		return KP_CAST_OK;
	case KP_TYPE_STRING:
		return cast_string(o, s, n, err);
	case KP_TYPE_INTEGER:
		return cast_integer(o, s, n, v, err);
	case KP_TYPE_NUMBER:
		return cast_number(o, s, n, v, err);
	case KP_TYPE_BOOLEAN:
		return cast_boolean(o, s, n, v, err);
	case KP_TYPE_DATE:
	case KP_TYPE_TIME:
	case KP_TYPE_DATETIME:
		return cast_temporal(o, s, n, v, err);
	case KP_TYPE_YEAR:
		return cast_year(s, n, v, err);
	case KP_TYPE_YEARMONTH:
		return cast_yearmonth(s, n, v, err);
	case KP_TYPE_DURATION:
		return cast_duration(s, n, v, err);
	case KP_TYPE_GEOPOINT:
		return cast_geopoint(o, s, n, v, err);
	case KP_TYPE_GEOJSON:
	case KP_TYPE_OBJECT:
	case KP_TYPE_ARRAY:
		return cast_json(o, s, n, err);
	case KP_TYPE_LIST:
		return cast_list(o, s, n, err);
	default:
		return type_error(err, "unknown type");
	}
}

int kp_cast_is_missing(const kp_field *f, const char *cell, size_t len)
{
	const kp_strlist *m = f->missing;
	if (!m || (m->len == 1 && m->lens[0] == 0))
		return len == 0; /* the default [""]: asked for every cell */
	return in_list(m, cell, len);
}

int kp_cast_value(const kp_field *f, const char *cell, size_t len, kp_value *v, kp_diag *err)
{
	opts o = field_opts(f);
	return cast_with(&o, cell, len, v, err);
}

int kp_cast_cell(const kp_field *f, const char *cell, size_t len, kp_value *v, kp_diag *err)
{
	if (kp_cast_is_missing(f, cell, len)) {
		v->type = f->type;
		v->is_null = 1;
		v->text = cell;
		v->len = len;
		return KP_CAST_MISSING;
	}
	return kp_cast_value(f, cell, len, v, err);
}

int kp_cast_plain(kp_type type, kp_format format, const char *cell, size_t len, kp_value *v,
	kp_diag *err)
{
	opts o = default_opts(type, format);
	return cast_with(&o, cell, len, v, err);
}

/* ---- comparison ---- */

static int cmp_ll(long long a, long long b)
{
	return (a > b) - (a < b);
}

static int cmp_double(double a, double b)
{
	int an = isnan(a), bn = isnan(b);
	if (an || bn)
		return an - bn;
	return (a > b) - (a < b);
}

static int cmp_text(const kp_value *a, const kp_value *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->text, b->text, n) : 0;
	return c ? (c > 0) - (c < 0) : cmp_ll((long long)a->len, (long long)b->len);
}

int kp_cast_compare(const kp_value *a, const kp_value *b)
{
	if (a->is_null || b->is_null)
		return b->is_null - a->is_null;
	switch (a->type) {
	case KP_TYPE_INTEGER:
	case KP_TYPE_YEAR:
	case KP_TYPE_YEARMONTH:
		return cmp_ll(a->u.i, b->u.i);
	case KP_TYPE_NUMBER:
		return cmp_double(a->u.n, b->u.n);
	case KP_TYPE_BOOLEAN:
		return cmp_ll(a->u.b, b->u.b);
	case KP_TYPE_DATE:
	case KP_TYPE_TIME:
	case KP_TYPE_DATETIME:
		return cmp_ll(a->u.t.ord, b->u.t.ord);
	case KP_TYPE_DURATION: {
		int c = cmp_ll(a->u.dur.months, b->u.dur.months);
		return c ? c : cmp_ll(a->u.dur.usec, b->u.dur.usec);
	}
	case KP_TYPE_GEOPOINT: {
		int c = cmp_double(a->u.geo.lon, b->u.geo.lon);
		return c ? c : cmp_double(a->u.geo.lat, b->u.geo.lat);
	}
	default:
		return cmp_text(a, b);
	}
}

/* ---- constraints ---- */

static int cmp_llp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* kp_cast_compare(a, b) == 0, with texts (the usual enum) told apart by length first:
 * enum checks run on every cell of a coded column. */
static int value_equal(const kp_value *a, const kp_value *b)
{
	if (!a->is_null && !b->is_null && a->type == b->type &&
		(a->type == KP_TYPE_STRING || a->type == KP_TYPE_ANY))
		return a->len == b->len && (a->len == 0 || memcmp(a->text, b->text, a->len) == 0);
	return kp_cast_compare(a, b) == 0;
}

static kp_constraint constraint_error(kp_diag *err, kp_constraint c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static kp_constraint constraint_error(kp_diag *err, kp_constraint c, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		kp_diag_vset(err, KP_SEV_ERROR, "constraint-error", fmt, ap);
		va_end(ap);
	}
	return c;
}

/* Length as Table Schema counts it for this type. */
static long long value_length(const kp_field *f, const kp_value *v)
{
	switch (v->type) {
	case KP_TYPE_LIST: {
		const char *delim = f->delimiter[0] ? f->delimiter : ",";
		size_t dl = strlen(delim), k = 1;
		for (size_t i = 0; i + dl <= v->len;)
			if (memcmp(v->text + i, delim, dl) == 0)
				k++, i += dl;
			else
				i++;
		return (long long)k;
	}
	case KP_TYPE_ARRAY:
	case KP_TYPE_OBJECT:
	case KP_TYPE_GEOJSON: {
		json_t *j = json_loadb(v->text, v->len, JSON_DECODE_ANY, NULL);
		long long k = json_is_array(j) ? (long long)json_array_size(j) :
			      json_is_object(j) ? (long long)json_object_size(j) :
						  0;
		json_decref(j);
		return k;
	}
	default:
		return (long long)kp_text_utf8_length(v->text, v->len);
	}
}


kp_constraint kp_cast_check(const kp_field *f, const kp_value *v, kp_diag *err)
{
	const kp_constraints *c = &f->constraints;
	if (v->is_null) {
		if (c->required)
			return constraint_error(err, KP_CONSTRAINT_REQUIRED,
				"field \"%s\" is required: fill in the cell (a blank cell and a "
				"missing-value marker are both empty)",
				f->name ? f->name : "");
		return KP_CONSTRAINT_NONE;
	}
	if (!c->has)
		return KP_CONSTRAINT_NONE;
	unsigned has = c->has;
	const int shown = shown_len(v->text, v->len);
#define HAS(x) (has & (1u << KP_CONSTRAINT_##x))
	if (HAS(MINIMUM) && kp_cast_compare(v, &c->minimum) < 0)
		return constraint_error(err, KP_CONSTRAINT_MINIMUM,
			"\"%.*s\" is below the minimum %s: correct the value or the schema's "
			"\"minimum\"",
			shown, v->text, c->minimum_text);
	if (HAS(MAXIMUM) && kp_cast_compare(v, &c->maximum) > 0)
		return constraint_error(err, KP_CONSTRAINT_MAXIMUM,
			"\"%.*s\" is above the maximum %s: correct the value or the schema's "
			"\"maximum\"",
			shown, v->text, c->maximum_text);
	if (HAS(EXCLUSIVE_MINIMUM) && kp_cast_compare(v, &c->exclusive_minimum) <= 0)
		return constraint_error(err, KP_CONSTRAINT_EXCLUSIVE_MINIMUM,
			"\"%.*s\" must be greater than %s (exclusiveMinimum)", shown, v->text,
			c->exclusive_minimum_text);
	if (HAS(EXCLUSIVE_MAXIMUM) && kp_cast_compare(v, &c->exclusive_maximum) >= 0)
		return constraint_error(err, KP_CONSTRAINT_EXCLUSIVE_MAXIMUM,
			"\"%.*s\" must be less than %s (exclusiveMaximum)", shown, v->text,
			c->exclusive_maximum_text);
	if (HAS(MIN_LENGTH) || HAS(MAX_LENGTH)) {
		long long len = value_length(f, v);
		const char *unit = v->type == KP_TYPE_LIST || v->type == KP_TYPE_ARRAY ? "items" :
				   v->type == KP_TYPE_OBJECT || v->type == KP_TYPE_GEOJSON ? "members" :
											       "characters";
		if (HAS(MIN_LENGTH) && len < c->min_length)
			return constraint_error(err, KP_CONSTRAINT_MIN_LENGTH,
				"\"%.*s\" has %lld %s, fewer than the minLength %lld", shown, v->text,
				len, unit, c->min_length);
		if (HAS(MAX_LENGTH) && len > c->max_length)
			return constraint_error(err, KP_CONSTRAINT_MAX_LENGTH,
				"\"%.*s\" has %lld %s, more than the maxLength %lld: shorten it", shown,
				v->text, len, unit, c->max_length);
	}
	int pm = HAS(PATTERN) && c->pattern_re ? kp_pattern_match(c->pattern_re, v->text, v->len) : 1;
	if (pm == 0 && f->description) /* the schema says what the pattern means */
		return constraint_error(err, KP_CONSTRAINT_PATTERN,
			"\"%.*s\" does not match the pattern %.200s (%.300s)", shown, v->text,
			c->pattern, f->description);
	if (pm == 0)
		return constraint_error(err, KP_CONSTRAINT_PATTERN,
			"\"%.*s\" does not match the pattern %.200s: check for stray spaces, "
			"full-width characters or a wrong layout",
			shown, v->text, c->pattern);
	if (pm < 0)
		return constraint_error(err, KP_CONSTRAINT_PATTERN,
			"the pattern %.200s is too costly to check on this %zu-byte value: simplify "
			"the pattern (fewer nested repeats and alternatives)",
			c->pattern, v->len);
	if (HAS(ENUM)) {
		int found = 0;
		if (c->enum_set.len && (v->type == KP_TYPE_STRING || v->type == KP_TYPE_ANY))
			found = kp_strset_find(&c->enum_set, v->text, v->len, NULL);
		else if (c->enum_ints && v->type == KP_TYPE_INTEGER)
			found = bsearch(&v->u.i, c->enum_ints, c->enum_len, sizeof *c->enum_ints,
					cmp_llp) != NULL;
		else
			for (size_t i = 0; i < c->enum_len && !found; i++)
				found = value_equal(v, &c->enum_values[i]);
		if (!found) {
			char list[200];
			size_t k = 0;
			list[0] = '\0';
			for (size_t i = 0; i < c->enum_len && k + 8 < sizeof list; i++) {
				int w = snprintf(list + k, sizeof list - k, "%s\"%s\"", i ? ", " : "",
					c->enum_text.items[i]);
				if (w < 0 || (size_t)w >= sizeof list - k) {
					strcpy(list + (k < sizeof list - 5 ? k : sizeof list - 5), ", …");
					break;
				}
				k += (size_t)w;
			}
			if (f->description) /* the schema says what the values mean */
				return constraint_error(err, KP_CONSTRAINT_ENUM,
					"\"%.*s\" is not one of the allowed values %s (%.300s)", shown,
					v->text, list, f->description);
			return constraint_error(err, KP_CONSTRAINT_ENUM,
				"\"%.*s\" is not one of the allowed values: use one of %s", shown,
				v->text, list);
		}
	}
#undef HAS
	return KP_CONSTRAINT_NONE;
}

/* ---- canonical text ---- */

/* Appends to a bounded buffer, counting what would have been written. */
typedef struct outbuf {
	char *buf;
	size_t size, len;
} outbuf;

static void put(outbuf *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - 1 - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void putf(outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(outbuf *o, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Decimal digits of x, zero-padded to at least `width` (printf is slow per cell). */
static void put_uint(outbuf *o, unsigned long long x, int width)
{
	char tmp[24];
	int k = sizeof tmp;
	do {
		tmp[--k] = (char)('0' + x % 10);
		x /= 10;
	} while (x);
	while (k > (int)sizeof tmp - width && k > 0)
		tmp[--k] = '0';
	put(o, tmp + k, sizeof tmp - (size_t)k);
}

static void put_int(outbuf *o, long long x, int width)
{
	if (x < 0) {
		put(o, "-", 1);
		put_uint(o, 0ULL - (unsigned long long)x, width);
	} else {
		put_uint(o, (unsigned long long)x, width);
	}
}

static void put_date(outbuf *o, const kp_datetime *t)
{
	put_uint(o, (unsigned)t->year, 4);
	put(o, "-", 1);
	put_uint(o, (unsigned)t->month, 2);
	put(o, "-", 1);
	put_uint(o, (unsigned)t->day, 2);
}

/* 1 when s[0..n) is already in canonical form: [-](0|[1-9][0-9]*)[.[0-9]*[1-9]], not "-0". */
static int canonical_decimal(const char *s, size_t n)
{
	size_t i = 0;
	if (n && s[0] == '-')
		i = 1;
	if (i >= n || !is_digit(s[i]))
		return 0;
	size_t int_start = i;
	while (i < n && is_digit(s[i]))
		i++;
	if (s[int_start] == '0' && i - int_start > 1)
		return 0;
	if (i == n)
		return !(s[0] == '-' && s[int_start] == '0');
	if (s[i] != '.' || i + 1 >= n)
		return 0;
	for (size_t k = i + 1; k < n; k++)
		if (!is_digit(s[k]))
			return 0;
	return s[n - 1] != '0';
}

int kp_cast_fast(const kp_field *f, const char *s, size_t n, kp_value *v)
{
	v->type = f->type;
	v->is_null = 0;
	v->text = s;
	v->len = n;
	switch (f->type) {
	case KP_TYPE_ANY:
		return 1;
	case KP_TYPE_STRING:
		return f->format == KP_FORMAT_DEFAULT;
	case KP_TYPE_INTEGER:
		return kp_cast_fast_integer(s, n, &v->u.i);
	case KP_TYPE_NUMBER:
		return f->bare_number && f->decimal_char[0] == '.' && f->decimal_char[1] == '\0' &&
		       f->group_char[0] != '.' && canonical_decimal(s, n) &&
		       simple_decimal(s, n, '.', &v->u.n);
	case KP_TYPE_BOOLEAN:
		if (n == 4 && memcmp(s, "true", 4) == 0 && in_list(&f->true_values, s, n)) {
			v->u.b = 1;
			return 1;
		}
		if (n == 5 && memcmp(s, "false", 5) == 0 && !in_list(&f->true_values, s, n) &&
			in_list(&f->false_values, s, n)) {
			v->u.b = 0;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

static void put_number(outbuf *o, const kp_field *f, const kp_value *v)
{
	opts op = f ? field_opts(f) : default_opts(KP_TYPE_NUMBER, KP_FORMAT_DEFAULT);
	if (op.bare && strcmp(op.dec, ".") == 0 && canonical_decimal(v->text, v->len)) {
		put(o, v->text, v->len);
		return;
	}
	char stack[NUM_STACK], *buf = v->len + 2 <= NUM_STACK ? stack : malloc(v->len + 2);
	int is_int;
	if (!buf || clean_number(&op, v->text, v->len, buf, &is_int, NULL, NULL) != NUM_OK) {
		putf(o, "%.17g", v->u.n);
		goto done;
	}
	if (strcmp(buf, "nan") == 0) {
		put(o, "NaN", 3);
		goto done;
	}
	if (strcmp(buf, "inf") == 0 || strcmp(buf, "-inf") == 0) {
		put(o, buf[0] == '-' ? "-INF" : "INF", buf[0] == '-' ? 4 : 3);
		goto done;
	}
	const char *p = buf;
	int neg = *p == '-';
	p += neg;
	const char *e = strchr(p, 'e');
	const char *mant_end = e ? e : p + strlen(p);
	const char *dot = memchr(p, '.', (size_t)(mant_end - p));
	const char *int_end = dot ? dot : mant_end;
	while (p < int_end - 1 && *p == '0') /* leading zeros, keeping one digit */
		p++;
	const char *frac = dot ? dot + 1 : mant_end, *frac_end = mant_end;
	while (frac_end > frac && frac_end[-1] == '0')
		frac_end--;
	int zero = 1;
	for (const char *q = p; q < int_end; q++)
		zero &= *q == '0';
	zero &= frac_end == frac;
	if (int_end == p) { /* ".5" */
		if (neg && !zero)
			put(o, "-", 1);
		put(o, "0", 1);
	} else {
		if (neg && !zero)
			put(o, "-", 1);
		put(o, p, (size_t)(int_end - p));
	}
	if (frac_end > frac) {
		put(o, ".", 1);
		put(o, frac, (size_t)(frac_end - frac));
	}
	if (e && !zero) {
		const char *x = e + 1;
		int xneg = *x == '-';
		if (*x == '-' || *x == '+')
			x++;
		while (x[0] == '0' && x[1])
			x++;
		if (strcmp(x, "0") != 0) {
			put(o, "E", 1);
			if (xneg)
				put(o, "-", 1);
			put(o, x, strlen(x));
		}
	}
done:
	if (buf && buf != stack)
		free(buf);
}

static void put_time(outbuf *o, const kp_datetime *t)
{
	put_uint(o, (unsigned)t->hour, 2);
	put(o, ":", 1);
	put_uint(o, (unsigned)t->minute, 2);
	put(o, ":", 1);
	put_uint(o, (unsigned)t->second, 2);
	if (t->frac_digits)
		putf(o, ".%0*ld", (int)t->frac_digits,
			t->usec / (long)(t->frac_digits == 6 ? 1 :
					 t->frac_digits == 5 ? 10 :
					 t->frac_digits == 4 ? 100 :
					 t->frac_digits == 3 ? 1000 :
					 t->frac_digits == 2 ? 10000 :
							       100000));
	if (t->has_tz) {
		if (t->tz_minutes == 0)
			put(o, "Z", 1);
		else
			putf(o, "%c%02d:%02d", t->tz_minutes < 0 ? '-' : '+', abs(t->tz_minutes) / 60,
				abs(t->tz_minutes) % 60);
	}
}

int kp_cast_canonical(const kp_field *f, const kp_value *v, char *buf, size_t size)
{
	outbuf o = {buf, size, 0};
	if (!v->is_null) {
		const kp_datetime *t = &v->u.t.parts;
		switch (v->type) {
		case KP_TYPE_INTEGER:
			put_int(&o, v->u.i, 1);
			break;
		case KP_TYPE_NUMBER:
			put_number(&o, f, v);
			break;
		case KP_TYPE_BOOLEAN:
			put(&o, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
			break;
		case KP_TYPE_DATE:
			put_date(&o, t);
			break;
		case KP_TYPE_TIME:
			put_time(&o, t);
			break;
		case KP_TYPE_DATETIME:
			put_date(&o, t);
			put(&o, "T", 1);
			put_time(&o, t);
			break;
		case KP_TYPE_YEAR:
			put_int(&o, v->u.i, 4);
			break;
		case KP_TYPE_YEARMONTH:
			put_int(&o, v->u.i / 12, 4);
			put(&o, "-", 1);
			put_uint(&o, (unsigned long long)(v->u.i % 12 + 1), 2);
			break;
		case KP_TYPE_GEOPOINT:
			putf(&o, "%.15g,%.15g", v->u.geo.lon, v->u.geo.lat);
			break;
		default:
			put(&o, v->text, v->len);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_MAX ? INT_MAX : (int)o.len;
}
