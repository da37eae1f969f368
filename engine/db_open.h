/*
** db_open.h — the one place kizuki opens a database, and the one place it
** decides whether a path it is about to write is a file it must never
** touch (the case DB, the task DB). Every sqlite3_open of the engine goes
** through kz_db_open: a path becomes a file: URI with every special
** character escaped, the case DB is opened mode=ro (immutable only when that
** cannot lose data), the task DB read-write.
*/
#ifndef KZ_DB_OPEN_H
#define KZ_DB_OPEN_H

#include <sqlite3.h>

#include "diag.h"
#include "strbuf.h"

/* What a database is to kizuki, which decides how it is opened. */
enum kz_db_kind {
  KZ_DB_CASES,   /* the PF case DB: read-only, never written, see kz_db_readonly_plan */
  KZ_DB_READ,    /* a task DB read for people (tasks, export, report): mode=ro */
  KZ_DB_WRITE    /* a task DB or a new file kizuki makes: read-write, created if
                 ** missing; ":memory:" opens a private in-memory DB */
};

/* Open path as kind. Returns 0 with *out (the caller closes it), or -1 with
** *out NULL and the reason in d (file path). Nothing is checked beyond the
** open itself except for KZ_DB_CASES, whose first page is read so that an
** unreadable extract is told here, with what the operator can do. The
** caller sets its own busy timeout. */
int kz_db_open(const char *path, enum kz_db_kind kind, sqlite3 **out, struct kz_diag *d);

/* Append to b the file: URI for path with the query params (may be NULL or
** "", else e.g. "mode=ro&immutable=1"): '%', '?', '#', control characters,
** spaces and every non-ASCII byte percent-escaped, an absolute path given an
** empty authority (file:///...), so SQLite opens exactly the file named. */
void kz_db_uri(const char *path, const char *params, struct kz_strbuf *b);

/* How to open a case DB read-only once a plain mode=ro open has failed
** (typically a WAL-mode extract in a folder kizuki cannot write, where no
** -shm can be made). is_wal: the file header says WAL mode; wal_size: the
** size of PATH-wal, or -1 when there is none. */
enum kz_db_ro_plan {
  KZ_DB_RO_FAIL,        /* not a WAL problem: report the open error as it is */
  KZ_DB_RO_IMMUTABLE,   /* no WAL content: immutable=1 reads exactly the data */
  KZ_DB_RO_REFUSE       /* the -wal holds committed pages that immutable would
                        ** skip silently: refuse, ask for a checkpoint */
};
enum kz_db_ro_plan kz_db_readonly_plan(int is_wal, long long wal_size);

/* Refuse to write target when it is, or becomes once resolved, the file
** protected or one of its -wal, -shm, -journal companions: same path after
** realpath (of the file, or of its folder plus its name when it does not
** exist yet: symlinks, '..', relative and absolute spellings), or the same
** device and inode (hard links). Returns 0 when target is another file, else
** -1 with "<what> <target> is <pwhat> <protected> ..." in d. protected may
** be NULL (nothing to protect). */
int kz_db_refuse_same(const char *what, const char *target, const char *pwhat,
                      const char *protected_path, struct kz_diag *d);

/* 1 when path (followed through symlinks) is an existing file that starts
** with the SQLite header, or is a -wal of one: a file an export or report
** must never replace. 0 otherwise (missing, not SQLite, unreadable). */
int kz_db_is_database_file(const char *path);

#endif
