/* diag — findings and errors as values with a position.
 *
 * A kp_diag is a plain value: it owns no heap memory, so it may be copied with
 * assignment.  `code`, `rule` and `severity` names are static strings; `file` and
 * `field` are borrowed and must outlive the diagnostic's use (they normally point
 * at a path from argv or a field name owned by a loaded schema).
 *
 * The library never prints: findings flow to a kp_diag_sink chosen by the tool.
 * kp_diag_write_text / kp_diag_to_json render one diagnostic for the tool to print.
 */
#ifndef KP_DIAG_H
#define KP_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define KP_DIAG_CELL_MAX 80     /* bytes kept of an offending cell, NUL included */
#define KP_DIAG_MESSAGE_MAX 1024 /* bytes of the message, NUL included (a Japanese
				  * message takes about three times the English bytes) */

typedef enum kp_severity { KP_SEV_ERROR = 0, KP_SEV_WARNING = 1, KP_SEV_INFO = 2 } kp_severity;

typedef struct kp_diag {
	const char *code;  /* static, e.g. "type-error"; never NULL once set */
	kp_severity severity;
	const char *rule;  /* static rule id such as "L1-03", or NULL */
	const char *file;  /* borrowed path, or NULL */
	long row;          /* 1-based record number, 0 when not applicable */
	long column;       /* 1-based field number, 0 when not applicable */
	long long offset;  /* byte offset in the file, -1 when not applicable */
	const char *field; /* borrowed field name, or NULL */
	const char *sheet; /* borrowed name of the workbook's sheet, or NULL (CSV): the
			    * position is then also Sheet!B7 (column = the sheet's column) */
	int has_cell;      /* cell[] holds the (shortened) offending cell */
	char cell[KP_DIAG_CELL_MAX];
	char message[KP_DIAG_MESSAGE_MAX];
} kp_diag;

/* Receives one diagnostic; returns 0 to go on, non-zero to ask the producer to stop. */
typedef int (*kp_diag_fn)(void *ctx, const kp_diag *d);

typedef struct kp_diag_sink {
	kp_diag_fn fn;
	void *ctx;
} kp_diag_sink;

/* Resets *d to an empty diagnostic (no position, no cell, empty message). */
void kp_diag_clear(kp_diag *d);

/* Resets *d and sets severity, code and the printf-style message (truncated to fit).
 * fmt is translated (see i18n.h) before it is used: English unless the tool asked for
 * localized messages. */
void kp_diag_set(kp_diag *d, kp_severity sev, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void kp_diag_vset(kp_diag *d, kp_severity sev, const char *code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Sets the position; pass 0 / -1 / NULL for parts that do not apply. */
void kp_diag_at(kp_diag *d, const char *file, long row, long column, long long offset);

/* Copies the cell, shortened on a UTF-8 boundary with "…" when longer than fits. */
void kp_diag_set_cell(kp_diag *d, const char *cell, size_t len);

/* The cell of a workbook's finding as Excel names it, "Sheet1!B7", into buf (cut to
 * size): 1; or "" and 0 when d has no sheet or no row. */
int kp_diag_ref(const kp_diag *d, char *buf, size_t size);

/* Sends d to sink; a NULL sink or fn discards.  Returns the sink's answer. */
int kp_diag_emit(const kp_diag_sink *sink, const kp_diag *d);

/* "error" / "warning" / "info": the machine's name (JSON, codes). */
const char *kp_severity_name(kp_severity sev);

/* The same for people: translated once the tool asked for localized messages. */
const char *kp_severity_label(kp_severity sev);

/* Writes `tool: file:row:col: severity: [code] message` plus a newline.
 * With a rule id the bracket reads `[code L1-03]`; the sheet's cell, the field name and
 * the shortened cell, when set, follow as ` (Sheet1!B7, field 'name', cell "text")`.  Parts of the position
 * that do not apply are left out.  Returns 0, or -1 when the stream reports an error. */
int kp_diag_write_text(FILE *fp, const char *tool, const kp_diag *d);

/* New JSON object {code, severity, rule?, file?, sheet?, ref?, row?, column?, field?,
 * offset?, cell?, message} (ref = "Sheet1!B7"); NULL on allocation failure.  Caller owns the reference. */
json_t *kp_diag_to_json(const kp_diag *d);

/* A growable list of diagnostics, usable as a sink (kp_diag_list_sink). */
typedef struct kp_diag_list {
	kp_diag *items; /* owned array of len entries */
	size_t len;
	size_t cap;
	size_t count[3]; /* per severity */
	size_t limit;    /* stop (return 1 from the sink) after this many errors; 0 = no limit */
	int truncated;   /* set when an item could not be stored or the limit was reached */
} kp_diag_list;

void kp_diag_list_init(kp_diag_list *l);
void kp_diag_list_release(kp_diag_list *l);
/* Appends a copy; returns 0, or -1 when memory runs out (the list is then marked truncated). */
int kp_diag_list_push(kp_diag_list *l, const kp_diag *d);
/* A sink that appends to l. */
kp_diag_sink kp_diag_list_sink(kp_diag_list *l);

#endif
