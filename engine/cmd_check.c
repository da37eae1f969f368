/*
** cmd_check.c — `kizuki check`: load and validate the profile and every
** rule without touching any database; report every problem at once.
*/
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "kizuki.h"
#include "run.h"

static const char USAGE[] =
  "usage: kizuki check [DIR] [--profile FILE]\n"
  "\n"
  "Load the profile (DIR/kizuki.yaml) and every rule file of DIR (default:\n"
  "rules) as a run would, without opening any database, and report every\n"
  "problem with its file and line. Exit 0 when clean, 2 otherwise.\n";

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
      default: fputs(USAGE, stderr); return KZ_EXIT_USAGE;
    }
  }
  if (optind < argc) dir = argv[optind++];
  if (optind < argc) {
    fprintf(stderr, "kizuki check: unexpected argument '%s'\n%s", argv[optind], USAGE);
    return KZ_EXIT_USAGE;
  }
  char profile_path[1024];
  kz_cli_profile_path(dir, profile, profile_path, sizeof profile_path);
  struct kz_diag d = {0};
  struct kz_engine e;
  if (kz_engine_open(&e, dir, profile_path, &d)) {
    kz_diag_print(&d, stderr);
    fprintf(stderr, "kizuki check: %zu problem(s)\n", d.n);
    kz_diag_clear(&d);
    return KZ_EXIT_USAGE;
  }
  printf("%s: %zu rules, profile %s: ok (digest %s)\n", dir, e.rules.n, profile_path,
         e.rules.digest);
  kz_engine_close(&e);
  return KZ_EXIT_OK;
}
