/*
** cmd_export.c — `kizuki export`: tasks as files for other people and
** systems, written by task_out.c (the one CSV dialect, or JSON Lines); one
** file, or one per unit in a folder. Every file is written beside its final
** name and renamed into place, mode 0600.
*/
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "db_open.h"
#include "kizuki.h"
#include "i18n.h"
#include "strbuf.h"
#include "task_out.h"
#include "task_query.h"
#include "task_view.h"

static const char USAGE[] =
  "usage: kizuki export --tasks TASKS.db --out PATH [--format csv|jsonl] [--per-unit]\n"
  "                     [--status S] [--unit U | --ward W] [--severity S] [--rule R]\n"
  "                     [--overdue] [--opened-since DATE] [--backlog | --no-backlog]\n"
  "                     [--as-of DATE] [--rules DIR] [--profile FILE]\n"
  "\n"
  "Write tasks (most severe first, then by due date) to files:\n"
  "  csv    UTF-8 with a BOM, Japanese headers, RFC 4180 quoting and CRLF line\n"
  "         ends: Excel opens it as it is (default). Staff's names (担当 中央区\n"
  "         区保健センター, 区, 機関種別, 規則 and 規則区分, 重大度, 状態, 根拠\n"
  "         通告 E0000067（受理 2024-09-30）), then the codes in columns of\n"
  "         their own (…コード) for other systems. A cell beginning with = + -\n"
  "         @, a tab or a CR gets a leading ' (a spreadsheet never runs it).\n"
  "         `kizuki tasks --format csv` writes the same.\n"
  "  jsonl  JSON Lines: one task object a line, evidence as JSON, for other\n"
  "         systems; always valid UTF-8 (a byte that is not is replaced by\n"
  "         U+FFFD, and stderr says how many were)\n"
  "\n"
  "  --tasks TASKS.db  the task DB `kizuki run` writes (opened read-only)\n"
  "  --out PATH        the file to write; with --per-unit, the folder (created\n"
  "                    if missing) that gets one file per unit, UNIT.csv or\n"
  "                    UNIT.jsonl; every unit that ever held a task gets a\n"
  "                    file, with only the header when it has none now\n"
  "  --per-unit        one file per unit instead of one file with a unit column\n"
  "  --status S        open (default), cleared, done or all\n"
  "  --unit, --ward, --severity, --rule, --overdue, --opened-since, --as-of\n"
  "                    filter as in `kizuki tasks`: codes or Japanese names\n"
  "                    (中央区, 中央区保健センター); an unknown value is an\n"
  "                    error (exit 2) naming the nearest; overdue is judged at\n"
  "                    the task DB's latest run unless --as-of says otherwise\n"
  "  --backlog         only backlog tasks (a stale trigger: no due date, never\n"
  "                    escalated, for a review); --no-backlog: none of them.\n"
  "                    By default both, after the dated tasks of each severity,\n"
  "                    marked in the バックログ column or \"backlog\": true\n"
  "  --rules DIR       the rules folder, for rule titles and staff's names of\n"
  "                    units, wards and agencies (default: $KIZUKI_RULES,\n"
  "                    ./rules or the installed rules); when it cannot be\n"
  "                    loaded, codes are written (stderr says so)\n"
  "  --profile FILE    the municipality profile (default: DIR/kizuki.yaml)\n"
  "\n"
  "Files are written under a temporary name and renamed into place, mode 0600\n"
  "(owner only: they name households). An --out that is the task DB or any\n"
  "SQLite database is refused. Exit codes: 0 ok; 2 usage error, an unknown\n"
  "filter value or a refused --out; 5 the task DB is missing or not a kizuki\n"
  "task DB, or a file cannot be written.\n";

/* What every file of one export is written with. */
struct export {
  sqlite3 *db;
  const struct kz_profile *prof;
  const struct kz_ruleset *rules;
  enum kz_out_format format;
  const char *tasks;          /* the task DB's path: never replaced */
  long long replaced;         /* bytes that were not UTF-8, over every file */
};

/* -1 with d when path must not be replaced: it is the task DB (or one of
** its companions) or any SQLite database, such as the case DB. */
static int refuse_target(const char *path, const char *tasks, struct kz_diag *d) {
  if (kz_db_refuse_same("--out", path, "the task DB", tasks, d)) return -1;
  if (!kz_db_is_database_file(path)) return 0;
  kz_diag_add(d, path, 0, 0, "is a SQLite database (a case or task DB?); refused, an export never "
              "replaces one: give another --out");
  return -1;
}

/* 1 when path is a stream, not a file to replace: a device, a FIFO or a
** socket (/dev/null, a named pipe), or a name that leads into /proc
** (/dev/stdout -> /proc/self/fd/1, /dev/fd/N), whatever fd 1 is. Renaming a
** temporary over such a name replaced the device node or the link itself:
** as root, `export --out /dev/null` left a 0600 regular file at /dev/null,
** and `--out /dev/stdout` wrote nothing to stdout ("37 tasks in
** /dev/stdout") and a file where the link was. These are written straight. */
static int is_stream(const char *path) {
  struct stat sb;
  char link[64], dir[PATH_MAX], real[PATH_MAX];
  if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) return 1;
  ssize_t n = readlink(path, link, sizeof link - 1);
  if (n > 0) {
    link[n] = '\0';
    if (strncmp(link, "/proc/", 6) == 0) return 1;
  }
  const char *slash = strrchr(path, '/');
  if (!slash) return 0;
  snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + 1, path);
  return realpath(dir, real) && strncmp(real, "/proc/", 6) == 0;
}

/* Write the header (CSV) and every task f selects to out through the one
** writer (task_out.c). Returns the number of tasks written, or -1 with d. */
static long long write_rows(FILE *out, struct export *x, const struct kz_taskq_filter *f,
                            struct kz_diag *d) {
  struct kz_task_out o = {0};
  long long n = -1;
  o.f = out;
  o.format = x->format;
  o.prof = x->prof;
  o.rules = x->rules;
  kz_task_out_begin(&o);
  if (kz_taskq_each(x->db, f, kz_task_out_row, &o, d) == 0) n = o.n;
  else if (o.oom) kz_diag_add(d, NULL, 0, 0, "out of memory");
  kz_task_out_end(&o);
  x->replaced += o.replaced;
  kz_task_out_free(&o);
  return n;
}

/* Write the tasks f selects straight to the stream at path (is_stream). */
static long long write_stream(struct export *x, const struct kz_taskq_filter *f, const char *path,
                              struct kz_diag *d) {
  long long n = -1, count = 0;
  int fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
  FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!out) {
    kz_diag_add(d, path, 0, 0, "cannot write: %s", strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  if ((count = write_rows(out, x, f, d)) < 0) goto done;
  if (fflush(out) != 0) {
    kz_diag_add(d, path, 0, 0, "cannot write: %s", strerror(errno));
    goto done;
  }
  n = count;
done:
  if (fclose(out) != 0 && n >= 0) {
    kz_diag_add(d, path, 0, 0, "cannot write: %s", strerror(errno));
    n = -1;
  }
  return n;
}

/* Write the tasks f selects to path (via a fresh path.tmp-XXXXXX made with
** O_EXCL, renamed into place). Returns the number of tasks written, -1 with
** d, or -2 with d when path is refused (refuse_target). */
static long long write_file(struct export *x, const struct kz_taskq_filter *f, const char *path,
                            struct kz_diag *d) {
  struct kz_strbuf tmp = {0};
  FILE *out = NULL;
  long long n = -1;
  int fd = -1, made = 0;
  if (refuse_target(path, x->tasks, d)) return -2;
  if (is_stream(path)) return write_stream(x, f, path, d);
  kz_strbuf_addf(&tmp, "%s.tmp-XXXXXX", path);
  if (tmp.oom) { kz_diag_add(d, path, 0, 0, "out of memory"); goto done; }
  fd = mkstemp(tmp.p);              /* O_CREAT | O_EXCL, mode 0600, a name nobody can guess */
  made = fd >= 0;
  if (fd < 0 || !(out = fdopen(fd, "w"))) {
    kz_diag_add(d, path, 0, 0, "cannot create %s: %s", kz_strbuf_str(&tmp), strerror(errno));
    goto done;
  }
  fd = -1;                          /* out owns it */
  long long count = write_rows(out, x, f, d);
  if (count < 0) goto done;
  if (fflush(out) != 0 || fsync(fileno(out)) != 0) {
    kz_diag_add(d, path, 0, 0, "cannot write %s: %s", kz_strbuf_str(&tmp), strerror(errno));
    goto done;
  }
  int closed = fclose(out);
  out = NULL;
  if (closed != 0 || rename(kz_strbuf_str(&tmp), path) != 0) {
    kz_diag_add(d, path, 0, 0, "cannot write it: %s", strerror(errno));
    goto done;
  }
  n = count;
done:
  if (out) fclose(out);
  if (fd >= 0) close(fd);
  if (n < 0 && made) unlink(kz_strbuf_str(&tmp));
  kz_strbuf_free(&tmp);
  return n;
}

/* A unit as a file name: letters, digits, '.', '_' and '-' kept, anything
** else '_', and never a leading dot. */
static void unit_file(const char *dir, const char *unit, const char *ext, struct kz_strbuf *b) {
  kz_strbuf_reset(b);
  kz_strbuf_addf(b, "%s/", dir);
  for (const char *p = unit; *p; p++) {
    char c = *p;
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-' || (c == '.' && p != unit);
    kz_strbuf_add(b, ok ? &c : "_", 1);
  }
  kz_strbuf_addf(b, ".%s", ext);
}

/* One file per unit that ever held a task (within --unit / --ward), so that
** a unit whose tasks all went away gets an empty file, not yesterday's. */
static int export_per_unit(struct export *x, const struct kz_taskq_filter *f, const char *dir,
                           struct kz_diag *d) {
  const char *ext = x->format == KZ_OUT_JSONL ? "jsonl" : "csv";
  struct stat sb;
  struct kz_strbuf path = {0};
  char **units = NULL;
  size_t nunits = 0;
  int rc = KZ_EXIT_TASKS;
  long long total = 0, files = 0;
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    kz_diag_add(d, dir, 0, 0, "cannot create the folder: %s", strerror(errno));
    goto done;
  }
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    kz_diag_add(d, dir, 0, 0, "--per-unit needs --out to be a folder, and this is a file");
    goto done;
  }
  if (kz_taskq_units(x->db, f, &units, &nunits, d)) goto done;
  /* Every file is checked before the first is written: a refusal writes nothing. */
  for (size_t i = 0; i < nunits; i++) {
    unit_file(dir, units[i], ext, &path);
    if (refuse_target(kz_strbuf_str(&path), x->tasks, d)) {
      rc = KZ_EXIT_USAGE;
      goto done;
    }
  }
  for (size_t i = 0; i < nunits; i++) {
    struct kz_taskq_filter uf = *f;
    uf.unit = units[i];
    unit_file(dir, uf.unit, ext, &path);
    long long n = write_file(x, &uf, kz_strbuf_str(&path), d);
    if (n == -2) rc = KZ_EXIT_USAGE;
    if (n < 0) goto done;
    printf("%-56s %5lld task%s\n", kz_strbuf_str(&path), n, n == 1 ? "" : "s");
    total += n;
    files++;
  }
  printf("%lld task%s in %lld file%s in %s\n", total, total == 1 ? "" : "s", files,
         files == 1 ? "" : "s", dir);
  rc = KZ_EXIT_OK;
done:
  kz_taskq_units_free(units, nunits);
  kz_strbuf_free(&path);
  return rc;
}

/* What the command line of `kizuki export` asks for. */
struct export_args {
  struct kz_taskq_filter f;
  const char *tasks, *out, *format, *rules, *profile;
  int per_unit;
};

/* Read the options into a. Returns 1 when the command ends here (--help,
** a usage error) with its exit code in *rc; 0 to go on. */
static int parse_args(int argc, char **argv, struct export_args *a, int *rc) {
  static const struct option opts[] = {
    {"tasks", required_argument, NULL, 't'}, {"out", required_argument, NULL, 'O'},
    {"format", required_argument, NULL, 'f'}, {"per-unit", no_argument, NULL, 'P'},
    {"unit", required_argument, NULL, 'u'}, {"ward", required_argument, NULL, 'w'},
    {"status", required_argument, NULL, 's'}, {"severity", required_argument, NULL, 'v'},
    {"rule", required_argument, NULL, 'r'}, {"overdue", no_argument, NULL, 'o'},
    {"opened-since", required_argument, NULL, 'n'}, {"as-of", required_argument, NULL, 'a'},
    {"backlog", no_argument, NULL, 'b'}, {"no-backlog", no_argument, NULL, 'B'},
    {"rules", required_argument, NULL, 'R'}, {"profile", required_argument, NULL, 'p'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  struct kz_taskq_filter *f = &a->f;
  int ch;
  *rc = KZ_EXIT_USAGE;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 't': a->tasks = optarg; break;
      case 'O': a->out = optarg; break;
      case 'f': a->format = optarg; break;
      case 'P': a->per_unit = 1; break;
      case 'u': f->unit = optarg; break;
      case 'w': f->ward = optarg; break;
      case 's': f->status = optarg; break;
      case 'v': f->severity = optarg; break;
      case 'r': f->rule = optarg; break;
      case 'b': f->backlog = KZ_TQ_BACKLOG_ONLY; break;
      case 'B': f->backlog = KZ_TQ_BACKLOG_EXCLUDE; break;
      case 'o': f->overdue = 1; break;
      case 'n': if (kz_cli_parse_date("--opened-since", optarg, &f->opened_since)) return 1; break;
      case 'a': if (kz_cli_parse_date("--as-of", optarg, &f->as_of)) return 1; break;
      case 'R': a->rules = optarg; break;
      case 'p': a->profile = optarg; break;
      case 'h': fputs(USAGE, stdout); *rc = KZ_EXIT_OK; return 1;
      default: *rc = kz_cli_bad_option("export", argc, argv, USAGE); return 1;
    }
  }
  if (optind < argc) {
    fprintf(stderr, _("kizuki export: unexpected argument '%s'\n%s"), argv[optind], USAGE);
    return 1;
  }
  return 0;
}

/* The options that need one another or exclude one another; the format
** into *format. KZ_EXIT_OK, or KZ_EXIT_USAGE after saying why. */
static int check_args(const struct export_args *a, enum kz_out_format *format) {
  struct stat sb;
  if (!a->tasks || !a->out) {
    fprintf(stderr, _("kizuki export: --tasks and --out are required\n%s"), USAGE);
    return KZ_EXIT_USAGE;
  }
  if (kz_task_out_parse_format(a->format, "csv,jsonl", format)) {
    fprintf(stderr, _("kizuki export: --format must be csv or jsonl, not '%s'\n"), a->format);
    return KZ_EXIT_USAGE;
  }
  if (a->f.unit && a->f.ward) {
    fprintf(stderr, _("kizuki export: give --unit or --ward, not both\n"));
    return KZ_EXIT_USAGE;
  }
  if (!a->per_unit && stat(a->out, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    fprintf(stderr, _("kizuki export: --out %s is a folder; give a file name, or --per-unit\n"),
            a->out);
    return KZ_EXIT_USAGE;
  }
  return KZ_EXIT_OK;
}

/* The export to one file: the count on stdout, or on stderr when the tasks
** themselves went to a stream such as stdout. Returns the exit code. */
static int export_one_file(struct export *x, const struct kz_taskq_filter *f, const char *out,
                           struct kz_diag *d) {
  long long n = write_file(x, f, out, d);
  if (n < 0) return n == -2 ? KZ_EXIT_USAGE : KZ_EXIT_TASKS;
  fprintf(is_stream(out) ? stderr : stdout, "%lld task%s in %s\n", n, n == 1 ? "" : "s", out);
  return KZ_EXIT_OK;
}

int kz_cmd_export(int argc, char **argv) {
  struct export_args a = {.format = "csv"};
  struct kz_taskq_names names;
  int rc = KZ_EXIT_OK;
  struct kz_diag d = {0};
  struct kz_task_view v = {0};
  struct export x = {0};
  a.f.opened_since = KZ_DAY_NONE;
  a.f.as_of = KZ_DAY_NONE;
  if (parse_args(argc, argv, &a, &rc)) return rc;
  if ((rc = check_args(&a, &x.format)) != KZ_EXIT_OK) return rc;
  if (refuse_target(a.out, a.tasks, &d)) { rc = KZ_EXIT_USAGE; goto done; }
  if ((rc = kz_task_view_open_filtered(&v, "export", a.tasks, a.rules, a.profile,
                                       x.format == KZ_OUT_CSV || a.profile, &a.f, &names, &d))
      != KZ_EXIT_OK)
    goto done;
  x.db = v.db;
  x.prof = kz_task_view_profile(&v);
  x.rules = kz_task_view_rules(&v);
  x.tasks = a.tasks;
  if (a.per_unit) rc = export_per_unit(&x, &a.f, a.out, &d);
  else rc = export_one_file(&x, &a.f, a.out, &d);
  if (x.replaced > 0)
    fprintf(stderr, _("kizuki export: %lld byte(s) that were not UTF-8 replaced by U+FFFD\n"),
            x.replaced);
done:
  for (size_t i = 0; i < d.n; i++)
    fprintf(stderr, "kizuki export: %s\n", d.msgs[i] ? d.msgs[i] : "out of memory");
  kz_diag_clear(&d);
  kz_task_view_close(&v);
  return rc;
}
