/*
** i18n.h — messages for people go through GNU gettext (libintl, in glibc).
**
** Write the English message as the msgid: _("rule %s: ...") where it is
** printed, N_("...") where it sits in a table and is translated when
** printed (_(table[i].msg)), P_("%zu file", "%zu files", n) where the
** wording depends on a count (Japanese has one form; English two). Translations live in po/ja.po (domain
** "kizuki"); main.c binds the domain at start, so Japanese is printed when
** LANG / LC_MESSAGES is ja_JP.UTF-8. Code, identifiers and logs for
** engineers stay English.
*/
#ifndef KZ_I18N_H
#define KZ_I18N_H

#include <libintl.h>

#define KZ_TEXTDOMAIN "kizuki"
#define _(s) dgettext(KZ_TEXTDOMAIN, s)
#define N_(s) (s)
#define P_(s, p, n) dngettext(KZ_TEXTDOMAIN, s, p, (unsigned long)(n))

#endif
