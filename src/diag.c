#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "text.h"
#include "xlsx.h"

static const char *const severity_names[] = {
	[KP_SEV_ERROR] = "error",
	[KP_SEV_WARNING] = "warning",
	[KP_SEV_INFO] = "info",
};

const char *kp_severity_name(kp_severity sev)
{
	if ((unsigned)sev >= sizeof severity_names / sizeof severity_names[0])
		return "error";
	return severity_names[sev];
}

/* TRANSLATORS: severities of a finding as people read them (harunobu's words) */
static const char *const severity_labels[] = {
	[KP_SEV_ERROR] = N_("error"),
	[KP_SEV_WARNING] = N_("warning"),
	[KP_SEV_INFO] = N_("info"),
};

const char *kp_severity_label(kp_severity sev)
{
	if ((unsigned)sev >= sizeof severity_labels / sizeof severity_labels[0])
		sev = KP_SEV_ERROR;
	return _(severity_labels[sev]);
}

void kp_diag_clear(kp_diag *d)
{
	memset(d, 0, sizeof *d);
	d->code = "error";
	d->offset = -1;
}

static size_t utf8_floor(const char *s, size_t max);

void kp_diag_vset(kp_diag *d, kp_severity sev, const char *code, const char *fmt, va_list ap)
{
	if (!d)
		return; /* the caller asked for no report (e.g. closing after a failure) */
	kp_diag_clear(d);
	d->severity = sev;
	d->code = code;
	int n = vsnprintf(d->message, sizeof d->message, _(fmt), ap);
	if (n >= (int)sizeof d->message) {
		/* cut: end on a whole character, and say so */
		size_t keep = utf8_floor(d->message, sizeof d->message - 4);
		memcpy(d->message + keep, "\xE2\x80\xA6", 4); /* … and the NUL */
	}
}

void kp_diag_set(kp_diag *d, kp_severity sev, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kp_diag_vset(d, sev, code, fmt, ap);
	va_end(ap);
}

void kp_diag_at(kp_diag *d, const char *file, long row, long column, long long offset)
{
	if (!d)
		return;
	d->file = file;
	d->row = row;
	d->column = column;
	d->offset = offset;
}

/* Largest n <= max such that s[0..n) ends on a UTF-8 character boundary. */
static size_t utf8_floor(const char *s, size_t max)
{
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

void kp_diag_set_cell(kp_diag *d, const char *cell, size_t len)
{
	static const char ellipsis[] = "\xE2\x80\xA6"; /* … */
	const size_t room = sizeof d->cell - 1;

	d->has_cell = 1;
	if (len <= room) {
		memcpy(d->cell, cell, len);
		d->cell[len] = '\0';
		return;
	}
	size_t keep = utf8_floor(cell, room - (sizeof ellipsis - 1));
	memcpy(d->cell, cell, keep);
	memcpy(d->cell + keep, ellipsis, sizeof ellipsis);
}

int kp_diag_ref(const kp_diag *d, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	if (!d->sheet || d->row <= 0 || !size)
		return 0;
	char cell[24];
	kp_xlsx_cell_name(d->column, d->row, cell, sizeof cell);
	snprintf(buf, size, "%s!%s", d->sheet, cell);
	return 1;
}

int kp_diag_emit(const kp_diag_sink *sink, const kp_diag *d)
{
	if (!sink || !sink->fn)
		return 0;
	return sink->fn(sink->ctx, d);
}

/* s with control characters made visible, into buf (cut before a character that does
 * not fit; src may not be buf): a report line stays one line, a binary cell cannot
 * send escape sequences to the terminal, and a text-direction override cannot reorder
 * the line (shown as <U+202E>). */
static void visible(const char *s, char *buf, size_t size)
{
	size_t k = 0, n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		char piece[16];
		size_t len = 1, adv = 1;
		piece[0] = (char)c;
		if (c >= 0x80) {
			uint32_t cp;
			size_t l = kp_text_utf8_decode(s + i, n - i, &cp);
			if (l && (kp_text_class(cp) & KP_TEXT_CONTROL))
				len = (size_t)snprintf(piece, sizeof piece, "<U+%04X>", (unsigned)cp);
			else if (l)
				memcpy(piece, s + i, l), len = l;
			adv = l ? l : 1;
		} else if (c < 0x20 || c == 0x7F) {
			len = (size_t)(c == '\n'   ? snprintf(piece, sizeof piece, "\\n")
				       : c == '\r' ? snprintf(piece, sizeof piece, "\\r")
				       : c == '\t' ? snprintf(piece, sizeof piece, "\\t")
						   : snprintf(piece, sizeof piece, "\\x%02X", c));
		}
		if (k + len >= size)
			break;
		memcpy(buf + k, piece, len);
		k += len;
		i += adv;
	}
	buf[k] = '\0';
}

static void put_visible(FILE *fp, const char *s)
{
	char buf[4 * (KP_DIAG_MESSAGE_MAX + 1024)];
	visible(s, buf, sizeof buf);
	fputs(buf, fp);
}

int kp_diag_write_text(FILE *fp, const char *tool, const kp_diag *d)
{
	if (tool)
		fprintf(fp, "%s: ", tool);
	if (d->file) {
		put_visible(fp, d->file);
		if (d->row > 0) {
			fprintf(fp, ":%ld", d->row);
			if (d->column > 0)
				fprintf(fp, ":%ld", d->column);
		}
		fputs(": ", fp);
	}
	fprintf(fp, "%s: [%s%s%s] ", kp_severity_label(d->severity), d->code, d->rule ? " " : "",
		d->rule ? d->rule : "");
	put_visible(fp, d->message);
	/* the tail: where in the sheet, which field, the cell; each part made visible */
	char where[200] = "", field[200] = "", cell[4 * KP_DIAG_CELL_MAX] = "";
	char ref[sizeof where];
	int has_ref = d->sheet && kp_diag_ref(d, ref, sizeof ref);
	if (d->sheet)
		visible(has_ref ? ref : d->sheet, where, sizeof where);
	if (d->field)
		visible(d->field, field, sizeof field);
	if (d->has_cell)
		visible(d->cell, cell, sizeof cell);
	const char *sep = " (";
	if (d->sheet) {
		fputs(sep, fp);
		sep = ", ";
		if (has_ref)
			fputs(where, fp);
		else
			fprintf(fp, _("sheet '%s'"), where);
	}
	if (d->field && d->has_cell)
		fprintf(fp, _("%sfield '%s', cell \"%s\""), sep, field, cell);
	else if (d->field)
		fprintf(fp, _("%sfield '%s'"), sep, field);
	else if (d->has_cell)
		fprintf(fp, _("%scell \"%s\""), sep, cell);
	if (d->sheet || d->field || d->has_cell)
		fputc(')', fp);
	fputc('\n', fp);
	return ferror(fp) ? -1 : 0;
}

/* json_object_set_new with a NULL check on the value: a failed allocation marks *ok. */
static void put(json_t *o, const char *key, json_t *v, int *ok)
{
	if (!v || json_object_set_new(o, key, v) != 0)
		*ok = 0;
}

json_t *kp_diag_to_json(const kp_diag *d)
{
	json_t *o = json_object();
	int ok = 1;
	if (!o)
		return NULL;
	put(o, "code", json_string(d->code), &ok);
	put(o, "severity", json_string(kp_severity_name(d->severity)), &ok);
	if (d->rule)
		put(o, "rule", json_string(d->rule), &ok);
	if (d->file)
		put(o, "file", json_string(d->file), &ok);
	if (d->sheet) {
		put(o, "sheet", json_string(d->sheet), &ok);
		char ref[160];
		if (kp_diag_ref(d, ref, sizeof ref))
			put(o, "ref", json_string(ref), &ok);
	}
	if (d->row > 0)
		put(o, "row", json_integer(d->row), &ok);
	if (d->column > 0)
		put(o, "column", json_integer(d->column), &ok);
	if (d->field)
		put(o, "field", json_string(d->field), &ok);
	if (d->offset >= 0)
		put(o, "offset", json_integer(d->offset), &ok);
	if (d->has_cell)
		put(o, "cell", json_string(d->cell), &ok);
	put(o, "message", json_string(d->message), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void kp_diag_list_init(kp_diag_list *l)
{
	memset(l, 0, sizeof *l);
}

void kp_diag_list_release(kp_diag_list *l)
{
	free(l->items);
	kp_diag_list_init(l);
}

int kp_diag_list_push(kp_diag_list *l, const kp_diag *d)
{
	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		kp_diag *items = realloc(l->items, cap * sizeof *items);
		if (!items) {
			l->truncated = 1;
			return -1;
		}
		l->items = items;
		l->cap = cap;
	}
	l->items[l->len++] = *d;
	if ((unsigned)d->severity < 3)
		l->count[d->severity]++;
	return 0;
}

static int list_sink_fn(void *ctx, const kp_diag *d)
{
	kp_diag_list *l = ctx;
	if (kp_diag_list_push(l, d) != 0)
		return 1;
	if (l->limit && l->count[KP_SEV_ERROR] >= l->limit) {
		l->truncated = 1;
		return 1;
	}
	return 0;
}

kp_diag_sink kp_diag_list_sink(kp_diag_list *l)
{
	kp_diag_sink s = {list_sink_fn, l};
	return s;
}
