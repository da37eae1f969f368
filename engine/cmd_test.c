/*
** cmd_test.c — `kizuki test`: its options, which fixture files to run, and
** the report (text, one JSON document, or JUnit XML for CI systems;
** --coverage; --verbose: the rules' kz.log lines of each run). Running a
** fixture and comparing its tasks is fixture_run.c and fixture_match.c.
*/
#include <dirent.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "fixture.h"
#include "fixture_run.h"
#include "finding.h"
#include "i18n.h"
#include "kizuki.h"
#include "strbuf.h"
#include "trace.h"

static const char USAGE[] =
  "usage: kizuki test [FIXTURE.yaml | DIR]... [--run PATTERN] [--format text|json|junit]\n"
  "                   [--rules DIR] [--profile FILE] [--coverage] [--verbose]\n"
  "\n"
  "Run each fixture's runs in order over one in-memory task store, with the\n"
  "rules of the rules folder, and compare the tasks with the expected ones.\n"
  "A DIR means every *.yaml in it, in name order (default: fixtures/). A\n"
  "fixture's `rules:` list limits which rules' tasks are compared (every rule\n"
  "still runs).\n"
  "\n"
  "  --run PATTERN     only fixtures whose file or name contains PATTERN (or\n"
  "                    matches it, when it has * ? or [ )\n"
  "  --format FMT      text (default), json (one document on stdout) or junit\n"
  "                    (JUnit XML for CI systems: a testsuite per fixture file,\n"
  "                    a testcase per run, the mismatch as the failure message);\n"
  "                    with json or junit the summary line goes to stderr\n"
  "  --rules DIR       the rules folder (default: $KIZUKI_RULES, else ./rules,\n"
  "                    else the installed PREFIX/share/kizuki/rules)\n"
  "  --profile FILE    the municipality profile (default: DIR/kizuki.yaml)\n"
  "  --coverage        also tell, for each rule, how many passing fixtures made it\n"
  "                    open a task and how many cleared one, and list the rules\n"
  "                    no fixture fires or clears (before the last line)\n"
  "  --verbose         also show the lines the rules wrote with kz.log, run by\n"
  "                    run (in json: each run's \"logs\"; in junit: system-out)\n"
  "\n"
  "A run fails when an expected task is missing, an unexpected task is there,\n"
  "a rule raises an error, a rule finds something in a household that lacks a\n"
  "table it `needs` (in tests rules run there too), or a second run with the\n"
  "same as_of changes anything. Ends with the line `N passed, N failed`.\n"
  "Exit codes: 0 all passed; 1 some fixture failed; 2 a fixture cannot be\n"
  "loaded (its errors are printed; it counts as failed), no fixture was found\n"
  "or matched --run (nothing tested), or a usage, profile or rule-load error.\n";

/* The state of one `kizuki test`. */
struct tester {
  int json;
  int junit;                       /* --format junit */
  int verbose;                     /* --verbose: kz.log lines */
  struct kz_trace log;             /* --verbose: the kz.log lines of the run in hand */
  struct kz_strbuf logs;           /* text: the fixture's kz.log lines, run by run */
  struct kz_strbuf xml;            /* junit: the testcases of the fixture */
  int nruns_xml, nfailed_xml;
  long long cases_xml, failures_xml, errors_xml;   /* junit: over every fixture */
  const char *rules, *profile;
  struct kz_strbuf out;            /* JSON: the fixtures array */
  int nfixtures_json;
  long long passed, failed;
  int load_errors;
  /* The fixture being run. */
  const struct kz_fixture *f;
  int fixture_failed;
  struct kz_strbuf text;           /* text: the failure report of the fixture */
  struct kz_strbuf runs_json;      /* JSON: the runs array of the fixture */
  int nruns_json;
  /* --coverage: per loaded rule, the passing fixtures that opened / cleared
  ** one of its tasks (in the fixture's scope). */
  int coverage;
  struct cover { char *rule; long long opened, cleared; } *cov;   /* owned */
  size_t ncov;
};

/* {====== Coverage (--coverage) ====== */

static struct cover *cover_find(struct tester *t, const char *rule, int add) {
  for (size_t i = 0; i < t->ncov; i++)
    if (strcmp(t->cov[i].rule, rule) == 0) return &t->cov[i];
  if (!add) return NULL;
  struct cover *v = realloc(t->cov, (t->ncov + 1) * sizeof *v);
  if (!v) return NULL;
  t->cov = v;
  v = &t->cov[t->ncov];
  if (!(v->rule = strdup(rule))) return NULL;
  v->opened = v->cleared = 0;
  t->ncov++;
  return v;
}

static void cover_rule_loaded(void *arg, const char *rule) {
  cover_find(arg, rule, 1);
}

/* A passing fixture opened (or cleared) a task of rule. */
static void cover_rule_fired(void *arg, const char *rule, int cleared) {
  struct cover *c = cover_find(arg, rule, 0);
  if (c && cleared) c->cleared++;
  else if (c) c->opened++;
}

static void cover_print(const struct tester *t, FILE *out) {
  fprintf(out, _("\ncoverage: passing fixtures that open / clear a task of each rule\n"
          "%-28s %7s %8s\n"), "rule", "opened", "cleared");
  for (size_t i = 0; i < t->ncov; i++)
    fprintf(out, "%-28s %7lld %8lld\n", t->cov[i].rule, t->cov[i].opened, t->cov[i].cleared);
  for (int which = 0; which < 2; which++) {
    int n = 0;
    for (size_t i = 0; i < t->ncov; i++) {
      if ((which ? t->cov[i].cleared : t->cov[i].opened) > 0) continue;
      fprintf(out, "%s%s", n++ ? ", " : which ? _("no fixture clears: ") : _("no fixture fires: "),
              t->cov[i].rule);
    }
    fprintf(out, n ? "\n" : "%s", which ? _("every rule is cleared by some fixture\n")
            : _("every rule is fired by some fixture\n"));
  }
  fputc('\n', out);
}

/* }====== */

/* {====== JUnit XML (--format junit) ====== */

/* Append s to out as XML character data or an attribute value: valid UTF-8
** (bytes that are not are shown as \xNN), & < > " ' escaped, and the
** characters XML 1.0 cannot hold shown as \xNN (controls) or \uFFFE and
** \uFFFF. */
static void xml_add(struct kz_strbuf *out, const char *s) {
  struct kz_strbuf clean = {0};
  size_t n = s ? strlen(s) : 0;
  if (s && !kz_finding_utf8_valid(s, n)) {       /* rare: escape what is not UTF-8 */
    kz_finding_clean_message(&clean, s, n, n + 1);
    s = kz_strbuf_str(&clean);
  }
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
      case '&': kz_strbuf_adds(out, "&amp;"); break;
      case '<': kz_strbuf_adds(out, "&lt;"); break;
      case '>': kz_strbuf_adds(out, "&gt;"); break;
      case '"': kz_strbuf_adds(out, "&quot;"); break;
      case '\'': kz_strbuf_adds(out, "&apos;"); break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          kz_strbuf_addf(out, "\\x%02X", c);
        } else if (c == 0xEF && (unsigned char)s[1] == 0xBF &&
                   ((unsigned char)s[2] == 0xBE || (unsigned char)s[2] == 0xBF)) {
          kz_strbuf_addf(out, "\\u%s", (unsigned char)s[2] == 0xBE ? "FFFE" : "FFFF");
          s += 2;                                  /* U+FFFE, U+FFFF: not XML 1.0 characters */
        } else {
          kz_strbuf_add(out, s, 1);
        }
    }
  }
  kz_strbuf_free(&clean);
}

/* The first line of s (for a failure's message attribute), into out. */
static void xml_add_first_line(struct kz_strbuf *out, const char *s) {
  while (*s == ' ' || *s == '\n') s++;
  size_t n = strcspn(s, "\n");
  char *line = strndup(s, n);
  xml_add(out, line ? line : "");
  free(line);
}

/* The testcase of run i into t->xml. */
static void junit_case(struct tester *t, size_t i, const struct kz_fixture_run *run,
                       const struct kz_fixture_failures *r, const char *day) {
  struct kz_strbuf *x = &t->xml;
  kz_strbuf_adds(x, "    <testcase classname=\"");
  xml_add(x, t->f->file);
  kz_strbuf_addf(x, "\" name=\"run %zu (as_of %s)\" file=\"", i + 1, day);
  xml_add(x, t->f->file);
  kz_strbuf_addf(x, "\" line=\"%d\"", run->line);
  t->nruns_xml++;
  if (!r->n && !(t->verbose && t->log.n)) {
    kz_strbuf_adds(x, "/>\n");
    return;
  }
  kz_strbuf_adds(x, ">\n");
  if (r->n) {
    t->nfailed_xml++;
    kz_strbuf_adds(x, "      <failure message=\"");
    xml_add_first_line(x, kz_strbuf_str(&r->text));
    kz_strbuf_addf(x, "\" type=\"mismatch\">");
    xml_add(x, kz_strbuf_str(&r->text));
    kz_strbuf_adds(x, "</failure>\n");
  }
  if (t->verbose && t->log.n) {
    kz_strbuf_adds(x, "      <system-out>");
    for (size_t k = 0; k < t->log.n; k++) {
      const struct kz_trace_event *e = &t->log.ev[k];
      char where[300] = "";
      if (e->file) snprintf(where, sizeof where, "%s:%d: ", e->file, e->line);
      xml_add(x, where);
      xml_add(x, e->result);
      kz_strbuf_adds(x, "\n");
    }
    kz_strbuf_adds(x, "</system-out>\n");
  }
  kz_strbuf_adds(x, "    </testcase>\n");
}

/* The fixture's testsuite (its testcases are in t->xml; problems: it could
** not be loaded, one testcase with an error) into t->out. */
static void junit_suite(struct tester *t, const char *path, const char *name,
                        const struct kz_diag *problems) {
  struct kz_strbuf *o = &t->out;
  kz_strbuf_adds(o, "  <testsuite name=\"");
  xml_add(o, name ? name : path);
  kz_strbuf_adds(o, "\" file=\"");
  xml_add(o, path);
  if (problems->n) {
    kz_strbuf_adds(o, "\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
                   "    <testcase classname=\"");
    xml_add(o, path);
    kz_strbuf_adds(o, "\" name=\"load\">\n      <error message=\"");
    xml_add(o, problems->msgs[0] ? problems->msgs[0] : "out of memory");
    kz_strbuf_adds(o, "\" type=\"load\">");
    for (size_t i = 0; i < problems->n; i++) {
      xml_add(o, problems->msgs[i] ? problems->msgs[i] : "out of memory");
      kz_strbuf_adds(o, "\n");
    }
    kz_strbuf_adds(o, "</error>\n    </testcase>\n  </testsuite>\n");
    t->cases_xml++;
    t->errors_xml++;
    return;
  }
  t->cases_xml += t->nruns_xml;
  t->failures_xml += t->nfailed_xml;
  kz_strbuf_addf(o, "\" tests=\"%d\" failures=\"%d\" errors=\"0\">\n%s  </testsuite>\n",
                 t->nruns_xml, t->nfailed_xml, kz_strbuf_str(&t->xml));
}

/* }====== */

/* {====== One fixture ====== */

/* Add the outcome of run i to the fixture's report. */
static void run_checked(void *arg, size_t i, const struct kz_fixture_run *run,
                        const struct kz_fixture_failures *r) {
  struct tester *t = arg;
  char day[KZ_DATE_LEN];
  kz_date_format(run->as_of, day);
  if (r->n) {
    t->fixture_failed = 1;
    kz_strbuf_addf(&t->text, _("  run %zu (as_of %s, %s:%d):\n%s"), i + 1, day, t->f->file,
                   run->line, kz_strbuf_str(&r->text));
  }
  kz_strbuf_addf(&t->runs_json, "%s{\"run\":%zu,\"as_of\":\"%s\",\"line\":%d,\"passed\":%s,"
                 "\"failures\":[%s]", t->nruns_json++ ? "," : "", i + 1, day, run->line,
                 r->n ? "false" : "true", kz_strbuf_str(&r->json));
  if (t->verbose) {
    kz_strbuf_adds(&t->runs_json, ",");
    kz_trace_write_json(&t->log, 0, t->log.n, &t->runs_json);   /* "calls":[],"reads":[],"logs":[...] */
    if (t->log.dropped) kz_strbuf_addf(&t->runs_json, ",\"logs_dropped\":%zu", t->log.dropped);
  }
  kz_strbuf_adds(&t->runs_json, "}");
  if (t->junit) junit_case(t, i, run, r, day);
  if (t->verbose && t->log.n) {
    kz_strbuf_addf(&t->logs, "  run %zu (as_of %s, %s:%d): %s\n", i + 1, day, t->f->file,
                   run->line, _("kz.log lines:"));
    for (size_t k = 0; k < t->log.n; k++) {
      const struct kz_trace_event *e = &t->log.ev[k];
      if (e->file) kz_strbuf_addf(&t->logs, "    %s:%d: %s\n", e->file, e->line, e->result);
      else kz_strbuf_addf(&t->logs, "    %s\n", e->result);
    }
    if (t->log.dropped)
      kz_strbuf_addf(&t->logs, _("    (%zu more kz.log lines were not kept)\n"), t->log.dropped);
  }
  kz_trace_clear(&t->log);
}

/* Run every run of fixture f. Returns KZ_EXIT_OK, or KZ_EXIT_USAGE when the
** rules or profile cannot be loaded (reported; the caller stops). */
static int run_fixture(struct tester *t, const struct kz_fixture *f, struct kz_diag *problems) {
  char profile_path[1024];
  struct kz_diag setup = {0};
  struct kz_fixture_check_hooks hooks = {run_checked, NULL, NULL, t, NULL};
  if (t->verbose) hooks.log = &t->log;
  if (t->coverage) {
    hooks.rule_loaded = cover_rule_loaded;
    hooks.rule_fired = cover_rule_fired;
  }
  kz_cli_profile_path(t->rules, t->profile, profile_path, sizeof profile_path);
  int rc = kz_fixture_check(f, t->rules, profile_path, &hooks, problems, &setup);
  if (rc != KZ_EXIT_OK) {
    kz_diag_print(&setup, stderr);
    fprintf(stderr, _("kizuki test: %zu problem(s) in the rules or profile; nothing was run\n"),
            setup.n);
  }
  kz_diag_clear(&setup);
  return rc;
}

static int selected(const char *pattern, const char *path, const char *name) {
  if (!pattern) return 1;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (strpbrk(pattern, "*?["))
    return fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, base, 0) == 0 ||
           (name && fnmatch(pattern, name, 0) == 0);
  return strstr(path, pattern) || (name && strstr(name, pattern));
}

/* Load, run and report one fixture file. Returns KZ_EXIT_OK, or
** KZ_EXIT_USAGE when the whole command must stop. */
static int test_one(struct tester *t, const char *path, const char *pattern) {
  struct kz_fixture f;
  struct kz_diag problems = {0};
  int rc = KZ_EXIT_OK;
  int loaded = kz_fixture_load(&f, path, &problems) == 0;
  if (!selected(pattern, path, loaded ? f.name : NULL)) goto done;
  t->f = &f;
  t->fixture_failed = 0;
  kz_strbuf_reset(&t->text);
  kz_strbuf_reset(&t->runs_json);
  t->nruns_json = 0;
  kz_strbuf_reset(&t->logs);
  kz_strbuf_reset(&t->xml);
  t->nruns_xml = t->nfailed_xml = 0;
  kz_trace_clear(&t->log);
  if (loaded) {
    rc = run_fixture(t, &f, &problems);
    if (rc != KZ_EXIT_OK) goto done;
  }
  const char *status = problems.n ? "error" : t->fixture_failed ? "failed" : "passed";
  if (problems.n) t->load_errors = 1;
  if (problems.n || t->fixture_failed) t->failed++;
  else t->passed++;
  if (t->junit) {
    junit_suite(t, path, loaded ? f.name : NULL, &problems);
  } else if (t->json) {
    struct kz_strbuf *b = &t->out;
    kz_strbuf_addf(b, "%s{\"file\":", t->nfixtures_json++ ? "," : "");
    kz_strbuf_add_json(b, path);
    kz_strbuf_adds(b, ",\"name\":");
    kz_strbuf_add_json(b, loaded ? f.name : NULL);
    kz_strbuf_addf(b, ",\"status\":\"%s\",\"errors\":[", status);
    for (size_t i = 0; i < problems.n; i++) {
      if (i) kz_strbuf_adds(b, ",");
      kz_strbuf_add_json(b, problems.msgs[i] ? problems.msgs[i] : "out of memory");
    }
    kz_strbuf_addf(b, "],\"runs\":[%s]}", kz_strbuf_str(&t->runs_json));
  } else if (problems.n) {
    printf(P_("ERROR %s: cannot be loaded (%zu problem)\n",
              "ERROR %s: cannot be loaded (%zu problems)\n", problems.n), path, problems.n);
    for (size_t i = 0; i < problems.n; i++)
      printf("  %s\n", problems.msgs[i] ? problems.msgs[i] : _("out of memory"));
  } else if (t->fixture_failed) {
    printf(_("FAIL  %s — %s\n%s"), path, f.name, kz_strbuf_str(&t->text));
  } else {
    printf(P_("ok    %s — %s (%zu run)\n", "ok    %s — %s (%zu runs)\n", f.nruns), path, f.name,
           f.nruns);
  }
  if (!t->json && !t->junit && t->logs.len) fputs(kz_strbuf_str(&t->logs), stdout);
done:
  if (loaded) kz_fixture_free(&f);
  kz_diag_clear(&problems);
  t->f = NULL;
  return rc;
}

/* }====== */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml files of dir, sorted, into a NULL-terminated owned list. */
static char **list_dir(const char *dir) {
  DIR *dp = opendir(dir);
  char **v = NULL;
  size_t n = 0;
  if (!dp) return NULL;
  struct dirent *de;
  const char *sep = dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/";
  int oom = 0;
  while (!oom && (de = readdir(dp))) {
    size_t len = strlen(de->d_name);
    if (de->d_name[0] == '.') continue;
    size_t sz = strlen(dir) + len + 2;
    char *path = malloc(sz);
    if (!path) { oom = 1; break; }
    snprintf(path, sz, "%s%s%s", dir, sep, de->d_name);
    struct stat st;
    if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0 ||
        (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
      const char *dot = strrchr(de->d_name, '.');
      if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))   /* not searched: said, not skipped */
        fprintf(stderr, _("kizuki test: %s/ is a folder: its fixtures are not run (give it as "
                          "an argument of its own)\n"), path);
      else if (dot && (strcasecmp(dot, ".yml") == 0 || strcasecmp(dot, ".yaml") == 0))
        fprintf(stderr, _("kizuki test: %s is not run: a fixture file's name ends in "
                          "\".yaml\"\n"), path);
      free(path);
      continue;
    }
    char **nv = realloc(v, (n + 2) * sizeof *nv);
    if (!nv) { free(path); oom = 1; break; }
    v = nv;
    v[n] = path;
    v[++n] = NULL;
  }
  closedir(dp);
  if (oom) {                                     /* a partial list would drop fixtures */
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
    return NULL;
  }
  if (!v) v = calloc(1, sizeof *v);
  else qsort(v, n, sizeof *v, cmp_str);
  return v;
}

int kz_cmd_test(int argc, char **argv) {
  static const struct option opts[] = {
    {"run", required_argument, NULL, 'n'}, {"format", required_argument, NULL, 'f'},
    {"rules", required_argument, NULL, 'r'}, {"profile", required_argument, NULL, 'p'},
    {"coverage", no_argument, NULL, 'C'}, {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  struct tester t = {0};
  const char *pattern = NULL;
  int ch, rc = KZ_EXIT_OK;
  kz_trace_init(&t.log, 0, 1000);     /* kz.log lines kept per run */
  t.rules = NULL;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'n': pattern = optarg; break;
      case 'f':
        t.json = strcmp(optarg, "json") == 0;
        t.junit = strcmp(optarg, "junit") == 0;
        if (!t.json && !t.junit && strcmp(optarg, "text") != 0) {
          fprintf(stderr, _("kizuki test: --format must be text, json or junit, not '%s'\n"),
                  optarg);
          return KZ_EXIT_USAGE;
        }
        break;
      case 'r': t.rules = optarg; break;
      case 'p': t.profile = optarg; break;
      case 'C': t.coverage = 1; break;
      case 'v': t.verbose = 1; break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("test", argc, argv, USAGE);
    }
  }
  char rules_buf[1024];   /* --rules, $KIZUKI_RULES, ./rules or the installed rules */
  if (kz_cli_rules_dir("test", "--rules DIR", t.rules, rules_buf,
                       sizeof rules_buf))
    return KZ_EXIT_USAGE;
  t.rules = rules_buf;
  static char *const default_args[] = {"fixtures/", NULL};
  char *const *args = optind < argc ? argv + optind : default_args;
  int nargs = optind < argc ? argc - optind : 1;
  for (int a = 0; a < nargs && rc == KZ_EXIT_OK; a++) {
    struct stat sb;
    if (stat(args[a], &sb) == 0 && S_ISDIR(sb.st_mode)) {
      char **files = list_dir(args[a]);
      if (!files) {
        fprintf(stderr, _("kizuki test: cannot read the folder %s\n"), args[a]);
        rc = KZ_EXIT_USAGE;
        break;
      }
      for (size_t i = 0; files[i]; i++) {
        if (rc == KZ_EXIT_OK) rc = test_one(&t, files[i], pattern);
        free(files[i]);
      }
      free(files);
    } else {
      rc = test_one(&t, args[a], pattern);     /* a missing file is a load error */
    }
  }
  if (rc == KZ_EXIT_OK) {
    if (t.json)
      printf("{\"fixtures\":[%s],\"passed\":%lld,\"failed\":%lld}\n", kz_strbuf_str(&t.out),
             t.passed, t.failed);
    if (t.junit)
      printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kizuki test\" "
             "tests=\"%lld\" failures=\"%lld\" errors=\"%lld\">\n%s</testsuites>\n",
             t.cases_xml, t.failures_xml, t.errors_xml, kz_strbuf_str(&t.out));
    int quiet = t.json || t.junit;     /* stdout is one document */
    if (t.coverage) cover_print(&t, quiet ? stderr : stdout);
    fprintf(quiet ? stderr : stdout, _("%lld passed, %lld failed\n"), t.passed, t.failed);
    rc = t.load_errors ? KZ_EXIT_USAGE : t.failed ? KZ_EXIT_FIXTURE_FAILED : KZ_EXIT_OK;
    if (t.passed + t.failed == 0) {   /* nothing tested is not "all passed" */
      if (pattern)
        fprintf(stderr, _("kizuki test: no fixture matches --run '%s'; nothing was tested\n"),
                pattern);
      else
        fprintf(stderr, "%s", _("kizuki test: no fixture file (*.yaml) was found; nothing was "
                                "tested\n"));
      rc = KZ_EXIT_USAGE;
    }
  }
  kz_strbuf_free(&t.out);
  kz_strbuf_free(&t.text);
  kz_strbuf_free(&t.runs_json);
  kz_strbuf_free(&t.logs);
  kz_strbuf_free(&t.xml);
  kz_trace_free(&t.log);
  for (size_t i = 0; i < t.ncov; i++) free(t.cov[i].rule);
  free(t.cov);
  return rc;
}
