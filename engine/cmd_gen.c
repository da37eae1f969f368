/*
** cmd_gen.c — the `kizuki gen` subcommand: options, the profile, progress
** and the closing summary. The city itself is made by gen.c.
*/
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "cli.h"
#include "diag.h"
#include "gen.h"
#include "i18n.h"
#include "kizuki.h"
#include "profile.h"

static const char gen_usage[] =
  "usage: kizuki gen --households N --seed S --out PF.db [--until DATE]\n"
  "                  [--profile FILE] [--force] [--quiet]\n"
  "\n"
  "Generate a synthetic city in the PF case schema: households weighted by\n"
  "the profile's ward populations, their children, pregnancies, checkups,\n"
  "welfare, moves, reports and agency support, with a few households per\n"
  "10,000 planted so that every rule fires at the --until date. The same\n"
  "seed gives the same rows on every machine.\n"
  "\n"
  "  --households N   how many households (1 to 10,000,000)\n"
  "  --seed S         the random seed, an unsigned integer (default 1)\n"
  "  --out PF.db      the case database to create\n"
  "  --until DATE     the snapshot date, YYYY-MM-DD; nothing happens later\n"
  "                   (default " KZ_GEN_DEFAULT_UNTIL ")\n"
  "  --profile FILE   the municipality profile (default: kizuki.yaml in the\n"
  "                   rules folder: $KIZUKI_RULES, ./rules or the installed one)\n"
  "  --force          replace --out if it exists\n"
  "  --quiet          no progress or summary on stderr\n"
  "  --help           this text\n";

static void gen_progress(void *ctx, long done, long total) {
  (void)ctx;
  fprintf(stderr, "\rgen: %ld/%ld households", done, total);
  if (done == total) fputc('\n', stderr);
  fflush(stderr);
}

/* Parse a whole decimal number into *out; returns 0 or -1. */
static int gen_parse_u64(const char *s, unsigned long long max, unsigned long long *out) {
  char *end;
  if (!s || !*s || *s == '-' || *s == '+') return -1;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max) return -1;
  *out = v;
  return 0;
}

static int gen_bad(const char *fmt, const char *arg) {
  fprintf(stderr, "kizuki gen: ");
  fprintf(stderr, _(fmt), arg);
  fprintf(stderr, _("\n(see kizuki gen --help)\n"));
  return KZ_EXIT_USAGE;
}

/* `kizuki gen`: see gen_usage. Exit codes: 0 done; KZ_EXIT_USAGE for bad
** options, an unreadable profile or an --out that exists; KZ_EXIT_CASES when
** the database cannot be written. */
int kz_cmd_gen(int argc, char **argv) {
  static const struct option longopts[] = {
    {"households", required_argument, NULL, 'n'},
    {"seed", required_argument, NULL, 's'},
    {"out", required_argument, NULL, 'o'},
    {"until", required_argument, NULL, 'u'},
    {"profile", required_argument, NULL, 'p'},
    {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};
  struct kz_profile prof;
  struct kz_diag diag = {0};
  struct kz_gen_opts o;
  struct kz_gen_stats st;
  const char *out = NULL, *profile = NULL;
  unsigned long long v;
  int force = 0, quiet = 0, have_profile = 0, c, rc = KZ_EXIT_USAGE;

  memset(&o, 0, sizeof o);
  memset(&prof, 0, sizeof prof);
  o.seed = 1;
  kz_date_parse(KZ_GEN_DEFAULT_UNTIL, &o.until);
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (c) {
    case 'n':
      if (gen_parse_u64(optarg, 10000000ull, &v) || v < 1)
        return gen_bad("--households wants a whole number from 1 to 10000000, not '%s'", optarg);
      o.households = (long)v;
      break;
    case 's':
      if (gen_parse_u64(optarg, UINT64_MAX, &v))
        return gen_bad("--seed wants an unsigned integer, not '%s'", optarg);
      o.seed = (uint64_t)v;
      break;
    case 'o': out = optarg; break;
    case 'u':
      if (kz_date_parse(optarg, &o.until))
        return gen_bad("--until wants a date YYYY-MM-DD, not '%s'", optarg);
      break;
    case 'p': profile = optarg; break;
    case 'f': force = 1; break;
    case 'q': quiet = 1; break;
    case 'h': fputs(gen_usage, stdout); return KZ_EXIT_OK;
    case ':': return gen_bad("%s needs a value", argv[optind - 1]);
    default: return gen_bad("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return gen_bad("unexpected argument '%s'", argv[optind]);
  if (o.households < 1) return gen_bad("%s", _("--households N is required"));
  if (!out || !*out) return gen_bad("%s", _("--out PF.db is required"));
  if (!force && access(out, F_OK) == 0)
    return gen_bad("'%s' already exists; use --force to replace it", out);

  char rules_dir[1024], profile_buf[1024];   /* the profile of the rules folder kizuki reads */
  if (!profile) {
    if (kz_cli_rules_dir("gen", "--profile FILE", NULL, rules_dir, sizeof rules_dir)) goto done;
    kz_cli_profile_path(rules_dir, NULL, profile_buf, sizeof profile_buf);
    profile = profile_buf;
  }
  if (kz_profile_load(&prof, profile, &diag) != 0) {
    kz_diag_print(&diag, stderr);
    fprintf(stderr, "kizuki gen: cannot use the profile %s\n", profile);
    goto done;
  }
  have_profile = 1;
  o.profile = &prof;
  if (!quiet && isatty(fileno(stderr))) o.progress = gen_progress;
  if (kz_gen_file(out, force, &o, &st, &diag) != 0) {
    kz_diag_print(&diag, stderr);
    rc = KZ_EXIT_CASES;
    goto done;
  }
  if (!quiet) {
    fprintf(stderr, "gen: %ld households, %lld persons, %lld rows in %.2f s -> %s\n",
            st.households, st.rows[KZ_GEN_PERSONS], st.total, st.seconds, out);
  }
  rc = KZ_EXIT_OK;
done:
  if (have_profile) kz_profile_free(&prof);
  kz_diag_clear(&diag);
  return rc;
}
