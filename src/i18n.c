#define KP_I18N_NO_MACROS
#include "i18n.h"

#include <libintl.h>

static int localized;

void kp_i18n_bind(const char *dir)
{
	bindtextdomain(KP_TEXTDOMAIN, dir);
	/* the catalog is UTF-8 and so is every output: without this a run whose LC_CTYPE
	 * is "C" would print each Japanese character as '?' */
	bind_textdomain_codeset(KP_TEXTDOMAIN, "UTF-8");
}

void kp_i18n_localize(int on)
{
	localized = on != 0;
}

const char *kp_i18n_ui(const char *msgid)
{
	return *msgid ? dgettext(KP_TEXTDOMAIN, msgid) : msgid;
}

const char *kp_i18n_text(const char *msgid)
{
	return localized ? kp_i18n_ui(msgid) : msgid;
}

const char *kp_i18n_ui_plural(const char *one, const char *many, unsigned long n)
{
	return dngettext(KP_TEXTDOMAIN, one, many, n);
}

const char *kp_i18n_plural(const char *one, const char *many, unsigned long n)
{
	if (!localized)
		return n == 1 ? one : many;
	return kp_i18n_ui_plural(one, many, n);
}
