/*
** cmd_rules.c — `kizuki rules`: the rule catalogue as it is loaded — id,
** title, label, subject, unit, severity, due, backlog, the tables it needs,
** params with their current values — as text, Markdown (docs/rules.md is made from it) or JSON;
** with --vocabulary, the words rules speak (engine/vocab_words.c; docs/authoring.md §6 is made
** from its Markdown).
*/
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "kizuki.h"
#include "run.h"
#include "strbuf.h"
#include "vocab.h"

static const char USAGE[] =
  "usage: kizuki rules [DIR | --rules DIR] [--format text|markdown|json] [--profile FILE]\n"
  "       kizuki rules --vocabulary [--format text|markdown|json]\n"
  "\n"
  "List every rule of DIR (default: $KIZUKI_RULES, else ./rules, else the\n"
  "installed PREFIX/share/kizuki/rules) as it is loaded: id, title, policy\n"
  "label, subject, unit, severity, due, backlog (a trigger older than\n"
  "open_within_days opens a backlog task, with no due date; `never` for a rule\n"
  "about a child's safety now, declared with backlog = false), the tables it\n"
  "needs (households without records of them are skipped), and the params it\n"
  "reads with their current values from the profile. `make docs` writes docs/rules.md from the\n"
  "Markdown form.\n"
  "\n"
  "--vocabulary lists instead every word rules may use (kz.*, hh:..., person:age):\n"
  "how it is called, where it is defined, what it means and the RULES.md sentence\n"
  "it implements. `make docs` puts its Markdown form into docs/authoring.md.\n";

/* The vocabulary in format (text, markdown or json) on stdout. */
static int print_vocabulary(const char *format) {
  struct kz_strbuf b = {0};
  if (strcmp(format, "markdown") == 0) {
    kz_vocab_markdown(&b);
  } else if (strcmp(format, "json") == 0) {
    kz_strbuf_adds(&b, "[");
    for (const struct kz_vocab_word *w = kz_vocab_words; w->name; w++) {
      kz_strbuf_adds(&b, w == kz_vocab_words ? "\n  {" : ",\n  {");
      kz_strbuf_add_json_field(&b, "name", w->name, 1);
      kz_strbuf_add_json_field(&b, "signature", w->signature, 0);
      kz_strbuf_add_json_field(&b, "defined_in", w->where, 0);
      kz_strbuf_add_json_field(&b, "ja", w->ja, 0);
      kz_strbuf_add_json_field(&b, "en", w->en, 0);
      kz_strbuf_add_json_field(&b, "rules_md", w->rules, 0);
      kz_strbuf_adds(&b, "}");
    }
    kz_strbuf_adds(&b, "\n]\n");
  } else {
    for (const struct kz_vocab_word *w = kz_vocab_words; w->name; w++)
      kz_strbuf_addf(&b, "%-34s %s\n    %s\n", w->signature, w->where, w->en);
  }
  int rc = KZ_EXIT_OK;
  if (b.oom || fputs(kz_strbuf_str(&b), stdout) == EOF || fflush(stdout)) {
    fputs(_("kizuki rules: cannot write the vocabulary to standard output\n"), stderr);
    rc = KZ_EXIT_USAGE;
  }
  kz_strbuf_free(&b);
  return rc;
}

/* "<ward>.health_center" or "city.child_guidance": the unit pattern. */
static void unit_pattern(const struct kz_profile *p, const char *agency, char *out, size_t n) {
  const struct kz_agency *a = kz_profile_agency(p, agency);
  snprintf(out, n, "%s.%s", a && a->city_level ? "city" : "<ward>", agency);
}

static void due_text(const struct kz_rule *r, char *out, size_t n) {
  snprintf(out, n, "%d %s", r->due_days, r->due_calendar ? "calendar days" : "business days");
}

/* How old a trigger of r may be before its task opens in the backlog (the
** rule's open_within_days, else the profile's); -1: never backlog. */
static int backlog_after(const struct kz_profile *p, const struct kz_rule *r) {
  if (r->never_backlog) return -1;
  if (r->open_within_days >= 0) return r->open_within_days;
  const struct kz_param *pa = kz_profile_param(p, "open_within_days");
  return pa ? (int)pa->value : 180;
}

static void backlog_text(const struct kz_profile *p, const struct kz_rule *r, char *out, size_t n) {
  int days = backlog_after(p, r);
  if (days < 0) snprintf(out, n, "never");
  else snprintf(out, n, "after %d days", days);
}

/* The params of r as "name=value, ..." (maps as name={k=v, ...}). */
static void params_text(const struct kz_profile *p, const struct kz_rule *r, struct kz_strbuf *b) {
  for (size_t i = 0; i < r->nparams; i++) {
    const struct kz_param *pa = kz_profile_param(p, r->params[i]);
    kz_strbuf_addf(b, "%s%s=", i ? ", " : "", r->params[i]);
    if (!pa) { kz_strbuf_adds(b, "?"); continue; }
    if (!pa->fields) { kz_strbuf_addf(b, "%g", pa->value); continue; }
    kz_strbuf_adds(b, "{");
    for (size_t j = 0; j < pa->nfields; j++)
      kz_strbuf_addf(b, "%s%s=%g", j ? ", " : "", pa->fields[j].name, pa->fields[j].value);
    kz_strbuf_adds(b, "}");
  }
}

/* The tables r needs, as "a, b" (quoted: "\"a\",\"b\"" for JSON). */
static void needs_text(const struct kz_rule *r, int json, struct kz_strbuf *b) {
  int first = 1;
  for (int t = 0; t < KZ_NTABLES; t++) {
    if (!(r->needs & ((uint32_t)1 << t))) continue;
    kz_strbuf_adds(b, first ? "" : json ? "," : ", ");
    if (json) kz_strbuf_add_json_string(b, kz_tables[t].name, strlen(kz_tables[t].name));
    else kz_strbuf_adds(b, kz_tables[t].name);
    first = 0;
  }
}

static void print_json(const struct kz_engine *e) {
  struct kz_strbuf b = {0};
  char unit[128];
  kz_strbuf_adds(&b, "[");
  for (size_t i = 0; i < e->rules.n; i++) {
    const struct kz_rule *r = &e->rules.rules[i];
    unit_pattern(&e->prof, r->agency, unit, sizeof unit);
    kz_strbuf_adds(&b, i ? ",\n {" : "\n {");
    kz_strbuf_add_json_field(&b, "id", r->id, 1);
    kz_strbuf_add_json_field(&b, "title", r->title, 0);
    kz_strbuf_add_json_field(&b, "label", r->label, 0);
    kz_strbuf_add_json_field(&b, "description", r->description, 0);
    kz_strbuf_add_json_field(&b, "subject", kz_subjects[r->subject].name, 0);
    kz_strbuf_add_json_field(&b, "agency", r->agency, 0);
    kz_strbuf_add_json_field(&b, "unit", unit, 0);
    kz_strbuf_add_json_field(&b, "severity", r->severity, 0);
    kz_strbuf_addf(&b, ",\"due_days\":%d", r->due_days);
    kz_strbuf_add_json_field(&b, "due_unit", r->due_calendar ? "calendar" : "business", 0);
    if (backlog_after(&e->prof, r) < 0) kz_strbuf_adds(&b, ",\"backlog\":false,\"open_within_days\":null");
    else kz_strbuf_addf(&b, ",\"backlog\":true,\"open_within_days\":%d", backlog_after(&e->prof, r));
    kz_strbuf_add_json_field(&b, "file", r->file, 0);
    kz_strbuf_addf(&b, ",\"line\":%d", r->line);
    kz_strbuf_add_json_field(&b, "version", r->version, 0);
    kz_strbuf_adds(&b, ",\"needs\":[");
    needs_text(r, 1, &b);
    kz_strbuf_adds(&b, "],\"params\":{");
    for (size_t j = 0; j < r->nparams; j++) {
      const struct kz_param *pa = kz_profile_param(&e->prof, r->params[j]);
      kz_strbuf_adds(&b, j ? "," : "");
      kz_strbuf_add_json_string(&b, r->params[j], strlen(r->params[j]));
      if (!pa) { kz_strbuf_adds(&b, ":null"); continue; }
      if (!pa->fields) { kz_strbuf_addf(&b, ":%g", pa->value); continue; }
      kz_strbuf_adds(&b, ":{");
      for (size_t k = 0; k < pa->nfields; k++) {
        kz_strbuf_adds(&b, k ? "," : "");
        kz_strbuf_add_json_string(&b, pa->fields[k].name, strlen(pa->fields[k].name));
        kz_strbuf_addf(&b, ":%g", pa->fields[k].value);
      }
      kz_strbuf_adds(&b, "}");
    }
    kz_strbuf_adds(&b, "}}");
  }
  kz_strbuf_adds(&b, "\n]\n");
  fputs(kz_strbuf_str(&b), stdout);
  kz_strbuf_free(&b);
}

static void print_markdown(const struct kz_engine *e) {
  struct kz_strbuf b = {0};
  char unit[128], due[64], backlog[64];
  printf("# The rule catalogue (generated)\n\n"
         "Generated by `kizuki rules --format markdown` from `rules/` and the thresholds\n"
         "in `rules/kizuki.yaml` (`make docs`); do not edit by hand. %zu rules.\n\n",
         e->rules.n);
  printf("| id | label | title | subject | unit | severity | due | backlog | needs | params |\n"
         "|---|---|---|---|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < e->rules.n; i++) {
    const struct kz_rule *r = &e->rules.rules[i];
    unit_pattern(&e->prof, r->agency, unit, sizeof unit);
    due_text(r, due, sizeof due);
    backlog_text(&e->prof, r, backlog, sizeof backlog);
    struct kz_strbuf nb = {0};
    needs_text(r, 0, &nb);
    kz_strbuf_reset(&b);
    params_text(&e->prof, r, &b);
    printf("| `%s` | %s | %s | %s | `%s` | %s | %s | %s | %s | %s |\n", r->id, r->label, r->title,
           kz_subjects[r->subject].name, unit, r->severity, due, backlog,
           nb.len ? kz_strbuf_str(&nb) : "-", kz_strbuf_str(&b));
    kz_strbuf_free(&nb);
  }
  printf("\nbacklog: a finding whose trigger (since) is older than this when its task is not\n"
         "open opens a backlog task (no due date, never escalated, listed apart); `never`:\n"
         "a rule about a child's safety now (`backlog = false`) always opens a normal task.\n");
  printf("\n## Rules in detail\n");
  for (size_t i = 0; i < e->rules.n; i++) {
    const struct kz_rule *r = &e->rules.rules[i];
    printf("\n### `%s` — %s\n\n", r->id, r->title);
    printf("- policy label: %s\n- defined at: `%s:%d`\n", r->label, r->file, r->line);
    if (r->description) printf("- %s\n", r->description);
  }
  kz_strbuf_free(&b);
}

static void print_text(const struct kz_engine *e) {
  struct kz_strbuf b = {0};
  char unit[128], due[64], backlog[64];
  for (size_t i = 0; i < e->rules.n; i++) {
    const struct kz_rule *r = &e->rules.rules[i];
    unit_pattern(&e->prof, r->agency, unit, sizeof unit);
    due_text(r, due, sizeof due);
    backlog_text(&e->prof, r, backlog, sizeof backlog);
    kz_strbuf_reset(&b);
    params_text(&e->prof, r, &b);
    struct kz_strbuf nb = {0};
    needs_text(r, 0, &nb);
    printf("%-24s %s  [%s]\n  subject %s, unit %s, severity %s, due %s, backlog %s%s%s\n  %s:%d%s%s\n",
           r->id, r->title, r->label, kz_subjects[r->subject].name, unit, r->severity, due, backlog,
           nb.len ? ", needs " : "", kz_strbuf_str(&nb), r->file, r->line,
           b.len ? "  params: " : "", kz_strbuf_str(&b));
    kz_strbuf_free(&nb);
  }
  kz_strbuf_free(&b);
}

int kz_cmd_rules(int argc, char **argv) {
  static const struct option opts[] = {
    {"format", required_argument, NULL, 'f'}, {"profile", required_argument, NULL, 'p'},
    {"vocabulary", no_argument, NULL, 'v'}, {"rules", required_argument, NULL, 'r'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  const char *format = "text", *profile = NULL, *dir = NULL;
  int ch, vocabulary = 0;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'f': format = optarg; break;
      case 'p': profile = optarg; break;
      case 'v': vocabulary = 1; break;
      case 'r': dir = optarg; break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("rules", argc, argv, USAGE);
    }
  }
  if (optind < argc) dir = argv[optind++];
  if (optind < argc || (strcmp(format, "text") && strcmp(format, "markdown") && strcmp(format, "json"))) {
    fprintf(stderr, "kizuki rules: %s\n%s", optind < argc ? _("unexpected argument")
            : _("--format must be text, markdown or json"), USAGE);
    return KZ_EXIT_USAGE;
  }
  if (vocabulary) return print_vocabulary(format);
  char rules_buf[1024];   /* DIR or --rules, $KIZUKI_RULES, ./rules or the installed rules */
  if (kz_cli_rules_dir("rules", "--rules DIR", dir, rules_buf,
                       sizeof rules_buf))
    return KZ_EXIT_USAGE;
  dir = rules_buf;
  struct kz_engine e;
  int rc = kz_cli_open_engine(&e, "rules", dir, profile, N_("listed"));
  if (rc != KZ_EXIT_OK) return rc;
  if (strcmp(format, "json") == 0) print_json(&e);
  else if (strcmp(format, "markdown") == 0) print_markdown(&e);
  else print_text(&e);
  kz_engine_close(&e);
  return KZ_EXIT_OK;
}
