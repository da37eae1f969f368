/*
** cmd_check.c — `kizuki check`: load and validate the profile and every
** rule without touching any database; report every problem at once.
**
** Beyond loading (syntax, metadata, duplicate ids, unknown params and
** agencies), two static passes read each rule file: the globals it reads or
** writes (from luac's listing: a global the sandbox does not provide is a
** typo or a missing `local`; `os` means wall-clock time) and the agency kinds
** and wards it names in string literals.
*/
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kizuki.h"
#include "run.h"
#include "sandbox.h"
#include "strbuf.h"
#include "suggest.h"

static const char USAGE[] =
  "usage: kizuki check [DIR] [--profile FILE]\n"
  "\n"
  "Load the profile (DIR/kizuki.yaml) and every rule file of DIR (default:\n"
  "rules) as a run would, without opening any database, and report every\n"
  "problem with its file and line: Lua syntax, unknown or missing metadata,\n"
  "duplicate rule ids, unknown params, agencies or wards, a broken ladder,\n"
  "globals the sandbox does not provide, and wall-clock time (os.*).\n"
  "Exit 0 when clean, 2 otherwise.\n";

static int allowed_global(const char *name) {
  if (strcmp(name, "rule") == 0 || strcmp(name, "_G") == 0) return 1;
  for (const char *const *n = kz_sandbox_allowed_globals; *n; n++)
    if (strcmp(*n, name) == 0) return 1;
  return 0;
}

/* Read the globals of path from `luac5.4 -p -l -l` and report the ones a rule
** may not use. Returns 0 when the listing could be read. */
static int scan_globals(const char *path, struct kz_diag *d) {
  struct kz_strbuf cmd = {0};
  kz_strbuf_adds(&cmd, "luac5.4 -p -l -l '");
  for (const char *p = path; *p; p++) {
    if (*p == '\'') kz_strbuf_adds(&cmd, "'\\''");
    else kz_strbuf_add(&cmd, p, 1);
  }
  kz_strbuf_adds(&cmd, "' 2>/dev/null");
  FILE *f = popen(kz_strbuf_str(&cmd), "r");
  kz_strbuf_free(&cmd);
  if (!f) return -1;
  char line[1024];
  int any = 0;
  while (fgets(line, sizeof line, f)) {
    any = 1;
    const char *get = strstr(line, "GETTABUP"), *set = strstr(line, "SETTABUP");
    const char *env = strstr(line, "; _ENV \"");
    const char *lb = strchr(line, '[');
    if ((!get && !set) || !env || !lb) continue;
    int ln = atoi(lb + 1);
    char name[128];
    const char *s = env + 8, *e = strchr(s, '"');
    if (!e || (size_t)(e - s) >= sizeof name) continue;
    memcpy(name, s, (size_t)(e - s));
    name[e - s] = '\0';
    if (set) {
      kz_diag_add(d, path, ln, 0, "sets global '%s': rules may not create globals (use local)", name);
    } else if (strcmp(name, "os") == 0) {
      kz_diag_add(d, path, ln, 0, "uses os: wall-clock time and the system are not available "
                  "to rules; use kz.today, the run date");
    } else if (!allowed_global(name)) {
      const char *hint = kz_suggest(name, kz_sandbox_allowed_globals, 0);
      kz_diag_add(d, path, ln, 0, "reads global '%s', which the rule sandbox does not provide%s%s%s",
                  name, hint ? _(" (did you mean '") : _(" (a typo, or a missing local?)"),
                  hint ? hint : "", hint ? _("'?)") : "");
    }
  }
  int status = pclose(f);
  return any || status == 0 ? 0 : -1;
}

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
    {"profile", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
  };
  const char *profile = NULL, *dir = "rules";
  int ch;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'p': profile = optarg; break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("check", argc, argv, USAGE);
    }
  }
  if (optind < argc) dir = argv[optind++];
  if (optind < argc) {
    fprintf(stderr, _("kizuki check: unexpected argument '%s'\n%s"), argv[optind], USAGE);
    return KZ_EXIT_USAGE;
  }
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
  struct dirent **names = NULL;
  int n = scandir(dir, &names, is_lua, alphasort);
  int skipped_globals = 0;
  for (int i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
    if (scan_globals(path, &d)) skipped_globals = 1;
    char *src = slurp(path);
    if (src && have_prof) scan_names(path, src, p, &d);
    free(src);
    free(names[i]);
  }
  free(names);
  if (loaded) kz_ruleset_lint_params(&e.rules, &e.sb, &e.prof, &d);
  if (skipped_globals)
    fprintf(stderr, _("kizuki check: note: global-name check skipped (luac5.4 not installed, or a "
            "file did not compile)\n"));

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
