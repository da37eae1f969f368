/*
** cmd_export.c — `kizuki export`: tasks as files for other people and
** systems: CSV that Excel opens as UTF-8 (BOM, Japanese headers, RFC 4180,
** CRLF) or JSON Lines; one file, or one per unit in a folder. Every file is
** written beside its final name and renamed into place, mode 0600.
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
#include "severity.h"
#include "strbuf.h"
#include "task_query.h"

static const char USAGE[] =
  "usage: kizuki export --tasks TASKS.db --out PATH [--format csv|jsonl] [--per-unit]\n"
  "                     [--status S] [--unit U | --ward W] [--severity S] [--rule R]\n"
  "                     [--overdue] [--opened-since DATE] [--backlog | --no-backlog]\n"
  "                     [--as-of DATE]\n"
  "\n"
  "Write tasks (most severe first, then by due date) to files:\n"
  "  csv    UTF-8 with a BOM, Japanese headers, RFC 4180 quoting and CRLF line\n"
  "         ends: Excel opens it as it is (default)\n"
  "  jsonl  JSON Lines: one task object a line, evidence as JSON, for other\n"
  "         systems\n"
  "\n"
  "  --tasks TASKS.db  the task DB `kizuki run` writes (opened read-only)\n"
  "  --out PATH        the file to write; with --per-unit, the folder (created\n"
  "                    if missing) that gets one file per unit, UNIT.csv or\n"
  "                    UNIT.jsonl; every unit that ever held a task gets a\n"
  "                    file, with only the header when it has none now\n"
  "  --per-unit        one file per unit instead of one file with a unit column\n"
  "  --status S        open (default), cleared, done or all\n"
  "  --unit, --ward, --severity, --rule, --overdue, --opened-since, --as-of\n"
  "                    filter as in `kizuki tasks`\n"
  "  --backlog         only backlog tasks (a stale trigger: no due date, never\n"
  "                    escalated, for a review); --no-backlog: none of them.\n"
  "                    By default both, after the dated tasks of each severity,\n"
  "                    marked in the last column (バックログ) or \"backlog\": true\n"
  "\n"
  "Files are written under a temporary name and renamed into place, mode 0600\n"
  "(owner only: they name households). An --out that is the task DB or any\n"
  "SQLite database is refused. Exit codes: 0 ok; 2 usage error or a refused\n"
  "--out; 5 the task DB is missing or not a kizuki task DB, or a file cannot\n"
  "be written.\n";

/* The CSV columns, in order, with their Japanese headers. */
static const char *const CSV_HEAD[] = {
  "ID", "重大度", "期限", "期限超過", "担当", "規則", "対象", "キー", "段階", "状態", "理由",
  "根拠", "世帯", "区", "機関種別", "発生日", "開始日", "最終確認日", "解消日", "完了日", "完了メモ",
  "バックログ"   /* last, so the columns before it keep their places */
};
#define CSV_NCOLS (sizeof CSV_HEAD / sizeof *CSV_HEAD)

static const char *col(sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  return s ? (const char *)s : "";
}

static const char *status_ja(const char *s) {
  return !strcmp(s, "open") ? "対応中" : !strcmp(s, "cleared") ? "解消" : !strcmp(s, "done") ? "完了" : s;
}

static void csv_row(FILE *out, sqlite3_stmt *st) {
  const char *row[CSV_NCOLS] = {
    col(st, KZ_TQ_ID), kz_severity_ja(col(st, KZ_TQ_SEVERITY)), col(st, KZ_TQ_DUE_ON),
    sqlite3_column_int(st, KZ_TQ_OVERDUE) ? "超過" : "", col(st, KZ_TQ_UNIT), col(st, KZ_TQ_RULE),
    col(st, KZ_TQ_SUBJECT), col(st, KZ_TQ_KEY), col(st, KZ_TQ_LEVEL),
    status_ja(col(st, KZ_TQ_STATUS)), col(st, KZ_TQ_REASON), col(st, KZ_TQ_EVIDENCE_TEXT),
    col(st, KZ_TQ_HOUSEHOLD), col(st, KZ_TQ_WARD), col(st, KZ_TQ_AGENCY), col(st, KZ_TQ_SINCE),
    col(st, KZ_TQ_OPENED_ON), col(st, KZ_TQ_LAST_SEEN_ON), col(st, KZ_TQ_CLEARED_ON),
    col(st, KZ_TQ_DONE_ON), col(st, KZ_TQ_DONE_NOTE),
    sqlite3_column_int(st, KZ_TQ_BACKLOG) ? "バックログ" : ""};
  /* Excel runs a cell that begins with = + - @ (or a tab or CR before one)
  ** as a formula, quoted or not: an id, ward or reason from the case DB or
  ** a rule ("=HYPERLINK(...)") would run on the staff's PC. Such a cell is
  ** written with a leading apostrophe, which Excel shows as text (OWASP
  ** "CSV Injection"). */
  char *text[CSV_NCOLS] = {0};
  for (size_t i = 0; i < CSV_NCOLS; i++) {
    if (!row[i][0] || !strchr("=+-@\t\r", row[i][0])) continue;
    size_t n = strlen(row[i]);
    if (!(text[i] = malloc(n + 2))) { row[i] = "'"; continue; }   /* never the formula */
    text[i][0] = '\'';
    memcpy(text[i] + 1, row[i], n + 1);
    row[i] = text[i];
  }
  kz_taskq_csv_record(out, row, CSV_NCOLS, "\r\n");
  for (size_t i = 0; i < CSV_NCOLS; i++) free(text[i]);
}

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

/* Write the BOM and header (CSV) and every row of st to out. Returns the
** number of tasks written, or -1 with d (path names it). */
static long long write_rows(FILE *out, sqlite3 *db, sqlite3_stmt *st, int jsonl, const char *path,
                            struct kz_diag *d) {
  long long count = 0;
  int step;
  if (!jsonl) {
    fputs("\xEF\xBB\xBF", out);     /* the BOM: Excel reads UTF-8 only with it */
    kz_taskq_csv_record(out, CSV_HEAD, CSV_NCOLS, "\r\n");
  }
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (jsonl) fprintf(out, "%s\n", col(st, KZ_TQ_JSON));
    else csv_row(out, st);
    count++;
  }
  if (step != SQLITE_DONE) {
    kz_diag_add(d, path, 0, 0, "cannot read tasks: %s", sqlite3_errmsg(db));
    return -1;
  }
  return count;
}

/* Write the tasks f selects straight to the stream at path (is_stream). */
static long long write_stream(sqlite3 *db, const struct kz_taskq_filter *f, int jsonl,
                              const char *path, struct kz_diag *d) {
  sqlite3_stmt *st = NULL;
  long long n = -1, count = 0;
  int fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
  FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!out) {
    kz_diag_add(d, path, 0, 0, "cannot write: %s", strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  if (kz_taskq_prepare(db, f, &st, d)) goto done;
  if ((count = write_rows(out, db, st, jsonl, path, d)) < 0) goto done;
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
  sqlite3_finalize(st);
  return n;
}

/* Write the tasks f selects to path (via a fresh path.tmp-XXXXXX made with
** O_EXCL, renamed into place). Returns the number of tasks written, -1 with
** d, or -2 with d when path is refused (refuse_target). */
static long long write_file(sqlite3 *db, const struct kz_taskq_filter *f, int jsonl,
                            const char *path, const char *tasks, struct kz_diag *d) {
  struct kz_strbuf tmp = {0};
  sqlite3_stmt *st = NULL;
  FILE *out = NULL;
  long long n = -1;
  int fd = -1, made = 0;
  if (refuse_target(path, tasks, d)) return -2;
  if (is_stream(path)) return write_stream(db, f, jsonl, path, d);
  kz_strbuf_addf(&tmp, "%s.tmp-XXXXXX", path);
  if (tmp.oom) { kz_diag_add(d, path, 0, 0, "out of memory"); goto done; }
  if (kz_taskq_prepare(db, f, &st, d)) goto done;
  fd = mkstemp(tmp.p);              /* O_CREAT | O_EXCL, mode 0600, a name nobody can guess */
  made = fd >= 0;
  if (fd < 0 || !(out = fdopen(fd, "w"))) {
    kz_diag_add(d, path, 0, 0, "cannot create %s: %s", kz_strbuf_str(&tmp), strerror(errno));
    goto done;
  }
  fd = -1;                          /* out owns it */
  long long count = write_rows(out, db, st, jsonl, path, d);
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
  sqlite3_finalize(st);
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
static int export_per_unit(sqlite3 *db, const struct kz_taskq_filter *f, int jsonl,
                           const char *dir, const char *tasks, struct kz_diag *d) {
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
  if (kz_taskq_units(db, f, &units, &nunits, d)) goto done;
  /* Every file is checked before the first is written: a refusal writes nothing. */
  for (size_t i = 0; i < nunits; i++) {
    unit_file(dir, units[i], jsonl ? "jsonl" : "csv", &path);
    if (refuse_target(kz_strbuf_str(&path), tasks, d)) {
      rc = KZ_EXIT_USAGE;
      goto done;
    }
  }
  for (size_t i = 0; i < nunits; i++) {
    struct kz_taskq_filter uf = *f;
    uf.unit = units[i];
    unit_file(dir, uf.unit, jsonl ? "jsonl" : "csv", &path);
    long long n = write_file(db, &uf, jsonl, kz_strbuf_str(&path), tasks, d);
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

int kz_cmd_export(int argc, char **argv) {
  static const struct option opts[] = {
    {"tasks", required_argument, NULL, 't'}, {"out", required_argument, NULL, 'O'},
    {"format", required_argument, NULL, 'f'}, {"per-unit", no_argument, NULL, 'P'},
    {"unit", required_argument, NULL, 'u'}, {"ward", required_argument, NULL, 'w'},
    {"status", required_argument, NULL, 's'}, {"severity", required_argument, NULL, 'v'},
    {"rule", required_argument, NULL, 'r'}, {"overdue", no_argument, NULL, 'o'},
    {"opened-since", required_argument, NULL, 'n'}, {"as-of", required_argument, NULL, 'a'},
    {"backlog", no_argument, NULL, 'b'}, {"no-backlog", no_argument, NULL, 'B'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}
  };
  struct kz_taskq_filter f = {0};
  const char *tasks = NULL, *out = NULL, *format = "csv";
  int per_unit = 0, ch, rc = KZ_EXIT_OK;
  struct kz_diag d = {0};
  sqlite3 *db = NULL;
  struct stat sb;
  f.opened_since = KZ_DAY_NONE;
  f.as_of = kz_cli_today();
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 't': tasks = optarg; break;
      case 'O': out = optarg; break;
      case 'f': format = optarg; break;
      case 'P': per_unit = 1; break;
      case 'u': f.unit = optarg; break;
      case 'w': f.ward = optarg; break;
      case 's': f.status = optarg; break;
      case 'v': f.severity = optarg; break;
      case 'r': f.rule = optarg; break;
      case 'b': f.backlog = KZ_TQ_BACKLOG_ONLY; break;
      case 'B': f.backlog = KZ_TQ_BACKLOG_EXCLUDE; break;
      case 'o': f.overdue = 1; break;
      case 'n': if (kz_cli_parse_date("--opened-since", optarg, &f.opened_since)) return KZ_EXIT_USAGE; break;
      case 'a': if (kz_cli_parse_date("--as-of", optarg, &f.as_of)) return KZ_EXIT_USAGE; break;
      case 'h': fputs(USAGE, stdout); return KZ_EXIT_OK;
      default: return kz_cli_bad_option("export", argc, argv, USAGE);
    }
  }
  if (optind < argc) {
    fprintf(stderr, _("kizuki export: unexpected argument '%s'\n%s"), argv[optind], USAGE);
    return KZ_EXIT_USAGE;
  }
  if (!tasks || !out) {
    fprintf(stderr, _("kizuki export: --tasks and --out are required\n%s"), USAGE);
    return KZ_EXIT_USAGE;
  }
  if (strcmp(format, "csv") && strcmp(format, "jsonl")) {
    fprintf(stderr, _("kizuki export: --format must be csv or jsonl, not '%s'\n"), format);
    return KZ_EXIT_USAGE;
  }
  if (f.unit && f.ward) {
    fprintf(stderr, _("kizuki export: give --unit or --ward, not both\n"));
    return KZ_EXIT_USAGE;
  }
  if (!per_unit && stat(out, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    fprintf(stderr, _("kizuki export: --out %s is a folder; give a file name, or --per-unit\n"), out);
    return KZ_EXIT_USAGE;
  }
  if (kz_taskq_check_filter(&f, &d)) { rc = KZ_EXIT_USAGE; goto done; }
  if (refuse_target(out, tasks, &d)) { rc = KZ_EXIT_USAGE; goto done; }
  if ((rc = kz_taskq_open(tasks, &db, &d)) != KZ_EXIT_OK) goto done;
  int jsonl = strcmp(format, "jsonl") == 0;
  if (per_unit) {
    rc = export_per_unit(db, &f, jsonl, out, tasks, &d);
  } else {
    long long n = write_file(db, &f, jsonl, out, tasks, &d);
    if (n < 0) rc = n == -2 ? KZ_EXIT_USAGE : KZ_EXIT_TASKS;
    else    /* on stderr when the tasks themselves went to a stream such as stdout */
      fprintf(is_stream(out) ? stderr : stdout, "%lld task%s in %s\n", n, n == 1 ? "" : "s", out);
  }
done:
  for (size_t i = 0; i < d.n; i++)
    fprintf(stderr, "kizuki export: %s\n", d.msgs[i] ? d.msgs[i] : "out of memory");
  kz_diag_clear(&d);
  sqlite3_close(db);
  return rc;
}
