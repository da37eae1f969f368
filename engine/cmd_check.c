/*
** cmd_check.c — `kizuki check`: load and validate the profile and every
** rule without touching any database; report every problem at once.
**
** Beyond loading (syntax, full-width characters, metadata, duplicate ids,
** unknown params and agencies), static passes read each rule file: its
** compiled listing (rule_lint.c: globals, kz words, record fields, string
** patterns, dates not YYYY-MM-DD, tables meant to be kz.finding{...}), the
** params its check reads (ruleset.c) and the agency kinds and wards it
** names in string literals.
*/
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "kizuki.h"
#include "rule_lint.h"
#include "run.h"
#include "sandbox.h"
#include "strbuf.h"
#include "suggest.h"

static const char USAGE[] =
  "usage: kizuki check [DIR | --rules DIR] [--profile FILE]\n"
  "\n"
  "Load the profile (DIR/kizuki.yaml) and every rule file of DIR (default:\n"
  "$KIZUKI_RULES, else ./rules, else the installed PREFIX/share/kizuki/rules)\n"
  "as a run would, without opening any database, and report every\n"
  "problem with its file and line: Lua syntax (a missing comma or brace at\n"
  "the line where it is missing), full-width characters outside strings,\n"
  "unknown or missing metadata, duplicate rule ids, unknown params, agencies\n"
  "or wards, a broken ladder, and from each file's compiled listing\n"
  "(luac5.4): globals the sandbox does not provide, wall-clock time (os.*),\n"
  "kz.NAME words that do not exist, p.NAME params not declared, record\n"
  "fields that are a near miss of a column or method, string patterns,\n"
  "dates not written YYYY-MM-DD, arithmetic on dates (kz.today - 14),\n"
  "kz.finding{...} without since, and tables with reason = ... not made by\n"
  "kz.finding{...} (they would open nothing). A field unknown but near no\n"
  "column is a warning. Messages are Japanese under LANG=ja_JP.UTF-8.\n"
  "Exit 0 when clean, 2 otherwise.\n";

/* Report every string literal given as `<field> = "..."` or as the first
** argument of `<call>("...")` in src that is not a known agency kind (or
** ward). */
static void scan_names(const char *path, const char *src, const struct kz_profile *p,
                       struct kz_diag *d) {
  static const char *const agency_sites[] = {"agency", "primary_agency", ":involved(",
                                             ":assignments_of(", NULL};
  for (int w = 0; w < 2; w++) {
    const char *const *sites = w == 0 ? agency_sites : (const char *const[]){"ward", NULL};
    for (const char *const *site = sites; *site; site++) {
      size_t sl = strlen(*site);
      for (const char *s = strstr(src, *site); s; s = strstr(s + 1, *site)) {
        if ((*site)[0] != ':' && s > src && (s[-1] == '_' || s[-1] == '.' ||
            (s[-1] >= 'a' && s[-1] <= 'z')))
          continue;                                 /* part of a longer name */
        const char *q = s + sl;
        while (*q == ' ' || *q == '\t') q++;
        if ((*site)[0] != ':') {
          if (*q != '=' || q[1] == '=') continue;
          q++;
          while (*q == ' ' || *q == '\t') q++;
        }
        if (*q != '"') continue;
        const char *e = strchr(q + 1, '"');
        if (!e || e - q > 64) continue;
        char name[72];
        memcpy(name, q + 1, (size_t)(e - q - 1));
        name[e - q - 1] = '\0';
        int ok = w == 0 ? kz_profile_agency(p, name) != NULL : kz_profile_ward(p, name) != NULL;
        if (ok) continue;
        int ln = 1;
        for (const char *c = src; c < s; c++) ln += *c == '\n';
        kz_diag_add(d, path, ln, 0, "unknown %s '%s' (not in the profile's %s)",
                    w == 0 ? "agency" : "ward", name, w == 0 ? "agencies" : "wards");
      }
    }
  }
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  struct kz_strbuf b = {0};
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) kz_strbuf_add(&b, chunk, n);
  fclose(f);
  return kz_strbuf_take(&b);
}

static int is_lua(const struct dirent *e) {
  size_t n = strlen(e->d_name);
  return e->d_name[0] != '.' && n > 4 && strcmp(e->d_name + n - 4, ".lua") == 0;
}

int kz_cmd_check(int argc, char **argv) {
  static const struct option opts[] = {
    {"profile", required_argument, NULL, 'p'}, {"rules", required_argument, NULL, 'r'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  const char *profile = NULL, *dir = NULL;
  int ch;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'p': profile = optarg; break;
      case 'r': dir = optarg; break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("check", argc, argv, USAGE);
    }
  }
  if (optind < argc) dir = argv[optind++];
  if (optind < argc) {
    fprintf(stderr, _("kizuki check: unexpected argument '%s'\n%s"), argv[optind], USAGE);
    return KZ_EXIT_USAGE;
  }
  char rules_buf[1024];   /* DIR or --rules, $KIZUKI_RULES, ./rules or the installed rules */
  if (kz_cli_rules_dir("check", "--rules DIR", dir, rules_buf,
                       sizeof rules_buf))
    return KZ_EXIT_USAGE;
  dir = rules_buf;
  char profile_path[1024];
  kz_cli_profile_path(dir, profile, profile_path, sizeof profile_path);
  struct kz_diag d = {0};
  struct kz_engine e;
  int loaded = kz_engine_open(&e, dir, profile_path, &d) == 0;

  /* The static passes need the profile, even when the rules failed to load. */
  struct kz_profile prof;
  struct kz_diag ignore = {0};
  int have_prof = loaded || kz_profile_load(&prof, profile_path, &ignore) == 0;
  const struct kz_profile *p = loaded ? &e.prof : &prof;
  kz_diag_clear(&ignore);
  /* The names a rule may read: kz's words as loaded (a bare sandbox when
  ** the rules did not load), the schema's columns, the profile's params. */
  struct kz_sandbox bare;
  int have_bare = !loaded && kz_sandbox_open(&bare, 10000000, 64u << 20) == 0;
  lua_State *L = loaded ? e.sb.L : have_bare ? bare.L : NULL;
  struct kz_lint_names names;
  kz_lint_names_build(&names, L, have_prof ? p : NULL);
  struct kz_diag warn = {0};
  struct dirent **files = NULL;
  int n = scandir(dir, &files, is_lua, alphasort);
  int no_luac = 0;
  for (int i = 0; i < n; i++) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, files[i]->d_name);
    char *src = slurp(path);
    if (src && kz_lint_listing(path, src, strlen(src), kz_sandbox_allowed_globals, &names, &d,
                               &warn) == 1)
      no_luac = 1;
    if (src && have_prof) scan_names(path, src, p, &d);
    free(src);
    free(files[i]);
  }
  free(files);
  kz_lint_names_free(&names);
  if (have_bare) kz_sandbox_close(&bare);
  if (loaded) kz_ruleset_lint_params(&e.rules, &e.sb, &e.prof, &d);
  if (no_luac)
    fprintf(stderr, "%s", _("kizuki check: note: the static checks of rule code were skipped "
            "(luac5.4 is not installed; Debian: apt-get install lua5.4)\n"));
  kz_diag_print(&warn, stderr);
  kz_diag_clear(&warn);

  int rc = KZ_EXIT_OK;
  if (d.n) {
    kz_diag_print(&d, stderr);
    fprintf(stderr, _("kizuki check: %zu problem(s)\n"), d.n);
    rc = KZ_EXIT_USAGE;
  } else {
    printf(_("%s: %zu rules, profile %s: ok (digest %s)\n"), dir, e.rules.n, profile_path,
           e.rules.digest);
  }
  if (loaded) kz_engine_close(&e);
  else if (have_prof) kz_profile_free(&prof);
  kz_diag_clear(&d);
  return rc;
}
