/*
** cmd_trace.c — `kizuki trace`: its options and exit codes. Running the rule
** on the household and writing what happened is trace_run.c.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "kizuki.h"
#include "run.h"
#include "suggest.h"
#include "trace.h"

static const char USAGE[] =
  "usage: kizuki trace RULE --cases PF.db --household ID [--as-of DATE]\n"
  "                    [--rules DIR] [--profile FILE] [--format text|json]\n"
  "\n"
  "Run one rule on one household, as the nightly run would, and show what it\n"
  "did: each vocabulary call (kz.* and the household's and records' methods)\n"
  "with its arguments and result, each record it read (table, id, the fields\n"
  "read), its kz.log lines, and its findings, or why there are none (the\n"
  "check returned nil or an empty list; the household lacks the records the\n"
  "rule `needs`; it has no child or mother to check; it returned a plain\n"
  "table instead of kz.finding{...}). Nothing is written.\n"
  "\n"
  "  --cases FILE      the PF case DB (SQLite)\n"
  "  --household ID    the household to trace\n"
  "  --as-of DATE      the run date, YYYY-MM-DD (default: today)\n"
  "  --rules DIR       the rules folder (default: $KIZUKI_RULES, else ./rules,\n"
  "                    else the installed PREFIX/share/kizuki/rules)\n"
  "  --profile FILE    the municipality profile (default: DIR/kizuki.yaml)\n"
  "  --format FMT      text (default, for people) or json (one document)\n"
  "\n"
  "Exit codes: 0 traced (the rule fired or not: the last line says which and\n"
  "why); 2 usage, unknown rule, profile or rule-load error; 3 the rule raised\n"
  "an error or returned something that is not a finding; 4 the case DB cannot\n"
  "be read; 8 the household's case data is invalid (quarantined: the nightly\n"
  "run does not evaluate it); 9 no such household in the case DB as of DATE.\n";

/* The rule named id, or NULL after saying so (with the nearest rule id). */
static const struct kz_rule *find_rule(const struct kz_engine *e, const char *id) {
  const struct kz_rule *r = kz_ruleset_find(&e->rules, id);
  if (r) return r;
  const char **ids = malloc((e->rules.n + 1) * sizeof *ids);
  const char *hint = NULL;
  if (ids) {
    for (size_t i = 0; i < e->rules.n; i++) ids[i] = e->rules.rules[i].id;
    hint = e->rules.n ? kz_suggest(id, ids, e->rules.n) : NULL;
  }
  if (hint) fprintf(stderr, _("kizuki trace: no rule '%s' (did you mean '%s'?)\n"), id, hint);
  else fprintf(stderr, _("kizuki trace: no rule '%s' (`kizuki rules` lists them)\n"), id);
  free(ids);
  return NULL;
}

int kz_cmd_trace(int argc, char **argv) {
  static const struct option opts[] = {
    {"cases", required_argument, NULL, 'c'}, {"household", required_argument, NULL, 'H'},
    {"as-of", required_argument, NULL, 'a'}, {"rules", required_argument, NULL, 'r'},
    {"profile", required_argument, NULL, 'p'}, {"format", required_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  const char *cases = NULL, *household = NULL, *rules = NULL, *profile = NULL;
  int json = 0, ch;
  kz_day as_of = kz_cli_today();
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 'c': cases = optarg; break;
      case 'H': household = optarg; break;
      case 'a': if (kz_cli_parse_date("--as-of", optarg, &as_of)) return KZ_EXIT_USAGE; break;
      case 'r': rules = optarg; break;
      case 'p': profile = optarg; break;
      case 'f':
        if (strcmp(optarg, "json") == 0) json = 1;
        else if (strcmp(optarg, "text") != 0) {
          fprintf(stderr, _("kizuki trace: --format must be text or json, not '%s'\n"), optarg);
          return KZ_EXIT_USAGE;
        }
        break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("trace", argc, argv, USAGE);
    }
  }
  if (optind != argc - 1 || !cases || !household) {
    fprintf(stderr, _("kizuki trace: one RULE, --cases and --household are required\n"));
    fputs(USAGE, stderr);
    return KZ_EXIT_USAGE;
  }
  const char *rule_id = argv[optind];

  struct kz_engine e;
  struct kz_diag d = {0};
  struct kz_trace tr;
  struct kz_trace_result res = {0};
  sqlite3 *db = NULL;
  char rules_buf[1024];   /* --rules, $KIZUKI_RULES, ./rules or the installed rules */
  if (kz_cli_rules_dir("trace", "--rules DIR", rules, rules_buf, sizeof rules_buf))
    return KZ_EXIT_USAGE;
  kz_trace_init(&tr, 1, 0);
  int rc = kz_cli_open_engine(&e, "trace", rules_buf, profile, "was traced");
  if (rc != KZ_EXIT_OK) return rc;
  const struct kz_rule *r = find_rule(&e, rule_id);
  if (!r) {
    rc = KZ_EXIT_USAGE;
    goto done;
  }
  rc = kz_cli_open_cases(cases, &db, &d);
  if (rc != KZ_EXIT_OK) goto done;
  rc = kz_trace_rule(&e, db, r, household, as_of, &tr, &res, &d);
  if (rc == KZ_EXIT_OK || rc == KZ_EXIT_RULE_ERROR) {
    if (json) kz_trace_print_json(&e, r, household, as_of, &tr, &res, stdout);
    else kz_trace_print_text(&e, r, household, as_of, &tr, &res, stdout);
  } else if (rc == KZ_EXIT_NOT_FOUND) {
    char day[KZ_DATE_LEN];
    fprintf(stderr, _("kizuki trace: household %s is not in %s as of %s (no such id, or none of "
                      "its records was recorded by then)\n"), household, cases,
            kz_date_format(as_of, day));
  } else if (rc == KZ_EXIT_QUARANTINE) {
    fprintf(stderr, _("kizuki trace: household %s is quarantined: its case data breaks the "
                      "contract, so the nightly run does not evaluate it (its open tasks are "
                      "kept). The offending rows:\n"), household);
  }
done:
  kz_diag_print(&d, stderr);
  kz_diag_clear(&d);
  kz_trace_result_free(&res);
  kz_trace_free(&tr);
  if (db) sqlite3_close(db);
  kz_engine_close(&e);
  return rc;
}
