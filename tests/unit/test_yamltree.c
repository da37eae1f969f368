/*
** test_yamltree.c — the YAML tree: shapes, marks, null versus text, the
** typed readers and their messages, the limits (aliases, depth, documents),
** and a sweep over the public yaml-test-suite: every case must load or fail
** with a message, never crash or leak (run it under ASan/UBSan).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "yamltree.h"

#define SUITE_DIR "../shared/data/yaml-test-suite"

/* Load text; returns rc, leaving doc and d for the test to inspect. */
static int load(const char *text, struct kz_yaml_doc *doc, struct kz_diag *d) {
  return kz_yaml_load_string("t.yaml", text, strlen(text), doc, d);
}

/* 1 when some message of d contains needle. */
static int has_msg(const struct kz_diag *d, const char *needle) {
  for (size_t i = 0; i < d->n; i++)
    if (d->msgs[i] && strstr(d->msgs[i], needle)) return 1;
  return 0;
}

static void dump(const struct kz_diag *d) {
  for (size_t i = 0; i < d->n; i++) print_message("  diag: %s\n", d->msgs[i]);
}

static void test_shapes_and_marks(void **state) {
  (void)state;
  struct kz_yaml_doc doc;
  struct kz_diag d = {0};
  const char *text =
      "name: test\n"
      "list:\n"
      "  - 1\n"
      "  - {a: x, b: [y, z]}\n"
      "zeta: last\n";
  assert_int_equal(load(text, &doc, &d), 0);
  assert_int_equal(d.n, 0);
  const struct kz_yaml_node *r = doc.root;
  assert_non_null(r);
  assert_int_equal(r->kind, KZ_YAML_MAPPING);
  assert_int_equal(r->n, 3);
  assert_string_equal(r->keys[0]->text, "name");         /* document order */
  assert_string_equal(r->keys[2]->text, "zeta");
  assert_int_equal(r->keys[2]->line, 5);
  assert_int_equal(r->keys[2]->col, 1);
  const struct kz_yaml_node *list = kz_yaml_map_get(r, "list");
  assert_non_null(list);
  assert_int_equal(list->kind, KZ_YAML_SEQUENCE);
  assert_int_equal(list->n, 2);
  assert_int_equal(list->items[0]->line, 3);
  assert_int_equal(list->items[0]->col, 5);
  const struct kz_yaml_node *m = list->items[1];
  assert_int_equal(m->kind, KZ_YAML_MAPPING);
  assert_int_equal(m->line, 4);
  assert_int_equal(m->col, 5);
  const struct kz_yaml_node *b = kz_yaml_map_get(m, "b");
  assert_int_equal(b->kind, KZ_YAML_SEQUENCE);
  assert_string_equal(b->items[1]->text, "z");
  assert_int_equal(b->items[1]->col, 19);
  assert_string_equal(b->items[1]->file, "t.yaml");
  assert_null(kz_yaml_map_get(r, "missing"));
  assert_null(kz_yaml_map_get(list, "name"));             /* not a mapping */
  assert_null(kz_yaml_map_get(NULL, "name"));
  kz_yaml_free(&doc);
  kz_diag_clear(&d);
}

static void test_null_versus_text(void **state) {
  (void)state;
  struct kz_yaml_doc doc;
  struct kz_diag d = {0};
  assert_int_equal(load("a: ~\nb: null\nc:\nd: \"null\"\ne: 'x'\nf: NULL\ng: ''\n", &doc, &d), 0);
  const struct kz_yaml_node *r = doc.root;
  assert_true(kz_yaml_is_null(kz_yaml_map_get(r, "a")));
  assert_true(kz_yaml_is_null(kz_yaml_map_get(r, "b")));
  assert_true(kz_yaml_is_null(kz_yaml_map_get(r, "c")));
  assert_false(kz_yaml_is_null(kz_yaml_map_get(r, "d")));  /* quoted: the text "null" */
  assert_false(kz_yaml_map_get(r, "d")->plain);
  assert_string_equal(kz_yaml_map_get(r, "d")->text, "null");
  assert_false(kz_yaml_map_get(r, "e")->plain);
  assert_true(kz_yaml_is_null(kz_yaml_map_get(r, "f")));
  assert_false(kz_yaml_is_null(kz_yaml_map_get(r, "g")));  /* '' is empty text */
  assert_true(kz_yaml_is_null(kz_yaml_map_get(r, "nope"))); /* absent */
  const char *s = NULL;
  assert_int_equal(kz_yaml_as_string(kz_yaml_map_get(r, "d"), "d", &s, &d), 0);
  assert_string_equal(s, "null");
  assert_int_equal(kz_yaml_as_string(kz_yaml_map_get(r, "b"), "b", &s, &d), -1);
  assert_true(has_msg(&d, "t.yaml:2:4: b: expected text, got null"));
  kz_yaml_free(&doc);
  kz_diag_clear(&d);
}

static void test_empty_documents(void **state) {
  (void)state;
  static const char *const empties[] = {"", "\n\n", "# only a comment\n", "---\n", "---\n...\n"};
  for (size_t i = 0; i < sizeof empties / sizeof *empties; i++) {
    struct kz_yaml_doc doc;
    struct kz_diag d = {0};
    assert_int_equal(load(empties[i], &doc, &d), 0);
    assert_null(doc.root);
    assert_int_equal(d.n, 0);
    kz_yaml_free(&doc);
  }
  struct kz_yaml_doc doc;
  struct kz_diag d = {0};
  assert_int_equal(load("~\n", &doc, &d), 0);            /* a null scalar is a document */
  assert_non_null(doc.root);
  assert_true(kz_yaml_is_null(doc.root));
  kz_yaml_free(&doc);
}

static void test_limits(void **state) {
  (void)state;
  struct kz_yaml_doc doc;
  struct kz_diag d = {0};

  assert_int_equal(load("a: &x [1, 2]\nb: *x\n", &doc, &d), -1);
  assert_true(has_msg(&d, "t.yaml:2:4: aliases are not supported"));
  assert_null(doc.root);
  kz_diag_clear(&d);

  assert_int_equal(load("a: &x 1\n", &doc, &d), 0);     /* an anchor alone is harmless */
  kz_yaml_free(&doc);

  /* A "billion laughs": rejected at the first alias, not expanded. */
  assert_int_equal(load("a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n", &doc, &d), -1);
  assert_true(has_msg(&d, "aliases are not supported"));
  kz_diag_clear(&d);

  assert_int_equal(load("a: 1\n---\nb: 2\n", &doc, &d), -1);
  assert_true(has_msg(&d, "t.yaml:2:1: more than one document"));
  kz_diag_clear(&d);

  assert_int_equal(load("a: 1\nb: 2\na: 3\n", &doc, &d), -1);
  assert_true(has_msg(&d, "t.yaml:3:1: duplicate key 'a' (first at line 1)"));
  kz_diag_clear(&d);

  assert_int_equal(load("? [a, b]\n: 1\n", &doc, &d), -1);
  assert_true(has_msg(&d, "only scalar mapping keys are supported"));
  kz_diag_clear(&d);

  /* KZ_YAML_MAX_DEPTH nested collections load; one more does not. */
  char deep[4 * KZ_YAML_MAX_DEPTH + 8];
  for (int depth = KZ_YAML_MAX_DEPTH; depth <= KZ_YAML_MAX_DEPTH + 1; depth++) {
    size_t k = 0;
    for (int i = 0; i < depth; i++) deep[k++] = '[';
    for (int i = 0; i < depth; i++) deep[k++] = ']';
    deep[k] = '\0';
    int rc = load(deep, &doc, &d);
    if (depth == KZ_YAML_MAX_DEPTH) {
      assert_int_equal(rc, 0);
      kz_yaml_free(&doc);
    } else {
      assert_int_equal(rc, -1);
      assert_true(has_msg(&d, "nesting deeper than 64 levels"));
    }
    kz_diag_clear(&d);
  }

  /* Very deep input stops at the limit, without recursion trouble. */
  size_t big = 1000000;
  char *huge = malloc(big + 1);
  assert_non_null(huge);
  memset(huge, '[', big);
  huge[big] = '\0';
  assert_int_equal(kz_yaml_load_string("deep", huge, big, &doc, &d), -1);
  assert_true(d.n > 0);
  free(huge);
  kz_diag_clear(&d);
}

static void test_syntax_errors(void **state) {
  (void)state;
  struct kz_yaml_doc doc;
  struct kz_diag d = {0};

  assert_int_equal(load("a: [1, 2\nb: 3\n", &doc, &d), -1);
  assert_int_equal(d.n, 1);
  assert_true(strncmp(d.msgs[0], "t.yaml:", 7) == 0);
  assert_non_null(strstr(d.msgs[0], "while parsing a flow sequence"));
  kz_diag_clear(&d);

  assert_int_equal(load("a: 1\n  b: 2\n", &doc, &d), -1);
  assert_true(has_msg(&d, "t.yaml:2:4: mapping values are not allowed in this context"));
  kz_diag_clear(&d);

  assert_int_equal(load("a: \"x\xff\"\n", &doc, &d), -1);   /* not UTF-8 */
  assert_true(has_msg(&d, "t.yaml:1:"));
  assert_true(has_msg(&d, "UTF-8"));
  kz_diag_clear(&d);

  assert_int_equal(kz_yaml_load_file("no/such/file.yaml", &doc, &d), -1);
  assert_true(has_msg(&d, "no/such/file.yaml: cannot open"));
  kz_diag_clear(&d);

  kz_yaml_free(&doc);  /* harmless on an empty doc */
}

static void test_typed_readers(void **state) {
  (void)state;
  struct kz_yaml_doc doc;
  struct kz_diag d = {0};
  const char *text =
      "i: 14\nneg: -3\nq: \"5\"\nbig: 99999999999999999999\nw: abc\n"
      "f: 0.5\ne: 1e3\nbad_e: 1e\ninf: .inf\n"
      "day: 2024-02-29\nqday: \"2024-05-03\"\nnoday: 2023-02-29\n"
      "t: true\nno: False\nnul: \"a\\0b\"\nseq: [1]\n";
  assert_int_equal(load(text, &doc, &d), 0);
  const struct kz_yaml_node *r = doc.root;
  long long i = 0;
  double f = 0;
  kz_day day = 0;
  int b = -1;
  const char *s;

  assert_int_equal(kz_yaml_as_int(kz_yaml_map_get(r, "i"), "i", &i, &d), 0);
  assert_int_equal(i, 14);
  assert_int_equal(kz_yaml_as_int(kz_yaml_map_get(r, "neg"), "neg", &i, &d), 0);
  assert_int_equal(i, -3);
  assert_int_equal(d.n, 0);
  assert_int_equal(kz_yaml_as_int(kz_yaml_map_get(r, "q"), "q", &i, &d), -1);
  assert_true(has_msg(&d, "t.yaml:3:4: q: expected an integer, got \"5\""));
  assert_int_equal(kz_yaml_as_int(kz_yaml_map_get(r, "big"), "big", &i, &d), -1);
  assert_int_equal(kz_yaml_as_int(kz_yaml_map_get(r, "w"), "w", &i, &d), -1);
  assert_true(has_msg(&d, "t.yaml:5:4: w: expected an integer, got 'abc'"));
  assert_int_equal(kz_yaml_as_int(kz_yaml_map_get(r, "f"), "f", &i, &d), -1);
  assert_int_equal(kz_yaml_as_int(kz_yaml_map_get(r, "seq"), "seq", &i, &d), -1);
  assert_true(has_msg(&d, "seq: expected an integer, got a sequence"));
  assert_int_equal(i, -3);                                   /* untouched on error */

  assert_int_equal(kz_yaml_as_double(kz_yaml_map_get(r, "f"), "f", &f, &d), 0);
  assert_true(f == 0.5);
  assert_int_equal(kz_yaml_as_double(kz_yaml_map_get(r, "e"), "e", &f, &d), 0);
  assert_true(f == 1000.0);
  assert_int_equal(kz_yaml_as_double(kz_yaml_map_get(r, "i"), "i", &f, &d), 0);
  assert_true(f == 14.0);
  assert_int_equal(kz_yaml_as_double(kz_yaml_map_get(r, "bad_e"), "bad_e", &f, &d), -1);
  assert_int_equal(kz_yaml_as_double(kz_yaml_map_get(r, "inf"), "inf", &f, &d), -1);
  assert_int_equal(kz_yaml_as_double(kz_yaml_map_get(r, "w"), "w", &f, &d), -1);

  assert_int_equal(kz_yaml_as_date(kz_yaml_map_get(r, "day"), "day", &day, &d), 0);
  assert_int_equal(day, kz_date_from_ymd(2024, 2, 29));
  assert_int_equal(kz_yaml_as_date(kz_yaml_map_get(r, "qday"), "qday", &day, &d), 0);
  assert_int_equal(day, kz_date_from_ymd(2024, 5, 3));
  assert_int_equal(kz_yaml_as_date(kz_yaml_map_get(r, "noday"), "noday", &day, &d), -1);
  assert_true(has_msg(&d, "t.yaml:12:8: noday: expected a date YYYY-MM-DD, got '2023-02-29'"));

  assert_int_equal(kz_yaml_as_bool(kz_yaml_map_get(r, "t"), "t", &b, &d), 0);
  assert_int_equal(b, 1);
  assert_int_equal(kz_yaml_as_bool(kz_yaml_map_get(r, "no"), "no", &b, &d), 0);
  assert_int_equal(b, 0);
  assert_int_equal(kz_yaml_as_bool(kz_yaml_map_get(r, "i"), "i", &b, &d), -1);

  assert_int_equal(kz_yaml_map_get(r, "nul")->len, 3);
  assert_int_equal(kz_yaml_as_string(kz_yaml_map_get(r, "nul"), "nul", &s, &d), -1);
  assert_true(has_msg(&d, "nul: text contains a NUL character"));
  assert_int_equal(kz_yaml_as_string(kz_yaml_map_get(r, "seq"), "seq", &s, &d), -1);
  assert_int_equal(kz_yaml_as_int(NULL, "absent", &i, &d), -1);
  assert_true(has_msg(&d, "absent: expected an integer, got nothing"));
  kz_yaml_free(&doc);
  kz_diag_clear(&d);
}

static void test_check_keys(void **state) {
  (void)state;
  static const char *const allowed[] = {"city", "wards", "agencies", NULL};
  struct kz_yaml_doc doc;
  struct kz_diag d = {0};
  assert_int_equal(load("city: x\nwardz: []\nagencys: []\n", &doc, &d), 0);
  assert_int_equal(kz_yaml_check_keys(doc.root, "the profile", allowed, &d), -1);
  assert_int_equal(d.n, 2);
  assert_string_equal(d.msgs[0], "t.yaml:2:1: unknown key 'wardz' in the profile (did you mean 'wards'?)");
  assert_string_equal(d.msgs[1], "t.yaml:3:1: unknown key 'agencys' in the profile (did you mean 'agencies'?)");
  kz_diag_clear(&d);
  assert_int_equal(kz_yaml_check_keys(kz_yaml_map_get(doc.root, "city"), "city", allowed, &d), -1);
  assert_true(has_msg(&d, "city: expected a mapping, got 'x'"));
  assert_string_equal(kz_yaml_nearest("agency", allowed), "agencies");
  kz_yaml_free(&doc);
  kz_diag_clear(&d);
}

/* {====== yaml-test-suite sweep ====== */

struct sweep {
  int loaded, failed, error_cases_accepted;
};

static void sweep_file(const char *path, int expect_error, struct sweep *s) {
  struct kz_yaml_doc doc;
  struct kz_diag d = {0};
  int rc = kz_yaml_load_file(path, &doc, &d);
  if (rc == 0) {
    if (d.n != 0) { print_error("%s: loaded with messages\n", path); dump(&d); }
    assert_int_equal(d.n, 0);
    s->loaded++;
    s->error_cases_accepted += expect_error;
  } else {
    assert_int_equal(rc, -1);
    assert_true(d.n > 0);
    assert_non_null(d.msgs[0]);
    assert_true(strncmp(d.msgs[0], path, strlen(path)) == 0);  /* names the file */
    assert_null(doc.root);
    s->failed++;
  }
  kz_yaml_free(&doc);
  kz_diag_clear(&d);
}

/* Every in.yaml under dir (cases may hold numbered sub-cases). */
static void sweep_dir(const char *dir, int depth, struct sweep *s) {
  DIR *dp = opendir(dir);
  if (!dp) return;
  struct dirent *e;
  while ((e = readdir(dp))) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (stat(path, &st) != 0) continue;
    if (S_ISDIR(st.st_mode) && depth < 3) {
      sweep_dir(path, depth + 1, s);
    } else if (strcmp(e->d_name, "in.yaml") == 0) {
      char err[4096];
      snprintf(err, sizeof err, "%s/error", dir);
      sweep_file(path, stat(err, &st) == 0, s);
    }
  }
  closedir(dp);
}

static void test_yaml_test_suite(void **state) {
  (void)state;
  const char *dir = getenv("KZ_YAML_SUITE");   /* as test_yaml_suite reads it */
  if (!dir || !*dir) dir = SUITE_DIR;
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    char what[4200];
    snprintf(what, sizeof what, "the yaml-test-suite (%s; run from the repo root)", dir);
    kzt_missing(what, "as root: sh tools/deps.sh test, or set KZ_YAML_SUITE=DIR");
  }
  struct sweep s = {0, 0, 0};
  sweep_dir(dir, 0, &s);
  print_message("yaml-test-suite: %d cases, %d loaded, %d rejected with a message "
                "(%d marked invalid by the suite were accepted by libyaml)\n",
                s.loaded + s.failed, s.loaded, s.failed, s.error_cases_accepted);
  assert_true(s.loaded + s.failed > 300);
}

/* }====== */

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shapes_and_marks),
      cmocka_unit_test(test_null_versus_text),
      cmocka_unit_test(test_empty_documents),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_syntax_errors),
      cmocka_unit_test(test_typed_readers),
      cmocka_unit_test(test_check_keys),
      cmocka_unit_test(test_yaml_test_suite),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
