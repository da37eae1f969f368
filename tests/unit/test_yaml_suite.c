/*
** test_yaml_suite.c — every input of the public YAML test suite
** (../shared/data/yaml-test-suite, each <case>/[NN/]in.yaml; override with
** KZ_YAML_SUITE=DIR) fed to the fixture loader (from the file and from a
** string) and to the profile loader: each either loads or fails with at least
** one message naming the input; none crashes, hangs (a watchdog aborts an
** input that takes more than 20 s) or leaks (run it under ASan/LSan, or
** valgrind). A case the suite marks as an error (an `error` file beside
** in.yaml) must not load. When the suite is absent (tools/deps.sh test
** fetches it) the tests fail under CI=true and skip, saying so, elsewhere.
** Run from the repo root.
*/
#define _XOPEN_SOURCE 700         /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "profile.h"
#include "testutil.h"

#define DEFAULT_SUITE "../shared/data/yaml-test-suite"
#define WATCHDOG_SECONDS 20

struct input {
  char *path;
  int invalid;                    /* the suite marks it as an error case */
  char *text;
  size_t len;
};

static struct input *inputs;
static size_t ninputs, capinputs;
static const char *suite;

/* {====== Finding the inputs ====== */

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
  (void)sb;
  if (type != FTW_F || strcmp(path + ftw->base, "in.yaml") != 0) return 0;
  if (ninputs == capinputs) {
    capinputs = capinputs ? capinputs * 2 : 512;
    inputs = realloc(inputs, capinputs * sizeof *inputs);
    if (!inputs) return -1;
  }
  struct input *in = &inputs[ninputs++];
  memset(in, 0, sizeof *in);
  in->path = strdup(path);
  char err[4096];
  snprintf(err, sizeof err, "%.*serror", ftw->base, path);
  in->invalid = access(err, F_OK) == 0;
  FILE *f = fopen(path, "rb");
  if (!f || !in->path) { if (f) fclose(f); return -1; }
  size_t cap = 4096;
  in->text = malloc(cap);
  size_t got;
  while (in->text && (got = fread(in->text + in->len, 1, cap - in->len, f)) > 0)
    if ((in->len += got) == cap) in->text = realloc(in->text, cap *= 2);
  fclose(f);
  return in->text ? 0 : -1;
}

static int by_path(const void *a, const void *b) {
  return strcmp(((const struct input *)a)->path, ((const struct input *)b)->path);
}

static int setup(void **state) {
  (void)state;
  suite = getenv("KZ_YAML_SUITE");
  if (!suite || !*suite) suite = DEFAULT_SUITE;
  struct stat sb;
  if (stat(suite, &sb) != 0 || !S_ISDIR(sb.st_mode)) return 0;   /* each test skips */
  if (nftw(suite, collect, 16, FTW_PHYS) != 0) {
    fprintf(stderr, "cannot read the YAML test suite at %s\n", suite);
    return -1;
  }
  qsort(inputs, ninputs, sizeof *inputs, by_path);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  for (size_t i = 0; i < ninputs; i++) { free(inputs[i].path); free(inputs[i].text); }
  free(inputs);
  inputs = NULL;
  ninputs = capinputs = 0;
  return 0;
}

static void need_suite(void) {
  if (ninputs) return;
  char what[4200];
  snprintf(what, sizeof what, "the YAML test suite (no in.yaml under %s)", suite);
  kzt_missing(what, "as root: sh tools/deps.sh test, or set KZ_YAML_SUITE=DIR to a copy of "
                    "github.com/yaml/yaml-test-suite, branch data");
}

/* }====== */

/* {====== The watchdog ====== */

static const char *current;       /* the input being loaded, for the watchdog */

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "test_yaml_suite: an input took longer than the watchdog: ";
  if (write(2, msg, sizeof msg - 1) < 0 || write(2, current, strlen(current)) < 0) {}
  if (write(2, "\n", 1) < 0) {}
  abort();
}

static void watch(const char *path) {
  current = path;
  signal(SIGALRM, on_alarm);
  alarm(WATCHDOG_SECONDS);
}

/* }====== */

/* A failed load must say why, and every message must name the input (the
** loaders' "file:line:col: message" contract). */
static void check_failure(const struct kz_diag *d, const char *name, const char *loader,
                          const char *path) {
  if (d->n == 0) fail_msg("%s: %s failed without a message", path, loader);
  for (size_t i = 0; i < d->n; i++) {
    if (!d->msgs[i]) fail_msg("%s: %s: message %zu lost", path, loader, i);
    if (strncmp(d->msgs[i], name, strlen(name)) != 0)
      fail_msg("%s: %s: message does not name the input: %s", path, loader, d->msgs[i]);
  }
}

static void report(const char *loader, size_t loaded, size_t failed) {
  print_message("%s: %zu inputs of %s: %zu loaded, %zu failed with a message\n", loader,
                loaded + failed, suite, loaded, failed);
}

/* One way of loading an input: returns 0 when it loaded (and frees what it
** loaded), else -1 with messages in d. `name` is what the messages must name
** (NULL: the input's own path). */
struct loader {
  const char *what, *as, *name;
  int (*load)(const struct input *in, const char *name, struct kz_diag *d);
};

static int fixture_file(const struct input *in, const char *name, struct kz_diag *d) {
  struct kz_fixture f;
  (void)name;
  if (kz_fixture_load(&f, in->path, d)) return -1;
  kz_fixture_free(&f);
  return 0;
}

static int fixture_string(const struct input *in, const char *name, struct kz_diag *d) {
  struct kz_fixture f;
  if (kz_fixture_load_string(&f, name, in->text, in->len, d)) return -1;
  kz_fixture_free(&f);
  return 0;
}

static int profile_string(const struct input *in, const char *name, struct kz_diag *d) {
  struct kz_profile p;
  if (kz_profile_load_string(&p, name, in->text, in->len, d)) return -1;
  kz_profile_free(&p);
  return 0;
}

/* Every input through one loader: it loads (never when the suite says it is
** invalid YAML) or fails with messages that name it. */
static void sweep(const struct loader *l) {
  need_suite();
  size_t loaded = 0, failed = 0;
  for (size_t i = 0; i < ninputs; i++) {
    struct kz_diag d = {0};
    const char *name = l->name ? l->name : inputs[i].path;
    watch(inputs[i].path);
    int rc = l->load(&inputs[i], name, &d);
    alarm(0);
    if (rc == 0) {
      if (inputs[i].invalid) fail_msg("%s: invalid YAML loaded as a %s", inputs[i].path, l->as);
      loaded++;
    } else {
      check_failure(&d, name, l->what, inputs[i].path);
      failed++;
    }
    kz_diag_clear(&d);
  }
  report(l->what, loaded, failed);
}

static void test_fixture_from_file(void **state) {
  (void)state;
  sweep(&(struct loader){"kz_fixture_load", "fixture", NULL, fixture_file});
}

static void test_fixture_from_string(void **state) {
  (void)state;
  sweep(&(struct loader){"kz_fixture_load_string", "fixture", "in.yaml", fixture_string});
}

static void test_profile_from_string(void **state) {
  (void)state;
  sweep(&(struct loader){"kz_profile_load_string", "profile", "kizuki.yaml", profile_string});
}

/* Each input, indented, as the value of one key of an otherwise valid
** fixture, so that odd YAML reaches the loader's inner parts (tables, rows,
** columns, params, runs, expected tasks) and not only its first check. Such
** text may be invalid YAML (a directive indented, a `---`); it must then
** fail with a message like any other. */
static void test_fixture_nested(void **state) {
  (void)state;
  need_suite();
  static const char *const keys[] = {"records", "params", "runs", "rules", "description"};
  static const char head[] = "name: suite\n";
  static const char tail[] = "runs: [{as_of: 2024-01-01}]\n";
  size_t loaded = 0, failed = 0;
  for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
    for (size_t i = 0; i < ninputs; i++) {
      size_t cap = sizeof head + sizeof tail + strlen(keys[k]) + 4 + inputs[i].len * 3;
      char *text = malloc(cap), *o = text;
      assert_non_null(text);
      o += sprintf(o, "%s", head);
      if (strcmp(keys[k], "runs") != 0) o += sprintf(o, "%s", tail);
      o += sprintf(o, "%s:\n  ", keys[k]);
      for (size_t j = 0; j < inputs[i].len; j++) {
        *o++ = inputs[i].text[j];
        if (inputs[i].text[j] == '\n' && j + 1 < inputs[i].len) { *o++ = ' '; *o++ = ' '; }
      }
      struct kz_fixture f;
      struct kz_diag d = {0};
      watch(inputs[i].path);
      int rc = kz_fixture_load_string(&f, "nested.yaml", text, (size_t)(o - text), &d);
      alarm(0);
      if (rc == 0) {
        loaded++;
        kz_fixture_free(&f);
      } else {
        check_failure(&d, "nested.yaml", keys[k], inputs[i].path);
        failed++;
      }
      kz_diag_clear(&d);
      free(text);
    }
  report("kz_fixture_load_string (input under records/params/runs/rules/description)", loaded,
         failed);
}

/* The suite is what it claims to be: 402 inputs at the time of writing, some
** nested one level deeper (<case>/NN/in.yaml), so the walk must go down. */
static void test_suite_found_all(void **state) {
  (void)state;
  need_suite();
  size_t nested = 0, errors = 0;
  for (size_t i = 0; i < ninputs; i++) {
    errors += (size_t)inputs[i].invalid;
    const char *rest = inputs[i].path + strlen(suite);
    size_t slashes = 0;
    for (const char *s = rest; *s; s++) slashes += *s == '/';
    nested += slashes > 2;
  }
  print_message("%zu inputs (%zu nested), of which the suite marks %zu as errors\n", ninputs,
                nested, errors);
  assert_true(ninputs >= 402);
  assert_true(nested > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_suite_found_all),
      cmocka_unit_test(test_fixture_from_file),
      cmocka_unit_test(test_fixture_from_string),
      cmocka_unit_test(test_profile_from_string),
      cmocka_unit_test(test_fixture_nested),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
