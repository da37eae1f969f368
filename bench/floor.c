/*
** floor.c — the benchmark floor: read every row and column the loader reads
** from a case DB, through SQLite, with the loader's own statements, and do
** nothing else. `floor PF.db DATE` prints rows and values read.
*/
#include <stdio.h>

#include "cli.h"
#include "kizuki.h"
#include "loader.h"

int main(int argc, char **argv) {
  kz_day as_of;
  sqlite3_config(SQLITE_CONFIG_MULTITHREAD);   /* as kizuki does */
  if (argc != 3 || kz_date_parse(argv[2], &as_of)) {
    fprintf(stderr, "usage: floor PF.db YYYY-MM-DD\n");
    return KZ_EXIT_USAGE;
  }
  struct kz_diag d = {0};
  sqlite3 *db = NULL;
  int rc = kz_cli_open_cases(argv[1], &db, &d);
  long long values = 0, rows = rc == KZ_EXIT_OK ? kz_loader_scan(db, as_of, &values, &d) : -1;
  if (rows < 0) {
    kz_diag_print(&d, stderr);
    rc = rc ? rc : KZ_EXIT_CASES;
  } else {
    printf("%lld rows, %lld values\n", rows, values);
  }
  sqlite3_close(db);
  kz_diag_clear(&d);
  return rc;
}
