/*
** severity.c — the severity table (name, rank, Japanese label) and its
** look-ups, in C and as an SQL function for the task DB's reader.
*/
#include "severity.h"

#include <string.h>

const struct kz_severity kz_severities[KZ_NSEVERITIES] = {
  {"critical", 0, "緊急"},
  {"high", 1, "高"},
  {"medium", 2, "中"},
  {"low", 3, "低"},
};

const struct kz_severity *kz_severity_find(const char *name) {
  if (!name) return NULL;
  for (int i = 0; i < KZ_NSEVERITIES; i++)
    if (strcmp(name, kz_severities[i].name) == 0) return &kz_severities[i];
  return NULL;
}

int kz_severity_rank(const char *name) {
  const struct kz_severity *s = kz_severity_find(name);
  return s ? s->rank : KZ_NSEVERITIES - 1;
}

const char *kz_severity_ja(const char *name) {
  const struct kz_severity *s = kz_severity_find(name);
  return s ? s->ja : name ? name : "";
}

static void sql_rank(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3_result_int(cx, kz_severity_rank((const char *)sqlite3_value_text(argv[0])));
}

int kz_severity_sql_register(sqlite3 *db) {
  return sqlite3_create_function_v2(db, "kz_severity_rank", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                    sql_rank, NULL, NULL, NULL);
}
