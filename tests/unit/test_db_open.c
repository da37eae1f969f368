/*
** test_db_open.c — the one database opener: URI escaping, the read-only
** plan for WAL extracts (immutable only when no WAL data would be skipped),
** refusing a path that is the protected file by any spelling, and telling
** a database file from a page.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db_open.h"

static void assert_uri(const char *path, const char *params, const char *want) {
  struct kz_strbuf b = {0};
  kz_db_uri(path, params, &b);
  assert_false(b.oom);
  assert_string_equal(kz_strbuf_str(&b), want);
  kz_strbuf_free(&b);
}

static void test_uri_escapes_every_special_character(void **state) {
  (void)state;
  assert_uri("t#1.db", "mode=ro", "file:t%231.db?mode=ro");
  assert_uri("a%62.db", "mode=ro", "file:a%2562.db?mode=ro");
  assert_uri("q?x.db", NULL, "file:q%3Fx.db");
  assert_uri("sp ace.db", "", "file:sp%20ace.db");
  assert_uri("/abs/タスク.db", "mode=rwc", "file:///abs/%E3%82%BF%E3%82%B9%E3%82%AF.db?mode=rwc");
  assert_uri("//srv/x.db", "mode=ro", "file:////srv/x.db?mode=ro");   /* no authority */
}

/* The decision for a case DB whose plain read-only open failed. */
static void test_readonly_plan(void **state) {
  (void)state;
  assert_int_equal(kz_db_readonly_plan(0, -1), KZ_DB_RO_FAIL);     /* rollback mode: the error stands */
  assert_int_equal(kz_db_readonly_plan(0, 100), KZ_DB_RO_FAIL);
  assert_int_equal(kz_db_readonly_plan(1, -1), KZ_DB_RO_IMMUTABLE); /* no -wal: the file is all */
  assert_int_equal(kz_db_readonly_plan(1, 0), KZ_DB_RO_IMMUTABLE);  /* an empty -wal: the same */
  assert_int_equal(kz_db_readonly_plan(1, 32), KZ_DB_RO_REFUSE);    /* WAL data: never skip it */
}

/* A scratch folder with a protected file p.db, a symlink, a hard link. */
struct scratch {
  char dir[64], p[128];
};

static int scratch_up(void **state) {
  struct scratch *s = calloc(1, sizeof *s);
  snprintf(s->dir, sizeof s->dir, "/tmp/kz-dbopen-XXXXXX");
  if (!s || !mkdtemp(s->dir)) return -1;
  snprintf(s->p, sizeof s->p, "%s/p.db", s->dir);
  FILE *f = fopen(s->p, "w");
  if (!f) return -1;
  fputs("SQLite format 3", f);
  fputc(0, f);
  fclose(f);
  *state = s;
  return 0;
}

static int scratch_down(void **state) {
  struct scratch *s = *state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
  if (system(cmd) != 0) return -1;
  free(s);
  return 0;
}

static int refused(const char *target, const char *protected_path) {
  struct kz_diag d = {0};
  int rc = kz_db_refuse_same("--tasks", target, "the case DB", protected_path, &d);
  assert_int_equal(d.n, rc ? 1 : 0);
  if (rc) assert_non_null(strstr(d.msgs[0], protected_path));
  kz_diag_clear(&d);
  return rc != 0;
}

static void test_refuse_same_by_any_spelling(void **state) {
  struct scratch *s = *state;
  char path[256], sym[256], hard[256];
  assert_true(refused(s->p, s->p));
  snprintf(path, sizeof path, "%s/sub/../p.db", s->dir);
  snprintf(sym, sizeof sym, "%s/sub", s->dir);
  assert_int_equal(mkdir(sym, 0700), 0);
  assert_true(refused(path, s->p));                      /* .. */
  snprintf(sym, sizeof sym, "%s/link.db", s->dir);
  assert_int_equal(symlink("p.db", sym), 0);
  assert_true(refused(sym, s->p));                      /* symlink */
  assert_true(refused(s->p, sym));                      /* either way round */
  snprintf(hard, sizeof hard, "%s/hard.db", s->dir);
  assert_int_equal(link(s->p, hard), 0);
  assert_true(refused(hard, s->p));                      /* hard link */
  snprintf(path, sizeof path, "%s/p.db-wal", s->dir);
  assert_true(refused(path, s->p));                      /* a companion, not there yet */
  snprintf(path, sizeof path, "%s/sub/../p.db-shm", s->dir);
  assert_true(refused(path, sym));
  /* Another file, existing or not, and no protected file at all. */
  snprintf(path, sizeof path, "%s/tasks.db", s->dir);
  assert_false(refused(path, s->p));
  assert_false(refused(":memory:", s->p));
  assert_false(refused(s->p, NULL));
  /* Relative against absolute: from inside the folder. */
  char cwd[4096];
  assert_non_null(getcwd(cwd, sizeof cwd));
  assert_int_equal(chdir(s->dir), 0);
  assert_true(refused("p.db", s->p));
  assert_true(refused("./sub/../link.db", s->p));
  assert_false(refused("q.db", s->p));
  assert_int_equal(chdir(cwd), 0);
}

static void test_database_file(void **state) {
  struct scratch *s = *state;
  char path[256];
  assert_true(kz_db_is_database_file(s->p));
  snprintf(path, sizeof path, "%s/page.html", s->dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("<!doctype html>\n", f);
  fclose(f);
  assert_false(kz_db_is_database_file(path));
  snprintf(path, sizeof path, "%s/missing", s->dir);
  assert_false(kz_db_is_database_file(path));
  assert_false(kz_db_is_database_file(s->dir));          /* a folder */
  snprintf(path, sizeof path, "%s/x.db-wal", s->dir);
  f = fopen(path, "w");
  assert_non_null(f);
  fwrite("\x37\x7f\x06\x82\0\0\0\0", 1, 8, f);            /* a WAL header */
  fclose(f);
  assert_true(kz_db_is_database_file(path));
}

/* A path that names a file kz_db_open would write is opened exactly: a
** task DB named with URI characters is created under that very name. */
static void test_open_writes_the_file_named(void **state) {
  struct scratch *s = *state;
  char path[256], other[256];
  struct kz_diag d = {0};
  sqlite3 *db = NULL;
  snprintf(path, sizeof path, "%s/a%%62 #1?.db", s->dir);
  assert_int_equal(kz_db_open(path, KZ_DB_WRITE, &db, &d), 0);
  assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(access(path, F_OK), 0);
  snprintf(other, sizeof other, "%s/ab #1", s->dir);
  assert_int_not_equal(access(other, F_OK), 0);
  assert_int_equal(kz_db_open(path, KZ_DB_READ, &db, &d), 0);
  assert_int_not_equal(sqlite3_exec(db, "CREATE TABLE u (x)", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(kz_db_open(":memory:", KZ_DB_WRITE, &db, &d), 0);
  sqlite3_close(db);
  assert_int_equal(d.n, 0);
  /* A case DB that does not exist is not created. */
  snprintf(path, sizeof path, "%s/none.db", s->dir);
  assert_int_equal(kz_db_open(path, KZ_DB_CASES, &db, &d), -1);
  assert_null(db);
  assert_int_equal(d.n, 1);
  assert_int_not_equal(access(path, F_OK), 0);
  kz_diag_clear(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_uri_escapes_every_special_character),
    cmocka_unit_test(test_readonly_plan),
    cmocka_unit_test_setup_teardown(test_refuse_same_by_any_spelling, scratch_up, scratch_down),
    cmocka_unit_test_setup_teardown(test_database_file, scratch_up, scratch_down),
    cmocka_unit_test_setup_teardown(test_open_writes_the_file_named, scratch_up, scratch_down),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
