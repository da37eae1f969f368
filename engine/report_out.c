/*
** report_out.c — writing the report's folder as one generation. The pages
** go into TARGET.new-XXXXXX (mkdtemp: a name nobody can plant a link at
** beforehand, mode 0700), then that folder and the target are exchanged in
** one step and the old generation is removed. A report killed at any moment
** leaves the target as it was; its TARGET.new-* is removed by the next one.
**
** Nothing outside the report's own pages is ever removed: a target holding
** anything but *.html files, or a page that is in fact a database, is
** refused before anything is written.
*/
#include "report_out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include "db_open.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)   /* linux/fs.h */
#endif

/* Exchange two paths atomically; -1 with errno ENOSYS where the system has
** no such call. */
static int exchange(const char *a, const char *b) {
#if defined(__linux__) && defined(SYS_renameat2)
  return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
  (void)a;
  (void)b;
  errno = ENOSYS;
  return -1;
#endif
}

/* Remove a generation folder: its files (never following a link: unlink
** removes the link) and then the folder. A sub-folder is left, and so is
** the folder then. Returns 0 when the folder is gone. */
static int remove_generation(const char *dir) {
  DIR *dp = opendir(dir);
  if (!dp) return errno == ENOENT ? 0 : -1;
  int fd = dirfd(dp);
  struct dirent *e;
  while ((e = readdir(dp)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    struct stat sb;
    if (fstatat(fd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(sb.st_mode))
      unlinkat(fd, e->d_name, 0);
  }
  closedir(dp);
  return rmdir(dir);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A name the report writes (a page) or an old kizuki left (PAGE.html.tmpN). */
static int page_name(const char *name) {
  return name[0] != '.' && (ends_with(name, ".html") || strstr(name, ".html.tmp") != NULL);
}

/* -2 with d when the existing folder target holds anything that is not a
** page, or a page that is a database; 0 when it can be replaced. */
static int check_existing(const char *out, const char *target, struct kz_diag *d) {
  DIR *dp = opendir(target);
  int rc = 0;
  if (!dp) {
    kz_diag_add(d, out, 0, 0, "cannot read the folder: %s", strerror(errno));
    return -1;
  }
  struct dirent *e;
  char path[PATH_MAX + 256];
  while (rc == 0 && (e = readdir(dp)) != NULL) {
    struct stat sb;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(path, sizeof path, "%s/%s", target, e->d_name);
    if (lstat(path, &sb) != 0) continue;
    if (S_ISDIR(sb.st_mode) || !page_name(e->d_name)) {
      kz_diag_add(d, out, 0, 0, "holds '%s', which is not a report page; refused: the folder is "
                  "replaced as a whole and it would be lost. Give --out a folder of its own",
                  e->d_name);
      rc = -2;
    } else if (kz_db_is_database_file(path)) {
      kz_diag_add(d, out, 0, 0, "its '%s' is a SQLite database (a case or task DB?); refused, "
                  "a report never replaces one", e->d_name);
      rc = -2;
    }
  }
  closedir(dp);
  return rc;
}

/* Remove TARGET.new-XXXXXX and TARGET.old-XXXXXX folders of a killed
** report, in parent. Called with the parent's lock held. */
static void remove_leftovers(const char *parent, const char *base) {
  DIR *dp = opendir(parent);
  if (!dp) return;
  size_t n = strlen(base);
  struct dirent *e;
  char path[PATH_MAX + 256];
  while ((e = readdir(dp)) != NULL) {
    const char *s = e->d_name;
    struct stat sb;
    if (strncmp(s, base, n) != 0 || strlen(s) != n + 11) continue;
    if (strncmp(s + n, ".new-", 5) != 0 && strncmp(s + n, ".old-", 5) != 0) continue;
    snprintf(path, sizeof path, "%s/%s", parent, s);
    if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && sb.st_uid == geteuid())
      remove_generation(path);
  }
  closedir(dp);
}

int kz_report_out_begin(struct kz_report_out *o, const char *out, const char *protected_path,
                        struct kz_diag *d) {
  struct stat sb;
  char parent[PATH_MAX], buf[PATH_MAX], given[PATH_MAX];
  const char *base;
  memset(o, 0, sizeof *o);
  o->lock_fd = -1;
  if ((size_t)snprintf(given, sizeof given, "%s", out) >= sizeof given) {
    kz_diag_add(d, out, 0, 0, "path too long");
    return -1;
  }
  for (size_t n = strlen(given); n > 1 && given[n - 1] == '/'; n--) given[n - 1] = '\0';  /* "report/" */
  out = given;
  if (lstat(out, &sb) == 0) {
    if (!realpath(out, buf)) {
      kz_diag_add(d, out, 0, 0, "cannot resolve: %s", strerror(errno));
      return -1;
    }
    if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
      kz_diag_add(d, out, 0, 0, "--out is a file, not a folder; refused (it is replaced as a "
                  "whole): give a folder");
      return -2;
    }
    snprintf(o->target, sizeof o->target, "%s", buf);
  } else {
    const char *slash = strrchr(out, '/');
    char dir[PATH_MAX];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == out) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - out), out);
    base = slash ? slash + 1 : out;
    if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || !realpath(dir, buf)) {
      kz_diag_add(d, out, 0, 0, "cannot create: %s", !*base ? "no folder name" : strerror(errno));
      return -1;
    }
    if ((size_t)snprintf(o->target, sizeof o->target, "%s/%s", strcmp(buf, "/") ? buf : "",
                         base) >= sizeof o->target - 16) {
      kz_diag_add(d, out, 0, 0, "path too long");
      return -1;
    }
  }
  if (strcmp(o->target, "/") == 0) {
    kz_diag_add(d, out, 0, 0, "--out cannot be the root folder");
    return -2;
  }
  /* A task DB inside the folder would go with the old generation. */
  if (protected_path && realpath(protected_path, buf)) {
    size_t n = strlen(o->target);
    if (strncmp(buf, o->target, n) == 0 && buf[n] == '/') {
      kz_diag_add(d, out, 0, 0, "holds the task DB %s; refused: the folder is replaced as a whole. "
                  "Give --out a folder of its own", protected_path);
      return -2;
    }
  }
  if (stat(o->target, &sb) == 0) {
    int rc = check_existing(out, o->target, d);
    if (rc) return rc;
  }
  char *slash = strrchr(o->target, '/');
  snprintf(parent, sizeof parent, "%.*s", slash == o->target ? 1 : (int)(slash - o->target),
           o->target);
  base = slash + 1;
  o->lock_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (o->lock_fd < 0 || flock(o->lock_fd, LOCK_EX) != 0) {
    kz_diag_add(d, parent, 0, 0, "cannot open the folder: %s", strerror(errno));
    kz_report_out_abort(o);
    return -1;
  }
  remove_leftovers(parent, base);
  snprintf(o->fresh, sizeof o->fresh, "%s.new-XXXXXX", o->target);
  if (!mkdtemp(o->fresh)) {
    kz_diag_add(d, out, 0, 0, "cannot create %s: %s", o->fresh, strerror(errno));
    o->fresh[0] = '\0';
    kz_report_out_abort(o);
    return -1;
  }
  return 0;
}

/* fsync a folder, so that the names in it are on disk. */
static int sync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

int kz_report_out_commit(struct kz_report_out *o, struct kz_diag *d) {
  struct stat sb;
  char old[4200];
  int rc = -1;
  if (sync_dir(o->fresh) != 0) {
    kz_diag_add(d, o->fresh, 0, 0, "cannot write: %s", strerror(errno));
    goto done;
  }
  if (lstat(o->target, &sb) != 0) {             /* the first report: nothing to replace */
    if (rename(o->fresh, o->target) != 0) {
      kz_diag_add(d, o->target, 0, 0, "cannot create: %s", strerror(errno));
      goto done;
    }
    o->fresh[0] = '\0';
    rc = 0;
    goto done;
  }
  if (exchange(o->fresh, o->target) == 0) {
    /* o->fresh now names the old generation, and goes. */
    if (remove_generation(o->fresh) != 0)
      kz_diag_add(d, o->fresh, 0, 0, "warning: the previous pages could not be removed from here: %s",
                  strerror(errno));
    o->fresh[0] = '\0';
    rc = 0;
    goto done;
  }
  if (errno != ENOSYS && errno != EINVAL && errno != ENOTSUP) {
    kz_diag_add(d, o->target, 0, 0, "cannot replace: %s", strerror(errno));
    goto done;
  }
  /* No atomic exchange: move the old aside, the new in, and back on failure.
  ** (A reader may find no folder for an instant; never a mixed one.) */
  snprintf(old, sizeof old, "%s.old-XXXXXX", o->target);
  if (!mkdtemp(old) || rename(o->target, old) != 0) {
    kz_diag_add(d, o->target, 0, 0, "cannot move the previous pages aside: %s", strerror(errno));
    goto done;
  }
  if (rename(o->fresh, o->target) != 0) {
    kz_diag_add(d, o->target, 0, 0, "cannot put the new pages in place: %s", strerror(errno));
    rename(old, o->target);
    goto done;
  }
  o->fresh[0] = '\0';
  if (remove_generation(old) != 0)
    kz_diag_add(d, old, 0, 0, "warning: the previous pages could not be removed from here: %s",
                strerror(errno));
  rc = 0;
done:
  if (rc == 0 && o->lock_fd >= 0) fsync(o->lock_fd);
  kz_report_out_abort(o);
  return rc;
}

void kz_report_out_abort(struct kz_report_out *o) {
  if (o->fresh[0]) remove_generation(o->fresh);
  o->fresh[0] = '\0';
  if (o->lock_fd >= 0) close(o->lock_fd);       /* releases the lock */
  o->lock_fd = -1;
}
