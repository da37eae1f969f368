/*
** main.c — the kizuki command: dispatch to a subcommand.
*/
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "kizuki.h"

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

int main(int argc, char **argv) {
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
  fprintf(stderr, "kizuki: unknown command '%s'\n\n%s", argv[1], USAGE);
  return KZ_EXIT_USAGE;
}
