/* i18n — the library's side of GNU gettext (domain "kplan").
 *
 * Human text is marked where it is written: _("...") translates now, N_("...") marks a
 * table entry that is translated where it is used (_(entry)).  kp_diag_set translates
 * its format itself, so a finding's message needs no _() (xgettext is told:
 * --keyword=kp_diag_set:4).  Codes, rule ids, JSON keys and everything written to the
 * CSV, JSON and RDF outputs are never marked.
 *
 * The library never calls setlocale or textdomain (that is the program's job).
 * kp_i18n_bind binds the domain; until a tool calls kp_i18n_localize(1), _() in the
 * library returns its English msgid, so a finding's message is English: a run whose
 * output is for machines (--format json) keeps it so whatever the locale says.
 */
#ifndef KP_I18N_H
#define KP_I18N_H

#define KP_TEXTDOMAIN "kplan"

/* Binds the domain to dir (the tree holding ja/LC_MESSAGES/kplan.mo) in UTF-8. */
void kp_i18n_bind(const char *dir);

/* on = 1: the library's messages (findings, errors) follow the locale; 0: English. */
void kp_i18n_localize(int on);

/* msgid translated when localized, else msgid itself ("" stays ""). */
const char *kp_i18n_text(const char *msgid) __attribute__((format_arg(1)));

/* msgid translated whatever kp_i18n_localize says (a tool's own words on stderr). */
const char *kp_i18n_ui(const char *msgid) __attribute__((format_arg(1)));

/* One of two forms by n (English needs both; Japanese has one), as kp_i18n_text;
 * kp_i18n_ui_plural as kp_i18n_ui. */
const char *kp_i18n_plural(const char *one, const char *many, unsigned long n)
	__attribute__((format_arg(1))) __attribute__((format_arg(2)));
const char *kp_i18n_ui_plural(const char *one, const char *many, unsigned long n)
	__attribute__((format_arg(1))) __attribute__((format_arg(2)));

#ifndef KP_I18N_NO_MACROS
#define _(msgid) kp_i18n_text(msgid)
#define Q_(one, many, n) kp_i18n_plural(one, many, n)
#define N_(msgid) msgid
#endif

#endif
