/*
** test_cli_rules.c — which rules folder a command reads
** (kz_cli_rules_dir): --rules, then $KIZUKI_RULES, then ./rules, then the
** installed rules beside the binary; exit 2 when there is none. Each test
** works in its own scratch folder and restores the working folder and the
** environment. Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

struct scratch {
  char home[PATH_MAX];   /* the working folder to return to */
  char dir[64];          /* the scratch folder, the working folder meanwhile */
};

static int setup(void **state) {
  struct scratch *s = calloc(1, sizeof *s);
  if (!s || !getcwd(s->home, sizeof s->home)) return -1;
  snprintf(s->dir, sizeof s->dir, "/tmp/kz-cli-rules.XXXXXX");
  if (!mkdtemp(s->dir) || chdir(s->dir) != 0) return -1;
  unsetenv("KIZUKI_RULES");
  *state = s;
  return 0;
}

static int teardown(void **state) {
  struct scratch *s = *state;
  int rc = chdir(s->home);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
  if (system(cmd) != 0) rc = -1;
  unsetenv("KIZUKI_RULES");
  free(s);
  return rc;
}

static void given_wins_over_everything(void **state) {
  (void)state;
  char out[256];
  assert_int_equal(mkdir("rules", 0700), 0);
  setenv("KIZUKI_RULES", "/from/env", 1);
  assert_int_equal(kz_cli_rules_dir("run", "--rules DIR", "/given", out, sizeof out), KZ_EXIT_OK);
  assert_string_equal(out, "/given");
}

static void env_wins_over_local_rules(void **state) {
  (void)state;
  char out[256];
  assert_int_equal(mkdir("rules", 0700), 0);
  setenv("KIZUKI_RULES", "/from/env", 1);
  assert_int_equal(kz_cli_rules_dir("run", "--rules DIR", NULL, out, sizeof out), KZ_EXIT_OK);
  assert_string_equal(out, "/from/env");
}

static void empty_env_is_unset(void **state) {
  (void)state;
  char out[256];
  assert_int_equal(mkdir("rules", 0700), 0);
  setenv("KIZUKI_RULES", "", 1);
  assert_int_equal(kz_cli_rules_dir("run", "--rules DIR", NULL, out, sizeof out), KZ_EXIT_OK);
  assert_string_equal(out, "rules");
}

static void local_rules_when_a_folder(void **state) {
  (void)state;
  char out[256];
  FILE *f = fopen("rules", "w");   /* a file named rules is not a rules folder */
  assert_non_null(f);
  fclose(f);
  char installed[1024];
  assert_int_equal(kz_cli_installed_rules(installed, sizeof installed), 0);
  struct stat sb;
  if (stat(installed, &sb) == 0) skip();   /* a real install beside this binary */
  assert_int_equal(kz_cli_rules_dir("check", "--rules DIR", NULL, out, sizeof out), KZ_EXIT_USAGE);
  assert_int_equal(unlink("rules"), 0);
  assert_int_equal(mkdir("rules", 0700), 0);
  assert_int_equal(kz_cli_rules_dir("check", "--rules DIR", NULL, out, sizeof out), KZ_EXIT_OK);
  assert_string_equal(out, "rules");
}

static void installed_is_beside_the_binary(void **state) {
  (void)state;
  char installed[1024], exe[1024];
  assert_int_equal(kz_cli_installed_rules(installed, sizeof installed), 0);
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  assert_true(n > 0);
  exe[n] = '\0';
  *strrchr(exe, '/') = '\0';   /* .../build/tests */
  *strrchr(exe, '/') = '\0';   /* .../build: the "PREFIX" of this binary */
  char want[1100];
  snprintf(want, sizeof want, "%s/share/kizuki/rules", exe);
  assert_string_equal(installed, want);
}

static void too_small_a_buffer_fails(void **state) {
  (void)state;
  char out[4];
  assert_int_equal(kz_cli_rules_dir("run", "--rules DIR", "/a/long/path", out, sizeof out), KZ_EXIT_USAGE);
  char installed[8];
  assert_int_equal(kz_cli_installed_rules(installed, sizeof installed), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(given_wins_over_everything, setup, teardown),
    cmocka_unit_test_setup_teardown(env_wins_over_local_rules, setup, teardown),
    cmocka_unit_test_setup_teardown(empty_env_is_unset, setup, teardown),
    cmocka_unit_test_setup_teardown(local_rules_when_a_folder, setup, teardown),
    cmocka_unit_test_setup_teardown(installed_is_beside_the_binary, setup, teardown),
    cmocka_unit_test_setup_teardown(too_small_a_buffer_fails, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
