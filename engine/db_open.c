/*
** db_open.c — opening every database kizuki touches, and refusing a path
** to write that is in fact the case DB or the task DB.
**
** The case DB is the PF's extract and is never written. It is opened with
** mode=ro. A WAL-mode extract in a folder kizuki cannot write has no -shm
** and cannot get one, so a plain read-only open fails; SQLite's answer is
** immutable=1, which reads the main file alone and ignores the WAL
** (https://www.sqlite.org/wal.html "Read-Only Databases"). That is exact
** when there is no WAL content, and silently stale when there is: then the
** extract is refused with what to do (checkpoint it), never read half.
*/
#include "db_open.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* {====== URIs ====== */

void kz_db_uri(const char *path, const char *params, struct kz_strbuf *b) {
  kz_strbuf_adds(b, path[0] == '/' ? "file://" : "file:");  /* "//x" is no authority */
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' || *p >= 0x7f)
      kz_strbuf_addf(b, "%%%02X", *p);
    else
      kz_strbuf_add(b, (const char *)p, 1);
  }
  if (params && *params) kz_strbuf_addf(b, "?%s", params);
}

/* }====== */

/* {====== Opening ====== */

enum kz_db_ro_plan kz_db_readonly_plan(int is_wal, long long wal_size) {
  if (!is_wal) return KZ_DB_RO_FAIL;
  return wal_size > 0 ? KZ_DB_RO_REFUSE : KZ_DB_RO_IMMUTABLE;
}

/* 1 when the file header at path says WAL mode (bytes 18 and 19 are 2). */
static int header_is_wal(const char *path) {
  unsigned char h[20];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, h, sizeof h);
  close(fd);
  return n == (ssize_t)sizeof h && memcmp(h, "SQLite format 3", 16) == 0 && h[18] == 2 && h[19] == 2;
}

/* Open uri read-only and read the schema, so that a failure shows now.
** Returns an SQLite result code; *out is set only on SQLITE_OK. */
static int open_ro_probe(const char *uri, sqlite3 **out, char *err, size_t errn) {
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errn, "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return rc;
  }
  *out = db;
  return SQLITE_OK;
}

static int open_cases(const char *path, sqlite3 **out, struct kz_diag *d) {
  struct kz_strbuf uri = {0}, wal = {0};
  struct stat sb;
  char err[512] = "";
  int rc = -1;
  kz_db_uri(path, "mode=ro", &uri);
  kz_strbuf_addf(&wal, "%s-wal", path);
  if (uri.oom || wal.oom) { kz_diag_add(d, path, 0, 0, "out of memory"); goto done; }
  int src = open_ro_probe(kz_strbuf_str(&uri), out, err, sizeof err);
  if (src == SQLITE_OK) { rc = 0; goto done; }
  long long wal_size = stat(kz_strbuf_str(&wal), &sb) == 0 ? (long long)sb.st_size : -1;
  /* Only "cannot open/create the -shm": a busy or corrupt file is told as it is. */
  int shm_problem = (src & 0xff) == SQLITE_CANTOPEN || (src & 0xff) == SQLITE_READONLY;
  switch (kz_db_readonly_plan(shm_problem && header_is_wal(path), wal_size)) {
    case KZ_DB_RO_FAIL:
      kz_diag_add(d, path, 0, 0, "cannot open the case DB: %s", err);
      goto done;
    case KZ_DB_RO_REFUSE:
      kz_diag_add(d, path, 0, 0, "cannot open the case DB (%s): it is in WAL mode, its %s holds "
                  "%lld bytes of committed data, and no %s-shm can be made beside it (is the folder "
                  "read-only?); read without it, that data would be missed. Checkpoint the "
                  "extract where it is made (sqlite3 EXTRACT 'PRAGMA wal_checkpoint(TRUNCATE)') "
                  "or let kizuki write the folder", err, kz_strbuf_str(&wal), wal_size, path);
      goto done;
    case KZ_DB_RO_IMMUTABLE:
      break;
  }
  kz_strbuf_reset(&uri);
  kz_db_uri(path, "mode=ro&immutable=1", &uri);
  if (uri.oom) { kz_diag_add(d, path, 0, 0, "out of memory"); goto done; }
  if (open_ro_probe(kz_strbuf_str(&uri), out, err, sizeof err) != SQLITE_OK) {
    kz_diag_add(d, path, 0, 0, "cannot open the case DB (read-only, immutable): %s", err);
    goto done;
  }
  rc = 0;
done:
  kz_strbuf_free(&uri);
  kz_strbuf_free(&wal);
  return rc;
}

int kz_db_open(const char *path, enum kz_db_kind kind, sqlite3 **out, struct kz_diag *d) {
  struct kz_strbuf uri = {0};
  sqlite3 *db = NULL;
  int rc = -1, src;
  *out = NULL;
  if (kind == KZ_DB_CASES) return open_cases(path, out, d);
  if (strcmp(path, ":memory:") == 0) {
    src = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  } else {
    kz_db_uri(path, kind == KZ_DB_READ ? "mode=ro" : "mode=rwc", &uri);
    if (uri.oom) { kz_diag_add(d, path, 0, 0, "out of memory"); goto done; }
    src = sqlite3_open_v2(kz_strbuf_str(&uri), &db,
                          (kind == KZ_DB_READ ? SQLITE_OPEN_READONLY
                                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                          SQLITE_OPEN_URI, NULL);
  }
  if (src != SQLITE_OK) {
    kz_diag_add(d, path, 0, 0, "cannot open%s: %s", kind == KZ_DB_WRITE ? " or create" : "",
                db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
    sqlite3_close(db);
    goto done;
  }
  *out = db;
  rc = 0;
done:
  kz_strbuf_free(&uri);
  return rc;
}

/* }====== */

/* {====== Paths that must not be written ====== */

/* What a path resolves to: its canonical name (realpath of the file, or of
** its folder plus its last name when it does not exist) and, when it
** exists, its device and inode. */
struct path_id {
  int exists;
  dev_t dev;
  ino_t ino;
  char real[PATH_MAX + 256];
};

static void path_id(const char *path, struct path_id *id) {
  struct stat sb;
  char buf[PATH_MAX];
  memset(id, 0, sizeof *id);
  /* First the name SQLite itself will open: its unix VFS drops empty and
  ** "." elements and takes ".." off the name so far, whether or not that
  ** names a folder ("cases.db/", "cases.db/.", "x/../cases.db" all open
  ** cases.db, while stat and realpath fail on them: ENOTDIR, ENOENT). */
  char full[1024];                   /* the unix VFS says 512 */
  sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
  if (vfs && vfs->mxPathname > 0 && (size_t)vfs->mxPathname < sizeof full &&
      (vfs->xFullPathname(vfs, path, vfs->mxPathname + 1, full) & 0xff) == SQLITE_OK)
    path = full;
  if (stat(path, &sb) == 0) {
    id->exists = 1;
    id->dev = sb.st_dev;
    id->ino = sb.st_ino;
  }
  if (realpath(path, buf)) {
    snprintf(id->real, sizeof id->real, "%s", buf);
    return;
  }
  /* Not there yet: its folder, resolved, and its own name. */
  const char *slash = strrchr(path, '/');
  char dir[PATH_MAX];
  const char *name = slash ? slash + 1 : path;
  if (!slash) snprintf(dir, sizeof dir, ".");
  else if (slash == path) snprintf(dir, sizeof dir, "/");
  else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
  if (realpath(dir, buf))   /* a name is at most NAME_MAX (255) bytes */
    snprintf(id->real, sizeof id->real, "%s/%.255s", strcmp(buf, "/") ? buf : "", name);
  else snprintf(id->real, sizeof id->real, "%s", path);
}

static int same_id(const struct path_id *a, const struct path_id *b) {
  if (a->exists && b->exists) return a->dev == b->dev && a->ino == b->ino;
  return a->real[0] && strcmp(a->real, b->real) == 0;
}

int kz_db_refuse_same(const char *what, const char *target, const char *pwhat,
                      const char *protected_path, struct kz_diag *d) {
  static const char *const companion[] = {"", "-wal", "-shm", "-journal"};
  struct path_id t, p;
  if (!protected_path || !target || strcmp(target, ":memory:") == 0) return 0;
  path_id(target, &t);
  path_id(protected_path, &p);        /* SQLite puts a linked DB's -wal beside the real file */
  char base[sizeof p.real];
  snprintf(base, sizeof base, "%s", p.real[0] ? p.real : protected_path);
  for (size_t i = 0; i < sizeof companion / sizeof *companion; i++) {
    char name[sizeof base + 16];
    snprintf(name, sizeof name, "%s%s", base, companion[i]);
    path_id(name, &p);
    if (!same_id(&t, &p)) continue;
    char rel[32] = "";
    if (i) snprintf(rel, sizeof rel, "the %s file of ", companion[i]);
    kz_diag_add(d, NULL, 0, 0, "%s %s is %s%s %s (the same file: %s); refused, kizuki never "
                "writes it: give another path", what, target, rel, pwhat, protected_path, p.real);
    return -1;
  }
  return 0;
}

int kz_db_is_database_file(const char *path) {
  unsigned char h[16];
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return 0;
  struct stat sb;
  ssize_t n = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? read(fd, h, sizeof h) : -1;
  close(fd);
  if (n == 16 && memcmp(h, "SQLite format 3", 16) == 0) return 1;
  static const unsigned char wal1[4] = {0x37, 0x7f, 0x06, 0x82}, wal2[4] = {0x37, 0x7f, 0x06, 0x83};
  static const unsigned char journal[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
  return n >= 8 && (memcmp(h, wal1, 4) == 0 || memcmp(h, wal2, 4) == 0 || memcmp(h, journal, 8) == 0);
}

/* }====== */
