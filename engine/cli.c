/*
** cli.c — helpers shared by the subcommands: opening inputs, dates,
** signals, and the one decision of which rules folder a command reads
** (--rules, $KIZUKI_RULES, ./rules, the installed rules).
*/
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db_open.h"
#include "i18n.h"
#include "kizuki.h"
#include "loader.h"
#include "run.h"

int kz_cli_open_cases(const char *path, sqlite3 **out, struct kz_diag *d) {
  struct stat sb;
  if (stat(path, &sb) != 0) {
    kz_diag_add(d, path, 0, 0, "case DB not found");
    return KZ_EXIT_CASES;
  }
  if (!S_ISREG(sb.st_mode)) {
    kz_diag_add(d, path, 0, 0, "case DB is not a regular file");
    return KZ_EXIT_CASES;
  }
  if (sb.st_size == 0) {
    kz_diag_add(d, path, 0, 0, "case DB is empty (0 bytes)");
    return KZ_EXIT_CASES;
  }
  sqlite3 *db = NULL;
  if (kz_db_open(path, KZ_DB_CASES, &db, d)) return KZ_EXIT_CASES;
  struct kz_diag why = {0};
  if (kz_loader_validate(db, &why)) {
    for (size_t i = 0; i < why.n; i++) kz_diag_add(d, path, 0, 0, "%s", why.msgs[i]);
    kz_diag_clear(&why);
    sqlite3_close(db);
    return KZ_EXIT_CASES;
  }
  *out = db;
  return KZ_EXIT_OK;
}

int kz_cli_parse_date(const char *opt, const char *arg, kz_day *out) {
  if (kz_date_parse(arg, out) == 0) return 0;
  fprintf(stderr, _("kizuki: %s '%s' is not a date (expected YYYY-MM-DD, a real day)\n"), opt, arg);
  return -1;
}

kz_day kz_cli_today(void) {
  time_t t = time(NULL);
  struct tm tm;
  localtime_r(&t, &tm);
  return kz_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int is_dir(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int kz_cli_installed_rules(char *out, size_t n) {
  return kz_cli_installed("share/kizuki/rules", out, n);
}

int kz_cli_installed(const char *rel, char *out, size_t n) {
  char exe[1024];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0 || (size_t)len >= sizeof exe - 1) return -1;   /* unreadable or maybe cut */
  exe[len] = '\0';
  /* PREFIX/bin/kizuki -> PREFIX */
  for (int up = 0; up < 2; up++) {
    char *slash = strrchr(exe, '/');
    if (!slash) return -1;
    *slash = '\0';
  }
  int w = snprintf(out, n, "%s/%s", exe, rel);
  return w < 0 || (size_t)w >= n ? -1 : 0;
}

int kz_cli_rules_dir(const char *cmd, const char *opt, const char *given, char *out, size_t n) {
  int rc = KZ_EXIT_USAGE;
  const char *env = getenv("KIZUKI_RULES");
  char installed[1024] = "";
  int have_installed = kz_cli_installed_rules(installed, sizeof installed) == 0;
  const char *pick = NULL;
  struct stat lsb;
  if (given) pick = given;
  else if (env && *env) pick = env;
  else if (is_dir("rules")) pick = "rules";
  else if (lstat("rules", &lsb) == 0) {
    /* ./rules is there but is no folder (a file, a link to nothing -- a share
    ** that is not mounted): passing on to the installed rules would run the
    ** night with other rules than meant, without a word. */
    char cwd[1024];
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
    fprintf(stderr, _("kizuki %s: ./rules in %s is not a folder (a file, or a link to a folder "
                      "that is not there); the installed rules are not used instead\n"),
            cmd, cwd);
    fprintf(stderr, _("kizuki %s: give %s, or the rules folder with KIZUKI_RULES=DIR\n"), cmd, opt);
    goto done;
  }
  else if (have_installed && is_dir(installed)) pick = installed;
  if (!pick) {
    char cwd[1024];
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
    fprintf(stderr, _("kizuki %s: no rules folder: no %s given, KIZUKI_RULES is not set, "
                      "no ./rules in %s, none installed at %s\n"),
            cmd, opt, cwd, have_installed ? installed : _("(the binary's folder is unknown)"));
    fprintf(stderr, _("kizuki %s: give %s, or the rules folder with KIZUKI_RULES=DIR\n"), cmd, opt);
    goto done;
  }
  int w = snprintf(out, n, "%s", pick);
  if (w < 0 || (size_t)w >= n) {
    fprintf(stderr, _("kizuki %s: the rules folder path is too long: %s\n"), cmd, pick);
    goto done;
  }
  rc = KZ_EXIT_OK;
done:
  return rc;
}

void kz_cli_profile_path(const char *rules_dir, const char *given, char *out, size_t n) {
  if (given) snprintf(out, n, "%s", given);
  else snprintf(out, n, "%s/kizuki.yaml", rules_dir);
}

int kz_cli_open_engine(struct kz_engine *e, const char *cmd, const char *rules_dir,
                       const char *profile, const char *done) {
  char path[1024];
  struct kz_diag d = {0};
  kz_cli_profile_path(rules_dir, profile, path, sizeof path);
  if (kz_engine_open(e, rules_dir, path, &d) == 0) return KZ_EXIT_OK;
  kz_diag_print(&d, stderr);
  fprintf(stderr, _("kizuki %s: %zu problem(s) in the rules or profile; nothing %s\n"), cmd,
          d.n + d.lost, _(done));
  kz_diag_clear(&d);
  return KZ_EXIT_USAGE;
}

int kz_cli_bad_option(const char *cmd, int argc, char **argv, const char *usage) {
  const char *arg = optind >= 1 && optind <= argc ? argv[optind - 1] : "";
  char shortopt[3] = {'-', optopt ? (char)optopt : '?', '\0'};
  if (strncmp(arg, "--", 2) != 0 || !optopt) {  /* -x, --bogus, or an ambiguous --ab */
    fprintf(stderr, _("kizuki %s: unknown option '%s'\n"), cmd,
            strncmp(arg, "--", 2) == 0 ? arg : shortopt);
  } else if (strchr(arg, '=')) {
    fprintf(stderr, _("kizuki %s: option '%.*s' takes no value\n"), cmd,
            (int)(strchr(arg, '=') - arg), arg);
  } else {
    fprintf(stderr, _("kizuki %s: option '%s' needs a value\n"), cmd, arg);
  }
  fputs(usage, stderr);
  return KZ_EXIT_USAGE;
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

volatile sig_atomic_t *kz_cli_catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  return &stop_flag;
}

int kz_cli_stderr_is_tty(void) { return isatty(STDERR_FILENO); }
