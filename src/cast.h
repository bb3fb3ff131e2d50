/* cast — one cell's text to a typed value, constraint checks, canonical text.
 *
 * Every Frictionless Table Schema type (v1, plus the v2 `list` type) and format is
 * handled here; `kp_field` (src/schema.h) carries the options (format, decimalChar,
 * groupChar, bareNumber, true/falseValues, missingValues, list delimiter/itemType,
 * constraints).
 *
 * Speed contract: kp_cast_cell, kp_cast_check and kp_cast_canonical do not allocate
 * in the common path (string, integer, number, boolean, date, time, datetime, year,
 * yearmonth, duration, default geopoint, list).  Only the JSON-shaped values (object,
 * array, geojson, geopoint in the array/object formats) are parsed with jansson, and
 * a `pattern` constraint on a cell longer than 1 KiB copies it to add a NUL.
 *
 * Lifetimes: a kp_value borrows the cell text (`text`, `len`) from the caller; it owns
 * nothing and may be copied with assignment.  It stays meaningful only while both the
 * cell buffer and the field are alive.
 *
 * Errors: on a type error kp_cast_cell fills *err (code "type-error", no position,
 * no cell): the message names the expected type/format and says how to fix the cell.
 * kp_cast_check fills *err with code "constraint-error" and a message naming the
 * constraint, its value and a fix.  The caller adds file/row/column/field/cell.
 * `err` may be NULL when the caller does not want the message (then nothing is
 * formatted: cheaper).
 */
#ifndef KP_CAST_H
#define KP_CAST_H

#include <stddef.h>

#include "diag.h"

struct kp_field; /* src/schema.h */

/* Table Schema types.  KP_TYPE_ANY is what a field without `type` gets. */
typedef enum kp_type {
	KP_TYPE_ANY = 0,
	KP_TYPE_STRING,
	KP_TYPE_INTEGER,
	KP_TYPE_NUMBER,
	KP_TYPE_BOOLEAN,
	KP_TYPE_DATE,
	KP_TYPE_TIME,
	KP_TYPE_DATETIME,
	KP_TYPE_YEAR,
	KP_TYPE_YEARMONTH,
	KP_TYPE_DURATION,
	KP_TYPE_GEOPOINT,
	KP_TYPE_GEOJSON,
	KP_TYPE_OBJECT,
	KP_TYPE_ARRAY,
	KP_TYPE_LIST,
	KP_TYPE_COUNT_ /* number of types, not a type */
} kp_type;

/* Formats.  KP_FORMAT_PATTERN means a strptime-style pattern (date/time/datetime),
 * held in kp_field.format_pattern. */
typedef enum kp_format {
	KP_FORMAT_DEFAULT = 0,
	KP_FORMAT_EMAIL,    /* string */
	KP_FORMAT_URI,      /* string */
	KP_FORMAT_UUID,     /* string */
	KP_FORMAT_BINARY,   /* string: base64 */
	KP_FORMAT_WKT,      /* string: accepted as plain text (frictionless-py extension) */
	KP_FORMAT_ANY,      /* date/time/datetime: several common layouts are tried */
	KP_FORMAT_PATTERN,  /* date/time/datetime: format_pattern */
	KP_FORMAT_ARRAY,    /* geopoint "[lon, lat]" */
	KP_FORMAT_OBJECT,   /* geopoint {"lon": .., "lat": ..} */
	KP_FORMAT_TOPOJSON, /* geojson */
	KP_FORMAT_COUNT_
} kp_format;

/* "string", "integer", ...; "any" for out-of-range values. */
const char *kp_cast_type_name(kp_type t);
/* Parses a type name; returns 0 and sets *t, or -1 for an unknown name. */
int kp_cast_type_parse(const char *name, kp_type *t);
/* "default", "email", ...; for KP_FORMAT_PATTERN the word "pattern". */
const char *kp_cast_format_name(kp_format f);

/* Broken-down date/time (what was written; `ord` in kp_value is the comparable form). */
typedef struct kp_datetime {
	int year, month, day;       /* date part (year 1..9999) */
	int hour, minute, second;   /* time part; hour 24 only as 24:00:00 */
	long usec;                  /* fraction of a second in microseconds */
	int tz_minutes;             /* offset east of UTC, when has_tz */
	unsigned char has_tz;       /* a zone was written (Z or +hh:mm) */
	unsigned char frac_digits;  /* digits written after the decimal point (0..6) */
} kp_datetime;

/* A typed cell.  Which union member is set depends on `type`:
 *   INTEGER, YEAR         i (YEAR: the year)
 *   YEARMONTH             i = year * 12 + (month - 1)
 *   NUMBER                n (NaN, +-INF allowed)
 *   BOOLEAN               b (0 or 1)
 *   DATE, TIME, DATETIME  t.parts, and t.ord: DATE days since 1970-01-01, TIME
 *                         microseconds since midnight (24:00:00 = 86400000000),
 *                         DATETIME microseconds since 1970-01-01T00:00:00Z (a value
 *                         without a zone is taken as UTC)
 *   DURATION              dur.months (years * 12 + months), dur.usec (days, hours,
 *                         minutes, seconds); negative when written with '-'
 *   GEOPOINT              geo.lon, geo.lat
 *   STRING, ANY, OBJECT, ARRAY, LIST, GEOJSON: only text/len.
 * For a missing value is_null is 1 and the union is unset. */
typedef struct kp_value {
	kp_type type;
	int is_null;
	const char *text; /* borrowed: the cell as given to kp_cast_cell */
	size_t len;
	union {
		long long i;
		double n;
		int b;
		struct {
			kp_datetime parts;
			long long ord;
		} t;
		struct {
			long long months;
			long long usec;
		} dur;
		struct {
			double lon, lat;
		} geo;
	} u;
} kp_value;

enum {
	KP_CAST_OK = 0,      /* *v holds the typed value */
	KP_CAST_MISSING = 1, /* the cell is one of the field's missingValues; v->is_null = 1 */
	KP_CAST_ERROR = -1   /* type error; *err filled when err != NULL */
};

/* 1 when the cell is one of the field's effective missingValues (field-level list when
 * present, else the schema's, default [""]); comparison is exact, byte for byte. */
int kp_cast_is_missing(const struct kp_field *f, const char *cell, size_t len);

/* Casts cell[0..len) (need not be NUL-terminated) to f's type/format.  Checks missing
 * values first.  Returns KP_CAST_OK, KP_CAST_MISSING or KP_CAST_ERROR. */
int kp_cast_cell(const struct kp_field *f, const char *cell, size_t len, kp_value *v,
	kp_diag *err);

/* Like kp_cast_cell, with the field's type/format/options, but never treats the text as
 * a missing value (what schema constraint values such as "minimum": "2019-04-01" use). */
int kp_cast_value(const struct kp_field *f, const char *cell, size_t len, kp_value *v,
	kp_diag *err);

/* Casts with an explicit type/format and the default options (no field): what
 * list items and schema-level constraint values use.  Never treats text as missing. */
int kp_cast_plain(kp_type type, kp_format format, const char *cell, size_t len, kp_value *v,
	kp_diag *err);

/* The fast path for the common cells.  When cell[0..len) casts to f's type and its
 * canonical text (kp_cast_canonical) is the cell itself, fills *v as kp_cast_cell would
 * and returns 1: string and any (default format), integers written "[-]digits" without
 * leading zeros (at most 18 digits), numbers written "[-]digits[.digits]" in canonical
 * form (at most 15 digits, decimalChar ".", bareNumber), and booleans written "true" /
 * "false" when those are true/falseValues.  Otherwise returns 0, claiming nothing: take
 * the general path.  The caller checks missing values first (kp_cast_is_missing) and
 * the constraints after (kp_cast_check).  No allocation, no message. */
int kp_cast_fast(const struct kp_field *f, const char *cell, size_t len, kp_value *v);

/* kp_cast_fast's integers: "[-]digits" without a leading zero, at most 18 digits, not
 * "-0".  Returns 1 and sets *out, or 0.  Inline: the validator calls it per cell. */
static inline int kp_cast_fast_integer(const char *s, size_t n, long long *out)
{
	size_t i = n && s[0] == '-';
	if (n <= i || n - i > 18 || (s[i] == '0' && (n - i > 1 || i)))
		return 0; /* empty, too long, a leading zero, "-0" */
	long long acc = 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		acc = acc * 10 + (s[i] - '0');
	}
	*out = s[0] == '-' ? -acc : acc;
	return 1;
}

/* Orders two values of the same type: <0, 0, >0.  Numbers: NaN sorts after +INF and
 * equals NaN.  Text-only types compare bytes.  Booleans false < true.  Geopoints by
 * lon then lat.  Durations by months, then microseconds.  A null sorts first. */
int kp_cast_compare(const kp_value *a, const kp_value *b);

/* Constraints, named as in Table Schema. */
typedef enum kp_constraint {
	KP_CONSTRAINT_NONE = 0,
	KP_CONSTRAINT_REQUIRED,
	KP_CONSTRAINT_UNIQUE,
	KP_CONSTRAINT_MINIMUM,
	KP_CONSTRAINT_MAXIMUM,
	KP_CONSTRAINT_EXCLUSIVE_MINIMUM,
	KP_CONSTRAINT_EXCLUSIVE_MAXIMUM,
	KP_CONSTRAINT_MIN_LENGTH,
	KP_CONSTRAINT_MAX_LENGTH,
	KP_CONSTRAINT_PATTERN,
	KP_CONSTRAINT_ENUM,
	KP_CONSTRAINT_COUNT_
} kp_constraint;

/* "required", "minimum", "exclusiveMinimum", ...; "" for NONE. */
const char *kp_cast_constraint_name(kp_constraint c);

/* Checks the field's constraints on one value (the result of kp_cast_cell).
 * `required` applies to null values (primaryKey fields count as required); every other
 * constraint skips nulls.  `unique` needs state across rows and is NOT checked here
 * (the validator keeps the keys; kp_cast_canonical gives a key text).  minLength and
 * maxLength count UTF-8 code points for string (and any), items for list and array,
 * members for object.
 * Returns KP_CONSTRAINT_NONE when all pass, else the first failing constraint (in
 * the enum's order) with *err filled (code "constraint-error") when err != NULL. */
kp_constraint kp_cast_check(const struct kp_field *f, const kp_value *v, kp_diag *err);

/* Writes the canonical text of v to buf (always NUL-terminated when size > 0) and
 * returns its length; like snprintf, a return >= size means it did not fit.
 *   null → ""; integer → decimal digits with '-' (no '+', no leading zeros, no groups);
 *   number → '.' decimal point, no group chars, no bare-number text, no '+', leading
 *     and trailing zeros trimmed ("1,000.50" → "1000.5", "-0" → "0"), an exponent
 *     kept as "E<n>" ("1.5e3" → "1.5E3"), "NaN", "INF", "-INF";
 *   boolean → "true"/"false"; date → YYYY-MM-DD; time → hh:mm:ss[.ffffff];
 *   datetime → YYYY-MM-DDThh:mm:ss[.ffffff][Z|±hh:mm] (the zone as written, "Z" for 0);
 *   year → YYYY; yearmonth → YYYY-MM; duration, geopoint ("lon,lat"), and text types
 *   → the cell text as given (geopoint array/object: "lon,lat").
 * Equal logical values give equal canonical text (so it serves as the unique/foreign key
 * text), except numbers written with and without an exponent ("1.5E3" vs "1500"),
 * datetimes written in different zones and durations written in different units
 * ("P1D" vs "PT24H"), which stay as written. */
int kp_cast_canonical(const struct kp_field *f, const kp_value *v, char *buf, size_t size);

#endif
