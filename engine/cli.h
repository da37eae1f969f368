/*
** cli.h — what the subcommands share: opening the inputs every command
** needs with the right exit code and message, usage errors, signal handling
** for long runs.
*/
#ifndef KZ_CLI_H
#define KZ_CLI_H

#include <signal.h>
#include <sqlite3.h>
#include "date.h"
#include "diag.h"
#include "i18n.h"

/* Open the PF case DB at path read-only. Returns KZ_EXIT_OK, or
** KZ_EXIT_CASES with a message in d (missing, empty, not SQLite, not the
** case-record schema). */
int kz_cli_open_cases(const char *path, sqlite3 **out, struct kz_diag *d);

/* Parse an --as-of style date argument; on error print a usage message
** naming the option and return -1. */
int kz_cli_parse_date(const char *opt, const char *arg, kz_day *out);

/* Today's date (local time), for defaults. */
kz_day kz_cli_today(void);

/* PREFIX/rel, where PREFIX is the folder above the running binary's bin/
** (found through /proc/self/exe, so an installed tree can be moved or
** staged with DESTDIR). Writes it into out (n bytes); returns 0, or -1
** when the binary's path cannot be read or out is too small. Whether the
** path exists is not checked. */
int kz_cli_installed(const char *rel, char *out, size_t n);

/* The installed rules folder: kz_cli_installed("share/kizuki/rules"). */
int kz_cli_installed_rules(char *out, size_t n);

/* Decide the rules folder every rule-reading command uses (the one place
** this is decided): given (--rules or the DIR argument) when not NULL; else
** $KIZUKI_RULES when set and not empty; else ./rules when it is a folder;
** else the installed rules (kz_cli_installed_rules) when that is a folder.
** An explicit choice is taken as it is (the loader then names it if it is
** missing). Writes the folder into out (n bytes, owned by the caller) and
** returns KZ_EXIT_OK; when nothing is found, prints "kizuki CMD: no rules
** folder: ..." naming every place looked at and the hint "give OPT" (OPT is
** the command's own option, e.g. "--rules DIR", "--base-rules DIR"), and
** returns KZ_EXIT_USAGE. */
int kz_cli_rules_dir(const char *cmd, const char *opt, const char *given, char *out, size_t n);

/* The default profile path for a rules folder: DIR/kizuki.yaml. */
void kz_cli_profile_path(const char *rules_dir, const char *given, char *out, size_t n);

struct kz_engine;

/* Load the rules of rules_dir and the profile (given, or rules_dir/kizuki.yaml)
** into e for command cmd. On failure every problem is printed to stderr with
** its file:line, followed by "kizuki <cmd>: N problem(s) in the rules or
** profile; nothing <done>", and KZ_EXIT_USAGE is returned; else KZ_EXIT_OK.
** done is an N_() msgid ("was run"), translated here. */
int kz_cli_open_engine(struct kz_engine *e, const char *cmd, const char *rules_dir,
                       const char *profile, const char *done);

/* The usage error of an option getopt_long just rejected (main.c sets
** opterr to 0, so getopt prints nothing itself): "kizuki CMD: unknown
** option '--x'", "... option '--x' needs a value" or "... option '--x' takes
** no value" in the user's language, then usage, on stderr. argc/argv are the
** command's. Returns KZ_EXIT_USAGE. */
int kz_cli_bad_option(const char *cmd, int argc, char **argv, const char *usage);

/* Install SIGINT/SIGTERM handlers that set *flag; returns flag's address.
** The flag is the one piece of process-wide state: a signal handler can
** reach nothing else. */
volatile sig_atomic_t *kz_cli_catch_signals(void);

/* 1 when stderr is a terminal (progress is shown only then). */
int kz_cli_stderr_is_tty(void);

#endif
