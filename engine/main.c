/*
** main.c — the kizuki command: the process locale and the message
** catalogue (GNU gettext, domain "kizuki"), then dispatch to a subcommand.
*/
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli.h"
#include "i18n.h"
#include "kizuki.h"

/* Where `make install` puts the catalogues ($(PREFIX)/share/locale); the
** Makefile passes it in. */
#ifndef KZ_LOCALEDIR
#define KZ_LOCALEDIR "/usr/local/share/locale"
#endif

static const char USAGE[] =
  "kizuki " KZ_VERSION " — rule-driven risk escalation for a city's childcare-data platform\n"
  "\n"
  "usage: kizuki COMMAND [OPTIONS]\n"
  "\n"
  "  run      run every rule over the case DB and write tasks (the nightly batch)\n"
  "  test     run rule fixtures (YAML scenarios with expected tasks)\n"
  "  replay   replay a fixture or case DB day by day and print the timeline\n"
  "  check    load and validate the rules and the profile\n"
  "  trace    run one rule on one household and show each call, record read and finding\n"
  "  rules    list the rule catalogue as loaded (text, markdown, json)\n"
  "  gen      generate a synthetic city case DB\n"
  "\n"
  "  tasks    list tasks, most severe first; by unit, ward, status, rule, overdue\n"
  "  done     close a task staff has dealt with (never reopened)\n"
  "  explain  why a task exists: rule, evidence, routing, history\n"
  "  export   write tasks as CSV for Excel or JSON Lines, per unit if asked\n"
  "  report   write the open tasks as static HTML pages, one per unit\n"
  "  diff     what a rule change would open or no longer open, before it goes live\n"
  "\n"
  "`kizuki COMMAND --help` tells more; `kizuki --version` prints the version.\n";

struct command {
  const char *name;
  int (*fn)(int, char **);
};

static const struct command commands[] = {
  {"run", kz_cmd_run}, {"gen", kz_cmd_gen}, {"test", kz_cmd_test},
  {"replay", kz_cmd_replay}, {"check", kz_cmd_check}, {"rules", kz_cmd_rules},
  {"tasks", kz_cmd_tasks}, {"done", kz_cmd_done}, {"explain", kz_cmd_explain},
  {"export", kz_cmd_export},
  {"report", kz_cmd_report}, {"diff", kz_cmd_diff}, {"trace", kz_cmd_trace},
  {NULL, NULL}
};

/*
** locale_dir: the folder bound to the "kizuki" domain, written into buf
** (size n). $KIZUKI_LOCALEDIR when set and not empty; else, when the binary
** runs from the build tree, the locale/ folder beside it (build/locale,
** found through /proc/self/exe); else PREFIX/share/locale of the installed
** tree the binary runs from (as its rules: kz_cli_installed), when it is a
** folder; else the KZ_LOCALEDIR compiled in. Returns buf or a static
** string; never NULL.
*/
static const char *locale_dir(char *buf, size_t n) {
  const char *env = getenv("KIZUKI_LOCALEDIR");
  if (env && *env) return env;
  ssize_t len = readlink("/proc/self/exe", buf, n - 1);
  if (len > 0 && (size_t)len < n - 1) {
    buf[len] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash && (size_t)(slash - buf) + sizeof "/locale" <= n) {
      strcpy(slash, "/locale");
      struct stat st;
      if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) return buf;
    }
  }
  struct stat st;
  if (kz_cli_installed("share/locale", buf, n) == 0 && stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
    return buf;
  return KZ_LOCALEDIR;
}

/*
** setup_messages: the user's locale (LANG, LC_ALL, LC_MESSAGES) for messages
** and character classes, but what a result depends on stays "C": numbers (a
** decimal point, never a comma, in Lua, JSON, CSV and reports) and string
** order (Lua's `<` on strings and the order rule files load in go through
** strcoll: under ja_JP.UTF-8, "ｱ" < "ア" would hold, and a rule would fire
** or not by the operator's locale). Messages come out in UTF-8 even under
** LC_MESSAGES=ja_JP.UTF-8 with LC_CTYPE=C. A locale that is not installed
** leaves English; nothing fails.
*/
static void setup_messages(void) {
  char buf[PATH_MAX];
  setlocale(LC_ALL, "");
  setlocale(LC_NUMERIC, "C");
  setlocale(LC_COLLATE, "C");
  bindtextdomain(KZ_TEXTDOMAIN, locale_dir(buf, sizeof buf));
  bind_textdomain_codeset(KZ_TEXTDOMAIN, "UTF-8");
  textdomain(KZ_TEXTDOMAIN);
}

int main(int argc, char **argv) {
  setup_messages();
  opterr = 0;   /* usage errors are kizuki's own, translated (kz_cli_bad_option) */
  umask(077);   /* task DBs, their journals and exports: owner only */
  /* One thread uses each connection: no per-call mutex. */
  sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    fputs(USAGE, argc < 2 ? stderr : stdout);
    return argc < 2 ? KZ_EXIT_USAGE : KZ_EXIT_OK;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("kizuki %s\n", KZ_VERSION);
    return KZ_EXIT_OK;
  }
  for (const struct command *c = commands; c->name; c++)
    if (strcmp(argv[1], c->name) == 0) return c->fn(argc - 1, argv + 1);
  fprintf(stderr, _("kizuki: unknown command '%s'\n"), argv[1]);
  fprintf(stderr, "\n%s", USAGE);
  return KZ_EXIT_USAGE;
}
